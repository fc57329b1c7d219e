//! Files for machines: the sitemap, robots.txt, security.txt, and the stylesheets.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{earliest, render};
use crate::cache::Tag;
use crate::content::files::rfc3339;
use crate::content::model::Lang;
use crate::content::store;
use crate::render::paths;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::respond::{Built, TEXT, XML, cached};
use crate::web::site::Resident;

#[derive(Serialize)]
struct UrlEntry {
    loc: String,
    lastmod: Option<String>,
    /// The page in every language it exists in (itself included), when more than one.
    alternates: Vec<Alternate>,
}

#[derive(Serialize, Clone)]
struct Alternate {
    lang: &'static str,
    href: String,
}

/// The entries of one page: its Dutch address and, where it exists in English, the English
/// one, each listing both (the sitemap's way of saying `hreflang`).
fn entries(base: &str, dutch: String, english: Option<String>, lastmod: Option<String>) -> Vec<UrlEntry> {
    let Some(english) = english else {
        return vec![UrlEntry { loc: format!("{base}{dutch}"), lastmod, alternates: vec![] }];
    };
    let alternates = vec![Alternate { lang: "nl", href: format!("{base}{dutch}") }, Alternate { lang: "en", href: format!("{base}{english}") }];
    vec![
        UrlEntry { loc: format!("{base}{dutch}"), lastmod: lastmod.clone(), alternates: alternates.clone() },
        UrlEntry { loc: format!("{base}{english}"), lastmod, alternates },
    ]
}

pub async fn sitemap(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    cached(&req, state, resident, |ctx| {
        let base = ctx.resident.base_url.clone();
        let catalogue = store::catalogue(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let english = store::catalogue_in(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer, Lang::En)?;
        let pages = store::pages(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let news = store::news(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
        let mut urls = Vec::new();
        for lang_home in [(paths::home(Lang::Nl), paths::home(Lang::En)), (paths::products(Lang::Nl), paths::products(Lang::En)), (paths::news(Lang::Nl), paths::news(Lang::En)), (paths::accessibility(Lang::Nl), paths::accessibility(Lang::En))] {
            urls.extend(entries(&base, lang_home.0.into(), Some(lang_home.1.into()), None));
        }
        for r in &catalogue.items {
            let in_english = english.items.iter().any(|e| e.slug == r.slug).then(|| paths::product(Lang::En, &r.slug));
            urls.extend(entries(&base, paths::product(Lang::Nl, &r.slug), in_english, Some(rfc3339(r.modified))));
        }
        let mut page_list: Vec<_> = pages.items.iter().collect();
        page_list.sort_by(|a, b| a.path.cmp(&b.path));
        for p in page_list {
            let in_english = p.english.as_ref().map(|_| paths::page(Lang::En, &p.path));
            urls.extend(entries(&base, paths::page(Lang::Nl, &p.path), in_english, Some(rfc3339(p.updated_at))));
        }
        for n in &news.items {
            let in_english = n.english.as_ref().map(|_| paths::news_item(Lang::En, &n.slug));
            urls.extend(entries(&base, paths::news_item(Lang::Nl, &n.slug), in_english, Some(rfc3339(n.updated_at))));
        }
        let mut c = tera::Context::new();
        c.insert("urls", &urls);
        let body = render(ctx, "sitemap.xml", &c)?;
        Ok(Built::ok(XML, body, vec![Tag::Catalogue, Tag::Local], earliest([catalogue.next_change, pages.next_change, news.next_change])))
    })
    .await
}

pub async fn robots(resident: Resident) -> HttpResponse {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /api/\nDisallow: /zoeken\n\nSitemap: {}/sitemap.xml\n",
        resident.base_url
    );
    HttpResponse::Ok().content_type(TEXT).insert_header((header::CACHE_CONTROL, "public, max-age=3600")).body(body)
}

/// RFC 9116: who to tell about a vulnerability, valid for a year from now.
pub async fn security_txt(resident: Resident) -> HttpResponse {
    let site = &resident.site.site;
    let contact = site
        .security_contact
        .clone()
        .or_else(|| site.contact.email.as_ref().map(|e| format!("mailto:{e}")))
        .unwrap_or_else(|| format!("{}/", resident.base_url));
    let expires = rfc3339(crate::now() + 365 * 24 * 3600);
    let body = format!(
        "Contact: {contact}\nExpires: {expires}\nPreferred-Languages: nl, en\nCanonical: {}/.well-known/security.txt\n",
        resident.base_url
    );
    HttpResponse::Ok().content_type(TEXT).insert_header((header::CACHE_CONTROL, "public, max-age=86400")).body(body)
}

/// The theme's stylesheet under its content hash; cached for a year when the hash matches.
pub async fn stylesheet(state: web::Data<AppState>, hash: web::Path<String>) -> HttpResponse {
    let asset = &state.templates.stylesheet;
    css(&asset.body, *hash == asset.hash)
}

/// The admin pages' stylesheet under its content hash.
pub async fn admin_stylesheet(state: web::Data<AppState>, hash: web::Path<String>) -> HttpResponse {
    let asset = &state.templates.admin_stylesheet;
    css(&asset.body, *hash == asset.hash)
}

/// The theme's icon under its content hash.
pub async fn icon(state: web::Data<AppState>, hash: web::Path<String>) -> HttpResponse {
    let asset = &state.templates.icon;
    asset_response(&asset.body, "image/svg+xml", *hash == asset.hash)
}

/// `/favicon.ico`, which browsers ask for by themselves.
pub async fn icon_any(state: web::Data<AppState>) -> HttpResponse {
    asset_response(&state.templates.icon.body, "image/svg+xml", false)
}

/// The site's design tokens under their content hash.
pub async fn tokens(resident: Resident, hash: web::Path<String>) -> Result<HttpResponse, AppError> {
    let css_text = resident.site.site.theme_tokens.clone().ok_or(AppError::NotFound)?;
    let current = resident.site.tokens_hash.as_deref() == Some(hash.as_str());
    Ok(css(&actix_web::web::Bytes::from(css_text), current))
}

fn css(body: &actix_web::web::Bytes, immutable: bool) -> HttpResponse {
    asset_response(body, "text/css; charset=utf-8", immutable)
}

/// A static file; cached for a year when asked for under its current hash.
fn asset_response(body: &actix_web::web::Bytes, content_type: &str, immutable: bool) -> HttpResponse {
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "public, max-age=3600" };
    HttpResponse::Ok().content_type(content_type).insert_header((header::CACHE_CONTROL, cache)).body(body.clone())
}
