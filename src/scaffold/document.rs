//! `trustsite new`: one new document with complete front-matter.
//!
//! [`content_path`] turns the user's PATH into a path under `content/`
//! (`policies/x`, `content/policies/x.md` and `ROOT/content/policies/x.md`
//! all name `content/policies/x.md`) and refuses anything that would escape
//! `content/` or be skipped by the loader. [`render`] is the pure text of the
//! new file; [`run`] adds the IO: it reads `trust.yaml` only for the time
//! zone and the ids already taken, and never replaces an existing file.

use crate::config::Visibility;
use crate::content::CONTENT_DIR;
use crate::term::Exit;
use crate::when::When;
use jiff::civil::Date;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// What goes into a new document.
#[derive(Debug, Clone)]
pub struct NewDoc<'a> {
    /// Title, any text (quoted safely in YAML).
    pub title: &'a str,
    /// Document id.
    pub id: &'a str,
    /// Visibility.
    pub visibility: Visibility,
    /// Creation date: effective, last reviewed and first revision.
    pub today: Date,
}

/// `new` options.
#[derive(Debug)]
pub struct NewOptions {
    /// Path of the new document, e.g. content/policies/backup.md.
    pub path: PathBuf,
    /// Title.
    pub title: String,
    /// Site root.
    pub root: PathBuf,
    /// Visibility, as written on the command line (validated here).
    pub visibility: String,
}

/// `trustsite new`: writes the document and prints its path; `when` is the
/// clock as read at the edge (or why it could not be read).
pub fn run(args: &NewOptions, when: Result<When, String>) -> Exit {
    match create(args, when) {
        Ok(shown) => {
            println!("created {shown}");
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::CannotRun
        }
    }
}

/// Validates the arguments, writes the file and returns the path to show.
fn create(args: &NewOptions, when: Result<When, String>) -> Result<String, String> {
    let visibility = parse_visibility(&args.visibility)?;
    if args.title.trim().is_empty() {
        return Err("--title must not be empty".to_string());
    }
    let root = &args.root;
    if !root.is_dir() {
        return Err(format!("site root {} is not a folder", root.display()));
    }
    let rel = content_path(&args.path, root)?;
    let (timezone, taken) = site_facts(root);
    let today = when?.today_in(&timezone)?;
    let id = unique_id(&id_for(&rel), &taken);
    let text = render(&NewDoc {
        title: &args.title,
        id: &id,
        visibility,
        today,
    });
    // `content/x.md` rather than `./content/x.md` in messages from the site root.
    let base = if root == Path::new(".") {
        Path::new("")
    } else {
        root.as_path()
    };
    let path = base.join(CONTENT_DIR).join(&rel);
    let mut folders: Vec<&str> = std::iter::once(CONTENT_DIR).chain(rel.split('/')).collect();
    folders.pop();
    create_folders(base, &folders)?;
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{} is a symbolic link: trustsite never writes through links",
            path.display()
        ));
    }
    write_new(&path, &text).map(|()| path.display().to_string())
}

/// Creates `base/a/b/…` one folder at a time, refusing any part that is a
/// symbolic link (or not a folder): `new` never writes through a link.
fn create_folders(base: &Path, parts: &[&str]) -> Result<(), String> {
    let mut at = base.to_path_buf();
    for part in parts {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "{} is a symbolic link: trustsite never writes through links",
                    at.display()
                ));
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(format!("{} exists and is not a folder", at.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir(&at)
                .map_err(|e| format!("cannot create {}: {e}", at.display()))?,
            Err(e) => return Err(format!("cannot read {}: {e}", at.display())),
        }
    }
    Ok(())
}

/// Writes `text` to a file that must not exist yet.
pub fn write_new(path: &Path, text: &str) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists: refusing to overwrite it",
                path.display()
            )
        } else {
            format!("cannot create {}: {e}", path.display())
        }
    })?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `public`, `restricted` or `internal`.
pub fn parse_visibility(s: &str) -> Result<Visibility, String> {
    match s {
        "public" => Ok(Visibility::Public),
        "restricted" => Ok(Visibility::Restricted),
        "internal" => Ok(Visibility::Internal),
        other => Err(format!(
            "--visibility `{other}` is not one of public, restricted, internal"
        )),
    }
}

