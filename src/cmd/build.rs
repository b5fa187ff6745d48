//! `trustsite build`: prepare the site, render it into a staged output
//! folder, publish the folder atomically when there is no error.

use crate::highlight::Highlighter;
use crate::prepare::prepare;
use crate::site;
use crate::site::rebuild::Rebuild;
use crate::term::{Exit, print_diags};
use std::path::PathBuf;
use std::time::Instant;

/// `build` options.
#[derive(Debug)]
pub struct Options {
    /// Site root.
    pub root: PathBuf,
    /// `--today`.
    pub today: Option<jiff::civil::Date>,
    /// Output folder (default: ROOT/public).
    pub output: Option<PathBuf>,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--cache` folder.
    pub cache: Option<PathBuf>,
    /// `--sign-key`.
    pub sign_key: Option<PathBuf>,
}

/// Folder inside `--cache` holding the output the last build replaced.
const PREVIOUS_OUTPUT: &str = "previous-output";

/// Folder inside `--cache` holding rendered document pages and listings.
const PAGES: &str = "pages";

/// `trustsite build`.
pub fn run(args: &Options) -> Exit {
    let started = Instant::now();
    let when = super::time::read(args.today);
    let (loaded, mut opts) = match prepare(&args.root, when, args.base_url.clone(), None) {
        Ok(x) => x,
        Err(u) => return u.print(),
    };
    super::print_note(&loaded);
    let env_key = std::env::var(crate::sign::KEY_ENV).ok();
    match crate::sign::Signer::resolve(args.sign_key.as_deref(), env_key.as_deref()) {
        Ok(signer) => opts.evidence.signer = signer.map(std::sync::Arc::new),
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::CannotRun;
        }
    }
    let target = args
        .output
        .clone()
        .unwrap_or_else(|| args.root.join("public"));
    if let Some(cache) = &args.cache
        && let Some(problem) = misplaced_cache(cache, &target, &args.root)
    {
        eprintln!("error: --cache {}: {problem}", cache.display());
        return Exit::CannotRun;
    }
    let staged = match &args.cache {
        Some(cache) => crate::output::stage_reusing(&target, &cache.join(PREVIOUS_OUTPUT)),
        None => crate::output::stage(&target),
    };
    let staging = match staged {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::CannotRun;
        }
    };
    let Some(hl) = highlighter(args.cache.as_deref()) else {
        return Exit::CannotRun;
    };
    // Under --cache, rendered pages are kept on disk too (and replayed).
    let kept = args
        .cache
        .as_ref()
        .map(|c| Rebuild::on_disk(&c.join(PAGES)));
    let outcome = site::render_with(&loaded, &opts, &hl, kept.as_ref(), &staging.sink());
    print_diags(&outcome.diags);
    if let Some(e) = hl.cache_error() {
        eprintln!("warning: --cache: cannot store highlighted code: {e}");
    }
    if let Some(e) = kept.as_ref().and_then(Rebuild::cache_error) {
        eprintln!("warning: --cache: cannot store rendered pages: {e}");
    }
    let (errors, warnings) = crate::diag::count(&outcome.diags);
    if errors > 0 {
        drop(staging);
        eprintln!(
            "build failed: {errors} error(s), {warnings} warning(s); nothing was written and {} is unchanged",
            target.display()
        );
        return Exit::Problems;
    }
    if let Err(e) = staging.publish() {
        eprintln!("error: {e}");
        return Exit::CannotRun;
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
    Exit::Ok
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
