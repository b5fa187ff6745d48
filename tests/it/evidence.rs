//! Evidence a customer verifies offline: the signed manifest (checked by
//! stock `ssh-keygen -Y verify` and by `trustsite verify`), the download
//! bundle, the OSCAL export, the request-access link, and `verify` on
//! hostile output folders (issues 15 and 11.8).
use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh Ed25519 key pair made by `ssh-keygen` (which CI installs).
struct Key {
    dir: tempfile::TempDir,
}

impl Key {
    fn new() -> Key {
        let dir = tempfile::tempdir().unwrap();
        let o = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "ci", "-f"])
            .arg(dir.path().join("key"))
            .output()
            .expect(
                "ssh-keygen is required for the signing tests (.ci/run installs openssh-client)",
            );
        assert!(o.status.success(), "{}", stderr(&o));
        Key { dir }
    }
    fn private(&self) -> PathBuf {
        self.dir.path().join("key")
    }
    fn public(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("key.pub")).unwrap()
    }
    /// An allowed_signers file pinning this key for `principal`.
    fn allowed(&self, principal: &str) -> PathBuf {
        let p = self.dir.path().join(format!("allowed-{principal}"));
        std::fs::write(&p, format!("{principal} {}", self.public())).unwrap();
        p
    }
}

fn build_signed(site: &Site, out: &Path, key: &Key) -> std::process::Output {
    site.run(&[
        "build",
        "--today",
        "2026-11-22",
        "--output",
        out.to_str().unwrap(),
        "--sign-key",
        key.private().to_str().unwrap(),
    ])
}

fn verify(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["verify", out.to_str().unwrap()];
    args.extend(extra);
    trustsite(&args)
}

fn ssh_keygen_verify(out: &Path, allowed: &Path, principal: &str) -> std::process::Output {
    Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(allowed)
        .args(["-I", principal, "-n", "trustsite-manifest", "-s"])
        .arg(out.join("manifest.json.sig"))
        .stdin(std::fs::File::open(out.join("manifest.json")).unwrap())
        .output()
        .unwrap()
}

fn bundle_path(out: &Path) -> PathBuf {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    out.join(
        manifest["bundle"]
            .as_str()
            .expect("manifest names the bundle"),
    )
}

/// Unpacks a zip into `to` (entries are checked to stay inside).
pub fn unzip(zip: &Path, to: &Path) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let rel = f.enclosed_name().expect("entry stays inside");
        names.push(f.name().unwrap().to_string());
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        let mut w = std::fs::File::create(dest).unwrap();
        std::io::copy(&mut f, &mut w).unwrap();
    }
    names
}

