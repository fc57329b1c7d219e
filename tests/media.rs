//! Media from outside: uploads through the admin API are cleaned (orientation applied, EXIF
//! gone), shown as responsive pictures, served with long cache lifetimes; bad files get a
//! clear 4xx and store nothing; media follow scopes; what is used cannot be deleted; a
//! replacement shows everywhere.

mod common;

use std::collections::HashMap;
use std::io::Cursor;
use std::time::Duration;

use common::{Response, TestApp, fixture, jpeg, multipart};
use meent::auth::accounts;
use meent::auth::permissions::{Role, Scope};

const ALPHA: &str = "alpha.test";
const BETA: &str = "beta.test";
const GAMMA: &str = "gamma.test";

struct Tokens(HashMap<&'static str, String>);

async fn app_with(max_mb: Option<usize>) -> (TestApp, Tokens) {
    let app = TestApp::start_with(&fixture("country"), |c| {
        if let Some(mb) = max_mb {
            c.media_max_bytes = mb * 1024 * 1024;
        }
    })
    .await;
    let mut conn = app.state.pool.get().unwrap();
    let mut tokens = HashMap::new();
    for (name, scope) in [("central", "national"), ("regio", "group:regio"), ("alpha", "site:alpha"), ("beta", "site:beta"), ("gamma", "site:gamma")] {
        let token = accounts::create_user(&mut conn, &format!("{name}@example.org"), Role::Editor, &Scope::parse(scope).unwrap(), None, "test", meent::now()).unwrap();
        tokens.insert(name, token);
    }
    (app, Tokens(tokens))
}

async fn app() -> (TestApp, Tokens) {
    app_with(None).await
}

impl Tokens {
    fn auth(&self, who: &str) -> String {
        format!("Bearer {}", self.0[who])
    }
}

async fn upload(app: &TestApp, t: &Tokens, who: &str, scope_path: &str, file: (&str, &str, &[u8]), fields: &[(&str, &str)]) -> Response {
    let (content_type, body) = multipart(fields, Some(file));
    let auth = t.auth(who);
    app.send("POST", ALPHA, &format!("/api/v1/admin/{scope_path}"), &[("Authorization", &auth), ("Content-Type", &content_type)], Some(body)).await
}

async fn json_call(app: &TestApp, t: &Tokens, who: &str, method: &str, path: &str, body: Option<serde_json::Value>) -> Response {
    let auth = t.auth(who);
    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    app.send(method, ALPHA, path, &headers, body.map(|b| b.to_string().into_bytes())).await
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgba8(image::RgbaImage::from_fn(width, height, |x, _| image::Rgba([10, 120, (x % 256) as u8, 128])));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

const SECRET: &[u8] = b"GPS 52.3081N 4.9631E MEENT-SECRET";

/// A JPEG as a phone makes it: EXIF saying "rotate 90° clockwise", and GPS data.
fn phone_photo(width: u32, height: u32) -> Vec<u8> {
    let jpeg = jpeg(width, height);
    // TIFF header (little endian), one IFD entry: Orientation (0x0112), SHORT, 1, value 6.
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&6u16.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(SECRET);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A PNG whose header claims 60000×60000 pixels (a decompression bomb).
fn bomb() -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (u32::try_from(data.len()).unwrap()).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        c.extend_from_slice(&crc.sum().to_be_bytes());
        c
    }
    let mut ihdr = 60000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&60000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// The names of the files in the app's media storage (a directory or a bucket).
fn media_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    app.state.media.store.list().unwrap().into_iter().map(std::path::PathBuf::from).collect()
}

async fn wait_for_variants(app: &TestApp) {
    for _ in 0..600 {
        if app.state.media.pending() == 0 {
            return;
        }
        tokio_sleep(Duration::from_millis(50)).await;
    }
    panic!("variants were not made");
}

async fn tokio_sleep(d: Duration) {
    actix_web::rt::time::sleep(d).await;
}

/// The URLs in a `srcset`.
fn srcset_urls(html: &str, after: &str) -> Vec<String> {
    let start = html.find(after).map(|i| i + after.len()).expect("srcset");
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].split(", ").map(|s| s.split(' ').next().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn uploads_are_cleaned_and_shown_as_responsive_pictures() {
    let (app, t) = app().await;
    let photo = phone_photo(1400, 700);
    assert!(photo.windows(SECRET.len()).any(|w| w == SECRET));
    let res = upload(&app, &t, "alpha", "sites/alpha/media", ("IMG_0042.JPG", "image/jpeg", &photo), &[("alt", "Het nieuwe gemeentehuis aan het plein")]).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let doc = res.json();
    let key = doc["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("img-0042-"), "{key}");
    assert_eq!((doc["width"].as_i64(), doc["height"].as_i64()), (Some(700), Some(1400)), "turned upright");
    assert_eq!(doc["scope"], "site:alpha");

    // The stored file: upright, and without EXIF or GPS.
    let file = app.get(ALPHA, &format!("/media/{key}")).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("image/jpeg"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert!(!file.raw.windows(SECRET.len()).any(|w| w == SECRET), "GPS data is gone");
    assert!(!file.raw.windows(4).any(|w| w == b"Exif"), "EXIF is gone");
    let decoded = image::load_from_memory(&file.raw).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (700, 1400));

    // Used in a page: a picture with WebP and JPEG sources, size and the library's alt text.
    let page = json_call(&app, &t, "alpha", "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({
        "path": "nieuw-gemeentehuis", "title": "Nieuw gemeentehuis", "body": format!("Kijk:\n\n![](/media/{key})\n")
    })))
    .await;
    assert_eq!(page.status, 201, "{}", page.body);
    let html = app.get(ALPHA, "/nieuw-gemeentehuis").await.body;
    assert!(html.contains("<picture><source type=\"image/webp\""), "{html}");
    assert!(html.contains("width=\"700\" height=\"1400\""));
    assert!(html.contains("alt=\"Het nieuwe gemeentehuis aan het plein\""));
    let webp = srcset_urls(&html, "type=\"image/webp\" srcset=\"");
    assert_eq!(webp.len(), 3, "320, 640 and the own width 700: {webp:?}");
    let jpegs = srcset_urls(&html, "<img src=\"");
    let variant = app.get(ALPHA, &webp[0]).await;
    assert_eq!(variant.status, 200);
    assert_eq!(variant.header("content-type"), Some("image/webp"));
    assert!(variant.header("cache-control").unwrap().contains("immutable"));
    let small = image::load_from_memory(&variant.raw).unwrap();
    assert_eq!((small.width(), small.height()), (320, 640));
    assert_eq!(app.get(ALPHA, &jpegs[0]).await.header("content-type"), Some("image/jpeg"));

    // The variants were made in the background, all of them.
    wait_for_variants(&app).await;
    let names: Vec<String> = media_files(&app).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for w in [320, 640, 700] {
        for ext in ["webp", "jpg"] {
            assert!(names.iter().any(|n| n.ends_with(&format!("-{w}.{ext}"))), "{w}.{ext} in {names:?}");
        }
    }
    assert!(app.get(ALPHA, &format!("/media/{key}/{}-1280.webp", doc["file_url"].as_str().unwrap().rsplit('/').next().unwrap().trim_end_matches(".jpg"))).await.status == 404, "no upscaled variants");
}

