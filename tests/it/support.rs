//! The one harness of the integration tests: a site in a temp dir (a copy of
//! a fixture, of the repository's example site, or empty), the real binary
//! run on it under a watchdog, the output tree read back, and (in
//! [`server`]) `trustsite serve` on a free port with a tiny HTTP/1.1 client
//! and event-stream reader.
//!
//! Every run of the binary to its end goes through [`output`] (the `trycmd`
//! cases in `cli_cases.rs` aside): it fails the test when the binary panics
//! (exit 101), dies from a signal or outlives its time limit, so no case can
//! hang `cargo test` or pass on a crash. A [`server::Server`] fails its test
//! when any thread of the server panicked.
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub mod server;

/// 2026-11-22T00:00:00Z: the instant every run is pinned to.
pub const EPOCH: &str = "1795305600";
/// The same day, for `--today`.
pub const TODAY: &str = "2026-11-22";

/// Generous bound for anything that should take well under a second, and
/// the longest one run of the binary may take before it counts as a hang
/// (a debug build on two busy cores).
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The repository root (the example site).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site folder in a fresh temp dir; the dir is deleted on drop.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// An empty folder.
    pub fn empty() -> Site {
        Site {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        let site = Site::empty();
        copy_tree(&repo().join("tests/fixtures").join(name), site.root());
        site
    }

    /// A copy of the repository's example site (`trust.yaml` and `content/`).
    pub fn example() -> Site {
        let site = Site::empty();
        copy_tree(&repo().join("content"), &site.path("content"));
        std::fs::copy(repo().join("trust.yaml"), site.path("trust.yaml")).unwrap();
        site
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
        self.run(&["build", "--today", TODAY])
    }

    /// `build --today TODAY --output OUT [--cache CACHE]`, which must
    /// succeed; its stderr (the warnings).
    pub fn build_into(&self, out: &Path, cache: Option<&Path>) -> String {
        let mut args = vec!["build", "--today", TODAY, "--output", out.to_str().unwrap()];
        if let Some(c) = cache {
            args.extend(["--cache", c.to_str().unwrap()]);
        }
        let o = self.run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    }
}

/// The binary with SOURCE_DATE_EPOCH pinned, NO_COLOR and no backtraces;
/// add arguments and environment, then run it with [`output`]:
/// `output(command().args([..]).env(..))`.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trustsite"));
    cmd.env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null());
    cmd
}

/// Runs `trustsite ARGS` (see [`command`]).
pub fn trustsite(args: &[&str]) -> Output {
    output(command().args(args))
}

/// Runs `trustsite ARGS` in the folder `cwd` (see [`command`]).
pub fn trustsite_in(cwd: &Path, args: &[&str]) -> Output {
    output(command().current_dir(cwd).args(args))
}

/// Runs a [`command`] to the end under a [`PATIENCE`] watchdog.
pub fn output(cmd: &mut Command) -> Output {
    output_within(cmd, PATIENCE)
}

/// Runs `cmd` to the end; fails the test when it takes longer than
/// `limit` (killed: a hang), dies from a signal or panics (exit 101).
pub fn output_within(cmd: &mut Command, limit: Duration) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("{what} hung: killed after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        status.code().is_some(),
        "{what} was killed by a signal: {status:?}\n{err}"
    );
    assert!(
        status.code() != Some(101) && !err.contains("panicked"),
        "{what} panicked:\n{err}"
    );
    out
}

/// Reads a pipe to the end on a thread, so a chatty child never blocks.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        pipe.read_to_end(&mut bytes).ok();
        bytes
    })
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copies a folder tree (links are copied as what they point to).
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

/// `git` in `dir` with a clean, pinned environment (never the user's config).
pub fn git(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ann Author")
        .env("GIT_AUTHOR_EMAIL", "ann@example.org")
        .env("GIT_COMMITTER_NAME", "Ann Author")
        .env("GIT_COMMITTER_EMAIL", "ann@example.org")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("the `git` program is needed by these tests (.ci/run installs it)");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Polls `f` every 20 ms until it returns `Some`, or panics after [`PATIENCE`].
pub fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
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
        TODAY,
    ]);
    (dir, out, o)
}

/// The example site built once per test process ([`build_example`]): its
/// output folder, shared by every test that only reads it (never write
/// into it: take an [`example_copy`]), and the build's output.
pub fn example() -> (&'static Path, &'static Output) {
    struct Built {
        dir: PathBuf,
        out: PathBuf,
        output: Output,
    }
    static BUILT: OnceLock<Built> = OnceLock::new();
    /// Deletes the shared build when the test process exits.
    extern "C" fn remove() {
        if let Some(built) = BUILT.get() {
            let _ = std::fs::remove_dir_all(&built.dir);
        }
    }
    let built = BUILT.get_or_init(|| {
        let (dir, out, output) = build_example();
        // SAFETY: `remove` is a plain function that touches only the static.
        unsafe { libc::atexit(remove) };
        Built {
            dir: dir.keep(),
            out,
            output,
        }
    });
    (&built.out, &built.output)
}

/// The shared example build ([`example`]), which must have succeeded.
pub fn built_example() -> &'static Path {
    let (out, o) = example();
    assert!(o.status.success(), "{}", stderr(o));
    out
}

/// A private copy of the example build's output, for a test that changes it.
pub fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    copy_tree(built_example(), &out);
    (dir, out)
}

/// A read-only corpus under `../shared/corpora/` (`rel` inside it), or
/// under `$TRUSTSITE_CORPORA` when set. A missing corpus fails the test with
/// a clear message, unless `TRUSTSITE_NO_CORPORA=1` says to skip corpus
/// tests (then `None`, and the skip is printed).
pub fn corpus(rel: &str) -> Option<PathBuf> {
    // `../shared` beside the repository; a worktree sits one level deeper.
    let mut roots: Vec<PathBuf> = std::env::var_os("TRUSTSITE_CORPORA")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    roots.push(repo().join("../shared/corpora"));
    roots.push(repo().join("../../shared/corpora"));
    let tried: Vec<PathBuf> = roots.iter().map(|r| r.join(rel)).collect();
    if let Some(found) = tried.iter().find(|p| p.is_dir()) {
        return Some(found.clone());
    }
    let looked = tried
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    assert!(
        std::env::var_os("TRUSTSITE_NO_CORPORA").is_some_and(|v| v == "1"),
        "corpus `{rel}` is missing (looked in {looked}): put the shared corpora beside the \
         repository or set TRUSTSITE_CORPORA to the folder holding them, or set \
         TRUSTSITE_NO_CORPORA=1 to skip the corpus tests"
    );
    eprintln!("SKIPPED (TRUSTSITE_NO_CORPORA=1): corpus `{rel}` not present");
    None
}

/// The problems of a `check --format json` report that carry `code`.
pub fn problems_with_code<'a>(
    report: &'a serde_json::Value,
    code: &str,
) -> Vec<&'a serde_json::Value> {
    report["problems"]
        .as_array()
        .expect("a check report has problems")
        .iter()
        .filter(|p| p["code"] == code)
        .collect()
}