#[test]
fn signed_manifest_verifies_with_ssh_keygen_and_trustsite_and_is_byte_identical() {
    let (site, key) = (Site::fixture("canary"), Key::new());
    let scratch = tempfile::tempdir().unwrap();
    let (a, b) = (scratch.path().join("a"), scratch.path().join("b"));
    let o = build_signed(&site, &a, &key);
    assert!(o.status.success(), "{}", stderr(&o));
    let allowed = key.allowed("trust.example.org");
    let o = ssh_keygen_verify(&a, &allowed, "trust.example.org");
    assert!(o.status.success(), "ssh-keygen -Y verify: {}", stderr(&o));
    let o = verify(
        &a,
        &[
            "--allowed-signers",
            allowed.to_str().unwrap(),
            "--max-age",
            "30d",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("manifest.json is signed by SHA256:"),
        "{}",
        stdout(&o)
    );
    // The key given as text in TRUSTSITE_SIGNING_KEY (as CI secrets do).
    let o = output(
        command()
            .args(["build", "--today", "2026-11-22", "--root"])
            .arg(site.root())
            .arg("--output")
            .arg(&b)
            .env("SOURCE_DATE_EPOCH", "1795305600")
            .env(
                "TRUSTSITE_SIGNING_KEY",
                std::fs::read_to_string(key.private()).unwrap(),
            ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for file in ["manifest.json.sig", "manifest.json"] {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }
    assert_eq!(
        std::fs::read(bundle_path(&a)).unwrap(),
        std::fs::read(bundle_path(&b)).unwrap()
    );
    let key_text = std::fs::read_to_string(key.private()).unwrap();
    let body = key_text.lines().nth(1).unwrap();
    for (path, bytes) in read_tree(&a) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(body),
            "the private key reached {path}"
        );
    }
}

#[test]
fn tampered_manifest_file_wrong_key_missing_signature_and_stale_manifest_fail() {
    let (site, key, other) = (Site::fixture("canary"), Key::new(), Key::new());
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    assert!(build_signed(&site, &out, &key).status.success());
    let allowed = key.allowed("trust.example.org");
    let allowed_arg = allowed.to_str().unwrap();
    let fresh = |name: &str| {
        let copy = scratch.path().join(name);
        copy_tree(&out, &copy);
        copy
    };
    // A forged hash in the manifest: the signature no longer matches.
    let forged = fresh("forged");
    let text = std::fs::read_to_string(forged.join("manifest.json")).unwrap();
    let doc_hash = text.split("\"source_sha256\": \"").nth(1).unwrap()[..64].to_string();
    std::fs::write(
        forged.join("manifest.json"),
        text.replace(&doc_hash, &"0".repeat(64)),
    )
    .unwrap();
    let o = verify(&forged, &["--allowed-signers", allowed_arg]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("does not match manifest.json"),
        "{}",
        stdout(&o)
    );
    assert!(
        !ssh_keygen_verify(&forged, &allowed, "trust.example.org")
            .status
            .success()
    );
    // A changed page: signature good, the file is named.
    let defaced = fresh("defaced");
    std::fs::write(defaced.join("policies/public-policy/index.html"), "defaced").unwrap();
    let o = verify(&defaced, &["--allowed-signers", allowed_arg]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("changed: policies/public-policy/index.html"),
        "{}",
        stdout(&o)
    );
    // Another key, or the right key pinned for another host.
    for allowed in [
        other.allowed("trust.example.org"),
        key.allowed("other.example.org"),
    ] {
        let o = verify(&out, &["--allowed-signers", allowed.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(stdout(&o).contains("do not pin"), "{}", stdout(&o));
    }
    // A signature swapped for one by a key the site ships is not trusted.
    let unsigned = fresh("unsigned");
    std::fs::remove_file(unsigned.join("manifest.json.sig")).unwrap();
    let o = verify(&unsigned, &["--allowed-signers", allowed_arg]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("missing: manifest.json.sig"),
        "{}",
        stdout(&o)
    );
    // Rollback: built 2026-11-22 (SOURCE_DATE_EPOCH), checked 40 days later.
    let later = (1_795_305_600 + 40 * 86_400).to_string();
    let o = output(
        command()
            .args([
                "verify",
                out.to_str().unwrap(),
                "--allowed-signers",
                allowed_arg,
                "--max-age",
                "30d",
            ])
            .env("SOURCE_DATE_EPOCH", &later),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("stale:"), "{}", stdout(&o));
    // Could not run: unreadable allowed signers, bad --max-age.
    assert_eq!(
        verify(&out, &["--allowed-signers", "/nonexistent"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(verify(&out, &["--max-age", "soon"]).status.code(), Some(2));
}

#[test]
fn bundle_passes_sha256sum_and_carries_only_public_sources() {
    let (site, key) = (Site::fixture("canary"), Key::new());
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let o = build_signed(&site, &out, &key);
    assert!(o.status.success(), "{}", stderr(&o));
    // public-policy.md links to a withheld document: its source is left out
    // (it ships byte for byte), with a located warning.
    assert!(
        stderr(&o).contains("content/policies/public-policy.md:20:16: warning: left out of the download bundle: it names the withheld document `internal-doc"),
        "{}",
        stderr(&o)
    );
    let bundle = bundle_path(&out);
    assert!(
        bundle.ends_with("download/canary-trust-center-2026-11-22.zip"),
        "{}",
        bundle.display()
    );
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("href=\"/download/canary-trust-center-2026-11-22.zip\""),
        "linked from home"
    );
    let unpacked = scratch.path().join("unpacked");
    let mut names = unzip(&bundle, &unpacked);
    names.sort();
    let top = "canary-trust-center-2026-11-22";
    // Exactly: every public document's source the build did not leave out,
    // the manifest, its signature and SHA256SUMS.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let left_out: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.contains("left out of the download bundle"))
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    let mut expected: Vec<String> = manifest["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["visibility"] == "public")
        .map(|d| d["source"].as_str().unwrap().to_string())
        .filter(|s| !left_out.contains(s))
        .chain(["SHA256SUMS", "manifest.json", "manifest.json.sig"].map(String::from))
        .map(|n| format!("{top}/{n}"))
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    for n in [
        "content/public-bundle/index.md",
        "content/standards/crypto.md",
    ] {
        assert!(names.contains(&format!("{top}/{n}")), "{n} in {names:?}");
    }
    assert!(
        !names
            .iter()
            .any(|n| n.contains("restricted") || n.contains("internal-doc"))
    );
    let o = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(unpacked.join(top))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o).lines().count(),
        names.len() - 1,
        "{}",
        stdout(&o)
    );
    for file in ["manifest.json", "manifest.json.sig"] {
        assert_eq!(
            std::fs::read(unpacked.join(top).join(file)).unwrap(),
            std::fs::read(out.join(file)).unwrap()
        );
    }
    let source = std::fs::read(site.path("content/standards/crypto.md")).unwrap();
    assert_eq!(
        std::fs::read(unpacked.join(top).join("content/standards/crypto.md")).unwrap(),
        source
    );
    // The bundle is not in `files` (it holds the manifest) but verify reads
    // every entry: a bundle with a changed source fails.
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        !manifest.contains(".zip\": \""),
        "the bundle is named, not hashed"
    );
    let mut entries = Vec::new();
    for n in &expected {
        let rel = n.strip_prefix(&format!("{top}/")).unwrap();
        if rel == "SHA256SUMS" {
            continue;
        }
        let mut bytes = std::fs::read(unpacked.join(n)).unwrap();
        if rel.ends_with("crypto.md") {
            bytes.extend_from_slice(b"\nAppended.\n");
        }
        entries.push(trustsite::bundle::Entry {
            name: rel.to_string(),
            bytes,
        });
    }
    std::fs::write(&bundle, trustsite::bundle::zip(top, entries).unwrap()).unwrap();
    let o = verify(&out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("entry `content/standards/crypto.md`"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn oscal_export_validates_against_nist_schema_and_carries_hashes() {
    let site = Site::fixture("canary");
    assert!(site.build().status.success());
    let text =
        std::fs::read_to_string(site.path("public/oscal/component-definition.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema_bytes =
        std::fs::read(repo().join("tests/oscal/oscal_component_schema.json")).unwrap();
    assert_eq!(
        sha256_hex(&schema_bytes),
        "ce95b3b3ea8de87c020ad4a91075241f6f863a77afe212ee828009830d6042d1",
        "the vendored schema is the one tests/oscal/README.md records"
    );
    let schema: serde_json::Value = serde_json::from_slice(&schema_bytes).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("NIST's schema compiles");
    let broken =
        serde_json::json!({"component-definition": {"uuid": "not-a-uuid", "metadata": {}}});
    assert!(
        !validator.is_valid(&broken),
        "the schema does reject bad files"
    );
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "OSCAL schema errors: {errors:#?}");
    // The example site (three frameworks with catalogues) validates too.
    let example = built_example();
    let example: serde_json::Value = serde_json::from_slice(
        &std::fs::read(example.join("oscal/component-definition.json")).unwrap(),
    )
    .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "example site: {errors:#?}");
    assert!(
        example.to_string().contains("\"control-id\":\"CC6.1\""),
        "SOC 2 controls are implemented requirements"
    );
    let def = &doc["component-definition"];
    assert_eq!(def["metadata"]["oscal-version"], "1.2.1");
    // What the schema does not enforce: time zones and hash lengths.
    let modified = def["metadata"]["last-modified"].as_str().unwrap();
    assert!(
        modified.parse::<jiff::Timestamp>().is_ok() && modified.ends_with('Z'),
        "{modified}"
    );
    let components = def["components"].as_array().unwrap();
    let titles: Vec<&str> = components
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Public Policy") && titles.contains(&"Restricted Plan"),
        "{titles:?}"
    );
    let public = components
        .iter()
        .find(|c| c["title"] == "Public Policy")
        .unwrap();
    assert_eq!(public["type"], "policy");
    let ci = &public["control-implementations"][0];
    assert_eq!(ci["implemented-requirements"][0]["control-id"], "A.5.1");
    let source = ci["source"].as_str().unwrap().trim_start_matches('#');
    let resources = def["back-matter"]["resources"].as_array().unwrap();
    assert!(
        resources
            .iter()
            .any(|r| r["uuid"] == source && r["title"] == "ISO/IEC 27001:2022")
    );
    let sha = sha256_hex(&std::fs::read(site.path("content/policies/public-policy.md")).unwrap());
    let by_title = |t: &str| resources.iter().find(|r| r["title"] == t).unwrap();
    let hash = &by_title("Public Policy")["rlinks"][0]["hashes"][0];
    assert_eq!(hash["algorithm"], "SHA-256");
    assert_eq!(hash["value"], sha.as_str());
    for r in resources {
        for l in r["rlinks"].as_array().into_iter().flatten() {
            for h in l["hashes"].as_array().into_iter().flatten() {
                let v = h["value"].as_str().unwrap();
                assert!(
                    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{v}"
                );
            }
        }
    }
    let restricted = by_title("Restricted Plan");
    assert!(
        restricted.get("rlinks").is_none(),
        "no link to a withheld body"
    );
    assert!(restricted["props"].to_string().contains("\"version\""));
    assert!(
        !text.to_lowercase().contains("canary-restricted"),
        "restricted body never in OSCAL"
    );
    // Deterministic UUIDs: a second build gives the same file.
    let again = Site::fixture("canary");
    assert!(again.build().status.success());
    assert_eq!(
        text,
        std::fs::read_to_string(again.path("public/oscal/component-definition.json")).unwrap()
    );
}

#[test]
fn request_access_link_names_id_version_and_sha256() {
    let site = Site::fixture("canary");
    assert!(site.build().status.success());
    let page =
        std::fs::read_to_string(site.path("public/policies/restricted-doc/index.html")).unwrap();
    let sha = sha256_hex(&std::fs::read(site.path("content/policies/restricted-doc.md")).unwrap());
    let href = page
        .split("href=\"mailto:security@example.org?subject=")
        .nth(1)
        .expect("request access mailto link")
        .split('"')
        .next()
        .unwrap();
    assert!(
        href.contains("restricted-plan%2C%20version%202.0"),
        "{href}"
    );
    assert!(href.contains(&format!("SHA-256%3A%20{sha}")), "{href}");
    site.write(
        "trust.yaml",
        &std::fs::read_to_string(site.path("trust.yaml"))
            .unwrap()
            .replace(
                "mailto:security@example.org",
                "https://example.org/nda?lang=en",
            ),
    );
    assert!(site.build().status.success());
    let page =
        std::fs::read_to_string(site.path("public/policies/restricted-doc/index.html")).unwrap();
    assert!(
        page.contains(&format!(
            "href=\"https://example.org/nda?lang=en&amp;document=restricted-plan&amp;version=2.0&amp;sha256={sha}\""
        )),
        "https link carries a query"
    );
}

/// Issue 11.8: verify reads regular files only. A FIFO (which hung it), a
/// link to /dev/zero (which ate memory), a link out of the folder, a wrong
/// marker and a page whose shown hash disagrees with the manifest are each
/// reported, and verify ends.
#[test]
fn verify_reports_fifos_links_wrong_marker_and_mismatched_hashes_without_opening_them() {
    let (_d, out) = example_copy();
    let o = verify(&out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // manifest.json itself a link: reported, not followed.
    let linked = tempfile::tempdir().unwrap();
    let copy = linked.path().join("site");
    copy_tree(&out, &copy);
    std::fs::rename(copy.join("manifest.json"), linked.path().join("m.json")).unwrap();
    std::os::unix::fs::symlink(linked.path().join("m.json"), copy.join("manifest.json")).unwrap();
    let o = verify(&copy, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("not a regular file: manifest.json (a symbolic link)"),
        "{}",
        stdout(&o)
    );
    let fifo = out.join("policies/pipe.html");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    std::os::unix::fs::symlink("/dev/zero", out.join("zero.html")).unwrap();
    std::fs::remove_file(out.join("robots.txt")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", out.join("robots.txt")).unwrap();
    std::fs::write(out.join(".trustsite-output"), "anything\n").unwrap();
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let page = std::fs::read_to_string(out.join("policies/access-control/index.html")).unwrap();
    let shown = page.split("id=\"ts-sha256\">").nth(1).unwrap()[..64].to_string();
    std::fs::write(
        out.join("manifest.json"),
        manifest.replacen(&shown, &"a".repeat(64), 1),
    )
    .unwrap();
    let o = output_within(
        command().args(["verify", out.to_str().unwrap()]),
        std::time::Duration::from_secs(120),
    );
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
    for want in [
        "not a regular file: policies/pipe.html (a FIFO); never opened",
        "not a regular file: zero.html (a symbolic link); never opened",
        "not a regular file: robots.txt (a symbolic link); never opened",
        "missing: robots.txt",
        "changed: .trustsite-output",
        "mismatch: policies/access-control/index.html shows SHA-256",
    ] {
        assert!(text.contains(want), "`{want}` in:\n{text}");
    }
}

/// A passphrase-protected key, a non-Ed25519 key and a missing key file
/// are clear errors (exit 2, nothing written) that never echo the key.
#[test]
fn unusable_signing_keys_are_refused_before_anything_is_written() {
    let site = Site::fixture("canary");
    let keys = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("enc", vec!["-t", "ed25519", "-N", "secret-pass"]),
        ("rsa", vec!["-t", "rsa", "-b", "2048", "-N", ""]),
    ] {
        let o = Command::new("ssh-keygen")
            .arg("-q")
            .args(&args)
            .arg("-f")
            .arg(keys.path().join(name))
            .output()
            .expect("ssh-keygen is required (.ci/run installs openssh-client)");
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for (name, says) in [
        ("enc", "protected by a passphrase"),
        ("rsa", "Ed25519 keys only"),
        ("absent", "cannot read"),
    ] {
        let path = keys.path().join(name);
        let o = site.run(&[
            "build",
            "--today",
            "2026-11-22",
            "--sign-key",
            path.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{name}: {}", stderr(&o));
        assert!(!stderr(&o).contains("PRIVATE KEY"), "{}", stderr(&o));
        assert!(!site.path("public").exists(), "{name}: nothing written");
    }
    let o = output(
        command()
        .args(["build", "--today", "2026-11-22", "--root"])
        .arg(site.root())
        .env(
            "TRUSTSITE_SIGNING_KEY",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key\n-----END OPENSSH PRIVATE KEY-----\n",
        )
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("TRUSTSITE_SIGNING_KEY: not an OpenSSH private key")
            && !stderr(&o).contains("not-a-key"),
        "{}",
        stderr(&o)
    );
}
