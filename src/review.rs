//! Review-date engine: review cycles, due dates and review status.
//!
//! Owns the rules of SPEC "Review status": parsing `review_cycle` values,
//! calendar arithmetic for the next due date (with month-end clamping),
//! classifying a document as current / due soon / overdue / never reviewed /
//! untracked, strict `YYYY-MM-DD` parsing and "today" in a time zone.
//!
//! It does no IO and never reads the clock: `today` (or `now`) is always a
//! parameter. It does not read front-matter, decide exit codes or render
//! badges; callers map documents to [`ReviewInput`] and act on [`Review`].

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// The accepted forms, quoted in error messages.
const EXPECTED_CYCLE: &str = "expected annual, semiannual, quarterly, monthly, \
     a span like `6 months` or an ISO 8601 duration like `P1Y`";

/// Unit names in field order (years, months, weeks, days), singular.
const UNITS: [&str; 4] = ["year", "month", "week", "day"];

/// ISO 8601 designators in field order (years, months, weeks, days).
const DESIGNATORS: [char; 4] = ['y', 'm', 'w', 'd'];

/// How often a document must be reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewCycle {
    /// A calendar span. Units are kept as written (`18 months` stays
    /// `18 months`), so labels read back the way the author wrote them;
    /// `12 months` and `1 year` therefore compare unequal but add the same.
    /// [`ReviewCycle::parse`] never yields an all-zero span; one built by hand
    /// adds nothing.
    Calendar {
        /// Whole years.
        years: u32,
        /// Whole months.
        months: u32,
        /// Whole weeks (7 days each).
        weeks: u32,
        /// Whole days.
        days: u32,
    },
}

impl ReviewCycle {
    /// One year: the usual default cycle.
    pub const ANNUAL: ReviewCycle = ReviewCycle::from_parts([1, 0, 0, 0]);

    /// Builds a cycle from `[years, months, weeks, days]`.
    const fn from_parts([years, months, weeks, days]: [u32; 4]) -> Self {
        ReviewCycle::Calendar {
            years,
            months,
            weeks,
            days,
        }
    }

    /// The cycle as `[years, months, weeks, days]`.
    fn parts(&self) -> [u32; 4] {
        let ReviewCycle::Calendar {
            years,
            months,
            weeks,
            days,
        } = *self;
        [years, months, weeks, days]
    }

    /// Parses a review cycle, case-insensitively and ignoring surrounding
    /// spaces: `annual` (also `annually`, `yearly`), `semiannual` (6 months;
    /// also `semi-annual`, `half-yearly`), `quarterly`, `monthly`, `weekly`;
    /// spans like `90 days`, `6 months`, `1 year 6 months` (units `day(s)`,
    /// `week(s)`, `month(s)`, `year(s)`, each at most once); and ISO 8601
    /// durations with date parts only: `P1Y`, `P6M`, `P2W`, `P90D`, `P1Y6M`.
    /// `biannual`/`biennial` are rejected as ambiguous. Zero, negative and
    /// unrepresentably long spans are errors; the message is short and human.
    pub fn parse(s: &str) -> Result<ReviewCycle, String> {
        let text = s.trim();
        let lower = text.to_ascii_lowercase();
        let invalid = |why: String| format!("invalid review cycle `{text}`: {why}");
        if lower.is_empty() {
            return Err(format!("review cycle is empty: {EXPECTED_CYCLE}"));
        }
        if let Some(cycle) = named_cycle(&lower) {
            return Ok(cycle);
        }
        let parts = if let Some(rest) = lower.strip_prefix('p') {
            parse_iso(rest).map_err(invalid)?
        } else if lower.starts_with('-') {
            return Err(invalid("must be a positive span".into()));
        } else if lower.starts_with(|c: char| c.is_ascii_digit()) {
            parse_words(&lower).map_err(invalid)?
        } else {
            return Err(unknown_cycle(text, &lower));
        };
        Self::validated(parts).map_err(invalid)
    }

    /// Rejects all-zero spans and spans too long for calendar arithmetic.
    fn validated(parts: [u32; 4]) -> Result<ReviewCycle, String> {
        let cycle = Self::from_parts(parts);
        if parts == [0; 4] {
            return Err("must be longer than zero".into());
        }
        match cycle.spans() {
            Some(_) => Ok(cycle),
            None => Err("span is too long".into()),
        }
    }

    /// The cycle as a months span and a days span, or `None` if out of range.
    fn spans(&self) -> Option<(Span, Span)> {
        let [years, months, weeks, days] = self.parts().map(i64::from);
        let months = Span::new().try_months(years * 12 + months).ok()?;
        let days = Span::new().try_days(weeks * 7 + days).ok()?;
        Some((months, days))
    }

