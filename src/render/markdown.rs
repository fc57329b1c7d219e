//! Markdown to HTML, always sanitised: whatever editors write, residents get only safe markup
//! (no script, style, iframes, SVG or MathML, no event handlers, no `javascript:` or `data:`
//! links). This is the only place editor text becomes HTML.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// How to render one text.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// The smallest heading level the text may use; higher-level headings are lowered to it
    /// so a text never competes with the page's own headings.
    pub min_heading: u8,
}

/// For a text under a section heading (`h2`): its headings start at `h3`.
pub const SECTION: Style = Style { min_heading: 3 };
/// For the body of a page or news item under the page title (`h1`).
pub const BODY: Style = Style { min_heading: 2 };

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
        "td", "tfoot", "th", "thead", "tr", "ul",
    ]
    .into_iter()
    .collect();
    let mut builder = Builder::default();
    builder
        .tags(tags)
        .clean_content_tags(["script", "style", "template", "svg", "math", "iframe", "object", "noscript"].into())
        .generic_attributes(HashSet::new())
        .tag_attributes(
            [
                ("a", ["href", "title"].into()),
                ("img", ["src", "alt", "title", "width", "height"].into()),
                ("ol", ["start"].into()),
                ("th", ["align", "scope"].into()),
                ("td", ["align"].into()),
            ]
            .into(),
        )
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    builder
});

/// Renders Markdown to sanitised HTML. A text seen before (a central section shown on hundreds
/// of sites) is parsed and sanitised only once.
pub fn to_html(markdown: &str, style: Style) -> String {
    let key = (blake3::hash(markdown.as_bytes()), style.min_heading);
    if let Some(html) = RENDERED.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return html.to_string();
    }
    let html = render(markdown, style);
    RENDERED.lock().unwrap_or_else(|p| p.into_inner()).insert(key, &html);
    html
}

/// Texts rendered before, by content hash and style, within a memory bound: two generations;
/// when the young one is full it becomes the old one and the old one is dropped, so texts in
/// use stay and texts no longer shown go.
#[derive(Default)]
struct Rendered {
    young: HashMap<MemoKey, Arc<str>>,
    old: HashMap<MemoKey, Arc<str>>,
    young_bytes: usize,
}

type MemoKey = (blake3::Hash, u8);

/// At most this many bytes of HTML per generation.
const GENERATION_BYTES: usize = 16 << 20;

static RENDERED: LazyLock<Mutex<Rendered>> = LazyLock::new(Mutex::default);

impl Rendered {
    fn get(&mut self, key: &MemoKey) -> Option<Arc<str>> {
        if let Some(html) = self.young.get(key) {
            return Some(html.clone());
        }
        let html = self.old.remove(key)?;
        self.insert_arc(*key, html.clone());
        Some(html)
    }

    fn insert(&mut self, key: MemoKey, html: &str) {
        self.insert_arc(key, Arc::from(html));
    }

    fn insert_arc(&mut self, key: MemoKey, html: Arc<str>) {
        if self.young_bytes + html.len() > GENERATION_BYTES {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += html.len();
        self.young.insert(key, html);
    }
}

fn render(markdown: &str, style: Style) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let min = style.min_heading.clamp(1, 6);
    let events: Vec<Event> = Parser::new_ext(markdown, options).collect();
    // The text's highest heading becomes `min`, the others keep their distance to it, so the
    // outline of the page has no gaps (a text that starts at ### under an h1 gets h2).
    let highest = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as u8),
            _ => None,
        })
        .min()
        .unwrap_or(min);
    let shift = i16::from(min) - i16::from(highest);
    let events = events.into_iter().map(|event| match event {
        Event::Start(Tag::Heading { level, .. }) => {
            Event::Start(Tag::Heading { level: shifted(level, shift), id: None, classes: vec![], attrs: vec![] })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shifted(level, shift))),
        other => other,
    });
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events);
    SANITIZER.clean(&raw).to_string()
}

