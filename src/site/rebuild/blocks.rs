//! Highlighted code blocks kept across builds, by key: in memory (serve)
//! or on disk (`build --cache DIR`), or not at all. The
//! [`crate::highlight::Highlighter`] asks here before highlighting a block.

use super::{Key, KeyHasher};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Kept blocks: memory, disk, or neither.
#[derive(Default)]
pub struct Blocks {
    memory: Option<Mutex<HashMap<Key, String>>>,
    disk: Option<DiskCache>,
}

impl Blocks {
    /// Keeps blocks in memory when `on` (serve), else nowhere.
    pub fn in_memory(on: bool) -> Self {
        Blocks {
            memory: on.then(Mutex::default),
            disk: None,
        }
    }

    /// Keeps blocks in `dir` (created if missing).
    pub fn on_disk(dir: &Path) -> std::io::Result<Self> {
        Ok(Blocks {
            memory: None,
            disk: Some(DiskCache::open(dir)?),
        })
    }

    /// The key of a block: the highlighter's version, language and code.
    pub fn key(version: &str, lang: &str, code: &str) -> Key {
        KeyHasher::new("block")
            .field(version)
            .field(lang)
            .field(code)
            .finish()
    }

    /// True when nothing is kept.
    pub fn is_off(&self) -> bool {
        self.memory.is_none() && self.disk.is_none()
    }

    /// The kept HTML of `key`.
    pub fn get(&self, key: &Key) -> Option<String> {
        if let Some(m) = &self.memory
            && let Some(hit) = m.lock().unwrap_or_else(|e| e.into_inner()).get(key)
        {
            return Some(hit.clone());
        }
        self.disk.as_ref().and_then(|d| d.get(key))
    }

    /// Keeps `html` under `key`.
    pub fn put(&self, key: &Key, html: &str) {
        if let Some(m) = &self.memory {
            let mut map = m.lock().unwrap_or_else(|e| e.into_inner());
            map.insert(*key, html.to_string());
        }
        if let Some(disk) = &self.disk {
            disk.put(key, html);
        }
    }

    /// The first error writing the disk cache, if any (the build goes on).
    pub fn error(&self) -> Option<String> {
        self.disk.as_ref().and_then(DiskCache::error)
    }
}

/// Highlighted blocks on disk: one file per block, `DIR/ab/abcd…` (the hex
/// cache key), holding the SHA-256 of the HTML on its first line and the HTML
/// after it. Files are written aside and renamed into place, so concurrent
/// builds and interrupted ones never leave a torn entry; an entry whose hash
/// does not match is ignored and rewritten. The folder is as trusted as the
/// site's own files (its HTML goes into pages as it is): keep it beside them.
pub struct DiskCache {
    dir: PathBuf,
    error: Mutex<Option<String>>,
}

impl DiskCache {
    /// Opens (creating) the cache folder.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(DiskCache {
            dir: dir.to_path_buf(),
            error: Mutex::new(None),
        })
    }

    pub(crate) fn path(&self, key: &[u8; 32]) -> PathBuf {
        let hex = crate::digest::hex(key);
        self.dir.join(&hex[..2]).join(hex)
    }

    /// The cached HTML of `key`, if present and intact.
    pub fn get(&self, key: &[u8; 32]) -> Option<String> {
        let text = std::fs::read_to_string(self.path(key)).ok()?;
        let (sum, html) = text.split_once('\n')?;
        (sum == crate::digest::hex(&Sha256::digest(html))).then(|| html.to_string())
    }

    /// Stores `html` under `key`; a failure is remembered, not fatal.
    pub fn put(&self, key: &[u8; 32], html: &str) {
        let path = self.path(key);
        let sum = crate::digest::hex(&Sha256::digest(html));
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let dir = path.parent().unwrap_or(&self.dir);
                let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
                std::io::Write::write_all(&mut tmp, format!("{sum}\n{html}").as_bytes())?;
                tmp.persist(&path).map(drop).map_err(|e| e.error)
            });
        if let Err(e) = result {
            let mut first = self.error.lock().unwrap_or_else(|e| e.into_inner());
            first.get_or_insert_with(|| format!("{}: {e}", self.dir.display()));
        }
    }

    pub(crate) fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
