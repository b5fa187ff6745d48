//! Hostile input: what an editor's mistake or an attacker's file in `content/`
//! (or `trust.yaml`) can do to `trustsite build` and `check`.
//!
//! Each case builds a site in a temp dir and runs the real binary under a
//! watchdog ([`LIMIT`]): it must exit 0 or 1 (never 101 from a panic, never a
//! signal, never a hang), name `file:line:col` where there is a line, and
//! either refuse the input with a clear error or give the documented safe
//! result. The README's "Hardening" section has the same cases as a table.
use crate::fuzz_checks as checks;
use crate::support::{self, Site, command, output_within, read_tree};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Longest any single run may take before it counts as a hang (debug build,
/// two busy cores in CI; every case here takes well under a second normally).
const LIMIT: Duration = Duration::from_secs(20);

/// The same `<script>` and attribute-breaking payload everywhere.
const PAYLOAD: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

/// A site in `<tmp>/site`, with room for "outside" files in `<tmp>/outside`.
struct Hostile {
    tmp: Site,
}

/// What a run left: exit code and output.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Hostile {
    /// A site whose documents are public unless they say otherwise.
    fn new() -> Hostile {
        let h = Hostile { tmp: Site::empty() };
        std::fs::create_dir_all(h.path("site/content")).unwrap();
        std::fs::create_dir_all(h.path("outside")).unwrap();
        h.config("");
        h
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path(rel)
    }

    fn root(&self) -> PathBuf {
        self.path("site")
    }

    /// Writes `trust.yaml`: a minimal valid config plus `extra` lines.
    fn config(&self, extra: &str) {
        let base = "title: Hostile\nbase_url: https://trust.example.org/\ndefault_visibility: public\nsecurity_contact: mailto:security@example.org\n";
        self.write("site/trust.yaml", format!("{base}{extra}").as_bytes());
    }

    /// Writes bytes at a path relative to the temp dir.
    fn write(&self, rel: &str, bytes: &[u8]) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    /// Writes `site/content/<rel>`.
    fn doc(&self, rel: &str, text: &str) {
        self.write(&format!("site/content/{rel}"), text.as_bytes());
    }

    fn symlink(&self, target: impl AsRef<Path>, link: &str) {
        std::os::unix::fs::symlink(target, self.path(link)).unwrap();
    }

    /// `trustsite build` into `<tmp>/out`.
    fn build(&self) -> Run {
        let out = self.path("out");
        let out = out.to_str().unwrap();
        self.run(&["build", "--today", "2026-11-22", "--output", out])
    }

    /// `trustsite check` (human format).
    fn check(&self) -> Run {
        self.run(&["check", "--today", "2026-11-22"])
    }

    /// Runs the binary under the watchdog; panics on a hang, a signal or a panic.
    fn run(&self, args: &[&str]) -> Run {
        let out = output_within(command().args(args).arg("--root").arg(self.root()), LIMIT);
        Run {
            code: out.status.code().unwrap(),
            stdout: support::stdout(&out),
            stderr: support::stderr(&out),
        }
    }

    /// Every output file, by relative path.
    fn output(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        read_tree(&self.path("out"))
    }

    /// One output file as text.
    fn page(&self, rel: &str) -> String {
        let bytes = std::fs::read(self.path("out").join(rel))
            .unwrap_or_else(|e| panic!("{rel} not in the output: {e}"));
        String::from_utf8(bytes).unwrap()
    }
}

