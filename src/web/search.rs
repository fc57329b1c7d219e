//! `/zoeken` for residents and `/api/v1/search` (+ `/suggest`) for programs: the site's
//! search, never cached (every query is another URL). Searches that find nothing are
//! counted per site for editors, without personal data.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::AppState;
use super::error::AppError;
use super::limits::{self, Bucket};
use super::public::{Layout, context, home_crumb, param, raw_param, render};
use super::respond::{Built, HTML, JSON, fresh};
use super::site::Resident;
use crate::content::model::Lang;
use crate::render::paths;
use crate::search::{Request, Results, normalize_for_log};

const PER_PAGE: usize = 10;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(super::api::read("/zoeken", page))
        .service(super::api::read("/en/search", page))
        .service(super::api::read("/api/v1/search", api))
        .service(super::api::read("/api/v1/search/suggest", suggest));
}

/// Reads a search request from the query string (Dutch names for the page, English for the API).
fn request(req: &HttpRequest, dutch: bool) -> Result<Request, AppError> {
    let name = |nl: &'static str, en: &'static str| if dutch { nl } else { en };
    // The page treats an empty parameter as not given; the API, like its schema, refuses it.
    let choice = |n: &str| if dutch { param(req, n) } else { raw_param(req, n) };
    let page = match choice(name("pagina", "page")) {
        None => 1,
        Some(p) => p.parse::<usize>().ok().filter(|&p| (1..=1000).contains(&p)).ok_or_else(|| AppError::BadRequest("Het paginanummer is ongeldig.".into()))?,
    };
    let kind = choice(name("soort", "kind"));
    if kind.as_deref().is_some_and(|k| !["product", "pagina", "nieuws"].contains(&k)) {
        return Err(AppError::BadRequest("Deze soort resultaten bestaat niet: kies product, pagina of nieuws.".into()));
    }
    let audience = choice(name("doelgroep", "audience"));
    if audience.as_deref().is_some_and(|a| crate::content::model::Audience::parse(a).is_none()) {
        return Err(AppError::BadRequest("Deze doelgroep bestaat niet: kies particulier of ondernemer.".into()));
    }
    // The page's language is its address's; the API's, `?lang=` (Dutch by default).
    let lang = if dutch {
        paths::lang_of(req.path())
    } else {
        match raw_param(req, "lang") {
            None => Lang::Nl,
            Some(code) => Lang::parse(&code).ok_or_else(|| AppError::BadRequest(format!("lang must be nl or en, not {code:?}")))?,
        }
    };
    Ok(Request {
        lang,
        text: param(req, "q").unwrap_or_default(),
        kind,
        theme: param(req, name("thema", "theme")),
        audience,
        page,
        per_page: PER_PAGE,
    })
}

/// Runs a search and counts it when it found nothing.
fn run(ctx: &mut super::respond::Ctx, request: &Request) -> Result<Results, AppError> {
    let results = ctx
        .state
        .search
        .search(ctx.resident.site.id, request, ctx.viewer.now)
        .map_err(|e| AppError::internal(format!("search: {e}")))?;
    let filtered = request.kind.is_some() || request.theme.is_some() || request.audience.is_some();
    if results.total == 0 && !filtered && request.page == 1 {
        let logged = normalize_for_log(&request.text);
        if !logged.is_empty() {
            ctx.state.misses.count(ctx.resident.site.id, &logged, ctx.viewer.now);
        }
    }
    Ok(results)
}

#[derive(Serialize)]
struct FacetLink {
    label: String,
    count: usize,
    url: String,
    current: bool,
}

#[derive(Serialize)]
struct FacetGroup {
    title: &'static str,
    links: Vec<FacetLink>,
}

fn kind_label(kind: &str, lang: Lang) -> String {
    match (kind, lang) {
        ("product", Lang::Nl) => "Producten en diensten".into(),
        ("product", _) => "Products and services".into(),
        ("pagina", Lang::Nl) => "Pagina's".into(),
        ("pagina", _) => "Pages".into(),
        ("nieuws", Lang::Nl) => "Nieuws".into(),
        ("nieuws", _) => "News".into(),
        (other, _) => other.into(),
    }
}

fn audience_label(value: &str, lang: Lang) -> String {
    use crate::content::model::Audience;
    match (Audience::parse(value), lang) {
        (Some(a), Lang::Nl) => a.label().to_owned(),
        (Some(Audience::Particulier), _) => "Residents".into(),
        (Some(Audience::Ondernemer), _) => "Businesses".into(),
        (None, _) => value.to_owned(),
    }
}

