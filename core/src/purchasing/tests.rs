//! Rules of RULES §3 (purchase orders), through the protocol.

use crate::testkit::Kit;
use chrono::Duration;
use serde_json::{json, Value};

struct Setup {
    k: Kit,
    supplier: u64,
    bolt: u64,
    nut: u64,
    washer: u64,
}

fn setup() -> Setup {
    let mut k = Kit::new();
    let supplier = k.supplier("Acme Fasteners");
    let bolt = k.ok(
        "create_product",
        json!({"sku": "BOLT-M8-30", "name": "M8 x 30mm Hex Bolt", "purchase_price": "0.45"}),
    )["id"]
        .as_u64()
        .unwrap();
    let nut = k.ok(
        "create_product",
        json!({"sku": "NUT-M8", "name": "M8 Hex Nut", "purchase_price": "0.22"}),
    )["id"]
        .as_u64()
        .unwrap();
    let washer = k.ok(
        "create_product",
        json!({"sku": "WSHR-M8", "name": "M8 Flat Washer", "purchase_price": "0.12"}),
    )["id"]
        .as_u64()
        .unwrap();
    Setup {
        k,
        supplier,
        bolt,
        nut,
        washer,
    }
}

fn id(v: &Value) -> u64 {
    v["purchase_order"]["id"].as_u64().unwrap()
}

fn status(k: &mut Kit, po: u64) -> String {
    k.ok("get_purchase_order", json!({"id": po}))["purchase_order"]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A PO with one line of 10 bolts, in the asked status.
fn po_in(s: &mut Setup, st: &str) -> u64 {
    let po = id(&s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "lines": [{"product_id": s.bolt, "quantity": 10}]}),
    ));
    let by_id = json!({"id": po});
    match st {
        "draft" => {}
        "cancelled" => {
            s.k.ok("cancel_purchase_order", by_id);
        }
        _ => {
            s.k.ok("order_purchase_order", by_id.clone());
            match st {
                "ordered" => {}
                "partially_received" | "closed" => {
                    s.k.ok(
                        "receive_purchase_order",
                        json!({"id": po, "lines": [{"line_no": 1, "quantity": 4}]}),
                    );
                    if st == "closed" {
                        s.k.ok("close_purchase_order", by_id);
                    }
                }
                "received" => {
                    s.k.ok(
                        "receive_purchase_order",
                        json!({"id": po, "lines": [{"line_no": 1, "quantity": 10}]}),
                    );
                }
                other => panic!("{other}"),
            }
        }
    }
    assert_eq!(status(&mut s.k, po), st);
    po
}

#[test]
fn seed_po_totals_670() {
    let mut s = setup();
    let v = s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "number": "PO-2025-0043", "lines": [
            {"product_id": s.bolt, "quantity": 1000, "unit_cost": "0.45"},
            {"product_id": s.nut, "quantity": 1000, "unit_cost": "0.22"}]}),
    );
    assert_eq!(v["total"], "670.00");
    assert_eq!(v["received_total"], "0.00");
    assert_eq!(v["purchase_order"]["status"], "draft");
    assert_eq!(v["purchase_order"]["order_date"], "2026-01-05");
    assert_eq!(
        v["purchase_order"]["lines"][0]["description"],
        "M8 x 30mm Hex Bolt"
    );
    assert_eq!(v["purchase_order"]["lines"][1]["location_id"], 1);
}

#[test]
fn three_lines_received_in_two_partial_receipts() {
    let mut s = setup();
    let po = id(&s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "lines": [
            {"product_id": s.bolt, "quantity": 1000},
            {"product_id": s.nut, "quantity": 1000},
            {"product_id": s.washer, "quantity": 2000}]}),
    ));
    s.k.ok("order_purchase_order", json!({"id": po}));
    assert_eq!(
        s.k.ok("get_stock", json!({"product_id": s.washer}))["totals"]["incoming"],
        "2000"
    );
    let r1 = s.k.ok("receive_purchase_order", json!({"id": po, "lines": [{"line_no": 1, "quantity": 1000}, {"line_no": 3, "quantity": 500}]}));
    assert_eq!(r1["purchase_order"]["status"], "partially_received");
    assert_eq!(r1["movements"].as_array().map(Vec::len), Some(2));
    assert_eq!(r1["movements"][0]["type"], "purchase");
    assert_eq!(r1["movements"][0]["source"]["purchase_order"], po);
    assert_eq!(r1["purchase_order"]["received_date"], "2026-01-05");
    assert_eq!(r1["received_total"], "510.00");
    s.k.advance(Duration::days(2));
    let r2 = s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 2, "quantity": 1000}, {"line_no": 3, "quantity": 1500}], "packing_slip_number": "PS-77"}),
    );
    assert_eq!(r2["purchase_order"]["status"], "received");
    assert_eq!(r2["purchase_order"]["received_date"], "2026-01-07");
    assert_eq!(r2["purchase_order"]["packing_slip_number"], "PS-77");
    assert_eq!(s.k.on_hand(s.washer), "2000");
    assert_eq!(
        s.k.ok("get_stock", json!({"product_id": s.washer}))["totals"]["incoming"],
        "0"
    );
}

