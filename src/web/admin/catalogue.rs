//! The central team's catalogue editor: the list, one product (with a preview on any site, drafts
//! included), its history and restoring an earlier revision.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{
    Choice, Conflict, Outcome, Signed, admin_context, check_csrf, conflict_page, field, form_revision, local_to_rfc3339, rfc3339_to_local, words, outcome, page, see_other, signed_in,
    with_editor,
};
use crate::content::kind::Kind;
use super::values;
use crate::content::model::{Audience, Status, VarKind};
use crate::content::files::When;
use crate::content::sections;
use crate::edit::documents::{SectionDoc, VariableDoc};
use crate::edit::{EditError, ProductDoc};
use crate::render::markdown::{self, SECTION};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

#[derive(Serialize)]
struct Row {
    slug: String,
    title: String,
    status: &'static str,
    revision: i64,
}

fn crumbs() -> Vec<Link> {
    vec![Link { title: "Overzicht".into(), url: "/admin".into() }]
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let rows = with_editor(&req, &state, &signed, |ed, _| {
        Ok(ed.catalogue_list()?.into_iter().map(|p| Row { slug: p.slug, title: p.title, status: p.status.as_str(), revision: p.revision }).collect::<Vec<_>>())
    })
    .await?;
    let mut c = admin_context(&state, Some(&signed), "Catalogus", crumbs());
    c.insert("rows", &rows);
    page(&state, StatusCode::OK, "admin/catalogue.html", &c)
}

/// The editor's form values for a document.
#[derive(Serialize, Default)]
struct ProductForm {
    slug: String,
    title: String,
    summary: String,
    upl: String,
    themes: String,
    life_events: String,
    keywords: String,
    popular: bool,
    publish_at: String,
    unpublish_at: String,
    review_date: String,
    owner: String,
    variables: String,
    body: String,
    revision: Option<i64>,
    audiences: Vec<Choice>,
    statuses: Vec<Choice>,
}

fn to_form(doc: &ProductDoc) -> ProductForm {
    ProductForm {
        slug: doc.slug.clone(),
        title: doc.title.clone(),
        summary: doc.summary.clone(),
        upl: doc.upl.clone().unwrap_or_default(),
        themes: doc.themes.join(", "),
        life_events: doc.life_events.join(", "),
        keywords: doc.keywords.join(", "),
        popular: doc.popular,
        publish_at: rfc3339_to_local(&doc.publish_at.as_ref().map(When::as_text)),
        unpublish_at: rfc3339_to_local(&doc.unpublish_at.as_ref().map(When::as_text)),
        review_date: doc.review_date.as_ref().map(When::as_text).unwrap_or_default(),
        owner: doc.owner.clone().unwrap_or_default(),
        variables: doc.variables.iter().flat_map(|(name, v)| declaration_lines(name, v)).collect::<Vec<_>>().join("\n"),
        body: sections::join(doc.sections.iter().map(|s| (s.key.as_str(), s.heading.as_str(), s.body.as_str()))),
        revision: doc.revision,
        audiences: Audience::ALL
            .iter()
            .map(|a| Choice { value: a.as_str().into(), label: a.label().into(), selected: doc.audience.contains(a) })
            .collect(),
        statuses: [(Status::Published, "Gepubliceerd"), (Status::Draft, "Concept")]
            .iter()
            .map(|(s, l)| Choice { value: s.as_str().into(), label: (*l).into(), selected: doc.status == *s })
            .collect(),
    }
}

