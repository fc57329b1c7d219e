//! From what a resident typed to a tantivy query: question and filler words left out when
//! other words remain ("hoe vraag ik een paspoort aan"), separable verbs joined ("vraag … aan"
//! also as "aanvraag"), each word matched exactly (stemmed), with typos (edit distance 1 for
//! words of 5-8 letters, 2 for longer ones, always ranked below exact matches), widened
//! through the thesauri of the site's scopes (phrases of up to four words), compounds split
//! and neighbouring words joined where the index's own vocabulary has the result
//! ("huisvuilophaal" meets "huisvuil ophalen", "vuilnis zak" meets "vuilniszak"), the last word
//! also as a prefix; title above keywords above summary above body. Any input gives a query or
//! none, never an error, and the work per query is bounded (`MAX_WORDS`, `MAX_FUZZY_WORDS`,
//! `VOCABULARY_BUDGET`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::RwLock;

use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, Term};

use super::analysis::{self, PARTICLES, terms};
use super::snapshot::Snapshot;
use super::thesaurus::{self as words_of, Scope};
use super::{Fields, SearchError, TextFields};
use crate::content::model::Lang;

/// Longest query text considered.
const MAX_QUERY_CHARS: usize = 200;
/// Most words considered.
const MAX_WORDS: usize = 12;
/// Most words matched with typos in one query (each builds an automaton over the index).
pub const MAX_FUZZY_WORDS: usize = 4;
/// Shortest word expanded as a prefix in suggestions as you type.
pub const MIN_PREFIX_CHARS: usize = 2;

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
/// Where a thesaurus word is looked for: where a text says what it is about, not its body
/// (there it finds more than it means, at the price of a term look-up more).
const THESAURUS_FIELDS: &[(fn(&TextFields) -> Field, f32)] = WEIGHTS.split_at(3).0;
/// A typo match counts this much of an exact title match. Typos are looked for in the words of
/// titles and keywords (unstemmed), with one automaton per word: that is where residents look
/// for a name, and matching every body word with an edit distance costs more than it finds.
const FUZZY_WEIGHT: f32 = 1.0;
/// A thesaurus word counts this much of the word itself.
const SYNONYM_FACTOR: f32 = 0.8;
/// A word that leads to a concept only through one of its phrases counts this much.
const PART_FACTOR: f32 = 0.5;
/// A compound's parts, or two words joined, count this much of the word itself.
const COMPOUND_FACTOR: f32 = 0.9;
/// Most words of the index one misspelt word is matched with.
const MAX_TYPO_TERMS: usize = 32;
/// Most look-ups in the index's vocabulary for one query (compound splits and joins).
pub const VOCABULARY_BUDGET: usize = 64;
/// Most thesaurus words (distinct stem lists) one word of a query widens to.
const MAX_WIDENED: usize = 12;
/// Shortest word tried as a compound, and shortest part of one.
const MIN_COMPOUND_CHARS: usize = 8;
const MIN_PART_CHARS: usize = 3;

/// Words that make a question or a request but say nothing about what is sought, in Dutch and
/// in English (residents from abroad type English into the Dutch search too). Stop words of
/// the analyzers are left out anyway; these are the others.
const QUESTION_WORDS: &[&str] = &[
    "waar", "wanneer", "waarom", "welke", "welk", "hoelang", "hoeveel", "mag", "kun", "kunt", "krijg", "krijgt", "graag", "nodig", "regel", "regelt",
    "ga", "gaan", "gaat", "wilt", "willen", "moeten", "zullen", "hebt", "bent",
    "how", "what", "where", "when", "why", "which", "can", "could", "do", "does", "get", "need", "want", "should", "must", "i", "my",
];


/// Most texts whose stems a `StemCache` keeps.
const MAX_STEMMED: usize = 50_000;

/// The stems of texts already analysed in one language, shared by every search: the same
/// thesaurus words come back query after query, and stemming them (compounds split) again
/// cost a tenth of a search. Bounded: beyond `MAX_STEMMED` texts, new ones are not kept.
#[derive(Default)]
pub struct StemCache {
    known: RwLock<HashMap<String, Vec<String>>>,
}

