//! Full-text search: one tantivy index under the data directory for every site. A product is
//! indexed once per site that offers it, with that site's folded text; pages and news once
//! per site that shows them. Every query is filtered to one site and to what is visible now.
//! The index is derived state: built by `meent reindex` or in the background when missing,
//! behind or corrupt, and kept current from the change feed (`follower.rs`).

pub mod analysis;
mod documents;
mod follower;
pub mod misses;
mod query;
mod snippet;
mod spelling;
mod snapshot;
pub mod thesaurus;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use documents::Document;

/// Every document of a site, as the index holds them (for benchmarks and tools).
pub fn documents_for_site(
    conn: &mut crate::db::DbConnection,
    content: &crate::content::cache::ContentCache,
    site: &crate::content::directory::SiteEntry,
    now: i64,
) -> diesel::QueryResult<Vec<Document>> {
    documents::site(conn, content, site, now, &mut Vec::new())
}
pub use follower::SearchFollower;
pub use query::normalize_for_log;

use crate::content::model::Lang;

/// Bumped whenever the schema or the analysis changes; an index of another version is rebuilt.
const VERSION: &str = "meent-search-8";
const WRITER_HEAP: usize = 64 * 1024 * 1024;
/// How much of a body is searched for the snippet of a hit.
const SNIPPET_SOURCE_CHARS: usize = 1500;
/// Most documents a site can match; more than any site has.
const MAX_MATCHES: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("search index: {0}")]
    Open(String),
    #[error("database error while indexing: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("no database connection for indexing: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
}

/// The text fields of one language: analysed the language's way, searched only by queries in
/// that language.
#[derive(Clone, Copy)]
pub(crate) struct TextFields {
    title: Field,
    keywords: Field,
    summary: Field,
    body: Field,
    /// The words of titles and keywords, unstemmed: prefixes, typos, "did you mean".
    words: Field,
    /// The analyzer of the stemmed fields.
    analyzer: &'static str,
}

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    id: Field,
    site: Field,
    /// The site and the language together (`site_lang_key`): one short posting list to
    /// filter a search by, instead of the site's intersected with every document of a language.
    site_lang: Field,
    kind: Field,
    url: Field,
    nl: TextFields,
    en: TextFields,
    themes: Field,
    audience: Field,
    date: Field,
    visible_from: Field,
    visible_until: Field,
}

/// The `site_lang` term of a site's documents in a language.
pub(crate) fn site_lang_key(site: i64, lang: Lang) -> String {
    format!("{site}:{}", lang.code())
}

impl Fields {
    fn text(&self, lang: Lang) -> TextFields {
        match lang {
            Lang::Nl => self.nl,
            Lang::En => self.en,
        }
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |analyzer: &str, stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(analyzer).set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { options.set_stored() } else { options }
    };
    let mut language = |suffix: &str, analyzer: &'static str| TextFields {
        title: b.add_text_field(&format!("title{suffix}"), text(analyzer, true)),
        keywords: b.add_text_field(&format!("keywords{suffix}"), text(analyzer, false)),
        summary: b.add_text_field(&format!("summary{suffix}"), text(analyzer, true)),
        body: b.add_text_field(&format!("body{suffix}"), text(analyzer, true)),
        words: b.add_text_field(&format!("words{suffix}"), text(analysis::PLAIN, false)),
        analyzer,
    };
    let nl = language("", analysis::DUTCH);
    let en = language("_en", analysis::ENGLISH);
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        site: b.add_u64_field("site", INDEXED | FAST),
        site_lang: b.add_text_field("site_lang", STRING),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        url: b.add_text_field("url", STRING | STORED),
        nl,
        en,
        themes: b.add_text_field("themes", STRING | STORED | FAST),
        audience: b.add_text_field("audience", STRING | STORED | FAST),
        date: b.add_text_field("date", STORED),
        visible_from: b.add_i64_field("visible_from", FAST),
        visible_until: b.add_i64_field("visible_until", FAST),
    };
    (b.build(), fields)
}