    /// Adds the cycle to `date` in calendar arithmetic: years and months
    /// first, clamped once to the month's end (Jan 31 + 1 month = Feb 28, or
    /// Feb 29 in leap years; Feb 29 + 1 year = Feb 28), then weeks and days.
    /// Returns `None` when the result is outside jiff's date range.
    pub fn add_to(&self, date: Date) -> Option<Date> {
        let (months, days) = self.spans()?;
        date.checked_add(months).ok()?.checked_add(days).ok()
    }

    /// Canonical display label: `annual`, `semiannual`, `quarterly`,
    /// `monthly`, `weekly`, else the span as written, e.g. `90 days`,
    /// `18 months`, `1 year 6 months`. Labels parse back to the same cycle.
    pub fn label(&self) -> String {
        let name = match self.parts() {
            [1, 0, 0, 0] => "annual",
            [0, 6, 0, 0] => "semiannual",
            [0, 3, 0, 0] => "quarterly",
            [0, 1, 0, 0] => "monthly",
            [0, 0, 1, 0] => "weekly",
            parts => return span_label(parts),
        };
        name.to_string()
    }
}

/// tech-docs-gem's `review_in`, read as Chronic reads `in <value>` (the gem
/// computes `review_by` with `Chronic.parse("in #{review_in}", now:
/// last_reviewed_on)`): everything [`ReviewCycle::parse`] accepts, plus
/// numbers in words (`six months`, `a year`, `twenty-one days`), `fortnight`
/// (two weeks), units singular or plural, parts joined by `and` or commas,
/// and zero (`0 days`: due on the day of the review itself).
pub fn parse_review_in(s: &str) -> Result<ReviewCycle, String> {
    if let Ok(c) = ReviewCycle::parse(s) {
        return Ok(c);
    }
    let text = s.trim();
    let lower = text.to_ascii_lowercase().replace([',', '-'], " ");
    let lower = lower.strip_prefix("in ").unwrap_or(&lower).to_string();
    let invalid = |why: &str| {
        format!(
            "invalid review span `{text}`: {why} (expected e.g. `6 months`, `six months`, `1 fortnight`, `0 days`)"
        )
    };
    let mut parts = [0u32; 4];
    let mut number: Option<u32> = None;
    let mut any = false;
    for word in spaced_digits(&lower).split_whitespace() {
        if word == "and" {
            continue;
        }
        if let Some(n) = word_number(word) {
            number = Some(number.map_or(n, |prev| {
                if (20..100).contains(&prev) && n < 10 {
                    prev + n
                } else {
                    n
                }
            }));
            continue;
        }
        let (index, factor) = match word.strip_suffix('s').unwrap_or(word) {
            "year" | "yr" => (0, 1),
            "month" | "mo" => (1, 1),
            "week" | "wk" => (2, 1),
            "fortnight" => (2, 2),
            "day" => (3, 1),
            _ => return Err(invalid(&format!("unknown word `{word}`"))),
        };
        let n = number
            .take()
            .ok_or_else(|| invalid(&format!("no number before `{word}`")))?;
        parts[index] = parts[index]
            .checked_add(n.checked_mul(factor).ok_or_else(|| invalid("too long"))?)
            .ok_or_else(|| invalid("too long"))?;
        any = true;
    }
    if !any || number.is_some() {
        return Err(invalid("expected a number and a unit"));
    }
    let cycle = ReviewCycle::from_parts(parts);
    cycle.spans().ok_or_else(|| invalid("span is too long"))?;
    Ok(cycle)
}

/// `6months` -> `6 months`.
fn spaced_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_digit = false;
    for c in s.chars() {
        let digit = c.is_ascii_digit();
        if prev_digit && c.is_alphabetic() {
            out.push(' ');
        }
        out.push(c);
        prev_digit = digit;
    }
    out
}

/// A number in digits or English words (`a`, `an`, `one` .. `ninety`).
fn word_number(w: &str) -> Option<u32> {
    if w.chars().all(|c| c.is_ascii_digit()) {
        return w.parse().ok();
    }
    const SMALL: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    match w {
        "a" | "an" => Some(1),
        "hundred" => Some(100),
        _ => SMALL
            .iter()
            .position(|x| *x == w)
            .map(|i| i as u32)
            .or_else(|| {
                TENS.iter()
                    .position(|x| *x == w)
                    .map(|i| 20 + 10 * i as u32)
            }),
    }
}

