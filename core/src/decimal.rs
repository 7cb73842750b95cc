//! Exact quantities and money.
//!
//! Binary floats lose cents, so every amount is a [`rust_decimal::Decimal`]. On the
//! wire an amount travels as a JSON string (`"0.45"`); a whole JSON number (`5`) is
//! accepted on input because hand-written requests use them, but a fractional JSON
//! number (`0.45`) is refused: by the time we see it, it has already been through a
//! binary float in somebody's parser.

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Most digits allowed before the decimal point (RULES §8).
pub const MAX_INTEGER_DIGITS: u32 = 12;
/// Most digits allowed after the decimal point (RULES §8).
pub const MAX_SCALE: u32 = 6;

/// How many digits a decimal may have before and after the point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Digits before the point.
    pub integer_digits: u32,
    /// Digits after the point.
    pub scale: u32,
}

/// What a request may carry (RULES §8).
pub const INPUT: Limits = Limits {
    integer_digits: MAX_INTEGER_DIGITS,
    scale: MAX_SCALE,
};

/// What a stored quantity the engine computed may hold: stock levels,
/// received and returned quantities, balances are sums of inputs, so they
/// outgrow §8 (a million receipts of 10^12). The engine refuses a change that
/// would take a stock level past this (see [`crate::ledger::put_level`]);
/// sums of them stay far from `Decimal`'s own range (~7.9 x 10^28).
pub const STORED_QUANTITY: Limits = Limits {
    integer_digits: 18,
    scale: MAX_SCALE,
};

/// What a stored money total may hold: a sum of at most 1,000 lines of
/// quantity x price, each under 10^24 with at most 12 decimals.
pub const STORED_MONEY: Limits = Limits {
    integer_digits: 27,
    scale: 2 * MAX_SCALE,
};

/// Why a textual amount was refused; the message ends up in `invalid_field`.
pub fn check_limits(d: Decimal) -> Result<Decimal, String> {
    check(d, INPUT)
}

/// Powers of ten up to 10^38 (the largest an `i128` holds).
const POW10: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// [`check_limits`] against any [`Limits`]. On the mantissa: `|d| < 10^n`
/// is `|mantissa| < 10^(n + scale)` (a few instructions, where building
/// and comparing a `Decimal` bound cost a stock change ~150).
pub fn check(d: Decimal, limits: Limits) -> Result<Decimal, String> {
    if d.scale() > limits.scale {
        return Err(format!("at most {} digits after the point", limits.scale));
    }
    let e = (limits.integer_digits + d.scale()) as usize;
    // A mantissa has 96 bits (< 10^29): past that exponent nothing is too big.
    if e < POW10.len() && d.mantissa().unsigned_abs() >= POW10[e] {
        return Err(format!(
            "at most {} digits before the point",
            limits.integer_digits
        ));
    }
    Ok(d)
}

/// Parses a decimal string the way the protocol accepts it: plain notation only
/// (no exponent, no `NaN`), within the §8 limits.
pub fn parse_decimal(s: &str) -> Result<Decimal, String> {
    parse_within(s, INPUT)
}

/// [`parse_decimal`] against any [`Limits`].
pub fn parse_within(s: &str, limits: Limits) -> Result<Decimal, String> {
    let t = s.trim();
    if t.is_empty() || t != s {
        return Err("expected a decimal number such as \"12.50\"".into());
    }
    let ok_chars = t
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')));
    if !ok_chars || t.len() > 40 {
        return Err("expected a decimal number such as \"12.50\"".into());
    }
    let d = Decimal::from_str(t)
        .map_err(|_| "expected a decimal number such as \"12.50\"".to_string())?;
    check(d, limits)
}

/// Canonical text of a quantity or percentage: no trailing zeros (`5`, `12.25`).
fn plain(d: Decimal) -> Decimal {
    d.normalize()
}

/// Canonical text of money: at least two decimals (`670.00`, `0.125`).
fn cents(d: Decimal) -> Decimal {
    let mut n = d.normalize();
    if n.scale() < 2 {
        n.rescale(2);
    }
    n
}

