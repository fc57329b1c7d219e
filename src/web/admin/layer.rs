//! A group's or site's own pages in the admin: its overview (products and how it adjusts them,
//! pages, news, alerts, redirects), and the editors of its pages, news and alerts, which share
//! one form built from each kind's fields.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::Value;

use super::catalogue::history_rows;
use super::dashboard::kind_segment;
use super::overrides::admin_owner;
use super::{Conflict, Outcome, Signed, admin_context, check_csrf, conflict_page, field, local_to_rfc3339, outcome, page, rfc3339_to_local, see_other, signed_in, with_editor};
use crate::content::kind::Kind;
use crate::content::model::Owner;
use crate::edit::{Alerts, EditError, Editor, LocalKind, News, Pages, RedirectsDoc};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

/// How a form field is shown.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
enum Input {
    Text,
    Textarea,
    Number,
    Date,
    Datetime,
    Status,
    Severity,
}

struct FieldSpec {
    name: &'static str,
    label: &'static str,
    input: Input,
    hint: &'static str,
}

const fn f(name: &'static str, label: &'static str, input: Input, hint: &'static str) -> FieldSpec {
    FieldSpec { name, label, input, hint }
}

/// The kinds of local content, by their admin URL segment.
#[derive(Clone, Copy)]
enum Section {
    Pages,
    News,
    Alerts,
}

impl Section {
    fn parse(segment: &str) -> Result<Section, AppError> {
        match segment {
            "paginas" => Ok(Section::Pages),
            "nieuws" => Ok(Section::News),
            "meldingen" => Ok(Section::Alerts),
            _ => Err(AppError::NotFound),
        }
    }

    fn segment(self) -> &'static str {
        match self {
            Section::Pages => "paginas",
            Section::News => "nieuws",
            Section::Alerts => "meldingen",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Section::Pages => "Pagina",
            Section::News => "Nieuwsbericht",
            Section::Alerts => "Melding",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Section::Pages => Pages::KIND,
            Section::News => News::KIND,
            Section::Alerts => Alerts::KIND,
        }
    }

    fn fields(self) -> &'static [FieldSpec] {
        const PAGE: &[FieldSpec] = &[
            f("path", "Plaats (pad)", Input::Text, "Bijvoorbeeld afval/pmd voor /afval/pmd."),
            f("title", "Titel", Input::Text, ""),
            f("summary", "Samenvatting", Input::Text, ""),
            f("body", "Tekst", Input::Textarea, "Markdown."),
            f("status", "Status", Input::Status, ""),
            f("weight", "Volgorde", Input::Number, "Lager staat eerder in het menu."),
            f("publish_at", "Publiceren vanaf", Input::Datetime, ""),
            f("unpublish_at", "Publiceren tot", Input::Datetime, ""),
            f("review_date", "Herzien op", Input::Date, ""),
            f("owner", "Eigenaar", Input::Text, ""),
        ];
        const NEWS: &[FieldSpec] = &[
            f("slug", "Naam in de URL", Input::Text, "Kleine letters, cijfers en streepjes."),
            f("date", "Datum", Input::Date, ""),
            f("title", "Titel", Input::Text, ""),
            f("summary", "Samenvatting", Input::Text, ""),
            f("image", "Afbeelding", Input::Text, "Het adres uit de afbeeldingenbibliotheek, bijvoorbeeld /media/plein-1a2b3c4d."),
            f("body", "Tekst", Input::Textarea, "Markdown. Een afbeelding uit de bibliotheek: ![beschrijving](/media/naam)."),
            f("status", "Status", Input::Status, ""),
            f("publish_at", "Publiceren vanaf", Input::Datetime, ""),
            f("unpublish_at", "Publiceren tot", Input::Datetime, ""),
            f("review_date", "Herzien op", Input::Date, ""),
            f("owner", "Eigenaar", Input::Text, ""),
        ];
        const ALERT: &[FieldSpec] = &[
            f("slug", "Naam", Input::Text, "Kleine letters, cijfers en streepjes."),
            f("title", "Titel", Input::Text, ""),
            f("summary", "Samenvatting", Input::Text, ""),
            f("severity", "Soort", Input::Severity, ""),
            f("body", "Tekst", Input::Textarea, "Markdown."),
            f("starts", "Tonen vanaf", Input::Datetime, ""),
            f("ends", "Tonen tot", Input::Datetime, ""),
            f("status", "Status", Input::Status, ""),
        ];
        match self {
            Section::Pages => PAGE,
            Section::News => NEWS,
            Section::Alerts => ALERT,
        }
    }
}

