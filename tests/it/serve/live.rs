//! Live reload: edits, renames, removals, new folders, config changes,
//! polling, and build errors shown over the last good site.

use super::{OVERLAY, SCRIPT};
use crate::support::server::Server;
use crate::support::{Site, eventually, git};

/// `content/policies/alpha.md:LINE:COL` present, with numbers.
fn has_location(text: &str, file: &str) -> bool {
    text.match_indices(&format!("{file}:")).any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let mut parts = rest.splitn(3, ':');
        let line = parts.next().unwrap_or("");
        let col: String = parts
            .next()
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        !line.is_empty() && line.chars().all(|c| c.is_ascii_digit()) && !col.is_empty()
    })
}

fn alpha_with(body: &str) -> String {
    format!(
        "---\ntitle: Alpha Policy\nowner: Security\nversion: \"1.0\"\nlast_reviewed: 2026-10-01\n---\n\n{body}\n"
    )
}

#[test]
fn edit_sends_reload_and_serves_new_content() {
    let s = Server::start(&[]);
    let mut events = s.events();
    let ctype = events.headers.iter().find(|(n, _)| n == "content-type");
    assert_eq!(ctype.unwrap().1, "text/event-stream; charset=utf-8");
    let (name, first_version) = events.next();
    assert_eq!(name, "hello");
    s.write(
        "content/policies/alpha.md",
        &alpha_with("EDITED-ALPHA-TEXT."),
    );
    let (name, version) = events.next();
    assert_eq!(name, "reload");
    assert_ne!(version, first_version);
    let page = s.get("/policies/alpha/").text();
    assert!(page.contains("EDITED-ALPHA-TEXT"));
    assert!(page.contains(&format!("data-version=\"{version}\"")));
}

/// Waits for the server's `n`th `rebuilt in` line, then asserts there are
/// exactly `n` and the last says `(<file> changed): <outcome>`: one
/// changed file, nothing else seen with it.
fn nth_rebuild(s: &Server, n: usize, file: &str, outcome: &str) {
    let rebuilt = |err: &str| -> Vec<String> {
        // Whole lines only: the reader may hold half of the last one.
        err.split_inclusive('\n')
            .filter(|l| l.starts_with("rebuilt in ") && l.ends_with('\n'))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    let lines = eventually(&format!("rebuild {n}"), || {
        let lines = rebuilt(&s.stderr());
        (lines.len() >= n).then_some(lines)
    });
    assert_eq!(lines.len(), n, "{}", s.stderr());
    let want = format!("({file} changed): {outcome}");
    assert!(
        lines[n - 1].ends_with(&want),
        "want {want:?}\n{}",
        s.stderr()
    );
}

/// The version the server serves now (a fresh event stream's hello).
fn current_version(s: &Server) -> String {
    let (name, version) = s.events().next();
    assert_eq!(name, "hello");
    version
}

/// Editor temp files and `public/` are never seen, and a rebuild that
/// changes no output sends no reload. Nothing here waits for silence: a
/// real edit after the ignored ones must be the only change its rebuild
/// names, and the next event after an unchanged rebuild must be the reload
/// of a later real edit.
#[test]
fn editor_temp_files_and_unchanged_output_send_no_reload() {
    let s = Server::start(&[]);
    let mut events = s.events();
    assert_eq!(events.next().0, "hello");
    let temps = [
        "4913",
        "alpha.md~",
        "#alpha.md#",
        ".alpha.md.swp",
        ".#alpha.md",
    ];
    for temp in temps {
        s.write(&format!("content/policies/{temp}"), "temp");
    }
    s.write("public/index.html", "not ours");
    let beta = "content/policies/beta.md";
    let text = std::fs::read_to_string(s.path(beta)).unwrap();
    s.write(beta, &format!("{text}\nFIRST-EDIT.\n"));
    nth_rebuild(&s, 1, beta, "reloading");
    assert_eq!(events.next(), ("reload".to_string(), current_version(&s)));
    // Editors delete them again (unseen too); then saving identical bytes
    // rebuilds but sends no reload.
    for temp in temps {
        std::fs::remove_file(s.path(&format!("content/policies/{temp}"))).unwrap();
    }
    let alpha = "content/policies/alpha.md";
    let same = std::fs::read_to_string(s.path(alpha)).unwrap();
    s.write(alpha, &same);
    nth_rebuild(&s, 2, alpha, "output unchanged");
    s.write(beta, &format!("{text}\nSECOND-EDIT.\n"));
    nth_rebuild(&s, 3, beta, "reloading");
    assert_eq!(
        events.next(),
        ("reload".to_string(), current_version(&s)),
        "the next event after the unchanged rebuild is the later edit's reload"
    );
}

#[test]
fn rename_remove_create_and_config_changes_are_seen() {
    let s = Server::start(&[]);
    let mut events = s.events();
    assert_eq!(events.next().0, "hello");
    // Save by rename, as many editors do.
    let tmp = s.path("content/policies/.alpha.md.tmp-save");
    std::fs::write(&tmp, alpha_with("RENAMED-SAVE-TEXT")).unwrap();
    std::fs::rename(&tmp, s.path("content/policies/alpha.md")).unwrap();
    assert_eq!(events.next().0, "reload");
    assert!(
        s.get("/policies/alpha/")
            .text()
            .contains("RENAMED-SAVE-TEXT")
    );
    std::fs::remove_file(s.path("content/policies/beta.md")).unwrap();
    assert_eq!(events.next().0, "reload");
    assert_eq!(s.get("/policies/beta/").status, 404);
    s.write(
        "content/later/gamma.md",
        "---\ntitle: Gamma Later\n---\n\nGAMMA-BODY\n",
    );
    assert_eq!(events.next().0, "reload");
    assert!(s.get("/later/gamma/").text().contains("GAMMA-BODY"));
    s.write(
        "content/later/gamma.md",
        "---\ntitle: Gamma Later\n---\n\nGAMMA-EDITED\n",
    );
    assert_eq!(events.next().0, "reload");
    assert!(
        s.get("/later/gamma/").text().contains("GAMMA-EDITED"),
        "new folders are watched"
    );
    let config = std::fs::read_to_string(s.path("trust.yaml")).unwrap();
    let renamed = config.replace("Serve Fixture Trust Center", "Renamed Trust Center");
    std::fs::write(s.path("trust.yaml.new"), renamed).unwrap();
    std::fs::rename(s.path("trust.yaml.new"), s.path("trust.yaml")).unwrap();
    assert_eq!(events.next().0, "reload");
    assert!(s.get("/").text().contains("Renamed Trust Center"));
}

#[test]
fn poll_watcher_sees_edits() {
    let s = Server::start(&["--poll"]);
    let mut events = s.events();
    assert_eq!(events.next().0, "hello");
    s.write("content/policies/alpha.md", &alpha_with("POLLED-EDIT"));
    assert_eq!(events.next().0, "reload");
    assert!(s.get("/policies/alpha/").text().contains("POLLED-EDIT"));
    s.write("content/policies/alpha.md", &alpha_with("POLLED-AGAIN"));
    assert_eq!(
        events.next().0,
        "reload",
        "a second save within the same second"
    );
    assert!(s.get("/policies/alpha/").text().contains("POLLED-AGAIN"));
}

#[test]
fn broken_front_matter_shows_overlay_over_last_good_site_until_fixed() {
    let s = Server::start(&[]);
    let mut events = s.events();
    assert_eq!(events.next().0, "hello");
    let good = std::fs::read_to_string(s.path("content/policies/alpha.md")).unwrap();
    s.write(
        "content/policies/alpha.md",
        &good.replace("title: Alpha Policy", "title: [unclosed <b>"),
    );
    assert_eq!(events.next().0, "reload", "the error state changed");
    let page = s.get("/policies/alpha/");
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains(OVERLAY), "{text}");
    assert!(
        has_location(&text, "content/policies/alpha.md"),
        "overlay names path:line:col"
    );
    assert!(
        text.contains("ORIGINAL-ALPHA-TEXT"),
        "the last good version stays"
    );
    assert!(
        s.get("/").text().contains(OVERLAY),
        "every page shows the overlay"
    );
    // The reload is announced before the diagnostics are printed: wait.
    s.wait_stderr("content/policies/alpha.md:2:");
    s.write(
        "content/policies/alpha.md",
        &good.replace("ORIGINAL-ALPHA-TEXT", "FIXED-ALPHA-TEXT"),
    );
    assert_eq!(events.next().0, "reload");
    let text = s.get("/policies/alpha/").text();
    assert!(!text.contains(OVERLAY));
    assert!(!text.contains("trustsite-build-errors"));
    assert!(text.contains("FIXED-ALPHA-TEXT"));
}

