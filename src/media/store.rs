//! Where media files live. Names are made by the server (content hash, width, extension), never
//! taken from an upload. `DirStore` keeps them in a directory (under the data dir by default);
//! `S3Store` in a bucket of S3-compatible object storage, which every process of an
//! installation shares (`MEENT_MEDIA_URL=s3://BUCKET/PREFIX`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub trait MediaStore: Send + Sync {
    /// Stores a file; storing the same name again replaces it as a whole.
    fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()>;
    /// Stores a file unless one of that name is there already (another process made it first:
    /// names are content hashes, so it holds the same bytes).
    fn put_if_absent(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        if self.exists(name) { Ok(()) } else { self.put(name, bytes) }
    }
    /// A file's bytes, or `None` when there is no such file.
    fn get(&self, name: &str) -> io::Result<Option<Vec<u8>>>;
    /// A file to read in pieces (for large originals, which are sent on without being held
    /// whole in memory): its length and a reader, or `None` when there is no such file.
    fn open(&self, name: &str) -> io::Result<Option<Opened>>;
    fn exists(&self, name: &str) -> bool;
    fn delete(&self, name: &str) -> io::Result<()>;
    /// The names of every file held (for operators and tests).
    fn list(&self) -> io::Result<Vec<String>>;
}

/// A stored file being read: its length and its bytes in pieces.
pub struct Opened {
    pub len: u64,
    pub reader: Box<dyn io::Read + Send>,
}

/// Refuses anything but a name the server makes: lowercase letters, digits, `-` and `.`.
fn check_name(name: &str) -> io::Result<()> {
    let valid = name.len() > 4
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !name.starts_with('.')
        && !name.contains("..");
    if valid { Ok(()) } else { Err(io::Error::new(io::ErrorKind::InvalidInput, format!("not a media file name: {name:?}"))) }
}

/// The store a media URL names: `s3://BUCKET[/PREFIX]`, or a directory (a path or `file://`).
pub fn open(url: &str) -> Result<Arc<dyn MediaStore>, String> {
    if let Some(rest) = url.strip_prefix("s3://") {
        return Ok(Arc::new(S3Store::open(rest)?));
    }
    let path = url.strip_prefix("file://").unwrap_or(url);
    if path.is_empty() || path.contains("://") {
        return Err(format!("media URL {url:?}: use a directory or s3://BUCKET/PREFIX"));
    }
    Ok(Arc::new(DirStore::new(Path::new(path))))
}

/// Files in a directory, spread over subdirectories by the first two characters of the name.
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: &Path) -> DirStore {
        DirStore { root: root.to_owned() }
    }

    fn path(&self, name: &str) -> io::Result<PathBuf> {
        check_name(name)?;
        Ok(self.root.join(&name[..2]).join(name))
    }
}