#[test]
fn every_transition_allowed_and_refused() {
    let statuses = [
        "draft",
        "ordered",
        "partially_received",
        "received",
        "cancelled",
        "closed",
    ];
    // (action, command, statuses where allowed)
    let table: [(&str, &str, &[&str]); 7] = [
        ("update", "update_purchase_order", &["draft"]),
        ("delete", "delete_purchase_order", &["draft"]),
        ("order", "order_purchase_order", &["draft"]),
        (
            "receive",
            "receive_purchase_order",
            &["ordered", "partially_received"],
        ),
        ("cancel", "cancel_purchase_order", &["draft", "ordered"]),
        ("close", "close_purchase_order", &["partially_received"]),
        (
            "return",
            "return_to_supplier",
            &["partially_received", "received", "closed"],
        ),
    ];
    for (action, cmd, allowed) in table {
        for st in statuses {
            let mut s = setup();
            let po = po_in(&mut s, st);
            let args = match action {
                "receive" => json!({"id": po, "lines": [{"line_no": 1, "quantity": 1}]}),
                "return" => json!({"id": po, "lines": [{"line_no": 1, "quantity": 1}]}),
                "update" => json!({"id": po, "notes": "x"}),
                _ => json!({"id": po}),
            };
            if allowed.contains(&st) {
                s.k.ok(cmd, args);
                // Where the move leads: receiving 1 of 10 (after 0 or 4)
                // leaves the PO partly received; returns keep the status.
                let after = match action {
                    "delete" => {
                        s.k.refused("not_found", "get_purchase_order", json!({"id": po}));
                        continue;
                    }
                    "order" => "ordered",
                    "receive" => "partially_received",
                    "cancel" => "cancelled",
                    "close" => "closed",
                    _ => st,
                };
                assert_eq!(status(&mut s.k, po), after, "{cmd} on {st}");
            } else {
                let d = s.k.refused("invalid_transition", cmd, args);
                assert_eq!(d, json!({"from": st, "action": action}), "{cmd} on {st}");
            }
        }
    }
}

#[test]
fn over_receipt_changes_nothing_and_names_the_line() {
    let mut s = setup();
    let po = id(&s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "lines": [{"product_id": s.bolt, "quantity": 10}, {"product_id": s.nut, "quantity": 5}]}),
    ));
    s.k.ok("order_purchase_order", json!({"id": po}));
    s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 2, "quantity": 2}]}),
    );
    let d = s.k.refused(
        "over_receipt",
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 10}, {"line_no": 2, "quantity": 4}]}),
    );
    assert_eq!(d, json!({"line": 2, "outstanding": "3", "requested": "4"}));
    // Two entries for one line are summed before the check.
    s.k.refused(
        "over_receipt",
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 2, "quantity": 2}, {"line_no": 2, "quantity": 2}]}),
    );
    assert_eq!(s.k.on_hand(s.bolt), "0");
}

/// A received quantity is checked against the product's decimal places
/// (free-text lines allow the maximum), and a refused one changes nothing.
#[test]
fn received_quantities_respect_the_products_decimal_places() {
    let mut s = setup();
    let cable = s.k.ok(
        "create_product",
        json!({"sku": "CABLE", "name": "Cable (m)", "decimal_places": 2}),
    )["id"]
        .as_u64()
        .unwrap();
    let po = id(&s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "lines": [
            {"product_id": s.bolt, "quantity": 10},
            {"product_id": cable, "quantity": "10.50"},
            {"description": "Freight", "quantity": 1, "unit_cost": "20"}
        ]}),
    ));
    s.k.ok("order_purchase_order", json!({"id": po}));
    let d = s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": "1.5"}]}),
    );
    assert!(d["field"].as_str().unwrap().contains("quantity"), "{d}");
    s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 2, "quantity": "0.125"}]}),
    );
    s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 2}, {"line_no": 2, "quantity": "0.25"}, {"line_no": 3, "quantity": "0.5"}]}),
    );
    assert_eq!(s.k.on_hand(s.bolt), "2");
    assert_eq!(s.k.on_hand(cable), "0.25");
}

#[test]
fn a_retried_receipt_applies_once() {
    let mut s = setup();
    let po = po_in(&mut s, "ordered");
    let args = json!({"id": po, "lines": [{"line_no": 1, "quantity": 3}]});
    let first =
        s.k.run_keyed("rcpt-1", "receive_purchase_order", args.clone());
    let ledger = s.k.store.ledger_len();
    s.k.advance(Duration::seconds(30)); // the client retries after a timeout
    let again = s.k.run_keyed("rcpt-1", "receive_purchase_order", args);
    assert_eq!(first, again);
    assert_eq!(s.k.store.ledger_len(), ledger);
    assert_eq!(s.k.on_hand(s.bolt), "3");
    let po = s.k.ok("get_purchase_order", json!({"id": po}))["purchase_order"].clone();
    assert_eq!(po["lines"][0]["received"], "3");
    assert_eq!(po["status"], "partially_received");
}

#[test]
fn over_receipt_tolerance_counts_across_receipts() {
    let mut s = setup();
    s.k.ok(
        "update_settings",
        json!({"over_receipt_tolerance_percent": "10"}),
    );
    let po = po_in(&mut s, "ordered");
    s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 6}]}),
    );
    let d = s.k.refused(
        "over_receipt",
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 6}]}),
    );
    assert_eq!(d["outstanding"], "5");
    let r = s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 5}]}),
    );
    assert_eq!(r["purchase_order"]["status"], "received");
    assert_eq!(r["purchase_order"]["lines"][0]["received"], "11");
    s.k.refused(
        "invalid_field",
        "update_settings",
        json!({"over_receipt_tolerance_percent": "101"}),
    );
}

