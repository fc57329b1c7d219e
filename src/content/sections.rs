//! A Markdown body as keyed sections: every `## Heading {#key}` line starts one. Lines in
//! fenced code blocks never start a section. Text before the first heading is the untitled
//! section `intro`. A heading without `{#key}` gets a key made from its text.

use super::slug::{is_key, slugify};

/// The key of the text before the first heading.
pub const INTRO: &str = "intro";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitSection {
    pub key: String,
    pub heading: String,
    pub body: String,
    /// 1-based line of the heading within the body (of the first text line for `intro`).
    pub line: usize,
}

/// A problem at a line of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub message: String,
}

pub fn split(body: &str) -> Result<Vec<SplitSection>, Vec<LineProblem>> {
    let mut sections: Vec<SplitSection> = Vec::new();
    let mut problems = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut current: Option<SplitSection> = None;
    let mut intro = String::new();
    let mut intro_line = 0;

    for (index, line) in body.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim_start();
        if let Some(marker) = fence_marker(trimmed) {
            match fence {
                None => fence = Some(marker),
                Some((c, n)) if marker.0 == c && marker.1 >= n && trimmed.trim_end().chars().all(|x| x == c) => {
                    fence = None
                }
                _ => {}
            }
        }
        let heading = if fence.is_none() { parse_heading(line) } else { None };
        match heading {
            Some((text, key)) => {
                let key = match key {
                    Some(k) if is_key(&k) => k,
                    Some(k) => {
                        problems.push(LineProblem {
                            line: number,
                            message: format!(
                                "section key {{#{k}}} is not valid: use lowercase letters, digits, '-' and '_'"
                            ),
                        });
                        k
                    }
                    None => slugify(&text),
                };
                if key.is_empty() {
                    problems.push(LineProblem {
                        line: number,
                        message: "section heading has no text and no {#key}".into(),
                    });
                }
                if let Some(done) = current.take() {
                    sections.push(done);
                }
                if key == INTRO || sections.iter().any(|s| s.key == key) {
                    problems.push(LineProblem {
                        line: number,
                        message: format!("section key '{key}' is used twice (or is reserved)"),
                    });
                }
                current = Some(SplitSection { key, heading: text, body: String::new(), line: number });
            }
            None => {
                let target = match current.as_mut() {
                    Some(section) => &mut section.body,
                    None => {
                        if intro_line == 0 && !line.trim().is_empty() {
                            intro_line = number;
                        }
                        &mut intro
                    }
                };
                target.push_str(line);
                target.push('\n');
            }
        }
    }
    if let Some(done) = current.take() {
        sections.push(done);
    }
    if !intro.trim().is_empty() {
        sections.insert(
            0,
            SplitSection { key: INTRO.into(), heading: String::new(), body: String::new() + &intro, line: intro_line },
        );
    }
    for section in &mut sections {
        section.body = section.body.trim().to_owned();
    }
    if problems.is_empty() { Ok(sections) } else { Err(problems) }
}

/// Writes sections back as a Markdown body; `split(&join(..))` gives them back.
pub fn join<'a>(sections: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (key, heading, body) in sections {
        if !out.is_empty() {
            out.push('\n');
        }
        if key != INTRO || !heading.is_empty() {
            out.push_str(&format!("## {} {{#{}}}\n", heading.trim(), key));
        }
        let body = body.trim();
        if !body.is_empty() {
            out.push_str(body);
            out.push('\n');
        }
    }
    out
}

fn fence_marker(line: &str) -> Option<(char, usize)> {
    let c = line.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = line.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// `## Text {#key}` gives ("Text", Some("key")); `## Text` gives ("Text", None).
fn parse_heading(line: &str) -> Option<(String, Option<String>)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = line.trim_start().strip_prefix("##")?;
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    let mut text = rest.trim();
    let mut key = None;
    if text.ends_with('}') {
        if let Some(open) = text.rfind("{#") {
            key = Some(text[open + 2..text.len() - 1].trim().to_owned());
            text = text[..open].trim_end();
        }
    }
    // An ATX heading may end with a closing run of '#'.
    let text = text.trim_end_matches('#').trim_end();
    Some((text.to_owned(), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_keyed_sections() {
        let body = "## Wat is het? {#wat}\nEen pas.\n\n### Detail\nMeer.\n## Kosten {#kosten}\n€ 10\n";
        let s = split(body).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].key.as_str(), s[0].heading.as_str()), ("wat", "Wat is het?"));
        assert_eq!(s[0].body, "Een pas.\n\n### Detail\nMeer.");
        assert_eq!((s[1].key.as_str(), s[1].line), ("kosten", 6));
    }

    #[test]
    fn intro_and_derived_keys() {
        let s = split("Inleiding.\n\n## Wat moet ik meenemen?\nFoto.").unwrap();
        assert_eq!(s[0].key, INTRO);
        assert_eq!(s[0].body, "Inleiding.");
        assert_eq!(s[1].key, "wat-moet-ik-meenemen");
    }

    #[test]
    fn code_fences_do_not_start_sections() {
        let s = split("## A {#a}\n```\n## not {#b}\n```\ntext").unwrap();
        assert_eq!(s.len(), 1);
        assert!(s[0].body.contains("## not {#b}"));
    }

    #[test]
    fn problems_have_lines() {
        let e = split("## A {#a}\nx\n## B {#a}\n## C {#Bad Key}\n").unwrap_err();
        assert_eq!(e.iter().map(|p| p.line).collect::<Vec<_>>(), [3, 4]);
    }

    #[test]
    fn join_round_trips() {
        let s = split("Intro.\n## A {#a}\nText a.\n## B {#b}\n").unwrap();
        let joined = join(s.iter().map(|x| (x.key.as_str(), x.heading.as_str(), x.body.as_str())));
        assert_eq!(joined, "Intro.\n\n## A {#a}\nText a.\n\n## B {#b}\n");
        let again = split(&joined).unwrap();
        assert_eq!(
            again.iter().map(|x| (&x.key, &x.heading, &x.body)).collect::<Vec<_>>(),
            s.iter().map(|x| (&x.key, &x.heading, &x.body)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn h3_is_not_a_section() {
        assert_eq!(split("## A {#a}\n### B {#b}\n").unwrap().len(), 1);
    }
}
