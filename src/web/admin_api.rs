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
use super::api::read;
use super::error::AppError;
use super::site::client_address;
use super::upload;
use crate::auth::permissions::Scope;
use crate::auth::accounts;
use crate::content::model::Owner;
use crate::edit::{Alerts, Editor, LocalKind, MediaText, News, OverrideDoc, Pages, ProductDoc, RedirectsDoc};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/admin")
            .service(read("/me", me))
            .service(read("/audit", audit))
            .service(web::resource("/users").route(web::get().to(users)).route(web::post().to(create_user)).default_service(allow("GET, POST")))
            .service(web::resource("/users/{id}/disable").route(web::post().to(disable_user)).default_service(allow("POST")))
            .service(web::resource("/users/{id}/reset").route(web::post().to(reset_password)).default_service(allow("POST")))
            .service(read("/users/{id}/tokens", user_tokens))
            .service(web::resource("/tokens").route(web::get().to(own_tokens)).route(web::head().to(own_tokens)).route(web::post().to(create_token)).default_service(allow("GET, HEAD, POST")))
            .service(web::resource("/tokens/{id}").route(web::delete().to(revoke_token)).default_service(allow("DELETE")))
            .service(
                web::resource("/catalogue/{slug}")
                    .route(web::get().to(get_product))
                    .route(web::head().to(get_product))
                    .route(web::put().to(put_product))
                    .default_service(allow("GET, HEAD, PUT")),
            )
            .service(read("/catalogue/{slug}/revisions", product_history))
            .service(web::resource("/catalogue/{slug}/revisions/{revision}/restore").route(web::post().to(restore_product)).default_service(allow("POST")))
            .service(
                web::resource("/{kind}/{layer}/overrides/{slug}")
                    .route(web::get().to(get_override))
                    .route(web::head().to(get_override))
                    .route(web::put().to(put_override))
                    .route(web::delete().to(delete_override))
                    .default_service(allow("GET, HEAD, PUT, DELETE")),
            )
            .service(read("/{kind}/{layer}/overrides/{slug}/revisions", override_history))
            .service(
                web::resource("/{kind}/{layer}/overrides/{slug}/revisions/{revision}/restore")
                    .route(web::post().to(restore_override))
                    .default_service(allow("POST")),
            )
            .service(web::resource("/sites/{site}/redirects").route(web::get().to(get_redirects)).route(web::put().to(put_redirects)).default_service(allow("GET, PUT")))
            .configure(media_routes("/media"))
            .configure(media_routes("/{kind}/{layer}/media"))
            .configure(local_routes::<Pages>("pages"))
            .configure(local_routes::<News>("news"))
            .configure(local_routes::<Alerts>("alerts"))
            .default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::NotFound) })),
    );
}

/// 405 with the methods a resource does allow.
fn allow(methods: &'static str) -> actix_web::Route {
    web::to(move || async move { Err::<HttpResponse, _>(AppError::MethodNotAllowed(methods)) })
}

fn local_routes<K: LocalKind + 'static>(name: &'static str) -> impl FnOnce(&mut web::ServiceConfig)
where
    K::Doc: Send + 'static,
{
    move |cfg| {
        cfg.service(
            web::resource(format!("/{{kind}}/{{layer}}/{name}"))
                .route(web::get().to(list_local::<K>))
                .route(web::head().to(list_local::<K>))
                .route(web::post().to(create_local::<K>))
                .default_service(allow("GET, HEAD, POST")),
        )
        .service(
            web::resource(format!("/{{kind}}/{{layer}}/{name}/{{id}}"))
                .route(web::get().to(get_local::<K>))
                .route(web::head().to(get_local::<K>))
                .route(web::put().to(put_local::<K>))
                .route(web::delete().to(delete_local::<K>))
                .default_service(allow("GET, HEAD, PUT, DELETE")),
        )
        .service(read(&format!("/{{kind}}/{{layer}}/{name}/{{id}}/revisions"), local_history::<K>))
        .service(
            web::resource(format!("/{{kind}}/{{layer}}/{name}/{{id}}/revisions/{{revision}}/restore"))
                .route(web::post().to(restore_local::<K>))
                .default_service(allow("POST")),
        );
    }
}

