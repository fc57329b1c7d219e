//! The link checker against HTTP servers started here: working, missing, moved, soft-404,
//! HEAD-refusing, looping and slow pages; one request at a time per host; private addresses
//! refused unless allowed; each broken link reported to the scope that wrote it (a central link
//! once, to the central team), in the admin API and on the dashboard.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, web};
use common::browser::Browser;
use common::{TestApp, fixture, user};
use meent::links::check::Settings;
use serde_json::Value;

/// What the server saw: method, path, when the request started and ended.
type Log = Arc<Mutex<Vec<(String, String, Instant, Instant)>>>;

fn html(title: &str) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!("<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"))
}

async fn page(req: HttpRequest) -> HttpResponse {
    let head = req.method() == actix_web::http::Method::HEAD;
    match req.path() {
        "/" => html("Gemeente Voorbeeld"),
        "/ok" => html("Paspoort aanvragen"),
        "/folder.pdf" => HttpResponse::Ok().content_type("application/pdf").body("%PDF-1.7"),
        "/weg" => HttpResponse::NotFound().body("weg"),
        "/verhuisd" => HttpResponse::MovedPermanently().insert_header(("Location", "/ok")).finish(),
        "/soft" => html("Pagina niet gevonden"),
        "/geen-head" if head => HttpResponse::MethodNotAllowed().finish(),
        "/geen-head" => html("Afval scheiden"),
        "/lus" => HttpResponse::Found().insert_header(("Location", "/lus")).finish(),
        "/naar-home" => HttpResponse::Found().insert_header(("Location", "/")).finish(),
        "/traag" => {
            actix_web::rt::time::sleep(Duration::from_secs(3)).await;
            html("Eindelijk")
        }
        _ => HttpResponse::NotFound().finish(),
    }
}

fn start_server(log: Log) -> actix_test::TestServer {
    actix_test::start(move || {
        let log = log.clone();
        App::new()
            .wrap_fn(move |req, srv| {
                let (method, path, started) = (req.method().to_string(), req.path().to_owned(), Instant::now());
                let log = log.clone();
                let fut = actix_web::dev::Service::call(srv, req);
                async move {
                    let res = fut.await;
                    log.lock().unwrap().push((method, path, started, Instant::now()));
                    res
                }
            })
            .default_service(web::to(page))
    })
}

fn settings() -> Settings {
    Settings { allow_private: true, per_host_pause: Duration::from_millis(20), timeout: Duration::from_secs(1), ..Settings::default() }
}

/// Content with links to `base` in central text, an override, a page and a setting.
fn write_links(app: &TestApp, base: &str) {
    let central = std::fs::read_to_string(fixture("country").join("catalogue/paspoort.md"))
        .unwrap()
        .replace("Vijf werkdagen.", &format!("Vijf werkdagen. Zie [de regels]({base}/weg) en [de folder]({base}/folder.pdf)."));
    app.import_file("catalogue/paspoort.md", &central);
    app.import_file(
        "sites/alpha/overrides/rijbewijs.md",
        &format!("+++\nbased_on = 1\nenabled = true\napply_url = \"{base}/soft\"\n+++\n## Aanvragen {{#aanvragen}}\nLees [dit]({base}/verhuisd), [dat]({base}/naar-home) en [zo]({base}/lus). [Werkt]({base}/ok).\n"),
    );
    app.import_file(
        "sites/beta/pages/afval.md",
        &format!("+++\ntitle = \"Afval\"\n+++\nZie [scheiden]({base}/geen-head), [traag]({base}/traag), [mail ons](mailto:afval@beta) en [bel](tel:14020).\n"),
    );
}

