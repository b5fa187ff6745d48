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

impl fmt::Display for Diagnostic {
    /// `path:line:col: severity: message`; line and column are left out when unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.location(),
            self.severity.as_str(),
            self.message
        )
    }
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
        .map(|k| (levenshtein(&unknown, k), *k))
        .filter(|(d, k)| *d <= 3 && *d * 2 < k.len().max(unknown.len()))
        .min()
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
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
}
