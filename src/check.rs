//! `check`: everything a build validates, plus reviews, as one [`Report`].
//!
//! Runs the full render into a sink that keeps nothing (templates, links and
//! anchors are all exercised), then adds what only the CI gate reports:
//! review statuses of every document (internal ones included), broken links
//! as errors, expired certifications, unknown control ids, the security.txt
//! lint, and change control against a baseline manifest. Writes nothing.

use crate::config::CertStatus;
use crate::content::Document;
use crate::diag::{Diagnostic, Severity};
use crate::highlight::Highlighter;
use crate::manifest::Manifest;
use crate::output::Sink;
use crate::report::{DocReport, Report};
use crate::review::{Review, ReviewStatus};
use crate::site::{self, BuildOptions, Loaded};
use std::sync::Mutex;

/// Keeps only security.txt (to lint it); discards every other file, but
/// refuses the paths and clashes the build's folder would refuse.
#[derive(Default)]
struct SecurityTxtSink(Mutex<Option<String>>, crate::output::NullSink);

impl Sink for SecurityTxtSink {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.1.put(path, bytes)?;
        if path == ".well-known/security.txt" {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(String::from_utf8_lossy(bytes).into_owned());
        }
        Ok(())
    }
}

/// Runs every check and returns the report.
pub fn run(loaded: &Loaded, opts: &BuildOptions, baseline: Option<&Manifest>) -> Report {
    let sink = SecurityTxtSink::default();
    // Validation needs neither highlighted code nor a search index: the
    // render exercises every template, link and anchor all the same.
    let opts = &BuildOptions {
        search: false,
        evidence: crate::site::Evidence {
            validate_only: true,
            ..opts.evidence.clone()
        },
        ..opts.clone()
    };
    let outcome = site::render(loaded, opts, &Highlighter::plain(), &sink);
    let mut problems: Vec<Diagnostic> = outcome.diags.into_iter().map(promote_links).collect();
    let docs = &loaded.content.documents;
    for (d, r) in docs.iter().zip(&outcome.reviews) {
        problems.extend(review_problem(d, r));
    }
    certifications(loaded, opts, &mut problems);
    controls(loaded, &mut problems);
    if let Some(text) = sink.0.into_inner().unwrap_or_else(|e| e.into_inner()) {
        security_txt(loaded, &outcome.reviews, &text, opts, &mut problems);
    }
    if let Some(m) = baseline {
        change_control(loaded, &opts.audience(&loaded.config), m, &mut problems);
    }
    crate::diag::sort(&mut problems);
    problems.dedup();
    let documents = docs
        .iter()
        .zip(&outcome.reviews)
        .map(|(d, r)| doc_report(d, r))
        .collect();
    Report {
        today: opts.today.to_string(),
        documents,
        problems,
    }
}

/// Codes of the problems that are warnings in `build` (an editor's slip
/// must not block publishing) and errors in `check` (the CI gate).
pub const ERRORS_IN_CHECK: &[&str] = &[
    "link/broken",
    "link/broken-anchor",
    "link/outside",
    "link/ref-ambiguous",
    "asset/document-copy",
    "frontmatter/controlled-incomplete",
];

/// Applies `check`'s severity policy: see [`ERRORS_IN_CHECK`].
fn promote_links(mut d: Diagnostic) -> Diagnostic {
    if ERRORS_IN_CHECK.contains(&d.code) {
        d.severity = Severity::Error;
    }
    d
}

fn line_of(d: &Document, fields: &[&str]) -> usize {
    fields
        .iter()
        .find_map(|f| d.fm.lines.get(f).copied())
        .unwrap_or(1)
}

fn review_problem(d: &Document, r: &Review) -> Option<Diagnostic> {
    let due = r.next_due.map(|d| d.to_string()).unwrap_or_default();
    let days = r.days_left.unwrap_or(0);
    let at = line_of(
        d,
        &[
            "next_review",
            "last_reviewed",
            "controlled_document",
            "title",
        ],
    );
    match r.status {
        ReviewStatus::Overdue => Some(
            Diagnostic::error(
                &d.source,
                at,
                1,
                format!("review overdue: was due {due} ({} days ago)", -days),
            )
            .code("review/overdue"),
        ),
        ReviewStatus::NeverReviewed => Some(
            Diagnostic::error(
                &d.source,
                at,
                1,
                "never reviewed: controlled document has no last_reviewed or next_review",
            )
            .code("review/never-reviewed"),
        ),
        ReviewStatus::DueSoon => Some(
            Diagnostic::warning(
                &d.source,
                at,
                1,
                format!("review due soon: due {due} (in {days} days)"),
            )
            .code("review/due-soon"),
        ),
        _ => None,
    }
}

fn doc_report(d: &Document, r: &Review) -> DocReport {
    DocReport {
        id: d.id.clone(),
        path: d.source.clone(),
        title: d.title.clone(),
        visibility: d.visibility,
        audit_scope: d.fm.audit_scope,
        owner: d.fm.owner.clone(),
        version: d.fm.version.clone(),
        last_reviewed: d.fm.last_reviewed,
        next_due: r.next_due,
        status: r.status,
        days_left: r.days_left,
    }
}

