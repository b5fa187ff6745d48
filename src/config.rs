//! `trust.yaml`: the site configuration, read and validated once.
//!
//! [`load`] turns the file into a [`SiteConfig`] with every default applied
//! and every value checked (dates, spans, URIs, time zone), reporting all
//! problems as [`Diagnostic`]s located in `trust.yaml`. It knows nothing of
//! documents or output.

use crate::diag::Diagnostic;
use crate::review::ReviewCycle;
use crate::yaml::{self, Spanned, Text};
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// File name of the configuration inside the site root.
pub const CONFIG_FILE: &str = "trust.yaml";

pub use crate::frontmatter::Visibility;

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// Site title.
    pub title: String,
    /// Absolute base URL ending in `/`.
    pub base_url: String,
    /// Organization name (defaults to the title).
    pub organization: String,
    /// Site description.
    pub description: String,
    /// Theme folder name under `themes/` (None: the built-in theme only).
    pub theme: Option<String>,
    /// IANA time zone for "today".
    pub timezone: String,
    /// Release label.
    pub release: String,
    /// Visibility of a document that does not say.
    pub default_visibility: Visibility,
    /// Review defaults.
    pub review: ReviewConfig,
    /// `mailto:`/`https:` URIs.
    pub security_contact: Vec<String>,
    /// security.txt settings.
    pub security_txt: SecurityTxtConfig,
    /// Certifications shown on the home page.
    pub certifications: Vec<Certification>,
    /// Subprocessors page rows.
    pub subprocessors: Vec<Subprocessor>,
    /// Frameworks with optional control catalogues (control id -> title).
    pub frameworks: BTreeMap<String, Framework>,
    /// Foreign front-matter field name -> trustsite field name; an empty
    /// target means "accept silently" (`front_matter.ignore`).
    pub aliases: BTreeMap<String, String>,
    /// `compat:` (the tool the corpus comes from), if any.
    pub compat: Option<crate::compat::Compat>,
    /// `markdown.heading_ids`.
    pub heading_ids: crate::anchors::HeadingIds,
    /// `defaults:` per folder (content-relative, ending in `/`), longest first.
    pub defaults: Vec<(String, crate::frontmatter::FrontMatter)>,
    /// CODEOWNERS rules when `owners_from` (or the preset) asks for them.
    pub codeowners: Vec<crate::inherit::OwnerRule>,
    /// `default_owner_slack`: the channel `api/pages.json` names for pages
    /// without an owner channel (tech-docs' setting of the same name).
    pub default_owner_slack: Option<String>,
    /// Active files under content/ (`.html`, `.js`, SVGs that are not
    /// inert) allowed one by one, as site-relative paths
    /// (`content/google1234.html`).
    pub allow_active: Vec<String>,
    /// `publish.files`: globs (content-relative) of files published even
    /// when no published page needs them.
    pub publish_files: Vec<String>,
    /// `links.external_base`: where root-relative links that are not part of
    /// this site point (absolute, ending in `/`).
    pub external_base: Option<String>,
    /// A PDF of every public document (needs the cargo feature `pdf`).
    pub pdf: bool,
    /// SHA-256 of everything this config was made from (trust.yaml's text,
    /// control catalogues, CODEOWNERS rules): what caches key the config by
    /// ([`crate::site::rebuild`]); equal fingerprints, equal configs.
    pub fingerprint: crate::digest::Key,
}

impl SiteConfig {
    /// How Markdown bodies are read on this site.
    pub fn render_options<'a>(
        &'a self,
        title: Option<&'a str>,
    ) -> crate::markdown::RenderOptions<'a> {
        crate::markdown::RenderOptions {
            heading_ids: self.heading_ids,
            title,
            organization: Some(&self.organization),
        }
    }
}

/// `review:` settings.
#[derive(Debug, Clone)]
pub struct ReviewConfig {
    /// Default review cycle.
    pub cycle: ReviewCycle,
    /// Days before due that count as "due soon".
    pub warn_days: i64,
    /// Show badges and overdue banners on the site.
    pub show_on_site: bool,
    /// A document is overdue on its due day itself (tech-docs' rule), not
    /// only after it.
    pub overdue_on_due_day: bool,
    /// Take missing `last_reviewed` (and a controlled document's missing
    /// `version`) from git history (`review.from_git`).
    pub from_git: bool,
    /// Commit-message trailer that marks a review (`review.git_trailer`,
    /// e.g. `Reviewed-by`): with `from_git`, `last_reviewed` is the last
    /// commit changing the document that carries it.
    pub git_trailer: Option<String>,
    /// Publish the author of each version's commit (`review.git_authors`;
    /// names are never read otherwise).
    pub git_authors: bool,
}

