//! Markdown events to typst markup in which no byte comes from the policy.
//!
//! [`emit`] walks the events [`crate::markdown::events`] gives (links,
//! images and raw HTML already decided as for the HTML page) and writes
//! typst markup that calls only the template's own functions with integer
//! arguments: every text, code, URL and label string goes into the
//! [`Emitted::strings`] table and is referred to as `#s(N)`. The table
//! reaches typst as data (`sys.inputs`), so a policy can never have typst
//! evaluate anything: there is nothing to escape. Work is bounded by
//! [`Limits`]; nesting deeper than [`MAX_DEPTH`] is flattened.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, Tag, TagEnd};
use std::fmt::Write as _;
use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, Theme, ThemeSet};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Containers (lists, quotes, tables) nested deeper than this are not
/// opened again: their content continues in the enclosing one.
pub const MAX_DEPTH: usize = 12;

/// Caps on one document's PDF work; a document beyond them gets a clear
/// error instead of a PDF (typst's layout time grows with them).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Headings.
    pub headings: usize,
    /// Table cells, all tables together.
    pub table_cells: usize,
    /// Bytes of code in code blocks.
    pub code_bytes: usize,
    /// Strings (text runs, highlighted spans, URLs) overall.
    pub items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            headings: 1_000,
            table_cells: 10_000,
            code_bytes: 128 * 1024,
            items: 200_000,
        }
    }
}

/// What to link relative URLs against.
pub struct Urls<'a> {
    /// The document page's absolute URL: `#anchor` and relative links are
    /// resolved against it, site paths (`/trust/x/`) against its origin.
    pub permalink: &'a str,
}

/// Typst markup and its string table.
#[derive(Debug, Default)]
pub struct Emitted {
    /// Markup: our function calls, integers, brackets and whitespace only.
    pub markup: String,
    /// Strings referred to by index.
    pub strings: Vec<String>,
}

/// A document too large for a PDF: which limit, and the count found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("too many {what} for a PDF ({found}, at most {limit})")]
pub struct TooLarge {
    /// What was counted (`headings`, `table cells`...).
    pub what: &'static str,
    /// How many were found (at least).
    pub found: usize,
    /// The limit.
    pub limit: usize,
}

/// Highlighting colours: the site's light theme (`InspiredGitHub`).
pub fn theme() -> &'static Theme {
    static THEME: std::sync::OnceLock<Theme> = std::sync::OnceLock::new();
    THEME.get_or_init(|| {
        let mut set = ThemeSet::load_defaults();
        set.themes.remove("InspiredGitHub").unwrap_or_default()
    })
}

/// Turns `events` into markup (see the module docs).
pub fn emit(
    events: &[Event<'_>],
    urls: &Urls,
    syntaxes: &SyntaxSet,
    limits: &Limits,
) -> Result<Emitted, TooLarge> {
    let mut e = Emitter {
        out: Emitted::default(),
        urls,
        syntaxes,
        limits,
        frames: Vec::new(),
        skip: 0,
        code_block: None,
        headings: 0,
        cells: 0,
        code: 0,
        html: crate::sanitize::Scanner::default(),
    };
    for ev in events {
        e.event(ev)?;
        let items = e.out.strings.len();
        if items > limits.items {
            return Err(TooLarge {
                what: "text runs",
                found: items,
                limit: limits.items,
            });
        }
    }
    Ok(e.out)
}

/// How a container opens when nesting is deep.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nest {
    /// A block (list, quote, table): flattened past [`MAX_DEPTH`].
    Block,
    /// Part of its parent (item, cell, header): open iff the parent is.
    Child,
    /// Inline markup: dropped (its text kept) past [`MAX_DEPTH`].
    Inline,
}

/// An open container.
struct Frame {
    /// Markup written at its end (empty when it was flattened).
    close: &'static str,
    /// Whether it was opened (not flattened).
    real: bool,
    /// For a table: columns and cells written in the current row.
    table: Option<(usize, usize)>,
}

