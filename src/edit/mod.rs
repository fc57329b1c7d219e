//! Editing content: every change an editor makes, through the admin pages or the admin API,
//! goes through an `Editor`. It asks `auth::permissions` first, checks the revision the edit
//! was based on (a stale one is a conflict and changes nothing), validates, and saves in one
//! transaction with the change log, the revision history and the audit log.

mod users;
pub mod behind;
pub mod documents;
pub mod translations;
mod local;
mod media;
mod views;
pub mod sdg;
pub mod opt_outs;
pub mod approval;
pub mod links;
pub mod digest;
pub mod releases;
pub mod residents;
pub mod thesaurus;

use diesel::QueryResult;
use serde::Serialize;

pub use users::{Created, MintedToken, NewToken, NewUser, PasswordReset, ResetDone, UserView};
pub use documents::{AlertDoc, NewsDoc, OverrideDoc, PageDoc, ProductDoc, Problems, RedirectsDoc};
pub use local::{Alerts, Local, LocalKind, News, Pages};
pub use media::{MediaDoc, MediaText, Upload, Use, visible_on};
pub use views::{COMING_DAYS, DASHBOARD_SITES, Dashboard, LayerProduct, OverrideEditing, Preview};

use crate::content::kind::Kind;
use crate::content::model::Stamped;
use crate::auth::permissions::{Actor, Scope};
use crate::content::directory::Directory;
use crate::content::history::{self, Written};
use crate::content::model::Owner;
use crate::db::models::accounts::{self, NewAudit};
use crate::db::models::revisions::{self, Revision};
use crate::db::models::{LayerId, catalogue, layers, overrides, redirects};
use crate::db::{self, DbConnection};

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// The edit was based on another revision than the current one.
    #[error("the item changed since revision {based_on}: it is now at revision {current}")]
    Conflict { based_on: i64, current: i64 },
    /// An update of an existing item without the revision it is based on.
    #[error("the item exists (revision {current}): say which revision the change is based on")]
    PreconditionRequired { current: i64 },
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Problems),
    /// Still used by these items, so it cannot go.
    #[error("nog in gebruik: {}", .0.join(", "))]
    InUse(Vec<String>),
    /// An upload refused, or a file that could not be made.
    #[error(transparent)]
    Media(#[from] crate::media::MediaError),
    /// The scope asks for a second pair of eyes: the change waits as proposal `id`.
    #[error("the change waits for approval by another editor (proposal {id})")]
    AwaitingApproval { id: i64 },
    /// The change was staged in release `release` as change `id` (not saved).
    #[error("the change is staged in release {release} (change {id})")]
    Staged { release: i64, id: i64 },
    /// The author of a change cannot approve or send it back.
    #[error("the author of a change cannot approve it: another editor of the scope does")]
    OwnChange,
    /// Another save of the same item came in between (found at the write itself).
    #[error("the item was changed by another save at the same moment")]
    ChangedMeanwhile,
    #[error("database error: {0}")]
    Db(diesel::result::Error),
    /// Busy (no connection, no free slot): try again soon.
    #[error("busy: {0}")]
    Unavailable(String),
    /// Failed on our side (no randomness, an unreadable snapshot).
    #[error("internal error: {0}")]
    Internal(String),
}

pub type EditResult<T> = Result<T, EditError>;

impl From<diesel::result::Error> for EditError {
    fn from(e: diesel::result::Error) -> Self {
        match &e {
            e if crate::db::models::is_changed_meanwhile(e) => EditError::ChangedMeanwhile,
            diesel::result::Error::DatabaseError(_, info) if info.message().contains("lock timeout") => {
                EditError::Unavailable("another write holds what this one depends on".into())
            }
            _ => EditError::Db(e),
        }
    }
}

/// Someone editing, with what they need to check and record.
pub struct Editor<'a> {
    pub conn: &'a mut DbConnection,
    pub actor: &'a Actor,
    pub directory: &'a Directory,
    /// Where the request came from (an address), for the audit log.
    pub origin: &'a str,
    pub now: i64,
    /// How saves publish where a scope asks for approval (`approval`).
    pub publishing: approval::Publishing,
}

