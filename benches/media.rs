//! `cargo bench --bench media [-- --photos N]`: responsive variants per second for 12-24 MP
//! photos, Meent's pipeline (decode once, resize with fast_image_resize, encode WebP and JPEG)
//! side by side with libvips (`vips thumbnail`, one call per variant, as a site would script
//! it) making the same sizes at the same qualities, in the same run. Pin it to one core for a
//! fair comparison: `taskset -c 1 cargo bench --bench media` (vips then runs on that core too,
//! and `VIPS_CONCURRENCY=1` is set for it).
//!
//! The photos are made by the benchmark (smooth colour fields with fine grain, JPEG quality
//! 92, like a camera's), so anyone can rerun it without a photo collection.

mod common;
use common::arg;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use meent::media::variants::{self, Encoding};

/// 12, 16, 20 and 24 megapixels, as phones and cameras make them.
const SIZES: [(u32, u32); 4] = [(4000, 3000), (4608, 3456), (5184, 3888), (6000, 4000)];


fn photo(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (fx, fy) = (60.0 + rng.f32() * 80.0, 90.0 + rng.f32() * 150.0);
    let img = RgbImage::from_fn(width, height, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let base = (x / fx).sin() * 50.0 + (y / fy).cos() * 40.0 + ((x + y) / 37.0).sin() * 12.0;
        let mut grain = || (rng.f32() - 0.5) * 18.0;
        let channel = |offset: f32, g: f32| (128.0 + base + offset + g).clamp(0.0, 255.0) as u8;
        image::Rgb([channel(20.0, grain()), channel(0.0, grain()), channel(-25.0 + y / height as f32 * 40.0, grain())])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).write_image(img.as_raw(), width, height, ExtendedColorType::Rgb8).expect("encode");
    out
}

/// The benchmark photos, made once and kept under `target/`.
fn photos(count: usize) -> Vec<(PathBuf, u32, u32)> {
    let dir = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into())).join("bench-photos");
    std::fs::create_dir_all(&dir).expect("photo dir");
    (0..count)
        .map(|i| {
            let (w, h) = SIZES[i % SIZES.len()];
            let path = dir.join(format!("photo-{i}-{w}x{h}.jpg"));
            if !path.exists() {
                std::fs::write(&path, photo(w, h, i as u64)).expect("write photo");
            }
            (path, w, h)
        })
        .collect()
}

/// Meent: decode the photo once, then every width in WebP and JPEG.
fn meent(photos: &[(PathBuf, u32, u32)]) -> (usize, Duration, Duration) {
    let mut made = 0;
    let mut decoding = Duration::ZERO;
    let started = Instant::now();
    for (path, _, _) in photos {
        let bytes = std::fs::read(path).expect("read");
        let t = Instant::now();
        let image = variants::decode_master(&bytes).expect("decode");
        decoding += t.elapsed();
        let files = variants::make_all(&image, Encoding::Jpeg, "bench").expect("variants");
        made += files.len();
    }
    (made, started.elapsed(), decoding)
}

/// libvips: one `vips thumbnail` per variant, at the same widths and qualities.
fn vips(photos: &[(PathBuf, u32, u32)], out: &Path) -> Option<(usize, Duration)> {
    let mut made = 0;
    let started = Instant::now();
    for (path, width, _) in photos {
        for w in variants::widths_for(*width) {
            for (ext, q) in [("webp", 80), ("jpg", 82)] {
                let target = out.join(format!("v-{w}.{ext}[Q={q},strip]"));
                let status = Command::new("vips")
                    .env("VIPS_CONCURRENCY", "1")
                    .arg("thumbnail")
                    .arg(path)
                    .arg(&target)
                    .arg(w.to_string())
                    .args(["--height", "100000"])
                    .status()
                    .ok()?;
                if !status.success() {
                    return None;
                }
                made += 1;
            }
        }
    }
    Some((made, started.elapsed()))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let count: usize = arg("--photos").and_then(|n| n.parse().ok()).unwrap_or(8);
    let photos = photos(count);
    let megapixels: f64 = photos.iter().map(|(_, w, h)| f64::from(*w) * f64::from(*h) / 1e6).sum();
    println!("{} photos, {:.0} megapixels in all (12-24 MP each)", photos.len(), megapixels);

    let (made, elapsed, decoding) = meent(&photos);
    let ours = made as f64 / elapsed.as_secs_f64();
    println!(
        "meent (fast_image_resize + libwebp + image's JPEG): {made} variants in {:.2} s = {ours:.1} variants/s ({:.2} s of it decoding)",
        elapsed.as_secs_f64(),
        decoding.as_secs_f64()
    );

    let out = tempfile::tempdir().expect("temp dir");
    match vips(&photos, out.path()) {
        Some((made, elapsed)) => {
            let theirs = made as f64 / elapsed.as_secs_f64();
            println!("vips thumbnail (libvips, one call per variant): {made} variants in {:.2} s = {theirs:.1} variants/s", elapsed.as_secs_f64());
            println!("ratio meent / vips: {:.2} (target >= 0.5)", ours / theirs);
        }
        None => println!("vips not found (apt-get install libvips-tools): no reference measured"),
    }

    // What the resizer choice is worth: one 12 MP photo to 1280 px with the image crate's own
    // Lanczos3 and with fast_image_resize.
    let image = variants::decode_master(&std::fs::read(&photos[0].0).expect("read")).expect("decode");
    let t = Instant::now();
    let _ = image.resize(1280, 960, image::imageops::FilterType::Lanczos3);
    let slow = t.elapsed();
    let t = Instant::now();
    let _ = variants::resize(&mut fast_image_resize::Resizer::new(), &image, 1280).expect("resize");
    let fast = t.elapsed();
    println!("resize 12 MP to 1280 px: image::resize {:.0} ms, fast_image_resize {:.0} ms ({:.1}x)", ms(slow), ms(fast), slow.as_secs_f64() / fast.as_secs_f64());
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
