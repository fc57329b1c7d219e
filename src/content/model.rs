//! The content model of PRODUCT.md as plain data: what the catalogue, groups and sites hold.
//! Nothing here knows about files, the database or HTTP.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::dated::Dated;

/// Unix seconds, UTC.
pub type Timestamp = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Published,
    Draft,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Draft => "draft",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "published" => Some(Status::Published),
            "draft" => Some(Status::Draft),
            _ => None,
        }
    }
}

/// A language residents read a site in. Every text is Dutch; English is optional per item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    /// The BCP 47 code, as in `<html lang>`, `hreflang`, file names (`.en.md`) and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Languages other than Dutch, which are translations.
    pub const TRANSLATED: [Lang; 1] = [Lang::En];
}

/// An item's texts in a language other than Dutch, kept beside the Dutch item: its own
/// revision and history, and the Dutch revision it translates. Everything that is not
/// language (status, audience, variables, apply link, contact, opt-out) is the Dutch item's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation<T> {
    pub lang: Lang,
    pub text: T,
    /// The revision of the Dutch item this text translates: a newer Dutch revision means the
    /// translation is behind.
    pub based_on_nl: i64,
    pub revision: i64,
    pub updated_at: Timestamp,
}

/// A catalogue product's texts in another language: the Dutch item's sections (same keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductText {
    pub title: String,
    pub summary: String,
    pub sections: Vec<Section>,
}

/// An override's texts in another language. Its `based_on` is the revision of the central
/// text in that language it was written against (drift is per language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideText {
    pub based_on: i64,
    pub title: Option<String>,
    pub summary: Option<String>,
    /// The opt-out's reason in this language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Section changes with the modes of the Dutch override (`hide` comes from the Dutch one).
    pub sections: Vec<SectionChange>,
}

/// A page's or news item's texts in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemText {
    pub title: String,
    pub summary: String,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Particulier,
    Ondernemer,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::Particulier, Audience::Ondernemer];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Particulier => "particulier",
            Audience::Ondernemer => "ondernemer",
        }
    }

    /// Label for residents.
    pub fn label(self) -> &'static str {
        match self {
            Audience::Particulier => "Inwoners",
            Audience::Ondernemer => "Ondernemers",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A keyed part of a product text. The key is how overrides address it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub key: String,
    /// Empty for the untitled introduction (text before the first heading).
    pub heading: String,
    /// Markdown, with placeholders.
    pub body: String,
}

/// A value the central text leaves to each layer, e.g. a fee or a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Dated>,
    /// What the value is; without a value for a site, a typed variable's sentence gives way
    /// to a standard one instead of reading badly.
    #[serde(default, skip_serializing_if = "VarKind::is_text")]
    pub kind: VarKind,
}

/// The kind of a variable's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VarKind {
    /// Any text; without a value it is left out.
    #[default]
    Text,
    /// A price or fee ("€ 84,10", "gratis"); without a value the sentence says to ask the
    /// municipality what it costs.
    Amount,
    /// An address (`https://…`); without a value the sentence says to ask the municipality how
    /// to arrange it, never a link to a placeholder address.
    Url,
    Phone,
    Email,
}

impl VarKind {
    pub const ALL: [VarKind; 5] = [VarKind::Text, VarKind::Amount, VarKind::Url, VarKind::Phone, VarKind::Email];

    pub fn is_text(&self) -> bool {
        *self == VarKind::Text
    }

    /// The name in files and the API (`amount`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            VarKind::Text => "text",
            VarKind::Amount => "amount",
            VarKind::Url => "url",
            VarKind::Phone => "phone",
            VarKind::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<VarKind> {
        VarKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A national catalogue item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: Vec<Audience>,
    pub upl: Option<String>,
    pub themes: Vec<String>,
    pub life_events: Vec<String>,
    pub keywords: Vec<String>,
    pub popular: bool,
    pub variables: Vec<Variable>,
    pub sections: Vec<Section>,
    pub status: Status,
    pub publish_at: Option<Timestamp>,
    pub unpublish_at: Option<Timestamp>,
    pub revision: i64,
    pub updated_at: Timestamp,
    /// When an editor should look at the text again.
    pub review_date: Option<chrono::NaiveDate>,
    /// Who is responsible for the text (a team or an address).
    pub content_owner: Option<String>,
    /// The English texts, where the central team wrote them (not part of the Dutch item's
    /// history: a translation has its own).
    #[serde(skip)]
    pub english: Option<Translation<ProductText>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SectionMode {
    #[default]
    Replace,
    Append,
    Prepend,
    Hide,
}

impl SectionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SectionMode::Replace => "replace",
            SectionMode::Append => "append",
            SectionMode::Prepend => "prepend",
            SectionMode::Hide => "hide",
        }
    }
}

