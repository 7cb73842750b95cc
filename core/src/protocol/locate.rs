//! Naming the field a request got wrong, from where the JSON parser stopped.
//!
//! Arguments are read straight from their JSON text into their types with
//! `serde_json`, the one reader every argument type is compiled for. When it
//! refuses, its error carries the line and column where it stopped; this
//! module walks the text up to that point, keeping the stack of open objects
//! and arrays, and names the value there (`lines.2.quantity`).
//!
//! Why not a path-tracking deserializer (`serde_path_to_error`): it wraps
//! every visitor, so every argument type is compiled a second time. That
//! copy was an eighth of the WebAssembly module; this walk is one small
//! function for all types, and it only runs for a refused request.

use crate::error::Error;

/// One open container of the walk.
enum Frame {
    /// An object: the key read last, and whether its `:` was passed (its
    /// value has begun).
    Object { key: Option<String>, in_value: bool },
    /// An array: the index of the element being read, once it has begun.
    Array { index: usize, begun: bool },
}

impl Frame {
    fn value_begins(&mut self) {
        if let Frame::Array { begun, .. } = self {
            *begun = true;
        }
    }
}

/// Index of the `"` that closes the string opening at `b[open]` (past an
/// escaped quote), or an index at or past `b.len()` when the text ends first.
fn closing_quote(b: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < b.len() && b[i] != b'"' {
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    i
}

/// Byte offset of serde_json's (1-based line, column-in-bytes) position.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column).min(text.len())
}

/// Whose fault a refusal is, which decides how far the path goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Blame {
    /// The value being read or just read.
    Value,
    /// The key just read, before its value (an unknown field).
    Key,
}

/// The path (`lines[2].quantity`, or `.` for the whole text: the notation
/// of `serde_path_to_error`) of what is being read at byte `end` of `text`.
fn path_at(text: &str, end: usize, blame: Blame) -> String {
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match b[i] {
            b'{' => {
                if let Some(f) = stack.last_mut() {
                    f.value_begins();
                }
                stack.push(Frame::Object {
                    key: None,
                    in_value: false,
                });
            }
            b'[' => {
                if let Some(f) = stack.last_mut() {
                    f.value_begins();
                }
                stack.push(Frame::Array {
                    index: 0,
                    begun: false,
                });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, in_value }) => {
                    *key = None;
                    *in_value = false;
                }
                Some(Frame::Array { index, begun }) => {
                    *index += 1;
                    *begun = false;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { in_value, .. }) = stack.last_mut() {
                    *in_value = true;
                }
            }
            b'"' => {
                let start = i;
                i = closing_quote(b, i);
                let literal = &text[start..(i + 1).min(text.len())];
                match stack.last_mut() {
                    Some(Frame::Object { key, in_value }) if !*in_value => {
                        *key = Some(serde_json::from_str(literal).unwrap_or_default());
                    }
                    Some(f) => f.value_begins(),
                    None => {}
                }
            }
            c if c.is_ascii_whitespace() => {}
            _ => {
                if let Some(f) = stack.last_mut() {
                    f.value_begins();
                }
            }
        }
        i += 1;
    }
    if let Some(Frame::Object { in_value, key }) = stack.last_mut() {
        match blame {
            Blame::Value => {}
            Blame::Key => *in_value = key.is_some(),
        }
    }
    let mut path = String::new();
    for f in &stack {
        match f {
            Frame::Object {
                key: Some(k),
                in_value: true,
            } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Array { index, begun: true } => path.push_str(&format!("[{index}]")),
            _ => {}
        }
    }
    if path.is_empty() {
        ".".to_string()
    } else {
        path
    }
}

