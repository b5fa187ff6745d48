//! Watching the site folder for changes that need a rebuild.
//!
//! The site root is watched non-recursively (so `trust.yaml` saved by
//! rename, and `content/` or `themes/` created later, are seen) and
//! `content/` and `themes/` recursively. Only paths a build reads pass
//! [`is_relevant`]: `trust.yaml` and files under `content/` and `themes/`,
//! never hidden paths, `public/`, `target/` or editor temp files. Reads are
//! ignored (a build's own reads must not trigger another build). Changed
//! paths go into a channel; [`settle`] waits for a short quiet period so one
//! save, or many saves during a rebuild, cause one rebuild.
//!
//! Symbolic links are never followed: a build skips them, so watching
//! through them would only cost inotify watches (a link to `/usr` under
//! `content/` used to add 16,000). `content/` and `themes/` are watched only
//! when they are real folders, and the watchers are told not to follow
//! links inside them.

use notify::event::EventKind;
use notify::{Config, Event, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Polling interval of `--poll`.
pub const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// Folders under the root that are watched recursively.
const TREES: [&str; 2] = ["content", "themes"];

/// A running watcher over one site root.
pub struct Watch {
    watcher: Box<dyn Watcher + Send>,
    root: PathBuf,
    watched: [bool; 2],
}

impl Watch {
    /// Starts watching `root` (canonical), sending changed paths to `tx`.
    pub fn start(root: &Path, poll: bool, tx: Sender<PathBuf>) -> notify::Result<Watch> {
        let filter_root = root.to_path_buf();
        let git_dir = crate::versions::discover(root).ok().map(|r| r.git_dir);
        let signals = git_dir.as_deref().map(git_signals).unwrap_or_default();
        let handler = move |res: notify::Result<Event>| match res {
            Ok(event) if !ignored_kind(&event.kind) => {
                for p in event
                    .paths
                    .into_iter()
                    .filter(|p| is_relevant(&filter_root, p) || signals.contains(p))
                {
                    let _ = tx.send(p);
                }
            }
            Ok(_) => {}
            Err(e) => eprintln!("warning: file watcher: {e}"),
        };
        let mut watcher: Box<dyn Watcher + Send> = if poll {
            // Contents are compared too: poll mtimes have whole seconds only.
            let config = Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true)
                .with_follow_symlinks(false);
            Box::new(PollWatcher::new(handler, config)?)
        } else {
            let config = Config::default().with_follow_symlinks(false);
            Box::new(RecommendedWatcher::new(handler, config)?)
        };
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        if let Some(dir) = &git_dir {
            // A commit, checkout or reset rewrites HEAD or appends to its
            // log: the history (versions, dates) is read again.
            for d in [dir.clone(), dir.join("logs")] {
                if d.is_dir() {
                    let _ = watcher.watch(&d, RecursiveMode::NonRecursive);
                }
            }
        }
        let mut watch = Watch {
            watcher,
            root: root.to_path_buf(),
            watched: [false; 2],
        };
        watch.refresh(&[]);
        Ok(watch)
    }

    /// (Re)watches `content/` and `themes/` when they appeared, disappeared
    /// or were replaced (one of `changed` is the folder itself).
    pub fn refresh(&mut self, changed: &[PathBuf]) {
        for (i, name) in TREES.iter().enumerate() {
            let dir = self.root.join(name);
            let touched = changed.iter().any(|p| p == &dir);
            if self.watched[i] && !touched {
                continue;
            }
            if self.watched[i] {
                let _ = self.watcher.unwatch(&dir);
            }
            let real_dir = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
            self.watched[i] = real_dir && self.add(&dir);
        }
    }

    fn add(&mut self, dir: &Path) -> bool {
        match self.watcher.watch(dir, RecursiveMode::Recursive) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("warning: cannot watch {}: {e} (try --poll)", dir.display());
                false
            }
        }
    }
}

/// Files of a git directory that change when HEAD moves (commit, checkout).
fn git_signals(git_dir: &Path) -> Vec<PathBuf> {
    ["HEAD", "packed-refs", "logs/HEAD"]
        .iter()
        .map(|f| git_dir.join(f))
        .collect()
}

