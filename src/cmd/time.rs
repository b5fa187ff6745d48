//! Time at the command-line edge: the only place trustsite reads the clock.
//!
//! `--today` pins the date; `SOURCE_DATE_EPOCH` pins the build instant (and
//! the date, when `--today` is absent); otherwise the system clock is read
//! and "today" is taken in the site's time zone (by [`When::today_in`]).

use crate::when::When;
use jiff::Timestamp;
use jiff::civil::Date;

/// The build instant and pinned date of a run starting now.
pub fn read(today: Option<Date>) -> Result<When, String> {
    let build_time = match (epoch()?, today) {
        (Some(t), _) => t,
        (None, Some(d)) => d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| e.to_string())?
            .timestamp(),
        (None, None) => Timestamp::now(),
    };
    Ok(When { build_time, today })
}

/// "Now" for `verify --max-age`: `SOURCE_DATE_EPOCH` when set, else the clock.
pub fn now() -> Result<Timestamp, String> {
    Ok(epoch()?.unwrap_or_else(Timestamp::now))
}

/// `SOURCE_DATE_EPOCH` when set (and not blank).
fn epoch() -> Result<Option<Timestamp>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => parse_epoch(&v).map(Some),
        _ => Ok(None),
    }
}

/// A `SOURCE_DATE_EPOCH` value: whole seconds since 1970 (UTC).
fn parse_epoch(v: &str) -> Result<Timestamp, String> {
    let secs: i64 = v
        .trim()
        .parse()
        .map_err(|_| format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds"))?;
    Timestamp::from_second(secs).map_err(|e| format!("SOURCE_DATE_EPOCH `{v}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_is_whole_seconds() {
        let t = parse_epoch(" 1795305600\n").unwrap();
        assert_eq!(t.to_string(), "2026-11-22T00:00:00Z");
        let soon = parse_epoch("soon").unwrap_err();
        assert_eq!(soon, "SOURCE_DATE_EPOCH `soon` is not a number of seconds");
        assert!(parse_epoch("1.5").is_err());
        let far = parse_epoch("99999999999999").unwrap_err();
        assert!(
            far.starts_with("SOURCE_DATE_EPOCH `99999999999999`: "),
            "{far}"
        );
    }
}
