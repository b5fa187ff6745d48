//! `pdf: true`: a PDF/A-3b per public document, checked with poppler
//! (`pdftotext`, `pdfdetach`; `.ci/run` installs poppler-utils). Built only
//! with the cargo feature `pdf` (`cargo test --features pdf --test it pdf::`);
//! without it, `pdf: true` must be a clear error.
use crate::support::*;
#[cfg(feature = "pdf")]
use std::path::Path;

/// The repository's example site with `pdf: true`, in a temp dir.
fn example_with_pdf() -> Site {
    let site = Site::example();
    let config = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    let config = config
        .lines()
        .filter(|l| !l.starts_with("pdf:"))
        .collect::<Vec<_>>()
        .join("\n");
    site.write("trust.yaml", &format!("{config}\npdf: true\n"));
    site
}

#[cfg(not(feature = "pdf"))]
#[test]
fn pdf_true_without_the_cargo_feature_is_an_error_naming_both() {
    let site = example_with_pdf();
    let out = site.build();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("trust.yaml:")
            && err.contains("`pdf: true`")
            && err.contains("cargo feature `pdf`"),
        "{err}"
    );
    assert!(!site.path("public").exists());
}

/// Runs a poppler tool; a missing tool fails the test loudly.
#[cfg(feature = "pdf")]
fn poppler(tool: &str, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("`{tool}` is needed (apt-get install poppler-utils; .ci/run does): {e}")
        });
    assert!(out.status.success(), "{tool} {args:?}: {}", stderr(&out));
    out.stdout
}

#[cfg(feature = "pdf")]
fn pdf_text(pdf: &Path) -> String {
    let bytes = poppler("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Every attachment of `pdf`: (name, bytes).
#[cfg(feature = "pdf")]
fn attachments(pdf: &Path) -> Vec<(String, Vec<u8>)> {
    let list = String::from_utf8(poppler("pdfdetach", &["-list", pdf.to_str().unwrap()])).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut found = Vec::new();
    for line in list.lines().skip(1) {
        let (n, name) = line.split_once(": ").unwrap();
        let dest = dir.path().join(format!("attachment-{n}"));
        poppler(
            "pdfdetach",
            &[
                "-save",
                n,
                "-o",
                dest.to_str().unwrap(),
                pdf.to_str().unwrap(),
            ],
        );
        found.push((name.to_string(), std::fs::read(&dest).unwrap()));
    }
    found
}

#[cfg(feature = "pdf")]
#[test]
fn every_public_document_gets_a_pdf_carrying_its_metadata_and_its_source() {
    let site = example_with_pdf();
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let public = site.path("public");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(public.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_object().unwrap();
    let mut pdfs = 0;
    for d in manifest["documents"].as_array().unwrap() {
        let url = d["url"].as_str().unwrap();
        let url = url
            .split_once("://")
            .map_or(url, |(_, rest)| &rest[rest.find('/').unwrap()..]);
        let url = url.trim_start_matches('/');
        let name = url.trim_end_matches('/').rsplit('/').next().unwrap();
        let rel = format!("{url}{name}.pdf");
        let page = std::fs::read_to_string(public.join(url).join("index.html")).unwrap();
        if d["visibility"] != "public" {
            assert!(
                !public.join(&rel).exists(),
                "{rel}: restricted documents get no PDF"
            );
            assert!(!page.contains("Download PDF"), "{url}");
            continue;
        }
        pdfs += 1;
        let pdf = public.join(&rel);
        let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(
            files[&rel].as_str(),
            Some(sha256_hex(&bytes).as_str()),
            "{rel} in manifest files"
        );
        assert!(
            page.contains(&format!("href=\"/{rel}\"")) && page.contains("Download PDF"),
            "{url}"
        );
        let text = pdf_text(&pdf);
        let sha = d["source_sha256"].as_str().unwrap();
        let title = d["title"].as_str().unwrap();
        assert!(text.contains(title), "{rel}: title `{title}` in\n{text}");
        assert!(text.contains(sha), "{rel}: hash on the cover");
        if let Some(version) = d["version"].as_str().filter(|v| !v.is_empty()) {
            assert!(text.contains(version), "{rel}: version {version}");
        }
        assert!(text.contains("Northwind Cloud GmbH"), "{rel}: organization");
        assert!(text.contains("Page 1 of"), "{rel}: page numbers");
        let attached = attachments(&pdf);
        assert_eq!(attached.len(), 1, "{rel}: {attached:?}");
        let source = std::fs::read(site.path(d["source"].as_str().unwrap())).unwrap();
        assert_eq!(
            sha256_hex(&attached[0].1),
            sha,
            "{rel}: attachment's SHA-256"
        );
        assert_eq!(attached[0].1, source, "{rel}: attachment is the source");
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200_000)]).into_owned();
        assert!(
            head.contains("pdfaid:part") && head.contains("pdfaid:conformance"),
            "{rel}: PDF/A"
        );
    }
    assert!(pdfs >= 5, "only {pdfs} PDFs");
}

