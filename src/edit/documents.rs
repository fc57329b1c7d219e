//! The admin API's documents: the content file format as JSON (front-matter keys, with the
//! Markdown body as `body`, and product and override bodies as `sections`, a list of
//! `{key, heading, body}`). Conversions to the model check what the file reader checks.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::content::files::rfc3339;
use crate::content::model::{
    Alert, AlertFields, Audience, Contact, Dated, Local, NewsFields, NewsItem, Override, Owner, Page, PageFields, Product, Section,
    SectionChange, SectionMode, Severity, Status, Timestamp, VarKind, Variable,
};
use crate::content::files::When;
use crate::content::limits::{self, Problem};
use crate::content::slug::{is_key, is_slug};
use crate::content::{placeholders, redirects};

/// What is wrong with a document: one problem per field, each naming its field as a JSON
/// pointer (`/title`), which the API reports as is and the file reader turns into a line.
pub type Problems = Vec<Problem>;

/// A date and time in RFC 3339 form, written as text (or, in a file, as a TOML date-time).
pub(super) fn time(field: &str, value: &Option<When>, problems: &mut Problems) -> Option<Timestamp> {
    let text = value.as_ref()?.as_text();
    match chrono::DateTime::parse_from_rfc3339(&text) {
        Ok(t) => Some(t.timestamp()),
        Err(_) => {
            problems.push(Problem::at(field, format!("{text:?} is not a date and time in RFC 3339 form, e.g. \"2026-11-01T08:00:00+01:00\"")));
            None
        }
    }
}

fn date(field: &str, value: &Option<When>, problems: &mut Problems) -> Option<NaiveDate> {
    let text = value.as_ref()?.as_text();
    match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(Problem::at(field, format!("{text:?} is not a date like \"2027-01-31\"")));
            None
        }
    }
}

/// A time window: the end (at `end_field`) after the start.
fn window(start: Option<Timestamp>, end: Option<Timestamp>, end_field: &str, start_name: &str, problems: &mut Problems) {
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            problems.push(Problem::at(end_field, format!("is not after {start_name}")));
        }
    }
}

/// Publish window and review date, as every scheduled kind has them.
fn schedule(
    publish_at: &Option<When>,
    unpublish_at: &Option<When>,
    review_date: &Option<When>,
    problems: &mut Problems,
) -> (Option<Timestamp>, Option<Timestamp>, Option<NaiveDate>) {
    let start = time("/publish_at", publish_at, problems);
    let end = time("/unpublish_at", unpublish_at, problems);
    window(start, end, "/unpublish_at", "publish_at", problems);
    (start, end, date("/review_date", review_date, problems))
}

pub(super) fn required(field: &str, value: &str, problems: &mut Problems) -> String {
    let value = value.trim();
    if value.is_empty() {
        problems.push(Problem::at(field, "must not be empty"));
    }
    value.to_owned()
}

/// The model when neither the document's checks (`problems`) nor `content::limits` found
/// anything, else every problem of both.
pub(super) fn checked<T>(item: T, mut problems: Problems, check: impl FnOnce(&T) -> Vec<Problem>) -> Result<T, Problems> {
    problems.extend(check(&item));
    if problems.is_empty() { Ok(item) } else { Err(problems) }
}

/// A revision named in a document: 1 or more, or 0 for none.
pub(super) fn revision(field: &str, value: Option<i64>, problems: &mut Problems) -> i64 {
    match value {
        Some(r) if r < 0 => {
            problems.push(Problem::at(field, "must be 1 or more (0 or none: no revision yet)"));
            0
        }
        Some(r) => r,
        None => 0,
    }
}

/// The fields every local document (page, news item, alert) has, checked the same way for
/// each kind.
struct LocalText<'a> {
    title: &'a str,
    summary: &'a str,
    body: &'a str,
    status: Status,
    revision: Option<i64>,
    updated: &'a Option<When>,
}

