//! Rendered pages kept across rebuilds: document pages (with what their
//! rendering found: search entry, heading ids, anchors to check, warnings),
//! the big listings (home, categories, tags), the template value and view
//! key of each document, and the last search index.
//!
//! Keys ([`Keys`]) are SHA-256s over typed inputs, erring on the side of
//! re-rendering: the global part covers the config (its
//! [`fingerprint`](crate::config::SiteConfig::fingerprint)), every build
//! option, every theme file, the highlighter's version, the site view and
//! each document's path, visibility and URL, every content file, copy and
//! generated page (so link resolution is covered); a document's key adds
//! its source path and source hash; a listing's key adds its name,
//! introduction and the view keys of the documents it lists (a view key is
//! the SHA-256 of the document's view as templates see it, kept by
//! document key: listings never see bodies). After one edit only that
//! document renders again, and the listings showing it only when its view
//! (title, summary, status, ...) changed. Entries no rebuild used are
//! dropped ([`Rebuild::sweep`]).
//!
//! Under `build --cache DIR` ([`Rebuild::on_disk`]) nothing is kept in
//! memory: document pages and listings are kept on disk ([`super::disk`]),
//! by keys that add the entry format and the running binary to the keys
//! above, and a document page's key also its view key ([`Keys::disk`]).

use super::{Key, KeyHasher, Rebuild};
use crate::diag::Diagnostic;
use crate::search::{DocEntry, Merged};
use crate::site::Ctx;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// One rendered output file.
pub(crate) struct Page {
    /// The file's bytes (shared with the sink under serve).
    pub bytes: crate::output::SharedBytes,
    /// Their SHA-256 (hex).
    pub sha: String,
}

/// What rendering one document page produced.
pub(crate) struct DocPage {
    /// Output path.
    pub path: String,
    /// Source of the document (names it in messages).
    pub source: String,
    /// The page; None when its template failed (never kept then).
    pub page: Option<Page>,
    /// Its search-index entry.
    pub entry: DocEntry,
    /// Heading ids on the page.
    pub ids: HashSet<String>,
    /// Anchors in other documents to check: (doc, anchor, line, col).
    pub checks: Vec<(usize, String, usize, usize)>,
    /// Content files (outside bundles) the page links to or embeds.
    pub needs: Vec<String>,
    /// Warnings found rendering it.
    pub diags: Vec<Diagnostic>,
}

impl Rebuild {
    /// Document `i`'s kept page, from memory, else from disk (`emit` is
    /// given it with its bytes first: a page replayed from disk keeps them
    /// only when pages are also kept in memory).
    pub(crate) fn doc(
        &self,
        keys: &Keys,
        i: usize,
        emit: impl FnOnce(&DocPage),
    ) -> Option<Arc<DocPage>> {
        if let Some(key) = keys.doc(i)
            && let Some(hit) = self.hit(&self.docs, &key)
        {
            emit(&hit);
            return Some(hit);
        }
        let found = self.disk.as_ref()?.get(&keys.disk(i)?)?;
        emit(&found);
        Some(self.remember(keys, i, found))
    }

    /// Keeps document `i`'s freshly rendered page (with its bytes) on disk
    /// and in memory, as this cache keeps pages; returns it (without its
    /// bytes when it is kept in memory nowhere).
    pub(crate) fn keep_doc(&self, keys: &Keys, i: usize, page: DocPage) -> Arc<DocPage> {
        if let (Some(disk), Some(key)) = (&self.disk, keys.disk(i)) {
            disk.put(&key, &page);
        }
        self.remember(keys, i, page)
    }

    fn remember(&self, keys: &Keys, i: usize, mut page: DocPage) -> Arc<DocPage> {
        match keys.doc(i) {
            Some(key) if !self.no_memory => {
                let page = Arc::new(page);
                self.keep(&self.docs, key, Arc::clone(&page));
                page
            }
            _ => {
                page.page = None;
                Arc::new(page)
            }
        }
    }

    /// The template value of the document with `key`, made by `make` once.
    pub(crate) fn value(&self, key: Key, make: impl FnOnce() -> tera::Value) -> tera::Value {
        self.once(&self.values, key, make)
    }

    /// The view key of the document with `key`, made by `make` once.
    fn view_key(&self, key: Key, make: impl FnOnce() -> Key) -> Key {
        self.once(&self.views, key, make)
    }

    /// The listing page kept under `key`: from memory, else from disk.
    pub(crate) fn page(&self, key: &Key) -> Option<Arc<Page>> {
        if let Some(hit) = self.hit(&self.pages, key) {
            return Some(hit);
        }
        let found = self.disk.as_ref()?.get(&listing_on_disk(key)?)?;
        let page = Arc::new(found.page?);
        self.keep(&self.pages, *key, Arc::clone(&page));
        Some(page)
    }

