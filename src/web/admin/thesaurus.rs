//! The search thesaurus in the admin, without JavaScript: the central team's at
//! `/admin/zoeken`, a group's or a site's at `/admin/<groepen|sites>/<slug>/zoeken`, edited as
//! the text of its `thesaurus.toml` (the content format, docs/content-format.md 2.10). From the
//! dashboard's searches without result, `?woord=` adds a concept for the query and
//! `?vastzetten=` a pin, ready to complete.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::dashboard::kind_segment;
use super::overrides::admin_owner;
use super::{Signed, admin_context, check_csrf, page, signed_in, with_editor};
use crate::content::model::Owner;
use crate::content::thesaurus::{from_toml, to_toml};
use crate::edit::EditError;
use crate::edit::thesaurus::ThesaurusDoc;
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

/// The text of a thesaurus, with what the dashboard asked to add at the end.
fn text_of(doc: &ThesaurusDoc, query: &HashMap<String, String>) -> Result<String, AppError> {
    let model = crate::content::model::Thesaurus { concepts: doc.concepts.clone(), pins: doc.pins.clone() };
    let mut text = to_toml(&model).map_err(AppError::internal)?;
    let quoted = |v: &str| toml::Value::String(v.trim().to_owned()).to_string();
    if let Some(word) = query.get("woord").filter(|w| !w.trim().is_empty()) {
        text.push_str(&format!("\n# Vul bij words het woord uit de producttekst in.\n[[concept]]\nwords = []\neveryday = [{}]\n", quoted(word)));
    }
    if let Some(q) = query.get("vastzetten").filter(|w| !w.trim().is_empty()) {
        text.push_str(&format!("\n# Vul bij target het pad van de pagina in, bijvoorbeeld /producten/paspoort-aanvragen.\n[[pin]]\nquery = {}\ntarget = \"\"\n", quoted(q)));
    }
    Ok(text)
}

fn action(owner: Option<&Owner>) -> String {
    match owner {
        None => "/admin/zoeken".to_owned(),
        Some(o) => format!("/admin/{}/{}/zoeken", kind_segment(o), o.slug()),
    }
}

struct Form<'a> {
    text: &'a str,
    revision: i64,
    problems: &'a [String],
    saved: bool,
}

fn thesaurus_page(state: &AppState, signed: &Signed, owner: Option<&Owner>, form: Form, status: StatusCode) -> Result<HttpResponse, AppError> {
    let mut crumbs = vec![Link { title: "Overzicht".into(), url: "/admin".into() }];
    if let Some(o) = owner {
        crumbs.push(Link { title: o.slug().to_owned(), url: format!("/admin/{}/{}", kind_segment(o), o.slug()) });
    }
    let title = match owner {
        None => "Zoeken: landelijke woordenlijst".to_owned(),
        Some(o) => format!("Zoeken: woordenlijst van {}", o.slug()),
    };
    let mut c = admin_context(state, Some(signed), &title, crumbs);
    c.insert("text", form.text);
    c.insert("revision", &form.revision);
    c.insert("problems", form.problems);
    c.insert("saved", &form.saved);
    c.insert("action", &action(owner));
    c.insert("national", &owner.is_none());
    page(state, status, "admin/thesaurus.html", &c)
}

async fn show(req: HttpRequest, state: web::Data<AppState>, owner: Option<Owner>, query: HashMap<String, String>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let o = owner.clone();
    let doc = with_editor(&req, &state, &signed, move |ed, _| Ok(ed.thesaurus(o.as_ref())?)).await?;
    let text = text_of(&doc, &query)?;
    let form = Form { text: &text, revision: doc.revision.unwrap_or(0), problems: &[], saved: query.contains_key("opgeslagen") };
    thesaurus_page(&state, &signed, owner.as_ref(), form, StatusCode::OK)
}

async fn save(req: HttpRequest, state: web::Data<AppState>, owner: Option<Owner>, form: HashMap<String, String>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let text = form.get("toml").cloned().unwrap_or_default().replace("\r\n", "\n");
    let revision: i64 = form.get("revision").and_then(|r| r.parse().ok()).unwrap_or(0);
    let refuse = |problems: Vec<String>, status| thesaurus_page(&state, &signed, owner.as_ref(), Form { text: &text, revision, problems: &problems, saved: false }, status);
    let model = match from_toml(&text) {
        Ok(model) => model,
        Err(problems) => {
            let lines = problems.into_iter().map(|(line, m)| line.map_or(m.clone(), |l| format!("regel {l}: {m}"))).collect();
            return refuse(lines, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let doc = ThesaurusDoc { concepts: model.concepts, pins: model.pins, revision: Some(revision) };
    let o = owner.clone();
    let result = with_editor(&req, &state, &signed, move |ed, _| match ed.put_thesaurus(o.as_ref(), doc, Some(revision)) {
        Ok(_) => Ok(Ok(())),
        Err(EditError::Conflict { current, .. }) => Ok(Err(current)),
        Err(e) => Err(e.into()),
    })
    .await?;
    match result {
        Ok(()) => Ok(super::see_other(&format!("{}?opgeslagen=1", action(owner.as_ref())))),
        Err(current) => refuse(
            vec![format!("Iemand anders heeft deze woordenlijst intussen opgeslagen (versie {current}). Kopieer uw tekst, open de pagina opnieuw en voeg uw wijziging weer toe.")],
            StatusCode::CONFLICT,
        ),
    }
}

pub async fn national_form(req: HttpRequest, state: web::Data<AppState>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    show(req, state, None, query.into_inner()).await
}

pub async fn national_save(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    save(req, state, None, form.into_inner()).await
}

pub async fn layer_form(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let (kind, slug) = path.into_inner();
    let owner = Some(admin_owner(&kind, &slug)?);
    show(req, state, owner, query.into_inner()).await
}

pub async fn layer_save(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let (kind, slug) = path.into_inner();
    let owner = Some(admin_owner(&kind, &slug)?);
    save(req, state, owner, form.into_inner()).await
}
