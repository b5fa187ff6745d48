//! Time at the CLI edge: the only place trustsite reads the clock.
//!
//! `--today` pins the date; `SOURCE_DATE_EPOCH` pins the build instant (and
//! the date, when `--today` is absent); otherwise the system clock is read
//! once and "today" is taken in the site's time zone.

use jiff::Timestamp;
use jiff::civil::Date;

/// The build instant and "today" for one run.
pub fn resolve(today: Option<Date>, timezone: &str) -> Result<(Timestamp, Date), String> {
    let epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            let secs: i64 = v
                .trim()
                .parse()
                .map_err(|_| format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds"))?;
            Some(
                Timestamp::from_second(secs)
                    .map_err(|e| format!("SOURCE_DATE_EPOCH `{v}`: {e}"))?,
            )
        }
        _ => None,
    };
    let build_time = match (epoch, today) {
        (Some(t), _) => t,
        (None, Some(d)) => d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| e.to_string())?
            .timestamp(),
        (None, None) => Timestamp::now(),
    };
    let today = match today {
        Some(d) => d,
        None => crate::review::today_in(timezone, build_time)?,
    };
    Ok((build_time, today))
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
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
