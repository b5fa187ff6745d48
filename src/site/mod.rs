//! Assembling a site: config + documents -> every output file, streamed.
//!
//! [`load`] reads trust.yaml and content/; [`render`] renders documents in
//! parallel and every generated page and file into a [`Sink`], recording
//! SHA-256s for the manifest, which it writes last. What is published is
//! decided by [`crate::publish`] alone (the build's [`Plan`]): only what it
//! publishes ever reaches a view, a template, an index or the sink. `build`,
//! `check` and `serve` all call this; none of them renders anything itself.

mod documents;
mod evidence;
mod links;
mod listings;
mod pages;
pub mod pdfs;
mod redirects;
mod versions;
pub mod views;

pub mod rebuild;

use crate::config::{self, ConfigError, SiteConfig};
use crate::content::{self, Content};
use crate::diag::Diagnostic;
use crate::highlight::Highlighter;
use crate::output::Sink;
use crate::publish::{Audience, Plan, Publication};
use crate::review::{self, Review, ReviewInput};
use crate::search::Indexer;
use crate::site::rebuild::Rebuild;
use crate::theme::Theme;
use crate::view::DocView;
use jiff::civil::Date;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use views::Urls;

/// What a build needs beyond the site files; time is always given, never read.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// "Today" for review statuses.
    pub today: Date,
    /// The build instant (manifest, security.txt Expires).
    pub build_time: jiff::Timestamp,
    /// Overrides trust.yaml's base_url.
    pub base_url: Option<String>,
    /// Show drafts (serve --drafts).
    pub drafts: bool,
    /// Show internal documents (serve --internal).
    pub internal: bool,
    /// Build the search index (off for `check`, which writes nothing).
    pub search: bool,
    /// Signature and download bundle.
    pub evidence: Evidence,
}

/// What a build adds as evidence beyond manifest.json and the OSCAL file.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Signs manifest.json into manifest.json.sig (build with a key only).
    pub signer: Option<std::sync::Arc<crate::sign::Signer>>,
    /// A preview (`serve`): no download bundle and no OSCAL export, and no
    /// link to them (a preview needs no download, and zipping every source
    /// on each keystroke would cost more than the rebuild).
    pub preview: bool,
    /// `check` (writes nothing): sources are screened for the bundle, with
    /// the same warnings as `build`, but the zip is not compressed.
    pub validate_only: bool,
}

/// A loaded site: config, content and the problems found loading it.
pub struct Loaded {
    /// Site root.
    pub root: PathBuf,
    /// Validated config.
    pub config: SiteConfig,
    /// Content.
    pub content: Content,
    /// Problems found while loading.
    pub diags: Vec<Diagnostic>,
    /// Versions from git (empty when there is no repository).
    pub history: crate::versions::History,
}

/// Loads trust.yaml and content/.
pub fn load(root: &Path) -> Result<Loaded, ConfigError> {
    load_with(root, None)
}

/// [`load`], reusing documents (and git history) that earlier loads kept
/// in `memo` (serve).
pub fn load_with(root: &Path, memo: Option<&Rebuild>) -> Result<Loaded, ConfigError> {
    let config = config::load(root)?;
    let mut diags = Vec::new();
    let cache = memo.map(|m| &m.content);
    let mut content = content::load_with(root, &config, &mut diags, cache);
    let files = content.assets.iter().map(|a| a.rel.as_str());
    diags.extend(crate::active::check_names(files, &config.allow_active));
    let history = crate::versions::load(
        root,
        &config,
        &mut content,
        &mut diags,
        memo.map(|m| &m.history),
    );
    Ok(Loaded {
        root: root.to_path_buf(),
        config,
        content,
        diags,
        history,
    })
}