#[derive(Serialize)]
struct FieldView {
    name: &'static str,
    label: &'static str,
    input: Input,
    hint: &'static str,
    value: String,
}

fn field_views(section: Section, doc: &Value) -> Vec<FieldView> {
    section
        .fields()
        .iter()
        .map(|spec| {
            let raw = &doc[spec.name];
            let value = match (spec.input, raw) {
                (Input::Datetime, Value::String(s)) => rfc3339_to_local(&Some(s.clone())),
                (_, Value::String(s)) => s.clone(),
                (_, Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            FieldView { name: spec.name, label: spec.label, input: spec.input, hint: spec.hint, value }
        })
        .collect()
}

/// The document (as JSON) a form describes.
fn form_doc(section: Section, form: &HashMap<String, String>) -> Value {
    let mut doc = serde_json::Map::new();
    for spec in section.fields() {
        let value = form.get(spec.name).map(|v| v.trim().to_owned()).unwrap_or_default();
        let json = match spec.input {
            _ if value.is_empty() && spec.name != "title" && spec.name != "body" => continue,
            Input::Number => value.parse::<i64>().map(Value::from).unwrap_or(Value::String(value)),
            Input::Datetime => local_to_rfc3339(Some(value)).map(Value::String).unwrap_or(Value::Null),
            _ => Value::String(value),
        };
        doc.insert(spec.name.into(), json);
    }
    if let Some(r) = field(form, "revision").and_then(|r| r.parse::<i64>().ok()) {
        doc.insert("revision".into(), r.into());
    }
    Value::Object(doc)
}

fn crumbs(owner: &Owner) -> Vec<Link> {
    vec![
        Link { title: "Overzicht".into(), url: "/admin".into() },
        Link { title: owner.slug().to_owned(), url: format!("/admin/{}/{}", kind_segment(owner), owner.slug()) },
    ]
}

#[derive(Serialize)]
struct ProductRow {
    title: String,
    url: String,
    state: &'static str,
    review: bool,
}

#[derive(Serialize)]
struct ItemRow {
    title: String,
    url: String,
    status: String,
}

fn to_values<T: Serialize>(items: Vec<T>) -> Vec<Value> {
    items.into_iter().filter_map(|d| serde_json::to_value(d).ok()).collect()
}

pub async fn overview(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, slug) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let o = owner.clone();
    let (name, products, lists) = with_editor(&req, &state, &signed, move |ed, _| {
        // Listing the pages checks (and audits) that this actor may work on the layer.
        let page_docs = ed.local::<Pages>().list(&o)?;
        let name = ed.layer_name(&o)?;
        let products: Vec<ProductRow> = ed
            .layer_products(&o)?
            .into_iter()
            .map(|p| ProductRow {
                url: format!("/admin/{}/{}/producten/{}", kind_segment(&o), o.slug(), p.slug),
                title: p.title,
                state: match p.adjusted {
                    None => "Centrale tekst",
                    Some(false) => "Uitgezet",
                    Some(true) => "Aangepast",
                },
                review: p.review,
            })
            .collect();
        let base = format!("/admin/{}/{}", kind_segment(&o), o.slug());
        let rows = |items: Vec<Value>, section: Section, title_key: &str| -> Vec<ItemRow> {
            items
                .iter()
                .map(|d| ItemRow {
                    title: d[title_key].as_str().unwrap_or("").to_owned(),
                    url: format!("{base}/{}/{}", section.segment(), d["id"]),
                    status: if d["status"] == "draft" { "Concept".into() } else { "Gepubliceerd".into() },
                })
                .collect()
        };
        let pages = rows(to_values(page_docs), Section::Pages, "title");
        let news = rows(to_values(ed.local::<News>().list(&o)?), Section::News, "title");
        let alerts = rows(to_values(ed.local::<Alerts>().list(&o)?), Section::Alerts, "title");
        Ok((name, products, (pages, news, alerts)))
    })
    .await?;
    let mut c = admin_context(&state, Some(&signed), &name, vec![Link { title: "Overzicht".into(), url: "/admin".into() }]);
    let base = format!("/admin/{}/{}", kind_segment(&owner), owner.slug());
    c.insert("base", &base);
    c.insert("products", &products);
    c.insert("pages", &lists.0);
    c.insert("news", &lists.1);
    c.insert("alerts", &lists.2);
    c.insert("is_site", &matches!(owner, Owner::Site(_)));
    c.insert("site_slug", owner.slug());
    page(&state, StatusCode::OK, "admin/layer.html", &c)
}

/// Runs a local-content operation for the kind of `section`.
fn on_kind<T>(section: Section, ed: &mut Editor, pages: impl FnOnce(&mut Editor) -> T, news: impl FnOnce(&mut Editor) -> T, alerts: impl FnOnce(&mut Editor) -> T) -> T {
    match section {
        Section::Pages => pages(ed),
        Section::News => news(ed),
        Section::Alerts => alerts(ed),
    }
}

fn item_json<K: LocalKind>(ed: &mut Editor, owner: &Owner, id: i64) -> Result<Value, AppError> {
    let doc = ed.local::<K>().get(owner, id)?;
    serde_json::to_value(doc).map_err(AppError::internal)
}

fn save_json<K: LocalKind>(ed: &mut Editor, owner: &Owner, id: Option<i64>, doc: Value) -> Result<Outcome<Value>, AppError> {
    let base = doc.get("revision").and_then(Value::as_i64);
    let parsed: K::Doc = match serde_json::from_value(doc) {
        Ok(d) => d,
        Err(e) => return Ok(Outcome::Problems(vec![e.to_string()])),
    };
    let result = match id {
        Some(id) => ed.local::<K>().put(owner, id, parsed, base),
        None => ed.local::<K>().create(owner, parsed),
    };
    Ok(match outcome(result)? {
        Outcome::Saved(doc) => Outcome::Saved(serde_json::to_value(doc).map_err(AppError::internal)?),
        Outcome::Problems(p) => Outcome::Problems(p),
        Outcome::Conflict { current } => Outcome::Conflict { current },
    })
}

#[allow(clippy::too_many_arguments)]
fn item_page(state: &AppState, signed: &Signed, owner: &Owner, section: Section, id: Option<i64>, doc: &Value, problems: &[String], saved: bool, status: StatusCode) -> Result<HttpResponse, AppError> {
    item_page_with(state, signed, owner, section, id, doc, problems, saved, status, None)
}

#[allow(clippy::too_many_arguments)]
fn item_page_with(
    state: &AppState,
    signed: &Signed,
    owner: &Owner,
    section: Section,
    id: Option<i64>,
    doc: &Value,
    problems: &[String],
    saved: bool,
    status: StatusCode,
    preview: Option<String>,
) -> Result<HttpResponse, AppError> {
    let title = match doc.get("title").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        Some(t) => t.to_owned(),
        None => format!("{} maken", section.label()),
    };
    let mut c = admin_context(state, Some(signed), &title, crumbs(owner));
    let base = format!("/admin/{}/{}/{}", kind_segment(owner), owner.slug(), section.segment());
    c.insert("action", &format!("{base}/{}", id.map(|i| i.to_string()).unwrap_or_else(|| "nieuw".into())));
    c.insert("history", &id.map(|i| format!("{base}/{i}/versies")));
    c.insert("fields", &field_views(section, doc));
    c.insert("revision", &doc.get("revision").and_then(Value::as_i64));
    c.insert("problems", problems);
    c.insert("saved", &saved);
    c.insert("exists", &id.is_some());
    c.insert("preview", &preview);
    page(state, status, "admin/item.html", &c)
}

