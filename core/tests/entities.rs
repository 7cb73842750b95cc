//! RULES §1 through the protocol: supplier fields read back (§1.4), every PO
//! delivery method (§1.5) and a product's required name (§1.8).

use serde_json::{json, Value};
use stockbook_core::testkit::Kit;

/// The supplier as `get_supplier` reads it back.
fn get_supplier(k: &mut Kit, id: &Value) -> Value {
    k.ok("get_supplier", json!({ "id": id }))["supplier"].clone()
}

#[test]
fn supplier_website_and_address_are_kept_on_create_and_update() {
    let mut k = Kit::new();
    k.ok(
        "create_vat_rate",
        json!({"name": "Standard", "percent": "21"}),
    );
    let all = json!({
        "name": "Acme Fasteners",
        "contact_person": "Mia Jansen",
        "email": "orders@acme.example",
        "phone": "+31 20 555 0100",
        "address": "Dock 2\nHaven 5\n1000 AA Amsterdam",
        "website": "https://acme.example/orders",
        "notes": "Closed on Fridays",
        "default_vat_rate_id": 1,
        "po_delivery": "email"
    });
    let created = k.ok("create_supplier", all.clone());
    let id = created["id"].clone();
    let read = get_supplier(&mut k, &id);
    assert_eq!(
        read, created,
        "get_supplier reads back what create answered"
    );
    for (field, want) in all.as_object().unwrap() {
        assert_eq!(
            &read[field.as_str()],
            want,
            "{field} read back after create"
        );
    }
    assert_eq!(read["creditor_number"], "CRED001");
    assert_eq!(read["active"], true);

    // Update: new values replace, absent fields stay, `null` clears.
    let updated = k.ok(
        "update_supplier",
        json!({"id": id, "website": "https://acme.example", "address": "Kade 9\n2000 BB Haarlem"}),
    );
    let read = get_supplier(&mut k, &id);
    assert_eq!(read, updated);
    assert_eq!(read["website"], "https://acme.example");
    assert_eq!(read["address"], "Kade 9\n2000 BB Haarlem");
    assert_eq!(read["phone"], "+31 20 555 0100", "absent fields are kept");
    assert_eq!(read["notes"], "Closed on Fridays");

    k.ok(
        "update_supplier",
        json!({"id": id, "website": null, "address": null}),
    );
    let read = get_supplier(&mut k, &id);
    assert_eq!(read["website"], Value::Null);
    assert_eq!(read["address"], Value::Null);
    assert_eq!(read["email"], "orders@acme.example");

    // The list shows the same supplier.
    k.ok(
        "update_supplier",
        json!({"id": id, "website": "acme.example", "address": "Dock 2"}),
    );
    let listed = k.ok("list_suppliers", json!({}));
    assert_eq!(listed["items"][0], get_supplier(&mut k, &id));
    assert_eq!(listed["items"][0]["website"], "acme.example");
    assert_eq!(listed["items"][0]["address"], "Dock 2");
}

#[test]
fn every_po_delivery_method_is_sent_and_read_back() {
    let mut k = Kit::new();
    for (i, method) in ["email", "print", "portal", "none"].iter().enumerate() {
        let created = k.ok(
            "create_supplier",
            json!({"name": format!("S{i}"), "po_delivery": method}),
        );
        assert_eq!(created["po_delivery"], *method);
        assert_eq!(get_supplier(&mut k, &created["id"])["po_delivery"], *method);
    }
    // Each method also replaces another one through update_supplier.
    let id = k.supplier("Changer");
    assert_eq!(get_supplier(&mut k, &json!(id))["po_delivery"], "none");
    for method in ["print", "portal", "email", "none", "portal"] {
        let u = k.ok("update_supplier", json!({"id": id, "po_delivery": method}));
        assert_eq!(u["po_delivery"], method);
        assert_eq!(get_supplier(&mut k, &json!(id))["po_delivery"], method);
    }
    // An unknown method, or a known one in the wrong case, is refused (the
    // field is named by its path in the request, as for every type error).
    for bad in [json!("fax"), json!("Print"), json!(""), json!(1)] {
        let d = k.refused(
            "invalid_field",
            "create_supplier",
            json!({"name": "X", "po_delivery": bad}),
        );
        assert_eq!(d["field"], "po_delivery", "{bad}");
        let d = k.refused(
            "invalid_field",
            "update_supplier",
            json!({"id": id, "po_delivery": bad}),
        );
        assert_eq!(d["field"], "po_delivery", "{bad}");
    }
    assert_eq!(get_supplier(&mut k, &json!(id))["po_delivery"], "portal");
}

