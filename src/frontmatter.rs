//! Front-matter: splitting a Markdown file and reading its YAML header.
//!
//! [`split`] finds the `---` block (BOM and CRLF tolerated) and says on which
//! line of the file the YAML and the body start; [`parse`] reads the YAML into
//! a typed [`FrontMatter`], applying the site's field aliases, turning unknown
//! fields into warnings with a did-you-mean hint and bad values into located
//! errors. Lines in diagnostics are lines of the `.md` file itself. No IO.
//!
//! Every field is declared once, in [`SCHEMA`] (the `schema!` table: name,
//! type, kind, inherited, decides publication, meaning); [`FIELDS`],
//! [`FrontMatter`], the reader's dispatch, the conversion to typed values,
//! [`inherit_field`] and the README reference table ([`reference_table`])
//! all come from it.

use crate::review::ReviewCycle;
use crate::yaml::{self, Spanned, Text};
use jiff::civil::Date;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

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

/// Who may see a document (front-matter `visibility`, trust.yaml
/// `default_visibility`); serialised as `public`, `restricted`, `internal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Published in full.
    Public,
    /// Listed with metadata and hash; body withheld.
    Restricted,
    /// Never published.
    Internal,
}

impl Visibility {
    /// `public`, `restricted` or `internal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Restricted => "restricted",
            Visibility::Internal => "internal",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One front-matter field as [`SCHEMA`] declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Canonical name (what `front_matter.aliases` map to).
    pub name: &'static str,
    /// What the value is, for the reference table.
    pub kind: &'static str,
    /// Given by `cascade`, trust.yaml `defaults` (see [`inherit_field`]).
    pub inherited: bool,
    /// Decides publication: read in any case (`Draft:`), never ignored by
    /// `front_matter.ignore`, and an error when given twice.
    pub decides: bool,
    /// What it means (the README row and the field's rustdoc).
    pub doc: &'static str,
}

