//! `meent import DIR`: reads a content directory and saves it in one transaction. Items are
//! created or updated by their natural key (slug, path); nothing else is deleted. Any
//! problem, in a file or against what the database already holds, rolls everything back.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::files::{self, Problem, Tree};
use super::kind::Kind;
use super::files::translation_name;
use super::model::{Owner, Translation};
use super::history::{self, Written};
use crate::db::models::changes::{self, NewChange};
use crate::db::models::media::{self, NewMedia};
use crate::db::models::translations::{self, Of, Text};
use crate::db::models::{LayerId, Saved, catalogue, layers, local, overrides, redirects, settings, upl};
use crate::edit::translations as translations_doc;
use crate::media::{Declared, Ingested, MediaFiles};
use crate::db::{self, DbConnection};

#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    /// Items created or changed, per kind.
    pub changed: std::collections::BTreeMap<&'static str, usize>,
    /// Items that were already the same.
    pub unchanged: usize,
    pub warnings: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let changed: Vec<String> = self.changed.iter().map(|(k, n)| format!("{n} {k}")).collect();
        if changed.is_empty() {
            write!(f, "nothing changed")?;
        } else {
            write!(f, "saved {}", changed.join(", "))?;
        }
        write!(f, "; {} unchanged", self.unchanged)?;
        for w in &self.warnings {
            write!(f, "\nwarning: {w}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} problem(s) found; nothing was imported:\n{}", .0.len(), .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),
    #[error("database error; nothing was imported: {0}")]
    Db(#[from] diesel::result::Error),
}

/// Reads `root` and saves it; `author` is recorded with every revision. Images (`media.toml`)
/// are checked and stored in `media` first; content with images needs it.
pub fn import_dir(conn: &mut DbConnection, root: &Path, author: Option<&str>, now: i64, media: Option<&MediaFiles>) -> Result<Report, ImportError> {
    // Every phase runs whatever an earlier one found, so one run reports every problem: the
    // files, then their images, then the references against the database (in a transaction
    // that is rolled back when anything was found).
    let (tree, mut problems) = files::read_tree_and_problems(root);
    let images = match store_images(root, &tree, media) {
        Ok(images) => images,
        Err(found) => {
            problems.extend(found);
            Vec::new()
        }
    };
    let skipped = tree.unreadable_layers.clone();
    let report = db::write_tx(conn, |c| {
        Importer { conn: c, author, now, report: Report::default(), problems, skipped }.run(&tree, &images)
    })?;
    if let Some(files) = media {
        for i in &images {
            files.schedule_variants(&i.facts.hash, i.encoding);
        }
    }
    Ok(report)
}

/// Checks and stores the files of the tree's images (before the transaction: decoding is
/// slow); every refused file is a problem of its `media.toml` line. A file stored for an
/// import that then fails stays unused in the store, and is found again by the next try.
fn store_images(root: &Path, tree: &Tree, media: Option<&MediaFiles>) -> Result<Vec<Ingested>, Vec<Problem>> {
    if tree.media.is_empty() {
        return Ok(Vec::new());
    }
    let Some(files) = media else {
        let first = &tree.media[0];
        return Err(vec![Problem::new(&first.file, Some(first.line), "images need media storage: import with `meent import`, which has it")]);
    };
    let mut problems = Vec::new();
    let mut images = Vec::new();
    for m in &tree.media {
        let bytes = match std::fs::metadata(root.join(&m.item.file)) {
            Ok(meta) if meta.len() > files.limits.max_bytes as u64 => {
                problems.push(Problem::new(&m.file, Some(m.line), format!("{}: larger than {} bytes", m.item.file, files.limits.max_bytes)));
                continue;
            }
            _ => match std::fs::read(root.join(&m.item.file)) {
                Ok(bytes) => bytes,
                Err(e) => {
                    problems.push(Problem::new(&m.file, Some(m.line), format!("cannot read {}: {e}", m.item.file)));
                    continue;
                }
            },
        };
        let declared = Declared { content_type: None, filename: Some(&m.item.file) };
        match files.ingest(&bytes, declared) {
            Ok(ingested) => images.push(ingested),
            Err(e) => problems.push(Problem::new(&m.file, Some(m.line), format!("{}: {e}", m.item.file))),
        }
    }
    if problems.is_empty() { Ok(images) } else { Err(problems) }
}

struct Importer<'c> {
    conn: &'c mut DbConnection,
    author: Option<&'c str>,
    now: i64,
    report: Report,
    problems: Vec<Problem>,
    /// Layers not saved because of a problem already reported.
    skipped: Vec<Owner>,
}

