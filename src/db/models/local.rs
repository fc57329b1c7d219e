//! Local content of groups and sites: pages, news and alerts.
//!
//! Loading returns every item of the given layers, drafts included; what residents may see is
//! decided by `content::visibility`, never here.

use diesel::prelude::*;

use super::{LayerId, Saved, parse_date, save_versioned, write_row};
use crate::content::model::{Alert, NewsItem, Owner, Page, Severity, Stamped, Status};
use crate::db::DbConnection;
use crate::db::schema::{alerts, groups, news, pages, sites};

/// An item with its database id and owner.
#[derive(Debug, Clone)]
pub struct Stored<T> {
    pub id: i64,
    pub layer: LayerId,
    pub item: T,
}

fn owner(group: Option<String>, site: Option<String>) -> Owner {
    match (group, site) {
        (Some(g), _) => Owner::Group(g),
        (None, Some(s)) => Owner::Site(s),
        (None, None) => Owner::Site(String::new()),
    }
}

/// Which layers to load: the given groups and site, one layer, or everything.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    Layers { groups: &'a [i64], site: i64 },
    Layer(LayerId),
    Everything,
}

/// Filters a boxed query of `$table` to the layers of `$scope`.
macro_rules! in_scope {
    ($query:expr, $table:ident, $scope:expr) => {
        match $scope {
            Scope::Layers { groups: g, site } => $query.filter($table::group_id.eq_any(g.to_vec()).or($table::site_id.eq(site))),
            Scope::Layer(LayerId::Group(g)) => $query.filter($table::group_id.eq(g)),
            Scope::Layer(LayerId::Site(s)) => $query.filter($table::site_id.eq(s)),
            Scope::Everything => $query,
        }
    };
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pages)]
struct PageRow {
    id: i64,
    #[diesel(embed)]
    values: PageValues,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = pages, treat_none_as_null = true)]
struct PageValues {
    group_id: Option<i64>,
    site_id: Option<i64>,
    path: String,
    title: String,
    summary: String,
    body: String,
    status: String,
    weight: i32,
    publish_at: Option<i64>,
    unpublish_at: Option<i64>,
    revision: i64,
    updated_at: i64,
    review_date: Option<String>,
    content_owner: Option<String>,
}

fn page_values(layer: LayerId, p: &Page, revision: i64, updated_at: i64) -> PageValues {
    let (group_id, site_id) = layer.columns();
    PageValues {
        group_id,
        site_id,
        path: p.path.clone(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        body: p.body.clone(),
        status: p.status.as_str().into(),
        weight: p.weight,
        publish_at: p.publish_at,
        unpublish_at: p.unpublish_at,
        revision,
        updated_at,
        review_date: p.review_date.map(|d| d.format("%Y-%m-%d").to_string()),
        content_owner: p.content_owner.clone(),
    }
}

fn into_page(row: PageRow, group: Option<String>, site: Option<String>) -> QueryResult<Stored<Page>> {
    Ok(Stored {
        id: row.id,
        layer: LayerId::from_columns(row.values.group_id, row.values.site_id),
        item: Page {
            owner: owner(group, site),
            path: row.values.path,
            title: row.values.title,
            summary: row.values.summary,
            body: row.values.body,
            status: Status::parse(&row.values.status).unwrap_or(Status::Draft),
            weight: row.values.weight,
            publish_at: row.values.publish_at,
            unpublish_at: row.values.unpublish_at,
            revision: row.values.revision,
            updated_at: row.values.updated_at,
            review_date: parse_date(row.values.review_date.as_deref())?,
            content_owner: row.values.content_owner,
        },
    })
}


#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = news)]
struct NewsRow {
    id: i64,
    #[diesel(embed)]
    values: NewsValues,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = news, treat_none_as_null = true)]
struct NewsValues {
    group_id: Option<i64>,
    site_id: Option<i64>,
    slug: String,
    date: String,
    title: String,
    summary: String,
    body: String,
    status: String,
    publish_at: Option<i64>,
    unpublish_at: Option<i64>,
    revision: i64,
    updated_at: i64,
    review_date: Option<String>,
    content_owner: Option<String>,
    image: Option<String>,
}

