//! The data templates and generated files see: plain serializable structs.
//!
//! `site` fills these from config, documents and rendered Markdown; the theme
//! (tera templates), feeds, sitemap, search and manifest read only these. Every
//! URL here already carries the site's base path (`/` or `/sub/path/`), so
//! templates never build URLs. Only published documents (public or
//! restricted; drafts and internal ones only under `serve --drafts/--internal`)
//! ever become a [`DocView`].

use crate::frontmatter::Visibility;
use crate::review::ReviewStatus;
use jiff::civil::Date;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Serialises a date as `YYYY-MM-DD`.
fn day<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// Serialises an optional date as `YYYY-MM-DD`, or `""` when there is none
/// (what templates and JSON outputs have always seen).
fn day_or_empty<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_str(""),
    }
}

/// Site-wide values, the same on every page (`site` in templates).
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    /// `title` from trust.yaml.
    pub title: String,
    /// Absolute base URL, always ending in `/`.
    pub base_url: String,
    /// Path part of the base URL (`/` or `/trust/`): prefix of every site URL.
    pub base_path: String,
    /// Organization name (falls back to the title).
    pub organization: String,
    /// One-paragraph description (may be empty).
    pub description: String,
    /// Release label (may be empty).
    pub release: String,
    /// `trustsite X.Y.Z`.
    pub generator: String,
    /// Build date `YYYY-MM-DD` (from SOURCE_DATE_EPOCH / --today, never a hidden clock).
    #[serde(serialize_with = "day")]
    pub build_date: Date,
    /// `today` used for review statuses, `YYYY-MM-DD`.
    #[serde(serialize_with = "day")]
    pub today: Date,
    /// Security contacts as given (`mailto:` / `https:` URIs).
    pub security_contact: Vec<String>,
    /// The first contact, for "request access" links (may be empty).
    pub request_access: String,
    /// Whether review badges/banners are shown (`review.show_on_site`).
    pub show_reviews: bool,
    /// Days before a due date that count as "due soon".
    pub warn_days: i64,
    /// A document is overdue on its due day itself (tech-docs' rule).
    pub overdue_on_due_day: bool,
    /// Main navigation: categories, frameworks, subprocessors, changes.
    pub nav: Vec<Link>,
    /// Theme assets by logical name (`style.css`, `trustsite.js`, `highlight.css`).
    pub assets: BTreeMap<String, AssetView>,
    /// URL of the search index JSON.
    pub search_index_url: String,
    /// URL of the Atom feed.
    pub feed_url: String,
    /// URL of manifest.json.
    pub manifest_url: String,
    /// URL of the download bundle (zip of public sources, manifest,
    /// signature and SHA256SUMS); empty when there is none (`serve`).
    pub bundle_url: String,
    /// URL of the OSCAL component definition; empty when there is none
    /// (`serve`).
    pub oscal_url: String,
    /// True when the build signs manifest.json.
    pub signed: bool,
    /// Preview banner text under `serve --drafts/--internal` (empty in builds).
    pub preview_banner: String,
}

/// A theme asset with a content-hashed URL and its SRI hash.
#[derive(Debug, Clone, Serialize)]
pub struct AssetView {
    /// Site URL, e.g. `/assets/style.3f2a9c1d.css`.
    pub url: String,
    /// SRI value, `sha384-...`.
    pub integrity: String,
}

/// A titled link.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    /// Link text.
    pub title: String,
    /// Site URL.
    pub url: String,
}

