//! Saved versions of items: who saved what, when. Every save of an item adds one.

use diesel::prelude::*;

use crate::content::kind::Kind;
use crate::db::DbConnection;
use crate::db::schema::revisions;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = revisions)]
pub struct Revision {
    pub id: i64,
    pub kind: Kind,
    pub item_key: String,
    pub revision: i64,
    pub data: String,
    pub author: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = revisions)]
pub struct NewRevision<'a> {
    pub kind: Kind,
    pub item_key: &'a str,
    pub revision: i64,
    pub data: &'a str,
    pub author: Option<&'a str>,
    pub created_at: i64,
}

pub fn record(conn: &mut DbConnection, new: &NewRevision) -> QueryResult<()> {
    // A revision number is written once; saving the same number again keeps the first.
    let exists = revisions::table
        .filter(revisions::kind.eq(new.kind))
        .filter(revisions::item_key.eq(new.item_key))
        .filter(revisions::revision.eq(new.revision))
        .count()
        .get_result::<i64>(conn)?;
    if exists == 0 {
        diesel::insert_into(revisions::table).values(new).execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, kind: Kind, item_key: &str, revision: i64) -> QueryResult<Option<Revision>> {
    revisions::table
        .filter(revisions::kind.eq(kind))
        .filter(revisions::item_key.eq(item_key))
        .filter(revisions::revision.eq(revision))
        .select(Revision::as_select())
        .first(conn)
        .optional()
}

pub fn history(conn: &mut DbConnection, kind: Kind, item_key: &str) -> QueryResult<Vec<Revision>> {
    revisions::table
        .filter(revisions::kind.eq(kind))
        .filter(revisions::item_key.eq(item_key))
        .order(revisions::revision.desc())
        .select(Revision::as_select())
        .load(conn)
}
