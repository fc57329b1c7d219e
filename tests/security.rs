//! Regressions of the outside security review of 2026-12-03 (its findings are listed in
//! SECURITY.md), one test per finding, each over real HTTP against the real
//! app on SQLite and, with `MEENT_TEST_DATABASE_URL`, PostgreSQL.

mod common;

use common::browser::{Browser, hidden};
use common::{TestApp, fixture, user};
use diesel::prelude::*;
use meent::db::schema;

const PASSWORD: &str = "een heel lang wachtwoord";
const ALPHA: &str = "alpha.test";

async fn app() -> TestApp {
    TestApp::start(&fixture("country")).await
}

fn tokens_of(app: &TestApp, email: &str) -> Vec<meent::db::models::accounts::Token> {
    let mut conn = app.state.pool.get().unwrap();
    let user = meent::db::models::accounts::user_by_email(&mut conn, email).unwrap().unwrap();
    meent::db::models::accounts::tokens_of(&mut conn, user.id).unwrap()
}

fn password_hash(app: &TestApp, email: &str) -> Option<String> {
    let mut conn = app.state.pool.get().unwrap();
    meent::db::models::accounts::user_by_email(&mut conn, email).unwrap().unwrap().password_hash
}

// C1: account takeover through "create user".

#[actix_web::test]
async fn creating_a_user_never_touches_an_existing_account() {
    let app = app().await;
    let national = user(&app, "nat@example.org", "admin", "national", Some(PASSWORD));
    let site_admin = user(&app, "sa@example.org", "admin", "site:alpha", Some(PASSWORD));
    let hash_before = password_hash(&app, "nat@example.org");
    let tokens_before = tokens_of(&app, "nat@example.org").len();

    // Through the API: refused, and the national admin's account is as it was.
    let attack = serde_json::json!({ "email": "NAT@example.org", "role": "editor", "scope": "site:alpha", "password": "attacker-pass-1" });
    let res = app.api(&site_admin, "POST", "/api/v1/admin/users", Some(attack.clone()), &[]).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(!res.body.contains("token"));
    let attack = serde_json::json!({ "email": "nat@example.org", "role": "editor", "scope": "site:alpha" });
    assert_eq!(app.api(&site_admin, "POST", "/api/v1/admin/users", Some(attack), &[]).await.status, 403, "not even without a password");
    assert_eq!(password_hash(&app, "nat@example.org"), hash_before);
    assert_eq!(tokens_of(&app, "nat@example.org").len(), tokens_before, "no token minted for the account");
    let me = app.api(&national, "GET", "/api/v1/admin/me", None, &[]).await.json();
    assert_eq!(me["grants"].as_array().unwrap().len(), 1, "no grant added: {me}");

    // Through the admin pages: the same.
    let mut b = Browser::new(&app);
    assert_eq!(b.login("sa@example.org", PASSWORD).await.status, 303);
    let csrf = hidden(&b.get("/admin/gebruikers").await.body, "csrf");
    let res = b.post("/admin/gebruikers", &[("csrf", &csrf), ("email", "nat@example.org"), ("role", "editor"), ("scope", "site:alpha"), ("password", "attacker-pass-1")]).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert_eq!(password_hash(&app, "nat@example.org"), hash_before);
    let mut victim = Browser::new(&app);
    assert_eq!(victim.login("nat@example.org", "attacker-pass-1").await.status, 401, "the attacker's password does not work");
    assert_eq!(victim.login("nat@example.org", PASSWORD).await.status, 303, "the owner's still does");

    // An admin who manages every scope of an account may add a grant: no token, no password.
    let group_admin = user(&app, "ga@example.org", "admin", "group:regio", None);
    user(&app, "beta-ed@example.org", "editor", "site:beta", Some(PASSWORD));
    let beta_tokens = tokens_of(&app, "beta-ed@example.org").len();
    let beta_hash = password_hash(&app, "beta-ed@example.org");
    let grant = serde_json::json!({ "email": "beta-ed@example.org", "role": "admin", "scope": "site:beta" });
    let res = app.api(&group_admin, "POST", "/api/v1/admin/users", Some(grant), &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["existing"], true);
    assert!(res.json()["token"].is_null());
    assert_eq!(tokens_of(&app, "beta-ed@example.org").len(), beta_tokens);
    assert!(tokens_of(&app, "beta-ed@example.org").iter().all(|t| t.revoked_at.is_none()));
    assert_eq!(password_hash(&app, "beta-ed@example.org"), beta_hash);
    let with_password = serde_json::json!({ "email": "beta-ed@example.org", "role": "editor", "scope": "site:alpha", "password": "een ander wachtwoord" });
    assert_eq!(app.api(&group_admin, "POST", "/api/v1/admin/users", Some(with_password), &[]).await.status, 422);
    // A new account gets its first token, with an expiry.
    let new = serde_json::json!({ "email": "nieuw@example.org", "role": "editor", "scope": "site:beta" });
    let res = app.api(&group_admin, "POST", "/api/v1/admin/users", Some(new), &[]).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(res.json()["token"].as_str().is_some_and(|t| t.len() == 64) && res.json()["token_expires_at"].as_i64().is_some());
    // Refusals are audited under the attacker's name.
    let mut conn = app.state.pool.get().unwrap();
    let audit = meent::db::models::accounts::audit_entries(&mut conn, None, 100).unwrap();
    assert!(audit.iter().any(|a| a.actor == "sa@example.org" && a.result == "forbidden" && a.object.contains("nat@example.org")));
}

