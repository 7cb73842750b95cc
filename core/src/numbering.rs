//! Human-facing numbers from configurable sequences (`PO-2026-0001`, `IO2601`,
//! `CRED001`, `ART_PRODUCT001`).
//!
//! A format is literal text with tokens: `{YYYY}` (4-digit year), `{YY}` (2-digit
//! year) and `{N…}` (the counter, zero-padded to as many digits as there are `N`s;
//! it grows wider rather than wrap). A format that shows the year counts per year
//! (the year of the creating command's `now`) and so resets every January; one
//! without a year token counts forever. Numbers are never reused: the counter is
//! only ever incremented.

use crate::error::{Error, Result};
use crate::store::{Counter, Key};
use crate::tx::Tx;
use chrono::Datelike;
use serde::{Deserialize, Serialize};

/// Which sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sequence {
    /// Purchase order numbers.
    PurchaseOrder,
    /// Supplier creditor numbers.
    Supplier,
    /// Product article numbers.
    Product,
}

#[derive(Debug, PartialEq)]
enum Token {
    Text(String),
    Year4,
    Year2,
    Counter(usize),
}

fn parse(format: &str) -> std::result::Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = format;
    let mut has_counter = false;
    while !rest.is_empty() {
        if let Some(open) = rest.find('{') {
            if open > 0 {
                out.push(Token::Text(rest[..open].to_string()));
            }
            let close = rest[open..].find('}').ok_or("unclosed `{`")? + open;
            let tok = &rest[open + 1..close];
            out.push(match tok {
                "YYYY" => Token::Year4,
                "YY" => Token::Year2,
                t if !t.is_empty() && t.len() <= 9 && t.chars().all(|c| c == 'N') => {
                    has_counter = true;
                    Token::Counter(t.len())
                }
                t => {
                    return Err(format!(
                        "unknown token `{{{t}}}`; use {{YYYY}}, {{YY}} or {{N…}}"
                    ))
                }
            });
            rest = &rest[close + 1..];
        } else {
            out.push(Token::Text(rest.to_string()));
            rest = "";
        }
    }
    if !has_counter {
        return Err("a format needs a counter token such as {NNNN}".into());
    }
    Ok(out)
}

/// Checks a format; `invalid_field` on `field` when it cannot make numbers.
pub fn validate(field: &str, format: &str) -> Result<String> {
    let f = crate::validate::code(field, format)?;
    if f.contains('}') && !f.contains('{') || f.matches('{').count() != f.matches('}').count() {
        return Err(Error::field(field, "unbalanced braces"));
    }
    parse(&f).map_err(|r| Error::field(field, r))?;
    if render(&f, 9999, 1).chars().count() > crate::validate::MAX_CODE - 8 {
        return Err(Error::field(
            field,
            "numbers from this format would be too long",
        ));
    }
    Ok(f)
}

/// Renders number `n` of `year` in `format` (which must be valid).
pub fn render(format: &str, year: i32, n: u64) -> String {
    let mut s = String::new();
    for t in parse(format).unwrap_or_default() {
        match t {
            Token::Text(x) => s.push_str(&x),
            Token::Year4 => s.push_str(&format!("{:04}", year.rem_euclid(10_000))),
            Token::Year2 => s.push_str(&format!("{:02}", year.rem_euclid(100))),
            Token::Counter(w) => s.push_str(&format!("{n:0w$}")),
        }
    }
    s
}

/// True when the format shows the year (and therefore resets yearly).
pub fn is_yearly(format: &str) -> bool {
    format.contains("{YYYY}") || format.contains("{YY}")
}

/// Takes the next number of `sequence` in `format` at the transaction's time.
/// `taken` says whether a candidate is already used (a caller may have chosen it
/// by hand); such numbers are skipped, never reused.
pub fn next(
    tx: &mut Tx<'_>,
    sequence: Sequence,
    format: &str,
    mut taken: impl FnMut(&mut Tx<'_>, &str) -> Result<bool>,
) -> Result<String> {
    let year = if is_yearly(format) { tx.now.year() } else { 0 };
    let counter = Counter::Number { sequence, year };
    loop {
        let n = tx.next(counter)?;
        let candidate = render(format, year, n);
        if !taken(tx, &candidate)? {
            return Ok(candidate);
        }
    }
}

/// Whether a PO number is taken.
pub fn po_number_taken(tx: &mut Tx<'_>, number: &str) -> Result<bool> {
    Ok(tx.index(&Key::PoNumber(number.to_string()))?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_po_styles_are_expressible() {
        assert_eq!(render("PO-{YYYY}-{NNNN}", 2026, 1), "PO-2026-0001");
        assert_eq!(render("IO{YY}{NN}", 2026, 1), "IO2601");
        assert_eq!(render("CRED{NNN}", 2026, 1), "CRED001");
        assert_eq!(render("ART_PRODUCT{NNN}", 2026, 12), "ART_PRODUCT012");
    }

    #[test]
    fn counter_grows_wider_instead_of_wrapping() {
        assert_eq!(render("IO{YY}{NN}", 2026, 100), "IO26100");
    }

    #[test]
    fn yearly_only_with_a_year_token() {
        assert!(is_yearly("PO-{YYYY}-{NNNN}"));
        assert!(is_yearly("IO{YY}{NN}"));
        assert!(!is_yearly("CRED{NNN}"));
    }

    #[test]
    fn bad_formats_are_refused() {
        for f in ["PO-{YYYY}", "PO-{X}", "PO-{NNNN", "PO-NNNN}", "", "PO {N}"] {
            let e = validate("f", f).unwrap_err();
            assert_eq!(e.code(), "invalid_field", "{f}");
        }
        assert!(validate("f", "PO-{YYYY}-{NNNN}").is_ok());
    }
}
