//! The override editor: a group's or site's adjustment of one product. Every central section
//! is shown with what the layer does to it (inherit, replace, append, prepend, hide) beside
//! the central text; sections whose central text changed since the override was written are
//! shown side by side (old central, new central, local) to accept or keep; a preview shows the
//! resulting page for that site. Also the editors' preview of any product page, drafts included.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::dashboard::kind_segment;
use super::values;
use super::{Choice, Conflict, FormState, Outcome, Signed, admin_context, check_csrf, conflict_page, field, form_revision, outcome, page, see_other, signed_in, with_editor};
use crate::content::drift::Drift;
use crate::content::model::{Contact, Owner, Product, SectionMode};
use crate::content::sections;
use crate::edit::documents::OverrideSectionDoc;
use crate::edit::{OverrideDoc, OverrideEditing};
use crate::render::markdown::{self, SECTION};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

/// `sites/<slug>` or `groepen/<slug>` in admin URLs.
pub fn admin_owner(kind: &str, slug: &str) -> Result<Owner, AppError> {
    match kind {
        "sites" => Ok(Owner::Site(slug.to_owned())),
        "groepen" => Ok(Owner::Group(slug.to_owned())),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Serialize)]
struct SectionRow {
    key: String,
    heading: String,
    central_html: String,
    mode: String,
    local_heading: String,
    local: String,
    modes: Vec<Choice>,
}

#[derive(Serialize, Default)]
struct OverrideForm {
    based_on: i64,
    revision: Option<i64>,
    enabled: String,
    reason: String,
    refer_to: String,
    title: String,
    summary: String,
    apply_url: String,
    variables: String,
    extra: String,
    contact: Contact,
}

#[derive(Serialize)]
struct VariableRow {
    name: String,
    label: String,
    default: String,
}

#[derive(Serialize)]
struct PreviewSection {
    heading: String,
    html: String,
}

const MODES: [(&str, &str); 5] =
    [("inherit", "Centrale tekst"), ("replace", "Vervangen"), ("append", "Aanvullen (na)"), ("prepend", "Aanvullen (voor)"), ("hide", "Verbergen")];

fn mode_name(mode: Option<SectionMode>) -> &'static str {
    match mode {
        None => "inherit",
        Some(m) => m.as_str(),
    }
}

fn rows(product: &Product, doc: Option<&OverrideDoc>) -> Vec<SectionRow> {
    product
        .sections
        .iter()
        .map(|s| {
            let change = doc.and_then(|d| d.sections.iter().find(|c| c.key == s.key));
            let mode = mode_name(change.map(|c| c.mode));
            SectionRow {
                key: s.key.clone(),
                heading: s.heading.clone(),
                central_html: markdown::to_html(&s.body, SECTION),
                mode: mode.to_owned(),
                local_heading: change.map(|c| c.heading.clone()).unwrap_or_default(),
                local: change.map(|c| c.body.clone()).unwrap_or_default(),
                modes: MODES.iter().map(|(v, l)| Choice { value: (*v).into(), label: (*l).into(), selected: *v == mode }).collect(),
            }
        })
        .collect()
}

fn to_form(product: &Product, doc: Option<&OverrideDoc>) -> OverrideForm {
    let Some(d) = doc else {
        return OverrideForm { based_on: product.revision, enabled: "inherit".into(), ..OverrideForm::default() };
    };
    let extra: Vec<(&str, &str, &str)> = d
        .sections
        .iter()
        .filter(|s| !product.sections.iter().any(|p| p.key == s.key))
        .map(|s| (s.key.as_str(), s.heading.as_str(), s.body.as_str()))
        .collect();
    OverrideForm {
        based_on: d.based_on.unwrap_or(product.revision),
        revision: d.revision,
        enabled: match d.enabled {
            None => "inherit",
            Some(true) => "on",
            Some(false) => "off",
        }
        .into(),
        reason: d.reason.clone().unwrap_or_default(),
        refer_to: d.refer_to.clone().unwrap_or_default(),
        title: d.title.clone().unwrap_or_default(),
        summary: d.summary.clone().unwrap_or_default(),
        apply_url: d.apply_url.clone().unwrap_or_default(),
        variables: values::text(&d.variables),
        extra: sections::join(extra),
        contact: d.contact.clone().unwrap_or_default(),
    }
}

