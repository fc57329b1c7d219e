//! Counts kept in memory and written to the database in batches (`flush`, from the
//! maintenance thread), so a flood of requests costs no database writes: searches that found
//! nothing, page views. The number of distinct keys held between two flushes is bounded; what
//! does not fit is only counted as dropped.

use std::hash::Hash;

use hashbrown::{Equivalent, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::QueryResult;

/// A count and the latest moment it was counted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub n: i64,
    pub last: i64,
}

pub struct Tally<K> {
    pending: Mutex<HashMap<K, Count>>,
    limit: usize,
    /// Counts not kept because `limit` keys were held.
    pub dropped: AtomicU64,
}

impl<K: Hash + Eq + Clone> Tally<K> {
    /// A tally holding at most `limit` distinct keys between flushes.
    pub fn new(limit: usize) -> Tally<K> {
        Tally { pending: Mutex::new(HashMap::new()), limit, dropped: AtomicU64::new(0) }
    }

    fn add(&self, pending: &mut HashMap<K, Count>, key: K, n: i64, at: i64) {
        let len = pending.len();
        match pending.get_mut(&key) {
            Some(c) => {
                c.n += n;
                c.last = c.last.max(at);
            }
            None if len < self.limit => {
                pending.insert(key, Count { n, last: at });
            }
            None => {
                self.dropped.fetch_add(n.unsigned_abs(), Ordering::Relaxed);
            }
        }
    }

    /// Counts `key` once at `at`.
    pub fn count(&self, key: K, at: i64) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        self.add(&mut pending, key, 1, at);
    }

    /// Counts the key `key` stands for once at `at`; the key is made only when it is not held
    /// yet (counting on every page view must not allocate).
    pub fn count_ref<Q>(&self, key: &Q, at: i64)
    where
        Q: Hash + Equivalent<K> + ?Sized,
        for<'a> K: From<&'a Q>,
    {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = pending.get_mut(key) {
            c.n += 1;
            c.last = c.last.max(at);
        } else if pending.len() < self.limit {
            pending.insert(K::from(key), Count { n: 1, last: at });
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Keys waiting to be written.
    pub fn pending(&self) -> usize {
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Writes what was counted since the last flush with `write` (one batch); on failure the
    /// counts are kept for the next try.
    pub fn flush(&self, write: impl FnOnce(&[(K, Count)]) -> QueryResult<()>) -> QueryResult<usize> {
        let batch: Vec<(K, Count)> = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner())).into_iter().collect();
        if batch.is_empty() {
            return Ok(0);
        }
        match write(&batch) {
            Ok(()) => Ok(batch.len()),
            Err(e) => {
                let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
                for (key, c) in batch {
                    self.add(&mut pending, key, c.n, c.last);
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
        let t: Tally<(i64, String)> = Tally::new(100);
        t.count((1, "vuilniszak".into()), 10);
        t.count((1, "vuilniszak".into()), 20);
        t.count((2, "vuilniszak".into()), 20);
        assert_eq!(t.pending(), 2);
        for i in 0..105 {
            t.count((3, format!("q{i}")), 30);
        }
        assert_eq!(t.pending(), 100);
        assert!(t.dropped.load(Ordering::Relaxed) >= 5);
        let mut written = Vec::new();
        t.flush(|batch| {
            written = batch.to_vec();
            Ok(())
        })
        .unwrap();
        assert_eq!(written.iter().find(|(k, _)| *k == (1, "vuilniszak".to_owned())).unwrap().1, Count { n: 2, last: 20 });
        assert_eq!(t.pending(), 0);
    }

    #[test]
    fn a_failed_flush_keeps_the_counts() {
        let t: Tally<i64> = Tally::new(10);
        t.count(7, 1);
        assert!(t.flush(|_| Err(diesel::result::Error::NotFound)).is_err());
        t.count(7, 2);
        let mut seen = Vec::new();
        t.flush(|b| {
            seen = b.to_vec();
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [(7, Count { n: 2, last: 2 })]);
    }
}
