//! What an imported snapshot must satisfy before it becomes a store.
//!
//! A snapshot is input: a page loads the one its server exported, but the
//! text may have been edited, cut or written by another program. The engine
//! trusts its store: new ids come from counters, a SKU or PO number is
//! unique because its index entry says so, and the ledger explains every
//! stock level. A snapshot that breaks one of those facts would not fail at
//! once; it would make a later command overwrite a record (a counter below
//! the ids in use), accept a second product with a taken SKU, or report stock
//! its ledger cannot explain. So the facts are checked here, once, and a
//! snapshot that breaks any of them is refused whole (`invalid_field`,
//! naming the first broken fact in key order, then sequence order, so every
//! runtime names the same one), like text that is not a snapshot at all.
//!
//! What is checked is what the engine keeps by construction; derived totals
//! that other rules maintain (`held`, `incoming`) are only checked to be
//! non-negative, so no rule of purchasing or sales is written a second time.
//! The checks run over the store the snapshot was read into, through its own
//! maps: no new tables (each would add its code to the wasm module).

use super::memory::MemoryStore;
use super::{Counter, Key, Kind, Value};
use crate::catalog::MAIN_LOCATION;
use crate::error::{Error, Result};
use crate::ledger::Movement;
use crate::Id;
use chrono::{DateTime, Utc};

/// The kinds whose ids come from a counter, in the order of [`slot`].
const COUNTED: [Kind; 7] = [
    Kind::Location,
    Kind::Category,
    Kind::VatRate,
    Kind::Supplier,
    Kind::Product,
    Kind::PurchaseOrder,
    Kind::SalesDocument,
];

/// Refuses `store` (just read from a snapshot) unless it is a state the
/// engine could have written. `with_ledger` false: a mirror without its
/// ledger, whose levels are only checked on their own.
pub(super) fn check(store: &MemoryStore, with_ledger: bool) -> Result<()> {
    let mut max_id = [0; COUNTED.len()];
    for (k, _, v) in store.records_in_order() {
        // An entity's record carries the id its key names.
        let entity = entity(k, v);
        if let Some((kind, named, id)) = entity {
            if named != id {
                return Err(records(format!("record {k:?} holds {kind:?} {id}")));
            }
            let m = &mut max_id[slot(kind)];
            *m = (*m).max(id);
        }
        match (k, v) {
            (Key::Product(_), Value::Product(x)) => {
                if !refers(store, &Key::Sku(x.sku.clone()), x.id) {
                    return Err(records(format!(
                        "product {}'s SKU `{}` has no index entry naming it",
                        x.id, x.sku
                    )));
                }
            }
            (Key::PurchaseOrder(_), Value::PurchaseOrder(x)) => {
                if !refers(store, &Key::PoNumber(x.number.clone()), x.id) {
                    return Err(records(format!(
                        "purchase order {}'s number `{}` has no index entry naming it",
                        x.id, x.number
                    )));
                }
            }
            (Key::Sku(sku), Value::Ref(id)) => match store.value(&Key::Product(*id)) {
                Some(Value::Product(p)) if &p.sku == sku => {}
                _ => {
                    return Err(records(format!(
                        "the SKU `{sku}` names product {id}, which does not have it"
                    )))
                }
            },
            (Key::Stock(p, l), Value::Stock(level)) => {
                if (level.product_id, level.location_id) != (*p, *l) {
                    return Err(records(format!(
                        "record {k:?} holds the stock of product {} at location {}",
                        level.product_id, level.location_id
                    )));
                }
                for (what, q) in [
                    ("on_hand", level.on_hand),
                    ("held", level.held),
                    ("incoming", level.incoming),
                ] {
                    if q.is_negative() {
                        return Err(records(format!("record {k:?} has {what} {q}")));
                    }
                }
            }
            _ if entity.is_some() => {}
            (Key::Settings, Value::Settings(_))
            | (Key::Counter(_), Value::Counter(_))
            | (Key::PoNumber(_), Value::Ref(_))
            | (Key::LowStockAlert(_), Value::Time(_))
            | (Key::Idempotency(_), Value::Idempotency(_)) => {}
            _ => {
                return Err(records(format!(
                    "record {k:?} holds a record of another kind"
                )))
            }
        }
    }
    if store.value(&Key::Location(MAIN_LOCATION)).is_none() {
        return Err(records("the Main location (1) is missing".into()));
    }
    for (kind, max) in COUNTED.iter().zip(max_id) {
        let counter = counter(store, Counter::Ids(*kind));
        if counter < max {
            return Err(records(format!(
                "the {kind:?} id counter is {counter}, below the id {max} in use (new records would overwrite old ones)"
            )));
        }
    }
    if with_ledger {
        ledger(store)?;
    }
    Ok(())
}