#[actix_web::test]
async fn transparent_images_stay_png() {
    let (app, t) = app().await;
    let res = upload(&app, &t, "alpha", "sites/alpha/media", ("logo.png", "image/png", &png(50, 40)), &[("decorative", "true")]).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.json()["format"], "png");
    assert_eq!(res.json()["alt"], "");
    let file = app.get(ALPHA, res.json()["url"].as_str().unwrap()).await;
    assert_eq!(file.header("content-type"), Some("image/png"));
}

#[actix_web::test]
async fn bad_uploads_get_a_clear_4xx_and_store_nothing() {
    let (app, t) = app_with(Some(1)).await;
    let good = jpeg(64, 64);
    let mut truncated = jpeg(300, 300);
    truncated.truncate(truncated.len() * 2 / 3);
    let mut polyglot = good.clone();
    polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let mut corrupt = good[..20].to_vec();
    corrupt.extend(std::iter::repeat_n(0x5Au8, 2000));
    corrupt.extend_from_slice(&[0xFF, 0xD9]);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>"#.to_vec();
    let huge: Vec<u8> = std::iter::repeat_n(0u8, 2 * 1024 * 1024).collect();
    let cases: Vec<(&str, (&str, &str, Vec<u8>), &[(&str, &str)], u16)> = vec![
        ("corrupt", ("kapot.jpg", "image/jpeg", corrupt), &[("alt", "x")], 422),
        ("truncated", ("half.jpg", "image/jpeg", truncated), &[("alt", "x")], 422),
        ("bomb", ("bom.png", "image/png", bomb()), &[("alt", "x")], 413),
        ("polyglot", ("dubbel.jpg", "image/jpeg", polyglot), &[("alt", "x")], 422),
        ("wrongly named", ("foto.png", "image/png", good.clone()), &[("alt", "x")], 422),
        ("svg", ("logo.svg", "image/svg+xml", svg), &[("alt", "x")], 415),
        ("not an image", ("tekst.jpg", "image/jpeg", b"Dit is geen afbeelding maar tekst.".to_vec()), &[("alt", "x")], 415),
        ("too large", ("groot.jpg", "image/jpeg", huge), &[("alt", "x")], 413),
        ("no alt text", ("foto.jpg", "image/jpeg", good.clone()), &[], 422),
        ("decorative neither true nor false", ("foto.jpg", "image/jpeg", good.clone()), &[("decorative", "misschien")], 422),
    ];
    for (what, (name, content_type, bytes), fields, status) in cases {
        let res = upload(&app, &t, "alpha", "sites/alpha/media", (name, content_type, &bytes), fields).await;
        assert_eq!(res.status, status, "{what}: {}", res.body);
        let message = res.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(!message.is_empty(), "{what}: a message says why: {}", res.body);
    }
    let list = json_call(&app, &t, "alpha", "GET", "/api/v1/admin/sites/alpha/media", None).await;
    assert_eq!(list.json().as_array().unwrap().len(), 0, "{}", list.body);
    assert!(media_files(&app).is_empty(), "nothing stored: {:?}", media_files(&app));
    // Not multipart at all.
    let auth = t.auth("alpha");
    let raw = app.send("POST", ALPHA, "/api/v1/admin/sites/alpha/media", &[("Authorization", &auth), ("Content-Type", "image/jpeg")], Some(good)).await;
    assert_eq!(raw.status, 400, "{}", raw.body);
}