/// An item's history entry as the admin shows it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub revision: i64,
    pub author: Option<String>,
    pub at: i64,
    pub data: serde_json::Value,
}

impl From<Revision> for HistoryEntry {
    fn from(r: Revision) -> Self {
        HistoryEntry { revision: r.revision, author: r.author, at: r.created_at, data: serde_json::from_str(&r.data).unwrap_or_default() }
    }
}

/// The `owner/slug` key of an override in the change log and history.
pub fn override_key(owner: &Owner, product: &str) -> String {
    format!("{}/{product}", crate::content::import::owner_key(owner))
}

/// Checks the revision an edit was based on against the current one (0: the item does not
/// exist yet). Changing an existing item needs a base, so nothing is overwritten unseen.
fn check_base(based_on: Option<i64>, current: i64) -> EditResult<()> {
    match based_on {
        Some(b) if b != current => Err(EditError::Conflict { based_on: b, current }),
        None if current > 0 => Err(EditError::PreconditionRequired { current }),
        _ => Ok(()),
    }
}

/// After a save: it overwrote the revision `checked`, not one another writer saved in between
/// (the save reads the row again; a compare-and-set on that read keeps two saves from both
/// winning, and this keeps the read the same as the one checked).
fn check_saved(checked: i64, saved: &crate::db::models::Saved) -> EditResult<()> {
    if saved.changed && checked > 0 && saved.revision != checked + 1 {
        return Err(EditError::ChangedMeanwhile);
    }
    Ok(())
}

/// A delete may name the revision it saw (a stale one is a conflict); without one it goes on.
fn check_delete_base(if_match: Option<i64>, current: i64) -> EditResult<()> {
    check_base(if_match.or(Some(current)), current)
}

