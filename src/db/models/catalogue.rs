//! Catalogue products.

use diesel::prelude::*;

use super::translations::{self, Which};
use super::{Saved, from_json, parse_date, save_versioned, to_json, write_row};
use crate::content::model::{Lang, Product, Status};
use crate::db::DbConnection;
use crate::db::schema::products;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = products)]
struct ProductRow {
    id: i64,
    #[diesel(embed)]
    values: ProductValues,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = products, treat_none_as_null = true)]
struct ProductValues {
    slug: String,
    title: String,
    summary: String,
    audience: String,
    upl: Option<String>,
    themes: String,
    life_events: String,
    keywords: String,
    popular: bool,
    variables: String,
    sections: String,
    status: String,
    publish_at: Option<i64>,
    unpublish_at: Option<i64>,
    revision: i64,
    updated_at: i64,
    review_date: Option<String>,
    content_owner: Option<String>,
}

impl ProductRow {
    fn into_product(self) -> QueryResult<(i64, Product)> {
        Ok((
            self.id,
            Product {
                english: None,
                slug: self.values.slug,
                title: self.values.title,
                summary: self.values.summary,
                audience: from_json(&self.values.audience)?,
                upl: self.values.upl,
                themes: from_json(&self.values.themes)?,
                life_events: from_json(&self.values.life_events)?,
                keywords: from_json(&self.values.keywords)?,
                popular: self.values.popular,
                variables: from_json(&self.values.variables)?,
                sections: from_json(&self.values.sections)?,
                status: Status::parse(&self.values.status).unwrap_or(Status::Draft),
                publish_at: self.values.publish_at,
                unpublish_at: self.values.unpublish_at,
                revision: self.values.revision,
                updated_at: self.values.updated_at,
                review_date: parse_date(self.values.review_date.as_deref())?,
                content_owner: self.values.content_owner,
            },
        ))
    }
}

fn values(p: &Product, revision: i64, updated_at: i64) -> ProductValues {
    ProductValues {
        slug: p.slug.clone(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        audience: to_json(&p.audience),
        upl: p.upl.clone(),
        themes: to_json(&p.themes),
        life_events: to_json(&p.life_events),
        keywords: to_json(&p.keywords),
        popular: p.popular,
        variables: to_json(&p.variables),
        sections: to_json(&p.sections),
        status: p.status.as_str().into(),
        publish_at: p.publish_at,
        unpublish_at: p.unpublish_at,
        revision,
        updated_at,
        review_date: p.review_date.map(|d| d.format("%Y-%m-%d").to_string()),
        content_owner: p.content_owner.clone(),
    }
}

/// Every product, drafts included, by slug, with its English text.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<(i64, Product)>> {
    let mut english = translations::load(conn, Which::Products(None), Lang::En)?;
    products::table
        .order(products::slug.asc())
        .select(ProductRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| row.into_product().map(|(id, p)| (id, Product { english: english.remove(&id), ..p })))
        .collect()
}

/// One product with its English text.
pub fn find(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<(i64, Product)>> {
    let Some((id, product)) = products::table.filter(products::slug.eq(slug)).select(ProductRow::as_select()).first(conn).optional()?.map(ProductRow::into_product).transpose()?
    else {
        return Ok(None);
    };
    let english = translations::load(conn, Which::Products(Some(&[id])), Lang::En)?.remove(&id);
    Ok(Some((id, Product { english, ..product })))
}

pub fn ids_by_slug(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64, i64)>> {
    products::table.select((products::slug, products::id, products::revision)).load(conn)
}

/// Creates or updates a product by slug. `p.revision` is the revision asked for (0: none).
pub fn save(conn: &mut DbConnection, p: &Product, now: i64) -> QueryResult<Saved> {
    let existing = find(conn, &p.slug)?.map(|(id, old)| (id, old.revision, values(&old, 0, 0)));
    let at = super::dated(existing.is_some(), p.updated_at, now);
    save_versioned(existing, values(p, 0, 0), p.revision, |id, revision| {
        write_row!(conn, products, id, &values(p, revision, at))
    })
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(products::table.find(id)).execute(conn)
}