    /// Keeps a listing page under `key`, in memory and on disk as this
    /// cache keeps pages.
    pub(crate) fn keep_page(&self, key: Key, page: Arc<Page>) {
        if let (Some(disk), Some(on_disk)) = (&self.disk, listing_on_disk(&key)) {
            let kept = DocPage {
                path: String::new(),
                source: String::new(),
                page: Some(Page {
                    bytes: Arc::clone(&page.bytes),
                    sha: page.sha.clone(),
                }),
                entry: DocEntry::default(),
                ids: HashSet::new(),
                checks: Vec::new(),
                needs: Vec::new(),
                diags: Vec::new(),
            };
            disk.put(&on_disk, &kept);
        }
        self.keep(&self.pages, key, page);
    }

    /// The entry of `map` under `key` (marked used this build), if any
    /// (never when nothing is kept in memory).
    fn hit<V: Clone>(&self, map: &Mutex<HashMap<Key, V>>, key: &Key) -> Option<V> {
        if self.no_memory {
            return None;
        }
        let hit = lock(map).get(key).cloned()?;
        lock(&self.used).insert(*key);
        Some(hit)
    }

    /// Keeps `value` in `map` under `key` (marked used this build); not
    /// when nothing is kept in memory.
    fn keep<V>(&self, map: &Mutex<HashMap<Key, V>>, key: Key, value: V) {
        if self.no_memory {
            return;
        }
        lock(&self.used).insert(key);
        lock(map).insert(key, value);
    }

    /// The entry of `map` under `key`, made by `make` and kept when absent.
    fn once<V: Clone>(
        &self,
        map: &Mutex<HashMap<Key, V>>,
        key: Key,
        make: impl FnOnce() -> V,
    ) -> V {
        if let Some(v) = self.hit(map, &key) {
            return v;
        }
        let v = make();
        self.keep(map, key, v.clone());
        v
    }

    /// The search index of `docs` (this build's document pages, in order):
    /// when at most a quarter of them are not the pages the last index
    /// merged, only those are merged again. Nothing is kept when nothing
    /// is kept in memory.
    pub(crate) fn search_index(&self, docs: Vec<Arc<DocPage>>) -> String {
        let entries: Vec<&DocEntry> = docs.iter().map(|d| &d.entry).collect();
        if self.no_memory {
            return crate::search::merge(&entries);
        }
        let mut last = lock(&self.search);
        let merged = match last.take() {
            Some((old, mut merged)) if old.len() == docs.len() => {
                let changed: Vec<usize> = (0..docs.len())
                    .filter(|&i| !Arc::ptr_eq(&old[i], &docs[i]))
                    .collect();
                if changed.len() * 4 <= docs.len() {
                    for i in changed {
                        merged.replace(i, &old[i].entry, &docs[i].entry);
                    }
                    merged
                } else {
                    Merged::new(&entries)
                }
            }
            _ => Merged::new(&entries),
        };
        let json = merged.json(&entries);
        *last = Some((docs, merged));
        json
    }

    /// Drops every page entry the build since the last sweep did not use,
    /// in memory and on disk.
    pub(crate) fn sweep(&self) {
        // Without the binary's identity nothing was read or written.
        if let (Some(disk), Some(_)) = (&self.disk, super::disk::binary()) {
            disk.sweep();
        }
        let used = std::mem::take(&mut *lock(&self.used));
        lock(&self.docs).retain(|k, _| used.contains(k));
        lock(&self.pages).retain(|k, _| used.contains(k));
        lock(&self.values).retain(|k, _| used.contains(k));
        lock(&self.views).retain(|k, _| used.contains(k));
    }
}

