//! The read-only JSON API under `/api/v1/` for the site of the Host header, described by
//! `/api/v1/openapi.json`. Responses go through the same store, visibility and cache as the
//! resident pages.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::AppState;
use super::error::AppError;
use super::respond::{Built, JSON, cached, cached_reading};
use super::site::Resident;
use crate::content::language;
use crate::content::model::Lang;
use crate::render::paths;
use crate::media::picture::Pictures;
use crate::cache::Tag;
use crate::content::model::Audience;
use crate::content::slug::slugify;
use crate::content::store;
use crate::render::views::{NewsView, PageView, ProductItem, ProductView};

const OPENAPI: &str = include_str!("openapi.json");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .service(read("/openapi.json", openapi))
            .service(read("/site", site))
            .service(read("/products", products))
            .service(read("/products/{slug}", product))
            .service(read("/pages", pages))
            .service(read("/pages/{path:.*}", page))
            .service(read("/news", news))
            .service(read("/news/{slug}", news_item))
            .default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::NotFound) })),
    );
}

/// A read-only resource: GET and HEAD, anything else 405 with `Allow`.
pub fn read<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args> + Clone,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::MethodNotAllowed("GET, HEAD".into())) }))
}

fn json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(AppError::internal)
}

async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type(JSON).insert_header((header::CACHE_CONTROL, "public, max-age=3600")).body(OPENAPI)
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    slug: &'a str,
    name: &'a str,
    municipality: &'a str,
    municipality_code: Option<&'a str>,
    owms_uri: Option<&'a str>,
    url: String,
    groups: &'a [String],
    contact: &'a crate::content::model::Contact,
}

async fn site(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    cached(&req, state, resident, |ctx| {
        let s = &ctx.resident.site.site;
        let info = SiteInfo {
            slug: &s.slug,
            name: &s.name,
            municipality: s.municipality(),
            municipality_code: s.municipality_code.as_deref(),
            owms_uri: s.owms_uri.as_deref(),
            url: format!("{}/", ctx.resident.base_url),
            groups: &s.groups,
            contact: &s.contact,
        };
        Ok(Built::ok(JSON, json(&info)?, vec![], None))
    })
    .await
}

#[derive(Serialize)]
struct List<T> {
    total: usize,
    items: Vec<T>,
}

#[derive(serde::Deserialize)]
struct ProductFilter {
    theme: Option<String>,
    audience: Option<String>,
    life_event: Option<String>,
}

/// The language asked for with `?lang=` (Dutch when not given); another code is a 400.
fn lang(req: &HttpRequest) -> Result<Lang, AppError> {
    // As the schema says: an empty value is not a language either.
    match crate::web::public::raw_param(req, "lang") {
        None => Ok(Lang::Nl),
        Some(code) => Lang::parse(&code).ok_or_else(|| AppError::BadRequest(format!("lang must be nl or en, not {code:?}"))),
    }
}

async fn products(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let lang = lang(&req)?;
    let filter = web::Query::<ProductFilter>::from_query(req.query_string())
        .map_err(|e| AppError::BadRequest(format!("bad query: {e}")))?
        .into_inner();
    let audience = filter
        .audience
        .as_deref()
        .map(|a| Audience::parse(a).ok_or_else(|| AppError::BadRequest(format!("audience must be particulier or ondernemer, not {a:?}"))))
        .transpose()?;
    cached_reading(&req, state, resident, &["theme", "audience", "life_event", "lang"], move |ctx| {
        let catalogue = store::catalogue_in(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer, lang)?;
        // A theme or life event the site does not have is not found (and not cached), rather
        // than an empty list for every word someone makes up.
        // Only the canonical slug (as in the list's own links): `-afval` or `AFVAL` would be as
        // many cache entries of the same answer.
        let known = |wanted: &Option<String>, names: fn(&crate::content::fold::Resolved) -> &Vec<String>| {
            wanted.as_ref().is_none_or(|w| *w == slugify(w) && catalogue.items.iter().flat_map(names).any(|x| slugify(x) == *w))
        };
        if !known(&filter.theme, |r| &r.themes) || !known(&filter.life_event, |r| &r.life_events) {
            return Err(AppError::NotFound);
        }
        let items: Vec<ProductItem> = catalogue
            .items
            .iter()
            .filter(|r| filter.theme.as_ref().is_none_or(|t| r.themes.iter().any(|x| slugify(x) == slugify(t))))
            .filter(|r| filter.life_event.as_ref().is_none_or(|t| r.life_events.iter().any(|x| slugify(x) == slugify(t))))
            .filter(|r| audience.is_none_or(|a| r.audience.contains(&a)))
            .map(|r| ProductItem::new(r, lang))
            .collect();
        Ok(Built::ok(JSON, json(&List { total: items.len(), items })?, vec![Tag::Catalogue], catalogue.next_change))
    })
    .await
}

