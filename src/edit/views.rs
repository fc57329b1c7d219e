//! What editors read to do their work, through the same `Editor` as their writes: a layer's
//! products, the state of an override (with where the central text moved), previews of a
//! product on a site, and the dashboard. Permission first, refusals audited; a catalogue item
//! that residents cannot see yet (a draft, or scheduled) exists only for catalogue editors,
//! decided in `visible_product` and nowhere else.

use serde::Serialize;

use super::{EditError, EditResult, Editor, OverrideDoc, ProductDoc};
use crate::content::kind::Kind;
use crate::content::model::Stamped;
use crate::auth::permissions::Scope;
use crate::content::cache::ContentCache;
use crate::content::directory::SiteEntry;
use crate::content::drift::{Drift, drift};
use crate::content::fold::{Note, Resolved, fold};
use crate::content::model::{Owner, Product};
use crate::db::models::page_views;
use crate::content::store;
use crate::content::visibility::Viewer;
use crate::db::models::local::{self, Scope as LoadScope};
use crate::db::models::{LayerId, catalogue, layers, overrides, revisions, search_misses};

/// Sites whose folds the dashboard checks itself; with more, each site's page shows its own.
pub const DASHBOARD_SITES: usize = 12;

/// A product in a layer's overview: how the layer adjusts it.
#[derive(Debug, Clone, Serialize)]
pub struct LayerProduct {
    pub slug: String,
    pub title: String,
    /// `None`: the central text as is; `Some(false)`: opted out; `Some(true)`: adjusted.
    pub adjusted: Option<bool>,
    /// The central text moved since the override was written.
    pub review: bool,
}

/// An override as its editor works on it.
#[derive(Debug, Clone)]
pub struct OverrideEditing {
    pub product: Product,
    pub product_id: i64,
    pub doc: Option<OverrideDoc>,
    pub drifted: Vec<Drift>,
    /// The site a preview is shown on (for a group: its first member).
    pub preview_site: Option<String>,
}

/// A product folded for one site, for an editor's preview.
#[derive(Debug, Clone)]
pub struct Preview {
    pub site_name: String,
    pub resolved: Resolved,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub owner: Owner,
    pub product: String,
    pub slug: String,
    pub sections: Vec<Drift>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub site: String,
    pub site_slug: String,
    pub product: String,
    pub slug: String,
    pub variables: Vec<String>,
    /// Views of the product's page on this site in the last two months: what residents see
    /// most comes first.
    pub views: i64,
}

/// A value with dates that changes what a site shows within `COMING_DAYS`.
#[derive(Debug, Clone, Serialize)]
pub struct Coming {
    pub site: String,
    pub site_slug: String,
    pub product: String,
    pub slug: String,
    /// The variable's label.
    pub variable: String,
    pub at: crate::content::model::Timestamp,
    pub before: String,
    pub after: String,
}

/// How far ahead the dashboard lists changes of values with dates.
pub const COMING_DAYS: i64 = 60;

/// Most changes of one product the dashboard follows ahead (a value lists at most
/// `dated::MAX_STEPS` dates; a product has several values).
const MAX_COMING_STEPS: usize = 40;

#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub what: &'static str,
    pub title: String,
    /// `catalogue/<slug>`, or the owner and id of a page or news item.
    pub owner: Option<Owner>,
    pub item: String,
    pub date: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Misses {
    pub site: String,
    pub site_slug: String,
    /// Each query, how often, and the query as a URL parameter (for the links that fix it).
    pub queries: Vec<(String, i64, String)>,
}

/// What needs an editor's attention in their scopes.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub groups: Vec<(String, String)>,
    pub sites: Vec<(String, String)>,
    pub review: Vec<Review>,
    pub missing: Vec<Missing>,
    /// Values with dates changing in the next `COMING_DAYS`, soonest first.
    pub coming: Vec<Coming>,
    pub due: Vec<Due>,
    pub misses: Vec<Misses>,
    /// Translations whose Dutch (or central) text moved since.
    pub behind: Vec<super::behind::Behind>,
    /// Per site, the pages with the most "nee" this month: (site slug, site name, pages).
    pub not_useful: Vec<(String, String, Vec<super::residents::PageCounts>)>,
    /// What the sites' accessibility statements need: (site name, warnings).
    pub accessibility: Vec<(String, Vec<String>)>,
    /// More sites than the dashboard checks itself.
    pub more_sites: bool,
}

