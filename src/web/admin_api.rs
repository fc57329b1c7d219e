//! The admin JSON API under `/api/v1/admin/`, for programs and the central team's tools. The
//! same `edit::Editor` as the admin pages does the work; a bearer token (from `meent user
//! create`) says who is asking. No token: 401; a token without the scope: 403, nothing changes.
//! Every item carries its `revision` (also as `ETag`); a write with `If-Match` (or a body
//! `revision`) that is not the current one gets 412 and changes nothing.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde::de::DeserializeOwned;

use actix_multipart::Multipart;

use super::AppState;
use super::error::AppError;
use super::site::client_address;
use super::upload;
use crate::content::kind::Kind;
use crate::auth::permissions::Scope;
use crate::auth::accounts;
use crate::content::model::Owner;
use crate::content::model::{Lang, NewsFields, PageFields};
use crate::edit::translations::{ItemTextDoc, OverrideTextDoc, ProductTextDoc, Translated};
use crate::edit::sdg::Order;
use crate::edit::thesaurus::ThesaurusDoc;
use crate::edit::{Alerts, Editor, LocalKind, MediaText, News, OverrideDoc, Pages, ProductDoc, RedirectsDoc};

crate::web::routes::route_table!(ROUTES, register;
    get "/me" => me;
    head "/me" => me;
    get "/me/digest" => get_digest;
    head "/me/digest" => get_digest;
    put "/me/digest" => put_digest;
    get "/audit" => audit;
    head "/audit" => audit;
    get "/users" => users;
    head "/users" => users;
    post "/users" => create_user;
    post "/users/{id}/disable" => disable_user;
    post "/users/{id}/reset" => reset_password;
    get "/users/{id}/tokens" => user_tokens;
    head "/users/{id}/tokens" => user_tokens;
    get "/tokens" => own_tokens;
    head "/tokens" => own_tokens;
    post "/tokens" => create_token;
    delete "/tokens/{id}" => revoke_token;
    get "/catalogue/{slug}" => get_product;
    head "/catalogue/{slug}" => get_product;
    put "/catalogue/{slug}" => put_product;
    get "/catalogue/{slug}/opt-outs" => product_opt_outs;
    head "/catalogue/{slug}/opt-outs" => product_opt_outs;
    get "/catalogue/{slug}/revisions" => product_history;
    head "/catalogue/{slug}/revisions" => product_history;
    post "/catalogue/{slug}/revisions/{revision}/restore" => restore_product;
    get "/catalogue/{slug}/translations/{lang}" => get_product_translation;
    head "/catalogue/{slug}/translations/{lang}" => get_product_translation;
    put "/catalogue/{slug}/translations/{lang}" => put_product_translation;
    delete "/catalogue/{slug}/translations/{lang}" => delete_product_translation;
    get "/{kind}/{layer}/overrides/{slug}" => get_override;
    head "/{kind}/{layer}/overrides/{slug}" => get_override;
    put "/{kind}/{layer}/overrides/{slug}" => put_override;
    delete "/{kind}/{layer}/overrides/{slug}" => delete_override;
    get "/{kind}/{layer}/overrides/{slug}/revisions" => override_history;
    head "/{kind}/{layer}/overrides/{slug}/revisions" => override_history;
    post "/{kind}/{layer}/overrides/{slug}/revisions/{revision}/restore" => restore_override;
    get "/{kind}/{layer}/overrides/{slug}/translations/{lang}" => get_override_translation;
    head "/{kind}/{layer}/overrides/{slug}/translations/{lang}" => get_override_translation;
    put "/{kind}/{layer}/overrides/{slug}/translations/{lang}" => put_override_translation;
    delete "/{kind}/{layer}/overrides/{slug}/translations/{lang}" => delete_override_translation;
    get "/releases" => releases;
    head "/releases" => releases;
    post "/releases" => create_release;
    get "/releases/{id}" => release;
    head "/releases/{id}" => release;
    post "/releases/{id}/publish" => publish_release;
    put "/releases/{id}/schedule" => schedule_release;
    post "/releases/{id}/undo" => undo_release;
    get "/releases/{id}/preview/{site}/{slug}" => preview_release;
    head "/releases/{id}/preview/{site}/{slug}" => preview_release;
    get "/approvals" => approvals;
    head "/approvals" => approvals;
    get "/approvals/{id}" => proposal;
    head "/approvals/{id}" => proposal;
    post "/approvals/{id}/approve" => approve;
    post "/approvals/{id}/send-back" => send_back;
    get "/approval/{scope}" => get_approval;
    head "/approval/{scope}" => get_approval;
    put "/approval/{scope}" => put_approval;
    get "/links/{scope}" => links_of_scope;
    head "/links/{scope}" => links_of_scope;
    get "/sdg" => sdg_overview;
    head "/sdg" => sdg_overview;
    get "/sites/{site}/sdg" => sdg_site;
    head "/sites/{site}/sdg" => sdg_site;
    get "/sites/{site}/feedback" => site_feedback;
    head "/sites/{site}/feedback" => site_feedback;
    get "/sites/{site}/statistics" => site_statistics;
    head "/sites/{site}/statistics" => site_statistics;
    get "/sites/{site}/redirects" => get_redirects;
    put "/sites/{site}/redirects" => put_redirects;
    get "/thesaurus" => get_thesaurus;
    head "/thesaurus" => get_thesaurus;
    put "/thesaurus" => put_thesaurus;
    get "/{kind}/{layer}/thesaurus" => get_thesaurus;
    head "/{kind}/{layer}/thesaurus" => get_thesaurus;
    put "/{kind}/{layer}/thesaurus" => put_thesaurus;
    get "/media" => list_media;
    head "/media" => list_media;
    post "/media" => upload_media;
    get "/media/{key}" => get_media;
    head "/media/{key}" => get_media;
    put "/media/{key}" => put_media;
    delete "/media/{key}" => delete_media;
    put "/media/{key}/file" => replace_media;
    get "/{kind}/{layer}/media" => list_media;
    head "/{kind}/{layer}/media" => list_media;
    post "/{kind}/{layer}/media" => upload_media;
    get "/{kind}/{layer}/media/{key}" => get_media;
    head "/{kind}/{layer}/media/{key}" => get_media;
    put "/{kind}/{layer}/media/{key}" => put_media;
    delete "/{kind}/{layer}/media/{key}" => delete_media;
    put "/{kind}/{layer}/media/{key}/file" => replace_media;
    get "/{kind}/{layer}/pages" => list_local::<Pages>;
    head "/{kind}/{layer}/pages" => list_local::<Pages>;
    post "/{kind}/{layer}/pages" => create_local::<Pages>;
    get "/{kind}/{layer}/pages/{id}" => get_local::<Pages>;
    head "/{kind}/{layer}/pages/{id}" => get_local::<Pages>;
    put "/{kind}/{layer}/pages/{id}" => put_local::<Pages>;
    delete "/{kind}/{layer}/pages/{id}" => delete_local::<Pages>;
    get "/{kind}/{layer}/pages/{id}/revisions" => local_history::<Pages>;
    head "/{kind}/{layer}/pages/{id}/revisions" => local_history::<Pages>;
    post "/{kind}/{layer}/pages/{id}/revisions/{revision}/restore" => restore_local::<Pages>;
    get "/{kind}/{layer}/pages/{id}/translations/{lang}" => get_item_translation::<Pages, PageFields>;
    head "/{kind}/{layer}/pages/{id}/translations/{lang}" => get_item_translation::<Pages, PageFields>;
    put "/{kind}/{layer}/pages/{id}/translations/{lang}" => put_item_translation::<Pages, PageFields>;
    delete "/{kind}/{layer}/pages/{id}/translations/{lang}" => delete_item_translation::<Pages, PageFields>;
    get "/{kind}/{layer}/news" => list_local::<News>;
    head "/{kind}/{layer}/news" => list_local::<News>;
    post "/{kind}/{layer}/news" => create_local::<News>;
    get "/{kind}/{layer}/news/{id}" => get_local::<News>;
    head "/{kind}/{layer}/news/{id}" => get_local::<News>;
    put "/{kind}/{layer}/news/{id}" => put_local::<News>;
    delete "/{kind}/{layer}/news/{id}" => delete_local::<News>;
    get "/{kind}/{layer}/news/{id}/revisions" => local_history::<News>;
    head "/{kind}/{layer}/news/{id}/revisions" => local_history::<News>;
    post "/{kind}/{layer}/news/{id}/revisions/{revision}/restore" => restore_local::<News>;
    get "/{kind}/{layer}/news/{id}/translations/{lang}" => get_item_translation::<News, NewsFields>;
    head "/{kind}/{layer}/news/{id}/translations/{lang}" => get_item_translation::<News, NewsFields>;
    put "/{kind}/{layer}/news/{id}/translations/{lang}" => put_item_translation::<News, NewsFields>;
    delete "/{kind}/{layer}/news/{id}/translations/{lang}" => delete_item_translation::<News, NewsFields>;
    get "/{kind}/{layer}/alerts" => list_local::<Alerts>;
    head "/{kind}/{layer}/alerts" => list_local::<Alerts>;
    post "/{kind}/{layer}/alerts" => create_local::<Alerts>;
    get "/{kind}/{layer}/alerts/{id}" => get_local::<Alerts>;
    head "/{kind}/{layer}/alerts/{id}" => get_local::<Alerts>;
    put "/{kind}/{layer}/alerts/{id}" => put_local::<Alerts>;
    delete "/{kind}/{layer}/alerts/{id}" => delete_local::<Alerts>;
    get "/{kind}/{layer}/alerts/{id}/revisions" => local_history::<Alerts>;
    head "/{kind}/{layer}/alerts/{id}/revisions" => local_history::<Alerts>;
    post "/{kind}/{layer}/alerts/{id}/revisions/{revision}/restore" => restore_local::<Alerts>;
);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("/api/v1/admin").configure(register).default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::NotFound) })));
}

