//! Keeping the index current: changes from the feed become re-indexing of exactly the
//! documents they touch; a full rebuild when the index is missing or behind. Changes are
//! applied on the feed's own connection. While a rebuild runs, changes wait (the feed keeps
//! them); when it is done, every change after the position the rebuild read the database at
//! is applied again, so an edit made during the rebuild is never covered by older documents.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::documents::{self, Scope};
use super::{SearchError, SearchIndex};
use crate::content::kind::Kind;
use crate::content::cache::ContentCache;
use crate::content::directory::{Directory, SiteEntry};
use crate::content::model::{Owner, Thesaurus};
use crate::content::thesaurus::setting_key;
use crate::db::models::changes::Change;
use crate::db::models::settings;
use crate::db::{DbConnection, Pool};
use crate::feed::{Applied, FollowError, Follower};

/// Sites re-indexed per commit during a rebuild.
const REBUILD_BATCH: usize = 25;

pub struct SearchFollower {
    search: Arc<SearchIndex>,
    /// For the rebuild, which runs on its own thread.
    pool: Pool,
    /// Read through, so re-indexing a product on hundreds of sites reads it once.
    content: Arc<ContentCache>,
    rebuilding: AtomicBool,
    /// The position a finished rebuild read the database at, until the feed hears of it.
    rebuilt_at: Mutex<Option<i64>>,
    /// Products to index again at a moment, because a value with dates changes their text
    /// then (`tick`): moment → (site, product slug).
    scheduled: Mutex<BTreeMap<i64, HashSet<(i64, String)>>>,
}

impl SearchFollower {
    pub fn new(search: Arc<SearchIndex>, pool: Pool, content: Arc<ContentCache>) -> SearchFollower {
        SearchFollower { search, pool, content, rebuilding: AtomicBool::new(false), rebuilt_at: Mutex::new(None), scheduled: Mutex::new(BTreeMap::new()) }
    }

    /// Remembers when products must be indexed again.
    fn schedule(&self, due: documents::Due) {
        if due.is_empty() {
            return;
        }
        let mut scheduled = self.scheduled.lock().unwrap_or_else(|p| p.into_inner());
        for (site, slug, at) in due {
            scheduled.entry(at).or_default().insert((site, slug));
        }
    }

    /// Indexes again the products whose moment came (a value with dates changed their text),
    /// with the position the index already has: this is no change of the log.
    fn reindex_due(&self, directory: &Directory, conn: &mut DbConnection) -> Result<(), SearchError> {
        let now = crate::now();
        let ready: HashSet<(i64, String)> = {
            let mut scheduled = self.scheduled.lock().unwrap_or_else(|p| p.into_inner());
            let later = scheduled.split_off(&(now + 1));
            std::mem::replace(&mut *scheduled, later).into_values().flatten().collect()
        };
        if ready.is_empty() {
            return Ok(());
        }
        let mut due = Vec::new();
        let result = self.reindex(&ready, directory, conn, now, &mut due);
        if result.is_err() {
            // Tried again next round.
            due.extend(ready.into_iter().map(|(site, slug)| (site, slug, now)));
        }
        self.schedule(due);
        result
    }

    fn reindex(&self, products: &HashSet<(i64, String)>, directory: &Directory, conn: &mut DbConnection, now: i64, due: &mut documents::Due) -> Result<(), SearchError> {
        let mut docs = Vec::new();
        let mut jobs = Vec::new();
        for (site_id, slug) in products {
            let Some(site) = directory.site(*site_id) else { continue };
            docs.extend(documents::products(conn, &self.content, site, Some(slug), now, due)?);
            jobs.push(Scope::Product(*site_id, slug.clone()));
        }
        tracing::info!(products = jobs.len(), "indexing again what values with dates changed");
        self.search.apply(&jobs, docs, self.search.position().unwrap_or(0))
    }

    /// From now until a rebuild is done, changes wait (call before starting the rebuild's
    /// thread, so no change slips in between).
    pub fn begin_rebuild(&self) {
        self.rebuilding.store(true, Ordering::Release);
    }

    /// Loads the thesauri of every scope into the index's query side, each site with its own,
    /// its groups' and the central team's.
    pub fn load_thesauri(&self, conn: &mut DbConnection, directory: &Directory) -> Result<(), SearchError> {
        use std::collections::HashMap;
        use super::thesaurus::{Scope as Words, Thesauri};
        let stored: HashMap<String, Arc<Words>> =
            settings::with_prefix::<Thesaurus>(conn, "thesaurus")?.into_iter().map(|(key, t)| (key, Arc::new(Words::new(&t)))).collect();
        let national = stored.get(&setting_key(None)).cloned().unwrap_or_default();
        let mut sites = HashMap::new();
        for site in directory.sites() {
            let own = stored.get(&setting_key(Some(&Owner::Site(site.site.slug.clone()))));
            let groups = site.groups.iter().rev().filter_map(|g| stored.get(&setting_key(Some(&Owner::Group(g.group.slug.clone())))));
            let scopes: Vec<Arc<Words>> = own.into_iter().chain(groups).cloned().collect();
            if !scopes.is_empty() {
                sites.insert(site.id, scopes);
            }
        }
        self.search.set_thesauri(Thesauri::new(national, sites));
        Ok(())
    }

