//! Building the view structs ([`crate::view`]) from documents and config.
//!
//! Pure functions: URLs, labels, sorting. Only documents the caller passes as
//! shown become views; nothing here decides visibility.

use crate::config::SiteConfig;
use crate::content::{Document, slugify};
use crate::publish::{Plan, Publication};
use crate::review::Review;
use crate::view::{ChangeView, ControlRef, DocFramework, DocView, Link, RevisionView};
use std::collections::BTreeMap;

/// A shown document as listings see it: its index and its view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listed<'a> {
    /// Document index (in `content.documents` and `Ctx::views`).
    pub i: usize,
    /// Its view.
    pub view: &'a DocView,
}

impl std::ops::Deref for Listed<'_> {
    type Target = DocView;
    fn deref(&self) -> &DocView {
        self.view
    }
}

/// The shown documents (those with a view), by index.
pub(crate) fn shown(views: &[Option<DocView>]) -> Vec<Listed<'_>> {
    views
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            Some(Listed {
                i,
                view: v.as_ref()?,
            })
        })
        .collect()
}

/// Shown documents grouped by category, each group in listing order.
pub(crate) fn categories<'a>(shown: &[Listed<'a>]) -> BTreeMap<String, Vec<Listed<'a>>> {
    let mut map: BTreeMap<String, Vec<Listed>> = BTreeMap::new();
    for v in shown {
        map.entry(v.category.clone()).or_default().push(*v);
    }
    for docs in map.values_mut() {
        docs.sort_by(|a, b| listing_order(a, b));
    }
    map
}

/// Framework -> control id -> documents covering it.
pub(crate) fn frameworks<'a>(
    shown: &[Listed<'a>],
) -> BTreeMap<String, BTreeMap<String, Vec<Listed<'a>>>> {
    let mut map: BTreeMap<String, BTreeMap<String, Vec<Listed>>> = BTreeMap::new();
    for v in shown {
        for f in &v.frameworks {
            for c in &f.controls {
                map.entry(f.name.clone())
                    .or_default()
                    .entry(c.id.clone())
                    .or_default()
                    .push(*v);
            }
        }
    }
    map
}

/// URL helpers for one build.
pub struct Urls {
    /// Path prefix (`/` or `/sub/`).
    pub base_path: String,
    /// Absolute base URL ending in `/`.
    pub base_url: String,
}

impl Urls {
    /// Site URL of a path relative to the site root (`policies/x/`).
    pub fn url(&self, rel: &str) -> String {
        format!("{}{rel}", self.base_path)
    }
    /// Absolute URL.
    pub fn permalink(&self, rel: &str) -> String {
        format!("{}{rel}", self.base_url)
    }
    /// Category listing path (`policies/`).
    pub fn category_rel(name: &str) -> String {
        format!("{}/", slugify(name))
    }
    /// Tag listing path.
    pub fn tag_rel(name: &str) -> String {
        format!("tags/{}/", slugify(name))
    }
    /// Framework page path.
    pub fn framework_rel(name: &str) -> String {
        format!("frameworks/{}/", slugify(name))
    }
}

/// Anchor of a control on its framework page.
pub fn control_anchor(id: &str) -> String {
    format!("control-{}", slugify(id))
}

/// The view of shown document `i` (`doc`), as `plan` publishes it.
pub fn doc_view(
    (i, doc): (usize, &Document),
    review: &Review,
    config: &SiteConfig,
    plan: &Plan,
    urls: &Urls,
) -> DocView {
    let stub = plan.docs.get(i) == Some(&Publication::Stub);
    let fm = &doc.fm;
    let cycle = fm.review_cycle.unwrap_or(config.review.cycle);
    let mut revisions: Vec<RevisionView> = fm
        .revisions
        .iter()
        .map(|r| RevisionView {
            version: r.version.clone(),
            date: r.date,
            summary: r.summary.clone(),
            approved_by: r.approved_by.clone().unwrap_or_default(),
            derived: false,
        })
        .collect();
    revisions.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.version.cmp(&a.version)));
    DocView {
        id: doc.id.clone(),
        title: doc.title.clone(),
        url: urls.url(&doc.url_path),
        permalink: urls.permalink(&doc.url_path),
        visibility: doc.visibility,
        restricted: stub,
        pdf_url: pdf_output_path(i, doc, config, plan).map_or_else(String::new, |p| urls.url(&p)),
        draft: fm.draft,
        category: doc.category.clone(),
        category_url: urls.url(&Urls::category_rel(&doc.category)),
        tags: fm
            .tags
            .iter()
            .map(|t| Link {
                title: t.clone(),
                url: urls.url(&Urls::tag_rel(t)),
            })
            .collect(),
        summary: fm.summary.clone().unwrap_or_default(),
        owner: fm.owner.clone().unwrap_or_default(),
        version: fm.version.clone().unwrap_or_default(),
        effective: fm.effective,
        last_reviewed: fm.last_reviewed,
        next_due: review.next_due,
        status: review.status,
        status_label: review.status.label().to_string(),
        days_left: review.days_left,
        review_cycle: cycle.label(),
        approved_by: fm.approved_by.clone().unwrap_or_default(),
        audit_scope: fm.audit_scope,
        controlled: fm.controlled_document,
        source_sha256: doc.sha256.clone(),
        source_path: doc.source.clone(),
        request_access: match (stub, config.security_contact.first()) {
            (true, Some(contact)) => crate::access::link(
                contact,
                &doc.id,
                &doc.title,
                fm.version.as_deref().unwrap_or(""),
                &doc.sha256,
            ),
            _ => String::new(),
        },
        revisions,
        versions: Vec::new(),
        from_git: Default::default(),
        frameworks: doc_frameworks(doc, config, urls),
        weight: fm.weight,
        extra: fm.extra.clone(),
    }
}

