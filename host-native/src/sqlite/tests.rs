//! The SQLite store must answer exactly like the in-memory reference store.

use super::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value as J};
use stockbook_core::engine::execute_json;
use stockbook_core::store::memory::MemoryStore;

struct Twin {
    mem: MemoryStore,
    sql: SqliteStore,
    now: DateTime<Utc>,
    n: usize,
}

impl Twin {
    fn new(sql: SqliteStore) -> Self {
        Twin {
            mem: MemoryStore::new(),
            sql,
            now: "2026-01-05T09:00:00Z".parse().unwrap(),
            n: 0,
        }
    }

    /// Sends the same text to both stores (the SQLite one through its own
    /// transaction wrapper and through the bare engine, alternately) and
    /// checks the answers are byte-identical.
    fn send(&mut self, text: &str) -> String {
        self.n += 1;
        let a = execute_json(&mut self.mem, text);
        let b = if self.n.is_multiple_of(3) {
            execute_json(&mut self.sql, text)
        } else {
            self.sql.execute_json(text)
        };
        assert_eq!(a, b, "request #{}: {text}", self.n);
        if std::env::var("TWIN_DEBUG").is_ok() {
            eprintln!("{}\n  -> {}", text, &a[..a.len().min(300)]);
        }
        a
    }

    fn req(&self, cmd: &str, args: J) -> String {
        json!({"cmd": cmd, "actor": {"id": "ann", "permissions": ["admin"]},
               "now": self.now.to_rfc3339(), "args": args})
        .to_string()
    }

    fn run(&mut self, cmd: &str, args: J) -> J {
        let r = self.req(cmd, args);
        serde_json::from_str(&self.send(&r)).unwrap()
    }

    /// [`Twin::req`] with an idempotency key.
    fn keyed_req(&self, key: &str, cmd: &str, args: J) -> String {
        let mut r: J = serde_json::from_str(&self.req(cmd, args)).unwrap();
        r["idempotency_key"] = json!(key);
        r.to_string()
    }

    fn keyed(&mut self, key: &str, cmd: &str, args: J) -> J {
        let r = self.keyed_req(key, cmd, args);
        serde_json::from_str(&self.send(&r)).unwrap()
    }

    fn tick(&mut self, minutes: i64) {
        self.now += Duration::minutes(minutes);
    }
}

