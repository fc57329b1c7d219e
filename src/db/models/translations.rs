//! Translations: an item's texts in a language other than Dutch, one row beside its Dutch
//! item (a product, an override, a page or a news item), removed with it by the database.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{LayerId, Saved, from_json, save_versioned, to_json, write_row};
use crate::content::model::{ItemText, Lang, OverrideText, ProductText, Translation};
use crate::db::DbConnection;
use crate::db::schema::translations;

/// The Dutch item a translation belongs to, by its database id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Of {
    Product(i64),
    Override(i64),
    Page(i64),
    News(i64),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = translations)]
struct Row {
    id: i64,
    #[diesel(embed)]
    values: Values,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = translations, treat_none_as_null = true)]
struct Values {
    product_id: Option<i64>,
    override_id: Option<i64>,
    page_id: Option<i64>,
    news_id: Option<i64>,
    group_id: Option<i64>,
    site_id: Option<i64>,
    lang: String,
    #[diesel(embed)]
    text: Columns,
    based_on_nl: i64,
    revision: i64,
    updated_at: i64,
}

/// The columns a kind of text is kept in.
#[derive(Debug, Clone, PartialEq, Default, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = translations, treat_none_as_null = true)]
pub struct Columns {
    title: Option<String>,
    summary: Option<String>,
    body: String,
    sections: String,
    based_on: Option<i64>,
}

/// A kind of translated text, and how it is kept.
pub trait Text: Sized {
    fn columns(&self) -> Columns;
    fn from_columns(c: Columns) -> QueryResult<Self>;
}

impl Text for ProductText {
    fn columns(&self) -> Columns {
        Columns { title: Some(self.title.clone()), summary: Some(self.summary.clone()), sections: to_json(&self.sections), ..Columns::default() }
    }

    fn from_columns(c: Columns) -> QueryResult<Self> {
        Ok(ProductText { title: c.title.unwrap_or_default(), summary: c.summary.unwrap_or_default(), sections: from_json(&c.sections)? })
    }
}

impl Text for OverrideText {
    fn columns(&self) -> Columns {
        // An override has no body of its own: `body` keeps its opt-out reason (empty: none).
        Columns {
            title: self.title.clone(),
            summary: self.summary.clone(),
            sections: to_json(&self.sections),
            based_on: Some(self.based_on),
            body: self.reason.clone().unwrap_or_default(),
        }
    }

    fn from_columns(c: Columns) -> QueryResult<Self> {
        let reason = Some(c.body).filter(|r| !r.is_empty());
        Ok(OverrideText { based_on: c.based_on.unwrap_or(0), title: c.title, summary: c.summary, reason, sections: from_json(&c.sections)? })
    }
}

impl Text for ItemText {
    fn columns(&self) -> Columns {
        Columns { title: Some(self.title.clone()), summary: Some(self.summary.clone()), body: self.body.clone(), sections: "[]".into(), based_on: None }
    }

    fn from_columns(c: Columns) -> QueryResult<Self> {
        Ok(ItemText { title: c.title.unwrap_or_default(), summary: c.summary.unwrap_or_default(), body: c.body })
    }
}

fn values<T: Text>(of: Of, layer: Option<LayerId>, t: &Translation<T>, revision: i64, updated_at: i64) -> Values {
    let (group_id, site_id) = layer.map(LayerId::columns).unwrap_or((None, None));
    let (product_id, override_id, page_id, news_id) = match of {
        Of::Product(id) => (Some(id), None, None, None),
        Of::Override(id) => (None, Some(id), None, None),
        Of::Page(id) => (None, None, Some(id), None),
        Of::News(id) => (None, None, None, Some(id)),
    };
    Values {
        product_id,
        override_id,
        page_id,
        news_id,
        group_id,
        site_id,
        lang: t.lang.code().to_owned(),
        text: t.text.columns(),
        based_on_nl: t.based_on_nl,
        revision,
        updated_at,
    }
}

fn into_translation<T: Text>(values: Values) -> QueryResult<(Of, Translation<T>)> {
    let of = match (values.product_id, values.override_id, values.page_id, values.news_id) {
        (Some(id), ..) => Of::Product(id),
        (_, Some(id), ..) => Of::Override(id),
        (_, _, Some(id), _) => Of::Page(id),
        (.., Some(id)) => Of::News(id),
        // The schema's CHECK constraint makes exactly one of the four set.
        _ => return Err(diesel::result::Error::NotFound),
    };
    let lang = Lang::parse(&values.lang).ok_or_else(|| diesel::result::Error::DeserializationError(format!("unknown language {:?}", values.lang).into()))?;
    let translation = Translation { lang, text: T::from_columns(values.text)?, based_on_nl: values.based_on_nl, revision: values.revision, updated_at: values.updated_at };
    Ok((of, translation))
}

