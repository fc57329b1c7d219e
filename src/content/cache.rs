//! The content of the catalogue and of every layer, held in memory so that building a page
//! reads no database: the catalogue as a whole, and per group or site its overrides, pages,
//! news and alerts. Everything is loaded on first use (drafts included; `Viewer` still decides
//! what anyone sees) and dropped precisely from the change feed, like the page cache.
//!
//! The database stays the only source of truth. A load that raced with an invalidation is
//! used once and not kept: every invalidation moves an epoch, and a load is stored only if
//! the epoch it started at is still current.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use diesel::QueryResult;

use super::directory::Directory;
use super::model::{Alert, NewsItem, Override, Page, Product};
use crate::content::kind::Kind;
use crate::content::upl::UplProduct;
use crate::db::DbConnection;
use crate::db::models::changes::Change;
use crate::db::models::local::{self, Scope, Stored};
use crate::db::models::{LayerId, catalogue, overrides};
use crate::feed::Follower;

/// The whole catalogue, drafts included.
#[derive(Debug, Default)]
pub struct Catalogue {
    /// (database id, product), in the order of the database.
    pub products: Vec<(i64, Product)>,
    by_slug: HashMap<String, usize>,
}

impl Catalogue {
    pub fn new(products: Vec<(i64, Product)>) -> Catalogue {
        let by_slug = products.iter().enumerate().map(|(i, (_, p))| (p.slug.clone(), i)).collect();
        Catalogue { products, by_slug }
    }

    pub fn find(&self, slug: &str) -> Option<&(i64, Product)> {
        self.by_slug.get(slug).map(|&i| &self.products[i])
    }
}

/// The UPL list as products' pages use it (SDG codes, legal bases), by URI: the imported
/// list (`meent upl import`), or the one shipped with Meent while none is imported.
#[derive(Debug, Default)]
pub struct UplIndex {
    by_uri: HashMap<String, UplProduct>,
}

impl UplIndex {
    pub fn new(list: Vec<UplProduct>) -> UplIndex {
        UplIndex { by_uri: list.into_iter().map(|p| (p.uri.clone(), p)).collect() }
    }

    pub fn get(&self, uri: &str) -> Option<&UplProduct> {
        self.by_uri.get(uri)
    }

    /// The product's entry if it is an SDG product.
    pub fn sdg(&self, uri: Option<&str>) -> Option<&UplProduct> {
        uri.and_then(|u| self.get(u)).filter(|p| !p.sdg.is_empty())
    }
}

/// One layer's overrides, by product id.
pub type LayerOverrides = HashMap<i64, Override>;

/// One layer's local items of one kind; shared, so a request clones no text.
pub type LayerItems<T> = Vec<Arc<T>>;

#[derive(Default)]
struct Held {
    catalogue: Option<Arc<Catalogue>>,
    upl: Option<Arc<UplIndex>>,
    overrides: HashMap<LayerId, Arc<LayerOverrides>>,
    pages: HashMap<LayerId, Arc<LayerItems<Page>>>,
    news: HashMap<LayerId, Arc<LayerItems<NewsItem>>>,
    alerts: HashMap<LayerId, Arc<LayerItems<Alert>>>,
}

/// What one change makes stale here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Catalogue,
    Overrides,
    Pages,
    News,
    Alerts,
    /// Nothing held depends on it.
    Nothing,
}

fn part(change: &Change) -> Part {
    match change.kind {
        Kind::Product | Kind::Upl => Part::Catalogue,
        Kind::Override => Part::Overrides,
        Kind::Page => Part::Pages,
        Kind::News => Part::News,
        Kind::Alert => Part::Alerts,
        // Sites and groups live in the `Directory`; media and search words are not held here.
        Kind::Site | Kind::Group | Kind::Redirects | Kind::Media | Kind::Thesaurus => Part::Nothing,
    }
}

/// The layer a change belongs to; `None` when it is not one layer's (the catalogue).
fn layer_of(change: &Change) -> Option<LayerId> {
    match (change.group_id, change.site_id) {
        (Some(g), _) => Some(LayerId::Group(g)),
        (None, Some(s)) => Some(LayerId::Site(s)),
        (None, None) => None,
    }
}

