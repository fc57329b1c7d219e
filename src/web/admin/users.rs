//! Accounts, API tokens and the audit log, for admins of a scope; every signed-in editor's
//! own API tokens.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Outcome, Signed, admin_context, check_csrf, field, outcome, page, see_other, signed_in, with_editor};
use crate::db::models::accounts::Token;
use crate::edit::{Created, MintedToken, NewToken, NewUser, PasswordReset};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

fn crumbs() -> Vec<Link> {
    vec![Link { title: "Overzicht".into(), url: "/admin".into() }]
}

pub async fn users(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    users_page(req, state, vec![], None).await
}

async fn users_page(req: HttpRequest, state: web::Data<AppState>, problems: Vec<String>, created: Option<Created>) -> Result<HttpResponse, AppError> {
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
        Outcome::Pending(url) => Ok(super::see_other(&url)),
        Outcome::Saved(created) => users_page(req, state, vec![], Some(created)).await,
        Outcome::Problems(p) => users_page(req, state, p, None).await,
        Outcome::Conflict { .. } => Err(AppError::internal("an account has no revision to conflict with")),
    }
}

pub async fn disable(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let id = id.into_inner();
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.disable_user(id)?)).await?;
    Ok(see_other("/admin/gebruikers"))
}

/// A token as the admin pages show it.
#[derive(Serialize)]
struct TokenRow {
    id: i64,
    name: String,
    created: String,
    expires: String,
    last_used: String,
    live: bool,
    state: &'static str,
}

fn token_rows(tokens: Vec<Token>, now: i64) -> Vec<TokenRow> {
    let day = |t: i64| crate::content::files::rfc3339(t).chars().take(10).collect::<String>();
    tokens
        .into_iter()
        .map(|t| {
            let expired = t.expires_at.is_some_and(|e| e <= now);
            TokenRow {
                id: t.id,
                name: t.label,
                created: day(t.created_at),
                expires: t.expires_at.map(day).unwrap_or_default(),
                last_used: t.last_used_at.map(day).unwrap_or_else(|| "nooit".into()),
                live: t.revoked_at.is_none() && !expired,
                state: if t.revoked_at.is_some() { "Ingetrokken" } else if expired { "Verlopen" } else { "Geldig" },
            }
        })
        .collect()
}

/// One account: its grants and tokens, with password reset and disabling.
pub async fn user(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    user_page(req, state, id.into_inner(), None, None, vec![]).await
}

async fn user_page(req: HttpRequest, state: web::Data<AppState>, id: i64, done: Option<&str>, password: Option<String>, problems: Vec<String>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (account, tokens) = with_editor(&req, &state, &signed, move |ed, _| Ok((ed.user(id, "users.read")?, ed.user_tokens(id)?))).await?;
    let mut crumbs = crumbs();
    crumbs.push(Link { title: "Gebruikers".into(), url: "/admin/gebruikers".into() });
    let mut c = admin_context(&state, Some(&signed), &account.email, crumbs);
    c.insert("account", &account);
    c.insert("tokens", &token_rows(tokens, crate::now()));
    c.insert("back", &format!("/admin/gebruikers/{id}"));
    c.insert("done", &done);
    c.insert("password", &password);
    c.insert("problems", &problems);
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page(&state, status, "admin/user.html", &c)
}

pub async fn reset(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let id = id.into_inner();
    let reset = PasswordReset { password: field(&form, "password") };
    let result = with_editor(&req, &state, &signed, move |ed, _| outcome(ed.reset_password(id, reset))).await?;
    match result {
        Outcome::Pending(url) => Ok(super::see_other(&url)),
        Outcome::Saved(done) => {
            // Resetting one's own password ends this session too.
            if id == signed.actor.user_id {
                return Ok(see_other("/admin/inloggen"));
            }
            user_page(req, state, id, Some("Het wachtwoord is opnieuw ingesteld. Alle sessies en API-sleutels van dit account zijn gestopt."), done.password, vec![]).await
        }
        Outcome::Problems(p) => user_page(req, state, id, None, None, p).await,
        Outcome::Conflict { .. } => Err(AppError::internal("an account has no revision to conflict with")),
    }
}

/// The signed-in editor's own API tokens.
pub async fn tokens(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    tokens_page(&req, &state, &signed, None, vec![]).await
}

async fn tokens_page(req: &HttpRequest, state: &web::Data<AppState>, signed: &Signed, minted: Option<MintedToken>, problems: Vec<String>) -> Result<HttpResponse, AppError> {
    let tokens = with_editor(req, state, signed, |ed, _| Ok(ed.own_tokens()?)).await?;
    let mut c = admin_context(state, Some(signed), "API-sleutels", crumbs());
    c.insert("tokens", &token_rows(tokens, crate::now()));
    c.insert("back", "/admin/sleutels");
    c.insert("minted", &minted.map(|m| serde_json::json!({ "name": m.record.label, "token": m.token })));
    c.insert("problems", &problems);
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page(state, status, "admin/tokens.html", &c)
}

pub async fn create_token(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let days = match field(&form, "days") {
        None => None,
        Some(d) => match d.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return tokens_page(&req, &state, &signed, None, vec![format!("Geldig: {d:?} is geen aantal dagen.")]).await,
        },
    };
    let new = NewToken { name: form.get("name").cloned().unwrap_or_default(), expires_in_days: days };
    match with_editor(&req, &state, &signed, move |ed, _| outcome(ed.create_token(new))).await? {
        Outcome::Pending(url) => Ok(super::see_other(&url)),
        Outcome::Saved(minted) => tokens_page(&req, &state, &signed, Some(minted), vec![]).await,
        Outcome::Problems(p) => tokens_page(&req, &state, &signed, None, p).await,
        Outcome::Conflict { .. } => Err(AppError::internal("a token has no revision to conflict with")),
    }
}

pub async fn revoke_token(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i64>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let id = id.into_inner();
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.revoke_token(id)?)).await?;
    let back = form.get("terug").filter(|b| b.starts_with("/admin/") && !b.starts_with("//")).cloned().unwrap_or_else(|| "/admin/sleutels".into());
    Ok(see_other(&back))
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