    /// Re-indexes every site, a batch of sites per commit; `position` is the feed position the
    /// database was read at (or later).
    pub fn rebuild(&self, directory: &Directory, position: i64) -> Result<usize, SearchError> {
        self.begin_rebuild();
        let result = self.rebuild_at(directory, position);
        // Failed or not, the feed goes on from `position`: what the rebuild did not index is
        // indexed again change by change, or by the next rebuild.
        *self.rebuilt_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(position);
        self.rebuilding.store(false, Ordering::Release);
        // Then one segment instead of one per batch, while changes are applied again. A merge
        // that fails (the index's own merges may hold a segment) leaves searches right, if
        // slower.
        if result.is_ok() {
            if let Err(e) = self.search.merge_all() {
                tracing::warn!(error = %e, "search index: merging the rebuilt segments failed");
            }
        }
        result
    }

    fn rebuild_at(&self, directory: &Directory, position: i64) -> Result<usize, SearchError> {
        let mut conn = self.pool.get()?;
        self.load_thesauri(&mut conn, directory)?;
        let now = crate::now();
        let mut total = 0;
        let sites: Vec<&Arc<SiteEntry>> = directory.sites().iter().collect();
        for batch in sites.chunks(REBUILD_BATCH) {
            let mut docs = Vec::new();
            let mut deletes = Vec::new();
            let mut due = Vec::new();
            for site in batch {
                deletes.push(Scope::Site(site.id));
                docs.extend(documents::site(&mut conn, &self.content, site, now, &mut due)?);
            }
            total += docs.len();
            self.search.apply(&deletes, docs, position)?;
            self.schedule(due);
        }
        let gone = Scope::AllBut(sites.iter().map(|s| s.id).collect());
        self.search.apply(&[gone], Vec::new(), position)?;
        self.search.mark_ready();
        Ok(total)
    }

    fn update(&self, changes: &[Change], directory: &Directory, conn: &mut DbConnection) -> Result<(), SearchError> {
        let mut jobs: HashSet<Scope> = HashSet::new();
        let mut reload = false;
        for change in changes {
            let sites: Vec<i64> = match directory.touched(change.group_id, change.site_id) {
                Some(ids) => ids,
                None => directory.sites().iter().map(|s| s.id).collect(),
            };
            let product = change.item_key.rsplit('/').next().unwrap_or("").to_owned();
            match change.kind {
                Kind::Product | Kind::Override => jobs.extend(sites.iter().map(|&s| Scope::Product(s, product.clone()))),
                Kind::Page => jobs.extend(sites.iter().map(|&s| Scope::Kind(s, documents::PAGE))),
                Kind::News => jobs.extend(sites.iter().map(|&s| Scope::Kind(s, documents::NEWS))),
                Kind::Thesaurus => reload = true,
                Kind::Alert | Kind::Upl | Kind::Redirects | Kind::Media => {}
                // A site's or group's settings (name, groups, variables) reach every document,
                // and its groups decide which thesauri apply to it.
                Kind::Site | Kind::Group => {
                    jobs.extend(sites.iter().map(|&s| Scope::Site(s)));
                    reload = true;
                }
            }
        }
        if reload {
            self.load_thesauri(conn, directory)?;
        }
        let position = changes.last().map(|c| c.id).unwrap_or(0);
        if jobs.is_empty() {
            // Nothing to re-index (no commit: a restart replays these few changes cheaply).
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
        let mut due = Vec::new();
        for job in &jobs {
            let site_id = match job {
                Scope::Site(s) | Scope::Kind(s, _) | Scope::Product(s, _) => *s,
                Scope::AllBut(_) => continue,
            };
            // A site that no longer exists only loses its documents.
            let Some(site) = directory.site(site_id) else { continue };
            docs.extend(match job {
                Scope::Site(_) => documents::site(conn, &self.content, site, now, &mut due)?,
                Scope::Kind(_, kind) if *kind == documents::PAGE => documents::pages(conn, &self.content, site, now)?,
                Scope::Kind(_, _) => documents::news(conn, &self.content, site, now)?,
                Scope::Product(_, slug) => documents::products(conn, &self.content, site, Some(slug), now, &mut due)?,
                Scope::AllBut(_) => Vec::new(),
            });
        }
        let deletes: Vec<Scope> = jobs.into_iter().collect();
        self.search.apply(&deletes, docs, position)?;
        self.schedule(due);
        Ok(())
    }
}

impl Follower for SearchFollower {
    fn name(&self) -> &'static str {
        "search"
    }

    fn persisted_position(&self) -> Option<i64> {
        Some(self.search.position().unwrap_or(0))
    }

    fn apply(&self, changes: &[Change], directory: &Directory, conn: &mut DbConnection) -> Result<Applied, FollowError> {
        if self.rebuilding.load(Ordering::Acquire) {
            return Ok(Applied::Deferred);
        }
        if let Some(at) = self.rebuilt_at.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Ok(Applied::RebuiltAt(at));
        }
        self.update(changes, directory, conn).map(|()| Applied::Done).map_err(|e| FollowError(e.to_string()))
    }

    fn tick(&self, directory: &Directory, conn: &mut DbConnection) -> Result<(), FollowError> {
        if self.rebuilding.load(Ordering::Acquire) {
            return Ok(());
        }
        self.reindex_due(directory, conn).map_err(|e| FollowError(e.to_string()))
    }
}