fn certifications(loaded: &Loaded, opts: &BuildOptions, problems: &mut Vec<Diagnostic>) {
    let audience = opts.audience(&loaded.config);
    for c in &loaded.config.certifications {
        if c.status != CertStatus::Certified {
            continue;
        }
        match c.expires {
            Some(e) if e < opts.today => problems.push(
                Diagnostic::error(
                    "trust.yaml",
                    c.line,
                    1,
                    format!(
                        "certification `{}` expired on {e}: renew it or change its status",
                        c.name
                    ),
                )
                .code("certification/expired"),
            ),
            None => problems.push(
                Diagnostic::warning(
                    "trust.yaml",
                    c.line,
                    1,
                    format!(
                        "certification `{}` is certified but has no `expires` date",
                        c.name
                    ),
                )
                .code("certification/no-expiry"),
            ),
            _ => {}
        }
        if let Some(id) = &c.report
            && !loaded
                .content
                .documents
                .iter()
                .any(|d| &d.id == id && audience.document(d).is_published())
        {
            problems.push(
                Diagnostic::warning(
                    "trust.yaml",
                    c.line,
                    1,
                    format!(
                        "certification `{}`: report `{id}` is not a published document",
                        c.name
                    ),
                )
                .code("certification/report-unpublished"),
            );
        }
    }
}

fn controls(loaded: &Loaded, problems: &mut Vec<Diagnostic>) {
    for d in &loaded.content.documents {
        let line = line_of(d, &["frameworks"]);
        for (name, ids) in &d.fm.frameworks {
            let Some(fw) = loaded
                .config
                .frameworks
                .get(name)
                .filter(|f| f.has_catalogue)
            else {
                continue;
            };
            for id in ids.iter().filter(|id| !fw.controls.contains_key(*id)) {
                problems.push(
                    Diagnostic::warning(
                        &d.source,
                        line,
                        1,
                        format!("control `{id}` is not in the `{name}` catalogue"),
                    )
                    .code("control/unknown"),
                );
            }
        }
    }
}

fn security_txt(
    loaded: &Loaded,
    reviews: &[Review],
    text: &str,
    opts: &BuildOptions,
    problems: &mut Vec<Diagnostic>,
) {
    for f in crate::securitytxt::lint(text, opts.build_time) {
        let path = ".well-known/security.txt";
        problems.push(match f.severity {
            Severity::Warning => Diagnostic::warning(path, f.line, 1, f.message).code(f.code),
            Severity::Error => Diagnostic::error(path, f.line, 1, f.message).code(f.code),
        });
    }
    let Some(policy) = &loaded.config.security_txt.policy else {
        return;
    };
    let docs = &loaded.content.documents;
    let Some(i) = docs.iter().position(|d| &d.id == policy) else {
        return;
    };
    let expires =
        crate::securitytxt::expires_at(opts.build_time, loaded.config.security_txt.expires_days);
    let expires_date = expires.to_zoned(jiff::tz::TimeZone::UTC).date();
    if let Some(due) = reviews[i].next_due.filter(|due| expires_date > *due) {
        problems.push(Diagnostic::warning(
            "trust.yaml",
            0,
            0,
            format!("security.txt Expires ({expires_date}) is after the next review of its policy `{policy}` (due {due}): lower security_txt.expires_days or review the policy"),
        ).code("securitytxt/outlives-policy"));
    }
}

fn change_control(
    loaded: &Loaded,
    audience: &crate::publish::Audience,
    base: &Manifest,
    problems: &mut Vec<Diagnostic>,
) {
    let docs = &loaded.content.documents;
    for old in &base.documents {
        let Some(d) = docs.iter().find(|d| d.id == old.id) else {
            problems.push(Diagnostic::warning(
                "content",
                0,
                0,
                format!(
                    "document `{}` ({}) was published in the baseline release and no longer exists",
                    old.id, old.title
                ),
            ).code("baseline/removed"));
            continue;
        };
        let line = line_of(d, &["version", "title"]);
        if !audience.document(d).is_published() {
            problems.push(Diagnostic::warning(&d.source, line, 1, format!("document `{}` was published ({}) in the baseline release and is no longer published", d.id, old.visibility)).code("baseline/unpublished"));
            continue;
        }
        if d.visibility != old.visibility {
            problems.push(
                Diagnostic::warning(
                    &d.source,
                    line,
                    1,
                    format!(
                        "visibility changed from {} to {} since the baseline release",
                        old.visibility, d.visibility
                    ),
                )
                .code("baseline/visibility-changed"),
            );
        }
        if d.sha256 != old.source_sha256 && d.fm.version == old.version {
            let v = old.version.as_deref().unwrap_or("(none)");
            problems.push(Diagnostic::error(&d.source, line, 1, format!("content changed without a version bump: the source hash differs from the baseline release but `version` is still {v}")).code("baseline/unversioned-change"));
        }
    }
}
