//! Reading history with the `git` program: one `git log` pass, one `git cat-file --batch`.
//!
//! [`Repo::discover`] finds the repository holding a folder (or says why
//! there is none); [`Repo::log`] lists every first-parent commit that changed
//! a file under a path prefix, with the blob id each change left;
//! [`Repo::blobs`] reads many blobs through one `cat-file --batch` process.
//! Every run of git gets a fixed environment (`LC_ALL=C`, `TZ=UTC`, no system
//! config, no pager, no prompts, stdin closed) so its output is the same on
//! every machine. This module knows nothing of documents or versions
//! (the versions module does); it does no parsing beyond git's own formats.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why history could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitError {
    /// No repository holds the folder, or git is not installed: the feature
    /// is off (a note, not a problem).
    Absent(String),
    /// The repository is a shallow clone: dates and versions would be wrong.
    Shallow,
    /// git ran and failed.
    Failed(String),
}

/// A repository found around a site.
#[derive(Debug, Clone)]
pub struct Repo {
    /// Top-level folder of the work tree.
    pub toplevel: PathBuf,
    /// The git directory (`.git`, or a worktree's own folder).
    pub git_dir: PathBuf,
    /// Path of the site root inside the repository (`""` or `docs/trust/`).
    pub prefix: String,
}

/// One file changed by a commit (first-parent diff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Path before a rename (None otherwise).
    pub from: Option<String>,
    /// Path after the change (repository-relative).
    pub path: String,
    /// Whether the file was added (nothing older belongs to it).
    pub added: bool,
    /// Blob id after the change; None when the file was deleted (or is not
    /// a regular file any more).
    pub blob: Option<String>,
}

/// One first-parent commit that changed something under the logged path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Full commit id.
    pub id: String,
    /// Committer time, seconds since the epoch (when it reached the branch).
    pub time: i64,
    /// Whether the commit message carries the configured review trailer.
    pub trailer: bool,
    /// Author name, when asked for (never read otherwise).
    pub author: Option<String>,
    /// Files it changed.
    pub changes: Vec<Change>,
}

/// A `git` command with the fixed environment.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .args(["-c", "core.quotepath=off", "-c", "log.showSignature=false"])
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        // No network (a partial clone's missing blob is an error, not a
        // fetch) and no local replace refs (every clone reads the same).
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env_remove("GIT_EXTERNAL_DIFF")
        .stdin(Stdio::null());
    c
}

/// Runs `cmd` and returns its stdout, or git's message.
fn output(mut cmd: Command) -> Result<Vec<u8>, GitError> {
    let out = cmd.stderr(Stdio::piped()).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            GitError::Absent("the `git` program is not installed".to_string())
        } else {
            GitError::Failed(format!("cannot run git: {e}"))
        }
    })?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        Err(GitError::Failed(msg))
    }
}

impl Repo {
    /// The repository holding `dir` (a site root), or why there is none.
    pub fn discover(dir: &Path) -> Result<Repo, GitError> {
        let mut cmd = git(dir);
        cmd.args([
            "rev-parse",
            "--show-toplevel",
            "--absolute-git-dir",
            "--show-prefix",
            "--is-shallow-repository",
        ]);
        let out = match output(cmd) {
            Ok(out) => out,
            // git's own wording (LC_ALL=C): the one failure that means "off".
            Err(GitError::Failed(m)) if m.contains("not a git repository") => {
                return Err(GitError::Absent(
                    "the site is not in a git repository".to_string(),
                ));
            }
            Err(GitError::Failed(m)) if m.contains("must be run in a work tree") => {
                return Err(GitError::Absent(
                    "the site is not in a git work tree".to_string(),
                ));
            }
            // CI containers often run as another user than the checkout's
            // owner: versions are off (with a note saying why), the build goes on.
            Err(GitError::Failed(m)) if m.contains("dubious ownership") => {
                return Err(GitError::Absent(
                    "git refuses to read the repository (dubious ownership: add it with `git config --global --add safe.directory <path>`)".to_string(),
                ));
            }
            Err(e) => return Err(e),
        };
        let text = String::from_utf8_lossy(&out);
        let lines: Vec<&str> = text.lines().collect();
        let [toplevel, git_dir, prefix, shallow] = lines[..] else {
            return Err(GitError::Failed(format!(
                "unexpected `git rev-parse` output: {text:?}"
            )));
        };
        if shallow == "true" {
            return Err(GitError::Shallow);
        }
        Ok(Repo {
            toplevel: PathBuf::from(toplevel),
            git_dir: PathBuf::from(git_dir),
            prefix: prefix.to_string(),
        })
    }

