//! `cargo bench --bench pages [-- --content DIR]`: how long one product page takes, on the demo
//! content (or a `bench-data` country), in three steps:
//! 1. the fold alone (in memory, no database),
//! 2. a whole request with the page cache off (database read, fold, Markdown, template),
//! 3. the same request served from the page cache,
//! 4. compressing a rendered page for the cache (gzip and brotli, as `cache::Entry` does).
//! Each step runs over every (site, product) pair the content has (the first 5,000 for steps
//! 2-4); times are per page. Where products have an English text, the fold and the request
//! without the page cache are measured again in English, over the same number of pairs.

mod common;
use common::Installation;
use std::time::{Duration, Instant};

use actix_web::{test, web};
use meent::cache::Entry;
use meent::content::directory::Directory;
use meent::content::fold::fold;
use meent::content::language;
use meent::content::model::Lang;
use meent::db::models::{catalogue, overrides};
use meent::web::{app, build_state};


fn report(name: &str, pages: usize, elapsed: Duration) {
    let per = elapsed.as_secs_f64() / pages as f64;
    println!("{name:<40} {pages:>8} pages  {:>10.1} µs/page  {:>10.0} pages/s", per * 1e6, 1.0 / per);
}

#[actix_web::main]
async fn main() {
    // `_dir` keeps the installation's directory while the states below use it.
    let Installation { config, state, dir: _dir } = Installation::new(&common::content_dir(), false);

    // 1. The fold alone.
    let mut conn = state.pool.get().expect("connection");
    let directory = Directory::load(&mut conn).expect("directory");
    let products = catalogue::all(&mut conn).expect("products");
    let mut work = Vec::new();
    for site in directory.sites() {
        let overrides = overrides::for_layers(&mut conn, &site.group_ids(), site.id, None).expect("overrides");
        work.push((site.clone(), overrides));
    }
    drop(conn);
    let now = meent::now();
    let pairs = directory.sites().len() * products.len();
    let rounds = (200_000 / pairs.max(1)).max(1);
    let started = Instant::now();
    let mut sections = 0;
    for _ in 0..rounds {
        for (site, overrides) in &work {
            for (id, product) in &products {
                sections += fold(product, &site.layers(*id, overrides), site.fields(now)).sections.len();
            }
        }
    }
    report("fold (in memory)", pairs * rounds, started.elapsed());
    assert!(sections > 0);
    let english: Vec<&(i64, meent::content::model::Product)> = products.iter().filter(|(_, p)| p.english.is_some()).collect();
    if !english.is_empty() {
        let english_pairs = directory.sites().len() * english.len();
        let rounds = (200_000 / english_pairs).max(1);
        let started = Instant::now();
        let mut sections = 0;
        for _ in 0..rounds {
            for (site, overrides) in &work {
                for (id, product) in &english {
                    let Some(product) = language::product_in(product, Lang::En) else { continue };
                    let layers: Vec<_> = site.layer_ids().into_iter().filter_map(|l| overrides.iter().find(|o| o.product_id == *id && o.layer == l).map(|o| (l, language::override_in(&o.over, Lang::En)))).collect();
                    let find = |layer| layers.iter().find(|(l, _)| *l == layer).map(|(_, o)| o);
                    sections += fold(&product, &site.layers_with(find), site.fields(now)).sections.len();
                }
            }
        }
        report("fold in English (in memory)", english_pairs * rounds, started.elapsed());
        assert!(sections > 0);
    }

    // 2 and 3. Whole requests, without and with the page cache.
    let targets: Vec<(String, String)> = directory
        .sites()
        .iter()
        .flat_map(|s| products.iter().map(move |(_, p)| (s.site.canonical_host().to_owned(), format!("/producten/{}", p.slug))))
        .take(5_000)
        .collect();
    // The same number of English pages, where products have an English text.
    let english_targets: Vec<(String, String)> = directory
        .sites()
        .iter()
        .flat_map(|s| products.iter().filter(|(_, p)| p.english.is_some()).map(move |(_, p)| (s.site.canonical_host().to_owned(), format!("/en/products/{}", p.slug))))
        .take(targets.len())
        .collect();
    drop(state); // one search index writer per directory: the states below open their own.
    // A phone's browser: its views are counted (statistics), a robot's would not be.
    const AGENT: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    // What counting a view costs by itself (statistics): the device type, the month, the
    // tally; over the pages of the cached requests below, a million times.
    {
        let views = meent::statistics::Views::new(None);
        let paths: Vec<&str> = targets.iter().map(|(_, p)| p.as_str()).collect();
        let now = meent::now();
        let n = 1_000_000;
        let started = Instant::now();
        for i in 0..n {
            views.count(1, paths[i % paths.len()], AGENT, || None, now);
        }
        report("count a page view (statistics)", n, started.elapsed());
        assert!(views.pending() > 0);
    }
    for (cached, statistics) in [(false, true), (true, false), (true, true)] {
        let mut config = config.clone();
        config.page_cache = cached;
        config.statistics = statistics;
        let state = web::Data::new(build_state(config).expect("state"));
        let service = test::init_service(app(state)).await;
        if cached {
            for (host, path) in &targets {
                let _ = test::call_service(&service, test::TestRequest::get().uri(path).insert_header(("host", host.as_str())).to_request()).await;
            }
        }
        // Cached requests are quick and the machine is noisy: the fastest of five rounds.
        let mut fastest = Duration::MAX;
        let mut bodies = Vec::new();
        for _ in 0..if cached { 5 } else { 1 } {
            bodies.clear();
            let started = Instant::now();
            for (host, path) in &targets {
                let res = test::call_service(&service, test::TestRequest::get().uri(path).insert_header(("host", host.as_str())).insert_header(("user-agent", AGENT)).to_request()).await;
                if res.status().is_success() {
                    bodies.push(test::read_body(res).await);
                }
            }
            fastest = fastest.min(started.elapsed());
        }
        let name = match (cached, statistics) {
            (false, _) => "request, page cache off (in process)",
            (true, false) => "request, page cache on, statistics off",
            (true, true) => "request, page cache on, statistics on",
        };
        report(name, targets.len(), fastest);
        assert!(!bodies.is_empty());
        if !cached && !english_targets.is_empty() {
            let started = Instant::now();
            let mut served = 0;
            for (host, path) in &english_targets {
                let res = test::call_service(&service, test::TestRequest::get().uri(path).insert_header(("host", host.as_str())).to_request()).await;
                served += usize::from(res.status().is_success());
                let _ = test::read_body(res).await;
            }
            report("English request, page cache off", english_targets.len(), started.elapsed());
            assert!(served > 0);
        }
        if cached && statistics {
            // 4. What a miss adds when the cache is on: the compressed copies.
            let started = Instant::now();
            let stored: usize = bodies.iter().map(|b| Entry::new(200, "text/html", b.clone(), true, vec![], None).size()).sum();
            report("compress for the cache (gzip + brotli)", bodies.len(), started.elapsed());
            assert!(stored > 0);
        }
    }
}
