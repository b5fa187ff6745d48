//! Document pages: rendered in parallel, replayed from the memo when kept.
//!
//! [`render`] turns every shown document into its page (through
//! [`pages::document_page`]), emits it with its warnings, keeps it in the
//! [`Rebuild`](crate::site::rebuild::Rebuild) when there is one (in memory
//! under serve, on disk under `build --cache`, where an unchanged page is
//! replayed from its entry instead of rendered), and finally checks the
//! anchors that pages link to in other documents. Without a memo nothing
//! outlives the page: its bytes go to the sink and are dropped.

use super::{Ctx, links, pages};
use crate::diag::Diagnostic;
use crate::site::rebuild::DocPage;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Renders every shown document page; by document index (None: not shown).
pub(super) fn render(ctx: &Ctx) -> Vec<Option<Arc<DocPage>>> {
    let docs = &ctx.loaded.content.documents;
    (0..docs.len())
        .into_par_iter()
        .map(|i| document(ctx, i, &ctx.links))
        .collect()
}

/// Checks the anchors that document pages and introductions link to, once
/// every page is there; returns the content files the published pages need.
pub(super) fn check_links(ctx: &Ctx, results: &[Option<Arc<DocPage>>]) -> BTreeSet<String> {
    check_anchors(ctx, results);
    let found = std::mem::take(&mut *ctx.intro_found.lock().unwrap_or_else(|e| e.into_inner()));
    let (intro_checks, mut needed) = found;
    for (source, target, anchor, line, col) in &intro_checks {
        broken_anchor(ctx, results, source, (*target, anchor), (*line, *col));
    }
    for page in results.iter().flatten() {
        needed.extend(page.needs.iter().cloned());
    }
    needed
}

/// Document `i`'s page (None when it is not shown): replayed from the
/// memo (memory, then disk) when kept there, else rendered (and kept).
fn document(ctx: &Ctx, i: usize, index: &links::LinkIndex) -> Option<Arc<DocPage>> {
    let view = ctx.views[i].as_ref()?;
    let memo = ctx.memo.as_ref();
    if let Some(hit) = memo.and_then(|(memo, keys)| memo.doc(keys, i, |p| replay(ctx, p))) {
        return Some(hit);
    }
    let mut page = pages::document_page(ctx, i, view, &index.policy_for(i));
    replay(ctx, &page);
    match memo {
        Some((memo, keys)) if page.page.is_some() => Some(memo.keep_doc(keys, i, page)),
        _ => {
            page.page = None;
            Some(Arc::new(page))
        }
    }
}

/// Emits a rendered page and reports its warnings.
fn replay(ctx: &Ctx, doc: &DocPage) {
    for d in &doc.diags {
        ctx.out.problem(d.clone());
    }
    if let Some(p) = &doc.page {
        ctx.out
            .emit_shared(&doc.path, &p.bytes, p.sha.clone(), &doc.source);
    }
}

/// Warns about links to headings that the target document does not have.
fn check_anchors(ctx: &Ctx, results: &[Option<Arc<DocPage>>]) {
    let docs = &ctx.loaded.content.documents;
    for (from, page) in results.iter().enumerate() {
        let Some(page) = page else { continue };
        for (target, anchor, line, col) in &page.checks {
            broken_anchor(
                ctx,
                results,
                &docs[from].source,
                (*target, anchor),
                (*line, *col),
            );
        }
    }
}

/// Warns when `source` links to `#anchor` of a full page that lacks it.
fn broken_anchor(
    ctx: &Ctx,
    results: &[Option<Arc<DocPage>>],
    source: &str,
    (target, anchor): (usize, &str),
    (line, col): (usize, usize),
) {
    if let Some(page) = ctx.links.page_of_key(target) {
        // A generated page: checked when it shows an introduction.
        let ids = ctx.intro_ids.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ids) = ids.get(page)
            && !ids.contains(anchor)
        {
            let msg = format!(
                "broken anchor `#{anchor}`: no such heading in the introduction of /{page}"
            );
            ctx.out
                .problem(Diagnostic::warning(source, line, col, msg).code("link/broken-anchor"));
        }
        return;
    }
    let Some(Some(target_page)) = results.get(target) else {
        return;
    };
    let published = ctx.views[target].as_ref().is_some_and(|v| !v.restricted);
    if published && !target_page.ids.contains(anchor) {
        let msg = format!(
            "broken anchor `#{anchor}`: no such heading in {}",
            ctx.loaded.content.documents[target].source
        );
        ctx.out
            .problem(Diagnostic::warning(source, line, col, msg).code("link/broken-anchor"));
    }
}
