//! Version pages, version lists, redlines and `api/versions.json`.
//!
//! Reads the [`History`](crate::versions::History) that `load` attached to
//! the site. [`attach`] gives a shown document's view its version list (and
//! a revision history derived from git when front-matter has none);
//! [`render`] writes a page at `<document url>v/<version>/` for every
//! earlier version that was public, of a document that is public now, and
//! `api/versions.json`. A restricted document's versions are listed with
//! their hashes only; an internal one is never shown, so its history never
//! reaches this module. Redlines compare two public texts only.

use super::Ctx;
use super::views::Urls;
use crate::content::Document;
use crate::publish::Plan;
use crate::versions::{DocHistory, Version};
use crate::view::{DocView, FromGit, RevisionView, VersionView};
use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

/// A redline as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct RedlineView {
    /// The version compared against.
    pub against: String,
    /// Its page URL (may be empty).
    pub against_url: String,
    /// The redline HTML (escaped source text with `<ins>`/`<del>`).
    pub html: String,
    /// Paragraphs changed.
    pub changed: usize,
}

/// Site path of a version page.
fn version_rel(doc: &Document, v: &Version) -> String {
    format!("{}v/{}/", doc.url_path, v.slug)
}

/// Whether earlier public versions of document `i` get pages: only when
/// `build` publishes it in full today ([`Plan::attachments`]).
fn pages_allowed(plan: &Plan, i: usize) -> bool {
    plan.attachments(i)
}

fn short(commit: &str) -> String {
    commit.chars().take(7).collect()
}

/// Fills `view.versions` (and derived revisions) from the document's history.
pub(super) fn attach(
    view: &mut DocView,
    (i, doc): (usize, &Document),
    h: Option<&DocHistory>,
    plan: &Plan,
    urls: &Urls,
) {
    let Some(h) = h else { return };
    view.from_git = FromGit {
        version: h.version_from_git,
        last_reviewed: h.reviewed_from_git,
    };
    if h.earlier.is_empty() && h.current.is_none() {
        return;
    }
    let mut list: Vec<VersionView> = h
        .earlier
        .iter()
        .map(|v| {
            let rel = (pages_allowed(plan, i) && v.public).then(|| version_rel(doc, v));
            VersionView {
                version: v.label.clone(),
                effective: Some(v.effective),
                until: None,
                date: Some(v.date),
                commit: v.commit.clone(),
                short_commit: short(&v.commit),
                source_sha256: v.sha256.clone(),
                url: rel.as_deref().map(|r| urls.url(r)).unwrap_or_default(),
                permalink: rel
                    .as_deref()
                    .map(|r| urls.permalink(r))
                    .unwrap_or_default(),
                current: false,
                author: v.author.clone().unwrap_or_default(),
            }
        })
        .collect();
    let cur = h.current.as_ref();
    list.push(VersionView {
        version: doc.fm.version.clone().unwrap_or_default(),
        effective: (doc.fm.effective).or(cur.map(|c| c.effective)),
        until: None,
        date: cur.map(|c| c.date),
        commit: cur.map(|c| c.commit.clone()).unwrap_or_default(),
        short_commit: cur.map(|c| short(&c.commit)).unwrap_or_default(),
        source_sha256: cur.map_or_else(|| doc.sha256.clone(), |c| c.sha256.clone()),
        url: view.url.clone(),
        permalink: view.permalink.clone(),
        current: true,
        author: cur.and_then(|c| c.author.clone()).unwrap_or_default(),
    });
    for i in 1..list.len() {
        list[i - 1].until = list[i].effective;
    }
    list.reverse();
    if view.revisions.is_empty() {
        view.revisions = derived_revisions(&list);
    }
    view.versions = list;
}

/// A revision history from the versions found in git, newest first.
fn derived_revisions(list: &[VersionView]) -> Vec<RevisionView> {
    list.iter()
        .filter(|v| !v.commit.is_empty() && !v.version.is_empty())
        .filter_map(|v| {
            Some(RevisionView {
                version: v.version.clone(),
                // A committed version always has one (its commit's date at least).
                date: v.effective?,
                summary: format!("Recorded in git (commit {})", v.short_commit),
                approved_by: String::new(),
                derived: true,
            })
        })
        .collect()
}

