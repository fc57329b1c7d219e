//! The fold per language. Dutch folds the items as they are. Another language folds the
//! product's text in that language under each layer's text in that language, with the same
//! rules (`content::fold`): a layer without a translation still contributes what is not
//! language (variable values, apply link, contact, opt-out, hidden sections), never its Dutch
//! text. Without a central text in that language there is no page in it.

use std::borrow::Cow;

use super::model::{Lang, Local, Override, Product, SectionChange, SectionMode};

/// The product as the fold in `lang` takes it, or `None` when it has no text in that language.
pub fn product_in(product: &Product, lang: Lang) -> Option<Product> {
    match lang {
        Lang::Nl => Some(product.clone()),
        Lang::En => {
            let text = &product.english.as_ref()?.text;
            // In the Dutch item's order; a section the translation lacks is not shown.
            let sections = product.sections.iter().filter_map(|s| text.sections.iter().find(|t| t.key == s.key)).cloned().collect();
            Some(Product {
                title: text.title.clone(),
                summary: text.summary.clone(),
                sections,
                // Search words of the catalogue are Dutch.
                keywords: vec![],
                english: None,
                // The English page changed when either text did.
                updated_at: product.updated_at.max(product.english.as_ref().map_or(0, |t| t.updated_at)),
                ..product.clone()
            })
        }
    }
}

/// A layer's override as the fold in `lang` takes it: for another language its texts in that
/// language, or none; what is not language always.
pub fn override_in(over: &Override, lang: Lang) -> Override {
    match lang {
        Lang::Nl => over.clone(),
        Lang::En => {
            let text = over.english.as_ref().map(|t| &t.text);
            // Hiding a section is not language: it holds in every language.
            let hidden = over.sections.iter().filter(|s| s.mode == SectionMode::Hide);
            let written = text.into_iter().flat_map(|t| t.sections.iter()).filter(|s| s.mode != SectionMode::Hide);
            let mut sections: Vec<SectionChange> = Vec::new();
            for change in hidden.chain(written) {
                if !sections.iter().any(|s| s.key == change.key) {
                    sections.push(change.clone());
                }
            }
            Override {
                title: text.and_then(|t| t.title.clone()),
                summary: text.and_then(|t| t.summary.clone()),
                // A Dutch reason is not shown as English (the page says so in English).
                reason: text.and_then(|t| t.reason.clone()),
                keywords: vec![],
                sections,
                english: None,
                updated_at: over.updated_at.max(over.english.as_ref().map_or(0, |t| t.updated_at)),
                ..over.clone()
            }
        }
    }
}

/// A page or news item in `lang`: its texts in that language, or `None` when it has none
/// there (a page exists in English only where its text does). Dutch is the item itself,
/// borrowed: listings read every item of a site per page built.
pub fn local_in<K: Clone>(item: &Local<K>, lang: Lang) -> Option<Cow<'_, Local<K>>> {
    match lang {
        Lang::Nl => Some(Cow::Borrowed(item)),
        Lang::En => {
            let text = &item.english.as_ref()?.text;
            Some(Cow::Owned(Local { title: text.title.clone(), summary: text.summary.clone(), body: text.body.clone(), english: None, ..item.clone() }))
        }
    }
}

/// Items that always have a Dutch text and may have an English one.
pub trait Translatable {
    fn has_english(&self) -> bool;
}

impl Translatable for Product {
    fn has_english(&self) -> bool {
        self.english.is_some()
    }
}

impl<T: Translatable + ?Sized> Translatable for std::sync::Arc<T> {
    fn has_english(&self) -> bool {
        (**self).has_english()
    }
}

impl<T: Translatable + ?Sized> Translatable for &T {
    fn has_english(&self) -> bool {
        (**self).has_english()
    }
}

impl<K> Translatable for Local<K> {
    fn has_english(&self) -> bool {
        self.english.is_some()
    }
}

