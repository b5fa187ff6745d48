//! Front-matter: splitting a Markdown file and reading its YAML header.
//!
//! [`split`] finds the `---` block (BOM and CRLF tolerated) and says on which
//! line of the file the YAML and the body start; [`parse`] reads the YAML into
//! a typed [`FrontMatter`], applying the site's field aliases, turning unknown
//! fields into warnings with a did-you-mean hint and bad values into located
//! errors. Lines in diagnostics are lines of the `.md` file itself. No IO.

use crate::config::Visibility;
use crate::review::ReviewCycle;
use crate::yaml::{self, Spanned, Text};
use jiff::civil::Date;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// Every field trustsite knows, for did-you-mean hints and alias targets.
pub const FIELDS: &[&str] = &[
    "title",
    "id",
    "visibility",
    "audit_scope",
    "controlled_document",
    "owner",
    "version",
    "last_reviewed",
    "review_cycle",
    "next_review",
    "effective",
    "approved_by",
    "category",
    "tags",
    "summary",
    "weight",
    "frameworks",
    "revisions",
    "draft",
    "extra",
    "aliases",
    "cascade",
];

/// A `.md` file cut into front-matter and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML text, without the `---` lines (None when the file has none).
    pub yaml: Option<&'a str>,
    /// Line of the file on which the YAML starts (2 when present).
    pub yaml_line: usize,
    /// The Markdown body.
    pub body: &'a str,
    /// Line of the file on which the body starts.
    pub body_line: usize,
}

/// A front-matter block that opens but never closes: `(line, message)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unterminated;

/// Splits `text` (BOM already allowed) into front-matter and body.
pub fn split(text: &str) -> Result<Split<'_>, Unterminated> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if !is_fence(&text[..first_end], "---") {
        return Ok(Split {
            yaml: None,
            yaml_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let mut pos = first_end;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let l = &text[pos..end];
        if is_fence(l, "---") || is_fence(l, "...") {
            return Ok(Split {
                yaml: Some(&text[first_end..pos]),
                yaml_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        pos = end;
        line += 1;
    }
    Err(Unterminated)
}

/// 1-based line of a top-level `key:` in YAML text (the parser reports a
/// block value's position, not its key's).
fn key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines()
        .position(|l| {
            let l = l.trim_start_matches(['"', '\'']);
            l.starts_with(key)
                && l[key.len()..]
                    .trim_start_matches(['"', '\''])
                    .starts_with(':')
        })
        .map(|i| i + 1)
}

fn is_fence(line: &str, fence: &str) -> bool {
    line.trim_end_matches(['\n', '\r', ' ', '\t']) == fence
}

/// A revision-history entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// Version label.
    pub version: String,
    /// Date of the revision.
    pub date: Date,
    /// What changed.
    pub summary: String,
    /// Approver.
    pub approved_by: Option<String>,
}

/// Typed front-matter; every field optional here (requirements are checked by `content`).
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// Title (required by `content`).
    pub title: Option<String>,
    /// Stable id.
    pub id: Option<String>,
    /// Visibility; None means the site default.
    pub visibility: Option<Visibility>,
    /// In audit scope.
    pub audit_scope: bool,
    /// Controlled document: must carry owner, version, last_reviewed.
    pub controlled_document: bool,
    /// Accountable owner.
    pub owner: Option<String>,
    /// Version string.
    pub version: Option<String>,
    /// Date of the last completed review.
    pub last_reviewed: Option<Date>,
    /// Review cycle; None means the site default.
    pub review_cycle: Option<ReviewCycle>,
    /// Explicit due date.
    pub next_review: Option<Date>,
    /// Effective date.
    pub effective: Option<Date>,
    /// Approver of this version.
    pub approved_by: Option<String>,
    /// Category (default: top-level folder).
    pub category: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// One-sentence summary.
    pub summary: Option<String>,
    /// Listing order.
    pub weight: i64,
    /// Framework -> control ids.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Revision history.
    pub revisions: Vec<Revision>,
    /// Never published by `build`.
    pub draft: bool,
    /// Free fields for templates.
    pub extra: serde_json::Value,
    /// Old URL paths of this document (Hugo `aliases`): redirect pages.
    pub aliases: Vec<String>,
    /// Fields given to the documents under this `_index.md`'s folder (Hugo
    /// `cascade`), as written.
    pub cascade: Option<serde_json::Value>,
    /// Hugo's embargo fields (`publishDate`, `expiryDate`, `headless`,
    /// `_build`), read without aliases: withhold the page like `draft`.
    pub embargo: crate::embargo::Embargo,
    /// Line (in the .md file) of each field present, by canonical name.
    pub lines: BTreeMap<&'static str, usize>,
}