/// The redline of document `i`'s current text against its previous
/// version, when both are public.
pub(super) fn current_redline(ctx: &Ctx, i: usize, body: &str) -> Option<RedlineView> {
    let doc = &ctx.loaded.content.documents[i];
    let prev = ctx.loaded.history.of(i)?.earlier.last()?;
    ctx.views[i].as_ref()?;
    if !pages_allowed(&ctx.plan, i) || !prev.public {
        return None;
    }
    redline_view(ctx, doc, prev, body)
}

fn redline_view(ctx: &Ctx, doc: &Document, against: &Version, body: &str) -> Option<RedlineView> {
    let against_body = against.doc.body.read().ok()?;
    let r = crate::redline::redline(&against_body, body);
    (r.changed > 0).then(|| RedlineView {
        against: against.label.clone(),
        against_url: ctx.urls.url(&version_rel(doc, against)),
        html: r.html,
        changed: r.changed,
    })
}

/// Every version page, then `api/versions.json`; returns the content
/// files the version pages link to (published like any page's).
pub(super) fn render(ctx: &Ctx) -> Vec<String> {
    let docs = &ctx.loaded.content.documents;
    let needs: Vec<String> = (0..docs.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let mut needs = Vec::new();
            let (Some(view), Some(h)) = (&ctx.views[i], ctx.loaded.history.of(i)) else {
                return needs;
            };
            if !pages_allowed(&ctx.plan, i) {
                return needs;
            }
            for (k, v) in h.earlier.iter().enumerate() {
                if v.public {
                    let prev = k.checked_sub(1).map(|p| &h.earlier[p]).filter(|p| p.public);
                    needs.extend(version_page(ctx, i, view, v, prev));
                }
            }
            needs
        })
        .collect();
    let shown: Vec<&DocView> = ctx.views.iter().flatten().collect();
    ctx.out.emit(
        "api/versions.json",
        versions_json(&shown).as_bytes(),
        "api/versions.json",
    );
    needs
}

/// The page of one earlier version `v` of shown document `i`.
fn version_page(
    ctx: &Ctx,
    i: usize,
    current: &DocView,
    v: &Version,
    prev: Option<&Version>,
) -> Vec<String> {
    let doc = &ctx.loaded.content.documents[i];
    let rel = version_rel(doc, v);
    let review = crate::review::Review {
        next_due: None,
        status: crate::review::ReviewStatus::Untracked,
        days_left: None,
    };
    let mut old = super::views::doc_view(
        (i, &v.doc),
        &review,
        &ctx.loaded.config,
        &ctx.plan,
        &ctx.urls,
    );
    old.id = current.id.clone();
    old.url = ctx.urls.url(&rel);
    old.permalink = ctx.urls.permalink(&rel);
    old.category = current.category.clone();
    old.category_url = current.category_url.clone();
    old.versions = current.versions.clone();
    old.revisions = Vec::new();
    old.version = v.label.clone();
    let this = current.versions.iter().find(|x| x.url == old.url).cloned();
    // Links resolve as they did from the old file, to today's documents.
    let links = ctx.links.policy(Some(i), &v.doc.source, &rel);
    // A version read from git keeps its body in memory: reading it cannot fail.
    let body = v.doc.body.read().unwrap_or_default();
    let r = crate::markdown::render(&body, v.doc.body_line, &links, ctx.hl, false);
    let mut c = Context::new();
    c.insert("doc", &old);
    c.insert("current", current);
    c.insert("version", &this);
    c.insert("content", &r.html);
    c.insert("toc", &r.toc);
    c.insert(
        "redline",
        &prev.and_then(|p| redline_view(ctx, doc, p, &body)),
    );
    super::render_to(ctx, "version.html", &c, &format!("{rel}index.html"));
    links.needs()
}

/// `api/versions.json`: for every shown document, its versions with the
/// dates each was in force (`effective` inclusive, `until` exclusive).
fn versions_json(shown: &[&DocView]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        id: &'a str,
        title: &'a str,
        url: &'a str,
        visibility: crate::frontmatter::Visibility,
        versions: &'a [VersionView],
    }
    #[derive(Serialize)]
    struct Api<'a> {
        documents: Vec<Doc<'a>>,
    }
    let api = Api {
        documents: shown
            .iter()
            .map(|d| Doc {
                id: &d.id,
                title: &d.title,
                url: &d.permalink,
                visibility: d.visibility,
                versions: &d.versions,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&api).unwrap_or_default();
    s.push('\n');
    s
}
