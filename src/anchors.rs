//! Heading ids in the style of the tool a corpus comes from.
//!
//! A migrated corpus links to its own headings (`#security-txt`), so the ids
//! trustsite gives headings must be the ones the source tool gave them:
//!
//! - [`HeadingIds::GitHub`] (default; also Hugo/goldmark's `github` style):
//!   lowercase, letters, digits, `-` and `_` kept, spaces to `-`, the rest
//!   dropped; a repeated id gets `-1`, `-2`, ...
//! - [`HeadingIds::Redcarpet`] (tech-docs-gem: Redcarpet `with_toc_data`
//!   through the gem's `UniqueIdentifierGenerator`): the heading's HTML,
//!   lowercased, tags removed, every run of characters other than `a-z0-9`
//!   (entities such as `&amp;` included) to one `-`, dashes trimmed; a
//!   repeated id is first prefixed with the closest higher heading's id, then
//!   suffixed `-2`, `-3`, ...
//!
//! Explicit ids (`{#id}`) are kept in both styles. Pure: no IO.

use std::collections::{HashMap, HashSet};

/// How heading ids are made (`markdown.heading_ids` in trust.yaml).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HeadingIds {
    /// GitHub / Hugo goldmark.
    #[default]
    GitHub,
    /// Redcarpet `with_toc_data` as tech-docs-gem makes them unique.
    Redcarpet,
}

impl HeadingIds {
    /// Parses `github`, `goldmark`, `hugo`, `redcarpet`, `tech-docs`.
    pub fn parse(s: &str) -> Option<HeadingIds> {
        match s.trim().to_ascii_lowercase().as_str() {
            "github" | "goldmark" | "hugo" | "gfm" => Some(HeadingIds::GitHub),
            "redcarpet" | "tech-docs" | "techdocs" => Some(HeadingIds::Redcarpet),
            _ => None,
        }
    }
}

/// The ids given so far on one page.
#[derive(Debug, Default)]
pub struct Ids {
    style: HeadingIds,
    /// Every id on the page.
    pub seen: HashSet<String>,
    next: HashMap<String, usize>,
    /// `(level, id)` of the headings so far (Redcarpet's parent prefix).
    stack: Vec<(u8, String)>,
}

impl Ids {
    /// Ids in `style`.
    pub fn new(style: HeadingIds) -> Self {
        Ids {
            style,
            ..Ids::default()
        }
    }

    /// The id of a heading with plain text `text` at `level`.
    pub fn id(&mut self, text: &str, level: u8, explicit: Option<String>) -> String {
        let id = match (explicit, self.style) {
            (Some(e), _) => self.github_unique(e),
            (None, HeadingIds::GitHub) => self.github_unique(github_slug(text)),
            (None, HeadingIds::Redcarpet) => self.redcarpet_unique(redcarpet_slug(text), level),
        };
        self.seen.insert(id.clone());
        self.stack.push((level, id.clone()));
        id
    }

    /// `base`, or `base-1`, `base-2`, ... when taken. `next` remembers, per
    /// base, the first suffix not yet tried, so N identical headings cost
    /// O(N), not O(N²).
    fn github_unique(&mut self, base: String) -> String {
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let mut id = base.clone();
        if self.seen.contains(&id) {
            let n = self.next.entry(base.clone()).or_insert(1);
            while self.seen.contains(&id) {
                id = format!("{base}-{n}");
                *n += 1;
            }
        }
        id
    }

    fn redcarpet_unique(&mut self, base: String, level: u8) -> String {
        let mut id = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        if self.seen.contains(&id)
            && let Some((_, parent)) = self.stack.iter().rev().find(|(l, _)| *l < level)
        {
            id = format!("{parent}-{id}");
        }
        if self.seen.contains(&id) {
            let stem = id.clone();
            let n = self.next.entry(stem.clone()).or_insert(2);
            while self.seen.contains(&id) {
                id = format!("{stem}-{n}");
                *n += 1;
            }
        }
        id
    }
}

/// GitHub-style heading anchor: lowercase, letters/digits/`-`/`_` kept,
/// spaces to `-`, everything else dropped.
pub fn github_slug(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().collect::<String>())
            } else if c == ' ' {
                Some("-".to_string())
            } else {
                None
            }
        })
        .collect()
}

/// tech-docs-gem's `heading_slug` of the heading's HTML as Redcarpet with
/// SmartyPants renders it (`&` is `&amp;`, quotes are curly entities).
pub fn redcarpet_slug(text: &str) -> String {
    let html = smarty_html(text.trim());
    let mut out = String::new();
    let mut dash = false;
    for c in html.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// The text as Redcarpet + SmartyPants writes it in HTML (entities only
/// matter here: their names become words of the slug).
fn smarty_html(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev_space = i == 0 || chars[i - 1].is_whitespace();
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str(if prev_space { "&ldquo;" } else { "&rdquo;" }),
            '\'' => out.push_str(if prev_space { "&lsquo;" } else { "&rsquo;" }),
            '-' if chars.get(i + 1) == Some(&'-') => {
                if chars.get(i + 2) == Some(&'-') {
                    out.push_str("&mdash;");
                    i += 1;
                } else {
                    out.push_str("&ndash;");
                }
                i += 1;
            }
            '.' if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') => {
                out.push_str("&hellip;");
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redcarpet_ids_match_tech_docs() {
        assert_eq!(redcarpet_slug("security.txt"), "security-txt");
        assert_eq!(
            redcarpet_slug("1. Establish an incident lead"),
            "1-establish-an-incident-lead"
        );
        assert_eq!(redcarpet_slug("Q&A"), "q-amp-a");
        assert_eq!(redcarpet_slug("Don't panic"), "don-rsquo-t-panic");
        let mut ids = Ids::new(HeadingIds::Redcarpet);
        assert_eq!(ids.id("Roles", 2, None), "roles");
        assert_eq!(ids.id("Steps", 3, None), "steps");
        assert_eq!(ids.id("Other", 2, None), "other");
        assert_eq!(ids.id("Steps", 3, None), "other-steps");
        assert_eq!(ids.id("Steps", 2, None), "steps-2");
    }

    #[test]
    fn github_ids() {
        assert_eq!(github_slug("security.txt"), "securitytxt");
        assert_eq!(github_slug("Scope & Purpose"), "scope--purpose");
        let mut ids = Ids::new(HeadingIds::GitHub);
        assert_eq!(ids.id("A", 2, None), "a");
        assert_eq!(ids.id("A", 2, None), "a-1");
        assert_eq!(ids.id("", 2, Some("x".into())), "x");
    }
}
