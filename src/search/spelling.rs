//! "Bedoelde u …?": for a word the site does not have, the nearest word that the site's own
//! visible documents do have. The index's term dictionary is walked with tantivy's Levenshtein
//! automaton (no scan of the vocabulary), and a candidate counts only by the documents of this
//! site that residents can see now, so the suggestion never reveals a word of another site or
//! of an item not published yet.

use std::collections::HashMap;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocSet, Searcher, TERMINATED, Term};

use super::Fields;

/// Words corrected per search at most (each costs a walk of the term dictionary).
pub const MAX_CORRECTED_WORDS: usize = 4;

/// The documents of `site` that are visible at `now`, per segment.
pub struct SiteDocs {
    segments: Vec<Option<BitSet>>,
}

impl SiteDocs {
    pub fn new(searcher: &Searcher, fields: Fields, site: i64, now: i64) -> tantivy::Result<SiteDocs> {
        let term = Term::from_field_u64(fields.site, site as u64);
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let Some(mut postings) = segment.inverted_index(fields.site)?.read_postings(&term, IndexRecordOption::Basic)? else {
                segments.push(None);
                continue;
            };
            let fast = segment.fast_fields();
            let (from, until) = (fast.i64("visible_from")?, fast.i64("visible_until")?);
            let mut docs = BitSet::with_max_value(segment.max_doc());
            while postings.doc() != TERMINATED {
                let doc = postings.doc();
                let window = (from.first(doc).unwrap_or(i64::MIN), until.first(doc).unwrap_or(i64::MAX));
                if !segment.is_deleted(doc) && crate::content::visibility::in_window(Some(window.0), Some(window.1), now) {
                    docs.insert(doc);
                }
                postings.advance();
            }
            segments.push(Some(docs));
        }
        Ok(SiteDocs { segments })
    }

    /// How many of the site's visible documents hold `word`, and the words within `distance`
    /// edits of it with theirs.
    fn counts(&self, searcher: &Searcher, words: Field, word: &str, distance: u8) -> tantivy::Result<HashMap<String, u32>> {
        let dfa = FuzzyTermQuery::new(Term::from_field_text(words, word), distance, true).automaton()?;
        let mut counts: HashMap<String, u32> = HashMap::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let Some(Some(docs)) = self.segments.get(ord) else { continue };
            let inverted = segment.inverted_index(words)?;
            let mut stream = inverted.terms().search(&dfa).into_stream()?;
            while let Some((key, info)) = stream.next() {
                let mut postings = inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                let mut n = 0u32;
                while postings.doc() != TERMINATED {
                    n += u32::from(docs.contains(postings.doc()));
                    postings.advance();
                }
                if n > 0 {
                    *counts.entry(String::from_utf8_lossy(key).into_owned()).or_default() += n;
                }
            }
        }
        Ok(counts)
    }

    /// The word itself when the site has it; otherwise the nearest word it has (one edit before
    /// two; then the most documents; then a word with the same first letter), if any.
    /// `words`: the unstemmed words of the language searched.
    pub fn nearest(&self, searcher: &Searcher, words: Field, word: &str) -> tantivy::Result<Option<String>> {
        let length = word.chars().count();
        if length < 3 || word.chars().any(|c| c.is_ascii_digit()) {
            return Ok(None);
        }
        let max = if length <= 4 { 1 } else { 2 };
        for distance in 1..=max {
            let counts = self.counts(searcher, words, word, distance)?;
            if counts.contains_key(word) {
                return Ok(Some(word.to_owned()));
            }
            let first = word.chars().next();
            let best = counts
                .into_iter()
                .filter(|(w, _)| w.chars().count() >= 3 && !w.chars().any(|c| c.is_ascii_digit()))
                .max_by(|(a, na), (b, nb)| na.cmp(nb).then_with(|| (a.chars().next() == first).cmp(&(b.chars().next() == first))).then_with(|| b.cmp(a)));
            if let Some((w, _)) = best {
                return Ok(Some(w));
            }
        }
        Ok(None)
    }
}
