//! Markdown to HTML, always sanitised: whatever editors write, residents get only safe markup
//! (no script, style, iframes, SVG or MathML, no event handlers, no `javascript:` or `data:`
//! links). This is the only place editor text becomes HTML.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};

use super::templates::escape;
use crate::media::picture::{Pictures, media_key};

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
        "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "picture", "pre", "s", "source", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
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
                ("img", ["src", "alt", "title", "width", "height", "srcset", "sizes", "loading", "decoding"].into()),
                ("source", ["type", "srcset", "sizes"].into()),
                ("ol", ["start"].into()),
                ("th", ["align", "scope"].into()),
                ("td", ["align"].into()),
            ]
            .into(),
        )
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| picture_attribute(element, attribute, value).then_some(value.into()));
    builder
});

/// Whether the sanitiser keeps an attribute that only pictures (`media::picture`) need: their
/// sources are the site's own media files, never another address.
fn picture_attribute(element: &str, attribute: &str, value: &str) -> bool {
    match (element, attribute) {
        ("img" | "source", "srcset") => value.split(',').all(|candidate| candidate.trim().starts_with("/media/")),
        ("source", "type") => value == "image/webp",
        ("img", "loading") => value == "lazy",
        ("img", "decoding") => value == "async",
        _ => true,
    }
}

/// The media keys of a text's images (`![…](/media/<key>)`), in order, once each.
pub fn media_keys(markdown: &str) -> Vec<String> {
    if !markdown.contains("/media/") {
        return Vec::new();
    }
    let mut keys: Vec<String> = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        if let Event::Start(Tag::Image { dest_url, .. }) = event {
            if let Some(key) = media_key(&dest_url).filter(|k| !keys.iter().any(|seen| seen == k)) {
                keys.push(key.to_owned());
            }
        }
    }
    keys
}

/// Renders Markdown to sanitised HTML with its media images as `pictures` (`<picture>`s with
/// their variants): the image events become the picture markup as the text is rendered.
pub fn to_html_with(markdown: &str, style: Style, pictures: &Pictures) -> String {
    if pictures.is_empty() || !markdown.contains("/media/") {
        return to_html(markdown, style);
    }
    // Not kept: what it gives depends on the media items too (few texts have pictures).
    render(markdown, style, pictures)
}

/// Renders Markdown to sanitised HTML. A text seen before (a central section shown on hundreds
/// of sites) is parsed and sanitised only once.
pub fn to_html(markdown: &str, style: Style) -> String {
    if let Some(html) = RENDERED.lock().unwrap_or_else(|p| p.into_inner()).get(markdown, style) {
        return html.to_string();
    }
    let html = render(markdown, style, &Pictures::none());
    RENDERED.lock().unwrap_or_else(|p| p.into_inner()).insert(markdown, style, Arc::from(html.as_str()));
    html
}

/// Texts rendered before, within a memory bound: two generations; when the young one is full
/// it becomes the old one and the old one is dropped, so texts in use stay and texts no longer
/// shown go. Found by a fast hash of the text and the style, and kept with the text itself, so
/// two texts with the same hash never give each other's HTML.
#[derive(Default)]
struct Rendered {
    young: HashMap<MemoKey, Memo>,
    old: HashMap<MemoKey, Memo>,
    young_bytes: usize,
}

type MemoKey = (u64, u8);

struct Memo {
    markdown: Box<str>,
    html: Arc<str>,
}

/// At most this many bytes of Markdown and HTML per generation.
const GENERATION_BYTES: usize = 16 << 20;
/// Texts larger than this (Markdown and HTML together) are rendered each time, not kept: one
/// of them would push out thousands of ordinary texts.
const LARGEST_MEMO: usize = 256 * 1024;

static RENDERED: LazyLock<Mutex<Rendered>> = LazyLock::new(Mutex::default);

impl Rendered {
    fn key(markdown: &str, style: Style) -> MemoKey {
        (xxhash_rust::xxh3::xxh3_64(markdown.as_bytes()), style.min_heading)
    }

    fn get(&mut self, markdown: &str, style: Style) -> Option<Arc<str>> {
        let key = Self::key(markdown, style);
        if let Some(memo) = self.young.get(&key) {
            return (*memo.markdown == *markdown).then(|| memo.html.clone());
        }
        let memo = self.old.remove(&key).filter(|m| *m.markdown == *markdown)?;
        let html = memo.html.clone();
        self.keep(key, memo);
        Some(html)
    }

