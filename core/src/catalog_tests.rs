//! Rules of RULES §1: locations, categories, VAT rates, suppliers, products
//! and settings, through the protocol.

use crate::testkit::Kit;
use serde_json::{json, Value};

#[test]
fn main_location_exists_from_the_start_and_names_are_unique() {
    let mut k = Kit::new();
    assert_eq!(
        k.ok("list_locations", json!({})),
        json!([{"id": 1, "name": "Main"}])
    );
    assert_eq!(
        k.ok("create_location", json!({"name": "Van 1"})),
        json!({"id": 2, "name": "Van 1"})
    );
    let d = k.refused("duplicate", "create_location", json!({"name": "main"}));
    assert_eq!(d["field"], "name");
    k.refused("invalid_field", "create_location", json!({"name": "  "}));
}

#[test]
fn categories_colour_position_and_deletion() {
    let mut k = Kit::new();
    let a = k.ok("create_category", json!({"name": "Fasteners"}));
    assert_eq!(
        (a["colour"].as_str(), a["position"].as_u64()),
        (Some("#6e56cf"), Some(0))
    );
    let b = k.ok(
        "create_category",
        json!({"name": "Tools", "colour": "#FF0000"}),
    );
    assert_eq!(
        (b["colour"].as_str(), b["position"].as_u64()),
        (Some("#ff0000"), Some(1))
    );
    k.refused(
        "invalid_field",
        "create_category",
        json!({"name": "Bad", "colour": "red"}),
    );
    k.ok(
        "update_category",
        json!({"id": b["id"], "position": 0, "name": "Hand tools"}),
    );
    k.ok("update_category", json!({"id": a["id"], "position": 5}));
    let names: Vec<Value> = k
        .ok("list_categories", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Hand tools"), json!("Fasteners")]);
    k.ok(
        "create_product",
        json!({"sku": "HAM", "name": "Hammer", "category_id": b["id"]}),
    );
    let d = k.refused("in_use", "delete_category", json!({"id": b["id"]}));
    assert_eq!(d["entity"], "category");
    k.ok("delete_category", json!({"id": a["id"]}));
    k.refused(
        "not_found",
        "update_category",
        json!({"id": a["id"], "name": "x"}),
    );
    k.refused(
        "not_found",
        "create_product",
        json!({"sku": "X", "name": "x", "category_id": 99}),
    );
}

#[test]
fn exactly_one_vat_rate_is_the_default() {
    let mut k = Kit::new();
    let p0 = k.product("NOVAT");
    assert_eq!(
        k.ok("get_product", json!({"id": p0}))["product"]["vat_rate_id"],
        Value::Null
    );
    let std = k.ok(
        "create_vat_rate",
        json!({"name": "Standard", "percent": "21"}),
    );
    assert_eq!(std["is_default"], true, "the first rate is the default");
    let low = k.ok(
        "create_vat_rate",
        json!({"name": "Reduced", "percent": "9"}),
    );
    assert_eq!(low["is_default"], false);
    let p = k.product("WITHVAT");
    assert_eq!(
        k.ok("get_product", json!({"id": p}))["product"]["vat_rate_id"],
        std["id"]
    );
    k.ok(
        "create_vat_rate",
        json!({"name": "Zero", "percent": 0, "is_default": true}),
    );
    let defaults = k
        .ok("list_vat_rates", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["is_default"] == true)
        .count();
    assert_eq!(defaults, 1);
    k.refused(
        "invalid_field",
        "create_vat_rate",
        json!({"name": "Silly", "percent": "120"}),
    );
    k.refused(
        "invalid_field",
        "create_vat_rate",
        json!({"name": "Neg", "percent": "-1"}),
    );
}

#[test]
fn suppliers_get_creditor_numbers_and_can_be_edited_and_listed() {
    let mut k = Kit::new();
    let a = k.ok("create_supplier", json!({"name": "Zeta Parts", "email": "orders@zeta.example", "po_delivery": "email", "phone": "+31 20 123"}));
    assert_eq!(a["creditor_number"], "CRED001");
    assert_eq!(a["active"], true);
    let b = k.ok("create_supplier", json!({"name": "Acme"}));
    assert_eq!(b["creditor_number"], "CRED002");
    assert_eq!(b["po_delivery"], "none");
    k.refused(
        "invalid_field",
        "create_supplier",
        json!({"name": "Bad", "email": "not-an-email"}),
    );
    k.refused(
        "invalid_request",
        "create_supplier",
        json!({"email": "a@b.nl"}),
    );
    k.refused(
        "invalid_field",
        "create_supplier",
        json!({"name": "X", "po_delivery": "pigeon"}),
    );
    k.refused(
        "not_found",
        "create_supplier",
        json!({"name": "X", "default_vat_rate_id": 4}),
    );
    // A contact person is a name (RULES §8: no control characters); an
    // address may span lines.
    for (field, value) in [("contact_person", "Mia\nde Vries"), ("phone", "+31\u{7}20")] {
        let e = k.refused(
            "invalid_field",
            "create_supplier",
            json!({"name": "X", field: value}),
        );
        assert_eq!(e["field"], field);
    }
    Kit::new().ok(
        "create_supplier",
        json!({"name": "Lines", "address": "Dock 2\nHaven 5", "contact_person": "  "}),
    );
    let u = k.ok(
        "update_supplier",
        json!({"id": a["id"], "email": null, "contact_person": "Mia", "active": false}),
    );
    assert_eq!(
        (
            u["email"].clone(),
            u["contact_person"].clone(),
            u["active"].clone()
        ),
        (Value::Null, json!("Mia"), json!(false))
    );
    assert_eq!(u["phone"], "+31 20 123", "absent fields are kept");
    let all = k.ok("list_suppliers", json!({}));
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Acme", "Zeta Parts"]);
    assert_eq!(
        k.ok("list_suppliers", json!({"active": true}))["total_count"],
        1
    );
    assert_eq!(
        k.ok("list_suppliers", json!({"search": "cred001"}))["items"][0]["name"],
        "Zeta Parts"
    );
    k.ok("delete_supplier", json!({"id": b["id"]}));
    k.refused("not_found", "get_supplier", json!({"id": b["id"]}));
}

#[test]
fn products_defaults_numbers_and_uniqueness() {
    let mut k = Kit::new();
    let p = k.ok("create_product", json!({"sku": "BOLT", "name": "Bolt", "ean": "4006381333931", "price": 2, "purchase_price": "0.45"}));
    assert_eq!(p["article_number"], "ART_PRODUCT001");
    assert_eq!(
        (
            p["track_inventory"].clone(),
            p["low_stock_threshold"].clone(),
            p["unit"].clone(),
            p["decimal_places"].clone()
        ),
        (json!(true), json!("5"), json!("pcs"), json!(0))
    );
    assert_eq!(
        (p["price"].as_str(), p["purchase_price"].as_str()),
        (Some("2.00"), Some("0.45"))
    );
    assert_eq!(
        k.ok("create_product", json!({"sku": "NUT", "name": "Nut"}))["article_number"],
        "ART_PRODUCT002"
    );
    let d = k.refused(
        "duplicate",
        "create_product",
        json!({"sku": "BOLT", "name": "Other"}),
    );
    assert_eq!(d, json!({"field": "sku", "value": "BOLT"}));
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "E", "name": "x", "ean": "4006381333932"}),
    );
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "N", "name": "x", "price": "-1"}),
    );
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "N", "name": "x", "purchase_price": "-0.01"}),
    );
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "N", "name": "x", "low_stock_threshold": "-1"}),
    );
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "N", "name": "x", "decimal_places": 7}),
    );
    k.refused(
        "invalid_request",
        "create_product",
        json!({"name": "no sku"}),
    );
    k.refused(
        "not_found",
        "create_product",
        json!({"sku": "N", "name": "x", "supplier_id": 3}),
    );
    // Changing the SKU frees the old one.
    k.ok("update_product", json!({"id": p["id"], "sku": "BOLT-M8"}));
    k.refused(
        "duplicate",
        "update_product",
        json!({"id": p["id"], "sku": "NUT"}),
    );
    k.ok("create_product", json!({"sku": "BOLT", "name": "New bolt"}));
}

