//! Dutch and English for residents, over real HTTP, on the `english` fixture: the English
//! fold per layer, English pages only where their text is, `hreflang` both ways, the language
//! switch, English interface text and the English 404.

mod common;

use common::{TestApp, fixture};

const ALPHA: &str = "alpha.test";

async fn app() -> TestApp {
    TestApp::start(&fixture("english")).await
}

#[actix_web::test]
async fn the_english_product_page_is_the_fold_of_the_english_texts() {
    let app = app().await;
    let res = app.get(ALPHA, "/en/products/paspoort").await;
    assert_eq!(res.status, 200, "{}", res.body);
    let b = &res.body;
    assert!(b.contains("<html lang=\"en\">"), "{b}");
    assert!(b.contains("<h1>Passport in Alpha</h1>"), "the site's English title: {b}");
    assert!(b.contains("Apply for a passport in Alpha.") || b.contains("A passport is a travel document."), "{b}");
    assert!(b.contains("A passport costs € 84,10.") && b.contains("You can only pay by card."), "central English text, the site's value, the site's English addition: {b}");
    assert!(b.contains("Park behind the town hall."), "the site's English local section: {b}");
    assert!(!b.contains("Five working days") && !b.contains("Vijf werkdagen"), "hidden by the Dutch override in every language: {b}");
    assert!(!b.contains("Betalen kan alleen met pin") && !b.contains("Paspoort"), "no Dutch text on the English page: {b}");
    assert!(b.contains("href=\"https://alpha.example.org/afspraak\"") && b.contains("Apply online"), "the apply link is not language: {b}");
    assert!(b.contains("Skip to content") && b.contains("Products and services") && b.contains("Do you have a question?"), "English interface text: {b}");
    assert!(b.contains("hreflang=\"nl\" href=\"http://alpha.test/producten/paspoort\"") || b.contains("hreflang=\"nl\" href=\"http://alpha.test"), "{b}");
    assert!(b.contains("<link rel=\"alternate\" hreflang=\"en\""), "{b}");
    assert!(b.contains("href=\"/producten/paspoort\" hreflang=\"nl\" lang=\"nl\""), "the switch to Dutch: {b}");

    let dutch = app.get(ALPHA, "/producten/paspoort").await;
    assert!(dutch.body.contains("<html lang=\"nl\">") && dutch.body.contains("Betalen kan alleen met pin."));
    assert!(dutch.body.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"http://alpha.test/en/products/paspoort\">"), "{}", dutch.body);
    assert!(dutch.body.contains("href=\"/en/products/paspoort\" hreflang=\"en\" lang=\"en\""), "the switch to English: {}", dutch.body);
}

#[actix_web::test]
async fn a_product_without_english_text_has_no_english_page_and_no_switch() {
    let app = app().await;
    let res = app.get(ALPHA, "/en/products/rijbewijs").await;
    assert_eq!(res.status, 404);
    assert!(res.body.contains("<html lang=\"en\">") && res.body.contains("Page not found") && res.body.contains("There is no page at this address in English."), "an English 404: {}", res.body);
    let dutch = app.get(ALPHA, "/producten/rijbewijs").await;
    assert_eq!(dutch.status, 200);
    assert!(!dutch.body.contains("hreflang=\"en\""), "no English alternate where there is no English page: {}", dutch.body);
    let list = app.get(ALPHA, "/en/products").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("/en/products/paspoort") && !list.body.contains("rijbewijs"), "the English list holds the products with English text: {}", list.body);
    assert!(list.body.contains("1 product or service"), "{}", list.body);
    assert_eq!(app.get(ALPHA, "/en/products?thema=reizen-en-identiteit").await.status, 404, "themes are Dutch words");
}

