//! One searcher with what is remembered for it across searches: the fast-field columns every
//! search reads (publish windows, facets), opened once instead of per search, and its
//! statistics: how many documents hold a term
//! (for BM25 weights, for knowing whether a word is in the index at all, and for leaving out of
//! a query the thesaurus words no document holds in a field), and the totals BM25 needs.
//! A search widens its words to dozens of terms; without this each costs a look-up in the
//! term dictionary of every segment for its weight, and another for its scorer even when no
//! document holds it. Kept per searcher generation: a new commit starts afresh, so a cached
//! figure is always the searcher's own (scores do not depend on what was searched before).

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// Most terms remembered per generation (about 100 bytes each); beyond it, terms are looked up
/// each time, so a flood of made-up words costs no memory.
const MAX_TERMS: usize = 100_000;

/// The columns of one segment a search reads for every candidate.
pub struct SegmentColumns {
    pub visible_from: Column<i64>,
    pub visible_until: Column<i64>,
    /// Kind, themes, audience.
    pub facets: [Option<StrColumn>; 3],
}

pub struct Snapshot {
    searcher: Searcher,
    generation: u64,
    /// Per segment, in the searcher's order.
    columns: Vec<SegmentColumns>,
    total_docs: u64,
    tokens: Mutex<HashMap<Field, u64>>,
    doc_freq: RwLock<HashMap<Term, u64>>,
}

impl Snapshot {
    pub fn new(searcher: Searcher) -> tantivy::Result<Snapshot> {
        let generation = searcher.generation().generation_id();
        let total_docs = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        let mut columns = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            columns.push(SegmentColumns {
                visible_from: fast.i64("visible_from")?,
                visible_until: fast.i64("visible_until")?,
                facets: [fast.str("kind")?, fast.str("themes")?, fast.str("audience")?],
            });
        }
        Ok(Snapshot { searcher, generation, columns, total_docs, tokens: Mutex::default(), doc_freq: RwLock::default() })
    }

    /// The columns of the segment `segment_ord` of the searcher.
    pub fn columns(&self, segment_ord: u32) -> Option<&SegmentColumns> {
        self.columns.get(segment_ord as usize)
    }

    /// Whether these are the statistics of `searcher`'s generation.
    pub fn is_for(&self, searcher: &Searcher) -> bool {
        self.generation == searcher.generation().generation_id()
    }

    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// The number of documents that hold `term` (deleted ones included, as tantivy counts).
    pub fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self.doc_freq.read().unwrap_or_else(|p| p.into_inner()).get(term) {
            return Ok(*n);
        }
        let n = self.searcher.doc_freq(term)?;
        let mut known = self.doc_freq.write().unwrap_or_else(|p| p.into_inner());
        if known.len() < MAX_TERMS {
            known.insert(term.clone(), n);
        }
        Ok(n)
    }

    /// Whether some document holds `term`; a term that cannot be looked up counts as absent.
    pub fn holds(&self, term: &Term) -> bool {
        self.doc_freq(term).is_ok_and(|n| n > 0)
    }
}

impl Bm25StatisticsProvider for Snapshot {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self.tokens.lock().unwrap_or_else(|p| p.into_inner()).get(&field) {
            return Ok(*n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.total_docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Snapshot::doc_freq(self, term)
    }
}
