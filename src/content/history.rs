//! What every saved change leaves behind, in the same transaction: a row in the change log
//! (for derived state and other processes) and a snapshot in the revision history (who, when,
//! what) and which media it refers to. Import and the editors both write through here.

use diesel::QueryResult;
use serde::Serialize;

use crate::content::kind::Kind;
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
    if !w.saved.changed {
        return Ok(false);
    }
    changes::record(conn, &NewChange { at: now, kind: w.kind, item_key: w.key, group_id: w.group_id, site_id: w.site_id })?;
    let mut data = serde_json::to_value(w.item).unwrap_or_default();
    if let Some(obj) = data.as_object_mut() {
        obj.insert("revision".into(), w.saved.revision.into());
        obj.insert("updated_at".into(), now.into());
    }
    let data = to_json(&data);
    media::set_uses(conn, w.kind, w.key, &crate::media::references(&data))?;
    revisions::record(conn, &NewRevision { kind: w.kind, item_key: w.key, revision: w.saved.revision, data: &data, author, created_at: now })?;
    Ok(true)
}

/// Records a deletion in the change log (the history keeps the earlier revisions).
pub fn record_deletion(conn: &mut DbConnection, kind: Kind, key: &str, group_id: Option<i64>, site_id: Option<i64>, now: i64) -> QueryResult<()> {
    media::set_uses(conn, kind, key, &[])?;
    changes::record(conn, &NewChange { at: now, kind, item_key: key, group_id, site_id })
}
