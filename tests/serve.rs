//! Acceptance tests for `trustsite serve`: the real binary on a real socket,
//! serving a copy of tests/fixtures/serve-site/.
//!
//! Waits are poll loops with generous deadlines (see `harness`); the only
//! timed assertion is the one the contract states: a signal stops the
//! server within a second.

#[path = "serve/harness.rs"]
mod harness;

use harness::{Server, eventually, free_port, request};
use std::process::Command;
use std::time::{Duration, Instant};

const SCRIPT: &str = "<script src=\"/__trustsite/livereload.js\"";
const OVERLAY: &str = "Build failed — showing the last good version";
const INTERNAL_CANARY: &str = "CANARY-SERVE-INTERNAL-7f3a";
const DRAFT_CANARY: &str = "CANARY-SERVE-DRAFT-91c2";

/// The first `href="/assets/…<ext>"` in `html`.
fn asset(html: &str, ext: &str) -> String {
    html.split("\"/assets/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .find(|name| name.ends_with(ext))
        .map(|name| format!("/assets/{name}"))
        .unwrap_or_else(|| panic!("no {ext} asset in page"))
}

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
fn serves_pages_from_memory_with_types_and_statuses() {
    let s = Server::start(&[]);
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let html = home.text();
    assert!(html.contains(SCRIPT), "live-reload script injected");
    assert!(html.find(SCRIPT).unwrap() < html.rfind("</body>").unwrap());
    assert!(
        !html.contains("/sub/assets/"),
        "base_url is overridden to the local server"
    );
    let page = s.get("/policies/alpha/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("ORIGINAL-ALPHA-TEXT"));
    let types = [
        (asset(&html, ".css"), "text/css; charset=utf-8"),
        (asset(&html, ".js"), "text/javascript; charset=utf-8"),
        ("/search-index.json".into(), "application/json"),
        ("/manifest.json".into(), "application/json"),
        ("/sitemap.xml".into(), "application/xml; charset=utf-8"),
        ("/feed.xml".into(), "application/xml; charset=utf-8"),
        ("/robots.txt".into(), "text/plain; charset=utf-8"),
        (
            "/.well-known/security.txt".into(),
            "text/plain; charset=utf-8",
        ),
        ("/downloads/key.asc".into(), "text/plain; charset=utf-8"),
        ("/downloads/dot.svg".into(), "image/svg+xml"),
        ("/downloads/dot.png".into(), "image/png"),
        ("/downloads/report.pdf".into(), "application/pdf"),
        (
            "/__trustsite/livereload.js".into(),
            "text/javascript; charset=utf-8",
        ),
    ];
    for (path, ctype) in &types {
        let r = s.get(path);
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some(*ctype)),
            "{path}"
        );
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    }
    let png = s.get("/downloads/dot.png").body;
    assert_eq!(
        png,
        std::fs::read(s.path("content/downloads/dot.png")).unwrap(),
        "binary files byte for byte"
    );
    assert!(
        s.get("/__trustsite/livereload.js")
            .text()
            .contains("EventSource(\"/__trustsite/events\")")
    );
    assert!(!s.path("public").exists(), "serve never writes public/");
}

#[test]
fn folders_redirects_404_head_and_methods() {
    let s = Server::start(&[]);
    let folder = s.get("/policies/");
    assert_eq!(folder.status, 200);
    assert!(
        folder.text().contains("Alpha Policy"),
        "folder serves its index.html"
    );
    let redirect = s.get("/policies/alpha?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/policies/alpha/?x=1"));
    let missing = s.get("/no/such/page");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        missing.text().contains("Page not found"),
        "the site's own 404.html"
    );
    assert!(missing.text().contains(SCRIPT));
    let get = s.get("/policies/alpha/");
    let head = s.request("HEAD", "/policies/alpha/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_str())
    );
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(s.request("HEAD", "/nope", &[]).status, 404);
    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let r = s.request(method, "/", &[("Content-Length", "0")]);
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method}");
    }
    let rebound = s.request("GET", "/", &[("Host", "evil.example.com:80")]);
    assert_eq!(
        rebound.status, 403,
        "a DNS-rebinding Host is refused on loopback"
    );
    assert_eq!(s.request("GET", "/", &[("Host", "localhost")]).status, 200);
    assert!(!s.path("public").exists());
}

#[test]
fn traversal_never_leaves_the_site() {
    let s = Server::start(&[]);
    s.write("outside-secret.txt", "CANARY-OUTSIDE-FILE\n");
    let config = std::fs::read_to_string(s.path("trust.yaml")).unwrap();
    let attempts = [
        "/../trust.yaml",
        "/%2e%2e/trust.yaml",
        "/%2E%2E/%2E%2E/trust.yaml",
        "/..%2ftrust.yaml",
        "/..%2Ftrust.yaml",
        "/..\\trust.yaml",
        "/..%5ctrust.yaml",
        "//etc/passwd",
        "/../../../../../../etc/passwd",
        "/downloads/../../outside-secret.txt",
        "/../outside-secret.txt",
        "/%2e%2e%2foutside-secret.txt",
        "/outside-secret.txt%00.html",
        "/trust.yaml",
        "/content/policies/secret.md",
        "/C:/Windows/win.ini",
    ];
    for raw in attempts {
        let r = s.get(raw);
        assert!(matches!(r.status, 400 | 404), "{raw}: status {}", r.status);
        let body = r.text();
        assert!(!body.contains("CANARY-OUTSIDE-FILE"), "{raw}");
        assert!(!body.contains(config.lines().next().unwrap()), "{raw}");
        assert!(!body.contains("root:x:0:0"), "{raw}");
        assert!(!body.contains(INTERNAL_CANARY), "{raw}");
    }
}

