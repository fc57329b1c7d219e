//! Resident pages. Each handler resolves the site, builds its page from `content::store`
//! through the page cache, and renders a template of the theme.

mod accessibility;
mod feedback;
mod home;
mod meta;
mod news;
mod pages;
mod products;

pub use products::product_page;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tera::Context;

use super::AppState;
use super::error::AppError;
use super::respond::Ctx;
use crate::content::store;
use crate::content::model::Lang;
use crate::render::paths;
use crate::render::views::{AlertView, Link, SiteView};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page("/", home::home))
        .service(page("/producten", products::list))
        .service(page("/producten/{slug}", products::product))
        .service(page("/nieuws", news::list))
        .service(page("/nieuws/feed.xml", news::feed))
        .service(page("/nieuws/{slug}", news::item))
        .service(page("/en/", home::home))
        .service(page("/en", home::to_english_home))
        .service(page("/en/products", products::list))
        .service(page("/en/products/{slug}", products::product))
        .service(page("/en/news", news::list))
        .service(page("/en/news/{slug}", news::item))
        .service(web::resource("/feedback").route(web::post().to(feedback::submit)))
        .service(page("/toegankelijkheid", accessibility::statement))
        .service(page("/en/accessibility", accessibility::statement))
        .service(page("/sitemap.xml", meta::sitemap))
        .service(page("/robots.txt", meta::robots))
        .service(page("/.well-known/security.txt", meta::security_txt))
        .service(page("/static/meent.{hash}.css", meta::stylesheet))
        .service(page("/theme/tokens.{hash}.css", meta::tokens))
        .service(page("/static/icon.{hash}.svg", meta::icon))
        .service(page("/static/admin.{hash}.css", meta::admin_stylesheet))
        .service(page("/favicon.ico", meta::icon_any))
        .default_service(web::to(pages::page));
}

use super::api::read as page;

/// What every resident page shows around its content.
pub struct Layout {
    pub title: String,
    pub description: String,
    /// The path of this page, made absolute for `<link rel="canonical">`.
    pub path: String,
    /// The top navigation item this page belongs to.
    pub nav: &'static str,
    /// Links to the pages above this one, from home down (not this page itself).
    pub breadcrumbs: Vec<Link>,
    /// schema.org data about the page's subject (a service, an article), shown as JSON-LD
    /// together with the breadcrumbs.
    pub structured: Option<serde_json::Value>,
    /// The language of the page.
    pub lang: Lang,
    /// The path of the same page in the other language, where it exists there.
    pub alternate: Option<String>,
}

/// A page in a language, for `hreflang` links and the language switch.
#[derive(Serialize)]
struct Alternate {
    lang: &'static str,
    url: String,
}

/// The template context for a page: the layout, the site and its alerts. Returns when the
/// alerts next change by themselves.
pub fn context(ctx: &mut Ctx, layout: Layout) -> Result<(Context, Option<i64>), AppError> {
    let alerts = store::alerts(ctx.conn, &ctx.state.content, &ctx.resident.site, ctx.viewer)?;
    let mut c = base_context(ctx.state, SiteView::new(&ctx.resident.site, &ctx.resident.base_url), layout.lang);
    let base = &ctx.resident.base_url;
    let mut alternates = Vec::new();
    if let Some(there) = &layout.alternate {
        alternates.push(Alternate { lang: layout.lang.code(), url: format!("{base}{}", layout.path) });
        alternates.push(Alternate { lang: other(layout.lang).code(), url: format!("{base}{there}") });
        c.insert("switch", there);
    }
    c.insert("alternates", &alternates);
    let pictures = ctx.pictures(alerts.items.iter().map(|a| a.body.as_str()), [])?;
    c.insert("alerts", &alerts.items.iter().map(|a| AlertView::new(a, &pictures)).collect::<Vec<_>>());
    c.insert("title", &layout.title);
    c.insert("description", &layout.description);
    c.insert("canonical", &format!("{}{}", ctx.resident.base_url, layout.path));
    c.insert("nav", layout.nav);
    c.insert("breadcrumbs", &layout.breadcrumbs);
    c.insert("jsonld", &structured_data(&ctx.resident.base_url, &layout));
    c.insert("og_type", if layout.structured.is_some() { "article" } else { "website" });
    Ok((c, alerts.next_change))
}

