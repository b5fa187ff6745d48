//! `trustsite serve` for the tests: the real binary on a free port serving
//! a [`Site`], a tiny HTTP/1.1 client and an event-stream reader on std
//! `TcpStream`. Every wait is a poll loop with a generous deadline
//! ([`PATIENCE`]); the child is killed on drop so a failing test never
//! leaves a server behind.

use super::{PATIENCE, Site, command, eventually};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `trustsite serve`; killed on drop.
pub struct Server {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// The site it serves.
    pub site: Site,
    stderr: Arc<Mutex<String>>,
    /// Set once the child's stderr reached end of file.
    stderr_closed: Arc<AtomicBool>,
    stdout: Arc<Mutex<String>>,
}

impl Server {
    /// Serves a fresh copy of the `serve-site` fixture with extra `args`,
    /// once it answers.
    pub fn start(args: &[&str]) -> Server {
        Server::start_in(Site::fixture("serve-site"), args)
    }

    /// Serves `site` with extra `args`; retries when the port got taken.
    pub fn start_in(site: Site, args: &[&str]) -> Server {
        let mut site = Some(site);
        for _ in 0..5 {
            let mut server = Server::spawn(site.take().unwrap(), free_port(), args);
            match server.wait_ready() {
                Ok(()) => return server,
                Err(err) if err.contains("already in use") => site = Some(server.into_site()),
                Err(err) => panic!("serve did not start: {err}"),
            }
        }
        panic!("no free port after 5 tries");
    }

    /// Spawns the binary without waiting.
    pub fn spawn(site: Site, port: u16, args: &[&str]) -> Server {
        let mut child = command()
            .arg("serve")
            .arg("--root")
            .arg(site.root())
            .args(["--port", &port.to_string(), "--today", super::TODAY])
            .args(args)
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (stderr, stderr_closed) = collect(child.stderr.take().unwrap());
        let (stdout, _) = collect(child.stdout.take().unwrap());
        Server {
            child,
            port,
            site,
            stderr,
            stderr_closed,
            stdout,
        }
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if self.stdout().contains("serving ") {
                return Ok(());
            }
            if self.exited().is_some() {
                // All of stderr, not what the reader thread has got so far.
                let closed = &self.stderr_closed;
                eventually("stderr to close", || {
                    closed.load(Ordering::SeqCst).then_some(())
                });
                return Err(self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "not ready after {PATIENCE:?}; stderr:\n{}",
            self.stderr()
        ))
    }

    fn into_site(mut self) -> Site {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.site, Site::empty())
    }

    /// Everything the server printed to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until stderr contains `needle`; panics with stderr otherwise.
    pub fn wait_stderr(&self, needle: &str) {
        let start = Instant::now();
        while !self.stderr().contains(needle) {
            let err = self.stderr();
            assert!(
                start.elapsed() < PATIENCE,
                "no {needle:?} in stderr:\n{err}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the server printed to stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status, if it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// A path inside the site folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.site.path(rel)
    }

    /// Writes a site file (creating folders).
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A request with `method` for the raw target `path`.
    pub fn request(&self, method: &str, path: &str, extra: &[(&str, &str)]) -> Response {
        request(self.port, method, path, extra)
    }

    /// GET `path`.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[])
    }

    /// Opens the event stream.
    pub fn events(&self) -> Events {
        Events::open(self.port)
    }
}

impl Drop for Server {
    /// Stops the server; fails the test when a thread of it panicked (a
    /// worker's panic need not end the process, so it would go unseen).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // All of stderr (the reader thread reaches end of file soon after).
        let start = Instant::now();
        while !self.stderr_closed.load(Ordering::SeqCst) && start.elapsed() < PATIENCE {
            std::thread::sleep(Duration::from_millis(10));
        }
        let err = self.stderr();
        if !std::thread::panicking() {
            assert!(!err.contains("panicked"), "the server panicked:\n{err}");
        }
    }
}

/// Reads `pipe` on a thread into a shared string; the flag is set at end
/// of file (the child closed it, i.e. exited).
fn collect(mut pipe: impl Read + Send + 'static) -> (Arc<Mutex<String>>, Arc<AtomicBool>) {
    let buf = Arc::new(Mutex::new(String::new()));
    let closed = Arc::new(AtomicBool::new(false));
    let (sink, done) = (Arc::clone(&buf), Arc::clone(&closed));
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
        done.store(true, Ordering::SeqCst);
    });
    (buf, closed)
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A header value by (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `Content-Type` header.
    pub fn ctype(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one HTTP/1.1 request and reads the response (by Content-Length).
pub fn request(port: u16, method: &str, path: &str, extra: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !extra.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (n, v) in extra {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    let len = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse::<usize>().unwrap());
    let mut body = Vec::new();
    match (method, len) {
        ("HEAD", _) => {}
        (_, Some(n)) => {
            body.resize(n, 0);
            reader.read_exact(&mut body).unwrap();
        }
        (_, None) => {
            reader.read_to_end(&mut body).unwrap();
        }
    }
    Response {
        status,
        headers,
        body,
    }
}

fn read_head(reader: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let l = line.trim_end();
        if l.is_empty() {
            return (status, headers);
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
}

/// An open `/__trustsite/events` stream.
pub struct Events {
    reader: BufReader<TcpStream>,
    partial: Vec<u8>,
    /// Headers of the stream response.
    pub headers: Vec<(String, String)>,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let req = format!(
            "GET /__trustsite/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        );
        stream.write_all(req.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let (status, headers) = read_head(&mut reader);
        assert_eq!(status, 200);
        reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        Events {
            reader,
            partial: Vec::new(),
            headers,
        }
    }

    /// The next event `(name, data)` within `within`; `None` on silence.
    /// Private: a test waits for an event, never for a silence (which would
    /// pass by chance on a slow machine); see `serve::live` for how to show
    /// that something did not happen.
    fn next_within(&mut self, within: Duration) -> Option<(String, String)> {
        let deadline = Instant::now() + within;
        let (mut name, mut data) = (String::new(), String::new());
        while Instant::now() < deadline {
            let Some(line) = self.line() else { continue };
            if line.is_empty() && !name.is_empty() {
                return Some((name, data));
            } else if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            }
        }
        None
    }

    /// The next event, waiting up to `PATIENCE`.
    pub fn next(&mut self) -> (String, String) {
        self.next_within(PATIENCE)
            .expect("an event within the patience bound")
    }

    /// One complete line, or `None` when none arrived within the read timeout.
    fn line(&mut self) -> Option<String> {
        match self.reader.read_until(b'\n', &mut self.partial) {
            Ok(0) => panic!("event stream closed"),
            Ok(_) if self.partial.ends_with(b"\n") => {
                let line = String::from_utf8_lossy(&self.partial)
                    .trim_end()
                    .to_string();
                self.partial.clear();
                Some(line)
            }
            Ok(_) => None,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => panic!("event stream: {e}"),
        }
    }
}
