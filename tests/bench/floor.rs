//! The floor: the least work a Markdown-to-HTML build on our stack can do.
//!
//! Reads every `.md` file under `SITE/content`, drops the front-matter,
//! renders the body with pulldown-cmark (trustsite's options), highlights
//! fenced code with syntect as CSS classes (trustsite's class style),
//! SHA-256s the HTML and writes it to `OUT/<path>.html`, in parallel with
//! rayon. No templates, links, listings, search, feed or manifest: it is what
//! `tests/bench/run.sh` compares `trustsite build` against (the performance
//! issue's "bare loop"). Not part of trustsite; run through the benchmark:
//! `cargo run --release --example floor -- SITE OUT`.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(site), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: floor SITE OUT");
        std::process::exit(2);
    };
    let content = Path::new(site).join("content");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let syntaxes = SyntaxSet::load_defaults_newlines();
    let out = Path::new(out);
    let bytes: usize = files
        .par_iter()
        .map(|path| one(path, &content, out, &syntaxes))
        .sum();
    println!("floor: {} documents, {bytes} bytes of HTML", files.len());
}

/// Renders one file; returns the size of its HTML.
fn one(path: &Path, content: &Path, out: &Path, syntaxes: &SyntaxSet) -> usize {
    let text = std::fs::read_to_string(path).expect("read");
    let body = strip_front_matter(&text);
    let html = render(body, syntaxes);
    let digest = Sha256::digest(html.as_bytes());
    std::hint::black_box(digest);
    let rel = path.strip_prefix(content).unwrap_or(path);
    let target = out.join(rel).with_extension("html");
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&target, html.as_bytes()).expect("write");
    html.len()
}

fn strip_front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    match rest.find("\n---\n") {
        Some(i) => &rest[i + 5..],
        None => text,
    }
}

fn render(body: &str, syntaxes: &SyntaxSet) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(body, options) {
        match (event, &mut code) {
            (Event::Text(t), Some((_, buf))) => buf.push_str(&t),
            (Event::End(TagEnd::CodeBlock), Some(_)) => {
                let (lang, buf) = code.take().unwrap_or_default();
                events.push(Event::Html(CowStr::from(highlight(&lang, &buf, syntaxes))));
            }
            (_, Some(_)) => {}
            (Event::Start(Tag::CodeBlock(kind)), None) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            (event, None) => events.push(event),
        }
    }
    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

fn highlight(lang: &str, code: &str, syntaxes: &SyntaxSet) -> String {
    let Some(syntax) = syntaxes.find_syntax_by_token(lang) else {
        return format!("<pre><code>{}</code></pre>\n", code.replace('<', "&lt;"));
    };
    let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, style);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            break;
        }
    }
    format!(
        "<pre class=\"code\"><code>{}</code></pre>\n",
        generator.finalize()
    )
}
