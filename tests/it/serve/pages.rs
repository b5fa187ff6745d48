//! Serving: content types, statuses, folders, HEAD, methods, path safety,
//! what is shown with and without --internal/--drafts, concurrency.

use super::{DRAFT_CANARY, INTERNAL_CANARY, SCRIPT};
use crate::support::server::Server;

/// The first `href="/assets/…<ext>"` in `html`.
fn asset(html: &str, ext: &str) -> String {
    html.split("\"/assets/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .find(|name| name.ends_with(ext))
        .map(|name| format!("/assets/{name}"))
        .unwrap_or_else(|| panic!("no {ext} asset in page"))
}

#[test]
fn serves_pages_from_memory_with_the_script_injected() {
    let s = Server::start(&[]);
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.ctype(), Some("text/html; charset=utf-8"));
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let html = home.text();
    assert!(html.contains(SCRIPT), "live-reload script injected");
    assert!(html.find(SCRIPT).unwrap() < html.rfind("</body>").unwrap());
    assert!(
        !html.contains("/sub/assets/"),
        "base_url points at the local server"
    );
    let page = s.get("/policies/alpha/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("ORIGINAL-ALPHA-TEXT"));
    let script = s.get("/__trustsite/livereload.js");
    assert_eq!(script.ctype(), Some("text/javascript; charset=utf-8"));
    assert!(
        script
            .text()
            .contains("EventSource(\"/__trustsite/events\")")
    );
    assert!(!s.path("public").exists(), "serve never writes public/");
}

#[test]
fn content_types_for_every_kind_of_file() {
    let s = Server::start(&[]);
    let html = s.get("/").text();
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
    ];
    for (path, ctype) in &types {
        let r = s.get(path);
        assert_eq!((r.status, r.ctype()), (200, Some(*ctype)), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    }
    let png = s.get("/downloads/dot.png").body;
    let source = std::fs::read(s.path("content/downloads/dot.png")).unwrap();
    assert_eq!(png, source, "binary files byte for byte");
}

#[test]
fn folders_redirects_and_the_sites_404_page() {
    let s = Server::start(&[]);
    let folder = s.get("/policies/");
    assert_eq!(folder.status, 200);
    assert!(
        folder.text().contains("Alpha Policy"),
        "a folder serves its index.html"
    );
    let redirect = s.get("/policies/alpha?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/policies/alpha/?x=1"));
    let missing = s.get("/no/such/page");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.ctype(), Some("text/html; charset=utf-8"));
    assert!(
        missing.text().contains("Page not found"),
        "the site's own 404.html"
    );
    assert!(missing.text().contains(SCRIPT));
}

#[test]
fn head_methods_and_host_names() {
    let s = Server::start(&[]);
    let get = s.get("/policies/alpha/");
    let head = s.request("HEAD", "/policies/alpha/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let len = get.body.len().to_string();
    assert_eq!(head.header("content-length"), Some(len.as_str()));
    assert_eq!(head.ctype(), get.ctype());
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

/// Pages and indexes that would leak a withheld document.
const LISTINGS: [&str; 6] = [
    "/",
    "/policies/",
    "/search-index.json",
    "/sitemap.xml",
    "/manifest.json",
    "/feed.xml",
];

#[test]
fn by_default_shows_exactly_what_build_publishes() {
    let s = Server::start(&[]);
    assert_eq!(s.get("/policies/secret/").status, 404);
    assert_eq!(s.get("/policies/upcoming/").status, 404);
    for path in LISTINGS {
        let text = s.get(path).text();
        for leak in [
            INTERNAL_CANARY,
            "Secret Internal Runbook",
            DRAFT_CANARY,
            "Upcoming Draft",
        ] {
            assert!(!text.contains(leak), "{path}: {leak}");
        }
        assert!(!text.contains("preview-banner"), "{path}");
    }
}

#[test]
fn internal_documents_with_internal_under_a_banner() {
    let s = Server::start(&["--internal"]);
    let page = s.get("/policies/secret/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains(INTERNAL_CANARY));
    assert!(
        page.text().contains("preview-banner"),
        "shown under a banner"
    );
    assert_eq!(s.get("/policies/upcoming/").status, 404, "no drafts");
    assert!(
        s.stderr().contains("internal documents"),
        "the terminal says so"
    );
}

#[test]
fn drafts_with_drafts_under_a_banner() {
    let s = Server::start(&["--drafts"]);
    let page = s.get("/policies/upcoming/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains(DRAFT_CANARY));
    assert!(page.text().contains("preview-banner"));
    assert_eq!(
        s.get("/policies/secret/").status,
        404,
        "no internal documents"
    );
    assert!(
        s.stderr().contains("showing drafts"),
        "the terminal says so"
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
