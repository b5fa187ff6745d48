//! Page and file builders: one function per kind of output.
//!
//! Each reads the shared [`Ctx`] (views of shown documents only) and emits
//! through its [`Emitter`]. Document pages render Markdown only for public
//! documents; a restricted document's body is never touched here.

use super::views::{self, Urls};
use super::{Ctx, links::DocLinks};
use crate::config::CertStatus;
use crate::diag::Diagnostic;
use crate::manifest::{Manifest, ManifestDoc};
use crate::search::SearchDoc;
use crate::view::{
    CertificationView, ControlView, DocView, FrameworkView, Link, ListingView, SiteView,
    SubprocessorView,
};
use std::collections::{BTreeMap, HashSet};
use tera::Context;

type AnchorChecks = Vec<(usize, String, usize, usize)>;

/// What rendering one document page yields: its search entry, heading ids and anchors to check.
pub(super) type PageResult = (SearchDoc, HashSet<String>, AnchorChecks);

/// The site-wide view for templates.
pub(super) fn site_view(
    loaded: &super::Loaded,
    opts: &super::BuildOptions,
    urls: &Urls,
    theme: &crate::theme::Theme,
    views: &[Option<DocView>],
) -> SiteView {
    let c = &loaded.config;
    let shown: Vec<&DocView> = views.iter().flatten().collect();
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
        build_date: opts
            .build_time
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .to_string(),
        today: opts.today.to_string(),
        security_contact: c.security_contact.clone(),
        request_access: c.security_contact.first().cloned().unwrap_or_default(),
        show_reviews: c.review.show_on_site,
        warn_days: c.review.warn_days,
        nav,
        assets: theme.assets.clone(),
        search_index_url: urls.url("search-index.json"),
        feed_url: urls.url("feed.xml"),
        manifest_url: urls.url("manifest.json"),
        preview_banner: banner,
    }
}

fn render_to(ctx: &Ctx, template: &str, context: &Context, path: &str) {
    match ctx.theme.tera.render(template, context) {
        Ok(html) => ctx.out.emit(path, html.as_bytes(), template),
        Err(e) => ctx.out.problem(Diagnostic::error(
            format!("(theme) {template}"),
            0,
            0,
            format!(
                "template error rendering {path}: {}",
                crate::theme::error_chain(&e)
            ),
        )),
    }
}

/// Renders one shown document; returns its search entry, heading ids and anchor checks.
pub(super) fn document_page(ctx: &Ctx, i: usize, view: &DocView, links: &DocLinks) -> PageResult {
    let doc = &ctx.loaded.content.documents[i];
    let path = format!("{}index.html", doc.url_path);
    let mut context = Context::new();
    context.insert("doc", view);
    let search = SearchDoc {
        url: view.url.clone(),
        title: view.title.clone(),
        summary: view.summary.clone(),
        headings: Vec::new(),
        text: String::new(),
        restricted: view.restricted,
    };
    if view.restricted {
        render_to(ctx, "restricted.html", &context, &path);
        return (search, HashSet::new(), Vec::new());
    }
    let r = crate::markdown::render(&doc.body, doc.body_line, links, ctx.hl, true);
    for n in &r.notes {
        ctx.out.problem(Diagnostic::warning(
            &doc.source,
            n.line,
            n.col,
            n.message.clone(),
        ));
    }
    if r.had_raw_html {
        ctx.out.problem(Diagnostic::warning(
            &doc.source,
            doc.body_line,
            1,
            "raw HTML is shown as text, not interpreted (trustsite escapes HTML in Markdown)",
        ));
    }
    let overdue = ctx.loaded.config.review.show_on_site && ctx.reviews[i].status.is_failing();
    context.insert("content", &r.html);
    context.insert("toc", &r.toc);
    context.insert("overdue", &overdue);
    render_to(ctx, "page.html", &context, &path);
    let headings = r.toc.iter().map(|t| t.title.clone()).collect();
    let search = SearchDoc {
        headings,
        text: r.text,
        ..search
    };
    (search, r.ids, r.anchor_checks)
}