#[test]
fn products_with_history_are_archived_not_deleted() {
    let mut k = Kit::new();
    let used = k.product("USED");
    let fresh = k.product("FRESH");
    k.ok(
        "update_stock",
        json!({"product_id": used, "operation": "add", "quantity": "1"}),
    );
    k.ok(
        "update_stock",
        json!({"product_id": used, "operation": "subtract", "quantity": "1"}),
    );
    let d = k.refused("in_use", "delete_product", json!({"id": used}));
    assert!(d["reason"].as_str().unwrap().contains("archive"));
    k.ok("delete_product", json!({"id": fresh}));
    k.refused("not_found", "get_product", json!({"id": fresh}));
    k.ok("update_product", json!({"id": used, "archived": true}));
    assert_eq!(k.ok("list_products", json!({}))["total_count"], 0);
    assert_eq!(
        k.ok("list_products", json!({"include_archived": true}))["total_count"],
        1
    );
}

#[test]
fn product_updates_keep_the_rules() {
    let mut k = Kit::new();
    let p = k.ok(
        "create_product",
        json!({"sku": "CBL", "name": "Cable", "decimal_places": 2}),
    )["id"]
        .as_u64()
        .unwrap();
    k.ok(
        "update_stock",
        json!({"product_id": p, "operation": "add", "quantity": "1.25"}),
    );
    k.refused(
        "invalid_field",
        "update_product",
        json!({"id": p, "decimal_places": 0}),
    );
    k.refused(
        "invalid_field",
        "update_product",
        json!({"id": p, "track_inventory": false}),
    );
    k.refused(
        "invalid_field",
        "update_product",
        json!({"id": p, "low_stock_threshold": "0.125"}),
    );
    let v = k.ok(
        "update_product",
        json!({"id": p, "name": "Cable 3x1.5", "ean": "96385074", "low_stock_threshold": "2.5"}),
    );
    assert_eq!(v["product"]["name"], "Cable 3x1.5");
    assert_eq!(v["stock"]["on_hand"], "1.25");
    assert_eq!(v["stock"]["low_stock"], true);
    assert_eq!(
        k.ok("update_product", json!({"id": p, "ean": null}))["product"]["ean"],
        Value::Null
    );
}

