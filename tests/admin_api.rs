//! The admin JSON API from outside: who may do what (an authorisation matrix), revisions and
//! conflicts (concurrent saves from one base: exactly one wins), tokens, validation, and that
//! an edit reaches the public pages at once.

mod common;

use std::collections::HashMap;

use common::{Response, TestApp, fixture};
use meent::auth::accounts;
use meent::auth::permissions::{Role, Scope};

struct Users {
    tokens: HashMap<&'static str, String>,
}

async fn app() -> (TestApp, Users) {
    let app = TestApp::start(&fixture("country")).await;
    let mut conn = app.state.pool.get().unwrap();
    let mut tokens = HashMap::new();
    for (name, role, scope) in [
        ("central", Role::Editor, "national"),
        ("regio", Role::Editor, "group:regio"),
        ("alpha", Role::Editor, "site:alpha"),
        ("beta-admin", Role::Admin, "site:beta"),
        ("gamma", Role::Editor, "site:gamma"),
    ] {
        let token = accounts::create_user(&mut conn, &format!("{name}@example.org"), role, &Scope::parse(scope).unwrap(), None, "test", meent::now()).unwrap();
        tokens.insert(name, token);
    }
    (app, Users { tokens })
}

async fn call(app: &TestApp, users: &Users, who: &str, method: &str, path: &str, body: Option<&serde_json::Value>, extra: &[(&str, &str)]) -> Response {
    let auth = format!("Bearer {}", users.tokens.get(who).map(String::as_str).unwrap_or(who));
    let mut headers: Vec<(&str, &str)> = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    headers.extend_from_slice(extra);
    let client = awc::Client::builder().disable_redirects().finish();
    let mut req = client
        .request(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap(), app.server.url(path))
        .insert_header(("Host", "alpha.test"))
        .address(app.server.addr());
    for (k, v) in headers {
        req = req.insert_header((k, v));
    }
    let mut res = match body {
        Some(b) => req.send_body(b.to_string()).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    let bytes = res.body().await.unwrap();
    Response::new(res.status(), res.headers(), &bytes)
}

fn override_body(fee: &str) -> serde_json::Value {
    serde_json::json!({ "variables": { "leges": fee }, "sections": [ { "key": "wat", "mode": "append", "heading": "", "body": "Lokale aanvulling." } ] })
}

fn page_body(path: &str) -> serde_json::Value {
    serde_json::json!({ "path": path, "title": "Nieuwe pagina", "body": "Tekst van de pagina." })
}

#[actix_web::test]
async fn no_token_bad_token_and_revoked_tokens_get_401() {
    let (app, users) = app().await;
    assert_eq!(call(&app, &users, "", "GET", "/api/v1/admin/me", None, &[]).await.status, 401);
    let res = app.get("alpha.test", "/api/v1/admin/me").await;
    assert_eq!(res.status, 401);
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    assert_eq!(call(&app, &users, "not-a-token", "GET", "/api/v1/admin/me", None, &[]).await.status, 401);
    let me = call(&app, &users, "alpha", "GET", "/api/v1/admin/me", None, &[]).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["grants"][0]["scope"], "site:alpha");
    let mut conn = app.state.pool.get().unwrap();
    let hash = meent::auth::secrets::hash_token(&users.tokens["alpha"]);
    assert!(meent::db::models::accounts::revoke_token(&mut conn, &hash, meent::now()).unwrap());
    assert_eq!(call(&app, &users, "alpha", "GET", "/api/v1/admin/me", None, &[]).await.status, 401);
    let gamma = meent::db::models::accounts::user_by_email(&mut conn, "gamma@example.org").unwrap().unwrap();
    meent::db::models::accounts::set_disabled(&mut conn, gamma.id, true).unwrap();
    assert_eq!(call(&app, &users, "gamma", "GET", "/api/v1/admin/me", None, &[]).await.status, 401, "a disabled user's tokens stop working");
}

