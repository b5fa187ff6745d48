//! Template syntax of migrated corpora: Hugo shortcodes and tech-docs ERB.
//!
//! [`preprocess`] rewrites a Markdown body before pulldown-cmark sees it, so
//! that no shortcode or ERB tag is ever shown raw:
//!
//! - Hugo `{{< label name="Visibility: Audit" >}}` / `"Visibility: Non-Audit"`
//!   (GitLab's audit-scope marker) sets [`Preprocessed::audit_scope`] and is
//!   removed (the page shows the audit badge); other labels become a badge;
//! - paired `alert`/`note`/`warning`/`tip`/`info`/`callout`/`panel` become a
//!   callout `<div>`, `details`/`collapse` a `<details>`, their inner
//!   Markdown kept as Markdown;
//! - `ref`/`relref` where a URL stands (a link destination, an attribute)
//!   become a marked target (`trustsite-ref:path#anchor`, see [`ref_mark`])
//!   that the link policy looks up as Hugo does
//!   ([`crate::markdown::LinkPolicy::decide_ref`]); elsewhere the `.md` path
//!   they name;
//! - any other shortcode is removed with a warning at its line, its inner
//!   content kept;
//! - an ATX heading that is only ERB (`# <%= current_page.data.title %>`) is
//!   dropped (the title comes from front-matter); other ERB is removed with a
//!   warning;
//! - a goldmark attribute line (`{#id .class}` under a heading) moves onto
//!   the heading as `{#id .class}` (pulldown-cmark's heading attributes);
//! - what comply writes for pandoc: `a.`/`i.`/`A.`/`I.` list items become
//!   `1.` items of the same width (their style in
//!   [`Preprocessed::pandoc_items`], for `<ol type>`), grid tables become
//!   pipe tables, `\pagebreak` lines go, and `{{.Name}}` is the organization
//!   ([`preprocess_with`]).
//!
//! Code is found first, as pulldown-cmark reads the body (code spans, also
//! across lines, fenced and indented code blocks): template syntax inside it
//! is left alone and not counted. The rewrite may add or merge lines (HTML
//! blocks need blank lines around them; a grid table row spans lines);
//! [`Preprocessed::line_map`] maps each output line back to its input line,
//! so diagnostics keep the file's own line numbers. Pure: no IO.

/// A problem found while preprocessing, located in the input body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreNote {
    /// 0-based line in the input body.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// Stable diagnostic code.
    pub code: &'static str,
    /// Message.
    pub message: String,
}

/// The rewritten body.
#[derive(Debug, Clone, Default)]
pub struct Preprocessed {
    /// Markdown for pulldown-cmark.
    pub text: String,
    /// For each line of `text`, the 0-based line of the input it comes from.
    pub line_map: Vec<usize>,
    /// Warnings (unknown shortcodes, ERB removed).
    pub notes: Vec<PreNote>,
    /// `Some(true)` for "Visibility: Audit", `Some(false)` for "Non-Audit".
    pub audit_scope: Option<bool>,
    /// The pandoc-style list items rewritten as `1.` items, by line.
    pub pandoc_items: Vec<PandocItem>,
}

/// The length of comply's `{{.Name}}` (`{{ .Name }}`) at the start of `s`.
fn go_name(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("{{")?;
    let inner_end = rest.find("}}")?;
    (rest[..inner_end].trim() == ".Name").then_some(2 + inner_end + 2)
}

/// Whether `body` may hold anything [`preprocess`] changes (a cheap test:
/// it runs on every document twice, at load and when rendered).
pub fn needed(body: &str) -> bool {
    // Every template form starts with `{` or `<`: most bodies have neither.
    if (body.contains('{') || body.contains('<'))
        && (body.contains("{{<")
            || body.contains("{{%")
            || body.contains("<%")
            || body.contains("{{") && body.contains(".Name"))
    {
        return true;
    }
    // Each line test runs only when the line's first character allows it.
    let mut prev_heading = false;
    for l in body.lines() {
        let t = l.trim_start();
        let first = t.as_bytes().first().copied().unwrap_or(b' ');
        if (prev_heading && first == b'{' && t.trim_end().ends_with('}'))
            || (pandoc_may_start(l) && pandoc_marker(l).is_some())
            || (l.starts_with('+') && is_grid_border(l))
            || (first == b'\\' && is_latex_break(l))
        {
            return true;
        }
        prev_heading = first == b'#';
    }
    false
}

/// Whether `line` can open a pandoc list item: its first character after
/// spaces is an ASCII letter (what [`pandoc_marker`] needs first).
fn pandoc_may_start(line: &str) -> bool {
    (line.trim_start_matches(' ').as_bytes().first()).is_some_and(u8::is_ascii_alphabetic)
}

/// When `line` opens a shortcode that closes on a later line (within 20
/// lines), how many of the `next` lines it takes. `spans`: the line's code
/// spans (a shortcode in code is not one).
fn shortcode_continues(
    line: &str,
    spans: &[std::ops::Range<usize>],
    next: &[std::borrow::Cow<str>],
) -> Option<usize> {
    let open = line
        .rfind("{{<")
        .into_iter()
        .chain(line.rfind("{{%"))
        .max()?;
    let closer = if line[open..].starts_with("{{<") {
        ">}}"
    } else {
        "%}}"
    };
    if line[open..].contains(closer) || spans.iter().any(|s| s.contains(&open)) {
        return None;
    }
    next.iter()
        .take(20)
        .position(|l| l.contains(closer))
        .map(|k| k + 1)
}

