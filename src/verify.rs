//! `verify`: check a built site against its manifest.json (and, with
//! `--allowed-signers`, the manifest against its signature).
//!
//! Order: the signature first (nothing else is believed when it fails),
//! then the manifest's age (`--max-age`, against `build_time`: a mirror
//! cannot serve an old signed release forever), then every file. Only
//! regular files are read: a symbolic link, FIFO, socket or device in the
//! folder is reported by its type and never opened, and files are hashed
//! as they stream, so nothing in the folder can hang or exhaust `verify`.
//! Beyond the `files` map it checks the output marker's fixed text, that
//! each document page shows the `source_sha256` the manifest lists, and
//! every entry of the download bundle (which the manifest names instead
//! of hashing, since the bundle holds the manifest). Pure reading.

use crate::manifest::{FILE, Manifest};
use crate::output::{MARKER, MARKER_TEXT};
use crate::sign::SIG_FILE;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest manifest, signature, page or marker read whole.
const MAX_SMALL: u64 = 256 << 20;

/// What the verifier asks for beyond the hashes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// OpenSSH `allowed_signers` file: check `manifest.json.sig` first.
    pub allowed_signers: Option<PathBuf>,
    /// Principal to look up (default: the host of the manifest's base_url).
    pub principal: Option<String>,
    /// Refuse a manifest whose `build_time` is older than this.
    pub max_age: Option<jiff::SignedDuration>,
    /// "Now" for `max_age`.
    pub now: Option<jiff::Timestamp>,
}

/// The outcome of a verification that could run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Problems, one line each (empty: the site matches).
    pub problems: Vec<String>,
    /// The key that signed the manifest, when the signature was checked
    /// and is good.
    pub signed_by: Option<String>,
    /// Whether the folder has a `manifest.json.sig` (checked or not).
    pub has_signature: bool,
}

/// Verifies the built site in `dir`; Err: it could not run (exit 2).
pub fn verify(dir: &Path, opts: &Options) -> Result<Report, String> {
    let mut report = Report::default();
    let manifest_bytes = match read_small(dir, FILE) {
        Ok(b) => b,
        Err(Unreadable::Io(e)) => {
            return Err(format!("cannot read {}: {e}", dir.join(FILE).display()));
        }
        Err(Unreadable::Kind(kind)) => {
            report
                .problems
                .push(format!("not a regular file: {FILE} ({kind})"));
            return Ok(report);
        }
    };
    let text = String::from_utf8(manifest_bytes.clone())
        .map_err(|_| format!("{FILE} is not UTF-8 text"))?;
    let manifest = Manifest::parse(&text)?;
    let sig = read_optional(dir, SIG_FILE, &mut report.problems);
    report.has_signature = sig.is_some();
    if let Some(path) = &opts.allowed_signers {
        match check_signature(path, opts, &manifest, &manifest_bytes, sig.as_deref())? {
            Ok(by) => report.signed_by = Some(by),
            Err(problem) => {
                report.problems.push(problem);
                return Ok(report);
            }
        }
    }
    if let (Some(max), Some(now)) = (opts.max_age, opts.now) {
        report.problems.extend(check_age(&manifest, max, now));
    }
    let tree = walk(dir)?;
    report.problems.extend(tree.special.iter().cloned());
    report.problems.extend(check_marker(dir, &tree));
    report.problems.extend(check_files(&manifest, &tree));
    report.problems.extend(check_pages(dir, &manifest, &tree));
    if let Some(bundle) = &manifest.bundle {
        report.problems.extend(check_bundle(
            dir,
            bundle,
            &manifest,
            &manifest_bytes,
            sig.as_deref(),
            &tree,
        ));
    }
    Ok(report)
}

