//! The files of a media item: the clean original ("master") and its responsive variants at
//! fixed widths, in WebP and in JPEG (PNG for transparent images). Variants are derived data:
//! made in the background after an upload, made again on demand when one is missing.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, IntoImageView, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ExtendedColorType, ImageEncoder};

use super::MediaError;

/// The widths of the variants; an image gets those narrower than itself, and its own width
/// when that is below the largest.
pub const WIDTHS: [u32; 5] = [320, 640, 960, 1280, 1920];

const JPEG_QUALITY: u8 = 82;
const MASTER_QUALITY: u8 = 90;
const WEBP_QUALITY: f32 = 80.0;

/// A stored encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Jpeg,
    Png,
    Webp,
}

impl Encoding {
    pub fn ext(self) -> &'static str {
        match self {
            Encoding::Jpeg => "jpg",
            Encoding::Png => "png",
            Encoding::Webp => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Encoding::Jpeg => "image/jpeg",
            Encoding::Png => "image/png",
            Encoding::Webp => "image/webp",
        }
    }

    pub fn from_ext(ext: &str) -> Option<Encoding> {
        match ext {
            "jpg" => Some(Encoding::Jpeg),
            "png" => Some(Encoding::Png),
            "webp" => Some(Encoding::Webp),
            _ => None,
        }
    }

    /// The stored format name of a master (`jpeg` or `png`).
    pub fn from_format(format: &str) -> Encoding {
        if format == "png" { Encoding::Png } else { Encoding::Jpeg }
    }

    pub fn format(self) -> &'static str {
        match self {
            Encoding::Png => "png",
            Encoding::Jpeg | Encoding::Webp => "jpeg",
        }
    }
}

/// The widths an image of this width gets.
pub fn widths_for(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < width).collect();
    let largest = WIDTHS[WIDTHS.len() - 1];
    if width <= largest && !widths.contains(&width) {
        widths.push(width);
    }
    widths
}

/// The height of a variant, keeping the aspect ratio.
pub fn height_for(width: u32, height: u32, target: u32) -> u32 {
    ((u64::from(height) * u64::from(target) + u64::from(width) / 2) / u64::from(width.max(1))).max(1) as u32
}

/// The file name of a master.
pub fn master_name(hash: &str, encoding: Encoding) -> String {
    format!("{hash}.{}", encoding.ext())
}

/// The file name of a variant.
pub fn variant_name(hash: &str, width: u32, encoding: Encoding) -> String {
    format!("{hash}-{width}.{}", encoding.ext())
}

/// Encodes the master of a clean image: JPEG, or PNG when it is transparent.
pub fn encode_master(image: &DynamicImage, transparent: bool) -> Result<(Vec<u8>, Encoding), MediaError> {
    if transparent {
        Ok((encode(image, Encoding::Png)?, Encoding::Png))
    } else {
        let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, MASTER_QUALITY)
            .write_image(rgb.as_bytes(), rgb.width(), rgb.height(), ExtendedColorType::Rgb8)
            .map_err(|e| MediaError::Encode(e.to_string()))?;
        Ok((out, Encoding::Jpeg))
    }
}

/// Decodes a master this module wrote (trusted, but still read with the default limits).
pub fn decode_master(bytes: &[u8]) -> Result<DynamicImage, MediaError> {
    let image = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::Encode(e.to_string()))?
        .decode()
        .map_err(|e| MediaError::Encode(e.to_string()))?;
    Ok(if image.color().has_alpha() { DynamicImage::ImageRgba8(image.into_rgba8()) } else { DynamicImage::ImageRgb8(image.into_rgb8()) })
}

