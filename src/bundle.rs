//! The download bundle: one zip of the public evidence, with `SHA256SUMS`.
//!
//! Every entry sits under one top folder named like the zip, so
//! `unzip x.zip && cd x && sha256sum -c SHA256SUMS` works. Inside:
//! `content/...` (the source of every public document, at its path in the
//! site, so `sha256sum` matches the manifest's `source` and
//! `source_sha256`), `public/...` (extra public output files such as PDFs,
//! at their output path), `manifest.json`, `manifest.json.sig` when the
//! build signs, and `SHA256SUMS` over all the others. Entries are sorted,
//! deflated, dated 1980-01-01 with mode 0644, so the same input gives the
//! same bytes.
//!
//! The bundle holds the manifest, so the manifest cannot hold the bundle's
//! hash: `manifest.json` names the bundle (`bundle`) instead of listing it
//! in `files`, and `verify` checks each entry of the bundle against the
//! manifest (sources against `source_sha256`, public files against
//! `files`, manifest and signature byte for byte).

use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use zip::write::SimpleFileOptions;

/// Folder of the bundle in the output.
pub const DIR: &str = "download";
/// Name of the checksum list inside the bundle.
pub const SUMS: &str = "SHA256SUMS";
/// Largest entry `verify` reads (a zip bomb stops here).
pub const MAX_ENTRY: u64 = 1 << 32;

/// One file of the bundle: its path under the top folder and its bytes.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path under the top folder, `/`-separated.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// The bundle's output path: `download/<site slug>-<release or date>.zip`.
pub fn output_path(title: &str, release: &str, date: &str) -> String {
    let slug = match file_slug(title) {
        s if s.is_empty() => "trust-center".to_string(),
        s => s,
    };
    let label = match file_slug(release) {
        s if s.is_empty() => file_slug(date),
        s => s,
    };
    format!("{DIR}/{slug}-{label}.zip")
}

/// Lowercase ASCII letters, digits and inner dots; other runs become `-`.
fn file_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || (c == '.' && !out.is_empty() && !out.ends_with(['.', '-']))
        {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with(['.', '-']) {
            out.push('-');
        }
    }
    out.trim_end_matches(['-', '.']).to_string()
}

/// The top folder inside the zip at `path` (its file name without `.zip`).
pub fn top_folder(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".zip").unwrap_or(name)
}

/// `SHA256SUMS` text (`sha256sum -c` format) of `entries`, sorted by name.
pub fn sums(entries: &[Entry]) -> String {
    let mut lines: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                crate::digest::hex(&Sha256::digest(&e.bytes)),
            )
        })
        .collect();
    lines.sort();
    lines.iter().map(|(n, h)| format!("{h}  {n}\n")).collect()
}

/// One entry compressed on its own, so that entries compress in parallel
/// and a source's bytes need not be kept until the bundle is written: its
/// name, SHA-256 (hex) and a one-entry zip holding it deflated.
pub struct Packed {
    /// Path under the top folder.
    pub name: String,
    /// SHA-256 (hex) of the contents.
    pub sha256: String,
    zip: Vec<u8>,
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(zip::DateTime::default())
        .system(zip::System::Unix)
        .unix_permissions(0o644)
}

fn zip_error(e: impl std::fmt::Display) -> String {
    format!("cannot write the download bundle: {e}")
}

