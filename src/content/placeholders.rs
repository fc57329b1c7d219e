//! Placeholders in shared text: `{{ gemeente }}`, `{{ site.name }}` and `{{ var.NAME }}`.
//!
//! Filling never leaves raw placeholder syntax in the output: an unknown placeholder or a
//! variable without any value becomes empty text and is reported, so editors can fix it.
//!
//! Filling is bounded: a text never grows beyond `max_filled(input)`, whatever the values
//! are (a long value used many times would otherwise make one text of gigabytes). What would
//! go beyond is left empty and reported as `Unfilled::TooLong`.

use std::collections::BTreeMap;

/// What placeholders are filled with.
pub struct Values<'a> {
    /// The municipality's name, e.g. "Diemen".
    pub gemeente: &'a str,
    /// The site's display name, e.g. "Gemeente Diemen".
    pub site_name: &'a str,
    /// Folded variable values (defaults included).
    pub vars: &'a BTreeMap<String, String>,
}

/// A placeholder that could not be filled.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unfilled {
    /// `{{ var.NAME }}` with no value in any layer and no default.
    Variable(String),
    /// Something between `{{` and `}}` that is not a known placeholder.
    Unknown(String),
    /// Filling this variable (and the ones after it) would make the text too long.
    TooLong(String),
}

/// How far filling may grow a text: a fixed multiple of its length plus some room, so short
/// texts can hold a long value or two.
pub const GROWTH: usize = 4;
pub const GROWTH_ROOM: usize = 16 * 1024;

/// The longest a text of `input` bytes may become when filled.
pub fn max_filled(input: usize) -> usize {
    input.saturating_mul(GROWTH).saturating_add(GROWTH_ROOM)
}

/// Replaces every placeholder in `text`; what could not be filled is pushed to `unfilled`.
pub fn fill(text: &str, values: &Values, unfilled: &mut Vec<Unfilled>) -> String {
    if !text.contains("{{") {
        return text.to_owned();
    }
    let limit = max_filled(text.len());
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let raw = &after[..end];
        // A line break inside braces is not a placeholder, just text.
        if raw.contains('\n') {
            out.push_str(&rest[..start + 2]);
            rest = after;
            continue;
        }
        let inner = raw.trim();
        out.push_str(&rest[..start]);
        let value = match inner {
            "gemeente" => Some(values.gemeente),
            "site.name" => Some(values.site_name),
            _ => match inner.strip_prefix("var.").map(str::trim) {
                Some(name) if is_name(name) => match values.vars.get(name) {
                    Some(value) => Some(value.as_str()),
                    None => {
                        push_unique(unfilled, Unfilled::Variable(name.to_owned()));
                        None
                    }
                },
                _ => {
                    push_unique(unfilled, Unfilled::Unknown(inner.to_owned()));
                    None
                }
            },
        };
        if let Some(value) = value {
            // What is left of the text still has to fit after this value.
            let rest_len = after.len() - end - 2;
            if out.len() + value.len() + rest_len <= limit {
                out.push_str(value);
            } else {
                push_unique(unfilled, Unfilled::TooLong(inner.to_owned()));
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Names of the variables `text` refers to, in order of first use.
pub fn variables_used(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        if let Some(name) = after[..end].trim().strip_prefix("var.").map(str::trim) {
            if is_name(name) && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        rest = &after[end + 2..];
    }
    names
}

/// A variable name: lowercase ASCII letters, digits and underscores, starting with a letter.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn push_unique(list: &mut Vec<Unfilled>, item: Unfilled) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(vars: &BTreeMap<String, String>) -> Values<'_> {
        Values { gemeente: "Diemen", site_name: "Gemeente Diemen", vars }
    }

    #[test]
    fn fills_site_fields_and_variables() {
        let vars = BTreeMap::from([("leges".to_owned(), "€ 84,10".to_owned())]);
        let mut unfilled = vec![];
        let out = fill(
            "In {{ gemeente }} ({{site.name}}) kost het {{ var.leges }}.",
            &values(&vars),
            &mut unfilled,
        );
        assert_eq!(out, "In Diemen (Gemeente Diemen) kost het € 84,10.");
        assert!(unfilled.is_empty());
    }

    #[test]
    fn missing_and_unknown_never_leak_syntax() {
        let vars = BTreeMap::new();
        let mut unfilled = vec![];
        let out = fill("a {{ var.x }} b {{ foo }} c {{var.x}}", &values(&vars), &mut unfilled);
        assert_eq!(out, "a  b  c ");
        assert_eq!(unfilled, vec![Unfilled::Variable("x".into()), Unfilled::Unknown("foo".into())]);
    }

    #[test]
    fn bad_variable_names_are_unknown() {
        let vars = BTreeMap::new();
        let mut unfilled = vec![];
        let out = fill("{{ var.Bad-Name }}", &values(&vars), &mut unfilled);
        assert_eq!(out, "");
        assert_eq!(unfilled, vec![Unfilled::Unknown("var.Bad-Name".into())]);
    }

    #[test]
    fn unterminated_braces_stay_text() {
        let vars = BTreeMap::new();
        let mut unfilled = vec![];
        assert_eq!(fill("a {{ b", &values(&vars), &mut unfilled), "a {{ b");
        assert_eq!(fill("a {{ b\n}} c", &values(&vars), &mut unfilled), "a {{ b\n}} c");
        assert!(unfilled.is_empty());
    }

    #[test]
    fn values_are_not_filled_again() {
        let vars = BTreeMap::from([("a".to_owned(), "{{ var.a }}".to_owned())]);
        let mut unfilled = vec![];
        assert_eq!(fill("{{ var.a }}", &values(&vars), &mut unfilled), "{{ var.a }}");
    }

    #[test]
    fn filling_never_grows_a_text_beyond_its_bound() {
        let vars = BTreeMap::from([("a".to_owned(), "A".repeat(120_000))]);
        let text = "{{ var.a }}".repeat(14_000);
        let mut unfilled = vec![];
        let out = fill(&text, &values(&vars), &mut unfilled);
        assert!(out.len() <= max_filled(text.len()), "{} bytes from {}", out.len(), text.len());
        assert_eq!(unfilled, vec![Unfilled::TooLong("var.a".into())]);
        // A short text may still hold a long value.
        let vars = BTreeMap::from([("url".to_owned(), "https://example.org/".to_owned() + &"x".repeat(900))]);
        let mut unfilled = vec![];
        let out = fill("Zie {{ var.url }}.", &values(&vars), &mut unfilled);
        assert!(out.len() > 900 && unfilled.is_empty());
    }

    #[test]
    fn lists_variables_used() {
        assert_eq!(variables_used("{{ var.a }} {{ gemeente }} {{var.b}} {{ var.a }}"), ["a", "b"]);
    }
}