/// `security_txt:` settings.
#[derive(Debug, Clone)]
pub struct SecurityTxtConfig {
    /// Days from build time to Expires (1..=365).
    pub expires_days: i64,
    /// Document id (or URL) of the disclosure policy.
    pub policy: Option<String>,
    /// Language tags.
    pub preferred_languages: Vec<String>,
    /// URL of the encryption key.
    pub encryption: Option<String>,
}

/// One certification.
#[derive(Debug, Clone)]
pub struct Certification {
    /// Name.
    pub name: String,
    /// `certified`, `in_progress` or `planned`.
    pub status: CertStatus,
    /// Issue date.
    pub issued: Option<Date>,
    /// Expiry date.
    pub expires: Option<Date>,
    /// Document id of the report.
    pub report: Option<String>,
    /// One-liner.
    pub description: String,
    /// Line of the entry in trust.yaml.
    pub line: usize,
}

/// Certification status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    /// Certificate held.
    Certified,
    /// Audit under way.
    InProgress,
    /// Planned.
    Planned,
}

impl CertStatus {
    /// Machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            CertStatus::Certified => "certified",
            CertStatus::InProgress => "in_progress",
            CertStatus::Planned => "planned",
        }
    }
    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            CertStatus::Certified => "Certified",
            CertStatus::InProgress => "In progress",
            CertStatus::Planned => "Planned",
        }
    }
}

/// One subprocessor.
#[derive(Debug, Clone)]
pub struct Subprocessor {
    /// Company.
    pub name: String,
    /// Purpose.
    pub purpose: String,
    /// Location.
    pub location: String,
    /// Since date.
    pub since: Option<Date>,
}

