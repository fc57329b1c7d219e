//! Accounts, API tokens and the audit log, for admins: only within the scopes they
//! administer. An account is managed by whoever administers every scope it holds a grant in,
//! so no admin can reach an account that can do more than they can.

use serde::{Deserialize, Serialize};

use super::{EditError, EditResult, Editor};
use crate::auth::accounts as auth;
use crate::auth::permissions::{Role, Scope};
use crate::auth::secrets;
use crate::db;
use crate::db::models::accounts::{self, AuditEntry, NewAudit, Token};

#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub disabled: bool,
    pub grants: Vec<(String, String)>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub role: String,
    pub scope: String,
    /// Only for a new account; an existing account keeps its password.
    #[serde(default)]
    pub password: Option<String>,
}

/// The outcome of adding a user: a new account with its first API token (shown once), or a
/// grant added to an existing account (no token: its secrets are its owner's).
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub email: String,
    pub existing: bool,
    pub token: Option<String>,
    pub token_expires_at: Option<i64>,
    /// The grant took an existing account beyond the scopes it had: whoever could know its
    /// password or tokens (an admin of a narrower scope who made it) must not carry them into
    /// the wider one, so its password, sessions and tokens ended. Set a new one with a reset.
    pub sign_ins_ended: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// A new API token: the secret, shown once, and its record.
#[derive(Debug, Clone, Serialize)]
pub struct MintedToken {
    pub token: String,
    #[serde(flatten)]
    pub record: Token,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The new password; without one, a random password is made and shown once.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResetDone {
    pub email: String,
    /// The password that was made, when none was given.
    pub password: Option<String>,
}

fn invalid(e: auth::AccountError) -> EditError {
    match e {
        auth::AccountError::Db(db) => EditError::Db(db),
        auth::AccountError::Pool(p) => EditError::Unavailable(p.to_string()),
        auth::AccountError::Secret(e @ (secrets::SecretError::TooShort | secrets::SecretError::TooLong)) => EditError::Invalid(vec![format!("password: {e}").into()]),
        auth::AccountError::Secret(secrets::SecretError::Busy) => EditError::Unavailable(secrets::SecretError::Busy.to_string()),
        auth::AccountError::Secret(other) => EditError::Internal(other.to_string()),
        auth::AccountError::Invalid(m) => EditError::Invalid(vec![m.into()]),
    }
}

impl Editor<'_> {
    /// Whether this actor administers every scope of an account's grants (an account without
    /// grants only by national admins).
    fn administers(&self, grants: &[(String, String)]) -> bool {
        if grants.is_empty() {
            return self.actor.may_administer(&Scope::National, self.directory);
        }
        grants.iter().all(|(_, scope)| Scope::parse(scope).is_some_and(|s| self.actor.may_administer(&s, self.directory)))
    }

    /// Refuses unless this actor administers at least one scope.
    fn require_admin(&mut self, action: &str) -> EditResult<()> {
        let any = self.actor.grants.iter().any(|g| g.role == Role::Admin);
        self.require(any, action, "accounts", &Scope::National)
    }

    /// The scopes whose audit entries this actor may read: `None` for all.
    fn audited_scopes(&self) -> Option<Vec<String>> {
        if self.actor.may_administer(&Scope::National, self.directory) {
            return None;
        }
        let mut scopes: Vec<String> = self
            .directory
            .sites()
            .iter()
            .filter(|s| self.actor.may_administer(&Scope::Site(s.site.slug.clone()), self.directory))
            .map(|s| format!("site:{}", s.site.slug))
            .collect();
        for g in &self.actor.grants {
            if let (Role::Admin, Scope::Group(slug)) = (g.role, &g.scope) {
                scopes.push(format!("group:{slug}"));
            }
        }
        Some(scopes)
    }

    /// The audit log of the scopes this admin administers, newest first.
    pub fn audit_log(&mut self, limit: i64) -> EditResult<Vec<AuditEntry>> {
        self.require_admin("audit.read")?;
        let scopes = self.audited_scopes();
        Ok(accounts::audit_entries(self.conn, scopes.as_deref(), limit.clamp(1, 1000))?)
    }

