//! Broken and redirected links as editors read them (`links`): per scope, each link with the
//! items and fields that hold it. A link in central text belongs to the national scope, so the
//! central team sees it once and no site is told about text it cannot change.

use serde::Serialize;

use super::{EditError, EditResult, Editor, views::DASHBOARD_SITES};
use crate::auth::permissions::Scope;
use crate::db::models::links::{self as stored, LinkCheck, StoredUse};

/// One link that needs an editor (its check: `broken` or `redirected`), with where it is
/// written.
#[derive(Debug, Clone, Serialize)]
pub struct LinkReport {
    #[serde(flatten)]
    pub check: LinkCheck,
    pub uses: Vec<StoredUse>,
}

/// A scope's links that need an editor, for the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeLinks {
    pub scope: String,
    pub name: String,
    pub links: Vec<LinkReport>,
}

impl Editor<'_> {
    /// The broken and redirected links written in `scope` (`national`, `group:<slug>`,
    /// `site:<slug>`), broken first.
    pub fn links(&mut self, scope: &str) -> EditResult<Vec<LinkReport>> {
        let scope = Scope::parse(scope).ok_or(EditError::NotFound)?;
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, "links.read", &format!("links:{scope}"), &scope)?;
        let mut reports: Vec<LinkReport> = Vec::new();
        for (u, check) in stored::in_scope(self.conn, &scope.to_string(), &["broken", "redirected"])? {
            match reports.last_mut() {
                Some(last) if last.check.url == u.url => last.uses.push(u),
                _ => reports.push(LinkReport { check, uses: vec![u] }),
            }
        }
        reports.sort_by_key(|r| r.check.state != "broken");
        Ok(reports)
    }

    /// The links that need this editor, per scope they work in (the catalogue, their groups,
    /// their first sites).
    pub fn links_overview(&mut self) -> EditResult<Vec<ScopeLinks>> {
        let mut scopes: Vec<(Scope, String)> = Vec::new();
        if self.actor.may_edit_catalogue() {
            scopes.push((Scope::National, "Landelijke catalogus".to_owned()));
        }
        let groups = crate::db::models::layers::groups(self.conn)?;
        let slugs: Vec<String> = groups.iter().map(|(_, g)| g.slug.clone()).collect();
        for slug in self.actor.group_slugs(&slugs) {
            let name = groups.iter().find(|(_, g)| g.slug == slug).map(|(_, g)| g.name.clone()).unwrap_or_default();
            scopes.push((Scope::Group(slug), name));
        }
        for slug in self.actor.site_slugs(self.directory).into_iter().take(DASHBOARD_SITES) {
            let name = self.directory.site_by_slug(&slug).map(|e| e.site.name.clone()).unwrap_or_default();
            scopes.push((Scope::Site(slug), name));
        }
        let mut out = Vec::new();
        for (scope, name) in scopes {
            let links = self.links(&scope.to_string())?;
            if !links.is_empty() {
                out.push(ScopeLinks { scope: scope.to_string(), name, links });
            }
        }
        Ok(out)
    }
}
