//! Markdown to HTML with pulldown-cmark: one document body at a time.
//!
//! Owns the Markdown dialect (tables, footnotes, strikethrough, task lists,
//! heading attributes), stable heading ids, the table of contents, code
//! highlighting (through [`Highlighter`]), the raw-HTML policy (an allow-list
//! of harmless tags, see [`crate::sanitize`]; comments never reach any
//! output), unsafe link schemes, third-party images, one `<h1>` per page, and
//! plain text for search. Template syntax of migrated corpora (Hugo
//! shortcodes, ERB) is rewritten first by [`crate::shortcodes`], with lines
//! mapped back to the file. Links are decided by the caller's [`LinkPolicy`];
//! this module knows nothing about other documents.

use crate::anchors::{HeadingIds, Ids};
use crate::highlight::Highlighter;
use crate::view::TocEntry;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;

/// How one body is read, beyond the Markdown dialect itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// Heading id style (`markdown.heading_ids`).
    pub heading_ids: HeadingIds,
    /// The document's title: a leading `# Title` that repeats it is dropped.
    pub title: Option<&'a str>,
    /// The organization's name, for comply's `{{.Name}}`.
    pub organization: Option<&'a str>,
}

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

    /// Decision for the target of a Hugo `{{< ref >}}`/`{{< relref >}}`
    /// (`path#anchor` as written); by default the `.md` path relative to
    /// the page.
    fn decide_ref(&self, target: &str) -> LinkDecision {
        self.decide(&crate::shortcodes::ref_target(target))
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
    /// True when the body contained raw HTML (sanitised).
    pub had_raw_html: bool,
}

