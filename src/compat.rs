//! `compat:` presets: read a corpus the way the tool it comes from reads it.
//!
//! One line in trust.yaml (`compat: hugo | tech-docs | comply`) sets the
//! field aliases, the foreign fields to accept silently, the heading-id
//! style, the review-date rule and where owners come from, so a migrated
//! corpus builds without edits. Every preset value is a default: an explicit
//! setting in trust.yaml wins (an alias given there replaces the preset's
//! alias of the same field). This module also reads the formats those tools
//! write that trustsite's own readers would refuse: comply's head without an
//! opening `---` ([`split_headless`]) and its control catalogue
//! ([`parse_catalogue`]). Pure: no IO.

use crate::anchors::HeadingIds;
use crate::frontmatter::Split;
use crate::yaml::{self, Text};
use std::collections::BTreeMap;

/// The tool a corpus comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compat {
    /// Hugo (the GitLab handbook).
    Hugo,
    /// alphagov's tech-docs-gem (Middleman, Redcarpet).
    TechDocs,
    /// strongdm/comply.
    Comply,
}

/// What a preset sets; each value applies only where trust.yaml is silent.
#[derive(Debug, Clone, Default)]
pub struct Preset {
    /// Foreign field -> trustsite field.
    pub aliases: &'static [(&'static str, &'static str)],
    /// Foreign fields accepted silently.
    pub ignore: &'static [&'static str],
    /// Heading-id style.
    pub heading_ids: HeadingIds,
    /// A page is overdue on its review-by day itself (tech-docs).
    pub overdue_on_due_day: bool,
    /// Read owners from a CODEOWNERS file when one exists.
    pub owners_from_codeowners: bool,
}

impl Compat {
    /// Parses `hugo`, `tech-docs` (`techdocs`, `tech_docs`), `comply`.
    pub fn parse(s: &str) -> Option<Compat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hugo" => Some(Compat::Hugo),
            "tech-docs" | "techdocs" | "tech_docs" => Some(Compat::TechDocs),
            "comply" => Some(Compat::Comply),
            _ => None,
        }
    }

    /// The preset.
    pub fn preset(self) -> Preset {
        match self {
            Compat::Hugo => Preset {
                aliases: &[("description", "summary")],
                ignore: &[
                    "note",
                    "linkTitle",
                    "toc_hide",
                    "no_list",
                    "type",
                    "layout",
                    "menu",
                    "keywords",
                    "date",
                    "lastmod",
                    "url",
                    "slug",
                    "params",
                    "hide_toc",
                    "sidebar",
                    "images",
                    "author",
                    "authors",
                ],
                heading_ids: HeadingIds::GitHub,
                overdue_on_due_day: false,
                owners_from_codeowners: true,
            },
            Compat::TechDocs => Preset {
                aliases: &[
                    ("last_reviewed_on", "last_reviewed"),
                    ("review_in", "review_cycle"),
                    ("owner_slack", "owner"),
                    ("description", "summary"),
                ],
                ignore: &[
                    "hide_in_navigation",
                    "old_paths",
                    "parent",
                    "source_url",
                    "layout",
                    "prevent_indexing",
                    "show_expiry",
                    "owner_slack_workspace",
                ],
                heading_ids: HeadingIds::Redcarpet,
                overdue_on_due_day: true,
                owners_from_codeowners: false,
            },
            Compat::Comply => Preset {
                aliases: &[("name", "title"), ("satisfies", "frameworks")],
                ignore: &["acronym", "majorRevisions", "cron"],
                heading_ids: HeadingIds::GitHub,
                overdue_on_due_day: false,
                owners_from_codeowners: false,
            },
        }
    }
}

/// comply's head: YAML from the first line up to a `---` line, with no
/// opening `---`. Only when unambiguous: the first line is a `key:` line
/// (a key without spaces) and a `---` line follows.
pub fn split_headless(text: &str) -> Option<Split<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next()?;
    let (key, _) = first.split_once(':')?;
    if key.is_empty() || key.contains(char::is_whitespace) || key.starts_with(['#', '-', '{']) {
        return None;
    }
    let mut pos = 0;
    let mut line = 1;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == "---" {
            return Some(Split {
                yaml: Some(&text[..pos]),
                yaml_line: 1,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        pos = end;
        line += 1;
    }
    None
}

/// A control catalogue: `id: title` pairs, or comply's standard format
/// (`name: TSC` and `id: {family, name, description}` entries).
pub fn parse_catalogue(text: &str) -> Result<BTreeMap<String, String>, yaml::YamlError> {
    let raw: BTreeMap<Text, serde_json::Value> = yaml::from_str(text)?;
    let comply = raw.values().any(serde_json::Value::is_object);
    let mut out = BTreeMap::new();
    for (Text(id), value) in raw {
        let title = match value {
            serde_json::Value::String(_) if comply && id == "name" => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Object(m) => m
                .get("name")
                .or_else(|| m.get("title"))
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        out.insert(id, title);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comply_head_without_fence() {
        let s = split_headless("name: Access\nacronym: AOTP\n---\n# Purpose\n").unwrap();
        assert_eq!(s.yaml, Some("name: Access\nacronym: AOTP\n"));
        assert_eq!((s.yaml_line, s.body_line), (1, 4));
        assert_eq!(s.body, "# Purpose\n");
        assert!(split_headless("# Title\n---\n").is_none());
        assert!(split_headless("Note: this is prose, not YAML\n").is_none());
        assert!(split_headless("Some prose: here\n---\n").is_none());
    }

    #[test]
    fn comply_catalogue_and_flat_catalogue() {
        let c = parse_catalogue(
            "name: TSC\nCC1.1:\n  family: CC1\n  name: Integrity and Ethics\n  description: x\n",
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c["CC1.1"], "Integrity and Ethics");
        let f = parse_catalogue("A.5.1: Policies\nA.5.2: Roles\n").unwrap();
        assert_eq!(f["A.5.2"], "Roles");
    }
}