#[test]
fn on_hand_through_product_update_only_without_purchase_orders() {
    let mut k = Kit::new();
    let p = k.product("SIMPLE");
    let d = k.refused(
        "invalid_field",
        "update_product",
        json!({"id": p, "on_hand": "7"}),
    );
    assert_eq!(d["field"], "on_hand");
    k.ok("update_settings", json!({"purchase_orders_enabled": false}));
    let v = k.ok(
        "update_product",
        json!({"id": p, "on_hand": "7", "reason": "stock take"}),
    );
    assert_eq!(v["stock"]["on_hand"], "7");
    let m = &k.ok("list_movements", json!({"product_id": p}))["movements"][0];
    assert_eq!(
        (
            m["type"].as_str(),
            m["quantity"].as_str(),
            m["reason"].as_str()
        ),
        (Some("adjustment"), Some("7"), Some("stock take"))
    );
}

#[test]
fn listing_products_searches_filters_and_pages() {
    let mut k = Kit::new();
    let sup = k.supplier("Acme");
    for i in 0..60 {
        let args = if i % 3 == 0 {
            json!({"sku": format!("S{i:02}"), "name": format!("Screw {i:02}"), "supplier_id": sup})
        } else {
            json!({"sku": format!("B{i:02}"), "name": format!("Bolt {i:02}")})
        };
        k.ok("create_product", args);
    }
    let all = k.ok("list_products", json!({}));
    assert_eq!(
        (
            all["total_count"].as_u64(),
            all["page_size"].as_u64(),
            all["page_count"].as_u64()
        ),
        (Some(60), Some(50), Some(2))
    );
    assert_eq!(all["items"][0]["product"]["name"], "Bolt 01");
    assert_eq!(
        k.ok("list_products", json!({"search": "screw"}))["total_count"],
        20
    );
    assert_eq!(
        k.ok("list_products", json!({"supplier_id": sup}))["total_count"],
        20
    );
    let p2 = k.ok(
        "list_products",
        json!({"page": 2, "page_size": 25, "search": "bolt"}),
    );
    assert_eq!(
        (
            p2["items"].as_array().map(Vec::len),
            p2["has_more"].as_bool()
        ),
        (Some(15), Some(false))
    );
    let low = k.ok(
        "list_products",
        json!({"low_stock_only": true, "page_size": 5}),
    );
    assert_eq!(low["total_count"], 60, "every tracked product at 0 is low");
}

#[test]
fn settings_have_defaults_and_are_validated() {
    let mut k = Kit::new();
    let s = k.ok("get_settings", json!({}));
    assert_eq!(
        s,
        json!({"purchase_orders_enabled": true,
               "number_formats": {"purchase_order": "PO-{YYYY}-{NNNN}", "supplier": "CRED{NNN}", "product": "ART_PRODUCT{NNN}"},
               "low_stock_cooldown_minutes": 1440, "oversell_policy": "reject", "over_receipt_tolerance_percent": "0"})
    );
    let s = k.ok(
        "update_settings",
        json!({"oversell_policy": "allow", "number_formats": {"supplier": "V{NNNN}"}}),
    );
    assert_eq!(s["oversell_policy"], "allow");
    assert_eq!(
        k.ok("create_supplier", json!({"name": "V"}))["creditor_number"],
        "V0001"
    );
    k.refused(
        "invalid_field",
        "update_settings",
        json!({"oversell_policy": "sometimes"}),
    );
    k.refused(
        "invalid_field",
        "update_settings",
        json!({"low_stock_cooldown_minutes": 600_000}),
    );
    k.refused(
        "invalid_field",
        "update_settings",
        json!({"number_formats": {"product": "ART"}}),
    );
}
