//! Migration: the GitLab handbook (Hugo), comply and a tech-docs site build
//! and check as they stand, with only a trust.yaml added (issue 13).
//!
//! The corpora live outside the repository (`../shared/corpora`, or
//! `TRUSTSITE_CORPORA`; `support::corpus`); a missing corpus fails these
//! tests loudly unless `TRUSTSITE_NO_CORPORA=1` skips them with a message.
use crate::support::*;
use std::path::Path;

/// Every `.html` file under `dir` with its code elements cut out (a corpus
/// may show template syntax on purpose inside code).
fn pages_without_code(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "html") {
            let mut text = std::fs::read_to_string(e.path()).unwrap();
            while let Some(start) = text.find("<code") {
                let end = text[start..]
                    .find("</code>")
                    .map_or(text.len(), |i| start + i + 7);
                text.replace_range(start..end, "");
            }
            out.push((e.path().display().to_string(), text));
        }
    }
    assert!(!out.is_empty(), "no pages under {}", dir.display());
    out
}

/// No page shows a shortcode, ERB or an escaped HTML tag.
fn assert_nothing_raw(dir: &Path) {
    for (path, text) in pages_without_code(dir) {
        for raw in [
            "{{&lt;",
            "{{%",
            "{{<",
            "&lt;%",
            "<%",
            "&lt;br",
            "&lt;details",
            "&lt;sup",
            "&lt;!--",
            "&lt;/",
        ] {
            assert!(!text.contains(raw), "{path} shows `{raw}`");
        }
    }
}

fn site_with(content_from: &Path, under: &str, trust_yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(content_from, &dir.path().join("content").join(under));
    std::fs::write(dir.path().join("trust.yaml"), trust_yaml).unwrap();
    dir
}

/// The trust.yaml the README's "Migrating from Hugo" section shows.
const HUGO_TRUST_YAML: &str = "title: GitLab security handbook
base_url: https://handbook.example.com/
default_visibility: public
compat: hugo
security_contact: mailto:security@example.com
links:
  external_base: https://handbook.gitlab.com/
defaults:
  \"handbook/security/\":
    owner: Security Compliance
    version: \"1.0\"
    last_reviewed: 2026-06-01
";