fn news_values(layer: LayerId, n: &NewsItem, revision: i64, updated_at: i64) -> NewsValues {
    let (group_id, site_id) = layer.columns();
    NewsValues {
        group_id,
        site_id,
        slug: n.slug.clone(),
        date: n.date.format("%Y-%m-%d").to_string(),
        title: n.title.clone(),
        summary: n.summary.clone(),
        body: n.body.clone(),
        status: n.status.as_str().into(),
        publish_at: n.publish_at,
        unpublish_at: n.unpublish_at,
        revision,
        updated_at,
        review_date: n.review_date.map(|d| d.format("%Y-%m-%d").to_string()),
        content_owner: n.content_owner.clone(),
        image: n.image.clone(),
    }
}

fn into_news(row: NewsRow, group: Option<String>, site: Option<String>) -> QueryResult<Stored<NewsItem>> {
    let date = chrono::NaiveDate::parse_from_str(&row.values.date, "%Y-%m-%d")
        .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
    Ok(Stored {
        id: row.id,
        layer: LayerId::from_columns(row.values.group_id, row.values.site_id),
        item: NewsItem {
            owner: owner(group, site),
            slug: row.values.slug,
            date,
            title: row.values.title,
            summary: row.values.summary,
            body: row.values.body,
            status: Status::parse(&row.values.status).unwrap_or(Status::Draft),
            publish_at: row.values.publish_at,
            unpublish_at: row.values.unpublish_at,
            revision: row.values.revision,
            updated_at: row.values.updated_at,
            review_date: parse_date(row.values.review_date.as_deref())?,
            content_owner: row.values.content_owner,
            image: row.values.image,
        },
    })
}


#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alerts)]
struct AlertRow {
    id: i64,
    #[diesel(embed)]
    values: AlertValues,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = alerts, treat_none_as_null = true)]
struct AlertValues {
    group_id: Option<i64>,
    site_id: Option<i64>,
    slug: String,
    title: String,
    summary: String,
    body: String,
    severity: String,
    starts: Option<i64>,
    ends: Option<i64>,
    status: String,
    revision: i64,
    updated_at: i64,
}

