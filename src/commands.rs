//! The `build`, `check` and `verify` commands: glue between CLI and library.
//!
//! Reads time at the edge ([`crate::cli_time`]), runs the site pipeline into
//! the right sink, prints problems and the summary, returns the exit code.

use crate::cli::{BuildArgs, CANNOT_RUN, CheckArgs, OK, PROBLEMS, VerifyArgs, print_diags};
use crate::config::{CONFIG_FILE, ConfigError};
use crate::diag::Diagnostic;
use crate::highlight::Highlighter;
use crate::site::{self, BuildOptions, Loaded};
use std::time::Instant;

/// Why a site could not be prepared: the exit code (2: could not run, 1:
/// invalid configuration) and the problems, each with its code.
pub struct Unprepared {
    /// [`CANNOT_RUN`] or [`PROBLEMS`].
    pub exit: u8,
    /// What went wrong (`config/unreadable`, `config/invalid`, ...).
    pub diags: Vec<Diagnostic>,
}

impl Unprepared {
    /// Prints the problems as human text on stderr; returns the exit code.
    pub fn print(self) -> u8 {
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

/// Loads the site and resolves time.
pub fn prepare(
    root: &std::path::Path,
    today: Option<jiff::civil::Date>,
    base_url: Option<String>,
) -> Result<(Loaded, BuildOptions), Unprepared> {
    let cannot_run = |code: &'static str, path: &str, msg: String| Unprepared {
        exit: CANNOT_RUN,
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
    let loaded = site::load(root).map_err(|e| match e {
        ConfigError::Unreadable { .. } => {
            cannot_run("config/unreadable", CONFIG_FILE, e.to_string())
        }
        ConfigError::Invalid(diags) => Unprepared {
            exit: PROBLEMS,
            diags,
        },
    })?;
    if let Some(note) = &loaded.history.note {
        eprintln!("note: {note}");
    }
    let (build_time, today) = crate::cli_time::resolve(today, &loaded.config.timezone)
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

/// Folder inside `--cache` holding the output the last build replaced.
const PREVIOUS_OUTPUT: &str = "previous-output";

/// `trustsite build`.
pub fn build(args: &BuildArgs) -> u8 {
    let started = Instant::now();
    let (loaded, mut opts) = match prepare(&args.site.root, args.site.today, args.base_url.clone())
    {
        Ok(x) => x,
        Err(u) => return u.print(),
    };
    let env_key = std::env::var(crate::sign::KEY_ENV).ok();
    match crate::sign::Signer::resolve(args.sign_key.as_deref(), env_key.as_deref()) {
        Ok(signer) => opts.evidence.signer = signer.map(std::sync::Arc::new),
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    }
    let target = args
        .output
        .clone()
        .unwrap_or_else(|| args.site.root.join("public"));
    if let Some(cache) = &args.cache
        && let Some(problem) = misplaced_cache(cache, &target, &args.site.root)
    {
        eprintln!("error: --cache {}: {problem}", cache.display());
        return CANNOT_RUN;
    }
    let staged = match &args.cache {
        Some(cache) => crate::output::stage_reusing(&target, &cache.join(PREVIOUS_OUTPUT)),
        None => crate::output::stage(&target),
    };
    let staging = match staged {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    let Some(hl) = highlighter(args.cache.as_deref()) else {
        return CANNOT_RUN;
    };
    let outcome = site::render(&loaded, &opts, &hl, &staging.sink());
    print_diags(&outcome.diags);
    if let Some(e) = hl.cache_error() {
        eprintln!("warning: --cache: cannot store highlighted code: {e}");
    }
    let (errors, warnings) = crate::diag::count(&outcome.diags);
    if errors > 0 {
        drop(staging);
        eprintln!(
            "build failed: {errors} error(s), {warnings} warning(s); nothing was written and {} is unchanged",
            target.display()
        );
        return PROBLEMS;
    }
    if let Err(e) = staging.publish() {
        eprintln!("error: {e}");
        return CANNOT_RUN;
    }
    let s = outcome.stats;
    println!(
        "built {}: {} documents published ({} public, {} restricted), {} withheld, {} overdue, {} never reviewed, {} files, {warnings} warning(s) in {:.2}s",
        target.display(),
        s.public + s.restricted,
        s.public,
        s.restricted,
        s.withheld,
        s.overdue,
        s.never_reviewed,
        s.files + 1,
        started.elapsed().as_secs_f64()
    );
    OK
}

/// Why `cache` cannot be used beside the output folder `target` of the site
/// at `root`: inside the output it would be published (or replaced with
/// it), inside `content/` its files would be taken for content, and the
/// output inside it would be swapped with the output it keeps.
fn misplaced_cache(
    cache: &std::path::Path,
    target: &std::path::Path,
    root: &std::path::Path,
) -> Option<&'static str> {
    let (cache, target) = (resolved(cache), resolved(target));
    let content = resolved(&root.join("content"));
    if cache.starts_with(&target) {
        Some("is inside the output folder; keep the cache outside it")
    } else if target.starts_with(&cache) {
        Some("contains the output folder; keep the output outside it")
    } else if cache.starts_with(&content) {
        Some("is inside content/; keep the cache outside it")
    } else {
        None
    }
}

/// `path` made absolute, with its longest existing ancestor's links resolved
/// (the rest need not exist yet).
fn resolved(path: &std::path::Path) -> std::path::PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut at = path.as_path();
    loop {
        if let Ok(real) = at.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return path,
        }
    }
}

/// A cold highlighter, or one keeping blocks in `--cache DIR` (None: the
/// folder is unusable; the error is printed).
fn highlighter(cache: Option<&std::path::Path>) -> Option<Highlighter> {
    let Some(dir) = cache else {
        return Some(Highlighter::new(false));
    };
    Highlighter::with_disk_cache(dir)
        .map_err(|e| eprintln!("error: --cache {}: {e}", dir.display()))
        .ok()
}

/// `trustsite check`.
pub fn check(args: &CheckArgs) -> u8 {
    let (mut loaded, opts) = match prepare(&args.site.root, args.site.today, None) {
        Ok(x) => x,
        Err(u) => return check_failed(args, u),
    };
    if let Some(w) = args.warn_days {
        loaded.config.review.warn_days = w.max(0);
    }
    let baseline = match &args.baseline {
        None => None,
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| crate::manifest::Manifest::parse(&t))
        {
            Ok(m) => Some(m),
            Err(e) => {
                let msg = format!("--baseline {}: {e}", p.display());
                let path = p.display().to_string();
                let diags = vec![Diagnostic::error(path, 0, 0, msg).code("baseline/unreadable")];
                let exit = CANNOT_RUN;
                return check_failed(args, Unprepared { exit, diags });
            }
        },
    };
    let report = crate::check::run(&loaded, &opts, baseline.as_ref());
    let color = std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none();
    print!("{}", crate::report::render(&report, args.format, color));
    let sum = report.summary();
    let failing = sum.errors > 0 || sum.overdue > 0 || sum.never_reviewed > 0;
    let strict_failing = args.strict && (sum.warnings > 0 || sum.due_soon > 0);
    if failing || strict_failing {
        PROBLEMS
    } else {
        OK
    }
}

