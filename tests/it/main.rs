//! Integration tests: build fixture sites with the real binary and assert on files.
mod build;
mod check;
mod codes;
mod links;
mod support;
mod trust;
