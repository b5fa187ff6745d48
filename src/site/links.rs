//! The link rule: every internal link and image, resolved and checked.
//!
//! A destination is percent-decoded and normalised, then looked up in every
//! form an author writes: a document's source (`../standards/x.md#scope`, any
//! Markdown spelling), its page (`../x/`, `/policies/x/`, `x.html`), a file
//! under content/ (`diagram.svg`, `/keys/key.asc`) or a generated page
//! (`/changes/`, a category listing). Relative paths are tried against the
//! source's folder, then against the page's URL (as a browser would);
//! root-relative ones against the site root, with or without the sub-path of
//! `base_url`. A found target is rewritten to its URL under the base path; a
//! withheld one (internal or draft document, copy, file of a bundle that is
//! not public) is removed with its text kept and a warning, so no withheld
//! name, slug or title reaches a page; anything else is reported as broken
//! (root-relative ones point at `links.external_base` when it is set).
//! Anchors are queued for checking once every document has been rendered.
//! Which files a page links to is recorded: a file is published only when a
//! published page needs it ([`crate::publish::assets`]).

use crate::content::Content;
use crate::markdown::{LinkDecision, LinkPolicy};
use crate::publish::{self, Plan, Publication};
use crate::urlpath::{decode_fragment, has_scheme, normalise, percent_decode};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The document index an introduction's `#anchor` links are queued under:
/// they name its own listing page, which the caller checks itself.
pub const OWN_PAGE: usize = usize::MAX;

/// What a destination names on this site.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Document i.
    Doc(usize),
    /// Content file i (`content.assets[i]`).
    Asset(usize),
    /// A generated page or file at this site-relative path.
    Page(String),
    /// A copy of a document (never published).
    Copy,
}

/// Lookup of everything a link may name, for one build.
pub struct LinkIndex<'a> {
    content: &'a Content,
    docs: Vec<Publication>,
    base_path: String,
    base_url: String,
    external_base: Option<String>,
    by_source: HashMap<String, usize>,
    by_url: HashMap<String, usize>,
    assets: HashMap<String, usize>,
    asset_urls: HashMap<String, usize>,
    copies: HashSet<String>,
    pages: BTreeSet<String>,
    /// `pages` in order, for [`LinkIndex::page_key`].
    page_list: Vec<String>,
    /// Documents by content-relative path without Markdown extension
    /// (`x/index.md` and a section's `x/_index.md` also as `x`),
    /// lowercased: Hugo's `ref` paths.
    by_stem: HashMap<String, usize>,
    /// Documents by file name without extension (a bundle's by its
    /// folder's), lowercased: Hugo's `ref "name"` lookup.
    by_base: HashMap<String, Vec<usize>>,
}