#[actix_web::test]
async fn local_pages_and_news_exist_in_english_where_their_text_does() {
    let app = app().await;
    let page = app.get(ALPHA, "/en/afval").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Separating waste</h1>") && page.body.contains("Put plastic in the orange bin."));
    assert!(page.body.contains("hreflang=\"nl\" href=\"http://alpha.test/afval\""), "{}", page.body);
    assert_eq!(app.get(ALPHA, "/en/parkeren").await.status, 404);
    assert!(app.get(ALPHA, "/afval").await.body.contains("hreflang=\"en\" href=\"http://alpha.test/en/afval\""));
    assert!(!app.get(ALPHA, "/parkeren").await.body.contains("hreflang=\"en\""));

    let news = app.get(ALPHA, "/en/news").await;
    assert_eq!(news.status, 200);
    assert!(news.body.contains("New town hall") && news.body.contains("/en/news/nieuw") && news.body.contains("1 February 2026"), "{}", news.body);
    let item = app.get(ALPHA, "/en/news/nieuw").await;
    assert!(item.body.contains("The new town hall is open.") && item.body.contains("All news"), "{}", item.body);

    let home = app.get(ALPHA, "/en/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("<html lang=\"en\">") && home.body.contains("Arrange your affairs with the municipality of Alpha") && home.body.contains("New town hall"), "{}", home.body);
    assert!(home.body.contains("Here you find 1 products and services") || home.body.contains("Here you find 1 "), "{}", home.body);
    let bare = app.get(ALPHA, "/en").await;
    assert_eq!((bare.status, bare.header("location")), (301, Some("http://alpha.test/en/")));
}

#[actix_web::test]
async fn the_sitemap_lists_english_pages_with_their_alternates() {
    let app = app().await;
    let res = app.get(ALPHA, "/sitemap.xml").await;
    assert_eq!(res.status, 200);
    let b = &res.body;
    assert!(b.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    for english in ["http://alpha.test/en/", "http://alpha.test/en/products/paspoort", "http://alpha.test/en/afval", "http://alpha.test/en/news/nieuw"] {
        assert!(b.contains(&format!("<loc>{english}</loc>")), "{english} in {b}");
        assert!(b.contains(&format!("hreflang=\"en\" href=\"{english}\"/>")), "{english} as an alternate");
    }
    assert!(!b.contains("/en/products/rijbewijs") && !b.contains("/en/parkeren"), "no English address where there is no English page");
    let rijbewijs = b.split("<url>").find(|u| u.contains("/producten/rijbewijs")).unwrap();
    assert!(!rijbewijs.contains("xhtml:link"), "a Dutch-only page has no alternates: {rijbewijs}");
}

#[actix_web::test]
async fn samenwerkende_catalogi_has_an_entry_per_language() {
    let app = app().await;
    let res = app.get(ALPHA, "/api/v1/samenwerkende-catalogi.xml").await;
    assert_eq!(res.status, 200);
    let b = &res.body;
    assert!(b.contains("<dcterms:identifier>http://alpha.test/producten/paspoort</dcterms:identifier>"));
    let english = b.split("<overheidproduct:scproduct ").find(|e| e.contains("<dcterms:identifier>http://alpha.test/en/products/paspoort</dcterms:identifier>")).expect("an English entry");
    assert!(english.contains("<dcterms:language>en</dcterms:language>") && english.contains("<dcterms:title>Passport in Alpha</dcterms:title>"), "{english}");
    assert!(english.contains("<overheidproduct:productID>alpha-paspoort-en</overheidproduct:productID>") && english.contains("You can only pay by card."), "{english}");
    assert!(!b.contains("/en/products/rijbewijs"), "no English entry without English text");
}

#[actix_web::test]
async fn the_json_api_answers_in_the_language_asked_for() {
    let app = app().await;
    let product = app.get(ALPHA, "/api/v1/products/paspoort?lang=en").await;
    assert_eq!(product.status, 200, "{}", product.body);
    let p = product.json();
    assert_eq!((p["title"].as_str(), p["url"].as_str()), (Some("Passport in Alpha"), Some("/en/products/paspoort")));
    assert_eq!(app.get(ALPHA, "/api/v1/products/paspoort").await.json()["url"], "/producten/paspoort", "Dutch by default, and a separate cache entry");
    assert_eq!(app.get(ALPHA, "/api/v1/products/rijbewijs?lang=en").await.status, 404);
    assert_eq!(app.get(ALPHA, "/api/v1/products?lang=en").await.json()["total"], 1);
    assert_eq!(app.get(ALPHA, "/api/v1/products?lang=fy").await.status, 400);
    let pages = app.get(ALPHA, "/api/v1/pages?lang=en").await.json();
    assert_eq!((pages["total"].as_u64(), pages["items"][0]["url"].as_str()), (Some(1), Some("/en/afval")));
    assert_eq!(app.get(ALPHA, "/api/v1/pages/afval?lang=en").await.json()["title"], "Separating waste");
    assert_eq!(app.get(ALPHA, "/api/v1/news/nieuw?lang=en").await.json()["title"], "New town hall");
    assert_eq!(app.get(ALPHA, "/api/v1/news?lang=en").await.json()["total"], 1);
}

/// Signs in an editor of `scope` through the admin's login form.
async fn editor<'a>(app: &'a TestApp, email: &str, scope: &str) -> common::browser::Browser<'a> {
    let password = "een heel lang wachtwoord";
    {
        let mut conn = app.state.pool.get().unwrap();
        meent::auth::accounts::create_user(&mut conn, email, meent::auth::permissions::Role::Editor, &meent::auth::permissions::Scope::parse(scope).unwrap(), Some(password), "test", meent::now()).unwrap();
    }
    let mut b = common::browser::Browser::new(app);
    assert_eq!(b.login(email, password).await.status, 303);
    b
}