    /// The commit id of HEAD, or None in a repository without commits.
    pub fn head(&self) -> Result<Option<String>, GitError> {
        let mut cmd = git(&self.toplevel);
        cmd.args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
        let out = cmd
            .stderr(Stdio::null())
            .output()
            .map_err(|e| GitError::Failed(format!("cannot run git: {e}")))?;
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok((out.status.success() && !id.is_empty()).then_some(id))
    }

    /// Every first-parent commit of `head` that changed a file under
    /// `path` (repository-relative folder ending in `/`), newest first.
    /// Renames are detected (`-M`). `trailer` names a commit-message trailer
    /// key (letters, digits, `-`) whose presence is recorded; `authors`
    /// reads author names (mailmap applied).
    pub fn log(
        &self,
        head: &str,
        path: &str,
        trailer: Option<&str>,
        authors: bool,
    ) -> Result<Vec<Commit>, GitError> {
        let mut format = "--format=%x01%H %ct%x02".to_string();
        if authors {
            format.push_str("%aN");
        }
        format.push_str("%x02");
        if let Some(key) = trailer.filter(|k| is_trailer_key(k)) {
            format.push_str(&format!("%(trailers:key={key},valueonly,separator=%x20)"));
        }
        let mut cmd = git(&self.toplevel);
        cmd.args([
            "log",
            "--first-parent",
            "-m",
            "--raw",
            "-z",
            "--no-abbrev",
            "-M",
            "--no-color",
            "--no-show-signature",
            &format,
            head,
            "--",
        ])
        .arg(format!(":(top,literal){path}"));
        parse_log(&output(cmd)?).map_err(GitError::Failed)
    }

    /// The bytes of each blob in `ids` (read through one `cat-file --batch`).
    pub fn blobs(&self, ids: &[String]) -> Result<HashMap<String, Vec<u8>>, GitError> {
        let mut child = git(&self.toplevel)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| GitError::Failed(format!("cannot run git cat-file: {e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| GitError::Failed("git cat-file: no stdin".into()))?;
        let input: Vec<u8> = ids
            .iter()
            .flat_map(|id| format!("{id}\n").into_bytes())
            .collect();
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| GitError::Failed("git cat-file: no stdout".into()))?;
        let read = read_batch(BufReader::with_capacity(1 << 16, stdout), ids);
        let wrote = writer.join();
        let status = child.wait();
        let blobs = read.map_err(GitError::Failed)?;
        match (wrote, status) {
            (Ok(Ok(())), Ok(s)) if s.success() => Ok(blobs),
            _ => Err(GitError::Failed("git cat-file --batch failed".into())),
        }
    }
}

/// A trailer key safe to put in a `--format` (letters, digits, `-`).
pub fn is_trailer_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Reads `cat-file --batch` answers for `ids`, in order.
fn read_batch(mut r: impl BufRead, ids: &[String]) -> Result<HashMap<String, Vec<u8>>, String> {
    let mut out = HashMap::with_capacity(ids.len());
    let mut line = String::new();
    for id in ids {
        line.clear();
        r.read_line(&mut line).map_err(|e| e.to_string())?;
        let mut parts = line.split_whitespace();
        let (Some(_), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("git cat-file: object {id} is missing"));
        };
        let size: usize = size
            .parse()
            .map_err(|_| format!("git cat-file: bad size for {id}"))?;
        let mut bytes = vec![0; size + 1];
        r.read_exact(&mut bytes).map_err(|e| e.to_string())?;
        bytes.pop();
        if kind == "blob" {
            out.insert(id.clone(), bytes);
        }
    }
    Ok(out)
}

