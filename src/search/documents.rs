//! What the index holds, built in one place from the same store and fold residents see.

use chrono::NaiveDate;
use diesel::QueryResult;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use super::Fields;
use crate::content::directory::SiteEntry;
use crate::content::fold::Resolved;
use crate::content::language;
use crate::content::model::{Lang, Local, NewsItem, Page, Timestamp};
use crate::render::paths;
use crate::content::cache::ContentCache;
use crate::content::store;
use crate::content::visibility::{Scheduled, Viewer};
use crate::db::DbConnection;
use crate::render::markdown::to_text;

pub const PRODUCT: &str = "product";
pub const PAGE: &str = "pagina";
pub const NEWS: &str = "nieuws";

/// One searchable item on one site.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub site: i64,
    /// The language of the texts: they go to that language's fields.
    pub lang: Lang,
    pub kind: &'static str,
    pub url: String,
    pub title: String,
    pub keywords: Vec<String>,
    pub summary: String,
    pub body: String,
    pub themes: Vec<String>,
    pub audience: Vec<String>,
    pub date: Option<String>,
    pub visible_from: Option<Timestamp>,
    pub visible_until: Option<Timestamp>,
}

impl Document {
    pub(crate) fn into_tantivy(self, f: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        let t = f.text(self.lang);
        doc.add_text(f.id, &self.id);
        doc.add_u64(f.site, self.site as u64);
        doc.add_text(f.site_lang, super::site_lang_key(self.site, self.lang));
        doc.add_text(f.kind, self.kind);
        doc.add_text(f.url, &self.url);
        doc.add_text(t.title, &self.title);
        doc.add_text(t.words, &self.title);
        for k in &self.keywords {
            doc.add_text(t.keywords, k);
            doc.add_text(t.words, k);
        }
        doc.add_text(t.summary, &self.summary);
        doc.add_text(t.body, &self.body);
        for t in &self.themes {
            doc.add_text(f.themes, t);
        }
        for a in &self.audience {
            doc.add_text(f.audience, a);
        }
        if let Some(date) = &self.date {
            doc.add_text(f.date, date);
        }
        doc.add_i64(f.visible_from, self.visible_from.unwrap_or(i64::MIN));
        doc.add_i64(f.visible_until, self.visible_until.unwrap_or(i64::MAX));
        doc
    }
}

/// A set of documents to remove before adding their new versions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Everything of a site.
    Site(i64),
    /// One kind of a site (pages or news).
    Kind(i64, &'static str),
    /// One product on a site.
    Product(i64, String),
    /// Every site but these (sites that no longer exist).
    AllBut(Vec<i64>),
}

impl Scope {
    pub(crate) fn query(&self, f: &Fields) -> Box<dyn Query> {
        let site = |id: i64| -> Box<dyn Query> { Box::new(TermQuery::new(Term::from_field_u64(f.site, id as u64), IndexRecordOption::Basic)) };
        match self {
            Scope::Site(id) => site(*id),
            Scope::Kind(id, kind) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, site(*id)),
                (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.kind, kind), IndexRecordOption::Basic))),
            ])),
            Scope::Product(id, slug) => Box::new(BooleanQuery::new(
                Lang::ALL
                    .into_iter()
                    .map(|lang| (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(f.id, &product_id(*id, slug, lang)), IndexRecordOption::Basic)) as Box<dyn Query>))
                    .collect(),
            )),
            Scope::AllBut(ids) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
                clauses.extend(ids.iter().map(|&id| (Occur::MustNot, site(id))));
                Box::new(BooleanQuery::new(clauses))
            }
        }
    }
}

/// A document's id: the Dutch one, or with the language after it.
fn doc_id(base: String, lang: Lang) -> String {
    match lang {
        Lang::Nl => base,
        other => format!("{base}:{}", other.code()),
    }
}

fn product_id(site: i64, slug: &str, lang: Lang) -> String {
    doc_id(format!("p:{site}:{slug}"), lang)
}

