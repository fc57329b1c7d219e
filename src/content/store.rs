//! Reading a site's content from the database: the fold of every product for that site and
//! the local content of its layers, filtered by a `Viewer`.

use std::collections::HashSet;

use diesel::QueryResult;

use super::directory::SiteEntry;
use super::fold::{Resolved, fold};
use super::model::{Alert, NewsItem, Page, Timestamp};
use super::visibility::{Viewer, alert_boundaries, boundaries};
use crate::db::DbConnection;
use crate::db::models::local::{self, Scope};
use crate::db::models::{catalogue, overrides};

/// Items a viewer may see, and when that may next change by itself (a publish window or an
/// alert starting or ending), so cached pages know how long they stay true.
#[derive(Debug, Clone)]
pub struct Visible<T> {
    pub items: Vec<T>,
    pub next_change: Option<Timestamp>,
}

/// One product as the site shows it, or `None` if the site does not offer it to this viewer.
pub fn product(conn: &mut DbConnection, site: &SiteEntry, slug: &str, viewer: Viewer) -> QueryResult<Visible<Resolved>> {
    let Some((id, product)) = catalogue::find(conn, slug)? else {
        return Ok(Visible { items: vec![], next_change: None });
    };
    let overrides = overrides::for_layers(conn, &site.group_ids(), site.id, Some(id))?;
    let resolved = fold(&product, &site.layers(id, &overrides), site.fields());
    let next_change = viewer.next_change(boundaries(&product));
    let items = if viewer.sees_offered(&product, &resolved) { vec![resolved] } else { vec![] };
    Ok(Visible { items, next_change })
}

/// Every product the site offers to this viewer, in A-Z order of the folded title.
pub fn catalogue(conn: &mut DbConnection, site: &SiteEntry, viewer: Viewer) -> QueryResult<Visible<Resolved>> {
    let products = catalogue::all(conn)?;
    let overrides = overrides::for_layers(conn, &site.group_ids(), site.id, None)?;
    let next_change = viewer.next_change(products.iter().flat_map(|(_, p)| boundaries(p)));
    let mut items: Vec<Resolved> = products
        .iter()
        .filter(|(_, p)| viewer.sees(p))
        .map(|(id, p)| (p, fold(p, &site.layers(*id, &overrides), site.fields())))
        .filter(|(p, r)| viewer.sees_offered(p, r))
        .map(|(_, r)| r)
        .collect();
    items.sort_by_cached_key(|r| sort_key(&r.title));
    Ok(Visible { items, next_change })
}

/// The site's pages with its groups' pages; a site page hides a group page at the same path.
pub fn pages(conn: &mut DbConnection, site: &SiteEntry, viewer: Viewer) -> QueryResult<Visible<Page>> {
    let all = local::pages(conn, Scope::Layers { groups: &site.group_ids(), site: site.id })?;
    let next_change = viewer.next_change(all.iter().flat_map(|p| boundaries(&p.item)));
    let items = most_specific(all, site, |p| p.path.clone()).into_iter().filter(|p| viewer.sees(p)).collect();
    Ok(Visible { items, next_change })
}

/// News of the site and its groups, newest first; a site item hides a group item with the
/// same slug.
pub fn news(conn: &mut DbConnection, site: &SiteEntry, viewer: Viewer) -> QueryResult<Visible<NewsItem>> {
    news_where(conn, site, viewer, None)
}

/// One news item of the site (or of its groups), if residents may see it.
pub fn news_item(conn: &mut DbConnection, site: &SiteEntry, slug: &str, viewer: Viewer) -> QueryResult<Visible<NewsItem>> {
    news_where(conn, site, viewer, Some(slug))
}

fn news_where(conn: &mut DbConnection, site: &SiteEntry, viewer: Viewer, slug: Option<&str>) -> QueryResult<Visible<NewsItem>> {
    let all = local::news_with_slug(conn, Scope::Layers { groups: &site.group_ids(), site: site.id }, slug)?;
    let next_change = viewer.next_change(all.iter().flat_map(|n| boundaries(&n.item)));
    let mut items: Vec<NewsItem> =
        most_specific(all, site, |n| n.slug.clone()).into_iter().filter(|n| viewer.sees(n)).collect();
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    Ok(Visible { items, next_change })
}

/// Alerts shown now, most severe first.
pub fn alerts(conn: &mut DbConnection, site: &SiteEntry, viewer: Viewer) -> QueryResult<Visible<Alert>> {
    let all = local::alerts(conn, Scope::Layers { groups: &site.group_ids(), site: site.id })?;
    let next_change = viewer.next_change(all.iter().flat_map(|a| alert_boundaries(&a.item)));
    let mut items: Vec<Alert> =
        most_specific(all, site, |a| a.slug.clone()).into_iter().filter(|a| viewer.sees_alert(a)).collect();
    items.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.title.cmp(&b.title)));
    Ok(Visible { items, next_change })
}

/// Keeps, per key, the item of the most specific layer (the site, then later groups).
fn most_specific<T>(items: Vec<local::Stored<T>>, site: &SiteEntry, key: impl Fn(&T) -> String) -> Vec<T> {
    let rank = |layer: crate::db::models::LayerId| match layer {
        crate::db::models::LayerId::Site(_) => usize::MAX,
        crate::db::models::LayerId::Group(g) => site.groups.iter().position(|e| e.id == g).unwrap_or(0),
    };
    let mut ranked: Vec<(usize, String, T)> = items.into_iter().map(|s| (rank(s.layer), key(&s.item), s.item)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0));
    let mut seen = HashSet::new();
    let mut out: Vec<T> = Vec::with_capacity(ranked.len());
    for (_, k, item) in ranked {
        if seen.insert(k) {
            out.push(item);
        }
    }
    out
}

/// How titles sort for residents: case and accents do not matter.
pub fn sort_key(title: &str) -> String {
    title.chars().flat_map(super::slug::fold_accent).flat_map(char::to_lowercase).collect()
}
