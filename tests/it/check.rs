//! `trustsite check`: statuses at every boundary, formats, exit codes, baseline.
use crate::support::*;
use serde_json::Value;

fn check_json(site: &Site, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["check", "--today", "2026-11-22", "--format", "json"];
    args.extend_from_slice(extra);
    let out = site.run(&args);
    let json: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (out.status.code(), json)
}

fn doc<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn every_status_boundary() {
    let site = Site::fixture("reviews");
    let (code, json) = check_json(&site, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(json["today"], "2026-11-22");
    let table = [
        ("current", "current", Some("2027-01-01"), Some(40)),
        ("current-edge", "current", Some("2026-12-23"), Some(31)),
        ("due-soon-edge", "due_soon", Some("2026-12-22"), Some(30)),
        ("due-today", "due_soon", Some("2026-11-22"), Some(0)),
        ("overdue-edge", "overdue", Some("2026-11-21"), Some(-1)),
        ("never", "never_reviewed", None, None),
        ("untracked", "untracked", None, None),
        ("month-end", "due_soon", Some("2026-11-30"), Some(8)),
        ("leap-day", "overdue", Some("2026-02-28"), Some(-267)),
        (
            "internal-overdue",
            "overdue",
            Some("2025-07-10"),
            Some(-500),
        ),
        ("next-wins", "current", Some("2027-06-01"), Some(191)),
    ];
    for (id, status, next_due, days) in table {
        let d = doc(&json, id);
        assert_eq!(d["status"], status, "{id}");
        assert_eq!(d["next_due"].as_str(), next_due, "{id}");
        assert_eq!(d["days_left"].as_i64(), days, "{id}");
    }
    assert_eq!(doc(&json, "internal-overdue")["visibility"], "internal");
    let s = &json["summary"];
    assert_eq!(
        (
            s["documents"].as_u64(),
            s["overdue"].as_u64(),
            s["due_soon"].as_u64(),
            s["never_reviewed"].as_u64()
        ),
        (Some(11), Some(3), Some(3), Some(1))
    );
    let problems = json["problems"].as_array().unwrap();
    let overdue = problems
        .iter()
        .find(|p| p["path"] == "content/docs/overdue-edge.md")
        .unwrap();
    assert_eq!(
        (
            overdue["line"].as_u64(),
            overdue["col"].as_u64(),
            overdue["severity"].as_str()
        ),
        (Some(4), Some(1), Some("error"))
    );
}

#[test]
fn warn_days_and_strict_change_the_verdict() {
    let site = Site::fixture("reviews");
    for f in ["overdue-edge", "leap-day", "internal-overdue", "never"] {
        std::fs::remove_file(site.path(&format!("content/docs/{f}.md"))).unwrap();
    }
    let (code, json) = check_json(&site, &[]);
    assert_eq!(code, Some(0), "{json}");
    let (code, _) = check_json(&site, &["--strict"]);
    assert_eq!(code, Some(1), "due_soon fails under --strict");
    let (_, json) = check_json(&site, &["--warn-days", "0"]);
    assert_eq!(doc(&json, "due-soon-edge")["status"], "current");
    assert_eq!(doc(&json, "due-today")["status"], "due_soon");
}

#[test]
fn timezone_decides_today_unless_pinned() {
    let site = Site::fixture("reviews");
    // 2026-11-21T23:30Z is already 2026-11-22 in Berlin.
    let out = output(
        command()
            .args([
                "check",
                "--format",
                "json",
                "--root",
                site.root().to_str().unwrap(),
            ])
            .env("SOURCE_DATE_EPOCH", "1795303800"),
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["today"], "2026-11-22");
}

#[test]
fn github_gitlab_and_junit_formats_parse() {
    let site = Site::fixture("reviews");
    let gh = site.run(&["check", "--today", "2026-11-22", "--format", "github"]);
    assert_eq!(gh.status.code(), Some(1));
    let text = stdout(&gh);
    assert!(
        text.lines()
            .any(|l| l.starts_with("::error file=content/docs/overdue-edge.md,line=4,col=1")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("::warning file=content/docs/due-today.md")),
        "{text}"
    );

    let gl = site.run(&["check", "--today", "2026-11-22", "--format", "gitlab"]);
    let issues: Value = serde_json::from_slice(&gl.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i["location"]["path"] == "content/docs/overdue-edge.md"
                && i["location"]["lines"]["begin"] == 4)
    );
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key}");
        }
    }

    let ju = site.run(&["check", "--today", "2026-11-22", "--format", "junit"]);
    let xml = stdout(&ju);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(
        cases
            .iter()
            .filter(|c| c.attribute("classname") == Some("trustsite.documents"))
            .count(),
        11
    );
    let failed = |name: &str| {
        cases
            .iter()
            .find(|c| c.attribute("name") == Some(name))
            .unwrap()
            .children()
            .any(|n| n.has_tag_name("failure"))
    };
    assert!(failed("content/docs/overdue-edge.md"));
    assert!(failed("content/docs/never.md"));
    assert!(!failed("content/docs/current.md"));
}

#[test]
fn overdue_document_fails_check_with_its_location() {
    let site = Site::fixture("canary");
    let ok = site.run(&["check", "--today", "2026-11-22"]);
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    let late = site.run(&["check", "--today", "2027-06-05"]);
    assert_eq!(late.status.code(), Some(1));
    let text = stdout(&late);
    assert!(text.contains("content/policies/public-policy.md:8:1: error: review overdue: was due 2027-06-01 (4 days ago)"), "{text}");
    assert!(
        text.contains("content/policies/restricted-doc.md:"),
        "{text}"
    );
}