fn scenario(t: &mut Twin) {
    t.send("not json");
    t.send("{}");
    t.send(r#"{"cmd":"nope","actor":{"id":"a","permissions":[]}}"#);
    t.run("list_locations", json!({}));
    t.run("create_location", json!({"name": "Van 1"}));
    t.run("create_location", json!({"name": "Van 2"}));
    t.run("create_category", json!({"name": "Cables"}));
    t.run("create_category", json!({"name": "Tools"}));
    t.run("update_category", json!({"id": 2, "name": "Hand tools"}));
    t.run("delete_category", json!({"id": 2}));
    t.run("create_category", json!({"name": "Again"}));
    t.run("list_categories", json!({}));
    t.run(
        "create_vat_rate",
        json!({"name": "Standard", "percent": "21"}),
    );
    t.run("update_settings", json!({"low_stock_cooldown_minutes": 30}));
    t.run("get_settings", json!({}));
    for i in 0..4 {
        t.run("create_supplier", json!({"name": format!("Supplier {i}")}));
    }
    t.run("update_supplier", json!({"id": 2, "active": false}));
    t.run("list_suppliers", json!({"page_size": 2, "page": 2}));
    for i in 0..12 {
        t.run(
            "create_product",
            json!({"sku": format!("SKU-{i:02}"), "name": format!("Product {i}"),
                   "purchase_price": "1.50", "low_stock_threshold": 3,
                   "decimal_places": i % 3}),
        );
    }
    t.run("create_product", json!({"sku": "SKU-00", "name": "dup"}));
    t.run(
        "create_product",
        json!({"sku": "FREE", "name": "Service", "track_inventory": false}),
    );
    for step in 0..60u64 {
        let p = 1 + step % 12;
        let loc = 1 + step % 3;
        let op = ["add", "subtract", "set"][(step % 3) as usize];
        let q = match op {
            "add" => format!("{}", 3 + step % 7),
            "subtract" => format!("{}", 1 + step % 4),
            _ => format!("{}", step % 5),
        };
        t.run(
            "update_stock",
            json!({"product_id": p, "location_id": loc, "operation": op, "quantity": q,
                   "reason": "count"}),
        );
        if step % 7 == 0 {
            t.tick(13);
        }
    }
    t.run(
        "update_stock",
        json!({"product_id": 1, "operation": "subtract", "quantity": 1000}),
    );
    t.run(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": "0.5"}),
    );
    t.run(
        "update_stock",
        json!({"product_id": 2, "operation": "add", "quantity": "0.5"}),
    );
    t.run(
        "update_stock",
        json!({"product_id": 13, "operation": "add", "quantity": 1}),
    );
    t.run(
        "update_stock",
        json!({"product_id": 99, "operation": "add", "quantity": 1}),
    );
    t.run(
        "update_stock",
        json!({"product_id": 3, "operation": "add", "quantity": 1, "expected_on_hand": "12345"}),
    );
    t.keyed(
        "k1",
        "update_stock",
        json!({"product_id": 4, "operation": "add", "quantity": 9}),
    );
    t.tick(1);
    t.keyed(
        "k1",
        "update_stock",
        json!({"product_id": 4, "operation": "add", "quantity": 9}),
    );
    t.keyed(
        "k1",
        "update_stock",
        json!({"product_id": 4, "operation": "add", "quantity": 8}),
    );
    // Backdating is refused identically.
    let saved = t.now;
    t.now -= Duration::hours(10);
    t.run(
        "update_stock",
        json!({"product_id": 5, "operation": "add", "quantity": 1}),
    );
    t.now = saved;
    for p in [1, 2, 3, 13, 99] {
        t.run("get_product", json!({"id": p}));
        t.run("get_stock", json!({"product_id": p}));
        t.run("get_stock", json!({"product_id": p, "location_id": 2}));
    }
    t.run("list_products", json!({"page_size": 5, "page": 2}));
    t.run("list_products", json!({"low_stock_only": true}));
    t.run("list_products", json!({"search": "sku-1"}));
    t.run("update_product", json!({"id": 12, "archived": true}));
    t.run("delete_product", json!({"id": 12}));
    t.run("delete_product", json!({"id": 13}));
    t.run("list_products", json!({"include_archived": true}));
    // Ledger queries: filters, cursors, limits.
    let start = "2026-01-05T09:00:00Z";
    for args in [
        json!({}),
        json!({"limit": 7}),
        json!({"limit": 7, "after_seq": 7}),
        json!({"product_id": 1}),
        json!({"product_id": 1, "location_id": 1}),
        json!({"product_id": 2, "location_id": 2, "limit": 2, "after_seq": 3}),
        json!({"location_id": 3, "type": "purchase"}),
        json!({"type": "adjustment", "limit": 3}),
        json!({"from": start, "to": "2026-01-05T10:00:00Z"}),
        json!({"from": "2026-01-05T10:18:00Z"}),
        json!({"to": "2026-01-05T09:13:00Z", "product_id": 2}),
        json!({"after_seq": 18446744073709551615u64}),
        json!({"product_id": 18446744073709551615u64}),
        json!({"limit": 0}),
        json!({"direction": "desc"}),
        json!({"direction": "desc", "limit": 4, "before_seq": 12}),
        json!({"direction": "desc", "product_id": 1, "limit": 3}),
        json!({"direction": "desc", "product_id": 2, "location_id": 2, "before_seq": 20}),
        json!({"direction": "desc", "type": "purchase", "after_seq": 3, "before_seq": 15}),
        json!({"direction": "desc", "from": start, "to": "2026-01-05T10:00:00Z", "limit": 2}),
        json!({"direction": "desc", "before_seq": 18446744073709551615u64}),
        json!({"after_seq": 2, "before_seq": 6}),
    ] {
        t.run("list_movements", args);
    }
    for (p, at) in [
        (1, "2026-01-05T08:00:00Z"),
        (1, "2026-01-05T09:00:00Z"),
        (1, "2026-01-05T09:26:00Z"),
        (2, "2026-01-05T09:39:00.5Z"),
        (3, "2030-01-01T00:00:00Z"),
    ] {
        t.run("stock_as_of", json!({"product_id": p, "at": at}));
        t.run(
            "stock_as_of",
            json!({"product_id": p, "at": at, "location_id": 2}),
        );
    }
    // Purchase orders, as far as core has them.
    let po = t.run(
        "create_purchase_order",
        json!({"supplier_id": 1, "vendor_reference": "V-1", "lines": [
            {"product_id": 1, "quantity": 10, "unit_cost": "2.50"},
            {"product_id": 2, "quantity": 5, "unit_cost": "1.25", "location_id": 2},
            {"description": "Freight", "quantity": 1, "unit_cost": "15"}]}),
    );
    if po.get("ok").is_some() {
        t.run("create_purchase_order", json!({"supplier_id": 2}));
        t.run(
            "create_purchase_order",
            json!({"supplier_id": 3, "number": "OWN-1"}),
        );
        t.run("update_purchase_order", json!({"id": 2, "notes": "n"}));
        t.run("delete_purchase_order", json!({"id": 2}));
        t.run("order_purchase_order", json!({"id": 1}));
        t.run("get_stock", json!({"product_id": 1}));
        t.tick(5);
        t.keyed(
            "r1",
            "receive_purchase_order",
            json!({"id": 1, "lines": [{"line_no": 1, "quantity": 4}]}),
        );
        t.keyed(
            "r1",
            "receive_purchase_order",
            json!({"id": 1, "lines": [{"line_no": 1, "quantity": 4}]}),
        );
        t.run(
            "receive_purchase_order",
            json!({"id": 1, "lines": [{"line_no": 1, "quantity": 40}]}),
        );
        t.run("receive_purchase_order", json!({"id": 1, "lines": [{"line_no": 2, "quantity": 5}], "packing_slip_number": "PS-9"}));
        t.run(
            "return_to_supplier",
            json!({"id": 1, "lines": [{"line_no": 2, "quantity": 1}], "reason": "broken"}),
        );
        t.run(
            "close_purchase_order",
            json!({"id": 1, "create_backorder": true}),
        );
        t.run("mark_purchase_order_exported", json!({"id": 1}));
        t.run("cancel_purchase_order", json!({"id": 3}));
        t.run("get_purchase_order", json!({"id": 1}));
        t.run("get_supplier", json!({"id": 1}));
        for sort in ["number", "order_date", "total"] {
            t.run(
                "list_purchase_orders",
                json!({"sort": sort, "direction": "asc"}),
            );
        }
        t.run(
            "list_purchase_orders",
            json!({"status": "ordered", "supplier_id": 1}),
        );
        t.run("delete_supplier", json!({"id": 1}));
        t.run("delete_supplier", json!({"id": 4}));
        // What the engine computes may pass the request limits (a total with
        // 7 decimals, a stock of 13 digits): every store reads it back.
        t.run(
            "create_purchase_order",
            json!({"supplier_id": 3, "lines": [{"description": "cable", "quantity": "1.5", "unit_cost": "0.333333"}]}),
        );
        t.run(
            "list_purchase_orders",
            json!({"sort": "total", "direction": "asc"}),
        );
        t.run("get_supplier", json!({"id": 3}));
    }
    t.tick(1);
    for _ in 0..2 {
        t.run(
            "update_stock",
            json!({"product_id": 3, "location_id": 1, "operation": "add", "quantity": "999999999999"}),
        );
    }
    t.run("get_stock", json!({"product_id": 3}));
    t.run("list_products", json!({}));
    t.run(
        "update_stock",
        json!({"product_id": 3, "location_id": 1, "operation": "set", "quantity": "1"}),
    );
    t.run(
        "list_movements",
        json!({"product_id": 3, "direction": "desc", "limit": 3}),
    );
    t.run("list_movements", json!({"limit": 1000}));
    t.run("list_suppliers", json!({}));
}

#[test]
fn answers_like_the_memory_store_byte_for_byte() {
    let mut t = Twin::new(SqliteStore::open_in_memory().unwrap());
    scenario(&mut t);
    assert!(t.n > 150);
}

#[test]
fn answers_like_the_memory_store_on_a_file_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut t = Twin::new(SqliteStore::open(&path, Options::default()).unwrap());
    scenario(&mut t);
    // Reopen: everything answers the same from disk.
    t.sql = SqliteStore::open(&path, Options::default()).unwrap();
    t.run("list_movements", json!({"limit": 1000}));
    t.run("list_products", json!({"include_archived": true}));
    t.run("get_stock", json!({"product_id": 1}));
    t.keyed(
        "k1",
        "update_stock",
        json!({"product_id": 4, "operation": "add", "quantity": 9}),
    );
}