fn categories<'a>(shown: &[&'a DocView]) -> BTreeMap<String, Vec<&'a DocView>> {
    let mut map: BTreeMap<String, Vec<&DocView>> = BTreeMap::new();
    for v in shown {
        map.entry(v.category.clone()).or_default().push(v);
    }
    for docs in map.values_mut() {
        docs.sort_by(|a, b| views::listing_order(a, b));
    }
    map
}

fn frameworks<'a>(shown: &[&'a DocView]) -> BTreeMap<String, BTreeMap<String, Vec<&'a DocView>>> {
    let mut map: BTreeMap<String, BTreeMap<String, Vec<&DocView>>> = BTreeMap::new();
    for v in shown {
        for f in &v.frameworks {
            for c in &f.controls {
                map.entry(f.name.clone())
                    .or_default()
                    .entry(c.id.clone())
                    .or_default()
                    .push(v);
            }
        }
    }
    map
}

fn intro_html(ctx: &Ctx, doc: &crate::content::Document) -> String {
    let none = super::links::LinkIndex::new(&ctx.loaded.content.documents, &[]);
    let _ = none;
    let r = crate::markdown::render(&doc.body, doc.body_line, &NoRewrite, ctx.hl, false);
    for n in &r.notes {
        ctx.out.problem(Diagnostic::warning(
            &doc.source,
            n.line,
            n.col,
            n.message.clone(),
        ));
    }
    r.html
}

/// Intros (home, listings) keep their links as written.
struct NoRewrite;
impl crate::markdown::LinkPolicy for NoRewrite {
    fn decide(&self, _dest: &str) -> crate::markdown::LinkDecision {
        crate::markdown::LinkDecision::default()
    }
}

fn listing(ctx: &Ctx, name: &str, rel: &str, intro: String, docs: &[&DocView]) -> ListingView {
    ListingView {
        name: name.to_string(),
        url: ctx.urls.url(rel),
        intro_html: intro,
        documents: docs.iter().map(|d| (*d).clone()).collect(),
    }
}

/// Every page and file besides document pages, the manifest last.
pub(super) fn render_site_pages(ctx: &Ctx, search: Vec<SearchDoc>) {
    let shown: Vec<&DocView> = ctx.views.iter().flatten().collect();
    let cats = categories(&shown);
    let listings = category_pages(ctx, &cats);
    home(ctx, listings, &shown, &cats);
    tag_pages(ctx, &shown);
    framework_pages(ctx, &shown);
    subprocessors(ctx);
    let changes = views::changes(&shown);
    let mut c = Context::new();
    c.insert("changes", &changes);
    render_to(ctx, "changes.html", &c, "changes/index.html");
    render_to(ctx, "404.html", &Context::new(), "404.html");
    files(ctx, &shown, &changes, &search);
    assets(ctx);
    manifest(ctx, &shown);
}

fn category_pages(ctx: &Ctx, cats: &BTreeMap<String, Vec<&DocView>>) -> Vec<ListingView> {
    let mut out = Vec::new();
    for (name, docs) in cats {
        let intro = ctx
            .loaded
            .content
            .intros
            .get(name)
            .map(|d| intro_html(ctx, d))
            .unwrap_or_default();
        let rel = Urls::category_rel(name);
        let l = listing(ctx, name, &rel, intro, docs);
        let mut c = Context::new();
        c.insert("listing", &l);
        c.insert("kind", "category");
        render_to(ctx, "listing.html", &c, &format!("{rel}index.html"));
        out.push(l);
    }
    out
}

