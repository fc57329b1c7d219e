//! `cargo bench --bench country -- --content DIR [--hugo OUT] [--threads N]`: renders every
//! resolved page of a content tree (a `bench-data` country): every product each site offers,
//! every local page and every news item (or the first `--limit N`), through the real request
//! path with the page cache off (database read, fold, Markdown, template), on N threads
//! (default: one per core), each with a few requests in flight.
//!
//! With `--hugo OUT` it also writes a Hugo site with exactly those pages: the folded Markdown
//! of each product (placeholders filled, overrides applied), each page and news item, with a
//! layout equivalent to Meent's (same header, navigation, breadcrumbs, table of contents,
//! sections, apply button, contact, footer, JSON-LD). `benches/country.sh` times Hugo on it.

mod common;
use common::{Installation, arg};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use actix_web::{test, web};
use meent::content::cache::ContentCache;
use meent::content::directory::{Directory, SiteEntry};
use meent::content::store;
use meent::content::visibility::Viewer;
use meent::web::{AppState, app};


/// One page to render: its host and path, and what Hugo needs to render the same page.
struct Target {
    host: String,
    path: String,
    hugo: String,
}

fn main() {
    let threads: usize = arg("--threads").and_then(|t| t.parse().ok()).unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let installation = Installation::new(&common::content_dir(), false);
    let state = installation.state;

    let mut targets = targets(&state);
    println!("pages: {}", targets.len());
    if let Some(out) = arg("--hugo") {
        write_hugo_site(Path::new(&out), &targets);
        println!("hugo site written to {out}");
    }

    if let Some(limit) = arg("--limit").and_then(|l| l.parse().ok()) {
        targets.truncate(limit);
    }
    let state = web::Data::new(state);
    // Threads take the next batch of pages as they finish one, so none idles while another
    // still has a slow share.
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let (rendered, bytes) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| {
            let (state, targets, next) = (state.clone(), &targets, &next);
            scope.spawn(move || actix_web::rt::System::new().block_on(render_all(state, targets, next)))
        }).collect();
        handles.into_iter().map(|h| h.join().expect("render thread")).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(rendered, targets.len(), "every page renders with 200");
    println!(
        "meent: {rendered} pages ({:.0} MiB of HTML) in {secs:.2} s on {threads} threads: {:.0} pages/s",
        bytes as f64 / 1048576.0,
        rendered as f64 / secs
    );
}

/// Pages handed out per grab from the shared counter.
const BATCH: usize = 64;
/// Requests in flight per thread, as a server worker has many connections: while one request
/// is built on the blocking pool, the worker takes the next.
const IN_FLIGHT: usize = 4;

