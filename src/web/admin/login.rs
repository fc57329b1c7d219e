//! Signing in and out. A login starts a new session (a fresh id, never one the browser
//! brought); failures are throttled per account and per address and audited; logout ends the
//! session on the server.

use std::collections::HashMap;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{admin_context, check_csrf, page, see_other, session_cookie, signed_in};
use crate::auth::accounts::{self, Login};
use crate::auth::secrets::{random_token, same_secret};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::site::client_address;

/// A cookie and form field pair that protects the login form itself against CSRF.
const LOGIN_COOKIE: &str = "meent_login";
/// Remembers a browser that signed in to an account, so strangers' failed logins for that
/// account never slow this browser down (see `auth::throttle`).
const DEVICE_COOKIE: &str = "meent_device";

/// Only paths on this site, so a login never sends anyone elsewhere.
fn safe_back(back: Option<&String>) -> String {
    match back {
        Some(b) if b.starts_with("/admin") && !b.starts_with("//") && !b.contains("://") => b.clone(),
        _ => "/admin".into(),
    }
}

fn login_page(state: &AppState, status: StatusCode, back: &str, email: &str, error: Option<&str>) -> Result<HttpResponse, AppError> {
    let token = random_token().map_err(AppError::internal)?;
    let mut c = admin_context(state, None, "Inloggen", vec![]);
    c.insert("back", back);
    c.insert("email", email);
    c.insert("error", &error);
    c.insert("login_token", &token);
    let mut response = page(state, status, "admin/login.html", &c)?;
    let cookie = Cookie::build(LOGIN_COOKIE, token).path("/admin").http_only(true).same_site(SameSite::Strict).secure(state.config.secure_cookies).finish();
    response.add_cookie(&cookie).map_err(AppError::internal)?;
    Ok(response)
}

pub async fn form(req: HttpRequest, state: web::Data<AppState>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    if signed_in(&req, &state).await.is_ok() {
        return Ok(see_other(&safe_back(query.get("terug"))));
    }
    login_page(&state, StatusCode::OK, &safe_back(query.get("terug")), "", None)
}

pub async fn submit(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    crate::web::limits::check(&req, &state, crate::web::limits::Bucket::Login)?;
    let form = form.into_inner();
    let back = safe_back(form.get("terug"));
    let cookie_token = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let form_token = form.get("login_token").cloned().unwrap_or_default();
    if cookie_token.is_empty() || !same_secret(&cookie_token, &form_token) {
        return login_page(&state, StatusCode::FORBIDDEN, &back, "", Some("Het formulier was verlopen. Probeer het opnieuw."));
    }
    // Shown again on the form: never more than an address can be.
    let email: String = form.get("email").map(|e| e.chars().take(254).collect()).unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let address = client_address(&req, &state);
    let device = req.cookie(DEVICE_COOKIE).map(|c| c.value().to_owned());
    let st = state.clone();
    let (e, p) = (email.clone(), password);
    let result = web::block(move || accounts::login(&st.pool, &e, &p, &address, device.as_deref(), crate::now())).await??;
    match result {
        Login::Ok { session_id, device, .. } => {
            let mut response = see_other(&back);
            response.add_cookie(&session_cookie(&state, &session_id, false)).map_err(AppError::internal)?;
            if let Some(value) = device {
                let cookie = Cookie::build(DEVICE_COOKIE, value)
                    .path("/admin")
                    .http_only(true)
                    .same_site(SameSite::Strict)
                    .secure(state.config.secure_cookies)
                    .max_age(actix_web::cookie::time::Duration::days(accounts::DEVICE_DAYS))
                    .finish();
                response.add_cookie(&cookie).map_err(AppError::internal)?;
            }
            Ok(response)
        }
        Login::Invalid => login_page(&state, StatusCode::UNAUTHORIZED, &back, &email, Some("Het e-mailadres of het wachtwoord klopt niet.")),
        Login::Throttled { retry_after } => {
            let minutes = (retry_after + 59) / 60;
            let wait = if retry_after < 60 { format!("{retry_after} seconden") } else if minutes == 1 { "een minuut".to_owned() } else { format!("{minutes} minuten") };
            let message = format!("Er is te vaak een verkeerd wachtwoord gebruikt. Probeer het over {wait} opnieuw.");
            let mut response = login_page(&state, StatusCode::TOO_MANY_REQUESTS, &back, &email, Some(&message))?;
            response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, retry_after.into());
            Ok(response)
        }
    }
}

pub async fn logout(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let address = client_address(&req, &state);
    let st = state.clone();
    let (id, email) = (signed.session_id.clone(), signed.actor.email.clone());
    web::block(move || -> Result<(), AppError> {
        let mut conn = st.pool.get()?;
        Ok(accounts::logout(&mut conn, &id, &email, &address, crate::now())?)
    })
    .await??;
    let mut response = see_other("/admin/inloggen");
    response.add_cookie(&session_cookie(&state, "", true)).map_err(AppError::internal)?;
    Ok(response)
}