#[test]
fn gitlab_handbook_builds_as_it_stands_with_compat_hugo() {
    let Some(src) = corpus("gitlab-handbook/content") else {
        return;
    };
    let site = site_with(&src, "", HUGO_TRUST_YAML);
    let root = site.path().to_str().unwrap();
    let out = trustsite(&["build", "--root", root, "--today", "2026-11-22"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains("shortcode"),
        "every shortcode understood: {err}"
    );
    let public = site.path().join("public");
    assert_nothing_raw(&public);
    // `{{% alert %}}` is a callout, `{#id}` attribute lines are heading ids.
    let dc =
        std::fs::read_to_string(public.join(
            "handbook/security/policies_and_standards/data-classification-standard/index.html",
        ))
        .unwrap();
    assert!(dc.contains("class=\"callout callout-alert\""));
    assert!(dc.contains("<strong>Personal Data Exception</strong>"));
    assert!(dc.contains("id=\"regulated\"") && dc.contains("id=\"orange\""));
    assert!(
        !dc.contains("{style="),
        "attribute lines are not paragraphs"
    );
    assert!(
        !dc.contains("markdownlint"),
        "HTML comments never reach a page"
    );
    let sm = std::fs::read_to_string(
        public.join("handbook/security/security-operations/sirt/severity-matrix/index.html"),
    )
    .unwrap();
    assert!(sm.contains("<br>"), "`<br>` in table cells is a line break");
    // Hugo aliases: redirect pages at the old URLs.
    let old =
        std::fs::read_to_string(public.join("handbook/security/password-standard/index.html"))
            .unwrap();
    assert!(old.contains("<link rel=\"canonical\" href=\"https://handbook.example.com/handbook/security/policies_and_standards/password-standard/\">"), "{old}");
    assert!(old.contains("http-equiv=\"refresh\""));
    assert!(
        public
            .join("handbook/security/standards/data-classification-standard/index.html")
            .is_file()
    );
    // One <h1> per page.
    for (path, text) in pages_without_code(&public) {
        assert!(text.matches("<h1").count() <= 1, "{path} has several <h1>");
    }
    assert_in_site_links_resolve(&public);
    // Every broken link (the sample lacks the rest of the handbook) is
    // reported at the line that holds it.
    let check = trustsite(&[
        "check",
        "--root",
        root,
        "--today",
        "2026-11-22",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let broken = problems_with_code(&report, "link/broken");
    assert!(broken.len() >= 20, "{report}");
    for p in &broken {
        let file = site.path().join(p["path"].as_str().unwrap());
        let text = std::fs::read_to_string(&file).unwrap();
        let line = text
            .lines()
            .nth(p["line"].as_u64().unwrap() as usize - 1)
            .unwrap_or_default();
        let msg = p["message"].as_str().unwrap();
        let dest = msg.split('`').nth(1).unwrap();
        // `{{< ref "x#a" >}}`: the file has `x#a` (in whichever delimiters).
        let dest = dest.split('"').nth(1).unwrap_or(dest);
        assert!(line.contains(dest), "{p} is not at its line: {line}");
        assert!(p["col"].as_u64().unwrap() >= 1);
    }
    assert!(
        broken.iter().any(|p| p["message"]
            .as_str()
            .unwrap()
            .contains("engaging-with-security")),
        "a `ref` to a page the sample lacks is reported too"
    );
}

/// Every `href`/`src` of every page that points into the site (root-relative)
/// names a file of the output.
fn assert_in_site_links_resolve(public: &Path) {
    for (path, text) in pages_without_code(public) {
        for attr in ["href=\"", "src=\""] {
            for (at, _) in text.match_indices(attr) {
                let rest = &text[at + attr.len()..];
                let url = &rest[..rest.find('"').unwrap()];
                if !url.starts_with('/') || url.starts_with("//") {
                    continue;
                }
                let file = url
                    .split(['#', '?'])
                    .next()
                    .unwrap()
                    .trim_start_matches('/');
                let target = public.join(file);
                let found = if file.is_empty() || file.ends_with('/') {
                    target.join("index.html").is_file()
                } else {
                    target.is_file() || target.join("index.html").is_file()
                };
                assert!(found, "{path}: in-site link `{url}` goes nowhere");
            }
        }
    }
}

#[test]
fn gitlab_audit_labels_become_audit_scope_in_check_and_manifest() {
    let Some(src) = corpus("gitlab-handbook/content") else {
        return;
    };
    let site = site_with(&src, "", HUGO_TRUST_YAML);
    let root = site.path().to_str().unwrap();
    let check = trustsite(&[
        "check",
        "--root",
        root,
        "--today",
        "2026-11-22",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let scope = |id: &str| {
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("no document {id}"))["audit_scope"]
            .clone()
    };
    // The label in inline code (lines 68, 72) is an example, not a label.
    assert_eq!(
        scope("handbook/security/controlled-document-procedure"),
        true
    );
    assert_eq!(scope("handbook/security/isms"), true);
    assert_eq!(
        scope("handbook/security/security-and-technology-policies/change-management-policy"),
        false
    );
    assert_eq!(scope("handbook/security"), false);
    for d in report["documents"].as_array().unwrap() {
        assert_eq!(
            d["owner"], "Security Compliance",
            "defaults fill {}",
            d["id"]
        );
    }
    // Only links are left for the user (the sample lacks the rest of the handbook).
    for p in report["problems"].as_array().unwrap() {
        if p["severity"] == "error" {
            assert!(p["code"].as_str().unwrap().starts_with("link/"), "{p}");
        }
    }
    let out = trustsite(&["build", "--root", root, "--today", "2026-11-22"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.path().join("public/manifest.json")).unwrap())
            .unwrap();
    let audited = manifest["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["audit_scope"] == true)
        .count();
    let labelled = walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            std::fs::read_to_string(e.path()).is_ok_and(|t| {
                t.lines()
                    .any(|l| l.starts_with("{{< label name=\"Visibility: Audit\""))
            })
        })
        .count();
    assert_eq!(audited, labelled);
    assert!(audited >= 7);
}

#[test]
fn comply_builds_and_checks_as_it_stands_with_compat_comply() {
    let Some(src) = corpus("comply/themes/comply-soc2") else {
        return;
    };
    let cfg = "title: Comply SOC 2\norganization: Acme Corp\nbase_url: https://trust.example.com/\ndefault_visibility: public\ncompat: comply\nsecurity_contact: mailto:security@example.com\nframeworks:\n  TSC:\n    catalogue: content/standards/TSC-2017.yml\n";
    let site = site_with(&src, "", cfg);
    let root = site.path().to_str().unwrap();
    let out = trustsite(&["build", "--root", root, "--today", "2026-11-22"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public = site.path().join("public");
    assert_nothing_raw(&public);
    assert_in_site_links_resolve(&public);
    let access = std::fs::read_to_string(public.join("policies/access/index.html")).unwrap();
    assert!(
        !access.contains("<pre"),
        "pandoc-style lists are not code blocks"
    );
    assert!(access.contains("Hiring Manager informs HR"));
    // `a.`/`i.` lists keep their letters and numerals.
    assert!(
        access.contains("<ol type=\"a\">") && access.contains("<ol type=\"i\">"),
        "{access}"
    );
    let incident = std::fs::read_to_string(public.join("policies/incident/index.html")).unwrap();
    assert!(!incident.contains("<pre"), "no list became code");
    assert!(
        incident.contains("<ol type=\"a\">") && incident.contains("<ol type=\"i\">"),
        "{incident}"
    );
    let encryption =
        std::fs::read_to_string(public.join("policies/encryption/index.html")).unwrap();
    assert!(
        encryption.contains("<ol type=\"a\" start=\"2\">"),
        "`b.` after a table starts at b"
    );
    // pandoc grid tables are tables; LaTeX page breaks are not text.
    assert!(
        encryption.contains("<td>Virtual Private Network (VPN) keys</td>")
            && encryption.contains("<th><strong>Name of System/</strong> <strong>Type of</strong> <strong>Information</strong></th>"),
        "{encryption}"
    );
    assert!(!encryption.contains("+----") && !encryption.contains("pagebreak"));
    // comply's Go template `{{.Name}}` is the organization.
    let control = std::fs::read_to_string(public.join("narratives/control/index.html")).unwrap();
    assert!(
        control.contains("Acme Corp employs several logical controls") && !control.contains("{{"),
        "{control}"
    );
    assert!(
        !stderr(&out).contains("pandoc-list-code"),
        "every list of the corpus is a list"
    );
    assert_eq!(
        access.matches("<h1").count(),
        1,
        "the title is the one <h1>"
    );
    let tsc = std::fs::read_to_string(public.join("frameworks/tsc/index.html")).unwrap();
    assert!(
        tsc.contains("CC6.1") && tsc.contains("Logical Access"),
        "comply's catalogue titles controls"
    );
    let check = trustsite(&["check", "--root", root, "--today", "2026-11-22"]);
    let err = format!("{}{}", stdout(&check), stderr(&check));
    assert!(check.status.success(), "{err}");
    assert!(
        err.contains("content/policies/encryption.md:")
            && err.contains("control `CC9.9` is not in the `TSC` catalogue"),
        "{err}"
    );
}

#[test]
fn tech_docs_site_builds_with_its_anchors_review_dates_and_owners() {
    let site = Site::fixture("tech-docs");
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let public = site.path("public");
    assert_nothing_raw(&public);
    assert_in_site_links_resolve(&public);
    assert!(
        !public.join("incident-response.html.md.erb").exists(),
        "an .html.md.erb file is a document, never copied raw"
    );
    let erb = std::fs::read_to_string(public.join("incident-response/index.html")).unwrap();
    assert!(
        erb.contains("<h4 id=\"1-establish-an-incident-lead\""),
        "Redcarpet ids in .html.md.erb"
    );
    assert_eq!(
        erb.matches("<h1").count(),
        1,
        "the ERB title heading is dropped"
    );
    let page = std::fs::read_to_string(public.join("incident-response-copy/index.html")).unwrap();
    assert!(
        page.contains("<h4 id=\"1-establish-an-incident-lead\""),
        "Redcarpet ids"
    );
    assert!(page.contains("href=\"#1-establish-an-incident-lead\""));
    assert_eq!(
        page.matches("<h1").count(),
        1,
        "the ERB title heading is dropped"
    );
    assert!(page.contains("lead.<br>Write") && page.contains("<details>"));
    assert!(!page.contains("TODO"), "comments never reach a page");
    let search = std::fs::read_to_string(public.join("search-index.json")).unwrap();
    assert!(!search.contains("TODO") && !search.contains("current_page"));
    let secrets = std::fs::read_to_string(public.join("secrets-handling/index.html")).unwrap();
    assert!(
        secrets
            .contains("data-next-due=\"2026-11-22\" data-warn-days=\"30\" data-overdue-on-due-day"),
        "the visitor's badge script counts the due day as overdue too"
    );
    let vd = std::fs::read_to_string(public.join("vulnerability-disclosure/index.html")).unwrap();
    assert!(vd.contains("<h2 id=\"security-txt\""));
    let api: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(public.join("api/pages.json")).unwrap())
            .unwrap();
    let owner = |title: &str| {
        api.as_array()
            .unwrap()
            .iter()
            .find(|p| p["title"] == title)
            .unwrap()["owner_slack"]
            .clone()
    };
    assert_eq!(
        owner("Vulnerability disclosure"),
        "#security-team",
        "default_owner_slack"
    );
    assert_eq!(owner("Handling secrets"), "@alice");
    // `review_in: 0 days` reviewed today: overdue on its review-by day (tech-docs' rule).
    let check = site.run(&["check", "--today", "2026-11-22", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let status = |id: &str| {
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("secrets-handling"), "overdue");
    assert_eq!(
        status("vulnerability-disclosure"),
        "due_soon",
        "1 fortnight"
    );
    assert_eq!(status("incident-response-copy"), "current", "six months");
    let errors: Vec<&serde_json::Value> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], "content/secrets-handling.md");
}

#[test]
fn tech_docs_review_in_errors_name_the_field_and_other_erb_is_a_located_warning() {
    let site = Site::fixture("tech-docs");
    site.write(
        "content/bad.md",
        "---\ntitle: Bad\nlast_reviewed_on: 2026-11-01\nreview_in: soonish\n---\n# <%= current_page.data.title %>\n\nHello <%= partial 'x' %>\n",
    );
    let out = site.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/bad.md:4:12: error: `review_in`: invalid review span `soonish`"),
        "{err}"
    );
    site.write(
        "content/bad.md",
        "---\ntitle: Bad\n---\n# <%= current_page.data.title %>\n\nHello <%= partial 'x' %>\n\n{{< youtube x >}}\n",
    );
    let out = site.build();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("content/bad.md:6:7: warning: ERB `<%= partial 'x' %>` removed"),
        "{err}"
    );
    assert!(
        err.contains("content/bad.md:8:1: warning: shortcode `youtube` is not known"),
        "{err}"
    );
    let page = std::fs::read_to_string(site.path("public/bad/index.html")).unwrap();
    assert!(!page.contains("partial") && !page.contains("youtube"));
}

#[test]
fn cascade_defaults_codeowners_and_ignore_fill_fields_without_edits() {
    let site = Site::fixture("tech-docs");
    site.write(
        "trust.yaml",
        "title: T\nbase_url: https://t.example/\ndefault_visibility: internal\nowners_from: .gitlab/CODEOWNERS\nfront_matter:\n  ignore: [toc_hide]\ndefaults:\n  policies/:\n    visibility: public\n",
    );
    std::fs::remove_dir_all(site.path("content")).unwrap();
    site.write(".gitlab/CODEOWNERS", "* @everyone\n[Policies] @gl-security/compliance\n/content/policies/\n/content/policies/x.md @alice\n");
    site.write("content/policies/_index.md", "---\ntitle: Policies\ncascade:\n  controlled_document: true\n  review_cycle: quarterly\n  last_reviewed: 2026-10-01\n---\n");
    site.write(
        "content/policies/x.md",
        "---\ntitle: X\ntoc_hide: true\n---\nX\n",
    );
    site.write(
        "content/policies/y.md",
        "---\ntitle: Y\nreview_cycle: annual\nversion: '2'\n---\nY\n",
    );
    let check = site.run(&[
        "check",
        "--today",
        "2026-11-22",
        "--format",
        "json",
        "--strict",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let doc = |id: &str| {
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()
            .clone()
    };
    let (x, y) = (doc("policies/x"), doc("policies/y"));
    assert_eq!(x["visibility"], "public", "trust.yaml defaults");
    assert_eq!(x["owner"], "@alice", "last CODEOWNERS rule wins");
    assert_eq!(
        y["owner"], "@gl-security/compliance",
        "GitLab section default owners"
    );
    assert_eq!(x["next_due"], "2027-01-01", "cascaded quarterly cycle");
    assert_eq!(y["next_due"], "2027-10-01", "the file's own field wins");
    let problems = report["problems"].to_string();
    assert!(
        !problems.contains("toc_hide"),
        "ignored fields are silent: {problems}"
    );
}

#[test]
fn hugo_alias_collisions_are_located_errors() {
    let site = Site::fixture("tech-docs");
    site.write("content/a.md", "---\ntitle: A\naliases: [/old/]\n---\n");
    site.write("content/b.md", "---\ntitle: B\naliases:\n  - /old\n---\n");
    let out = site.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/b.md:3:1: error: alias `/old` collides with /old/ of content/a.md"),
        "{err}"
    );
}

#[test]
fn security_txt_without_an_absolute_base_url_is_an_error_with_the_fix() {
    let site = Site::fixture("tech-docs");
    let cfg = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    site.write(
        "trust.yaml",
        &cfg.replace(
            "base_url: \"https://security.example.gov.uk/\"",
            "base_url: /",
        ),
    );
    let out = site.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("set `base_url: https://"), "{err}");
}

/// A Hugo-style site from scratch (only a trust.yaml and the given files).
fn hugo_site(files: &[(&str, &str)]) -> Site {
    let site = Site::fixture("tech-docs");
    std::fs::remove_dir_all(site.path("content")).unwrap();
    site.write(
        "trust.yaml",
        "title: H\nbase_url: https://h.example/\ndefault_visibility: public\ncompat: hugo\n",
    );
    for (rel, text) in files {
        site.write(rel, text);
    }
    site
}

#[test]
fn hugo_ref_finds_pages_by_path_relative_path_and_unique_file_name() {
    let site = hugo_site(&[
        (
            "content/handbook/security/access-control.md",
            "---\ntitle: Access control\n---\n## Scope\n",
        ),
        (
            "content/handbook/security/_index.md",
            "---\ntitle: Security\n---\nSee [the policy]({{< ref \"x\" >}}) and [home]({{< ref \"/handbook/security\" >}}).\n",
        ),
        (
            "content/handbook/security/policies/y.md",
            "---\ntitle: Y\n---\nY\n",
        ),
        ("content/a/dup.md", "---\ntitle: Dup A\n---\n"),
        ("content/b/dup.md", "---\ntitle: Dup B\n---\n"),
        (
            "content/handbook/security/policies/x.md",
            "---\ntitle: X\n---\n\
[by name]({{< ref \"access-control.md\" >}})\n\n\
[from root]({{< ref \"/handbook/security/access-control#scope\" >}})\n\n\
[relative]({{< relref \"y\" >}})\n\n\
[ambiguous]({{< ref \"dup\" >}})\n\n\
[missing]({{< ref \"nothing\" >}})\n\n\
<a href=\"{{< relref \"access-control#nope\" >}}\">raw</a>\n",
        ),
    ]);
    let out = site.build();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let page = std::fs::read_to_string(site.path("public/handbook/security/policies/x/index.html"))
        .unwrap();
    assert!(
        page.contains("<a href=\"/handbook/security/access-control/\">by name</a>"),
        "{page}"
    );
    assert!(page.contains("<a href=\"/handbook/security/access-control/#scope\">from root</a>"));
    assert!(page.contains("<a href=\"/handbook/security/policies/y/\">relative</a>"));
    assert!(!page.contains("trustsite-ref"), "{page}");
    // A section by its folder; a bare name from another folder.
    let section =
        std::fs::read_to_string(site.path("public/handbook/security/index.html")).unwrap();
    assert!(
        section.contains("<a href=\"/handbook/security/policies/x/\">the policy</a>")
            && section.contains("<a href=\"/handbook/security/\">home</a>"),
        "{section}"
    );
    let x = "content/handbook/security/policies/x.md";
    assert!(
        err.contains(&format!("{x}:10:1: warning: `ref \"dup\"` is ambiguous: 2 documents have that name (content/a/dup.md, content/b/dup.md)")),
        "{err}"
    );
    assert!(err.contains("[link/ref-ambiguous]"), "{err}");
    assert!(
        err.contains(&format!("{x}:12:1: warning: broken link `ref \"nothing\"`")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{x}:14:1: warning: broken anchor `#nope`")),
        "{err}"
    );
    let check = site.run(&["check", "--today", "2026-11-22"]);
    let report = format!("{}{}", stdout(&check), stderr(&check));
    assert_eq!(check.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!("{x}:10:1: error:"))
            && report.contains(&format!("{x}:12:1: error:")),
        "{report}"
    );
}

#[test]
fn template_syntax_in_indented_code_and_multi_line_code_spans_is_shown_verbatim() {
    let site = hugo_site(&[(
        "content/policies/x.md",
        "---\ntitle: X\n---\nExample:\n\n    {{< label name=\"Visibility: Audit\" >}}\n    <%= current_page.data.title %>\n\nA span `{{< unknown >}} and\n<%= erb %>` across lines.\n",
    )]);
    let out = site.build();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains("shortcode/unknown") && !err.contains("erb/removed"),
        "code is not counted: {err}"
    );
    let page = std::fs::read_to_string(site.path("public/policies/x/index.html")).unwrap();
    assert!(
        page.contains("{{&lt; label name=&quot;Visibility: Audit&quot; &gt;}}")
            || page.contains("{{&lt; label name=\"Visibility: Audit\" &gt;}}"),
        "{page}"
    );
    assert!(
        page.contains("&lt;%= current_page.data.title %&gt;"),
        "{page}"
    );
    assert!(
        page.contains("<code>{{&lt; unknown &gt;}} and &lt;%= erb %&gt;</code>"),
        "{page}"
    );
    let check = site.run(&["check", "--today", "2026-11-22", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_ne!(
        report["documents"][0]["audit_scope"],
        serde_json::json!(true),
        "a label in code is no audit marker"
    );
}

#[test]
fn cascade_targets_select_pages_by_path_glob_and_kind() {
    let site = hugo_site(&[
        (
            "content/policies/_index.md",
            "---\ntitle: Policies\ncascade:\n  - _target:\n      path: /policies/**\n      kind: page\n      environment: production\n    owner: Team P\n  - _target:\n      path: /policies/special*\n    version: '9'\n  - _target:\n      path: /other/**\n    approved_by: Wrong\n---\n",
        ),
        ("content/policies/plain.md", "---\ntitle: Plain\n---\n"),
        (
            "content/policies/special-one.md",
            "---\ntitle: Special\n---\n",
        ),
        (
            "content/policies/deep/nested.md",
            "---\ntitle: Nested\n---\n",
        ),
        (
            "content/standards/_index.md",
            "---\ntitle: Standards\ncascade:\n  target:\n    path: /standards/a\n  owner: Std\n---\n",
        ),
        ("content/standards/a.md", "---\ntitle: A\n---\n"),
        ("content/standards/b.md", "---\ntitle: B\n---\n"),
        (
            "content/guides/_index.md",
            "---\ntitle: Guides\ncascade:\n  _target:\n    paths: /guides/**\n  visibility: internal\n---\n",
        ),
        (
            "content/guides/g.md",
            "---\ntitle: G\nvisibility: public\n---\n",
        ),
    ]);
    let check = site.run(&["check", "--today", "2026-11-22", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let doc = |id: &str| {
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {report}"))
            .clone()
    };
    assert_eq!(doc("policies/plain")["owner"], "Team P");
    assert_eq!(
        doc("policies/deep/nested")["owner"],
        "Team P",
        "`**` crosses folders"
    );
    assert_eq!(doc("policies/special-one")["version"], "9");
    assert_ne!(doc("policies/plain")["version"], "9", "`special*` only");
    assert_eq!(
        doc("standards/a")["owner"],
        "Std",
        "the map form, `target` spelling"
    );
    assert_ne!(doc("standards/b")["owner"], "Std");
    let problems = report["problems"].to_string();
    assert!(!problems.contains("Wrong") && !report.to_string().contains("Wrong"));
    assert!(
        problems.contains("content/guides/_index.md")
            && problems.contains("frontmatter/cascade-target"),
        "an unreadable target is reported and applies nowhere: {problems}"
    );
}

#[test]
fn anchors_on_a_listing_page_are_checked_against_its_introduction() {
    let site = hugo_site(&[
        (
            "content/policies/_index.md",
            "---\ntitle: Policies\n---\n## Overview\n\nSee [o](#overview), [bad](#missing) and [also]({{< ref \"#gone\" >}}).\n",
        ),
        (
            "content/policies/p.md",
            "---\ntitle: P\n---\n[ok](./#overview) [no](/policies/#absent) [other page](/changes/#anything)\n",
        ),
    ]);
    let out = site.build();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    // Documents' anchors on a listing are checked against its introduction.
    assert!(
        err.contains("content/policies/p.md:4:19: warning: broken anchor `#absent`: no such heading in the introduction of /policies/"),
        "{err}"
    );
    assert!(
        !err.contains("#anything"),
        "pages without an introduction are not checked: {err}"
    );
    let intro = "content/policies/_index.md";
    assert!(
        err.contains(&format!("{intro}:6:21: warning: broken anchor `#missing`")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{intro}:6:41: warning: broken anchor `#gone`")),
        "{err}"
    );
    assert!(!err.contains("`#overview`"), "{err}");
    let listing = std::fs::read_to_string(site.path("public/policies/index.html")).unwrap();
    assert!(listing.contains("href=\"#overview\""), "{listing}");
    let check = site.run(&["check", "--today", "2026-11-22"]);
    let report = format!("{}{}", stdout(&check), stderr(&check));
    assert_eq!(check.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!("{intro}:6:21: error: broken anchor `#missing`")),
        "{report}"
    );
}