impl StemCache {
    fn get(&self, text: &str) -> Option<Vec<String>> {
        self.known.read().unwrap_or_else(|p| p.into_inner()).get(text).cloned()
    }

    fn put(&self, text: &str, stems: &[String]) {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        if known.len() < MAX_STEMMED {
            known.insert(text.to_owned(), stems.to_vec());
        }
    }
}

pub struct Builder<'a> {
    /// The fields of the language searched.
    fields: TextFields,
    lang: Lang,
    /// Its analyzer with stemming.
    stemmed: RefCell<TextAnalyzer>,
    stemmed_before: &'a StemCache,
    plain: RefCell<TextAnalyzer>,
    /// The thesauri of the site's scopes, most specific first.
    scopes: Vec<&'a Scope>,
    /// The index's vocabulary: which words it knows (compounds), which terms are worth a query.
    snapshot: &'a Snapshot,
    lookups_left: Cell<usize>,
}

impl<'a> Builder<'a> {
    pub fn new(index: &Index, snapshot: &'a Snapshot, stemmed_before: &'a StemCache, fields: Fields, lang: Lang, scopes: Vec<&'a Scope>) -> Result<Builder<'a>, SearchError> {
        let get = |name: &str| index.tokenizers().get(name).ok_or_else(|| SearchError::Open(format!("analyzer {name} is not registered")));
        let fields = fields.text(lang);
        Ok(Builder { fields, lang, stemmed: RefCell::new(get(fields.analyzer)?), stemmed_before, plain: RefCell::new(get(analysis::PLAIN)?), scopes, snapshot, lookups_left: Cell::new(VOCABULARY_BUDGET) })
    }

    /// The query for `text`: every word must match (`all_words`) or any word may; with
    /// `typos`, words may also match with a few letters wrong. With `prefix_only`, the last
    /// word only needs to start a word (suggestions as you type).
    /// With `relax_unknown`, a word the index does not know (exactly or through the thesauri)
    /// is not required.
    pub fn text_query(&self, text: &str, all_words: bool, typos: bool, prefix_only: bool, relax_unknown: bool) -> Option<Box<dyn Query>> {
        let mut words: Vec<String> = self.plain_terms(text).into_iter().take(MAX_WORDS).collect();
        if words.is_empty() {
            return None;
        }
        let typing = !text.ends_with(' ');
        // Question words go when something else is left (a search for just "waar" stays),
        // unless a thesaurus phrase holds them ("gaan trouwen").
        let questions_go = !prefix_only && words.iter().any(|w| !QUESTION_WORDS.contains(&w.as_str()));
        // A participle the index and the thesauri do not know, as its verb ("getaxeerd" is
        // "taxeren", "gestorven" "sterven").
        if self.lang == Lang::Nl {
            let last = words.len() - 1;
            for (i, word) in words.iter_mut().enumerate() {
                if prefix_only && i == last {
                    continue;
                }
                let verbs = analysis::infinitives(word);
                if !verbs.is_empty() && !self.known(word) && self.widen(word).is_empty() {
                    if let Some(verb) = verbs.into_iter().find(|v| self.known(v) || !self.widen(v).is_empty()) {
                        *word = verb;
                    }
                }
            }
        }
        // A particle after a verb: the separable verb as one word too ("vraag … aan").
        let particle = words.iter().skip(1).rev().find(|w| PARTICLES.contains(&w.as_str())).cloned();

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut skip = 0;
        let mut fuzzy_left = if typos { MAX_FUZZY_WORDS } else { 0 };
        for (i, word) in words.iter().enumerate() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let last = i + 1 == words.len();
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            // The longest phrase the thesauri know before the word alone.
            let (key, widened, used) = (2..=crate::content::thesaurus::MAX_PHRASE_WORDS)
                .rev()
                .filter_map(|n| words.get(i..i + n).map(|phrase| phrase.join(" ")))
                .find_map(|phrase| {
                    let found = self.widen(&phrase);
                    (!found.is_empty()).then(|| {
                        let n = phrase.split(' ').count();
                        (phrase, found, n)
                    })
                })
                .unwrap_or_else(|| (word.clone(), self.widen(word), 1));
            skip = used - 1;
            if used == 1 && questions_go && QUESTION_WORDS.contains(&word.as_str()) {
                continue;
            }
            if prefix_only && last && typing && word.chars().count() >= MIN_PREFIX_CHARS {
                alternatives.push((Occur::Should, Box::new(FuzzyTermQuery::new_prefix(Term::from_field_text(self.fields.words, word), 0, true))));
            }
            // Typos only where the word is neither in the index nor in the thesauri: a word
            // found as typed needs no automaton (each costs a walk of the vocabulary).
            let fuzzy = fuzzy_left > 0 && used == 1 && widened.is_empty() && !self.known(&key);
            if fuzzy {
                fuzzy_left -= 1;
            }
            // Whether any form of the word has a stem (else it is stop words only).
            let mut has_stems = false;
            let mut add = |alternatives: &mut Vec<(Occur, Box<dyn Query>)>, parts: Option<Vec<Box<dyn Query>>>| {
                if let Some(parts) = parts {
                    has_stems = true;
                    alternatives.extend(parts.into_iter().map(|q| (Occur::Should, q)));
                }
            };
            add(&mut alternatives, self.word_parts(&key, 1.0, &WEIGHTS, fuzzy));
            // A word the thesauri do not have whole: where the phrases that hold it lead.
            let parts: Vec<&str> = if widened.is_empty() && used == 1 {
                words_of::few(self.phrases_with(word)).into_iter().flat_map(|c| words_of::leads(&self.scopes, self.lang, c)).map(String::as_str).collect()
            } else {
                Vec::new()
            };
            // Words through the thesauri, each stem list once and at most `MAX_WIDENED`: many
            // entries of a concept share their stems ("bekladding", "bekladdingen").
            let mut seen: Vec<Vec<String>> = vec![self.stems(&key)];
            let leads = widened.iter().map(|w| (*w, SYNONYM_FACTOR)).chain(parts.iter().map(|w| (*w, PART_FACTOR)));
            for (other, factor) in leads {
                let stems = self.stems(other);
                if stems.is_empty() || seen.contains(&stems) || seen.len() > MAX_WIDENED {
                    continue;
                }
                seen.push(stems);
                add(&mut alternatives, self.word_parts(other, factor, THESAURUS_FIELDS, false));
            }
            if used == 1 && !prefix_only {
                // "vuilnis zak": the two words as one, where the index has that word.
                if let Some(next) = words.get(i + 1).filter(|n| !PARTICLES.contains(&n.as_str())) {
                    let joined = format!("{word}{next}");
                    if self.known(&joined) {
                        let both = [word.as_str(), next.as_str()].iter().filter_map(|w| self.word_parts(w, 1.0, &WEIGHTS, false)).map(|p| (Occur::Must, any_of(p))).collect::<Vec<_>>();
                        alternatives = vec![(Occur::Should, Box::new(BooleanQuery::new(both)) as Box<dyn Query>)];
                        add(&mut alternatives, self.word_parts(&joined, COMPOUND_FACTOR, &WEIGHTS, false));
                        skip = 1;
                    }
                }
                // "huisvuilophaal": its parts, where the index has both.
                if skip == 0 {
                    if let Some(parts) = self.split(word) {
                        add(&mut alternatives, self.word_parts(&parts, COMPOUND_FACTOR, &WEIGHTS, false));
                    }
                }
                if let Some(p) = particle.as_deref().filter(|p| *p != word) {
                    add(&mut alternatives, self.word_parts(&format!("{p}{word}"), COMPOUND_FACTOR, &WEIGHTS, false));
                }
            }
            if alternatives.is_empty() {
                if !has_stems {
                    // Only stop words: they neither help nor hinder.
                    continue;
                }
                // Words no document holds: nothing matches them.
                alternatives.push((Occur::Should, Box::new(EmptyQuery)));
            }
            // Relaxed, a word the index does not know, exactly or through the thesauri, no
            // longer rules out what the other words find ("schommel in de speeltuin stuk");
            // what it matches with typos still ranks first.
            let required = all_words && (!relax_unknown || self.known(&key) || widened.iter().chain(&parts).take(4).any(|w| self.known(w)));
            let occur = if required { Occur::Must } else { Occur::Should };
            clauses.push((occur, Box::new(BooleanQuery::new(alternatives))));
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// The terms of `text` as the language's analyzer makes them (one analyzer per query,
    /// not a copy per word; each text analysed once: the passes of a search ask again).
    fn stems(&self, text: &str) -> Vec<String> {
        if let Some(known) = self.stemmed_before.get(text) {
            return known;
        }
        let stems = terms(&mut self.stemmed.borrow_mut(), text);
        self.stemmed_before.put(text, &stems);
        stems
    }

    /// The words of `text`, unstemmed.
    fn plain_terms(&self, text: &str) -> Vec<String> {
        terms(&mut self.plain.borrow_mut(), text)
    }

    /// What a word or phrase widens to through the thesauri: by its words as typed, else by
    /// their stems (so "conifeer" meets the entry "coniferen").
    fn widen(&self, phrase: &str) -> Vec<&'a str> {
        let found = words_of::lookup(&self.scopes, self.lang, phrase, false);
        if !found.is_empty() {
            return found;
        }
        let stems = self.stems(phrase).join(" ");
        if stems.is_empty() { found } else { words_of::lookup(&self.scopes, self.lang, &stems, true) }
    }

    /// The concepts of the thesauri with a phrase that holds `word`.
    fn phrases_with(&self, word: &str) -> Vec<words_of::ConceptRef> {
        match self.stems(word).as_slice() {
            [stem] => words_of::phrases_with(&self.scopes, self.lang, stem),
            _ => Vec::new(),
        }
    }

    /// Whether every stem of `word` is in the index's vocabulary (title or body), within the
    /// query's budget of look-ups.
    fn known(&self, word: &str) -> bool {
        let stems = self.stems(word);
        !stems.is_empty()
            && stems.iter().all(|stem| {
                [self.fields.title, self.fields.body].iter().any(|&field| {
                    let left = self.lookups_left.get();
                    if left == 0 {
                        return false;
                    }
                    self.lookups_left.set(left - 1);
                    self.snapshot.holds(&Term::from_field_text(field, stem))
                })
            })
    }

    /// A compound the analyzer's word list does not split, split where both parts are in the
    /// index's vocabulary (the longest first part first; a linking "s" may join them): the
    /// parts, as a phrase.
    fn split(&self, word: &str) -> Option<String> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < MIN_COMPOUND_CHARS || !chars.iter().all(|c| c.is_alphabetic()) || self.known(word) {
            return None;
        }
        for at in (MIN_PART_CHARS..=chars.len() - MIN_PART_CHARS).rev() {
            let left: String = chars[..at].iter().collect();
            let right: String = chars[at..].iter().collect();
            let lefts = [Some(left.clone()), left.strip_suffix('s').filter(|l| l.chars().count() >= MIN_PART_CHARS).map(str::to_owned)];
            for l in lefts.into_iter().flatten() {
                if self.known(&l) && self.known(&right) {
                    return Some(format!("{l} {right}"));
                }
            }
            if self.lookups_left.get() == 0 {
                break;
            }
        }
        None
    }