#[test]
fn first_build_failure_still_serves_error_pages_and_recovers() {
    let site = Site::fixture("serve-site");
    let alpha = site.path("content/policies/alpha.md");
    let good = std::fs::read_to_string(&alpha).unwrap();
    std::fs::write(
        &alpha,
        good.replace("title: Alpha Policy", "title: [unclosed"),
    )
    .unwrap();
    let s = Server::start_in(site, &[]);
    for path in ["/", "/policies/beta/", "/no/such/page"] {
        let r = s.get(path);
        assert_eq!(r.status, 500, "{path}");
        let text = r.text();
        assert!(has_location(&text, "content/policies/alpha.md"), "{text}");
        assert!(text.contains(SCRIPT), "error pages reload too");
    }
    let mut events = s.events();
    assert_eq!(events.next().0, "hello");
    std::fs::write(&alpha, good).unwrap();
    assert_eq!(events.next().0, "reload");
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert!(!home.text().contains("trustsite-build-errors"));
}

/// A commit changes no file the watcher sees in content/, yet the history
/// (versions) is read again: serve watches HEAD and its log.
#[test]
fn a_commit_rebuilds_with_the_new_history() {
    let site = Site::fixture("serve-site");
    git(
        site.root(),
        &["init", "-q", "-b", "main"],
        "2026-05-01T09:00:00Z",
    );
    git(site.root(), &["add", "-A"], "2026-05-01T09:00:00Z");
    git(
        site.root(),
        &["commit", "-q", "-m", "1.0"],
        "2026-05-01T09:00:00Z",
    );
    let alpha = site.path("content/policies/alpha.md");
    std::fs::write(
        &alpha,
        alpha_with("SECOND-VERSION-TEXT.").replace("\"1.0\"", "\"2.0\""),
    )
    .unwrap();
    let s = Server::start_in(site, &[]);
    let page = s.get("/policies/alpha/").text();
    assert!(
        page.contains("/policies/alpha/v/1.0/"),
        "earlier version listed"
    );
    assert!(
        page.contains("not committed"),
        "current version not committed yet"
    );
    let mut events = s.events();
    assert_eq!(events.next().0, "hello");
    git(
        s.path("").as_path(),
        &["commit", "-q", "-a", "-m", "2.0"],
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(events.next().0, "reload");
    let page = s.get("/policies/alpha/").text();
    assert!(
        !page.contains("not committed"),
        "the commit was read: {page}"
    );
    assert!(
        s.get("/policies/alpha/v/1.0/")
            .text()
            .contains("This version is superseded")
    );
}
