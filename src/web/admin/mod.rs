//! The admin pages: server-rendered, usable without JavaScript, by keyboard and screen reader.
//! A session cookie (HttpOnly, SameSite=Lax, Secure unless configured off) says who is signed
//! in; every form carries the session's CSRF token; nothing changes on GET. The work itself is
//! done by `edit::Editor`, like the admin API.

mod users;
mod approvals;
mod catalogue;
mod reminders;
mod releases;
mod dashboard;
mod layer;
mod login;
mod media;
mod overrides;
mod translation;
mod residents;
mod sdg;
mod thesaurus;
mod values;

use std::collections::HashMap;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tera::Context;

use super::AppState;
use super::error::AppError;
use super::site::client_address;
use crate::auth::accounts::{self, SessionPolicy};
use crate::auth::permissions::Actor;
use crate::auth::secrets::same_secret;
use crate::content::model::{NewsFields, PageFields};
use crate::edit::{Alerts, EditResult, Editor, News, Pages};
use crate::render::views::Link;

/// The session cookie. With `Secure` it has the `__Host-` prefix: browsers then only take it
/// from this exact host over HTTPS (or localhost), with path `/` and no domain, so no other
/// site under the same parent domain can set or replace it.
pub const SESSION_COOKIE: &str = "__Host-meent_session";
/// Its name for plain-HTTP development (`--insecure-cookies`), where `__Host-` cannot be used.
pub const INSECURE_SESSION_COOKIE: &str = "meent_session";

pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies { SESSION_COOKIE } else { INSECURE_SESSION_COOKIE }
}