#[test]
fn edit_sends_reload_and_serves_new_content() {
    let s = Server::start(&[]);
    let mut events = s.events();
    assert_eq!(
        events
            .headers
            .iter()
            .find(|(n, _)| n == "content-type")
            .map(|(_, v)| v.as_str()),
        Some("text/event-stream; charset=utf-8")
    );
    let (name, first_version) = events.next();
    assert_eq!(name, "hello");
    s.write(
        "content/policies/alpha.md",
        &alpha_with("Alpha body EDITED-ALPHA-TEXT."),
    );
    let (name, version) = events.next();
    assert_eq!(name, "reload");
    assert_ne!(version, first_version);
    let page = s.get("/policies/alpha/").text();
    assert!(page.contains("EDITED-ALPHA-TEXT"));
    assert!(page.contains(&format!("data-version=\"{version}\"")));
    // Editor temp files change nothing and trigger no rebuild.
    s.write("content/policies/.alpha.md.swp", "swap");
    s.write("content/policies/4913", "");
    s.write("content/policies/alpha.md~", "backup");
    s.write("content/policies/#alpha.md#", "autosave");
    s.write("public/index.html", "not ours");
    assert!(
        events.next_within(Duration::from_millis(600)).is_none(),
        "no reload for temp files"
    );
    assert_eq!(
        s.stderr().matches("rebuilt in").count(),
        1,
        "{}",
        s.stderr()
    );
    // Saving identical bytes rebuilds but sends no reload.
    s.write(
        "content/policies/alpha.md",
        &alpha_with("Alpha body EDITED-ALPHA-TEXT."),
    );
    s.wait_stderr("output unchanged");
    assert!(
        events.next_within(Duration::from_millis(300)).is_none(),
        "no reload when output is unchanged"
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
    assert!(
        s.stderr().contains("content/policies/alpha.md:2:"),
        "diagnostics go to stderr too"
    );
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
    let site = harness::fixture();
    let alpha = site.path().join("content/policies/alpha.md");
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

#[test]
fn internal_and_drafts_only_when_asked_under_a_banner() {
    let s = Server::start(&[]);
    assert_eq!(s.get("/policies/secret/").status, 404);
    assert_eq!(s.get("/policies/upcoming/").status, 404);
    for path in [
        "/",
        "/policies/",
        "/search-index.json",
        "/sitemap.xml",
        "/manifest.json",
        "/feed.xml",
    ] {
        let text = s.get(path).text();
        assert!(
            !text.contains(INTERNAL_CANARY) && !text.contains("Secret Internal Runbook"),
            "{path}"
        );
        assert!(
            !text.contains(DRAFT_CANARY) && !text.contains("Upcoming Draft Policy"),
            "{path}"
        );
        assert!(!text.contains("preview-banner"), "{path}");
    }
    drop(s);
    let s = Server::start(&["--internal"]);
    let page = s.get("/policies/secret/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains(INTERNAL_CANARY));
    assert!(
        page.text().contains("preview-banner"),
        "internal documents show under a banner"
    );
    assert_eq!(
        s.get("/policies/upcoming/").status,
        404,
        "--internal alone shows no drafts"
    );
    drop(s);
    let s = Server::start(&["--drafts"]);
    let page = s.get("/policies/upcoming/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains(DRAFT_CANARY));
    assert!(page.text().contains("preview-banner"));
    assert!(
        s.stderr().contains("drafts"),
        "the terminal says what is shown"
    );
}

#[test]
fn event_streams_never_block_pages() {
    let s = Server::start(&[]);
    let mut streams: Vec<_> = (0..12).map(|_| s.events()).collect();
    for e in &mut streams {
        assert_eq!(e.next().0, "hello");
    }
    for _ in 0..5 {
        assert_eq!(s.get("/policies/alpha/").status, 200);
    }
    assert_eq!(s.request("HEAD", "/__trustsite/events", &[]).status, 200);
    drop(streams);
    assert_eq!(s.get("/").status, 200);
}

#[test]
fn taken_port_is_a_clear_error_with_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut s = Server::spawn(harness::fixture(), port, &[]);
    let status = eventually("serve to exit", || s.exited());
    assert_eq!(status.code(), Some(2));
    let err = eventually("the error message", || {
        let e = s.stderr();
        e.contains("error:").then_some(e)
    });
    assert!(err.contains(&port.to_string()), "{err}");
    assert!(err.contains("in use"), "{err}");
}

#[test]
fn non_loopback_bind_warns() {
    let s = Server::start(&["--bind", "0.0.0.0"]);
    assert!(
        s.stderr().contains("warning: bound to 0.0.0.0"),
        "{}",
        s.stderr()
    );
    assert_eq!(request(s.port, "GET", "/", &[]).status, 200);
}

fn stops_on(signal: &str) {
    let mut s = Server::start(&[]);
    let mut events = s.events();
    assert_eq!(events.next().0, "hello");
    let kill = Command::new("kill")
        .args([signal, &s.pid().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let sent = Instant::now();
    let status = eventually("serve to exit", || s.exited());
    let took = sent.elapsed();
    assert_eq!(status.code(), Some(0), "{signal} exits 0");
    assert!(took < Duration::from_secs(1), "{signal} took {took:?}");
    assert!(!s.path("public").exists());
}

#[test]
fn sigint_stops_within_a_second() {
    stops_on("-INT");
}

#[test]
fn sigterm_stops_within_a_second() {
    stops_on("-TERM");
}

#[test]
fn missing_site_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trustsite"))
        .args(["serve", "--port", &free_port().to_string(), "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trust.yaml"));
}