async fn product(req: HttpRequest, state: web::Data<AppState>, resident: Resident, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let lang = lang(&req)?;
    cached_reading(&req, state, resident, &["lang"], move |ctx| {
        let found = store::product_in(ctx.conn, &ctx.state.content, &ctx.resident.site, &slug, ctx.viewer, lang)?;
        let resolved = found.items.first().ok_or(AppError::NotFound)?;
        Ok(Built::ok(JSON, json(&ProductView::new(resolved, &Pictures::none(), lang))?, vec![Tag::Product(slug.clone())], found.next_change))
    })
    .await
}

#[derive(Serialize)]
struct PageItem {
    path: String,
    url: String,
    title: String,
    summary: String,
}

async fn pages(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let lang = lang(&req)?;
    cached_reading(&req, state, resident, &["lang"], move |ctx| {
        let pages = store::pages(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let mut items: Vec<PageItem> = pages
            .items
            .iter()
            .filter_map(|p| language::local_in(p, lang))
            .map(|p| PageItem { url: paths::page(lang, &p.path), path: p.path.clone(), title: p.title.clone(), summary: p.summary.clone() })
            .collect();
        items.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Built::ok(JSON, json(&List { total: items.len(), items })?, vec![Tag::Local], pages.next_change))
    })
    .await
}

async fn page(req: HttpRequest, state: web::Data<AppState>, resident: Resident, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner().trim_matches('/').to_owned();
    let lang = lang(&req)?;
    cached_reading(&req, state, resident, &["lang"], move |ctx| {
        let pages = store::pages(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let found = pages.items.iter().find(|p| p.path == path).and_then(|p| language::local_in(p, lang)).ok_or(AppError::NotFound)?;
        Ok(Built::ok(JSON, json(&PageView::new(&found, &Pictures::none(), lang))?, vec![Tag::Local], pages.next_change))
    })
    .await
}

async fn news(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let lang = lang(&req)?;
    cached_reading(&req, state, resident, &["lang"], move |ctx| {
        let news = store::news(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let items: Vec<NewsView> = news.items.iter().filter_map(|n| language::local_in(n, lang)).map(|n| NewsView::new(&n, &Pictures::none(), lang)).collect();
        Ok(Built::ok(JSON, json(&List { total: items.len(), items })?, vec![Tag::Local], news.next_change))
    })
    .await
}

async fn news_item(req: HttpRequest, state: web::Data<AppState>, resident: Resident, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let lang = lang(&req)?;
    cached_reading(&req, state, resident, &["lang"], move |ctx| {
        let news = store::news_item(ctx.conn, &ctx.state.content, &ctx.resident.site, &slug, ctx.viewer)?;
        let found = news.items.first().and_then(|n| language::local_in(n, lang)).ok_or(AppError::NotFound)?;
        Ok(Built::ok(JSON, json(&NewsView::new(&found, &Pictures::none(), lang))?, vec![Tag::Local], news.next_change))
    })
    .await
}
