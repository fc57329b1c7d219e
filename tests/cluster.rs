//! The cluster: three `meent serve` nodes on one PostgreSQL database and one S3-compatible
//! bucket, behind nginx, started from the very files of docs/deploy.md (`docs/deploy/nginx.conf`
//! and `docs/deploy/meent-node.env`). Through nginx an editor signs in and keeps working
//! whichever node answers; an uploaded image is served by every node; an edit shows on every
//! node and in its search; a node killed in the middle of writes loses nothing acknowledged,
//! nginx routes around it, and the restarted node catches up by itself.
//!
//! Runs when `MEENT_CLUSTER_TEST=1`, with `MEENT_TEST_DATABASE_URL` (PostgreSQL),
//! `MEENT_TEST_MEDIA_URL` (`s3://…`, with the `AWS_*` variables) and nginx installed, as
//! `.ci/run` does; plain `cargo test` has no such servers and leaves it out.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const HOST: &str = "alpha.test";
const PASSWORD: &str = "een heel lang wachtwoord";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A file of docs/deploy with its `${NAME}` placeholders filled in.
fn filled(file: &str, values: &BTreeMap<&str, String>) -> String {
    let mut text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/deploy").join(file)).unwrap();
    for (name, value) in values {
        text = text.replace(&format!("${{{name}}}"), value);
    }
    let left = text.match_indices("${").any(|(i, _)| text[i + 2..].starts_with(|c: char| c.is_ascii_uppercase()));
    assert!(!left, "every placeholder of {file} is filled: {text}");
    text
}

