//! Loading `content/`: documents, listing intros, bundle assets, static files.
//!
//! [`load`] walks the folder (never following symlinks), reads every file
//! once, hashes Markdown sources, parses front-matter and resolves each
//! document's id, URL, category and visibility. It reports every problem as
//! a located [`Diagnostic`] and returns whatever it could load, sorted by
//! path, so later stages are deterministic. It does not render or decide
//! what is published beyond computing each document's visibility.

use crate::config::{SiteConfig, Visibility};
use crate::diag::Diagnostic;
use crate::filekind::{self, FileKind};
use crate::frontmatter::{self, FrontMatter};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Folder of the content inside the site root.
pub const CONTENT_DIR: &str = "content";

/// One Markdown document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable id.
    pub id: String,
    /// Source path relative to the site root (`content/policies/x.md`).
    pub source: String,
    /// URL path without base, with trailing slash (`policies/x/`).
    pub url_path: String,
    /// Parsed front-matter.
    pub fm: FrontMatter,
    /// Title (required).
    pub title: String,
    /// Resolved visibility.
    pub visibility: Visibility,
    /// Markdown body: in memory, or read again from the file when rendered.
    pub body: Body,
    /// Line of the file on which the body starts.
    pub body_line: usize,
    /// SHA-256 (hex) of the source file's bytes.
    pub sha256: String,
    /// Category name.
    pub category: String,
    /// Bundle folder (content-relative) when this is a page bundle.
    pub bundle_dir: Option<String>,
}

/// A document's Markdown body. `build` and `check` do not hold every body
/// for the whole build (at 1,000 documents they were a third of the peak
/// heap): a body read from a file is read again when its page is rendered,
/// and used only if it is still what was loaded (same length and hash).
/// Bodies from git, and those loaded through serve's cache, stay in memory
/// (shared: serve's cache hands out clones every rebuild).
#[derive(Debug, Clone)]
pub struct Body(BodySource);

#[derive(Debug, Clone)]
enum BodySource {
    Text(std::sync::Arc<str>),
    File {
        /// The file.
        path: PathBuf,
        /// Length of the whole file when loaded.
        file_len: usize,
        /// Byte range of the body in it.
        start: usize,
        end: usize,
        /// Fx hash of the body's bytes when loaded.
        check: u64,
    },
}

impl Body {
    /// A body kept in memory.
    pub fn text(text: impl Into<std::sync::Arc<str>>) -> Self {
        Body(BodySource::Text(text.into()))
    }

    /// The body `text[range]` of the file at `path` (whose whole text is
    /// `text`), to be read again when needed.
    fn file(path: PathBuf, text: &str, range: std::ops::Range<usize>) -> Self {
        let body = &text[range.clone()];
        Body(BodySource::File {
            path,
            file_len: text.len(),
            start: range.start,
            end: range.end,
            check: fx_hash(body.as_bytes()),
        })
    }

    /// The body's text; an error message when its file can no longer be
    /// read or no longer holds the body that was loaded (it changed while
    /// the site was built).
    pub fn read(&self) -> Result<std::borrow::Cow<'_, str>, String> {
        let (path, file_len, start, end, check) = match &self.0 {
            BodySource::Text(t) => return Ok(std::borrow::Cow::Borrowed(t)),
            BodySource::File {
                path,
                file_len,
                start,
                end,
                check,
            } => (path, *file_len, *start, *end, *check),
        };
        let changed = || "the file changed while the site was being built: build again".to_string();
        let mut bytes = std::fs::read(path).map_err(|e| format!("cannot read again: {e}"))?;
        if bytes.len() != file_len {
            return Err(changed());
        }
        bytes.truncate(end);
        bytes.drain(..start);
        if fx_hash(&bytes) != check {
            return Err(changed());
        }
        String::from_utf8(bytes)
            .map(std::borrow::Cow::Owned)
            .map_err(|_| changed())
    }
}

