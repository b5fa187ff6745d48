//! The process: ports, binds, signals, exit codes.

use crate::support::server::{Server, free_port, request};
use crate::support::{Site, eventually, stderr};
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn taken_port_is_a_clear_error_with_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut s = Server::spawn(Site::fixture("serve-site"), port, &[]);
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

#[cfg(unix)]
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
    // Not a timing claim (it stops within a second here, polling its
    // signal flag): a bound far above that, so only a server that waits on
    // its open event stream or a keep-alive fails, never a loaded machine.
    assert!(took < Duration::from_secs(10), "{signal} took {took:?}");
    assert!(!s.path("public").exists());
}

#[test]
#[cfg(unix)]
fn sigint_stops_the_server_with_an_event_stream_open() {
    stops_on("-INT");
}

#[test]
#[cfg(unix)]
fn sigterm_stops_the_server_with_an_event_stream_open() {
    stops_on("-TERM");
}

#[test]
fn missing_site_is_exit_2() {
    let site = Site::empty();
    let port = free_port().to_string();
    let out = site.run(&["serve", "--port", &port]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trust.yaml"), "{}", stderr(&out));
}
