//! Who may do what, decided here and nowhere else. Every admin page and admin API handler asks
//! these functions before it reads or writes.
//!
//! - A `national` grant covers the catalogue, every group and every site.
//! - A `group:<slug>` grant covers that group and its member sites.
//! - A `site:<slug>` grant covers that site.
//! - Editors and admins may edit content in their scope; only admins manage accounts and read
//!   the audit log of their scope. Catalogue drafts are seen by national users only.

use std::fmt;

use serde::Serialize;

use crate::content::directory::Directory;
use crate::content::model::Owner;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    National,
    Group(String),
    Site(String),
}

impl Scope {
    pub fn parse(s: &str) -> Option<Scope> {
        match s.split_once(':') {
            None if s == "national" => Some(Scope::National),
            Some(("group", slug)) if crate::content::slug::is_slug(slug) => Some(Scope::Group(slug.to_owned())),
            Some(("site", slug)) if crate::content::slug::is_slug(slug) => Some(Scope::Site(slug.to_owned())),
            _ => None,
        }
    }

    /// Whether a grant for this scope reaches `target`: national reaches everything, a group
    /// itself and its member sites, a site itself.
    pub fn covers(&self, target: &Scope, directory: &Directory) -> bool {
        match (self, target) {
            (Scope::National, _) => true,
            (Scope::Group(a), Scope::Group(b)) => a == b,
            (Scope::Group(group), Scope::Site(site)) => directory.site_by_slug(site).is_some_and(|s| s.site.groups.iter().any(|m| m == group)),
            (Scope::Site(a), Scope::Site(b)) => a == b,
            _ => false,
        }
    }

    pub fn of(owner: &Owner) -> Scope {
        match owner {
            Owner::Group(g) => Scope::Group(g.clone()),
            Owner::Site(s) => Scope::Site(s.clone()),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::National => write!(f, "national"),
            Scope::Group(g) => write!(f, "group:{g}"),
            Scope::Site(s) => write!(f, "site:{s}"),
        }
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// A signed-in user (by session or API token).
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub email: String,
    pub grants: Vec<Grant>,
    /// The API token this request came with (none for a session).
    #[serde(skip)]
    pub token: Option<TokenUse>,
}

/// The token a request came with, for what a token may not do on its own behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenUse {
    pub id: i64,
    pub expires_at: Option<i64>,
}

impl Actor {
    /// Whether one of the grants covers `target` (for any role, or for admins only).
    fn covers(&self, target: &Scope, directory: &Directory, admin_only: bool) -> bool {
        self.grants.iter().filter(|g| !admin_only || g.role == Role::Admin).any(|g| g.scope.covers(target, directory))
    }

    /// May change (and see drafts and history of) content owned by this layer.
    pub fn may_edit(&self, target: &Scope, directory: &Directory) -> bool {
        self.covers(target, directory, false)
    }

    /// May change the national catalogue and see its drafts.
    pub fn may_edit_catalogue(&self) -> bool {
        self.grants.iter().any(|g| g.scope == Scope::National)
    }

    /// May manage accounts and read the audit log of this scope.
    pub fn may_administer(&self, target: &Scope, directory: &Directory) -> bool {
        self.covers(target, directory, true)
    }

    /// The sites this actor works on, for dashboards and previews.
    pub fn site_slugs(&self, directory: &Directory) -> Vec<String> {
        directory
            .sites()
            .iter()
            .filter(|s| self.may_edit(&Scope::Site(s.site.slug.clone()), directory))
            .map(|s| s.site.slug.clone())
            .collect()
    }

    /// The groups this actor works on.
    pub fn group_slugs(&self, all_groups: &[String]) -> Vec<String> {
        all_groups
            .iter()
            .filter(|g| self.grants.iter().any(|grant| match &grant.scope {
                Scope::National => true,
                Scope::Group(x) => x == *g,
                Scope::Site(_) => false,
            }))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::directory::SiteEntry;
    use crate::content::model::{Contact, Site};

    fn site(slug: &str, groups: &[&str]) -> SiteEntry {
        SiteEntry::new(
            1,
            Site {
                slug: slug.into(),
                name: slug.into(),
                hosts: vec![format!("{slug}.test")],
                groups: groups.iter().map(|g| g.to_string()).collect(),
                municipality_code: None,
                owms_uri: None,
                security_contact: None,
                contact: Contact::default(),
                variables: Default::default(),
                popular: vec![],
                theme_tokens: None,
                accessibility: None,
                services: Default::default(),
                revision: 1,
                updated_at: 0,
            },
            vec![],
        )
    }

    fn actor(role: Role, scope: &str) -> Actor {
        Actor { user_id: 1, email: "a@example.org".into(), grants: vec![Grant { role, scope: Scope::parse(scope).unwrap() }], token: None }
    }

    #[test]
    fn scopes() {
        let dir = Directory::from_entries(vec![site("a", &["g"]), site("b", &[])]);
        let site_a = Scope::Site("a".into());
        let site_b = Scope::Site("b".into());
        let group = Scope::Group("g".into());
        let national = actor(Role::Editor, "national");
        assert!(national.may_edit(&site_b, &dir) && national.may_edit_catalogue() && !national.may_administer(&site_b, &dir));
        let group_editor = actor(Role::Editor, "group:g");
        assert!(group_editor.may_edit(&group, &dir) && group_editor.may_edit(&site_a, &dir));
        assert!(!group_editor.may_edit(&site_b, &dir) && !group_editor.may_edit_catalogue());
        let site_admin = actor(Role::Admin, "site:a");
        assert!(site_admin.may_edit(&site_a, &dir) && site_admin.may_administer(&site_a, &dir));
        assert!(!site_admin.may_edit(&site_b, &dir) && !site_admin.may_edit(&group, &dir));
        assert_eq!(group_editor.site_slugs(&dir), ["a"]);
        assert_eq!(Scope::parse("site:diemen"), Some(Scope::Site("diemen".into())));
        assert_eq!(Scope::parse("site:"), None);
        assert_eq!(Scope::parse("everything"), None);
        assert_eq!(Scope::Group("g".into()).to_string(), "group:g");
    }
}
