//! The link rule (issue 11 point 5, issue 13 point 4): every internal link
//! form resolved, rewritten and checked, located at `path:line:col`,
//! warnings in `build` and errors in `check`, in intros too.
use crate::support::*;

/// Every broken link of the `links` fixture: (path, line, col, code).
const BROKEN: &[(&str, u64, u64, &str)] = &[
    ("content/policies/a.md", 10, 1, "link/broken"),
    ("content/policies/a.md", 10, 25, "link/broken"),
    ("content/policies/a.md", 10, 54, "link/broken"),
    ("content/policies/a.md", 11, 1, "link/broken-anchor"),
    ("content/policies/a.md", 11, 41, "link/broken"),
    ("content/policies/a.md", 11, 65, "link/outside"),
    ("content/policies/a.md", 12, 1, "link/broken-anchor"),
    ("content/policies/a.md", 12, 19, "link/broken"),
    ("content/standards/_index.md", 4, 1, "link/broken-anchor"),
    ("content/standards/_index.md", 4, 25, "link/broken"),
];

fn page(site: &Site, rel: &str) -> String {
    std::fs::read_to_string(site.path(&format!("public/{rel}"))).unwrap()
}

#[test]
fn every_link_form_resolves_to_the_page_url() {
    let site = Site::fixture("links");
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let a = page(&site, "policies/a/index.html");
    for (text, href) in [
        ("rel", "/standards/b/#scope"),
        ("folder", "/standards/b/"),
        ("root", "/standards/b/#scope"),
        ("html", "/standards/b/"),
        ("enc", "/standards/b/"),
        ("listing", "/standards/"),
        ("changes", "/changes/"),
        ("file", "/policies/files/report.pdf"),
        ("tls", "/standards/tls/"),
    ] {
        assert!(
            a.contains(&format!("<a href=\"{href}\">{text}</a>")),
            "{text} -> {href}: {a}"
        );
    }
    assert!(a.contains("src=\"/policies/img/logo.png\""), "{a}");
    assert!(site.path("public/policies/files/report.pdf").is_file());
    assert!(site.path("public/policies/img/logo.png").is_file());
    assert!(
        !site.path("public/policies/unused.txt").exists(),
        "a file nobody links is withheld"
    );
    assert!(
        site.path("public/standards/tls/index.html").is_file(),
        "x.html.md.erb is x/"
    );
    let err = stderr(&out);
    for (path, line, col, _) in BROKEN {
        assert!(
            err.contains(&format!("{path}:{line}:{col}: warning: broken")),
            "{path}:{line}:{col} not reported: {err}"
        );
    }
    assert!(err.contains("content/policies/unused.txt: warning: file withheld"));
}

