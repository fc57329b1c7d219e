//! Rows and the queries that read and write them. Handlers never build SQL; they call these.

pub mod accounts;
pub mod catalogue;
pub mod changes;
pub mod layers;
pub mod local;
pub mod media;
pub mod redirects;
pub mod overrides;
pub mod feedback;
pub mod page_views;
pub mod links;
pub mod proposals;
pub mod revisions;
pub mod search_misses;
pub mod translations;
pub mod settings;
pub mod upl;

use serde::Serialize;
use serde::de::DeserializeOwned;

use diesel::result::{Error, QueryResult};

/// Serialises a value for a JSON text column.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising plain data (strings, numbers, maps with string keys) cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Reads a JSON text column.
pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> QueryResult<T> {
    serde_json::from_str(text).map_err(|e| Error::DeserializationError(Box::new(e)))
}

/// Reads a `YYYY-MM-DD` text column.
pub(crate) fn parse_date(text: Option<&str>) -> QueryResult<Option<chrono::NaiveDate>> {
    text.map(|t| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|e| Error::DeserializationError(Box::new(e))))
        .transpose()
}

/// The revision a changed item gets. A file or request may name a revision (0: none); an
/// item's revision never goes back.
pub(crate) fn next_revision(current: Option<i64>, requested: i64) -> i64 {
    match current {
        None => requested.max(1),
        Some(revision) => (revision + 1).max(requested),
    }
}

/// The time a save is dated with: `now`, except for an item the database does not hold yet
/// whose content recorded when it last changed (`recorded`, from an export): a restore, or a
/// move to another installation, keeps every modification date.
/// A recorded time in the future is taken as `now`.
pub(crate) fn dated(existing: bool, recorded: i64, now: i64) -> i64 {
    if !existing && recorded > 0 { recorded.min(now) } else { now }
}

/// The group or site that owns an override or local content, by database id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayerId {
    Group(i64),
    Site(i64),
}

impl LayerId {
    pub(crate) fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            LayerId::Group(g) => (Some(g), None),
            LayerId::Site(s) => (None, Some(s)),
        }
    }

    pub(crate) fn from_columns(group_id: Option<i64>, site_id: Option<i64>) -> LayerId {
        match (group_id, site_id) {
            (Some(g), _) => LayerId::Group(g),
            (None, Some(s)) => LayerId::Site(s),
            // The schema's CHECK constraint makes exactly one of the two set.
            (None, None) => LayerId::Site(0),
        }
    }
}

/// The shared last step of every save. `existing` is the stored item (id, revision, and its
/// values with revision and time left out), `new` the values to save in the same form.
/// Unchanged values write nothing; otherwise `write` gets the row to update (its id and the
/// revision read, or `None` to insert) and the next revision, and returns the row's id.
pub(crate) fn save_versioned<V: PartialEq>(
    existing: Option<(i64, i64, V)>,
    new: V,
    requested: i64,
    write: impl FnOnce(Option<(i64, i64)>, i64) -> QueryResult<i64>,
) -> QueryResult<Saved> {
    if let Some((id, revision, old)) = &existing {
        if *old == new {
            return Ok(Saved { id: *id, revision: *revision, changed: false });
        }
    }
    let revision = next_revision(existing.as_ref().map(|(_, r, _)| *r), requested);
    let id = write(existing.map(|(id, read, _)| (id, read)), revision)?;
    Ok(Saved { id, revision, changed: true })
}

/// The error of a save that found its row changed (or removed) by another writer between
/// reading and writing it: the save is refused, as if it had come after the other one.
pub fn changed_meanwhile() -> diesel::result::Error {
    diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::SerializationFailure,
        Box::new(String::from("the item was changed by another save at the same moment")),
    )
}

/// Whether `e` is `changed_meanwhile`.
pub fn is_changed_meanwhile(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::SerializationFailure, _))
}

/// Exactly one row touched, or the row changed meanwhile.
pub(crate) fn one_row(touched: usize) -> QueryResult<()> {
    if touched == 1 { Ok(()) } else { Err(changed_meanwhile()) }
}

/// Updates the row of `table` with the id and revision read (a compare-and-set: a row another
/// writer changed since is `changed_meanwhile`), or inserts when there is none; gives the
/// row's id.
macro_rules! write_row {
    ($conn:expr, $table:ident, $read:expr, $row:expr) => {
        match $read {
            Some((id, revision)) => diesel::update($table::table.find(id).filter($table::revision.eq(revision)))
                .set($row)
                .execute($conn)
                .and_then($crate::db::models::one_row)
                .map(|()| id),
            None => diesel::insert_into($table::table).values($row).returning($table::id).get_result($conn),
        }
    };
}
pub(crate) use write_row;

/// The outcome of saving one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub id: i64,
    /// The item's revision after the save.
    pub revision: i64,
    /// Whether anything changed.
    pub changed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions() {
        assert_eq!(next_revision(None, 0), 1);
        assert_eq!(next_revision(None, 3), 3);
        assert_eq!(next_revision(Some(3), 0), 4);
        assert_eq!(next_revision(Some(3), 9), 9);
    }
}
