//! What every saved change leaves behind, in the same transaction: a row in the change log
//! (for derived state and other processes) and a snapshot in the revision history (who, when,
//! what) and which media it refers to. Import and the editors both write through here.

use diesel::QueryResult;
use serde::Serialize;

use crate::content::kind::Kind;
use crate::content::model::Lang;
use crate::db::DbConnection;
use crate::db::models::changes::{self, NewChange};
use crate::db::models::media;
use crate::db::models::revisions::{self, NewRevision};
use crate::db::models::{Saved, to_json};

/// One saved item.
pub struct Written<'a, T: Serialize> {
    pub saved: Saved,
    pub kind: Kind,
    /// The item's key in the history: a slug, `<owner>/<slug>` for overrides, the id for
    /// pages, news and alerts.
    pub key: &'a str,
    /// The layer the change touches (none: every site).
    pub group_id: Option<i64>,
    pub site_id: Option<i64>,
    pub item: &'a T,
}

/// Records a saved item; returns whether it changed (unchanged items record nothing).
pub fn record<T: Serialize>(conn: &mut DbConnection, w: Written<T>, author: Option<&str>, now: i64) -> QueryResult<bool> {
    record_in(conn, w, Lang::Nl, author, now)
}

/// The key of an item's history in a language: the item's own for Dutch, `<key>@en` for its
/// English translation.
pub fn history_key(key: &str, lang: Lang) -> String {
    match lang {
        Lang::Nl => key.to_owned(),
        other => format!("{key}@{}", other.code()),
    }
}

/// Records a saved item or its translation in `lang`. The change log names the item itself,
/// so every follower treats a new translation as a change of the item; the history and the
/// media uses keep a translation under its own key (`history_key`).
pub fn record_in<T: Serialize>(conn: &mut DbConnection, w: Written<T>, lang: Lang, author: Option<&str>, now: i64) -> QueryResult<bool> {
    if !w.saved.changed {
        return Ok(false);
    }
    changes::record(conn, &NewChange { at: now, kind: w.kind, item_key: w.key, group_id: w.group_id, site_id: w.site_id })?;
    let key = history_key(w.key, lang);
    let mut data = serde_json::to_value(w.item).unwrap_or_default();
    if let Some(obj) = data.as_object_mut() {
        obj.insert("revision".into(), w.saved.revision.into());
        obj.insert("updated_at".into(), now.into());
    }
    let data = to_json(&data);
    media::set_uses(conn, w.kind, &key, &crate::media::references(&data))?;
    revisions::record(conn, &NewRevision { kind: w.kind, item_key: &key, revision: w.saved.revision, data: &data, author, created_at: now })?;
    Ok(true)
}

/// Records a deletion in the change log (the history keeps the earlier revisions). A Dutch
/// item's translations go with it.
pub fn record_deletion(conn: &mut DbConnection, kind: Kind, key: &str, group_id: Option<i64>, site_id: Option<i64>, now: i64) -> QueryResult<()> {
    for lang in Lang::ALL {
        media::set_uses(conn, kind, &history_key(key, lang), &[])?;
    }
    changes::record(conn, &NewChange { at: now, kind, item_key: key, group_id, site_id })
}

/// Records the deletion of an item's translation in `lang` (the item itself stays).
pub fn record_translation_deletion(conn: &mut DbConnection, kind: Kind, key: &str, lang: Lang, group_id: Option<i64>, site_id: Option<i64>, now: i64) -> QueryResult<()> {
    media::set_uses(conn, kind, &history_key(key, lang), &[])?;
    changes::record(conn, &NewChange { at: now, kind, item_key: key, group_id, site_id })
}
