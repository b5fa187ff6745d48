//! What is published: the one place that decides, for every file under
//! `content/`, what it is and what of it reaches the output.
//!
//! [`crate::filekind::classify`] (below this module, since the content walker
//! uses it too) names what a file is from its path alone (a document in any
//! Markdown spelling, the home or a folder's introduction, a copy of a
//! document, another file, or nothing). [`Audience::document`] and
//! [`Audience::intro`] give a document's or intro's [`Publication`] (full page,
//! stub or nothing); [`assets`] gives every other file's [`FileDecision`] once
//! the published pages are known (a file is published only when something
//! published needs it). Every output — pages, listings, search, feed, sitemap,
//! manifest, API — goes through these; nothing else decides visibility.
//! This module reads no files and renders nothing.

use crate::config::{SiteConfig, Visibility};
use crate::content::{Asset, Content, Document};
use crate::diag::Diagnostic;
use std::collections::BTreeSet;

/// What of a document or introduction a build publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Publication {
    /// Its page in full (public, or previewed).
    Full,
    /// A stub: metadata and hash, no body (restricted).
    Stub,
    /// Nothing: no page, no listing entry, no trace (internal, draft).
    Nothing,
}

impl Publication {
    /// Whether anything of it is published (full page or stub).
    pub fn is_published(self) -> bool {
        self != Publication::Nothing
    }
}

/// Who a build is for: `build` and `check` publish; `serve --drafts` and
/// `serve --internal` preview more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// Drafts shown (serve --drafts).
    pub drafts: bool,
    /// Internal documents shown in full (serve --internal).
    pub internal: bool,
    /// The build's "today", instant and time zone, for Hugo's embargo
    /// fields (withheld like drafts); None: any embargo withholds.
    pub clock: Option<crate::embargo::Clock>,
}

impl Audience {
    /// The audience of `build` and `check`.
    pub const PUBLIC: Audience = Audience {
        drafts: false,
        internal: false,
        clock: None,
    };

    /// What of document `d` this audience gets.
    pub fn document(&self, d: &Document) -> Publication {
        let draft = d.fm.draft || d.fm.embargo.withholds(self.clock.as_ref());
        if draft && !self.drafts {
            return Publication::Nothing;
        }
        match d.visibility {
            Visibility::Public => Publication::Full,
            Visibility::Restricted => Publication::Stub,
            Visibility::Internal if self.internal => Publication::Full,
            Visibility::Internal => Publication::Nothing,
        }
    }

    /// The audience of `build` on this audience's clock: what is published
    /// whatever a preview shows.
    pub fn build(&self) -> Audience {
        Audience {
            drafts: false,
            internal: false,
            clock: self.clock.clone(),
        }
    }

    /// What of introduction `d` (home or folder) this audience gets: in full
    /// or nothing (an introduction has no stub).
    pub fn intro(&self, d: &Document) -> Publication {
        match self.document(d) {
            Publication::Full => Publication::Full,
            _ => Publication::Nothing,
        }
    }
}

/// Warnings about introductions this audience does not get although they
/// ask to be seen: an intro is all or nothing, so a `restricted` one is not
/// published.
pub fn intro_warnings(content: &Content, audience: Audience) -> Vec<Diagnostic> {
    content
        .home
        .iter()
        .chain(content.intros.values())
        .filter(|d| audience.document(d) == Publication::Stub)
        .map(|d| {
            let line = d.fm.lines.get("visibility").copied().unwrap_or(1);
            Diagnostic::warning(
                &d.source,
                line,
                1,
                "an introduction is published in full or not at all: this `restricted` one is not published",
            )
            .code("publish/restricted-intro")
        })
        .collect()
}

/// The publication of every document, introduction and other file.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// By document index.
    pub docs: Vec<Publication>,
    /// By document index: what `build` publishes of it (the same as `docs`
    /// unless this is a preview).
    pub built: Vec<Publication>,
    /// `content/index.md`.
    pub home: Option<Publication>,
    /// By folder (`policies`).
    pub intros: std::collections::BTreeMap<String, Publication>,
}