/// A fast 64-bit hash of `bytes` (tells a body read again from the one
/// loaded; not a security check: whoever can edit the file can edit it
/// before the build).
fn fx_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// A non-Markdown file under content/.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path relative to content/ (`/`-separated): also its output path.
    pub rel: String,
    /// Absolute path on disk.
    pub abs: PathBuf,
    /// Index of the bundle document it belongs to, if any.
    pub owner: Option<usize>,
}

/// Everything loaded from content/.
#[derive(Debug, Default)]
pub struct Content {
    /// Documents sorted by source path.
    pub documents: Vec<Document>,
    /// `content/index.md`: the home page introduction.
    pub home: Option<Document>,
    /// `content/<folder>/_index.md` by folder (`policies`).
    pub intros: BTreeMap<String, Document>,
    /// Other files, sorted.
    pub assets: Vec<Asset>,
    /// Copies of documents (backups, merge leftovers): never published.
    pub copies: Vec<String>,
}

/// One Markdown file read: its path, the document or its errors, and warnings.
type LoadedFile = (String, Result<Document, Vec<Diagnostic>>, Vec<Diagnostic>);

/// Parsed Markdown files kept across loads (serve): a file whose bytes and
/// config are unchanged is not parsed again. Keyed by path; the entry holds
/// the SHA-256 of the file and the key of the config and cascades it was
/// parsed with ([`crate::site::rebuild`]),
/// and the file's [`Stamp`] when it is safe to trust: then a file whose stamp
/// is unchanged is not even read again.
#[derive(Default)]
pub struct LoadCache {
    files: std::sync::Mutex<HashMap<String, CacheEntry>>,
}

/// One cached file: its content key, config sum, trusted stamp and result.
struct CacheEntry {
    key: [u8; 32],
    config: [u8; 32],
    stamp: Option<Stamp>,
    loaded: LoadedFile,
}

/// How far a file's mtime must lie before the moment it was examined for
/// its stamp to be trusted: covers coarse timestamps (FAT's 2 s) and writes
/// landing in the same clock tick as the read ("racy" files, as in git).
const STAMP_MARGIN: std::time::Duration = std::time::Duration::from_secs(3);

/// What `stat` says about a file: size, mtime and (on Unix) ctime, inode and
/// device. A write changes the mtime and the ctime (which no tool can set
/// back); a save by rename changes the inode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    len: u64,
    mtime: std::time::SystemTime,
    #[cfg(unix)]
    unix: (i64, i64, u64, u64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: meta.len(),
            mtime: meta.modified().ok()?,
            #[cfg(unix)]
            unix: (meta.ctime(), meta.ctime_nsec(), meta.ino(), meta.dev()),
        })
    }

    /// The stamp of a file examined at `checked`, if old enough to trust.
    fn trusted(path: &Path, checked: std::time::SystemTime) -> Option<Stamp> {
        let stamp = Stamp::of(&std::fs::metadata(path).ok()?)?;
        let settled = stamp.mtime.checked_add(STAMP_MARGIN)? <= checked;
        #[cfg(unix)]
        let settled = settled && {
            let ctime = std::time::UNIX_EPOCH.checked_add(std::time::Duration::new(
                u64::try_from(stamp.unix.0).ok()?,
                u32::try_from(stamp.unix.1).ok()?,
            ))?;
            ctime.checked_add(STAMP_MARGIN)? <= checked
        };
        settled.then_some(stamp)
    }
}

/// Walks and loads `root/content`. A missing folder is an empty site.
pub fn load(root: &Path, config: &SiteConfig, diags: &mut Vec<Diagnostic>) -> Content {
    load_with(root, config, diags, None)
}

