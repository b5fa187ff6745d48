//! The static search index (the JSON at `site.search_index_url`) and the
//! HTML-to-text step that feeds it.
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

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
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
    "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but",
    "by", "can", "could", "did", "do", "does", "each", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "if", "in", "into", "is", "it", "its", "may", "more", "must", "no", "not",
    "of", "on", "or", "other", "our", "out", "shall", "she", "should", "so", "such", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "up",
    "upon", "us", "was", "we", "were", "what", "when", "where", "which", "while", "who", "will",
    "with", "would", "you", "your",
];

/// A hash map keyed by terms, with rustc's Fx hash (fast on short keys;
/// not DoS-resistant, which is fine for a site's own documents: the output
/// never depends on hash order).
type FastMap<K, V> = HashMap<K, V, FxBuildHasher>;

/// A hash set of terms, with rustc's Fx hash.
type FastSet<K> = HashSet<K, FxBuildHasher>;

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
/// [`Indexer`] does the same work one document at a time (in parallel).
#[cfg(test)]
#[must_use]
pub fn build_index(docs: &[SearchDoc]) -> String {
    build_with_budget(docs, TEXT_POSTING_BUDGET)
}

/// [`build_index`] with an explicit body-text posting budget.
#[cfg(test)]
fn build_with_budget(docs: &[SearchDoc], budget: usize) -> String {
    let searchable = docs.iter().filter(|d| !d.restricted).count();
    let indexer = Indexer::with_budget(searchable, budget);
    let entries: Vec<DocEntry> = docs.iter().map(|d| indexer.entry(d)).collect();
    merge(&entries.iter().collect::<Vec<_>>())
}

/// Turns documents into [`DocEntry`]s: the per-document half of the index,
/// so that callers can index each page as it is rendered (in parallel) and
/// drop its text at once.
pub struct Indexer {
    tokenizer: Tokenizer,
    text_cap: usize,
}

impl Indexer {
    /// An indexer for a corpus of `searchable` non-restricted documents (the
    /// body-text budget is shared among them).
    #[must_use]
    pub fn new(searchable: usize) -> Self {
        Indexer::with_budget(searchable, TEXT_POSTING_BUDGET)
    }

    fn with_budget(searchable: usize, budget: usize) -> Self {
        Indexer {
            tokenizer: Tokenizer::new(),
            text_cap: text_terms_per_doc(searchable, budget),
        }
    }

    /// The index entry of one document.
    #[must_use]
    pub fn entry(&self, doc: &SearchDoc) -> DocEntry {
        let mut terms = String::new();
        let mut weights = Vec::new();
        doc_terms(&self.tokenizer, doc, self.text_cap, |term, fields, text| {
            terms.push_str(term);
            terms.push(TERM_END);
            weights.push((fields, text));
        });
        let (url, title, summary, restricted) = doc_row(doc);
        DocEntry {
            row: (url.to_string(), title.to_string(), summary, restricted),
            terms: terms.into_boxed_str(),
            weights: weights.into_boxed_slice(),
        }
    }
}

/// Ends each term in [`DocEntry::terms`] (never part of a term: terms are
/// runs of alphanumerics).
const TERM_END: char = '\n';

/// A document's result row: URL, title, summary, restricted.
pub(crate) type Row = (String, String, String, bool);

/// One document's part of the index: its result row and weighted terms.
/// The terms are kept in one string (each ended by [`TERM_END`]) beside
/// their weights: a corpus's entries are all held until the index is
/// merged, and one allocation per term tripled their size.
#[derive(Debug, Clone, Default)]
pub struct DocEntry {
    row: Row,
    /// Every term, each followed by [`TERM_END`].
    terms: Box<str>,
    /// (field weight, capped text count) of each term, in the same order.
    weights: Box<[(u8, u8)]>,
}

impl DocEntry {
    /// Each term with its field weight and capped text count.
    fn terms(&self) -> impl Iterator<Item = (&str, u8, u8)> {
        (self.terms.split_terminator(TERM_END))
            .zip(self.weights.iter())
            .map(|(term, &(fields, text))| (term, fields, text))
    }

    /// How many terms the entry has.
    fn term_count(&self) -> usize {
        self.weights.len()
    }

    /// Its row, terms (each ended by a newline) and weights, to keep it on
    /// disk (`site::rebuild`).
    pub(crate) fn parts(&self) -> (&Row, &str, &[(u8, u8)]) {
        (&self.row, &self.terms, &self.weights)
    }

