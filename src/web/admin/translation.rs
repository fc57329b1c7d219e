//! The English text beside the Dutch one, per part, in the admin: for a catalogue product
//! (central team), a layer's override, and pages and news items. The Dutch text is shown
//! read-only; the form holds the translation (texts only: everything else is the Dutch
//! item's). Saving goes through the same `Editor` operations as the admin API.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::dashboard::kind_segment;
use super::layer::AdminForm;
use super::overrides::admin_owner;
use super::{Conflict, FormState, Outcome, Signed, admin_context, check_csrf, conflict_page, field, form_revision, outcome, page, see_other, signed_in, with_editor};
use crate::content::model::{Lang, Owner, SectionMode};
use crate::edit::documents::{OverrideSectionDoc, SectionDoc};
use crate::edit::translations::{ItemTextDoc, OverrideTextDoc, ProductTextDoc, Translated};
use crate::edit::{EditError, Editor};
use crate::render::markdown::{self, SECTION};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

/// One part of the form: the Dutch text beside its translation.
#[derive(Serialize, Default)]
struct Part {
    key: String,
    dutch_heading: String,
    dutch_html: String,
    heading: String,
    body: String,
    /// Shown for an override's part ("Aanvullen (na)"); the mode is the Dutch override's.
    mode: Option<&'static str>,
}

#[derive(Serialize, Default)]
struct Form {
    dutch_title: String,
    dutch_summary: String,
    title: String,
    summary: String,
    /// An override that opts out: its Dutch reason, and the English one.
    dutch_reason: Option<String>,
    reason: String,
    parts: Vec<Part>,
    /// The translation's revision (none: there is none yet).
    revision: Option<i64>,
    /// Why no translation can be written here yet, if so.
    blocked: Option<String>,
    /// Whether the title and summary may be left empty (an override's).
    optional_title: bool,
}

fn mode_label(mode: SectionMode) -> &'static str {
    match mode {
        SectionMode::Replace => "Vervangen",
        SectionMode::Append => "Aanvullen (na)",
        SectionMode::Prepend => "Aanvullen (voor)",
        SectionMode::Hide => "Verbergen",
    }
}

fn render(state: &AppState, signed: &Signed, title: &str, crumbs: Vec<Link>, action: &str, form: &Form, status: FormState, code: StatusCode) -> Result<HttpResponse, AppError> {
    let mut c = admin_context(state, Some(signed), &format!("{title}: Engelse tekst"), crumbs);
    c.insert("action", action);
    c.insert("f", form);
    c.insert("problems", status.problems);
    c.insert("saved", &status.saved);
    page(state, code, "admin/translation.html", &c)
}

/// The parts a form sent, in the order of `keys`.
fn sent_parts(form: &HashMap<String, String>, keys: &[String]) -> Vec<(String, String, String)> {
    keys.iter()
        .map(|k| (k.clone(), form.get(&format!("heading.{k}")).cloned().unwrap_or_default(), form.get(&format!("body.{k}")).cloned().unwrap_or_default()))
        .filter(|(_, heading, body)| !heading.trim().is_empty() || !body.trim().is_empty())
        .collect()
}

// Catalogue products.

fn product_form(ed: &mut Editor, slug: &str) -> Result<Form, AppError> {
    ed.require_catalogue("translation.read")?;
    let (_, product) = ed.visible_product(slug)?;
    let english = product.english.as_ref();
    Ok(Form {
        dutch_title: product.title.clone(),
        dutch_summary: product.summary.clone(),
        title: english.map(|t| t.text.title.clone()).unwrap_or_default(),
        summary: english.map(|t| t.text.summary.clone()).unwrap_or_default(),
        parts: product
            .sections
            .iter()
            .map(|s| {
                let t = english.and_then(|t| t.text.sections.iter().find(|e| e.key == s.key));
                Part {
                    key: s.key.clone(),
                    dutch_heading: s.heading.clone(),
                    dutch_html: markdown::to_html(&s.body, SECTION),
                    heading: t.map(|t| t.heading.clone()).unwrap_or_default(),
                    body: t.map(|t| t.body.clone()).unwrap_or_default(),
                    mode: None,
                }
            })
            .collect(),
        revision: english.map(|t| t.revision),
        ..Form::default()
    })
}

