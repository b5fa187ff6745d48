//! trustsite: Markdown policies in, a static hash-stamped trust center out.
pub mod config;
pub mod diag;
pub mod frontmatter;
pub mod review;
pub mod view;
pub mod yaml;
pub mod highlight;
pub mod markdown;
pub mod content;
pub mod report;
pub mod theme;
pub mod output;