/// [`load`], reusing files parsed by earlier loads when `cache` is given.
pub fn load_with(
    root: &Path,
    config: &SiteConfig,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&LoadCache>,
) -> Content {
    let dir = root.join(CONTENT_DIR);
    let Walked {
        md: md_files,
        other: other_files,
        copies,
    } = walk(&dir, diags);
    let (cascades, config_sum) = cascades(&dir, &md_files, config, diags);
    let ctx = LoadCtx {
        config,
        cascades: &cascades,
    };
    let loaded: Vec<LoadedFile> = md_files
        .par_iter()
        .map(|rel| match cache {
            Some(cache) => load_cached(&dir, rel, &ctx, (cache, &config_sum)),
            None => load_file(&dir, rel, &ctx),
        })
        .collect();
    let mut content = Content::default();
    for (rel, doc, local) in loaded {
        diags.extend(local);
        let Ok(doc) = doc.map_err(|e| diags.extend(e)) else {
            continue;
        };
        match filekind::classify(&rel) {
            FileKind::Home => {
                if let Some(first) = &content.home {
                    diags.push(
                        Diagnostic::error(
                            &doc.source,
                            1,
                            1,
                            format!("two home introductions: {} is one too", first.source),
                        )
                        .code("content/duplicate-home"),
                    );
                }
                content.home = Some(doc);
            }
            FileKind::Intro(folder) => {
                content.intros.insert(folder, doc);
            }
            FileKind::Document { bundle } => content.documents.push(Document {
                bundle_dir: bundle,
                ..doc
            }),
            FileKind::Copy | FileKind::Asset | FileKind::Ignored => {}
        }
    }
    content.assets = assign_assets(&dir, other_files, &content.documents);
    for rel in &copies {
        diags.push(
            Diagnostic::warning(
                format!("{CONTENT_DIR}/{rel}"),
                0,
                0,
                "not published: this looks like a copy of a document (editor backup, temp file or merge leftover); delete it or rename it",
            )
            .code("asset/document-copy"),
        );
    }
    content.copies = copies;
    check_duplicates(&content.documents, diags);
    content
}

/// What every file's load needs besides its bytes.
struct LoadCtx<'a> {
    config: &'a SiteConfig,
    /// Every `cascade` entry of every `_index.md` (folder, `_target`, fields),
    /// nearest (longest folder) first.
    cascades: &'a [Cascade],
}

/// One `cascade` entry of an `_index.md`: its folder (`policies/`), the
/// pages it targets (Hugo's `_target`) and the fields it gives.
type Cascade = (String, Option<crate::inherit::CascadeTarget>, FrontMatter);

/// The `cascade` of every `_index.md` (Hugo: fields for every page below,
/// or for those its `_target` selects), nearest (longest folder) first, and
/// the key of everything a document's parse depends on besides its bytes
/// (the config's fingerprint and the cascades' folders and JSON text).
fn cascades(
    dir: &Path,
    md_files: &[String],
    config: &SiteConfig,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Cascade>, crate::digest::Key) {
    let mut key = crate::digest::KeyHasher::new("load");
    key.field(config.fingerprint);
    let mut out = Vec::new();
    for rel in md_files
        .iter()
        .filter(|r| *r == "_index.md" || r.ends_with("/_index.md"))
    {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
            continue;
        };
        let Ok(split) = frontmatter::split(&text) else {
            continue;
        };
        let Some((Some(fm), _)) = split
            .yaml
            .map(|y| frontmatter::parse(y, split.yaml_line, &config.aliases))
        else {
            continue;
        };
        let Some(cascade) = fm.cascade else { continue };
        let line = fm.lines.get("cascade").copied().unwrap_or(1);
        // The map form or the list form's entries.
        let entries: Vec<serde_json::Value> = match cascade {
            serde_json::Value::Array(list) => list,
            other => vec![other],
        };
        let folder = rel.strip_suffix("_index.md").unwrap_or("").to_string();
        for mut entry in entries {
            key.field(&folder)
                .number(line as u64)
                .field(entry.to_string());
            let mut target = None;
            if let Some(map) = entry.as_object_mut() {
                for key in ["_target", "target"] {
                    let Some(t) = map.remove(key) else { continue };
                    match crate::inherit::CascadeTarget::parse(&t) {
                        Ok(t) => target = Some(t),
                        Err(e) => {
                            diags.push(
                                Diagnostic::warning(
                                    format!("{CONTENT_DIR}/{rel}"),
                                    line,
                                    1,
                                    format!("this cascade entry applies to no page: {e}"),
                                )
                                .code("frontmatter/cascade-target"),
                            );
                            target = Some(crate::inherit::CascadeTarget {
                                kind: Some(String::new()),
                                ..Default::default()
                            });
                        }
                    }
                }
            }
            let json = entry.to_string();
            let (parsed, _) = frontmatter::parse(&json, line, &config.aliases);
            if let Some(parsed) = parsed {
                out.push((folder.clone(), target, parsed));
            }
        }
    }
    out.sort_by_key(|(f, _, _)| std::cmp::Reverse(f.len()));
    (out, key.finish())
}

