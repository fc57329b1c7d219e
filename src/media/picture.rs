//! Images in pages as residents get them: every `<img src="/media/<key>">` in a rendered page
//! (from Markdown, or from a template such as a news item's image) becomes a `<picture>` with
//! WebP and JPEG/PNG `srcset`s at the variant widths, width and height (no layout shift), and
//! the library's alt text when the text gave none. The page's HTML is already sanitised; this
//! only adds markup it builds itself.

use std::collections::HashMap;

use super::variants::{self, Encoding};
use crate::db::models::media::Media;
use crate::render::templates::escape;

/// How wide images are shown: the text column on wide screens, the screen on phones.
const SIZES: &str = "(min-width: 48rem) 46rem, 100vw";
/// The fallback `src` for browsers without `srcset`: the widest variant up to this width.
const FALLBACK_WIDTH: u32 = 960;

/// One `<img>` tag in a page: where it is and its attributes (values as written).
struct ImgTag<'h> {
    start: usize,
    end: usize,
    attrs: Vec<(&'h str, &'h str)>,
}

impl<'h> ImgTag<'h> {
    fn attr(&self, name: &str) -> Option<&'h str> {
        self.attrs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }

    /// The media key of `src="/media/<key>"`.
    fn media_key(&self) -> Option<&'h str> {
        let key = self.attr("src")?.strip_prefix("/media/")?;
        crate::content::slug::is_slug(key).then_some(key)
    }
}

/// The `<img>` tags of a page, in order.
fn img_tags(html: &str) -> Vec<ImgTag<'_>> {
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = html[from..].find("<img") {
        let start = from + found;
        match parse_tag(html, start + 4) {
            Some((attrs, end)) => {
                tags.push(ImgTag { start, end, attrs });
                from = end;
            }
            None => break,
        }
    }
    tags
}

/// Reads attributes from `pos` up to the tag's closing `>`; returns them and the position
/// after the tag.
fn parse_tag(html: &str, mut pos: usize) -> Option<(Vec<(&str, &str)>, usize)> {
    let bytes = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b'/') {
            pos += 1;
        }
        match bytes.get(pos)? {
            b'>' => return Some((attrs, pos + 1)),
            _ => {
                let name_start = pos;
                while pos < bytes.len() && !matches!(bytes[pos], b'=' | b'>' | b'/') && !bytes[pos].is_ascii_whitespace() {
                    pos += 1;
                }
                let name = &html[name_start..pos];
                if bytes.get(pos) != Some(&b'=') {
                    attrs.push((name, ""));
                    continue;
                }
                pos += 1;
                let value = match bytes.get(pos)? {
                    q @ (b'"' | b'\'') => {
                        let close = html[pos + 1..].find(char::from(*q))? + pos + 1;
                        let v = &html[pos + 1..close];
                        pos = close + 1;
                        v
                    }
                    _ => {
                        let s = pos;
                        while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() && bytes[pos] != b'>' {
                            pos += 1;
                        }
                        &html[s..pos]
                    }
                };
                attrs.push((name, value));
            }
        }
    }
}

