//! Keeping the index current: changes from the feed become re-indexing of exactly the
//! documents they touch; a full rebuild when the index is missing or behind.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use super::documents::{self, Scope};
use super::{SearchError, SearchIndex};
use crate::content::cache::ContentCache;
use crate::content::directory::{Directory, SiteEntry};
use crate::content::model::{SYNONYMS, Synonyms};
use crate::db::models::changes::Change;
use crate::db::models::settings;
use crate::db::{DbConnection, Pool};
use crate::feed::Follower;

/// Sites re-indexed per commit during a rebuild.
const REBUILD_BATCH: usize = 25;

pub struct SearchFollower {
    search: Arc<SearchIndex>,
    pool: Pool,
    /// Read through, so re-indexing a product on hundreds of sites reads it once.
    content: Arc<ContentCache>,
    /// The newest change position written to the index.
    position: AtomicI64,
}

impl SearchFollower {
    pub fn new(search: Arc<SearchIndex>, pool: Pool, content: Arc<ContentCache>) -> SearchFollower {
        let position = search.position().unwrap_or(0);
        SearchFollower { search, pool, content, position: AtomicI64::new(position) }
    }

    fn advance(&self, position: i64) -> i64 {
        self.position.fetch_max(position, Ordering::AcqRel).max(position)
    }

    /// Loads the synonym list into the index's query side.
    pub fn load_synonyms(&self, conn: &mut DbConnection) -> Result<(), SearchError> {
        let synonyms = settings::get::<Synonyms>(conn, SYNONYMS)?.map(|(s, _)| s).unwrap_or_default();
        self.search.set_synonyms(&synonyms);
        Ok(())
    }

    /// Re-indexes every site, a batch of sites per commit; `position` is the feed position the
    /// database was read at (or later).
    pub fn rebuild(&self, directory: &Directory, position: i64) -> Result<usize, SearchError> {
        let mut conn = self.pool.get()?;
        self.load_synonyms(&mut conn)?;
        let now = crate::now();
        let mut total = 0;
        let sites: Vec<&Arc<SiteEntry>> = directory.sites().iter().collect();
        for batch in sites.chunks(REBUILD_BATCH) {
            let mut docs = Vec::new();
            let mut deletes = Vec::new();
            for site in batch {
                deletes.push(Scope::Site(site.id));
                docs.extend(documents::site(&mut conn, &self.content, site, now)?);
            }
            total += docs.len();
            self.search.apply(&deletes, docs, self.advance(position))?;
        }
        let gone = Scope::AllBut(sites.iter().map(|s| s.id).collect());
        self.search.apply(&[gone], Vec::new(), self.advance(position))?;
        self.search.mark_ready();
        Ok(total)
    }

    fn update(&self, changes: &[Change], directory: &Directory) -> Result<(), SearchError> {
        let mut jobs: HashSet<Scope> = HashSet::new();
        let mut conn = self.pool.get()?;
        for change in changes {
            let sites: Vec<i64> = match directory.touched(change.group_id, change.site_id) {
                Some(ids) => ids,
                None => directory.sites().iter().map(|s| s.id).collect(),
            };
            let product = change.item_key.rsplit('/').next().unwrap_or("").to_owned();
            match change.kind.as_str() {
                "product" | "override" => jobs.extend(sites.iter().map(|&s| Scope::Product(s, product.clone()))),
                "page" => jobs.extend(sites.iter().map(|&s| Scope::Kind(s, documents::PAGE))),
                "news" => jobs.extend(sites.iter().map(|&s| Scope::Kind(s, documents::NEWS))),
                "synonyms" => self.load_synonyms(&mut conn)?,
                "alert" | "upl" | "redirects" | "media" => {}
                _ => jobs.extend(sites.iter().map(|&s| Scope::Site(s))),
            }
        }
        if jobs.is_empty() {
            return Ok(());
        }
        let whole: HashSet<i64> = jobs.iter().filter_map(|j| if let Scope::Site(s) = j { Some(*s) } else { None }).collect();
        jobs.retain(|j| match j {
            Scope::Site(_) => true,
            Scope::Kind(s, _) | Scope::Product(s, _) => !whole.contains(s),
            Scope::AllBut(_) => true,
        });
        let now = crate::now();
        let mut docs = Vec::new();
        for job in &jobs {
            let site_id = match job {
                Scope::Site(s) | Scope::Kind(s, _) | Scope::Product(s, _) => *s,
                Scope::AllBut(_) => continue,
            };
            // A site that no longer exists only loses its documents.
            let Some(site) = directory.site(site_id) else { continue };
            docs.extend(match job {
                Scope::Site(_) => documents::site(&mut conn, &self.content, site, now)?,
                Scope::Kind(_, kind) if *kind == documents::PAGE => documents::pages(&mut conn, &self.content, site, now)?,
                Scope::Kind(_, _) => documents::news(&mut conn, &self.content, site, now)?,
                Scope::Product(_, slug) => documents::products(&mut conn, &self.content, site, Some(slug), now)?,
                Scope::AllBut(_) => Vec::new(),
            });
        }
        let deletes: Vec<Scope> = jobs.into_iter().collect();
        let position = changes.last().map(|c| c.id).unwrap_or(0);
        self.search.apply(&deletes, docs, self.advance(position))
    }
}

impl Follower for SearchFollower {
    fn apply(&self, changes: &[Change], directory: &Directory) {
        if let Err(e) = self.update(changes, directory) {
            tracing::error!(error = %e, "cannot update the search index; run `meent reindex`");
        }
    }
}
