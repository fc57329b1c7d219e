//! Editing the local content of a group or site: pages, news and alerts share one set of
//! operations (list, create, read, save, delete), written once over `LocalKind`.

use diesel::QueryResult;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::documents::{AlertDoc, NewsDoc, PageDoc, Problems};
use super::approval::Target;
use super::{EditError, EditResult, Editor, check_base, check_delete_base, check_saved};
use crate::content::kind::Kind;
use crate::content::model::Stamped;
use crate::auth::permissions::Scope;
use crate::content::history::{self, Written};
use crate::content::model::{Alert, NewsItem, Owner, Page};
use crate::db::models::accounts::{self, NewAudit};
use crate::db::models::local::{self, Scope as LoadScope, Stored};
use crate::db::models::{LayerId, Saved};
use crate::db::{self, DbConnection};

/// One kind of local content.
pub trait LocalKind {
    type Item: Serialize + DeserializeOwned + Clone;
    type Doc: Serialize + DeserializeOwned;
    /// In the change log, the history and the audit log.
    const KIND: Kind;
    /// The key that must be unique per owner (path or slug).
    fn key(item: &Self::Item) -> &str;
    /// What editors call it in lists (a proposal's title).
    fn title(item: &Self::Item) -> &str;
    fn revision(item: &Self::Item) -> i64;
    fn doc_revision(doc: &Self::Doc) -> Option<i64>;
    fn doc_id(doc: &Self::Doc) -> i64;
    fn to_doc(id: i64, item: &Self::Item) -> Self::Doc;
    fn from_doc(doc: Self::Doc, owner: Owner) -> Result<Self::Item, Problems>;
    fn load(conn: &mut DbConnection, layer: LayerId) -> QueryResult<Vec<Stored<Self::Item>>>;
    fn by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Stored<Self::Item>>>;
    fn update(conn: &mut DbConnection, id: Option<i64>, layer: LayerId, item: &Self::Item, now: i64) -> QueryResult<Saved>;
    fn delete(conn: &mut DbConnection, id: i64, revision: i64) -> QueryResult<()>;
}

macro_rules! local_kind {
    ($name:ident, $item:ty, $doc:ty, $kind:expr, $key:ident, $load:path, $by_id:path, $save:path, $update:path, $delete:path) => {
        pub struct $name;

        impl LocalKind for $name {
            type Item = $item;
            type Doc = $doc;
            const KIND: Kind = $kind;
            fn key(item: &$item) -> &str {
                &item.$key
            }
            fn title(item: &$item) -> &str {
                &item.title
            }
            fn revision(item: &$item) -> i64 {
                item.revision
            }
            fn doc_revision(doc: &$doc) -> Option<i64> {
                doc.revision
            }
            fn doc_id(doc: &$doc) -> i64 {
                doc.id
            }
            fn to_doc(id: i64, item: &$item) -> $doc {
                <$doc>::from_model(id, item)
            }
            fn from_doc(doc: $doc, owner: Owner) -> Result<$item, Problems> {
                doc.into_model(owner).map(Stamped::unstamped)
            }
            fn load(conn: &mut DbConnection, layer: LayerId) -> QueryResult<Vec<Stored<$item>>> {
                let (groups, site) = match layer {
                    LayerId::Group(g) => (vec![g], -1),
                    LayerId::Site(s) => (vec![], s),
                };
                Ok($load(conn, LoadScope::Layers { groups: &groups, site })?.into_iter().filter(|s| s.layer == layer).collect())
            }
            fn by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Stored<$item>>> {
                $by_id(conn, id)
            }
            fn update(conn: &mut DbConnection, id: Option<i64>, layer: LayerId, item: &$item, now: i64) -> QueryResult<Saved> {
                match id {
                    Some(id) => $update(conn, id, layer, item, now),
                    None => $save(conn, layer, item, now),
                }
            }
            fn delete(conn: &mut DbConnection, id: i64, revision: i64) -> QueryResult<()> {
                $delete(conn, id, revision)
            }
        }
    };
}

