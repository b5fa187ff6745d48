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

/// One `build --cache DIR` as the CLI runs it (a new process each time):
/// load cold, render with pages and blocks kept in `dir`. Returns the
/// files and warnings, and (pages replayed, pages written).
fn disk_build(
    root: &Path,
    dir: &Path,
    opts: &BuildOptions,
) -> ((Files, Vec<String>), (usize, usize)) {
    let kept = Rebuild::on_disk(&dir.join("pages"));
    let hl = Highlighter::with_disk_cache(dir).unwrap();
    let loaded = load(root).unwrap();
    let sink = MemorySink::default();
    let outcome = render_with(&loaded, opts, &hl, Some(&kept), &sink);
    assert_eq!(kept.cache_error(), None);
    let diags = outcome.diags.iter().map(|d| d.to_string()).collect();
    ((sink.into_files(), diags), kept.disk_counts())
}

fn cold(root: &Path, opts: &BuildOptions) -> (Files, Vec<String>) {
    build(root, None, &Highlighter::new(false), opts)
}

/// Kept page entries on disk.
fn entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = walkdir::WalkDir::new(dir.join("pages"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    found.sort();
    found
}

/// A site whose pages carry warnings (a broken link, a broken anchor, raw
/// HTML removed), a restricted document and an internal one.
fn site_with_warnings(root: &Path) {
    site(root);
    write(
        root,
        "content/policies/c.md",
        "---\ntitle: C\nvisibility: public\n---\nSee [gone](gone.md) and [b](b.md#nowhere).\n\n<script>x()</script>\n\n## Scope\n",
    );
    write(
        root,
        "content/policies/r.md",
        "---\ntitle: R\nvisibility: restricted\n---\nRESTRICTED-CANARY body.\n",
    );
    write(
        root,
        "content/policies/i.md",
        "---\ntitle: I\nvisibility: internal\n---\nINTERNAL-CANARY body.\n",
    );
}

/// `build --cache DIR` keeps every shown page and listing on disk; a build
/// after one prose edit renders that page (and the listings showing it)
/// alone, replays the others (warnings included, in the cold order), and
/// equals a cold build; only the edited page's bytes differ from the build
/// before.
#[test]
fn disk_kept_pages_replay_unchanged_documents_as_a_cold_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, dir) = (tmp.path().join("site"), tmp.path().join("cache"));
    site_with_warnings(&root);
    let opts = options(false);
    let (first, counts) = disk_build(&root, &dir, &opts);
    assert_same(&cold(&root, &opts), &first, "a first build with --cache");
    // Pages of a, b, c and r's stub; the home, category and tag listings.
    let kept = 4 + 3;
    assert_eq!(counts, (0, kept), "every shown page written once");
    assert_eq!(entries(&dir).len(), kept);
    assert!(
        first.1.iter().any(|w| w.contains("[link/broken]")),
        "{:?}",
        first.1
    );
    assert!(first.1.iter().any(|w| w.contains("[link/broken-anchor]")));

    let (again, counts) = disk_build(&root, &dir, &opts);
    assert_same(&first, &again, "no change");
    assert_eq!(counts, (kept, 0), "every page replayed");

    write(
        &root,
        "content/policies/c.md",
        &std::fs::read_to_string(root.join("content/policies/c.md"))
            .unwrap()
            .replace("See", "Read"),
    );
    let (edited, counts) = disk_build(&root, &dir, &opts);
    assert_same(&cold(&root, &opts), &edited, "a prose edit");
    // c's view (its source's hash) changed: the home and category
    // listings show it; the tag listing does not.
    assert_eq!(
        counts,
        (kept - 3, 3),
        "only the edited page and its listings rendered"
    );
    let differ: Vec<&String> = (edited.0.iter())
        .filter(|(p, b)| p.ends_with(".html") && again.0.get(*p) != Some(*b))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(differ, ["policies/c/index.html"]);
    assert_eq!(entries(&dir).len(), kept, "the replaced entries were swept");

    // Nothing withheld or restricted reaches the kept entries.
    for entry in entries(&dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        for canary in ["RESTRICTED-CANARY", "INTERNAL-CANARY", "policies/i"] {
            assert!(!text.contains(canary), "{canary} in {}", entry.display());
        }
    }
}

