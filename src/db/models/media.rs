//! Uploaded media and where they are used.

use diesel::prelude::*;

use crate::content::kind::Kind;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::models::{Saved, next_revision};
use crate::db::schema::{media, media_uses};

/// A media item: the stable key texts refer to and the file it currently stands for.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq)]
#[diesel(table_name = media)]
pub struct Media {
    #[serde(skip)]
    pub id: i64,
    pub key: String,
    #[serde(skip)]
    pub group_id: Option<i64>,
    #[serde(skip)]
    pub site_id: Option<i64>,
    pub hash: String,
    /// `jpeg` or `png`: the stored, re-encoded file.
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    /// The name the file was uploaded with, for finding it back.
    pub name: String,
    pub alt: String,
    pub decorative: bool,
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The file part of a media item.
#[derive(Debug, Clone)]
pub struct FileFacts {
    pub hash: String,
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
}

pub struct NewMedia<'a> {
    pub key: &'a str,
    pub group_id: Option<i64>,
    pub site_id: Option<i64>,
    pub file: &'a FileFacts,
    pub name: &'a str,
    pub alt: &'a str,
    pub decorative: bool,
}

fn dims(file: &FileFacts) -> (i32, i32, i64) {
    let clamp = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    (clamp(file.width), clamp(file.height), i64::try_from(file.bytes).unwrap_or(i64::MAX))
}

/// The columns a save writes (everything but the key, the owner, revision and times).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = media)]
struct Values<'a> {
    hash: &'a str,
    format: &'a str,
    width: i32,
    height: i32,
    bytes: i64,
    name: &'a str,
    alt: &'a str,
    decorative: bool,
}

impl<'a> Values<'a> {
    fn of(new: &'a NewMedia<'a>) -> Values<'a> {
        let (width, height, bytes) = dims(new.file);
        Values { hash: &new.file.hash, format: new.file.format, width, height, bytes, name: new.name, alt: new.alt, decorative: new.decorative }
    }

    fn same_as(&self, m: &Media) -> bool {
        (self.hash, self.format, self.width, self.height, self.bytes, self.name, self.alt, self.decorative)
            == (m.hash.as_str(), m.format.as_str(), m.width, m.height, m.bytes, m.name.as_str(), m.alt.as_str(), m.decorative)
    }
}

pub fn insert(conn: &mut DbConnection, new: &NewMedia, now: i64) -> QueryResult<i64> {
    diesel::insert_into(media::table)
        .values((
            media::key.eq(new.key),
            media::group_id.eq(new.group_id),
            media::site_id.eq(new.site_id),
            Values::of(new),
            media::revision.eq(1),
            media::created_at.eq(now),
            media::updated_at.eq(now),
        ))
        .returning(media::id)
        .get_result(conn)
}

/// Creates or updates a media item by key (import): `None` when the key belongs to another
/// owner. The revision follows the same rule as all content (`next_revision`).
pub fn save(conn: &mut DbConnection, new: &NewMedia, requested: i64, now: i64) -> QueryResult<Option<Saved>> {
    let Some(current) = by_key(conn, new.key)? else {
        let id = insert(conn, new, now)?;
        let revision = requested.max(1);
        diesel::update(media::table.filter(media::id.eq(id))).set(media::revision.eq(revision)).execute(conn)?;
        return Ok(Some(Saved { id, revision, changed: true }));
    };
    if (current.group_id, current.site_id) != (new.group_id, new.site_id) {
        return Ok(None);
    }
    let values = Values::of(new);
    if values.same_as(&current) && requested <= current.revision {
        return Ok(Some(Saved { id: current.id, revision: current.revision, changed: false }));
    }
    let revision = next_revision(Some(current.revision), requested);
    diesel::update(media::table.filter(media::id.eq(current.id)))
        .set((values, media::revision.eq(revision), media::updated_at.eq(now)))
        .execute(conn)?;
    Ok(Some(Saved { id: current.id, revision, changed: true }))
}

pub fn by_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Media>> {
    media::table.filter(media::key.eq(key)).select(Media::as_select()).first(conn).optional()
}

pub fn by_keys(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<Vec<Media>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    media::table.filter(media::key.eq_any(keys)).select(Media::as_select()).load(conn)
}

/// The media of exactly one owner (both `None`: national), newest first; `query` matches
/// name, alt text or key.
pub fn of_owner(conn: &mut DbConnection, group_id: Option<i64>, site_id: Option<i64>, query: Option<&str>) -> QueryResult<Vec<Media>> {
    let mut q = media::table.select(Media::as_select()).order((media::updated_at.desc(), media::id.desc())).into_boxed();
    q = match group_id {
        Some(g) => q.filter(media::group_id.eq(g)),
        None => q.filter(media::group_id.is_null()),
    };
    q = match site_id {
        Some(s) => q.filter(media::site_id.eq(s)),
        None => q.filter(media::site_id.is_null()),
    };
    let mut found = q.load(conn)?;
    // Matched here rather than in SQL: case-insensitive matching of non-ASCII text differs
    // between SQLite and PostgreSQL, and one owner's library is small.
    if let Some(query) = query.map(str::trim).filter(|q| !q.is_empty()) {
        let needle = query.to_lowercase();
        found.retain(|m| [&m.name, &m.alt, &m.key].iter().any(|t| t.to_lowercase().contains(&needle)));
    }
    Ok(found)
}

