//! What a file under `content/` is, from its path alone: a document in
//! any Markdown spelling, the home or a folder's introduction, a copy of a
//! document, another file, or nothing. Pure string functions (no IO); the
//! content walker and the publication decision both use them.

/// Markdown file extensions (compared without case).
pub const MARKDOWN_EXTENSIONS: &[&str] = &[
    "md", "markdown", "mdown", "mkd", "mkdn", "mdwn", "mdtxt", "mdtext",
];

/// What a file under `content/` is, from its content-relative path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// `index.md` (or `_index.md`) at the top: the home page's introduction.
    Home,
    /// `<folder>/_index.md`: the introduction of that top-level folder.
    Intro(String),
    /// A document; `bundle` is its folder when it is a bundle's `index.md`.
    Document {
        /// Bundle folder (content-relative).
        bundle: Option<String>,
    },
    /// A copy of a document (backup, editor temp file, merge leftover):
    /// never published.
    Copy,
    /// Any other file: published only when something published needs it.
    Asset,
    /// Not content (`.`/`_` names): never read, never published.
    Ignored,
}

/// What `rel` (content-relative, `/`-separated) is.
pub fn classify(rel: &str) -> FileKind {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    if dir
        .split('/')
        .any(|c| c.starts_with('.') || c.starts_with('_'))
    {
        return FileKind::Ignored;
    }
    if is_copy(name) {
        return FileKind::Copy;
    }
    let Some(stem) = doc_stem(name) else {
        return if name.starts_with('.') || name.starts_with('_') {
            FileKind::Ignored
        } else {
            FileKind::Asset
        };
    };
    let index = stem.eq_ignore_ascii_case("index");
    let intro = stem.eq_ignore_ascii_case("_index");
    match (dir, index, intro) {
        ("", true, _) | ("", _, true) => FileKind::Home,
        (folder, _, true) if !folder.contains('/') => FileKind::Intro(folder.to_string()),
        (folder, true, _) => FileKind::Document {
            bundle: Some(folder.to_string()),
        },
        _ if stem.starts_with('.') || (stem.starts_with('_') && !intro) => FileKind::Ignored,
        _ => FileKind::Document { bundle: None },
    }
}

/// Whether a folder name is walked (not `.`/`_`-prefixed).
pub fn is_content_dir(name: &str) -> bool {
    !(name.starts_with('.') || name.starts_with('_'))
}

/// The file name of a document without its Markdown extension (and
/// tech-docs' `.html` before it and `.erb` after it): `x.html.md.erb` -> `x`.
/// None when the name is not a Markdown spelling.
pub fn doc_stem(name: &str) -> Option<&str> {
    let lower = name.to_ascii_lowercase();
    let core = lower.strip_suffix(".erb").unwrap_or(&lower);
    let (stem, ext) = core.rsplit_once('.')?;
    if stem.is_empty() || !MARKDOWN_EXTENSIONS.contains(&ext) {
        return None;
    }
    let stem = stem
        .strip_suffix(".html")
        .filter(|s| !s.is_empty())
        .unwrap_or(stem);
    Some(&name[..stem.len()])
}

/// Whether a file name looks like a copy of a document: an editor's backup or
/// temp file (`x.md~`, `#x.md#`, `.#x.md`, `.x.md.swp`), a merge leftover
/// (`x.md.orig`, `x.md.rej`, `x.md.bak`) or any name that still carries a
/// Markdown extension before another suffix (`x.md.old`, `x.markdown.txt`).
pub fn is_copy(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let core = lower
        .trim_start_matches(['.', '#'])
        .trim_end_matches(['~', '#']);
    if core.is_empty() {
        return false;
    }
    if core.len() != lower.len() && doc_stem(core).is_some() {
        return true;
    }
    if doc_stem(core).is_some() {
        return false;
    }
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| MARKDOWN_EXTENSIONS.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_markdown_spelling_is_a_document() {
        for name in [
            "x.md",
            "x.MD",
            "x.markdown",
            "x.Mdown",
            "x.mkd",
            "x.html.md",
            "x.html.md.erb",
        ] {
            assert_eq!(
                classify(&format!("policies/{name}")),
                FileKind::Document { bundle: None },
                "{name}"
            );
        }
        assert_eq!(
            doc_stem("Access Control.html.md.erb"),
            Some("Access Control")
        );
        assert_eq!(doc_stem("x.HTML.MD"), Some("x"));
        assert_eq!(doc_stem("x.pdf"), None);
        assert_eq!(classify("index.markdown"), FileKind::Home);
        assert_eq!(
            classify("policies/_index.MD"),
            FileKind::Intro("policies".into())
        );
        assert_eq!(
            classify("policies/b/index.md"),
            FileKind::Document {
                bundle: Some("policies/b".into())
            }
        );
        assert_eq!(classify("_data/x.yaml"), FileKind::Ignored);
        assert_eq!(classify("policies/_x.md"), FileKind::Ignored);
        assert_eq!(classify("policies/report.pdf"), FileKind::Asset);
    }

    #[test]
    fn copies_of_documents_are_recognised() {
        for name in [
            "x.md~",
            "#x.md#",
            ".#x.md",
            ".x.md.swp",
            "x.md.swp",
            "x.md.orig",
            "x.md.bak",
            "x.md.rej",
            "x.MARKDOWN.old",
            "x.html.md.erb~",
        ] {
            assert!(is_copy(name), "{name}");
            assert_eq!(classify(&format!("a/{name}")), FileKind::Copy, "{name}");
        }
        for name in [
            "x.md", "x.md.erb", "x.pdf", "md.pdf", "a.b.md", "x~", ".hidden",
        ] {
            assert!(!is_copy(name), "{name}");
        }
    }
}