#[actix_web::test]
async fn media_follow_scopes() {
    let (app, t) = app().await;
    let own = upload(&app, &t, "alpha", "sites/alpha/media", ("alpha.jpg", "image/jpeg", &jpeg(80, 60)), &[("alt", "Alleen Alpha")]).await.json();
    let shared = upload(&app, &t, "regio", "groups/regio/media", ("regio.jpg", "image/jpeg", &jpeg(81, 60)), &[("alt", "De regio")]).await.json();
    let national = upload(&app, &t, "central", "media", ("land.jpg", "image/jpeg", &jpeg(82, 60)), &[("alt", "Het land")]).await.json();
    let [own, shared, national] = [&own, &shared, &national].map(|d| d["key"].as_str().expect("uploaded").to_owned());

    // Another site's editor: no access to the library, nothing of it in their own.
    assert_eq!(json_call(&app, &t, "beta", "GET", "/api/v1/admin/sites/alpha/media", None).await.status, 403);
    assert_eq!(json_call(&app, &t, "beta", "GET", &format!("/api/v1/admin/sites/beta/media/{own}"), None).await.status, 404);
    let beta: Vec<String> = json_call(&app, &t, "beta", "GET", "/api/v1/admin/sites/beta/media", None).await.json().as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap().to_owned()).collect();
    assert!(!beta.contains(&own) && beta.contains(&shared) && beta.contains(&national), "{beta:?}");
    let gamma: Vec<String> = json_call(&app, &t, "gamma", "GET", "/api/v1/admin/sites/gamma/media", None).await.json().as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap().to_owned()).collect();
    assert_eq!(gamma, vec![national.clone()], "gamma is not in the group");
    // Shared media can be used, not changed, from below.
    let change = json_call(&app, &t, "alpha", "PUT", &format!("/api/v1/admin/sites/alpha/media/{shared}"), Some(serde_json::json!({ "alt": "Anders" }))).await;
    assert_eq!(change.status, 403);
    // Uploading outside one's scope: refused before the body is read; nothing stored. (The
    // variants of the uploads above are made in the background first, so the count holds.)
    wait_for_variants(&app).await;
    let files = media_files(&app).len();
    assert_eq!(upload(&app, &t, "alpha", "media", ("x.jpg", "image/jpeg", &jpeg(83, 60)), &[("alt", "x")]).await.status, 403);
    assert_eq!(upload(&app, &t, "beta", "sites/alpha/media", ("x.jpg", "image/jpeg", &jpeg(84, 60)), &[("alt", "x")]).await.status, 403);
    assert_eq!(media_files(&app).len(), files);
    // Residents: a site serves only what it may show.
    assert_eq!(app.get(ALPHA, &format!("/media/{own}")).await.status, 200);
    assert_eq!(app.get(BETA, &format!("/media/{own}")).await.status, 404);
    assert_eq!(app.get(BETA, &format!("/media/{shared}")).await.status, 200);
    assert_eq!(app.get(GAMMA, &format!("/media/{shared}")).await.status, 404);
    assert_eq!(app.get(GAMMA, &format!("/media/{national}")).await.status, 200);
    // Without a token: 401.
    assert_eq!(app.request("GET", ALPHA, "/api/v1/admin/sites/alpha/media", &[]).await.status, 401);
}

