//! The highlighter on its own: every fenced code block of a corpus, one
//! thread, in file order, through `trustsite::highlight::Highlighter::block`
//! (`new`) or through syntect's `ClassedHTMLGenerator` one block at a time as
//! trustsite did before the line memo (`syntect`). Prints blocks, lines and
//! time per language, and a SHA-256 of all the HTML, so that two highlighters
//! can be compared for identical output. Not part of trustsite; a measuring
//! tool for the README's "Highlighting" figures (run it under
//! `valgrind --tool=callgrind` for instruction counts that do not depend on
//! the machine's load):
//! `cargo run --release --example hl -- SITE [new|syntect] [LANG]`.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;
use trustsite::highlight::{Highlighter, escape_attr, escape_text};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(site) = args.get(1) else {
        eprintln!("usage: hl SITE [new|syntect] [LANG]");
        std::process::exit(2);
    };
    let mode = args.get(2).map_or("new", String::as_str);
    let only = args.get(3);
    let content = std::path::Path::new(site).join("content");
    let root = if content.is_dir() {
        content
    } else {
        PathBuf::from(site)
    };
    let mut blocks = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let mut code: Option<(String, String)> = None;
        for event in Parser::new(&text) {
            match (event, &mut code) {
                (Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))), None) => {
                    code = Some((lang.to_string(), String::new()));
                }
                (Event::Text(t), Some((_, buf))) => buf.push_str(&t),
                (Event::End(TagEnd::CodeBlock), Some(_)) => {
                    let (lang, buf) = code.take().unwrap_or_default();
                    if only.is_none_or(|l| *l == lang) {
                        blocks.push((lang, buf));
                    }
                }
                _ => {}
            }
        }
    }
    let started = Instant::now();
    let highlighter = Highlighter::new(false);
    let syntaxes = SyntaxSet::load_defaults_newlines();
    let setup = started.elapsed();
    let mut per: BTreeMap<&str, (usize, usize, Duration)> = BTreeMap::new();
    let mut sum = Sha256::new();
    for (lang, code) in &blocks {
        let t = Instant::now();
        let html = match mode {
            "syntect" => one_block(&syntaxes, lang, code),
            _ => highlighter.block(lang, code),
        };
        let e = per.entry(lang.as_str()).or_default();
        e.0 += 1;
        e.1 += code.lines().count();
        e.2 += t.elapsed();
        sum.update(html.as_bytes());
    }
    println!("mode {mode}; setup {} ms", setup.as_millis());
    println!("| lang | blocks | lines | ms | us/block |");
    let mut total = Duration::ZERO;
    for (lang, (b, l, d)) in &per {
        total += *d;
        println!(
            "| {lang} | {b} | {l} | {} | {:.0} |",
            d.as_millis(),
            d.as_secs_f64() * 1e6 / *b as f64
        );
    }
    println!(
        "total {} blocks {} ms; html sha256 {}",
        blocks.len(),
        total.as_millis(),
        trustsite::digest::hex(&sum.finalize())
    );
}

/// A block as `Highlighter::block` rendered it before the line memo: a fresh
/// `ClassedHTMLGenerator` per block.
fn one_block(syntaxes: &SyntaxSet, lang: &str, code: &str) -> String {
    let lang = lang.split([',', ' ']).next().unwrap_or("").trim();
    let syntax = (!lang.is_empty())
        .then(|| syntaxes.find_syntax_by_token(lang))
        .flatten();
    let mut out = String::from("<pre class=\"code\"");
    if !lang.is_empty() {
        out.push_str(&format!(" data-lang=\"{}\"", escape_attr(lang)));
    }
    out.push_str("><code>");
    match syntax {
        Some(syntax) => {
            let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
            let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, style);
            for line in LinesWithEndings::from(code) {
                if generator
                    .parse_html_for_line_which_includes_newline(line)
                    .is_err()
                {
                    out.push_str(&escape_text(code));
                    out.push_str("</code></pre>\n");
                    return out;
                }
            }
            out.push_str(&generator.finalize());
        }
        None => out.push_str(&escape_text(code)),
    }
    out.push_str("</code></pre>\n");
    out
}