/// `1 year 6 months`-style label; `0 days` for an all-zero span.
fn span_label(parts: [u32; 4]) -> String {
    let words: Vec<String> = parts
        .iter()
        .zip(UNITS)
        .filter(|(n, _)| **n != 0)
        .map(|(n, unit)| format!("{n} {unit}{}", if *n == 1 { "" } else { "s" }))
        .collect();
    if words.is_empty() {
        "0 days".to_string()
    } else {
        words.join(" ")
    }
}

/// The named cycles (`annual`, `quarterly`, ...), already lowercased.
fn named_cycle(lower: &str) -> Option<ReviewCycle> {
    let parts = match lower {
        "annual" | "annually" | "yearly" => [1, 0, 0, 0],
        "semiannual" | "semi-annual" | "semiannually" | "semi-annually" | "half-yearly" => {
            [0, 6, 0, 0]
        }
        "quarterly" => [0, 3, 0, 0],
        "monthly" => [0, 1, 0, 0],
        "weekly" => [0, 0, 1, 0],
        _ => return None,
    };
    Some(ReviewCycle::from_parts(parts))
}

/// Error for a word that is not a cycle; ambiguous words get a hint.
fn unknown_cycle(text: &str, lower: &str) -> String {
    if lower.starts_with("bian") || lower.starts_with("bi-an") || lower.starts_with("bienn") {
        format!(
            "ambiguous review cycle `{text}`: write `semiannual` (every 6 months) \
             or `2 years` (every two years)"
        )
    } else {
        format!("unknown review cycle `{text}`: {EXPECTED_CYCLE}")
    }
}

/// Parses `6 months`, `90 days`, `1 year 6 months` (lowercased input).
fn parse_words(lower: &str) -> Result<[u32; 4], String> {
    let mut parts = [0; 4];
    let mut seen = [false; 4];
    let mut rest = lower;
    while !rest.is_empty() {
        let (digits, after) = split_while(rest, |c| c.is_ascii_digit());
        let (unit, after) = split_while(after.trim_start(), |c| c.is_ascii_alphabetic());
        if digits.is_empty() {
            return Err(format!("expected a number at `{rest}`"));
        }
        let index = unit_index(unit)?;
        store(&mut parts, &mut seen, index, digits)?;
        rest = after.trim_start();
    }
    Ok(parts)
}

/// Index into `[years, months, weeks, days]` of a unit word.
fn unit_index(unit: &str) -> Result<usize, String> {
    let singular = unit.strip_suffix('s').unwrap_or(unit);
    match UNITS.iter().position(|u| *u == singular) {
        Some(index) => Ok(index),
        None if unit.is_empty() => {
            Err("missing unit: expected days, weeks, months or years".into())
        }
        None => Err(format!(
            "unknown unit `{unit}`: expected days, weeks, months or years"
        )),
    }
}

/// Parses the part of an ISO 8601 duration after `P` (lowercased input)
/// with jiff's ISO 8601 span parser, keeping date parts only.
fn parse_iso(rest: &str) -> Result<[u32; 4], String> {
    if rest.is_empty() {
        return Err("no duration after `P`: write e.g. `P1Y` or `P6M`".into());
    }
    if rest.contains('t') {
        return Err("time parts (after `T`) are not supported; use days or longer".into());
    }
    let in_order = "expected ISO 8601 date parts in order, like `P1Y6M` or `P2W`";
    // jiff accepts signs and fractions that a review cycle has no use for.
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || DESIGNATORS.contains(&c))
    {
        return Err(in_order.into());
    }
    let span: Span = format!("P{rest}")
        .parse()
        .map_err(|_| in_order.to_string())?;
    let parts = [
        i64::from(span.get_years()),
        span.get_months().into(),
        span.get_weeks().into(),
        span.get_days().into(),
    ];
    let mut out = [0u32; 4];
    for (slot, (value, unit)) in out.iter_mut().zip(parts.into_iter().zip(UNITS)) {
        *slot = u32::try_from(value).map_err(|_| format!("{unit}s out of range"))?;
    }
    Ok(out)
}

/// Stores one `digits` value at `index`, rejecting repeats and overflow.
fn store(
    parts: &mut [u32; 4],
    seen: &mut [bool; 4],
    index: usize,
    digits: &str,
) -> Result<(), String> {
    if seen[index] {
        return Err(format!("{}s given more than once", UNITS[index]));
    }
    seen[index] = true;
    parts[index] = digits
        .parse()
        .map_err(|_| format!("number `{digits}` is too large"))?;
    Ok(())
}

/// Splits `s` after its longest prefix of chars matching `keep`.
fn split_while(s: &str, keep: impl Fn(char) -> bool) -> (&str, &str) {
    let end = s.find(|c: char| !keep(c)).unwrap_or(s.len());
    s.split_at(end)
}

