//! The thesauri as the query side uses them: per scope, what each word or phrase (up to
//! `MAX_PHRASE_WORDS`, analysed without stemming) widens to, per language, and the best bets;
//! per site, its scopes from the most specific (the site's own) to the central team's.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::tokenizer::TextAnalyzer;

use super::analysis::{self, terms};
use crate::content::model::{Lang, Thesaurus};
use crate::content::thesaurus::normalize_query;

/// One scope's thesaurus, ready for lookups.
#[derive(Debug, Default)]
pub struct Scope {
    nl: HashMap<String, Vec<String>>,
    en: HashMap<String, Vec<String>>,
    /// The same, keyed by the stems of each entry (its language's analyzer).
    nl_stems: HashMap<String, Vec<String>>,
    en_stems: HashMap<String, Vec<String>>,
    /// Normalised query → target path.
    pins: HashMap<String, String>,
    /// One word of a phrase (its stem) → the concepts whose phrases hold it, per language:
    /// "omhakken" alone leads where "boom omhakken" does, when few concepts use the word.
    nl_parts: HashMap<String, Vec<usize>>,
    en_parts: HashMap<String, Vec<usize>>,
    /// What each concept's phrases lead to, per language (indexes of the `*_parts` maps).
    nl_targets: Vec<Vec<String>>,
    en_targets: Vec<Vec<String>>,
}

/// A word found in the phrases of more concepts than this says too little on its own
/// ("kind", "aanvragen") to lead anywhere by itself.
pub const MAX_PART_CONCEPTS: usize = 3;

/// The key of a word or phrase: its words, analysed without stemming, joined by spaces.
pub fn key(plain: &mut TextAnalyzer, text: &str) -> String {
    terms(plain, text).join(" ")
}

/// The stems of an entry as a key, only when stemming kept every word: "kan niet betalen"
/// would otherwise be found by any form of "betalen" alone.
fn same_words(typed: &str, stems: String) -> String {
    if stems.split(' ').count() == typed.split(' ').count() { stems } else { String::new() }
}

impl Scope {
    pub fn new(t: &Thesaurus) -> Scope {
        let mut plain = analysis::plain();
        let (mut dutch, mut english) = (analysis::dutch(), analysis::english());
        let mut scope = Scope::default();
        fn add(map: &mut HashMap<String, Vec<String>>, k: String, to: &[String], own: &str) {
            if k.is_empty() {
                return;
            }
            let list = map.entry(k).or_default();
            for word in to {
                if !list.contains(word) && word != own {
                    list.push(word.clone());
                }
            }
        }
        /// Each word (stem) of each phrase among `entries` leads to concept `index` once.
        fn parts<'e>(map: &mut HashMap<String, Vec<usize>>, analyzer: &mut TextAnalyzer, entries: impl Iterator<Item = &'e String>, index: usize) {
            for entry in entries.filter(|e| e.contains(' ')) {
                for stem in terms(analyzer, entry) {
                    let concepts = map.entry(stem).or_default();
                    if concepts.last() != Some(&index) {
                        concepts.push(index);
                    }
                }
            }
        }
        for (index, c) in t.concepts.iter().enumerate() {
            // Dutch: the catalogue's words find each other; everyday words and English names
            // find the catalogue's words; all of them the broader words.
            let targets: Vec<String> = c.words.iter().chain(&c.broader).cloned().collect();
            for from in c.words.iter().chain(&c.everyday).chain(&c.en) {
                let typed = key(&mut plain, from);
                add(&mut scope.nl_stems, same_words(&typed, key(&mut dutch, from)), &targets, from);
                add(&mut scope.nl, typed, &targets, from);
            }
            parts(&mut scope.nl_parts, &mut dutch, c.words.iter().chain(&c.everyday).chain(&c.en), index);
            scope.nl_targets.push(targets);
            // English: English names find each other and, from a Dutch word, the English names.
            for from in c.en.iter().chain(&c.words) {
                let typed = key(&mut plain, from);
                add(&mut scope.en_stems, same_words(&typed, key(&mut english, from)), &c.en, from);
                add(&mut scope.en, typed, &c.en, from);
            }
            parts(&mut scope.en_parts, &mut english, c.en.iter(), index);
            scope.en_targets.push(c.en.clone());
        }

        scope.pins = t.pins.iter().map(|p| (normalize_query(&p.query), p.target.clone())).collect();
        scope
    }
}

/// Every scope, and which apply to which site.
#[derive(Debug, Default)]
pub struct Thesauri {
    national: Arc<Scope>,
    /// Per site id: its own scope and its groups' (last group first), most specific first.
    sites: HashMap<i64, Vec<Arc<Scope>>>,
}

impl Thesauri {
    pub fn new(national: Arc<Scope>, sites: HashMap<i64, Vec<Arc<Scope>>>) -> Thesauri {
        Thesauri { national, sites }
    }

    /// The scopes that apply to `site`, most specific first.
    pub fn for_site(&self, site: i64) -> Vec<&Scope> {
        self.sites.get(&site).into_iter().flatten().map(Arc::as_ref).chain([self.national.as_ref()]).collect()
    }
}

/// What a word or phrase widens to in any of `scopes`, for a search in `lang`: `key` is its
/// words as typed (`key`), or with `stems` their stems.
pub fn lookup<'s>(scopes: &[&'s Scope], lang: Lang, key: &str, stems: bool) -> Vec<&'s str> {
    let mut out: Vec<&str> = Vec::new();
    for scope in scopes {
        let map = match (lang, stems) {
            (Lang::Nl, false) => &scope.nl,
            (Lang::En, false) => &scope.en,
            (Lang::Nl, true) => &scope.nl_stems,
            (Lang::En, true) => &scope.en_stems,
        };
        for word in map.get(key).into_iter().flatten() {
            if !out.contains(&word.as_str()) {
                out.push(word);
            }
        }
    }
    out
}

