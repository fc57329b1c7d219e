//! Translation documents: an item's texts in another language, in the admin API and in a
//! content file beside the Dutch one (`<name>.en.md`). They hold texts only, and
//! `based_on_nl`, the Dutch revision they translate; everything else is the Dutch item's.
//! Each is checked against its Dutch item: a product's translation writes only the Dutch
//! sections (a section it lacks is not shown in that language), an override's translation
//! only the Dutch override's sections with the same modes.

use serde::{Deserialize, Serialize};

use super::{EditError, EditResult, Editor, LocalKind, check_base, check_delete_base, check_saved, override_key};
use super::documents::{OverrideSectionDoc, Problems, SectionDoc, changed_at, checked, required, revision, time};
use crate::content::files::When;
use crate::content::language;
use crate::content::limits::{self, Problem};
use crate::auth::permissions::Scope;
use crate::content::history::{self, Written, history_key};
use crate::content::kind::Kind;
use super::approval::Target;
use crate::content::model::{ItemText, Lang, Local, Owner, Override, OverrideText, Product, ProductText, Section, SectionChange, SectionMode, Translation};
use crate::db;
use crate::db::models::accounts::{self, NewAudit};
use crate::db::models::translations::{self, Of, Text};
use crate::db::models::{LayerId, overrides};

/// The language a document names: translations are never Dutch.
fn translated(lang: Option<Lang>, problems: &mut Problems) -> Lang {
    match lang.unwrap_or(Lang::En) {
        Lang::Nl => {
            problems.push(Problem::at("/lang", "a translation is not Dutch: the Dutch text is the item itself"));
            Lang::En
        }
        other => other,
    }
}

/// The Dutch revision a translation names, one the Dutch item has had (`dutch`: its current
/// revision; 0 when not known yet, as for a file without one). Left out (or 0): the revision
/// the Dutch item is saved with, so the translation counts as up to date.
fn based_on_nl(value: Option<i64>, dutch: i64, problems: &mut Problems) -> i64 {
    match value {
        None => 0,
        Some(r) if r < 0 || (dutch > 0 && r > dutch) => {
            problems.push(Problem::at("/based_on_nl", format!("{r} is not a revision of the Dutch text (it is at {dutch})")));
            0
        }
        Some(r) => r,
    }
}

/// A catalogue product's translation (`catalogue/<slug>.en.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductTextDoc {
    /// The language; in files, the name says it (`.en.md`).
    #[serde(default)]
    pub lang: Option<Lang>,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub based_on_nl: Option<i64>,
    #[serde(default)]
    pub sections: Vec<SectionDoc>,
    #[serde(default)]
    pub revision: Option<i64>,
    #[serde(default)]
    pub updated: Option<When>,
}

impl ProductTextDoc {
    pub fn from_model(t: &Translation<ProductText>) -> ProductTextDoc {
        ProductTextDoc {
            lang: Some(t.lang),
            title: t.text.title.clone(),
            summary: t.text.summary.clone(),
            based_on_nl: Some(t.based_on_nl),
            sections: t.text.sections.iter().map(|s| SectionDoc { key: s.key.clone(), heading: s.heading.clone(), body: s.body.clone() }).collect(),
            revision: Some(t.revision),
            updated: changed_at(t.updated_at),
        }
    }

    /// The translation of `dutch`, or every problem of the document.
    pub fn into_model(self, dutch: &Product) -> Result<Translation<ProductText>, Problems> {
        let mut problems = Problems::new();
        let lang = translated(self.lang, &mut problems);
        let title = required("/title", &self.title, &mut problems);
        let based_on_nl = based_on_nl(self.based_on_nl, dutch.revision, &mut problems);
        let mut sections: Vec<Section> = Vec::new();
        for s in self.sections {
            let at = format!("/sections/{}", s.key);
            if !dutch.sections.iter().any(|d| d.key == s.key) {
                problems.push(Problem::at(&at, format!("{:?} is not a section of the Dutch text: a translation has the Dutch sections' keys", s.key)));
            } else if sections.iter().any(|t| t.key == s.key) {
                problems.push(Problem::at(&at, format!("{:?} is translated twice", s.key)));
            } else {
                sections.push(Section { key: s.key, heading: s.heading.trim().to_owned(), body: s.body.trim().to_owned() });
            }
        }
        let revision = revision("/revision", self.revision, &mut problems);
        let updated_at = time("/updated", &self.updated, &mut problems).unwrap_or(0);
        let text = ProductText { title, summary: self.summary.trim().to_owned(), sections };
        let translation = Translation { lang, text, based_on_nl, revision, updated_at };
        // The limits of the Dutch text hold for its translation: checked on the product as
        // the fold in this language takes it.
        let english = Product { english: Some(translation.clone()), ..dutch.clone() };
        let as_folded = language::product_in(&english, lang).unwrap_or(english);
        checked(translation, problems, |_| limits::product(&as_folded))
    }
}

