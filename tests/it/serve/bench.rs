//! Save-to-reload latency of `trustsite serve` (ignored: a measurement, not
//! a check). Run it optimised, with its output shown:
//!
//! ```text
//! cargo test --release --test it serve::bench -- --ignored --nocapture
//! ```
//!
//! Each case starts the server, then edits one document several times and
//! measures from the moment the write returns until the `reload` event
//! arrives on the event stream. It prints the figures and asserts nothing
//! about them. The 1,000-document corpus comes from
//! `../shared/bench/gen_corpus.py` (or `TRUSTSITE_GEN_CORPUS`); the case
//! fails when that script is not there.

use crate::support::server::Server;
use crate::support::{Site, eventually, repo};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const EDITS: usize = 7;

/// Edits `rel` `EDITS` times; returns each save-to-reload latency.
fn measure(s: &Server, rel: &str) -> Vec<Duration> {
    let mut events = s.events();
    assert_eq!(events.next().0, "hello");
    let original = std::fs::read_to_string(s.path(rel)).unwrap();
    let mut took = Vec::new();
    for i in 0..EDITS {
        let text = format!("{original}\n\nBenchmark edit number {i}.\n");
        std::fs::write(s.path(rel), text).unwrap();
        let saved = Instant::now();
        let (name, _) = events.next();
        took.push(saved.elapsed());
        assert_eq!(name, "reload");
        // The rebuild's terminal line lands before the next edit.
        let rebuilt = |err: String| err.matches("rebuilt in ").count() > i;
        eventually("the rebuild line", || rebuilt(s.stderr()).then_some(()));
    }
    took
}

fn print(label: &str, s: &Server, mut took: Vec<Duration>) {
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let first = s
        .stderr()
        .lines()
        .find(|l| l.starts_with("built in"))
        .unwrap_or("")
        .to_string();
    let rebuilds: Vec<String> = s
        .stderr()
        .lines()
        .filter_map(|l| {
            l.strip_prefix("rebuilt in ")
                .and_then(|r| r.split(' ').next())
                .map(str::to_string)
        })
        .collect();
    println!(
        "{label}: save -> reload event: min {:.0} ms, median {:.0} ms, max {:.0} ms over {} edits; first build: {first}; rebuild ms: {}",
        ms(took[0]),
        ms(took[took.len() / 2]),
        ms(took[took.len() - 1]),
        took.len(),
        rebuilds.join(", ")
    );
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn bench_example_site_save_to_reload() {
    let s = Server::start_in(Site::example(), &[]);
    let took = measure(&s, "content/policies/access-control.md");
    print("example site", &s, took);
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn bench_corpus_1000_save_to_reload() {
    let generator = std::env::var_os("TRUSTSITE_GEN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/bench/gen_corpus.py"));
    assert!(
        generator.is_file(),
        "no corpus generator at {} (set TRUSTSITE_GEN_CORPUS)",
        generator.display()
    );
    let site = Site::empty();
    let status = std::process::Command::new("python3")
        .arg(&generator)
        .args(["--n", "1000", "--flavor", "plain", "--force", "--out"])
        .arg(site.root())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "gen_corpus.py failed");
    let config = "title: Bench\nbase_url: http://localhost/\ndefault_visibility: public\n";
    site.write("trust.yaml", config);
    let doc = first_public_doc(&site.path("content"));
    let s = Server::start_in(site, &[]);
    let took = measure(&s, &doc);
    print("1,000-document corpus", &s, took);
}

/// `content/…/x.md` of the first document (sorted) that says `visibility: public`.
fn first_public_doc(content: &Path) -> String {
    let mut found = Vec::new();
    collect_md(content, &mut found);
    found.sort();
    let doc = found
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("visibility: public")
        })
        .expect("a public document");
    let root = content.parent().unwrap();
    doc.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            collect_md(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
}