fn home(
    ctx: &Ctx,
    categories: Vec<ListingView>,
    shown: &[&DocView],
    cats: &BTreeMap<String, Vec<&DocView>>,
) {
    let _ = cats;
    let mut c = Context::new();
    let intro = match &ctx.loaded.content.home {
        Some(d) => serde_json::json!({"title": d.title, "html": intro_html(ctx, d)}),
        None => serde_json::json!({"title": ctx.loaded.config.title, "html": ""}),
    };
    let restricted = shown.iter().filter(|d| d.restricted).count();
    let overdue = shown
        .iter()
        .filter(|d| d.status == "overdue" || d.status == "never_reviewed")
        .count();
    c.insert("intro", &intro);
    c.insert("categories", &categories);
    c.insert("certifications", &certifications(ctx));
    let fws: Vec<Link> = frameworks(shown)
        .keys()
        .map(|n| Link {
            title: n.clone(),
            url: ctx.urls.url(&Urls::framework_rel(n)),
        })
        .collect();
    c.insert("frameworks", &fws);
    c.insert(
        "stats",
        &serde_json::json!({"total": shown.len(), "public": shown.len() - restricted, "restricted": restricted, "overdue": overdue}),
    );
    render_to(ctx, "index.html", &c, "index.html");
}

fn certifications(ctx: &Ctx) -> Vec<CertificationView> {
    let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    ctx.loaded
        .config
        .certifications
        .iter()
        .map(|cert| CertificationView {
            name: cert.name.clone(),
            status: cert.status.as_str().to_string(),
            status_label: cert.status.label().to_string(),
            issued: date(cert.issued),
            expires: date(cert.expires),
            expired: cert.status == CertStatus::Certified
                && cert.expires.is_some_and(|e| e < ctx.opts.today),
            description: cert.description.clone(),
            report: cert.report.as_ref().and_then(|id| {
                ctx.views
                    .iter()
                    .flatten()
                    .find(|v| &v.id == id)
                    .map(|v| Link {
                        title: v.title.clone(),
                        url: v.url.clone(),
                    })
            }),
        })
        .collect()
}

fn tag_pages(ctx: &Ctx, shown: &[&DocView]) {
    let mut tags: BTreeMap<String, (String, Vec<&DocView>)> = BTreeMap::new();
    for v in shown {
        for t in &v.tags {
            tags.entry(crate::content::slugify(&t.title))
                .or_insert_with(|| (t.title.clone(), Vec::new()))
                .1
                .push(v);
        }
    }
    let mut index = Vec::new();
    for (name, docs) in tags.values_mut() {
        docs.sort_by(|a, b| views::listing_order(a, b));
        let rel = Urls::tag_rel(name);
        let l = listing(ctx, name, &rel, String::new(), docs);
        let mut c = Context::new();
        c.insert("listing", &l);
        c.insert("kind", "tag");
        c.insert("tags_url", &ctx.urls.url("tags/"));
        render_to(ctx, "listing.html", &c, &format!("{rel}index.html"));
        index.push(Link {
            title: name.clone(),
            url: l.url,
        });
    }
    let mut c = Context::new();
    c.insert("tags", &index);
    render_to(ctx, "tags.html", &c, "tags/index.html");
}

fn framework_pages(ctx: &Ctx, shown: &[&DocView]) {
    let fws = frameworks(shown);
    let mut index = Vec::new();
    for (name, controls) in &fws {
        let catalogue = ctx.loaded.config.frameworks.get(name);
        let mut list: Vec<ControlView> = controls
            .iter()
            .map(|(id, docs)| ControlView {
                id: id.clone(),
                anchor: views::control_anchor(id),
                title: catalogue
                    .and_then(|c| c.controls.get(id))
                    .cloned()
                    .unwrap_or_default(),
                documents: docs
                    .iter()
                    .map(|d| Link {
                        title: d.title.clone(),
                        url: d.url.clone(),
                    })
                    .collect(),
            })
            .collect();
        list.sort_by(|a, b| views::natural_cmp(&a.id, &b.id));
        let rel = Urls::framework_rel(name);
        let view = FrameworkView {
            name: name.clone(),
            url: ctx.urls.url(&rel),
            controls: list,
        };
        let mut c = Context::new();
        c.insert("framework", &view);
        c.insert("frameworks_url", &ctx.urls.url("frameworks/"));
        render_to(ctx, "framework.html", &c, &format!("{rel}index.html"));
        index.push(Link {
            title: name.clone(),
            url: view.url,
        });
    }
    if !index.is_empty() {
        let mut c = Context::new();
        c.insert("frameworks", &index);
        render_to(ctx, "frameworks.html", &c, "frameworks/index.html");
    }
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
            since: s.since.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    let mut c = Context::new();
    c.insert("subprocessors", &rows);
    render_to(ctx, "subprocessors.html", &c, "subprocessors/index.html");
}

