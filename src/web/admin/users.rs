//! Accounts and the audit log, for admins of a scope.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Outcome, admin_context, check_csrf, field, outcome, page, see_other, signed_in, with_editor};
use crate::edit::NewUser;
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

fn crumbs() -> Vec<Link> {
    vec![Link { title: "Overzicht".into(), url: "/admin".into() }]
}

pub async fn users(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    users_page(req, state, vec![], None).await
}

async fn users_page(req: HttpRequest, state: web::Data<AppState>, problems: Vec<String>, created: Option<(String, String)>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let list = with_editor(&req, &state, &signed, |ed, _| Ok(ed.users()?)).await?;
    let mut c = admin_context(&state, Some(&signed), "Gebruikers", crumbs());
    c.insert("users", &list);
    c.insert("problems", &problems);
    c.insert("created", &created);
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page(&state, status, "admin/users.html", &c)
}

pub async fn create(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let new = NewUser {
        email: form.get("email").cloned().unwrap_or_default(),
        role: form.get("role").cloned().unwrap_or_default(),
        scope: form.get("scope").cloned().unwrap_or_default(),
        password: field(&form, "password"),
    };
    let result = with_editor(&req, &state, &signed, move |ed, _| outcome(ed.create_user(new))).await?;
    match result {
        Outcome::Saved(created) => users_page(req, state, vec![], Some((created.email, created.token))).await,
        Outcome::Problems(p) => users_page(req, state, p, None).await,
        Outcome::Conflict { .. } => Err(AppError::NotFound),
    }
}

pub async fn disable(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let id = id.into_inner();
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.disable_user(id)?)).await?;
    Ok(see_other("/admin/gebruikers"))
}

pub async fn audit(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let entries = with_editor(&req, &state, &signed, |ed, _| Ok(ed.audit_log(300)?)).await?;
    let rows: Vec<_> = entries
        .into_iter()
        .map(|e| serde_json::json!({ "at": crate::content::files::rfc3339(e.at), "actor": e.actor, "action": e.action, "object": e.object, "result": e.result, "origin": e.origin }))
        .collect();
    let mut c = admin_context(&state, Some(&signed), "Logboek", crumbs());
    c.insert("rows", &rows);
    page(&state, StatusCode::OK, "admin/audit.html", &c)
}