fn catalogue_crumbs(slug: &str) -> Vec<Link> {
    vec![Link { title: "Overzicht".into(), url: "/admin".into() }, Link { title: "Catalogus".into(), url: "/admin/catalogus".into() }, Link { title: slug.to_owned(), url: format!("/admin/catalogus/{slug}") }]
}

pub async fn product(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let slug = slug.into_inner();
    let s = slug.clone();
    let form = with_editor(&req, &state, &signed, move |ed, _| product_form(ed, &s)).await?;
    let saved = FormState { saved: query.contains_key("opgeslagen"), ..FormState::default() };
    render(&state, &signed, &form.dutch_title, catalogue_crumbs(&slug), &format!("/admin/catalogus/{slug}/engels"), &form, saved, StatusCode::OK)
}

pub async fn save_product(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (slug, form) = (slug.into_inner(), form.into_inner());
    let (s, f) = (slug.clone(), form.clone());
    let result = with_editor(&req, &state, &signed, move |ed, _| {
        let base = form_revision(&f);
        if f.contains_key("verwijderen") {
            return outcome(ed.delete_product_translation(&s, Lang::En, base).map(|()| ()));
        }
        let (_, product) = ed.visible_product(&s)?;
        let keys: Vec<String> = product.sections.iter().map(|x| x.key.clone()).collect();
        let doc = ProductTextDoc {
            lang: Some(Lang::En),
            title: field(&f, "title").unwrap_or_default(),
            summary: field(&f, "summary").unwrap_or_default(),
            based_on_nl: None,
            sections: sent_parts(&f, &keys).into_iter().map(|(key, heading, body)| SectionDoc { key, heading, body }).collect(),
            revision: None,
            updated: None,
        };
        outcome(ed.put_product_translation(&s, Lang::En, doc, base).map(|_| ()))
    })
    .await?;
    let action = format!("/admin/catalogus/{slug}/engels");
    if let Outcome::Saved(()) = result {
        return Ok(see_other(&format!("{action}?opgeslagen=1")));
    }
    let s = slug.clone();
    let shown = with_editor(&req, &state, &signed, move |ed, _| product_form(ed, &s)).await?;
    not_saved(&state, &signed, result, shown, &form, catalogue_crumbs(&slug), &action)
}

