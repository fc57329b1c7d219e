//! A site's feedback and page views in the admin (`edit::residents`): the feedback per page
//! with the comments newest first, filtered by page, answer and month; the month's most viewed
//! pages, and their export as CSV.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{admin_context, page, signed_in, with_editor};
use crate::edit::residents::FeedbackQuery;
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

fn crumbs(site: &str) -> Vec<Link> {
    vec![Link { title: "Overzicht".into(), url: "/admin".into() }, Link { title: site.to_owned(), url: format!("/admin/sites/{site}") }]
}

pub async fn feedback(req: HttpRequest, state: web::Data<AppState>, site: web::Path<String>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let site = site.into_inner();
    let q = FeedbackQuery { url: query.get("pagina").cloned(), nuttig: query.get("nuttig").cloned(), month: query.get("maand").cloned() };
    let (s, shown) = (site.clone(), q.clone());
    let report = with_editor(&req, &state, &signed, move |ed, _| Ok(ed.feedback(&s, &shown)?)).await?;
    let mut c = admin_context(&state, Some(&signed), "Reacties van inwoners", crumbs(&site));
    c.insert("site", &site);
    c.insert("report", &report);
    c.insert("pagina", &q.url.unwrap_or_default());
    c.insert("nuttig", &q.nuttig.unwrap_or_default());
    c.insert("maand", &q.month.unwrap_or_default());
    page(&state, StatusCode::OK, "admin/feedback.html", &c)
}

/// The month asked for (`?maand=YYYY-MM`), or this one.
fn month(query: &HashMap<String, String>) -> String {
    query.get("maand").filter(|m| !m.is_empty()).cloned().unwrap_or_else(|| crate::statistics::month_of(crate::now()))
}

/// A site's page views of a month, after writing what this node counted meanwhile.
async fn month_rows(req: &HttpRequest, state: &web::Data<AppState>, signed: &super::Signed, site: &str, month: &str) -> Result<Vec<crate::db::models::page_views::Row>, AppError> {
    let (s, m) = (site.to_owned(), month.to_owned());
    let views = state.views.clone();
    with_editor(req, state, signed, move |ed, _| {
        if let Some(Err(e)) = views.as_ref().map(|v| v.flush(ed.conn)) {
            tracing::warn!(error = %e, "cannot write page views yet");
        }
        Ok(ed.statistics(&s, &m)?)
    })
    .await
}

pub async fn statistics(req: HttpRequest, state: web::Data<AppState>, site: web::Path<String>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (site, month) = (site.into_inner(), month(&query));
    let rows = month_rows(&req, &state, &signed, &site, &month).await?;
    // The month's pages, most viewed first, with their views per device type.
    let mut pages: Vec<(String, [i64; 4])> = Vec::new();
    for r in &rows {
        let i = match pages.iter().position(|(p, _)| *p == r.path) {
            Some(i) => i,
            None => {
                pages.push((r.path.clone(), [0; 4]));
                pages.len() - 1
            }
        };
        let column = match r.device.as_str() {
            "desktop" => 1,
            "mobile" => 2,
            _ => 3,
        };
        pages[i].1[0] += r.views;
        pages[i].1[column] += r.views;
    }
    pages.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then(a.0.cmp(&b.0)));
    let mut c = admin_context(&state, Some(&signed), "Bezoek", crumbs(&site));
    c.insert("site", &site);
    c.insert("maand", &month);
    c.insert("pages", &pages.iter().take(100).collect::<Vec<_>>());
    c.insert("total", &pages.iter().map(|(_, n)| n[0]).sum::<i64>());
    page(&state, StatusCode::OK, "admin/statistics.html", &c)
}

pub async fn statistics_csv(req: HttpRequest, state: web::Data<AppState>, site: web::Path<String>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (site, month) = (site.into_inner(), month(&query));
    let rows = month_rows(&req, &state, &signed, &site, &month).await?;
    let base = crate::web::site::site_base_url(&req, &state, &site).unwrap_or_default();
    let text = crate::statistics::csv(&crate::statistics::export(rows, &base));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"bezoek-{site}-{month}.csv\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}
