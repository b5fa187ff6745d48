//! What every command shares at the terminal: the exit status and
//! diagnostics printed on stderr.
//!
//! Below the commands (`cmd`) and the preview server, so that nothing
//! imports them back from the command line.

use crate::diag::Diagnostic;
use std::io::IsTerminal;

/// How a command ended: 0 success, 1 it ran and found problems, 2 it could
/// not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (0).
    Ok,
    /// The command ran and found problems (1).
    Problems,
    /// The command could not run (2).
    CannotRun,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Problems => 1,
            Exit::CannotRun => 2,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// Prints diagnostics to stderr, the severity colored on a terminal.
pub fn print_diags(diags: &[Diagnostic]) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in diags.iter().map(Diagnostic::cleaned) {
        if color {
            let code = if d.is_error() { "31" } else { "33" };
            let sev = d.severity.as_str();
            eprintln!(
                "{}: \x1b[1;{code}m{sev}\x1b[0m: {}{}",
                d.location(),
                d.message,
                d.code_suffix()
            );
        } else {
            eprintln!("{d}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_documented_ones() {
        assert_eq!(
            [Exit::Ok, Exit::Problems, Exit::CannotRun].map(Exit::code),
            [0, 1, 2]
        );
    }
}
