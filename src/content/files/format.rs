//! The serde adapters of the content files whose shape differs from the admin API's
//! documents: overrides (section modes in the front matter), `group.toml`, `site.toml`,
//! `media.toml` and `thesaurus.toml`. Products, pages, news and alerts are read and written as
//! their documents (`edit::documents`) themselves. Unknown keys are refused.
//! `docs/content-format.md` documents every key; keep the two in step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::content::model::{Contact, Dated, SectionMode};

/// A date or date-time as written: a TOML string or a TOML date-time value.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum When {
    Text(String),
    Toml(toml::value::Datetime),
}

impl When {
    pub fn as_text(&self) -> String {
        match self {
            When::Text(s) => s.clone(),
            When::Toml(dt) => dt.to_string(),
        }
    }
}

impl Serialize for When {
    /// Always as text: JSON has no date-time, and a file written from it reads back the same.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_text())
    }
}




#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SectionFront {
    #[serde(default)]
    pub mode: SectionMode,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideIn {
    pub based_on: Option<Spanned<i64>>,
    pub enabled: Option<bool>,
    pub reason: Option<String>,
    pub refer_to: Option<Spanned<String>>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub apply_url: Option<Spanned<String>>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub contact: Option<Contact>,
    #[serde(default)]
    pub variables: BTreeMap<String, Dated>,
    #[serde(default)]
    pub sections: BTreeMap<String, Spanned<SectionFront>>,
    pub revision: Option<i64>,
    /// When the item last changed: written by export, taken on import for an item the
    /// database does not hold yet.
    pub updated: Option<Spanned<When>>,
}

/// The front matter of an override's translation (`overrides/<slug>.en.md`). Section modes
/// are the Dutch override's: written again (`[sections.<key>] mode`) or left out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideTextIn {
    pub based_on: Option<i64>,
    pub based_on_nl: Option<i64>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub reason: Option<String>,
    #[serde(default)]
    pub sections: BTreeMap<String, Spanned<SectionFront>>,
    pub revision: Option<i64>,
    pub updated: Option<Spanned<When>>,
}

#[derive(Debug, Serialize)]
pub struct OverrideOut<'a> {
    pub based_on: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refer_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply_url: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub keywords: &'a [String],
    pub revision: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<&'a Contact>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: &'a BTreeMap<String, Dated>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sections: BTreeMap<&'a str, SectionFront>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupIn {
    pub name: String,
    pub contact: Option<Contact>,
    #[serde(default)]
    pub variables: BTreeMap<String, Dated>,
    pub revision: Option<i64>,
    /// When the item last changed: written by export, taken on import for an item the
    /// database does not hold yet.
    pub updated: Option<Spanned<When>>,
}

#[derive(Debug, Serialize)]
pub struct GroupOut<'a> {
    pub name: &'a str,
    pub revision: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Contact::is_empty")]
    pub contact: &'a Contact,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: &'a BTreeMap<String, Dated>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFront {
    pub tokens: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteIn {
    pub name: String,
    pub hosts: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub groups: Vec<Spanned<String>>,
    pub municipality_code: Option<Spanned<String>>,
    pub owms_uri: Option<String>,
    pub security_contact: Option<Spanned<String>>,
    pub forms_url: Option<Spanned<String>>,
    #[serde(default)]
    pub popular: Vec<Spanned<String>>,
    pub contact: Option<Contact>,
    #[serde(default)]
    pub variables: BTreeMap<String, Dated>,
    pub theme: Option<Spanned<ThemeFront>>,
    pub ombudsman: Option<Spanned<crate::content::model::Ombudsman>>,
    pub waste_point: Option<Spanned<crate::content::model::WastePoint>>,
    pub revision: Option<i64>,
    /// When the item last changed: written by export, taken on import for an item the
    /// database does not hold yet.
    pub updated: Option<Spanned<When>>,
}

#[derive(Debug, Serialize)]
pub struct SiteOut<'a> {
    pub name: &'a str,
    pub hosts: &'a [String],
    pub groups: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owms_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_contact: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forms_url: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub popular: &'a [String],
    pub revision: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Contact::is_empty")]
    pub contact: &'a Contact,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: &'a BTreeMap<String, Dated>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeFront>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ombudsman: Option<&'a crate::content::model::Ombudsman>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waste_point: Option<&'a crate::content::model::WastePoint>,
}







/// `thesaurus.toml` at the top of the content directory (the central team's) or in a group's
/// or a site's directory: `[[concept]]` and `[[pin]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThesaurusIn {
    #[serde(default)]
    pub concept: Vec<Spanned<crate::content::model::Concept>>,
    #[serde(default)]
    pub pin: Vec<Spanned<crate::content::model::Pin>>,
}

#[derive(Debug, Serialize)]
pub struct ThesaurusOut<'a> {
    #[serde(skip_serializing_if = "<[crate::content::model::Concept]>::is_empty")]
    pub concept: &'a [crate::content::model::Concept],
    #[serde(skip_serializing_if = "<[crate::content::model::Pin]>::is_empty")]
    pub pin: &'a [crate::content::model::Pin],
}

/// `media.toml` of a group or site (or, at the top, of the national team): its images, whose
/// files are next to it in `media/`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaFileIn {
    #[serde(default)]
    pub image: Vec<Spanned<MediaIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaIn {
    pub key: String,
    /// Relative to the directory of `media.toml`: `media/<file name>`.
    pub file: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub alt: String,
    #[serde(default)]
    pub decorative: bool,
    /// Written by exports of earlier versions; ignored: every imported image is decoded and
    /// encoded again.
    #[allow(dead_code)]
    pub hash: Option<String>,
    pub revision: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct MediaFileOut<'a> {
    pub image: Vec<MediaOut<'a>>,
}

#[derive(Debug, Serialize)]
pub struct MediaOut<'a> {
    pub key: &'a str,
    pub file: String,
    pub name: &'a str,
    pub alt: &'a str,
    pub decorative: bool,
    pub revision: i64,
}