    fn insert(&mut self, markdown: &str, style: Style, html: Arc<str>) {
        self.keep(Self::key(markdown, style), Memo { markdown: markdown.into(), html });
    }

    fn keep(&mut self, key: MemoKey, memo: Memo) {
        let bytes = memo.markdown.len() + memo.html.len();
        if bytes > LARGEST_MEMO {
            return;
        }
        if self.young_bytes + bytes > GENERATION_BYTES {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += bytes;
        self.young.insert(key, memo);
    }
}

fn render(markdown: &str, style: Style, pictures: &Pictures) -> String {
    let events = parse(markdown, style);
    if let Some(html) = direct(&events, markdown.len(), pictures) {
        return html;
    }
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, as_pictures(events, pictures).into_iter());
    SANITIZER.clean(&raw).to_string()
}

/// The events with every image of a media item in `pictures` as its picture markup.
fn as_pictures<'a>(events: Vec<Event<'a>>, pictures: &Pictures) -> Vec<Event<'a>> {
    if pictures.is_empty() {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some(event) = iter.next() {
        let Event::Start(Tag::Image { dest_url, title, .. }) = &event else {
            out.push(event);
            continue;
        };
        let (dest_url, title) = (dest_url.clone(), title.clone());
        let mut inner = Vec::new();
        let mut depth = 0;
        for e in iter.by_ref() {
            match &e {
                Event::End(TagEnd::Image) if depth == 0 => {
                    inner.push(e);
                    break;
                }
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) => depth -= 1,
                _ => {}
            }
            inner.push(e);
        }
        let alt = image_alt(&inner).unwrap_or_default();
        match pictures.html(&dest_url, &alt, (!title.is_empty()).then_some(&*title)) {
            Some(picture) => out.push(Event::InlineHtml(picture.into())),
            None => {
                out.push(event);
                out.extend(inner);
            }
        }
    }
    out
}

/// The text of an image's events (up to its end) as its alt text, without markup; `None` when
/// it holds raw HTML.
fn image_alt(events: &[Event]) -> Option<String> {
    let mut alt = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => alt.push_str(t),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            Event::Html(_) | Event::InlineHtml(_) => return None,
            _ => {}
        }
    }
    Some(alt)
}

/// The parser's events for a text, its headings moved to fit under the page's outline.
fn parse(markdown: &str, style: Style) -> Vec<Event<'_>> {
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
    events
        .into_iter()
        .map(|event| match event {
            Event::Start(Tag::Heading { level, .. }) => {
                Event::Start(Tag::Heading { level: shifted(level, shift), id: None, classes: vec![], attrs: vec![] })
            }
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shifted(level, shift))),
            other => other,
        })
        .collect()
}

/// HTML written straight from the parser's events, for the common text that holds nothing a
/// sanitiser would change: no raw HTML, only link and image addresses the sanitiser keeps as
/// they are, and no markup with attributes it drops (table alignment, code languages). The
/// parser escapes every text itself; links get the same `rel` the sanitiser adds. Anything
/// else gives `None` and goes through ammonia. This saves most of the cost of a text that is
/// rendered for one site only (a central text with that site's placeholders filled).
fn direct(events: &[Event], len: usize, pictures: &Pictures) -> Option<String> {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut iter = events.iter();
    while let Some(event) = iter.next() {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => return None,
            Event::Start(Tag::Table(align)) if align.iter().any(|a| *a != Alignment::None) => return None,
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if !info.is_empty() => return None,
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                let href = if *link_type == LinkType::Email { format!("mailto:{dest_url}") } else { dest_url.to_string() };
                if !kept_as_is(&href) {
                    return None;
                }
                let mut tag = format!("<a href=\"{}\"", address(&href));
                if !title.is_empty() {
                    tag.push_str(&format!(" title=\"{}\"", escape(title)));
                }
                tag.push_str(" rel=\"noopener noreferrer\">");
                out.push(Event::InlineHtml(tag.into()));
            }
            Event::End(TagEnd::Link) => out.push(Event::InlineHtml("</a>".into())),
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                if !kept_as_is(dest_url) {
                    return None;
                }
                // The image's text (up to its end) is its alt text, without markup.
                let mut inner = Vec::new();
                let mut depth = 0;
                for e in iter.by_ref() {
                    match e {
                        Event::End(TagEnd::Image) if depth == 0 => break,
                        Event::Start(Tag::Image { .. }) => depth += 1,
                        Event::End(TagEnd::Image) => depth -= 1,
                        _ => {}
                    }
                    inner.push(e.clone());
                }
                let alt = image_alt(&inner)?;
                if let Some(picture) = pictures.html(dest_url, &alt, (!title.is_empty()).then_some(&**title)) {
                    out.push(Event::InlineHtml(picture.into()));
                    continue;
                }
                let mut tag = format!("<img src=\"{}\" alt=\"{}\"", address(dest_url), escape(&alt));
                if !title.is_empty() {
                    tag.push_str(&format!(" title=\"{}\"", escape(title)));
                }
                tag.push('>');
                out.push(Event::InlineHtml(tag.into()));
            }
            other => out.push(other.clone()),
        }
    }
    let mut html = String::with_capacity(len * 3 / 2);
    html::push_html(&mut html, out.into_iter());
    Some(html)
}