/// RULES §8: numbers are at most 64 characters, a backorder's too. A PO
/// whose number leaves room for `-BO1` gets its backorder; one at the limit
/// is refused with the reason (and nothing changes), and still closes
/// without one.
#[test]
fn a_backorder_number_keeps_to_64_characters() {
    let mut s = setup();
    let partly = |s: &mut Setup, number: &str| {
        let po = id(&s.k.ok(
            "create_purchase_order",
            json!({"supplier_id": s.supplier, "number": number, "lines": [{"product_id": s.bolt, "quantity": 10}]}),
        ));
        s.k.ok("order_purchase_order", json!({"id": po}));
        s.k.ok(
            "receive_purchase_order",
            json!({"id": po, "lines": [{"line_no": 1, "quantity": 4}]}),
        );
        po
    };
    let fits = partly(&mut s, &"F".repeat(60));
    let c = s.k.ok(
        "close_purchase_order",
        json!({"id": fits, "create_backorder": true}),
    );
    assert_eq!(c["backorder"]["number"], format!("{}-BO1", "F".repeat(60)));
    let full = partly(&mut s, &"L".repeat(64));
    let before = s.k.snapshot_text();
    let e = s.k.refused(
        "invalid_field",
        "close_purchase_order",
        json!({"id": full, "create_backorder": true}),
    );
    assert_eq!(e["field"], "create_backorder");
    assert!(
        e["reason"]
            .as_str()
            .unwrap()
            .contains("68 characters, at most 64"),
        "{e}"
    );
    assert_eq!(s.k.snapshot_text(), before, "a refusal changes nothing");
    let c = s.k.ok("close_purchase_order", json!({"id": full}));
    assert_eq!(c["purchase_order"]["status"], "closed");
}

#[test]
fn backorders_number_from_the_root_across_two_closes() {
    let mut s = setup();
    let po = id(&s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "lines": [{"product_id": s.bolt, "quantity": 10}, {"product_id": s.nut, "quantity": 4}]}),
    ));
    s.k.ok("order_purchase_order", json!({"id": po}));
    s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "packing_slip_number": "PS-6", "lines": [{"line_no": 1, "quantity": 6}, {"line_no": 2, "quantity": 4}]}),
    );
    let c1 = s.k.ok(
        "close_purchase_order",
        json!({"id": po, "create_backorder": true}),
    );
    assert_eq!(c1["purchase_order"]["status"], "closed");
    let bo1 = &c1["backorder"];
    assert_eq!(bo1["number"], "PO-2026-0001-BO1");
    assert_eq!(bo1["status"], "ordered");
    assert_eq!(bo1["lines"].as_array().map(Vec::len), Some(1));
    assert_eq!(bo1["lines"][0]["quantity"], "4");
    assert_eq!(bo1["backorder_of"], po);
    // The slip belongs to the delivery received on the closed PO.
    assert_eq!(c1["purchase_order"]["packing_slip_number"], "PS-6");
    assert_eq!(bo1["packing_slip_number"], Value::Null);
    assert_eq!(
        s.k.ok("get_stock", json!({"product_id": s.bolt}))["totals"]["incoming"],
        "4"
    );
    let bo1_id = bo1["id"].as_u64().unwrap();
    s.k.ok(
        "receive_purchase_order",
        json!({"id": bo1_id, "lines": [{"line_no": 1, "quantity": 1}]}),
    );
    let c2 = s.k.ok(
        "close_purchase_order",
        json!({"id": bo1_id, "create_backorder": true}),
    );
    assert_eq!(c2["backorder"]["number"], "PO-2026-0001-BO2");
    assert_eq!(c2["backorder"]["lines"][0]["quantity"], "3");
    // Closing without a backorder drops what is incoming.
    let bo2 = c2["backorder"]["id"].as_u64().unwrap();
    s.k.ok(
        "receive_purchase_order",
        json!({"id": bo2, "lines": [{"line_no": 1, "quantity": 1}]}),
    );
    assert_eq!(
        s.k.ok("close_purchase_order", json!({"id": bo2}))["backorder"],
        Value::Null
    );
    assert_eq!(
        s.k.ok("get_stock", json!({"product_id": s.bolt}))["totals"]["incoming"],
        "0"
    );
    assert_eq!(s.k.on_hand(s.bolt), "8");
}

#[test]
fn returns_to_the_supplier() {
    let mut s = setup();
    let po = po_in(&mut s, "received"); // 10 bolts in stock
    let r = s.k.ok(
        "return_to_supplier",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 3}], "reason": "damaged"}),
    );
    assert_eq!(r["movements"][0]["type"], "return");
    assert_eq!(r["movements"][0]["quantity"], "-3");
    assert_eq!(r["movements"][0]["reason"], "damaged");
    assert_eq!(r["purchase_order"]["lines"][0]["returned"], "3");
    assert_eq!(r["purchase_order"]["status"], "received");
    let d = s.k.refused(
        "invalid_field",
        "return_to_supplier",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 8}]}),
    );
    assert_eq!(d["field"], "lines[0].quantity");
    // What was asked and what may be: 10 received, 3 returned already.
    assert_eq!(
        d["reason"],
        "line 1: 8 to return, only 7 received and not yet returned"
    );
    // Stock already used elsewhere: the return is clamped at zero stock.
    s.k.ok(
        "update_stock",
        json!({"product_id": s.bolt, "operation": "set", "quantity": "2"}),
    );
    let r = s.k.ok(
        "return_to_supplier",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 7}]}),
    );
    assert_eq!(
        (
            r["movements"][0]["quantity"].as_str(),
            r["movements"][0]["requested"].as_str()
        ),
        (Some("-2"), Some("-7"))
    );
    assert_eq!(s.k.on_hand(s.bolt), "0");
}