/// A group's or site's translation of its override (`overrides/<slug>.en.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideTextDoc {
    #[serde(default)]
    pub lang: Option<Lang>,
    /// The revision of the central text in this language the translation was written against.
    #[serde(default)]
    pub based_on: Option<i64>,
    #[serde(default)]
    pub based_on_nl: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    /// The opt-out's reason in this language (the Dutch override opts out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub sections: Vec<OverrideSectionDoc>,
    #[serde(default)]
    pub revision: Option<i64>,
    #[serde(default)]
    pub updated: Option<When>,
}

impl OverrideTextDoc {
    pub fn from_model(t: &Translation<OverrideText>) -> OverrideTextDoc {
        OverrideTextDoc {
            lang: Some(t.lang),
            based_on: Some(t.text.based_on),
            based_on_nl: Some(t.based_on_nl),
            title: t.text.title.clone(),
            summary: t.text.summary.clone(),
            reason: t.text.reason.clone(),
            sections: t.text.sections.iter().map(|s| OverrideSectionDoc { key: s.key.clone(), mode: s.mode, heading: s.heading.clone(), body: s.body.clone() }).collect(),
            revision: Some(t.revision),
            updated: changed_at(t.updated_at),
        }
    }

    /// The translation of the override `dutch`, or every problem. Whether the product has a
    /// central text in that language is checked where the product is known (`on_product`).
    pub fn into_model(self, dutch: &Override) -> Result<Translation<OverrideText>, Problems> {
        let mut problems = Problems::new();
        let lang = translated(self.lang, &mut problems);
        let based_on = match self.based_on {
            None => 0,
            Some(r) if r < 0 => {
                problems.push(Problem::at("/based_on", "must be 1 or more (0 or none: the central text's current revision)"));
                0
            }
            Some(r) => r,
        };
        let based_on_nl = based_on_nl(self.based_on_nl, dutch.revision, &mut problems);
        let mut sections: Vec<SectionChange> = Vec::new();
        for s in self.sections {
            let at = format!("/sections/{}", s.key);
            match dutch.sections.iter().find(|d| d.key == s.key) {
                None => problems.push(Problem::at(&at, format!("{:?} is not a section of the Dutch override: a translation has its keys and modes", s.key))),
                Some(d) if d.mode != s.mode => problems.push(Problem::at(&format!("{at}/mode"), format!("is {:?}, the Dutch override's is {:?}", s.mode.as_str(), d.mode.as_str()))),
                Some(d) if d.mode == SectionMode::Hide => problems.push(Problem::at(&format!("{at}/mode"), "hiding a section is not language: the Dutch override hides it in every language")),
                Some(_) if sections.iter().any(|t| t.key == s.key) => problems.push(Problem::at(&at, format!("{:?} is translated twice", s.key))),
                Some(_) => sections.push(SectionChange { key: s.key, mode: s.mode, heading: s.heading.trim().to_owned(), body: s.body.trim().to_owned() }),
            }
        }
        let reason = self.reason.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if reason.is_some() && dutch.enabled != Some(false) {
            problems.push(Problem::at("/reason", "is only for an opt-out: the Dutch override does not set enabled = false"));
        }
        let text = OverrideText {
            based_on,
            title: self.title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            summary: self.summary.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            reason,
            sections,
        };
        let revision = revision("/revision", self.revision, &mut problems);
        let updated_at = time("/updated", &self.updated, &mut problems).unwrap_or(0);
        let translation = Translation { lang, text, based_on_nl, revision, updated_at };
        let as_folded = language::override_in(&Override { english: Some(translation.clone()), ..dutch.clone() }, lang);
        checked(translation, problems, |_| limits::override_(&as_folded))
    }
}

