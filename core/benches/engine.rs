//! Throughput and latency of the core with the in-memory store.
//!
//! `cargo bench -p stockbook-core --bench engine` runs everything and prints
//! the table recorded in docs/benchmarks.md. `-- memory` runs only the memory
//! scenario (in its own process, so peak RSS is its own).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::collections::HashMap;
use std::time::Instant;
use stockbook_core::auth::Actor;
use stockbook_core::engine::{execute, execute_json};
use stockbook_core::ledger::{Movement, MovementType, Operation, Source, StockLevel, UpdateStock};
use stockbook_core::protocol::{Command, Request};
use stockbook_core::store::memory::MemoryStore;
use stockbook_core::store::{Changeset, Counter, Key, Store, Value};
use stockbook_core::testkit::Kit;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A store with `n` tracked products (threshold 0 so alerts stay rare).
fn store_with_products(n: u64) -> MemoryStore {
    let mut k = Kit::new();
    for i in 0..n {
        k.ok("create_product", json!({"sku": format!("SKU{i}"), "name": format!("Product {i}"), "low_stock_threshold": 0}));
    }
    k.store
}

fn update(i: u64, products: u64) -> UpdateStock {
    UpdateStock {
        product_id: 1 + (i * 7919) % products,
        location_id: None,
        operation: if i % 4 == 3 {
            Operation::Subtract
        } else {
            Operation::Add
        },
        quantity: stockbook_core::decimal::Quantity::from_int(1 + (i % 5) as i64),
        reason: None,
        expected_on_hand: None,
        ticket: None,
        client: None,
    }
}

fn peak_rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn rust_api(n: u64, products: u64) -> f64 {
    let mut store = store_with_products(products);
    let actor = Actor::admin("bench");
    let start_time = t0();
    let reqs: Vec<Request> = (0..n)
        .map(|i| {
            Request::new(
                actor.clone(),
                start_time + Duration::milliseconds(i as i64),
                Command::UpdateStock(update(i, products)),
            )
        })
        .collect();
    let t = Instant::now();
    for r in reqs {
        execute(&mut store, r).expect("update");
    }
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(store.ledger_len() as u64, n);
    n as f64 / secs
}

/// The state change of one update, as `update_stock` makes it (clamped at
/// zero): moves `level` and returns the movement with sequence number `seq`.
fn apply_to(level: &mut StockLevel, u: &UpdateStock, seq: u64, at: DateTime<Utc>) -> Movement {
    let q = match u.operation {
        Operation::Subtract if level.on_hand < u.quantity => -level.on_hand,
        Operation::Subtract => -u.quantity,
        _ => u.quantity,
    };
    level.on_hand += q;
    level.last_movement_at = Some(at);
    Movement {
        seq,
        at,
        product_id: level.product_id,
        location_id: level.location_id,
        kind: MovementType::Adjustment,
        quantity: q,
        requested: None,
        balance_after: level.on_hand,
        reason: None,
        source: Source {
            actor: "bench".to_string(),
            ..Default::default()
        },
    }
}

/// One update through the storage protocol alone: the three reads
/// `update_stock` makes through the trait (product, level, ledger counter)
/// and ONE changeset (the level, the counter, the movement) for the store;
/// no transaction cache, no rules, no alert check, no answer. Out of line,
/// so callgrind can count it (`--toggle-collect='engine::floor_step'`).
#[inline(never)]
fn floor_step(store: &mut MemoryStore, u: &UpdateStock, at: DateTime<Utc>) {
    let p = u.product_id;
    let product = store.get_ref(&Key::Product(p)).expect("read");
    assert!(
        matches!(product, Some((_, v)) if matches!(&*v, Value::Product(x) if x.track_inventory))
    );
    let mut level = match store.get_ref(&Key::Stock(p, 1)).expect("read") {
        Some((_, v)) => match &*v {
            Value::Stock(l) => l.clone(),
            _ => unreachable!(),
        },
        None => StockLevel::empty(p, 1),
    };
    let seq = match store.get_ref(&Key::Counter(Counter::Ledger)).expect("read") {
        Some((_, v)) => match &*v {
            Value::Counter(c) => c + 1,
            _ => unreachable!(),
        },
        None => 1,
    };
    let m = apply_to(&mut level, u, seq, at);
    let cs = Changeset {
        reads: Vec::new(),
        base: store.generation(),
        writes: vec![
            (Key::Stock(p, 1), Some(Value::Stock(level))),
            (Key::Counter(Counter::Ledger), Some(Value::Counter(seq))),
        ],
        movements: vec![m],
        events: Vec::new(),
    };
    store.commit(cs).expect("commit");
}

