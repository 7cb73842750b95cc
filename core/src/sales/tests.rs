//! Rules of RULES §4 (sales documents and held stock), through the protocol.

use crate::testkit::Kit;
use chrono::Duration;
use serde_json::{json, Value};

/// A kit with one tracked product holding `stock` units at Main.
fn with_stock(stock: u32) -> (Kit, u64) {
    let mut k = Kit::new();
    let p = k.product("WIDGET");
    if stock > 0 {
        k.ok(
            "update_stock",
            json!({"product_id": p, "operation": "add", "quantity": stock}),
        );
    }
    (k, p)
}

fn doc(k: &mut Kit, kind: &str, lines: Value) -> u64 {
    k.ok(
        "create_sales_document",
        json!({"type": kind, "client": "Bakker BV", "lines": lines}),
    )["id"]
        .as_u64()
        .unwrap()
}

/// (on_hand, held, available) of a product at Main, as text.
fn level(k: &mut Kit, p: u64) -> (String, String, String) {
    let s = k.ok("get_stock", json!({"product_id": p}));
    let t = &s["totals"];
    (
        t["on_hand"].as_str().unwrap().to_string(),
        t["held"].as_str().unwrap().to_string(),
        t["available"].as_str().unwrap().to_string(),
    )
}

fn lvl(on_hand: &str, held: &str, available: &str) -> (String, String, String) {
    (on_hand.into(), held.into(), available.into())
}