    /// An entry from [`DocEntry::parts`]; None when terms and weights do
    /// not pair up.
    pub(crate) fn from_parts(row: Row, terms: String, weights: Vec<(u8, u8)>) -> Option<DocEntry> {
        let ended = terms.is_empty() || terms.ends_with(TERM_END);
        (ended && terms.matches(TERM_END).count() == weights.len()).then(|| DocEntry {
            row,
            terms: terms.into_boxed_str(),
            weights: weights.into_boxed_slice(),
        })
    }
}

/// Terms are merged in this many groups (by first byte), in parallel.
const MERGE_SHARDS: u8 = 8;

/// The index of `entries` (in document order) as compact JSON.
#[must_use]
pub fn merge(entries: &[&DocEntry]) -> String {
    Merged::new(entries).json(entries)
}

/// The merged index in a form that can take changed documents without
/// merging every document again (serve rebuilds after an edit): each term's
/// postings (before common terms lose their body-text ones) and its encoded
/// JSON member. [`Merged::json`] gives the bytes [`merge`] gives.
#[derive(Debug, Default)]
pub struct Merged {
    /// Number of documents merged.
    docs: usize,
    /// Every term of every document, in key (byte) order.
    terms: BTreeMap<Box<str>, Term>,
}

/// One term of a [`Merged`] index.
#[derive(Debug, Default)]
struct Term {
    /// Postings of every document with the term, by ascending document.
    postings: Vec<Posting>,
    /// Whether the term is common: found in more than half of the documents
    /// of a corpus of [`COMMON_MIN_DOCS`] or more; it keeps only its
    /// title/heading/summary postings.
    common: bool,
    /// `"term":[...]` as written under `terms` (empty when a common term is
    /// left without postings).
    member: String,
}

impl Term {
    fn new(term: &str, postings: Vec<Posting>, docs: usize) -> Self {
        let mut t = Term {
            postings,
            ..Term::default()
        };
        t.encode(term, docs);
        t
    }

    /// Recomputes whether the term is common and its JSON member.
    fn encode(&mut self, term: &str, docs: usize) {
        self.common = docs >= COMMON_MIN_DOCS && self.postings.len() * 2 > docs;
        self.member.clear();
        let kept: Vec<Posting>;
        let list = if self.common {
            kept = (self.postings.iter())
                .filter(|p| p.fields > 0)
                .map(|p| Posting { text: 0, ..*p })
                .collect();
            &kept
        } else {
            &self.postings
        };
        if list.is_empty() {
            return;
        }
        let key = serde_json::to_string(term).unwrap_or_default();
        let value = serde_json::to_string(&encode(list)).unwrap_or_default();
        self.member.reserve(key.len() + value.len() + 1);
        self.member.push_str(&key);
        self.member.push(':');
        self.member.push_str(&value);
    }
}

impl Merged {
    /// Merges `entries` (in document order), in parallel.
    #[must_use]
    pub fn new(entries: &[&DocEntry]) -> Self {
        let docs = entries.len();
        let shards: Vec<Vec<(Box<str>, Term)>> = (0..MERGE_SHARDS)
            .into_par_iter()
            .map(|shard| merge_shard(entries, shard))
            .collect();
        Merged {
            docs,
            terms: shards.into_iter().flatten().collect(),
        }
    }

    /// Replaces document `doc`'s entry `old` by `new` (same document count):
    /// only the terms of the two entries are merged again.
    pub fn replace(&mut self, doc: usize, old: &DocEntry, new: &DocEntry) {
        let doc = u32::try_from(doc).unwrap_or(u32::MAX);
        let mut touched: Vec<&str> = Vec::with_capacity(old.term_count() + new.term_count());
        for (term, _, _) in old.terms() {
            if let Some(t) = self.terms.get_mut(term)
                && let Ok(at) = t.postings.binary_search_by_key(&doc, |p| p.doc)
            {
                t.postings.remove(at);
            }
            touched.push(term);
        }
        for (term, fields, text) in new.terms() {
            let posting = Posting { doc, fields, text };
            let t = match self.terms.get_mut(term) {
                Some(t) => t,
                None => self.terms.entry(Box::from(term)).or_default(),
            };
            match t.postings.binary_search_by_key(&doc, |p| p.doc) {
                Ok(at) => t.postings[at] = posting,
                Err(at) => t.postings.insert(at, posting),
            }
            touched.push(term);
        }
        for term in touched {
            match self.terms.get_mut(term) {
                Some(t) if t.postings.is_empty() => {
                    self.terms.remove(term);
                }
                Some(t) => t.encode(term, self.docs),
                None => {}
            }
        }
    }

