//! Overrides: a group's or a site's adjustment of one product.

use diesel::prelude::*;

pub use super::LayerId;
use super::translations::{self, Which};
use super::{Saved, from_json, save_versioned, to_json, write_row};
use crate::content::model::{Lang, Override};
use crate::db::DbConnection;
use crate::db::schema::{overrides, products};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = overrides)]
struct OverrideRow {
    id: i64,
    #[diesel(embed)]
    values: OverrideValues,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = overrides, treat_none_as_null = true)]
struct OverrideValues {
    product_id: i64,
    group_id: Option<i64>,
    site_id: Option<i64>,
    based_on: i64,
    enabled: Option<bool>,
    title: Option<String>,
    summary: Option<String>,
    apply_url: Option<String>,
    keywords: String,
    contact: Option<String>,
    variables: String,
    sections: String,
    revision: i64,
    updated_at: i64,
    reason: Option<String>,
    refer_to: Option<String>,
}

fn values(product_id: i64, layer: LayerId, o: &Override, revision: i64, updated_at: i64) -> OverrideValues {
    let (group_id, site_id) = layer.columns();
    OverrideValues {
        product_id,
        group_id,
        site_id,
        based_on: o.based_on,
        enabled: o.enabled,
        title: o.title.clone(),
        summary: o.summary.clone(),
        apply_url: o.apply_url.clone(),
        keywords: to_json(&o.keywords),
        contact: o.contact.as_ref().map(to_json),
        variables: to_json(&o.variables),
        sections: to_json(&o.sections),
        revision,
        updated_at,
        reason: o.reason.clone(),
        refer_to: o.refer_to.clone(),
    }
}

/// An override with whose it is and the id of its product.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    pub product_id: i64,
    pub layer: LayerId,
    pub over: Override,
}

fn into_stored(row: OverrideRow, product_slug: String) -> QueryResult<Stored> {
    Ok(Stored {
        id: row.id,
        product_id: row.values.product_id,
        layer: LayerId::from_columns(row.values.group_id, row.values.site_id),
        over: Override {
            english: None,
            product: product_slug,
            based_on: row.values.based_on,
            enabled: row.values.enabled,
            reason: row.values.reason,
            refer_to: row.values.refer_to,
            title: row.values.title,
            summary: row.values.summary,
            apply_url: row.values.apply_url,
            keywords: from_json(&row.values.keywords)?,
            contact: row.values.contact.as_deref().map(from_json).transpose()?,
            variables: from_json(&row.values.variables)?,
            sections: from_json(&row.values.sections)?,
            revision: row.values.revision,
            updated_at: row.values.updated_at,
        },
    })
}

/// Rows with their product's slug as overrides.
fn all_stored(rows: Vec<(OverrideRow, String)>) -> QueryResult<Vec<Stored>> {
    rows.into_iter().map(|(row, slug)| into_stored(row, slug)).collect()
}

/// Gives each override its English texts (`all`: every override is asked for).
fn with_english(conn: &mut DbConnection, mut stored: Vec<Stored>, all: bool) -> QueryResult<Vec<Stored>> {
    let ids: Vec<i64> = stored.iter().map(|s| s.id).collect();
    let mut english = translations::load(conn, Which::Overrides((!all).then_some(&ids[..])), Lang::En)?;
    for s in &mut stored {
        s.over.english = english.remove(&s.id);
    }
    Ok(stored)
}

/// Overrides by any of these layers; of one product when `product_id` is given.
pub fn for_layers(
    conn: &mut DbConnection,
    group_ids: &[i64],
    site_id: i64,
    product_id: Option<i64>,
) -> QueryResult<Vec<Stored>> {
    let mut query = overrides::table
        .inner_join(products::table)
        .filter(overrides::group_id.eq_any(group_ids.to_vec()).or(overrides::site_id.eq(site_id)))
        .select((OverrideRow::as_select(), products::slug))
        .into_boxed();
    if let Some(product) = product_id {
        query = query.filter(overrides::product_id.eq(product));
    }
    let stored = all_stored(query.load::<(OverrideRow, String)>(conn)?)?;
    with_english(conn, stored, false)
}

/// The overrides of one product that say whether their layer offers it (`enabled` set), with
/// the English texts of their reasons.
pub fn offering(conn: &mut DbConnection, product_id: i64) -> QueryResult<Vec<Stored>> {
    let stored = overrides::table
        .inner_join(products::table)
        .filter(overrides::product_id.eq(product_id).and(overrides::enabled.is_not_null()))
        .select((OverrideRow::as_select(), products::slug))
        .load::<(OverrideRow, String)>(conn)?;
    let stored = all_stored(stored)?;
    with_english(conn, stored, false)
}

/// Every override of one layer (a group's or a site's).
pub fn for_layer(conn: &mut DbConnection, layer: LayerId) -> QueryResult<Vec<Stored>> {
    let query = overrides::table.inner_join(products::table).select((OverrideRow::as_select(), products::slug)).into_boxed();
    let query = match layer {
        LayerId::Group(g) => query.filter(overrides::group_id.eq(g)),
        LayerId::Site(s) => query.filter(overrides::site_id.eq(s)),
    };
    let stored = all_stored(query.load::<(OverrideRow, String)>(conn)?)?;
    with_english(conn, stored, false)
}

/// Every override, for export and for the admin overview.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Stored>> {
    let stored = overrides::table
        .inner_join(products::table)
        .order((products::slug.asc(), overrides::group_id.asc(), overrides::site_id.asc()))
        .select((OverrideRow::as_select(), products::slug))
        .load::<(OverrideRow, String)>(conn)?;
    let stored = all_stored(stored)?;
    with_english(conn, stored, true)
}

pub fn find(conn: &mut DbConnection, product_id: i64, layer: LayerId) -> QueryResult<Option<Stored>> {
    let mut query = overrides::table
        .inner_join(products::table)
        .filter(overrides::product_id.eq(product_id))
        .select((OverrideRow::as_select(), products::slug))
        .into_boxed();
    query = match layer {
        LayerId::Group(g) => query.filter(overrides::group_id.eq(g)),
        LayerId::Site(s) => query.filter(overrides::site_id.eq(s)),
    };
    let found = query.first::<(OverrideRow, String)>(conn).optional()?.map(|(row, slug)| into_stored(row, slug)).transpose()?;
    Ok(with_english(conn, found.into_iter().collect(), false)?.pop())
}

/// Creates or updates the override of `layer` for a product.
pub fn save(conn: &mut DbConnection, product_id: i64, layer: LayerId, o: &Override, now: i64) -> QueryResult<Saved> {
    let existing = find(conn, product_id, layer)?.map(|old| (old.id, old.over.revision, values(product_id, layer, &old.over, 0, 0)));
    let at = super::dated(existing.is_some(), o.updated_at, now);
    save_versioned(existing, values(product_id, layer, o, 0, 0), o.revision, |id, revision| {
        write_row!(conn, overrides, id, &values(product_id, layer, o, revision, at))
    })
}

/// Removes the row with the id and revision read; a row changed since is `changed_meanwhile`.
pub fn delete(conn: &mut DbConnection, id: i64, revision: i64) -> QueryResult<()> {
    diesel::delete(overrides::table.find(id).filter(overrides::revision.eq(revision))).execute(conn).and_then(super::one_row)
}
