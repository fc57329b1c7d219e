//! Releases: an editor of a scope (the central team, a group, a site) bundles changes of that
//! scope (products, overrides, pages, news, alerts, the thesaurus) into a named release by
//! saving them with it (`X-Release` in the admin API): each is checked as a save and staged
//! (`approval::Publishing::Release`), residents see nothing yet. The release can be previewed
//! on any site, published at once or at a moment, and undone as a whole. Publishing saves every
//! change in one transaction, so every site, search and export switches together; each change
//! keeps the item's document from before and after, and undoing puts the "before" back in one
//! transaction, refusing if an item changed since.

use serde::{Deserialize, Serialize};

use super::approval::{ProposalView, Publishing, Target};
use super::{EditError, EditResult, Editor};
use crate::auth::permissions::Scope;
use crate::content::fold::{Resolved, fold};
use crate::content::kind::Kind;
use crate::db;
use crate::db::models::accounts::{self, NewAudit};
use crate::db::models::proposals::{self as stored, OPEN, PUBLISHED, Proposal, Release, SCHEDULED, STAGED, UNDONE};
use crate::db::models::{catalogue, overrides};

/// Longest release name.
const MAX_NAME: usize = 200;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRelease {
    pub scope: String,
    pub name: String,
}

/// When to publish: an RFC 3339 time or a date and time in the Netherlands; none: not
/// scheduled (back to open).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub publish_at: Option<String>,
}

/// A release with its changes.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseView {
    #[serde(flatten)]
    pub release: Release,
    pub changes: Vec<ProposalView>,
}

/// The documents of an item before and after its release was published.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BeforeAfter {
    before: serde_json::Value,
    after: serde_json::Value,
}

/// A document without what every save changes, to compare two states of an item.
fn comparable(value: &serde_json::Value) -> serde_json::Value {
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        for volatile in ["revision", "updated", "based_on"] {
            map.remove(volatile);
        }
    }
    value
}

fn invalid(message: String) -> EditError {
    EditError::Invalid(vec![message.into()])
}

/// Stops a preview's transaction (so nothing of it is kept) with its result.
enum PreviewStop {
    Done(Box<Resolved>),
    Failed(EditError),
}

impl From<diesel::result::Error> for PreviewStop {
    fn from(e: diesel::result::Error) -> Self {
        PreviewStop::Failed(e.into())
    }
}

impl From<EditError> for PreviewStop {
    fn from(e: EditError) -> Self {
        PreviewStop::Failed(e)
    }
}

