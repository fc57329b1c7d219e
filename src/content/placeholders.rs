//! Placeholders in shared text: `{{ gemeente }}`, `{{ site.name }}`, the site's fields
//! (`{{ site.phone }}`, `{{ site.ombudsman }}`, `{{ site.waste_point }}`, …, see `SITE_FIELDS`)
//! and `{{ var.NAME }}`.
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
    /// Typed variables without a value, with the sentence that stands in a text for the
    /// sentence that uses them (`fill_text`): "Vraag de gemeente wat dit kost."
    pub instead: &'a BTreeMap<String, &'static str>,
    /// The site's contact (its groups' and its own), for `{{ site.phone }}` and the like.
    pub contact: &'a crate::content::model::Contact,
    /// The site's ombudsman and waste drop-off point.
    pub services: &'a crate::content::model::Services,
    /// The language of the text filled (the national ombudsman's name; standard sentences).
    pub lang: crate::content::model::Lang,
    /// The product's apply link on this site, for `{{ apply_url }}` (else the site's forms page).
    pub apply_url: Option<&'a str>,
}

/// The site fields shared text may use as `{{ site.<name> }}`, with what they hold.
pub const SITE_FIELDS: &[(&str, &str)] = &[
    ("name", "the site's name (\"Gemeente Diemen\")"),
    ("phone", "the contact phone number"),
    ("email", "the contact e-mail address"),
    ("address", "the visiting address"),
    ("hours", "the opening hours"),
    ("ombudsman", "the ombudsman's name (the Nationale ombudsman unless the site names a regional one)"),
    ("ombudsman_url", "the ombudsman's web address"),
    ("waste_point", "the name of the waste drop-off point"),
    ("waste_point_address", "its address"),
    ("waste_point_hours", "its opening hours"),
    ("forms_url", "the page of the municipality's online forms"),
];

impl Values<'_> {
    /// A site field's value: `None` for a name that is no site field, `Some(None)` for one the
    /// site has not set.
    fn site_field(&self, name: &str) -> Option<Option<&str>> {
        let waste = self.services.waste_point.as_ref();
        Some(match name {
            "name" => Some(self.site_name),
            "phone" => self.contact.phone.as_deref(),
            "email" => self.contact.email.as_deref(),
            "address" => self.contact.address.as_deref(),
            "hours" => self.contact.hours.as_deref(),
            "ombudsman" => Some(self.services.ombudsman_in(self.lang).0),
            "ombudsman_url" => Some(self.services.ombudsman_in(self.lang).1),
            "waste_point" => waste.map(|w| w.name.as_str()),
            "waste_point_address" => waste.and_then(|w| w.address.as_deref()),
            "waste_point_hours" => waste.and_then(|w| w.hours.as_deref()),
            "forms_url" => self.services.forms_url.as_deref(),
            _ => return None,
        })
    }
}

/// The sentence that stands for one using a typed variable without a value, in the text's
/// language; text variables have none (they are left out).
pub fn standard_sentence(kind: crate::content::model::VarKind, lang: crate::content::model::Lang) -> Option<&'static str> {
    use crate::content::model::{Lang, VarKind};
    Some(match (kind, lang) {
        (VarKind::Text, _) => return None,
        (VarKind::Amount, Lang::Nl) => "Vraag de gemeente wat dit kost.",
        (VarKind::Amount, Lang::En) => "Ask the municipality what this costs.",
        (VarKind::Url, Lang::Nl) => "Vraag de gemeente hoe u dit regelt.",
        (VarKind::Url, Lang::En) => "Ask the municipality how to arrange this.",
        (VarKind::Phone | VarKind::Email, Lang::Nl) => "Neem contact op met de gemeente.",
        (VarKind::Phone | VarKind::Email, Lang::En) => "Contact the municipality.",
    })
}

/// The words of a text for comparing: lowercase letters and digits, and `€` on its own.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if c == '€' {
                out.push("€".into());
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// How a sentence of `text` reads badly when `{{ var.NAME }}` is filled with `value`: a word
/// of the value the sentence already has around it ("kost een extra bedrag extra"), or a unit
/// in both ("€ € 84,10", "per jaar per jaar"). Returns the sentence as it would read and the
/// word twice; short words (under four letters, but `€`) do not count.
pub fn reads_badly(text: &str, name: &str, value: &str) -> Option<(String, String)> {
    // An address is not read as words.
    let v = value.trim();
    if v.starts_with("http://") || v.starts_with("https://") || (v.contains('@') && !v.contains(char::is_whitespace)) {
        return None;
    }
    let value_words: Vec<String> = words(value).into_iter().filter(|w| w == "€" || w.chars().count() >= 4).collect();
    if value_words.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| from + i) {
        let Some(close) = text[open..].find("}}").map(|i| open + i + 2) else { break };
        from = close;
        let inner = text[open + 2..close - 2].trim();
        // A link's address is not read.
        if inner.strip_prefix("var.").map(str::trim) != Some(name) || text[..open].ends_with("](") {
            continue;
        }
        let start = text[..open].rfind(|c: char| matches!(c, '.' | '!' | '?' | '\n')).map_or(0, |i| i + 1);
        let end = text[close..].find(|c: char| matches!(c, '.' | '!' | '?' | '\n')).map_or(text.len(), |i| close + i + 1).min(text.len());
        let (before, after) = (&text[start..open], &text[close..end]);
        // Other placeholders are not words of the sentence.
        let plain = |t: &str| {
            let mut out = String::new();
            let mut rest = t;
            while let Some(a) = rest.find("{{") {
                out.push_str(&rest[..a]);
                rest = rest[a..].find("}}").map_or("", |b| &rest[a + b + 2..]);
            }
            out.push_str(rest);
            out
        };
        let around: Vec<String> = words(&plain(before)).into_iter().chain(words(&plain(after))).collect();
        if let Some(twice) = value_words.iter().find(|w| around.contains(w)) {
            return Some((format!("{}{value}{}", before.trim_start(), after.trim_end()), twice.clone()));
        }
    }
    None
}

