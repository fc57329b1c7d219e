//! The fold: what a resident of one site sees of one catalogue product, given the layers
//! (the site's groups in order, then the site itself). Pure: no I/O, no clock, no HTML.
//!
//! Rules, most specific last:
//! - `enabled`, `title`, `summary`, `apply_url`: the last layer that sets them wins.
//! - Sections: each override section acts on the section with the same key as folded so far:
//!   `replace` swaps heading and text (and shows a section an earlier layer hid), `append` and
//!   `prepend` add text, `hide` removes it from view. A key nobody has yet is a local section,
//!   shown after the others in layer order; `hide` of an unknown key does nothing (noted).
//! - Variables: the declared default, then per layer its general values and then the values
//!   of its override for this product; a value with dates counts with the value in force at
//!   `SiteFields::now` (none before its first date), and the fold says when the next one
//!   starts (`Resolved::next_change`).
//! - Opt-out: the last layer that sets `enabled` decides; its `reason` and `refer_to` come
//!   with an opt-out (`Resolved::opt_out`).
//! - Contact: the layers' general contact details, field by field, overlaid with the
//!   product-specific contact details of the overrides.
//! - Placeholders are filled last, in title, summary, headings and texts.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{Audience, Contact, Dated, Override, Product, SectionMode, Timestamp};
use super::placeholders::{self, Unfilled, Values};

/// One layer above the catalogue: a group or the site.
#[derive(Debug, Clone, Copy)]
pub struct Layer<'a> {
    /// `group:<slug>` or `site:<slug>`; used to say where something came from.
    pub name: &'a str,
    /// Values this layer sets for every product.
    pub variables: &'a BTreeMap<String, Dated>,
    /// This layer's general contact details.
    pub contact: &'a Contact,
    /// This layer's override of the product, if any.
    pub over: Option<&'a Override>,
    /// When this layer's own settings last changed.
    pub updated_at: Timestamp,
}

/// The site fields placeholders can use.
#[derive(Debug, Clone, Copy)]
pub struct SiteFields<'a> {
    pub name: &'a str,
    pub municipality: &'a str,
    /// The language of the texts folded (for the standard sentences of typed variables).
    pub lang: super::model::Lang,
    /// The site's ombudsman and waste drop-off point, for `{{ site.* }}`.
    pub services: &'a super::model::Services,
    /// The moment folded for: values with dates count with the value in force then.
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// The catalogue text, untouched.
    Central,
    /// Replaced by a layer (possibly extended by later layers).
    Replaced { by: String },
    /// Central (or replaced) text with additions by these layers.
    Extended { by: Vec<String> },
    /// A section the catalogue does not have, added by a layer.
    Local { by: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedSection {
    pub key: String,
    pub heading: String,
    /// Markdown with placeholders filled.
    pub body: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueSource {
    Default,
    Layer { name: String },
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedVariable {
    pub name: String,
    pub label: String,
    pub value: String,
    pub source: ValueSource,
}

/// Something editors should look at; residents never see these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// A declared variable that no layer sets; its default is shown.
    DefaultUsed { name: String },
    /// A variable used in the text with no value and no default; nothing is shown.
    MissingVariable { name: String },
    /// A `{{ site.NAME }}` field the site has not set; the sentence asks to contact the municipality.
    MissingSiteField { name: String },
    /// A `{{ … }}` that is not a known placeholder; nothing is shown.
    UnknownPlaceholder { text: String },
    /// An override hides a section nobody has.
    HidesUnknownSection { layer: String, key: String },
    /// A placeholder left empty because filling it would make the text too long.
    TooLong { text: String },
}

/// Why a layer does not offer a product, and where residents can go instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptOut {
    /// The layer that opted out (`group:<slug>`, `site:<slug>`).
    pub by: String,
    pub reason: Option<String>,
    /// A product slug or an `https://` address.
    pub refer_to: Option<String>,
}

/// A product as one site shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub slug: String,
    pub enabled: bool,
    /// Why not, when not `enabled` because a layer opted out.
    pub opt_out: Option<OptOut>,
    pub title: String,
    pub summary: String,
    pub audience: Vec<Audience>,
    pub upl: Option<String>,
    pub themes: Vec<String>,
    pub life_events: Vec<String>,
    pub keywords: Vec<String>,
    /// The central team marks products most residents need.
    pub popular: bool,
    pub sections: Vec<ResolvedSection>,
    pub apply_url: Option<String>,
    pub contact: Contact,
    pub variables: Vec<ResolvedVariable>,
    pub notes: Vec<Note>,
    /// The catalogue's publish window.
    pub publish_at: Option<Timestamp>,
    pub unpublish_at: Option<Timestamp>,
    /// The catalogue revision.
    pub revision: i64,
    /// The latest change of the product or any layer behind it.
    pub modified: Timestamp,
    /// The next moment a value with dates changes what this fold gives.
    #[serde(skip)]
    pub next_change: Option<Timestamp>,
}

