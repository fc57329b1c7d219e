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

/// A second, independent app state on the same database: another process, with its own data
/// directory for its derived state (the search index).
struct SecondProcess {
    state: web::Data<meent::web::AppState>,
    server: actix_test::TestServer,
    _data_dir: tempfile::TempDir,
}

impl SecondProcess {
    fn start(first: &TestApp, page_cache: bool) -> SecondProcess {
        Self::start_polling(first, page_cache, 50)
    }

    fn start_polling(first: &TestApp, page_cache: bool, interval_ms: u64) -> SecondProcess {
        let mut config = first.db.config(&fixture("country"));
        config.feed_interval_ms = interval_ms;
        config.page_cache = page_cache;
        let data_dir = tempfile::tempdir().unwrap();
        config.data_dir = data_dir.path().to_owned();
        // Media live on storage every process shares: the first one's bucket prefix, or its
        // media directory.
        config.media_url = Some(first.state.config.media_url.clone().unwrap_or_else(|| first.state.config.data_dir.join("media").display().to_string()));
        let state = web::Data::new(meent::web::build_state(config).unwrap());
        let data = state.clone();
        let server = actix_test::start(move || meent::web::app(data.clone()));
        SecondProcess { state, server, _data_dir: data_dir }
    }

    async fn get(&self, host: &str, path: &str) -> String {
        let client = awc::Client::builder().disable_redirects().finish();
        let req = client.get(self.server.url(path)).insert_header(("Host", host)).address(self.server.addr());
        String::from_utf8(req.send().await.unwrap().body().await.unwrap().to_vec()).unwrap()
    }
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
    let second = SecondProcess::start(&first, true);
    assert!(!second.get("alpha.test", "/producten/paspoort").await.contains("NIEUWEALPHATEKST"));
    import(&first, "sites/alpha/overrides/paspoort.md", SITE_OVERRIDE);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !second.get("alpha.test", "/producten/paspoort").await.contains("NIEUWEALPHATEKST") {
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

/// What a process holds in memory (the catalogue, and per group or site its overrides, pages,
/// news and alerts) follows edits made by another process, kind by kind, and only where the
/// change belongs.
#[actix_web::test]
async fn content_held_in_memory_follows_every_kind_of_change() {
    let first = TestApp::start(&fixture("country")).await;
    // Without its page cache, every request is built from the content held in memory.
    let second = SecondProcess::start(&first, false);
    // Load everything into the second process's memory.
    for (host, path) in [("alpha.test", "/producten/paspoort"), ("beta.test", "/producten/paspoort"), ("alpha.test", "/afval/pmd"), ("alpha.test", "/nieuws"), ("beta.test", "/nieuws"), ("beta.test", "/")] {
        assert!(!second.get(host, path).await.contains("NIEUW"), "{host}{path} before the edits");
    }
    assert!(second.state.content.holds_catalogue() && second.state.content.held_layers() > 0);

    let central = fs::read_to_string(fixture("country").join("catalogue/paspoort.md")).unwrap().replace("Vijf werkdagen.", "CENTRAALNIEUW");
    import(&first, "catalogue/paspoort.md", &central);
    import(&first, "groups/regio/overrides/paspoort.md", "+++\nbased_on = 2\n[sections.kosten]\nmode = \"append\"\n+++\n## Kosten {#kosten}\nGROEPNIEUW\n");
    import(&first, "sites/alpha/pages/afval/pmd.md", "+++\ntitle = \"Plastic, metaal en drinkpakken\"\n+++\nPAGINANIEUW\n");
    import(&first, "groups/regio/news/2026-03-01-bericht.md", "+++\ntitle = \"GROEPSNIEUWSNIEUW\"\n+++\nTekst.\n");
    import(&first, "sites/beta/alerts/storing.md", "+++\ntitle = \"MELDINGNIEUW\"\nseverity = \"error\"\n+++\nStoring.\n");

    let expected = [
        ("beta.test", "/producten/paspoort", "CENTRAALNIEUW"),
        ("alpha.test", "/producten/paspoort", "GROEPNIEUW"),
        ("alpha.test", "/afval/pmd", "PAGINANIEUW"),
        ("alpha.test", "/nieuws", "GROEPSNIEUWSNIEUW"),
        ("beta.test", "/nieuws", "GROEPSNIEUWSNIEUW"),
        ("beta.test", "/", "MELDINGNIEUW"),
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    for (host, path, text) in expected {
        while !second.get(host, path).await.contains(text) {
            assert!(Instant::now() < deadline, "the second process never showed {text} on {host}{path}");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert!(!second.get("alpha.test", "/").await.contains("MELDINGNIEUW"), "an alert of one site stays there");
    assert!(!second.get("alpha.test", "/afval/pmd").await.contains("PMDTEKST"), "the old page text is gone");
}

/// A follower that fails while told to, and records what it applied.
#[derive(Default)]
struct Flaky {
    failing: std::sync::atomic::AtomicBool,
    applied: std::sync::Mutex<Vec<i64>>,
}

impl meent::feed::Follower for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }

    fn apply(&self, changes: &[meent::db::models::changes::Change], _: &meent::content::directory::Directory, _: &mut meent::db::DbConnection) -> Result<meent::feed::Applied, meent::feed::FollowError> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(meent::feed::FollowError("the disk is full".into()));
        }
        self.applied.lock().unwrap().extend(changes.iter().map(|c| c.id));
        Ok(meent::feed::Applied::Done)
    }
}

#[actix_web::test]
async fn a_failing_follower_gets_the_change_again_and_the_node_says_it_is_unready() {
    let app = TestApp::start(&fixture("country")).await;
    let flaky = std::sync::Arc::new(Flaky::default());
    flaky.failing.store(true, std::sync::atomic::Ordering::SeqCst);
    app.state.feed.follow(flaky.clone());
    let token = common::user(&app, "ed@example.org", "editor", "site:alpha", None);
    let made = app.api(&token, "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({ "path": "nieuw", "title": "Nieuw", "body": "Tekst." })), &[]).await;
    assert_eq!(made.status, 201, "a follower's failure is not the writer's: {}", made.body);
    let change = { meent::db::models::changes::latest(&mut app.state.pool.get().unwrap()).unwrap() };
    // The poller retries; after a few failures the node is unready.
    let unready = common::eventually(10, async || app.get("alpha.test", "/healthz").await.status == 503).await;
    assert!(unready, "a follower that keeps failing makes the node unready");
    let health = app.get("alpha.test", "/healthz").await.json();
    let entry = health["followers"].as_array().unwrap().iter().find(|f| f["name"] == "flaky").unwrap().clone();
    assert!(entry["failures"].as_u64().unwrap() >= 3 && entry["last_error"] == "the disk is full", "{entry}");
    assert!(flaky.applied.lock().unwrap().is_empty());
    // The cause goes away: the same change arrives, nothing skipped, and the node is ready.
    flaky.failing.store(false, std::sync::atomic::Ordering::SeqCst);
    let healed = common::eventually(10, async || app.get("alpha.test", "/healthz").await.status == 200).await;
    assert!(healed);
    assert!(flaky.applied.lock().unwrap().contains(&change), "the change was applied after the failures");
    assert_eq!(app.get("alpha.test", "/nieuw").await.status, 200, "the other followers went on meanwhile");
}

/// A change this build cannot read (a kind a newer release wrote) stops the followers where it
/// is and says so in `/healthz`; once it is gone, everything after it is applied.
#[actix_web::test]
async fn an_unreadable_change_makes_the_node_unready_instead_of_stalling_silently() {
    use diesel::RunQueryDsl;
    let app = TestApp::start(&fixture("country")).await;
    {
        let mut conn = app.state.pool.get().unwrap();
        diesel::sql_query("INSERT INTO changes (at, kind, item_key) VALUES (0, 'theme', 'x')").execute(&mut conn).unwrap();
    }
    let unready = common::eventually(10, async || app.get("alpha.test", "/healthz").await.status == 503).await;
    assert!(unready, "{}", app.get("alpha.test", "/healthz").await.body);
    let health = app.get("alpha.test", "/healthz").await.body;
    assert!(health.contains("unknown kind of change") && health.contains("theme"), "{health}");
    {
        let mut conn = app.state.pool.get().unwrap();
        diesel::sql_query("DELETE FROM changes WHERE kind = 'theme'").execute(&mut conn).unwrap();
    }
    let healed = common::eventually(10, async || app.get("alpha.test", "/healthz").await.status == 200).await;
    assert!(healed);
}

#[actix_web::test]
async fn a_rebuild_applies_again_what_came_in_while_it_ran() {
    let app = TestApp::start(&fixture("country")).await;
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = meent::search::SearchIndex::open(dir.path()).unwrap();
    let index = std::sync::Arc::new(index);
    let follower = std::sync::Arc::new(meent::search::SearchFollower::new(index.clone(), app.state.pool.clone(), std::sync::Arc::default()));
    let mut conn = app.state.pool.get().unwrap();
    let feed = meent::feed::Feed::start(&mut conn).unwrap();
    let before = feed.cursor();
    follower.begin_rebuild();
    feed.follow(follower.clone());
    // An edit while the rebuild runs: the follower defers it, the feed keeps it.
    let token = common::user(&app, "ed@example.org", "editor", "site:alpha", None);
    let made = app.api(&token, "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({ "path": "regenboog", "title": "Regenboogpagina", "body": "Over de regenboog." })), &[]).await;
    assert_eq!(made.status, 201);
    feed.catch_up(&mut conn).unwrap();
    let health = feed.health().into_iter().find(|h| h.name == "search").unwrap();
    assert!(health.deferred && health.behind > 0 && health.failures == 0, "{health:?}");
    // The rebuild read the database as of `before`; what came after is applied on top.
    let directory = meent::feed::current(feed.directory());
    follower.rebuild(&directory, before).unwrap();
    assert_eq!(index.position(), Some(before));
    feed.catch_up(&mut conn).unwrap();
    let health = feed.health().into_iter().find(|h| h.name == "search").unwrap();
    assert!(!health.deferred && health.behind == 0 && health.position == feed.cursor(), "{health:?}");
    assert_eq!(index.position(), Some(feed.cursor()), "the feed brought the rebuilt index up to date");
    let site = meent::web::site_id(&app.state, "alpha").unwrap();
    let request = meent::search::Request { text: "regenboogpagina".into(), page: 1, per_page: 10, ..Default::default() };
    assert_eq!(index.search(site, &request, meent::now()).unwrap().total, 1);
}

#[actix_web::test]
async fn fresh_nodes_starting_together_migrate_and_import_once() {
    let first = common::TestDb::new();
    let data: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let threads: Vec<_> = data
        .iter()
        .map(|d| {
            let mut config = first.config(&fixture("country"));
            config.data_dir = d.path().to_owned();
            std::thread::spawn(move || meent::web::build_state(config).map(drop).map_err(|e| e.to_string()))
        })
        .collect();
    for t in threads {
        t.join().unwrap().expect("every node starts");
    }
    let mut conn = first.conn();
    use diesel::prelude::*;
    let products: i64 = meent::db::schema::products::table.count().get_result(&mut conn).unwrap();
    let imports: i64 = meent::db::schema::revisions::table.filter(meent::db::schema::revisions::kind.eq(meent::content::kind::Kind::Product)).count().get_result(&mut conn).unwrap();
    assert_eq!(products, imports, "each product was imported once");
}

#[actix_web::test]
async fn an_image_uploaded_through_one_process_is_served_by_another() {
    let first = TestApp::start(&fixture("country")).await;
    let second = SecondProcess::start(&first, true);
    let token = common::user(&first, "ed@example.org", "editor", "site:alpha", None);
    let img = common::jpeg(640, 480);
    let (content_type, body) = common::multipart(&[("alt", "Het gemeentehuis")], Some(("gemeentehuis.jpg", "image/jpeg", &img)));
    let auth = format!("Bearer {token}");
    let made = first.send("POST", "alpha.test", "/api/v1/admin/sites/alpha/media", &[("Authorization", &auth), ("Content-Type", &content_type)], Some(body)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let file = made.json()["file_url"].as_str().unwrap().to_owned();
    let key = made.json()["key"].as_str().unwrap().to_owned();
    // The other process serves the master, and makes (and stores) a variant nobody made yet.
    let client = awc::Client::default();
    let get = |path: String| {
        let req = client.get(second.server.url(&path)).insert_header(("Host", "alpha.test")).address(second.server.addr());
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let served = common::eventually(10, async || get(file.clone()).await == 200).await;
    assert!(served, "{file} on the second process");
    let hash = file.rsplit('/').next().unwrap().split('.').next().unwrap().to_owned();
    assert_eq!(get(format!("/media/{key}/{hash}-320.webp")).await, 200);
    assert!(first.state.media.store.exists(&format!("{hash}-320.webp")) || first.state.media.store.list().unwrap().iter().any(|n| n.starts_with(&format!("{hash}-320"))));
}

#[actix_web::test]
async fn on_postgresql_a_commit_wakes_the_other_processes() {
    let first = TestApp::start(&fixture("country")).await;
    if !first.db.is_postgres() {
        return; // one SQLite file has one serving process
    }
    // A poll interval of a minute: only the notification can bring the edit over in time.
    let second = SecondProcess::start_polling(&first, true, 60_000);
    assert!(second.get("alpha.test", "/producten/paspoort").await.contains("Paspoort"));
    import(&first, "sites/alpha/overrides/paspoort.md", SITE_OVERRIDE);
    let seen = common::eventually(20, async || second.get("alpha.test", "/producten/paspoort").await.contains("NIEUWEALPHATEKST")).await;
    assert!(seen, "the second process was woken by the commit");
}

#[actix_web::test]
async fn on_postgresql_a_long_write_does_not_hold_up_other_writers() {
    use meent::db::models::changes::{self, NewChange};
    let app = TestApp::start(&fixture("country")).await;
    if !app.db.is_postgres() {
        return; // SQLite has one writer at a time by design
    }
    // A long write (an import, say) is open and has recorded a change…
    let (entered, entered_rx) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    let pool = app.state.pool.clone();
    let long = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        meent::db::write_tx(&mut conn, |c| -> diesel::QueryResult<bool> {
            changes::record(c, &NewChange { at: 0, kind: meent::content::kind::Kind::Thesaurus, item_key: "lang", group_id: None, site_id: None })?;
            entered.send(()).unwrap();
            // Released by the test once the other write committed; if that write had to wait
            // for this one, the release never comes and this gives up.
            Ok(release_rx.recv_timeout(Duration::from_secs(60)).is_ok())
        })
        .unwrap()
    });
    entered_rx.recv().unwrap();
    // …and an editor's save goes through meanwhile.
    let before = changes_latest(&app);
    import(&app, "sites/alpha/overrides/paspoort.md", SITE_OVERRIDE);
    let saved_at = changes_latest(&app);
    assert!(saved_at > before, "the save committed while the long write was open");
    release.send(()).unwrap();
    assert!(long.join().unwrap(), "the long write was still open when the save committed");
    // The change log holds both, in commit order, so no follower can skip either.
    let mut conn = app.state.pool.get().unwrap();
    let log = changes::since(&mut conn, before, 100).unwrap();
    assert_eq!(log.last().map(|c| c.kind), Some(meent::content::kind::Kind::Thesaurus), "the long write's change comes last: {log:?}");
    assert!(log.iter().any(|c| c.kind == meent::content::kind::Kind::Override));
}

fn changes_latest(app: &TestApp) -> i64 {
    let mut conn = app.state.pool.get().unwrap();
    meent::db::models::changes::latest(&mut conn).unwrap()
}