    /// The accounts this admin manages.
    pub fn users(&mut self) -> EditResult<Vec<UserView>> {
        self.require_admin("users.read")?;
        let mut out = Vec::new();
        for user in accounts::all_users(self.conn)? {
            let grants = accounts::grants_of(self.conn, user.id)?;
            if !grants.is_empty() && self.administers(&grants) {
                out.push(UserView { id: user.id, email: user.email, disabled: user.disabled, grants });
            }
        }
        Ok(out)
    }

    /// One account this admin manages; `NotFound` (audited) for any other.
    pub fn user(&mut self, id: i64, action: &str) -> EditResult<UserView> {
        self.require_admin(action)?;
        let found = match accounts::user(self.conn, id)? {
            Some(user) => {
                let grants = accounts::grants_of(self.conn, user.id)?;
                self.administers(&grants).then_some(UserView { id: user.id, email: user.email, disabled: user.disabled, grants })
            }
            None => None,
        };
        match found {
            Some(view) => Ok(view),
            None => {
                self.audit(action, &format!("user:{id}"), "forbidden", &Scope::National)?;
                Err(EditError::NotFound)
            }
        }
    }

    /// Adds a user: a new account (with its first API token), or a grant for an existing one,
    /// which needs this admin to manage every scope the account already holds and never
    /// changes its password, tokens or sessions.
    pub fn create_user(&mut self, new: NewUser) -> EditResult<Created> {
        self.require_admin("users.create")?;
        let role = Role::parse(&new.role).ok_or_else(|| EditError::Invalid(vec!["role: admin of editor".into()]))?;
        let scope = Scope::parse(&new.scope).ok_or_else(|| EditError::Invalid(vec!["scope: national, group:<naam> of site:<naam>".into()]))?;
        let email = auth::normalize_email(&new.email).map_err(invalid)?;
        let allowed = self.actor.may_administer(&scope, self.directory);
        self.require(allowed, "users.create", &format!("user:{email}"), &scope)?;
        auth::check_scope(self.conn, &scope).map_err(invalid)?;
        let existing = accounts::user_by_email(self.conn, &email)?;
        let mut widens = false;
        if let Some(user) = &existing {
            let grants = accounts::grants_of(self.conn, user.id)?;
            let manages = self.administers(&grants);
            self.require(manages, "users.grant", &format!("user:{email}"), &scope)?;
            if new.password.is_some() {
                return Err(EditError::Invalid(vec![
                    "password: dit account bestaat al en houdt zijn eigen wachtwoord; gebruik 'wachtwoord opnieuw instellen'".into(),
                ]));
            }
            widens = !grants.iter().any(|(_, s)| Scope::parse(s).is_some_and(|held| held.covers(&scope, self.directory)));
        }
        let hash = match (&existing, &new.password) {
            (None, Some(p)) => Some(secrets::hash_password(p).map_err(|e| invalid(e.into()))?),
            _ => None,
        };
        let (actor, origin, now) = (self.actor.email.clone(), self.origin.to_owned(), self.now);
        db::write_tx(self.conn, |c| -> EditResult<Created> {
            let object = format!("user:{email} {} {scope}", role.as_str());
            let audit = |c: &mut db::DbConnection, action: &str| {
                accounts::record_audit(c, &NewAudit { actor: &actor, action, object: &object, result: "ok", origin: &origin, scope: &scope.to_string() }, now)
            };
            match accounts::user_by_email(c, &email)? {
                Some(user) => {
                    accounts::add_grant(c, user.id, role.as_str(), &scope.to_string())?;
                    if widens {
                        accounts::set_password(c, user.id, None)?;
                        auth::end_sign_ins(c, user.id, now)?;
                    }
                    audit(c, if widens { "users.grant.widened" } else { "users.grant" })?;
                    Ok(Created { email: email.clone(), existing: true, token: None, token_expires_at: None, sign_ins_ended: widens })
                }
                None => {
                    let id = accounts::create_user(c, &email, "", hash.as_deref(), now)?;
                    accounts::add_grant(c, id, role.as_str(), &scope.to_string())?;
                    let (token, record) = auth::mint_token(c, id, &format!("gemaakt door {actor}"), auth::TOKEN_DAYS, now).map_err(invalid)?;
                    audit(c, "users.create")?;
                    Ok(Created { email: email.clone(), existing: false, token: Some(token), token_expires_at: record.expires_at, sign_ins_ended: false })
                }
            }
        })
    }

