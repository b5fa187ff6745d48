//! When a run happens, as the library sees it: the build instant and the
//! pinned "today", read once at the command-line edge (`cmd::time`). Nothing
//! below the commands reads the clock or `SOURCE_DATE_EPOCH`.

use jiff::Timestamp;
use jiff::civil::Date;

/// The build instant and, when pinned (`--today`), the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    /// The build instant (`SOURCE_DATE_EPOCH`, midnight UTC of `--today`,
    /// or the clock).
    pub build_time: Timestamp,
    /// `--today`, when given.
    pub today: Option<Date>,
}

impl When {
    /// "Today": the pinned date, else the build instant's date in `timezone`
    /// (the error names an unknown zone).
    pub fn today_in(&self, timezone: &str) -> Result<Date, String> {
        match self.today {
            Some(d) => Ok(d),
            None => crate::review::today_in(timezone, self.build_time),
        }
    }
}

/// Serialises a date as `YYYY-MM-DD`, or null (for `serialize_with`).
pub fn day_or_null<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_pinned_or_taken_in_the_time_zone() {
        let build_time: Timestamp = "2026-11-22T23:30:00Z".parse().unwrap();
        let when = When {
            build_time,
            today: None,
        };
        assert_eq!(when.today_in("UTC").unwrap().to_string(), "2026-11-22");
        assert_eq!(
            when.today_in("Asia/Tokyo").unwrap().to_string(),
            "2026-11-23"
        );
        assert!(
            when.today_in("Mars/Base")
                .unwrap_err()
                .contains("Mars/Base")
        );
        let pinned = When {
            today: Some(jiff::civil::date(2026, 1, 2)),
            ..when
        };
        assert_eq!(
            pinned.today_in("Asia/Tokyo").unwrap().to_string(),
            "2026-01-02"
        );
        assert_eq!(rfc3339(build_time), "2026-11-22T23:30:00Z");
    }
}
