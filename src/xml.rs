//! XML escaping shared by every XML trustsite writes (Atom feed, sitemap,
//! JUnit report): the five predefined entities, and characters XML 1.0 does
//! not allow dropped so a hostile title can never make a file unparsable.

/// True for characters XML 1.0 allows in a document.
pub fn legal(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes element text.
pub fn text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value, keeping newlines and tabs through attribute
/// normalization.
pub fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| legal(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_entities_and_drops_illegal_characters() {
        assert_eq!(
            text("a\u{0}b\u{8}c\u{FFFE}d\te\u{1F600}"),
            "abcd\te\u{1F600}"
        );
        assert_eq!(text("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
        assert_eq!(attr("a\nb\tc"), "a&#10;b&#9;c");
    }
}