/// A bearer token for the admin API of an editor of `scope`.
fn token(app: &TestApp, email: &str, scope: &str) -> String {
    let mut conn = app.state.pool.get().unwrap();
    meent::auth::accounts::create_user(&mut conn, email, meent::auth::permissions::Role::Editor, &meent::auth::permissions::Scope::parse(scope).unwrap(), None, "test", meent::now()).unwrap()
}

async fn api(app: &TestApp, token: &str, method: &str, path: &str, body: serde_json::Value, if_match: Option<i64>) -> common::Response {
    let auth = format!("Bearer {token}");
    let base = if_match.map(|r| format!("\"{r}\""));
    let mut headers = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    if let Some(b) = &base {
        headers.push(("If-Match", b.as_str()));
    }
    app.send(method, ALPHA, path, &headers, Some(body.to_string().into_bytes())).await
}

#[actix_web::test]
async fn the_dashboard_shows_translations_behind_with_the_dutch_diff() {
    let app = app().await;
    // The fixture's English product text translates revision 2; the Dutch text is at 3.
    let mut central = editor(&app, "central@example.org", "national").await;
    let board = central.get("/admin").await.body;
    assert!(board.contains("Vertaling loopt achter") && board.contains("De Nederlandse tekst is veranderd (versie 2 naar 3)."), "{board}");

    // A site's editor: the page's Dutch text changes, so its English text is behind.
    let alpha_token = token(&app, "alpha-api@example.org", "site:alpha");
    let pages = api(&app, &alpha_token, "GET", "/api/v1/admin/sites/alpha/pages", serde_json::json!(null), None).await.json();
    let afval = pages.as_array().unwrap().iter().find(|p| p["path"] == "afval").unwrap().clone();
    let mut changed = afval.clone();
    changed["body"] = "Gooi plastic en blik in de oranje bak.".into();
    let url = format!("/api/v1/admin/sites/alpha/pages/{}", afval["id"]);
    assert_eq!(api(&app, &alpha_token, "PUT", &url, changed, afval["revision"].as_i64()).await.status, 200);
    let mut alpha = editor(&app, "alpha@example.org", "site:alpha").await;
    let board = alpha.get("/admin").await.body;
    assert!(board.contains("Afval scheiden") && board.contains("(versie 1 naar 2)"), "{board}");
    assert!(board.contains("<ins>") || board.contains("oranje bak"), "the Dutch diff since: {board}");

    // The central English text moves: the site's English override is behind the central one.
    let central_token = token(&app, "central-api@example.org", "national");
    let english = api(&app, &central_token, "GET", "/api/v1/admin/catalogue/paspoort/translations/en", serde_json::json!(null), None).await.json();
    let mut moved = english.clone();
    moved["summary"] = "Apply for a passport in Alpha, in person.".into();
    moved["based_on_nl"] = 3.into();
    assert_eq!(api(&app, &central_token, "PUT", "/api/v1/admin/catalogue/paspoort/translations/en", moved, english["revision"].as_i64()).await.status, 200);
    let board = alpha.get("/admin").await.body;
    assert!(board.contains("De centrale Engelse tekst is veranderd (versie 1 naar 2)."), "{board}");
    let board = central.get("/admin").await.body;
    assert!(!board.contains("De Nederlandse tekst is veranderd (versie 2 naar 3)."), "the central English text is up to date now: {board}");
}