    /// The index as compact JSON with sorted keys; `entries` are the merged
    /// documents (their result rows), in document order.
    #[must_use]
    pub fn json(&self, entries: &[&DocEntry]) -> String {
        let common: Vec<&str> = (self.terms.iter())
            .filter(|(_, t)| t.common)
            .map(|(term, _)| &**term)
            .collect();
        let rows: Vec<(&str, &str, &str, bool)> = (entries.iter())
            .map(|e| (&*e.row.0, &*e.row.1, &*e.row.2, e.row.3))
            .collect();
        let members: usize = self.terms.values().map(|t| t.member.len() + 1).sum();
        let mut out = String::with_capacity(members + 64 * rows.len() + 1024);
        out.push_str("{\"common\":");
        out.push_str(&serde_json::to_string(&common).unwrap_or_default());
        out.push_str(",\"docs\":");
        out.push_str(&serde_json::to_string(&rows).unwrap_or_default());
        out.push_str(",\"stop\":");
        out.push_str(&serde_json::to_string(STOP_WORDS).unwrap_or_default());
        out.push_str(",\"terms\":{");
        let mut first = true;
        for t in self.terms.values().filter(|t| !t.member.is_empty()) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&t.member);
        }
        out.push_str("},\"v\":");
        out.push_str(&INDEX_VERSION.to_string());
        out.push('}');
        out
    }
}

/// The terms whose first byte falls in `shard`, each with its postings.
fn merge_shard(entries: &[&DocEntry], shard: u8) -> Vec<(Box<str>, Term)> {
    let mut postings: FastMap<&str, Vec<Posting>> = FastMap::default();
    for (index, entry) in entries.iter().enumerate() {
        let doc = u32::try_from(index).unwrap_or(u32::MAX);
        for (term, fields, text) in entry.terms() {
            if term.as_bytes().first().copied().unwrap_or(0) % MERGE_SHARDS != shard {
                continue;
            }
            let posting = Posting { doc, fields, text };
            postings.entry(term).or_default().push(posting);
        }
    }
    (postings.into_iter())
        .map(|(term, list)| (Box::from(term), Term::new(term, list, entries.len())))
        .collect()
}

/// How many body-text terms each of `searchable` documents keeps.
fn text_terms_per_doc(searchable: usize, budget: usize) -> usize {
    (budget / searchable.max(1)).max(MIN_TEXT_TERMS_PER_DOC)
}

/// Calls `sink(term, field weight, capped text count)` once for every term of
/// one document (in no particular order).
fn doc_terms(
    tokenizer: &Tokenizer,
    doc: &SearchDoc,
    text_cap: usize,
    mut sink: impl FnMut(&str, u8, u8),
) {
    let title = doc.title.to_lowercase();
    let summary = doc.summary.to_lowercase();
    let (headings, text) = if doc.restricted {
        (String::new(), String::new())
    } else {
        (
            doc.headings.join("\n").to_lowercase(),
            doc.text.to_lowercase(),
        )
    };
    let mut weights: FastMap<&str, (u8, u8)> = FastMap::default();
    for (field, weight) in [
        (&title, TITLE_WEIGHT),
        (&headings, HEADING_WEIGHT),
        (&summary, SUMMARY_WEIGHT),
    ] {
        let unique: FastSet<&str> = tokenizer.tokens(field).collect();
        for term in unique {
            weights.entry(term).or_default().0 += weight;
        }
    }
    for (term, count) in top_text_terms(tokenizer, &text, text_cap) {
        weights.entry(term).or_default().1 = capped(count);
    }
    for (term, (fields, text)) in weights {
        sink(term, fields, text);
    }
}

/// A term count capped at [`TEXT_TF_CAP`].
fn capped(count: u32) -> u8 {
    u8::try_from(count.min(TEXT_TF_CAP)).unwrap_or(u8::MAX)
}