#[actix_web::test]
async fn used_media_stay_and_a_replacement_shows_everywhere() {
    let (app, t) = app().await;
    let doc = upload(&app, &t, "regio", "groups/regio/media", ("plein.jpg", "image/jpeg", &jpeg(400, 300)), &[("alt", "Het plein")]).await.json();
    let key = doc["key"].as_str().unwrap().to_owned();
    let old_hash = doc["file_url"].as_str().unwrap().rsplit('/').next().unwrap().trim_end_matches(".jpg").to_owned();
    let news = json_call(&app, &t, "regio", "POST", "/api/v1/admin/groups/regio/news", Some(serde_json::json!({
        "slug": "plein-open", "date": "2026-11-20", "title": "Het plein is open", "body": format!("![Het vernieuwde plein](/media/{key})")
    })))
    .await;
    assert_eq!(news.status, 201, "{}", news.body);
    let news_id = news.json()["id"].as_i64().unwrap();
    for host in [ALPHA, BETA] {
        let html = app.get(host, "/nieuws/plein-open").await.body;
        assert!(html.contains(&format!("/media/{key}/{old_hash}-320.webp")), "{host}: {html}");
        assert!(html.contains("alt=\"Het vernieuwde plein\""), "the text's own alt text wins");
    }

    // Used: deleting is refused, with where it is used.
    let refused = json_call(&app, &t, "regio", "DELETE", &format!("/api/v1/admin/groups/regio/media/{key}"), None).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains(&format!("news {news_id}")), "{}", refused.body);
    let item = json_call(&app, &t, "regio", "GET", &format!("/api/v1/admin/groups/regio/media/{key}"), None).await.json();
    assert_eq!(item["uses"][0]["kind"], "news");
    assert_eq!(item["use_count"], 1);

    // Replaced: the key stays, every page shows the new file, old file URLs lead to it.
    let (content_type, body) = multipart(&[], Some(("plein-2027.jpg", "image/jpeg", &jpeg(600, 300))));
    let auth = t.auth("regio");
    let stale = app.send("PUT", ALPHA, &format!("/api/v1/admin/groups/regio/media/{key}/file"), &[("Authorization", &auth), ("Content-Type", &content_type), ("If-Match", "\"99\"")], Some(body.clone())).await;
    assert_eq!(stale.status, 412, "{}", stale.body);
    let unconditional = app.send("PUT", ALPHA, &format!("/api/v1/admin/groups/regio/media/{key}/file"), &[("Authorization", &auth), ("Content-Type", &content_type)], Some(body.clone())).await;
    assert_eq!(unconditional.status, 428, "replacing needs the revision it is based on: {}", unconditional.body);
    let current = format!("\"{}\"", item["revision"]);
    let replaced = app.send("PUT", ALPHA, &format!("/api/v1/admin/groups/regio/media/{key}/file"), &[("Authorization", &auth), ("Content-Type", &content_type), ("If-Match", &current)], Some(body)).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let new_hash = replaced.json()["file_url"].as_str().unwrap().rsplit('/').next().unwrap().trim_end_matches(".jpg").to_owned();
    assert_ne!(new_hash, old_hash);
    assert_eq!(replaced.json()["width"], 600);
    for host in [ALPHA, BETA] {
        let html = app.get(host, "/nieuws/plein-open").await.body;
        assert!(html.contains(&format!("/media/{key}/{new_hash}-320.webp")) && !html.contains(&old_hash), "{host}: {html}");
        assert!(html.contains("width=\"600\" height=\"300\""));
    }
    let old = app.get(ALPHA, &format!("/media/{key}/{old_hash}-320.webp")).await;
    assert_eq!(old.status, 302);
    assert_eq!(old.header("location"), Some(format!("/media/{key}/{new_hash}-320.webp").as_str()));

    // Alt text changes are versioned like everything else.
    let alt = json_call(&app, &t, "regio", "PUT", &format!("/api/v1/admin/groups/regio/media/{key}"), Some(serde_json::json!({ "alt": "Het plein in 2027", "revision": 1 }))).await;
    assert_eq!(alt.status, 412, "based on an old revision: {}", alt.body);
    let alt = json_call(&app, &t, "regio", "PUT", &format!("/api/v1/admin/groups/regio/media/{key}"), Some(serde_json::json!({ "alt": "Het plein in 2027" }))).await;
    assert_eq!(alt.status, 428, "an update without its base revision: {}", alt.body);
    let alt = json_call(&app, &t, "regio", "PUT", &format!("/api/v1/admin/groups/regio/media/{key}"), Some(serde_json::json!({ "alt": "Het plein in 2027", "revision": 2 }))).await;
    assert_eq!(alt.status, 200, "{}", alt.body);
    assert_eq!(alt.json()["revision"], 3);

    // Once nothing uses it, it can go, with its files.
    assert_eq!(json_call(&app, &t, "regio", "DELETE", &format!("/api/v1/admin/groups/regio/news/{news_id}"), None).await.status, 204);
    wait_for_variants(&app).await;
    let deleted = json_call(&app, &t, "regio", "DELETE", &format!("/api/v1/admin/groups/regio/media/{key}"), None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(app.get(ALPHA, &format!("/media/{key}")).await.status, 404);
    // Its files go after a grace period (and the replaced file's too), not at once.
    let with = |hash: &str| media_files(&app).into_iter().filter(|p| p.to_string_lossy().contains(hash)).count();
    assert!(with(&new_hash) > 0 && with(&old_hash) > 0, "nothing removed yet");
    let mut conn = app.state.pool.get().unwrap();
    assert_eq!(meent::media::remove_due(&mut conn, &app.state.media, meent::now()).unwrap(), 0);
    let later = meent::now() + meent::media::REMOVAL_GRACE + 1;
    assert_eq!(meent::media::remove_due(&mut conn, &app.state.media, later).unwrap(), 2);
    assert_eq!((with(&new_hash), with(&old_hash)), (0, 0), "{:?}", media_files(&app));
}