/// The signature check: Err(_) could not run, Ok(Err(problem)) a finding.
fn check_signature(
    allowed_signers: &Path,
    opts: &Options,
    manifest: &Manifest,
    manifest_bytes: &[u8],
    sig: Option<&[u8]>,
) -> Result<Result<String, String>, String> {
    let text = std::fs::read_to_string(allowed_signers)
        .map_err(|e| format!("--allowed-signers {}: {e}", allowed_signers.display()))?;
    let allowed = crate::sign::parse_allowed_signers(&text)
        .map_err(|e| format!("--allowed-signers {}: {e}", allowed_signers.display()))?;
    let principal = match &opts.principal {
        Some(p) => p.clone(),
        None => host_of(&manifest.base_url).ok_or_else(|| {
            format!(
                "the manifest's base_url `{}` names no host to look up in the allowed signers; pass --principal",
                manifest.base_url
            )
        })?,
    };
    let Some(sig) = sig else {
        return Ok(Err(format!(
            "missing: {SIG_FILE} (the manifest is not signed; --allowed-signers requires a signature)"
        )));
    };
    let Ok(sig) = std::str::from_utf8(sig) else {
        return Ok(Err(format!(
            "{SIG_FILE} is not an SSH signature (not text)"
        )));
    };
    Ok(crate::sign::check(
        manifest_bytes,
        sig,
        &principal,
        &allowed,
    ))
}

/// The host of an absolute `http(s)://` URL, lowercased, without port.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next()?
    } else {
        host.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn check_age(
    manifest: &Manifest,
    max: jiff::SignedDuration,
    now: jiff::Timestamp,
) -> Option<String> {
    let Ok(built) = manifest.build_time.parse::<jiff::Timestamp>() else {
        return Some(format!(
            "stale: the manifest's build_time `{}` is not a timestamp, so its age cannot be checked",
            manifest.build_time
        ));
    };
    let age = now.duration_since(built);
    (age > max).then(|| {
        format!(
            "stale: the manifest was built {} ({} hours ago), longer ago than --max-age allows ({} hours): a newer release should have replaced it",
            manifest.build_time,
            age.as_hours(),
            max.as_hours()
        )
    })
}

/// Parses `--max-age`: a number and a unit, `30d`, `2w`, `12h`, `90m`, `3600s`.
pub fn parse_max_age(s: &str) -> Result<jiff::SignedDuration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("`{s}`: expected a number and a unit, e.g. 30d, 12h"))?;
    let secs = match unit {
        "w" => 7 * 86_400,
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => {
            return Err(format!(
                "`{s}`: the unit must be w, d, h, m or s (e.g. 30d)"
            ));
        }
    };
    n.checked_mul(secs)
        .map(jiff::SignedDuration::from_secs)
        .ok_or_else(|| format!("`{s}` is too long"))
}

/// The folder's regular files (hashed) and everything else (reported).
struct Tree {
    hashes: BTreeMap<String, String>,
    special: Vec<String>,
}

fn walk(dir: &Path) -> Result<Tree, String> {
    let mut tree = Tree {
        hashes: BTreeMap::new(),
        special: Vec::new(),
    };
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| e.to_string())?;
        let rel = entry.path().strip_prefix(dir).map_err(|e| e.to_string())?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            tree.special.push(format!(
                "not a regular file: {rel} ({}); never opened",
                kind_of(&ft)
            ));
            continue;
        }
        match open_regular(entry.path()) {
            Ok(mut f) => {
                let mut h = Sha256::new();
                std::io::copy(&mut f, &mut h).map_err(|e| format!("{rel}: {e}"))?;
                tree.hashes.insert(rel, crate::digest::hex(&h.finalize()));
            }
            Err(Unreadable::Kind(kind)) => tree
                .special
                .push(format!("not a regular file: {rel} ({kind}); never opened")),
            Err(Unreadable::Io(e)) => return Err(format!("{rel}: {e}")),
        }
    }
    Ok(tree)
}

