//! Rendered pages kept on disk (`build --cache DIR`): one file per page
//! under `DIR/pages/ab/abcd…` (the hex of its disk key, see
//! [`super::Keys::disk`]), holding everything [`DocPage`] carries, so a
//! warm build replays an unchanged document instead of rendering it.
//! Listings are kept the same way (a [`DocPage`] with only its page).
//!
//! An entry is, in order: [`MAGIC`], the format number [`FORMAT`] (u32),
//! the lengths (u64) of the page and of the metadata, the SHA-256 of the
//! metadata, the page's bytes (read straight into the buffer the output
//! gets: no copy) and the metadata (the key itself, output path, source,
//! the page's SHA-256, the search entry, heading ids, anchor checks, needed
//! files and warnings, each field length-prefixed). An entry
//! is used only when its magic, format and key match, the metadata hashes
//! to its SHA-256 and parses to the end, and the page bytes have their
//! length and SHA-256 (which the manifest needs anyway): a torn, truncated,
//! altered or old-format entry is rendered again and overwritten. Entries
//! are written aside and renamed into place (as [`crate::blobs`] does).
//! After each build the entries it did not use are deleted ([`Disk::sweep`]).

use super::{DocPage, Key, Page};
use crate::diag::{Diagnostic, Severity};
use crate::search::DocEntry;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// First bytes of every entry.
const MAGIC: &[u8] = b"trustsite kept page\n";

/// The entry format; bump it whenever the layout or [`DocPage`] changes.
pub(crate) const FORMAT: u32 = 1;

/// Pages kept in one folder.
pub(crate) struct Disk {
    dir: PathBuf,
    /// Keys this build read or wrote (kept by [`Disk::sweep`]).
    used: Mutex<HashSet<Key>>,
    /// Entries replayed and written this build (tests).
    hits: AtomicUsize,
    writes: AtomicUsize,
    error: Mutex<Option<String>>,
}

impl Disk {
    /// Keeps pages in `dir` (created when first written).
    pub fn new(dir: &Path) -> Self {
        Disk {
            dir: dir.to_path_buf(),
            used: Mutex::default(),
            hits: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
            error: Mutex::new(None),
        }
    }

    fn path(&self, key: &Key) -> PathBuf {
        let hex = crate::digest::hex(key);
        self.dir.join(&hex[..2]).join(hex)
    }

    /// The page kept under `key`, if its entry is intact.
    pub fn get(&self, key: &Key) -> Option<DocPage> {
        let file = std::fs::File::open(self.path(key)).ok()?;
        let len = file.metadata().ok()?.len();
        let page = read(key, file, len)?;
        lock(&self.used).insert(*key);
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(page)
    }

    /// Keeps `doc` (which has its page) under `key`; a failure is
    /// remembered ([`Disk::error`]), not fatal.
    pub fn put(&self, key: &Key, doc: &DocPage) {
        let Some(page) = &doc.page else { return };
        if page.sha.is_empty() {
            return; // not hashed (`check`): nothing to verify it by later
        }
        lock(&self.used).insert(*key);
        let path = self.path(key);
        let (head, meta) = encode(key, doc, page);
        let result = (|| {
            let dir = path.parent().unwrap_or(&path);
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            std::io::Write::write_all(&mut tmp, &head)?;
            std::io::Write::write_all(&mut tmp, &page.bytes)?;
            std::io::Write::write_all(&mut tmp, &meta)?;
            tmp.persist(&path).map(drop).map_err(|e| e.error)
        })();
        match result {
            Ok(()) => {
                self.writes.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                lock(&self.error).get_or_insert_with(|| format!("{}: {e}", path.display()));
            }
        }
    }

    /// Deletes every entry this build neither read nor wrote (entries of
    /// other configs, options, binaries, formats, and of pages since
    /// edited or removed), so the folder holds one entry per page of the
    /// last build. Names that are not entries (a concurrent build's
    /// temporary files) are left alone.
    pub fn sweep(&self) {
        let used = std::mem::take(&mut *lock(&self.used));
        let Ok(dirs) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for dir in dirs.filter_map(Result::ok) {
            let name = dir.file_name();
            let is_shard = name.len() == 2 && name.to_str().is_some_and(is_hex);
            if !is_shard || !dir.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Ok(files) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            for file in files.filter_map(Result::ok) {
                let name = file.file_name();
                let Some(key) = name.to_str().and_then(parse_key) else {
                    continue;
                };
                if !used.contains(&key) {
                    let _ = std::fs::remove_file(file.path());
                }
            }
        }
    }