/// `KEY=VALUE` lines of an environment file.
fn environment(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

struct Node {
    port: u16,
    data: PathBuf,
    env: Vec<(String, String)>,
    child: Option<Child>,
}

impl Node {
    fn start(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_meent"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            // The test polls search far more often than residents could: no rate limits here.
            .env("MEENT_RATE_LIMITS", "off")
            .stdout(Stdio::null())
            .spawn()
            .expect("start a node");
        self.child = Some(child);
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// nginx with its configuration, stopped with `nginx -s stop` (its master then takes the
/// workers down; killing the master outright would leave them running).
struct Nginx {
    child: Child,
    binary: &'static str,
    conf: PathBuf,
    run_dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let stopped = Command::new(self.binary)
            .args(["-c", &self.conf.display().to_string(), "-p", &self.run_dir.display().to_string(), "-s", "stop"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            self.child.kill().ok();
        }
        self.child.wait().ok();
    }
}

fn client() -> awc::Client {
    awc::Client::builder().disable_redirects().timeout(Duration::from_secs(30)).finish()
}

async fn get(url: &str, headers: &[(&str, &str)]) -> Option<(u16, String, Vec<String>)> {
    let mut req = client().get(url).insert_header(("Host", HOST));
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let mut res = req.send().await.ok()?;
    let cookies = res.headers().get_all("set-cookie").filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let body = res.body().limit(32 << 20).await.ok()?;
    Some((res.status().as_u16(), String::from_utf8_lossy(&body).into_owned(), cookies))
}

async fn send(url: &str, method: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Option<(u16, String, Vec<String>)> {
    let mut req = client().request(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap(), url).insert_header(("Host", HOST));
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let mut res = req.send_body(body).await.ok()?;
    let cookies = res.headers().get_all("set-cookie").filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let body = res.body().limit(32 << 20).await.ok()?;
    Some((res.status().as_u16(), String::from_utf8_lossy(&body).into_owned(), cookies))
}

fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

fn cookie_pairs(set: &[String]) -> Vec<String> {
    set.iter().filter_map(|c| c.split(';').next()).map(str::to_owned).collect()
}

#[actix_web::test]
async fn three_nodes_behind_nginx_on_postgresql_and_object_storage() {
    if std::env::var("MEENT_CLUSTER_TEST").as_deref() != Ok("1") {
        eprintln!("MEENT_CLUSTER_TEST is not 1: the cluster test runs in .ci/run");
        return;
    }
    let db = common::TestDb::new();
    assert!(db.is_postgres(), "the cluster runs on PostgreSQL (MEENT_TEST_DATABASE_URL)");
    let media_url = format!("{}/cluster-{}", std::env::var("MEENT_TEST_MEDIA_URL").expect("MEENT_TEST_MEDIA_URL").trim_end_matches('/'), std::process::id());
    let work = tempfile::tempdir().unwrap();
    let var = |k: &str| std::env::var(k).unwrap_or_default();

    // Three nodes from the deploy environment file, started together (one imports).
    let mut nodes: Vec<Node> = (1..=3)
        .map(|i| {
            let data = work.path().join(format!("node{i}"));
            let port = free_port();
            let values: BTreeMap<&str, String> = [
                ("DATABASE_URL", db.url.clone()),
                ("MEDIA_URL", media_url.clone()),
                ("NODE_PORT", port.to_string()),
                ("DATA_DIR", data.display().to_string()),
                ("CONTENT_DIR", common::fixture("country").display().to_string()),
                ("AWS_ENDPOINT", var("AWS_ENDPOINT")),
                ("AWS_DEFAULT_REGION", var("AWS_DEFAULT_REGION")),
                ("AWS_ACCESS_KEY_ID", var("AWS_ACCESS_KEY_ID")),
                ("AWS_SECRET_ACCESS_KEY", var("AWS_SECRET_ACCESS_KEY")),
                ("AWS_ALLOW_HTTP", var("AWS_ALLOW_HTTP")),
            ]
            .into_iter()
            .collect();
            Node { port, data, env: environment(&filled("meent-node.env", &values)), child: None }
        })
        .collect();
    for node in &mut nodes {
        node.start();
    }
    for node in &nodes {
        let up = common::eventually(90, async || get(&node.url("/healthz"), &[]).await.is_some_and(|(s, _, _)| s == 200)).await;
        assert!(up, "node on {} is ready", node.port);
    }

    // nginx from the deploy configuration.
    let listen = free_port();
    let run_dir = work.path().join("nginx");
    std::fs::create_dir_all(&run_dir).unwrap();
    let values: BTreeMap<&str, String> = [
        ("RUN_DIR", run_dir.display().to_string()),
        ("NODE1_PORT", nodes[0].port.to_string()),
        ("NODE2_PORT", nodes[1].port.to_string()),
        ("NODE3_PORT", nodes[2].port.to_string()),
        ("LISTEN_PORT", listen.to_string()),
    ]
    .into_iter()
    .collect();
    let conf = run_dir.join("nginx.conf");
    std::fs::write(&conf, filled("nginx.conf", &values)).unwrap();
    let nginx = ["/usr/sbin/nginx", "nginx"].iter().find(|b| Command::new(b).arg("-v").stderr(Stdio::null()).status().is_ok()).expect("nginx is installed");
    let child = Command::new(nginx).args(["-c", conf.to_str().unwrap(), "-p", run_dir.to_str().unwrap(), "-g", "daemon off;"]).spawn().expect("start nginx");
    let _nginx = Nginx { child, binary: *nginx, conf: conf.clone(), run_dir: run_dir.clone() };
    let front = |path: &str| format!("http://127.0.0.1:{listen}{path}");
    let through = common::eventually(20, async || get(&front("/"), &[]).await.is_some_and(|(s, _, _)| s == 200)).await;
    assert!(through, "nginx serves the sites");

    // An editor, created with the node's own command.
    let cli = |args: &[&str], input: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meent"))
            .args(args)
            .env_clear()
            .envs(nodes[0].env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("MEENT_DATA_DIR", work.path().join("cli"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(text) = input {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let token = cli(&["user", "create", "--email", "ed@example.org", "--role", "editor", "--scope", "site:alpha", "--password-stdin"], Some(&format!("{PASSWORD}\n")));
    let bearer = format!("Bearer {token}");

    // Signing in through nginx: the session holds whichever node answers.
    let (_, form, set) = get(&front("/admin/inloggen"), &[]).await.unwrap();
    let login_cookie = cookie_pairs(&set).join("; ");
    let fields = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("login_token", hidden(&form, "login_token").as_str()), ("email", "ed@example.org"), ("password", PASSWORD), ("terug", "/admin")])
        .finish();
    let (status, _, set) = send(&front("/admin/inloggen"), "POST", &[("Cookie", &login_cookie), ("Content-Type", "application/x-www-form-urlencoded")], fields.into_bytes()).await.unwrap();
    assert_eq!(status, 303);
    let session = cookie_pairs(&set).into_iter().find(|c| c.contains("meent_session")).expect("a session cookie");
    for round in 0..9 {
        let (status, body, _) = get(&front("/admin"), &[("Cookie", &session)]).await.unwrap();
        assert_eq!(status, 200, "round {round}: signed in on every node");
        assert!(body.contains("Overzicht"));
    }
    for node in &nodes {
        assert_eq!(get(&node.url("/admin"), &[("Cookie", &session)]).await.unwrap().0, 200, "node {}", node.port);
    }

    // An image uploaded through nginx is served by every node.
    let (content_type, body) = common::multipart(&[("alt", "Het gemeentehuis")], Some(("gemeentehuis.jpg", "image/jpeg", &common::jpeg(800, 600))));
    let (status, made, _) = send(&front("/api/v1/admin/sites/alpha/media"), "POST", &[("Authorization", &bearer), ("Content-Type", &content_type)], body).await.unwrap();
    assert_eq!(status, 201, "{made}");
    let made: serde_json::Value = serde_json::from_str(&made).unwrap();
    let file = made["file_url"].as_str().unwrap().to_owned();
    let key = made["key"].as_str().unwrap().to_owned();
    let hash = file.rsplit('/').next().unwrap().split('.').next().unwrap().to_owned();
    for node in &nodes {
        assert_eq!(get(&node.url(&file), &[]).await.unwrap().0, 200, "{file} on node {}", node.port);
        assert_eq!(get(&node.url(&format!("/media/{key}/{hash}-320.webp")), &[]).await.unwrap().0, 200, "a variant on node {}", node.port);
    }

    // An edit shows on every node and in each node's search.
    let page = serde_json::json!({ "path": "clusterpagina", "title": "Clusterpagina", "body": "Over de windmolenvergunning." });
    let (status, body, _) = send(&front("/api/v1/admin/sites/alpha/pages"), "POST", &[("Authorization", &bearer), ("Content-Type", "application/json")], page.to_string().into_bytes()).await.unwrap();
    assert_eq!(status, 201, "{body}");
    for node in &nodes {
        let shown = common::eventually(10, async || get(&node.url("/clusterpagina"), &[]).await.is_some_and(|(s, b, _)| s == 200 && b.contains("windmolenvergunning"))).await;
        assert!(shown, "the page on node {}", node.port);
        let found = common::eventually(10, async || get(&node.url("/api/v1/search?q=windmolenvergunning"), &[]).await.is_some_and(|(s, b, _)| s == 200 && b.contains("clusterpagina"))).await;
        assert!(found, "search on node {}", node.port);
    }

    // A node killed in the middle of writes through nginx: every acknowledged save is there.
    let mut acked = Vec::new();
    for n in 0..60 {
        if n == 20 {
            nodes[1].kill();
        }
        let word = format!("clusterwoord{n}");
        let page = serde_json::json!({ "path": format!("cluster/{word}"), "title": word, "body": format!("Tekst met {word}.") });
        if let Some((201, _, _)) = send(&front("/api/v1/admin/sites/alpha/pages"), "POST", &[("Authorization", &bearer), ("Content-Type", "application/json")], page.to_string().into_bytes()).await {
            acked.push(word);
        }
    }
    assert!(acked.len() >= 50, "nginx routes around the dead node: {} of 60 saves acknowledged", acked.len());
    for word in &acked {
        let (status, _, _) = get(&front(&format!("/cluster/{word}")), &[]).await.unwrap();
        assert_eq!(status, 200, "{word} through nginx");
    }
    // The killed node comes back and catches up by itself: pages and search.
    nodes[1].start();
    let back = &nodes[1];
    let up = common::eventually(60, async || get(&back.url("/healthz"), &[]).await.is_some_and(|(s, _, _)| s == 200)).await;
    assert!(up, "the node is ready again ({})", back.data.display());
    for word in &acked {
        assert_eq!(get(&back.url(&format!("/cluster/{word}")), &[]).await.unwrap().0, 200, "{word} on the restarted node");
    }
    let last = acked.last().unwrap().clone();
    let found = common::eventually(60, async || get(&back.url(&format!("/api/v1/search?q={last}")), &[]).await.is_some_and(|(s, b, _)| s == 200 && b.contains(&last))).await;
    assert!(found, "the restarted node's search has {last}");

    // Backup and restore as docs/deploy.md says: a dump of the serving database and a copy of
    // the bucket, restored into a fresh database and a fresh prefix, serve the same pages.
    let dump = work.path().join("meent.dump");
    let dumped = Command::new("pg_dump").args(["-Fc", "-f", dump.to_str().unwrap(), &db.url]).status().expect("pg_dump is installed");
    assert!(dumped.success());
    let restored_db = common::TestDb::new();
    let restored = Command::new("pg_restore").args(["--no-owner", "-d", &restored_db.url, dump.to_str().unwrap()]).status().expect("pg_restore is installed");
    assert!(restored.success());
    let restored_media = format!("{media_url}-restored");
    let (from, to) = (meent::media::store::open(&media_url).unwrap(), meent::media::store::open(&restored_media).unwrap());
    let names = from.list().unwrap();
    assert!(!names.is_empty());
    for name in &names {
        to.put(name, &from.get(name).unwrap().expect("listed")).unwrap();
    }
    let mut fresh = Node { port: free_port(), data: work.path().join("restored"), env: nodes[0].env.clone(), child: None };
    for (k, v) in &mut fresh.env {
        match k.as_str() {
            "MEENT_DATABASE_URL" => *v = restored_db.url.clone(),
            "MEENT_MEDIA_URL" => *v = restored_media.clone(),
            "MEENT_ADDR" => *v = format!("127.0.0.1:{}", fresh.port),
            "MEENT_DATA_DIR" => *v = fresh.data.display().to_string(),
            _ => {}
        }
    }
    fresh.start();
    let up = common::eventually(60, async || get(&fresh.url("/healthz"), &[]).await.is_some_and(|(s, _, _)| s == 200)).await;
    assert!(up, "the restored node is ready");
    let first_word = format!("/cluster/{}", acked[0]);
    for path in ["/", "/clusterpagina", first_word.as_str(), "/producten", file.as_str()] {
        let (want, got) = (get(&nodes[0].url(path), &[]).await.unwrap(), get(&fresh.url(path), &[]).await.unwrap());
        assert_eq!((want.0, &want.1), (got.0, &got.1), "{path}: the restored installation serves what the original does");
    }
    let found = common::eventually(60, async || get(&fresh.url(&format!("/api/v1/search?q={last}")), &[]).await.is_some_and(|(s, b, _)| s == 200 && b.contains(&last))).await;
    assert!(found, "the restored node rebuilt its search index");
}
