//! Markdown to HTML with pulldown-cmark: one document body at a time.
//!
//! Owns the Markdown dialect (tables, footnotes, strikethrough, task lists,
//! heading attributes), stable heading ids, the table of contents, code
//! highlighting (through [`Highlighter`]), the raw-HTML policy (escaped: shown
//! as text, never interpreted), unsafe link schemes, third-party images, and
//! plain text for search. Links are decided by the caller's [`LinkPolicy`];
//! this module knows nothing about other documents.

use crate::highlight::Highlighter;
use crate::view::TocEntry;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};

/// What to do with one link destination.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkDecision {
    /// Replacement href (None keeps the original).
    pub href: Option<String>,
    /// Drop the link, keep its text.
    pub drop: bool,
    /// Warning to report at the link's position.
    pub warning: Option<String>,
    /// Stable code of that warning (`link/broken`; see `diag`).
    pub code: &'static str,
    /// `(document index, anchor)` to check once every document is rendered.
    pub anchor_check: Option<(usize, String)>,
}

/// Decides about link destinations (resolving `.md` links to pretty URLs).
pub trait LinkPolicy {
    /// Decision for `dest` found in this document.
    fn decide(&self, dest: &str) -> LinkDecision;

    /// Decision for the source of a local image (remote ones never reach
    /// the policy); by default the same as a link's.
    fn decide_image(&self, dest: &str) -> LinkDecision {
        self.decide(dest)
    }
}

/// A problem found while rendering, with its line and column in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Line in the .md file.
    pub line: usize,
    /// Column.
    pub col: usize,
    /// Stable diagnostic code (`link/broken`).
    pub code: &'static str,
    /// Message.
    pub message: String,
}

/// The result of rendering one body.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Body HTML.
    pub html: String,
    /// Headings (level >= 2) for the table of contents.
    pub toc: Vec<TocEntry>,
    /// Every heading id on the page (for anchor checks).
    pub ids: HashSet<String>,
    /// Plain text (when asked for), for search.
    pub text: String,
    /// Warnings.
    pub notes: Vec<Note>,
    /// Anchors to check in other documents: (doc index, anchor, line, col).
    pub anchor_checks: Vec<(usize, String, usize, usize)>,
    /// True when the body contained raw HTML (escaped).
    pub had_raw_html: bool,
}

