//! Settings kept as one JSON document each, versioned like content (e.g. `synonyms`).

use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Saved, from_json, save_versioned, to_json};
use crate::db::DbConnection;
use crate::db::schema::settings;

/// The setting's value and revision, if it was ever saved.
pub fn get<T: DeserializeOwned>(conn: &mut DbConnection, key: &str) -> QueryResult<Option<(T, i64)>> {
    let row: Option<(String, i64)> =
        settings::table.filter(settings::key.eq(key)).select((settings::value, settings::revision)).first(conn).optional()?;
    row.map(|(value, revision)| Ok((from_json(&value)?, revision))).transpose()
}

pub fn save<T: Serialize>(conn: &mut DbConnection, key: &str, value: &T, requested: i64, now: i64) -> QueryResult<Saved> {
    let new = to_json(value);
    let existing: Option<(String, i64)> =
        settings::table.filter(settings::key.eq(key)).select((settings::value, settings::revision)).first(conn).optional()?;
    let existing = existing.map(|(old, revision)| (0, revision, old));
    save_versioned(existing, new.clone(), requested, |id, revision| {
        match id {
            Some((_, read)) => diesel::update(settings::table.find(key).filter(settings::revision.eq(read)))
                .set((settings::value.eq(&new), settings::revision.eq(revision), settings::updated_at.eq(now)))
                .execute(conn)
                .and_then(super::one_row)
                .map(|()| 1)?,
            None => diesel::insert_into(settings::table)
                .values((settings::key.eq(key), settings::value.eq(&new), settings::revision.eq(revision), settings::updated_at.eq(now)))
                .execute(conn)?,
        };
        // Settings are found by key; they have no row id.
        Ok(0)
    })
}
