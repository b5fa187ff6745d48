//! Fields a document gets without saying them: cascade, folder defaults, CODEOWNERS.
//!
//! Migrated corpora keep shared fields outside each file. In order of
//! precedence (the first that gives a field wins):
//!
//! 1. the document's own front-matter;
//! 2. `cascade:` in the `_index.md` of a folder above it (Hugo's meaning: the
//!    nearest folder's cascade first; an entry with a `_target` only for the
//!    pages it selects, see [`CascadeTarget`]);
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

/// Hugo's cascade `_target` (also spelled `target`): which pages below the
/// folder an entry applies to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CascadeTarget {
    /// Glob on the page's path from content/ (`/policies/**`): `*` within
    /// one segment, `**` across segments, `?` one character, `{a,b}`
    /// alternatives; case-insensitive.
    pub path: Option<String>,
    /// `page`, `section` or `home` (glob).
    pub kind: Option<String>,
    /// Language glob: a trustsite site has one language, Hugo's default `en`.
    pub lang: Option<String>,
}

impl CascadeTarget {
    /// Reads a `_target` mapping; Err names a key trustsite cannot honour
    /// (the entry must then apply nowhere: fail closed).
    pub fn parse(v: &serde_json::Value) -> Result<CascadeTarget, String> {
        let Some(map) = v.as_object() else {
            return Err("`_target` must be a mapping (path, kind, lang, environment)".into());
        };
        let mut t = CascadeTarget::default();
        for (k, v) in map {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            match k.as_str() {
                "path" => t.path = Some(text),
                "kind" => t.kind = Some(text),
                "lang" => t.lang = Some(text),
                // Hugo's build environment: trustsite has one, every build.
                "environment" => {}
                other => {
                    return Err(format!(
                        "`_target` key `{other}` is not known (path, kind, lang, environment)"
                    ));
                }
            }
        }
        Ok(t)
    }

    /// Whether the file `rel` (content-relative) is a target.
    pub fn applies(&self, rel: &str) -> bool {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let stem = crate::filekind::doc_stem(name).unwrap_or(name);
        let section = stem.eq_ignore_ascii_case("_index");
        let kind = match (dir, section || stem.eq_ignore_ascii_case("index")) {
            ("", true) => "home",
            (_, true) if section => "section",
            _ => "page",
        };
        // Hugo's path: `/dir/stem`, a bundle or section by its folder.
        let logical = if section || stem.eq_ignore_ascii_case("index") {
            format!("/{dir}")
        } else if dir.is_empty() {
            format!("/{stem}")
        } else {
            format!("/{dir}/{stem}")
        };
        let full = format!("/{rel}");
        self.path.as_ref().is_none_or(|p| {
            path_glob(p, &logical.to_lowercase()) || path_glob(p, &full.to_lowercase())
        }) && self.kind.as_ref().is_none_or(|k| path_glob(k, kind))
            && self.lang.as_ref().is_none_or(|l| path_glob(l, "en"))
    }
}

/// A Hugo (gobwas) glob against a `/`-separated path, case-insensitive.
pub fn path_glob(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim().to_lowercase();
    let path = path.to_lowercase();
    alternatives(&pattern)
        .iter()
        .any(|p| glob_path(p.as_bytes(), path.as_bytes()))
}

/// `{a,b}` groups expanded (not nested), at most 64 patterns.
fn alternatives(p: &str) -> Vec<String> {
    let Some(open) = p.find('{') else {
        return vec![p.to_string()];
    };
    let Some(close) = p[open..].find('}').map(|c| open + c) else {
        return vec![p.to_string()];
    };
    let mut out = Vec::new();
    for alt in p[open + 1..close].split(',') {
        for rest in alternatives(&p[close + 1..]) {
            if out.len() < 64 {
                out.push(format!("{}{alt}{rest}", &p[..open]));
            }
        }
    }
    out
}

/// `**` any characters, `*` any but `/`, `?` one but `/` (memoised: linear
/// in pattern times path).
fn glob_path(p: &[u8], s: &[u8]) -> bool {
    // dp[j]: pattern prefix matched so far against s[..j].
    let mut dp = vec![false; s.len() + 1];
    dp[0] = true;
    let mut i = 0;
    while i < p.len() {
        let mut next = vec![false; s.len() + 1];
        if p[i] == b'*' {
            let double = p.get(i + 1) == Some(&b'*');
            for j in 0..=s.len() {
                next[j] = dp[j] || (j > 0 && next[j - 1] && (double || s[j - 1] != b'/'));
            }
            i += if double { 2 } else { 1 };
        } else {
            for j in 1..=s.len() {
                next[j] = dp[j - 1] && (p[i] == s[j - 1] || (p[i] == b'?' && s[j - 1] != b'/'));
            }
            i += 1;
        }
        dp = next;
    }
    dp[s.len()]
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

    #[test]
    fn cascade_targets_match_as_hugo_does() {
        let t = |v: serde_json::Value| CascadeTarget::parse(&v).unwrap();
        let pol = t(serde_json::json!({"path": "/policies/**", "environment": "production"}));
        assert!(pol.applies("policies/x.md"));
        assert!(pol.applies("policies/a/b.md"));
        assert!(pol.applies("Policies/Y.md"), "case-insensitive");
        assert!(!pol.applies("standards/x.md"));
        let one = t(serde_json::json!({"path": "/policies/*"}));
        assert!(one.applies("policies/x.md") && !one.applies("policies/a/b.md"));
        assert!(
            one.applies("policies/bundle/index.md"),
            "a bundle is its folder"
        );
        let pages = t(serde_json::json!({"kind": "page"}));
        assert!(pages.applies("policies/x.md"));
        assert!(!pages.applies("policies/sub/_index.md"));
        let alt = t(serde_json::json!({"path": "{/a/**,/b/x}", "lang": "en"}));
        assert!(alt.applies("a/q.md") && alt.applies("b/x.md") && !alt.applies("b/y.md"));
        let fr = t(serde_json::json!({"lang": "fr"}));
        assert!(!fr.applies("a/q.md"));
        assert!(CascadeTarget::parse(&serde_json::json!({"paths": "/x"})).is_err());
        assert!(path_glob("/a/?.md", "/a/b.md") && !path_glob("/a/?.md", "/a/bc.md"));
    }
}