/// Review of every document (internal ones included) for `today`.
pub fn reviews(loaded: &Loaded, today: Date) -> Vec<Review> {
    loaded
        .content
        .documents
        .iter()
        .map(|d| {
            let input = ReviewInput {
                controlled: d.fm.controlled_document,
                last_reviewed: d.fm.last_reviewed,
                next_review: d.fm.next_review,
                cycle: d.fm.review_cycle.unwrap_or(loaded.config.review.cycle),
            };
            let mut r = review::evaluate(&input, today, loaded.config.review.warn_days);
            // tech-docs: a page is expired on its review-by day itself.
            if loaded.config.review.overdue_on_due_day && r.days_left == Some(0) {
                r.status = review::ReviewStatus::Overdue;
            }
            r
        })
        .collect()
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Public documents published in full.
    pub public: usize,
    /// Restricted documents (stub pages).
    pub restricted: usize,
    /// Documents not published (internal, drafts).
    pub withheld: usize,
    /// Overdue documents (all of them, internal ones included).
    pub overdue: usize,
    /// Controlled documents never reviewed (counted apart, as `check` does).
    pub never_reviewed: usize,
    /// Files written.
    pub files: usize,
}

/// The result of a render: every problem, counts, and per-document reviews.
pub struct Outcome {
    /// Problems (load problems included), sorted.
    pub diags: Vec<Diagnostic>,
    /// Counts.
    pub stats: Stats,
    /// Review of each document, by index.
    pub reviews: Vec<Review>,
    /// SHA-256 of every file written (manifest.json itself excluded).
    pub hashes: BTreeMap<String, String>,
}

impl Outcome {
    /// True when any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

impl BuildOptions {
    /// Who this build is for, on its "today" and build instant in the
    /// site's time zone (Hugo's embargo fields withhold a page like `draft`).
    pub fn audience(&self, config: &SiteConfig) -> Audience {
        Audience {
            drafts: self.drafts,
            internal: self.internal,
            clock: Some(crate::embargo::Clock {
                today: self.today,
                now: self.build_time,
                // The config's zone was validated; UTC only if it vanished since.
                tz: jiff::tz::TimeZone::get(&config.timezone).unwrap_or(jiff::tz::TimeZone::UTC),
            }),
        }
    }
}

/// Hashes and forwards files to the sink; refuses a path written twice.
pub(crate) struct Emitter<'a> {
    sink: &'a dyn Sink,
    /// False for `check` (validate only): nothing is written or listed in
    /// a manifest anyone reads, so files are not hashed.
    hash: bool,
    hashes: Mutex<BTreeMap<String, String>>,
    diags: Mutex<Vec<Diagnostic>>,
}

impl<'a> Emitter<'a> {
    fn new(sink: &'a dyn Sink, hash: bool) -> Self {
        Emitter {
            sink,
            hash,
            hashes: Mutex::default(),
            diags: Mutex::default(),
        }
    }

    /// Writes one output file; `origin` names the source for messages.
    pub(crate) fn emit(&self, path: &str, bytes: &[u8], origin: &str) {
        self.emit_hashed(path, bytes, self.digest(bytes), origin);
    }

    /// The SHA-256 (hex) of an output file's bytes (empty for `check`).
    pub(crate) fn digest(&self, bytes: &[u8]) -> String {
        if self.hash {
            crate::digest::hex(&Sha256::digest(bytes))
        } else {
            String::new()
        }
    }

    /// [`Emitter::emit`] for bytes whose SHA-256 (hex) is already known.
    pub(crate) fn emit_hashed(&self, path: &str, bytes: &[u8], hash: String, origin: &str) {
        if self.record(path, hash, origin) {
            let put = self.sink.put(path, bytes);
            self.put_result(path, put, origin);
        }
    }

    /// [`Emitter::emit_hashed`] for shared bytes (kept, not copied, by an
    /// in-memory sink).
    pub(crate) fn emit_shared(
        &self,
        path: &str,
        bytes: &crate::output::SharedBytes,
        hash: String,
        origin: &str,
    ) {
        if self.record(path, hash, origin) {
            let put = self.sink.put_shared(path, bytes);
            self.put_result(path, put, origin);
        }
    }

