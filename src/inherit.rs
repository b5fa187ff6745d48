//! Fields a document gets without saying them: cascade, folder defaults, CODEOWNERS.
//!
//! Migrated corpora keep shared fields outside each file. In order of
//! precedence (the first that gives a field wins):
//!
//! 1. the document's own front-matter;
//! 2. `cascade:` in the `_index.md` of a folder above it (Hugo's meaning: the
//!    nearest folder's cascade first);
//! 3. trust.yaml `defaults:` per folder (`"policies/": {owner: ...}`; the
//!    longest matching folder first);
//! 4. the owner from a CODEOWNERS file when `owners_from` asks for it (GitHub
//!    and GitLab syntax; the last matching rule wins; paths relative to the
//!    site root, which is taken as the repository root).
//!
//! Pure: callers read the files.

use crate::frontmatter::FrontMatter;
use std::collections::BTreeSet;

/// One CODEOWNERS rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRule {
    /// Pattern as written.
    pub pattern: String,
    /// Owners (`@team`, `@user`, e-mail), in order.
    pub owners: Vec<String>,
}

/// Parses CODEOWNERS text (GitHub or GitLab: `[Section] @default` headers
/// give their default owners to following rules that name none).
pub fn parse_codeowners(text: &str) -> Vec<OwnerRule> {
    let mut rules = Vec::new();
    let mut section_owners: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let header = line.trim_start_matches('^');
        if header.starts_with('[') {
            let after = header.find(']').map_or("", |i| &header[i + 1..]);
            let after = after.trim_start();
            let after = if after.starts_with('[') {
                after.find(']').map_or("", |i| &after[i + 1..])
            } else {
                after
            };
            section_owners = after.split_whitespace().map(str::to_string).collect();
            continue;
        }
        let mut parts = split_unescaped(line);
        let Some(pattern) = parts.next() else {
            continue;
        };
        let mut owners: Vec<String> = parts.take_while(|p| !p.starts_with('#')).collect();
        if owners.is_empty() {
            owners = section_owners.clone();
        }
        rules.push(OwnerRule {
            pattern: pattern.replace("\\ ", " "),
            owners,
        });
    }
    rules
}

/// Whitespace-separated words, `\ ` kept inside a word.
fn split_unescaped(line: &str) -> impl Iterator<Item = String> + '_ {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&' ') {
            cur.push_str("\\ ");
            chars.next();
        } else if c.is_whitespace() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.into_iter()
}

/// The owners of `path` (relative to the repository root, `/`-separated):
/// the last matching rule's, joined by `, `; None when no rule matches or
/// the last match names no owner.
pub fn owner_for(rules: &[OwnerRule], path: &str) -> Option<String> {
    let rule = rules.iter().rev().find(|r| matches(&r.pattern, path))?;
    (!rule.owners.is_empty()).then(|| rule.owners.join(", "))
}

/// gitignore-style match as CODEOWNERS uses it.
fn matches(pattern: &str, path: &str) -> bool {
    let dir_only = pattern.ends_with('/');
    let p = pattern.trim_end_matches('/');
    let anchored = p.starts_with('/') || p.trim_start_matches('/').contains('/');
    let p = p.trim_start_matches('/');
    if p.is_empty() {
        return false;
    }
    let pat: Vec<&str> = p.split('/').collect();
    let segs: Vec<&str> = path.split('/').collect();
    let starts: Vec<usize> = if anchored {
        vec![0]
    } else {
        (0..segs.len()).collect()
    };
    starts.into_iter().any(|s| {
        (0..=segs.len() - s).any(|len| {
            let sub = &segs[s..s + len];
            // A pattern naming a folder matches everything under it; a file
            // pattern (no trailing `/`) may match the file itself.
            let whole = s + len == segs.len();
            !(whole && dir_only) && len > 0 && glob_segments(&pat, sub)
        })
    })
}

fn glob_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|k| glob_segments(rest, &segs[k..])),
        Some((p, rest)) => {
            !segs.is_empty()
                && glob(p.as_bytes(), segs[0].as_bytes())
                && glob_segments(rest, &segs[1..])
        }
    }
}

/// `*` and `?` within one segment.
fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|k| glob(rest, &s[k..])),
        Some((b'?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

/// Copies into `fm` every field `from` gives that neither `fm` nor an
/// earlier layer (recorded in `filled`) gave.
pub fn fill_missing(fm: &mut FrontMatter, from: &FrontMatter, filled: &mut BTreeSet<&'static str>) {
    for field in from.lines.keys() {
        if fm.lines.contains_key(field) || filled.contains(field) {
            continue;
        }
        // The schema says which fields are inherited (not title, id,
        // revisions, aliases, cascade: per document by nature).
        let copied = crate::frontmatter::inherit_field(fm, from, field);
        if copied {
            filled.insert(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codeowners_last_match_wins_with_gitlab_sections() {
        let rules = parse_codeowners(
            "# comment\n* @everyone\n/content/handbook/security/ @security\n\n[Controlled-Documents] @gl-security/compliance\n/content/handbook/security/isms.md\n*.png @design\ndocs/**/x.md @x\n",
        );
        assert_eq!(owner_for(&rules, "README.md").as_deref(), Some("@everyone"));
        assert_eq!(
            owner_for(&rules, "content/handbook/security/x/y.md").as_deref(),
            Some("@security")
        );
        assert_eq!(
            owner_for(&rules, "content/handbook/security/isms.md").as_deref(),
            Some("@gl-security/compliance")
        );
        assert_eq!(owner_for(&rules, "a/b/c.png").as_deref(), Some("@design"));
        assert_eq!(owner_for(&rules, "docs/a/b/x.md").as_deref(), Some("@x"));
    }
}
