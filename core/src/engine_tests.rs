//! The protocol envelope (§9), permissions (§6), idempotency (§7a), limits (§8)
//! and the store's optimistic concurrency.

use crate::auth::Actor;
use crate::protocol::{Command, COMMAND_NAMES};
use crate::store::memory::MemoryStore;
use crate::store::Store;
use crate::testkit::{Answer, Kit};
use crate::tx::Tx;
use chrono::Duration;
use serde_json::{json, Value};

fn code_of(answer: &str) -> String {
    match Kit::split(answer) {
        Answer::Err(e) => e["code"].as_str().unwrap_or("").to_string(),
        Answer::Ok { .. } => "ok".into(),
    }
}

#[test]
fn malformed_requests_are_invalid_request_and_change_nothing() {
    let mut k = Kit::new();
    let before = k.snapshot_text();
    let admin = r#"{"id":"a","permissions":["admin"]}"#;
    let cases = [
        "".to_string(),
        "not json".into(),
        "[1,2]".into(),
        "42".into(),
        r#"{"actor":{"id":"a","permissions":[]}}"#.into(),
        r#"{"cmd":"list_locations"}"#.to_string(),
        format!(r#"{{"cmd":"fly","actor":{admin}}}"#),
        format!(r#"{{"cmd":7,"actor":{admin}}}"#),
        format!(r#"{{"cmd":"list_locations","actor":{admin},"args":[1]}}"#),
        format!(r#"{{"cmd":"list_locations","actor":{admin},"extra":1}}"#),
        format!(r#"{{"cmd":"list_locations","actor":{admin},"args":{{"x":1}}}}"#),
        format!(
            r#"{{"cmd":"create_product","actor":{admin},"now":"2026-01-05T09:00:00Z","args":{{"name":"no sku"}}}}"#
        ),
        format!(r#"{{"cmd":"create_location","actor":{admin},"args":{{"name":"no now"}}}}"#),
        "[".repeat(100_000),
        format!(
            r#"{{"cmd":"list_locations","actor":{admin},"args":{}{}}}"#,
            r#"{"a":"#.repeat(200),
            "1}".repeat(200)
        ),
    ];
    for c in &cases {
        let a = k.send(c);
        assert_eq!(
            code_of(&a),
            "invalid_request",
            "{}: {a}",
            &c[..c.len().min(80)]
        );
    }
    assert_eq!(before, k.snapshot_text());
}

#[test]
fn bad_values_are_invalid_field_naming_the_field() {
    let mut k = Kit::new();
    let p = k.product("P");
    let field = |k: &mut Kit, req: String| match Kit::split(&k.send(&req)) {
        Answer::Err(e) => (
            e["code"].as_str().unwrap().to_string(),
            e["details"]["field"].as_str().unwrap_or("").to_string(),
        ),
        Answer::Ok { ok, .. } => panic!("accepted: {ok}"),
    };
    let adm = r#"{"id":"a","permissions":["admin"]}"#;
    let now = r#""now":"2026-01-05T09:00:00Z""#;
    let cases = [
        (
            format!(
                r#"{{"cmd":"update_stock","actor":{adm},{now},"args":{{"product_id":{p},"operation":"add","quantity":0.5}}}}"#
            ),
            "quantity",
        ),
        (
            format!(
                r#"{{"cmd":"update_stock","actor":{adm},{now},"args":{{"product_id":{p},"operation":"add","quantity":"1e3"}}}}"#
            ),
            "quantity",
        ),
        (
            format!(
                r#"{{"cmd":"update_stock","actor":{adm},{now},"args":{{"product_id":{p},"operation":"pour","quantity":"1"}}}}"#
            ),
            "operation",
        ),
        (
            format!(
                r#"{{"cmd":"update_stock","actor":{adm},{now},"args":{{"product_id":"one","operation":"add","quantity":"1"}}}}"#
            ),
            "product_id",
        ),
        (
            format!(
                r#"{{"cmd":"update_stock","actor":{adm},{now},"args":{{"product_id":123456789012345678901234567890,"operation":"add","quantity":"1"}}}}"#
            ),
            "product_id",
        ),
        (
            format!(
                r#"{{"cmd":"update_stock","actor":{adm},{now},"args":{{"product_id":{p},"operation":"add","quantity":"9999999999999"}}}}"#
            ),
            "quantity",
        ),
        (
            format!(r#"{{"cmd":"list_locations","actor":{adm},"now":"yesterday"}}"#),
            "now",
        ),
        (
            format!(r#"{{"cmd":"list_locations","actor":{adm},"idempotency_key":""}}"#),
            "idempotency_key",
        ),
        (
            r#"{"cmd":"list_locations","actor":{"id":"a","permissions":["root"]}}"#.to_string(),
            "actor.permissions[0]",
        ),
        (
            r#"{"cmd":"list_locations","actor":{"id":"","permissions":["admin"]}}"#.to_string(),
            "actor.id",
        ),
    ];
    for (req, want) in cases {
        let (code, f) = field(&mut k, req.clone());
        assert_eq!(
            (code.as_str(), f.as_str()),
            ("invalid_field", want),
            "{req}"
        );
    }
}

#[test]
fn every_command_needs_its_permission() {
    // (command, the permission it needs)
    let mut k = Kit::new();
    k.actor = Actor {
        id: "nobody".into(),
        permissions: vec![],
    };
    for name in COMMAND_NAMES {
        let e = k.err(name, json!({}));
        // Permission is checked after parsing, so send arguments that parse.
        let needed = match e["code"].as_str() {
            Some("forbidden") => e["details"]["permission"].as_str().unwrap().to_string(),
            _ => {
                let cmd = sample_args(name);
                let e = k.err(name, cmd);
                assert_eq!(e["code"], "forbidden", "{name}: {e}");
                e["details"]["permission"].as_str().unwrap().to_string()
            }
        };
        let expected = expected_permission(name);
        assert_eq!(needed, expected, "{name}");
        // Holding exactly that permission gets past the check.
        k.actor = Actor {
            id: "clerk".into(),
            permissions: vec![serde_json::from_value(json!(expected)).unwrap()],
        };
        let e = k.run(name, sample_args(name));
        if let Answer::Err(e) = e {
            assert_ne!(e["code"], "forbidden", "{name} with {expected}");
        }
        k.actor = Actor {
            id: "nobody".into(),
            permissions: vec![],
        };
    }
}

fn expected_permission(name: &str) -> &'static str {
    match name {
        n if n.starts_with("get_") || n.starts_with("list_") || n == "stock_as_of" => {
            "inventory.read"
        }
        "update_stock" | "create_product" | "update_product" | "delete_product" => {
            "inventory.write"
        }
        "receive_purchase_order" | "return_to_supplier" => "purchasing.receive",
        n if n.contains("purchase_order") => "purchasing.write",
        n if n.contains("sales_document")
            || ["record_payment", "mark_shipped", "expire_orders"].contains(&n) =>
        {
            "sales.write"
        }
        _ => "admin",
    }
}

fn sample_args(name: &str) -> Value {
    match name {
        "create_location" | "create_category" | "create_supplier" => json!({"name": "x"}),
        "create_vat_rate" => json!({"name": "x", "percent": "21"}),
        "create_product" => json!({"sku": "S", "name": "x"}),
        "update_stock" => json!({"product_id": 1, "operation": "add", "quantity": "1"}),
        "stock_as_of" => json!({"product_id": 1, "at": "2026-01-01T00:00:00Z"}),
        "get_stock" => json!({"product_id": 1}),
        "create_purchase_order" => json!({"supplier_id": 1}),
        "receive_purchase_order" | "return_to_supplier" => json!({"id": 1, "lines": []}),
        "create_sales_document" => json!({"client": "c"}),
        "change_sales_document_type" => json!({"id": 1, "type": "invoice"}),
        "record_payment" => json!({"id": 1, "amount": "1"}),
        "mark_shipped" => json!({"ids": [1], "method": "sent"}),
        n if n.starts_with("list_")
            || ["get_settings", "update_settings", "expire_orders"].contains(&n) =>
        {
            json!({})
        }
        _ => json!({"id": 1}),
    }
}

#[test]
fn admin_implies_all_and_read_only_clerks_can_read() {
    let mut k = Kit::new();
    let p = k.product("R");
    k.actor = Actor {
        id: "viewer".into(),
        permissions: vec![serde_json::from_value(json!("inventory.read")).unwrap()],
    };
    k.ok("get_stock", json!({"product_id": p}));
    let d = k.refused(
        "forbidden",
        "update_stock",
        json!({"product_id": p, "operation": "add", "quantity": "1"}),
    );
    assert_eq!(d, json!({"permission": "inventory.write"}));
}

#[test]
fn idempotent_retry_returns_the_first_answer_and_changes_nothing() {
    let mut k = Kit::new();
    let p = k.product("IDEM");
    let args = json!({"product_id": p, "operation": "add", "quantity": "5"});
    let first = k.run_keyed("k-1", "update_stock", args.clone());
    let snap = k.snapshot_text();
    k.advance(Duration::minutes(5));
    assert_eq!(k.run_keyed("k-1", "update_stock", args.clone()), first);
    assert_eq!(snap, k.snapshot_text());
    // The same key for another request is a conflict.
    let other = json!({"product_id": p, "operation": "add", "quantity": "6"});
    match k.run_keyed("k-1", "update_stock", other) {
        Answer::Err(e) => assert_eq!(e["code"], "conflict"),
        Answer::Ok { ok, .. } => panic!("{ok}"),
    }
    assert_eq!(k.on_hand(p), "5");
    // Keys are kept with the store: a restored snapshot still knows them.
    let mut restored = MemoryStore::from_snapshot(k.store.snapshot()).unwrap();
    let req = json!({"cmd": "update_stock", "actor": k.actor, "now": k.now.to_rfc3339(), "idempotency_key": "k-1", "args": args});
    let again = crate::engine::execute_json(&mut restored, &req.to_string());
    assert_eq!(Kit::split(&again), first);
}

/// A retry replays the kept answer text byte for byte (events included), and
/// the Rust API gets the very same typed outcome back.
#[test]
fn a_retry_replays_the_kept_answer_exactly_in_json_and_in_rust() {
    let mut k = Kit::new();
    let p = k.ok(
        "create_product",
        json!({"sku": "LOW", "name": "Low", "low_stock_threshold": 3}),
    )["id"]
        .as_u64()
        .unwrap();
    k.ok(
        "update_stock",
        json!({"product_id": p, "operation": "add", "quantity": "10"}),
    );
    let req = json!({"cmd": "update_stock", "actor": k.actor, "now": k.now.to_rfc3339(),
        "idempotency_key": "drop", "args": {"product_id": p, "operation": "subtract", "quantity": "8"}})
    .to_string();
    let first = k.send(&req);
    assert!(
        first.contains("\"low_stock\""),
        "the drop raises an alert: {first}"
    );
    assert_eq!(k.send(&req), first);
    let parsed = crate::protocol::parse_request(&req).unwrap();
    let typed_first = crate::engine::execute(
        &mut MemoryStore::from_snapshot(k.store.snapshot()).unwrap(),
        parsed.clone(),
    )
    .unwrap();
    assert_eq!(
        crate::protocol::answer_json(&Ok(typed_first.clone())),
        first,
        "the typed replay renders the first answer"
    );
    assert_eq!(
        crate::engine::execute(&mut k.store, parsed).unwrap(),
        typed_first
    );
}

/// The same for a PO answer: its derived `actions` and a total past the
/// request limits (1.5 x 0.333333) come back alike when the Rust API types a
/// kept answer again.
#[test]
fn a_typed_replay_of_a_po_answer_keeps_actions_and_exact_totals() {
    let mut k = Kit::new();
    k.ok("create_supplier", json!({"name": "S"}));
    k.ok(
        "create_purchase_order",
        json!({"supplier_id": 1, "lines": [{"description": "cable", "quantity": "1.5", "unit_cost": "0.333333"}]}),
    );
    let req = json!({"cmd": "order_purchase_order", "actor": k.actor, "now": k.now.to_rfc3339(),
        "idempotency_key": "send-1", "args": {"id": 1}})
    .to_string();
    let first = k.send(&req);
    assert!(first.contains(r#""total":"0.4999995""#), "{first}");
    assert!(
        first.contains(r#""actions":["receive","cancel","export"]"#),
        "{first}"
    );
    let parsed = crate::protocol::parse_request(&req).unwrap();
    let replayed = crate::engine::execute(&mut k.store, parsed).unwrap();
    assert_eq!(crate::protocol::answer_json(&Ok(replayed)), first);
}

/// Stock past the request limits (two adds of 999999999999: 13 digits) in
/// the answers of `update_stock` and `update_product` comes back when the
/// Rust API types the kept answer again; it used to be `conflict`
/// ("unreadable kept answer: at most 12 digits before the point").
#[test]
fn a_typed_replay_reads_back_stock_past_the_request_limits() {
    let mut k = Kit::new();
    let p = k.product("BIG");
    let add = json!({"product_id": p, "operation": "add", "quantity": "999999999999"});
    k.ok("update_stock", add.clone());
    for (key, cmd, args) in [
        ("big-add", "update_stock", add),
        (
            "big-rename",
            "update_product",
            json!({"id": p, "name": "Big"}),
        ),
    ] {
        let req = json!({"cmd": cmd, "actor": k.actor, "now": k.now.to_rfc3339(),
            "idempotency_key": key, "args": args})
        .to_string();
        let first = k.send(&req);
        assert!(first.contains(r#""on_hand":"1999999999998""#), "{first}");
        let parsed = crate::protocol::parse_request(&req).unwrap();
        let replayed = crate::engine::execute(&mut k.store, parsed).unwrap();
        assert_eq!(crate::protocol::answer_json(&Ok(replayed)), first, "{cmd}");
    }
}

#[test]
fn a_refused_command_does_not_use_up_its_key() {
    let mut k = Kit::new();
    let p = k.product("K");
    let sub = json!({"product_id": p, "operation": "add", "quantity": "1.5"});
    assert!(matches!(
        k.run_keyed("k-2", "update_stock", sub),
        Answer::Err(_)
    ));
    let ok = json!({"product_id": p, "operation": "add", "quantity": "1"});
    assert!(matches!(
        k.run_keyed("k-2", "update_stock", ok),
        Answer::Ok { .. }
    ));
}

#[test]
fn a_stale_changeset_is_a_conflict_and_applies_nothing() {
    let mut k = Kit::new();
    let p = k.product("OCC");
    let now = k.now;
    // Writer A reads and prepares a change...
    let cs = {
        let mut tx = Tx::new(&k.store, now);
        let product = tx.product(p).unwrap();
        crate::ledger::change_stock(
            &mut tx,
            &product.rules(),
            1,
            crate::ledger::Operation::Add,
            "2".parse().unwrap(),
            None,
            Default::default(),
        )
        .unwrap();
        tx.into_changeset()
    };
    // ...writer B commits first...
    k.ok(
        "update_stock",
        json!({"product_id": p, "operation": "add", "quantity": "1"}),
    );
    let snap = k.snapshot_text();
    // ...so A's changeset is stale.
    let e = k.store.commit(cs).unwrap_err();
    assert_eq!(e.code(), "conflict");
    assert_eq!(snap, k.snapshot_text());
}

#[test]
fn limits_of_input() {
    let mut k = Kit::new();
    let long = "x".repeat(201);
    k.refused("invalid_field", "create_location", json!({"name": long}));
    k.refused(
        "invalid_field",
        "create_location",
        json!({"name": "tab\tinside"}),
    );
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "S".repeat(65), "name": "x"}),
    );
    k.refused(
        "invalid_field",
        "create_supplier",
        json!({"name": "S", "notes": "n".repeat(10_001)}),
    );
    k.ok(
        "create_supplier",
        json!({"name": "S", "notes": "n".repeat(10_000)}),
    );
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "P", "name": "x", "price": "1.1234567"}),
    );
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "P", "name": "x", "price": "1000000000000"}),
    );
    k.ok(
        "create_product",
        json!({"sku": "P", "name": "x", "price": "999999999999.999999"}),
    );
}

#[test]
fn queries_need_no_time_and_ignore_keys_changes_need_time() {
    let mut k = Kit::new();
    let a = k.send(r#"{"cmd":"get_settings","actor":{"id":"a","permissions":["inventory.read"]}}"#);
    assert!(
        a.starts_with(r#"{"ok":{"purchase_orders_enabled":true"#),
        "{a}"
    );
    let e = k.send(r#"{"cmd":"create_location","actor":{"id":"a","permissions":["admin"]},"args":{"name":"X"}}"#);
    assert_eq!(code_of(&e), "invalid_request");
}

#[test]
fn every_command_parses_from_its_wire_name() {
    for name in COMMAND_NAMES {
        let c = Command::parse(name, sample_args(name)).unwrap();
        assert_eq!(c.name(), *name);
    }
}