impl Editor<'_> {
    /// A release the actor works on (an editor of its scope).
    fn release_in_scope(&mut self, id: i64, action: &str) -> EditResult<(Release, Scope)> {
        let release = stored::release(self.conn, id)?.ok_or(EditError::NotFound)?;
        let scope = Scope::parse(&release.scope).ok_or_else(|| EditError::Internal(format!("release {id} has scope {:?}", release.scope)))?;
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, action, &format!("release:{id}"), &scope)?;
        Ok((release, scope))
    }

    pub fn create_release(&mut self, new: NewRelease) -> EditResult<ReleaseView> {
        let scope = Scope::parse(&new.scope).ok_or_else(|| invalid(format!("/scope: {:?} is not national, group:<slug> or site:<slug>", new.scope)))?;
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, "release.create", &format!("release:{scope}"), &scope)?;
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(invalid(format!("/name: give the release a name of 1 to {MAX_NAME} characters on one line")));
        }
        let (now, author, origin, scope_text) = (self.now, self.actor.email.clone(), self.origin.to_owned(), scope.to_string());
        let id = db::write_tx(self.conn, |c| -> EditResult<i64> {
            let id = stored::create_release(c, &scope_text, name, &author, now)?;
            accounts::record_audit(c, &NewAudit { actor: &author, action: "release.create", object: &format!("release:{id}"), result: "ok", origin: &origin, scope: &scope_text }, now)?;
            Ok(id)
        })?;
        self.release_view(id)
    }

    /// The scopes this editor can start a release in.
    pub fn release_scopes(&mut self) -> EditResult<Vec<String>> {
        self.my_scopes()
    }

    /// The releases of the scopes this editor works in, newest first.
    pub fn releases(&mut self) -> EditResult<Vec<Release>> {
        let scopes = self.my_scopes()?;
        Ok(stored::releases_in(self.conn, &scopes, 200)?)
    }

    pub fn release_view(&mut self, id: i64) -> EditResult<ReleaseView> {
        let (release, _) = self.release_in_scope(id, "release.read")?;
        let changes = stored::of_release(self.conn, id)?.into_iter().map(ProposalView::new).collect();
        Ok(ReleaseView { release, changes })
    }

    /// Where the scope asks for four eyes, a release is published (or scheduled) by an editor
    /// who wrote none of its changes, as a proposal is approved by one who did not write it; an
    /// admin of the scope may do it with a reason (`Publishing::Direct`, audited).
    fn second_pair_of_eyes(&mut self, id: i64, scope: &Scope, action: &str) -> EditResult<()> {
        if !self.approval_required(scope)? {
            return Ok(());
        }
        if let Publishing::Direct(reason) = self.publishing.clone() {
            let allowed = self.actor.may_administer(scope, self.directory);
            self.require(allowed, "approval.direct", &format!("release:{id}"), scope)?;
            if reason.trim().is_empty() {
                return Err(invalid("a direct publication needs a reason".to_owned()));
            }
            return self.audit("approval.direct", &format!("release:{id}: {}", reason.trim()), "ok", scope).map_err(EditError::from);
        }
        let me = self.actor.email.clone();
        if stored::of_release(self.conn, id)?.iter().any(|p| p.state == STAGED && p.author == me) {
            self.audit(action, &format!("release:{id}"), "refused: own change", scope)?;
            return Err(EditError::OwnChange);
        }
        Ok(())
    }

    /// Publishes every staged change of the release in one transaction: all or nothing.
    pub fn publish_release(&mut self, id: i64) -> EditResult<ReleaseView> {
        let (_, scope) = self.release_in_scope(id, "release.publish")?;
        self.second_pair_of_eyes(id, &scope, "release.publish")?;
        let (actor, directory, origin, now) = (self.actor, self.directory, self.origin, self.now);
        db::write_tx(self.conn, |c| -> EditResult<()> {
            if !stored::move_release(c, id, &[OPEN, SCHEDULED], PUBLISHED, None)? {
                return Err(invalid(format!("/state: release {id} is not open or scheduled")));
            }
            let changes: Vec<Proposal> = stored::of_release(c, id)?.into_iter().filter(|p| p.state == STAGED).collect();
            if changes.is_empty() {
                return Err(invalid(format!("release {id} has no changes")));
            }
            let mut inner = Editor { conn: c, actor, directory, origin, now, publishing: Publishing::Approved };
            inner.apply_release(&changes)?;
            stored::mark_published(inner.conn, id, &actor.email, now)?;
            accounts::record_audit(inner.conn, &NewAudit { actor: &actor.email, action: "release.publish", object: &format!("release:{id}"), result: "ok", origin, scope: &scope.to_string() }, now)?;
            Ok(())
        })?;
        self.release_view(id)
    }

    /// Saves each change, keeping the item's document from before and after.
    fn apply_release(&mut self, changes: &[Proposal]) -> EditResult<()> {
        for change in changes {
            let target = Target::parse(&change.kind, &change.target).ok_or_else(|| EditError::Internal(format!("change {} has target {:?}", change.id, change.target)))?;
            let before = self.item_document(&target)?;
            self.save_proposed(&target, change).map_err(|e| match e {
                EditError::Invalid(problems) => invalid(format!("{}: {}", change.title, problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))),
                EditError::Conflict { .. } | EditError::ChangedMeanwhile => invalid(format!("{}: changed since it was put in the release; put it in again", change.title)),
                other => other,
            })?;
            let after = match &target {
                // A new page, news item or alert got its id now.
                Target::Local(..) if change.document == "null" => serde_json::Value::Null,
                Target::Local(kind, owner, None) => self.newest_local(*kind, owner)?,
                _ => self.item_document(&target)?,
            };
            let kept = serde_json::to_string(&BeforeAfter { before, after }).map_err(|e| EditError::Internal(e.to_string()))?;
            stored::set_state(self.conn, change.id, PUBLISHED, Some(&kept))?;
        }
        Ok(())
    }

    /// The newest item of a kind of an owner (the one a release just made), as its document.
    fn newest_local(&mut self, kind: Kind, owner: &crate::content::model::Owner) -> EditResult<serde_json::Value> {
        let list = match kind {
            Kind::Page => serde_json::to_value(self.local::<super::Pages>().list(owner)?),
            Kind::News => serde_json::to_value(self.local::<super::News>().list(owner)?),
            _ => serde_json::to_value(self.local::<super::Alerts>().list(owner)?),
        }
        .map_err(|e| EditError::Internal(e.to_string()))?;
        Ok(list.as_array().and_then(|items| items.iter().max_by_key(|i| i["id"].as_i64().unwrap_or(0)).cloned()).unwrap_or_default())
    }

    /// An item's document now (`null`: it does not exist).
    fn item_document(&mut self, target: &Target) -> EditResult<serde_json::Value> {
        Ok(self.target_document(target)?.unwrap_or(serde_json::Value::Null))
    }

    /// Sets when the release is published (`None`: not scheduled, open again).
    pub fn schedule_release(&mut self, id: i64, schedule: Schedule) -> EditResult<ReleaseView> {
        let (_, scope) = self.release_in_scope(id, "release.schedule")?;
        self.second_pair_of_eyes(id, &scope, "release.schedule")?;
        let at = match schedule.publish_at.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(text) => {
                let at = crate::content::dated::moment(text).ok_or_else(|| invalid(format!("/publish_at: {text:?} is not a date and time")))?;
                if at <= self.now {
                    return Err(invalid("/publish_at: choose a moment in the future, or publish now".to_owned()));
                }
                Some(at)
            }
        };
        let to = if at.is_some() { SCHEDULED } else { OPEN };
        if !stored::move_release(self.conn, id, &[OPEN, SCHEDULED], to, at)? {
            return Err(invalid(format!("/state: release {id} is no longer open")));
        }
        // The release is published in the name of who scheduled it.
        stored::scheduled_by(self.conn, id, at.map(|_| self.actor.email.as_str()))?;
        self.audit("release.schedule", &format!("release:{id} {}", at.map_or("none".to_owned(), |t| t.to_string())), "ok", &scope)?;
        self.release_view(id)
    }

    /// Puts back what a published release changed, in one transaction; refused when an item
    /// changed after the release (nothing is undone then).
    pub fn undo_release(&mut self, id: i64) -> EditResult<ReleaseView> {
        let (_, scope) = self.release_in_scope(id, "release.undo")?;
        let (actor, directory, origin, now) = (self.actor, self.directory, self.origin, self.now);
        db::write_tx(self.conn, |c| -> EditResult<()> {
            if !stored::move_release(c, id, &[PUBLISHED], UNDONE, None)? {
                return Err(invalid(format!("/state: release {id} is not published")));
            }
            stored::mark_undone(c, id, now)?;
            let changes: Vec<Proposal> = stored::of_release(c, id)?.into_iter().filter(|p| p.state == PUBLISHED).rev().collect();
            let mut inner = Editor { conn: c, actor, directory, origin, now, publishing: Publishing::Approved };
            for change in &changes {
                inner.undo_change(change)?;
                stored::set_state(inner.conn, change.id, UNDONE, change.previous.as_deref())?;
            }
            accounts::record_audit(inner.conn, &NewAudit { actor: &actor.email, action: "release.undo", object: &format!("release:{id}"), result: "ok", origin, scope: &scope.to_string() }, now)?;
            Ok(())
        })?;
        self.release_view(id)
    }

    fn undo_change(&mut self, change: &Proposal) -> EditResult<()> {
        let kept: BeforeAfter = serde_json::from_str(change.previous.as_deref().unwrap_or("")).map_err(|e| EditError::Internal(format!("change {}: {e}", change.id)))?;
        let mut target = Target::parse(&change.kind, &change.target).ok_or_else(|| EditError::Internal(format!("change {} has target {:?}", change.id, change.target)))?;
        if let (Target::Local(kind, owner, None), Some(id)) = (&target, kept.after["id"].as_i64()) {
            target = Target::Local(*kind, owner.clone(), Some(id));
        }
        let now = self.item_document(&target)?;
        if comparable(&now) != comparable(&kept.after) {
            return Err(invalid(format!("{}: changed after the release; change it back by hand", change.title)));
        }
        let revision = now["revision"].as_i64();
        let document = match (&target, &kept.before) {
            // A product the release made stays, as a draft: the catalogue deletes nothing.
            (Target::Product(_), serde_json::Value::Null) => {
                let mut draft = now.clone();
                draft["status"] = serde_json::json!("draft");
                draft.to_string()
            }
            (_, before) => {
                let mut before = before.clone();
                if let Some(map) = before.as_object_mut() {
                    map.remove("revision");
                }
                before.to_string()
            }
        };
        let undo = Proposal { document, based_on: revision, ..change.clone() };
        self.save_proposed(&target, &undo)
    }

    /// The product `slug` on `site` as it will be when the release is published: the release is
    /// applied in a transaction that is then rolled back, so nothing of it stays.
    pub fn preview_release(&mut self, id: i64, site: &str, slug: &str) -> EditResult<Resolved> {
        self.release_in_scope(id, "release.preview")?;
        let entry = self.directory.site_by_slug(site).map(|e| (**e).clone()).ok_or(EditError::NotFound)?;
        let allowed = self.actor.may_edit(&Scope::Site(site.to_owned()), self.directory) || self.actor.may_edit_catalogue();
        self.require(allowed, "release.preview", &format!("release:{id} site:{site}"), &Scope::Site(site.to_owned()))?;
        let (actor, directory, origin, now) = (self.actor, self.directory, self.origin, self.now);
        let outcome = db::write_tx(self.conn, |c| -> Result<(), PreviewStop> {
            let changes: Vec<Proposal> = stored::of_release(c, id)?.into_iter().filter(|p| p.state == STAGED).collect();
            let mut inner = Editor { conn: c, actor, directory, origin, now, publishing: Publishing::Approved };
            inner.apply_release(&changes)?;
            let (product_id, product) = catalogue::find(inner.conn, slug)?.ok_or(EditError::NotFound)?;
            let stored = overrides::for_layers(inner.conn, &entry.group_ids(), entry.id, Some(product_id))?;
            let resolved = fold(&product, &entry.layers(product_id, &stored), entry.fields(now));
            Err(PreviewStop::Done(Box::new(resolved)))
        });
        match outcome {
            Err(PreviewStop::Done(resolved)) => Ok(*resolved),
            Err(PreviewStop::Failed(e)) => Err(e),
            Ok(()) => Err(EditError::Internal("a preview kept its changes".into())),
        }
    }
}

