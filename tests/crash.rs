//! A node killed mid-write: the real `meent` binary serves, writers stream saves through the
//! admin API, the process gets SIGKILL, and a new process starts on the same database and data
//! directory. The database passes its integrity check, every acknowledged save is there, and
//! search catches up by itself. On SQLite, and on PostgreSQL with `MEENT_TEST_DATABASE_URL`.

mod common;

use std::cell::RefCell;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Node {
    child: Child,
    port: u16,
}

fn env(db: &common::TestDb, data: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("MEENT_DATABASE_URL", db.url.clone()),
        ("MEENT_DATA_DIR", data.display().to_string()),
        ("MEENT_CONTENT_DIR", common::fixture("country").display().to_string()),
        ("MEENT_RATE_LIMITS", "off".into()),
        ("RUST_LOG", "warn".into()),
    ]
}

async fn start(db: &common::TestDb, data: &std::path::Path) -> Node {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_meent"))
        .arg("serve")
        .envs(env(db, data))
        .env("MEENT_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .expect("start meent");
    let node = Node { child, port };
    let up = common::eventually(60, async || get(&node, "127.0.0.1", "/healthz").await.is_some_and(|(s, _)| s == 200)).await;
    assert!(up, "meent did not start");
    node
}

fn client() -> awc::Client {
    awc::Client::builder().timeout(Duration::from_secs(20)).finish()
}

async fn get(node: &Node, host: &str, path: &str) -> Option<(u16, String)> {
    let mut res = client().get(format!("http://127.0.0.1:{}{path}", node.port)).insert_header(("Host", host)).send().await.ok()?;
    let body = res.body().limit(16 << 20).await.ok()?;
    Some((res.status().as_u16(), String::from_utf8_lossy(&body).into_owned()))
}

#[actix_web::test]
async fn a_node_killed_during_writes_loses_no_acknowledged_save() {
    let db = common::TestDb::new();
    let data = tempfile::tempdir().unwrap();
    let node = start(&db, data.path()).await;
    let out = Command::new(env!("CARGO_BIN_EXE_meent"))
        .args(["user", "create", "--email", "schrijver@example.org", "--role", "editor", "--scope", "site:alpha"])
        .envs(env(&db, data.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();

    // Four writers save pages as fast as they can; each answer of 201 is an acknowledged save.
    let acked: Rc<RefCell<Vec<String>>> = Rc::default();
    let stop = Rc::new(std::cell::Cell::new(false));
    let started = Instant::now();
    let writers = (0..4).map(|w| {
        let (acked, stop, token, port) = (acked.clone(), stop.clone(), token.clone(), node.port);
        async move {
            let mut n = 0;
            while !stop.get() {
                n += 1;
                let word = format!("crashwoord{w}x{n}");
                let body = serde_json::json!({ "path": format!("crash/{word}"), "title": format!("Pagina {word}"), "body": format!("De tekst met {word}.") });
                let sent = client()
                    .post(format!("http://127.0.0.1:{port}/api/v1/admin/sites/alpha/pages"))
                    .insert_header(("Host", "alpha.test"))
                    .insert_header(("Authorization", format!("Bearer {token}")))
                    .insert_header(("Content-Type", "application/json"))
                    .send_body(body.to_string())
                    .await;
                match sent {
                    Ok(res) if res.status().as_u16() == 201 => acked.borrow_mut().push(word),
                    Ok(res) => panic!("a save was refused: {}", res.status()),
                    // The process is gone: what was in flight was never acknowledged.
                    Err(_) => break,
                }
            }
        }
    });
    let child = Rc::new(RefCell::new(node.child));
    let killer = {
        let (acked, stop, child) = (acked.clone(), stop.clone(), child.clone());
        async move {
            while acked.borrow().len() < 40 && started.elapsed() < Duration::from_secs(30) {
                actix_web::rt::time::sleep(Duration::from_millis(20)).await;
            }
            // SIGKILL (what `Child::kill` sends on Unix) in the middle of the stream: no shutdown,
            // no flush.
            child.borrow_mut().kill().unwrap();
            stop.set(true);
        }
    };
    futures_util::future::join(futures_util::future::join_all(writers), killer).await;
    child.borrow_mut().wait().unwrap();
    let saved = acked.borrow().clone();
    assert!(saved.len() >= 40, "{} saves acknowledged before the kill", saved.len());

    // The database is consistent.
    if db.is_postgres() {
        let mut conn = diesel::PgConnection::establish(&db.url).unwrap();
        diesel::sql_query("SELECT count(*) FROM pages").execute(&mut conn).unwrap();
    } else {
        #[derive(diesel::QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let mut conn = diesel::SqliteConnection::establish(&db.url).unwrap();
        let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn).unwrap();
        assert_eq!(check.iter().map(|c| c.integrity_check.as_str()).collect::<Vec<_>>(), ["ok"]);
    }

    // A new process on the same database and data directory: every acknowledged save is there,
    // and search finds the last ones without anyone running `meent reindex`.
    let node = start(&db, data.path()).await;
    for word in &saved {
        let page = get(&node, "alpha.test", &format!("/crash/{word}")).await.unwrap();
        assert_eq!(page.0, 200, "{word} was acknowledged but is gone");
        assert!(page.1.contains(word.as_str()));
    }
    let last = saved.last().unwrap().clone();
    let found = common::eventually(90, async || {
        get(&node, "alpha.test", &format!("/api/v1/search?q={last}")).await.is_some_and(|(s, body)| s == 200 && body.contains(&format!("crash/{last}")))
    })
    .await;
    assert!(found, "search caught up with {last}");
    let mut node = node;
    node.child.kill().ok();
    node.child.wait().ok();
}
