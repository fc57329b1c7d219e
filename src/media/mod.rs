//! Uploaded images: checked and decoded with strict limits (`decode`), stored clean by content
//! hash (`store`), with responsive variants (`variants`) made by a background worker and again
//! on demand, and shown as `<picture>` elements (`picture`).

pub mod decode;
pub mod picture;
pub mod store;
pub mod variants;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use crate::db::models::media::FileFacts;
pub use decode::{Declared, Limits};
use store::MediaStore;
use variants::Encoding;

/// Why an upload was refused or a file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("het bestand is te groot ({bytes} bytes; de grens is {limit} bytes)")]
    TooLarge { bytes: usize, limit: usize },
    #[error("de afbeelding is te groot ({width}×{height} pixels; de grens is {max_side} pixels per zijde en {max_pixels} pixels in totaal)")]
    TooManyPixels { width: u32, height: u32, max_side: u32, max_pixels: u64 },
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Mismatch(String),
    #[error("{0}")]
    Corrupt(String),
    #[error("{0}")]
    Polyglot(String),
    #[error("cannot encode an image: {0}")]
    Encode(String),
    #[error("media storage: {0}")]
    Io(#[from] std::io::Error),
    /// Every decoding slot stayed taken: too many images are being processed at once.
    #[error("er worden nu te veel afbeeldingen tegelijk verwerkt; probeer het zo opnieuw")]
    Busy,
}

impl MediaError {
    /// Whether the uploader caused it (a 4xx) rather than the server.
    pub fn is_rejection(&self) -> bool {
        !matches!(self, MediaError::Encode(_) | MediaError::Io(_) | MediaError::Busy)
    }
}

/// A clean file ready to be recorded.
pub struct Ingested {
    pub facts: FileFacts,
    pub encoding: Encoding,
}

/// The media files of this process: storage, limits and the variant worker.
pub struct MediaFiles {
    pub store: Arc<dyn MediaStore>,
    pub limits: Limits,
    queue: Mutex<Option<mpsc::Sender<(String, Encoding)>>>,
    pending: Arc<AtomicUsize>,
}

impl MediaFiles {
    pub fn new(store: Arc<dyn MediaStore>, limits: Limits) -> MediaFiles {
        MediaFiles { store, limits, queue: Mutex::new(None), pending: Arc::new(AtomicUsize::new(0)) }
    }

    /// The configured storage (`MEENT_MEDIA_URL`; by default `media/` under the data dir), with
    /// the configured limits; no worker yet.
    pub fn for_config(config: &crate::config::Config) -> Result<MediaFiles, String> {
        let store = match &config.media_url {
            Some(url) => store::open(url)?,
            None => Arc::new(store::DirStore::new(&config.data_dir.join("media"))),
        };
        Ok(MediaFiles::new(store, Limits { max_bytes: config.media_max_bytes, ..Limits::default() }))
    }

    /// Starts the worker that makes variants in the background.
    pub fn start_worker(&self) -> std::io::Result<()> {
        let (tx, rx) = mpsc::channel::<(String, Encoding)>();
        let store = self.store.clone();
        let pending = self.pending.clone();
        std::thread::Builder::new().name("meent-media".into()).spawn(move || {
            for (hash, encoding) in rx {
                if let Err(e) = make_variants(store.as_ref(), &hash, encoding) {
                    tracing::error!(error = %e, hash, "cannot make the variants of an image");
                }
                pending.fetch_sub(1, Ordering::SeqCst);
            }
        })?;
        *self.queue.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        Ok(())
    }

    /// Checks an upload (or an imported file), cleans it and stores the clean file. Every file
    /// is decoded and encoded again, whatever it claims to be: what is stored holds pixels
    /// only, never bytes (metadata, a location, hidden content) that came with it.
    pub fn ingest(&self, bytes: &[u8], declared: Declared) -> Result<Ingested, MediaError> {
        let (clean, (master, encoding)) = DECODE_SLOTS
            .run(SLOT_WAIT, || -> Result<_, MediaError> {
                let clean = decode::decode(bytes, declared, &self.limits)?;
                let encoded = variants::encode_master(&clean.image, clean.transparent)?;
                Ok((clean, encoded))
            })
            .map_err(|_| MediaError::Busy)??;
        let hash = content_hash(&master);
        self.store.put_if_absent(&variants::master_name(&hash, encoding), &master)?;
        let facts = FileFacts { hash, format: encoding.format(), width: clean.image.width(), height: clean.image.height(), bytes: master.len() };
        Ok(Ingested { facts, encoding })
    }