/// Every route × every actor × own or other scope: allowed, or refused with nothing changed.
#[actix_web::test]
async fn authorisation_matrix() {
    let (app, users) = app().await;
    // Item ids to address.
    let pmd = call(&app, &users, "central", "GET", "/api/v1/admin/sites/alpha/pages", None, &[]).await.json();
    let pmd_id = pmd.as_array().unwrap().iter().find(|p| p["path"] == "afval/pmd").unwrap()["id"].as_i64().unwrap();
    let news = call(&app, &users, "central", "GET", "/api/v1/admin/groups/regio/news", None, &[]).await.json();
    let news_id = news[0]["id"].as_i64().unwrap();
    let product = call(&app, &users, "central", "GET", "/api/v1/admin/catalogue/rijbewijs", None, &[]).await.json();

    // (actor, method, path, body, expected status)
    type Case = (&'static str, &'static str, String, Option<serde_json::Value>, u16);
    let cases: Vec<Case> = vec![
        ("central", "PUT", "/api/v1/admin/catalogue/rijbewijs".into(), Some(product.clone()), 200),
        ("regio", "PUT", "/api/v1/admin/catalogue/rijbewijs".into(), Some(product.clone()), 403),
        ("alpha", "PUT", "/api/v1/admin/catalogue/rijbewijs".into(), Some(product.clone()), 403),
        ("alpha", "GET", "/api/v1/admin/catalogue/geheim-product".into(), None, 404),
        ("central", "GET", "/api/v1/admin/catalogue/geheim-product".into(), None, 200),
        ("alpha", "PUT", "/api/v1/admin/sites/alpha/overrides/afvalcontainer".into(), Some(override_body("€ 1")), 200),
        ("alpha", "PUT", "/api/v1/admin/sites/beta/overrides/afvalcontainer".into(), Some(override_body("€ 2")), 403),
        ("alpha", "PUT", "/api/v1/admin/groups/regio/overrides/afvalcontainer".into(), Some(override_body("€ 3")), 403),
        ("regio", "PUT", "/api/v1/admin/groups/regio/overrides/afvalcontainer".into(), Some(override_body("€ 4")), 200),
        ("regio", "PUT", "/api/v1/admin/sites/beta/overrides/afvalcontainer".into(), Some(override_body("€ 5")), 200),
        ("regio", "PUT", "/api/v1/admin/sites/gamma/overrides/afvalcontainer".into(), Some(override_body("€ 6")), 403),
        ("beta-admin", "GET", "/api/v1/admin/sites/alpha/overrides/paspoort".into(), None, 403),
        ("beta-admin", "DELETE", "/api/v1/admin/sites/alpha/overrides/paspoort".into(), None, 403),
        ("gamma", "GET", "/api/v1/admin/sites/alpha/pages".into(), None, 403),
        ("gamma", "POST", "/api/v1/admin/sites/alpha/pages".into(), Some(page_body("gamma-was-hier")), 403),
        ("gamma", "PUT", format!("/api/v1/admin/sites/alpha/pages/{pmd_id}"), Some(page_body("afval/pmd")), 403),
        ("gamma", "DELETE", format!("/api/v1/admin/sites/alpha/pages/{pmd_id}"), None, 403),
        ("gamma", "GET", format!("/api/v1/admin/sites/alpha/pages/{pmd_id}/revisions"), None, 403),
        ("gamma", "GET", format!("/api/v1/admin/sites/gamma/pages/{pmd_id}"), None, 404),
        ("alpha", "GET", format!("/api/v1/admin/sites/alpha/pages/{pmd_id}"), None, 200),
        ("alpha", "POST", "/api/v1/admin/sites/alpha/pages".into(), Some(page_body("nieuw/hier")), 201),
        ("alpha", "GET", format!("/api/v1/admin/groups/regio/news/{news_id}"), None, 403),
        ("regio", "GET", format!("/api/v1/admin/groups/regio/news/{news_id}"), None, 200),
        ("gamma", "GET", "/api/v1/admin/sites/alpha/redirects".into(), None, 403),
        ("gamma", "PUT", "/api/v1/admin/sites/alpha/redirects".into(), Some(serde_json::json!({"csv": "from,to\n/x,/y\n"})), 403),
        ("alpha", "GET", "/api/v1/admin/sites/alpha/redirects".into(), None, 200),
        ("alpha", "GET", "/api/v1/admin/catalogue/paspoort/revisions".into(), None, 403),
        ("central", "GET", "/api/v1/admin/catalogue/paspoort/revisions".into(), None, 200),
    ];
    for (who, method, path, body, expected) in &cases {
        let before = state_fingerprint(&app);
        // An update names the revision it is based on.
        let current = call(&app, &users, "central", "GET", path, None, &[]).await;
        let if_match = (*method == "PUT" && current.status == 200).then(|| format!("\"{}\"", current.json()["revision"])).unwrap_or_default();
        let extra: Vec<(&str, &str)> = if if_match.is_empty() { vec![] } else { vec![("If-Match", if_match.as_str())] };
        let res = call(&app, &users, who, method, path, body.as_ref(), &extra).await;
        assert_eq!(res.status, *expected, "{who} {method} {path}: {}", res.body);
        if *expected == 403 || *expected == 404 {
            assert_eq!(state_fingerprint(&app), before, "{who} {method} {path} changed something");
        }
    }
    // Refusals are in the audit log.
    let mut conn = app.state.pool.get().unwrap();
    let audit = meent::db::models::accounts::audit_entries(&mut conn, None, 500).unwrap();
    assert!(audit.iter().any(|a| a.actor == "gamma@example.org" && a.result == "forbidden"));
    assert!(audit.iter().all(|a| !a.object.contains(&users.tokens["gamma"])), "no tokens in the audit log");
}