impl Run {
    /// Asserts the exit code; shows stderr when it is not the expected one.
    fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts stderr holds `needle` (a `file:line:col: severity: ...` prefix).
    fn says(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle) || self.stdout.contains(needle),
            "expected `{needle}` in the output:\n{}{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A minimal valid document.
fn doc(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n{body}")
}

/// A YAML string literal (JSON strings are valid YAML flow scalars).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

// ---------------------------------------------------------------- YAML ---

/// Ten levels of ten aliases each: 10^11 nodes if expanded.
fn alias_bomb(key: &str) -> String {
    let mut y = format!("{key}:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        y.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    y
}

#[test]
fn alias_bomb_in_front_matter_is_a_located_error() {
    let h = Hostile::new();
    h.doc(
        "bomb.md",
        &format!("---\ntitle: Bomb\n{}---\n", alias_bomb("extra")),
    );
    h.build()
        .expect(1)
        .says("content/bomb.md:")
        .says("alias bomb is refused");
    h.check().expect(1).says("content/bomb.md:");
}

#[test]
fn alias_bomb_in_trust_yaml_is_a_located_error() {
    let h = Hostile::new();
    h.config(&alias_bomb("frameworks"));
    h.doc("a.md", &doc("A", "x\n"));
    h.build().expect(1).says("trust.yaml:");
}

#[test]
fn deep_yaml_nesting_is_a_located_error() {
    let h = Hostile::new();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    h.doc(
        "deep.md",
        &format!("---\ntitle: Deep\nextra: {deep}\n---\n"),
    );
    h.build()
        .expect(1)
        .says("content/deep.md:3:")
        .says("recursion limit");
    h.config(&format!("description: {deep}\n"));
    h.build().expect(1).says("trust.yaml:");
}

#[test]
fn deep_markdown_nesting_renders() {
    let h = Hostile::new();
    let body = format!(
        "{} quote\n\n{}item\n\n{}\n\n{}\n",
        ">".repeat(50_000),
        "- ".repeat(20_000),
        "[".repeat(100_000),
        "*a".repeat(50_000)
    );
    h.doc("deep.md", &doc("Deep", &body));
    h.build().expect(0);
    assert!(h.page("deep/index.html").contains("quote"));
}

#[test]
fn very_long_lines_are_published_whole() {
    let h = Hostile::new();
    let title = "T".repeat(200_000);
    let body = format!("{}END-OF-LONG-LINE\n", "word ".repeat(1_000_000));
    h.doc("long.md", &doc(&title, &body));
    h.build().expect(0);
    let page = h.page("long/index.html");
    assert!(page.contains(&title));
    assert!(page.contains("END-OF-LONG-LINE"), "long body line cut");
}

#[test]
fn thousands_of_identical_headings_do_not_hang() {
    // Regression: heading ids were made unique in O(n²) (minutes for this file).
    let h = Hostile::new();
    h.doc("same.md", &doc("Same", &"## Same\n\n".repeat(20_000)));
    h.build().expect(0);
    assert!(h.page("same/index.html").contains("id=\"same-19999\""));
}

// --------------------------------------------------------------- bytes ---

#[test]
fn binary_markdown_is_an_error_and_binary_assets_are_copied_exactly() {
    let h = Hostile::new();
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    h.write("site/content/noise.md", &noise);
    h.build()
        .expect(1)
        .says("content/noise.md:1:1: error: file is not valid UTF-8 text");
    std::fs::remove_file(h.path("site/content/noise.md")).unwrap();
    h.write("site/content/blob.bin", &noise);
    h.write("site/content/nul.md", b"---\ntitle: Nul\n---\nbody\0more\n");
    h.build()
        .expect(1)
        .says("content/nul.md:1:1: error: file contains NUL bytes");
    std::fs::remove_file(h.path("site/content/nul.md")).unwrap();
    h.doc("a.md", &doc("A", "[x](blob.bin)\n"));
    h.build().expect(0);
    assert_eq!(h.output()["blob.bin"], noise, "asset copied byte for byte");
}

#[test]
fn invalid_utf8_names_its_line() {
    let h = Hostile::new();
    h.write(
        "site/content/bad.md",
        b"---\ntitle: Bad\n---\nline four\nline \xff\xfe five\n",
    );
    h.build()
        .expect(1)
        .says("content/bad.md:5:1: error: file is not valid UTF-8 text");
    h.check().expect(1).says("content/bad.md:5:1:");
    std::fs::remove_file(h.path("site/content/bad.md")).unwrap();
    h.write("site/trust.yaml", b"title: T\ndescription: caf\xe9\n");
    h.build()
        .expect(1)
        .says("trust.yaml:2:1: error: file is not valid UTF-8 text");
}

#[test]
fn file_names_that_are_not_utf8_are_errors() {
    use std::os::unix::ffi::OsStrExt;
    let h = Hostile::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(h.path("site/content").join(name), doc("Cafe", "x\n")).unwrap();
    h.build()
        .expect(1)
        .says("error: file name is not valid UTF-8");
}

#[test]
fn bom_and_crlf_are_read_and_lines_stay_right() {
    let h = Hostile::new();
    h.write(
        "site/trust.yaml",
        b"\xef\xbb\xbftitle: CRLF\r\nbase_url: https://crlf.example/\r\ndefault_visibility: public\r\nsecurity_contact: mailto:a@example.org\r\n",
    );
    h.write(
        "site/content/crlf.md",
        b"\xef\xbb\xbf---\r\ntitle: CRLF Doc\r\nowner: Ops\r\n---\r\n# Heading\r\n\r\nBody text\r\n",
    );
    h.build().expect(0);
    let page = h.page("crlf/index.html");
    assert!(page.contains("CRLF Doc") && page.contains("Body text"));
    h.write(
        "site/content/crlf.md",
        b"\xef\xbb\xbf---\r\ntitle: CRLF Doc\r\nvisibility: secret\r\n---\r\n",
    );
    h.build().expect(1).says("content/crlf.md:3:13: error:");
}

#[test]
fn unterminated_front_matter_is_an_error() {
    let h = Hostile::new();
    h.doc(
        "open.md",
        "---\ntitle: Open\n\n# Body but no closing fence\n",
    );
    h.build()
        .expect(1)
        .says("content/open.md:1:1: error: front-matter opened with `---` is never closed");
}

#[test]
fn empty_files() {
    let h = Hostile::new();
    h.doc("empty.md", "");
    h.build()
        .expect(1)
        .says("content/empty.md:1:1: error: missing front-matter");
    h.doc("empty.md", "---\n---\n");
    h.build()
        .expect(1)
        .says("content/empty.md:1:1: error: missing required field `title`");
    std::fs::remove_file(h.path("site/content/empty.md")).unwrap();
    h.doc("empty.txt", "");
    h.doc("a.md", &doc("A", "[e](empty.txt)"));
    h.build().expect(0);
    assert!(h.output()["empty.txt"].is_empty());
    h.write("site/trust.yaml", b"");
    h.build().expect(1).says("trust.yaml:1:1: error:");
}

#[test]
fn duplicate_keys_are_located_errors() {
    let h = Hostile::new();
    h.doc("dup.md", "---\ntitle: A\nowner: X\ntitle: B\n---\n");
    h.build()
        .expect(1)
        .says("content/dup.md:4:1: error: invalid front-matter: duplicate mapping key: title");
    std::fs::remove_file(h.path("site/content/dup.md")).unwrap();
    h.write("site/trust.yaml", b"title: A\ntitle: B\n");
    h.build()
        .expect(1)
        .says("trust.yaml:2:1: error: duplicate mapping key: title");
}

#[test]
fn wrong_types_are_located_errors_all_reported_together() {
    let h = Hostile::new();
    let cases = [
        ("title.md", "title: [a, b]", 2),
        ("draft.md", "title: D\ndraft: maybe", 3),
        ("weight.md", "title: W\nweight: heavy", 3),
        ("tags.md", "title: T\ntags: {a: 1}", 3),
        ("revisions.md", "title: R\nrevisions: 5", 3),
        ("date.md", "title: D\nlast_reviewed: 2026-02-30", 3),
        ("cycle.md", "title: C\nreview_cycle: fortnightly-ish", 3),
        ("visibility.md", "title: V\nvisibility: secret", 3),
        ("toplevel.md", "- a\n- b", 2),
    ];
    for (name, yaml, _) in cases {
        h.doc(name, &format!("---\n{yaml}\n---\nbody\n"));
    }
    let run = h.build();
    run.expect(1);
    for (name, _, line) in cases {
        run.says(&format!("content/{name}:{line}:"));
    }
    h.check().expect(1).says("content/weight.md:3:");
}

#[test]
fn wrong_types_in_trust_yaml_are_located_errors() {
    let h = Hostile::new();
    for (yaml, at) in [
        ("title: [x]\n", "trust.yaml:1:"),
        ("title: T\nreview: 5\n", "trust.yaml:2:"),
        ("title: T\nreview: {warn_days: soon}\n", "trust.yaml:2:"),
        ("title: T\ntimezone: Mars/Olympus\n", "trust.yaml:2:11:"),
        ("title: T\ntheme: /etc\n", "trust.yaml:2:8:"),
        ("title: T\ntheme: ../..\n", "trust.yaml:2:8:"),
        (
            "title: T\nsecurity_txt: {expires_days: 9999}\n",
            "trust.yaml:2:",
        ),
        ("- a\n", "trust.yaml:1:1:"),
    ] {
        h.write("site/trust.yaml", yaml.as_bytes());
        h.build().expect(1).says(at);
    }
}

// ------------------------------------------------------------ symlinks ---

/// Files outside the site that a link must never publish.
fn plant_outside(h: &Hostile) {
    h.write("outside/secret.txt", b"OUTSIDE-SECRET-FILE\n");
    h.write(
        "outside/doc.md",
        doc("Outside", "OUTSIDE-SECRET-DOC\n").as_bytes(),
    );
    h.write("outside/static/evil.css", b"/* OUTSIDE-SECRET-THEME */\n");
    h.write("outside/catalogue.yaml", b"X.1: OUTSIDE-SECRET-CONTROL\n");
}

fn assert_no_outside_content(h: &Hostile) {
    for (path, bytes) in h.output() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("OUTSIDE-SECRET"),
            "outside content in {path}"
        );
        assert!(!text.contains("root:x:0:0"), "/etc/passwd in {path}");
    }
}

