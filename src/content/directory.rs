//! The sites and groups an installation serves, held in memory: which site a host belongs
//! to, and the layers of each site. Rebuilt from the database when a site or group changes.

use std::collections::HashMap;
use std::sync::Arc;

use diesel::QueryResult;

use super::fold::{Layer, SiteFields};
use super::model::{Group, Override, Site};
use crate::db::DbConnection;
use crate::db::models::LayerId;
use crate::db::models::layers;
use crate::db::models::overrides::Stored;

#[derive(Debug, Clone)]
pub struct GroupEntry {
    pub id: i64,
    pub group: Group,
}

/// A site with its groups in fold order.
#[derive(Debug, Clone)]
pub struct SiteEntry {
    pub id: i64,
    pub site: Site,
    pub groups: Vec<GroupEntry>,
    /// Old paths: moved (`Some(new path)`) or gone (`None`).
    pub redirects: HashMap<String, Option<String>>,
    /// Layer names for the fold and for editors: `group:<slug>` …, `site:<slug>`.
    layer_names: Vec<String>,
    /// The content hash its design-token stylesheet is served under, if it has one.
    pub tokens_hash: Option<String>,
}

impl SiteEntry {
    pub fn new(id: i64, site: Site, groups: Vec<GroupEntry>) -> SiteEntry {
        let mut layer_names: Vec<String> = groups.iter().map(|g| format!("group:{}", g.group.slug)).collect();
        layer_names.push(format!("site:{}", site.slug));
        let tokens_hash = site.theme_tokens.as_ref().map(|css| blake3::hash(css.as_bytes()).to_hex()[..16].to_owned());
        SiteEntry { id, site, groups, layer_names, redirects: HashMap::new(), tokens_hash }
    }

    pub fn group_ids(&self) -> Vec<i64> {
        self.groups.iter().map(|g| g.id).collect()
    }

    /// The site's fields for Dutch texts folded at `now`.
    pub fn fields(&self, now: crate::content::model::Timestamp) -> SiteFields<'_> {
        self.fields_in(crate::content::model::Lang::Nl, now)
    }

    /// The site's fields for texts in `lang` folded at `now`.
    pub fn fields_in(&self, lang: crate::content::model::Lang, now: crate::content::model::Timestamp) -> SiteFields<'_> {
        SiteFields { name: &self.site.name, municipality: self.site.municipality(), lang, services: &self.site.services, now }
    }

    /// The layers of this site in fold order: its groups, then the site itself.
    pub fn layer_ids(&self) -> Vec<LayerId> {
        self.groups.iter().map(|g| LayerId::Group(g.id)).chain([LayerId::Site(self.id)]).collect()
    }

    /// The fold layers of this site for one product, given the overrides of its layers
    /// (overrides of other products or other layers are ignored).
    pub fn layers<'a>(&'a self, product_id: i64, overrides: &'a [Stored]) -> Vec<Layer<'a>> {
        self.layers_with(|layer| overrides.iter().find(|o| o.product_id == product_id && o.layer == layer).map(|o| &o.over))
    }

    /// The fold layers of this site, with `find` giving each layer's override of the product.
    pub fn layers_with<'a>(&'a self, find: impl Fn(LayerId) -> Option<&'a Override>) -> Vec<Layer<'a>> {
        let mut layers: Vec<Layer<'a>> = self
            .groups
            .iter()
            .zip(&self.layer_names)
            .map(|(g, name)| Layer {
                name,
                variables: &g.group.variables,
                contact: &g.group.contact,
                over: find(LayerId::Group(g.id)),
                updated_at: g.group.updated_at,
            })
            .collect();
        layers.push(Layer {
            name: self.layer_names.last().map(String::as_str).unwrap_or(""),
            variables: &self.site.variables,
            contact: &self.site.contact,
            over: find(LayerId::Site(self.id)),
            updated_at: self.site.updated_at,
        });
        layers
    }

    pub fn is_member_of(&self, group_id: i64) -> bool {
        self.groups.iter().any(|g| g.id == group_id)
    }
}

/// What a host names.
pub struct HostMatch {
    pub site: Arc<SiteEntry>,
    /// False for an alias host, which redirects to the canonical one.
    pub canonical: bool,
}

#[derive(Debug, Default)]
pub struct Directory {
    sites: Vec<Arc<SiteEntry>>,
    by_host: HashMap<String, (usize, bool)>,
    by_id: HashMap<i64, usize>,
    by_slug: HashMap<String, usize>,
}

impl Directory {
    pub fn load(conn: &mut DbConnection) -> QueryResult<Directory> {
        let groups: HashMap<String, GroupEntry> = layers::groups(conn)?
            .into_iter()
            .map(|(id, group)| (group.slug.clone(), GroupEntry { id, group }))
            .collect();
        let mut redirects: HashMap<i64, HashMap<String, Option<String>>> = HashMap::new();
        for (site, r) in crate::db::models::redirects::all(conn)? {
            redirects.entry(site).or_default().insert(r.from, r.to);
        }
        let entries = layers::sites(conn)?
            .into_iter()
            .map(|(id, site)| {
                let site_groups = site.groups.iter().filter_map(|slug| groups.get(slug).cloned()).collect();
                let mut entry = SiteEntry::new(id, site, site_groups);
                entry.redirects = redirects.remove(&id).unwrap_or_default();
                entry
            })
            .collect();
        Ok(Directory::from_entries(entries))
    }

    pub fn from_entries(entries: Vec<SiteEntry>) -> Directory {
        let mut dir = Directory::default();
        for (index, entry) in entries.into_iter().enumerate() {
            for (position, host) in entry.site.hosts.iter().enumerate() {
                dir.by_host.insert(host.clone(), (index, position == 0));
            }
            dir.by_id.insert(entry.id, index);
            dir.by_slug.insert(entry.site.slug.clone(), index);
            dir.sites.push(Arc::new(entry));
        }
        dir
    }

    /// The site of a normalised host name.
    pub fn lookup(&self, host: &str) -> Option<HostMatch> {
        let &(index, canonical) = self.by_host.get(host)?;
        Some(HostMatch { site: self.sites[index].clone(), canonical })
    }

    pub fn sites(&self) -> &[Arc<SiteEntry>] {
        &self.sites
    }

    pub fn site(&self, id: i64) -> Option<&Arc<SiteEntry>> {
        self.by_id.get(&id).map(|&i| &self.sites[i])
    }

    pub fn site_by_slug(&self, slug: &str) -> Option<&Arc<SiteEntry>> {
        self.by_slug.get(slug).map(|&i| &self.sites[i])
    }

    /// The ids of the sites a change with this scope touches; `None` means every site.
    pub fn touched(&self, group_id: Option<i64>, site_id: Option<i64>) -> Option<Vec<i64>> {
        match (group_id, site_id) {
            (_, Some(site)) => Some(vec![site]),
            (Some(group), None) => Some(self.sites.iter().filter(|s| s.is_member_of(group)).map(|s| s.id).collect()),
            (None, None) => None,
        }
    }
}