/// Everything that can change, as one string.
fn state_fingerprint(app: &TestApp) -> String {
    let mut conn = app.state.pool.get().unwrap();
    let tree = meent::content::export::snapshot(&mut conn).unwrap();
    format!("{:?}{:?}{:?}{:?}{:?}{:?}", tree.products, tree.overrides, tree.pages, tree.news, tree.alerts, tree.redirects)
}

#[actix_web::test]
async fn concurrent_saves_from_one_base_exactly_one_wins() {
    let (app, users) = app().await;
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort";
    let current = call(&app, &users, "alpha", "GET", path, None, &[]).await;
    let base = current.header("etag").unwrap().to_owned();
    let revision = current.json()["revision"].as_i64().unwrap();
    let app = std::sync::Arc::new(app);
    let users = std::sync::Arc::new(users);
    let mut handles = Vec::new();
    for i in 0..8 {
        let (app, users, base) = (app.clone(), users.clone(), base.clone());
        handles.push(actix_web::rt::spawn(async move {
            let body = override_body(&format!("€ {i},00"));
            let res = call(&app, &users, "alpha", "PUT", path, Some(&body), &[("If-Match", &base)]).await;
            (i, res.status)
        }));
    }
    let mut results = Vec::new();
    for h in handles {
        results.push(h.await.unwrap());
    }
    let winners: Vec<_> = results.iter().filter(|(_, s)| *s == 200).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(results.iter().all(|(_, s)| *s == 200 || *s == 412), "{results:?}");
    let after = call(&app, &users, "alpha", "GET", path, None, &[]).await.json();
    assert_eq!(after["revision"].as_i64().unwrap(), revision + 1);
    assert_eq!(after["variables"]["leges"], format!("€ {},00", winners[0].0), "the winner's save is what is stored");
    let page = app.get("alpha.test", "/producten/paspoort").await.body;
    assert!(page.contains(&format!("€ {},00", winners[0].0)), "and what residents see");
}

#[actix_web::test]
async fn stale_revisions_conflict_and_change_nothing() {
    let (app, users) = app().await;
    let path = "/api/v1/admin/catalogue/paspoort";
    let doc = call(&app, &users, "central", "GET", path, None, &[]).await.json();
    assert_eq!(doc["revision"], 2);
    let mut edited = doc.clone();
    edited["title"] = "Paspoort (nieuw)".into();
    let ok = call(&app, &users, "central", "PUT", path, Some(&edited), &[]).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["revision"], 3);
    // The same base again, by header and by body.
    let mut other = doc.clone();
    other["title"] = "Paspoort (ander)".into();
    let stale = call(&app, &users, "central", "PUT", path, Some(&other), &[("If-Match", "\"2\"")]).await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.json()["current_revision"], 3);
    assert_eq!(call(&app, &users, "central", "PUT", path, Some(&other), &[]).await.status, 412, "the body's revision counts too");
    assert_eq!(call(&app, &users, "central", "GET", path, None, &[]).await.json()["title"], "Paspoort (nieuw)");
    // Restore the old revision: a new revision with the old text.
    let restored = call(&app, &users, "central", "POST", "/api/v1/admin/catalogue/paspoort/revisions/2/restore", None, &[]).await;
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert_eq!(restored.json()["title"], "Paspoort");
    assert_eq!(restored.json()["revision"], 4);
    let history = call(&app, &users, "central", "GET", "/api/v1/admin/catalogue/paspoort/revisions", None, &[]).await.json();
    let revisions: Vec<i64> = history.as_array().unwrap().iter().map(|h| h["revision"].as_i64().unwrap()).collect();
    assert_eq!(revisions, [4, 3, 2]);
    assert_eq!(history[0]["author"], "central@example.org");
}