/// A framework and its control catalogue.
#[derive(Debug, Clone, Default)]
pub struct Framework {
    /// Control id -> title; empty without a catalogue.
    pub controls: BTreeMap<String, String>,
    /// Whether a catalogue was configured (unknown ids are then flagged).
    pub has_catalogue: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    title: String,
    base_url: Option<Spanned<String>>,
    organization: Option<String>,
    description: Option<String>,
    theme: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    release: Option<Text>,
    default_visibility: Option<Visibility>,
    review: Option<RawReview>,
    security_contact: Option<OneOrMany>,
    security_txt: Option<RawSecurityTxt>,
    #[serde(default)]
    certifications: Vec<Spanned<RawCert>>,
    #[serde(default)]
    subprocessors: Vec<RawSub>,
    #[serde(default)]
    frameworks: Option<BTreeMap<String, RawFramework>>,
    front_matter: Option<RawFrontMatterCfg>,
    compat: Option<Spanned<String>>,
    markdown: Option<RawMarkdown>,
    #[serde(default)]
    defaults: Option<BTreeMap<String, Spanned<serde_json::Value>>>,
    owners_from: Option<Spanned<String>>,
    default_owner_slack: Option<String>,
    pdf: Option<Spanned<bool>>,
    #[serde(default)]
    allow_active: Vec<Spanned<String>>,
    publish: Option<RawPublish>,
    links: Option<RawLinks>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    heading_ids: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublish {
    #[serde(default)]
    files: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLinks {
    external_base: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReview {
    cycle: Option<Spanned<String>>,
    warn_days: Option<i64>,
    show_on_site: Option<bool>,
    overdue_on_due_day: Option<bool>,
    from_git: Option<bool>,
    git_trailer: Option<Spanned<String>>,
    git_authors: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecurityTxt {
    expires_days: Option<Spanned<i64>>,
    policy: Option<String>,
    #[serde(default)]
    preferred_languages: Vec<String>,
    encryption: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCert {
    name: String,
    status: CertStatus,
    issued: Option<Spanned<String>>,
    expires: Option<Spanned<String>>,
    report: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSub {
    name: String,
    purpose: String,
    location: String,
    since: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    catalogue: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatterCfg {
    #[serde(default)]
    aliases: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    ignore: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Why the configuration could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// trust.yaml missing or unreadable (exit 2).
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// Path tried.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// trust.yaml read but invalid (problems found, exit 1).
    #[error("invalid configuration")]
    Invalid(Vec<Diagnostic>),
}

/// Reads and validates `root/trust.yaml`.
/// Only a regular file is read (a FIFO or device would block or never end);
/// text that is not UTF-8 is an error located at its first bad line.
pub fn load(root: &Path) -> Result<SiteConfig, ConfigError> {
    let path = root.join(CONFIG_FILE);
    let unreadable = |source| ConfigError::Unreadable {
        path: path.display().to_string(),
        source,
    };
    let meta = std::fs::symlink_metadata(&path).map_err(unreadable)?;
    if meta.file_type().is_symlink() {
        return Err(unreadable(std::io::Error::other(
            "it is a symbolic link: trustsite never follows links; copy the file instead",
        )));
    }
    if !meta.is_file() {
        return Err(unreadable(std::io::Error::other("not a regular file")));
    }
    let bytes = std::fs::read(&path).map_err(unreadable)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let msg = "file is not valid UTF-8 text";
        ConfigError::Invalid(vec![
            Diagnostic::error(CONFIG_FILE, line, 1, msg).code("config/not-utf8"),
        ])
    })?;
    parse(&text, root)
}

/// Parses configuration text; `root` is used to read framework catalogues.
pub fn parse(text: &str, root: &Path) -> Result<SiteConfig, ConfigError> {
    let text = text.trim_start_matches('\u{feff}');
    let raw: Raw = yaml::from_str(text).map_err(|e| {
        let message = match field_at(text, e.line) {
            Some(field)
                if !e
                    .message
                    .contains(field.rsplit('.').next().unwrap_or(&field)) =>
            {
                format!("`{field}`: {}", e.message)
            }
            _ => e.message,
        };
        ConfigError::Invalid(vec![
            Diagnostic::error(CONFIG_FILE, e.line, e.col, message).code("config/invalid"),
        ])
    })?;
    let mut diags = Vec::new();
    let mut raw = raw;
    let compat = validate_compat(&raw.compat, &mut diags);
    let preset = compat
        .map(crate::compat::Compat::preset)
        .unwrap_or_default();
    let codeowners = read_codeowners(root, &raw.owners_from, &preset, &mut diags);
    let heading_ids = validate_heading_ids(raw.markdown.take(), &preset, &mut diags);
    let mut config = validate(raw, root, &preset, &mut diags);
    config.compat = compat;
    config.codeowners = codeowners;
    config.heading_ids = heading_ids;
    if diags.iter().any(Diagnostic::is_error) {
        return Err(ConfigError::Invalid(diags));
    }
    config.fingerprint = fingerprint(text, &config);
    Ok(config)
}

/// [`SiteConfig::fingerprint`]: trust.yaml's text and what was read
/// beside it (catalogues and CODEOWNERS, as parsed).
fn fingerprint(text: &str, config: &SiteConfig) -> crate::digest::Key {
    let mut h = crate::digest::KeyHasher::new("config");
    h.field(text);
    h.number(config.frameworks.len() as u64);
    for (name, f) in &config.frameworks {
        h.field(name).flag(f.has_catalogue);
        h.list(
            f.controls
                .iter()
                .flat_map(|(id, title)| [id, title])
                .collect::<Vec<_>>()
                .iter(),
        );
    }
    h.number(config.codeowners.len() as u64);
    for rule in &config.codeowners {
        h.field(&rule.pattern).list(rule.owners.iter());
    }
    h.finish()
}

/// The dotted path of the key whose value holds `line` (1-based), found by
/// indentation: `frameworks`, `review.cycle`.
fn field_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut idx = line.checked_sub(1)?.min(lines.len().checked_sub(1)?);
    // A list item's key stands after its `- `.
    let indent = |l: &str| {
        let t = l.trim_start();
        let t2 = t.trim_start_matches("- ");
        l.len() - t2.len()
    };
    let key = |l: &str| {
        let t = l.trim_start().trim_start_matches("- ");
        let (k, _) = t.split_once(':')?;
        let k = k.trim().trim_matches(['"', '\'']);
        (!k.is_empty() && !k.starts_with('#')).then(|| k.to_string())
    };
    // A value on its own line (or an empty value) belongs to the key above.
    while lines[idx].trim().is_empty()
        || lines[idx].trim_start().starts_with('#')
        || key(lines[idx]).is_none()
    {
        idx = idx.checked_sub(1)?;
    }
    let mut path = vec![key(lines[idx])?];
    let mut level = indent(lines[idx]);
    for l in lines[..idx].iter().rev() {
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        if indent(l) < level
            && let Some(k) = key(l)
        {
            path.push(k);
            level = indent(l);
        }
        if level == 0 {
            break;
        }
    }
    path.reverse();
    Some(path.join("."))
}

fn err_at<T>(diags: &mut Vec<Diagnostic>, s: &Spanned<T>, msg: String) {
    let (line, col) = yaml::position(s);
    diags.push(Diagnostic::error(CONFIG_FILE, line, col, msg).code("config/bad-value"));
}

/// Parses a spanned `YYYY-MM-DD`, reporting a located error.
fn date(diags: &mut Vec<Diagnostic>, field: &str, s: &Option<Spanned<String>>) -> Option<Date> {
    let s = s.as_ref()?;
    match crate::review::parse_date(&s.value) {
        Ok(d) => Some(d),
        Err(e) => {
            err_at(diags, s, format!("`{field}`: {e}"));
            None
        }
    }
}

fn validate_compat(
    compat: &Option<Spanned<String>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<crate::compat::Compat> {
    let c = compat.as_ref()?;
    let parsed = crate::compat::Compat::parse(&c.value);
    if parsed.is_none() {
        err_at(
            diags,
            c,
            format!(
                "`compat`: unknown tool `{}`: expected `hugo`, `tech-docs` or `comply`",
                c.value
            ),
        );
    }
    parsed
}

fn validate_heading_ids(
    raw: Option<RawMarkdown>,
    preset: &crate::compat::Preset,
    diags: &mut Vec<Diagnostic>,
) -> crate::anchors::HeadingIds {
    let Some(style) = raw.and_then(|m| m.heading_ids) else {
        return preset.heading_ids;
    };
    crate::anchors::HeadingIds::parse(&style.value).unwrap_or_else(|| {
        err_at(
            diags,
            &style,
            format!(
                "`markdown.heading_ids`: unknown style `{}`: expected `github` (also Hugo/goldmark) or `redcarpet` (tech-docs)",
                style.value
            ),
        );
        preset.heading_ids
    })
}

/// CODEOWNERS rules: from `owners_from` (a path in the site, or `none`),
/// else, when the preset asks, from the first of the usual places that exists.
fn read_codeowners(
    root: &Path,
    owners_from: &Option<Spanned<String>>,
    preset: &crate::compat::Preset,
    diags: &mut Vec<Diagnostic>,
) -> Vec<crate::inherit::OwnerRule> {
    const USUAL: [&str; 4] = [
        "CODEOWNERS",
        ".github/CODEOWNERS",
        ".gitlab/CODEOWNERS",
        "docs/CODEOWNERS",
    ];
    let path = match owners_from {
        Some(s) if s.value.eq_ignore_ascii_case("none") => return Vec::new(),
        Some(s) => {
            if s.value.split(['/', '\\']).any(|c| c == "..") || Path::new(&s.value).is_absolute() {
                err_at(
                    diags,
                    s,
                    format!(
                        "`owners_from`: `{}` must be a path inside the site",
                        s.value
                    ),
                );
                return Vec::new();
            }
            match read_regular(root, &s.value) {
                Ok(text) => return crate::inherit::parse_codeowners(&text),
                Err(e) => {
                    err_at(
                        diags,
                        s,
                        format!("`owners_from`: cannot read `{}`: {e}", s.value),
                    );
                    return Vec::new();
                }
            }
        }
        None if preset.owners_from_codeowners => USUAL.iter().find(|p| root.join(p).is_file()),
        None => None,
    };
    path.and_then(|p| read_regular(root, p).ok())
        .map(|t| crate::inherit::parse_codeowners(&t))
        .unwrap_or_default()
}

/// A regular file inside the site, never through a symbolic link (a FIFO
/// or device would block, a link could read outside the site).
fn read_regular(root: &Path, rel: &str) -> std::io::Result<String> {
    let mut at = root.to_path_buf();
    for part in Path::new(rel).components() {
        at.push(part);
        if std::fs::symlink_metadata(&at)?.file_type().is_symlink() {
            return Err(std::io::Error::other(
                "a symbolic link: trustsite never follows links",
            ));
        }
    }
    if !std::fs::metadata(&at)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::read_to_string(&at)
}

/// `defaults:` folder -> fields, read like front-matter (aliases apply).
fn validate_defaults(
    raw: Option<BTreeMap<String, Spanned<serde_json::Value>>>,
    aliases: &BTreeMap<String, String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, crate::frontmatter::FrontMatter)> {
    let mut out = Vec::new();
    for (folder, value) in raw.unwrap_or_default() {
        let (line, col) = yaml::position(&value);
        if !value.value.is_object() {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    line,
                    col,
                    format!("`defaults.{folder}`: expected a mapping of front-matter fields"),
                )
                .code("config/bad-value"),
            );
            continue;
        }
        let text = value.value.to_string();
        let (fm, problems) = crate::frontmatter::parse(&text, line, aliases);
        for p in problems {
            let msg = format!("`defaults.{folder}`: {}", p.message);
            let d = if p.error {
                Diagnostic::error(CONFIG_FILE, line, col, msg).code(p.code)
            } else {
                Diagnostic::warning(CONFIG_FILE, line, col, msg).code(p.code)
            };
            diags.push(d);
        }
        let folder = folder.trim_matches('/').to_string();
        let folder = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        if let Some(fm) = fm {
            out.push((folder, fm));
        }
    }
    out.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
    out
}

fn validate(
    raw: Raw,
    root: &Path,
    preset: &crate::compat::Preset,
    diags: &mut Vec<Diagnostic>,
) -> SiteConfig {
    let timezone = validate_timezone(&raw.timezone, diags);
    let review_explicit = raw
        .review
        .as_ref()
        .is_some_and(|r| r.overdue_on_due_day.is_some());
    let base_url = match &raw.base_url {
        Some(url) => {
            if let Err(why) = check_base_url(&url.value) {
                err_at(diags, url, format!("`base_url`: {why}"));
            }
            normalize_base_url(&url.value)
        }
        None => "/".to_string(),
    };
    let security_contact = match raw.security_contact {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    };
    for c in &security_contact {
        if !(c.starts_with("mailto:") || c.starts_with("https://")) {
            diags.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    0,
                    0,
                    format!("`security_contact`: `{c}` must be a mailto: or https:// URI"),
                )
                .code("config/bad-value"),
            );
        }
    }
    let aliases = validate_aliases(raw.front_matter, preset, diags);
    let mut review = validate_review(raw.review, diags);
    review.overdue_on_due_day |= preset.overdue_on_due_day && !review_explicit;
    SiteConfig {
        defaults: validate_defaults(raw.defaults, &aliases, diags),
        compat: None,
        heading_ids: preset.heading_ids,
        codeowners: Vec::new(),
        default_owner_slack: raw.default_owner_slack,
        organization: raw.organization.unwrap_or_else(|| raw.title.clone()),
        title: raw.title,
        base_url,
        description: raw.description.unwrap_or_default(),
        theme: validate_theme(raw.theme, diags),
        timezone,
        release: raw.release.map(|t| t.0).unwrap_or_default(),
        default_visibility: raw.default_visibility.unwrap_or(Visibility::Internal),
        review,
        security_contact,
        security_txt: validate_security_txt(raw.security_txt, diags),
        certifications: validate_certs(raw.certifications, diags),
        subprocessors: validate_subs(raw.subprocessors, diags),
        frameworks: load_frameworks(raw.frameworks.unwrap_or_default(), root, diags),
        aliases,
        pdf: validate_pdf(raw.pdf, diags),
        allow_active: validate_allow_active(raw.allow_active, diags),
        publish_files: validate_publish(raw.publish, diags),
        external_base: validate_links(raw.links, diags),
        fingerprint: crate::digest::Key::default(),
    }
}

/// `allow_active` names files one by one: a path under `content/`, no
/// globs, no `..`, so one entry can never allow more than one file.
fn validate_allow_active(raw: Vec<Spanned<String>>, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out = Vec::new();
    for entry in raw {
        let p = entry.value.as_str();
        let bad = if !p.starts_with("content/") {
            Some("must be a path starting with `content/`")
        } else if p.contains(['*', '?', '[', ']', '{', '}', '\\']) {
            Some("must name one file: globs are not allowed here")
        } else if p.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            Some("must be a plain path without empty, `.` or `..` parts")
        } else {
            None
        };
        match bad {
            Some(why) => err_at(diags, &entry, format!("`allow_active`: `{p}` {why}")),
            None => out.push(entry.value),
        }
    }
    out
}

