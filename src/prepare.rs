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

#[cfg(test)]
mod tests {
    use super::*;

    fn when() -> Result<When, String> {
        Ok(When {
            build_time: "2026-11-22T23:30:00Z".parse().unwrap(),
            today: None,
        })
    }

    fn site(config: &str) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(CONFIG_FILE), config).unwrap();
        std::fs::create_dir(tmp.path().join("content")).unwrap();
        tmp
    }

    fn codes(u: &Unprepared) -> Vec<&str> {
        u.diags.iter().map(|d| d.code).collect()
    }

    #[test]
    fn prepares_a_site_with_today_in_its_time_zone() {
        let tmp = site("title: T\ntimezone: Asia/Tokyo\n");
        let (loaded, opts) = prepare(tmp.path(), when(), None, None).ok().unwrap();
        assert_eq!(loaded.config.title, "T");
        assert_eq!(opts.today.to_string(), "2026-11-23");
        assert_eq!(opts.build_time, when().unwrap().build_time);
        assert!(!opts.drafts && !opts.internal && opts.search);
    }

    #[test]
    fn what_cannot_be_prepared_says_why_with_its_exit_status() {
        let missing = tempfile::tempdir().unwrap().path().join("absent");
        let u = prepare(&missing, when(), None, None).err().unwrap();
        assert_eq!((u.exit, codes(&u)), (Exit::CannotRun, vec!["site/no-root"]));

        let tmp = site("title: T\n");
        let bad_url = Some("https://exa mple.com/".to_string());
        let u = prepare(tmp.path(), when(), bad_url, None).err().unwrap();
        assert_eq!(
            (u.exit, codes(&u)),
            (Exit::CannotRun, vec!["config/base-url"])
        );

        let clock = Err("SOURCE_DATE_EPOCH `x` is not a number of seconds".to_string());
        let u = prepare(tmp.path(), clock, None, None).err().unwrap();
        assert_eq!(
            (u.exit, codes(&u)),
            (Exit::CannotRun, vec!["time/unresolved"])
        );
        assert!(u.diags[0].message.contains("SOURCE_DATE_EPOCH"));

        let u = prepare(tmp.path(), when(), None, None).ok();
        assert!(u.is_some(), "a good site prepares");

        let invalid = site("title: T\ntimezone: Mars/Base\n");
        let u = prepare(invalid.path(), when(), None, None).err().unwrap();
        assert_eq!(
            u.exit,
            Exit::Problems,
            "an invalid trust.yaml is a problem found"
        );
        assert!(!u.diags.is_empty());
    }
}
