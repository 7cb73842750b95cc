//! # stockbook-native
//!
//! Stockbook on a server or a workstation: the [`sqlite::SqliteStore`] that
//! keeps the core's records in one SQLite file, the [`engine`] seam the CLI
//! talks through, the `stockbook` command line ([`cli`]), and the wasmtime
//! host that runs the core's `.wasm` ([`wasmhost`]).

pub mod cli;
pub mod engine;
pub mod server;
pub mod slips;
pub mod sqlite;
pub mod wasmhost;

/// The host's clock (the core never reads one; the host passes `now`).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
}

/// A time as the host sends it in a request's `now`: RFC 3339 in UTC with
/// microseconds. One form for every request a host makes, so times a CLI
/// import stored and times the server stored compare alike.
pub fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// [`now`] as [`time_text`].
pub fn now_text() -> String {
    time_text(now())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn request_times_are_utc_with_microseconds() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(super::time_text(t), "2026-03-02T09:00:00.123456Z");
    }
}
