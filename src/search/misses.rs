//! Searches that found nothing, counted in memory and written to the database in batches
//! (`flush`, from the maintenance thread), so a flood of searches costs no database writes. The
//! number of distinct queries held between two flushes is bounded; what does not fit is only
//! counted as dropped.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::QueryResult;

use crate::db::DbConnection;
use crate::db::models::search_misses;

/// Distinct (site, query) pairs held between two flushes.
pub const MAX_PENDING: usize = 10_000;

#[derive(Default)]
pub struct MissCounter {
    pending: Mutex<HashMap<(i64, String), (i64, i64)>>,
    /// Misses not kept because `MAX_PENDING` was reached.
    pub dropped: AtomicU64,
}

impl MissCounter {
    /// Counts one miss of an already normalised query on a site.
    pub fn count(&self, site_id: i64, query: &str, now: i64) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let len = pending.len();
        match pending.get_mut(&(site_id, query.to_owned())) {
            Some((count, last)) => {
                *count += 1;
                *last = now;
            }
            None if len < MAX_PENDING => {
                pending.insert((site_id, query.to_owned()), (1, now));
            }
            None => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Misses waiting to be written.
    pub fn pending(&self) -> usize {
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Writes what was counted since the last flush, in one transaction; on failure the counts
    /// are kept for the next try.
    pub fn flush(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if batch.is_empty() {
            return Ok(0);
        }
        let rows: Vec<(i64, String, i64, i64)> = batch.iter().map(|((site, q), (n, at))| (*site, q.clone(), *n, *at)).collect();
        match search_misses::add_counts(conn, &rows) {
            Ok(()) => Ok(rows.len()),
            Err(e) => {
                let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
                for (key, (n, at)) in batch {
                    let len = pending.len();
                    match pending.get_mut(&key) {
                        Some(entry) => {
                            entry.0 += n;
                            entry.1 = entry.1.max(at);
                        }
                        None if len < MAX_PENDING => {
                            pending.insert(key, (n, at));
                        }
                        None => {
                            self.dropped.fetch_add(n.unsigned_abs(), Ordering::Relaxed);
                        }
                    }
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_merged_and_bounded() {
        let c = MissCounter::default();
        c.count(1, "vuilniszak", 10);
        c.count(1, "vuilniszak", 20);
        c.count(2, "vuilniszak", 20);
        assert_eq!(c.pending(), 2);
        for i in 0..MAX_PENDING + 5 {
            c.count(3, &format!("q{i}"), 30);
        }
        assert_eq!(c.pending(), MAX_PENDING);
        assert!(c.dropped.load(Ordering::Relaxed) >= 5);
    }
}
