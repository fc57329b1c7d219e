//! Search that understands residents (issue "Search that understands residents"), over real
//! HTTP on the `country` fixture: the thesauri of the central team, a group and a site through
//! the admin API and the admin page (everyday words, English names, best bets, scoping,
//! conflicts and bad input), compounds split and joined with the index's own vocabulary, and
//! questions.

mod common;

use std::time::{Duration, Instant};

use common::{TestApp, fixture, user};
use meent::content::model::Owner;
use serde_json::{Value, json};

const ALPHA: &str = "alpha.test";
const BETA: &str = "beta.test";
const GAMMA: &str = "gamma.test";

async fn app() -> TestApp {
    let app = TestApp::start(&fixture("country")).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !app.state.search.is_ready() {
        assert!(Instant::now() < deadline, "the search index was not built");
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    app
}

async fn first(app: &TestApp, host: &str, query: &str) -> Option<String> {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let res = app.get(host, &format!("/api/v1/search?q={q}")).await;
    assert_eq!(res.status, 200, "{query}: {}", res.body);
    res.json()["hits"].as_array().unwrap().first().map(|h| h["url"].as_str().unwrap().to_owned())
}

#[actix_web::test]
async fn thesauri_of_every_scope_widen_searches_through_the_api() {
    let app = app().await;
    let central = user(&app, "central@example.org", "editor", "national", None);
    let alpha = user(&app, "alpha@example.org", "editor", "site:alpha", None);
    let regio = user(&app, "regio@example.org", "editor", "group:regio", None);
    assert_eq!(first(&app, ALPHA, "vuilnisbak").await, None);

    // The central team: everyday words and English names lead to the catalogue's word.
    // The fixture's import saved the central list once.
    let current = app.api(&central, "GET", "/api/v1/admin/thesaurus", None, &[]).await.json();
    assert_eq!(current["revision"], 1, "{current}");
    let national = json!({ "concepts": [{ "words": ["afvalcontainer"], "everyday": ["vuilnisbak", "kliko"], "en": ["waste container", "wheelie bin"] }] });
    let saved = app.api(&central, "PUT", "/api/v1/admin/thesaurus", Some(national.clone()), &[("If-Match", "1")]).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["revision"], 2);
    app.catch_up();
    for q in ["vuilnisbak", "kliko", "waste container", "wheelie bin"] {
        assert_eq!(first(&app, ALPHA, q).await.as_deref(), Some("/producten/afvalcontainer"), "{q}");
    }
    assert_eq!(first(&app, BETA, "kliko").await, None, "a product the site does not offer stays unfound");

    // Only catalogue editors change it; everyone reads it; a stale revision is a conflict.
    assert_eq!(app.api(&alpha, "PUT", "/api/v1/admin/thesaurus", Some(national.clone()), &[("If-Match", "2")]).await.status, 403);
    assert_eq!(app.api(&alpha, "GET", "/api/v1/admin/thesaurus", None, &[]).await.json()["concepts"][0]["everyday"][1], "kliko");
    assert_eq!(app.api(&central, "PUT", "/api/v1/admin/thesaurus", Some(national.clone()), &[]).await.status, 428, "a second save names its revision");
    assert_eq!(app.api(&central, "PUT", "/api/v1/admin/thesaurus", Some(national.clone()), &[("If-Match", "\"0\"")]).await.status, 412);
    let bad = app.api(&central, "PUT", "/api/v1/admin/thesaurus", Some(json!({ "concepts": [{ "words": [] }], "revision": 2 })), &[]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("concepts/0/words"), "{}", bad.body);

    // A site's own words and best bets count on that site only; a group's on its members.
    let own = json!({ "concepts": [{ "words": ["paspoort"], "everyday": ["reispas"] }], "pins": [{ "query": "Vakantie?", "target": "/producten/paspoort" }] });
    let res = app.api(&alpha, "PUT", "/api/v1/admin/sites/alpha/thesaurus", Some(own.clone()), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(app.api(&alpha, "PUT", "/api/v1/admin/sites/beta/thesaurus", Some(own), &[]).await.status, 403);
    let group = json!({ "concepts": [{ "words": ["rijbewijs"], "everyday": ["autopapieren"] }] });
    assert_eq!(app.api(&regio, "PUT", "/api/v1/admin/groups/regio/thesaurus", Some(group), &[]).await.status, 200);
    app.catch_up();
    assert_eq!(first(&app, ALPHA, "reispas").await.as_deref(), Some("/producten/paspoort"));
    assert_eq!(first(&app, BETA, "reispas").await, None, "another site's thesaurus does not count");
    assert_eq!(first(&app, ALPHA, "vakantie").await.as_deref(), Some("/producten/paspoort"), "the pin, though no text says vakantie");
    assert_eq!(first(&app, BETA, "vakantie").await, None);
    assert_eq!(first(&app, ALPHA, "autopapieren").await.as_deref(), Some("/producten/rijbewijs"), "the group's words on a member");
    assert_eq!(first(&app, GAMMA, "autopapieren").await, None, "not on a site outside the group");

    // Export writes every scope's file; import reads them back.
    let mut conn = app.state.pool.get().unwrap();
    let tree = meent::content::export::snapshot(&mut conn).unwrap();
    let scopes: Vec<Option<Owner>> = tree.thesauri.iter().map(|(o, _)| o.clone()).collect();
    assert_eq!(scopes, [None, Some(Owner::Group("regio".into())), Some(Owner::Site("alpha".into()))]);
    let dir = tempfile::tempdir().unwrap();
    meent::content::files::write_tree(&dir.path().join("out"), &tree).unwrap();
    let text = std::fs::read_to_string(dir.path().join("out/sites/alpha/thesaurus.toml")).unwrap();
    assert!(text.contains("[[pin]]") && text.contains("reispas"), "{text}");
}

#[actix_web::test]
async fn the_admin_page_edits_the_file_and_the_dashboard_offers_to_add_a_miss() {
    let app = app().await;
    user(&app, "alpha-page@example.org", "editor", "site:alpha", Some("een heel lang wachtwoord"));
    let mut b = common::browser::Browser::new(&app);
    b.login("alpha-page@example.org", "een heel lang wachtwoord").await;
    // A search without result shows on the dashboard with the two ways to fix it.
    assert_eq!(first(&app, ALPHA, "zwemdiploma").await, None);
    app.state.misses.flush(&mut app.state.pool.get().unwrap()).unwrap();
    let board = b.get("/admin").await.body;
    assert!(board.contains("/admin/sites/alpha/zoeken?woord=zwemdiploma") && board.contains("/admin/sites/alpha/zoeken?vastzetten=zwemdiploma"), "{board}");

    let form = b.get("/admin/sites/alpha/zoeken?vastzetten=zwemdiploma").await;
    assert_eq!(form.status, 200);
    let csrf = common::browser::hidden(&form.body, "csrf");
    assert!(form.body.contains("query = &quot;zwemdiploma&quot;"), "{}", form.body);
    let bad = b.post("/admin/sites/alpha/zoeken", &[("csrf", &csrf), ("revision", "0"), ("toml", "[[pin]]\nquery = \"zwemdiploma\"\ntarget = \"\"\n")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("regel 1") && bad.body.contains("must be a path on the site"), "{}", bad.body);
    let good = b.post("/admin/sites/alpha/zoeken", &[("csrf", &csrf), ("revision", "0"), ("toml", "[[pin]]\nquery = \"zwemdiploma\"\ntarget = \"/producten/paspoort\"\n")]).await;
    assert_eq!(good.status, 303, "{}", good.body);
    app.catch_up();
    assert_eq!(first(&app, ALPHA, "zwemdiploma").await.as_deref(), Some("/producten/paspoort"));
    let stale = b.post("/admin/sites/alpha/zoeken", &[("csrf", &csrf), ("revision", "0"), ("toml", "")]).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(b.post("/admin/zoeken", &[("csrf", &csrf), ("revision", "0"), ("toml", "")]).await.status, 403, "a site editor does not change the central list");
}

#[actix_web::test]
async fn compounds_meet_their_parts_through_the_index_vocabulary() {
    let app = app().await;
    app.import_file(
        "catalogue/huisvuil.md",
        "+++\ntitle = \"Huisvuil\"\nsummary = \"Wanneer wij uw huisvuil ophalen.\"\nstatus = \"published\"\n+++\n## Wat is het? {#wat}\nZet de vuilniszak op de dag van ophalen vóór 7.30 uur buiten.\n",
    );
    app.catch_up();
    // Split: no text has the word, both parts are in the index.
    assert_eq!(first(&app, ALPHA, "huisvuilophaal").await.as_deref(), Some("/producten/huisvuil"));
    // Joined: two words the text writes as one.
    assert_eq!(first(&app, ALPHA, "vuilnis zak").await.as_deref(), Some("/producten/huisvuil"));
    assert_eq!(first(&app, ALPHA, "afval container").await.as_deref(), Some("/producten/afvalcontainer"));
    // A word that is in no text and has no known parts finds nothing.
    assert_eq!(first(&app, ALPHA, "qwertyuiopasdf").await, None);
}

#[actix_web::test]
async fn questions_find_their_content_words() {
    let app = app().await;
    for (q, want) in [
        ("hoe vraag ik een paspoort aan", "/producten/paspoort"),
        ("waar kan ik mijn rijbewijs verlengen?", "/producten/rijbewijs"),
        ("wanneer mag ik een parkeervergunning krijgen", "/producten/parkeervergunning"),
        ("how do I get a rijbewijs", "/producten/rijbewijs"),
    ] {
        assert_eq!(first(&app, ALPHA, q).await.as_deref(), Some(want), "{q}");
    }
    let res: Value = app.get(ALPHA, "/api/v1/search?q=waar").await.json();
    assert!(res["total"].as_u64().is_some(), "a question word alone is still a search");
}

#[actix_web::test]
async fn unknown_words_lead_through_their_parts_and_phrases_through_equivalents() {
    let app = app().await;
    let central = user(&app, "central-parts@example.org", "editor", "national", None);
    app.import_file(
        "catalogue/rolstoel.md",
        "+++\ntitle = \"Rolstoel\"\nsummary = \"Een rolstoel lenen via de Wmo.\"\nstatus = \"published\"\n+++\n## Wat is het? {#wat}\nU leent een rolstoel. Ook het vervoer regelen wij.\n",
    );
    app.import_file(
        "catalogue/vermissing.md",
        "+++\ntitle = \"Verklaring van vermissing\"\nsummary = \"Uw paspoort is kwijt of gestolen: doe aangifte van vermissing.\"\nstatus = \"published\"\n+++\n## Wat is het? {#wat}\nZonder verklaring geen nieuw paspoort.\n",
    );
    app.import_file("catalogue/vervoer.md", "+++\ntitle = \"Vervoer\"\nsummary = \"Vervoer naar school.\"\nstatus = \"published\"\n+++\n## Wat is het? {#wat}\nEen taxi.\n");
    app.import_file(
        "catalogue/kwijtschelding.md",
        "+++\ntitle = \"Kwijtschelding\"\nsummary = \"Geen belasting betalen als u weinig geld heeft.\"\nstatus = \"published\"\n+++\n## Wat is het? {#wat}\nVraag het aan.\n",
    );
    app.import_file(
        "catalogue/uit-elkaar.md",
        "+++\ntitle = \"Uit elkaar\"\nsummary = \"Na een echtscheiding iets kwijt? Regel het hier.\"\nstatus = \"published\"\n+++\n## Wat is het? {#wat}\nIets kwijt na de echtscheiding.\n",
    );
    app.catch_up();
    // Before the thesaurus knows the words: a part the index lacks splits nothing.
    assert_eq!(first(&app, ALPHA, "invalidevervoer").await, None);

    let national = json!({ "concepts": [
        { "words": ["rolstoel"], "everyday": ["invalide"] },
        { "words": ["echtscheiding"], "everyday": ["scheiding"] },
        { "words": ["paspoort"], "everyday": ["reispas"] },
        // "gejat" is in the phrases of four concepts, so alone it leads nowhere.
        { "words": ["vermissing"], "everyday": ["paspoort gejat"] },
        { "words": ["fiets"], "everyday": ["fiets gejat"] },
        { "words": ["auto"], "everyday": ["auto gejat"] },
        { "words": ["tas"], "everyday": ["tas gejat"] },
        // A phrase whose words no text uses does not hide the words typed.
        { "words": ["nergens gebruikt woord"], "everyday": ["reispas kwijt"] },
    ] });
    let saved = app.api(&central, "PUT", "/api/v1/admin/thesaurus", Some(national), &[("If-Match", "1")]).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    app.catch_up();
    // A compound nobody knows whole, by a part the thesaurus knows and a part the index has:
    // both parts count ("Vervoer" has one of them in its title, and comes after).
    assert_eq!(first(&app, ALPHA, "invalidevervoer").await.as_deref(), Some("/producten/rolstoel"));
    // A word one letter from a title word is that word, not a compound of "kwijt" and a
    // thesaurus word that "Uit elkaar" would match.
    assert_eq!(first(&app, ALPHA, "kwijtscheiding").await.as_deref(), Some("/producten/kwijtschelding"));
    // "reispas gejat" is the thesaurus's "paspoort gejat", once "reispas" is read as "paspoort".
    assert_eq!(first(&app, ALPHA, "reispas gejat").await.as_deref(), Some("/producten/vermissing"));
    assert_eq!(first(&app, ALPHA, "mijn reispas is gejat").await.as_deref(), Some("/producten/vermissing"));
    assert_eq!(first(&app, ALPHA, "reispas kwijt").await.as_deref(), Some("/producten/vermissing"));
}
