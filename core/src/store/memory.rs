//! The in-memory store: maps in RAM, used by tests, benchmarks, the browser and
//! edge workers. Snapshots (JSON) let a page load a server's state.

use super::{genesis, Changeset, Key, Scan, Store, Value, Version};
use crate::error::{Error, Result};
use crate::ledger::{Movement, MovementQuery};
use crate::Id;
use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// Records and the ledger, in memory.
///
/// Point reads go to a hash map; scans walk an ordered set of keys, which only
/// changes when a key is created or deleted (most writes update in place).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    records: FxHashMap<Key, (Version, Value)>,
    order: BTreeSet<Key>,
    ledger: Vec<Movement>,
    /// Positions in `ledger` per (product, location), in time order.
    by_stock: FxHashMap<(Id, Id), Vec<u32>>,
    /// Positions in `ledger` per product.
    by_product: FxHashMap<Id, Vec<u32>>,
}

/// The whole state of a [`MemoryStore`], as exported and imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Snapshot format version.
    pub format: u32,
    /// Every record with its version.
    pub records: Vec<(Key, Version, Value)>,
    /// The ledger in sequence order.
    pub movements: Vec<Movement>,
}

impl MemoryStore {
    /// A store holding only the genesis records.
    pub fn new() -> Self {
        let mut store = MemoryStore::default();
        for (k, v) in genesis() {
            store.insert(k, 1, v);
        }
        store
    }

    fn insert(&mut self, k: Key, version: Version, v: Value) {
        if !self.records.contains_key(&k) {
            self.order.insert(k.clone());
        }
        self.records.insert(k, (version, v));
    }

    /// Exports the whole state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            format: 1,
            records: self
                .order
                .iter()
                .filter_map(|k| {
                    self.records
                        .get(k)
                        .map(|(ver, v)| (k.clone(), *ver, v.clone()))
                })
                .collect(),
            movements: self.ledger.clone(),
        }
    }

    /// Rebuilds a store from a snapshot, checking that its ledger is gapless.
    pub fn from_snapshot(s: Snapshot) -> Result<Self> {
        if s.format != 1 {
            return Err(Error::field(
                "snapshot.format",
                "unsupported snapshot format",
            ));
        }
        let mut store = MemoryStore::default();
        for (k, ver, v) in s.records {
            store.insert(k, ver, v);
        }
        for (i, m) in s.movements.into_iter().enumerate() {
            if m.seq != i as u64 + 1 {
                return Err(Error::field(
                    "snapshot.movements",
                    "sequence numbers must be gapless from 1",
                ));
            }
            store.push_movement(m);
        }
        Ok(store)
    }

    /// Number of movements in the ledger.
    pub fn ledger_len(&self) -> usize {
        self.ledger.len()
    }

    /// The whole ledger, in sequence order.
    pub fn ledger(&self) -> &[Movement] {
        &self.ledger
    }

    fn push_movement(&mut self, m: Movement) {
        let pos = self.ledger.len() as u32;
        self.by_stock
            .entry((m.product_id, m.location_id))
            .or_default()
            .push(pos);
        self.by_product.entry(m.product_id).or_default().push(pos);
        self.ledger.push(m);
    }
}

impl Store for MemoryStore {
    fn get(&self, key: &Key) -> Result<Option<(Version, Value)>> {
        Ok(self.records.get(key).cloned())
    }

    fn get_ref(&self, key: &Key) -> Result<Option<(Version, Cow<'_, Value>)>> {
        Ok(self
            .records
            .get(key)
            .map(|(ver, v)| (*ver, Cow::Borrowed(v))))
    }