#[actix_web::test]
async fn a_reset_sets_a_password_and_ends_sessions_and_tokens() {
    let app = app().await;
    let admin = user(&app, "sa@example.org", "admin", "site:alpha", None);
    let victim_token = user(&app, "ed@example.org", "editor", "site:alpha", Some(PASSWORD));
    let mut session = Browser::new(&app);
    assert_eq!(session.login("ed@example.org", PASSWORD).await.status, 303);
    let id = app.api(&admin, "GET", "/api/v1/admin/users", None, &[]).await.json().as_array().unwrap().iter().find(|u| u["email"] == "ed@example.org").unwrap()["id"].as_i64().unwrap();
    let res = app.api(&admin, "POST", &format!("/api/v1/admin/users/{id}/reset"), None, &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let made = res.json()["password"].as_str().unwrap().to_owned();
    assert!(made.len() >= 12);
    assert_eq!(app.api(&victim_token, "GET", "/api/v1/admin/me", None, &[]).await.status, 401, "tokens end");
    assert_eq!(session.get("/admin").await.status, 302, "sessions end");
    let mut again = Browser::new(&app);
    assert_eq!(again.login("ed@example.org", PASSWORD).await.status, 401);
    assert_eq!(again.login("ed@example.org", &made).await.status, 303);
    let mut conn = app.state.pool.get().unwrap();
    let audit = meent::db::models::accounts::audit_entries(&mut conn, None, 50).unwrap();
    assert!(audit.iter().any(|a| a.action == "users.reset" && a.actor == "sa@example.org" && a.object == "ed@example.org"));
    // An admin of another site cannot reset it.
    let other = user(&app, "gamma-admin@example.org", "admin", "site:gamma", None);
    assert_eq!(app.api(&other, "POST", &format!("/api/v1/admin/users/{id}/reset"), None, &[]).await.status, 404);
}

#[actix_web::test]
async fn tokens_have_a_name_an_expiry_and_a_last_use_and_can_be_revoked() {
    let app = app().await;
    let first = user(&app, "ed@example.org", "editor", "site:alpha", None);
    let made = app.api(&first, "POST", "/api/v1/admin/tokens", Some(serde_json::json!({ "name": "publicatiescript", "expires_in_days": 7 })), &[]).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let second = made.json()["token"].as_str().unwrap().to_owned();
    let id = made.json()["id"].as_i64().unwrap();
    assert!(made.json()["expires_at"].as_i64().unwrap() <= meent::now() + 7 * 86_400);
    assert_eq!(app.api(&second, "GET", "/api/v1/admin/me", None, &[]).await.status, 200);
    let list = app.api(&first, "GET", "/api/v1/admin/tokens", None, &[]).await.json();
    let mine = list.as_array().unwrap().iter().find(|t| t["id"] == id).unwrap().clone();
    assert_eq!(mine["name"], "publicatiescript");
    assert!(mine["last_used_at"].as_i64().is_some(), "its use is recorded: {mine}");
    assert!(!list.to_string().contains(&second), "never the secret again");
    assert_eq!(app.api(&first, "POST", "/api/v1/admin/tokens", Some(serde_json::json!({ "name": "x", "expires_in_days": 5000 })), &[]).await.status, 422);
    // Someone else cannot revoke it; its owner can.
    let stranger = user(&app, "gamma@example.org", "admin", "site:gamma", None);
    assert_eq!(app.api(&stranger, "DELETE", &format!("/api/v1/admin/tokens/{id}"), None, &[]).await.status, 404);
    assert_eq!(app.api(&second, "GET", "/api/v1/admin/me", None, &[]).await.status, 200);
    assert_eq!(app.api(&first, "DELETE", &format!("/api/v1/admin/tokens/{id}"), None, &[]).await.status, 204);
    assert_eq!(app.api(&second, "GET", "/api/v1/admin/me", None, &[]).await.status, 401);
    // An expired token stops working.
    let mut conn = app.state.pool.get().unwrap();
    diesel::update(schema::api_tokens::table).set(schema::api_tokens::expires_at.eq(meent::now() - 1)).execute(&mut conn).unwrap();
    assert_eq!(app.api(&first, "GET", "/api/v1/admin/me", None, &[]).await.status, 401);
}

// M1: the catalogue preview.

#[actix_web::test]
async fn only_catalogue_editors_preview_catalogue_text_on_a_site() {
    let app = app().await;
    user(&app, "ed@example.org", "editor", "site:alpha", Some(PASSWORD));
    user(&app, "central@example.org", "editor", "national", Some(PASSWORD));
    let body = "## Kosten {#kosten}\n{{ var.leges }}";
    for (who, expected) in [("ed@example.org", 403), ("central@example.org", 200)] {
        let mut b = Browser::new(&app);
        b.login(who, PASSWORD).await;
        let csrf = hidden(&b.get("/admin").await.body, "csrf");
        let res = b.post("/admin/catalogus/paspoort", &[("csrf", &csrf), ("voorbeeld", "1"), ("site", "beta"), ("title", "x"), ("body", body)]).await;
        assert_eq!(res.status, expected, "{who}: {}", res.body);
    }
    let mut conn = app.state.pool.get().unwrap();
    let audit = meent::db::models::accounts::audit_entries(&mut conn, None, 50).unwrap();
    assert!(audit.iter().any(|a| a.actor == "ed@example.org" && a.result == "forbidden"), "the refusal is audited");
}

// H1: amplification through placeholders.

#[actix_web::test]
async fn placeholders_cannot_amplify_a_text() {
    let app = app().await;
    let editor = user(&app, "ed@example.org", "editor", "site:alpha", None);
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort";
    let current = app.api(&editor, "GET", path, None, &[]).await.json()["revision"].as_i64().unwrap();
    let if_match = format!("\"{current}\"");
    let long_value = serde_json::json!({ "variables": { "a": "A".repeat(120_000) }, "sections": [{ "key": "x-amp", "heading": "x", "body": "{{var.a}}".repeat(14_000) }] });
    let res = app.api(&editor, "PUT", path, Some(long_value), &[("If-Match", &if_match)]).await;
    assert_eq!(res.status, 422, "{}", &res.body[..res.body.len().min(500)]);
    assert!(res.body.contains("/variables/a") && res.body.contains("/sections/x-amp/body"), "names what and how much: {}", &res.body[..res.body.len().min(800)]);
    // The most the limits allow still makes a page of bounded size.
    let within = serde_json::json!({ "variables": { "a": "A".repeat(1_000) }, "sections": [{ "key": "x-amp", "heading": "x", "body": "{{var.a}} ".repeat(200) }] });
    let res = app.api(&editor, "PUT", path, Some(within), &[("If-Match", &if_match)]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let page = app.get(ALPHA, "/producten/paspoort").await;
    assert_eq!(page.status, 200);
    assert!(page.body.len() < 150_000, "the filled section is bounded: {} bytes", page.body.len());
}

// Editors could not save long texts (actix's 16 KiB form limit).

#[actix_web::test]
async fn long_texts_save_and_too_long_ones_are_refused_with_how_much() {
    let app = app().await;
    let editor = user(&app, "ed@example.org", "editor", "site:alpha", Some(PASSWORD));
    let long: String = "Een lange zin over het beleid van de gemeente. ".repeat(4_400);
    assert!(long.len() > 200_000);
    let mut b = Browser::new(&app);
    b.login("ed@example.org", PASSWORD).await;
    let csrf = hidden(&b.get("/admin/sites/alpha/paginas/nieuw").await.body, "csrf");
    let res = b.post("/admin/sites/alpha/paginas/nieuw", &[("csrf", &csrf), ("path", "lang"), ("title", "Lang"), ("body", &long), ("status", "published")]).await;
    assert_eq!(res.status, 303, "{}", &res.body[..res.body.len().min(500)]);
    assert!(app.get(ALPHA, "/lang").await.body.contains("beleid van de gemeente"));
    let res = app.api(&editor, "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({ "path": "lang2", "title": "Lang", "body": long })), &[]).await;
    assert_eq!(res.status, 201);
    let too_long = "x".repeat(meent::content::limits::MAX_TEXT_BYTES + 1);
    let res = app.api(&editor, "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({ "path": "te-lang", "title": "Te lang", "body": too_long })), &[]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("/body") && res.body.contains(&meent::content::limits::MAX_TEXT_BYTES.to_string()), "{}", &res.body[..300]);
    // Bodies over the limit: the answer comes before the body is read.
    let huge = serde_json::json!({ "path": "enorm", "title": "Enorm", "body": "x".repeat(meent::web::MAX_BODY_BYTES + 10) }).to_string();
    let (status, body) = raw_request(&app, "POST", "/api/v1/admin/sites/alpha/pages", &[("Authorization", &format!("Bearer {editor}")), ("Content-Type", "application/json")], huge.as_bytes());
    assert_eq!(status, 413, "{body}");
    assert!(body.contains(&meent::web::MAX_BODY_BYTES.to_string()), "{body}");
    let form = url::form_urlencoded::Serializer::new(String::new()).extend_pairs([("csrf", csrf.as_str()), ("path", "enorm"), ("title", "Enorm"), ("body", &"y".repeat(meent::web::MAX_BODY_BYTES + 10))]).finish();
    let cookie = b.cookie_header();
    let (status, body) = raw_request(&app, "POST", "/admin/sites/alpha/paginas/nieuw", &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded")], form.as_bytes());
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("bytes"), "{}", &body[..body.len().min(2000)]);
}

/// A request over a plain socket that keeps reading the answer when the server stops reading
/// the body (as it does for a body over the limit).
fn raw_request(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(app.server.addr()).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {ALPHA}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

// Search panicked on multibyte input.

#[actix_web::test]
async fn search_never_panics_on_multibyte_text() {
    let app = app().await;
    let q = format!("a{}", "é".repeat(99));
    let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    assert_eq!(app.get(ALPHA, &format!("/zoeken?q={encoded}")).await.status, 200);
    let mut conn = app.state.pool.get().unwrap();
    app.state.misses.flush(&mut conn).unwrap();
}

// M4: page-cache keys.

#[actix_web::test]
async fn the_page_cache_keys_only_on_what_a_route_reads() {
    let app = app().await;
    assert_eq!(app.get(ALPHA, "/producten/paspoort").await.status, 200);
    let entries = app.state.cache.len();
    for n in 0..25 {
        assert_eq!(app.get(ALPHA, &format!("/producten/paspoort?x={n}")).await.status, 200);
        assert_eq!(app.get(&format!("alpha.test:{}", 1000 + n), "/producten/paspoort").await.status, 200);
    }
    assert_eq!(app.state.cache.len(), entries, "unread parameters and unknown ports make no entries");
    for encoded in ["/producten/%70aspoort", "/producten/pas%70oort", "/producten/%70%61spoort"] {
        let res = app.get(ALPHA, encoded).await;
        assert!(res.status == 200 || res.status == 404, "{encoded}: {}", res.status);
    }
    assert_eq!(app.state.cache.len(), entries, "another spelling of the same path makes no entry");
    let linked = app.get("alpha.test:31337", "/producten/paspoort").await.body;
    assert!(!linked.contains(":31337"), "a port the server does not listen on never reaches links");
    assert_eq!(app.get(ALPHA, "/producten?thema=bestaat-niet").await.status, 404);
    assert_eq!(app.get(ALPHA, "/api/v1/products?theme=bestaat-niet").await.status, 404);
    assert_eq!(app.get(ALPHA, "/nieuws?pagina=01").await.status, 404, "one URL per page");
    assert_eq!(app.state.cache.len(), entries, "not-found answers are not kept");
    // A parameter the route does read is part of the key.
    assert_eq!(app.get(ALPHA, "/producten?thema=reizen-en-identiteit&x=1").await.status, 200);
    assert_eq!(app.get(ALPHA, "/producten?x=2&thema=reizen-en-identiteit").await.status, 200);
    assert_eq!(app.state.cache.len(), entries + 1);
}

// M2: logins.

#[actix_web::test]
async fn strangers_cannot_lock_the_rightful_user_out() {
    let app = app().await;
    user(&app, "ed@example.org", "editor", "site:alpha", Some(PASSWORD));
    let mut own = Browser::new(&app);
    assert_eq!(own.login("ed@example.org", PASSWORD).await.status, 303);
    assert!(own.cookies.iter().any(|(n, _)| n == "meent_device"), "the browser is remembered");
    let csrf = hidden(&own.get("/admin").await.body, "csrf");
    assert_eq!(own.post("/admin/uitloggen", &[("csrf", &csrf)]).await.status, 303);
    let mut stranger = Browser::new(&app);
    for _ in 0..8 {
        stranger.login("ed@example.org", "raden raden raden").await;
    }
    // Strangers on the same network try other accounts too, until the network itself waits.
    for n in 0..16 {
        stranger.login(&format!("iemand{n}@example.org"), "raden raden raden").await;
    }
    let slowed = Browser::new(&app).login("ed@example.org", PASSWORD).await;
    assert_eq!(slowed.status, 429, "an unknown browser waits");
    assert!(slowed.header("retry-after").is_some());
    assert_eq!(own.login("ed@example.org", PASSWORD).await.status, 303, "the owner's browser does not, even on that network");
}

#[actix_web::test]
async fn parallel_attempts_are_all_counted_before_any_password_is_checked() {
    let app = app().await;
    user(&app, "ed@example.org", "editor", "site:alpha", Some(PASSWORD));
    let mut forms = Vec::new();
    for _ in 0..12 {
        let mut b = Browser::new(&app);
        let token = hidden(&b.get("/admin/inloggen").await.body, "login_token");
        forms.push((b, token));
    }
    let attempts = forms.iter_mut().map(|(b, token)| {
        let token = token.clone();
        async move { b.post("/admin/inloggen", &[("login_token", &token), ("email", "ed@example.org"), ("password", "raden raden raden")]).await.status }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 5, "only the free attempts reach the password check: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
}

#[actix_web::test]
async fn a_network_is_throttled_per_ipv6_64() {
    let app = TestApp::start_with(&fixture("country"), |c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()]).await;
    let mut statuses = Vec::new();
    for n in 0..24 {
        let mut b = Browser::new(&app);
        let token = hidden(&b.get("/admin/inloggen").await.body, "login_token");
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("login_token", token.as_str()), ("email", &format!("iemand{n}@example.org")), ("password", "raden raden raden")])
            .finish();
        let cookie = b.cookie_header();
        let address = format!("2001:db8:1:2:{n:x}::1");
        let res = app
            .send("POST", ALPHA, "/admin/inloggen", &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded"), ("X-Forwarded-For", &address)], Some(body.into_bytes()))
            .await;
        statuses.push(res.status);
    }
    assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "rotating within one /64 does not help: {statuses:?}");
}

#[actix_web::test]
async fn rate_limits_answer_429_with_retry_after_per_network() {
    let app = TestApp::start_with(&fixture("country"), |c| {
        c.rate_limits = "search=3/min".parse().unwrap();
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
    })
    .await;
    let from = |ip: &'static str| [("X-Forwarded-For", ip)];
    for _ in 0..3 {
        assert_eq!(app.request("GET", ALPHA, "/zoeken?q=paspoort", &from("203.0.113.7")).await.status, 200);
    }
    let limited = app.request("GET", ALPHA, "/api/v1/search?q=paspoort", &from("203.0.113.7")).await;
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").and_then(|r| r.parse::<u64>().ok()).is_some_and(|s| (1..=60).contains(&s)));
    assert_eq!(app.request("GET", ALPHA, "/zoeken?q=paspoort", &from("203.0.113.8")).await.status, 200, "another client is not limited");
    assert_eq!(app.request("GET", ALPHA, "/zoeken", &from("203.0.113.7")).await.status, 200, "the empty search page is not a search");
}

// L2: catalogue drafts and scheduled items.

#[actix_web::test]
async fn drafts_and_scheduled_catalogue_items_exist_only_for_catalogue_editors() {
    let app = app().await;
    let central = user(&app, "central@example.org", "editor", "national", None);
    let site = user(&app, "ed@example.org", "editor", "site:alpha", Some(PASSWORD));
    // The site adjusts a product; then the central team schedules a new version of it.
    let path = "/api/v1/admin/sites/alpha/overrides/rijbewijs";
    let current = app.api(&site, "GET", path, None, &[]).await;
    let base = if current.status == 200 { format!("\"{}\"", current.json()["revision"]) } else { "\"0\"".into() };
    let headers: Vec<(&str, &str)> = if current.status == 200 { vec![("If-Match", &base)] } else { vec![] };
    let res = app.api(&site, "PUT", path, Some(serde_json::json!({ "sections": [{ "key": "wat", "mode": "append", "body": "Lokaal." }] })), &headers).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mut doc = app.api(&central, "GET", "/api/v1/admin/catalogue/rijbewijs", None, &[]).await.json();
    doc["title"] = "GEHEIME NIEUWE TITEL".into();
    doc["publish_at"] = "2030-01-01T00:00:00Z".into();
    doc["sections"][0]["body"] = "GEHEIME NIEUWE TEKST".into();
    let revision = format!("\"{}\"", doc["revision"]);
    assert_eq!(app.api(&central, "PUT", "/api/v1/admin/catalogue/rijbewijs", Some(doc), &[("If-Match", &revision)]).await.status, 200);
    assert_eq!(app.api(&site, "GET", "/api/v1/admin/catalogue/rijbewijs", None, &[]).await.status, 404);
    assert_eq!(app.api(&central, "GET", "/api/v1/admin/catalogue/rijbewijs", None, &[]).await.status, 200);
    assert_eq!(app.api(&site, "GET", "/api/v1/admin/catalogue/geheim-product", None, &[]).await.status, 404);
    let mut b = Browser::new(&app);
    b.login("ed@example.org", PASSWORD).await;
    let dashboard = b.get("/admin").await.body;
    assert!(!dashboard.contains("GEHEIM"), "no scheduled title or text on the dashboard");
    let overview = b.get("/admin/sites/alpha").await.body;
    assert!(!overview.contains("GEHEIM") && !overview.contains("geheim-product"));
    assert_eq!(b.get("/admin/sites/alpha/producten/rijbewijs").await.status, 404);
}

// L3: "Bedoelde u" drew on every site's words, scheduled ones included.

#[actix_web::test]
async fn did_you_mean_uses_only_the_sites_own_visible_words() {
    let app = app().await;
    let central = user(&app, "central@example.org", "editor", "national", None);
    let gamma = user(&app, "gamma@example.org", "editor", "site:gamma", None);
    let doc = serde_json::json!({ "title": "Zeppelinvergunning", "summary": "Landen met een zeppelin.", "publish_at": "2030-01-01T00:00:00Z", "sections": [{ "key": "wat", "heading": "Wat", "body": "Zeppelinvergunning aanvragen." }] });
    assert_eq!(app.api(&central, "PUT", "/api/v1/admin/catalogue/zeppelin", Some(doc), &[]).await.status, 200);
    let page = serde_json::json!({ "path": "kwallenvijver", "title": "Kwallenvijver", "body": "De kwallenvijver van Gamma." });
    assert_eq!(app.api(&gamma, "POST", "/api/v1/admin/sites/gamma/pages", Some(page), &[]).await.status, 201);
    app.catch_up();
    let suggestion = |q: &'static str| {
        let app = &app;
        async move { app.get(ALPHA, &format!("/api/v1/search?q={q}")).await.json()["suggestion"].clone() }
    };
    assert!(suggestion("zeppelinvergunnin").await.is_null(), "a scheduled word is not suggested");
    assert!(suggestion("kwallenvyver").await.is_null(), "another site's word is not suggested");
    let own = app.get("gamma.test", "/api/v1/search?q=kwallenvyver").await.json();
    assert!(own["total"].as_u64() > Some(0) || own["suggestion"] == "kwallenvijver", "on its own site the word is found: {own}");
}

// L4: forwarded headers.

#[actix_web::test]
async fn forwarded_headers_count_the_value_the_trusted_proxy_appended() {
    let app = TestApp::start_with(&fixture("country"), |c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()]).await;
    let res = app.request("GET", "127.0.0.1", "/", &[("X-Forwarded-Host", "beta.test, alpha.test"), ("X-Forwarded-Proto", "https, http")]).await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Gemeente Alpha") && !res.body.contains("Gemeente Beta"), "the proxy's value, not the client's");
    assert!(!res.body.contains("https://alpha.test"), "nor the client's scheme");
}

// L10: control characters.

#[actix_web::test]
async fn control_characters_are_refused_and_xml_stays_well_formed() {
    let app = app().await;
    let editor = user(&app, "ed@example.org", "editor", "site:alpha", None);
    let res = app.api(&editor, "PUT", "/api/v1/admin/sites/alpha/overrides/paspoort", Some(serde_json::json!({ "title": "Pas\u{1}poort" })), &[("If-Match", "\"1\"")]).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("U+0001"));
    // Saved before input refused it (or written by another tool): the outputs stay XML.
    let mut conn = app.state.pool.get().unwrap();
    diesel::sql_query("UPDATE news SET title = 'Nieuws' || char(1) || char(8) || 'bericht'").execute(&mut conn).ok();
    diesel::sql_query("UPDATE news SET title = 'Nieuws' || chr(1) || chr(8) || 'bericht'").execute(&mut conn).ok();
    diesel::sql_query("UPDATE products SET title = 'Pas' || char(2) || 'poort' WHERE slug = 'paspoort'").execute(&mut conn).ok();
    diesel::sql_query("UPDATE products SET title = 'Pas' || chr(2) || 'poort' WHERE slug = 'paspoort'").execute(&mut conn).ok();
    drop(conn);
    app.state.content.clear();
    app.state.cache.clear();
    for path in ["/nieuws/feed.xml", "/sitemap.xml", "/api/v1/samenwerkende-catalogi.xml"] {
        let res = app.get(ALPHA, path).await;
        assert_eq!(res.status, 200, "{path}");
        assert!(roxmltree::Document::parse(&res.body).is_ok(), "{path} is well-formed XML");
        assert!(!res.body.contains('\u{1}') && !res.body.contains('\u{2}'));
    }
}

// L8 and L9: design tokens and the import.

#[actix_web::test]
async fn import_refuses_symlinks_remote_resources_in_tokens_and_images_without_alt() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("country"), dir.path());
    let site = dir.path().join("sites/gamma");
    std::fs::write(site.join("tokens.css"), ":root {\n  --meent-color-primary: #00576e;\n  --logo: image-set(\"https://t.example/x.png\" 1x);\n}\n").unwrap();
    std::fs::write(site.join("site.toml"), "name = \"Gemeente Gamma\"\nhosts = [\"gamma.test\"]\n[theme]\ntokens = \"tokens.css\"\n").unwrap();
    std::fs::create_dir_all(site.join("pages")).unwrap();
    std::fs::write(site.join("pages/foto.md"), "+++\ntitle = \"Foto\"\n+++\nTekst.\n\n<img src=\"https://example.org/a.jpg\">\n").unwrap();
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("sites/beta/redirects.csv")).unwrap();
    // A linked directory too: the pages of another package.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("geleend.md"), "+++\ntitle = \"Geleend\"\n+++\nTekst.\n").unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("sites/gamma/news")).unwrap();
    let db = common::TestDb::new();
    let err = meent::content::import::import_dir(&mut db.conn(), dir.path(), None, meent::now(), None).unwrap_err().to_string();
    assert!(err.contains("sites/gamma/tokens.css:3:") && err.contains("image-set"), "{err}");
    assert!(err.contains("sites/gamma/pages/foto.md:6") && err.contains("alt"), "{err}");
    assert!(err.contains("sites/beta/redirects.csv") && err.contains("symbolic link"), "{err}");
    assert!(err.contains("sites/gamma/news: is a symbolic link"), "{err}");
}

