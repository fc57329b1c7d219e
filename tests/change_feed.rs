//! Derived state follows the change log: a committed change reaches cached pages of exactly
//! the sites it touches, in this process and in another one on the same database.

mod common;

use std::fs;
use std::time::{Duration, Instant};

use actix_web::web;
use common::{TestApp, fixture};
use meent::content::import::import_dir;

/// Writes one file into a fresh content dir and imports it into the app's database.
fn import(app: &TestApp, rel: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    let mut conn = app.state.pool.get().unwrap();
    import_dir(&mut conn, dir.path(), Some("test"), meent::now(), None).expect("import");
}

const SITE_OVERRIDE: &str = "+++\nbased_on = 2\n[sections.kosten]\nmode = \"append\"\n+++\n## Kosten {#kosten}\nNIEUWEALPHATEKST\n";

#[actix_web::test]
async fn an_edit_reaches_the_cached_pages_it_touches_and_no_others() {
    let app = TestApp::start(&fixture("country")).await;
    // Fill the cache.
    let alpha_before = app.get("alpha.test", "/producten/paspoort").await;
    let beta_before = app.get("beta.test", "/producten/paspoort").await;
    let alpha_other = app.get("alpha.test", "/producten/rijbewijs").await;
    let hits = app.state.cache.hits.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(app.get("alpha.test", "/producten/paspoort").await.body, alpha_before.body);
    assert!(app.state.cache.hits.load(std::sync::atomic::Ordering::Relaxed) > hits, "served from the cache");

    import(&app, "sites/alpha/overrides/paspoort.md", SITE_OVERRIDE);
    app.catch_up();
    let alpha_after = app.get("alpha.test", "/producten/paspoort").await;
    assert!(alpha_after.body.contains("NIEUWEALPHATEKST"));
    assert_ne!(alpha_after.header("etag"), alpha_before.header("etag"));
    assert_eq!(app.get("beta.test", "/producten/paspoort").await.body, beta_before.body);
    assert_eq!(app.get("alpha.test", "/producten/rijbewijs").await.body, alpha_other.body);

    // A central edit reaches every site.
    let central = fs::read_to_string(fixture("country").join("catalogue/paspoort.md")).unwrap().replace("Vijf werkdagen.", "CENTRAALNIEUW");
    import(&app, "catalogue/paspoort.md", &central);
    app.catch_up();
    assert!(app.get("beta.test", "/producten/paspoort").await.body.contains("CENTRAALNIEUW"));
    assert!(app.get("gamma.test", "/api/v1/products/paspoort").await.body.contains("CENTRAALNIEUW"));
}

#[actix_web::test]
async fn the_poll_picks_up_changes_without_a_call() {
    let app = TestApp::start(&fixture("country")).await;
    assert!(!app.get("beta.test", "/").await.body.contains("BETANIEUWS"));
    import(&app, "sites/beta/news/2026-03-01-bericht.md", "+++\ntitle = \"BETANIEUWS\"\n+++\nTekst.\n");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if app.get("beta.test", "/").await.body.contains("BETANIEUWS") {
            break;
        }
        assert!(Instant::now() < deadline, "the change feed did not deliver the change");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn a_second_process_on_the_same_database_follows_the_feed() {
    let first = TestApp::start(&fixture("country")).await;
    // A second, independent app state on the same database: another process.
    let mut config = first.db.config(&fixture("country"));
    config.feed_interval_ms = 50;
    // Each process keeps its own derived state (search index) in its own data directory.
    let own = tempfile::tempdir().unwrap();
    config.data_dir = own.path().to_owned();
    let second = web::Data::new(meent::web::build_state(config).unwrap());
    let data = second.clone();
    let server = actix_test::start(move || meent::web::app(data.clone()));
    let client = awc::Client::builder().disable_redirects().finish();
    let get = |path: &'static str| {
        let req = client.get(server.url(path)).insert_header(("Host", "alpha.test")).address(server.addr());
        async move { String::from_utf8(req.send().await.unwrap().body().await.unwrap().to_vec()).unwrap() }
    };
    assert!(!get("/producten/paspoort").await.contains("NIEUWEALPHATEKST"));
    import(&first, "sites/alpha/overrides/paspoort.md", SITE_OVERRIDE);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !get("/producten/paspoort").await.contains("NIEUWEALPHATEKST") {
        assert!(Instant::now() < deadline, "the second process never saw the change");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn a_new_site_and_a_new_host_are_served_after_the_feed() {
    let app = TestApp::start(&fixture("country")).await;
    assert_eq!(app.get("delta.test", "/").await.status, 404);
    import(&app, "sites/delta/site.toml", "name = \"Gemeente Delta\"\nhosts = [\"delta.test\"]\n");
    app.catch_up();
    let res = app.get("delta.test", "/").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Gemeente Delta"));
}
