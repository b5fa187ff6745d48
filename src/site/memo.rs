//! Work kept across `serve` rebuilds: parsed documents, rendered document
//! pages and the big listings (home, categories, tags).
//!
//! A [`Memo`] maps a key to what rendering produced: bytes, SHA-256 and, for
//! a document page, its search entry, heading ids, anchors to check and
//! warnings (replayed on every rebuild, so the terminal still shows them).
//! Keys are SHA-256s over everything an output may depend on, erring on the
//! side of re-rendering: the global part ([`Keys::new`]) covers the whole
//! config, the build options, every theme file, the site view and each
//! document's path, visibility and URL (so link resolution is covered); a
//! document's key adds its source path and source hash; a listing's key adds
//! its name, introduction and the view keys of the documents it lists (a
//! view key is the SHA-256 of the document's view as templates see it,
//! memoized by document key: listings never see bodies). After one edit only
//! that document renders again, and the listings showing it only when its
//! view (title, summary, status, ...) changed.
//! Entries no rebuild used are dropped ([`Memo::sweep`]). `build` and `check`
//! never use a memo: a build is always cold.

use super::Ctx;
use crate::diag::Diagnostic;
use crate::search::{DocEntry, Merged};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// A memo key.
pub(crate) type Key = [u8; 32];

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

/// Parsed documents and rendered pages kept across rebuilds (serve): pass
/// the same one to [`super::load_with`] and [`super::render_with`] every time.
#[derive(Default)]
pub struct Memo {
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
}

impl Memo {
    /// An empty memo.
    pub fn new() -> Self {
        Memo::default()
    }

    pub(crate) fn doc(&self, key: &Key) -> Option<Arc<DocPage>> {
        let hit = lock(&self.docs).get(key).cloned()?;
        lock(&self.used).insert(*key);
        Some(hit)
    }

    pub(crate) fn keep_doc(&self, key: Key, doc: Arc<DocPage>) {
        lock(&self.used).insert(key);
        lock(&self.docs).insert(key, doc);
    }

    /// The template value of the document with `key`, made by `make` once.
    pub(crate) fn value(&self, key: Key, make: impl FnOnce() -> tera::Value) -> tera::Value {
        lock(&self.used).insert(key);
        if let Some(v) = lock(&self.values).get(&key) {
            return v.clone();
        }
        let v = make();
        lock(&self.values).insert(key, v.clone());
        v
    }

    /// The view key of the document with `key`, made by `make` once.
    fn view_key(&self, key: Key, make: impl FnOnce() -> Key) -> Key {
        lock(&self.used).insert(key);
        if let Some(v) = lock(&self.views).get(&key) {
            return *v;
        }
        let v = make();
        lock(&self.views).insert(key, v);
        v
    }

    pub(crate) fn page(&self, key: &Key) -> Option<Arc<Page>> {
        let hit = lock(&self.pages).get(key).cloned()?;
        lock(&self.used).insert(*key);
        Some(hit)
    }

    pub(crate) fn keep_page(&self, key: Key, page: Arc<Page>) {
        lock(&self.used).insert(key);
        lock(&self.pages).insert(key, page);
    }

