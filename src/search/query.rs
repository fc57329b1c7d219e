//! From what a resident typed to a tantivy query: question and filler words left out when
//! other words remain ("hoe vraag ik een paspoort aan"), separable verbs joined ("vraag … aan"
//! also as "aanvraag"), each word matched exactly (stemmed), with typos (edit distance 1 for
//! words of 5-8 letters, 2 for longer ones, always ranked below exact matches), widened
//! through the thesauri of the site's scopes (phrases of up to four words, also over the stop
//! words between them and with one word read as the catalogue word it leads to: "mijn reispas
//! is gejat" holds "paspoort gejat"; a phrase whose catalogue words no title, keyword or
//! summary uses gives way to the words typed), compounds split and neighbouring words joined where the
//! index's own vocabulary has the result ("huisvuilophaal" meets "huisvuil ophalen", "vuilnis
//! zak" meets "vuilniszak"), a word nobody knows whole and no typo explains split into parts
//! the index or the thesauri know ("invalidewagen": "invalide" leads where the thesauri say),
//! the last word also as a prefix; title above keywords above summary above body. Any input
//! gives a query or none, never an error, and the work per query is bounded (`MAX_WORDS`,
//! `MAX_FUZZY_WORDS`, `MAX_WIDENED`, `MAX_PHRASE_SPAN`, `MAX_SUBSTITUTES`, `VOCABULARY_BUDGET`
//! for look-ups and again for splits; phrases and splits are worked out once per search).

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
/// Where a word must be for the index to know it (compounds, joins, typos): a title or a body.
const VOCABULARY_FIELDS: [fn(&TextFields) -> Field; 2] = [|f| f.title, |f| f.body];
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
/// Most look-ups in the index's vocabulary for one search (all its passes) to tell which words
/// it knows, and as many again for trying compound splits.
pub const VOCABULARY_BUDGET: usize = 64;
/// Most thesaurus words (distinct stem lists) one word of a query widens to.
const MAX_WIDENED: usize = 12;
/// Shortest word tried as a compound, and shortest part of one.
const MIN_COMPOUND_CHARS: usize = 8;
const MIN_PART_CHARS: usize = 3;
/// Longest word tried as a compound (each split point costs look-ups).
const MAX_COMPOUND_CHARS: usize = 30;
/// Most thesaurus words one part of a compound widens to.
const MAX_PART_WIDENED: usize = 4;
/// Longest phrase looked up with one of its words read as a catalogue word it leads to, and
/// how many such words are tried for one word.
const MAX_SUBSTITUTED_PHRASE: usize = 3;
const MAX_SUBSTITUTES: usize = 4;
/// Most words of a query one phrase may span when stop words between its words are skipped.
const MAX_PHRASE_SPAN: usize = 8;

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
/// cost a tenth of a search. Bounded: at `MAX_STEMMED` texts it starts afresh, so that what
/// residents type (any text) can never keep the thesaurus words out for good.
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
        if known.len() >= MAX_STEMMED {
            known.clear();
        }
        known.insert(text.to_owned(), stems.to_vec());
    }
}

pub struct Builder<'a> {
    /// The fields of the language searched.
    fields: TextFields,
    lang: Lang,
    /// Its analyzer with stemming.
    stemmed: RefCell<TextAnalyzer>,
    stemmed_before: &'a StemCache,
    /// What the passes of one search would otherwise work out again: the phrase starting at a
    /// word, what a word or phrase widens to, and a word's compound split.
    phrases: RefCell<HashMap<String, Option<Phrase<'a>>>>,
    widened: RefCell<HashMap<String, Vec<&'a str>>>,
    splits: RefCell<HashMap<(String, bool), Option<(String, String)>>>,
    plain: RefCell<TextAnalyzer>,
    /// The thesauri of the site's scopes, most specific first.
    scopes: Vec<&'a Scope>,
    /// The index's vocabulary: which words it knows (compounds), which terms are worth a query.
    snapshot: &'a Snapshot,
    /// Look-ups left for deciding which words the index knows, and for trying compound splits:
    /// apart, so that splitting one long word never makes the next word look unknown.
    lookups_left: Cell<usize>,
    split_lookups_left: Cell<usize>,
}

