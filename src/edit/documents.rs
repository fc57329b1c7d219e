//! The admin API's documents: the content file format as JSON (front-matter keys, with the
//! Markdown body as `body`, and product and override bodies as `sections`, a list of
//! `{key, heading, body}`). Conversions to the model check what the file reader checks.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::content::files::rfc3339;
use crate::content::model::{
    Alert, Audience, Contact, NewsItem, Override, Owner, Page, Product, Section, SectionChange, SectionMode, Severity, Status,
    Timestamp, Variable,
};
use crate::content::slug::{is_key, is_slug};
use crate::content::{limits, placeholders, redirects};

/// What is wrong with a document, one message per problem, naming the field.
pub type Problems = Vec<String>;

fn time(field: &str, value: &Option<String>, problems: &mut Problems) -> Option<Timestamp> {
    let text = value.as_ref()?;
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => Some(t.timestamp()),
        Err(_) => {
            problems.push(format!("{field}: {text:?} is not a date and time in RFC 3339 form, e.g. \"2026-11-01T08:00:00+01:00\""));
            None
        }
    }
}

fn date(field: &str, value: &Option<String>, problems: &mut Problems) -> Option<NaiveDate> {
    let text = value.as_ref()?;
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(format!("{field}: {text:?} is not a date like \"2027-01-31\""));
            None
        }
    }
}

fn window(start: Option<Timestamp>, end: Option<Timestamp>, problems: &mut Problems) {
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            problems.push("unpublish_at: is not after publish_at".into());
        }
    }
}

/// Publish window and review date, as every scheduled kind has them.
fn schedule(
    publish_at: &Option<String>,
    unpublish_at: &Option<String>,
    review_date: &Option<String>,
    problems: &mut Problems,
) -> (Option<Timestamp>, Option<Timestamp>, Option<NaiveDate>) {
    let start = time("publish_at", publish_at, problems);
    let end = time("unpublish_at", unpublish_at, problems);
    window(start, end, problems);
    (start, end, date("review_date", review_date, problems))
}

fn required(field: &str, value: &str, problems: &mut Problems) -> String {
    let value = value.trim();
    if value.is_empty() {
        problems.push(format!("{field}: must not be empty"));
    }
    value.to_owned()
}

