//! The records of the database as a snapshot the wasm package imports
//! (`Stockbook.fromSnapshot`): the page's mirror of the server, on which the
//! wasm module validates receipts inline with exactly the server's rules.
//!
//! Two shapes, both without ledger and without idempotency records
//! (validation needs entities and settings, not history, and other callers'
//! remembered answers are none of the page's business), each read in one
//! read transaction, so each is one consistent state:
//! - [`records`]: every record (`GET /api/snapshot`). Its size grows with the
//!   whole database (20,000 products: 14.5 MB, see docs/benchmarks.md).
//! - [`for_purchase_order`]: what validating a receipt of one PO reads
//!   (`GET /api/snapshot?purchase_order=ID`), whatever the database's size:
//!   what the page loads when a receipt screen opens.
//!
//! The page never persists either as its own state (its offline store is
//! separate).

use crate::sqlite::{keys, DbError, SqliteStore};
use rusqlite::Connection;
use std::collections::BTreeMap;
use stockbook_core::store::memory::Snapshot;
use stockbook_core::store::{Key, Kind, Value, Version};
use stockbook_core::Id;

/// Reads every record (but idempotency records and PO briefs) as a snapshot
/// without ledger.
pub fn records(store: &SqliteStore) -> Result<Snapshot, DbError> {
    in_one_read(store, read)
}

/// Reads what `receive_purchase_order` on PO `id` reads, as a snapshot
/// without ledger: the settings, every counter (the ledger counter numbers
/// the receipt's movements; the id counters keep the import's check that no
/// id is above its counter), every location (a receipt may send a line
/// anywhere), the PO and its number's index entry, and for each product on
/// its lines the product, its SKU's index entry, its stock at every location
/// (the low-stock alert adds them up) and its last low-stock alert (the
/// cooldown). A PO that does not exist is left out: validating a receipt of
/// it answers `not_found`, as the server does.
///
/// It is a state the engine could have written (what a command reads is
/// closed under the import's checks: each product and PO with its index
/// entry, the Main location, the counters), so it imports as a mirror
/// without any other contract. Test
/// `a_purchase_orders_snapshot_holds_every_record_its_receipts_read`
/// records every key the engine reads while validating receipts on the
/// whole mirror and finds each in this one.
pub fn for_purchase_order(store: &SqliteStore, id: Id) -> Result<Snapshot, DbError> {
    in_one_read(store, |conn| read_for_purchase_order(conn, id))
}

fn in_one_read(
    store: &SqliteStore,
    f: impl FnOnce(&Connection) -> Result<Snapshot, DbError>,
) -> Result<Snapshot, DbError> {
    let conn = store.connection();
    conn.execute_batch("BEGIN")?;
    let r = f(conn);
    let _ = conn.execute_batch("COMMIT");
    r
}

fn read(conn: &Connection) -> Result<Snapshot, DbError> {
    let mut st = conn.prepare_cached("SELECT key, version, value FROM records ORDER BY key")?;
    let mut rows = st.query([])?;
    let mut records: Vec<(Key, Version, Value)> = Vec::new();
    while let Some(row) = rows.next()? {
        let (key, version, value) = record(row)?;
        // Briefs are derived: the mirror derives its own on import.
        if matches!(key, Key::Idempotency(_) | Key::PoBrief(..)) {
            continue;
        }
        records.push((key, version, value));
    }
    Ok(mirror(records))
}

/// The records, keyed by their stored key (so in key order, each once).
type Records = BTreeMap<Vec<u8>, (Key, Version, Value)>;

fn read_for_purchase_order(conn: &Connection, id: Id) -> Result<Snapshot, DbError> {
    let mut out = Records::new();
    // Settings (tag 0), the counters (tag 1) and the locations (tag 2) are
    // neighbours in key order: one range, then only those three kinds kept.
    let (_, last_location) = keys::kind_bounds(Kind::Location);
    range(
        conn,
        &keys::encode(&Key::Settings),
        &last_location,
        &mut out,
    )?;
    out.retain(|_, (k, _, _)| matches!(k, Key::Settings | Key::Counter(_) | Key::Location(_)));
    let po = match one(conn, &Key::PurchaseOrder(id), &mut out)? {
        Some(Value::PurchaseOrder(po)) => po,
        _ => return Ok(mirror(out.into_values().collect())),
    };
    one(conn, &Key::PoNumber(po.number.clone()), &mut out)?;
    let mut products: Vec<Id> = po.lines.iter().filter_map(|l| l.product_id).collect();
    products.sort_unstable();
    products.dedup();
    for p in products {
        if let Some(Value::Product(product)) = one(conn, &Key::Product(p), &mut out)? {
            one(conn, &Key::Sku(product.sku.clone()), &mut out)?;
        }
        let (lo, hi) = keys::stock_bounds(p);
        range(conn, &lo, &hi, &mut out)?;
        one(conn, &Key::LowStockAlert(p), &mut out)?;
    }
    Ok(mirror(out.into_values().collect()))
}