impl<'a> Builder<'a> {
    pub fn new(index: &Index, snapshot: &'a Snapshot, stemmed_before: &'a StemCache, fields: Fields, lang: Lang, scopes: Vec<&'a Scope>) -> Result<Builder<'a>, SearchError> {
        let get = |name: &str| index.tokenizers().get(name).ok_or_else(|| SearchError::Open(format!("analyzer {name} is not registered")));
        let fields = fields.text(lang);
        Ok(Builder {
            fields,
            lang,
            stemmed: RefCell::new(get(fields.analyzer)?),
            stemmed_before,
            phrases: RefCell::default(),
            widened: RefCell::default(),
            splits: RefCell::default(),
            plain: RefCell::new(get(analysis::PLAIN)?),
            scopes,
            snapshot,
            lookups_left: Cell::new(VOCABULARY_BUDGET),
            split_lookups_left: Cell::new(VOCABULARY_BUDGET),
        })
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
        // Which words say something (not stop words only): phrases may skip the others.
        let content: Vec<bool> = words.iter().map(|w| !self.stems(w).is_empty()).collect();
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
            let (key, widened, used) = self.phrase_at(&words[i..], &content[i..]).unwrap_or_else(|| (word.clone(), self.widen(word), 1));
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
            let own = self.word_parts(&key, 1.0, &WEIGHTS);
            let corrected = match &own {
                Some(_) if fuzzy => self.typos(&key, 1.0),
                _ => None,
            };
            let typo_found = corrected.is_some();
            add(&mut alternatives, own);
            alternatives.extend(corrected.map(|q| (Occur::Should, q)));
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
                add(&mut alternatives, self.word_parts(other, factor, THESAURUS_FIELDS));
            }
            if used == 1 && !prefix_only {
                // "vuilnis zak": the two words as one, where the index has that word.
                if let Some(next) = words.get(i + 1).filter(|n| !PARTICLES.contains(&n.as_str())) {
                    let joined = format!("{word}{next}");
                    if self.known(&joined) {
                        let both = [word.as_str(), next.as_str()].iter().filter_map(|w| self.word_parts(w, 1.0, &WEIGHTS)).map(|p| (Occur::Must, any_of(p))).collect::<Vec<_>>();
                        alternatives = vec![(Occur::Should, Box::new(BooleanQuery::new(both)) as Box<dyn Query>)];
                        add(&mut alternatives, self.word_parts(&joined, COMPOUND_FACTOR, &WEIGHTS));
                        skip = 1;
                    }
                }
                // "huisvuilophaal": its parts, where the index has both; else, when typos are
                // looked for and none is near, "invalidewagen", a word nobody knows whole, by
                // parts the index or the thesauri know, each part and where it leads.
                if skip == 0 {
                    if let Some((left, right)) = self.split(word, false) {
                        add(&mut alternatives, self.word_parts(&format!("{left} {right}"), COMPOUND_FACTOR, &WEIGHTS));
                    } else if fuzzy && !typo_found {
                        if let Some((left, right)) = self.split(word, true) {
                            // Both parts, each as itself or where the thesauri lead.
                            let both: Vec<(Occur, Box<dyn Query>)> = [left, right]
                                .iter()
                                .map(|part| {
                                    let mut ways = self.word_parts(part, COMPOUND_FACTOR, &WEIGHTS).unwrap_or_default();
                                    for other in self.widen(part).into_iter().take(MAX_PART_WIDENED) {
                                        ways.extend(self.word_parts(other, COMPOUND_FACTOR * SYNONYM_FACTOR, THESAURUS_FIELDS).unwrap_or_default());
                                    }
                                    (Occur::Must, any_of(ways))
                                })
                                .collect();
                            add(&mut alternatives, Some(vec![Box::new(BooleanQuery::new(both)) as Box<dyn Query>]));
                        }
                    }
                }
                if let Some(p) = particle.as_deref().filter(|p| *p != word) {
                    add(&mut alternatives, self.word_parts(&format!("{p}{word}"), COMPOUND_FACTOR, &WEIGHTS));
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
    /// their stems (so "conifeer" meets the entry "coniferen"), only when stemming kept every
    /// word: "mijn reispas is" is no phrase for "reispas".
    fn widen(&self, phrase: &str) -> Vec<&'a str> {
        if let Some(known) = self.widened.borrow().get(phrase) {
            return known.clone();
        }
        let found = self.widen_now(phrase);
        self.widened.borrow_mut().insert(phrase.to_owned(), found.clone());
        found
    }

    fn widen_now(&self, phrase: &str) -> Vec<&'a str> {
        let found = words_of::lookup(&self.scopes, self.lang, phrase, false);
        if !found.is_empty() {
            return found;
        }
        let stems = self.stems(phrase);
        if stems.is_empty() || stems.len() != phrase.split(' ').count() { found } else { words_of::lookup(&self.scopes, self.lang, &stems.join(" "), true) }
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
        self.known_within(word, &self.lookups_left)
    }

    /// The same for a part of a compound, within the budget for splits.
    fn part_known(&self, part: &str) -> bool {
        self.known_within(part, &self.split_lookups_left)
    }

    fn known_within(&self, word: &str, budget: &Cell<usize>) -> bool {
        let stems = self.stems(word);
        !stems.is_empty()
            && stems.iter().all(|stem| {
                VOCABULARY_FIELDS.iter().any(|&field| {
                    let left = budget.get();
                    if left == 0 {
                        return false;
                    }
                    budget.set(left - 1);
                    self.holds(field, stem)
                })
            })
    }

    /// A compound the analyzer's word list does not split, split where both parts are in the
    /// index's vocabulary or, `through_thesauri`, also words of the thesauri (the longest first
    /// part first; a linking letter of `analysis::LINKS` may join them). Worked out once per
    /// word for all passes of a search.
    fn split(&self, word: &str, through_thesauri: bool) -> Option<(String, String)> {
        let memo = (word.to_owned(), through_thesauri);
        if let Some(known) = self.splits.borrow().get(&memo) {
            return known.clone();
        }
        let wanted = |part: &str| (through_thesauri && !words_of::lookup(&self.scopes, self.lang, part, false).is_empty()) || self.part_known(part);
        let found = self.split_by(word, wanted);
        self.splits.borrow_mut().insert(memo, found.clone());
        found
    }

    /// The same with the parts' test given: both parts must be `wanted`.
    fn split_by(&self, word: &str, wanted: impl Fn(&str) -> bool) -> Option<(String, String)> {
        let chars: Vec<char> = word.chars().collect();
        if !splittable(word) || self.known(word) {
            return None;
        }
        for at in (MIN_PART_CHARS..=chars.len() - MIN_PART_CHARS).rev() {
            let left: String = chars[..at].iter().collect();
            let right: String = chars[at..].iter().collect();
            let linked = analysis::LINKS.iter().filter_map(|link| left.strip_suffix(link)).filter(|l| l.chars().count() >= MIN_PART_CHARS);
            for l in std::iter::once(left.as_str()).chain(linked) {
                if wanted(l) && wanted(&right) {
                    return Some((l.to_owned(), right));
                }
            }
            if self.split_lookups_left.get() == 0 {
                break;
            }
        }
        None
    }

    /// The longest phrase of the thesauri that starts with `words[0]` and leads to catalogue
    /// words some title, keyword or summary uses (of any site): as typed, then by its content
    /// words alone ("mijn paspoort is gejat" holds "paspoort gejat"), then with one word read as
    /// a catalogue word it leads to ("reispas gejat" is "paspoort gejat"; one way). The phrase,
    /// what it widens to, and how many words it took.
    fn phrase_at(&self, words: &[String], content: &[bool]) -> Option<Phrase<'a>> {
        let memo = words.join(" ");
        if let Some(known) = self.phrases.borrow().get(&memo) {
            return known.clone();
        }
        let found = self.find_phrase(words, content);
        self.phrases.borrow_mut().insert(memo, found.clone());
        found
    }

