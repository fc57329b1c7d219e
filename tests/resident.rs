//! Resident pages over real HTTP, on the `country` fixture: the fold per site and group,
//! visibility of drafts, opt-outs and alerts, hosts, errors and headers.

mod common;

use common::{TestApp, fixture};

const ALPHA: &str = "alpha.test";
const BETA: &str = "beta.test";
const GAMMA: &str = "gamma.test";

async fn app() -> TestApp {
    TestApp::start(&fixture("country")).await
}

fn before(body: &str, first: &str, second: &str) -> bool {
    match (body.find(first), body.find(second)) {
        (Some(a), Some(b)) => a < b,
        _ => false,
    }
}

#[actix_web::test]
async fn product_pages_fold_group_and_site_layers() {
    let app = app().await;
    let alpha = app.get(ALPHA, "/producten/paspoort").await;
    assert_eq!(alpha.status, 200);
    let b = &alpha.body;
    assert!(b.contains("<h1>Paspoort in Alpha</h1>"), "site title with placeholder: {b}");
    assert!(b.contains("<h2 id=\"wat\">Wat is een paspoort?</h2>") && b.contains("ALPHAVERVANGING"));
    assert!(!b.contains("Centrale uitleg"), "replaced text is gone");
    assert!(before(b, "Centrale lijst", "GROEPSAANVULLING"), "group appends after central text");
    assert!(before(b, "ALPHAVOORAF", "Een paspoort kost in Alpha € 84,10."), "site prepends; site value beats group value");
    assert!(!b.contains("id=\"termijn\"") && !b.contains("Vijf werkdagen"), "hidden section");
    assert!(before(b, "id=\"afspraak\"", "id=\"parkeren\""), "local section after the others");
    assert!(b.contains("https://alpha.example.org/afspraak"));
    assert!(b.contains("href=\"https://regio.example.org/paspoort\""), "group apply link");
    assert!(!b.contains("{{") && !b.contains("}}"));

    let beta = app.get(BETA, "/producten/paspoort").await;
    assert_eq!(beta.status, 200);
    let b = &beta.body;
    assert!(b.contains("<h1>Paspoort</h1>"));
    assert!(b.contains("Centrale uitleg") && b.contains("GROEPSAANVULLING") && b.contains("Vijf werkdagen"));
    assert!(b.contains("Een paspoort kost in Beta € 70,00."), "group value");
    assert!(!b.contains("ALPHA"), "nothing of another site");
    assert!(b.contains("020 111 1111"), "group contact");

    let gamma = app.get(GAMMA, "/producten/paspoort").await;
    let b = &gamma.body;
    assert!(b.contains("Een paspoort kost in Gamma een bedrag dat de gemeente vaststelt."), "declared default");
    assert!(b.contains("Maak een afspraak via ."), "a variable without value or default shows nothing");
    assert!(!b.contains("{{") && !b.contains("GROEPSAANVULLING"));
}

#[actix_web::test]
async fn opt_outs_are_invisible_everywhere() {
    let app = app().await;
    // Group opt-out, re-enabled by alpha.
    assert_eq!(app.get(ALPHA, "/producten/rijbewijs").await.status, 200);
    assert_eq!(app.get(BETA, "/producten/rijbewijs").await.status, 404);
    assert_eq!(app.get(GAMMA, "/producten/rijbewijs").await.status, 200);
    // Site opt-out.
    assert_eq!(app.get(BETA, "/producten/afvalcontainer").await.status, 404);
    assert_eq!(app.get(ALPHA, "/producten/afvalcontainer").await.status, 200);
    for path in ["/producten", "/", "/sitemap.xml", "/api/v1/products"] {
        let body = app.get(BETA, path).await.body;
        assert!(!body.contains("/producten/rijbewijs") && !body.contains("/producten/afvalcontainer"), "{path}: {body}");
    }
    assert_eq!(app.get(BETA, "/api/v1/products/rijbewijs").await.status, 404);
    assert!(app.get(ALPHA, "/producten").await.body.contains("/producten/rijbewijs"));
}

