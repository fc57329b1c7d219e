//! Publishing like a newsroom (issue "approval, releases, dated fees, helpful opt-outs, broken
//! links"), over real HTTP on the `country` fixture: values with dates that change pages,
//! search and exports at their moment without an edit or a request in between, in the file
//! format and the admin API; opt-outs that explain themselves at the product's address in both
//! languages and stay out of everything else; the central team's view of who opted out.

mod common;

use std::time::Duration;

use common::{TestApp, fixture, user};
use serde_json::{Value, json};

const ALPHA: &str = "alpha.test";
const BETA: &str = "beta.test";

/// The country fixture's override of the passport in Alpha, with `leges` as given.
fn alpha_passport(leges: &str) -> String {
    std::fs::read_to_string(fixture("country").join("sites/alpha/overrides/paspoort.md"))
        .expect("fixture")
        .replace("[variables]\n", &format!("[variables]\nleges = {leges}\n"))
}

/// An RFC 3339 time `seconds` from now.
fn in_seconds(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(meent::now() + seconds, 0).expect("a time").to_rfc3339()
}

async fn search_total(app: &TestApp, host: &str, q: &str) -> i64 {
    let res = app.get(host, &format!("/api/v1/search?q={q}")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["total"].as_i64().expect("a total")
}

#[actix_web::test]
async fn a_value_changes_at_its_moment_on_pages_and_in_search_without_an_edit() {
    let app = TestApp::start(&fixture("country")).await;
    // Whole seconds: the moment must lie well after the first page is built and cached.
    let at = in_seconds(4);
    app.import_file("sites/alpha/overrides/paspoort.md", &alpha_passport(&format!("[{{ value = \"OUDTARIEF\" }}, {{ value = \"NIEUWTARIEF\", from = \"{at}\" }}]")));
    app.catch_up();
    let before = app.get(ALPHA, "/producten/paspoort").await;
    assert_eq!(before.status, 200);
    assert!(before.body.contains("OUDTARIEF") && !before.body.contains("NIEUWTARIEF"), "{}", before.body);
    // Built once more from the cache: still the old value.
    assert!(app.get(ALPHA, "/producten/paspoort").await.body.contains("OUDTARIEF"));
    let api = app.get(ALPHA, "/api/v1/products/paspoort").await;
    assert!(api.body.contains("OUDTARIEF"), "{}", api.body);
    assert_eq!(search_total(&app, ALPHA, "nieuwtarief").await, 0);
    assert_eq!(search_total(&app, ALPHA, "oudtarief").await, 1);

    // Nothing happens until the moment; then the next request sees the new value.
    let wait = chrono::DateTime::parse_from_rfc3339(&at).expect("time").timestamp() - meent::now() + 1;
    actix_web::rt::time::sleep(Duration::from_secs(wait.max(0) as u64)).await;
    let after = app.get(ALPHA, "/producten/paspoort").await;
    assert!(after.body.contains("NIEUWTARIEF") && !after.body.contains("OUDTARIEF"), "the cached page expired at the moment: {}", after.body);
    assert!(app.get(ALPHA, "/api/v1/products/paspoort").await.body.contains("NIEUWTARIEF"));
    // The search index follows by itself (the feed's round indexes what came due).
    let found = common::eventually(10, async || search_total(&app, ALPHA, "nieuwtarief").await == 1).await;
    assert!(found, "the new value is searchable");
    assert_eq!(search_total(&app, ALPHA, "oudtarief").await, 0);
    // Other sites never had it.
    assert_eq!(search_total(&app, BETA, "nieuwtarief").await, 0);
}

#[actix_web::test]
async fn the_api_and_the_file_format_take_values_with_dates() {
    let app = TestApp::start(&fixture("country")).await;
    let token = user(&app, "redactie@alpha.example.org", "editor", "site:alpha", None);
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort";
    let current = app.api(&token, "GET", path, None, &[]).await.json();
    let mut doc = current.clone();
    doc["variables"]["leges"] = json!([{ "value": "€ 84,10" }, { "value": "€ 86,00", "from": "2027-01-01" }, { "value": "€ 88,00", "from": "2028-01-01T00:00:00+01:00" }]);
    let saved = app.api(&token, "PUT", path, Some(doc.clone()), &[]).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let back = app.api(&token, "GET", path, None, &[]).await.json();
    assert_eq!(back["variables"]["leges"], doc["variables"]["leges"], "read back as written");
    assert_eq!(back["variables"]["afspraak_url"], "https://alpha.example.org/afspraak", "a value without dates stays a string");

    // A date that is none, and two values at one moment, are refused with where and why.
    for (leges, field) in [
        (json!([{ "value": "€ 84,10" }, { "value": "€ 86,00", "from": "1 januari" }]), "/variables/leges/1/from"),
        (json!([{ "value": "a", "from": "2027-01-01" }, { "value": "b", "from": "2026-12-31T23:00:00Z" }]), "/variables/leges/1/from"),
        (json!([]), "/variables/leges"),
    ] {
        let mut bad = back.clone();
        bad["variables"]["leges"] = leges;
        let res = app.api(&token, "PUT", path, Some(bad), &[]).await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(res.body.contains(field), "{field}: {}", res.body);
    }
    let res = app.api(&token, "PUT", path, Some(json!({ "variables": { "leges": 12 } })), &[]).await;
    assert_eq!(res.status, 422, "not a value at all: {}", res.body);
    assert!(res.body.contains("a value is a string, or a list of tables"), "{}", res.body);

    // Export writes them; the export imports again to the same content.
    let dir = tempfile::tempdir().expect("dir");
    let mut conn = app.state.pool.get().expect("conn");
    meent::content::export::export_dir(&mut conn, dir.path(), None).expect("export");
    let file = std::fs::read_to_string(dir.path().join("sites/alpha/overrides/paspoort.md")).expect("exported");
    assert!(file.contains("from = \"2027-01-01\"") && file.contains("€ 86,00"), "{file}");
    let again = TestApp::start(dir.path()).await;
    let token = user(&again, "redactie@alpha.example.org", "editor", "site:alpha", None);
    let reread = again.api(&token, "GET", path, None, &[]).await.json();
    assert_eq!(reread["variables"]["leges"], doc["variables"]["leges"]);

    // In a file, a TOML date works as well as a string, and a bad one is reported with its line.
    let tree = tempfile::tempdir().expect("dir");
    let text = alpha_passport("[{ value = \"€ 84,10\" }, { value = \"€ 86,00\", from = 2027-01-01 }]");
    std::fs::create_dir_all(tree.path().join("sites/alpha/overrides")).expect("dir");
    std::fs::write(tree.path().join("sites/alpha/overrides/paspoort.md"), &text).expect("write");
    meent::content::import::import_dir(&mut conn, tree.path(), None, meent::now(), None).expect("a TOML date is a date");
    std::fs::write(tree.path().join("sites/alpha/overrides/paspoort.md"), text.replace("from = 2027-01-01", "from = \"volgend jaar\"")).expect("write");
    let err = meent::content::import::import_dir(&mut conn, tree.path(), None, meent::now(), None).expect_err("not a date").to_string();
    assert!(err.contains("sites/alpha/overrides/paspoort.md:") && err.contains("volgend jaar"), "{err}");
}

#[actix_web::test]
async fn an_opt_out_explains_itself_and_appears_nowhere_else() {
    let app = TestApp::start(&fixture("english")).await;
    // Beta does not offer the passport: the region arranges it, and residents go elsewhere.
    app.import_file(
        "sites/beta/overrides/paspoort.md",
        "+++\nbased_on = 1\nenabled = false\nreason = \"Paspoorten regelt het Regioloket voor ons.\"\nrefer_to = \"https://regioloket.example.org/paspoort\"\n+++\n",
    );
    app.catch_up();
    let page = app.get(BETA, "/producten/paspoort").await;
    assert_eq!(page.status, 404, "{}", page.body);
    for part in ["Paspoort", "Gemeente Beta biedt dit niet zelf aan.", "Paspoorten regelt het Regioloket voor ons.", "href=\"https://regioloket.example.org/paspoort\""] {
        assert!(page.body.contains(part), "{part}: {}", page.body);
    }
    // English: the Dutch reason, marked as Dutch, under an English page.
    let en = app.get(BETA, "/en/products/paspoort").await;
    assert_eq!(en.status, 404, "{}", en.body);
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("Gemeente Beta does not offer this itself."), "{}", en.body);
    assert!(en.body.contains("<p lang=\"nl\">Paspoorten regelt het Regioloket voor ons.</p>"), "{}", en.body);

    // Nowhere else: listings, search, sitemap, feeds, the JSON API, Samenwerkende Catalogi.
    assert!(!app.get(BETA, "/producten").await.body.contains("/producten/paspoort"));
    assert!(!app.get(BETA, "/en/products").await.body.contains("/en/products/paspoort"));
    assert!(!app.get(BETA, "/sitemap.xml").await.body.contains("/paspoort"));
    assert_eq!(app.get(BETA, "/api/v1/products/paspoort").await.status, 404);
    assert!(!app.get(BETA, "/api/v1/products").await.body.contains("\"paspoort\""));
    assert!(!app.get(BETA, "/api/v1/samenwerkende-catalogi.xml").await.body.contains("/paspoort"));
    assert_eq!(search_total(&app, BETA, "paspoort").await, 0);
    // Alpha still offers it.
    assert_eq!(app.get(ALPHA, "/producten/paspoort").await.status, 200);
    // A product nobody offers is a plain 404, not an explanation.
    let unknown = app.get(BETA, "/producten/bestaat-niet").await;
    assert_eq!(unknown.status, 404);
    assert!(!unknown.body.contains("biedt dit niet zelf aan"));

    // An English reason and a referral to another product of the site.
    let token = user(&app, "redactie@beta.example.org", "editor", "site:beta", None);
    let path = "/api/v1/admin/sites/beta/overrides/paspoort";
    let mut doc = app.api(&token, "GET", path, None, &[]).await.json();
    assert_eq!(doc["reason"], "Paspoorten regelt het Regioloket voor ons.");
    doc["refer_to"] = json!("rijbewijs");
    let res = app.api(&token, "PUT", path, Some(doc.clone()), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let english = json!({ "lang": "en", "reason": "The regional office arranges passports for us." });
    let res = app.api(&token, "PUT", &format!("{path}/translations/en"), Some(english), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    app.catch_up();
    let page = app.get(BETA, "/producten/paspoort").await;
    assert!(page.body.contains("href=\"/producten/rijbewijs\""), "{}", page.body);
    let en = app.get(BETA, "/en/products/paspoort").await.body;
    assert!(en.contains("<p>The regional office arranges passports for us.</p>") && !en.contains("Regioloket"), "{en}");

    // A reason without an opt-out, a referral that is neither a product nor a web address.
    for (change, field) in [(json!({ "enabled": null }), "/reason"), (json!({ "refer_to": "javascript:alert(1)" }), "/refer_to"), (json!({ "refer_to": "paspoort" }), "/refer_to")] {
        let mut bad: Value = doc.clone();
        for (k, v) in change.as_object().expect("object") {
            bad[k] = v.clone();
        }
        let res = app.api(&token, "PUT", path, Some(bad), &[]).await;
        assert_eq!(res.status, 422, "{change}: {}", res.body);
        assert!(res.body.contains(field), "{field}: {}", res.body);
    }

    // The central team sees who opted out and why; a site editor may not.
    let central = user(&app, "centraal@meent.example.org", "editor", "national", None);
    let res = app.api(&central, "GET", "/api/v1/admin/catalogue/paspoort/opt-outs", None, &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let list = res.json();
    assert_eq!(list["sites"], json!(["beta"]), "{list}");
    let row = &list["opt_outs"][0];
    assert_eq!((row["owner"]["kind"].as_str(), row["owner"]["slug"].as_str()), (Some("site"), Some("beta")), "{list}");
    assert_eq!(row["reason"], "Paspoorten regelt het Regioloket voor ons.");
    assert_eq!(row["reason_en"], "The regional office arranges passports for us.");
    assert_eq!(row["refer_to"], "rijbewijs");
    assert_eq!(app.api(&token, "GET", "/api/v1/admin/catalogue/paspoort/opt-outs", None, &[]).await.status, 403);
}

#[actix_web::test]
async fn a_group_opt_out_counts_for_the_members_that_do_not_offer_it_again() {
    // In the country fixture the region opts out of the driving licence and Alpha offers it again.
    let app = TestApp::start(&fixture("country")).await;
    let central = user(&app, "centraal@meent.example.org", "editor", "national", None);
    let list = app.api(&central, "GET", "/api/v1/admin/catalogue/rijbewijs/opt-outs", None, &[]).await.json();
    assert_eq!(list["sites"], json!(["beta"]), "{list}");
    assert_eq!(list["opt_outs"][0]["owner"], json!({ "kind": "group", "slug": "regio" }), "{list}");
    // Beta's page explains, without a reason given.
    let page = app.get(BETA, "/producten/rijbewijs").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Gemeente Beta biedt dit niet zelf aan."), "{}", page.body);
}

/// The title of the passport as residents of Alpha see it.
async fn alpha_title(app: &TestApp) -> String {
    let body = app.get(ALPHA, "/producten/paspoort").await.body;
    let start = body.find("<h1>").expect("a heading") + 4;
    body[start..start + body[start..].find("</h1>").expect("its end")].to_owned()
}

#[actix_web::test]
async fn four_eyes_keep_a_change_until_another_editor_approves_it() {
    let app = TestApp::start(&fixture("country")).await;
    let admin = user(&app, "beheer@alpha.example.org", "admin", "site:alpha", None);
    let anna = user(&app, "anna@alpha.example.org", "editor", "site:alpha", None);
    let bob = user(&app, "bob@alpha.example.org", "editor", "site:alpha", None);
    let beta = user(&app, "redactie@beta.example.org", "editor", "site:beta", None);
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort";

    // Only an admin of the scope switches it on.
    assert_eq!(app.api(&anna, "PUT", "/api/v1/admin/approval/site:alpha", Some(json!({ "required": true })), &[]).await.status, 403);
    let on = app.api(&admin, "PUT", "/api/v1/admin/approval/site:alpha", Some(json!({ "required": true })), &[]).await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(app.api(&bob, "GET", "/api/v1/admin/approval/site:alpha", None, &[]).await.json()["required"], true);
    let before = alpha_title(&app).await;

    // Anna's change waits; residents keep the published version.
    let mut doc = app.api(&anna, "GET", path, None, &[]).await.json();
    doc["title"] = json!("Paspoort aanvragen in Alpha (nieuw)");
    let proposed = app.api(&anna, "PUT", path, Some(doc.clone()), &[]).await;
    assert_eq!(proposed.status, 202, "{}", proposed.body);
    let first = proposed.json()["proposal"].as_i64().expect("a proposal id");
    assert_eq!(alpha_title(&app).await, before);
    // An invalid change is refused at once, not proposed.
    let mut bad = doc.clone();
    bad["apply_url"] = json!("javascript:alert(1)");
    assert_eq!(app.api(&anna, "PUT", path, Some(bad), &[]).await.status, 422);

    // The author cannot approve it, nor send it back; that is audited.
    let own = app.api(&anna, "POST", &format!("/api/v1/admin/approvals/{first}/approve"), None, &[]).await;
    assert_eq!(own.status, 403, "{}", own.body);
    assert!(own.body.contains("eigen wijziging"), "{}", own.body);
    assert_eq!(app.api(&anna, "POST", &format!("/api/v1/admin/approvals/{first}/send-back"), Some(json!({ "note": "x" })), &[]).await.status, 403);
    // An editor of another site neither sees nor decides it.
    assert_eq!(app.api(&beta, "GET", &format!("/api/v1/admin/approvals/{first}"), None, &[]).await.status, 403);
    assert_eq!(app.api(&beta, "POST", &format!("/api/v1/admin/approvals/{first}/approve"), None, &[]).await.status, 403);
    assert_eq!(app.api(&beta, "GET", "/api/v1/admin/approvals", None, &[]).await.json()["to_approve"], json!([]));

    // Bob sees what waits for him; he sends it back with a note (a note is required).
    let waiting = app.api(&bob, "GET", "/api/v1/admin/approvals", None, &[]).await.json();
    assert_eq!(waiting["to_approve"][0]["id"], first, "{waiting}");
    assert_eq!(waiting["to_approve"][0]["author"], "anna@alpha.example.org");
    assert_eq!(waiting["to_approve"][0]["document"]["title"], "Paspoort aanvragen in Alpha (nieuw)");
    assert_eq!(app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{first}/send-back"), Some(json!({ "note": " " })), &[]).await.status, 422);
    let back = app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{first}/send-back"), Some(json!({ "note": "Zonder '(nieuw)' graag." })), &[]).await;
    assert_eq!(back.status, 200, "{}", back.body);
    let mine = app.api(&anna, "GET", "/api/v1/admin/approvals", None, &[]).await.json();
    assert_eq!((mine["mine"][0]["state"].as_str(), mine["mine"][0]["note"].as_str()), (Some("returned"), Some("Zonder '(nieuw)' graag.")), "{mine}");
    assert_eq!(app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{first}/approve"), None, &[]).await.status, 422, "no longer waiting");
    assert_eq!(alpha_title(&app).await, before);

    // Anna tries again; Bob approves: now residents see it.
    doc["title"] = json!("Paspoort aanvragen in Alpha");
    let second = app.api(&anna, "PUT", path, Some(doc.clone()), &[]).await.json()["proposal"].as_i64().expect("a proposal");
    let approved = app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{second}/approve"), None, &[]).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.json()["state"], "approved");
    assert_eq!(alpha_title(&app).await, "Paspoort aanvragen in Alpha");

    // A proposal written against a revision that moved on is a conflict when approved.
    doc["title"] = json!("Oud voorstel");
    let stale = app.api(&anna, "PUT", path, Some(doc.clone()), &[]).await.json()["proposal"].as_i64().expect("a proposal");
    let conflict = app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{stale}/approve"), None, &[]).await;
    assert_eq!(conflict.status, 412, "{}", conflict.body);
    assert_eq!(alpha_title(&app).await, "Paspoort aanvragen in Alpha");

    // An admin may publish directly, with a reason that the audit log keeps; an editor may not.
    let mut current = app.api(&admin, "GET", path, None, &[]).await.json();
    current["title"] = json!("Paspoort (spoed)");
    let refused = app.api(&anna, "PUT", path, Some(current.clone()), &[("X-Publish-Reason", "haast")]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let direct = app.api(&admin, "PUT", path, Some(current.clone()), &[("X-Publish-Reason", "Storing bij de balie, direct nodig")]).await;
    assert_eq!(direct.status, 200, "{}", direct.body);
    assert_eq!(alpha_title(&app).await, "Paspoort (spoed)");
    let audit = app.api(&admin, "GET", "/api/v1/admin/audit", None, &[]).await.body;
    assert!(audit.contains("approval.direct") && audit.contains("Storing bij de balie, direct nodig"), "{audit}");
    assert!(audit.contains("refused: own change"), "{audit}");

    // A new page waits as well, and is created when approved.
    let page = json!({ "path": "vier-ogen", "title": "Vier ogen", "summary": "", "body": "Deze pagina is goedgekeurd." });
    let res = app.api(&anna, "POST", "/api/v1/admin/sites/alpha/pages", Some(page), &[]).await;
    assert_eq!(res.status, 202, "{}", res.body);
    assert_eq!(app.get(ALPHA, "/vier-ogen").await.status, 404);
    let id = res.json()["proposal"].as_i64().expect("a proposal");
    assert_eq!(app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{id}/approve"), None, &[]).await.status, 200);
    assert!(app.get(ALPHA, "/vier-ogen").await.body.contains("Deze pagina is goedgekeurd."));

    // Deleting it is a change too: it waits, and goes when approved.
    let pages = app.api(&anna, "GET", "/api/v1/admin/sites/alpha/pages", None, &[]).await.json();
    let page_id = pages.as_array().unwrap().iter().find(|p| p["path"] == "vier-ogen").expect("the page")["id"].as_i64().unwrap();
    let res = app.api(&anna, "DELETE", &format!("/api/v1/admin/sites/alpha/pages/{page_id}"), None, &[]).await;
    assert_eq!(res.status, 202, "{}", res.body);
    let id = res.json()["proposal"].as_i64().expect("a proposal");
    assert_eq!(app.api(&bob, "GET", &format!("/api/v1/admin/approvals/{id}"), None, &[]).await.json()["document"], json!(null));
    assert_eq!(app.get(ALPHA, "/vier-ogen").await.status, 200, "still there until approved");
    assert_eq!(app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{id}/approve"), None, &[]).await.status, 200);
    assert_eq!(app.get(ALPHA, "/vier-ogen").await.status, 404);

    // Other sites are not asked.
    let mut beta_doc = json!({ "enabled": true, "title": "Paspoort in Beta" });
    beta_doc["revision"] = json!(null);
    let res = app.api(&beta, "PUT", "/api/v1/admin/sites/beta/overrides/paspoort", Some(beta_doc), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[actix_web::test]
async fn the_national_catalogue_can_ask_for_four_eyes_too() {
    let app = TestApp::start(&fixture("country")).await;
    let admin = user(&app, "beheer@meent.example.org", "admin", "national", None);
    let carla = user(&app, "carla@meent.example.org", "editor", "national", None);
    let dirk = user(&app, "dirk@meent.example.org", "editor", "national", None);
    let alpha = user(&app, "anna@alpha.example.org", "editor", "site:alpha", None);
    assert_eq!(app.api(&admin, "PUT", "/api/v1/admin/approval/national", Some(json!({ "required": true })), &[]).await.status, 200);
    let path = "/api/v1/admin/catalogue/afvalcontainer";
    let mut doc = app.api(&carla, "GET", path, None, &[]).await.json();
    doc["summary"] = json!("Een container voor bedrijfsafval, nu ook voor glas.");
    let id = app.api(&carla, "PUT", path, Some(doc), &[]).await.json()["proposal"].as_i64().expect("a proposal");
    assert!(!app.get("alpha.test", "/producten/afvalcontainer").await.body.contains("ook voor glas"));
    // A site editor works in no national scope.
    assert_eq!(app.api(&alpha, "POST", &format!("/api/v1/admin/approvals/{id}/approve"), None, &[]).await.status, 403);
    assert_eq!(app.api(&dirk, "POST", &format!("/api/v1/admin/approvals/{id}/approve"), None, &[]).await.status, 200);
    assert!(app.get("alpha.test", "/producten/afvalcontainer").await.body.contains("ook voor glas"));
    // Site content is not national: Alpha's editor still publishes at once.
    let mut over = app.api(&alpha, "GET", "/api/v1/admin/sites/alpha/overrides/paspoort", None, &[]).await.json();
    over["title"] = json!("Paspoort in Alpha");
    assert_eq!(app.api(&alpha, "PUT", "/api/v1/admin/sites/alpha/overrides/paspoort", Some(over), &[]).await.status, 200);
}

/// A product's summary as a site's residents get it from the JSON API.
async fn summary(app: &TestApp, host: &str, slug: &str) -> String {
    let res = app.get(host, &format!("/api/v1/products/{slug}")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["summary"].as_str().unwrap_or("").to_owned()
}

#[actix_web::test]
async fn a_release_switches_every_site_together_and_is_undone_as_a_whole() {
    let app = TestApp::start(&fixture("country")).await;
    let central = user(&app, "centraal@meent.example.org", "editor", "national", None);
    let alpha = user(&app, "anna@alpha.example.org", "editor", "site:alpha", None);
    let res = app.api(&central, "POST", "/api/v1/admin/releases", Some(json!({ "scope": "national", "name": "Tarieven 2027" })), &[]).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let release = res.json()["id"].as_i64().unwrap();
    let header = release.to_string();
    let staged = [("X-Release", header.as_str())];

    // Two products and the thesaurus go into the release; nothing changes for residents.
    let old = summary(&app, BETA, "paspoort").await;
    let mut before = Vec::new();
    for host in [ALPHA, BETA, "gamma.test"] {
        before.push(summary(&app, host, "paspoort").await);
    }
    for (slug, text) in [("paspoort", "Vanaf 2027 vraagt u een paspoort online aan."), ("afvalcontainer", "Vanaf 2027 huurt u een container online.")] {
        let path = format!("/api/v1/admin/catalogue/{slug}");
        let mut doc = app.api(&central, "GET", &path, None, &[]).await.json();
        doc["summary"] = json!(text);
        let res = app.api(&central, "PUT", &path, Some(doc), &staged).await;
        assert_eq!(res.status, 202, "{}", res.body);
        assert_eq!(res.json()["state"], "staged");
    }
    let mut words = app.api(&central, "GET", "/api/v1/admin/thesaurus", None, &[]).await.json();
    words["concepts"].as_array_mut().unwrap().push(json!({ "words": ["paspoort"], "everyday": ["reisboekje"] }));
    let res = app.api(&central, "PUT", "/api/v1/admin/thesaurus", Some(words.clone()), &staged).await;
    assert_eq!(res.status, 202, "{}", res.body);
    // A change written against an old revision is refused at once, as a save would be.
    words["revision"] = json!(words["revision"].as_i64().unwrap() + 5);
    assert_eq!(app.api(&central, "PUT", "/api/v1/admin/thesaurus", Some(words), &staged).await.status, 412);
    assert_eq!(summary(&app, BETA, "paspoort").await, old);
    assert_eq!(search_total(&app, BETA, "reisboekje").await, 0);
    // A site's change does not belong in the national release, and its editor cannot see it.
    let mut over = app.api(&alpha, "GET", "/api/v1/admin/sites/alpha/overrides/paspoort", None, &[]).await.json();
    over["title"] = json!("Paspoort in Alpha");
    let res = app.api(&alpha, "PUT", "/api/v1/admin/sites/alpha/overrides/paspoort", Some(over), &staged).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("is for national"), "{}", res.body);
    assert_eq!(app.api(&alpha, "GET", &format!("/api/v1/admin/releases/{release}"), None, &[]).await.status, 403);

    // The preview shows a site's product as it will be; afterwards nothing has changed.
    let preview = app.api(&central, "GET", &format!("/api/v1/admin/releases/{release}/preview/beta/paspoort"), None, &[]).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(preview.json()["summary"], "Vanaf 2027 vraagt u een paspoort online aan.");
    assert_eq!(summary(&app, BETA, "paspoort").await, old);
    let view = app.api(&central, "GET", &format!("/api/v1/admin/releases/{release}"), None, &[]).await.json();
    assert_eq!(view["changes"].as_array().unwrap().len(), 3, "{view}");

    // Published: every site switches, search too.
    let res = app.api(&central, "POST", &format!("/api/v1/admin/releases/{release}/publish"), None, &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["state"], "published");
    for host in [ALPHA, BETA, "gamma.test"] {
        assert_eq!(summary(&app, host, "paspoort").await, "Vanaf 2027 vraagt u een paspoort online aan.", "{host}");
    }
    assert_eq!(summary(&app, "gamma.test", "afvalcontainer").await, "Vanaf 2027 huurt u een container online.");
    assert!(common::eventually(10, async || search_total(&app, BETA, "reisboekje").await == 1).await, "the thesaurus of the release");
    assert_eq!(app.api(&central, "POST", &format!("/api/v1/admin/releases/{release}/publish"), None, &[]).await.status, 422, "once");

    // Undone as a whole.
    let res = app.api(&central, "POST", &format!("/api/v1/admin/releases/{release}/undo"), None, &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["state"], "undone");
    for (host, old) in [ALPHA, BETA, "gamma.test"].into_iter().zip(&before) {
        assert_eq!(&summary(&app, host, "paspoort").await, old, "{host}");
    }
    assert!(common::eventually(10, async || search_total(&app, BETA, "reisboekje").await == 0).await, "the thesaurus is back");
}

#[actix_web::test]
async fn a_release_publishes_at_its_moment_and_does_not_undo_later_edits() {
    let app = TestApp::start(&fixture("country")).await;
    let anna = user(&app, "anna@alpha.example.org", "editor", "site:alpha", None);
    let release = app.api(&anna, "POST", "/api/v1/admin/releases", Some(json!({ "scope": "site:alpha", "name": "Nieuwe titels" })), &[]).await.json()["id"].as_i64().unwrap();
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort";
    let mut over = app.api(&anna, "GET", path, None, &[]).await.json();
    over["title"] = json!("Paspoort uit de release");
    let header = release.to_string();
    assert_eq!(app.api(&anna, "PUT", path, Some(over), &[("X-Release", header.as_str())]).await.status, 202);
    // A moment in the past is refused; one in two seconds is kept.
    let past = app.api(&anna, "PUT", &format!("/api/v1/admin/releases/{release}/schedule"), Some(json!({ "publish_at": in_seconds(-60) })), &[]).await;
    assert_eq!(past.status, 422, "{}", past.body);
    let at = in_seconds(2);
    let res = app.api(&anna, "PUT", &format!("/api/v1/admin/releases/{release}/schedule"), Some(json!({ "publish_at": at })), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["state"], "scheduled");
    assert_ne!(alpha_title(&app).await, "Paspoort uit de release");
    assert!(common::eventually(15, async || alpha_title(&app).await == "Paspoort uit de release").await, "published at its moment");

    // Edited after the release: the undo refuses and changes nothing.
    let mut later = app.api(&anna, "GET", path, None, &[]).await.json();
    later["title"] = json!("Paspoort, later aangepast");
    assert_eq!(app.api(&anna, "PUT", path, Some(later), &[]).await.status, 200);
    let undo = app.api(&anna, "POST", &format!("/api/v1/admin/releases/{release}/undo"), None, &[]).await;
    assert_eq!(undo.status, 422, "{}", undo.body);
    assert!(undo.body.contains("changed after the release"), "{}", undo.body);
    assert_eq!(alpha_title(&app).await, "Paspoort, later aangepast");
    assert_eq!(app.api(&anna, "GET", &format!("/api/v1/admin/releases/{release}"), None, &[]).await.json()["state"], "published");
}

#[actix_web::test]
async fn a_translation_waits_for_approval_too() {
    let app = TestApp::start(&fixture("english")).await;
    let admin = user(&app, "beheer@alpha.example.org", "admin", "site:alpha", None);
    let anna = user(&app, "anna@alpha.example.org", "editor", "site:alpha", None);
    let bob = user(&app, "bob@alpha.example.org", "editor", "site:alpha", None);
    assert_eq!(app.api(&admin, "PUT", "/api/v1/admin/approval/site:alpha", Some(json!({ "required": true })), &[]).await.status, 200);
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort/translations/en";
    let mut doc = app.api(&anna, "GET", path, None, &[]).await.json();
    doc["title"] = json!("Passport, checked twice");
    let res = app.api(&anna, "PUT", path, Some(doc), &[]).await;
    assert_eq!(res.status, 202, "{}", res.body);
    let id = res.json()["proposal"].as_i64().unwrap();
    assert!(!app.get(ALPHA, "/en/products/paspoort").await.body.contains("Passport, checked twice"));
    assert_eq!(app.api(&anna, "POST", &format!("/api/v1/admin/approvals/{id}/approve"), None, &[]).await.status, 403);
    assert_eq!(app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{id}/approve"), None, &[]).await.status, 200);
    assert!(app.get(ALPHA, "/en/products/paspoort").await.body.contains("<h1>Passport, checked twice</h1>"));
    // Removing it waits as well.
    let res = app.api(&anna, "DELETE", path, None, &[]).await;
    assert_eq!(res.status, 202, "{}", res.body);
    assert!(app.get(ALPHA, "/en/products/paspoort").await.body.contains("Passport, checked twice"));
}

#[actix_web::test]
async fn a_bad_release_header_is_refused_after_the_token() {
    let app = TestApp::start(&fixture("country")).await;
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort";
    let body = Some(br#"{"title":"x"}"#.to_vec());
    let stranger = app.send("PUT", ALPHA, path, &[("Content-Type", "application/json"), ("X-Release", "99999999999999999999999")], body.clone()).await;
    assert_eq!(stranger.status, 401, "{}", stranger.body);
    let anna = user(&app, "anna@alpha.example.org", "editor", "site:alpha", None);
    let res = app.api(&anna, "PUT", path, Some(json!({ "title": "x" })), &[("X-Release", "99999999999999999999999")]).await;
    assert_eq!(res.status, 400, "{}", res.body);
    let res = app.api(&anna, "PUT", path, Some(json!({ "title": "x" })), &[("X-Release", "12")]).await;
    assert_eq!(res.status, 422, "no such release: {}", res.body);
}

#[actix_web::test]
async fn under_four_eyes_a_release_is_published_by_someone_who_wrote_none_of_it() {
    let app = TestApp::start(&fixture("country")).await;
    let admin = user(&app, "beheer@alpha.example.org", "admin", "site:alpha", None);
    let anna = user(&app, "anna@alpha.example.org", "editor", "site:alpha", None);
    let bob = user(&app, "bob@alpha.example.org", "editor", "site:alpha", None);
    assert_eq!(app.api(&admin, "PUT", "/api/v1/admin/approval/site:alpha", Some(json!({ "required": true })), &[]).await.status, 200);
    let release = app.api(&anna, "POST", "/api/v1/admin/releases", Some(json!({ "scope": "site:alpha", "name": "Langs twee paar ogen" })), &[]).await.json()["id"].as_i64().unwrap();
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort";
    let mut over = app.api(&anna, "GET", path, None, &[]).await.json();
    over["title"] = json!("Paspoort, twee keer bekeken");
    let header = release.to_string();
    assert_eq!(app.api(&anna, "PUT", path, Some(over), &[("X-Release", header.as_str())]).await.status, 202);
    // Anna wrote it: she can neither publish nor schedule it.
    let own = app.api(&anna, "POST", &format!("/api/v1/admin/releases/{release}/publish"), None, &[]).await;
    assert_eq!(own.status, 403, "{}", own.body);
    let at = json!({ "publish_at": in_seconds(3600) });
    assert_eq!(app.api(&anna, "PUT", &format!("/api/v1/admin/releases/{release}/schedule"), Some(at), &[]).await.status, 403);
    assert_ne!(alpha_title(&app).await, "Paspoort, twee keer bekeken");
    // Bob did not: he publishes it.
    let res = app.api(&bob, "POST", &format!("/api/v1/admin/releases/{release}/publish"), None, &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(alpha_title(&app).await, "Paspoort, twee keer bekeken");
}
