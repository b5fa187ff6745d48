//! Rebuilding the site in memory for the preview server.
//!
//! A [`Builder`] runs the ordinary site pipeline ([`crate::site::load`] and
//! [`crate::site::render`]) into a [`MemorySink`] and turns the result into a
//! [`Snapshot`]: the last good site, the errors of the newest build (if it
//! failed) and a version string that changes exactly when what the browser
//! would show changes. It owns no rendering logic and writes nothing to disk.

use crate::config::ConfigError;
use crate::diag::Diagnostic;
use crate::highlight::Highlighter;
use crate::output::MemorySink;
use crate::site::{self, BuildOptions};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every output file of a good build, by `/`-separated path.
pub type Files = BTreeMap<String, Vec<u8>>;

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
    today: Option<Date>,
    base_url: String,
    drafts: bool,
    internal: bool,
    hl: Highlighter,
    /// Fixed at the first build so that rebuilds of unchanged input are
    /// byte-identical (security.txt's Expires is derived from it).
    build_time: Option<Timestamp>,
    last_good: Option<(Arc<Files>, u64)>,
}

impl Builder {
    /// A builder for the site at `root`, linking to `base_url`.
    pub fn new(args: &crate::cli::ServeArgs, root: PathBuf, base_url: String) -> Self {
        Builder {
            root,
            today: args.site.today,
            base_url,
            drafts: args.drafts,
            internal: args.internal,
            hl: Highlighter::new(true),
            build_time: None,
            last_good: None,
        }
    }

    /// Rebuilds the whole site; a failed build keeps the last good site.
    pub fn build(&mut self) -> Built {
        let started = Instant::now();
        let (files, diags) = self.render();
        let errors: Vec<Diagnostic> = diags.iter().filter(|d| d.is_error()).cloned().collect();
        if let (Some(files), true) = (files, errors.is_empty()) {
            let hash = hash_files(&files);
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

    /// Loads and renders; files are `None` when the config could not be used.
    fn render(&mut self) -> (Option<Files>, Vec<Diagnostic>) {
        let loaded = match site::load(&self.root) {
            Ok(l) => l,
            Err(e) => return (None, config_diags(e)),
        };
        let (now, today) = match crate::cli_time::resolve(self.today, &loaded.config.timezone) {
            Ok(x) => x,
            Err(e) => {
                return (
                    None,
                    vec![Diagnostic::error(crate::config::CONFIG_FILE, 0, 0, e)],
                );
            }
        };
        let opts = BuildOptions {
            today,
            build_time: *self.build_time.get_or_insert(now),
            base_url: Some(self.base_url.clone()),
            drafts: self.drafts,
            internal: self.internal,
        };
        let sink = MemorySink::default();
        let outcome = site::render(&loaded, &opts, &self.hl, &sink);
        (Some(sink.into_files()), outcome.diags)
    }
}

/// A config problem as diagnostics.
fn config_diags(e: ConfigError) -> Vec<Diagnostic> {
    match e {
        ConfigError::Invalid(diags) => diags,
        unreadable @ ConfigError::Unreadable { .. } => {
            vec![Diagnostic::error(
                crate::config::CONFIG_FILE,
                0,
                0,
                unreadable.to_string(),
            )]
        }
    }
}

/// A hash over every output path and its bytes.
fn hash_files(files: &Files) -> u64 {
    let mut h = DefaultHasher::new();
    files.hash(&mut h);
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
        let mut a = Files::new();
        a.insert("index.html".into(), b"one".to_vec());
        let mut b = a.clone();
        assert_eq!(hash_files(&a), hash_files(&b));
        b.insert("index.html".into(), b"two".to_vec());
        assert_ne!(hash_files(&a), hash_files(&b));
        let err = vec![Diagnostic::error("content/x.md", 2, 1, "bad")];
        let ha = Some(hash_files(&a));
        assert_eq!(version(ha, &[]), version(ha, &[]));
        assert_ne!(version(ha, &[]), version(ha, &err));
        assert_ne!(version(None, &err), version(ha, &err));
    }
}