crate::web::routes::route_table!(ROUTES, register;
    get "" => dashboard::dashboard;
    get "/" => dashboard::dashboard;
    get "/inloggen" => login::form;
    post "/inloggen" => login::submit;
    post "/uitloggen" => login::logout;
    get "/gebruikers" => users::users;
    post "/gebruikers" => users::create;
    get "/gebruikers/{id}" => users::user;
    post "/gebruikers/{id}/uitzetten" => users::disable;
    post "/gebruikers/{id}/wachtwoord" => users::reset;
    get "/sleutels" => users::tokens;
    post "/sleutels" => users::create_token;
    post "/sleutels/{id}/intrekken" => users::revoke_token;
    get "/logboek" => users::audit;
    get "/sdg" => sdg::overview;
    get "/herinneringen" => reminders::form;
    post "/herinneringen" => reminders::save;
    get "/releases" => releases::list;
    post "/releases" => releases::create;
    get "/releases/{id}" => releases::show;
    post "/releases/{id}/{action}" => releases::act;
    get "/goedkeuren" => approvals::list;
    post "/goedkeuren" => approvals::setting;
    get "/goedkeuren/{id}" => approvals::show;
    post "/goedkeuren/{id}/goedkeuren" => approvals::approve;
    post "/goedkeuren/{id}/terugsturen" => approvals::send_back;
    get "/zoeken" => thesaurus::national_form;
    post "/zoeken" => thesaurus::national_save;
    get "/sites/{site}/reacties" => residents::feedback;
    get "/sites/{site}/statistieken" => residents::statistics;
    get "/sites/{site}/statistieken.csv" => residents::statistics_csv;
    get "/catalogus" => catalogue::list;
    get "/catalogus/nieuw" => catalogue::new_form;
    get "/catalogus/{slug}" => catalogue::edit_form;
    post "/catalogus/{slug}" => catalogue::save;
    get "/catalogus/{slug}/versies" => catalogue::history;
    post "/catalogus/{slug}/versies/{revision}" => catalogue::restore;
    get "/catalogus/{slug}/engels" => translation::product;
    post "/catalogus/{slug}/engels" => translation::save_product;
    get "/voorbeeld/{site}/producten/{slug}" => overrides::preview;
    get "/afbeelding-bestand/{key}" => media::thumbnail;
    get "/afbeeldingen" => media::library;
    post "/afbeeldingen" => media::upload_form;
    get "/afbeeldingen/{key}" => media::item;
    post "/afbeeldingen/{key}" => media::save_text;
    post "/afbeeldingen/{key}/bestand" => media::replace;
    post "/afbeeldingen/{key}/verwijderen" => media::delete;
    get "/{kind}/{layer}/afbeeldingen" => media::library;
    post "/{kind}/{layer}/afbeeldingen" => media::upload_form;
    get "/{kind}/{layer}/afbeeldingen/{key}" => media::item;
    post "/{kind}/{layer}/afbeeldingen/{key}" => media::save_text;
    post "/{kind}/{layer}/afbeeldingen/{key}/bestand" => media::replace;
    post "/{kind}/{layer}/afbeeldingen/{key}/verwijderen" => media::delete;
    get "/{kind}/{layer}" => layer::overview;
    get "/{kind}/{layer}/producten/{slug}" => overrides::edit_form;
    post "/{kind}/{layer}/producten/{slug}" => overrides::save;
    get "/{kind}/{layer}/producten/{slug}/engels" => translation::override_text;
    post "/{kind}/{layer}/producten/{slug}/engels" => translation::save_override_text;
    get "/{kind}/{layer}/paginas/{id}/engels" => translation::item::<Pages, PageFields>;
    post "/{kind}/{layer}/paginas/{id}/engels" => translation::save_item::<Pages, PageFields>;
    get "/{kind}/{layer}/nieuws/{id}/engels" => translation::item::<News, NewsFields>;
    post "/{kind}/{layer}/nieuws/{id}/engels" => translation::save_item::<News, NewsFields>;
    get "/{kind}/{layer}/zoeken" => thesaurus::layer_form;
    post "/{kind}/{layer}/zoeken" => thesaurus::layer_save;
    get "/{kind}/{layer}/omleidingen" => layer::redirects_form;
    post "/{kind}/{layer}/omleidingen" => layer::redirects_save;
    get "/{kind}/{layer}/paginas/nieuw" => layer::new_item::<Pages>;
    get "/{kind}/{layer}/paginas/{id}" => layer::edit_item::<Pages>;
    post "/{kind}/{layer}/paginas/{id}" => layer::save_item::<Pages>;
    get "/{kind}/{layer}/paginas/{id}/versies" => layer::history::<Pages>;
    post "/{kind}/{layer}/paginas/{id}/versies/{revision}" => layer::restore::<Pages>;
    get "/{kind}/{layer}/nieuws/nieuw" => layer::new_item::<News>;
    get "/{kind}/{layer}/nieuws/{id}" => layer::edit_item::<News>;
    post "/{kind}/{layer}/nieuws/{id}" => layer::save_item::<News>;
    get "/{kind}/{layer}/nieuws/{id}/versies" => layer::history::<News>;
    post "/{kind}/{layer}/nieuws/{id}/versies/{revision}" => layer::restore::<News>;
    get "/{kind}/{layer}/meldingen/nieuw" => layer::new_item::<Alerts>;
    get "/{kind}/{layer}/meldingen/{id}" => layer::edit_item::<Alerts>;
    post "/{kind}/{layer}/meldingen/{id}" => layer::save_item::<Alerts>;
    get "/{kind}/{layer}/meldingen/{id}/versies" => layer::history::<Alerts>;
    post "/{kind}/{layer}/meldingen/{id}/versies/{revision}" => layer::restore::<Alerts>;
);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("/admin").configure(register).default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::NotFound) })));
}

/// A signed-in editor, from the session cookie.
pub struct Signed {
    pub actor: Actor,
    pub csrf: String,
    pub session_id: String,
}

/// The signed-in editor, or a redirect to the login page (which brings them back).
pub async fn signed_in(req: &HttpRequest, state: &web::Data<AppState>) -> Result<Signed, AppError> {
    let back = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/admin").to_owned();
    let login = || AppError::Redirect { location: format!("/admin/inloggen?terug={}", url_encode(&back)), permanent: false };
    let Some(session_id) = req.cookie(session_cookie_name(state)).map(|c| c.value().to_owned()) else { return Err(login()) };
    let st = state.clone();
    let id = session_id.clone();
    let found = web::block(move || -> Result<_, AppError> {
        let mut conn = st.pool.get()?;
        Ok(accounts::session(&mut conn, &id, SessionPolicy::default(), crate::now())?)
    })
    .await??;
    match found {
        Some((actor, csrf)) => Ok(Signed { actor, csrf, session_id }),
        None => Err(login()),
    }
}

