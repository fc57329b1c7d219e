//! The dashboard: per scope, what needs attention — overrides whose central text changed since
//! they were written, variables without a local value, content past its review date, and
//! searches that found nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{admin_context, page, signed_in, with_editor};
use crate::auth::permissions::{Actor, Scope};
use crate::content::directory::Directory;
use crate::content::drift::{Drift, drift};
use crate::content::fold::Note;
use crate::content::model::{Owner, Product};
use crate::content::store;
use crate::content::visibility::Viewer;
use crate::db::DbConnection;
use crate::db::models::local::{self, Scope as LoadScope};
use crate::db::models::{LayerId, catalogue, layers, overrides, revisions, search_misses};
use crate::web::AppState;
use crate::web::error::AppError;

/// Sites whose folds the dashboard checks itself; with more, each site's page shows its own.
const DASHBOARD_SITES: usize = 12;

#[derive(Serialize)]
pub struct LayerLink {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
struct Review {
    layer: String,
    product: String,
    url: String,
    sections: Vec<Drift>,
}

#[derive(Serialize)]
struct Missing {
    site: String,
    product: String,
    url: String,
    variables: Vec<String>,
}

#[derive(Serialize)]
struct Due {
    what: String,
    title: String,
    url: String,
    date: String,
}

#[derive(Serialize)]
struct Misses {
    site: String,
    queries: Vec<(String, i64)>,
}

/// The groups and sites this actor works on, as links to their pages.
pub fn layer_links(conn: &mut DbConnection, actor: &Actor, directory: &Directory) -> Result<(Vec<LayerLink>, Vec<LayerLink>), AppError> {
    let groups: Vec<(String, String)> = layers::groups(conn)?.into_iter().map(|(_, g)| (g.slug, g.name)).collect();
    let slugs: Vec<String> = groups.iter().map(|(s, _)| s.clone()).collect();
    let mine = actor.group_slugs(&slugs);
    let group_links = groups
        .into_iter()
        .filter(|(s, _)| mine.contains(s))
        .map(|(slug, name)| LayerLink { url: format!("/admin/groepen/{slug}"), name })
        .collect();
    let site_links = actor
        .site_slugs(directory)
        .into_iter()
        .filter_map(|slug| directory.site_by_slug(&slug).map(|s| LayerLink { name: s.site.name.clone(), url: format!("/admin/sites/{slug}") }))
        .collect();
    Ok((group_links, site_links))
}

/// The product as it was at `revision`, from the history.
pub fn product_at(conn: &mut DbConnection, slug: &str, revision: i64) -> Result<Option<Product>, AppError> {
    Ok(revisions::find(conn, "product", slug, revision)?.and_then(|r| serde_json::from_str(&r.data).ok()))
}

/// The URL segment of a layer kind in admin URLs.
pub fn kind_segment(owner: &Owner) -> &'static str {
    match owner {
        Owner::Group(_) => "groepen",
        Owner::Site(_) => "sites",
    }
}