/// A change to the config, a theme template, "today" or an option leaves
/// no kept page stale: each build equals a cold build.
#[test]
fn disk_kept_pages_after_config_theme_and_option_changes_equal_cold_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, dir) = (tmp.path().join("site"), tmp.path().join("cache"));
    site_with_warnings(&root);
    write(
        &root,
        "content/policies/a.md",
        &A.replace(
            "tags: [t]",
            "tags: [t]\ncontrolled_document: true\nlast_reviewed: 2025-11-01\nreview_cycle: annual",
        ),
    );
    let opts = options(false);
    let check = |what: &str, opts: &BuildOptions| {
        let (warm, counts) = disk_build(&root, &dir, opts);
        assert_same(&cold(&root, opts), &warm, what);
        counts
    };
    assert_eq!(check("the first build", &opts).0, 0);
    assert_eq!(check("no change", &opts).1, 0, "nothing rendered again");
    write(
        &root,
        "trust.yaml",
        &CONFIG.replace("title: T", "title: T2"),
    );
    assert_eq!(check("the site title", &opts).0, 0, "nothing replayed");
    write(
        &root,
        "content/policies/_index.md",
        "---\ntitle: Policies\ncascade:\n  owner: Security\n---\nIntro.\n",
    );
    assert_eq!(check("a cascade", &opts).0, 0);
    write(&root, "trust.yaml", &format!("{CONFIG}theme: mine\n"));
    write(
        &root,
        "themes/mine/templates/page.html",
        &include_str!("../../../themes/default/templates/page.html")
            .replace("{% block title %}", "{% block title %}Mine: "),
    );
    assert_eq!(check("a theme template", &opts).0, 0);
    // A year later a.md's review is overdue (its status and banner change).
    let later = BuildOptions {
        today: jiff::civil::date(2027, 11, 22),
        ..options(false)
    };
    assert_eq!(check("today", &later).0, 0);
    let based = BuildOptions {
        base_url: Some("https://other.example/x/".into()),
        ..options(false)
    };
    assert_eq!(check("--base-url", &based).0, 0);
    assert_eq!(check("back to the first options", &opts).0, 0);
    assert!(check("again", &opts).0 > 0, "kept pages replayed again");
}

/// An altered, truncated, emptied or old-format entry is never replayed:
/// the page is rendered again (same bytes as a cold build) and its entry
/// written again.
#[test]
fn corrupt_disk_kept_pages_are_rendered_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, dir) = (tmp.path().join("site"), tmp.path().join("cache"));
    site_with_warnings(&root);
    let opts = options(false);
    let (first, _) = disk_build(&root, &dir, &opts);
    let kept = entries(&dir);
    let good: Vec<Vec<u8>> = kept.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let damage: [fn(&mut Vec<u8>); 4] = [
        |b| {
            let n = b.len() - 10; // inside the page bytes
            b[n] ^= 1;
        },
        |b| b.truncate(b.len() / 2),
        |b| b.clear(),
        |b| b[20] = b[20].wrapping_add(1), // the format number
    ];
    for (path, harm) in kept.iter().zip(damage) {
        let mut bytes = std::fs::read(path).unwrap();
        harm(&mut bytes);
        std::fs::write(path, bytes).unwrap();
    }
    let (warm, counts) = disk_build(&root, &dir, &opts);
    assert_same(&first, &warm, "damaged entries");
    assert_same(&cold(&root, &opts), &warm, "damaged entries (cold)");
    assert_eq!(
        counts,
        (kept.len() - 4, 4),
        "every damaged entry rendered again"
    );
    let now: Vec<Vec<u8>> = kept.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert_eq!(now, good, "entries written again as they were");
}

/// The build instant is keyed only through what pages see of it: a build
/// later the same day (no `--today`, no `SOURCE_DATE_EPOCH`) replays every
/// page, unless an embargo lifted in between changed what is shown; each
/// build equals a cold build at its instant.
#[test]
fn disk_kept_pages_are_replayed_at_another_time_of_the_same_day() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, dir) = (tmp.path().join("site"), tmp.path().join("cache"));
    site_with_warnings(&root);
    write(
        &root,
        "content/policies/e.md",
        "---\ntitle: E\nvisibility: public\ntags: [t]\npublishDate: 2026-11-22T12:00:00Z\n---\nLater.\n",
    );
    let at = |hour: i64| BuildOptions {
        build_time: jiff::Timestamp::from_second(1_795_305_600 + hour * 3600).unwrap(),
        ..options(false)
    };
    let mut replayed = Vec::new();
    for hour in [8, 9, 13, 14] {
        let (warm, counts) = disk_build(&root, &dir, &at(hour));
        let cold = cold(&root, &at(hour));
        assert_same(&cold, &warm, &format!("{hour}:00"));
        let e_shown = cold.0.contains_key("policies/e/index.html");
        assert_eq!(e_shown, hour > 12, "the embargo lifts at noon");
        replayed.push(counts.1 == 0);
    }
    assert_eq!(replayed, [false, true, false, true]);
}
