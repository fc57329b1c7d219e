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
}

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
        for c in &t.concepts {
            // Dutch: the catalogue's words find each other; everyday words and English names
            // find the catalogue's words; all of them the broader words.
            let targets: Vec<String> = c.words.iter().chain(&c.broader).cloned().collect();
            for from in c.words.iter().chain(&c.everyday).chain(&c.en) {
                let typed = key(&mut plain, from);
                add(&mut scope.nl_stems, same_words(&typed, key(&mut dutch, from)), &targets, from);
                add(&mut scope.nl, typed, &targets, from);
            }
            // English: English names find each other and, from a Dutch word, the English names.
            for from in c.en.iter().chain(&c.words) {
                let typed = key(&mut plain, from);
                add(&mut scope.en_stems, same_words(&typed, key(&mut english, from)), &c.en, from);
                add(&mut scope.en, typed, &c.en, from);
            }
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
        assert_eq!(pin(&s, "  paspoort"), Some("/producten/paspoort-aanvragen"));
        assert_eq!(pin(&s, "paspoort kwijt"), None);
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