/// Review state of one document, ordered from best to worst-tracked.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Next review is more than `warn_days` away.
    Current,
    /// Next review is within `warn_days`, the due date itself included.
    DueSoon,
    /// The due date has passed.
    Overdue,
    /// A controlled document with no review dates at all.
    NeverReviewed,
    /// An uncontrolled document with no review dates at all.
    Untracked,
}

impl ReviewStatus {
    /// Machine name, as serialized: `current`, `due_soon`, `overdue`,
    /// `never_reviewed`, `untracked`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReviewStatus::Current => "current",
            ReviewStatus::DueSoon => "due_soon",
            ReviewStatus::Overdue => "overdue",
            ReviewStatus::NeverReviewed => "never_reviewed",
            ReviewStatus::Untracked => "untracked",
        }
    }

    /// Human label for badges and reports.
    pub fn label(&self) -> &'static str {
        match self {
            ReviewStatus::Current => "Current",
            ReviewStatus::DueSoon => "Review due soon",
            ReviewStatus::Overdue => "Overdue",
            ReviewStatus::NeverReviewed => "Never reviewed",
            ReviewStatus::Untracked => "Not tracked",
        }
    }

    /// True for `Overdue` and `NeverReviewed`, which fail `trustsite check`.
    pub fn is_failing(&self) -> bool {
        matches!(self, ReviewStatus::Overdue | ReviewStatus::NeverReviewed)
    }
}

/// What the engine needs to know about one document.
#[derive(Debug, Clone, Copy)]
pub struct ReviewInput {
    /// Front-matter `controlled_document`.
    pub controlled: bool,
    /// Front-matter `last_reviewed`.
    pub last_reviewed: Option<Date>,
    /// Front-matter `next_review`: an explicit due date that wins over
    /// `last_reviewed` + `cycle`.
    pub next_review: Option<Date>,
    /// The document's `review_cycle`, or the site default.
    pub cycle: ReviewCycle,
}

/// The outcome of [`evaluate`] for one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Review {
    /// When the next review is due, if known.
    pub next_due: Option<Date>,
    /// The document's review status on the evaluated day.
    pub status: ReviewStatus,
    /// `next_due - today` in days (negative when overdue); `None` without
    /// `next_due`.
    pub days_left: Option<i64>,
}

/// Evaluates one document on `today` (SPEC "Review status").
///
/// `next_due` = `next_review` if given, else `last_reviewed` + `cycle`.
/// Current: `today < next_due - warn_days`; due soon:
/// `next_due - warn_days <= today <= next_due`; overdue: `today > next_due`.
/// Without any dates a controlled document is never reviewed and an
/// uncontrolled one untracked; an uncontrolled document with dates gets a
/// normal status. `warn_days < 0` counts as 0. A due date beyond jiff's range
/// (year 9999) cannot have passed: the status is current, `next_due` `None`.
pub fn evaluate(input: &ReviewInput, today: Date, warn_days: i64) -> Review {
    let computed = || input.last_reviewed.and_then(|d| input.cycle.add_to(d));
    let Some(due) = input.next_review.or_else(computed) else {
        return Review {
            next_due: None,
            status: undated_status(input),
            days_left: None,
        };
    };
    let days_left = days_between(today, due);
    let status = if days_left < 0 {
        ReviewStatus::Overdue
    } else if days_left <= warn_days.max(0) {
        ReviewStatus::DueSoon
    } else {
        ReviewStatus::Current
    };
    Review {
        next_due: Some(due),
        status,
        days_left: Some(days_left),
    }
}

