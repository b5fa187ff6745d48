//! Machine-readable site files: the Atom feed of document changes
//! (`feed.xml`), `sitemap.xml` and `robots.txt`.
//!
//! Owns their exact bytes: XML escaping (including stripping characters XML
//! 1.0 forbids), stable URN entry ids and the sitemaps.org layout. It reads
//! only [`SiteView`] and [`ChangeView`] values, which already hold only
//! published documents, and never reads the clock: the feed's `<updated>` is a
//! parameter. It does not decide which documents or revisions are listed, nor
//! their order, and does no IO.

use crate::frontmatter::Visibility;
use crate::view::{ChangeView, SiteView};
use std::fmt::Write as _;

/// XML declaration that opens every generated XML file.
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// Atom 1.0 feed (RFC 4287) of document revisions, newest first (input
/// already sorted).
///
/// The feed id is `site.base_url`, `<updated>` is `updated` (RFC 3339, e.g.
/// `2026-11-22T00:00:00Z`), the title is `site.title` + " — document
/// changes"; `rel="self"` links to `<base_url>feed.xml` and
/// `rel="alternate"` to the changes page `<base_url>changes/`. Each entry has
/// the stable id `urn:trustsite:<doc_id>:<version>` (both parts
/// percent-encoded outside `[A-Za-z0-9._~-]`; the date stands in for an empty
/// version), the title `<title> <version>`, a link to the document's
/// permalink, `<updated>` = its date at midnight UTC, the revision summary as text (marked
/// "(restricted)" for restricted documents) and `site.organization` as author.
#[must_use]
pub fn atom(site: &SiteView, changes: &[ChangeView], updated: &str) -> String {
    let mut out = String::from(XML_DECL);
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let title = format!("{} \u{2014} document changes", site.title);
    element(&mut out, 1, "title", &title);
    if !site.description.trim().is_empty() {
        element(&mut out, 1, "subtitle", &site.description);
    }
    element(&mut out, 1, "id", &site.base_url);
    link(&mut out, 1, "self", &format!("{}feed.xml", site.base_url));
    link(
        &mut out,
        1,
        "alternate",
        &format!("{}changes/", site.base_url),
    );
    element(&mut out, 1, "updated", updated);
    author(&mut out, 1, site);
    if !site.generator.is_empty() {
        element(&mut out, 1, "generator", &site.generator);
    }
    for change in changes {
        entry(&mut out, site, change);
    }
    out.push_str("</feed>\n");
    out
}

/// Writes one `<entry>` for a revision.
fn entry(out: &mut String, site: &SiteView, change: &ChangeView) {
    out.push_str("  <entry>\n");
    let title = if change.version.trim().is_empty() {
        change.title.clone()
    } else {
        format!("{} {}", change.title, change.version)
    };
    element(out, 2, "title", &title);
    element(out, 2, "id", &entry_id(change));
    link(out, 2, "alternate", &change.permalink);
    element(out, 2, "updated", &format!("{}T00:00:00Z", change.date));
    element(out, 2, "summary", &entry_summary(change));
    author(out, 2, site);
    out.push_str("  </entry>\n");
}

/// The stable entry id `urn:trustsite:<doc_id>:<version>`.
///
/// Both parts are percent-encoded outside `[A-Za-z0-9._~-]`, so the id is a
/// valid URN whatever the document id or version holds. A revision without a
/// version uses its date instead, so ids stay distinct.
fn entry_id(change: &ChangeView) -> String {
    let version = if change.version.trim().is_empty() {
        change.date.to_string()
    } else {
        change.version.clone()
    };
    format!(
        "urn:trustsite:{}:{}",
        urn_encode(&change.doc_id),
        urn_encode(&version)
    )
}

/// The entry summary: the revision summary, noting restricted documents.
fn entry_summary(change: &ChangeView) -> String {
    let summary = change.summary.trim();
    match (
        change.visibility == Visibility::Restricted,
        summary.is_empty(),
    ) {
        (false, _) => summary.to_string(),
        (true, true) => "(restricted)".to_string(),
        (true, false) => format!("{summary} (restricted)"),
    }
}

/// Writes `<author><name>…</name></author>` naming the organization.
fn author(out: &mut String, depth: usize, site: &SiteView) {
    let name = if site.organization.trim().is_empty() {
        &site.title
    } else {
        &site.organization
    };
    indent(out, depth);
    out.push_str("<author>\n");
    element(out, depth + 1, "name", name);
    indent(out, depth);
    out.push_str("</author>\n");
}

