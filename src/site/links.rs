//! Resolving links between documents: `.md` paths to pretty URLs.
//!
//! A relative link to another document's source (`../standards/x.md#scope`)
//! becomes that document's URL when it is published, and is dropped (text
//! kept, warning raised) when it is not, so internal titles and slugs never
//! leak through a link. Anchors are queued for checking once every document
//! has been rendered.

use crate::content::Document;
use crate::markdown::{LinkDecision, LinkPolicy};
use std::collections::HashMap;

/// Lookup of documents by content-relative source path.
pub struct LinkIndex<'a> {
    by_path: HashMap<String, usize>,
    docs: &'a [Document],
    urls: &'a [Option<String>],
}

impl<'a> LinkIndex<'a> {
    /// `urls[i]` is document i's site URL when it is shown, else None.
    pub fn new(docs: &'a [Document], urls: &'a [Option<String>]) -> Self {
        let by_path = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.source.trim_start_matches("content/").to_string(), i))
            .collect();
        LinkIndex {
            by_path,
            docs,
            urls,
        }
    }

    /// The policy for links found in document `from`.
    pub fn policy_for(&'a self, from: usize) -> DocLinks<'a> {
        let source = self.docs[from].source.trim_start_matches("content/");
        let dir = source.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        DocLinks {
            index: self,
            from,
            dir,
        }
    }
}

/// Link policy of one document.
pub struct DocLinks<'a> {
    index: &'a LinkIndex<'a>,
    from: usize,
    dir: String,
}

impl LinkPolicy for DocLinks<'_> {
    fn decide(&self, dest: &str) -> LinkDecision {
        if let Some(anchor) = dest.strip_prefix('#') {
            return LinkDecision {
                anchor_check: Some((self.from, anchor.to_string())),
                ..LinkDecision::default()
            };
        }
        if is_external(dest) {
            return LinkDecision::default();
        }
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (dest, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        if !path.ends_with(".md") {
            return LinkDecision::default();
        }
        let Some(target) = resolve(&self.dir, path) else {
            return warn(
                "link/outside",
                format!("link `{dest}` points outside content/"),
            );
        };
        let Some(&i) = self.index.by_path.get(&target) else {
            return warn(
                "link/broken",
                format!("broken link `{dest}`: no document content/{target}"),
            );
        };
        let Some(url) = &self.index.urls[i] else {
            return LinkDecision {
                drop: true,
                warning: Some(format!(
                    "link `{dest}` removed: it points to a document that is not published"
                )),
                code: "link/unpublished",
                ..LinkDecision::default()
            };
        };
        let href = match anchor {
            Some(a) if !a.is_empty() => format!("{url}#{a}"),
            _ => url.clone(),
        };
        LinkDecision {
            href: Some(href),
            anchor_check: anchor.filter(|a| !a.is_empty()).map(|a| (i, a.to_string())),
            ..LinkDecision::default()
        }
    }
}

fn warn(code: &'static str, message: String) -> LinkDecision {
    LinkDecision {
        warning: Some(message),
        code,
        ..LinkDecision::default()
    }
}

fn is_external(dest: &str) -> bool {
    dest.starts_with('/') || dest.starts_with("//") || dest.contains(':')
}

/// Joins a relative path onto `dir`, resolving `.` and `..`; None if it escapes.
fn resolve(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(
            resolve("policies", "../standards/x.md").as_deref(),
            Some("standards/x.md")
        );
        assert_eq!(resolve("", "x.md").as_deref(), Some("x.md"));
        assert_eq!(resolve("", "../x.md"), None);
    }
}
