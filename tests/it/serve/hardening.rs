//! Hostile clients and sites against the preview server (issue 11, point 8):
//! symlinked folders, IPv4-mapped loopback, Host names on private previews,
//! and one client hoarding live-reload streams.

use crate::support::server::Server;
use crate::support::{PATIENCE, Site, eventually};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

/// Opens `/__trustsite/events` and returns the status and the open socket.
fn open_stream(port: u16) -> (u16, BufReader<TcpStream>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let req = format!("GET /__trustsite/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    (
        status.unwrap_or_else(|| panic!("bad status line {line:?}")),
        reader,
    )
}

#[test]
fn one_client_cannot_take_every_live_reload_slot_and_closed_streams_free_theirs() {
    let s = Server::start(&[]);
    let mut held = Vec::new();
    loop {
        let (status, stream) = open_stream(s.port);
        if status != 200 {
            assert_eq!(status, 503, "a refused stream says so");
            break;
        }
        held.push(stream);
        assert!(held.len() <= 16, "one client got more than its share");
    }
    assert_eq!(held.len(), 16, "the per-client share");
    assert_eq!(s.get("/").status, 200, "pages still served");
    // Closing streams frees their slots without any rebuild or broadcast.
    held.truncate(10);
    eventually("a closed stream's slot to be free again", || {
        let (status, stream) = open_stream(s.port);
        (status == 200).then_some(stream)
    });
}

#[test]
fn ipv4_mapped_loopback_counts_as_loopback() {
    let s = Server::start(&["--bind", "::ffff:127.0.0.1"]);
    assert!(
        !s.stderr().contains("not loopback"),
        "no warning for a loopback address: {}",
        s.stderr()
    );
    let rebound = s.request("GET", "/", &[("Host", "evil.example.com")]);
    assert_eq!(
        rebound.status, 403,
        "the Host allow-list is on, as on 127.0.0.1"
    );
    assert_eq!(s.get("/").status, 200);
}

#[test]
fn private_previews_check_host_names_on_any_address() {
    for flag in ["--internal", "--drafts"] {
        let s = Server::start(&["--bind", "0.0.0.0", flag]);
        let rebound = s.request("GET", "/", &[("Host", "evil.example.com")]);
        assert_eq!(
            rebound.status, 403,
            "{flag}: a DNS-rebinding Host is refused"
        );
        assert_eq!(
            s.request("GET", "/", &[("Host", "192.168.1.5:1111")])
                .status,
            200
        );
        assert_eq!(s.get("/").status, 200);
    }
}

/// inotify watches the process holds (every `inotify wd:` line of its fds).
#[cfg(target_os = "linux")]
fn inotify_watches(pid: u32) -> usize {
    let dir = format!("/proc/{pid}/fdinfo");
    std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|info| {
            info.lines()
                .filter(|l| l.starts_with("inotify wd:"))
                .count()
        })
        .sum()
}

#[cfg(target_os = "linux")]
#[test]
fn the_watcher_never_follows_symbolic_links() {
    let outside = tempfile::tempdir().unwrap();
    for i in 0..300 {
        std::fs::create_dir_all(outside.path().join(format!("d{i}/sub"))).unwrap();
    }
    let site = Site::fixture("serve-site");
    std::os::unix::fs::symlink(outside.path(), site.path("content/usr")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path("themes")).unwrap();
    let s = Server::start_in(site, &[]);
    let watches = inotify_watches(s.pid());
    assert!(watches > 0, "the server watches something");
    assert!(
        watches < 50,
        "{watches} inotify watches: the watcher followed a link into 600 folders"
    );
    // A real folder created later is still watched and rebuilt on.
    s.write(
        "content/policies/late.md",
        "---\ntitle: Late\nvisibility: public\n---\nx\n",
    );
    eventually("the new document to be served", || {
        (s.get("/policies/late/").status == 200).then_some(())
    });
}
