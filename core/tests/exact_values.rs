//! Totals are exact decimals (RULES §3): a document whose line values or
//! total would need more significant digits than a `Decimal` keeps (28) is
//! refused with `invalid_field` instead of being rounded silently, and
//! changes nothing (`Kit::refused` compares the store before and after).

use serde_json::json;
use stockbook_core::testkit::Kit;

const BIG: &str = "999999999999.999999";

/// A store with a supplier and a product counted to 6 decimals: (kit,
/// supplier id, product id).
fn setup() -> (Kit, u64, u64) {
    let mut k = Kit::new();
    let sup = k.supplier("Acme");
    let p = k.ok(
        "create_product",
        json!({"sku": "FINE", "name": "Fine", "decimal_places": 6}),
    )["id"]
        .as_u64()
        .unwrap();
    (k, sup, p)
}

#[test]
fn purchase_and_sales_lines_past_exact_digits_are_refused() {
    let (mut k, sup, p) = setup();
    let d = k.refused(
        "invalid_field",
        "create_purchase_order",
        json!({"supplier_id": sup, "lines": [
            {"product_id": p, "quantity": "1", "unit_cost": "1"},
            {"product_id": p, "quantity": BIG, "unit_cost": BIG}]}),
    );
    assert_eq!(d["field"], "lines[1].unit_cost");
    assert!(d["reason"]
        .as_str()
        .unwrap()
        .contains("28 significant digits"));
    // The largest values that stay exact are accepted, to the last digit.
    let v = k.ok(
        "create_purchase_order",
        json!({"supplier_id": sup, "lines": [
            {"product_id": p, "quantity": "99999.999999", "unit_cost": "99999999999.999999"}]}),
    );
    assert_eq!(v["total"], "9999999999899999.900000000001");
    let d = k.refused(
        "invalid_field",
        "create_sales_document",
        json!({"client": "Big", "type": "quote",
               "lines": [{"product_id": p, "quantity": BIG, "unit_price": BIG}]}),
    );
    assert_eq!(d["field"], "lines[0].unit_price");
}

#[test]
fn a_receipt_whose_received_value_would_be_rounded_is_refused() {
    let (mut k, sup, p) = setup();
    // Eight lines of 100000 at 99999999999.999999: each value and the total
    // are exact. Receiving 99999.999999 on each needs 29 digits in total.
    let line = json!({"product_id": p, "quantity": "100000", "unit_cost": "99999999999.999999"});
    let po = k.ok(
        "create_purchase_order",
        json!({"supplier_id": sup, "lines": vec![line; 8]}),
    )["purchase_order"]["id"]
        .clone();
    k.ok("order_purchase_order", json!({ "id": po }));
    let receipt: Vec<_> = (1..=8)
        .map(|n| json!({"line_no": n, "quantity": "99999.999999"}))
        .collect();
    let d = k.refused(
        "invalid_field",
        "receive_purchase_order",
        json!({"id": po, "lines": receipt}),
    );
    assert_eq!(d["field"], "lines");
    assert!(d["reason"].as_str().unwrap().starts_with("line 8:"), "{d}");
    // Seven of them fit.
    k.ok(
        "receive_purchase_order",
        json!({"id": po, "lines": receipt[..7]}),
    );
}
