//! Editors' e-mail digests through an SMTP server started here: an editor who asks for one gets
//! what waits for their approval, their proposals sent back, and broken links in their scopes;
//! an editor with nothing to do, or who did not ask, gets nothing; nothing of another scope
//! goes into anyone's mail.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::{TestApp, fixture, user};
use meent::edit::digest::{Mailer, send_due};
use serde_json::json;

/// A minimal SMTP server: accepts every message and keeps (recipients, data).
fn smtp_server() -> (String, Arc<Mutex<Vec<(Vec<String>, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mail: Arc<Mutex<Vec<(Vec<String>, String)>>> = Arc::default();
    let kept = mail.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let kept = kept.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let _ = stream.write_all(b"220 localhost ESMTP test\r\n");
                let mut rcpt = Vec::new();
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let upper = line.to_ascii_uppercase();
                    if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        let _ = stream.write_all(b"250-localhost\r\n250 8BITMIME\r\n");
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                        let _ = stream.write_all(b"250 OK\r\n");
                    } else if upper.starts_with("DATA") {
                        let _ = stream.write_all(b"354 go on\r\n");
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        kept.lock().unwrap().push((std::mem::take(&mut rcpt), data));
                        let _ = stream.write_all(b"250 queued\r\n");
                    } else if upper.starts_with("QUIT") {
                        let _ = stream.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        let _ = stream.write_all(b"250 OK\r\n");
                    }
                }
            });
        }
    });
    (format!("smtp://{addr}"), mail)
}

/// The text of a quoted-printable mail body, soft line breaks joined.
fn plain(data: &str) -> String {
    let joined = data.replace("=\r\n", "");
    let mut out = Vec::new();
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[actix_web::test]
async fn editors_who_ask_get_what_needs_them_and_nothing_else() {
    let (url, mail) = smtp_server();
    let app = TestApp::start(&fixture("country")).await;
    let admin = user(&app, "beheer@alpha.example.org", "admin", "site:alpha", None);
    let anna = user(&app, "anna@alpha.example.org", "editor", "site:alpha", None);
    let bob = user(&app, "bob@alpha.example.org", "editor", "site:alpha", None);
    let beta = user(&app, "beta@beta.example.org", "editor", "site:beta", None);
    let quiet = user(&app, "stil@alpha.example.org", "editor", "site:alpha", None);
    for token in [&anna, &bob, &beta] {
        let res = app.api(token, "PUT", "/api/v1/admin/me/digest", Some(json!({ "frequency": "daily" })), &[]).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    assert_eq!(app.api(&quiet, "GET", "/api/v1/admin/me/digest", None, &[]).await.json()["frequency"], "off");
    assert_eq!(app.api(&anna, "PUT", "/api/v1/admin/me/digest", Some(json!({ "frequency": "hourly" })), &[]).await.status, 422);

    // Anna proposes a change in Alpha, where four eyes are on; one of hers comes back.
    assert_eq!(app.api(&admin, "PUT", "/api/v1/admin/approval/site:alpha", Some(json!({ "required": true })), &[]).await.status, 200);
    let path = "/api/v1/admin/sites/alpha/overrides/paspoort";
    let mut doc = app.api(&anna, "GET", path, None, &[]).await.json();
    doc["title"] = json!("Paspoort, eerste poging");
    let first = app.api(&anna, "PUT", path, Some(doc.clone()), &[]).await.json()["proposal"].as_i64().unwrap();
    assert_eq!(app.api(&bob, "POST", &format!("/api/v1/admin/approvals/{first}/send-back"), Some(json!({ "note": "Titel te lang." })), &[]).await.status, 200);
    doc["title"] = json!("Paspoort, tweede poging");
    let second = app.api(&anna, "PUT", path, Some(doc), &[]).await.json()["proposal"].as_i64().unwrap();

    let mailer = Mailer::new(Some(&url), Some("Meent <noreply@meent.example>"), "https://beheer.example.nl").expect("settings").expect("a mailer");
    let sent = {
        let mut conn = app.state.pool.get().unwrap();
        let directory = meent::feed::current(app.state.feed.directory());
        send_due(&mut conn, &directory, &app.state.content, &mailer, meent::now()).expect("digests")
    };
    // Anna (returned), Bob (to approve); Beta has nothing; the quiet editor did not ask.
    assert_eq!((sent.sent, sent.empty, sent.failed), (2, 1, 0), "{sent:?}");
    let mail = mail.lock().unwrap().clone();
    let to = |who: &str| mail.iter().find(|(r, _)| r.iter().any(|x| x == who)).map(|(_, d)| plain(d));
    let bobs = to("bob@alpha.example.org").expect("Bob's digest");
    assert!(bobs.contains("Wacht op uw goedkeuring:") && bobs.contains(&format!("https://beheer.example.nl/admin/goedkeuren/{second}")), "{bobs}");
    assert!(bobs.contains("Subject: Meent: wat uw aandacht vraagt") && bobs.contains("From: Meent <noreply@meent.example>"), "{bobs}");
    let annas = to("anna@alpha.example.org").expect("Anna's digest");
    assert!(annas.contains("Uw voorstellen die zijn teruggestuurd:") && annas.contains("Titel te lang."), "{annas}");
    assert!(!annas.contains("Wacht op uw goedkeuring:"), "her own proposal does not wait for her: {annas}");
    assert!(to("beta@beta.example.org").is_none() && to("stil@alpha.example.org").is_none());
}
