//! What each fuzz target runs, and the properties it checks.
//!
//! Shared by the libFuzzer targets (`fuzz_targets/*.rs`, run with cargo-fuzz)
//! and by the stable tests in `tests/it/hostile.rs`, which replay every
//! saved input under `tests/fuzz/regressions/` and a deterministic stream of
//! mutated seeds through the same functions on every `cargo test`. Each
//! function takes raw bytes and panics only when trustsite breaks a promise:
//! a panic inside trustsite, or output that violates the security policy
//! (raw HTML or a script URL reaching the page).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use trustsite::highlight::Highlighter;
use trustsite::markdown::{LinkDecision, LinkPolicy};

/// Front-matter field aliases used by the targets (the README's tech-docs example).
fn aliases() -> &'static BTreeMap<String, String> {
    static ALIASES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    ALIASES.get_or_init(|| {
        [
            ("last_reviewed_on", "last_reviewed"),
            ("review_in", "review_cycle"),
            ("owner_slack", "owner"),
            ("name", "title"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    })
}

/// One highlighter for the whole process (loading syntaxes is slow).
fn highlighter() -> &'static Highlighter {
    static HL: OnceLock<Highlighter> = OnceLock::new();
    HL.get_or_init(|| Highlighter::new(false))
}

/// A link policy shaped like the site's: `.md` links resolve to a pretty
/// URL, `drop:` links are removed with a warning, anchors are checked.
struct Links;

impl LinkPolicy for Links {
    fn decide(&self, dest: &str) -> LinkDecision {
        if let Some(stem) = dest.strip_suffix(".md") {
            LinkDecision {
                href: Some(format!("/{}/", stem.trim_matches('/'))),
                ..LinkDecision::default()
            }
        } else if dest.starts_with("drop:") {
            LinkDecision {
                drop: true,
                warning: Some(format!("link `{dest}` removed")),
                ..LinkDecision::default()
            }
        } else if let Some(anchor) = dest.strip_prefix("other.md#") {
            LinkDecision {
                anchor_check: Some((0, anchor.to_string())),
                ..LinkDecision::default()
            }
        } else {
            LinkDecision::default()
        }
    }
}

/// Bytes as the loader sees them: UTF-8 or nothing (invalid UTF-8 is a
/// located error before any parsing, tested in `tests/it/hostile.rs`).
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// `frontmatter::split` then `frontmatter::parse`, with line bookkeeping checked.
pub fn frontmatter(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(split) = trustsite::frontmatter::split(text) else {
        return;
    };
    assert!(text.ends_with(split.body), "body is the tail of the file");
    assert!(split.body_line >= 1);
    let Some(yaml) = split.yaml else {
        assert_eq!(split.body_line, 1);
        return;
    };
    assert!(
        split.body_line > split.yaml_line,
        "body starts below the YAML"
    );
    let (_fm, problems) = trustsite::frontmatter::parse(yaml, split.yaml_line, aliases());
    for p in &problems {
        assert!(p.line >= 1 && p.col >= 1, "problem without location: {p:?}");
        assert!(!p.message.is_empty());
    }
}

/// A whole `.md` file: front-matter, then the body rendered to HTML.
pub fn document(data: &[u8]) {
    frontmatter(data);
    let Some(text) = text(data) else { return };
    let (body, line) = match trustsite::frontmatter::split(text) {
        Ok(s) => (s.body, s.body_line),
        Err(_) => (text, 1),
    };
    let r = trustsite::markdown::render(body, line, &Links, highlighter(), true);
    check_html(&r.html);
    for n in &r.notes {
        assert!(n.line >= line && n.col >= 1, "note outside the body: {n:?}");
    }
    for e in &r.toc {
        assert!(r.ids.contains(&e.id), "toc entry without its id: {}", e.id);
    }
}

/// `config::parse` on arbitrary `trust.yaml` text; the root has no files, so
/// catalogue paths can only fail, never read anything.
pub fn config(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let root = Path::new("/nonexistent/trustsite-fuzz-root");
    match trustsite::config::parse(text, root) {
        Ok(cfg) => {
            assert!(cfg.base_url.ends_with('/'));
            assert!((1..=365).contains(&cfg.security_txt.expires_days));
            assert!(cfg.review.warn_days >= 0);
        }
        Err(trustsite::config::ConfigError::Invalid(diags)) => {
            assert!(!diags.is_empty(), "invalid config without a reason");
        }
        Err(e) => panic!("parse reported an IO error: {e}"),
    }
}

/// The raw-HTML policy: Markdown never yields a script element, an event
/// handler attribute or a script URL in `href`/`src`. Text is escaped, so
/// every literal `<` in the HTML opens a tag that trustsite or
/// pulldown-cmark wrote; the attributes of each are checked.
pub fn check_html(html: &str) {
    for (name, attrs) in tags(html) {
        for bad in ["script", "iframe", "object", "embed", "style", "svg"] {
            assert_ne!(name, bad, "<{bad}> in rendered Markdown: {html}");
        }
        for (attr, value) in attrs {
            assert!(
                !attr.starts_with("on"),
                "event handler `{attr}` on <{name}>"
            );
            if attr != "href" && attr != "src" {
                continue;
            }
            let url: String = unescape(&value)
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            for scheme in ["javascript:", "vbscript:", "data:", "file:"] {
                assert!(!url.starts_with(scheme), "`{scheme}` URL survived: {value}");
            }
        }
    }
}

/// Every opening tag: lowercase name and `(attribute, value)` pairs.
pub fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for chunk in html.split('<').skip(1) {
        let head = &chunk[..chunk.find('>').unwrap_or(chunk.len())];
        if head.starts_with(['/', '!', '?']) {
            continue;
        }
        let mut chars = head.chars().peekable();
        let name: String = chars
            .by_ref()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        let mut attrs = Vec::new();
        loop {
            while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
            let mut attr = String::new();
            while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=' && *c != '/') {
                attr.push(c);
            }
            if attr.is_empty() {
                break;
            }
            let mut value = String::new();
            if chars.next_if_eq(&'=').is_some() {
                match chars.next_if(|c| *c == '"' || *c == '\'') {
                    Some(quote) => value.extend(chars.by_ref().take_while(|c| *c != quote)),
                    None => {
                        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                            value.push(c);
                        }
                    }
                }
            }
            attrs.push((attr.to_ascii_lowercase(), value));
        }
        out.push((name.to_ascii_lowercase(), attrs));
    }
    out
}

/// Decodes the entities pulldown-cmark and trustsite emit in attributes.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
