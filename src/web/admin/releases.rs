//! Releases in the admin (`edit::releases`): the releases of the editor's scopes and a form to
//! start one (`/admin/releases`); one release with its changes, a preview of a product on a
//! site, and publishing it now or at a moment, or undoing it (`/admin/releases/<id>`).
//! Changes join a release from the product and override forms ("Opslaan in release").

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Choice, Signed, admin_context, check_csrf, field, local_to_rfc3339, page, see_other, signed_in, with_editor};
use crate::edit::releases::{NewRelease, ReleaseView, Schedule};
use crate::render::markdown::{self, SECTION};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

#[derive(Serialize)]
struct Row {
    url: String,
    name: String,
    scope: String,
    state: &'static str,
}

fn state_label(state: &str) -> &'static str {
    match state {
        "open" => "Open",
        "scheduled" => "Gepland",
        "published" => "Gepubliceerd",
        "undone" => "Teruggedraaid",
        _ => "Onbekend",
    }
}

fn when(at: Option<i64>) -> String {
    at.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.with_timezone(&chrono_tz::Europe::Amsterdam).format("%d-%m-%Y %H:%M").to_string())
        .unwrap_or_default()
}

fn crumbs() -> Vec<Link> {
    vec![Link { title: "Overzicht".into(), url: "/admin".into() }]
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    list_page(&req, &state, &signed, &[], StatusCode::OK).await
}

async fn list_page(req: &HttpRequest, state: &web::Data<AppState>, signed: &Signed, problems: &[String], status: StatusCode) -> Result<HttpResponse, AppError> {
    let (releases, scopes) = with_editor(req, state, signed, |ed, _| Ok((ed.releases()?, ed.release_scopes()?))).await?;
    let rows: Vec<Row> = releases.into_iter().map(|r| Row { url: format!("/admin/releases/{}", r.id), name: r.name, scope: r.scope, state: state_label(&r.state) }).collect();
    let mut c = admin_context(state, Some(signed), "Releases", crumbs());
    c.insert("releases", &rows);
    c.insert("scopes", &scopes.into_iter().map(|s| Choice { label: s.clone(), value: s, selected: false }).collect::<Vec<_>>());
    c.insert("problems", problems);
    page(state, status, "admin/releases.html", &c)
}

pub async fn create(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let new = NewRelease { scope: form.get("scope").cloned().unwrap_or_default(), name: form.get("name").cloned().unwrap_or_default() };
    match with_editor(&req, &state, &signed, move |ed, _| Ok(ed.create_release(new)?)).await {
        Ok(made) => Ok(see_other(&format!("/admin/releases/{}", made.release.id))),
        Err(AppError::Invalid(problems)) => list_page(&req, &state, &signed, &problems, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct ChangeRow {
    title: String,
    kind: String,
    author: String,
    state: String,
    deletes: bool,
}

#[derive(Serialize)]
struct PreviewSection {
    heading: String,
    html: String,
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let id = id.into_inner();
    // A preview of a product on a site, when asked for.
    let site = query.get("site").cloned().filter(|s| !s.is_empty());
    let product = query.get("product").cloned().filter(|s| !s.is_empty());
    let mut problems = Vec::new();
    let preview = match (site, product) {
        (Some(site), Some(slug)) => match with_editor(&req, &state, &signed, move |ed, _| Ok((ed.preview_release(id, &site, &slug)?, site))).await {
            Ok((r, site)) => Some((site, r.title, r.sections.iter().map(|s| PreviewSection { heading: s.heading.clone(), html: markdown::to_html(&s.body, SECTION) }).collect::<Vec<_>>())),
            Err(AppError::Invalid(p)) => {
                problems = p;
                None
            }
            Err(AppError::NotFound) => {
                problems.push("Die website of dat product bestaat niet.".to_owned());
                None
            }
            Err(e) => return Err(e),
        },
        _ => None,
    };
    release_page(&req, &state, &signed, id, &problems, preview, query.contains_key("toegevoegd"), StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn release_page(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    signed: &Signed,
    id: i64,
    problems: &[String],
    preview: Option<(String, String, Vec<PreviewSection>)>,
    added: bool,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let view: ReleaseView = with_editor(req, state, signed, move |ed, _| Ok(ed.release_view(id)?)).await?;
    let sites: Vec<Choice> = super::super::directory(state).sites().iter().map(|s| Choice { value: s.site.slug.clone(), label: s.site.name.clone(), selected: false }).collect();
    let r = &view.release;
    let mut products: Vec<String> = view.changes.iter().filter_map(|c| match c.proposal.kind.as_str() {
        "product" => Some(c.proposal.target.clone()),
        "override" => c.proposal.target.rsplit('/').next().map(str::to_owned),
        _ => None,
    }).collect();
    products.sort();
    products.dedup();
    let changes: Vec<ChangeRow> = view
        .changes
        .iter()
        .map(|c| ChangeRow { title: c.proposal.title.clone(), kind: c.proposal.kind.clone(), author: c.proposal.author.clone(), state: c.proposal.state.clone(), deletes: c.document.is_null() })
        .collect();
    let mut c = admin_context(state, Some(signed), &format!("Release: {}", r.name), {
        let mut crumbs = crumbs();
        crumbs.push(Link { title: "Releases".into(), url: "/admin/releases".into() });
        crumbs
    });
    c.insert("id", &r.id);
    c.insert("scope", &r.scope);
    c.insert("state", &r.state);
    c.insert("state_label", state_label(&r.state));
    c.insert("publish_at", &when(r.publish_at));
    c.insert("published_at", &when(r.published_at));
    c.insert("changes", &changes);
    c.insert("products", &products);
    c.insert("sites", &sites);
    c.insert("preview", &preview.as_ref().map(|(site, title, _)| (site, title)));
    c.insert("preview_sections", &preview.map(|(_, _, s)| s).unwrap_or_default());
    c.insert("problems", problems);
    c.insert("added", &added);
    page(state, status, "admin/release.html", &c)
}

/// Publish now, schedule, or undo; problems are shown on the release's page.
pub async fn act(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(i64, String)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (id, action) = path.into_inner();
    let at = local_to_rfc3339(field(&form, "publish_at"));
    let result = with_editor(&req, &state, &signed, move |ed, _| {
        Ok(match action.as_str() {
            "publiceren" => ed.publish_release(id)?,
            "plannen" => ed.schedule_release(id, Schedule { publish_at: at })?,
            "terugdraaien" => ed.undo_release(id)?,
            _ => return Err(AppError::NotFound),
        })
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/admin/releases/{id}"))),
        Err(AppError::Invalid(problems)) => release_page(&req, &state, &signed, id, &problems, None, false, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}
