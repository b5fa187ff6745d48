//! A rebuild equals a cold build: after each kind of change, the files and
//! warnings of a build reusing a [`Rebuild`] (and a highlighter keeping
//! blocks in memory or on disk) are those of a cold build, byte for byte.

use super::Rebuild;
use crate::highlight::Highlighter;
use crate::output::MemorySink;
use crate::site::{BuildOptions, load, load_with, render, render_with};
use std::collections::BTreeMap;
use std::path::Path;

const A: &str = "---\ntitle: A\nvisibility: public\ntags: [t]\n---\nSee [b](b.md#scope).\n\n```rust\nfn a() {}\n```\n";
const B: &str = "---\ntitle: B\nvisibility: public\ntags: [t]\n---\n## Scope\n\nText.\n";
const CONFIG: &str =
    "title: T\nbase_url: https://t.example/\nsecurity_contact: mailto:s@t.example\n";

type Files = BTreeMap<String, Vec<u8>>;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn options(drafts: bool) -> BuildOptions {
    BuildOptions {
        today: jiff::civil::date(2026, 11, 22),
        build_time: jiff::Timestamp::from_second(1_795_392_000).unwrap(),
        base_url: None,
        drafts,
        internal: false,
        search: true,
        evidence: Default::default(),
    }
}

/// Files and warnings of one build: cold without `cache`.
fn build(
    root: &Path,
    cache: Option<&Rebuild>,
    hl: &Highlighter,
    opts: &BuildOptions,
) -> (Files, Vec<String>) {
    let loaded = match cache {
        Some(c) => load_with(root, Some(c)).unwrap(),
        None => load(root).unwrap(),
    };
    let sink = MemorySink::default();
    let outcome = match cache {
        Some(c) => render_with(&loaded, opts, hl, Some(c), &sink),
        None => render(&loaded, opts, hl, &sink),
    };
    let diags = outcome.diags.iter().map(|d| d.to_string()).collect();
    (sink.into_files(), diags)
}

fn assert_same(cold: &(Files, Vec<String>), warm: &(Files, Vec<String>), after: &str) {
    assert_eq!(cold.1, warm.1, "warnings after {after}");
    assert_eq!(
        cold.0.keys().collect::<Vec<_>>(),
        warm.0.keys().collect::<Vec<_>>(),
        "files after {after}"
    );
    let differ: Vec<&String> = (cold.0.iter())
        .filter(|(path, bytes)| warm.0[*path] != **bytes)
        .map(|(path, _)| path)
        .collect();
    assert!(differ.is_empty(), "{differ:?} differ after {after}");
}

fn site(root: &Path) {
    write(root, "trust.yaml", CONFIG);
    write(root, "content/index.md", "---\ntitle: Home\n---\nHello.\n");
    write(
        root,
        "content/policies/_index.md",
        "---\ntitle: Policies\n---\nIntro.\n",
    );
    write(root, "content/policies/a.md", A);
    write(root, "content/policies/b.md", B);
}

/// One change to the site: a file written (Some) or deleted (None).
type Change = (&'static str, Option<String>);

/// Applies each change in turn, then checks a rebuild against a cold build.
fn rebuilds_equal_cold_builds(changes: Vec<(&str, Vec<Change>)>) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    site(root);
    let cache = Rebuild::new();
    let hl = Highlighter::new(true);
    let opts = options(false);
    let first = build(root, Some(&cache), &hl, &opts);
    assert_same(
        &build(root, None, &Highlighter::new(false), &opts),
        &first,
        "nothing",
    );
    for (what, files) in changes {
        for (rel, text) in files {
            match text {
                Some(text) => write(root, rel, &text),
                None => std::fs::remove_file(root.join(rel)).unwrap(),
            }
        }
        let cold = build(root, None, &Highlighter::new(false), &opts);
        let warm = build(root, Some(&cache), &hl, &opts);
        assert_same(&cold, &warm, what);
        let kept = super::pages::kept(&cache);
        assert!(kept.0 > 0 && kept.1 > 0, "nothing kept after {what}");
    }
}

#[test]
fn rebuild_after_edits_equals_cold_build() {
    rebuilds_equal_cold_builds(vec![
        ("no change", vec![("content/policies/a.md", Some(A.into()))]),
        (
            "a prose edit",
            vec![("content/policies/a.md", Some(A.replace("See", "Read")))],
        ),
        (
            "a code edit",
            vec![("content/policies/a.md", Some(A.replace("fn a", "fn b")))],
        ),
        (
            "a title edit (listings change)",
            vec![(
                "content/policies/b.md",
                Some(B.replace("title: B", "title: Bee")),
            )],
        ),
        (
            "a heading renamed (an anchor breaks)",
            vec![(
                "content/policies/b.md",
                Some(B.replace("## Scope", "## Range")),
            )],
        ),
        (
            "a document made internal",
            vec![(
                "content/policies/b.md",
                Some(B.replace("public", "internal")),
            )],
        ),
        (
            "an introduction edited",
            vec![(
                "content/policies/_index.md",
                Some("---\ntitle: Policies\n---\nNew intro.\n".into()),
            )],
        ),
    ]);
}

