//! Following the change log. Every process reads the `changes` table in id order and hands
//! each change to its followers (the site directory first, then the page cache, later the
//! search index). This is the only way derived state learns about edits: a process's own
//! writes call `catch_up` right after they commit, and a background poll picks up the
//! writes of other processes.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use diesel::QueryResult;

use crate::content::directory::Directory;
use crate::db::models::changes::{self, Change};
use crate::db::{DbConnection, Pool};

/// Something kept current from the change log.
pub trait Follower: Send + Sync {
    /// Called with changes in id order, after the directory reflects them.
    fn apply(&self, changes: &[Change], directory: &Directory);
}

/// The current site directory, shared by every request.
pub type SharedDirectory = Arc<RwLock<Arc<Directory>>>;

pub fn current(directory: &SharedDirectory) -> Arc<Directory> {
    match directory.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

pub struct Feed {
    /// The id of the last change applied.
    cursor: AtomicI64,
    /// Held while applying, so changes are applied once and in order.
    applying: Mutex<()>,
    directory: SharedDirectory,
    followers: RwLock<Vec<Arc<dyn Follower>>>,
}

/// Kinds of change that alter sites, hosts or group membership.
const DIRECTORY_KINDS: &[&str] = &["site", "group", "redirects"];

impl Feed {
    /// Starts at the latest change: whatever happened before is already in the directory
    /// loaded now.
    pub fn start(conn: &mut DbConnection) -> QueryResult<Feed> {
        let cursor = changes::latest(conn)?;
        let directory = Directory::load(conn)?;
        Ok(Feed {
            cursor: AtomicI64::new(cursor),
            applying: Mutex::new(()),
            directory: Arc::new(RwLock::new(Arc::new(directory))),
            followers: RwLock::new(Vec::new()),
        })
    }

    pub fn directory(&self) -> &SharedDirectory {
        &self.directory
    }

    pub fn cursor(&self) -> i64 {
        self.cursor.load(Ordering::Acquire)
    }

    pub fn follow(&self, follower: Arc<dyn Follower>) {
        match self.followers.write() {
            Ok(mut list) => list.push(follower),
            Err(poisoned) => poisoned.into_inner().push(follower),
        }
    }

    /// Applies every change committed since the last call; returns how many.
    pub fn catch_up(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        let _guard = self.applying.lock().unwrap_or_else(|p| p.into_inner());
        let mut applied = 0;
        loop {
            let batch = changes::since(conn, self.cursor(), 1000)?;
            let Some(last) = batch.last().map(|c| c.id) else { break };
            if batch.iter().any(|c| DIRECTORY_KINDS.contains(&c.kind.as_str())) {
                let fresh = Arc::new(Directory::load(conn)?);
                match self.directory.write() {
                    Ok(mut d) => *d = fresh,
                    Err(poisoned) => *poisoned.into_inner() = fresh,
                }
            }
            let directory = current(&self.directory);
            let followers = self.followers.read().map(|f| f.clone()).unwrap_or_else(|p| p.into_inner().clone());
            for follower in &followers {
                follower.apply(&batch, &directory);
            }
            applied += batch.len();
            self.cursor.store(last, Ordering::Release);
        }
        Ok(applied)
    }

    /// Polls for changes by other processes, until the feed is dropped.
    pub fn spawn_poller(self: &Arc<Self>, pool: Pool, interval: Duration) {
        let weak = Arc::downgrade(self);
        let spawned = std::thread::Builder::new().name("meent-feed".into()).spawn(move || {
            loop {
                std::thread::sleep(interval);
                let Some(feed) = weak.upgrade() else { break };
                match pool.get() {
                    Ok(mut conn) => {
                        if let Err(e) = feed.catch_up(&mut conn) {
                            tracing::warn!(error = %e, "cannot read the change feed");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "no database connection for the change feed"),
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the change feed thread; edits by other processes will not be seen");
        }
    }
}