struct Emitter<'a> {
    out: Emitted,
    urls: &'a Urls<'a>,
    syntaxes: &'a SyntaxSet,
    limits: &'a Limits,
    frames: Vec<Frame>,
    /// Depth of events being skipped (image alt text, excess table cells).
    skip: usize,
    /// The code block being read: language and code.
    code_block: Option<(String, String)>,
    headings: usize,
    cells: usize,
    code: usize,
    /// Raw HTML read so far: a PDF shows only its text, as search does
    /// (tags, comments and script/style contents left out).
    html: crate::sanitize::Scanner,
}

impl Emitter<'_> {
    fn string(&mut self, s: &str) -> usize {
        self.out.strings.push(s.to_string());
        self.out.strings.len() - 1
    }

    /// `#f(N)` for string `s`.
    fn call(&mut self, f: &str, s: &str) {
        let n = self.string(s);
        let _ = write!(self.out.markup, "#{f}({n})");
    }

    fn open(&mut self, nest: Nest, open: &str, close: &'static str) {
        let depth = self.frames.iter().filter(|f| f.real).count();
        let real = match nest {
            Nest::Child => self.frames.last().is_none_or(|f| f.real),
            _ => depth < MAX_DEPTH,
        };
        if real {
            self.out.markup.push_str(open);
        } else if nest == Nest::Block {
            self.out.markup.push_str("\n#parbreak()\n");
        }
        self.frames.push(Frame {
            close: if real { close } else { "" },
            real,
            table: None,
        });
    }

    fn close(&mut self) {
        if let Some(f) = self.frames.pop() {
            self.out.markup.push_str(f.close);
        }
    }

    fn event(&mut self, ev: &Event<'_>) -> Result<(), TooLarge> {
        if let Some((lang, code)) = &mut self.code_block {
            match ev {
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, code) = (std::mem::take(lang), std::mem::take(code));
                    self.code_block = None;
                    self.code_block(&lang, &code)?;
                }
                Event::Text(t) => {
                    code.push_str(t);
                    self.code += t.len();
                    self.check("bytes of code", self.code, self.limits.code_bytes)?;
                }
                _ => {}
            }
            return Ok(());
        }
        if self.skip > 0 {
            self.skipped(ev);
            return Ok(());
        }
        match ev {
            Event::Start(tag) => self.start(tag)?,
            Event::End(tag) => self.end(*tag),
            Event::Text(t) if !self.html.skipping() => self.call("s", t),
            Event::Text(_) => {}
            Event::Html(t) | Event::InlineHtml(t) => {
                let text = self.html.scan(t).text;
                if !text.is_empty() {
                    self.call("s", &text);
                }
            }
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => self.call("ic", t),
            Event::SoftBreak => self.out.markup.push(' '),
            Event::HardBreak => self.out.markup.push_str("#linebreak()"),
            Event::Rule => self.out.markup.push_str("\n#rule()\n"),
            Event::FootnoteReference(label) => self.call("fnref", label),
            Event::TaskListMarker(done) => {
                let _ = write!(self.out.markup, "#task({done})");
            }
        }
        Ok(())
    }

    /// Inside an image (its alt text is kept) or an excess table cell.
    fn skipped(&mut self, ev: &Event<'_>) {
        match ev {
            Event::Start(_) => self.skip += 1,
            Event::End(_) => self.skip -= 1,
            Event::Text(t) | Event::Code(t) => self.call("s", t),
            _ => {}
        }
        if self.skip == 0 {
            self.out.markup.push(']');
        }
    }

    fn start(&mut self, tag: &Tag<'_>) -> Result<(), TooLarge> {
        match tag {
            Tag::Heading { level, .. } => {
                self.headings += 1;
                self.check("headings", self.headings, self.limits.headings)?;
                let _ = write!(self.out.markup, "\n#heading(level: {})[", *level as u8);
            }
            Tag::BlockQuote(_) => self.open(Nest::Block, "\n#quote(block: true)[", "]\n"),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code_block = Some((lang, String::new()));
            }
            Tag::List(None) => self.open(Nest::Block, "\n#list(", ")\n"),
            Tag::List(Some(start)) => {
                let open = format!("\n#enum(start: {start}, ");
                self.open(Nest::Block, &open, ")\n");
            }
            Tag::Item => self.open(Nest::Child, "[", "],"),
            Tag::FootnoteDefinition(label) => {
                let n = self.string(label);
                let open = format!("\n#fndef({n})[");
                self.open(Nest::Block, &open, "]\n");
            }
            Tag::Table(aligns) => self.start_table(aligns),
            Tag::TableHead => {
                self.open(Nest::Child, "table.header(", "),");
                self.new_row();
            }
            Tag::TableRow => self.new_row(),
            Tag::TableCell => self.start_cell()?,
            Tag::Emphasis => self.open(Nest::Inline, "#emph[", "]"),
            Tag::Strong => self.open(Nest::Inline, "#strong[", "]"),
            Tag::Strikethrough => self.open(Nest::Inline, "#strike[", "]"),
            Tag::Superscript => self.open(Nest::Inline, "#super[", "]"),
            Tag::Subscript => self.open(Nest::Inline, "#sub[", "]"),
            Tag::Link { dest_url, .. } => {
                let href = self.absolute(dest_url);
                let n = self.string(&href);
                let open = format!("#link(s({n}))[");
                self.open(Nest::Inline, &open, "]");
            }
            Tag::Image { .. } => {
                self.out.markup.push_str("#image-alt[");
                self.skip = 1;
            }
            Tag::DefinitionList => self.open(Nest::Block, "\n#terms(", ")\n"),
            Tag::DefinitionListTitle => self.open(Nest::Child, "terms.item([", "],"),
            Tag::DefinitionListDefinition => self.open(Nest::Child, "[", "]),"),
            Tag::Paragraph | Tag::HtmlBlock | Tag::MetadataBlock(_) => {}
        }
        Ok(())
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.out.markup.push_str("\n\n"),
            TagEnd::Heading(_) => self.out.markup.push_str("]\n"),
            TagEnd::CodeBlock | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_) | TagEnd::Image => {}
            TagEnd::TableRow => self.pad_row(),
            TagEnd::TableHead => {
                self.pad_row();
                self.close();
            }
            _ => self.close(),
        }
    }

    fn check(&self, what: &'static str, found: usize, limit: usize) -> Result<(), TooLarge> {
        if found > limit {
            return Err(TooLarge { what, found, limit });
        }
        Ok(())
    }

    fn start_table(&mut self, aligns: &[Alignment]) {
        let cols = aligns.len().max(1);
        let align: Vec<&str> = aligns
            .iter()
            .map(|a| match a {
                Alignment::Center => "center",
                Alignment::Right => "right",
                _ => "left",
            })
            .collect();
        let open = format!(
            "\n#data-table(columns: {cols}, align: ({},), ",
            align.join(", ")
        );
        self.open(Nest::Block, &open, ")\n");
        if let Some(f) = self.frames.last_mut() {
            f.table = Some((cols, 0));
        }
    }

    /// The innermost table: (columns, cells in this row), and whether it
    /// was opened.
    fn table(&mut self) -> Option<(&mut (usize, usize), bool)> {
        let f = self.frames.iter_mut().rev().find(|f| f.table.is_some())?;
        let real = f.real;
        Some((f.table.as_mut()?, real))
    }

    fn new_row(&mut self) {
        if let Some((t, _)) = self.table() {
            t.1 = 0;
        }
    }

    fn start_cell(&mut self) -> Result<(), TooLarge> {
        self.cells += 1;
        self.check("table cells", self.cells, self.limits.table_cells)?;
        match self.table() {
            Some((t, true)) if t.1 < t.0 => {
                t.1 += 1;
                self.open(Nest::Child, "[", "],");
            }
            Some((_, true)) => {
                // A cell beyond the header's columns: left out.
                self.out.markup.push_str("#drop[");
                self.skip = 1;
            }
            _ => self.open(Nest::Child, " ", " "),
        }
        Ok(())
    }

    fn pad_row(&mut self) {
        if let Some((t, true)) = self.table() {
            let missing = t.0.saturating_sub(t.1);
            t.1 = t.0;
            for _ in 0..missing {
                self.out.markup.push_str("[],");
            }
        }
    }

    /// An absolute URL for a link destination (the PDF is read away from
    /// the site): site paths against the base URL's origin, `#x` and
    /// relative ones against the document's page.
    fn absolute(&self, dest: &str) -> String {
        let has_scheme = dest
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains(['/', '?', '#']));
        if has_scheme {
            dest.to_string()
        } else if let Some(rest) = dest.strip_prefix("//") {
            format!("https://{rest}")
        } else if let Some(path) = dest.strip_prefix('/') {
            format!("{}{path}", origin(self.urls.permalink))
        } else {
            format!("{}{dest}", self.urls.permalink)
        }
    }

    /// A code block: highlighted spans, each `#hl(N, "rrggbb", bold, italic)`,
    /// lines joined by `#linebreak()`.
    fn code_block(&mut self, lang: &str, code: &str) -> Result<(), TooLarge> {
        let lang = lang.split([',', ' ']).next().unwrap_or("").trim();
        self.out.markup.push_str("\n#code-block[");
        let syntax = (!lang.is_empty())
            .then(|| self.syntaxes.find_syntax_by_token(lang))
            .flatten();
        let mut hl = syntax.map(|s| HighlightLines::new(s, theme()));
        let code = code.strip_suffix('\n').unwrap_or(code);
        for (i, line) in LinesWithEndings::from(code).enumerate() {
            if i > 0 {
                self.out.markup.push_str("#linebreak()");
            }
            let spans = match hl.as_mut().map(|h| h.highlight_line(line, self.syntaxes)) {
                Some(Ok(spans)) => spans,
                Some(Err(_)) => {
                    hl = None;
                    Vec::new()
                }
                None => Vec::new(),
            };
            let plain = line.trim_end_matches(['\n', '\r']);
            if spans.is_empty() && !plain.is_empty() {
                self.call("code", plain);
            }
            for (style, text) in spans {
                let text = text.trim_end_matches(['\n', '\r']);
                if text.is_empty() {
                    continue;
                }
                let c = style.foreground;
                let n = self.string(text);
                let bold = style.font_style.contains(FontStyle::BOLD);
                let italic = style.font_style.contains(FontStyle::ITALIC);
                let _ = write!(
                    self.out.markup,
                    "#hl({n}, \"{:02x}{:02x}{:02x}\", {bold}, {italic})",
                    c.r, c.g, c.b
                );
            }
        }
        self.out.markup.push_str("]\n");
        Ok(())
    }
}