/// Writes `<link rel="…" href="…"/>`.
fn link(out: &mut String, depth: usize, rel: &str, href: &str) {
    indent(out, depth);
    let _ = writeln!(out, "<link rel=\"{rel}\" href=\"{}\"/>", escape(href));
}

/// Writes `<name>text</name>` with `text` escaped, on its own line.
fn element(out: &mut String, depth: usize, name: &str, text: &str) {
    indent(out, depth);
    let _ = writeln!(out, "<{name}>{}</{name}>", escape(text));
}

/// Two spaces per nesting level.
fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// sitemap.xml (sitemaps.org 0.9): one `<url><loc>…</loc>[<lastmod>…</lastmod>]</url>`
/// per `(permalink, lastmod)` entry, in the given order.
///
/// `lastmod` (`YYYY-MM-DD`) is written only when there is one.
#[must_use]
pub fn sitemap(entries: &[(String, Option<jiff::civil::Date>)]) -> String {
    let mut out = String::from(XML_DECL);
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (loc, lastmod) in entries {
        out.push_str("  <url>\n");
        element(&mut out, 2, "loc", loc);
        if let Some(lastmod) = lastmod {
            element(&mut out, 2, "lastmod", &lastmod.to_string());
        }
        out.push_str("  </url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// robots.txt allowing everything and naming the sitemap:
/// `User-agent: *\nAllow: /\nSitemap: <base_url>sitemap.xml\n`.
#[must_use]
pub fn robots(site: &SiteView) -> String {
    let base: String = site.base_url.chars().filter(|c| !c.is_control()).collect();
    format!("User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n")
}

use crate::xml::text as escape;

/// Percent-encodes (upper-case hex, UTF-8) every byte outside `[A-Za-z0-9._~-]`.
fn urn_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'~' | b'-') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const ATOM: &str = "http://www.w3.org/2005/Atom";
    const SM: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

    fn site() -> SiteView {
        SiteView {
            title: "Acme Trust <Center>".into(),
            base_url: "https://trust.example.com/sub/".into(),
            base_path: "/sub/".into(),
            organization: "Acme & Co".into(),
            description: String::new(),
            release: "2026.11".into(),
            generator: "trustsite 0.1.0".into(),
            build_date: jiff::civil::date(2026, 11, 22),
            today: jiff::civil::date(2026, 11, 22),
            security_contact: vec!["mailto:security@example.com".into()],
            request_access: "mailto:security@example.com".into(),
            show_reviews: true,
            warn_days: 30,
            overdue_on_due_day: false,
            nav: Vec::new(),
            assets: BTreeMap::new(),
            search_index_url: "/sub/search-index.json".into(),
            feed_url: "/sub/feed.xml".into(),
            manifest_url: "/sub/manifest.json".into(),
            bundle_url: String::new(),
            oscal_url: String::new(),
            signed: false,
            preview_banner: String::new(),
        }
    }

    fn change(doc_id: &str, version: &str, date: &str, visibility: &str) -> ChangeView {
        ChangeView {
            date: date.parse().unwrap(),
            title: format!("Doc {doc_id}"),
            doc_id: doc_id.into(),
            url: format!("/sub/{doc_id}/"),
            permalink: format!("https://trust.example.com/sub/{doc_id}/"),
            version: version.into(),
            summary: "Tightened <MFA> & \"SSO\" rules\u{1}".into(),
            approved_by: String::new(),
            visibility: match visibility {
                "restricted" => Visibility::Restricted,
                _ => Visibility::Public,
            },
        }
    }

    fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> roxmltree::Node<'a, 'a> {
        node.children()
            .find(|n| n.has_tag_name((ATOM, name)))
            .unwrap_or_else(|| panic!("missing <{name}>"))
    }

    fn text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
        child(node, name).text().unwrap_or("")
    }

    fn links<'a>(node: roxmltree::Node<'a, 'a>) -> Vec<(&'a str, &'a str)> {
        node.children()
            .filter(|n| n.has_tag_name((ATOM, "link")))
            .map(|n| (n.attribute("rel").unwrap(), n.attribute("href").unwrap()))
            .collect()
    }

    fn sample_feed() -> String {
        let changes = vec![
            change("access-control", "2.0", "2026-10-01", "public"),
            change("pen test/report", "1.0 beta", "2026-09-15", "restricted"),
        ];
        atom(&site(), &changes, "2026-11-22T00:00:00Z")
    }

    #[test]
    fn atom_feed_has_required_feed_elements() {
        let xml = sample_feed();
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let feed = doc.root_element();
        assert!(feed.has_tag_name((ATOM, "feed")));
        assert_eq!(text(feed, "id"), "https://trust.example.com/sub/");
        assert_eq!(text(feed, "updated"), "2026-11-22T00:00:00Z");
        assert_eq!(
            text(feed, "title"),
            "Acme Trust <Center> \u{2014} document changes"
        );
        assert_eq!(
            links(feed),
            vec![
                ("self", "https://trust.example.com/sub/feed.xml"),
                ("alternate", "https://trust.example.com/sub/changes/"),
            ]
        );
        assert_eq!(text(child(feed, "author"), "name"), "Acme & Co");
    }

    #[test]
    fn atom_entries_carry_ids_links_dates_and_summaries() {
        let xml = sample_feed();
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let entries: Vec<_> = doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name((ATOM, "entry")))
            .collect();
        assert_eq!(entries.len(), 2);
        let first = entries[0];
        assert_eq!(text(first, "id"), "urn:trustsite:access-control:2.0");
        assert_eq!(text(first, "title"), "Doc access-control 2.0");
        assert_eq!(text(first, "updated"), "2026-10-01T00:00:00Z");
        assert_eq!(text(first, "summary"), "Tightened <MFA> & \"SSO\" rules");
        assert_eq!(
            links(first),
            vec![("alternate", "https://trust.example.com/sub/access-control/")]
        );
        assert_eq!(text(child(first, "author"), "name"), "Acme & Co");
        let second = entries[1];
        let id = "urn:trustsite:pen%20test%2Freport:1.0%20beta";
        assert_eq!(text(second, "id"), id);
        assert!(text(second, "summary").ends_with(" (restricted)"));
    }

    #[test]
    fn atom_without_changes_is_valid_and_deterministic() {
        let a = atom(&site(), &[], "2026-11-22T00:00:00Z");
        let b = atom(&site(), &[], "2026-11-22T00:00:00Z");
        assert_eq!(a, b);
        let doc = roxmltree::Document::parse(&a).unwrap();
        assert_eq!(
            doc.root_element()
                .children()
                .filter(|n| n.is_element())
                .count(),
            7
        );
    }

    #[test]
    fn entry_ids_are_urn_safe_and_fall_back_to_the_date() {
        let mut c = change("ünïcode:id", "", "2026-01-02", "public");
        assert_eq!(
            entry_id(&c),
            "urn:trustsite:%C3%BCn%C3%AFcode%3Aid:2026-01-02"
        );
        c.version = "v1~a_b-c".into();
        assert_eq!(
            entry_id(&c),
            "urn:trustsite:%C3%BCn%C3%AFcode%3Aid:v1~a_b-c"
        );
    }

    #[test]
    fn restricted_entry_without_summary_says_restricted() {
        let mut c = change("nda", "1", "2026-03-04", "restricted");
        c.summary = "  ".into();
        let xml = atom(&site(), &[c], "2026-11-22T00:00:00Z");
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let entry = child(doc.root_element(), "entry");
        assert_eq!(text(entry, "summary"), "(restricted)");
        assert_eq!(text(entry, "updated"), "2026-03-04T00:00:00Z");
    }

    #[test]
    fn escape_strips_forbidden_characters() {
        assert_eq!(
            escape("a\u{0}b\u{8}c\u{FFFE}d\te\u{1F600}"),
            "abcd\te\u{1F600}"
        );
        assert_eq!(escape("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
    }

    #[test]
    fn sitemap_lists_urls_in_order_and_omits_empty_lastmod() {
        let entries = vec![
            (
                "https://x.test/a/?q=1&r=2".to_string(),
                Some(jiff::civil::date(2026, 5, 1)),
            ),
            ("https://x.test/b/".to_string(), None),
        ];
        let xml = sitemap(&entries);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert!(root.has_tag_name((SM, "urlset")));
        let urls: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(urls.len(), 2);
        let fields = |n: roxmltree::Node| -> Vec<(String, String)> {
            n.children()
                .filter(|c| c.is_element())
                .map(|c| {
                    (
                        c.tag_name().name().to_string(),
                        c.text().unwrap_or("").to_string(),
                    )
                })
                .collect()
        };
        assert_eq!(
            fields(urls[0]),
            vec![
                ("loc".into(), "https://x.test/a/?q=1&r=2".into()),
                ("lastmod".into(), "2026-05-01".into())
            ]
        );
        assert_eq!(
            fields(urls[1]),
            vec![("loc".into(), "https://x.test/b/".into())]
        );
        assert!(roxmltree::Document::parse(&sitemap(&[])).is_ok());
    }

    #[test]
    fn robots_names_the_sitemap() {
        assert_eq!(
            robots(&site()),
            "User-agent: *\nAllow: /\nSitemap: https://trust.example.com/sub/sitemap.xml\n"
        );
    }
}