/// The bearer token of a request.
fn bearer(req: &HttpRequest) -> Result<String, AppError> {
    let value = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(AppError::Unauthorized)?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).ok_or(AppError::Unauthorized)?.trim();
    if token.is_empty() { Err(AppError::Unauthorized) } else { Ok(token.to_owned()) }
}

/// The revision an `If-Match` header names (`"3"`, `W/"3"` or `3`).
fn if_match(req: &HttpRequest) -> Result<Option<i64>, AppError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or("").trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse().map(Some).map_err(|_| AppError::BadRequest("If-Match must name a revision, e.g. \"3\"".into()))
}

fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| AppError::Invalid(vec![format!("body: {e}")]))
}

/// A Dutch item (product, override, page, news item, alert) as the API shows it: with `lang`,
/// like its translations at `…/translations/{lang}`.
#[derive(Serialize)]
struct Dutch<T> {
    lang: Lang,
    #[serde(flatten)]
    item: T,
}

fn dutch<T>(item: T) -> Dutch<T> {
    Dutch { lang: Lang::Nl, item }
}

/// The body of a Dutch item: `lang` may be sent back as read, and must then be `nl` (another
/// language's text is a translation, written at its own address).
fn dutch_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut value: serde_json::Value = body(bytes)?;
    if let Some(lang) = value.as_object_mut().and_then(|o| o.remove("lang")) {
        if lang != "nl" {
            return Err(AppError::Invalid(vec![format!(
                "lang: {lang} is not the language of this item, which is Dutch (\"nl\"); an English text goes to …/translations/en"
            )]));
        }
    }
    serde_json::from_value(value).map_err(|e| AppError::Invalid(vec![format!("body: {e}")]))
}