/// The URL of the results page with some parameters changed.
fn search_url(request: &Request, set: &[(&str, Option<&str>)], page: usize) -> String {
    let mut params: Vec<(&str, String)> = vec![("q", request.text.clone())];
    let current = [("soort", &request.kind), ("thema", &request.theme), ("doelgroep", &request.audience)];
    for (name, value) in current {
        let value = set.iter().find(|(n, _)| *n == name).map(|(_, v)| v.map(str::to_owned)).unwrap_or_else(|| value.clone());
        if let Some(v) = value {
            params.push((name, v));
        }
    }
    if page > 1 {
        params.push(("pagina", page.to_string()));
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    format!("{}?{query}", paths::search(request.lang))
}

async fn page(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let request = request(&req, true)?;
    if !request.text.is_empty() {
        limits::check(&req, &state, Bucket::Search)?;
    }
    fresh(&req, state, resident, move |ctx| {
        let results = run(ctx, &request)?;
        let ready = ctx.state.search.is_ready();
        let lang = request.lang;
        let name = &ctx.resident.site.site.name;
        let (title, description) = match lang {
            Lang::Nl => (
                if request.text.is_empty() { "Zoeken".to_owned() } else { format!("Zoeken naar ‘{}’", request.text) },
                format!("Zoek in de producten, diensten, pagina's en het nieuws van {name}."),
            ),
            _ => (
                if request.text.is_empty() { "Search".to_owned() } else { format!("Search for ‘{}’", request.text) },
                format!("Search the products, services, pages and news of {name} in English."),
            ),
        };
        let layout = Layout {
            title,
            description,
            path: paths::search(lang).into(),
            nav: "zoeken",
            breadcrumbs: vec![home_crumb(lang)],
            lang,
            alternate: None,
            structured: None,
        };
        let (mut c, _) = context(ctx, layout)?;
        let facet = |title: &'static str, name: &'static str, values: &[crate::search::FacetValue], selected: &Option<String>, label: &dyn Fn(&str) -> String| FacetGroup {
            title,
            links: values
                .iter()
                .map(|v| FacetLink {
                    label: label(&v.value),
                    count: v.count,
                    url: search_url(&request, &[(name, Some(v.value.as_str()))], 1),
                    current: selected.as_deref() == Some(v.value.as_str()),
                })
                .collect(),
        };
        let english = lang != Lang::Nl;
        let facets: Vec<FacetGroup> = [
            facet(if english { "Type" } else { "Soort" }, "soort", &results.facets.kind, &request.kind, &|k| kind_label(k, lang)),
            // Themes are the catalogue's Dutch words.
            facet("Onderwerp", "thema", if english { &[][..] } else { &results.facets.theme[..] }, &request.theme, &|t| t.to_owned()),
            facet(if english { "For whom" } else { "Voor wie" }, "doelgroep", &results.facets.audience, &request.audience, &|a| audience_label(a, lang)),
        ]
        .into_iter()
        .filter(|g| g.links.len() > 1 || g.links.iter().any(|l| l.current))
        .collect();
        let filtered = request.kind.is_some() || request.theme.is_some() || request.audience.is_some();
        c.insert("q", &request.text);
        c.insert("results", &results);
        c.insert("kind_labels", &results.hits.iter().map(|h| kind_label(&h.kind, lang)).collect::<Vec<_>>());
        c.insert("facets", &facets);
        c.insert("filtered", &filtered);
        c.insert("clear_url", &search_url(&request, &[("soort", None), ("thema", None), ("doelgroep", None)], 1));
        c.insert("suggestion_url", &results.suggestion.as_ref().map(|s| search_url(&Request { text: s.clone(), lang, ..Request::default() }, &[], 1)));
        c.insert("prev_url", &(results.page > 1).then(|| search_url(&request, &[], results.page - 1)));
        c.insert("next_url", &(results.page < results.pages).then(|| search_url(&request, &[], results.page + 1)));
        c.insert("ready", &ready);
        let body = render(ctx, "search.html", &c)?;
        Ok(Built::ok(HTML, body, vec![], None))
    })
    .await
}

async fn api(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let request = request(&req, false)?;
    limits::check(&req, &state, Bucket::Search)?;
    fresh(&req, state, resident, move |ctx| {
        let results = run(ctx, &request)?;
        let body = serde_json::to_string(&results).map_err(|e| AppError::internal(format!("search: {e}")))?;
        Ok(Built::ok(JSON, body, vec![], None))
    })
    .await
}

#[derive(Serialize)]
struct Suggestions {
    items: Vec<crate::search::Suggestion>,
}

async fn suggest(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let text = param(&req, "q").unwrap_or_default();
    let lang = request(&req, false)?.lang;
    limits::check(&req, &state, Bucket::Suggest)?;
    fresh(&req, state, resident, move |ctx| {
        let items = ctx
            .state
            .search
            .suggest(ctx.resident.site.id, &text, ctx.viewer.now, 8, lang)
            .map_err(|e| AppError::internal(format!("search: {e}")))?;
        let body = serde_json::to_string(&Suggestions { items }).map_err(|e| AppError::internal(format!("search: {e}")))?;
        Ok(Built::ok(JSON, body, vec![], None))
    })
    .await
}