impl Importer<'_> {
    fn run(mut self, tree: &Tree, images: &[Ingested]) -> Result<Report, ImportError> {
        let now = self.now;
        self.report.warnings = tree.warnings.iter().map(ToString::to_string).collect();
        self.problems.extend(layer_values_read_well(tree));

        for g in &tree.groups {
            let Some(saved) = self.attempt(&g.file, |c| layers::save_group(c, &g.item, now))? else {
                self.skipped.push(Owner::Group(g.item.slug.clone()));
                continue;
            };
            self.changed(saved, Kind::Group, &g.item.slug, Some(saved.id), None, &g.item)?;
        }
        let group_ids: HashMap<String, i64> =
            layers::groups(self.conn)?.into_iter().map(|(id, g)| (g.slug, id)).collect();
        for r in &tree.group_refs {
            if !group_ids.contains_key(&r.slug) && !tree.unreadable_layers.contains(&Owner::Group(r.slug.clone())) {
                self.problems.push(Problem::new(&r.file, Some(r.line), format!("unknown group '{}'", r.slug)));
            }
        }

        for p in &tree.products {
            let Some(saved) = self.attempt(&p.file, |c| catalogue::save(c, &p.item, now))? else { continue };
            self.changed(saved, Kind::Product, &p.item.slug, None, None, &p.item)?;
            let at = Place { file: &p.file, kind: Kind::Product, key: &p.item.slug, layer: None };
            self.translation(at, Of::Product(saved.id), saved, p.item.english.clone())?;
        }
        if upl::count(self.conn)? > 0 {
            for p in &tree.products {
                if let Some(uri) = &p.item.upl {
                    if upl::name(self.conn, uri)?.is_none() {
                        self.report.warnings.push(format!("{}: upl = {uri:?} is not in the imported UPL (unknown or withdrawn)", p.file));
                    }
                }
            }
        }
        let products: HashMap<String, (i64, i64)> =
            catalogue::ids_by_slug(self.conn)?.into_iter().map(|(slug, id, rev)| (slug, (id, rev))).collect();
        for r in &tree.product_refs {
            if !products.contains_key(&r.slug) && !tree.unreadable_products.contains(&r.slug) {
                self.problems.push(Problem::new(&r.file, Some(r.line), format!("unknown product '{}': there is no catalogue/{}.md", r.slug, r.slug)));
            }
        }

        let mut site_ids: HashMap<String, i64> = HashMap::new();
        let host_owners: HashMap<String, String> = layers::sites(self.conn)?
            .into_iter()
            .flat_map(|(_, site)| site.hosts.into_iter().map(move |h| (h, site.slug.clone())))
            .collect();
        for s in &tree.sites {
            let mut taken = false;
            for (host, line) in s.item.hosts.iter().zip(host_lines(tree, &s.file)) {
                match host_owners.get(host) {
                    Some(owner) if owner != &s.item.slug => {
                        taken = true;
                        self.problems.push(Problem::new(
                            &s.file,
                            Some(line),
                            format!("host '{host}' already belongs to site '{owner}'"),
                        ))
                    }
                    _ => {}
                }
            }
            if taken {
                // Its content is checked no further; the host problem says why.
                self.skipped.push(Owner::Site(s.item.slug.clone()));
                continue;
            }
            let ids: Vec<i64> = s.item.groups.iter().filter_map(|g| group_ids.get(g).copied()).collect();
            let Some(saved) = self.attempt(&s.file, |c| layers::save_site(c, &s.item, &ids, now))? else {
                self.skipped.push(Owner::Site(s.item.slug.clone()));
                continue;
            };
            site_ids.insert(s.item.slug.clone(), saved.id);
            self.changed(saved, Kind::Site, &s.item.slug, None, Some(saved.id), &s.item)?;
        }
        for (id, site) in layers::sites(self.conn)? {
            site_ids.entry(site.slug).or_insert(id);
        }

        for r in &tree.redirects {
            let (site, list) = &r.item;
            let Some(layer) = self.layer(&Owner::Site(site.clone()), &group_ids, &site_ids, &r.file) else { continue };
            let (_, Some(site_id)) = layer.columns() else { continue };
            if redirects::replace(self.conn, site_id, list, self.now)? {
                *self.report.changed.entry("redirects").or_default() += 1;
                changes::record(self.conn, &NewChange { at: self.now, kind: Kind::Redirects, item_key: site, group_id: None, site_id: Some(site_id) })?;
            } else {
                self.report.unchanged += 1;
            }
        }
        for t in &tree.thesauri {
            let (owner, thesaurus) = &t.item;
            let (group_id, site_id) = match owner {
                None => (None, None),
                Some(owner) => match self.layer(owner, &group_ids, &site_ids, &t.file) {
                    Some(layer) => layer.columns(),
                    None => continue,
                },
            };
            let key = crate::content::thesaurus::setting_key(owner.as_ref());
            let Some(saved) = self.attempt(&t.file, |c| settings::save(c, &key, thesaurus, 0, now))? else { continue };
            self.changed(saved, Kind::Thesaurus, &key, group_id, site_id, thesaurus)?;
        }
        for (m, ingested) in tree.media.iter().zip(images) {
            let (group_id, site_id) = match &m.item.owner {
                None => (None, None),
                Some(owner) => match self.layer(owner, &group_ids, &site_ids, &m.file) {
                    Some(layer) => layer.columns(),
                    None => continue,
                },
            };
            let e = &m.item;
            let new = NewMedia { key: &e.key, group_id, site_id, file: &ingested.facts, name: &e.name, alt: &e.alt, decorative: e.decorative };
            let Some(saved) = self.attempt(&m.file, |c| media::save(c, &new, e.revision, now))? else { continue };
            match saved {
                Some(saved) => {
                    let row = media::by_key(self.conn, &e.key)?;
                    self.changed(saved, Kind::Media, &e.key, group_id, site_id, &row)?;
                }
                None => self.problems.push(Problem::new(&m.file, Some(m.line), format!("key {:?} already belongs to an image of another group, site or the national team", e.key))),
            }
        }
        for o in &tree.overrides {
            let (owner, over) = &o.item;
            let Some(layer) = self.layer(owner, &group_ids, &site_ids, &o.file) else { continue };
            let Some(&(product_id, revision)) = products.get(&over.product) else { continue };
            let mut over = over.clone();
            if over.based_on == 0 {
                over.based_on = revision;
            } else if over.based_on > revision {
                self.problems.push(Problem::new(
                    &o.file,
                    Some(o.line),
                    format!("based_on = {} but catalogue/{}.md is at revision {revision}", over.based_on, over.product),
                ));
                continue;
            }
            let Some(saved) = self.attempt(&o.file, |c| overrides::save(c, product_id, layer, &over, now))? else { continue };
            let key = format!("{}/{}", owner_key(owner), over.product);
            let (group, site) = layer.columns();
            self.changed(saved, Kind::Override, &key, group, site, &over)?;
            let mut english = over.english.clone();
            // No English override without the product's English text (from this import or
            // already in the database).
            let product = catalogue::find(self.conn, &over.product)?.map(|(_, p)| p);
            if let (Some(t), Some(product)) = (english.as_mut(), product.as_ref()) {
                let found = translations_doc::on_product(t, product);
                let file = translation_name(&o.file, t.lang);
                if !found.is_empty() {
                    self.problems.extend(found.iter().map(|p| Problem::new(&file, Some(1), p.to_string())));
                    english = None;
                }
            }
            let at = Place { file: &o.file, kind: Kind::Override, key: &key, layer: Some(layer) };
            self.translation(at, Of::Override(saved.id), saved, english)?;
        }
        for p in &tree.pages {
            let Some(layer) = self.layer(&p.item.owner, &group_ids, &site_ids, &p.file) else { continue };
            let Some(saved) = self.attempt(&p.file, |c| local::save_page(c, layer, &p.item, now))? else { continue };
            let (group, site) = layer.columns();
            let key = saved.id.to_string();
            self.changed(saved, Kind::Page, &key, group, site, &p.item)?;
            let at = Place { file: &p.file, kind: Kind::Page, key: &key, layer: Some(layer) };
            self.translation(at, Of::Page(saved.id), saved, p.item.english.clone())?;
        }
        for n in &tree.news {
            let Some(layer) = self.layer(&n.item.owner, &group_ids, &site_ids, &n.file) else { continue };
            let Some(saved) = self.attempt(&n.file, |c| local::save_news(c, layer, &n.item, now))? else { continue };
            let (group, site) = layer.columns();
            let key = saved.id.to_string();
            self.changed(saved, Kind::News, &key, group, site, &n.item)?;
            let at = Place { file: &n.file, kind: Kind::News, key: &key, layer: Some(layer) };
            self.translation(at, Of::News(saved.id), saved, n.item.english.clone())?;
        }
        for a in &tree.alerts {
            let Some(layer) = self.layer(&a.item.owner, &group_ids, &site_ids, &a.file) else { continue };
            let Some(saved) = self.attempt(&a.file, |c| local::save_alert(c, layer, &a.item, now))? else { continue };
            let (group, site) = layer.columns();
            self.changed(saved, Kind::Alert, &saved.id.to_string(), group, site, &a.item)?;
        }
        if !self.problems.is_empty() {
            return Err(self.fail());
        }
        Ok(self.report)
    }

    /// Saves one item. Once the import is failing (a problem was found), a save the database
    /// refuses (a constraint that bad files break, such as a host listed twice) is rolled back
    /// to a savepoint and the item skipped, so every other item is still checked and the run
    /// reports everything; the problems already found say why.
    fn attempt<T>(&mut self, file: &str, save: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<T>) -> Result<Option<T>, ImportError> {
        use diesel::Connection;
        if self.problems.is_empty() {
            return Ok(Some(save(self.conn)?));
        }
        match self.conn.transaction(save) {
            Ok(saved) => Ok(Some(saved)),
            Err(e) => {
                if !self.problems.iter().any(|p| p.file == file) {
                    self.problems.push(Problem::new(file, None, format!("cannot be saved: {e}")));
                }
                Ok(None)
            }
        }
    }

    fn fail(&mut self) -> ImportError {
        let mut problems = std::mem::take(&mut self.problems);
        problems.sort();
        problems.dedup();
        ImportError::Problems(problems)
    }

    fn layer(&mut self, owner: &Owner, groups: &HashMap<String, i64>, sites: &HashMap<String, i64>, file: &str) -> Option<LayerId> {
        let found = match owner {
            Owner::Group(g) => groups.get(g).copied().map(LayerId::Group),
            Owner::Site(s) => sites.get(s).copied().map(LayerId::Site),
        };
        if found.is_none() && !self.skipped.contains(owner) {
            let (kind, settings) = match owner {
                Owner::Group(_) => ("group", "groups/{}/group.toml"),
                Owner::Site(_) => ("site", "sites/{}/site.toml"),
            };
            let settings = settings.replace("{}", owner.slug());
            self.problems.push(Problem::new(file, None, format!("unknown {kind} '{}': there is no {settings} and the database has no such {kind}", owner.slug())));
        }
        found
    }

    /// Records a changed item in the change log and its revision history.
    fn changed<T: Serialize>(
        &mut self,
        saved: Saved,
        kind: Kind,
        key: &str,
        group_id: Option<i64>,
        site_id: Option<i64>,
        item: &T,
    ) -> Result<(), ImportError> {
        let written = Written { saved, kind, key, group_id, site_id, item };
        if history::record(self.conn, written, self.author, self.now)? {
            *self.report.changed.entry(kind.as_str()).or_default() += 1;
        } else {
            self.report.unchanged += 1;
        }
        Ok(())
    }
}

