//! `trustsite serve`: a preview server with live reload.
//!
//! Binds the address first (a taken port is exit 2), builds the site into
//! memory ([`build`]), serves it with tiny_http ([`http`]) and rebuilds on
//! every relevant change ([`watch`]), telling browsers to reload over
//! Server-Sent Events ([`reload`]) when the output or the error state
//! changed. A failed build keeps the last good site and shows the errors
//! over it ([`inject`]); the server starts even when the first build fails.
//! Nothing is written to disk. SIGINT and SIGTERM stop it with exit 0.

mod build;
mod http;
mod inject;
mod path;
mod reload;
mod watch;

use crate::term::{Exit, print_diags};
use build::{Builder, Built};
use http::Shared;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// Quiet time after a change before rebuilding.
const QUIET: Duration = Duration::from_millis(50);
/// Longest wait for quiet while changes keep coming.
const MAX_SETTLE: Duration = Duration::from_millis(1000);
/// How often the main thread checks for a stop signal.
const STOP_POLL: Duration = Duration::from_millis(50);

/// What to serve and how (the command line's `serve` options).
#[derive(Debug, Clone)]
pub struct Options {
    /// Site root.
    pub root: PathBuf,
    /// Address to bind.
    pub bind: String,
    /// Port (0: any free port).
    pub port: u16,
    /// Show drafts (under a banner).
    pub drafts: bool,
    /// Show internal documents (under a banner).
    pub internal: bool,
    /// Poll for changes instead of native file events.
    pub poll: bool,
    /// `--today`.
    pub today: Option<jiff::civil::Date>,
}

/// Reads the build instant, `--today` pinning the date: given by the
/// command-line edge, since the server itself never reads the clock.
pub type Clock = fn(Option<jiff::civil::Date>) -> Result<crate::when::When, String>;

/// Runs the preview server until SIGINT or SIGTERM; returns the exit status.
pub fn run(args: &Options, clock: Clock) -> Exit {
    match start(args, clock) {
        Ok((stop, done)) => wait(&stop, &done),
        Err(code) => code,
    }
}

/// Sets everything up and starts the server thread; returns the stop flag
/// and the channel on which that thread reports a fatal error.
fn start(args: &Options, clock: Clock) -> Result<(Arc<AtomicBool>, Receiver<Exit>), Exit> {
    let root = site_root(&args.root)?;
    let listener = listen(&args.bind, args.port)?;
    let addr = listener
        .local_addr()
        .map_err(cannot_run("cannot read the bound address"))?;
    let stop = stop_flag()?;
    let (tx, changes) = mpsc::channel();
    let watch = watch::Watch::start(&root, args.poll, tx)
        .map_err(cannot_run("cannot watch the site for changes (try --poll)"))?;
    let url = site_url(addr);
    announce(args, addr);
    let builder = Builder::new(args, clock, root.clone(), url.clone());
    let (done_tx, done_rx) = mpsc::channel();
    let session = Session {
        private: args.drafts || args.internal,
        builder,
        watch,
        changes,
        listener,
        addr,
        url,
        root,
    };
    std::thread::Builder::new()
        .name("trustsite-serve".into())
        .spawn(move || {
            let code = session.run();
            let _ = done_tx.send(code);
        })
        .map_err(cannot_run("cannot start the server thread"))?;
    Ok((stop, done_rx))
}

/// Everything the server thread owns.
struct Session {
    /// Drafts or internal documents are shown (`--drafts`, `--internal`).
    private: bool,
    builder: Builder,
    watch: watch::Watch,
    changes: Receiver<PathBuf>,
    listener: TcpListener,
    addr: SocketAddr,
    url: String,
    root: PathBuf,
}

impl Session {
    /// Builds, starts the HTTP workers, then rebuilds on every change.
    /// Runs on its own thread so a signal stops even a long first build.
    fn run(mut self) -> Exit {
        let first = self.builder.build();
        report_first(&first);
        // DNS rebinding: a page on any host name could read the preview
        // through the visitor's browser; only local names and IP literals
        // pass when the preview is local or shows what `build` withholds.
        let hosts_checked = is_loopback(self.addr.ip()) || self.private;
        let shared = Arc::new(Shared::new(first.snapshot, hosts_checked));
        let server = match tiny_http::Server::from_listener(self.listener, None) {
            Ok(s) => Arc::new(s),
            Err(e) => return cannot_run("cannot start the HTTP server")(e),
        };
        if let Err(e) = http::spawn_workers(server, Arc::clone(&shared)) {
            return cannot_run("cannot start the HTTP workers")(e);
        }
        println!(
            "serving {} at {} (press Ctrl-C to stop)",
            self.root.display(),
            self.url
        );
        rebuild_loop(self.builder, self.watch, &self.changes, &shared, &self.root);
        eprintln!("error: the file watcher stopped");
        Exit::CannotRun
    }
}

