//! Checking an upload and turning it into a clean image. Nothing an uploader sends is stored as
//! sent: the bytes are sniffed (and must match what was declared), checked for completeness and
//! for other content hidden in them, decoded under strict limits set before decoding, turned
//! upright, and re-encoded, which leaves every piece of metadata (EXIF, GPS, comments) behind.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::MediaError;

/// Hard limits for one upload.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    /// Largest width or height.
    pub max_side: u32,
    pub max_pixels: u64,
    /// Memory the decoder may allocate.
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        // 40 million pixels: a 48-megapixel camera's photo is refused, a 36-megapixel one is
        // not. Decoded as RGBA that is 160 MiB, within the decoder's allocation limit.
        Limits { max_bytes: 25 * 1024 * 1024, max_side: 12_000, max_pixels: 40_000_000, max_alloc: 256 * 1024 * 1024 }
    }
}

/// The image formats accepted for upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    fn sniff(bytes: &[u8]) -> Option<Format> {
        match image::guess_format(bytes).ok()? {
            ImageFormat::Jpeg => Some(Format::Jpeg),
            ImageFormat::Png => Some(Format::Png),
            ImageFormat::WebP => Some(Format::Webp),
            ImageFormat::Gif => Some(Format::Gif),
            _ => None,
        }
    }

    fn from_mime(mime: &str) -> Option<Format> {
        match mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(Format::Jpeg),
            "image/png" => Some(Format::Png),
            "image/webp" => Some(Format::Webp),
            "image/gif" => Some(Format::Gif),
            _ => None,
        }
    }

    fn from_extension(name: &str) -> Option<Format> {
        let (_, ext) = name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            "gif" => Some(Format::Gif),
            _ => None,
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
            Format::Gif => ImageFormat::Gif,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
        }
    }
}

/// What the uploader said the file is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Declared<'a> {
    pub content_type: Option<&'a str>,
    pub filename: Option<&'a str>,
}

/// A checked image, upright, with no metadata, ready to be stored.
pub struct Clean {
    pub image: DynamicImage,
    /// Whether any pixel is (partly) transparent: such images stay PNG.
    pub transparent: bool,
}

/// Checks and decodes an upload.
pub fn decode(bytes: &[u8], declared: Declared, limits: &Limits) -> Result<Clean, MediaError> {
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooLarge { bytes: bytes.len(), limit: limits.max_bytes });
    }
    if bytes.is_empty() {
        return Err(MediaError::Corrupt("het bestand is leeg".into()));
    }
    if is_svg(bytes, declared) {
        return Err(MediaError::Unsupported("SVG-bestanden kunnen scripts bevatten en worden daarom niet geaccepteerd; lever een PNG, JPEG, WebP of GIF".into()));
    }
    let format = Format::sniff(bytes).ok_or_else(|| {
        MediaError::Unsupported("dit is geen afbeelding in een ondersteund formaat (JPEG, PNG, WebP of GIF)".into())
    })?;
    check_declared(format, declared)?;
    check_hidden_content(bytes)?;
    check_complete(format, bytes)?;
    let image = decode_limited(format, bytes, limits)?;
    let transparent = image.color().has_alpha() && has_transparency(&image);
    Ok(Clean { image, transparent })
}

fn is_svg(bytes: &[u8], declared: Declared) -> bool {
    let declared_svg = declared.content_type.is_some_and(|t| t.to_ascii_lowercase().contains("svg"))
        || declared.filename.is_some_and(|n| n.to_ascii_lowercase().ends_with(".svg") || n.to_ascii_lowercase().ends_with(".svgz"));
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    declared_svg || (trimmed.starts_with('<') && text.contains("<svg"))
}