/// What residents asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub text: String,
    /// The language searched: its documents only, analysed its way.
    pub lang: Lang,
    pub kind: Option<String>,
    pub theme: Option<String>,
    pub audience: Option<String>,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub kind: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML: escaped text with `<mark>` around the words found.
    pub snippet: String,
    pub date: Option<String>,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub count: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub kind: Vec<FacetValue>,
    pub theme: Vec<FacetValue>,
    pub audience: Vec<FacetValue>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Results {
    pub query: String,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub hits: Vec<Hit>,
    /// Counts over every result, before the kind, theme and audience filters.
    pub facets: Facets,
    /// "Bedoelde u …?" when nothing was found.
    pub suggestion: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub title: String,
    pub url: String,
    pub kind: String,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
    thesauri: RwLock<Arc<thesaurus::Thesauri>>,
    /// The current searcher with its term statistics (replaced when the index changes).
    snapshot: Mutex<Arc<snapshot::Snapshot>>,
    /// Stems of query words and thesaurus words, per language (Dutch, English).
    stem_caches: [query::StemCache; 2],
    /// False while a full rebuild runs.
    ready: AtomicBool,
}

impl SearchIndex {
    /// Opens the index in `dir`, or creates an empty one (for instance when it is missing,
    /// of another version, or cannot be read). Returns whether it must be rebuilt.
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool), SearchError> {
        let (schema, fields) = schema();
        let version_file = dir.join("VERSION");
        let current = std::fs::read_to_string(&version_file).map(|v| v.trim() == VERSION).unwrap_or(false);
        let opened = if current { Index::open_in_dir(dir).ok().filter(|i| i.schema() == schema) } else { None };
        let (index, fresh) = match opened {
            Some(index) => (index, false),
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir).map_err(|e| SearchError::Io(dir.to_owned(), e))?;
                }
                std::fs::create_dir_all(dir).map_err(|e| SearchError::Io(dir.to_owned(), e))?;
                let index = Index::create_in_dir(dir, schema)?;
                std::fs::write(&version_file, VERSION).map_err(|e| SearchError::Io(dir.to_owned(), e))?;
                (index, true)
            }
        };
        index.tokenizers().register(analysis::DUTCH, analysis::dutch());
        index.tokenizers().register(analysis::PLAIN, analysis::plain());
        index.tokenizers().register(analysis::ENGLISH, analysis::english());
        let writer = index.writer(WRITER_HEAP).map_err(|e| SearchError::Open(format!("{e} (is another process using {}?)", dir.display())))?;
        let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let snapshot = Mutex::new(Arc::new(snapshot::Snapshot::new(reader.searcher())?));
        let search = SearchIndex {
            index,
            reader,
            snapshot,
            stem_caches: Default::default(),
            writer: Mutex::new(writer),
            fields,
            thesauri: RwLock::new(Arc::default()),
            ready: AtomicBool::new(!fresh),
        };
        Ok((search, fresh))
    }

    /// The change-feed position the index is current to (from its last commit).
    pub fn position(&self) -> Option<i64> {
        self.index.load_metas().ok()?.payload?.parse().ok()
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Replaces the thesauri the query side uses.
    pub fn set_thesauri(&self, thesauri: thesaurus::Thesauri) {
        let thesauri = Arc::new(thesauri);
        match self.thesauri.write() {
            Ok(mut t) => *t = thesauri,
            Err(p) => *p.into_inner() = thesauri,
        }
    }

    fn thesauri(&self) -> Arc<thesaurus::Thesauri> {
        self.thesauri.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn stem_cache(&self, lang: Lang) -> &query::StemCache {
        &self.stem_caches[usize::from(lang == Lang::En)]
    }

    /// The current searcher, with what is remembered for it (term statistics, opened columns).
    fn snapshot(&self) -> Result<Arc<snapshot::Snapshot>, SearchError> {
        let searcher = self.reader.searcher();
        let mut current = self.snapshot.lock().unwrap_or_else(|p| p.into_inner());
        if !current.is_for(&searcher) {
            *current = Arc::new(snapshot::Snapshot::new(searcher)?);
        }
        Ok(current.clone())
    }

    /// Applies a batch of updates: every document of each `(site, scope)` is deleted, then
    /// `docs` are added; committed with the feed position `position`.
    pub(crate) fn apply(&self, deletes: &[documents::Scope], docs: Vec<Document>, position: i64) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        for scope in deletes {
            writer.delete_query(scope.query(&self.fields))?;
        }
        for doc in docs {
            writer.add_document(doc.into_tantivy(&self.fields))?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&position.to_string());
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges every segment into one (after a full rebuild: each batch's commit left one, and
    /// every search looks each of its terms up in every segment). Updates may go on meanwhile.
    pub(crate) fn merge_all(&self) -> Result<(), SearchError> {
        let ids = self.index.searchable_segment_ids()?;
        if ids.len() < 2 {
            return Ok(());
        }
        let merging = self.writer.lock().unwrap_or_else(|p| p.into_inner()).merge(&ids);
        merging.wait()?;
        self.reader.reload()?;
        Ok(())
    }

    pub fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// Searches one site.
    pub fn search(&self, site: i64, request: &Request, now: i64) -> Result<Results, SearchError> {
        let snapshot = self.snapshot()?;
        let searcher = snapshot.searcher();
        let text = query::clean(&request.text);
        let mut results = Results { query: text.clone(), page: request.page.max(1), ..Results::default() };
        if text.is_empty() {
            return Ok(results);
        }
        let thesauri = self.thesauri();
        let scopes = thesauri.for_site(site);
        let pinned = thesaurus::pin(&scopes, &text).map(str::to_owned);
        let text_fields = self.fields.text(request.lang);
        let builder = query::Builder::new(&self.index, &snapshot, self.stem_cache(request.lang), self.fields, request.lang, scopes)?;
        let filter = query::site_filter(self.fields, site, request.lang);
        let mut matched = Vec::new();
        let mut used_query: Option<Box<dyn Query>> = None;
        // Exact words, with typos, without the words the index does not know, any word.
        for (all_words, typos, relax) in [(true, false, false), (true, true, false), (true, true, true), (false, true, false)] {
            let Some(q) = builder.text_query(&text, all_words, typos, false, relax) else { break };
            let full = BooleanQuery::new(vec![(Occur::Must, filter.box_clone()), (Occur::Must, q.box_clone())]);
            matched = searcher.search_with_statistics_provider(&full, &TopDocs::with_limit(MAX_MATCHES).order_by_score(), snapshot.as_ref())?;
            used_query = Some(q);
            if !matched.is_empty() {
                break;
            }
        }
        // A best bet comes first, found by the text or not, when the site has that page in
        // this language.
        if let Some(target) = &pinned {
            let at = BooleanQuery::new(vec![
                (Occur::Must, filter.box_clone()),
                (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(self.fields.url, target), IndexRecordOption::Basic)) as Box<dyn Query>),
            ]);
            if let Some((_, address)) = searcher.search(&at, &TopDocs::with_limit(1).order_by_score())?.into_iter().next() {
                let top = matched.iter().map(|(s, _)| *s).fold(0.0_f32, f32::max);
                matched.retain(|(_, a)| *a != address);
                matched.insert(0, (top + 1.0, address));
            }
        }
        // Facets and filters come from the fast fields; stored documents are read only for
        // the hits on the page.
        let mut facets: [BTreeMap<String, usize>; 3] = Default::default();
        let mut kept: Vec<(f32, DocAddress)> = Vec::new();
        let mut names = FacetNames::default();
        for (score, address) in matched {
            if !visible(&snapshot, address, now) {
                continue;
            }
            let [kind, themes, audiences] = names.values(&snapshot, address);
            let kind = kind.into_iter().next().unwrap_or_default();
            *facets[0].entry(kind.clone()).or_default() += 1;
            for t in &themes {
                *facets[1].entry(t.clone()).or_default() += 1;
            }
            for a in &audiences {
                *facets[2].entry(a.clone()).or_default() += 1;
            }
            let keep = request.kind.as_ref().is_none_or(|k| *k == kind)
                && request.theme.as_ref().is_none_or(|t| themes.iter().any(|x| crate::content::slug::slugify(x) == crate::content::slug::slugify(t)))
                && request.audience.as_ref().is_none_or(|a| audiences.contains(a));
            if keep {
                kept.push((score, address));
            }
        }
        let [kinds, themes, audiences] = facets;
        let list = |m: BTreeMap<String, usize>| m.into_iter().map(|(value, count)| FacetValue { value, count }).collect();
        results.facets = Facets { kind: list(kinds), theme: list(themes), audience: list(audiences) };
        results.total = kept.len();
        let per_page = request.per_page.clamp(1, 100);
        results.pages = kept.len().div_ceil(per_page).max(1);
        let mut highlighter = used_query.as_ref().map(|q| snippet::Highlighter::new(q.as_ref(), &[text_fields.title, text_fields.keywords, text_fields.summary, text_fields.body, text_fields.words]));
        for (score, address) in kept.into_iter().skip((results.page - 1) * per_page).take(per_page) {
            let doc: TantivyDocument = searcher.doc(address)?;
            // The summary when the words are in it (short, so quick), else the body; without
            // them, the summary alone (the template shows it).
            let snippet = match highlighter.as_mut() {
                Some(h) => {
                    let found = h.best(&first_str(&doc, text_fields.summary)).or_else(|| {
                        let mut body = first_str(&doc, text_fields.body);
                        truncate_chars(&mut body, SNIPPET_SOURCE_CHARS);
                        h.best(&body)
                    });
                    found.map(|(fragment, ranges)| highlight(&fragment, &ranges)).unwrap_or_default()
                }
                None => String::new(),
            };
            let date = first_str(&doc, self.fields.date);
            results.hits.push(Hit {
                kind: first_str(&doc, self.fields.kind),
                url: first_str(&doc, self.fields.url),
                title: first_str(&doc, text_fields.title),
                summary: first_str(&doc, text_fields.summary),
                snippet,
                date: (!date.is_empty()).then_some(date),
                score,
            });
        }
        if results.total == 0 {
            results.suggestion = self.did_you_mean(site, &text, now, searcher, request.lang)?;
        }
        Ok(results)
    }

    /// Titles that start with what was typed so far, for suggestions as you type.
    pub fn suggest(&self, site: i64, text: &str, now: i64, limit: usize, lang: Lang) -> Result<Vec<Suggestion>, SearchError> {
        let text = query::clean(text);
        // One letter would expand to a large share of all words.
        if text.chars().filter(|c| c.is_alphanumeric()).count() < query::MIN_PREFIX_CHARS {
            return Ok(Vec::new());
        }
        let snapshot = self.snapshot()?;
        let searcher = snapshot.searcher();
        let thesauri = self.thesauri();
        let builder = query::Builder::new(&self.index, &snapshot, self.stem_cache(lang), self.fields, lang, thesauri.for_site(site))?;
        let Some(q) = builder.text_query(&text, true, true, true, false) else { return Ok(Vec::new()) };
        let full = BooleanQuery::new(vec![(Occur::Must, query::site_filter(self.fields, site, lang)), (Occur::Must, q)]);
        let top = searcher.search_with_statistics_provider(&full, &TopDocs::with_limit(limit.clamp(1, 20) * 4).order_by_score(), snapshot.as_ref())?;
        let mut out = Vec::new();
        for (_, address) in top {
            if out.len() >= limit.clamp(1, 20) || !visible(&snapshot, address, now) {
                continue;
            }
            let doc: TantivyDocument = searcher.doc(address)?;
            out.push(Suggestion {
                title: first_str(&doc, self.fields.text(lang).title),
                url: first_str(&doc, self.fields.url),
                kind: first_str(&doc, self.fields.kind),
            });
        }
        Ok(out)
    }

    /// Replaces each word the site does not have by the nearest word it has (at most
    /// `spelling::MAX_CORRECTED_WORDS` of them), when that changes anything.
    fn did_you_mean(&self, site: i64, text: &str, now: i64, searcher: &tantivy::Searcher, lang: Lang) -> Result<Option<String>, SearchError> {
        let mut plain = analysis::plain();
        let words = analysis::terms(&mut plain, text);
        let words_field = self.fields.text(lang).words;
        let docs = spelling::SiteDocs::new(searcher, self.fields, site, now)?;
        let mut changed = false;
        let mut corrected = Vec::with_capacity(words.len());
        for (i, word) in words.iter().enumerate() {
            let better = if i < spelling::MAX_CORRECTED_WORDS { docs.nearest(searcher, words_field, word)? } else { None };
            match better {
                Some(b) if b != *word => {
                    changed = true;
                    corrected.push(b);
                }
                _ => corrected.push(word.clone()),
            }
        }
        Ok(changed.then(|| corrected.join(" ")))
    }

    /// How many segments the index searches (each adds a look-up per term to every search).
    pub fn segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// How many documents a site has in the index (for tests and operators).
    pub fn count(&self, site: i64) -> Result<usize, SearchError> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(Term::from_field_u64(self.fields.site, site as u64), IndexRecordOption::Basic);
        Ok(searcher.search(&q, &tantivy::collector::Count)?)
    }
}