/// A layer in a URL: `sites/<slug>` or `groups/<slug>`.
fn owner(kind: &str, slug: &str) -> Result<Owner, AppError> {
    match kind {
        "sites" => Ok(Owner::Site(slug.to_owned())),
        "groups" => Ok(Owner::Group(slug.to_owned())),
        _ => Err(AppError::NotFound),
    }
}

/// Runs an edit for the token's user and answers with JSON (and the revision as `ETag`).
async fn run<T, F>(req: &HttpRequest, state: web::Data<AppState>, status: StatusCode, f: F) -> Result<HttpResponse, AppError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut Editor) -> Result<T, AppError> + Send + 'static,
{
    let value = match as_token_user(req, state, f).await {
        Ok(value) => value,
        // Kept as a proposal: accepted, not done.
        Err(AppError::AwaitingApproval(id)) => {
            let message = AppError::AwaitingApproval(id).to_string();
            let body = serde_json::json!({ "status": 202, "state": "waiting", "proposal": id, "message": message });
            return Ok(HttpResponse::Accepted().insert_header((header::CACHE_CONTROL, "no-store")).json(body));
        }
        Err(AppError::Staged(release, id)) => {
            let message = AppError::Staged(release, id).to_string();
            let body = serde_json::json!({ "status": 202, "state": "staged", "release": release, "change": id, "message": message });
            return Ok(HttpResponse::Accepted().insert_header((header::CACHE_CONTROL, "no-store")).json(body));
        }
        Err(e) => return Err(e),
    };
    let json = serde_json::to_value(&value).map_err(AppError::internal)?;
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(revision) = json.get("revision").and_then(|r| r.as_i64()) {
        if let Ok(etag) = HeaderValue::from_str(&format!("\"{revision}\"")) {
            response.insert_header((header::ETAG, etag));
        }
    }
    if status == StatusCode::NO_CONTENT {
        return Ok(response.finish());
    }
    Ok(response.json(json))
}

