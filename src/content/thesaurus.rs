//! The search thesaurus: per scope (the central team's for every site, a group's for its
//! members, a site's for itself) concepts and best bets, kept as one setting each and in the
//! content format as `thesaurus.toml` at the top, in a group's and in a site's directory.
//!
//! A concept joins the words of the catalogue (`words`: each finds the others), the words
//! residents use instead (`everyday`: each finds `words`), English names (`en`: each finds
//! `words` on a Dutch search, and the other English names on an English one) and broader
//! catalogue words (`broader`: every word of the concept also finds these). A pin makes a
//! search for its exact query show its target first.

use std::collections::HashSet;

use super::model::{Owner, Thesaurus};
use crate::content::limits::Problem;
use crate::edit::documents::Problems;

/// Most concepts in one scope's thesaurus.
pub const MAX_CONCEPTS: usize = 5_000;
/// Most words in one list of a concept.
pub const MAX_LIST: usize = 100;
/// Most pins in one scope.
pub const MAX_PINS: usize = 1_000;
/// Longest word or phrase, in characters.
pub const MAX_ENTRY_CHARS: usize = 60;
/// Most words of a phrase: a search looks phrases up by up to this many words.
pub const MAX_PHRASE_WORDS: usize = 4;
/// Longest pinned query and target.
const MAX_QUERY_CHARS: usize = 100;
const MAX_TARGET_CHARS: usize = 300;

/// The setting the thesaurus of a scope is kept under (`None`: the central team's).
pub fn setting_key(owner: Option<&Owner>) -> String {
    match owner {
        None => "thesaurus".to_owned(),
        Some(Owner::Group(g)) => format!("thesaurus:group:{g}"),
        Some(Owner::Site(s)) => format!("thesaurus:site:{s}"),
    }
}