#[actix_web::test]
async fn a_delete_racing_an_upload_of_the_same_file_removes_nothing_in_use() {
    let (app, t) = app().await;
    let photo = jpeg(300, 200);
    let first = upload(&app, &t, "alpha", "sites/alpha/media", ("plein.jpg", "image/jpeg", &photo), &[("alt", "Het plein")]).await.json();
    let key = first["key"].as_str().unwrap().to_owned();
    assert_eq!(json_call(&app, &t, "alpha", "DELETE", &format!("/api/v1/admin/sites/alpha/media/{key}"), None).await.status, 204);
    // The same file again, before the deleted one's file is due: it is stored under the same
    // name and must survive the removal.
    let second = upload(&app, &t, "alpha", "sites/alpha/media", ("plein-opnieuw.jpg", "image/jpeg", &photo), &[("alt", "Het plein weer")]).await.json();
    let key = second["key"].as_str().unwrap().to_owned();
    let later = meent::now() + meent::media::REMOVAL_GRACE + 1;
    let mut conn = app.state.pool.get().unwrap();
    assert_eq!(meent::media::remove_due(&mut conn, &app.state.media, later).unwrap(), 0);
    let file = second["file_url"].as_str().unwrap().to_owned();
    assert_eq!(app.get(ALPHA, &file).await.status, 200, "{key}: its file is there");
}