    fn find_phrase(&self, words: &[String], content: &[bool]) -> Option<Phrase<'a>> {
        let windows = phrase_windows(words, content);
        for (phrase, taken) in &windows {
            let key = phrase.join(" ");
            let found = self.widen(&key);
            if self.leads_somewhere(&found) {
                return Some((key, found, *taken));
            }
        }
        for (phrase, taken) in windows.iter().filter(|(phrase, _)| phrase.len() <= MAX_SUBSTITUTED_PHRASE) {
            for (at, word) in phrase.iter().enumerate() {
                // Only where the other words are in some phrase of the thesauri.
                if phrase.iter().enumerate().any(|(j, w)| j != at && self.phrases_with(w).is_empty()) {
                    continue;
                }
                for other in self.widen(word).into_iter().take(MAX_SUBSTITUTES) {
                    let mut changed = phrase.clone();
                    changed[at] = other;
                    let found = self.widen(&changed.join(" "));
                    if self.leads_somewhere(&found) {
                        return Some((phrase.join(" "), found, *taken));
                    }
                }
            }
        }
        None
    }

    /// Exact matches (stemmed, in `fields`, weighted) of one word, or of every word of a
    /// phrase, as the parts whose scores add up to the word's: a word's clause is one flat union
    /// of all its parts and alternatives, since every union scorer costs a buffer that is
    /// cleared on each jump through the site's documents. `None` for stop words only; no parts
    /// where the index holds a stem in none of the fields (terms no document holds are left
    /// out, so they cost no look-ups when the query runs).
    fn word_parts(&self, word: &str, factor: f32, fields: &[(fn(&TextFields) -> Field, f32)]) -> Option<Vec<Box<dyn Query>>> {
        let stems = self.stems(word);
        if stems.is_empty() {
            return None;
        }
        let in_fields = |stem: &str| -> Vec<Box<dyn Query>> {
            fields
                .iter()
                .filter(|&&(field, _)| self.holds(field, stem))
                .map(|&(field, weight)| {
                    let term = Term::from_field_text(field(&self.fields), stem);
                    Box::new(BoostQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)), weight * factor)) as Box<dyn Query>
                })
                .collect()
        };
        Some(match stems.as_slice() {
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
        })
    }

    /// Whether some of `targets` (thesaurus words, as `word_parts` looks them up) are in the
    /// index: a phrase of the thesauri whose words no text uses would hide the words typed.
    fn leads_somewhere(&self, targets: &[&str]) -> bool {
        targets.iter().take(MAX_WIDENED).any(|target| {
            let stems = self.stems(target);
            !stems.is_empty() && stems.iter().all(|stem| THESAURUS_FIELDS.iter().any(|&(field, _)| self.holds(field, stem)))
        })
    }

    /// Whether some document (of any site) has `stem` in `field`.
    fn holds(&self, field: fn(&TextFields) -> Field, stem: &str) -> bool {
        self.snapshot.holds(&Term::from_field_text(field(&self.fields), stem))
    }

    /// Typo matches of one word (in title and keyword words, unstemmed), scored as a constant
    /// `FUZZY_WEIGHT * factor`; none for a phrase or a word of four letters or fewer.
    fn typos(&self, word: &str, factor: f32) -> Option<Box<dyn Query>> {
        let words = self.plain_terms(word);
        let [single] = words.as_slice() else { return None };
        let distance = match single.chars().count() {
            0..=4 => return None,
            5..=8 => 1,
            _ => 2,
        };
        self.typo_query(single, distance).map(|typos| Box::new(ConstScoreQuery::new(typos, FUZZY_WEIGHT * factor)) as Box<dyn Query>)
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

/// A phrase of the thesauri found in a query: its words, what it widens to, and how many words
/// of the query it took.
type Phrase<'a> = (String, Vec<&'a str>, usize);

