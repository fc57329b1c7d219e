//! Translations behind their Dutch text: for the editors' dashboard, every translation in the
//! actor's scopes whose Dutch item is newer than the revision it translates, and every English
//! override written against an older central English text, each with the diff since.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{EditResult, Editor};
use crate::content::history::history_key;
use crate::content::kind::Kind;
use crate::content::model::{Lang, Local, Override, Owner, Product, ProductText, Translation};
use crate::db::models::local::{self, Scope as LoadScope};
use crate::db::models::{LayerId, overrides, revisions};
use crate::render::diff;

/// What moved under a translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Moved {
    /// The Dutch text is newer than the one translated.
    Dutch,
    /// The central text in the translation's language is newer than the one an override's
    /// translation was written against.
    Central,
}

#[derive(Debug, Clone, Serialize)]
pub struct Behind {
    pub kind: Kind,
    pub title: String,
    /// The layer of an override, page or news item; none for the catalogue.
    pub owner: Option<Owner>,
    /// The product's slug, or the page's or news item's id.
    pub item: String,
    pub lang: Lang,
    pub moved: Moved,
    /// The revisions of what moved: the one translated and the current one.
    pub from: i64,
    pub to: i64,
    /// The line diff of the text that moved, as HTML.
    pub diff: String,
}

/// A product's texts as one piece of text, for a diff.
fn product_text(title: &str, summary: &str, sections: &[crate::content::model::Section]) -> String {
    let mut text = format!("{title}\n\n{summary}\n");
    for s in sections {
        text.push_str(&format!("\n## {}\n\n{}\n", s.heading, s.body));
    }
    text
}

fn override_text(o: &Override) -> String {
    let mut text = format!("{}\n\n{}\n", o.title.as_deref().unwrap_or(""), o.summary.as_deref().unwrap_or(""));
    for s in &o.sections {
        text.push_str(&format!("\n## {} ({})\n\n{}\n", s.heading, s.mode.as_str(), s.body));
    }
    text
}

impl Editor<'_> {
    /// An item as its history kept it at `revision`.
    fn snapshot<T: DeserializeOwned>(&mut self, kind: Kind, key: &str, revision: i64) -> EditResult<Option<T>> {
        Ok(revisions::find(self.conn, kind, key, revision)?.and_then(|r| serde_json::from_str(&r.data).ok()))
    }

    /// The translations behind in the actor's scopes: of catalogue products for the central
    /// team, of overrides, pages and news of the given layers for their editors.
    pub fn translations_behind(&mut self, products: &[(i64, Product)], layers: &[(Owner, LayerId)]) -> EditResult<Vec<Behind>> {
        let mut out = Vec::new();
        if self.actor.may_edit_catalogue() {
            for (_, p) in products {
                let Some(t) = &p.english else { continue };
                if t.based_on_nl >= p.revision {
                    continue;
                }
                let old: Option<Product> = self.snapshot(Kind::Product, &p.slug, t.based_on_nl)?;
                let before = old.map(|o| product_text(&o.title, &o.summary, &o.sections)).unwrap_or_default();
                let diff = diff::html(&before, &product_text(&p.title, &p.summary, &p.sections));
                out.push(Behind { kind: Kind::Product, title: p.title.clone(), owner: None, item: p.slug.clone(), lang: t.lang, moved: Moved::Dutch, from: t.based_on_nl, to: p.revision, diff });
            }
        }
        for (owner, layer) in layers {
            for stored in overrides::for_layer(self.conn, *layer)? {
                let Some(t) = &stored.over.english else { continue };
                let Some((_, product)) = products.iter().find(|(id, _)| *id == stored.product_id) else { continue };
                let key = super::override_key(owner, &product.slug);
                if t.based_on_nl < stored.over.revision {
                    let old: Option<Override> = self.snapshot(Kind::Override, &key, t.based_on_nl)?;
                    let diff = diff::html(&old.as_ref().map(override_text).unwrap_or_default(), &override_text(&stored.over));
                    out.push(Behind { kind: Kind::Override, title: product.title.clone(), owner: Some(owner.clone()), item: product.slug.clone(), lang: t.lang, moved: Moved::Dutch, from: t.based_on_nl, to: stored.over.revision, diff });
                }
                if let Some(central) = product.english.as_ref().filter(|c| t.text.based_on < c.revision) {
                    let old: Option<Translation<ProductText>> = self.snapshot(Kind::Product, &history_key(&product.slug, t.lang), t.text.based_on)?;
                    let before = old.map(|o| product_text(&o.text.title, &o.text.summary, &o.text.sections)).unwrap_or_default();
                    let diff = diff::html(&before, &product_text(&central.text.title, &central.text.summary, &central.text.sections));
                    out.push(Behind { kind: Kind::Override, title: product.title.clone(), owner: Some(owner.clone()), item: product.slug.clone(), lang: t.lang, moved: Moved::Central, from: t.text.based_on, to: central.revision, diff });
                }
            }
            let scope = LoadScope::Layer(*layer);
            for s in local::pages(self.conn, scope)? {
                self.local_behind(Kind::Page, owner, s.id, &s.item, &mut out)?;
            }
            for s in local::news(self.conn, scope)? {
                self.local_behind(Kind::News, owner, s.id, &s.item, &mut out)?;
            }
        }
        Ok(out)
    }

    fn local_behind<K: DeserializeOwned>(&mut self, kind: Kind, owner: &Owner, id: i64, item: &Local<K>, out: &mut Vec<Behind>) -> EditResult<()> {
        let Some(t) = &item.english else { return Ok(()) };
        if t.based_on_nl >= item.revision {
            return Ok(());
        }
        let old: Option<Local<K>> = self.snapshot(kind, &id.to_string(), t.based_on_nl)?;
        let text = |title: &str, summary: &str, body: &str| format!("{title}\n\n{summary}\n\n{body}\n");
        let before = old.map(|o| text(&o.title, &o.summary, &o.body)).unwrap_or_default();
        let diff = diff::html(&before, &text(&item.title, &item.summary, &item.body));
        out.push(Behind { kind, title: item.title.clone(), owner: Some(owner.clone()), item: id.to_string(), lang: t.lang, moved: Moved::Dutch, from: t.based_on_nl, to: item.revision, diff });
        Ok(())
    }
}
