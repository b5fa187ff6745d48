//! Redirect pages at a document's old URLs (Hugo `aliases`).
//!
//! A migrated corpus keeps links from elsewhere working: each alias of a
//! published document (public or restricted) becomes a tiny page at the old
//! path with a canonical link and a meta refresh to the document. Withheld
//! documents get none (their old URLs would name them). An alias that is not
//! a path on this site, or that collides with a document or another alias,
//! is an error at the document's `aliases` line.

use super::Ctx;
use super::views::Listed;
use crate::diag::Diagnostic;
use crate::highlight::escape_attr;
use std::collections::BTreeMap;

/// Emits every redirect page of the shown documents.
pub(super) fn render(ctx: &Ctx, shown: &[Listed<'_>]) {
    let docs = &ctx.loaded.content.documents;
    let mut taken: BTreeMap<String, String> = docs
        .iter()
        .map(|d| (d.url_path.clone(), d.source.clone()))
        .collect();
    for view in shown {
        let doc = &docs[view.i];
        let line = doc.fm.lines.get("aliases").copied().unwrap_or(1);
        for alias in &doc.fm.aliases {
            let error = |msg: String| {
                ctx.out
                    .problem(Diagnostic::error(&doc.source, line, 1, msg).code("alias/invalid"))
            };
            let Some(rel) = alias_path(alias, &ctx.urls.base_path) else {
                error(format!(
                    "alias `{alias}` is not a path on this site: write it as `/old/path/`"
                ));
                continue;
            };
            if let Some(other) = taken.insert(rel.clone(), doc.source.clone()) {
                error(format!(
                    "alias `{alias}` collides with /{rel} of {other}: remove one of them"
                ));
                continue;
            }
            let file = if rel.ends_with(".html") {
                rel.clone()
            } else {
                format!("{rel}index.html")
            };
            ctx.out.emit(
                &file,
                page(&view.title, &view.permalink).as_bytes(),
                &doc.source,
            );
        }
    }
}

/// `/handbook/x` -> `handbook/x/`; None for URLs, `..` or an empty path.
fn alias_path(alias: &str, base_path: &str) -> Option<String> {
    let a = alias.trim();
    if a.contains("://") || a.starts_with("//") || a.contains(['?', '#', '\\', '<', '>', '"']) {
        return None;
    }
    let a = a.strip_prefix(base_path).unwrap_or(a);
    let parts: Vec<&str> = a
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.iter().any(|p| *p == ".." || p.starts_with('.')) {
        return None;
    }
    let joined = parts.join("/");
    Some(if joined.ends_with(".html") {
        joined
    } else {
        format!("{joined}/")
    })
}

/// The redirect page.
fn page(title: &str, to: &str) -> String {
    let (t, u) = (escape_attr(title), escape_attr(to));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<link rel=\"canonical\" href=\"{u}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={u}\">\n</head>\n<body>\n<p>This page has moved: <a href=\"{u}\">{t}</a>.</p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths() {
        assert_eq!(
            alias_path("/handbook/security/password-standard", "/").as_deref(),
            Some("handbook/security/password-standard/")
        );
        assert_eq!(
            alias_path("/trust/old/", "/trust/").as_deref(),
            Some("old/")
        );
        assert_eq!(alias_path("/a/b.html", "/").as_deref(), Some("a/b.html"));
        assert_eq!(alias_path("https://x.example/a", "/"), None);
        assert_eq!(alias_path("/../etc", "/"), None);
        assert_eq!(alias_path("/", "/"), None);
    }
}
