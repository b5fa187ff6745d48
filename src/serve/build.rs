//! Rebuilding the site in memory for the preview server.
//!
//! A [`Builder`] runs the ordinary site pipeline ([`crate::prepare::prepare`],
//! the step `build` and `check` share, then [`crate::site::render_with`], with
//! a [`crate::site::Memo`] kept across rebuilds) into a [`MemorySink`] and
//! turns the result into a
//! [`Snapshot`]: the last good site, the errors of the newest build (if it
//! failed) and a version string that changes exactly when what the browser
//! would show changes. It owns no rendering logic and writes nothing to disk.

use crate::diag::Diagnostic;
use crate::highlight::Highlighter;
use crate::output::MemorySink;
use crate::site;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every output file of a good build, by `/`-separated path (pages kept
/// by the memo share their bytes with it).
pub type Files = BTreeMap<String, crate::output::SharedBytes>;

/// What the server shows: the last good site and the newest build's errors.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The last build without errors; `None` until one succeeds.
    pub site: Option<Arc<Files>>,
    /// Errors of the newest build; empty when it succeeded.
    pub errors: Vec<Diagnostic>,
    /// Changes whenever the site or the errors change (hex).
    pub version: String,
}

/// The result of one rebuild, before it is published.
pub struct Built {
    /// The new snapshot.
    pub snapshot: Snapshot,
    /// Every problem of the build (warnings included), for the terminal.
    pub diags: Vec<Diagnostic>,
    /// How long the build took.
    pub elapsed: Duration,
}

/// What stays fixed across rebuilds.
pub struct Builder {
    root: PathBuf,
    today: Option<jiff::civil::Date>,
    clock: super::Clock,
    base_url: String,
    drafts: bool,
    internal: bool,
    hl: Highlighter,
    /// Parsed documents and rendered pages kept between rebuilds, so one
    /// edit re-renders only what it touches.
    memo: site::Memo,
    /// Fixed at the first build so that rebuilds of unchanged input are
    /// byte-identical (security.txt's Expires is derived from it).
    build_time: Option<Timestamp>,
    last_good: Option<(Arc<Files>, u64)>,
}

impl Builder {
    /// A builder for the site at `root`, linking to `base_url`, dating each
    /// rebuild with `clock`.
    pub fn new(
        args: &super::Options,
        clock: super::Clock,
        root: PathBuf,
        base_url: String,
    ) -> Self {
        Builder {
            root,
            today: args.today,
            clock,
            base_url,
            drafts: args.drafts,
            internal: args.internal,
            hl: Highlighter::new(true),
            memo: site::Memo::new(),
            build_time: None,
            last_good: None,
        }
    }

    /// Rebuilds the whole site; a failed build keeps the last good site.
    pub fn build(&mut self) -> Built {
        let started = Instant::now();
        let (output, diags) = self.render();
        let errors: Vec<Diagnostic> = diags.iter().filter(|d| d.is_error()).cloned().collect();
        if let (Some((files, hash)), true) = (output, errors.is_empty()) {
            self.last_good = Some((Arc::new(files), hash));
        }
        let site_hash = self.last_good.as_ref().map(|(_, h)| *h);
        let snapshot = Snapshot {
            site: self.last_good.as_ref().map(|(f, _)| Arc::clone(f)),
            version: version(site_hash, &errors),
            errors,
        };
        Built {
            snapshot,
            diags,
            elapsed: started.elapsed(),
        }
    }

    /// Loads and renders; the output (files and their hash) is `None` when
    /// the config could not be used.
    fn render(&mut self) -> (Option<(Files, u64)>, Vec<Diagnostic>) {
        let when = (self.clock)(self.today);
        let base_url = Some(self.base_url.clone());
        let (loaded, mut opts) =
            match crate::prepare::prepare(&self.root, when, base_url, Some(&self.memo)) {
                Ok(x) => x,
                Err(u) => return (None, u.diags),
            };
        if self.build_time.is_none()
            && let Some(note) = &loaded.history.note
        {
            eprintln!("note: {note}");
        }
        opts.build_time = *self.build_time.get_or_insert(opts.build_time);
        opts.drafts = self.drafts;
        opts.internal = self.internal;
        opts.evidence.preview = true;
        let sink = MemorySink::default();
        let outcome = site::render_with(&loaded, &opts, &self.hl, Some(&self.memo), &sink);
        let files = sink.into_shared();
        let hash = hash_files(&files, &outcome.hashes);
        (Some((files, hash)), outcome.diags)
    }
}

/// A hash over every output path and its bytes, using the SHA-256 the
/// render already computed where there is one (all but manifest.json).
fn hash_files(files: &Files, sha256: &BTreeMap<String, String>) -> u64 {
    let mut h = DefaultHasher::new();
    for (path, bytes) in files {
        path.hash(&mut h);
        match sha256.get(path) {
            Some(sha) => sha.hash(&mut h),
            None => bytes.hash(&mut h),
        }
    }
    h.finish()
}

/// The version string of a site hash plus the errors shown over it.
fn version(site: Option<u64>, errors: &[Diagnostic]) -> String {
    let mut h = DefaultHasher::new();
    site.hash(&mut h);
    errors.hash(&mut h);
    format!("{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_tracks_site_and_errors() {
        let files = |page: &str, manifest: &str| {
            let mut f = Files::new();
            f.insert("index.html".into(), Arc::new(page.as_bytes().to_vec()));
            f.insert(
                "manifest.json".into(),
                Arc::new(manifest.as_bytes().to_vec()),
            );
            let mut sha = BTreeMap::new();
            sha.insert("index.html".to_string(), format!("sha of {page}"));
            (f, sha)
        };
        let (a, sha_a) = files("one", "m");
        let ha = hash_files(&a, &sha_a);
        assert_eq!(ha, hash_files(&a.clone(), &sha_a.clone()));
        let (b, sha_b) = files("two", "m");
        assert_ne!(ha, hash_files(&b, &sha_b), "a page changed");
        let (c, sha_c) = files("one", "m2");
        assert_ne!(ha, hash_files(&c, &sha_c), "manifest.json changed");
        let err = vec![Diagnostic::error("content/x.md", 2, 1, "bad")];
        assert_eq!(version(Some(ha), &[]), version(Some(ha), &[]));
        assert_ne!(version(Some(ha), &[]), version(Some(ha), &err));
        assert_ne!(version(None, &err), version(Some(ha), &err));
    }
}