#[test]
fn symlinks_in_content_are_never_followed() {
    let h = Hostile::new();
    plant_outside(&h);
    h.doc("a.md", &doc("A", "inside\n"));
    h.symlink("/etc/passwd", "site/content/passwd.txt");
    h.symlink(h.path("outside/secret.txt"), "site/content/secret.txt");
    h.symlink(h.path("outside/doc.md"), "site/content/doc.md");
    h.symlink(h.path("outside"), "site/content/outside-dir");
    h.symlink("../../outside/secret.txt", "site/content/relative.txt");
    h.symlink("/nonexistent/dangling", "site/content/dangling.md");
    let run = h.build();
    run.expect(0);
    for link in [
        "passwd.txt",
        "secret.txt",
        "doc.md",
        "outside-dir",
        "relative.txt",
    ] {
        run.says(&format!("content/{link}: warning: symbolic link skipped"));
    }
    assert_no_outside_content(&h);
    let files = h.output();
    assert!(files.contains_key("a/index.html"));
    assert!(
        !files
            .keys()
            .any(|k| k.contains("passwd") || k.contains("outside"))
    );
}

#[test]
fn a_symlinked_content_folder_is_not_followed() {
    // Regression: the walk followed a symlinked `content/` itself, publishing
    // every file of the folder it pointed to, while warning it was skipped.
    let h = Hostile::new();
    plant_outside(&h);
    std::fs::remove_dir(h.path("site/content")).unwrap();
    h.symlink(h.path("outside"), "site/content");
    h.build()
        .expect(0)
        .says("content/: warning: symbolic link skipped");
    assert_no_outside_content(&h);
    assert!(!h.output().contains_key("doc/index.html"));
}

