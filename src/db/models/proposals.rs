//! Changes waiting for a second pair of eyes (`edit::approval`).

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{proposals, releases};

/// Where a proposal stands.
pub const WAITING: &str = "waiting";
pub const RETURNED: &str = "returned";
pub const APPROVED: &str = "approved";
/// In a release that is not published yet; then published, or undone with it.
pub const STAGED: &str = "staged";
pub const PUBLISHED: &str = "published";
pub const UNDONE: &str = "undone";

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = proposals)]
pub struct NewProposal<'a> {
    pub scope: &'a str,
    pub kind: &'a str,
    pub target: &'a str,
    pub title: &'a str,
    pub document: &'a str,
    pub based_on: Option<i64>,
    pub author: &'a str,
    pub state: &'a str,
    pub created_at: i64,
    pub release_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = proposals)]
pub struct Proposal {
    pub id: i64,
    pub scope: String,
    pub kind: String,
    pub target: String,
    pub title: String,
    #[serde(skip)]
    pub document: String,
    pub based_on: Option<i64>,
    pub author: String,
    pub state: String,
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub release_id: Option<i64>,
    /// Before publication of its release: the item's document ('null': none).
    #[serde(skip)]
    pub previous: Option<String>,
}

pub fn insert(conn: &mut DbConnection, new: &NewProposal) -> QueryResult<i64> {
    diesel::insert_into(proposals::table).values(new).returning(proposals::id).get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Proposal>> {
    proposals::table.find(id).select(Proposal::as_select()).first(conn).optional()
}

/// Proposals of these scopes in these states, oldest first; at most `limit`.
pub fn in_scopes(conn: &mut DbConnection, scopes: &[String], states: &[&str], limit: i64) -> QueryResult<Vec<Proposal>> {
    proposals::table
        .filter(proposals::scope.eq_any(scopes.to_vec()).and(proposals::state.eq_any(states.iter().map(|s| s.to_string()).collect::<Vec<_>>())).and(proposals::release_id.is_null()))
        .order(proposals::id.asc())
        .limit(limit)
        .select(Proposal::as_select())
        .load(conn)
}

/// Proposals by this author in these states, newest first; at most `limit`.
pub fn by_author(conn: &mut DbConnection, author: &str, states: &[&str], limit: i64) -> QueryResult<Vec<Proposal>> {
    proposals::table
        .filter(proposals::author.eq(author).and(proposals::state.eq_any(states.iter().map(|s| s.to_string()).collect::<Vec<_>>())).and(proposals::release_id.is_null()))
        .order(proposals::id.desc())
        .limit(limit)
        .select(Proposal::as_select())
        .load(conn)
}

/// Decides a waiting proposal; `false` when it was not waiting (decided meanwhile).
pub fn decide(conn: &mut DbConnection, id: i64, state: &str, by: &str, note: Option<&str>, now: i64) -> QueryResult<bool> {
    let changed = diesel::update(proposals::table.find(id).filter(proposals::state.eq(WAITING)))
        .set((proposals::state.eq(state), proposals::decided_by.eq(by), proposals::note.eq(note), proposals::decided_at.eq(now)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// The changes of a release, in the order staged.
pub fn of_release(conn: &mut DbConnection, release: i64) -> QueryResult<Vec<Proposal>> {
    proposals::table.filter(proposals::release_id.eq(release)).order(proposals::id.asc()).select(Proposal::as_select()).load(conn)
}

/// A staged change of a release replaced by a newer one for the same item.
pub fn unstage(conn: &mut DbConnection, release: i64, kind: &str, target: &str) -> QueryResult<usize> {
    diesel::delete(proposals::table.filter(proposals::release_id.eq(release).and(proposals::kind.eq(kind)).and(proposals::target.eq(target)).and(proposals::state.eq(STAGED)))).execute(conn)
}

/// Marks a release's change published (with the document it replaced) or undone.
pub fn set_state(conn: &mut DbConnection, id: i64, state: &str, previous: Option<&str>) -> QueryResult<()> {
    diesel::update(proposals::table.find(id)).set((proposals::state.eq(state), proposals::previous.eq(previous))).execute(conn).map(|_| ())
}

/// Earlier waiting proposals for the same item by the same author, replaced by a newer one.
pub fn supersede(conn: &mut DbConnection, kind: &str, target: &str, author: &str, now: i64) -> QueryResult<usize> {
    diesel::update(proposals::table.filter(proposals::kind.eq(kind).and(proposals::target.eq(target)).and(proposals::author.eq(author)).and(proposals::state.eq(WAITING)).and(proposals::release_id.is_null())))
        .set((proposals::state.eq(RETURNED), proposals::decided_by.eq(author), proposals::note.eq("Vervangen door een nieuwer voorstel."), proposals::decided_at.eq(now)))
        .execute(conn)
}

pub const OPEN: &str = "open";
pub const SCHEDULED: &str = "scheduled";

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = releases)]
pub struct Release {
    pub id: i64,
    pub scope: String,
    pub name: String,
    /// open, scheduled, published or undone.
    pub state: String,
    pub publish_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub published_by: Option<String>,
    pub published_at: Option<i64>,
    pub undone_at: Option<i64>,
}

pub fn create_release(conn: &mut DbConnection, scope: &str, name: &str, by: &str, now: i64) -> QueryResult<i64> {
    diesel::insert_into(releases::table)
        .values((releases::scope.eq(scope), releases::name.eq(name), releases::state.eq(OPEN), releases::created_by.eq(by), releases::created_at.eq(now)))
        .returning(releases::id)
        .get_result(conn)
}

pub fn release(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Release>> {
    releases::table.find(id).select(Release::as_select()).first(conn).optional()
}

/// Releases of these scopes, newest first.
pub fn releases_in(conn: &mut DbConnection, scopes: &[String], limit: i64) -> QueryResult<Vec<Release>> {
    releases::table.filter(releases::scope.eq_any(scopes.to_vec())).order(releases::id.desc()).limit(limit).select(Release::as_select()).load(conn)
}

/// Moves a release from one state to another; `false` when it was not in `from` (another
/// request or node moved it first).
pub fn move_release(conn: &mut DbConnection, id: i64, from: &[&str], to: &str, publish_at: Option<i64>) -> QueryResult<bool> {
    let from: Vec<String> = from.iter().map(|s| s.to_string()).collect();
    Ok(diesel::update(releases::table.find(id).filter(releases::state.eq_any(from))).set((releases::state.eq(to), releases::publish_at.eq(publish_at))).execute(conn)? == 1)
}

/// Who scheduled a release (kept in `published_by` until it is published; `None`: unscheduled).
pub fn scheduled_by(conn: &mut DbConnection, id: i64, by: Option<&str>) -> QueryResult<()> {
    diesel::update(releases::table.find(id)).set(releases::published_by.eq(by)).execute(conn).map(|_| ())
}

pub fn mark_published(conn: &mut DbConnection, id: i64, by: &str, now: i64) -> QueryResult<()> {
    diesel::update(releases::table.find(id)).set((releases::state.eq(PUBLISHED), releases::published_by.eq(by), releases::published_at.eq(now))).execute(conn).map(|_| ())
}

pub fn mark_undone(conn: &mut DbConnection, id: i64, now: i64) -> QueryResult<()> {
    diesel::update(releases::table.find(id)).set((releases::state.eq(UNDONE), releases::undone_at.eq(now))).execute(conn).map(|_| ())
}

/// Scheduled releases whose moment came.
pub fn due_releases(conn: &mut DbConnection, now: i64) -> QueryResult<Vec<Release>> {
    releases::table.filter(releases::state.eq(SCHEDULED).and(releases::publish_at.le(now))).order(releases::id.asc()).select(Release::as_select()).load(conn)
}
