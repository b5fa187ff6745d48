//! manifest.json: what a build published, with SHA-256s to verify it.
//!
//! Written last by every build; read back by `verify` (re-hash the output)
//! and `check --baseline` (compare against the published release).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// File name of the manifest in the output.
pub const FILE: &str = "manifest.json";

/// The manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Site title.
    pub title: String,
    /// Absolute base URL.
    pub base_url: String,
    /// Release label.
    pub release: String,
    /// `trustsite X.Y.Z`.
    pub generator: String,
    /// Build instant, `YYYY-MM-DDTHH:MM:SSZ`.
    pub build_time: String,
    /// "Today" used for review statuses.
    pub today: String,
    /// Every published document (public and restricted).
    pub documents: Vec<ManifestDoc>,
    /// SHA-256 of every other output file, by path. Not listed: the
    /// manifest itself, its signature (`manifest.json.sig`), the output
    /// marker and the download bundle, which holds this manifest (see
    /// [`Manifest::bundle`]).
    pub files: BTreeMap<String, String>,
    /// Output path of the download bundle (`download/....zip`). The bundle
    /// contains this manifest, so its hash cannot be listed here: `verify`
    /// checks each of its entries against this manifest instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
}

/// One published document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestDoc {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Absolute URL.
    pub url: String,
    /// `public` or `restricted`.
    pub visibility: crate::frontmatter::Visibility,
    /// In audit scope (GitLab's "Visibility: Audit").
    #[serde(default)]
    pub audit_scope: bool,
    /// Version (null when absent).
    pub version: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// `YYYY-MM-DD`.
    pub last_reviewed: Option<String>,
    /// `YYYY-MM-DD`.
    pub next_due: Option<String>,
    /// Review status (`current`, `due_soon`, …).
    pub status: crate::review::ReviewStatus,
    /// SHA-256 of the source file's bytes (`sha256sum` matches).
    pub source_sha256: String,
    /// Source path relative to the site root.
    pub source: String,
    /// Every version found in git, newest first (empty without history).
    #[serde(default)]
    pub versions: Vec<ManifestVersion>,
}

/// One committed version of a published document (restricted ones too).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestVersion {
    /// Version label.
    pub version: String,
    /// Date of `commit`, `YYYY-MM-DD`.
    pub date: String,
    /// Commit whose text this version is.
    pub commit: String,
    /// SHA-256 of `git show <commit>:<path>`.
    pub source_sha256: String,
    /// In force from, `YYYY-MM-DD`.
    pub effective: String,
    /// Its page (absolute URL), for earlier public versions and the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

fn day(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl ManifestDoc {
    /// From a document view.
    pub fn from_view(v: &crate::view::DocView) -> Self {
        ManifestDoc {
            id: v.id.clone(),
            title: v.title.clone(),
            url: v.permalink.clone(),
            visibility: v.visibility,
            audit_scope: v.audit_scope,
            version: opt(&v.version),
            owner: opt(&v.owner),
            last_reviewed: v.last_reviewed.map(|d| d.to_string()),
            next_due: v.next_due.map(|d| d.to_string()),
            status: v.status,
            source_sha256: v.source_sha256.clone(),
            source: v.source_path.clone(),
            versions: (v.versions.iter())
                .filter(|x| !x.commit.is_empty())
                .map(|x| ManifestVersion {
                    version: x.version.clone(),
                    date: day(x.date),
                    commit: x.commit.clone(),
                    source_sha256: x.source_sha256.clone(),
                    effective: day(x.effective),
                    url: opt(&x.permalink),
                })
                .collect(),
        }
    }
}

impl Manifest {
    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Parses a manifest.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        serde_json::from_str(text).map_err(|e| format!("not a trustsite manifest: {e}"))
    }
}
