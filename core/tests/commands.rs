//! RULES §9.4 (the command names are fixed) and §7a.1 (every change command
//! may carry an idempotency key), checked for every command of the core.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use stockbook_core::protocol::{Command, COMMAND_NAMES};
use stockbook_core::testkit::{Answer, Kit};

/// RULES §9, "Changes", as written there (RULES.md lives outside this
/// repository, so the list is copied here by hand; keep it in step).
const RULES_CHANGES: [&str; 29] = [
    "create_location",
    "create_category",
    "update_category",
    "delete_category",
    "create_vat_rate",
    "update_settings",
    "create_supplier",
    "update_supplier",
    "delete_supplier",
    "create_product",
    "update_product",
    "delete_product",
    "update_stock",
    "create_purchase_order",
    "update_purchase_order",
    "delete_purchase_order",
    "order_purchase_order",
    "receive_purchase_order",
    "cancel_purchase_order",
    "close_purchase_order",
    "return_to_supplier",
    "mark_purchase_order_exported",
    "create_sales_document",
    "update_sales_document",
    "change_sales_document_type",
    "record_payment",
    "mark_shipped",
    "delete_sales_document",
    "expire_orders",
];

/// RULES §9, "Queries", copied by hand likewise.
const RULES_QUERIES: [&str; 15] = [
    "get_settings",
    "list_locations",
    "list_categories",
    "list_vat_rates",
    "get_supplier",
    "list_suppliers",
    "get_product",
    "list_products",
    "get_stock",
    "stock_as_of",
    "list_movements",
    "get_purchase_order",
    "list_purchase_orders",
    "get_sales_document",
    "list_sales_documents",
];

/// A store where every command below has something to work on:
/// - locations Main (1) and Van (2); VAT rate 1; categories 1 (used by
///   product 1), 2 and 3 (unused);
/// - suppliers 1 and 2 (with POs), 3 and 4 (without);
/// - products 1 BOLT and 2 NUT with 100 in stock, 3 and 4 without history;
/// - POs: 1 and 2 drafts, 3 ordered, 4 partially received, 5 ordered;
/// - sales documents: 1 an order, 2 an invoice, 3 a quote, 4 an order past
///   its due date.
fn setup() -> Kit {
    let mut k = Kit::new();
    k.ok("create_location", json!({"name": "Van"}));
    k.ok(
        "create_vat_rate",
        json!({"name": "Standard", "percent": "21"}),
    );
    for c in ["Fasteners", "Spare", "Other"] {
        k.ok("create_category", json!({ "name": c }));
    }
    for s in ["Acme", "Beta", "Unused 1", "Unused 2"] {
        k.supplier(s);
    }
    k.ok(
        "create_product",
        json!({"sku": "BOLT", "name": "Bolt", "category_id": 1, "purchase_price": "0.45"}),
    );
    for sku in ["NUT", "TEMP-1", "TEMP-2"] {
        k.product(sku);
    }
    for p in [1, 2] {
        k.ok(
            "update_stock",
            json!({"product_id": p, "operation": "add", "quantity": "100"}),
        );
    }
    let lines = json!([{"product_id": 1, "quantity": 10, "unit_cost": "0.45"}, {"product_id": 2, "quantity": 5}]);
    for po in 1..=5 {
        let supplier = if po == 2 { 2 } else { 1 };
        k.ok(
            "create_purchase_order",
            json!({"supplier_id": supplier, "lines": lines}),
        );
        if po >= 3 {
            k.ok("order_purchase_order", json!({ "id": po }));
        }
    }
    k.ok(
        "receive_purchase_order",
        json!({"id": 4, "lines": [{"line_no": 1, "quantity": 4}]}),
    );
    k.ok(
        "create_sales_document",
        json!({"client": "Jansen", "due_date": "2026-01-20", "lines": [{"product_id": 1, "quantity": 3, "unit_price": "1.00"}]}),
    );
    k.ok(
        "create_sales_document",
        json!({"type": "invoice", "client": "Bakker", "lines": [{"product_id": 2, "quantity": 2}]}),
    );
    k.ok(
        "create_sales_document",
        json!({"type": "quote", "client": "De Vries", "lines": [{"product_id": 2, "quantity": 1}]}),
    );
    k.ok(
        "create_sales_document",
        json!({"client": "Smit", "due_date": "2026-01-02", "lines": [{"product_id": 1, "quantity": 1}]}),
    );
    k.advance(chrono::Duration::hours(1));
    k
}