#[actix_web::test]
async fn editors_write_the_english_text_beside_the_dutch_one() {
    let app = app().await;
    let mut central = editor(&app, "central@example.org", "national").await;
    let form = central.get("/admin/catalogus/paspoort/engels").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Een paspoort is een reisdocument.") && form.body.contains("A passport is a travel document."), "Dutch beside English: {}", form.body);
    let csrf = common::browser::hidden(&form.body, "csrf");
    let revision = common::browser::hidden(&form.body, "revision");
    let res = central
        .post(
            "/admin/catalogus/paspoort/engels",
            &[("csrf", &csrf), ("revision", &revision), ("title", "Apply for a passport"), ("summary", "A passport, in person."), ("heading.wat", "What is it?"), ("body.wat", "A travel document for every country.")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = app.get(ALPHA, "/en/products/paspoort").await.body;
    assert!(page.contains("A travel document for every country.") && !page.contains("Five working days"), "saved and served at once; untranslated parts are not shown: {page}");
    // A second save from the same revision shows both versions; nothing is lost.
    let late = central
        .post(
            "/admin/catalogus/paspoort/engels",
            &[("csrf", &csrf), ("revision", &revision), ("title", "Get a passport"), ("summary", "A passport."), ("heading.wat", "What is it?"), ("body.wat", "A travel document, late.")],
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(late.body.contains("A travel document for every country.") && late.body.contains("A travel document, late."), "both versions: {}", late.body);
    assert!(app.get(ALPHA, "/en/products/paspoort").await.body.contains("A travel document for every country."), "the first save stays");

    // A page's English text, from the page's editor.
    let mut alpha = editor(&app, "alpha@example.org", "site:alpha").await;
    let overview = alpha.get("/admin/sites/alpha").await.body;
    let id = overview.split("/admin/sites/alpha/paginas/").filter_map(|rest| rest.split('"').next()).find(|id| id.parse::<i64>().is_ok()).unwrap().to_owned();
    let url = format!("/admin/sites/alpha/paginas/{id}/engels");
    let form = alpha.get(&url).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = common::browser::hidden(&form.body, "csrf");
    let revision = common::browser::hidden(&form.body, "revision");
    let refused = alpha.post(&url, &[("csrf", &csrf), ("revision", &revision), ("title", ""), ("body.tekst", "x")]).await;
    assert_eq!(refused.status, 422, "a translation needs a title: {}", refused.body);
    assert!(refused.body.contains("title: must not be empty"), "{}", refused.body);

    // The override of a product without English text cannot be translated yet, and says why.
    let over = alpha.get("/admin/sites/alpha/producten/rijbewijs/engels").await;
    assert_eq!(over.status, 200);
    assert!(over.body.contains("nog geen Engelse centrale tekst"), "{}", over.body);
    // Another site's editor may not.
    let mut other = editor(&app, "beta@example.org", "site:beta").await;
    assert_eq!(other.get(&url).await.status, 403);
}

#[actix_web::test]
async fn english_texts_are_searched_in_english_and_only_there() {
    let app = app().await;
    let res = app.get(ALPHA, "/en/search?q=passports").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<html lang=\"en\">") && res.body.contains("href=\"/en/products/paspoort\""), "stemmed English finds the English page: {}", res.body);
    assert!(!res.body.contains("href=\"/producten/paspoort\""), "no Dutch results in English: {}", res.body);
    let page = app.get(ALPHA, "/en/search?q=separated+waste").await.body;
    assert!(page.contains("href=\"/en/afval\""), "English stemming (separated, separating): {page}");
    assert!(!page.contains("href=\"/en/parkeren\""));
    let dutch = app.get(ALPHA, "/zoeken?q=passport").await.body;
    assert!(!dutch.contains("/en/products/paspoort"), "Dutch search shows no English pages: {dutch}");
    assert!(app.get(ALPHA, "/zoeken?q=paspoort").await.body.contains("href=\"/producten/paspoort\""));
    let none = app.get(ALPHA, "/en/search?q=zzzqqq").await.body;
    assert!(none.contains("No results for ‘zzzqqq’.") && none.contains("Check the spelling."), "English interface text: {none}");

    let api = app.get(ALPHA, "/api/v1/search?q=town+hall&lang=en").await.json();
    assert_eq!(api["hits"][0]["url"], "/en/news/nieuw", "{api}");
    assert_eq!(app.get(ALPHA, "/api/v1/search?q=town+hall").await.json()["total"], 0, "Dutch by default");
    let suggest = app.get(ALPHA, "/api/v1/search/suggest?q=pass&lang=en").await.json();
    assert_eq!(suggest["items"][0]["url"], "/en/products/paspoort", "{suggest}");
    assert_eq!(app.get(ALPHA, "/api/v1/search?q=x&lang=de").await.status, 400);
}