/// Fills fields the file does not give from cascades, trust.yaml defaults
/// and CODEOWNERS (see [`crate::inherit`]), and the audit scope from
/// GitLab's label shortcode.
fn inherit(rel: &str, fm: &mut FrontMatter, ctx: &LoadCtx, audit_label: Option<bool>) {
    let mut filled = std::collections::BTreeSet::new();
    let own_intro = rel.strip_suffix("_index.md");
    for (folder, target, from) in ctx.cascades {
        if rel.starts_with(folder.as_str())
            && own_intro != Some(folder.as_str())
            && target.as_ref().is_none_or(|t| t.applies(rel))
        {
            crate::inherit::fill_missing(fm, from, &mut filled);
        }
    }
    for (folder, from) in &ctx.config.defaults {
        if rel.starts_with(folder.as_str()) {
            crate::inherit::fill_missing(fm, from, &mut filled);
        }
    }
    if fm.owner.is_none() {
        let path = format!("{CONTENT_DIR}/{rel}");
        fm.owner = crate::inherit::owner_for(&ctx.config.codeowners, &path);
    }
    if let Some(audit) = audit_label
        && !fm.lines.contains_key("audit_scope")
        && !filled.contains("audit_scope")
    {
        fm.audit_scope = audit;
    }
}

fn load_file(dir: &Path, rel: &str, config: &LoadCtx) -> LoadedFile {
    let mut local = Vec::new();
    let doc = load_doc(dir, rel, config, &mut local);
    (rel.to_string(), doc, local)
}

/// [`load_file`] through the cache: a file whose trusted stamp is unchanged
/// is taken as is; otherwise it is read and hashed, and parsed only when its
/// bytes or the config changed.
fn load_cached(
    dir: &Path,
    rel: &str,
    config: &LoadCtx,
    (cache, config_sum): (&LoadCache, &[u8; 32]),
) -> LoadedFile {
    let path = dir.join(rel);
    let files = || cache.files.lock().unwrap_or_else(|e| e.into_inner());
    let checked = std::time::SystemTime::now();
    let stamp = Stamp::trusted(&path, checked);
    if let Some(hit) = files().get(rel)
        && stamp.is_some()
        && hit.stamp == stamp
        && hit.config == *config_sum
    {
        return hit.loaded.clone();
    }
    let Ok(bytes) = std::fs::read(&path) else {
        return load_file(dir, rel, config);
    };
    let mut h = Sha256::new();
    h.update(config_sum);
    h.update(&bytes);
    let key: [u8; 32] = h.finalize().into();
    let loaded = match files().get_mut(rel) {
        Some(hit) if hit.key == key => {
            hit.stamp = stamp;
            return hit.loaded.clone();
        }
        _ => {
            let mut local = Vec::new();
            let doc = parse_doc_in(rel, bytes, config, None, &mut local);
            (rel.to_string(), doc, local)
        }
    };
    let entry = CacheEntry {
        key,
        config: *config_sum,
        stamp,
        loaded: loaded.clone(),
    };
    files().insert(rel.to_string(), entry);
    loaded
}

