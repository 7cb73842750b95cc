//! RULES §0.8: no input panics the core; bad input gets a typed error.
//!
//! A property test feeds `engine::execute_json`, over a memory store holding
//! some data, valid request texts of several commands with random damage: byte
//! flips, truncations, insertions (`{`, `"`, digits, huge numbers), nesting a
//! few thousand levels deep, fields given the wrong JSON type, removed or
//! unknown fields, and plain random bytes. For every request it asserts that
//! the call returns, that the answer is JSON with exactly `ok` + `events` or
//! exactly `error` with a code from `Error::CODES`, and that an error leaves
//! the store byte for byte as it was. After each case the store must still
//! answer a valid query.
//!
//! 1,000 cases by default (under a second in release); `PROPTEST_CASES=150000
//! cargo test --release -p stockbook-core --test fuzz_requests` takes about 30 s.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};
use stockbook_core::testkit::Kit;
use stockbook_core::Error;

/// A store with a location, a supplier, products with stock, an ordered PO
/// and an order holding stock: enough for most requests to reach the rules.
fn setup() -> Kit {
    let mut k = Kit::new();
    k.ok("create_location", json!({"name": "Van"}));
    k.ok(
        "create_vat_rate",
        json!({"name": "Standard", "percent": "21"}),
    );
    k.supplier("Acme");
    let p = k.product("BOLT");
    k.product("NUT");
    k.ok(
        "update_stock",
        json!({"product_id": p, "operation": "add", "quantity": "50"}),
    );
    let po = k.ok(
        "create_purchase_order",
        json!({"supplier_id": 1, "lines": [{"product_id": 1, "quantity": 10, "unit_cost": "0.45"}, {"product_id": 2, "quantity": 5}]}),
    );
    k.ok(
        "order_purchase_order",
        json!({"id": po["purchase_order"]["id"]}),
    );
    k.ok(
        "create_sales_document",
        json!({"client": "Jansen", "lines": [{"product_id": 1, "quantity": 3, "unit_price": "1.00"}]}),
    );
    k.advance(chrono::Duration::hours(1));
    k
}

/// Valid request texts (each is accepted on the store of `setup`).
fn seeds(k: &Kit) -> Vec<String> {
    let key = |cmd: &str, args: Value| {
        json!({"cmd": cmd, "actor": k.actor, "now": k.now.to_rfc3339(), "idempotency_key": "fuzz-1", "args": args})
            .to_string()
    };
    vec![
        k.request(
            "update_stock",
            json!({"product_id": 1, "location_id": 2, "operation": "add", "quantity": "7", "reason": "count", "expected_on_hand": "0"}),
        ),
        k.request(
            "create_product",
            json!({"sku": "WASHER", "name": "Washer", "price": "0.10", "purchase_price": 0, "ean": "4006381333931", "category_id": null, "supplier_id": 1, "low_stock_threshold": 4, "decimal_places": 2}),
        ),
        k.request(
            "create_purchase_order",
            json!({"supplier_id": 1, "order_date": "2026-01-05", "lines": [{"product_id": 1, "location_id": 1, "quantity": 4, "unit_cost": "0.45"}, {"description": "freight", "quantity": 1, "unit_cost": "12.50"}]}),
        ),
        key(
            "receive_purchase_order",
            json!({"id": 1, "lines": [{"line_no": 1, "quantity": 4}, {"line_no": 2, "quantity": "1"}], "packing_slip_number": "PS-1"}),
        ),
        k.request(
            "create_sales_document",
            json!({"type": "invoice", "client": "Bakker", "due_date": "2026-01-12", "lines": [{"product_id": 1, "location_id": 1, "quantity": 2, "unit_price": "0.60"}]}),
        ),
        k.request(
            "update_supplier",
            json!({"id": 1, "email": "orders@acme.example", "po_delivery": "portal", "active": true, "address": "Dock 2\nHaven 5"}),
        ),
        k.request(
            "update_settings",
            json!({"number_formats": {"purchase_order": "PO-{YYYY}-{NNNN}"}, "oversell_policy": "allow", "over_receipt_tolerance_percent": "10"}),
        ),
        json!({"cmd": "list_purchase_orders", "actor": k.actor, "args": {"status": "ordered", "sort": "total", "direction": "desc", "page": 1, "page_size": 5}})
            .to_string(),
        json!({"cmd": "get_stock", "actor": {"id": "clerk", "permissions": ["inventory.read"]}, "args": {"product_id": 1}})
            .to_string(),
        json!({"cmd": "list_movements", "actor": k.actor, "args": {"product_id": 1, "direction": "desc", "limit": 2}})
            .to_string(),
    ]
}