/// Keeps glibc's mmap threshold at its default 128 KiB from now on. Call
/// before compressing many entries: each needs a compressor state of a few
/// hundred KB, and once glibc has raised its threshold (it does when a
/// mapped block is freed) these states come from the heap arenas and
/// fragment them (about 150 MB more peak memory for 7,000 sources). Set
/// only here, not at start: mapping every large block costs system time.
pub fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter (glibc takes its
    // arena lock); it is called between render stages, from one thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Compresses one entry (its bytes can be dropped afterwards).
pub fn pack(top: &str, name: String, bytes: &[u8]) -> Result<Packed, String> {
    let path = format!("{top}/{name}");
    let zip = match one_entry_zip(&path, bytes) {
        Some(zip) => zip,
        None => pack_with_zip_crate(&path, bytes)?,
    };
    Ok(Packed {
        sha256: crate::digest::hex(&Sha256::digest(bytes)),
        name,
        zip,
    })
}

/// [`pack`] through the zip crate (entries too large for [`one_entry_zip`]).
fn pack_with_zip_crate(path: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(path, options()).map_err(zip_error)?;
    w.write_all(bytes).map_err(zip_error)?;
    let mut zip = w.finish().map_err(zip_error)?.into_inner();
    zip.shrink_to_fit();
    Ok(zip)
}

thread_local! {
    /// This thread's deflate encoder, reset for each entry: a new one
    /// zeroes a few hundred KB of state, which for thousands of small
    /// sources cost more than compressing them.
    static DEFLATE: std::cell::RefCell<Option<flate2::write::DeflateEncoder<Vec<u8>>>> =
        const { std::cell::RefCell::new(None) };
}

/// A zip of one entry at `path` holding `bytes` deflated, laid out byte for
/// byte as the zip crate writes it with [`options`] (local header, data,
/// central directory, end record; no extra fields), but compressed with
/// this thread's encoder, reset (the same stream as a new one: fed the
/// same way, one `write_all` then `finish`, as the zip crate feeds its
/// encoder). None when the entry would need ZIP64 (4 GiB and over) or
/// compression fails.
fn one_entry_zip(path: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    let data = DEFLATE.with(|cell| {
        let mut cell = cell.borrow_mut();
        let out = Vec::with_capacity(bytes.len() / 2 + 64);
        let enc = match cell.as_mut() {
            Some(enc) => {
                enc.reset(out).ok()?;
                enc
            }
            None => cell.insert(flate2::write::DeflateEncoder::new(
                out,
                flate2::Compression::new(6),
            )),
        };
        enc.write_all(bytes).ok()?;
        enc.try_finish().ok()?;
        enc.reset(Vec::new()).ok()
    })?;
    let name = path.as_bytes();
    let (Ok(size), Ok(csize), Ok(name_len)) = (
        u32::try_from(bytes.len()),
        u32::try_from(data.len()),
        u16::try_from(name.len()),
    ) else {
        return None;
    };
    if size == u32::MAX || csize == u32::MAX {
        return None;
    }
    let crc = crc32fast::hash(bytes);
    // Bit 11: the name is UTF-8 (set, as the zip crate does, when not ASCII).
    let flags: u16 = if path.is_ascii() { 0 } else { 1 << 11 };
    // Version 2.0 (deflate), flags, method 8, 00:00 on 1980-01-01.
    let common = |out: &mut Vec<u8>| {
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0x21u16.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&csize.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
    };
    let mut out = Vec::with_capacity(98 + 2 * name.len() + data.len());
    out.extend_from_slice(b"PK\x03\x04");
    common(&mut out);
    out.extend_from_slice(name);
    out.extend_from_slice(&data);
    let directory = u32::try_from(out.len()).ok()?;
    out.extend_from_slice(b"PK\x01\x02");
    out.extend_from_slice(&(0x0300u16 | 20).to_le_bytes()); // made by Unix, 2.0
    common(&mut out);
    out.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
    out.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes()); // regular file, 0644
    out.extend_from_slice(&0u32.to_le_bytes()); // local header at 0
    out.extend_from_slice(name);
    let directory_len = u32::try_from(out.len()).ok()? - directory;
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]); // disks, one entry
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // no comment
    Some(out)
}

impl Packed {
    /// The one-entry zip (what a build cache keeps).
    pub fn zip(&self) -> &[u8] {
        &self.zip
    }

    /// An entry from a one-entry zip made by [`pack`] for the same `top`,
    /// `name` and contents (whose SHA-256 is `sha256`), e.g. kept by a build
    /// cache under a key of exactly those.
    pub fn from_kept(name: String, sha256: String, zip: Vec<u8>) -> Packed {
        Packed { name, sha256, zip }
    }
}

/// The zip bytes of `packed` entries plus their `SHA256SUMS`, under `top`:
/// the same bytes as [`zip`] of the same entries.
pub fn zip_packed(top: &str, mut packed: Vec<Packed>) -> Result<Vec<u8>, String> {
    let mut lines: Vec<(&str, &str)> = packed
        .iter()
        .map(|p| (p.name.as_str(), p.sha256.as_str()))
        .collect();
    lines.sort();
    let sums: String = lines.iter().map(|(n, h)| format!("{h}  {n}\n")).collect();
    packed.push(pack(top, SUMS.into(), sums.as_bytes())?);
    packed.sort_by(|a, b| a.name.cmp(&b.name));
    let size = packed.iter().map(|p| p.zip.len()).sum();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(size)));
    for p in packed {
        let mut one = zip::ZipArchive::new(std::io::Cursor::new(p.zip)).map_err(zip_error)?;
        let file = one.by_index_raw(0).map_err(zip_error)?;
        w.raw_copy_file(file).map_err(zip_error)?;
    }
    Ok(w.finish().map_err(zip_error)?.into_inner())
}

/// The zip bytes of `entries` plus their `SHA256SUMS`, under `top`.
pub fn zip(top: &str, entries: Vec<Entry>) -> Result<Vec<u8>, String> {
    let packed = entries
        .into_iter()
        .map(|e| pack(top, e.name, &e.bytes))
        .collect::<Result<Vec<_>, _>>()?;
    zip_packed(top, packed)
}

/// One entry read back by `verify`: its name under the top folder, its
/// SHA-256, and its bytes when small (`SHA256SUMS`, manifest, signature).
#[derive(Debug, Clone)]
pub struct ReadEntry {
    /// Path under the top folder.
    pub name: String,
    /// SHA-256 (hex).
    pub sha256: String,
    /// Bytes, for entries of at most 64 MiB.
    pub bytes: Option<Vec<u8>>,
}

