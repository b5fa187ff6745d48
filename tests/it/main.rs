//! The one integration-test binary (`cargo test --test it`): every module
//! runs the real binary on sites made by the one harness in `support`
//! (fixture copies, the example site, sites written by the test), and
//! `serve` and `load` talk to `trustsite serve` through `support::server`.
mod architecture;
mod build;
mod check;
mod cli_cases;
mod codes;
mod evidence;
mod harden;
mod hostile;
mod links;
mod load;
mod migrate;
mod pdf;
mod scaffold;
mod serve;
mod snapshots;
mod support;
mod trust;
mod versions;

/// The fuzz targets' functions and checks, shared with the cargo-fuzz crate
/// in tests/fuzz (its own workspace): `hostile` replays saved inputs and a
/// deterministic mutation stream through them on stable.
#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_checks;
