//! Limits and checks every text item meets, wherever it comes from (a content file or the admin
//! API and pages): lengths sized for real texts, no control characters, a bounded number of
//! placeholders, and images with a text alternative. One check over the model, so files and the
//! API refuse the same things with the same messages; each problem names its field as a path
//! (`/title`, `/variables/leges`, `/sections/kosten/body`) that the file reader turns into a line
//! and the API reports as is.

use pulldown_cmark::{Event, Parser, Tag};

use super::model::{Alert, Contact, NewsItem, Override, Page, Product};

/// Characters in a title, a section heading or a variable label.
pub const MAX_TITLE: usize = 200;
/// Characters in a summary.
pub const MAX_SUMMARY: usize = 1_000;
/// Characters in a variable value, a link, a contact field, a keyword or theme.
pub const MAX_VALUE: usize = 1_000;
/// Bytes in one Markdown text (a page body, a section): a long page is about 50 kB.
pub const MAX_TEXT_BYTES: usize = 512 * 1024;
/// Sections in one product or override.
pub const MAX_SECTIONS: usize = 100;
/// Variables, keywords, themes or life events in one item.
pub const MAX_LIST: usize = 200;
/// Placeholders (`{{ … }}`) in one text.
pub const MAX_PLACEHOLDERS: usize = 200;

/// One problem: the field it is in (a path from the item's root), the line within that
/// field's text when it is a Markdown text, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    /// A problem of the field at `field` (a JSON pointer such as `/title`; empty for the whole
    /// item).
    pub fn at(field: &str, message: impl Into<String>) -> Problem {
        Problem { field: field.to_owned(), line: None, message: message.into() }
    }

    /// The field as people read it: `title`, `sections/kosten/body`.
    pub fn field_name(&self) -> &str {
        self.field.trim_start_matches('/')
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.field_name(), self.line) {
            ("", _) => write!(f, "{}", self.message),
            (field, Some(line)) => write!(f, "{field} (line {line}): {}", self.message),
            (field, None) => write!(f, "{field}: {}", self.message),
        }
    }
}

impl From<String> for Problem {
    /// A message written as `field: what is wrong` names its field; any other message is a
    /// problem of the whole document.
    fn from(message: String) -> Problem {
        let Some((head, rest)) = message.split_once(": ") else { return Problem::at("", message) };
        let (field, line) = match head.split_once(" (line ") {
            Some((field, line)) => (field, line.strip_suffix(')').and_then(|l| l.parse().ok())),
            None => (head, None),
        };
        let is_field = field.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && !field.chars().any(char::is_whitespace);
        if !is_field {
            return Problem::at("", message);
        }
        Problem { field: format!("/{}", field.replace('.', "/")), line, message: rest.to_owned() }
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Problem {
        Problem::from(message.to_owned())
    }
}

impl serde::Serialize for Problem {
    /// As the API reports it: the field as a JSON pointer, and the message.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Problem", 3)?;
        s.serialize_field("pointer", &self.field)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("message", &self.message)?;
        s.end()
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, field: &str, message: String) {
        self.problems.push(Problem { field: field.to_owned(), line: None, message });
    }

    /// A one-line text: at most `max` characters, no control characters.
    fn line(&mut self, field: &str, value: &str, max: usize) {
        let chars = value.chars().count();
        if chars > max {
            self.push(field, format!("is {chars} characters long; at most {max} are allowed"));
        }
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            self.push(field, format!("contains the control character U+{:04X}; remove it", c as u32));
        }
    }

    /// A variable value, with dates or without: each value a line, each `from` a moment, no
    /// moment twice (`content::dated`).
    fn dated(&mut self, field: &str, value: &crate::content::dated::Dated) {
        match value.as_plain() {
            Some(v) => self.line(field, v, MAX_VALUE),
            None => {
                for (i, step) in value.steps().iter().enumerate() {
                    self.line(&format!("{field}/{i}/value"), &step.value, MAX_VALUE);
                }
            }
        }
        for (at, why) in value.problems() {
            self.push(&format!("{field}{at}"), why);
        }
    }

    fn lines<'a>(&mut self, field: &str, values: impl ExactSizeIterator<Item = &'a String>) {
        if values.len() > MAX_LIST {
            self.push(field, format!("has {} entries; at most {MAX_LIST} are allowed", values.len()));
        }
        for (i, v) in values.enumerate() {
            self.line(&format!("{field}/{i}"), v, MAX_VALUE);
        }
    }

    /// A Markdown text: bounded in bytes and placeholders, no control characters but line
    /// breaks and tabs, and every image with a text alternative.
    fn text(&mut self, field: &str, value: &str) {
        if value.len() > MAX_TEXT_BYTES {
            self.push(field, format!("is {} bytes long; at most {MAX_TEXT_BYTES} are allowed", value.len()));
            return;
        }
        if let Some(c) = value.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            self.push(field, format!("contains the control character U+{:04X}; remove it", c as u32));
        }
        let placeholders = value.matches("{{").count();
        if placeholders > MAX_PLACEHOLDERS {
            self.push(field, format!("has {placeholders} placeholders; at most {MAX_PLACEHOLDERS} are allowed"));
        }
        for (offset, message) in images_without_alt(value) {
            let line = value[..offset].matches('\n').count() + 1;
            self.problems.push(Problem { field: field.to_owned(), line: Some(line), message });
        }
    }

    fn contact(&mut self, field: &str, contact: &Contact) {
        for (name, value) in [
            ("name", &contact.name),
            ("phone", &contact.phone),
            ("email", &contact.email),
            ("address", &contact.address),
            ("url", &contact.url),
            ("hours", &contact.hours),
        ] {
            if let Some(v) = value {
                self.line(&format!("{field}/{name}"), v, MAX_VALUE);
            }
        }
    }

    fn sections(&mut self, count: usize) {
        if count > MAX_SECTIONS {
            self.push("/sections", format!("has {count} sections; at most {MAX_SECTIONS} are allowed"));
        }
    }
}

