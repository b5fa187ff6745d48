//! `trustsite new PATH --title T`: a new document with complete front-matter
//! ([`crate::scaffold::document`]).

use crate::scaffold::document::NewOptions;
use crate::term::Exit;

/// Writes the document, dated today (`--today`, or in the site's time zone).
pub fn run(opts: &NewOptions, today: Option<jiff::civil::Date>) -> Exit {
    crate::scaffold::new(opts, super::time::read(today))
}