pub struct ContentCache {
    held: RwLock<Held>,
    epoch: AtomicU64,
}

impl Default for ContentCache {
    fn default() -> Self {
        ContentCache::new()
    }
}

impl ContentCache {
    pub fn new() -> ContentCache {
        ContentCache { held: RwLock::new(Held::default()), epoch: AtomicU64::new(0) }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Held> {
        self.held.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Held> {
        self.held.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Loads what `get` does not find, and keeps it unless an invalidation came in between.
    fn through<T>(
        &self,
        get: impl Fn(&Held) -> Option<Arc<T>>,
        load: impl FnOnce() -> QueryResult<T>,
        keep: impl FnOnce(&mut Held, Arc<T>),
    ) -> QueryResult<Arc<T>> {
        if let Some(found) = get(&self.read()) {
            return Ok(found);
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let loaded = Arc::new(load()?);
        let mut held = self.write();
        if self.epoch.load(Ordering::Acquire) == epoch {
            keep(&mut held, loaded.clone());
        }
        Ok(loaded)
    }

    pub fn catalogue(&self, conn: &mut DbConnection) -> QueryResult<Arc<Catalogue>> {
        self.through(|h| h.catalogue.clone(), || Ok(Catalogue::new(catalogue::all(conn)?)), |h, c| h.catalogue = Some(c))
    }

    pub fn upl(&self, conn: &mut DbConnection) -> QueryResult<Arc<UplIndex>> {
        self.through(
            |h| h.upl.clone(),
            || {
                let imported = crate::db::models::upl::all(conn)?;
                // The shipped list is part of the binary: reading it cannot fail at run time
                // unless the build is broken, and then no SDG product is better than no page.
                let list = if imported.is_empty() {
                    crate::content::upl::national().unwrap_or_else(|e| {
                        tracing::error!(error = %e, "the UPL list shipped with Meent cannot be read");
                        Vec::new()
                    })
                } else {
                    imported
                };
                Ok(UplIndex::new(list))
            },
            |h, u| h.upl = Some(u),
        )
    }

    pub fn overrides(&self, conn: &mut DbConnection, layer: LayerId) -> QueryResult<Arc<LayerOverrides>> {
        self.through(
            |h| h.overrides.get(&layer).cloned(),
            || Ok(overrides::for_layer(conn, layer)?.into_iter().map(|s| (s.product_id, s.over)).collect()),
            |h, o| {
                h.overrides.insert(layer, o);
            },
        )
    }

    pub fn pages(&self, conn: &mut DbConnection, layer: LayerId) -> QueryResult<Arc<LayerItems<Page>>> {
        self.through(|h| h.pages.get(&layer).cloned(), || Ok(items(local::pages(conn, Scope::Layer(layer))?)), |h, v| {
            h.pages.insert(layer, v);
        })
    }

    pub fn news(&self, conn: &mut DbConnection, layer: LayerId) -> QueryResult<Arc<LayerItems<NewsItem>>> {
        self.through(|h| h.news.get(&layer).cloned(), || Ok(items(local::news(conn, Scope::Layer(layer))?)), |h, v| {
            h.news.insert(layer, v);
        })
    }

    pub fn alerts(&self, conn: &mut DbConnection, layer: LayerId) -> QueryResult<Arc<LayerItems<Alert>>> {
        self.through(|h| h.alerts.get(&layer).cloned(), || Ok(items(local::alerts(conn, Scope::Layer(layer))?)), |h, v| {
            h.alerts.insert(layer, v);
        })
    }

    /// Drops everything held; it is loaded again on first use.
    pub fn clear(&self) {
        let mut held = self.write();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        *held = Held::default();
    }

    /// Drops what a change makes stale.
    fn invalidate(&self, change: &Change) {
        let part = part(change);
        if part == Part::Nothing {
            return;
        }
        let mut held = self.write();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let layer = layer_of(change);
        fn drop_layer<T>(map: &mut HashMap<LayerId, T>, layer: Option<LayerId>) {
            match layer {
                Some(l) => {
                    map.remove(&l);
                }
                // A change of every layer at once (none is written today): drop them all.
                None => map.clear(),
            }
        }
        match part {
            Part::Catalogue => {
                held.catalogue = None;
                held.upl = None;
            }
            Part::Overrides => drop_layer(&mut held.overrides, layer),
            Part::Pages => drop_layer(&mut held.pages, layer),
            Part::News => drop_layer(&mut held.news, layer),
            Part::Alerts => drop_layer(&mut held.alerts, layer),
            Part::Nothing => {}
        }
    }

    /// How many layers' items of each kind are held (for tests).
    pub fn held_layers(&self) -> usize {
        let held = self.read();
        held.overrides.len() + held.pages.len() + held.news.len() + held.alerts.len()
    }

    pub fn holds_catalogue(&self) -> bool {
        self.read().catalogue.is_some()
    }
}

fn items<T>(stored: Vec<Stored<T>>) -> LayerItems<T> {
    stored.into_iter().map(|s| Arc::new(s.item)).collect()
}

impl Follower for ContentCache {
    fn name(&self) -> &'static str {
        "content-cache"
    }

    fn apply(&self, changes: &[Change], _: &Directory, _: &mut DbConnection) -> Result<crate::feed::Applied, crate::feed::FollowError> {
        for change in changes {
            self.invalidate(change);
        }
        Ok(crate::feed::Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: Kind, group: Option<i64>, site: Option<i64>) -> Change {
        Change { id: 1, at: 0, kind, item_key: "x".into(), group_id: group, site_id: site }
    }

    fn filled() -> ContentCache {
        let cache = ContentCache::new();
        {
            let mut held = cache.write();
            held.catalogue = Some(Arc::new(Catalogue::default()));
            for layer in [LayerId::Group(1), LayerId::Site(2), LayerId::Site(3)] {
                held.overrides.insert(layer, Arc::default());
                held.pages.insert(layer, Arc::default());
                held.news.insert(layer, Arc::default());
                held.alerts.insert(layer, Arc::default());
            }
        }
        cache
    }

    #[test]
    fn a_change_drops_exactly_what_depends_on_it() {
        let cache = filled();
        cache.invalidate(&change(Kind::Override, None, Some(2)));
        {
            let held = cache.read();
            assert!(!held.overrides.contains_key(&LayerId::Site(2)));
            assert!(held.overrides.contains_key(&LayerId::Site(3)) && held.overrides.contains_key(&LayerId::Group(1)));
            assert_eq!(held.pages.len(), 3);
            assert!(held.catalogue.is_some());
        }
        cache.invalidate(&change(Kind::Page, Some(1), None));
        assert_eq!(cache.read().pages.len(), 2);
        assert!(!cache.read().pages.contains_key(&LayerId::Group(1)));
        cache.invalidate(&change(Kind::Product, None, None));
        assert!(!cache.holds_catalogue());
        assert_eq!(cache.read().overrides.len(), 2, "a central edit keeps the layers' overrides");
        cache.invalidate(&change(Kind::Media, None, Some(3)));
        assert_eq!(cache.held_layers(), 2 + 2 + 3 + 3);
        // Sites and groups live in the directory: none of the held items depends on them.
        cache.invalidate(&change(Kind::Site, None, Some(3)));
        assert_eq!(cache.held_layers(), 2 + 2 + 3 + 3);
    }

    #[test]
    fn a_load_that_raced_with_a_change_is_not_kept() {
        let cache = ContentCache::new();
        let loaded = cache
            .through(
                |h| h.catalogue.clone(),
                || {
                    // A change is applied while the catalogue is being read.
                    cache.invalidate(&change(Kind::Product, None, None));
                    Ok(Catalogue::default())
                },
                |h, c| h.catalogue = Some(c),
            )
            .expect("load");
        assert!(loaded.products.is_empty(), "the load is used once");
        assert!(!cache.holds_catalogue(), "but not kept");
    }
}