pub fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Refuses a form whose CSRF token is not the session's.
pub fn check_csrf(form: &HashMap<String, String>, signed: &Signed) -> Result<(), AppError> {
    match form.get("csrf") {
        Some(token) if same_secret(token, &signed.csrf) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// The session cookie, with the flags the configuration asks for.
pub fn session_cookie(state: &AppState, value: &str, remove: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(session_cookie_name(state), value.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .finish();
    if remove {
        cookie.make_removal();
    }
    cookie
}

/// What every admin page shows around its content.
pub fn admin_context(state: &AppState, signed: Option<&Signed>, title: &str, breadcrumbs: Vec<Link>) -> Context {
    let mut c = Context::new();
    c.insert("stylesheet", &state.templates.stylesheet.url);
    c.insert("admin_stylesheet", &state.templates.admin_stylesheet.url);
    c.insert("icon", &state.templates.icon.url);
    c.insert("title", title);
    c.insert("breadcrumbs", &breadcrumbs);
    // The admin is Dutch; the parts it shares with the resident pages read the theme's text.
    c.insert("t", state.templates.ui(crate::content::model::Lang::Nl));
    if let Some(s) = signed {
        c.insert("user", &s.actor.email);
        c.insert("csrf", &s.csrf);
        c.insert("central", &s.actor.may_edit_catalogue());
        c.insert("admin", &s.actor.grants.iter().any(|g| g.role == crate::auth::permissions::Role::Admin));
    }
    c
}

/// An admin page; never cached, never framed.
pub fn page(state: &AppState, status: StatusCode, template: &str, c: &Context) -> Result<HttpResponse, AppError> {
    let body = state.templates.render(template, c)?;
    Ok(HttpResponse::build(status)
        .content_type(super::respond::HTML)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// Runs `f` with an `Editor` for the signed-in user on the blocking pool, then brings derived
/// state up to date with what it wrote.
pub async fn with_editor<T, F>(req: &HttpRequest, state: &web::Data<AppState>, signed: &Signed, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Editor, &AppState) -> Result<T, AppError> + Send + 'static,
{
    let origin = client_address(req, state);
    let actor = signed.actor.clone();
    let st = state.clone();
    web::block(move || -> Result<T, AppError> {
        let mut conn = st.pool.get()?;
        let directory = super::directory(&st);
        let result = {
            let mut editor = Editor { conn: &mut conn, actor: &actor, directory: &directory, origin: &origin, now: crate::now(), publishing: Default::default() };
            f(&mut editor, &st)?
        };
        // The write is committed: a failure to bring derived state along now is not the
        // writer's (the feed retries it at its next round).
        drop(conn);
        if let Err(e) = st.feed.catch_up_after_write(&st.pool) {
            tracing::warn!(error = %e, "cannot read the change feed after a write");
        }
        Ok(result)
    })
    .await?
}

/// How a form's save publishes: staged in the release the form names (`release`), or as the
/// scope says.
pub fn publishing_of(form: &HashMap<String, String>) -> crate::edit::approval::Publishing {
    match form.get("release").and_then(|r| r.trim().parse::<i64>().ok()) {
        Some(id) => crate::edit::approval::Publishing::Release(id),
        None => crate::edit::approval::Publishing::Normal,
    }
}

/// The open releases of a scope, as choices for a form's "Opslaan in release".
pub fn open_releases(ed: &mut crate::edit::Editor, scope: &crate::auth::permissions::Scope) -> Result<Vec<Choice>, AppError> {
    let scope = scope.to_string();
    Ok(ed
        .releases()?
        .into_iter()
        .filter(|r| r.scope == scope && r.state == "open")
        .map(|r| Choice { value: r.id.to_string(), label: r.name, selected: false })
        .collect())
}

/// See-other after a successful form.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_owned())).finish()
}

/// A form field, trimmed; empty counts as absent.
pub fn field(form: &HashMap<String, String>, name: &str) -> Option<String> {
    form.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The base revision a form was loaded at.
pub fn form_revision(form: &HashMap<String, String>) -> Option<i64> {
    field(form, "revision").and_then(|r| r.parse().ok())
}

/// What the conflict page shows when someone else saved an item first.
pub struct Conflict<'a> {
    /// The item's name as editors know it.
    pub item: &'a str,
    /// The saved version and the editor's, as text.
    pub theirs: String,
    pub mine: String,
    /// Where the form posts to save the editor's version after all.
    pub action: &'a str,
    pub crumbs: Vec<Link>,
    /// The form as posted, sent again with the current revision as its base.
    pub form: &'a HashMap<String, String>,
    pub current: i64,
}

/// The one conflict page: both versions side by side and their difference, nothing lost;
/// saving again (based on the current revision) is a deliberate choice.
pub fn conflict_page(state: &AppState, signed: &Signed, conflict: Conflict) -> Result<HttpResponse, AppError> {
    let mut c = admin_context(state, Some(signed), "Iemand anders was u voor", conflict.crumbs);
    c.insert("item", conflict.item);
    c.insert("diff", &crate::render::diff::html(&conflict.theirs, &conflict.mine));
    c.insert("theirs_body", &conflict.theirs);
    c.insert("mine_body", &conflict.mine);
    c.insert("action", conflict.action);
    let fields: std::collections::BTreeMap<&String, &String> =
        conflict.form.iter().filter(|(k, _)| k.as_str() != "revision" && k.as_str() != "csrf").collect();
    c.insert("fields", &fields);
    c.insert("current", &conflict.current);
    page(state, StatusCode::CONFLICT, "admin/conflict.html", &c)
}

/// An edit result for a form: problems and conflicts are shown on the page, not as errors.
/// What a form page shows beside the fields: the problems of what was sent, that it was
/// saved, or a preview of its text.
#[derive(Default)]
pub struct FormState<'a> {
    pub problems: &'a [String],
    pub saved: bool,
    pub preview: Option<String>,
}

impl<'a> FormState<'a> {
    pub fn problems(problems: &'a [String]) -> FormState<'a> {
        FormState { problems, ..FormState::default() }
    }
}

pub enum Outcome<T> {
    Saved(T),
    /// Not published yet: a proposal waiting for another editor (`edit::approval`), or a change
    /// staged in a release (`edit::releases`); the page that says so.
    Pending(String),
    Problems(Vec<String>),
    Conflict { current: i64 },
}



pub fn outcome<T>(result: EditResult<T>) -> Result<Outcome<T>, AppError> {
    match result {
        Ok(v) => Ok(Outcome::Saved(v)),
        Err(crate::edit::EditError::Invalid(p)) => Ok(Outcome::Problems(p.iter().map(ToString::to_string).collect())),
        Err(crate::edit::EditError::Conflict { current, .. }) => Ok(Outcome::Conflict { current }),
        Err(crate::edit::EditError::AwaitingApproval { id }) => Ok(Outcome::Pending(format!("/admin/goedkeuren/{id}"))),
        Err(crate::edit::EditError::Staged { release, .. }) => Ok(Outcome::Pending(format!("/admin/releases/{release}?toegevoegd=1"))),
        Err(e) => Err(e.into()),
    }
}

/// `datetime-local` form values are Dutch local time (Europe/Amsterdam, summer time
/// included); the model keeps RFC 3339. A value that is not a time stays as typed, so the
/// document check reports it.
pub fn local_to_rfc3339(value: Option<String>) -> Option<String> {
    use chrono::TimeZone;
    let v = value?;
    if chrono::DateTime::parse_from_rfc3339(&v).is_ok() {
        return Some(v);
    }
    let Ok(naive) = chrono::NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M") else { return Some(v) };
    match chrono_tz::Europe::Amsterdam.from_local_datetime(&naive).earliest() {
        Some(t) => Some(t.to_rfc3339()),
        None => Some(v),
    }
}

/// An RFC 3339 time as a `datetime-local` value in Dutch local time.
pub fn rfc3339_to_local(value: &Option<String>) -> String {
    value
        .as_ref()
        .and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok())
        .map(|t| t.with_timezone(&chrono_tz::Europe::Amsterdam).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// Lists of words typed one per line or comma-separated.
pub fn words(value: Option<String>) -> Vec<String> {
    value.unwrap_or_default().split(['\n', ',']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}