/// Marks a sentence to give way, around the sentence that replaces it (private-use code
/// points: never in a text, `limits` refuses control characters and these are not typed).
const MARK: char = '\u{E000}';

/// A placeholder that could not be filled.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unfilled {
    /// `{{ var.NAME }}` with no value in any layer and no default.
    Variable(String),
    /// `{{ site.NAME }}` for a site field the site has not set (its waste drop-off point, say).
    SiteField(String),
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

/// Replaces every placeholder in a running text: as `fill`, and a sentence that uses a typed
/// variable without a value is replaced as a whole by the variable's standard sentence, so it
/// never reads "kost een bedrag dat … vaststelt" or links to nowhere.
pub fn fill_text(text: &str, values: &Values, unfilled: &mut Vec<Unfilled>) -> String {
    let filled = fill_marking(text, values, unfilled, true);
    if filled.contains(MARK) { replace_marked_sentences(&filled) } else { filled }
}

/// Replaces every placeholder in `text` (a title, a heading); what could not be filled is
/// pushed to `unfilled` and left out.
pub fn fill(text: &str, values: &Values, unfilled: &mut Vec<Unfilled>) -> String {
    fill_marking(text, values, unfilled, false)
}

/// Whether `c` ends a sentence.
fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '\n')
}

/// Replaces each sentence holding `MARK sentence MARK` by that sentence. A sentence runs from
/// after the previous `.`, `!`, `?` or line break (a list item's marker stays) to its own end.
fn replace_marked_sentences(text: &str) -> String {
    let mut out = text.to_owned();
    while let Some(open) = out.find(MARK) {
        let inner_start = open + MARK.len_utf8();
        let Some(close) = out[inner_start..].find(MARK).map(|i| inner_start + i) else { break };
        let instead = out[inner_start..close].to_owned();
        let line_start = out[..open].rfind('\n').map_or(0, |i| i + 1);
        // Past a list marker ("- ", "* ", "1. ") at the start of the line.
        let line = &out[line_start..open];
        let marker = ["- ", "* ", "+ "].iter().find(|m| line.starts_with(**m)).map(|m| m.len()).or_else(|| {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            (digits > 0 && line[digits..].starts_with(". ")).then_some(digits + 2)
        });
        let floor = line_start + marker.unwrap_or(0);
        let start = out[floor..open].rfind(|c: char| matches!(c, '.' | '!' | '?')).map_or(floor, |i| floor + i + 1);
        let start = start + out[start..open].len() - out[start..open].trim_start().len();
        let after = close + MARK.len_utf8();
        let end = match out[after..].find(ends_sentence) {
            Some(i) if out[after + i..].starts_with('\n') => after + i,
            Some(i) => after + i + 1,
            None => out.len(),
        };
        out.replace_range(start..end, &instead);
    }
    out
}

