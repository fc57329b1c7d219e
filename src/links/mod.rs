//! Broken links: a background check of every link in the content (`gather`: where each is
//! written, and whose it is) over HTTP (`check`), on one node at a time, once per interval;
//! editors read per scope what is broken or redirected (`edit::links`). `meent check-links`
//! runs it at once.

pub mod check;
pub mod gather;

use std::time::Duration;

use serde::Serialize;

use crate::db::models::links::{self as stored, LinkCheck, NewUse};
use crate::db::models::settings;
use crate::db::{DbConnection, Pool};

/// When the last run started (Unix seconds), and the lease a node takes to run.
const LAST_RUN: &str = "links.last_run";

/// Most distinct links one run checks (the rest waits for the next run).
pub const MAX_LINKS: usize = 50_000;

#[derive(Debug, thiserror::Error)]
pub enum LinksError {
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("cannot start the checker: {0}")]
    Runtime(String),
}

/// What a run found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub links: usize,
    pub uses: usize,
    pub broken: usize,
    pub redirected: usize,
}

/// Checks every link of the content now and keeps the results.
pub fn run(conn: &mut DbConnection, settings: &check::Settings, now: i64) -> Result<Summary, LinksError> {
    let tree = crate::content::export::snapshot(conn)?;
    let uses = gather::uses(&tree);
    let mut urls: Vec<String> = uses.iter().map(|u| u.url.clone()).collect();
    urls.sort();
    urls.dedup();
    urls.truncate(MAX_LINKS);
    // On a thread of its own with its own runtime, whatever the caller runs on.
    let checker = settings.clone();
    let checked = std::thread::spawn(move || -> Result<Vec<check::Checked>, LinksError> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| LinksError::Runtime(e.to_string()))?;
        Ok(runtime.block_on(check::check_all(urls, &checker)))
    })
    .join()
    .map_err(|_| LinksError::Runtime("the checker thread panicked".to_owned()))??;
    let checks: Vec<LinkCheck> = checked
        .iter()
        .map(|c| LinkCheck { url: c.url.clone(), state: c.state.as_str().to_owned(), status: c.status.map(i32::from), final_url: c.final_url.clone(), message: c.message.clone(), checked_at: now })
        .collect();
    let checked_urls: std::collections::HashSet<&str> = checks.iter().map(|c| c.url.as_str()).collect();
    let kept: Vec<NewUse> = uses
        .iter()
        .filter(|u| checked_urls.contains(u.url.as_str()))
        .map(|u| NewUse { url: &u.url, scope: &u.scope, kind: u.kind, item: &u.item, title: &u.title, field: &u.field })
        .collect();
    crate::db::write_tx(conn, |c| stored::replace(c, &checks, &kept))?;
    let count = |state: check::State| checked.iter().filter(|c| c.state == state).count();
    Ok(Summary { links: checks.len(), uses: kept.len(), broken: count(check::State::Broken), redirected: count(check::State::Redirected) })
}

/// Takes the lease for a run when the last one started `every` ago or longer; `false` when it
/// is not due or another node took it first.
fn claim(conn: &mut DbConnection, every: Duration, now: i64) -> Result<bool, LinksError> {
    crate::db::write_tx(conn, |c| -> Result<bool, LinksError> {
        let (last, revision) = settings::get::<i64>(c, LAST_RUN)?.unwrap_or((0, 0));
        if now - last < every.as_secs() as i64 {
            return Ok(false);
        }
        // Saving against the revision read: a node that saved in between makes this fail.
        Ok(settings::save(c, LAST_RUN, &now, revision, now).is_ok())
    })
}

/// Checks the links every `every` on one node of the installation (whichever claims the run
/// first), from a thread of its own; looks each `poll` whether a run is due.
pub fn spawn(pool: Pool, settings: check::Settings, every: Duration, poll: Duration) {
    let spawned = std::thread::Builder::new().name("meent-links".into()).spawn(move || {
        loop {
            std::thread::sleep(poll);
            let mut conn = match pool.get() {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "link check: no database connection");
                    continue;
                }
            };
            let now = crate::now();
            match claim(&mut conn, every, now) {
                Ok(true) => match run(&mut conn, &settings, now) {
                    Ok(s) => tracing::info!(links = s.links, broken = s.broken, redirected = s.redirected, "links checked"),
                    Err(e) => tracing::warn!(error = %e, "link check failed"),
                },
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "link check: cannot claim the run"),
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the link checker");
    }
}