/// `(indent, marker length)` of a pandoc-style list item: `a. text`,
/// `i. text`, `iv. text`, `II. text` (a letter or roman numeral, then `. `;
/// a single capital letter needs two spaces after it, as pandoc asks, so
/// that initials such as `B. Russell` stay text), indented at most 7 spaces.
fn pandoc_marker(line: &str) -> Option<(usize, usize)> {
    let t = line.trim_start_matches(' ');
    let indent = line.len() - t.len();
    if indent > 7 {
        return None;
    }
    // A marker is at most four characters: look no further than that.
    let head = &t.as_bytes()[..t.len().min(6)];
    let marker_end = head.windows(2).position(|w| w == b". ")?;
    let marker = &t[..marker_end];
    let lower = marker.bytes().all(|b| b.is_ascii_lowercase());
    let upper = marker.bytes().all(|b| b.is_ascii_uppercase());
    let roman = !marker.is_empty()
        && marker.len() <= 4
        && (lower || upper)
        && marker
            .bytes()
            .all(|b| b"ivx".contains(&b.to_ascii_lowercase()));
    let letter = marker.len() == 1 && (lower || upper);
    if upper && marker.len() == 1 && !t[marker_end..].starts_with(".  ") {
        return None;
    }
    let text = t[marker_end + 2..].trim_start();
    ((roman || letter) && !text.is_empty()).then_some((indent, marker_end + 1))
}

/// Style of a pandoc-style ordered list item (`a.`, `iv.`, `B.`, `II.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PandocItem {
    /// 0-based line in the input body.
    pub line: usize,
    /// The HTML `type` of its list: `a`, `A`, `i` or `I`.
    pub kind: char,
    /// Its number (`c.` is 3, `iv.` is 4).
    pub value: u32,
}

/// Rewrites `body`; see the module documentation.
pub fn preprocess(body: &str) -> Preprocessed {
    preprocess_with(body, None)
}

/// [`preprocess`], with comply's `{{.Name}}` (its Go template's
/// organization name) written as `organization` when given.
pub fn preprocess_with(body: &str, organization: Option<&str>) -> Preprocessed {
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let (lines, pandoc_items) = pandoc_lists(&lines);
    let code = code_regions(&lines);
    let mut p = Pre {
        line_map: vec![0],
        organization,
        ..Pre::default()
    };
    let mut prev_heading = false;
    // Byte offset of each line in the (pandoc-converted) text.
    let mut starts = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    for l in &lines {
        starts.push(at);
        at += l.len();
    }
    // Lines a multi-line shortcode took (kept as empty lines).
    let mut skip_to = 0;
    let mut joined: String;
    let mut warned_block = usize::MAX;
    for (i, raw_line) in lines.iter().enumerate() {
        // An output line that starts here comes from line i (a rewritten
        // line may stand for none or several).
        if (p.out.is_empty() || p.out.ends_with('\n'))
            && let Some(last) = p.line_map.last_mut()
        {
            *last = i;
        }
        if i < skip_to {
            p.push("\n", i + 1);
            continue;
        }
        let (mut line, eol) = match raw_line.strip_suffix('\n') {
            Some(l) => (l.strip_suffix('\r').unwrap_or(l), &raw_line[l.len()..]),
            None => (raw_line.as_ref(), ""),
        };
        let eol = if eol.is_empty() { "" } else { "\n" };
        let start = starts[i];
        // Code blocks (fenced or indented) are copied as they are.
        if let Some(block) = code.block_at(start, start + line.len()) {
            if block.indented && warned_block != block.start && pandoc_marker(line).is_some() {
                warned_block = block.start;
                let col = line.len() - line.trim_start().len() + 1;
                p.note(
                    i,
                    col,
                    "markdown/pandoc-list-code",
                    "this line looks like a pandoc-style list item, but its indentation makes it an indented code block: indent it under a list item or by fewer than 4 spaces"
                        .into(),
                );
            }
            p.push(line, i);
            p.push(eol, i + 1);
            prev_heading = false;
            continue;
        }
        // Code spans on this line, relative to its start.
        let spans = code.spans_in(start, start + line.len());
        if let Some(end) = shortcode_continues(line, &spans, &lines[i + 1..]) {
            // `{{< figure\n  src="x"\n>}}`: read as one line at its first line.
            joined = std::iter::once(line)
                .chain(
                    lines[i + 1..=i + end]
                        .iter()
                        .map(|l| l.trim_end_matches(['\n', '\r'])),
                )
                .collect::<Vec<_>>()
                .join(" ");
            line = joined.as_str();
            skip_to = i + end + 1;
        }
        if prev_heading
            && let Some(attrs) = attribute_line(line)
            && p.out.ends_with('\n')
        {
            p.out.pop();
            let trimmed = p.out.trim_end_matches([' ', '\t']).len();
            p.out.truncate(trimmed);
            p.out.push_str(&attrs);
            p.out.push('\n');
            if let Some(last) = p.line_map.last_mut() {
                *last = i;
            }
            p.push(eol, i + 1);
            prev_heading = false;
            continue;
        }
        if is_erb_heading(line) {
            p.push(eol, i + 1);
            prev_heading = false;
            continue;
        }
        let start = p.out.len();
        p.line(line, i, &spans);
        let written = &p.out[start..];
        prev_heading = is_atx_heading(written);
        p.push(eol, i + 1);
    }
    Preprocessed {
        text: p.out,
        line_map: p.line_map,
        notes: p.notes,
        audit_scope: p.audit_scope,
        pandoc_items,
    }
}

