//! Redlines: what changed between two versions of a document's text.
//!
//! [`redline`] compares two Markdown bodies paragraph by paragraph (blocks
//! of non-blank lines), then word by word inside each changed paragraph,
//! with the `similar` crate (Myers' algorithm, no time limit, so the result
//! never depends on machine speed). The HTML marks insertions with `<ins>`
//! and deletions with `<del>`, which browsers underline and strike through
//! without any stylesheet, so it reads without colour and in print; runs of
//! unchanged paragraphs are collapsed into one line saying how many. The
//! text shown is the Markdown source, escaped: nothing is interpreted. Pure:
//! no IO.

use similar::{Algorithm, ChangeTag, DiffTag, TextDiff};

/// A rendered redline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redline {
    /// HTML (a `<div class="redline">`); empty when nothing changed.
    pub html: String,
    /// Paragraphs that changed, were added or were removed.
    pub changed: usize,
}

/// Paragraphs of a Markdown body: runs of non-blank lines, trimmed at the end.
fn blocks(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for line in body.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(cur.join("\n"));
                cur.clear();
            }
        } else {
            cur.push(line.trim_end());
        }
    }
    if !cur.is_empty() {
        out.push(cur.join("\n"));
    }
    out
}

/// The redline from `old` to `new`.
pub fn redline(old: &str, new: &str) -> Redline {
    let (a, b) = (blocks(old), blocks(new));
    let ops = similar::capture_diff_slices(Algorithm::Myers, &a, &b);
    let mut html = String::new();
    let mut changed = 0;
    for op in ops {
        let (tag, ra, rb) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => skip(&mut html, ra.len()),
            DiffTag::Delete => {
                for p in &a[ra] {
                    whole(&mut html, "del", p);
                    changed += 1;
                }
            }
            DiffTag::Insert => {
                for p in &b[rb] {
                    whole(&mut html, "ins", p);
                    changed += 1;
                }
            }
            DiffTag::Replace => {
                let (olds, news) = (&a[ra], &b[rb]);
                let paired = olds.len().min(news.len());
                for (o, n) in olds.iter().zip(news) {
                    words(&mut html, o, n);
                }
                olds[paired..]
                    .iter()
                    .for_each(|p| whole(&mut html, "del", p));
                news[paired..]
                    .iter()
                    .for_each(|p| whole(&mut html, "ins", p));
                changed += olds.len().max(news.len());
            }
        }
    }
    if changed == 0 {
        return Redline::default();
    }
    Redline {
        html: format!("<div class=\"redline\">\n{html}</div>\n"),
        changed,
    }
}

/// A collapsed run of `n` unchanged paragraphs.
fn skip(html: &mut String, n: usize) {
    if n > 0 {
        let s = if n == 1 { "" } else { "s" };
        html.push_str(&format!(
            "<p class=\"redline-skip\">[{n} unchanged paragraph{s}]</p>\n"
        ));
    }
}

/// A paragraph added or removed as a whole.
fn whole(html: &mut String, tag: &str, text: &str) {
    let kind = if tag == "ins" { "added" } else { "removed" };
    html.push_str(&format!(
        "<p class=\"redline-block redline-{kind}\"><{tag}>{}</{tag}></p>\n",
        crate::xml::text(text)
    ));
}

/// One changed paragraph, word by word. Changes separated only by
/// whitespace read as one: `<del>a year</del><ins>every quarter</ins>`.
fn words(html: &mut String, old: &str, new: &str) {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_words(old, new);
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        match runs.last_mut() {
            Some((t, s)) if *t == change.tag() => s.push_str(change.value()),
            _ => runs.push((change.tag(), change.value().to_string())),
        }
    }
    html.push_str("<p class=\"redline-block\">");
    let (mut del, mut ins) = (String::new(), String::new());
    for (k, (tag, text)) in runs.iter().enumerate() {
        match tag {
            ChangeTag::Delete => del.push_str(text),
            ChangeTag::Insert => ins.push_str(text),
            ChangeTag::Equal => {
                let joins = text.trim().is_empty()
                    && !(del.is_empty() && ins.is_empty())
                    && runs.get(k + 1).is_some_and(|(t, _)| *t != ChangeTag::Equal);
                if joins {
                    del.push_str(text);
                    ins.push_str(text);
                } else {
                    flush(html, &mut del, &mut ins);
                    html.push_str(&crate::xml::text(text));
                }
            }
        }
    }
    flush(html, &mut del, &mut ins);
    html.push_str("</p>\n");
}

/// Writes the pending deletion, then the insertion.
fn flush(html: &mut String, del: &mut String, ins: &mut String) {
    if !del.is_empty() {
        html.push_str(&format!("<del>{}</del>", crate::xml::text(del)));
    }
    if !ins.is_empty() {
        html.push_str(&format!("<ins>{}</ins>", crate::xml::text(ins)));
    }
    del.clear();
    ins.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_level_inside_a_paragraph() {
        let r = redline(
            "# Scope\n\nAccess is reviewed yearly.\n\nKeep.\n",
            "# Scope\n\nAccess is reviewed every quarter.\n\nKeep.\n",
        );
        assert_eq!(r.changed, 1);
        assert!(
            r.html
                .contains("Access is reviewed <del>yearly.</del><ins>every quarter.</ins>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("[1 unchanged paragraph]"));
    }

    #[test]
    fn whole_paragraphs_and_escaping() {
        let r = redline("A.\n", "A.\n\nNew <b>&</b>.\n");
        assert!(
            r.html.contains("<ins>New &lt;b&gt;&amp;&lt;/b&gt;.</ins>"),
            "{}",
            r.html
        );
        let r = redline("A.\n\nGone.\n", "A.\n");
        assert!(r.html.contains("<del>Gone.</del>"));
        assert_eq!(redline("Same.\n", "Same.\n"), Redline::default());
    }
}
