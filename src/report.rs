//! Check reports: what `trustsite check` prints, in the format CI wants.
//!
//! The caller gathers every document's review line ([`DocReport`]) and every
//! problem (front-matter, templates, links, review dates) into a [`Report`];
//! [`render`] turns it into one of five [`Format`]s:
//!
//! - `human`: `path:line:col: severity: message` lines grouped by file, then
//!   one summary line starting with `checked`;
//! - `json`: the object fixed by the SPEC (`today`, `documents`, `problems`,
//!   `summary`);
//! - `github`: GitHub Actions workflow commands (`::error file=…::message`);
//! - `gitlab`: a GitLab Code Quality JSON array;
//! - `junit`: JUnit XML, one test case per document and per other failing file.
//!
//! Output is deterministic: problems are always sorted by path, line, column,
//! severity and message, whatever order the caller collected them in. This
//! module does no IO.

use crate::diag::{Diagnostic, Severity};
use crate::review::ReviewStatus;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashSet};
use std::fmt::{self, Write as _};

/// One document's review line (the SPEC json "documents" entry).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocReport {
    /// Stable document id.
    pub id: String,
    /// Source path relative to the site root (`content/policies/x.md`).
    pub path: String,
    /// Document title.
    pub title: String,
    /// `public`, `restricted` or `internal`.
    pub visibility: crate::frontmatter::Visibility,
    /// In audit scope (GitLab's "Visibility: Audit").
    pub audit_scope: bool,
    /// Accountable team or person.
    pub owner: Option<String>,
    /// Document version string.
    pub version: Option<String>,
    /// Last completed review, `YYYY-MM-DD`.
    #[serde(serialize_with = "crate::when::day_or_null")]
    pub last_reviewed: Option<jiff::civil::Date>,
    /// Next review due date, `YYYY-MM-DD`.
    #[serde(serialize_with = "crate::when::day_or_null")]
    pub next_due: Option<jiff::civil::Date>,
    /// `current`, `due_soon`, `overdue`, `never_reviewed` or `untracked`.
    pub status: ReviewStatus,
    /// Days from today until `next_due` (negative when overdue).
    pub days_left: Option<i64>,
}

/// Everything `check` found. `problems` already include review problems
/// (overdue/never_reviewed as errors, due_soon as warnings) produced by the
/// caller, each with path/line/col.
#[derive(Debug, Clone)]
pub struct Report {
    /// The date the review status was computed for, `YYYY-MM-DD`.
    pub today: String,
    /// Every document's review line, in the caller's order.
    pub documents: Vec<DocReport>,
    /// Every problem of the run, in any order (output sorts them).
    pub problems: Vec<Diagnostic>,
}

/// The output format of `trustsite check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:col: severity: message` lines and a summary line.
    Human,
    /// The SPEC's `check --format json` object.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
}

/// Counts shown in the summary line and the json `summary` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Documents checked.
    pub documents: usize,
    /// Documents whose status is `overdue`.
    pub overdue: usize,
    /// Documents whose status is `due_soon`.
    pub due_soon: usize,
    /// Documents whose status is `never_reviewed`.
    pub never_reviewed: usize,
    /// Problems of severity error.
    pub errors: usize,
    /// Problems of severity warning.
    pub warnings: usize,
}

impl fmt::Display for Summary {
    /// One line: `checked 3 documents: 1 overdue, 0 due soon, 1 never
    /// reviewed; 4 errors, 1 warning`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "checked {}: {} overdue, {} due soon, {} never reviewed; {}, {}",
            plural(self.documents, "document"),
            self.overdue,
            self.due_soon,
            self.never_reviewed,
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
        )
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

impl Report {
    /// Document counts by review status and problem counts by severity.
    pub fn summary(&self) -> Summary {
        let status = |s: ReviewStatus| self.documents.iter().filter(|d| d.status == s).count();
        let (errors, warnings) = crate::diag::count(&self.problems);
        Summary {
            documents: self.documents.len(),
            overdue: status(ReviewStatus::Overdue),
            due_soon: status(ReviewStatus::DueSoon),
            never_reviewed: status(ReviewStatus::NeverReviewed),
            errors,
            warnings,
        }
    }

