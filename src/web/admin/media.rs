//! The media library in the admin: per scope (national, a group, a site), search, upload with
//! alt text, and per image where it is used, its alt text, replacing the file everywhere, and
//! deleting it when nothing uses it any more.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::dashboard::kind_segment;
use super::overrides::admin_owner;
use super::{Signed, admin_context, check_csrf, field, form_revision, page, see_other, signed_in, with_editor};
use crate::auth::permissions::Scope;
use crate::edit::{EditError, MediaDoc, MediaText, Upload};
use crate::media::variants::{Encoding, height_for};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::upload;

/// The admin URL segment of the library.
pub const SEGMENT: &str = "afbeeldingen";

/// The scope of an admin media URL and the library's own URL.
fn scope_of(req: &HttpRequest) -> Result<(Scope, String), AppError> {
    match (req.match_info().get("kind"), req.match_info().get("layer")) {
        (Some(kind), Some(layer)) => {
            let owner = admin_owner(kind, layer)?;
            let base = format!("/admin/{}/{}/{SEGMENT}", kind_segment(&owner), owner.slug());
            Ok((Scope::of(&owner), base))
        }
        _ => Ok((Scope::National, format!("/admin/{SEGMENT}"))),
    }
}

fn key_of(req: &HttpRequest) -> String {
    req.match_info().get("key").unwrap_or("").to_owned()
}

fn scope_label(scope: &Scope) -> String {
    match scope {
        Scope::National => "Landelijk".into(),
        Scope::Group(g) => format!("Samenwerking {g}"),
        Scope::Site(s) => format!("Website {s}"),
    }
}

fn crumbs(scope: &Scope, base: &str) -> Vec<Link> {
    let mut crumbs = vec![Link { title: "Overzicht".into(), url: "/admin".into() }];
    if let Some(owner_url) = base.strip_suffix(&format!("/{SEGMENT}")).filter(|u| *u != "/admin") {
        crumbs.push(Link { title: scope_label(scope), url: owner_url.to_owned() });
    }
    crumbs
}

/// A media item as a row or page of the library.
#[derive(Serialize)]
struct Row {
    doc: MediaDoc,
    url: String,
    thumbnail: String,
    markdown: String,
    scope_label: String,
    /// Heights for showing it 120 and 320 pixels wide, keeping the aspect ratio.
    height_120: u32,
    height_320: u32,
    kilobytes: i64,
}

fn row(doc: MediaDoc, base: &str) -> Row {
    let scope_label = Scope::parse(&doc.scope).map(|s| scope_label(&s)).unwrap_or_default();
    let alt = if doc.decorative { String::new() } else { doc.alt.replace(['[', ']'], "") };
    Row {
        url: format!("{base}/{}", doc.key),
        thumbnail: format!("/admin/afbeelding-bestand/{}", doc.key),
        markdown: format!("![{alt}]({})", doc.url),
        scope_label,
        height_120: height_for(u32::try_from(doc.width).unwrap_or(1), u32::try_from(doc.height).unwrap_or(1), 120),
        height_320: height_for(u32::try_from(doc.width).unwrap_or(1), u32::try_from(doc.height).unwrap_or(1), 320),
        kilobytes: (doc.bytes + 512) / 1024,
        doc,
    }
}

fn library_page(state: &AppState, signed: &Signed, scope: &Scope, base: &str, list: Vec<MediaDoc>, query: &str, problems: &[String], status: StatusCode) -> Result<HttpResponse, AppError> {
    let title = format!("Afbeeldingen: {}", scope_label(scope));
    let mut c = admin_context(state, Some(signed), &title, crumbs(scope, base));
    let rows: Vec<Row> = list.into_iter().map(|d| row(d, base)).collect();
    c.insert("rows", &rows);
    c.insert("query", query);
    c.insert("problems", problems);
    c.insert("saved", &false);
    c.insert("action", base);
    c.insert("max_mb", &(state.media.limits.max_bytes / (1024 * 1024)));
    page(state, status, "admin/media.html", &c)
}

pub async fn library(req: HttpRequest, state: web::Data<AppState>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (scope, base) = scope_of(&req)?;
    let q = query.get("q").map(|q| q.trim().to_owned()).unwrap_or_default();
    let (s, text) = (scope.clone(), q.clone());
    let list = with_editor(&req, &state, &signed, move |ed, _| Ok(ed.media_list(&s, Some(&text))?)).await?;
    library_page(&state, &signed, &scope, &base, list, &q, &[], StatusCode::OK)
}

/// Whether a refused edit is shown on the form (the editor can fix it) rather than as an error.
fn form_problem(e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid(p) => Some(p.join("; ")),
        AppError::TooLarge(m) | AppError::UnsupportedType(m) | AppError::InUse(m) => Some(m.clone()),
        _ => None,
    }
}

/// An upload form: a forged one (no CSRF token of the session) is refused outright; an upload
/// the editor can fix (too large, no file, no alt text) comes back as the inner error.
async fn read_upload(payload: Multipart, state: &AppState, signed: &Signed) -> Result<Result<(Upload, HashMap<String, String>), AppError>, AppError> {
    let read = upload::read(payload, state.media.limits.max_bytes).await;
    if let Ok(form) = &read {
        check_csrf(&form.fields, signed)?;
    }
    Ok(read.and_then(upload::UploadForm::upload))
}