/// Status of a document without a computable due date.
fn undated_status(input: &ReviewInput) -> ReviewStatus {
    let has_dates = input.last_reviewed.is_some() || input.next_review.is_some();
    match (has_dates, input.controlled) {
        (true, _) => ReviewStatus::Current,
        (false, true) => ReviewStatus::NeverReviewed,
        (false, false) => ReviewStatus::Untracked,
    }
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
fn days_between(from: Date, to: Date) -> i64 {
    match from.until(to) {
        Ok(span) => i64::from(span.get_days()),
        // Unreachable for valid dates; keep the sign right regardless.
        Err(_) if to < from => i64::MIN,
        Err(_) => i64::MAX,
    }
}

/// Today's civil date in the IANA time zone `timezone` at instant `now`
/// (2026-11-22T23:30Z is 2026-11-23 in Asia/Tokyo). Uses jiff's time zone
/// database (on Linux, `/usr/share/zoneinfo`); `UTC` always works. The error
/// names the zone.
pub fn today_in(timezone: &str, now: Timestamp) -> Result<Date, String> {
    let tz = TimeZone::get(timezone).map_err(|_| {
        format!(
            "unknown time zone `{timezone}`: expected an IANA name like `Europe/Berlin` or `UTC`"
        )
    })?;
    Ok(now.to_zoned(tz).date())
}

/// Parses a strict `YYYY-MM-DD` date: exactly four-digit year, two-digit
/// month and day, nothing before or after. The error says what was expected.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let Some((year, month, day)) = date_fields(s) else {
        return Err(format!(
            "invalid date `{s}`: expected YYYY-MM-DD, e.g. 2026-11-22"
        ));
    };
    if !(1..=12).contains(&month) {
        return Err(format!("invalid date `{s}`: there is no month {month:02}"));
    }
    Date::new(year, month, day)
        .map_err(|_| format!("invalid date `{s}`: {year:04}-{month:02} has no day {day:02}"))
}

