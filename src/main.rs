//! The `trustsite` binary: parse arguments, run a command, map to an exit code.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    fixed_mmap_threshold();
    let cli = trustsite::cli::Cli::parse();
    ExitCode::from(trustsite::cli::run(cli))
}

/// Keeps glibc's mmap threshold at its default 128 KiB. glibc raises it to
/// the size of any mmapped block freed (up to 32 MiB), after which the
/// compressors' and parsers' short-lived 128-256 KiB buffers come from the
/// heap arenas instead and stay in the process: at 10,000 documents that
/// was about 170 MB of peak memory (a third of a build's), for no speed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fixed_mmap_threshold() {
    // SAFETY: mallopt only sets an allocator parameter; it is called once,
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fixed_mmap_threshold() {}
