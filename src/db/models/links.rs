//! The link checker's results and where each link is written (`links`).

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::{link_checks, link_uses};

#[derive(Debug, Clone, Insertable, Queryable, Selectable, Serialize)]
#[diesel(table_name = link_checks)]
pub struct LinkCheck {
    pub url: String,
    pub state: String,
    pub status: Option<i32>,
    pub final_url: Option<String>,
    pub message: String,
    pub checked_at: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = link_uses)]
pub struct NewUse<'a> {
    pub url: &'a str,
    pub scope: &'a str,
    pub kind: &'a str,
    pub item: &'a str,
    pub title: &'a str,
    pub field: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = link_uses)]
pub struct StoredUse {
    #[serde(skip)]
    pub id: i64,
    pub url: String,
    #[serde(skip)]
    pub scope: String,
    pub kind: String,
    pub item: String,
    pub title: String,
    pub field: String,
}

/// Replaces the last run's results and uses with these.
pub fn replace(conn: &mut DbConnection, checks: &[LinkCheck], uses: &[NewUse]) -> QueryResult<()> {
    diesel::delete(link_uses::table).execute(conn)?;
    diesel::delete(link_checks::table).execute(conn)?;
    // Row by row: the connection serves both databases, which share no batch insert.
    for check in checks {
        diesel::insert_into(link_checks::table).values(check).execute(conn)?;
    }
    for u in uses {
        diesel::insert_into(link_uses::table).values(u).execute(conn)?;
    }
    Ok(())
}

/// The uses written in `scope` of links whose check is in one of `states`, with the checks.
pub fn in_scope(conn: &mut DbConnection, scope: &str, states: &[&str]) -> QueryResult<Vec<(StoredUse, LinkCheck)>> {
    link_uses::table
        .inner_join(link_checks::table.on(link_checks::url.eq(link_uses::url)))
        .filter(link_uses::scope.eq(scope).and(link_checks::state.eq_any(states.iter().map(|s| s.to_string()).collect::<Vec<_>>())))
        .order((link_uses::url.asc(), link_uses::id.asc()))
        .select((StoredUse::as_select(), LinkCheck::as_select()))
        .load(conn)
}
