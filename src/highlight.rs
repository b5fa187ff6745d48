//! Code highlighting with syntect, as CSS classes.
//!
//! One [`Highlighter`] loads the syntax set once and is shared by all render
//! threads. It turns a fenced code block into `<pre class="code">` HTML with
//! `hl-` prefixed classes, and produces the matching stylesheet (light, with a
//! dark variant under `prefers-color-scheme`). Highlighting is most of a
//! cold build's time, so highlighted blocks can be kept, keyed by a hash of
//! [`VERSION`], language and code: in memory across `serve` rebuilds, or on
//! disk across builds ([`DiskCache`], `build --cache DIR`). Within a build,
//! syntect's parse of each line is kept ([`LineMemo`]): a line met again
//! in the same parser state is not parsed again (same output, byte for byte).

use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// What highlighted HTML depends on besides language and code: part of every
/// cache key. Change the last field whenever [`Highlighter::block`]'s output
/// changes (markup, class style, syntect upgrade).
pub const VERSION: &str = concat!(
    "trustsite ",
    env!("CARGO_PKG_VERSION"),
    "; syntect 5 default syntaxes; hl- classes; format 1"
);

/// Shared highlighter: syntax set loaded once, optional block cache.
pub struct Highlighter {
    syntaxes: SyntaxSet,
    cache: Option<Mutex<HashMap<[u8; 32], String>>>,
    disk: Option<DiskCache>,
    /// Owner of this highlighter's per-thread [`LineMemo`]s.
    id: u64,
    /// Rendered files kept alongside (PDFs), in memory or on disk alike.
    blobs: crate::blobs::Blobs,
}

impl Highlighter {
    /// Loads the bundled syntaxes; `cache` keeps highlighted blocks in
    /// memory across builds (serve).
    pub fn new(cache: bool) -> Self {
        Highlighter {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            cache: cache.then(|| Mutex::new(HashMap::new())),
            disk: None,
            id: next_owner(),
            blobs: crate::blobs::Blobs::new(cache),
        }
    }

    /// A highlighter that highlights nothing: code is escaped as plain
    /// text and no syntax set is loaded (`check` needs no highlighted HTML).
    pub fn plain() -> Self {
        Highlighter {
            syntaxes: SyntaxSet::default(),
            cache: None,
            disk: None,
            id: next_owner(),
            blobs: crate::blobs::Blobs::default(),
        }
    }

    /// A highlighter that keeps blocks in `dir` across builds (created if
    /// missing).
    pub fn with_disk_cache(dir: &Path) -> std::io::Result<Self> {
        Ok(Highlighter {
            disk: Some(DiskCache::open(dir)?),
            blobs: crate::blobs::Blobs::on_disk(&dir.join("files")),
            ..Highlighter::new(false)
        })
    }

    /// The first error writing the disk cache, if any (the build goes on).
    pub fn cache_error(&self) -> Option<String> {
        self.disk
            .as_ref()
            .and_then(DiskCache::error)
            .or_else(|| self.blobs.error())
    }

    /// The syntaxes blocks are highlighted with.
    pub fn syntaxes(&self) -> &SyntaxSet {
        &self.syntaxes
    }

    /// Rendered files (PDFs) kept the way this highlighter keeps blocks.
    pub fn blobs(&self) -> &crate::blobs::Blobs {
        &self.blobs
    }

    /// HTML for one code block (`lang` may be empty).
    pub fn block(&self, lang: &str, code: &str) -> String {
        if self.cache.is_none() && self.disk.is_none() {
            return self.render(lang, code);
        }
        let key = cache_key(lang, code);
        if let Some(hit) = self.cached(&key) {
            return hit;
        }
        let html = self.render(lang, code);
        if let Some(cache) = &self.cache {
            let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
            map.insert(key, html.clone());
        }
        if let Some(disk) = &self.disk {
            disk.put(&key, &html);
        }
        html
    }

