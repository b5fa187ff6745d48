//! Page and file builders: one function per kind of output.
//!
//! Each reads the shared [`Ctx`] (views of shown documents only) and emits
//! through its [`Emitter`]. Document pages render Markdown only for public
//! documents; a restricted document's body is never touched here.

use super::rebuild::DocPage;
use super::views::{self, Urls, categories, frameworks};
use super::{Ctx, links::PageLinks, render_page, render_to};
use crate::diag::Diagnostic;
use crate::manifest::{Manifest, ManifestDoc};
use crate::search::SearchDoc;
use crate::view::{DocView, Link, SiteView, SubprocessorView};
use std::collections::{BTreeSet, HashSet};
use tera::Context;

/// The site-wide view for templates.
pub(super) fn site_view(
    loaded: &super::Loaded,
    opts: &super::BuildOptions,
    urls: &Urls,
    theme: &crate::theme::Theme,
    views: &[Option<DocView>],
) -> SiteView {
    let c = &loaded.config;
    let shown = views::shown(views);
    let mut nav: Vec<Link> = categories(&shown)
        .keys()
        .map(|name| Link {
            title: name.clone(),
            url: urls.url(&Urls::category_rel(name)),
        })
        .collect();
    if !frameworks(&shown).is_empty() {
        nav.push(Link {
            title: "Frameworks".into(),
            url: urls.url("frameworks/"),
        });
    }
    if !c.subprocessors.is_empty() {
        nav.push(Link {
            title: "Subprocessors".into(),
            url: urls.url("subprocessors/"),
        });
    }
    nav.push(Link {
        title: "Changes".into(),
        url: urls.url("changes/"),
    });
    let banner = match (opts.drafts, opts.internal) {
        (false, false) => String::new(),
        _ => "Preview: this site includes drafts or internal documents that `trustsite build` never publishes.".to_string(),
    };
    SiteView {
        title: c.title.clone(),
        base_url: urls.base_url.clone(),
        base_path: urls.base_path.clone(),
        organization: c.organization.clone(),
        description: c.description.clone(),
        release: c.release.clone(),
        generator: format!("trustsite {}", env!("CARGO_PKG_VERSION")),
        build_date: opts.build_time.to_zoned(jiff::tz::TimeZone::UTC).date(),
        today: opts.today,
        security_contact: c.security_contact.clone(),
        request_access: c.security_contact.first().cloned().unwrap_or_default(),
        show_reviews: c.review.show_on_site,
        warn_days: c.review.warn_days,
        overdue_on_due_day: c.review.overdue_on_due_day,
        nav,
        assets: theme.assets.clone(),
        search_index_url: urls.url("search-index.json"),
        feed_url: urls.url("feed.xml"),
        manifest_url: urls.url("manifest.json"),
        bundle_url: if opts.evidence.preview {
            String::new()
        } else {
            urls.url(&super::evidence::bundle_path(loaded, opts))
        },
        oscal_url: if opts.evidence.preview {
            String::new()
        } else {
            urls.url(crate::oscal::FILE)
        },
        signed: opts.evidence.signer.is_some(),
        preview_banner: banner,
    }
}

/// The search entry of a page, or an empty one when no index is built.
fn search_entry(ctx: &Ctx, search: &SearchDoc) -> crate::search::DocEntry {
    if ctx.opts.search {
        ctx.indexer.entry(search)
    } else {
        crate::search::DocEntry::default()
    }
}

/// Renders one shown document's page (not emitted yet), with its search
/// entry, heading ids, anchors to check and warnings.
pub(super) fn document_page(ctx: &Ctx, i: usize, view: &DocView, links: &PageLinks) -> DocPage {
    let doc = &ctx.loaded.content.documents[i];
    let path = format!("{}index.html", doc.url_path);
    let mut context = Context::new();
    context.insert_value("doc", ctx.value_at(i));
    let mut search = SearchDoc {
        url: view.url.clone(),
        title: view.title.clone(),
        summary: view.summary.clone(),
        headings: Vec::new(),
        text: String::new(),
        restricted: view.restricted,
    };
    let mut diags = Vec::new();
    if view.restricted {
        let page = render_page(ctx, "restricted.html", &context, &path, &mut diags);
        let entry = search_entry(ctx, &search);
        return DocPage {
            path,
            source: doc.source.clone(),
            page,
            entry,
            ids: HashSet::new(),
            checks: Vec::new(),
            needs: Vec::new(),
            diags,
        };
    }
    let body = match doc.body.read() {
        Ok(body) => body,
        Err(msg) => {
            diags.push(changed(doc, msg));
            return DocPage {
                path,
                source: doc.source.clone(),
                page: None,
                entry: crate::search::DocEntry::default(),
                ids: HashSet::new(),
                checks: Vec::new(),
                needs: Vec::new(),
                diags,
            };
        }
    };
    let opts = ctx.loaded.config.render_options(Some(&doc.title));
    // `check` (validation only) needs what rendering finds (links, ids,
    // anchors, warnings), not the HTML: the same walk, without making it
    // (the template still renders, with empty content).
    let r = if ctx.opts.evidence.validate_only {
        crate::markdown::scan(&body, doc.body_line, links, &opts)
    } else {
        crate::markdown::render_with(&body, doc.body_line, links, ctx.hl, ctx.opts.search, &opts)
    };
    body_warnings(doc, &r, &mut diags);
    let overdue = ctx.loaded.config.review.show_on_site && ctx.reviews[i].status.is_failing();
    context.insert("content", &r.html);
    context.insert("toc", &r.toc);
    context.insert("overdue", &overdue);
    context.insert("redline", &super::versions::current_redline(ctx, i, &body));
    drop(body);
    let page = render_page(ctx, "page.html", &context, &path, &mut diags);
    drop(context);
    search.headings = r.toc.iter().map(|t| t.title.clone()).collect();
    search.text = r.text;
    DocPage {
        path,
        source: doc.source.clone(),
        page,
        entry: search_entry(ctx, &search),
        ids: r.ids,
        checks: r.anchor_checks,
        needs: links.needs(),
        diags,
    }
}

