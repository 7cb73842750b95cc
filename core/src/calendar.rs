//! Calendar dates as the whole Earth sees them at one moment.
//!
//! `now` is UTC, but people type dates of their own wall calendar, anywhere
//! from UTC-12 to UTC+14: a rule judged by the UTC date alone refuses a
//! clerk's own "today", or acts a day early, somewhere. Rules about typed
//! dates (received dates, due dates) take their bounds from here.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The earliest calendar date anywhere at `t` (UTC-12): a date before it
/// has ended everywhere.
pub(crate) fn earliest_date(t: DateTime<Utc>) -> NaiveDate {
    t.checked_sub_signed(Duration::hours(12))
        .map_or(t.date_naive(), |e| e.date_naive())
}

/// The latest calendar date anywhere at `t` (UTC+14): a date after it has
/// come nowhere yet.
pub(crate) fn latest_date(t: DateTime<Utc>) -> NaiveDate {
    t.checked_add_signed(Duration::hours(14))
        .map_or(t.date_naive(), |l| l.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dates_at_the_edges_of_the_earth() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(earliest_date(at("2026-03-07T11:59:00Z")), day("2026-03-06"));
        assert_eq!(earliest_date(at("2026-03-07T12:00:00Z")), day("2026-03-07"));
        assert_eq!(latest_date(at("2026-03-07T09:59:00Z")), day("2026-03-07"));
        assert_eq!(latest_date(at("2026-03-07T10:00:00Z")), day("2026-03-08"));
        // At the ends of time the UTC date stands.
        assert_eq!(
            earliest_date(DateTime::<Utc>::MIN_UTC),
            DateTime::<Utc>::MIN_UTC.date_naive()
        );
        assert_eq!(
            latest_date(DateTime::<Utc>::MAX_UTC),
            DateTime::<Utc>::MAX_UTC.date_naive()
        );
    }
}
