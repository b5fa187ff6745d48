//! `trustsite init` and `trustsite new` end to end: the scaffolded site must
//! pass `check` and build, and both commands must refuse to overwrite.

use crate::support::{TODAY, trustsite_in};
use std::path::Path;
use std::process::Output;

/// Runs the binary in `cwd` with the clock pinned (init's "today" is
/// [`TODAY`]).
fn run(cwd: &Path, args: &[&str]) -> Output {
    trustsite_in(cwd, args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts the exit code, showing the output on failure.
fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A temp dir with a fresh site in `site/`.
fn new_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["init", "site"]);
    assert_code(&out, 0);
    tmp
}

#[test]
fn init_creates_a_site_that_checks_and_builds() {
    let tmp = new_site();
    let site = tmp.path().join("site");
    for f in [
        "trust.yaml",
        ".gitignore",
        "content/index.md",
        "content/policies/_index.md",
    ] {
        assert!(site.join(f).is_file(), "{f} missing");
    }
    let doc =
        std::fs::read_to_string(site.join("content/policies/information-security.md")).unwrap();
    assert!(doc.contains(&format!("last_reviewed: {TODAY}")), "{doc}");
    assert_code(&run(&site, &["check", "--today", TODAY, "--strict"]), 0);
    assert_code(&run(&site, &["build", "--today", TODAY]), 0);
    let public = site.join("public");
    assert!(public.join("index.html").is_file());
    assert!(public.join(".well-known/security.txt").is_file());
    let manifest = std::fs::read_to_string(public.join("manifest.json")).unwrap();
    assert!(manifest.contains("information-security-policy"));
    assert!(manifest.contains("business-continuity-policy"));
    assert!(
        !manifest.contains("access-review"),
        "internal document leaked into the manifest"
    );
    let restricted =
        std::fs::read_to_string(public.join("policies/business-continuity/index.html")).unwrap();
    assert!(
        !restricted.contains("Recovery point objective"),
        "restricted body published"
    );
}

#[test]
fn init_prints_files_and_next_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["init", "site"]);
    assert_code(&out, 0);
    let stdout = text(&out.stdout);
    for needle in [
        "trust.yaml",
        "content/policies/vulnerability-disclosure.md",
        "cd site",
        "trustsite serve",
        "trustsite check",
        "trustsite build",
    ] {
        assert!(stdout.contains(needle), "`{needle}` not in:\n{stdout}");
    }
}

#[test]
fn init_accepts_an_empty_folder_or_one_holding_only_git() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    assert_code(&run(tmp.path(), &["init"]), 0);
    assert!(tmp.path().join("trust.yaml").is_file());
}

#[test]
fn init_refuses_a_non_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("busy");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "keep me").unwrap();
    let out = run(tmp.path(), &["init", "busy"]);
    assert_code(&out, 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("busy") && stderr.contains("not empty"),
        "{stderr}"
    );
    assert!(
        !dir.join("trust.yaml").exists(),
        "init wrote into a non-empty folder"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn new_document_checks_and_builds_with_an_escaped_title() {
    let tmp = new_site();
    let site = tmp.path().join("site");
    let args = [
        "new",
        "content/policies/backup.md",
        "--title",
        "Backup: \"Policy\" <1>",
        "--visibility",
        "public",
        "--today",
        TODAY,
    ];
    let out = run(&site, &args);
    assert_code(&out, 0);
    assert!(text(&out.stdout).contains("content/policies/backup.md"));
    let source = std::fs::read_to_string(site.join("content/policies/backup.md")).unwrap();
    assert!(
        source.contains("title: \"Backup: \\\"Policy\\\" <1>\"\n"),
        "{source}"
    );
    assert!(
        source.contains("id: \"backup\"\n") && source.contains(&format!("last_reviewed: {TODAY}"))
    );
    assert_code(&run(&site, &["check", "--today", TODAY]), 0);
    assert_code(&run(&site, &["build", "--today", TODAY]), 0);
    let page = std::fs::read_to_string(site.join("public/policies/backup/index.html")).unwrap();
    assert!(
        page.contains("Backup: &quot;Policy&quot; &lt;1&gt;"),
        "escaped title not found"
    );
    assert!(!page.contains("<1>"), "title not escaped");
}

#[test]
fn new_accepts_paths_without_content_or_extension_and_keeps_ids_unique() {
    let tmp = new_site();
    let site = tmp.path().join("site");
    let first = run(
        tmp.path(),
        &[
            "new",
            "policies/backup",
            "--title",
            "Backup",
            "--root",
            "site",
            "--today",
            TODAY,
        ],
    );
    assert_code(&first, 0);
    let second = run(
        &site,
        &[
            "new",
            "standards/backup",
            "--title",
            "Backup Standard",
            "--today",
            TODAY,
        ],
    );
    assert_code(&second, 0);
    let source = std::fs::read_to_string(site.join("content/standards/backup.md")).unwrap();
    assert!(source.contains("id: \"backup-2\"\n"), "{source}");
    assert_code(&run(&site, &["check", "--today", TODAY]), 0);
}

#[test]
fn new_refuses_overwrite_escape_and_bad_visibility() {
    let tmp = new_site();
    let site = tmp.path().join("site");
    let target = site.join("content/policies/information-security.md");
    let before = std::fs::read(&target).unwrap();
    let out = run(
        &site,
        &[
            "new",
            "content/policies/information-security.md",
            "--title",
            "X",
        ],
    );
    assert_code(&out, 2);
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "existing document changed"
    );

    let out = run(&site, &["new", "../x.md", "--title", "X"]);
    assert_code(&out, 2);
    assert!(!tmp.path().join("x.md").exists() && !site.join("x.md").exists());

    let out = run(&site, &["new", "content/../../x.md", "--title", "X"]);
    assert_code(&out, 2);

    let out = run(
        &site,
        &[
            "new",
            "policies/y.md",
            "--title",
            "Y",
            "--visibility",
            "secret",
        ],
    );
    assert_code(&out, 2);
    assert!(text(&out.stderr).contains("public, restricted, internal"));
    assert!(!site.join("content/policies/y.md").exists());
}

#[test]
fn new_works_without_trust_yaml() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["new", "notes/intro.md", "--title", "Intro"]);
    assert_code(&out, 0);
    let source = std::fs::read_to_string(tmp.path().join("content/notes/intro.md")).unwrap();
    assert!(
        source.contains(&format!("effective: {TODAY}")),
        "SOURCE_DATE_EPOCH gives today in UTC:\n{source}"
    );
}