fn doc_frameworks(doc: &Document, config: &SiteConfig, urls: &Urls) -> Vec<DocFramework> {
    doc.fm
        .frameworks
        .iter()
        .map(|(name, ids)| {
            let page = Urls::framework_rel(name);
            let catalogue = config.frameworks.get(name);
            let mut controls: Vec<ControlRef> = ids
                .iter()
                .map(|id| ControlRef {
                    id: id.clone(),
                    title: catalogue
                        .and_then(|c| c.controls.get(id))
                        .cloned()
                        .unwrap_or_default(),
                    url: format!("{}#{}", urls.url(&page), control_anchor(id)),
                })
                .collect();
            controls.sort_by(|a, b| natural_cmp(&a.id, &b.id));
            DocFramework {
                name: name.clone(),
                url: urls.url(&page),
                controls,
            }
        })
        .collect()
}

/// Revisions of the shown documents as change entries, newest first.
pub fn changes(views: &[&DocView]) -> Vec<ChangeView> {
    let mut out: Vec<ChangeView> = views
        .iter()
        .flat_map(|d| {
            d.revisions.iter().map(move |r| ChangeView {
                date: r.date,
                title: d.title.clone(),
                doc_id: d.id.clone(),
                url: d.url.clone(),
                permalink: d.permalink.clone(),
                version: r.version.clone(),
                summary: r.summary.clone(),
                approved_by: r.approved_by.clone(),
                visibility: d.visibility,
            })
        })
        .chain(views.iter().flat_map(|d| git_changes(d)))
        .collect();
    out.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.doc_id.cmp(&b.doc_id))
            .then_with(|| b.version.cmp(&a.version))
    });
    out
}

/// Versions found in git that the revision history does not list.
fn git_changes(d: &DocView) -> impl Iterator<Item = ChangeView> + '_ {
    d.versions
        .iter()
        .filter(|v| !v.commit.is_empty())
        .filter(|v| !d.revisions.iter().any(|r| r.version == v.version))
        .filter_map(|v| {
            Some(ChangeView {
                date: v.effective?,
                title: d.title.clone(),
                doc_id: d.id.clone(),
                url: d.url.clone(),
                permalink: d.permalink.clone(),
                version: v.version.clone(),
                summary: format!("Version {} (from git history)", v.version),
                approved_by: String::new(),
                visibility: d.visibility,
            })
        })
}

/// Compares ids so that `A.5.2` sorts before `A.5.10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    natural_key(a).cmp(&natural_key(b))
}

fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(u64::from(d)),
            );
        } else {
            if let Some(n) = num.take() {
                out.push((std::mem::take(&mut text), n));
            }
            text.push(c);
        }
    }
    out.push((text, num.unwrap_or(0)));
    out
}

/// Orders documents for listings: weight, then title, then id.
pub fn listing_order(a: &DocView, b: &DocView) -> std::cmp::Ordering {
    a.weight
        .cmp(&b.weight)
        .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
        .then_with(|| a.id.cmp(&b.id))
}

/// Output path of the PDF of document `i` (`doc`;
/// `policies/access-control/access-control.pdf`), or None when it gets none
/// (only what `build` publishes in full: [`crate::publish::Plan::attachments`]).
pub fn pdf_output_path(
    i: usize,
    doc: &Document,
    config: &SiteConfig,
    plan: &crate::publish::Plan,
) -> Option<String> {
    if !config.pdf || !plan.attachments(i) {
        return None;
    }
    let last = doc.url_path.trim_end_matches('/').rsplit('/').next();
    let name = last.filter(|s| !s.is_empty()).unwrap_or(&doc.id);
    Some(format!("{}{name}.pdf", doc.url_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_of_control_ids() {
        let mut ids = vec!["A.5.10", "A.5.2", "A.8.1", "CC6.1", "A.5.1"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, vec!["A.5.1", "A.5.2", "A.5.10", "A.8.1", "CC6.1"]);
    }
}