/// `publish.files`: globs relative to content/, never outside it.
fn validate_publish(raw: Option<RawPublish>, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out = Vec::new();
    for g in raw.map(|p| p.files).unwrap_or_default() {
        let v = g.value.trim();
        if v.is_empty() || v.starts_with('/') || v.contains('\\') || v.split('/').any(|c| c == "..")
        {
            err_at(
                diags,
                &g,
                format!(
                    "`publish.files`: `{v}` must be a glob relative to content/ (like `downloads/*.pdf`)"
                ),
            );
            continue;
        }
        out.push(v.trim_start_matches("./").to_string());
    }
    out
}

/// `links.external_base`: an absolute `http(s)://` URL, ending in `/`.
fn validate_links(raw: Option<RawLinks>, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let base = raw?.external_base?;
    let v = base.value.trim();
    let host = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or("");
    if host.is_empty()
        || host.starts_with('/')
        || v.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        err_at(
            diags,
            &base,
            format!(
                "`links.external_base`: `{v}` must be an absolute http(s):// URL (like `https://handbook.example.com/`)"
            ),
        );
        return None;
    }
    Some(normalize_base_url(v))
}

/// `pdf: true` in a binary that cannot render PDFs is an error, not a
/// site quietly without them.
fn validate_pdf(pdf: Option<Spanned<bool>>, diags: &mut Vec<Diagnostic>) -> bool {
    let Some(pdf) = pdf else { return false };
    if pdf.value && !crate::pdf::AVAILABLE {
        let (line, col) = yaml::position(&pdf);
        diags.push(
            Diagnostic::error(
                CONFIG_FILE,
                line,
                col,
                "`pdf: true` needs trustsite built with the cargo feature `pdf` (cargo install/build --features pdf); remove `pdf` or rebuild",
            )
            .code("config/pdf-unavailable"),
        );
    }
    pdf.value
}