    /// Has the variants of a stored master made in the background. Without a worker (the
    /// command line) nothing happens now: a serving process makes missing variants on demand.
    pub fn schedule_variants(&self, hash: &str, encoding: Encoding) {
        let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = queue.as_ref() {
            self.pending.fetch_add(1, Ordering::SeqCst);
            if tx.send((hash.to_owned(), encoding)).is_err() {
                self.pending.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    /// Variants waiting to be made.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    /// An original as stored, to be sent on in pieces.
    pub fn open_master(&self, hash: &str, master: Encoding) -> Result<Option<store::Opened>, MediaError> {
        Ok(self.store.open(&variants::master_name(hash, master))?)
    }

    /// A stored file by name; a missing variant of an existing master is made now.
    pub fn file(&self, hash: &str, width: Option<u32>, encoding: Encoding, master: Encoding, master_width: u32) -> Result<Option<Vec<u8>>, MediaError> {
        let Some(width) = width else {
            return if encoding == master { Ok(self.store.get(&variants::master_name(hash, master))?) } else { Ok(None) };
        };
        if !variants::widths_for(master_width).contains(&width) || !variants::encodings(master).contains(&encoding) {
            return Ok(None);
        }
        let name = variants::variant_name(hash, width, encoding);
        if let Some(bytes) = self.store.get(&name)? {
            return Ok(Some(bytes));
        }
        let Some(master_bytes) = self.store.get(&variants::master_name(hash, master))? else { return Ok(None) };
        let bytes = DECODE_SLOTS
            .run(SLOT_WAIT, || variants::make_one(&variants::decode_master(&master_bytes)?, width, encoding))
            .map_err(|_| MediaError::Busy)??;
        // Another process may have made it meanwhile: the first one's stays.
        self.store.put_if_absent(&name, &bytes)?;
        Ok(Some(bytes))
    }

    /// Removes a file and its variants (when no media item stands for it any more).
    pub fn remove(&self, hash: &str, encoding: Encoding, width: u32) -> Result<(), MediaError> {
        for w in variants::widths_for(width) {
            for e in variants::encodings(encoding) {
                self.store.delete(&variants::variant_name(hash, w, e))?;
            }
        }
        self.store.delete(&variants::master_name(hash, encoding))?;
        Ok(())
    }
}

/// Images decoded at once (an upload, or a missing variant made for a request): each may take
/// a few hundred MiB while decoded, so a burst of them waits here rather than exhausting memory.
static DECODE_SLOTS: crate::slots::Slots = crate::slots::Slots::new(2);
/// How long decoding waits for a slot before the request is told to try again.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// How long a deleted or replaced file stays before it is removed from the storage: long enough
/// for an upload of the same file, already stored, to record its item (and then it stays), and
/// for pages cached on other processes to follow the change feed.
pub const REMOVAL_GRACE: i64 = 10 * 60;

/// Removes the files due for removal that no media item stands for (any more); returns how
/// many. Run by the maintenance thread of every process; a file another process removed first
/// is simply gone.
pub fn remove_due(conn: &mut crate::db::DbConnection, files: &MediaFiles, now: i64) -> Result<usize, MediaError> {
    use crate::db::models::media;
    let mut removed = 0;
    for (hash, format, width) in media::due_removals(conn, now).map_err(|e| MediaError::Io(std::io::Error::other(e.to_string())))? {
        let in_use = media::hash_in_use(conn, &hash).map_err(|e| MediaError::Io(std::io::Error::other(e.to_string())))?;
        if !in_use {
            files.remove(&hash, Encoding::from_format(&format), u32::try_from(width).unwrap_or(0))?;
            removed += 1;
        }
        media::drop_removal(conn, &hash).map_err(|e| MediaError::Io(std::io::Error::other(e.to_string())))?;
    }
    Ok(removed)
}

/// The name-giving hash of a file's bytes.
fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_owned()
}

/// Makes the variants of a master that are not there yet.
fn make_variants(store: &dyn MediaStore, hash: &str, encoding: Encoding) -> Result<usize, MediaError> {
    let Some(bytes) = store.get(&variants::master_name(hash, encoding))? else { return Ok(0) };
    let master = variants::decode_master(&bytes)?;
    let missing = variants::widths_for(master.width())
        .into_iter()
        .flat_map(|w| variants::encodings(encoding).map(|e| (w, e)))
        .any(|(w, e)| !store.exists(&variants::variant_name(hash, w, e)));
    if !missing {
        return Ok(0);
    }
    let files = variants::make_all(&master, encoding, hash)?;
    for (name, bytes) in &files {
        store.put_if_absent(name, bytes)?;
    }
    Ok(files.len())
}

/// A new media key: the file's name made into a slug, with part of its hash; when that key is
/// taken (the same file uploaded again under the same name), a longer part, then a number.
/// Every attempt gives another key, so looking for a free one always ends.
pub fn key_for(name: &str, hash: &str, attempt: usize) -> String {
    let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let mut slug = crate::content::slug::slugify(stem);
    slug.truncate(40);
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "afbeelding" } else { slug };
    let short = &hash[..8.min(hash.len())];
    match attempt {
        0 => format!("{slug}-{short}"),
        1 => format!("{slug}-{}", &hash[..16.min(hash.len())]),
        n => format!("{slug}-{short}-{n}"),
    }
}

/// The media keys a saved item refers to (`/media/<key>` anywhere in its text).
pub fn references(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = text
        .match_indices("/media/")
        .filter_map(|(i, m)| {
            let rest = &text[i + m.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')).unwrap_or(rest.len());
            let key = &rest[..end];
            crate::content::slug::is_slug(key).then(|| key.to_owned())
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_references() {
        assert_eq!(key_for("C:\\fotos\\Gemeentehuis Diemen.JPG", "0123456789abcdef", 0), "gemeentehuis-diemen-01234567");
        assert_eq!(key_for(".jpg", "0123456789abcdef", 1), "afbeelding-0123456789abcdef");
        assert_eq!(key_for("a.png", "0123456789abcdef", 2), "a-01234567-2");
        let keys: std::collections::HashSet<String> = (0..100).map(|n| key_for("a.png", "0123456789abcdef", n)).collect();
        assert_eq!(keys.len(), 100, "every attempt gives another key");
        let text = r#"{"body":"![x](/media/gemeentehuis-01234567) en [link](/media/plein-aa/abc-320.webp) /media/ /media/Bad"}"#;
        assert_eq!(references(text), vec!["gemeentehuis-01234567", "plein-aa"]);
    }
}
