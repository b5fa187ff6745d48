//! The theme: tera templates and static assets, built-in or overridden.
//!
//! The default theme (themes/default/) is embedded in the binary. A site's
//! `themes/<theme>/templates/X` replaces the built-in template X and
//! `themes/<theme>/static/Y` replaces or adds asset Y. Static assets are
//! published under `assets/` with a content hash in their names and an SRI
//! hash for templates. Templates are parsed once per build.

use crate::diag::Diagnostic;
use crate::view::AssetView;
use sha2::{Digest, Sha256, Sha384};
use std::collections::BTreeMap;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_theme.rs"));
}

/// Loaded theme: parsed templates and hashed assets.
pub struct Theme {
    /// Parsed templates.
    pub tera: tera::Tera,
    /// Output path (under the site) -> bytes of each asset.
    pub asset_files: Vec<(String, Vec<u8>)>,
    /// Logical name -> URL and integrity.
    pub assets: BTreeMap<String, AssetView>,
    /// SHA-256 over every theme file (path and bytes): changes whenever a
    /// template may render differently (see `site::rebuild`).
    pub fingerprint: [u8; 32],
}

/// Files of the theme as (relative path, bytes, origin for messages).
type Files = BTreeMap<String, (Vec<u8>, String)>;

/// Loads the built-in theme with the site's overrides and extra assets
/// (`extra` = generated assets such as highlight.css). `base_path` prefixes URLs.
pub fn load(
    root: &Path,
    theme: Option<&str>,
    extra: Vec<(String, Vec<u8>)>,
    base_path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Theme> {
    let mut files: Files = embedded::FILES
        .iter()
        .map(|(rel, bytes)| {
            (
                rel.to_string(),
                (bytes.to_vec(), format!("(built-in theme)/{rel}")),
            )
        })
        .collect();
    if let Some(name) = theme {
        overlay(root, name, &mut files, diags);
    }
    let tera = templates(&files, diags)?;
    let fingerprint = fingerprint(&files);
    let mut asset_files = Vec::new();
    let mut assets = BTreeMap::new();
    let statics = files
        .iter()
        .filter_map(|(rel, (bytes, _))| {
            rel.strip_prefix("static/")
                .map(|r| (r.to_string(), bytes.clone()))
        })
        .chain(extra);
    for (name, bytes) in statics {
        let out = hashed_name(&name, &bytes);
        assets.insert(
            name,
            AssetView {
                url: format!("{base_path}{out}"),
                integrity: sri(&bytes),
            },
        );
        asset_files.push((out, bytes));
    }
    Some(Theme {
        tera,
        asset_files,
        assets,
        fingerprint,
    })
}

fn fingerprint(files: &Files) -> [u8; 32] {
    let mut h = Sha256::new();
    for (rel, (bytes, _)) in files {
        h.update((rel.len() as u64).to_le_bytes());
        h.update(rel);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().into()
}

fn overlay(root: &Path, name: &str, files: &mut Files, diags: &mut Vec<Diagnostic>) {
    let dir = root.join("themes").join(name);
    if is_link(&root.join("themes")) || is_link(&dir) {
        diags.push(
            Diagnostic::error(
                format!("themes/{name}"),
                0,
                0,
                "theme folder is a symbolic link: trustsite never follows links out of the site",
            )
            .code("theme/symlink"),
        );
        return;
    }
    if !dir.is_dir() {
        if name != "default" {
            diags.push(
                Diagnostic::error(
                    "trust.yaml",
                    0,
                    0,
                    format!("theme `{name}` not found: expected folder themes/{name}/"),
                )
                .code("theme/not-found"),
            );
        }
        return;
    }
    for entry in walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .follow_root_links(false)
        .sort_by_file_name()
    {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        let origin = format!("themes/{name}/{rel}");
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                files.insert(rel, (bytes, origin));
            }
            Err(e) => diags.push(
                Diagnostic::error(origin, 0, 0, format!("cannot read: {e}"))
                    .code("theme/unreadable"),
            ),
        }
    }
}

/// True when `path` itself is a symbolic link (not following it).
fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn templates(files: &Files, diags: &mut Vec<Diagnostic>) -> Option<tera::Tera> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    let mut list = Vec::new();
    for (rel, (bytes, origin)) in files {
        let Some(name) = rel.strip_prefix("templates/") else {
            continue;
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => list.push((name.to_string(), text.to_string())),
            Err(_) => diags.push(
                Diagnostic::error(origin, 0, 0, "template is not valid UTF-8")
                    .code("theme/not-utf8"),
            ),
        }
    }
    if let Err(e) = tera.add_raw_templates(list) {
        diags.push(template_error(files, &e));
        return None;
    }
    Some(tera)
}

/// A tera error as a diagnostic naming the template file.
pub fn template_error(files_or_none: &Files, e: &tera::Error) -> Diagnostic {
    let text = error_chain(e);
    let origin = files_or_none
        .iter()
        .filter_map(|(rel, (_, origin))| rel.strip_prefix("templates/").map(|n| (n, origin)))
        .find(|(n, _)| text.contains(*n))
        .map(|(_, o)| o.clone())
        .unwrap_or_else(|| "(theme)".to_string());
    Diagnostic::error(origin, 0, 0, format!("template error: {text}")).code("template/invalid")
}

/// The error and its causes on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        text.push_str(": ");
        text.push_str(&s.to_string());
        cur = s.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `style.css` -> `assets/style.1a2b3c4d.css`.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let hash = crate::digest::hex(&Sha256::digest(bytes)[..5]);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.contains('/') || !ext.contains('/') => {
            format!("assets/{stem}.{hash}.{ext}")
        }
        _ => format!("assets/{name}.{hash}"),
    }
}

/// Subresource-integrity value: `sha384-<base64>`.
pub fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", base64(&Sha384::digest(bytes)))
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn hashed_names_change_with_content() {
        let a = hashed_name("style.css", b"a");
        assert!(a.starts_with("assets/style.") && a.ends_with(".css"));
        assert_ne!(a, hashed_name("style.css", b"b"));
    }
}