/// How one kind of field is read and what it becomes.
trait Kind {
    /// As the YAML gives it.
    type Raw;
    /// As [`FrontMatter`] holds it.
    type Value;
    /// For the reference table.
    const KIND: &'static str;
    /// The typed value (problems pushed to `c`).
    fn convert(c: &mut Conv, field: &'static str, raw: S<Self::Raw>) -> Self::Value;
    /// Copies `from` into `to` when it gives a value; whether it did.
    fn inherit(to: &mut Self::Value, from: &Self::Value) -> bool;
}

/// Copies an optional value that is there.
fn inherit_some<T: Clone>(to: &mut Option<T>, from: &Option<T>) -> bool {
    if from.is_some() {
        to.clone_from(from);
        true
    } else {
        false
    }
}

/// Copies a value that is always there (its presence is in `lines`).
fn inherit_all<T: Clone>(to: &mut T, from: &T) -> bool {
    to.clone_from(from);
    true
}

/// Declares a kind: `Name(raw type => value type, "table text") |conv,
/// field, raw| conversion, inheritance`.
macro_rules! kind {
    ($name:ident($raw:ty => $value:ty, $text:literal) |$c:ident, $f:ident, $r:ident| $convert:expr, $inherit:ident) => {
        #[doc = $text]
        struct $name;
        impl Kind for $name {
            type Raw = $raw;
            type Value = $value;
            const KIND: &'static str = $text;
            fn convert($c: &mut Conv, $f: &'static str, $r: S<$raw>) -> $value {
                $convert
            }
            fn inherit(to: &mut $value, from: &$value) -> bool {
                $inherit(to, from)
            }
        }
    };
}

kind!(Str(Text => Option<String>, "string") |c, f, r| c.text(f, r), inherit_some);
kind!(Vis(Visibility => Option<Visibility>, "`public`, `restricted` or `internal`")
    |c, f, r| c.take(f, r), inherit_some);
kind!(Flag(bool => bool, "bool") |c, f, r| c.take(f, r).unwrap_or(false), inherit_all);
kind!(Day(Text => Option<Date>, "date `YYYY-MM-DD`") |c, f, r| c.date(f, r), inherit_some);
kind!(Cycle(Text => Option<ReviewCycle>, "review cycle") |c, f, r| c.cycle(f, r), inherit_some);
kind!(Strings(OneOrMany => Vec<String>, "string or list of strings")
    |c, f, r| c.take(f, r).map(|t| t.0).unwrap_or_default(), inherit_all);
kind!(Int(i64 => i64, "integer") |c, f, r| c.take(f, r).unwrap_or(0), inherit_all);
kind!(Mappings(BTreeMap<Text, OneOrMany> => BTreeMap<String, Vec<String>>, "map of lists")
    |c, f, r| {
        let map = c.take(f, r).unwrap_or_default();
        map.into_iter().map(|(k, v)| (k.0, v.0)).collect()
    }, inherit_all);
kind!(Revisions(Vec<Spanned<RawRevision>> => Vec<Revision>, "list of maps")
    |c, f, r| c.revisions(f, r), inherit_all);
kind!(Map(serde_json::Value => serde_json::Value, "map")
    |c, f, r| c.take(f, r).unwrap_or(serde_json::Value::Null), inherit_all);
kind!(OptMap(serde_json::Value => Option<serde_json::Value>, "map")
    |c, f, r| c.take(f, r), inherit_some);

/// Declares the front-matter schema: every field once, in file order; the
/// field list, [`FrontMatter`], its reading and conversion, inheritance and
/// the README table all come from it.
macro_rules! schema {
    ($($name:ident: $ty:ty as $kind:ident, inherited: $inherited:literal, decides: $decides:literal, $doc:literal;)*) => {
        /// Every field, in declaration order.
        pub const SCHEMA: &[Field] = &[$(Field {
            name: stringify!($name),
            kind: <$kind as Kind>::KIND,
            inherited: $inherited,
            decides: $decides,
            doc: $doc,
        }),*];

        /// Every field trustsite knows, for did-you-mean hints and alias targets.
        pub const FIELDS: &[&str] = &[$(stringify!($name)),*];

        /// Typed front-matter; every field optional here (requirements are
        /// checked by `content`).
        #[derive(Debug, Clone, Default)]
        pub struct FrontMatter {
            $(#[doc = $doc] pub $name: $ty,)*
            /// Hugo's embargo fields (`publishDate`, `expiryDate`, `headless`,
            /// `_build`), read without aliases: withhold the page like `draft`.
            pub embargo: crate::embargo::Embargo,
            /// Line (in the .md file) of each field present, by canonical name.
            pub lines: BTreeMap<&'static str, usize>,
        }

        /// The schema's fields as read, with their positions.
        #[derive(Default)]
        struct RawFields {
            $($name: S<<$kind as Kind>::Raw>,)*
        }

        impl RawFields {
            /// Reads the value of a known field; false for unknown or repeated ones.
            fn read<'de, A: MapAccess<'de>>(&mut self, name: &str, map: &mut A) -> Result<bool, A::Error> {
                match name {
                    $(stringify!($name) => fill(&mut self.$name, map),)*
                    _ => Ok(false),
                }
            }

            /// The typed front-matter (lines still to be set), in field order.
            fn convert(self, c: &mut Conv, embargo: crate::embargo::Embargo) -> FrontMatter {
                FrontMatter {
                    $($name: <$kind as Kind>::convert(c, stringify!($name), self.$name),)*
                    embargo,
                    lines: BTreeMap::new(),
                }
            }
        }

        /// Copies field `name` from `from` into `fm` when the schema says it
        /// is inherited and `from` gives a value; whether it did.
        pub fn inherit_field(fm: &mut FrontMatter, from: &FrontMatter, name: &str) -> bool {
            match name {
                $(stringify!($name) => $inherited && <$kind as Kind>::inherit(&mut fm.$name, &from.$name),)*
                _ => false,
            }
        }
    };
}

schema! {
    title: Option<String> as Str, inherited: false, decides: false, "required";
    id: Option<String> as Str, inherited: false, decides: false, "stable document id, unique across the site (default: the slugified path, e.g. `policies/access-control`)";
    visibility: Option<Visibility> as Vis, inherited: true, decides: true, "`public`: published in full. `restricted`: listed with its metadata and SHA-256; the body is withheld and the page says how to request access. `internal`: never published, no trace in any output. Default: trust.yaml `default_visibility`. Read in any case (`Visibility:`)";
    audit_scope: bool as Flag, inherited: true, decides: false, "in audit scope; shown as a badge";
    controlled_document: bool as Flag, inherited: true, decides: false, "must carry `owner`, `version`, `last_reviewed` (a warning in `build`, an error in `check`; without review dates it is `never_reviewed`)";
    owner: Option<String> as Str, inherited: true, decides: false, "accountable team or person";
    version: Option<String> as Str, inherited: true, decides: false, "version string (`1.10` stays `1.10`)";
    last_reviewed: Option<Date> as Day, inherited: true, decides: false, "date of the last completed review";
    review_cycle: Option<ReviewCycle> as Cycle, inherited: true, decides: false, "`annual`, `semiannual`, `quarterly`, `monthly`, `weekly`, a span (`6 months`, `90 days`, `2 years`) or ISO 8601 (`P1Y`, `P6M`); default: trust.yaml `review.cycle`. Spelled `review_in` (tech-docs, through an alias), every form tech-docs-gem accepts: numbers in words (`six months`, `a year`), `fortnight`, `1 year and 6 months`, `0 days` (due on the review day itself). Errors name the field as the file spells it";
    next_review: Option<Date> as Day, inherited: true, decides: false, "explicit due date; wins over `last_reviewed` + cycle";
    effective: Option<Date> as Day, inherited: true, decides: false, "date this version took effect";
    approved_by: Option<String> as Str, inherited: true, decides: false, "approver of this version";
    category: Option<String> as Str, inherited: true, decides: false, "listing it appears in (default: from the top-level folder, `policies` -> `Policies`)";
    tags: Vec<String> as Strings, inherited: true, decides: false, "tag listings it appears in";
    summary: Option<String> as Str, inherited: true, decides: false, "one-sentence summary shown in listings";
    weight: i64 as Int, inherited: true, decides: false, "listing order: lower first, then title (default 0)";
    frameworks: BTreeMap<String, Vec<String>> as Mappings, inherited: true, decides: false, "framework -> control ids, e.g. `\"ISO/IEC 27001:2022\": [A.5.1, A.5.15]`";
    revisions: Vec<Revision> as Revisions, inherited: false, decides: false, "`{version, date, summary, approved_by?}` entries (feed the changes page and feed)";
    draft: bool as Flag, inherited: true, decides: true, "never published by `build`; `serve --drafts` shows it. Read in any case (`Draft: true`, as Hugo does)";
    extra: serde_json::Value as Map, inherited: true, decides: false, "free fields passed to templates";
    aliases: Vec<String> as Strings, inherited: false, decides: false, "old URL paths of this document (Hugo's field): each becomes a redirect page (canonical link + meta refresh) at that path; a collision with a document or another alias is an error; withheld documents get none";
    cascade: Option<serde_json::Value> as OptMap, inherited: false, decides: false, "in an `_index.md`: fields for every document under its folder (see \"Fields a document gets\")";
}

/// The README's front-matter reference table, from [`SCHEMA`].
pub fn reference_table() -> String {
    let mut out =
        String::from("| field | type | inherited | meaning |\n| --- | --- | --- | --- |\n");
    for f in SCHEMA {
        let inherited = if f.inherited { "yes" } else { "no" };
        out.push_str(&format!(
            "| `{}` | {} | {inherited} | {} |\n",
            f.name, f.kind, f.doc
        ));
    }
    out
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
    /// The schema's fields as read.
    fields: RawFields,
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
            let publication = SCHEMA
                .iter()
                .find(|f| f.decides && f.name == lower)
                .map(|f| f.name);
            let decides = publication.is_some() || crate::embargo::is_key(&lower);
            if ignored && !decides {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let canonical = match self.aliases.get(&name).filter(|to| !to.is_empty()) {
                Some(to) => to.as_str(),
                None => match publication {
                    // Hugo reads keys in any case: `Draft: true` withholds too.
                    Some(field) => field,
                    None if crate::embargo::is_key(&lower) => {
                        raw.embargo.read(&lower, &mut map)?;
                        continue;
                    }
                    None => name.as_str(),
                },
            };
            let field = SCHEMA.iter().find(|f| f.name == canonical);
            if raw.fields.read(canonical, &mut map)? {
                if let Some(f) = field {
                    raw.key_lines.push((f.name, line, name.clone()));
                }
            } else {
                map.next_value::<IgnoredAny>()?;
                match field {
                    Some(f) if f.decides => raw.conflicts.push((name, f.name, line, col)),
                    Some(_) => raw.duplicates.push((name, line, col)),
                    None => raw.unknown.push((name, line, col)),
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
    fn cycle(&mut self, field: &'static str, s: S<Text>) -> Option<ReviewCycle> {
        let s = s?;
        self.lines.insert(field, self.at(&s).0);
        let name = self.name(field);
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

    fn revisions(&mut self, field: &'static str, s: S<Vec<Spanned<RawRevision>>>) -> Vec<Revision> {
        let Some(list) = self.take(field, s) else {
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
                    format!("`{field}`: date: {e}"),
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
        let fm = self.fields.convert(&mut c, embargo);
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

    /// Where the reference table sits in the README.
    const README_START: &str = "<!-- fields:start (generated from frontmatter::SCHEMA) -->\n";
    const README_END: &str = "<!-- fields:end -->";

    /// The README table is `reference_table()`; `TRUSTSITE_UPDATE_README=1
    /// cargo test --lib readme_lists_every_field` rewrites it.
    #[test]
    fn readme_lists_every_field() {
        let want = reference_table();
        crate::diag::readme_section(README_START, README_END, &want, "readme_lists_every_field");
    }

    #[test]
    fn schema_names_are_unique_and_docs_fit_a_table() {
        let mut names: Vec<&str> = SCHEMA.iter().map(|f| f.name).collect();
        assert_eq!(names, FIELDS);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SCHEMA.len());
        for f in SCHEMA {
            assert!(
                !f.doc.is_empty() && !f.doc.contains('|') && !f.doc.contains('\n'),
                "{}",
                f.name
            );
        }
        let decides: Vec<&str> = SCHEMA
            .iter()
            .filter(|f| f.decides)
            .map(|f| f.name)
            .collect();
        assert_eq!(decides, ["visibility", "draft"]);
    }

    #[test]
    fn every_field_is_read_and_only_inherited_ones_are_copied() {
        let yaml = "title: T\nid: x\nvisibility: public\naudit_scope: true\ncontrolled_document: true\nowner: o\nversion: 1\nlast_reviewed: 2026-01-01\nreview_cycle: annual\nnext_review: 2026-06-01\neffective: 2026-01-02\napproved_by: a\ncategory: C\ntags: [t]\nsummary: s\nweight: 3\nframeworks: {F: [c]}\nrevisions: [{version: 1, date: 2026-01-01}]\ndraft: true\nextra: {k: v}\naliases: [/old/]\ncascade: {owner: x}\n";
        let (fm, p) = parse(yaml, 2, &BTreeMap::new());
        assert!(p.is_empty(), "{p:?}");
        let from = fm.unwrap();
        let mut lines: Vec<&str> = from.lines.keys().copied().collect();
        lines.sort_by_key(|l| FIELDS.iter().position(|f| f == l));
        assert_eq!(lines, FIELDS, "every field read, with its line");
        let mut to = FrontMatter::default();
        for f in SCHEMA {
            assert_eq!(
                inherit_field(&mut to, &from, f.name),
                f.inherited,
                "{}",
                f.name
            );
        }
        assert_eq!(to.title, None);
        assert_eq!(to.owner.as_deref(), Some("o"));
        assert_eq!(to.weight, 3);
        assert!(to.draft && to.revisions.is_empty() && to.aliases.is_empty());
        assert!(!inherit_field(&mut to, &from, "nonsense"));
    }

    #[test]
    fn compat_presets_map_onto_schema_fields() {
        for name in ["hugo", "tech-docs", "comply"] {
            let preset = crate::compat::Compat::parse(name).unwrap().preset();
            for (from, to) in preset.aliases {
                assert!(FIELDS.contains(to), "{name}: {from} -> {to}");
            }
            for field in preset.ignore {
                assert!(!FIELDS.contains(field), "{name} ignores the field {field}");
            }
        }
    }
}
