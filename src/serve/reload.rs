//! Live reload: the Server-Sent Events stream at `/__trustsite/events`.
//!
//! Each connected browser gets one thread (at most [`MAX_STREAMS`], and at
//! most [`MAX_PER_CLIENT`] per client address, so one client cannot take
//! every slot) that owns its socket: it sends `retry: 500` and a `hello`
//! event carrying the current version, then forwards events from the
//! [`Hub`] and writes a keep-alive comment every [`KEEPALIVE`] of silence.
//! A write error ends the thread, so a closed tab's slot is free again
//! within about two keep-alives, and the hub forgets clients whose thread
//! has ended. Broadcasting never blocks the builder.

use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// At most this many event streams at once (one thread each).
pub const MAX_STREAMS: usize = 64;

/// At most this many event streams from one client address.
pub const MAX_PER_CLIENT: usize = 16;

/// A comment is sent after this much silence: idle streams stay open, and
/// a stream whose browser went away fails its next write or the one after
/// (the first may still be buffered), which frees its slot.
pub const KEEPALIVE: Duration = Duration::from_secs(1);

/// The response head of an event stream (the body runs until close).
const HEAD: &str = concat!(
    "HTTP/1.1 200 OK\r\n",
    "Content-Type: text/event-stream; charset=utf-8\r\n",
    "Cache-Control: no-store\r\n",
    "Connection: keep-alive\r\n",
    "X-Accel-Buffering: no\r\n",
    "\r\n",
    "retry: 500\n\n",
);

/// The connected event streams.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Sender<String>>>,
    live: Arc<AtomicUsize>,
    /// Open streams per client address.
    per_client: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Hub {
    /// Tells every browser to reload; `version` is the new build's.
    pub fn reload(&self, version: &str) {
        self.broadcast(event("reload", version));
    }

    fn broadcast(&self, msg: String) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain(|tx| tx.send(msg.clone()).is_ok());
    }

    /// Starts streaming to `out` (the raw connection, nothing written yet)
    /// for the client at `client`. Returns `out` back when the stream
    /// limit, or this client's share of it, is reached.
    pub fn subscribe<W: Write + Send + 'static>(
        &self,
        out: W,
        version: &str,
        client: Option<IpAddr>,
    ) -> Result<(), W> {
        if let Some(ip) = client {
            let mut per = self.per_client.lock().unwrap_or_else(|e| e.into_inner());
            let n = per.entry(ip).or_insert(0);
            if *n >= MAX_PER_CLIENT {
                return Err(out);
            }
            *n += 1;
        }
        let guard = LiveGuard {
            live: Arc::clone(&self.live),
            per_client: Arc::clone(&self.per_client),
            client,
        };
        if self.live.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
            return Err(out);
        }
        let (tx, rx) = mpsc::channel();
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        let hello = event("hello", version);
        let spawned = std::thread::Builder::new()
            .name("trustsite-events".into())
            .spawn(move || {
                let _guard = guard;
                let _ = stream(out, &hello, &rx, KEEPALIVE);
            });
        if let Err(e) = spawned {
            eprintln!("warning: cannot start an event stream: {e}");
        }
        Ok(())
    }
}

/// Gives back a stream's slots (total and per client) when dropped: when
/// its thread ends, or at once when it was refused.
struct LiveGuard {
    live: Arc<AtomicUsize>,
    per_client: Arc<Mutex<HashMap<IpAddr, usize>>>,
    client: Option<IpAddr>,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
        let Some(ip) = self.client else { return };
        let mut per = self.per_client.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                per.remove(&ip);
            }
        }
    }
}

