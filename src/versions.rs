//! Versions from git: each document's earlier versions, their dates and hashes.
//!
//! [`load`] reads the history of `content/` once ([`crate::git`]: one `git
//! log` pass, one `cat-file --batch`), follows each current document back
//! through renames, parses its front-matter at every commit that changed it,
//! and cuts that list into *runs*: consecutive commits whose front-matter
//! `version` is the same. A run is one version; its text is the run's last
//! commit, its effective date the front-matter `effective` of that text,
//! else the date of the run's first commit. The last run is the current
//! version when its label is the working file's; the working file is always
//! the current text (a dirty tree is fine). Dates are commit (committer)
//! times taken in the site's `timezone`, never the clock, so output is the
//! same in every clone. Old versions that were `internal` or drafts are
//! dropped here and never reach a view.
//!
//! With `review.from_git`, a document without `last_reviewed` takes the date
//! of the last commit that changed it (or, with `review.git_trailer`, of the
//! last such commit carrying the trailer), and a controlled document without
//! `version` is versioned by its last change (`YYYY-MM-DD-<short commit>`).
//!
//! No repository (or no git): the feature is off with one note. A shallow
//! clone: an error (`git/shallow`) naming the fix.

use crate::config::SiteConfig;
use crate::content::{CONTENT_DIR, Content, Document};
use crate::diag::Diagnostic;
use crate::git::{GitError, Repo};
use crate::publish::{Audience, Publication};
use jiff::civil::Date;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// One version of a document, as committed.
#[derive(Debug, Clone)]
pub struct Version {
    /// Front-matter `version` (or the derived `YYYY-MM-DD-<short>`).
    pub label: String,
    /// URL segment of its permalink (`v/<slug>/`).
    pub slug: String,
    /// The last commit of its run: the commit whose text it is.
    pub commit: String,
    /// Date of that commit.
    pub date: Date,
    /// In force from (front-matter `effective`, else the run's first commit date).
    pub effective: Date,
    /// SHA-256 of the file at `commit` (`git show commit:path | sha256sum`).
    pub sha256: String,
    /// The document as it was at `commit`.
    pub doc: Arc<Document>,
    /// Whether that text was public (neither restricted, internal, a draft
    /// nor embargoed when committed).
    pub public: bool,
    /// Whether that text was not published at all (internal, a draft or
    /// embargoed): such a version leaves no trace.
    pub hidden: bool,
    /// Author of `commit`, only under `review.git_authors`.
    pub author: Option<String>,
}

/// The history of one current document.
#[derive(Debug, Clone, Default)]
pub struct DocHistory {
    /// Earlier versions, oldest first (internal and draft ones left out).
    pub earlier: Vec<Version>,
    /// The committed run of the current version, when there is one.
    pub current: Option<Version>,
    /// `version` came from git (`review.from_git`).
    pub version_from_git: bool,
    /// `last_reviewed` came from git (`review.from_git`).
    pub reviewed_from_git: bool,
}

/// Histories of a site's documents (by document index), empty when off.
#[derive(Debug, Default)]
pub struct History {
    /// Per document, same order as `Content::documents`.
    pub docs: Vec<DocHistory>,
    /// HEAD commit the history was read at (None: feature off).
    pub head: Option<String>,
    /// Why the feature is off, for one note at the CLI edge.
    pub note: Option<String>,
}

impl History {
    /// The history of document `i` (empty when there is none).
    pub fn of(&self, i: usize) -> Option<&DocHistory> {
        self.docs.get(i)
    }
}

/// One commit that changed a document: id, time, trailer, parsed text.
#[derive(Debug, Clone)]
struct Entry {
    commit: Arc<str>,
    time: i64,
    trailer: bool,
    author: Option<Arc<str>>,
    doc: Option<Arc<Document>>,
}

/// Per-document changes (oldest first), kept by serve across rebuilds.
type Raw = Arc<Vec<Vec<Entry>>>;

/// History read by earlier loads (serve): reused while HEAD, the config and
/// the set of documents are unchanged, so a rebuild after an edit costs one
/// `git rev-parse`; a commit changes HEAD and the history is read again.
#[derive(Default)]
pub struct Cache {
    kept: Mutex<Option<([u8; 32], Raw)>>,
}

