//! Redirects of old URLs, per site.

use diesel::prelude::*;

use crate::content::redirects::Redirect;
use crate::db::DbConnection;
use crate::db::schema::redirects;

/// Replaces a site's redirects; returns whether anything changed.
pub fn replace(conn: &mut DbConnection, site_id: i64, list: &[Redirect], now: i64) -> QueryResult<bool> {
    if for_site(conn, site_id)? == list {
        return Ok(false);
    }
    diesel::delete(redirects::table.filter(redirects::site_id.eq(site_id))).execute(conn)?;
    for r in list {
        diesel::insert_into(redirects::table)
            .values((
                redirects::site_id.eq(site_id),
                redirects::from_path.eq(&r.from),
                redirects::to_path.eq(&r.to),
                redirects::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(true)
}

pub fn for_site(conn: &mut DbConnection, site_id: i64) -> QueryResult<Vec<Redirect>> {
    Ok(redirects::table
        .filter(redirects::site_id.eq(site_id))
        .order(redirects::from_path.asc())
        .select((redirects::from_path, redirects::to_path))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .map(|(from, to)| Redirect { from, to })
        .collect())
}

/// Every site's redirects: (site id, redirect).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<(i64, Redirect)>> {
    Ok(redirects::table
        .order((redirects::site_id.asc(), redirects::from_path.asc()))
        .select((redirects::site_id, redirects::from_path, redirects::to_path))
        .load::<(i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(site, from, to)| (site, Redirect { from, to }))
        .collect())
}
