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
//! - `ref`/`relref` become the `.md` path of the document they name, so the
//!   link resolver treats them like any Markdown link;
//! - any other shortcode is removed with a warning at its line, its inner
//!   content kept;
//! - an ATX heading that is only ERB (`# <%= current_page.data.title %>`) is
//!   dropped (the title comes from front-matter); other ERB is removed with a
//!   warning;
//! - a goldmark attribute line (`{#id .class}` under a heading) moves onto
//!   the heading as `{#id .class}` (pulldown-cmark's heading attributes).
//!
//! Shortcodes and ERB inside code spans and fenced code blocks are left
//! alone. The rewrite may add lines (HTML blocks need blank lines around
//! them); [`Preprocessed::line_map`] maps each output line back to its input
//! line, so diagnostics keep the file's own line numbers. Pure: no IO.

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
}

/// Whether `body` may hold anything [`preprocess`] changes (a cheap test).
pub fn needed(body: &str) -> bool {
    if body.contains("{{<") || body.contains("{{%") || body.contains("<%") {
        return true;
    }
    // An attribute line counts only right after a heading (JSON code
    // blocks start lines with `{` too, and need no rewriting).
    let mut prev_heading = false;
    for l in body.lines() {
        let t = l.trim();
        if (prev_heading && t.starts_with('{') && t.ends_with('}')) || pandoc_marker(l).is_some() {
            return true;
        }
        prev_heading = t.starts_with('#');
    }
    false
}

/// When `line` opens a shortcode that closes on a later line (within 20
/// lines), how many of the `next` lines it takes.
fn shortcode_continues(line: &str, next: &[&str]) -> Option<usize> {
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
    if line[open..].contains(closer) || line[..open].matches('`').count() % 2 == 1 {
        return None;
    }
    next.iter()
        .take(20)
        .position(|l| l.contains(closer))
        .map(|k| k + 1)
}

/// `(indent, marker length)` of a pandoc-style list item: `a. text`,
/// `i. text`, `iv. text` (lowercase letter or roman numeral, then `. `),
/// indented at most 7 spaces.
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
    let roman =
        !marker.is_empty() && marker.len() <= 4 && marker.bytes().all(|b| b"ivx".contains(&b));
    let letter = marker.len() == 1 && marker.bytes().all(|b| b.is_ascii_lowercase());
    let text = t[marker_end + 2..].trim_start();
    ((roman || letter) && !text.is_empty()).then_some((indent, marker_end + 1))
}

/// Rewrites `body`; see the module documentation.
pub fn preprocess(body: &str) -> Preprocessed {
    let mut p = Pre {
        line_map: vec![0],
        ..Pre::default()
    };
    let mut fence: Option<(char, usize)> = None;
    let mut prev_heading = false;
    // Inside a pandoc-style list (comply): its nested items, indented like
    // code, are list items too.
    let mut pandoc = false;
    let mut prev_blank = true;
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    // Lines a multi-line shortcode took (kept as empty lines).
    let mut skip_to = 0;
    let mut joined: String;
    for (i, raw_line) in lines.iter().enumerate() {
        if i < skip_to {
            p.push("\n", i + 1);
            continue;
        }
        let (mut line, eol) = match raw_line.strip_suffix('\n') {
            Some(l) => (l.strip_suffix('\r').unwrap_or(l), &raw_line[l.len()..]),
            None => (*raw_line, ""),
        };
        let eol = if eol.is_empty() { "" } else { "\n" };
        if fence.is_none()
            && let Some(end) = shortcode_continues(line, &lines[i + 1..])
        {
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
        if let Some(f) = fence {
            if closes_fence(line, f) {
                fence = None;
            }
            p.push(line, i);
            p.push(eol, i + 1);
            continue;
        }
        if let Some(f) = opens_fence(line) {
            fence = Some(f);
            p.push(line, i);
            p.push(eol, i + 1);
            prev_heading = false;
            continue;
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
        let converted;
        let line = match pandoc_marker(line) {
            Some((indent, len)) if indent < 4 || pandoc => {
                pandoc = true;
                // `a.`/`i.` -> `1.` (same width): a CommonMark ordered list,
                // not an indented code block.
                let pad = " ".repeat(len.saturating_sub(2));
                converted = format!("{}1.{pad}{}", &line[..indent], &line[indent + len..]);
                converted.as_str()
            }
            _ => {
                // A new top-level block (not a lazy continuation line) ends it.
                if !line.trim().is_empty()
                    && !line.starts_with(' ')
                    && (prev_blank || is_atx_heading(line))
                {
                    pandoc = false;
                }
                line
            }
        };
        prev_blank = line.trim().is_empty();
        let start = p.out.len();
        p.line(line, i);
        let written = &p.out[start..];
        prev_heading = is_atx_heading(written);
        p.push(eol, i + 1);
    }
    Preprocessed {
        text: p.out,
        line_map: p.line_map,
        notes: p.notes,
        audit_scope: p.audit_scope,
    }
}

#[derive(Default)]
struct Pre {
    out: String,
    line_map: Vec<usize>,
    notes: Vec<PreNote>,
    audit_scope: Option<bool>,
}

impl Pre {
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

    /// One line outside fenced code: code spans kept, shortcodes and ERB rewritten.
    fn line(&mut self, line: &str, src: usize) {
        let b = line.as_bytes();
        let mut i = 0;
        let mut copied = 0;
        while i < b.len() {
            if b[i] == b'`' {
                let run = b[i..].iter().take_while(|&&c| c == b'`').count();
                let close = find_run(line, i + run, run);
                i = close.map_or(i + run, |c| c + run);
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
                self.push(&ref_target(&target), src);
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

/// `x#a` -> `x.md#a`; a folder or `_index` target -> its `_index.md`/`index.md`
/// is left to the resolver as the folder path.
fn ref_target(target: &str) -> String {
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

/// Position of the next run of exactly `n` backticks at or after `from`.
fn find_run(line: &str, from: usize, n: usize) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = from;
    while i < b.len() {
        if b[i] == b'`' {
            let run = b[i..].iter().take_while(|&&c| c == b'`').count();
            if run == n {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
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
        assert!(p.text.contains("[x](engaging.md#new-issues)"), "{}", p.text);
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
}