/// Plain text of a Markdown text (for summaries, feeds and search snippets).
pub fn to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    let mut text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    // Any HTML in the source is dropped by the parser events above; stray angle brackets
    // stay plain text and are escaped wherever the text is shown.
    text.truncate(text.trim_end().len());
    text
}

fn shifted(level: HeadingLevel, shift: i16) -> HeadingLevel {
    let n = (i16::from(level as u8) + shift).clamp(1, 6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(md: &str) -> String {
        to_html(md, BODY)
    }

    #[test]
    fn renders_markdown() {
        assert_eq!(clean("Hallo **wereld**"), "<p>Hallo <strong>wereld</strong></p>\n");
        assert!(clean("- a\n- b").contains("<ul>"));
        assert!(clean("| a | b |\n|---|---|\n| 1 | 2 |").contains("<table>"));
    }

    #[test]
    fn headings_fit_under_the_page_outline() {
        assert!(clean("# Titel").starts_with("<h2>"));
        assert!(to_html("## Kop", SECTION).starts_with("<h3>"));
        assert_eq!(to_html("#### Kop\n\n##### Onder", SECTION), "<h3>Kop</h3>\n<h4>Onder</h4>\n");
        assert_eq!(clean("### A\n\n#### B\n\n### C"), "<h2>A</h2>\n<h3>B</h3>\n<h2>C</h2>\n");
    }

    #[test]
    fn hostile_markdown_is_harmless() {
        let cases = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[klik](javascript:alert(1))",
            "[klik](JaVaScRiPt:alert(1))",
            "[klik](data:text/html;base64,PHNjcmlwdD4=)",
            "<a href=\"javascript&#58;alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<svg><script>alert(1)</script></svg>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<style>body{display:none}</style>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<p onclick=\"alert(1)\">x</p>",
            "![x](javascript:alert(1))",
            "<object data=\"x\"></object><embed src=\"x\">",
            "<form action=\"https://evil\"><input></form>",
            "<a href=\"  javascript:alert(1)\">x</a>",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil\">",
        ];
        for case in cases {
            let out = clean(case).to_lowercase();
            for bad in ["<script", "javascript:", "onerror", "onclick", "<iframe", "<svg", "<math", "<style", "style=", "data:", "<object", "<embed", "<form", "<input", "<meta"] {
                assert!(!out.contains(bad), "{case:?} gave {out:?}");
            }
        }
    }

    #[test]
    fn safe_links_stay() {
        let out = clean("[site](https://example.org) [mail](mailto:a@example.org) [bel](tel:14020) [lokaal](/afval)");
        assert!(out.contains("href=\"https://example.org\""));
        assert!(out.contains("href=\"mailto:a@example.org\""));
        assert!(out.contains("href=\"tel:14020\""));
        assert!(out.contains("href=\"/afval\""));
    }

    #[test]
    fn a_text_rendered_again_gives_the_same_html() {
        let text = "Een tekst met **nadruk** die op veel sites staat.";
        assert_eq!(to_html(text, BODY), render(text, BODY));
        assert_eq!(to_html(text, BODY), render(text, BODY), "from the memo");
        assert_ne!(to_html("## Kop", BODY), to_html("## Kop", SECTION), "the style is part of the key");
    }

    #[test]
    fn the_memo_is_bounded() {
        let mut memo = Rendered::default();
        let big = "x".repeat(GENERATION_BYTES / 4 + 1);
        for n in 0u8..12 {
            memo.insert((blake3::hash(&[n]), 2), &big);
        }
        assert!(memo.young.len() + memo.old.len() <= 8);
        assert!(memo.get(&(blake3::hash(&[11]), 2)).is_some(), "the newest stays");
        assert!(memo.get(&(blake3::hash(&[0]), 2)).is_none(), "the oldest went");
    }

    #[test]
    fn plain_text() {
        assert_eq!(to_text("## Kop\nEen *mooie* tekst.\n\n- a\n- b"), "Kop Een mooie tekst. a b");
        assert_eq!(to_text("<script>x</script>\n\nHallo <b>x</b>"), "Hallo x");
    }
}