/// One document as templates and generators see it.
#[derive(Debug, Clone, Serialize)]
pub struct DocView {
    /// Stable id (unique).
    pub id: String,
    /// Title.
    pub title: String,
    /// Site URL (`/policies/access-control/`).
    pub url: String,
    /// Absolute URL (base_url + path).
    pub permalink: String,
    /// `public` or `restricted` (or `internal` in previews).
    pub visibility: Visibility,
    /// True when the body is withheld (restricted).
    pub restricted: bool,
    /// URL of the document's PDF (`pdf: true`, public documents only), or empty.
    pub pdf_url: String,
    /// True for a draft shown by `serve --drafts`.
    pub draft: bool,
    /// Category name, e.g. `Policies`.
    pub category: String,
    /// Category listing URL.
    pub category_url: String,
    /// Tags with their listing URLs.
    pub tags: Vec<Link>,
    /// One-sentence summary (may be empty).
    pub summary: String,
    /// Owner (may be empty).
    pub owner: String,
    /// Version (may be empty).
    pub version: String,
    /// `YYYY-MM-DD` or empty.
    #[serde(serialize_with = "day_or_empty")]
    pub effective: Option<Date>,
    /// `YYYY-MM-DD` or empty.
    #[serde(serialize_with = "day_or_empty")]
    pub last_reviewed: Option<Date>,
    /// `YYYY-MM-DD` or empty.
    #[serde(serialize_with = "day_or_empty")]
    pub next_due: Option<Date>,
    /// `current`, `due_soon`, `overdue`, `never_reviewed`, `untracked`.
    pub status: ReviewStatus,
    /// Human label of the status.
    pub status_label: String,
    /// Days until next_due (negative when overdue); absent without a due date.
    pub days_left: Option<i64>,
    /// Review cycle label, e.g. `annual`.
    pub review_cycle: String,
    /// Approver (may be empty).
    pub approved_by: String,
    /// In audit scope.
    pub audit_scope: bool,
    /// A controlled document.
    pub controlled: bool,
    /// SHA-256 (hex) of the source file's bytes.
    pub source_sha256: String,
    /// Source file, relative to the site root.
    pub source_path: String,
    /// "Request access" link of a restricted document: the first security
    /// contact carrying id, version and SHA-256 (empty otherwise).
    pub request_access: String,
    /// Revision history, newest first.
    pub revisions: Vec<RevisionView>,
    /// Versions found in git, newest (current) first; empty without history.
    pub versions: Vec<VersionView>,
    /// `version` / `last_reviewed` were taken from git (`review.from_git`).
    pub from_git: FromGit,
    /// Framework mappings.
    pub frameworks: Vec<DocFramework>,
    /// Ordering weight (default 0).
    pub weight: i64,
    /// Free fields from front-matter `extra`.
    pub extra: serde_json::Value,
}

/// One revision-history entry.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionView {
    /// Version label.
    pub version: String,
    /// `YYYY-MM-DD`.
    #[serde(serialize_with = "day")]
    pub date: Date,
    /// What changed.
    pub summary: String,
    /// Approver (may be empty).
    pub approved_by: String,
    /// Derived from git commits (front-matter has no revisions).
    pub derived: bool,
}

/// One version of a document found in git (read by the `versions` module).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct VersionView {
    /// Version label.
    pub version: String,
    /// In force from, `YYYY-MM-DD` (front-matter `effective`, else first
    /// commit; empty for an uncommitted version without `effective`).
    #[serde(serialize_with = "day_or_empty")]
    pub effective: Option<Date>,
    /// In force until (the next version's effective date), empty for the current one.
    #[serde(serialize_with = "day_or_empty")]
    pub until: Option<Date>,
    /// Date of its commit, `YYYY-MM-DD` (empty: not committed yet).
    #[serde(serialize_with = "day_or_empty")]
    pub date: Option<Date>,
    /// Commit whose text it is (empty: not committed yet).
    pub commit: String,
    /// First 7 characters of `commit`.
    pub short_commit: String,
    /// SHA-256 of the file at that commit (of the working file when uncommitted).
    pub source_sha256: String,
    /// Its page: a permalink under `v/` for earlier public versions, the
    /// document page for the current one, empty when it has none.
    pub url: String,
    /// Absolute form of `url` (empty when none).
    pub permalink: String,
    /// The current version.
    pub current: bool,
    /// Author of `commit`: only with `review.git_authors: true`, else empty.
    pub author: String,
}

/// Which values came from git under `review.from_git`.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct FromGit {
    /// `version` is the date and short id of the last commit.
    pub version: bool,
    /// `last_reviewed` is a commit date.
    pub last_reviewed: bool,
}