pub async fn upload_form(req: HttpRequest, state: web::Data<AppState>, payload: Multipart) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    crate::web::limits::check(&req, &state, crate::web::limits::Bucket::Upload)?;
    let (scope, base) = scope_of(&req)?;
    // The scope is checked before the body (up to the upload limit) is read.
    let s = scope.clone();
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.require_media(&s, "media.upload").map(drop)?)).await?;
    let s = scope.clone();
    let result = match read_upload(payload, &state, &signed).await? {
        Ok((upload, _)) => {
            with_editor(&req, &state, &signed, move |ed, st| Ok(ed.upload_media(&s, upload, &st.media)?)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(doc) => Ok(see_other(&format!("{base}/{}?opgeslagen=1", doc.key))),
        Err(e) => match form_problem(&e) {
            Some(problem) => {
                let s = scope.clone();
                let list = with_editor(&req, &state, &signed, move |ed, _| Ok(ed.media_list(&s, None)?)).await?;
                library_page(&state, &signed, &scope, &base, list, "", &[problem], StatusCode::UNPROCESSABLE_ENTITY)
            }
            None => Err(e),
        },
    }
}

fn item_page(state: &AppState, signed: &Signed, scope: &Scope, base: &str, doc: MediaDoc, problems: &[String], saved: bool, status: StatusCode) -> Result<HttpResponse, AppError> {
    let mut crumbs = crumbs(scope, base);
    crumbs.push(Link { title: "Afbeeldingen".into(), url: base.to_owned() });
    let title = doc.name.clone();
    let mut c = admin_context(state, Some(signed), &title, crumbs);
    c.insert("problems", problems);
    c.insert("saved", &saved);
    c.insert("item", &row(doc, base));
    page(state, status, "admin/media-item.html", &c)
}

pub async fn item(req: HttpRequest, state: web::Data<AppState>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (scope, base) = scope_of(&req)?;
    let (s, key) = (scope.clone(), key_of(&req));
    let doc = with_editor(&req, &state, &signed, move |ed, _| Ok(ed.media_item(&s, &key)?)).await?;
    item_page(&state, &signed, &scope, &base, doc, &[], query.contains_key("opgeslagen"), StatusCode::OK)
}

/// Shows the item again after a refused change, with why.
async fn item_with_problem(req: &HttpRequest, state: &web::Data<AppState>, signed: &Signed, scope: &Scope, base: &str, e: AppError) -> Result<HttpResponse, AppError> {
    let conflict = matches!(e, AppError::Conflict(..));
    let Some(problem) = form_problem(&e).or_else(|| conflict.then(|| "Iemand anders heeft deze afbeelding intussen gewijzigd. Bekijk de nieuwe stand en probeer het opnieuw.".to_owned())) else {
        return Err(e);
    };
    let (s, key) = (scope.clone(), key_of(req));
    let doc = with_editor(req, state, signed, move |ed, _| Ok(ed.media_item(&s, &key)?)).await?;
    let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    item_page(state, signed, scope, base, doc, &[problem], false, status)
}

pub async fn save_text(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (scope, base) = scope_of(&req)?;
    let text = MediaText { alt: field(&form, "alt").unwrap_or_default(), decorative: field(&form, "decorative").is_some(), revision: form_revision(&form) };
    let (s, key) = (scope.clone(), key_of(&req));
    match with_editor(&req, &state, &signed, move |ed, _| Ok(ed.update_media(&s, &key, text, None)?)).await {
        Ok(doc) => Ok(see_other(&format!("{base}/{}?opgeslagen=1", doc.key))),
        Err(e) => item_with_problem(&req, &state, &signed, &scope, &base, e).await,
    }
}

pub async fn replace(req: HttpRequest, state: web::Data<AppState>, payload: Multipart) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    crate::web::limits::check(&req, &state, crate::web::limits::Bucket::Upload)?;
    let (scope, base) = scope_of(&req)?;
    let s = scope.clone();
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.require_media(&s, "media.replace").map(drop)?)).await?;
    let (s, key) = (scope.clone(), key_of(&req));
    let result = match read_upload(payload, &state, &signed).await? {
        Ok((upload, fields)) => {
            let base_revision = field(&fields, "revision").and_then(|r| r.parse().ok());
            with_editor(&req, &state, &signed, move |ed, st| Ok(ed.replace_media(&s, &key, upload, &st.media, base_revision)?)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(doc) => Ok(see_other(&format!("{base}/{}?opgeslagen=1", doc.key))),
        Err(e) => item_with_problem(&req, &state, &signed, &scope, &base, e).await,
    }
}

pub async fn delete(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (scope, base) = scope_of(&req)?;
    let revision = form_revision(&form);
    let (s, key) = (scope.clone(), key_of(&req));
    match with_editor(&req, &state, &signed, move |ed, _| Ok(ed.delete_media(&s, &key, revision)?)).await {
        Ok(()) => Ok(see_other(&base)),
        Err(e) => item_with_problem(&req, &state, &signed, &scope, &base, e).await,
    }
}

/// A small version of an image for the library, for whoever may use it.
pub async fn thumbnail(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let key = key_of(&req);
    let m = with_editor(&req, &state, &signed, move |ed, _| match ed.media_preview(&key) {
        Err(EditError::Forbidden) => Err(AppError::NotFound),
        other => Ok(other?),
    })
    .await?;
    let master = Encoding::from_format(&m.format);
    let width = crate::media::variants::widths_for(u32::try_from(m.width).unwrap_or(0)).first().copied();
    let files = state.media.clone();
    let bytes = web::block(move || files.file(&m.hash, width, Encoding::Webp, master, u32::try_from(m.width).unwrap_or(0))).await??.ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(Encoding::Webp.mime())
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .body(bytes))
}
