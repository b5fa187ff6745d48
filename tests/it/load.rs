//! Load on the preview server: `trustsite serve` on a copy of the example
//! site, on a free port of 127.0.0.1 only, hammered by concurrent keep-alive
//! clients while event streams stay open.
//!
//! Both tests check the same things: every request answered with the status
//! its path should have (no error, no reset, no timeout), every event stream
//! still alive and told to reload after an edit, and the server's thread
//! count (`Threads:` in `/proc/PID/status`) back to its baseline once the
//! clients are gone. Request count and time are bounded; the run stops by
//! itself.
//!
//! - `load_smoke` runs in every `cargo test` (small).
//! - `load_benchmark` is the benchmark (50 connections, 4,000 requests, 10
//!   event streams) and prints requests/s and latency percentiles; it asserts
//!   no figure. Run it optimised with its output shown:
//!
//! ```text
//! cargo test --release --test it load::load_benchmark -- --ignored --nocapture
//! ```

use crate::support::server::Server;
use crate::support::{PATIENCE, Site};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One load run's shape.
struct Plan {
    /// Concurrent client connections (keep-alive).
    connections: usize,
    /// Requests in total, shared among the connections.
    requests: usize,
    /// Event streams held open during the run.
    streams: usize,
    /// The run gives up after this long (a failure: requests left undone).
    time_limit: Duration,
}

/// What the clients saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    failures: Vec<String>,
    reconnects: usize,
}

#[test]
fn load_smoke() {
    let report = run(&Plan {
        connections: 8,
        requests: 400,
        streams: 3,
        time_limit: Duration::from_secs(60),
    });
    report.print("smoke");
}

#[test]
#[ignore = "benchmark: cargo test --release --test it load::load_benchmark -- --ignored --nocapture"]
fn load_benchmark() {
    let report = run(&Plan {
        connections: 50,
        requests: 4_000,
        streams: 10,
        time_limit: Duration::from_secs(120),
    });
    report.print("benchmark");
}

/// Figures of one run.
struct Report {
    plan_connections: usize,
    streams: usize,
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    reconnects: usize,
    threads_baseline: usize,
    threads_peak: usize,
    threads_after: usize,
}

impl Report {
    fn print(&self, label: &str) {
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
            self.latencies[i].as_secs_f64() * 1000.0
        };
        println!(
            "load {label}: {} requests over {} connections with {} event streams open in {:.2} s: \
             {:.0} requests/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
             {} reconnects; server threads {} before, {} at peak, {} after",
            self.requests,
            self.plan_connections,
            self.streams,
            self.elapsed.as_secs_f64(),
            self.requests as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.90),
            pct(0.99),
            pct(1.0),
            self.reconnects,
            self.threads_baseline,
            self.threads_peak,
            self.threads_after,
        );
    }
}

/// Starts the server, runs the plan, checks everything; returns the figures.
fn run(plan: &Plan) -> Report {
    let server = Server::start_in(Site::example(), &[]);
    let paths = site_paths(&server);
    let threads_baseline = settle_threads(server.pid(), None);

    let mut streams: Vec<_> = (0..plan.streams).map(|_| server.events()).collect();
    for s in &mut streams {
        assert_eq!(s.next().0, "hello", "event stream greets");
    }
    let peak = Arc::new(AtomicUsize::new(threads_baseline));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = sample_threads(server.pid(), Arc::clone(&peak), Arc::clone(&sampling));

    let tally = Arc::new(Mutex::new(Tally::default()));
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + plan.time_limit;
    let started = Instant::now();
    let clients: Vec<_> = (0..plan.connections)
        .map(|_| {
            let (tally, next, paths) = (Arc::clone(&tally), Arc::clone(&next), paths.clone());
            let (port, total) = (server.port, plan.requests);
            std::thread::spawn(move || client(port, &paths, &next, total, deadline, &tally))
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    let elapsed = started.elapsed();

    // The streams lived through the load: an edit still reaches every one.
    let rel = "content/policies/access-control.md";
    let text = std::fs::read_to_string(server.path(rel)).unwrap();
    server.write(rel, &format!("{text}\n\nEdited under load.\n"));
    for (i, s) in streams.iter_mut().enumerate() {
        let name = loop {
            let (name, _) = s.next();
            if name != "hello" && name != "building" {
                break name;
            }
        };
        assert_eq!(name, "reload", "event stream {i} after the edit");
    }
    drop(streams);
    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    let threads_after = settle_threads(server.pid(), Some(threads_baseline));

    let tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    assert!(
        tally.failures.is_empty(),
        "{} failed requests, e.g. {:?}",
        tally.failures.len(),
        &tally.failures[..tally.failures.len().min(5)]
    );
    assert_eq!(
        tally.latencies.len(),
        plan.requests,
        "requests left undone within {:?}",
        plan.time_limit
    );
    assert!(
        threads_after <= threads_baseline,
        "thread leak: {threads_baseline} threads before the load, {threads_after} after\n{}",
        server.stderr()
    );
    let mut latencies = tally.latencies;
    latencies.sort();
    Report {
        plan_connections: plan.connections,
        streams: plan.streams,
        requests: plan.requests,
        elapsed,
        latencies,
        reconnects: tally.reconnects,
        threads_baseline,
        threads_peak: peak.load(Ordering::Relaxed),
        threads_after,
    }
}

/// Paths to request with the status each must answer: the site's own links
/// from the home page, its assets, the search index, and a missing page.
fn site_paths(server: &Server) -> Arc<Vec<(String, u16)>> {
    let home = server.get("/");
    assert_eq!(home.status, 200);
    let html = home.text();
    let mut paths: Vec<(String, u16)> = ["href=\"", "src=\""]
        .iter()
        .flat_map(|attr| html.split(attr).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .filter(|s| s.starts_with('/') && !s.starts_with("//") && !s.contains('#'))
        .filter(|s| !s.starts_with("/__trustsite/events"))
        .map(|s| (s.replace("&amp;", "&"), 200))
        .collect();
    paths.sort();
    paths.dedup();
    assert!(
        paths.len() >= 10,
        "too few links on the home page: {paths:?}"
    );
    paths.push(("/search-index.json".into(), 200));
    paths.push(("/no/such/page/".into(), 404));
    Arc::new(paths)
}

/// One keep-alive connection taking requests from the shared counter.
fn client(
    port: u16,
    paths: &[(String, u16)],
    next: &AtomicUsize,
    total: usize,
    deadline: Instant,
    tally: &Mutex<Tally>,
) {
    let mut conn: Option<BufReader<TcpStream>> = None;
    let mut local = Tally::default();
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        if n >= total || Instant::now() > deadline {
            break;
        }
        let (path, want) = &paths[n % paths.len()];
        if conn.is_none() {
            match connect(port) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    local.failures.push(format!("connect: {e}"));
                    continue;
                }
            }
        }
        let started = Instant::now();
        match get(conn.as_mut().unwrap(), port, path) {
            Ok((status, keep)) if status == *want => {
                local.latencies.push(started.elapsed());
                if !keep {
                    conn = None;
                    local.reconnects += 1;
                }
            }
            Ok((status, _)) => {
                local
                    .failures
                    .push(format!("{path}: status {status}, want {want}"));
                conn = None;
            }
            Err(e) => {
                local.failures.push(format!("{path}: {e}"));
                conn = None;
            }
        }
    }
    let mut t = tally.lock().unwrap();
    t.latencies.extend(local.latencies);
    t.failures.extend(local.failures);
    t.reconnects += local.reconnects;
}