/// The answer to a form that was not saved: its problems, or the conflict page when someone
/// else saved the translation first (both versions, nothing lost). `shown` is the form as
/// stored now.
fn not_saved(state: &AppState, signed: &Signed, result: Outcome<()>, mut shown: Form, posted: &HashMap<String, String>, crumbs: Vec<Link>, action: &str) -> Result<HttpResponse, AppError> {
    match result {
        Outcome::Pending(url) => Ok(super::see_other(&url)),
        Outcome::Saved(()) => Ok(see_other(&format!("{action}?opgeslagen=1"))),
        Outcome::Problems(problems) => {
            refill(&mut shown, posted);
            render(state, signed, &shown.dutch_title.clone(), crumbs, action, &shown, FormState::problems(&problems), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Outcome::Conflict { current } => {
            let theirs = as_text(&shown);
            refill(&mut shown, posted);
            let mine = as_text(&shown);
            conflict_page(state, signed, Conflict { item: &shown.dutch_title, theirs, mine, action, crumbs, form: posted, current })
        }
    }
}

/// A translation as one text, for the conflict page's comparison.
fn as_text(form: &Form) -> String {
    let mut out = format!("{}\n\n{}\n", form.title, form.summary);
    for part in &form.parts {
        out.push_str(&format!("\n## {}\n\n{}\n", part.heading, part.body));
    }
    out
}

/// Shows what the editor sent again, over the stored translation.
fn refill(shown: &mut Form, form: &HashMap<String, String>) {
    shown.title = form.get("title").cloned().unwrap_or_default();
    shown.summary = form.get("summary").cloned().unwrap_or_default();
    for part in &mut shown.parts {
        part.heading = form.get(&format!("heading.{}", part.key)).cloned().unwrap_or_default();
        part.body = form.get(&format!("body.{}", part.key)).cloned().unwrap_or_default();
    }
}

// Overrides.

fn override_form(ed: &mut Editor, owner: &Owner, slug: &str) -> Result<Form, AppError> {
    let editing = ed.override_editing(owner, slug)?;
    let Some(dutch) = editing.doc else {
        return Ok(Form { dutch_title: editing.product.title, blocked: Some("Deze website past dit product (nog) niet aan. Maak eerst een Nederlandse aanpassing.".into()), ..Form::default() });
    };
    if editing.product.english.is_none() {
        return Ok(Form { dutch_title: editing.product.title, blocked: Some("Dit product heeft nog geen Engelse centrale tekst. De centrale redactie vertaalt het eerst.".into()), ..Form::default() });
    }
    let english = ed.override_translation(owner, slug, Lang::En).ok();
    Ok(Form {
        dutch_title: dutch.title.clone().unwrap_or_else(|| editing.product.title.clone()),
        dutch_summary: dutch.summary.clone().unwrap_or_default(),
        title: english.as_ref().and_then(|t| t.title.clone()).unwrap_or_default(),
        summary: english.as_ref().and_then(|t| t.summary.clone()).unwrap_or_default(),
        dutch_reason: (dutch.enabled == Some(false)).then(|| dutch.reason.clone().unwrap_or_default()),
        reason: english.as_ref().and_then(|t| t.reason.clone()).unwrap_or_default(),
        parts: dutch
            .sections
            .iter()
            .filter(|s| s.mode != SectionMode::Hide)
            .map(|s| {
                let t = english.as_ref().and_then(|t| t.sections.iter().find(|e| e.key == s.key));
                Part {
                    key: s.key.clone(),
                    dutch_heading: s.heading.clone(),
                    dutch_html: markdown::to_html(&s.body, SECTION),
                    heading: t.map(|t| t.heading.clone()).unwrap_or_default(),
                    body: t.map(|t| t.body.clone()).unwrap_or_default(),
                    mode: Some(mode_label(s.mode)),
                }
            })
            .collect(),
        revision: english.as_ref().and_then(|t| t.revision),
        optional_title: true,
        ..Form::default()
    })
}

fn layer_crumbs(owner: &Owner) -> Vec<Link> {
    vec![Link { title: "Overzicht".into(), url: "/admin".into() }, Link { title: owner.slug().to_owned(), url: format!("/admin/{}/{}", kind_segment(owner), owner.slug()) }]
}

pub async fn override_text(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, layer, slug) = path.into_inner();
    let owner = admin_owner(&kind, &layer)?;
    let (o, s) = (owner.clone(), slug.clone());
    let form = with_editor(&req, &state, &signed, move |ed, _| override_form(ed, &o, &s)).await?;
    let action = format!("/admin/{kind}/{layer}/producten/{slug}/engels");
    let saved = FormState { saved: query.contains_key("opgeslagen"), ..FormState::default() };
    render(&state, &signed, &form.dutch_title, layer_crumbs(&owner), &action, &form, saved, StatusCode::OK)
}

pub async fn save_override_text(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (kind, layer, slug) = path.into_inner();
    let owner = admin_owner(&kind, &layer)?;
    let form = form.into_inner();
    let (o, s, f) = (owner.clone(), slug.clone(), form.clone());
    let result = with_editor(&req, &state, &signed, move |ed, _| {
        let base = form_revision(&f);
        if f.contains_key("verwijderen") {
            return outcome(ed.delete_override_translation(&o, &s, Lang::En, base));
        }
        let dutch = ed.override_doc(&o, &s)?;
        let keys: Vec<String> = dutch.sections.iter().filter(|x| x.mode != SectionMode::Hide).map(|x| x.key.clone()).collect();
        let mode = |key: &str| dutch.sections.iter().find(|x| x.key == key).map(|x| x.mode).unwrap_or_default();
        let doc = OverrideTextDoc {
            lang: Some(Lang::En),
            based_on: None,
            based_on_nl: None,
            title: field(&f, "title"),
            summary: field(&f, "summary"),
            reason: field(&f, "reason"),
            sections: sent_parts(&f, &keys).into_iter().map(|(key, heading, body)| OverrideSectionDoc { mode: mode(&key), key, heading, body }).collect(),
            revision: None,
            updated: None,
        };
        outcome(ed.put_override_translation(&o, &s, Lang::En, doc, base).map(|_| ()))
    })
    .await?;
    let action = format!("/admin/{kind}/{layer}/producten/{slug}/engels");
    if let Outcome::Saved(()) = result {
        return Ok(see_other(&format!("{action}?opgeslagen=1")));
    }
    let (o, s) = (owner.clone(), slug.clone());
    let shown = with_editor(&req, &state, &signed, move |ed, _| override_form(ed, &o, &s)).await?;
    not_saved(&state, &signed, result, shown, &form, layer_crumbs(&owner), &action)
}

// Pages and news items.

fn item_form<K: Translated<F> + AdminForm, F: Clone>(ed: &mut Editor, owner: &Owner, id: i64) -> Result<Form, AppError> {
    let doc = serde_json::to_value(ed.local::<K>().get(owner, id)?).map_err(AppError::internal)?;
    let english = match ed.item_translation::<K, F>(owner, id, Lang::En) {
        Ok(t) => Some(t),
        Err(EditError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let text = |key: &str| doc[key].as_str().unwrap_or("").to_owned();
    Ok(Form {
        dutch_title: text("title"),
        dutch_summary: text("summary"),
        title: english.as_ref().map(|t| t.title.clone()).unwrap_or_default(),
        summary: english.as_ref().map(|t| t.summary.clone()).unwrap_or_default(),
        parts: vec![Part {
            key: "tekst".into(),
            dutch_heading: "Tekst".into(),
            dutch_html: markdown::to_html(&text("body"), markdown::BODY),
            body: english.as_ref().map(|t| t.body.clone()).unwrap_or_default(),
            ..Part::default()
        }],
        revision: english.as_ref().and_then(|t| t.revision),
        ..Form::default()
    })
}

pub async fn item<K: Translated<F> + AdminForm + 'static, F: Clone + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, layer, id) = path.into_inner();
    let owner = admin_owner(&kind, &layer)?;
    let o = owner.clone();
    let form = with_editor(&req, &state, &signed, move |ed, _| item_form::<K, F>(ed, &o, id)).await?;
    let action = format!("/admin/{kind}/{layer}/{}/{id}/engels", K::SEGMENT);
    let saved = FormState { saved: query.contains_key("opgeslagen"), ..FormState::default() };
    render(&state, &signed, &form.dutch_title, layer_crumbs(&owner), &action, &form, saved, StatusCode::OK)
}

pub async fn save_item<K: Translated<F> + AdminForm + 'static, F: Clone + 'static>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (kind, layer, id) = path.into_inner();
    let owner = admin_owner(&kind, &layer)?;
    let form = form.into_inner();
    let (o, f) = (owner.clone(), form.clone());
    let result = with_editor(&req, &state, &signed, move |ed, _| {
        let base = form_revision(&f);
        if f.contains_key("verwijderen") {
            return outcome(ed.delete_item_translation::<K, F>(&o, id, Lang::En, base));
        }
        let doc = ItemTextDoc {
            lang: Some(Lang::En),
            title: field(&f, "title").unwrap_or_default(),
            summary: field(&f, "summary").unwrap_or_default(),
            based_on_nl: None,
            body: f.get("body.tekst").cloned().unwrap_or_default(),
            revision: None,
            updated: None,
        };
        outcome(ed.put_item_translation::<K, F>(&o, id, Lang::En, doc, base).map(|_| ()))
    })
    .await?;
    let action = format!("/admin/{kind}/{layer}/{}/{id}/engels", K::SEGMENT);
    if let Outcome::Saved(()) = result {
        return Ok(see_other(&format!("{action}?opgeslagen=1")));
    }
    let o = owner.clone();
    let shown = with_editor(&req, &state, &signed, move |ed, _| item_form::<K, F>(ed, &o, id)).await?;
    not_saved(&state, &signed, result, shown, &form, layer_crumbs(&owner), &action)
}