/// Movements after `after_seq`, as (type, quantity).
fn movements_after(k: &mut Kit, after_seq: u64) -> Vec<(String, String)> {
    let m = k.ok("list_movements", json!({"after_seq": after_seq}));
    m["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["type"].as_str().unwrap().to_string(),
                m["quantity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ledger_len(k: &Kit) -> u64 {
    k.store.ledger_len() as u64
}

/// Every (from, to) pair of types: the exact change of on_hand, held and the
/// ledger, or `invalid_transition` with nothing changed. The expectations are
/// written out by hand from RULES §4, not derived from the code's table.
#[test]
fn every_change_of_type() {
    // Stock 10, a document for 3: what each type leaves (on_hand, held).
    let state = |t: &str| match t {
        "quote" | "void" => ("10", "0"),
        "order" => ("10", "3"),
        "invoice" | "refund" => ("7", "0"),
        _ => unreachable!(),
    };
    // Movements each valid change appends; None = invalid_transition.
    type Moves = Option<&'static [(&'static str, &'static str)]>;
    let table: &[(&str, &str, Moves)] = &[
        ("quote", "quote", Some(&[])),
        ("quote", "order", Some(&[])),
        ("quote", "invoice", Some(&[("consumption", "-3")])),
        ("quote", "refund", Some(&[("consumption", "-3")])),
        ("quote", "void", Some(&[])),
        ("order", "quote", Some(&[])),
        ("order", "order", Some(&[])),
        ("order", "invoice", Some(&[("consumption", "-3")])),
        ("order", "refund", Some(&[("consumption", "-3")])),
        ("order", "void", Some(&[])),
        ("invoice", "quote", None),
        ("invoice", "order", None),
        ("invoice", "invoice", Some(&[])),
        ("invoice", "refund", Some(&[])),
        ("invoice", "void", Some(&[("return", "3")])),
        ("refund", "quote", None),
        ("refund", "order", None),
        ("refund", "invoice", Some(&[])),
        ("refund", "refund", Some(&[])),
        ("refund", "void", Some(&[("return", "3")])),
        ("void", "quote", None),
        ("void", "order", None),
        ("void", "invoice", None),
        ("void", "refund", None),
        ("void", "void", None),
    ];
    assert_eq!(table.len(), 25, "every pair of the five types");
    for &(from, to, expect) in table {
        let (mut k, p) = with_stock(10);
        let d = doc(&mut k, from, json!([{"product_id": p, "quantity": 3}]));
        let (oh, held) = state(from);
        assert_eq!(level(&mut k, p).0, oh, "created as {from}");
        assert_eq!(level(&mut k, p).1, held, "created as {from}");
        let seq = ledger_len(&k);
        k.advance(Duration::minutes(1));
        let args = json!({"id": d, "type": to});
        match expect {
            None => {
                let e = k.refused("invalid_transition", "change_sales_document_type", args);
                assert_eq!(e["from"], from);
                assert_eq!(e["action"], format!("change_to_{to}"));
            }
            Some(moves) => {
                let r = k.ok("change_sales_document_type", args);
                assert_eq!(r["type"], to, "{from} -> {to}");
                let (oh, held) = state(to);
                let l = level(&mut k, p);
                assert_eq!((l.0.as_str(), l.1.as_str()), (oh, held), "{from} -> {to}");
                let want: Vec<(String, String)> = moves
                    .iter()
                    .map(|(t, q)| (t.to_string(), q.to_string()))
                    .collect();
                assert_eq!(movements_after(&mut k, seq), want, "{from} -> {to}");
            }
        }
    }
}

#[test]
fn new_documents_are_orders_and_hold() {
    let (mut k, p) = with_stock(10);
    let d = k.ok(
        "create_sales_document",
        json!({"client": "Bakker BV", "due_date": "2026-02-01", "lines": [{"product_id": p, "quantity": 4, "unit_price": "2.50"}]}),
    );
    assert_eq!(d["type"], "order");
    assert_eq!(d["total"], "10.00");
    assert_eq!(d["lines"][0]["held"], "4");
    assert_eq!(level(&mut k, p), lvl("10", "4", "6"));
    assert_eq!(ledger_len(&k), 1, "a hold writes no movement");
}

#[test]
fn consumption_names_the_invoice_and_client() {
    let (mut k, p) = with_stock(10);
    let d = doc(&mut k, "invoice", json!([{"product_id": p, "quantity": 2}]));
    let m = k.ok("list_movements", json!({"type": "consumption"}));
    let m = &m["movements"][0];
    assert_eq!(m["source"]["invoice"], d);
    assert_eq!(m["source"]["client"], "Bakker BV");
    assert_eq!(m["quantity"], "-2");
}

#[test]
fn reject_policy_lists_every_short_line_summed_per_product_and_location() {
    let (mut k, p) = with_stock(5);
    let q = k.product("GADGET");
    k.ok(
        "update_stock",
        json!({"product_id": q, "operation": "add", "quantity": 1}),
    );
    // 3 + 3 of p (5 available) and 2 of q (1 available): both short.
    let e = k.refused(
        "insufficient_stock",
        "create_sales_document",
        json!({"client": "C", "lines": [
            {"product_id": p, "quantity": 3},
            {"product_id": q, "quantity": 2},
            {"product_id": p, "quantity": 3}]}),
    );
    assert_eq!(
        e["lines"],
        json!([
            {"product_id": p, "location_id": 1, "requested": "6", "available": "5"},
            {"product_id": q, "location_id": 1, "requested": "2", "available": "1"}
        ])
    );
    // Invoices check available too (held stock is not available).
    doc(&mut k, "order", json!([{"product_id": p, "quantity": 4}]));
    k.refused(
        "insufficient_stock",
        "create_sales_document",
        json!({"type": "invoice", "client": "C", "lines": [{"product_id": p, "quantity": 2}]}),
    );
    let quote = doc(&mut k, "quote", json!([{"product_id": p, "quantity": 2}]));
    k.refused(
        "insufficient_stock",
        "change_sales_document_type",
        json!({"id": quote, "type": "order"}),
    );
    // Exactly what is available is fine.
    doc(&mut k, "invoice", json!([{"product_id": p, "quantity": 1}]));
    assert_eq!(level(&mut k, p), lvl("4", "4", "0"));
}

#[test]
fn allow_policy_holds_in_full_and_clamps_consumption() {
    let (mut k, p) = with_stock(5);
    k.ok("update_settings", json!({"oversell_policy": "allow"}));
    doc(&mut k, "order", json!([{"product_id": p, "quantity": 8}]));
    assert_eq!(level(&mut k, p), lvl("5", "8", "-3"));
    let view = k.ok("get_product", json!({"id": p}));
    assert_eq!(view["stock"]["oversold"], true);
    k.advance(Duration::minutes(1));
    doc(&mut k, "invoice", json!([{"product_id": p, "quantity": 7}]));
    let m = k.ok("list_movements", json!({"type": "consumption"}));
    let m = &m["movements"][0];
    assert_eq!(m["quantity"], "-5", "clamped at zero on hand");
    assert_eq!(m["requested"], "-7");
    assert_eq!(level(&mut k, p), lvl("0", "8", "-8"));
}

#[test]
fn a_manual_decrease_below_held_makes_available_negative_and_blocks_new_holds() {
    let (mut k, p) = with_stock(5);
    let order = doc(&mut k, "order", json!([{"product_id": p, "quantity": 5}]));
    k.advance(Duration::minutes(1));
    k.ok(
        "update_stock",
        json!({"product_id": p, "operation": "subtract", "quantity": 3, "reason": "broken"}),
    );
    assert_eq!(level(&mut k, p), lvl("2", "5", "-3"));
    assert_eq!(
        k.ok("get_product", json!({"id": p}))["stock"]["oversold"],
        true
    );
    k.refused(
        "insufficient_stock",
        "create_sales_document",
        json!({"client": "C", "lines": [{"product_id": p, "quantity": 1}]}),
    );
    // Consuming the order's own hold never fails: it takes what is there.
    k.advance(Duration::minutes(1));
    let inv = k.ok(
        "change_sales_document_type",
        json!({"id": order, "type": "invoice"}),
    );
    assert_eq!(inv["lines"][0]["consumed"], "2");
    assert_eq!(level(&mut k, p), lvl("0", "0", "0"));
    // Voiding it puts back exactly what was consumed.
    k.advance(Duration::minutes(1));
    k.ok("delete_sales_document", json!({"id": order}));
    assert_eq!(level(&mut k, p), lvl("2", "0", "2"));
}

#[test]
fn an_oversold_product_takes_no_new_hold_at_any_location_until_it_recovers() {
    let (mut k, p) = with_stock(5);
    let van = k.ok("create_location", json!({"name": "Van"}))["id"].clone();
    k.ok(
        "update_stock",
        json!({"product_id": p, "location_id": van, "operation": "add", "quantity": 2}),
    );
    doc(&mut k, "order", json!([{"product_id": p, "quantity": 5}]));
    k.advance(Duration::minutes(1));
    k.ok(
        "update_stock",
        json!({"product_id": p, "operation": "set", "quantity": 0}),
    );
    assert_eq!(
        k.ok("get_product", json!({"id": p}))["stock"]["oversold"],
        true
    );
    // The van has 2 available, but the product is oversold.
    let e = k.refused(
        "insufficient_stock",
        "create_sales_document",
        json!({"client": "E", "lines": [{"product_id": p, "quantity": 1, "location_id": van}]}),
    );
    assert_eq!(e["lines"][0]["available"], "-5", "{e}");
    // An invoice from the van's own stock is not a hold: it goes through.
    doc(
        &mut k,
        "invoice",
        json!([{"product_id": p, "quantity": 1, "location_id": van}]),
    );
    // Recovered (stock back at Main): holds are taken again.
    k.advance(Duration::minutes(1));
    k.ok(
        "update_stock",
        json!({"product_id": p, "operation": "set", "quantity": 5}),
    );
    doc(
        &mut k,
        "order",
        json!([{"product_id": p, "quantity": 1, "location_id": van}]),
    );
}

#[test]
fn lines_change_on_quotes_and_orders_only_and_the_hold_follows() {
    let (mut k, p) = with_stock(10);
    let order = doc(&mut k, "order", json!([{"product_id": p, "quantity": 6}]));
    // 9 fits once the old hold of 6 is released.
    let d = k.ok(
        "update_sales_document",
        json!({"id": order, "client": "Jansen", "lines": [{"product_id": p, "quantity": 9}]}),
    );
    assert_eq!(d["client"], "Jansen");
    assert_eq!(level(&mut k, p), lvl("10", "9", "1"));
    k.refused(
        "insufficient_stock",
        "update_sales_document",
        json!({"id": order, "lines": [{"product_id": p, "quantity": 11}]}),
    );
    let quote = doc(&mut k, "quote", json!([{"product_id": p, "quantity": 1}]));
    k.ok(
        "update_sales_document",
        json!({"id": quote, "lines": [{"product_id": p, "quantity": 50}]}),
    );
    assert_eq!(level(&mut k, p), lvl("10", "9", "1"), "quotes hold nothing");
    let inv = doc(&mut k, "invoice", json!([{"product_id": p, "quantity": 1}]));
    let e = k.refused(
        "invalid_transition",
        "update_sales_document",
        json!({"id": inv, "lines": [{"product_id": p, "quantity": 2}]}),
    );
    assert_eq!(e, json!({"from": "invoice", "action": "update_lines"}));
    // Other fields of an invoice may change.
    k.ok(
        "update_sales_document",
        json!({"id": inv, "due_date": "2026-03-01"}),
    );
    k.ok("delete_sales_document", json!({"id": quote}));
    k.refused(
        "invalid_transition",
        "update_sales_document",
        json!({"id": quote, "client": "X"}),
    );
}

#[test]
fn mark_shipped_handles_each_document_on_its_own() {
    let (mut k, p) = with_stock(10);
    let a = doc(&mut k, "order", json!([{"product_id": p, "quantity": 4}]));
    let b = doc(&mut k, "quote", json!([{"product_id": p, "quantity": 20}])); // cannot be covered
    let c = doc(&mut k, "quote", json!([{"product_id": p, "quantity": 2}]));
    let v = doc(&mut k, "void", json!([]));
    k.advance(Duration::minutes(1));
    let r = k.ok(
        "mark_shipped",
        json!({"ids": [a, b, c, v, 999], "method": "tracking", "tracking_number": "3SABC123"}),
    );
    assert_eq!(r["succeeded"], 2);
    assert_eq!(r["failed"], 3);
    let res = r["results"].as_array().unwrap();
    assert_eq!(res[0]["document"]["type"], "invoice");
    assert_eq!(
        res[0]["document"]["shipment"]["tracking_number"],
        "3SABC123"
    );
    assert_eq!(res[1]["error"]["code"], "insufficient_stock");
    assert_eq!(res[2]["document"]["type"], "invoice");
    assert_eq!(res[3]["error"]["code"], "invalid_transition");
    assert_eq!(res[4]["error"]["code"], "not_found");
    // The refused quote is untouched; the others consumed 4 + 2.
    assert_eq!(
        k.ok("get_sales_document", json!({"id": b}))["type"],
        "quote"
    );
    assert_eq!(level(&mut k, p), lvl("4", "0", "4"));
    assert_eq!(
        movements_after(&mut k, 1),
        vec![
            ("consumption".to_string(), "-4".to_string()),
            ("consumption".to_string(), "-2".to_string())
        ]
    );
    // An invoice marked again only records the shipment.
    let again = k.ok("mark_shipped", json!({"ids": [a], "method": "picked_up"}));
    assert_eq!(again["results"][0]["document"]["type"], "invoice");
    assert_eq!(level(&mut k, p), lvl("4", "0", "4"));
}

#[test]
fn mark_shipped_arguments_are_checked() {
    let (mut k, p) = with_stock(10);
    let a = doc(&mut k, "order", json!([{"product_id": p, "quantity": 1}]));
    let e = k.refused(
        "invalid_field",
        "mark_shipped",
        json!({"ids": [a], "method": "tracking"}),
    );
    assert_eq!(e["field"], "tracking_number");
    k.refused(
        "invalid_field",
        "mark_shipped",
        json!({"ids": [a], "method": "sent", "tracking_number": "X"}),
    );
    k.refused(
        "invalid_field",
        "mark_shipped",
        json!({"ids": [], "method": "sent"}),
    );
}

#[test]
fn deleting_voids_and_void_is_left_out_of_listings() {
    let (mut k, p) = with_stock(10);
    let a = doc(&mut k, "order", json!([{"product_id": p, "quantity": 4}]));
    let b = doc(&mut k, "quote", json!([{"product_id": p, "quantity": 1}]));
    let d = k.ok("delete_sales_document", json!({"id": a}));
    assert_eq!(d["type"], "void");
    assert_eq!(level(&mut k, p), lvl("10", "0", "10"), "hold released");
    k.refused(
        "invalid_transition",
        "delete_sales_document",
        json!({"id": a}),
    );
    let list = k.ok("list_sales_documents", json!({}));
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["items"][0]["id"], b);
    let all = k.ok("list_sales_documents", json!({"include_void": true}));
    assert_eq!(all["total_count"], 2);
    assert_eq!(all["items"][0]["id"], b, "newest first");
    let voids = k.ok("list_sales_documents", json!({"type": "void"}));
    assert_eq!(voids["total_count"], 1);
    let by_client = k.ok("list_sales_documents", json!({"client": "Nobody"}));
    assert_eq!(by_client["total_count"], 0);
    k.refused("not_found", "get_sales_document", json!({"id": 77}));
    k.refused(
        "invalid_field",
        "list_sales_documents",
        json!({"page_size": 51}),
    );
}

#[test]
fn expiry_at_before_and_after_the_due_date_with_and_without_payment() {
    let (mut k, p) = with_stock(100);
    // Kit's clock: 2026-01-05.
    let mk = |k: &mut Kit, due: &str| {
        k.ok(
            "create_sales_document",
            json!({"client": "C", "due_date": due, "lines": [{"product_id": p, "quantity": 1}]}),
        )["id"]
            .as_u64()
            .unwrap()
    };
    let past = mk(&mut k, "2026-01-04");
    let today = mk(&mut k, "2026-01-05");
    let future = mk(&mut k, "2026-01-06");
    let paid = mk(&mut k, "2026-01-01");
    let part_paid = mk(&mut k, "2026-01-01");
    let no_due = k.ok(
        "create_sales_document",
        json!({"client": "C", "lines": [{"product_id": p, "quantity": 1}]}),
    )["id"]
        .as_u64()
        .unwrap();
    let quote = k.ok(
        "create_sales_document",
        json!({"type": "quote", "client": "C", "due_date": "2026-01-01", "lines": [{"product_id": p, "quantity": 1}]}),
    )["id"]
        .as_u64()
        .unwrap();
    k.ok("record_payment", json!({"id": paid, "amount": "1.00"}));
    k.ok("record_payment", json!({"id": part_paid, "amount": "0.01"}));
    assert_eq!(level(&mut k, p).1, "6");
    // 2026-01-05 09:00 UTC is 21:00 on the 4th at UTC-12: an order due on
    // the 4th has not passed everywhere yet, and voiding is final.
    let r = k.ok("expire_orders", json!({}));
    assert_eq!(r["voided"], json!([]));
    k.advance(Duration::minutes(179));
    assert_eq!(k.ok("expire_orders", json!({}))["voided"], json!([]));
    // 12:00 UTC: the 4th has ended everywhere.
    k.advance(Duration::minutes(1));
    let r = k.ok("expire_orders", json!({}));
    assert_eq!(r["voided"], json!([past]));
    assert_eq!(level(&mut k, p).1, "5", "the expired hold is released");
    // The next day, the order due "today" has passed too.
    k.advance(Duration::days(1));
    let r = k.ok("expire_orders", json!({}));
    assert_eq!(r["voided"], json!([today]));
    for (id, t) in [
        (future, "order"),
        (paid, "order"),
        (part_paid, "order"),
        (no_due, "order"),
        (quote, "quote"),
    ] {
        assert_eq!(k.ok("get_sales_document", json!({"id": id}))["type"], t);
    }
}

#[test]
fn payments_add_up_and_are_checked() {
    let (mut k, p) = with_stock(10);
    let a = doc(&mut k, "order", json!([{"product_id": p, "quantity": 1}]));
    k.ok("record_payment", json!({"id": a, "amount": "2.50"}));
    let d = k.ok("record_payment", json!({"id": a, "amount": "1.25"}));
    assert_eq!(d["amount_paid"], "3.75");
    k.refused(
        "invalid_field",
        "record_payment",
        json!({"id": a, "amount": "0"}),
    );
    k.refused(
        "invalid_field",
        "record_payment",
        json!({"id": a, "amount": "-1"}),
    );
    k.refused(
        "invalid_field",
        "record_payment",
        json!({"id": a, "amount": "999999999999"}),
    );
    k.ok("delete_sales_document", json!({"id": a}));
    k.refused(
        "invalid_transition",
        "record_payment",
        json!({"id": a, "amount": "1"}),
    );
}

#[test]
fn untracked_products_are_sold_without_stock_effects() {
    let mut k = Kit::new();
    let service = k.ok(
        "create_product",
        json!({"sku": "HOUR", "name": "Labour hour", "price": "55.00", "track_inventory": false}),
    )["id"]
        .as_u64()
        .unwrap();
    let d = doc(
        &mut k,
        "invoice",
        json!([{"product_id": service, "quantity": 3}]),
    );
    assert_eq!(k.store.ledger_len(), 0);
    let v = k.ok("get_sales_document", json!({"id": d}));
    assert_eq!(v["total"], "165.00");
    assert_eq!(v["lines"][0]["consumed"], "0");
    k.ok("delete_sales_document", json!({"id": d}));
    assert_eq!(k.store.ledger_len(), 0);
}

#[test]
fn bad_lines_and_permissions_are_refused() {
    let (mut k, p) = with_stock(10);
    k.refused(
        "not_found",
        "create_sales_document",
        json!({"client": "C", "lines": [{"product_id": 99, "quantity": 1}]}),
    );
    k.refused(
        "not_found",
        "create_sales_document",
        json!({"client": "C", "lines": [{"product_id": p, "location_id": 9, "quantity": 1}]}),
    );
    let e = k.refused(
        "invalid_field",
        "create_sales_document",
        json!({"client": "C", "lines": [{"product_id": p, "quantity": "1.5"}]}),
    );
    assert_eq!(e["field"], "lines[0].quantity");
    k.refused(
        "invalid_field",
        "create_sales_document",
        json!({"client": "", "lines": []}),
    );
    let many: Vec<Value> = (0..1001)
        .map(|_| json!({"product_id": p, "quantity": 1}))
        .collect();
    k.refused(
        "invalid_field",
        "create_sales_document",
        json!({"client": "C", "lines": many}),
    );
    k.refused(
        "invalid_request",
        "create_sales_document",
        json!({"client": "C", "colour": "red"}),
    );
    k.actor = crate::auth::Actor {
        id: "clerk".into(),
        permissions: vec![crate::auth::Permission::InventoryWrite],
    };
    let e = k.refused(
        "forbidden",
        "create_sales_document",
        json!({"client": "C", "lines": []}),
    );
    assert_eq!(e["permission"], "sales.write");
}

#[test]
fn a_product_on_a_sales_line_cannot_be_deleted() {
    let mut k = Kit::new();
    let p = k.product("WIDGET");
    doc(&mut k, "quote", json!([{"product_id": p, "quantity": 1}]));
    k.refused("in_use", "delete_product", json!({"id": p}));
}

/// An archived product (retired, since it has history) goes on no new
/// sales line, as on PO lines; a document that has it already still moves
/// on (an order of it is invoiced and consumes), and unarchiving it lets it
/// be sold again.
#[test]
fn archived_products_go_on_no_new_sales_line() {
    let (mut k, p) = with_stock(10);
    let other = k.product("OTHER");
    let order = doc(&mut k, "order", json!([{"product_id": p, "quantity": 2}]));
    let quote = doc(
        &mut k,
        "quote",
        json!([{"product_id": other, "quantity": 1}]),
    );
    k.ok("update_product", json!({"id": p, "archived": true}));
    let e = k.refused(
        "invalid_field",
        "create_sales_document",
        json!({"client": "C", "lines": [{"product_id": other, "quantity": 1}, {"product_id": p, "quantity": 1}]}),
    );
    assert_eq!(e["field"], "lines[1].product_id");
    assert_eq!(e["reason"], "the product is archived");
    let e = k.refused(
        "invalid_field",
        "update_sales_document",
        json!({"id": quote, "lines": [{"product_id": p, "quantity": 1}]}),
    );
    assert_eq!(e["field"], "lines[0].product_id");
    let d = k.ok(
        "change_sales_document_type",
        json!({"id": order, "type": "invoice"}),
    );
    assert_eq!(d["lines"][0]["consumed"], "2");
    assert_eq!(level(&mut k, p), lvl("8", "0", "8"));
    k.ok("update_product", json!({"id": p, "archived": false}));
    k.ok(
        "update_sales_document",
        json!({"id": quote, "lines": [{"product_id": p, "quantity": 1}]}),
    );
}

#[test]
fn a_retried_invoice_consumes_once() {
    let (mut k, p) = with_stock(10);
    let args =
        json!({"type": "invoice", "client": "C", "lines": [{"product_id": p, "quantity": 4}]});
    let first = k.run_keyed("inv-1", "create_sales_document", args.clone());
    let again = k.run_keyed("inv-1", "create_sales_document", args);
    assert_eq!(first, again);
    assert_eq!(level(&mut k, p).0, "6");
}