/// An entity record's kind, the id its key names and the id it carries.
fn entity(k: &Key, v: &Value) -> Option<(Kind, Id, Id)> {
    Some(match (k, v) {
        (Key::Location(i), Value::Location(x)) => (Kind::Location, *i, x.id),
        (Key::Category(i), Value::Category(x)) => (Kind::Category, *i, x.id),
        (Key::VatRate(i), Value::VatRate(x)) => (Kind::VatRate, *i, x.id),
        (Key::Supplier(i), Value::Supplier(x)) => (Kind::Supplier, *i, x.id),
        (Key::Product(i), Value::Product(x)) => (Kind::Product, *i, x.id),
        (Key::PurchaseOrder(i), Value::PurchaseOrder(x)) => (Kind::PurchaseOrder, *i, x.id),
        (Key::SalesDocument(i), Value::SalesDocument(x)) => (Kind::SalesDocument, *i, x.id),
        _ => return None,
    })
}

/// Whether the index entry `k` names `id` (compared by hand: deriving
/// `Value`'s equality into the module would cost it ~5 KB).
fn refers(store: &MemoryStore, k: &Key, id: Id) -> bool {
    matches!(store.value(k), Some(Value::Ref(r)) if *r == id)
}

fn slot(kind: Kind) -> usize {
    COUNTED.iter().position(|k| *k == kind).unwrap_or(0)
}

fn counter(store: &MemoryStore, c: Counter) -> u64 {
    match store.value(&Key::Counter(c)) {
        Some(Value::Counter(n)) => *n,
        _ => 0,
    }
}

/// The ledger explains the stock: per (product, location) each balance is
/// the one before plus the quantity, never below zero, in time order, and
/// the last is the level's on-hand. The ledger counter is its length.
fn ledger(store: &MemoryStore) -> Result<()> {
    let n = store.ledger_len() as u64;
    let counted = counter(store, Counter::Ledger);
    if counted != n {
        return Err(movements(format!(
            "the ledger counter is {counted} for {n} movements"
        )));
    }
    for m in store.all_movements() {
        if store.value(&Key::Product(m.product_id)).is_none()
            || store.value(&Key::Location(m.location_id)).is_none()
        {
            return Err(movements(format!(
                "movement {} names product {} at location {}, which do not exist",
                m.seq, m.product_id, m.location_id
            )));
        }
        if store
            .value(&Key::Stock(m.product_id, m.location_id))
            .is_none()
        {
            return Err(movements(format!(
                "the ledger moves product {} at location {}, which has no stock record",
                m.product_id, m.location_id
            )));
        }
        let before: Option<&Movement> = store.movement_before(m);
        let (q, then) = before.map_or((Default::default(), None), |b| {
            (b.balance_after, Some(b.at))
        });
        if then.is_some_and(|t| m.at < t) {
            return Err(movements(format!(
                "movement {} is dated before the one before it",
                m.seq
            )));
        }
        if m.balance_after.is_negative() || q + m.quantity != m.balance_after {
            return Err(movements(format!(
                "movement {}: {q} + {} is not its balance {}",
                m.seq, m.quantity, m.balance_after
            )));
        }
    }
    for (k, _, v) in store.records_in_order() {
        let (Key::Stock(p, l), Value::Stock(level)) = (k, v) else {
            continue;
        };
        let last = store.last_movement(*p, *l);
        let on_hand = last.map_or(Default::default(), |m| m.balance_after);
        let at = last.map(|m| m.at);
        if level.on_hand != on_hand || level.last_movement_at != at {
            return Err(movements(format!(
                "the stock of product {p} at location {l} is {} (last moved {}), the ledger says {on_hand} ({})",
                level.on_hand,
                when(level.last_movement_at),
                when(at)
            )));
        }
    }
    Ok(())
}