impl LocalText<'_> {
    /// The item, its problems in the document's order: the title, then the kind's own fields
    /// (`kind` checks them), then the revision and time.
    fn into_local<K>(self, owner: Owner, problems: &mut Problems, kind: impl FnOnce(&mut Problems) -> K) -> Local<K> {
        let title = required("/title", self.title, problems);
        let kind = kind(problems);
        Local {
            english: None,
            owner,
            title,
            summary: self.summary.trim().to_owned(),
            body: self.body.trim().to_owned(),
            status: self.status,
            revision: revision("/revision", self.revision, problems),
            updated_at: time("/updated", self.updated, problems).unwrap_or(0),
            kind,
        }
    }
}

/// A product's, news item's or alert's slug: its name in URLs and files.
fn check_slug(value: &str, problems: &mut Problems) {
    if !is_slug(value) {
        problems.push(Problem::at("/slug", format!("{value:?} is not valid: use lowercase letters, digits and hyphens")));
    }
}

/// A layer's contact and variable values (an override's, a site's, a group's): links that are
/// safe to show, an e-mail address that is one, variable names that placeholders can use.
pub fn layer_values(contact: Option<&Contact>, variables: &BTreeMap<String, Dated>) -> Problems {
    let mut problems = Problems::new();
    if let Some(c) = contact {
        if let Some(url) = c.url.as_ref().filter(|u| !crate::content::files::is_safe_link(u)) {
            problems.push(Problem::at("/contact/url", format!("{url:?} must be an http:// or https:// URL")));
        }
        if let Some(email) = c.email.as_ref().filter(|e| !e.contains('@') || e.chars().any(|ch| ch.is_whitespace() || "<>\"".contains(ch))) {
            problems.push(Problem::at("/contact/email", format!("{email:?} is not an e-mail address")));
        }
    }
    for name in variables.keys().filter(|n| !placeholders::is_name(n)) {
        problems.push(Problem::at(&format!("/variables/{name}"), "is not a valid name: use lowercase letters, digits and '_'"));
    }
    problems
}

/// A media address (`/media/<key>`), as a news item's image must be.
fn media_address(field: &str, value: Option<String>, problems: &mut Problems) -> Option<String> {
    let value = value.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty())?;
    if !crate::content::model::is_media_address(&value) {
        problems.push(Problem::at(field, format!("{value:?} is not a media address like /media/gemeentehuis-1a2b3c4d")));
    }
    Some(value)
}

fn day(d: Option<NaiveDate>) -> Option<When> {
    d.map(|d| When::Text(d.format("%Y-%m-%d").to_string()))
}

fn moment(t: Option<Timestamp>) -> Option<When> {
    t.map(|t| When::Text(rfc3339(t)))
}

