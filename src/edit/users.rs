//! Accounts and the audit log, for admins: only within the scopes they administer.

use serde::{Deserialize, Serialize};

use super::{EditError, EditResult, Editor};
use crate::auth::accounts as auth;
use crate::auth::permissions::{Role, Scope};
use crate::db::models::accounts::{self, AuditEntry};

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
    #[serde(default)]
    pub password: Option<String>,
}

/// A new user's API token, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub email: String,
    pub token: String,
}

impl Editor<'_> {
    /// The scope strings this actor administers (every scope for a national admin).
    fn administered(&self) -> Option<Vec<String>> {
        if self.actor.may_administer(&Scope::National, self.directory) {
            return None;
        }
        let mut scopes: Vec<String> = self.directory.sites().iter().filter(|s| self.actor.may_administer(&Scope::Site(s.site.slug.clone()), self.directory)).map(|s| format!("site:{}", s.site.slug)).collect();
        for g in &self.actor.grants {
            if g.role == Role::Admin {
                if let Scope::Group(slug) = &g.scope {
                    scopes.push(format!("group:{slug}"));
                }
            }
        }
        Some(scopes)
    }

    fn require_admin(&mut self, action: &str) -> EditResult<Option<Vec<String>>> {
        let scopes = self.administered();
        let any = scopes.as_ref().is_none_or(|s| !s.is_empty());
        self.require(any, action, "accounts", &Scope::National)?;
        Ok(scopes)
    }

    /// The audit log of the scopes this admin administers, newest first.
    pub fn audit_log(&mut self, limit: i64) -> EditResult<Vec<AuditEntry>> {
        let scopes = self.require_admin("audit.read")?;
        Ok(accounts::audit_entries(self.conn, scopes.as_deref(), limit.clamp(1, 1000))?)
    }

    /// Users whose every grant lies in the scopes this admin administers.
    pub fn users(&mut self) -> EditResult<Vec<UserView>> {
        let scopes = self.require_admin("users.read")?;
        let mut out = Vec::new();
        for user in accounts::all_users(self.conn)? {
            let grants = accounts::grants_of(self.conn, user.id)?;
            let mine = !grants.is_empty() && grants.iter().all(|(_, s)| scopes.as_ref().is_none_or(|mine| mine.contains(s)));
            if mine {
                out.push(UserView { id: user.id, email: user.email, disabled: user.disabled, grants });
            }
        }
        Ok(out)
    }

    pub fn create_user(&mut self, new: NewUser) -> EditResult<Created> {
        let scopes = self.require_admin("users.create")?;
        let role = Role::parse(&new.role).ok_or_else(|| EditError::Invalid(vec!["role: admin of editor".into()]))?;
        let scope = Scope::parse(&new.scope).ok_or_else(|| EditError::Invalid(vec!["scope: national, group:<naam> of site:<naam>".into()]))?;
        let allowed = scopes.as_ref().is_none_or(|s| s.contains(&scope.to_string()));
        self.require(allowed, "users.create", &new.email, &scope)?;
        let by = self.actor.email.clone();
        let token = auth::create_user(self.conn, &new.email, role, &scope, new.password.as_deref(), &by, self.now).map_err(|e| match e {
            auth::AccountError::Db(db) => EditError::Db(db),
            other => EditError::Invalid(vec![other.to_string()]),
        })?;
        Ok(Created { email: new.email.trim().to_lowercase(), token })
    }

    /// Disables a user of this admin's scopes: their sessions end and tokens stop working.
    pub fn disable_user(&mut self, id: i64) -> EditResult<()> {
        let visible = self.users()?;
        let Some(user) = visible.iter().find(|u| u.id == id) else {
            self.audit("users.disable", &format!("user:{id}"), "forbidden", &Scope::National)?;
            return Err(EditError::NotFound);
        };
        accounts::set_disabled(self.conn, id, true)?;
        let scope = user.grants.first().map(|(_, s)| s.clone()).unwrap_or_else(|| "national".into());
        let entry = accounts::NewAudit { actor: &self.actor.email, action: "users.disable", object: &user.email, result: "ok", origin: self.origin, scope: &scope };
        accounts::record_audit(self.conn, &entry, self.now)?;
        Ok(())
    }
}