/// comply's pandoc-style lists (`a.`/`i.`/`A.`/`I.` items) as CommonMark
/// ordered lists: each marker becomes `1.` of the same width (so the
/// nesting is kept), and its style is returned. Inside such a list, items
/// indented like code are nested items too. Fenced code is left alone.
fn pandoc_lists<'a>(lines: &[&'a str]) -> (Vec<std::borrow::Cow<'a, str>>, Vec<PandocItem>) {
    use std::borrow::Cow;
    let mut out = Vec::with_capacity(lines.len());
    let mut items = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut pandoc = false;
    let mut prev_blank = true;
    let mut skip_grid = 0;
    let mut no_grid = 0;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if i < skip_grid {
            continue;
        }
        if let Some(f) = fence {
            if closes_fence(line, f) {
                fence = None;
            }
            out.push(Cow::Borrowed(*raw));
            continue;
        }
        if let Some(f) = opens_fence(line) {
            fence = Some(f);
            out.push(Cow::Borrowed(*raw));
            continue;
        }
        let grid = (i >= no_grid && is_grid_border(line))
            .then(|| grid_table(&lines[i..]))
            .and_then(|g| {
                // Every border up to where this one failed fails there too.
                g.map_err(|seen| no_grid = i + seen).ok()
            });
        if let Some((rows, taken)) = grid {
            // A pandoc grid table: a pipe table, each row on the line where
            // it starts (the borders and continuation lines hold nothing).
            let mut at = vec![String::new(); taken];
            at[0].push('\n');
            for (first, text) in rows {
                let slot = &mut at[first];
                slot.push_str(&text);
                slot.push('\n');
            }
            at[taken - 1].push('\n');
            skip_grid = i + taken;
            out.extend(at.into_iter().map(Cow::Owned));
            prev_blank = true;
            continue;
        }
        if is_latex_break(line) {
            // pandoc's raw LaTeX page breaks (PDF only): nothing in HTML.
            out.push(Cow::Borrowed(if raw.ends_with('\n') { "\n" } else { "" }));
            continue;
        }
        match pandoc_marker(line) {
            Some((indent, len)) if indent < 4 || pandoc => {
                pandoc = true;
                let marker = &line[indent..indent + len - 1];
                let (kind, value) = marker_style(marker);
                items.push(PandocItem {
                    line: i,
                    kind,
                    value,
                });
                // `a.` -> `1.` (same width): a CommonMark ordered list, not
                // an indented code block.
                let pad = " ".repeat(len.saturating_sub(2));
                out.push(Cow::Owned(format!(
                    "{}1.{pad}{}",
                    &raw[..indent],
                    &raw[indent + len..]
                )));
                prev_blank = false;
                continue;
            }
            _ => {
                // A new top-level block (not a lazy continuation line) ends it.
                if !line.trim().is_empty()
                    && !line.starts_with(' ')
                    && (prev_blank || is_atx_heading(line))
                {
                    pandoc = false;
                }
            }
        }
        prev_blank = line.trim().is_empty();
        out.push(Cow::Borrowed(*raw));
    }
    (out, items)
}

/// `\pagebreak`/`\newpage` alone on a line (pandoc passes them to LaTeX).
fn is_latex_break(line: &str) -> bool {
    matches!(line.trim(), "\\pagebreak" | "\\newpage" | "\\clearpage")
}

/// `+----+:---:+` (or `+====+`): a border line of a pandoc grid table.
fn is_grid_border(line: &str) -> bool {
    let t = line.trim_end();
    t.len() >= 3
        && t.starts_with('+')
        && t.ends_with('+')
        && t.bytes().all(|b| b"+-=:".contains(&b))
        && t.bytes().any(|b| b == b'-' || b == b'=')
}

/// Pipe-table rows `(index of the row's first line, text)` of a grid
/// table, header and delimiter row first, and how many lines it takes.
type Grid = (Vec<(usize, String)>, usize);