/// For every change: a valid request on the store of `setup`, and a
/// different request (another valid one) to send with the same key.
fn change_requests() -> Vec<(&'static str, Value, &'static str, Value)> {
    let same = |cmd: &'static str, a: Value, b: Value| (cmd, a, cmd, b);
    vec![
        same(
            "create_location",
            json!({"name": "Shelf"}),
            json!({"name": "Shelf 2"}),
        ),
        same(
            "create_category",
            json!({"name": "Tools"}),
            json!({"name": "Tools", "colour": "#112233"}),
        ),
        same(
            "update_category",
            json!({"id": 1, "colour": "#FF8800"}),
            json!({"id": 1, "colour": "#FF8801"}),
        ),
        same("delete_category", json!({"id": 2}), json!({"id": 3})),
        same(
            "create_vat_rate",
            json!({"name": "Low", "percent": "9"}),
            json!({"name": "Low", "percent": "6"}),
        ),
        same(
            "update_settings",
            json!({"oversell_policy": "allow"}),
            json!({"low_stock_cooldown_minutes": 60}),
        ),
        same(
            "create_supplier",
            json!({"name": "Gamma"}),
            json!({"name": "Delta"}),
        ),
        same(
            "update_supplier",
            json!({"id": 1, "phone": "+31 1"}),
            json!({"id": 1, "phone": "+31 2"}),
        ),
        same("delete_supplier", json!({"id": 3}), json!({"id": 4})),
        same(
            "create_product",
            json!({"sku": "WASHER", "name": "Washer"}),
            json!({"sku": "WASHER-2", "name": "Washer"}),
        ),
        same(
            "update_product",
            json!({"id": 1, "name": "Bolt M8"}),
            json!({"id": 1, "name": "Bolt M9"}),
        ),
        same("delete_product", json!({"id": 3}), json!({"id": 4})),
        same(
            "update_stock",
            json!({"product_id": 1, "operation": "add", "quantity": "5"}),
            json!({"product_id": 1, "operation": "add", "quantity": "6"}),
        ),
        same(
            "create_purchase_order",
            json!({"supplier_id": 1, "lines": [{"product_id": 1, "quantity": 2}]}),
            json!({"supplier_id": 1, "lines": [{"product_id": 1, "quantity": 3}]}),
        ),
        same(
            "update_purchase_order",
            json!({"id": 1, "notes": "dock 2"}),
            json!({"id": 1, "notes": "dock 3"}),
        ),
        same("delete_purchase_order", json!({"id": 1}), json!({"id": 2})),
        same("order_purchase_order", json!({"id": 1}), json!({"id": 2})),
        same(
            "receive_purchase_order",
            json!({"id": 3, "lines": [{"line_no": 1, "quantity": 2}]}),
            json!({"id": 3, "lines": [{"line_no": 1, "quantity": 3}]}),
        ),
        same("cancel_purchase_order", json!({"id": 5}), json!({"id": 3})),
        same(
            "close_purchase_order",
            json!({"id": 4, "create_backorder": false}),
            json!({"id": 4, "create_backorder": true}),
        ),
        same(
            "return_to_supplier",
            json!({"id": 4, "lines": [{"line_no": 1, "quantity": 1}]}),
            json!({"id": 4, "lines": [{"line_no": 1, "quantity": 2}]}),
        ),
        same(
            "mark_purchase_order_exported",
            json!({"id": 3}),
            json!({"id": 5}),
        ),
        same(
            "create_sales_document",
            json!({"client": "C", "lines": [{"product_id": 2, "quantity": 1}]}),
            json!({"client": "C", "lines": [{"product_id": 2, "quantity": 2}]}),
        ),
        same(
            "update_sales_document",
            json!({"id": 1, "client": "Jansen BV"}),
            json!({"id": 1, "client": "Jansen NV"}),
        ),
        same(
            "change_sales_document_type",
            json!({"id": 1, "type": "invoice"}),
            json!({"id": 1, "type": "quote"}),
        ),
        same(
            "record_payment",
            json!({"id": 1, "amount": "1.00"}),
            json!({"id": 1, "amount": "2.00"}),
        ),
        same(
            "mark_shipped",
            json!({"ids": [2], "method": "sent"}),
            json!({"ids": [1], "method": "sent"}),
        ),
        same("delete_sales_document", json!({"id": 3}), json!({"id": 1})),
        // No arguments to vary: the other request is another command.
        (
            "expire_orders",
            json!({}),
            "create_location",
            json!({"name": "Shelf"}),
        ),
    ]
}

/// A valid request's arguments for every query, on the store of `setup`.
fn query_args(name: &str) -> Value {
    match name {
        "get_supplier" | "get_product" | "get_purchase_order" | "get_sales_document" => {
            json!({"id": 1})
        }
        "get_stock" => json!({"product_id": 1}),
        "stock_as_of" => json!({"product_id": 1, "at": "2026-01-05T09:30:00Z"}),
        _ => json!({}),
    }
}

