//! `cargo bench --bench relevance -- [--content DIR] [--queries FILE] [--site SLUG] [--misses]`:
//! how often site search puts the right product first, for the queries of
//! `benches/relevance/queries.toml` (each with its kind: exact, typo, inflection, question,
//! compound, everyday, english) on one site of a content tree (default: the demo, site
//! diemen). Scored per kind as success at 1 and at 3 and mean reciprocal rank (top 10), for
//! Meent and for PostgreSQL full-text search on the same documents (`common::postgres`), with
//! the latency of both in the same run. `--misses` lists the queries Meent does not answer
//! first. `benches/relevance/unseen1` and `unseen2` are content trees of their own with their
//! queries (see the head of each `queries.toml`), to measure on texts the thesaurus was not
//! written for.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::postgres::PgDocs;
use common::{Installation, arg};
use meent::content::directory::Directory;
use meent::content::model::Lang;
use meent::search::{Request, documents_for_site};
use serde::Deserialize;

#[derive(Deserialize)]
struct QueryFile {
    query: Vec<Query>,
}

#[derive(Deserialize)]
struct Query {
    text: String,
    kind: String,
    expect: Vec<String>,
}

/// Success at 1 and 3, and the sum of reciprocal ranks, over `n` queries.
#[derive(Default, Clone, Copy)]
struct Score {
    n: usize,
    at1: usize,
    at3: usize,
    rr: f64,
}

impl Score {
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        self.at1 += usize::from(rank == Some(1));
        self.at3 += usize::from(rank.is_some_and(|r| r <= 3));
        self.rr += rank.map_or(0.0, |r| 1.0 / r as f64);
    }

    fn show(&self) -> String {
        let pct = |x: usize| 100.0 * x as f64 / self.n.max(1) as f64;
        format!("{:>5.1} % {:>5.1} % {:>6.3}", pct(self.at1), pct(self.at3), self.rr / self.n.max(1) as f64)
    }
}

/// The rank (1-based) of the first result that is one of the expected products.
fn rank(urls: &[String], expect: &[String]) -> Option<usize> {
    urls.iter().position(|u| expect.iter().any(|slug| *u == format!("/producten/{slug}"))).map(|i| i + 1)
}

/// Copies the files under `from` to `to`.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("dir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

fn main() {
    let content = common::content_dir();
    let path = arg("--queries").unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/benches/relevance/queries.toml").to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let queries: QueryFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    // A content tree without a thesaurus of its own is searched with the shipped national one,
    // as the sets written on other content (`benches/relevance/unseen*`) are.
    let with_thesaurus = tempfile::tempdir().expect("temp dir");
    let content = if content.join("thesaurus.toml").exists() {
        content
    } else {
        copy_tree(&content, with_thesaurus.path());
        std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/content/thesaurus.toml"), with_thesaurus.path().join("thesaurus.toml")).expect("thesaurus");
        with_thesaurus.path().to_owned()
    };
    let installation = Installation::new(&content, true);
    let state = &installation.state;
    let mut conn = state.pool.get().expect("connection");
    let directory = Directory::load(&mut conn).expect("directory");
    let slug = arg("--site").unwrap_or_else(|| "diemen".into());
    let site = directory.site_by_slug(&slug).unwrap_or_else(|| panic!("no site {slug}")).clone();
    let now = meent::now();
    let docs = documents_for_site(&mut conn, &state.content, &site, now).expect("documents");
    drop(conn);
    // Every expected product must be searchable on the site, or the query measures nothing.
    let unknown: Vec<String> = queries
        .query
        .iter()
        .flat_map(|q| q.expect.iter())
        .filter(|slug| !docs.iter().any(|d| d.url == format!("/producten/{slug}")))
        .cloned()
        .collect();
    assert!(unknown.is_empty(), "expected products not offered on {slug}: {unknown:?}");
    println!("{} queries on {} ({} documents)", queries.query.len(), site.site.slug, docs.len());

    let meent = |q: &str| -> Vec<String> {
        let request = Request { text: q.to_owned(), lang: Lang::Nl, page: 1, per_page: 10, ..Request::default() };
        state.search.search(site.id, &request, now).expect("search").hits.into_iter().map(|h| h.url).collect()
    };
    let pg = PgDocs::load([docs.clone()]);
    let postgres = |q: &str| -> Vec<String> { pg.as_ref().map(|pg| pg.search(site.id, Lang::Nl, q).into_iter().map(|(url, _)| url).collect()).unwrap_or_default() };

    let engines: [(&str, &dyn Fn(&str) -> Vec<String>); 2] = [("Meent", &meent), ("PostgreSQL", &postgres)];
    let mut scores: Vec<BTreeMap<String, Score>> = Vec::new();
    let mut times: Vec<Vec<Duration>> = Vec::new();
    let mut misses = Vec::new();
    for (name, search) in engines {
        if name == "PostgreSQL" && pg.is_none() {
            continue;
        }
        let mut per_kind: BTreeMap<String, Score> = BTreeMap::new();
        let mut took = Vec::new();
        for q in &queries.query {
            let urls = search(&q.text);
            let r = rank(&urls, &q.expect);
            per_kind.entry(q.kind.clone()).or_default().add(r);
            per_kind.entry("all".into()).or_default().add(r);
            if name == "Meent" && r != Some(1) {
                misses.push(format!("{:<10} {:<45} expected {:?}, got {:?}", q.kind, q.text, q.expect, urls.iter().take(3).collect::<Vec<_>>()));
            }
            for _ in 0..5 {
                let started = Instant::now();
                search(&q.text);
                took.push(started.elapsed());
            }
        }
        took.sort();
        scores.push(per_kind);
        times.push(took);
    }
    println!("{:<12} {:>5} | {:^22} | {:^22}", "kind", "n", "Meent s@1 s@3 MRR", "PostgreSQL s@1 s@3 MRR");
    for (kind, score) in &scores[0] {
        let other = scores.get(1).and_then(|s| s.get(kind)).map(Score::show).unwrap_or_default();
        println!("{kind:<12} {:>5} | {} | {}", score.n, score.show(), other);
    }
    for ((name, _), took) in engines.iter().zip(&times) {
        println!("{name:<10} latency p50 {:.3} ms, p99 {:.3} ms", percentile(took, 0.5), percentile(took, 0.99));
    }
    if times.len() == 2 {
        println!("median latency, Meent / PostgreSQL: {:.2}", percentile(&times[0], 0.5) / percentile(&times[1], 0.5));
    }
    if std::env::args().any(|a| a == "--misses") {
        for m in &misses {
            println!("miss: {m}");
        }
    }
}
