//! Placeholders in shared text: `{{ gemeente }}`, `{{ site.name }}` and `{{ var.NAME }}`.
//!
//! Filling never leaves raw placeholder syntax in the output: an unknown placeholder or a
//! variable without any value becomes empty text and is reported, so editors can fix it.

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
}

/// Replaces every placeholder in `text`; what could not be filled is pushed to `unfilled`.
pub fn fill(text: &str, values: &Values, unfilled: &mut Vec<Unfilled>) -> String {
    if !text.contains("{{") {
        return text.to_owned();
    }
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
        match inner {
            "gemeente" => out.push_str(values.gemeente),
            "site.name" => out.push_str(values.site_name),
            _ => match inner.strip_prefix("var.").map(str::trim) {
                Some(name) if is_name(name) => match values.vars.get(name) {
                    Some(value) => out.push_str(value),
                    None => push_unique(unfilled, Unfilled::Variable(name.to_owned())),
                },
                _ => push_unique(unfilled, Unfilled::Unknown(inner.to_owned())),
            },
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
    fn lists_variables_used() {
        assert_eq!(variables_used("{{ var.a }} {{ gemeente }} {{var.b}} {{ var.a }}"), ["a", "b"]);
    }
}
