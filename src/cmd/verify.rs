//! `trustsite verify`: re-hash a built site against its manifest (and the
//! manifest's signature against pinned keys).

use crate::term::Exit;
use std::path::PathBuf;

/// `verify` options.
#[derive(Debug)]
pub struct Options {
    /// Built site folder.
    pub dir: PathBuf,
    /// `--allowed-signers` file.
    pub allowed_signers: Option<PathBuf>,
    /// `--principal`.
    pub principal: Option<String>,
    /// `--max-age`.
    pub max_age: Option<jiff::SignedDuration>,
}

/// `trustsite verify`.
pub fn run(args: &Options) -> Exit {
    let now = match args.max_age.map(|_| super::time::now()).transpose() {
        Ok(now) => now,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::CannotRun;
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
            return Exit::CannotRun;
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
        return Exit::Problems;
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
    Exit::Ok
}