/// Adds the record `key` when there is one, and answers its value.
fn one(conn: &Connection, key: &Key, out: &mut Records) -> Result<Option<Value>, DbError> {
    let k = keys::encode(key);
    range(conn, &k, &k, out)?;
    Ok(out.get(&k).map(|(_, _, v)| v.clone()))
}

/// Adds every record whose stored key is in `lo..=hi`.
fn range(conn: &Connection, lo: &[u8], hi: &[u8], out: &mut Records) -> Result<(), DbError> {
    let mut st =
        conn.prepare_cached("SELECT key, version, value FROM records WHERE key BETWEEN ?1 AND ?2")?;
    let mut rows = st.query(rusqlite::params![lo, hi])?;
    while let Some(row) = rows.next()? {
        let kb: Vec<u8> = row.get(0)?;
        let r = record(row)?;
        out.insert(kb, r);
    }
    Ok(())
}

fn record(row: &rusqlite::Row<'_>) -> Result<(Key, Version, Value), DbError> {
    let kb: Vec<u8> = row.get(0)?;
    let key = keys::decode(&kb).ok_or_else(|| DbError::Corrupt(format!("record key {kb:?}")))?;
    let version: i64 = row.get(1)?;
    let vb: Vec<u8> = row.get(2)?;
    let value: Value =
        serde_json::from_slice(&vb).map_err(|e| DbError::Corrupt(format!("record: {e}")))?;
    Ok((key, version as Version, value))
}