/// Whether a document is in its publish window at `now` (from the snapshot's fast-field
/// columns). The same rule as `content::visibility::in_window`.
fn visible(snapshot: &snapshot::Snapshot, address: DocAddress, now: i64) -> bool {
    let Some(columns) = snapshot.columns(address.segment_ord) else { return false };
    let from = columns.visible_from.first(address.doc_id).unwrap_or(i64::MIN);
    let until = columns.visible_until.first(address.doc_id).unwrap_or(i64::MAX);
    crate::content::visibility::in_window(Some(from), Some(until), now)
}

fn truncate_chars(text: &mut String, max: usize) {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
    }
}

/// The names of facet values met in one search: each value's text looked up once (a look-up
/// in the column's dictionary costs more than the rest of a document's facets).
#[derive(Default)]
struct FacetNames {
    names: std::collections::HashMap<(u32, usize, u64), String>,
}

impl FacetNames {
    /// The kind, themes and audiences of a document, from the snapshot's columns (each value
    /// looked up in its column's dictionary once per search).
    fn values(&mut self, snapshot: &snapshot::Snapshot, address: DocAddress) -> [Vec<String>; 3] {
        let mut out: [Vec<String>; 3] = Default::default();
        let Some(columns) = snapshot.columns(address.segment_ord) else { return out };
        for (i, column) in columns.facets.iter().enumerate() {
            let Some(column) = column else { continue };
            for ord in column.term_ords(address.doc_id) {
                let name = self.names.entry((address.segment_ord, i, ord)).or_insert_with(|| {
                    let mut value = String::new();
                    if !column.ord_to_str(ord, &mut value).unwrap_or(false) {
                        value.clear();
                    }
                    value
                });
                if !name.is_empty() {
                    out[i].push(name.clone());
                }
            }
        }
        out
    }
}

fn first_str(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
}

/// Escapes a fragment and marks the highlighted ranges.
fn highlight(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let escape = crate::render::templates::escape;
    let mut out = String::with_capacity(fragment.len() + 32);
    let mut pos = 0;
    for r in ranges {
        if r.start < pos || r.end > fragment.len() || !fragment.is_char_boundary(r.start) || !fragment.is_char_boundary(r.end) {
            continue;
        }
        out.push_str(&escape(&fragment[pos..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&fragment[r.start..r.end]));
        out.push_str("</mark>");
        pos = r.end;
    }
    out.push_str(&escape(&fragment[pos..]));
    out
}
