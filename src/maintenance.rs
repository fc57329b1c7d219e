//! Work no request waits for, on one background thread per process: writing the counted
//! searches that found nothing, forgetting rate-limit state of clients gone quiet, and removing
//! rows that grow with traffic once they are past their retention (`config::Retention`). Every
//! step is idempotent, so several processes on one database may all run it.

use diesel::QueryResult;

use crate::auth::accounts::SessionPolicy;
use crate::auth::throttle;
use crate::config::Retention;
use crate::db::DbConnection;
use crate::db::models::{accounts, changes, search_misses};

const DAY: i64 = 86_400;

/// How many rows each purge removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Purged {
    pub sessions: usize,
    pub login_failures: usize,
    pub audit: usize,
    pub search_misses: usize,
    pub changes: usize,
    pub devices: usize,
    pub tokens: usize,
}

impl Purged {
    pub fn total(&self) -> usize {
        self.sessions + self.login_failures + self.audit + self.search_misses + self.changes + self.devices + self.tokens
    }
}

/// Removes every row past its retention at `now`.
pub fn purge(conn: &mut DbConnection, retention: &Retention, now: i64) -> QueryResult<Purged> {
    let sessions = SessionPolicy::default();
    Ok(Purged {
        sessions: accounts::expire_sessions(conn, now - sessions.idle, now - sessions.absolute)?,
        // Failures only count within the throttling window; a day leaves room to look back.
        login_failures: accounts::purge_failures(conn, now - throttle::WINDOW.max(DAY))?,
        audit: accounts::purge_audit(conn, now - retention.audit_days.max(1) * DAY)?,
        search_misses: search_misses::purge(conn, now - retention.search_misses_days.max(1) * DAY)?,
        changes: changes::purge(conn, now - retention.changes_days.max(1) * DAY)?,
        devices: accounts::purge_devices(conn, now - retention.devices_days.max(1) * DAY)?,
        tokens: accounts::purge_tokens(conn, now - retention.tokens_days.max(1) * DAY)?,
    })
}
