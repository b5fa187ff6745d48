//! PDFs of public documents (`pdf: true`): which documents, where, and the
//! render stage that makes them in parallel, reusing kept ones.
//!
//! Only a document `build` publishes in full gets a PDF
//! ([`super::views::pdf_output_path`], [`crate::publish::Plan::attachments`]):
//! restricted, internal, draft and embargoed ones never, whatever a preview
//! shows. Each PDF
//! is made by [`crate::pdf`] from the document's source file, re-read and
//! checked against the hash the page and manifest carry, so the attached
//! bytes are exactly those.

use super::{Ctx, links};
use crate::config::SiteConfig;
use crate::content::Document;
use crate::diag::Diagnostic;
use crate::pdf::{self, Meta};
use crate::view::DocView;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// Takes the PDF away (warning located at the cause) from each document
/// whose source the download bundle would leave out (an HTML comment, or a
/// withheld document's name: [`super::evidence::unsafe_source`]) or whose
/// page drops a link to a withheld document: a PDF carries its source as
/// it is. Fail closed: the page stays, the PDF and its "Download PDF" link go.
pub(super) fn withhold(
    loaded: &super::Loaded,
    plan: &crate::publish::Plan,
    index: &links::LinkIndex,
    views: &mut [Option<DocView>],
    diags: &mut Vec<Diagnostic>,
) {
    if !loaded.config.pdf {
        return;
    }
    let docs = &loaded.content.documents;
    let hidden =
        super::evidence::Screen::new(&super::evidence::withheld_names(loaded, plan, views));
    let found: Vec<Option<Diagnostic>> = (0..docs.len())
        .into_par_iter()
        .map(|i| {
            let wants = views[i].as_ref().is_some_and(|v| !v.pdf_url.is_empty());
            let policy = index.policy_for(i);
            wants
                .then(|| names_withheld(&loaded.root, &loaded.config, &docs[i], &policy, &hidden))
                .flatten()
        })
        .collect();
    for (i, d) in found.into_iter().enumerate() {
        if let (Some(d), Some(view)) = (d, views[i].as_mut()) {
            view.pdf_url.clear();
            diags.push(d);
        }
    }
}

/// Why `doc`'s source must not be attached, as a warning (None: it may).
fn names_withheld(
    root: &std::path::Path,
    config: &SiteConfig,
    doc: &Document,
    policy: &links::PageLinks,
    hidden: &super::evidence::Screen,
) -> Option<Diagnostic> {
    let no_pdf = |line, col, why: &str| {
        let msg = format!("no PDF: a PDF carries its source as it is, and {why}");
        Some(Diagnostic::warning(&doc.source, line, col, msg).code("pdf/source-withheld"))
    };
    let opts = config.render_options(Some(&doc.title));
    let body = match doc.body.read() {
        Ok(body) => body,
        Err(msg) => return Some(super::pages::changed(doc, msg)),
    };
    let rendered = crate::markdown::scan(&body, doc.body_line, policy, &opts);
    if let Some(n) = rendered.notes.iter().find(|n| n.code == "link/unpublished") {
        return no_pdf(
            n.line,
            n.col,
            "it links to a document or file that is not published",
        );
    }
    let text = std::fs::read(root.join(&doc.source)).unwrap_or_default();
    let (why, line, col) = super::evidence::unsafe_source(&String::from_utf8_lossy(&text), hidden)?;
    no_pdf(line, col, &why)
}

/// Renders and emits every PDF.
pub(super) fn render(ctx: &Ctx) {
    if !ctx.loaded.config.pdf {
        return;
    }
    let docs = &ctx.loaded.content.documents;
    let done: std::collections::HashSet<crate::blobs::Key> = (0..docs.len())
        .into_par_iter()
        .filter_map(|i| document(ctx, i, &ctx.links))
        .collect();
    ctx.hl.blobs().retain(&done);
    #[cfg(feature = "pdf")]
    typst::comemo::evict(10);
}

/// Document `i`'s PDF, emitted; its cache key.
fn document(ctx: &Ctx, i: usize, index: &links::LinkIndex) -> Option<crate::blobs::Key> {
    let view = ctx.views[i]
        .as_ref()
        .filter(|v| !v.restricted && !v.pdf_url.is_empty())?;
    let doc = &ctx.loaded.content.documents[i];
    let path = super::views::pdf_output_path(i, doc, &ctx.loaded.config, &ctx.plan)?;
    let fail = |code: &'static str, msg: String| {
        ctx.out.problem(
            Diagnostic::error(&doc.source, doc.body_line, 1, format!("PDF: {msg}")).code(code),
        );
        None
    };
    let source = match std::fs::read(ctx.loaded.root.join(&doc.source)) {
        Ok(bytes) if crate::digest::hex(&Sha256::digest(&bytes)) == doc.sha256 => bytes,
        Ok(_) => {
            return fail(
                "pdf/source-changed",
                "the file changed during the build".into(),
            );
        }
        Err(e) => {
            return fail(
                "pdf/source-unreadable",
                format!("cannot read the source: {e}"),
            );
        }
    };
    let meta = meta(ctx, doc, view);
    let syntaxes = ctx.hl.syntaxes();
    let policy = index.policy_for(i);
    let opts = ctx.loaded.config.render_options(Some(&doc.title));
    let body = match doc.body.read() {
        Ok(body) => body,
        Err(msg) => return fail("pdf/source-changed", msg),
    };
    let body = (&*body, doc.body_line);
    let job = match pdf::prepare(meta, body, &policy, &opts, syntaxes, source) {
        Ok((job, _notes)) => job,
        Err(e) => return fail("pdf/too-large", e.to_string()),
    };
    let key = job.key();
    match ctx.hl.blobs().get_or(&key, || pdf::render(&job)) {
        Ok(bytes) => {
            ctx.out.emit(&path, &bytes, &doc.source);
            ctx.add_to_bundle(&path, bytes.to_vec());
            Some(key)
        }
        Err(e) => fail("pdf/render", e.to_string()),
    }
}

/// The cover and metadata of `doc`'s PDF.
fn meta(ctx: &Ctx, doc: &Document, view: &DocView) -> Meta {
    let day = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows = [
        ("Document ID", view.id.clone()),
        ("Version", view.version.clone()),
        ("Owner", view.owner.clone()),
        ("Approved by", view.approved_by.clone()),
        ("Effective", day(view.effective)),
        ("Last reviewed", day(view.last_reviewed)),
        ("Next review", day(view.next_due)),
    ];
    let date = doc
        .fm
        .effective
        .or(doc.fm.last_reviewed)
        .unwrap_or(ctx.opts.today);
    Meta {
        title: view.title.clone(),
        id: view.id.clone(),
        version: view.version.clone(),
        summary: view.summary.clone(),
        organization: ctx.loaded.config.organization.clone(),
        sha256: doc.sha256.clone(),
        permalink: view.permalink.clone(),
        manifest: format!("{}manifest.json", ctx.urls.base_url),
        attachment: pdf::attachment_name(&doc.source),
        rows: rows
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        date,
    }
}