/// An item's time of last change (none before its first save).
pub(super) fn changed_at(t: Timestamp) -> Option<When> {
    (t > 0).then(|| When::Text(rfc3339(t)))
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
    /// A value, or values with dates (`content::dated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Dated>,
    /// `text` (the default), `amount`, `url`, `phone` or `email`.
    #[serde(default, skip_serializing_if = "VarKind::is_text")]
    pub kind: VarKind,
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
    pub publish_at: Option<When>,
    #[serde(default)]
    pub unpublish_at: Option<When>,
    #[serde(default)]
    pub review_date: Option<When>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDoc>,
    #[serde(default)]
    pub sections: Vec<SectionDoc>,
    /// The revision this document is (GET) or was based on (PUT).
    #[serde(default)]
    pub revision: Option<i64>,
    /// When the product last changed (read; in files, see the content format's 1.7).
    #[serde(default)]
    pub updated: Option<When>,
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
            publish_at: moment(p.publish_at),
            unpublish_at: moment(p.unpublish_at),
            review_date: day(p.review_date),
            owner: p.content_owner.clone(),
            variables: p.variables.iter().map(|v| (v.name.clone(), VariableDoc { label: v.label.clone(), default: v.default.clone(), kind: v.kind })).collect(),
            sections: p.sections.iter().map(|s| SectionDoc { key: s.key.clone(), heading: s.heading.clone(), body: s.body.clone() }).collect(),
            revision: Some(p.revision),
            updated: changed_at(p.updated_at),
        }
    }

    pub fn into_model(self, slug: &str) -> Result<Product, Problems> {
        let mut problems = Problems::new();
        check_slug(slug, &mut problems);
        let title = required("/title", &self.title, &mut problems);
        let (publish_at, unpublish_at, review_date) = schedule(&self.publish_at, &self.unpublish_at, &self.review_date, &mut problems);
        let revision = revision("/revision", self.revision, &mut problems);
        let updated_at = time("/updated", &self.updated, &mut problems).unwrap_or(0);
        if let Some(upl) = &self.upl {
            if url::Url::parse(upl).is_err() {
                problems.push(Problem::at("/upl", format!("{upl:?} is not a URI")));
            }
        }
        for (name, v) in &self.variables {
            if !placeholders::is_name(name) {
                problems.push(Problem::at(&format!("/variables/{name}"), "is not a valid name: use lowercase letters, digits and '_'"));
            }
            for (field, default) in v.default.iter().flat_map(|d| each_value(&format!("/variables/{name}/default"), d)) {
                if let Err(why) = value_of_kind(v.kind, default) {
                    problems.push(Problem::at(&field, why));
                }
                // Addresses and numbers stand in links or on their own; words can double.
                let worded = matches!(v.kind, VarKind::Text | VarKind::Amount);
                let texts = std::iter::once(self.summary.as_str()).chain(self.sections.iter().map(|s| s.body.as_str())).filter(|_| worded);
                if let Some((reads, twice)) = texts.filter_map(|t| placeholders::reads_badly(t, name, default)).next() {
                    problems.push(Problem::at(&field, format!("with {default:?} a sentence reads {reads:?} ({twice:?} twice): change the sentence or the value")));
                }
            }
        }
        check_sections(self.sections.iter().map(|s| (&s.key, &s.heading)), &mut problems);
        let mut audience = self.audience;
        audience.sort();
        audience.dedup();
        if audience.is_empty() {
            audience.push(Audience::Particulier);
        }
        checked(Product {
            english: None,
            slug: slug.to_owned(),
            title,
            summary: self.summary.trim().to_owned(),
            audience,
            upl: self.upl,
            themes: self.themes,
            life_events: self.life_events,
            keywords: self.keywords,
            popular: self.popular,
            variables: self.variables.into_iter().map(|(name, v)| Variable { name, label: v.label, default: v.default, kind: v.kind }).collect(),
            sections: self.sections.into_iter().map(|s| Section { key: s.key, heading: s.heading.trim().to_owned(), body: s.body.trim().to_owned() }).collect(),
            status: self.status,
            publish_at,
            unpublish_at,
            revision,
            updated_at,
            review_date,
            content_owner: self.owner,
        }, problems, limits::product)
    }
}

/// Addresses no resident can use: the example domains of RFC 2606 and local names.
fn placeholder_address(url: &str) -> bool {
    let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_default();
    let reserved = ["example.org", "example.com", "example.net"];
    reserved.iter().any(|r| host == *r || host.ends_with(&format!(".{r}")))
        || [".test", ".invalid", ".example", ".localhost"].iter().any(|t| host.ends_with(t))
        || host == "localhost"
}

/// A site's services (`forms_url`, `[ombudsman]`, `[waste_point]` of site.toml): names given, short enough
/// for a sentence, the ombudsman's address one residents can use. Problems name
/// `/ombudsman/<field>` and `/waste_point/<field>`.
pub fn services_problems(services: &crate::content::model::Services) -> Problems {
    let mut problems = Problems::new();
    let mut short = |field: &str, value: &str, max: usize| {
        if value.trim().is_empty() {
            problems.push(Problem::at(field, "is empty"));
        } else if value.chars().count() > max || value.contains(['\n', '{', '}']) {
            problems.push(Problem::at(field, format!("must be one line of at most {max} characters, without {{ or }}")));
        }
    };
    if let Some(o) = &services.ombudsman {
        short("/ombudsman/name", &o.name, 120);
        if let Some(en) = &o.name_en {
            short("/ombudsman/name_en", en, 120);
        }
    }
    if let Some(w) = &services.waste_point {
        short("/waste_point/name", &w.name, 120);
        if let Some(a) = &w.address {
            short("/waste_point/address", a, 200);
        }
        if let Some(h) = &w.hours {
            short("/waste_point/hours", h, 300);
        }
    }
    if let Some(o) = &services.ombudsman {
        if let Err(why) = value_of_kind(VarKind::Url, &o.url) {
            problems.push(Problem::at("/ombudsman/url", why));
        }
    }
    if let Some(url) = &services.forms_url {
        if let Err(why) = value_of_kind(VarKind::Url, url) {
            problems.push(Problem::at("/forms_url", why));
        }
    }
    problems
}