fn when(t: Option<DateTime<Utc>>) -> String {
    match t.as_ref().and_then(crate::text::utc) {
        Some(b) => b.as_str().to_string(),
        None => "never".into(),
    }
}

fn records(why: String) -> Error {
    Error::field(
        "snapshot.records",
        format!("not a consistent Stockbook snapshot: {why}"),
    )
}

fn movements(why: String) -> Error {
    Error::field(
        "snapshot.movements",
        format!("not a consistent Stockbook snapshot: {why}"),
    )
}

#[cfg(test)]
mod tests {
    use crate::store::memory::MemoryStore;
    use crate::testkit::Kit;
    use serde_json::{json, Value};

    /// A store with two products, stock of one at two locations (a sale's
    /// hold and a clamped subtract among its movements) and a PO, as
    /// snapshot JSON.
    fn state() -> Value {
        let mut k = Kit::new();
        let a = k.product("A");
        k.product("B");
        k.supplier("Acme");
        k.ok("create_location", json!({"name": "Van"}));
        for (loc, op, q) in [
            (1, "add", 5),
            (2, "add", 3),
            (2, "subtract", 9),
            (1, "add", 2),
        ] {
            k.ok(
                "update_stock",
                json!({"product_id": a, "location_id": loc, "operation": op, "quantity": q}),
            );
        }
        k.ok(
            "create_sales_document",
            json!({"client": "C", "lines": [{"product_id": a, "quantity": 2}]}),
        );
        k.ok(
            "create_purchase_order",
            json!({"supplier_id": 1, "lines": [{"product_id": a, "quantity": 4}]}),
        );
        serde_json::to_value(k.store.snapshot()).unwrap()
    }

    /// The record whose key is `key` (as JSON).
    fn record(s: &mut Value, key: Value) -> &mut Value {
        s["records"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r[0] == key)
            .unwrap_or_else(|| panic!("no record {key}"))
    }

    fn import(s: &Value) -> crate::Result<MemoryStore> {
        MemoryStore::from_snapshot_json(&s.to_string())
    }

    #[test]
    fn a_snapshot_the_engine_wrote_imports() {
        let s = state();
        let back = import(&s).unwrap();
        assert_eq!(serde_json::to_value(back.snapshot()).unwrap(), s);
    }