/// The files of content/, sorted, by what [`filekind::classify`] says they are.
#[derive(Default)]
struct Walked {
    /// Documents and introductions.
    md: Vec<String>,
    /// Other files.
    other: Vec<String>,
    /// Copies of documents.
    copies: Vec<String>,
}

/// Sorted content-relative paths of Markdown files, other files and copies.
fn walk(dir: &Path, diags: &mut Vec<Diagnostic>) -> Walked {
    let mut found = Walked::default();
    // `follow_root_links(false)`: a symlinked `content/` is skipped like any
    // other link (it used to be walked, publishing files from outside the site).
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .follow_root_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || filekind::is_content_dir(e.file_name().to_string_lossy().as_ref())
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e)
                if e.io_error().map(|io| io.kind()) == Some(std::io::ErrorKind::NotFound)
                    && e.depth() == 0 =>
            {
                break;
            }
            Err(e) => {
                let path = e.path().map(|p| rel_to(dir, p)).unwrap_or_default();
                diags.push(
                    Diagnostic::error(
                        format!("{CONTENT_DIR}/{path}"),
                        0,
                        0,
                        format!("cannot read: {e}"),
                    )
                    .code("content/unreadable"),
                );
                continue;
            }
        };
        let rel = rel_to(dir, entry.path());
        let kind = filekind::classify(&rel);
        if kind == FileKind::Ignored {
            continue;
        }
        if entry.path_is_symlink() {
            diags.push(
                Diagnostic::warning(
                    format!("{CONTENT_DIR}/{rel}"),
                    0,
                    0,
                    "symbolic link skipped: trustsite never follows links (copy the file instead)",
                )
                .code("content/symlink"),
            );
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if entry
            .path()
            .strip_prefix(dir)
            .ok()
            .and_then(Path::to_str)
            .is_none()
        {
            diags.push(
                Diagnostic::error(
                    format!("{CONTENT_DIR}/{rel}"),
                    0,
                    0,
                    "file name is not valid UTF-8: rename the file",
                )
                .code("content/non-utf8-name"),
            );
            continue;
        }
        match kind {
            FileKind::Copy => found.copies.push(rel),
            FileKind::Asset => found.other.push(rel),
            _ => found.md.push(rel),
        }
    }
    found
}