/// Parses `git log --raw -z` output in the format [`Repo::log`] asks for.
pub fn parse_log(bytes: &[u8]) -> Result<Vec<Commit>, String> {
    let mut commits = Vec::new();
    let mut fields = bytes.split(|b| *b == 0).peekable();
    let text = |f: &[u8]| String::from_utf8_lossy(f).into_owned();
    while let Some(field) = fields.next() {
        let field = field.strip_prefix(b"\n").unwrap_or(field);
        if field.is_empty() {
            continue;
        }
        if let Some(header) = field.strip_prefix(b"\x01") {
            commits.push(parse_header(&text(header))?);
            continue;
        }
        let Some(raw) = field.strip_prefix(b":") else {
            return Err(format!("unexpected git log output near {:?}", text(field)));
        };
        let raw = text(raw);
        let parts: Vec<&str> = raw.split(' ').collect();
        let [_, mode, _, blob, status] = parts[..] else {
            return Err(format!("unexpected git log entry {raw:?}"));
        };
        let first = text(fields.next().ok_or("truncated git log entry")?);
        let (from, path) = if status.starts_with('R') || status.starts_with('C') {
            let second = text(fields.next().ok_or("truncated git log entry")?);
            (status.starts_with('R').then_some(first), second)
        } else {
            (None, first)
        };
        let regular = mode.starts_with("100");
        let deleted = status.starts_with('D') || !regular || blob.bytes().all(|b| b == b'0');
        let change = Change {
            added: status.starts_with('A') || status.starts_with('C'),
            from,
            path,
            blob: (!deleted).then(|| blob.to_string()),
        };
        commits
            .last_mut()
            .ok_or("git log entry before any commit")?
            .changes
            .push(change);
    }
    Ok(commits)
}

/// `<id> <time>\x02<author>\x02<trailer values>`.
fn parse_header(header: &str) -> Result<Commit, String> {
    let mut parts = header.splitn(3, '\x02');
    let bad = || format!("unexpected git log header {header:?}");
    let (id, time) = parts
        .next()
        .and_then(|p| p.split_once(' '))
        .ok_or_else(bad)?;
    let time = time.trim().parse().map_err(|_| bad())?;
    let author = parts.next().map(str::trim).filter(|a| !a.is_empty());
    let trailer = parts.next().is_some_and(|t| !t.trim().is_empty());
    Ok(Commit {
        id: id.to_string(),
        time,
        trailer,
        author: author.map(str::to_string),
        changes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_log_with_renames_and_deletes() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let log = format!(
            "\x01{c1} 200\x02Ann\x02Bob\0\n:100644 100644 {a} {b} R090\0content/a.md\0content/b.md\0:100644 000000 {a} {z} D\0content/c.md\0\x01{c2} 100\x02\x02\0\n:000000 100644 {z} {a} A\0content/a.md\0",
            c1 = "1".repeat(40),
            c2 = "2".repeat(40),
        );
        let commits = parse_log(log.as_bytes()).unwrap();
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].time, 200);
        assert!(commits[0].trailer);
        assert!(!commits[1].trailer);
        assert_eq!(commits[0].author.as_deref(), Some("Ann"));
        assert_eq!(commits[1].author, None);
        assert_eq!(
            commits[0].changes[0],
            Change {
                from: Some("content/a.md".into()),
                path: "content/b.md".into(),
                added: false,
                blob: Some(b.clone())
            }
        );
        assert_eq!(commits[0].changes[1].blob, None);
        assert_eq!(commits[1].changes[0].blob, Some(a));
        assert!(commits[1].changes[0].added);
    }

    #[test]
    fn trailer_keys_are_plain() {
        assert!(is_trailer_key("Reviewed-by"));
        assert!(!is_trailer_key("x,y"));
        assert!(!is_trailer_key(""));
    }
}
