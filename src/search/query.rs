//! From what a resident typed to a tantivy query: each word matched exactly (stemmed), with
//! typos (edit distance 1 for words of 5-8 letters, 2 for longer ones, always ranked below
//! exact matches), through the central synonym list, the last word also as a prefix; title
//! above keywords above summary above body. Any input gives a query or none, never an error.

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, Term};

use super::analysis::{self, terms};
use super::{Fields, SearchError, TextFields};
use crate::content::model::{Lang, Synonyms};

/// Longest query text considered.
const MAX_QUERY_CHARS: usize = 200;
/// Most words considered.
const MAX_WORDS: usize = 12;
/// Most words matched with typos in one query (each builds an automaton over the index).
pub const MAX_FUZZY_WORDS: usize = 4;
/// Shortest word expanded as a prefix in suggestions as you type.
pub const MIN_PREFIX_CHARS: usize = 2;

/// The synonym sets, by each of their words (analysed without stemming).
#[derive(Debug, Default, Clone)]
pub struct SynonymMap {
    by_word: HashMap<String, Vec<String>>,
}

impl SynonymMap {
    pub fn new(synonyms: &Synonyms) -> SynonymMap {
        let mut plain = analysis::plain();
        let mut by_word: HashMap<String, Vec<String>> = HashMap::new();
        for set in &synonyms.sets {
            let keys: Vec<String> = set.iter().map(|w| terms(&mut plain, w).join(" ")).filter(|k| !k.is_empty()).collect();
            for key in &keys {
                let others = set.iter().zip(&keys).filter(|(_, k)| *k != key).map(|(w, _)| w.clone());
                by_word.entry(key.clone()).or_default().extend(others);
            }
        }
        SynonymMap { by_word }
    }

