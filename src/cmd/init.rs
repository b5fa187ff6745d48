//! `trustsite init [DIR]`: a new site from the scaffold ([`crate::scaffold`]).

use crate::term::Exit;
use std::path::Path;

/// Creates the site in `dir` (empty or absent), dated today (UTC).
pub fn run(dir: &Path) -> Exit {
    crate::scaffold::init(dir, super::time::read(None))
}