/// A declared variable as form lines: `naam | omschrijving | standaardwaarde | soort`, and a
/// default that starts later as `naam vanaf 2027-01-01 | waarde` (`admin::values`).
fn declaration_lines(name: &str, v: &VariableDoc) -> Vec<String> {
    let steps = v.default.as_ref().map(|d| d.steps()).unwrap_or_default();
    let first = steps.first().filter(|s| s.from.is_none());
    let mut lines = vec![format!(
        "{name} | {} | {}{}",
        v.label,
        first.map(|s| s.value.as_str()).unwrap_or(""),
        if v.kind.is_text() { String::new() } else { format!(" | {}", v.kind.as_str()) }
    )];
    let later = steps.iter().skip(usize::from(first.is_some()));
    lines.extend(later.map(|s| format!("{name} vanaf {} | {}", s.from.as_deref().unwrap_or(""), s.value)));
    lines
}

/// Variable declarations from the form's lines.
fn declarations(text: &str, problems: &mut Vec<String>) -> BTreeMap<String, VariableDoc> {
    let mut declared: BTreeMap<String, VariableDoc> = BTreeMap::new();
    let mut defaults = values::Collected::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        match parts.as_slice() {
            [key, value] if values::name_and_from(key).1.is_some() => defaults.add(key, value),
            [name, label, rest @ ..] if !name.is_empty() && !label.is_empty() && rest.len() <= 2 => {
                let kind = match rest.get(1).filter(|k| !k.is_empty()) {
                    None => VarKind::Text,
                    Some(k) => match VarKind::parse(k) {
                        Some(kind) => kind,
                        None => {
                            problems.push(format!("Variabelen, regel {}: soort {k:?} bestaat niet; kies text, amount, url, phone of email", i + 1));
                            continue;
                        }
                    },
                };
                if let Some(default) = rest.first().filter(|d| !d.is_empty()) {
                    defaults.add(name, default);
                }
                declared.insert((*name).to_owned(), VariableDoc { label: (*label).to_owned(), default: None, kind });
            }
            _ => problems.push(format!(
                "Variabelen, regel {}: schrijf naam | omschrijving | standaardwaarde | soort, of naam vanaf 2027-01-01 | waarde",
                i + 1
            )),
        }
    }
    for (name, default) in defaults.into_values() {
        match declared.get_mut(&name) {
            Some(v) => v.default = Some(default),
            None => problems.push(format!("Variabelen: {name} heeft een waarde met datum maar geen regel naam | omschrijving")),
        }
    }
    declared
}

/// A document from the form; what cannot be read is a problem to show.
fn from_form(form: &HashMap<String, String>) -> Result<ProductDoc, Vec<String>> {
    let mut problems = Vec::new();
    let split = match sections::split(form.get("body").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(lines) => {
            problems.extend(lines.into_iter().map(|p| format!("Tekst, regel {}: {}", p.line, p.message)));
            Vec::new()
        }
    };
    let variables = declarations(form.get("variables").map(String::as_str).unwrap_or(""), &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ProductDoc {
        slug: field(form, "slug").unwrap_or_default(),
        title: form.get("title").cloned().unwrap_or_default(),
        summary: form.get("summary").cloned().unwrap_or_default(),
        audience: Audience::ALL.iter().copied().filter(|a| form.contains_key(&format!("audience.{}", a.as_str()))).collect(),
        upl: field(form, "upl"),
        themes: words(field(form, "themes")),
        life_events: words(field(form, "life_events")),
        keywords: words(field(form, "keywords")),
        status: field(form, "status").and_then(|s| Status::parse(&s)).unwrap_or(Status::Draft),
        popular: form.contains_key("popular"),
        publish_at: local_to_rfc3339(field(form, "publish_at")).map(When::Text),
        unpublish_at: local_to_rfc3339(field(form, "unpublish_at")).map(When::Text),
        review_date: field(form, "review_date").map(When::Text),
        owner: field(form, "owner"),
        variables,
        sections: split.into_iter().map(|s| SectionDoc { key: s.key, heading: s.heading, body: s.body }).collect(),
        revision: form_revision(form),
        updated: None,
    })
}

#[derive(Serialize)]
struct UplOption {
    uri: String,
    name: String,
}

#[derive(Serialize)]
struct PreviewSection {
    key: String,
    heading: String,
    html: String,
}

