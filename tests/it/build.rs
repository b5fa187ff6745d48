//! `trustsite build`: visibility, manifest, determinism, atomic output.
use crate::support::*;

pub const CANARIES: &[&str] = &[
    "canary-internal",
    "canary-draft",
    "canary-default",
    "canary-restricted",
    "canary-hidden",
    "canary-bundle",
    "canary-asset",
    "internal-doc",
    "secret-bundle",
    "canary-comment",
    "canary-embargo",
    "canary-backup",
    "canary-spelling",
    "canary-intro",
    "canary-elsewhere",
    "canary-loose",
    "canary-secret",
    "secret-plan",
    "secret plan",
    "secret%20plan",
];

/// Copies of the withheld documents as editors and merges leave them.
const COPIES: &[(&str, &str)] = &[
    ("internal-doc.md~", "internal-doc.md"),
    ("#internal-doc.md#", "internal-doc.md"),
    (".#internal-doc.md", "internal-doc.md"),
    (".internal-doc.md.swp", "internal-doc.md"),
    ("internal-doc.md.orig", "internal-doc.md"),
    ("internal-doc.md.rej", "internal-doc.md"),
    ("restricted-doc.md.bak", "restricted-doc.md"),
    ("restricted-doc.MD~", "restricted-doc.md"),
    ("canary-spelling-5.html.md.erb.orig", "restricted-doc.md"),
];

/// The canary fixture plus copies of its withheld documents (kept out of
/// the fixture itself: `check` fails on them, and other tests check it).
fn canary_with_copies() -> Site {
    let site = Site::fixture("canary");
    for (copy, of) in COPIES {
        let text = std::fs::read_to_string(site.path(&format!("content/policies/{of}"))).unwrap();
        let text = text.replace("CANARY-INTERNAL-BODY", "CANARY-BACKUP-BODY");
        site.write(&format!("content/policies/{copy}"), &text);
    }
    site.write(
        "content/standards/copies.md",
        "---\ntitle: Links to copies\nvisibility: public\n---\n[x](../policies/internal-doc.md~) [y](../policies/%23internal-doc.md%23)\n",
    );
    site
}

