//! Images in pages as residents get them: a Markdown image of a media item (`![…](/media/<key>)`)
//! or a news item's image becomes a `<picture>` with WebP and JPEG/PNG `srcset`s at the
//! variant widths, width and height (no layout shift), and the library's alt text when the
//! text gave none. The Markdown renderer asks `Pictures` while it turns the text's events
//! into HTML (`render::markdown::to_html_with`); nothing scans a finished page.

use std::collections::HashMap;

use super::variants::{self, Encoding};
use crate::db::models::media::Media;
use crate::render::templates::escape;

/// How wide images are shown: the text column on wide screens, the screen on phones.
const SIZES: &str = "(min-width: 48rem) 46rem, 100vw";
/// The fallback `src` for browsers without `srcset`: the widest variant up to this width.
const FALLBACK_WIDTH: u32 = 960;

/// The media items a page may show, by key: those visible on its site. Keys not here (unknown,
/// or not visible on the site) stay plain images, which then find nothing.
#[derive(Debug, Default)]
pub struct Pictures {
    media: HashMap<String, Media>,
}

impl Pictures {
    /// No pictures: for the API and feeds, whose HTML keeps plain images.
    pub fn none() -> Pictures {
        Pictures::default()
    }

    pub fn new(media: impl IntoIterator<Item = Media>) -> Pictures {
        Pictures { media: media.into_iter().map(|m| (m.key.clone(), m)).collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.media.is_empty()
    }

    /// The `<picture>` for the media address `src` (`/media/<key>`), with `alt` as the text
    /// wrote it (escaped here; empty: the library's alt, or none for a decorative image).
    pub fn html(&self, src: &str, alt: &str, title: Option<&str>) -> Option<String> {
        let m = self.media.get(media_key(src)?)?;
        let alt = match alt.trim() {
            "" if m.decorative => String::new(),
            "" => escape(&m.alt),
            written => escape(written),
        };
        let mut out = String::with_capacity(600);
        push_picture(&mut out, m, &alt, title.map(escape).as_deref());
        Some(out)
    }
}

/// The media key of a media address (`/media/<key>`).
pub fn media_key(src: &str) -> Option<&str> {
    let key = src.strip_prefix("/media/")?;
    crate::content::slug::is_slug(key).then_some(key)
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

/// `alt` and `title` come escaped.
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
pub(crate) mod tests {
    use super::*;

    pub(crate) fn media(key: &str, decorative: bool) -> Media {
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
        let pictures = Pictures::new([media("huis-1", false)]);
        let out = pictures.html("/media/huis-1", "", None).unwrap();
        assert!(out.contains(r#"alt="Het &quot;gemeentehuis&quot;""#), "library alt, escaped: {out}");
        assert!(pictures.html("/media/huis-1", "eigen > tekst", Some("t\"")).unwrap().contains(r#"alt="eigen &gt; tekst" title="t&quot;""#));
        assert!(out.contains(r#"width="1000" height="500""#));
        assert!(out.contains(&format!("/media/huis-1/{}-320.webp 320w", "h".repeat(32))));
        assert!(out.contains(&format!("src=\"/media/huis-1/{}-960.jpg\"", "h".repeat(32))));
        assert!(out.starts_with("<picture>") && out.ends_with("</picture>"));
        assert_eq!(pictures.html("https://example.org/a.png", "b", None), None, "other images stay");
        assert_eq!(pictures.html("/media/anders-2", "x", None), None, "unknown keys stay");
    }

    #[test]
    fn decorative_images_get_an_empty_alt() {
        let pictures = Pictures::new([media("deco-1", true)]);
        assert!(pictures.html("/media/deco-1", "", None).unwrap().contains(r#"alt="" loading"#));
    }
}