impl MediaStore for DirStore {
    fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(name)?;
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir)?;
        // Written to a temporary file and renamed: a reader sees the whole file or none.
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    fn get(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(name)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn open(&self, name: &str) -> io::Result<Option<Opened>> {
        match std::fs::File::open(self.path(name)?) {
            Ok(file) => Ok(Some(Opened { len: file.metadata()?.len(), reader: Box::new(file) })),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn exists(&self, name: &str) -> bool {
        self.path(name).is_ok_and(|p| p.is_file())
    }

    fn delete(&self, name: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(name)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn list(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        let Ok(subdirs) = std::fs::read_dir(&self.root) else { return Ok(names) };
        for sub in subdirs.flatten() {
            for file in std::fs::read_dir(sub.path())?.flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                if check_name(&name).is_ok() {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
    }
}

/// Files in a bucket of S3-compatible object storage, under a prefix, spread by the first two
/// characters of the name like `DirStore`. Credentials, region and endpoint come from the
/// standard `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`, `AWS_ENDPOINT`
/// and `AWS_ALLOW_HTTP` variables. Requests run on a runtime of their own thread, so callers
/// (request handlers on the blocking pool, the variant worker, commands) just wait.
pub struct S3Store {
    store: Arc<dyn object_store::ObjectStore>,
    prefix: String,
    runtime: tokio::runtime::Handle,
}

impl S3Store {
    /// `BUCKET[/PREFIX]`.
    pub fn open(bucket_and_prefix: &str) -> Result<S3Store, String> {
        let (bucket, prefix) = bucket_and_prefix.split_once('/').unwrap_or((bucket_and_prefix, ""));
        if bucket.is_empty() {
            return Err("media URL s3://BUCKET/PREFIX: the bucket is missing".into());
        }
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| format!("media storage s3://{bucket_and_prefix}: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("media storage: {e}"))?;
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("meent-media-io".into())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .map_err(|e| format!("media storage: {e}"))?;
        Ok(S3Store { store: Arc::new(store), prefix: prefix.trim_matches('/').to_owned(), runtime: handle })
    }

    fn location(&self, name: &str) -> io::Result<object_store::path::Path> {
        check_name(name)?;
        let key = if self.prefix.is_empty() { format!("{}/{name}", &name[..2]) } else { format!("{}/{}/{name}", self.prefix, &name[..2]) };
        Ok(object_store::path::Path::from(key))
    }

    /// Runs a request on the store's runtime and waits for it.
    fn run<T: Send + 'static>(&self, request: impl std::future::Future<Output = object_store::Result<T>> + Send + 'static) -> object_store::Result<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let _ = tx.send(request.await);
        });
        rx.recv().unwrap_or_else(|_| Err(object_store::Error::Generic { store: "S3", source: "the media runtime stopped".into() }))
    }
}

/// A failed request to the store, counted for `/metrics` by operation.
fn io_error(operation: &'static str) -> impl FnOnce(object_store::Error) -> io::Error {
    move |e| {
        crate::metrics::media_store_error(operation);
        io::Error::other(e.to_string())
    }
}

/// An object's body, read piece by piece as the store sends it: `read` waits (on the store's
/// runtime) for the next piece only when the last one is used up.
struct S3Reader {
    stream: futures_util::stream::BoxStream<'static, object_store::Result<bytes::Bytes>>,
    runtime: tokio::runtime::Handle,
    piece: bytes::Bytes,
}

impl io::Read for S3Reader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use futures_util::StreamExt;
        while self.piece.is_empty() {
            match self.runtime.block_on(self.stream.next()) {
                Some(Ok(piece)) => self.piece = piece,
                Some(Err(e)) => return Err(io_error("get")(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.piece.len());
        buf[..n].copy_from_slice(&self.piece.split_to(n));
        Ok(n)
    }
}

impl MediaStore for S3Store {
    fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let (store, location, payload) = (self.store.clone(), self.location(name)?, object_store::PutPayload::from(bytes.to_vec()));
        self.run(async move { object_store::ObjectStoreExt::put(&store, &location, payload).await.map(drop) }).map_err(io_error("put"))
    }

    fn put_if_absent(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let (store, location, payload) = (self.store.clone(), self.location(name)?, object_store::PutPayload::from(bytes.to_vec()));
        let create = object_store::PutOptions::from(object_store::PutMode::Create);
        match self.run(async move { store.put_opts(&location, payload, create).await.map(drop) }) {
            Ok(()) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
            Err(e) => Err(io_error("put")(e)),
        }
    }

    fn get(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let (store, location) = (self.store.clone(), self.location(name)?);
        match self.run(async move { object_store::ObjectStoreExt::get(&store, &location).await?.bytes().await }) {
            Ok(bytes) => Ok(Some(bytes.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io_error("get")(e)),
        }
    }

    fn open(&self, name: &str) -> io::Result<Option<Opened>> {
        let (store, location) = (self.store.clone(), self.location(name)?);
        match self.run(async move { object_store::ObjectStoreExt::get(&store, &location).await }) {
            Ok(got) => {
                let len = got.meta.size;
                let reader = S3Reader { stream: got.into_stream(), runtime: self.runtime.clone(), piece: bytes::Bytes::new() };
                Ok(Some(Opened { len, reader: Box::new(reader) }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io_error("get")(e)),
        }
    }

    fn exists(&self, name: &str) -> bool {
        let Ok(location) = self.location(name) else { return false };
        let store = self.store.clone();
        self.run(async move { object_store::ObjectStoreExt::head(&store, &location).await }).is_ok()
    }

    fn delete(&self, name: &str) -> io::Result<()> {
        let (store, location) = (self.store.clone(), self.location(name)?);
        match self.run(async move { object_store::ObjectStoreExt::delete(&store, &location).await }) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(io_error("delete")(e)),
        }
    }

    fn list(&self) -> io::Result<Vec<String>> {
        use futures_util::StreamExt;
        let store = self.store.clone();
        let prefix = (!self.prefix.is_empty()).then(|| object_store::path::Path::from(self.prefix.clone()));
        let listed = self.run(async move {
            let mut stream = store.list(prefix.as_ref());
            let mut names = Vec::new();
            while let Some(meta) = stream.next().await {
                names.push(meta?.location.filename().unwrap_or_default().to_owned());
            }
            Ok(names)
        });
        let mut names: Vec<String> = listed.map_err(io_error("list"))?.into_iter().filter(|n| check_name(n).is_ok()).collect();
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_by_name_and_refuses_paths() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path());
        store.put("abcdef.jpg", b"x").unwrap();
        assert_eq!(store.get("abcdef.jpg").unwrap().as_deref(), Some(&b"x"[..]));
        assert!(store.exists("abcdef.jpg"));
        assert!(store.get("abcdef-1.jpg").unwrap().is_none());
        for bad in ["../etc/passwd", "ab/../../x.jpg", ".hidden.jpg", "ABC.JPG", "abc"] { // not a path: hostile names
            assert!(store.put(bad, b"x").is_err(), "{bad}");
        }
        store.delete("abcdef.jpg").unwrap();
        assert!(!store.exists("abcdef.jpg"));
        store.delete("abcdef.jpg").unwrap();
    }
}