/// A pandoc grid table starting at `lines[0]` (a border); Err(lines read)
/// when it is not one.
fn grid_table(lines: &[&str]) -> Result<Grid, usize> {
    let first = lines[0].trim_end_matches(['\n', '\r']).trim_end();
    let bounds: Vec<usize> = first.match_indices('+').map(|(k, _)| k).collect();
    if bounds.len() < 2 {
        return Err(1);
    }
    let cols = bounds.len() - 1;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut cur: Option<(usize, Vec<String>)> = None;
    let mut header_rows = 0;
    let mut end = None;
    for (k, raw) in lines.iter().enumerate().skip(1) {
        let line = raw.trim_end_matches(['\n', '\r']).trim_end();
        if is_grid_border(line) {
            if let Some(row) = cur.take()
                && row.1.iter().any(|c| !c.is_empty())
            {
                rows.push(row);
            }
            if line.contains('=') {
                header_rows = rows.len();
            }
            // The table ends at a border not followed by another row.
            let next = lines.get(k + 1).map(|l| l.trim_start());
            if !next.is_some_and(|l| l.starts_with('|')) {
                end = Some(k + 1);
                break;
            }
            continue;
        }
        if !line.starts_with('|') {
            return Err(k);
        }
        let row = cur.get_or_insert_with(|| (k, vec![String::new(); cols]));
        // Columns align by character (the border is ASCII).
        let chars: Vec<char> = line.chars().collect();
        for (c, w) in bounds.windows(2).enumerate() {
            let from = (w[0] + 1).min(chars.len());
            let to = if c + 1 == cols {
                chars.len()
            } else {
                w[1].min(chars.len())
            };
            let text: String = chars[from..to.max(from)].iter().collect();
            let cell = text.trim().trim_end_matches('|').trim();
            if !cell.is_empty() {
                if !row.1[c].is_empty() {
                    row.1[c].push(' ');
                }
                row.1[c].push_str(cell);
            }
        }
    }
    let end = end.ok_or(lines.len())?;
    let pipe = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        format!("| {} |", cells.join(" | "))
    };
    let mut out = Vec::new();
    let delimiter = format!("|{}", "---|".repeat(cols));
    if header_rows == 1 {
        let (at, cells) = &rows[0];
        out.push((*at, format!("{}\n{delimiter}", pipe(cells))));
        rows.remove(0);
    } else {
        // No (single-row) header: an empty one, as GFM tables need one.
        out.push((
            0,
            format!("{}\n{delimiter}", pipe(&vec![String::new(); cols])),
        ));
    }
    out.extend(rows.iter().map(|(at, cells)| (*at, pipe(cells))));
    Ok((out, end))
}

/// `(type, value)` of a pandoc marker without its `.`: `i`, `v`, `x` and
/// longer roman numerals are roman; other single letters alphabetic.
fn marker_style(marker: &str) -> (char, u32) {
    let lower = marker.to_ascii_lowercase();
    let upper = marker.bytes().all(|b| b.is_ascii_uppercase());
    let roman = lower.bytes().all(|b| b"ivx".contains(&b));
    if roman {
        let digit = |b: u8| match b {
            b'i' => 1,
            b'v' => 5,
            _ => 10,
        };
        let b = lower.as_bytes();
        let mut value: i64 = 0;
        for (k, &c) in b.iter().enumerate() {
            let d = digit(c);
            if b.get(k + 1).is_some_and(|&n| digit(n) > d) {
                value -= d;
            } else {
                value += d;
            }
        }
        let kind = if upper { 'I' } else { 'i' };
        return (kind, u32::try_from(value.max(1)).unwrap_or(1));
    }
    let kind = if upper { 'A' } else { 'a' };
    (kind, u32::from(lower.as_bytes()[0] - b'a') + 1)
}

/// One code block of the body (byte range), and whether it is indented.
#[derive(Debug, Clone, Copy)]
struct Block {
    start: usize,
    end: usize,
    indented: bool,
}

/// Where the body's code is, as pulldown-cmark reads it: code spans
/// (backticks included, possibly across lines) and code blocks.
#[derive(Debug, Default)]
struct Code {
    spans: Vec<std::ops::Range<usize>>,
    blocks: Vec<Block>,
}

impl Code {
    /// The code block that overlaps `[start, end)` (a line).
    fn block_at(&self, start: usize, end: usize) -> Option<Block> {
        let k = self.blocks.partition_point(|b| b.end <= start);
        self.blocks
            .get(k)
            .filter(|b| b.start < end.max(start + 1))
            .copied()
    }

    /// The code spans overlapping `[start, end)`, relative to `start` and
    /// clipped to it.
    fn spans_in(&self, start: usize, end: usize) -> Vec<std::ops::Range<usize>> {
        let k = self.spans.partition_point(|s| s.end <= start);
        self.spans[k..]
            .iter()
            .take_while(|s| s.start < end)
            .map(|s| s.start.max(start) - start..s.end.min(end) - start)
            .collect()
    }
}

/// The code of `lines` (joined), when there may be any.
fn code_regions(lines: &[std::borrow::Cow<str>]) -> Code {
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};
    let maybe = lines
        .iter()
        .any(|l| l.contains('`') || l.contains('~') || l.starts_with("    ") || l.contains('\t'));
    if !maybe {
        return Code::default();
    }
    let text: String = lines.concat();
    let mut code = Code::default();
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    for (e, r) in Parser::new_ext(&text, opts).into_offset_iter() {
        match e {
            Event::Code(_) => code.spans.push(r),
            Event::Start(Tag::CodeBlock(kind)) => code.blocks.push(Block {
                start: r.start,
                end: r.end,
                indented: matches!(kind, CodeBlockKind::Indented),
            }),
            _ => {}
        }
    }
    code.blocks.sort_by_key(|b| b.start);
    code.spans.sort_by_key(|s| s.start);
    code
}

#[derive(Default)]
struct Pre<'a> {
    organization: Option<&'a str>,
    out: String,
    line_map: Vec<usize>,
    notes: Vec<PreNote>,
    audit_scope: Option<bool>,
}

