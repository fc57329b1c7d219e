//! Rendered responses kept in memory, per site and URL. Each entry names what it was built
//! from (tags); the change feed removes exactly the entries a change touches. Entries also
//! expire when a publish window or alert boundary they depend on passes.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;

use crate::content::kind::Kind;
use crate::content::directory::Directory;
use crate::db::models::changes::Change;
use crate::feed::Follower;

/// What a cached response was built from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tag {
    /// One product (its catalogue item or an override of it).
    Product(String),
    /// Any product: listings, home, sitemap.
    Catalogue,
    /// Pages and news of the site's layers.
    Local,
    /// Alerts shown in the banner.
    Alerts,
    /// An image shown on the page (by media key).
    Media(String),
}

/// What one change makes stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// Entries with any of these tags.
    Tagged(Vec<Tag>),
    /// Everything of the touched sites (site settings, groups, imports).
    All,
}

/// Maps a change to what it makes stale. The one place that knows what depends on what.
pub fn stale(change: &Change) -> Stale {
    let product = || change.item_key.rsplit('/').next().unwrap_or("").to_owned();
    match change.kind {
        Kind::Product | Kind::Override => Stale::Tagged(vec![Tag::Product(product()), Tag::Catalogue]),
        Kind::Page | Kind::News => Stale::Tagged(vec![Tag::Local]),
        Kind::Alert => Stale::Tagged(vec![Tag::Alerts]),
        Kind::Upl => Stale::Tagged(vec![Tag::Catalogue]),
        Kind::Media => Stale::Tagged(vec![Tag::Media(change.item_key.clone())]),
        Kind::Thesaurus | Kind::Redirects => Stale::Tagged(vec![]),
        Kind::Site | Kind::Group => Stale::All,
    }
}

/// One representation of a response: its bytes and its entity tag.
#[derive(Debug, Clone)]
pub struct Representation {
    pub body: Bytes,
    pub etag: HeaderValue,
}

/// A rendered response, with everything a hit needs made in advance: compressed copies and
/// their entity tags.
#[derive(Debug)]
pub struct Entry {
    pub status: u16,
    pub content_type: &'static str,
    pub plain: Representation,
    pub gzip: Option<Representation>,
    pub brotli: Option<Representation>,
    pub tags: Vec<Tag>,
    /// Unix seconds after which the entry is no longer true.
    pub expires_at: Option<i64>,
}

/// The entries of one site, by URL.
type SiteEntries = HashMap<Box<str>, Arc<Entry>>;

#[derive(Default)]
struct Inner {
    sites: HashMap<i64, SiteEntries>,
    /// Oldest first, for eviction; may name entries that are already gone.
    order: VecDeque<(i64, Box<str>)>,
    bytes: usize,
}

/// Rendered responses; a hit is a read lock, two hash lookups and a reference count.
pub struct PageCache {
    inner: RwLock<Inner>,
    /// Bumped by every invalidation; a response rendered while it moved is not stored.
    epoch: AtomicU64,
    max_bytes: usize,
    enabled: bool,
    pub hits: AtomicUsize,
    pub misses: AtomicUsize,
}

impl Entry {
    /// An entry for `body`; with `compress`, also gzip and brotli copies (bodies of 512 bytes
    /// or more). Each representation gets its own tag, derived from the plain body's hash.
    pub fn new(status: u16, content_type: &'static str, body: Bytes, compress: bool, tags: Vec<Tag>, expires_at: Option<i64>) -> Entry {
        // Stable across processes and releases, so every process of an installation gives a
        // page the same tag.
        let hash = xxhash_rust::xxh3::xxh3_128(&body);
        let tag = |suffix: &str| HeaderValue::from_str(&format!("\"{hash:032x}{suffix}\"")).expect("hex is a valid header value");
        let (gzip, brotli) = if compress { compressed(&body) } else { (None, None) };
        Entry {
            status,
            content_type,
            gzip: gzip.map(|body| Representation { body, etag: tag("-gz") }),
            brotli: brotli.map(|body| Representation { body, etag: tag("-br") }),
            plain: Representation { body, etag: tag("") },
            tags,
            expires_at,
        }
    }