macro_rules! decimal_newtype {
    ($(#[$m:meta])* $name:ident, $canon:path) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub Decimal);

        impl $name {
            /// Zero.
            pub const ZERO: $name = $name(Decimal::ZERO);

            /// The inner decimal.
            pub fn get(self) -> Decimal {
                self.0
            }

            /// True when below zero.
            pub fn is_negative(self) -> bool {
                self.0.is_sign_negative() && !self.0.is_zero()
            }

            /// True when exactly zero.
            pub fn is_zero(self) -> bool {
                self.0.is_zero()
            }

            /// Whole units. Fractions come from text (`FromStr`, the wire
            /// format: plain notation within RULES §8) or a [`Decimal`].
            pub fn from_int(n: i64) -> Self {
                $name(Decimal::from(n))
            }
        }

        impl From<Decimal> for $name {
            fn from(d: Decimal) -> Self {
                $name(d)
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                parse_decimal(s).map($name)
            }
        }

        impl $name {
            /// The decimal whose text is this value's one canonical text
            /// (`-0` included), so every runtime prints the same bytes
            /// whatever arithmetic produced it.
            fn canonical(self) -> Decimal {
                $canon(if self.0.is_zero() { Decimal::ZERO } else { self.0 })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.canonical(), f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                // The Display text above, written without the formatter.
                crate::text::serialize_decimal(self.canonical(), s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(DecimalVisitor(INPUT)).map($name)
            }
        }

        impl std::ops::Add for $name {
            type Output = $name;
            fn add(self, o: $name) -> $name {
                $name(self.0 + o.0)
            }
        }

        impl std::ops::Sub for $name {
            type Output = $name;
            fn sub(self, o: $name) -> $name {
                $name(self.0 - o.0)
            }
        }

        impl std::ops::Neg for $name {
            type Output = $name;
            fn neg(self) -> $name {
                $name(-self.0)
            }
        }

        impl std::ops::AddAssign for $name {
            fn add_assign(&mut self, o: $name) {
                self.0 += o.0;
            }
        }

        impl std::ops::SubAssign for $name {
            fn sub_assign(&mut self, o: $name) {
                self.0 -= o.0;
            }
        }

        impl std::iter::Sum for $name {
            fn sum<I: Iterator<Item = $name>>(it: I) -> $name {
                it.fold($name::ZERO, |a, b| a + b)
            }
        }
    };
}

decimal_newtype!(
    /// A count of units of a product (can be fractional when the product allows
    /// decimal places; signed in movements).
    Quantity,
    plain
);
decimal_newtype!(
    /// An amount of money in the organisation's currency.
    Money,
    cents
);

impl Quantity {
    /// Decimal places actually used (`1.50` uses 1).
    pub fn places(self) -> u32 {
        self.0.normalize().scale()
    }

    /// Value of this quantity at a unit cost. Exact for the lines documents
    /// hold: they are checked with [`exact_value`] when written.
    pub fn times(self, price: Money) -> Money {
        Money(self.0 * price.0)
    }
}

/// Why [`exact_value`] refused a line.
pub const INEXACT: &str = "quantity x price, or the total up to this line, would need more than \
     the 28 significant digits kept exactly (it would be rounded)";

/// The exact value of priced lines (the sum of quantity x price), or the
/// index of the first line whose value, or the running total with it, needs
/// more significant digits than a `Decimal` holds (28): `Decimal` would round
/// it silently. Documents check their lines with it when they are written,
/// so their totals are exact (RULES §3). Inputs within the limits of RULES §8
/// reach it only with both quantity and price near 14 significant digits.
pub fn exact_value(lines: impl IntoIterator<Item = (Quantity, Money)>) -> Result<Money, usize> {
    let mut total = Decimal::ZERO;
    for (i, (q, p)) in lines.into_iter().enumerate() {
        // `Decimal` keeps the scale of an exact product or sum, and lowers it
        // (rounding) only when the digits do not fit.
        let value =
            q.0.checked_mul(p.0)
                .filter(|v| v.is_zero() || v.scale() == q.0.scale() + p.0.scale())
                .ok_or(i)?;
        total = total
            .checked_add(value)
            .filter(|t| t.scale() == total.scale().max(value.scale()))
            .ok_or(i)?;
    }
    Ok(Money(total))
}

/// Reads a decimal within its limits.
struct DecimalVisitor(Limits);

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal string such as \"12.50\" or a whole number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_within(v, self.0).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        check(Decimal::from(v), self.0).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        check(Decimal::from(v), self.0).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // A whole number past u64 arrives here too: say what is wrong with it.
        if v.is_finite() && v.abs() >= 10f64.powi(self.0.integer_digits as i32) {
            return Err(E::custom(format!(
                "at most {} digits before the point",
                self.0.integer_digits
            )));
        }
        Err(E::custom(
            "fractional JSON numbers are not accepted; send the amount as a string such as \"0.45\"",
        ))
    }
}

