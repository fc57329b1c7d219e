//! What the law asks of every site (issue "SDG pages, feedback, statistics, accessibility
//! statement"), over HTTP against the real app: the accessibility statement in both languages,
//! the SDG details on a product's page and the SDG report per site, residents' feedback (the
//! form, the spam defences, what editors read) and page views (bots not counted, cached pages
//! counted, per device and, with a GeoIP database built here, per country).

mod common;

use common::{TestApp, fixture, user};

const ALPHA: &str = "alpha.test";

/// The value of a hidden form field in `html`.
fn field(html: &str, name: &str) -> String {
    common::browser::hidden(html, name)
}

fn form_body(fields: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish().into_bytes()
}

async fn post_feedback(app: &TestApp, host: &str, fields: &[(&str, &str)]) -> common::Response {
    app.send("POST", host, "/feedback", &[("Content-Type", "application/x-www-form-urlencoded")], Some(form_body(fields))).await
}

fn feedback_rows(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    let mut conn = app.state.pool.get().unwrap();
    meent::db::schema::feedback::table.count().get_result(&mut conn).unwrap()
}

#[actix_web::test]
async fn the_accessibility_statement_follows_the_national_model_in_both_languages() {
    let app = TestApp::start(&fixture("country")).await;
    let nl = app.get(ALPHA, "/toegankelijkheid").await;
    assert_eq!(nl.status, 200);
    for part in ["<h1>Toegankelijkheidsverklaring</h1>", "B – voldoet gedeeltelijk", "15 juni 2026", "https://alpha.example.org/onderzoek-2026.pdf", "Opgelost vóór 1 februari 2027", "Nationale ombudsman", "1 september 2026"] {
        assert!(nl.body.contains(part), "{part}: {}", nl.body);
    }
    assert!(nl.body.contains("hreflang=\"en\" href=\"http://alpha.test/en/accessibility\"") || nl.body.contains("/en/accessibility"), "linked to English");
    let en = app.get(ALPHA, "/en/accessibility").await;
    assert_eq!(en.status, 200);
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("B – partially compliant") && en.body.contains("The floor plan of the town hall has no text description."), "{}", en.body);
    assert!(en.body.contains("<li lang=\"nl\">Twee oude pdf-bestanden zijn niet toegankelijk."), "a problem without English is marked Dutch: {}", en.body);
    // Every page links the statement.
    assert!(app.get(ALPHA, "/producten/paspoort").await.body.contains("href=\"/toegankelijkheid\""));
    assert!(app.get(ALPHA, "/en/").await.body.contains("href=\"/en/accessibility\""));
    // A site without a statement says so instead of leaving the link without a page.
    let none = app.get("beta.test", "/toegankelijkheid").await;
    assert_eq!(none.status, 200);
    assert!(none.body.contains("E – geen verklaring"), "{}", none.body);
    // The sitemap lists both.
    let sitemap = app.get(ALPHA, "/sitemap.xml").await.body;
    assert!(sitemap.contains("http://alpha.test/toegankelijkheid") && sitemap.contains("http://alpha.test/en/accessibility"), "{sitemap}");
}

#[actix_web::test]
async fn the_dashboard_warns_about_old_and_missing_statements() {
    let app = TestApp::start(&fixture("country")).await;
    let mut beta = common::browser::Browser::new(&app);
    user(&app, "beta@example.org", "editor", "site:beta", Some("een heel lang wachtwoord"));
    beta.login("beta@example.org", "een heel lang wachtwoord").await;
    let board = beta.get("/admin").await.body;
    assert!(board.contains("heeft nog geen toegankelijkheidsverklaring"), "{board}");
}