    fn cached(&self, key: &[u8; 32]) -> Option<String> {
        if let Some(cache) = &self.cache {
            let map = cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(hit) = map.get(key) {
                return Some(hit.clone());
            }
        }
        self.disk.as_ref().and_then(|d| d.get(key))
    }

    fn render(&self, lang: &str, code: &str) -> String {
        let lang = lang.split([',', ' ']).next().unwrap_or("").trim();
        let syntax = (!lang.is_empty())
            .then(|| self.syntaxes.find_syntax_by_token(lang))
            .flatten();
        let mut out = String::with_capacity(code.len() * 3 + 64);
        out.push_str("<pre class=\"code\"");
        if !lang.is_empty() {
            out.push_str(" data-lang=\"");
            out.push_str(&escape_attr(lang));
            out.push('"');
        }
        out.push_str("><code>");
        match syntax.and_then(|syntax| self.spans(syntax, code)) {
            Some(html) => out.push_str(&html),
            None => out.push_str(&escape_text(code)),
        }
        out.push_str("</code></pre>\n");
        out
    }

    /// What syntect's `ClassedHTMLGenerator` makes of `code` (the same
    /// steps: parse each line, turn its scope operations into spans, close
    /// the spans left open), with each line's parse taken from the memo when
    /// the line was met before in the same state. `None` when syntect fails.
    fn spans(&self, syntax: &SyntaxReference, code: &str) -> Option<String> {
        let id = std::ptr::from_ref(syntax) as usize;
        let mut state = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        let mut open: isize = 0;
        let mut html = String::with_capacity(code.len() * 3);
        for line in LinesWithEndings::from(code) {
            let ops = LineMemo::with(self.id, |memo| {
                if let Some((ops, after)) = memo.get(id, &state, line) {
                    state = after;
                    return Some(ops);
                }
                let before = state.clone();
                let ops = state.parse_line(line, &self.syntaxes).ok()?;
                memo.put(id, line, before, &ops, &state);
                Some(ops)
            })?;
            let (spans, delta) =
                line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut stack).ok()?;
            open += delta;
            html.push_str(&spans);
        }
        for _ in 0..open {
            html.push_str("</span>");
        }
        Some(html)
    }
}

/// Syntect's parse of lines already met, per syntax and line text: the
/// parser state before the line, the scope operations it yields and the
/// state after it. Parsing is a pure function of (syntax, state, line), so a
/// hit gives exactly what parsing again would; only the cost differs
/// (code blocks repeat lines: closing braces, blank lines, common keys).
/// One memo per thread (syntect's parser state holds regex match regions,
/// which may not cross threads), for one [`Highlighter`] at a time: it is
/// emptied when a thread highlights for another one. Bounded: lines over
/// [`MAX_LINE`] bytes are not kept, nor more than [`MAX_ENTRIES`] entries
/// per thread, nor more than [`MAX_STATES`] states per line; past that,
/// lines are parsed as before.
#[derive(Default)]
struct LineMemo {
    owner: u64,
    lines: HashMap<usize, HashMap<Box<str>, Vec<Parsed>>>,
    entries: usize,
}

struct Parsed {
    before: ParseState,
    ops: Vec<(usize, ScopeStackOp)>,
    after: ParseState,
}

const MAX_LINE: usize = 512;
const MAX_ENTRIES: usize = 100_000;
const MAX_STATES: usize = 8;

thread_local! {
    static LINES: RefCell<LineMemo> = RefCell::new(LineMemo::default());
}