/// Runs `f` with an `Editor` for the token's user on the blocking pool, then brings derived
/// state up to date with what it wrote.
async fn as_token_user<T, F>(req: &HttpRequest, state: web::Data<AppState>, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Editor) -> Result<T, AppError> + Send + 'static,
{
    let token = bearer(req)?;
    let origin = client_address(req, &state);
    // A change for a release is staged in it; an admin publishing directly where approval is
    // asked says why.
    let release = req.headers().get("x-release").map(|v| v.to_str().ok().and_then(|v| v.trim().parse::<i64>().ok()));
    let publishing = match (release, req.headers().get("x-publish-reason")) {
        (Some(Some(id)), _) => Ok(crate::edit::approval::Publishing::Release(id)),
        // Refused after the token is checked: a stranger learns nothing from the order.
        (Some(None), _) => Err(AppError::BadRequest("X-Release: give the number of a release".into())),
        (None, Some(reason)) => Ok(crate::edit::approval::Publishing::Direct(String::from_utf8_lossy(reason.as_bytes()).into_owned())),
        (None, None) => Ok(crate::edit::approval::Publishing::Normal),
    };
    let st = state.clone();
    web::block(move || -> Result<T, AppError> {
        let mut conn = st.pool.get()?;
        let now = crate::now();
        let actor = accounts::actor_by_token(&mut conn, &token, now)?.ok_or(AppError::Unauthorized)?;
        let publishing = publishing?;
        let directory = super::directory(&st);
        let result = {
            let mut editor = Editor { conn: &mut conn, actor: &actor, directory: &directory, origin: &origin, now, publishing };
            f(&mut editor)?
        };
        // What was written is served at once: derived state catches up before the answer.
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

async fn me(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.actor.clone())).await
}

/// This user's e-mail digest: `{"frequency": "off" | "daily" | "weekly"}`.
async fn get_digest(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.digest_choice()?)).await
}

async fn put_digest(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let choice = body::<crate::edit::digest::DigestChoice>(&bytes);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.set_digest_choice(choice?)?)).await
}

async fn audit(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.audit_log(500)?)).await
}

async fn users(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.users()?)).await
}

/// 201 with the new account's first token, or 200 when a grant was added to an existing one.
async fn create_user(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let new = body::<crate::edit::NewUser>(&bytes);
    let created = as_token_user(&req, state, move |ed| Ok(ed.create_user(new?)?)).await?;
    let status = if created.existing { StatusCode::OK } else { StatusCode::CREATED };
    Ok(HttpResponse::build(status).insert_header((header::CACHE_CONTROL, "no-store")).json(created))
}

async fn reset_password(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reset = if bytes.is_empty() { Ok(Default::default()) } else { body::<crate::edit::PasswordReset>(&bytes) };
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.reset_password(id, reset?)?)).await
}

async fn user_tokens(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.user_tokens(id)?)).await
}

async fn own_tokens(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.own_tokens()?)).await
}

async fn create_token(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let new = body::<crate::edit::NewToken>(&bytes);
    run(&req, state, StatusCode::CREATED, move |ed| Ok(ed.create_token(new?)?)).await
}

async fn revoke_token(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.revoke_token(id)?)).await
}

async fn disable_user(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.disable_user(id)?)).await
}

async fn get_product(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.product(&slug)?))).await
}

async fn put_product(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let doc = dutch_body::<ProductDoc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.put_product(&slug, doc?, base?)?))).await
}

async fn product_history(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.history(Kind::Product, &slug, None)?)).await
}

async fn restore_product(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, revision) = path.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.restore_product(&slug, revision)?))).await
}

async fn get_override(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.override_doc(&owner, &slug)?))).await
}

