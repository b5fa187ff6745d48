//! Rendered files kept across builds, by key: in memory (serve) or on disk
//! (`build --cache DIR`). Used for PDFs, which cost far more than pages.
//!
//! On disk each entry is `DIR/ab/abcd…` (the hex key): the SHA-256 of the
//! bytes, then the bytes; written aside and renamed into place, so a torn
//! or altered entry is never used (it is rendered and written again). The
//! folder is as trusted as the site's own files.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A cache key (SHA-256 of everything the bytes depend on).
pub type Key = [u8; 32];

/// Kept files: memory, disk, or neither.
#[derive(Default)]
pub struct Blobs {
    memory: Option<Mutex<HashMap<Key, Arc<Vec<u8>>>>>,
    dir: Option<PathBuf>,
    error: Mutex<Option<String>>,
}

impl Blobs {
    /// Keeps files in memory when `memory` is true.
    pub fn new(memory: bool) -> Self {
        Blobs {
            memory: memory.then(Mutex::default),
            ..Blobs::default()
        }
    }

    /// Keeps files in `dir` (created when first written).
    pub fn on_disk(dir: &Path) -> Self {
        Blobs {
            dir: Some(dir.to_path_buf()),
            ..Blobs::default()
        }
    }

    /// The bytes kept under `key`, else `make`'s (kept when Ok).
    pub fn get_or<E>(
        &self,
        key: &Key,
        make: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<Vec<u8>>, E> {
        if let Some(hit) = self.get(key) {
            return Ok(hit);
        }
        let bytes = Arc::new(make()?);
        if let Some(m) = &self.memory {
            lock(m).insert(*key, Arc::clone(&bytes));
        }
        if self.dir.is_some() {
            self.put(key, &bytes);
        }
        Ok(bytes)
    }

    /// The bytes kept under `key`, if any (intact).
    pub fn get(&self, key: &Key) -> Option<Arc<Vec<u8>>> {
        if let Some(hit) = self.memory.as_ref().and_then(|m| lock(m).get(key).cloned()) {
            return Some(hit);
        }
        let data = std::fs::read(self.path(key)?).ok()?;
        let (sum, bytes) = data.split_at_checked(32)?;
        (sum == Sha256::digest(bytes).as_slice()).then(|| Arc::new(bytes.to_vec()))
    }

    fn path(&self, key: &Key) -> Option<PathBuf> {
        let hex = crate::digest::hex(key);
        Some(self.dir.as_ref()?.join(&hex[..2]).join(hex))
    }

    /// Keeps `bytes` under `key` on disk (when kept on disk); a failure is
    /// remembered ([`Blobs::error`]), not fatal.
    pub fn put(&self, key: &Key, bytes: &[u8]) {
        let Some(path) = self.path(key) else { return };
        let result = (|| {
            let dir = path.parent().unwrap_or(&path);
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            std::io::Write::write_all(&mut tmp, &Sha256::digest(bytes))?;
            std::io::Write::write_all(&mut tmp, bytes)?;
            tmp.persist(&path).map(drop).map_err(|e| e.error)
        })();
        if let Err(e) = result {
            lock(&self.error).get_or_insert_with(|| format!("{}: {e}", path.display()));
        }
    }

    /// True when files are kept on disk (`build --cache DIR`).
    pub fn on_disk_only(&self) -> bool {
        self.dir.is_some() && self.memory.is_none()
    }

    /// Drops from memory every entry whose key is not in `keep`.
    pub fn retain(&self, keep: &std::collections::HashSet<Key>) {
        if let Some(m) = &self.memory {
            lock(m).retain(|k, _| keep.contains(k));
        }
    }

    /// The first error writing to disk, if any (builds go on without it).
    pub fn error(&self) -> Option<String> {
        lock(&self.error).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_entries_survive_and_altered_ones_are_remade() {
        let tmp = tempfile::tempdir().unwrap();
        let key = [7u8; 32];
        let blobs = Blobs::on_disk(tmp.path());
        let made = blobs
            .get_or(&key, || Ok::<_, ()>(b"%PDF-1".to_vec()))
            .unwrap();
        assert_eq!(made.as_slice(), b"%PDF-1");
        let again = Blobs::on_disk(tmp.path());
        let hit = again.get_or(&key, || Err("not kept")).unwrap();
        assert_eq!(hit.as_slice(), b"%PDF-1");
        let path = again.path(&key).unwrap();
        let mut data = std::fs::read(&path).unwrap();
        *data.last_mut().unwrap() = b'X';
        std::fs::write(&path, data).unwrap();
        assert!(again.get_or(&key, || Err("remade")).is_err());
        assert_eq!(again.error(), None);
    }

    #[test]
    fn memory_entries_are_kept_until_dropped() {
        let blobs = Blobs::new(true);
        let key = [1u8; 32];
        blobs.get_or(&key, || Ok::<_, ()>(vec![1])).unwrap();
        assert_eq!(*blobs.get_or(&key, || Err(())).unwrap(), vec![1]);
        blobs.retain(&Default::default());
        assert!(blobs.get_or(&key, || Err(())).is_err());
    }
}
