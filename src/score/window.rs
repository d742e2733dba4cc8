//! The time window: `--since 90d|DATE`, `--until DATE`, dates in UTC.

use crate::error::InputError;
use serde::Serialize;

const DAY: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Window {
    /// First second inside the window (UTC, seconds since the epoch).
    #[serde(skip)]
    pub(crate) since: i64,
    /// Last second inside the window.
    #[serde(skip)]
    pub(crate) until: i64,
}

impl Window {
    /// `since` is a duration back from `until` (`90d`, `12w`, `6m`, `1y`) or a
    /// date; `until` is a date (its whole day counts) or, when absent, `now`.
    pub(crate) fn parse(since: &str, until: Option<&str>, now: i64) -> Result<Window, InputError> {
        let until = match until {
            Some(text) => parse_date(text, "--until")? + DAY - 1,
            None => now,
        };
        let since = match parse_duration(since) {
            Some(seconds) => until - seconds + 1,
            None => parse_date(since, "--since")?,
        };
        if since > until {
            return Err(InputError::new(format!(
                "the window is empty: --since {} is after --until {}",
                format_date(since),
                format_date(until)
            ))
            .help("pass a --since date before the --until date"));
        }
        Ok(Window { since, until })
    }

    pub(crate) fn contains(&self, time: i64) -> bool {
        time >= self.since && time <= self.until
    }

    pub(crate) fn since_date(&self) -> String {
        format_date(self.since)
    }

    pub(crate) fn until_date(&self) -> String {
        format_date(self.until)
    }

    /// Monday-aligned weeks covering the window: (start of week, label).
    pub(crate) fn weeks(&self) -> Vec<i64> {
        let first = week_start(self.since);
        let mut weeks = Vec::new();
        let mut start = first;
        while start <= self.until {
            weeks.push(start);
            start += 7 * DAY;
        }
        weeks
    }

    /// Index of the week holding `time` in [`Window::weeks`].
    pub(crate) fn week_index(&self, time: i64) -> usize {
        ((week_start(time) - week_start(self.since)) / (7 * DAY)).max(0) as usize
    }
}

/// Times of days jiff's calendar holds (years -9999..=9999), with room to
/// spare: within these, a week's start is plain arithmetic.
const PLAIN_TIMES: std::ops::RangeInclusive<i64> = -377_000_000_000..=253_000_000_000;

/// The Monday 00:00 UTC on or before `time`.
fn week_start(time: i64) -> i64 {
    // Unix time has no leap seconds, so every day is 86,400 s and
    // 1970-01-01 was a Thursday: the calendar (twice per commit of a long
    // history) only matters at the ends of its range, where it clamps.
    if PLAIN_TIMES.contains(&time) {
        let day = time.div_euclid(DAY);
        return (day - (day + 3).rem_euclid(7)) * DAY;
    }
    week_start_by_calendar(time)
}

fn week_start_by_calendar(time: i64) -> i64 {
    let date = date_of(time);
    let monday = date
        .checked_sub(jiff::Span::new().days(date.weekday().to_monday_zero_offset()))
        .unwrap_or(date);
    midnight(monday)
}

/// The UTC calendar day of a time; times jiff cannot represent (beyond
/// years -9999..9999) are clamped to its range.
fn date_of(time: i64) -> jiff::civil::Date {
    let timestamp = jiff::Timestamp::from_second(time).unwrap_or(if time < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    });
    timestamp.to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// 00:00 UTC of `date`, seconds since the epoch.
fn midnight(date: jiff::civil::Date) -> i64 {
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(0, |zoned| zoned.timestamp().as_second())
}

fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    if number < 0 {
        return None;
    }
    let days = match unit {
        'd' => 1,
        'w' => 7,
        'm' => 30,
        'y' => 365,
        _ => return None,
    };
    Some(number * days * DAY)
}

/// `YYYY-MM-DD` at 00:00 UTC.
pub(crate) fn parse_date(text: &str, flag: &str) -> Result<i64, InputError> {
    let error = || {
        InputError::new(format!("{flag} {text}: not a date or a duration"))
            .help("use a date like 2026-01-31 or a duration like 30d, 12w, 6m or 1y")
    };
    let date: jiff::civil::Date = text.trim().parse().map_err(|_| error())?;
    if !(1970..=9999).contains(&date.year()) {
        return Err(error());
    }
    Ok(midnight(date))
}

/// `YYYY-MM-DD` of a time (UTC).
pub(crate) fn format_date(time: i64) -> String {
    date_of(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let t = parse_date("2026-03-01", "--since").unwrap();
        assert_eq!(format_date(t), "2026-03-01");
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(t + DAY - 1), "2026-03-01");
    }

    #[test]
    fn durations_count_back_from_until() {
        let w = Window::parse("7d", Some("2026-03-07"), 0).unwrap();
        assert_eq!(w.since_date(), "2026-03-01");
        assert_eq!(w.until_date(), "2026-03-07");
        let w = Window::parse("2026-01-01", Some("2026-01-31"), 0).unwrap();
        assert!(w.contains(parse_date("2026-01-31", "").unwrap() + 3600));
        assert!(!w.contains(parse_date("2026-02-01", "").unwrap()));
    }

    #[test]
    fn bad_input_says_what_to_write() {
        let err = Window::parse("yesterday", None, 0).unwrap_err();
        assert!(err.message.contains("--since yesterday"), "{err:?}");
        assert!(Window::parse("2026-02-01", Some("2026-01-01"), 0).is_err());
        assert!(parse_date("2026-13-01", "--until").is_err());
        assert!(parse_date("2026-02-30", "--until").is_err());
    }

    #[test]
    fn week_starts_by_arithmetic_are_the_calendar_s() {
        let ends = [*PLAIN_TIMES.start(), *PLAIN_TIMES.end()];
        let mut times: Vec<i64> = ends.iter().flat_map(|t| [t - 1, *t, t + 1]).collect();
        times.extend([-DAY - 1, -DAY, -1, 0, 1, DAY - 1, DAY, 3 * DAY, 4 * DAY - 1]);
        // A stride that is no multiple of a day or a week.
        let mut time = *PLAIN_TIMES.start();
        while time < *PLAIN_TIMES.end() {
            times.push(time);
            time += 7_777_777_777;
        }
        let mut time = 946_684_800 - 1000 * DAY;
        while time < 946_684_800 + 20_000 * DAY {
            times.push(time);
            time += 37 * 3600 + 61;
        }
        for time in times {
            assert_eq!(week_start(time), week_start_by_calendar(time), "{time}");
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-04 is a Wednesday.
        let w = Window::parse("2026-03-04", Some("2026-03-16"), 0).unwrap();
        let weeks: Vec<String> = w.weeks().into_iter().map(format_date).collect();
        assert_eq!(weeks, ["2026-03-02", "2026-03-09", "2026-03-16"]);
        assert_eq!(w.week_index(parse_date("2026-03-10", "").unwrap()), 1);
    }
}