#[test]
fn check_writes_nothing_and_bad_arguments_exit_2() {
    let site = Site::fixture("canary");
    let out = site.run(&["check", "--today", "2026-11-22"]);
    assert!(out.status.success());
    assert!(!site.path("public").exists());
    assert_eq!(
        site.run(&["check", "--today", "2026-13-01"]).status.code(),
        Some(2)
    );
    assert_eq!(
        site.run(&["check", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        trustsite(&["check", "--root", "/nonexistent/site"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn broken_links_are_warnings_in_build_and_errors_in_check() {
    let site = Site::fixture("canary");
    site.write("content/standards/links.md", "---\ntitle: Links\nvisibility: public\n---\n\n[gone](nothere.md) and [bad anchor](crypto.md#nope)\n");
    let build = site.build();
    assert!(build.status.success(), "{}", stderr(&build));
    assert!(
        stderr(&build).contains("content/standards/links.md:6:1: warning: broken link"),
        "{}",
        stderr(&build)
    );
    let check = site.run(&["check", "--today", "2026-11-22"]);
    assert_eq!(check.status.code(), Some(1));
    let text = stdout(&check);
    assert!(
        text.contains("content/standards/links.md:6:1: error: broken link `nothere.md`"),
        "{text}"
    );
    assert!(text.contains("error: broken anchor `#nope`"), "{text}");
}

#[test]
fn template_errors_are_caught_by_check() {
    let site = Site::fixture("canary");
    site.write(
        "trust.yaml",
        &(std::fs::read_to_string(site.path("trust.yaml")).unwrap() + "theme: mine\n"),
    );
    site.write("themes/mine/templates/page.html", "{% extends \"base.html\" %}{% block content %}{{ doc.no_such_field }}{% endblock content %}");
    let out = site.run(&["check", "--today", "2026-11-22"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("page.html"), "{}", stdout(&out));
}

#[test]
fn baseline_change_control() {
    let site = Site::fixture("canary");
    assert!(site.build().status.success());
    let baseline = site.path("baseline.json");
    std::fs::copy(site.path("public/manifest.json"), &baseline).unwrap();
    let b = baseline.to_str().unwrap();
    let clean = site.run(&["check", "--today", "2026-11-22", "--baseline", b]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let path = "content/policies/public-policy.md";
    let text = std::fs::read_to_string(site.path(path)).unwrap();
    site.write(path, &text.replace("See the", "Now see the"));
    let changed = site.run(&["check", "--today", "2026-11-22", "--baseline", b]);
    assert_eq!(changed.status.code(), Some(1));
    assert!(
        stdout(&changed).contains(
            "content/policies/public-policy.md:7:1: error: content changed without a version bump"
        ),
        "{}",
        stdout(&changed)
    );
    site.write(
        path,
        &text
            .replace("See the", "Now see the")
            .replace("version: \"1.0\"", "version: \"1.1\""),
    );
    let bumped = site.run(&["check", "--today", "2026-11-22", "--baseline", b]);
    assert_eq!(bumped.status.code(), Some(0), "{}", stdout(&bumped));
    std::fs::remove_file(site.path("content/policies/restricted-doc.md")).unwrap();
    let gone = site.run(&["check", "--today", "2026-11-22", "--baseline", b]);
    assert!(
        stdout(&gone).contains("`restricted-plan`"),
        "{}",
        stdout(&gone)
    );
    assert_eq!(
        site.run(&["check", "--baseline", "/nonexistent.json"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn tech_docs_corpus_is_checked_through_aliases() {
    let site = Site::fixture("reviews");
    site.write("trust.yaml", "title: Tech docs\ndefault_visibility: public\nfront_matter:\n  aliases:\n    last_reviewed_on: last_reviewed\n    review_in: review_cycle\n    owner_slack: owner\n");
    for f in std::fs::read_dir(site.path("content/docs")).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    site.write("content/docs/runbook.md", "---\ntitle: Runbook\nlast_reviewed_on: 2026-09-01\nreview_in: 6 months\nowner_slack: \"#team-security\"\n---\nBody\n");
    site.write("content/docs/stale.md", "---\ntitle: Stale\nlast_reviewed_on: 2025-01-01\nreview_in: 3 months\nowner_slack: \"#team-ops\"\n---\nBody\n");
    let (code, json) = check_json(&site, &[]);
    assert_eq!(code, Some(1));
    let runbook = doc(&json, "docs/runbook");
    assert_eq!(
        (
            runbook["status"].as_str(),
            runbook["next_due"].as_str(),
            runbook["owner"].as_str()
        ),
        (Some("current"), Some("2027-03-01"), Some("#team-security"))
    );
    assert_eq!(doc(&json, "docs/stale")["status"], "overdue");
    let problems = json["problems"].to_string();
    assert!(
        !problems.contains("unknown front-matter field"),
        "aliases produce no unknown-field warnings: {problems}"
    );
}

#[test]
fn config_problems_name_key_and_line_and_a_missing_config_cannot_run() {
    let site = Site::fixture("canary");
    site.write(
        "trust.yaml",
        "title: X\nbase_url: https://x.example/\nreveiw:\n  cycle: annual\n",
    );
    let out = site.run(&["check", "--today", "2026-11-22"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("trust.yaml:3:1: error: unknown field `reveiw`"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("did you mean `review`?"));
    site.write("trust.yaml", "title: X\ntimezone: Mars/Base\n");
    let out = site.run(&["build", "--today", "2026-11-22"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("trust.yaml:2:11: error: `timezone`"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(site.path("trust.yaml")).unwrap();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trust.yaml"), "{}", stderr(&out));
    assert!(!site.path("public").exists());
}