fn product_doc(site: &SiteEntry, r: &Resolved, lang: Lang) -> Document {
    let mut body = String::new();
    for s in &r.sections {
        if !s.heading.is_empty() {
            body.push_str(&s.heading);
            body.push_str(if s.heading.ends_with(['?', '.', '!', ':']) { " " } else { ". " });
        }
        body.push_str(&to_text(&s.body));
        body.push(' ');
    }
    Document {
        id: product_id(site.id, &r.slug, lang),
        site: site.id,
        lang,
        kind: PRODUCT,
        url: paths::product(lang, &r.slug),
        title: r.title.clone(),
        keywords: r.keywords.clone(),
        summary: r.summary.clone(),
        body: body.trim_end().to_owned(),
        themes: r.themes.clone(),
        audience: r.audience.iter().map(|a| a.as_str().to_owned()).collect(),
        date: None,
        visible_from: r.publish_at,
        visible_until: r.unpublish_at,
    }
}

/// A page's or news item's entry: what every local item gives the index, beside what its kind
/// decides (its kind, id, URL and date).
fn local_doc<K>(site: &SiteEntry, item: &Local<K>, lang: Lang, kind: &'static str, id: String, url: String, date: Option<NaiveDate>) -> Document
where
    Local<K>: Scheduled,
{
    Document {
        id: doc_id(id, lang),
        site: site.id,
        lang,
        kind,
        url,
        title: item.title.clone(),
        keywords: vec![],
        summary: item.summary.clone(),
        body: to_text(&item.body),
        themes: vec![],
        audience: vec![],
        date: date.map(|d| d.format("%Y-%m-%d").to_string()),
        visible_from: item.publish_at(),
        visible_until: item.unpublish_at(),
    }
}

/// A page in every language it has a text in.
fn page_docs(site: &SiteEntry, p: &Page) -> Vec<Document> {
    Lang::ALL
        .into_iter()
        .filter_map(|lang| language::local_in(p, lang).map(|p| local_doc(site, &p, lang, PAGE, format!("g:{}:{}", site.id, p.path), paths::page(lang, &p.path), None)))
        .collect()
}

fn news_docs(site: &SiteEntry, n: &NewsItem) -> Vec<Document> {
    Lang::ALL
        .into_iter()
        .filter_map(|lang| language::local_in(n, lang).map(|n| local_doc(site, &n, lang, NEWS, format!("n:{}:{}", site.id, n.slug), paths::news_item(lang, &n.slug), Some(n.date))))
        .collect()
}

/// Products whose documents change by themselves at a moment (a value with dates): the site,
/// the product's slug and the moment.
pub type Due = Vec<(i64, String, i64)>;

/// The products a site offers, or one of them, as documents: one per language it has a text
/// in. Adds to `due` when a value with dates will change a document.
pub fn products(conn: &mut DbConnection, content: &ContentCache, site: &SiteEntry, only: Option<&str>, now: i64, due: &mut Due) -> QueryResult<Vec<Document>> {
    let viewer = Viewer::indexer(now);
    let mut docs = Vec::new();
    for lang in Lang::ALL {
        let offered = match only {
            Some(slug) => store::product_in(conn, content, site, slug, viewer, lang)?.items,
            None => store::catalogue_in(conn, content, site, viewer, lang)?.items,
        };
        due.extend(offered.iter().filter_map(|r| Some((site.id, r.slug.clone(), r.next_change?))));
        docs.extend(offered.iter().map(|r| product_doc(site, r, lang)));
    }
    Ok(docs)
}

pub fn pages(conn: &mut DbConnection, content: &ContentCache, site: &SiteEntry, now: i64) -> QueryResult<Vec<Document>> {
    Ok(store::pages(conn, content, site, Viewer::indexer(now))?.items.iter().flat_map(|p| page_docs(site, p)).collect())
}

pub fn news(conn: &mut DbConnection, content: &ContentCache, site: &SiteEntry, now: i64) -> QueryResult<Vec<Document>> {
    Ok(store::news(conn, content, site, Viewer::indexer(now))?.items.iter().flat_map(|n| news_docs(site, n)).collect())
}

/// Everything of a site.
pub fn site(conn: &mut DbConnection, content: &ContentCache, site: &SiteEntry, now: i64, due: &mut Due) -> QueryResult<Vec<Document>> {
    let mut docs = products(conn, content, site, None, now, due)?;
    docs.extend(pages(conn, content, site, now)?);
    docs.extend(news(conn, content, site, now)?);
    Ok(docs)
}
