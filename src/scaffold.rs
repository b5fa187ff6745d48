//! `trustsite init` and `trustsite new`: creating a site and documents.
//!
//! [`init`] writes a small but complete example trust center (a commented
//! `trust.yaml`, a home introduction, public, restricted and internal
//! documents, a `.gitignore`) into an empty or absent folder. The texts live
//! in `src/scaffold/site/` and are embedded with `include_str!`; `{{today}}`
//! in them becomes the creation date, so every document starts "current".
//! [`new`] writes one document with complete front-matter (see
//! [`document`]). Both refuse to overwrite anything and exit 2 when they
//! cannot run.

pub mod document;

use crate::term::Exit;
use crate::when::When;
use jiff::civil::Date;
use std::path::Path;

/// The files of a new site: path relative to the site root, template text.
const SITE_FILES: &[(&str, &str)] = &[
    ("trust.yaml", include_str!("scaffold/site/trust.yaml")),
    (".gitignore", include_str!("scaffold/site/gitignore")),
    (
        "content/index.md",
        include_str!("scaffold/site/content/index.md"),
    ),
    (
        "content/policies/_index.md",
        include_str!("scaffold/site/content/policies/_index.md"),
    ),
    (
        "content/policies/information-security.md",
        include_str!("scaffold/site/content/policies/information-security.md"),
    ),
    (
        "content/policies/vulnerability-disclosure.md",
        include_str!("scaffold/site/content/policies/vulnerability-disclosure.md"),
    ),
    (
        "content/policies/business-continuity.md",
        include_str!("scaffold/site/content/policies/business-continuity.md"),
    ),
    (
        "content/procedures/access-review.md",
        include_str!("scaffold/site/content/procedures/access-review.md"),
    ),
];

/// Names that may already be in the folder `init` writes into.
const ALLOWED_EXISTING: &[&str] = &[".git"];

/// The files of a new site dated `today`: `(path relative to the root, text)`.
pub fn site_files(today: Date) -> Vec<(&'static str, String)> {
    let today = today.to_string();
    SITE_FILES
        .iter()
        .map(|(path, text)| (*path, text.replace("{{today}}", &today)))
        .collect()
}

/// `trustsite init [DIR]`: `when` is the clock as read at the edge (the
/// new documents are dated on its day in UTC).
pub fn init(dir: &Path, when: Result<When, String>) -> Exit {
    if let Err(e) = check_target(dir) {
        eprintln!("error: {e}");
        return Exit::CannotRun;
    }
    let today = match when.and_then(|w| w.today_in("UTC")) {
        Ok(today) => today,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::CannotRun;
        }
    };
    let files = site_files(today);
    if let Err(e) = write_site(dir, &files) {
        eprintln!("error: {e}");
        return Exit::CannotRun;
    }
    print_created(dir, &files);
    Exit::Ok
}

/// `trustsite new PATH --title T`.
pub fn new(opts: &document::NewOptions, when: Result<When, String>) -> Exit {
    document::run(opts, when)
}

/// Ok when `dir` is absent, or a folder holding nothing but [`ALLOWED_EXISTING`].
fn check_target(dir: &Path) -> Result<(), String> {
    let shown = dir.display();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) if dir.exists() && !dir.is_dir() => {
            return Err(format!(
                "cannot create a site in {shown}: it exists and is not a folder"
            ));
        }
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !ALLOWED_EXISTING.contains(&name.as_str()))
        .collect();
    found.sort();
    match found.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "refusing to create a site in {shown}: the folder is not empty (it holds `{first}`{more}); choose an empty or new folder, e.g. `trustsite init my-trust-center`",
            more = if found.len() > 1 {
                format!(" and {} more", found.len() - 1)
            } else {
                String::new()
            },
        )),
    }
}

/// Creates `dir` and writes every file, never replacing an existing one.
fn write_site(dir: &Path, files: &[(&str, String)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        document::write_new(&path, text)?;
    }
    Ok(())
}

/// Lists what `init` created and the commands to run next.
fn print_created(dir: &Path, files: &[(&str, String)]) {
    println!("created a new trust center in {}:", dir.display());
    for (rel, _) in files {
        println!("  {rel}");
    }
    println!("\nnext:");
    if dir != Path::new(".") {
        println!("  cd {}", dir.display());
    }
    println!("  trustsite serve    # preview at http://127.0.0.1:1111 with live reload");
    println!("  trustsite check    # validate content and review dates (the CI gate)");
    println!("  trustsite build    # write the static site into public/");
    println!(
        "  trustsite new content/policies/backup.md --title \"Backup Policy\"    # add a document"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> Date {
        Date::new(2026, 3, 9).unwrap()
    }

    #[test]
    fn every_template_placeholder_is_filled() {
        for (path, text) in site_files(day()) {
            assert!(!text.contains("{{"), "{path} keeps a placeholder");
        }
    }

    #[test]
    fn config_template_is_valid() {
        let files = site_files(day());
        let (_, yaml) = files.iter().find(|(p, _)| *p == "trust.yaml").unwrap();
        let config = crate::config::parse(yaml, Path::new(".")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(config.timezone, "UTC");
        assert_eq!(
            config.security_txt.policy.as_deref(),
            Some("vulnerability-disclosure")
        );
        assert_eq!(config.certifications.len(), 1);
        assert_eq!(config.subprocessors.len(), 1);
    }

    #[test]
    fn documents_are_dated_today() {
        let files = site_files(day());
        let (_, doc) = files
            .iter()
            .find(|(p, _)| p.ends_with("information-security.md"))
            .unwrap();
        assert!(doc.contains("last_reviewed: 2026-03-09\n"));
    }

    #[test]
    fn target_folder_rules() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(check_target(&tmp.path().join("absent")).is_ok());
        std::fs::create_dir(tmp.path().join(".git")).unwrap();
        assert!(
            check_target(tmp.path()).is_ok(),
            "a folder holding only .git is accepted"
        );
        std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
        let err = check_target(tmp.path()).unwrap_err();
        assert!(
            err.contains("not empty") && err.contains("notes.txt"),
            "{err}"
        );
        let err = check_target(&tmp.path().join("notes.txt")).unwrap_err();
        assert!(err.contains("not a folder"), "{err}");
    }
}