fn alert_values(layer: LayerId, a: &Alert, revision: i64, updated_at: i64) -> AlertValues {
    let (group_id, site_id) = layer.columns();
    AlertValues {
        group_id,
        site_id,
        slug: a.slug.clone(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        body: a.body.clone(),
        severity: a.severity.as_str().into(),
        starts: a.starts,
        ends: a.ends,
        status: a.status.as_str().into(),
        revision,
        updated_at,
    }
}

fn into_alert(row: AlertRow, group: Option<String>, site: Option<String>) -> QueryResult<Stored<Alert>> {
    Ok(Stored {
        id: row.id,
        layer: LayerId::from_columns(row.values.group_id, row.values.site_id),
        item: Alert {
            owner: owner(group, site),
            slug: row.values.slug,
            title: row.values.title,
            summary: row.values.summary,
            body: row.values.body,
            severity: Severity::parse(&row.values.severity).unwrap_or(Severity::Info),
            starts: row.values.starts,
            ends: row.values.ends,
            status: Status::parse(&row.values.status).unwrap_or(Status::Draft),
            revision: row.values.revision,
            updated_at: row.values.updated_at,
        },
    })
}

/// The queries of one kind of local item, written once: load a scope, save by natural key
/// (`$key`: a page's path, a news item's or alert's slug), save over an id, read one by id,
/// delete. Every save is the compare-and-set of `save_versioned`.
macro_rules! local_table {
    (
        $table:ident, $item:ty, $row:ty, $values:ident, $into:ident, key: $key:ident, order: $order:expr,
        $load:ident, $save:ident, $update:ident, $by_id:ident, $delete:ident
    ) => {
        pub fn $load(conn: &mut DbConnection, scope: Scope) -> QueryResult<Vec<Stored<$item>>> {
            let mut query = $table::table
                .left_join(groups::table)
                .left_join(sites::table)
                .order($order)
                .select((<$row>::as_select(), groups::slug.nullable(), sites::slug.nullable()))
                .into_boxed();
            query = in_scope!(query, $table, scope);
            query.load::<($row, Option<String>, Option<String>)>(conn)?.into_iter().map(|(r, g, s)| $into(r, g, s)).collect()
        }

        /// Creates or updates the item of `layer` with this key.
        pub fn $save(conn: &mut DbConnection, layer: LayerId, item: &$item, now: i64) -> QueryResult<Saved> {
            let mut query = $table::table.filter($table::$key.eq(&item.$key)).select(<$row>::as_select()).into_boxed();
            query = match layer {
                LayerId::Group(g) => query.filter($table::group_id.eq(g)),
                LayerId::Site(s) => query.filter($table::site_id.eq(s)),
            };
            let existing = query.first::<$row>(conn).optional()?;
            write_item(conn, layer, existing.map(|old| $into(old, None, None)).transpose()?, item, now, $values, |conn, id, values| {
                write_row!(conn, $table, id, values)
            })
        }

        /// Saves over the item with this id (which may get another key).
        pub fn $update(conn: &mut DbConnection, id: i64, layer: LayerId, item: &$item, now: i64) -> QueryResult<Saved> {
            let existing = $table::table.find(id).select(<$row>::as_select()).first::<$row>(conn).optional()?;
            write_item(conn, layer, existing.map(|old| $into(old, None, None)).transpose()?, item, now, $values, |conn, id, values| {
                write_row!(conn, $table, id, values)
            })
        }

        /// One item by id, with its owner.
        pub fn $by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Stored<$item>>> {
            $table::table
                .left_join(groups::table)
                .left_join(sites::table)
                .filter($table::id.eq(id))
                .select((<$row>::as_select(), groups::slug.nullable(), sites::slug.nullable()))
                .first::<($row, Option<String>, Option<String>)>(conn)
                .optional()?
                .map(|(r, g, s)| $into(r, g, s))
                .transpose()
        }

        /// Removes the row with the id and revision read; a row changed since is `changed_meanwhile`.
        pub fn $delete(conn: &mut DbConnection, id: i64, revision: i64) -> QueryResult<()> {
            diesel::delete($table::table.find(id).filter($table::revision.eq(revision))).execute(conn).and_then(super::one_row)
        }
    };
}

/// The shared last step of the saves of `local_table!`: values of the stored item (its
/// revision and time left out) against the new ones, then the compare-and-set write.
fn write_item<T, V: PartialEq>(
    conn: &mut DbConnection,
    layer: LayerId,
    existing: Option<Stored<T>>,
    item: &T,
    now: i64,
    values: fn(LayerId, &T, i64, i64) -> V,
    write: impl FnOnce(&mut DbConnection, Option<(i64, i64)>, &V) -> QueryResult<i64>,
) -> QueryResult<Saved>
where
    T: Stamped,
{
    let at = super::dated(existing.is_some(), item.updated_at(), now);
    let existing = existing.map(|old| (old.id, old.item.revision(), values(layer, &old.item, 0, 0)));
    save_versioned(existing, values(layer, item, 0, 0), item.revision(), |id, revision| write(conn, id, &values(layer, item, revision, at)))
}


local_table!(pages, Page, PageRow, page_values, into_page, key: path, order: (pages::path.asc(), pages::id.asc()),
    pages, save_page, update_page, page_by_id, delete_page);
local_table!(news, NewsItem, NewsRow, news_values, into_news, key: slug, order: (news::date.desc(), news::id.desc()),
    news, save_news, update_news, news_by_id, delete_news);
local_table!(alerts, Alert, AlertRow, alert_values, into_alert, key: slug, order: (alerts::slug.asc(), alerts::id.asc()),
    alerts, save_alert, update_alert, alert_by_id, delete_alert);
