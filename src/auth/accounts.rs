//! Sign-in and accounts: creating users, API tokens, password logins with throttling,
//! sessions with idle and absolute timeouts. Every outcome that matters is audited.

use diesel::QueryResult;

use super::permissions::{Actor, Grant, Role, Scope, TokenUse};
use super::secrets::{self, SecretError};
use super::throttle::{self, KeyKind};
use crate::db::models::accounts::{self, NewAudit, Token, User};
use crate::db::models::layers;
use crate::db::{self, DbConnection, LockedTable, Pool};

/// Days an API token lives unless asked otherwise.
pub const TOKEN_DAYS: i64 = 90;
/// The longest life of an API token, in days.
pub const MAX_TOKEN_DAYS: i64 = 730;
/// Days a browser that signed in is remembered for throttling.
pub const DEVICE_DAYS: i64 = 180;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
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
    Ok(Actor { user_id: user.id, email: user.email.clone(), grants, token: None })
}

/// The actor of an API token, if it is live (not revoked, not expired, user not disabled).
/// Its last use is recorded (at most once a minute, so reads do not all become writes).
pub fn actor_by_token(conn: &mut DbConnection, token: &str, now: i64) -> QueryResult<Option<Actor>> {
    match accounts::user_of_token(conn, &secrets::hash_token(token), now)? {
        Some((user, token)) => {
            if token.last_used_at.is_none_or(|at| now - at >= 60) {
                accounts::touch_token(conn, token.id, now)?;
            }
            let mut actor = actor_of(conn, &user)?;
            actor.token = Some(TokenUse { id: token.id, expires_at: token.expires_at });
            Ok(Some(actor))
        }
        None => Ok(None),
    }
}

/// Whether an e-mail address looks like one.
fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// The form an e-mail address is stored in, or why it is not one.
pub fn normalize_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim().to_lowercase();
    if is_email(&email) { Ok(email) } else { Err(AccountError::Invalid(format!("{email:?} is not an e-mail address"))) }
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

/// The life of a new token in days: `TOKEN_DAYS` unless asked, at most `MAX_TOKEN_DAYS`.
pub fn token_days(asked: Option<i64>) -> Result<i64, AccountError> {
    match asked {
        None => Ok(TOKEN_DAYS),
        Some(d) if (1..=MAX_TOKEN_DAYS).contains(&d) => Ok(d),
        Some(d) => Err(AccountError::Invalid(format!("expires_in_days: {d} is not between 1 and {MAX_TOKEN_DAYS}"))),
    }
}

/// A new API token for a user, valid for `days`: the secret (shown once) and its record.
pub fn mint_token(conn: &mut DbConnection, user_id: i64, name: &str, days: i64, now: i64) -> Result<(String, Token), AccountError> {
    mint_child_token(conn, user_id, name, now + days * 86_400, None, now)
}

/// A new API token that expires at `expires_at`; made with another token (`parent`), it ends
/// when that one is revoked.
pub fn mint_child_token(conn: &mut DbConnection, user_id: i64, name: &str, expires_at: i64, parent: Option<i64>, now: i64) -> Result<(String, Token), AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AccountError::Invalid("name: 1 to 100 characters, no control characters".into()));
    }
    let token = secrets::random_token()?;
    let id = accounts::create_token(conn, user_id, &secrets::hash_token(&token), name, now, expires_at, parent)?;
    let record = accounts::token(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
    Ok((token, record))
}

/// Sets a new password for an account and ends everything that signed in with the old one:
/// sessions, API tokens and remembered browsers.
pub fn reset_password(conn: &mut DbConnection, user_id: i64, hash: &str, now: i64) -> QueryResult<()> {
    accounts::set_password(conn, user_id, Some(hash))?;
    end_sign_ins(conn, user_id, now)
}

/// Ends what signs in as the account: sessions, API tokens and remembered browsers.
pub fn end_sign_ins(conn: &mut DbConnection, user_id: i64, now: i64) -> QueryResult<()> {
    accounts::delete_sessions_of(conn, user_id)?;
    accounts::revoke_tokens_of(conn, user_id, now)?;
    accounts::delete_devices_of(conn, user_id)
}

/// The operator's `meent user create`: creates a user, or gives an existing one another
/// grant, and mints an API token for it (returned once, stored only as a hash). A password
/// for an existing account is a reset: its sessions and older tokens end. Editors and admins
/// use `Editor::create_user`, which never touches an existing account's secrets.
pub fn create_user(
    conn: &mut DbConnection,
    email: &str,
    role: Role,
    scope: &Scope,
    password: Option<&str>,
    by: &str,
    now: i64,
) -> Result<String, AccountError> {
    let email = normalize_email(email)?;
    check_scope(conn, scope)?;
    let hash = password.map(secrets::hash_password).transpose()?;
    db::write_tx(conn, |c| -> Result<String, AccountError> {
        let id = match accounts::user_by_email(c, &email)? {
            Some(user) => {
                if let Some(h) = &hash {
                    reset_password(c, user.id, h, now)?;
                    let object = format!("user:{email}");
                    accounts::record_audit(c, &NewAudit { actor: by, action: "user.reset", object: &object, result: "ok", origin: "cli", scope: "national" }, now)?;
                }
                user.id
            }
            None => accounts::create_user(c, &email, "", hash.as_deref(), now)?,
        };
        accounts::add_grant(c, id, role.as_str(), &scope.to_string())?;
        let (token, _) = mint_token(c, id, "meent user create", TOKEN_DAYS, now)?;
        let object = format!("user:{email} {} {scope}", role.as_str());
        accounts::record_audit(c, &NewAudit { actor: by, action: "user.create", object: &object, result: "ok", origin: "cli", scope: &scope.to_string() }, now)?;
        Ok(token)
    })
}

