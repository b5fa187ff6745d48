//! The static search index (`search-index.json`) and the HTML-to-text step
//! that feeds it.
//!
//! Owns the index format read by `themes/default/static/search.js`: the
//! tokenizer (lowercase, split on non-alphanumerics, 2..=32 characters,
//! English stop words dropped), field weights, the size limits that keep a
//! 10,000-document corpus compact, and the rule that a restricted document
//! contributes only its title and summary. It does not decide which documents
//! are searchable (callers pass only published ones), render pages or write
//! files.
//!
//! Index shape (keys sorted, no whitespace):
//! `{"common":[term…],"docs":[[url,title,summary,restricted]…],"stop":[word…],
//! "terms":{"term":[doc,weight,docDelta,weight,…]},"v":1}`. Postings are flat
//! `(doc, weight)` pairs in ascending document order; the first document is an
//! index into `docs`, each later one the difference from the previous one.
//! `weight` sums 10 (title), 5 (headings), 3 (summary) and the term's count in
//! the text capped at 5. `common` lists terms whose text-only postings were
//! dropped because they occur in more than half of a large corpus; `stop` is
//! the stop-word list. Clients treat query words in either list as optional.

use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Format version written as `v`.
const INDEX_VERSION: u32 = 1;
/// Weight of a term in the title.
const TITLE_WEIGHT: u8 = 10;
/// Weight of a term in any heading.
const HEADING_WEIGHT: u8 = 5;
/// Weight of a term in the summary.
const SUMMARY_WEIGHT: u8 = 3;
/// Cap on a term's count in the body text.
const TEXT_TF_CAP: u32 = 5;
/// Shortest indexed term, in characters.
const MIN_TERM_CHARS: usize = 2;
/// Longest indexed term, in characters.
const MAX_TERM_CHARS: usize = 32;
/// Total body-text postings aimed for across the corpus; divided among the
/// documents it bounds the index size (small sites index every body term).
const TEXT_POSTING_BUDGET: usize = 600_000;
/// Body-text terms every document keeps, however large the corpus.
const MIN_TEXT_TERMS_PER_DOC: usize = 48;
/// Corpus size from which terms in more than half the documents lose their
/// body-text postings.
const COMMON_MIN_DOCS: usize = 20;
/// Longest summary kept in `docs`, in characters.
const MAX_SUMMARY_CHARS: usize = 300;

/// English stop words, sorted (never indexed; the client drops them too).
const STOP_WORDS: &[&str] = &[
    "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "did", "do", "does", "each", "for", "from", "had", "has",
    "have", "he", "her", "his", "how", "if", "in", "into", "is", "it", "its", "may", "more",
    "must", "no", "not", "of", "on", "or", "other", "our", "out", "shall", "she", "should",
    "so", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "to", "up", "upon", "us", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "will", "with", "would", "you", "your",
];

/// One searchable document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchDoc {
    /// Site URL of the document page.
    pub url: String,
    /// Title (weight 10).
    pub title: String,
    /// One-sentence summary (weight 3), also shown in results.
    pub summary: String,
    /// Heading texts (weight 5); ignored for restricted documents.
    pub headings: Vec<String>,
    /// Plain body text (term count, capped); ignored for restricted documents.
    pub text: String,
    /// Restricted document: only title and summary are indexed.
    pub restricted: bool,
}

/// The serialized index; field order is the (sorted) key order.
#[derive(Serialize)]
struct Index<'a> {
    /// Terms whose body-text postings were dropped as too common.
    common: Vec<&'a str>,
    /// `[url, title, summary, restricted]` per document, in input order.
    docs: Vec<(&'a str, &'a str, String, bool)>,
    /// Stop words.
    stop: &'static [&'static str],
    /// Term -> flat delta-encoded `(doc, weight)` pairs.
    terms: BTreeMap<&'a str, Vec<u32>>,
    /// Format version.
    v: u32,
}

/// One document's entry for a term.
#[derive(Debug, Clone, Copy)]
struct Posting {
    /// Index into `docs`.
    doc: u32,
    /// Title + heading + summary weight.
    fields: u8,
    /// Capped body-text count.
    text: u8,
}

/// Builds the static search index as compact JSON with sorted keys (see the
/// module documentation for its shape).
///
/// Terms are lowercased runs of Unicode alphanumerics, 2..=32 characters,
/// minus English stop words. Restricted documents contribute only title and
/// summary: their headings and text are never read. On large corpora each
/// document keeps its most frequent body terms (up to a share of a fixed
/// budget, at least 48), and terms in more than half of 20+ documents keep
/// only their title/heading/summary postings. Runs in time linear in the
/// input (plus sorting the vocabulary); the output is deterministic.
pub fn build_index(docs: &[SearchDoc]) -> String {
    let text_cap = text_terms_per_doc(docs);
    let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
    for (index, doc) in docs.iter().enumerate() {
        let doc_index = u32::try_from(index).unwrap_or(u32::MAX);
        for (term, fields, text) in doc_terms(doc, text_cap) {
            let posting = Posting { doc: doc_index, fields, text };
            match postings.get_mut(term) {
                Some(list) => list.push(posting),
                None => {
                    postings.insert(term.to_string(), vec![posting]);
                }
            }
        }
    }
    let common = drop_common_text(&mut postings, docs.len());
    let index = Index {
        common: common.iter().map(String::as_str).collect(),
        docs: docs.iter().map(doc_row).collect(),
        stop: STOP_WORDS,
        terms: postings.iter().map(|(term, list)| (term.as_str(), encode(list))).collect(),
        v: INDEX_VERSION,
    };
    serde_json::to_string(&index).unwrap_or_default()
}