struct Editing {
    form: ProductForm,
    is_new: bool,
    problems: Vec<String>,
    saved: bool,
    preview: Option<(String, Vec<PreviewSection>)>,
    status: StatusCode,
}

async fn render_editor(req: &HttpRequest, state: &web::Data<AppState>, signed: &Signed, editing: Editing) -> Result<HttpResponse, AppError> {
    let uri = editing.form.upl.clone();
    let slug = (!editing.is_new).then(|| editing.form.slug.clone());
    let ((upl, sites), is_sdg, opt_outs) = with_editor(req, state, signed, move |ed, st| {
        let is_sdg = st.content.upl(ed.conn)?.sdg(Some(uri.as_str()).filter(|u| !u.is_empty())).is_some();
        // Who does not offer the product, and why (a product not saved yet has nobody).
        let opt_outs = match slug.as_deref().map(|s| ed.opt_outs(s)) {
            Some(Ok(o)) => Some(o),
            Some(Err(crate::edit::EditError::NotFound)) | None => None,
            Some(Err(e)) => return Err(e.into()),
        };
        let releases = super::open_releases(ed, &crate::auth::permissions::Scope::National)?;
        Ok((ed.product_form_choices()?, is_sdg, (opt_outs, releases)))
    })
    .await?;
    let (opt_outs, releases) = opt_outs;
    // An SDG product's procedure elements that its text lacks (by section key).
    let sdg_missing: Option<Vec<&str>> = is_sdg.then(|| {
        let sections = crate::content::sections::split(&editing.form.body).unwrap_or_default();
        let missing = crate::edit::sdg::missing_in_sections(sections.iter().map(|s| (s.key.as_str(), s.body.as_str())));
        crate::edit::sdg::ELEMENTS.iter().filter(|(k, _)| missing.contains(k)).map(|(_, label)| *label).collect()
    });
    let options: Vec<UplOption> = upl.into_iter().map(|(uri, name)| UplOption { uri, name }).collect();
    let sites: Vec<Choice> = sites.into_iter().map(|(value, label)| Choice { value, label, selected: false }).collect();
    let title = if editing.is_new { "Nieuw product".to_owned() } else { editing.form.title.clone() };
    let mut crumbs = crumbs();
    crumbs.push(Link { title: "Catalogus".into(), url: "/admin/catalogus".into() });
    let mut c = admin_context(state, Some(signed), &title, crumbs);
    c.insert("p", &editing.form);
    c.insert("is_new", &editing.is_new);
    c.insert("problems", &editing.problems);
    c.insert("saved", &editing.saved);
    c.insert("upl_options", &options);
    c.insert("sdg_missing", &sdg_missing);
    c.insert("opt_outs", &opt_outs);
    c.insert("releases", &releases);
    c.insert("sites", &sites);
    c.insert("preview", &editing.preview.as_ref().map(|(site, _)| site));
    c.insert("preview_sections", &editing.preview.map(|(_, s)| s).unwrap_or_default());
    page(state, editing.status, "admin/product.html", &c)
}

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    with_editor(&req, &state, &signed, |ed, _| Ok(ed.require_catalogue("catalogue.read")?)).await?;
    let doc = ProductDoc {
        slug: String::new(),
        title: String::new(),
        summary: String::new(),
        audience: vec![Audience::Particulier],
        upl: None,
        themes: vec![],
        life_events: vec![],
        keywords: vec![],
        status: Status::Draft,
        popular: false,
        publish_at: None,
        unpublish_at: None,
        review_date: None,
        owner: None,
        variables: BTreeMap::new(),
        sections: vec![
            SectionDoc { key: "wat".into(), heading: "Wat is het?".into(), body: String::new() },
            SectionDoc { key: "aanvragen".into(), heading: "Hoe vraag ik het aan?".into(), body: String::new() },
            SectionDoc { key: "kosten".into(), heading: "Kosten".into(), body: String::new() },
        ],
        revision: None,
        updated: None,
    };
    render_editor(&req, &state, &signed, Editing { form: to_form(&doc), is_new: true, problems: vec![], saved: false, preview: None, status: StatusCode::OK }).await
}