/// A new owner id for a thread's [`LineMemo`] (one per [`Highlighter`]).
fn next_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl LineMemo {
    /// This thread's memo for `owner`, emptied first if it held another's.
    fn with<R>(owner: u64, f: impl FnOnce(&mut LineMemo) -> R) -> R {
        LINES.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.owner != owner {
                *memo = LineMemo {
                    owner,
                    ..LineMemo::default()
                };
            }
            f(&mut memo)
        })
    }

    fn get(
        &self,
        syntax: usize,
        state: &ParseState,
        line: &str,
    ) -> Option<(Vec<(usize, ScopeStackOp)>, ParseState)> {
        let parsed = self.lines.get(&syntax)?.get(line)?;
        let hit = parsed.iter().find(|p| p.before == *state)?;
        Some((hit.ops.clone(), hit.after.clone()))
    }

    fn put(
        &mut self,
        syntax: usize,
        line: &str,
        before: ParseState,
        ops: &[(usize, ScopeStackOp)],
        after: &ParseState,
    ) {
        if line.len() > MAX_LINE || self.entries >= MAX_ENTRIES {
            return;
        }
        let states = self
            .lines
            .entry(syntax)
            .or_default()
            .entry(line.into())
            .or_default();
        if states.len() >= MAX_STATES || states.iter().any(|p| p.before == before) {
            return;
        }
        states.push(Parsed {
            before,
            ops: ops.to_vec(),
            after: after.clone(),
        });
        self.entries += 1;
    }
}

fn cache_key(lang: &str, code: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(VERSION);
    h.update([0]);
    h.update(lang);
    h.update([0]);
    h.update(code);
    h.finalize().into()
}

/// Highlighted blocks on disk: one file per block, `DIR/ab/abcd…` (the hex
/// cache key), holding the SHA-256 of the HTML on its first line and the HTML
/// after it. Files are written aside and renamed into place, so concurrent
/// builds and interrupted ones never leave a torn entry; an entry whose hash
/// does not match is ignored and rewritten. The folder is as trusted as the
/// site's own files (its HTML goes into pages as it is): keep it beside them.
pub struct DiskCache {
    dir: PathBuf,
    error: Mutex<Option<String>>,
}

impl DiskCache {
    /// Opens (creating) the cache folder.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(DiskCache {
            dir: dir.to_path_buf(),
            error: Mutex::new(None),
        })
    }

    fn path(&self, key: &[u8; 32]) -> PathBuf {
        let hex = crate::digest::hex(key);
        self.dir.join(&hex[..2]).join(hex)
    }

    /// The cached HTML of `key`, if present and intact.
    pub fn get(&self, key: &[u8; 32]) -> Option<String> {
        let text = std::fs::read_to_string(self.path(key)).ok()?;
        let (sum, html) = text.split_once('\n')?;
        (sum == crate::digest::hex(&Sha256::digest(html))).then(|| html.to_string())
    }

    /// Stores `html` under `key`; a failure is remembered, not fatal.
    pub fn put(&self, key: &[u8; 32], html: &str) {
        let path = self.path(key);
        let sum = crate::digest::hex(&Sha256::digest(html));
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let dir = path.parent().unwrap_or(&self.dir);
                let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
                std::io::Write::write_all(&mut tmp, format!("{sum}\n{html}").as_bytes())?;
                tmp.persist(&path).map(drop).map_err(|e| e.error)
            });
        if let Err(e) = result {
            let mut first = self.error.lock().unwrap_or_else(|e| e.into_inner());
            first.get_or_insert_with(|| format!("{}: {e}", self.dir.display()));
        }
    }

    fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The stylesheet for the highlight classes: light theme, dark under a media query.
pub fn stylesheet() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let light = css_for_theme_with_class_style(&themes.themes["InspiredGitHub"], CLASS_STYLE)
        .unwrap_or_default();
    let dark = css_for_theme_with_class_style(&themes.themes["base16-ocean.dark"], CLASS_STYLE)
        .unwrap_or_default();
    format!(
        "/* generated by trustsite from syntect themes */\n{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
}

/// Escapes text for HTML element content (`&`, `<`, `>`), with
/// pulldown-cmark's own escaper.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    pulldown_cmark_escape::escape_html_body_text(&mut out, s)
        .expect("writing to a String cannot fail");
    out
}

