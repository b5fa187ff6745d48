//! Acceptance tests for `trustsite serve`: the real binary on a real socket,
//! serving a copy of tests/fixtures/serve-site/ (see `support::server`).
//!
//! Waits are poll loops with generous deadlines; the only
//! timed assertion is the one the contract states: a signal stops the
//! server within a second.

mod bench;
mod hardening;
mod live;
mod pages;
mod process;

/// The live-reload script tag injected into every HTML page.
const SCRIPT: &str = "<script src=\"/__trustsite/livereload.js\"";
/// The heading of the build-error overlay.
const OVERLAY: &str = "Build failed — showing the last good version";
/// In the fixture's internal document only.
const INTERNAL_CANARY: &str = "CANARY-SERVE-INTERNAL-7f3a";
/// In the fixture's draft document only.
const DRAFT_CANARY: &str = "CANARY-SERVE-DRAFT-91c2";