#[actix_web::test]
async fn imported_images_are_always_encoded_again() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("country"), dir.path());
    // A JPEG with a location in its EXIF block, and the hash an old export would have written.
    let mut jpeg = common::jpeg(64, 48);
    let exif = b"Exif\0\0MM\0*\0\0\0\x08GPS-52.3N-4.9E";
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    app1.extend_from_slice(exif);
    jpeg.splice(2..2, app1);
    std::fs::create_dir_all(dir.path().join("media")).unwrap();
    std::fs::write(dir.path().join("media/plein.jpg"), &jpeg).unwrap();
    let hash = &blake3::hash(&jpeg).to_hex()[..32];
    std::fs::write(dir.path().join("media.toml"), format!("[[image]]\nkey = \"plein\"\nfile = \"media/plein.jpg\"\nalt = \"Het plein\"\nhash = \"{hash}\"\n")).unwrap();
    let db = common::TestDb::new();
    let store = tempfile::tempdir().unwrap();
    let files = meent::media::MediaFiles::new(std::sync::Arc::new(meent::media::store::DirStore::new(store.path())), Default::default());
    meent::content::import::import_dir(&mut db.conn(), dir.path(), None, meent::now(), Some(&files)).unwrap();
    let mut stored = Vec::new();
    for entry in walk(store.path()) {
        stored.push(std::fs::read(entry).unwrap());
    }
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|bytes| !bytes.windows(4).any(|w| w == b"Exif") && !bytes.windows(3).any(|w| w == b"GPS")), "no metadata survives");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_dir() { out.extend(walk(&entry.path())) } else { out.push(entry.path()) }
    }
    out
}