fn mirror(records: Vec<(Key, Version, Value)>) -> Snapshot {
    Snapshot {
        format: 1,
        records,
        movements: Vec::new(),
        // Said, so the importer takes the levels without a ledger to explain
        // them (a whole snapshot's ledger must).
        with_ledger: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeSet;
    use std::ops::ControlFlow;
    use stockbook_core::ledger::{Movement, MovementQuery};
    use stockbook_core::store::memory::MemoryStore;
    use stockbook_core::store::{Changeset, Scan, Store};
    use stockbook_wasm::offline::{receipt_request, validate_receipt};

    /// A store that notes every key read through it (a dry run's commit goes nowhere).
    struct Recording<'a>(&'a MemoryStore, RefCell<BTreeSet<String>>);

    impl Store for Recording<'_> {
        fn get(&self, key: &Key) -> stockbook_core::Result<Option<(Version, Value)>> {
            self.1.borrow_mut().insert(format!("{key:?}"));
            self.0.get(key)
        }

        fn scan(
            &self,
            scan: Scan,
            visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
        ) -> stockbook_core::Result<()> {
            self.0.scan(scan, &mut |k, v| {
                self.1.borrow_mut().insert(format!("{k:?}"));
                visit(k, v)
            })
        }

        fn movements(&self, q: &MovementQuery) -> stockbook_core::Result<Vec<Movement>> {
            self.0.movements(q)
        }

        fn movement_at(
            &self,
            product_id: Id,
            location_id: Id,
            at: chrono::DateTime<chrono::Utc>,
        ) -> stockbook_core::Result<Option<Movement>> {
            self.0.movement_at(product_id, location_id, at)
        }

        fn commit(&mut self, _: Changeset) -> stockbook_core::Result<()> {
            Ok(())
        }
    }

    fn run(db: &mut SqliteStore, cmd: &str, args: serde_json::Value) -> serde_json::Value {
        let r = serde_json::json!({"cmd": cmd, "actor": {"id": "t", "permissions": ["admin"]},
            "now": "2026-01-05T09:00:00Z", "args": args});
        let a: serde_json::Value = serde_json::from_str(&db.execute_json(&r.to_string())).unwrap();
        assert!(a.get("ok").is_some(), "{cmd}: {a}");
        a["ok"].clone()
    }

    /// Validating receipts of one PO reads only records its scoped snapshot
    /// holds (every key the engine reads on the whole mirror that exists
    /// there is in it), so it answers what the database answers, byte for
    /// byte, in a database with much more in it: other products and POs, a
    /// second location, held stock, settings (a tolerance, a cooldown), a
    /// low-stock threshold and an earlier alert, a product without stock
    /// tracking.
    #[test]
    fn a_purchase_orders_snapshot_holds_every_record_its_receipts_read() {
        let mut db = SqliteStore::open_in_memory().unwrap();
        run(
            &mut db,
            "create_supplier",
            serde_json::json!({"name": "Acme"}),
        );
        run(
            &mut db,
            "create_location",
            serde_json::json!({"name": "Van"}),
        );
        run(
            &mut db,
            "update_settings",
            serde_json::json!({"low_stock_cooldown_minutes": 30, "over_receipt_tolerance_percent": "10"}),
        );
        for (sku, extra) in [
            ("A", serde_json::json!({"low_stock_threshold": 8})),
            ("B", serde_json::json!({"decimal_places": 2})),
            ("C", serde_json::json!({"track_inventory": false})),
            ("D", serde_json::json!({})),
        ] {
            let mut args = serde_json::json!({"sku": sku, "name": format!("Item {sku}")});
            args.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            run(&mut db, "create_product", args);
        }
        for (p, loc, q) in [(1, 1, 3), (1, 2, 2), (2, 1, 1), (4, 1, 50)] {
            run(
                &mut db,
                "update_stock",
                serde_json::json!({"product_id": p, "location_id": loc, "operation": "add", "quantity": q}),
            );
        }
        run(
            &mut db,
            "create_sales_document",
            serde_json::json!({"client": "C", "lines": [{"product_id": 1, "quantity": 1}]}),
        );
        let line = |p: u64, q: &str| serde_json::json!({"product_id": p, "quantity": q, "unit_cost": "1.5"});
        // PO 1: another PO of product 4 only; PO 2: the one received.
        for lines in [
            serde_json::json!([line(4, "5")]),
            serde_json::json!([line(1, "10"), line(2, "2.5"), line(3, "4"), line(1, "1")]),
        ] {
            let po = run(
                &mut db,
                "create_purchase_order",
                serde_json::json!({"supplier_id": 1, "lines": lines}),
            );
            let id = po["purchase_order"]["id"].clone();
            run(
                &mut db,
                "order_purchase_order",
                serde_json::json!({"id": id}),
            );
        }
        let whole = MemoryStore::from_snapshot(records(&db).unwrap()).unwrap();
        let snap = for_purchase_order(&db, 2).unwrap();
        let kept: BTreeSet<String> = snap
            .records
            .iter()
            .map(|(k, _, _)| format!("{k:?}"))
            .collect();
        assert!(!kept.iter().any(|k| k.contains("Product(4)")), "{kept:?}");
        let scoped = MemoryStore::from_snapshot(snap).unwrap();
        let now = "2026-01-05T10:00:00Z";
        let receipts = [
            serde_json::json!({"lines": [{"line_no": 1, "quantity": 12}]}),
            serde_json::json!({"lines": [{"line_no": 1, "quantity": 10}, {"line_no": 4, "quantity": 1}]}),
            serde_json::json!({"lines": [{"line_no": 2, "quantity": "0.125"}]}),
            serde_json::json!({"lines": [{"line_no": 2, "quantity": "2.5", "location_id": 2}, {"line_no": 3, "quantity": 4}]}),
            serde_json::json!({"lines": [{"line_no": 1, "quantity": 1, "location_id": 9}]}),
            serde_json::json!({"lines": [{"line_no": 5, "quantity": 1}]}),
            serde_json::json!({"lines": [{"line_no": 1, "quantity": 2}], "received_date": "2025-01-01"}),
            serde_json::json!({"lines": [{"line_no": 1, "quantity": 2}], "packing_slip_number": "PS-1"}),
        ];
        let mut codes = BTreeSet::new();
        for receipt in &receipts {
            let recording = Recording(&whole, RefCell::default());
            let on_whole = validate_receipt(&recording, &serde_json::json!(2), receipt, None, now);
            for k in recording.1.borrow().iter() {
                let exists = whole
                    .snapshot()
                    .records
                    .iter()
                    .any(|(w, _, _)| &format!("{w:?}") == k);
                assert!(
                    !exists || kept.contains(k),
                    "{receipt}: read {k}, not in the scoped snapshot"
                );
            }
            let on_scoped = validate_receipt(&scoped, &serde_json::json!(2), receipt, None, now);
            let on_db = validate_receipt(&db, &serde_json::json!(2), receipt, None, now);
            assert_eq!(on_scoped, on_db, "{receipt}");
            assert_eq!(on_whole, on_db, "{receipt}");
            let v: serde_json::Value = serde_json::from_str(&on_db).unwrap();
            codes.insert(v["error"]["code"].as_str().unwrap_or("ok").to_string());
            if v["events"].as_array().is_some_and(|e| !e.is_empty()) {
                codes.insert("event".into());
            }
        }
        // The receipts reach the answers they were written for.
        for c in ["ok", "over_receipt", "invalid_field", "not_found", "event"] {
            assert!(codes.contains(c), "{c}: {codes:?}");
        }
        // A PO that does not exist: no PO, and `not_found` like the server.
        let none = MemoryStore::from_snapshot(for_purchase_order(&db, 99).unwrap()).unwrap();
        let receipt = &receipts[0];
        assert_eq!(
            validate_receipt(&none, &serde_json::json!(99), receipt, None, now),
            validate_receipt(&db, &serde_json::json!(99), receipt, None, now)
        );
    }

    #[test]
    fn the_mirror_validates_a_receipt_like_the_database_answers_it() {
        let mut db = SqliteStore::open_in_memory().unwrap();
        let run = |db: &mut SqliteStore, cmd: &str, args: serde_json::Value, key: Option<&str>| {
            let mut r = serde_json::json!({"cmd": cmd, "actor": {"id": "t", "permissions": ["admin"]},
                "now": "2026-01-05T09:00:00Z", "args": args});
            if let Some(k) = key {
                r["idempotency_key"] = k.into();
            }
            db.execute_json(&r.to_string())
        };
        run(
            &mut db,
            "create_supplier",
            serde_json::json!({"name": "Acme"}),
            None,
        );
        run(
            &mut db,
            "create_product",
            serde_json::json!({"sku": "B", "name": "Bolt"}),
            None,
        );
        let a = run(
            &mut db,
            "update_stock",
            serde_json::json!({"product_id": 1, "operation": "add", "quantity": 3}),
            None,
        );
        assert!(a.starts_with(r#"{"ok""#), "{a}");
        run(
            &mut db,
            "create_purchase_order",
            serde_json::json!({"supplier_id": 1, "lines": [{"product_id": 1, "quantity": 10, "unit_cost": "1"}]}),
            Some("k1"),
        );
        run(
            &mut db,
            "order_purchase_order",
            serde_json::json!({"id": 1}),
            None,
        );
        let now = "2026-01-05T10:00:00Z";
        // Each receipt: validated on a fresh mirror, then applied to the
        // database; both answers must be the same bytes.
        for (qty, code) in [
            (11, Some("over_receipt")),
            (4, None),
            (7, Some("over_receipt")),
            (6, None),
        ] {
            let snap = records(&db).unwrap();
            assert!(snap
                .records
                .iter()
                .all(|(k, _, _)| !matches!(k, Key::Idempotency(_))));
            assert!(snap.movements.is_empty());
            let mirror = MemoryStore::from_snapshot(snap).unwrap();
            let receipt = serde_json::json!({"lines": [{"line_no": 1, "quantity": qty}]});
            let on_mirror = validate_receipt(&mirror, &serde_json::json!(1), &receipt, None, now);
            let request = receipt_request(&serde_json::json!(1), &receipt, None, now).unwrap();
            let on_db = db.execute_json(&request);
            assert_eq!(on_mirror, on_db, "quantity {qty}");
            let v: serde_json::Value = serde_json::from_str(&on_db).unwrap();
            assert_eq!(v["error"]["code"].as_str(), code, "{on_db}");
        }
    }
}