/// The changes of `now`'s fold `r` of a product on `site` that values with dates make before
/// `until`: each variable whose value differs at each next moment.
fn coming_changes(conn: &mut crate::db::DbConnection, content: &ContentCache, site: &SiteEntry, r: &Resolved, until: i64) -> diesel::QueryResult<Vec<Coming>> {
    let mut found = Vec::new();
    let mut current = r.clone();
    for _ in 0..MAX_COMING_STEPS {
        let Some(at) = current.next_change.filter(|&t| t <= until) else { break };
        let Some(next) = store::product(conn, content, site, &r.slug, Viewer::resident(at))?.items.into_iter().next() else { break };
        for v in &next.variables {
            let before = current.variables.iter().find(|o| o.name == v.name).map(|o| o.value.clone()).unwrap_or_default();
            if before != v.value {
                found.push(Coming {
                    site: site.site.name.clone(),
                    site_slug: site.site.slug.clone(),
                    product: r.title.clone(),
                    slug: r.slug.clone(),
                    variable: v.label.clone(),
                    at,
                    before,
                    after: v.value.clone(),
                });
            }
        }
        current = next;
    }
    Ok(found)
}

impl Editor<'_> {
    /// Whether residents can see this catalogue product now, or the actor edits the catalogue.
    fn sees_product(&self, product: &Product) -> bool {
        self.actor.may_edit_catalogue() || Viewer::resident(self.now).sees(product)
    }

    /// A catalogue product as this actor may know it: catalogue editors see drafts and
    /// scheduled items; for everyone else those do not exist yet (`NotFound`).
    pub fn visible_product(&mut self, slug: &str) -> EditResult<(i64, Product)> {
        match catalogue::find(self.conn, slug)? {
            Some((id, product)) if self.sees_product(&product) => Ok((id, product)),
            _ => Err(EditError::NotFound),
        }
    }

    /// Refuses (audited) unless the actor edits the catalogue.
    pub fn require_catalogue(&mut self, action: &str) -> EditResult<()> {
        self.require(self.actor.may_edit_catalogue(), action, "catalogue", &Scope::National)
    }

    /// The catalogue as its editors list it.
    pub fn catalogue_list(&mut self) -> EditResult<Vec<Product>> {
        self.require_catalogue("catalogue.read")?;
        Ok(catalogue::all(self.conn)?.into_iter().map(|(_, p)| p).collect())
    }

    /// What the product form offers to choose from: the municipal UPL products (URI, name)
    /// and the sites to preview on (slug, name).
    pub fn product_form_choices(&mut self) -> EditResult<(Vec<(String, String)>, Vec<(String, String)>)> {
        self.require_catalogue("catalogue.read")?;
        let upl = crate::db::models::upl::all(self.conn)?.into_iter().filter(|p| p.municipal).map(|p| (p.uri, p.name)).collect();
        let sites = self.directory.sites().iter().map(|s| (s.site.slug.clone(), s.site.name.clone())).collect();
        Ok((upl, sites))
    }

    /// The display name of a layer this actor works on.
    pub fn layer_name(&mut self, owner: &Owner) -> EditResult<String> {
        self.require_layer(owner, "layer.read", &format!("layer:{}", Scope::of(owner)))?;
        Ok(match owner {
            Owner::Site(s) => self.directory.site_by_slug(s).map(|e| e.site.name.clone()).unwrap_or_default(),
            Owner::Group(g) => layers::find_group(self.conn, g)?.map(|(_, g)| g.name).unwrap_or_default(),
        })
    }

    /// The products of the catalogue with how this layer adjusts each.
    pub fn layer_products(&mut self, owner: &Owner) -> EditResult<Vec<LayerProduct>> {
        let layer = self.require_layer(owner, "overrides.read", &format!("layer:{}", Scope::of(owner)))?;
        let mut held = overrides::for_layer(self.conn, layer)?;
        let mut out = Vec::new();
        for (id, p) in catalogue::all(self.conn)? {
            if !self.sees_product(&p) {
                continue;
            }
            let stored = held.iter().position(|s| s.product_id == id).map(|i| held.swap_remove(i));
            out.push(LayerProduct {
                adjusted: stored.as_ref().map(|s| s.over.enabled != Some(false)),
                review: stored.is_some_and(|s| s.over.based_on < p.revision),
                slug: p.slug,
                title: p.title,
            });
        }
        Ok(out)
    }

    /// The product as it was at `revision`, from its history.
    pub fn product_at(&mut self, slug: &str, revision: i64) -> EditResult<Option<Product>> {
        Ok(revisions::find(self.conn, Kind::Product, slug, revision)?.and_then(|r| serde_json::from_str(&r.data).ok()))
    }

    /// A layer's override of a product, with what moved in the central text since it was
    /// written; the override does not have to exist yet.
    pub fn override_editing(&mut self, owner: &Owner, slug: &str) -> EditResult<OverrideEditing> {
        let object = super::override_key(owner, slug);
        let layer = self.require_layer(owner, "override.read", &object)?;
        let (product_id, product) = self.visible_product(slug)?;
        let stored = overrides::find(self.conn, product_id, layer)?;
        let drifted = match &stored {
            Some(s) if s.over.based_on < product.revision => {
                let old = self.product_at(slug, s.over.based_on)?;
                drift(&product, &s.over, old.as_ref())
            }
            _ => Vec::new(),
        };
        let preview_site = match (owner, layer) {
            (Owner::Site(s), _) => Some(s.clone()),
            (Owner::Group(_), LayerId::Group(g)) => self.directory.sites().iter().find(|s| s.is_member_of(g)).map(|s| s.site.slug.clone()),
            _ => None,
        };
        Ok(OverrideEditing { doc: stored.map(|s| OverrideDoc::from_model(&s.over)), product, product_id, drifted, preview_site })
    }

    /// The site a preview may be shown on: one this actor edits.
    fn preview_entry(&mut self, site: &str, action: &str) -> EditResult<SiteEntry> {
        let scope = Scope::Site(site.to_owned());
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, action, &format!("site:{site}"), &scope)?;
        self.directory.site_by_slug(site).map(|e| (**e).clone()).ok_or(EditError::NotFound)
    }

    /// A layer's override as an editor has it in the form (not saved), folded on `site`.
    pub fn preview_override(&mut self, owner: &Owner, slug: &str, doc: OverrideDoc, site: &str) -> EditResult<Preview> {
        let layer = self.require_layer(owner, "override.preview", &super::override_key(owner, slug))?;
        let entry = self.preview_entry(site, "override.preview")?;
        let (product_id, product) = self.visible_product(slug)?;
        let model = doc.into_model(slug, Some(product.revision)).map_err(EditError::Invalid)?.unstamped();
        self.fold_preview(&entry, product_id, &product, Some(overrides::Stored { id: 0, product_id, layer, over: model }))
    }

    /// A catalogue product as its editor has it in the form (not saved), folded on any site.
    pub fn preview_product(&mut self, slug: &str, doc: ProductDoc, site: &str) -> EditResult<Preview> {
        self.require(self.actor.may_edit_catalogue(), "product.preview", &format!("product:{slug}"), &Scope::National)?;
        let entry = self.preview_entry(site, "product.preview")?;
        let product = doc.into_model(if slug.is_empty() { "voorbeeld" } else { slug }).map_err(EditError::Invalid)?.unstamped();
        let id = catalogue::find(self.conn, &product.slug)?.map(|(id, _)| id).unwrap_or(-1);
        self.fold_preview(&entry, id, &product, None)
    }

    /// The one fold of an unsaved text: `product` on the site of `entry` with its layers'
    /// saved overrides, `unsaved` (an override as an editor has it in the form) standing in
    /// for its layer's own.
    fn fold_preview(&mut self, entry: &SiteEntry, product_id: i64, product: &Product, unsaved: Option<overrides::Stored>) -> EditResult<Preview> {
        let mut stored = overrides::for_layers(self.conn, &entry.group_ids(), entry.id, Some(product_id))?;
        if let Some(unsaved) = unsaved {
            stored.retain(|s| s.layer != unsaved.layer);
            stored.push(unsaved);
        }
        let resolved = fold(product, &entry.layers(product_id, &stored), entry.fields(crate::now()));
        Ok(Preview { site_name: entry.site.name.clone(), resolved })
    }

    /// A product page on a site as it will be, drafts of the site's layers included (catalogue
    /// drafts for catalogue editors only).
    pub fn site_preview(&mut self, site: &str, slug: &str, content: &ContentCache) -> EditResult<(SiteEntry, Resolved)> {
        let scope = Scope::Site(site.to_owned());
        let allowed = self.actor.may_edit(&scope, self.directory);
        self.require(allowed, "product.preview", &format!("product:{slug}"), &scope)?;
        let entry = self.directory.site_by_slug(site).map(|e| (**e).clone()).ok_or(EditError::NotFound)?;
        self.visible_product(slug)?;
        let found = store::product(self.conn, content, &entry, slug, Viewer::preview(self.now))?;
        let resolved = found.items.into_iter().next().ok_or(EditError::NotFound)?;
        Ok((entry, resolved))
    }

    /// What needs attention in this actor's scopes: overrides whose central text moved,
    /// values still missing, content past its review date, searches that found nothing.
    pub fn dashboard(&mut self, content: &ContentCache) -> EditResult<Dashboard> {
        let directory = self.directory;
        let all_groups: Vec<(i64, String, String)> = layers::groups(self.conn)?.into_iter().map(|(id, g)| (id, g.slug, g.name)).collect();
        let group_slugs: Vec<String> = all_groups.iter().map(|(_, s, _)| s.clone()).collect();
        let my_groups = self.actor.group_slugs(&group_slugs);
        let my_sites = self.actor.site_slugs(directory);
        let groups = all_groups.iter().filter(|(_, s, _)| my_groups.contains(s)).map(|(_, s, n)| (s.clone(), n.clone())).collect();
        let sites = my_sites.iter().filter_map(|s| directory.site_by_slug(s).map(|e| (s.clone(), e.site.name.clone()))).collect();

        // Overrides whose central text moved, layer by layer in the actor's scopes.
        let mut owned: Vec<(Owner, LayerId)> = all_groups.iter().filter(|(_, s, _)| my_groups.contains(s)).map(|(id, s, _)| (Owner::Group(s.clone()), LayerId::Group(*id))).collect();
        owned.extend(my_sites.iter().filter_map(|s| directory.site_by_slug(s).map(|e| (Owner::Site(s.clone()), LayerId::Site(e.id)))));
        let products: Vec<(i64, Product)> = catalogue::all(self.conn)?.into_iter().filter(|(_, p)| self.sees_product(p)).collect();
        let behind = self.translations_behind(&products, &owned)?;
        let mut review = Vec::new();
        for (owner, layer) in owned {
            for stored in overrides::for_layer(self.conn, layer)? {
                let Some((_, product)) = products.iter().find(|(id, _)| *id == stored.product_id) else { continue };
                if stored.over.based_on >= product.revision {
                    continue;
                }
                let old = self.product_at(&product.slug, stored.over.based_on)?;
                let sections = drift(product, &stored.over, old.as_ref());
                if !sections.is_empty() {
                    review.push(Review { owner: owner.clone(), product: product.title.clone(), slug: product.slug.clone(), sections });
                }
            }
        }

        // Values still missing and searches that found nothing, per site.
        let viewer = Viewer::resident(self.now);
        let today = chrono::DateTime::from_timestamp(self.now, 0).map(|t| t.date_naive()).unwrap_or_default();
        let mut missing = Vec::new();
        let mut coming = Vec::new();
        let mut misses = Vec::new();
        let mut statements = Vec::new();
        let mut not_useful = Vec::new();
        for slug in my_sites.iter().take(DASHBOARD_SITES) {
            let Some(site) = directory.site_by_slug(slug) else { continue };
            let month_start = super::residents::month_bounds(&crate::statistics::month_of(self.now)).map_or(self.now, |(from, _)| from);
            let pages = self.most_not_useful(site.id, month_start, 5)?;
            if !pages.is_empty() {
                not_useful.push((slug.clone(), site.site.name.clone(), pages));
            }
            let warnings = crate::content::accessibility::warnings(site.site.accessibility.as_ref(), today);
            if !warnings.is_empty() {
                statements.push((site.site.name.clone(), warnings.iter().map(|w| w.text()).collect()));
            }
            let views = page_views::per_path_since(self.conn, site.id, &crate::statistics::month_of(self.now - 31 * 86_400))?;
            for r in store::catalogue(self.conn, content, site, viewer)?.items {
                coming.extend(coming_changes(self.conn, content, site, &r, self.now + COMING_DAYS * 86_400)?);
                let vars: Vec<String> = r
                    .notes
                    .iter()
                    .filter_map(|n| match n {
                        Note::DefaultUsed { name } | Note::MissingVariable { name } => {
                            Some(r.variables.iter().find(|v| &v.name == name).map(|v| v.label.clone()).unwrap_or_else(|| name.clone()))
                        }
                        Note::MissingSiteField { name } => Some(format!("site.{name} (in site.toml)")),
                        _ => None,
                    })
                    .collect();
                if !vars.is_empty() {
                    let seen = views.get(&format!("/producten/{}", r.slug)).copied().unwrap_or(0) + views.get(&format!("/en/products/{}", r.slug)).copied().unwrap_or(0);
                    missing.push(Missing { site: site.site.name.clone(), site_slug: slug.clone(), product: r.title.clone(), slug: r.slug.clone(), variables: vars, views: seen });
                }
            }
            let queries: Vec<(String, i64, String)> = search_misses::top(self.conn, site.id, self.now - 30 * 86_400, 5)?
                .into_iter()
                .map(|m| {
                    let param = url::form_urlencoded::byte_serialize(m.query.as_bytes()).collect();
                    (m.query, m.count, param)
                })
                .collect();
            if !queries.is_empty() {
                misses.push(Misses { site: site.site.name.clone(), site_slug: slug.clone(), queries });
            }
        }

        coming.sort_by(|a, b| (a.at, &a.site, &a.product).cmp(&(b.at, &b.site, &b.product)));
        missing.sort_by(|a, b| b.views.cmp(&a.views).then_with(|| (&a.site, &a.product).cmp(&(&b.site, &b.product))));

        // Content past its review date.
        let mut due = Vec::new();
        if self.actor.may_edit_catalogue() {
            for (_, p) in &products {
                if let Some(d) = p.review_date.filter(|d| *d <= today) {
                    due.push(Due { what: "Product", title: p.title.clone(), owner: None, item: p.slug.clone(), date: d.to_string() });
                }
            }
        }
        for s in local::pages(self.conn, LoadScope::Everything)? {
            if let Some(d) = s.item.review_date.filter(|d| *d <= today) {
                if self.actor.may_edit(&Scope::of(&s.item.owner), directory) {
                    due.push(Due { what: "Pagina", title: s.item.title.clone(), owner: Some(s.item.owner.clone()), item: s.id.to_string(), date: d.to_string() });
                }
            }
        }
        for s in local::news(self.conn, LoadScope::Everything)? {
            if let Some(d) = s.item.review_date.filter(|d| *d <= today) {
                if self.actor.may_edit(&Scope::of(&s.item.owner), directory) {
                    due.push(Due { what: "Nieuws", title: s.item.title.clone(), owner: Some(s.item.owner.clone()), item: s.id.to_string(), date: d.to_string() });
                }
            }
        }
        Ok(Dashboard { groups, sites, review, missing, coming, due, misses, behind, not_useful, accessibility: statements, more_sites: my_sites.len() > DASHBOARD_SITES })
    }
}
