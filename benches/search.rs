//! `cargo bench --bench search -- --content DIR [--site SLUG]`: the search index of a content
//! directory (a `bench-data` country), side by side with PostgreSQL full-text search on the
//! same documents, in the same run (`common::postgres`). Dutch and English are measured
//! apart: each language's documents, and a query mix from that language's titles searched in
//! that language only (PostgreSQL analyses each document with its language's configuration).

mod common;
use common::postgres::{self, PgDocs};
use common::{Installation, arg};
use std::time::{Duration, Instant};

use meent::content::directory::Directory;
use meent::content::model::Lang;
use meent::search::{Request, SearchFollower, SearchIndex, documents_for_site};


fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path).map(|entries| entries.flatten().map(|e| e.metadata().map(|m| m.len()).unwrap_or(0)).sum()).unwrap_or(0)
}

/// A query mix from the product titles: exact, plural, typo and multi-word.
fn queries(titles: &[String], lang: Lang) -> Vec<(String, String, &'static str)> {
    let (plural, verb) = match lang {
        Lang::Nl => ("en", "aanvragen"),
        Lang::En => ("s", "apply"),
    };
    let mut out = Vec::new();
    for (i, title) in titles.iter().enumerate().take(60) {
        let words: Vec<&str> = title.split_whitespace().filter(|w| w.len() >= 5).collect();
        let Some(word) = words.first() else { continue };
        let word = word.to_lowercase();
        let expected = title.clone();
        match i % 4 {
            0 => out.push((word.clone(), expected, "exact")),
            1 => out.push((format!("{word}{plural}"), expected, "plural")),
            2 => {
                let mut chars: Vec<char> = word.chars().collect();
                let at = chars.len() / 2;
                chars.swap(at - 1, at);
                out.push((chars.into_iter().collect(), expected, "typo"));
            }
            _ => {
                let second = words.get(1).map(|w| w.to_lowercase()).unwrap_or_else(|| verb.into());
                out.push((format!("{word} {second}"), expected, "multi-word"));
            }
        }
    }
    out
}