    /// The problems in output order: path, line, column, severity, message.
    fn sorted_problems(&self) -> Vec<&Diagnostic> {
        let mut problems: Vec<&Diagnostic> = self.problems.iter().collect();
        problems.sort();
        problems
    }
}

/// Renders the report; `color` only affects Human (ANSI colors for severity;
/// caller passes true only on a TTY).
/// Every string from content (paths, titles, owners, messages) goes
/// through [`crate::diag::clean`] first, whatever the format.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    let report = &report.cleaned();
    match format {
        Format::Human => render_human(report, color),
        Format::Json => render_json(report),
        Format::Github => render_github(report),
        Format::Gitlab => render_gitlab(report),
        Format::Junit => render_junit(report),
    }
}

impl Report {
    /// A copy with control characters escaped in every string.
    fn cleaned(&self) -> Report {
        let c = |s: &str| crate::diag::clean(s).into_owned();
        let o = |s: &Option<String>| s.as_deref().map(c);
        Report {
            today: c(&self.today),
            documents: self
                .documents
                .iter()
                .map(|d| DocReport {
                    id: c(&d.id),
                    path: c(&d.path),
                    title: c(&d.title),
                    visibility: d.visibility,
                    audit_scope: d.audit_scope,
                    owner: o(&d.owner),
                    version: o(&d.version),
                    last_reviewed: d.last_reviewed,
                    next_due: d.next_due,
                    status: d.status,
                    days_left: d.days_left,
                })
                .collect(),
            problems: self.problems.iter().map(Diagnostic::cleaned).collect(),
        }
    }
}

// ---------------------------------------------------------------- human

fn render_human(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let mut last_path: Option<&str> = None;
    for problem in report.sorted_problems() {
        if last_path.is_some_and(|p| p != problem.path) {
            out.push('\n');
        }
        last_path = Some(&problem.path);
        out.push_str(&human_line(problem, color));
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", report.summary());
    out
}

/// `path:line:col: severity: message`, the severity in bold red/yellow when
/// `color` is set.
fn human_line(problem: &Diagnostic, color: bool) -> String {
    if !color {
        return problem.to_string();
    }
    let severity = problem.severity.as_str();
    let ansi = match problem.severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
    };
    format!(
        "{}: \x1b[{ansi}m{severity}\x1b[0m: {}{}",
        problem.location(),
        problem.message,
        problem.code_suffix()
    )
}

// ----------------------------------------------------------------- json

/// The SPEC's `check --format json` object, keys in SPEC order.
#[derive(Serialize)]
struct JsonReport<'a> {
    today: &'a str,
    documents: &'a [DocReport],
    problems: Vec<&'a Diagnostic>,
    summary: Summary,
}

fn render_json(report: &Report) -> String {
    to_pretty_json(&JsonReport {
        today: &report.today,
        documents: &report.documents,
        problems: report.sorted_problems(),
        summary: report.summary(),
    })
}

/// Pretty JSON with a trailing newline.
fn to_pretty_json<T: Serialize>(value: &T) -> String {
    // Only strings, integers, options, sequences and structs: serde_json
    // cannot fail on these (no maps with non-string keys, no custom impls).
    let mut out = serde_json::to_string_pretty(value)
        .expect("report values are plain strings and numbers; serializing cannot fail");
    out.push('\n');
    out
}

// --------------------------------------------------------------- github

fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for problem in report.sorted_problems() {
        let _ = writeln!(out, "{}", github_command(problem));
    }
    let _ = writeln!(out, "{}", report.summary());
    out
}

/// `::error file=PATH,line=L,col=C,title=trustsite CODE::MESSAGE` (line
/// and col left out when unknown).
fn github_command(problem: &Diagnostic) -> String {
    let mut props = format!("file={}", github_property(&problem.path));
    if problem.line > 0 {
        let _ = write!(props, ",line={}", problem.line);
        if problem.col > 0 {
            let _ = write!(props, ",col={}", problem.col);
        }
    }
    props.push_str(",title=trustsite");
    if !problem.code.is_empty() {
        let _ = write!(props, " {}", github_property(problem.code));
    }
    format!(
        "::{} {props}::{}",
        problem.severity.as_str(),
        github_data(&problem.message)
    )
}

