//! Incremental rebuilds: everything `serve` and `build --cache` reuse from
//! one build to the next, and the keys it is found by.
//!
//! A [`Rebuild`] owns, across builds:
//! - the documents parsed by earlier loads (`content`'s load cache: a file
//!   whose bytes, config and cascades are unchanged is not parsed again,
//!   and not even read while its stat stamp is unchanged and settled);
//! - the history read from git (kept while HEAD, the config and the set of
//!   documents are unchanged);
//! - the rendered document pages and listings, each document's template
//!   value and view key, and the last search index (merged again only for
//!   the documents that changed) ([`pages`]); under `build --cache DIR`
//!   ([`Rebuild::on_disk`]), the rendered document pages and listings
//!   only, on disk ([`disk`]), and nothing in memory;
//! - highlighted code blocks ([`blocks::Blocks`]) and rendered files such as PDFs
//!   ([`crate::blobs`]), in memory (serve) or on disk (`build --cache DIR`, which
//!   also reuses the output the last build replaced): the
//!   [`crate::highlight::Highlighter`] holds them.
//!
//! Every key is a SHA-256 over typed inputs ([`KeyHasher`]): the config's
//! [`fingerprint`](crate::config::SiteConfig::fingerprint) (trust.yaml's
//! text and the files read beside it), each build option field by field,
//! source hashes, theme and highlighter versions; never a `Debug` string.
//! A rebuild must give the bytes and warnings of a cold build of the same
//! input: the tests beside this module check that after every kind of
//! change (edit, add, delete, rename, visibility, config, theme).

pub mod blocks;
pub(crate) mod disk;
pub(crate) mod pages;
#[cfg(test)]
mod tests;

pub use crate::digest::{Key, KeyHasher};
pub(crate) use pages::{DocPage, Keys, Page};

use crate::search::Merged;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// What one build keeps for the next (serve): pass the same one to
/// [`crate::site::load_with`] and [`crate::site::render_with`] every time.
#[derive(Default)]
pub struct Rebuild {
    pub(crate) content: crate::content::LoadCache,
    pub(crate) history: crate::versions::Cache,
    docs: Mutex<HashMap<Key, Arc<DocPage>>>,
    pages: Mutex<HashMap<Key, Arc<Page>>>,
    values: Mutex<HashMap<Key, tera::Value>>,
    /// View key of each document key.
    views: Mutex<HashMap<Key, Key>>,
    used: Mutex<HashSet<Key>>,
    /// The last search index: the document pages it merged, in order.
    search: Mutex<Option<(Vec<Arc<DocPage>>, Merged)>>,
    /// Nothing is kept in memory (`build --cache`: one build per process).
    no_memory: bool,
    /// Document pages and listings kept on disk (`build --cache DIR`).
    disk: Option<disk::Disk>,
}

impl Rebuild {
    /// Nothing kept yet; pages are kept in memory (serve).
    pub fn new() -> Self {
        Rebuild::default()
    }

    /// Keeps rendered document pages and listings in `dir` (`build --cache
    /// DIR`: the `pages` folder inside it), and nothing in memory.
    pub fn on_disk(dir: &std::path::Path) -> Self {
        Rebuild {
            no_memory: true,
            disk: Some(disk::Disk::new(dir)),
            ..Rebuild::default()
        }
    }

    /// (pages replayed from disk, pages written to disk) so far.
    #[cfg(test)]
    pub fn disk_counts(&self) -> (usize, usize) {
        self.disk.as_ref().map_or((0, 0), disk::Disk::counts)
    }

    /// The first error writing a page to disk, if any (the build goes on).
    pub fn cache_error(&self) -> Option<String> {
        self.disk.as_ref().and_then(disk::Disk::error)
    }
}