/// The media keys of the images in a page.
pub fn keys_in(html: &str) -> Vec<String> {
    if !html.contains("/media/") {
        return Vec::new();
    }
    let mut keys: Vec<String> = img_tags(html).iter().filter_map(|t| t.media_key().map(str::to_owned)).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The page with its media images as `<picture>`s. Keys missing from `media` (unknown, or not
/// visible on this site) keep their `<img>`, which then finds nothing.
pub fn expand(html: &str, media: &HashMap<String, Media>) -> String {
    let tags = img_tags(html);
    let mut out = String::with_capacity(html.len() + tags.len() * 600);
    let mut copied = 0;
    for tag in &tags {
        let Some(m) = tag.media_key().and_then(|k| media.get(k)) else { continue };
        out.push_str(&html[copied..tag.start]);
        let alt = match tag.attr("alt").filter(|a| !a.trim().is_empty()) {
            Some(written) => written.to_owned(),
            None if m.decorative => String::new(),
            None => escape(&m.alt),
        };
        push_picture(&mut out, m, &alt, tag.attr("title"));
        copied = tag.end;
    }
    out.push_str(&html[copied..]);
    out
}

/// The URL of a file of a media item (a variant, or the master when `width` is `None`).
pub fn file_url(m: &Media, width: Option<u32>, encoding: Encoding) -> String {
    match width {
        Some(w) => format!("/media/{}/{}", m.key, variants::variant_name(&m.hash, w, encoding)),
        None => format!("/media/{}/{}", m.key, variants::master_name(&m.hash, encoding)),
    }
}

fn srcset(m: &Media, widths: &[u32], encoding: Encoding) -> String {
    widths.iter().map(|&w| format!("{} {w}w", file_url(m, Some(w), encoding))).collect::<Vec<_>>().join(", ")
}

fn push_picture(out: &mut String, m: &Media, alt: &str, title: Option<&str>) {
    let master = Encoding::from_format(&m.format);
    let widths = variants::widths_for(u32::try_from(m.width).unwrap_or(0));
    let fallback = widths.iter().copied().filter(|&w| w <= FALLBACK_WIDTH).max().or_else(|| widths.first().copied());
    let src = file_url(m, fallback, master);
    out.push_str("<picture><source type=\"image/webp\" srcset=\"");
    out.push_str(&srcset(m, &widths, Encoding::Webp));
    out.push_str("\" sizes=\"");
    out.push_str(SIZES);
    out.push_str("\"><img src=\"");
    out.push_str(&src);
    out.push_str("\" srcset=\"");
    out.push_str(&srcset(m, &widths, master));
    out.push_str("\" sizes=\"");
    out.push_str(SIZES);
    out.push_str(&format!("\" width=\"{}\" height=\"{}\" alt=\"{alt}\"", m.width, m.height));
    if let Some(title) = title {
        out.push_str(&format!(" title=\"{title}\""));
    }
    out.push_str(" loading=\"lazy\" decoding=\"async\"></picture>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(key: &str, decorative: bool) -> Media {
        Media {
            id: 1,
            key: key.into(),
            group_id: None,
            site_id: None,
            hash: "h".repeat(32),
            format: "jpeg".into(),
            width: 1000,
            height: 500,
            bytes: 1,
            name: "x.jpg".into(),
            alt: "Het \"gemeentehuis\"".into(),
            decorative,
            revision: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn media_images_become_pictures() {
        let html = r#"<p>Voor <img src="/media/huis-1" alt=""> na <img src="https://example.org/a.png" alt="b"> <img alt="eigen > tekst" src="/media/huis-1"></p>"#;
        assert_eq!(keys_in(html), vec!["huis-1"]);
        let map = HashMap::from([("huis-1".to_owned(), media("huis-1", false))]);
        let out = expand(html, &map);
        assert_eq!(out.matches("<picture>").count(), 2, "{out}");
        assert!(out.contains(r#"alt="Het &quot;gemeentehuis&quot;""#), "library alt, escaped: {out}");
        assert!(out.contains(r#"alt="eigen > tekst""#), "the text's own alt wins");
        assert!(out.contains(r#"width="1000" height="500""#));
        assert!(out.contains(&format!("/media/huis-1/{}-320.webp 320w", "h".repeat(32))));
        assert!(out.contains(&format!("src=\"/media/huis-1/{}-960.jpg\"", "h".repeat(32))));
        assert!(out.contains(r#"<img src="https://example.org/a.png" alt="b">"#), "other images stay");
        assert!(out.starts_with("<p>Voor <picture>") && out.ends_with("</picture></p>"));
    }

    #[test]
    fn decorative_images_get_an_empty_alt_and_unknown_keys_stay() {
        let map = HashMap::from([("deco-1".to_owned(), media("deco-1", true))]);
        let out = expand(r#"<img src="/media/deco-1" alt=""><img src="/media/anders-2" alt="x">"#, &map);
        assert!(out.contains(r#"alt="" loading"#), "{out}");
        assert!(out.ends_with(r#"<img src="/media/anders-2" alt="x">"#));
    }
}