    /// Records `path`'s hash; false (and an error) when it was produced before.
    fn record(&self, path: &str, hash: String, origin: &str) -> bool {
        let dup = {
            let mut h = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
            h.insert(path.to_string(), hash).is_some()
        };
        if dup {
            self.problem(
                Diagnostic::error(
                    origin,
                    0,
                    0,
                    format!("output file `{path}` is produced twice: rename the file or document"),
                )
                .code("output/duplicate-path"),
            );
        }
        !dup
    }

    /// Reports a failed write.
    fn put_result(&self, path: &str, put: std::io::Result<()>, origin: &str) {
        if let Err(e) = put {
            self.problem(
                Diagnostic::error(origin, 0, 0, format!("cannot write `{path}`: {e}"))
                    .code("output/write-failed"),
            );
        }
    }

    /// Records a problem.
    pub(crate) fn problem(&self, d: Diagnostic) {
        self.diags.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }
}

/// Everything a render stage reads, shared by the page builders.
pub(crate) struct Ctx<'a> {
    pub loaded: &'a Loaded,
    pub opts: &'a BuildOptions,
    pub urls: Urls,
    pub theme: Theme,
    pub hl: &'a Highlighter,
    pub out: Emitter<'a>,
    pub reviews: Vec<Review>,
    /// Views of shown documents by document index.
    pub views: Vec<Option<DocView>>,
    /// Site-wide view (also in the templates' global context).
    pub site: crate::view::SiteView,
    /// Search-index terms of each document, computed as its page renders.
    pub indexer: Indexer,
    /// What this build publishes (documents and introductions).
    pub plan: Plan,
    /// Every name a link may resolve to.
    pub links: links::LinkIndex<'a>,
    /// What introductions found while rendering: anchors to check in other
    /// documents (source, doc, anchor, line, col) and content files needed.
    pub intro_found: Mutex<(Vec<IntroCheck>, std::collections::BTreeSet<String>)>,
    /// Heading ids of the introduction each generated page shows, by the
    /// page's site-relative path (`policies/`, `` for home): anchors that
    /// documents link to there are checked against them.
    pub intro_ids: Mutex<std::collections::HashMap<String, std::collections::HashSet<String>>>,
    /// Rendered pages kept across rebuilds (serve only) and this build's keys.
    pub memo: Option<(&'a Rebuild, crate::site::rebuild::Keys)>,
    /// Each shown document's view as a template value, built at most once
    /// and shared (cheaply cloned) by its page and every listing.
    values: Vec<OnceLock<tera::Value>>,
    /// Extra public output files the download bundle carries besides the
    /// sources (e.g. PDFs): whoever emits one also pushes it here with
    /// [`Ctx::add_to_bundle`].
    bundle_extras: Mutex<Vec<crate::bundle::Entry>>,
}

impl Ctx<'_> {
    /// The template value of shown document `i`.
    pub(crate) fn value_at(&self, i: usize) -> tera::Value {
        match &self.views[i] {
            Some(v) => self.values[i]
                .get_or_init(|| {
                    let make = || tera::Value::from_serializable(v);
                    match &self.memo {
                        Some((memo, keys)) => match keys.doc(i) {
                            Some(key) => memo.value(key, make),
                            None => make(),
                        },
                        None => make(),
                    }
                })
                .clone(),
            None => tera::Value::none(),
        }
    }

    /// Adds a public output file (already emitted at `path`) to the
    /// download bundle, under `public/<path>`.
    pub(crate) fn add_to_bundle(&self, path: &str, bytes: Vec<u8>) {
        let entry = crate::bundle::Entry {
            name: format!("public/{path}"),
            bytes,
        };
        let mut extras = self.bundle_extras.lock().unwrap_or_else(|e| e.into_inner());
        extras.push(entry);
    }
}

/// Renders `template` to `path` and emits it, or records the template error.
pub(crate) fn render_to(ctx: &Ctx, template: &str, context: &tera::Context, path: &str) {
    let mut diags = Vec::new();
    match render_page(ctx, template, context, path, &mut diags) {
        Some(page) => ctx.out.emit_shared(path, &page.bytes, page.sha, template),
        None => diags.into_iter().for_each(|d| ctx.out.problem(d)),
    }
}