#[actix_web::test]
async fn the_catalogue_editor_names_the_missing_procedure_elements() {
    let app = TestApp::start(&fixture("country")).await;
    let mut central = common::browser::Browser::new(&app);
    user(&app, "central@example.org", "editor", "national", Some("een heel lang wachtwoord"));
    central.login("central@example.org", "een heel lang wachtwoord").await;
    let form = central.get("/admin/catalogus/paspoort").await.body;
    assert!(form.contains("Dit is een SDG-product") && form.contains("Aanvragen (stappen), Voorwaarden, Geen reactie van de gemeente, Bezwaar en beroep"), "{form}");
    let plain = central.get("/admin/catalogus/rijbewijs").await.body;
    assert!(!plain.contains("Dit is een SDG-product"));
    let overview = central.get("/admin/sdg?sorteer=onvolledig").await;
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("aria-sort=\"descending\"") && overview.body.contains("Gemeente Alpha"), "{}", overview.body);
}

#[actix_web::test]
async fn sdg_products_show_who_is_responsible_when_they_changed_and_their_legal_basis() {
    let app = TestApp::start(&fixture("country")).await;
    let page = app.get(ALPHA, "/producten/paspoort").await.body;
    assert!(page.contains("Over deze informatie") && page.contains("<dd>Gemeente Alpha</dd>"), "{page}");
    assert!(page.contains("Artikel 26 Paspoortwet") && page.contains("https://wetten.overheid.nl/"), "the legal basis from the UPL list: {page}");
    assert!(page.contains("<time datetime=\""), "the date the text last changed");
    // A product without an SDG code has none of it.
    let plain = app.get(ALPHA, "/producten/rijbewijs").await.body;
    assert!(!plain.contains("Over deze informatie"), "{plain}");
}