fn urls(report: &Value) -> Vec<String> {
    report.as_array().unwrap().iter().map(|l| l["url"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn broken_links_are_found_politely_and_reported_where_they_are_written() {
    let log: Log = Arc::default();
    let server = start_server(log.clone());
    let base = server.url("").trim_end_matches('/').to_owned();
    let app = TestApp::start(&fixture("country")).await;
    write_links(&app, &base);
    let summary = {
        let mut conn = app.state.pool.get().unwrap();
        meent::links::run(&mut conn, &settings(), meent::now()).expect("a run")
    };
    assert!(summary.links >= 12 && summary.broken >= 6 && summary.redirected == 1, "{summary:?}");

    let central = user(&app, "centraal@example.org", "editor", "national", None);
    let alpha = user(&app, "alpha@example.org", "editor", "site:alpha", None);
    let beta = user(&app, "beta@example.org", "editor", "site:beta", None);

    // The central link: once, to the central team, with the product that holds it.
    let national = app.api(&central, "GET", "/api/v1/admin/links/national", None, &[]).await.json();
    assert_eq!(urls(&national), [format!("{base}/weg")], "{national}");
    assert_eq!(national[0]["state"], "broken");
    assert_eq!(national[0]["status"], 404);
    assert_eq!(national[0]["uses"].as_array().unwrap().len(), 1, "{national}");
    assert_eq!((national[0]["uses"][0]["kind"].as_str(), national[0]["uses"][0]["item"].as_str(), national[0]["uses"][0]["field"].as_str()), (Some("product"), Some("paspoort"), Some("termijn")));

    // Alpha's own links, broken first; the moved one with where it went.
    let alpha_links = app.api(&alpha, "GET", "/api/v1/admin/links/site:alpha", None, &[]).await.json();
    let found = urls(&alpha_links);
    for missing in ["/soft", "/naar-home", "/lus", "/verhuisd"] {
        assert!(found.contains(&format!("{base}{missing}")), "{missing}: {alpha_links}");
    }
    assert!(!found.contains(&format!("{base}/ok")) && !found.contains(&format!("{base}/weg")), "working and central links are not Alpha's: {alpha_links}");
    let by = |url: &str| alpha_links.as_array().unwrap().iter().find(|l| l["url"] == format!("{base}{url}")).unwrap().clone();
    assert_eq!(by("/verhuisd")["state"], "redirected");
    assert_eq!(by("/verhuisd")["final_url"], format!("{base}/ok"));
    assert_eq!(by("/soft")["state"], "broken");
    assert!(by("/soft")["message"].as_str().unwrap().contains("niet bestaat"), "{}", by("/soft"));
    assert_eq!(by("/soft")["uses"][0]["field"], "apply_url");
    assert!(by("/naar-home")["message"].as_str().unwrap().contains("homepage"));
    assert!(by("/lus")["message"].as_str().unwrap().contains("doorverwijzingen"));
    assert_eq!(alpha_links[alpha_links.as_array().unwrap().len() - 1]["state"], "redirected", "broken first");

    // Beta: the slow page and the malformed address; the page that refuses HEAD works by GET.
    let beta_links = app.api(&beta, "GET", "/api/v1/admin/links/site:beta", None, &[]).await.json();
    let found = urls(&beta_links);
    assert!(found.contains(&format!("{base}/traag")) && found.contains(&"mailto:afval@beta".to_owned()), "{beta_links}");
    assert!(!found.contains(&format!("{base}/geen-head")) && !found.contains(&"tel:14020".to_owned()), "{beta_links}");
    assert_eq!(app.api(&beta, "GET", "/api/v1/admin/links/site:alpha", None, &[]).await.status, 403);

    // HEAD first; GET where HEAD was refused or an HTML page had to be read; the PDF by HEAD alone.
    let seen = log.lock().unwrap().clone();
    let methods = |path: &str| seen.iter().filter(|(_, p, _, _)| p == path).map(|(m, _, _, _)| m.clone()).collect::<Vec<_>>();
    assert_eq!(methods("/geen-head"), ["HEAD", "GET"]);
    assert_eq!(methods("/folder.pdf"), ["HEAD"]);
    assert_eq!(methods("/weg"), ["HEAD", "GET"]);
    // One host: never two requests at once.
    let mut spans: Vec<(Instant, Instant)> = seen.iter().map(|(_, _, a, b)| (*a, *b)).collect();
    spans.sort();
    for pair in spans.windows(2) {
        assert!(pair[1].0 >= pair[0].1, "two requests to one host overlapped");
    }

    // The dashboard shows Alpha's editor Alpha's links, and not the central one.
    let mut conn = app.state.pool.get().unwrap();
    meent::auth::accounts::create_user(&mut conn, "alpha-pagina@example.org", meent::auth::permissions::Role::Editor, &meent::auth::permissions::Scope::parse("site:alpha").unwrap(), Some("een heel lang wachtwoord"), "test", meent::now()).unwrap();
    drop(conn);
    let mut browser = Browser::new(&app);
    browser.login("alpha-pagina@example.org", "een heel lang wachtwoord").await;
    let dash = browser.get("/admin").await.body;
    let part = &dash[dash.find("Kapotte en verhuisde links").unwrap()..];
    assert!(part.contains(&format!("{base}/soft")) && !part.contains(&format!("{base}/weg")), "{part}");
}

#[actix_web::test]
async fn private_addresses_are_not_requested_unless_allowed() {
    let log: Log = Arc::default();
    let server = start_server(log.clone());
    let base = server.url("").trim_end_matches('/').to_owned();
    let app = TestApp::start(&fixture("country")).await;
    write_links(&app, &base);
    {
        let mut conn = app.state.pool.get().unwrap();
        meent::links::run(&mut conn, &Settings { allow_private: false, ..settings() }, meent::now()).expect("a run");
    }
    assert!(log.lock().unwrap().is_empty(), "nothing was requested");
    let central = user(&app, "centraal@example.org", "editor", "national", None);
    let national = app.api(&central, "GET", "/api/v1/admin/links/national", None, &[]).await.json();
    assert!(national[0]["message"].as_str().unwrap().contains("intern netwerk"), "{national}");
}
