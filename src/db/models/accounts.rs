//! Accounts: users, their grants, sessions, API tokens, failed logins and the audit log.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{api_tokens, audit, grants, login_failures, sessions, trusted_devices, users};

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

/// Sets (or, with `None`, removes) an account's password.
pub fn set_password(conn: &mut DbConnection, id: i64, hash: Option<&str>) -> QueryResult<usize> {
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

/// An API token as its owner and admins see it (never the secret or its hash).
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = api_tokens)]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    #[serde(rename = "name")]
    pub label: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub fn create_token(conn: &mut DbConnection, user_id: i64, token_hash: &str, label: &str, now: i64, expires_at: i64, parent: Option<i64>) -> QueryResult<i64> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::label.eq(label),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(expires_at),
            api_tokens::parent_id.eq(parent),
        ))
        .returning(api_tokens::id)
        .get_result(conn)
}

/// The user and token of a live token: not revoked, not expired, user not disabled.
pub fn user_of_token(conn: &mut DbConnection, token_hash: &str, now: i64) -> QueryResult<Option<(User, Token)>> {
    api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(now))
        .filter(users::disabled.eq(false))
        .select((User::as_select(), Token::as_select()))
        .first(conn)
        .optional()
}

pub fn touch_token(conn: &mut DbConnection, id: i64, now: i64) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id)).set(api_tokens::last_used_at.eq(now)).execute(conn).map(drop)
}

/// Every token of a user, newest first.
pub fn tokens_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<Token>> {
    api_tokens::table.filter(api_tokens::user_id.eq(user_id)).order(api_tokens::id.desc()).select(Token::as_select()).load(conn)
}

pub fn token(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Token>> {
    api_tokens::table.find(id).select(Token::as_select()).first(conn).optional()
}

/// Revokes a token by its secret (and what was made with it); returns whether it was live.
pub fn revoke_token(conn: &mut DbConnection, token_hash: &str, now: i64) -> QueryResult<bool> {
    let id: Option<i64> = api_tokens::table.filter(api_tokens::token_hash.eq(token_hash)).select(api_tokens::id).first(conn).optional()?;
    match id {
        Some(id) => revoke_token_id(conn, id, now),
        None => Ok(false),
    }
}

/// Revokes a token by its id, and every token made with it (and with those); returns whether
/// it was live.
pub fn revoke_token_id(conn: &mut DbConnection, id: i64, now: i64) -> QueryResult<bool> {
    let live = diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null())).set(api_tokens::revoked_at.eq(now)).execute(conn)? > 0;
    let mut parents = vec![id];
    while !parents.is_empty() {
        let children: Vec<i64> = api_tokens::table.filter(api_tokens::parent_id.eq_any(&parents)).filter(api_tokens::revoked_at.is_null()).select(api_tokens::id).load(conn)?;
        if !children.is_empty() {
            diesel::update(api_tokens::table.filter(api_tokens::id.eq_any(&children))).set(api_tokens::revoked_at.eq(now)).execute(conn)?;
        }
        parents = children;
    }
    Ok(live)
}

/// Revokes every live token of a user.
pub fn revoke_tokens_of(conn: &mut DbConnection, user_id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(api_tokens::table.filter(api_tokens::user_id.eq(user_id)).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)
}

/// Removes tokens that expired or were revoked before `before`.
pub fn purge_tokens(conn: &mut DbConnection, before: i64) -> QueryResult<usize> {
    diesel::delete(api_tokens::table.filter(api_tokens::expires_at.lt(before).or(api_tokens::revoked_at.lt(before)))).execute(conn)
}

/// Remembers a browser that signed in to this account.
pub fn add_device(conn: &mut DbConnection, token_hash: &str, user_id: i64, now: i64) -> QueryResult<()> {
    diesel::insert_into(trusted_devices::table)
        .values((
            trusted_devices::token_hash.eq(token_hash),
            trusted_devices::user_id.eq(user_id),
            trusted_devices::created_at.eq(now),
            trusted_devices::last_used_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// The account a remembered browser signed in to.
pub fn device_user(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<i64>> {
    trusted_devices::table.find(token_hash).select(trusted_devices::user_id).first(conn).optional()
}

pub fn touch_device(conn: &mut DbConnection, token_hash: &str, now: i64) -> QueryResult<()> {
    diesel::update(trusted_devices::table.find(token_hash)).set(trusted_devices::last_used_at.eq(now)).execute(conn).map(drop)
}

pub fn delete_devices_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
    diesel::delete(trusted_devices::table.filter(trusted_devices::user_id.eq(user_id))).execute(conn).map(drop)
}

/// Forgets browsers not used since `before`.
pub fn purge_devices(conn: &mut DbConnection, before: i64) -> QueryResult<usize> {
    diesel::delete(trusted_devices::table.filter(trusted_devices::last_used_at.lt(before))).execute(conn)
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

/// Records a failed (or not yet checked) login for a throttling key; returns its id.
pub fn record_failure(conn: &mut DbConnection, key: &str, now: i64) -> QueryResult<i64> {
    diesel::insert_into(login_failures::table)
        .values((login_failures::key.eq(key), login_failures::at.eq(now)))
        .returning(login_failures::id)
        .get_result(conn)
}

/// How many failures a key had since `since`, and when the last one was.
pub fn failures_since(conn: &mut DbConnection, key: &str, since: i64) -> QueryResult<(i64, Option<i64>)> {
    login_failures::table
        .filter(login_failures::key.eq(key))
        .filter(login_failures::at.ge(since))
        .select((diesel::dsl::count_star(), diesel::dsl::max(login_failures::at)))
        .first(conn)
}

/// Forgets failures by id (an attempt that turned out right).
pub fn delete_failures(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::id.eq_any(ids))).execute(conn).map(drop)
}

pub fn clear_failures(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::key.eq(key))).execute(conn).map(drop)
}

/// Removes failures older than `before`.
pub fn purge_failures(conn: &mut DbConnection, before: i64) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::at.lt(before))).execute(conn)
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

/// Removes audit entries older than `before`.
pub fn purge_audit(conn: &mut DbConnection, before: i64) -> QueryResult<usize> {
    diesel::delete(audit::table.filter(audit::at.lt(before))).execute(conn)
}

/// The newest audit entries of these scopes (all when `scopes` is `None`).
pub fn audit_entries(conn: &mut DbConnection, scopes: Option<&[String]>, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    let mut query = audit::table.order(audit::id.desc()).limit(limit).select(AuditEntry::as_select()).into_boxed();
    if let Some(scopes) = scopes {
        query = query.filter(audit::scope.eq_any(scopes.to_vec()));
    }
    query.load(conn)
}