/// Renders `template` into a page (bytes and SHA-256), or a template error
/// into `diags`.
pub(crate) fn render_page(
    ctx: &Ctx,
    template: &str,
    context: &tera::Context,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<rebuild::Page> {
    match ctx.theme.tera.render(template, context) {
        Ok(html) => {
            let bytes = std::sync::Arc::new(html.into_bytes());
            let sha = ctx.out.digest(&bytes);
            Some(rebuild::Page { bytes, sha })
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    format!("(theme) {template}"),
                    0,
                    0,
                    format!(
                        "template error rendering {path}: {}",
                        crate::theme::error_chain(&e)
                    ),
                )
                .code("template/render"),
            );
            None
        }
    }
}

/// An anchor an introduction links to: (source, document, anchor, line, col).
pub(crate) type IntroCheck = (String, usize, String, usize, usize);

/// Renders the whole site into `sink`, cold.
pub fn render(loaded: &Loaded, opts: &BuildOptions, hl: &Highlighter, sink: &dyn Sink) -> Outcome {
    render_with(loaded, opts, hl, None, sink)
}

/// [`render`], reusing pages kept in `memo` by earlier renders (serve) and
/// keeping this render's pages there.
pub fn render_with(
    loaded: &Loaded,
    opts: &BuildOptions,
    hl: &Highlighter,
    memo: Option<&Rebuild>,
    sink: &dyn Sink,
) -> Outcome {
    let mut diags = loaded.diags.clone();
    let reviews = reviews(loaded, opts.today);
    future_review_warnings(loaded, opts.today, &mut diags);
    let ctx = match context(loaded, opts, hl, memo, sink, reviews, &mut diags) {
        Ok(ctx) => ctx,
        Err(reviews) => return finish(diags, Stats::default(), reviews, BTreeMap::new()),
    };
    let shown = views::shown(&ctx.views);
    let (docs, (((), version_needs), ())) = rayon::join(
        || documents::render(&ctx),
        || {
            rayon::join(
                || rayon::join(|| listings::render(&ctx, &shown), || versions::render(&ctx)),
                || pdfs::render(&ctx),
            )
        },
    );
    let mut needed = documents::check_links(&ctx, &docs);
    needed.extend(version_needs);
    let docs: Vec<_> = docs.into_iter().flatten().collect();
    let search = match memo {
        _ if !opts.search => String::new(),
        Some(memo) => memo.search_index(docs),
        None => search_index(docs),
    };
    pages::render_site_pages(&ctx, search, &needed);
    if let Some((memo, _)) = ctx.memo {
        memo.sweep();
    }
    let stats = stats(&ctx);
    let Ctx { out, reviews, .. } = ctx;
    diags.extend(out.diags.into_inner().unwrap_or_else(|e| e.into_inner()));
    let hashes = out.hashes.into_inner().unwrap_or_else(|e| e.into_inner());
    finish(diags, stats, reviews, hashes)
}

/// The search index (JSON) of the rendered document pages: merged as soon
/// as they are there, alongside the listings.
fn search_index(docs: Vec<std::sync::Arc<crate::site::rebuild::DocPage>>) -> String {
    crate::search::merge(&docs.iter().map(|d| &d.entry).collect::<Vec<_>>())
}

/// The view of each document the build publishes (None for the others).
fn doc_views(
    loaded: &Loaded,
    plan: &Plan,
    urls: &Urls,
    reviews: &[Review],
) -> Vec<Option<DocView>> {
    (loaded
        .content
        .documents
        .par_iter()
        .zip(reviews)
        .zip(&plan.docs)
        .enumerate())
    .map(|(i, ((d, r), p))| {
        p.is_published().then(|| {
            let mut v = views::doc_view((i, d), r, &loaded.config, plan, urls);
            versions::attach(&mut v, (i, d), loaded.history.of(i), plan, urls);
            v
        })
    })
    .collect()
}