/// Reads the history of the site at `root` and applies `review.from_git`
/// to `content`'s documents. Problems (shallow clone, git failing) go to
/// `diags`; an absent repository leaves a note in the result.
pub fn load(
    root: &Path,
    config: &SiteConfig,
    content: &mut Content,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&Cache>,
) -> History {
    if content.documents.is_empty() {
        return History::default();
    }
    let repo = match discover(root) {
        Ok(repo) => repo,
        Err(e) => return failed(e, diags),
    };
    let head = match repo.head() {
        Ok(Some(head)) => head,
        Ok(None) => return History::default(),
        Err(e) => return failed(e, diags),
    };
    let raw = match raw(&repo, &head, config, &content.documents, cache) {
        Ok(raw) => raw,
        Err(e) => return failed(e, diags),
    };
    let tz = jiff::tz::TimeZone::get(&config.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let docs = content
        .documents
        .iter_mut()
        .zip(raw.iter())
        .map(|(doc, entries)| history_of(doc, entries, config, &tz, diags))
        .collect();
    History {
        docs,
        head: Some(head),
        note: None,
    }
}

/// The repository around `root`; no `.git` above it (and no `GIT_DIR`)
/// means none, without running git at all.
pub fn discover(root: &Path) -> Result<Repo, GitError> {
    let abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let marked = abs.ancestors().any(|a| a.join(".git").exists());
    if !marked && std::env::var_os("GIT_DIR").is_none() {
        return Err(GitError::Absent(
            "the site is not in a git repository".into(),
        ));
    }
    Repo::discover(root)
}

/// The history when git cannot give one: a note, or an error.
fn failed(e: GitError, diags: &mut Vec<Diagnostic>) -> History {
    match e {
        GitError::Absent(why) => History {
            note: Some(format!("{why}: versions from git are off")),
            ..History::default()
        },
        GitError::Shallow => {
            diags.push(Diagnostic::error(CONTENT_DIR, 0, 0, "the git repository is a shallow clone: versions and dates from history would be wrong; fetch the full history (GitHub Actions: `fetch-depth: 0` in actions/checkout; GitLab CI: `GIT_DEPTH: 0`; by hand: `git fetch --unshallow`)").code("git/shallow"));
            History::default()
        }
        GitError::Failed(msg) => {
            diags.push(
                Diagnostic::error(CONTENT_DIR, 0, 0, format!("cannot read git history: {msg}"))
                    .code("git/failed"),
            );
            History::default()
        }
    }
}

/// Per-document entries, from the cache or from git.
fn raw(
    repo: &Repo,
    head: &str,
    config: &SiteConfig,
    docs: &[Document],
    cache: Option<&Cache>,
) -> Result<Raw, GitError> {
    let mut h = Sha256::new();
    h.update(head);
    h.update(format!("{config:?}"));
    for d in docs {
        h.update(&d.source);
        h.update([0]);
    }
    let key: [u8; 32] = h.finalize().into();
    let lock = |c: &Cache| {
        c.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, raw)| Arc::clone(raw))
    };
    if let Some(hit) = cache.and_then(lock) {
        return Ok(hit);
    }
    let raw = Arc::new(read(repo, head, config, docs)?);
    if let Some(c) = cache {
        *c.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, Arc::clone(&raw)));
    }
    Ok(raw)
}

