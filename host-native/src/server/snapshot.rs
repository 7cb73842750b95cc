//! The records of the database as a snapshot the wasm package imports
//! (`Stockbook.fromSnapshot`): the page's mirror of the server, on which the
//! wasm module validates receipts inline with exactly the server's rules.
//!
//! The mirror holds every record but no ledger and no idempotency records:
//! validation needs entities and settings, not history, and other callers'
//! remembered answers are none of the page's business. It is read in one
//! read transaction, so it is one consistent state. The page never persists
//! it as its own state (its offline store is separate).

use crate::sqlite::{keys, DbError, SqliteStore};
use rusqlite::Connection;
use stockbook_core::store::memory::Snapshot;
use stockbook_core::store::{Key, Value, Version};

/// Reads every record (but idempotency records and PO briefs) as a snapshot
/// without ledger.
pub fn records(store: &SqliteStore) -> Result<Snapshot, DbError> {
    let conn = store.connection();
    conn.execute_batch("BEGIN")?;
    let r = read(conn);
    let _ = conn.execute_batch("COMMIT");
    r
}

fn read(conn: &Connection) -> Result<Snapshot, DbError> {
    let mut st = conn.prepare_cached("SELECT key, version, value FROM records ORDER BY key")?;
    let mut rows = st.query([])?;
    let mut records: Vec<(Key, Version, Value)> = Vec::new();
    while let Some(row) = rows.next()? {
        let kb: Vec<u8> = row.get(0)?;
        let key =
            keys::decode(&kb).ok_or_else(|| DbError::Corrupt(format!("record key {kb:?}")))?;
        // Briefs are derived: the mirror derives its own on import.
        if matches!(key, Key::Idempotency(_) | Key::PoBrief(..)) {
            continue;
        }
        let version: i64 = row.get(1)?;
        let vb: Vec<u8> = row.get(2)?;
        let value: Value =
            serde_json::from_slice(&vb).map_err(|e| DbError::Corrupt(format!("record: {e}")))?;
        records.push((key, version as Version, value));
    }
    Ok(Snapshot {
        format: 1,
        records,
        movements: Vec::new(),
        // Said, so the importer takes the levels without a ledger to explain
        // them (a whole snapshot's ledger must).
        with_ledger: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockbook_core::store::memory::MemoryStore;
    use stockbook_wasm::offline::{receipt_request, validate_receipt};

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