/// An override's translation against its product: there is none without a central text in
/// that language (no page in a language without its central text), and its `based_on` is a
/// revision of that text (left out: the current one).
pub fn on_product(t: &mut Translation<OverrideText>, product: &Product) -> Problems {
    let central = match t.lang {
        Lang::Nl => None,
        Lang::En => product.english.as_ref(),
    };
    let Some(central) = central else {
        return vec![Problem::at("/lang", format!("the product {:?} has no {} text yet: the central team translates it first", product.slug, t.lang.code()))];
    };
    match t.text.based_on {
        0 => {
            t.text.based_on = central.revision;
            vec![]
        }
        r if r > central.revision => vec![Problem::at("/based_on", format!("{r} is not a revision of the central {} text (it is at {})", t.lang.code(), central.revision))],
        _ => vec![],
    }
}

/// A page's or news item's translation (`pages/<path>.en.md`, `news/<date>-<slug>.en.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemTextDoc {
    #[serde(default)]
    pub lang: Option<Lang>,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub based_on_nl: Option<i64>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub revision: Option<i64>,
    #[serde(default)]
    pub updated: Option<When>,
}

impl ItemTextDoc {
    pub fn from_model(t: &Translation<ItemText>) -> ItemTextDoc {
        ItemTextDoc {
            lang: Some(t.lang),
            title: t.text.title.clone(),
            summary: t.text.summary.clone(),
            based_on_nl: Some(t.based_on_nl),
            body: t.text.body.clone(),
            revision: Some(t.revision),
            updated: changed_at(t.updated_at),
        }
    }

    /// The translation of the page or news item `dutch`; `limits` (`limits::page`,
    /// `limits::news`) hold for the item in the translation's words.
    pub fn into_model<K: Clone>(self, dutch: &Local<K>, limits: fn(&Local<K>) -> Vec<Problem>) -> Result<Translation<ItemText>, Problems> {
        let mut problems = Problems::new();
        let lang = translated(self.lang, &mut problems);
        let title = required("/title", &self.title, &mut problems);
        let based_on_nl = based_on_nl(self.based_on_nl, dutch.revision, &mut problems);
        let revision = revision("/revision", self.revision, &mut problems);
        let updated_at = time("/updated", &self.updated, &mut problems).unwrap_or(0);
        let text = ItemText { title, summary: self.summary.trim().to_owned(), body: self.body.trim().to_owned() };
        let in_words = Local { title: text.title.clone(), summary: text.summary.clone(), body: text.body.clone(), english: None, ..dutch.clone() };
        checked(Translation { lang, text, based_on_nl, revision, updated_at }, problems, |_| limits(&in_words))
    }
}

/// What an edit of a translation needs to know of its Dutch item.
struct Dutch {
    of: Of,
    layer: Option<LayerId>,
    /// How the change log and history name the Dutch item.
    kind: Kind,
    key: String,
    scope: Scope,
}