/// Where a body sits in its file, to turn byte offsets into lines.
pub struct Position<'a> {
    body: &'a str,
    first_line: usize,
    /// Line of the file's body for each line of `body` (after preprocessing).
    line_map: Option<&'a [usize]>,
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
            line_map: None,
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
        let line = self
            .line_map
            .and_then(|m| m.get(idx).copied())
            .unwrap_or(idx);
        (self.first_line + line, col)
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body` (starting on `first_line` of its file) with default options.
pub fn render(
    body: &str,
    first_line: usize,
    links: &dyn LinkPolicy,
    hl: &Highlighter,
    want_text: bool,
) -> Rendered {
    render_with(
        body,
        first_line,
        links,
        hl,
        want_text,
        &RenderOptions::default(),
    )
}

/// Renders `body` (starting on `first_line` of its file).
pub fn render_with(
    body: &str,
    first_line: usize,
    links: &dyn LinkPolicy,
    hl: &Highlighter,
    want_text: bool,
    opts: &RenderOptions,
) -> Rendered {
    walk(
        body,
        first_line,
        links,
        Some(hl),
        want_text,
        opts,
        |mut r| {
            let mut html = String::with_capacity(body.len() * 2);
            pulldown_cmark::html::push_html(&mut html, r.events.into_iter());
            r.out.ids = r.ids.seen;
            r.out.html = if r.out.had_raw_html {
                crate::sanitize::clean(&html)
            } else {
                html
            };
            r.out
        },
    )
}

/// The events of `body` after the same decisions as [`render_with`] (links
/// and images resolved or dropped, raw HTML checked, the title heading
/// dropped), for other output formats (the PDF). Headings come as
/// `Start(Heading)` with their final id and level, code blocks as one
/// `Text` between `Start`/`End` `CodeBlock`, raw HTML as `Html` events
/// (not sanitised: the caller treats them as text). Warnings are in the
/// returned [`Rendered`]; its `html` is empty.
pub fn events(
    body: &str,
    first_line: usize,
    links: &dyn LinkPolicy,
    opts: &RenderOptions,
) -> (Rendered, Vec<Event<'static>>) {
    walk(body, first_line, links, None, false, opts, |mut r| {
        r.out.ids = r.ids.seen;
        let events = r.events.into_iter().map(Event::into_static).collect();
        (r.out, events)
    })
}

/// What [`render_with`] finds in `body` (links decided, ids, anchors to
/// check, warnings) without making its HTML: the walk of [`events`], its
/// events dropped (`check` validates and writes nothing).
pub fn scan(
    body: &str,
    first_line: usize,
    links: &dyn LinkPolicy,
    opts: &RenderOptions,
) -> Rendered {
    walk(body, first_line, links, None, false, opts, |mut r| {
        r.out.ids = r.ids.seen;
        r.out
    })
}

/// The walk shared by [`render_with`] (`hl` given: headings and code as
/// HTML) and [`events`] (`hl` None: as events); `finish` takes the renderer.
fn walk<T>(
    body: &str,
    first_line: usize,
    links: &dyn LinkPolicy,
    hl: Option<&Highlighter>,
    want_text: bool,
    opts: &RenderOptions,
    finish: impl FnOnce(Renderer<'_, '_>) -> T,
) -> T {
    let pre = crate::shortcodes::needed(body)
        .then(|| crate::shortcodes::preprocess_with(body, opts.organization));
    let text = pre.as_ref().map_or(body, |p| p.text.as_str());
    let mut pos = Position::new(text, first_line);
    pos.line_map = pre.as_ref().map(|p| p.line_map.as_slice());
    let mut events: Vec<(Event, usize)> = Parser::new_ext(text, options())
        .into_offset_iter()
        .map(|(e, r)| (e, r.start))
        .collect();
    drop_title_heading(&mut events, opts.title);
    let has_h1 = events.iter().any(|(e, _)| {
        matches!(
            e,
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            })
        )
    });
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
        ids: Ids::new(opts.heading_ids),
        demote: u8::from(has_h1),
        html: crate::sanitize::Scanner::default(),
        image_stack: Vec::new(),
        html_block: Vec::new(),
        pandoc: pre
            .as_ref()
            .map(|p| {
                (p.pandoc_items.iter())
                    .map(|it| (first_line + it.line, (it.kind, it.value)))
                    .collect()
            })
            .unwrap_or_default(),
    };
    for (event, offset) in events {
        if let Event::Html(raw) = event {
            r.html_block.push((raw, offset));
            continue;
        }
        r.flush_html_block();
        r.event(event, offset);
    }
    r.flush_html_block();
    finish(r)
}

/// Drops a leading level-1 heading whose text is the document's title (the
/// page shows the title as its one `<h1>`).
fn drop_title_heading(events: &mut Vec<(Event, usize)>, title: Option<&str>) {
    let Some(title) = title else { return };
    let Some((
        Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }),
        _,
    )) = events.first()
    else {
        return;
    };
    let Some(end) = events
        .iter()
        .position(|(e, _)| matches!(e, Event::End(TagEnd::Heading(_))))
    else {
        return;
    };
    let text: String = events[1..end]
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    if norm(&text) == norm(title) {
        events.drain(..=end);
    }
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
    hl: Option<&'a Highlighter>,
    want_text: bool,
    heading: Option<HeadingState<'e>>,
    code: Option<(String, String)>,
    /// For each open link: whether it was dropped.
    link_stack: Vec<bool>,
    /// Heading ids given so far.
    ids: Ids,
    /// Levels to add to every heading (1 when the body has an `<h1>`: the
    /// page's title is the one `<h1>`).
    demote: u8,
    /// Raw HTML read so far (comments may span fragments).
    html: crate::sanitize::Scanner,
    /// For each open image: whether it was dropped (its alt text is kept).
    image_stack: Vec<bool>,
    /// Lines of an HTML block read so far, with their offsets: a tag may
    /// span lines, so the block is examined whole.
    html_block: Vec<(CowStr<'e>, usize)>,
    /// Pandoc-style list items (comply) by file line: their list's HTML
    /// `type` and number.
    pandoc: std::collections::HashMap<usize, (char, u32)>,
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
            Event::Html(raw) | Event::InlineHtml(raw) => self.raw_html(raw, offset),
            Event::Start(Tag::List(Some(n))) => {
                let (line, _) = self.pos.at(offset);
                match self.pandoc.get(&line) {
                    // `a.`/`i.` lists keep their numbering style (HTML only:
                    // other formats number them as they do any list).
                    Some(&(kind, value)) if self.hl.is_some() => {
                        let start = if value == 1 {
                            String::new()
                        } else {
                            format!(" start=\"{value}\"")
                        };
                        self.emit(Event::Html(CowStr::from(format!(
                            "<ol type=\"{kind}\"{start}>\n"
                        ))));
                    }
                    _ => self.emit(Event::Start(Tag::List(Some(n)))),
                }
            }
            Event::Text(t) => {
                if !self.html.skipping() {
                    self.add_text(&t);
                }
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
            // Every block and table cell ends a word in the search text
            // (`RSA 2048` in a cell, `Password` in the next row: two words).
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_)
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition
                | TagEnd::FootnoteDefinition,
            ) => {
                self.add_text("\n");
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    /// The lines of an HTML block, as one fragment (see `html_block`).
    fn flush_html_block(&mut self) {
        if self.html_block.is_empty() {
            return;
        }
        let lines = std::mem::take(&mut self.html_block);
        let mut text = String::new();
        let mut starts = Vec::with_capacity(lines.len());
        for (raw, offset) in &lines {
            starts.push((text.len(), *offset));
            text.push_str(raw);
        }
        self.raw_fragment(text, &starts);
    }

    /// Inline raw HTML: one tag.
    fn raw_html(&mut self, raw: CowStr<'e>, offset: usize) {
        self.raw_fragment(raw.into_string(), &[(0, offset)]);
    }

    /// Raw HTML passes to the sanitiser at the end; what it will remove is
    /// reported here, at its own line, and only its text reaches search.
    /// Its links and images go through the same link rule as Markdown's
    /// (`starts`: where each joined line begins, and its source offset).
    fn raw_fragment(&mut self, raw: String, starts: &[(usize, usize)]) {
        let at = |p: usize| {
            let (s, o) = starts
                .iter()
                .rev()
                .find(|(s, _)| *s <= p)
                .copied()
                .unwrap_or((0, starts.first().map_or(0, |x| x.1)));
            o + (p - s)
        };
        self.out.had_raw_html = true;
        let found = self.html.scan(&raw);
        for (p, code, message) in found.removed {
            self.note(at(p), code, message);
        }
        let raw = CowStr::from(self.raw_urls(raw, &at));
        self.add_text(&found.text);
        self.emit(Event::Html(raw));
    }

    /// Sends the `href`/`src` of raw `<a>`/`<img>` through the link policy:
    /// rewritten like Markdown links, removed when the policy drops them or
    /// when character references hide what they point to.
    fn raw_urls(&mut self, raw: String, at: &dyn Fn(usize) -> usize) -> String {
        let attrs = crate::sanitize::url_attributes(&raw);
        if attrs.is_empty() {
            return raw;
        }
        let mut out = String::with_capacity(raw.len());
        let mut done = 0;
        for u in attrs {
            let name = if u.tag == "img" { "src" } else { "href" };
            let offset = at(u.tag_at);
            let replacement = match crate::sanitize::decode_attribute(&u.raw) {
                None => {
                    self.note(
                        offset,
                        "link/unverifiable",
                        format!(
                            "`{name}` of raw HTML `<{}>` removed: its character references hide where it points; write the URL plainly",
                            u.tag
                        ),
                    );
                    Some(String::new())
                }
                Some(dest) => self
                    .raw_url(u.tag, dest.trim(), offset)
                    .map(|href| match href {
                        Some(h) => format!("{name}=\"{}\"", crate::highlight::escape_attr(&h)),
                        None => String::new(),
                    }),
            };
            if let Some(r) = replacement {
                out.push_str(&raw[done..u.span.start]);
                out.push_str(&r);
                done = u.span.end;
            }
        }
        out.push_str(&raw[done..]);
        out
    }

    /// The decision for one raw-HTML URL: None keeps the attribute as it
    /// is (URLs with a scheme are the sanitiser's), Some(None) removes it,
    /// Some(Some(url)) writes `url`.
    fn raw_url(&mut self, tag: &str, dest: &str, offset: usize) -> Option<Option<String>> {
        let has_scheme = dest
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|first| first.contains(':'));
        let is_ref = crate::shortcodes::ref_mark(dest).is_some();
        if dest.is_empty() || (has_scheme && !is_ref) || dest.starts_with("//") {
            return None;
        }
        let mut decision = self.decide(dest, tag == "img");
        if let Some(w) = decision.warning.take() {
            self.note(offset, decision.code, w);
        }
        if let Some((doc, anchor)) = decision.anchor_check.take() {
            let (line, col) = self.pos.at(offset);
            self.out.anchor_checks.push((doc, anchor, line, col));
        }
        if decision.drop {
            return Some(None);
        }
        Some(Some(decision.href.unwrap_or_else(|| dest.to_string())))
    }

    /// The policy's decision for `dest` (a Hugo `ref` when it carries the
    /// preprocessor's mark).
    fn decide(&self, dest: &str, image: bool) -> LinkDecision {
        if let Some(target) = crate::shortcodes::ref_mark(dest) {
            return self.links.decide_ref(&target);
        }
        if image {
            self.links.decide_image(dest)
        } else {
            self.links.decide(dest)
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
            self.decide(&dest_url, false)
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
        let mut decision = self.decide(&dest, true);
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
        let Some(hl) = self.hl else {
            let kind = CodeBlockKind::Fenced(CowStr::from(lang));
            self.emit(Event::Start(Tag::CodeBlock(kind)));
            self.emit(Event::Text(CowStr::from(code)));
            self.emit(Event::End(TagEnd::CodeBlock));
            return;
        };
        let html = hl.block(&lang, &code);
        self.emit(Event::Html(CowStr::from(html)));
    }

    fn finish_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let title = h.text.trim().to_string();
        let lvl = (h.level as u8 + self.demote).min(6);
        let id = self.ids.id(&title, lvl, h.id.clone());
        if self.hl.is_none() {
            self.heading_event(h, lvl, &id);
        } else {
            self.heading_html(h, lvl, &id, &title);
        }
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

    /// A heading as events (see [`events`]), at its final level.
    fn heading_event(&mut self, h: HeadingState<'e>, lvl: u8, id: &str) {
        let level = HeadingLevel::try_from(usize::from(lvl)).unwrap_or(h.level);
        let classes = h.classes.into_iter().map(CowStr::from).collect();
        self.events.push(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(id.to_string())),
            classes,
            attrs: Vec::new(),
        }));
        self.events.extend(h.events);
        self.events.push(Event::End(TagEnd::Heading(level)));
    }

    fn heading_html(&mut self, h: HeadingState<'e>, lvl: u8, id: &str, title: &str) {
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
            crate::highlight::escape_attr(id)
        );
        self.events.push(Event::Html(CowStr::from(open)));
        self.events.extend(h.events);
        // Focusable, so it is named rather than `aria-hidden` (axe: a hidden
        // element must not take keyboard focus).
        let anchor = format!(
            "<a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section: {}\">#</a></h{lvl}>\n",
            crate::highlight::escape_attr(id),
            crate::highlight::escape_attr(title)
        );
        self.events.push(Event::Html(CowStr::from(anchor)));
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
        let r = md("## Scope & Purpose\n\n## Scope & Purpose\n\n### Roles {#roles}\n");
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
    fn raw_html_is_sanitised_with_warnings_at_its_line() {
        let r = md(
            "Hello <script>alert(1)</script>\n\n<div onclick=x>hi</div>\n\n| a | b |\n|---|---|\n| x<br>y | <!-- note --> |\n\n<font>f</font>\n",
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("alert"), "{}", r.html);
        assert!(!r.html.contains("onclick"));
        assert!(r.html.contains("<div>hi</div>"), "{}", r.html);
        assert!(r.html.contains("x<br>y"), "{}", r.html);
        assert!(!r.html.contains("&lt;br"), "{}", r.html);
        assert!(!r.html.contains("note"));
        assert!(
            !r.text.contains("note") && !r.text.contains("alert"),
            "{}",
            r.text
        );
        assert!(r.had_raw_html);
        let lines: Vec<(usize, usize)> = r.notes.iter().map(|n| (n.line, n.col)).collect();
        assert_eq!(lines, [(5, 7), (7, 1), (13, 1)], "{:?}", r.notes);
    }

    #[test]
    fn shortcodes_and_erb_never_show_and_keep_lines() {
        let body = "{{< label name=\"Visibility: Audit\" >}}\n\n{{% alert title=\"T\" %}}\nInside *x*\n{{% /alert %}}\n\n[a](javascript:x) {{< foo >}}\n\n# <%= current_page.data.title %>\n";
        let r = md(body);
        assert!(!r.html.contains("{{"), "{}", r.html);
        assert!(!r.html.contains("<%"), "{}", r.html);
        assert!(
            r.html.contains("<div class=\"callout callout-alert\">"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<em>x</em>"));
        assert_eq!((r.notes[0].line, r.notes[0].col), (11, 1), "{:?}", r.notes);
    }

    #[test]
    fn pandoc_lists_keep_their_letters_and_numerals() {
        let r = md("c. Third\n\n    i. One\n\n    ii. Two\n\nd. Fourth <br>\n");
        assert!(r.html.contains("<ol type=\"a\" start=\"3\">"), "{}", r.html);
        assert!(r.html.contains("<ol type=\"i\">"), "{}", r.html);
        assert!(!r.html.contains("<pre"), "no code block: {}", r.html);
        assert_eq!(r.html.matches("</ol>").count(), 2, "{}", r.html);
        let plain = md("1. One\n2. Two\n");
        assert!(plain.html.contains("<ol>"), "{}", plain.html);
    }

    #[test]
    fn one_h1_per_page() {
        let opts = RenderOptions {
            title: Some("Access Policy"),
            ..RenderOptions::default()
        };
        let r = render_with(
            "# Access  policy\n\n## Scope\n",
            1,
            &Keep,
            &Highlighter::new(false),
            false,
            &opts,
        );
        assert!(!r.html.contains("<h1"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"scope\">"));
        let r = render_with(
            "# Purpose\n\n## Sub\n",
            1,
            &Keep,
            &Highlighter::new(false),
            false,
            &opts,
        );
        assert!(r.html.contains("<h2 id=\"purpose\">"), "{}", r.html);
        assert!(r.html.contains("<h3 id=\"sub\">"), "{}", r.html);
        let techdocs = RenderOptions {
            heading_ids: HeadingIds::Redcarpet,
            ..RenderOptions::default()
        };
        let r = render_with(
            "## security.txt\n\n#### 1. Establish an incident lead\n",
            1,
            &Keep,
            &Highlighter::new(false),
            false,
            &techdocs,
        );
        assert!(
            r.ids.contains("security-txt") && r.ids.contains("1-establish-an-incident-lead"),
            "{:?}",
            r.ids
        );
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
    #[test]
    fn table_cells_and_rows_end_words_in_the_text() {
        let r = md("| a | b |\n| --- | --- |\n| RSA 2048 | x |\n| Password | y |\n");
        for word in ["2048", "Password", "a", "b", "x", "y"] {
            assert!(
                r.text.split_whitespace().any(|w| w == word),
                "{word} is not a word of {:?}",
                r.text
            );
        }
    }
}