#[actix_web::test]
async fn the_sdg_report_lists_missing_elements_and_english_per_site() {
    let app = TestApp::start(&fixture("country")).await;
    let central = user(&app, "central@example.org", "editor", "national", None);
    let res = app.api(&central, "GET", "/api/v1/admin/sdg?sort=incomplete", None, &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let sites = res.json();
    let alpha = sites.as_array().unwrap().iter().find(|s| s["site"] == "alpha").unwrap().clone();
    assert_eq!(alpha["products"], 1, "{alpha}");
    let gap = &alpha["gaps"][0];
    assert_eq!(gap["slug"], "paspoort");
    let missing: Vec<&str> = gap["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    // Alpha hides the central `termijn`: on its site that element is missing too.
    assert_eq!(missing, ["aanvragen", "voorwaarden", "termijn", "geen-reactie", "bezwaar"], "{gap}");
    assert_eq!(gap["english"], "missing");
    assert_eq!(app.api(&central, "GET", "/api/v1/admin/sdg?sort=nonsense", None, &[]).await.status, 400);

    // An English central text makes the product English on the sites without local Dutch
    // changes; when the Dutch text then moves, the English is behind.
    let english = serde_json::json!({ "title": "Passport", "summary": "Apply for a passport.", "sections": [] });
    let res = app.api(&central, "PUT", "/api/v1/admin/catalogue/paspoort/translations/en", Some(english), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    app.catch_up();
    let gamma = app.api(&central, "GET", "/api/v1/admin/sites/gamma/sdg", None, &[]).await.json();
    assert_eq!((gamma["no_english"].as_i64(), gamma["english_behind"].as_i64()), (Some(0), Some(0)), "{gamma}");

    // Writing the missing elements centrally completes the product on every site.
    let mut doc = app.api(&central, "GET", "/api/v1/admin/catalogue/paspoort", None, &[]).await.json();
    let sections = doc["sections"].as_array_mut().unwrap();
    for (key, heading) in [("aanvragen", "Aanvragen"), ("voorwaarden", "Voorwaarden"), ("geen-reactie", "Geen reactie?"), ("bezwaar", "Bezwaar maken")] {
        sections.push(serde_json::json!({ "key": key, "heading": heading, "body": format!("Tekst over {heading}.") }));
    }
    let revision = doc["revision"].to_string();
    let saved = app.api(&central, "PUT", "/api/v1/admin/catalogue/paspoort", Some(doc), &[("If-Match", &revision)]).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    app.catch_up();
    let site = app.api(&central, "GET", "/api/v1/admin/sites/alpha/sdg", None, &[]).await.json();
    assert_eq!(site["gaps"][0]["missing"], serde_json::json!(["termijn"]), "only what Alpha hides: {site}");
    let gamma = app.api(&central, "GET", "/api/v1/admin/sites/gamma/sdg", None, &[]).await.json();
    assert_eq!(gamma["incomplete"], 0, "{gamma}");
    assert_eq!((gamma["no_english"].as_i64(), gamma["english_behind"].as_i64()), (Some(0), Some(1)), "{gamma}");
    assert_eq!(gamma["gaps"][0]["english"], "behind", "{gamma}");
    // The central team sorts the country by it: the sites with English behind first.
    let sorted = app.api(&central, "GET", "/api/v1/admin/sdg?sort=english_behind", None, &[]).await.json();
    let behind: Vec<i64> = sorted.as_array().unwrap().iter().map(|s| s["english_behind"].as_i64().unwrap()).collect();
    assert!(behind.windows(2).all(|w| w[0] >= w[1]) && behind[0] > 0, "{sorted}");

    // A site's editor reads their own site only.
    let beta = user(&app, "beta@example.org", "editor", "site:beta", None);
    assert_eq!(app.api(&beta, "GET", "/api/v1/admin/sites/alpha/sdg", None, &[]).await.status, 403);
    let own = app.api(&beta, "GET", "/api/v1/admin/sdg", None, &[]).await.json();
    assert_eq!(own.as_array().unwrap().len(), 1, "{own}");
}

#[actix_web::test]
async fn feedback_is_taken_without_cookies_and_refused_when_forged() {
    let app = TestApp::start(&fixture("country")).await;
    let page = app.get(ALPHA, "/producten/paspoort").await;
    assert!(page.header("set-cookie").is_none(), "no cookie");
    let token = field(&page.body, "token");
    let url = field(&page.body, "url");
    assert_eq!(url, "/producten/paspoort");

    let thanks = post_feedback(&app, ALPHA, &[("url", &url), ("token", &token), ("nuttig", "nee"), ("opmerking", "Ik mis de kosten voor kinderen.")]).await;
    assert_eq!(thanks.status, 200, "{}", thanks.body);
    assert!(thanks.body.contains("Bedankt voor uw reactie") && thanks.body.contains("href=\"/producten/paspoort\""), "{}", thanks.body);
    assert!(thanks.header("set-cookie").is_none());
    assert_eq!(feedback_rows(&app), 1);

    // Refused, and nothing stored: no choice, a comment too long, a robot's field, a forged or
    // another page's or another site's token, a page that does not exist.
    let long = "x".repeat(1001);
    let cases: Vec<(Vec<(&str, &str)>, &str, u16)> = vec![
        (vec![("url", &url), ("token", &token)], ALPHA, 422),
        (vec![("url", &url), ("token", &token), ("nuttig", "nee"), ("opmerking", &long)], ALPHA, 422),
        (vec![("url", &url), ("token", &token), ("nuttig", "ja"), ("website", "http://spam.example")], ALPHA, 400),
        (vec![("url", &url), ("token", "20000.00"), ("nuttig", "ja")], ALPHA, 400),
        (vec![("url", "/producten/rijbewijs"), ("token", &token), ("nuttig", "ja")], ALPHA, 400),
        (vec![("url", &url), ("token", &token), ("nuttig", "ja")], "beta.test", 400),
        (vec![("url", "/bestaat-niet"), ("token", &token), ("nuttig", "ja")], ALPHA, 400),
    ];
    for (fields, host, status) in &cases {
        let res = post_feedback(&app, host, fields).await;
        assert_eq!(res.status, *status, "{fields:?} on {host}: {}", res.body);
    }
    assert_eq!(feedback_rows(&app), 1, "nothing refused was stored");
    let too_big = app.send("POST", ALPHA, "/feedback", &[("Content-Type", "application/x-www-form-urlencoded")], Some(vec![b'a'; 64 * 1024])).await;
    assert_eq!(too_big.status, 413);

    // English pages ask in English and thank in English.
    let central = user(&app, "central@example.org", "editor", "national", None);
    let text = serde_json::json!({ "title": "Passport", "summary": "A passport in {{ gemeente }}.", "sections": [{ "key": "wat", "heading": "What is it?", "body": "A travel document." }] });
    assert_eq!(app.api(&central, "PUT", "/api/v1/admin/catalogue/paspoort/translations/en", Some(text), &[]).await.status, 200);
    app.catch_up();
    let english = app.get(ALPHA, "/en/products/paspoort").await.body;
    assert!(english.contains("Was this information useful?"), "{english}");
    let res = post_feedback(&app, ALPHA, &[("url", &field(&english, "url")), ("token", &field(&english, "token")), ("nuttig", "ja")]).await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Thank you for your feedback") && res.body.contains("<html lang=\"en\">"), "{}", res.body);

    // Local pages and news items ask too.
    let local = app.get(ALPHA, "/afval").await;
    assert_eq!(local.status, 200);
    assert!(local.body.contains("Was deze informatie nuttig?"));
    let news = app.get(ALPHA, "/nieuws/nieuw").await;
    assert_eq!(news.status, 200);
    assert_eq!(field(&news.body, "url"), "/nieuws/nieuw");
    let res = post_feedback(&app, ALPHA, &[("url", "/nieuws/nieuw"), ("token", &field(&news.body, "token")), ("nuttig", "ja")]).await;
    assert_eq!(res.status, 200, "{}", res.body);

    // Editors read counts per page and comments, newest first, filtered.
    let editor = user(&app, "alpha@example.org", "editor", "site:alpha", None);
    let report = app.api(&editor, "GET", "/api/v1/admin/sites/alpha/feedback", None, &[]).await.json();
    assert_eq!(report["pages"][0]["url"], "/producten/paspoort");
    assert_eq!((report["pages"][0]["nee"].as_i64(), report["pages"][0]["ja"].as_i64()), (Some(1), Some(0)));
    let urls: Vec<&str> = report["answers"].as_array().unwrap().iter().map(|a| a["url"].as_str().unwrap()).collect();
    assert_eq!(urls, ["/nieuws/nieuw", "/en/products/paspoort", "/producten/paspoort"], "newest first");
    assert_eq!(report["answers"][2]["opmerking"], "Ik mis de kosten voor kinderen.");
    let only_no = app.api(&editor, "GET", "/api/v1/admin/sites/alpha/feedback?nuttig=nee", None, &[]).await.json();
    assert_eq!(only_no["answers"].as_array().unwrap().len(), 1);
    let news_only = app.api(&editor, "GET", "/api/v1/admin/sites/alpha/feedback?url=/nieuws/nieuw", None, &[]).await.json();
    let urls: Vec<&str> = news_only["answers"].as_array().unwrap().iter().map(|a| a["url"].as_str().unwrap()).collect();
    assert_eq!(urls, ["/nieuws/nieuw"], "{news_only}");
    assert_eq!(app.api(&editor, "GET", "/api/v1/admin/sites/alpha/feedback?month=2026-13", None, &[]).await.status, 422);
    let beta = user(&app, "beta@example.org", "editor", "site:beta", None);
    assert_eq!(app.api(&beta, "GET", "/api/v1/admin/sites/alpha/feedback", None, &[]).await.status, 403);
    // The dashboard shows the page with the most "nee" this month.
    let mut b = common::browser::Browser::new(&app);
    user(&app, "alpha2@example.org", "editor", "site:alpha", Some("een heel lang wachtwoord"));
    b.login("alpha2@example.org", "een heel lang wachtwoord").await;
    let board = b.get("/admin").await.body;
    assert!(board.contains("/producten/paspoort</a>: 1 keer nee"), "{board}");
    let admin_page = b.get("/admin/sites/alpha/reacties?nuttig=nee").await;
    assert_eq!(admin_page.status, 200);
    assert!(admin_page.body.contains("Ik mis de kosten voor kinderen."), "{}", admin_page.body);
}

#[actix_web::test]
async fn nodes_starting_together_sign_with_one_key() {
    // Every node makes the feedback key when it finds none; one that read "none" just before
    // another wrote its key must take that key, not replace it (the first node would go on
    // signing forms no other node accepts).
    let app = TestApp::start(&fixture("country")).await;
    let mut conn = app.state.pool.get().unwrap();
    let first = "11".repeat(32);
    let kept = meent::db::models::settings::keep_first_key(&mut conn, "race", &first, 1).unwrap();
    assert_eq!(kept, [0x11; 32]);
    let later = meent::db::models::settings::keep_first_key(&mut conn, "race", &"22".repeat(32), 2).unwrap();
    assert_eq!(later, [0x11; 32], "the second node takes the first key");
    assert_eq!(meent::db::models::settings::secret_key(&mut conn, "race", 3).unwrap(), [0x11; 32]);
    assert_eq!(meent::db::models::settings::secret_key(&mut conn, "feedback", 3).unwrap(), app.state.feedback_key, "the app signs with the stored key");
}

#[actix_web::test]
async fn feedback_is_rate_limited_per_client() {
    let app = TestApp::start_with(&fixture("country"), |c| {
        c.rate_limits.enabled = true;
        c.rate_limits.feedback = "2/min".parse().unwrap();
    })
    .await;
    let page = app.get(ALPHA, "/producten/paspoort").await.body;
    let (url, token) = (field(&page, "url"), field(&page, "token"));
    let fields = [("url", url.as_str()), ("token", token.as_str()), ("nuttig", "ja")];
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(post_feedback(&app, ALPHA, &fields).await.status);
    }
    assert!(statuses.starts_with(&[200, 200]) && statuses.contains(&429), "{statuses:?}");
    assert_eq!(feedback_rows(&app), 2);
}