/// Turns serde_json's refusal of `text` (read as the value named `prefix`)
/// into the protocol's error: a missing or unknown field is
/// `invalid_request`, a bad value `invalid_field` naming it.
///
/// `reparse` reads a text as the same type again: a name (an enum) given
/// as something other than a string is retried with a stand-in name, whose
/// refusal lists the names allowed.
pub(super) fn refusal(
    prefix: &str,
    text: &str,
    e: &serde_json::Error,
    reparse: &dyn Fn(&str) -> Option<serde_json::Error>,
) -> Error {
    let full = e.to_string();
    // serde_json appends the position; the message is what comes before it.
    let msg = match full.rfind(" at line ") {
        Some(at) if e.line() > 0 => &full[..at],
        _ => full.as_str(),
    };
    // serde_json reports a missing field after the object's `}` (so the
    // walk has left it and names it as the value just read), an unknown or
    // repeated one right after its key.
    let blame = if msg.starts_with("unknown field") {
        Blame::Key
    } else {
        Blame::Value
    };
    let at = offset_of(text, e.line(), e.column());
    let path = path_at(text, at, blame);
    let field = if path == "." {
        prefix.to_string()
    } else if prefix == "args" {
        // An argument is named as the rules name it (`lines[0].quantity`),
        // so a field reads the same whether the reader or a rule refused it.
        path
    } else {
        format!("{prefix}.{path}")
    };
    if msg.starts_with("missing field") || msg.starts_with("unknown field") {
        Error::request(format!("{field}: {msg}"))
    } else if msg == "expected value" {
        let reason = not_a_name(text, at, reparse);
        Error::field(field, reason.as_deref().unwrap_or(msg))
    } else {
        Error::field(field, with_time_hint(msg))
    }
}

/// serde_json refuses a name (a unit enum variant such as an operation or a
/// status) given as a number, boolean, null or array with only "expected
/// value". Says what was given instead, and which names are allowed: the
/// text is read again with a stand-in string in place of the value, whose
/// refusal lists them. Only runs for a refused request.
fn not_a_name(
    text: &str,
    at: usize,
    reparse: &dyn Fn(&str) -> Option<serde_json::Error>,
) -> Option<String> {
    // serde_json's position is one past the byte it peeked at.
    let start = at.checked_sub(1)?;
    let rest = text.get(start..)?;
    let given = match rest.as_bytes().first()? {
        b'n' => "null",
        b't' | b'f' => "a boolean",
        b'[' => "an array",
        b'-' | b'0'..=b'9' => "a number",
        _ => return None,
    };
    let end = start + value_len(rest);
    const STAND_IN: &str = r"\u0001";
    let retried = format!("{}\"{STAND_IN}\"{}", &text[..start], &text[end..]);
    let refused = reparse(&retried)?.to_string();
    let allowed = refused
        .strip_prefix("unknown variant `\u{1}`, ")
        .map(|r| r.rfind(" at line ").map_or(r, |p| &r[..p]))
        .unwrap_or("expected a name written as a string");
    Some(format!("invalid type: {given}, {allowed}"))
}