/// `https://x.example/trust/` -> `https://x.example/`.
fn origin(base_url: &str) -> String {
    match base_url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split('/').next().unwrap_or("");
            format!("{scheme}://{host}/")
        }
        None => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{LinkDecision, LinkPolicy};

    struct Resolve;
    impl LinkPolicy for Resolve {
        fn decide(&self, dest: &str) -> LinkDecision {
            match dest {
                "other.md" => LinkDecision {
                    href: Some("/trust/policies/other/".into()),
                    ..LinkDecision::default()
                },
                "secret.md" => LinkDecision {
                    drop: true,
                    ..LinkDecision::default()
                },
                _ => LinkDecision::default(),
            }
        }
    }

    fn run(md: &str, limits: &Limits) -> Result<Emitted, TooLarge> {
        let opts = crate::markdown::RenderOptions::default();
        let (_, events) = crate::markdown::events(md, 1, &Resolve, &opts);
        let urls = Urls {
            permalink: "https://t.example/trust/policies/a/",
        };
        let syntaxes = SyntaxSet::load_defaults_newlines();
        emit(&events, &urls, &syntaxes, limits)
    }

    /// The markup holds only our calls, numbers, brackets and whitespace.
    fn assert_no_user_bytes(e: &Emitted) {
        let allowed = |c: char| c.is_ascii_alphanumeric() || " \n#()[],:-\"._".contains(c);
        assert!(e.markup.chars().all(allowed), "{}", e.markup);
    }

    #[test]
    fn typst_markup_in_a_policy_stays_text() {
        let md = "# T #eval(\"1\") $x$ `#import \"@preview/x:0.1.0\"`\n\nA *b* [l](other.md) [s](secret.md) <b>raw</b>\n\n```\n#set page(width: 1pt)\n```\n";
        let e = run(md, &Limits::default()).unwrap();
        assert_no_user_bytes(&e);
        assert!(!e.markup.contains("eval") && !e.markup.contains("import"));
        assert!(e.strings.iter().any(|s| s.contains("#eval(\"1\")")));
        assert!(
            e.strings
                .iter()
                .any(|s| s == "https://t.example/trust/policies/other/")
        );
        // Raw HTML: its text, never its tags (as on the page and in search).
        assert!(e.strings.iter().all(|s| !s.contains("<b>")));
        assert!(e.strings.iter().any(|s| s == "raw"));
        assert_eq!(e.markup.matches("#link(").count(), 1, "{}", e.markup);
    }

    #[test]
    fn raw_html_gives_its_text_only_never_tags_comments_or_scripts() {
        let md = "x<br>y <kbd>K</kbd> <script>alert(1)</script> <!-- editor note -->\n\n<details>\n<summary>S</summary>\nbody\n</details>\n";
        let e = run(md, &Limits::default()).unwrap();
        let all = e.strings.concat();
        for gone in ["<", "alert", "editor note"] {
            assert!(!all.contains(gone), "{gone} in {all:?}");
        }
        for kept in ["x", "y", "K", "S", "body"] {
            assert!(all.contains(kept), "{kept} missing from {all:?}");
        }
    }

    #[test]
    fn tables_lists_quotes_and_code_are_structured() {
        let md = "| a | b |\n|:-:|--:|\n| 1 | 2 | 3 |\n| x |\n\n- one\n- two\n  1. n\n\n> quote\n\n```rust\nfn main() {}\n```\n";
        let e = run(md, &Limits::default()).unwrap();
        assert_no_user_bytes(&e);
        assert!(
            e.markup
                .contains("#data-table(columns: 2, align: (center, right,), ")
        );
        assert!(e.markup.contains("#list("));
        assert!(e.markup.contains("#enum(start: 1, "));
        assert!(e.markup.contains("#quote(block: true)["));
        assert!(e.markup.contains("#code-block["));
        assert!(e.markup.contains("#hl("), "{}", e.markup);
        let opens = e.markup.matches(['[', '(']).count();
        let closes = e.markup.matches([']', ')']).count();
        assert_eq!(opens, closes, "{}", e.markup);
    }

    #[test]
    fn links_become_absolute() {
        let md =
            "[a](#scope) [b](guide/) [c](https://x.example/) [d](//cdn.example/x) [e](other.md)\n";
        let e = run(md, &Limits::default()).unwrap();
        for want in [
            "https://t.example/trust/policies/a/#scope",
            "https://t.example/trust/policies/a/guide/",
            "https://x.example/",
            "https://cdn.example/x",
            "https://t.example/trust/policies/other/",
        ] {
            assert!(
                e.strings.iter().any(|s| s == want),
                "{want}: {:?}",
                e.strings
            );
        }
    }

    #[test]
    fn deep_nesting_is_flattened_and_balanced() {
        let md = format!(
            "{}deep\n\n{}x{}\n",
            "> ".repeat(500),
            "*_".repeat(300),
            "_*".repeat(300)
        );
        let e = run(&md, &Limits::default()).unwrap();
        assert!(e.markup.matches("#quote(").count() <= MAX_DEPTH);
        let opens = e.markup.matches(['[', '(']).count();
        assert_eq!(opens, e.markup.matches([']', ')']).count());
    }

    #[test]
    fn limits_give_clear_errors() {
        let small = Limits {
            headings: 3,
            table_cells: 4,
            code_bytes: 10,
            items: 1_000,
        };
        let err = run(&"## h\n\n".repeat(4), &small).unwrap_err();
        assert_eq!((err.what, err.limit), ("headings", 3));
        let err = run("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n", &small).unwrap_err();
        assert_eq!(err.what, "table cells");
        let err = run("```\n0123456789abc\n```\n", &small).unwrap_err();
        assert_eq!(err.what, "bytes of code");
        let err = run(&"*a* ".repeat(2_000), &small).unwrap_err();
        assert_eq!(err.what, "text runs");
        assert!(err.to_string().contains("at most 1000"));
    }
}