/// Issue 11: nothing withheld (internal, draft, default-internal, restricted
/// bodies, copies, other Markdown spellings, intros, loose files, files of
/// withheld bundles, links in any form) reaches any output file.
#[test]
fn no_internal_draft_default_or_restricted_content_in_any_output_file() {
    let site = canary_with_copies();
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let files = read_tree(&site.path("public"));
    assert!(
        files.len() > 10,
        "suspiciously few files: {:?}",
        files.keys()
    );
    for (path, bytes) in &files {
        let lower = String::from_utf8_lossy(bytes).to_lowercase();
        for canary in CANARIES {
            assert!(!lower.contains(canary), "{canary} leaked into {path}");
            assert!(
                !path.to_lowercase().contains(canary),
                "{canary} leaked into file name {path}"
            );
        }
    }
    // The download bundle is unpacked and every entry grepped too.
    let unpacked = tempfile::tempdir().unwrap();
    let zips: Vec<&String> = files.keys().filter(|p| p.ends_with(".zip")).collect();
    assert_eq!(zips.len(), 1, "one download bundle: {zips:?}");
    let names = crate::evidence::unzip(&site.path("public").join(zips[0]), unpacked.path());
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("/content/standards/crypto.md"))
    );
    for (path, bytes) in read_tree(unpacked.path()) {
        let lower = String::from_utf8_lossy(&bytes).to_lowercase();
        for canary in CANARIES {
            assert!(
                !lower.contains(canary),
                "{canary} leaked into bundle entry {path}"
            );
            assert!(
                !path.to_lowercase().contains(canary),
                "{canary} in bundle entry name {path}"
            );
        }
        assert!(
            !path.contains("restricted-doc"),
            "restricted source {path} in the bundle"
        );
    }
    let restricted =
        String::from_utf8_lossy(&files["policies/restricted-doc/index.html"]).into_owned();
    assert!(restricted.contains("Restricted Plan"));
    assert!(
        restricted.contains("mailto:security@example.org"),
        "request access link"
    );
    let public = String::from_utf8_lossy(&files["policies/public-policy/index.html"]).into_owned();
    assert!(public.contains("hl-"), "code is highlighted");
    assert!(
        public.contains("/standards/crypto/#key-lengths"),
        "md link rewritten to pretty URL"
    );
    assert!(
        public.contains("Withheld in every form: a, b,"),
        "text of removed links and images kept: {public}"
    );
    assert!(public.contains("href=\"/policies/attachment.txt\""));
    assert!(
        files.contains_key("policies/attachment.txt"),
        "a file a published page links to is published"
    );
    assert!(
        !files.contains_key("hidden/index.html"),
        "a category listing only internal documents"
    );
    assert!(
        files.contains_key("embargo/published-now/index.html"),
        "a page whose embargo has lifted is published"
    );
    let svg = std::fs::read(site.path("content/public-bundle/inert.svg")).unwrap();
    assert_eq!(
        files.get("public-bundle/inert.svg"),
        Some(&svg),
        "an inert SVG is published as it is"
    );
    for page in ["standards/tls/index.html", "standards/retention/index.html"] {
        assert!(
            files.contains_key(page),
            "public doc in another spelling: {page}"
        );
    }
    let home = String::from_utf8_lossy(&files["index.html"]).into_owned();
    assert!(
        home.contains("Public intro text."),
        "a public home intro is shown"
    );
    let intro = String::from_utf8_lossy(&files["policies/index.html"]).into_owned();
    assert!(intro.contains("See one and two and three."), "{intro}");
    assert!(
        files.contains_key("elsewhere/index.html"),
        "the listing exists (a public document names its category)"
    );
    let warn = stderr(&out);
    assert!(
        warn.contains(
            "content/policies/public-policy.md:20:1: warning: link `internal-doc.md` removed"
        ),
        "unpublished link warning is located: {warn}"
    );
    assert!(
        warn.contains("content/policies/_index.md:5:32: warning: image `Secret%20Plan.md` removed"),
        "intros apply the link rule: {warn}"
    );
    for (copy, _) in COPIES {
        assert!(
            warn.contains(&format!("content/policies/{copy}: warning: not published: this looks like a copy of a document")),
            "{copy}: {warn}"
        );
    }
    for loose in [
        "canary-loose-internal.pdf",
        "canary-loose-restricted.txt",
        "canary-loose-nobody.csv",
    ] {
        assert!(
            warn.contains(&format!("content/policies/{loose}: warning: file withheld")),
            "{loose}: {warn}"
        );
    }
    assert!(!warn.contains("attachment.txt"), "{warn}");
    assert!(
        warn.contains("content/standards/copies.md:5:35: warning: link `../policies/%23internal-doc.md%23` removed: it points to a copy of a document"),
        "{warn}"
    );
}