/// Reads (and the open/close events around them) never need a rebuild.
/// Metadata changes do: `--poll` reports every write as a new mtime.
fn ignored_kind(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Access(_))
}

/// Whether a change at `path` can change the built site.
pub fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut names = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => names.push(n.to_string_lossy()),
            _ => return false,
        }
    }
    let (Some(first), Some(last)) = (names.first(), names.last()) else {
        return false;
    };
    let top = match first.as_ref() {
        "trust.yaml" => names.len() == 1,
        "content" | "themes" => true,
        _ => false,
    };
    top && !names.iter().any(|n| n.starts_with('.')) && !is_editor_temp(last)
}

/// Swap, backup and lock files that editors write next to the real file.
pub fn is_editor_temp(name: &str) -> bool {
    const SUFFIXES: [&str; 7] = [
        ".swp",
        ".swx",
        ".swo",
        "~",
        ".tmp",
        "___jb_tmp___",
        "___jb_old___",
    ];
    name == "4913"
        || name.starts_with(".#")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Collects `first` and everything that follows until `quiet` passes with
/// no change (or `max` in total), sorted and without duplicates.
pub fn settle(
    rx: &Receiver<PathBuf>,
    first: PathBuf,
    quiet: Duration,
    max: Duration,
) -> Vec<PathBuf> {
    let deadline = Instant::now() + max;
    let mut paths = vec![first];
    loop {
        let wait = quiet.min(deadline.saturating_duration_since(Instant::now()));
        match rx.recv_timeout(wait) {
            Ok(p) => paths.push(p),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn relevant_paths() {
        let root = Path::new("/site");
        let yes = [
            "/site/trust.yaml",
            "/site/content/a.md",
            "/site/content/x/y/z.png",
            "/site/themes/t/templates/base.html",
            "/site/content",
        ];
        for p in yes {
            assert!(is_relevant(root, Path::new(p)), "{p}");
        }
        let no = [
            "/site",
            "/site/public/index.html",
            "/site/target/debug/x",
            "/site/.git/index",
            "/site/.public.trustsite-tmp-x/a",
            "/site/README.md",
            "/site/content/.hidden/a.md",
            "/site/content/.a.md.swp",
            "/site/content/a.md~",
            "/site/content/4913",
            "/site/content/#a.md#",
            "/site/content/.#a.md",
            "/site/content/a.md.tmp",
            "/site/trust.yaml.swx",
            "/site/sub/trust.yaml",
            "/elsewhere/content/a.md",
        ];
        for p in no {
            assert!(!is_relevant(root, Path::new(p)), "{p}");
        }
    }

    #[test]
    fn editor_temp_names() {
        for n in [
            ".x.swp",
            "x.swx",
            "x~",
            ".#x.md",
            "4913",
            "x.tmp",
            "#x.md#",
            "x.md___jb_tmp___",
        ] {
            assert!(is_editor_temp(n), "{n}");
        }
        for n in ["x.md", "#", "49130", "tmp.md", "swp.md"] {
            assert!(!is_editor_temp(n), "{n}");
        }
    }

    #[test]
    fn settle_coalesces_and_dedups() {
        let (tx, rx) = mpsc::channel();
        for p in ["b", "a", "b"] {
            tx.send(PathBuf::from(p)).unwrap();
        }
        let got = settle(
            &rx,
            PathBuf::from("c"),
            Duration::from_millis(20),
            Duration::from_secs(5),
        );
        assert_eq!(
            got,
            vec![PathBuf::from("a"), PathBuf::from("b"), PathBuf::from("c")]
        );
    }

    #[test]
    fn ignores_reads_only() {
        use notify::event::{AccessKind, CreateKind, DataChange, MetadataKind, ModifyKind};
        assert!(ignored_kind(&EventKind::Access(AccessKind::Any)));
        assert!(!ignored_kind(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::WriteTime
        ))));
        assert!(!ignored_kind(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(!ignored_kind(&EventKind::Create(CreateKind::File)));
        assert!(!ignored_kind(&EventKind::Remove(
            notify::event::RemoveKind::Any
        )));
    }
}
