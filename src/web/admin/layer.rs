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
use super::{Conflict, FormState, Outcome, Signed, admin_context, check_csrf, conflict_page, field, local_to_rfc3339, outcome, page, rfc3339_to_local, see_other, signed_in, with_editor};
use crate::content::model::Owner;
use crate::edit::{Alerts, EditError, EditResult, Editor, LocalKind, News, Pages, RedirectsDoc};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

/// How a form field is shown.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    Text,
    Textarea,
    Number,
    Date,
    Datetime,
    Status,
    Severity,
}

pub struct FieldSpec {
    name: &'static str,
    label: &'static str,
    input: Input,
    hint: &'static str,
}

const fn f(name: &'static str, label: &'static str, input: Input, hint: &'static str) -> FieldSpec {
    FieldSpec { name, label, input, hint }
}

/// How the admin shows one kind of local content: its URL segment, its name and its form.
/// The handlers below are written once over it and registered per kind.
pub trait AdminForm: LocalKind {
    const SEGMENT: &'static str;
    const LABEL: &'static str;
    const FIELDS: &'static [FieldSpec];
    /// A new item's document, as the empty form shows it.
    fn blank() -> Value {
        serde_json::json!({ "status": "draft" })
    }
}

impl AdminForm for Pages {
    const SEGMENT: &'static str = "paginas";
    const LABEL: &'static str = "Pagina";
    const FIELDS: &'static [FieldSpec] = &[
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
}

impl AdminForm for News {
    const SEGMENT: &'static str = "nieuws";
    const LABEL: &'static str = "Nieuwsbericht";
    const FIELDS: &'static [FieldSpec] = &[
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

    fn blank() -> Value {
        serde_json::json!({ "status": "draft", "date": chrono::Utc::now().date_naive().to_string() })
    }
}

