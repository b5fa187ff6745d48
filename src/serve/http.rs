//! HTTP for the preview server: a small pool of workers on tiny_http.
//!
//! Workers answer from the current [`Snapshot`] in memory: files with their
//! content type and `Cache-Control: no-store`, `index.html` for folders, a
//! redirect from `/foo` to `/foo/`, the site's 404 page, HEAD, and 405 for
//! other methods. HTML gets the live-reload script (and the error overlay)
//! injected per response. `/__trustsite/events` hands the connection to
//! the [`Hub`] at once, so event streams never hold a worker.

use super::build::{Files, Snapshot};
use super::inject::{self, LIVERELOAD_JS};
use super::path::{self, SitePath};
use super::reload::Hub;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Method, Request, Response, Server};

/// A response with its body in memory.
type Body = Response<std::io::Cursor<Vec<u8>>>;

/// Worker threads answering requests.
pub const WORKERS: usize = 4;

/// State shared by the workers and the builder.
pub struct Shared {
    snapshot: Mutex<Arc<Snapshot>>,
    /// The connected event streams.
    hub: Hub,
    /// Accept only local `Host` names and IP addresses (the server is
    /// bound to loopback, or shows drafts or internal documents).
    local_hosts_only: bool,
}

impl Shared {
    /// State serving `snapshot`.
    pub fn new(snapshot: Snapshot, local_hosts_only: bool) -> Self {
        Shared {
            snapshot: Mutex::new(Arc::new(snapshot)),
            hub: Hub::default(),
            local_hosts_only,
        }
    }

    /// What is served now.
    pub fn current(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Serves `snapshot` from now on and tells browsers to reload when its
    /// version differs from the previous one. Returns whether it did.
    pub fn publish(&self, snapshot: Snapshot) -> bool {
        // The lock is held while broadcasting so that a stream subscribing
        // concurrently either hears the reload or says hello with the new
        // version: it never misses both.
        let mut current = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        let changed = current.version != snapshot.version;
        if changed {
            self.hub.reload(&snapshot.version);
        }
        *current = Arc::new(snapshot);
        changed
    }

    /// Streams events to `out`, starting with a hello carrying the current
    /// version; gives `out` back when too many streams are open.
    fn subscribe<W: std::io::Write + Send + 'static>(
        &self,
        out: W,
        client: Option<std::net::IpAddr>,
    ) -> Result<(), W> {
        let current = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        self.hub.subscribe(out, &current.version, client)
    }
}

/// Starts the worker threads.
pub fn spawn_workers(server: Arc<Server>, shared: Arc<Shared>) -> std::io::Result<()> {
    for i in 0..WORKERS {
        let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
        std::thread::Builder::new()
            .name(format!("trustsite-http-{i}"))
            .spawn(move || {
                while let Ok(rq) = server.recv() {
                    handle(rq, &shared);
                }
            })?;
    }
    Ok(())
}

/// Answers one request.
fn handle(rq: Request, shared: &Shared) {
    let path = match check(&rq, shared.local_hosts_only) {
        Ok(path) => path,
        Err(refusal) => return reply(rq, refusal),
    };
    if path.segments.first().is_some_and(|s| s == "__trustsite") {
        return internal(rq, &path, shared);
    }
    let snap = shared.current();
    let response = match &snap.site {
        None => html(500, inject::error_page(&snap.errors, &snap.version)),
        Some(files) => site_response(&path, files, &snap),
    };
    reply(rq, response)
}

/// The request's path, or why it is refused: a method other than GET and
/// HEAD (405), a non-local Host on a loopback server (403), an unsafe or
/// malformed path (400).
fn check(rq: &Request, local_hosts_only: bool) -> Result<SitePath, Body> {
    if !matches!(rq.method(), Method::Get | Method::Head) {
        let text = "405 method not allowed: this preview server only answers GET and HEAD\n";
        return Err(plain(405, text).with_header(header("Allow", "GET, HEAD")));
    }
    if local_hosts_only && !host_is_local(rq) {
        let text = "403 forbidden: open the preview as http://localhost or by IP address\n";
        return Err(plain(403, text));
    }
    path::parse(rq.url()).ok_or_else(|| plain(400, "400 bad request: malformed or unsafe path\n"))
}