#[actix_web::test]
async fn drafts_and_scheduled_items_are_invisible_everywhere() {
    let app = app().await;
    for host in [ALPHA, BETA, GAMMA] {
        for path in ["/producten/geheim-product", "/producten/toekomst", "/api/v1/products/geheim-product"] {
            assert_eq!(app.get(host, path).await.status, 404, "{host}{path}");
        }
        for path in ["/", "/producten", "/sitemap.xml", "/nieuws", "/nieuws/feed.xml", "/api/v1/products", "/api/v1/news", "/api/v1/pages"] {
            let body = app.get(host, path).await.body;
            for secret in ["geheim-product", "Geheim concept", "Geheim thema", "toekomst", "Conceptbericht", "Conceptpagina", "CONCEPTMELDING"] {
                assert!(!body.contains(secret), "{host}{path} shows {secret}");
            }
        }
    }
    assert_eq!(app.get(ALPHA, "/afval/concept").await.status, 404);
    assert_eq!(app.get(ALPHA, "/nieuws/concept").await.status, 404);
    assert_eq!(app.get(ALPHA, "/api/v1/pages/afval/concept").await.status, 404);
    assert_eq!(app.get(ALPHA, "/producten?thema=geheim-thema").await.status, 404);
}

#[actix_web::test]
async fn alerts_show_only_inside_their_window() {
    let app = app().await;
    for path in ["/", "/producten/paspoort", "/afval"] {
        let body = app.get(ALPHA, path).await.body;
        assert!(body.contains("ACTUELEMELDING"), "{path}");
        for hidden in ["VERLOPENMELDING", "TOEKOMSTMELDING", "CONCEPTMELDING"] {
            assert!(!body.contains(hidden), "{path} shows {hidden}");
        }
    }
    assert!(!app.get(BETA, "/").await.body.contains("ACTUELEMELDING"), "another site's alert");
}

#[actix_web::test]
async fn home_lists_popular_products_themes_and_news() {
    let app = app().await;
    let home = app.get(ALPHA, "/").await;
    assert_eq!(home.status, 200);
    let b = &home.body;
    assert!(b.contains("<html lang=\"nl\">") && b.contains("Gemeente Alpha"));
    assert!(before(b, "/producten/rijbewijs", "/producten/paspoort"), "the site's choice first, then popular");
    assert!(b.contains("/producten?thema=reizen-en-identiteit"));
    assert!(b.contains("Nieuw in Alpha") && b.contains("Nieuws van de regio"));
    assert!(b.contains("href=\"#inhoud\"") && b.contains("id=\"inhoud\""), "skip link");
}

#[actix_web::test]
async fn product_list_a_to_z_by_theme_and_audience() {
    let app = app().await;
    let all = app.get(ALPHA, "/producten").await;
    assert!(before(&all.body, "/producten/afvalcontainer", "/producten/paspoort"));
    let theme = app.get(ALPHA, "/producten?thema=afval").await;
    assert_eq!(theme.status, 200);
    assert!(theme.body.contains("/producten/afvalcontainer") && !theme.body.contains("/producten/paspoort\""));
    let business = app.get(ALPHA, "/producten?doelgroep=ondernemer").await;
    assert!(business.body.contains("/producten/afvalcontainer") && !business.body.contains("/producten/paspoort\""));
    assert_eq!(app.get(ALPHA, "/producten?doelgroep=niemand").await.status, 404);
}

#[actix_web::test]
async fn local_pages_with_breadcrumbs_and_subnavigation() {
    let app = app().await;
    let parent = app.get(ALPHA, "/afval").await;
    assert_eq!(parent.status, 200);
    assert!(parent.body.contains("href=\"/afval/pmd\""));
    assert!(!parent.body.contains("/afval/concept"));
    let child = app.get(ALPHA, "/afval/pmd").await;
    assert_eq!(child.status, 200);
    assert!(child.body.contains("PMDTEKST"));
    let crumbs = &child.body[child.body.find("Kruimelpad").unwrap()..];
    assert!(before(crumbs, "href=\"/\"", "href=\"/afval\""));
    assert_eq!(app.get(BETA, "/afval").await.status, 404, "pages belong to their site");
    let slash = app.get(ALPHA, "/afval/").await;
    assert_eq!(slash.status, 301);
    assert!(slash.header("location").unwrap().ends_with("/afval"));
}

#[actix_web::test]
async fn news_of_site_and_group_in_list_item_and_feed() {
    let app = app().await;
    let list = app.get(ALPHA, "/nieuws").await;
    assert!(before(&list.body, "Nieuw in Alpha", "Nieuws van de regio"), "newest first");
    assert_eq!(app.get(ALPHA, "/nieuws/nieuw").await.status, 200);
    assert_eq!(app.get(BETA, "/nieuws/groepsnieuws").await.status, 200);
    assert_eq!(app.get(BETA, "/nieuws/nieuw").await.status, 404);
    // The JSON API answers the same for one item.
    let item = app.get(BETA, "/api/v1/news/groepsnieuws").await;
    assert_eq!(item.status, 200);
    assert_eq!(item.json()["slug"], "groepsnieuws");
    assert_eq!(app.get(BETA, "/api/v1/news/nieuw").await.status, 404);
    assert_eq!(app.get(ALPHA, "/api/v1/news/concept").await.status, 404, "a draft");
    let feed = app.get(ALPHA, "/nieuws/feed.xml").await;
    assert_eq!(feed.status, 200);
    assert!(feed.header("content-type").unwrap().starts_with("application/atom+xml"));
    assert!(feed.body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"") && feed.body.contains("ALPHANIEUWSTEKST"));
    assert!(!feed.body.contains("CONCEPTNIEUWSTEKST"));
}