/// Which translations to load: of the given products, overrides, pages or news items (by the
/// ids of the Dutch items; `None`: all of them).
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    Products(Option<&'a [i64]>),
    Overrides(Option<&'a [i64]>),
    Pages(Option<&'a [i64]>),
    News(Option<&'a [i64]>),
}

/// The most ids asked for in one query (SQLite binds at most 32,766 values).
const CHUNK: usize = 10_000;

/// The translations in `lang` that `which` names, by the id of their Dutch item.
pub fn load<T: Text>(conn: &mut DbConnection, which: Which, lang: Lang) -> QueryResult<HashMap<i64, Translation<T>>> {
    let ids = match which {
        Which::Products(ids) | Which::Overrides(ids) | Which::Pages(ids) | Which::News(ids) => ids,
    };
    let chunks: Vec<Option<&[i64]>> = match ids {
        None => vec![None],
        Some(ids) => ids.chunks(CHUNK).map(Some).collect(),
    };
    let mut out = HashMap::new();
    for chunk in chunks {
        let query = translations::table.select(Row::as_select()).filter(translations::lang.eq(lang.code())).into_boxed();
        let query = match (which, chunk) {
            (Which::Products(_), None) => query.filter(translations::product_id.is_not_null()),
            (Which::Products(_), Some(ids)) => query.filter(translations::product_id.eq_any(ids.to_vec())),
            (Which::Overrides(_), None) => query.filter(translations::override_id.is_not_null()),
            (Which::Overrides(_), Some(ids)) => query.filter(translations::override_id.eq_any(ids.to_vec())),
            (Which::Pages(_), None) => query.filter(translations::page_id.is_not_null()),
            (Which::Pages(_), Some(ids)) => query.filter(translations::page_id.eq_any(ids.to_vec())),
            (Which::News(_), None) => query.filter(translations::news_id.is_not_null()),
            (Which::News(_), Some(ids)) => query.filter(translations::news_id.eq_any(ids.to_vec())),
        };
        for row in query.load::<Row>(conn)? {
            let (of, t) = into_translation::<T>(row.values)?;
            out.insert(of.id(), t);
        }
    }
    Ok(out)
}

/// Filters a boxed query of translations to those of one item.
macro_rules! of_item {
    ($query:expr, $of:expr) => {
        match $of {
            Of::Product(id) => $query.filter(translations::product_id.eq(id)),
            Of::Override(id) => $query.filter(translations::override_id.eq(id)),
            Of::Page(id) => $query.filter(translations::page_id.eq(id)),
            Of::News(id) => $query.filter(translations::news_id.eq(id)),
        }
    };
}

/// The translation in `lang` of one item, with its row id.
fn find<T: Text>(conn: &mut DbConnection, of: Of, lang: Lang) -> QueryResult<Option<(i64, Translation<T>)>> {
    let query = translations::table.select(Row::as_select()).filter(translations::lang.eq(lang.code())).into_boxed();
    of_item!(query, of).first::<Row>(conn).optional()?.map(|row| Ok((row.id, into_translation::<T>(row.values)?.1))).transpose()
}

/// The revision of the translation of `of` in `lang`, if there is one.
pub fn revision(conn: &mut DbConnection, of: Of, lang: Lang) -> QueryResult<Option<i64>> {
    let query = translations::table.select(translations::revision).filter(translations::lang.eq(lang.code())).into_boxed();
    of_item!(query, of).first::<i64>(conn).optional()
}

/// Creates or updates the translation of `of` in its language (`layer`: the Dutch item's
/// layer, none for the catalogue). A compare-and-set on the revision read, like every save.
pub fn save<T: Text>(conn: &mut DbConnection, of: Of, layer: Option<LayerId>, t: &Translation<T>, now: i64) -> QueryResult<Saved> {
    let existing = find::<T>(conn, of, t.lang)?.map(|(id, old)| (id, old.revision, values(of, layer, &old, 0, 0)));
    let at = super::dated(existing.is_some(), t.updated_at, now);
    save_versioned(existing, values(of, layer, t, 0, 0), t.revision, |id, revision| write_row!(conn, translations, id, &values(of, layer, t, revision, at)))
}

/// Removes the translation of `of` in `lang` with the revision read; a row changed since is
/// `changed_meanwhile`. Nothing to remove is fine.
pub fn delete(conn: &mut DbConnection, of: Of, lang: Lang, revision: i64) -> QueryResult<()> {
    let query = translations::table.select(translations::id).filter(translations::lang.eq(lang.code())).into_boxed();
    let Some(id) = of_item!(query, of).first::<i64>(conn).optional()? else { return Ok(()) };
    diesel::delete(translations::table.find(id).filter(translations::revision.eq(revision))).execute(conn).and_then(super::one_row)
}

impl Of {
    /// The Dutch item's database id.
    pub fn id(self) -> i64 {
        match self {
            Of::Product(id) | Of::Override(id) | Of::Page(id) | Of::News(id) => id,
        }
    }
}
