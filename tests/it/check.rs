//! `trustsite check`: exit codes and located review problems.
use crate::support::*;

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
fn check_writes_nothing() {
    let site = Site::fixture("canary");
    let out = site.run(&["check", "--today", "2026-11-22"]);
    assert!(out.status.success());
    assert!(!site.path("public").exists());
}