fn base_context(state: &AppState, site: SiteView, lang: Lang) -> Context {
    let mut c = assets_context(state);
    c.insert("site", &site);
    c.insert("lang", lang.code());
    c.insert("t", state.templates.ui(lang));
    c
}

/// A piece of the theme's interface text (`ui/<lang>.toml`), for text made outside templates.
pub fn ui_text(state: &AppState, lang: Lang, key: &str) -> String {
    state.templates.ui(lang)[key].as_str().unwrap_or(key).to_owned()
}

/// A template context with the stylesheet and icon every page links.
fn assets_context(state: &AppState) -> Context {
    let mut c = Context::new();
    c.insert("stylesheet", &state.templates.stylesheet.url);
    c.insert("icon", &state.templates.icon.url);
    c
}

/// The page's JSON-LD: its breadcrumbs and what it is about, safe to put in a `<script>`.
fn structured_data(base_url: &str, layout: &Layout) -> Option<String> {
    #[derive(Serialize)]
    struct Graph<'a> {
        #[serde(rename = "@context")]
        context: &'static str,
        #[serde(rename = "@graph")]
        graph: Vec<Node<'a>>,
    }
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Node<'a> {
        Breadcrumbs {
            #[serde(rename = "@type")]
            kind: &'static str,
            #[serde(rename = "itemListElement")]
            items: Vec<Crumb<'a>>,
        },
        About(&'a serde_json::Value),
    }
    #[derive(Serialize)]
    struct Crumb<'a> {
        #[serde(rename = "@type")]
        kind: &'static str,
        position: usize,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    }
    let mut graph = Vec::new();
    if !layout.breadcrumbs.is_empty() {
        let mut items: Vec<Crumb> = layout
            .breadcrumbs
            .iter()
            .enumerate()
            .map(|(i, c)| Crumb { kind: "ListItem", position: i + 1, name: &c.title, item: Some(format!("{base_url}{}", c.url)) })
            .collect();
        items.push(Crumb { kind: "ListItem", position: items.len() + 1, name: &layout.title, item: None });
        graph.push(Node::Breadcrumbs { kind: "BreadcrumbList", items });
    }
    graph.extend(layout.structured.as_ref().map(Node::About));
    if graph.is_empty() {
        return None;
    }
    let json = serde_json::to_string(&Graph { context: "https://schema.org", graph }).ok()?;
    // Nothing in the data can end the script element.
    let mut safe = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            c => safe.push(c),
        }
    }
    Some(safe)
}

/// The municipality as a schema.org organisation.
pub fn organization(site: &crate::content::model::Site, base_url: &str) -> serde_json::Value {
    let mut org = serde_json::json!({
        "@type": "GovernmentOrganization",
        "name": site.name,
        "url": format!("{base_url}/"),
    });
    let contact = crate::render::views::safe_contact(&site.contact);
    if let Some(phone) = contact.phone {
        org["telephone"] = phone.into();
    }
    if let Some(email) = contact.email {
        org["email"] = email.into();
    }
    if let Some(address) = contact.address {
        org["address"] = address.into();
    }
    org
}

/// The other of the two languages.
pub fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Nl => Lang::En,
        Lang::En => Lang::Nl,
    }
}

pub fn home_crumb(lang: Lang) -> Link {
    Link { title: "Home".into(), url: paths::home(lang).into() }
}

/// The earliest of several optional moments.
pub fn earliest(times: impl IntoIterator<Item = Option<i64>>) -> Option<i64> {
    times.into_iter().flatten().min()
}