impl Editor<'_> {
    fn audit(&mut self, action: &str, object: &str, result: &str, scope: &Scope) -> QueryResult<()> {
        let entry = NewAudit { actor: &self.actor.email, action, object, result, origin: self.origin, scope: &scope.to_string() };
        accounts::record_audit(self.conn, &entry, self.now)
    }

    /// Refuses (and audits the refusal) unless `allowed`.
    fn require(&mut self, allowed: bool, action: &str, object: &str, scope: &Scope) -> EditResult<()> {
        if allowed {
            return Ok(());
        }
        self.audit(action, object, "forbidden", scope)?;
        Err(EditError::Forbidden)
    }

    /// The database id of a layer; `NotFound` when it does not exist.
    pub fn layer(&mut self, owner: &Owner) -> EditResult<LayerId> {
        match owner {
            Owner::Site(s) => self.directory.site_by_slug(s).map(|e| LayerId::Site(e.id)).ok_or(EditError::NotFound),
            Owner::Group(g) => layers::find_group(self.conn, g)?.map(|(id, _)| LayerId::Group(id)).ok_or(EditError::NotFound),
        }
    }

    /// May this actor work on the layer? Refusals are audited.
    fn require_layer(&mut self, owner: &Owner, action: &str, object: &str) -> EditResult<LayerId> {
        let scope = Scope::of(owner);
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, action, object, &scope)?;
        self.layer(owner)
    }

    // The catalogue.

    pub fn product(&mut self, slug: &str) -> EditResult<ProductDoc> {
        let (_, product) = self.visible_product(slug)?;
        Ok(ProductDoc::from_model(&product))
    }

    pub fn put_product(&mut self, slug: &str, doc: ProductDoc, if_match: Option<i64>) -> EditResult<ProductDoc> {
        let object = format!("product:{slug}");
        self.require(self.actor.may_edit_catalogue(), "product.save", &object, &Scope::National)?;
        let based_on = if_match.or(doc.revision);
        let proposed = doc.clone();
        let model = doc.into_model(slug).map_err(EditError::Invalid)?.unstamped();
        self.gate(&Scope::National, approval::Target::Product(slug.to_owned()), &model.title, &proposed, based_on)?;
        let author = self.actor.email.clone();
        let (now, origin) = (self.now, self.origin.to_owned());
        let saved = db::write_tx(self.conn, |c| -> EditResult<_> {
            let checked = catalogue::find(c, slug)?.map(|(_, p)| p.revision).unwrap_or(0);
            check_base(based_on, checked)?;
            let saved = catalogue::save(c, &model, now)?;
            check_saved(checked, &saved)?;
            history::record(c, Written { saved, kind: Kind::Product, key: slug, group_id: None, site_id: None, item: &model }, Some(&author), now)?;
            let entry = NewAudit { actor: &author, action: "product.save", object: &object, result: "ok", origin: &origin, scope: "national" };
            accounts::record_audit(c, &entry, now)?;
            Ok(saved)
        })?;
        let _: crate::db::models::Saved = saved;
        self.product(slug)
    }

    // Overrides.

    pub fn override_doc(&mut self, owner: &Owner, slug: &str) -> EditResult<OverrideDoc> {
        let object = override_key(owner, slug);
        let layer = self.require_layer(owner, "override.read", &object)?;
        let (product_id, _) = self.visible_product(slug)?;
        let stored = overrides::find(self.conn, product_id, layer)?.ok_or(EditError::NotFound)?;
        Ok(OverrideDoc::from_model(&stored.over))
    }

    pub fn put_override(&mut self, owner: &Owner, slug: &str, doc: OverrideDoc, if_match: Option<i64>) -> EditResult<OverrideDoc> {
        let object = override_key(owner, slug);
        let layer = self.require_layer(owner, "override.save", &object)?;
        let (product_id, product) = self.visible_product(slug)?;
        let based_on = if_match.or(doc.revision);
        let proposed = doc.clone();
        let model = doc.into_model(slug, Some(product.revision)).map_err(EditError::Invalid)?.unstamped();
        let own: Vec<&str> = model.sections.iter().map(|s| s.body.as_str()).collect();
        let problems = documents::layer_values_fit(&model.variables, &product, &own);
        if !problems.is_empty() {
            return Err(EditError::Invalid(problems));
        }
        self.gate(&Scope::of(owner), approval::Target::Override(owner.clone(), slug.to_owned()), &product.title, &proposed, based_on)?;
        let (group_id, site_id) = layer.columns();
        let author = self.actor.email.clone();
        let (now, origin, scope) = (self.now, self.origin.to_owned(), Scope::of(owner).to_string());
        db::write_tx(self.conn, |c| -> EditResult<()> {
            let checked = overrides::find(c, product_id, layer)?.map(|o| o.over.revision).unwrap_or(0);
            check_base(based_on, checked)?;
            let saved = overrides::save(c, product_id, layer, &model, now)?;
            check_saved(checked, &saved)?;
            history::record(c, Written { saved, kind: Kind::Override, key: &object, group_id, site_id, item: &model }, Some(&author), now)?;
            let entry = NewAudit { actor: &author, action: "override.save", object: &object, result: "ok", origin: &origin, scope: &scope };
            accounts::record_audit(c, &entry, now)?;
            Ok(())
        })?;
        self.override_doc(owner, slug)
    }

    pub fn delete_override(&mut self, owner: &Owner, slug: &str, if_match: Option<i64>) -> EditResult<()> {
        let object = override_key(owner, slug);
        let layer = self.require_layer(owner, "override.delete", &object)?;
        let (product_id, product) = self.visible_product(slug)?;
        let current = overrides::find(self.conn, product_id, layer)?.ok_or(EditError::NotFound)?.over.revision;
        let title = format!("Verwijderen: aanpassing van {}", product.title);
        self.gate(&Scope::of(owner), approval::Target::Override(owner.clone(), slug.to_owned()), &title, &serde_json::Value::Null, if_match.or(Some(current)))?;
        let (group_id, site_id) = layer.columns();
        let author = self.actor.email.clone();
        let (now, origin, scope) = (self.now, self.origin.to_owned(), Scope::of(owner).to_string());
        db::write_tx(self.conn, |c| -> EditResult<()> {
            let current = overrides::find(c, product_id, layer)?.ok_or(EditError::NotFound)?;
            check_delete_base(if_match, current.over.revision)?;
            overrides::delete(c, current.id, current.over.revision)?;
            history::record_deletion(c, Kind::Override, &object, group_id, site_id, now)?;
            let entry = NewAudit { actor: &author, action: "override.delete", object: &object, result: "ok", origin: &origin, scope: &scope };
            accounts::record_audit(c, &entry, now)?;
            Ok(())
        })
    }

    // Redirects of a site.

    pub fn redirects(&mut self, site: &str) -> EditResult<String> {
        let owner = Owner::Site(site.to_owned());
        let LayerId::Site(id) = self.require_layer(&owner, "redirects.read", &format!("redirects:{site}"))? else { return Err(EditError::NotFound) };
        Ok(crate::content::redirects::write(&redirects::for_site(self.conn, id)?))
    }

    pub fn put_redirects(&mut self, site: &str, doc: RedirectsDoc) -> EditResult<String> {
        let owner = Owner::Site(site.to_owned());
        let object = format!("redirects:{site}");
        let LayerId::Site(id) = self.require_layer(&owner, "redirects.save", &object)? else { return Err(EditError::NotFound) };
        let list = doc.into_list().map_err(EditError::Invalid)?;
        let author = self.actor.email.clone();
        let (now, origin, scope) = (self.now, self.origin.to_owned(), Scope::of(&owner).to_string());
        db::write_tx(self.conn, |c| -> EditResult<()> {
            if redirects::replace(c, id, &list, now)? {
                history::record_deletion(c, Kind::Redirects, site, None, Some(id), now)?;
            }
            let entry = NewAudit { actor: &author, action: "redirects.save", object: &object, result: "ok", origin: &origin, scope: &scope };
            accounts::record_audit(c, &entry, now)?;
            Ok(())
        })?;
        self.redirects(site)
    }

    /// Saves an earlier revision of a product again, as a new revision.
    pub fn restore_product(&mut self, slug: &str, revision: i64) -> EditResult<ProductDoc> {
        self.require(self.actor.may_edit_catalogue(), "product.restore", &format!("product:{slug}"), &Scope::National)?;
        let old = revisions::find(self.conn, Kind::Product, slug, revision)?.ok_or(EditError::NotFound)?;
        let product: crate::content::model::Product = local::restore_item(&old.data)?;
        let current = catalogue::find(self.conn, slug)?.map(|(_, p)| p.revision);
        let mut doc = ProductDoc::from_model(&product);
        doc.revision = None;
        self.put_product(slug, doc, current)
    }

    /// Saves an earlier revision of an override again, as a new revision.
    pub fn restore_override(&mut self, owner: &Owner, slug: &str, revision: i64) -> EditResult<OverrideDoc> {
        let key = override_key(owner, slug);
        self.require_layer(owner, "override.restore", &key)?;
        self.visible_product(slug)?;
        let old = revisions::find(self.conn, Kind::Override, &key, revision)?.ok_or(EditError::NotFound)?;
        let over: crate::content::model::Override = local::restore_item(&old.data)?;
        let current = self.override_doc(owner, slug).ok().and_then(|d| d.revision);
        let mut doc = OverrideDoc::from_model(&over);
        doc.revision = None;
        self.put_override(owner, slug, doc, current)
    }

    // History.

    /// The saved versions of an item the actor may see, newest first.
    pub fn history(&mut self, kind: Kind, key: &str, owner: Option<&Owner>) -> EditResult<Vec<HistoryEntry>> {
        match owner {
            Some(o) => {
                self.require_layer(o, "history.read", &format!("{kind}:{key}"))?;
            }
            None => self.require(self.actor.may_edit_catalogue(), "history.read", &format!("{kind}:{key}"), &Scope::National)?,
        }
        Ok(revisions::history(self.conn, kind, key)?.into_iter().map(HistoryEntry::from).collect())
    }
}