/// Every media item (for export and for checking variants at start).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Media>> {
    media::table.select(Media::as_select()).order(media::id.asc()).load(conn)
}

/// New alt text for the row with the id and revision read (a compare-and-set).
pub fn update_text(conn: &mut DbConnection, id: i64, revision: i64, alt: &str, decorative: bool, now: i64) -> QueryResult<()> {
    diesel::update(media::table.filter(media::id.eq(id)).filter(media::revision.eq(revision)))
        .set((media::alt.eq(alt), media::decorative.eq(decorative), media::revision.eq(revision + 1), media::updated_at.eq(now)))
        .execute(conn)
        .and_then(super::one_row)
}

/// Another file for the row with the id and revision read (a compare-and-set).
pub fn replace_file(conn: &mut DbConnection, id: i64, revision: i64, file: &FileFacts, name: &str, now: i64) -> QueryResult<()> {
    let (width, height, bytes) = dims(file);
    diesel::update(media::table.filter(media::id.eq(id)).filter(media::revision.eq(revision)))
        .set((
            media::hash.eq(&file.hash),
            media::format.eq(file.format),
            media::width.eq(width),
            media::height.eq(height),
            media::bytes.eq(bytes),
            media::name.eq(name),
            media::revision.eq(revision + 1),
            media::updated_at.eq(now),
        ))
        .execute(conn)
        .and_then(super::one_row)
}

/// Removes the row with the id and revision read; a row changed since is `changed_meanwhile`.
pub fn delete(conn: &mut DbConnection, id: i64, revision: i64) -> QueryResult<()> {
    diesel::delete(media::table.filter(media::id.eq(id)).filter(media::revision.eq(revision))).execute(conn).and_then(super::one_row)
}

/// Schedules a file's removal from the media storage at `due_at` (checked again then).
pub fn schedule_removal(conn: &mut DbConnection, m: &Media, due_at: i64) -> QueryResult<()> {
    use crate::db::schema::media_removals;
    diesel::delete(media_removals::table.filter(media_removals::hash.eq(&m.hash))).execute(conn)?;
    diesel::insert_into(media_removals::table)
        .values((media_removals::hash.eq(&m.hash), media_removals::format.eq(&m.format), media_removals::width.eq(m.width), media_removals::due_at.eq(due_at)))
        .execute(conn)
        .map(drop)
}

/// Files due for removal at `now`: (hash, format, width).
pub fn due_removals(conn: &mut DbConnection, now: i64) -> QueryResult<Vec<(String, String, i32)>> {
    use crate::db::schema::media_removals;
    media_removals::table
        .filter(media_removals::due_at.le(now))
        .select((media_removals::hash, media_removals::format, media_removals::width))
        .order(media_removals::due_at.asc())
        .limit(500)
        .load(conn)
}

pub fn drop_removal(conn: &mut DbConnection, hash: &str) -> QueryResult<()> {
    use crate::db::schema::media_removals;
    diesel::delete(media_removals::table.filter(media_removals::hash.eq(hash))).execute(conn).map(drop)
}

/// Whether another media item still stands for this file.
pub fn hash_in_use(conn: &mut DbConnection, hash: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(media::table.filter(media::hash.eq(hash)))).get_result(conn)
}

/// Sets the media an item refers to (none: forget the item).
pub fn set_uses(conn: &mut DbConnection, kind: Kind, item_key: &str, keys: &[String]) -> QueryResult<()> {
    diesel::delete(media_uses::table.filter(media_uses::kind.eq(kind)).filter(media_uses::item_key.eq(item_key))).execute(conn)?;
    for key in keys {
        diesel::insert_into(media_uses::table)
            .values((media_uses::media_key.eq(key), media_uses::kind.eq(kind), media_uses::item_key.eq(item_key)))
            .execute(conn)?;
    }
    Ok(())
}

/// The items that refer to a media key: (kind, item key).
pub fn uses_of(conn: &mut DbConnection, key: &str) -> QueryResult<Vec<(Kind, String)>> {
    media_uses::table
        .filter(media_uses::media_key.eq(key))
        .order((media_uses::kind.asc(), media_uses::item_key.asc()))
        .select((media_uses::kind, media_uses::item_key))
        .load(conn)
}

/// How many items refer to each of these keys.
pub fn use_counts(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<Vec<(String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    media_uses::table
        .filter(media_uses::media_key.eq_any(keys))
        .group_by(media_uses::media_key)
        .select((media_uses::media_key, diesel::dsl::count_star()))
        .load(conn)
}
