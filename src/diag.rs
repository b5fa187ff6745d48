//! Diagnostics: the one shape every problem takes on its way to the user.
//!
//! Loading, rendering and checking all push [`Diagnostic`]s into a list; the
//! CLI edge decides how to print them (`path:line:col: severity: message` by
//! default, or one of the CI formats in `report`). This module owns the type
//! and the plain-text rendering; it does no IO.
//!
//! Paths and messages carry text from content (file names, field values,
//! titles), so every diagnostic is built through [`clean`]: control
//! characters (C0, DEL, C1), line and paragraph separators and bidi
//! controls are written as visible escapes (`\n`, `\u{1b}`), so content can
//! never start a new CI annotation line (`::error`), move the cursor or
//! recolour a terminal, or reorder what a reviewer reads.

use serde::Serialize;
use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks a build and fails `check`.
    Error,
    /// Reported; fails `check --strict` only.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem, located in a file of the site (path relative to the site root).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    /// File path relative to the site root, `/`-separated (`content/policies/x.md`).
    pub path: String,
    /// 1-based line in the file itself (0 when the problem concerns the whole file).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub col: usize,
    /// Error or warning.
    pub severity: Severity,
    /// Stable machine-readable code, `area/name` (`link/broken`); empty
    /// where none has been assigned yet. Behaviour (exit codes, CI
    /// severities) keys on this, never on the message text.
    pub code: &'static str,
    /// One-line human message; may end with a hint after `; `.
    pub message: String,
}

impl Diagnostic {
    /// An error at `path:line:col`.
    pub fn error(path: impl Into<String>, line: usize, col: usize, msg: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, line, col, msg)
    }

    /// A warning at `path:line:col`.
    pub fn warning(
        path: impl Into<String>,
        line: usize,
        col: usize,
        msg: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, path, line, col, msg)
    }

    fn new(
        severity: Severity,
        path: impl Into<String>,
        line: usize,
        col: usize,
        msg: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: clean(&path.into()).into_owned(),
            line,
            col,
            severity,
            code: "",
            message: clean(&msg.into()).into_owned(),
        }
    }

    /// The same diagnostic with its stable code (`area/name`).
    #[must_use]
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl Diagnostic {
    /// `path:line:col`, leaving out line and column when unknown.
    pub fn location(&self) -> String {
        match (self.line, self.col) {
            (0, _) => self.path.clone(),
            (l, 0) => format!("{}:{l}", self.path),
            (l, c) => format!("{}:{l}:{c}", self.path),
        }
    }
}