/// Where a translation's Dutch item is: its file, and how the change log names it.
struct Place<'a> {
    file: &'a str,
    kind: Kind,
    key: &'a str,
    layer: Option<LayerId>,
}

impl Importer<'_> {
    /// Saves the translation of an item just saved (`dutch`), when its files have one. One
    /// that names no Dutch revision translates the one saved.
    fn translation<T: Text + Serialize>(&mut self, at: Place, of: Of, dutch: Saved, t: Option<Translation<T>>) -> Result<(), ImportError> {
        let Some(mut t) = t else { return Ok(()) };
        let file = translation_name(at.file, t.lang);
        if t.based_on_nl == 0 {
            t.based_on_nl = dutch.revision;
        } else if t.based_on_nl > dutch.revision {
            self.problems.push(Problem::new(&file, None, format!("based_on_nl = {} but {} is at revision {}", t.based_on_nl, at.file, dutch.revision)));
            return Ok(());
        }
        let now = self.now;
        let Some(saved) = self.attempt(&file, |c| translations::save(c, of, at.layer, &t, now))? else { return Ok(()) };
        let (group_id, site_id) = at.layer.map(LayerId::columns).unwrap_or((None, None));
        let written = Written { saved, kind: at.kind, key: at.key, group_id, site_id, item: &t };
        if history::record_in(self.conn, written, t.lang, self.author, self.now)? {
            *self.report.changed.entry("translation").or_default() += 1;
        } else {
            self.report.unchanged += 1;
        }
        Ok(())
    }
}