/// Issue 11 point 2: copies of documents are warnings in `build` (publishing
/// goes on) and errors in `check`; every Markdown spelling is counted.
#[test]
fn copies_are_errors_in_check_and_every_spelling_is_a_document() {
    let site = canary_with_copies();
    let out = site.run(&["check", "--today", "2026-11-22", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    for (copy, _) in COPIES {
        let path = format!("content/policies/{copy}");
        assert!(
            problems.iter().any(|p| p["path"] == path.as_str()
                && p["severity"] == "error"
                && p["code"] == "asset/document-copy"),
            "{path}: {problems:?}"
        );
    }
    let paths: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    for doc in [
        "content/policies/canary-spelling-0.markdown",
        "content/policies/canary-spelling-1.MD",
        "content/policies/canary-spelling-5.html.md.erb",
        "content/standards/retention.markdown",
    ] {
        assert!(paths.contains(&doc), "{doc} not counted: {paths:?}");
    }
    let withheld = problems
        .iter()
        .find(|p| p["path"] == "content/policies/canary-loose-nobody.csv")
        .expect("loose file reported");
    assert_eq!(withheld["severity"], "warning");
    assert_eq!(withheld["code"], "asset/withheld");
}

#[test]
fn manifest_hashes_match_sources_and_every_output_file() {
    let site = Site::fixture("canary");
    assert!(site.build().status.success());
    let files = read_tree(&site.path("public"));
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let docs = manifest["documents"].as_array().unwrap();
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 11, "{ids:?}");
    assert!(ids.contains(&"restricted-plan") && ids.contains(&"public-policy"));
    for d in docs {
        let source = std::fs::read(site.path(d["source"].as_str().unwrap())).unwrap();
        assert_eq!(
            d["source_sha256"].as_str().unwrap(),
            sha256_hex(&source),
            "{}",
            d["id"]
        );
        for key in ["title", "url", "visibility", "status"] {
            assert!(d[key].is_string(), "{key} in {d}");
        }
    }
    let listed = manifest["files"].as_object().unwrap();
    // Not listed: the manifest, the marker, and the bundle that holds the
    // manifest (named by `bundle`, checked entry by entry by verify).
    let bundle = manifest["bundle"].as_str().unwrap();
    assert!(files.contains_key(bundle), "{bundle}");
    for (path, bytes) in &files {
        if path == "manifest.json" || path == ".trustsite-output" || path == bundle {
            continue;
        }
        let want = listed
            .get(path)
            .unwrap_or_else(|| panic!("{path} not in manifest"));
        assert_eq!(want.as_str().unwrap(), sha256_hex(bytes), "{path}");
    }
    assert_eq!(listed.len(), files.len() - 3);
    for key in ["title", "base_url", "release", "generator", "build_time"] {
        assert!(manifest.get(key).is_some(), "{key}");
    }
}

#[test]
fn theme_assets_are_hashed_and_carry_sri() {
    let site = Site::fixture("canary");
    // Third-party embeds in a public page: none may reach the output.
    site.write(
        "content/standards/remote.md",
        "---\ntitle: Remote\nvisibility: public\n---\n![x](https://cdn.example.net/x.png)\n![y](//cdn.example.net/y.png)\n\n<img src=\"https://cdn.example.net/z.png\">\n",
    );
    assert!(site.build().status.success());
    let files = read_tree(&site.path("public"));
    let html = String::from_utf8_lossy(&files["index.html"]).into_owned();
    let css: Vec<&String> = files
        .keys()
        .filter(|p| p.starts_with("assets/style.") && p.ends_with(".css"))
        .collect();
    assert_eq!(css.len(), 1);
    assert!(html.contains(&format!("/{}", css[0])));
    assert!(html.contains("integrity=\"sha384-"));
    // No page or stylesheet makes a request to another host: every `src`,
    // `srcset`, `<link href>`, `action` and CSS `url()` is same-origin.
    let mut requests = 0;
    for (path, bytes) in &files {
        if !(path.ends_with(".html") || path.ends_with(".css")) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        for url in request_urls(&text) {
            requests += 1;
            let lower = url.to_ascii_lowercase();
            let remote = lower.starts_with("//")
                || (lower.contains(':')
                    && !lower.starts_with("data:")
                    && !lower.starts_with("https://trust.example.org/"));
            assert!(!remote, "{path} requests `{url}` from another host");
        }
    }
    assert!(
        requests > 10,
        "found only {requests} request URLs: the scan is broken"
    );
    assert!(files.contains_key("standards/remote/index.html"));
    // The scan itself sees a real embed and ignores escaped markup.
    let probe = "<img alt=x src=\"https://cdn.example.net/a.png\"> &lt;img src=\"https://b\"&gt; <link rel=icon href='//c/i.png'>";
    assert_eq!(
        request_urls(probe),
        ["https://cdn.example.net/a.png", "//c/i.png"]
    );
}

/// URLs a browser fetches on its own: in every tag, `src=`, `srcset=`,
/// `action=`, `poster=`, `data=`, the `href` of `<link>`; in CSS (files and
/// `style` text), `url(...)`. Escaped markup in text (`&lt;img src=...`)
/// is not a tag and is skipped.
fn request_urls(text: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = text;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        rest = &after[end..];
        if !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let is_link = tag.starts_with("link ");
        for name in [
            " src=", " srcset=", " action=", " poster=", " data=", " href=",
        ] {
            if name == " href=" && !is_link {
                continue;
            }
            for (at, _) in tag.match_indices(name) {
                let value = &tag[at + name.len()..];
                let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                    continue;
                };
                let value = value[1..].split(q).next().unwrap_or("");
                let parts = value.split(',').filter_map(|s| s.split_whitespace().next());
                urls.extend(parts.map(String::from));
            }
        }
    }
    for (at, _) in text.match_indices("url(") {
        let value = text[at + 4..].split(')').next().unwrap_or("");
        urls.push(
            value
                .trim_matches(|c| c == '"' || c == '\'' || c == ' ')
                .to_string(),
        );
    }
    urls.retain(|u| !u.is_empty());
    urls
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::fixture("canary");
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        let out_dir = dir.path().join("out");
        let out = site.run(&[
            "build",
            "--today",
            "2026-11-22",
            "--output",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(
        read_tree(&a.path().join("out")),
        read_tree(&b.path().join("out"))
    );
}

#[test]
fn a_broken_document_leaves_previous_output_untouched_and_is_located() {
    let site = Site::fixture("canary");
    assert!(site.build().status.success());
    let before = read_tree(&site.path("public"));
    let path = "content/policies/public-policy.md";
    let text = std::fs::read_to_string(site.path(path)).unwrap();
    site.write(
        path,
        &text.replace("last_reviewed: 2026-06-01", "last_reviewed: 2026-02-30"),
    );
    let out = site.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("content/policies/public-policy.md:8:16: error:"),
        "{err}"
    );
    assert_eq!(read_tree(&site.path("public")), before);
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().contains("trustsite-tmp")),
        "{leftovers:?}"
    );
}