#[actix_web::test]
async fn hostile_markdown_is_harmless() {
    let app = app().await;
    let page = app.get(ALPHA, "/vijandig").await;
    assert_eq!(page.status, 200);
    let main = &page.body[page.body.find("<main").unwrap()..page.body.find("</main>").unwrap()];
    assert!(main.contains("VEILIGETEKST"));
    let lower = main.to_lowercase();
    for bad in ["<script", "javascript:", "onerror", "onload", "<iframe", "<svg", "data:"] {
        assert!(!lower.contains(bad), "{bad} in {main}");
    }
    let api = app.get(ALPHA, "/api/v1/pages/vijandig").await.json();
    assert!(!api["html"].as_str().unwrap().contains("<script"));
}

#[actix_web::test]
async fn hosts_are_matched_case_insensitively_aliases_redirect() {
    let app = app().await;
    assert_eq!(app.get("ALPHA.test:8080", "/").await.status, 200);
    let alias = app.get("www.alpha.test:8080", "/producten?thema=afval").await;
    assert_eq!(alias.status, 301);
    assert_eq!(alias.header("location"), Some("http://alpha.test:8080/producten?thema=afval"));
    let unknown = app.get("elders.test", "/").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("Gemeente Alpha") && unknown.body.contains("http://beta.test/"), "demo list of sites");
    assert_eq!(app.get("bad host", "/").await.status, 400);
}

#[actix_web::test]
async fn unknown_host_can_be_a_plain_404() {
    let app = TestApp::start_with(&fixture("country"), |c| c.unknown_host = meent::config::UnknownHost::NotFound).await;
    let unknown = app.get("elders.test", "/").await;
    assert_eq!(unknown.status, 404);
    assert!(!unknown.body.contains("Gemeente Alpha"));
}

#[actix_web::test]
async fn forwarded_host_only_from_trusted_proxies() {
    let untrusted = app().await;
    let res = untrusted.request("GET", "elders.test", "/", &[("X-Forwarded-Host", "alpha.test")]).await;
    assert_eq!(res.status, 404, "X-Forwarded-Host is ignored without trusted proxies");

    let trusted = TestApp::start_with(&fixture("country"), |c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let res = trusted
        .request("GET", "internal", "/producten/paspoort", &[("X-Forwarded-Host", "alpha.test"), ("X-Forwarded-Proto", "https")])
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<link rel=\"canonical\" href=\"https://alpha.test/producten/paspoort\">"));
}

#[actix_web::test]
async fn not_found_page_belongs_to_the_site() {
    let app = app().await;
    for path in ["/bestaat-niet", "/producten/bestaat-niet", "/nieuws/bestaat-niet", "/a/b/c", "/%2e%2e/etc"] {
        let res = app.get(ALPHA, path).await;
        assert_eq!(res.status, 404, "{path}");
        assert!(res.body.contains("Gemeente Alpha") && res.body.contains("Pagina niet gevonden"), "{path}");
        assert!(res.header("content-type").unwrap().starts_with("text/html"));
    }
    let api = app.get(ALPHA, "/api/v1/products/bestaat-niet").await;
    assert_eq!(api.status, 404);
    assert_eq!(api.json()["status"], 404);
}

#[actix_web::test]
async fn security_headers_and_conditional_requests() {
    let app = app().await;
    let res = app.get(ALPHA, "/producten/paspoort").await;
    assert!(res.header("content-security-policy").unwrap().contains("script-src 'self'"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("x-frame-options"), Some("DENY"));
    assert!(res.header("referrer-policy").is_some());
    let etag = res.header("etag").unwrap().to_owned();
    let again = app.request("GET", ALPHA, "/producten/paspoort", &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(app.get(ALPHA, "/bestaat-niet").await.header("x-content-type-options").is_some(), "errors too");
}

#[actix_web::test]
async fn cached_pages_are_served_compressed_as_negotiated() {
    let app = app().await;
    let path = "/producten/paspoort";
    let plain = app.request("GET", ALPHA, path, &[("Accept-Encoding", "identity")]).await;
    assert_eq!(plain.header("content-encoding"), None);
    let brotli = app.request("GET", ALPHA, path, &[("Accept-Encoding", "gzip, br")]).await;
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert_eq!(brotli.header("vary"), Some("Accept-Encoding"));
    assert_eq!(brotli.body, plain.body, "the same page, decoded");
    let gzip = app.request("GET", ALPHA, path, &[("Accept-Encoding", "gzip, br;q=0")]).await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gzip.body, plain.body);
    let tags: Vec<&str> = [&plain, &brotli, &gzip].iter().map(|r| r.header("etag").unwrap()).collect();
    assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2], "one tag per representation: {tags:?}");
    let again = app.request("GET", ALPHA, path, &[("Accept-Encoding", "br"), ("If-None-Match", tags[1])]).await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), Some(tags[1]));
}