impl<'a> LinkIndex<'a> {
    /// The index of `content` under `plan`; `pages` are the site-relative
    /// paths of generated pages (`changes/`, `policies/`, `feed.xml`).
    pub fn new(
        content: &'a Content,
        plan: &Plan,
        urls: &super::views::Urls,
        external_base: Option<String>,
        pages: BTreeSet<String>,
    ) -> Self {
        let docs = &content.documents;
        let lower = |s: &str| s.to_lowercase();
        LinkIndex {
            content,
            docs: plan.docs.clone(),
            base_path: urls.base_path.clone(),
            base_url: urls.base_url.clone(),
            external_base,
            by_source: docs
                .iter()
                .enumerate()
                .map(|(i, d)| (lower(d.source.trim_start_matches("content/")), i))
                .collect(),
            by_url: docs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.url_path.clone(), i))
                .collect(),
            assets: (content.assets.iter().enumerate())
                .map(|(i, a)| (lower(&a.rel), i))
                .collect(),
            asset_urls: (content.assets.iter().enumerate())
                .map(|(i, a)| (lower(&publish::asset_output_path(content, a)), i))
                .collect(),
            copies: content.copies.iter().map(|c| lower(c)).collect(),
            page_list: pages.iter().cloned().collect(),
            pages,
            by_stem: (docs.iter().enumerate())
                .flat_map(|(i, d)| {
                    let key = stem_key(d.source.trim_start_matches("content/"));
                    let short = (key.strip_suffix("/index"))
                        .or_else(|| key.strip_suffix("/_index"))
                        .map(str::to_string);
                    std::iter::once((key, i)).chain(short.map(|k| (k, i)))
                })
                .collect(),
            by_base: {
                let mut m: HashMap<String, Vec<usize>> = HashMap::new();
                for (i, d) in docs.iter().enumerate() {
                    let key = stem_key(d.source.trim_start_matches("content/"));
                    let key = (key.strip_suffix("/index"))
                        .or_else(|| key.strip_suffix("/_index"))
                        .unwrap_or(&key);
                    let base = key.rsplit('/').next().unwrap_or(key);
                    m.entry(base.to_string()).or_default().push(i);
                }
                m
            },
        }
    }

    /// What a Hugo `ref` path (content-relative, normalised) names: a
    /// document by its path with or without extension, a file, a page.
    fn lookup_ref(&self, path: &str) -> Option<Target> {
        let trimmed = path.trim_end_matches('/');
        if let Some(&i) = self.by_stem.get(&stem_key(trimmed)) {
            return Some(Target::Doc(i));
        }
        self.lookup_source(path)
            .or_else(|| self.lookup_url(&format!("{trimmed}/")))
    }

    /// The key an anchor check on generated page `page` (`policies/`) is
    /// queued under, in place of a document index: counted down from just
    /// below [`OWN_PAGE`].
    pub fn page_key(&self, page: &str) -> Option<usize> {
        let pos = self
            .page_list
            .binary_search_by(|p| p.as_str().cmp(page))
            .ok()?;
        Some(OWN_PAGE - 1 - pos)
    }

    /// The generated page whose anchor checks are queued under `key`.
    pub fn page_of_key(&self, key: usize) -> Option<&str> {
        let pos = (OWN_PAGE - 1).checked_sub(key)?;
        self.page_list.get(pos).map(String::as_str)
    }

    /// The generated pages links may name (memo keys cover them).
    pub fn pages(&self) -> &BTreeSet<String> {
        &self.pages
    }

    /// The policy for links in a page whose source is `source`
    /// (`content/policies/x.md`) and whose URL is `url_path` (`policies/x/`);
    /// `from` is its document index (None for introductions).
    pub fn policy(&'a self, from: Option<usize>, source: &str, url_path: &str) -> PageLinks<'a> {
        let source = source.trim_start_matches("content/");
        PageLinks {
            index: self,
            from,
            source_dir: source.rsplit_once('/').map_or("", |(d, _)| d).to_string(),
            page_dir: url_path.to_string(),
            needs: RefCell::default(),
        }
    }

    /// The policy for links in document `i`.
    pub fn policy_for(&'a self, i: usize) -> PageLinks<'a> {
        let d = &self.content.documents[i];
        self.policy(Some(i), &d.source, &d.url_path)
    }

    /// A content-relative source path, or a site path.
    fn lookup_source(&self, path: &str) -> Option<Target> {
        let key = path.to_lowercase();
        if let Some(&i) = self.by_source.get(&key) {
            return Some(Target::Doc(i));
        }
        if let Some(&i) = self.assets.get(&key) {
            return Some(Target::Asset(i));
        }
        if self.copies.contains(&key) {
            return Some(Target::Copy);
        }
        self.lookup_url(path)
    }

    /// A site-relative URL path (`policies/x/`, `policies/x.html`).
    fn lookup_url(&self, path: &str) -> Option<Target> {
        let key = path.to_lowercase();
        if let Some(&i) = self.asset_urls.get(&key) {
            return Some(Target::Asset(i));
        }
        let page = key
            .strip_suffix("index.html")
            .map(str::to_string)
            .or_else(|| key.strip_suffix(".html").map(|p| format!("{p}/")))
            .unwrap_or_else(|| key.clone());
        if self.pages.contains(&key) {
            return Some(Target::Page(key));
        }
        let dir = if page.is_empty() || page.ends_with('/') {
            page
        } else {
            format!("{page}/")
        };
        if let Some(&i) = self.by_url.get(&dir) {
            return Some(Target::Doc(i));
        }
        if dir == "/" || self.pages.contains(&dir) {
            return Some(Target::Page(dir.trim_start_matches('/').to_string()));
        }
        let slugged = crate::content::url_path(dir.trim_end_matches('/'));
        self.by_url.get(&slugged).map(|&i| Target::Doc(i))
    }

    /// A path starting with `/`, with or without the base path.
    fn lookup_rooted(&self, path: &str) -> Option<Target> {
        if self.base_path != "/"
            && let Some(rest) = path.strip_prefix(&self.base_path)
            && let Some(t) = normalise("", rest).and_then(|p| self.lookup_source(&p))
        {
            return Some(t);
        }
        normalise("", path).and_then(|p| self.lookup_source(&p))
    }
}

/// Site-relative paths of the generated pages and files links may name.
pub(super) fn generated_pages(
    config: &crate::config::SiteConfig,
    views: &[Option<crate::view::DocView>],
) -> BTreeSet<String> {
    let mut pages: BTreeSet<String> = [
        "",
        "changes/",
        "tags/",
        "frameworks/",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "manifest.json",
        "search-index.json",
        "api/pages.json",
        ".well-known/security.txt",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    if !config.subprocessors.is_empty() {
        pages.insert("subprocessors/".to_string());
    }
    for v in views.iter().flatten() {
        pages.insert(super::views::Urls::category_rel(&v.category));
        pages.extend(v.tags.iter().map(|t| super::views::Urls::tag_rel(&t.title)));
        pages.extend(
            v.frameworks
                .iter()
                .map(|f| super::views::Urls::framework_rel(&f.name)),
        );
    }
    pages
}

/// Link policy of one page: resolves, checks, and records the content files
/// the page needs.
pub struct PageLinks<'a> {
    index: &'a LinkIndex<'a>,
    from: Option<usize>,
    source_dir: String,
    page_dir: String,
    needs: RefCell<BTreeSet<String>>,
}

impl PageLinks<'_> {
    /// Content files (outside bundles) this page linked to or embedded.
    pub fn needs(&self) -> Vec<String> {
        self.needs.borrow().iter().cloned().collect()
    }

    fn resolve(&self, dest: &str, image: bool) -> LinkDecision {
        let dest_trim = dest.trim();
        if dest_trim.is_empty() {
            return LinkDecision::default();
        }
        if let Some(anchor) = dest_trim.strip_prefix('#') {
            let anchor = decode_fragment(anchor);
            // An introduction's own anchors are checked against its listing
            // page (see [`OWN_PAGE`]).
            return LinkDecision {
                anchor_check: (!anchor.is_empty()).then(|| (self.from.unwrap_or(OWN_PAGE), anchor)),
                ..LinkDecision::default()
            };
        }
        let own = self
            .index
            .base_url
            .contains("://")
            .then(|| dest_trim.strip_prefix(&self.index.base_url))
            .flatten()
            .map(|rest| format!("{}{rest}", self.index.base_path));
        let dest_path = own.as_deref().unwrap_or(dest_trim);
        if has_scheme(dest_path) || dest_path.starts_with("//") {
            return LinkDecision::default();
        }
        let (rest, fragment) = match dest_path.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest_path, None),
        };
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let Some(decoded) = percent_decode(path) else {
            return warn(
                "link/broken",
                format!("broken link `{dest}`: not valid percent-encoded UTF-8"),
            );
        };
        if decoded.is_empty() {
            return LinkDecision::default();
        }
        let rooted = decoded.starts_with('/');
        let target = if rooted {
            self.index.lookup_rooted(&decoded)
        } else {
            self.lookup_relative(&decoded)
        };
        let what = if image { "image" } else { "link" };
        let Some(target) = target else {
            return self.not_found((what, dest), &decoded, rooted, (query, fragment));
        };
        let fragment = fragment.map(decode_fragment).filter(|f| !f.is_empty());
        self.decide_target(target, (what, dest), query, fragment)
    }

    /// The decision for a link to `target` (found), written `dest`.
    fn decide_target(
        &self,
        target: Target,
        (what, dest): (&str, &str),
        query: Option<&str>,
        fragment: Option<String>,
    ) -> LinkDecision {
        let with_fragment = |url: String| match &fragment {
            Some(f) => format!("{url}#{f}"),
            None => url,
        };
        let base = &self.index.base_path;
        match target {
            Target::Doc(i) => {
                let doc = &self.index.content.documents[i];
                match self.index.docs[i] {
                    Publication::Nothing => {
                        removed(what, dest, "it points to a document that is not published")
                    }
                    p => LinkDecision {
                        href: Some(with_fragment(format!("{base}{}", doc.url_path))),
                        anchor_check: fragment
                            .clone()
                            .filter(|_| p == Publication::Full)
                            .map(|f| (i, f)),
                        ..LinkDecision::default()
                    },
                }
            }
            Target::Asset(a) => {
                let asset = &self.index.content.assets[a];
                match asset.owner {
                    Some(i) if self.index.docs[i] != Publication::Full => removed(
                        what,
                        dest,
                        "it points to a file of a document that is not published in full",
                    ),
                    owner => {
                        if owner.is_none() {
                            self.needs.borrow_mut().insert(asset.rel.clone());
                        }
                        let out = publish::asset_output_path(self.index.content, asset);
                        LinkDecision {
                            href: Some(with_fragment(format!("{base}{out}"))),
                            ..LinkDecision::default()
                        }
                    }
                }
            }
            Target::Page(p) => {
                let q = query.map(|q| format!("?{q}")).unwrap_or_default();
                // An anchor on a generated page is checked when that page
                // shows an introduction (see [`LinkIndex::page_key`]).
                let check = fragment
                    .clone()
                    .and_then(|f| Some((self.index.page_key(&p)?, f)));
                LinkDecision {
                    href: Some(with_fragment(format!("{base}{p}{q}"))),
                    anchor_check: check,
                    ..LinkDecision::default()
                }
            }
            Target::Copy => removed(
                what,
                dest,
                "it points to a copy of a document, which is never published",
            ),
        }
    }

    /// Hugo's `ref`/`relref` lookup of `target` (`path#anchor`, the path
    /// with or without its Markdown extension): a path starting with `/`
    /// from content/; any other relative to this page's folder, then from
    /// content/, then (a bare name) the one document with that file name.
    fn hugo_ref(&self, target: &str) -> LinkDecision {
        // As the file may write it: `{{< ref "x" >}}` or `{{% relref "x" %}}`.
        let shown = format!("ref \"{target}\"");
        let (path, fragment) = match target.split_once('#') {
            Some((p, f)) => (p, Some(decode_fragment(f)).filter(|f| !f.is_empty())),
            None => (target, None),
        };
        let path = path.trim();
        if path.is_empty() {
            return match fragment {
                Some(f) => self.resolve(&format!("#{f}"), false),
                None => LinkDecision::default(),
            };
        }
        let rooted = path.starts_with('/');
        let mut tries: Vec<String> = Vec::new();
        if !rooted {
            tries.extend(normalise(&self.source_dir, path));
        }
        tries.extend(normalise("", path));
        let found = tries.iter().find_map(|p| self.index.lookup_ref(p));
        let found = match found {
            Some(t) => Ok(t),
            None if !rooted && !path.trim_end_matches('/').contains('/') => {
                let key = stem_key(path.trim_end_matches('/'));
                match self.index.by_base.get(&key).map(Vec::as_slice) {
                    Some([one]) => Ok(Target::Doc(*one)),
                    Some(many) if many.len() > 1 => Err(many.to_vec()),
                    _ => Err(Vec::new()),
                }
            }
            None => Err(Vec::new()),
        };
        match found {
            Ok(t) => self.decide_target(t, ("link", &shown), None, fragment),
            Err(many) if !many.is_empty() => {
                let docs = &self.index.content.documents;
                let names: Vec<&str> = many.iter().map(|&i| docs[i].source.as_str()).collect();
                warn(
                    "link/ref-ambiguous",
                    format!(
                        "`{shown}` is ambiguous: {} documents have that name ({}); write its path from content/ (`/{}`)",
                        names.len(),
                        names.join(", "),
                        names[0].trim_start_matches("content/")
                    ),
                )
            }
            Err(_) => warn(
                "link/broken",
                format!(
                    "broken link `{shown}`: no document at that path (relative to this page or content/) and none named `{path}`"
                ),
            ),
        }
    }

    /// A relative path: against the source's folder, then the page's URL.
    fn lookup_relative(&self, path: &str) -> Option<Target> {
        if let Some(t) =
            normalise(&self.source_dir, path).and_then(|p| self.index.lookup_source(&p))
        {
            return Some(t);
        }
        normalise(&self.page_dir, path).and_then(|p| self.index.lookup_url(&p))
    }

    /// A destination that names nothing on this site.
    fn not_found(
        &self,
        (what, dest): (&str, &str),
        decoded: &str,
        rooted: bool,
        (query, fragment): (Option<&str>, Option<&str>),
    ) -> LinkDecision {
        if rooted && let Some(ext) = &self.index.external_base {
            // The rest of the site lives there; a `.md` link names its page.
            let path = decoded.trim_start_matches('/');
            let markdown = path
                .rsplit('/')
                .next()
                .is_some_and(|n| crate::filekind::doc_stem(n).is_some());
            let mut href = if markdown {
                format!("{ext}{}", crate::content::url_path(path))
            } else {
                format!("{ext}{path}")
            };
            if let Some(q) = query.filter(|_| !markdown) {
                href = format!("{href}?{q}");
            }
            if let Some(f) = fragment {
                href = format!("{href}#{f}");
            }
            return LinkDecision {
                href: Some(href),
                ..LinkDecision::default()
            };
        }
        let dir = if rooted { "" } else { self.source_dir.as_str() };
        let Some(at) = normalise(dir, decoded) else {
            return warn(
                "link/outside",
                format!("broken {what} `{dest}`: it points outside content/"),
            );
        };
        let hint = if rooted && self.index.external_base.is_none() {
            "; if it belongs to another site, set `links.external_base` in trust.yaml"
        } else {
            ""
        };
        warn(
            "link/broken",
            format!("broken {what} `{dest}`: no document, page or file at `{at}`{hint}"),
        )
    }
}

impl LinkPolicy for PageLinks<'_> {
    fn decide(&self, dest: &str) -> LinkDecision {
        self.resolve(dest, false)
    }

    fn decide_ref(&self, target: &str) -> LinkDecision {
        self.hugo_ref(target)
    }

    fn decide_image(&self, dest: &str) -> LinkDecision {
        self.resolve(dest, true)
    }
}

/// `dir/name` without a Markdown extension, lowercased (`a/B.md` -> `a/b`).
fn stem_key(path: &str) -> String {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = crate::filekind::doc_stem(name).unwrap_or(name);
    let key = if dir.is_empty() {
        stem.to_string()
    } else {
        format!("{dir}/{stem}")
    };
    key.to_lowercase()
}

fn warn(code: &'static str, message: String) -> LinkDecision {
    LinkDecision {
        warning: Some(message),
        code,
        ..LinkDecision::default()
    }
}

fn removed(what: &str, dest: &str, why: &str) -> LinkDecision {
    LinkDecision {
        drop: true,
        warning: Some(format!("{what} `{dest}` removed: {why}")),
        code: "link/unpublished",
        ..LinkDecision::default()
    }
}