pub async fn dashboard(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let mut c = admin_context(&state, Some(&signed), "Overzicht", vec![]);
    let data = with_editor(&req, &state, &signed, |ed, st| {
        let actor = ed.actor.clone();
        let directory = ed.directory;
        let conn = &mut *ed.conn;
        let (groups, sites) = layer_links(conn, &actor, directory)?;
        let today = chrono::Utc::now().date_naive();

        // Overrides whose central text moved.
        let group_ids: Vec<(i64, String)> = layers::groups(conn)?.into_iter().map(|(id, g)| (id, g.slug)).collect();
        let products = catalogue::all(conn)?;
        let mut review = Vec::new();
        for stored in overrides::all(conn)? {
            let owner = match stored.layer {
                LayerId::Group(id) => group_ids.iter().find(|(g, _)| *g == id).map(|(_, s)| Owner::Group(s.clone())),
                LayerId::Site(id) => directory.site(id).map(|s| Owner::Site(s.site.slug.clone())),
            };
            let Some(owner) = owner else { continue };
            if !actor.may_edit(&Scope::of(&owner), directory) {
                continue;
            }
            let Some((_, product)) = products.iter().find(|(id, _)| *id == stored.product_id) else { continue };
            if stored.over.based_on >= product.revision {
                continue;
            }
            let old = product_at(conn, &product.slug, stored.over.based_on)?;
            let sections = drift(product, &stored.over, old.as_ref());
            if sections.is_empty() {
                continue;
            }
            review.push(Review {
                layer: owner.slug().to_owned(),
                product: product.title.clone(),
                url: format!("/admin/{}/{}/producten/{}", kind_segment(&owner), owner.slug(), product.slug),
                sections,
            });
        }

        // Variables without a local value, and searches that found nothing, per site.
        let viewer = Viewer::resident(ed.now);
        let my_sites: Vec<String> = actor.site_slugs(directory);
        let mut missing = Vec::new();
        let mut misses = Vec::new();
        for slug in my_sites.iter().take(DASHBOARD_SITES) {
            let Some(site) = directory.site_by_slug(slug) else { continue };
            for r in store::catalogue(conn, &st.content, site, viewer)?.items {
                let vars: Vec<String> = r
                    .notes
                    .iter()
                    .filter_map(|n| match n {
                        Note::DefaultUsed { name } | Note::MissingVariable { name } => Some(
                            r.variables.iter().find(|v| &v.name == name).map(|v| v.label.clone()).unwrap_or_else(|| name.clone()),
                        ),
                        _ => None,
                    })
                    .collect();
                if !vars.is_empty() {
                    missing.push(Missing {
                        site: site.site.name.clone(),
                        product: r.title.clone(),
                        url: format!("/admin/sites/{slug}/producten/{}", r.slug),
                        variables: vars,
                    });
                }
            }
            let queries: Vec<(String, i64)> =
                search_misses::top(conn, site.id, ed.now - 30 * 86_400, 5)?.into_iter().map(|m| (m.query, m.count)).collect();
            if !queries.is_empty() {
                misses.push(Misses { site: site.site.name.clone(), queries });
            }
        }

        // Content past its review date.
        let mut due = Vec::new();
        if actor.may_edit_catalogue() {
            for (_, p) in &products {
                if let Some(d) = p.review_date.filter(|d| *d <= today) {
                    due.push(Due { what: "Product".into(), title: p.title.clone(), url: format!("/admin/catalogus/{}", p.slug), date: d.to_string() });
                }
            }
        }
        for s in local::pages(conn, LoadScope::Everything)? {
            if let Some(d) = s.item.review_date.filter(|d| *d <= today) {
                if actor.may_edit(&Scope::of(&s.item.owner), directory) {
                    let url = format!("/admin/{}/{}/paginas/{}", kind_segment(&s.item.owner), s.item.owner.slug(), s.id);
                    due.push(Due { what: "Pagina".into(), title: s.item.title.clone(), url, date: d.to_string() });
                }
            }
        }
        for s in local::news(conn, LoadScope::Everything)? {
            if let Some(d) = s.item.review_date.filter(|d| *d <= today) {
                if actor.may_edit(&Scope::of(&s.item.owner), directory) {
                    let url = format!("/admin/{}/{}/nieuws/{}", kind_segment(&s.item.owner), s.item.owner.slug(), s.id);
                    due.push(Due { what: "Nieuws".into(), title: s.item.title.clone(), url, date: d.to_string() });
                }
            }
        }
        Ok((groups, sites, review, missing, due, misses, my_sites.len() > DASHBOARD_SITES))
    })
    .await?;
    let (groups, sites, review, missing, due, misses, more) = data;
    c.insert("groups", &groups);
    c.insert("sites", &sites);
    c.insert("review", &review);
    c.insert("missing", &missing);
    c.insert("due", &due);
    c.insert("misses", &misses);
    c.insert("more_sites", &more);
    page(&state, StatusCode::OK, "admin/dashboard.html", &c)
}