/// Scales an image to `width` (Lanczos3, on SIMD where the CPU has it).
pub fn resize(resizer: &mut Resizer, image: &DynamicImage, width: u32) -> Result<DynamicImage, MediaError> {
    let height = height_for(image.width(), image.height(), width);
    if width == image.width() {
        return Ok(image.clone());
    }
    let pixel_type = image.pixel_type().ok_or_else(|| MediaError::Encode("unexpected pixel type".into()))?;
    let mut target = Image::new(width, height, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    resizer.resize(image, &mut target, &options).map_err(|e| MediaError::Encode(e.to_string()))?;
    let buffer = target.into_vec();
    let resized = if image.color().has_alpha() {
        image::RgbaImage::from_raw(width, height, buffer).map(DynamicImage::ImageRgba8)
    } else {
        image::RgbImage::from_raw(width, height, buffer).map(DynamicImage::ImageRgb8)
    };
    resized.ok_or_else(|| MediaError::Encode("resized buffer has the wrong size".into()))
}

/// Encodes an image (RGB8 or RGBA8) for the web.
pub fn encode(image: &DynamicImage, encoding: Encoding) -> Result<Vec<u8>, MediaError> {
    let (width, height) = (image.width(), image.height());
    let alpha = image.color().has_alpha();
    let err = |e: image::ImageError| MediaError::Encode(e.to_string());
    match encoding {
        Encoding::Webp => {
            let encoder = if alpha {
                webp::Encoder::from_rgba(image.as_bytes(), width, height)
            } else {
                webp::Encoder::from_rgb(image.as_bytes(), width, height)
            };
            Ok(encoder.encode(WEBP_QUALITY).to_vec())
        }
        Encoding::Jpeg => {
            let rgb;
            let source = if alpha {
                rgb = DynamicImage::ImageRgb8(image.to_rgb8());
                &rgb
            } else {
                image
            };
            let mut out = Vec::new();
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(source.as_bytes(), width, height, ExtendedColorType::Rgb8).map_err(err)?;
            Ok(out)
        }
        Encoding::Png => {
            let color = if alpha { ExtendedColorType::Rgba8 } else { ExtendedColorType::Rgb8 };
            let mut out = Vec::new();
            PngEncoder::new(&mut out).write_image(image.as_bytes(), width, height, color).map_err(err)?;
            Ok(out)
        }
    }
}

/// The encodings every width gets: WebP, and the master's own for browsers without WebP.
pub fn encodings(master: Encoding) -> [Encoding; 2] {
    [Encoding::Webp, master]
}

/// Makes every variant of a master: (file name, bytes).
pub fn make_all(master: &DynamicImage, encoding: Encoding, hash: &str) -> Result<Vec<(String, Vec<u8>)>, MediaError> {
    let mut resizer = Resizer::new();
    let mut files = Vec::new();
    for width in widths_for(master.width()) {
        let scaled = resize(&mut resizer, master, width)?;
        for e in encodings(encoding) {
            files.push((variant_name(hash, width, e), encode(&scaled, e)?));
        }
    }
    Ok(files)
}

/// Makes one variant.
pub fn make_one(master: &DynamicImage, width: u32, encoding: Encoding) -> Result<Vec<u8>, MediaError> {
    let scaled = resize(&mut Resizer::new(), master, width)?;
    encode(&scaled, encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_upscale() {
        assert_eq!(widths_for(4000), vec![320, 640, 960, 1280, 1920]);
        assert_eq!(widths_for(1000), vec![320, 640, 960, 1000]);
        assert_eq!(widths_for(640), vec![320, 640]);
        assert_eq!(widths_for(200), vec![200]);
        assert_eq!(height_for(4000, 3000, 320), 240);
        assert_eq!(height_for(3, 1000, 1), 333);
    }

    #[test]
    fn variants_have_the_right_size_and_format() {
        let master = DynamicImage::ImageRgb8(image::RgbImage::from_fn(1000, 500, |x, _| image::Rgb([(x % 256) as u8, 20, 200])));
        let files = make_all(&master, Encoding::Jpeg, "abc").unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"abc-320.webp") && names.contains(&"abc-1000.jpg"), "{names:?}");
        for (name, bytes) in &files {
            let decoded = image::load_from_memory(bytes).unwrap();
            let width: u32 = name.split(['-', '.']).nth(1).unwrap().parse().unwrap();
            assert_eq!((decoded.width(), decoded.height()), (width, height_for(1000, 500, width)), "{name}");
        }
    }
}
