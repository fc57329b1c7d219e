//! Local content of groups and sites: pages, news and alerts.
//!
//! Loading returns every item of the given layers, drafts included; what residents may see is
//! decided by `content::visibility`, never here.

use diesel::prelude::*;

use super::{LayerId, Saved, parse_date, save_versioned, write_row};
use crate::content::model::{Alert, NewsItem, Owner, Page, Severity, Status};
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

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
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

fn into_page(row: PageRow, group: Option<String>, site: Option<String>) -> Stored<Page> {
    Stored {
        id: row.id,
        layer: LayerId::from_columns(row.group_id, row.site_id),
        item: Page {
            owner: owner(group, site),
            path: row.path,
            title: row.title,
            summary: row.summary,
            body: row.body,
            status: Status::parse(&row.status).unwrap_or(Status::Draft),
            weight: row.weight,
            publish_at: row.publish_at,
            unpublish_at: row.unpublish_at,
            revision: row.revision,
            updated_at: row.updated_at,
            review_date: parse_date(row.review_date.as_deref()).ok().flatten(),
            content_owner: row.content_owner,
        },
    }
}

pub fn pages(conn: &mut DbConnection, scope: Scope) -> QueryResult<Vec<Stored<Page>>> {
    let mut query = pages::table
        .left_join(groups::table)
        .left_join(sites::table)
        .order((pages::path.asc(), pages::id.asc()))
        .select((PageRow::as_select(), groups::slug.nullable(), sites::slug.nullable()))
        .into_boxed();
    query = in_scope!(query, pages, scope);
    Ok(query.load::<(PageRow, Option<String>, Option<String>)>(conn)?.into_iter().map(|(r, g, s)| into_page(r, g, s)).collect())
}

pub fn save_page(conn: &mut DbConnection, layer: LayerId, p: &Page, now: i64) -> QueryResult<Saved> {
    let mut query = pages::table.filter(pages::path.eq(&p.path)).select(PageRow::as_select()).into_boxed();
    query = match layer {
        LayerId::Group(g) => query.filter(pages::group_id.eq(g)),
        LayerId::Site(s) => query.filter(pages::site_id.eq(s)),
    };
    let existing = query.first::<PageRow>(conn).optional()?;
    write_page(conn, layer, existing, p, now)
}

/// Saves over the item with this id (which may get another path).
pub fn update_page(conn: &mut DbConnection, id: i64, layer: LayerId, p: &Page, now: i64) -> QueryResult<Saved> {
    let existing = pages::table.find(id).select(PageRow::as_select()).first::<PageRow>(conn).optional()?;
    write_page(conn, layer, existing, p, now)
}

fn write_page(conn: &mut DbConnection, layer: LayerId, existing: Option<PageRow>, p: &Page, now: i64) -> QueryResult<Saved> {
    let existing = match existing {
        Some(old) => Some((old.id, old.revision, page_values(layer, &into_page(old.clone(), None, None).item, 0, 0))),
        None => None,
    };
    save_versioned(existing, page_values(layer, p, 0, 0), p.revision, |id, revision| {
        write_row!(conn, pages, id, &page_values(layer, p, revision, now))
    })
}

/// One item by id, with its owner.
pub fn page_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Stored<Page>>> {
    let found = pages::table
        .left_join(groups::table)
        .left_join(sites::table)
        .filter(pages::id.eq(id))
        .select((PageRow::as_select(), groups::slug.nullable(), sites::slug.nullable()))
        .first::<(PageRow, Option<String>, Option<String>)>(conn)
        .optional()?;
    Ok(match found {
        Some((r, g, s)) => Some(into_page(r, g, s)),
        None => None,
    })
}

/// Removes the row with the id and revision read; a row changed since is `changed_meanwhile`.
pub fn delete_page(conn: &mut DbConnection, id: i64, revision: i64) -> QueryResult<()> {
    diesel::delete(pages::table.find(id).filter(pages::revision.eq(revision))).execute(conn).and_then(super::one_row)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = news)]
struct NewsRow {
    id: i64,
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

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
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
    let date = chrono::NaiveDate::parse_from_str(&row.date, "%Y-%m-%d")
        .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
    Ok(Stored {
        id: row.id,
        layer: LayerId::from_columns(row.group_id, row.site_id),
        item: NewsItem {
            owner: owner(group, site),
            slug: row.slug,
            date,
            title: row.title,
            summary: row.summary,
            body: row.body,
            status: Status::parse(&row.status).unwrap_or(Status::Draft),
            publish_at: row.publish_at,
            unpublish_at: row.unpublish_at,
            revision: row.revision,
            updated_at: row.updated_at,
            review_date: parse_date(row.review_date.as_deref())?,
            content_owner: row.content_owner,
            image: row.image,
        },
    })
}

/// News of the scope, newest first.
pub fn news(conn: &mut DbConnection, scope: Scope) -> QueryResult<Vec<Stored<NewsItem>>> {
    let mut query = news::table
        .left_join(groups::table)
        .left_join(sites::table)
        .order((news::date.desc(), news::id.desc()))
        .select((NewsRow::as_select(), groups::slug.nullable(), sites::slug.nullable()))
        .into_boxed();
    query = in_scope!(query, news, scope);
    query.load::<(NewsRow, Option<String>, Option<String>)>(conn)?.into_iter().map(|(r, g, s)| into_news(r, g, s)).collect()
}

pub fn save_news(conn: &mut DbConnection, layer: LayerId, n: &NewsItem, now: i64) -> QueryResult<Saved> {
    let mut query = news::table.filter(news::slug.eq(&n.slug)).select(NewsRow::as_select()).into_boxed();
    query = match layer {
        LayerId::Group(g) => query.filter(news::group_id.eq(g)),
        LayerId::Site(s) => query.filter(news::site_id.eq(s)),
    };
    let existing = query.first::<NewsRow>(conn).optional()?;
    write_news(conn, layer, existing, n, now)
}

