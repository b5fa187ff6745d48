//! Listing pages: home, categories, tags, frameworks.
//!
//! They list shown documents only (the [`Ctx`] holds nothing else), each
//! addressed by its index ([`Listed`]). Each document enters the templates
//! as the one value built for it per build ([`Ctx::value_at`]): a listing
//! shares it instead of copying the view, so
//! a 10,000-document home page costs one pointer per row. Listings do not
//! depend on rendered bodies, so they render alongside the document pages,
//! each page in parallel.

use super::views::{self, Listed, Urls, categories, frameworks};
use super::{Ctx, render_page, render_to};
use crate::config::CertStatus;
use crate::diag::Diagnostic;
use crate::publish::Publication;
use crate::review::ReviewStatus;
use crate::view::{CertificationView, ControlView, FrameworkView, Link};
use rayon::prelude::*;
use std::collections::BTreeMap;
use tera::{Context, Value};

/// Renders every listing page; independent of the document pages.
pub(super) fn render(ctx: &Ctx, shown: &[Listed<'_>]) {
    rayon::join(
        || {
            let cats = categories(shown);
            let intros = category_pages(ctx, &cats);
            home(ctx, &cats, &intros, shown);
        },
        || rayon::join(|| tag_pages(ctx, shown), || framework_pages(ctx, shown)),
    );
}

/// Renders `template` to `path` with the context `make` builds, or, under
/// serve, emits the page the memo kept for the same `parts` and `docs`
/// (the context is then never built). The key covers the listed documents'
/// views, not their bodies: listings show views only.
fn memo_render(
    ctx: &Ctx,
    (template, path): (&str, &str),
    parts: &[&[u8]],
    docs: &[Listed<'_>],
    make: impl FnOnce() -> Context,
) {
    let Some((memo, keys)) = &ctx.memo else {
        return render_to(ctx, template, &make(), path);
    };
    let mut all = vec![template.as_bytes(), path.as_bytes()];
    all.extend_from_slice(parts);
    let key = keys.listing(&all, docs.iter().map(|d| keys.view(d.i)));
    if let Some(page) = memo.page(&key) {
        return ctx
            .out
            .emit_shared(path, &page.bytes, page.sha.clone(), template);
    }
    let mut diags = Vec::new();
    match render_page(ctx, template, &make(), path, &mut diags) {
        Some(page) => {
            ctx.out
                .emit_shared(path, &page.bytes, page.sha.clone(), template);
            memo.keep_page(key, std::sync::Arc::new(page));
        }
        None => diags.into_iter().for_each(|d| ctx.out.problem(d)),
    }
}

/// An introduction's HTML, its links resolved like a document's (against
/// its source and the listing page at `page`); anchors it links to and
/// files it needs are kept for after the document pages.
fn intro_html(ctx: &Ctx, doc: &crate::content::Document, page: &str) -> String {
    let links = ctx.links.policy(None, &doc.source, page);
    let opts = ctx.loaded.config.render_options(Some(&doc.title));
    let body = match doc.body.read() {
        Ok(body) => body,
        Err(msg) => {
            ctx.out.problem(super::pages::changed(doc, msg));
            return String::new();
        }
    };
    let r = crate::markdown::render_with(&body, doc.body_line, &links, ctx.hl, false, &opts);
    for n in &r.notes {
        ctx.out.problem(
            Diagnostic::warning(&doc.source, n.line, n.col, n.message.clone()).code(n.code),
        );
    }
    let (own, others): (Vec<_>, Vec<_>) =
        (r.anchor_checks.into_iter()).partition(|(d, ..)| *d == super::links::OWN_PAGE);
    // `#x` in an introduction names a heading of its own listing page.
    for (_, anchor, line, col) in own {
        if !r.ids.contains(&anchor) {
            let msg = format!(
                "broken anchor `#{anchor}`: no such heading in {} (shown on its listing page)",
                doc.source
            );
            ctx.out.problem(
                Diagnostic::warning(&doc.source, line, col, msg).code("link/broken-anchor"),
            );
        }
    }
    (ctx.intro_ids.lock().unwrap_or_else(|e| e.into_inner()))
        .insert(page.to_string(), r.ids.clone());
    let mut found = ctx.intro_found.lock().unwrap_or_else(|e| e.into_inner());
    found.0.extend(
        others
            .into_iter()
            .map(|(d, a, line, col)| (doc.source.clone(), d, a, line, col)),
    );
    found.1.extend(links.needs());
    r.html
}

/// The introduction of the listing `name`: the `_index.md` of the folder
/// whose name gives that category, when it is published and the listing
/// shows a document from that folder (an intro belongs to its folder, not to
/// whatever else names the same category).
fn category_intro<'a>(
    ctx: &'a Ctx,
    name: &str,
    docs: &[Listed<'_>],
) -> Option<&'a crate::content::Document> {
    let content = &ctx.loaded.content;
    content.intros.iter().find_map(|(folder, intro)| {
        let own = crate::content::category_name(folder) == name
            && ctx.plan.intros.get(folder) == Some(&Publication::Full);
        let prefix = format!("content/{folder}/");
        let lists_own = docs
            .iter()
            .any(|v| content.documents[v.i].source.starts_with(&prefix));
        (own && lists_own).then_some(intro)
    })
}

/// A listing as the templates see it (`name`, `url`, `intro_html`,
/// `documents`), sharing the documents' values.
fn listing(ctx: &Ctx, name: &str, url: &str, intro: String, docs: &[Listed<'_>]) -> Value {
    let documents: Vec<Value> = docs.iter().map(|d| ctx.value_at(d.i)).collect();
    let mut map: BTreeMap<&'static str, Value> = BTreeMap::new();
    map.insert("name", name.into());
    map.insert("url", url.into());
    map.insert("intro_html", intro.into());
    map.insert("documents", documents.into());
    map.into()
}

/// Renders the category pages; returns their introductions' HTML.
fn category_pages(ctx: &Ctx, cats: &BTreeMap<String, Vec<Listed>>) -> Vec<String> {
    let cats: Vec<(&String, &Vec<Listed>)> = cats.iter().collect();
    cats.par_iter()
        .map(|(name, docs)| {
            let rel = Urls::category_rel(name);
            let intro = category_intro(ctx, name, docs)
                .map(|d| intro_html(ctx, d, &rel))
                .unwrap_or_default();
            let path = format!("{rel}index.html");
            let parts = [name.as_bytes(), intro.as_bytes()];
            memo_render(ctx, ("listing.html", &path), &parts, docs, || {
                let url = ctx.urls.url(&rel);
                let mut c = Context::new();
                c.insert_value("listing", listing(ctx, name, &url, intro.clone(), docs));
                c.insert("kind", "category");
                c
            });
            intro
        })
        .collect()
}

fn home(ctx: &Ctx, cats: &BTreeMap<String, Vec<Listed>>, intros: &[String], shown: &[Listed<'_>]) {
    let home = (ctx.plan.home == Some(Publication::Full))
        .then_some(ctx.loaded.content.home.as_ref())
        .flatten();
    let intro = match home {
        Some(d) => serde_json::json!({"title": d.title, "html": intro_html(ctx, d, "")}),
        None => serde_json::json!({"title": ctx.loaded.config.title, "html": ""}),
    };
    let intro_key = intro.to_string();
    let mut parts: Vec<&[u8]> = vec![intro_key.as_bytes()];
    parts.extend(intros.iter().map(|i| i.as_bytes()));
    memo_render(ctx, ("index.html", "index.html"), &parts, shown, || {
        let categories: Vec<Value> = cats
            .iter()
            .zip(intros)
            .map(|((name, docs), intro)| {
                let url = ctx.urls.url(&Urls::category_rel(name));
                listing(ctx, name, &url, intro.clone(), docs)
            })
            .collect();
        home_context(ctx, intro, categories, shown)
    });
}

fn home_context(
    ctx: &Ctx,
    intro: serde_json::Value,
    categories: Vec<Value>,
    shown: &[Listed<'_>],
) -> Context {
    let mut c = Context::new();
    let restricted = shown.iter().filter(|d| d.restricted).count();
    let overdue = shown
        .iter()
        .filter(|d| {
            matches!(
                d.status,
                ReviewStatus::Overdue | ReviewStatus::NeverReviewed
            )
        })
        .count();
    c.insert("intro", &intro);
    c.insert_value("categories", categories.into());
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
    c
}

fn certifications(ctx: &Ctx) -> Vec<CertificationView> {
    ctx.loaded
        .config
        .certifications
        .iter()
        .map(|cert| CertificationView {
            name: cert.name.clone(),
            status: cert.status.as_str().to_string(),
            status_label: cert.status.label().to_string(),
            issued: cert.issued,
            expires: cert.expires,
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

fn tag_pages(ctx: &Ctx, shown: &[Listed<'_>]) {
    let mut tags: BTreeMap<String, (String, Vec<Listed>)> = BTreeMap::new();
    for v in shown {
        for t in &v.tags {
            tags.entry(crate::content::slugify(&t.title))
                .or_insert_with(|| (t.title.clone(), Vec::new()))
                .1
                .push(*v);
        }
    }
    let tags: Vec<(String, Vec<Listed>)> = tags.into_values().collect();
    let index: Vec<Link> = tags
        .into_par_iter()
        .map(|(name, mut docs)| {
            docs.sort_by(|a, b| views::listing_order(a, b));
            let rel = Urls::tag_rel(&name);
            let url = ctx.urls.url(&rel);
            let path = format!("{rel}index.html");
            memo_render(
                ctx,
                ("listing.html", &path),
                &[name.as_bytes()],
                &docs,
                || {
                    let mut c = Context::new();
                    c.insert_value("listing", listing(ctx, &name, &url, String::new(), &docs));
                    c.insert("kind", "tag");
                    c.insert("tags_url", &ctx.urls.url("tags/"));
                    c
                },
            );
            Link { title: name, url }
        })
        .collect();
    let mut c = Context::new();
    c.insert("tags", &index);
    render_to(ctx, "tags.html", &c, "tags/index.html");
}

fn framework_pages(ctx: &Ctx, shown: &[Listed<'_>]) {
    let fws = frameworks(shown);
    let mut index = Vec::new();
    for (name, controls) in &fws {
        let view = framework_view(ctx, name, controls);
        let mut c = Context::new();
        c.insert("framework", &view);
        c.insert("frameworks_url", &ctx.urls.url("frameworks/"));
        let rel = Urls::framework_rel(name);
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

fn framework_view(
    ctx: &Ctx,
    name: &str,
    controls: &BTreeMap<String, Vec<Listed>>,
) -> FrameworkView {
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
    FrameworkView {
        name: name.to_string(),
        url: ctx.urls.url(&Urls::framework_rel(name)),
        controls: list,
    }
}
