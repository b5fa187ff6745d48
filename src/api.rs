//! `api/pages.json`: the public pages in the format of alphagov's tech-docs.
//!
//! GOV.UK's tech-docs gem publishes `api/pages.json`, an array of
//! `{"title", "url", "review_by", "owner_slack"}` objects, and review
//! notifiers such as tech-docs-monitor ("Daniel the Manual Spaniel") read it
//! to remind owners on Slack about pages due for review. [`pages_json`]
//! produces the same shape for a trust center's public documents, so those
//! tools work unchanged. Pure: no IO, no clock.

use crate::frontmatter::Visibility;
use crate::view::DocView;
use serde::Serialize;

/// One entry of `api/pages.json`, fields in tech-docs order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiPage<'a> {
    /// Page title.
    pub title: &'a str,
    /// Absolute URL of the page (tech-docs prefixes its host too).
    pub url: &'a str,
    /// Next review date `YYYY-MM-DD`, or null when the page has none.
    #[serde(serialize_with = "crate::when::day_or_null")]
    pub review_by: Option<jiff::civil::Date>,
    /// Slack channel or user to notify (`#team`, `@person`), or null.
    pub owner_slack: Option<&'a str>,
}

/// The `api/pages.json` text (pretty-printed, ending in a newline) for the
/// published documents among `docs`, in the order given.
///
/// - `url` is the document's permalink (base_url + path).
/// - `review_by` is the review engine's `next_due`, or null.
/// - `owner_slack` comes from front-matter `extra.owner_slack` when it is a
///   string. `front_matter.aliases` can only map foreign fields onto
///   trustsite fields, so a corpus carrying a top-level `owner_slack` either
///   moves it under `extra:` or aliases it to `owner`; in the latter case an
///   `owner` that looks like a Slack handle (starts with `#` or `@`) is used.
///   Otherwise null, and notifiers fall back to their default channel.
///
/// - a page without an owner channel gets `default_owner` (tech-docs'
///   `default_owner_slack`), so notices reach someone.
///
/// Public and restricted documents are listed (a restricted document's stub
/// page shows its due date, and its owner must be reminded too); internal
/// ones never are.
pub fn pages_json(docs: &[&DocView], default_owner: Option<&str>) -> String {
    let pages: Vec<ApiPage> = docs
        .iter()
        .filter(|d| matches!(d.visibility, Visibility::Public | Visibility::Restricted))
        .map(|d| {
            let mut page = api_page(d);
            page.owner_slack = page.owner_slack.or(default_owner);
            page
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&pages).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

/// One document's entry.
fn api_page(d: &DocView) -> ApiPage<'_> {
    ApiPage {
        title: &d.title,
        url: &d.permalink,
        review_by: d.next_due,
        owner_slack: owner_slack(d),
    }
}

/// `extra.owner_slack` if a non-empty string, else a Slack-like `owner`.
fn owner_slack(d: &DocView) -> Option<&str> {
    let extra = d
        .extra
        .get("owner_slack")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    extra.or_else(|| Some(d.owner.trim()).filter(|o| o.starts_with('#') || o.starts_with('@')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn doc(id: &str, visibility: &str, next_due: &str, extra: Value) -> DocView {
        DocView {
            id: id.into(),
            title: format!("Title of {id}"),
            url: format!("/policies/{id}/"),
            permalink: format!("https://trust.example.com/policies/{id}/"),
            visibility: match visibility {
                "public" => Visibility::Public,
                "restricted" => Visibility::Restricted,
                _ => Visibility::Internal,
            },
            restricted: visibility == "restricted",
            pdf_url: String::new(),
            draft: false,
            category: "Policies".into(),
            category_url: "/policies/".into(),
            tags: Vec::new(),
            summary: String::new(),
            owner: "Security Engineering".into(),
            version: "1.0".into(),
            effective: None,
            last_reviewed: None,
            next_due: next_due.parse().ok(),
            status: crate::review::ReviewStatus::Current,
            status_label: "Current".into(),
            days_left: None,
            review_cycle: "annual".into(),
            approved_by: String::new(),
            audit_scope: false,
            controlled: true,
            source_sha256: String::new(),
            source_path: format!("content/policies/{id}.md"),
            request_access: String::new(),
            revisions: Vec::new(),
            versions: Vec::new(),
            from_git: Default::default(),
            frameworks: Vec::new(),
            weight: 0,
            extra,
        }
    }

    fn parse(docs: &[&DocView]) -> Value {
        serde_json::from_str(&pages_json(docs, None)).unwrap()
    }

    #[test]
    fn tech_docs_shape_for_public_pages_only() {
        let a = doc(
            "access",
            "public",
            "2027-10-01",
            json!({"owner_slack": "#security"}),
        );
        let b = doc("bcp", "restricted", "2027-08-24", Value::Null);
        let c = doc("aup", "internal", "2027-08-05", Value::Null);
        assert_eq!(
            parse(&[&a, &b, &c]),
            json!([{
                "title": "Title of access",
                "url": "https://trust.example.com/policies/access/",
                "review_by": "2027-10-01",
                "owner_slack": "#security"
            }, {
                "title": "Title of bcp",
                "url": "https://trust.example.com/policies/bcp/",
                "review_by": "2027-08-24",
                "owner_slack": null
            }])
        );
        let v: Value = serde_json::from_str(&pages_json(&[&a, &b], Some("#compliance"))).unwrap();
        assert_eq!(v[0]["owner_slack"], "#security");
        assert_eq!(v[1]["owner_slack"], "#compliance");
    }

    #[test]
    fn missing_values_are_null() {
        let d = doc("x", "public", "", json!({"owner_slack": 42}));
        let v = parse(&[&d]);
        assert_eq!(v[0]["review_by"], Value::Null);
        assert_eq!(v[0]["owner_slack"], Value::Null);
    }

    #[test]
    fn slack_like_owner_is_the_fallback() {
        let mut d = doc("x", "public", "2027-01-01", json!({}));
        d.owner = "@alice".into();
        assert_eq!(parse(&[&d])[0]["owner_slack"], "@alice");
        let e = doc(
            "y",
            "public",
            "2027-01-01",
            json!({"owner_slack": "#platform"}),
        );
        assert_eq!(parse(&[&e])[0]["owner_slack"], "#platform");
    }

    #[test]
    fn key_order_and_empty_list() {
        let d = doc("k", "public", "2027-01-01", Value::Null);
        let text = pages_json(&[&d], None);
        let order: Vec<usize> = ["\"title\"", "\"url\"", "\"review_by\"", "\"owner_slack\""]
            .iter()
            .map(|k| text.find(k).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(pages_json(&[], None), "[]\n");
    }
}
