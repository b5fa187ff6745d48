//! What the preview server adds to HTML pages at serve time.
//!
//! Every HTML page gets the live-reload script tag before `</body>`; while
//! the newest build has errors it also gets a fixed overlay listing them
//! (`path:line:col: message`, HTML-escaped) above the last good version.
//! Before any build succeeded, [`error_page`] stands in for every page. The
//! built site itself is never modified: injection happens per response.

use crate::diag::Diagnostic;
use crate::highlight::{escape_attr, escape_text};

/// URL of the live-reload script.
pub const SCRIPT_URL: &str = "/__trustsite/livereload.js";

/// The script tag; `version` lets the script notice a missed rebuild.
fn script_tag(version: &str) -> String {
    format!(
        "<script src=\"{SCRIPT_URL}\" data-version=\"{}\"></script>\n",
        escape_attr(version)
    )
}

/// `html` with the overlay (when `errors` is not empty) and the script
/// inserted before the last `</body>` (appended when there is none).
pub fn inject(html: &[u8], errors: &[Diagnostic], version: &str) -> Vec<u8> {
    let mut extra = String::new();
    if !errors.is_empty() {
        extra.push_str(&overlay(errors));
    }
    extra.push_str(&script_tag(version));
    let at = find_body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Byte offset of the last `</body>` (any case).
fn find_body_end(html: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"</body";
    (0..html.len().saturating_sub(TAG.len() - 1))
        .rev()
        .find(|&i| html[i..i + TAG.len()].eq_ignore_ascii_case(TAG))
}

/// The error panel: a fixed element at the top of the page.
fn overlay(errors: &[Diagnostic]) -> String {
    let mut s = String::from(concat!(
        "<div id=\"trustsite-build-errors\" role=\"alert\" style=\"position:fixed;top:0;left:0;right:0;",
        "z-index:2147483647;max-height:60vh;overflow:auto;margin:0;padding:1em 1.5em;",
        "background:#3b0a0a;color:#fff;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;",
        "border-bottom:4px solid #e5484d;box-shadow:0 2px 12px rgba(0,0,0,.4)\">\n",
        "<strong style=\"font-size:16px\">Build failed — showing the last good version</strong>\n",
    ));
    s.push_str(&error_list(errors));
    s.push_str("</div>\n");
    s
}

/// `<ul>` of `path:line:col: message`, escaped.
fn error_list(errors: &[Diagnostic]) -> String {
    let mut s = String::from("<ul style=\"margin:.5em 0 0;padding-left:1.2em\">\n");
    for d in errors {
        s.push_str("<li><code style=\"color:#ffb3b3\">");
        s.push_str(&escape_text(&d.location()));
        s.push_str("</code>: ");
        s.push_str(&escape_text(&d.message));
        s.push_str("</li>\n");
    }
    s.push_str("</ul>\n");
    s
}

/// The page served for every path while no build has succeeded yet.
pub fn error_page(errors: &[Diagnostic], version: &str) -> Vec<u8> {
    let mut s = String::from(concat!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>Build failed — trustsite serve</title>\n</head>\n",
        "<body style=\"margin:0;padding:2em;font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;",
        "background:#3b0a0a;color:#fff\">\n<div id=\"trustsite-build-errors\" role=\"alert\">\n",
        "<h1 style=\"font-size:20px\">Build failed — no good version to show yet</h1>\n",
        "<p>Fix the problems below and save; this page reloads by itself.</p>\n",
    ));
    s.push_str(&error_list(errors));
    s.push_str("</div>\n");
    s.push_str(&script_tag(version));
    s.push_str("</body>\n</html>\n");
    s.into_bytes()
}

/// The live-reload client: listens on the event stream and reloads on
/// `reload`, or when the server (re)connects with a version other than the
/// one this page was served with. EventSource reconnects by itself.
pub const LIVERELOAD_JS: &str = r#"// trustsite serve: live reload (not part of the built site)
(function () {
  "use strict";
  var me = document.currentScript;
  var served = me ? me.getAttribute("data-version") : null;
  if (!window.EventSource) { return; }
  var events = new EventSource("/__trustsite/events");
  events.addEventListener("hello", function (e) {
    if (served && e.data !== served) { window.location.reload(); }
  });
  events.addEventListener("reload", function () { window.location.reload(); });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: &[u8]) -> String {
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>x</p><!-- </body> --></BODY></html>";
        let out = text(&inject(html, &[], "v1"));
        let script = "<script src=\"/__trustsite/livereload.js\" data-version=\"v1\"></script>\n";
        assert_eq!(
            out,
            format!("<html><body><p>x</p><!-- </body> -->{script}</BODY></html>")
        );
        assert!(!out.contains("trustsite-build-errors"));
        assert_eq!(
            text(&inject(b"<p>no body", &[], "v")),
            format!("<p>no body{}", script_tag("v"))
        );
    }

    #[test]
    fn overlay_is_escaped_and_located() {
        let errs = vec![Diagnostic::error(
            "content/a.md",
            3,
            7,
            "bad <script>alert(1)</script> & co",
        )];
        let out = text(&inject(b"<body>page</body>", &errs, "v"));
        assert!(out.contains("Build failed — showing the last good version"));
        assert!(out.contains("content/a.md:3:7"));
        assert!(out.contains("bad &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
        assert!(!out.contains("<script>alert"));
        assert!(out.starts_with("<body>page<div id=\"trustsite-build-errors\""));
    }

    #[test]
    fn error_page_lists_problems_and_reloads() {
        let errs = vec![Diagnostic::error("trust.yaml", 2, 1, "unknown key `titel`")];
        let out = text(&error_page(&errs, "abc"));
        assert!(out.contains("trust.yaml:2:1"));
        assert!(out.contains("unknown key `titel`"));
        assert!(out.contains("src=\"/__trustsite/livereload.js\" data-version=\"abc\""));
    }
}