/// The phrases of 2 to `MAX_PHRASE_WORDS` words that start `words`, longest first, each with
/// how many words of the query it takes: the words as typed, then (where stop words stand
/// between) the content words only (`content`: whether each word is one).
fn phrase_windows<'w>(words: &'w [String], content: &[bool]) -> Vec<(Vec<&'w str>, usize)> {
    let longest = crate::content::thesaurus::MAX_PHRASE_WORDS;
    let mut windows: Vec<(Vec<&str>, usize)> = (2..=longest.min(words.len())).rev().map(|n| (words[..n].iter().map(String::as_str).collect(), n)).collect();
    let at: Vec<usize> = content.iter().take(MAX_PHRASE_SPAN).enumerate().filter(|(_, c)| **c).map(|(at, _)| at).collect();
    if at.first() == Some(&0) {
        for n in (2..=longest.min(at.len())).rev() {
            let taken = at[n - 1] + 1;
            if taken > n {
                windows.push((at[..n].iter().map(|&i| words[i].as_str()).collect(), taken));
            }
        }
    }
    windows
}

/// Whether a word may be a compound worth splitting: letters only, of a length where a split
/// is likely and affordable.
fn splittable(word: &str) -> bool {
    (MIN_COMPOUND_CHARS..=MAX_COMPOUND_CHARS).contains(&word.chars().count()) && word.chars().all(char::is_alphabetic)
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

    #[test]
    fn phrases_are_looked_up_as_typed_and_over_stop_words() {
        let words: Vec<String> = ["reispas", "is", "gejat", "op", "vakantie"].map(String::from).to_vec();
        let content = [true, false, true, false, true];
        let windows = phrase_windows(&words, &content);
        let shown: Vec<(String, usize)> = windows.iter().map(|(w, n)| (w.join(" "), *n)).collect();
        let want = [("reispas is gejat op", 4), ("reispas is gejat", 3), ("reispas is", 2), ("reispas gejat vakantie", 5), ("reispas gejat", 3)];
        assert_eq!(shown, want.map(|(w, n)| (w.to_owned(), n)));
        // A window that starts with a stop word is only looked up as typed.
        let windows = phrase_windows(&words[1..], &content[1..]);
        assert!(windows.iter().all(|(w, n)| w.len() == *n));
        assert!(phrase_windows(&words[..1], &content[..1]).is_empty(), "one word is no phrase");
    }

}