/// The sniffed format must be what the file's type and name say.
fn check_declared(actual: Format, declared: Declared) -> Result<(), MediaError> {
    let by_type = declared.content_type.filter(|t| !is_generic_type(t)).map(|t| (t, Format::from_mime(t)));
    let by_name = declared.filename.filter(|n| n.contains('.')).map(|n| (n, Format::from_extension(n)));
    if by_type.is_none() && by_name.is_none() {
        return Err(MediaError::Mismatch("het bestandstype is niet opgegeven: geef een bestandsnaam met extensie of een Content-Type".into()));
    }
    if let Some((t, claimed)) = by_type {
        if claimed != Some(actual) {
            return Err(MediaError::Mismatch(format!("het bestand is opgegeven als {t}, maar is een {}-afbeelding", actual.label())));
        }
    }
    if let Some((n, claimed)) = by_name {
        if claimed != Some(actual) {
            return Err(MediaError::Mismatch(format!("de naam {n:?} past niet bij de inhoud: het is een {}-afbeelding", actual.label())));
        }
    }
    Ok(())
}

fn is_generic_type(t: &str) -> bool {
    let t = t.trim().to_ascii_lowercase();
    t.is_empty() || t.starts_with("application/octet-stream")
}

/// Markup or code that has no business in an image: a file that is also a web page or a
/// script (a polyglot) is refused even though it decodes.
fn check_hidden_content(bytes: &[u8]) -> Result<(), MediaError> {
    const MARKERS: [&[u8]; 7] = [b"<script", b"<!doctype html", b"<html", b"<?php", b"<iframe", b"<svg", b"javascript:"];
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'<' && b | 0x20 != b'j' {
            continue;
        }
        let rest = &bytes[i..];
        if let Some(m) = MARKERS.iter().find(|m| rest.len() >= m.len() && rest[..m.len()].eq_ignore_ascii_case(m)) {
            let found = String::from_utf8_lossy(m);
            return Err(MediaError::Polyglot(format!("het bestand bevat ook {found:?}: een afbeelding met verborgen HTML of code wordt niet geaccepteerd")));
        }
    }
    Ok(())
}

/// A file must end where its format says it ends: a missing end means it was cut off, bytes
/// after the end are something else riding along.
fn check_complete(format: Format, bytes: &[u8]) -> Result<(), MediaError> {
    let truncated = || MediaError::Corrupt("het bestand is onvolledig (afgebroken tijdens het uploaden of opslaan)".into());
    let trailing = || MediaError::Polyglot("na het einde van de afbeelding staat nog andere inhoud".into());
    match format {
        Format::Jpeg => {
            // Some cameras pad with zero bytes after the end marker.
            let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            if bytes[..end].ends_with(&[0xFF, 0xD9]) {
                Ok(())
            } else if bytes.windows(2).any(|w| w == [0xFF, 0xD9]) && end > 0 && bytes.len() > 4 && !ends_inside_scan(&bytes[..end]) {
                Err(trailing())
            } else {
                Err(truncated())
            }
        }
        Format::Png => {
            const IEND: [u8; 8] = [b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];
            match bytes.windows(8).rposition(|w| w == IEND) {
                Some(p) if p + 8 == bytes.len() => Ok(()),
                Some(_) => Err(trailing()),
                None => Err(truncated()),
            }
        }
        Format::Webp => {
            let declared = bytes.get(4..8).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize + 8).ok_or_else(truncated)?;
            let padded = declared + declared % 2;
            if bytes.len() < declared {
                Err(truncated())
            } else if bytes.len() > padded {
                Err(trailing())
            } else {
                Ok(())
            }
        }
        Format::Gif => {
            if bytes.last() == Some(&0x3B) { Ok(()) } else { Err(truncated()) }
        }
    }
}

/// Whether a JPEG stops in the middle of its compressed data (cut off) rather than having
/// something after its end marker: the last end marker is then followed only by scan data.
fn ends_inside_scan(bytes: &[u8]) -> bool {
    let last_eoi = bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]);
    let last_sos = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match (last_eoi, last_sos) {
        (Some(eoi), Some(sos)) => sos > eoi,
        _ => true,
    }
}

