//! The EU Single Digital Gateway duties (regulation 2018/1724) per site: every SDG product the
//! site offers (its UPL URI has an SDG code) must describe the procedure elements and be
//! available in English, the English kept up to date. This reports what is missing, per site
//! as the site shows it (a section hidden by a layer is missing there), for the editors'
//! dashboard and the admin API; the central team sees every site at once.

use serde::Serialize;

use super::{EditResult, Editor};
use crate::auth::permissions::Scope;
use crate::content::cache::ContentCache;
use crate::content::directory::SiteEntry;
use crate::content::fold::Resolved;
use crate::content::model::Product;
use crate::content::store::{self, Offered};
use crate::content::visibility::Viewer;

/// The procedure elements as section keys (PRODUCT.md), with what editors call them.
pub const ELEMENTS: [(&str, &str); 7] = [
    ("aanvragen", "Aanvragen (stappen)"),
    ("voorwaarden", "Voorwaarden"),
    ("meenemen", "Bewijsstukken"),
    ("kosten", "Kosten en betalen"),
    ("termijn", "Termijnen"),
    ("geen-reactie", "Geen reactie van de gemeente"),
    ("bezwaar", "Bezwaar en beroep"),
];

/// The procedure elements a product's text lacks: no section with the key, or one without
/// text.
pub fn missing_in_sections<'a>(sections: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> Vec<&'static str> {
    ELEMENTS
        .iter()
        .filter(|(key, _)| !sections.clone().any(|(k, body)| k == *key && !body.trim().is_empty()))
        .map(|(key, _)| *key)
        .collect()
}

/// The elements missing from a product as a site shows it.
pub fn missing_elements(resolved: &Resolved) -> Vec<&'static str> {
    missing_in_sections(resolved.sections.iter().map(|s| (s.key.as_str(), s.body.as_str())))
}

/// The elements missing from a catalogue product's central text.
pub fn missing_in_product(product: &Product) -> Vec<&'static str> {
    missing_in_sections(product.sections.iter().map(|s| (s.key.as_str(), s.body.as_str())))
}

/// How far a product's English text is, as a site shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum English {
    /// The central text and every local change to it are translated and up to date.
    Current,
    /// There is no English central text: the product has no English page.
    Missing,
    /// A translation translates an older Dutch text, or a local Dutch change has no English.
    Behind,
}

impl English {
    fn of(o: &Offered) -> English {
        let Some(central) = &o.product.english else { return English::Missing };
        if central.based_on_nl < o.product.revision {
            return English::Behind;
        }
        let local_behind = o.overrides.iter().any(|over| {
            let changes_text = over.title.is_some() || over.summary.is_some() || over.sections.iter().any(|s| s.mode != crate::content::model::SectionMode::Hide);
            match &over.english {
                Some(t) => t.based_on_nl < over.revision,
                None => changes_text,
            }
        });
        if local_behind { English::Behind } else { English::Current }
    }
}

/// One SDG product of a site with a gap.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub slug: String,
    pub title: String,
    /// Section keys of the missing procedure elements.
    pub missing: Vec<&'static str>,
    pub english: English,
}

/// A site's SDG products and their gaps.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub site: String,
    pub name: String,
    /// SDG products the site offers.
    pub products: usize,
    /// Of those, with a procedure element missing.
    pub incomplete: usize,
    pub no_english: usize,
    pub english_behind: usize,
    /// The products with a gap, A-Z.
    pub gaps: Vec<Gap>,
}

/// The report of one site on `now`.
pub fn site_report(conn: &mut crate::db::DbConnection, content: &ContentCache, site: &SiteEntry, now: i64) -> diesel::QueryResult<SiteReport> {
    let upl = content.upl(conn)?;
    let offered = store::offered(conn, content, site, Viewer::resident(now), |p| upl.sdg(p.upl.as_deref()).is_some())?;
    let mut report = SiteReport { site: site.site.slug.clone(), name: site.site.name.clone(), products: offered.len(), incomplete: 0, no_english: 0, english_behind: 0, gaps: vec![] };
    for o in &offered {
        let missing = missing_elements(&o.resolved);
        let english = English::of(o);
        report.incomplete += usize::from(!missing.is_empty());
        report.no_english += usize::from(english == English::Missing);
        report.english_behind += usize::from(english == English::Behind);
        if !missing.is_empty() || english != English::Current {
            report.gaps.push(Gap { slug: o.resolved.slug.clone(), title: o.resolved.title.clone(), missing, english });
        }
    }
    Ok(report)
}

/// How the overview of sites is sorted: most work first, or by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Name,
    Incomplete,
    NoEnglish,
    EnglishBehind,
}

impl Order {
    pub fn parse(s: &str) -> Option<Order> {
        Some(match s {
            "naam" | "name" => Order::Name,
            "onvolledig" | "incomplete" => Order::Incomplete,
            "zonder-engels" | "no_english" => Order::NoEnglish,
            "engels-achter" | "english_behind" => Order::EnglishBehind,
            _ => return None,
        })
    }

    pub fn sort(self, reports: &mut [SiteReport]) {
        match self {
            Order::Name => reports.sort_by(|a, b| a.name.cmp(&b.name)),
            Order::Incomplete => reports.sort_by(|a, b| b.incomplete.cmp(&a.incomplete).then(a.name.cmp(&b.name))),
            Order::NoEnglish => reports.sort_by(|a, b| b.no_english.cmp(&a.no_english).then(a.name.cmp(&b.name))),
            Order::EnglishBehind => reports.sort_by(|a, b| b.english_behind.cmp(&a.english_behind).then(a.name.cmp(&b.name))),
        }
    }
}

impl Editor<'_> {
    /// The SDG report of every site the actor edits (the central team: every site), sorted.
    pub fn sdg_overview(&mut self, content: &ContentCache, order: Order) -> EditResult<Vec<SiteReport>> {
        let mut reports = Vec::new();
        for slug in self.actor.site_slugs(self.directory) {
            let Some(site) = self.directory.site_by_slug(&slug) else { continue };
            reports.push(site_report(self.conn, content, site, self.now)?);
        }
        order.sort(&mut reports);
        Ok(reports)
    }

    /// The SDG report of one site, for an editor of that site.
    pub fn sdg_site(&mut self, content: &ContentCache, slug: &str) -> EditResult<SiteReport> {
        let scope = Scope::Site(slug.to_owned());
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, "sdg.read", slug, &scope)?;
        let site = self.directory.site_by_slug(slug).ok_or(super::EditError::NotFound)?;
        Ok(site_report(self.conn, content, site, self.now)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_element_is_missing_without_its_section_or_text() {
        let sections = [("aanvragen", "Zo vraagt u het aan."), ("kosten", "  "), ("wat", "Uitleg.")];
        let missing = missing_in_sections(sections.iter().map(|(k, b)| (*k, *b)));
        assert_eq!(missing, ["voorwaarden", "meenemen", "kosten", "termijn", "geen-reactie", "bezwaar"]);
    }
}
