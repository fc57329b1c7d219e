//! Where media files live. Names are made by the server (content hash, width, extension), never
//! taken from an upload. `DirStore` keeps them in a directory (under the data dir by default);
//! several processes share media by pointing at the same directory (a network file system) or,
//! later, through another implementation of `MediaStore`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub trait MediaStore: Send + Sync {
    /// Stores a file; storing the same name again replaces it as a whole.
    fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()>;
    /// A file's bytes, or `None` when there is no such file.
    fn get(&self, name: &str) -> io::Result<Option<Vec<u8>>>;
    fn exists(&self, name: &str) -> bool;
    fn delete(&self, name: &str) -> io::Result<()>;
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
        let valid = name.len() > 4
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !name.starts_with('.')
            && !name.contains("..");
        if !valid {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("not a media file name: {name:?}")));
        }
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

    fn exists(&self, name: &str) -> bool {
        self.path(name).is_ok_and(|p| p.is_file())
    }

    fn delete(&self, name: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(name)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
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
        for bad in ["../etc/passwd", "ab/../../x.jpg", ".hidden.jpg", "ABC.JPG", "abc"] {
            assert!(store.put(bad, b"x").is_err(), "{bad}");
        }
        store.delete("abcdef.jpg").unwrap();
        assert!(!store.exists("abcdef.jpg"));
        store.delete("abcdef.jpg").unwrap();
    }
}
