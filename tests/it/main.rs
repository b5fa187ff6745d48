//! Integration tests: build fixture sites with the real binary and assert on files.
mod architecture;
mod build;
mod check;
mod cli_cases;
mod codes;
mod evidence;
mod harden;
mod links;
mod migrate;
mod pdf;
mod snapshots;
mod support;
mod trust;
mod versions;