/// `actions` in a PO view (what a page offers as buttons) names exactly the
/// commands that would succeed: in every status, exported or not, and for an
/// empty draft (nothing to order).
#[test]
fn actions_name_exactly_the_commands_that_succeed() {
    let statuses = [
        "draft",
        "empty_draft",
        "ordered",
        "partially_received",
        "received",
        "cancelled",
        "closed",
    ];
    let commands = [
        ("update", "update_purchase_order"),
        ("delete", "delete_purchase_order"),
        ("order", "order_purchase_order"),
        ("receive", "receive_purchase_order"),
        ("cancel", "cancel_purchase_order"),
        ("close", "close_purchase_order"),
        ("return", "return_to_supplier"),
        ("export", "mark_purchase_order_exported"),
    ];
    let make = |st: &str, exported: bool| {
        let mut s = setup();
        let po = if st == "empty_draft" {
            po_empty(&mut s)
        } else {
            po_in(&mut s, st)
        };
        if exported {
            s.k.ok("mark_purchase_order_exported", json!({"id": po}));
        }
        (s, po)
    };
    for st in statuses {
        for exported in [false, true] {
            let (mut s, po) = make(st, exported);
            let view = s.k.ok("get_purchase_order", json!({"id": po}));
            let actions: Vec<String> = serde_json::from_value(view["actions"].clone()).unwrap();
            for (action, cmd) in commands {
                let (mut s, po) = make(st, exported);
                let args = match action {
                    "receive" | "return" => {
                        json!({"id": po, "lines": [{"line_no": 1, "quantity": 1}]})
                    }
                    "update" => json!({"id": po, "notes": "x"}),
                    _ => json!({"id": po}),
                };
                // Exporting twice is accepted but changes nothing: not offered.
                let succeeds = matches!(s.k.run(cmd, args), crate::testkit::Answer::Ok { .. })
                    && !(action == "export" && exported);
                assert_eq!(
                    actions.iter().any(|a| a == action),
                    succeeds,
                    "{action} on {st} (exported: {exported}): actions {actions:?}"
                );
            }
        }
    }
}

#[test]
fn exported_pos_are_locked_but_still_receive() {
    let mut s = setup();
    let po = po_in(&mut s, "ordered");
    s.k.ok("mark_purchase_order_exported", json!({"id": po}));
    assert_eq!(
        s.k.ok("mark_purchase_order_exported", json!({"id": po}))["purchase_order"]["exported"],
        true
    );
    s.k.refused("locked", "cancel_purchase_order", json!({"id": po}));
    s.k.refused(
        "locked",
        "update_purchase_order",
        json!({"id": po, "notes": "late"}),
    );
    s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 2}]}),
    );
    let d =
        s.k.refused("locked", "close_purchase_order", json!({"id": po}));
    assert_eq!(d["entity"], "purchase_order");
    // Returns are goods moving, like receipts: allowed on an exported PO.
    let r = s.k.ok(
        "return_to_supplier",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 1}]}),
    );
    assert_eq!(r["purchase_order"]["lines"][0]["returned"], "1");
    assert_eq!(s.k.on_hand(s.bolt), "1");
    // An exported draft is not stuck: it cannot be edited or deleted, but it
    // can be ordered (RULES §3 locks edits, cancels and closes).
    let draft = po_in(&mut s, "draft");
    s.k.ok("mark_purchase_order_exported", json!({"id": draft}));
    s.k.refused("locked", "delete_purchase_order", json!({"id": draft}));
    s.k.refused(
        "locked",
        "update_purchase_order",
        json!({"id": draft, "lines": [{"product_id": s.nut, "quantity": 1}]}),
    );
    s.k.ok("order_purchase_order", json!({"id": draft}));
    assert_eq!(status(&mut s.k, draft), "ordered");
}

#[test]
fn free_text_and_untracked_lines_only_count_as_received() {
    let mut s = setup();
    let svc = s.k.ok(
        "create_product",
        json!({"sku": "FREIGHT", "name": "Freight", "track_inventory": false}),
    )["id"]
        .as_u64()
        .unwrap();
    let po = id(&s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "lines": [
            {"description": "Pallet deposit", "quantity": 1, "unit_cost": "25.00"},
            {"product_id": svc, "quantity": 1, "unit_cost": "40"}]}),
    ));
    s.k.ok("order_purchase_order", json!({"id": po}));
    let r = s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 1}, {"line_no": 2, "quantity": 1}]}),
    );
    assert_eq!(r["purchase_order"]["status"], "received");
    assert_eq!(r["movements"], json!([]));
    assert_eq!(s.k.store.ledger_len(), 0);
    let d = s.k.refused(
        "invalid_field",
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "lines": [{"quantity": 1, "unit_cost": "1"}]}),
    );
    assert_eq!(d["field"], "lines[0].description");
    s.k.refused(
        "invalid_field",
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "lines": [{"description": "x", "quantity": 1}]}),
    );
}

