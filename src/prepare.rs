//! Preparing a site: the one step `build`, `check`, `serve` and `identify`
//! share before rendering.
//!
//! Checks the root and `--base-url`, loads the site ([`crate::site::load_with`]:
//! configuration, content, versions from git) and resolves "today" in the
//! site's time zone from the [`When`] read at the command-line edge. Prints
//! nothing; a site that cannot be prepared is an [`Unprepared`] with its exit
//! status and located problems.

use crate::config::{CONFIG_FILE, ConfigError};
use crate::diag::Diagnostic;
use crate::site::{self, BuildOptions, Loaded, Memo};
use crate::term::{Exit, print_diags};
use crate::when::When;
use std::path::Path;

/// Why a site could not be prepared: the exit status ([`Exit::CannotRun`],
/// or [`Exit::Problems`] for an invalid configuration) and the problems,
/// each with its code.
pub struct Unprepared {
    /// [`Exit::CannotRun`] or [`Exit::Problems`].
    pub exit: Exit,
    /// What went wrong (`config/unreadable`, `config/invalid`, ...).
    pub diags: Vec<Diagnostic>,
}

impl Unprepared {
    /// Prints the problems as human text on stderr; returns the exit status.
    pub fn print(self) -> Exit {
        for d in self.diags.iter().filter(|d| d.path == NO_FILE) {
            eprintln!("{}: {}{}", d.severity.as_str(), d.message, d.code_suffix());
        }
        let located: Vec<Diagnostic> = self
            .diags
            .into_iter()
            .filter(|d| d.path != NO_FILE)
            .collect();
        print_diags(&located);
        self.exit
    }
}

/// The path of a problem that concerns no file (a bad argument): `.`.
const NO_FILE: &str = ".";

/// Loads the site at `root` (reusing `memo` when given) and resolves time:
/// `when` is the clock as read at the edge, or why it could not be read.
/// The options are those of `build`: the public audience, search on.
pub fn prepare(
    root: &Path,
    when: Result<When, String>,
    base_url: Option<String>,
    memo: Option<&Memo>,
) -> Result<(Loaded, BuildOptions), Unprepared> {
    let cannot_run = |code: &'static str, path: &str, msg: String| Unprepared {
        exit: Exit::CannotRun,
        diags: vec![Diagnostic::error(path, 0, 0, msg).code(code)],
    };
    if !root.is_dir() {
        let msg = format!("site root {} is not a folder", root.display());
        return Err(cannot_run("site/no-root", NO_FILE, msg));
    }
    if let Some(url) = &base_url
        && let Err(why) = crate::config::check_base_url(url)
    {
        let msg = format!("--base-url: {why}");
        return Err(cannot_run("config/base-url", NO_FILE, msg));
    }
    let loaded = site::load_with(root, memo).map_err(|e| match e {
        ConfigError::Unreadable { .. } => {
            cannot_run("config/unreadable", CONFIG_FILE, e.to_string())
        }
        ConfigError::Invalid(diags) => Unprepared {
            exit: Exit::Problems,
            diags,
        },
    })?;
    let (build_time, today) = when
        .and_then(|w| Ok((w.build_time, w.today_in(&loaded.config.timezone)?)))
        .map_err(|e| cannot_run("time/unresolved", CONFIG_FILE, e))?;
    let opts = BuildOptions {
        today,
        build_time,
        base_url,
        drafts: false,
        internal: false,
        search: true,
        evidence: Default::default(),
    };
    Ok((loaded, opts))
}