/// Publishes the scheduled releases whose moment came, each as the editor who scheduled it
/// (who must still have the account and the right to).
pub fn publish_due(conn: &mut db::DbConnection, directory: &crate::content::directory::Directory, now: i64) -> EditResult<usize> {
    let mut published = 0;
    for release in stored::due_releases(conn, now)? {
        let by = release.published_by.clone().unwrap_or_else(|| release.created_by.clone());
        let Some(user) = crate::db::models::accounts::user_by_email(conn, &by)?.filter(|u| !u.disabled) else {
            tracing::warn!(release = release.id, "a scheduled release's editor is gone; it stays scheduled");
            continue;
        };
        let actor = crate::auth::accounts::actor_of(conn, &user)?;
        let mut editor = Editor { conn, actor: &actor, directory, origin: "scheduled", now, publishing: Publishing::Normal };
        match editor.publish_release(release.id) {
            Ok(_) => published += 1,
            // What will not change by trying again goes back to open, for its editors to see,
            // instead of being tried every few seconds; a busy database is tried again.
            Err(e @ (EditError::Forbidden | EditError::Invalid(_) | EditError::Conflict { .. } | EditError::NotFound)) => {
                tracing::warn!(release = release.id, error = %e, "a scheduled release could not be published; it is open again");
                stored::move_release(conn, release.id, &[SCHEDULED], OPEN, None)?;
            }
            Err(e) => tracing::warn!(release = release.id, error = %e, "a scheduled release could not be published; trying again"),
        }
    }
    Ok(published)
}

/// Publishes due releases from a thread of its own, looking every `poll`.
pub fn spawn(pool: db::Pool, directory: crate::feed::SharedDirectory, poll: std::time::Duration) {
    let spawned = std::thread::Builder::new().name("meent-releases".into()).spawn(move || {
        loop {
            std::thread::sleep(poll);
            let Ok(mut conn) = pool.get() else { continue };
            let directory = crate::feed::current(&directory);
            match publish_due(&mut conn, &directory, crate::now()) {
                Ok(0) => {}
                Ok(n) => tracing::info!(releases = n, "scheduled releases published"),
                Err(e) => tracing::warn!(error = %e, "scheduled releases"),
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the release thread");
    }
}