#[test]
fn lines_are_validated() {
    let mut s = setup();
    let sup = s.supplier;
    let bolt = s.bolt;
    let bad =
        |q: Value| json!({"supplier_id": sup, "lines": [{"product_id": bolt, "quantity": q}]});
    s.k.refused("invalid_field", "create_purchase_order", bad(json!(0)));
    s.k.refused("invalid_field", "create_purchase_order", bad(json!("1.5")));
    s.k.refused("invalid_field", "create_purchase_order", bad(json!(1.5)));
    s.k.refused(
        "not_found",
        "create_purchase_order",
        json!({"supplier_id": sup, "lines": [{"product_id": 999, "quantity": 1}]}),
    );
    s.k.refused("not_found", "create_purchase_order", json!({"supplier_id": sup, "lines": [{"product_id": bolt, "quantity": 1, "location_id": 9}]}));
    s.k.refused("invalid_field", "create_purchase_order", json!({"supplier_id": sup, "lines": [{"product_id": bolt, "quantity": 1, "unit_cost": "-1"}]}));
    let many: Vec<Value> = (0..1001)
        .map(|_| json!({"product_id": bolt, "quantity": 1}))
        .collect();
    s.k.refused(
        "invalid_field",
        "create_purchase_order",
        json!({"supplier_id": sup, "lines": many}),
    );
    let empty = po_empty(&mut s);
    let d = s.k.refused(
        "invalid_field",
        "order_purchase_order",
        json!({"id": empty}),
    );
    assert_eq!(d["field"], "lines");
    let po = po_in(&mut s, "ordered");
    let d = s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 7, "quantity": 1}]}),
    );
    assert_eq!(d["field"], "lines[0].line_no");
    s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        json!({"id": po, "lines": []}),
    );
}

fn po_empty(s: &mut Setup) -> u64 {
    id(&s
        .k
        .ok("create_purchase_order", json!({"supplier_id": s.supplier})))
}

#[test]
fn drafts_are_edited_lines_replaced_and_numbers_never_reused() {
    let mut s = setup();
    let po = po_empty(&mut s);
    let v = s.k.ok(
        "update_purchase_order",
        json!({"id": po, "vendor_reference": "ACME-1", "expected_date": "2026-02-01",
               "references": {"job": "J-1", "technician": "Sam"},
               "lines": [{"product_id": s.nut, "quantity": 3}, {"product_id": s.bolt, "quantity": 2, "unit_cost": "0.50"}]}),
    );
    assert_eq!(v["purchase_order"]["lines"][1]["line_no"], 2);
    assert_eq!(v["total"], "1.66");
    assert_eq!(v["purchase_order"]["references"]["job"], "J-1");
    let v = s.k.ok(
        "update_purchase_order",
        json!({"id": po, "expected_date": null}),
    );
    assert_eq!(v["purchase_order"]["expected_date"], Value::Null);
    assert_eq!(v["purchase_order"]["vendor_reference"], "ACME-1");
    s.k.ok("delete_purchase_order", json!({"id": po}));
    s.k.refused("not_found", "get_purchase_order", json!({"id": po}));
    // PO-2026-0001 is gone but its number stays taken.
    let d = s.k.refused(
        "duplicate",
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "number": "PO-2026-0001"}),
    );
    assert_eq!(d, json!({"field": "number", "value": "PO-2026-0001"}));
    assert_eq!(
        s.k.ok("create_purchase_order", json!({"supplier_id": s.supplier}))["purchase_order"]
            ["number"],
        "PO-2026-0002"
    );
    // A caller's number that the sequence would produce next is skipped by it.
    s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "number": "PO-2026-0003"}),
    );
    assert_eq!(
        s.k.ok("create_purchase_order", json!({"supplier_id": s.supplier}))["purchase_order"]
            ["number"],
        "PO-2026-0004"
    );
}

#[test]
fn po_numbers_reset_each_year_in_any_format() {
    let mut s = setup();
    s.k.ok(
        "update_settings",
        json!({"number_formats": {"purchase_order": "IO{YY}{NN}"}}),
    );
    assert_eq!(
        s.k.ok("create_purchase_order", json!({"supplier_id": s.supplier}))["purchase_order"]
            ["number"],
        "IO2601"
    );
    assert_eq!(
        s.k.ok("create_purchase_order", json!({"supplier_id": s.supplier}))["purchase_order"]
            ["number"],
        "IO2602"
    );
    s.k.advance(Duration::days(365));
    assert_eq!(
        s.k.ok("create_purchase_order", json!({"supplier_id": s.supplier}))["purchase_order"]
            ["number"],
        "IO2701"
    );
    // Switching format mid-year continues the year's count: nothing is reused.
    s.k.ok(
        "update_settings",
        json!({"number_formats": {"purchase_order": "PO-{YYYY}-{NNNN}"}}),
    );
    assert_eq!(
        s.k.ok("create_purchase_order", json!({"supplier_id": s.supplier}))["purchase_order"]
            ["number"],
        "PO-2027-0002"
    );
    s.k.refused(
        "invalid_field",
        "update_settings",
        json!({"number_formats": {"purchase_order": "PO-{X}"}}),
    );
}

#[test]
fn inactive_suppliers_get_no_new_pos_but_old_ones_go_on() {
    let mut s = setup();
    let po = po_in(&mut s, "draft");
    s.k.ok(
        "update_supplier",
        json!({"id": s.supplier, "active": false}),
    );
    let d = s.k.refused(
        "invalid_field",
        "create_purchase_order",
        json!({"supplier_id": s.supplier}),
    );
    assert_eq!(d["field"], "supplier_id");
    s.k.ok("order_purchase_order", json!({"id": po}));
    let d =
        s.k.refused("in_use", "delete_supplier", json!({"id": s.supplier}));
    assert_eq!(d["entity"], "supplier");
    // Its open PO is received and closed, but a backorder would be a new PO.
    s.k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": [{"line_no": 1, "quantity": 4}]}),
    );
    let d = s.k.refused(
        "invalid_field",
        "close_purchase_order",
        json!({"id": po, "create_backorder": true}),
    );
    assert_eq!(d["field"], "create_backorder");
    let v = s.k.ok("close_purchase_order", json!({"id": po}));
    assert_eq!(
        (&v["purchase_order"]["status"], &v["backorder"]),
        (&json!("closed"), &Value::Null)
    );
}