/// A theme is a folder name under `themes/`, never a path: `theme: /etc` or
/// `../x` would publish files from outside the site.
fn validate_theme(theme: Option<Spanned<String>>, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let theme = theme?;
    let name = theme.value.as_str();
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
        err_at(
            diags,
            &theme,
            format!("`theme`: `{name}` must be the name of a folder under themes/, not a path"),
        );
        return None;
    }
    Some(theme.value)
}

fn validate_timezone(tz: &Option<Spanned<String>>, diags: &mut Vec<Diagnostic>) -> String {
    let Some(tz) = tz else {
        return "UTC".to_string();
    };
    if let Err(e) = jiff::tz::TimeZone::get(&tz.value) {
        err_at(
            diags,
            tz,
            format!("`timezone`: unknown IANA time zone `{}`: {e}", tz.value),
        );
    }
    tz.value.clone()
}

/// Why `url` cannot be a base URL: it must be an absolute `http(s)://` URL
/// with a host, or a path starting with a single `/`; no whitespace,
/// control characters, quotes, angle brackets, backslashes, user info,
/// query or fragment (each would break or redirect every link on the site).
pub fn check_base_url(url: &str) -> Result<(), String> {
    let shown: String = url.escape_debug().collect();
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'<>`\\?#".contains(*c))
    {
        return Err(format!(
            "`{shown}` contains `{}`: a base URL is `https://host/path/` or `/path/`",
            c.escape_debug()
        ));
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split('/').next().unwrap_or_default();
            if host.is_empty() || host.contains('@') || host.starts_with(':') {
                return Err(format!(
                    "`{shown}` has no plain host: write `https://host/` or `https://host/path/`"
                ));
            }
            Ok(())
        }
        None if url.starts_with('/') && !url.starts_with("//") => Ok(()),
        None => Err(format!(
            "`{shown}` must be an absolute http:// or https:// URL, or a path starting with a single `/`"
        )),
    }
}

