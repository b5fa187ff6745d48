//! Hugo's embargo fields: front-matter that withholds a page like `draft`.
//!
//! Read without any alias (Hugo lowercases keys, so any case works):
//! `publishDate` (or, in Hugo's order, `pubdate`, `published`, `date`) in
//! the future, `expiryDate` (or `unpublishdate`) reached, `headless: true`,
//! and `_build`/`build` with `render: never`, `render: link` or
//! `render: false`. [`RawEmbargo`] collects the raw values while
//! front-matter is read; [`Embargo::withheld`] decides for a given build
//! instant and "today". An unreadable value is an error, never ignored.
//! `list: never`/`local` only hides a Hugo page from listings (it is still
//! rendered): trustsite publishes and lists it, with a warning. No IO.

use crate::yaml::{Spanned, Text};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use serde::de::MapAccess;
use std::collections::BTreeMap;

/// Keys giving the publish date, in the order Hugo takes the first one set.
const PUBLISH: [&str; 4] = ["publishdate", "pubdate", "published", "date"];
/// Keys giving the expiry date, in Hugo's order.
const EXPIRY: [&str; 2] = ["expirydate", "unpublishdate"];

/// Whether `key` (lowercased) is one of Hugo's embargo fields.
pub fn is_key(key: &str) -> bool {
    PUBLISH.contains(&key)
        || EXPIRY.contains(&key)
        || matches!(key, "headless" | "_build" | "build")
}

/// A moment as front-matter gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// `2026-12-01`: midnight in the site's time zone.
    Date(Date),
    /// `2026-12-01T10:00:00`: in the site's time zone.
    Local(DateTime),
    /// `2026-12-01T10:00:00Z` or with an offset.
    Instant(Timestamp),
}

impl When {
    /// Parses the forms Hugo accepts in YAML front-matter.
    pub fn parse(s: &str) -> Result<When, String> {
        let s = s.trim();
        if let Ok(t) = s.parse::<Timestamp>() {
            return Ok(When::Instant(t));
        }
        if s.len() > 10 {
            if let Ok(dt) = s.replacen(' ', "T", 1).parse::<DateTime>() {
                return Ok(When::Local(dt));
            }
        } else if let Ok(d) = crate::review::parse_date(s) {
            return Ok(When::Date(d));
        }
        Err(format!(
            "`{s}` is not a date (`YYYY-MM-DD`) or date-time (`YYYY-MM-DDTHH:MM:SS`, optionally with `Z` or an offset)"
        ))
    }

    /// The instant, and the date it falls on, in `tz`.
    fn resolve(self, tz: &TimeZone) -> Option<(Timestamp, Date)> {
        let t = match self {
            When::Instant(t) => t,
            When::Date(d) => d.to_zoned(tz.clone()).ok()?.timestamp(),
            When::Local(dt) => dt.to_zoned(tz.clone()).ok()?.timestamp(),
        };
        Some((t, t.to_zoned(tz.clone()).date()))
    }
}

/// The embargo a document's front-matter sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Embargo {
    /// Not published before this moment.
    pub publish: Option<When>,
    /// Not published from this moment on.
    pub expiry: Option<When>,
    /// `headless: true`: never rendered.
    pub headless: bool,
    /// `_build.render: never` (or `link`, `false`): never rendered.
    pub render_never: bool,
}

/// When a build runs: its "today", its instant and the site's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// "Today" (`--today`, or the date in the site's time zone).
    pub today: Date,
    /// The build instant.
    pub now: Timestamp,
    /// The site's time zone (dates without a time are midnight there).
    pub tz: TimeZone,
}

impl Embargo {
    /// Whether the embargo withholds the document at `clock`; without a
    /// clock any embargo field set withholds it (fail closed).
    pub fn withholds(&self, clock: Option<&Clock>) -> bool {
        match clock {
            Some(c) => self.withheld(c.today, c.now, &c.tz).is_some(),
            None => *self != Embargo::default(),
        }
    }

    /// Why the document is withheld at build instant `now` on `today` in
    /// `tz`, or None when the embargo does not hold. A date given without a
    /// time means midnight in `tz`; a moment is in the future when it is
    /// after `now` or falls on a day after `today`, and reached when it is
    /// not after `now` or falls on `today` or earlier (both fail closed).
    pub fn withheld(&self, today: Date, now: Timestamp, tz: &TimeZone) -> Option<&'static str> {
        if self.headless {
            return Some("headless: true");
        }
        if self.render_never {
            return Some("_build.render: never");
        }
        if let Some(p) = self.publish {
            match p.resolve(tz) {
                Some((t, d)) if t <= now && d <= today => {}
                _ => return Some("publish date in the future"),
            }
        }
        if let Some(e) = self.expiry {
            match e.resolve(tz) {
                Some((t, d)) if t > now && d > today => {}
                _ => return Some("expiry date reached"),
            }
        }
        None
    }
}

/// Raw embargo values read from front-matter: `(lowercased key, value)`.
#[derive(Default)]
pub struct RawEmbargo {
    dates: Vec<(String, Spanned<Text>)>,
    headless: Option<Spanned<Text>>,
    build: Option<Spanned<BTreeMap<Text, Text>>>,
}

/// A located problem: `(line in the YAML, col, message, is_error)`.
pub type Problem = (usize, usize, String, bool);

