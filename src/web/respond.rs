//! Building resident responses through the page cache, with ETags and conditional requests.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::error::AppError;
use super::site::Resident;
use crate::cache::{Entry, Representation, Tag};
use crate::content::visibility::Viewer;
use std::sync::Arc;

use crate::db::DbConnection;
use crate::db::models::media::{self, Media};
use crate::edit::visible_on;
use crate::media::picture::{self, Pictures};
use crate::render::markdown;

/// A response built from content.
pub struct Built {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: String,
    /// What the response was built from, for invalidation.
    pub tags: Vec<Tag>,
    /// When a publish window or alert boundary makes it stale by itself.
    pub next_change: Option<i64>,
}

pub const HTML: &str = "text/html; charset=utf-8";
pub const JSON: &str = "application/json";
pub const XML: &str = "application/xml; charset=utf-8";
pub const ATOM: &str = "application/atom+xml; charset=utf-8";
pub const TEXT: &str = "text/plain; charset=utf-8";

impl Built {
    /// With `compress`, compressed copies are made once, for the cache; otherwise compression
    /// is left to the middleware.
    fn into_entry(self, compress: bool) -> Entry {
        // The body was rendered into a buffer with room for any page; an entry may live long
        // in the cache, so it keeps only its bytes.
        Entry::new(self.status.as_u16(), self.content_type, crate::cache::exact(self.body.into_bytes()), compress, self.tags, self.next_change)
    }

    pub fn ok(content_type: &'static str, body: String, tags: Vec<Tag>, next_change: Option<i64>) -> Built {
        Built { status: StatusCode::OK, content_type, body, tags, next_change }
    }
}

/// What a build step gets: a connection and what residents may see now.
pub struct Ctx<'a> {
    pub conn: &'a mut DbConnection,
    pub viewer: Viewer,
    pub state: &'a AppState,
    pub resident: &'a Resident,
    /// The media keys the response's texts refer to (see `pictures`), so it is stale when one
    /// of them changes.
    pub media: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub fn new(conn: &'a mut DbConnection, viewer: Viewer, state: &'a AppState, resident: &'a Resident) -> Ctx<'a> {
        Ctx { conn, viewer, state, resident, media: Vec::new() }
    }

    /// The media items that `texts` (Markdown) and `images` (media addresses) show, as far as
    /// they are visible on the site: what the views make pictures of.
    pub fn pictures<'t>(&mut self, texts: impl IntoIterator<Item = &'t str>, images: impl IntoIterator<Item = &'t str>) -> Result<Pictures, AppError> {
        let mut keys: Vec<String> = texts.into_iter().flat_map(markdown::media_keys).collect();
        keys.extend(images.into_iter().filter_map(picture::media_key).map(str::to_owned));
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok(Pictures::none());
        }
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let shown: Vec<Media> = media::by_keys(self.conn, &refs)?.into_iter().filter(|m| visible_on(m, &self.resident.site)).collect();
        self.media.extend(keys);
        Ok(Pictures::new(shown))
    }
}

/// Serves the request from the cache, or builds, stores and serves it. The route reads no
/// query parameters, so they are not part of the key: `?x=1`, `?x=2` … are one entry.
pub async fn cached<F>(req: &HttpRequest, state: web::Data<AppState>, resident: Resident, build: F) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut Ctx) -> Result<Built, AppError> + Send + 'static,
{
    cached_reading(req, state, resident, &[], build).await
}

/// The page-cache key of a request: the site's base URL (whose port is only ever one the
/// server listens on, see `site::resolve`), the path as routed, and only the query parameters the route
/// reads, in the route's order. Other parameters, their order and repetitions never make
/// another entry.
pub fn cache_key(base_url: &str, req: &HttpRequest, reads: &[&str]) -> String {
    // The path as the router matched it: percent-encoded letters decoded, so `%70aspoort` and
    // `paspoort` are one entry.
    let mut key = format!("{base_url}{}", req.match_info().as_str());
    if reads.is_empty() || req.query_string().is_empty() {
        return key;
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let mut sep = '?';
    for name in reads {
        // The value the handler sees: `web::Query` into a map keeps the last one, and an empty
        // one counts as not given.
        if let Some((_, value)) = pairs.iter().rev().find(|(k, _)| k == name).filter(|(_, v)| !v.is_empty()) {
            let part: String = url::form_urlencoded::Serializer::new(String::new()).append_pair(name, value).finish();
            key.push(sep);
            key.push_str(&part);
            sep = '&';
        }
    }
    key
}

/// As `cached`, for a route that reads the query parameters `reads`.
pub async fn cached_reading<F>(req: &HttpRequest, state: web::Data<AppState>, resident: Resident, reads: &[&str], build: F) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut Ctx) -> Result<Built, AppError> + Send + 'static,
{
    let url = cache_key(&resident.base_url, req, reads);
    let now = crate::now();
    let site_id = resident.site.id;
    if let Some(entry) = state.cache.get(site_id, &url, now) {
        count_view(req, &state, site_id, &entry, now);
        return Ok(respond(req, &entry));
    }
    let epoch = state.cache.epoch();
    let compress = state.cache.enabled();
    let entry = Arc::new(build_now(state.clone(), resident, now, compress, build).await?);
    let response = respond(req, &entry);
    count_view(req, &state, site_id, &entry, now);
    if entry.status == StatusCode::OK.as_u16() {
        state.cache.insert(epoch, site_id, &url, entry);
    }
    Ok(response)
}

