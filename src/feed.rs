//! Following the change log. Every process reads the `changes` table in id order and hands
//! each change to its followers (the content cache, the page cache, the search index). This is
//! the only way derived state learns about edits: a process's own writes call `catch_up` right
//! after they commit, and a background poll picks up the writes of other processes.
//!
//! Nothing is skipped: each follower has its own position, the last change its state reflects.
//! A follower that fails keeps its position and gets the same changes again at the next round;
//! one that is being rebuilt defers them, and after the rebuild says which position the rebuilt
//! state reflects, so what came in meanwhile is applied again on top. A follower that keeps
//! failing makes the process unready (`health`), rather than letting it serve stale pages.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use diesel::QueryResult;

use crate::content::kind::Kind;
use crate::content::directory::Directory;
use crate::db::models::changes::{self, Change};
use crate::db::{DbConnection, Pool};

/// What a follower did with the changes it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Its state reflects every change it was given.
    Done,
    /// Not now (a rebuild runs): the same changes come again later.
    Deferred,
    /// Its state was rebuilt from the database as of this position: every later change comes
    /// again, so nothing written during the rebuild is lost under older documents.
    RebuiltAt(i64),
}

/// Why a follower could not apply changes; they come again at the next round.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct FollowError(pub String);

/// Something kept current from the change log.
pub trait Follower: Send + Sync {
    /// For logs, `/healthz` and `/metrics`.
    fn name(&self) -> &'static str;

    /// The position of persisted state when following starts (`None`: the state starts empty
    /// or current, at the feed's start).
    fn persisted_position(&self) -> Option<i64> {
        None
    }

    /// Brings its state up to the last of `changes` (all after its position, in id order, the
    /// directory already reflecting them), reading what it needs through `conn`.
    fn apply(&self, changes: &[Change], directory: &Directory, conn: &mut DbConnection) -> Result<Applied, FollowError>;

    /// Work that comes due by the clock rather than by a change, after each round (the
    /// search index indexes again a product whose value with dates changed at a moment).
    fn tick(&self, _directory: &Directory, _conn: &mut DbConnection) -> Result<(), FollowError> {
        Ok(())
    }
}

/// The current site directory, shared by every request.
pub type SharedDirectory = Arc<RwLock<Arc<Directory>>>;

pub fn current(directory: &SharedDirectory) -> Arc<Directory> {
    match directory.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// A follower with where it stands.
struct Track {
    follower: Arc<dyn Follower>,
    position: AtomicI64,
    /// Failures since the last success.
    failures: AtomicU64,
    /// Every failure since the process started.
    failures_total: AtomicU64,
    deferred: std::sync::atomic::AtomicBool,
    last_error: Mutex<Option<String>>,
}

/// How one follower is doing, for `/healthz` and `/metrics`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FollowerHealth {
    pub name: &'static str,
    pub position: i64,
    /// Changes the feed has read that this follower has not applied yet.
    pub behind: i64,
    pub failures: u64,
    pub failures_total: u64,
    pub deferred: bool,
    pub last_error: Option<String>,
}

/// Counts a failed round of `track` at `position`; it is retried at the next round.
fn failed(track: &Track, position: i64, error: String) {
    let failures = track.failures.fetch_add(1, Ordering::AcqRel) + 1;
    track.failures_total.fetch_add(1, Ordering::Relaxed);
    tracing::error!(follower = track.follower.name(), position, failures, error = %error, "cannot apply changes; retrying at the next round");
    *track.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(error);
}

/// Consecutive failures after which a follower makes the process unready.
pub const UNREADY_AFTER_FAILURES: u64 = 3;

pub struct Feed {
    /// The id of the last change read (the directory reflects it).
    cursor: AtomicI64,
    /// Held while applying, so changes are applied once and in order.
    applying: Mutex<()>,
    directory: SharedDirectory,
    tracks: RwLock<Vec<Arc<Track>>>,
    /// Wakes the poller (`spawn_poller`) for a round at once.
    wake: Mutex<Option<std::sync::mpsc::SyncSender<()>>>,
}

/// How long a writer waits for a round of the feed already running before it answers anyway
/// (that round, or the next one it wakes, applies the write).
const AFTER_WRITE_WAIT: Duration = Duration::from_secs(2);
/// The most changes a writer's request applies itself; a larger backlog (an import's) is the
/// poller's work, so no editor's answer waits for a whole country to be re-indexed.
const AFTER_WRITE_MOST: i64 = 500;

