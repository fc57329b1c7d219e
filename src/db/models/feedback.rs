//! Residents' answers to "Was deze informatie nuttig?" (`web::feedback`).

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::feedback;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = feedback)]
pub struct NewFeedback<'a> {
    pub site_id: i64,
    pub path: &'a str,
    pub lang: &'a str,
    pub useful: bool,
    pub comment: Option<&'a str>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = feedback)]
pub struct Answer {
    #[serde(skip)]
    pub id: i64,
    pub path: String,
    pub lang: String,
    pub useful: bool,
    pub comment: Option<String>,
    pub created_at: i64,
}

pub fn insert(conn: &mut DbConnection, new: &NewFeedback) -> QueryResult<()> {
    diesel::insert_into(feedback::table).values(new).execute(conn).map(|_| ())
}

/// What to read: one page, one answer, a period.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub path: Option<String>,
    pub useful: Option<bool>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// A site's answers matching `filter`, newest first, at most `limit`.
pub fn answers(conn: &mut DbConnection, site_id: i64, filter: &Filter, limit: i64) -> QueryResult<Vec<Answer>> {
    let mut q = feedback::table.filter(feedback::site_id.eq(site_id)).into_boxed();
    if let Some(p) = &filter.path {
        q = q.filter(feedback::path.eq(p.clone()));
    }
    if let Some(u) = filter.useful {
        q = q.filter(feedback::useful.eq(u));
    }
    if let Some(s) = filter.since {
        q = q.filter(feedback::created_at.ge(s));
    }
    if let Some(u) = filter.until {
        q = q.filter(feedback::created_at.lt(u));
    }
    q.order((feedback::created_at.desc(), feedback::id.desc())).limit(limit).select(Answer::as_select()).load(conn)
}

/// Per page: (path, "ja" count, "nee" count), most "nee" first.
pub fn counts(conn: &mut DbConnection, site_id: i64, filter: &Filter) -> QueryResult<Vec<(String, i64, i64)>> {
    let period = feedback::site_id
        .eq(site_id)
        .and(feedback::created_at.ge(filter.since.unwrap_or(i64::MIN)))
        .and(feedback::created_at.lt(filter.until.unwrap_or(i64::MAX)));
    let columns = (feedback::path, feedback::useful, diesel::dsl::count_star());
    let rows: Vec<(String, bool, i64)> = match &filter.path {
        Some(p) => feedback::table.filter(period.and(feedback::path.eq(p))).group_by((feedback::path, feedback::useful)).select(columns).load(conn)?,
        None => feedback::table.filter(period).group_by((feedback::path, feedback::useful)).select(columns).load(conn)?,
    };
    let mut per: std::collections::BTreeMap<String, (i64, i64)> = std::collections::BTreeMap::new();
    for (path, useful, n) in rows {
        let e = per.entry(path).or_default();
        if useful { e.0 += n } else { e.1 += n }
    }
    let mut out: Vec<(String, i64, i64)> = per.into_iter().map(|(p, (yes, no))| (p, yes, no)).collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    Ok(out)
}
