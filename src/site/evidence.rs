//! Evidence outputs: the OSCAL export, the manifest's signature and the
//! download bundle.
//!
//! Order matters (no hash cycle): the OSCAL file is emitted before the
//! manifest, so the manifest lists it; the signature signs the manifest's
//! bytes; the bundle holds the manifest and the signature, so it is made
//! last and the manifest names it instead of hashing it. `serve` (a
//! preview) makes neither the bundle nor the OSCAL file.

use super::{BuildOptions, Ctx, Loaded};
use crate::bundle::{self, Entry};
use crate::diag::Diagnostic;
use crate::view::DocView;
use sha2::{Digest, Sha256};

/// The bundle's output path for this build.
pub(super) fn bundle_path(loaded: &Loaded, opts: &BuildOptions) -> String {
    let date = opts
        .build_time
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let c = &loaded.config;
    bundle::output_path(&c.title, &c.release, &date)
}

/// Emits `oscal/component-definition.json`.
pub(super) fn oscal(ctx: &Ctx, shown: &[&DocView]) {
    if ctx.opts.evidence.preview {
        return;
    }
    if ctx.opts.evidence.validate_only {
        // `check` writes nothing: the path is claimed (a clash is still
        // found), the export is not made.
        ctx.out.emit(crate::oscal::FILE, b"", crate::oscal::FILE);
        return;
    }
    let bundle_url = format!("{}{}", ctx.urls.base_url, bundle_path(ctx.loaded, ctx.opts));
    let c = &ctx.loaded.config;
    let site = crate::oscal::Site {
        title: &c.title,
        organization: &c.organization,
        base_url: &ctx.urls.base_url,
        release: &c.release,
        build_time: &crate::when::rfc3339(ctx.opts.build_time),
        bundle_url: &bundle_url,
        request_access: &ctx.site.request_access,
    };
    let json = crate::oscal::component_definition(&site, shown);
    ctx.out
        .emit(crate::oscal::FILE, json.as_bytes(), crate::oscal::FILE);
}

/// Call from one thread before [`bundle_sources`]: sets the allocator up
/// for compressing many entries when this build makes a bundle.
pub(super) fn before_bundle(ctx: &Ctx) {
    if !ctx.opts.evidence.preview && !ctx.opts.evidence.validate_only {
        bundle::fixed_mmap_threshold();
    }
}

/// The download bundle's compressed sources (see [`sources`]); None when
/// the build makes no bundle (serve, a preview) or only screens (`check`).
pub(super) fn bundle_sources(ctx: &Ctx, shown: &[&DocView]) -> Option<Vec<bundle::Packed>> {
    if ctx.opts.evidence.preview {
        return None;
    }
    let path = bundle_path(ctx.loaded, ctx.opts);
    let top = bundle::top_folder(&path);
    // `check` screens the sources (same warnings) but keeps nothing.
    let packed = sources(
        ctx,
        shown,
        (!ctx.opts.evidence.validate_only).then_some(top),
    );
    (!ctx.opts.evidence.validate_only).then_some(packed)
}

/// Signs the manifest (when the build has a key) and emits the signature
/// and the download bundle of `packed` sources ([`bundle_sources`]).
pub(super) fn sign_and_bundle(ctx: &Ctx, manifest: &[u8], packed: Option<Vec<bundle::Packed>>) {
    let sig = ctx
        .opts
        .evidence
        .signer
        .as_ref()
        .and_then(|signer| match signer.sign(manifest) {
            Ok(sig) => Some(sig),
            Err(e) => {
                ctx.out
                    .problem(Diagnostic::error("manifest.json", 0, 0, e).code("sign/failed"));
                None
            }
        });
    if let Some(sig) = &sig {
        ctx.out
            .emit(crate::sign::SIG_FILE, sig.as_bytes(), crate::sign::SIG_FILE);
    }
    let Some(packed) = packed else { return };
    let path = bundle_path(ctx.loaded, ctx.opts);
    let top = bundle::top_folder(&path);
    let mut entries = vec![Entry {
        name: crate::manifest::FILE.into(),
        bytes: manifest.to_vec(),
    }];
    if let Some(sig) = sig {
        entries.push(Entry {
            name: crate::sign::SIG_FILE.into(),
            bytes: sig.into_bytes(),
        });
    }
    entries.extend(std::mem::take(
        &mut *ctx.bundle_extras.lock().unwrap_or_else(|e| e.into_inner()),
    ));
    let made = entries
        .into_iter()
        .map(|e| bundle::pack(top, e.name, &e.bytes))
        .chain(packed.into_iter().map(Ok))
        .collect::<Result<Vec<_>, _>>()
        .and_then(|packed| bundle::zip_packed(top, packed));
    match made {
        Ok(bytes) => ctx.out.emit(&path, &bytes, "download bundle"),
        Err(e) => ctx
            .out
            .problem(Diagnostic::error("download bundle", 0, 0, e).code("bundle/failed")),
    }
}

