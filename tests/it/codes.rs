//! Diagnostics as data: every problem `check` reports on a fixture with many
//! kinds of error (`tests/fixtures/broken`) has a stable code, and every
//! `--format` carries it; a broken or unreadable `trust.yaml` is reported in
//! the chosen format too.
use crate::support::*;
use serde_json::Value;

/// Codes the broken fixture must produce (a sample of every area).
const EXPECTED: &[&str] = &[
    "asset/document-copy",
    "baseline/removed",
    "baseline/unpublished",
    "baseline/unversioned-change",
    "baseline/visibility-changed",
    "certification/expired",
    "certification/no-expiry",
    "certification/report-unpublished",
    "content/duplicate-id",
    "control/unknown",
    "frontmatter/controlled-incomplete",
    "frontmatter/invalid",
    "frontmatter/invalid-cycle",
    "frontmatter/invalid-date",
    "frontmatter/missing",
    "frontmatter/missing-title",
    "frontmatter/unclosed",
    "frontmatter/unknown-field",
    "html/attribute-removed",
    "html/removed",
    "link/broken",
    "link/broken-anchor",
    "link/remote-image",
    "link/unsafe-scheme",
    "review/due-soon",
    "review/future-date",
    "review/never-reviewed",
    "review/overdue",
    "securitytxt/policy-not-public",
    "shortcode/unknown",
];

fn check(site: &Site, format: &str) -> (Option<i32>, String) {
    let baseline = site.path("baseline.json");
    let out = site.run(&[
        "check",
        "--today",
        "2026-11-22",
        "--baseline",
        baseline.to_str().unwrap(),
        "--format",
        format,
    ]);
    (out.status.code(), stdout(&out))
}

/// `(code, severity)` of every problem, from the JSON report.
fn problems(site: &Site) -> Vec<(String, String)> {
    let (code, text) = check(site, "json");
    assert_eq!(code, Some(1), "{text}");
    let json: Value = serde_json::from_str(&text).unwrap();
    json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let code = p["code"].as_str().unwrap().to_string();
            assert!(!code.is_empty(), "problem without a code: {p}");
            (code, p["severity"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn every_problem_of_a_broad_fixture_has_a_code() {
    let site = Site::fixture("broken");
    let problems = problems(&site);
    for want in EXPECTED {
        assert!(
            problems.iter().any(|(c, _)| c == want),
            "no `{want}` among {problems:?}"
        );
    }
}

#[test]
fn every_format_carries_every_code() {
    let site = Site::fixture("broken");
    let problems = problems(&site);
    let count = |text: &str, needle: &str| text.matches(needle).count();
    let (_, human) = check(&site, "human");
    let (_, github) = check(&site, "github");
    let (_, junit) = check(&site, "junit");
    let xml = roxmltree::Document::parse(&junit).unwrap();
    // One test case per code and path, named `CODE PATH`, holding its lines.
    let junit_cases: Vec<(String, String)> = xml
        .descendants()
        .filter(|n| n.attribute("classname") == Some("trustsite.problems"))
        .map(|case| {
            let texts: String = case
                .children()
                .filter(|n| n.has_tag_name("failure") || n.has_tag_name("system-out"))
                .filter_map(|n| n.text())
                .map(|t| format!("{t}\n"))
                .collect();
            (case.attribute("name").unwrap().to_string(), texts)
        })
        .collect();
    let (_, gitlab) = check(&site, "gitlab");
    let issues: Value = serde_json::from_str(&gitlab).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), problems.len());
    for (code, n) in tally(&problems) {
        assert_eq!(
            count(&human, &format!(" [{code}]\n")),
            n,
            "human {code}:\n{human}"
        );
        let title = format!(",title=trustsite {code}::");
        assert_eq!(count(&github, &title), n, "github {code}:\n{github}");
        let line = format!(" [{code}]\n");
        let named: usize = junit_cases
            .iter()
            .filter(|(name, _)| name.starts_with(&format!("{code} ")))
            .map(|(_, texts)| count(texts, &line))
            .sum();
        assert_eq!(named, n, "junit {code}:\n{junit}");
        let named = issues
            .iter()
            .filter(|i| i["check_name"] == code.as_str())
            .count();
        assert_eq!(named, n, "gitlab {code}");
    }
}

/// How many problems carry each code.
fn tally(problems: &[(String, String)]) -> std::collections::BTreeMap<String, usize> {
    let mut t = std::collections::BTreeMap::new();
    for (c, _) in problems {
        *t.entry(c.clone()).or_insert(0) += 1;
    }
    t
}

#[test]
fn gitlab_severity_comes_from_the_code() {
    let site = Site::fixture("broken");
    let (_, gitlab) = check(&site, "gitlab");
    let issues: Value = serde_json::from_str(&gitlab).unwrap();
    for i in issues.as_array().unwrap() {
        let want = match i["check_name"].as_str().unwrap() {
            "review/overdue" | "review/never-reviewed" => "critical",
            "review/due-soon" | "frontmatter/unknown-field" => "minor",
            "link/broken" | "frontmatter/invalid-date" => "major",
            _ => continue,
        };
        assert_eq!(i["severity"], want, "{i}");
    }
}

/// A CI parser reads stdout: an invalid `trust.yaml` is reported there in
/// the chosen format (exit 1), an unreadable one too (exit 2).
#[test]
fn config_errors_are_reported_in_every_format() {
    let site = Site::fixture("broken");
    site.write("trust.yaml", "title: x\ncolour: red\n");
    let missing = tempfile::tempdir().unwrap();
    for (root, exit, code) in [
        (site.root(), 1, "config/invalid"),
        (missing.path(), 2, "config/unreadable"),
    ] {
        let root = root.to_str().unwrap();
        for format in ["json", "github", "gitlab", "junit"] {
            let out = trustsite(&["check", "--root", root, "--format", format]);
            assert_eq!(out.status.code(), Some(exit), "{format}");
            let text = stdout(&out);
            assert!(text.contains(code), "{format}: {text}");
            assert!(text.contains("trust.yaml"), "{format}: {text}");
        }
        let json = trustsite(&["check", "--root", root, "--format", "json"]);
        let v: Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(v["problems"][0]["code"], code);
        assert_eq!(v["summary"]["errors"], 1);
        let human = trustsite(&["check", "--root", root]);
        assert_eq!(human.status.code(), Some(exit));
        assert!(
            stderr(&human).contains(&format!("[{code}]")),
            "{}",
            stderr(&human)
        );
    }
}