/// One SSE event.
fn event(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// Writes the stream until a write fails or the hub is gone.
fn stream<W: Write>(
    mut out: W,
    hello: &str,
    rx: &Receiver<String>,
    keepalive: Duration,
) -> std::io::Result<()> {
    send(&mut out, HEAD)?;
    send(&mut out, hello)?;
    loop {
        match rx.recv_timeout(keepalive) {
            Ok(msg) => send(&mut out, &msg)?,
            Err(RecvTimeoutError::Timeout) => send(&mut out, ": keep-alive\n\n")?,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

fn send<W: Write>(out: &mut W, s: &str) -> std::io::Result<()> {
    out.write_all(s.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A writer that records what it got and fails once `fail` is set.
    #[derive(Clone, Default)]
    struct Probe {
        got: Arc<Mutex<String>>,
        fail: Arc<std::sync::atomic::AtomicBool>,
    }

    impl Write for Probe {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.fail.load(Ordering::SeqCst) {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            self.got
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(buf));
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn wait_until(what: &str, cond: impl Fn() -> bool) {
        let start = Instant::now();
        while !cond() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn streams_hello_and_reload_then_drops_dead_clients() {
        let hub = Hub::default();
        let probe = Probe::default();
        assert!(hub.subscribe(probe.clone(), "v1", None).is_ok());
        wait_until("hello", || {
            probe
                .got
                .lock()
                .unwrap()
                .contains("event: hello\ndata: v1\n\n")
        });
        assert!(probe.got.lock().unwrap().starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(probe.got.lock().unwrap().contains("retry: 500\n"));
        hub.reload("v2");
        wait_until("reload", || {
            probe
                .got
                .lock()
                .unwrap()
                .contains("event: reload\ndata: v2\n\n")
        });
        assert_eq!(hub.live.load(Ordering::SeqCst), 1);
        probe.fail.store(true, Ordering::SeqCst);
        hub.reload("v3");
        wait_until("the stream thread to end", || {
            hub.live.load(Ordering::SeqCst) == 0
        });
        hub.reload("v4");
        assert!(hub.clients.lock().unwrap().is_empty());
    }

    #[test]
    fn keepalive_comment_after_silence() {
        let (_tx, rx) = mpsc::channel();
        let probe = Probe::default();
        let p = probe.clone();
        std::thread::spawn(move || {
            stream(
                p,
                "event: hello\ndata: v\n\n",
                &rx,
                Duration::from_millis(10),
            )
        });
        wait_until("keep-alive", || {
            probe.got.lock().unwrap().contains(": keep-alive\n\n")
        });
        probe.fail.store(true, Ordering::SeqCst);
    }

    #[test]
    fn refuses_beyond_the_limit() {
        let hub = Hub::default();
        hub.live.store(MAX_STREAMS, Ordering::SeqCst);
        assert!(hub.subscribe(Probe::default(), "v", None).is_err());
        assert_eq!(hub.live.load(Ordering::SeqCst), MAX_STREAMS);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(hub.subscribe(Probe::default(), "v", Some(ip)).is_err());
        assert!(
            hub.per_client.lock().unwrap().is_empty(),
            "refusal gave the slot back"
        );
    }

    /// One client cannot take every slot; a closed stream frees its slot.
    #[test]
    fn one_client_gets_a_share_and_closed_streams_free_it() {
        let hub = Hub::default();
        let greedy: IpAddr = "10.0.0.1".parse().unwrap();
        let probes: Vec<Probe> = (0..MAX_PER_CLIENT).map(|_| Probe::default()).collect();
        for p in &probes {
            assert!(hub.subscribe(p.clone(), "v", Some(greedy)).is_ok());
        }
        assert!(hub.subscribe(Probe::default(), "v", Some(greedy)).is_err());
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let kept = Probe::default();
        assert!(hub.subscribe(kept.clone(), "v", Some(other)).is_ok());
        for p in &probes {
            p.fail.store(true, Ordering::SeqCst);
        }
        // Released by the next keep-alive write, with no broadcast needed.
        wait_until("the closed streams to be released", || {
            hub.live.load(Ordering::SeqCst) == 1
        });
        assert!(hub.subscribe(Probe::default(), "v", Some(greedy)).is_ok());
        kept.fail.store(true, Ordering::SeqCst);
    }
}