/// Saves over the item with this id (which may get another slug).
pub fn update_news(conn: &mut DbConnection, id: i64, layer: LayerId, n: &NewsItem, now: i64) -> QueryResult<Saved> {
    let existing = news::table.find(id).select(NewsRow::as_select()).first::<NewsRow>(conn).optional()?;
    write_news(conn, layer, existing, n, now)
}

fn write_news(conn: &mut DbConnection, layer: LayerId, existing: Option<NewsRow>, n: &NewsItem, now: i64) -> QueryResult<Saved> {
    let existing = match existing {
        Some(old) => Some((old.id, old.revision, news_values(layer, &into_news(old.clone(), None, None)?.item, 0, 0))),
        None => None,
    };
    save_versioned(existing, news_values(layer, n, 0, 0), n.revision, |id, revision| {
        write_row!(conn, news, id, &news_values(layer, n, revision, now))
    })
}

/// One item by id, with its owner.
pub fn news_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Stored<NewsItem>>> {
    let found = news::table
        .left_join(groups::table)
        .left_join(sites::table)
        .filter(news::id.eq(id))
        .select((NewsRow::as_select(), groups::slug.nullable(), sites::slug.nullable()))
        .first::<(NewsRow, Option<String>, Option<String>)>(conn)
        .optional()?;
    Ok(match found {
        Some((r, g, s)) => Some(into_news(r, g, s)?),
        None => None,
    })
}

/// Removes the row with the id and revision read; a row changed since is `changed_meanwhile`.
pub fn delete_news(conn: &mut DbConnection, id: i64, revision: i64) -> QueryResult<()> {
    diesel::delete(news::table.find(id).filter(news::revision.eq(revision))).execute(conn).and_then(super::one_row)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alerts)]
struct AlertRow {
    id: i64,
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

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
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

fn into_alert(row: AlertRow, group: Option<String>, site: Option<String>) -> Stored<Alert> {
    Stored {
        id: row.id,
        layer: LayerId::from_columns(row.group_id, row.site_id),
        item: Alert {
            owner: owner(group, site),
            slug: row.slug,
            title: row.title,
            summary: row.summary,
            body: row.body,
            severity: Severity::parse(&row.severity).unwrap_or(Severity::Info),
            starts: row.starts,
            ends: row.ends,
            status: Status::parse(&row.status).unwrap_or(Status::Draft),
            revision: row.revision,
            updated_at: row.updated_at,
        },
    }
}

pub fn alerts(conn: &mut DbConnection, scope: Scope) -> QueryResult<Vec<Stored<Alert>>> {
    let mut query = alerts::table
        .left_join(groups::table)
        .left_join(sites::table)
        .order((alerts::slug.asc(), alerts::id.asc()))
        .select((AlertRow::as_select(), groups::slug.nullable(), sites::slug.nullable()))
        .into_boxed();
    query = in_scope!(query, alerts, scope);
    Ok(query.load::<(AlertRow, Option<String>, Option<String>)>(conn)?.into_iter().map(|(r, g, s)| into_alert(r, g, s)).collect())
}

pub fn save_alert(conn: &mut DbConnection, layer: LayerId, a: &Alert, now: i64) -> QueryResult<Saved> {
    let mut query = alerts::table.filter(alerts::slug.eq(&a.slug)).select(AlertRow::as_select()).into_boxed();
    query = match layer {
        LayerId::Group(g) => query.filter(alerts::group_id.eq(g)),
        LayerId::Site(s) => query.filter(alerts::site_id.eq(s)),
    };
    let existing = query.first::<AlertRow>(conn).optional()?;
    write_alert(conn, layer, existing, a, now)
}

/// Saves over the item with this id (which may get another slug).
pub fn update_alert(conn: &mut DbConnection, id: i64, layer: LayerId, a: &Alert, now: i64) -> QueryResult<Saved> {
    let existing = alerts::table.find(id).select(AlertRow::as_select()).first::<AlertRow>(conn).optional()?;
    write_alert(conn, layer, existing, a, now)
}

fn write_alert(conn: &mut DbConnection, layer: LayerId, existing: Option<AlertRow>, a: &Alert, now: i64) -> QueryResult<Saved> {
    let existing = match existing {
        Some(old) => Some((old.id, old.revision, alert_values(layer, &into_alert(old.clone(), None, None).item, 0, 0))),
        None => None,
    };
    save_versioned(existing, alert_values(layer, a, 0, 0), a.revision, |id, revision| {
        write_row!(conn, alerts, id, &alert_values(layer, a, revision, now))
    })
}

/// One item by id, with its owner.
pub fn alert_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Stored<Alert>>> {
    let found = alerts::table
        .left_join(groups::table)
        .left_join(sites::table)
        .filter(alerts::id.eq(id))
        .select((AlertRow::as_select(), groups::slug.nullable(), sites::slug.nullable()))
        .first::<(AlertRow, Option<String>, Option<String>)>(conn)
        .optional()?;
    Ok(match found {
        Some((r, g, s)) => Some(into_alert(r, g, s)),
        None => None,
    })
}

/// Removes the row with the id and revision read; a row changed since is `changed_meanwhile`.
pub fn delete_alert(conn: &mut DbConnection, id: i64, revision: i64) -> QueryResult<()> {
    diesel::delete(alerts::table.find(id).filter(alerts::revision.eq(revision))).execute(conn).and_then(super::one_row)
}