/// For scale: the same state change with no store protocol at all (the
/// level in a plain hash map, the movement pushed onto a vector reserved up
/// front; no versions, no generation, no ledger index, no product read).
#[inline(never)]
fn bare_step(
    levels: &mut HashMap<u64, StockLevel>,
    ledger: &mut Vec<Movement>,
    u: &UpdateStock,
    at: DateTime<Utc>,
) {
    let p = u.product_id;
    let level = levels.entry(p).or_insert_with(|| StockLevel::empty(p, 1));
    let m = apply_to(level, u, ledger.len() as u64 + 1, at);
    ledger.push(m);
}

/// `rust_api`'s workload through [`floor_step`] (`bare`: [`bare_step`]),
/// over the same 10,000 products: commands/s.
fn floor(n: u64, products: u64, bare: bool) -> f64 {
    let mut store = store_with_products(products);
    let mut levels = HashMap::new();
    let mut ledger = Vec::with_capacity(if bare { n as usize } else { 0 });
    let start_time = t0();
    let updates: Vec<UpdateStock> = (0..n).map(|i| update(i, products)).collect();
    let t = Instant::now();
    for (i, u) in updates.iter().enumerate() {
        let at = start_time + Duration::milliseconds(i as i64);
        if bare {
            bare_step(&mut levels, &mut ledger, u, at);
        } else {
            floor_step(&mut store, u, at);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let len = if bare {
        ledger.len()
    } else {
        store.ledger_len()
    };
    assert_eq!(len as u64, n);
    n as f64 / secs
}

fn json_path(n: u64, products: u64) -> f64 {
    let mut store = store_with_products(products);
    let base = t0();
    let reqs: Vec<String> = (0..n)
        .map(|i| {
            let u = update(i, products);
            json!({"cmd": "update_stock", "actor": {"id": "bench", "permissions": ["admin"]},
                   "now": (base + Duration::milliseconds(i as i64)).to_rfc3339(),
                   "args": {"product_id": u.product_id, "operation": u.operation, "quantity": u.quantity}})
            .to_string()
        })
        .collect();
    let t = Instant::now();
    let mut bytes = 0usize;
    for r in &reqs {
        bytes += execute_json(&mut store, r).len();
    }
    let secs = t.elapsed().as_secs_f64();
    assert!(bytes > 0);
    assert_eq!(store.ledger_len() as u64, n);
    n as f64 / secs
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Receiving a 1,000-line PO (one receipt of every line), median of runs.
fn receive_1000_lines() -> f64 {
    let mut runs = Vec::new();
    for _ in 0..15 {
        let mut k = Kit::new();
        k.supplier("Acme");
        let mut lines = Vec::new();
        for i in 0..1000 {
            let id = k.ok(
                "create_product",
                json!({"sku": format!("S{i}"), "name": "x", "low_stock_threshold": 0}),
            )["id"]
                .as_u64()
                .unwrap();
            lines.push(json!({"product_id": id, "quantity": 10, "unit_cost": "1.25"}));
        }
        let po = k.ok(
            "create_purchase_order",
            json!({"supplier_id": 1, "lines": lines}),
        )["purchase_order"]["id"]
            .as_u64()
            .unwrap();
        k.ok("order_purchase_order", json!({"id": po}));
        let receipt: Vec<_> = (1..=1000)
            .map(|l| json!({"line_no": l, "quantity": 10}))
            .collect();
        let req = k.request(
            "receive_purchase_order",
            json!({"id": po, "lines": receipt}),
        );
        let parsed = stockbook_core::protocol::parse_request(&req).unwrap();
        let t = Instant::now();
        let out = execute(&mut k.store, parsed).expect("receive");
        runs.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(k.store.ledger_len(), 1000);
        drop(out);
    }
    median(runs)
}

/// The queries of the list benchmark: the target's first (by status, sorted
/// by total), then the other filters and sorts `list_purchase_orders` offers.
const LIST_QUERIES: [(&str, &str); 6] = [
    (
        "status, total desc",
        r#"{"status": "ordered", "sort": "total", "direction": "desc"}"#,
    ),
    ("no filter, order date desc (default)", r#"{}"#),
    (
        "supplier, number asc",
        r#"{"supplier_id": 2, "sort": "number", "direction": "asc"}"#,
    ),
    (
        "order dates (one month), total asc",
        r#"{"from": "2026-02-01", "to": "2026-02-28", "sort": "total", "direction": "asc"}"#,
    ),
    (
        "status + supplier, number desc",
        r#"{"status": "draft", "supplier_id": 1, "sort": "number", "direction": "desc"}"#,
    ),
    (
        "status, order date asc, page 100",
        r#"{"status": "ordered", "sort": "order_date", "direction": "asc", "page": 100}"#,
    ),
];

/// Listing 100,000 POs (two suppliers, one a minute over ~10 weeks, a third
/// `ordered`): the median of runs of each of [`LIST_QUERIES`] (page size 50).
fn list_100k_pos() -> Vec<f64> {
    let mut k = Kit::new();
    k.supplier("Acme");
    k.supplier("Bolt & Co");
    let p = k.product("P");
    let base = t0();
    for i in 0..100_000u64 {
        k.now = base + Duration::minutes(i as i64);
        let po = k.ok(
            "create_purchase_order",
            json!({"supplier_id": 1 + i % 2, "lines": [{"product_id": p, "quantity": 1 + i % 9}]}),
        );
        if i % 3 == 0 {
            k.ok(
                "order_purchase_order",
                json!({"id": po["purchase_order"]["id"]}),
            );
        }
    }
    LIST_QUERIES
        .iter()
        .map(|(_, q)| {
            let mut args: serde_json::Value = serde_json::from_str(q).unwrap();
            args["page_size"] = json!(50);
            let req = k.request("list_purchase_orders", args);
            let mut runs = Vec::new();
            for _ in 0..15 {
                let parsed = stockbook_core::protocol::parse_request(&req).unwrap();
                let t = Instant::now();
                let out = execute(&mut k.store, parsed).expect("list");
                runs.push(t.elapsed().as_secs_f64() * 1000.0);
                drop(out);
            }
            median(runs)
        })
        .collect()
}

fn print_list(l: &[f64]) {
    println!(
        "list page 1 of 100,000 POs by status, sorted by total: median {:.3} ms (target < 20 ms)",
        l[0]
    );
    for ((name, _), ms) in LIST_QUERIES.iter().zip(l).skip(1) {
        println!("  list 100,000 POs, {name}: median {ms:.3} ms");
    }
}

/// Expiring 100,000 overdue orders in one `expire_orders` command (median of
/// runs, each on a fresh copy of the same store).
fn expire_100k_orders() -> f64 {
    let mut k = Kit::new();
    let products: Vec<u64> = (0..100)
        .map(|i| {
            let p = k.ok(
                "create_product",
                json!({"sku": format!("E{i}"), "name": "x", "low_stock_threshold": 0}),
            )["id"]
                .as_u64()
                .unwrap();
            k.ok(
                "update_stock",
                json!({"product_id": p, "operation": "add", "quantity": 5000}),
            );
            p
        })
        .collect();
    for i in 0..100_000usize {
        k.ok(
            "create_sales_document",
            json!({"client": "C", "due_date": "2026-01-01", "lines": [{"product_id": products[i % 100], "quantity": 1}]}),
        );
    }
    let snapshot = k.store.snapshot();
    let req = k.request("expire_orders", json!({}));
    let mut runs = Vec::new();
    for _ in 0..5 {
        let mut store = MemoryStore::from_snapshot(snapshot.clone()).unwrap();
        let parsed = stockbook_core::protocol::parse_request(&req).unwrap();
        let t = Instant::now();
        let out = execute(&mut store, parsed).expect("expire");
        runs.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(out);
    }
    median(runs)
}

fn memory() {
    let products = 100_000;
    let n = 1_000_000;
    let mut store = store_with_products(products);
    let actor = Actor::admin("bench");
    let base = t0();
    for i in 0..n {
        let r = Request::new(
            actor.clone(),
            base + Duration::milliseconds(i as i64),
            Command::UpdateStock(update(i, products)),
        );
        execute(&mut store, r).expect("update");
    }
    assert_eq!(store.ledger_len() as u64, n);
    println!(
        "memory: {products} products, {n} movements: peak RSS {:.0} MB (target < 500 MB)",
        peak_rss_mb()
    );
}

/// `Some(N)` when the arguments hold `mode [N]` (N defaults to 1,000,000).
fn count_after(args: &[String], mode: &str) -> Option<u64> {
    let i = args.iter().position(|a| a == mode)?;
    Some(
        args.get(i + 1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(1_000_000),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "memory") {
        memory();
        return;
    }
    if args.iter().any(|a| a == "receive") {
        let r = receive_1000_lines();
        println!("receive a 1,000-line PO: median {r:.3} ms (target < 2 ms)");
        return;
    }
    if args.iter().any(|a| a == "list") {
        print_list(&list_100k_pos());
        return;
    }
    if args.iter().any(|a| a == "expire") {
        let e = expire_100k_orders();
        println!(
            "expire 100,000 overdue orders in one command: median {e:.1} ms (target < 500 ms)"
        );
        return;
    }
    if let Some(n) = count_after(&args, "api") {
        println!("rust api: {:.0} commands/s", rust_api(n, 10_000));
        return;
    }
    if let Some(n) = count_after(&args, "floor") {
        // Alternating, so both sides see the same machine minute.
        for _ in 0..3 {
            let api = rust_api(n, 10_000);
            let (floor, bare) = (floor(n, 10_000, false), floor(n, 10_000, true));
            println!(
                "rust api: {api:.0}/s; the storage protocol alone: {floor:.0}/s (api = {:.0} % of it); a bare map and vector: {bare:.0}/s",
                100.0 * api / floor
            );
        }
        return;
    }
    if let Some(n) = count_after(&args, "json") {
        println!("json path: {:.0} commands/s", json_path(n, 10_000));
        return;
    }
    let n = 1_000_000;
    let products = 10_000;
    let api = rust_api(n, products);
    println!("rust api: {n} update_stock over {products} products: {api:.0} commands/s (target >= 2,000,000)");
    let js = json_path(n, products);
    println!("json path: {n} update_stock over {products} products: {js:.0} commands/s (target >= 300,000)");
    println!("ratio rust api / json path: {:.2}", api / js);
    let r = receive_1000_lines();
    println!("receive a 1,000-line PO: median {r:.3} ms (target < 2 ms)");
    print_list(&list_100k_pos());
    let e = expire_100k_orders();
    println!("expire 100,000 overdue orders in one command: median {e:.1} ms (target < 500 ms)");
    // The memory scenario in a child process, so its peak RSS is its own.
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .arg("memory")
        .output()
        .expect("memory run");
    print!("{}", String::from_utf8_lossy(&out.stdout));
}