/// The body terms of `text` with their counts, at most `cap` of them: the
/// most frequent (capped count), then the longest, then alphabetical.
fn top_text_terms<'t>(tokenizer: &Tokenizer, text: &'t str, cap: usize) -> Vec<(&'t str, u32)> {
    let mut counts: FastMap<&str, u32> =
        FastMap::with_capacity_and_hasher(text.len() / 16, FxBuildHasher);
    for term in Tokenizer::words(text) {
        *counts.entry(term).or_insert(0) += 1;
    }
    // Stop words are dropped once per distinct word, not once per occurrence.
    let mut terms: Vec<(&str, u32)> = counts
        .into_iter()
        .filter(|(term, _)| !tokenizer.stop.contains(term))
        .collect();
    if terms.len() > cap && cap > 0 {
        terms.select_nth_unstable_by(cap - 1, |&(a, x), &(b, y)| {
            let key =
                |term: &str, count: u32| (Reverse(count.min(TEXT_TF_CAP)), Reverse(term.len()));
            key(a, x).cmp(&key(b, y)).then_with(|| a.cmp(b))
        });
        terms.truncate(cap);
    }
    terms
}

/// Splits lowercased text into index terms.
struct Tokenizer {
    /// [`STOP_WORDS`] as a set (faster than searching the slice per token).
    stop: FastSet<&'static str>,
}

impl Tokenizer {
    /// A tokenizer with the English stop words.
    fn new() -> Self {
        Tokenizer {
            stop: STOP_WORDS.iter().copied().collect(),
        }
    }

