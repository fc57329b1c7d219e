//! Search over real HTTP on the `country` fixture: Dutch analysis, typos, synonyms,
//! hyphens and compounds, per-site scoping, visibility, the change feed, and hostile input.

mod common;

use std::time::{Duration, Instant};

use common::{TestApp, fixture};
use serde_json::Value;

const ALPHA: &str = "alpha.test";
const BETA: &str = "beta.test";
const GAMMA: &str = "gamma.test";

async fn app() -> TestApp {
    let app = TestApp::start(&fixture("country")).await;
    wait_ready(&app).await;
    app
}

async fn wait_ready(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !app.state.search.is_ready() {
        assert!(Instant::now() < deadline, "the search index was not built");
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn search(app: &TestApp, host: &str, query: &str) -> Value {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let res = app.get(host, &format!("/api/v1/search?q={q}")).await;
    assert_eq!(res.status, 200, "{query}: {}", res.body);
    res.json()
}

fn urls(results: &Value) -> Vec<String> {
    results["hits"].as_array().unwrap().iter().map(|h| h["url"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn dutch_stemming_hyphens_and_compounds() {
    let app = app().await;
    assert_eq!(urls(&search(&app, ALPHA, "paspoorten").await)[0], "/producten/paspoort");
    assert_eq!(urls(&search(&app, ALPHA, "PASPOORT").await)[0], "/producten/paspoort");
    for q in ["vergunning parkeren", "parkeervergunningen", "parkeer vergunning"] {
        assert_eq!(urls(&search(&app, ALPHA, q).await).first().map(String::as_str), Some("/producten/parkeervergunning"), "{q}");
    }
    assert!(urls(&search(&app, ALPHA, "parkeerkaart").await).contains(&"/producten/parkeervergunning".to_owned()), "keywords");
    assert!(urls(&search(&app, ALPHA, "afval").await).contains(&"/afval".to_owned()), "local pages");
}

#[actix_web::test]
async fn typos_are_forgiven_but_exact_matches_rank_first() {
    let app = app().await;
    assert_eq!(urls(&search(&app, ALPHA, "paspoot").await).first().map(String::as_str), Some("/producten/paspoort"));
    assert_eq!(urls(&search(&app, ALPHA, "parkeervergunnnig").await).first().map(String::as_str), Some("/producten/parkeervergunning"));
    // "rijbewijs" exactly, not the fuzzy neighbour.
    let hits = urls(&search(&app, ALPHA, "rijbewijs").await);
    assert_eq!(hits[0], "/producten/rijbewijs");
}

#[actix_web::test]
async fn synonyms_from_the_central_list_and_keywords() {
    let app = app().await;
    for q in ["ID-kaart", "id kaart", "identiteitskaart"] {
        assert_eq!(urls(&search(&app, ALPHA, q).await).first().map(String::as_str), Some("/producten/identiteitskaart"), "{q}");
    }
    assert!(urls(&search(&app, ALPHA, "reisdocument").await).contains(&"/producten/paspoort".to_owned()));
}

#[actix_web::test]
async fn results_are_per_site_with_the_site_fold() {
    let app = app().await;
    assert!(urls(&search(&app, ALPHA, "ALPHALOKAAL").await).contains(&"/producten/paspoort".to_owned()));
    assert_eq!(search(&app, BETA, "ALPHALOKAAL").await["total"], 0);
    assert_eq!(search(&app, ALPHA, "PMDTEKST").await["total"], 1);
    assert_eq!(search(&app, BETA, "PMDTEKST").await["total"], 0, "pages belong to their site");
    assert_eq!(search(&app, BETA, "GROEPSNIEUWSTEKST").await["total"], 1, "group news on every member");
    assert_eq!(search(&app, GAMMA, "GROEPSNIEUWSTEKST").await["total"], 0);
    let product = &search(&app, ALPHA, "paspoort").await["hits"][0];
    assert_eq!(product["title"], "Paspoort in Alpha", "the folded title");
}

#[actix_web::test]
async fn drafts_opt_outs_and_future_items_are_never_found() {
    let app = app().await;
    for host in [ALPHA, BETA, GAMMA] {
        for q in ["GEHEIMCONCEPTTEKST", "TOEKOMSTTEKST", "CONCEPTPAGINATEKST", "CONCEPTNIEUWSTEKST", "Conceptbericht"] {
            assert_eq!(search(&app, host, q).await["total"], 0, "{host}: {q}");
        }
    }
    assert!(!urls(&search(&app, BETA, "rijbewijs").await).contains(&"/producten/rijbewijs".to_owned()), "group opt-out");
    assert!(urls(&search(&app, ALPHA, "rijbewijs").await).contains(&"/producten/rijbewijs".to_owned()), "opted back in");
    assert_eq!(search(&app, BETA, "container").await["total"], 0, "site opt-out");
}

#[actix_web::test]
async fn an_edit_is_searchable_at_once_and_a_central_edit_reaches_every_site() {
    let app = app().await;
    assert_eq!(search(&app, ALPHA, "ZEPPELINHAVEN").await["total"], 0);
    app.import_file("sites/alpha/pages/haven.md", "+++\ntitle = \"Haven\"\n+++\nDe ZEPPELINHAVEN is open.\n");
    app.catch_up();
    assert_eq!(urls(&search(&app, ALPHA, "zeppelinhaven").await), ["/haven"]);

    let central = std::fs::read_to_string(fixture("country").join("catalogue/paspoort.md")).unwrap().replace("Vijf werkdagen.", "KANGOEROEPOST");
    app.import_file("catalogue/paspoort.md", &central);
    app.catch_up();
    assert_eq!(search(&app, BETA, "kangoeroepost").await["total"], 1);
    assert_eq!(search(&app, GAMMA, "kangoeroepost").await["total"], 1);
    assert_eq!(search(&app, ALPHA, "kangoeroepost").await["total"], 0, "alpha hides that section");

    // Removing a page's publication removes it from search.
    app.import_file("sites/alpha/pages/haven.md", "+++\ntitle = \"Haven\"\nstatus = \"draft\"\n+++\nDe ZEPPELINHAVEN is open.\n");
    let deadline = Instant::now() + Duration::from_secs(10);
    while search(&app, ALPHA, "zeppelinhaven").await["total"] != 0 {
        assert!(Instant::now() < deadline, "the poll did not update the index");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn any_input_gives_a_page() {
    let app = app().await;
    let long = "paspoort ".repeat(500);
    for q in ["", "   ", "\"([*:~^", "a AND OR NOT", "title:paspoort", "*", "%00", &long, "<script>alert(1)</script>", "😀 ë ß"] {
        let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let page = app.get(ALPHA, &format!("/zoeken?q={encoded}")).await;
        assert_eq!(page.status, 200, "{q:?}");
        assert!(!page.body.contains("<script>alert"), "the query is escaped");
        assert_eq!(app.get(ALPHA, &format!("/api/v1/search?q={encoded}")).await.status, 200, "{q:?}");
        assert_eq!(app.get(ALPHA, &format!("/api/v1/search/suggest?q={encoded}")).await.status, 200, "{q:?}");
    }
    assert_eq!(app.get(ALPHA, "/zoeken?q=x&pagina=abc").await.status, 400);
}

#[actix_web::test]
async fn did_you_mean_and_zero_result_log() {
    let app = app().await;
    let none = search(&app, ALPHA, "pasportt").await;
    assert_eq!(none["total"], 0);
    assert_eq!(none["suggestion"], "paspoort");
    let page = app.get(ALPHA, "/zoeken?q=pasportt").await;
    assert!(page.body.contains("Bedoelde u <a href=\"/zoeken?q=paspoort\">paspoort</a>?"), "{}", page.body);
    search(&app, ALPHA, "kwalleknuffel 1234AB").await;
    search(&app, ALPHA, "kwalleknuffel").await;
    let mut conn = app.state.pool.get().unwrap();
    let site = meent::web::site_id(&app.state, "alpha").unwrap();
    assert!(meent::db::models::search_misses::top(&mut conn, site, 0, 10).unwrap().is_empty(), "misses are counted in memory, not written per search");
    assert_eq!(app.state.misses.flush(&mut conn).unwrap(), 2, "then written in one batch");
    let misses = meent::db::models::search_misses::top(&mut conn, site, 0, 10).unwrap();
    let kwal = misses.iter().find(|m| m.query == "kwalleknuffel").expect("logged");
    assert_eq!(kwal.count, 2, "no personal data: the postcode is not kept");
    assert!(misses.iter().all(|m| !m.query.contains('@') && !m.query.chars().any(|c| c.is_ascii_digit())));
}

#[actix_web::test]
async fn results_page_with_snippets_facets_and_pages() {
    let app = app().await;
    let page = app.get(ALPHA, "/zoeken?q=paspoort").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<mark>"), "highlighted snippet");
    assert!(page.body.contains("1 resultaat voor ‘paspoort’"));
    let all = search(&app, ALPHA, "de").await;
    assert_eq!(all["total"], 0, "stop words alone find nothing");
    let broad = search(&app, ALPHA, "centrale").await;
    let kinds: Vec<&str> = broad["facets"]["kind"].as_array().unwrap().iter().map(|f| f["value"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"product"));
    let only_pages = app.get(ALPHA, "/api/v1/search?q=afval&kind=pagina").await.json();
    assert!(only_pages["hits"].as_array().unwrap().iter().all(|h| h["kind"] == "pagina"));
    let suggest = app.get(ALPHA, "/api/v1/search/suggest?q=pasp").await.json();
    assert_eq!(suggest["items"][0]["url"], "/producten/paspoort");
}

#[actix_web::test]
async fn a_missing_or_corrupt_index_is_rebuilt_while_serving() {
    let first = app().await;
    let dir = first.db.dir.path().join("search");
    drop(first.server);
    drop(first.state);
    // The feed's poller lets go of the index within one interval.
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    // Corrupt the index: a restart must rebuild it rather than fail.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::write(&path, "not json").unwrap();
        }
    }
    let mut config = first.db.config(&fixture("country"));
    config.feed_interval_ms = 50;
    let state = actix_web::web::Data::new(meent::web::build_state(config).expect("starts with a corrupt index"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !state.search.is_ready() {
        assert!(Instant::now() < deadline);
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    let site = meent::web::site_id(&state, "alpha").unwrap();
    assert!(state.search.count(site).unwrap() > 5);
}
