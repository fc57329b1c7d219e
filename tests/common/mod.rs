//! Test harness: a fresh database per test (SQLite in a temp dir, or a new PostgreSQL
//! database when `MEENT_TEST_DATABASE_URL` is set), and the real app on a real port.
#![allow(dead_code)]

pub mod browser;
pub mod mmdb;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::web;
use diesel::{Connection, PgConnection, RunQueryDsl};
use meent::config::Config;
use meent::db::{self, DbUrl};
use meent::web::{AppState, app, build_state};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match std::env::var("MEENT_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(base) => {
                let name = format!(
                    "meent_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    fastrand::u32(..)
                );
                let mut admin = PgConnection::establish(&base).expect("connect to MEENT_TEST_DATABASE_URL");
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create test database");
                let (prefix, _) = base.rsplit_once('/').expect("database URL with a database name");
                let url = format!("{prefix}/{name}");
                TestDb { url, dir, pg: Some((base, name)) }
            }
            None => {
                let url = dir.path().join("meent.db").display().to_string();
                TestDb { url, dir, pg: None }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub fn config(&self, content: &Path) -> Config {
        let mut config = Config::for_data_dir(self.dir.path(), &self.url);
        config.content_dir = content.to_owned();
        config
    }

    pub fn conn(&self) -> db::Conn {
        let pool = db::connect(&DbUrl::parse(&self.url).unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        db::migrate(&mut conn).unwrap();
        conn
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = &self.pg {
            if let Ok(mut admin) = PgConnection::establish(base) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
            }
        }
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn demo_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// The real app, serving on a free local port.
pub struct TestApp {
    pub db: TestDb,
    pub server: actix_test::TestServer,
    pub state: web::Data<AppState>,
}

pub struct Response {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
    pub raw: Vec<u8>,
}

impl Response {
    pub fn new(status: actix_web::http::StatusCode, headers: &actix_web::http::header::HeaderMap, bytes: &[u8]) -> Response {
        Response { status: status.as_u16(), headers: headers.clone(), body: String::from_utf8_lossy(bytes).into_owned(), raw: bytes.to_vec() }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl TestApp {
    pub async fn start(content: &Path) -> TestApp {
        Self::start_with(content, |_| {}).await
    }

    pub async fn start_with(content: &Path, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::new();
        let mut config = db.config(content);
        config.feed_interval_ms = 50;
        // Tests make many requests from one address; the tests of the limits turn them on.
        config.rate_limits.enabled = false;
        // With MEENT_TEST_MEDIA_URL (s3://BUCKET, as `.ci/run` sets against SeaweedFS), media go
        // to object storage, under a prefix of this test's own.
        if let Some(url) = std::env::var("MEENT_TEST_MEDIA_URL").ok().filter(|u| !u.is_empty()) {
            config.media_url = Some(format!("{}/t{}-{}-{}", url.trim_end_matches('/'), std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), fastrand::u32(..)));
        }
        adjust(&mut config);
        let state = web::Data::new(build_state(config).expect("app state"));
        // Tests start from a ready node: the search index of a fresh data dir is built in the
        // background, and edits made meanwhile wait for it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !state.search.is_ready() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let data = state.clone();
        let server = actix_test::start(move || app(data.clone()));
        TestApp { db, server, state }
    }

    pub async fn request(&self, method: &str, host: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        self.send(method, host, path, headers, None).await
    }

    /// A request with a body (and its headers).
    pub async fn send(&self, method: &str, host: &str, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Response {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let client = awc::Client::builder().disable_redirects().timeout(std::time::Duration::from_secs(60)).finish();
        let mut req = client.request(method, self.server.url(path)).insert_header(("Host", host)).address(self.server.addr());
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_body(b).await.expect("request"),
            None => req.send().await.expect("request"),
        };
        let body = res.body().limit(64 * 1024 * 1024).await.expect("body");
        Response::new(res.status(), res.headers(), &body)
    }

    pub async fn get(&self, host: &str, path: &str) -> Response {
        self.request("GET", host, path, &[]).await
    }

    /// Imports one content file, written at `rel` in a directory of its own, as the import
    /// command would.
    pub fn import_file(&self, rel: &str, text: &str) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        let mut conn = self.state.pool.get().unwrap();
        meent::content::import::import_dir(&mut conn, dir.path(), None, meent::now(), None).unwrap();
    }

    /// Applies committed changes now instead of waiting for the poll.
    pub fn catch_up(&self) {
        let mut conn = self.state.pool.get().unwrap();
        self.state.feed.catch_up(&mut conn).unwrap();
    }
}

/// A `multipart/form-data` body: text fields and at most one file (field name `file`).
/// Returns the content type (with its boundary) and the body.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "meent-test-boundary-7d3f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    if let Some((filename, content_type, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A photo-like JPEG of the given size.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 199) as u8])));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).expect("encode a JPEG");
    out.into_inner()
}

/// A user with one grant; returns its API token.
pub fn user(app: &TestApp, email: &str, role: &str, scope: &str, password: Option<&str>) -> String {
    let mut conn = app.state.pool.get().unwrap();
    let role = meent::auth::permissions::Role::parse(role).expect("role");
    let scope = meent::auth::permissions::Scope::parse(scope).expect("scope");
    meent::auth::accounts::create_user(&mut conn, email, role, &scope, password, "test", meent::now()).expect("create user")
}

impl TestApp {
    /// An admin API call with a bearer token and a JSON body.
    pub async fn api(&self, token: &str, method: &str, path: &str, body: Option<serde_json::Value>, headers: &[(&str, &str)]) -> Response {
        let auth = format!("Bearer {token}");
        let mut all: Vec<(&str, &str)> = vec![("Authorization", &auth), ("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.send(method, "alpha.test", path, &all, body.map(|b| b.to_string().into_bytes())).await
    }
}

/// Polls `check` until it holds or `seconds` pass; returns whether it held.
pub async fn eventually(seconds: u64, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if check().await {
            return true;
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
