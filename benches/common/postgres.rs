//! PostgreSQL full-text search over the same documents as Meent's index, the reference the
//! search benchmarks compare with: each document analysed with its language's configuration
//! (`dutch`, `english`), weighted title A, keywords B, summary C, body D, a GIN index, ranked
//! with `ts_rank`. The database comes from `MEENT_BENCH_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); a database of its own is made and dropped.

use std::cell::RefCell;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, sql_query};
use meent::content::model::Lang;
use meent::search::Document;

pub fn config(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "dutch",
        Lang::En => "english",
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub struct PgDocs {
    admin: PgConnection,
    conn: RefCell<PgConnection>,
    name: String,
    pub rows: usize,
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    url: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    title: String,
}

impl PgDocs {
    /// A database with `docs`; `None` (after saying why) when PostgreSQL is not reachable.
    pub fn load(docs: impl IntoIterator<Item = Vec<Document>>) -> Option<PgDocs> {
        let base = std::env::var("MEENT_BENCH_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let Ok(mut admin) = PgConnection::establish(&base) else {
            println!("PostgreSQL not reachable at {base}: no comparison");
            return None;
        };
        let name = format!("meent_bench_{}_{}", std::process::id(), fastrand::u32(..));
        sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create database");
        let url = format!("{}/{name}", base.rsplit_once('/').expect("database in URL").0);
        let mut conn = PgConnection::establish(&url).expect("connect");
        conn.batch_execute(
            "CREATE TABLE docs (site BIGINT NOT NULL, lang TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL, \
             summary TEXT NOT NULL, body TEXT NOT NULL, tsv tsvector NOT NULL)",
        )
        .expect("table");
        let mut rows = 0;
        for site_docs in docs {
            for chunk in site_docs.chunks(500) {
                let values: Vec<String> = chunk
                    .iter()
                    .map(|d| {
                        format!(
                            "({}, '{l}', {}, {t}, {s}, {b}, setweight(to_tsvector('{c}', {t}), 'A') || setweight(to_tsvector('{c}', {k}), 'B') || setweight(to_tsvector('{c}', {s}), 'C') || setweight(to_tsvector('{c}', {b}), 'D'))",
                            d.site,
                            quote(&d.url),
                            l = d.lang.code(),
                            c = config(d.lang),
                            t = quote(&d.title),
                            s = quote(&d.summary),
                            b = quote(&d.body),
                            k = quote(&d.keywords.join(" "))
                        )
                    })
                    .collect();
                conn.batch_execute(&format!("INSERT INTO docs VALUES {}", values.join(","))).expect("insert");
                rows += chunk.len();
            }
        }
        conn.batch_execute("CREATE INDEX docs_tsv ON docs USING GIN (tsv); CREATE INDEX docs_site ON docs (site); ANALYZE docs;").expect("index");
        Some(PgDocs { admin, conn: RefCell::new(conn), name, rows })
    }

    /// Table and indexes, in bytes.
    pub fn size(&self) -> i64 {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>("pg_total_relation_size('docs')")).get_result(&mut *self.conn.borrow_mut()).expect("size")
    }

    /// The best 10 documents of a site in a language for what a resident typed: (url, title).
    pub fn search(&self, site: i64, lang: Lang, q: &str) -> Vec<(String, String)> {
        let sql = format!(
            "SELECT url, title FROM docs, websearch_to_tsquery('{c}', {q}) query WHERE site = {site} AND lang = '{l}' AND tsv @@ query \
             ORDER BY ts_rank(tsv, query) DESC LIMIT 10",
            c = config(lang),
            q = quote(q),
            l = lang.code()
        );
        sql_query(sql).load::<Row>(&mut *self.conn.borrow_mut()).expect("query").into_iter().map(|r| (r.url, r.title)).collect()
    }
}

impl Drop for PgDocs {
    fn drop(&mut self) {
        let _ = sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut self.admin);
    }
}