/// Year, month and day of a string shaped exactly like `YYYY-MM-DD`.
fn date_fields(s: &str) -> Option<(i16, i8, i8)> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    let year = s.get(0..4)?.parse().ok()?;
    let month = s.get(5..7)?.parse().ok()?;
    let day = s.get(8..10)?.parse().ok()?;
    Some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A date from a `YYYY-MM-DD` literal.
    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// A cycle from `[years, months, weeks, days]`.
    fn cyc(parts: [u32; 4]) -> ReviewCycle {
        ReviewCycle::from_parts(parts)
    }

    #[test]
    fn parse_accepts() {
        let cases: &[(&str, [u32; 4])] = &[
            ("annual", [1, 0, 0, 0]),
            ("Annually", [1, 0, 0, 0]),
            ("YEARLY", [1, 0, 0, 0]),
            ("  annual  ", [1, 0, 0, 0]),
            ("semiannual", [0, 6, 0, 0]),
            ("Semi-Annual", [0, 6, 0, 0]),
            ("half-yearly", [0, 6, 0, 0]),
            ("quarterly", [0, 3, 0, 0]),
            ("monthly", [0, 1, 0, 0]),
            ("weekly", [0, 0, 1, 0]),
            ("6 months", [0, 6, 0, 0]),
            ("90 days", [0, 0, 0, 90]),
            ("1 day", [0, 0, 0, 1]),
            ("1 days", [0, 0, 0, 1]),
            ("1 year", [1, 0, 0, 0]),
            ("2 weeks", [0, 0, 2, 0]),
            ("1 week", [0, 0, 1, 0]),
            ("18 months", [0, 18, 0, 0]),
            ("6MONTHS", [0, 6, 0, 0]),
            (" 6   Months ", [0, 6, 0, 0]),
            ("\t90 DAYS\n", [0, 0, 0, 90]),
            ("1 year 6 months", [1, 6, 0, 0]),
            ("1 month 2 weeks", [0, 1, 2, 0]),
            ("1 year 0 months", [1, 0, 0, 0]),
            ("007 days", [0, 0, 0, 7]),
            ("P1Y", [1, 0, 0, 0]),
            ("P6M", [0, 6, 0, 0]),
            ("P2W", [0, 0, 2, 0]),
            ("P90D", [0, 0, 0, 90]),
            ("P1Y6M", [1, 6, 0, 0]),
            ("P1Y2M3W4D", [1, 2, 3, 4]),
            ("p1y6m", [1, 6, 0, 0]),
            (" P1Y ", [1, 0, 0, 0]),
            ("P0Y1D", [0, 0, 0, 1]),
        ];
        for (input, parts) in cases {
            assert_eq!(
                ReviewCycle::parse(input),
                Ok(cyc(*parts)),
                "input {input:?}"
            );
        }
        assert_eq!(ReviewCycle::parse("annual"), Ok(ReviewCycle::ANNUAL));
    }

    #[test]
    fn parse_rejects() {
        let cases: &[(&str, &str)] = &[
            ("", "review cycle is empty"),
            ("   ", "review cycle is empty"),
            (
                "fortnightly",
                "unknown review cycle `fortnightly`: expected annual",
            ),
            ("garbage!", "unknown review cycle `garbage!`"),
            ("every year", "unknown review cycle"),
            ("biannual", "ambiguous review cycle `biannual`"),
            ("Bi-Annually", "ambiguous"),
            ("biennial", "ambiguous"),
            ("0 days", "`0 days`: must be longer than zero"),
            ("0 years 0 months", "must be longer than zero"),
            ("-1 months", "`-1 months`: must be a positive span"),
            ("-P1Y", "must be a positive span"),
            ("+1 months", "unknown review cycle"),
            ("6", "missing unit"),
            ("6 fortnights", "unknown unit `fortnights`"),
            ("6 months 1 month", "months given more than once"),
            ("1 year, 6 months", "expected a number at `, 6 months`"),
            ("1.5 years", "missing unit"),
            ("99999999999 days", "number `99999999999` is too large"),
            ("20000 years", "span is too long"),
            ("P", "no duration after `P`"),
            ("PT1H", "time parts"),
            ("P1DT1H", "time parts"),
            ("P0D", "must be longer than zero"),
            ("P1", "expected ISO 8601 date parts"),
            ("PY", "expected ISO 8601 date parts"),
            ("P6M1Y", "expected ISO 8601 date parts"),
            ("P1Y1Y", "expected ISO 8601 date parts"),
            ("P1.5Y", "expected ISO 8601 date parts"),
            ("P1X", "expected ISO 8601 date parts"),
            ("P-1Y", "expected ISO 8601 date parts"),
        ];
        for (input, expected) in cases {
            let err = ReviewCycle::parse(input).unwrap_err();
            assert!(err.contains(expected), "input {input:?}: got {err:?}");
        }
    }

    #[test]
    fn add_to_calendar_arithmetic() {
        let cases: &[(&str, &str, &str)] = &[
            ("1 month", "2025-01-31", "2025-02-28"),
            ("1 month", "2024-01-31", "2024-02-29"),
            ("P1M", "2026-03-31", "2026-04-30"),
            ("P1M", "2026-01-15", "2026-02-15"),
            ("annual", "2024-02-29", "2025-02-28"),
            ("P4Y", "2024-02-29", "2028-02-29"),
            ("annual", "2026-11-22", "2027-11-22"),
            ("6 months", "2026-08-31", "2027-02-28"),
            ("semiannual", "2027-08-31", "2028-02-29"),
            ("quarterly", "2026-11-30", "2027-02-28"),
            ("P1Y6M", "2026-08-31", "2028-02-29"),
            ("P1Y6M", "2025-01-15", "2026-07-15"),
            ("18 months", "2026-08-31", "2028-02-29"),
            ("90 days", "2026-01-01", "2026-04-01"),
            ("90 days", "2024-01-01", "2024-03-31"),
            ("2 weeks", "2026-12-25", "2027-01-08"),
            ("weekly", "2026-02-25", "2026-03-04"),
            // Months first (clamped once), then days.
            ("1 month 1 day", "2026-01-31", "2026-03-01"),
            ("P1M1W", "2026-01-31", "2026-03-07"),
        ];
        for (cycle, from, to) in cases {
            let cycle = ReviewCycle::parse(cycle).unwrap();
            assert_eq!(cycle.add_to(d(from)), Some(d(to)), "{cycle:?} + {from}");
        }
    }

    #[test]
    fn add_to_overflow_is_none() {
        let cases: &[(ReviewCycle, &str)] = &[
            (cyc([0, 0, 0, 1]), "9999-12-31"),
            (ReviewCycle::ANNUAL, "9999-01-01"),
            (cyc([u32::MAX, 0, 0, 0]), "2026-01-01"),
            (cyc([0, 0, u32::MAX, u32::MAX]), "2026-01-01"),
        ];
        for (cycle, from) in cases {
            assert_eq!(cycle.add_to(d(from)), None, "{cycle:?} + {from}");
        }
        assert_eq!(cyc([0; 4]).add_to(d("2026-01-01")), Some(d("2026-01-01")));
    }

    #[test]
    fn labels() {
        let cases: &[([u32; 4], &str)] = &[
            ([1, 0, 0, 0], "annual"),
            ([0, 6, 0, 0], "semiannual"),
            ([0, 3, 0, 0], "quarterly"),
            ([0, 1, 0, 0], "monthly"),
            ([0, 0, 1, 0], "weekly"),
            ([0, 0, 0, 90], "90 days"),
            ([0, 0, 0, 1], "1 day"),
            ([0, 18, 0, 0], "18 months"),
            ([0, 12, 0, 0], "12 months"),
            ([2, 0, 0, 0], "2 years"),
            ([1, 6, 0, 0], "1 year 6 months"),
            ([0, 0, 2, 0], "2 weeks"),
            ([1, 2, 3, 4], "1 year 2 months 3 weeks 4 days"),
            ([0; 4], "0 days"),
        ];
        for (parts, label) in cases {
            assert_eq!(cyc(*parts).label(), *label);
            if *parts != [0; 4] {
                assert_eq!(
                    ReviewCycle::parse(label),
                    Ok(cyc(*parts)),
                    "round trip {label}"
                );
            }
        }
    }

    #[test]
    fn status_names() {
        use ReviewStatus::*;
        let cases = [
            (Current, "current", "Current", false),
            (DueSoon, "due_soon", "Review due soon", false),
            (Overdue, "overdue", "Overdue", true),
            (NeverReviewed, "never_reviewed", "Never reviewed", true),
            (Untracked, "untracked", "Not tracked", false),
        ];
        for (status, name, label, failing) in cases {
            assert_eq!(status.as_str(), name);
            assert_eq!(status.label(), label);
            assert_eq!(status.is_failing(), failing, "{status:?}");
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{name}\""));
        }
    }

    /// One `evaluate` case: inputs, then the expected outcome.
    struct Case {
        name: &'static str,
        controlled: bool,
        last: Option<&'static str>,
        next: Option<&'static str>,
        today: &'static str,
        warn: i64,
        due: Option<&'static str>,
        status: ReviewStatus,
        left: Option<i64>,
    }

    /// A controlled document reviewed on 2025-11-30 (annual: due 2026-11-30).
    const fn at(name: &'static str, today: &'static str, warn: i64) -> Case {
        Case {
            name,
            controlled: true,
            last: Some("2025-11-30"),
            next: None,
            today,
            warn,
            due: Some("2026-11-30"),
            status: ReviewStatus::Current,
            left: None,
        }
    }

    /// Sets the expected status and days left.
    const fn expect(case: Case, status: ReviewStatus, left: i64) -> Case {
        Case {
            status,
            left: Some(left),
            ..case
        }
    }

    fn evaluate_cases() -> Vec<Case> {
        use ReviewStatus::*;
        let undated = |name, controlled, status| Case {
            name,
            controlled,
            last: None,
            next: None,
            today: "2026-11-22",
            warn: 30,
            due: None,
            status,
            left: None,
        };
        vec![
            expect(at("well before", "2026-01-01", 30), Current, 333),
            expect(at("due - warn - 1", "2026-10-30", 30), Current, 31),
            expect(at("due - warn", "2026-10-31", 30), DueSoon, 30),
            expect(at("due - 1", "2026-11-29", 30), DueSoon, 1),
            expect(at("due", "2026-11-30", 30), DueSoon, 0),
            expect(at("due + 1", "2026-12-01", 30), Overdue, -1),
            expect(at("long overdue", "2027-11-30", 30), Overdue, -365),
            expect(at("warn 0, due - 1", "2026-11-29", 0), Current, 1),
            expect(at("warn 0, due", "2026-11-30", 0), DueSoon, 0),
            expect(at("warn 0, due + 1", "2026-12-01", 0), Overdue, -1),
            expect(at("warn < 0 is 0", "2026-11-29", -5), Current, 1),
            expect(at("warn < 0, due", "2026-11-30", -5), DueSoon, 0),
            expect(at("huge warn", "2000-01-01", i64::MAX), DueSoon, 9830),
            Case {
                next: Some("2027-03-01"),
                due: Some("2027-03-01"),
                ..expect(at("next_review wins", "2026-12-15", 30), Current, 76)
            },
            Case {
                next: Some("2026-06-01"),
                due: Some("2026-06-01"),
                ..expect(at("next_review earlier", "2026-07-01", 30), Overdue, -30)
            },
            Case {
                last: None,
                next: Some("2026-12-01"),
                due: Some("2026-12-01"),
                ..expect(at("only next_review", "2026-11-22", 30), DueSoon, 9)
            },
            undated("never reviewed", true, NeverReviewed),
            undated("untracked", false, Untracked),
            Case {
                controlled: false,
                ..expect(at("uncontrolled with dates", "2026-12-01", 30), Overdue, -1)
            },
            Case {
                controlled: false,
                ..expect(at("uncontrolled current", "2026-01-01", 30), Current, 333)
            },
            Case {
                last: Some("9999-06-01"),
                due: None,
                ..at("due beyond range", "2026-11-22", 30)
            },
        ]
    }

    #[test]
    fn evaluate_table() {
        for case in evaluate_cases() {
            let input = ReviewInput {
                controlled: case.controlled,
                last_reviewed: case.last.map(d),
                next_review: case.next.map(d),
                cycle: ReviewCycle::ANNUAL,
            };
            let want = Review {
                next_due: case.due.map(d),
                status: case.status,
                days_left: case.left,
            };
            let got = evaluate(&input, d(case.today), case.warn);
            assert_eq!(got, want, "case {:?}", case.name);
        }
    }

    #[test]
    fn evaluate_uses_cycle() {
        let input = ReviewInput {
            controlled: true,
            last_reviewed: Some(d("2026-01-31")),
            next_review: None,
            cycle: ReviewCycle::parse("P1M").unwrap(),
        };
        let got = evaluate(&input, d("2026-02-28"), 0);
        assert_eq!(got.next_due, Some(d("2026-02-28")));
        assert_eq!(got.status, ReviewStatus::DueSoon);
    }

    #[test]
    fn today_in_zones() {
        let cases: &[(&str, &str, &str)] = &[
            ("UTC", "2026-11-22T23:30:00Z", "2026-11-22"),
            ("utc", "2026-11-22T23:30:00Z", "2026-11-22"),
            ("Asia/Tokyo", "2026-11-22T23:30:00Z", "2026-11-23"),
            ("Asia/Tokyo", "2026-11-22T14:59:59Z", "2026-11-22"),
            ("Asia/Tokyo", "2026-11-22T15:00:00Z", "2026-11-23"),
            ("America/Los_Angeles", "2026-11-23T07:30:00Z", "2026-11-22"),
            ("America/Los_Angeles", "2026-11-23T08:00:00Z", "2026-11-23"),
            // Daylight saving time: UTC-7 in July.
            ("America/Los_Angeles", "2026-07-02T06:59:59Z", "2026-07-01"),
            ("America/Los_Angeles", "2026-07-02T07:00:00Z", "2026-07-02"),
            ("Europe/Berlin", "2026-12-31T23:00:00Z", "2027-01-01"),
        ];
        for (zone, now, want) in cases {
            let now: Timestamp = now.parse().unwrap();
            assert_eq!(today_in(zone, now), Ok(d(want)), "{zone} at {now}");
        }
    }

    #[test]
    fn today_in_unknown_zone() {
        let now: Timestamp = "2026-11-22T23:30:00Z".parse().unwrap();
        for zone in ["Mars/Olympus_Mons", "", "Not a zone"] {
            let err = today_in(zone, now).unwrap_err();
            assert!(err.contains(&format!("`{zone}`")), "{zone:?}: {err}");
        }
    }

    #[test]
    fn parse_date_accepts() {
        let cases = ["2026-11-22", "2024-02-29", "0001-01-01", "9999-12-31"];
        for input in cases {
            assert_eq!(parse_date(input), Ok(d(input)), "{input}");
        }
    }

    #[test]
    fn parse_date_rejects() {
        let shape = "expected YYYY-MM-DD";
        let cases: &[(&str, &str)] = &[
            ("2026-02-30", "2026-02 has no day 30"),
            ("2025-02-29", "2025-02 has no day 29"),
            ("2026-04-31", "has no day 31"),
            ("2026-01-00", "has no day 00"),
            ("2026-13-01", "there is no month 13"),
            ("2026-00-10", "there is no month 00"),
            ("2026-2-3", shape),
            ("2026-02-03T00:00", shape),
            ("2026-02-03 ", shape),
            (" 2026-02-03", shape),
            ("26-02-03", shape),
            ("2026/02/03", shape),
            ("20260203", shape),
            ("+2026-02-03", shape),
            ("2026-0a-03", shape),
            ("２０２６-02-03", shape),
            ("", shape),
        ];
        for (input, expected) in cases {
            let err = parse_date(input).unwrap_err();
            assert!(err.contains(expected), "{input:?}: got {err:?}");
            assert!(
                err.contains(&format!("`{input}`")),
                "{input:?}: got {err:?}"
            );
        }
    }

    #[test]
    fn review_in_accepts_what_tech_docs_accepts() {
        let c = |s: &str| parse_review_in(s).map(|c| c.label());
        assert_eq!(c("six months").unwrap(), "semiannual");
        assert_eq!(c("6 months").unwrap(), "semiannual");
        assert_eq!(c("1 fortnight").unwrap(), "2 weeks");
        assert_eq!(c("0 days").unwrap(), "0 days");
        assert_eq!(c("a year").unwrap(), "annual");
        assert_eq!(c("1 month").unwrap(), "monthly");
        assert_eq!(c("twenty-one days").unwrap(), "21 days");
        assert_eq!(c("1 year and 6 months").unwrap(), "1 year 6 months");
        assert_eq!(c("3 weeks").unwrap(), "3 weeks");
        assert!(c("soon").unwrap_err().contains("`soon`"));
        assert!(c("months").is_err());
        let zero = parse_review_in("0 days").unwrap();
        let d = parse_date("2026-03-01").unwrap();
        assert_eq!(zero.add_to(d), Some(d));
    }
}
