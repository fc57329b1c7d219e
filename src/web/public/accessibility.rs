//! The site's accessibility statement at `/toegankelijkheid` and `/en/accessibility`, in the
//! structure of the national model statement: whom and what it is about, the compliance
//! status, the audit behind it, the known problems, how to report a problem, the enforcement
//! procedure and the statement's date. A site without a statement says so (status E) rather
//! than leaving the footer's link without a page.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Layout, context, home_crumb, other, render, ui_text};
use crate::cache::Tag;
use crate::content::accessibility::{Statement, Status};
use crate::content::model::{Lang, Services};
use crate::render::paths;
use crate::render::views::date_in;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::respond::{Built, HTML, cached};
use crate::web::site::Resident;

#[derive(Serialize)]
struct ProblemView {
    description: String,
    /// Set when the text is not in the page's language.
    lang: Option<&'static str>,
    fix_by: Option<String>,
}

#[derive(Serialize)]
struct StatementView {
    /// Whether the site has a statement at all.
    made: bool,
    status: &'static str,
    status_label: String,
    status_explanation: String,
    date: Option<String>,
    audit_date: Option<String>,
    audit_url: Option<String>,
    problems: Vec<ProblemView>,
    /// Where a complaint goes next: the site's ombudsman, or the national one.
    ombudsman: String,
    ombudsman_url: String,
}

impl StatementView {
    fn new(state: &AppState, statement: Option<&Statement>, services: &Services, lang: Lang) -> StatementView {
        let (ombudsman, ombudsman_url) = services.ombudsman_in(lang);
        let status = statement.map_or(Status::E, |s| s.status);
        let text = |key: &str| ui_text(state, lang, &format!("{key}_{}", status.code()));
        StatementView {
            made: statement.is_some(),
            status: status.code(),
            status_label: text("a11y_status"),
            status_explanation: text("a11y_explain"),
            date: statement.map(|s| date_in(s.date, lang)),
            audit_date: statement.and_then(|s| s.audit_date).map(|d| date_in(d, lang)),
            audit_url: statement.and_then(|s| s.audit_url.clone()),
            problems: statement
                .map(|s| &s.problems[..])
                .unwrap_or_default()
                .iter()
                .map(|p| {
                    let english = p.description_en.as_ref().filter(|_| lang == Lang::En);
                    ProblemView {
                        description: english.unwrap_or(&p.description).clone(),
                        lang: (lang != Lang::Nl && english.is_none()).then_some("nl"),
                        fix_by: p.fix_by.map(|d| date_in(d, lang)),
                    }
                })
                .collect(),
            ombudsman: ombudsman.to_owned(),
            ombudsman_url: ombudsman_url.to_owned(),
        }
    }
}

pub async fn statement(req: HttpRequest, state: web::Data<AppState>, resident: Resident) -> Result<HttpResponse, AppError> {
    let lang = paths::lang_of(req.path());
    cached(&req, state, resident, move |ctx| {
        let site = &ctx.resident.site.site;
        let view = StatementView::new(ctx.state, site.accessibility.as_ref(), &site.services, lang);
        let title = ui_text(ctx.state, lang, "a11y_title");
        let layout = Layout {
            description: ui_text(ctx.state, lang, "a11y_description").replace("{site}", &site.name),
            title,
            path: paths::accessibility(lang).into(),
            nav: "",
            breadcrumbs: vec![home_crumb(lang)],
            structured: None,
            lang,
            alternate: Some(paths::accessibility(other(lang)).into()),
        };
        let (mut c, alerts_change) = context(ctx, layout)?;
        c.insert("statement", &view);
        let body = render(ctx, "accessibility.html", &c)?;
        // Site settings (the statement among them) make every page of the site stale.
        Ok(Built::ok(HTML, body, vec![Tag::Alerts], alerts_change))
    })
    .await
}