    /// Other words for a word or a two-word phrase.
    fn lookup(&self, key: &str) -> &[String] {
        self.by_word.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The query text with control characters removed, whitespace collapsed and length limited.
pub fn clean(text: &str) -> String {
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_QUERY_CHARS).collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A query as kept in the log of searches that found nothing: lowercase words only, without
/// numbers or e-mail addresses (which could identify someone). Empty when nothing is left.
pub fn normalize_for_log(text: &str) -> String {
    let words: Vec<String> = clean(text)
        .split_whitespace()
        .filter(|w| !w.contains('@') && !w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| w.chars().filter(|c| c.is_alphanumeric() || *c == '-').flat_map(char::to_lowercase).collect::<String>())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .collect();
    let out = words.join(" ");
    // At most 100 bytes, cut at a character boundary (never inside a multi-byte letter).
    let mut end = out.len().min(100);
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    out[..end].trim_end().to_owned()
}

/// Field weights: where a word is found matters.
const WEIGHTS: [(fn(&TextFields) -> Field, f32); 4] =
    [(|f| f.title, 4.0), (|f| f.keywords, 3.0), (|f| f.summary, 2.0), (|f| f.body, 1.0)];
/// A typo match counts this much of an exact title match. Typos are looked for in the words of
/// titles and keywords (unstemmed), with one automaton per word: that is where residents look
/// for a name, and matching every body word with an edit distance costs more than it finds.
const FUZZY_WEIGHT: f32 = 1.0;
/// A synonym counts this much of the word itself.
const SYNONYM_FACTOR: f32 = 0.8;

pub struct Builder<'a> {
    /// The fields of the language searched.
    fields: TextFields,
    /// Its analyzer with stemming.
    stemmed: TextAnalyzer,
    plain: TextAnalyzer,
    synonyms: &'a SynonymMap,
}

impl<'a> Builder<'a> {
    pub fn new(index: &Index, fields: Fields, lang: Lang, synonyms: &'a SynonymMap) -> Result<Builder<'a>, SearchError> {
        let get = |name: &str| index.tokenizers().get(name).ok_or_else(|| SearchError::Open(format!("analyzer {name} is not registered")));
        let fields = fields.text(lang);
        Ok(Builder { fields, stemmed: get(fields.analyzer)?, plain: get(analysis::PLAIN)?, synonyms })
    }

    /// The query for `text`: every word must match (`all_words`) or any word may; with
    /// `typos`, words may also match with a few letters wrong. With `prefix_only`, the last
    /// word only needs to start a word (suggestions as you type).
    pub fn text_query(&self, text: &str, all_words: bool, typos: bool, prefix_only: bool) -> Option<Box<dyn Query>> {
        let mut plain = self.plain.clone();
        let words: Vec<String> = terms(&mut plain, text).into_iter().take(MAX_WORDS).collect();
        if words.is_empty() {
            return None;
        }
        let typing = !text.ends_with(' ');
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut skip_next = false;
        let mut fuzzy_left = if typos { MAX_FUZZY_WORDS } else { 0 };
        for (i, word) in words.iter().enumerate() {
            if skip_next {
                skip_next = false;
                continue;
            }
            let last = i + 1 == words.len();
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            // A two-word synonym ("id kaart") is tried before the single word.
            let pair = words.get(i + 1).map(|next| format!("{word} {next}"));
            let (key, synonyms) = match pair.as_deref().map(|p| (p, self.synonyms.lookup(p))) {
                Some((p, s)) if !s.is_empty() => {
                    skip_next = true;
                    (p.to_owned(), s)
                }
                _ => (word.clone(), self.synonyms.lookup(word)),
            };
            if prefix_only && last && typing && word.chars().count() >= MIN_PREFIX_CHARS {
                alternatives.push((Occur::Should, Box::new(FuzzyTermQuery::new_prefix(Term::from_field_text(self.fields.words, word), 0, true))));
            }
            let fuzzy = fuzzy_left > 0;
            fuzzy_left = fuzzy_left.saturating_sub(1);
            if let Some(q) = self.word_query(&key, 1.0, fuzzy) {
                alternatives.push((Occur::Should, q));
            }
            for synonym in synonyms {
                if let Some(q) = self.word_query(synonym, SYNONYM_FACTOR, fuzzy) {
                    alternatives.push((Occur::Should, q));
                }
            }
            if alternatives.is_empty() {
                // Only stop words: they neither help nor hinder.
                continue;
            }
            let occur = if all_words { Occur::Must } else { Occur::Should };
            clauses.push((occur, Box::new(BooleanQuery::new(alternatives))));
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// Exact matches (stemmed, in every field) and typo matches (in title and keyword words)
    /// of one word, or of every word of a phrase.
    fn word_query(&self, word: &str, factor: f32, typos: bool) -> Option<Box<dyn Query>> {
        let mut stemmed = self.stemmed.clone();
        let mut plain = self.plain.clone();
        let stems = terms(&mut stemmed, word);
        if stems.is_empty() {
            return None;
        }
        let mut per_stem: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for stem in &stems {
            let mut options: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, weight) in WEIGHTS {
                let exact = TermQuery::new(Term::from_field_text(field(&self.fields), stem), IndexRecordOption::WithFreqs);
                options.push((Occur::Should, Box::new(BoostQuery::new(Box::new(exact), weight * factor))));
            }
            per_stem.push((Occur::Must, Box::new(BooleanQuery::new(options))));
        }
        let exact: Box<dyn Query> = Box::new(BooleanQuery::new(per_stem));
        if !typos {
            return Some(exact);
        }
        let words = terms(&mut plain, word);
        let [single] = words.as_slice() else { return Some(exact) };
        let distance = match single.chars().count() {
            0..=4 => return Some(exact),
            5..=8 => 1,
            _ => 2,
        };
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(self.fields.words, single), distance, true);
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Should, exact),
            (Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), FUZZY_WEIGHT * factor))),
        ])))
    }
}

/// Documents of one site in one language. Publish windows are checked on the candidates
/// afterwards (`SearchIndex::visible`): a range filter over every document costs more than
/// reading two fast-field values of the few hundred candidates.
pub fn site_filter(f: Fields, site: i64, lang: Lang) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(TermQuery::new(Term::from_field_u64(f.site, site as u64), IndexRecordOption::Basic)) as Box<dyn Query>),
        (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.lang, lang.code()), IndexRecordOption::Basic))),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_and_logging() {
        assert_eq!(clean("  a\u{0}b \n c "), "a b c");
        assert_eq!(clean(&"x".repeat(500)).len(), MAX_QUERY_CHARS);
        assert_eq!(normalize_for_log("Paspoort 1234AB jan@example.org BSN 123456789"), "paspoort bsn");
        assert_eq!(normalize_for_log("06-12345678"), "");
    }

    #[test]
    fn synonyms_by_word_and_pair() {
        let map = SynonymMap::new(&Synonyms { sets: vec![vec!["identiteitskaart".into(), "ID-kaart".into()]] });
        assert_eq!(map.lookup("identiteitskaart"), ["ID-kaart"]);
        assert_eq!(map.lookup("id kaart"), ["identiteitskaart"]);
    }
}