async fn put_override(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    let doc = dutch_body::<OverrideDoc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.put_override(&owner, &slug, doc?, base?)?))).await
}

async fn delete_override(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    let base = if_match(&req);
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.delete_override(&owner, &slug, base?)?)).await
}

async fn override_history(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| {
        let key = crate::edit::override_key(&owner, &slug);
        Ok(ed.history(Kind::Override, &key, Some(&owner))?)
    })
    .await
}

async fn restore_override(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, i64)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug, revision) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.restore_override(&owner, &slug, revision)?))).await
}

/// The scope of a media URL: national, or the group or site in it.
fn media_scope(req: &HttpRequest) -> Result<Scope, AppError> {
    match (req.match_info().get("kind"), req.match_info().get("layer")) {
        (Some(kind), Some(layer)) => Ok(Scope::of(&owner(kind, layer)?)),
        _ => Ok(Scope::National),
    }
}

/// Checks the token and the scope before an upload's body is read.
async fn authorize_media(req: &HttpRequest, state: &web::Data<AppState>, scope: &Scope, action: &'static str) -> Result<(), AppError> {
    super::limits::check(req, state, super::limits::Bucket::Upload)?;
    let scope = scope.clone();
    as_token_user(req, state.clone(), move |ed| Ok(ed.require_media(&scope, action).map(|_| ())?)).await
}

/// The uploaded file of a multipart request.
async fn read_upload(state: &AppState, payload: Multipart) -> Result<crate::edit::Upload, AppError> {
    Ok(upload::read(payload, state.media.limits.max_bytes).await?.upload()?.0)
}

async fn list_media(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let scope = media_scope(&req)?;
    let query = url::form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == "q").map(|(_, v)| v.into_owned());
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.media_list(&scope, query.as_deref())?)).await
}

async fn upload_media(req: HttpRequest, state: web::Data<AppState>, payload: Multipart) -> Result<HttpResponse, AppError> {
    let scope = media_scope(&req)?;
    authorize_media(&req, &state, &scope, "media.upload").await?;
    let upload = read_upload(&state, payload).await?;
    let files = state.media.clone();
    run(&req, state, StatusCode::CREATED, move |ed| Ok(ed.upload_media(&scope, upload, &files)?)).await
}

async fn get_media(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let scope = media_scope(&req)?;
    let key = req.match_info().get("key").unwrap_or("").to_owned();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.media_item(&scope, &key)?)).await
}

async fn put_media(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let scope = media_scope(&req)?;
    let key = req.match_info().get("key").unwrap_or("").to_owned();
    let text = body::<MediaText>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.update_media(&scope, &key, text?, base?)?)).await
}

async fn replace_media(req: HttpRequest, state: web::Data<AppState>, payload: Multipart) -> Result<HttpResponse, AppError> {
    let scope = media_scope(&req)?;
    let key = req.match_info().get("key").unwrap_or("").to_owned();
    authorize_media(&req, &state, &scope, "media.replace").await?;
    let base = if_match(&req)?;
    let upload = read_upload(&state, payload).await?;
    let files = state.media.clone();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.replace_media(&scope, &key, upload, &files, base)?)).await
}

async fn delete_media(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let scope = media_scope(&req)?;
    let key = req.match_info().get("key").unwrap_or("").to_owned();
    let base = if_match(&req);
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.delete_media(&scope, &key, base?)?)).await
}

#[derive(Serialize)]
struct RedirectsOut {
    csv: String,
}

/// `?sort=name|incomplete|no_english|english_behind`.
async fn sdg_overview(req: HttpRequest, state: web::Data<AppState>, query: web::Query<std::collections::HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let order = match query.get("sort") {
        None => Order::default(),
        Some(s) => Order::parse(s).ok_or_else(|| AppError::BadRequest(format!("sort={s:?}: use name, incomplete, no_english or english_behind")))?,
    };
    let content = state.content.clone();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.sdg_overview(&content, order)?)).await
}

/// The broken and redirected links written in a scope (`national`, `group:<slug>`,
/// `site:<slug>`), with where each is written, from the link checker's last run.
async fn links_of_scope(req: HttpRequest, state: web::Data<AppState>, scope: web::Path<String>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.links(&scope)?)).await
}

/// The releases of this user's scopes, newest first.
async fn releases(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.releases()?)).await
}