/// Whether a variable's value fits its kind; why not.
pub fn value_of_kind(kind: VarKind, value: &str) -> Result<(), String> {
    let v = value.trim();
    match kind {
        VarKind::Text => Ok(()),
        VarKind::Amount if v.chars().any(|c| c.is_ascii_digit()) || ["gratis", "niets", "free", "nothing"].contains(&v.to_lowercase().as_str()) => Ok(()),
        VarKind::Amount => Err(format!("{v:?} is not an amount: write it like \"€ 84,10\" or \"gratis\", or leave it out (the text then says to ask the municipality)")),
        VarKind::Url if !(v.starts_with("https://") || v.starts_with("http://")) || url::Url::parse(v).is_err() => Err(format!("{v:?} is not an http:// or https:// address")),
        VarKind::Url if placeholder_address(v) => Err(format!("{v:?} is a placeholder address no resident can use: leave it out (the text then says to ask the municipality)")),
        VarKind::Url => Ok(()),
        VarKind::Phone if v.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) && v.chars().any(|c| c.is_ascii_digit()) => Ok(()),
        VarKind::Phone => Err(format!("{v:?} is not a phone number")),
        VarKind::Email if v.contains('@') && !v.contains(char::is_whitespace) => Ok(()),
        VarKind::Email => Err(format!("{v:?} is not an e-mail address")),
    }
}

/// A layer's values (of a group, a site or an override, `own` the override's own texts) checked
/// against a product that declares them: each fits its kind, and no sentence of the product
/// or of `own` reads badly with it. Problems name `/variables/<name>`.
pub fn layer_values_fit(values: &BTreeMap<String, Dated>, product: &Product, own: &[&str]) -> Problems {
    let mut problems = Problems::new();
    for (name, dated) in values {
        let Some(declared) = product.variables.iter().find(|v| &v.name == name) else { continue };
        for (field, value) in each_value(&format!("/variables/{name}"), dated) {
            value_fits(declared, &field, value, product, own, &mut problems);
        }
    }
    problems
}

/// Each value of a variable value with where it is: the value itself when it has no dates,
/// `<field>/<i>/value` for each of a list.
fn each_value<'a>(field: &str, value: &'a Dated) -> Vec<(String, &'a str)> {
    match value.as_plain() {
        Some(v) => vec![(field.to_owned(), v)],
        None => value.steps().iter().enumerate().map(|(i, s)| (format!("{field}/{i}/value"), s.value.as_str())).collect(),
    }
}

/// One value of a layer for a variable `declared` by `product`.
fn value_fits(declared: &Variable, field: &str, value: &str, product: &Product, own: &[&str], problems: &mut Problems) {
    if let Err(why) = value_of_kind(declared.kind, value) {
        problems.push(Problem::at(field, format!("{why} (product {})", product.slug)));
        return;
    }
    if !matches!(declared.kind, VarKind::Text | VarKind::Amount) {
        return;
    }
    let texts = std::iter::once(product.summary.as_str()).chain(product.sections.iter().map(|s| s.body.as_str())).chain(own.iter().copied());
    if let Some((reads, twice)) = texts.filter_map(|t| placeholders::reads_badly(t, &declared.name, value)).next() {
        problems.push(Problem::at(field, format!("with {value:?} a sentence of product {} reads {reads:?} ({twice:?} twice): change the value", product.slug)));
    }
}