    /// (entries replayed, entries written) since this store was opened.
    #[cfg(test)]
    pub fn counts(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.writes.load(Ordering::Relaxed),
        )
    }

    /// The first error writing an entry, if any (builds go on without it).
    pub fn error(&self) -> Option<String> {
        lock(&self.error).clone()
    }
}

/// The running binary's identity for keys: trustsite's version and the
/// executable's path, size, modification time and (on Unix) inode and
/// change time, which no copy or install keeps (None when they cannot be
/// read: then no page is kept on disk). A content hash of the executable
/// would cost more than a warm build saves on small sites.
pub(crate) fn binary() -> Option<&'static Key> {
    static BINARY: std::sync::OnceLock<Option<Key>> = std::sync::OnceLock::new();
    BINARY
        .get_or_init(|| {
            let exe = std::env::current_exe().ok()?;
            let meta = std::fs::metadata(&exe).ok()?;
            let modified = meta.modified().ok()?;
            let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
            let mut h = super::KeyHasher::new("binary");
            h.field(env!("CARGO_PKG_VERSION"))
                .field(exe.as_os_str().as_encoded_bytes())
                .number(meta.len())
                .field(since.as_nanos().to_le_bytes());
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                h.number(meta.dev())
                    .number(meta.ino())
                    .field(meta.ctime().to_le_bytes())
                    .field(meta.ctime_nsec().to_le_bytes());
            }
            Some(h.finish())
        })
        .as_ref()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn is_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The key a file name spells (64 lowercase hex digits), if it does.