#[test]
fn broken_links_of_every_form_are_errors_in_check_at_their_position() {
    let site = Site::fixture("links");
    let out = site.run(&["check", "--today", "2026-11-22", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    let links: Vec<_> = problems
        .iter()
        .filter(|p| p["code"].as_str().unwrap_or("").starts_with("link/"))
        .collect();
    assert_eq!(links.len(), BROKEN.len(), "{links:#?}");
    for (path, line, col, code) in BROKEN {
        assert!(
            links.iter().any(|p| p["path"] == *path
                && p["line"] == *line
                && p["col"] == *col
                && p["code"] == *code
                && p["severity"] == "error"),
            "{path}:{line}:{col} {code}: {links:#?}"
        );
    }
    assert_eq!(
        report["summary"]["documents"], 4,
        "`.markdown` and `.html.md.erb` are documents"
    );
}

#[test]
fn links_follow_a_sub_path_base_url_and_foreign_root_links_go_to_external_base() {
    let site = Site::fixture("links");
    let cfg = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    site.write(
        "trust.yaml",
        &format!("{cfg}links:\n  external_base: https://handbook.example.org/\npublish:\n  files: [\"policies/*.txt\"]\n"),
    );
    let out = site.run(&[
        "build",
        "--today",
        "2026-11-22",
        "--base-url",
        "https://example.com/trust/",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let a = page(&site, "policies/a/index.html");
    for href in [
        "/trust/standards/b/#scope",
        "/trust/standards/",
        "/trust/policies/files/report.pdf",
        "https://handbook.example.org/handbook/values/#public",
        "https://handbook.example.org/nope/",
    ] {
        assert!(a.contains(&format!("href=\"{href}\"")), "{href}: {a}");
    }
    assert!(a.contains("src=\"/trust/policies/img/logo.png\""));
    assert!(
        site.path("public/policies/unused.txt").is_file(),
        "publish.files publishes a file nobody links"
    );
    let err = stderr(&out);
    assert!(!err.contains("/handbook/values/"), "{err}");
    assert!(!err.contains("unused.txt"), "{err}");
}

#[test]
fn intros_obey_visibility_and_draft() {
    let site = Site::fixture("links");
    site.write(
        "content/index.md",
        "---\ntitle: HOME-INTRO-TITLE\nvisibility: internal\n---\nHOME-INTRO-BODY\n",
    );
    site.write(
        "content/standards/_index.md",
        "---\ntitle: Standards\ndraft: true\n---\nDRAFT-INTRO-BODY [x](missing.md)\n",
    );
    site.write(
        "content/policies/_index.md",
        "---\ntitle: Policies\nvisibility: restricted\n---\nRESTRICTED-INTRO-BODY\n",
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    for (path, bytes) in read_tree(&site.path("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for canary in ["HOME-INTRO", "DRAFT-INTRO", "RESTRICTED-INTRO"] {
            assert!(!text.contains(canary), "{canary} in {path}");
        }
    }
    assert!(
        stderr(&out).contains("content/policies/_index.md:3:1: warning: an introduction is published in full or not at all"),
        "{}",
        stderr(&out)
    );
    let preview = site.run(&["check", "--today", "2026-11-22"]);
    assert!(
        !stdout(&preview).contains("content/standards/_index.md"),
        "a withheld intro's links are not checked: {}",
        stdout(&preview)
    );
}

#[test]
fn publish_files_and_external_base_are_validated() {
    let site = Site::fixture("links");
    let cfg = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    site.write(
        "trust.yaml",
        &format!("{cfg}links:\n  external_base: handbook\npublish:\n  files: [\"../secrets/*\"]\n"),
    );
    let out = site.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("trust.yaml:6:18: error: `links.external_base`"),
        "{err}"
    );
    assert!(
        err.contains("trust.yaml:8:11: error: `publish.files`"),
        "{err}"
    );
}

#[test]
fn a_file_trust_yaml_refers_to_is_published() {
    let site = Site::fixture("links");
    let cfg = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    site.write(
        "trust.yaml",
        &format!("{cfg}security_txt:\n  encryption: \"https://example.com/keys/key%20one.asc\"\n"),
    );
    site.write("content/keys/key one.asc", "KEY");
    site.write("content/keys/other.asc", "OTHER");
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(site.path("public/keys/key one.asc").is_file());
    assert!(!site.path("public/keys/other.asc").exists());
    assert!(stderr(&out).contains("content/keys/other.asc: warning: file withheld"));
}

/// The GitLab handbook corpus (read-only, `../shared/corpora`): a missing
/// corpus fails loudly unless `TRUSTSITE_NO_CORPORA` is set.
fn gitlab_corpus() -> Option<std::path::PathBuf> {
    corpus("gitlab-handbook/content")
}

/// Issue 13: the links of the GitLab handbook that go nowhere are each
/// reported with their line (none were); with `links.external_base` the
/// ones into the rest of the handbook point at its old host instead.
#[test]
fn gitlab_handbook_broken_links_are_reported_and_external_base_sends_them_home() {
    let Some(corpus) = gitlab_corpus() else {
        return;
    };
    let site = Site::empty();
    copy_tree(&corpus, &site.path("content"));
    let cfg =
        "title: GitLab handbook\nbase_url: https://handbook.example/\ndefault_visibility: public\n";
    site.write("trust.yaml", cfg);
    let check = site.run(&["check", "--today", "2026-11-22", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let broken = problems_with_code(&report, "link/broken");
    assert!(
        broken.len() >= 60,
        "{} broken links: {broken:#?}",
        broken.len()
    );
    for p in &broken {
        assert_eq!(p["severity"], "error");
        assert!(
            p["line"].as_u64().unwrap() > 1 && p["col"].as_u64().unwrap() >= 1,
            "{p}"
        );
    }
    assert!(
        broken
            .iter()
            .any(|p| p["path"] == "content/handbook/security/isms.md"
                && p["line"] == 139
                && p["col"] == 18
                && p["message"]
                    .as_str()
                    .unwrap()
                    .contains("`/handbook/hiring/job-families/`")),
        "{broken:#?}"
    );
    site.write(
        "trust.yaml",
        &format!("{cfg}links:\n  external_base: https://handbook.gitlab.com/\n"),
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let still = err.matches("warning: broken link").count();
    assert!(
        still < broken.len() / 4,
        "rooted links should point at the handbook: {still} left\n{err}"
    );
    assert!(!err.contains("broken link `/handbook/hiring/"), "{err}");
    let isms = page(&site, "handbook/security/isms/index.html");
    assert!(isms.contains("href=\"https://handbook.gitlab.com/handbook/hiring/job-families/\""));
    assert!(
        isms.contains("href=\"/handbook/security/controlled-document-procedure/\""),
        "in-site links stay in the site"
    );
}

#[test]
fn a_root_index_and_a_root_underscore_index_are_two_homes() {
    let site = Site::fixture("links");
    site.write("content/index.md", "---\ntitle: Home\n---\nOne.\n");
    site.write(
        "content/_index.markdown",
        "---\ntitle: Home too\n---\nTwo.\n",
    );
    let out = site.build();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error: two home introductions"),
        "{}",
        stderr(&out)
    );
}
