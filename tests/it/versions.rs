//! Versions from git: permalinks, redlines, hashes, withheld bodies, dates,
//! shallow clones and determinism. Every test makes its own repository in a
//! temporary folder with pinned commit dates and identity.
use crate::support::*;

fn commit(site: &Site, date: &str, msg: &str) -> String {
    git(site.root(), &["add", "-A"], date);
    git(site.root(), &["commit", "-q", "-m", msg], date);
    git(site.root(), &["rev-parse", "HEAD"], date)
        .trim()
        .to_string()
}

fn doc(title: &str, version: &str, vis: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nversion: \"{version}\"\nvisibility: {vis}\n---\n{body}\n")
}

const TRUST: &str = "title: Versions\nbase_url: https://trust.example.org/\nsecurity_contact: mailto:security@example.org\n";

/// A repository whose documents went through public, restricted and
/// internal versions; returns the site and its commits, oldest first.
fn history() -> (Site, Vec<String>) {
    let site = Site::empty();
    git(
        site.root(),
        &["init", "-q", "-b", "main"],
        "2026-01-01T00:00:00Z",
    );
    site.write("trust.yaml", TRUST);
    let access = "content/policies/access.md";
    let plan = |v: &str, body: &str| doc("NDA Plan", v, "restricted", body);
    let secret = |body: &str| doc("Secret Runbook", "1", "internal", body);
    let mut commits = Vec::new();
    site.write(
        access,
        &doc(
            "Access Control",
            "1.0",
            "public",
            "Access is reviewed yearly.\n\nScope: all staff.",
        ),
    );
    site.write(
        "content/policies/nda-plan.md",
        &plan("1.0", "canary-restricted-one"),
    );
    site.write(
        "content/policies/secret-runbook.md",
        &secret("canary-internal-doc one"),
    );
    site.write(
        "content/policies/opened.md",
        &doc("Opened", "1.0", "restricted", "canary-was-restricted"),
    );
    commits.push(commit(&site, "2026-01-10T09:00:00Z", "first"));
    site.write(
        access,
        &doc(
            "Access Control",
            "1.0",
            "public",
            "Access is reviewed yearly by owners.\n\nScope: all staff.",
        ),
    );
    commits.push(commit(&site, "2026-01-15T09:00:00Z", "typo"));
    site.write(
        access,
        &doc(
            "Access Control",
            "2.0",
            "public",
            "Access is reviewed twice a year by owners.\n\nScope: all staff.",
        ),
    );
    site.write(
        "content/policies/nda-plan.md",
        &plan("2.0", "canary-restricted-two"),
    );
    site.write(
        "content/policies/secret-runbook.md",
        &secret("canary-internal-doc two"),
    );
    commits.push(commit(&site, "2026-03-01T09:00:00Z", "two"));
    site.write(
        access,
        &doc(
            "Access Control",
            "2.5",
            "internal",
            "canary-internal-old draft.",
        ),
    );
    commits.push(commit(&site, "2026-04-01T09:00:00Z", "internal interlude"));
    site.write(
        access,
        &doc(
            "Access Control",
            "3.0",
            "public",
            "Access is reviewed every quarter by owners.\n\nScope: all staff.",
        ),
    );
    site.write(
        "content/policies/opened.md",
        &doc("Opened", "2.0", "public", "Now public."),
    );
    commits.push(commit(&site, "2026-05-01T09:00:00Z", "three"));
    (site, commits)
}

fn text(files: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> String {
    let bytes = files
        .get(path)
        .unwrap_or_else(|| panic!("{path} missing: {:?}", files.keys()));
    String::from_utf8_lossy(bytes).into_owned()
}

fn manifest(files: &std::collections::BTreeMap<String, Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(&files["manifest.json"]).unwrap()
}

fn manifest_doc<'a>(m: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    m["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in manifest"))
}