    /// Bytes held in memory.
    pub fn size(&self) -> usize {
        [Some(&self.plain), self.gzip.as_ref(), self.brotli.as_ref()].into_iter().flatten().map(|r| r.body.len()).sum()
    }
}

/// Compresses a body for storing: gzip and brotli, or nothing for small bodies.
fn compressed(body: &[u8]) -> (Option<Bytes>, Option<Bytes>) {
    use std::io::Write;
    if body.len() < 512 {
        return (None, None);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::new(6));
    let gzip = gz.write_all(body).ok().and_then(|_| gz.finish().ok()).map(exact);
    let mut br = Vec::with_capacity(body.len() / 3);
    // Quality 5 with a 256 KiB window (larger only for larger bodies) gives a page the same
    // bytes as quality 6 with the default 4 MiB window, in a third of the time; smaller
    // windows make this encoder choose a hasher that is far slower (benches/pages.rs).
    let lgwin = (usize::BITS - body.len().leading_zeros()).clamp(18, 22) as i32;
    let params = brotli::enc::BrotliEncoderParams { quality: 5, lgwin, ..Default::default() };
    let brotli = brotli::BrotliCompress(&mut &body[..], &mut br, &params).ok().map(|_| exact(br));
    (gzip, brotli)
}

/// Bytes that hold no spare capacity, so what the cache counts is what it holds.
pub fn exact(mut bytes: Vec<u8>) -> Bytes {
    bytes.shrink_to_fit();
    Bytes::from(bytes)
}

