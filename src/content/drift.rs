//! Where the central text moved under a local change: an override written against catalogue
//! revision `based_on`, while the product is now at a later revision. For each section the
//! override changes (replace, append, prepend, hide) whose central text differs between the
//! two revisions, editors see the old central text, the new one and their own.

use serde::Serialize;

use super::model::{Override, Product, SectionMode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub key: String,
    pub heading: String,
    pub mode: SectionMode,
    /// The central text the override was written against (`None`: that revision is not in the
    /// history, e.g. imported with a higher revision number).
    pub old_central: Option<String>,
    pub new_central: String,
    pub local: String,
}

/// The sections of `over` to review against `product` (now) and `old` (the product at
/// `over.based_on`, if known). Empty when the override is current.
pub fn drift(product: &Product, over: &Override, old: Option<&Product>) -> Vec<Drift> {
    if over.based_on >= product.revision {
        return Vec::new();
    }
    let mut out = Vec::new();
    for change in &over.sections {
        let Some(now) = product.sections.iter().find(|s| s.key == change.key) else { continue };
        let before = old.map(|o| o.sections.iter().find(|s| s.key == change.key).map(|s| s.body.clone()).unwrap_or_default());
        if before.as_deref() == Some(now.body.as_str()) {
            continue;
        }
        out.push(Drift {
            key: change.key.clone(),
            heading: now.heading.clone(),
            mode: change.mode,
            old_central: before,
            new_central: now.body.clone(),
            local: change.body.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::{Section, SectionChange, Status};

    fn product(revision: i64, kosten: &str) -> Product {
        Product {
            english: None,
            slug: "p".into(),
            title: "P".into(),
            summary: String::new(),
            audience: vec![],
            upl: None,
            themes: vec![],
            life_events: vec![],
            keywords: vec![],
            popular: false,
            variables: vec![],
            sections: vec![
                Section { key: "wat".into(), heading: "Wat".into(), body: "Zelfde.".into() },
                Section { key: "kosten".into(), heading: "Kosten".into(), body: kosten.into() },
            ],
            status: Status::Published,
            publish_at: None,
            unpublish_at: None,
            revision,
            updated_at: 0,
            review_date: None,
            content_owner: None,
        }
    }

    fn over(based_on: i64) -> Override {
        Override {
            english: None,
            product: "p".into(),
            based_on,
            sections: vec![
                SectionChange { key: "wat".into(), mode: SectionMode::Append, heading: String::new(), body: "Extra.".into() },
                SectionChange { key: "kosten".into(), mode: SectionMode::Replace, heading: "Kosten".into(), body: "€ 10".into() },
                SectionChange { key: "lokaal".into(), mode: SectionMode::Replace, heading: "Lokaal".into(), body: "x".into() },
            ],
            ..Override::default()
        }
    }

    #[test]
    fn only_changed_sections_under_local_changes() {
        let old = product(1, "€ 8");
        let new = product(2, "€ 9");
        let d = drift(&new, &over(1), Some(&old));
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].key.as_str(), d[0].old_central.as_deref(), d[0].new_central.as_str(), d[0].local.as_str()), ("kosten", Some("€ 8"), "€ 9", "€ 10"));
        assert!(drift(&new, &over(2), Some(&new)).is_empty(), "current overrides have nothing to review");
        let unknown = drift(&new, &over(1), None);
        assert_eq!(unknown.len(), 2, "without the old text every changed section is shown");
    }
}