impl AdminForm for Alerts {
    const SEGMENT: &'static str = "meldingen";
    const LABEL: &'static str = "Melding";
    const FIELDS: &'static [FieldSpec] = &[
        f("slug", "Naam", Input::Text, "Kleine letters, cijfers en streepjes."),
        f("title", "Titel", Input::Text, ""),
        f("summary", "Samenvatting", Input::Text, ""),
        f("severity", "Soort", Input::Severity, ""),
        f("body", "Tekst", Input::Textarea, "Markdown."),
        f("starts", "Tonen vanaf", Input::Datetime, ""),
        f("ends", "Tonen tot", Input::Datetime, ""),
        f("status", "Status", Input::Status, ""),
    ];

    fn blank() -> Value {
        serde_json::json!({ "status": "draft", "severity": "info" })
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

fn field_views(fields: &[FieldSpec], doc: &Value) -> Vec<FieldView> {
    fields
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
fn form_doc(fields: &[FieldSpec], form: &HashMap<String, String>) -> Value {
    let mut doc = serde_json::Map::new();
    for spec in fields {
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

/// The overview's list of one kind's items.
fn item_rows<K: AdminForm>(owner: &Owner, docs: Vec<K::Doc>) -> Vec<ItemRow> {
    docs.into_iter()
        .filter_map(|d| serde_json::to_value(d).ok())
        .map(|d| ItemRow {
            title: d["title"].as_str().unwrap_or("").to_owned(),
            url: format!("{}/{}", item_base::<K>(owner), d["id"]),
            status: if d["status"] == "draft" { "Concept".into() } else { "Gepubliceerd".into() },
        })
        .collect()
}

/// Where the admin shows the items of kind `K` of this owner.
fn item_base<K: AdminForm>(owner: &Owner) -> String {
    format!("/admin/{}/{}/{}", kind_segment(owner), owner.slug(), K::SEGMENT)
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
        let pages = item_rows::<Pages>(&o, page_docs);
        let news = item_rows::<News>(&o, ed.local::<News>().list(&o)?);
        let alerts = item_rows::<Alerts>(&o, ed.local::<Alerts>().list(&o)?);
        Ok((name, products, (pages, news, alerts)))
    })
    .await?;
    let mut c = admin_context(&state, Some(&signed), &name, vec![Link { title: "Overzicht".into(), url: "/admin".into() }]);
    let base = format!("/admin/{}/{}", kind_segment(&owner), owner.slug());
    c.insert("base", &base);
    c.insert("layer_slug", owner.slug());
    c.insert("products", &products);
    c.insert("pages", &lists.0);
    c.insert("news", &lists.1);
    c.insert("alerts", &lists.2);
    c.insert("is_site", &matches!(owner, Owner::Site(_)));
    c.insert("site_slug", owner.slug());
    page(&state, StatusCode::OK, "admin/layer.html", &c)
}

/// An item as the form shows it.
fn item_json<K: LocalKind>(ed: &mut Editor, owner: &Owner, id: i64) -> Result<Value, AppError> {
    let doc = ed.local::<K>().get(owner, id)?;
    serde_json::to_value(doc).map_err(AppError::internal)
}

/// Creates (`id` is `None`) or saves the item a form describes; its id.
fn save_json<K: LocalKind>(ed: &mut Editor, owner: &Owner, id: Option<i64>, doc: Value) -> EditResult<i64> {
    let base = doc.get("revision").and_then(Value::as_i64);
    let parsed: K::Doc = serde_json::from_value(doc).map_err(|e| EditError::Invalid(vec![e.to_string().into()]))?;
    match id {
        Some(id) => ed.local::<K>().put(owner, id, parsed, base).map(|_| id),
        None => ed.local::<K>().create(owner, parsed).map(|doc| K::doc_id(&doc)),
    }
}

fn item_page<K: AdminForm>(state: &AppState, signed: &Signed, owner: &Owner, id: Option<i64>, doc: &Value, form: FormState, status: StatusCode) -> Result<HttpResponse, AppError> {
    let title = match doc.get("title").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        Some(t) => t.to_owned(),
        None => format!("{} maken", K::LABEL),
    };
    let mut c = admin_context(state, Some(signed), &title, crumbs(owner));
    let base = item_base::<K>(owner);
    c.insert("action", &format!("{base}/{}", id.map(|i| i.to_string()).unwrap_or_else(|| "nieuw".into())));
    c.insert("history", &id.map(|i| format!("{base}/{i}/versies")));
    // Pages and news have an English text beside the Dutch one; alerts do not.
    c.insert("english", &id.filter(|_| K::KIND != crate::content::kind::Kind::Alert).map(|i| format!("{base}/{i}/engels")));
    c.insert("fields", &field_views(K::FIELDS, doc));
    c.insert("revision", &doc.get("revision").and_then(Value::as_i64));
    c.insert("problems", form.problems);
    c.insert("saved", &form.saved);
    c.insert("exists", &id.is_some());
    c.insert("preview", &form.preview);
    page(state, status, "admin/item.html", &c)
}

pub async fn new_item<K: AdminForm>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, slug) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let o = owner.clone();
    // The list checks the permission (and audits a refusal).
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.local::<K>().list(&o).map(drop)?)).await?;
    item_page::<K>(&state, &signed, &owner, None, &K::blank(), FormState::default(), StatusCode::OK)
}

pub async fn edit_item<K: AdminForm>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>, query: web::Query<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, slug, id) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let o = owner.clone();
    let doc = with_editor(&req, &state, &signed, move |ed, _| item_json::<K>(ed, &o, id)).await?;
    let form = FormState { saved: query.contains_key("opgeslagen"), ..FormState::default() };
    item_page::<K>(&state, &signed, &owner, Some(id), &doc, form, StatusCode::OK)
}

