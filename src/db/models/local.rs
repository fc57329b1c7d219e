//! Local content of groups and sites: pages, news and alerts.
//!
//! Loading returns every item of the given layers, drafts included; what residents may see is
//! decided by `content::visibility`, never here.

use diesel::prelude::*;

use super::translations::{self, Which};
use super::{LayerId, Saved, parse_date, save_versioned, write_row};
use crate::content::model::{Alert, AlertFields, Lang, Local, NewsFields, NewsItem, Owner, Page, PageFields, Severity, Stamped, Status};
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

/// Declares the row of a local table (`$row`: its id and values) and its values (`$values`:
/// the layer, the columns every kind has, the kind's own columns as given), readable,
/// insertable and updatable by diesel.
macro_rules! local_rows {
    ($table:ident, $row:ident, $values:ident { $($column:ident: $type:ty,)* }) => {
        #[derive(Debug, Clone, Queryable, Selectable)]
        #[diesel(table_name = $table)]
        struct $row {
            id: i64,
            #[diesel(embed)]
            values: $values,
        }

        #[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
        #[diesel(table_name = $table, treat_none_as_null = true)]
        struct $values {
            group_id: Option<i64>,
            site_id: Option<i64>,
            title: String,
            summary: String,
            body: String,
            status: String,
            revision: i64,
            updated_at: i64,
            $($column: $type,)*
        }
    };
}

/// The values of a row of a local table: the layer, the columns every kind has (the model's
/// `Local`), and the kind's own columns as given.
macro_rules! local_values {
    ($values:ident { $($field:ident: $value:expr),* $(,)? }, $layer:expr, $item:expr, $revision:expr, $updated_at:expr) => {{
        let (group_id, site_id) = $layer.columns();
        $values {
            group_id,
            site_id,
            title: $item.title.clone(),
            summary: $item.summary.clone(),
            body: $item.body.clone(),
            status: $item.status.as_str().into(),
            revision: $revision,
            updated_at: $updated_at,
            $($field: $value),*
        }
    }};
}

/// The model of a row of a local table (`$values` may be partly moved already: the kind's
/// own columns).
macro_rules! local_item {
    ($row:ident, $values:ident, $group:expr, $site:expr, $kind:expr) => {
        Stored {
            id: $row.id,
            layer: LayerId::from_columns($values.group_id, $values.site_id),
            item: Local {
                english: None,
                owner: owner($group, $site),
                title: $values.title,
                summary: $values.summary,
                body: $values.body,
                status: Status::parse(&$values.status).unwrap_or(Status::Draft),
                revision: $values.revision,
                updated_at: $values.updated_at,
                kind: $kind,
            },
        }
    };
}

local_rows!(pages, PageRow, PageValues {
    path: String,
    weight: i32,
    publish_at: Option<i64>,
    unpublish_at: Option<i64>,
    review_date: Option<String>,
    content_owner: Option<String>,
});

fn page_values(layer: LayerId, p: &Page, revision: i64, updated_at: i64) -> PageValues {
    local_values!(PageValues {
        path: p.path.clone(),
        weight: p.weight,
        publish_at: p.publish_at,
        unpublish_at: p.unpublish_at,
        review_date: p.review_date.map(|d| d.format("%Y-%m-%d").to_string()),
        content_owner: p.content_owner.clone(),
    }, layer, p, revision, updated_at)
}

fn into_page(row: PageRow, group: Option<String>, site: Option<String>) -> QueryResult<Stored<Page>> {
    let v = row.values;
    let kind = PageFields {
        path: v.path,
        weight: v.weight,
        publish_at: v.publish_at,
        unpublish_at: v.unpublish_at,
        review_date: parse_date(v.review_date.as_deref())?,
        content_owner: v.content_owner,
    };
    Ok(local_item!(row, v, group, site, kind))
}


local_rows!(news, NewsRow, NewsValues {
    slug: String,
    date: String,
    publish_at: Option<i64>,
    unpublish_at: Option<i64>,
    review_date: Option<String>,
    content_owner: Option<String>,
    image: Option<String>,
});

fn news_values(layer: LayerId, n: &NewsItem, revision: i64, updated_at: i64) -> NewsValues {
    local_values!(NewsValues {
        slug: n.slug.clone(),
        date: n.date.format("%Y-%m-%d").to_string(),
        publish_at: n.publish_at,
        unpublish_at: n.unpublish_at,
        review_date: n.review_date.map(|d| d.format("%Y-%m-%d").to_string()),
        content_owner: n.content_owner.clone(),
        image: n.image.clone(),
    }, layer, n, revision, updated_at)
}

