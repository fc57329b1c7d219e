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

/// Every setting whose key starts with `prefix`, with its value.
pub fn with_prefix<T: DeserializeOwned>(conn: &mut DbConnection, prefix: &str) -> QueryResult<Vec<(String, T)>> {
    let rows: Vec<(String, String)> = settings::table
        .filter(settings::key.like(format!("{}%", prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))).escape('\\'))
        .select((settings::key, settings::value))
        .load(conn)?;
    rows.into_iter().map(|(key, value)| Ok((key, from_json(&value)?))).collect()
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

/// A random 32-byte key kept under `name`, made on first use; every process of an
/// installation reads the same one (a form signed by one node is checked by another).
pub fn secret_key(conn: &mut DbConnection, name: &str, now: i64) -> QueryResult<[u8; 32]> {
    if let Some((hex, _)) = get::<String>(conn, &key_setting(name))? {
        return parse_key(name, &hex);
    }
    let fresh = crate::auth::secrets::random_token().map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
    keep_first_key(conn, name, &fresh, now)
}

/// Stores `candidate` as the key `name` unless one is there already, and returns the key that
/// is: processes starting at the same moment all end up with the first one written. Never an
/// update: a node that started a moment later must not replace the key another already signs with.
pub fn keep_first_key(conn: &mut DbConnection, name: &str, candidate: &str, now: i64) -> QueryResult<[u8; 32]> {
    let setting = key_setting(name);
    let inserted = diesel::insert_into(settings::table)
        .values((settings::key.eq(&setting), settings::value.eq(to_json(&candidate)), settings::revision.eq(1), settings::updated_at.eq(now)))
        .execute(conn);
    match inserted {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(e) => return Err(e),
    }
    let (hex, _) = get::<String>(conn, &setting)?.ok_or(diesel::result::Error::NotFound)?;
    parse_key(name, &hex)
}

fn key_setting(name: &str) -> String {
    format!("key:{name}")
}

fn parse_key(name: &str, hex: &str) -> QueryResult<[u8; 32]> {
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).filter_map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
    bytes.try_into().map_err(|_| diesel::result::Error::DeserializationError(format!("setting key:{name} is not a 32-byte key").into()))
}