/// `{"scope": "national", "name": "Tarieven 2027"}`; changes join it with `X-Release: <id>`.
async fn create_release(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let new = body::<crate::edit::releases::NewRelease>(&bytes);
    run(&req, state, StatusCode::CREATED, move |ed| Ok(ed.create_release(new?)?)).await
}

async fn release(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.release_view(id)?)).await
}

async fn publish_release(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.publish_release(id)?)).await
}

/// `{"publish_at": "2027-01-01T00:00:00+01:00"}` (or null: not scheduled).
async fn schedule_release(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let schedule = body::<crate::edit::releases::Schedule>(&bytes);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.schedule_release(id, schedule?)?)).await
}

async fn undo_release(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.undo_release(id)?)).await
}

/// A product on a site as it will be with the release published (the fold, as JSON).
async fn preview_release(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(i64, String, String)>) -> Result<HttpResponse, AppError> {
    let (id, site, slug) = path.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.preview_release(id, &site, &slug)?)).await
}

/// What waits for this user's approval, and their own proposals.
async fn approvals(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.approvals()?)).await
}

async fn proposal(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.proposal(id)?)).await
}

/// Saves the proposal (another editor of its scope, never its author) and answers with it.
async fn approve(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.approve(id)?)).await
}

/// `{"note": "…"}`: back to the author, nothing saved.
async fn send_back(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let back = body::<crate::edit::approval::SendBack>(&bytes);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.send_back(id, &back?.note)?)).await
}

async fn get_approval(req: HttpRequest, state: web::Data<AppState>, scope: web::Path<String>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.approval_setting(&scope)?)).await
}

/// `{"required": true}`: admins of the scope switch four eyes on or off.
async fn put_approval(req: HttpRequest, state: web::Data<AppState>, scope: web::Path<String>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Required {
        required: bool,
    }
    let required = body::<Required>(&bytes);
    let scope = scope.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.set_approval(crate::edit::approval::ApprovalSetting { scope, required: required?.required })?)).await
}

/// Which groups and sites do not offer the product, why, and the sites left without it.
async fn product_opt_outs(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.opt_outs(&slug)?)).await
}

async fn sdg_site(req: HttpRequest, state: web::Data<AppState>, site: web::Path<String>) -> Result<HttpResponse, AppError> {
    let content = state.content.clone();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.sdg_site(&content, &site)?)).await
}

/// `?url=/path&nuttig=ja|nee&month=YYYY-MM`: counts per page and the answers, newest first.
async fn site_feedback(req: HttpRequest, state: web::Data<AppState>, site: web::Path<String>, query: web::Query<crate::edit::residents::FeedbackQuery>) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.feedback(&site, &query)?)).await
}

/// `?month=YYYY-MM` (default: this month): views per page, device type and country, most
/// viewed first; CSV when the request accepts `text/csv`. This process's counts not written
/// yet are written first.
async fn site_statistics(req: HttpRequest, state: web::Data<AppState>, site: web::Path<String>, query: web::Query<std::collections::HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let month = query.get("month").cloned().unwrap_or_else(|| crate::statistics::month_of(crate::now()));
    let csv = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/csv"));
    let site = site.into_inner();
    let base = crate::web::site::site_base_url(&req, &state, &site).unwrap_or_default();
    let views = state.views.clone();
    let rows = as_token_user(&req, state, move |ed| {
        if let Some(Err(e)) = views.as_ref().map(|v| v.flush(ed.conn)) {
            tracing::warn!(error = %e, "cannot write page views yet");
        }
        Ok(ed.statistics(&site, &month)?)
    })
    .await?;
    let out = crate::statistics::export(rows, &base);
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if !csv {
        return Ok(response.json(out));
    }
    Ok(response.content_type("text/csv; charset=utf-8").body(crate::statistics::csv(&out)))
}

/// The thesaurus a URL names: `/thesaurus` the central team's, `/<kind>/<layer>/thesaurus`
/// a group's or a site's.
fn thesaurus_owner(req: &HttpRequest) -> Result<Option<Owner>, AppError> {
    match (req.match_info().get("kind"), req.match_info().get("layer")) {
        (Some(kind), Some(layer)) => Ok(Some(owner(kind, layer)?)),
        _ => Ok(None),
    }
}

async fn get_thesaurus(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let owner = thesaurus_owner(&req)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.thesaurus(owner.as_ref())?)).await
}