/// Escapes a workflow command's data (the message).
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (the file path).
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

// --------------------------------------------------------------- gitlab

/// One GitLab Code Quality issue.
#[derive(Serialize)]
struct CodeQualityIssue<'a> {
    description: &'a str,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: CodeQualityLocation<'a>,
}

#[derive(Serialize)]
struct CodeQualityLocation<'a> {
    path: &'a str,
    lines: CodeQualityLines,
}

#[derive(Serialize)]
struct CodeQualityLines {
    begin: usize,
}

/// The GitLab `check_name`: the problem's code (`review/overdue`), or
/// `trustsite/problem` for one without a code.
fn check_name(problem: &Diagnostic) -> &'static str {
    if problem.code.is_empty() {
        "trustsite/problem"
    } else {
        problem.code
    }
}

/// `critical` for overdue and never-reviewed documents (the SPEC counts
/// never reviewed as overdue), `major` for other errors, `minor` for warnings.
fn gitlab_severity(problem: &Diagnostic) -> &'static str {
    match (problem.severity, problem.code) {
        (Severity::Error, "review/overdue" | "review/never-reviewed") => "critical",
        (Severity::Error, _) => "major",
        (Severity::Warning, _) => "minor",
    }
}

fn render_gitlab(report: &Report) -> String {
    let mut seen = HashSet::new();
    let issues: Vec<CodeQualityIssue> = report
        .sorted_problems()
        .into_iter()
        .map(|problem| CodeQualityIssue {
            description: &problem.message,
            check_name: check_name(problem),
            fingerprint: unique_fingerprint(problem, &mut seen),
            severity: gitlab_severity(problem),
            location: CodeQualityLocation {
                path: &problem.path,
                lines: CodeQualityLines {
                    begin: problem.line.max(1),
                },
            },
        })
        .collect();
    to_pretty_json(&issues)
}

/// The fingerprint of path + line + message; a repeat of the same problem
/// gets its occurrence number mixed in, so fingerprints stay unique (GitLab
/// requires that) and stable for a given input.
fn unique_fingerprint(problem: &Diagnostic, seen: &mut HashSet<String>) -> String {
    let mut occurrence = 0;
    loop {
        let fp = fingerprint(problem, occurrence);
        if seen.insert(fp.clone()) {
            return fp;
        }
        occurrence += 1;
    }
}