fn keyed(k: &Kit, key: &str, cmd: &str, args: &Value) -> String {
    json!({"cmd": cmd, "actor": k.actor, "now": k.now.to_rfc3339(), "idempotency_key": key, "args": args})
        .to_string()
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn the_command_names_are_the_29_changes_and_15_queries_of_rules() {
    let core: BTreeSet<&str> = COMMAND_NAMES.iter().copied().collect();
    assert_eq!(core.len(), COMMAND_NAMES.len(), "a name listed twice");
    let rules: BTreeSet<&str> = RULES_CHANGES
        .iter()
        .chain(&RULES_QUERIES)
        .copied()
        .collect();
    assert_eq!(rules.len(), 44);
    assert_eq!(
        sorted(COMMAND_NAMES),
        sorted(&rules.iter().copied().collect::<Vec<_>>()),
        "the core's commands are RULES §9's"
    );
    // Changes are exactly the commands that are changes: by the core's own
    // flag, and by the table below having a valid request for each.
    let table: Vec<&str> = change_requests().iter().map(|r| r.0).collect();
    assert_eq!(sorted(&table), sorted(&RULES_CHANGES));
    for name in COMMAND_NAMES {
        let args = match change_requests().into_iter().find(|r| r.0 == *name) {
            Some((_, a, _, _)) => a,
            None => query_args(name),
        };
        let cmd = Command::parse(name, args).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cmd.name(), *name);
        assert_eq!(
            cmd.is_change(),
            RULES_CHANGES.contains(name),
            "{name}: is_change"
        );
    }
}

#[test]
fn changes_need_now_and_queries_may_leave_it_out() {
    for name in COMMAND_NAMES {
        let mut k = setup();
        let args = match change_requests().into_iter().find(|r| r.0 == *name) {
            Some((_, a, _, _)) => a,
            None => query_args(name),
        };
        let without_now = json!({"cmd": name, "actor": k.actor, "args": args}).to_string();
        let before = k.snapshot_text();
        let answer = Kit::split(&k.send(&without_now));
        if RULES_CHANGES.contains(name) {
            match answer {
                Answer::Err(e) => {
                    assert_eq!(e["code"], "invalid_request", "{name}: {e}");
                    assert!(
                        e["message"].as_str().unwrap_or("").contains("now"),
                        "{name}: {e}"
                    );
                }
                Answer::Ok { ok, .. } => panic!("{name} without `now` answered {ok}"),
            }
            assert_eq!(before, k.snapshot_text(), "{name}");
            // With `now` the same request is accepted.
            k.ok(name, without_now.parse::<Value>().unwrap()["args"].clone());
        } else {
            assert!(
                matches!(answer, Answer::Ok { .. }),
                "{name} without `now`: {answer:?}"
            );
            assert_eq!(before, k.snapshot_text(), "a query changed the store");
        }
    }
}

#[test]
fn every_change_with_a_key_applies_once_and_refuses_another_request_with_it() {
    for (cmd, args, other_cmd, other_args) in change_requests() {
        let mut k = setup();
        let first_text = keyed(&k, "key-1", cmd, &args);
        let first = k.send(&first_text);
        assert!(first.starts_with("{\"ok\":"), "{cmd}: {first}");
        let after_first = k.snapshot_text();
        // The identical request again: the same answer, byte for byte, and
        // nothing changes.
        assert_eq!(k.send(&first_text), first, "{cmd}: retry");
        assert_eq!(
            k.snapshot_text(),
            after_first,
            "{cmd}: the retry changed the store"
        );
        // Later (`now` is not part of the request's identity): still the same.
        k.advance(chrono::Duration::minutes(5));
        assert_eq!(
            k.send(&keyed(&k, "key-1", cmd, &args)),
            first,
            "{cmd}: later retry"
        );
        assert_eq!(
            k.snapshot_text(),
            after_first,
            "{cmd}: the later retry changed the store"
        );
        // The same key with a different request: conflict, nothing changes.
        let e = match Kit::split(&k.send(&keyed(&k, "key-1", other_cmd, &other_args))) {
            Answer::Err(e) => e,
            Answer::Ok { ok, .. } => {
                panic!("{cmd}: a different request with the key answered {ok}")
            }
        };
        assert_eq!(e["code"], "conflict", "{cmd}: {e}");
        assert_eq!(
            k.snapshot_text(),
            after_first,
            "{cmd}: the conflict changed the store"
        );
        // The other request is itself valid: on a fresh store it is accepted
        // (so the conflict comes from the key, not from the request).
        let mut fresh_kit = setup();
        let fresh = fresh_kit.send(&keyed(&fresh_kit, "key-1", other_cmd, &other_args));
        assert!(
            fresh.starts_with("{\"ok\":"),
            "{cmd}: other request {other_args}: {fresh}"
        );
    }
}