pub async fn new_item(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, slug, segment) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let section = Section::parse(&segment)?;
    let o = owner.clone();
    // The list checks the permission (and audits a refusal).
    with_editor(&req, &state, &signed, move |ed, _| {
        on_kind(section, ed, |ed| ed.local::<Pages>().list(&o).map(drop), |ed| ed.local::<News>().list(&o).map(drop), |ed| ed.local::<Alerts>().list(&o).map(drop))?;
        Ok(())
    })
    .await?;
    let mut doc = serde_json::json!({ "status": "draft" });
    if matches!(section, Section::News) {
        doc["date"] = chrono::Utc::now().date_naive().to_string().into();
    }
    if matches!(section, Section::Alerts) {
        doc["severity"] = "info".into();
    }
    item_page(&state, &signed, &owner, section, None, &doc, &[], false, StatusCode::OK)
}

pub async fn edit_item(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, i64)>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, slug, segment, id) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let section = Section::parse(&segment)?;
    let o = owner.clone();
    let doc = with_editor(&req, &state, &signed, move |ed, _| on_kind(section, ed, |ed| item_json::<Pages>(ed, &o, id), |ed| item_json::<News>(ed, &o, id), |ed| item_json::<Alerts>(ed, &o, id))).await?;
    item_page(&state, &signed, &owner, section, Some(id), &doc, &[], query.contains_key("opgeslagen"), StatusCode::OK)
}