#[actix_web::test]
async fn invalid_documents_are_refused_with_problems() {
    let (app, users) = app().await;
    let bad = serde_json::json!({ "apply_url": "javascript:alert(1)", "sections": [ { "key": "Wat Is", "mode": "append", "body": "" } ] });
    let res = call(&app, &users, "alpha", "PUT", "/api/v1/admin/sites/alpha/overrides/paspoort", Some(&bad), &[]).await;
    assert_eq!(res.status, 422);
    let problems = res.json()["problems"].as_array().unwrap().len();
    assert!(problems >= 3, "{}", res.body);
    let res = call(&app, &users, "alpha", "POST", "/api/v1/admin/sites/alpha/pages", Some(&serde_json::json!({"path": "producten", "title": ""})), &[]).await;
    assert_eq!(res.status, 422);
    let res = call(&app, &users, "alpha", "POST", "/api/v1/admin/sites/alpha/pages", Some(&serde_json::json!({"path": "afval/pmd", "title": "Dubbel"})), &[]).await;
    assert_eq!(res.status, 422, "a path already used");
    assert_eq!(call(&app, &users, "alpha", "PUT", "/api/v1/admin/sites/alpha/overrides/paspoort", None, &[]).await.status, 422);
}

/// The admin API and content files are one format checked by one validator: the same
/// document gets the same problems, here as JSON pointers, in a file at their lines.
#[actix_web::test]
async fn the_api_and_files_report_the_same_problems() {
    let (app, users) = app().await;
    let page = serde_json::json!({ "path": "info", "title": " ", "publish_at": "morgen", "review_date": "2027-02-30", "body": "Tekst." });
    let res = call(&app, &users, "alpha", "POST", "/api/v1/admin/sites/alpha/pages", Some(&page), &[]).await;
    assert_eq!(res.status, 422, "{}", res.body);
    let fields: Vec<(String, String)> = res.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["pointer"].as_str().unwrap().to_owned(), f["message"].as_str().unwrap().to_owned()))
        .collect();
    let pointers: Vec<&str> = fields.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(pointers, ["/title", "/publish_at", "/review_date"], "{}", res.body);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sites/alpha/pages/info.md");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "+++\ntitle = \" \"\npublish_at = \"morgen\"\nreview_date = \"2027-02-30\"\n+++\nTekst.\n").unwrap();
    let problems = meent::content::files::read_tree(dir.path()).unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for ((pointer, message), line) in fields.iter().zip([2, 3, 4]) {
        let expected = format!("sites/alpha/pages/info.md:{line}: {}: {message}", pointer.trim_start_matches('/'));
        assert!(text.contains(&expected), "{expected:?} not in {text:?}");
    }
}