/// An address for an attribute, escaped as pulldown-cmark escapes it.
fn address(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut out, url);
    out
}

/// An address the sanitiser keeps unchanged, decided as ammonia decides: it parses, and its
/// scheme is allowed (http, https, mailto, tel), or it is relative. Addresses with spaces or
/// control characters (which browsers strip, and so could hide a scheme) are left to ammonia.
fn kept_as_is(url: &str) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match url::Url::parse(url) {
        Ok(parsed) => matches!(parsed.scheme(), "http" | "https" | "mailto" | "tel"),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
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

    #[test]
    fn media_images_become_pictures_as_the_text_is_rendered() {
        let pictures = Pictures::new([crate::media::picture::tests::media("huis-1", false)]);
        let text = "Voor ![](/media/huis-1) na ![b](https://example.org/a.png) en ![eigen *tekst*](/media/huis-1 \"titel\") ![x](/media/anders-2)";
        assert_eq!(media_keys(text), ["huis-1", "anders-2"]);
        // Without raw HTML the text takes the direct path; with it, the sanitiser's.
        for text in [text.to_owned(), format!("{text}\n\n<b>vet</b>")] {
            let out = to_html_with(&text, BODY, &pictures);
            assert_eq!(out.matches("<picture>").count(), 2, "{out}");
            assert!(out.contains(r#"alt="Het &quot;gemeentehuis&quot;""#), "the library's alt when the text has none: {out}");
            assert!(out.contains(r#"alt="eigen tekst" title="titel""#), "the text's own alt wins: {out}");
            assert!(out.contains(r#"srcset="/media/huis-1/"#) && out.contains(r#"type="image/webp""#) && out.contains(r#"loading="lazy""#), "{out}");
            assert!(out.contains(r#"<img src="https://example.org/a.png" alt="b">"#), "other images stay: {out}");
            assert!(out.contains(r#"<img src="/media/anders-2" alt="x">"#), "keys not shown on the site stay: {out}");
        }
        assert_eq!(to_html_with(text, BODY, &Pictures::none()), to_html(text, BODY));
    }

    #[test]
    fn picture_markup_written_by_hand_keeps_only_the_sites_own_files() {
        let out = to_html(r#"<picture><source type="text/html" srcset="https://evil.example/x.jpg 1w"><img src="/media/a" srcset="/media/a/x.jpg 1w, javascript:alert(1) 2w" loading="eager" onerror="x()"></picture>"#, BODY);
        assert!(!out.contains("evil") && !out.contains("javascript") && !out.contains("text/html") && !out.contains("eager") && !out.contains("onerror"), "{out}");
    }

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
        assert_eq!(to_html(text, BODY), render(text, BODY, &Pictures::none()));
        assert_eq!(to_html(text, BODY), render(text, BODY, &Pictures::none()), "from the memo");
        assert_ne!(to_html("## Kop", BODY), to_html("## Kop", SECTION), "the style is part of the key");
    }

    #[test]
    fn oversized_texts_are_not_kept() {
        let mut memo = Rendered::default();
        let big = "x".repeat(LARGEST_MEMO);
        memo.insert(&big, BODY, Arc::from("<p>x</p>"));
        assert!(memo.get(&big, BODY).is_none());
        assert_eq!(memo.young_bytes, 0);
    }

    #[test]
    fn the_memo_is_bounded() {
        let mut memo = Rendered::default();
        // Entries of 1/128 of a generation (each small enough to be kept).
        let per_generation = 128;
        let big: Arc<str> = Arc::from("x".repeat(GENERATION_BYTES / per_generation - 64));
        assert!(big.len() < LARGEST_MEMO);
        for n in 0..3 * per_generation {
            memo.insert(&format!("tekst {n}"), BODY, big.clone());
        }
        assert!(memo.young.len() + memo.old.len() <= 2 * per_generation);
        assert!(memo.get(&format!("tekst {}", 3 * per_generation - 1), BODY).is_some(), "the newest stays");
        assert!(memo.get("tekst 0", BODY).is_none(), "the oldest went");
    }

    #[test]
    fn texts_with_the_same_hash_do_not_share_html() {
        let mut memo = Rendered::default();
        let key = Rendered::key("eerste", BODY);
        // As if a second text had the first one's hash.
        memo.young.insert(key, Memo { markdown: "tweede".into(), html: Arc::from("<p>tweede</p>") });
        assert!(memo.get("eerste", BODY).is_none(), "a hash match alone is not a hit");
        memo.old = std::mem::take(&mut memo.young);
        assert!(memo.get("eerste", BODY).is_none(), "nor in the old generation");
    }

    /// Written the way html5ever serialises, so the two renderings can be compared.
    fn normalised(html: &str) -> String {
        html.replace(" />", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'")
    }

    fn through_ammonia(markdown: &str, style: Style) -> String {
        let mut raw = String::new();
        html::push_html(&mut raw, parse(markdown, style).into_iter());
        SANITIZER.clean(&raw).to_string()
    }

    #[test]
    fn direct_html_is_what_the_sanitiser_would_give() {
        // Texts made from pieces of Markdown, safe and hostile; for each text the direct
        // rendering (when it is used) must be left as it is by the sanitiser, and be what the
        // sanitised rendering gives.
        const PIECES: &[&str] = &[
            "Tekst", " en ", "**vet**", "_schuin_", "`code`", "~~weg~~", "\n\n", "\n", "- punt\n", "1. een\n", "3. drie\n",
            "> citaat\n", "---\n", "[link](https://example.org/a?b=1&c=2)", "[lokaal](/afval/pmd)", "[anker](#kosten)",
            "[mail](mailto:info@example.org)", "[bel](tel:14020)", "<https://example.org>", "<info@example.org>",
            "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](<java\tscript:alert(1)>)", "[x](data:text/html,x)",
            "[x](vbscript:x)", "[x](//example.org/pad)", "[t](/a \"titel\")", "![foto](/media/abc-123)",
            "![foto *mooi*](/media/abc \"t\")", "![x](javascript:alert(1))", "<b>html</b>", "<script>x</script>", "&amp;",
            "&lt;script&gt;", "\"", "'", "<", ">", "&", "| a | b |\n|---|---|\n| 1 | 2 |\n", "| a |\n|:--|\n| 1 |\n",
            "```\ncode <b>\n```\n", "```rust\nfn x() {}\n```\n", "    ingesprongen\n", "# Kop\n", "### Kop\n", "€ 84,10",
            "{{ gemeente }}", "\\*", "<!-- c -->", "[ref]\n\n[ref]: https://example.org", "a  \nb",
        ];
        let mut rng = fastrand::Rng::with_seed(2026);
        let mut direct_used = 0;
        for _ in 0..3000 {
            let n = rng.usize(1..8);
            let text: String = (0..n).map(|_| PIECES[rng.usize(..PIECES.len())]).collect();
            for style in [BODY, SECTION] {
                let rendered = render(&text, style, &Pictures::none());
                if direct(&parse(&text, style), text.len(), &Pictures::none()).is_none() {
                    continue;
                }
                direct_used += 1;
                let again = SANITIZER.clean(&rendered).to_string();
                assert_eq!(normalised(&again), normalised(&rendered), "the sanitiser changes the direct HTML of {text:?}");
                assert_eq!(normalised(&rendered), normalised(&through_ammonia(&text, style)), "direct and sanitised differ for {text:?}");
            }
        }
        assert!(direct_used > 1000, "most texts take the direct way ({direct_used})");
    }

    #[test]
    fn addresses_kept_as_they_are() {
        for ok in ["https://example.org", "HTTP://x", "mailto:a@b.nl", "tel:14020", "/afval", "afval/pmd", "#kosten", "?q=1", "//cdn.example/x", "/a:b"] {
            assert!(kept_as_is(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", "data:x", "java\tscript:x", " https://x", "vbscript:x", "file:///etc", "x:y/z", "https://example.org<"] {
            assert!(!kept_as_is(bad), "{bad}");
        }
    }

    #[test]
    fn plain_text() {
        assert_eq!(to_text("## Kop\nEen *mooie* tekst.\n\n- a\n- b"), "Kop Een mooie tekst. a b");
        assert_eq!(to_text("<script>x</script>\n\nHallo <b>x</b>"), "Hallo x");
    }
}
