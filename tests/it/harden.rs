//! Issue 11's classes on the canary site: alias clashes, active content
//! (markup, script, SVGs that are not inert). Each either fails the build
//! and `check` with a located error, leaving the previous output as it was,
//! or is never published; no canary reaches any output file.
use crate::support::*;

/// Every output file's bytes, lowercased text, checked for `canaries`.
fn assert_nowhere(site: &Site, canaries: &[&str]) {
    let files = read_tree(&site.path("public"));
    assert!(
        files.len() > 10,
        "suspiciously few files: {:?}",
        files.keys()
    );
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        for canary in canaries {
            let canary = canary.to_lowercase();
            assert!(!text.contains(&canary), "{canary} leaked into {path}");
            assert!(
                !path.to_lowercase().contains(&canary),
                "{canary} in name {path}"
            );
        }
    }
}

/// The canary site, built once so a failed build has an output to keep.
fn built_canary() -> Site {
    let site = Site::fixture("canary");
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    site
}

fn append(site: &Site, rel: &str, text: &str) {
    let mut old = std::fs::read_to_string(site.path(rel)).unwrap();
    old.push_str(text);
    site.write(rel, &old);
}

#[test]
fn visibility_given_twice_through_an_alias_fails_build_and_check() {
    let site = built_canary();
    let before = read_tree(&site.path("public"));
    append(
        &site,
        "trust.yaml",
        "front_matter:\n  aliases:\n    public_flag: visibility\n    hide: draft\n",
    );
    site.write(
        "content/policies/clash.md",
        "---\ntitle: CANARY-ALIAS-CLASH-TITLE\npublic_flag: public\nvisibility: internal\n---\nCANARY-ALIAS-CLASH-BODY\n",
    );
    site.write(
        "content/policies/clash-draft.md",
        "---\ntitle: CANARY-ALIAS-DRAFT-TITLE\nvisibility: public\ndraft: true\nhide: false\n---\nCANARY-ALIAS-DRAFT-BODY\n",
    );
    let out = site.build();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("content/policies/clash.md:4:1: error: `visibility` given twice"),
        "{err}"
    );
    assert!(
        err.contains("content/policies/clash-draft.md:5:1: error: `draft` given twice"),
        "{err}"
    );
    assert_eq!(read_tree(&site.path("public")), before, "output untouched");
    assert_nowhere(&site, &["canary-alias"]);
    let check = site.run(&["check", "--today", "2026-11-22"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("content/policies/clash.md:4:1: error:"));
}

#[test]
fn svg_with_script_next_to_a_public_document_is_an_error_and_never_published() {
    let site = built_canary();
    let before = read_tree(&site.path("public"));
    site.write(
        "content/public-bundle/evil.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <rect width=\"1\" height=\"1\"/>\n  <script>window.CANARY_SVG_SCRIPT = 1</script>\n</svg>\n",
    );
    site.write(
        "content/public-bundle/handler.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"window.CANARY_SVG_ONLOAD = 1\"/>\n",
    );
    append(
        &site,
        "content/public-bundle/index.md",
        "\n![e](evil.svg) ![h](handler.svg)\n",
    );
    let out = site.build();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "content/public-bundle/evil.svg:3:3: error: SVG is not published: element <script>"
        ),
        "{err}"
    );
    assert!(
        err.contains("content/public-bundle/handler.svg:1:41: error: SVG is not published: attribute `onload`"),
        "{err}"
    );
    assert_eq!(read_tree(&site.path("public")), before, "output untouched");
    assert_nowhere(&site, &["canary_svg"]);
    let check = site.run(&["check", "--today", "2026-11-22", "--format", "github"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout(&check).contains("::error file=content/public-bundle/evil.svg,line=3,col=3,"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn markup_and_script_files_are_errors_unless_allow_active_names_them() {
    let site = built_canary();
    site.write(
        "content/google1234.html",
        "google-site-verification: google1234.html\n",
    );
    site.write("content/policies/app.js", "window.CANARY_JS = 1\n");
    site.write(
        "content/policies/page.HTM",
        "<script>window.CANARY_HTM = 1</script>\n",
    );
    let out = site.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for (file, ext) in [
        ("content/google1234.html", "html"),
        ("content/policies/app.js", "js"),
        ("content/policies/page.HTM", "htm"),
    ] {
        assert!(
            err.contains(&format!(
                "{file}: error: `.{ext}` file under content/ is active content"
            )),
            "{err}"
        );
    }
    std::fs::remove_file(site.path("content/policies/app.js")).unwrap();
    std::fs::remove_file(site.path("content/policies/page.HTM")).unwrap();
    append(
        &site,
        "trust.yaml",
        "allow_active:\n  - content/google1234.html\n  - content/missing.html\n",
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("trust.yaml: warning: `allow_active`: `content/missing.html` names no file")
    );
    assert_eq!(
        std::fs::read_to_string(site.path("public/google1234.html")).unwrap(),
        "google-site-verification: google1234.html\n"
    );
    append(&site, "trust.yaml", "  - content/*.js\n");
    let out = site.build();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error: `allow_active`: `content/*.js` must name one file"));
}