#[actix_web::test]
async fn edits_reach_pages_and_search_at_once() {
    let (app, users) = app().await;
    let created = call(&app, &users, "alpha", "POST", "/api/v1/admin/sites/alpha/news", Some(&serde_json::json!({
        "slug": "vers", "date": "2026-11-01", "title": "KERSVERS bericht", "body": "Inhoud."
    })), &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    assert!(app.get("alpha.test", "/nieuws").await.body.contains("KERSVERS"));
    assert_eq!(app.get("alpha.test", "/api/v1/search?q=kersvers").await.json()["total"], 1);
    assert!(!app.get("beta.test", "/nieuws").await.body.contains("KERSVERS"));
    // Make it a draft: gone everywhere.
    let mut doc = created.json();
    doc["status"] = "draft".into();
    assert_eq!(call(&app, &users, "alpha", "PUT", &format!("/api/v1/admin/sites/alpha/news/{id}"), Some(&doc), &[]).await.status, 200);
    assert!(!app.get("alpha.test", "/nieuws").await.body.contains("KERSVERS"));
    assert_eq!(app.get("alpha.test", "/api/v1/search?q=kersvers").await.json()["total"], 0);
    let delete = call(&app, &users, "alpha", "DELETE", &format!("/api/v1/admin/sites/alpha/news/{id}"), None, &[("If-Match", "\"2\"")]).await;
    assert_eq!(delete.status, 204);
    assert_eq!(call(&app, &users, "alpha", "GET", &format!("/api/v1/admin/sites/alpha/news/{id}"), None, &[]).await.status, 404);
    // Opting out with an override.
    let out = call(&app, &users, "alpha", "PUT", "/api/v1/admin/sites/alpha/overrides/parkeervergunning", Some(&serde_json::json!({"enabled": false})), &[]).await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(app.get("alpha.test", "/producten/parkeervergunning").await.status, 404);
    assert_eq!(app.get("beta.test", "/producten/parkeervergunning").await.status, 200);
}

#[actix_web::test]
async fn admins_manage_accounts_and_read_the_audit_log_of_their_scope_only() {
    let (app, users) = app().await;
    // Something in alpha's and beta's audit logs.
    call(&app, &users, "alpha", "PUT", "/api/v1/admin/sites/alpha/overrides/paspoort", Some(&override_body("€ 1,00")), &[]).await;
    assert_eq!(call(&app, &users, "alpha", "GET", "/api/v1/admin/audit", None, &[]).await.status, 403, "editors are not admins");
    assert_eq!(call(&app, &users, "alpha", "GET", "/api/v1/admin/users", None, &[]).await.status, 403);
    let audit = call(&app, &users, "beta-admin", "GET", "/api/v1/admin/audit", None, &[]).await;
    assert_eq!(audit.status, 200);
    assert!(audit.json().as_array().unwrap().iter().all(|e| e["scope"] == "site:beta"), "{}", audit.body);
    let list = call(&app, &users, "beta-admin", "GET", "/api/v1/admin/users", None, &[]).await.json();
    let emails: Vec<&str> = list.as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["beta-admin@example.org"]);
    let new = serde_json::json!({"email": "nieuw@example.org", "role": "editor", "scope": "site:beta"});
    let created = call(&app, &users, "beta-admin", "POST", "/api/v1/admin/users", Some(&new), &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.json()["token"].as_str().unwrap().to_owned();
    let elsewhere = serde_json::json!({"email": "indringer@example.org", "role": "admin", "scope": "site:alpha"});
    assert_eq!(call(&app, &users, "beta-admin", "POST", "/api/v1/admin/users", Some(&elsewhere), &[]).await.status, 403);
    let mut with_new = Users { tokens: users.tokens.clone() };
    with_new.tokens.insert("nieuw", token);
    assert_eq!(call(&app, &with_new, "nieuw", "GET", "/api/v1/admin/sites/beta/pages", None, &[]).await.status, 200);
    let id = call(&app, &users, "beta-admin", "GET", "/api/v1/admin/users", None, &[]).await.json().as_array().unwrap().iter().find(|u| u["email"] == "nieuw@example.org").unwrap()["id"].as_i64().unwrap();
    let alpha_id = call(&app, &users, "central", "GET", "/api/v1/admin/me", None, &[]).await.json()["user_id"].as_i64().unwrap();
    assert_eq!(call(&app, &users, "beta-admin", "POST", &format!("/api/v1/admin/users/{alpha_id}/disable"), None, &[]).await.status, 404, "not one of theirs");
    assert_eq!(call(&app, &users, "beta-admin", "POST", &format!("/api/v1/admin/users/{id}/disable"), None, &[]).await.status, 204);
    assert_eq!(call(&app, &with_new, "nieuw", "GET", "/api/v1/admin/sites/beta/pages", None, &[]).await.status, 401);
}

#[actix_web::test]
async fn translations_are_edited_beside_their_dutch_items() {
    let (app, users) = app().await;
    let product = "/api/v1/admin/catalogue/paspoort/translations/en";
    let english = serde_json::json!({ "title": "Passport", "summary": "Apply for a passport.", "sections": [{ "key": "wat", "heading": "What is it?", "body": "A travel document." }] });
    // Only the central team writes the central English text.
    assert_eq!(call(&app, &users, "alpha", "PUT", product, Some(&english), &[]).await.status, 403);
    assert_eq!(call(&app, &users, "central", "GET", product, None, &[]).await.status, 404, "no English text yet");

    // An English override under a product without English text is refused.
    let over = "/api/v1/admin/sites/alpha/overrides/paspoort/translations/en";
    let res = call(&app, &users, "alpha", "PUT", over, Some(&serde_json::json!({ "title": "Passport in Alpha" })), &[]).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("has no en text yet"), "{}", res.body);

    let res = call(&app, &users, "central", "PUT", product, Some(&english), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let saved = res.json();
    assert_eq!((saved["lang"].as_str(), saved["revision"].as_i64()), (Some("en"), Some(1)));
    let dutch = call(&app, &users, "central", "GET", "/api/v1/admin/catalogue/paspoort", None, &[]).await.json();
    assert_eq!(saved["based_on_nl"], dutch["revision"], "left out: it translates the current Dutch text");
    // Every text item says its language; the Dutch item may be sent back as read, but not as
    // another language's text.
    assert_eq!(dutch["lang"], "nl");
    let mut as_english = dutch.clone();
    as_english["lang"] = "en".into();
    let res = call(&app, &users, "central", "PUT", "/api/v1/admin/catalogue/paspoort", Some(&as_english), &[]).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("translations/en"), "{}", res.body);
    let res = call(&app, &users, "central", "PUT", "/api/v1/admin/catalogue/paspoort", Some(&dutch), &[]).await;
    assert_eq!((res.status, res.json()["lang"].as_str()), (200, Some("nl")), "{}", res.body);

    // A section the Dutch text does not have is refused, with its pointer.
    let bad = serde_json::json!({ "title": "Passport", "sections": [{ "key": "nergens", "heading": "Nowhere", "body": "x" }] });
    let res = call(&app, &users, "central", "PUT", product, Some(&bad), &[("If-Match", "\"1\"")]).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.json()["fields"][0]["pointer"], "/sections/nergens");
    // A stale base changes nothing.
    let res = call(&app, &users, "central", "PUT", product, Some(&english), &[("If-Match", "\"7\"")]).await;
    assert_eq!(res.status, 412, "{}", res.body);

    // Now the site may translate its override: texts only, modes of the Dutch override.
    let res = call(&app, &users, "alpha", "PUT", over, Some(&serde_json::json!({ "title": "Passport in Alpha", "sections": [{ "key": "wat", "mode": "append", "body": "Local." }] })), &[]).await;
    assert_eq!(res.status, 422, "the Dutch override has no such section yet: {}", res.body);
    let res = call(&app, &users, "alpha", "PUT", over, Some(&serde_json::json!({ "title": "Passport in Alpha" })), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["based_on"], 1, "written against the central English text's revision");
    assert_eq!(call(&app, &users, "beta-admin", "GET", over, None, &[]).await.status, 403, "another site's editor");

    // Pages: a translation beside the page.
    let page = call(&app, &users, "alpha", "POST", "/api/v1/admin/sites/alpha/pages", Some(&page_body("taal/test")), &[]).await.json();
    let path = format!("/api/v1/admin/sites/alpha/pages/{}/translations/en", page["id"]);
    let res = call(&app, &users, "alpha", "PUT", &path, Some(&serde_json::json!({ "title": "New page", "body": "Text of the page." })), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(call(&app, &users, "alpha", "GET", &path, None, &[]).await.json()["title"], "New page");
    assert_eq!(call(&app, &users, "alpha", "GET", &path.replace("/en", "/nl"), None, &[]).await.status, 404, "Dutch is the page itself");

    // Removing a translation leaves the Dutch item; removing the Dutch item takes its translation.
    assert_eq!(call(&app, &users, "alpha", "DELETE", over, None, &[("If-Match", "\"1\"")]).await.status, 204);
    assert_eq!(call(&app, &users, "alpha", "GET", over, None, &[]).await.status, 404);
    assert_eq!(call(&app, &users, "alpha", "GET", "/api/v1/admin/sites/alpha/overrides/paspoort", None, &[]).await.status, 200);
    let page_url = format!("/api/v1/admin/sites/alpha/pages/{}", page["id"]);
    assert_eq!(call(&app, &users, "alpha", "DELETE", &page_url, None, &[]).await.status, 204);
    let mut conn = app.state.pool.get().unwrap();
    let left = meent::db::models::translations::revision(&mut conn, meent::db::models::translations::Of::Page(page["id"].as_i64().unwrap()), meent::content::model::Lang::En).unwrap();
    assert_eq!(left, None, "the page's translation went with it");
}