    /// Index terms of already-lowercased `text`, in order, with repeats:
    /// runs of alphanumerics of 2..=32 characters that are not stop words.
    fn tokens<'a>(&self, text: &'a str) -> impl Iterator<Item = &'a str> {
        Self::words(text).filter(|t| !self.stop.contains(t))
    }

    /// [`Tokenizer::tokens`] with the stop words still in. ASCII text (the
    /// common case) takes a faster path with the same result: bytes are
    /// characters there.
    fn words(text: &str) -> impl Iterator<Item = &str> {
        let ascii = text.is_ascii();
        text.split(move |c: char| {
            if ascii {
                !c.is_ascii_alphanumeric()
            } else {
                !c.is_alphanumeric()
            }
        })
        .filter(move |t| {
            let chars = if ascii {
                t.len()
            } else {
                t.chars().take(MAX_TERM_CHARS + 1).count()
            };
            t.len() >= MIN_TERM_CHARS && (MIN_TERM_CHARS..=MAX_TERM_CHARS).contains(&chars)
        })
    }
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
    (
        doc.url.as_str(),
        doc.title.as_str(),
        summary,
        doc.restricted,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn doc(url: &str, title: &str, summary: &str, text: &str) -> SearchDoc {
        SearchDoc {
            url: url.into(),
            title: title.into(),
            summary: summary.into(),
            headings: vec!["Scope and purpose".into()],
            text: text.into(),
            restricted: false,
        }
    }

    fn parse(json: &str) -> Value {
        serde_json::from_str(json).expect("valid JSON")
    }

    /// Decodes a term's postings into `(doc, weight)` pairs.
    fn postings(index: &Value, term: &str) -> Vec<(u64, u64)> {
        let Some(flat) = index["terms"][term].as_array() else {
            return Vec::new();
        };
        let mut doc = 0;
        flat.chunks(2)
            .map(|pair| {
                doc += pair[0].as_u64().unwrap();
                (doc, pair[1].as_u64().unwrap())
            })
            .collect()
    }

    fn two_docs() -> Vec<SearchDoc> {
        vec![
            doc(
                "/a/",
                "Access Control Policy",
                "Who may access what.",
                "Access is granted by role. Access reviews.",
            ),
            doc(
                "/b/",
                "Incident Response",
                "How we respond.",
                "Report incidents to the access desk.",
            ),
        ]
    }

    /// Top-level keys and term keys in the order the raw JSON writes them.
    fn raw_key_order(json: &str) -> (Vec<&str>, Vec<&str>) {
        let top = ["common", "docs", "stop", "terms", "v"]
            .into_iter()
            .filter(|k| json.contains(&format!("\"{k}\":")))
            .collect::<Vec<_>>();
        let mut positions: Vec<(usize, &str)> = top
            .iter()
            .map(|k| (json.find(&format!("\"{k}\":")).unwrap(), *k))
            .collect();
        positions.sort();
        let start = json.find("\"terms\":{").unwrap() + "\"terms\":{".len();
        let end = json.rfind("},\"v\":").unwrap();
        let terms = json[start..end]
            .split("],")
            .filter(|p| !p.is_empty())
            .map(|p| p.split(':').next().unwrap().trim_matches('"'))
            .collect();
        (positions.into_iter().map(|(_, k)| k).collect(), terms)
    }

    #[test]
    fn index_has_the_documented_shape() {
        let json = build_index(&two_docs());
        let (keys, terms) = raw_key_order(&json);
        assert_eq!(keys, ["common", "docs", "stop", "terms", "v"]);
        let mut sorted = terms.clone();
        sorted.sort_unstable();
        assert_eq!(terms, sorted);
        let index = parse(&json);
        assert_eq!(index["v"], 1);
        let first = serde_json::json!([
            "/a/",
            "Access Control Policy",
            "Who may access what.",
            false
        ]);
        assert_eq!(index["docs"][0], first);
        assert_eq!(index["docs"][1][0], "/b/");
        assert!(
            index["stop"]
                .as_array()
                .unwrap()
                .contains(&Value::from("the"))
        );
        assert_eq!(build_index(&two_docs()), json, "deterministic");
    }

    #[test]
    fn postings_are_weighted_by_field() {
        let index = parse(&build_index(&two_docs()));
        // title 10 + summary 3 + text count 2 for doc 0; text count 1 for doc 1.
        assert_eq!(postings(&index, "access"), vec![(0, 15), (1, 1)]);
        assert_eq!(postings(&index, "scope"), vec![(0, 5), (1, 5)]);
        assert_eq!(postings(&index, "incidents"), vec![(1, 1)]);
        assert!(
            index["terms"].get("the").is_none(),
            "stop words are not indexed"
        );
        assert!(index["terms"].get("to").is_none());
    }

    #[test]
    fn terms_are_well_formed_unicode() {
        let docs = vec![doc("/x/", "Übersicht ÄRGER x 7 42", "", &"a".repeat(40))];
        let index = parse(&build_index(&docs));
        let terms: Vec<&String> = index["terms"].as_object().unwrap().keys().collect();
        assert!(terms.iter().any(|t| *t == "übersicht"));
        assert!(terms.iter().any(|t| *t == "ärger"));
        assert!(terms.iter().any(|t| *t == "42"));
        assert!(terms.iter().all(|t| (2..=32).contains(&t.chars().count())));
        assert!(terms.iter().all(|t| t.chars().all(char::is_alphanumeric)));
    }

    #[test]
    fn restricted_text_and_headings_never_appear() {
        let mut secret = doc(
            "/nda/",
            "Pentest Report",
            "Annual penetration test.",
            "zzsecretword inside",
        );
        secret.headings = vec!["zzhiddenheading".into()];
        secret.restricted = true;
        let json = build_index(&[secret]);
        assert!(!json.contains("zzsecretword"));
        assert!(!json.contains("zzhiddenheading"));
        assert!(!json.contains("inside"));
        let index = parse(&json);
        assert_eq!(index["docs"][0][3], true);
        assert_eq!(postings(&index, "pentest"), vec![(0, 10)]);
        assert_eq!(postings(&index, "penetration"), vec![(0, 3)]);
    }

    #[test]
    fn text_counts_are_capped() {
        let index = parse(&build_index(&[doc("/a/", "T", "", &"audit ".repeat(50))]));
        assert_eq!(postings(&index, "audit"), vec![(0, u64::from(TEXT_TF_CAP))]);
    }

    #[test]
    fn common_terms_lose_text_postings_on_large_corpora() {
        let docs: Vec<SearchDoc> = (0..30)
            .map(|i| {
                doc(
                    &format!("/d{i}/"),
                    if i == 3 { "Vendor Policy" } else { "General" },
                    "",
                    &format!("vendor unique{i}"),
                )
            })
            .collect();
        let index = parse(&build_index(&docs));
        assert_eq!(
            index["common"],
            serde_json::json!(["general", "purpose", "scope", "vendor"])
        );
        assert_eq!(postings(&index, "vendor"), vec![(3, 10)]);
        assert_eq!(postings(&index, "unique7"), vec![(7, 1)]);
    }

    #[test]
    fn long_summaries_are_shortened_for_display() {
        let index = parse(&build_index(&[doc("/a/", "T", &"word ".repeat(200), "")]));
        let shown = index["docs"][0][2].as_str().unwrap();
        assert!(shown.chars().count() <= MAX_SUMMARY_CHARS + 1);
        assert!(shown.ends_with('\u{2026}'));
    }

    #[test]
    fn empty_corpus_is_valid() {
        let index = parse(&build_index(&[]));
        assert_eq!(index["docs"], serde_json::json!([]));
        assert_eq!(index["terms"], serde_json::json!({}));
    }

    #[test]
    fn stop_words_are_sorted_lowercase() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(
            STOP_WORDS
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        );
    }

    /// Deterministic pseudo-random corpus: `n` documents of `words` words
    /// drawn with a Zipf-like skew from a 40,000-word vocabulary.
    fn corpus(n: usize, words: usize) -> Vec<SearchDoc> {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let vocab: Vec<String> = (0..40_000)
            .map(|_| {
                let len = 3 + next() % 8;
                (0..len)
                    .map(|_| char::from(b'a' + (next() % 26) as u8))
                    .collect()
            })
            .collect();
        let mut word = move || {
            let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
            let rank = (vocab.len() as f64).powf(u) as usize - 1;
            vocab[rank.min(vocab.len() - 1)].clone()
        };
        let mut phrase = |count: usize| (0..count).map(|_| word()).collect::<Vec<_>>().join(" ");
        (0..n)
            .map(|i| SearchDoc {
                url: format!("/policies/document-{i}/"),
                title: phrase(5),
                summary: phrase(25),
                headings: (0..8).map(|_| phrase(4)).collect(),
                text: phrase(words),
                restricted: i % 10 == 0,
            })
            .collect()
    }

    #[test]
    fn index_stays_compact() {
        // 400 documents with the per-document share of a 10,000-document corpus.
        let docs = corpus(400, 1900);
        let json = build_with_budget(&docs, TEXT_POSTING_BUDGET * 400 / 10_000);
        // 12 MB for 10,000 documents is 1,200 bytes per document.
        assert!(json.len() < 400 * 1_200, "{} bytes", json.len());
        let index = parse(&json);
        let postings: usize = index["terms"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_array().unwrap().len() / 2)
            .sum();
        assert!(postings < 400 * 150, "{postings} postings");
    }

    /// The full-size corpus; run with `cargo test --release -- --ignored`.
    #[test]
    #[ignore]
    fn ten_thousand_documents() {
        let docs = corpus(10_000, 1900);
        let start = std::time::Instant::now();
        let json = build_index(&docs);
        let elapsed = start.elapsed();
        let index = parse(&json);
        eprintln!(
            "{} bytes, {} terms, {elapsed:?}",
            json.len(),
            index["terms"].as_object().unwrap().len()
        );
        assert!(json.len() < 12_000_000, "{} bytes", json.len());
    }

    /// Replacing documents one at a time in a [`Merged`] index gives the
    /// bytes of merging the new entries from scratch, also when terms become
    /// common or stop being common, appear or disappear.
    #[test]
    fn replacing_entries_equals_merging_again() {
        let words = ["audit", "backup", "cipher", "daemon", "escrow", "firewall"];
        let make = |i: usize, variant: usize| {
            let mut text = String::new();
            for (w, word) in words.iter().enumerate() {
                // Word w is in the doc when bit w of (i + variant) is set.
                if (i + variant) >> w & 1 == 1 {
                    text.push_str(word);
                    text.push(' ');
                }
            }
            text.push_str(&format!("unique{i}v{variant}"));
            let title = if variant % 3 == 1 {
                "Audit plan"
            } else {
                "Plan"
            };
            doc(&format!("/d{i}/"), title, "Summary text.", &text)
        };
        fn refs(e: &[DocEntry]) -> Vec<&DocEntry> {
            e.iter().collect()
        }
        let indexer = Indexer::new(24);
        let mut entries: Vec<DocEntry> = (0..24).map(|i| indexer.entry(&make(i, 0))).collect();
        let mut merged = Merged::new(&refs(&entries));
        assert_eq!(merged.json(&refs(&entries)), merge(&refs(&entries)));
        let before = parse(&merge(&refs(&entries)));
        assert!(!before["common"].as_array().unwrap().is_empty(), "{before}");
        for (step, i) in [3, 3, 0, 23, 7, 12, 3, 19, 1, 2, 5, 8]
            .into_iter()
            .enumerate()
        {
            let new = indexer.entry(&make(i, step * 7 + 1));
            merged.replace(i, &entries[i], &new);
            entries[i] = new;
            assert_eq!(
                merged.json(&refs(&entries)),
                merge(&refs(&entries)),
                "after step {step} (doc {i})"
            );
        }
        let after = parse(&merge(&refs(&entries)));
        assert_ne!(before["common"], after["common"], "common terms changed");
        assert_eq!(merged.docs, 24);
    }
}
