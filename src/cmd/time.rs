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

/// `SOURCE_DATE_EPOCH` when set (and not blank).
fn epoch() -> Result<Option<Timestamp>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            let secs: i64 = v
                .trim()
                .parse()
                .map_err(|_| format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds"))?;
            Timestamp::from_second(secs)
                .map(Some)
                .map_err(|e| format!("SOURCE_DATE_EPOCH `{v}`: {e}"))
        }
        _ => Ok(None),
    }
}

/// "Now" for `verify --max-age`: `SOURCE_DATE_EPOCH` when set, else the clock.
pub fn now() -> Result<Timestamp, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds")),
        _ => Ok(Timestamp::now()),
    }
}