async fn render_all(state: web::Data<AppState>, targets: &[Target], next: &AtomicUsize) -> (usize, usize) {
    let service = test::init_service(app(state)).await;
    let lanes = (0..IN_FLIGHT).map(|_| async {
        let (mut ok, mut bytes) = (0, 0);
        loop {
            let from = next.fetch_add(BATCH, Ordering::Relaxed);
            if from >= targets.len() {
                break;
            }
            for t in &targets[from..(from + BATCH).min(targets.len())] {
                let req = test::TestRequest::get().uri(&t.path).insert_header(("host", t.host.as_str())).to_request();
                let res = test::call_service(&service, req).await;
                if res.status().is_success() {
                    ok += 1;
                    bytes += test::read_body(res).await.len();
                } else {
                    eprintln!("{} {}{}", res.status(), t.host, t.path);
                }
            }
        }
        (ok, bytes)
    });
    futures_util::future::join_all(lanes).await.into_iter().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Every resolved page of every site, with its Hugo source.
fn targets(state: &AppState) -> Vec<Target> {
    let mut conn = state.pool.get().expect("connection");
    let directory = Directory::load(&mut conn).expect("directory");
    let viewer = Viewer::resident(meent::now());
    // Its own content cache, so the measured run starts with nothing of the content in memory.
    let content = ContentCache::new();
    let mut out = Vec::new();
    for site in directory.sites() {
        let host = site.site.canonical_host().to_owned();
        let front = |title: &str, summary: &str, crumbs: &[(&str, &str)]| site_front_matter(site, title, summary, crumbs);
        for p in store::catalogue(&mut conn, &content, site, viewer).expect("catalogue").items {
            let mut md = front(&p.title, &p.summary, &[("Producten en diensten", "/producten")]);
            let toc: Vec<_> = p.sections.iter().filter(|s| !s.heading.is_empty()).collect();
            if p.sections.len() > 3 {
                md.push_str("toc:\n");
                for s in &toc {
                    let _ = writeln!(md, "  - {{key: {}, heading: {}}}", yaml(&s.key), yaml(&s.heading));
                }
            }
            if let Some(apply) = &p.apply_url {
                let _ = writeln!(md, "apply: {}", yaml(apply));
            }
            let _ = writeln!(md, "contact_phone: {}", yaml(p.contact.phone.as_deref().unwrap_or("")));
            let _ = writeln!(md, "contact_email: {}", yaml(p.contact.email.as_deref().unwrap_or("")));
            md.push_str("kind: product\n---\n");
            for s in &p.sections {
                if !s.heading.is_empty() {
                    let _ = writeln!(md, "## {} {{#{}}}\n", s.heading, s.key);
                }
                let _ = writeln!(md, "{}\n", s.body);
            }
            out.push(Target { host: host.clone(), path: format!("/producten/{}", p.slug), hugo: md });
        }
        for p in store::pages(&mut conn, &content, site, viewer).expect("pages").items {
            let mut md = front(&p.title, &p.summary, &[]);
            md.push_str("kind: page\n---\n");
            md.push_str(&p.body);
            out.push(Target { host: host.clone(), path: format!("/{}", p.path), hugo: md });
        }
        for n in store::news(&mut conn, &content, site, viewer).expect("news").items {
            let mut md = front(&n.title, &n.summary, &[("Nieuws", "/nieuws")]);
            let _ = writeln!(md, "date: {}", n.date);
            md.push_str("kind: news\n---\n");
            md.push_str(&n.body);
            out.push(Target { host: host.clone(), path: format!("/nieuws/{}", n.slug), hugo: md });
        }
    }
    out
}

fn site_front_matter(site: &SiteEntry, title: &str, summary: &str, crumbs: &[(&str, &str)]) -> String {
    let mut md = String::from("---\n");
    let _ = writeln!(md, "title: {}", yaml(title));
    let _ = writeln!(md, "summary: {}", yaml(summary));
    let _ = writeln!(md, "site_name: {}", yaml(&site.site.name));
    let _ = writeln!(md, "municipality: {}", yaml(site.site.municipality()));
    let _ = writeln!(md, "site_url: {}", yaml(&format!("https://{}", site.site.canonical_host())));
    md.push_str("crumbs:\n  - {title: Home, url: /}\n");
    for (title, url) in crumbs {
        let _ = writeln!(md, "  - {{title: {}, url: {}}}", yaml(title), yaml(url));
    }
    md
}

/// A YAML string scalar.
fn yaml(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

fn write_hugo_site(out: &Path, targets: &[Target]) {
    let _ = std::fs::remove_dir_all(out);
    let layouts = out.join("layouts/_default");
    std::fs::create_dir_all(&layouts).expect("hugo layouts");
    std::fs::write(out.join("config.toml"), HUGO_CONFIG).expect("hugo config");
    std::fs::write(layouts.join("baseof.html"), HUGO_BASEOF).expect("baseof");
    std::fs::write(layouts.join("single.html"), HUGO_SINGLE).expect("single");
    for t in targets {
        let file = out.join("content").join(&t.host).join(format!("{}.md", t.path.trim_start_matches('/')));
        std::fs::create_dir_all(file.parent().expect("parent")).expect("content dir");
        std::fs::write(file, &t.hugo).expect("content file");
    }
}

const HUGO_CONFIG: &str = r##"baseURL = "https://example.org/"
languageCode = "nl"
disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = false
"##;

/// The layout of `themes/default/templates/base.html`, in Go's template language.
const HUGO_BASEOF: &str = r##"<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ .Params.site_name }}</title>
<meta name="description" content="{{ .Params.summary }}">
<link rel="canonical" href="{{ .Params.site_url }}{{ .RelPermalink }}">
<link rel="stylesheet" href="/static/meent.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="alternate" type="application/atom+xml" title="Nieuws van {{ .Params.site_name }}" href="/nieuws/feed.xml">
<meta property="og:type" content="website">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:description" content="{{ .Params.summary }}">
<meta property="og:url" content="{{ .Params.site_url }}{{ .RelPermalink }}">
<meta property="og:site_name" content="{{ .Params.site_name }}">
<meta property="og:locale" content="nl_NL">
<script type="application/ld+json">{{ dict "@context" "https://schema.org" "@type" "GovernmentService" "name" .Title "description" .Params.summary "url" (printf "%s%s" .Params.site_url .RelPermalink) "areaServed" (dict "@type" "AdministrativeArea" "name" .Params.municipality) "provider" (dict "@type" "GovernmentOrganization" "name" .Params.site_name "url" .Params.site_url) | jsonify | safeJS }}</script>
</head>
<body>
<a class="skip-link" href="#inhoud">Direct naar de inhoud</a>
<header class="site-header">
<div class="container site-header__inner">
<a class="site-header__name" href="/">{{ .Params.site_name }}</a>
<nav class="site-nav" aria-label="Hoofdmenu">
<ul>
<li><a href="/">Home</a></li>
<li><a href="/producten"{{ if eq .Params.kind "product" }} aria-current="page"{{ end }}>Producten en diensten</a></li>
<li><a href="/nieuws"{{ if eq .Params.kind "news" }} aria-current="page"{{ end }}>Nieuws</a></li>
</ul>
</nav>
<form class="site-search" role="search" action="/zoeken" method="get">
<label class="visually-hidden" for="zoek-kop">Zoeken op deze website</label>
<input id="zoek-kop" type="search" name="q" maxlength="200">
<button type="submit">Zoeken</button>
</form>
</div>
</header>
<nav class="breadcrumb container" aria-label="Kruimelpad">
<ol>
{{ range .Params.crumbs }}<li><a href="{{ .url }}">{{ .title }}</a></li>
{{ end }}<li><span aria-current="page">{{ .Title }}</span></li>
</ol>
</nav>
<main id="inhoud" class="container main" tabindex="-1">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
<div class="container site-footer__inner">
<section aria-labelledby="footer-contact">
<h2 id="footer-contact" class="site-footer__title">Contact</h2>
<p>Gemeente {{ .Params.municipality }}</p>
</section>
<section aria-labelledby="footer-more">
<h2 id="footer-more" class="site-footer__title">Meer</h2>
<ul class="plain-list">
<li><a href="/toegankelijkheid">Toegankelijkheid</a></li>
<li><a href="/nieuws/feed.xml">Nieuws als feed (Atom)</a></li>
<li><a href="/sitemap.xml">Sitemap</a></li>
</ul>
</section>
</div>
</footer>
</body>
</html>
"##;

/// Product, page and news item, as `product.html`, `page.html` and `news_item.html` lay them out.
const HUGO_SINGLE: &str = r##"{{ define "main" }}<article class="{{ .Params.kind }}">
<h1>{{ .Title }}</h1>
{{ if not .Date.IsZero }}<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{ end }}<p class="lead">{{ .Params.summary }}</p>
{{ with .Params.toc }}<nav class="toc" aria-labelledby="product-toc">
<h2 id="product-toc" class="toc__title">Op deze pagina</h2>
<ul>
{{ range . }}<li><a href="#{{ .key }}">{{ .heading }}</a></li>
{{ end }}</ul>
</nav>
{{ end }}{{ .Content }}
{{ with .Params.apply }}<p class="apply"><a class="button" href="{{ . }}">Online aanvragen<span class="visually-hidden">: {{ $.Title }}</span></a></p>
{{ end }}{{ if eq .Params.kind "product" }}<section class="product__contact" aria-labelledby="product-contact">
<h2 id="product-contact">Contact</h2>
<p>Heeft u een vraag? Neem contact op met de gemeente {{ .Params.municipality }}.</p>
<ul class="plain-list"><li>{{ .Params.contact_phone }}</li><li>{{ .Params.contact_email }}</li></ul>
</section>
{{ end }}</article>
{{ end }}"##;