/// A value of some JSON type, to put where another type belongs.
fn wrong_value(which: u8) -> Value {
    match which % 14 {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(1.5),
        3 => json!(-1),
        4 => json!(u64::MAX),
        5 => serde_json::from_str("1e300").unwrap(),
        6 => serde_json::from_str("-123456789012345678901234567890").unwrap_or(json!(0)),
        7 => json!("text"),
        8 => json!(""),
        9 => json!([]),
        10 => json!({}),
        11 => json!([1, "2", null]),
        12 => json!("99999999999999999999.9999999"),
        _ => json!({"cmd": "delete_product", "args": {"id": 1}}),
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte.
    Flip(Index, u8),
    /// Cut the text there.
    Truncate(Index),
    /// Insert a snippet there.
    Insert(Index, u8),
    /// Wrap the text from there in `depth` arrays or objects, unclosed or closed.
    Nest(Index, u16, bool, bool),
    /// Give one value of the request (any depth) another JSON type.
    WrongType(Index, u8),
    /// Remove one member of an object.
    Remove(Index),
    /// Add an unknown member to an object.
    Unknown(Index),
    /// Replace everything with random bytes.
    Random(Vec<u8>),
}

const SNIPPETS: [&str; 14] = [
    "{",
    "}",
    "\"",
    "[",
    ",",
    ":",
    "0",
    "7",
    "-",
    "123456789012345678901234567890",
    "1e999",
    "\\u0000",
    "\\ud800",
    "null",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        2 => any::<Index>().prop_map(Mutation::Truncate),
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        1 => (any::<Index>(), prop_oneof![1u16..200, 200u16..4000], any::<bool>(), any::<bool>())
            .prop_map(|(i, d, arr, closed)| Mutation::Nest(i, d, arr, closed)),
        4 => (any::<Index>(), any::<u8>()).prop_map(|(i, w)| Mutation::WrongType(i, w)),
        2 => any::<Index>().prop_map(Mutation::Remove),
        1 => any::<Index>().prop_map(Mutation::Unknown),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Mutation::Random),
    ]
}

/// Every value in a JSON tree, as a path of object keys and array indexes.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    At(usize),
}

fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(Step::Key(k.clone()));
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(Step::At(i));
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::At(i) => &mut v[*i],
    })
}

/// Applies a structural mutation to the parsed text; `None` when the text is
/// no longer JSON (earlier byte damage), in which case it is left as it is.
fn on_tree(text: &[u8], f: impl FnOnce(&mut Value, &[Vec<Step>])) -> Option<Vec<u8>> {
    let mut v: Value = serde_json::from_slice(text).ok()?;
    let mut all = Vec::new();
    paths(&v, &mut Vec::new(), &mut all);
    f(&mut v, &all);
    Some(v.to_string().into_bytes())
}

fn apply(mut text: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let pos = |i: &Index, len: usize| i.index(len + 1);
    match m {
        Mutation::Flip(i, x) => {
            if !text.is_empty() {
                let p = i.index(text.len());
                text[p] ^= x;
            }
            text
        }
        Mutation::Truncate(i) => {
            text.truncate(pos(i, text.len()));
            text
        }
        Mutation::Insert(i, s) => {
            let p = pos(i, text.len());
            let snippet = SNIPPETS[*s as usize % SNIPPETS.len()].as_bytes();
            text.splice(p..p, snippet.iter().copied());
            text
        }
        Mutation::Nest(i, depth, arr, closed) => {
            let p = pos(i, text.len());
            let d = *depth as usize;
            let (open, close): (&[u8], &[u8]) = if *arr {
                (b"[", b"]")
            } else {
                (b"{\"a\":", b"}")
            };
            let mut out = text[..p].to_vec();
            out.extend(std::iter::repeat_n(open, d).flatten());
            out.extend_from_slice(&text[p..]);
            if *closed {
                out.extend(std::iter::repeat_n(close, d).flatten());
            }
            out
        }
        Mutation::WrongType(i, w) => on_tree(&text, |v, all| {
            let path = &all[i.index(all.len())];
            *at(v, path) = wrong_value(*w);
        })
        .unwrap_or(text),
        Mutation::Remove(i) => on_tree(&text, |v, all| {
            let path = &all[i.index(all.len())];
            if let Some((Step::Key(k), parent)) = path.split_last() {
                if let Value::Object(m) = at(v, parent) {
                    m.remove(k);
                }
            }
        })
        .unwrap_or(text),
        Mutation::Unknown(i) => on_tree(&text, |v, all| {
            let path = &all[i.index(all.len())];
            if let Value::Object(m) = at(v, path) {
                m.insert("surprise".into(), json!(1));
            }
        })
        .unwrap_or(text),
        Mutation::Random(bytes) => bytes.clone(),
    }
}

