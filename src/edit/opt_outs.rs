//! Which municipalities do not offer a catalogue product, and why: for the central team, per
//! product (`/api/v1/admin/catalogue/<slug>/opt-outs`, the product's admin page).

use serde::Serialize;

use super::{EditResult, Editor};
use crate::content::model::Owner;
use crate::db::models::{LayerId, layers, overrides};

/// One layer's opt-out of a product.
#[derive(Debug, Clone, Serialize)]
pub struct OptOutRow {
    pub owner: Owner,
    /// The group's or site's name.
    pub name: String,
    pub reason: Option<String>,
    /// The reason in English, where the layer wrote one.
    pub reason_en: Option<String>,
    pub refer_to: Option<String>,
}

/// Opt-outs of one product and the sites that, through them, do not offer it.
#[derive(Debug, Clone, Serialize)]
pub struct OptOuts {
    pub product: String,
    pub opt_outs: Vec<OptOutRow>,
    /// Slugs of the sites without the product: the last of their layers that decides opted
    /// out (a site can offer again what its group does not).
    pub sites: Vec<String>,
}

impl Editor<'_> {
    /// The opt-outs of a catalogue product, for catalogue editors.
    pub fn opt_outs(&mut self, slug: &str) -> EditResult<OptOuts> {
        self.require_catalogue("catalogue.read")?;
        let (id, product) = self.visible_product(slug)?;
        let deciding = overrides::offering(self.conn, id)?;
        let offered = |layer: LayerId| deciding.iter().find(|o| o.layer == layer).and_then(|o| o.over.enabled);
        let mut sites: Vec<String> = self
            .directory
            .sites()
            .iter()
            .filter(|site| site.layer_ids().into_iter().filter_map(offered).next_back() == Some(false))
            .map(|site| site.site.slug.clone())
            .collect();
        sites.sort();
        let groups = layers::groups(self.conn)?;
        let mut opt_outs: Vec<OptOutRow> = deciding
            .iter()
            .filter(|o| o.over.enabled == Some(false))
            .filter_map(|o| {
                let (owner, name) = match o.layer {
                    LayerId::Group(g) => groups.iter().find(|(id, _)| *id == g).map(|(_, g)| (Owner::Group(g.slug.clone()), g.name.clone()))?,
                    LayerId::Site(s) => self.directory.site(s).map(|s| (Owner::Site(s.site.slug.clone()), s.site.name.clone()))?,
                };
                Some(OptOutRow {
                    owner,
                    name,
                    reason: o.over.reason.clone(),
                    reason_en: o.over.english.as_ref().and_then(|t| t.text.reason.clone()),
                    refer_to: o.over.refer_to.clone(),
                })
            })
            .collect();
        opt_outs.sort_by(|a, b| a.owner.cmp(&b.owner));
        Ok(OptOuts { product: product.slug, opt_outs, sites })
    }
}
