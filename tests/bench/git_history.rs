//! Times reading a site's versions from git (`trustsite::versions::load`)
//! alone: `cargo run --release --example git_history -- SITE_ROOT`. Run by
//! tests/bench/git_history.sh; prints the time and what was read.
use std::time::Instant;

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let Ok(config) = trustsite::config::load(&root) else {
        eprintln!("cannot load {}/trust.yaml", root.display());
        std::process::exit(2);
    };
    let mut diags = Vec::new();
    let mut content = trustsite::content::load(&root, &config, &mut diags);
    let started = Instant::now();
    let history = trustsite::versions::load(&root, &config, &mut content, &mut diags, None);
    let elapsed = started.elapsed();
    let versions: usize = history
        .docs
        .iter()
        .map(|d| d.earlier.len() + usize::from(d.current.is_some()))
        .sum();
    println!(
        "history read: {:.3} s ({} documents, {versions} versions, note: {:?}, problems: {})",
        elapsed.as_secs_f64(),
        content.documents.len(),
        history.note,
        diags.iter().filter(|d| d.is_error()).count()
    );
}