/// The answer is one JSON object: exactly `ok` + `events` (an array), or
/// exactly `error` with a stable code, a message and details. True for ok.
fn check_shape(request: &str, answer: &str) -> Result<bool, TestCaseError> {
    let v: Value = serde_json::from_str(answer).map_err(|e| {
        TestCaseError::fail(format!(
            "answer is not JSON ({e}): {answer}\nrequest: {request}"
        ))
    })?;
    let o = v
        .as_object()
        .ok_or_else(|| TestCaseError::fail(format!("answer is not an object: {answer}")))?;
    let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
    keys.sort_unstable();
    if keys == ["events", "ok"] {
        prop_assert!(o["events"].is_array(), "events: {}", answer);
        return Ok(true);
    }
    prop_assert_eq!(
        keys,
        vec!["error"],
        "answer: {}\nrequest: {}",
        answer,
        request
    );
    let e = &o["error"];
    let code = e["code"].as_str().unwrap_or("");
    prop_assert!(
        Error::CODES.contains(&code),
        "unknown code `{}` in {}\nrequest: {}",
        code,
        answer,
        request
    );
    prop_assert!(e["message"].is_string(), "message: {}", answer);
    prop_assert!(e.get("details").is_some(), "details: {}", answer);
    Ok(false)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_requests_get_typed_answers_and_refusals_change_nothing(
        requests in proptest::collection::vec(
            (any::<Index>(), proptest::collection::vec(mutation(), 1..4)),
            1..4,
        )
    ) {
        let mut k = setup();
        let seeds = seeds(&k);
        for (seed, mutations) in &requests {
            let text = mutations
                .iter()
                .fold(seed.get(&seeds).clone().into_bytes(), apply);
            let request = String::from_utf8_lossy(&text).into_owned();
            let before = k.snapshot_text();
            let answer = k.send(&request);
            let shown: String = request.chars().take(600).collect();
            if !check_shape(&shown, &answer)? {
                prop_assert!(
                    before == k.snapshot_text(),
                    "refused request changed the store: {}\nanswer: {}",
                    shown,
                    answer
                );
            }
        }
        // The store still works.
        let after = k.send(&k.request("list_locations", json!({})));
        prop_assert!(after.starts_with("{\"ok\":[{\"id\":1,"), "{}", after);
    }
}

/// The seeds are valid: unmutated, each one is accepted (so the damage above
/// starts from requests that reach the rules, not from early refusals).
#[test]
fn every_seed_is_accepted() {
    let mut k = setup();
    for s in seeds(&k) {
        let answer = k.send(&s);
        assert!(answer.starts_with("{\"ok\":"), "{s}\n-> {answer}");
    }
}

/// The deepest nesting of each kind is answered, not a stack overflow.
#[test]
fn deep_nesting_is_an_error_answer() {
    let mut k = setup();
    for depth in [127, 128, 129, 1_000, 5_000, 100_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let args = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let text = format!(
                r#"{{"cmd":"get_stock","actor":{{"id":"a","permissions":["admin"]}},"args":{{"product_id":{args}}}}}"#
            );
            let before = k.snapshot_text();
            let answer = k.send(&text);
            assert!(
                answer.starts_with("{\"error\":{\"code\":\"invalid_request\""),
                "{depth}: {answer}"
            );
            assert_eq!(before, k.snapshot_text());
        }
    }
}