pub async fn edit_form(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let slug = slug.into_inner();
    let doc = with_editor(&req, &state, &signed, move |ed, _| {
        ed.require_catalogue("catalogue.read")?;
        Ok(ed.product(&slug)?)
    })
    .await?;
    let editing = Editing { form: to_form(&doc), is_new: false, problems: vec![], saved: query.contains_key("opgeslagen"), preview: None, status: StatusCode::OK };
    render_editor(&req, &state, &signed, editing).await
}

pub async fn save(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    with_editor(&req, &state, &signed, |ed, _| Ok(ed.require_catalogue("product.save")?)).await?;
    let form = form.into_inner();
    let is_new = slug.as_str() == "nieuw";
    let slug = if is_new { field(&form, "slug").unwrap_or_default() } else { slug.into_inner() };
    let doc = match from_form(&form) {
        Ok(doc) => doc,
        Err(problems) => {
            let mut form_values = to_form_lossy(&form);
            form_values.slug = slug;
            let editing = Editing { form: form_values, is_new, problems, saved: false, preview: None, status: StatusCode::UNPROCESSABLE_ENTITY };
            return render_editor(&req, &state, &signed, editing).await;
        }
    };
    if form.contains_key("voorbeeld") {
        let site = field(&form, "site").unwrap_or_default();
        let preview_doc = doc.clone();
        let s = slug.clone();
        let sections = with_editor(&req, &state, &signed, move |ed, _| {
            let p = ed.preview_product(&s, preview_doc, &site)?;
            let sections = p.resolved.sections.iter().map(|s| PreviewSection { key: s.key.clone(), heading: s.heading.clone(), html: markdown::to_html(&s.body, SECTION) }).collect::<Vec<_>>();
            Ok((p.site_name, sections))
        })
        .await;
        let mut form_values = to_form(&doc);
        form_values.slug = slug;
        let (preview, problems) = match sections {
            Ok(p) => (Some(p), vec![]),
            Err(AppError::Invalid(p)) => (None, p),
            Err(e) => return Err(e),
        };
        let editing = Editing { form: form_values, is_new, problems, saved: false, preview, status: StatusCode::OK };
        return render_editor(&req, &state, &signed, editing).await;
    }
    let base = doc.revision;
    let target = slug.clone();
    let publishing = super::publishing_of(&form);
    let result = with_editor(&req, &state, &signed, move |ed, _| match {
        ed.publishing = publishing;
        ed.put_product(&target, doc, base)
    } {
        // A new product without a base revision whose name is taken.
        Err(EditError::PreconditionRequired { .. }) if is_new => {
            outcome::<ProductDoc>(Err(EditError::Invalid(vec![format!("Er is al een product met de naam {target:?}.").into()])))
        }
        other => outcome(other),
    })
    .await?;
    match result {
        Outcome::Pending(url) => Ok(super::see_other(&url)),
        Outcome::Saved(_) => Ok(see_other(&format!("/admin/catalogus/{slug}?opgeslagen=1"))),
        Outcome::Problems(problems) => {
            let mut form_values = to_form_lossy(&form);
            form_values.slug = slug;
            render_editor(&req, &state, &signed, Editing { form: form_values, is_new, problems, saved: false, preview: None, status: StatusCode::UNPROCESSABLE_ENTITY }).await
        }
        Outcome::Conflict { current } => conflict(&req, &state, &signed, &slug, &form, current).await,
    }
}