/// A concept of one of a site's scopes: the scope's place in the list and the concept's.
pub type ConceptRef = (usize, usize);

/// The concepts whose phrases hold one word (its `stem`, the language's analyzer's), in any
/// of `scopes`.
pub fn phrases_with(scopes: &[&Scope], lang: Lang, stem: &str) -> Vec<ConceptRef> {
    let mut out = Vec::new();
    for (at, scope) in scopes.iter().enumerate() {
        let map = match lang {
            Lang::Nl => &scope.nl_parts,
            Lang::En => &scope.en_parts,
        };
        out.extend(map.get(stem).into_iter().flatten().map(|&concept| (at, concept)));
    }
    out
}

/// What a concept's phrases lead to.
pub fn leads<'s>(scopes: &[&'s Scope], lang: Lang, (at, concept): ConceptRef) -> &'s [String] {
    let Some(scope) = scopes.get(at) else { return &[] };
    let targets = match lang {
        Lang::Nl => &scope.nl_targets,
        Lang::En => &scope.en_targets,
    };
    targets.get(concept).map(Vec::as_slice).unwrap_or_default()
}

/// The concepts a word found in `concepts` may lead to: none when it is in the phrases of many
/// (`MAX_PART_CONCEPTS`: "kind", "aanvragen" say too little on their own).
pub fn few(concepts: Vec<ConceptRef>) -> Vec<ConceptRef> {
    if concepts.len() <= MAX_PART_CONCEPTS { concepts } else { Vec::new() }
}

/// The best bet for `query`, the most specific scope's.
pub fn pin<'s>(scopes: &[&'s Scope], query: &str) -> Option<&'s str> {
    let q = normalize_query(query);
    scopes.iter().find_map(|s| s.pins.get(&q).map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::{Concept, Pin};

    fn thesaurus() -> Thesaurus {
        Thesaurus {
            concepts: vec![Concept {
                words: vec!["grofvuil".into(), "grof afval".into()],
                everyday: vec!["oude bank".into()],
                en: vec!["bulky waste".into(), "large items".into()],
                broader: vec!["afval".into()],
            }],
            pins: vec![Pin { query: "Paspoort".into(), target: "/producten/paspoort-aanvragen".into() }],
        }
    }

    #[test]
    fn words_everyday_words_and_english_names_widen_a_search() {
        let scope = Scope::new(&thesaurus());
        let s = [&scope];
        assert_eq!(lookup(&s, Lang::Nl, "grofvuil", false), ["grof afval", "afval"]);
        assert_eq!(lookup(&s, Lang::Nl, "oude bank", false), ["grofvuil", "grof afval", "afval"]);
        assert_eq!(lookup(&s, Lang::Nl, "bulky waste", false), ["grofvuil", "grof afval", "afval"]);
        assert!(lookup(&s, Lang::Nl, "afval", false).is_empty(), "broader is one way");
        assert!(lookup(&s, Lang::Nl, "bank", false).is_empty(), "one word of a phrase is not the phrase");
        assert_eq!(lookup(&s, Lang::En, "bulky waste", false), ["large items"]);
        assert_eq!(lookup(&s, Lang::En, "grofvuil", false), ["bulky waste", "large items"]);
        assert_eq!(lookup(&s, Lang::Nl, "oude banken", false), Vec::<&str>::new());
        assert_eq!(lookup(&s, Lang::Nl, &key(&mut analysis::dutch(), "oude banken"), true), ["grofvuil", "grof afval", "afval"], "an inflection, by its stems");
        let stem = |w: &str| terms(&mut analysis::dutch(), w).join(" ");
        let found = phrases_with(&s, Lang::Nl, &stem("banken"));
        assert_eq!(found, [(0, 0)], "a word of a phrase, by its stem");
        assert_eq!(leads(&s, Lang::Nl, found[0]), ["grofvuil", "grof afval", "afval"]);
        assert!(phrases_with(&s, Lang::Nl, &stem("grofvuil")).is_empty(), "single words are looked up whole");
        let items = phrases_with(&s, Lang::En, &terms(&mut analysis::english(), "items").join(" "));
        assert_eq!(leads(&s, Lang::En, items[0]), ["bulky waste", "large items"]);
        assert_eq!(pin(&s, "  paspoort"), Some("/producten/paspoort-aanvragen"));
        assert_eq!(pin(&s, "paspoort kwijt"), None);
    }

    #[test]
    fn a_word_of_many_phrases_leads_nowhere_by_itself() {
        let many: Vec<ConceptRef> = (0..=MAX_PART_CONCEPTS).map(|c| (0, c)).collect();
        assert!(few(many).is_empty());
        assert_eq!(few(vec![(0, 2), (1, 0)]), [(0, 2), (1, 0)]);
    }

    #[test]
    fn the_most_specific_pin_wins_and_words_add_up() {
        let national = Scope::new(&thesaurus());
        let mut own = thesaurus();
        own.concepts = vec![Concept { words: vec!["grofvuil".into(), "huisraad".into()], ..Concept::default() }];
        own.pins[0].target = "/paspoort".into();
        let site = Scope::new(&own);
        let s = [&site, &national];
        assert_eq!(pin(&s, "paspoort"), Some("/paspoort"));
        assert_eq!(lookup(&s, Lang::Nl, "grofvuil", false), ["huisraad", "grof afval", "afval"]);
    }
}
