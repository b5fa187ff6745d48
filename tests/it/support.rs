//! Helpers: copy a fixture into a temp dir, run the binary, read output trees.
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The repository root (the example site).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture copied into a fresh temp dir; the dir is deleted on drop.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn fixture(name: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&repo().join("tests/fixtures").join(name), dir.path());
        Site { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Runs `trustsite ARGS --root <site>` with pinned time.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        let root = self.root().to_str().unwrap().to_string();
        all.push("--root");
        all.push(&root);
        trustsite(&all)
    }

    pub fn build(&self) -> Output {
        self.run(&["build", "--today", "2026-11-22"])
    }
}

/// Runs the binary with SOURCE_DATE_EPOCH pinned and NO_COLOR.
pub fn trustsite(args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("trustsite")
        .unwrap()
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1795305600")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, by relative path.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Builds the repository's example site into a temp dir (pinned date);
/// returns the dir guard, the output folder and the build's output.
pub fn build_example() -> (tempfile::TempDir, PathBuf, Output) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let root = repo();
    let o = trustsite(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--today",
        "2026-11-22",
    ]);
    (dir, out, o)
}

/// [`build_example`] that must succeed.
pub fn built_example() -> (tempfile::TempDir, PathBuf) {
    let (dir, out, o) = build_example();
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, out)
}

/// A read-only corpus under `../shared/corpora/` (`rel` inside it). A
/// missing corpus fails the test with a clear message, unless
/// `TRUSTSITE_NO_CORPORA=1` says to skip corpus tests (then `None`, and
/// the skip is printed).
pub fn corpus(rel: &str) -> Option<PathBuf> {
    let rel = format!("shared/corpora/{rel}");
    // `../shared` beside the repository; a worktree sits one level deeper.
    let beside = repo().join("..").join(&rel);
    let deeper = repo().join("../..").join(&rel);
    if let Some(found) = [&beside, &deeper].into_iter().find(|p| p.is_dir()) {
        return Some(found.clone());
    }
    assert!(
        std::env::var_os("TRUSTSITE_NO_CORPORA").is_some_and(|v| v == "1"),
        "corpus {} is missing: put the shared corpora beside the repository, \
         or set TRUSTSITE_NO_CORPORA=1 to skip the corpus tests",
        beside.display()
    );
    eprintln!(
        "SKIPPED (TRUSTSITE_NO_CORPORA=1): {} not present",
        beside.display()
    );
    None
}