impl Diagnostic {
    /// ` [area/name]`, or nothing for a diagnostic without a code.
    pub fn code_suffix(&self) -> String {
        if self.code.is_empty() {
            String::new()
        } else {
            format!(" [{}]", self.code)
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:col: severity: message [code]`; line and column are left
    /// out when unknown, the code when there is none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}{}",
            self.location(),
            self.severity.as_str(),
            self.message,
            self.code_suffix()
        )
    }
}

/// One documented diagnostic code.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// `area/name`.
    pub code: &'static str,
    /// Its severity where it is emitted (`check` raises the codes in
    /// `check::ERRORS_IN_CHECK` to errors).
    pub severity: Severity,
    /// What it means, one line (the README table).
    pub meaning: &'static str,
}

/// Every diagnostic code trustsite emits, sorted. A unit test keeps the
/// README's table and the codes used in `src/` in step with this list.
#[cfg(test)]
pub const CODES: &[Code] = &[
    Code {
        code: "alias/invalid",
        severity: Severity::Error,
        meaning: "a page's `aliases` entry cannot be published (outside the site, a clash with another page)",
    },
    Code {
        code: "asset/active",
        severity: Severity::Error,
        meaning: "an active file (`.html`, `.js`, ...) under `content/` is never published (unless `allow_active` lists it)",
    },
    Code {
        code: "asset/document-copy",
        severity: Severity::Warning,
        meaning: "a file under `content/` looks like a copy of a document (backup, merge leftover); never published",
    },
    Code {
        code: "asset/withheld",
        severity: Severity::Warning,
        meaning: "a file under `content/` is not published: no published page links to or embeds it, and `publish.files` does not name it",
    },
    Code {
        code: "baseline/removed",
        severity: Severity::Warning,
        meaning: "a document published in the `--baseline` release no longer exists",
    },
    Code {
        code: "baseline/unpublished",
        severity: Severity::Warning,
        meaning: "a document published in the baseline release is no longer published",
    },
    Code {
        code: "baseline/unreadable",
        severity: Severity::Error,
        meaning: "the `--baseline` manifest cannot be read or parsed (exit 2)",
    },
    Code {
        code: "baseline/unversioned-change",
        severity: Severity::Error,
        meaning: "a document's source changed since the baseline release but its `version` did not",
    },
    Code {
        code: "baseline/visibility-changed",
        severity: Severity::Warning,
        meaning: "a document's visibility changed since the baseline release",
    },
    Code {
        code: "bundle/changed",
        severity: Severity::Error,
        meaning: "a source changed while the site was being built (the download bundle would not match): build again",
    },
    Code {
        code: "bundle/failed",
        severity: Severity::Error,
        meaning: "the download bundle (zip) cannot be made",
    },
    Code {
        code: "bundle/source-withheld",
        severity: Severity::Warning,
        meaning: "a published page's source is left out of the download bundle (it would leak withheld content)",
    },
    Code {
        code: "bundle/unreadable",
        severity: Severity::Error,
        meaning: "a source cannot be read for the download bundle",
    },
    Code {
        code: "certification/expired",
        severity: Severity::Error,
        meaning: "a `certified` certification's `expires` date has passed",
    },
    Code {
        code: "certification/no-expiry",
        severity: Severity::Warning,
        meaning: "a `certified` certification has no `expires` date",
    },
    Code {
        code: "certification/report-unpublished",
        severity: Severity::Warning,
        meaning: "a certification's `report` is not a published document",
    },
    Code {
        code: "config/allow-active-unused",
        severity: Severity::Warning,
        meaning: "`allow_active` names no file under `content/`",
    },
    Code {
        code: "config/bad-value",
        severity: Severity::Error,
        meaning: "a `trust.yaml` value is invalid (a date, a cycle, a URI, a catalogue...)",
    },
    Code {
        code: "config/base-url",
        severity: Severity::Error,
        meaning: "`--base-url` is not `http(s)://host/...` or `/...` (exit 2)",
    },
    Code {
        code: "config/invalid",
        severity: Severity::Error,
        meaning: "`trust.yaml` is not valid YAML, has a wrong type or an unknown key",
    },
    Code {
        code: "config/not-utf8",
        severity: Severity::Error,
        meaning: "`trust.yaml` is not UTF-8 text",
    },
    Code {
        code: "config/pdf-unavailable",
        severity: Severity::Error,
        meaning: "`pdf: true` but this binary was built without the cargo feature `pdf`",
    },
    Code {
        code: "config/unreadable",
        severity: Severity::Error,
        meaning: "`trust.yaml` is missing or cannot be read (exit 2)",
    },
    Code {
        code: "content/changed",
        severity: Severity::Error,
        meaning: "a document's file changed between its load and the rendering of its page: build again",
    },
    Code {
        code: "content/duplicate-home",
        severity: Severity::Error,
        meaning: "two home introductions (`content/index.md` in two spellings)",
    },
    Code {
        code: "content/duplicate-id",
        severity: Severity::Error,
        meaning: "two documents share one `id`",
    },
    Code {
        code: "content/duplicate-url",
        severity: Severity::Error,
        meaning: "two documents would be published at one URL",
    },
    Code {
        code: "content/non-utf8-name",
        severity: Severity::Error,
        meaning: "a file name under `content/` is not UTF-8",
    },
    Code {
        code: "content/not-utf8",
        severity: Severity::Error,
        meaning: "a Markdown file is not UTF-8 text",
    },
    Code {
        code: "content/nul-bytes",
        severity: Severity::Error,
        meaning: "a Markdown file contains NUL bytes",
    },
    Code {
        code: "content/symlink",
        severity: Severity::Warning,
        meaning: "a symbolic link under `content/` is skipped",
    },
    Code {
        code: "content/unreadable",
        severity: Severity::Error,
        meaning: "a file under `content/` cannot be read",
    },
    Code {
        code: "control/unknown",
        severity: Severity::Warning,
        meaning: "a document names a control id its framework's catalogue does not have",
    },
    Code {
        code: "erb/removed",
        severity: Severity::Warning,
        meaning: "an ERB tag (tech-docs `.erb`) is removed",
    },
    Code {
        code: "frontmatter/cascade-target",
        severity: Severity::Warning,
        meaning: "a `cascade` entry whose `_target` trustsite cannot read applies to no page",
    },
    Code {
        code: "frontmatter/conflicting-field",
        severity: Severity::Error,
        meaning: "`draft` or `visibility` given twice (directly or through an alias)",
    },
    Code {
        code: "frontmatter/controlled-incomplete",
        severity: Severity::Warning,
        meaning: "a controlled document lacks `owner` or `version`",
    },
    Code {
        code: "frontmatter/duplicate-field",
        severity: Severity::Warning,
        meaning: "a front-matter field is given twice (directly or through an alias)",
    },
    Code {
        code: "frontmatter/invalid",
        severity: Severity::Error,
        meaning: "front-matter is not valid YAML, or a field has the wrong type or value",
    },
    Code {
        code: "frontmatter/invalid-cycle",
        severity: Severity::Error,
        meaning: "`review_cycle` is not a known cycle or span",
    },
    Code {
        code: "frontmatter/invalid-date",
        severity: Severity::Error,
        meaning: "a date field (or a revision's date) is not a valid `YYYY-MM-DD`",
    },
    Code {
        code: "frontmatter/invalid-embargo",
        severity: Severity::Error,
        meaning: "a Hugo embargo field (`publishDate`, `expiryDate`, `headless`, `_build`) has an invalid value",
    },
    Code {
        code: "frontmatter/missing",
        severity: Severity::Error,
        meaning: "a Markdown file has no front-matter",
    },
    Code {
        code: "frontmatter/missing-title",
        severity: Severity::Error,
        meaning: "front-matter has no `title`",
    },
    Code {
        code: "frontmatter/unclosed",
        severity: Severity::Error,
        meaning: "front-matter opened with `---` is never closed",
    },
    Code {
        code: "frontmatter/unknown-field",
        severity: Severity::Warning,
        meaning: "an unknown front-matter field (ignored; the closest known one is suggested)",
    },
    Code {
        code: "frontmatter/unsupported-embargo",
        severity: Severity::Warning,
        meaning: "a Hugo `_build` option trustsite does not follow (`list: never`): the page is published and listed",
    },
    Code {
        code: "git/failed",
        severity: Severity::Error,
        meaning: "git history cannot be read (`review.from_git`)",
    },
    Code {
        code: "git/shallow",
        severity: Severity::Error,
        meaning: "the git repository is a shallow clone: versions and dates from history would be wrong",
    },
    Code {
        code: "html/attribute-removed",
        severity: Severity::Warning,
        meaning: "a raw HTML attribute is removed (not on the allow-list, or an unsafe URL)",
    },
    Code {
        code: "html/removed",
        severity: Severity::Warning,
        meaning: "a raw HTML tag is removed (not on the allow-list of harmless tags)",
    },
    Code {
        code: "link/broken",
        severity: Severity::Warning,
        meaning: "a link or image to a document, page or file that does not exist",
    },
    Code {
        code: "link/broken-anchor",
        severity: Severity::Warning,
        meaning: "a link to a heading anchor that does not exist",
    },
    Code {
        code: "link/outside",
        severity: Severity::Warning,
        meaning: "a link that points outside `content/`",
    },
    Code {
        code: "link/ref-ambiguous",
        severity: Severity::Warning,
        meaning: "a Hugo `ref`/`relref` by file name matches several documents",
    },
    Code {
        code: "link/remote-image",
        severity: Severity::Warning,
        meaning: "an image from another host is not embedded",
    },
    Code {
        code: "link/unpublished",
        severity: Severity::Warning,
        meaning: "a link to a document or file that is not published (the link is removed)",
    },
    Code {
        code: "link/unsafe-scheme",
        severity: Severity::Warning,
        meaning: "a link with an unsafe URL scheme (`javascript:`...) is removed",
    },
    Code {
        code: "link/unverifiable",
        severity: Severity::Warning,
        meaning: "a raw HTML link whose target cannot be decoded is removed",
    },
    Code {
        code: "markdown/pandoc-list-code",
        severity: Severity::Warning,
        meaning: "a pandoc-style list item (`a.`, `i.`) indented so far that it is an indented code block",
    },
    Code {
        code: "output/duplicate-path",
        severity: Severity::Error,
        meaning: "two sources produce one output file",
    },
    Code {
        code: "output/write-failed",
        severity: Severity::Error,
        meaning: "an output file cannot be written",
    },
    Code {
        code: "pdf/render",
        severity: Severity::Error,
        meaning: "typst could not render a document's PDF",
    },
    Code {
        code: "pdf/source-changed",
        severity: Severity::Error,
        meaning: "a document's source changed while its PDF was being built: build again",
    },
    Code {
        code: "pdf/source-unreadable",
        severity: Severity::Error,
        meaning: "a document's source cannot be read again for its PDF",
    },
    Code {
        code: "pdf/source-withheld",
        severity: Severity::Warning,
        meaning: "no PDF for a document whose source names an unpublished document or holds an HTML comment (the PDF attaches the source as it is)",
    },
    Code {
        code: "pdf/too-large",
        severity: Severity::Error,
        meaning: "a document is over a PDF limit (headings, table cells, code, text runs)",
    },
    Code {
        code: "publish/restricted-intro",
        severity: Severity::Warning,
        meaning: "a listing or home introduction marked `restricted` is not published (an introduction is all or nothing)",
    },
    Code {
        code: "review/due-soon",
        severity: Severity::Warning,
        meaning: "a document's review is due within `warn_days` (`check`)",
    },
    Code {
        code: "review/future-date",
        severity: Severity::Warning,
        meaning: "`last_reviewed` is after today",
    },
    Code {
        code: "review/never-reviewed",
        severity: Severity::Error,
        meaning: "a controlled document has no `last_reviewed` or `next_review` (`check`)",
    },
    Code {
        code: "review/overdue",
        severity: Severity::Error,
        meaning: "a document's review is overdue (`check`)",
    },
    Code {
        code: "securitytxt/base-url",
        severity: Severity::Warning,
        meaning: "`security_contact` is set but `base_url` is not absolute: security.txt is not generated",
    },
    Code {
        code: "securitytxt/expires-far",
        severity: Severity::Warning,
        meaning: "security.txt `Expires` is more than a year ahead (`check`)",
    },
    Code {
        code: "securitytxt/invalid",
        severity: Severity::Error,
        meaning: "a security.txt field breaks RFC 9116 (`check`)",
    },
    Code {
        code: "securitytxt/missing-field",
        severity: Severity::Error,
        meaning: "security.txt lacks `Contact` or `Expires` (`check`)",
    },
    Code {
        code: "securitytxt/no-contact",
        severity: Severity::Warning,
        meaning: "no `security_contact`: security.txt is not generated",
    },
    Code {
        code: "securitytxt/outlives-policy",
        severity: Severity::Warning,
        meaning: "security.txt `Expires` is after its policy's next review (`check`)",
    },
    Code {
        code: "securitytxt/policy-not-public",
        severity: Severity::Warning,
        meaning: "`security_txt.policy` names no published public document",
    },
    Code {
        code: "shortcode/unknown",
        severity: Severity::Warning,
        meaning: "a Hugo shortcode trustsite does not know is removed",
    },
    Code {
        code: "sign/failed",
        severity: Severity::Error,
        meaning: "the manifest cannot be signed",
    },
    Code {
        code: "site/no-root",
        severity: Severity::Error,
        meaning: "the site root is not a folder (exit 2)",
    },
    Code {
        code: "svg/active",
        severity: Severity::Error,
        meaning: "an SVG under `content/` is not inert (script, event handlers, external references...) and is not published",
    },
    Code {
        code: "template/invalid",
        severity: Severity::Error,
        meaning: "a template does not parse",
    },
    Code {
        code: "template/render",
        severity: Severity::Error,
        meaning: "a template fails while rendering a page",
    },
    Code {
        code: "theme/not-found",
        severity: Severity::Error,
        meaning: "the configured theme folder does not exist",
    },
    Code {
        code: "theme/not-utf8",
        severity: Severity::Error,
        meaning: "a template is not UTF-8 text",
    },
    Code {
        code: "theme/symlink",
        severity: Severity::Error,
        meaning: "the theme folder is a symbolic link",
    },
    Code {
        code: "theme/unreadable",
        severity: Severity::Error,
        meaning: "a theme file cannot be read",
    },
    Code {
        code: "time/unresolved",
        severity: Severity::Error,
        meaning: "\"today\" cannot be resolved (bad `SOURCE_DATE_EPOCH` or time zone; exit 2)",
    },
];

/// The README table of [`CODES`]: `| code | severity | meaning |`; a code
/// that `check` raises to an error says `warning (error in check)`.
#[cfg(test)]
pub fn codes_table(errors_in_check: &[&str]) -> String {
    let mut out = String::from("| code | severity | meaning |\n| --- | --- | --- |\n");
    for c in CODES {
        let severity = match c.severity {
            Severity::Warning if errors_in_check.contains(&c.code) => "warning (error in `check`)",
            s => s.as_str(),
        };
        out.push_str(&format!("| `{}` | {severity} | {} |\n", c.code, c.meaning));
    }
    out
}

/// Whether `c` must not reach a terminal or CI log as is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every control character, line or paragraph separator and bidi
/// control written as a visible escape: `\n`, `\r`, `\t`, else `\u{1b}`.
/// A backslash stays as it is (paths on Windows; escapes stay readable).
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

impl Diagnostic {
    /// The same diagnostic with path and message passed through [`clean`]
    /// again (for output edges, in case a field was changed after
    /// construction).
    #[must_use]
    pub fn cleaned(&self) -> Diagnostic {
        Diagnostic {
            path: clean(&self.path).into_owned(),
            message: clean(&self.message).into_owned(),
            ..self.clone()
        }
    }
}

/// Sorts diagnostics for output: by path, line, column, then severity.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort();
}