/// A form's buttons: preview the text, delete the item, or save it.
pub async fn save_item<K: AdminForm>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, String)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let form = form.into_inner();
    let (kind, slug, id_text) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let id = if id_text == "nieuw" { None } else { Some(id_text.parse::<i64>().map_err(|_| AppError::NotFound)?) };
    let doc = form_doc(K::FIELDS, &form);
    if form.contains_key("voorbeeld") {
        let body = doc.get("body").and_then(Value::as_str).unwrap_or("");
        let preview = Some(crate::render::markdown::to_html(body, crate::render::markdown::BODY));
        return item_page::<K>(&state, &signed, &owner, id, &doc, FormState { preview, ..FormState::default() }, StatusCode::OK);
    }
    let (o, d) = (owner.clone(), doc.clone());
    let delete = form.contains_key("verwijderen").then_some(id).flatten();
    let result = with_editor(&req, &state, &signed, move |ed, _| match delete {
        Some(id) => outcome(ed.local::<K>().delete(&o, id, d.get("revision").and_then(Value::as_i64)).map(|()| None)),
        None => outcome(save_json::<K>(ed, &o, id, d).map(Some)),
    })
    .await?;
    match result {
        Outcome::Pending(url) => Ok(super::see_other(&url)),
        Outcome::Saved(None) => Ok(see_other(&format!("/admin/{}/{}", kind_segment(&owner), owner.slug()))),
        Outcome::Saved(Some(saved)) => Ok(see_other(&format!("{}/{saved}?opgeslagen=1", item_base::<K>(&owner)))),
        Outcome::Problems(problems) => item_page::<K>(&state, &signed, &owner, id, &doc, FormState::problems(&problems), StatusCode::UNPROCESSABLE_ENTITY),
        Outcome::Conflict { current } => {
            let o = owner.clone();
            let Some(id) = id else { return Err(AppError::NotFound) };
            let theirs = with_editor(&req, &state, &signed, move |ed, _| item_json::<K>(ed, &o, id)).await?;
            let action = format!("{}/{id}", item_base::<K>(&owner));
            let item = theirs["title"].as_str().unwrap_or("");
            conflict_page(&state, &signed, Conflict { item, theirs: title_and_body(&theirs), mine: title_and_body(&doc), action: &action, crumbs: crumbs(&owner), form: &form, current })
        }
    }
}

/// The text a diff compares: title and body.
fn title_and_body(doc: &Value) -> String {
    format!("{}\n\n{}", doc["title"].as_str().unwrap_or(""), doc["body"].as_str().unwrap_or(""))
}

pub async fn history<K: AdminForm>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64)>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let (kind, slug, id) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let o = owner.clone();
    let entries = with_editor(&req, &state, &signed, move |ed, _| {
        // Reading the item checks that it is this owner's.
        item_json::<K>(ed, &o, id)?;
        Ok(ed.history(K::KIND, &id.to_string(), Some(&o))?)
    })
    .await?;
    let mut c = admin_context(&state, Some(&signed), "Versies", crumbs(&owner));
    c.insert("rows", &history_rows(entries, title_and_body));
    c.insert("restore_base", &format!("{}/{id}/versies", item_base::<K>(&owner)));
    page(&state, StatusCode::OK, "admin/history.html", &c)
}

pub async fn restore<K: AdminForm>(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String, i64, i64)>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let (kind, slug, id, revision) = path.into_inner();
    let owner = admin_owner(&kind, &slug)?;
    let o = owner.clone();
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.local::<K>().restore(&o, id, revision).map(drop)?)).await?;
    Ok(see_other(&format!("{}/{id}?opgeslagen=1", item_base::<K>(&owner))))
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
        Outcome::Pending(url) => Ok(super::see_other(&url)),
        Outcome::Saved(saved) => redirects_page(&state, &signed, &owner, &saved, &[], true, StatusCode::OK),
        Outcome::Problems(problems) => redirects_page(&state, &signed, &owner, &csv, &problems, false, StatusCode::UNPROCESSABLE_ENTITY),
        Outcome::Conflict { .. } => Err(EditError::NotFound.into()),
    }
}