/// Someone else saved first: both versions side by side; saving again (based on the current
/// revision) is a deliberate choice.
async fn conflict(req: &HttpRequest, state: &web::Data<AppState>, signed: &Signed, slug: &str, form: &HashMap<String, String>, current: i64) -> Result<HttpResponse, AppError> {
    let s = slug.to_owned();
    let theirs = with_editor(req, state, signed, move |ed, _| Ok(ed.product(&s)?)).await?;
    let their_form = to_form(&theirs);
    let mine = to_form_lossy(form);
    let action = format!("/admin/catalogus/{slug}");
    conflict_page(state, signed, Conflict { item: &theirs.title, theirs: their_form.body, mine: mine.body, action: &action, crumbs: crumbs(), form, current })
}

/// The form as typed, for showing it again (even when it does not parse).
fn to_form_lossy(form: &HashMap<String, String>) -> ProductForm {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    ProductForm {
        slug: get("slug"),
        title: get("title"),
        summary: get("summary"),
        upl: get("upl"),
        themes: get("themes"),
        life_events: get("life_events"),
        keywords: get("keywords"),
        popular: form.contains_key("popular"),
        publish_at: get("publish_at"),
        unpublish_at: get("unpublish_at"),
        review_date: get("review_date"),
        owner: get("owner"),
        variables: get("variables"),
        body: get("body"),
        revision: form_revision(form),
        audiences: Audience::ALL
            .iter()
            .map(|a| Choice { value: a.as_str().into(), label: a.label().into(), selected: form.contains_key(&format!("audience.{}", a.as_str())) })
            .collect(),
        statuses: [(Status::Published, "Gepubliceerd"), (Status::Draft, "Concept")]
            .iter()
            .map(|(s, l)| Choice { value: s.as_str().into(), label: (*l).into(), selected: form.get("status").map(String::as_str) == Some(s.as_str()) })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct HistoryRow {
    pub revision: i64,
    pub author: String,
    pub at: String,
    pub diff: String,
}

/// History rows with the change of each revision against the one before, as a diff of the
/// item's text (`text` picks it from a snapshot).
pub fn history_rows(entries: Vec<crate::edit::HistoryEntry>, text: impl Fn(&serde_json::Value) -> String) -> Vec<HistoryRow> {
    let texts: Vec<String> = entries.iter().map(|e| text(&e.data)).collect();
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| HistoryRow {
            revision: e.revision,
            author: e.author.clone().unwrap_or_else(|| "onbekend".into()),
            at: crate::content::files::rfc3339(e.at),
            diff: crate::render::diff::html(texts.get(i + 1).map(String::as_str).unwrap_or(""), &texts[i]),
        })
        .collect()
}

/// The readable text of a product snapshot: title, summary and sections.
pub fn product_text(data: &serde_json::Value) -> String {
    let mut out = format!("{}\n{}\n", data["title"].as_str().unwrap_or(""), data["summary"].as_str().unwrap_or(""));
    for s in data["sections"].as_array().into_iter().flatten() {
        out.push_str(&format!("\n## {}\n{}\n", s["heading"].as_str().unwrap_or(""), s["body"].as_str().unwrap_or("")));
    }
    out
}

pub async fn history(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let slug = slug.into_inner();
    let s = slug.clone();
    let entries = with_editor(&req, &state, &signed, move |ed, _| Ok(ed.history(Kind::Product, &s, None)?)).await?;
    let mut crumbs = crumbs();
    crumbs.push(Link { title: "Catalogus".into(), url: "/admin/catalogus".into() });
    crumbs.push(Link { title: slug.clone(), url: format!("/admin/catalogus/{slug}") });
    let mut c = admin_context(&state, Some(&signed), "Versies", crumbs);
    c.insert("rows", &history_rows(entries, product_text));
    c.insert("restore_base", &format!("/admin/catalogus/{slug}/versies"));
    page(&state, StatusCode::OK, "admin/history.html", &c)
}

pub async fn restore(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, i64)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (slug, revision) = path.into_inner();
    let s = slug.clone();
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.restore_product(&s, revision)?)).await?;
    Ok(see_other(&format!("/admin/catalogus/{slug}?opgeslagen=1")))
}