/// Ensures a trailing `/`.
pub fn normalize_base_url(url: &str) -> String {
    let mut u = url.trim().to_string();
    if !u.ends_with('/') {
        u.push('/');
    }
    u
}

/// Path part of a base URL (`https://x.com/trust/` -> `/trust/`).
pub fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map(|(_, r)| r);
    match after_scheme {
        Some(rest) => match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        },
        None if base_url.starts_with('/') => base_url.to_string(),
        None => "/".to_string(),
    }
}

fn validate_review(raw: Option<RawReview>, diags: &mut Vec<Diagnostic>) -> ReviewConfig {
    let mut review = ReviewConfig {
        cycle: ReviewCycle::ANNUAL,
        warn_days: 30,
        show_on_site: true,
        overdue_on_due_day: false,
        from_git: false,
        git_trailer: None,
        git_authors: false,
    };
    let Some(raw) = raw else { return review };
    review.from_git = raw.from_git.unwrap_or(false);
    review.git_authors = raw.git_authors.unwrap_or(false);
    if let Some(t) = raw.git_trailer {
        match crate::git::is_trailer_key(&t.value) {
            true => review.git_trailer = Some(t.value.clone()),
            false => err_at(diags, &t, "`review.git_trailer`: a trailer key is letters, digits and `-` (e.g. `Reviewed-by`)".to_string()),
        }
    }
    if let Some(c) = raw.cycle {
        match ReviewCycle::parse(&c.value) {
            Ok(cycle) => review.cycle = cycle,
            Err(e) => err_at(diags, &c, format!("`review.cycle`: {e}")),
        }
    }
    if let Some(w) = raw.warn_days {
        review.warn_days = w.max(0);
    }
    if let Some(s) = raw.show_on_site {
        review.show_on_site = s;
    }
    if let Some(o) = raw.overdue_on_due_day {
        review.overdue_on_due_day = o;
    }
    review
}