    /// The search index of `docs` (this build's document pages, in order):
    /// when at most a quarter of them are not the pages the last index
    /// merged, only those are merged again.
    pub(crate) fn search_index(&self, docs: Vec<Arc<DocPage>>) -> String {
        let entries: Vec<&DocEntry> = docs.iter().map(|d| &d.entry).collect();
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

    /// Drops every entry the build since the last sweep did not use.
    pub(crate) fn sweep(&self) {
        let used = std::mem::take(&mut *lock(&self.used));
        lock(&self.docs).retain(|k, _| used.contains(k));
        lock(&self.pages).retain(|k, _| used.contains(k));
        lock(&self.values).retain(|k, _| used.contains(k));
        lock(&self.views).retain(|k, _| used.contains(k));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The keys of one build: global, and per shown document its key and the
/// key of its view.
pub(crate) struct Keys {
    global: Key,
    docs: Vec<Option<Key>>,
    views: Vec<Option<Key>>,
}

impl Keys {
    /// Keys for the build in `ctx` (documents not shown have none); view
    /// keys come from `memo` when it has them.
    pub fn new(ctx: &Ctx, memo: &Memo) -> Keys {
        let mut h = Sha256::new();
        let loaded = ctx.loaded;
        field(&mut h, format!("{:?}", loaded.config).as_bytes());
        field(&mut h, format!("{:?}", ctx.opts).as_bytes());
        field(&mut h, &ctx.theme.fingerprint);
        field(&mut h, crate::highlight::VERSION.as_bytes());
        field(&mut h, &serde_json::to_vec(&ctx.site).unwrap_or_default());
        field(
            &mut h,
            loaded.history.head.as_deref().unwrap_or("").as_bytes(),
        );
        for (d, v) in loaded.content.documents.iter().zip(&ctx.views) {
            field(&mut h, d.source.as_bytes());
            field(&mut h, d.visibility.as_str().as_bytes());
            field(&mut h, v.as_ref().map_or("", |v| v.url.as_str()).as_bytes());
        }
        // Links resolve against every file, copy and generated page too.
        for a in &loaded.content.assets {
            field(&mut h, a.rel.as_bytes());
        }
        for c in &loaded.content.copies {
            field(&mut h, c.as_bytes());
        }
        field(&mut h, format!("{:?}", ctx.links.pages()).as_bytes());
        let global: Key = h.finalize().into();
        let docs: Vec<Option<Key>> = loaded
            .content
            .documents
            .iter()
            .zip(&ctx.views)
            .map(|(d, v)| {
                v.as_ref()
                    .map(|_| key(&global, &[d.source.as_bytes(), d.sha256.as_bytes()]))
            })
            .collect();
        let views = view_keys(ctx, memo, &docs);
        Keys {
            global,
            docs,
            views,
        }
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
        let mut h = Sha256::new();
        h.update(self.global);
        for p in parts {
            field(&mut h, p);
        }
        for d in docs {
            field(&mut h, &d.unwrap_or_default());
        }
        h.finalize().into()
    }
}

/// Each shown document's view key: the SHA-256 of its view serialized, kept
/// by document key (the document key covers everything a view is made of:
/// the document, config, URLs and today).
fn view_keys(ctx: &Ctx, memo: &Memo, docs: &[Option<Key>]) -> Vec<Option<Key>> {
    use rayon::prelude::*;
    (docs.par_iter().zip(&ctx.views))
        .map(|(key, view)| {
            let (key, view) = (key.as_ref()?, view.as_ref()?);
            Some(memo.view_key(*key, || {
                Sha256::digest(serde_json::to_vec(view).unwrap_or_default()).into()
            }))
        })
        .collect()
}

fn key(global: &Key, parts: &[&[u8]]) -> Key {
    let mut h = Sha256::new();
    h.update(global);
    for p in parts {
        field(&mut h, p);
    }
    h.finalize().into()
}

/// Length-prefixed, so that two different part lists never hash alike.
fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::Highlighter;
    use crate::output::MemorySink;
    use crate::site::{BuildOptions, load, render, render_with};
    use std::collections::BTreeMap;
    use std::path::Path;

    const A: &str = "---\ntitle: A\nvisibility: public\ntags: [t]\n---\nSee [b](b.md#scope).\n\n```rust\nfn a() {}\n```\n";
    const B: &str = "---\ntitle: B\nvisibility: public\ntags: [t]\n---\n## Scope\n\nText.\n";

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn build(
        root: &Path,
        memo: Option<&Memo>,
        hl: &Highlighter,
    ) -> (BTreeMap<String, Vec<u8>>, Vec<String>) {
        let loaded = match memo {
            Some(m) => crate::site::load_with(root, Some(m)).unwrap(),
            None => load(root).unwrap(),
        };
        let opts = BuildOptions {
            today: jiff::civil::date(2026, 11, 22),
            build_time: jiff::Timestamp::from_second(1_795_392_000).unwrap(),
            base_url: None,
            drafts: false,
            internal: false,
            search: true,
            evidence: Default::default(),
        };
        let sink = MemorySink::default();
        let outcome = match memo {
            Some(m) => render_with(&loaded, &opts, hl, Some(m), &sink),
            None => render(&loaded, &opts, hl, &sink),
        };
        let diags = outcome.diags.iter().map(|d| d.to_string()).collect();
        (sink.into_files(), diags)
    }

    /// Every edit kind, rebuilt with the memo, gives the cold build's bytes and warnings.
    #[test]
    fn memo_rebuilds_equal_cold_builds() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "trust.yaml",
            "title: T\nbase_url: https://t.example/\nsecurity_contact: mailto:s@t.example\n",
        );
        write(root, "content/index.md", "---\ntitle: Home\n---\nHello.\n");
        write(
            root,
            "content/policies/_index.md",
            "---\ntitle: Policies\n---\nIntro.\n",
        );
        write(root, "content/policies/a.md", A);
        write(root, "content/policies/b.md", B);
        let memo = Memo::new();
        let hl = Highlighter::new(true);
        let edits: [(&str, String); 6] = [
            ("content/policies/a.md", A.to_string()),
            ("content/policies/a.md", A.replace("See", "Read")),
            ("content/policies/b.md", B.replace("title: B", "title: Bee")),
            ("content/policies/b.md", B.replace("public", "internal")),
            ("content/policies/b.md", B.replace("## Scope", "## Range")),
            (
                "trust.yaml",
                "title: T2\nbase_url: https://t.example/sub/\n".to_string(),
            ),
        ];
        for (rel, text) in edits {
            write(root, rel, &text);
            let cold = build(root, None, &Highlighter::new(false));
            let warm = build(root, Some(&memo), &hl);
            assert_eq!(cold.1, warm.1, "warnings after editing {rel}");
            assert_eq!(
                cold.0.keys().collect::<Vec<_>>(),
                warm.0.keys().collect::<Vec<_>>()
            );
            for (path, bytes) in &cold.0 {
                assert!(warm.0[path] == *bytes, "{path} differs after editing {rel}");
            }
            assert!(!lock(&memo.docs).is_empty() && !lock(&memo.pages).is_empty());
        }
    }
}