/// Lower-case hex SHA-256 of `path NUL line NUL message` (plus `NUL n` for
/// the n-th repeat).
fn fingerprint(problem: &Diagnostic, occurrence: usize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(problem.path.as_bytes());
    hasher.update([0]);
    hasher.update(problem.line.to_string().as_bytes());
    hasher.update([0]);
    hasher.update(problem.message.as_bytes());
    if occurrence > 0 {
        hasher.update([0]);
        hasher.update(occurrence.to_string().as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

// ---------------------------------------------------------------- junit

/// One `<testcase>`: a document, or one code at one path.
struct TestCase {
    classname: &'static str,
    name: String,
    errors: Vec<String>,
    warnings: Vec<String>,
    /// Codes of the errors, sorted and deduplicated (the failure's `type`).
    codes: BTreeSet<&'static str>,
}

impl TestCase {
    fn new(classname: &'static str, name: String, problems: &[&Diagnostic]) -> Self {
        let lines = |severity: Severity| {
            problems
                .iter()
                .filter(|p| p.severity == severity)
                .map(|p| p.to_string())
                .collect()
        };
        let codes = problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| check_name(p))
            .collect();
        TestCase {
            classname,
            name,
            errors: lines(Severity::Error),
            warnings: lines(Severity::Warning),
            codes,
        }
    }

    fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Test cases: every document (`trustsite.documents`, named by its path;
/// it fails on any error there), then one per code and path with problems
/// (`trustsite.problems`, named `CODE PATH`, e.g. `review/overdue
/// content/policies/x.md`; it fails when one is an error), so the code is
/// in the test name and config and site files have their cases too.
fn test_cases(report: &Report, problems: &[&Diagnostic]) -> Vec<TestCase> {
    let mut cases: Vec<TestCase> = report
        .documents
        .iter()
        .map(|doc| {
            let at: Vec<&Diagnostic> = problems
                .iter()
                .copied()
                .filter(|p| p.path == doc.path)
                .collect();
            TestCase::new("trustsite.documents", doc.path.clone(), &at)
        })
        .collect();
    let mut by_code: std::collections::BTreeMap<(&str, &str), Vec<&Diagnostic>> =
        std::collections::BTreeMap::new();
    for p in problems {
        by_code.entry((check_name(p), &p.path)).or_default().push(p);
    }
    cases.extend(by_code.into_iter().map(|((code, path), ps)| {
        TestCase::new("trustsite.problems", format!("{code} {path}"), &ps)
    }));
    cases
}

fn render_junit(report: &Report) -> String {
    let problems = report.sorted_problems();
    let cases = test_cases(report, &problems);
    let tests = cases.len();
    let failures = cases.iter().filter(|c| c.failed()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"trustsite check\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"trustsite check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    for case in &cases {
        write_test_case(&mut out, case);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn write_test_case(out: &mut String, case: &TestCase) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        case.classname,
        xml_attr(&case.name)
    );
    if case.errors.is_empty() && case.warnings.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if case.failed() {
        let text = case.errors.join("\n");
        let codes: Vec<&str> = case.codes.iter().copied().collect();
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            xml_attr(&text),
            xml_attr(&codes.join(" ")),
            xml_text(&text)
        );
    }
    if !case.warnings.is_empty() {
        let text = case.warnings.join("\n");
        let _ = writeln!(out, "      <system-out>{}</system-out>", xml_text(&text));
    }
    out.push_str("    </testcase>\n");
}

use crate::xml::{attr as xml_attr, text as xml_text};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const OVERDUE: &str = "review overdue: was due 2026-11-12 (10 days ago)";
    const NEVER: &str = "never reviewed: controlled document has no last_reviewed or next_review";
    const YAML_MSG: &str = "unknown key: `colour`, at top level\nsee 100% of the docs";
    /// [`YAML_MSG`] as every format shows it: the newline escaped.
    const YAML_SHOWN: &str = "unknown key: `colour`, at top level\\nsee 100% of the docs";

    fn doc(
        path: &str,
        status: ReviewStatus,
        next_due: Option<&str>,
        days_left: Option<i64>,
    ) -> DocReport {
        DocReport {
            audit_scope: false,
            id: path
                .trim_start_matches("content/")
                .trim_end_matches(".md")
                .replace('/', "-"),
            path: path.into(),
            title: format!("Title of {path}"),
            visibility: crate::frontmatter::Visibility::Public,
            owner: next_due.map(|_| "Security".into()),
            version: next_due.map(|_| "1.0".into()),
            last_reviewed: next_due.map(|_| jiff::civil::date(2025, 11, 12)),
            next_due: next_due.map(|d| d.parse().unwrap()),
            status,
            days_left,
        }
    }

    /// Three documents (current, overdue, never reviewed); problems in no
    /// particular order, incl. a trust.yaml error and a line-0 warning.
    fn fixture() -> Report {
        Report {
            today: "2026-11-22".into(),
            documents: vec![
                doc(
                    "content/policies/access.md",
                    ReviewStatus::Current,
                    Some("2027-06-01"),
                    Some(191),
                ),
                doc(
                    "content/policies/backup.md",
                    ReviewStatus::Overdue,
                    Some("2026-11-12"),
                    Some(-10),
                ),
                doc(
                    "content/policies/incident.md",
                    ReviewStatus::NeverReviewed,
                    None,
                    None,
                ),
            ],
            problems: vec![
                Diagnostic::error("trust.yaml", 4, 1, YAML_MSG).code("config/invalid"),
                Diagnostic::error("content/policies/backup.md", 12, 5, "broken link `x.md`")
                    .code("link/broken"),
                Diagnostic::warning("content/policies/access.md", 0, 0, "unknown field `tgas`"),
                Diagnostic::error("content/policies/incident.md", 1, 1, NEVER)
                    .code("review/never-reviewed"),
                Diagnostic::error("content/policies/backup.md", 5, 1, OVERDUE)
                    .code("review/overdue"),
            ],
        }
    }

    /// Content cannot forge a CI annotation or reach a terminal raw, in
    /// any format, even through fields changed after construction.
    #[test]
    fn every_format_escapes_control_characters() {
        let mut report = fixture();
        let mut forged = Diagnostic::error("content/x.md", 2, 1, "m");
        forged.path = "content/a\n::error file=ci.yml::pwned\u{1b}]8;;x\u{7}.md".into();
        forged.message = "bad\r\n::error::forged\u{9b}2J\u{2028}::notice::x".into();
        report.problems.push(forged);
        report.documents[0].title = "T\n::error::title\u{1b}[31m".into();
        report.documents[0].path = "content/\u{85}::error::p.md".into();
        for format in [
            Format::Human,
            Format::Json,
            Format::Github,
            Format::Gitlab,
            Format::Junit,
        ] {
            let out = render(&report, format, false);
            assert!(
                !out.chars()
                    .any(|c| (c.is_control() && c != '\n') || c == '\u{2028}'),
                "{format:?}: {out:?}"
            );
            for line in out.lines() {
                let l = line.trim_start();
                assert!(
                    !(l.starts_with("::error::") || l.starts_with("::notice::")),
                    "{format:?} forged an annotation: {line}"
                );
                if format == Format::Github {
                    assert!(
                        l.starts_with("::error file=")
                            || l.starts_with("::warning file=")
                            || l.starts_with("checked "),
                        "{line}"
                    );
                }
            }
        }
    }

    fn shuffled(mut report: Report) -> Report {
        report.problems.reverse();
        report.problems.rotate_left(2);
        report
    }

    #[test]
    fn summary_counts_statuses_and_severities() {
        let s = fixture().summary();
        let expected = Summary {
            documents: 3,
            overdue: 1,
            due_soon: 0,
            never_reviewed: 1,
            errors: 4,
            warnings: 1,
        };
        assert_eq!(s, expected);
        assert_eq!(
            s.to_string(),
            "checked 3 documents: 1 overdue, 0 due soon, 1 never reviewed; 4 errors, 1 warning"
        );
    }

    #[test]
    fn every_format_is_deterministic_and_order_independent() {
        for format in [
            Format::Human,
            Format::Json,
            Format::Github,
            Format::Gitlab,
            Format::Junit,
        ] {
            let a = render(&fixture(), format, false);
            assert_eq!(a, render(&fixture(), format, false), "{format:?}");
            assert_eq!(a, render(&shuffled(fixture()), format, false), "{format:?}");
            assert!(a.ends_with('\n'), "{format:?}");
        }
    }

    #[test]
    fn human_groups_by_file_and_ends_with_summary() {
        let out = render(&fixture(), Format::Human, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "content/policies/access.md: warning: unknown field `tgas`"
        );
        assert_eq!(lines[1], "");
        assert_eq!(
            lines[2],
            format!("content/policies/backup.md:5:1: error: {OVERDUE} [review/overdue]")
        );
        assert_eq!(
            lines[3],
            "content/policies/backup.md:12:5: error: broken link `x.md` [link/broken]"
        );
        assert_eq!(lines[4], "");
        assert_eq!(
            lines[5],
            format!("content/policies/incident.md:1:1: error: {NEVER} [review/never-reviewed]")
        );
        assert_eq!(
            lines[7],
            format!("trust.yaml:4:1: error: {YAML_SHOWN} [config/invalid]")
        );
        assert_eq!(lines[8], "");
        assert!(lines[9].starts_with("checked 3 documents: 1 overdue"));
        assert_eq!(lines.len(), 10);
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn human_colors_only_the_severity() {
        let out = render(&fixture(), Format::Human, true);
        let first = out.lines().next().unwrap();
        assert_eq!(
            first,
            "content/policies/access.md: \x1b[1;33mwarning\x1b[0m: unknown field `tgas`"
        );
        assert!(out.contains("backup.md:5:1: \x1b[1;31merror\x1b[0m: review overdue"));
        // Other formats ignore `color`.
        assert_eq!(
            render(&fixture(), Format::Github, true),
            render(&fixture(), Format::Github, false)
        );
    }

    #[test]
    fn human_without_problems_is_just_the_summary() {
        let mut report = fixture();
        report.problems.clear();
        report.documents.truncate(1);
        let out = render(&report, Format::Human, true);
        assert_eq!(
            out,
            "checked 1 document: 0 overdue, 0 due soon, 0 never reviewed; 0 errors, 0 warnings\n"
        );
    }

    fn json_fixture() -> Value {
        let out = render(&fixture(), Format::Json, false);
        assert!(out.ends_with("}\n"));
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn json_has_the_spec_keys_and_summary() {
        let v = json_fixture();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4);
        for key in ["today", "documents", "problems", "summary"] {
            assert!(keys.contains(&key), "{key}");
        }
        assert_eq!(v["today"], "2026-11-22");
        let summary = &v["summary"];
        assert_eq!(summary.as_object().unwrap().len(), 6);
        assert_eq!(summary["documents"], 3);
        assert_eq!(summary["overdue"], 1);
        assert_eq!(summary["due_soon"], 0);
        assert_eq!(summary["never_reviewed"], 1);
        assert_eq!(summary["errors"], 4);
        assert_eq!(summary["warnings"], 1);
    }

    #[test]
    fn json_documents_carry_nulls_for_absent_fields() {
        let v = json_fixture();
        let docs = v["documents"].as_array().unwrap();
        assert_eq!(docs.len(), 3);
        let doc_keys = [
            "id",
            "path",
            "title",
            "visibility",
            "audit_scope",
            "owner",
            "version",
            "last_reviewed",
            "next_due",
            "status",
            "days_left",
        ];
        for key in doc_keys {
            assert!(docs[2].get(key).is_some(), "document key {key}");
        }
        assert_eq!(docs[2].as_object().unwrap().len(), doc_keys.len());
        assert_eq!(docs[1]["days_left"], -10);
        assert_eq!(docs[2]["status"], "never_reviewed");
        assert!(docs[2]["next_due"].is_null() && docs[2]["owner"].is_null());
        assert!(docs[2]["days_left"].is_null());
    }

    #[test]
    fn json_problems_are_sorted_with_severity_names() {
        let v = json_fixture();
        let problems = v["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 5);
        assert_eq!(problems[0]["severity"], "warning");
        assert_eq!(problems[0]["line"], 0);
        assert_eq!(problems[1]["severity"], "error");
        assert_eq!(problems[1]["message"], OVERDUE);
        assert_eq!(problems[4]["path"], "trust.yaml");
        assert_eq!(problems[4]["message"], YAML_SHOWN);
        let keys: Vec<&str> = problems[4]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 6);
        for key in ["path", "line", "col", "severity", "code", "message"] {
            assert!(keys.contains(&key), "{key}");
        }
    }

    #[test]
    fn github_emits_escaped_workflow_commands() {
        let out = render(&fixture(), Format::Github, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(
            lines[0],
            "::warning file=content/policies/access.md,title=trustsite::unknown field `tgas`"
        );
        assert_eq!(
            lines[1],
            format!(
                "::error file=content/policies/backup.md,line=5,col=1,title=trustsite review/overdue::{OVERDUE}"
            )
        );
        assert_eq!(
            lines[4],
            "::error file=trust.yaml,line=4,col=1,title=trustsite config/invalid::\
             unknown key: `colour`, at top level\\nsee 100%25 of the docs"
        );
        assert!(lines[5].starts_with("checked 3 documents"));
    }

    #[test]
    fn github_escapes_property_values() {
        assert_eq!(github_property("a:b,c%d\r\ne"), "a%3Ab%2Cc%25d%0D%0Ae");
        assert_eq!(github_data("a:b,c%d\r\ne"), "a:b,c%25d%0D%0Ae");
        let d = Diagnostic::error("content/a,b:c.md", 2, 0, "x");
        assert_eq!(
            github_command(&d),
            "::error file=content/a%2Cb%3Ac.md,line=2,title=trustsite::x"
        );
    }

    #[test]
    fn gitlab_is_a_code_quality_array() {
        let out = render(&fixture(), Format::Gitlab, false);
        let v: Value = serde_json::from_str(&out).unwrap();
        let issues = v.as_array().unwrap();
        assert_eq!(issues.len(), 5);
        let field = |i: usize, key: &str| issues[i][key].as_str().unwrap().to_string();
        assert_eq!(field(0, "severity"), "minor");
        assert_eq!(field(0, "check_name"), "trustsite/problem");
        assert_eq!(issues[0]["location"]["lines"]["begin"], 1);
        assert_eq!(issues[0]["location"]["path"], "content/policies/access.md");
        assert_eq!(field(1, "severity"), "critical");
        assert_eq!(field(1, "check_name"), "review/overdue");
        assert_eq!(field(1, "description"), OVERDUE);
        assert_eq!(issues[1]["location"]["lines"]["begin"], 5);
        assert_eq!(field(2, "severity"), "major");
        assert_eq!(field(3, "check_name"), "review/never-reviewed");
        assert_eq!(field(2, "check_name"), "link/broken");
        assert_eq!(field(3, "severity"), "critical");
        assert_eq!(field(4, "severity"), "major");
        assert_eq!(field(4, "description"), YAML_SHOWN);
        let fps: Vec<String> = (0..5).map(|i| field(i, "fingerprint")).collect();
        let unique: HashSet<&String> = fps.iter().collect();
        assert_eq!(unique.len(), 5);
        assert!(
            fps.iter()
                .all(|f| f.len() == 64 && f.bytes().all(|b| b.is_ascii_hexdigit()))
        );
        assert!(fps.iter().all(|f| f == &f.to_ascii_lowercase()));
        // Stable: the same problem always hashes the same, column ignored.
        let d = Diagnostic::error("content/policies/backup.md", 5, 9, OVERDUE);
        assert_eq!(fingerprint(&d, 0), fps[1]);
    }

    #[test]
    fn gitlab_fingerprints_stay_unique_for_repeats_and_classify_due_soon() {
        let mut report = fixture();
        report.problems = vec![
            Diagnostic::warning(
                "content/a.md",
                3,
                1,
                "review due soon: due 2026-12-01 (in 9 days)",
            )
            .code("review/due-soon"),
            Diagnostic::warning(
                "content/a.md",
                3,
                1,
                "review due soon: due 2026-12-01 (in 9 days)",
            )
            .code("review/due-soon"),
        ];
        let v: Value = serde_json::from_str(&render(&report, Format::Gitlab, false)).unwrap();
        assert_ne!(v[0]["fingerprint"], v[1]["fingerprint"]);
        assert_eq!(v[0]["check_name"], "review/due-soon");
        assert_eq!(v[0]["severity"], "minor");
        report.problems.clear();
        assert_eq!(render(&report, Format::Gitlab, false), "[]\n");
    }

    /// Severity and check name follow the code, whatever the message says.
    #[test]
    fn gitlab_severity_keys_on_the_code_not_the_wording() {
        let mut report = fixture();
        report.problems = vec![
            Diagnostic::error("content/a.md", 3, 1, "review overdue (wording)").code("link/broken"),
            Diagnostic::error("content/b.md", 3, 1, "reworded: late").code("review/overdue"),
        ];
        let v: Value = serde_json::from_str(&render(&report, Format::Gitlab, false)).unwrap();
        assert_eq!(v[0]["check_name"], "link/broken");
        assert_eq!(v[0]["severity"], "major");
        assert_eq!(v[1]["check_name"], "review/overdue");
        assert_eq!(v[1]["severity"], "critical");
    }

    fn case<'a, 'i>(doc: &'a roxmltree::Document<'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        doc.descendants()
            .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(name))
            .unwrap_or_else(|| panic!("no testcase {name}"))
    }

    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
        node.children().find(|n| n.has_tag_name(tag))
    }

    #[test]
    fn junit_counts_cases_and_failures() {
        let out = render(&fixture(), Format::Junit, false);
        let xml = roxmltree::Document::parse(&out).unwrap();
        let root = xml.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("name"), Some("trustsite check"));
        // 3 documents (2 failing) + 5 code-and-path cases (4 failing).
        assert_eq!(root.attribute("tests"), Some("8"));
        assert_eq!(root.attribute("failures"), Some("6"));
        let suite = child(root, "testsuite").unwrap();
        assert_eq!(suite.attribute("tests"), Some("8"));
        assert_eq!(suite.attribute("failures"), Some("6"));
        assert_eq!(suite.attribute("errors"), Some("0"));
        assert_eq!(
            suite
                .children()
                .filter(|n| n.has_tag_name("testcase"))
                .count(),
            8
        );
    }

    #[test]
    fn junit_fails_documents_and_site_files_with_errors() {
        let out = render(&fixture(), Format::Junit, false);
        let xml = roxmltree::Document::parse(&out).unwrap();
        let current = case(&xml, "content/policies/access.md");
        assert_eq!(current.attribute("classname"), Some("trustsite.documents"));
        assert!(child(current, "failure").is_none());
        let out_text = child(current, "system-out").unwrap().text().unwrap();
        assert!(out_text.contains("warning: unknown field `tgas`"));

        let overdue = case(&xml, "content/policies/backup.md");
        let failure = child(overdue, "failure").unwrap();
        assert_eq!(
            failure.attribute("type"),
            Some("link/broken review/overdue")
        );
        let expected = format!(
            "content/policies/backup.md:5:1: error: {OVERDUE} [review/overdue]\n\
             content/policies/backup.md:12:5: error: broken link `x.md` [link/broken]"
        );
        assert_eq!(failure.attribute("message"), Some(expected.as_str()));
        assert_eq!(failure.text(), Some(expected.as_str()));
        assert!(child(case(&xml, "content/policies/incident.md"), "failure").is_some());

        // Test names carry the code: one case per code and path.
        let overdue = case(&xml, "review/overdue content/policies/backup.md");
        assert_eq!(overdue.attribute("classname"), Some("trustsite.problems"));
        let failure = child(overdue, "failure").unwrap();
        assert_eq!(failure.attribute("type"), Some("review/overdue"));
        let want = format!("content/policies/backup.md:5:1: error: {OVERDUE} [review/overdue]");
        assert_eq!(failure.text(), Some(want.as_str()));
        let uncoded = case(&xml, "trustsite/problem content/policies/access.md");
        assert!(child(uncoded, "failure").is_none());

        let site = case(&xml, "config/invalid trust.yaml");
        assert_eq!(site.attribute("classname"), Some("trustsite.problems"));
        let message = child(site, "failure")
            .unwrap()
            .attribute("message")
            .unwrap();
        assert_eq!(
            message,
            format!("trust.yaml:4:1: error: {YAML_SHOWN} [config/invalid]")
        );
    }

    #[test]
    fn junit_escapes_markup_and_strips_illegal_characters() {
        let mut report = fixture();
        report.documents[0].path = "content/a&b<\"c\">.md".into();
        report.problems = vec![
            Diagnostic::error(
                "content/a&b<\"c\">.md",
                1,
                1,
                "bad \u{1}<x> & 'y'\u{FFFF}\r\tz",
            ),
            Diagnostic::warning("templates/page.html", 0, 0, "warn ]]> here"),
        ];
        let out = render(&report, Format::Junit, false);
        let xml = roxmltree::Document::parse(&out).unwrap();
        let doc = case(&xml, "content/a&b<\"c\">.md");
        let failure = child(doc, "failure").unwrap();
        let want = "content/a&b<\"c\">.md:1:1: error: bad \\u{1}<x> & 'y'\\r\\tz";
        assert_eq!(failure.attribute("message"), Some(want));
        assert_eq!(failure.text(), Some(want));
        // A site file with only warnings is a passing test case that shows them.
        assert_eq!(xml.root_element().attribute("tests"), Some("5"));
        assert_eq!(xml.root_element().attribute("failures"), Some("2"));
        let site = case(&xml, "trustsite/problem templates/page.html");
        assert!(child(site, "failure").is_none());
        assert!(
            child(site, "system-out")
                .unwrap()
                .text()
                .unwrap()
                .contains("]]> here")
        );
    }
}