#[test]
fn batch_answers_like_single_commands() {
    let mut t = Twin::new(SqliteStore::open_in_memory().unwrap());
    let mut reqs = vec![t.req("create_product", json!({"sku": "A", "name": "A"}))];
    for i in 0..200 {
        reqs.push(t.req(
            "update_stock",
            json!({"product_id": 1, "operation": if i % 4 == 3 {"subtract"} else {"add"}, "quantity": 1 + i % 3}),
        ));
        if i % 50 == 0 {
            reqs.push("garbage".into());
            reqs.push(t.req("get_stock", json!({"product_id": 1})));
        }
    }
    let mem: Vec<String> = reqs.iter().map(|r| execute_json(&mut t.mem, r)).collect();
    let sql = t.sql.execute_batch(&reqs).unwrap();
    assert_eq!(mem, sql);
    t.run("list_movements", json!({"limit": 1000}));
}

#[test]
fn a_refused_command_in_a_batch_is_skipped_and_the_rest_applied() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    let t = Twin::new(SqliteStore::open_in_memory().unwrap());
    let reqs = vec![
        t.req("create_product", json!({"sku": "A", "name": "A"})),
        t.req(
            "update_stock",
            json!({"product_id": 1, "operation": "add", "quantity": 5}),
        ),
        t.req(
            "update_stock",
            json!({"product_id": 7, "operation": "add", "quantity": 5}),
        ),
        "{".to_string(),
        t.req(
            "update_stock",
            json!({"product_id": 1, "operation": "add", "quantity": 2}),
        ),
    ];
    let answers = s.execute_batch(&reqs).unwrap();
    assert!(answers[2].contains("not_found"), "{}", answers[2]);
    assert!(answers[3].contains("invalid_request"), "{}", answers[3]);
    let stock = s.execute_json(&t.req("get_stock", json!({"product_id": 1})));
    assert!(stock.contains(r#""on_hand":"7""#), "{stock}");
}

#[test]
fn a_stale_changeset_from_another_handle_is_a_conflict_and_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut a = SqliteStore::open(&path, Options::default()).unwrap();
    let mut b = SqliteStore::open(&path, Options::default()).unwrap();
    let t = Twin::new(SqliteStore::open_in_memory().unwrap());
    a.execute_json(&t.req("create_product", json!({"sku": "A", "name": "A"})));
    // `a` builds a changeset from what it reads now...
    let req = stockbook_core::protocol::parse_request(&t.req(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 5}),
    ))
    .unwrap();
    let cs = {
        let mut tx = stockbook_core::tx::Tx::new(&a, t.now);
        let stockbook_core::protocol::Command::UpdateStock(args) = req.command else {
            unreachable!()
        };
        stockbook_core::ledger::update_stock(&mut tx, &req.actor, args).unwrap();
        tx.into_changeset()
    };
    // ...`b` changes the same stock...
    let ok = b.execute_json(&t.req(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 1}),
    ));
    assert!(ok.starts_with(r#"{"ok""#), "{ok}");
    // ...and `a`'s commit is refused, with nothing applied.
    let e = a.commit(cs).unwrap_err();
    assert_eq!(e.code(), "conflict");
    let stock = a.execute_json(&t.req("get_stock", json!({"product_id": 1})));
    assert!(stock.contains(r#""on_hand":"1""#), "{stock}");
    let moves = a
        .movements(&MovementQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(moves.len(), 1);
}

/// Inside one of our write transactions a changeset carries the store's
/// generation instead of its reads: it is refused when another commit came
/// first in that transaction, or when it is committed after the
/// transaction ended; outside a transaction it carries its reads.
#[test]
fn a_changeset_from_an_older_generation_is_a_conflict_and_applies_nothing() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    let t = Twin::new(SqliteStore::open_in_memory().unwrap());
    s.execute_json(&t.req("create_product", json!({"sku": "A", "name": "A"})));
    let add = |tx: &mut stockbook_core::tx::Tx<'_>, q: u32| {
        let args = json!({"product_id": 1, "operation": "add", "quantity": q});
        let args = serde_json::from_value(args).unwrap();
        stockbook_core::ledger::update_stock(tx, &stockbook_core::auth::Actor::admin("ann"), args)
            .unwrap();
    };
    let outside = {
        let mut tx = stockbook_core::tx::Tx::new(&s, t.now);
        add(&mut tx, 100);
        tx.into_changeset()
    };
    assert!(outside.base.is_none() && !outside.reads.is_empty());
    let (first, late) = s
        .transaction(|s| {
            let stale = {
                let mut tx = stockbook_core::tx::Tx::new(&*s, t.now);
                add(&mut tx, 1);
                tx.into_changeset()
            };
            assert!(stale.base.is_some() && stale.reads.is_empty());
            let fresh = {
                let mut tx = stockbook_core::tx::Tx::new(&*s, t.now);
                add(&mut tx, 2);
                tx.into_changeset()
            };
            s.commit(fresh).unwrap();
            let first = s.commit(stale).map_err(|e| e.code());
            let late = {
                let mut tx = stockbook_core::tx::Tx::new(&*s, t.now);
                add(&mut tx, 4);
                tx.into_changeset()
            };
            (first, late)
        })
        .unwrap();
    assert_eq!(first, Err("conflict"));
    // Built in a transaction that has ended: refused too.
    assert_eq!(s.commit(late).map_err(|e| e.code()), Err("conflict"));
    let stock = s.execute_json(&t.req("get_stock", json!({"product_id": 1})));
    assert!(stock.contains(r#""on_hand":"2""#), "{stock}");
    // Reads from outside any transaction are checked key by key: its stock
    // moved since, so it is refused as well.
    assert_eq!(s.commit(outside).map_err(|e| e.code()), Err("conflict"));
}

#[test]
fn the_cache_notices_another_connection_committing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut a = SqliteStore::open(&path, Options::default()).unwrap();
    let mut b = SqliteStore::open(&path, Options::default()).unwrap();
    let t = Twin::new(SqliteStore::open_in_memory().unwrap());
    a.execute_json(&t.req("create_product", json!({"sku": "A", "name": "A"})));
    for i in 0..6 {
        let s = if i % 2 == 0 { &mut a } else { &mut b };
        let r = s.execute_json(&t.req(
            "update_stock",
            json!({"product_id": 1, "operation": "add", "quantity": 1, "expected_on_hand": i.to_string()}),
        ));
        assert!(r.starts_with(r#"{"ok""#), "{r}");
    }
}

#[test]
fn low_stock_alerts_land_in_the_outbox_with_the_change() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    let t = Twin::new(SqliteStore::open_in_memory().unwrap());
    s.execute_json(&t.req(
        "create_product",
        json!({"sku": "A", "name": "A", "low_stock_threshold": 5}),
    ));
    let r = s.execute_json(&t.req(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 2}),
    ));
    assert!(r.contains("low_stock"), "{r}");
    let alerts = s.list_alerts(false).unwrap();
    assert_eq!(alerts.len(), 1);
    assert!(s.ack_alert(alerts[0].id, t.now).unwrap());
    assert!(!s.ack_alert(alerts[0].id, t.now).unwrap());
    assert!(s.list_alerts(false).unwrap().is_empty());
    assert_eq!(s.list_alerts(true).unwrap().len(), 1);
}

#[test]
fn alerts_page_by_cursor_and_acknowledging_skips_none() {
    let mut s = SqliteStore::open_in_memory().unwrap();
    let t = Twin::new(SqliteStore::open_in_memory().unwrap());
    for i in 1..=5 {
        s.execute_json(&t.req(
            "create_product",
            json!({"sku": format!("P{i}"), "name": "p"}),
        ));
        let r = s.execute_json(&t.req(
            "update_stock",
            json!({"product_id": i, "operation": "add", "quantity": 1}),
        ));
        assert!(r.contains("low_stock"), "{r}");
    }
    let ids = |v: Vec<super::outbox::Alert>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
    let first = ids(s.list_alerts_after(false, 0, Some(2)).unwrap());
    assert_eq!(first, vec![1, 2]);
    // Acknowledging the first page does not move the next one.
    for id in &first {
        assert!(s.ack_alert(*id, t.now).unwrap());
    }
    assert_eq!(
        ids(s.list_alerts_after(false, 2, Some(2)).unwrap()),
        vec![3, 4]
    );
    assert_eq!(
        ids(s.list_alerts_after(false, 4, Some(2)).unwrap()),
        vec![5]
    );
    assert_eq!(
        ids(s.list_alerts_after(false, 0, None).unwrap()),
        vec![3, 4, 5]
    );
    assert_eq!(
        ids(s.list_alerts_after(true, 0, None).unwrap()),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(ids(s.list_alerts(true).unwrap()), vec![1, 2, 3, 4, 5]);
}

#[test]
fn refuses_foreign_files_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"hello, this is not a database at all").unwrap();
    let e = SqliteStore::open(&junk, Options::default()).err().unwrap();
    assert!(matches!(e, DbError::NotADatabase { .. }), "{e}");
    let other = dir.path().join("other.db");
    {
        let c = Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let e = SqliteStore::open(&other, Options::default()).err().unwrap();
    assert!(matches!(e, DbError::NotADatabase { .. }), "{e}");
    assert_eq!(before, std::fs::read(&other).unwrap());
    let newer = dir.path().join("newer.db");
    drop(SqliteStore::open(&newer, Options::default()).unwrap());
    {
        let c = Connection::open(&newer).unwrap();
        c.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    let before = std::fs::read(&newer).unwrap();
    let e = SqliteStore::open(&newer, Options::default()).err().unwrap();
    assert!(matches!(e, DbError::NewerSchema { found: 99, .. }), "{e}");
    assert_eq!(before, std::fs::read(&newer).unwrap());
}

/// A seeded random history over 3 products x 3 locations (times that repeat
/// and jump), then ledger pages and stock-as-of at every interesting time:
/// the SQLite answers must equal the in-memory store's. Prints its seed.
#[test]
fn random_histories_answer_like_the_memory_store() {
    for seed in [1u64, 7, 2026] {
        eprintln!("seed {seed}");
        let mut rng = seed;
        let mut next = move |n: u64| {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (rng >> 33) % n
        };
        let mut t = Twin::new(SqliteStore::open_in_memory().unwrap());
        t.run("create_location", json!({"name": "B"}));
        t.run("create_location", json!({"name": "C"}));
        for p in 0..3 {
            t.run(
                "create_product",
                json!({"sku": format!("P{p}"), "name": "p"}),
            );
        }
        let mut times = vec![t.now];
        for _ in 0..150 {
            if next(3) == 0 {
                t.tick(next(90) as i64);
                times.push(t.now);
            }
            let op = ["add", "add", "subtract", "set"][next(4) as usize];
            t.run(
                "update_stock",
                json!({"product_id": 1 + next(3), "location_id": 1 + next(3),
                       "operation": op, "quantity": next(9)}),
            );
        }
        for p in 1..=3 {
            for (i, at) in times.iter().enumerate() {
                let at = *at + Duration::seconds(i as i64 % 2);
                t.run(
                    "stock_as_of",
                    json!({"product_id": p, "at": at.to_rfc3339()}),
                );
                t.run(
                    "stock_as_of",
                    json!({"product_id": p, "at": at.to_rfc3339(), "location_id": 1 + next(3)}),
                );
            }
            let mut after = 0;
            loop {
                let page = t.run(
                    "list_movements",
                    json!({"product_id": p, "location_id": 1 + next(3), "limit": 5, "after_seq": after}),
                );
                match page["ok"]["next_after_seq"].as_u64() {
                    Some(n) => after = n,
                    None => break,
                }
            }
            let mut args = json!({"product_id": p, "limit": 4, "direction": "desc"});
            while let Some(n) =
                t.run("list_movements", args.clone())["ok"]["next_before_seq"].as_u64()
            {
                args["before_seq"] = n.into();
            }
        }
    }
}

/// A database written before PO briefs existed (schema version 1: POs, no
/// briefs) is migrated on open: its POs are listed, the supplier view shows
/// them and a supplier with POs is still refused deletion, exactly as the
/// in-memory store that saw the same history answers.
#[test]
fn a_version_1_database_gets_its_po_briefs_on_open() {
    use stockbook_core::purchasing::brief::STATUSES;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let mut t = Twin::new(SqliteStore::open(&path, Options::default()).unwrap());
    t.run("create_supplier", json!({"name": "Acme"}));
    t.run("create_supplier", json!({"name": "Bolt"}));
    let p = t.run("create_product", json!({"sku": "P", "name": "p"}))["ok"]["id"].clone();
    for (i, q) in [5, 3, 8].into_iter().enumerate() {
        t.tick(60);
        t.run(
            "create_purchase_order",
            json!({"supplier_id": 1 + i % 2, "lines": [{"product_id": p, "quantity": q, "unit_cost": "1.25"}]}),
        );
    }
    t.run("order_purchase_order", json!({"id": 2}));
    t.run("order_purchase_order", json!({"id": 3}));
    t.run(
        "receive_purchase_order",
        json!({"id": 3, "lines": [{"line_no": 1, "quantity": 8}]}),
    );
    let Twin { mem, sql, now, n } = t;
    drop(sql);
    // Make it what a version-1 build left: the same records, no briefs.
    {
        let c = Connection::open(&path).unwrap();
        let mut gone = 0;
        for s in STATUSES {
            let (lo, hi) = keys::kind_bounds(stockbook_core::store::Kind::PoBrief(s));
            gone += c
                .execute(
                    "DELETE FROM records WHERE key BETWEEN ?1 AND ?2",
                    params![lo, hi],
                )
                .unwrap();
        }
        assert_eq!(gone, 3);
        c.execute_batch("PRAGMA user_version = 1").unwrap();
    }
    let sql = SqliteStore::open(&path, Options::default()).unwrap();
    let version: i64 = sql
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mut t = Twin { mem, sql, now, n };
    let all = t.run("list_purchase_orders", json!({}));
    assert_eq!(all["ok"]["total_count"], 3, "{all}");
    for status in ["draft", "ordered", "received"] {
        let one = t.run("list_purchase_orders", json!({"status": status}));
        assert_eq!(one["ok"]["total_count"], 1, "{status}: {one}");
    }
    let acme = t.run("get_supplier", json!({"id": 1}));
    assert_eq!(
        acme["ok"]["recent_purchase_orders"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{acme}"
    );
    let refused = t.run("delete_supplier", json!({"id": 2}));
    assert_eq!(refused["error"]["code"], "in_use", "{refused}");
    // And the engine keeps the briefs from here on: a status change moves it.
    t.run("order_purchase_order", json!({"id": 1}));
    let ordered = t.run("list_purchase_orders", json!({"status": "ordered"}));
    assert_eq!(ordered["ok"]["total_count"], 2, "{ordered}");
}

#[path = "batch_tests.rs"]
mod batch_tests;