#[test]
fn a_product_needs_a_name() {
    let mut k = Kit::new();
    let e = k.err("create_product", json!({"sku": "BOLT"}));
    assert_eq!(e["code"], "invalid_request", "{e}");
    k.refused("invalid_request", "create_product", json!({"sku": "BOLT"}));
    k.refused(
        "invalid_field",
        "create_product",
        json!({"sku": "BOLT", "name": null}),
    );
    for blank in ["", " ", "  \t ", "\u{a0}", "\n"] {
        let d = k.refused(
            "invalid_field",
            "create_product",
            json!({"sku": "BOLT", "name": blank}),
        );
        assert_eq!(d["field"], "name", "{blank:?}");
    }
    // A name, trimmed, passes; an update cannot blank it either.
    let p = k.ok("create_product", json!({"sku": "BOLT", "name": "  Bolt "}));
    assert_eq!(p["name"], "Bolt");
    for blank in ["", "   "] {
        let d = k.refused(
            "invalid_field",
            "update_product",
            json!({"id": p["id"], "name": blank}),
        );
        assert_eq!(d["field"], "name");
    }
    assert_eq!(
        k.ok("get_product", json!({"id": p["id"]}))["product"]["name"],
        "Bolt"
    );
}

/// In updates, absent keeps a field and `null` clears it where it can be
/// cleared; a field that cannot be cleared refuses `null` instead of reading
/// it as "keep" (a client sending it meant to clear it).
#[test]
fn null_is_refused_where_a_field_cannot_be_cleared() {
    let mut k = Kit::new();
    let p = k.ok(
        "create_product",
        json!({"sku": "BOLT", "name": "Bolt", "ean": "4006381333931"}),
    )["id"]
        .clone();
    let sup = k.supplier("Acme");
    let po =
        k.ok("create_purchase_order", json!({"supplier_id": sup}))["purchase_order"]["id"].clone();
    let doc = k.ok(
        "create_sales_document",
        json!({"client": "C", "type": "quote"}),
    )["id"]
        .clone();
    let cat = k.ok("create_category", json!({"name": "Fasteners"}))["id"].clone();
    for (cmd, args, field) in [
        ("update_product", json!({"id": p, "name": null}), "name"),
        ("update_product", json!({"id": p, "price": null}), "price"),
        (
            "update_product",
            json!({"id": p, "track_inventory": null}),
            "track_inventory",
        ),
        (
            "update_supplier",
            json!({"id": sup, "active": null}),
            "active",
        ),
        (
            "update_purchase_order",
            json!({"id": po, "order_date": null}),
            "order_date",
        ),
        (
            "update_sales_document",
            json!({"id": doc, "client": null}),
            "client",
        ),
        ("update_category", json!({"id": cat, "name": null}), "name"),
        (
            "update_settings",
            json!({"oversell_policy": null}),
            "oversell_policy",
        ),
    ] {
        let d = k.refused("invalid_field", cmd, args.clone());
        assert_eq!(d["field"], field, "{cmd} {args}");
        // The reason names the null (for an enum, with the names allowed).
        let reason = d["reason"].as_str().unwrap();
        assert!(reason.contains("invalid type: null"), "{d}");
        if field == "oversell_policy" {
            assert!(reason.ends_with("expected `reject` or `allow`"), "{d}");
        }
    }
    // Clearable fields still clear with null.
    let v = k.ok("update_product", json!({"id": p, "ean": null}));
    assert_eq!(v["product"]["ean"], serde_json::Value::Null);
    assert_eq!(v["product"]["name"], "Bolt");
}
