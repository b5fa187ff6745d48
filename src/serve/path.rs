//! Request paths and content types for the preview server.
//!
//! [`parse`] turns the raw request target into decoded path segments and
//! refuses anything that could name a file outside the site: `..` and `.`
//! segments (also percent-encoded), encoded slashes, backslashes, NUL,
//! empty segments (`//etc/passwd`) and targets that are not origin-form.
//! The server only ever looks paths up in the in-memory site, so an escape
//! is impossible anyway; refusing such paths early keeps it obvious.
//! [`content_type`] maps a file name to its `Content-Type`.

/// A request target that names something inside the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePath {
    /// Decoded segments, without empty ones; `[]` for `/`.
    pub segments: Vec<String>,
    /// True when the path ends with `/` (or is `/`).
    pub dir: bool,
    /// The query string (without `?`), if any.
    pub query: Option<String>,
}

impl SitePath {
    /// The path as a key of the built site (`policies/x/index.html`).
    pub fn key(&self) -> String {
        let joined = self.segments.join("/");
        match (self.dir, joined.is_empty()) {
            (true, true) => "index.html".to_string(),
            (true, false) => format!("{joined}/index.html"),
            (false, _) => joined,
        }
    }
}

/// Parses a raw request target; `None` means "400 Bad Request".
pub fn parse(raw: &str) -> Option<SitePath> {
    let raw = raw.split('#').next().unwrap_or_default();
    let (path, query) = match raw.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (raw, None),
    };
    let rest = path.strip_prefix('/')?;
    if rest.is_empty() {
        return Some(SitePath {
            segments: Vec::new(),
            dir: true,
            query,
        });
    }
    let dir = rest.ends_with('/');
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments = rest.split('/').map(segment).collect::<Option<Vec<_>>>()?;
    Some(SitePath {
        segments,
        dir,
        query,
    })
}

/// Decodes one segment; `None` when it is empty, `.`/`..` or smuggles a
/// separator, a NUL or invalid UTF-8.
fn segment(raw: &str) -> Option<String> {
    let decoded = String::from_utf8(percent_decode(raw)?).ok()?;
    let bad_char = decoded.chars().any(|c| matches!(c, '/' | '\\' | '\0'));
    if decoded.is_empty() || decoded == "." || decoded == ".." || bad_char {
        return None;
    }
    Some(decoded)
}

/// Percent-decodes bytes; `None` on a malformed escape.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `Content-Type` for a file, by extension.
pub fn content_type(key: &str) -> &'static str {
    let name = key.rsplit('/').next().unwrap_or(key);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "asc" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> Option<String> {
        parse(raw).map(|p| p.key())
    }

    #[test]
    fn plain_paths() {
        assert_eq!(key("/"), Some("index.html".into()));
        assert_eq!(key("/policies/"), Some("policies/index.html".into()));
        assert_eq!(key("/policies"), Some("policies".into()));
        assert_eq!(
            key("/assets/style.css?v=1#top"),
            Some("assets/style.css".into())
        );
        assert_eq!(key("/a%20b.txt"), Some("a b.txt".into()));
        assert_eq!(
            key("/.well-known/security.txt"),
            Some(".well-known/security.txt".into())
        );
        assert_eq!(parse("/x?y=1").unwrap().query.as_deref(), Some("y=1"));
    }

    #[test]
    fn escapes_are_refused() {
        let bad = [
            "/../trust.yaml",
            "/%2e%2e/trust.yaml",
            "/%2E%2E/trust.yaml",
            "/..%2ftrust.yaml",
            "/..%2Ftrust.yaml",
            "/..\\trust.yaml",
            "/..%5ctrust.yaml",
            "//etc/passwd",
            "/a//b",
            "/a/./b",
            "/a/%00",
            "/a%zz",
            "/a%2",
            "/%ff",
            "etc/passwd",
            "http://example.com/x",
            "*",
            "",
        ];
        for raw in bad {
            assert_eq!(parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn content_types() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("assets/style.30755d3ca0.css", "text/css; charset=utf-8"),
            ("assets/search.js", "text/javascript; charset=utf-8"),
            ("search-index.json", "application/json"),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("keys/security.asc", "text/plain; charset=utf-8"),
            ("x/escalation.SVG", "image/svg+xml"),
            ("a.png", "image/png"),
            ("a.jpeg", "image/jpeg"),
            ("a.jpg", "image/jpeg"),
            ("a.gif", "image/gif"),
            ("a.webp", "image/webp"),
            ("favicon.ico", "image/x-icon"),
            ("report.pdf", "application/pdf"),
            ("font.woff2", "font/woff2"),
            ("LICENSE", "application/octet-stream"),
        ];
        for (name, want) in cases {
            assert_eq!(content_type(name), want, "{name}");
        }
    }
}
