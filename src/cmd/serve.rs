//! `trustsite serve`: the preview server ([`crate::serve`]), given this
//! edge's clock ([`super::time::read`]) to date each rebuild.

use crate::serve::Options;
use crate::term::Exit;

/// Runs the preview server until SIGINT or SIGTERM.
pub fn run(opts: &Options) -> Exit {
    crate::serve::run(opts, super::time::read)
}