impl PageCache {
    pub fn new(enabled: bool, max_bytes: usize) -> PageCache {
        PageCache {
            inner: RwLock::new(Inner::default()),
            epoch: AtomicU64::new(0),
            max_bytes,
            enabled,
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// Whether responses are kept (off: every request renders, and compression is left to
    /// the middleware, which compresses only for clients that ask).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub fn get(&self, site: i64, url: &str, now: i64) -> Option<Arc<Entry>> {
        if !self.enabled {
            return None;
        }
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        let found = inner
            .sites
            .get(&site)
            .and_then(|s| s.get(url))
            .filter(|e| e.expires_at.is_none_or(|t| now < t))
            .cloned();
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores an entry unless something was invalidated since `epoch` was read (the entry
    /// might have been built from data that is already stale).
    pub fn insert(&self, epoch: u64, site: i64, url: &str, entry: Arc<Entry>) {
        if !self.enabled || entry.size() > self.max_bytes / 8 {
            return;
        }
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if self.epoch() != epoch {
            return;
        }
        inner.bytes += entry.size();
        let url: Box<str> = url.into();
        match inner.sites.entry(site).or_default().insert(url.clone(), entry) {
            Some(old) => inner.bytes -= old.size(),
            None => inner.order.push_back((site, url)),
        }
        while inner.bytes > self.max_bytes {
            let Some((site, url)) = inner.order.pop_front() else { break };
            if let Some(old) = inner.sites.get_mut(&site).and_then(|s| s.remove(&url)) {
                inner.bytes -= old.size();
            }
        }
    }

    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.sites.values().map(HashMap::len).sum()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry; pages are built again on the next request.
    pub fn clear(&self) {
        self.invalidate(None, &Stale::All);
    }

    fn invalidate(&self, sites: Option<&[i64]>, stale: &Stale) {
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let mut freed = 0;
        for (site, entries) in inner.sites.iter_mut() {
            if !sites.is_none_or(|s| s.contains(site)) {
                continue;
            }
            entries.retain(|_, entry| {
                let gone = match stale {
                    Stale::All => true,
                    Stale::Tagged(tags) => entry.tags.iter().any(|t| tags.contains(t)),
                };
                if gone {
                    freed += entry.size();
                }
                !gone
            });
        }
        inner.bytes -= freed;
        let Inner { sites, order, .. } = &mut *inner;
        order.retain(|(site, url)| sites.get(site).is_some_and(|s| s.contains_key(url)));
    }
}

impl Follower for PageCache {
    fn name(&self) -> &'static str {
        "page-cache"
    }

    fn apply(&self, changes: &[Change], directory: &Directory, _: &mut crate::db::DbConnection) -> Result<crate::feed::Applied, crate::feed::FollowError> {
        self.drop_stale(changes, directory);
        Ok(crate::feed::Applied::Done)
    }
}

impl PageCache {
    /// Drops exactly the entries the changes make stale.
    fn drop_stale(&self, changes: &[Change], directory: &Directory) {
        for change in changes {
            let sites = directory.touched(change.group_id, change.site_id);
            self.invalidate(sites.as_deref(), &stale(change));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tags: Vec<Tag>) -> Arc<Entry> {
        Arc::new(Entry::new(200, "text/html", Bytes::from_static(b"x"), false, tags, None))
    }

    fn change(kind: Kind, key: &str, site: Option<i64>) -> Change {
        Change { id: 1, at: 0, kind, item_key: key.into(), group_id: None, site_id: site }
    }

    #[test]
    fn a_product_change_removes_that_product_and_listings_only() {
        let cache = PageCache::new(true, 1 << 20);
        let e = cache.epoch();
        cache.insert(e, 1, "/producten/paspoort", entry(vec![Tag::Product("paspoort".into())]));
        cache.insert(e, 1, "/producten/rijbewijs", entry(vec![Tag::Product("rijbewijs".into())]));
        cache.insert(e, 1, "/producten", entry(vec![Tag::Catalogue]));
        cache.insert(e, 1, "/afval", entry(vec![Tag::Local]));
        cache.insert(e, 2, "/producten/paspoort", entry(vec![Tag::Product("paspoort".into())]));
        cache.drop_stale(&[change(Kind::Override, "site/diemen/paspoort", Some(1))], &Directory::default());
        assert!(cache.get(1, "/producten/paspoort", 0).is_none());
        assert!(cache.get(1, "/producten", 0).is_none());
        assert!(cache.get(1, "/producten/rijbewijs", 0).is_some());
        assert!(cache.get(1, "/afval", 0).is_some());
        assert!(cache.get(2, "/producten/paspoort", 0).is_some(), "another site keeps its page");
        cache.drop_stale(&[change(Kind::Product, "paspoort", None)], &Directory::default());
        assert!(cache.get(2, "/producten/paspoort", 0).is_none(), "a central change reaches every site");
        cache.drop_stale(&[change(Kind::Site, "diemen", Some(1))], &Directory::default());
        assert!(cache.is_empty());
    }

    #[test]
    fn nothing_rendered_before_an_invalidation_is_stored() {
        let cache = PageCache::new(true, 1 << 20);
        let e = cache.epoch();
        cache.drop_stale(&[change(Kind::Page, "site/x/a", Some(1))], &Directory::default());
        cache.insert(e, 1, "/a", entry(vec![Tag::Local]));
        assert!(cache.get(1, "/a", 0).is_none());
    }

    #[test]
    fn entries_expire_and_size_is_bounded() {
        let cache = PageCache::new(true, 16);
        let e = Entry::new(200, "text/html", Bytes::from_static(b"x"), false, vec![], Some(10));
        cache.insert(cache.epoch(), 1, "/", Arc::new(e));
        assert!(cache.get(1, "/", 9).is_some());
        assert!(cache.get(1, "/", 10).is_none());
        for i in 0..40 {
            cache.insert(cache.epoch(), 1, &format!("/{i}"), entry(vec![]));
        }
        assert!(cache.len() <= 16);
    }
}