/// Kinds of change that alter sites, hosts or group membership.
const DIRECTORY_KINDS: &[Kind] = &[Kind::Site, Kind::Group, Kind::Redirects];
/// Changes handed to a follower at once.
const BATCH: i64 = 1000;

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
            tracks: RwLock::new(Vec::new()),
            wake: Mutex::new(None),
        })
    }

    pub fn directory(&self) -> &SharedDirectory {
        &self.directory
    }

    /// The id of the last change read.
    pub fn cursor(&self) -> i64 {
        self.cursor.load(Ordering::Acquire)
    }

    /// Adds a follower; it gets every change after its persisted position (or after now).
    pub fn follow(&self, follower: Arc<dyn Follower>) {
        let position = follower.persisted_position().unwrap_or_else(|| self.cursor());
        let track = Arc::new(Track {
            follower,
            position: AtomicI64::new(position),
            failures: AtomicU64::new(0),
            failures_total: AtomicU64::new(0),
            deferred: std::sync::atomic::AtomicBool::new(false),
            last_error: Mutex::new(None),
        });
        match self.tracks.write() {
            Ok(mut list) => list.push(track),
            Err(poisoned) => poisoned.into_inner().push(track),
        }
    }

    fn tracks(&self) -> Vec<Arc<Track>> {
        self.tracks.read().map(|t| t.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Reads every change committed since the last call and hands each follower what it has
    /// not applied yet, in order; returns how many changes were applied. A follower's failure is
    /// recorded (see `health`), not returned: its changes come again at the next round.
    pub fn catch_up(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        let guard = self.applying.lock().unwrap_or_else(|p| p.into_inner());
        self.round(conn, guard, None)
    }

    /// After a write commits: applies it before the writer answers, so what was written is
    /// served at once. When a round is already running (another writer's, or the poller's),
    /// the writer waits until the changes up to its own are applied, whoever applies them, at
    /// most `AFTER_WRITE_WAIT` and holding no database connection, so writers never pile up
    /// on the pool; after that the write is left to the next round, which is woken for it.
    /// A backlog larger than `AFTER_WRITE_MOST` (an import's) is left to the poller too.
    pub fn catch_up_after_write(&self, pool: &Pool) -> Result<usize, String> {
        let target = {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            changes::latest(&mut conn).map_err(|e| e.to_string())?
        };
        let deadline = std::time::Instant::now() + AFTER_WRITE_WAIT;
        loop {
            let applied = self.applied_up_to();
            if applied >= target {
                return Ok(0);
            }
            if target - applied > AFTER_WRITE_MOST {
                self.wake_poller();
                return Ok(0);
            }
            let guard = match self.applying.try_lock() {
                Ok(guard) => guard,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                Err(std::sync::TryLockError::WouldBlock) => {
                    self.wake_poller();
                    return Ok(0);
                }
            };
            if target - self.applied_up_to() > AFTER_WRITE_MOST {
                drop(guard);
                self.wake_poller();
                return Ok(0);
            }
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            // Up to the writer's own change only: an import committed meanwhile is the poller's.
            return self.round(&mut conn, guard, Some(target)).map_err(|e| e.to_string());
        }
    }

    /// The change up to which the directory and every follower are current.
    fn applied_up_to(&self) -> i64 {
        let cursor = self.cursor();
        self.tracks().iter().map(|t| t.position.load(Ordering::Acquire)).min().unwrap_or(cursor).min(cursor)
    }

    fn wake_poller(&self) {
        if let Some(wake) = self.wake.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = wake.try_send(());
        }
    }

    /// Applies what was committed up to `upto` (everything, when `None`).
    fn round(&self, conn: &mut DbConnection, _applying: std::sync::MutexGuard<'_, ()>, upto: Option<i64>) -> QueryResult<usize> {
        // The directory first, loaded after reading the latest id, so it reflects every change
        // handed out in this round.
        let latest = changes::latest(conn)?;
        let latest = upto.map_or(latest, |upto| latest.min(upto));
        let read = self.cursor();
        if latest > read && changes::any_of_kinds(conn, read, latest, DIRECTORY_KINDS)? {
            let fresh = Arc::new(Directory::load(conn)?);
            match self.directory.write() {
                Ok(mut d) => *d = fresh,
                Err(poisoned) => *poisoned.into_inner() = fresh,
            }
        }
        if latest > read {
            self.cursor.store(latest, Ordering::Release);
        }
        let directory = current(&self.directory);
        let mut applied = 0;
        for track in self.tracks() {
            applied += self.catch_up_one(&track, conn, &directory, latest)?;
            if let Err(e) = track.follower.tick(&directory, conn) {
                tracing::warn!(follower = track.follower.name(), error = %e.0, "scheduled work failed; tried again next round");
            }
        }
        Ok(applied)
    }

    fn catch_up_one(&self, track: &Track, conn: &mut DbConnection, directory: &Directory, upto: i64) -> QueryResult<usize> {
        let mut applied = 0;
        loop {
            let position = track.position.load(Ordering::Acquire);
            // A change this build cannot read (a kind a newer release wrote) stops the
            // follower here, as a failure `/healthz` reports, not as a silent stall.
            let batch = match changes::between(conn, position, upto, BATCH) {
                Ok(batch) => batch,
                Err(e) => {
                    // With its causes: diesel names the column, its source says what was there.
                    let mut message = format!("cannot read the change log: {e}");
                    let mut cause = std::error::Error::source(&e);
                    while let Some(c) = cause {
                        message.push_str(&format!(": {c}"));
                        cause = c.source();
                    }
                    failed(track, position, message);
                    return Ok(applied);
                }
            };
            let Some(last) = batch.last().map(|c| c.id) else {
                // Nothing (left) up to `upto`: caught up, whatever failed before.
                track.position.fetch_max(upto, Ordering::AcqRel);
                track.failures.store(0, Ordering::Release);
                track.deferred.store(false, Ordering::Release);
                return Ok(applied);
            };
            match track.follower.apply(&batch, directory, conn) {
                Ok(Applied::Done) => {
                    track.position.store(last, Ordering::Release);
                    track.failures.store(0, Ordering::Release);
                    track.deferred.store(false, Ordering::Release);
                    applied += batch.len();
                }
                Ok(Applied::RebuiltAt(at)) => {
                    track.position.store(at, Ordering::Release);
                    track.failures.store(0, Ordering::Release);
                    track.deferred.store(false, Ordering::Release);
                    tracing::info!(follower = track.follower.name(), position = at, "rebuilt; applying what came in meanwhile");
                }
                Ok(Applied::Deferred) => {
                    track.deferred.store(true, Ordering::Release);
                    return Ok(applied);
                }
                Err(e) => {
                    failed(track, position, e.0);
                    return Ok(applied);
                }
            }
        }
    }

    /// How each follower is doing.
    pub fn health(&self) -> Vec<FollowerHealth> {
        let read = self.cursor();
        self.tracks()
            .iter()
            .map(|t| {
                let position = t.position.load(Ordering::Acquire);
                FollowerHealth {
                    name: t.follower.name(),
                    position,
                    behind: (read - position).max(0),
                    failures: t.failures.load(Ordering::Acquire),
                    failures_total: t.failures_total.load(Ordering::Relaxed),
                    deferred: t.deferred.load(Ordering::Acquire),
                    last_error: t.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
                }
            })
            .collect()
    }

    /// Whether every follower keeps up (a rebuild in progress counts as keeping up).
    pub fn is_ready(&self) -> bool {
        self.health().iter().all(|h| h.failures < UNREADY_AFTER_FAILURES)
    }

    /// Polls for changes by other processes, until the feed is dropped. It also retries what
    /// followers failed, so a failure heals by itself once its cause is gone. With `wake` (a
    /// PostgreSQL URL), a listener on the changes channel wakes the poll the moment another
    /// process commits, so edits spread in milliseconds rather than a poll interval.
    pub fn spawn_poller(self: &Arc<Self>, pool: Pool, interval: Duration, wake: Option<String>) {
        let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
        *self.wake.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx.clone());
        if let Some(url) = wake {
            spawn_listener(url, tx, Arc::downgrade(self));
        }
        let weak = Arc::downgrade(self);
        let spawned = std::thread::Builder::new().name("meent-feed".into()).spawn(move || {
            loop {
                // A notification or the interval, whichever comes first.
                let _ = rx.recv_timeout(interval);
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

/// Listens on the PostgreSQL changes channel (its own connection, outside the pool) and wakes
/// the poller on every notification; reconnects after a failure. Checking for notifications
/// reads what already arrived on the socket, without a round trip.
fn spawn_listener(url: String, wake: std::sync::mpsc::SyncSender<()>, feed: std::sync::Weak<Feed>) {
    use diesel::{Connection, RunQueryDsl};
    let spawned = std::thread::Builder::new().name("meent-feed-listen".into()).spawn(move || {
        let mut backoff = Duration::from_millis(500);
        while feed.strong_count() > 0 {
            let listening = diesel::PgConnection::establish(&url).map_err(|e| e.to_string()).and_then(|mut conn| {
                diesel::sql_query(format!("LISTEN {}", crate::db::CHANGES_CHANNEL)).execute(&mut conn).map_err(|e| e.to_string())?;
                Ok(conn)
            });
            let mut conn = match listening {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for changes; polling only for now");
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    continue;
                }
            };
            backoff = Duration::from_millis(500);
            'listen: while feed.strong_count() > 0 {
                let mut heard = false;
                for notification in conn.notifications_iter() {
                    match notification {
                        Ok(_) => heard = true,
                        Err(e) => {
                            tracing::warn!(error = %e, "lost the changes listener; reconnecting");
                            break 'listen;
                        }
                    }
                }
                if heard {
                    // A wake-up already waiting is enough.
                    let _ = wake.try_send(());
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the changes listener; polling only");
    }
}