#[actix_web::test]
async fn sitemap_robots_and_security_txt() {
    let app = app().await;
    let sitemap = app.get(ALPHA, "/sitemap.xml").await;
    assert!(sitemap.body.contains("<loc>http://alpha.test/producten/paspoort</loc>"));
    assert!(sitemap.body.contains("<loc>http://alpha.test/afval/pmd</loc>"));
    assert!(sitemap.body.contains("<loc>http://alpha.test/nieuws/groepsnieuws</loc>"));
    assert!(!sitemap.body.contains("afval/concept"));
    let robots = app.get(ALPHA, "/robots.txt").await;
    assert!(robots.body.contains("Sitemap: http://alpha.test/sitemap.xml"));
    let security = app.get(ALPHA, "/.well-known/security.txt").await;
    assert!(security.body.contains("Contact: mailto:info@alpha.example.org"));
    assert!(security.body.contains("Expires: 20"));
}

#[actix_web::test]
async fn api_returns_the_fold_for_the_host() {
    let app = app().await;
    let list = app.get(BETA, "/api/v1/products").await.json();
    let slugs: Vec<&str> = list["items"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["identiteitskaart", "parkeervergunning", "paspoort"]);
    let product = app.get(ALPHA, "/api/v1/products/paspoort").await.json();
    assert_eq!(product["title"], "Paspoort in Alpha");
    let keys: Vec<&str> = product["sections"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["wat", "meenemen", "kosten", "afspraak", "parkeren"]);
    assert_eq!(product["apply_url"], "https://regio.example.org/paspoort");
    let news = app.get(BETA, "/api/v1/news").await.json();
    assert_eq!(news["total"], 1);
    let pages = app.get(ALPHA, "/api/v1/pages").await.json();
    assert!(pages["items"].as_array().unwrap().iter().any(|p| p["path"] == "afval/pmd"));
    let doc = app.get(ALPHA, "/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/products", "/products/{slug}", "/pages", "/pages/{path}", "/news", "/news/{slug}", "/site"] {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
}

#[actix_web::test]
async fn health_and_metrics() {
    let app = app().await;
    let health = app.get("anything", "/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["database"], "ok");
    app.get(ALPHA, "/").await;
    let metrics = app.get("anything", "/metrics").await;
    assert!(metrics.body.contains("meent_http_requests_total{kind=\"page\",class=\"2xx\"}"), "{}", metrics.body);
    assert!(metrics.body.contains("meent_http_request_duration_seconds_bucket{"), "latency histograms per kind of route");
    assert!(metrics.body.contains("meent_db_pool_wait_seconds_count"), "pool waits");
    assert!(metrics.body.contains("meent_db_change_lock_wait_seconds_count"), "waits for another writer");
    assert!(metrics.body.contains("meent_follower_behind{follower="), "change-feed lag per follower");
    assert!(metrics.body.contains("meent_sites 3"));
}

#[actix_web::test]
async fn head_requests_and_design_tokens() {
    let app = TestApp::start(&common::demo_content()).await;
    let head = app.request("HEAD", "uitgeest.localhost", "/", &[]).await;
    assert_eq!(head.status, 200);
    let home = app.get("uitgeest.localhost", "/").await;
    let tokens_url = home.body.split("href=\"/theme/tokens.").nth(1).map(|s| format!("/theme/tokens.{}", &s[..s.find('"').unwrap()]));
    let tokens_url = tokens_url.expect("uitgeest links its design tokens");
    let css = app.get("uitgeest.localhost", &tokens_url).await;
    assert_eq!(css.status, 200);
    assert!(css.body.contains("--meent-"));
    assert!(css.header("cache-control").unwrap().contains("immutable"));
    assert!(!app.get("diemen.localhost", "/").await.body.contains("/theme/tokens."), "only sites with tokens link them");
}