#[derive(Debug)]
pub enum Login {
    /// A new session: its id (for the cookie) and CSRF token, and the value of the cookie
    /// that remembers this browser when it did not have one for this account yet.
    Ok { session_id: String, csrf: String, device: Option<String>, actor: Actor },
    Invalid,
    /// Too many failures lately: try again after this many seconds.
    Throttled { retry_after: i64 },
}

/// What the first step of a login found and recorded.
struct Attempt {
    user: Option<User>,
    /// The remembered browser this attempt came from, when it belongs to the account.
    device: Option<String>,
    /// The failure rows recorded for this attempt (removed again when it succeeds).
    recorded: Vec<i64>,
    /// The key of the account or browser, cleared on success.
    own_key: String,
}

/// Checks a password login and starts a fresh session on success.
///
/// The attempt is counted before the password is checked (under a lock, so parallel attempts
/// see each other), and the password is checked without holding a database connection, in a
/// bounded number of slots. Failures slow down the next attempt of the account from unknown
/// browsers, of a known browser, and of the client's network (see `throttle`); none of them
/// locks the rightful user out of a browser they signed in with before.
pub fn login(pool: &Pool, email: &str, password: &str, address: &str, device: Option<&str>, now: i64) -> Result<Login, AccountError> {
    // What is recorded and echoed is bounded: no address is longer than 254 characters.
    let email: String = email.trim().to_lowercase().chars().take(254).collect();
    let plausible = is_email(&email) && password.len() <= secrets::MAX_PASSWORD_BYTES;
    let network = throttle::network_of(address);
    let audit = |c: &mut DbConnection, result: &str| {
        accounts::record_audit(c, &NewAudit { actor: &email, action: "login", object: "session", result, origin: address, scope: "national" }, now)
    };
    let attempt = {
        let mut conn = pool.get()?;
        db::table_tx(&mut conn, LockedTable::LoginFailures, |c| -> Result<Result<Attempt, i64>, AccountError> {
            let user = if plausible { accounts::user_by_email(c, &email)? } else { None };
            let device_hash = device.map(secrets::hash_token);
            let trusted = match (&user, &device_hash) {
                (Some(u), Some(h)) => accounts::device_user(c, h)? == Some(u.id),
                _ => false,
            };
            // A remembered browser answers for itself only: strangers on the same network (a
            // town hall's guest wifi) do not slow it down.
            let own = match (&device_hash, trusted) {
                (Some(h), true) => (KeyKind::Device, KeyKind::Device.key(h)),
                _ => (KeyKind::Account, KeyKind::Account.key(&secrets::hash_token(&email))),
            };
            let mut keys = vec![own.clone()];
            if !trusted {
                keys.push((KeyKind::Network, KeyKind::Network.key(&network)));
            }
            let mut wait = 0;
            for (kind, key) in &keys {
                let (failures, last) = accounts::failures_since(c, key, now - throttle::WINDOW)?;
                wait = wait.max(throttle::wait(*kind, failures, last, now));
            }
            if wait > 0 {
                return Ok(Err(wait));
            }
            let mut recorded = Vec::with_capacity(keys.len());
            for (_, key) in &keys {
                recorded.push(accounts::record_failure(c, key, now)?);
            }
            Ok(Ok(Attempt { user, device: trusted.then(|| device.map(str::to_owned)).flatten(), recorded, own_key: own.1 }))
        })?
    };
    let attempt = match attempt {
        Ok(a) => a,
        Err(retry_after) => {
            audit(&mut *pool.get()?, "throttled")?;
            return Ok(Login::Throttled { retry_after });
        }
    };
    let hash = attempt.user.as_ref().filter(|u| !u.disabled).and_then(|u| u.password_hash.clone());
    let checked = if plausible { secrets::verify_password(hash.as_deref(), password) } else { secrets::verify_password(None, "") };
    let mut conn = pool.get()?;
    let valid = match checked {
        Ok(valid) => valid,
        // Not checked (the server was too busy): the attempt does not count against anyone.
        Err(e) => {
            db::table_tx(&mut conn, LockedTable::LoginFailures, |c| accounts::delete_failures(c, &attempt.recorded))?;
            return Err(e.into());
        }
    };
    let Some(user) = attempt.user.filter(|_| valid) else {
        audit(&mut conn, "failed")?;
        return Ok(Login::Invalid);
    };
    let session_id = secrets::random_token()?;
    let csrf = secrets::random_token()?;
    let new_device = match &attempt.device {
        Some(known) => {
            accounts::touch_device(&mut conn, &secrets::hash_token(known), now)?;
            None
        }
        None => {
            let value = secrets::random_token()?;
            accounts::add_device(&mut conn, &secrets::hash_token(&value), user.id, now)?;
            Some(value)
        }
    };
    db::table_tx(&mut conn, LockedTable::LoginFailures, |c| -> Result<(), AccountError> {
        accounts::delete_failures(c, &attempt.recorded)?;
        accounts::clear_failures(c, &attempt.own_key)?;
        accounts::create_session(c, &secrets::hash_token(&session_id), user.id, &csrf, now)?;
        audit(c, "ok")?;
        Ok(())
    })?;
    let actor = actor_of(&mut conn, &user)?;
    Ok(Login::Ok { session_id, csrf, device: new_device, actor })
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