#[cfg(feature = "pdf")]
#[test]
fn pdfs_are_byte_identical_across_builds_and_reused_from_the_cache() {
    let site = example_with_pdf();
    let cache = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for with_cache in [false, true, true] {
        let out_dir = tempfile::tempdir().unwrap();
        let out_path = out_dir.path().join("out");
        let mut args = vec![
            "build",
            "--today",
            "2026-11-22",
            "--output",
            out_path.to_str().unwrap(),
        ];
        if with_cache {
            args.extend(["--cache", cache.path().to_str().unwrap()]);
        }
        let out = site.run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let tree = read_tree(&out_path);
        assert!(tree.keys().any(|k| k.ends_with(".pdf")));
        trees.push(tree);
    }
    assert!(
        trees[0] == trees[1] && trees[1] == trees[2],
        "builds differ"
    );
    // Kept files are the SHA-256 of the bytes, then the bytes: PDFs, and
    // the download bundle's compressed entries (zips).
    let kept: Vec<Vec<u8>> = walkdir::WalkDir::new(cache.path().join("files"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    let kept_pdfs = kept.iter().filter(|b| b[32..].starts_with(b"%PDF")).count();
    let pdfs = trees[0].keys().filter(|k| k.ends_with(".pdf")).count();
    assert_eq!(kept_pdfs, pdfs, "one cache entry per PDF");
    assert!(
        kept.iter()
            .all(|b| b[32..].starts_with(b"%PDF") || b[32..].starts_with(b"PK")),
        "only PDFs and bundle entries are kept"
    );
}

#[cfg(feature = "pdf")]
#[test]
fn no_pdf_text_or_attachment_carries_a_withheld_document() {
    let site = Site::fixture("canary");
    let config = std::fs::read_to_string(site.path("trust.yaml")).unwrap();
    site.write("trust.yaml", &format!("{config}pdf: true\n"));
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let files = read_tree(&site.path("public"));
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let public_urls: Vec<&str> = (manifest["documents"].as_array().unwrap().iter())
        .filter(|d| d["visibility"] == "public")
        .map(|d| d["url"].as_str().unwrap())
        .collect();
    let pdfs: Vec<&String> = files.keys().filter(|k| k.ends_with(".pdf")).collect();
    assert!(pdfs.iter().any(|p| p.contains("crypto")), "{pdfs:?}");
    // Its source links to an internal document: attached as it is, the
    // source would name it, so that document gets no PDF (and no link).
    assert!(
        stderr(&out).contains("content/policies/public-policy.md:20:1: warning: no PDF: a PDF carries its source as it is, and it links to a document or file that is not published"),
        "{}",
        stderr(&out)
    );
    assert!(
        !pdfs.iter().any(|p| p.contains("public-policy")),
        "{pdfs:?}"
    );
    let page = String::from_utf8_lossy(&files["policies/public-policy/index.html"]).into_owned();
    assert!(!page.contains("Download PDF"));
    let crypto = String::from_utf8_lossy(&files["standards/crypto/index.html"]).into_owned();
    assert!(crypto.contains("Download PDF"));
    for rel in pdfs {
        let pdf = site.path("public").join(rel);
        let mut texts = vec![pdf_text(&pdf)];
        texts.extend(
            attachments(&pdf)
                .into_iter()
                .map(|(name, bytes)| format!("{name}\n{}", String::from_utf8_lossy(&bytes))),
        );
        for text in texts {
            let lower = text.to_lowercase();
            for canary in crate::build::CANARIES {
                assert!(!lower.contains(canary), "{canary} in {rel}");
            }
        }
        let folder = &rel[..rel.rfind('/').unwrap() + 1];
        assert!(
            public_urls.iter().any(|u| u.ends_with(folder)),
            "{rel}: not a public document's"
        );
    }
}

#[cfg(feature = "pdf")]
#[test]
fn typst_markup_in_a_policy_is_printed_never_run() {
    let site = example_with_pdf();
    let body = "---\ntitle: \"Injection #emph[x]\"\nvisibility: public\nversion: \"1\"\n---\n\
        Text #set page(width: 10pt) and #read(\"/etc/passwd\") and ] ) [ $x$ \\ \"quote\n\n\
        `#import \"@preview/cetz:0.3.0\"`\n\n```typst\n#panic(\"boom\")\n```\n\n\
        | a | b |\n|---|---|\n| #eval(\"1+1\") | x | extra |\n";
    site.write("content/policies/injection.md", body);
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&site.path("public/policies/injection/injection.pdf"));
    for literal in [
        "Injection #emph[x]",
        "#set page(width: 10pt)",
        "#read(\"/etc/passwd\")",
        "#import \"@preview/cetz:0.3.0\"",
        "#panic(\"boom\")",
        "#eval(\"1+1\")",
    ] {
        assert!(
            text.contains(literal),
            "`{literal}` printed as text in\n{text}"
        );
    }
    assert!(!text.contains("root:x:0"), "a file was read");
}

#[cfg(feature = "pdf")]
#[test]
fn hostile_documents_get_a_clear_error_or_a_bounded_pdf() {
    let site = example_with_pdf();
    let head = "---\ntitle: Big\nvisibility: public\n---\n";
    site.write(
        "content/policies/headings.md",
        &format!("{head}{}", "## Same heading\n\n".repeat(5_000)),
    );
    let out = site.build();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("content/policies/headings.md:5:1: error: PDF: too many headings for a PDF (1001, at most 1000)"),
        "{err}"
    );
    assert!(!site.path("public").exists(), "nothing written");
    site.write(
        "content/policies/headings.md",
        &format!("{head}```\n{}```\n", "let x = 1;\n".repeat(20_000)),
    );
    let err = stderr(&site.build());
    assert!(
        err.contains("headings.md:5:1: error: PDF: too many bytes of code"),
        "{err}"
    );
    let nested = format!(
        "{head}{}deep\n\n{}\n",
        "> - ".repeat(300),
        "| a |\n|---|\n| 1 |\n".repeat(50)
    );
    site.write("content/policies/headings.md", &nested);
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(pdf_text(&site.path("public/policies/headings/headings.pdf")).contains("deep"));
}
