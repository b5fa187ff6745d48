//! `trustsite check`: prepare the site, validate everything a build would
//! plus review dates and change control, print the report (the CI gate).

use crate::diag::Diagnostic;
use crate::prepare::{Unprepared, prepare};
use crate::report::Format;
use crate::term::Exit;
use std::path::PathBuf;

/// `check` options.
#[derive(Debug)]
pub struct Options {
    /// Site root.
    pub root: PathBuf,
    /// `--today`.
    pub today: Option<jiff::civil::Date>,
    /// `--warn-days` (default: review.warn_days).
    pub warn_days: Option<i64>,
    /// Output format.
    pub format: Format,
    /// Fail on warnings and due-soon reviews too.
    pub strict: bool,
    /// `--baseline` manifest.json.
    pub baseline: Option<PathBuf>,
}

/// `trustsite check`.
pub fn run(args: &Options) -> Exit {
    let when = super::time::read(args.today);
    let (mut loaded, opts) = match prepare(&args.root, when, None, None) {
        Ok(x) => x,
        Err(u) => return check_failed(args, u),
    };
    super::print_note(&loaded);
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
                let exit = Exit::CannotRun;
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
        Exit::Problems
    } else {
        Exit::Ok
    }
}

/// `check` could not run (or the config is invalid): human text on stderr,
/// or, for the CI formats, the problems in that format on stdout, since a
/// CI parser reads stdout. Returns the exit code.
fn check_failed(args: &Options, u: Unprepared) -> Exit {
    if args.format == Format::Human {
        return u.print();
    }
    let report = crate::report::Report {
        today: args.today.map(|d| d.to_string()).unwrap_or_default(),
        documents: Vec::new(),
        problems: u.diags,
    };
    print!("{}", crate::report::render(&report, args.format, false));
    u.exit
}