impl Pre<'_> {
    /// Appends text that came from input line `src`.
    fn push(&mut self, s: &str, src: usize) {
        for (k, part) in s.split('\n').enumerate() {
            if k > 0 {
                self.out.push('\n');
                self.line_map.push(src);
            }
            self.out.push_str(part);
        }
    }

    fn note(&mut self, line: usize, col: usize, code: &'static str, message: String) {
        self.notes.push(PreNote {
            line,
            col,
            code,
            message,
        });
    }

    /// One line outside code blocks: code spans (`spans`, byte ranges in
    /// the line, as pulldown-cmark finds them) kept, shortcodes and ERB
    /// rewritten.
    fn line(&mut self, line: &str, src: usize, spans: &[std::ops::Range<usize>]) {
        let b = line.as_bytes();
        let mut i = 0;
        let mut copied = 0;
        let mut spans = spans.iter().peekable();
        while i < b.len() {
            while spans.peek().is_some_and(|s| s.end <= i) {
                spans.next();
            }
            if let Some(s) = spans.peek().filter(|s| s.start <= i) {
                i = s.end.min(b.len());
                continue;
            }
            if let Some(org) = self.organization
                && let Some(len) = go_name(&line[i..])
            {
                self.push(&line[copied..i], src);
                self.push(org, src);
                i += len;
                copied = i;
                continue;
            }
            if line[i..].starts_with("{{<") || line[i..].starts_with("{{%") {
                let closer = if b[i + 2] == b'<' { ">}}" } else { "%}}" };
                if let Some(end) = line[i + 3..].find(closer) {
                    self.push(&line[copied..i], src);
                    let inner = &line[i + 3..i + 3 + end];
                    let col = line[..i].chars().count() + 1;
                    let whole = &line[i..i + 3 + end + 3];
                    self.shortcode(inner, whole, src, col);
                    i = i + 3 + end + 3;
                    copied = i;
                    continue;
                }
            }
            if line[i..].starts_with("<%") {
                let end = line[i + 2..]
                    .find("%>")
                    .map_or(line.len(), |e| i + 2 + e + 2);
                self.push(&line[copied..i], src);
                let col = line[..i].chars().count() + 1;
                self.note(
                    src,
                    col,
                    "erb/removed",
                    format!(
                        "ERB `{}` removed: trustsite does not run Ruby templates (put the value in front-matter or write it out)",
                        line[i..end].trim()
                    ),
                );
                i = end;
                copied = i;
                continue;
            }
            i += line[i..].chars().next().map_or(1, char::len_utf8);
        }
        self.push(&line[copied..], src);
    }

    /// Replaces one shortcode (`inner` is what stands between the delimiters).
    fn shortcode(&mut self, inner: &str, whole: &str, src: usize, col: usize) {
        let inner = inner.trim();
        if let Some(escaped) = inner.strip_prefix("/*").and_then(|s| s.strip_suffix("*/")) {
            // Hugo's escape `{{</* x */>}}` shows the shortcode itself.
            let shown = whole.replacen("/*", "", 1).replacen("*/", "", 1);
            let _ = escaped;
            self.push(&shown.replace('<', "&lt;"), src);
            return;
        }
        let (closing, inner) = match inner.strip_prefix('/') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, inner),
        };
        let (name, args) = split_name(inner);
        let args = parse_args(args);
        let kind = name.to_ascii_lowercase();
        match kind.as_str() {
            "label" if !closing => self.label(&args, src),
            "alert" | "note" | "warning" | "tip" | "info" | "callout" | "panel" | "important"
            | "caution" | "notice" => {
                if closing {
                    self.push("\n\n</div>\n\n", src);
                } else {
                    let title = arg(&args, "title", 0).unwrap_or_default();
                    let class = if kind == "alert" {
                        arg(&args, "color", usize::MAX)
                            .map(|c| format!("alert-{}", slug_word(&c)))
                            .unwrap_or_else(|| "alert".into())
                    } else {
                        kind.clone()
                    };
                    let mut open = format!(
                        "\n\n<div class=\"callout callout-{}\">\n",
                        slug_word(&class)
                    );
                    if !title.is_empty() {
                        open.push_str(&format!(
                            "<p class=\"callout-title\"><strong>{}</strong></p>\n",
                            escape(&title)
                        ));
                    }
                    open.push('\n');
                    self.push(&open, src);
                }
            }
            "details" | "collapse" | "expand" | "spoiler" => {
                if closing {
                    self.push("\n\n</details>\n\n", src);
                } else {
                    let title = arg(&args, "title", 0)
                        .or_else(|| arg(&args, "summary", usize::MAX))
                        .unwrap_or_else(|| "Details".into());
                    let open = format!("\n\n<details>\n<summary>{}</summary>\n\n", escape(&title));
                    self.push(&open, src);
                }
            }
            "ref" | "relref" if !closing => {
                let target = arg(&args, "path", 0).unwrap_or_default();
                // Where a URL stands (a link's destination, an attribute),
                // the link rule looks the target up as Hugo does; elsewhere
                // it is shown as the path it names.
                let before = self.out.trim_end_matches(' ');
                let url_context = ["](", "=\"", "='", "=", "<", "]:"]
                    .iter()
                    .any(|e| before.ends_with(e));
                if url_context {
                    self.push(&mark_ref(&target), src);
                } else {
                    self.push(&ref_target(&target), src);
                }
            }
            _ => {
                if !closing {
                    self.note(
                        src,
                        col,
                        "shortcode/unknown",
                        format!(
                            "shortcode `{name}` is not known to trustsite and was removed (its inner content is kept): replace it with Markdown"
                        ),
                    );
                }
            }
        }
    }

    /// GitLab's `label`: the audit marker, or a plain badge.
    fn label(&mut self, args: &[(Option<String>, String)], src: usize) {
        let name = arg(args, "name", 0).unwrap_or_default();
        let norm: String = name.to_ascii_lowercase().split_whitespace().collect();
        match norm.as_str() {
            "visibility:audit" => self.audit_scope = Some(true),
            "visibility:non-audit" | "visibility:nonaudit" => {
                self.audit_scope.get_or_insert(false);
            }
            _ if !name.is_empty() => {
                self.push(&format!("<kbd>{}</kbd>", escape(&name)), src);
            }
            _ => {}
        }
    }
}