/// Images in Markdown that have no text alternative: `![](https://…)` (an image from the media
/// library takes its alt text from there) and raw `<img>` without an `alt` attribute. An image
/// that is decoration only says so with `alt=""`.
/// Each with the byte offset where the image starts.
fn images_without_alt(markdown: &str) -> Vec<(usize, String)> {
    let mut problems = Vec::new();
    let mut events = Parser::new(markdown).into_offset_iter();
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                let mut alt = String::new();
                let mut depth = 1;
                for (inner, _) in events.by_ref() {
                    match inner {
                        Event::Start(_) => depth += 1,
                        Event::End(_) => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                        _ => {}
                    }
                }
                if alt.trim().is_empty() && !dest_url.starts_with("/media/") {
                    problems.push((range.start, format!(
                        "the image {dest_url} has no description: write it between the brackets, ![description]({dest_url}), or use an image from the library"
                    )));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for (at, tag) in raw_img_tags(&html) {
                    if !has_attribute(tag, "alt") {
                        let message = "an <img> has no alt attribute: describe the image in alt=\"…\", or write alt=\"\" when it is decoration only";
                        problems.push((range.start + at, message.to_owned()));
                    }
                }
            }
            _ => {}
        }
    }
    problems
}

/// The `<img …>` tags in a piece of raw HTML, with their offsets.
fn raw_img_tags(html: &str) -> Vec<(usize, &str)> {
    let lower = html.to_ascii_lowercase();
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<img") {
        let start = from + found;
        let after = lower.as_bytes().get(start + 4).copied();
        let end = lower[start..].find('>').map(|e| start + e + 1).unwrap_or(html.len());
        if after.is_none_or(|b| b.is_ascii_whitespace() || b == b'/' || b == b'>') {
            tags.push((start, &html[start..end]));
        }
        from = end.max(start + 4);
    }
    tags
}

fn has_attribute(tag: &str, name: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    lower.match_indices(name).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + name.len()).copied();
        before.is_some_and(|b| b.is_ascii_whitespace()) && after.is_none_or(|b| b == b'=' || b.is_ascii_whitespace() || b == b'>' || b == b'/')
    })
}

/// Problems of a catalogue product.
pub fn product(p: &Product) -> Vec<Problem> {
    let mut c = Checker::default();
    c.line("/title", &p.title, MAX_TITLE);
    c.line("/summary", &p.summary, MAX_SUMMARY);
    c.lines("/themes", p.themes.iter());
    c.lines("/life_events", p.life_events.iter());
    c.lines("/keywords", p.keywords.iter());
    if let Some(upl) = &p.upl {
        c.line("/upl", upl, MAX_VALUE);
    }
    if let Some(owner) = &p.content_owner {
        c.line("/owner", owner, MAX_VALUE);
    }
    if p.variables.len() > MAX_LIST {
        c.push("/variables", format!("has {} variables; at most {MAX_LIST} are allowed", p.variables.len()));
    }
    for v in &p.variables {
        c.line(&format!("/variables/{}/label", v.name), &v.label, MAX_TITLE);
        if let Some(d) = &v.default {
            c.dated(&format!("/variables/{}/default", v.name), d);
        }
    }
    c.sections(p.sections.len());
    for s in &p.sections {
        c.line(&format!("/sections/{}/heading", s.key), &s.heading, MAX_TITLE);
        c.text(&format!("/sections/{}/body", s.key), &s.body);
    }
    c.problems
}

