//! Integration tests: build fixture sites with the real binary and assert on files.
mod build;
mod check;
mod evidence;
mod harden;
mod links;
mod migrate;
mod pdf;
mod support;
mod trust;
mod versions;
