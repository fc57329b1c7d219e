//! Reading a site's content from the database: the fold of every product for that site and
//! the local content of its layers, filtered by a `Viewer`.

use std::collections::HashSet;
use std::sync::Arc;

use diesel::QueryResult;

use super::cache::{ContentCache, LayerItems, LayerOverrides};
use super::directory::SiteEntry;
use super::fold::{Resolved, fold};
use super::language;
use super::model::{Alert, Lang, NewsItem, Override, Page, Product, Timestamp};
use super::visibility::{Viewer, alert_boundaries, boundaries};
use crate::db::DbConnection;
use crate::db::models::LayerId;

/// Where content is read from: the content held in memory, loaded through the connection
/// on first use.
struct Source<'a> {
    conn: &'a mut DbConnection,
    cache: &'a ContentCache,
}

/// Items a viewer may see, and when that may next change by itself (a publish window or an
/// alert starting or ending), so cached pages know how long they stay true.
#[derive(Debug, Clone)]
pub struct Visible<T> {
    pub items: Vec<T>,
    pub next_change: Option<Timestamp>,
}

/// The overrides of each of the site's layers, in fold order.
fn layer_overrides(src: &mut Source, site: &SiteEntry) -> QueryResult<Vec<(LayerId, Arc<LayerOverrides>)>> {
    site.layer_ids().into_iter().map(|layer| Ok((layer, src.cache.overrides(src.conn, layer)?))).collect()
}

/// The fold of one product for the site in `lang`; `None` when it has no text in that
/// language (`content::language`).
fn fold_for(site: &SiteEntry, id: i64, product: &Product, held: &[(LayerId, Arc<LayerOverrides>)], lang: Lang, now: Timestamp) -> Option<Resolved> {
    let find = |layer: LayerId| held.iter().find(|(l, _)| *l == layer).and_then(|(_, o)| o.get(&id));
    match lang {
        Lang::Nl => Some(fold(product, &site.layers_with(find), site.fields(now))),
        _ => {
            let product = language::product_in(product, lang)?;
            let translated: Vec<(LayerId, Override)> =
                site.layer_ids().into_iter().filter_map(|layer| find(layer).map(|o| (layer, language::override_in(o, lang)))).collect();
            let find = |layer: LayerId| translated.iter().find(|(l, _)| *l == layer).map(|(_, o)| o);
            Some(fold(&product, &site.layers_with(find), site.fields_in(lang, now)))
        }
    }
}

/// One product as the site shows it, or `None` if the site does not offer it to this viewer.
pub fn product(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, slug: &str, viewer: Viewer) -> QueryResult<Visible<Resolved>> {
    product_in(conn, cache, site, slug, viewer, Lang::Nl)
}

/// One product as the site shows it in `lang`; none where it has no text in that language.
pub fn product_in(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, slug: &str, viewer: Viewer, lang: Lang) -> QueryResult<Visible<Resolved>> {
    let src = &mut Source { conn, cache };
    let catalogue = src.cache.catalogue(src.conn)?;
    let Some((id, product)) = catalogue.find(slug) else {
        return Ok(Visible { items: vec![], next_change: None });
    };
    let held = layer_overrides(src, site)?;
    let folded = fold_for(site, *id, product, &held, lang, viewer.now);
    let next_change = viewer.next_change(boundaries(product).into_iter().chain([folded.as_ref().and_then(|r| r.next_change)]));
    let items = folded.filter(|r| viewer.sees_offered(product, r)).into_iter().collect();
    Ok(Visible { items, next_change })
}

/// A product the viewer would see but one of the site's layers opted out of, folded in
/// `lang` (its `opt_out` says why and where to go instead); `None` otherwise.
pub fn opted_out(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, slug: &str, viewer: Viewer, lang: Lang) -> QueryResult<Option<Resolved>> {
    let src = &mut Source { conn, cache };
    let catalogue = src.cache.catalogue(src.conn)?;
    let Some((id, product)) = catalogue.find(slug) else { return Ok(None) };
    if !viewer.sees(product) {
        return Ok(None);
    }
    let held = layer_overrides(src, site)?;
    Ok(fold_for(site, *id, product, &held, lang, viewer.now).filter(|r| r.opt_out.is_some()))
}

/// Every product the site offers to this viewer, in A-Z order of the folded title.
pub fn catalogue(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, viewer: Viewer) -> QueryResult<Visible<Resolved>> {
    catalogue_in(conn, cache, site, viewer, Lang::Nl)
}

/// Every product the site offers in `lang` (those with a text in it), A-Z.
pub fn catalogue_in(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, viewer: Viewer, lang: Lang) -> QueryResult<Visible<Resolved>> {
    let src = &mut Source { conn, cache };
    let catalogue = src.cache.catalogue(src.conn)?;
    let held = layer_overrides(src, site)?;
    let products = &catalogue.products;
    let mut items: Vec<Resolved> = products
        .iter()
        .filter(|(_, p)| viewer.sees(p))
        .filter_map(|(id, p)| fold_for(site, *id, p, &held, lang, viewer.now).filter(|r| viewer.sees_offered(p, r)))
        .collect();
    let values_change = items.iter().map(|r| r.next_change);
    let next_change = viewer.next_change(products.iter().flat_map(|(_, p)| boundaries(p)).chain(values_change));
    items.sort_by_cached_key(|r| sort_key(&r.title));
    Ok(Visible { items, next_change })
}

