//! Changes waiting for a second pair of eyes (`edit::approval`).

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::proposals;

/// Where a proposal stands.
pub const WAITING: &str = "waiting";
pub const RETURNED: &str = "returned";
pub const APPROVED: &str = "approved";

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
        .filter(proposals::scope.eq_any(scopes.to_vec()).and(proposals::state.eq_any(states.iter().map(|s| s.to_string()).collect::<Vec<_>>())))
        .order(proposals::id.asc())
        .limit(limit)
        .select(Proposal::as_select())
        .load(conn)
}

/// Proposals by this author in these states, newest first; at most `limit`.
pub fn by_author(conn: &mut DbConnection, author: &str, states: &[&str], limit: i64) -> QueryResult<Vec<Proposal>> {
    proposals::table
        .filter(proposals::author.eq(author).and(proposals::state.eq_any(states.iter().map(|s| s.to_string()).collect::<Vec<_>>())))
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

/// Earlier waiting proposals for the same item by the same author, replaced by a newer one.
pub fn supersede(conn: &mut DbConnection, kind: &str, target: &str, author: &str, now: i64) -> QueryResult<usize> {
    diesel::update(proposals::table.filter(proposals::kind.eq(kind).and(proposals::target.eq(target)).and(proposals::author.eq(author)).and(proposals::state.eq(WAITING))))
        .set((proposals::state.eq(RETURNED), proposals::decided_by.eq(author), proposals::note.eq("Vervangen door een nieuwer voorstel."), proposals::decided_at.eq(now)))
        .execute(conn)
}