/// Counts `(errors, warnings)`.
pub fn count(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

/// The known name closest to `unknown` (Levenshtein distance at most 3 and
/// less than half its length), for did-you-mean hints.
pub fn closest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let unknown = unknown.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (strsim::levenshtein(&unknown, k), *k))
        .filter(|(d, k)| *d <= 3 && *d * 2 < k.len().max(unknown.len()))
        .min()
        .map(|(_, k)| k)
}

/// Test support: asserts that the README's text between the `start` and
/// `end` markers is `want` (a table generated from code); with
/// `TRUSTSITE_UPDATE_README` set, rewrites that text instead. `test` names
/// the test to rerun in the failure message.
#[cfg(test)]
pub(crate) fn readme_section(start: &str, end: &str, want: &str, test: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let from = readme
        .find(start)
        .unwrap_or_else(|| panic!("README has no marker {start:?}"))
        + start.len();
    let to = from
        + readme[from..]
            .find(end)
            .unwrap_or_else(|| panic!("README has no marker {end:?}"));
    if readme[from..to] != *want && std::env::var_os("TRUSTSITE_UPDATE_README").is_some() {
        let updated = format!("{}{want}{}", &readme[..from], &readme[to..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        readme[from..to],
        *want,
        "README section is stale: run TRUSTSITE_UPDATE_README=1 cargo test --lib {test}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_path_line_col() {
        let d = Diagnostic::error("content/a.md", 3, 7, "bad");
        assert_eq!(d.to_string(), "content/a.md:3:7: error: bad");
        let w = Diagnostic::warning("trust.yaml", 0, 0, "meh");
        assert_eq!(w.to_string(), "trust.yaml: warning: meh");
    }

    #[test]
    fn control_characters_are_escaped_in_path_and_message() {
        let d = Diagnostic::error(
            "content/a\n::error file=x::forged.md",
            1,
            1,
            "title `\x1b[2J\x07\u{9b}31m\u{202e}x\r\n::warning::y`",
        );
        assert_eq!(d.path, "content/a\\n::error file=x::forged.md");
        assert_eq!(
            d.message,
            "title `\\u{1b}[2J\\u{7}\\u{9b}31m\\u{202e}x\\r\\n::warning::y`"
        );
        let shown = d.to_string();
        assert!(!shown.chars().any(is_unsafe), "{shown}");
        assert_eq!(shown.lines().count(), 1);
        assert!(matches!(
            clean("plain ü \\ path"),
            std::borrow::Cow::Borrowed(_)
        ));
        let mut changed = d.clone();
        changed.message.push('\u{1b}');
        assert!(!changed.cleaned().message.contains('\u{1b}'));
    }

    #[test]
    fn did_you_mean() {
        let known = ["visibility", "version", "owner", "title", "tags"];
        assert_eq!(closest("visiblity", &known), Some("visibility"));
        assert_eq!(closest("onwer", &known), Some("owner"));
        assert_eq!(closest("layout", &known), None);
        assert_eq!(closest("tag", &known), Some("tags"));
    }

    /// Where the codes table sits in the README.
    const README_START: &str = "<!-- codes:start (generated from diag::CODES) -->\n";
    const README_END: &str = "<!-- codes:end -->";

    #[test]
    fn codes_are_sorted_unique_area_slash_name() {
        let names: Vec<&str> = CODES.iter().map(|c| c.code).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "diag::CODES must be sorted and unique");
        for c in CODES {
            let (area, name) = c.code.split_once('/').expect(c.code);
            let ok = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            };
            assert!(ok(area) && ok(name), "{}", c.code);
            assert!(
                !c.meaning.is_empty() && !c.meaning.contains('|'),
                "{}",
                c.code
            );
        }
        for c in crate::check::ERRORS_IN_CHECK {
            let known = CODES.iter().find(|k| k.code == *c);
            assert_eq!(known.map(|k| k.severity), Some(Severity::Warning), "{c}");
        }
    }

    /// The README table is `codes_table()`; `TRUSTSITE_UPDATE_README=1
    /// cargo test --lib readme_lists_every_code` rewrites it.
    #[test]
    fn readme_lists_every_code() {
        for c in crate::check::ERRORS_IN_CHECK {
            let known = CODES.iter().find(|k| k.code == *c);
            assert_eq!(known.map(|k| k.severity), Some(Severity::Warning), "{c}");
        }
        let want = codes_table(crate::check::ERRORS_IN_CHECK);
        readme_section(README_START, README_END, &want, "readme_lists_every_code");
    }

    /// String literals shaped like a code of a known area, in the non-test
    /// part of every file under `src/` except this one.
    fn code_literals_in_src() -> std::collections::BTreeMap<String, String> {
        let areas: std::collections::BTreeSet<&str> = CODES
            .iter()
            .filter_map(|c| c.code.split_once('/'))
            .map(|(a, _)| a)
            .collect();
        let mut found = std::collections::BTreeMap::new();
        for (path, text) in src_files() {
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            // Any area: `.code("a/b")`, `code: "a/b"` anywhere, and a
            // literal alone on its line (an argument of a note helper).
            for line in code.lines() {
                let mut lits: Vec<&str> = Vec::new();
                for open in [".code(\"", "code: \""] {
                    for (at, _) in line.match_indices(open) {
                        lits.extend(line[at + open.len()..].split('"').next());
                    }
                }
                let t = line.trim();
                if let Some(r) = t.strip_prefix('"').and_then(|r| r.strip_suffix("\",")) {
                    lits.push(r);
                }
                for lit in lits.into_iter().filter(|l| shaped_code(l)) {
                    found.insert(lit.to_string(), path.clone());
                }
            }
            for area in &areas {
                let open = format!("\"{area}/");
                for (at, _) in code.match_indices(&open) {
                    let rest = &code[at + open.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let name = &rest[..end];
                    let shaped = !name.is_empty()
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                    if shaped {
                        found.insert(format!("{area}/{name}"), path.clone());
                    }
                }
            }
        }
        found
    }

    /// `area/name`, both lower-case ASCII, digits and `-`.
    fn shaped_code(lit: &str) -> bool {
        let ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        lit.split_once('/').is_some_and(|(a, n)| ok(a) && ok(n))
    }

    #[test]
    fn every_code_in_src_is_documented_and_every_documented_code_is_used() {
        let used = code_literals_in_src();
        for (lit, file) in &used {
            assert!(
                CODES.iter().any(|c| c.code == lit),
                "{file} uses code `{lit}`, which diag::CODES does not list (add it, then update the README)"
            );
        }
        for c in CODES {
            assert!(
                used.contains_key(c.code),
                "diag::CODES lists `{}`, which no file in src/ emits",
                c.code
            );
        }
    }

    /// Every `Diagnostic::error(..)`/`warning(..)` in the non-test part of
    /// `src/` is directly followed by `.code(..)`: a new diagnostic without
    /// a code fails here, not in a CI parser.
    #[test]
    fn every_diagnostic_in_src_is_given_a_code() {
        let mut missing = Vec::new();
        for (path, text) in src_files() {
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for open in ["Diagnostic::error(", "Diagnostic::warning("] {
                for (at, _) in code.match_indices(open) {
                    let after = &code[at + open.len()..];
                    let end = closing_paren(after);
                    let rest = after[end..].trim_start();
                    if !rest.starts_with(".code(") {
                        let line = code[..at].lines().count();
                        missing.push(format!("{path}:{line}"));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "diagnostics without `.code(..)`: {missing:?}"
        );
    }

    /// The byte just after the `)` closing an argument list that starts at
    /// `text` (strings and nested parentheses skipped).
    fn closing_paren(text: &str) -> usize {
        let (mut depth, mut in_str, mut escaped) = (1, false, false);
        for (i, c) in text.char_indices() {
            match (in_str, c) {
                (true, _) if escaped => escaped = false,
                (true, '\\') => escaped = true,
                (true, '"') => in_str = false,
                (true, _) => {}
                (false, '"') => in_str = true,
                (false, '(') => depth += 1,
                (false, ')') => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
        }
        text.len()
    }

    /// `(path, text)` of every `.rs` file under `src/` except this one.
    fn src_files() -> Vec<(String, String)> {
        let mut files = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("src/diag.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    files.push((path.display().to_string(), text));
                }
            }
        }
        files.sort();
        files
    }
}