fn parse_key(name: &str) -> Option<Key> {
    if name.len() != 64 || !is_hex(name) {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, b) in key.iter_mut().enumerate() {
        *b = u8::from_str_radix(&name[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

/// Length of the fixed head of an entry.
const HEAD: usize = MAGIC.len() + 4 + 8 + 8 + 32;

/// An entry's head and metadata (the page's bytes go between them).
fn encode(key: &Key, doc: &DocPage, page: &Page) -> (Vec<u8>, Vec<u8>) {
    let mut m = Out(Vec::with_capacity(4096));
    m.0.extend_from_slice(key);
    m.str(&doc.path);
    m.str(&doc.source);
    m.str(&page.sha);
    let (row, terms, weights) = doc.entry.parts();
    m.str(&row.0);
    m.str(&row.1);
    m.str(&row.2);
    m.num(usize::from(row.3));
    m.str(terms);
    m.num(weights.len());
    for (f, t) in weights {
        m.0.extend_from_slice(&[*f, *t]);
    }
    let mut ids: Vec<&String> = doc.ids.iter().collect();
    ids.sort();
    m.num(ids.len());
    ids.iter().for_each(|id| m.str(id));
    m.num(doc.checks.len());
    for (target, anchor, line, col) in &doc.checks {
        m.num(*target);
        m.str(anchor);
        m.num(*line);
        m.num(*col);
    }
    m.num(doc.needs.len());
    doc.needs.iter().for_each(|n| m.str(n));
    m.num(doc.diags.len());
    for d in &doc.diags {
        m.str(&d.path);
        m.num(d.line);
        m.num(d.col);
        m.num(usize::from(d.severity == Severity::Error));
        m.str(d.code);
        m.str(&d.message);
    }
    let meta = m.0;
    let mut head = Vec::with_capacity(HEAD);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&FORMAT.to_le_bytes());
    head.extend_from_slice(&(page.bytes.len() as u64).to_le_bytes());
    head.extend_from_slice(&(meta.len() as u64).to_le_bytes());
    head.extend_from_slice(&Sha256::digest(&meta));
    (head, meta)
}

/// The page the entry in `r` (`len` bytes long) holds, if it is intact, of
/// this format and for `key`.
fn read(key: &Key, mut r: impl std::io::Read, len: u64) -> Option<DocPage> {
    use std::io::Read;
    let mut head = [0u8; HEAD];
    r.read_exact(&mut head).ok()?;
    let rest = head.strip_prefix(MAGIC)?;
    let (format, rest) = rest.split_first_chunk::<4>()?;
    let (page_len, rest) = rest.split_first_chunk::<8>()?;
    let (meta_len, sum) = rest.split_first_chunk::<8>()?;
    let (page_len, meta_len) = (u64::from_le_bytes(*page_len), u64::from_le_bytes(*meta_len));
    if u32::from_le_bytes(*format) != FORMAT
        || Some(len) != page_len.checked_add(meta_len)?.checked_add(HEAD as u64)
    {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(page_len).ok()?);
    (&mut r).take(page_len).read_to_end(&mut bytes).ok()?;
    let mut meta = Vec::with_capacity(usize::try_from(meta_len).ok()?);
    r.take(meta_len).read_to_end(&mut meta).ok()?;
    if bytes.len() as u64 != page_len
        || meta.len() as u64 != meta_len
        || Sha256::digest(&meta).as_slice() != sum
    {
        return None;
    }
    decode(key, &meta, bytes)
}

/// The page of an entry from its metadata and page bytes (checked against
/// the SHA-256 the metadata gives).
fn decode(key: &Key, meta: &[u8], bytes: Vec<u8>) -> Option<DocPage> {
    let mut m = In(meta);
    if m.take(32)? != key.as_slice() {
        return None;
    }
    let path = m.str()?.to_string();
    let source = m.str()?.to_string();
    let sha = m.str()?.to_string();
    if sha != crate::digest::hex(&Sha256::digest(&bytes)) {
        return None;
    }
    let row = (
        m.str()?.to_string(),
        m.str()?.to_string(),
        m.str()?.to_string(),
        m.flag()?,
    );
    let terms = m.str()?.to_string();
    let weights = (0..m.count(2)?)
        .map(|_| Some((m.byte()?, m.byte()?)))
        .collect::<Option<Vec<_>>>()?;
    let entry = DocEntry::from_parts(row, terms, weights)?;
    let ids = (0..m.count(8)?)
        .map(|_| m.str().map(str::to_string))
        .collect::<Option<HashSet<_>>>()?;
    let checks = (0..m.count(32)?)
        .map(|_| Some((m.num()?, m.str()?.to_string(), m.num()?, m.num()?)))
        .collect::<Option<Vec<_>>>()?;
    let needs = (0..m.count(8)?)
        .map(|_| m.str().map(str::to_string))
        .collect::<Option<Vec<_>>>()?;
    let diags = (0..m.count(48)?)
        .map(|_| {
            Some(Diagnostic {
                path: m.str()?.to_string(),
                line: m.num()?,
                col: m.num()?,
                severity: if m.flag()? {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                code: intern(m.str()?),
                message: m.str()?.to_string(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    if !m.0.is_empty() {
        return None;
    }
    Some(DocPage {
        path,
        source,
        page: Some(Page {
            bytes: std::sync::Arc::new(bytes),
            sha,
        }),
        entry,
        ids,
        checks,
        needs,
        diags,
    })
}

/// A diagnostic code read back, as the `&'static str` diagnostics carry:
/// each distinct code is leaked once (codes are a short, fixed list).
fn intern(code: &str) -> &'static str {
    static CODES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut codes = lock(&CODES);
    let codes = codes.get_or_insert_with(HashSet::new);
    if let Some(known) = codes.get(code) {
        return known;
    }
    let leaked: &'static str = Box::leak(code.to_string().into_boxed_str());
    codes.insert(leaked);
    leaked
}

/// Length-prefixed fields, written.
struct Out(Vec<u8>);

impl Out {
    fn num(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.num(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// Length-prefixed fields, read back (None at any inconsistency).
struct In<'a>(&'a [u8]);

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn num(&mut self) -> Option<usize> {
        let (n, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        usize::try_from(u64::from_le_bytes(*n)).ok()
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn flag(&mut self) -> Option<bool> {
        match self.num()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.num()?;
        self.take(n)
    }

    fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    /// A count of items taking at least `min` bytes each: None when the
    /// rest cannot hold that many (no allocation from a bad length).
    fn count(&mut self, min: usize) -> Option<usize> {
        let n = self.num()?;
        (n.checked_mul(min)? <= self.0.len()).then_some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DocPage {
        let entry = DocEntry::from_parts(
            ("/a/".into(), "A".into(), "S".into(), false),
            "alpha\nbeta\n".into(),
            vec![(3, 1), (1, 2)],
        )
        .unwrap();
        DocPage {
            path: "a/index.html".into(),
            source: "content/a.md".into(),
            page: Some(Page {
                bytes: std::sync::Arc::new(b"<html>A</html>".to_vec()),
                sha: crate::digest::hex(&Sha256::digest(b"<html>A</html>")),
            }),
            entry,
            ids: ["scope".to_string(), "intro".to_string()].into(),
            checks: vec![(2, "scope".into(), 6, 5)],
            needs: vec!["a/logo.png".into()],
            diags: vec![
                Diagnostic::warning("content/a.md", 7, 3, "broken link `x.md`").code("link/broken"),
                Diagnostic::warning("content/a.md", 9, 0, "no code"),
            ],
        }
    }

    fn same(a: &DocPage, b: &DocPage) {
        assert_eq!((&a.path, &a.source), (&b.path, &b.source));
        let (pa, pb) = (a.page.as_ref().unwrap(), b.page.as_ref().unwrap());
        assert_eq!((&pa.bytes, &pa.sha), (&pb.bytes, &pb.sha));
        assert_eq!(a.entry.parts(), b.entry.parts());
        assert_eq!(a.ids, b.ids);
        assert_eq!(a.checks, b.checks);
        assert_eq!(a.needs, b.needs);
        assert_eq!(a.diags, b.diags);
    }

    #[test]
    fn an_entry_gives_back_every_field() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = Disk::new(tmp.path());
        let key = [9u8; 32];
        disk.put(&key, &sample());
        let back = Disk::new(tmp.path()).get(&key).unwrap();
        same(&sample(), &back);
        assert!(Disk::new(tmp.path()).get(&[8u8; 32]).is_none());
        assert_eq!((disk.counts(), disk.error()), ((0, 1), None));
    }

    #[test]
    fn torn_altered_misplaced_and_old_entries_are_never_used() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = Disk::new(tmp.path());
        let key = [9u8; 32];
        disk.put(&key, &sample());
        let path = disk.path(&key);
        let good = std::fs::read(&path).unwrap();
        let decode = |key: &Key, data: &[u8]| read(key, data, data.len() as u64);
        assert!(decode(&key, &good).is_some());
        // Every truncation, and a flipped bit anywhere, is refused.
        for n in 0..good.len() {
            assert!(decode(&key, &good[..n]).is_none(), "cut at {n}");
            let mut bad = good.clone();
            bad[n] ^= 0x20;
            assert!(decode(&key, &bad).is_none(), "byte {n} altered");
        }
        let mut longer = good.clone();
        longer.push(b'x');
        assert!(decode(&key, &longer).is_none(), "bytes appended");
        assert!(
            read(&key, &good[..], good.len() as u64 + 1).is_none(),
            "a shorter read"
        );
        // Another key's entry copied over this one.
        assert!(decode(&[1u8; 32], &good).is_none());
        // An older format with a matching checksum.
        let mut old = good.clone();
        old[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&(FORMAT - 1).to_le_bytes());
        assert!(decode(&key, &old).is_none());
        // A refused entry is a miss; a new put replaces it.
        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(disk.get(&key).is_none());
        disk.put(&key, &sample());
        same(&sample(), &disk.get(&key).unwrap());
    }

    #[test]
    fn sweeping_keeps_only_the_entries_used_since_the_last_sweep() {
        let tmp = tempfile::tempdir().unwrap();
        let first = Disk::new(tmp.path());
        for k in 1..=3u8 {
            first.put(&[k; 32], &sample());
        }
        first.sweep();
        let second = Disk::new(tmp.path());
        assert!(second.get(&[1u8; 32]).is_some());
        second.put(&[4u8; 32], &sample());
        let stray = tmp.path().join("01").join(".tmpXYZ");
        std::fs::write(&stray, "a concurrent write").unwrap();
        second.sweep();
        let third = Disk::new(tmp.path());
        let kept: Vec<bool> = (1..=4u8).map(|k| third.get(&[k; 32]).is_some()).collect();
        assert_eq!(kept, [true, false, false, true]);
        assert!(stray.exists(), "a name that is not an entry is left alone");
    }
}