local_kind!(Pages, Page, PageDoc, Kind::Page, path, local::pages, local::page_by_id, local::save_page, local::update_page, local::delete_page);
local_kind!(News, NewsItem, NewsDoc, Kind::News, slug, local::news, local::news_by_id, local::save_news, local::update_news, local::delete_news);
local_kind!(Alerts, Alert, AlertDoc, Kind::Alert, slug, local::alerts, local::alert_by_id, local::save_alert, local::update_alert, local::delete_alert);

/// The operations, for one kind.
pub struct Local<'e, 'a, K: LocalKind> {
    pub editor: &'e mut Editor<'a>,
    pub kind: std::marker::PhantomData<K>,
}

impl<'a> Editor<'a> {
    pub fn local<K: LocalKind>(&mut self) -> Local<'_, 'a, K> {
        Local { editor: self, kind: std::marker::PhantomData }
    }
}

impl<K: LocalKind> Local<'_, '_, K> {
    fn object(owner: &Owner, id: Option<i64>) -> String {
        match id {
            Some(id) => format!("{}:{}/{id}", K::KIND, crate::content::import::owner_key(owner)),
            None => format!("{}:{}", K::KIND, crate::content::import::owner_key(owner)),
        }
    }

    /// The item `id` of this owner; `NotFound` when it belongs to another.
    fn owned(&mut self, owner: &Owner, id: i64, action: &str) -> EditResult<(LayerId, Stored<K::Item>)> {
        let layer = self.editor.require_layer(owner, action, &Self::object(owner, Some(id)))?;
        let stored = K::by_id(self.editor.conn, id)?.filter(|s| s.layer == layer).ok_or(EditError::NotFound)?;
        Ok((layer, stored))
    }

    pub fn list(&mut self, owner: &Owner) -> EditResult<Vec<K::Doc>> {
        let layer = self.editor.require_layer(owner, &format!("{}.list", K::KIND), &Self::object(owner, None))?;
        Ok(K::load(self.editor.conn, layer)?.iter().map(|s| K::to_doc(s.id, &s.item)).collect())
    }

    pub fn get(&mut self, owner: &Owner, id: i64) -> EditResult<K::Doc> {
        let (_, stored) = self.owned(owner, id, &format!("{}.read", K::KIND))?;
        Ok(K::to_doc(stored.id, &stored.item))
    }

    pub fn create(&mut self, owner: &Owner, doc: K::Doc) -> EditResult<K::Doc> {
        let layer = self.editor.require_layer(owner, &format!("{}.create", K::KIND), &Self::object(owner, None))?;
        let proposed = serde_json::to_value(&doc).map_err(|e| EditError::Internal(e.to_string()))?;
        let item = K::from_doc(doc, owner.clone()).map_err(EditError::Invalid)?;
        self.editor.gate(&Scope::of(owner), Target::Local(K::KIND, owner.clone(), None), K::title(&item), &proposed, None)?;
        let id = self.write(owner, layer, None, None, item)?;
        self.get(owner, id)
    }

    pub fn put(&mut self, owner: &Owner, id: i64, doc: K::Doc, if_match: Option<i64>) -> EditResult<K::Doc> {
        let (layer, _) = self.owned(owner, id, &format!("{}.save", K::KIND))?;
        let based_on = if_match.or(K::doc_revision(&doc));
        let proposed = serde_json::to_value(&doc).map_err(|e| EditError::Internal(e.to_string()))?;
        let item = K::from_doc(doc, owner.clone()).map_err(EditError::Invalid)?;
        self.editor.gate(&Scope::of(owner), Target::Local(K::KIND, owner.clone(), Some(id)), K::title(&item), &proposed, based_on)?;
        self.write(owner, layer, Some(id), based_on, item)?;
        self.get(owner, id)
    }

