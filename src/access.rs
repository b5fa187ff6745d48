//! The "request access" link of a restricted document: the security
//! contact's `mailto:` or `https:` URI carrying the document's id, version
//! and SHA-256, so a request names exactly the text it asks for.
//!
//! `mailto:` gets a subject and a body (RFC 6068, percent-encoded); an
//! `https:` URL gets `document`, `version` and `sha256` query parameters
//! (before any `#fragment`). Other schemes are returned unchanged.

/// The link for a document with `id`, `title`, `version` (may be empty)
/// and source `sha256`, given the site's first security `contact`.
pub fn link(contact: &str, id: &str, title: &str, version: &str, sha256: &str) -> String {
    let lower = contact.to_ascii_lowercase();
    let version_text = if version.is_empty() {
        "(none)"
    } else {
        version
    };
    if lower.starts_with("mailto:") {
        let subject = format!("Access request: {title} ({id}, version {version_text})");
        let body = format!(
            "Please share this document under NDA.\r\n\r\nDocument id: {id}\r\nTitle: {title}\r\nVersion: {version_text}\r\nSHA-256: {sha256}\r\n"
        );
        let sep = if contact.contains('?') { '&' } else { '?' };
        format!(
            "{contact}{sep}subject={}&body={}",
            encode(&subject),
            encode(&body)
        )
    } else if lower.starts_with("https:") || lower.starts_with("http:") {
        let (base, fragment) = match contact.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (contact, None),
        };
        let sep = if base.contains('?') { '&' } else { '?' };
        let mut url = format!(
            "{base}{sep}document={}&version={}&sha256={}",
            encode(id),
            encode(version),
            encode(sha256)
        );
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        url
    } else {
        contact.to_string()
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_carries_id_version_and_hash_encoded() {
        let l = link("mailto:sec@example.com", "bcp", "B&C <Plan>", "2.0", "ab12");
        assert!(l.starts_with("mailto:sec@example.com?subject=Access%20request%3A%20B%26C%20%3CPlan%3E%20%28bcp%2C%20version%202.0%29&body="), "{l}");
        assert!(l.contains("Document%20id%3A%20bcp%0D%0A"), "{l}");
        assert!(l.contains("SHA-256%3A%20ab12"), "{l}");
        let l = link("mailto:sec@example.com?cc=a@b.c", "x", "X", "", "ff");
        assert!(
            l.starts_with("mailto:sec@example.com?cc=a@b.c&subject="),
            "{l}"
        );
        assert!(l.contains("version%20%28none%29"), "{l}");
    }

    #[test]
    fn https_gets_a_query_before_the_fragment() {
        assert_eq!(
            link(
                "https://x.example/req?lang=en#form",
                "a b",
                "T",
                "1.0",
                "ff"
            ),
            "https://x.example/req?lang=en&document=a%20b&version=1.0&sha256=ff#form"
        );
        assert_eq!(link("tel:+1", "a", "T", "1", "ff"), "tel:+1");
    }
}
