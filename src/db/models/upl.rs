//! The imported UPL.

use diesel::prelude::*;

use crate::content::upl::UplProduct;
use crate::db::DbConnection;
use crate::db::schema::upl;

#[derive(Insertable, Queryable, Selectable)]
#[diesel(table_name = upl)]
struct Row {
    uri: String,
    name: String,
    municipal: bool,
    citizens: bool,
    businesses: bool,
    /// SDG codes, comma-separated.
    sdg: String,
    /// Legal bases, as JSON.
    legal: String,
}

/// Replaces the whole list (call inside a write transaction).
pub fn replace(conn: &mut DbConnection, products: &[UplProduct]) -> QueryResult<usize> {
    diesel::delete(upl::table).execute(conn)?;
    let rows: Vec<Row> = products
        .iter()
        .map(|p| Row {
            uri: p.uri.clone(),
            name: p.name.clone(),
            municipal: p.municipal,
            citizens: p.citizens,
            businesses: p.businesses,
            sdg: p.sdg.join(","),
            legal: super::to_json(&p.legal),
        })
        .collect();
    // One row at a time: multi-row inserts are not available for both backends at once.
    let mut written = 0;
    for row in &rows {
        written += diesel::insert_into(upl::table).values(row).execute(conn)?;
    }
    Ok(written)
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<UplProduct>> {
    Ok(upl::table
        .order(upl::name.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| {
            Ok(UplProduct {
                sdg: r.sdg.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
                legal: super::from_json(&r.legal)?,
                uri: r.uri,
                name: r.name,
                municipal: r.municipal,
                citizens: r.citizens,
                businesses: r.businesses,
            })
        })
        .collect::<QueryResult<_>>()?)
}

pub fn name(conn: &mut DbConnection, uri: &str) -> QueryResult<Option<String>> {
    upl::table.filter(upl::uri.eq(uri)).select(upl::name).first(conn).optional()
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    upl::table.count().get_result(conn)
}
