//! Limits of input (RULES §8) and small format checks, each returning
//! `invalid_field` naming the field.

use crate::decimal::{Money, Quantity};
use crate::error::{Error, Result};

/// Longest name (products, suppliers, categories, locations...).
pub const MAX_NAME: usize = 200;
/// Longest note.
pub const MAX_NOTES: usize = 10_000;
/// Longest SKU or document number.
pub const MAX_CODE: usize = 64;
/// Most lines on one document.
pub const MAX_LINES: usize = 1_000;
/// Longest short free text (reasons, references, contact fields).
pub const MAX_TEXT: usize = 1_000;

/// A required name: non-blank, at most 200 characters, no control characters.
pub fn name(field: &str, v: &str) -> Result<String> {
    let t = v.trim();
    if t.is_empty() {
        return Err(Error::field(field, "must not be blank"));
    }
    if t.chars().count() > MAX_NAME {
        return Err(Error::field(
            field,
            format!("at most {MAX_NAME} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::field(field, "control characters are not allowed"));
    }
    Ok(t.to_string())
}

/// An optional name (a contact person, a phone number): the rules of
/// [`name`] (one line, no control characters, at most 200 characters) when
/// given; blank becomes `None`.
pub fn optional_name(field: &str, v: Option<&str>) -> Result<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => name(field, t).map(Some),
    }
}

/// A code (SKU, PO number): non-blank, at most 64 characters, no whitespace or
/// control characters inside.
pub fn code(field: &str, v: &str) -> Result<String> {
    let t = v.trim();
    if t.is_empty() {
        return Err(Error::field(field, "must not be blank"));
    }
    if t.chars().count() > MAX_CODE {
        return Err(Error::field(
            field,
            format!("at most {MAX_CODE} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::field(field, "no spaces or control characters"));
    }
    Ok(t.to_string())
}

/// Optional free text up to `max` characters (control characters other than
/// line breaks and tabs refused). Blank becomes `None`.
pub fn text(field: &str, v: Option<&str>, max: usize) -> Result<Option<String>> {
    let Some(v) = v else { return Ok(None) };
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(Error::field(field, format!("at most {max} characters")));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Error::field(field, "control characters are not allowed"));
    }
    Ok(Some(t.to_string()))
}

/// Notes: up to 10,000 characters.
pub fn notes(field: &str, v: Option<&str>) -> Result<Option<String>> {
    text(field, v, MAX_NOTES)
}

/// Money that must not be negative.
pub fn non_negative_money(field: &str, v: Money) -> Result<Money> {
    if v.is_negative() {
        return Err(Error::field(field, "must be >= 0"));
    }
    Ok(v)
}

/// A quantity that must be > 0 and use at most `places` decimal places.
pub fn positive_quantity(field: &str, v: Quantity, places: u32) -> Result<Quantity> {
    if v.is_negative() || v.is_zero() {
        return Err(Error::field(field, "must be > 0"));
    }
    within_places(field, v, places)
}

/// A quantity with at most `places` decimal places (the product's unit).
pub fn within_places(field: &str, v: Quantity, places: u32) -> Result<Quantity> {
    if v.places() > places {
        return Err(Error::field(
            field,
            format!("this product allows {places} decimal place(s)"),
        ));
    }
    Ok(v)
}

/// An EAN-8 or EAN-13 with a correct check digit.
pub fn ean(field: &str, v: &str) -> Result<String> {
    let digits: Vec<u32> = v
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::field(field, "digits only"))?;
    if digits.len() != 8 && digits.len() != 13 {
        return Err(Error::field(field, "an EAN has 8 or 13 digits"));
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    // Weights 3,1,3,1... from the right of the body.
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    if (10 - sum % 10) % 10 != check[0] {
        return Err(Error::field(field, "check digit does not match"));
    }
    Ok(v.to_string())
}

/// A colour `#rrggbb` (stored lower-case).
pub fn colour(field: &str, v: &str) -> Result<String> {
    let ok = v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !ok {
        return Err(Error::field(field, "a colour is #rrggbb"));
    }
    Ok(v.to_ascii_lowercase())
}

/// An email address, checked loosely (something@something.tld).
pub fn email(field: &str, v: Option<&str>) -> Result<Option<String>> {
    let Some(t) = text(field, v, MAX_NAME)? else {
        return Ok(None);
    };
    let ok = match t.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !t.contains(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        return Err(Error::field(field, "not an email address"));
    }
    Ok(Some(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_limited() {
        assert_eq!(name("n", "  Bolt ").unwrap(), "Bolt");
        assert!(name("n", "   ").is_err());
        assert!(name("n", &"x".repeat(200)).is_ok());
        assert!(name("n", &"x".repeat(201)).is_err());
        assert!(name("n", "a\u{7}b").is_err());
    }

    #[test]
    fn codes_are_limited_to_64_without_spaces() {
        assert!(code("sku", &"A".repeat(64)).is_ok());
        assert!(code("sku", &"A".repeat(65)).is_err());
        assert!(code("sku", "A B").is_err());
    }

    #[test]
    fn notes_limit() {
        assert!(notes("notes", Some(&"x".repeat(10_000))).is_ok());
        assert!(notes("notes", Some(&"x".repeat(10_001))).is_err());
        assert_eq!(notes("notes", Some("  ")).unwrap(), None);
    }

    #[test]
    fn ean_check_digits() {
        assert!(ean("ean", "4006381333931").is_ok());
        assert!(ean("ean", "4006381333932").is_err());
        assert!(ean("ean", "96385074").is_ok());
        assert!(ean("ean", "96385075").is_err());
        assert!(ean("ean", "123").is_err());
        assert!(ean("ean", "40063813339x1").is_err());
    }

    #[test]
    fn colours() {
        assert_eq!(colour("c", "#6E56CF").unwrap(), "#6e56cf");
        assert!(colour("c", "6e56cf").is_err());
        assert!(colour("c", "#6e56cg").is_err());
    }

    #[test]
    fn quantities_respect_decimal_places() {
        let q = |s: &str| s.parse::<Quantity>().unwrap();
        assert!(positive_quantity("q", q("1.5"), 1).is_ok());
        assert!(positive_quantity("q", q("1.50"), 1).is_ok());
        assert!(positive_quantity("q", q("1.5"), 0).is_err());
        assert!(positive_quantity("q", q("0"), 0).is_err());
        assert!(positive_quantity("q", q("-1"), 0).is_err());
    }

    #[test]
    fn emails() {
        assert!(email("e", Some("a@b.nl")).is_ok());
        assert!(email("e", Some("ab.nl")).is_err());
        assert_eq!(email("e", None).unwrap(), None);
    }
}