#[test]
fn every_problem_of_a_run_is_reported_and_nothing_written() {
    let site = Site::fixture("canary");
    site.write("content/a.md", "---\ntitle: A\nvisibility: secret\n---\n");
    site.write(
        "content/b.md",
        "---\ntitle: B\nvisiblity: public\nlast_reviewed: yesterday\n---\n",
    );
    site.write("content/c.md", "---\ntitle: [unclosed\n---\n");
    let out = site.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("content/a.md:3:13: error:"), "{err}");
    assert!(
        err.contains("content/b.md:3:1: warning: unknown front-matter field `visiblity`"),
        "{err}"
    );
    assert!(err.contains("did you mean `visibility`?"), "{err}");
    assert!(err.contains("content/b.md:4:16: error:"), "{err}");
    assert!(err.contains("content/c.md:"), "{err}");
    assert!(!site.path("public").exists());
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_create() {
    let site = Site::fixture("canary");
    site.write("public/precious.txt", "mine");
    let out = site.build();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not created by trustsite"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(site.path("public/precious.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn base_url_with_sub_path_prefixes_every_link() {
    let site = Site::fixture("canary");
    let out = site.run(&[
        "build",
        "--today",
        "2026-11-22",
        "--base-url",
        "https://example.com/trust",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(site.path("public/index.html")).unwrap();
    assert!(
        html.contains("href=\"/trust/policies/public-policy/\""),
        "{html}"
    );
    assert!(!html.contains("href=\"/policies/"));
}

#[test]
fn the_repository_example_site_builds_and_checks_clean() {
    let (out_path, out) = example();
    let root = repo();
    assert!(out.status.success(), "{}", stderr(out));
    assert!(
        stderr(out).is_empty(),
        "example site builds without warnings: {}",
        stderr(out)
    );
    assert!(out_path.join("index.html").is_file());
    let check = trustsite(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--today",
        "2026-11-22",
        "--strict",
    ]);
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
}

#[test]
fn overdue_pages_show_a_banner_and_badges_carry_due_dates() {
    let site = Site::fixture("canary");
    let out = site.run(&["build", "--today", "2027-07-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page =
        std::fs::read_to_string(site.path("public/policies/public-policy/index.html")).unwrap();
    assert!(
        page.contains("id=\"ts-overdue-banner\" role=\"note\">"),
        "banner shown"
    );
    assert!(page.contains("data-next-due=\"2027-06-01\""));
    assert!(page.contains("review-overdue"));
    assert!(stdout(&out).contains("2 overdue"), "{}", stdout(&out));
    assert!(site.build().status.success());
    let fresh =
        std::fs::read_to_string(site.path("public/policies/public-policy/index.html")).unwrap();
    assert!(
        fresh.contains("id=\"ts-overdue-banner\" role=\"note\" hidden>"),
        "banner hidden until the script flips it"
    );
    let home = std::fs::read_to_string(site.path("public/index.html")).unwrap();
    assert!(
        home.contains("data-next-due=\"2027-06-01\""),
        "home listing badges carry the due date"
    );
}

#[test]
fn duplicate_ids_and_colliding_urls_are_errors() {
    let site = Site::fixture("canary");
    site.write(
        "content/standards/copy.md",
        "---\ntitle: Copy\nid: public-policy\nvisibility: public\n---\n",
    );
    site.write(
        "content/Standards/Crypto.md",
        "---\ntitle: Other crypto\nvisibility: public\n---\n",
    );
    let out = site.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("content/standards/copy.md:3:1: error: duplicate document id `public-policy`"),
        "{err}"
    );
    assert!(
        err.contains("error: URL /standards/crypto/ is also the URL of"),
        "{err}"
    );
    assert!(!site.path("public").exists());
}

#[test]
fn bundle_assets_follow_their_document() {
    let site = Site::fixture("canary");
    assert!(site.build().status.success());
    assert!(
        site.path("public/public-bundle/diagram.svg").is_file(),
        "a public bundle's asset sits beside its page"
    );
    let page = std::fs::read_to_string(site.path("public/public-bundle/index.html")).unwrap();
    assert!(
        page.contains("src=\"/public-bundle/diagram.svg\""),
        "bundle image under its page URL"
    );
    assert!(site.path("public/restricted-bundle/index.html").is_file());
    assert!(
        !site
            .path("public/restricted-bundle/canary-restricted-asset.txt")
            .exists()
    );
}

#[test]
fn a_site_theme_overrides_single_templates_and_static_files() {
    let site = Site::fixture("canary");
    let cfg = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    site.write("trust.yaml", &format!("{cfg}theme: corporate\n"));
    site.write("themes/corporate/templates/404.html", "{% extends \"base.html\" %}{% block content %}<p>Custom not found for {{ site.organization }}</p>{% endblock content %}");
    site.write(
        "themes/corporate/static/style.css",
        "body { color: #123456; }\n",
    );
    site.write(
        "themes/corporate/static/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let files = read_tree(&site.path("public"));
    assert!(
        String::from_utf8_lossy(&files["404.html"]).contains("Custom not found for Canary Corp")
    );
    let css: Vec<_> = files
        .iter()
        .filter(|(p, _)| p.starts_with("assets/style."))
        .collect();
    assert_eq!(css.len(), 1);
    assert_eq!(css[0].1, b"body { color: #123456; }\n");
    assert!(
        files
            .keys()
            .any(|p| p.starts_with("assets/logo.") && p.ends_with(".svg"))
    );
    let page = String::from_utf8_lossy(&files["policies/public-policy/index.html"]).into_owned();
    assert!(
        page.contains("Public Policy"),
        "other templates still come from the built-in theme"
    );
    let missing = Site::fixture("canary");
    missing.write("trust.yaml", &format!("{cfg}theme: nosuch\n"));
    let out = missing.build();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("theme `nosuch` not found"),
        "{}",
        stderr(&out)
    );
}

/// `build --cache` reuses the output it replaced two builds ago (inside the
/// cache folder). Across edits that unpublish a page, restrict one and
/// change a body, every warm build equals a cold build of the same sources
/// byte for byte, passes `verify`, and leaks none of the canaries, including
/// the unpublished page's text that the reused folder still held.
#[test]
fn warm_builds_reusing_earlier_output_equal_cold_builds() {
    let site = Site::fixture("canary");
    let cache = tempfile::tempdir().unwrap();
    let cache_arg = cache.path().join("c");
    let warm = |out: &std::path::Path| {
        site.run(&[
            "build",
            "--today",
            "2026-11-22",
            "--output",
            out.to_str().unwrap(),
            "--cache",
            cache_arg.to_str().unwrap(),
        ])
    };
    let scratch = tempfile::tempdir().unwrap();
    let (out, cold_out) = (scratch.path().join("out"), scratch.path().join("cold"));
    let public = "content/policies/public-policy.md";
    let original = std::fs::read_to_string(site.path(public)).unwrap();
    let edits: [(&str, String); 5] = [
        (public, original.clone()),
        (public, original.clone()),
        (
            public,
            original.replace("# Public Policy", "# Public Policy\n\nNew text."),
        ),
        (
            public,
            original.replace(
                "visibility: public",
                "visibility: internal\n# canary-internal",
            ),
        ),
        (
            public,
            original.replace("visibility: public", "visibility: restricted"),
        ),
    ];
    for (step, (path, text)) in edits.iter().enumerate() {
        site.write(path, text);
        let o = warm(&out);
        assert!(o.status.success(), "step {step}: {}", stderr(&o));
        let _ = std::fs::remove_dir_all(&cold_out);
        let o = site.run(&[
            "build",
            "--today",
            "2026-11-22",
            "--output",
            cold_out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let (w, c) = (read_tree(&out), read_tree(&cold_out));
        assert_eq!(
            w.keys().collect::<Vec<_>>(),
            c.keys().collect::<Vec<_>>(),
            "step {step}"
        );
        for (file, bytes) in &c {
            assert!(w[file] == *bytes, "step {step}: {file} differs");
        }
        let v = trustsite(&["verify", out.to_str().unwrap()]);
        assert!(v.status.success(), "step {step}: {}", stdout(&v));
        if step == 3 {
            assert!(!w.keys().any(|k| k.contains("public-policy")));
            for (file, bytes) in &w {
                let text = String::from_utf8_lossy(bytes);
                assert!(
                    !text.contains("Public Policy"),
                    "step {step}: leaked into {file}"
                );
            }
        }
        if step >= 1 {
            assert!(
                cache_arg
                    .join("previous-output/.trustsite-output")
                    .is_file(),
                "step {step}: the replaced output is kept for the next build"
            );
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(scratch.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "out and cold only");
}

/// `build --cache` keeps rendered pages in `DIR/pages` and replays them:
/// on the canary site (with copies of withheld documents), a build that
/// replays every page, and one after every kept entry was damaged, give a
/// cold build's files and warnings (same text, same order), and leak no
/// canary into any output file or kept page.
#[test]
fn replayed_pages_equal_cold_builds_and_leak_nothing() {
    let site = canary_with_copies();
    let cache = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let (out, cold_out) = (scratch.path().join("out"), scratch.path().join("cold"));
    let build = |out: &std::path::Path, cache| site.build_into(out, cache);
    let cold_warnings = build(&cold_out, None);
    assert!(cold_warnings.contains("warning:"), "{cold_warnings}");
    let cold = read_tree(&cold_out);
    let kept = |c: &std::path::Path| {
        read_tree(&c.join("pages"))
            .into_iter()
            .filter(|(p, _)| !p.contains(".tmp"))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let first = build(&out, Some(cache.path()));
    assert_eq!(first, cold_warnings);
    let entries = kept(cache.path());
    assert!(entries.len() > 5, "pages kept: {:?}", entries.keys());
    for step in ["every page replayed", "every entry damaged"] {
        if step == "every entry damaged" {
            for (rel, mut bytes) in kept(cache.path()) {
                let at = bytes.len() / 2;
                bytes[at] ^= 1;
                std::fs::write(cache.path().join("pages").join(rel), bytes).unwrap();
            }
        }
        let warnings = build(&out, Some(cache.path()));
        assert_eq!(warnings, cold_warnings, "{step}: warnings");
        let warm = read_tree(&out);
        assert_eq!(
            warm.keys().collect::<Vec<_>>(),
            cold.keys().collect::<Vec<_>>(),
            "{step}"
        );
        for (file, bytes) in &cold {
            assert!(warm[file] == *bytes, "{step}: {file} differs");
        }
        for (path, bytes) in &warm {
            let lower = String::from_utf8_lossy(bytes).to_lowercase();
            for canary in CANARIES {
                assert!(
                    !lower.contains(canary),
                    "{step}: {canary} leaked into {path}"
                );
            }
        }
        assert_eq!(kept(cache.path()), entries, "{step}: the same entries kept");
    }
    // No withheld or restricted body is kept (warnings may name files).
    for (rel, bytes) in &entries {
        let lower = String::from_utf8_lossy(bytes).to_lowercase();
        let bodies: Vec<&str> = (lower.split(|c: char| !(c.is_alphanumeric() || c == '-')))
            .filter(|t| t.starts_with("canary-") && t.contains("-body"))
            .collect();
        assert!(bodies.is_empty(), "{bodies:?} kept in pages/{rel}");
    }
}

/// `--cache` inside the output (it would be published or swapped away),
/// around it, or inside content/ (its files would be taken for content) is
/// refused before anything is written.
#[test]
fn a_cache_folder_inside_the_output_or_content_is_refused() {
    let site = Site::fixture("canary");
    assert!(site.build().status.success());
    let before = read_tree(&site.path("public"));
    let public = site.path("public");
    for (cache, output, says) in [
        ("public/cache", None, "inside the output folder"),
        ("build", Some("build/site"), "contains the output folder"),
        ("content/cache", None, "inside content/"),
    ] {
        let cache = site.path(cache);
        let mut args = vec![
            "build",
            "--today",
            "2026-11-22",
            "--cache",
            cache.to_str().unwrap(),
        ];
        let out_dir = output.map(|o| site.path(o));
        if let Some(o) = &out_dir {
            args.extend(["--output", o.to_str().unwrap()]);
        }
        let out = site.run(&args);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        assert!(!cache.exists(), "nothing created at {}", cache.display());
        assert!(out_dir.is_none_or(|o| !o.exists()));
        assert_eq!(read_tree(&public), before);
    }
}