/// Where a body sits in its file, to turn byte offsets into lines.
pub struct Position<'a> {
    body: &'a str,
    first_line: usize,
    /// Byte offset of each line start, computed on the first lookup (most
    /// bodies need none).
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Position<'a> {
    /// `body` starts on line `first_line` of its file.
    pub fn new(body: &'a str, first_line: usize) -> Self {
        Position {
            body,
            first_line,
            line_starts: std::cell::OnceCell::new(),
        }
    }

    /// (line, col) of a byte offset, 1-based, in the file.
    pub fn at(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.body.match_indices('\n').map(|(i, _)| i + 1));
            starts
        });
        let idx = starts.partition_point(|&s| s <= offset) - 1;
        let start = starts[idx];
        let col = self.body[start..offset.min(self.body.len())]
            .chars()
            .count()
            + 1;
        (self.first_line + idx, col)
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body` (starting on `first_line` of its file).
pub fn render(
    body: &str,
    first_line: usize,
    links: &dyn LinkPolicy,
    hl: &Highlighter,
    want_text: bool,
) -> Rendered {
    let pos = Position::new(body, first_line);
    let mut r = Renderer {
        out: Rendered::default(),
        events: Vec::new(),
        pos: &pos,
        links,
        hl,
        want_text,
        heading: None,
        code: None,
        link_stack: Vec::new(),
        image_stack: Vec::new(),
        id_suffix: HashMap::new(),
    };
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        r.event(event, range.start);
    }
    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, r.events.into_iter());
    r.out.html = html;
    r.out
}

struct HeadingState<'e> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<String>,
    events: Vec<Event<'e>>,
    text: String,
}

struct Renderer<'a, 'e> {
    out: Rendered,
    events: Vec<Event<'e>>,
    pos: &'a Position<'a>,
    links: &'a dyn LinkPolicy,
    hl: &'a Highlighter,
    want_text: bool,
    heading: Option<HeadingState<'e>>,
    code: Option<(String, String)>,
    /// For each open link: whether it was dropped.
    link_stack: Vec<bool>,
    /// For each open image: whether it was dropped (its alt text is kept).
    image_stack: Vec<bool>,
    /// Next suffix to try per heading id base (see [`unique_id`]).
    id_suffix: HashMap<String, usize>,
}

impl<'e> Renderer<'_, 'e> {
    fn emit(&mut self, e: Event<'e>) {
        match &mut self.heading {
            Some(h) => h.events.push(e),
            None => self.events.push(e),
        }
    }

    fn note(&mut self, offset: usize, code: &'static str, message: String) {
        let (line, col) = self.pos.at(offset);
        self.out.notes.push(Note {
            line,
            col,
            code,
            message,
        });
    }

    fn add_text(&mut self, t: &str) {
        if let Some(h) = &mut self.heading {
            h.text.push_str(t);
        }
        if self.want_text {
            self.out.text.push_str(t);
        }
    }

    fn event(&mut self, event: Event<'e>, offset: usize) {
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.finish_code(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                self.heading = Some(HeadingState {
                    level,
                    id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    events: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => self.finish_heading(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => self.start_link(link_type, dest_url, title, id, offset),
            Event::End(TagEnd::Link) => {
                if !self.link_stack.pop().unwrap_or(false) {
                    self.emit(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let Some(dest) = self.image_dest(dest_url, offset) else {
                    self.image_stack.push(true);
                    return;
                };
                self.image_stack.push(false);
                self.emit(Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                if !self.image_stack.pop().unwrap_or(false) {
                    self.emit(Event::End(TagEnd::Image));
                }
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                self.out.had_raw_html = true;
                self.add_text(&raw);
                self.emit(Event::Text(raw));
            }
            Event::Text(t) => {
                self.add_text(&t);
                self.emit(Event::Text(t));
            }
            Event::Code(t) => {
                self.add_text(&t);
                self.emit(Event::Code(t));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.add_text(" ");
                self.emit(event);
            }
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => {
                self.add_text("\n");
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    fn start_link(
        &mut self,
        link_type: pulldown_cmark::LinkType,
        dest_url: CowStr<'e>,
        title: CowStr<'e>,
        id: CowStr<'e>,
        offset: usize,
    ) {
        let mut decision = if link_type == pulldown_cmark::LinkType::Email {
            // `<someone@example.com>`: a mailto link, not a path.
            LinkDecision::default()
        } else if is_unsafe_scheme(&dest_url) {
            LinkDecision {
                drop: true,
                warning: Some(format!("link to `{dest_url}` removed: unsafe URL scheme")),
                code: "link/unsafe-scheme",
                ..LinkDecision::default()
            }
        } else {
            self.links.decide(&dest_url)
        };
        if let Some(w) = decision.warning.take() {
            self.note(offset, decision.code, w);
        }
        if let Some((doc, anchor)) = decision.anchor_check.take() {
            let (line, col) = self.pos.at(offset);
            self.out.anchor_checks.push((doc, anchor, line, col));
        }
        self.link_stack.push(decision.drop);
        if decision.drop {
            return;
        }
        let dest_url = decision.href.map(CowStr::from).unwrap_or(dest_url);
        self.emit(Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }));
    }

    /// Images from other hosts would make visitors' browsers call them:
    /// refused. A local one goes through the link policy; None: dropped
    /// (its alt text stays as text).
    fn image_dest(&mut self, dest: CowStr<'e>, offset: usize) -> Option<CowStr<'e>> {
        let lower = dest.to_ascii_lowercase();
        let remote =
            lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//");
        if remote || is_unsafe_scheme(&dest) {
            self.note(
                offset,
                "link/remote-image",
                format!("image `{dest}` not embedded: pages make no requests to other hosts; copy the image into content/"),
            );
            return Some(CowStr::from(""));
        }
        let mut decision = self.links.decide_image(&dest);
        if let Some(w) = decision.warning.take() {
            self.note(offset, decision.code, w);
        }
        if decision.drop {
            return None;
        }
        Some(decision.href.map(CowStr::from).unwrap_or(dest))
    }

    fn finish_code(&mut self) {
        let Some((lang, code)) = self.code.take() else {
            return;
        };
        if self.want_text {
            self.out.text.push_str(&code);
            self.out.text.push('\n');
        }
        let html = self.hl.block(&lang, &code);
        self.emit(Event::Html(CowStr::from(html)));
    }

    fn finish_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let title = h.text.trim().to_string();
        let base = h.id.clone().unwrap_or_else(|| slugify_anchor(&title));
        let id = unique_id(&mut self.out.ids, &mut self.id_suffix, base);
        let lvl = h.level as u8;
        let class = if h.classes.is_empty() {
            String::new()
        } else {
            format!(
                " class=\"{}\"",
                crate::highlight::escape_attr(&h.classes.join(" "))
            )
        };
        let open = format!(
            "<h{lvl} id=\"{}\"{class}>",
            crate::highlight::escape_attr(&id)
        );
        self.events.push(Event::Html(CowStr::from(open)));
        self.events.extend(h.events);
        // Focusable, so it is named rather than `aria-hidden` (axe: a hidden
        // element must not take keyboard focus).
        let anchor = format!(
            "<a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section: {}\">#</a></h{lvl}>\n",
            crate::highlight::escape_attr(&id),
            crate::highlight::escape_attr(&title)
        );
        self.events.push(Event::Html(CowStr::from(anchor)));
        if lvl >= 2 {
            self.out.toc.push(TocEntry {
                level: lvl,
                id,
                title,
            });
        }
        if self.want_text {
            self.out.text.push('\n');
        }
    }
}

fn is_unsafe_scheme(dest: &str) -> bool {
    let d: String = dest
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    d.starts_with("javascript:")
        || d.starts_with("vbscript:")
        || d.starts_with("data:")
        || d.starts_with("file:")
}

/// `base`, or `base-1`, `base-2`, ... when taken. `next` remembers, per base,
/// the first suffix not yet tried, so N identical headings cost O(N), not
/// O(N²) (a hostile file of identical headings used to take minutes).
fn unique_id(
    seen: &mut HashSet<String>,
    next: &mut HashMap<String, usize>,
    base: String,
) -> String {
    let base = if base.is_empty() {
        "section".to_string()
    } else {
        base
    };
    let mut id = base.clone();
    if seen.contains(&id) {
        let n = next.entry(base.clone()).or_insert(1);
        while seen.contains(&id) {
            id = format!("{base}-{n}");
            *n += 1;
        }
    }
    seen.insert(id.clone());
    id
}

/// GitHub-style heading anchor: lowercase, letters/digits/`-`/`_` kept,
/// spaces to `-`, everything else dropped.
pub fn slugify_anchor(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().collect::<String>())
            } else if c == ' ' {
                Some("-".to_string())
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Keep;
    impl LinkPolicy for Keep {
        fn decide(&self, dest: &str) -> LinkDecision {
            if dest.ends_with(".md") {
                LinkDecision {
                    href: Some("/resolved/".into()),
                    ..LinkDecision::default()
                }
            } else {
                LinkDecision::default()
            }
        }
    }

    fn md(body: &str) -> Rendered {
        render(body, 5, &Keep, &Highlighter::new(false), true)
    }

    #[test]
    fn headings_get_stable_unique_ids_and_toc() {
        let r = md("# Title\n\n## Scope & Purpose\n\n## Scope & Purpose\n\n### Roles {#roles}\n");
        assert!(r.html.contains("<h2 id=\"scope--purpose\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"scope--purpose-1\">"));
        assert!(r.html.contains("<h3 id=\"roles\">"));
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[2].title, "Roles");
    }

    #[test]
    fn many_identical_headings_get_distinct_ids_in_linear_time() {
        let r = md("## a {#a-1}\n\n## a\n\n## a\n\n## a\n");
        let ids: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a-1", "a", "a-2", "a-3"]);
        let body = "## same\n\n".repeat(20_000);
        let started = std::time::Instant::now();
        let r = md(&body);
        assert_eq!(r.ids.len(), 20_000);
        assert!(r.ids.contains("same-19999"));
        assert!(started.elapsed().as_secs() < 20, "quadratic heading ids");
    }

    #[test]
    fn gfm_features_render() {
        let r = md(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n\nNote[^1]\n\n[^1]: foot\n",
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn raw_html_is_escaped() {
        let r = md("Hello <script>alert(1)</script>\n\n<div onclick=x>hi</div>\n");
        assert!(!r.html.contains("<script>"));
        assert!(!r.html.contains("<div"));
        assert!(r.had_raw_html);
    }

    #[test]
    fn unsafe_links_and_remote_images_are_neutralised_with_positions() {
        let r = md("text\n\n[x](javascript:alert(1)) ![i](https://evil.example/p.png)\n");
        assert!(!r.html.contains("javascript:"));
        assert!(!r.html.contains("evil.example/p.png\""));
        assert_eq!(r.notes.len(), 2);
        assert_eq!((r.notes[0].line, r.notes[0].col), (7, 1));
    }

    #[test]
    fn email_autolinks_never_reach_the_link_policy() {
        struct Refuse;
        impl LinkPolicy for Refuse {
            fn decide(&self, dest: &str) -> LinkDecision {
                LinkDecision {
                    drop: true,
                    warning: Some(format!("asked about {dest}")),
                    ..LinkDecision::default()
                }
            }
        }
        let r = render(
            "Mail <security@example.com>.\n",
            1,
            &Refuse,
            &Highlighter::new(false),
            false,
        );
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        assert!(
            r.html.contains("href=\"mailto:security@example.com\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn md_links_follow_the_policy_and_code_is_highlighted() {
        let r = md("[a](other.md)\n\n```rust\nfn x() {}\n```\n");
        assert!(r.html.contains("href=\"/resolved/\""));
        assert!(r.html.contains("hl-"));
        assert!(r.text.contains("fn x()"));
    }
}