/// How many document pages and other pages `cache` holds (tests).
#[cfg(test)]
pub(super) fn kept(cache: &Rebuild) -> (usize, usize) {
    (lock(&cache.docs).len(), lock(&cache.pages).len())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The keys of one build: global, and per shown document its key and the
/// key of its view.
pub(crate) struct Keys {
    global: KeyHasher,
    docs: Vec<Option<Key>>,
    views: Vec<Option<Key>>,
    /// Per shown document, the key of its page on disk (empty when pages
    /// are not kept on disk).
    disk: Vec<Option<Key>>,
}

impl Keys {
    /// Keys for the build in `ctx` (documents not shown have none); view
    /// keys come from `cache` when it has them.
    pub fn new(ctx: &Ctx, cache: &Rebuild) -> Keys {
        let loaded = ctx.loaded;
        let mut h = KeyHasher::new("pages");
        h.field(loaded.config.fingerprint);
        // The one field changed after loading (`check --warn-days`).
        h.number(loaded.config.review.warn_days.unsigned_abs());
        options(&mut h, ctx.opts);
        h.field(ctx.theme.fingerprint)
            .field(crate::highlight::VERSION)
            .field(serde_json::to_vec(&ctx.site).unwrap_or_default())
            .optional(loaded.history.head.as_deref());
        h.number(loaded.content.documents.len() as u64);
        for (d, v) in loaded.content.documents.iter().zip(&ctx.views) {
            h.field(&d.source)
                .field(d.visibility.as_str())
                .optional(v.as_ref().map(|v| v.url.as_str()));
        }
        // Introductions: their `cascade` fills documents' fields.
        let intros = loaded
            .content
            .home
            .iter()
            .chain(loaded.content.intros.values());
        h.list(
            intros
                .flat_map(|d| [d.source.as_str(), d.sha256.as_str()])
                .collect::<Vec<_>>()
                .iter(),
        );
        // Links resolve against every file, copy and generated page too.
        h.list(loaded.content.assets.iter().map(|a| a.rel.as_str()));
        h.list(loaded.content.copies.iter());
        h.list(ctx.links.pages().iter());
        let docs: Vec<Option<Key>> = loaded
            .content
            .documents
            .iter()
            .zip(&ctx.views)
            .map(|(d, v)| {
                v.as_ref().map(|_| {
                    let mut k = h.clone();
                    k.field("document").field(&d.source).field(&d.sha256);
                    k.finish()
                })
            })
            .collect();
        let views = view_keys(ctx, cache, &docs);
        let disk = match (&cache.disk, super::disk::binary()) {
            (Some(_), Some(binary)) => disk_keys(ctx, binary, &docs, &views),
            _ => Vec::new(),
        };
        Keys {
            global: h,
            docs,
            views,
            disk,
        }
    }

    /// The key of document `i`'s page on disk (None when it is not shown
    /// or pages are not kept on disk).
    pub fn disk(&self, i: usize) -> Option<Key> {
        self.disk.get(i).copied().flatten()
    }

    /// Document `i`'s key (None when it is not shown).
    pub fn doc(&self, i: usize) -> Option<Key> {
        self.docs.get(i).copied().flatten()
    }

    /// The key of document `i`'s view (None when it is not shown).
    pub fn view(&self, i: usize) -> Option<Key> {
        self.views.get(i).copied().flatten()
    }

    /// The key of a page made from `parts` and the listed documents' keys.
    pub fn listing(&self, parts: &[&[u8]], docs: impl Iterator<Item = Option<Key>>) -> Key {
        let mut h = self.global.clone();
        h.field("listing").list(parts.iter());
        for d in docs {
            h.optional(d);
        }
        h.finish()
    }
}

/// Every build option, field by field (a new option fails to compile here
/// until it is keyed). The build instant is not keyed itself: pages see it
/// only as the site view's `build_date` (keyed with the site view), and
/// through embargoes deciding what is shown (keyed with every document's
/// URL); keying the instant would make every build without a pinned time
/// (`--today`, `SOURCE_DATE_EPOCH`) render everything again
/// (`tests::disk_kept_pages_are_replayed_at_another_time_of_the_same_day`).
fn options(h: &mut KeyHasher, opts: &crate::site::BuildOptions) {
    let crate::site::BuildOptions {
        today,
        build_time: _,
        base_url,
        drafts,
        internal,
        search,
        evidence,
    } = opts;
    let crate::site::Evidence {
        signer,
        preview,
        validate_only,
    } = evidence;
    h.field(today.to_string())
        .optional(base_url.as_deref())
        .flag(*drafts)
        .flag(*internal)
        .flag(*search)
        .optional(signer.as_ref().map(|s| s.fingerprint()))
        .flag(*preview)
        .flag(*validate_only);
}

/// The key of each shown document's page on disk: its document key, its
/// view key (the view is everything the page shows besides the body and
/// the site: review status for today, versions read from git, PDF link,
/// ...; the document key covers it too, the view key in case a new input
/// of views is not keyed there), the number of documents sharing the
/// search index's text budget, the entry format and the running binary
/// ([`super::disk::binary`]: a rebuilt trustsite does not replay pages an
/// older one rendered).
fn disk_keys(
    ctx: &Ctx,
    binary: &Key,
    docs: &[Option<Key>],
    views: &[Option<Key>],
) -> Vec<Option<Key>> {
    let searchable = ctx.views.iter().flatten().filter(|v| !v.restricted).count();
    let mut h = KeyHasher::new("kept page");
    h.number(u64::from(super::disk::FORMAT))
        .field(binary)
        .number(searchable as u64);
    (docs.iter().zip(views))
        .map(|(doc, view)| {
            let (doc, view) = (doc.as_ref()?, view.as_ref()?);
            Some(h.clone().field(doc).field(view).finish())
        })
        .collect()
}

/// The key on disk of the listing page with `key` (its inputs, see
/// [`Keys::listing`]), with the entry format and the running binary.
fn listing_on_disk(key: &Key) -> Option<Key> {
    let binary = super::disk::binary()?;
    let mut h = KeyHasher::new("kept listing");
    h.number(u64::from(super::disk::FORMAT))
        .field(binary)
        .field(key);
    Some(h.finish())
}

/// Each shown document's view key: the SHA-256 of its view serialized, kept
/// by document key (the document key covers everything a view is made of:
/// the document, config, URLs and today).
fn view_keys(ctx: &Ctx, cache: &Rebuild, docs: &[Option<Key>]) -> Vec<Option<Key>> {
    use rayon::prelude::*;
    (docs.par_iter().zip(&ctx.views))
        .map(|(key, view)| {
            let (key, view) = (key.as_ref()?, view.as_ref()?);
            Some(cache.view_key(*key, || {
                Sha256::digest(serde_json::to_vec(view).unwrap_or_default()).into()
            }))
        })
        .collect()
}
