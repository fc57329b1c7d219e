//! The change log: one row per change, written in the same transaction as the change.

use diesel::prelude::*;

use crate::content::kind::Kind;
use crate::db::DbConnection;
use crate::db::schema::changes;

/// A committed change, as followers see it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct Change {
    pub id: i64,
    pub at: i64,
    pub kind: Kind,
    pub item_key: String,
    /// Set when only the members of this group are touched.
    pub group_id: Option<i64>,
    /// Set when only this site is touched. Neither set: every site.
    pub site_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = changes)]
pub struct NewChange<'a> {
    pub at: i64,
    pub kind: Kind,
    pub item_key: &'a str,
    pub group_id: Option<i64>,
    pub site_id: Option<i64>,
}

/// A change row to write at the end of its transaction (see `hold_back`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = changes)]
pub struct HeldChange {
    pub at: i64,
    pub kind: Kind,
    pub item_key: String,
    pub group_id: Option<i64>,
    pub site_id: Option<i64>,
}

thread_local! {
    /// Changes recorded inside a PostgreSQL `db::write_tx` on this thread, written at its end.
    static HELD: std::cell::RefCell<Option<Vec<HeldChange>>> = const { std::cell::RefCell::new(None) };
}

/// While alive, `record` on this thread holds changes back instead of inserting them.
/// Cleared when dropped, so a transaction that fails leaves nothing for the next one.
pub struct HoldBack(());

impl HoldBack {
    /// The changes held back so far.
    pub fn take(&self) -> Vec<HeldChange> {
        HELD.with(|h| h.borrow_mut().as_mut().map(std::mem::take).unwrap_or_default())
    }
}

impl Drop for HoldBack {
    fn drop(&mut self) {
        HELD.with(|h| *h.borrow_mut() = None);
    }
}

/// Starts holding changes back on this thread; `None` inside a transaction that already does
/// (a nested `write_tx`: the outermost one writes them).
pub fn hold_back() -> Option<HoldBack> {
    HELD.with(|h| {
        let mut held = h.borrow_mut();
        if held.is_some() {
            return None;
        }
        *held = Some(Vec::new());
        Some(HoldBack(()))
    })
}

/// Records a change of the running write transaction: held back for its end on PostgreSQL
/// (`db::write_tx`), inserted at once on SQLite, whose write lock orders the writers.
pub fn record(conn: &mut DbConnection, change: &NewChange) -> QueryResult<()> {
    let held = HELD.with(|h| match h.borrow_mut().as_mut() {
        Some(pending) if matches!(conn, DbConnection::Postgresql(_)) => {
            pending.push(HeldChange {
                at: change.at,
                kind: change.kind,
                item_key: change.item_key.to_owned(),
                group_id: change.group_id,
                site_id: change.site_id,
            });
            true
        }
        _ => false,
    });
    if held {
        return Ok(());
    }
    diesel::insert_into(changes::table).values(change).execute(conn).map(drop)
}

/// Writes held-back changes in their order, in batches within PostgreSQL's parameter limit.
pub fn insert_all(conn: &mut DbConnection, pending: &[HeldChange]) -> QueryResult<()> {
    match conn {
        DbConnection::Postgresql(pg) => {
            for batch in pending.chunks(10_000) {
                diesel::insert_into(changes::table).values(batch).execute(pg)?;
            }
        }
        DbConnection::Sqlite(lite) => {
            for change in pending {
                diesel::insert_into(changes::table).values(change).execute(lite)?;
            }
        }
    }
    Ok(())
}

/// Changes after `after`, oldest first, at most `limit`.
pub fn since(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<Change>> {
    changes::table
        .filter(changes::id.gt(after))
        .order(changes::id.asc())
        .limit(limit)
        .select(Change::as_select())
        .load(conn)
}

/// Changes after `after` up to and including `upto`, oldest first, at most `limit`.
pub fn between(conn: &mut DbConnection, after: i64, upto: i64, limit: i64) -> QueryResult<Vec<Change>> {
    changes::table
        .filter(changes::id.gt(after))
        .filter(changes::id.le(upto))
        .order(changes::id.asc())
        .limit(limit)
        .select(Change::as_select())
        .load(conn)
}

/// Whether a change of one of these kinds came after `after`, up to `upto`.
pub fn any_of_kinds(conn: &mut DbConnection, after: i64, upto: i64, kinds: &[Kind]) -> QueryResult<bool> {
    let found: i64 = changes::table
        .filter(changes::id.gt(after))
        .filter(changes::id.le(upto))
        .filter(changes::kind.eq_any(kinds))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The id of the oldest change the log still holds.
pub fn oldest(conn: &mut DbConnection) -> QueryResult<Option<i64>> {
    changes::table.select(diesel::dsl::min(changes::id)).first(conn)
}

/// The id of the latest change, 0 when there is none.
pub fn latest(conn: &mut DbConnection) -> QueryResult<i64> {
    changes::table.select(diesel::dsl::max(changes::id)).first::<Option<i64>>(conn).map(|m| m.unwrap_or(0))
}

/// Removes changes older than `before`, always keeping the latest (its id is where every
/// process's feed stands, and an empty log means an empty database).
pub fn purge(conn: &mut DbConnection, before: i64) -> QueryResult<usize> {
    let latest = latest(conn)?;
    diesel::delete(changes::table.filter(changes::at.lt(before)).filter(changes::id.lt(latest))).execute(conn)
}