impl RawEmbargo {
    /// Reads the value of embargo key `key` (lowercased) from `map`.
    pub fn read<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "headless" => self.headless = Some(map.next_value()?),
            "_build" | "build" => self.build = Some(map.next_value()?),
            _ => {
                let value: Spanned<Text> = map.next_value()?;
                self.dates.push((key.to_string(), value));
            }
        }
        Ok(())
    }

    /// The typed embargo and its problems (positions in the YAML).
    pub fn finish(self, problems: &mut Vec<Problem>) -> Embargo {
        let at = |s: &Spanned<Text>| crate::yaml::position(s);
        let mut e = Embargo::default();
        let parse = |keys: &[&str], problems: &mut Vec<Problem>| {
            let mut found = None;
            for key in keys {
                for (k, v) in self.dates.iter().filter(|(k, _)| k == key) {
                    match When::parse(&v.value.0) {
                        Ok(w) => found = found.or(Some(w)),
                        Err(why) => {
                            let (line, col) = at(v);
                            problems.push((line, col, format!("`{k}`: {why}"), true));
                        }
                    }
                }
                if found.is_some() {
                    break;
                }
            }
            found
        };
        e.publish = parse(&PUBLISH, problems);
        e.expiry = parse(&EXPIRY, problems);
        if let Some(h) = &self.headless {
            match h.value.0.as_str() {
                "true" => e.headless = true,
                "false" => {}
                other => {
                    let (line, col) = at(h);
                    problems.push((
                        line,
                        col,
                        format!("`headless`: `{other}` is not true or false"),
                        true,
                    ));
                }
            }
        }
        if let Some(b) = &self.build {
            let (line, col) = crate::yaml::position(b);
            for (k, v) in &b.value {
                match (k.0.to_ascii_lowercase().as_str(), v.0.to_ascii_lowercase().as_str()) {
                    ("render", "never" | "link" | "false") => e.render_never = true,
                    ("render", "always" | "true") => {}
                    ("list", "always" | "true") | ("publishresources", "true" | "false") => {}
                    ("list", "never" | "local" | "false") => problems.push((
                        line,
                        col,
                        format!("`_build.list: {}` is not supported: the page is published and listed (Hugo renders it too)", v.0),
                        false,
                    )),
                    (key, value) => problems.push((
                        line,
                        col,
                        format!("`_build`: `{key}: {value}` is not a Hugo build option (render: always|never|link, list: always|never|local, publishResources: true|false)"),
                        true,
                    )),
                }
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn parses_hugo_date_forms() {
        assert_eq!(When::parse("2026-12-01"), Ok(When::Date(day("2026-12-01"))));
        assert!(matches!(
            When::parse("2026-12-01T10:00:00Z"),
            Ok(When::Instant(_))
        ));
        assert!(matches!(
            When::parse("2026-12-01T10:00:00+02:00"),
            Ok(When::Instant(_))
        ));
        assert!(matches!(
            When::parse("2026-12-01T10:00:00"),
            Ok(When::Local(_))
        ));
        assert!(matches!(
            When::parse("2026-12-01 10:00:00"),
            Ok(When::Local(_))
        ));
        for bad in ["tomorrow", "2026-13-01", "", "2026-12-01Tnoon"] {
            assert!(When::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn publish_and_expiry_follow_hugo_with_dates_at_midnight() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let today = day("2026-11-22");
        let now: Timestamp = "2026-11-22T09:00:00Z".parse().unwrap();
        let e = |publish: Option<&str>, expiry: Option<&str>| Embargo {
            publish: publish.map(|s| When::parse(s).unwrap()),
            expiry: expiry.map(|s| When::parse(s).unwrap()),
            ..Embargo::default()
        };
        let held = |x: Embargo| x.withheld(today, now, &tz);
        assert_eq!(held(e(Some("2026-11-22"), None)), None);
        assert_eq!(held(e(Some("2026-11-21"), Some("2026-11-23"))), None);
        assert!(held(e(Some("2026-11-23"), None)).is_some());
        assert!(held(e(Some("2026-11-22T11:00:00"), None)).is_some());
        assert!(held(e(Some("2026-11-22T09:00:01Z"), None)).is_some());
        assert_eq!(held(e(Some("2026-11-22T09:00:00Z"), None)), None);
        assert!(held(e(None, Some("2026-11-22"))).is_some());
        assert!(held(e(None, Some("2026-11-01"))).is_some());
        // Later today still counts as reached: fail closed on the day itself.
        assert!(held(e(None, Some("2026-11-22T23:00:00"))).is_some());
        assert_eq!(held(e(None, Some("2026-11-23T00:30:00"))), None);
        let headless = Embargo {
            headless: true,
            ..Embargo::default()
        };
        assert!(held(headless).is_some());
    }

    #[test]
    fn without_a_clock_any_embargo_withholds() {
        let none = Embargo::default();
        assert!(!none.withholds(None));
        let past = Embargo {
            publish: Some(When::parse("2000-01-01").unwrap()),
            ..Embargo::default()
        };
        assert!(past.withholds(None), "fail closed without a clock");
        let clock = Clock {
            today: day("2026-11-22"),
            now: "2026-11-22T09:00:00Z".parse().unwrap(),
            tz: TimeZone::UTC,
        };
        assert!(!past.withholds(Some(&clock)));
    }
}