    /// Each tampering breaks one fact the engine keeps; each is refused
    /// whole, naming what is wrong. Without the check, every one of them
    /// imported (the first made the next product overwrite product 2).
    #[test]
    fn a_snapshot_that_breaks_what_the_engine_keeps_is_refused() {
        type Edit = fn(&mut Value);
        let cases: Vec<(&str, &str, Edit)> = vec![
            ("records", "Product id counter is 1, below the id 2", |s| {
                record(s, json!({"counter": {"ids": "product"}}))[2] = json!({"counter": 1});
            }),
            ("records", "has on_hand -5", |s| {
                record(s, json!({"stock": [1, 2]}))[2]["stock"]["on_hand"] = json!("-5");
            }),
            ("records", "has held -1", |s| {
                record(s, json!({"stock": [1, 1]}))[2]["stock"]["held"] = json!("-1");
            }),
            ("movements", "is 6 (last moved", |s| {
                record(s, json!({"stock": [1, 1]}))[2]["stock"]["on_hand"] = json!("6");
            }),
            ("movements", "movement 2: 0 + 3 is not its balance 4", |s| {
                s["movements"][1]["balance_after"] = json!("4");
            }),
            (
                "movements",
                "movement 3: 3 + -3 is not its balance 1",
                |s| {
                    s["movements"][2]["balance_after"] = json!("1");
                },
            ),
            ("records", "the Main location (1) is missing", |s| {
                *s = json!({"format": 1, "records": [], "movements": []});
            }),
            ("records", "has no index entry naming it", |s| {
                // Product 2 renamed to A: two products, one SKU.
                record(s, json!({"product": 2}))[2]["product"]["sku"] = json!("A");
            }),
            (
                "records",
                "the SKU `X` names product 2, which does not have it",
                |s| {
                    let r = json!([{"sku": "X"}, 1, {"ref": 2}]);
                    s["records"].as_array_mut().unwrap().push(r);
                },
            ),
            ("records", "holds a record of another kind", |s| {
                record(s, json!({"product": 2}))[2] = json!({"counter": 7});
            }),
            ("records", "record Product(2) holds Product 1", |s| {
                record(s, json!({"product": 2}))[2]["product"]["id"] = json!(1);
            }),
            ("records", "appears twice", |s| {
                let r = record(s, json!({"product": 2})).clone();
                s["records"].as_array_mut().unwrap().push(r);
            }),
            ("records", "has version 0", |s| {
                record(s, json!({"product": 2}))[1] = json!(0);
            }),
            ("records", "purchase order 1's number", |s| {
                let rs = s["records"].as_array_mut().unwrap();
                rs.retain(|r| r[0].get("po_number").is_none());
            }),
            (
                "movements",
                "the ledger counter is 3 for 4 movements",
                |s| {
                    record(s, json!({"counter": "ledger"}))[2] = json!({"counter": 3});
                },
            ),
            ("movements", "which do not exist", |s| {
                s["movements"][0]["location_id"] = json!(9);
            }),
            (
                "movements",
                "movement 4 is dated before the one before it",
                |s| {
                    s["movements"][3]["at"] = json!("2026-01-05T08:00:00Z");
                },
            ),
            ("movements", "which has no stock record", |s| {
                let rs = s["records"].as_array_mut().unwrap();
                rs.retain(|r| r[0] != json!({"stock": [1, 2]}));
            }),
        ];
        for (field, why, edit) in cases {
            let mut s = state();
            edit(&mut s);
            let e = match import(&s) {
                Err(e) => crate::protocol::answer_json(&Err(e)),
                Ok(_) => panic!("imported: {why}"),
            };
            let e: Value = serde_json::from_str(&e).unwrap();
            assert_eq!(e["error"]["code"], "invalid_field", "{why}: {e}");
            assert_eq!(
                e["error"]["details"]["field"],
                format!("snapshot.{field}"),
                "{why}: {e}"
            );
            let reason = e["error"]["details"]["reason"].as_str().unwrap_or("");
            assert!(
                reason.starts_with("not a consistent Stockbook snapshot: ") && reason.contains(why),
                "{why}: {reason}"
            );
        }
    }

    /// The server's mirror leaves the ledger out and says so: its levels are
    /// taken as they are, but everything else is still checked.
    #[test]
    fn a_mirror_without_its_ledger_imports_when_it_says_so() {
        let mut s = state();
        s["movements"] = json!([]);
        let e = import(&s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            e.contains("ledger"),
            "a whole snapshot needs its ledger: {e}"
        );
        s["with_ledger"] = json!(false);
        let mirror = import(&s).unwrap();
        // Its own snapshot is a mirror too, and restores (how a trapped
        // page instance is rebuilt).
        let round = serde_json::to_value(mirror.snapshot()).unwrap();
        assert_eq!(round, s);
        import(&round).unwrap();
        let mut moved = s.clone();
        moved["movements"] = state()["movements"].clone();
        let e = import(&moved)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("holds no movements"), "{e}");
        record(&mut s, json!({"stock": [1, 1]}))[2]["stock"]["on_hand"] = json!("-1");
        let e = import(&s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("has on_hand -1"), "{e}");
    }
}
