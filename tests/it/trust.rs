//! Trust-center outputs: security.txt, feed, sitemap, search index, verify,
//! certifications and frameworks.
use crate::support::*;
use std::collections::BTreeMap;

fn read(out: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn security_txt_follows_rfc_9116() {
    let out = built_example();
    let text = read(out, ".well-known/security.txt");
    let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (k, v) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("malformed line {line:?}"));
        fields.entry(k.to_string()).or_default().push(v.to_string());
    }
    assert!(
        fields["Contact"]
            .iter()
            .all(|c| c.starts_with("mailto:") || c.starts_with("https://"))
    );
    // SOURCE_DATE_EPOCH 1795305600 = 2026-11-22T00:00:00Z; expires_days 180.
    assert_eq!(fields["Expires"], vec!["2027-05-21T00:00:00Z".to_string()]);
    assert_eq!(
        fields["Canonical"],
        vec!["https://trust.example.com/.well-known/security.txt".to_string()]
    );
    assert_eq!(
        fields["Policy"],
        vec!["https://trust.example.com/policies/vulnerability-management/".to_string()]
    );
    assert_eq!(fields["Preferred-Languages"], vec!["en, de".to_string()]);
    assert!(fields["Encryption"][0].starts_with("https://"));
}

#[test]
fn atom_feed_and_changes_page_list_revisions_newest_first() {
    let out = built_example();
    let xml = read(out, "feed.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert!(entries.len() >= 10);
    let text = |n: &roxmltree::Node, tag: &str| {
        n.children()
            .find(|c| c.has_tag_name(tag))
            .and_then(|c| c.text())
            .unwrap_or("")
            .to_string()
    };
    let dates: Vec<String> = entries.iter().map(|e| text(e, "updated")).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    let ids: std::collections::HashSet<String> = entries.iter().map(|e| text(e, "id")).collect();
    assert_eq!(ids.len(), entries.len(), "unique ids");
    assert!(ids.iter().all(|i| i.starts_with("urn:trustsite:")));
    assert!(
        !xml.contains("acceptable-use"),
        "internal document's revisions are not in the feed"
    );
    let changes = read(out, "changes/index.html");
    assert!(changes.contains("Incident Response Policy"));
}

#[test]
fn sitemap_lists_published_pages_only_and_robots_points_to_it() {
    let out = built_example();
    let xml = read(out, "sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.contains(&"https://trust.example.com/policies/access-control/"));
    assert!(
        locs.contains(&"https://trust.example.com/policies/business-continuity/"),
        "restricted stubs are listed"
    );
    assert!(!locs.iter().any(|l| l.contains("acceptable-use")));
    assert!(read(out, "robots.txt").contains("Sitemap: https://trust.example.com/sitemap.xml"));
}

#[test]
fn search_index_covers_public_text_and_only_restricted_titles() {
    let out = built_example();
    let json: serde_json::Value = serde_json::from_str(&read(out, "search-index.json")).unwrap();
    let docs = json["docs"].as_array().unwrap();
    let urls: Vec<&str> = docs.iter().map(|d| d[0].as_str().unwrap()).collect();
    assert!(urls.contains(&"/policies/access-control/"));
    assert!(urls.contains(&"/policies/business-continuity/"));
    assert!(!urls.iter().any(|u| u.contains("acceptable-use")));
    let terms = json["terms"].as_object().unwrap();
    assert!(
        terms.contains_key("passkey") && terms.contains_key("fido2"),
        "body text of public documents is indexed (access-control.md)"
    );
    let others: String = walkdir::WalkDir::new(repo().join("content"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && !e.path().ends_with("business-continuity.md"))
        .map(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .to_lowercase()
        })
        .collect();
    let bc =
        std::fs::read_to_string(repo().join("content/policies/business-continuity.md")).unwrap();
    let mut parts = bc.splitn(3, "---");
    let summary_and_title = parts.nth(1).unwrap().to_lowercase();
    let body = parts.next().unwrap().to_lowercase();
    let restricted_only: Vec<&str> = body
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 6 && !summary_and_title.contains(*w))
        .filter(|w| !others.contains(*w))
        .collect();
    assert!(!restricted_only.is_empty());
    for w in restricted_only.iter().take(20) {
        assert!(
            !terms.contains_key(*w),
            "restricted body word `{w}` is in the search index"
        );
    }
}

#[test]
fn verify_detects_tampering() {
    let (_d, out) = example_copy();
    let o = trustsite(&["verify", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    std::fs::write(out.join("policies/access-control/index.html"), "defaced").unwrap();
    std::fs::write(out.join("extra.html"), "planted").unwrap();
    std::fs::remove_file(out.join("robots.txt")).unwrap();
    let o = trustsite(&["verify", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("changed: policies/access-control/index.html"),
        "{text}"
    );
    assert!(text.contains("added: extra.html"), "{text}");
    assert!(text.contains("missing: robots.txt"), "{text}");
    assert_eq!(
        trustsite(&["verify", "/nonexistent/dir"]).status.code(),
        Some(2)
    );
}

#[test]
fn certifications_and_frameworks_pages() {
    let out = built_example();
    let home = read(out, "index.html");
    assert!(
        home.contains("ISO/IEC 27001:2022")
            && home.contains("SOC 2 Type II")
            && home.contains("ISO/IEC 42001:2023")
    );
    let fw = read(out, "frameworks/iso-iec-27001-2022/index.html");
    assert!(fw.contains("id=\"control-a.5.15\""), "control anchors");
    assert!(
        fw.contains("Access control"),
        "control titles from the catalogue"
    );
    assert!(
        fw.contains("/policies/access-control/"),
        "controls link to documents"
    );
    let page = read(out, "policies/access-control/index.html");
    assert!(
        page.contains("/frameworks/iso-iec-27001-2022/#control-a.5.15"),
        "documents link to controls"
    );
    assert!(read(out, "subprocessors/index.html").contains("Amazon Web Services"));
}

#[test]
fn expired_certificate_and_unknown_control_are_flagged_by_check() {
    let site = Site::fixture("canary");
    let cfg = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    site.write(
        "_data/iso.yaml",
        "A.5.1: Policies for information security\n",
    );
    let cfg = cfg.replace(
        "  \"ISO/IEC 27001:2022\": {}",
        "  \"ISO/IEC 27001:2022\":\n    catalogue: _data/iso.yaml",
    );
    site.write("trust.yaml", &format!("{cfg}certifications:\n  - name: Old cert\n    status: certified\n    issued: 2020-01-01\n    expires: 2023-01-01\n"));
    let text = std::fs::read_to_string(site.path("content/standards/crypto.md")).unwrap();
    site.write(
        "content/standards/crypto.md",
        &text.replace(
            "visibility: public",
            "visibility: public\nframeworks:\n  \"ISO/IEC 27001:2022\": [A.99.1]",
        ),
    );
    let o = site.run(&["check", "--today", "2026-11-22"]);
    assert_eq!(o.status.code(), Some(1));
    let t = stdout(&o);
    assert!(
        t.contains("trust.yaml:12:1: error: certification `Old cert` expired on 2023-01-01"),
        "{t}"
    );
    assert!(t.contains("content/standards/crypto.md:4:1: warning: control `A.99.1` is not in the `ISO/IEC 27001:2022` catalogue"), "{t}");
}

#[test]
fn restricted_page_shows_metadata_and_hash_but_no_body() {
    let out = built_example();
    let page = read(out, "policies/business-continuity/index.html");
    let src = std::fs::read(repo().join("content/policies/business-continuity.md")).unwrap();
    assert!(
        page.contains(&sha256_hex(&src)),
        "SHA-256 of the source is shown"
    );
    assert!(page.to_lowercase().contains("request access"));
    assert!(
        page.contains("data-next-due=\""),
        "next review carried as data for the badge script"
    );
}

#[test]
fn tech_docs_api_lists_published_pages_with_a_default_owner_channel() {
    let out = built_example();
    let pages: serde_json::Value = serde_json::from_str(&read(out, "api/pages.json")).unwrap();
    let pages = pages.as_array().unwrap();
    assert_eq!(pages.len(), 12, "public and restricted documents");
    for p in pages {
        assert!(
            p["title"].is_string()
                && p["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://trust.example.com/")
        );
        assert!(p["review_by"].is_string() || p["review_by"].is_null());
        assert!(
            p["owner_slack"].is_string(),
            "every page names a channel (default_owner_slack): {p}"
        );
    }
    let bcp = pages
        .iter()
        .find(|p| p["url"].as_str().unwrap().contains("business-continuity"))
        .expect("restricted documents are listed: their owners get reminders too");
    assert!(bcp["review_by"].is_string());
}