fn validate_security_txt(
    raw: Option<RawSecurityTxt>,
    diags: &mut Vec<Diagnostic>,
) -> SecurityTxtConfig {
    let mut cfg = SecurityTxtConfig {
        expires_days: 180,
        policy: None,
        preferred_languages: Vec::new(),
        encryption: None,
    };
    let Some(raw) = raw else { return cfg };
    if let Some(days) = raw.expires_days {
        if !(1..=365).contains(&days.value) {
            err_at(
                diags,
                &days,
                format!(
                    "`security_txt.expires_days` is {}: it must be between 1 and 365 (RFC 9116 recommends less than a year)",
                    days.value
                ),
            );
        }
        cfg.expires_days = days.value.clamp(1, 365);
    }
    cfg.policy = raw.policy;
    cfg.preferred_languages = raw.preferred_languages;
    cfg.encryption = raw.encryption;
    cfg
}

fn validate_certs(raw: Vec<Spanned<RawCert>>, diags: &mut Vec<Diagnostic>) -> Vec<Certification> {
    raw.into_iter()
        .map(|s| {
            let line = yaml::position(&s).0;
            let c = s.value;
            Certification {
                issued: date(diags, "issued", &c.issued),
                expires: date(diags, "expires", &c.expires),
                name: c.name,
                status: c.status,
                report: c.report,
                description: c.description.unwrap_or_default(),
                line,
            }
        })
        .collect()
}

fn validate_subs(raw: Vec<RawSub>, diags: &mut Vec<Diagnostic>) -> Vec<Subprocessor> {
    raw.into_iter()
        .map(|s| Subprocessor {
            since: date(diags, "since", &s.since),
            name: s.name,
            purpose: s.purpose,
            location: s.location,
        })
        .collect()
}

fn load_frameworks(
    raw: BTreeMap<String, RawFramework>,
    root: &Path,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Framework> {
    let mut out = BTreeMap::new();
    for (name, fw) in raw {
        let mut framework = Framework::default();
        if let Some(cat) = fw.catalogue {
            framework.has_catalogue = true;
            match read_catalogue(root, &cat.value) {
                Ok(controls) => framework.controls = controls,
                Err(msg) => err_at(diags, &cat, msg),
            }
        }
        out.insert(name, framework);
    }
    out
}

fn read_catalogue(root: &Path, rel: &str) -> Result<BTreeMap<String, String>, String> {
    if rel.split(['/', '\\']).any(|c| c == "..") || Path::new(rel).is_absolute() {
        return Err(format!("catalogue `{rel}` must be a path inside the site"));
    }
    let mut at = root.to_path_buf();
    for part in Path::new(rel).components() {
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "catalogue `{rel}` goes through a symbolic link: trustsite never follows links"
            ));
        }
    }
    match std::fs::metadata(&at) {
        Err(e) => return Err(format!("cannot read catalogue `{rel}`: {e}")),
        Ok(m) if !m.is_file() => return Err(format!("catalogue `{rel}` is not a regular file")),
        Ok(_) => {}
    }
    let text =
        std::fs::read_to_string(&at).map_err(|e| format!("cannot read catalogue `{rel}`: {e}"))?;
    crate::compat::parse_catalogue(&text)
        .map_err(|e| format!("{rel}:{}:{}: {}", e.line, e.col, e.message))
}

