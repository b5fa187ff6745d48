//! URL paths as links write them: schemes, percent-decoding, normalising.
//!
//! Pure string functions for the link checker and the publication
//! decision: no lookups, no IO.

/// `scheme:` (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
pub fn has_scheme(dest: &str) -> bool {
    let Some((scheme, _)) = dest.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `%XX` sequences decoded; None when the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

pub fn decode_fragment(f: &str) -> String {
    percent_decode(f).unwrap_or_else(|| f.to_string())
}

/// A URL path (`/keys/a%20b.asc`) as a normalised content-relative path, or
/// None when it cannot name a file here.
pub fn decode_path(path: &str) -> Option<String> {
    normalise("", &percent_decode(path)?)
}

/// Joins a relative path onto `dir`, resolving `.`, `..` and repeated `/`;
/// keeps a trailing `/`; None if it escapes the root.
pub fn normalise(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let last = rel.rsplit('/').next().unwrap_or("");
    let dir_like = rel.ends_with('/') || last == "." || last == "..";
    let mut out = parts.join("/");
    if dir_like && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_relative_paths() {
        assert_eq!(
            normalise("policies", "../standards/x.md").as_deref(),
            Some("standards/x.md")
        );
        assert_eq!(normalise("", "x.md").as_deref(), Some("x.md"));
        assert_eq!(normalise("", "../x.md"), None);
        assert_eq!(normalise("a/b/", "../c/").as_deref(), Some("a/c/"));
        assert_eq!(normalise("a", "/b//c/./d").as_deref(), Some("b/c/d"));
        assert_eq!(normalise("a", "..").as_deref(), Some(""));
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(
            percent_decode("Secret%20Plan.md").as_deref(),
            Some("Secret Plan.md")
        );
        assert_eq!(percent_decode("a%2").as_deref(), Some("a%2"));
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(
            decode_path("/keys/a%20b.asc").as_deref(),
            Some("keys/a b.asc")
        );
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("mailto:x@y"));
        assert!(has_scheme("HTTPS://x"));
        assert!(!has_scheme("a/b:c"));
        assert!(!has_scheme("/x"));
    }
}
