//! The snippet of a hit: the stretch of its summary or body with the most words of the query,
//! those words marked. The words are compared as the plain analyzer makes them (lowercase,
//! accents folded) against the query's stems: a word matches a stem it equals, starts with
//! (stems of four letters or more: "aanvrag" in "aanvragen") or holds (five or more: the part
//! "vergunning" in "parkeervergunning"). Cheaper than analysing each hit's text the index's
//! way (stemming and splitting every word), which cost more than the search itself.

use std::ops::Range;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::analysis;

/// Longest snippet, in characters.
pub const MAX_CHARS: usize = 160;
/// Shortest stem matched as the start of a word, and as a part of one.
const MIN_PREFIX: usize = 4;
const MIN_PART: usize = 5;

/// The query's stems in the fields a snippet is made of.
pub struct Highlighter {
    stems: Vec<String>,
    plain: TextAnalyzer,
}

impl Highlighter {
    pub fn new(query: &dyn Query, fields: &[Field]) -> Highlighter {
        let mut stems: Vec<String> = Vec::new();
        query.query_terms(&mut |term, _| {
            if fields.contains(&term.field()) {
                if let Some(text) = term.value().as_str() {
                    if !text.is_empty() && !stems.iter().any(|s| s == text) {
                        stems.push(text.to_owned());
                    }
                }
            }
        });
        Highlighter { stems, plain: analysis::plain() }
    }

    fn matches(stems: &[String], word: &str) -> bool {
        stems.iter().any(|stem| {
            let n = stem.chars().count();
            word == stem || (n >= MIN_PREFIX && word.starts_with(stem.as_str())) || (n >= MIN_PART && word.contains(stem.as_str()))
        })
    }

    /// The best stretch of `text` and the byte ranges of the words found in it (relative to
    /// the stretch); `None` when no word of the query is in the text.
    pub fn best(&mut self, text: &str) -> Option<(String, Vec<Range<usize>>)> {
        if self.stems.is_empty() {
            return None;
        }
        let mut found: Vec<Range<usize>> = Vec::new();
        let mut stream = self.plain.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            if Self::matches(&self.stems, &token.text) {
                found.push(token.offset_from..token.offset_to);
            }
        }
        drop(stream);
        let first = found.first()?.start;
        // The window of `MAX_CHARS` characters (counted as bytes: close enough for choosing)
        // that starts at a found word and holds the most found words.
        let (start, _) = found
            .iter()
            .map(|r| (r.start, found.iter().filter(|o| o.start >= r.start && o.end <= r.start + MAX_CHARS).count()))
            .fold((first, 0), |best, this| if this.1 > best.1 { this } else { best });
        // Begin a little before it, at a word, when the text goes on before.
        let start = back_to_word(text, start, 30);
        let end = forward_to_char(text, (start + MAX_CHARS).min(text.len()));
        let end = if end < text.len() { text[..end].rfind(char::is_whitespace).filter(|&e| e > start).unwrap_or(end) } else { end };
        let ranges = found.into_iter().filter(|r| r.start >= start && r.end <= end).map(|r| r.start - start..r.end - start).collect();
        Some((text[start..end].to_owned(), ranges))
    }
}

/// A word start at most `max` bytes before `at` (the start of the sentence when it is closer).
fn back_to_word(text: &str, at: usize, max: usize) -> usize {
    let floor = forward_to_char(text, at.saturating_sub(max));
    let before = &text[floor..at];
    if let Some(sentence) = before.rfind(['.', '!', '?', '\n']) {
        let from = floor + sentence + 1;
        return from + (text[from..at].len() - text[from..at].trim_start().len());
    }
    if floor == 0 {
        return 0;
    }
    match before.find(char::is_whitespace) {
        Some(space) => floor + space + 1,
        None => at,
    }
}

fn forward_to_char(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(stems: &[&str]) -> Highlighter {
        Highlighter { stems: stems.iter().map(|s| s.to_string()).collect(), plain: analysis::plain() }
    }

    fn marked(h: &mut Highlighter, text: &str) -> Option<String> {
        h.best(text).map(|(fragment, ranges)| {
            let mut out = String::new();
            let mut pos = 0;
            for r in ranges {
                out.push_str(&fragment[pos..r.start]);
                out.push('[');
                out.push_str(&fragment[r.clone()]);
                out.push(']');
                pos = r.end;
            }
            out.push_str(&fragment[pos..]);
            out
        })
    }

    #[test]
    fn words_of_the_query_are_marked_in_the_best_stretch() {
        let mut h = highlighter(&["aanvrag", "paspoort", "vergunning"]);
        assert_eq!(marked(&mut h, "U kunt een Paspoort aanvragen.").as_deref(), Some("U kunt een [Paspoort] [aanvragen]."));
        assert_eq!(marked(&mut h, "Een parkeervergunning.").as_deref(), Some("Een [parkeervergunning]."));
        assert_eq!(marked(&mut h, "Iets anders."), None);
        let long = format!("{} Uw paspoort is klaar.", "Dit gaat over iets anders. ".repeat(20));
        let found = marked(&mut h, &long).unwrap();
        assert!(found.starts_with("Uw [paspoort]"), "{found}");
        let mut short = highlighter(&["id"]);
        assert_eq!(marked(&mut short, "idee en id").as_deref(), Some("idee en [id]"), "short stems match whole words only");
    }

    #[test]
    fn any_text_gives_a_stretch_on_character_boundaries() {
        let mut h = highlighter(&["cafe"]);
        let text = format!("{}é café ë", "ééé ".repeat(100));
        let (fragment, ranges) = h.best(&text).unwrap();
        assert!(fragment.chars().count() <= MAX_CHARS + 1);
        for r in ranges {
            assert!(fragment.is_char_boundary(r.start) && fragment.is_char_boundary(r.end));
        }
    }
}