/// Runs git and parses every text a document had.
fn read(
    repo: &Repo,
    head: &str,
    config: &SiteConfig,
    docs: &[Document],
) -> Result<Vec<Vec<Entry>>, GitError> {
    let base = format!("{}{CONTENT_DIR}/", repo.prefix);
    let trailer = config.review.git_trailer.as_deref();
    let trailer = trailer.filter(|_| config.review.from_git);
    let commits = repo.log(head, &base, trailer, config.review.git_authors)?;
    let mut track: HashMap<String, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (format!("{}{}", repo.prefix, d.source), i))
        .collect();
    // (commit index, blob, content-relative path), newest first.
    let mut found: Vec<Vec<(usize, String, String)>> = vec![Vec::new(); docs.len()];
    for (ci, c) in commits.iter().enumerate() {
        let mut moved = Vec::new();
        for ch in &c.changes {
            let Some(&i) = track.get(&ch.path) else {
                continue;
            };
            let Some(blob) = &ch.blob else {
                track.remove(&ch.path);
                continue;
            };
            let rel = ch.path.strip_prefix(&base).unwrap_or(&ch.path).to_string();
            found[i].push((ci, blob.clone(), rel));
            match &ch.from {
                Some(from) => moved.push((ch.path.clone(), from.clone(), i)),
                None if ch.added => {
                    track.remove(&ch.path);
                }
                None => {}
            }
        }
        for (path, from, i) in moved {
            track.remove(&path);
            track.insert(from, i);
        }
    }
    let mut wanted: Vec<(String, String)> = found
        .iter()
        .flatten()
        .map(|(_, blob, rel)| (blob.clone(), rel.clone()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    wanted.sort();
    wanted.dedup_by(|a, b| a.0 == b.0);
    let ids: Vec<String> = wanted.iter().map(|(b, _)| b.clone()).collect();
    let bytes = repo.blobs(&ids)?;
    let parsed: HashMap<String, Arc<Document>> = wanted
        .into_par_iter()
        .filter_map(|(blob, rel)| {
            let b = bytes.get(&blob)?.clone();
            let doc = crate::content::parse_doc(&rel, b, config, &mut Vec::new()).ok()?;
            Some((blob, Arc::new(doc)))
        })
        .collect();
    drop(bytes);
    Ok(found
        .into_iter()
        .map(|list| {
            list.into_iter()
                .rev()
                .map(|(ci, blob, _)| Entry {
                    commit: Arc::from(commits[ci].id.as_str()),
                    time: commits[ci].time,
                    trailer: commits[ci].trailer,
                    author: commits[ci].author.as_deref().map(Arc::from),
                    doc: parsed.get(&blob).cloned(),
                })
                .collect()
        })
        .collect())
}

/// The date of a commit time in the site's time zone.
fn date_of(time: i64, tz: &jiff::tz::TimeZone) -> Date {
    jiff::Timestamp::from_second(time)
        .map(|t| t.to_zoned(tz.clone()).date())
        .unwrap_or_default()
}

/// The version label of a text: front-matter `version`, else for a
/// controlled document under `review.from_git` its commit's date and short id.
fn label_of(
    doc: &Document,
    e: &Entry,
    config: &SiteConfig,
    tz: &jiff::tz::TimeZone,
) -> Option<String> {
    if let Some(v) = &doc.fm.version {
        return Some(v.clone());
    }
    (config.review.from_git && doc.fm.controlled_document).then(|| {
        format!(
            "{}-{}",
            date_of(e.time, tz),
            &e.commit[..e.commit.len().min(7)]
        )
    })
}

/// One document's history; applies `review.from_git` to it.
fn history_of(
    doc: &mut Document,
    entries: &[Entry],
    config: &SiteConfig,
    tz: &jiff::tz::TimeZone,
    diags: &mut Vec<Diagnostic>,
) -> DocHistory {
    let mut h = DocHistory::default();
    if config.review.from_git {
        from_git(doc, entries, config, tz, &mut h, diags);
    }
    let mut runs: Vec<Version> = Vec::new();
    let mut first_time = 0;
    for e in entries {
        let Some(text) = &e.doc else { continue };
        let Some(label) = label_of(text, e, config, tz) else {
            continue;
        };
        let same = runs.last().is_some_and(|v| v.label == label);
        if !same {
            first_time = e.time;
        }
        let v = Version {
            slug: slug(&label),
            label,
            commit: e.commit.to_string(),
            date: date_of(e.time, tz),
            effective: text.fm.effective.unwrap_or_else(|| date_of(first_time, tz)),
            sha256: text.sha256.clone(),
            public: publication(text, e.time, tz) == Publication::Full,
            hidden: publication(text, e.time, tz) == Publication::Nothing,
            author: e.author.as_deref().map(str::to_string),
            doc: Arc::clone(text),
        };
        match runs.last_mut() {
            Some(last) if same => *last = v,
            _ => runs.push(v),
        }
    }
    if runs.last().map(|v| &v.label) == doc.fm.version.as_ref() {
        // A current version whose committed text was internal or a draft
        // is not listed as committed: not even its hash is published.
        h.current = runs.pop().filter(|v| !v.hidden);
    }
    let current_slug = doc.fm.version.as_deref().map(slug);
    let mut seen: HashSet<String> = current_slug.into_iter().collect();
    // Newest first, so that a reused label keeps its latest text.
    let mut earlier: Vec<Version> = runs
        .into_iter()
        .rev()
        .filter(|v| !v.hidden)
        .filter(|v| seen.insert(v.slug.clone()))
        .collect();
    earlier.reverse();
    h.earlier = earlier;
    h
}

/// What `build` would have published of a text when it was committed at
/// `time`: Hugo embargo dates are judged at the commit, not today (output
/// never depends on the clock). Nothing: internal, a draft or embargoed.
fn publication(text: &Document, time: i64, tz: &jiff::tz::TimeZone) -> Publication {
    let clock = jiff::Timestamp::from_second(time)
        .ok()
        .map(|now| crate::embargo::Clock {
            today: date_of(time, tz),
            now,
            tz: tz.clone(),
        });
    let audience = Audience {
        clock,
        ..Audience::PUBLIC
    };
    audience.document(text)
}

/// The URL segment of a version label: its slug, never `.` or `..` (which
/// would address the document page or its parent).
pub fn slug(label: &str) -> String {
    let s = crate::content::slugify(label);
    if s.starts_with('.') {
        format!("-{s}")
    } else {
        s
    }
}

/// `review.from_git`: fills a missing `last_reviewed` and a controlled
/// document's missing `version` from the commits that changed it.
fn from_git(
    doc: &mut Document,
    entries: &[Entry],
    config: &SiteConfig,
    tz: &jiff::tz::TimeZone,
    h: &mut DocHistory,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(last) = entries.last() else { return };
    if doc.fm.last_reviewed.is_none() && doc.fm.next_review.is_none() {
        let reviewed = match &config.review.git_trailer {
            Some(_) => entries.iter().rev().find(|e| e.trailer),
            None => Some(last),
        };
        if let Some(e) = reviewed {
            doc.fm.last_reviewed = Some(date_of(e.time, tz));
            h.reviewed_from_git = true;
        }
    }
    if doc.fm.version.is_none() && doc.fm.controlled_document {
        doc.fm.version = label_of(doc, last, config, tz);
        h.version_from_git = doc.fm.version.is_some();
        if h.version_from_git {
            diags.retain(|d| {
                !(d.path == doc.source && d.code == "frontmatter/controlled-incomplete")
            });
            crate::content::check_controlled(&doc.source, &doc.fm, diags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(from_git: bool) -> SiteConfig {
        let yaml =
            format!("title: T\nbase_url: https://t.example/\nreview:\n  from_git: {from_git}\n");
        crate::config::parse(&yaml, Path::new(".")).ok().unwrap()
    }

    fn entry(commit: &str, time: i64, text: &str, config: &SiteConfig) -> Entry {
        let doc =
            crate::content::parse_doc("a.md", text.as_bytes().to_vec(), config, &mut Vec::new())
                .ok()
                .unwrap();
        Entry {
            commit: Arc::from(commit),
            time,
            trailer: false,
            author: None,
            doc: Some(Arc::new(doc)),
        }
    }

    fn text(version: &str, vis: &str, body: &str) -> String {
        format!("---\ntitle: A\nversion: \"{version}\"\nvisibility: {vis}\n---\n{body}\n")
    }

    #[test]
    fn runs_of_the_same_version() {
        let c = config(false);
        let day = 86_400;
        let entries = vec![
            entry("c1", day, &text("1.0", "public", "one"), &c),
            entry("c2", 2 * day, &text("1.0", "public", "one fixed"), &c),
            entry("c3", 10 * day, &text("2.0", "internal", "secret"), &c),
            entry("c4", 20 * day, &text("3.0", "public", "three"), &c),
        ];
        let mut doc = entries[3].doc.as_deref().unwrap().clone();
        let h = history_of(
            &mut doc,
            &entries,
            &c,
            &jiff::tz::TimeZone::UTC,
            &mut Vec::new(),
        );
        let labels: Vec<&str> = h.earlier.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(labels, ["1.0"], "internal 2.0 leaves no trace");
        assert_eq!(h.earlier[0].commit, "c2");
        assert_eq!(h.earlier[0].effective.to_string(), "1970-01-02");
        assert_eq!(h.current.as_ref().unwrap().commit, "c4");
    }

    #[test]
    fn embargoed_texts_are_judged_at_their_commit() {
        let c = config(false);
        let day = 86_400;
        let embargoed = "---\ntitle: A\nversion: \"1.0\"\nvisibility: public\npublishDate: 1970-03-01\n---\ncanary\n";
        let entries = vec![
            entry("c1", day, embargoed, &c),
            entry("c2", 100 * day, &text("2.0", "public", "two"), &c),
            entry("c3", 200 * day, &text("3.0", "public", "three"), &c),
        ];
        let mut doc = entries[2].doc.as_deref().unwrap().clone();
        let h = history_of(
            &mut doc,
            &entries,
            &c,
            &jiff::tz::TimeZone::UTC,
            &mut Vec::new(),
        );
        let labels: Vec<&str> = h.earlier.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(labels, ["2.0"], "1.0 was not yet published when committed");
    }

    #[test]
    fn version_slugs_never_climb() {
        assert_eq!(slug("3.0"), "3.0");
        assert_eq!(slug(".."), "-..");
        assert_eq!(slug("../../x"), "-..-..-x");
        assert_eq!(slug("2026 Q1"), "2026-q1");
    }

    #[test]
    fn from_git_versions_controlled_documents_by_last_change() {
        let c = config(true);
        let t = "---\ntitle: A\ncontrolled_document: true\nowner: o\nvisibility: public\n---\nx\n";
        let entries = vec![entry("abcdef123456", 86_400 * 365, t, &c)];
        let mut doc = entries[0].doc.as_deref().unwrap().clone();
        let h = history_of(
            &mut doc,
            &entries,
            &c,
            &jiff::tz::TimeZone::UTC,
            &mut Vec::new(),
        );
        assert_eq!(doc.fm.version.as_deref(), Some("1971-01-01-abcdef1"));
        assert_eq!(doc.fm.last_reviewed.unwrap().to_string(), "1971-01-01");
        assert!(h.version_from_git && h.reviewed_from_git);
        assert!(h.current.is_some() && h.earlier.is_empty());
    }
}