#[test]
fn symlink_loops_do_not_hang() {
    let h = Hostile::new();
    h.doc("a.md", &doc("A", "x\n"));
    h.symlink("loop-b", "site/content/loop-a");
    h.symlink("loop-a", "site/content/loop-b");
    h.symlink(".", "site/content/self");
    h.symlink("..", "site/content/parent");
    std::fs::create_dir_all(h.path("site/content/deep/er")).unwrap();
    h.symlink("../..", "site/content/deep/er/up");
    h.symlink("loop.md", "site/content/loop.md");
    h.build()
        .expect(0)
        .says("content/self: warning: symbolic link skipped")
        .says("content/deep/er/up: warning: symbolic link skipped");
    h.check().expect(0);
}

#[test]
fn themes_and_catalogues_are_never_read_through_links() {
    // Regression: `theme:` took a path and a symlinked theme folder was
    // followed, publishing files from anywhere as theme assets.
    let h = Hostile::new();
    plant_outside(&h);
    h.doc("a.md", &doc("A", "x\n"));
    std::fs::create_dir_all(h.path("site/themes")).unwrap();
    h.symlink(h.path("outside"), "site/themes/linked");
    h.config("theme: linked\n");
    h.build()
        .expect(1)
        .says("themes/linked: error: theme folder is a symbolic link");
    let outside = h.path("outside");
    h.config(&format!("theme: {}\n", outside.display()));
    h.build().expect(1).says("trust.yaml:5:8: error: `theme`");
    h.symlink(h.path("outside/catalogue.yaml"), "site/content/_cat.yaml");
    h.config("frameworks:\n  X:\n    catalogue: content/_cat.yaml\n");
    h.build()
        .expect(1)
        .says("trust.yaml:7:16: error: catalogue `content/_cat.yaml` goes through a symbolic link");
    assert!(!h.path("out").exists(), "nothing written");
}

#[test]
fn fifos_are_never_read() {
    let h = Hostile::new();
    h.doc("a.md", &doc("A", "x\n"));
    let fifo = |rel: &str| {
        let ok = std::process::Command::new("mkfifo")
            .arg(h.path(rel))
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo {rel}");
    };
    fifo("site/content/pipe.md");
    fifo("site/content/pipe.txt");
    fifo("site/content/_cat.yaml");
    h.config("frameworks:\n  X:\n    catalogue: content/_cat.yaml\n");
    h.build()
        .expect(1)
        .says("catalogue `content/_cat.yaml` is not a regular file");
    h.config("");
    h.build().expect(0);
    std::fs::remove_file(h.path("site/trust.yaml")).unwrap();
    fifo("site/trust.yaml");
    h.build().expect(2).says("not a regular file");
}

// ----------------------------------------------------------- injection ---