/// The document the form describes; `review` sections take the new central revision as base.
fn from_form(form: &HashMap<String, String>, product: &Product, drifted: &[Drift]) -> Result<OverrideDoc, Vec<String>> {
    let mut problems = Vec::new();
    let mut out_sections = Vec::new();
    for s in &product.sections {
        let mut mode = form.get(&format!("mode.{}", s.key)).map(String::as_str).unwrap_or("inherit").to_owned();
        // Reviewing a changed section: take the central text back, or keep the local one.
        if form.get(&format!("review.{}", s.key)).map(String::as_str) == Some("central") {
            mode = "inherit".into();
        }
        let body = form.get(&format!("body.{}", s.key)).cloned().unwrap_or_default();
        let heading = form.get(&format!("heading.{}", s.key)).cloned().unwrap_or_default();
        let mode = match mode.as_str() {
            "inherit" => continue,
            "replace" => SectionMode::Replace,
            "append" => SectionMode::Append,
            "prepend" => SectionMode::Prepend,
            "hide" => SectionMode::Hide,
            other => {
                problems.push(format!("{}: onbekende keuze {other:?}", s.heading));
                continue;
            }
        };
        let heading = if heading.trim().is_empty() { s.heading.clone() } else { heading };
        let body = if mode == SectionMode::Hide { String::new() } else { body };
        out_sections.push(OverrideSectionDoc { key: s.key.clone(), mode, heading, body });
    }
    match sections::split(form.get("extra").map(String::as_str).unwrap_or("")) {
        Ok(extra) => out_sections.extend(extra.into_iter().map(|s| OverrideSectionDoc { key: s.key, mode: SectionMode::Replace, heading: s.heading, body: s.body })),
        Err(lines) => problems.extend(lines.into_iter().map(|p| format!("Eigen onderdelen, regel {}: {}", p.line, p.message))),
    }
    let variables = values::parse(form.get("variables").map(String::as_str).unwrap_or(""), "Waarden", &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let contact = Contact {
        name: field(form, "contact.name"),
        phone: field(form, "contact.phone"),
        email: field(form, "contact.email"),
        address: field(form, "contact.address"),
        url: field(form, "contact.url"),
        hours: field(form, "contact.hours"),
    };
    let reviewed = !drifted.is_empty() && form.contains_key("reviewed");
    let based_on = if reviewed { Some(product.revision) } else { field(form, "based_on").and_then(|b| b.parse().ok()) };
    Ok(OverrideDoc {
        based_on,
        enabled: match form.get("enabled").map(String::as_str) {
            Some("on") => Some(true),
            Some("off") => Some(false),
            _ => None,
        },
        reason: field(form, "reason"),
        refer_to: field(form, "refer_to"),
        title: field(form, "title"),
        summary: field(form, "summary"),
        apply_url: field(form, "apply_url"),
        keywords: vec![],
        contact: Some(contact).filter(|c| !c.is_empty()),
        variables,
        sections: out_sections,
        revision: form_revision(form),
        updated: None,
    })
}

type Loaded = OverrideEditing;

async fn load(req: &HttpRequest, state: &web::Data<AppState>, signed: &Signed, owner: &Owner, slug: &str) -> Result<Loaded, AppError> {
    let (owner, slug) = (owner.clone(), slug.to_owned());
    with_editor(req, state, signed, move |ed, _| Ok(ed.override_editing(&owner, &slug)?)).await
}

#[derive(Serialize)]
struct DriftView {
    key: String,
    heading: String,
    old_html: Option<String>,
    new_html: String,
    local: String,
    diff: String,
}

/// The override form of `owner` for the loaded product, filled with `doc`, with a preview of
/// the page it makes on the layer's preview site.
async fn render(req: &HttpRequest, state: &web::Data<AppState>, signed: &Signed, owner: &Owner, loaded: &Loaded, doc: Option<&OverrideDoc>, form: FormState<'_>, status: StatusCode) -> Result<HttpResponse, AppError> {
    // The preview: this layer's override as in the form, folded on the preview site.
    let preview = match (&loaded.preview_site, doc) {
        (Some(site), Some(d)) => {
            let (site, d, slug, owner) = (site.clone(), d.clone(), loaded.product.slug.clone(), owner.clone());
            let shown = with_editor(req, state, signed, move |ed, _| Ok(ed.preview_override(&owner, &slug, d, &site)?)).await;
            match shown {
                Ok(p) => {
                    let r = p.resolved;
                    let sections: Vec<PreviewSection> = r.sections.iter().map(|s| PreviewSection { heading: s.heading.clone(), html: markdown::to_html(&s.body, SECTION) }).collect();
                    Some((p.site_name, r.title, r.enabled, sections))
                }
                // A form that does not make a valid override has no preview; its problems are shown.
                Err(AppError::Invalid(_)) => None,
                Err(e) => return Err(e),
            }
        }
        _ => None,
    };
    let title = format!("{} bij {}", loaded.product.title, owner.slug());
    let crumbs = vec![
        Link { title: "Overzicht".into(), url: "/admin".into() },
        Link { title: owner.slug().to_owned(), url: format!("/admin/{}/{}", kind_segment(owner), owner.slug()) },
    ];
    let mut c = admin_context(state, Some(signed), &title, crumbs);
    c.insert("product", &loaded.product.title);
    c.insert("slug", &loaded.product.slug);
    c.insert("action", &format!("/admin/{}/{}/producten/{}", kind_segment(owner), owner.slug(), loaded.product.slug));
    c.insert("rows", &rows(&loaded.product, doc));
    c.insert("f", &to_form(&loaded.product, doc));
    c.insert("exists", &loaded.doc.is_some());
    let scope = crate::auth::permissions::Scope::of(owner);
    let releases = with_editor(req, state, signed, move |ed, _| super::open_releases(ed, &scope)).await?;
    c.insert("releases", &releases);
    c.insert(
        "declared",
        &loaded.product.variables.iter().map(|v| VariableRow { name: v.name.clone(), label: v.label.clone(), default: v.default.as_ref().map(values::summary).unwrap_or_default() }).collect::<Vec<_>>(),
    );
    let drift_views: Vec<DriftView> = loaded
        .drifted
        .iter()
        .map(|d| DriftView {
            key: d.key.clone(),
            heading: d.heading.clone(),
            old_html: d.old_central.as_ref().map(|t| markdown::to_html(t, SECTION)),
            new_html: markdown::to_html(&d.new_central, SECTION),
            local: d.local.clone(),
            diff: crate::render::diff::html(d.old_central.as_deref().unwrap_or(""), &d.new_central),
        })
        .collect();
    c.insert("drift", &drift_views);
    c.insert("problems", form.problems);
    c.insert("saved", &form.saved);
    c.insert("preview", &preview.as_ref().map(|(site, title, enabled, _)| (site, title, enabled)));
    c.insert("preview_sections", &preview.map(|(_, _, _, s)| s).unwrap_or_default());
    c.insert("is_site", &matches!(owner, Owner::Site(_)));
    page(state, status, "admin/override.html", &c)
}

pub async fn edit_form(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, layer, slug) = path.into_inner();
    let owner = admin_owner(&kind, &layer)?;
    let loaded = load(&req, &state, &signed, &owner, &slug).await?;
    let doc = loaded.doc.clone().unwrap_or(OverrideDoc { based_on: Some(loaded.product.revision), ..OverrideDoc::default() });
    let form = FormState { saved: query.contains_key("opgeslagen"), ..FormState::default() };
    render(&req, &state, &signed, &owner, &loaded, Some(&doc), form, StatusCode::OK).await
}

