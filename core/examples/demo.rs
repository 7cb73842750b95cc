//! A scripted day at a small wholesaler, played through the JSON protocol
//! against the in-memory store, then the stock and the ledger printed as
//! tables. Run with `cargo run -p stockbook-core --example demo`.
//!
//! Every step is a protocol request exactly as a host would send it, so the
//! demo doubles as a readable tour of `docs/protocol.md`. A step whose answer
//! is not the expected kind (ok or the named error) stops the demo with a
//! non-zero exit, so it cannot silently drift from the rules.

use serde_json::{json, Value};
use stockbook_core::engine::execute_json;
use stockbook_core::store::memory::MemoryStore;

/// One scripted step: what the clerk does, the request, and the answer kind
/// expected (`None` = ok, `Some(code)` = that error).
struct Step {
    what: &'static str,
    request: Value,
    expect_error: Option<&'static str>,
}

fn req(cmd: &str, now: &str, args: Value) -> Value {
    json!({"cmd": cmd, "actor": {"id": "ann", "permissions": ["admin"]}, "now": now, "args": args})
}

fn script() -> Vec<Step> {
    let step = |what, request| Step {
        what,
        request,
        expect_error: None,
    };
    vec![
        step(
            "register the supplier",
            req(
                "create_supplier",
                "2026-03-02T08:00:00Z",
                json!({"name": "Acme Fasteners", "email": "orders@acme.example"}),
            ),
        ),
        step(
            "add the bolt",
            req(
                "create_product",
                "2026-03-02T08:01:00Z",
                json!({"sku": "BOLT-M8-30", "name": "M8 x 30mm Hex Bolt", "purchase_price": "0.45", "supplier_id": 1, "low_stock_threshold": 50}),
            ),
        ),
        step(
            "add the nut",
            req(
                "create_product",
                "2026-03-02T08:02:00Z",
                json!({"sku": "NUT-M8", "name": "M8 Hex Nut", "purchase_price": "0.22", "supplier_id": 1, "low_stock_threshold": 100}),
            ),
        ),
        step(
            "opening count of bolts",
            req(
                "update_stock",
                "2026-03-02T09:00:00Z",
                json!({"product_id": 1, "operation": "add", "quantity": "120", "reason": "opening count"}),
            ),
        ),
        step(
            "draft a purchase order",
            req(
                "create_purchase_order",
                "2026-03-02T10:00:00Z",
                json!({"supplier_id": 1, "lines": [
                {"product_id": 1, "quantity": 1000, "unit_cost": "0.45"},
                {"product_id": 2, "quantity": 1000, "unit_cost": "0.22"}]}),
            ),
        ),
        step(
            "send it to the supplier",
            req(
                "order_purchase_order",
                "2026-03-02T10:05:00Z",
                json!({"id": 1}),
            ),
        ),
        step(
            "first delivery: 600 bolts, 400 nuts",
            req(
                "receive_purchase_order",
                "2026-03-05T14:00:00Z",
                json!({"id": 1, "lines": [{"line_no": 1, "quantity": 600}, {"line_no": 2, "quantity": 400}]}),
            ),
        ),
        Step {
            what: "a second slip claims 500 more bolts (only 400 outstanding)",
            request: req(
                "receive_purchase_order",
                "2026-03-06T09:00:00Z",
                json!({"id": 1, "lines": [{"line_no": 1, "quantity": 500}]}),
            ),
            expect_error: Some("over_receipt"),
        },
        step(
            "20 bolts damaged",
            req(
                "update_stock",
                "2026-03-06T10:00:00Z",
                json!({"product_id": 1, "operation": "subtract", "quantity": "20", "reason": "damaged"}),
            ),
        ),
        step(
            "nuts used on a job",
            req(
                "update_stock",
                "2026-03-06T11:00:00Z",
                json!({"product_id": 2, "operation": "subtract", "quantity": "330", "reason": "job J-104"}),
            ),
        ),
        step(
            "close the PO short, backorder the rest",
            req(
                "close_purchase_order",
                "2026-03-07T09:00:00Z",
                json!({"id": 1, "create_backorder": true}),
            ),
        ),
        step(
            "return 10 bent bolts",
            req(
                "return_to_supplier",
                "2026-03-07T10:00:00Z",
                json!({"id": 1, "lines": [{"line_no": 1, "quantity": 10}], "reason": "bent"}),
            ),
        ),
        step(
            "stock count says 689 bolts",
            req(
                "update_stock",
                "2026-03-08T08:00:00Z",
                json!({"product_id": 1, "operation": "set", "quantity": "689", "reason": "cycle count"}),
            ),
        ),
    ]
}

fn main() {
    let mut store = MemoryStore::new();
    println!("Stockbook demo: a scripted day against the in-memory store\n");
    for (i, step) in script().iter().enumerate() {
        let answer: Value =
            serde_json::from_str(&execute_json(&mut store, &step.request.to_string()))
                .expect("the engine always answers JSON");
        let code = answer.pointer("/error/code").and_then(Value::as_str);
        let outcome = match code {
            Some(c) => format!("refused: {c}"),
            None => "ok".to_string(),
        };
        let alerts = answer["events"].as_array().map_or(0, Vec::len);
        let events = if alerts > 0 {
            format!(" ({alerts} event(s))")
        } else {
            String::new()
        };
        println!("{:>2}. {:<58} {outcome}{events}", i + 1, step.what);
        if code != step.expect_error {
            eprintln!("unexpected answer: {answer:#}");
            std::process::exit(1);
        }
    }

    let mut query = |cmd: &str, args: Value| -> Value {
        let r = json!({"cmd": cmd, "actor": {"id": "ann", "permissions": ["inventory.read"]}, "args": args});
        let a: Value =
            serde_json::from_str(&execute_json(&mut store, &r.to_string())).expect("JSON");
        a["ok"].clone()
    };

    println!("\nStock");
    let products = query("list_products", json!({}));
    print_table(
        &[
            "SKU",
            "Name",
            "On hand",
            "Held",
            "Available",
            "Incoming",
            "Low",
        ],
        products["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let s = &p["stock"];
                vec![
                    text(&p["product"]["sku"]),
                    text(&p["product"]["name"]),
                    text(&s["on_hand"]),
                    text(&s["held"]),
                    text(&s["available"]),
                    text(&s["incoming"]),
                    if s["low_stock"] == true {
                        "yes".into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect(),
    );

    println!("\nLedger");
    let ledger = query("list_movements", json!({"limit": 1000}));
    print_table(
        &[
            "Seq",
            "At",
            "Product",
            "Type",
            "Quantity",
            "Balance",
            "Reason / source",
        ],
        ledger["movements"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                let po = m["source"]["purchase_order"]
                    .as_str()
                    .map(|n| format!("PO {n}"));
                vec![
                    text(&m["seq"]),
                    text(&m["at"]),
                    text(&m["product_id"]),
                    text(&m["type"]),
                    text(&m["quantity"]),
                    text(&m["balance_after"]),
                    m["reason"]
                        .as_str()
                        .map(str::to_string)
                        .or(po)
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    );

    println!("\nPurchase orders");
    let pos = query(
        "list_purchase_orders",
        json!({"sort": "number", "direction": "asc"}),
    );
    print_table(
        &["Number", "Status", "Ordered value", "Received value"],
        pos["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|po| {
                vec![
                    text(&po["number"]),
                    text(&po["status"]),
                    text(&po["total"]),
                    text(&po["received_total"]),
                ]
            })
            .collect(),
    );
}

/// A JSON scalar as table text (strings without quotes, null as empty).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn print_table(headers: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("  {}", padded.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        line(row);
    }
}