/// A located problem in front-matter: `(line, col, message, is_error)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Line in the .md file.
    pub line: usize,
    /// Column.
    pub col: usize,
    /// Message.
    pub message: String,
    /// Error (true) or warning.
    pub error: bool,
    /// Stable diagnostic code (`frontmatter/unknown-field`; see `diag`).
    pub code: &'static str,
}

/// Parses YAML front-matter that starts on `yaml_line` of its file.
/// Returns the typed front-matter (None on a fatal YAML error) and all problems.
pub fn parse(
    yaml_text: &str,
    yaml_line: usize,
    aliases: &BTreeMap<String, String>,
) -> (Option<FrontMatter>, Vec<FieldProblem>) {
    if yaml_text.trim().is_empty() {
        return (Some(FrontMatter::default()), Vec::new());
    }
    let seed = Seed { aliases };
    match yaml::from_str_seed(yaml_text, seed) {
        Ok(raw) => {
            let shift = yaml_line - 1;
            let mut problems = Vec::new();
            let fm = raw.into_front_matter(yaml_text, shift, &mut problems);
            (Some(fm), problems)
        }
        Err(e) => {
            let line = if e.line == 0 {
                yaml_line
            } else {
                e.line + yaml_line - 1
            };
            let problem = FieldProblem {
                line,
                col: e.col.max(1),
                message: format!("invalid front-matter: {}", e.message),
                error: true,
                code: "frontmatter/invalid",
            };
            (None, vec![problem])
        }
    }
}

type S<T> = Option<Spanned<T>>;