/// `group/<slug>` or `site/<slug>`: how change keys name an owner.
/// Values of groups, sites and overrides checked against the catalogue products of this tree
/// that declare them (`documents::layer_values_fit`, as every save): each fits its kind and no
/// sentence reads badly with it.
fn layer_values_read_well(tree: &Tree) -> Vec<Problem> {
    use crate::edit::documents::layer_values_fit;
    let mut problems = Vec::new();
    let mut report = |file: &str, found: Vec<crate::content::limits::Problem>| {
        problems.extend(found.iter().map(|p| Problem::new(file, None, p.to_string())));
    };
    for p in &tree.products {
        for g in &tree.groups {
            report(&g.file, layer_values_fit(&g.item.variables, &p.item, &[]));
        }
        for s in &tree.sites {
            report(&s.file, layer_values_fit(&s.item.variables, &p.item, &[]));
        }
    }
    for o in &tree.overrides {
        let (_, over) = &o.item;
        let own: Vec<&str> = over.sections.iter().map(|s| s.body.as_str()).collect();
        for p in tree.products.iter().filter(|p| p.item.slug == over.product) {
            report(&o.file, layer_values_fit(&over.variables, &p.item, &own));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

pub fn owner_key(owner: &Owner) -> String {
    match owner {
        Owner::Group(g) => format!("group/{g}"),
        Owner::Site(s) => format!("site/{s}"),
    }
}

fn host_lines(tree: &Tree, file: &str) -> Vec<usize> {
    tree.host_refs.iter().filter(|r| r.file == file).map(|r| r.line).collect()
}