#[actix_web::test]
async fn news_items_show_their_image() {
    let (app, t) = app().await;
    let doc = upload(&app, &t, "alpha", "sites/alpha/media", ("markt.jpg", "image/jpeg", &jpeg(1000, 500)), &[("alt", "Kramen op de markt")]).await.json();
    let image = doc["url"].as_str().unwrap().to_owned();
    let bad = json_call(&app, &t, "alpha", "POST", "/api/v1/admin/sites/alpha/news", Some(serde_json::json!({
        "slug": "markt", "date": "2026-11-21", "title": "Markt", "image": "https://elders.example/foto.jpg"
    })))
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let created = json_call(&app, &t, "alpha", "POST", "/api/v1/admin/sites/alpha/news", Some(serde_json::json!({
        "slug": "markt", "date": "2026-11-21", "title": "De markt is terug", "image": image, "body": "Elke zaterdag."
    })))
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["image"], image.as_str());
    let html = app.get(ALPHA, "/nieuws/markt").await.body;
    assert!(html.contains("<picture>") && html.contains("alt=\"Kramen op de markt\""), "{html}");
    assert!(html.contains(&format!("<meta property=\"og:image\" content=\"http://alpha.test{image}\">")), "{html}");
    let item = json_call(&app, &t, "alpha", "GET", &format!("/api/v1/admin/sites/alpha/media/{}", doc["key"].as_str().unwrap()), None).await.json();
    assert_eq!(item["use_count"], 1, "the news image counts as a use");
}

/// Every file under a directory with its bytes, by relative path.
fn tree_files(root: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(root).unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[actix_web::test]
async fn images_survive_export_and_import() {
    use meent::content::export::export_dir;
    use meent::content::import::import_dir;
    use meent::media::{Limits, MediaFiles, store::DirStore};

    let (app, t) = app().await;
    let site = upload(&app, &t, "alpha", "sites/alpha/media", ("plein.jpg", "image/jpeg", &jpeg(900, 600)), &[("alt", "Het plein")]).await.json();
    upload(&app, &t, "regio", "groups/regio/media", ("logo.png", "image/png", &png(64, 64)), &[("decorative", "true")]).await;
    upload(&app, &t, "central", "media", ("paspoort.jpg", "image/jpeg", &jpeg(500, 700)), &[("alt", "Een paspoort")]).await;
    let key = site["key"].as_str().unwrap().to_owned();
    let page = json_call(&app, &t, "alpha", "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({
        "path": "plein", "title": "Het plein", "body": format!("![](/media/{key})")
    })))
    .await;
    assert_eq!(page.status, 201);

    let first = tempfile::tempdir().unwrap();
    export_dir(&mut app.state.pool.get().unwrap(), first.path(), Some(&app.state.media)).expect("export");
    let exported = tree_files(first.path());
    assert!(exported.contains_key("media.toml") && exported.contains_key("groups/regio/media.toml") && exported.contains_key("sites/alpha/media.toml"), "{:?}", exported.keys());
    assert!(exported.contains_key(&format!("sites/alpha/media/{key}.jpg")));
    let toml = String::from_utf8(exported["sites/alpha/media.toml"].clone()).unwrap();
    assert!(toml.contains("alt = \"Het plein\""), "{toml}");

    // Into another database with its own media storage, and out again: the same files.
    let db = common::TestDb::new();
    let storage = tempfile::tempdir().unwrap();
    let files = MediaFiles::new(std::sync::Arc::new(DirStore::new(storage.path())), Limits::default());
    let report = import_dir(&mut db.conn(), first.path(), None, meent::now(), Some(&files)).expect("import the export");
    assert_eq!(report.changed.get("media"), Some(&3), "{report}");
    let second = tempfile::tempdir().unwrap();
    export_dir(&mut db.conn(), second.path(), Some(&files)).expect("export again");
    // Every imported image is encoded again (nothing of the file but its pixels is kept), so
    // images come back as the same pictures, not the same bytes; everything else is identical.
    let again_files = tree_files(second.path());
    assert_eq!(again_files.keys().collect::<Vec<_>>(), exported.keys().collect::<Vec<_>>(), "export, import, export gives the same files");
    for (name, bytes) in &exported {
        if name.contains("/media/") || name.starts_with("media/") {
            let (a, b) = (image::load_from_memory(bytes).unwrap(), image::load_from_memory(&again_files[name]).unwrap());
            assert_eq!((a.width(), a.height()), (b.width(), b.height()), "{name}");
        } else {
            assert_eq!(&again_files[name], bytes, "{name}");
        }
    }
    // Importing again changes nothing.
    let again = import_dir(&mut db.conn(), first.path(), None, meent::now(), Some(&files)).expect("re-import");
    assert_eq!(again.changed.get("media"), None, "{again}");

    // A bad image in a content directory: a problem with file and line, nothing imported.
    std::fs::write(first.path().join("sites/alpha/media").join(format!("{key}.jpg")), b"<html>geen foto</html>").unwrap();
    let fresh = common::TestDb::new();
    let err = import_dir(&mut fresh.conn(), first.path(), None, meent::now(), Some(&files)).unwrap_err().to_string();
    assert!(err.contains("sites/alpha/media.toml:") && err.contains(&format!("media/{key}.jpg")), "{err}");
    // Images need media storage.
    let err = import_dir(&mut fresh.conn(), first.path(), None, meent::now(), None).unwrap_err().to_string();
    assert!(err.contains("media storage"), "{err}");
}

