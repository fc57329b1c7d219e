//! Accounts: users, their grants, sessions, API tokens, failed logins and the audit log.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{api_tokens, audit, grants, login_failures, sessions, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
}

pub fn create_user(conn: &mut DbConnection, email: &str, name: &str, password_hash: Option<&str>, now: i64) -> QueryResult<i64> {
    diesel::insert_into(users::table)
        .values((users::email.eq(email), users::name.eq(name), users::password_hash.eq(password_hash), users::created_at.eq(now)))
        .returning(users::id)
        .get_result(conn)
}

pub fn user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table.filter(users::email.eq(email)).select(User::as_select()).first(conn).optional()
}

pub fn user(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    users::table.find(id).select(User::as_select()).first(conn).optional()
}

pub fn all_users(conn: &mut DbConnection) -> QueryResult<Vec<User>> {
    users::table.order(users::email.asc()).select(User::as_select()).load(conn)
}

pub fn set_password(conn: &mut DbConnection, id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(users::password_hash.eq(hash)).execute(conn)
}

/// Disabling ends every session of the user.
pub fn set_disabled(conn: &mut DbConnection, id: i64, disabled: bool) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::disabled.eq(disabled)).execute(conn)?;
    if disabled {
        delete_sessions_of(conn, id)?;
    }
    Ok(())
}

/// Grants as (role, scope) text.
pub fn grants_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(String, String)>> {
    grants::table.filter(grants::user_id.eq(user_id)).order((grants::scope.asc(), grants::role.asc())).select((grants::role, grants::scope)).load(conn)
}

pub fn add_grant(conn: &mut DbConnection, user_id: i64, role: &str, scope: &str) -> QueryResult<()> {
    let exists: i64 = grants::table
        .filter(grants::user_id.eq(user_id))
        .filter(grants::role.eq(role))
        .filter(grants::scope.eq(scope))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(grants::table).values((grants::user_id.eq(user_id), grants::role.eq(role), grants::scope.eq(scope))).execute(conn)?;
    }
    Ok(())
}

pub fn create_token(conn: &mut DbConnection, user_id: i64, token_hash: &str, label: &str, now: i64) -> QueryResult<i64> {
    diesel::insert_into(api_tokens::table)
        .values((api_tokens::user_id.eq(user_id), api_tokens::token_hash.eq(token_hash), api_tokens::label.eq(label), api_tokens::created_at.eq(now)))
        .returning(api_tokens::id)
        .get_result(conn)
}

/// The user of a live token (not revoked, user not disabled).
pub fn user_of_token(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<User>> {
    api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Revokes a token; returns whether it was live.
pub fn revoke_token(conn: &mut DbConnection, token_hash: &str, now: i64) -> QueryResult<bool> {
    diesel::update(api_tokens::table.filter(api_tokens::token_hash.eq(token_hash)).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)
        .map(|n| n > 0)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen: i64,
}

pub fn create_session(conn: &mut DbConnection, id_hash: &str, user_id: i64, csrf: &str, now: i64) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id_hash.eq(id_hash),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(csrf),
            sessions::created_at.eq(now),
            sessions::last_seen.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn session(conn: &mut DbConnection, id_hash: &str) -> QueryResult<Option<Session>> {
    sessions::table.find(id_hash).select(Session::as_select()).first(conn).optional()
}

pub fn touch_session(conn: &mut DbConnection, id_hash: &str, now: i64) -> QueryResult<()> {
    diesel::update(sessions::table.find(id_hash)).set(sessions::last_seen.eq(now)).execute(conn).map(drop)
}

pub fn delete_session(conn: &mut DbConnection, id_hash: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(id_hash)).execute(conn).map(drop)
}

pub fn delete_sessions_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn).map(drop)
}

/// Removes sessions idle since `idle_before` or started before `started_before`.
pub fn expire_sessions(conn: &mut DbConnection, idle_before: i64, started_before: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::last_seen.lt(idle_before).or(sessions::created_at.lt(started_before)))).execute(conn)
}

pub fn record_failure(conn: &mut DbConnection, key: &str, now: i64) -> QueryResult<()> {
    diesel::insert_into(login_failures::table).values((login_failures::key.eq(key), login_failures::at.eq(now))).execute(conn).map(drop)
}

pub fn failures_since(conn: &mut DbConnection, key: &str, since: i64) -> QueryResult<i64> {
    login_failures::table.filter(login_failures::key.eq(key)).filter(login_failures::at.ge(since)).count().get_result(conn)
}

pub fn clear_failures(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::key.eq(key))).execute(conn).map(drop)
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub result: String,
    pub origin: String,
    pub scope: String,
}

#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub object: &'a str,
    pub result: &'a str,
    pub origin: &'a str,
    pub scope: &'a str,
}

pub fn record_audit(conn: &mut DbConnection, entry: &NewAudit, now: i64) -> QueryResult<()> {
    diesel::insert_into(audit::table)
        .values((
            audit::at.eq(now),
            audit::actor.eq(entry.actor),
            audit::action.eq(entry.action),
            audit::object.eq(entry.object),
            audit::result.eq(entry.result),
            audit::origin.eq(entry.origin),
            audit::scope.eq(entry.scope),
        ))
        .execute(conn)
        .map(drop)
}

/// The newest audit entries of these scopes (all when `scopes` is `None`).
pub fn audit_entries(conn: &mut DbConnection, scopes: Option<&[String]>, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    let mut query = audit::table.order(audit::id.desc()).limit(limit).select(AuditEntry::as_select()).into_boxed();
    if let Some(scopes) = scopes {
        query = query.filter(audit::scope.eq_any(scopes.to_vec()));
    }
    query.load(conn)
}