/// Counts a resident's view of an HTML page (`statistics`): the path without its query, the
/// device type from the `User-Agent`, the country of the address if a GeoIP database is set.
fn count_view(req: &HttpRequest, state: &AppState, site_id: i64, entry: &Entry, now: i64) {
    let Some(views) = &state.views else { return };
    if req.method() != actix_web::http::Method::GET || entry.status != StatusCode::OK.as_u16() || entry.content_type != HTML {
        return;
    }
    let agent = req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    views.count(site_id, req.path(), agent, || crate::web::site::client_address(req, state).parse().ok(), now);
}

/// Builds a response that is never stored (search results: every query is another URL).
pub async fn fresh<F>(req: &HttpRequest, state: web::Data<AppState>, resident: Resident, build: F) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut Ctx) -> Result<Built, AppError> + Send + 'static,
{
    Ok(respond(req, &build_now(state, resident, crate::now(), false, build).await?))
}

/// Builds the response on the blocking pool, compressed copies included when `compress`, so
/// neither the database nor the compressors hold up a worker.
async fn build_now<F>(state: web::Data<AppState>, resident: Resident, now: i64, compress: bool, build: F) -> Result<Entry, AppError>
where
    F: FnOnce(&mut Ctx) -> Result<Built, AppError> + Send + 'static,
{
    web::block(move || -> Result<Entry, AppError> {
        let mut conn = state.pool.get()?;
        let mut ctx = Ctx::new(&mut conn, Viewer::resident(now), &state, &resident);
        let mut built = build(&mut ctx)?;
        if built.content_type == XML || built.content_type == ATOM {
            built.body = xml_safe(built.body);
        }
        let mut media = std::mem::take(&mut ctx.media);
        media.sort();
        media.dedup();
        built.tags.extend(media.into_iter().map(Tag::Media));
        Ok(built.into_entry(compress))
    })
    .await?
}

/// Removes characters XML 1.0 does not allow (control characters but tab and line breaks,
/// U+FFFE and U+FFFF), so a feed, sitemap or export stays well-formed whatever was saved:
/// input refuses them, but content from before that, or from elsewhere, must not break a
/// harvest of the whole site.
pub fn xml_safe(body: String) -> String {
    let invalid = |c: char| (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x20) || c == '\u{FFFE}' || c == '\u{FFFF}';
    if body.chars().any(invalid) { body.chars().filter(|&c| !invalid(c)).collect() } else { body }
}

/// Which stored representation the client takes: brotli, then gzip, else the plain one.
fn representation<'e>(req: &HttpRequest, entry: &'e Entry) -> (Option<&'static str>, &'e Representation) {
    let accepted = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let takes = |name: &str| {
        accepted.split(',').any(|part| {
            let mut it = part.split(';');
            it.next().is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
                && !it.any(|p| p.split_once('=').is_some_and(|(k, v)| k.trim() == "q" && v.trim().parse::<f32>() == Ok(0.0)))
        })
    };
    match (&entry.brotli, &entry.gzip) {
        (Some(br), _) if takes("br") => (Some("br"), br),
        (_, Some(gz)) if takes("gzip") => (Some("gzip"), gz),
        _ => (None, &entry.plain),
    }
}

fn respond(req: &HttpRequest, entry: &Entry) -> HttpResponse {
    let status = StatusCode::from_u16(entry.status).unwrap_or(StatusCode::OK);
    let (encoding, chosen) = representation(req, entry);
    // Each representation has its own tag; a match on the plain one counts too.
    let not_modified = status == StatusCode::OK
        && req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|tags| {
            tags.split(',').map(str::trim).any(|t| t == chosen.etag || t == entry.plain.etag || t == "*")
        });
    let mut builder = if not_modified { HttpResponse::NotModified() } else { HttpResponse::build(status) };
    builder.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
    if entry.gzip.is_some() || entry.brotli.is_some() {
        builder.insert_header((header::VARY, HeaderValue::from_static("Accept-Encoding")));
    }
    builder.insert_header((header::ETAG, chosen.etag.clone()));
    if not_modified {
        return builder.finish();
    }
    builder.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(entry.content_type)));
    if let Some(name) = encoding {
        builder.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static(name)));
    }
    builder.body(chosen.body.clone())
}