/// Asserts a generated HTML/XML file holds no markup an attacker wrote: every
/// `<script>` is one of the theme's (external, under /assets/), no tag
/// carries an event-handler attribute or a script URL. Text is escaped, so a
/// literal `<` in the file always opens a real tag.
fn assert_no_injected_markup(path: &str, html: &str) {
    for (name, attrs) in checks::tags(html) {
        let attr = |n: &str| attrs.iter().find(|(a, _)| a == n).map(|(_, v)| v.as_str());
        if name == "script" {
            let src = attr("src").unwrap_or("");
            assert!(
                src.starts_with("/assets/"),
                "{path}: script not from the theme: {attrs:?}"
            );
        }
        for bad in ["iframe", "object", "embed", "style"] {
            assert_ne!(name, bad, "{path}: injected <{bad}>");
        }
        assert_ne!(attr("src"), Some("x"), "{path}: injected <{name} src=x>");
        for (a, v) in &attrs {
            assert!(
                !a.starts_with("on"),
                "{path}: event handler {a}={v:?} on <{name}>"
            );
            let v = v.to_ascii_lowercase();
            assert!(
                !(v.starts_with("javascript:") || v.starts_with("data:text")),
                "{path}: script URL in <{name} {a}={v:?}>"
            );
        }
    }
}

#[test]
fn script_in_every_front_matter_and_config_field_is_escaped() {
    let h = Hostile::new();
    let p = q(PAYLOAD);
    let contact = q(&format!("mailto:security@example.org?subject={PAYLOAD}"));
    h.write(
        "site/trust.yaml",
        format!(
            "title: {p}\norganization: {p}\ndescription: {p}\nrelease: {p}\nbase_url: https://trust.example.org/\ndefault_visibility: public\nsecurity_contact: [{contact}]\ncertifications:\n  - {{name: {p}, status: certified, description: {p}, issued: 2026-01-01}}\nsubprocessors:\n  - {{name: {p}, purpose: {p}, location: {p}, since: 2026-01-01}}\n"
        )
        .as_bytes(),
    );
    let fm = format!(
        "title: {p}\nid: {p}\nowner: {p}\nversion: {p}\napproved_by: {p}\ncategory: {p}\ntags: [{p}]\nsummary: {p}\nlast_reviewed: 2026-01-01\neffective: 2026-01-01\naudit_scope: true\ncontrolled_document: true\nframeworks:\n  {p}: [{p}]\nrevisions:\n  - {{version: {p}, date: 2026-01-01, summary: {p}, approved_by: {p}}}\nextra:\n  note: {p}\n"
    );
    // Raw HTML in a body is sanitised, not escaped: a local `<img>` stays
    // (without its handler). The body's image has its own name, so `src=x`
    // still catches any front-matter or config field that is not escaped.
    let body = PAYLOAD.replace("src=x", "src=body.png");
    h.doc(
        "evil.md",
        &format!("---\n{fm}---\n# {body}\n\nBody {body}\n"),
    );
    h.doc(
        "locked.md",
        &format!(
            "---\n{}\nvisibility: restricted\n---\nRESTRICTED-BODY\n",
            fm.replace("id: ", "id: r")
        ),
    );
    h.doc("index.md", &format!("---\ntitle: {p}\n---\n{body}\n"));
    h.build().expect(0);
    let files = h.output();
    let mut pages = 0;
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("RESTRICTED-BODY"),
            "restricted body in {path}"
        );
        if path.ends_with(".json") {
            serde_json::from_slice::<serde_json::Value>(bytes)
                .unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
        } else if path.ends_with(".html") || path.ends_with(".xml") {
            assert_no_injected_markup(path, &text);
            pages += 1;
        }
    }
    assert!(pages > 8, "too few pages checked: {pages}");
    let page = h.page("evil/index.html");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the payload is shown as text, not dropped"
    );
    roxmltree::Document::parse(&h.page("feed.xml")).expect("feed stays well-formed XML");
    roxmltree::Document::parse(&h.page("sitemap.xml")).expect("sitemap stays well-formed");
}

#[test]
fn raw_html_in_markdown_is_sanitised_with_warnings_at_its_line() {
    let h = Hostile::new();
    let body = "Intro <script>alert(1)</script> inline\n\n\
        <iframe src=\"https://evil.example/\"></iframe>\n\n\
        <img src=local.png onerror=alert(2)>\n\n\
        <a href=\"javascript:alert(3)\">click</a>\n\n\
        [js](javascript:alert(4)) [js2](JaVaScRiPt&#58;alert(5)) [tab](java\tscript:alert(6)) \
        [data](data:text/html,<script>alert(7)</script>)\n\n\
        ![remote](https://evil.example/pixel.png) ![svg](data:image/svg+xml,<svg onload=alert(8)>)\n\n\
        ## Heading {#x onclick=alert(9)}\n\n\
        ```html\n<script>alert(10)</script>\n```\n\n\
        <!-- comment --> <style>body{display:none}</style>\n";
    h.doc("raw.md", &doc("Raw", body));
    let run = h.build();
    run.expect(0)
        .says("content/raw.md:4:7: warning: raw HTML tag `<script>` removed")
        .says("content/raw.md:6:1: warning: raw HTML tag `<iframe>` removed")
        .says("content/raw.md:8:1: warning: attribute `onerror` of raw HTML `<img>` removed")
        .says("content/raw.md:10:1: warning: attribute `href` of raw HTML `<a>` removed")
        .says("content/raw.md:22:18: warning: raw HTML tag `<style>` removed")
        .says("warning: link to `javascript:alert(4)` removed: unsafe URL scheme")
        .says("warning: image `https://evil.example/pixel.png` not embedded");
    let page = h.page("raw/index.html");
    assert_no_injected_markup("raw/index.html", &page);
    assert!(!page.contains("alert(1)"), "script content removed");
    assert!(!page.contains("&lt;script"), "removed, not shown as text");
    assert!(!page.contains("iframe"));
    assert!(!page.contains("display:none"));
    assert!(!page.contains("comment"), "comments never reach a page");
    assert!(!page.contains("evil.example/pixel.png\""));
    let search = h.page("search-index.json");
    assert!(!search.contains("alert(1)") && !search.contains("comment"));
}

