//! Sign-in and accounts: creating users, API tokens, password logins with throttling,
//! sessions with idle and absolute timeouts. Every outcome that matters is audited.

use diesel::QueryResult;

use super::permissions::{Actor, Grant, Role, Scope};
use super::secrets::{self, SecretError};
use crate::db::models::accounts::{self, NewAudit, User};
use crate::db::models::layers;
use crate::db::{self, DbConnection};

/// Failed logins of one account within `THROTTLE_WINDOW` before it is locked for that window.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
/// Failed logins from one address within the window before it is locked.
pub const MAX_ADDRESS_FAILURES: i64 = 20;
pub const THROTTLE_WINDOW: i64 = 15 * 60;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("{0}")]
    Invalid(String),
}

/// Timeouts of an editor's session.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Ends after this long without a request.
    pub idle: i64,
    /// Ends this long after login, whatever happens.
    pub absolute: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle: 30 * 60, absolute: 12 * 3600 }
    }
}

pub fn actor_of(conn: &mut DbConnection, user: &User) -> QueryResult<Actor> {
    let grants = accounts::grants_of(conn, user.id)?
        .into_iter()
        .filter_map(|(role, scope)| Some(Grant { role: Role::parse(&role)?, scope: Scope::parse(&scope)? }))
        .collect();
    Ok(Actor { user_id: user.id, email: user.email.clone(), grants })
}

/// The actor of an API token, if it is live.
pub fn actor_by_token(conn: &mut DbConnection, token: &str) -> QueryResult<Option<Actor>> {
    match accounts::user_of_token(conn, &secrets::hash_token(token))? {
        Some(user) => actor_of(conn, &user).map(Some),
        None => Ok(None),
    }
}

/// Whether an e-mail address looks like one.
fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty() && domain.contains('.') && !email.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// Checks that a scope names a group or site that exists.
pub fn check_scope(conn: &mut DbConnection, scope: &Scope) -> Result<(), AccountError> {
    let exists = match scope {
        Scope::National => true,
        Scope::Group(g) => layers::find_group(conn, g)?.is_some(),
        Scope::Site(s) => layers::sites(conn)?.iter().any(|(_, site)| &site.slug == s),
    };
    if exists { Ok(()) } else { Err(AccountError::Invalid(format!("scope {scope} does not exist"))) }
}

/// Creates a user (or adds the grant to an existing one) and an API token, which is returned
/// once and stored only as a hash.
pub fn create_user(
    conn: &mut DbConnection,
    email: &str,
    role: Role,
    scope: &Scope,
    password: Option<&str>,
    by: &str,
    now: i64,
) -> Result<String, AccountError> {
    let email = email.trim().to_lowercase();
    if !is_email(&email) {
        return Err(AccountError::Invalid(format!("{email:?} is not an e-mail address")));
    }
    check_scope(conn, scope)?;
    let hash = password.map(secrets::hash_password).transpose()?;
    let token = secrets::random_token()?;
    let token_hash = secrets::hash_token(&token);
    db::write_tx(conn, |c| -> Result<(), AccountError> {
        let id = match accounts::user_by_email(c, &email)? {
            Some(user) => {
                if let Some(h) = &hash {
                    accounts::set_password(c, user.id, h)?;
                }
                user.id
            }
            None => accounts::create_user(c, &email, "", hash.as_deref(), now)?,
        };
        accounts::add_grant(c, id, role.as_str(), &scope.to_string())?;
        accounts::create_token(c, id, &token_hash, "meent user create", now)?;
        let object = format!("user:{email} {} {scope}", role.as_str());
        accounts::record_audit(c, &NewAudit { actor: by, action: "user.create", object: &object, result: "ok", origin: "cli", scope: &scope.to_string() }, now)?;
        Ok(())
    })?;
    Ok(token)
}

#[derive(Debug)]
pub enum Login {
    /// A new session: its id (for the cookie) and CSRF token.
    Ok { session_id: String, csrf: String, actor: Actor },
    Invalid,
    Throttled,
}

/// Checks a password login, with throttling per account and per address; starts a fresh
/// session on success.
pub fn login(conn: &mut DbConnection, email: &str, password: &str, address: &str, now: i64) -> Result<Login, AccountError> {
    let email = email.trim().to_lowercase();
    let account_key = format!("account:{email}");
    let address_key = format!("address:{address}");
    let since = now - THROTTLE_WINDOW;
    let audit = |c: &mut DbConnection, action: &str, result: &str| {
        accounts::record_audit(c, &NewAudit { actor: &email, action, object: "session", result, origin: address, scope: "national" }, now)
    };
    if accounts::failures_since(conn, &account_key, since)? >= MAX_ACCOUNT_FAILURES
        || accounts::failures_since(conn, &address_key, since)? >= MAX_ADDRESS_FAILURES
    {
        audit(conn, "login", "throttled")?;
        return Ok(Login::Throttled);
    }
    let user = accounts::user_by_email(conn, &email)?;
    let valid = match &user {
        Some(u) if !u.disabled => u.password_hash.as_deref().is_some_and(|h| secrets::verify_password(h, password)),
        _ => {
            secrets::dummy_verify(password);
            false
        }
    };
    let Some(user) = user.filter(|_| valid) else {
        accounts::record_failure(conn, &account_key, now)?;
        accounts::record_failure(conn, &address_key, now)?;
        audit(conn, "login", "failed")?;
        return Ok(Login::Invalid);
    };
    let session_id = secrets::random_token()?;
    let csrf = secrets::random_token()?;
    accounts::create_session(conn, &secrets::hash_token(&session_id), user.id, &csrf, now)?;
    accounts::clear_failures(conn, &account_key)?;
    audit(conn, "login", "ok")?;
    let actor = actor_of(conn, &user)?;
    Ok(Login::Ok { session_id, csrf, actor })
}

/// The actor and CSRF token of a live session; ends it when it timed out.
pub fn session(conn: &mut DbConnection, session_id: &str, policy: SessionPolicy, now: i64) -> Result<Option<(Actor, String)>, AccountError> {
    let id_hash = secrets::hash_token(session_id);
    let Some(s) = accounts::session(conn, &id_hash)? else { return Ok(None) };
    if now - s.last_seen > policy.idle || now - s.created_at > policy.absolute {
        accounts::delete_session(conn, &id_hash)?;
        return Ok(None);
    }
    let Some(user) = accounts::user(conn, s.user_id)?.filter(|u| !u.disabled) else {
        accounts::delete_session(conn, &id_hash)?;
        return Ok(None);
    };
    // Writing on every request would serialise readers behind writers; once a minute is enough.
    if now - s.last_seen >= 60 {
        accounts::touch_session(conn, &id_hash, now)?;
    }
    Ok(Some((actor_of(conn, &user)?, s.csrf_token)))
}

pub fn logout(conn: &mut DbConnection, session_id: &str, email: &str, address: &str, now: i64) -> Result<(), AccountError> {
    accounts::delete_session(conn, &secrets::hash_token(session_id))?;
    accounts::record_audit(conn, &NewAudit { actor: email, action: "logout", object: "session", result: "ok", origin: address, scope: "national" }, now)?;
    Ok(())
}