fn main() {
    let content = common::content_dir();
    let installation = Installation::new(&content, true);
    let state = &installation.state;
    let mut conn = state.pool.get().expect("connection");
    let directory = Directory::load(&mut conn).expect("directory");
    drop(conn);
    println!("content: {} ({} sites)", content.display(), directory.sites().len());

    // Index build, into a fresh directory.
    let index_dir = installation.config.data_dir.join("bench-index");
    let (index, _) = SearchIndex::open(&index_dir).expect("index");
    let index = std::sync::Arc::new(index);
    let follower = SearchFollower::new(index.clone(), state.pool.clone(), state.content.clone());
    let started = Instant::now();
    let docs = follower.rebuild(&directory, 0).expect("rebuild");
    let build = started.elapsed();
    println!("tantivy index build: {docs} documents in {:.1} s ({:.0} docs/s), {:.1} MiB on disk",
        build.as_secs_f64(), docs as f64 / build.as_secs_f64(), dir_size(&index_dir) as f64 / 1048576.0);
    println!("segments searched: {}", index.segments());

    let slug = arg("--site");
    let site = match &slug {
        Some(s) => directory.site_by_slug(s).expect("--site").clone(),
        None => directory.sites()[directory.sites().len() / 2].clone(),
    };
    let mut conn = state.pool.get().expect("connection");
    let now = meent::now();
    let site_docs = documents_for_site(&mut conn, &state.content, &site, now).expect("documents");
    let mixes: Vec<(Lang, Vec<(String, String, &'static str)>)> = Lang::ALL.iter().map(|&lang| {
        let titles: Vec<String> = site_docs.iter().filter(|d| d.kind == "product" && d.lang == lang).map(|d| d.title.clone()).collect();
        (lang, queries(&titles, lang))
    }).collect();
    for lang in Lang::ALL {
        let of = |docs: &[meent::search::Document]| docs.iter().filter(|d| d.lang == lang).count();
        println!("{}: {} documents on site {}", lang.code(), of(&site_docs), site.site.slug);
    }
    for (lang, mix) in &mixes {
        println!("{} queries in {} (exact, plural, typo, multi-word)", mix.len(), lang.code());
    }

    // `--rounds N` repeats the mix more often (for a profiler); `--skip-postgres` leaves the
    // comparison out (for a profiler too: a ratio needs both in one run).
    let rounds: usize = arg("--rounds").and_then(|r| r.parse().ok()).unwrap_or(5);
    let run = |label: &str, mix: &[(String, String, &'static str)], search: &dyn Fn(&str) -> Vec<String>| -> Vec<Duration> {
        if mix.is_empty() {
            println!("{label:<32} no queries (no product titles in this language)");
            return Vec::new();
        }
        // The warm-up round, timed apart: the first time each query runs in this process
        // (term statistics not yet remembered; the operating system's caches are warm).
        let mut first: Vec<Duration> = mix.iter().map(|(q, _, _)| {
            let started = Instant::now();
            search(q);
            started.elapsed()
        }).collect();
        first.sort();
        let mut times = Vec::new();
        let mut per_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
        let mut found = [0usize; 2];
        for _ in 0..rounds {
            for (q, expected, kind) in mix {
                let started = Instant::now();
                let titles = search(q);
                times.push(started.elapsed());
                per_kind.entry(kind).or_default().push(started.elapsed());
                found[0] += usize::from(titles.iter().take(10).any(|t| t == expected));
                found[1] += 1;
            }
        }
        times.sort();
        println!("{label:<32} p50 {:>8.3} ms   p99 {:>8.3} ms   intended product in top 10: {:.0} %",
            percentile(&times, 0.5).as_secs_f64() * 1e3, percentile(&times, 0.99).as_secs_f64() * 1e3,
            100.0 * found[0] as f64 / found[1] as f64);
        println!("{:<32} first run of each query: p50 {:>8.3} ms", "", percentile(&first, 0.5).as_secs_f64() * 1e3);
        let kinds: Vec<String> = per_kind.iter_mut().map(|(kind, t)| {
            t.sort();
            format!("{kind} {:.3}", percentile(t, 0.5).as_secs_f64() * 1e3)
        }).collect();
        println!("{:<32} p50 per kind (ms): {}", "", kinds.join(", "));
        times
    };
    let tantivy: Vec<Vec<Duration>> = mixes.iter().map(|(lang, mix)| {
        run(&format!("tantivy (Meent), {}", lang.code()), mix, &|q| {
            let request = Request { text: q.to_owned(), lang: *lang, page: 1, per_page: 10, ..Request::default() };
            index.search(site.id, &request, now).expect("search").hits.into_iter().map(|h| h.title).collect()
        })
    }).collect();

    if std::env::args().any(|a| a == "--skip-postgres") {
        return;
    }
    // PostgreSQL on the same documents of every site.
    let started = Instant::now();
    let mut per_lang = [0usize; 2];
    let all = directory.sites().iter().map(|entry| {
        let docs = documents_for_site(&mut conn, &state.content, entry, now).expect("documents");
        for d in &docs {
            per_lang[usize::from(d.lang == Lang::En)] += 1;
        }
        docs
    });
    let Some(pg) = PgDocs::load(all) else { return };
    println!("documents in the country: nl {}, en {}", per_lang[0], per_lang[1]);
    println!("postgresql load + GIN index: {} documents in {:.1} s, {:.1} MiB", pg.rows, started.elapsed().as_secs_f64(), pg.size() as f64 / 1048576.0);
    for ((lang, mix), tantivy) in mixes.iter().zip(&tantivy) {
        let postgres = run(&format!("postgresql ({}, ts_rank)", postgres::config(*lang)), mix, &|q| pg.search(site.id, *lang, q).into_iter().map(|(_, title)| title).collect());
        if !postgres.is_empty() {
            let ratio = percentile(tantivy, 0.5).as_secs_f64() / percentile(&postgres, 0.5).as_secs_f64();
            println!("median latency in {}, Meent / PostgreSQL: {ratio:.2}", lang.code());
        }
    }
}