    fn scan(
        &self,
        scan: Scan,
        visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> Result<()> {
        let (from, to) = match scan {
            Scan::All(kind) => scan_bounds(kind),
            Scan::StockOf(p) => (Key::Stock(p, 0), Key::Stock(p, Id::MAX)),
        };
        for k in self.order.range(from..=to) {
            if let Some((_, v)) = self.records.get(k) {
                if visit(k, v).is_break() {
                    break;
                }
            }
        }
        Ok(())
    }

    fn movements(&self, q: &MovementQuery) -> Result<Vec<Movement>> {
        let after = q.after_seq.unwrap_or(0);
        let limit = q.limit;
        let mut out = Vec::new();
        let mut take = |m: &Movement| {
            if m.seq > after && q.matches(m) {
                out.push(m.clone());
            }
            out.len() < limit
        };
        match (q.product_id, q.location_id) {
            (Some(p), Some(l)) => {
                for &i in self.by_stock.get(&(p, l)).map(Vec::as_slice).unwrap_or(&[]) {
                    if !take(&self.ledger[i as usize]) {
                        break;
                    }
                }
            }
            (Some(p), None) => {
                for &i in self.by_product.get(&p).map(Vec::as_slice).unwrap_or(&[]) {
                    if !take(&self.ledger[i as usize]) {
                        break;
                    }
                }
            }
            _ => {
                let start = (after as usize).min(self.ledger.len());
                for m in &self.ledger[start..] {
                    if !take(m) {
                        break;
                    }
                }
            }
        }
        Ok(out)
    }

    fn movement_at(
        &self,
        product_id: Id,
        location_id: Id,
        at: DateTime<Utc>,
    ) -> Result<Option<Movement>> {
        let Some(idx) = self.by_stock.get(&(product_id, location_id)) else {
            return Ok(None);
        };
        // Movements of one (product, location) are in time order (no backdating).
        let n = idx.partition_point(|&i| self.ledger[i as usize].at <= at);
        Ok(n.checked_sub(1)
            .map(|j| self.ledger[idx[j] as usize].clone()))
    }

    fn commit(&mut self, cs: Changeset) -> Result<()> {
        // The smallest stale key names the conflict, so the message does not
        // depend on the (unspecified) order of the reads.
        let stale = cs
            .reads
            .iter()
            .filter(|(k, seen)| self.records.get(k).map_or(0, |(v, _)| *v) != *seen)
            .map(|(k, _)| k)
            .min();
        if let Some(k) = stale {
            return Err(Error::conflict(format!(
                "{k:?} changed since it was read; retry"
            )));
        }
        if let Some(first) = cs.movements.first() {
            if first.seq != self.ledger.len() as u64 + 1 {
                return Err(Error::conflict("the ledger moved since it was read; retry"));
            }
        }
        for (k, v) in cs.writes {
            match (v, self.records.get_mut(&k)) {
                (Some(v), Some(slot)) => *slot = (slot.0 + 1, v),
                (Some(v), None) => self.insert(k, 1, v),
                (None, _) => {
                    if self.records.remove(&k).is_some() {
                        self.order.remove(&k);
                    }
                }
            }
        }
        for m in cs.movements {
            self.push_movement(m);
        }
        Ok(())
    }
}

/// First and last possible key of a kind.
fn scan_bounds(kind: super::Kind) -> (Key, Key) {
    use super::Kind as K;
    match kind {
        K::Location => (Key::Location(0), Key::Location(Id::MAX)),
        K::Category => (Key::Category(0), Key::Category(Id::MAX)),
        K::VatRate => (Key::VatRate(0), Key::VatRate(Id::MAX)),
        K::Supplier => (Key::Supplier(0), Key::Supplier(Id::MAX)),
        K::Product => (Key::Product(0), Key::Product(Id::MAX)),
        K::Stock => (Key::Stock(0, 0), Key::Stock(Id::MAX, Id::MAX)),
        K::PurchaseOrder => (Key::PurchaseOrder(0), Key::PurchaseOrder(Id::MAX)),
        K::SalesDocument => (Key::SalesDocument(0), Key::SalesDocument(Id::MAX)),
    }
}