    /// Saves (a new item when `id` is `None`) after checking the base revision and that the
    /// key is not used by another item of the owner.
    fn write(&mut self, owner: &Owner, layer: LayerId, id: Option<i64>, based_on: Option<i64>, item: K::Item) -> EditResult<i64> {
        let ed = &mut *self.editor;
        let author = ed.actor.email.clone();
        let (now, origin, scope) = (ed.now, ed.origin.to_owned(), Scope::of(owner).to_string());
        let (group_id, site_id) = layer.columns();
        db::write_tx(ed.conn, |c| -> EditResult<i64> {
            let siblings = K::load(c, layer)?;
            if let Some(other) = siblings.iter().find(|s| K::key(&s.item) == K::key(&item) && Some(s.id) != id) {
                return Err(EditError::Invalid(vec![format!("{} {:?} is already used by item {}", K::KIND, K::key(&item), other.id).into()]));
            }
            let mut checked = 0;
            if let Some(id) = id {
                let current = siblings.iter().find(|s| s.id == id).ok_or(EditError::NotFound)?;
                checked = K::revision(&current.item);
                check_base(based_on, checked)?;
            }
            let saved = K::update(c, id, layer, &item, now)?;
            check_saved(checked, &saved)?;
            let key = saved.id.to_string();
            history::record(c, Written { saved, kind: K::KIND, key: &key, group_id, site_id, item: &item }, Some(&author), now)?;
            let object = Self::object(owner, Some(saved.id));
            let action = format!("{}.{}", K::KIND, if id.is_some() { "save" } else { "create" });
            accounts::record_audit(c, &NewAudit { actor: &author, action: &action, object: &object, result: "ok", origin: &origin, scope: &scope }, now)?;
            Ok(saved.id)
        })
    }

    pub fn delete(&mut self, owner: &Owner, id: i64, if_match: Option<i64>) -> EditResult<()> {
        let (layer, stored) = self.owned(owner, id, &format!("{}.delete", K::KIND))?;
        let title = format!("Verwijderen: {}", K::title(&stored.item));
        self.editor.gate(&Scope::of(owner), Target::Local(K::KIND, owner.clone(), Some(id)), &title, &serde_json::Value::Null, if_match.or(Some(K::revision(&stored.item))))?;
        let ed = &mut *self.editor;
        let author = ed.actor.email.clone();
        let (now, origin, scope) = (ed.now, ed.origin.to_owned(), Scope::of(owner).to_string());
        let (group_id, site_id) = layer.columns();
        let object = Self::object(owner, Some(id));
        db::write_tx(ed.conn, |c| -> EditResult<()> {
            check_delete_base(if_match, K::revision(&stored.item))?;
            K::delete(c, id, K::revision(&stored.item))?;
            history::record_deletion(c, K::KIND, &id.to_string(), group_id, site_id, now)?;
            let action = format!("{}.delete", K::KIND);
            accounts::record_audit(c, &NewAudit { actor: &author, action: &action, object: &object, result: "ok", origin: &origin, scope: &scope }, now)?;
            Ok(())
        })
    }

    /// Saves an earlier revision again, as a new revision (a save like any other: checked,
    /// and waiting for approval where the scope asks for it).
    pub fn restore(&mut self, owner: &Owner, id: i64, revision: i64) -> EditResult<K::Doc> {
        let (_, stored) = self.owned(owner, id, &format!("{}.restore", K::KIND))?;
        let old = crate::db::models::revisions::find(self.editor.conn, K::KIND, &id.to_string(), revision)?.ok_or(EditError::NotFound)?;
        let item: K::Item = restore_item(&old.data)?;
        self.put(owner, id, K::to_doc(id, &item), Some(K::revision(&stored.item)))
    }
}

/// An item from a history snapshot (the model as JSON), with its revision cleared so the save
/// gives it the next one.
pub(super) fn restore_item<T: DeserializeOwned>(data: &str) -> EditResult<T> {
    let mut value: serde_json::Value = serde_json::from_str(data).map_err(|e| EditError::Invalid(vec![format!("history: {e}").into()]))?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("revision".into(), 0.into());
    }
    serde_json::from_value(value).map_err(|e| EditError::Invalid(vec![format!("history: {e}").into()]))
}