/// What an override does to one section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionChange {
    pub key: String,
    pub mode: SectionMode,
    /// The heading written in the override. Replaces the central heading for `replace` and
    /// for local sections; ignored for `append`, `prepend` and `hide`.
    #[serde(default)]
    pub heading: String,
    #[serde(default)]
    pub body: String,
}

/// Contact details. Every field is optional; layers fill in what they know.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        *self == Contact::default()
    }

    /// Fields of `other` win where they are set.
    pub fn merged_with(&self, other: &Contact) -> Contact {
        let pick = |a: &Option<String>, b: &Option<String>| b.clone().or_else(|| a.clone());
        Contact {
            name: pick(&self.name, &other.name),
            phone: pick(&self.phone, &other.phone),
            email: pick(&self.email, &other.email),
            address: pick(&self.address, &other.address),
            url: pick(&self.url, &other.url),
            hours: pick(&self.hours, &other.hours),
        }
    }
}

/// What a site's texts refer to beyond its contact: where residents take a complaint further
/// and where they bring their waste. Shared text uses them through `{{ site.* }}` placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Services {
    /// The page of the municipality's online forms (its e-loket): where `{{ apply_url }}`
    /// leads for a product without an apply link of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forms_url: Option<String>,
    /// The ombudsman for this municipality; none set means the Nationale ombudsman.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ombudsman: Option<Ombudsman>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waste_point: Option<WastePoint>,
}

impl Services {
    pub fn is_empty(&self) -> bool {
        *self == Services::default()
    }

    /// The ombudsman's name in `lang` and address: the site's own, or the national one.
    pub fn ombudsman_in(&self, lang: Lang) -> (&str, &str) {
        match (&self.ombudsman, lang) {
            (Some(o), Lang::En) => (o.name_en.as_deref().unwrap_or(&o.name), &o.url),
            (Some(o), Lang::Nl) => (&o.name, &o.url),
            (None, Lang::Nl) => ("Nationale ombudsman", NATIONAL_OMBUDSMAN_URL),
            (None, Lang::En) => ("National Ombudsman", NATIONAL_OMBUDSMAN_URL),
        }
    }
}

pub const NATIONAL_OMBUDSMAN_URL: &str = "https://www.nationaleombudsman.nl/";

/// A municipal or regional ombudsman (a municipality that has none falls under the national one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ombudsman {
    pub name: String,
    pub url: String,
    /// The name on English pages, if it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
}

/// Where residents bring bulky, chemical and sorted waste themselves (a "milieustraat",
/// "afvalbrengstation" or "afvalpunt": the site's own name is the one its texts use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WastePoint {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

/// A group's or a site's adjustment of one product.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Override {
    pub product: String,
    /// The catalogue revision this override was written against.
    pub based_on: i64,
    /// `Some(false)`: this layer does not offer the product; `Some(true)`: it does again
    /// (after an earlier layer opted out); `None`: inherit.
    pub enabled: Option<bool>,
    /// With `enabled = false`: why this layer does not offer the product, for the page that
    /// answers at its address instead.
    pub reason: Option<String>,
    /// With `enabled = false`: where residents can go instead: a product slug or an
    /// `https://` address.
    pub refer_to: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub apply_url: Option<String>,
    pub keywords: Vec<String>,
    pub contact: Option<Contact>,
    pub variables: BTreeMap<String, Dated>,
    pub sections: Vec<SectionChange>,
    pub revision: i64,
    pub updated_at: Timestamp,
    /// This layer's English texts for the product, if it wrote them.
    #[serde(skip)]
    pub english: Option<Translation<OverrideText>>,
}

/// Who owns a piece of local content or an override.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "slug", rename_all = "lowercase")]
pub enum Owner {
    Group(String),
    Site(String),
}