/// Waits for a stop signal (exit 0) or a fatal error of the rebuild thread.
fn wait(stop: &AtomicBool, done: &Receiver<Exit>) -> Exit {
    loop {
        match done.recv_timeout(STOP_POLL) {
            Ok(code) => return code,
            Err(RecvTimeoutError::Disconnected) => return Exit::CannotRun,
            Err(RecvTimeoutError::Timeout) if stop.load(Ordering::SeqCst) => {
                eprintln!("stopped");
                return Exit::Ok;
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

/// Rebuilds after each settled batch of changes, until the watcher stops.
fn rebuild_loop(
    mut builder: Builder,
    mut watch: watch::Watch,
    rx: &Receiver<PathBuf>,
    shared: &Shared,
    root: &Path,
) {
    while let Ok(first) = rx.recv() {
        let changed = watch::settle(rx, first, QUIET, MAX_SETTLE);
        watch.refresh(&changed);
        let built = builder.build();
        let reloaded = shared.publish(built.snapshot);
        let changed: Vec<&Path> = changed
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p))
            .collect();
        report_rebuild(&built.diags, built.elapsed, &changed, reloaded);
    }
}

/// Prints the first build's problems and result.
fn report_first(built: &Built) {
    print_diags(&built.diags);
    let errors = built.snapshot.errors.len();
    let ms = built.elapsed.as_millis();
    if errors > 0 {
        eprintln!(
            "build failed in {ms} ms with {errors} error(s); every page shows them until they are fixed"
        );
    } else {
        eprintln!("built in {ms} ms");
    }
}

/// Prints one rebuild's problems and the one-line result.
fn report_rebuild(
    diags: &[crate::diag::Diagnostic],
    elapsed: Duration,
    changed: &[&Path],
    reloaded: bool,
) {
    print_diags(diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let what = changed
        .first()
        .map(|p| crate::diag::clean(&p.display().to_string()).into_owned())
        .unwrap_or_default();
    let more = if changed.len() > 1 {
        format!(" and {} more", changed.len() - 1)
    } else {
        String::new()
    };
    let outcome = match (errors, reloaded) {
        (0, true) => "reloading".to_string(),
        (0, false) => "output unchanged".to_string(),
        (n, _) => format!("{n} error(s); still serving the last good version"),
    };
    eprintln!(
        "rebuilt in {} ms ({what}{more} changed): {outcome}",
        elapsed.as_millis()
    );
}

/// The canonical site root; exit 2 when it is not a site.
fn site_root(root: &Path) -> Result<PathBuf, Exit> {
    let canonical = match std::fs::canonicalize(root) {
        Ok(p) if p.is_dir() => p,
        _ => {
            eprintln!("error: site root {} is not a folder", root.display());
            return Err(Exit::CannotRun);
        }
    };
    if !canonical.join(crate::config::CONFIG_FILE).is_file() {
        eprintln!(
            "error: no {} in {}: not a trustsite site (create one with `trustsite init`)",
            crate::config::CONFIG_FILE,
            root.display()
        );
        return Err(Exit::CannotRun);
    }
    Ok(canonical)
}

/// Binds `bind:port`; a taken port is a clear error naming it (exit 2).
fn listen(bind: &str, port: u16) -> Result<TcpListener, Exit> {
    let host = bind.trim_start_matches('[').trim_end_matches(']');
    let listener = TcpListener::bind((host, port)).map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                ": port {port} is already in use (another server?); choose another with --port"
            ),
            _ => String::new(),
        };
        eprintln!("error: cannot listen on {bind}:{port}: {e}{hint}");
        Exit::CannotRun
    })?;
    set_nodelay(&listener);
    Ok(listener)
}

/// Disables Nagle's algorithm on the listening socket; Linux copies the option
/// to accepted connections, so small responses on keep-alive connections are
/// not held back ~40 ms waiting for a delayed ACK (tiny_http does not expose it).
#[cfg(unix)]
fn set_nodelay(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    let one: libc::c_int = 1;
    // SAFETY: a valid socket fd, a pointer to a c_int and its exact size.
    unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

#[cfg(not(unix))]
fn set_nodelay(_listener: &TcpListener) {}

/// The URL browsers use: the bound address (loopback for a wildcard bind).
fn site_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// Warns about non-loopback binds and names what the preview shows.
fn announce(args: &Options, addr: SocketAddr) {
    let shown = match (args.drafts, args.internal) {
        (true, true) => Some("drafts and internal documents"),
        (true, false) => Some("drafts"),
        (false, true) => Some("internal documents"),
        (false, false) => None,
    };
    if !is_loopback(addr.ip()) {
        let what = shown.map(|s| format!(", {s} included")).unwrap_or_default();
        eprintln!(
            "warning: bound to {}, not loopback: other machines on the network can read this preview (no authentication{what})",
            addr.ip()
        );
    }
    if let Some(shown) = shown {
        eprintln!("note: showing {shown} under a preview banner; `build` would not publish them");
    }
}

/// Loopback, IPv4-mapped IPv6 loopback (`::ffff:127.0.0.1`) included.
fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// A flag set by SIGINT or SIGTERM.
fn stop_flag() -> Result<Arc<AtomicBool>, Exit> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&flag))
            .map_err(cannot_run("cannot install the signal handler"))?;
    }
    Ok(flag)
}

/// Prints `error: what: cause` and maps to exit 2.
fn cannot_run<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> Exit {
    move |e| {
        eprintln!("error: {what}: {e}");
        Exit::CannotRun
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_of_bound_address() {
        let a: SocketAddr = "0.0.0.0:1111".parse().unwrap();
        assert_eq!(site_url(a), "http://127.0.0.1:1111/");
        let a: SocketAddr = "[::]:8080".parse().unwrap();
        assert_eq!(site_url(a), "http://[::1]:8080/");
        let a: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        assert_eq!(site_url(a), "http://127.0.0.1:1111/");
    }

    #[test]
    fn ipv4_mapped_loopback_is_loopback() {
        for ip in ["127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:127.1.2.3"] {
            assert!(is_loopback(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "0.0.0.0",
            "::",
            "::ffff:10.0.0.1",
            "192.168.1.5",
            "::ffff:0.0.0.0",
        ] {
            assert!(!is_loopback(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn taken_port_is_exit_2() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        assert_eq!(listen("127.0.0.1", port).unwrap_err(), Exit::CannotRun);
    }
}