fn decode_limited(format: Format, bytes: &[u8], limits: &Limits) -> Result<DynamicImage, MediaError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(e, limits))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt("de afbeelding heeft geen breedte of hoogte".into()));
    }
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(MediaError::TooManyPixels { width, height, max_side: limits.max_side, max_pixels: limits.max_pixels });
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(e, limits))?;
    image.apply_orientation(orientation);
    // One pixel layout from here on: 8-bit RGB, or RGBA when there is an alpha channel.
    Ok(if image.color().has_alpha() { DynamicImage::ImageRgba8(image.into_rgba8()) } else { DynamicImage::ImageRgb8(image.into_rgb8()) })
}

fn decode_error(e: image::ImageError, limits: &Limits) -> MediaError {
    match e {
        image::ImageError::Limits(_) => MediaError::TooManyPixels { width: 0, height: 0, max_side: limits.max_side, max_pixels: limits.max_pixels },
        image::ImageError::Unsupported(u) => MediaError::Unsupported(format!("deze variant van het formaat wordt niet ondersteund ({u})")),
        other => MediaError::Corrupt(format!("de afbeelding is beschadigd ({other})")),
    }
}

fn has_transparency(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageRgba8(buf) => buf.pixels().any(|p| p.0[3] < 255),
        _ => image.color().has_alpha(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    fn named(name: &str) -> Declared<'_> {
        Declared { content_type: None, filename: Some(name) }
    }

    #[test]
    fn accepts_a_plain_photo() {
        let clean = decode(&jpeg(64, 48), named("foto.JPG"), &Limits::default()).unwrap();
        assert_eq!((clean.image.width(), clean.image.height()), (64, 48));
        assert!(!clean.transparent);
    }

    #[test]
    fn refuses_what_is_not_what_it_says() {
        let bytes = jpeg(8, 8);
        assert!(matches!(decode(&bytes, named("foto.png"), &Limits::default()), Err(MediaError::Mismatch(_))));
        let typed = Declared { content_type: Some("image/gif"), filename: None };
        assert!(matches!(decode(&bytes, typed, &Limits::default()), Err(MediaError::Mismatch(_))));
        assert!(matches!(decode(&bytes, Declared::default(), &Limits::default()), Err(MediaError::Mismatch(_))));
        assert!(matches!(decode(b"<svg xmlns='http://www.w3.org/2000/svg'/>", named("x.svg"), &Limits::default()), Err(MediaError::Unsupported(_))));
        assert!(matches!(decode(b"GIF", named("x.txt"), &Limits::default()), Err(MediaError::Unsupported(_))));
    }

    #[test]
    fn refuses_cut_off_and_padded_files() {
        let bytes = jpeg(32, 32);
        assert!(matches!(decode(&bytes[..bytes.len() / 2], named("a.jpg"), &Limits::default()), Err(MediaError::Corrupt(_))));
        let mut extra = bytes.clone();
        extra.extend_from_slice(b"PK\x03\x04 hidden archive");
        assert!(matches!(decode(&extra, named("a.jpg"), &Limits::default()), Err(MediaError::Polyglot(_))));
        let mut html = bytes;
        html.splice(4..4, b"<script>alert(1)</script>".iter().copied());
        assert!(matches!(decode(&html, named("a.jpg"), &Limits::default()), Err(MediaError::Polyglot(_))));
    }

    #[test]
    fn limits_hold_before_decoding() {
        let limits = Limits { max_side: 100, ..Limits::default() };
        assert!(matches!(decode(&jpeg(101, 10), named("a.jpg"), &limits), Err(MediaError::TooManyPixels { .. })));
        let small = Limits { max_bytes: 10, ..Limits::default() };
        assert!(matches!(decode(&jpeg(8, 8), named("a.jpg"), &small), Err(MediaError::TooLarge { .. })));
    }
}