/// How many body-text terms each document keeps.
fn text_terms_per_doc(docs: &[SearchDoc]) -> usize {
    let searchable = docs.iter().filter(|d| !d.restricted).count().max(1);
    (TEXT_POSTING_BUDGET / searchable).max(MIN_TEXT_TERMS_PER_DOC)
}

/// `(term, field weight, capped text count)` for every term of one document.
fn doc_terms(doc: &SearchDoc, text_cap: usize) -> Vec<(&str, u8, u8)> {
    // Lowercased copies live in this frame; terms are re-borrowed from the
    // interned keys by the caller, so collect owned keys here.
    let title = doc.title.to_lowercase();
    let summary = doc.summary.to_lowercase();
    let (headings, text) = if doc.restricted {
        (String::new(), String::new())
    } else {
        (doc.headings.join("\n").to_lowercase(), doc.text.to_lowercase())
    };
    let mut weights: HashMap<&str, (u8, u8)> = HashMap::new();
    for (field, weight) in [(&title, TITLE_WEIGHT), (&headings, HEADING_WEIGHT), (&summary, SUMMARY_WEIGHT)] {
        let unique: HashSet<&str> = tokens(field).collect();
        for term in unique {
            weights.entry(term).or_default().0 += weight;
        }
    }
    for (term, count) in top_text_terms(&text, text_cap) {
        weights.entry(term).or_default().1 = capped(count);
    }
    let mut out: Vec<(&str, u8, u8)> = weights.into_iter().map(|(t, (f, x))| (t, f, x)).collect();
    out.sort_unstable();
    out.into_iter().map(|(t, f, x)| (leak_free(doc, t), f, x)).collect()
}

/// A term count capped at [`TEXT_TF_CAP`].
fn capped(count: u32) -> u8 {
    u8::try_from(count.min(TEXT_TF_CAP)).unwrap_or(u8::MAX)
}

/// The body terms of `text` with their counts, at most `cap` of them: the
/// most frequent (capped count), then the longest, then alphabetical.
fn top_text_terms(text: &str, cap: usize) -> Vec<(&str, u32)> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for term in tokens(text) {
        *counts.entry(term).or_insert(0) += 1;
    }
    let mut terms: Vec<(&str, u32)> = counts.into_iter().collect();
    if terms.len() > cap && cap > 0 {
        let key = |&(term, count): &(&str, u32)| (Reverse(count.min(TEXT_TF_CAP)), Reverse(term.len()), term);
        terms.select_nth_unstable_by(cap - 1, |a, b| key(a).cmp(&key(b)));
        terms.truncate(cap);
    }
    terms
}

/// Index terms of already-lowercased `text`, in order, with repeats.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| {
        t.len() >= MIN_TERM_CHARS
            && (MIN_TERM_CHARS..=MAX_TERM_CHARS).contains(&t.chars().take(MAX_TERM_CHARS + 1).count())
            && STOP_WORDS.binary_search(t).is_err()
    })
}

/// Drops body-text-only postings of terms found in more than half of the
/// documents (corpora of [`COMMON_MIN_DOCS`] or more); returns those terms,
/// sorted. Terms left without postings disappear from the index.
fn drop_common_text(postings: &mut HashMap<String, Vec<Posting>>, doc_count: usize) -> Vec<String> {
    if doc_count < COMMON_MIN_DOCS {
        return Vec::new();
    }
    let mut common: Vec<String> = postings
        .iter()
        .filter(|(_, list)| list.len() * 2 > doc_count)
        .map(|(term, _)| term.clone())
        .collect();
    common.sort_unstable();
    for term in &common {
        if let Some(list) = postings.get_mut(term) {
            list.retain(|p| p.fields > 0);
            list.iter_mut().for_each(|p| p.text = 0);
            if list.is_empty() {
                postings.remove(term);
            }
        }
    }
    common
}

/// Flat `[doc, weight, docDelta, weight, …]` for one term.
fn encode(list: &[Posting]) -> Vec<u32> {
    let mut out = Vec::with_capacity(list.len() * 2);
    let mut previous = 0;
    for posting in list {
        out.push(posting.doc - previous);
        out.push(u32::from(posting.fields) + u32::from(posting.text));
        previous = posting.doc;
    }
    out
}

/// The `docs` row shown in results.
fn doc_row(doc: &SearchDoc) -> (&str, &str, String, bool) {
    let summary = match doc.summary.char_indices().nth(MAX_SUMMARY_CHARS) {
        Some((cut, _)) => format!("{}\u{2026}", doc.summary[..cut].trim_end()),
        None => doc.summary.clone(),
    };
    (doc.url.as_str(), doc.title.as_str(), summary, doc.restricted)
}
