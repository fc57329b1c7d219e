//! Media files for residents. `/media/<key>` is the stable address texts use (it answers with
//! the current file and must be revalidated); `/media/<key>/<hash>[-<width>].<ext>` are the
//! hashed files and variants pages point at, cached for a year. A site serves only media its
//! residents may see: its own, its groups' and the national team's.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::error::AppError;
use super::site::resolve;
use crate::db::models::media::{self, Media};
use crate::edit::visible_on;
use crate::media::picture::file_url;
use crate::media::variants::Encoding;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // A scope: other paths pass it by a prefix comparison, without trying its patterns.
    // (`media` is a reserved path, so no local page lives under it.)
    cfg.service(
        web::scope("/media")
            .service(web::resource("/{key}").route(web::get().to(stable)).route(web::head().to(stable)))
            .service(web::resource("/{key}/{file}").route(web::get().to(hashed)).route(web::head().to(hashed))),
    );
}

/// A file name of a hashed URL: hash, width (none for the master) and encoding.
fn parse_file(file: &str) -> Option<(&str, Option<u32>, Encoding)> {
    let (stem, ext) = file.rsplit_once('.')?;
    let encoding = Encoding::from_ext(ext)?;
    let (hash, width) = match stem.split_once('-') {
        Some((hash, width)) => (hash, Some(width.parse().ok()?)),
        None => (stem, None),
    };
    (hash.len() == 32 && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())).then_some((hash, width, encoding))
}

/// The media item behind a key, if this site may show it.
async fn visible(req: &HttpRequest, state: &web::Data<AppState>, key: String) -> Result<Media, AppError> {
    let resident = resolve(req)?;
    if !crate::content::slug::is_slug(&key) {
        return Err(AppError::NotFound);
    }
    let st = state.clone();
    let found = web::block(move || -> Result<_, AppError> {
        let mut conn = st.pool.get()?;
        Ok(media::by_key(&mut conn, &key)?)
    })
    .await??;
    found.filter(|m| visible_on(m, &resident.site)).ok_or(AppError::NotFound)
}

async fn stable(req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let m = visible(&req, &state, path.into_inner()).await?;
    let encoding = Encoding::from_format(&m.format);
    let etag = format!("\"{}\"", m.hash);
    if req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    send(&state, &m, None, encoding, "no-cache", Some(etag)).await
}

async fn hashed(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    let (key, file) = path.into_inner();
    let (hash, width, encoding) = parse_file(&file).ok_or(AppError::NotFound)?;
    let (hash, width) = (hash.to_owned(), width);
    let m = visible(&req, &state, key).await?;
    if hash != m.hash {
        // A page built before the file was replaced: send it to the same size of the new file.
        let master = Encoding::from_format(&m.format);
        let target = if encoding == Encoding::Webp || encoding == master { encoding } else { master };
        let width = width.filter(|w| crate::media::variants::widths_for(u32::try_from(m.width).unwrap_or(0)).contains(w));
        return Ok(HttpResponse::Found().insert_header((header::LOCATION, file_url(&m, width, target))).insert_header((header::CACHE_CONTROL, "no-cache")).finish());
    }
    send(&state, &m, width, encoding, "public, max-age=31536000, immutable", None).await
}

/// Sends a file: an original in pieces as the store gives them (it can be tens of megabytes,
/// and many may be asked for at once), a variant (small, perhaps made now) whole.
async fn send(state: &web::Data<AppState>, m: &Media, width: Option<u32>, encoding: Encoding, cache: &'static str, etag: Option<String>) -> Result<HttpResponse, AppError> {
    let master = Encoding::from_format(&m.format);
    if width.is_some() || encoding != master {
        let bytes = load(state, m, width, encoding).await?;
        return Ok(file_response(bytes, encoding, cache, etag));
    }
    let (files, hash) = (state.media.clone(), m.hash.clone());
    let opened = web::block(move || files.open_master(&hash, master)).await??.ok_or(AppError::NotFound)?;
    let pieces = futures_util::stream::unfold(Some(opened.reader), |reader| async move {
        let mut reader = reader?;
        let read = web::block(move || {
            let mut piece = vec![0; PIECE];
            let n = std::io::Read::read(&mut reader, &mut piece)?;
            piece.truncate(n);
            Ok::<_, std::io::Error>((reader, piece))
        })
        .await;
        match read {
            Ok(Ok((_, piece))) if piece.is_empty() => None,
            Ok(Ok((reader, piece))) => Some((Ok(web::Bytes::from(piece)), Some(reader))),
            Ok(Err(e)) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
            Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
        }
    });
    let body = actix_web::body::SizedStream::new(opened.len, Box::pin(pieces));
    Ok(file_response(Vec::new(), encoding, cache, etag).set_body(actix_web::body::BoxBody::new(body)))
}

/// How much of an original is read and sent at a time.
const PIECE: usize = 256 * 1024;

/// A file's bytes; a missing variant is made now.
async fn load(state: &web::Data<AppState>, m: &Media, width: Option<u32>, encoding: Encoding) -> Result<Vec<u8>, AppError> {
    let files = state.media.clone();
    let (hash, master, master_width) = (m.hash.clone(), Encoding::from_format(&m.format), u32::try_from(m.width).unwrap_or(0));
    web::block(move || files.file(&hash, width, encoding, master, master_width)).await??.ok_or(AppError::NotFound)
}

/// An image response.
fn file_response(bytes: Vec<u8>, encoding: Encoding, cache: &'static str, etag: Option<String>) -> HttpResponse {
    let mut builder = HttpResponse::Ok();
    builder
        .content_type(encoding.mime())
        .insert_header((header::CACHE_CONTROL, cache))
        // Already compressed: the compression middleware leaves it alone.
        .insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("identity")))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"));
    if let Some(etag) = etag {
        builder.insert_header((header::ETAG, etag));
    }
    builder.body(bytes)
}
