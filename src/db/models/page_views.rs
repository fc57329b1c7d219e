//! Page views per site, month, page, device type and country (`crate::statistics`).

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{page_views, sites};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = page_views)]
pub struct Row {
    #[serde(skip)]
    pub site_id: i64,
    pub month: String,
    pub path: String,
    pub device: String,
    /// ISO 3166 code; empty when unknown.
    pub country: String,
    pub views: i64,
}

/// Adds counted views in one transaction. Views of a site removed meanwhile are dropped.
pub fn add(conn: &mut DbConnection, rows: &[Row]) -> QueryResult<()> {
    use diesel::Connection;
    conn.transaction(|c| {
        let sites: std::collections::HashSet<i64> = sites::table.select(sites::id).load::<i64>(c)?.into_iter().collect();
        for row in rows.iter().filter(|r| sites.contains(&r.site_id)) {
            let key = (row.site_id, &row.month, &row.path, &row.device, &row.country);
            let updated = diesel::update(page_views::table.find(key)).set(page_views::views.eq(page_views::views + row.views)).execute(c)?;
            if updated == 0 {
                diesel::insert_into(page_views::table).values(row).execute(c)?;
            }
        }
        Ok(())
    })
}

/// A site's views per page since `from_month` (`YYYY-MM`, inclusive), summed over devices
/// and countries.
pub fn per_path_since(conn: &mut DbConnection, site_id: i64, from_month: &str) -> QueryResult<std::collections::HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = page_views::table
        .filter(page_views::site_id.eq(site_id))
        .filter(page_views::month.ge(from_month))
        .select((page_views::path, page_views::views))
        .load(conn)?;
    let mut per_path = std::collections::HashMap::new();
    for (path, views) in rows {
        *per_path.entry(path).or_insert(0) += views;
    }
    Ok(per_path)
}

/// Every row of a site's month, most viewed first.
pub fn month(conn: &mut DbConnection, site_id: i64, month: &str) -> QueryResult<Vec<Row>> {
    page_views::table
        .filter(page_views::site_id.eq(site_id))
        .filter(page_views::month.eq(month))
        .order((page_views::views.desc(), page_views::path.asc(), page_views::device.asc(), page_views::country.asc()))
        .select(Row::as_select())
        .load(conn)
}