fn files(ctx: &Ctx, shown: &[&DocView], changes: &[crate::view::ChangeView], search: &[SearchDoc]) {
    let site = &ctx.site;
    let updated = changes
        .first()
        .map(|c| format!("{}T00:00:00Z", c.date))
        .unwrap_or_else(|| crate::cli_time::rfc3339(ctx.opts.build_time));
    ctx.out.emit(
        "feed.xml",
        crate::feeds::atom(site, changes, &updated).as_bytes(),
        "feed.xml",
    );
    let mut entries = vec![(ctx.urls.base_url.clone(), String::new())];
    entries.extend(shown.iter().map(|d| {
        let lastmod = if d.last_reviewed.is_empty() {
            d.effective.clone()
        } else {
            d.last_reviewed.clone()
        };
        (d.permalink.clone(), lastmod)
    }));
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
    ctx.out.emit(
        "search-index.json",
        crate::search::build_index(search).as_bytes(),
        "search-index.json",
    );
    let api = crate::api::pages_json(shown);
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
        ctx.out.problem(Diagnostic::warning("trust.yaml", 0, 0, "no `security_contact`: .well-known/security.txt is not generated (RFC 9116 requires a Contact)"));
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
            ctx.out.problem(Diagnostic::warning(
                "trust.yaml",
                0,
                0,
                format!("`security_txt.policy`: no published public document with id `{p}`"),
            ));
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

fn assets(ctx: &Ctx) {
    for (path, bytes) in &ctx.theme.asset_files {
        ctx.out.emit(path, bytes, "(theme)");
    }
    for asset in &ctx.loaded.content.assets {
        let published = match asset.owner {
            Some(i) => ctx.views[i].as_ref().is_some_and(|v| !v.restricted),
            None => true,
        };
        if !published {
            continue;
        }
        let origin = format!("content/{}", asset.rel);
        match std::fs::read(&asset.abs) {
            Ok(bytes) => ctx
                .out
                .emit(&asset_output_path(ctx, asset), &bytes, &origin),
            Err(e) => ctx
                .out
                .problem(Diagnostic::error(origin, 0, 0, format!("cannot read: {e}"))),
        }
    }
}

/// Bundle assets sit beside their document's page; other files keep their path.
fn asset_output_path(ctx: &Ctx, asset: &crate::content::Asset) -> String {
    let Some(i) = asset.owner else {
        return asset.rel.clone();
    };
    let doc = &ctx.loaded.content.documents[i];
    let dir = doc.bundle_dir.as_deref().unwrap_or("");
    let inner = asset
        .rel
        .strip_prefix(dir)
        .unwrap_or(&asset.rel)
        .trim_start_matches('/');
    format!("{}{inner}", doc.url_path)
}

fn manifest(ctx: &Ctx, shown: &[&DocView]) {
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
        build_time: crate::cli_time::rfc3339(ctx.opts.build_time),
        today: ctx.opts.today.to_string(),
        documents: shown.iter().map(|v| ManifestDoc::from_view(v)).collect(),
        files,
    };
    ctx.out.emit(
        crate::manifest::FILE,
        m.to_json().as_bytes(),
        "manifest.json",
    );
}