// An editor's raw <img> without alt reached residents.

#[actix_web::test]
async fn images_without_a_text_alternative_are_refused() {
    let app = app().await;
    let editor = user(&app, "ed@example.org", "editor", "site:alpha", None);
    let page = |body: &str| serde_json::json!({ "path": "fotos", "title": "Foto's", "body": body });
    let res = app.api(&editor, "POST", "/api/v1/admin/sites/alpha/pages", Some(page("Tekst\n\n<img src=\"https://example.org/a.jpg\">")), &[]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("body (line 3)") && res.body.contains("alt"), "{}", res.body);
    assert_eq!(app.api(&editor, "POST", "/api/v1/admin/sites/alpha/pages", Some(page("![](https://example.org/a.jpg)")), &[]).await.status, 422);
    assert_eq!(app.api(&editor, "POST", "/api/v1/admin/sites/alpha/pages", Some(page("<img alt=\"\" src=\"https://example.org/rand.png\">")), &[]).await.status, 201, "decoration says so");
}

// L11: operations endpoints, admin hosts, HSTS.

#[actix_web::test]
async fn metrics_answer_configured_addresses_or_the_token() {
    let app = TestApp::start_with(&fixture("country"), |c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
        c.metrics_allow = vec!["198.51.100.0/24".parse().unwrap()];
        c.metrics_token = Some("geheim-meettoken".into());
    })
    .await;
    assert_eq!(app.request("GET", ALPHA, "/metrics", &[]).await.status, 200, "loopback");
    assert_eq!(app.request("GET", ALPHA, "/metrics", &[("X-Forwarded-For", "203.0.113.9")]).await.status, 404);
    assert_eq!(app.request("GET", ALPHA, "/metrics", &[("X-Forwarded-For", "198.51.100.20")]).await.status, 200);
    assert_eq!(app.request("GET", ALPHA, "/metrics", &[("X-Forwarded-For", "203.0.113.9"), ("Authorization", "Bearer geheim-meettoken")]).await.status, 200);
    assert_eq!(app.request("GET", ALPHA, "/metrics", &[("X-Forwarded-For", "203.0.113.9"), ("Authorization", "Bearer fout")]).await.status, 404);
}

