//! Groups and sites: the layers above the catalogue, with a site's hosts and group order.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{Saved, from_json, next_revision, save_versioned, to_json, write_row};
use crate::content::model::{Group, Site};
use crate::db::DbConnection;
use crate::db::schema::{groups, site_groups, site_hosts, sites};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups)]
struct GroupRow {
    id: i64,
    #[diesel(embed)]
    values: GroupValues,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = groups)]
struct GroupValues {
    slug: String,
    name: String,
    contact: String,
    variables: String,
    revision: i64,
    updated_at: i64,
}

fn group_values(g: &Group, revision: i64, updated_at: i64) -> GroupValues {
    GroupValues {
        slug: g.slug.clone(),
        name: g.name.clone(),
        contact: to_json(&g.contact),
        variables: to_json(&g.variables),
        revision,
        updated_at,
    }
}

impl GroupRow {
    fn into_group(self) -> QueryResult<(i64, Group)> {
        Ok((
            self.id,
            Group {
                slug: self.values.slug,
                name: self.values.name,
                contact: from_json(&self.values.contact)?,
                variables: from_json(&self.values.variables)?,
                revision: self.values.revision,
                updated_at: self.values.updated_at,
            },
        ))
    }
}

pub fn groups(conn: &mut DbConnection) -> QueryResult<Vec<(i64, Group)>> {
    groups::table
        .order(groups::slug.asc())
        .select(GroupRow::as_select())
        .load(conn)?
        .into_iter()
        .map(GroupRow::into_group)
        .collect()
}

/// The slug of a group by id.
pub fn group_slug(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    groups::table.filter(groups::id.eq(id)).select(groups::slug).first(conn).optional()
}

