//! The `trustsite` binary: parse arguments, run a command, map to an exit code.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = trustsite::cli::Cli::parse();
    trustsite::cli::run(cli).into()
}
