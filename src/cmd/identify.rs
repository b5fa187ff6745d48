//! `trustsite identify FILE`: which published document and version a file is.
//!
//! Hashes the file (SHA-256 of its bytes, as `sha256sum` does) and looks it
//! up in a manifest: `--manifest` names a copy of a site's `manifest.json`;
//! otherwise `--site` (default `.`) is either a built output folder (its
//! `manifest.json` is read) or a site root, which is rendered in memory, with
//! its git history, to get the manifest a build would write. Every current
//! document and every version in `documents[].versions[]` is compared, so an
//! old copy received under NDA is recognised as long as it was committed.
//! No network: a manifest on another host is downloaded first.

use crate::manifest::Manifest;
use crate::output::Sink;
use crate::term::Exit;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// `identify` options.
#[derive(Debug)]
pub struct Options {
    /// The file to identify.
    pub file: PathBuf,
    /// `--site`: a site root or a built output folder (default: .).
    pub site: Option<PathBuf>,
    /// `--manifest`: a copy of a site's manifest.json.
    pub manifest: Option<PathBuf>,
}

/// Keeps only `manifest.json` of a render.
#[derive(Default)]
struct ManifestSink(Mutex<Option<Vec<u8>>>);

impl Sink for ManifestSink {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        if path == crate::manifest::FILE {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes.to_vec());
        }
        Ok(())
    }
}

/// One match of a hash in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Document id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version label (empty when unversioned).
    pub version: String,
    /// True for the text the site publishes now.
    pub current: bool,
    /// Commit of the version (empty for the published file itself).
    pub commit: String,
    /// Date of the commit (may be empty).
    pub date: String,
    /// Page of that version (absolute URL, may be empty).
    pub url: String,
}

/// Every document and version of `m` whose source hash is `sha`.
pub fn find(m: &Manifest, sha: &str) -> Vec<Match> {
    let mut out = Vec::new();
    for d in &m.documents {
        let current_version = d.version.clone().unwrap_or_default();
        if d.source_sha256 == sha {
            out.push(Match {
                id: d.id.clone(),
                title: d.title.clone(),
                version: current_version.clone(),
                current: true,
                commit: String::new(),
                date: String::new(),
                url: d.url.clone(),
            });
        }
        for v in d.versions.iter().filter(|v| v.source_sha256 == sha) {
            let current = v.version == current_version;
            if current && d.source_sha256 == sha {
                continue;
            }
            out.push(Match {
                id: d.id.clone(),
                title: d.title.clone(),
                version: v.version.clone(),
                current,
                commit: v.commit.clone(),
                date: v.date.clone(),
                url: v.url.clone().unwrap_or_default(),
            });
        }
    }
    out
}

/// `trustsite identify`.
pub fn run(args: &Options) -> Exit {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.file.display());
            return Exit::CannotRun;
        }
    };
    let sha = crate::digest::hex(&Sha256::digest(&bytes));
    let (manifest, from) = match manifest(args) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let found = find(&manifest, &sha);
    if found.is_empty() {
        println!(
            "{}: SHA-256 {sha} matches no published document or version in {from}",
            args.file.display()
        );
        return Exit::Problems;
    }
    for m in &found {
        println!("{}: {}", args.file.display(), describe(m));
    }
    Exit::Ok
}

/// One line saying what a match is.
fn describe(m: &Match) -> String {
    let version = if m.version.is_empty() {
        "unversioned".to_string()
    } else {
        format!("version {}", m.version)
    };
    let state = if m.current {
        "current".to_string()
    } else {
        "superseded".to_string()
    };
    let mut s = format!("{} ({}), {version}, {state}", m.title, m.id);
    if !m.commit.is_empty() {
        let short: String = m.commit.chars().take(12).collect();
        s.push_str(&format!(", commit {short} of {}", m.date));
    }
    if !m.url.is_empty() {
        s.push_str(&format!(", {}", m.url));
    }
    s
}

/// The manifest to search and a name for it in messages.
fn manifest(args: &Options) -> Result<(Manifest, String), Exit> {
    let path = match &args.manifest {
        Some(p) if p.to_string_lossy().contains("://") => {
            eprintln!(
                "error: --manifest {}: trustsite never goes online; download it first (`curl -fsSO {}`) and pass the file",
                p.display(),
                p.display()
            );
            return Err(Exit::CannotRun);
        }
        Some(p) => p.clone(),
        None => {
            let site = args.site.clone().unwrap_or_else(|| ".".into());
            let built = site.join(crate::manifest::FILE);
            if site.join(crate::config::CONFIG_FILE).is_file() || !built.is_file() {
                return rendered(&site).map(|m| (m, format!("the site at {}", site.display())));
            }
            built
        }
    };
    let parsed = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| Manifest::parse(&t));
    match parsed {
        Ok(m) => Ok((m, path.display().to_string())),
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            Err(Exit::CannotRun)
        }
    }
}

/// The manifest a build of the site at `root` would write.
fn rendered(root: &Path) -> Result<Manifest, Exit> {
    let when = super::time::read(None);
    let (loaded, opts) = crate::prepare::prepare(root, when, None, None)
        .map_err(crate::prepare::Unprepared::print)?;
    super::print_note(&loaded);
    let sink = ManifestSink::default();
    let hl = crate::highlight::Highlighter::new(false);
    let outcome = crate::site::render(&loaded, &opts, &hl, &sink);
    if outcome.has_errors() {
        crate::term::print_diags(&outcome.diags);
        eprintln!("error: the site at {} does not build", root.display());
        return Err(Exit::Problems);
    }
    let text = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
    text.and_then(|t| Manifest::parse(&String::from_utf8_lossy(&t)).ok())
        .ok_or_else(|| {
            eprintln!("error: the site at {} wrote no manifest", root.display());
            Exit::CannotRun
        })
}