fn rel_to(dir: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(dir).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn load_doc(
    dir: &Path,
    rel: &str,
    config: &LoadCtx,
    diags: &mut Vec<Diagnostic>,
) -> Result<Document, Vec<Diagnostic>> {
    let bytes = std::fs::read(dir.join(rel)).map_err(|e| {
        let source = format!("{CONTENT_DIR}/{rel}");
        vec![
            Diagnostic::error(source, 0, 0, format!("cannot read: {e}")).code("content/unreadable"),
        ]
    })?;
    parse_doc_in(rel, bytes, config, Some(dir), diags)
}

/// A document from its file's bytes (`rel`: path under content/), with the
/// fields trust.yaml gives it (`defaults`, CODEOWNERS) but no folder
/// `cascade` (an earlier version read from git has no folder context).
pub(crate) fn parse_doc(
    rel: &str,
    bytes: Vec<u8>,
    config: &SiteConfig,
    diags: &mut Vec<Diagnostic>,
) -> Result<Document, Vec<Diagnostic>> {
    let ctx = LoadCtx {
        config,
        cascades: &[],
    };
    parse_doc_in(rel, bytes, &ctx, None, diags)
}

/// [`parse_doc`] within a load (cascades included). With `dir` (the
/// content folder the file was read from) the body is read again from the
/// file when needed instead of being kept ([`Body`]).
fn parse_doc_in(
    rel: &str,
    bytes: Vec<u8>,
    ctx: &LoadCtx,
    dir: Option<&Path>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Document, Vec<Diagnostic>> {
    let config = ctx.config;
    let source = format!("{CONTENT_DIR}/{rel}");
    let fail = |line: usize, col: usize, code: &'static str, msg: String| {
        vec![Diagnostic::error(&source, line, col, msg).code(code)]
    };
    let sha256 = crate::digest::hex(&Sha256::digest(&bytes));
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        fail(
            line,
            1,
            "content/not-utf8",
            "file is not valid UTF-8 text".to_string(),
        )
    })?;
    if text.contains('\0') {
        return Err(fail(
            1,
            1,
            "content/nul-bytes",
            "file contains NUL bytes: not a text document".to_string(),
        ));
    }
    let split = frontmatter::split(&text).map_err(|_| {
        fail(
            1,
            1,
            "frontmatter/unclosed",
            "front-matter opened with `---` is never closed by a `---` line".to_string(),
        )
    })?;
    // comply writes its YAML head without the opening `---`.
    let split = match split.yaml {
        Some(_) => split,
        None => crate::compat::split_headless(&text)
            .ok_or_else(|| fail(1, 1, "frontmatter/missing", missing_front_matter(&text)))?,
    };
    let Some(yaml) = split.yaml else {
        return Err(fail(
            1,
            1,
            "frontmatter/missing",
            missing_front_matter(&text),
        ));
    };
    let (fm, problems) = frontmatter::parse(yaml, split.yaml_line, &config.aliases);
    let mut errors = Vec::new();
    for p in problems {
        let d = if p.error {
            Diagnostic::error(&source, p.line, p.col, p.message).code(p.code)
        } else {
            Diagnostic::warning(&source, p.line, p.col, p.message).code(p.code)
        };
        if d.is_error() {
            errors.push(d)
        } else {
            diags.push(d)
        }
    }
    let Some(mut fm) = fm else { return Err(errors) };
    let pre =
        crate::shortcodes::needed(split.body).then(|| crate::shortcodes::preprocess(split.body));
    inherit(rel, &mut fm, ctx, pre.as_ref().and_then(|p| p.audit_scope));
    let Some(title) = fm.title.clone() else {
        errors.push(
            Diagnostic::error(&source, 1, 1, "missing required field `title`")
                .code("frontmatter/missing-title"),
        );
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    check_controlled(&source, &fm, diags);
    for n in pre.iter().flat_map(|p| &p.notes) {
        diags.push(
            Diagnostic::warning(&source, split.body_line + n.line, n.col, n.message.clone())
                .code(n.code),
        );
    }
    let url_path = url_path(rel);
    Ok(Document {
        id: fm
            .id
            .clone()
            .unwrap_or_else(|| url_path.trim_end_matches('/').to_string()),
        source,
        category: fm.category.clone().unwrap_or_else(|| default_category(rel)),
        visibility: fm.visibility.unwrap_or(config.default_visibility),
        url_path,
        title,
        body: body_of(&text, split.body, dir.map(|d| d.join(rel))),
        body_line: split.body_line,
        sha256,
        bundle_dir: None,
        fm,
    })
}