// ---------------------------------------------------------- collisions ---

#[test]
fn colliding_ids_and_urls_are_errors_naming_both_files() {
    let h = Hostile::new();
    h.doc("policies/a.md", "---\ntitle: A\nid: same\n---\n");
    h.doc("policies/b.md", "---\ntitle: B\nowner: x\nid: same\n---\n");
    h.doc("policies/Access Control.md", &doc("AC1", ""));
    h.doc("policies/access-control.md", &doc("AC2", ""));
    h.doc("policies/access_control/index.md", &doc("AC3", ""));
    let run = h.build();
    run.expect(1)
        .says("content/policies/b.md:4:1: error: duplicate document id `same`: also used by content/policies/a.md")
        .says("is also the URL of content/policies/Access Control.md");
    h.check().expect(1).says("duplicate document id `same`");
}

#[test]
fn documents_and_files_colliding_with_generated_pages_are_errors() {
    let h = Hostile::new();
    h.doc("changes.md", &doc("Changes", "mine\n"));
    h.doc("index.html", "<h1>fake home</h1>");
    h.doc("feed.xml", "<feed/>");
    h.doc("robots.txt", "Disallow: /");
    h.doc("manifest.json", "{}");
    h.config("publish:\n  files: [robots.txt, manifest.json]\n");
    h.build()
        .expect(1)
        .says("output file `changes/index.html` is produced twice")
        .says("content/index.html: error: `.html` file under content/ is active content")
        .says("content/feed.xml: error: `.xml` file under content/ is active content")
        .says("content/robots.txt: error: output file `robots.txt` is produced twice")
        .says("output file `manifest.json` is produced twice");
    assert!(!h.path("out").exists(), "nothing written");
}

#[test]
fn colliding_category_tag_and_framework_slugs_are_errors_not_overwrites() {
    let h = Hostile::new();
    h.doc(
        "a.md",
        "---\ntitle: A\ncategory: Cat One\nframeworks: {\"ISO 1\": [x]}\n---\n",
    );
    h.doc(
        "b.md",
        "---\ntitle: B\ncategory: cat-one\nframeworks: {\"iso-1\": [y]}\n---\n",
    );
    h.build()
        .expect(1)
        .says("`cat-one/index.html` is produced twice")
        .says("`frameworks/iso-1/index.html` is produced twice");
}

// -------------------------------------------------------- withholding ---

#[test]
fn hostile_neighbours_never_leak_internal_documents() {
    // Everything that builds next to a hostile file still withholds what it must.
    let h = Hostile::new();
    h.doc(
        "internal.md",
        "---\ntitle: CANARY-INTERNAL\nvisibility: internal\n---\nCANARY-INTERNAL-BODY\n",
    );
    h.doc(
        "draft.md",
        "---\ntitle: CANARY-DRAFT\ndraft: true\n---\nCANARY-DRAFT-BODY\n",
    );
    h.doc(
        "restricted.md",
        "---\ntitle: Locked\nvisibility: restricted\n---\nCANARY-RESTRICTED-BODY\n",
    );
    h.doc(
        "public.md",
        &doc(
            "Public",
            "[i](internal.md) [d](draft.md#x) ![p](internal.md) <a href=internal.md>raw</a>\n\n## Same\n## Same\n",
        ),
    );
    h.symlink("internal.md", "site/content/alias.md");
    h.build().expect(0);
    for (path, bytes) in h.output() {
        let text = String::from_utf8_lossy(&bytes);
        for canary in ["CANARY-INTERNAL", "CANARY-DRAFT", "CANARY-RESTRICTED-BODY"] {
            assert!(!text.contains(canary), "{canary} in {path}");
        }
        assert!(
            !path.contains("internal") && !path.contains("draft"),
            "{path}"
        );
    }
}

// ------------------------------------------------------------- fuzzing ---

