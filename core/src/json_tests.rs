//! `json` writes what `serde_json` writes: checked against `serde_json`
//! itself, on every serde data-model shape and on real Stockbook records.

use super::*;
use proptest::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Both writers on one value: the same bytes, or both refuse.
fn same<T: Serialize + ?Sized + std::fmt::Debug>(v: &T) {
    let ours = to_vec(v);
    let theirs = serde_json::to_vec(v);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b),
            "for {v:?}"
        ),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "for {v:?}"),
        _ => panic!("one refused, one wrote, for {v:?}: {ours:?} vs {theirs:?}"),
    }
}

#[test]
fn every_escaped_byte_and_every_run_length() {
    for b in 0u8..=0x7f {
        let c = b as char;
        for n in 0..20 {
            // The byte at every offset of the 8-byte scan, alone and in runs.
            let s: String = std::iter::repeat_n('a', n)
                .chain([c])
                .chain("xyz".chars())
                .collect();
            same(&s);
            same(&c.to_string().repeat(n));
        }
    }
    same("");
    same("naïve – 東京 🦀 \u{7f}\u{80}\u{2028}");
    same("\"\\\"\\\u{0}\u{1f}\n\r\t\u{8}\u{c}");
}

#[derive(Debug, Serialize)]
struct Unit;

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Newtype(u8);

#[derive(Debug, Serialize)]
struct Tuple(i32, String);

#[derive(Debug, Serialize)]
enum E {
    A,
    B(i64),
    C(u8, bool),
    D { x: Option<u32>, y: &'static str },
}

#[derive(Debug, Serialize)]
struct Fields {
    #[serde(rename = "type")]
    kind: E,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
    #[serde(with = "serde_bytes_like")]
    bytes: Vec<u8>,
    empty: Vec<u8>,
    nested: Vec<Vec<Unit>>,
    tuple: (u8, char, f64),
}

/// Serializes as `serialize_bytes` (what `serde_bytes` does).
mod serde_bytes_like {
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
}

#[test]
fn every_shape_of_the_data_model() {
    same(&Unit);
    same(&Newtype(7));
    same(&Tuple(-3, "t".into()));
    for e in [
        E::A,
        E::B(i64::MIN),
        E::C(255, false),
        E::D { x: None, y: "q\"" },
    ] {
        same(&e);
    }
    same(&Fields {
        kind: E::D { x: Some(1), y: "" },
        skipped: None,
        bytes: vec![0, 1, 255],
        empty: vec![],
        nested: vec![vec![], vec![Unit, Unit]],
        tuple: (1, '\n', 0.1),
    });
    same(&(true, false, (), Some(()), None::<u8>, 'é'));
    same(&(i8::MIN, i16::MIN, i32::MIN, i64::MIN, i128::MIN));
    same(&(u8::MAX, u16::MAX, u32::MAX, u64::MAX, u128::MAX));
    same(&(0.1f32, 1e300f64, -0.0f64, f64::NAN, f32::INFINITY, 5.0f64));
    // Kept answers are raw JSON text: written as they are, not as a string.
    let raw = serde_json::value::RawValue::from_string(r#"{"a": [1, "x\n"] }"#.into()).unwrap();
    same(&raw);
    same(&vec![(raw.clone(), "after")]);
}

#[test]
fn map_keys_are_written_or_refused_as_serde_json_does() {
    same(&BTreeMap::from([("b\n", 1), ("a", 2)]));
    same(&BTreeMap::from([(-1i64, "x"), (2, "y")]));
    same(&BTreeMap::from([(u128::MAX, ())]));
    same(&BTreeMap::from([(true, 1), (false, 0)]));
    same(&BTreeMap::from([('k', 1)]));
    same(&BTreeMap::from([(Some("s"), 1)]));
    same(&BTreeMap::from([(Newtype(3), 1)]));
    let unit_variant: BTreeMap<_, _> = [(crate::ledger::MovementType::Purchase, 1)].into();
    same(&unit_variant);
    // Refused keys: same error text.
    same(&BTreeMap::from([((1, 2), 0)]));
    same(&BTreeMap::from([(None::<u8>, 0)]));
    same(&BTreeMap::from([(vec![1u8], 0)]));
    same(&BTreeMap::from([((), 0)]));
    same(&FloatKeys(vec![(0.5, 1), (1e300, 2), (-0.0, 3)]));
    same(&FloatKeys(vec![(1.0, 1), (f64::NAN, 2)]));
    same(&FloatKeys32(vec![(0.1, 1)]));
    same(&FloatKeys32(vec![(f32::INFINITY, 1)]));
    let mut m = serde_json::Map::new();
    m.insert(
        "k".into(),
        serde_json::json!({"inner": [1, "two", null, 3.5]}),
    );
    same(&m);
}

/// A map with float keys (no std map can hold them).
#[derive(Debug)]
struct FloatKeys(Vec<(f64, i32)>);

impl Serialize for FloatKeys {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Debug)]
struct FloatKeys32(Vec<(f32, i32)>);

impl Serialize for FloatKeys32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// A `Serialize` impl that refuses: both writers pass its error on.
#[test]
fn an_impl_s_own_error_is_passed_on() {
    #[derive(Debug)]
    struct Refuses;
    impl Serialize for Refuses {
        fn serialize<S: serde::Serializer>(&self, _: S) -> std::result::Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no, thanks"))
        }
    }
    same(&Refuses);
    same(&vec![Refuses]);
}

/// Every record kind a store holds (products, stock, movements, POs and
/// their briefs, sales documents, settings, idempotency records with their
/// kept answers...), as the conformance scenarios leave them.
#[test]
fn real_records_in_snapshots() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/scenarios")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        // Refusals only, so no records; and nested past serde_json's limit.
        .filter(|p| !p.ends_with("malformed.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    let mut movements = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).expect("scenario");
        let scenario: serde_json::Value = serde_json::from_str(&text).expect("scenario JSON");
        let mut store = crate::store::memory::MemoryStore::new();
        for step in scenario["steps"].as_array().expect("steps") {
            crate::execute_json(&mut store, &step["request"].to_string());
        }
        movements += store.ledger_len();
        same(&store.snapshot());
    }
    assert!(movements > 10, "the scenarios moved stock: {movements}");
}

proptest! {
    #[test]
    fn any_string(s in any::<String>()) {
        same(&s);
    }

    #[test]
    fn strings_of_ascii_and_controls(s in "[\\x00-\\x7f]{0,40}") {
        same(&s);
    }

    #[test]
    fn string_keys_and_nested_values(m in prop::collection::btree_map(any::<String>(), prop::collection::vec(any::<(i64, Option<String>, bool)>(), 0..4), 0..6)) {
        same(&m);
    }
}