/// Names that must not appear in any output: the file name, stem, id and
/// bundle folder of every document the build withholds, and the file names
/// of withheld bundle files and of copies of documents (lowercase, at least
/// 3 characters). Titles are not screened: pages keep the text of a
/// removed link, which is often the title.
pub(super) fn withheld_names(
    loaded: &Loaded,
    plan: &crate::publish::Plan,
    views: &[Option<DocView>],
) -> Vec<String> {
    let mut names = Vec::new();
    for (i, d) in loaded.content.documents.iter().enumerate() {
        if views[i].is_some() {
            continue;
        }
        let file = d.source.rsplit('/').next().unwrap_or(&d.source);
        let stem = file.split('.').next().unwrap_or(file);
        let folder = d.bundle_dir.as_deref().and_then(|b| b.rsplit('/').next());
        names.extend([file, stem, &d.id].map(str::to_lowercase));
        names.extend(folder.map(str::to_lowercase));
    }
    let content = &loaded.content;
    let withheld_files = content
        .assets
        .iter()
        .filter(|a| a.owner.is_some_and(|i| !plan.bundle_files(i)))
        .map(|a| a.rel.as_str())
        .chain(content.copies.iter().map(String::as_str));
    for rel in withheld_files {
        names.push(rel.rsplit('/').next().unwrap_or(rel).to_lowercase());
    }
    names.retain(|n| {
        let stem = n.split('.').next().unwrap_or(n);
        n.chars().count() >= 3 && stem != "index" && stem != "_index"
    });
    names.sort();
    names.dedup();
    names
}

/// The withheld names as one automaton (`<!--` first): a source is
/// scanned once, whatever the number of withheld documents.
pub(super) struct Screen {
    names: Vec<String>,
    automaton: aho_corasick::AhoCorasick,
}

impl Screen {
    pub(super) fn new(withheld: &[String]) -> Screen {
        let names: Vec<String> = std::iter::once("<!--".to_string())
            .chain(withheld.iter().cloned())
            .collect();
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&names)
            .expect("a few thousand short literal names always build");
        Screen { names, automaton }
    }

    /// What the screen looks for, as a cache key part.
    fn id(&self) -> crate::digest::Key {
        crate::digest::KeyHasher::new("screen")
            .list(self.names.iter())
            .finish()
    }
}

