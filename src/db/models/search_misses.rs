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

/// Counts one more miss of `query` (already normalised) on a site.
pub fn record(conn: &mut DbConnection, site_id: i64, query: &str, now: i64) -> QueryResult<()> {
    let updated = diesel::update(search_misses::table.find((site_id, query)))
        .set((search_misses::count.eq(search_misses::count + 1), search_misses::last_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        let inserted = diesel::insert_into(search_misses::table)
            .values((
                search_misses::site_id.eq(site_id),
                search_misses::query.eq(query),
                search_misses::count.eq(1),
                search_misses::first_at.eq(now),
                search_misses::last_at.eq(now),
            ))
            .execute(conn);
        // Another request may have inserted the same miss in the meantime: count it there.
        if inserted.is_err() {
            diesel::update(search_misses::table.find((site_id, query)))
                .set((search_misses::count.eq(search_misses::count + 1), search_misses::last_at.eq(now)))
                .execute(conn)?;
        }
    }
    Ok(())
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