const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const ROBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

#[actix_web::test]
async fn page_views_are_counted_per_device_and_country_without_bots() {
    let dir = tempfile::tempdir().unwrap();
    let geoip = dir.path().join("countries.mmdb");
    std::fs::write(&geoip, common::mmdb::countries(&[([81, 2, 69, 0], 24, "NL"), ([2, 16, 0, 0], 13, "DE")])).unwrap();
    let app = TestApp::start_with(&fixture("country"), |c| {
        c.geoip_db = Some(geoip.clone());
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let view = |agent: &'static str, from: &'static str| {
        let app = &app;
        async move { app.request("GET", ALPHA, "/producten/paspoort", &[("User-Agent", agent), ("X-Forwarded-For", from)]).await.status }
    };
    // The first view builds the page, the others come from the page cache: all count.
    for _ in 0..3 {
        assert_eq!(view(PHONE, "81.2.69.160").await, 200);
    }
    assert_eq!(view(DESKTOP, "2.16.1.1").await, 200);
    assert_eq!(view(DESKTOP, "192.0.2.1").await, 200);
    assert_eq!(view(ROBOT, "81.2.69.160").await, 200);
    assert_eq!(app.request("GET", ALPHA, "/producten/paspoort", &[]).await.status, 200, "no User-Agent: not a browser");
    let editor = user(&app, "alpha@example.org", "editor", "site:alpha", None);
    let month = meent::statistics::month_of(meent::now());
    let rows = app.api(&editor, "GET", &format!("/api/v1/admin/sites/alpha/statistics?month={month}"), None, &[]).await.json();
    let rows = rows.as_array().unwrap();
    let views = |device: &str, country: &str| rows.iter().find(|r| r["device"] == device && r["country"] == country).map(|r| r["views"].as_i64().unwrap());
    assert_eq!(views("mobile", "NL"), Some(3), "{rows:?}");
    assert_eq!(views("desktop", "DE"), Some(1), "{rows:?}");
    assert_eq!(views("desktop", ""), Some(1), "an address the database does not know: {rows:?}");
    assert_eq!(rows.iter().map(|r| r["views"].as_i64().unwrap()).sum::<i64>(), 5, "robots are not counted: {rows:?}");
    assert!(rows.iter().all(|r| r["url"] == "http://alpha.test/producten/paspoort" && r["month"] == month.as_str()), "{rows:?}");
    // CSV in the same shape.
    let csv = app.api(&editor, "GET", "/api/v1/admin/sites/alpha/statistics", None, &[("Accept", "text/csv")]).await;
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("url,month,device,country,views\r\n") && csv.body.contains(&format!("http://alpha.test/producten/paspoort,{month},mobile,NL,3")), "{}", csv.body);
    // Nothing about the visitors themselves is stored.
    let mut conn = app.state.pool.get().unwrap();
    use diesel::prelude::*;
    let stored: Vec<(String, String, String)> = meent::db::schema::page_views::table
        .select((meent::db::schema::page_views::path, meent::db::schema::page_views::device, meent::db::schema::page_views::country))
        .load(&mut conn)
        .unwrap();
    assert!(stored.iter().all(|(p, _, _)| !p.contains("81.2") && !p.contains('?')), "{stored:?}");
    assert_eq!(app.api(&editor, "GET", "/api/v1/admin/sites/alpha/statistics?month=2026-1", None, &[]).await.status, 422);
    let beta = user(&app, "beta@example.org", "editor", "site:beta", None);
    assert_eq!(app.api(&beta, "GET", "/api/v1/admin/sites/alpha/statistics", None, &[]).await.status, 403);
}

#[actix_web::test]
async fn statistics_can_be_turned_off() {
    let app = TestApp::start_with(&fixture("country"), |c| c.statistics = false).await;
    assert_eq!(app.request("GET", ALPHA, "/producten/paspoort", &[("User-Agent", PHONE)]).await.status, 200);
    let editor = user(&app, "alpha@example.org", "editor", "site:alpha", None);
    let rows = app.api(&editor, "GET", "/api/v1/admin/sites/alpha/statistics", None, &[]).await.json();
    assert_eq!(rows.as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn values_that_would_read_badly_are_refused_on_save() {
    let app = TestApp::start(&fixture("country")).await;
    let central = user(&app, "central@example.org", "editor", "national", None);
    let mut doc = app.api(&central, "GET", "/api/v1/admin/catalogue/paspoort", None, &[]).await.json();
    doc["variables"]["spoed"] = serde_json::json!({ "label": "Extra kosten spoed", "kind": "amount" });
    doc["variables"]["formulier"] = serde_json::json!({ "label": "Formulier", "kind": "url", "default": "https://www.example.org/formulier" });
    doc["sections"].as_array_mut().unwrap().push(serde_json::json!({ "key": "spoed", "heading": "Spoed", "body": "Spoed kost {{ var.spoed }} extra.\n\n[Formulier]({{ var.formulier }})" }));
    let revision = doc["revision"].to_string();
    let refused = app.api(&central, "PUT", "/api/v1/admin/catalogue/paspoort", Some(doc.clone()), &[("If-Match", &revision)]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("placeholder address"), "{}", refused.body);
    doc["variables"]["formulier"] = serde_json::json!({ "label": "Formulier", "kind": "url" });
    assert_eq!(app.api(&central, "PUT", "/api/v1/admin/catalogue/paspoort", Some(doc), &[("If-Match", &revision)]).await.status, 200);
    app.catch_up();
    // Without values the sentences give way to whole standard sentences.
    let page = app.get("beta.test", "/producten/paspoort").await.body;
    assert!(page.contains("Vraag de gemeente wat dit kost.") && page.contains("Vraag de gemeente hoe u dit regelt."), "{page}");
    assert!(!page.contains("example.org/formulier") && !page.contains("kost  extra"), "{page}");
    // A site's value that doubles a word of the sentence is refused, with the sentence.
    let alpha = user(&app, "alpha@example.org", "editor", "site:alpha", None);
    let mut over = app.api(&alpha, "GET", "/api/v1/admin/sites/alpha/overrides/paspoort", None, &[]).await.json();
    over["variables"]["spoed"] = "€ 20 extra".into();
    let rev = over["revision"].to_string();
    let res = app.api(&alpha, "PUT", "/api/v1/admin/sites/alpha/overrides/paspoort", Some(over.clone()), &[("If-Match", &rev)]).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("Spoed kost € 20 extra extra."), "{}", res.body);
    over["variables"]["spoed"] = "€ 20".into();
    assert_eq!(app.api(&alpha, "PUT", "/api/v1/admin/sites/alpha/overrides/paspoort", Some(over), &[("If-Match", &rev)]).await.status, 200);
    app.catch_up();
    assert!(app.get(ALPHA, "/producten/paspoort").await.body.contains("Spoed kost € 20 extra."));
}

#[actix_web::test]
async fn the_dashboard_lists_missing_values_most_viewed_first() {
    let app = TestApp::start(&fixture("country")).await;
    let central = user(&app, "central@example.org", "editor", "national", None);
    // Two products get a fee without a value; one also names the site's waste point.
    for (slug, text) in [("paspoort", "Spoed kost {{ var.spoedtarief }}."), ("rijbewijs", "Spoed kost {{ var.spoedtarief }}. Lever het oude in bij {{ site.waste_point }}.")] {
        let path = format!("/api/v1/admin/catalogue/{slug}");
        let mut doc = app.api(&central, "GET", &path, None, &[]).await.json();
        doc["variables"]["spoedtarief"] = serde_json::json!({ "label": "Spoedtarief", "kind": "amount" });
        doc["sections"].as_array_mut().unwrap().push(serde_json::json!({ "key": "spoed", "heading": "Spoed", "body": text }));
        let revision = doc["revision"].to_string();
        let saved = app.api(&central, "PUT", &path, Some(doc), &[("If-Match", &revision)]).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
    }
    app.catch_up();
    // Residents viewed the driving licence far more often this month.
    let site = meent::feed::current(app.state.feed.directory()).site_by_slug("alpha").unwrap().id;
    let month = meent::statistics::month_of(meent::now());
    let row = |path: &str, views| meent::db::models::page_views::Row { site_id: site, month: month.clone(), path: path.into(), device: "desktop".into(), country: String::new(), views };
    meent::db::models::page_views::add(&mut app.state.pool.get().unwrap(), &[row("/producten/paspoort", 3), row("/producten/rijbewijs", 40)]).unwrap();

    user(&app, "alpha-board@example.org", "editor", "site:alpha", Some("een heel lang wachtwoord"));
    let mut b = common::browser::Browser::new(&app);
    b.login("alpha-board@example.org", "een heel lang wachtwoord").await;
    let board = b.get("/admin").await.body;
    let at = |needle: &str| board.find(needle).unwrap_or_else(|| panic!("{needle} in {board}"));
    let licence = at("/admin/sites/alpha/producten/rijbewijs\"");
    let passport = at("/admin/sites/alpha/producten/paspoort\"");
    assert!(licence < passport, "the most viewed page first");
    assert!(board[licence..passport].contains("site.waste_point (in site.toml)") && board[licence..passport].contains("<td>40</td>"), "{board}");
}