/// The site's time zone and the ids in use; UTC and none when trust.yaml
/// is missing or invalid (`new` never depends on the rest of the site).
fn site_facts(root: &Path) -> (String, BTreeSet<String>) {
    match crate::site::load(root) {
        Ok(loaded) => {
            let ids = loaded
                .content
                .documents
                .iter()
                .map(|d| d.id.clone())
                .collect();
            (loaded.config.timezone, ids)
        }
        Err(crate::config::ConfigError::Unreadable { .. }) => ("UTC".to_string(), BTreeSet::new()),
        Err(crate::config::ConfigError::Invalid(_)) => {
            eprintln!(
                "warning: {} has problems (run `trustsite check`); dating the document in UTC",
                root.join(crate::config::CONFIG_FILE).display()
            );
            ("UTC".to_string(), BTreeSet::new())
        }
    }
}

/// PATH as a `/`-separated path relative to `content/`, ending in `.md`.
///
/// PATH is relative to the site root, with or without the leading
/// `content/` (or `ROOT/content/`, as typed from the parent folder); an
/// absolute PATH must lie inside `ROOT/content`.
pub fn content_path(path: &Path, root: &Path) -> Result<String, String> {
    let shown = path.display();
    let mut parts = if path.is_absolute() {
        absolute_inside_content(path, root)
            .ok_or_else(|| format!("{shown} is not inside {}", root.join(CONTENT_DIR).display()))?
    } else {
        strip_prefix_parts(relative_parts(path)?, root)
    };
    let Some(last) = parts.last_mut() else {
        return Err(format!(
            "{shown} names no file: give a path such as content/policies/backup.md"
        ));
    };
    if !last.ends_with(".md") {
        last.push_str(".md");
    }
    if let Some(bad) = parts
        .iter()
        .find(|p| p.starts_with('.') || (p.starts_with('_') && *p != "_index.md"))
    {
        return Err(format!(
            "{shown}: `{bad}` starts with `.` or `_`, so trustsite would not load it as a document"
        ));
    }
    match parts.as_slice() {
        [home] if home == "index.md" => {
            Err("content/index.md is the home page introduction, not a document".to_string())
        }
        [folder, intro] if intro == "_index.md" => Err(format!(
            "content/{folder}/_index.md is the introduction of the `{folder}` listing, not a document"
        )),
        _ => Ok(parts.join("/")),
    }
}

/// Components of a relative path; `..` (escaping content/) is refused.
fn relative_parts(path: &Path) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => {
                return Err(format!(
                    "{} leaves content/: `..` is not allowed in a document path",
                    path.display()
                ));
            }
        }
    }
    Ok(parts)
}

/// Drops a leading `content/` or `ROOT/content/` (`content` alone names no file).
fn strip_prefix_parts(parts: Vec<String>, root: &Path) -> Vec<String> {
    let root_parts = relative_parts(root).unwrap_or_default();
    let mut prefixes = vec![vec![CONTENT_DIR.to_string()]];
    if !root_parts.is_empty() && !root.is_absolute() {
        prefixes.push(
            root_parts
                .into_iter()
                .chain([CONTENT_DIR.to_string()])
                .collect(),
        );
    }
    for prefix in prefixes.iter().rev() {
        if parts.starts_with(prefix) {
            return parts[prefix.len()..].to_vec();
        }
    }
    parts
}

/// The part of an absolute `path` under `ROOT/content`, compared both as
/// written and with symbolic links resolved.
fn absolute_inside_content(path: &Path, root: &Path) -> Option<Vec<String>> {
    let content = std::path::absolute(root.join(CONTENT_DIR)).ok()?;
    let candidates = [Some(content.clone()), content.canonicalize().ok()];
    let rest = candidates
        .iter()
        .flatten()
        .find_map(|c| path.strip_prefix(c).ok())?;
    relative_parts(rest).ok()
}

/// Default id: slug of the file stem (of the folder, for `index.md` and `_index.md`).
pub fn id_for(rel: &str) -> String {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    let stem = stem
        .strip_suffix("/index")
        .or_else(|| stem.strip_suffix("/_index"))
        .unwrap_or(stem);
    crate::content::slugify(stem.rsplit('/').next().unwrap_or(stem))
}