pub async fn save_item(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, String)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let form = form.into_inner();
    let (kind, slug, segment, id_text) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let section = Section::parse(&segment)?;
    let id = if id_text == "nieuw" { None } else { Some(id_text.parse::<i64>().map_err(|_| AppError::NotFound)?) };
    let doc = form_doc(section, &form);
    if form.contains_key("voorbeeld") {
        let body = doc.get("body").and_then(Value::as_str).unwrap_or("");
        let html = crate::render::markdown::to_html(body, crate::render::markdown::BODY);
        return item_page_with(&state, &signed, &owner, section, id, &doc, &[], false, StatusCode::OK, Some(html));
    }
    let delete = form.contains_key("verwijderen");
    let (o, d) = (owner.clone(), doc.clone());
    let result = with_editor(&req, &state, &signed, move |ed, _| {
        if let (true, Some(id)) = (delete, id) {
            let base = d.get("revision").and_then(Value::as_i64);
            let deleted = on_kind(section, ed, |ed| ed.local::<Pages>().delete(&o, id, base), |ed| ed.local::<News>().delete(&o, id, base), |ed| ed.local::<Alerts>().delete(&o, id, base));
            return outcome(deleted).map(|r| match r {
                Outcome::Saved(()) => Outcome::Saved(Value::Null),
                Outcome::Problems(p) => Outcome::Problems(p),
                Outcome::Conflict { current } => Outcome::Conflict { current },
            });
        }
        on_kind(section, ed, |ed| save_json::<Pages>(ed, &o, id, d.clone()), |ed| save_json::<News>(ed, &o, id, d.clone()), |ed| save_json::<Alerts>(ed, &o, id, d.clone()))
    })
    .await?;
    let base = format!("/admin/{}/{}", kind_segment(&owner), owner.slug());
    match result {
        Outcome::Saved(Value::Null) => Ok(see_other(&base)),
        Outcome::Saved(saved) => Ok(see_other(&format!("{base}/{}/{}?opgeslagen=1", section.segment(), saved["id"]))),
        Outcome::Problems(problems) => item_page(&state, &signed, &owner, section, id, &doc, &problems, false, StatusCode::UNPROCESSABLE_ENTITY),
        Outcome::Conflict { current } => {
            let o = owner.clone();
            let Some(id) = id else { return Err(AppError::NotFound) };
            let theirs = with_editor(&req, &state, &signed, move |ed, _| on_kind(section, ed, |ed| item_json::<Pages>(ed, &o, id), |ed| item_json::<News>(ed, &o, id), |ed| item_json::<Alerts>(ed, &o, id))).await?;
            let text = |v: &Value| format!("{}\n\n{}", v["title"].as_str().unwrap_or(""), v["body"].as_str().unwrap_or(""));
            let action = format!("{base}/{}/{id}", section.segment());
            let item = theirs["title"].as_str().unwrap_or("");
            conflict_page(&state, &signed, Conflict { item, theirs: text(&theirs), mine: text(&doc), action: &action, crumbs: crumbs(&owner), form: &form, current })
        }
    }
}