    /// Exact matches (stemmed, in `fields`, weighted) and typo matches (in title and keyword words)
    /// of one word, or of every word of a phrase, as the parts whose scores add up to the word's:
    /// a word's clause is one flat union of all its parts and alternatives, since every union
    /// scorer costs a buffer that is cleared on each jump through the site's documents. `None`
    /// for stop words only; no parts where the index holds a stem in none of the fields (terms
    /// no document holds are left out, so they cost no look-ups when the query runs).
    fn word_parts(&self, word: &str, factor: f32, fields: &[(fn(&TextFields) -> Field, f32)], typos: bool) -> Option<Vec<Box<dyn Query>>> {
        let stems = self.stems(word);
        if stems.is_empty() {
            return None;
        }
        let in_fields = |stem: &str| -> Vec<Box<dyn Query>> {
            fields
                .iter()
                .map(|&(field, weight)| (Term::from_field_text(field(&self.fields), stem), weight))
                .filter(|(term, _)| self.snapshot.holds(term))
                .map(|(term, weight)| Box::new(BoostQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)), weight * factor)) as Box<dyn Query>)
                .collect()
        };
        let mut parts = match stems.as_slice() {
            [stem] => in_fields(stem),
            _ => {
                // Every stem of a phrase, each in any field.
                let per_stem: Vec<Vec<Box<dyn Query>>> = stems.iter().map(|stem| in_fields(stem)).collect();
                if per_stem.iter().any(Vec::is_empty) {
                    Vec::new()
                } else {
                    vec![Box::new(BooleanQuery::new(per_stem.into_iter().map(|p| (Occur::Must, any_of(p))).collect())) as Box<dyn Query>]
                }
            }
        };
        if !typos {
            return Some(parts);
        }
        let words = self.plain_terms(word);
        let [single] = words.as_slice() else { return Some(parts) };
        let distance = match single.chars().count() {
            0..=4 => return Some(parts),
            5..=8 => 1,
            _ => 2,
        };
        if let Some(typos) = self.typo_query(single, distance) {
            parts.push(Box::new(ConstScoreQuery::new(typos, FUZZY_WEIGHT * factor)));
        }
        Some(parts)
    }

    /// The words of titles and keywords nearest to `word`: within one edit (a swap of two
    /// letters is one), else within `distance`, as term queries: matched with the site's
    /// documents like any word, instead of tantivy's fuzzy query, which first collects every
    /// document of every site that holds any of them. At most `MAX_TYPO_TERMS` words. Most typos
    /// are one edit, and its automaton costs a fraction of one for two.
    fn typo_query(&self, word: &str, distance: u8) -> Option<Box<dyn Query>> {
        (1..=distance).find_map(|d| self.typo_terms(word, d))
    }

    fn typo_terms(&self, word: &str, distance: u8) -> Option<Box<dyn Query>> {
        let field = self.fields.words;
        let dfa = FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true).automaton().ok()?;
        let mut found: Vec<Term> = Vec::new();
        'segments: for segment in self.snapshot.searcher().segment_readers() {
            let Ok(inverted) = segment.inverted_index(field) else { continue };
            let Ok(mut stream) = inverted.terms().search(&dfa).into_stream() else { continue };
            while let Some((key, _)) = stream.next() {
                let Ok(text) = std::str::from_utf8(key) else { continue };
                let term = Term::from_field_text(field, text);
                if !found.contains(&term) {
                    found.push(term);
                    if found.len() >= MAX_TYPO_TERMS {
                        break 'segments;
                    }
                }
            }
        }
        (!found.is_empty()).then(|| any_of(found.into_iter().map(|t| Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>).collect()))
    }
}

/// A query that matches what any of `parts` matches, scored by their sum.
fn any_of(mut parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    match parts.len() {
        0 => Box::new(EmptyQuery),
        1 => parts.remove(0),
        _ => Box::new(BooleanQuery::new(parts.into_iter().map(|p| (Occur::Should, p)).collect())),
    }
}

/// Documents of one site in one language. Publish windows are checked on the candidates
/// afterwards (`SearchIndex::visible`): a range filter over every document costs more than
/// reading two fast-field values of the few hundred candidates.
pub fn site_filter(f: Fields, site: i64, lang: Lang) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(f.site_lang, &super::site_lang_key(site, lang)), IndexRecordOption::Basic))
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

}
