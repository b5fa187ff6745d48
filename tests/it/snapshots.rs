//! Snapshot tests (`insta`) of what visitors and tools read from the canary
//! fixture: the `<main>` element of the home page, a public page, a
//! restricted stub, a listing and a framework page, and feed.xml,
//! sitemap.xml, security.txt and manifest.json.
//!
//! What changes with the generator rather than the content is redacted
//! (the version, SHA-256 and SRI hashes, fingerprinted asset names; and
//! whitespace-only lines of pages), so only a change of what a page shows
//! churns a snapshot. After an intended
//! change: `cargo insta review` (or `INSTA_UPDATE=always cargo test --test it
//! snapshots`, then read `git diff tests/it/snapshots`).
use crate::support::*;

/// The canary fixture, built once per test (pinned time).
fn built() -> Site {
    let site = Site::fixture("canary");
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    site
}

fn read(site: &Site, rel: &str) -> String {
    let path = site.path(&format!("public/{rel}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `<main ...>...</main>` element of a page.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("page has a <main>");
    let end = html[start..].find("</main>").expect("page closes </main>") + start;
    &html[start..end + "</main>".len()]
}

/// The text without its whitespace-only lines: a template's empty optional
/// block leaves one, and it says nothing about the page.
fn without_blank_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines.join("\n") + "\n"
}

/// Replaces what depends on the generator, not on the content: `trustsite
/// X.Y.Z`, SHA-256s (runs of exactly 64 hex digits), `sha384-...` SRI values and the 10-hex
/// fingerprint in asset names (`style.0123456789.css`).
fn redact(text: &str) -> String {
    let version = format!("trustsite {}", env!("CARGO_PKG_VERSION"));
    let text = text.replace(&version, "trustsite [version]");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        if let Some(tail) = rest.strip_prefix("sha384-") {
            let n = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c)))
                .unwrap_or(tail.len());
            out.push_str("[sri]");
            rest = &tail[n..];
            continue;
        }
        let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        // A hex run starts after a non-hex character or a `%XX` escape.
        let escape = out.len() >= 3 && out.as_bytes()[out.len() - 3] == b'%';
        let run_start = escape || !out.ends_with(|c: char| c.is_ascii_hexdigit());
        if run_start && hex == 64 {
            out.push_str("[sha256]");
            rest = &rest[hex..];
            continue;
        }
        if out.ends_with('.') && hex == 10 && rest[hex..].starts_with('.') {
            out.push_str("[hash]");
            rest = &rest[hex..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[test]
fn redact_keeps_content_and_hides_generator_details() {
    let sha = "ab".repeat(32);
    let text = format!(
        "trustsite {} {sha} x{sha} {sha}0 %20{sha}%0D sha384-AbC+/9= style.0123456789.css 2026-11-22",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(
        redact(&text),
        format!(
            "trustsite [version] [sha256] x[sha256] {sha}0 %20[sha256]%0D [sri] style.[hash].css 2026-11-22"
        )
    );
}

#[test]
fn main_elements_of_key_pages() {
    let site = built();
    for (name, page) in [
        ("home_main", "index.html"),
        ("public_page_main", "policies/public-policy/index.html"),
        ("restricted_stub_main", "policies/restricted-doc/index.html"),
        ("listing_main", "policies/index.html"),
        ("framework_main", "frameworks/iso-iec-27001-2022/index.html"),
    ] {
        let html = read(&site, page);
        insta::assert_snapshot!(name, redact(&without_blank_lines(main_of(&html))));
    }
}

#[test]
fn generated_files() {
    let site = built();
    for (name, file) in [
        ("feed_xml", "feed.xml"),
        ("sitemap_xml", "sitemap.xml"),
        ("security_txt", ".well-known/security.txt"),
        ("manifest_json", "manifest.json"),
    ] {
        insta::assert_snapshot!(name, redact(&read(&site, file)));
    }
}