pub async fn history(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, i64)>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, slug, segment, id) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let section = Section::parse(&segment)?;
    let o = owner.clone();
    let entries = with_editor(&req, &state, &signed, move |ed, _| {
        // Reading the item checks that it is this owner's.
        on_kind(section, ed, |ed| item_json::<Pages>(ed, &o, id), |ed| item_json::<News>(ed, &o, id), |ed| item_json::<Alerts>(ed, &o, id))?;
        Ok(ed.history(section.kind(), &id.to_string(), Some(&o))?)
    })
    .await?;
    let mut c = admin_context(&state, Some(&signed), "Versies", crumbs(&owner));
    let text = |v: &Value| format!("{}\n\n{}", v["title"].as_str().unwrap_or(""), v["body"].as_str().unwrap_or(""));
    c.insert("rows", &history_rows(entries, text));
    c.insert("restore_base", &format!("/admin/{}/{}/{}/{id}/versies", kind_segment(&owner), owner.slug(), section.segment()));
    page(&state, StatusCode::OK, "admin/history.html", &c)
}

pub async fn restore(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String, i64, i64)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (kind, slug, segment, id, revision) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let section = Section::parse(&segment)?;
    let o = owner.clone();
    with_editor(&req, &state, &signed, move |ed, _| {
        on_kind(
            section,
            ed,
            |ed| ed.local::<Pages>().restore(&o, id, revision).map(drop),
            |ed| ed.local::<News>().restore(&o, id, revision).map(drop),
            |ed| ed.local::<Alerts>().restore(&o, id, revision).map(drop),
        )?;
        Ok(())
    })
    .await?;
    Ok(see_other(&format!("/admin/{}/{}/{}/{id}?opgeslagen=1", kind_segment(&owner), owner.slug(), section.segment())))
}

pub async fn redirects_form(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, slug) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let Owner::Site(site) = owner.clone() else { return Err(AppError::NotFound) };
    let csv = with_editor(&req, &state, &signed, move |ed, _| Ok(ed.redirects(&site)?)).await?;
    redirects_page(&state, &signed, &owner, &csv, &[], false, StatusCode::OK)
}

fn redirects_page(state: &AppState, signed: &Signed, owner: &Owner, csv: &str, problems: &[String], saved: bool, status: StatusCode) -> Result<HttpResponse, AppError> {
    let mut c = admin_context(state, Some(signed), "Omleidingen", crumbs(owner));
    c.insert("csv", csv);
    c.insert("problems", problems);
    c.insert("saved", &saved);
    c.insert("action", &format!("/admin/sites/{}/omleidingen", owner.slug()));
    page(state, status, "admin/redirects.html", &c)
}

pub async fn redirects_save(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (kind, slug) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let Owner::Site(site) = owner.clone() else { return Err(AppError::NotFound) };
    let csv = form.get("csv").cloned().unwrap_or_default().replace("\r\n", "\n");
    let text = csv.clone();
    let result = with_editor(&req, &state, &signed, move |ed, _| outcome(ed.put_redirects(&site, RedirectsDoc { csv: text }))).await?;
    match result {
        Outcome::Saved(saved) => redirects_page(&state, &signed, &owner, &saved, &[], true, StatusCode::OK),
        Outcome::Problems(problems) => redirects_page(&state, &signed, &owner, &csv, &problems, false, StatusCode::UNPROCESSABLE_ENTITY),
        Outcome::Conflict { .. } => Err(EditError::NotFound.into()),
    }
}