/// Problems of a group's or site's override.
pub fn override_(o: &Override) -> Vec<Problem> {
    let mut c = Checker::default();
    if let Some(t) = &o.title {
        c.line("/title", t, MAX_TITLE);
    }
    if let Some(s) = &o.summary {
        c.line("/summary", s, MAX_SUMMARY);
    }
    if let Some(u) = &o.apply_url {
        c.line("/apply_url", u, MAX_VALUE);
    }
    c.lines("/keywords", o.keywords.iter());
    if let Some(contact) = &o.contact {
        c.contact("/contact", contact);
    }
    if o.variables.len() > MAX_LIST {
        c.push("/variables", format!("has {} values; at most {MAX_LIST} are allowed", o.variables.len()));
    }
    for (name, value) in &o.variables {
        c.dated(&format!("/variables/{name}"), value);
    }
    if let Some(r) = &o.reason {
        c.line("/reason", r, MAX_SUMMARY);
    }
    if let Some(r) = &o.refer_to {
        c.line("/refer_to", r, MAX_VALUE);
    }
    c.sections(o.sections.len());
    for s in &o.sections {
        c.line(&format!("/sections/{}/heading", s.key), &s.heading, MAX_TITLE);
        c.text(&format!("/sections/{}/body", s.key), &s.body);
    }
    c.problems
}

/// The fields pages, news and alerts share.
fn local_item(title: &str, summary: &str, owner: Option<&String>, body: &str) -> Vec<Problem> {
    let mut c = Checker::default();
    c.line("/title", title, MAX_TITLE);
    c.line("/summary", summary, MAX_SUMMARY);
    if let Some(owner) = owner {
        c.line("/owner", owner, MAX_VALUE);
    }
    c.text("/body", body);
    c.problems
}

/// Problems of a local page.
pub fn page(p: &Page) -> Vec<Problem> {
    local_item(&p.title, &p.summary, p.content_owner.as_ref(), &p.body)
}

/// Problems of a news item.
pub fn news(n: &NewsItem) -> Vec<Problem> {
    local_item(&n.title, &n.summary, n.content_owner.as_ref(), &n.body)
}

/// Problems of an alert.
pub fn alert(a: &Alert) -> Vec<Problem> {
    local_item(&a.title, &a.summary, None, &a.body)
}

/// Problems of a site's or group's own values (contact and variables in `site.toml` or
/// `group.toml`).
pub fn layer_values(name: &str, contact: &Contact, variables: &std::collections::BTreeMap<String, crate::content::dated::Dated>) -> Vec<Problem> {
    let mut c = Checker::default();
    c.line("/name", name, MAX_TITLE);
    c.contact("/contact", contact);
    for (k, v) in variables {
        c.dated(&format!("/variables/{k}"), v);
    }
    c.problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_back_from_their_text() {
        for p in [
            Problem::at("/title", "must not be empty"),
            Problem { field: "/sections/kosten-2/body".into(), line: Some(3), message: "an image has no alt text".into() },
            Problem::at("", "Er is al een product met de naam \"x\"."),
        ] {
            assert_eq!(Problem::from(p.to_string()), p, "{p}");
        }
        assert_eq!(Problem::from("line 3: bad").field, "", "not a field");
    }

    #[test]
    fn images_need_a_description() {
        assert!(images_without_alt("![Het gemeentehuis](https://example.org/a.jpg)").is_empty());
        assert!(images_without_alt("![](/media/gemeentehuis-1a2b)").is_empty(), "the library gives the alt text");
        assert_eq!(images_without_alt("![](https://example.org/a.jpg)").len(), 1);
        assert_eq!(images_without_alt("Tekst <img src=\"https://example.org/a.jpg\"> meer").len(), 1);
        assert_eq!(images_without_alt("<IMG SRC=x>").len(), 1);
        assert!(images_without_alt("<img alt=\"\" src=\"x\">").is_empty(), "decoration says so");
        assert!(images_without_alt("<img src=x alt=foto>").is_empty());
        assert_eq!(images_without_alt("<img src=x data-alt=foto>").len(), 1, "another attribute ending in alt is not alt");
        assert!(images_without_alt("<imgx src=y>").is_empty(), "not an img tag");
    }

    #[test]
    fn control_characters_and_lengths() {
        let mut c = Checker::default();
        c.line("/title", "Paspoort\u{1}", MAX_TITLE);
        c.line("/summary", &"x".repeat(MAX_SUMMARY + 1), MAX_SUMMARY);
        c.text("/body", "Regel 1\nRegel\t2\r\n");
        c.text("/body", &"{{ var.a }}".repeat(MAX_PLACEHOLDERS + 1));
        let fields: Vec<&str> = c.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["/title", "/summary", "/body"]);
        assert!(c.problems[0].message.contains("U+0001"));
        assert!(c.problems[2].message.contains("placeholders"));
    }
}