pub fn find_group(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<(i64, Group)>> {
    groups::table
        .filter(groups::slug.eq(slug))
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?
        .map(GroupRow::into_group)
        .transpose()
}

pub fn save_group(conn: &mut DbConnection, g: &Group, now: i64) -> QueryResult<Saved> {
    let existing = find_group(conn, &g.slug)?.map(|(id, old)| (id, old.revision, group_values(&old, 0, 0)));
    let at = super::dated(existing.is_some(), g.updated_at, now);
    save_versioned(existing, group_values(g, 0, 0), g.revision, |id, revision| {
        write_row!(conn, groups, id, &group_values(g, revision, at))
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sites)]
struct SiteRow {
    id: i64,
    #[diesel(embed)]
    values: SiteValues,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(table_name = sites, treat_none_as_null = true)]
struct SiteValues {
    slug: String,
    name: String,
    municipality_code: Option<String>,
    owms_uri: Option<String>,
    security_contact: Option<String>,
    contact: String,
    variables: String,
    popular: String,
    theme_tokens: Option<String>,
    accessibility: Option<String>,
    services: String,
    revision: i64,
    updated_at: i64,
}

fn site_values(s: &Site, revision: i64, updated_at: i64) -> SiteValues {
    SiteValues {
        slug: s.slug.clone(),
        name: s.name.clone(),
        municipality_code: s.municipality_code.clone(),
        owms_uri: s.owms_uri.clone(),
        security_contact: s.security_contact.clone(),
        contact: to_json(&s.contact),
        variables: to_json(&s.variables),
        popular: to_json(&s.popular),
        theme_tokens: s.theme_tokens.clone(),
        accessibility: s.accessibility.as_ref().map(to_json),
        services: to_json(&s.services),
        revision,
        updated_at,
    }
}

/// Every site with its hosts (canonical first) and groups (in fold order), by slug.
pub fn sites(conn: &mut DbConnection) -> QueryResult<Vec<(i64, Site)>> {
    let rows: Vec<SiteRow> = sites::table.order(sites::slug.asc()).select(SiteRow::as_select()).load(conn)?;
    let hosts: Vec<(i64, String)> = site_hosts::table
        .order((site_hosts::site_id.asc(), site_hosts::position.asc()))
        .select((site_hosts::site_id, site_hosts::host))
        .load(conn)?;
    let memberships: Vec<(i64, String)> = site_groups::table
        .inner_join(groups::table)
        .order((site_groups::site_id.asc(), site_groups::position.asc()))
        .select((site_groups::site_id, groups::slug))
        .load(conn)?;
    let mut hosts_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (site, host) in hosts {
        hosts_of.entry(site).or_default().push(host);
    }
    let mut groups_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (site, group) in memberships {
        groups_of.entry(site).or_default().push(group);
    }
    rows.into_iter()
        .map(|r| {
            Ok((
                r.id,
                Site {
                    hosts: hosts_of.remove(&r.id).unwrap_or_default(),
                    groups: groups_of.remove(&r.id).unwrap_or_default(),
                    slug: r.values.slug,
                    name: r.values.name,
                    municipality_code: r.values.municipality_code,
                    owms_uri: r.values.owms_uri,
                    security_contact: r.values.security_contact,
                    contact: from_json(&r.values.contact)?,
                    variables: from_json(&r.values.variables)?,
                    popular: from_json(&r.values.popular)?,
                    theme_tokens: r.values.theme_tokens,
                    accessibility: r.values.accessibility.as_deref().map(from_json).transpose()?,
                    services: from_json(&r.values.services)?,
                    revision: r.values.revision,
                    updated_at: r.values.updated_at,
                },
            ))
        })
        .collect()
}


/// Creates or updates a site by slug, with its hosts and groups. `group_ids` are the ids of
/// `s.groups`, in order.
pub fn save_site(conn: &mut DbConnection, s: &Site, group_ids: &[i64], now: i64) -> QueryResult<Saved> {
    let existing: Option<SiteRow> =
        sites::table.filter(sites::slug.eq(&s.slug)).select(SiteRow::as_select()).first(conn).optional()?;
    let (old_hosts, old_groups) = match &existing {
        Some(row) => (
            site_hosts::table
                .filter(site_hosts::site_id.eq(row.id))
                .order(site_hosts::position.asc())
                .select(site_hosts::host)
                .load::<String>(conn)?,
            site_groups::table
                .filter(site_groups::site_id.eq(row.id))
                .order(site_groups::position.asc())
                .select(site_groups::group_id)
                .load::<i64>(conn)?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    if let Some(row) = &existing {
        let old = SiteValues { revision: 0, updated_at: 0, ..row.values.clone() };
        if old == site_values(s, 0, 0) && old_hosts == s.hosts && old_groups == group_ids {
            return Ok(Saved { id: row.id, revision: row.values.revision, changed: false });
        }
    }
    let revision = next_revision(existing.as_ref().map(|r| r.values.revision), s.revision);
    let values = site_values(s, revision, super::dated(existing.is_some(), s.updated_at, now));
    let id = match &existing {
        Some(row) => {
            diesel::update(sites::table.find(row.id)).set(&values).execute(conn)?;
            diesel::delete(site_hosts::table.filter(site_hosts::site_id.eq(row.id))).execute(conn)?;
            diesel::delete(site_groups::table.filter(site_groups::site_id.eq(row.id))).execute(conn)?;
            row.id
        }
        None => diesel::insert_into(sites::table).values(&values).returning(sites::id).get_result(conn)?,
    };
    for (position, host) in s.hosts.iter().enumerate() {
        diesel::insert_into(site_hosts::table)
            .values((site_hosts::host.eq(host), site_hosts::site_id.eq(id), site_hosts::position.eq(position as i32)))
            .execute(conn)?;
    }
    for (position, group) in group_ids.iter().enumerate() {
        diesel::insert_into(site_groups::table)
            .values((
                site_groups::site_id.eq(id),
                site_groups::group_id.eq(group),
                site_groups::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(Saved { id, revision, changed: true })
}