impl Editor<'_> {
    // Translations of catalogue products.

    /// A catalogue product's translation in `lang`.
    pub fn product_translation(&mut self, slug: &str, lang: Lang) -> EditResult<ProductTextDoc> {
        self.require_catalogue("translation.read")?;
        let (_, product) = self.visible_product(slug)?;
        product.english.filter(|t| t.lang == lang).map(|t| ProductTextDoc::from_model(&t)).ok_or(EditError::NotFound)
    }

    pub fn put_product_translation(&mut self, slug: &str, lang: Lang, mut doc: ProductTextDoc, if_match: Option<i64>) -> EditResult<ProductTextDoc> {
        self.require(self.actor.may_edit_catalogue(), "translation.save", &format!("product:{slug}@{}", lang.code()), &Scope::National)?;
        let (id, product) = self.visible_product(slug)?;
        let based_on = if_match.or(doc.revision);
        doc.lang = Some(lang);
        let proposed = doc.clone();
        let t = doc.into_model(&product).map_err(EditError::Invalid)?;
        let target = Target::Translation(Box::new(Target::Product(slug.to_owned())), lang);
        self.gate(&Scope::National, target, &format!("Engelse tekst van {}", product.title), &proposed, based_on)?;
        let dutch = Dutch { of: Of::Product(id), layer: None, kind: Kind::Product, key: slug.to_owned(), scope: Scope::National };
        self.write_translation(&dutch, product.revision, Some(t), based_on)?;
        self.product_translation(slug, lang)
    }

    pub fn delete_product_translation(&mut self, slug: &str, lang: Lang, if_match: Option<i64>) -> EditResult<()> {
        self.require(self.actor.may_edit_catalogue(), "translation.delete", &format!("product:{slug}@{}", lang.code()), &Scope::National)?;
        let (id, product) = self.visible_product(slug)?;
        let target = Target::Translation(Box::new(Target::Product(slug.to_owned())), lang);
        self.gate(&Scope::National, target, &format!("Verwijderen: Engelse tekst van {}", product.title), &serde_json::Value::Null, if_match)?;
        let dutch = Dutch { of: Of::Product(id), layer: None, kind: Kind::Product, key: slug.to_owned(), scope: Scope::National };
        self.write_translation::<ProductText>(&dutch, product.revision, None, if_match)
    }

    // Translations of overrides.

    /// The override of `owner` for `slug`, with its product.
    fn override_of(&mut self, owner: &Owner, slug: &str, action: &str, lang: Lang) -> EditResult<(Dutch, Override, Product)> {
        let key = override_key(owner, slug);
        let layer = self.require_layer(owner, action, &format!("{key}@{}", lang.code()))?;
        let (product_id, product) = self.visible_product(slug)?;
        let stored = overrides::find(self.conn, product_id, layer)?.ok_or(EditError::NotFound)?;
        let dutch = Dutch { of: Of::Override(stored.id), layer: Some(layer), kind: Kind::Override, key, scope: Scope::of(owner) };
        Ok((dutch, stored.over, product))
    }

    pub fn override_translation(&mut self, owner: &Owner, slug: &str, lang: Lang) -> EditResult<OverrideTextDoc> {
        let (_, over, _) = self.override_of(owner, slug, "translation.read", lang)?;
        over.english.filter(|t| t.lang == lang).map(|t| OverrideTextDoc::from_model(&t)).ok_or(EditError::NotFound)
    }

    pub fn put_override_translation(&mut self, owner: &Owner, slug: &str, lang: Lang, mut doc: OverrideTextDoc, if_match: Option<i64>) -> EditResult<OverrideTextDoc> {
        let (dutch, over, product) = self.override_of(owner, slug, "translation.save", lang)?;
        let based_on = if_match.or(doc.revision);
        doc.lang = Some(lang);
        let proposed = doc.clone();
        let mut t = doc.into_model(&over).map_err(EditError::Invalid)?;
        let problems = on_product(&mut t, &product);
        if !problems.is_empty() {
            return Err(EditError::Invalid(problems));
        }
        let target = Target::Translation(Box::new(Target::Override(owner.clone(), slug.to_owned())), lang);
        self.gate(&Scope::of(owner), target, &format!("Engelse tekst van de aanpassing van {}", product.title), &proposed, based_on)?;
        self.write_translation(&dutch, over.revision, Some(t), based_on)?;
        self.override_translation(owner, slug, lang)
    }

    pub fn delete_override_translation(&mut self, owner: &Owner, slug: &str, lang: Lang, if_match: Option<i64>) -> EditResult<()> {
        let (dutch, over, product) = self.override_of(owner, slug, "translation.delete", lang)?;
        let target = Target::Translation(Box::new(Target::Override(owner.clone(), slug.to_owned())), lang);
        self.gate(&Scope::of(owner), target, &format!("Verwijderen: Engelse tekst van de aanpassing van {}", product.title), &serde_json::Value::Null, if_match)?;
        self.write_translation::<OverrideText>(&dutch, over.revision, None, if_match)
    }

    // Translations of pages and news items.

    /// The page or news item `id` of `owner`.
    fn item_of<K: LocalKind<Item = Local<F>>, F>(&mut self, owner: &Owner, id: i64, action: &str, lang: Lang) -> EditResult<(Dutch, Local<F>)> {
        let object = format!("{}:{}/{id}@{}", K::KIND, crate::content::import::owner_key(owner), lang.code());
        let layer = self.require_layer(owner, action, &object)?;
        let stored = K::by_id(self.conn, id)?.filter(|s| s.layer == layer).ok_or(EditError::NotFound)?;
        let of = match K::KIND {
            Kind::News => Of::News(id),
            _ => Of::Page(id),
        };
        let dutch = Dutch { of, layer: Some(layer), kind: K::KIND, key: id.to_string(), scope: Scope::of(owner) };
        Ok((dutch, stored.item))
    }

    pub fn item_translation<K: Translated<F>, F>(&mut self, owner: &Owner, id: i64, lang: Lang) -> EditResult<ItemTextDoc> {
        let (_, item) = self.item_of::<K, F>(owner, id, "translation.read", lang)?;
        item.english.filter(|t| t.lang == lang).map(|t| ItemTextDoc::from_model(&t)).ok_or(EditError::NotFound)
    }

    pub fn put_item_translation<K: Translated<F>, F: Clone>(&mut self, owner: &Owner, id: i64, lang: Lang, mut doc: ItemTextDoc, if_match: Option<i64>) -> EditResult<ItemTextDoc> {
        let (dutch, item) = self.item_of::<K, F>(owner, id, "translation.save", lang)?;
        let based_on = if_match.or(doc.revision);
        doc.lang = Some(lang);
        let proposed = doc.clone();
        let t = doc.into_model(&item, K::LIMITS).map_err(EditError::Invalid)?;
        let target = Target::Translation(Box::new(Target::Local(K::KIND, owner.clone(), Some(id))), lang);
        self.gate(&Scope::of(owner), target, &format!("Engelse tekst van {}", item.title), &proposed, based_on)?;
        self.write_translation(&dutch, item.revision, Some(t), based_on)?;
        self.item_translation::<K, F>(owner, id, lang)
    }

    pub fn delete_item_translation<K: Translated<F>, F>(&mut self, owner: &Owner, id: i64, lang: Lang, if_match: Option<i64>) -> EditResult<()> {
        let (dutch, item) = self.item_of::<K, F>(owner, id, "translation.delete", lang)?;
        let target = Target::Translation(Box::new(Target::Local(K::KIND, owner.clone(), Some(id))), lang);
        self.gate(&Scope::of(owner), target, &format!("Verwijderen: Engelse tekst van {}", item.title), &serde_json::Value::Null, if_match)?;
        self.write_translation::<ItemText>(&dutch, item.revision, None, if_match)
    }

    /// Saves (`Some`) or removes (`None`) a translation of `dutch`, which is at revision
    /// `dutch_revision`: after checking the base revision like every edit, in one transaction
    /// with the change log, the history and the audit log.
    fn write_translation<T: Text + Serialize>(&mut self, dutch: &Dutch, dutch_revision: i64, t: Option<Translation<T>>, based_on: Option<i64>) -> EditResult<()> {
        let lang = t.as_ref().map(|t| t.lang).unwrap_or(Lang::En);
        let author = self.actor.email.clone();
        let (now, origin, scope) = (self.now, self.origin.to_owned(), dutch.scope.to_string());
        let (group_id, site_id) = dutch.layer.map(LayerId::columns).unwrap_or((None, None));
        let object = format!("{}:{}", dutch.kind, history_key(&dutch.key, lang));
        db::write_tx(self.conn, |c| -> EditResult<()> {
            let current = translations::revision(c, dutch.of, lang)?.unwrap_or(0);
            let action = match t {
                Some(mut t) => {
                    check_base(based_on, current)?;
                    if t.based_on_nl == 0 {
                        t.based_on_nl = dutch_revision;
                    }
                    let t = Translation { revision: 0, updated_at: 0, ..t };
                    let saved = translations::save(c, dutch.of, dutch.layer, &t, now)?;
                    check_saved(current, &saved)?;
                    history::record_in(c, Written { saved, kind: dutch.kind, key: &dutch.key, group_id, site_id, item: &t }, lang, Some(&author), now)?;
                    "translation.save"
                }
                None => {
                    if current == 0 {
                        return Err(EditError::NotFound);
                    }
                    check_delete_base(based_on, current)?;
                    translations::delete(c, dutch.of, lang, current)?;
                    history::record_translation_deletion(c, dutch.kind, &dutch.key, lang, group_id, site_id, now)?;
                    "translation.delete"
                }
            };
            accounts::record_audit(c, &NewAudit { actor: &author, action, object: &object, result: "ok", origin: &origin, scope: &scope }, now)?;
            Ok(())
        })
    }
}

/// Pages and news items, whose translations hold a title, a summary and a text.
pub trait Translated<F>: LocalKind<Item = Local<F>> {
    /// The limits a text of this kind meets, in any language.
    const LIMITS: fn(&Local<F>) -> Vec<Problem>;
}

impl Translated<crate::content::model::PageFields> for super::Pages {
    const LIMITS: fn(&crate::content::model::Page) -> Vec<Problem> = limits::page;
}

impl Translated<crate::content::model::NewsFields> for super::News {
    const LIMITS: fn(&crate::content::model::NewsItem) -> Vec<Problem> = limits::news;
}
