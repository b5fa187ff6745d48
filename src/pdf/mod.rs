//! A PDF of one public document, rendered in-process with typst.
//!
//! [`prepare`] turns a document into a [`Job`]: the body's Markdown events
//! (through [`crate::markdown::events`], so the links, images and raw HTML
//! follow the HTML page's rules) emitted as typst markup by [`emit`], with
//! every string kept as data; the cover's metadata; the source bytes to
//! attach. [`Job::key`] names the PDF for caches; [`render`] (cargo feature
//! `pdf`) compiles our template plus that markup in a world of its own
//! ([`world`]) to PDF/A-3b bytes, the source attached, dated from the
//! document, with a fixed identifier: the same job always gives the same
//! bytes. Which documents get a PDF and where it goes is `site`'s business.

pub mod emit;
#[cfg(feature = "pdf")]
mod world;

use crate::markdown::{self, LinkPolicy, Note};
use serde::Serialize;
use sha2::{Digest, Sha256};
use syntect::parsing::SyntaxSet;

/// Whether this binary can render PDFs (cargo feature `pdf`).
pub const AVAILABLE: bool = cfg!(feature = "pdf");

/// Our template: the prelude of every PDF's source.
pub const TEMPLATE: &str = include_str!("template.typ");

/// What a PDF's bytes depend on besides its job: part of every cache key.
/// Change the last field whenever the emitter's output changes.
pub const VERSION: &str = concat!(
    "trustsite ",
    env!("CARGO_PKG_VERSION"),
    "; typst 0.14 PDF/A-3b; format 1"
);

/// The cover block's values and the PDF's metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// Title.
    pub title: String,
    /// Document id.
    pub id: String,
    /// Version (may be empty).
    pub version: String,
    /// One-line summary (may be empty).
    pub summary: String,
    /// Organization named on every page.
    pub organization: String,
    /// SHA-256 of the source file (hex).
    pub sha256: String,
    /// The document page's absolute URL.
    pub permalink: String,
    /// manifest.json's absolute URL.
    pub manifest: String,
    /// File name of the attached source.
    pub attachment: String,
    /// Cover rows (label, value): owner, dates... (empty values left out).
    pub rows: Vec<(String, String)>,
    /// The PDF's date: effective, else last reviewed, else the build's today.
    #[serde(skip)]
    pub date: jiff::civil::Date,
}

/// Everything one PDF is made of.
pub struct Job {
    /// Cover and metadata.
    pub meta: Meta,
    /// The body as typst markup and its strings.
    pub body: emit::Emitted,
    /// The source file's bytes, attached as they are.
    pub source: Vec<u8>,
}

/// Why a document got no PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Beyond [`emit::Limits`].
    #[error("{0}: split the document, or turn `pdf` off")]
    TooLarge(#[from] emit::TooLarge),
    /// typst refused the document (a bug in trustsite's template or emitter).
    #[cfg(feature = "pdf")]
    #[error("typst: {0}")]
    Typst(String),
    /// This binary was built without the cargo feature `pdf`.
    #[cfg(not(feature = "pdf"))]
    #[error("this trustsite was built without the cargo feature `pdf`")]
    Unavailable,
}

/// The job for a document's PDF and the warnings its body gave (the same
/// as its page's; the caller reports them once).
pub fn prepare(
    meta: Meta,
    (body, first_line): (&str, usize),
    links: &dyn LinkPolicy,
    opts: &markdown::RenderOptions,
    syntaxes: &SyntaxSet,
    source: Vec<u8>,
) -> Result<(Job, Vec<Note>), PdfError> {
    let (rendered, events) = markdown::events(body, first_line, links, opts);
    let urls = emit::Urls {
        permalink: &meta.permalink,
    };
    let body = emit::emit(&events, &urls, syntaxes, &emit::Limits::default())?;
    Ok((Job { meta, body, source }, rendered.notes))
}