pub async fn save(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let form = form.into_inner();
    let (kind, layer, slug) = path.into_inner();
    let owner = admin_owner(&kind, &layer)?;
    let loaded = load(&req, &state, &signed, &owner, &slug).await?;
    let doc = match from_form(&form, &loaded.product, &loaded.drifted) {
        Ok(doc) => doc,
        Err(problems) => return render(&req, &state, &signed, &owner, &loaded, loaded.doc.as_ref(), FormState::problems(&problems), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    if form.contains_key("voorbeeld") {
        return render(&req, &state, &signed, &owner, &loaded, Some(&doc), FormState::default(), StatusCode::OK).await;
    }
    let action = format!("/admin/{}/{}/producten/{}", kind_segment(&owner), owner.slug(), slug);
    let remove = form.contains_key("verwijderen");
    let base = doc.revision;
    let mine = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let (o, s) = (owner.clone(), slug.clone());
    let publishing = super::publishing_of(&form);
    let result = with_editor(&req, &state, &signed, move |ed, _| {
        ed.publishing = publishing;
        if remove {
            return outcome(ed.delete_override(&o, &s, base).map(|_| None));
        }
        outcome(ed.put_override(&o, &s, doc, base).map(Some))
    })
    .await?;
    match result {
        Outcome::Pending(url) => Ok(super::see_other(&url)),
        Outcome::Saved(_) => Ok(see_other(&format!("{action}?opgeslagen=1"))),
        Outcome::Problems(problems) => render(&req, &state, &signed, &owner, &loaded, loaded.doc.as_ref(), FormState::problems(&problems), StatusCode::UNPROCESSABLE_ENTITY).await,
        Outcome::Conflict { current } => {
            let theirs = loaded.doc.as_ref().map(|d| serde_json::to_string_pretty(d).unwrap_or_default()).unwrap_or_default();
            let crumbs = vec![Link { title: "Overzicht".into(), url: "/admin".into() }];
            conflict_page(&state, &signed, Conflict { item: &loaded.product.title, theirs, mine, action: &action, crumbs, form: &form, current })
        }
    }
}

/// An editor's view of a product page on a site, drafts included (catalogue drafts for the
/// central team only).
pub async fn preview(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (site, slug) = path.into_inner();
    let body = with_editor(&req, &state, &signed, move |ed, st| {
        let (entry, resolved) = ed.site_preview(&site, &slug, &st.content)?;
        let viewer = crate::content::visibility::Viewer::preview(ed.now);
        let resident = crate::web::site::Resident { base_url: format!("http://{}", entry.site.canonical_host()), site: std::sync::Arc::new(entry) };
        let mut ctx = crate::web::respond::Ctx::new(ed.conn, viewer, st, &resident);
        crate::web::public::product_page(&mut ctx, &resolved, true, crate::content::model::Lang::Nl, None).map(|(body, _)| body)
    })
    .await?;
    Ok(HttpResponse::Ok().content_type(crate::web::respond::HTML).insert_header(("cache-control", "no-store")).body(body))
}