enum Unreadable {
    /// Not a regular file: its kind.
    Kind(&'static str),
    /// An I/O error.
    Io(std::io::Error),
}

fn kind_of(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
    }
    if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Opens `path` only if it is a regular file: never follows a link, never
/// blocks on a FIFO, and re-checks the type of what was opened.
fn open_regular(path: &Path) -> Result<std::fs::File, Unreadable> {
    let meta = std::fs::symlink_metadata(path).map_err(Unreadable::Io)?;
    if !meta.is_file() {
        return Err(Unreadable::Kind(kind_of(&meta.file_type())));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let f = options.open(path).map_err(Unreadable::Io)?;
    let meta = f.metadata().map_err(Unreadable::Io)?;
    if !meta.is_file() {
        return Err(Unreadable::Kind(kind_of(&meta.file_type())));
    }
    Ok(f)
}

/// A regular file's bytes, at most [`MAX_SMALL`].
fn read_small(dir: &Path, rel: &str) -> Result<Vec<u8>, Unreadable> {
    let f = open_regular(&dir.join(rel))?;
    let mut bytes = Vec::new();
    f.take(MAX_SMALL)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    Ok(bytes)
}

/// A file that may be absent (None); a non-regular one is a problem.
fn read_optional(dir: &Path, rel: &str, problems: &mut Vec<String>) -> Option<Vec<u8>> {
    match read_small(dir, rel) {
        Ok(b) => Some(b),
        Err(Unreadable::Kind(_)) => None,
        Err(Unreadable::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(Unreadable::Io(e)) => {
            problems.push(format!("unreadable: {rel} ({e})"));
            None
        }
    }
}

/// The marker, when present, must hold exactly trustsite's fixed text.
fn check_marker(dir: &Path, tree: &Tree) -> Option<String> {
    if !tree.hashes.contains_key(MARKER) {
        return None;
    }
    match read_small(dir, MARKER) {
        Ok(b) if b == MARKER_TEXT.as_bytes() => None,
        _ => Some(format!(
            "changed: {MARKER} (it must hold trustsite's fixed marker text and nothing else)"
        )),
    }
}

fn is_unlisted(path: &str, manifest: &Manifest) -> bool {
    path == FILE || path == SIG_FILE || path == MARKER || manifest.bundle.as_deref() == Some(path)
}

fn check_files(manifest: &Manifest, tree: &Tree) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, want) in &manifest.files {
        match tree.hashes.get(path) {
            None => problems.push(format!("missing: {path}")),
            Some(got) if got != want => problems.push(format!(
                "changed: {path} (sha256 {got}, manifest says {want})"
            )),
            Some(_) => {}
        }
    }
    for path in tree.hashes.keys() {
        if !manifest.files.contains_key(path) && !is_unlisted(path, manifest) {
            problems.push(format!("added: {path}"));
        }
    }
    problems
}

/// Each document's page must show the `source_sha256` the manifest lists
/// (the default theme prints it in `<code ... id="ts-sha256">`).
fn check_pages(dir: &Path, manifest: &Manifest, tree: &Tree) -> Vec<String> {
    let mut problems = Vec::new();
    for doc in &manifest.documents {
        let Some(rel) = doc.url.strip_prefix(&manifest.base_url) else {
            problems.push(format!(
                "document `{}`: url {} is outside base_url {}",
                doc.id, doc.url, manifest.base_url
            ));
            continue;
        };
        let page = format!("{rel}index.html");
        if !tree.hashes.contains_key(&page) {
            continue;
        }
        let Ok(bytes) = read_small(dir, &page) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let Some(at) = text.find("id=\"ts-sha256\">") else {
            continue;
        };
        let shown: String = text[at + 15..].chars().take(64).collect();
        if shown != doc.source_sha256 {
            problems.push(format!(
                "mismatch: {page} shows SHA-256 {shown} for document `{}`, the manifest lists {}",
                doc.id, doc.source_sha256
            ));
        }
    }
    problems
}

fn check_bundle(
    dir: &Path,
    bundle: &str,
    manifest: &Manifest,
    manifest_bytes: &[u8],
    sig: Option<&[u8]>,
    tree: &Tree,
) -> Vec<String> {
    if bundle
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return vec![format!("invalid: the manifest's bundle path `{bundle}`")];
    }
    if !tree.hashes.contains_key(bundle) {
        return vec![format!("missing: {bundle}")];
    }
    let entries = match open_regular(&dir.join(bundle)) {
        Ok(f) => match crate::bundle::read(f, crate::bundle::top_folder(bundle)) {
            Ok(e) => e,
            Err(e) => return vec![format!("changed: {bundle} ({e})")],
        },
        Err(_) => return vec![format!("unreadable: {bundle}")],
    };
    let sha = |b: &[u8]| crate::digest::hex(&Sha256::digest(b));
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    expected.insert(FILE.into(), sha(manifest_bytes));
    if let Some(sig) = sig {
        expected.insert(SIG_FILE.into(), sha(sig));
    }
    let mut required: Vec<String> = expected.keys().cloned().collect();
    for d in manifest
        .documents
        .iter()
        .filter(|d| d.visibility == crate::frontmatter::Visibility::Public)
    {
        expected.insert(d.source.clone(), d.source_sha256.clone());
    }
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for e in &entries {
        let name = &e.name;
        if seen.insert(name.clone(), e.sha256.clone()).is_some() {
            problems.push(format!("changed: {bundle}: entry `{name}` appears twice"));
            continue;
        }
        if name == crate::bundle::SUMS {
            continue;
        }
        let want = match name.strip_prefix("public/") {
            Some(out) => manifest.files.get(out),
            None => expected.get(name),
        };
        match want {
            None => problems.push(format!(
                "added: {bundle}: entry `{name}` is not in the manifest"
            )),
            Some(w) if *w != e.sha256 => problems.push(format!(
                "changed: {bundle}: entry `{name}` (sha256 {}, manifest says {w})",
                e.sha256
            )),
            Some(_) => {}
        }
    }
    required.retain(|n| !seen.contains_key(n));
    for name in required {
        problems.push(format!("missing: {bundle}: entry `{name}`"));
    }
    problems.extend(check_sums(bundle, &entries, &seen));
    problems
}