#[test]
fn rebuild_after_adding_deleting_and_renaming_equals_cold_build() {
    let c = "---\ntitle: C\nvisibility: public\n---\nLinks [a](a.md).\n";
    rebuilds_equal_cold_builds(vec![
        (
            "a document added",
            vec![("content/policies/c.md", Some(c.into()))],
        ),
        ("a document deleted", vec![("content/policies/b.md", None)]),
        (
            "a document renamed",
            vec![
                ("content/policies/c.md", None),
                ("content/policies/d.md", Some(c.into())),
            ],
        ),
        (
            "a deleted link target back",
            vec![("content/policies/b.md", Some(B.into()))],
        ),
    ]);
}

#[test]
fn rebuild_after_config_and_theme_changes_equals_cold_build() {
    rebuilds_equal_cold_builds(vec![
        (
            "the title and base_url",
            vec![(
                "trust.yaml",
                Some("title: T2\nbase_url: https://t.example/sub/\n".into()),
            )],
        ),
        (
            "the default visibility",
            vec![(
                "trust.yaml",
                Some(format!("{CONFIG}default_visibility: public\n")),
            )],
        ),
        (
            "a cascade",
            vec![(
                "content/policies/_index.md",
                Some("---\ntitle: Policies\ncascade:\n  owner: Security\n---\nIntro.\n".into()),
            )],
        ),
        (
            "a theme template",
            vec![
                ("trust.yaml", Some(format!("{CONFIG}theme: mine\n"))),
                (
                    "themes/mine/templates/page.html",
                    Some(
                        include_str!("../../../themes/default/templates/page.html")
                            .replace("{% block title %}", "{% block title %}Mine: "),
                    ),
                ),
            ],
        ),
    ]);
}

/// `build --cache DIR`: a build with the blocks another build left on disk
/// gives the cold build's bytes.
#[test]
fn build_with_a_disk_cache_equals_cold_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    site(&root);
    let dir = tmp.path().join("cache");
    let opts = options(false);
    build(
        &root,
        None,
        &Highlighter::with_disk_cache(&dir).unwrap(),
        &opts,
    );
    write(&root, "content/policies/a.md", &A.replace("See", "Read"));
    let warm = build(
        &root,
        None,
        &Highlighter::with_disk_cache(&dir).unwrap(),
        &opts,
    );
    let cold = build(&root, None, &Highlighter::new(false), &opts);
    assert_same(&cold, &warm, "a prose edit with blocks on disk");
    assert!(
        std::fs::read_dir(&dir).unwrap().count() > 0,
        "no block kept"
    );
    let kept = walkdir::WalkDir::new(dir.join("files"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    assert!(kept > 0, "no compressed bundle entry kept");
    assert!(
        cold.0.keys().any(|p| p.ends_with(".zip")),
        "the compared builds hold the download bundle"
    );
}

/// A kept bundle entry is screened again when what the screen looks for
/// changes: a source naming a document that became withheld leaves the
/// warm build's bundle (with the cold build's warning), as in a cold build.
#[test]
fn kept_bundle_entries_are_screened_again_when_withheld_names_change() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    site(&root);
    write(
        &root,
        "content/policies/c.md",
        "---\ntitle: C\nvisibility: public\n---\nSee the vendor-escrow plan.\n",
    );
    let dir = tmp.path().join("cache");
    let opts = options(false);
    let warm_build = || {
        build(
            &root,
            None,
            &Highlighter::with_disk_cache(&dir).unwrap(),
            &opts,
        )
    };
    let first = warm_build();
    let bundle = |files: &Files| {
        let (path, bytes) = files.iter().find(|(p, _)| p.ends_with(".zip")).unwrap();
        (path.clone(), String::from_utf8_lossy(bytes).into_owned())
    };
    assert!(
        bundle(&first.0).1.contains("policies/c.md"),
        "c.md is bundled first"
    );
    write(
        &root,
        "content/policies/vendor-escrow.md",
        "---\ntitle: Escrow\nvisibility: internal\n---\nInternal.\n",
    );
    let warm = warm_build();
    let cold = build(&root, None, &Highlighter::new(false), &opts);
    assert_same(&cold, &warm, "a document became withheld");
    assert!(
        !bundle(&warm.0).1.contains("policies/c.md"),
        "c.md left the bundle"
    );
    assert!(
        warm.1.iter().any(|w| w.contains("bundle/source-withheld")),
        "{:?}",
        warm.1
    );
    // The screen's verdict is kept too: the next warm build takes it
    // (no read, no screen) and still gives the cold bytes and warning.
    let verdicts = walkdir::WalkDir::new(dir.join("files"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| std::fs::read(e.path()).unwrap()[32..].starts_with(b"withheld\n"))
        .count();
    assert_eq!(verdicts, 1, "the verdict on c.md is kept");
    let again = warm_build();
    assert_same(&cold, &again, "the kept verdict");
}

/// Options are part of every key: the same cache serving a build with
/// drafts and one without gives each its cold bytes.
#[test]
fn rebuild_with_other_options_equals_cold_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    site(root);
    write(
        root,
        "content/policies/d.md",
        "---\ntitle: D\nvisibility: public\ndraft: true\n---\nDraft.\n",
    );
    let cache = Rebuild::new();
    let hl = Highlighter::new(true);
    for drafts in [false, true, false] {
        let opts = options(drafts);
        let warm = build(root, Some(&cache), &hl, &opts);
        let cold = build(root, None, &Highlighter::new(false), &opts);
        assert_same(&cold, &warm, &format!("drafts: {drafts}"));
    }
}
