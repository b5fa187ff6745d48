//! trustsite: Markdown policies in, a static hash-stamped trust center out.
//!
//! Layers, top to bottom; a module uses only modules below it, and
//! `tests/it/architecture.rs` fails on any import cycle and on anything
//! below `cmd` importing `cmd` or `cli`:
//!
//! - `cli`: the arguments (clap), parsed and dispatched;
//! - `cmd`: one file per command; the only place the clock and the
//!   environment are read (`cmd::time`); prints, returns a `term::Exit`;
//! - `serve`, `scaffold`, `check` (with `report`), `prepare` (the one
//!   "prepare a site" step of build, check, serve and identify);
//! - `site`: the render pipeline into an `output::Sink`;
//! - `versions` and `git`, `publish` (what is published), `content`;
//! - `config`, `pdf`, `markdown`, `compat`, `inherit`, `frontmatter`,
//!   `shortcodes`, `highlight`, `embargo`, `verify`, `theme`;
//! - leaves: `diag`, `digest`, `filekind`, `urlpath`, `when`, `term`,
//!   `yaml`, `xml`, `review`, `output`, `search`, `feeds`, `api`, ...
//!
//! Public are only the modules the binary, the fuzz targets
//! (`tests/fuzz`), the benchmarks (`tests/bench`) and the integration tests
//! call; everything else is private, so the compiler reports code nothing
//! calls.
mod access;
mod active;
mod anchors;
mod api;
mod blobs;
pub mod bundle;
mod check;
pub mod cli;
mod cmd;
mod compat;
pub mod config;
pub mod content;
mod diag;
pub mod digest;
mod embargo;
mod feeds;
mod filekind;
pub mod frontmatter;
mod git;
pub mod highlight;
mod inherit;
mod manifest;
pub mod markdown;
mod oscal;
mod output;
mod pdf;
mod prepare;
mod publish;
mod redline;
mod report;
mod review;
mod sanitize;
mod scaffold;
mod search;
mod securitytxt;
mod serve;
mod shortcodes;
mod sign;
mod site;
mod term;
mod theme;
mod urlpath;
mod verify;
pub mod versions;
mod view;
mod when;
mod xml;
mod yaml;