/// The error for a document whose body can no longer be read as loaded.
pub(super) fn changed(doc: &crate::content::Document, msg: String) -> Diagnostic {
    Diagnostic::error(&doc.source, doc.body_line, 1, msg).code("content/changed")
}

/// The rendering notes of a body (links, removed raw HTML), as diagnostics.
fn body_warnings(
    doc: &crate::content::Document,
    r: &crate::markdown::Rendered,
    diags: &mut Vec<Diagnostic>,
) {
    for n in &r.notes {
        diags.push(Diagnostic::warning(&doc.source, n.line, n.col, n.message.clone()).code(n.code));
    }
}

/// Every page and file besides document and listing pages, given the
/// search index (JSON) and the content files published pages need; the
/// manifest last.
pub(super) fn render_site_pages(ctx: &Ctx, search: String, needed: &BTreeSet<String>) {
    let listed = views::shown(&ctx.views);
    let shown: Vec<&DocView> = listed.iter().map(|l| l.view).collect();
    // The bundle's sources are read, screened and compressed (in parallel)
    // while the other pages, the OSCAL export and the manifest are made:
    // the sources need none of them, and those are made one by one.
    super::evidence::before_bundle(ctx);
    let (manifest, sources) = rayon::join(
        || {
            let changes = views::changes(&shown);
            ctx.out
                .emit("search-index.json", search.as_bytes(), "search-index.json");
            drop(search);
            subprocessors(ctx);
            let mut c = Context::new();
            c.insert("changes", &changes);
            render_to(ctx, "changes.html", &c, "changes/index.html");
            render_to(ctx, "404.html", &Context::new(), "404.html");
            files(ctx, &shown, &changes);
            super::redirects::render(ctx, &listed);
            assets(ctx, needed);
            super::evidence::oscal(ctx, &shown);
            manifest(ctx, &shown)
        },
        || super::evidence::bundle_sources(ctx, &shown),
    );
    super::evidence::sign_and_bundle(ctx, manifest.as_bytes(), sources);
}

fn subprocessors(ctx: &Ctx) {
    let subs = &ctx.loaded.config.subprocessors;
    if subs.is_empty() {
        return;
    }
    let rows: Vec<SubprocessorView> = subs
        .iter()
        .map(|s| SubprocessorView {
            name: s.name.clone(),
            purpose: s.purpose.clone(),
            location: s.location.clone(),
            since: s.since,
        })
        .collect();
    let mut c = Context::new();
    c.insert("subprocessors", &rows);
    render_to(ctx, "subprocessors.html", &c, "subprocessors/index.html");
}

fn files(ctx: &Ctx, shown: &[&DocView], changes: &[crate::view::ChangeView]) {
    let site = &ctx.site;
    let updated = changes
        .first()
        .map(|c| format!("{}T00:00:00Z", c.date))
        .unwrap_or_else(|| crate::when::rfc3339(ctx.opts.build_time));
    ctx.out.emit(
        "feed.xml",
        crate::feeds::atom(site, changes, &updated).as_bytes(),
        "feed.xml",
    );
    let mut entries = vec![(ctx.urls.base_url.clone(), None)];
    entries.extend(
        shown
            .iter()
            .map(|d| (d.permalink.clone(), d.last_reviewed.or(d.effective))),
    );
    ctx.out.emit(
        "sitemap.xml",
        crate::feeds::sitemap(&entries).as_bytes(),
        "sitemap.xml",
    );
    ctx.out.emit(
        "robots.txt",
        crate::feeds::robots(site).as_bytes(),
        "robots.txt",
    );
    let api = crate::api::pages_json(shown, ctx.loaded.config.default_owner_slack.as_deref());
    ctx.out
        .emit("api/pages.json", api.as_bytes(), "api/pages.json");
    if let Some(text) = security_txt(ctx, shown) {
        ctx.out
            .emit(".well-known/security.txt", text.as_bytes(), "trust.yaml");
    }
}