/// The [`Body`] `body` (a slice of the file's `text`): read again from
/// `path` when there is one.
fn body_of(text: &str, body: &str, path: Option<PathBuf>) -> Body {
    let start = (body.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    match path {
        Some(path) if start <= text.len() && body.len() <= text.len() - start => {
            Body::file(path, text, start..start + body.len())
        }
        _ => Body::text(body),
    }
}

/// The message for a file without front-matter, with a hint for comply-style
/// files (YAML first, then a `---` line, with no opening `---`).
fn missing_front_matter(text: &str) -> String {
    let base = "missing front-matter: a document starts with a `---` line, then YAML giving at least `title`, then `---`";
    let first = text.lines().next().unwrap_or("");
    let looks_yaml = first
        .split_once(':')
        .is_some_and(|(k, _)| !k.is_empty() && !k.contains(' '));
    let has_fence = text.lines().any(|l| l.trim_end() == "---");
    if looks_yaml && has_fence {
        format!(
            "{base}; this file looks like comply-style YAML without the opening `---`: add a `---` line at the top"
        )
    } else {
        base.to_string()
    }
}

/// Controlled documents must carry owner and version: a warning here, an
/// error in `check` (so migrated corpora still build).
pub(crate) fn check_controlled(source: &str, fm: &FrontMatter, diags: &mut Vec<Diagnostic>) {
    if !fm.controlled_document {
        return;
    }
    let line = fm.lines.get("controlled_document").copied().unwrap_or(1);
    for (name, missing) in [
        ("owner", fm.owner.is_none()),
        ("version", fm.version.is_none()),
    ] {
        if missing {
            diags.push(Diagnostic::warning(
                source,
                line,
                1,
                format!("controlled document has no `{name}`: controlled documents must carry owner, version and last_reviewed"),
            ).code("frontmatter/controlled-incomplete"));
        }
    }
}

/// `policies/Access Control.md` -> `policies/access-control/`;
/// a bundle's `index.md` takes its folder's URL.
pub fn url_path(rel: &str) -> String {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem = filekind::doc_stem(name).unwrap_or(name);
    let own_folder = !dir.is_empty()
        && (stem.eq_ignore_ascii_case("index") || stem.eq_ignore_ascii_case("_index"));
    let path = match (dir, own_folder) {
        (_, true) => dir.to_string(),
        ("", _) => stem.to_string(),
        _ => format!("{dir}/{stem}"),
    };
    let parts: Vec<String> = path.split('/').map(slugify).collect();
    format!("{}/", parts.join("/"))
}

/// Lowercase ASCII letters and digits, other runs to `-`.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            dash = false;
        } else if c == '_' || c == '.' {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "-".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The top-level folder, unless the document is that folder (a top-level
/// bundle or section page) or sits at the content root: then "Documents".
fn default_category(rel: &str) -> String {
    let own_folder = match filekind::classify(rel) {
        FileKind::Document { bundle } => bundle,
        _ => rel
            .rsplit_once('/')
            .filter(|(_, n)| {
                filekind::doc_stem(n).is_some_and(|s| s.eq_ignore_ascii_case("_index"))
            })
            .map(|(d, _)| d.to_string()),
    };
    let own_folder = own_folder.as_deref();
    match rel.split_once('/') {
        Some((top, _)) if own_folder != Some(top) => category_name(top),
        _ => "Documents".to_string(),
    }
}

/// `data-governance` -> `Data Governance`.
pub fn category_name(folder: &str) -> String {
    folder
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn assign_assets(dir: &Path, files: Vec<String>, docs: &[Document]) -> Vec<Asset> {
    let bundle_of: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.bundle_dir.as_deref().map(|b| (b, i)))
        .collect();
    files
        .into_iter()
        .map(|rel| {
            let owner = ancestors(&rel).find_map(|a| bundle_of.get(a).copied());
            Asset {
                abs: dir.join(&rel),
                rel,
                owner,
            }
        })
        .collect()
}

/// Parent folders of a relative path, nearest first.
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    let mut cur = rel;
    std::iter::from_fn(move || {
        let i = cur.rfind('/')?;
        cur = &cur[..i];
        Some(cur)
    })
}

fn check_duplicates(docs: &[Document], diags: &mut Vec<Diagnostic>) {
    let mut ids: HashMap<&str, &Document> = HashMap::new();
    let mut urls: HashMap<&str, &Document> = HashMap::new();
    for d in docs {
        if let Some(first) = ids.insert(&d.id, d) {
            let line = d.fm.lines.get("id").copied().unwrap_or(1);
            diags.push(
                Diagnostic::error(
                    &d.source,
                    line,
                    1,
                    format!(
                        "duplicate document id `{}`: also used by {}",
                        d.id, first.source
                    ),
                )
                .code("content/duplicate-id"),
            );
        }
        if let Some(first) = urls.insert(&d.url_path, d) {
            diags.push(
                Diagnostic::error(
                    &d.source,
                    1,
                    1,
                    format!(
                        "URL /{} is also the URL of {}: rename one of the files",
                        d.url_path, first.source
                    ),
                )
                .code("content/duplicate-url"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_categories() {
        assert_eq!(
            url_path("policies/access-control.md"),
            "policies/access-control/"
        );
        assert_eq!(
            url_path("policies/incident-response/index.md"),
            "policies/incident-response/"
        );
        assert_eq!(
            url_path("Policies/Access Control.md"),
            "policies/access-control/"
        );
        assert_eq!(default_category("policies/x.md"), "Policies");
        assert_eq!(default_category("x.md"), "Documents");
        assert_eq!(default_category("bundle/index.md"), "Documents");
        assert_eq!(default_category("policies/bundle/index.md"), "Policies");
        assert_eq!(category_name("data-governance"), "Data Governance");
        assert_eq!(slugify("ISO/IEC 27001:2022"), "iso-iec-27001-2022");
        assert_eq!(url_path("security/x.html.md"), "security/x/");
        assert_eq!(url_path("security/x.html.md.erb"), "security/x/");
        assert_eq!(url_path("a/B/Index.markdown"), "a/b/");
    }

    /// A cached file is taken unread only while its stamp is old enough and
    /// unchanged: a same-size edit with its mtime set back is still seen.
    #[test]
    fn load_cache_sees_same_size_edits() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let path = root.join("content/a.md");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let yaml = "title: T\nbase_url: https://t.example/\n";
        let config = crate::config::parse(yaml, root).ok().unwrap();
        let cache = LoadCache::default();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let mut titles = Vec::new();
        for title in ["One", "Two", "Six"] {
            std::fs::write(&path, format!("---\ntitle: {title}\n---\nBody.\n")).unwrap();
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(old).unwrap();
            drop(f);
            for _ in 0..2 {
                let c = load_with(root, &config, &mut Vec::new(), Some(&cache));
                titles.push(c.documents[0].title.clone());
            }
        }
        assert_eq!(titles, ["One", "One", "Two", "Two", "Six", "Six"]);
    }

    #[test]
    fn ancestors_nearest_first() {
        assert_eq!(ancestors("a/b/c.png").collect::<Vec<_>>(), vec!["a/b", "a"]);
    }

    /// A body read from its file is read again when rendered: the same text
    /// while the file is unchanged (also for comply's head without `---`),
    /// an error once the file changed, even at the same size; serve's
    /// cache and git versions keep theirs in memory.
    #[test]
    fn bodies_are_read_again_and_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let files = [
            ("a.md", "---\ntitle: A\n---\n# Héading\n\nBody one.\n"),
            ("b.md", "title: B\n---\nBody two.\n"),
        ];
        for (name, text) in files {
            std::fs::write(root.join("content").join(name), text).unwrap();
        }
        let config = crate::config::parse("title: T\n", root).ok().unwrap();
        let c = load(root, &config, &mut Vec::new());
        let bodies: Vec<String> = (c.documents.iter())
            .map(|d| d.body.read().unwrap().into_owned())
            .collect();
        assert_eq!(bodies, ["# Héading\n\nBody one.\n", "Body two.\n"]);
        assert!(
            c.documents
                .iter()
                .all(|d| matches!(d.body.0, BodySource::File { .. }))
        );

        std::fs::write(root.join("content/a.md"), files[0].1.replace("one", "ONE")).unwrap();
        let err = c.documents[0].body.read().unwrap_err();
        assert!(
            err.contains("changed while the site was being built"),
            "{err}"
        );
        std::fs::remove_file(root.join("content/b.md")).unwrap();
        assert!(
            c.documents[1]
                .body
                .read()
                .unwrap_err()
                .contains("cannot read again")
        );

        let cached = load_with(root, &config, &mut Vec::new(), Some(&LoadCache::default()));
        assert!(matches!(cached.documents[0].body.0, BodySource::Text(_)));
        assert_eq!(
            cached.documents[0].body.read().unwrap(),
            "# Héading\n\nBody ONE.\n"
        );
    }
}