impl Job {
    /// SHA-256 over everything the PDF's bytes depend on.
    pub fn key(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for part in [
            VERSION.as_bytes(),
            TEMPLATE.as_bytes(),
            self.body.markup.as_bytes(),
        ] {
            field(&mut h, part);
        }
        for s in &self.body.strings {
            field(&mut h, s.as_bytes());
        }
        field(&mut h, &serde_json::to_vec(&self.meta).unwrap_or_default());
        field(&mut h, self.meta.date.to_string().as_bytes());
        field(&mut h, &self.source);
        h.finalize().into()
    }

    /// The typst source: template, then the body.
    #[cfg(feature = "pdf")]
    pub fn source_text(&self) -> String {
        let mut s = String::with_capacity(TEMPLATE.len() + self.body.markup.len() + 1);
        s.push_str(TEMPLATE);
        s.push('\n');
        s.push_str(&self.body.markup);
        s
    }
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// A file name fit for the attachment: `[A-Za-z0-9._-]`, never hidden.
pub fn attachment_name(source: &str) -> String {
    let base = source.rsplit('/').next().unwrap_or(source);
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.');
    if clean.is_empty() {
        "source.md".to_string()
    } else {
        clean.to_string()
    }
}

/// Renders `job` to PDF/A-3b bytes.
#[cfg(feature = "pdf")]
pub fn render(job: &Job) -> Result<Vec<u8>, PdfError> {
    // typst recurses as deep as the markup nests (bounded by the emitter)
    // and parallelises with rayon itself: it runs in a rayon pool of its own
    // whose threads have a large stack. (A plain thread would deadlock:
    // typst's rayon jobs would wait for the global pool's busy workers.)
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("trustsite-pdf-{i}"))
            .stack_size(64 << 20)
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(|| compile(job)),
        None => compile(job),
    }
}

/// Without the feature there is nothing to render with.
#[cfg(not(feature = "pdf"))]
pub fn render(_job: &Job) -> Result<Vec<u8>, PdfError> {
    Err(PdfError::Unavailable)
}

#[cfg(feature = "pdf")]
fn compile(job: &Job) -> Result<Vec<u8>, PdfError> {
    use typst::foundations::{Array, Bytes, Datetime, Dict, IntoValue, Smart, Str, Value};
    let strings: Array = job
        .body
        .strings
        .iter()
        .map(|s| Value::Str(Str::from(s.as_str())))
        .collect();
    let meta = serde_json::to_value(&job.meta).unwrap_or_default();
    let mut inputs = Dict::new();
    inputs.insert("s".into(), strings.into_value());
    inputs.insert("m".into(), json_value(&meta));
    inputs.insert("source".into(), Bytes::new(job.source.clone()).into_value());
    let world = world::DocWorld::new(job.source_text(), inputs);
    let document = typst::compile::<typst::layout::PagedDocument>(&world)
        .output
        .map_err(|errors| PdfError::Typst(messages(&errors)))?;
    let d = job.meta.date;
    let date = Datetime::from_ymd(i32::from(d.year()), d.month() as u8, d.day() as u8)
        .ok_or_else(|| PdfError::Typst(format!("date {d} out of range")))?;
    let ident = format!("trustsite:{}:{}", job.meta.id, job.meta.sha256);
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(&ident),
        timestamp: Some(typst_pdf::Timestamp::new_utc(date)),
        standards: typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_3b])
            .map_err(|e| PdfError::Typst(e.to_string()))?,
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Typst(messages(&errors)))
}

/// JSON (strings, arrays, objects only reach here) as a typst value.
#[cfg(feature = "pdf")]
fn json_value(v: &serde_json::Value) -> typst::foundations::Value {
    use typst::foundations::{Array, Dict, IntoValue, Str, Value};
    match v {
        serde_json::Value::String(s) => Value::Str(Str::from(s.as_str())),
        serde_json::Value::Array(a) => a.iter().map(json_value).collect::<Array>().into_value(),
        serde_json::Value::Object(o) => {
            let mut d = Dict::new();
            for (k, v) in o {
                d.insert(k.as_str().into(), json_value(v));
            }
            d.into_value()
        }
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Int(n.as_i64().unwrap_or(0)),
        serde_json::Value::Null => Value::None,
    }
}

#[cfg(feature = "pdf")]
fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    let all: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
    all.join("; ")
}