/// Length of the JSON value `text` begins with (the text was parsed
/// before, so it is well formed): a scalar runs to the next delimiter, an
/// array to its closing bracket. A small scan rather than a second parser
/// instance (serde's `IgnoredAny` stream added 7 KB to the wasm module).
fn value_len(text: &str) -> usize {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i = closing_quote(b, i),
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth <= 1 => return if depth == 1 { i + 1 } else { i },
            b']' | b'}' => depth -= 1,
            b',' | b' ' | b'\n' | b'\t' | b'\r' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// chrono's refusals of a date or time say what went wrong but not what was
/// expected ("input contains invalid characters"); the reason then also says
/// how dates and times are written.
fn with_time_hint(msg: &str) -> std::borrow::Cow<'_, str> {
    const CHRONO: [&str; 7] = [
        "input is out of range",
        "no possible date and time matching input",
        "input is not enough for unique date and time",
        "input contains invalid characters",
        "premature end of input",
        "trailing input",
        "bad or unsupported format string",
    ];
    if CHRONO.contains(&msg) {
        format!(
            "{msg}: dates are written 2026-03-01, times in RFC 3339 such as 2026-03-01T09:00:00Z"
        )
        .into()
    } else {
        msg.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        line_no: u32,
        quantity: crate::decimal::Quantity,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Args {
        id: u64,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        lines: Vec<Line>,
        #[serde(default)]
        tags: Vec<Vec<u8>>,
        #[serde(default)]
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        kind: crate::ledger::Operation,
        #[serde(default)]
        deeper: Option<Box<Inner>>,
    }

    /// The walk names the same field as a path-tracking deserializer
    /// (`serde_path_to_error`, a test-only dependency kept for exactly this
    /// check), with the same message and code, for every kind of mistake.
    #[test]
    fn names_the_same_field_as_a_path_tracking_deserializer() {
        let cases = [
            r#"{"id":"x"}"#,
            r#"{"id":-1}"#,
            r#"{"id":1.5}"#,
            r#"{"id":1e40}"#,
            r#"{"note":"n"}"#,
            r#"{"id":1,"nope":2}"#,
            r#"{"id":1,"id":2}"#,
            r#"{"id":1,"note":7}"#,
            r#"{"id":1,"lines":[{"line_no":1,"quantity":"1"},{"line_no":2,"quantity":"x"}]}"#,
            r#"{"id":1,"lines":[{"line_no":1,"quantity":"1"},{"quantity":"2"}]}"#,
            r#"{"id":1,"lines":[{"line_no":1,"quantity":"1","extra":true}]}"#,
            r#"{"id":1,"lines":[{"line_no":"one","quantity":"1"}]}"#,
            r#"{"id":1,"lines":{"line_no":1}}"#,
            r#"{"id":1,"lines":[1]}"#,
            r#"{"id":1,"tags":[[1,2],[3,300]]}"#,
            r#"{"id":1,"tags":[[1,2],"x"]}"#,
            r#"{"id":1,"inner":{"kind":"fly"}}"#,
            r#"{"id":1,"inner":{"kind":"add","deeper":{"kind":"add","deeper":{"kind":3}}}}"#,
            r#"{"id":1,"inner":{"kind":"add","deeper":{"deeper":null}}}"#,
            r#"{"id":1,"inner":{"kind":"add","deeper":{"kind":"add"},"x":1}}"#,
            r#"{"id":1,"note":"a\"b\\","lines":[{"line_no":1,"quantity":"1.5.5"}]}"#,
            r#"{"id":1,"note":"caf\u00e9 \u2603","lines":[{"line_no":4294967296,"quantity":"1"}]}"#,
            r#"{"id" : 1 , "lines" : [ { "line_no" : 1 , "quantity" : true } ] }"#,
            "{\n  \"id\": 1,\n  \"lines\": [\n    {\"line_no\": 1,\n     \"quantity\": []}\n  ]\n}",
            r#"{"id":1,"lines":[{"line_no":1,"quantity":"1"}],"inner":[]}"#,
        ];
        for text in cases {
            let ours = match serde_json::from_str::<Args>(text) {
                Ok(_) => panic!("{text} should be refused"),
                Err(e) => refusal("args", text, &e, &|t| serde_json::from_str::<Args>(t).err()),
            };
            let mut de = serde_json::Deserializer::from_str(text);
            let theirs = match serde_path_to_error::deserialize::<_, Args>(&mut de) {
                Ok(_) => panic!("{text} should be refused"),
                Err(e) => {
                    let path = e.path().to_string();
                    let field = if path == "." {
                        "args".to_string()
                    } else {
                        path
                    };
                    let inner = e.inner().to_string();
                    let msg = inner[..inner.rfind(" at line ").unwrap_or(inner.len())].to_string();
                    if msg.starts_with("missing field") || msg.starts_with("unknown field") {
                        Error::request(format!("{field}: {msg}"))
                    } else {
                        Error::field(field, msg)
                    }
                }
            };
            // A name given as a non-string says more than serde's "expected
            // value" (checked below); the field must still be the same.
            if theirs.details().get("reason").and_then(|r| r.as_str()) == Some("expected value") {
                assert_eq!(
                    ours.details().get("field"),
                    theirs.details().get("field"),
                    "{text}"
                );
                continue;
            }
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn bad_dates_and_times_say_how_they_are_written() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct D {
            d: Option<chrono::NaiveDate>,
            t: Option<chrono::DateTime<chrono::Utc>>,
            n: Option<u32>,
        }
        let refuse = |text: &str| match serde_json::from_str::<D>(text) {
            Ok(_) => panic!("{text} should be refused"),
            Err(e) => refusal("args", text, &e, &|t| serde_json::from_str::<D>(t).err()),
        };
        let hint = "dates are written 2026-03-01, times in RFC 3339 such as 2026-03-01T09:00:00Z";
        for (text, field, chrono_says) in [
            (r#"{"d": "2026-13-01"}"#, "d", "input is out of range"),
            (
                r#"{"t": "yesterday"}"#,
                "t",
                "input contains invalid characters",
            ),
            (r#"{"t": "2026-03-01"}"#, "t", "premature end of input"),
        ] {
            assert_eq!(
                refuse(text),
                Error::field(field, format!("{chrono_says}: {hint}")),
                "{text}"
            );
        }
        // Other refusals keep serde's words.
        assert_eq!(
            refuse(r#"{"n": "x"}"#),
            Error::field("n", "invalid type: string \"x\", expected u32")
        );
    }

    /// A name (an enum) given as null, a number, a boolean or an array says
    /// what was given and which names are allowed, wherever it sits.
    #[test]
    fn a_name_given_as_a_non_string_lists_the_names() {
        let refuse = |text: &str| match serde_json::from_str::<Args>(text) {
            Ok(_) => panic!("{text} should be refused"),
            Err(e) => refusal("args", text, &e, &|t| serde_json::from_str::<Args>(t).err()),
        };
        let names = "expected one of `add`, `subtract`, `set`";
        for (text, field, given) in [
            (r#"{"id":1,"inner":{"kind":null}}"#, "inner.kind", "null"),
            (r#"{"id":1,"inner":{"kind": 3 }}"#, "inner.kind", "a number"),
            (
                r#"{"id":1,"inner":{"kind":-2.5e3,"deeper":null}}"#,
                "inner.kind",
                "a number",
            ),
            (
                r#"{"id":1,"inner":{"kind":true}}"#,
                "inner.kind",
                "a boolean",
            ),
            (
                r#"{"id":1,"inner":{"kind":["add"]}}"#,
                "inner.kind",
                "an array",
            ),
            (
                "{\"id\":1,\"inner\":{\"kind\":\"add\",\n\"deeper\":{\"kind\":false}}}",
                "inner.deeper.kind",
                "a boolean",
            ),
        ] {
            assert_eq!(
                refuse(text),
                Error::field(field, format!("invalid type: {given}, {names}")),
                "{text}"
            );
        }
        // When the retry is refused for another reason, the reason still
        // says what was given.
        let text = r#"{"id":1,"inner":{"kind":null}}"#;
        let e = serde_json::from_str::<Args>(text).unwrap_err();
        assert_eq!(
            refusal("args", text, &e, &|_| None),
            Error::field("inner.kind", "expected value"),
        );
        assert_eq!(
            refusal("args", text, &e, &|t| serde_json::from_str::<u8>(t).err()),
            Error::field(
                "inner.kind",
                "invalid type: null, expected a name written as a string"
            ),
        );
    }

    #[test]
    fn value_len_stops_where_the_value_ends() {
        for (text, len) in [
            ("null}", 4),
            ("-2.5e3,\"x\":1", 6),
            ("true ]", 4),
            (r#"["a]", ["b"], {"c": "}"}],"d":1"#, 25),
            ("7", 1),
        ] {
            assert_eq!(value_len(text), len, "{text}");
        }
    }

    #[test]
    fn positions_on_later_lines_count_from_their_line() {
        let text = "{\n\"a\": 1,\n\"b\": [true, \"x\"]\n}";
        // Line 3 column 13 is after `"x"`: the second element of `b`.
        assert_eq!(path_at(text, offset_of(text, 3, 13), Blame::Value), "b[1]");
        assert_eq!(offset_of(text, 99, 99), text.len());
    }
}