/// A product the site offers, with what reports on it read: the catalogue item, its Dutch fold
/// for the site and the overrides of the site's layers (fold order).
#[derive(Debug, Clone)]
pub struct Offered {
    pub product: Product,
    pub resolved: Resolved,
    pub overrides: Vec<Override>,
}

/// The products the site offers to this viewer among those `keep` selects, A-Z.
pub fn offered(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, viewer: Viewer, keep: impl Fn(&Product) -> bool) -> QueryResult<Vec<Offered>> {
    let src = &mut Source { conn, cache };
    let catalogue = src.cache.catalogue(src.conn)?;
    let held = layer_overrides(src, site)?;
    let mut items: Vec<Offered> = catalogue
        .products
        .iter()
        .filter(|(_, p)| keep(p) && viewer.sees(p))
        .filter_map(|(id, p)| {
            let resolved = fold_for(site, *id, p, &held, Lang::Nl, viewer.now).filter(|r| viewer.sees_offered(p, r))?;
            let overrides = held.iter().filter_map(|(_, o)| o.get(id).cloned()).collect();
            Some(Offered { product: p.clone(), resolved, overrides })
        })
        .collect();
    items.sort_by_cached_key(|o| sort_key(&o.resolved.title));
    Ok(items)
}

/// The items of one kind of the site's layers, most specific layer first.
fn layered<T>(
    src: &mut Source,
    site: &SiteEntry,
    load: impl Fn(&ContentCache, &mut DbConnection, LayerId) -> QueryResult<Arc<LayerItems<T>>>,
) -> QueryResult<Vec<Arc<LayerItems<T>>>> {
    site.layer_ids().into_iter().rev().map(|layer| load(src.cache, src.conn, layer)).collect()
}

/// Keeps, per key, the item of the most specific layer (the site, then later groups).
fn most_specific<T>(layers: &[Arc<LayerItems<T>>], key: impl Fn(&T) -> &str) -> Vec<Arc<T>> {
    let mut seen = HashSet::new();
    layers.iter().flat_map(|items| items.iter()).filter(|item| seen.insert(key(item))).cloned().collect()
}

/// The site's pages with its groups' pages; a site page hides a group page at the same path.
pub fn pages(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, viewer: Viewer) -> QueryResult<Visible<Arc<Page>>> {
    let src = &mut Source { conn, cache };
    let layers = layered(src, site, ContentCache::pages)?;
    let next_change = viewer.next_change(layers.iter().flat_map(|l| l.iter()).flat_map(|p| boundaries(&**p)));
    let items = most_specific(&layers, |p| &p.path).into_iter().filter(|p| viewer.sees(p)).collect();
    Ok(Visible { items, next_change })
}

/// News of the site and its groups, newest first; a site item hides a group item with the
/// same slug.
pub fn news(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, viewer: Viewer) -> QueryResult<Visible<Arc<NewsItem>>> {
    news_where(&mut Source { conn, cache }, site, viewer, None)
}

/// One news item of the site (or of its groups), if residents may see it.
pub fn news_item(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, slug: &str, viewer: Viewer) -> QueryResult<Visible<Arc<NewsItem>>> {
    news_where(&mut Source { conn, cache }, site, viewer, Some(slug))
}

fn news_where(src: &mut Source, site: &SiteEntry, viewer: Viewer, slug: Option<&str>) -> QueryResult<Visible<Arc<NewsItem>>> {
    let layers = layered(src, site, ContentCache::news)?;
    let wanted = |n: &NewsItem| slug.is_none_or(|s| n.slug == s);
    let next_change =
        viewer.next_change(layers.iter().flat_map(|l| l.iter()).filter(|n| wanted(n)).flat_map(|n| boundaries(&**n)));
    let mut items: Vec<Arc<NewsItem>> =
        most_specific(&layers, |n| &n.slug).into_iter().filter(|n| wanted(n) && viewer.sees(n)).collect();
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    Ok(Visible { items, next_change })
}

/// Alerts shown now, most severe first.
pub fn alerts(conn: &mut DbConnection, cache: &ContentCache, site: &SiteEntry, viewer: Viewer) -> QueryResult<Visible<Arc<Alert>>> {
    let src = &mut Source { conn, cache };
    let layers = layered(src, site, ContentCache::alerts)?;
    let next_change = viewer.next_change(layers.iter().flat_map(|l| l.iter()).flat_map(|a| alert_boundaries(a)));
    let mut items: Vec<Arc<Alert>> = most_specific(&layers, |a| &a.slug).into_iter().filter(|a| viewer.sees_alert(a)).collect();
    items.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.title.cmp(&b.title)));
    Ok(Visible { items, next_change })
}

/// How titles sort for residents: case and accents do not matter.
pub fn sort_key(title: &str) -> String {
    title.chars().flat_map(super::slug::fold_accent).flat_map(char::to_lowercase).collect()
}