fn into_news(row: NewsRow, group: Option<String>, site: Option<String>) -> QueryResult<Stored<NewsItem>> {
    let v = row.values;
    let kind = NewsFields {
        slug: v.slug,
        date: chrono::NaiveDate::parse_from_str(&v.date, "%Y-%m-%d").map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?,
        publish_at: v.publish_at,
        unpublish_at: v.unpublish_at,
        review_date: parse_date(v.review_date.as_deref())?,
        content_owner: v.content_owner,
        image: v.image,
    };
    Ok(local_item!(row, v, group, site, kind))
}


local_rows!(alerts, AlertRow, AlertValues {
    slug: String,
    severity: String,
    starts: Option<i64>,
    ends: Option<i64>,
});

fn alert_values(layer: LayerId, a: &Alert, revision: i64, updated_at: i64) -> AlertValues {
    local_values!(AlertValues {
        slug: a.slug.clone(),
        severity: a.severity.as_str().into(),
        starts: a.starts,
        ends: a.ends,
    }, layer, a, revision, updated_at)
}

fn into_alert(row: AlertRow, group: Option<String>, site: Option<String>) -> QueryResult<Stored<Alert>> {
    let v = row.values;
    let kind = AlertFields { slug: v.slug, severity: Severity::parse(&v.severity).unwrap_or(Severity::Info), starts: v.starts, ends: v.ends };
    Ok(local_item!(row, v, group, site, kind))
}

/// The queries of one kind of local item, written once: load a scope, save by natural key
/// (`$key`: a page's path, a news item's or alert's slug), save over an id, read one by id,
/// delete. Every save is the compare-and-set of `save_versioned`.
macro_rules! local_table {
    (
        $table:ident, $item:ty, $row:ty, $values:ident, $into:ident, key: $key:ident, order: $order:expr, english: $english:expr,
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
            let mut items = query.load::<($row, Option<String>, Option<String>)>(conn)?.into_iter().map(|(r, g, s)| $into(r, g, s)).collect::<QueryResult<Vec<_>>>()?;
            $english(conn, &mut items, matches!(scope, Scope::Everything))?;
            Ok(items)
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
            let found = $table::table
                .left_join(groups::table)
                .left_join(sites::table)
                .filter($table::id.eq(id))
                .select((<$row>::as_select(), groups::slug.nullable(), sites::slug.nullable()))
                .first::<($row, Option<String>, Option<String>)>(conn)
                .optional()?
                .map(|(r, g, s)| $into(r, g, s))
                .transpose()?;
            let mut items: Vec<_> = found.into_iter().collect();
            $english(conn, &mut items, false)?;
            Ok(items.pop())
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


/// Gives pages or news items their English texts; `which` names them by id (`all`: every
/// one of the kind is asked for).
fn with_english<K>(conn: &mut DbConnection, items: &mut [Stored<Local<K>>], which: for<'a> fn(Option<&'a [i64]>) -> Which<'a>, all: bool) -> QueryResult<()> {
    let ids: Vec<i64> = items.iter().map(|s| s.id).collect();
    let mut english = translations::load(conn, which((!all).then_some(&ids[..])), Lang::En)?;
    for s in items {
        s.item.english = english.remove(&s.id);
    }
    Ok(())
}

local_table!(pages, Page, PageRow, page_values, into_page, key: path, order: (pages::path.asc(), pages::id.asc()),
    english: |conn: &mut DbConnection, items: &mut [Stored<Page>], all| with_english(conn, items, |ids| Which::Pages(ids), all),
    pages, save_page, update_page, page_by_id, delete_page);
local_table!(news, NewsItem, NewsRow, news_values, into_news, key: slug, order: (news::date.desc(), news::id.desc()),
    english: |conn: &mut DbConnection, items: &mut [Stored<NewsItem>], all| with_english(conn, items, |ids| Which::News(ids), all),
    news, save_news, update_news, news_by_id, delete_news);
// Alerts have no translations.
local_table!(alerts, Alert, AlertRow, alert_values, into_alert, key: slug, order: (alerts::slug.asc(), alerts::id.asc()),
    english: |_: &mut DbConnection, _: &mut [Stored<Alert>], _| QueryResult::Ok(()),
    alerts, save_alert, update_alert, alert_by_id, delete_alert);
