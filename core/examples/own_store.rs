//! Your own storage backend: a [`Store`] written outside `stockbook-core`,
//! with nothing but its public API.
//!
//! Run with `cargo run -p stockbook-core --example own_store`; `cargo test -p
//! stockbook-core` runs its tests (see `[[example]]` in `core/Cargo.toml`).
//!
//! The store below keeps records in a `BTreeMap` and the ledger in a `Vec`.
//! It is deliberately plain: no indexes, every scan filters the whole map.
//! What it must get right is what the trait's documentation asks of every
//! backend, and it is all in [`BTreeStore::commit`]:
//!
//! * a changeset is applied whole or not at all;
//! * every `(key, version)` the engine read must still be current, else the
//!   changeset is refused with `conflict` (version 0 means "was absent");
//! * when the store offers a [`Store::generation`], the engine sends `base`
//!   instead of the reads, and the store refuses the changeset unless nothing
//!   was committed since;
//! * every write bumps the key's version by one (a new key starts at 1);
//! * movements continue the ledger in sequence order.
//!
//! A backend that can fail (I/O, a lost connection) reports that as
//! [`Error::conflict`] too, saying nothing was applied: the protocol has no
//! code of its own for it (see the [`Store`] docs).
//!
//! The domain rules (stock levels, purchase orders, numbering...) are not
//! here: the engine computes them and hands the store records. That is why a
//! backend is an adapter, never a fork.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use chrono::{DateTime, Utc};
use stockbook_core::ledger::{Movement, MovementQuery};
use stockbook_core::store::{genesis, Changeset, Key, Scan, Store, Value, Version};
use stockbook_core::{execute_json, Error, Id, Result};

/// Records and the ledger in ordered maps.
#[derive(Debug, Clone, Default)]
pub struct BTreeStore {
    records: BTreeMap<Key, (Version, Value)>,
    /// Movement `seq` n sits at index n - 1.
    ledger: Vec<Movement>,
    /// Commits so far; only offered to the engine when `use_generation`.
    generation: u64,
    use_generation: bool,
}

impl BTreeStore {
    /// A new store: every backend starts from [`genesis`] (the `Main`
    /// location), each record at version 1.
    pub fn new() -> Self {
        BTreeStore {
            records: genesis().into_iter().map(|(k, v)| (k, (1, v))).collect(),
            ..BTreeStore::default()
        }
    }

    /// The same store, offering the engine a generation number: the engine
    /// then sends `base` instead of every key it read.
    pub fn with_generation(mut self) -> Self {
        self.use_generation = true;
        self
    }

    fn version(&self, key: &Key) -> Version {
        self.records.get(key).map_or(0, |(v, _)| *v)
    }
}

impl Store for BTreeStore {
    fn get(&self, key: &Key) -> Result<Option<(Version, Value)>> {
        Ok(self.records.get(key).cloned())
    }