fn connect(port: u16) -> std::io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_nodelay(true)?;
    Ok(BufReader::new(stream))
}

/// One GET on an open connection: `(status, connection stays open)`.
fn get(conn: &mut BufReader<TcpStream>, port: u16, path: &str) -> std::io::Result<(u16, bool)> {
    let req =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n");
    conn.get_mut().write_all(req.as_bytes())?;
    let mut line = String::new();
    if conn.read_line(&mut line)? == 0 {
        return Err(std::io::Error::other("connection closed before a response"));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let (mut len, mut keep, mut chunked) = (None, true, false);
    loop {
        line.clear();
        conn.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let Some((name, value)) = l.split_once(':') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => len = value.trim().parse::<u64>().ok(),
            "connection" => keep = !value.trim().eq_ignore_ascii_case("close"),
            "transfer-encoding" => chunked = value.trim().eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    if chunked {
        skip_chunks(conn)?;
    } else {
        let len = len.ok_or_else(|| std::io::Error::other("no Content-Length, not chunked"))?;
        skip(conn, len)?;
    }
    Ok((status, keep))
}

/// Reads and drops exactly `len` body bytes.
fn skip(conn: &mut BufReader<TcpStream>, len: u64) -> std::io::Result<()> {
    let n = std::io::copy(&mut conn.by_ref().take(len), &mut std::io::sink())?;
    if n == len {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "body cut at {n} of {len} bytes"
        )))
    }
}

/// Reads and drops a chunked body (sizes in hex, then a 0 chunk and trailers).
fn skip_chunks(conn: &mut BufReader<TcpStream>) -> std::io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        conn.read_line(&mut line)?;
        let size = line.trim().split(';').next().unwrap_or("");
        let size = u64::from_str_radix(size, 16)
            .map_err(|_| std::io::Error::other(format!("bad chunk size {line:?}")))?;
        if size == 0 {
            loop {
                line.clear();
                if conn.read_line(&mut line)? == 0 || line.trim().is_empty() {
                    return Ok(());
                }
            }
        }
        skip(conn, size + 2)?;
    }
}

/// `Threads:` of a process.
fn threads(pid: u32) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

/// With no target, waits until the thread count holds still for a second
/// (the baseline); with a target, until it is at most the target. Gives up
/// after `PATIENCE`; returns the count.
fn settle_threads(pid: u32, target: Option<usize>) -> usize {
    let started = Instant::now();
    let mut last = threads(pid);
    let mut stable_since = Instant::now();
    while started.elapsed() < PATIENCE {
        if target.is_some_and(|t| last <= t) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        let now = threads(pid);
        if now != last {
            last = now;
            stable_since = Instant::now();
        }
        if target.is_none() && stable_since.elapsed() >= Duration::from_secs(1) {
            break;
        }
    }
    last
}

/// Samples the thread count every 20 ms into `peak` while `on` holds.
fn sample_threads(
    pid: u32,
    peak: Arc<AtomicUsize>,
    on: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while on.load(Ordering::Relaxed) {
            peak.fetch_max(threads(pid), Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(20));
        }
    })
}
