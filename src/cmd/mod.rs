//! The commands, one file each (as Zola and mdBook keep them): the edge
//! between the command line and the library.
//!
//! The `cli` module parses the arguments and calls one `run` here with plain
//! options (no clap types). A command reads the clock and the environment
//! ([`time`]; nothing deeper does), prepares the site through the one shared
//! step ([`crate::prepare::prepare`]: `build`, `check`, `serve` and `identify`
//! use it), prints problems and its summary, and returns an
//! [`Exit`](crate::term::Exit). Nothing below this layer imports from it or
//! from `cli` (the architecture test in `tests/it/architecture.rs` checks).

pub mod build;
pub mod check;
pub mod identify;
pub mod init;
pub mod new;
pub mod serve;
pub mod time;
pub mod verify;

/// Prints the note of a site whose history could not be read in full (a
/// shallow clone, no git).
fn print_note(loaded: &crate::site::Loaded) {
    if let Some(note) = &loaded.history.note {
        eprintln!("note: {note}");
    }
}