#[test]
fn products_on_po_lines_cannot_be_deleted() {
    let mut s = setup();
    po_in(&mut s, "draft");
    let d =
        s.k.refused("in_use", "delete_product", json!({"id": s.bolt}));
    assert!(d["reason"].as_str().unwrap().contains("purchase order"));
    s.k.ok("delete_product", json!({"id": s.washer}));
}

#[test]
fn listing_filters_sorts_and_pages() {
    let mut s = setup();
    let other = s.k.supplier("Central Supply Co.");
    for i in 0..7u64 {
        s.k.advance(Duration::days(1));
        let sup = if i % 2 == 0 { s.supplier } else { other };
        let po = id(&s.k.ok(
            "create_purchase_order",
            json!({"supplier_id": sup, "lines": [{"product_id": s.bolt, "quantity": i + 1}]}),
        ));
        if i < 3 {
            s.k.ok("order_purchase_order", json!({"id": po}));
        }
    }
    let l = s.k.ok("list_purchase_orders", json!({"status": "ordered"}));
    assert_eq!(l["total_count"], 3);
    let l = s.k.ok(
        "list_purchase_orders",
        json!({"supplier_id": other, "sort": "total", "direction": "asc"}),
    );
    let totals: Vec<&str> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["total"].as_str().unwrap())
        .collect();
    assert_eq!(totals, vec!["0.90", "1.80", "2.70"]);
    let l = s.k.ok(
        "list_purchase_orders",
        json!({"from": "2026-01-07", "to": "2026-01-09", "sort": "number", "direction": "asc"}),
    );
    let numbers: Vec<&str> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["number"].as_str().unwrap())
        .collect();
    assert_eq!(
        numbers,
        vec!["PO-2026-0002", "PO-2026-0003", "PO-2026-0004"]
    );
    let p =
        s.k.ok("list_purchase_orders", json!({"page": 2, "page_size": 3}));
    assert_eq!(
        (
            p["total_count"].as_u64(),
            p["page_count"].as_u64(),
            p["has_more"].as_bool()
        ),
        (Some(7), Some(3), Some(true))
    );
    assert_eq!(p["items"][0]["number"], "PO-2026-0004"); // newest first by default
    for bad in [
        json!({"page_size": 51}),
        json!({"page_size": 0}),
        json!({"page": 0}),
    ] {
        s.k.refused("invalid_field", "list_purchase_orders", bad);
    }
    let full = s.k.ok("list_purchase_orders", json!({"page_size": 50}));
    assert_eq!(full["page_size"], 50);
    s.k.refused(
        "invalid_field",
        "list_purchase_orders",
        json!({"status": "open"}),
    );
}

#[test]
fn a_supplier_shows_its_20_most_recent_pos() {
    let mut s = setup();
    let other = s.k.supplier("Other Supplies");
    // Acme gets 22 POs on 22 days; the other supplier one PO after each of
    // Acme's, so its POs are newer than most of Acme's and must not appear.
    let mut acme = Vec::new();
    for _ in 0..22 {
        s.k.advance(Duration::days(1));
        let v =
            s.k.ok("create_purchase_order", json!({"supplier_id": s.supplier}));
        acme.push(v["purchase_order"]["number"].as_str().unwrap().to_string());
        s.k.ok("create_purchase_order", json!({"supplier_id": other}));
    }
    // Acme's last order date gets a second PO: a tie broken by id, newest first.
    let v =
        s.k.ok("create_purchase_order", json!({"supplier_id": s.supplier}));
    acme.push(v["purchase_order"]["number"].as_str().unwrap().to_string());
    let v = s.k.ok("get_supplier", json!({"id": s.supplier}));
    let recent: Vec<&str> = v["recent_purchase_orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = acme.iter().rev().take(20).map(String::as_str).collect();
    assert_eq!(recent, want);
    assert!(v["recent_purchase_orders"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["supplier_id"] == s.supplier));
}

#[test]
fn cancelling_an_ordered_po_drops_incoming() {
    let mut s = setup();
    let po = po_in(&mut s, "ordered");
    assert_eq!(
        s.k.ok("get_stock", json!({"product_id": s.bolt}))["totals"]["incoming"],
        "10"
    );
    s.k.ok("cancel_purchase_order", json!({"id": po}));
    assert_eq!(
        s.k.ok("get_stock", json!({"product_id": s.bolt}))["totals"]["incoming"],
        "0"
    );
}

/// A delivery cannot arrive before its order date nor on a day that has not
/// come yet anywhere (`now` is UTC; a clerk east of UTC types tomorrow's
/// date already, up to UTC+14); both ends themselves are fine. The order
/// date here defaulted to the UTC date of 09:00 UTC, when it was still the
/// day before at UTC-12, so that day is the earliest. A refusal receives
/// nothing.
#[test]
fn a_received_date_lies_between_the_order_date_and_today() {
    let mut s = setup();
    let po = po_in(&mut s, "ordered"); // ordered on 2026-01-05
    s.k.advance(Duration::days(3)); // now: 2026-01-08 09:00 UTC, 23:00 at UTC+14
    let receipt = |date: &str| json!({"id": po, "lines": [{"line_no": 1, "quantity": 1}], "received_date": date});
    let before = s.k.snapshot_text();
    for (date, reason) in [
        (
            "2026-01-03",
            "before the order date 2026-01-05 anywhere (when the purchase order was created it was 2026-01-04 at the earliest)",
        ),
        (
            "2026-01-09",
            "a day that has not come yet anywhere (at `now` it is 2026-01-08 at the latest)",
        ),
    ] {
        let d =
            s.k.refused("invalid_field", "receive_purchase_order", receipt(date));
        assert_eq!(d["field"], "received_date", "{date}");
        assert_eq!(d["reason"], reason, "{date}");
    }
    assert_eq!(
        s.k.snapshot_text(),
        before,
        "a refused receipt changes nothing"
    );
    for date in ["2026-01-04", "2026-01-05", "2026-01-08"] {
        let r = s.k.ok("receive_purchase_order", receipt(date));
        assert_eq!(r["purchase_order"]["received_date"], date);
    }
    // An hour later it is 2026-01-09 at UTC+14 (Kiribati): a clerk there
    // receives on their today; the day after is still refused.
    s.k.advance(Duration::hours(1));
    let r = s.k.ok("receive_purchase_order", receipt("2026-01-09"));
    assert_eq!(r["purchase_order"]["received_date"], "2026-01-09");
    let d = s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        receipt("2026-01-10"),
    );
    assert_eq!(
        d["reason"],
        "a day that has not come yet anywhere (at `now` it is 2026-01-09 at the latest)"
    );
}