/// Reads every entry of the zip `file` (hashing as it streams, at most
/// [`MAX_ENTRY`] bytes each); entries outside `top/` are errors.
pub fn read(file: std::fs::File, top: &str) -> Result<Vec<ReadEntry>, String> {
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("not a readable zip ({e})"))?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(|e| format!("entry {i}: {e}"))?;
        let name = f.name().map_err(|e| format!("entry {i}: {e}"))?.to_string();
        let Some(inner) = name.strip_prefix(top).and_then(|n| n.strip_prefix('/')) else {
            return Err(format!("entry `{name}` is outside the folder `{top}/`"));
        };
        if !f.is_file() {
            return Err(format!("entry `{name}` is not a regular file"));
        }
        let keep = f.size() <= 64 << 20;
        let mut hasher = Sha256::new();
        let mut kept = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total: u64 = 0;
        let mut limited = (&mut f).take(MAX_ENTRY + 1);
        loop {
            let n = limited
                .read(&mut buf)
                .map_err(|e| format!("entry `{name}`: {e}"))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_ENTRY {
                return Err(format!("entry `{name}` is larger than {MAX_ENTRY} bytes"));
            }
            hasher.update(&buf[..n]);
            if keep && kept.len() < (64 << 20) {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        out.push(ReadEntry {
            name: inner.to_string(),
            sha256: crate::digest::hex(&hasher.finalize()),
            bytes: keep.then_some(kept),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_byte_identical_and_sums_cover_every_other_entry() {
        let entries = vec![
            Entry {
                name: "manifest.json".into(),
                bytes: b"{}\n".to_vec(),
            },
            Entry {
                name: "content/policies/a.md".into(),
                bytes: b"# A\n".to_vec(),
            },
        ];
        let a = zip("site-2026", entries.clone()).unwrap();
        let b = zip("site-2026", entries.into_iter().rev().collect()).unwrap();
        assert_eq!(a, b, "order of input does not matter");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.zip");
        std::fs::write(&path, &a).unwrap();
        let read = read(std::fs::File::open(&path).unwrap(), "site-2026").unwrap();
        let names: Vec<&str> = read.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["SHA256SUMS", "content/policies/a.md", "manifest.json"]
        );
        let sums = String::from_utf8(read[0].bytes.clone().unwrap()).unwrap();
        assert_eq!(sums.lines().count(), 2);
        assert!(sums.contains(&format!("{}  content/policies/a.md\n", read[1].sha256)));
        assert!(super::read(std::fs::File::open(&path).unwrap(), "other").is_err());
    }

    /// Entries compressed one by one and copied raw give the bytes of a zip
    /// written entry by entry (the bundle's bytes did not change when it
    /// became parallel).
    #[test]
    fn packed_entries_give_the_bytes_of_a_zip_written_directly() {
        let entries: Vec<Entry> = (0..20)
            .map(|i| Entry {
                name: format!("content/{i:02}.md"),
                bytes: format!("# Doc {i}\n\n{}", "text ".repeat(i * 300)).into_bytes(),
            })
            .collect();
        let mut all = entries.clone();
        all.push(Entry {
            name: SUMS.into(),
            bytes: sums(&entries).into_bytes(),
        });
        all.sort_by(|a, b| a.name.cmp(&b.name));
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for e in &all {
            w.start_file(format!("top/{}", e.name), options()).unwrap();
            w.write_all(&e.bytes).unwrap();
        }
        let direct = w.finish().unwrap().into_inner();
        assert!(zip("top", entries).unwrap() == direct);
    }

    /// The one-entry zips made with a reused compressor are the zip crate's
    /// bytes: empty, tiny, incompressible and multi-megabyte entries, in
    /// turn on one thread (each after a larger one).
    #[test]
    fn one_entry_zips_are_the_zip_crate_bytes() {
        let mut noise = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..200_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            noise.push((x >> 16) as u8);
        }
        let big = "All staff complete security training every year.\n".repeat(60_000);
        let json: String = (0..60_000)
            .map(|i: u32| {
                let h = crate::digest::hex(&Sha256::digest(i.to_le_bytes()));
                format!("{{\"path\":\"policies/doc-{i:05}/index.html\",\"sha256\":\"{h}\"}},\n")
            })
            .collect();
        let inputs: [&[u8]; 7] = [
            big.as_bytes(),
            b"",
            b"hello hello hello\n",
            &noise,
            json.as_bytes(),
            b"x",
            big.as_bytes(),
        ];
        for (bytes, path) in inputs
            .iter()
            .zip(["top/a.md", "top/content/a b/ü.md"].iter().cycle())
        {
            let ours = one_entry_zip(path, bytes).unwrap();
            let theirs = pack_with_zip_crate(path, bytes).unwrap();
            let at = ours.iter().zip(&theirs).position(|(a, b)| a != b);
            assert!(
                ours == theirs,
                "differs for {} bytes: lengths {} {}, first at {at:?}",
                bytes.len(),
                ours.len(),
                theirs.len()
            );
        }
    }

    #[test]
    fn the_bundle_is_named_after_the_site_and_release() {
        assert_eq!(
            output_path("Northwind Cloud Trust Center", "2026.11", "2026-11-22"),
            "download/northwind-cloud-trust-center-2026.11.zip"
        );
        assert_eq!(
            output_path("../..", "", "2026-11-22"),
            "download/trust-center-2026-11-22.zip"
        );
        assert_eq!(top_folder("download/x-1.zip"), "x-1");
    }
}