/// `fill`, marking the sentences of typed variables without a value when `sentences`.
fn fill_marking(text: &str, values: &Values, unfilled: &mut Vec<Unfilled>, sentences: bool) -> String {
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
        // `{{ apply_url }}`: the product's apply link, else the site's forms page.
        let site_field = match inner {
            "apply_url" => Some(("forms_url", values.apply_url.or(values.site_field("forms_url").flatten()))),
            _ => inner.strip_prefix("site.").and_then(|name| Some((name, values.site_field(name)?))),
        };
        let value = match (inner, site_field) {
            ("gemeente", _) => Some(values.gemeente),
            (_, Some((_, Some(value)))) => Some(value),
            (_, Some((name, None))) => {
                // Not set for this site: the sentence asks residents to contact the municipality
                // (or how to arrange it, for an address).
                push_unique(unfilled, Unfilled::SiteField(name.to_owned()));
                let kind = if name.ends_with("_url") { crate::content::model::VarKind::Url } else { crate::content::model::VarKind::Phone };
                if let Some(instead) = standard_sentence(kind, values.lang).filter(|_| sentences) {
                    out.push(MARK);
                    out.push_str(instead);
                    out.push(MARK);
                }
                None
            }
            _ => match inner.strip_prefix("var.").map(str::trim) {
                Some(name) if is_name(name) => match values.vars.get(name) {
                    Some(value) => Some(value.as_str()),
                    None => {
                        push_unique(unfilled, Unfilled::Variable(name.to_owned()));
                        if let Some(instead) = values.instead.get(name).filter(|_| sentences) {
                            out.push(MARK);
                            out.push_str(instead);
                            out.push(MARK);
                        }
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

    use crate::content::model::{Contact, Lang, Services, WastePoint};

    static NONE: BTreeMap<String, &str> = BTreeMap::new();
    static CONTACT: Contact = Contact { name: None, phone: None, email: None, address: None, url: None, hours: None };
    static SERVICES: Services = Services { forms_url: None, ombudsman: None, waste_point: None };

    fn values(vars: &BTreeMap<String, String>) -> Values<'_> {
        Values { gemeente: "Diemen", site_name: "Gemeente Diemen", vars, instead: &NONE, contact: &CONTACT, services: &SERVICES, lang: Lang::Nl, apply_url: None }
    }

    #[test]
    fn site_fields_fill_and_missing_ones_ask_to_contact_the_municipality() {
        let vars = BTreeMap::new();
        let contact = Contact { phone: Some("14 020".into()), hours: Some("elke werkdag van 9.00 tot 17.00 uur".into()), ..Contact::default() };
        let waste = Services { waste_point: Some(WastePoint { name: "Afvalpunt Diemen".into(), address: None, hours: None }), ..Services::default() };
        let v = Values { contact: &contact, services: &waste, ..values(&vars) };
        let mut unfilled = vec![];
        let text = "Bel {{ site.phone }}. Wij zijn open {{ site.hours }}. Breng het naar {{ site.waste_point }}. Het adres is {{ site.waste_point_address }}. Klaagt u verder? Ga naar de [{{ site.ombudsman }}]({{ site.ombudsman_url }}).";
        let out = fill_text(text, &v, &mut unfilled);
        assert_eq!(
            out,
            "Bel 14 020. Wij zijn open elke werkdag van 9.00 tot 17.00 uur. Breng het naar Afvalpunt Diemen. Neem contact op met de gemeente. Klaagt u verder? Ga naar de [Nationale ombudsman](https://www.nationaleombudsman.nl/)."
        );
        assert_eq!(unfilled, vec![Unfilled::SiteField("waste_point_address".into())]);
        let english = Values { lang: Lang::En, ..v };
        assert_eq!(fill("{{ site.ombudsman }}", &english, &mut vec![]), "National Ombudsman");
        let mut unknown = vec![];
        assert_eq!(fill("{{ site.naam }}", &english, &mut unknown), "");
        assert_eq!(unknown, vec![Unfilled::Unknown("site.naam".into())]);
    }

    #[test]
    fn apply_url_is_the_products_link_or_the_sites_forms_page() {
        let vars = BTreeMap::new();
        let text = "Vraag het aan met het [online formulier]({{ apply_url }}). Het duurt 5 minuten.";
        let own = Values { apply_url: Some("https://loket.diemen.nl/paspoort"), ..values(&vars) };
        assert_eq!(fill_text(text, &own, &mut vec![]), "Vraag het aan met het [online formulier](https://loket.diemen.nl/paspoort). Het duurt 5 minuten.");
        let services = Services { forms_url: Some("https://www.diemen.nl/".into()), ..Services::default() };
        let site = Values { services: &services, ..values(&vars) };
        assert_eq!(fill_text(text, &site, &mut vec![]), "Vraag het aan met het [online formulier](https://www.diemen.nl/). Het duurt 5 minuten.");
        let mut unfilled = vec![];
        assert_eq!(fill_text(text, &values(&vars), &mut unfilled), "Vraag de gemeente hoe u dit regelt. Het duurt 5 minuten.");
        assert_eq!(unfilled, vec![Unfilled::SiteField("forms_url".into())]);
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
    fn sentences_that_would_read_badly_are_found() {
        let (reads, twice) = reads_badly("Een spoedaanvraag kost {{ var.leges_spoed }} extra. Daarna niets.", "leges_spoed", "een extra bedrag").unwrap();
        assert_eq!((reads.as_str(), twice.as_str()), ("Een spoedaanvraag kost een extra bedrag extra.", "extra"));
        assert_eq!(reads_badly("Het kost € {{ var.leges }}.", "leges", "€ 84,10").unwrap().1, "€");
        assert_eq!(reads_badly("U betaalt {{var.tarief}} per jaar.", "tarief", "€ 180,00 per jaar").unwrap().1, "jaar");
        assert!(reads_badly("Een paspoort kost {{ var.leges }}.", "leges", "€ 84,10").is_none());
        assert!(reads_badly("Het kost {{ var.andere }} extra.", "leges", "een extra bedrag").is_none(), "another variable");
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