#[test]
fn earlier_versions_get_permalinks_redlines_and_hashes() {
    let (site, c) = history();
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let files = read_tree(&site.path("public"));
    let v1 = text(&files, "policies/access/v/1.0/index.html");
    assert!(
        v1.contains("Access is reviewed yearly by owners."),
        "last commit of the run"
    );
    assert!(v1.contains("This version is superseded"));
    assert!(
        v1.contains("href=\"/policies/access/\""),
        "links to the current version"
    );
    let v2 = text(&files, "policies/access/v/2.0/index.html");
    assert!(
        v2.contains("reviewed <del>yearly</del><ins>twice a year</ins> by owners."),
        "word-level redline against 1.0: {v2}"
    );
    let current = text(&files, "policies/access/index.html");
    assert!(current.contains("What changed since version"));
    assert!(
        current.contains("<del>twice a year</del><ins>every quarter</ins>"),
        "{current}"
    );
    assert!(
        current.contains("href=\"/policies/access/v/1.0/\""),
        "version list"
    );
    assert!(
        !files.keys().any(|p| p.contains("/v/2.5/")),
        "internal version has no page"
    );
    let m = manifest(&files);
    let access = manifest_doc(&m, "policies/access");
    let versions: Vec<(&str, &str)> = access["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_str().unwrap(),
                v["commit"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            ("3.0", c[4].as_str()),
            ("2.0", c[2].as_str()),
            ("1.0", c[1].as_str())
        ]
    );
    for v in access["versions"].as_array().unwrap() {
        let shown = git(
            site.root(),
            &[
                "show",
                &format!(
                    "{}:content/policies/access.md",
                    v["commit"].as_str().unwrap()
                ),
            ],
            "2026-01-01T00:00:00Z",
        );
        assert_eq!(v["source_sha256"], sha256_hex(shown.as_bytes()), "{v}");
    }
    assert_eq!(
        access["versions"][2]["url"],
        "https://trust.example.org/policies/access/v/1.0/"
    );
    let api: serde_json::Value = serde_json::from_slice(&files["api/versions.json"]).unwrap();
    let entry = api["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "policies/access")
        .unwrap();
    let ranges: Vec<(&str, &str, &str)> = entry["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_str().unwrap(),
                v["effective"].as_str().unwrap(),
                v["until"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranges,
        [
            ("3.0", "2026-05-01", ""),
            ("2.0", "2026-03-01", "2026-05-01"),
            ("1.0", "2026-01-10", "2026-03-01")
        ]
    );
    let changes = text(&files, "changes/index.html");
    let short = |i: usize| format!("Recorded in git (commit {})", &c[i][..7]);
    assert!(
        changes.contains(&short(2)),
        "version 2.0 on the changes page: {changes}"
    );
    assert!(
        text(&files, "feed.xml").contains(&short(1)),
        "version 1.0 in the feed"
    );
}

/// The canary test for version pages: restricted and internal bodies of old
/// versions, and internal documents' history, appear in no output file.
#[test]
fn withheld_versions_leave_no_body_and_internal_history_no_trace() {
    let (site, c) = history();
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let files = read_tree(&site.path("public"));
    for (path, bytes) in &files {
        let lower = String::from_utf8_lossy(bytes).to_lowercase();
        for canary in ["canary", "secret-runbook", "secret runbook"] {
            assert!(!lower.contains(canary), "{canary} leaked into {path}");
            assert!(!path.contains(canary), "{canary} in file name {path}");
        }
        for label in ["\"2.5\"", ">2.5<", "v/2.5", "version 2.5"] {
            assert!(
                !lower.contains(label),
                "internal version label leaked into {path}"
            );
        }
    }
    let m = manifest(&files);
    let nda = manifest_doc(&m, "policies/nda-plan");
    assert_eq!(
        nda["versions"].as_array().unwrap().len(),
        2,
        "restricted versions listed: {nda}"
    );
    assert_eq!(nda["versions"][1]["commit"], c[0].as_str());
    assert!(nda["versions"][1].get("url").is_none());
    assert!(!files.keys().any(|p| p.starts_with("policies/nda-plan/v/")));
    let opened = manifest_doc(&m, "policies/opened");
    assert_eq!(
        opened["versions"][1]["version"], "1.0",
        "restricted old version listed"
    );
    assert!(!files.keys().any(|p| p.starts_with("policies/opened/v/")));
    assert!(!text(&files, "policies/opened/index.html").contains("What changed since"));
}

#[test]
fn identify_names_the_document_and_version_of_a_copy() {
    let (site, c) = history();
    let copy = site.path("copy.md");
    let old = git(
        site.root(),
        &["show", &format!("{}:content/policies/access.md", c[1])],
        "2026-01-01T00:00:00Z",
    );
    std::fs::write(&copy, &old).unwrap();
    let root = site.root().to_str().unwrap();
    let o = trustsite(&["identify", copy.to_str().unwrap(), "--site", root]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Access Control (policies/access), version 1.0, superseded"),
        "{}",
        stdout(&o)
    );
    assert!(site.build().status.success());
    let m = site.path("public/manifest.json");
    let o = trustsite(&[
        "identify",
        copy.to_str().unwrap(),
        "--manifest",
        m.to_str().unwrap(),
    ]);
    assert!(
        stdout(&o).contains("version 1.0, superseded"),
        "{}",
        stdout(&o)
    );
    let nda = git(
        site.root(),
        &["show", &format!("{}:content/policies/nda-plan.md", c[0])],
        "2026-01-01T00:00:00Z",
    );
    std::fs::write(&copy, &nda).unwrap();
    let o = trustsite(&[
        "identify",
        copy.to_str().unwrap(),
        "--manifest",
        m.to_str().unwrap(),
    ]);
    assert!(
        stdout(&o).contains("NDA Plan (policies/nda-plan), version 1.0, superseded"),
        "{}",
        stdout(&o)
    );
    std::fs::write(&copy, "not a policy").unwrap();
    let o = trustsite(&[
        "identify",
        copy.to_str().unwrap(),
        "--manifest",
        m.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("matches no published document"));
}

#[test]
fn dirty_working_file_is_the_current_text() {
    let (site, _) = history();
    let access = "content/policies/access.md";
    site.write(
        access,
        &doc(
            "Access Control",
            "3.0",
            "public",
            "Uncommitted wording.\n\nScope: all staff.",
        ),
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let files = read_tree(&site.path("public"));
    assert!(text(&files, "policies/access/index.html").contains("Uncommitted wording."));
    let m = manifest(&files);
    let d = manifest_doc(&m, "policies/access");
    assert_eq!(
        d["source_sha256"],
        sha256_hex(&std::fs::read(site.path(access)).unwrap())
    );
    assert_eq!(d["versions"][0]["version"], "3.0");
    assert_ne!(d["versions"][0]["source_sha256"], d["source_sha256"]);
}

#[test]
fn review_dates_and_versions_from_git_when_asked() {
    let site = Site::empty();
    git(
        site.root(),
        &["init", "-q", "-b", "main"],
        "2026-01-01T00:00:00Z",
    );
    site.write(
        "trust.yaml",
        &format!("{TRUST}review:\n  from_git: true\n  git_trailer: Reviewed-by\n"),
    );
    let body = |t: &str| {
        format!(
            "---\ntitle: Logging\ncontrolled_document: true\nowner: SecOps\nvisibility: public\n---\n{t}\n"
        )
    };
    site.write("content/logging.md", &body("Logs are kept."));
    commit(
        &site,
        "2026-02-03T10:00:00Z",
        "add\n\nReviewed-by: Rita <rita@example.org>",
    );
    site.write("content/logging.md", &body("Logs are kept for a year."));
    let last = commit(&site, "2026-06-07T10:00:00Z", "edit without review");
    let o = site.run(&["check", "--today", "2026-11-22", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &report["documents"][0];
    assert_eq!(
        d["last_reviewed"], "2026-02-03",
        "last commit with the trailer: {report}"
    );
    assert_eq!(d["version"], format!("2026-06-07-{}", &last[..7]).as_str());
    assert!(
        !report["problems"]
            .to_string()
            .contains("controlled-incomplete"),
        "version came from git: {report}"
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.path("public/logging/index.html")).unwrap();
    assert!(
        page.contains("derived from git history"),
        "revisions derived and marked"
    );
    assert!(
        !page.contains("Rita") && !page.contains("Ann Author"),
        "no names published"
    );
    let yaml = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    site.write("trust.yaml", &format!("{yaml}  git_authors: true\n"));
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.path("public/logging/index.html")).unwrap();
    assert!(
        page.contains("<td data-label=\"Author\">Ann Author</td>"),
        "names only when asked"
    );
}

#[test]
fn shallow_clone_is_an_error_that_names_the_fix() {
    let (site, _) = history();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", site.root().display());
    let dest = clone.path().join("c");
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, dest.to_str().unwrap()],
        "2026-01-01T00:00:00Z",
    );
    let o = trustsite(&[
        "build",
        "--root",
        dest.to_str().unwrap(),
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("shallow"), "{err}");
    assert!(
        err.contains("fetch-depth: 0") && err.contains("GIT_DEPTH: 0"),
        "{err}"
    );
    assert!(!dest.join("public").exists(), "nothing written");
}

#[test]
fn two_clones_in_different_time_zones_build_byte_identical_sites() {
    let (site, _) = history();
    // A commit near midnight UTC: a clock or TZ dependence would shift its date.
    site.write(
        "content/policies/opened.md",
        &doc("Opened", "2.1", "public", "Late change."),
    );
    commit(&site, "2026-06-30T23:30:00Z", "late");
    let url = format!("file://{}", site.root().display());
    let mut trees = Vec::new();
    for (name, tz) in [("a", "UTC"), ("b", "Pacific/Kiritimati")] {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join(name);
        git(
            dir.path(),
            &["clone", "-q", &url, dest.to_str().unwrap()],
            "2026-01-01T00:00:00Z",
        );
        let o = output(
            command()
                .args([
                    "build",
                    "--root",
                    dest.to_str().unwrap(),
                    "--today",
                    "2026-11-22",
                ])
                .env("SOURCE_DATE_EPOCH", "1795305600")
                .env("TZ", tz),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        trees.push((dir, read_tree(&dest.join("public"))));
    }
    assert!(trees[0].1 == trees[1].1, "the two clones' sites differ");
    let api = String::from_utf8_lossy(&trees[0].1["api/versions.json"]).into_owned();
    assert!(
        api.contains("\"effective\": \"2026-06-30\""),
        "UTC commit date: {api}"
    );
}

#[test]
fn outside_a_repository_versions_are_off_with_one_note() {
    let site = Site::empty();
    site.write("trust.yaml", TRUST);
    site.write("content/a.md", &doc("A", "1.0", "public", "Body."));
    site.write("content/b.md", &doc("B", "1.0", "public", "Body."));
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("note:").count(), 1, "{err}");
    assert!(err.contains("not in a git repository"), "{err}");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.path("public/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["documents"][0]["versions"], serde_json::json!([]));
}

#[test]
fn versions_follow_a_renamed_file() {
    let site = Site::empty();
    git(
        site.root(),
        &["init", "-q", "-b", "main"],
        "2026-01-01T00:00:00Z",
    );
    site.write("trust.yaml", TRUST);
    let body = "Backups run nightly and are kept for ninety days in a second region.";
    site.write("content/old-name.md", &doc("Backup", "1.0", "public", body));
    let first = commit(&site, "2026-01-10T09:00:00Z", "add");
    std::fs::create_dir_all(site.path("content/policies")).unwrap();
    std::fs::rename(
        site.path("content/old-name.md"),
        site.path("content/policies/backup.md"),
    )
    .unwrap();
    commit(&site, "2026-02-10T09:00:00Z", "move");
    site.write(
        "content/policies/backup.md",
        &doc("Backup", "2.0", "public", &body.replace("ninety", "thirty")),
    );
    commit(&site, "2026-03-10T09:00:00Z", "2.0");
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let files = read_tree(&site.path("public"));
    let m = manifest(&files);
    let d = manifest_doc(&m, "policies/backup");
    assert_eq!(d["versions"][1]["version"], "1.0", "{d}");
    assert_eq!(
        d["versions"][1]["effective"], "2026-01-10",
        "history from before the rename"
    );
    let renamed_commit = d["versions"][1]["commit"].as_str().unwrap();
    assert_ne!(renamed_commit, first, "1.0's last commit is the move");
    let shown = git(
        site.root(),
        &[
            "show",
            &format!("{renamed_commit}:content/policies/backup.md"),
        ],
        "2026-01-01T00:00:00Z",
    );
    assert_eq!(
        d["versions"][1]["source_sha256"],
        sha256_hex(shown.as_bytes())
    );
    assert!(text(&files, "policies/backup/v/1.0/index.html").contains("ninety days"));
}

/// A repository without commits, and content never committed (fixtures
/// made inside a checkout): no versions, no note, no error.
#[test]
fn uncommitted_content_has_no_versions_and_no_noise() {
    let site = Site::empty();
    git(
        site.root(),
        &["init", "-q", "-b", "main"],
        "2026-01-01T00:00:00Z",
    );
    site.write("trust.yaml", TRUST);
    site.write("content/a.md", &doc("A", "1.0", "public", "Body."));
    let empty_repo = site.build();
    assert!(empty_repo.status.success(), "{}", stderr(&empty_repo));
    site.write("README.md", "unrelated");
    git(
        site.root(),
        &["add", "README.md", "trust.yaml"],
        "2026-01-01T00:00:00Z",
    );
    git(
        site.root(),
        &["commit", "-q", "-m", "no content"],
        "2026-01-02T00:00:00Z",
    );
    let untracked = site.build();
    assert!(untracked.status.success(), "{}", stderr(&untracked));
    for o in [&empty_repo, &untracked] {
        assert!(
            !stderr(o).contains("note:") && !stderr(o).contains("warning"),
            "{}",
            stderr(o)
        );
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.path("public/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["documents"][0]["versions"], serde_json::json!([]));
}

/// `build --cache` keeps rendered pages, whose versions, redlines and
/// hashes come from git: committing the working file as it is (same bytes,
/// a new version in the history), a dirty edit, and a commit of another
/// document each give a cold build's files and warnings.
#[test]
fn kept_pages_follow_the_history() {
    let (site, _) = history();
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let (out, cold_out) = (scratch.path().join("out"), scratch.path().join("cold"));
    let build = |out: &std::path::Path, cache| {
        let warnings = site.build_into(out, cache);
        (read_tree(out), warnings)
    };
    let same = |step: &str| {
        let warm = build(&out, Some(&cache));
        let cold = build(&cold_out, None);
        assert_eq!(warm.1, cold.1, "{step}: warnings");
        assert!(warm.0 == cold.0, "{step}: files differ");
        warm.0
    };
    same("first");
    let access = "content/policies/access.md";
    let dirty = doc(
        "Access Control",
        "4.0",
        "public",
        "Access is reviewed monthly by owners.\n\nScope: all staff.",
    );
    site.write(access, &dirty);
    let files = same("a dirty edit");
    assert!(text(&files, "policies/access/index.html").contains("reviewed monthly"));
    commit(&site, "2026-06-01T09:00:00Z", "four");
    let files = same("the same bytes committed");
    let m = manifest(&files);
    assert_eq!(
        manifest_doc(&m, "policies/access")["versions"][0]["version"],
        "4.0"
    );
    site.write(
        "content/policies/opened.md",
        &doc("Opened", "3.0", "public", "Opened wider."),
    );
    commit(&site, "2026-07-01T09:00:00Z", "five");
    same("another document committed");
    same("no change");
    assert!(
        walkdir::WalkDir::new(cache.join("pages"))
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.file_type().is_file()),
        "pages are kept"
    );
}