async fn put_thesaurus(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let owner = thesaurus_owner(&req)?;
    let doc = body::<ThesaurusDoc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.put_thesaurus(owner.as_ref(), doc?, base?)?)).await
}

async fn get_redirects(req: HttpRequest, state: web::Data<AppState>, site: web::Path<String>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.redirects(&site).map(|csv| RedirectsOut { csv })?)).await
}

async fn put_redirects(req: HttpRequest, state: web::Data<AppState>, site: web::Path<String>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let doc = body::<RedirectsDoc>(&bytes);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.put_redirects(&site, doc?).map(|csv| RedirectsOut { csv })?)).await
}

async fn list_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.local::<K>().list(&owner)?.into_iter().map(dutch).collect::<Vec<_>>())).await
}

async fn create_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, bytes: web::Bytes) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    let doc = dutch_body::<K::Doc>(&bytes);
    run(&req, state, StatusCode::CREATED, move |ed| Ok(dutch(ed.local::<K>().create(&owner, doc?)?))).await
}

async fn get_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer, id) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.local::<K>().get(&owner, id)?))).await
}

async fn put_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>, bytes: web::Bytes) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer, id) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    let doc = dutch_body::<K::Doc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.local::<K>().put(&owner, id, doc?, base?)?))).await
}

async fn delete_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer, id) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    let base = if_match(&req);
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.local::<K>().delete(&owner, id, base?)?)).await
}

async fn local_history<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer, id) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| {
        ed.local::<K>().get(&owner, id)?;
        Ok(ed.history(K::KIND, &id.to_string(), Some(&owner))?)
    })
    .await
}

async fn restore_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64, i64)>) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer, id, revision) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(dutch(ed.local::<K>().restore(&owner, id, revision)?))).await
}


/// The language of a translation in a URL (`en`); Dutch is the item itself.
fn translated(code: &str) -> Result<Lang, AppError> {
    Lang::parse(code).filter(|l| *l != Lang::Nl).ok_or(AppError::NotFound)
}

async fn get_product_translation(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    let (slug, lang) = path.into_inner();
    let lang = translated(&lang)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.product_translation(&slug, lang)?)).await
}

async fn put_product_translation(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let (slug, lang) = path.into_inner();
    let lang = translated(&lang)?;
    let doc = body::<ProductTextDoc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.put_product_translation(&slug, lang, doc?, base?)?)).await
}

async fn delete_product_translation(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    let (slug, lang) = path.into_inner();
    let lang = translated(&lang)?;
    let base = if_match(&req);
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.delete_product_translation(&slug, lang, base?)?)).await
}

async fn get_override_translation(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, String)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug, lang) = path.into_inner();
    let (owner, lang) = (owner(&kind, &layer)?, translated(&lang)?);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.override_translation(&owner, &slug, lang)?)).await
}

async fn put_override_translation(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, String)>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug, lang) = path.into_inner();
    let (owner, lang) = (owner(&kind, &layer)?, translated(&lang)?);
    let doc = body::<OverrideTextDoc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.put_override_translation(&owner, &slug, lang, doc?, base?)?)).await
}

async fn delete_override_translation(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, String)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug, lang) = path.into_inner();
    let (owner, lang) = (owner(&kind, &layer)?, translated(&lang)?);
    let base = if_match(&req);
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.delete_override_translation(&owner, &slug, lang, base?)?)).await
}

async fn get_item_translation<K: Translated<F> + 'static, F: 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64, String)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, id, lang) = path.into_inner();
    let (owner, lang) = (owner(&kind, &layer)?, translated(&lang)?);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.item_translation::<K, F>(&owner, id, lang)?)).await
}

async fn put_item_translation<K: Translated<F> + 'static, F: Clone + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64, String)>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let (kind, layer, id, lang) = path.into_inner();
    let (owner, lang) = (owner(&kind, &layer)?, translated(&lang)?);
    let doc = body::<ItemTextDoc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.put_item_translation::<K, F>(&owner, id, lang, doc?, base?)?)).await
}

async fn delete_item_translation<K: Translated<F> + 'static, F: 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64, String)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, id, lang) = path.into_inner();
    let (owner, lang) = (owner(&kind, &layer)?, translated(&lang)?);
    let base = if_match(&req);
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.delete_item_translation::<K, F>(&owner, id, lang, base?)?)).await
}