/// The scheme that marks a Hugo `ref` target in a link destination.
const REF_MARK: &str = "trustsite-ref:";

/// `target` marked as a Hugo `ref` (percent-encoded so that it stays one
/// link destination).
fn mark_ref(target: &str) -> String {
    let mut out = String::from(REF_MARK);
    for b in target.trim().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/#".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `ref` target of a destination the preprocessor marked.
pub fn ref_mark(dest: &str) -> Option<String> {
    let rest = dest.strip_prefix(REF_MARK)?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| rest.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// `x#a` -> `x.md#a`; a folder or `_index` target -> its `_index.md`/`index.md`
/// is left to the resolver as the folder path.
pub fn ref_target(target: &str) -> String {
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, format!("#{a}")),
        None => (target, String::new()),
    };
    if path.is_empty() {
        return anchor;
    }
    let lower = path.to_ascii_lowercase();
    let path = if lower.ends_with(".md") || path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}.md")
    };
    format!("{path}{anchor}")
}

fn slug_word(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

fn escape(s: &str) -> String {
    crate::highlight::escape_attr(s)
}

/// Name and the rest of a shortcode's inside.
fn split_name(inner: &str) -> (&str, &str) {
    let end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    (&inner[..end], &inner[end..])
}

/// `key="value"` and positional `"value"`/`value` arguments.
fn parse_args(s: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '"' || c == '`')
            .unwrap_or(rest.len());
        let (key, after) = if rest[key_end..].starts_with('=') && key_end > 0 {
            (Some(rest[..key_end].to_string()), &rest[key_end + 1..])
        } else {
            (None, rest)
        };
        let (value, after) = match after.chars().next() {
            Some(q @ ('"' | '`' | '\'')) => {
                let body = &after[1..];
                let end = body.find(q).unwrap_or(body.len());
                (&body[..end], body.get(end + 1..).unwrap_or(""))
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push((key, value.to_string()));
        rest = after.trim_start();
    }
    out
}

/// The argument named `key`, else the positional one at `pos`.
fn arg(args: &[(Option<String>, String)], key: &str, pos: usize) -> Option<String> {
    args.iter()
        .find(|(k, _)| k.as_deref() == Some(key))
        .or_else(|| args.iter().filter(|(k, _)| k.is_none()).nth(pos))
        .map(|(_, v)| v.clone())
}

fn opens_fence(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|&x| x == c).count();
    if n < 3 || (c == '`' && t[n..].contains('`')) {
        return None;
    }
    Some((c, n))
}

fn closes_fence(line: &str, (c, n): (char, usize)) -> bool {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return false;
    }
    let run = t.chars().take_while(|&x| x == c).count();
    run >= n && t[run * c.len_utf8()..].trim().is_empty()
}

fn is_atx_heading(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return false;
    }
    let n = t.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&n) && (t.len() == n || t[n..].starts_with([' ', '\t']))
}

/// `# <%= ... %>`: a heading holding nothing but ERB.
fn is_erb_heading(line: &str) -> bool {
    if !is_atx_heading(line) {
        return false;
    }
    let rest = line.trim().trim_start_matches('#').trim();
    rest.starts_with("<%") && rest.ends_with("%>") && rest.matches("<%").count() == 1
}