    /// Disables an account this admin manages: its sessions end and tokens stop working.
    pub fn disable_user(&mut self, id: i64) -> EditResult<()> {
        let user = self.user(id, "users.disable")?;
        accounts::set_disabled(self.conn, id, true)?;
        let scope = user.grants.first().map(|(_, s)| s.clone()).unwrap_or_else(|| "national".into());
        let entry = NewAudit { actor: &self.actor.email, action: "users.disable", object: &user.email, result: "ok", origin: self.origin, scope: &scope };
        accounts::record_audit(self.conn, &entry, self.now)?;
        Ok(())
    }

    /// Sets a new password for an account this admin manages (or their own) and ends its
    /// sessions, tokens and remembered browsers.
    pub fn reset_password(&mut self, id: i64, reset: PasswordReset) -> EditResult<ResetDone> {
        // A token may not set its own account's password: it would outlive its revocation.
        let own_by_token = id == self.actor.user_id && self.actor.token.is_some();
        self.require(!own_by_token, "users.reset", &format!("user:{id}"), &Scope::National)?;
        let user = self.user(id, "users.reset")?;
        let (password, made) = match reset.password {
            Some(p) => (p, false),
            None => {
                let made = secrets::random_token().map_err(|e| EditError::Internal(e.to_string()))?;
                (made[..24].to_owned(), true)
            }
        };
        let hash = secrets::hash_password(&password).map_err(|e| invalid(e.into()))?;
        let scope = user.grants.first().map(|(_, s)| s.clone()).unwrap_or_else(|| "national".into());
        let (actor, origin, now) = (self.actor.email.clone(), self.origin.to_owned(), self.now);
        db::write_tx(self.conn, |c| -> EditResult<()> {
            auth::reset_password(c, id, &hash, now)?;
            accounts::record_audit(c, &NewAudit { actor: &actor, action: "users.reset", object: &user.email, result: "ok", origin: &origin, scope: &scope }, now)?;
            Ok(())
        })?;
        Ok(ResetDone { email: user.email, password: made.then_some(password) })
    }

    // API tokens.

    /// The actor's own tokens, newest first.
    pub fn own_tokens(&mut self) -> EditResult<Vec<Token>> {
        Ok(accounts::tokens_of(self.conn, self.actor.user_id)?)
    }

    /// The tokens of an account this admin manages.
    pub fn user_tokens(&mut self, id: i64) -> EditResult<Vec<Token>> {
        self.user(id, "tokens.read")?;
        Ok(accounts::tokens_of(self.conn, id)?)
    }

    /// A new token for the actor's own account. Made with another token, it expires no later
    /// than that one and ends when that one is revoked.
    pub fn create_token(&mut self, new: NewToken) -> EditResult<MintedToken> {
        let days = auth::token_days(new.expires_in_days).map_err(invalid)?;
        let (user_id, now) = (self.actor.user_id, self.now);
        let mut expires_at = now + days * 86_400;
        let parent = self.actor.token.map(|t| t.id);
        if let Some(limit) = self.actor.token.and_then(|t| t.expires_at) {
            expires_at = expires_at.min(limit);
        }
        let (token, record) = auth::mint_child_token(self.conn, user_id, &new.name, expires_at, parent, now).map_err(invalid)?;
        self.audit("tokens.create", &format!("token:{}", record.id), "ok", &Scope::National)?;
        Ok(MintedToken { token, record })
    }

    /// Revokes a token of the actor's own, or of an account this admin manages.
    pub fn revoke_token(&mut self, id: i64) -> EditResult<()> {
        let object = format!("token:{id}");
        let Some(token) = accounts::token(self.conn, id)? else {
            self.audit("tokens.revoke", &object, "forbidden", &Scope::National)?;
            return Err(EditError::NotFound);
        };
        if token.user_id != self.actor.user_id {
            self.user(token.user_id, "tokens.revoke")?;
        }
        accounts::revoke_token_id(self.conn, id, self.now)?;
        self.audit("tokens.revoke", &object, "ok", &Scope::National)?;
        Ok(())
    }
}