impl Plan {
    /// The plan of `content` for `audience` (other files are decided by
    /// [`assets`] once the pages are rendered).
    pub fn new(content: &Content, audience: Audience) -> Plan {
        let build = audience.build();
        Plan {
            docs: content
                .documents
                .iter()
                .map(|d| audience.document(d))
                .collect(),
            built: (content.documents.iter())
                .map(|d| build.document(d))
                .collect(),
            home: content.home.as_ref().map(|d| audience.intro(d)),
            intros: content
                .intros
                .iter()
                .map(|(f, d)| (f.clone(), audience.intro(d)))
                .collect(),
        }
    }

    /// Whether document `i` gets what only a document `build` publishes in
    /// full has, whatever a preview shows: its PDF and the pages (and
    /// redline) of its earlier versions. Never a restricted, internal, draft
    /// or embargoed one.
    pub fn attachments(&self, i: usize) -> bool {
        self.docs.get(i) == Some(&Publication::Full)
            && self.built.get(i) == Some(&Publication::Full)
    }

    /// Whether the files of the bundle of document `i` are published (only
    /// with its full page).
    pub fn bundle_files(&self, i: usize) -> bool {
        self.docs.get(i) == Some(&Publication::Full)
    }
}

/// What a build does with one file that is not a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileDecision {
    /// Written at this output path (site-relative).
    Publish(String),
    /// Not written: its bundle's document is not published in full.
    BundleWithheld,
    /// Not written: nothing published needs it (warned).
    Unneeded,
}

/// Output path of a file: a bundle file sits beside its document's page,
/// another file keeps its path.
pub fn asset_output_path(content: &Content, asset: &Asset) -> String {
    let Some(i) = asset.owner else {
        return asset.rel.clone();
    };
    let doc = &content.documents[i];
    let dir = doc.bundle_dir.as_deref().unwrap_or("");
    let inner = asset
        .rel
        .strip_prefix(dir)
        .unwrap_or(&asset.rel)
        .trim_start_matches('/');
    format!("{}{inner}", doc.url_path)
}