/// `deserialize_with` for values the engine computed and a store keeps:
/// read back within [`STORED_QUANTITY`] / [`STORED_MONEY`], not the request
/// limits, so a total such as 1.5 x 0.333333 = 0.4999995 reads back as it
/// was written, in every store.
pub mod stored {
    use super::*;

    /// A computed quantity.
    pub fn quantity<'de, D: Deserializer<'de>>(d: D) -> Result<Quantity, D::Error> {
        d.deserialize_any(DecimalVisitor(STORED_QUANTITY))
            .map(Quantity)
    }

    /// A computed quantity that may be absent.
    pub fn quantity_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Quantity>, D::Error> {
        struct Q(Quantity);
        impl<'de> Deserialize<'de> for Q {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                quantity(d).map(Q)
            }
        }
        Option::<Q>::deserialize(d).map(|o| o.map(|q| q.0))
    }

    /// A computed money total.
    pub fn money<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(DecimalVisitor(STORED_MONEY)).map(Money)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(json: &str) -> Result<Quantity, String> {
        serde_json::from_str::<Quantity>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn strings_and_whole_numbers_are_accepted() {
        assert_eq!(q("\"0.45\"").unwrap().to_string(), "0.45");
        assert_eq!(q("5").unwrap().to_string(), "5");
        assert_eq!(q("-3").unwrap().to_string(), "-3");
    }

    #[test]
    fn fractional_json_numbers_are_refused() {
        let e = q("0.45").unwrap_err();
        assert!(e.contains("fractional"), "{e}");
        assert!(q("1.0").is_err());
    }

    #[test]
    fn limits_of_section_8() {
        assert!(q("\"999999999999.999999\"").is_ok());
        assert!(q("\"1000000000000\"")
            .unwrap_err()
            .contains("before the point"));
        assert!(q("\"0.1234567\"").unwrap_err().contains("after the point"));
        assert!(q("1000000000000").is_err());
        // Past u64 a whole JSON number reaches the float path: the reason is
        // its size, not a fraction.
        assert!(q("99999999999999999999999")
            .unwrap_err()
            .contains("12 digits before the point"));
        assert!(q("1.5").unwrap_err().contains("fractional"));
        assert!(q("\"1e5\"").is_err());
        assert!(q("\"NaN\"").is_err());
        assert!(q("\" 1\"").is_err());
        assert!(q("\"\"").is_err());
        assert!(q("true").is_err());
    }

    #[test]
    fn exact_value_refuses_what_decimal_would_round() {
        let l = |q: &str, p: &str| (Quantity::from_str(q).unwrap(), Money::from_str(p).unwrap());
        assert_eq!(
            exact_value([l("1000", "0.45"), l("1000", "0.22")]).map(|m| m.to_string()),
            Ok("670.00".to_string())
        );
        assert_eq!(exact_value([]), Ok(Money::ZERO));
        // A zero (nothing received yet) is exact whatever scale it comes back with.
        assert!(exact_value([l("0", "99999999999.999999"), l("1.5", "0")]).is_ok());
        // 36 significant digits: Decimal's `*` rounds it silently.
        let big = l("999999999999.999999", "999999999999.999999");
        assert_eq!(exact_value([l("1", "1"), big]), Err(1));
        // Each value fits (28 digits), their sum does not: refused at the line
        // where the total stops being exact.
        let wide = l("99999.999999", "99999999999.999999");
        assert!(exact_value([wide]).is_ok());
        assert_eq!(exact_value(vec![wide; 8]), Err(7));
        assert!(exact_value(vec![wide; 7]).is_ok());
    }

    #[test]
    fn serialises_as_string_and_exact() {
        let total = Quantity::from_str("1000")
            .unwrap()
            .times(Money::from_str("0.45").unwrap())
            + Quantity::from_str("1000")
                .unwrap()
                .times(Money::from_str("0.22").unwrap());
        assert_eq!(serde_json::to_string(&total).unwrap(), "\"670.00\"");
        assert_eq!(Quantity(-Decimal::ZERO).to_string(), "0");
        assert_eq!(Money::ZERO.to_string(), "0.00");
        assert_eq!(Money::from_str("0.125").unwrap().to_string(), "0.125");
        assert_eq!(Quantity::from_str("5.00").unwrap().to_string(), "5");
        assert_eq!(Quantity::from_str("-2.50").unwrap().to_string(), "-2.5");
    }

    #[test]
    fn stored_values_read_back_within_their_own_limits() {
        #[derive(serde::Deserialize)]
        struct Rec {
            #[serde(deserialize_with = "stored::quantity")]
            q: Quantity,
            #[serde(default, deserialize_with = "stored::quantity_opt")]
            o: Option<Quantity>,
            #[serde(deserialize_with = "stored::money")]
            m: Money,
        }
        let r: Rec = serde_json::from_str(
            r#"{"q":"999999999999999999.5","o":"-1999999999998","m":"0.4999995"}"#,
        )
        .unwrap();
        assert_eq!(r.q.to_string(), "999999999999999999.5");
        assert_eq!(
            r.o.map(|o| o.to_string()).as_deref(),
            Some("-1999999999998")
        );
        assert_eq!(r.m.to_string(), "0.4999995");
        let r: Rec = serde_json::from_str(r#"{"q":"1","m":"1"}"#).unwrap();
        assert_eq!(r.o, None);
        for bad in [
            r#"{"q":"1000000000000000000","m":"1"}"#,
            r#"{"q":"0.0000001","m":"1"}"#,
            r#"{"q":"1","m":"1000000000000000000000000000"}"#,
            r#"{"q":"1","m":"0.0000000000001"}"#,
            r#"{"q":"1","m":0.5}"#,
        ] {
            assert!(serde_json::from_str::<Rec>(bad).is_err(), "{bad}");
        }
        // The request limits stay as they were.
        assert!(q("\"0.4999995\"").is_err());
    }

    #[test]
    fn the_mantissa_check_agrees_with_comparing_decimals() {
        for limits in [INPUT, STORED_QUANTITY, STORED_MONEY] {
            let bound = Decimal::from_i128_with_scale(10i128.pow(limits.integer_digits), 0);
            for scale in 0..=limits.scale {
                let ulp = Decimal::new(1, scale);
                for base in [
                    Decimal::ZERO,
                    ulp,
                    bound - ulp,
                    bound,
                    bound + ulp,
                    bound * Decimal::TEN,
                ] {
                    for d in [base, -base] {
                        let mut d = d;
                        d.rescale(scale);
                        let within = d.abs() < bound && d.scale() <= limits.scale;
                        assert_eq!(check(d, limits).is_ok(), within, "{d} {limits:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn places_ignores_trailing_zeros() {
        assert_eq!(Quantity::from_str("1.50").unwrap().places(), 1);
        assert_eq!(Quantity::from_str("2").unwrap().places(), 0);
    }
}

decimal_newtype!(
    /// A percentage (`"21"` is 21 %).
    Percent,
    plain
);
