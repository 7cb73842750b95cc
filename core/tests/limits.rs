//! RULES §8 at the boundary, through the protocol: a document of exactly
//! 1,000 lines is accepted (§8.3; 1,001 is refused in the unit tests), and a
//! PO number of 64 characters is accepted where 65 is refused (§8.4).

use serde_json::{json, Value};
use stockbook_core::testkit::Kit;

fn kit_with_stock() -> (Kit, u64, u64) {
    let mut k = Kit::new();
    let sup = k.supplier("Acme");
    let p = k.product("BOLT");
    k.ok(
        "update_stock",
        json!({"product_id": p, "operation": "add", "quantity": "5000"}),
    );
    (k, sup, p)
}

#[test]
fn a_po_of_exactly_1000_lines_is_accepted_and_1001_refused() {
    let (mut k, sup, p) = kit_with_stock();
    let lines = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|_| json!({"product_id": p, "quantity": 1, "unit_cost": "0.50"}))
            .collect()
    };
    let d = k.refused(
        "invalid_field",
        "create_purchase_order",
        json!({"supplier_id": sup, "lines": lines(1001)}),
    );
    assert_eq!(d["field"], "lines");
    let po = k.ok(
        "create_purchase_order",
        json!({"supplier_id": sup, "lines": lines(1000)}),
    );
    let id = po["purchase_order"]["id"].clone();
    let got = k.ok("get_purchase_order", json!({ "id": id }));
    let read = got["purchase_order"]["lines"].as_array().unwrap();
    assert_eq!(read.len(), 1000);
    assert_eq!(read[999]["line_no"], 1000);
    assert_eq!(got["total"], "500.00");
    // Replacing the lines of the draft keeps the same limit.
    k.ok(
        "update_purchase_order",
        json!({"id": id, "lines": lines(1000)}),
    );
    k.refused(
        "invalid_field",
        "update_purchase_order",
        json!({"id": id, "lines": lines(1001)}),
    );
    // And all 1,000 lines can be ordered and received at once.
    k.ok("order_purchase_order", json!({ "id": id }));
    let receipt: Vec<Value> = (1..=1000)
        .map(|n| json!({"line_no": n, "quantity": 1}))
        .collect();
    let r = k.ok(
        "receive_purchase_order",
        json!({"id": id, "lines": receipt}),
    );
    assert_eq!(r["purchase_order"]["status"], "received");
    assert_eq!(k.on_hand(p), "6000");
}

#[test]
fn a_sales_document_of_exactly_1000_lines_is_accepted_and_1001_refused() {
    let (mut k, _, p) = kit_with_stock();
    let lines = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|_| json!({"product_id": p, "quantity": 2, "unit_price": "1.00"}))
            .collect()
    };
    let d = k.refused(
        "invalid_field",
        "create_sales_document",
        json!({"type": "invoice", "client": "C", "lines": lines(1001)}),
    );
    assert_eq!(d["field"], "lines");
    let doc = k.ok(
        "create_sales_document",
        json!({"type": "invoice", "client": "C", "lines": lines(1000)}),
    );
    assert_eq!(doc["lines"].as_array().unwrap().len(), 1000);
    let read = k.ok("get_sales_document", json!({"id": doc["id"]}));
    assert_eq!(read, doc);
    assert_eq!(
        k.on_hand(p),
        "3000",
        "an invoice of 1,000 lines of 2 consumes 2,000"
    );
    let order = k.ok(
        "create_sales_document",
        json!({"client": "D", "lines": lines(1000)}),
    );
    assert_eq!(order["type"], "order");
    k.ok(
        "update_sales_document",
        json!({"id": order["id"], "lines": lines(1000)}),
    );
    k.refused(
        "invalid_field",
        "update_sales_document",
        json!({"id": order["id"], "lines": lines(1001)}),
    );
}

#[test]
fn a_po_number_of_64_characters_is_accepted_and_65_refused() {
    let (mut k, sup, p) = kit_with_stock();
    let line = json!([{"product_id": p, "quantity": 1}]);
    for n in [65, 100] {
        let d = k.refused(
            "invalid_field",
            "create_purchase_order",
            json!({"supplier_id": sup, "number": "N".repeat(n), "lines": line}),
        );
        assert_eq!(d["field"], "number", "{n}");
    }
    // Characters, not bytes: 65 two-byte characters are refused too.
    let d = k.refused(
        "invalid_field",
        "create_purchase_order",
        json!({"supplier_id": sup, "number": "É".repeat(65), "lines": line}),
    );
    assert_eq!(d["field"], "number");
    let n64 = format!("PO-{}", "7".repeat(61));
    assert_eq!(n64.chars().count(), 64);
    let po = k.ok(
        "create_purchase_order",
        json!({"supplier_id": sup, "number": n64, "lines": line}),
    );
    assert_eq!(po["purchase_order"]["number"], n64.as_str());
    let id = po["purchase_order"]["id"].clone();
    assert_eq!(
        k.ok("get_purchase_order", json!({ "id": id }))["purchase_order"]["number"],
        n64.as_str()
    );
    // The same limits through update_purchase_order.
    let d = k.refused(
        "invalid_field",
        "update_purchase_order",
        json!({"id": id, "number": "M".repeat(65)}),
    );
    assert_eq!(d["field"], "number");
    let m64 = "M".repeat(64);
    let u = k.ok("update_purchase_order", json!({"id": id, "number": m64}));
    assert_eq!(u["purchase_order"]["number"], m64.as_str());
}
