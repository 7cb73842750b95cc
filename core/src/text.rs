//! Fast text for the two kinds of value every answer is full of: amounts and
//! times. An `update_stock` answer carries six amounts and one time; through
//! `Display` and serde's `collect_str` they cost about a third of the whole
//! JSON path (the formatter machinery, then escaping every piece it writes).
//! Here they are written into a stack buffer and handed to the serializer as
//! one plain string.
//!
//! The bytes are exactly those of the slow path, which stays as the fallback
//! for what the fast path does not cover (amounts past 64 bits of mantissa,
//! years outside 0..=9999, leap seconds); tests compare both on many values.

use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_decimal::Decimal;
use serde::Serializer;

/// A small stack buffer for one value's text.
pub(crate) struct Buf {
    bytes: [u8; 48],
    len: usize,
}

impl Buf {
    fn new() -> Self {
        Buf {
            bytes: [0; 48],
            len: 0,
        }
    }

    #[inline]
    fn push(&mut self, b: u8) {
        self.bytes[self.len] = b;
        self.len += 1;
    }

    /// `n` as decimal digits, at least `width` of them (zero-padded).
    fn digits(&mut self, mut n: u64, width: usize) {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        while n > 0 || tmp.len() - i < width.max(1) {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        let d = &tmp[i..];
        self.bytes[self.len..self.len + d.len()].copy_from_slice(d);
        self.len += d.len();
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, '-', '.', ':', 'T' and 'Z' are ever pushed.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

/// The text of a decimal exactly as `Decimal`'s `Display` writes it (sign,
/// digits, a point when the scale is above zero), or `None` when its
/// mantissa does not fit 64 bits (then the caller takes the slow path).
pub(crate) fn decimal(d: Decimal) -> Option<Buf> {
    let m = d.mantissa();
    let u = u64::try_from(m.unsigned_abs()).ok()?;
    let scale = d.scale() as usize;
    let mut b = Buf::new();
    if d.is_sign_negative() {
        b.push(b'-');
    }
    if scale == 0 {
        b.digits(u, 1);
        return Some(b);
    }
    let pow = 10u64.checked_pow(scale as u32)?;
    b.digits(u / pow, 1);
    b.push(b'.');
    b.digits(u % pow, scale);
    Some(b)
}

/// Serializes a decimal as its `Display` text in one string.
pub(crate) fn serialize_decimal<S: Serializer>(
    d: Decimal,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match decimal(d) {
        Some(b) => s.serialize_str(b.as_str()),
        None => s.collect_str(&d),
    }
}

/// The text chrono's serde writes for a UTC time (RFC 3339, `Z`, fraction
/// only when there is one, in 3, 6 or 9 digits), for years 0..=9999 and
/// times that are not leap seconds; `None` otherwise.
pub(crate) fn utc(t: &DateTime<Utc>) -> Option<Buf> {
    let (year, nanos) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut b = Buf::new();
    b.digits(year as u64, 4);
    b.push(b'-');
    b.digits(u64::from(t.month()), 2);
    b.push(b'-');
    b.digits(u64::from(t.day()), 2);
    b.push(b'T');
    b.digits(u64::from(t.hour()), 2);
    b.push(b':');
    b.digits(u64::from(t.minute()), 2);
    b.push(b':');
    b.digits(u64::from(t.second()), 2);
    if nanos != 0 {
        b.push(b'.');
        if nanos % 1_000_000 == 0 {
            b.digits(u64::from(nanos / 1_000_000), 3);
        } else if nanos % 1_000 == 0 {
            b.digits(u64::from(nanos / 1_000), 6);
        } else {
            b.digits(u64::from(nanos), 9);
        }
    }
    b.push(b'Z');
    Some(b)
}

/// `serialize_with` for a UTC time: chrono's text, written fast.
pub fn serialize_utc<S: Serializer>(
    t: &DateTime<Utc>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match utc(t) {
        Some(b) => s.serialize_str(b.as_str()),
        None => serde::Serialize::serialize(t, s),
    }
}

/// `serialize_with` for an optional UTC time.
pub fn serialize_opt_utc<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize_utc(t, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn slow_decimal(d: Decimal) -> String {
        d.to_string()
    }

    fn slow_utc(t: &DateTime<Utc>) -> String {
        serde_json::to_string(t).unwrap_or_default()
    }

    fn fast_utc(t: &DateTime<Utc>) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::new(&mut out);
        let _ = serialize_utc(t, &mut ser);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn decimals_read_as_display_writes_them() {
        let cases = [
            "0",
            "-0",
            "0.00",
            "-0.00",
            "1",
            "-1",
            "0.5",
            "-0.5",
            "0.000001",
            "12.50",
            "670.00",
            "999999999999.999999",
            "-999999999999.999999",
            "18446744073709551615",
            "-18446744073709551615",
            "1844674407370955161.5",
            "0.0000000000000000000000000001",
        ];
        for c in cases {
            let d: Decimal = c.parse().unwrap_or_default();
            let fast = decimal(d).map(|b| b.as_str().to_string());
            if let Some(f) = fast {
                assert_eq!(f, slow_decimal(d), "{c}");
            }
        }
        // Past 64 bits of mantissa there is no fast text: the slow path writes it.
        let big: Decimal = "18446744073709551616".parse().unwrap_or_default();
        assert!(decimal(big).is_none());
        assert!(decimal(Decimal::MAX).is_none());
    }

    #[test]
    fn times_read_as_chrono_writes_them() {
        let base = Utc
            .with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
            .single()
            .unwrap_or_default();
        let nanos = [
            0,
            1,
            999,
            1_000,
            1_001,
            1_000_000,
            5_000_000,
            123_456_000,
            123_456_789,
            999_999_999,
        ];
        for n in nanos {
            let t = base + Duration::nanoseconds(n);
            assert_eq!(fast_utc(&t), slow_utc(&t), "{n}");
        }
        for t in [
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).single(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single(),
            Utc.with_ymd_and_hms(-1, 6, 1, 0, 0, 0).single(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).single(),
            Some(DateTime::<Utc>::MIN_UTC),
            Some(DateTime::<Utc>::MAX_UTC),
        ]
        .into_iter()
        .flatten()
        {
            assert_eq!(fast_utc(&t), slow_utc(&t), "{t:?}");
        }
        // A leap second (nanos past 1e9) goes the slow way and still agrees.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .map(|n| n.and_utc());
        if let Some(leap) = leap {
            assert!(utc(&leap).is_none());
            assert_eq!(fast_utc(&leap), slow_utc(&leap));
        }
    }

    proptest! {
        #[test]
        fn any_decimal_reads_as_display_writes_it(m in any::<i64>(), scale in 0u32..=28) {
            let d = Decimal::from_i128_with_scale(i128::from(m), scale);
            let fast = decimal(d).map(|b| b.as_str().to_string());
            if let Some(f) = fast {
                prop_assert_eq!(f, slow_decimal(d));
            } else {
                prop_assert!(scale > 19, "{} scale {}", m, scale);
            }
        }

        #[test]
        fn any_time_reads_as_chrono_writes_it(secs in -62_167_219_200i64..253_402_300_799, nanos in 0u32..1_000_000_000) {
            if let Some(t) = DateTime::<Utc>::from_timestamp(secs, nanos) {
                prop_assert_eq!(fast_utc(&t), slow_utc(&t));
            }
        }
    }
}