/// The lower bound mirrors the upper one. A clerk at UTC-5 orders at 21:00
/// on 2026-01-05 (02:00 UTC on the 6th, so the order date defaults to
/// 2026-01-06) and receives the same evening, typing their date 2026-01-05:
/// accepted, since at the order time it was still the 5th west of UTC (down
/// to UTC-12, where it was 14:00 on the 5th). The 4th had ended everywhere:
/// refused. A typed order date is taken as it is, and so is a derived one
/// from after 12:00 UTC (then it was that date everywhere already); a
/// backorder's order date is derived like a new PO's.
#[test]
fn a_received_date_may_be_the_order_day_west_of_utc() {
    let mut s = setup();
    s.k.advance(Duration::hours(17)); // 2026-01-06 02:00 UTC
    let create = |s: &mut Setup, order_date: Option<&str>| {
        let mut args =
            json!({"supplier_id": s.supplier, "lines": [{"product_id": s.bolt, "quantity": 10}]});
        if let Some(d) = order_date {
            args["order_date"] = json!(d);
        }
        let po = id(&s.k.ok("create_purchase_order", args));
        s.k.ok("order_purchase_order", json!({"id": po}));
        po
    };
    let receipt = |po: u64, date: &str| json!({"id": po, "lines": [{"line_no": 1, "quantity": 1}], "received_date": date});
    let derived = create(&mut s, None);
    let typed = create(&mut s, Some("2026-01-06"));
    s.k.advance(Duration::hours(1)); // 22:00 at UTC-5
    let d = s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        receipt(derived, "2026-01-04"),
    );
    assert_eq!(d["field"], "received_date");
    assert_eq!(
        d["reason"],
        "before the order date 2026-01-06 anywhere (when the purchase order was created it was 2026-01-05 at the earliest)"
    );
    let r =
        s.k.ok("receive_purchase_order", receipt(derived, "2026-01-05"));
    assert_eq!(r["purchase_order"]["order_date"], "2026-01-06");
    assert_eq!(r["purchase_order"]["received_date"], "2026-01-05");
    // A typed order date that differs from the UTC date is the clerk's own.
    let typed_other = create(&mut s, Some("2026-01-07"));
    let d = s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        receipt(typed_other, "2026-01-06"),
    );
    assert_eq!(d["reason"], "before the order date 2026-01-07");
    // One equal to it cannot be told from a derived one (see `received_on`).
    s.k.ok("receive_purchase_order", receipt(typed, "2026-01-05"));
    // Created before 12:00 UTC, the day before still ran at UTC-12; at
    // 12:00 UTC or later, the UTC date had begun everywhere.
    s.k.advance(Duration::minutes(8 * 60 + 59)); // 2026-01-06 11:59 UTC
    let early = create(&mut s, None);
    s.k.ok("receive_purchase_order", receipt(early, "2026-01-05"));
    s.k.advance(Duration::minutes(1)); // 2026-01-06 12:00 UTC
    let late = create(&mut s, None);
    let d = s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        receipt(late, "2026-01-05"),
    );
    assert_eq!(
        d["reason"],
        "before the order date 2026-01-06 anywhere (when the purchase order was created it was 2026-01-06 at the earliest)"
    );
    // A backorder made at 01:00 UTC on the 7th (evening of the 6th in the
    // west) is received that evening with the clerk's date.
    s.k.ok("receive_purchase_order", receipt(late, "2026-01-06"));
    s.k.advance(Duration::hours(13)); // 2026-01-07 01:00 UTC
    let closed = s.k.ok(
        "close_purchase_order",
        json!({"id": late, "create_backorder": true}),
    );
    let bo = closed["backorder"]["id"].as_u64().unwrap();
    assert_eq!(closed["backorder"]["order_date"], "2026-01-07");
    let r = s.k.ok("receive_purchase_order", receipt(bo, "2026-01-06"));
    assert_eq!(r["purchase_order"]["received_date"], "2026-01-06");
}