/// The error page of a site (or a plain one when the host is unknown).
pub fn error_page(state: &AppState, req: &HttpRequest, status: StatusCode, message: &str) -> HttpResponse {
    let lang = paths::lang_of(req.path());
    let title = match (status, lang) {
        (StatusCode::NOT_FOUND, Lang::Nl) => "Pagina niet gevonden",
        (StatusCode::NOT_FOUND, _) => "Page not found",
        (StatusCode::GONE, Lang::Nl) => "Pagina verwijderd",
        (StatusCode::GONE, _) => "Page removed",
        (s, Lang::Nl) if s.is_client_error() => "Dit verzoek kunnen wij niet verwerken",
        (s, _) if s.is_client_error() => "We cannot handle this request",
        (_, Lang::Nl) => "Er ging iets mis",
        _ => "Something went wrong",
    };
    let Ok(resident) = super::site::resolve(req) else {
        return notice(state, status, title, message, &[]);
    };
    let mut c = base_context(state, SiteView::new(&resident.site, &resident.base_url), lang);
    c.insert("alternates", &Vec::<Alternate>::new());
    // The messages of errors are Dutch; an English page says the same in English.
    let message = match (lang, status) {
        (Lang::Nl, _) => message,
        (_, StatusCode::NOT_FOUND) => "There is no page at this address in English.",
        (_, StatusCode::GONE) => "This page no longer exists.",
        (_, s) if s.is_client_error() => "Please check the address or what you sent, and try again.",
        _ => "Please try again later.",
    };
    c.insert("status", &status.as_u16());
    c.insert("message", message);
    c.insert("title", title);
    c.insert("alerts", &Vec::<AlertView>::new());
    c.insert("breadcrumbs", &Vec::<Link>::new());
    c.insert("nav", "");
    html_response(state, status, "error.html", &c)
}

/// A page outside any site: for unknown hosts and errors before a site is known.
fn notice(state: &AppState, status: StatusCode, title: &str, message: &str, sites: &[SiteLink]) -> HttpResponse {
    let mut c = assets_context(state);
    c.insert("title", title);
    c.insert("message", message);
    c.insert("sites", sites);
    html_response(state, status, "notice.html", &c)
}

#[derive(Serialize)]
struct SiteLink {
    name: String,
    url: String,
}

/// For an unknown host: the list of sites (demo setting) or a plain 404.
pub fn unknown_host(state: &AppState, req: &HttpRequest, list: bool) -> HttpResponse {
    if !list {
        return HttpResponse::NotFound().content_type(super::respond::TEXT).body("Deze website is hier niet bekend.\n");
    }
    let origin = super::site::origin(req, state);
    let port = crate::content::hosts::port_of(&origin.host).map(|p| format!(":{p}")).unwrap_or_default();
    let sites: Vec<SiteLink> = super::directory(state)
        .sites()
        .iter()
        .map(|s| SiteLink { name: s.site.name.clone(), url: format!("{}://{}{}/", origin.scheme, s.site.canonical_host(), port) })
        .collect();
    notice(state, StatusCode::NOT_FOUND, "Websites op deze server", "Dit adres hoort niet bij een van de websites op deze server. Kies een website:", &sites)
}

fn html_response(state: &AppState, status: StatusCode, template: &str, c: &Context) -> HttpResponse {
    match state.templates.render(template, c) {
        Ok(body) => HttpResponse::build(status).content_type(super::respond::HTML).body(body),
        Err(e) => {
            tracing::error!(error = %e, template, "cannot render error page");
            HttpResponse::build(status).content_type(super::respond::TEXT).body(status.canonical_reason().unwrap_or("Fout").to_owned())
        }
    }
}

/// Renders a template for a resident page.
pub fn render(ctx: &Ctx, template: &str, c: &Context) -> Result<String, AppError> {
    Ok(ctx.state.templates.render(template, c)?)
}

pub(crate) fn not_found<T>() -> Result<T, AppError> {
    Err(AppError::NotFound)
}

/// A query parameter; an empty one counts as not given.
pub fn param(req: &HttpRequest, name: &str) -> Option<String> {
    raw_param(req, name).filter(|v| !v.is_empty())
}

/// A query parameter as given, empty or not.
pub fn raw_param(req: &HttpRequest, name: &str) -> Option<String> {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string()).ok().and_then(|q| q.get(name).cloned())
}