    fn scan(
        &self,
        scan: Scan,
        visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> Result<()> {
        // `Key` is `Ord`: the map's order is the key order the trait asks for.
        let wanted = |k: &Key| match scan {
            Scan::All(kind) => k.kind() == Some(kind),
            Scan::StockOf(product) => matches!(k, Key::Stock(p, _) if *p == product),
        };
        for (k, (_, v)) in self.records.iter().filter(|(k, _)| wanted(k)) {
            if visit(k, v).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn movements(&self, q: &MovementQuery) -> Result<Vec<Movement>> {
        // Both cursors are exclusive; `newest_first` walks the ledger
        // backwards and answers in that order.
        let keep = |m: &&Movement| q.selects(m);
        let picked: Vec<Movement> = if q.newest_first {
            self.ledger
                .iter()
                .rev()
                .filter(keep)
                .take(q.limit)
                .cloned()
                .collect()
        } else {
            self.ledger
                .iter()
                .filter(keep)
                .take(q.limit)
                .cloned()
                .collect()
        };
        Ok(picked)
    }

    fn movement_at(
        &self,
        product_id: Id,
        location_id: Id,
        at: DateTime<Utc>,
    ) -> Result<Option<Movement>> {
        Ok(self
            .ledger
            .iter()
            .rev()
            .find(|m| m.product_id == product_id && m.location_id == location_id && m.at <= at)
            .cloned())
    }

    fn commit(&mut self, cs: Changeset) -> Result<()> {
        // 1. Check everything before touching anything: a refusal changes
        //    nothing.
        if let Some(base) = cs.base {
            if base != self.generation {
                return Err(Error::conflict("the store changed since it was read"));
            }
        }
        if let Some((key, _)) = cs
            .reads
            .iter()
            .find(|(key, seen)| self.version(key) != *seen)
        {
            return Err(Error::conflict(format!(
                "{key:?} changed since it was read"
            )));
        }
        let next_seq = self.ledger.len() as u64 + 1;
        if (next_seq..).zip(&cs.movements).any(|(seq, m)| m.seq != seq) {
            return Err(Error::conflict("the ledger moved since it was read"));
        }
        // 2. Apply all of it.
        for (key, value) in cs.writes {
            match value {
                Some(value) => {
                    let version = self.version(&key) + 1;
                    self.records.insert(key, (version, value));
                }
                None => {
                    self.records.remove(&key);
                }
            }
        }
        self.ledger.extend(cs.movements);
        self.generation += 1;
        // `cs.events` are the command's events (low-stock alerts); the engine
        // also returns them in the answer. A durable store could keep them in
        // an outbox table in the same transaction; this one does not.
        Ok(())
    }

    fn generation(&self) -> Option<u64> {
        self.use_generation.then_some(self.generation)
    }
}

/// A few requests as a host would send them, JSON text in, JSON text out.
const SCRIPT: &[&str] = &[
    r#"{"cmd":"create_supplier","actor":{"id":"ann","permissions":["admin"]},"now":"2026-03-02T08:00:00Z","args":{"name":"Acme Fasteners"}}"#,
    r#"{"cmd":"create_product","actor":{"id":"ann","permissions":["admin"]},"now":"2026-03-02T08:01:00Z","args":{"sku":"BOLT-M8","name":"M8 bolt","purchase_price":"0.45","supplier_id":1,"low_stock_threshold":50}}"#,
    r#"{"cmd":"update_stock","actor":{"id":"ann","permissions":["admin"]},"now":"2026-03-02T08:02:00Z","args":{"product_id":1,"operation":"add","quantity":120,"reason":"opening count"}}"#,
    r#"{"cmd":"update_stock","actor":{"id":"ann","permissions":["admin"]},"now":"2026-03-02T09:00:00Z","args":{"product_id":1,"operation":"subtract","quantity":80,"reason":"picked"}}"#,
    r#"{"cmd":"create_purchase_order","actor":{"id":"ann","permissions":["admin"]},"now":"2026-03-02T09:05:00Z","args":{"supplier_id":1,"lines":[{"product_id":1,"quantity":200,"unit_cost":"0.42"}]}}"#,
    r#"{"cmd":"order_purchase_order","actor":{"id":"ann","permissions":["admin"]},"now":"2026-03-02T09:06:00Z","args":{"id":1}}"#,
    r#"{"cmd":"receive_purchase_order","actor":{"id":"ann","permissions":["admin"]},"now":"2026-03-04T10:00:00Z","args":{"id":1,"lines":[{"line_no":1,"quantity":150}]}}"#,
    r#"{"cmd":"create_product","actor":{"id":"ann","permissions":["admin"]},"now":"2026-03-04T10:01:00Z","args":{"sku":"BOLT-M8","name":"dup"}}"#,
    r#"{"cmd":"get_stock","actor":{"id":"ann","permissions":["inventory.read"]},"args":{"product_id":1}}"#,
    r#"{"cmd":"list_movements","actor":{"id":"ann","permissions":["inventory.read"]},"args":{"product_id":1,"direction":"desc","limit":2}}"#,
    r#"{"cmd":"list_purchase_orders","actor":{"id":"ann","permissions":["inventory.read"]},"args":{"status":"partially_received"}}"#,
    r#"{"cmd":"stock_as_of","actor":{"id":"ann","permissions":["inventory.read"]},"args":{"product_id":1,"at":"2026-03-02T08:30:00Z"}}"#,
];

/// Plays [`SCRIPT`] against `store`, returning every answer text.
pub fn play(store: &mut dyn Store) -> Vec<String> {
    SCRIPT.iter().map(|req| execute_json(store, req)).collect()
}

fn main() {
    let mut store = BTreeStore::new();
    for (request, answer) in SCRIPT.iter().zip(play(&mut store)) {
        let cmd = request.split('"').nth(3).unwrap_or("?");
        println!("{cmd}\n  -> {answer}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockbook_core::store::memory::MemoryStore;

    /// The same requests give the same answers, byte for byte, as on the
    /// crate's own in-memory store, with and without a generation.
    #[test]
    fn answers_like_the_memory_store() {
        let expected = play(&mut MemoryStore::new());
        assert_eq!(play(&mut BTreeStore::new()), expected);
        assert_eq!(play(&mut BTreeStore::new().with_generation()), expected);
        // The script exercises refusals too, not only happy paths.
        assert!(expected.iter().any(|a| a.contains(r#""code":"duplicate""#)));
        assert!(expected.iter().all(|a| !a.contains(r#""invalid_request""#)));
    }

    /// A changeset computed on a state that moved on is refused whole.
    #[test]
    fn a_stale_changeset_conflicts_and_changes_nothing() {
        for mut store in [BTreeStore::new(), BTreeStore::new().with_generation()] {
            play(&mut store);
            // Two writers read product 1 at the same version (or, with a
            // generation, at the same generation) and both rewrite it.
            let cs = |store: &BTreeStore| {
                let base = store.generation();
                let (version, value) = store.get(&Key::Product(1)).unwrap().unwrap();
                Changeset {
                    reads: match base {
                        Some(_) => Vec::new(),
                        None => vec![(Key::Product(1), version)],
                    },
                    base,
                    writes: vec![(Key::Product(1), Some(value))],
                    ..Changeset::default()
                }
            };
            let first = cs(&store);
            let second = cs(&store);
            store.commit(first).unwrap();
            let before = store.records.clone();
            let e = store.commit(second).unwrap_err();
            assert_eq!(e.code(), "conflict");
            assert_eq!(store.records, before);
        }
    }
}