/// Theme, views and site view: everything the page builders share (Err
/// gives `reviews` back when the theme cannot be used).
fn context<'a>(
    loaded: &'a Loaded,
    opts: &'a BuildOptions,
    hl: &'a Highlighter,
    memo: Option<&'a Rebuild>,
    sink: &'a dyn Sink,
    reviews: Vec<Review>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Ctx<'a>, Vec<Review>> {
    let config = &loaded.config;
    let base_url = config::normalize_base_url(opts.base_url.as_deref().unwrap_or(&config.base_url));
    let urls = Urls {
        base_path: config::base_path(&base_url),
        base_url,
    };
    let extra = vec![(
        "highlight.css".to_string(),
        crate::highlight::stylesheet().into_bytes(),
    )];
    let theme = crate::theme::load(
        &loaded.root,
        config.theme.as_deref(),
        extra,
        &urls.base_path,
        diags,
    );
    let Some(mut theme) = theme else {
        return Err(reviews);
    };
    let plan = Plan::new(&loaded.content, opts.audience(&loaded.config));
    diags.extend(crate::publish::intro_warnings(
        &loaded.content,
        opts.audience(&loaded.config),
    ));
    let mut views = doc_views(loaded, &plan, &urls, &reviews);
    let links = links::LinkIndex::new(
        &loaded.content,
        &plan,
        &urls,
        config.external_base.clone(),
        links::generated_pages(&loaded.config, &views),
    );
    pdfs::withhold(loaded, &plan, &links, &mut views, diags);
    let site = pages::site_view(loaded, opts, &urls, &theme, &views);
    theme.tera.global_context().insert("site", &site);
    let searchable = views.iter().flatten().filter(|v| !v.restricted).count();
    let mut ctx = Ctx {
        loaded,
        opts,
        urls,
        theme,
        hl,
        out: Emitter::new(sink, !opts.evidence.validate_only),
        reviews,
        values: views.iter().map(|_| OnceLock::new()).collect(),
        views,
        site,
        indexer: Indexer::new(searchable),
        plan,
        links,
        intro_found: Mutex::default(),
        intro_ids: Mutex::default(),
        memo: None,
        bundle_extras: Mutex::default(),
    };
    ctx.memo = memo.map(|m| (m, crate::site::rebuild::Keys::new(&ctx, m)));
    Ok(ctx)
}

fn finish(
    mut diags: Vec<Diagnostic>,
    mut stats: Stats,
    reviews: Vec<Review>,
    hashes: BTreeMap<String, String>,
) -> Outcome {
    crate::diag::sort(&mut diags);
    diags.dedup();
    stats.files = hashes.len();
    Outcome {
        diags,
        stats,
        reviews,
        hashes,
    }
}

fn stats(ctx: &Ctx) -> Stats {
    let mut s = Stats::default();
    for (i, p) in ctx.plan.docs.iter().enumerate() {
        match p {
            Publication::Stub => s.restricted += 1,
            Publication::Full => s.public += 1,
            Publication::Nothing => s.withheld += 1,
        }
        match ctx.reviews[i].status {
            review::ReviewStatus::Overdue => s.overdue += 1,
            review::ReviewStatus::NeverReviewed => s.never_reviewed += 1,
            _ => {}
        }
    }
    s
}

fn future_review_warnings(loaded: &Loaded, today: Date, diags: &mut Vec<Diagnostic>) {
    for d in &loaded.content.documents {
        if let Some(lr) = d.fm.last_reviewed.filter(|lr| *lr > today) {
            let line = d.fm.lines.get("last_reviewed").copied().unwrap_or(1);
            diags.push(
                Diagnostic::warning(
                    &d.source,
                    line,
                    1,
                    format!("`last_reviewed` {lr} is in the future (today is {today})"),
                )
                .code("review/future-date"),
            );
        }
    }
}