impl Owner {
    pub fn slug(&self) -> &str {
        match self {
            Owner::Group(s) | Owner::Site(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub slug: String,
    pub name: String,
    pub contact: Contact,
    pub variables: BTreeMap<String, Dated>,
    pub revision: i64,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    pub slug: String,
    pub name: String,
    /// The first is canonical; the others redirect to it.
    pub hosts: Vec<String>,
    /// Folded in this order, before the site itself.
    pub groups: Vec<String>,
    pub municipality_code: Option<String>,
    pub owms_uri: Option<String>,
    pub security_contact: Option<String>,
    pub contact: Contact,
    pub variables: BTreeMap<String, Dated>,
    /// Product slugs shown first on the home page.
    pub popular: Vec<String>,
    /// The site's design-token CSS, if it has one.
    pub theme_tokens: Option<String>,
    /// The accessibility statement (`accessibility.toml`), if the site has one.
    pub accessibility: Option<crate::content::accessibility::Statement>,
    /// Services outside the town hall that shared texts refer to (`{{ site.ombudsman }}`, …).
    pub services: Services,
    pub revision: i64,
    pub updated_at: Timestamp,
}

impl Site {
    /// The municipality's name as residents say it: "Gemeente Diemen" gives "Diemen".
    pub fn municipality(&self) -> &str {
        let name = self.name.trim();
        for prefix in ["Gemeente ", "gemeente "] {
            if let Some(rest) = name.strip_prefix(prefix) {
                return rest.trim();
            }
        }
        name
    }

    pub fn canonical_host(&self) -> &str {
        self.hosts.first().map(String::as_str).unwrap_or("")
    }
}

/// A group's or a site's own content: a page, a news item or an alert. What every kind has
/// lives here, once; what makes a kind is `kind` (`PageFields`, `NewsFields`, `AlertFields`),
/// read through `Deref` as if it were the item's own fields. As JSON (history snapshots, the
/// templates) the item is one flat object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Local<K> {
    pub owner: Owner,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub status: Status,
    pub revision: i64,
    pub updated_at: Timestamp,
    #[serde(flatten)]
    pub kind: K,
    /// The English texts (pages and news), where they exist.
    #[serde(skip)]
    pub english: Option<Translation<ItemText>>,
}

impl<K> std::ops::Deref for Local<K> {
    type Target = K;

    fn deref(&self) -> &K {
        &self.kind
    }
}

impl<K> std::ops::DerefMut for Local<K> {
    fn deref_mut(&mut self) -> &mut K {
        &mut self.kind
    }
}

/// A local page; its path is its place in the tree ("afval/pmd").
pub type Page = Local<PageFields>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFields {
    pub path: String,
    pub weight: i32,
    pub publish_at: Option<Timestamp>,
    pub unpublish_at: Option<Timestamp>,
    /// When an editor should look at the text again.
    pub review_date: Option<chrono::NaiveDate>,
    /// Who is responsible for the text (a team or an address).
    pub content_owner: Option<String>,
}

pub type NewsItem = Local<NewsFields>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsFields {
    pub slug: String,
    pub date: chrono::NaiveDate,
    pub publish_at: Option<Timestamp>,
    pub unpublish_at: Option<Timestamp>,
    /// When an editor should look at the text again.
    pub review_date: Option<chrono::NaiveDate>,
    /// Who is responsible for the text (a team or an address).
    pub content_owner: Option<String>,
    /// The news item's image: a media address (`/media/<key>`).
    #[serde(default)]
    pub image: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Info, Severity::Warning, Severity::Error].into_iter().find(|v| v.as_str() == s)
    }

    /// Label for residents, read out before the alert text.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "Let op",
            Severity::Warning => "Waarschuwing",
            Severity::Error => "Storing",
        }
    }
}

/// A notice shown above every page of the owner's sites while it lasts.
pub type Alert = Local<AlertFields>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertFields {
    pub slug: String,
    pub severity: Severity,
    pub starts: Option<Timestamp>,
    pub ends: Option<Timestamp>,
}

/// The search thesaurus of one scope (the central team's, a group's or a site's): concepts
/// that widen a search to the catalogue's words, and best bets. See `content::thesaurus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thesaurus {
    #[serde(default)]
    pub concepts: Vec<Concept>,
    #[serde(default)]
    pub pins: Vec<Pin>,
}

impl Thesaurus {
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty() && self.pins.is_empty()
    }
}

/// One thing residents search for, in the words of the catalogue (`words`, equivalent to each
/// other), the words residents use (`everyday`, leading to `words`) and English names (`en`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    pub words: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub everyday: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub en: Vec<String>,
    /// The catalogue's words for what this is part of or handled by ("graffiti" is reported
    /// as a "melding openbare ruimte", a "carport" needs an "omgevingsvergunning"): a search
    /// for any word of the concept also looks for these (one way).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broader: Vec<String>,
}

/// A best bet: a search for `query` shows the page at `target` first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    pub query: String,
    /// A path on the site: `/producten/<slug>`, a local page's path, `/en/products/<slug>`.
    pub target: String,
}

/// Whether a text is a media address (`/media/<key>`), as a news image must be.
pub fn is_media_address(text: &str) -> bool {
    text.strip_prefix("/media/").is_some_and(crate::content::slug::is_slug)
}

/// The revision and the time of last change every saved item carries.
pub trait Stamped: Sized {
    fn revision(&self) -> i64;
    fn updated_at(&self) -> i64;
    /// The item without either: what an edit's document makes (its `revision` names the
    /// edit's base, checked on its own, and `updated` is only read), so a save stamps it anew.
    fn unstamped(self) -> Self;
}

macro_rules! stamped {
    ($([$($generic:ident)?] $item:ty),*) => {
        $(impl<$($generic)?> Stamped for $item {
            fn revision(&self) -> i64 {
                self.revision
            }
            fn updated_at(&self) -> i64 {
                self.updated_at
            }
            fn unstamped(mut self) -> Self {
                self.revision = 0;
                self.updated_at = 0;
                self
            }
        })*
    };
}

stamped!([] Product, [] Override, [] Group, [] Site, [K] Local<K>);