/// Inputs under `tests/fuzz/<dir>/<target>/`, sorted.
fn fuzz_inputs(dir: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let folder = support::repo().join("tests/fuzz").join(dir).join(target);
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

/// A fuzz target's function: raw bytes in, a panic on a broken promise.
type Target = fn(&[u8]);

/// The fuzz targets' functions by name.
const TARGETS: [(&str, Target); 3] = [
    ("frontmatter", checks::frontmatter),
    ("document", checks::document),
    ("config", checks::config),
];

#[test]
fn fuzz_regressions_and_seeds_replay() {
    // Every input a fuzz run ever crashed on is saved in tests/fuzz/regressions/
    // and replayed here on stable, with the seeds, through the targets' checks.
    let mut replayed = 0;
    for (target, check) in TARGETS {
        for dir in ["regressions", "seeds"] {
            for (name, bytes) in fuzz_inputs(dir, target) {
                let result = std::panic::catch_unwind(|| check(&bytes));
                assert!(result.is_ok(), "fuzz target {target} fails on {name}");
                replayed += 1;
            }
        }
    }
    assert!(replayed > 50, "only {replayed} fuzz inputs found");
}

#[test]
fn fuzz_smoke_on_stable() {
    // A small deterministic mutation fuzzer: runs in every `cargo test`, so the
    // targets' checks stay exercised where cargo-fuzz is not installed.
    const TOKENS: &[&str] = &[
        "---\n",
        "...\n",
        "\r\n",
        "\u{feff}",
        "&a ",
        "*a",
        "<<: *a\n",
        "!!binary ",
        "[",
        "]",
        "{",
        "}",
        "](",
        ")",
        "<script>",
        "</",
        "```",
        "~~~",
        "#",
        "{#x}",
        "|",
        "- ",
        "> ",
        "[^1]",
        "\\",
        "\t",
        ":",
        "'",
        "\"",
        "javascript:",
        "\u{0}",
        "é",
        "\n\n",
        "title: ",
    ];
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n.max(1) as u64) as usize
    };
    for (target, check) in TARGETS {
        let seeds = fuzz_inputs("seeds", target);
        for round in 0..1000 {
            let mut input = seeds[round % seeds.len()].1.clone();
            for _ in 0..1 + next(8) {
                let at = next(input.len() + 1);
                let end = match next(4) {
                    0 | 3 => at,
                    1 => (at + next(16)).min(input.len()),
                    _ => (at + next(64)).min(input.len()),
                };
                let insert: Vec<u8> = match next(4) {
                    0 => TOKENS[next(TOKENS.len())].bytes().collect(),
                    1 => Vec::new(),
                    2 => input[at..end].repeat(2),
                    _ => vec![next(256) as u8],
                };
                input.splice(at..end, insert).for_each(drop);
            }
            let result = std::panic::catch_unwind(|| check(&input));
            assert!(
                result.is_ok(),
                "fuzz target {target} fails on: {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

// ------------------------------------------------- the attack surface ---

/// Content cannot forge a CI annotation or reach the terminal raw: a file
/// name and a front-matter key carrying a newline, `::error`, ESC and BEL
/// come out escaped in every format of `check` and in `build`'s stderr.
#[test]
fn control_characters_in_names_and_fields_never_reach_ci_or_terminals() {
    let h = Hostile::new();
    h.doc("ok.md", &doc("Ok", "x\n"));
    let evil_name = "evil\n::error file=ci.yml::forged-by-name\u{1b}[2J\u{7}.md";
    h.doc(evil_name, "---\ntitle: [unclosed\n---\n");
    h.doc(
        "key.md",
        "---\ntitle: K\n\"x\\n::error::forged-by-key\\e]0;pwned\\a\\u009b31m\": 1\n---\n",
    );
    let forged = |out: &str, what: &str| {
        for line in out.lines() {
            let l = line.trim_start();
            assert!(
                !l.starts_with("::error::forged") && !l.starts_with("::error file=ci.yml"),
                "{what}: forged annotation line: {line:?}"
            );
        }
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{what}: raw control character in {out:?}"
        );
    };
    let build = h.build();
    build.expect(1).says("forged-by-name").says("forged-by-key");
    forged(&build.stderr, "build");
    for format in ["human", "json", "github", "gitlab", "junit"] {
        let run = h.run(&["check", "--today", "2026-11-22", "--format", format]);
        run.expect(1);
        assert!(
            run.stdout.contains("forged-by-name"),
            "{format}: {}",
            run.stdout
        );
        forged(&run.stdout, format);
        forged(&run.stderr, format);
    }
}

#[test]
fn base_url_must_be_http_or_a_rooted_path() {
    let h = Hostile::new();
    h.doc("a.md", &doc("A", "x\n"));
    for bad in [
        "javascript:alert(1)//",
        "//evil.example/",
        "trust.example.org",
        "https://trust.example.org@evil.example/",
    ] {
        std::fs::write(
            h.path("site/trust.yaml"),
            format!("title: T\nbase_url: \"{bad}\"\n"),
        )
        .unwrap();
        h.build()
            .expect(1)
            .says("trust.yaml:2:11: error: `base_url`");
        h.check()
            .expect(1)
            .says("trust.yaml:2:11: error: `base_url`");
    }
    assert!(!h.path("out").exists(), "nothing written");
    h.config("");
    let out = h.path("out");
    for bad in [
        "javascript:alert(1)",
        "//evil.example/",
        "https://x.example/\n::error::x",
    ] {
        h.run(&[
            "build",
            "--base-url",
            bad,
            "--output",
            out.to_str().unwrap(),
        ])
        .expect(2)
        .says("error: --base-url:");
    }
    // A rooted path is a valid base_url; security.txt then needs an absolute
    // one (an error naming the fix), so this site has no security_contact.
    h.write(
        "site/trust.yaml",
        b"title: Hostile\ndefault_visibility: public\n",
    );
    h.run(&[
        "build",
        "--base-url",
        "/trust/",
        "--output",
        out.to_str().unwrap(),
    ])
    .expect(0);
}

#[test]
fn a_trust_yaml_that_is_a_symlink_is_refused() {
    let h = Hostile::new();
    h.doc("a.md", &doc("A", "x\n"));
    h.write(
        "outside/trust.yaml",
        b"title: OUTSIDE-SECRET\nbase_url: /\ndefault_visibility: public\n",
    );
    std::fs::remove_file(h.path("site/trust.yaml")).unwrap();
    h.symlink(h.path("outside/trust.yaml"), "site/trust.yaml");
    h.build().expect(2).says("is a symbolic link");
    h.check().expect(2).says("is a symbolic link");
    assert!(!h.path("out").exists());
}

#[test]
fn new_never_writes_through_symlinks() {
    let h = Hostile::new();
    plant_outside(&h);
    let new = |path: &str| h.run(&["new", path, "--title", "Through a link"]);
    // A symlinked folder on the way.
    h.symlink(h.path("outside"), "site/content/policies");
    new("content/policies/x.md")
        .expect(2)
        .says("is a symbolic link");
    assert!(!h.path("outside/x.md").exists(), "written through the link");
    // A symlinked (dangling) target.
    h.symlink(h.path("outside/created.md"), "site/content/target.md");
    new("content/target.md")
        .expect(2)
        .says("is a symbolic link");
    assert!(
        !h.path("outside/created.md").exists(),
        "written through the link"
    );
    // A symlinked content/ itself.
    std::fs::remove_dir_all(h.path("site/content")).unwrap();
    h.symlink(h.path("outside"), "site/content");
    new("content/y.md").expect(2).says("is a symbolic link");
    assert!(!h.path("outside/y.md").exists(), "written through the link");
}

/// `check` runs the build into a sink that refuses what the output folder
/// refuses: a category named `..` (an output path leaving the folder) and a
/// file where the build needs a folder.
#[test]
fn check_refuses_everything_build_refuses() {
    let h = Hostile::new();
    h.doc("a.md", "---\ntitle: A\ncategory: \"..\"\n---\nx\n");
    let build = h.build();
    build.expect(1).says("refusing output path `../index.html`");
    let check = h.check();
    check.expect(1).says("refusing output path `../index.html`");

    let h = Hostile::new();
    h.doc("guide.md", &doc("Guide", "x\n"));
    h.doc("guide", "a file where the guide's folder goes\n");
    h.config("publish:\n  files: [guide]\n");
    h.build()
        .expect(1)
        .says("content/guide: error: cannot write `guide`: `guide` clashes with");
    assert!(!h.path("out").exists(), "nothing written");
    h.check().expect(1).says("clashes with");
}

#[test]
fn build_summary_counts_never_reviewed_apart_from_overdue() {
    let h = Hostile::new();
    h.doc(
        "never.md",
        "---\ntitle: Never\ncontrolled_document: true\nowner: o\nversion: \"1\"\n---\nx\n",
    );
    h.doc(
        "late.md",
        "---\ntitle: Late\ncontrolled_document: true\nowner: o\nversion: \"1\"\nlast_reviewed: 2020-01-01\n---\nx\n",
    );
    let run = h.build();
    run.expect(0);
    assert!(
        run.stdout.contains("1 overdue, 1 never reviewed"),
        "{}",
        run.stdout
    );
    h.check()
        .expect(1)
        .says("checked 2 documents: 1 overdue, 0 due soon, 1 never reviewed");
}
