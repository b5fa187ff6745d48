//! `verify`: re-hash a built site against its manifest.json.
//!
//! Reads every file under the folder (manifest and marker excluded), compares
//! with the manifest's `files` map and names each file changed, added or
//! missing. Pure reading; never writes.

use crate::manifest::{FILE, Manifest};
use crate::output::MARKER;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// Problems found, one line each (empty: the site matches).
pub fn verify(dir: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(dir.join(FILE))
        .map_err(|e| format!("cannot read {}: {e}", dir.join(FILE).display()))?;
    let manifest = Manifest::parse(&text)?;
    let actual = hash_tree(dir)?;
    let mut problems = Vec::new();
    for (path, want) in &manifest.files {
        match actual.get(path) {
            None => problems.push(format!("missing: {path}")),
            Some(got) if got != want => problems.push(format!(
                "changed: {path} (sha256 {got}, manifest says {want})"
            )),
            Some(_) => {}
        }
    }
    for path in actual.keys().filter(|p| !manifest.files.contains_key(*p)) {
        problems.push(format!("added: {path}"));
    }
    Ok(problems)
}

fn hash_tree(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).map_err(|e| e.to_string())?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == FILE || rel == MARKER {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("{rel}: {e}"))?;
        out.insert(rel, crate::content::hex(&Sha256::digest(&bytes)));
    }
    Ok(out)
}