/// A goldmark attribute line `{#id .class key="v"}`: the `{#id .class}` that
/// pulldown-cmark reads at the end of a heading (other attributes dropped).
fn attribute_line(line: &str) -> Option<String> {
    let t = line.trim();
    let inner = t.strip_prefix('{')?.strip_suffix('}')?;
    if inner.contains(['{', '}']) || inner.trim().is_empty() {
        return None;
    }
    let args = parse_args(inner);
    if args
        .iter()
        .any(|(k, v)| k.is_none() && !(v.starts_with('#') || v.starts_with('.')))
    {
        return None;
    }
    let kept: Vec<&str> = args
        .iter()
        .filter(|(k, _)| k.is_none())
        .map(|(_, v)| v.as_str())
        .filter(|v| v.len() > 1)
        .collect();
    Some(if kept.is_empty() {
        String::new()
    } else {
        format!(" {{{}}}", kept.join(" "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_label_sets_audit_scope_and_code_is_left_alone() {
        let p = preprocess(
            "{{< label name=\"Visibility: Audit\" color=\"#E24329\" >}}\n\n```{{< label name=\"Visibility: Non-Audit\" >}}```\n\n```\n{{< x >}}\n```\n",
        );
        assert_eq!(p.audit_scope, Some(true));
        assert!(p.text.starts_with("\n\n```{{< label"), "{:?}", p.text);
        assert!(p.text.contains("```\n{{< x >}}\n```"));
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        let p = preprocess("text\n{{< label name=\"Visibility: Non-Audit\" >}}\n");
        assert_eq!(p.audit_scope, Some(false));
    }

    #[test]
    fn paired_shortcodes_become_blocks_and_lines_map_back() {
        let p =
            preprocess("a\n{{% alert title=\"Mind <this>\" %}}\nInner *md*\n{{% /alert %}}\nend\n");
        assert!(
            p.text.contains("<div class=\"callout callout-alert\">"),
            "{}",
            p.text
        );
        assert!(p.text.contains("<strong>Mind &lt;this&gt;</strong>"));
        assert!(p.text.contains("\nInner *md*\n"));
        assert!(p.text.contains("</div>"));
        let inner = p.text.lines().position(|l| l == "Inner *md*").unwrap();
        assert_eq!(p.line_map[inner], 2);
        let end = p.text.lines().position(|l| l == "end").unwrap();
        assert_eq!(p.line_map[end], 4);
        let d = preprocess("{{< details \"More\" >}}\nx\n{{< /details >}}\n");
        assert!(
            d.text.contains("<details>\n<summary>More</summary>"),
            "{}",
            d.text
        );
    }

    #[test]
    fn ref_unknown_and_erb() {
        let p =
            preprocess("See [x]({{% ref \"engaging#new-issues\" %}}) and {{< youtube id >}}.\n");
        assert!(
            p.text.contains("[x](trustsite-ref:engaging#new-issues)"),
            "{}",
            p.text
        );
        assert_eq!(
            ref_mark("trustsite-ref:a%20b/c.md#x").as_deref(),
            Some("a b/c.md#x")
        );
        let shown =
            preprocess("See {{< ref \"a b\" >}} and <a href=\"{{< relref \"/x/y\" >}}\">y</a>\n");
        assert!(
            shown
                .text
                .contains("See a b.md and <a href=\"trustsite-ref:/x/y\">"),
            "{}",
            shown.text
        );
        assert!(!p.text.contains("youtube"));
        assert_eq!(p.notes.len(), 1);
        assert_eq!((p.notes[0].line, p.notes[0].col), (0, 48));
        assert_eq!(p.notes[0].code, "shortcode/unknown");
        let e = preprocess("# <%= current_page.data.title %>\n\nHi <%= x %> there `<%= y %>`\n");
        assert!(!e.text.contains("current_page"));
        assert!(e.text.contains("Hi  there `<%= y %>`"), "{}", e.text);
        assert_eq!(e.notes.len(), 1);
        assert_eq!((e.notes[0].line, e.notes[0].col), (2, 4));
    }

    #[test]
    fn multi_line_shortcodes_are_one_and_keep_later_lines() {
        let p = preprocess("a\n{{< figure\n  src=\"x.png\"\n>}}\nb {{< y >}}\n");
        assert!(!p.text.contains("src="), "{}", p.text);
        assert_eq!(p.notes.len(), 2, "{:?}", p.notes);
        assert_eq!((p.notes[0].line, p.notes[1].line), (1, 4));
        let b = p.text.lines().position(|l| l.starts_with('b')).unwrap();
        assert_eq!(p.line_map[b], 4);
    }

    #[test]
    fn pandoc_lists_become_lists() {
        let p = preprocess(
            "a. *During onboarding:*\n\n    i. Hiring manager\nlazy line.\n\n    ii. HR emails IT.\n\n# Next\n\n    i. code\n",
        );
        assert!(p.text.starts_with("1. *During onboarding:*\n\n    1. Hiring manager\nlazy line.\n\n    1.  HR emails IT."), "{}", p.text);
        assert!(
            p.text.ends_with("    i. code\n"),
            "after a heading, indented text is code again: {}",
            p.text
        );
        let styles: Vec<(usize, char, u32)> = p
            .pandoc_items
            .iter()
            .map(|i| (i.line, i.kind, i.value))
            .collect();
        assert_eq!(styles, [(0, 'a', 1), (2, 'i', 1), (5, 'i', 2)]);
        // ...and says so at its line rather than silently.
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        assert_eq!(
            (p.notes[0].line, p.notes[0].col, p.notes[0].code),
            (9, 5, "markdown/pandoc-list-code")
        );
        let u = preprocess("C.  Third\n\nB. Russell wrote it.\n\nIV. Fourth\n");
        assert!(u.text.starts_with("1.  Third\n\nB. Russell"), "{}", u.text);
        assert!(u.text.ends_with("1.  Fourth\n"), "{}", u.text);
        let styles: Vec<(char, u32)> = u.pandoc_items.iter().map(|i| (i.kind, i.value)).collect();
        assert_eq!(styles, [('A', 3), ('I', 4)]);
    }

    #[test]
    fn pandoc_grid_tables_become_pipe_tables_and_latex_breaks_go() {
        let body = "a. Controls in Table 3:\n\\pagebreak\n\n+----------+---------+\n| **Name** | **Key** |\n| **of x** |         |\n+==========+=========+\n| Data é   | AES | x |\n| Keys     |         |\n+----------+---------+\n|          |         |\n+----------+---------+\n| VPN      | RSA     |\n+----------+---------+\n\nafter\n";
        let p = preprocess(body);
        assert!(
            p.text.contains("\n| **Name** **of x** | **Key** |\n|---|---|\n| Data é Keys | AES \\| x |\n| VPN | RSA |\n"),
            "{}",
            p.text
        );
        assert!(
            !p.text.contains("pagebreak") && !p.text.contains("+---"),
            "{}",
            p.text
        );
        let row = p.text.lines().position(|l| l.starts_with("| VPN")).unwrap();
        assert_eq!(p.line_map[row], 12, "a row keeps its own line");
        let after = p.text.lines().position(|l| l == "after").unwrap();
        assert_eq!(p.line_map[after], 15);
        // Not a table: left alone.
        let q = preprocess("+---+\nnot a row\n");
        assert!(q.text.starts_with("+---+\nnot a row"), "{}", q.text);
        // A long run of would-be rows is read once, not once per border.
        let long = "+-+\n|x|\n".repeat(50_000) + "end\n";
        let l = preprocess(&long);
        assert!(l.text.ends_with("|x|\nend\n"));
    }

    #[test]
    fn any_mix_of_constructs_keeps_the_line_map_whole() {
        let parts = [
            "+--+--+\n",
            "| a | b |\n",
            "+==+==+\n",
            "a. item\n",
            "    i. nested\n",
            "`span\n",
            "{{< x\n",
            ">}}\n",
            "```\n",
            "    code {{< y >}}\n",
            "# <%= t %>\n",
            "{#id}\n",
            "\\pagebreak\n",
            "\n",
            "é {{.Name}}\r\n",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    for d in ["", "x", "| c |"] {
                        let body = format!("{a}{b}{c}{d}");
                        let p = preprocess_with(&body, Some("O"));
                        let lines = body.split('\n').count();
                        assert_eq!(p.line_map.len(), p.text.split('\n').count(), "{body:?}");
                        assert!(p.line_map.iter().all(|&l| l < lines), "{body:?}");
                        assert!(p.notes.iter().all(|n| n.line < lines), "{body:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn comply_go_name_is_the_organization() {
        let p = preprocess_with(
            "{{.Name}} employs `{{.Name}}` and {{ .Name }}'s {{.Other}}\n",
            Some("Acme"),
        );
        assert_eq!(p.text, "Acme employs `{{.Name}}` and Acme's {{.Other}}\n");
        assert_eq!(preprocess("{{.Name}}\n").text, "{{.Name}}\n");
    }

    #[test]
    fn template_syntax_in_indented_code_and_multi_line_spans_is_left_alone() {
        let body = "Intro:\n\n    {{< label name=\"Visibility: Audit\" >}}\n    <%= secret %>\n\nA span `over {{< x >}}\nlines <%= y %> here` ends, {{< z >}} after.\n";
        let p = preprocess(body);
        assert_eq!(p.audit_scope, None, "a label in code is no marker");
        assert!(
            p.text
                .contains("    {{< label name=\"Visibility: Audit\" >}}\n    <%= secret %>\n"),
            "{}",
            p.text
        );
        assert!(
            p.text
                .contains("`over {{< x >}}\nlines <%= y %> here` ends,  after."),
            "{}",
            p.text
        );
        // Only the shortcode outside code is counted.
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        assert_eq!((p.notes[0].line, p.notes[0].col), (6, 28));
        // Backticks that open no span do not hide what follows.
        let q = preprocess("a ` b {{< y >}}\n");
        assert_eq!(q.notes.len(), 1, "{:?}", q.notes);
    }

    #[test]
    fn goldmark_attribute_lines_move_onto_the_heading() {
        let p = preprocess(
            "##### REGULATED RED\n{style=\"color: #8B0000\" #regulated}\ntext {not} attr\n",
        );
        assert!(
            p.text.starts_with("##### REGULATED RED {#regulated}\n\n"),
            "{}",
            p.text
        );
        assert!(p.text.contains("text {not} attr"));
        assert_eq!(p.line_map.len(), p.text.split('\n').count());
    }

    /// The gated [`needed`] answers as the plain form it replaced, on
    /// lines of every kind it looks at (and near misses), alone and after
    /// headings, with tabs, spaces, CRLF and Unicode whitespace.
    #[test]
    fn needed_answers_as_the_ungated_test() {
        fn plain(body: &str) -> bool {
            if body.contains("{{<")
                || body.contains("{{%")
                || body.contains("<%")
                || body.contains("{{") && body.contains(".Name")
            {
                return true;
            }
            let mut prev_heading = false;
            for l in body.lines() {
                let t = l.trim();
                if (prev_heading && t.starts_with('{') && t.ends_with('}'))
                    || pandoc_marker(l).is_some()
                    || is_grid_border(l)
                    || is_latex_break(l)
                {
                    return true;
                }
                prev_heading = t.starts_with('#');
            }
            false
        }
        let lines = [
            "Plain prose.",
            "a. item",
            "  b. item",
            "\ta. item",
            "ii. item",
            "A.  Item",
            "A. Item",
            "x.y",
            "+---+---+",
            " +---+",
            "+-+",
            "++",
            "\\pagebreak",
            "  \\newpage  ",
            "\\pagebreakx",
            "{.class}",
            " {#id} ",
            "{ x",
            "# Heading",
            "\u{a0}# Heading",
            "\u{2003}{.c}",
            "{{< ref x >}}",
            "{{% note %}}",
            "<% x %>",
            "{{ .Name }}",
            "{{ x }}",
            "<b>",
            "",
            "   ",
            "iv.",
            "iv. ",
            "iv. text",
            "\t+---+",
            "#",
            "{}",
            "##{x}",
        ];
        let mut bodies: Vec<String> = Vec::new();
        for a in lines {
            bodies.push(a.to_string());
            bodies.push(format!("{a}\r\n"));
            for b in lines {
                bodies.push(format!("{a}\n{b}\n"));
            }
        }
        for body in &bodies {
            assert_eq!(needed(body), plain(body), "{body:?}");
        }
    }
}