/// The security.txt text, or None (with a warning) without a contact.
pub(crate) fn security_txt(ctx: &Ctx, shown: &[&DocView]) -> Option<String> {
    let c = &ctx.loaded.config;
    if c.security_contact.is_empty() {
        ctx.out.problem(Diagnostic::warning("trust.yaml", 0, 0, "no `security_contact`: .well-known/security.txt is not generated (RFC 9116 requires a Contact)").code("securitytxt/no-contact"));
        return None;
    }
    let base = &ctx.urls.base_url;
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        ctx.out.problem(
            Diagnostic::error(
                "trust.yaml",
                0,
                0,
                format!(
                    "`security_contact` is set but `base_url` is `{base}`: .well-known/security.txt needs an absolute Canonical URL (RFC 9116); set `base_url: https://your.domain/` in trust.yaml or pass `--base-url https://...`"
                ),
            )
            .code("securitytxt/base-url"),
        );
        return None;
    }
    let policy = c.security_txt.policy.as_ref().and_then(|p| {
        if p.contains("://") {
            return Some(p.clone());
        }
        let found = shown
            .iter()
            .find(|d| &d.id == p && !d.restricted)
            .map(|d| d.permalink.clone());
        if found.is_none() {
            ctx.out.problem(
                Diagnostic::warning(
                    "trust.yaml",
                    0,
                    0,
                    format!("`security_txt.policy`: no published public document with id `{p}`"),
                )
                .code("securitytxt/policy-not-public"),
            );
        }
        found
    });
    let txt = crate::securitytxt::SecurityTxt {
        contacts: c.security_contact.clone(),
        expires: crate::securitytxt::expires_at(ctx.opts.build_time, c.security_txt.expires_days),
        canonical: format!("{}.well-known/security.txt", ctx.urls.base_url),
        policy,
        preferred_languages: c.security_txt.preferred_languages.clone(),
        encryption: c.security_txt.encryption.clone(),
    };
    Some(crate::securitytxt::render(&txt))
}

/// Theme files, and the content files [`crate::publish::assets`] publishes.
fn assets(ctx: &Ctx, needed: &BTreeSet<String>) {
    for (path, bytes) in &ctx.theme.asset_files {
        ctx.out.emit(path, bytes, "(theme)");
    }
    let mut diags = Vec::new();
    let content = &ctx.loaded.content;
    let decisions = crate::publish::assets(
        content,
        &ctx.plan,
        &ctx.loaded.config,
        &ctx.urls.base_url,
        needed,
        &mut diags,
    );
    diags.into_iter().for_each(|d| ctx.out.problem(d));
    for (asset, decision) in content.assets.iter().zip(decisions) {
        let crate::publish::FileDecision::Publish(out) = decision else {
            continue;
        };
        let origin = format!("content/{}", asset.rel);
        match std::fs::read(&asset.abs) {
            Ok(bytes) => {
                // The bytes published are the bytes checked (active content).
                let allow = &ctx.loaded.config.allow_active;
                let refused = crate::active::check_asset(&origin, &bytes, allow);
                if refused.is_empty() {
                    ctx.out.emit(&out, &bytes, &origin);
                }
                refused.into_iter().for_each(|d| ctx.out.problem(d));
            }
            Err(e) => ctx.out.problem(
                Diagnostic::error(origin, 0, 0, format!("cannot read: {e}"))
                    .code("content/unreadable"),
            ),
        }
    }
}

/// Emits manifest.json and returns its text.
fn manifest(ctx: &Ctx, shown: &[&DocView]) -> String {
    let files = ctx
        .out
        .hashes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let m = Manifest {
        title: ctx.loaded.config.title.clone(),
        base_url: ctx.urls.base_url.clone(),
        release: ctx.loaded.config.release.clone(),
        generator: ctx.site.generator.clone(),
        build_time: crate::when::rfc3339(ctx.opts.build_time),
        today: ctx.opts.today.to_string(),
        documents: shown.iter().map(|v| ManifestDoc::from_view(v)).collect(),
        files,
        bundle: (!ctx.opts.evidence.preview)
            .then(|| super::evidence::bundle_path(ctx.loaded, ctx.opts)),
    };
    let text = m.to_json();
    ctx.out
        .emit(crate::manifest::FILE, text.as_bytes(), "manifest.json");
    text
}
