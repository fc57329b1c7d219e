//! Searches that found nothing, counted in memory per (site, normalised query) and written to
//! the database in batches by the maintenance thread (`crate::tally`).

use diesel::QueryResult;

use crate::db::DbConnection;
use crate::db::models::search_misses;
use crate::tally::Tally;

/// Distinct (site, query) pairs held between two flushes.
pub const MAX_PENDING: usize = 10_000;

pub struct MissCounter(Tally<(i64, String)>);

impl Default for MissCounter {
    fn default() -> Self {
        MissCounter(Tally::new(MAX_PENDING))
    }
}

impl MissCounter {
    /// Counts one miss of an already normalised query on a site.
    pub fn count(&self, site_id: i64, query: &str, now: i64) {
        self.0.count((site_id, query.to_owned()), now);
    }

    /// Misses waiting to be written.
    pub fn pending(&self) -> usize {
        self.0.pending()
    }

    /// Writes what was counted since the last flush, in one transaction.
    pub fn flush(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        self.0.flush(|batch| {
            let rows: Vec<(i64, String, i64, i64)> = batch.iter().map(|((site, q), c)| (*site, q.clone(), c.n, c.last)).collect();
            search_misses::add_counts(conn, &rows)
        })
    }
}