/// The model when it also meets `content::limits`, else every problem with its field.
fn within_limits<T>(item: T, check: fn(&T) -> Vec<limits::Problem>) -> Result<T, Problems> {
    let problems = check(&item);
    if problems.is_empty() { Ok(item) } else { Err(problems.iter().map(ToString::to_string).collect()) }
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDoc {
    pub key: String,
    #[serde(default)]
    pub heading: String,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableDoc {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductDoc {
    /// Shown when read; the URL decides which product a write changes.
    #[serde(default)]
    pub slug: String,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub audience: Vec<Audience>,
    #[serde(default)]
    pub upl: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub life_events: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub popular: bool,
    #[serde(default)]
    pub publish_at: Option<String>,
    #[serde(default)]
    pub unpublish_at: Option<String>,
    #[serde(default)]
    pub review_date: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDoc>,
    #[serde(default)]
    pub sections: Vec<SectionDoc>,
    /// The revision this document is (GET) or was based on (PUT).
    #[serde(default)]
    pub revision: Option<i64>,
}

impl ProductDoc {
    pub fn from_model(p: &Product) -> ProductDoc {
        ProductDoc {
            slug: p.slug.clone(),
            title: p.title.clone(),
            summary: p.summary.clone(),
            audience: p.audience.clone(),
            upl: p.upl.clone(),
            themes: p.themes.clone(),
            life_events: p.life_events.clone(),
            keywords: p.keywords.clone(),
            status: p.status,
            popular: p.popular,
            publish_at: p.publish_at.map(rfc3339),
            unpublish_at: p.unpublish_at.map(rfc3339),
            review_date: day(p.review_date),
            owner: p.content_owner.clone(),
            variables: p.variables.iter().map(|v| (v.name.clone(), VariableDoc { label: v.label.clone(), default: v.default.clone() })).collect(),
            sections: p.sections.iter().map(|s| SectionDoc { key: s.key.clone(), heading: s.heading.clone(), body: s.body.clone() }).collect(),
            revision: Some(p.revision),
        }
    }

    pub fn into_model(self, slug: &str) -> Result<Product, Problems> {
        let mut problems = Problems::new();
        if !is_slug(slug) {
            problems.push(format!("slug: {slug:?} is not valid: use lowercase letters, digits and hyphens"));
        }
        let title = required("title", &self.title, &mut problems);
        let (publish_at, unpublish_at, review_date) = schedule(&self.publish_at, &self.unpublish_at, &self.review_date, &mut problems);
        if let Some(upl) = &self.upl {
            if url::Url::parse(upl).is_err() {
                problems.push(format!("upl: {upl:?} is not a URI"));
            }
        }
        for name in self.variables.keys() {
            if !placeholders::is_name(name) {
                problems.push(format!("variables: {name:?} is not a valid name: use lowercase letters, digits and '_'"));
            }
        }
        check_sections(self.sections.iter().map(|s| (&s.key, &s.heading)), &mut problems);
        let mut audience = self.audience;
        audience.sort();
        audience.dedup();
        if audience.is_empty() {
            audience.push(Audience::Particulier);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        within_limits(Product {
            slug: slug.to_owned(),
            title,
            summary: self.summary.trim().to_owned(),
            audience,
            upl: self.upl,
            themes: self.themes,
            life_events: self.life_events,
            keywords: self.keywords,
            popular: self.popular,
            variables: self.variables.into_iter().map(|(name, v)| Variable { name, label: v.label, default: v.default }).collect(),
            sections: self.sections.into_iter().map(|s| Section { key: s.key, heading: s.heading.trim().to_owned(), body: s.body.trim().to_owned() }).collect(),
            status: self.status,
            publish_at,
            unpublish_at,
            revision: 0,
            updated_at: 0,
            review_date,
            content_owner: self.owner,
        }, limits::product)
    }
}

/// Section keys must be valid and used once.
fn check_sections<'a>(sections: impl Iterator<Item = (&'a String, &'a String)>, problems: &mut Problems) {
    let mut seen: Vec<&str> = Vec::new();
    for (key, _) in sections {
        if !is_key(key) {
            problems.push(format!("sections: key {key:?} is not valid: use lowercase letters, digits, '-' and '_'"));
        }
        if seen.contains(&key.as_str()) {
            problems.push(format!("sections: key {key:?} is used twice"));
        }
        seen.push(key);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideSectionDoc {
    pub key: String,
    #[serde(default)]
    pub mode: SectionMode,
    #[serde(default)]
    pub heading: String,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideDoc {
    /// The catalogue revision this override is written against; the current one when left out.
    #[serde(default)]
    pub based_on: Option<i64>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub apply_url: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub contact: Option<Contact>,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    #[serde(default)]
    pub sections: Vec<OverrideSectionDoc>,
    #[serde(default)]
    pub revision: Option<i64>,
}

impl OverrideDoc {
    pub fn from_model(o: &Override) -> OverrideDoc {
        OverrideDoc {
            based_on: Some(o.based_on),
            enabled: o.enabled,
            title: o.title.clone(),
            summary: o.summary.clone(),
            apply_url: o.apply_url.clone(),
            keywords: o.keywords.clone(),
            contact: o.contact.clone(),
            variables: o.variables.clone(),
            sections: o
                .sections
                .iter()
                .map(|s| OverrideSectionDoc { key: s.key.clone(), mode: s.mode, heading: s.heading.clone(), body: s.body.clone() })
                .collect(),
            revision: Some(o.revision),
        }
    }

    /// `current` is the product's catalogue revision.
    pub fn into_model(self, product: &str, current: i64) -> Result<Override, Problems> {
        let mut problems = Problems::new();
        let based_on = self.based_on.unwrap_or(current);
        if based_on < 1 || based_on > current {
            problems.push(format!("based_on: {based_on} is not a revision of the product (1 to {current})"));
        }
        if let Some(url) = &self.apply_url {
            if !crate::content::files::is_safe_link(url) {
                problems.push("apply_url: must be an http:// or https:// URL".into());
            }
        }
        if let Some(url) = self.contact.as_ref().and_then(|c| c.url.as_ref()) {
            if !crate::content::files::is_safe_link(url) {
                problems.push("contact.url: must be an http:// or https:// URL".into());
            }
        }
        for name in self.variables.keys() {
            if !placeholders::is_name(name) {
                problems.push(format!("variables: {name:?} is not a valid name"));
            }
        }
        check_sections(self.sections.iter().map(|s| (&s.key, &s.heading)), &mut problems);
        for s in &self.sections {
            match s.mode {
                SectionMode::Hide if !s.body.trim().is_empty() => {
                    problems.push(format!("sections: {:?} has mode hide but also text", s.key))
                }
                SectionMode::Hide => {}
                _ if s.body.trim().is_empty() => problems.push(format!("sections: {:?} has mode {} but no text", s.key, s.mode.as_str())),
                _ => {}
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        within_limits(Override {
            product: product.to_owned(),
            based_on,
            enabled: self.enabled,
            title: self.title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            summary: self.summary.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            apply_url: self.apply_url.filter(|u| !u.trim().is_empty()),
            keywords: self.keywords,
            contact: self.contact.filter(|c| !c.is_empty()),
            variables: self.variables,
            sections: self
                .sections
                .into_iter()
                .map(|s| SectionChange { key: s.key, mode: s.mode, heading: s.heading.trim().to_owned(), body: s.body.trim().to_owned() })
                .collect(),
            revision: 0,
            updated_at: 0,
        }, limits::override_)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageDoc {
    /// Shown when read; the URL decides which item a write changes.
    #[serde(default)]
    pub id: i64,
    pub path: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub weight: i32,
    #[serde(default)]
    pub publish_at: Option<String>,
    #[serde(default)]
    pub unpublish_at: Option<String>,
    #[serde(default)]
    pub review_date: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub revision: Option<i64>,
}

impl PageDoc {
    pub fn from_model(id: i64, p: &Page) -> PageDoc {
        PageDoc {
            id,
            path: p.path.clone(),
            title: p.title.clone(),
            summary: p.summary.clone(),
            status: p.status,
            weight: p.weight,
            publish_at: p.publish_at.map(rfc3339),
            unpublish_at: p.unpublish_at.map(rfc3339),
            review_date: day(p.review_date),
            owner: p.content_owner.clone(),
            body: p.body.clone(),
            revision: Some(p.revision),
        }
    }

    pub fn into_model(self, owner: Owner) -> Result<Page, Problems> {
        let mut problems = Problems::new();
        let path = self.path.trim().trim_matches('/').to_owned();
        if path.is_empty() || path.split('/').any(|s| !is_slug(s)) {
            problems.push(format!("path: {:?} is not a page path like \"afval/pmd\" (lowercase letters, digits and hyphens)", self.path));
        } else if crate::content::files::RESERVED_PATHS.contains(&path.split('/').next().unwrap_or("")) {
            problems.push(format!("path: /{path} is a path Meent uses itself"));
        }
        let title = required("title", &self.title, &mut problems);
        let (publish_at, unpublish_at, review_date) = schedule(&self.publish_at, &self.unpublish_at, &self.review_date, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        within_limits(Page {
            owner,
            path,
            title,
            summary: self.summary.trim().to_owned(),
            body: self.body.trim().to_owned(),
            status: self.status,
            weight: self.weight,
            publish_at,
            unpublish_at,
            revision: 0,
            updated_at: 0,
            review_date,
            content_owner: self.owner,
        }, limits::page)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsDoc {
    /// Shown when read; the URL decides which item a write changes.
    #[serde(default)]
    pub id: i64,
    pub slug: String,
    pub date: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub publish_at: Option<String>,
    #[serde(default)]
    pub unpublish_at: Option<String>,
    #[serde(default)]
    pub review_date: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    /// A media address (`/media/<key>`) shown with the item.
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub revision: Option<i64>,
}

impl NewsDoc {
    pub fn from_model(id: i64, n: &NewsItem) -> NewsDoc {
        NewsDoc {
            id,
            slug: n.slug.clone(),
            date: n.date.format("%Y-%m-%d").to_string(),
            title: n.title.clone(),
            summary: n.summary.clone(),
            status: n.status,
            publish_at: n.publish_at.map(rfc3339),
            unpublish_at: n.unpublish_at.map(rfc3339),
            review_date: day(n.review_date),
            owner: n.content_owner.clone(),
            image: n.image.clone(),
            body: n.body.clone(),
            revision: Some(n.revision),
        }
    }

    pub fn into_model(self, owner: Owner) -> Result<NewsItem, Problems> {
        let mut problems = Problems::new();
        if !is_slug(&self.slug) {
            problems.push(format!("slug: {:?} is not valid: use lowercase letters, digits and hyphens", self.slug));
        }
        let day = date("date", &Some(self.date.clone()), &mut problems);
        let title = required("title", &self.title, &mut problems);
        let (publish_at, unpublish_at, review_date) = schedule(&self.publish_at, &self.unpublish_at, &self.review_date, &mut problems);
        let image = self.image.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty());
        if let Some(i) = image.as_deref().filter(|i| !crate::content::model::is_media_address(i)) {
            problems.push(format!("image: {i:?} is not a media address like /media/gemeentehuis-1a2b3c4d"));
        }
        let Some(day) = day.filter(|_| problems.is_empty()) else { return Err(problems) };
        within_limits(NewsItem {
            owner,
            slug: self.slug,
            date: day,
            title,
            summary: self.summary.trim().to_owned(),
            body: self.body.trim().to_owned(),
            status: self.status,
            publish_at,
            unpublish_at,
            revision: 0,
            updated_at: 0,
            review_date,
            content_owner: self.owner,
            image,
        }, limits::news)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertDoc {
    /// Shown when read; the URL decides which item a write changes.
    #[serde(default)]
    pub id: i64,
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub severity: Severity,
    #[serde(default)]
    pub starts: Option<String>,
    #[serde(default)]
    pub ends: Option<String>,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub revision: Option<i64>,
}

impl AlertDoc {
    pub fn from_model(id: i64, a: &Alert) -> AlertDoc {
        AlertDoc {
            id,
            slug: a.slug.clone(),
            title: a.title.clone(),
            summary: a.summary.clone(),
            severity: a.severity,
            starts: a.starts.map(rfc3339),
            ends: a.ends.map(rfc3339),
            status: a.status,
            body: a.body.clone(),
            revision: Some(a.revision),
        }
    }

    pub fn into_model(self, owner: Owner) -> Result<Alert, Problems> {
        let mut problems = Problems::new();
        if !is_slug(&self.slug) {
            problems.push(format!("slug: {:?} is not valid: use lowercase letters, digits and hyphens", self.slug));
        }
        let title = required("title", &self.title, &mut problems);
        let starts = time("starts", &self.starts, &mut problems);
        let ends = time("ends", &self.ends, &mut problems);
        if let (Some(s), Some(e)) = (starts, ends) {
            if e <= s {
                problems.push("ends: is not after starts".into());
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        within_limits(Alert {
            owner,
            slug: self.slug,
            title,
            summary: self.summary.trim().to_owned(),
            body: self.body.trim().to_owned(),
            severity: self.severity,
            starts,
            ends,
            status: self.status,
            revision: 0,
            updated_at: 0,
        }, limits::alert)
    }
}

/// A site's redirects as the admin edits them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectsDoc {
    /// The CSV of `redirects.csv` (`from,to`).
    pub csv: String,
}

impl RedirectsDoc {
    pub fn into_list(self) -> Result<Vec<redirects::Redirect>, Problems> {
        redirects::parse(&self.csv).map_err(|p| p.into_iter().map(|(line, m)| format!("line {line}: {m}")).collect())
    }
}