/// An opt-out's reason and referral: only with `enabled = false`; the referral is another
/// product's slug or a web address.
fn opt_out_problems(enabled: Option<bool>, reason: Option<&str>, refer_to: Option<&str>, product: &str, problems: &mut Problems) {
    if enabled != Some(false) {
        for (field, set) in [("/reason", reason.is_some()), ("/refer_to", refer_to.is_some())] {
            if set {
                problems.push(Problem::at(field, "is only for an opt-out: set enabled = false, or leave it out"));
            }
        }
    }
    if let Some(to) = refer_to {
        if to.contains("://") {
            if !crate::content::files::is_safe_link(to) {
                problems.push(Problem::at("/refer_to", format!("{to:?} must be an https:// address or a product slug")));
            }
        } else if !is_slug(to) {
            problems.push(Problem::at("/refer_to", format!("{to:?} is not a product slug (lowercase letters, digits and hyphens) or an https:// address")));
        } else if to == product {
            problems.push(Problem::at("/refer_to", "refers to the product itself: name another product or an address"));
        }
    }
}

/// Section keys must be valid and used once.
fn check_sections<'a>(sections: impl Iterator<Item = (&'a String, &'a String)>, problems: &mut Problems) {
    let mut seen: Vec<&str> = Vec::new();
    for (key, _) in sections {
        if !is_key(key) {
            problems.push(Problem::at("/sections", format!("key {key:?} is not valid: use lowercase letters, digits, '-' and '_'")));
        }
        if seen.contains(&key.as_str()) {
            problems.push(Problem::at("/sections", format!("key {key:?} is used twice")));
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

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideDoc {
    /// The catalogue revision this override is written against; the current one when left out.
    #[serde(default)]
    pub based_on: Option<i64>,
    #[serde(default)]
    pub enabled: Option<bool>,
    /// With `enabled: false`: why this layer does not offer the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// With `enabled: false`: a product slug or an `https://` address residents can go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refer_to: Option<String>,
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
    pub variables: BTreeMap<String, Dated>,
    #[serde(default)]
    pub sections: Vec<OverrideSectionDoc>,
    #[serde(default)]
    pub revision: Option<i64>,
    /// When the override last changed (read; in files, see the content format's 1.7).
    #[serde(default)]
    pub updated: Option<When>,
}

impl OverrideDoc {
    pub fn from_model(o: &Override) -> OverrideDoc {
        OverrideDoc {
            based_on: Some(o.based_on),
            enabled: o.enabled,
            reason: o.reason.clone(),
            refer_to: o.refer_to.clone(),
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
            updated: changed_at(o.updated_at),
        }
    }

    /// `current` is the product's catalogue revision, when known (the admin). A file's
    /// override is checked against the catalogue at import; without `based_on` it is written
    /// against the revision the catalogue has then (0 here).
    pub fn into_model(self, product: &str, current: Option<i64>) -> Result<Override, Problems> {
        let mut problems = Problems::new();
        let based_on = match (self.based_on, current) {
            (Some(b), Some(c)) if b < 1 || b > c => {
                problems.push(Problem::at("/based_on", format!("{b} is not a revision of the product (1 to {c})")));
                b
            }
            (Some(b), None) if b < 1 => {
                problems.push(Problem::at("/based_on", "must be a catalogue revision (1 or more)"));
                b
            }
            (Some(b), _) => b,
            (None, current) => current.unwrap_or(0),
        };
        let revision = revision("/revision", self.revision, &mut problems);
        let updated_at = time("/updated", &self.updated, &mut problems).unwrap_or(0);
        if let Some(url) = &self.apply_url {
            if !crate::content::files::is_safe_link(url) {
                problems.push(Problem::at("/apply_url", "must be an http:// or https:// URL"));
            }
        }
        problems.extend(layer_values(self.contact.as_ref(), &self.variables));
        let reason = self.reason.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        let refer_to = self.refer_to.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        opt_out_problems(self.enabled, reason.as_deref(), refer_to.as_deref(), product, &mut problems);
        check_sections(self.sections.iter().map(|s| (&s.key, &s.heading)), &mut problems);
        for s in &self.sections {
            let at = format!("/sections/{}", s.key);
            match s.mode {
                SectionMode::Hide if !s.body.trim().is_empty() => {
                    problems.push(Problem::at(&at, "has mode hide but also text: remove the text or change the mode"))
                }
                SectionMode::Hide => {}
                _ if s.body.trim().is_empty() => problems.push(Problem::at(&at, format!("has mode {} but no text", s.mode.as_str()))),
                _ => {}
            }
        }
        checked(Override {
            english: None,
            product: product.to_owned(),
            based_on,
            enabled: self.enabled,
            reason,
            refer_to,
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
            revision,
            updated_at,
        }, problems, limits::override_)
    }
}

/// Declares a local document (page, news item, alert) with the fields every kind has around
/// the kind's own, each field once with how it is read from the model (`from_model`). The
/// order is the order of the API's JSON and of a file's front matter: `id`, the kind's key,
/// `title`, `summary`, `status`, the kind's other fields, `body`, `revision`, `updated`.
macro_rules! local_doc {
    (
        $(#[$meta:meta])*
        $name:ident from $model:ty as $item:ident {
            key { $($(#[$kmeta:meta])* $kfield:ident: $ktype:ty = $kvalue:expr,)* }
            own { $($(#[$ometa:meta])* $ofield:ident: $otype:ty = $ovalue:expr,)* }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Shown when read; the URL decides which item a write changes. Not in files.
            #[serde(default)]
            pub id: i64,
            $($(#[$kmeta])* pub $kfield: $ktype,)*
            pub title: String,
            #[serde(default)]
            pub summary: String,
            #[serde(default)]
            pub status: Status,
            $($(#[$ometa])* pub $ofield: $otype,)*
            #[serde(default)]
            pub body: String,
            /// The revision this document is (read) or was based on (written).
            #[serde(default)]
            pub revision: Option<i64>,
            /// When the item last changed (read; in files, see the content format's 1.7).
            #[serde(default)]
            pub updated: Option<When>,
        }

        impl $name {
            pub fn from_model(id: i64, $item: &$model) -> $name {
                $name {
                    id,
                    $($kfield: $kvalue,)*
                    title: $item.title.clone(),
                    summary: $item.summary.clone(),
                    status: $item.status,
                    $($ofield: $ovalue,)*
                    body: $item.body.clone(),
                    revision: Some($item.revision),
                    updated: changed_at($item.updated_at),
                }
            }

            /// The fields every kind has, to check.
            fn text(&self) -> LocalText<'_> {
                LocalText { title: &self.title, summary: &self.summary, body: &self.body, status: self.status, revision: self.revision, updated: &self.updated }
            }
        }
    };
}

local_doc! {
    /// A local page, in the admin API and in a content file (`pages/<path>.md`, where the path is
    /// the file's place and the body the Markdown after the front matter).
    PageDoc from Page as p {
        key {
            /// The page's place, like `afval/pmd`. In files, the file's place under `pages/`.
            #[serde(default)]
            path: String = p.path.clone(),
        }
        own {
            #[serde(default)]
            weight: i32 = p.weight,
            #[serde(default)]
            publish_at: Option<When> = moment(p.publish_at),
            #[serde(default)]
            unpublish_at: Option<When> = moment(p.unpublish_at),
            #[serde(default)]
            review_date: Option<When> = day(p.review_date),
            #[serde(default)]
            owner: Option<String> = p.content_owner.clone(),
        }
    }
}

impl PageDoc {
    /// The page, or every problem of the document.
    pub fn into_model(self, owner: Owner) -> Result<Page, Problems> {
        let mut problems = Problems::new();
        let path = self.path.trim().trim_matches('/').to_owned();
        if path.is_empty() || path.split('/').any(|s| !is_slug(s)) {
            problems.push(Problem::at("/path", format!("{:?} is not a page path like \"afval/pmd\" (lowercase letters, digits and hyphens)", self.path)));
        } else if crate::content::files::RESERVED_PATHS.contains(&path.split('/').next().unwrap_or("")) {
            problems.push(Problem::at("/path", format!("/{path} is a path Meent uses itself; choose another name")));
        }
        let text = self.text();
        let page = text.into_local(owner, &mut problems, |problems| {
            let (publish_at, unpublish_at, review_date) = schedule(&self.publish_at, &self.unpublish_at, &self.review_date, problems);
            PageFields { path, weight: self.weight, publish_at, unpublish_at, review_date, content_owner: self.owner.clone() }
        });
        checked(page, problems, limits::page)
    }
}

local_doc! {
    /// A news item, in the admin API and in a content file (`news/<date>-<slug>.md`, where the
    /// slug, and the date unless given, come from the file's name).
    NewsDoc from NewsItem as n {
        key {
            #[serde(default)]
            slug: String = n.slug.clone(),
            #[serde(default)]
            date: Option<When> = day(Some(n.date)),
        }
        own {
            #[serde(default)]
            publish_at: Option<When> = moment(n.publish_at),
            #[serde(default)]
            unpublish_at: Option<When> = moment(n.unpublish_at),
            #[serde(default)]
            review_date: Option<When> = day(n.review_date),
            #[serde(default)]
            owner: Option<String> = n.content_owner.clone(),
            /// A media address (`/media/<key>`) shown with the item.
            #[serde(default)]
            image: Option<String> = n.image.clone(),
        }
    }
}

impl NewsDoc {
    /// The news item, or every problem of the document.
    pub fn into_model(self, owner: Owner) -> Result<NewsItem, Problems> {
        let mut problems = Problems::new();
        check_slug(&self.slug, &mut problems);
        let text = self.text();
        let item = text.into_local(owner, &mut problems, |problems| {
            let day = match &self.date {
                None => {
                    problems.push(Problem::at("/date", "must be given, like \"2026-11-20\""));
                    None
                }
                given => date("/date", given, problems),
            };
            let (publish_at, unpublish_at, review_date) = schedule(&self.publish_at, &self.unpublish_at, &self.review_date, problems);
            NewsFields {
                slug: self.slug.clone(),
                date: day.unwrap_or_default(),
                publish_at,
                unpublish_at,
                review_date,
                content_owner: self.owner.clone(),
                image: media_address("/image", self.image.clone(), problems),
            }
        });
        checked(item, problems, limits::news)
    }
}

local_doc! {
    /// An alert, in the admin API and in a content file (`alerts/<slug>.md`, where the slug is
    /// the file's name).
    AlertDoc from Alert as a {
        key {
            #[serde(default)]
            slug: String = a.slug.clone(),
        }
        own {
            severity: Severity = a.severity,
            #[serde(default)]
            starts: Option<When> = moment(a.starts),
            #[serde(default)]
            ends: Option<When> = moment(a.ends),
        }
    }
}

impl AlertDoc {
    /// The alert, or every problem of the document.
    pub fn into_model(self, owner: Owner) -> Result<Alert, Problems> {
        let mut problems = Problems::new();
        check_slug(&self.slug, &mut problems);
        let text = self.text();
        let alert = text.into_local(owner, &mut problems, |problems| {
            let starts = time("/starts", &self.starts, problems);
            let ends = time("/ends", &self.ends, problems);
            window(starts, ends, "/ends", "starts", problems);
            AlertFields { slug: self.slug.clone(), severity: self.severity, starts, ends }
        });
        checked(alert, problems, limits::alert)
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
        redirects::parse(&self.csv).map_err(|p| p.into_iter().map(|(line, m)| Problem::at("/csv", format!("line {line}: {m}"))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_at_or_before_1970_survive_a_round_trip() {
        let doc = AlertDoc { id: 0, slug: "storing".into(), title: "Storing".into(), summary: String::new(), status: Status::Published, severity: Severity::Info, starts: Some(When::Text("1969-12-31T00:00:00Z".into())), ends: Some(When::Text("1970-01-01T00:00:00Z".into())), body: String::new(), revision: Some(0), updated: None };
        let alert = doc.into_model(Owner::Site("a".into())).unwrap();
        assert_eq!((alert.starts, alert.ends), (Some(-86_400), Some(0)));
        let again = AlertDoc::from_model(1, &alert);
        assert_eq!(again.ends.map(|w| w.as_text()).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(again.updated.map(|w| w.as_text()), None, "never saved: no time of last change");
    }

    #[test]
    fn revision_zero_means_none_and_negative_is_refused() {
        let page = |revision| PageDoc { id: 0, path: "a".into(), title: "A".into(), summary: String::new(), status: Status::Published, weight: 0, publish_at: None, unpublish_at: None, review_date: None, owner: None, body: String::new(), revision, updated: None };
        assert!(page(Some(0)).into_model(Owner::Site("a".into())).is_ok());
        let problems = page(Some(-1)).into_model(Owner::Site("a".into())).unwrap_err();
        assert_eq!(problems[0].field, "/revision");
    }
}