/// A framework and the controls a document covers in it.
#[derive(Debug, Clone, Serialize)]
pub struct DocFramework {
    /// Framework name, e.g. `ISO/IEC 27001:2022`.
    pub name: String,
    /// Framework page URL.
    pub url: String,
    /// Controls covered.
    pub controls: Vec<ControlRef>,
}

/// A control id with its title (from the catalogue) and anchor URL.
#[derive(Debug, Clone, Serialize)]
pub struct ControlRef {
    /// Control id, e.g. `A.5.15`.
    pub id: String,
    /// Title from the catalogue (may be empty).
    pub title: String,
    /// URL of the control on its framework page.
    pub url: String,
}

/// A table-of-contents entry (flat; `level` 2..=6 gives nesting).
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    /// Heading level.
    pub level: u8,
    /// Anchor id.
    pub id: String,
    /// Heading text.
    pub title: String,
}

/// A certification card.
#[derive(Debug, Clone, Serialize)]
pub struct CertificationView {
    /// Name, e.g. `ISO/IEC 27001:2022`.
    pub name: String,
    /// `certified`, `in_progress`, `planned`.
    pub status: String,
    /// Human label of the status.
    pub status_label: String,
    /// `YYYY-MM-DD` or empty.
    #[serde(serialize_with = "day_or_empty")]
    pub issued: Option<Date>,
    /// `YYYY-MM-DD` or empty.
    #[serde(serialize_with = "day_or_empty")]
    pub expires: Option<Date>,
    /// True when `expires` is before today.
    pub expired: bool,
    /// One-liner (may be empty).
    pub description: String,
    /// The report document, when it is published.
    pub report: Option<Link>,
}

/// A subprocessor row.
#[derive(Debug, Clone, Serialize)]
pub struct SubprocessorView {
    /// Company name.
    pub name: String,
    /// What it does for us.
    pub purpose: String,
    /// Where data is processed.
    pub location: String,
    /// `YYYY-MM-DD` or empty.
    #[serde(serialize_with = "day_or_empty")]
    pub since: Option<Date>,
}

/// A framework page: controls and the published documents covering each.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    /// Framework name.
    pub name: String,
    /// Page URL.
    pub url: String,
    /// Controls, sorted naturally (A.5.2 before A.5.10).
    pub controls: Vec<ControlView>,
}

/// One control on a framework page.
#[derive(Debug, Clone, Serialize)]
pub struct ControlView {
    /// Control id.
    pub id: String,
    /// Anchor id on the framework page.
    pub anchor: String,
    /// Title from the catalogue (may be empty).
    pub title: String,
    /// Documents covering it.
    pub documents: Vec<Link>,
}

/// One entry of the changes page and Atom feed.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    /// `YYYY-MM-DD`.
    #[serde(serialize_with = "day")]
    pub date: Date,
    /// Document title.
    pub title: String,
    /// Document id.
    pub doc_id: String,
    /// Document site URL.
    pub url: String,
    /// Document absolute URL.
    pub permalink: String,
    /// Version of this revision.
    pub version: String,
    /// Revision summary.
    pub summary: String,
    /// Approver (may be empty).
    pub approved_by: String,
    /// `public` or `restricted`.
    pub visibility: Visibility,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_fields_serialise_to_the_strings_templates_compare() {
        let c = ChangeView {
            date: jiff::civil::date(2026, 3, 4),
            title: "T".into(),
            doc_id: "t".into(),
            url: "/t/".into(),
            permalink: "https://x.test/t/".into(),
            version: "1".into(),
            summary: String::new(),
            approved_by: String::new(),
            visibility: Visibility::Restricted,
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["date"], "2026-03-04");
        assert_eq!(v["visibility"], "restricted");
        let s = SubprocessorView {
            name: "S".into(),
            purpose: String::new(),
            location: String::new(),
            since: None,
        };
        assert_eq!(serde_json::to_value(&s).unwrap()["since"], "");
        let statuses = [ReviewStatus::DueSoon, ReviewStatus::NeverReviewed];
        assert_eq!(
            serde_json::to_value(statuses).unwrap(),
            serde_json::json!(["due_soon", "never_reviewed"])
        );
    }
}