/// `front_matter.aliases` over the preset's, and `front_matter.ignore` (with
/// the preset's) as aliases to "" (accepted silently).
fn validate_aliases(
    raw: Option<RawFrontMatterCfg>,
    preset: &crate::compat::Preset,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for field in preset.ignore {
        out.insert(field.to_string(), String::new());
    }
    for (from, to) in preset.aliases {
        out.insert(from.to_string(), to.to_string());
    }
    let (aliases, ignore) = raw.map(|f| (f.aliases, f.ignore)).unwrap_or_default();
    for field in ignore {
        out.insert(field, String::new());
    }
    for (from, to) in aliases {
        if !crate::frontmatter::FIELDS.contains(&to.value.as_str()) {
            let hint = crate::diag::closest(&to.value, crate::frontmatter::FIELDS)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            err_at(
                diags,
                &to,
                format!(
                    "`front_matter.aliases.{from}`: `{}` is not a front-matter field{hint}",
                    to.value
                ),
            );
            continue;
        }
        out.insert(from, to.value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_http_or_a_rooted_path() {
        for ok in [
            "https://trust.example.com/",
            "http://localhost:1111/sub/",
            "HTTPS://Trust.Example.com",
            "/",
            "/trust/",
        ] {
            assert_eq!(check_base_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)//",
            "//evil.example/",
            "trust.example.com",
            "",
            "https://",
            "https:///x",
            "https://trust.example.com@evil.example/",
            "https://trust.example.com/\n::error::x",
            "https://t.example/\u{1b}[31m",
            "https://t.example/\"onload=\"x",
            "https://t.example/?q=1",
            "ftp://t.example/",
            "data:text/html,x",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_url_and_allow_active_errors_are_located() {
        let root = Path::new("/nonexistent");
        let Err(ConfigError::Invalid(d)) = parse("title: T\nbase_url: \"javascript:x\"\n", root)
        else {
            panic!("accepted");
        };
        assert_eq!((d[0].line, d[0].path.as_str()), (2, CONFIG_FILE), "{d:?}");
        let yaml = "title: T\nallow_active:\n  - content/google1.html\n  - content/*.html\n  - ../x.html\n  - content/../x.js\n";
        let Err(ConfigError::Invalid(d)) = parse(yaml, root) else {
            panic!("accepted");
        };
        let lines: Vec<usize> = d.iter().map(|d| d.line).collect();
        assert_eq!(lines, [4, 5, 6], "{d:?}");
        let ok = parse("title: T\nallow_active: [content/google1.html]\n", root).ok();
        assert_eq!(ok.unwrap().allow_active, ["content/google1.html"]);
    }
}

#[cfg(test)]
mod migrate_tests {
    use super::*;

    fn errors(yaml: &str) -> Vec<String> {
        match parse(yaml, Path::new("/nonexistent")) {
            Err(ConfigError::Invalid(d)) => d.iter().map(|d| d.message.clone()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn config_errors_name_their_field() {
        let e = errors("title: x\nreview:\n  warn_days: [1]\n");
        assert!(e[0].starts_with("`review.warn_days`:"), "{e:?}");
        let e = errors("title: x\ncertifications:\n  - name: X\n    status: bogus\n");
        assert!(e[0].starts_with("`certifications.status`:"), "{e:?}");
        let e = errors("title: x\ncertifications: 3\n");
        assert!(e[0].starts_with("`certifications`:"), "{e:?}");
        assert!(errors("title: x\nframeworks:\n").is_empty());
        let e = errors("title: x\ncompat: jekyll\n");
        assert!(e[0].contains("`compat`"), "{e:?}");
    }

    #[test]
    fn compat_presets_and_explicit_settings() {
        let c = parse("title: x\ncompat: tech-docs\n", Path::new("/nonexistent"))
            .ok()
            .unwrap();
        assert_eq!(c.heading_ids, crate::anchors::HeadingIds::Redcarpet);
        assert!(c.review.overdue_on_due_day);
        assert_eq!(c.aliases["review_in"], "review_cycle");
        let c = parse(
            "title: x\ncompat: tech-docs\nmarkdown:\n  heading_ids: github\nreview:\n  overdue_on_due_day: false\nfront_matter:\n  aliases:\n    owner_slack: extra\n  ignore: [foo]\ndefaults:\n  policies/: {owner: Security}\n",
            Path::new("/nonexistent"),
        )
        .ok()
        .unwrap();
        assert_eq!(c.heading_ids, crate::anchors::HeadingIds::GitHub);
        assert!(!c.review.overdue_on_due_day);
        assert_eq!(c.aliases["owner_slack"], "extra");
        assert_eq!(c.aliases["foo"], "");
        assert_eq!(c.defaults[0].0, "policies/");
        assert_eq!(c.defaults[0].1.owner.as_deref(), Some("Security"));
    }
}