/// A query as pins are matched: lowercase words, separated by one space.
pub fn normalize_query(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Everything wrong with a thesaurus, each problem naming `/concepts/<i>/<list>/<j>` or
/// `/pins/<i>/<field>`; trims words in place (so what is stored is what was checked).
pub fn check(t: &mut Thesaurus) -> Problems {
    let mut problems = Problems::new();
    if t.concepts.len() > MAX_CONCEPTS {
        problems.push(Problem::at("/concepts", format!("has {} concepts; at most {MAX_CONCEPTS}", t.concepts.len())));
    }
    if t.pins.len() > MAX_PINS {
        problems.push(Problem::at("/pins", format!("has {} pins; at most {MAX_PINS}", t.pins.len())));
    }
    for (i, c) in t.concepts.iter_mut().enumerate() {
        for (name, list) in [("words", &mut c.words), ("everyday", &mut c.everyday), ("en", &mut c.en), ("broader", &mut c.broader)] {
            if list.len() > MAX_LIST {
                problems.push(Problem::at(&format!("/concepts/{i}/{name}"), format!("has {} entries; at most {MAX_LIST}", list.len())));
            }
            for (j, entry) in list.iter_mut().enumerate() {
                *entry = entry.split_whitespace().collect::<Vec<_>>().join(" ");
                let field = format!("/concepts/{i}/{name}/{j}");
                if entry.is_empty() || !entry.chars().any(char::is_alphanumeric) {
                    problems.push(Problem::at(&field, "is empty: give a word"));
                } else if entry.chars().count() > MAX_ENTRY_CHARS {
                    problems.push(Problem::at(&field, format!("{entry:?} is longer than {MAX_ENTRY_CHARS} characters")));
                } else if normalize_query(entry).split(' ').count() > MAX_PHRASE_WORDS {
                    problems.push(Problem::at(&field, format!("{entry:?} has more than {MAX_PHRASE_WORDS} words: searches look up phrases of at most {MAX_PHRASE_WORDS}")));
                }
            }
        }
        if c.words.is_empty() {
            problems.push(Problem::at(&format!("/concepts/{i}/words"), "is empty: a concept needs the catalogue's word for it"));
        } else if c.words.len() == 1 && c.everyday.is_empty() && c.en.is_empty() && c.broader.is_empty() {
            problems.push(Problem::at(&format!("/concepts/{i}"), format!("{:?} alone widens no search: add equivalent words, everyday words or English names", c.words[0])));
        }
    }
    let mut queries = HashSet::new();
    for (i, p) in t.pins.iter_mut().enumerate() {
        p.query = p.query.trim().to_owned();
        p.target = p.target.trim().to_owned();
        let key = normalize_query(&p.query);
        if key.is_empty() || p.query.chars().count() > MAX_QUERY_CHARS {
            problems.push(Problem::at(&format!("/pins/{i}/query"), format!("must be words, at most {MAX_QUERY_CHARS} characters")));
        } else if !queries.insert(key) {
            problems.push(Problem::at(&format!("/pins/{i}/query"), format!("{:?} is pinned twice in this list", p.query)));
        }
        let path_like = p.target.starts_with('/') && !p.target.starts_with("//") && !p.target.contains(['?', '#', ' ', '\\']);
        if !path_like || p.target.chars().count() > MAX_TARGET_CHARS {
            problems.push(Problem::at(&format!("/pins/{i}/target"), format!("{:?} must be a path on the site, like \"/producten/paspoort-aanvragen\"", p.target)));
        }
    }
    problems
}

/// A thesaurus read from the text of a `thesaurus.toml` (the file, or what an editor typed in
/// the admin), checked; or every problem with its line.
pub fn from_toml(text: &str) -> Result<Thesaurus, Vec<(Option<usize>, String)>> {
    use crate::content::files::format::ThesaurusIn;
    use crate::content::files::frontmatter::line_of;
    let parsed: ThesaurusIn = toml::from_str(text).map_err(|e| vec![(e.span().map(|s| line_of(text, s.start)), e.message().trim().replace('\n', " "))])?;
    let concept_lines: Vec<usize> = parsed.concept.iter().map(|c| line_of(text, c.span().start)).collect();
    let pin_lines: Vec<usize> = parsed.pin.iter().map(|p| line_of(text, p.span().start)).collect();
    let mut thesaurus = Thesaurus {
        concepts: parsed.concept.into_iter().map(toml::Spanned::into_inner).collect(),
        pins: parsed.pin.into_iter().map(toml::Spanned::into_inner).collect(),
    };
    let problems = check(&mut thesaurus);
    if problems.is_empty() {
        return Ok(thesaurus);
    }
    Err(problems
        .iter()
        .map(|p| {
            let mut parts = p.field_name().split('/');
            let lines = if parts.next() == Some("concepts") { &concept_lines } else { &pin_lines };
            (parts.next().and_then(|i| i.parse::<usize>().ok()).and_then(|i| lines.get(i).copied()), p.to_string())
        })
        .collect())
}

/// The text of a `thesaurus.toml`.
pub fn to_toml(t: &Thesaurus) -> Result<String, toml::ser::Error> {
    toml::to_string(&crate::content::files::format::ThesaurusOut { concept: &t.concepts, pin: &t.pins })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::{Concept, Pin};

    #[test]
    fn checks_name_what_is_wrong() {
        let mut t = Thesaurus {
            concepts: vec![
                Concept { words: vec!["grofvuil".into()], everyday: vec!["  oude   bank ".into()], en: vec![], broader: vec![] },
                Concept { words: vec!["paspoort".into()], ..Concept::default() },
                Concept { words: vec![], everyday: vec!["x".into()], en: vec!["one two three four five".into()], broader: vec![] },
            ],
            pins: vec![
                Pin { query: "Paspoort".into(), target: "/producten/paspoort-aanvragen".into() },
                Pin { query: "paspoort ".into(), target: "https://elders.nl/".into() },
            ],
        };
        let problems = check(&mut t);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["/concepts/1", "/concepts/2/en/0", "/concepts/2/words", "/pins/1/query", "/pins/1/target"], "{problems:?}");
        assert_eq!(t.concepts[0].everyday, ["oude bank"], "stored as checked");
    }

    #[test]
    fn the_file_round_trips_and_problems_have_lines() {
        let text = "[[concept]]\nwords = [\"grofvuil\"]\neveryday = [\"matras\"]\n\n[[pin]]\nquery = \"paspoort\"\ntarget = \"/producten/paspoort-aanvragen\"\n";
        let t = from_toml(text).unwrap();
        assert_eq!(from_toml(&to_toml(&t).unwrap()).unwrap(), t);
        let bad = from_toml("[[concept]]\nwords = [\"a\"]\n\n[[concept]]\nwords = []\n").unwrap_err();
        assert_eq!(bad.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [Some(1), Some(4)], "{bad:?}");
        assert_eq!(from_toml("[[concept]]\nwoorden = []").unwrap_err()[0].0, Some(2));
    }

    #[test]
    fn queries_are_compared_by_their_words() {
        assert_eq!(normalize_query("  Wat kost een ID-kaart? "), "wat kost een id-kaart");
        assert_eq!(setting_key(Some(&Owner::Group("buch".into()))), "thesaurus:group:buch");
    }
}