/// Decides every file that is not a document: a bundle's files follow their
/// document's full page; another file is published when a published page
/// links to or embeds it (`needed`, content-relative), `trust.yaml` refers to
/// it, or `publish.files` or `allow_active` names it; every other one is withheld with a
/// warning naming it (pushed to `diags`).
pub fn assets(
    content: &Content,
    plan: &Plan,
    config: &SiteConfig,
    base_url: &str,
    needed: &BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<FileDecision> {
    let referenced = config_references(config, base_url);
    content
        .assets
        .iter()
        .map(|a| match a.owner {
            Some(i) if plan.bundle_files(i) => {
                FileDecision::Publish(asset_output_path(content, a))
            }
            Some(_) => FileDecision::BundleWithheld,
            None if needed.contains(&a.rel)
                || referenced.contains(&a.rel)
                || config.publish_files.iter().any(|g| glob_match(g, &a.rel))
                || config
                    .allow_active
                    .iter()
                    .any(|p| p.strip_prefix("content/") == Some(a.rel.as_str())) =>
            {
                FileDecision::Publish(a.rel.clone())
            }
            None => {
                diags.push(
                    Diagnostic::warning(
                        format!("content/{}", a.rel),
                        0,
                        0,
                        "file withheld: no published page links to or embeds it; list it under `publish.files` in trust.yaml to publish it anyway",
                    )
                    .code("asset/withheld"),
                );
                FileDecision::Unneeded
            }
        })
        .collect()
}

/// Content-relative paths `trust.yaml` points at through URLs on this site
/// (`security_txt.encryption: https://trust.example.com/keys/key.asc`).
fn config_references(config: &SiteConfig, base_url: &str) -> BTreeSet<String> {
    let mut urls: Vec<&str> = config.security_contact.iter().map(String::as_str).collect();
    urls.extend(config.security_txt.encryption.as_deref());
    urls.extend(config.security_txt.policy.as_deref());
    let bases = [base_url, config.base_url.as_str()];
    let paths = [
        crate::config::base_path(base_url),
        crate::config::base_path(&config.base_url),
    ];
    urls.iter()
        .filter_map(|u| {
            let rest = bases
                .iter()
                .filter(|b| b.contains("://"))
                .find_map(|b| u.strip_prefix(*b))
                .or_else(|| paths.iter().find_map(|p| u.strip_prefix(p.as_str())))?;
            let rest = rest.split(['?', '#']).next().unwrap_or(rest);
            crate::urlpath::decode_path(rest)
        })
        .collect()
}

/// Whether `path` matches the glob `pat`: `*` and `?` match within one
/// path segment, `**` matches any number of segments.
pub fn glob_match(pat: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = p[2..].strip_prefix(b"/").unwrap_or(&p[2..]);
                (0..=s.len()).any(|i| (i == 0 || s[i - 1] == b'/') && go(rest, &s[i..]))
                    || go(&p[2..], s)
            }
            Some(b'*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| go(&p[1..], &s[i..])),
            Some(b'?') => s.first().is_some_and(|&c| c != b'/') && go(&p[1..], &s[1..]),
            Some(&c) => s.first() == Some(&c) && go(&p[1..], &s[1..]),
        }
    }
    go(pat.as_bytes(), path.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loaded document (through `content::load`, so new fields never
    /// break this test).
    fn doc(visibility: Visibility, draft: bool) -> Document {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let text = format!(
            "---\ntitle: X\nvisibility: {}\ndraft: {draft}\n---\nBody.\n",
            visibility.as_str()
        );
        std::fs::write(root.join("content/x.md"), text).unwrap();
        let config = crate::config::parse("title: T\n", root).ok().unwrap();
        let mut c = crate::content::load(root, &config, &mut Vec::new());
        c.documents.remove(0)
    }

    #[test]
    fn publication_for_each_audience() {
        use Publication::*;
        let preview = Audience {
            drafts: true,
            internal: true,
            clock: None,
        };
        let cases = [
            (Visibility::Public, false, Full, Full, Full),
            (Visibility::Restricted, false, Stub, Nothing, Stub),
            (Visibility::Internal, false, Nothing, Nothing, Full),
            (Visibility::Public, true, Nothing, Nothing, Full),
        ];
        for (vis, draft, public, intro, previewed) in cases {
            let d = doc(vis, draft);
            assert_eq!(Audience::PUBLIC.document(&d), public, "{vis:?} {draft}");
            assert_eq!(Audience::PUBLIC.intro(&d), intro, "{vis:?} {draft}");
            assert_eq!(preview.document(&d), previewed, "{vis:?} {draft}");
        }
    }

    #[test]
    fn only_what_build_publishes_in_full_gets_attachments_even_in_previews() {
        let preview = Audience {
            drafts: true,
            internal: true,
            clock: None,
        };
        let content = Content {
            documents: vec![
                doc(Visibility::Public, false),
                doc(Visibility::Restricted, false),
                doc(Visibility::Internal, false),
                doc(Visibility::Public, true),
            ],
            ..Content::default()
        };
        let plan = Plan::new(&content, Audience::PUBLIC);
        let attached: Vec<bool> = (0..4).map(|i| plan.attachments(i)).collect();
        assert_eq!(attached, [true, false, false, false]);
        let plan = Plan::new(&content, preview);
        assert_eq!(
            plan.docs,
            [
                Publication::Full,
                Publication::Stub,
                Publication::Full,
                Publication::Full
            ]
        );
        let attached: Vec<bool> = (0..4).map(|i| plan.attachments(i)).collect();
        assert_eq!(
            attached,
            [true, false, false, false],
            "a preview shows more, attaches no more"
        );
        assert!(!plan.attachments(4));
    }

    #[test]
    fn globs_match_segments() {
        assert!(glob_match("downloads/*.pdf", "downloads/a.pdf"));
        assert!(!glob_match("downloads/*.pdf", "downloads/x/a.pdf"));
        assert!(glob_match("**/*.pdf", "downloads/x/a.pdf"));
        assert!(glob_match("**/*.pdf", "a.pdf"));
        assert!(glob_match("google?.html", "google1.html"));
        assert!(!glob_match("*.html", "x/a.html"));
    }
}