/// `check` could not run (or the config is invalid): human text on stderr,
/// or, for the CI formats, the problems in that format on stdout, since a
/// CI parser reads stdout. Returns the exit code.
fn check_failed(args: &CheckArgs, u: Unprepared) -> u8 {
    if args.format == crate::report::Format::Human {
        return u.print();
    }
    let report = crate::report::Report {
        today: args.site.today.map(|d| d.to_string()).unwrap_or_default(),
        documents: Vec::new(),
        problems: u.diags,
    };
    print!("{}", crate::report::render(&report, args.format, false));
    u.exit
}

/// `trustsite verify`.
pub fn verify(args: &VerifyArgs) -> u8 {
    let now = match args.max_age.map(|_| crate::cli_time::now()).transpose() {
        Ok(now) => now,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    let opts = crate::verify::Options {
        allowed_signers: args.allowed_signers.clone(),
        principal: args.principal.clone(),
        max_age: args.max_age,
        now,
    };
    let report = match crate::verify::verify(&args.dir, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    for p in &report.problems {
        println!("{p}");
    }
    if !report.problems.is_empty() {
        eprintln!(
            "verify failed: {} problem(s) in {}",
            report.problems.len(),
            args.dir.display()
        );
        return PROBLEMS;
    }
    match &report.signed_by {
        Some(key) => println!(
            "verified {}: manifest.json is signed by {key}, and every file matches it",
            args.dir.display()
        ),
        None => {
            println!(
                "verified {}: every file matches manifest.json",
                args.dir.display()
            );
            if report.has_signature {
                println!(
                    "note: manifest.json.sig was not checked; pass --allowed-signers FILE to check it against keys you pin"
                );
            }
        }
    }
    OK
}