/// The media library of a scope: `/media` (national) or `/{kind}/{layer}/media`.
fn media_routes(base: &'static str) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(
            web::resource(base)
                .route(web::get().to(list_media))
                .route(web::head().to(list_media))
                .route(web::post().to(upload_media))
                .default_service(allow("GET, HEAD, POST")),
        )
        .service(
            web::resource(format!("{base}/{{key}}"))
                .route(web::get().to(get_media))
                .route(web::head().to(get_media))
                .route(web::put().to(put_media))
                .route(web::delete().to(delete_media))
                .default_service(allow("GET, HEAD, PUT, DELETE")),
        )
        .service(web::resource(format!("{base}/{{key}}/file")).route(web::put().to(replace_media)).default_service(allow("PUT")));
    }
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
    let value = as_token_user(req, state, f).await?;
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
    let st = state.clone();
    web::block(move || -> Result<T, AppError> {
        let mut conn = st.pool.get()?;
        let now = crate::now();
        let actor = accounts::actor_by_token(&mut conn, &token, now)?.ok_or(AppError::Unauthorized)?;
        let directory = super::directory(&st);
        let result = {
            let mut editor = Editor { conn: &mut conn, actor: &actor, directory: &directory, origin: &origin, now };
            f(&mut editor)?
        };
        // What was written is served at once: derived state catches up before the answer.
        st.feed.catch_up(&mut conn)?;
        Ok(result)
    })
    .await?
}

async fn me(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.actor.clone())).await
}

async fn audit(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.audit_log(500)?)).await
}

async fn users(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, |ed| Ok(ed.users()?)).await
}

/// 201 with the new account's first token, or 200 when a grant was added to an existing one.
async fn create_user(req: HttpRequest, state: web::Data<AppState>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let new = body::<crate::edit::NewUser>(&bytes)?;
    let created = as_token_user(&req, state, move |ed| Ok(ed.create_user(new)?)).await?;
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
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.product(&slug)?)).await
}

async fn put_product(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let doc = body::<ProductDoc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.put_product(&slug, doc?, base?)?)).await
}

async fn product_history(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.history("product", &slug, None)?)).await
}

async fn restore_product(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, i64)>) -> Result<HttpResponse, AppError> {
    let (slug, revision) = path.into_inner();
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.restore_product(&slug, revision)?)).await
}

async fn get_override(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.override_doc(&owner, &slug)?)).await
}

async fn put_override(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>, bytes: web::Bytes) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    let doc = body::<OverrideDoc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.put_override(&owner, &slug, doc?, base?)?)).await
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
        Ok(ed.history("override", &key, Some(&owner))?)
    })
    .await
}

async fn restore_override(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, i64)>) -> Result<HttpResponse, AppError> {
    let (kind, layer, slug, revision) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.restore_override(&owner, &slug, revision)?)).await
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
    let files = state.media.clone();
    run(&req, state, StatusCode::NO_CONTENT, move |ed| Ok(ed.delete_media(&scope, &key, base?, &files)?)).await
}

#[derive(Serialize)]
struct RedirectsOut {
    csv: String,
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
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.local::<K>().list(&owner)?)).await
}

async fn create_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, bytes: web::Bytes) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    let doc = body::<K::Doc>(&bytes);
    run(&req, state, StatusCode::CREATED, move |ed| Ok(ed.local::<K>().create(&owner, doc?)?)).await
}

async fn get_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer, id) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.local::<K>().get(&owner, id)?)).await
}

async fn put_local<K: LocalKind + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>, bytes: web::Bytes) -> Result<HttpResponse, AppError>
where
    K::Doc: Send + 'static,
{
    let (kind, layer, id) = path.into_inner();
    let owner = owner(&kind, &layer)?;
    let doc = body::<K::Doc>(&bytes);
    let base = if_match(&req);
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.local::<K>().put(&owner, id, doc?, base?)?)).await
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
    run(&req, state, StatusCode::OK, move |ed| Ok(ed.local::<K>().restore(&owner, id, revision)?)).await
}

