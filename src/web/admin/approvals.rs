//! Four eyes in the admin (`edit::approval`): what waits for the editor's approval and what of
//! theirs waits or came back (`/admin/goedkeuren`), one proposal with what it changes and the
//! forms to approve or send it back, and, for admins, whether a scope asks for approval.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{admin_context, check_csrf, field, page, see_other, signed_in, with_editor};
use crate::auth::permissions::Scope;
use crate::edit::approval::{ApprovalSetting, ProposalView};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

#[derive(Serialize)]
struct Row {
    url: String,
    title: String,
    what: &'static str,
    scope: String,
    author: String,
    state: &'static str,
    note: Option<String>,
    when: String,
}

fn what(kind: &str) -> &'static str {
    match kind {
        "product" => "Product (landelijk)",
        "override" => "Aanpassing van een product",
        "page" => "Pagina",
        "news" => "Nieuws",
        "alert" => "Melding",
        _ => "Wijziging",
    }
}

fn state_label(state: &str) -> &'static str {
    match state {
        "waiting" => "Wacht op goedkeuring",
        "returned" => "Teruggestuurd",
        "approved" => "Goedgekeurd en gepubliceerd",
        _ => "Onbekend",
    }
}

fn when(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.with_timezone(&chrono_tz::Europe::Amsterdam).format("%d-%m-%Y %H:%M").to_string())
        .unwrap_or_default()
}

fn row(v: &ProposalView) -> Row {
    let p = &v.proposal;
    Row {
        url: format!("/admin/goedkeuren/{}", p.id),
        title: p.title.clone(),
        what: what(&p.kind),
        scope: p.scope.clone(),
        author: p.author.clone(),
        state: state_label(&p.state),
        note: p.note.clone(),
        when: when(p.created_at),
    }
}

#[derive(Serialize)]
struct SettingRow {
    scope: String,
    required: bool,
}

fn crumbs() -> Vec<Link> {
    vec![Link { title: "Overzicht".into(), url: "/admin".into() }]
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (approvals, settings) = with_editor(&req, &state, &signed, |ed, _| {
        let approvals = ed.approvals()?;
        // The scopes this user administers, with whether each asks for approval.
        let mut scopes = Vec::new();
        if ed.actor.may_administer(&Scope::National, ed.directory) {
            scopes.push(Scope::National);
        }
        let groups: Vec<String> = crate::db::models::layers::groups(ed.conn)?.into_iter().map(|(_, g)| g.slug).collect();
        scopes.extend(groups.into_iter().map(Scope::Group).filter(|s| ed.actor.may_administer(s, ed.directory)));
        scopes.extend(ed.directory.sites().iter().map(|s| Scope::Site(s.site.slug.clone())).filter(|s| ed.actor.may_administer(s, ed.directory)));
        let mut settings = Vec::new();
        for scope in scopes {
            settings.push(SettingRow { required: ed.approval_required(&scope)?, scope: scope.to_string() });
        }
        Ok((approvals, settings))
    })
    .await?;
    let mut c = admin_context(&state, Some(&signed), "Goedkeuren", crumbs());
    c.insert("to_approve", &approvals.to_approve.iter().map(row).collect::<Vec<_>>());
    c.insert("mine", &approvals.mine.iter().map(row).collect::<Vec<_>>());
    c.insert("settings", &settings);
    c.insert("saved", &req.query_string().contains("opgeslagen"));
    page(&state, StatusCode::OK, "admin/approvals.html", &c)
}

/// A document as lines to compare: pretty JSON without what every save changes.
fn comparable(value: Option<&serde_json::Value>) -> String {
    let Some(serde_json::Value::Object(map)) = value else { return String::new() };
    let mut map = map.clone();
    for volatile in ["revision", "updated", "based_on", "lang", "id"] {
        map.remove(volatile);
    }
    serde_json::to_string_pretty(&map).unwrap_or_default()
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    proposal_page(&req, &state, &signed, id.into_inner(), &[], StatusCode::OK).await
}

async fn proposal_page(req: &HttpRequest, state: &web::Data<AppState>, signed: &super::Signed, id: i64, problems: &[String], status: StatusCode) -> Result<HttpResponse, AppError> {
    let me = signed.actor.email.clone();
    let (view, current) = with_editor(req, state, signed, move |ed, _| {
        let view = ed.proposal(id)?;
        let current = ed.proposal_current(&view)?;
        Ok((view, current))
    })
    .await?;
    let p = &view.proposal;
    let diff = crate::render::diff::html(&comparable(current.as_ref()), &comparable(Some(&view.document)));
    let mut c = admin_context(state, Some(signed), &format!("Voorstel: {}", p.title), {
        let mut crumbs = crumbs();
        crumbs.push(Link { title: "Goedkeuren".into(), url: "/admin/goedkeuren".into() });
        crumbs
    });
    c.insert("p", &row(&view));
    c.insert("id", &p.id);
    c.insert("new_item", &current.is_none());
    c.insert("deletes", &view.document.is_null());
    c.insert("diff", &diff);
    c.insert("decided_by", &p.decided_by);
    c.insert("own", &(p.author == me));
    c.insert("waiting", &(p.state == "waiting"));
    c.insert("problems", problems);
    page(state, status, "admin/proposal.html", &c)
}

pub async fn approve(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let id = id.into_inner();
    decided(&req, &state, &signed, id, with_editor(&req, &state, &signed, move |ed, _| Ok(ed.approve(id)?)).await).await
}

pub async fn send_back(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let id = id.into_inner();
    let note = form.get("note").cloned().unwrap_or_default();
    decided(&req, &state, &signed, id, with_editor(&req, &state, &signed, move |ed, _| Ok(ed.send_back(id, &note)?)).await).await
}

/// After a decision: back to the list, or the proposal with why it could not be decided.
async fn decided(req: &HttpRequest, state: &web::Data<AppState>, signed: &super::Signed, id: i64, result: Result<ProposalView, AppError>) -> Result<HttpResponse, AppError> {
    let (problem, status) = match result {
        Ok(_) => return Ok(see_other("/admin/goedkeuren?opgeslagen=1")),
        Err(AppError::Invalid(problems)) => (problems.join("; "), StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::OwnChange) => (AppError::OwnChange.to_string(), StatusCode::FORBIDDEN),
        Err(AppError::Conflict(..) | AppError::ChangedMeanwhile) => (
            "Dit is veranderd sinds het voorstel is gemaakt; er is niets opgeslagen. Stuur het voorstel terug, zodat de auteur het op de nieuwe versie maakt.".to_owned(),
            StatusCode::CONFLICT,
        ),
        Err(e) => return Err(e),
    };
    proposal_page(req, state, signed, id, &[problem], status).await
}

/// Admins switch approval on or off for a scope they administer.
pub async fn setting(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let setting = ApprovalSetting { scope: field(&form, "scope").unwrap_or_default(), required: form.get("required").map(String::as_str) == Some("aan") };
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.set_approval(setting)?)).await?;
    Ok(see_other("/admin/goedkeuren?opgeslagen=1"))
}