struct Working {
    key: String,
    heading: String,
    body: String,
    origin: Origin,
    hidden: bool,
}

pub fn fold(product: &Product, layers: &[Layer], site: SiteFields) -> Resolved {
    let mut enabled = true;
    let mut opt_out = None;
    let mut title = product.title.clone();
    let mut summary = product.summary.clone();
    let mut apply_url = None;
    let mut keywords = product.keywords.clone();
    let mut general_contact = Contact::default();
    let mut product_contact = Contact::default();
    let mut values: BTreeMap<String, (String, String)> = BTreeMap::new(); // name -> (value, layer)
    let mut next_change: Option<Timestamp> = None;
    let mut value_at = |dated: &Dated| {
        next_change = match (next_change, dated.next(site.now)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        dated.at(site.now).map(str::to_owned)
    };
    let mut notes = Vec::new();
    // A change in either language is a change of the product's text (SDG pages show it).
    let mut modified = product.updated_at.max(product.english.as_ref().map_or(0, |t| t.updated_at));
    let mut sections: Vec<Working> = product
        .sections
        .iter()
        .map(|s| Working {
            key: s.key.clone(),
            heading: s.heading.clone(),
            body: s.body.clone(),
            origin: Origin::Central,
            hidden: false,
        })
        .collect();

    for layer in layers {
        modified = modified.max(layer.updated_at);
        general_contact = general_contact.merged_with(layer.contact);
        for (name, value) in layer.variables {
            if let Some(value) = value_at(value) {
                values.insert(name.clone(), (value, layer.name.to_owned()));
            }
        }
        let Some(over) = layer.over else { continue };
        modified = modified.max(over.updated_at).max(over.english.as_ref().map_or(0, |t| t.updated_at));
        if let Some(offered) = over.enabled {
            enabled = offered;
            opt_out = (!offered).then(|| OptOut { by: layer.name.to_owned(), reason: over.reason.clone(), refer_to: over.refer_to.clone() });
        }
        if let Some(t) = &over.title {
            title = t.clone();
        }
        if let Some(s) = &over.summary {
            summary = s.clone();
        }
        if let Some(url) = &over.apply_url {
            apply_url = Some(url.clone());
        }
        for word in &over.keywords {
            if !keywords.contains(word) {
                keywords.push(word.clone());
            }
        }
        if let Some(contact) = &over.contact {
            product_contact = product_contact.merged_with(contact);
        }
        for (name, value) in &over.variables {
            if let Some(value) = value_at(value) {
                values.insert(name.clone(), (value, layer.name.to_owned()));
            }
        }
        for change in &over.sections {
            apply_section(&mut sections, change, layer.name, &mut notes);
        }
    }

    let mut variables = Vec::with_capacity(product.variables.len());
    let mut filled: BTreeMap<String, String> = BTreeMap::new();
    let mut instead: BTreeMap<String, &'static str> = BTreeMap::new();
    for declared in &product.variables {
        let default = declared.default.as_ref().and_then(&mut value_at);
        let (value, source) = match (values.get(&declared.name), default) {
            (Some((value, layer)), _) => (value.clone(), ValueSource::Layer { name: layer.clone() }),
            (None, Some(default)) => {
                notes.push(Note::DefaultUsed { name: declared.name.clone() });
                (default, ValueSource::Default)
            }
            (None, None) => (String::new(), ValueSource::Missing),
        };
        if source != ValueSource::Missing {
            filled.insert(declared.name.clone(), value.clone());
        } else if let Some(sentence) = placeholders::standard_sentence(declared.kind, site.lang) {
            instead.insert(declared.name.clone(), sentence);
        }
        variables.push(ResolvedVariable {
            name: declared.name.clone(),
            label: declared.label.clone(),
            value,
            source,
        });
    }
    // Values for variables the product does not declare can still be used in override text.
    for (name, (value, _)) in values {
        filled.entry(name).or_insert(value);
    }

    let mut vals = Values {
        gemeente: site.municipality,
        site_name: site.name,
        vars: &filled,
        instead: &instead,
        contact: &general_contact,
        services: site.services,
        lang: site.lang,
        apply_url: None,
    };
    let mut unfilled = Vec::new();
    let apply_url = apply_url.map(|u| placeholders::fill(&u, &vals, &mut unfilled)).filter(|u| !u.trim().is_empty());
    vals.apply_url = apply_url.as_deref();
    let title = placeholders::fill(&title, &vals, &mut unfilled);
    let summary = placeholders::fill_text(&summary, &vals, &mut unfilled);
    let sections = sections
        .into_iter()
        .filter(|s| !s.hidden)
        .map(|s| ResolvedSection {
            heading: placeholders::fill(&s.heading, &vals, &mut unfilled),
            body: placeholders::fill_text(&s.body, &vals, &mut unfilled),
            key: s.key,
            origin: s.origin,
        })
        .collect();
    unfilled.sort();
    notes.extend(unfilled.into_iter().map(|u| match u {
        Unfilled::Variable(name) => Note::MissingVariable { name },
        Unfilled::SiteField(name) => Note::MissingSiteField { name },
        Unfilled::Unknown(text) => Note::UnknownPlaceholder { text },
        Unfilled::TooLong(text) => Note::TooLong { text },
    }));

    Resolved {
        slug: product.slug.clone(),
        enabled,
        opt_out,
        title,
        summary,
        audience: product.audience.clone(),
        upl: product.upl.clone(),
        themes: product.themes.clone(),
        life_events: product.life_events.clone(),
        keywords,
        popular: product.popular,
        sections,
        apply_url,
        contact: general_contact.merged_with(&product_contact),
        variables,
        notes,
        publish_at: product.publish_at,
        unpublish_at: product.unpublish_at,
        revision: product.revision,
        modified,
        next_change,
    }
}

fn apply_section(
    sections: &mut Vec<Working>,
    change: &super::model::SectionChange,
    layer: &str,
    notes: &mut Vec<Note>,
) {
    let Some(target) = sections.iter_mut().find(|s| s.key == change.key) else {
        if change.mode == SectionMode::Hide {
            notes.push(Note::HidesUnknownSection { layer: layer.to_owned(), key: change.key.clone() });
        } else {
            sections.push(Working {
                key: change.key.clone(),
                heading: change.heading.clone(),
                body: change.body.clone(),
                origin: Origin::Local { by: layer.to_owned() },
                hidden: false,
            });
        }
        return;
    };
    match change.mode {
        SectionMode::Replace => {
            if !change.heading.is_empty() {
                target.heading = change.heading.clone();
            }
            target.body = change.body.clone();
            target.hidden = false;
            target.origin = match &target.origin {
                Origin::Local { .. } => Origin::Local { by: layer.to_owned() },
                _ => Origin::Replaced { by: layer.to_owned() },
            };
        }
        SectionMode::Append | SectionMode::Prepend => {
            let (first, second) = if change.mode == SectionMode::Append {
                (target.body.trim_end(), change.body.trim())
            } else {
                (change.body.trim(), target.body.trim_start())
            };
            target.body = match (first.is_empty(), second.is_empty()) {
                (true, _) => second.to_owned(),
                (_, true) => first.to_owned(),
                _ => format!("{first}\n\n{second}"),
            };
            target.origin = match std::mem::replace(&mut target.origin, Origin::Central) {
                Origin::Central => Origin::Extended { by: vec![layer.to_owned()] },
                Origin::Extended { mut by } => {
                    by.push(layer.to_owned());
                    Origin::Extended { by }
                }
                other => other,
            };
        }
        SectionMode::Hide => target.hidden = true,
    }
}

#[cfg(test)]
mod tests;