/// The response for a path of the built site.
fn site_response(path: &SitePath, files: &Files, snap: &Snapshot) -> Body {
    let key = path.key();
    if let Some(bytes) = files.get(&key) {
        return file(200, &key, bytes, snap);
    }
    if !path.dir && !key.is_empty() && files.contains_key(&format!("{key}/index.html")) {
        return redirect(path);
    }
    match files.get("404.html") {
        Some(page) => file(404, "404.html", page, snap),
        None => plain(404, "404 not found\n"),
    }
}

/// `/__trustsite/…`: the script and the event stream.
fn internal(rq: Request, path: &SitePath, shared: &Shared) {
    match path.segments[1..]
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()[..]
    {
        ["livereload.js"] => reply(
            rq,
            bytes(
                200,
                "text/javascript; charset=utf-8",
                LIVERELOAD_JS.as_bytes().to_vec(),
            ),
        ),
        ["events"] if rq.method() == &Method::Head => reply(
            rq,
            bytes(200, "text/event-stream; charset=utf-8", Vec::new()),
        ),
        ["events"] => {
            let client = rq.remote_addr().map(|a| a.ip().to_canonical());
            if let Err(mut out) = shared.subscribe(rq.into_writer(), client) {
                let busy = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 5\r\n\r\n";
                let _ = out.write_all(busy.as_bytes()).and_then(|()| out.flush());
            }
        }
        _ => reply(rq, plain(404, "404 not found\n")),
    }
}

/// A site file; HTML gets the script and overlay injected.
fn file(status: u16, key: &str, data: &[u8], snap: &Snapshot) -> Body {
    let ctype = path::content_type(key);
    if ctype.starts_with("text/html") {
        return bytes(
            status,
            ctype,
            inject::inject(data, &snap.errors, &snap.version),
        );
    }
    bytes(status, ctype, data.to_vec())
}

fn html(status: u16, body: Vec<u8>) -> Body {
    bytes(status, "text/html; charset=utf-8", body)
}

fn plain(status: u16, text: &str) -> Body {
    bytes(
        status,
        "text/plain; charset=utf-8",
        text.as_bytes().to_vec(),
    )
}

/// `/foo` -> `/foo/`, keeping the query.
fn redirect(path: &SitePath) -> Body {
    let mut location = String::from("/");
    for s in &path.segments {
        location.push_str(&encode_segment(s));
        location.push('/');
    }
    if let Some(q) = &path.query {
        location.push('?');
        location.push_str(q);
    }
    plain(301, &format!("moved to {location}\n")).with_header(header("Location", &location))
}

/// Percent-encodes what may not stand in a path segment.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn bytes(status: u16, ctype: &str, body: Vec<u8>) -> Body {
    Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| unreachable!("static header {name}"))
}

fn reply(rq: Request, response: Body) {
    // A client that went away is not an error worth reporting.
    let _ = rq.respond(response);
}

/// Whether the Host header names this machine by a local name or an IP
/// address, so a DNS-rebinding page cannot read the (internal) preview.
fn host_is_local(rq: &Request) -> bool {
    let Some(h) = rq.headers().iter().find(|h| h.field.equiv("Host")) else {
        return true;
    };
    is_local_host(h.value.as_str())
}

fn is_local_host(value: &str) -> bool {
    let host = match value.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => value.split(':').next().unwrap_or_default(),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host.parse::<std::net::IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        for ok in [
            "localhost",
            "localhost:1111",
            "127.0.0.1:1111",
            "[::1]:1111",
            "app.localhost",
            "LOCALHOST.",
            "192.168.1.5",
        ] {
            assert!(is_local_host(ok), "{ok}");
        }
        for bad in [
            "evil.example.com",
            "evil.example.com:1111",
            "localhost.evil.com",
            "",
        ] {
            assert!(!is_local_host(bad), "{bad}");
        }
    }

    #[test]
    fn redirect_keeps_query_and_encodes() {
        let p = path::parse("/a%20b/c?x=1").unwrap();
        let r = redirect(&p);
        let loc = r
            .headers()
            .iter()
            .find(|h| h.field.equiv("Location"))
            .unwrap();
        assert_eq!(loc.value.as_str(), "/a%20b/c/?x=1");
        assert_eq!(r.status_code().0, 301);
    }
}