#[actix_web::test]
async fn the_admin_can_be_limited_to_admin_hosts_and_hsts_is_a_setting() {
    let app = TestApp::start_with(&fixture("country"), |c| {
        c.admin_hosts = vec!["beheer.test".into()];
        c.hsts_seconds = Some(31_536_000);
    })
    .await;
    assert_eq!(app.get(ALPHA, "/admin").await.status, 404);
    assert_eq!(app.get(ALPHA, "/api/v1/admin/me").await.status, 404);
    assert_eq!(app.get("beheer.test", "/admin").await.status, 302);
    assert_eq!(app.get("Beheer.Test:8080", "/api/v1/admin/me").await.status, 401);
    let page = app.get(ALPHA, "/").await;
    assert_eq!(page.status, 200, "resident pages stay");
    assert_eq!(page.header("strict-transport-security"), Some("max-age=31536000; includeSubDomains"));
}

// An update without the revision it is based on.

#[actix_web::test]
async fn updates_without_a_base_revision_get_428_and_change_nothing() {
    let app = app().await;
    let editor = user(&app, "ed@example.org", "editor", "site:alpha", None);
    let made = app.api(&editor, "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({ "path": "basis", "title": "Basis", "body": "Eerst." })), &[]).await.json();
    let path = format!("/api/v1/admin/sites/alpha/pages/{}", made["id"]);
    let res = app.api(&editor, "PUT", &path, Some(serde_json::json!({ "path": "basis", "title": "Basis", "body": "Overschreven." })), &[]).await;
    assert_eq!(res.status, 428, "{}", res.body);
    assert_eq!(res.json()["current_revision"], 1);
    assert!(app.get(ALPHA, "/basis").await.body.contains("Eerst."));
    let res = app.api(&editor, "PUT", &path, Some(serde_json::json!({ "path": "basis", "title": "Basis", "body": "Bewust.", "revision": 1 })), &[]).await;
    assert_eq!(res.status, 200);
}

// Tables that grow with traffic.

#[actix_web::test]
async fn rows_past_their_retention_are_removed() {
    let app = app().await;
    user(&app, "ed@example.org", "editor", "site:alpha", Some(PASSWORD));
    let mut b = Browser::new(&app);
    b.login("ed@example.org", "fout fout fout").await;
    b.login("ed@example.org", PASSWORD).await;
    app.get(ALPHA, "/zoeken?q=kwalleknuffel").await;
    let mut conn = app.state.pool.get().unwrap();
    app.state.misses.flush(&mut conn).unwrap();
    let latest = meent::db::models::changes::latest(&mut conn).unwrap();
    let count = |c: &mut meent::db::Conn| -> [i64; 5] {
        [
            schema::audit::table.count().get_result(c).unwrap(),
            schema::login_failures::table.count().get_result(c).unwrap(),
            schema::search_misses::table.count().get_result(c).unwrap(),
            schema::sessions::table.count().get_result(c).unwrap(),
            schema::changes::table.count().get_result(c).unwrap(),
        ]
    };
    let before = count(&mut conn);
    assert!(before.iter().all(|n| *n > 0), "{before:?}");
    let retention = meent::config::Retention::default();
    assert_eq!(meent::maintenance::purge(&mut conn, &retention, meent::now()).unwrap().total(), 0, "nothing is old yet");
    let later = meent::now() + 500 * 86_400;
    let purged = meent::maintenance::purge(&mut conn, &retention, later).unwrap();
    assert!(purged.audit > 0 && purged.login_failures > 0 && purged.search_misses > 0 && purged.sessions > 0 && purged.changes > 0, "{purged:?}");
    let after = count(&mut conn);
    assert_eq!(after, [0, 0, 0, 0, 1], "the latest change stays");
    assert_eq!(meent::db::models::changes::latest(&mut conn).unwrap(), latest);
}

// Found by a second review of the change.

#[actix_web::test]
async fn a_grant_beyond_an_accounts_scopes_ends_what_its_maker_could_know() {
    let app = app().await;
    let site_admin = user(&app, "sa@example.org", "admin", "site:alpha", None);
    let national = user(&app, "nat@example.org", "admin", "national", None);
    // A site admin makes an account, with a password of their choosing and its first token.
    let made = app.api(&site_admin, "POST", "/api/v1/admin/users", Some(serde_json::json!({ "email": "nieuw@example.org", "role": "editor", "scope": "site:alpha", "password": PASSWORD })), &[]).await;
    assert_eq!(made.status, 201);
    let first_token = made.json()["token"].as_str().unwrap().to_owned();
    // The central team later makes the same address a national editor.
    let granted = app.api(&national, "POST", "/api/v1/admin/users", Some(serde_json::json!({ "email": "nieuw@example.org", "role": "editor", "scope": "national" })), &[]).await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    assert_eq!(granted.json()["sign_ins_ended"], true);
    assert_eq!(app.api(&first_token, "GET", "/api/v1/admin/me", None, &[]).await.status, 401, "the site admin's copy of the token is worthless");
    assert_eq!(Browser::new(&app).login("nieuw@example.org", PASSWORD).await.status, 401, "and so is the password they chose");
    // A grant within the scopes the account already has changes nothing.
    let again = app.api(&national, "POST", "/api/v1/admin/users", Some(serde_json::json!({ "email": "nieuw@example.org", "role": "admin", "scope": "site:beta" })), &[]).await;
    assert_eq!(again.json()["sign_ins_ended"], false);
}

#[actix_web::test]
async fn a_token_cannot_outlive_itself_or_reset_its_own_password() {
    let app = app().await;
    let parent = user(&app, "ed@example.org", "admin", "site:alpha", Some(PASSWORD));
    let parent_id = tokens_of(&app, "ed@example.org")[0].clone();
    let child = app.api(&parent, "POST", "/api/v1/admin/tokens", Some(serde_json::json!({ "name": "kind", "expires_in_days": 730 })), &[]).await.json();
    assert!(child["expires_at"].as_i64() <= parent_id.expires_at, "no longer than its parent: {child}");
    let child_token = child["token"].as_str().unwrap().to_owned();
    let grandchild = app.api(&child_token, "POST", "/api/v1/admin/tokens", Some(serde_json::json!({ "name": "kleinkind" })), &[]).await.json();
    let grandchild_token = grandchild["token"].as_str().unwrap().to_owned();
    let me = app.api(&parent, "GET", "/api/v1/admin/me", None, &[]).await.json();
    let own_id = app.api(&parent, "GET", "/api/v1/admin/users", None, &[]).await.json().as_array().unwrap().iter().find(|u| u["email"] == "ed@example.org").unwrap()["id"].clone();
    assert_eq!(me["email"], "ed@example.org");
    let reset = app.api(&child_token, "POST", &format!("/api/v1/admin/users/{own_id}/reset"), Some(serde_json::json!({ "password": "een ander lang wachtwoord" })), &[]).await;
    assert_eq!(reset.status, 403, "{}", reset.body);
    assert_eq!(Browser::new(&app).login("ed@example.org", PASSWORD).await.status, 303, "the password is the owner's still");
    assert_eq!(app.api(&parent, "DELETE", &format!("/api/v1/admin/tokens/{}", parent_id.id), None, &[]).await.status, 204);
    for (name, token) in [("parent", &parent), ("child", &child_token), ("grandchild", &grandchild_token)] {
        assert_eq!(app.api(token, "GET", "/api/v1/admin/me", None, &[]).await.status, 401, "{name} ends with its parent");
    }
}

#[actix_web::test]
async fn percent_encoding_does_not_reach_the_admin_on_a_resident_host() {
    let app = TestApp::start_with(&fixture("country"), |c| c.admin_hosts = vec!["beheer.test".into()]).await;
    for path in ["/%61dmin", "/%61dmin/inloggen", "/api/v1/%61dmin/me", "/api/v1/%61%64min/users"] {
        assert_eq!(app.get(ALPHA, path).await.status, 404, "{path}");
    }
}

#[actix_web::test]
async fn an_empty_duplicate_parameter_cannot_poison_a_cached_page() {
    let app = app().await;
    let filtered = app.get(ALPHA, "/producten?thema=reizen-en-identiteit").await.body;
    assert!(filtered.contains("Reizen en identiteit"));
    let poison = app.get(ALPHA, "/producten?thema=reizen-en-identiteit&thema=").await;
    assert_eq!(poison.status, 200);
    let again = app.get(ALPHA, "/producten?thema=reizen-en-identiteit").await.body;
    assert_eq!(again, filtered, "the filtered list stays the filtered list");
    assert_eq!(app.get(ALPHA, "/api/v1/products?theme=-reizen-en-identiteit").await.status, 404, "only the canonical slug");
    assert_eq!(app.get(ALPHA, "/api/v1/products?theme=REIZEN-EN-IDENTITEIT").await.status, 404);
    assert_eq!(app.get(ALPHA, "/api/v1/products?theme=reizen-en-identiteit").await.status, 200);
}

#[actix_web::test]
async fn loopback_through_an_untrusted_proxy_does_not_read_metrics() {
    let app = app().await;
    assert_eq!(app.request("GET", ALPHA, "/metrics", &[]).await.status, 200);
    assert_eq!(app.request("GET", ALPHA, "/metrics", &[("X-Forwarded-For", "203.0.113.9")]).await.status, 404);
}

#[actix_web::test]
async fn a_huge_login_address_is_neither_stored_nor_echoed_whole() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let huge = format!("{}@example.org", "a".repeat(100_000));
    let res = b.login(&huge, "raden raden raden").await;
    assert_eq!(res.status, 401);
    assert!(res.body.len() < 50_000, "the form shows at most an address's length");
    let mut conn = app.state.pool.get().unwrap();
    let audit = meent::db::models::accounts::audit_entries(&mut conn, None, 10).unwrap();
    assert!(audit.iter().all(|a| a.actor.len() <= 254));
    let keys: Vec<String> = schema::login_failures::table.select(schema::login_failures::key).load(&mut conn).unwrap();
    assert!(keys.iter().all(|k| k.len() < 300), "{keys:?}");
}
