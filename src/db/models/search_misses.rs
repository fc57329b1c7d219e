//! Searches that found nothing, counted per site and query, for editors.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::search_misses;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = search_misses)]
pub struct Miss {
    pub site_id: i64,
    pub query: String,
    pub count: i64,
    pub first_at: i64,
    pub last_at: i64,
}

/// Adds counted misses `(site, query, count, last_at)` in one transaction.
pub fn add_counts(conn: &mut DbConnection, rows: &[(i64, String, i64, i64)]) -> QueryResult<()> {
    use diesel::Connection;
    conn.transaction(|c| {
        for (site_id, query, count, at) in rows {
            let updated = diesel::update(search_misses::table.find((*site_id, query)))
                .set((search_misses::count.eq(search_misses::count + *count), search_misses::last_at.eq(*at)))
                .execute(c)?;
            if updated == 0 {
                diesel::insert_into(search_misses::table)
                    .values((
                        search_misses::site_id.eq(*site_id),
                        search_misses::query.eq(query),
                        search_misses::count.eq(*count),
                        search_misses::first_at.eq(*at),
                        search_misses::last_at.eq(*at),
                    ))
                    .execute(c)?;
            }
        }
        Ok(())
    })
}

/// Removes misses not seen since `before`.
pub fn purge(conn: &mut DbConnection, before: i64) -> QueryResult<usize> {
    diesel::delete(search_misses::table.filter(search_misses::last_at.lt(before))).execute(conn)
}

/// The most frequent misses of a site since `since`.
pub fn top(conn: &mut DbConnection, site_id: i64, since: i64, limit: i64) -> QueryResult<Vec<Miss>> {
    search_misses::table
        .filter(search_misses::site_id.eq(site_id))
        .filter(search_misses::last_at.ge(since))
        .order((search_misses::count.desc(), search_misses::last_at.desc()))
        .limit(limit)
        .select(Miss::as_select())
        .load(conn)
}