/// `base`, or `base-2`, `base-3`, … when taken.
pub fn unique_id(base: &str, taken: &BTreeSet<String>) -> String {
    (1..)
        .map(|n| {
            if n == 1 {
                base.to_string()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|id| !taken.contains(id))
        .unwrap_or_else(|| base.to_string())
}

/// Template of a new document; placeholders `{{today}}`, `{{id}}`,
/// `{{visibility}}` and `{{title}}`.
const TEMPLATE: &str = include_str!("new-document.md");

/// The text of the new document (the title is filled last, so a title
/// containing `{{...}}` is kept as written).
pub fn render(doc: &NewDoc) -> String {
    TEMPLATE
        .replace("{{today}}", &doc.today.to_string())
        .replace("{{id}}", &yaml_quote(doc.id))
        .replace("{{visibility}}", doc.visibility.as_str())
        .replace("{{title}}", &yaml_quote(doc.title))
}

/// `s` as a YAML double-quoted scalar: `\`, `"` and every non-printable
/// character escaped, so any title round-trips exactly.
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if yaml_printable(c) => out.push(c),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// YAML 1.2 `c-printable`, minus the byte-order mark.
fn yaml_printable(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && c != '\u{FEFF}'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(root: &str, p: &str) -> Result<String, String> {
        content_path(Path::new(p), Path::new(root))
    }

    #[test]
    fn paths_normalize_under_content() {
        assert_eq!(
            path(".", "content/policies/backup.md").unwrap(),
            "policies/backup.md"
        );
        assert_eq!(path(".", "policies/backup").unwrap(), "policies/backup.md");
        assert_eq!(
            path(".", "./policies/x/index.md").unwrap(),
            "policies/x/index.md"
        );
        assert_eq!(
            path("site", "site/content/policies/b.md").unwrap(),
            "policies/b.md"
        );
        assert_eq!(path("site", "content/b").unwrap(), "b.md");
    }

    #[test]
    fn paths_that_escape_or_hide_are_refused() {
        assert!(path(".", "../x.md").unwrap_err().contains(".."));
        assert!(path(".", "content/../../x.md").is_err());
        assert!(path(".", "content").is_err());
        assert!(path(".", "").is_err());
        assert!(
            path(".", "policies/_index.md")
                .unwrap_err()
                .contains("introduction")
        );
        assert_eq!(
            path(".", "policies/eu/_index.md").unwrap(),
            "policies/eu/_index.md"
        );
        assert!(path(".", "policies/_drafts/x.md").is_err());
        assert!(path(".", ".hidden/x.md").is_err());
        assert!(path(".", "index.md").is_err());
        assert!(path("/srv/site", "/etc/passwd").is_err());
        assert_eq!(
            path("/srv/site", "/srv/site/content/a/b.md").unwrap(),
            "a/b.md"
        );
    }

    #[test]
    fn ids_are_slugs_and_unique() {
        assert_eq!(id_for("policies/Backup Policy.md"), "backup-policy");
        assert_eq!(id_for("policies/incident/index.md"), "incident");
        assert_eq!(id_for("policies/eu/_index.md"), "eu");
        let taken: BTreeSet<String> = ["backup".to_string(), "backup-2".to_string()].into();
        assert_eq!(unique_id("backup", &taken), "backup-3");
        assert_eq!(unique_id("other", &taken), "other");
    }

    #[test]
    fn visibility_is_validated() {
        assert_eq!(parse_visibility("public"), Ok(Visibility::Public));
        assert!(
            parse_visibility("Public")
                .unwrap_err()
                .contains("public, restricted, internal")
        );
    }

    #[test]
    fn titles_round_trip_through_yaml() {
        for title in [
            "Backup: \"Policy\"",
            "a\\b # c",
            "line\nbreak\ttab",
            "del\u{7f} nel\u{85} bom\u{feff}",
            "Ünïcødé 🔐",
            "- [x] {y}: 'z'",
        ] {
            let yaml = format!("t: {}\n", yaml_quote(title));
            let parsed: std::collections::BTreeMap<String, String> =
                crate::yaml::from_str(&yaml).unwrap_or_else(|e| panic!("{title:?}: {}", e.message));
            assert_eq!(parsed["t"], title);
        }
    }

    #[test]
    fn rendered_document_parses_as_complete_front_matter() {
        let today = Date::new(2026, 3, 9).unwrap();
        let text = render(&NewDoc {
            title: "Backup: \"Policy\"",
            id: "backup",
            visibility: Visibility::Public,
            today,
        });
        let split = crate::frontmatter::split(&text).unwrap();
        let (fm, problems) =
            crate::frontmatter::parse(split.yaml.unwrap(), split.yaml_line, &Default::default());
        assert!(problems.is_empty(), "{problems:?}");
        let fm = fm.unwrap();
        assert_eq!(fm.title.as_deref(), Some("Backup: \"Policy\""));
        assert_eq!(fm.visibility, Some(Visibility::Public));
        assert!(
            fm.controlled_document && fm.owner.is_some() && fm.version.as_deref() == Some("1.0")
        );
        assert_eq!(fm.last_reviewed, Some(today));
        assert_eq!(fm.revisions.len(), 1);
        assert!(split.body.contains("## Purpose") && split.body.contains("## Exceptions"));
    }
}