/// Why a public source cannot go into the bundle as it is (it is shipped
/// byte for byte, so its hash matches): an HTML comment (editor notes are
/// never published) or a withheld document's name. Gives the reason and
/// the 1-based line and column of the first one.
pub(super) fn unsafe_source(text: &str, screen: &Screen) -> Option<(String, usize, usize)> {
    // Names are lowercase and matched ignoring ASCII case: an ASCII text
    // is scanned as it is; any other is lowercased first (as the names).
    let lower;
    let text = if text.is_ascii() {
        text
    } else {
        lower = text.to_lowercase();
        &lower
    };
    let found = screen.automaton.find(text)?;
    let at = found.start();
    let why = match found.pattern().as_usize() {
        0 => "it holds an HTML comment (editor notes are never published)".to_string(),
        i => format!("it names the withheld document `{}`", screen.names[i]),
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((why, line, col))
}

/// The source of every public (not restricted) shown document, read again
/// and checked against the hash the pages and manifest show. A source that
/// holds an HTML comment or a withheld document's name is left out with a
/// warning: fail closed, the bundle ships sources byte for byte. Read,
/// screened and compressed (when `top` is given; `check` only screens) in
/// parallel, so no source is held longer than it takes to compress it; the
/// entries and problems keep document order.
fn sources(ctx: &Ctx, shown: &[&DocView], top: Option<&str>) -> Vec<bundle::Packed> {
    use rayon::prelude::*;
    let screen = Screen::new(&withheld_names(ctx.loaded, &ctx.plan, &ctx.views));
    let screen_id = screen.id();
    let public: Vec<&&DocView> = shown.iter().filter(|v| !v.restricted).collect();
    let results: Vec<Result<Option<bundle::Packed>, Diagnostic>> = public
        .par_iter()
        .map(|v| {
            // Under `build --cache DIR`, compressed entries are kept on disk.
            let kept = ctx.hl.blobs();
            let key = top
                .filter(|_| kept.on_disk_only() && !ctx.opts.evidence.validate_only)
                .map(|top| entry_key(top, v, &screen_id));
            if let Some(hit) = key.as_ref().and_then(|k| kept.get(k)) {
                if hit.starts_with(b"PK") {
                    let (name, sha) = (v.source_path.clone(), v.source_sha256.clone());
                    return Ok(Some(bundle::Packed::from_kept(name, sha, hit.to_vec())));
                }
                if let Some(d) = kept_verdict(&hit, v) {
                    return Err(d);
                }
            }
            let bytes = match source_entry(ctx, v, &screen) {
                Ok(bytes) => bytes,
                Err(d) => {
                    if let Some(key) = key.filter(|_| d.code == WITHHELD) {
                        kept.put(&key, verdict(&d).as_bytes());
                    }
                    return Err(d);
                }
            };
            let Some(top) = top else { return Ok(None) };
            let packed = bundle::pack(top, v.source_path.clone(), &bytes)
                .map_err(|e| Diagnostic::error("download bundle", 0, 0, e).code("bundle/failed"))?;
            if let Some(key) = key {
                kept.put(&key, packed.zip());
            }
            Ok(Some(packed))
        })
        .collect();
    let mut out = Vec::new();
    for r in results {
        match r {
            Ok(packed) => out.extend(packed),
            Err(d) => ctx.out.problem(d),
        }
    }
    out
}

/// The build-cache key of a source's compressed bundle entry: the
/// trustsite version, the bundle's top folder, the source's path and
/// SHA-256 (as pages and manifest show it), and what the screen looks for.
/// An entry is kept only after its bytes had that hash and passed that
/// screen, so a kept entry needs neither reading, hashing nor screening
/// again.
fn entry_key(top: &str, v: &DocView, screen_id: &crate::digest::Key) -> crate::digest::Key {
    crate::digest::KeyHasher::new("bundle-entry")
        .field(env!("CARGO_PKG_VERSION"))
        .field(top)
        .field(&v.source_path)
        .field(&v.source_sha256)
        .field(screen_id)
        .finish()
}

/// The code of a source left out of the bundle by the screen.
const WITHHELD: &str = "bundle/source-withheld";

/// What `build --cache` keeps for a source the screen left out (under the
/// key of its bytes and the screen, like a compressed entry, which starts
/// with `PK` where this starts with `withheld`): the warning's line,
/// column and message, so a warm build need not read and screen it again.
fn verdict(d: &Diagnostic) -> String {
    format!("withheld\n{}\n{}\n{}", d.line, d.col, d.message)
}

/// The warning kept by [`verdict`] for `v`, if `kept` is one.
fn kept_verdict(kept: &[u8], v: &DocView) -> Option<Diagnostic> {
    let text = std::str::from_utf8(kept).ok()?.strip_prefix("withheld\n")?;
    let mut parts = text.splitn(3, '\n');
    let line = parts.next()?.parse().ok()?;
    let col = parts.next()?.parse().ok()?;
    let message = parts.next()?;
    Some(Diagnostic::warning(&v.source_path, line, col, message).code(WITHHELD))
}

/// One public source's bytes for the bundle, or why it is left out.
fn source_entry(ctx: &Ctx, v: &DocView, screen: &Screen) -> Result<Vec<u8>, Diagnostic> {
    let bytes = std::fs::read(ctx.loaded.root.join(&v.source_path)).map_err(|e| {
        Diagnostic::error(
            &v.source_path,
            0,
            0,
            format!("cannot read for the download bundle: {e}"),
        )
        .code("bundle/unreadable")
    })?;
    // Only a build ships the bytes: `check` screens them, unhashed.
    if !ctx.opts.evidence.validate_only
        && crate::digest::hex(&Sha256::digest(&bytes)) != v.source_sha256
    {
        return Err(Diagnostic::error(
            &v.source_path,
            0,
            0,
            "changed while the site was being built: build again",
        )
        .code("bundle/changed"));
    }
    if let Some((why, line, col)) = unsafe_source(&String::from_utf8_lossy(&bytes), screen) {
        return Err(Diagnostic::warning(
            &v.source_path,
            line,
            col,
            format!("left out of the download bundle: {why}"),
        )
        .code(WITHHELD));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sources_naming_withheld_documents_or_holding_comments_are_unsafe() {
        let withheld = super::Screen::new(&["internal-doc".to_string()]);
        assert_eq!(super::unsafe_source("# A\nplain\n", &withheld), None);
        let (why, line, col) =
            super::unsafe_source("# A\n\nsee [x](Internal-Doc.md)\n", &withheld).unwrap();
        assert!(why.contains("internal-doc"), "{why}");
        assert_eq!((line, col), (3, 9));
        let (why, line, _) = super::unsafe_source("a\n<!-- note -->\n", &withheld).unwrap();
        assert!(why.contains("HTML comment") && line == 2, "{why}");
        // Not ASCII: lowercased first (the Kelvin sign lowercases to `k`).
        let (why, line, col) = super::unsafe_source("é\nvoir INTERNAL-DOC\n", &withheld).unwrap();
        assert!(
            why.contains("internal-doc") && (line, col) == (2, 6),
            "{why}"
        );
        let kelvin = super::Screen::new(&["kit-policy".to_string()]);
        assert!(super::unsafe_source("see \u{212A}it-policy", &kelvin).is_some());
    }
}