/// `SHA256SUMS` must list every other entry once, with its hash.
fn check_sums(
    bundle: &str,
    entries: &[crate::bundle::ReadEntry],
    seen: &BTreeMap<String, String>,
) -> Vec<String> {
    let Some(sums) = entries.iter().find(|e| e.name == crate::bundle::SUMS) else {
        return vec![format!(
            "missing: {bundle}: entry `{}`",
            crate::bundle::SUMS
        )];
    };
    let text = String::from_utf8_lossy(sums.bytes.as_deref().unwrap_or_default()).into_owned();
    let mut listed = BTreeMap::new();
    for line in text.lines() {
        let (hash, name) = line.split_once("  ").unwrap_or((line, ""));
        listed.insert(name.to_string(), hash.to_string());
    }
    let mut actual = seen.clone();
    actual.remove(crate::bundle::SUMS);
    if listed == actual {
        Vec::new()
    } else {
        vec![format!(
            "changed: {bundle}: {} does not list exactly the bundle's other entries and their SHA-256s",
            crate::bundle::SUMS
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_principal_is_the_host_of_base_url() {
        assert_eq!(
            host_of("https://Trust.Example.com/"),
            Some("trust.example.com".into())
        );
        assert_eq!(
            host_of("https://trust.example.com:8443/sub/"),
            Some("trust.example.com".into())
        );
        assert_eq!(host_of("https://u@h.example/x"), Some("h.example".into()));
        assert_eq!(host_of("/trust/"), None);
    }

    #[test]
    fn devices_and_links_are_never_opened() {
        assert!(matches!(
            open_regular(Path::new("/dev/null")),
            Err(Unreadable::Kind("a device"))
        ));
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("z")).unwrap();
        assert!(matches!(
            open_regular(&dir.path().join("z")),
            Err(Unreadable::Kind("a symbolic link"))
        ));
        let tree = walk(dir.path()).unwrap();
        assert!(tree.hashes.is_empty());
        assert_eq!(
            tree.special,
            ["not a regular file: z (a symbolic link); never opened"]
        );
    }

    #[test]
    fn max_age_takes_a_number_and_a_unit() {
        assert_eq!(parse_max_age("30d").unwrap().as_secs(), 30 * 86_400);
        assert_eq!(parse_max_age("12h").unwrap().as_secs(), 12 * 3_600);
        assert!(parse_max_age("30").is_err());
        assert!(parse_max_age("d").is_err());
        assert!(parse_max_age("99999999999999999w").is_err());
    }
}