#[derive(Default)]
struct Raw {
    title: S<Text>,
    id: S<Text>,
    visibility: S<Visibility>,
    audit_scope: S<bool>,
    controlled_document: S<bool>,
    owner: S<Text>,
    version: S<Text>,
    last_reviewed: S<Text>,
    review_cycle: S<Text>,
    next_review: S<Text>,
    effective: S<Text>,
    approved_by: S<Text>,
    category: S<Text>,
    tags: S<OneOrMany>,
    summary: S<Text>,
    weight: S<i64>,
    frameworks: S<BTreeMap<Text, OneOrMany>>,
    revisions: S<Vec<Spanned<RawRevision>>>,
    draft: S<bool>,
    extra: S<serde_json::Value>,
    aliases: S<OneOrMany>,
    cascade: S<serde_json::Value>,
    /// (key, line, col) of fields nobody knows.
    unknown: Vec<(String, usize, usize)>,
    /// (alias used, canonical) pairs that collided with the canonical key.
    duplicates: Vec<(String, usize, usize)>,
    /// Line (in the YAML) of each known key read.
    key_lines: Vec<(&'static str, usize, String)>,
    /// `visibility` or `draft` given twice (directly or through an alias):
    /// (key used, canonical field, line, col). An error: no "first wins".
    conflicts: Vec<(String, &'static str, usize, usize)>,
    /// Hugo's embargo fields.
    embargo: crate::embargo::RawEmbargo,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRevision {
    version: Text,
    date: Spanned<Text>,
    #[serde(default)]
    summary: Option<Text>,
    #[serde(default)]
    approved_by: Option<Text>,
}

/// A string or a list of strings (`tags: security` or `tags: [a, b]`).
struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(Text(s)) = seq.next_element::<Text>()? {
                    out.push(s);
                }
                Ok(OneOrMany(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<OneOrMany, E> {
                Ok(OneOrMany(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

struct Seed<'a> {
    aliases: &'a BTreeMap<String, String>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Raw;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of front-matter fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut raw = Raw::default();
        while let Some(key) = map.next_key::<Spanned<Text>>()? {
            let (line, col) = yaml::position(&key);
            let name = key.value.0;
            let lower = name.to_ascii_lowercase();
            // `front_matter.ignore` (an alias to ""): a foreign field accepted
            // silently, except what decides publication (fail closed).
            let ignored = self.aliases.get(&name).is_some_and(String::is_empty);
            let decides =
                matches!(lower.as_str(), "draft" | "visibility") || crate::embargo::is_key(&lower);
            if ignored && !decides {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let canonical = match self.aliases.get(&name).filter(|to| !to.is_empty()) {
                Some(to) => to.as_str(),
                // Hugo reads keys in any case: `Draft: true` withholds too.
                None if matches!(lower.as_str(), "draft" | "visibility") => lower.as_str(),
                None if crate::embargo::is_key(&lower) => {
                    raw.embargo.read(&lower, &mut map)?;
                    continue;
                }
                None => name.as_str(),
            };
            if raw.read_field(canonical, &mut map)? {
                if let Some(field) = FIELDS.iter().find(|f| **f == canonical) {
                    raw.key_lines.push((field, line, name.clone()));
                }
            } else {
                map.next_value::<IgnoredAny>()?;
                if let Some(field) = ["visibility", "draft"]
                    .into_iter()
                    .find(|f| *f == canonical)
                {
                    raw.conflicts.push((name, field, line, col));
                } else if FIELDS.contains(&canonical) {
                    raw.duplicates.push((name, line, col));
                } else {
                    raw.unknown.push((name, line, col));
                }
            }
        }
        Ok(raw)
    }
}

/// Reads one value into `slot` unless it is already filled (returns false then).
fn fill<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
) -> Result<bool, A::Error> {
    if slot.is_some() {
        return Ok(false);
    }
    *slot = Some(map.next_value()?);
    Ok(true)
}

impl Raw {
    /// Reads the value of a known field; false for unknown or repeated ones.
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match name {
            "title" => fill(&mut self.title, map),
            "id" => fill(&mut self.id, map),
            "visibility" => fill(&mut self.visibility, map),
            "audit_scope" => fill(&mut self.audit_scope, map),
            "controlled_document" => fill(&mut self.controlled_document, map),
            "owner" => fill(&mut self.owner, map),
            "version" => fill(&mut self.version, map),
            "last_reviewed" => fill(&mut self.last_reviewed, map),
            "review_cycle" => fill(&mut self.review_cycle, map),
            "next_review" => fill(&mut self.next_review, map),
            "effective" => fill(&mut self.effective, map),
            "approved_by" => fill(&mut self.approved_by, map),
            "category" => fill(&mut self.category, map),
            "tags" => fill(&mut self.tags, map),
            "summary" => fill(&mut self.summary, map),
            "weight" => fill(&mut self.weight, map),
            "frameworks" => fill(&mut self.frameworks, map),
            "revisions" => fill(&mut self.revisions, map),
            "draft" => fill(&mut self.draft, map),
            "extra" => fill(&mut self.extra, map),
            "aliases" => fill(&mut self.aliases, map),
            "cascade" => fill(&mut self.cascade, map),
            _ => Ok(false),
        }
    }
}

/// Converts spanned raw values, shifting lines by `shift` into file lines.
struct Conv<'p> {
    shift: usize,
    problems: &'p mut Vec<FieldProblem>,
    lines: BTreeMap<&'static str, usize>,
    /// Field name as the file spells it (an alias), by canonical name.
    spelled: BTreeMap<&'static str, String>,
}

impl Conv<'_> {
    fn at<T>(&self, s: &Spanned<T>) -> (usize, usize) {
        let (l, c) = yaml::position(s);
        (l + self.shift, c)
    }

    fn error<T>(&mut self, s: &Spanned<T>, code: &'static str, message: String) {
        let (line, col) = self.at(s);
        self.problems.push(FieldProblem {
            line,
            col,
            message,
            error: true,
            code,
        });
    }

    fn take<T>(&mut self, field: &'static str, s: S<T>) -> Option<T> {
        let s = s?;
        let (line, _) = self.at(&s);
        self.lines.insert(field, line);
        Some(s.value)
    }

    fn text(&mut self, field: &'static str, s: S<Text>) -> Option<String> {
        self.take(field, s)
            .map(|t| t.0.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// The field's name as the file spells it.
    fn name(&self, field: &'static str) -> String {
        self.spelled
            .get(field)
            .cloned()
            .unwrap_or_else(|| field.to_string())
    }

    fn date(&mut self, field: &'static str, s: S<Text>) -> Option<Date> {
        let s = s?;
        self.lines.insert(field, self.at(&s).0);
        match crate::review::parse_date(&s.value.0) {
            Ok(d) => Some(d),
            Err(e) => {
                let name = self.name(field);
                self.error(&s, "frontmatter/invalid-date", format!("`{name}`: {e}"));
                None
            }
        }
    }

    /// `review_cycle`; spelled `review_in` (tech-docs), every span the gem
    /// accepts (see [`crate::review::parse_review_in`]).
    fn cycle(&mut self, s: S<Text>) -> Option<ReviewCycle> {
        let s = s?;
        self.lines.insert("review_cycle", self.at(&s).0);
        let name = self.name("review_cycle");
        let parsed = if name == "review_in" {
            crate::review::parse_review_in(&s.value.0)
        } else {
            ReviewCycle::parse(&s.value.0)
        };
        match parsed {
            Ok(c) => Some(c),
            Err(e) => {
                self.error(&s, "frontmatter/invalid-cycle", format!("`{name}`: {e}"));
                None
            }
        }
    }

    fn revisions(&mut self, s: S<Vec<Spanned<RawRevision>>>) -> Vec<Revision> {
        let Some(list) = self.take("revisions", s) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for r in list {
            let RawRevision {
                version,
                date,
                summary,
                approved_by,
            } = r.value;
            match crate::review::parse_date(&date.value.0) {
                Ok(d) => out.push(Revision {
                    version: version.0,
                    date: d,
                    summary: summary.map(|t| t.0).unwrap_or_default(),
                    approved_by: approved_by.map(|t| t.0),
                }),
                Err(e) => self.error(
                    &date,
                    "frontmatter/invalid-date",
                    format!("`revisions`: date: {e}"),
                ),
            }
        }
        out
    }
}

impl Raw {
    fn into_front_matter(
        self,
        yaml_text: &str,
        shift: usize,
        problems: &mut Vec<FieldProblem>,
    ) -> FrontMatter {
        let self_key_lines = self.key_lines.clone();
        for (key, field, line, col) in &self.conflicts {
            problems.push(FieldProblem {
                line: line + shift,
                col: *col,
                message: format!(
                    "`{field}` given twice (`{key}` here, directly or through `front_matter.aliases`): say it once"
                ),
                error: true,
                code: "frontmatter/conflicting-field",
            });
        }
        let mut embargo_problems = Vec::new();
        let embargo = self.embargo.finish(&mut embargo_problems);
        for (line, col, message, error) in embargo_problems {
            problems.push(FieldProblem {
                line: line + shift,
                col,
                message,
                error,
                code: if error {
                    "frontmatter/invalid-embargo"
                } else {
                    "frontmatter/unsupported-embargo"
                },
            });
        }
        for (key, line, col) in &self.unknown {
            let hint = crate::diag::closest(key, FIELDS)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            problems.push(FieldProblem {
                line: line + shift,
                col: *col,
                message: format!("unknown front-matter field `{key}` (ignored){hint}"),
                error: false,
                code: "frontmatter/unknown-field",
            });
        }
        for (key, line, col) in &self.duplicates {
            problems.push(FieldProblem {
                line: line + shift,
                col: *col,
                message: format!(
                    "field `{key}` given twice (directly or through an alias); the first one wins"
                ),
                error: false,
                code: "frontmatter/duplicate-field",
            });
        }
        let spelled = self_key_lines
            .iter()
            .map(|(field, _, name)| (*field, name.clone()))
            .collect();
        let mut c = Conv {
            shift,
            problems,
            lines: BTreeMap::new(),
            spelled,
        };
        let fm = FrontMatter {
            title: c.text("title", self.title),
            id: c.text("id", self.id),
            visibility: c.take("visibility", self.visibility),
            audit_scope: c.take("audit_scope", self.audit_scope).unwrap_or(false),
            controlled_document: c
                .take("controlled_document", self.controlled_document)
                .unwrap_or(false),
            owner: c.text("owner", self.owner),
            version: c.text("version", self.version),
            last_reviewed: c.date("last_reviewed", self.last_reviewed),
            review_cycle: c.cycle(self.review_cycle),
            next_review: c.date("next_review", self.next_review),
            effective: c.date("effective", self.effective),
            approved_by: c.text("approved_by", self.approved_by),
            category: c.text("category", self.category),
            tags: c.take("tags", self.tags).map(|t| t.0).unwrap_or_default(),
            summary: c.text("summary", self.summary),
            weight: c.take("weight", self.weight).unwrap_or(0),
            frameworks: c
                .take("frameworks", self.frameworks)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.0, v.0))
                .collect(),
            revisions: c.revisions(self.revisions),
            draft: c.take("draft", self.draft).unwrap_or(false),
            extra: c
                .take("extra", self.extra)
                .unwrap_or(serde_json::Value::Null),
            aliases: c
                .take("aliases", self.aliases)
                .map(|t| t.0)
                .unwrap_or_default(),
            cascade: c.take("cascade", self.cascade),
            embargo,
            lines: BTreeMap::new(),
        };
        let mut lines = c.lines;
        for (field, line, name) in &self_key_lines {
            let at = key_line(yaml_text, name).unwrap_or(*line);
            lines.insert(field, at + shift);
        }
        FrontMatter { lines, ..fm }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_doc(text: &str) -> (Option<FrontMatter>, Vec<FieldProblem>) {
        let s = split(text).unwrap();
        parse(s.yaml.unwrap(), s.yaml_line, &BTreeMap::new())
    }

    #[test]
    fn split_counts_lines_with_bom_and_crlf() {
        let s = split("\u{feff}---\r\ntitle: x\r\n---\r\nbody\r\n").unwrap();
        assert_eq!(s.yaml, Some("title: x\r\n"));
        assert_eq!(s.body, "body\r\n");
        assert_eq!(s.body_line, 4);
        assert_eq!(split("---\ntitle: x\n").unwrap_err(), Unterminated);
        assert_eq!(split("# no fm\n").unwrap().yaml, None);
        assert_eq!(split("").unwrap().yaml, None);
    }

    #[test]
    fn typed_fields_and_text_versions() {
        let (fm, p) = parse_doc(
            "---\ntitle: Access\nversion: 1.10\nlast_reviewed: 2026-01-31\ntags: a\nframeworks:\n  SOC 2: [CC6.1]\nrevisions:\n  - {version: 1.0, date: 2025-01-01, summary: first}\n---\n",
        );
        assert!(p.is_empty(), "{p:?}");
        let fm = fm.unwrap();
        assert_eq!(fm.version.as_deref(), Some("1.10"));
        assert_eq!(fm.tags, vec!["a"]);
        assert_eq!(fm.frameworks["SOC 2"], vec!["CC6.1"]);
        assert_eq!(fm.revisions[0].version, "1.0");
        assert_eq!(fm.lines["last_reviewed"], 4);
    }

    #[test]
    fn unknown_field_warns_with_suggestion_on_its_line() {
        let (_, p) = parse_doc("---\ntitle: x\nvisiblity: public\n---\n");
        assert_eq!(p.len(), 1);
        assert!(!p[0].error);
        assert_eq!((p[0].line, p[0].col), (3, 1));
        assert!(
            p[0].message.contains("did you mean `visibility`"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn bad_values_are_located_errors() {
        let (_, p) = parse_doc("---\ntitle: x\nlast_reviewed: 2026-02-30\n---\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].error);
        assert_eq!(p[0].line, 3);
        let (fm, p) = parse_doc("---\ntitle: x\nvisibility: secret\n---\n");
        assert!(fm.is_none());
        assert_eq!(p[0].line, 3, "{p:?}");
        let (fm, p) = parse_doc("---\ntitle: x\ndraft: [1\n---\n");
        assert!(fm.is_none());
        assert!(p[0].line >= 3, "{p:?}");
    }

    #[test]
    fn visibility_or_draft_given_twice_is_an_error() {
        let mut aliases = BTreeMap::new();
        aliases.insert("public_flag".to_string(), "visibility".to_string());
        aliases.insert("hidden".to_string(), "draft".to_string());
        let text = "---\ntitle: x\npublic_flag: public\nvisibility: internal\nhidden: false\nDraft: true\n---\n";
        let s = split(text).unwrap();
        let (_, p) = parse(s.yaml.unwrap(), s.yaml_line, &aliases);
        let errors: Vec<_> = p.iter().filter(|p| p.error).map(|p| p.line).collect();
        assert_eq!(errors, [4, 6], "{p:?}");
        assert!(p[0].message.contains("`visibility` given twice"), "{p:?}");
        // Any case of `draft` is read as draft (Hugo lowercases keys).
        let (fm, p) = parse_doc("---\ntitle: x\nDraft: true\nVisibility: internal\n---\n");
        assert!(p.is_empty(), "{p:?}");
        let fm = fm.unwrap();
        assert!(fm.draft);
        assert_eq!(fm.visibility, Some(Visibility::Internal));
    }

    #[test]
    fn hugo_embargo_fields_are_read_without_aliases() {
        let (fm, p) = parse_doc(
            "---\ntitle: x\npublishDate: 2030-01-01\nExpiryDate: 2031-01-01T00:00:00Z\nheadless: true\n_build:\n  render: never\n  list: always\n---\n",
        );
        assert!(p.is_empty(), "{p:?}");
        let e = fm.unwrap().embargo;
        assert!(e.headless && e.render_never);
        assert!(e.publish.is_some() && e.expiry.is_some());
        // Hugo's order: publishdate before date.
        let (fm, _) = parse_doc("---\ntitle: x\ndate: 2030-01-01\npubdate: 2020-01-01\n---\n");
        let want = crate::embargo::When::parse("2020-01-01").unwrap();
        assert_eq!(fm.unwrap().embargo.publish, Some(want));
        let (_, p) = parse_doc("---\ntitle: x\nunpublishdate: soon\n---\n");
        assert!(p[0].error && p[0].line == 3, "{p:?}");
        let (_, p) = parse_doc("---\ntitle: x\nbuild: {render: sometimes}\n---\n");
        assert!(p[0].error && p[0].line == 3, "{p:?}");
        let (fm, p) = parse_doc("---\ntitle: x\n_build: {render: false, list: never}\n---\n");
        assert!(fm.unwrap().embargo.render_never);
        assert!(!p[0].error, "{p:?}");
    }

    #[test]
    fn aliases_map_foreign_fields() {
        let mut aliases = BTreeMap::new();
        aliases.insert("last_reviewed_on".to_string(), "last_reviewed".to_string());
        aliases.insert("review_in".to_string(), "review_cycle".to_string());
        let text = "---\ntitle: x\nlast_reviewed_on: 2026-03-01\nreview_in: 6 months\n---\n";
        let s = split(text).unwrap();
        let (fm, p) = parse(s.yaml.unwrap(), s.yaml_line, &aliases);
        assert!(p.is_empty(), "{p:?}");
        let fm = fm.unwrap();
        assert!(fm.last_reviewed.is_some());
        assert!(fm.review_cycle.is_some());
        aliases.insert("note".to_string(), String::new());
        let text = "---\ntitle: x\nnote: keep\nreview_in: 1 fortnight\nlast_reviewed_on: 2026-02-30\n---\n";
        let s = split(text).unwrap();
        let (_, p) = parse(s.yaml.unwrap(), s.yaml_line, &aliases);
        assert_eq!(
            p.len(),
            1,
            "ignored field silent, fortnight accepted: {p:?}"
        );
        assert!(p[0].message.starts_with("`last_reviewed_on`:"), "{p:?}");
        let text = "---\ntitle: x\nreview_in: soon\n---\n";
        let s = split(text).unwrap();
        let (_, p) = parse(s.yaml.unwrap(), s.yaml_line, &aliases);
        assert!(p[0].message.starts_with("`review_in`:"), "{p:?}");
        assert_eq!(p[0].line, 3);
    }
}