#[actix_web::test]
async fn the_same_file_uploaded_again_and_again_gets_a_key_each_time() {
    let (app, t) = app().await;
    let photo = jpeg(40, 30);
    let mut keys = std::collections::HashSet::new();
    for n in 0..20 {
        let alt = format!("Dezelfde foto, keer {n}");
        let res = upload(&app, &t, "alpha", "sites/alpha/media", ("foto.jpg", "image/jpeg", &photo), &[("alt", &alt)]).await;
        assert_eq!(res.status, 201, "upload {n}: {}", res.body);
        keys.insert(res.json()["key"].as_str().unwrap().to_owned());
    }
    assert_eq!(keys.len(), 20, "{keys:?}");
    // And the database is free for the next writer.
    let page = json_call(&app, &t, "alpha", "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({"path": "na-de-fotos", "title": "Na de foto's", "body": "Tekst."}))).await;
    assert_eq!(page.status, 201, "{}", page.body);
}

#[actix_web::test]
async fn media_is_a_reserved_path_with_the_sites_own_404() {
    let (app, t) = app().await;
    let page = json_call(&app, &t, "alpha", "POST", "/api/v1/admin/sites/alpha/pages", Some(serde_json::json!({"path": "media", "title": "Pers en media", "body": "Voor journalisten."}))).await;
    assert_eq!(page.status, 422, "{}", page.body);
    for path in ["/media", "/media/bestaat-niet", "/media/bestaat-niet/abc.jpg", "/media/a/b/c"] {
        let res = app.get(ALPHA, path).await;
        assert_eq!(res.status, 404, "{path}");
        assert!(res.header("content-type").is_some_and(|t| t.starts_with("text/html")), "{path}: the site's error page");
    }
}

#[actix_web::test]
async fn a_large_original_is_sent_in_pieces_as_stored() {
    let (app, t) = app().await;
    // A photo far larger than one piece (256 KiB) of what is sent at a time.
    let res = upload(&app, &t, "alpha", "sites/alpha/media", ("groot.jpg", "image/jpeg", &phone_photo(4000, 3000)), &[("alt", "Een grote foto")]).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let doc = res.json();
    let (key, file) = (doc["key"].as_str().unwrap().to_owned(), doc["file_url"].as_str().unwrap().to_owned());
    let name = file.rsplit('/').next().unwrap().to_owned();
    let stored = app.state.media.store.get(&name).unwrap().expect("the original is stored");
    assert!(stored.len() > 3 * 256 * 1024, "the original spans several pieces: {} bytes", stored.len());
    for path in [file.clone(), format!("/media/{key}")] {
        let got = app.get(ALPHA, &path).await;
        assert_eq!(got.status, 200, "{path}");
        assert_eq!(got.header("content-length"), Some(stored.len().to_string().as_str()), "{path}: its length up front");
        assert!(got.raw == stored, "{path}: every byte, in order");
    }
    let head = app.request("HEAD", ALPHA, &file, &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.raw.is_empty(), "HEAD sends no body");
}