#[test]
fn receiving_into_another_location() {
    let mut s = setup();
    let van = s.k.ok("create_location", json!({"name": "Van"}))["id"]
        .as_u64()
        .unwrap();
    let po = po_in(&mut s, "ordered");
    // Recorded two days late: the delivery came the day after ordering.
    s.k.advance(Duration::days(2));
    let r = s.k.ok("receive_purchase_order", json!({"id": po, "lines": [{"line_no": 1, "quantity": 10, "location_id": van}], "received_date": "2026-01-06"}));
    assert_eq!(r["movements"][0]["location_id"], van);
    assert_eq!(r["purchase_order"]["received_date"], "2026-01-06");
    let st = s.k.ok(
        "get_stock",
        json!({"product_id": s.bolt, "location_id": van}),
    );
    assert_eq!(st["totals"]["on_hand"], "10");
    assert_eq!(
        s.k.ok("get_stock", json!({"product_id": s.bolt}))["totals"]["incoming"],
        "0"
    );
}

#[test]
fn pages_concatenate_to_one_total_order_ties_broken_by_id() {
    let mut s = setup();
    // Totals with ties: 3 x 0.45 appears three times, 1 x 0.45 twice.
    for q in [3, 1, 3, 5, 1, 3, 2, 4] {
        s.k.advance(Duration::minutes(1));
        s.k.ok(
            "create_purchase_order",
            json!({"supplier_id": s.supplier, "lines": [{"product_id": s.bolt, "quantity": q, "unit_cost": "0.45"}]}),
        );
    }
    for direction in ["asc", "desc"] {
        let mut paged = Vec::new();
        for page in 1..=3 {
            let l = s.k.ok(
                "list_purchase_orders",
                json!({"sort": "total", "direction": direction, "page": page, "page_size": 3}),
            );
            for x in l["items"].as_array().unwrap() {
                paged.push((
                    x["total"].as_str().unwrap().to_string(),
                    x["id"].as_u64().unwrap(),
                ));
            }
        }
        let mut want = paged.clone();
        want.sort_by(|a, b| {
            let o =
                a.0.parse::<f64>()
                    .unwrap()
                    .total_cmp(&b.0.parse::<f64>().unwrap())
                    .then(a.1.cmp(&b.1));
            if direction == "asc" {
                o
            } else {
                o.reverse()
            }
        });
        assert_eq!(paged.len(), 8);
        assert_eq!(paged, want, "{direction}");
    }
}

/// Every header field of RULES §3 is kept and answered; a PO for an unknown
/// supplier, a renamed draft's old number, a zero receipt and free-text
/// returns are handled as the rules say.
#[test]
fn header_fields_numbers_and_free_text_returns() {
    let mut s = setup();
    s.k.refused(
        "not_found",
        "create_purchase_order",
        json!({"supplier_id": 99}),
    );
    let v = s.k.ok(
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "vendor_reference": "AC-77", "notes": "dock 2",
               "order_date": "2026-01-03", "expected_date": "2026-01-20",
               "packing_slip_number": "PS-1",
               "references": {"job": "J-9", "project": "Bridge", "technician": "Sam",
                              "business_unit": "North", "po_type": "stock"},
               "lines": [{"description": "Freight", "quantity": 1, "unit_cost": "30"},
                         {"product_id": s.washer, "quantity": 4, "location_id": 1}]}),
    );
    let po = &v["purchase_order"];
    assert_eq!(
        (
            &po["vendor_reference"],
            &po["notes"],
            &po["order_date"],
            &po["expected_date"],
            &po["packing_slip_number"]
        ),
        (
            &json!("AC-77"),
            &json!("dock 2"),
            &json!("2026-01-03"),
            &json!("2026-01-20"),
            &json!("PS-1")
        )
    );
    assert_eq!(
        po["references"],
        json!({"job": "J-9", "project": "Bridge", "technician": "Sam",
               "business_unit": "North", "po_type": "stock"})
    );
    assert_eq!(v["total"], "30.48"); // 30 + 4 x 0.12 (the washer's purchase price)
    let id = po["id"].as_u64().unwrap();
    let old = po["number"].as_str().unwrap().to_string();

    // Renaming a draft frees nothing: the old number stays taken.
    s.k.ok(
        "update_purchase_order",
        json!({"id": id, "number": "ACME-2026-A"}),
    );
    let d = s.k.refused(
        "duplicate",
        "create_purchase_order",
        json!({"supplier_id": s.supplier, "number": old}),
    );
    assert_eq!(d, json!({"field": "number", "value": old}));

    s.k.ok("order_purchase_order", json!({"id": id}));
    let d = s.k.refused(
        "invalid_field",
        "receive_purchase_order",
        json!({"id": id, "lines": [{"line_no": 1, "quantity": 0}]}),
    );
    assert_eq!(d["field"], "lines[0].quantity");
    s.k.ok(
        "receive_purchase_order",
        json!({"id": id, "lines": [{"line_no": 1, "quantity": 1}, {"line_no": 2, "quantity": 4}]}),
    );
    // A free-text line is returned as a count only; no movement.
    let ledger = s.k.store.ledger_len();
    let r = s.k.ok(
        "return_to_supplier",
        json!({"id": id, "lines": [{"line_no": 1, "quantity": 1}]}),
    );
    assert_eq!(r["purchase_order"]["lines"][0]["returned"], "1");
    assert_eq!(r["movements"], json!([]));
    assert_eq!(s.k.store.ledger_len(), ledger);
    s.k.refused(
        "invalid_field",
        "return_to_supplier",
        json!({"id": id, "lines": [{"line_no": 1, "quantity": 1}]}),
    );
}