/// Escapes text for a double-quoted HTML attribute (`&`, `<`, `>`, `"`,
/// `'`), with pulldown-cmark's own escaper.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    pulldown_cmark_escape::escape_html(&mut out, s).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_with_classes() {
        let h = Highlighter::new(true);
        let html = h.block("rust", "fn main() {}\n");
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("data-lang=\"rust\""));
        assert_eq!(h.block("rust", "fn main() {}\n"), html);
    }

    /// Syntect's own generator, one block at a time (what `block` did
    /// before the line memo).
    fn syntect_alone(syntaxes: &SyntaxSet, lang: &str, code: &str) -> String {
        let syntax = syntaxes.find_syntax_by_token(lang).unwrap();
        let mut generator = syntect::html::ClassedHTMLGenerator::new_with_class_style(
            syntax,
            syntaxes,
            CLASS_STYLE,
        );
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        format!(
            "<pre class=\"code\" data-lang=\"{lang}\"><code>{}</code></pre>\n",
            generator.finalize()
        )
    }

    #[test]
    fn line_memo_gives_syntects_output_byte_for_byte() {
        // The same lines in different parser states: inside and outside a
        // block comment, a heredoc, a multi-line string; blocks repeated,
        // each in a fresh state; a block without a final newline.
        let blocks = [
            ("rust", "/*\nfn a() {}\n*/\nfn a() {}\n}\n"),
            ("rust", "fn a() {}\n/*\nfn a() {}\n"),
            ("rust", "fn a() {}\n}\n"),
            ("bash", "cat <<EOF\necho \"$x\"\nEOF\necho \"$x\"\n"),
            ("bash", "echo \"$x\"\nfor f in *; do\n  echo \"$x\"\ndone"),
            ("yaml", "a: |\n  b: 1\nb: 1\nc:\n  - b: 1\n"),
            ("yaml", "b: 1\n"),
            ("json", "{\n  \"a\": \"b\",\n  \"c\": [\"b\", 1]\n}\n"),
            ("json", "\"a\": \"b\",\n"),
            ("python", "s = \"\"\"\nx = 1\n\"\"\"\nx = 1\n"),
        ];
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let h = Highlighter::new(false);
        for round in 0..2 {
            for (lang, code) in blocks {
                assert_eq!(
                    h.block(lang, code),
                    syntect_alone(&syntaxes, lang, code),
                    "round {round}: {lang} {code:?}"
                );
            }
        }
        // Another highlighter on the same thread starts from an empty memo,
        // and the first one's output does not change after it.
        let other = Highlighter::new(false);
        assert_eq!(
            other.block("rust", blocks[0].1),
            syntect_alone(&syntaxes, "rust", blocks[0].1)
        );
        assert_eq!(
            h.block("rust", blocks[1].1),
            syntect_alone(&syntaxes, "rust", blocks[1].1)
        );
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let h = Highlighter::new(false);
        let html = h.block("nosuchlang\"><script>", "<b>&</b>");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn disk_cache_survives_a_new_highlighter_and_ignores_torn_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let h = Highlighter::with_disk_cache(tmp.path()).unwrap();
        let html = h.block("rust", "fn main() {}\n");
        let key = cache_key("rust", "fn main() {}\n");
        let disk = DiskCache::open(tmp.path()).unwrap();
        assert_eq!(disk.get(&key).as_deref(), Some(html.as_str()));
        let again = Highlighter::with_disk_cache(tmp.path()).unwrap();
        assert_eq!(again.block("rust", "fn main() {}\n"), html);
        std::fs::write(disk.path(&key), "0000\n<script>").unwrap();
        assert_eq!(disk.get(&key), None);
        assert_eq!(again.block("rust", "fn main() {}\n"), html);
        assert_eq!(disk.get(&key).as_deref(), Some(html.as_str()));
        assert_eq!(again.cache_error(), None);
    }

    #[test]
    fn stylesheet_has_both_schemes() {
        let css = stylesheet();
        assert!(css.contains(".hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}