/// Whether an item has a text in `lang` (without making it). For a product this is whether
/// its page exists in `lang` wherever its Dutch page does: what else decides that (status,
/// dates, opt-out) is not language.
pub fn has_text(item: &impl Translatable, lang: Lang) -> bool {
    match lang {
        Lang::Nl => true,
        Lang::En => item.has_english(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::content::fold::{Layer, Resolved, SiteFields, fold};
    use crate::content::model::{Audience, Contact, OverrideText, Services, ProductText, Section, Status, Translation, Variable};

    const SITE: SiteFields = SiteFields { name: "Gemeente Diemen", municipality: "Diemen", lang: Lang::Nl, now: 0, services: &Services { forms_url: None, ombudsman: None, waste_point: None } };

    fn section(key: &str, heading: &str, body: &str) -> Section {
        Section { key: key.into(), heading: heading.into(), body: body.into() }
    }

    fn change(key: &str, mode: SectionMode, heading: &str, body: &str) -> SectionChange {
        SectionChange { key: key.into(), mode, heading: heading.into(), body: body.into() }
    }

    fn translation<T>(text: T) -> Translation<T> {
        Translation { lang: Lang::En, text, based_on_nl: 3, revision: 1, updated_at: 50 }
    }

    fn product(english: bool) -> Product {
        Product {
            slug: "paspoort".into(),
            title: "Paspoort aanvragen".into(),
            summary: "Een paspoort in {{ gemeente }}.".into(),
            audience: vec![Audience::Particulier],
            upl: None,
            themes: vec![],
            life_events: vec![],
            keywords: vec!["reisdocument".into()],
            popular: false,
            variables: vec![Variable { name: "leges".into(), label: "Kosten".into(), default: Some("zie gemeente".into()), kind: Default::default() }],
            sections: vec![
                section("wat", "Wat is het?", "Een reisdocument."),
                section("kosten", "Kosten", "Het kost {{ var.leges }}."),
                section("termijn", "Termijn", "Vijf dagen."),
            ],
            status: Status::Published,
            publish_at: None,
            unpublish_at: None,
            revision: 3,
            updated_at: 100,
            review_date: None,
            content_owner: None,
            english: english.then(|| {
                translation(ProductText {
                    title: "Apply for a passport".into(),
                    summary: "A passport in {{ gemeente }}.".into(),
                    sections: vec![
                        section("termijn", "How long it takes", "Five days."),
                        section("wat", "What is it?", "A travel document."),
                        section("kosten", "Costs", "It costs {{ var.leges }}."),
                    ],
                })
            }),
        }
    }

    fn over(sections: Vec<SectionChange>, english: Option<Vec<SectionChange>>) -> Override {
        Override {
            product: "paspoort".into(),
            based_on: 3,
            title: Some("Paspoort in Diemen".into()),
            apply_url: Some("https://diemen.example/afspraak".into()),
            variables: BTreeMap::from([("leges".into(), "€ 86,00".into())]),
            sections,
            english: english.map(|sections| translation(OverrideText { based_on: 1, title: None, summary: None, reason: None, sections })),
            ..Override::default()
        }
    }

    fn fold_in(lang: Lang, product: &Product, overs: &[&Override]) -> Option<Resolved> {
        let product = product_in(product, lang)?;
        let (vars, contact) = (BTreeMap::new(), Contact::default());
        let overs: Vec<Override> = overs.iter().map(|o| override_in(o, lang)).collect();
        let layers: Vec<Layer> = overs.iter().map(|o| Layer { name: "site:diemen", variables: &vars, contact: &contact, over: Some(o), updated_at: 0 }).collect();
        Some(fold(&product, &layers, SITE))
    }

    fn text(r: &Resolved) -> Vec<(String, String)> {
        r.sections.iter().map(|s| (s.heading.clone(), s.body.clone())).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(h, b)| ((*h).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn english_folds_the_english_central_text_in_the_dutch_order() {
        let r = fold_in(Lang::En, &product(true), &[]).unwrap();
        assert_eq!(r.title, "Apply for a passport");
        assert_eq!(r.summary, "A passport in Diemen.");
        assert_eq!(text(&r), pairs(&[("What is it?", "A travel document."), ("Costs", "It costs zie gemeente."), ("How long it takes", "Five days.")]));
        assert!(r.keywords.is_empty(), "the catalogue's search words are Dutch");
        let nl = fold_in(Lang::Nl, &product(true), &[]).unwrap();
        assert_eq!(nl.title, "Paspoort aanvragen");
    }

    #[test]
    fn no_english_central_text_no_english_page() {
        assert!(fold_in(Lang::En, &product(false), &[]).is_none());
        assert!(fold_in(Lang::Nl, &product(false), &[]).is_some());
    }

    #[test]
    fn every_mode_in_both_languages() {
        let dutch = vec![
            change("wat", SectionMode::Replace, "Wat is een paspoort?", "Een boekje."),
            change("kosten", SectionMode::Append, "", "Betaal met pin."),
            change("termijn", SectionMode::Prepend, "", "Let op:"),
            change("parkeren", SectionMode::Replace, "Parkeren", "Gratis."),
        ];
        let english = vec![
            change("wat", SectionMode::Replace, "What is a passport?", "A booklet."),
            change("kosten", SectionMode::Append, "", "Pay by card."),
            change("termijn", SectionMode::Prepend, "", "Note:"),
            change("parkeren", SectionMode::Replace, "Parking", "Free."),
        ];
        let o = over(dutch, Some(english));
        let nl = fold_in(Lang::Nl, &product(true), &[&o]).unwrap();
        assert_eq!(
            text(&nl),
            pairs(&[
                ("Wat is een paspoort?", "Een boekje."),
                ("Kosten", "Het kost € 86,00.\n\nBetaal met pin."),
                ("Termijn", "Let op:\n\nVijf dagen."),
                ("Parkeren", "Gratis."),
            ])
        );
        let en = fold_in(Lang::En, &product(true), &[&o]).unwrap();
        assert_eq!(
            text(&en),
            pairs(&[
                ("What is a passport?", "A booklet."),
                ("Costs", "It costs € 86,00.\n\nPay by card."),
                ("How long it takes", "Note:\n\nFive days."),
                ("Parking", "Free."),
            ])
        );
    }

    #[test]
    fn a_dutch_only_override_gives_english_what_is_not_language() {
        let o = Override {
            enabled: Some(true),
            ..over(vec![change("kosten", SectionMode::Replace, "Kosten in Diemen", "Gratis."), change("termijn", SectionMode::Hide, "", "")], None)
        };
        let en = fold_in(Lang::En, &product(true), &[&o]).unwrap();
        assert_eq!(en.title, "Apply for a passport", "the Dutch title is never shown in English");
        assert_eq!(text(&en), pairs(&[("What is it?", "A travel document."), ("Costs", "It costs € 86,00.")]), "values and hiding hold, Dutch text does not");
        assert_eq!(en.apply_url.as_deref(), Some("https://diemen.example/afspraak"));
        let off = Override { enabled: Some(false), ..o };
        assert!(!fold_in(Lang::En, &product(true), &[&off]).unwrap().enabled, "opting out holds in every language");
    }

    #[test]
    fn hiding_holds_in_english_even_when_the_translation_writes_the_section() {
        let o = over(vec![change("termijn", SectionMode::Hide, "", "")], Some(vec![change("termijn", SectionMode::Replace, "Time", "Soon.")]));
        let en = fold_in(Lang::En, &product(true), &[&o]).unwrap();
        assert_eq!(en.sections.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(), ["wat", "kosten"]);
    }

    #[test]
    fn an_english_override_title_wins_in_english_only() {
        let mut o = over(vec![], Some(vec![]));
        if let Some(t) = o.english.as_mut() {
            t.text.title = Some("Passport in Diemen".into());
        }
        assert_eq!(fold_in(Lang::En, &product(true), &[&o]).unwrap().title, "Passport in Diemen");
        assert_eq!(fold_in(Lang::Nl, &product(true), &[&o]).unwrap().title, "Paspoort in Diemen");
    }
}
