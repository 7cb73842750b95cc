//! The in-memory store: maps in RAM, used by tests, benchmarks, the browser and
//! edge workers. Snapshots (JSON) let a page load a server's state.

use super::{genesis, Changeset, Key, Kind, Scan, Store, Value, Version};
use crate::error::{Error, Result};
use crate::ledger::{Movement, MovementQuery};
use crate::purchasing::brief::PoBrief;
use crate::Id;
use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

/// Records and the ledger, in memory.
///
/// Point reads go to a hash map; scans walk an ordered set of keys, which only
/// changes when a key is created or deleted (most writes update in place).
/// Records that exist to be scanned in bulk (PO briefs, see `in_bulk`) live
/// instead in an ordered map with their values: a scan of 100,000 of them then
/// walks memory in sequence rather than doing 100,000 hash lookups.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    records: FxHashMap<Key, (Version, Value)>,
    order: BTreeSet<Key>,
    /// The records [`in_bulk`] says are scanned far more than read one by one.
    bulk: BTreeMap<Key, (Version, Value)>,
    ledger: Ledger,
    /// Positions in `ledger` per (product, location), in time order.
    by_stock: FxHashMap<(Id, Id), Vec<u32>>,
    /// The locations each product has movements at, in order of their first
    /// movement. A product's own movements are the merge of its (few)
    /// per-location lists: a second per-product index cost every movement
    /// another hash lookup and vector push (~5 % of a stock update).
    locations_of: FxHashMap<Id, Vec<Id>>,
    /// The locations of each product's stock levels, sorted: what a stock
    /// scan of one product walks (the low-stock check, stock reports).
    /// Walking a range of `order` instead cost ~1,200 instructions of enum
    /// key comparisons a scan, a sixth of a stock update that left a
    /// product at its threshold.
    stock_of: FxHashMap<Id, Vec<Id>>,
    /// Commits so far (see [`Store::generation`]).
    generation: u64,
    /// Imported from a snapshot without its ledger (a mirror, see
    /// [`Snapshot::with_ledger`]); its own snapshots say so too, so it can be
    /// restored from them (a trapped page instance is rebuilt that way).
    without_ledger: bool,
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
    /// False for a mirror that leaves the ledger out on purpose (the
    /// server's `/api/snapshot`: records only, for validating on the page):
    /// then `movements` must be empty and the stock levels are taken as they
    /// are. True (and not written) for a whole state, whose ledger must
    /// explain its levels.
    #[serde(default = "whole", skip_serializing_if = "is_whole")]
    pub with_ledger: bool,
}

fn whole() -> bool {
    true
}

fn is_whole(with_ledger: &bool) -> bool {
    *with_ledger
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
        if in_bulk(&k) {
            self.bulk.insert(k, (version, v));
            return;
        }
        if !self.records.contains_key(&k) {
            if let Key::Stock(p, l) = k {
                let ls = self.stock_of.entry(p).or_default();
                if let Err(i) = ls.binary_search(&l) {
                    ls.insert(i, l);
                }
            }
            self.order.insert(k.clone());
        }
        self.records.insert(k, (version, v));
    }

    /// The record of a key and its version, wherever it is kept. The hash map
    /// is asked first, so a hit there (every hot read) costs what it did
    /// before `bulk` existed.
    #[inline]
    fn slot(&self, k: &Key) -> Option<&(Version, Value)> {
        match self.records.get(k) {
            Some(slot) => Some(slot),
            None if in_bulk(k) => self.bulk.get(k),
            None => None,
        }
    }

    /// Visits the records of a kind kept in `bulk` (out of line: the hot
    /// scans, a product's stock levels, never come here).
    #[inline(never)]
    fn scan_bulk(&self, kind: Kind, visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>) {
        let (from, to) = scan_bounds(kind);
        for (k, (_, v)) in self.bulk.range(from..=to) {
            if visit(k, v).is_break() {
                break;
            }
        }
    }

    /// Writes (or with `None` deletes) a record kept in `bulk`.
    fn write_bulk(&mut self, k: Key, v: Option<Value>) {
        match v {
            Some(v) => {
                let ver = self.bulk.get(&k).map_or(0, |(ver, _)| *ver);
                self.bulk.insert(k, (ver + 1, v));
            }
            None => {
                self.bulk.remove(&k);
            }
        }
    }

    /// Exports the whole state, in key order.
    ///
    /// PO briefs are not in it: they are derived from the POs (an index, not
    /// state), and [`MemoryStore::from_snapshot`] derives them again. So the
    /// snapshot format did not change when briefs came, and a snapshot written
    /// before them imports with every PO listed.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            format: 1,
            records: self
                .records_in_order()
                .map(|(k, ver, v)| (k.clone(), ver, v.clone()))
                .collect(),
            movements: self.ledger.iter_from(0).cloned().collect(),
            with_ledger: !self.without_ledger,
        }
    }

    /// Reads snapshot JSON text into a store: `invalid_field` (`snapshot`)
    /// when it is not one ([`MemoryStore::snapshot_refusal`]).
    pub fn from_snapshot_json(text: &str) -> Result<Self> {
        let snap: Snapshot = serde_json::from_str(text).map_err(Self::snapshot_refusal)?;
        Self::from_snapshot(snap)
    }

    /// The refusal of text that is not a snapshot. Every runtime that imports
    /// snapshot text says it with these words (the raw module reads the text
    /// with its own instance of the JSON reader: generics are compiled per
    /// crate, and the module is 83 KB smaller that way, while the package is
    /// 13 KB smaller calling [`MemoryStore::from_snapshot_json`]).
    pub fn snapshot_refusal(e: impl std::fmt::Display) -> Error {
        Error::field("snapshot", format!("not a Stockbook snapshot: {e}"))
    }

    /// Rebuilds a store from a snapshot, checking that it is a state the
    /// engine could have written (`store::consistency`: a gapless ledger that
    /// explains every stock level, counters above the ids in use, unique
    /// SKUs and PO numbers, the Main location); otherwise `invalid_field`.
    pub fn from_snapshot(s: Snapshot) -> Result<Self> {
        if s.format != 1 {
            return Err(Error::field(
                "snapshot.format",
                "unsupported snapshot format",
            ));
        }
        if (1..).zip(&s.movements).any(|(seq, m)| m.seq != seq) {
            return Err(Error::field(
                "snapshot.movements",
                "sequence numbers must be gapless from 1",
            ));
        }
        if !s.with_ledger && !s.movements.is_empty() {
            return Err(Error::field(
                "snapshot.movements",
                "a snapshot without its ledger (with_ledger: false) holds no movements",
            ));
        }
        let mut store = MemoryStore {
            without_ledger: !s.with_ledger,
            ..MemoryStore::default()
        };
        for (k, ver, v) in s.records {
            if in_bulk(&k) {
                // Derived records are rebuilt below, never taken on trust.
                continue;
            }
            if let Value::PurchaseOrder(po) = &v {
                store.insert(
                    Key::PoBrief(po.status, po.id),
                    1,
                    Value::PoBrief(PoBrief::of(po)),
                );
            }
            if store.records.contains_key(&k) || ver == 0 {
                return Err(Error::field(
                    "snapshot.records",
                    format!("not a consistent Stockbook snapshot: record {k:?} appears twice or has version 0"),
                ));
            }
            store.insert(k, ver, v);
        }
        for m in s.movements {
            store.push_movement(m);
        }
        super::consistency::check(&store, s.with_ledger)?;
        Ok(store)
    }

    /// Number of movements in the ledger.
    pub fn ledger_len(&self) -> usize {
        self.ledger.len()
    }

    /// Every record (but those kept in `bulk`: derived) in key order, with
    /// its version and value: what a snapshot holds and an import checks.
    pub(super) fn records_in_order(&self) -> impl Iterator<Item = (&Key, Version, &Value)> {
        self.order
            .iter()
            .filter_map(|k| self.records.get(k).map(|(ver, v)| (k, *ver, v)))
    }

    /// A record's value, wherever it is kept.
    pub(super) fn value(&self, k: &Key) -> Option<&Value> {
        self.slot(k).map(|(_, v)| v)
    }

    /// The whole ledger in sequence order.
    pub(super) fn all_movements(&self) -> impl Iterator<Item = &Movement> {
        self.ledger.iter_from(0)
    }

    /// The movement before `m` at its product and location, if any.
    pub(super) fn movement_before(&self, m: &Movement) -> Option<&Movement> {
        let list = self.by_stock.get(&(m.product_id, m.location_id))?;
        let pos = u32::try_from(m.seq.checked_sub(1)?).ok()?;
        let i = list.binary_search(&pos).ok()?;
        i.checked_sub(1).map(|j| self.ledger.get(list[j]))
    }

    /// The newest movement of a product at a location, if any.
    pub(super) fn last_movement(&self, p: Id, l: Id) -> Option<&Movement> {
        let list = self.by_stock.get(&(p, l))?;
        list.last().map(|&i| self.ledger.get(i))
    }

    fn push_movement(&mut self, m: Movement) {
        let pos = self.ledger.len() as u32;
        match self.by_stock.entry((m.product_id, m.location_id)) {
            Entry::Occupied(mut e) => e.get_mut().push(pos),
            Entry::Vacant(e) => {
                e.insert(vec![pos]);
                self.locations_of
                    .entry(m.product_id)
                    .or_default()
                    .push(m.location_id);
            }
        }
        self.ledger.push(m);
    }

    /// Visits a product's movements in sequence order (merging its
    /// per-location lists) until `take` says stop.
    /// A product's movements, merged from its per-location lists in sequence
    /// order (from the newest when `newest_first`), until `take` says stop.
    fn product_movements(
        &self,
        p: Id,
        newest_first: bool,
        take: &mut dyn FnMut(&Movement) -> bool,
    ) {
        let lists: Vec<&[u32]> = self
            .locations_of
            .get(&p)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .filter_map(|l| self.by_stock.get(&(p, *l)).map(Vec::as_slice))
            .collect();
        // How many of each list are not yet taken: taken from the front
        // oldest first, from the back newest first.
        let mut taken = vec![0usize; lists.len()];
        loop {
            // The list whose next position comes first (a product has
            // movements at a handful of locations, so a linear look is fine).
            let open = (0..lists.len()).filter(|&k| taken[k] < lists[k].len());
            let pos = |k: usize| {
                if newest_first {
                    lists[k][lists[k].len() - 1 - taken[k]]
                } else {
                    lists[k][taken[k]]
                }
            };
            let next = if newest_first {
                open.max_by_key(|&k| pos(k))
            } else {
                open.min_by_key(|&k| pos(k))
            };
            let Some(k) = next else { return };
            let i = pos(k);
            taken[k] += 1;
            if !take(self.ledger.get(i)) {
                return;
            }
        }
    }
}

impl Store for MemoryStore {
    fn get(&self, key: &Key) -> Result<Option<(Version, Value)>> {
        Ok(self.slot(key).cloned())
    }

    fn get_ref(&self, key: &Key) -> Result<Option<(Version, Cow<'_, Value>)>> {
        Ok(self.slot(key).map(|(ver, v)| (*ver, Cow::Borrowed(v))))
    }

    fn scan(
        &self,
        scan: Scan,
        visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> Result<()> {
        if let Scan::All(kind @ Kind::PoBrief(_)) = scan {
            self.scan_bulk(kind, visit);
            return Ok(());
        }
        let kind = match scan {
            Scan::All(kind) => kind,
            Scan::StockOf(p) => {
                for &l in self.stock_of.get(&p).map(Vec::as_slice).unwrap_or(&[]) {
                    let k = Key::Stock(p, l);
                    if let Some((_, v)) = self.records.get(&k) {
                        if visit(&k, v).is_break() {
                            break;
                        }
                    }
                }
                return Ok(());
            }
        };
        let (from, to) = scan_bounds(kind);
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
        let before = q.before_seq.unwrap_or(u64::MAX);
        let limit = q.limit;
        let mut out = Vec::new();
        // Stops at the end of the window: the walks below go in seq order.
        let mut take = |m: &Movement| {
            let past = if q.newest_first {
                m.seq <= after
            } else {
                m.seq >= before
            };
            if past {
                return false;
            }
            if q.selects(m) {
                out.push(m.clone());
            }
            out.len() < limit
        };
        match (q.product_id, q.location_id) {
            (Some(p), Some(l)) => {
                let list = self.by_stock.get(&(p, l)).map(Vec::as_slice).unwrap_or(&[]);
                let visit = |&i: &u32| take(self.ledger.get(i));
                if q.newest_first {
                    list.iter().rev().all(visit);
                } else {
                    list.iter().all(visit);
                }
            }
            (Some(p), None) => self.product_movements(p, q.newest_first, &mut take),
            _ if q.newest_first => {
                // Position i holds seq i + 1: start below `before`.
                let end = usize::try_from(before.saturating_sub(1))
                    .unwrap_or(usize::MAX)
                    .min(self.ledger.len());
                for i in (0..end).rev() {
                    // Positions are u32 throughout the store's indexes.
                    if !take(self.ledger.get(i as u32)) {
                        break;
                    }
                }
            }
            _ => {
                let start = usize::try_from(after).unwrap_or(usize::MAX);
                for m in self.ledger.iter_from(start) {
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
        let n = idx.partition_point(|&i| self.ledger.get(i).at <= at);
        Ok(n.checked_sub(1).map(|j| self.ledger.get(idx[j]).clone()))
    }

    fn commit(&mut self, cs: Changeset) -> Result<()> {
        if let Some(base) = cs.base {
            // Read at `base`: current exactly when nothing was committed since.
            if base != self.generation {
                return Err(Error::conflict(
                    "the store changed since this command read it; retry",
                ));
            }
        }
        // The smallest stale key names the conflict, so the message does not
        // depend on the (unspecified) order of the reads.
        let stale = cs
            .reads
            .iter()
            .filter(|(k, seen)| self.slot(k).map_or(0, |(v, _)| *v) != *seen)
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
                (v, None) if in_bulk(&k) => self.write_bulk(k, v),
                (Some(v), None) => self.insert(k, 1, v),
                (None, _) => {
                    if self.records.remove(&k).is_some() {
                        if let Key::Stock(p, l) = k {
                            if let Some(ls) = self.stock_of.get_mut(&p) {
                                ls.retain(|&x| x != l);
                            }
                        }
                        self.order.remove(&k);
                    }
                }
            }
        }
        for m in cs.movements {
            self.push_movement(m);
        }
        self.generation += 1;
        Ok(())
    }

    fn generation(&self) -> Option<u64> {
        Some(self.generation)
    }
}

/// The ledger, in chunks of at most [`Ledger::CHUNK`] movements.
///
/// Why not one `Vec`: appending to a vector of a million 224-byte movements
/// doubles it now and then, and each doubling copies everything into fresh
/// memory the kernel must fault in and zero (the copies and the page faults
/// were ~15 % of a stock update's time at 1,000,000 movements). A full chunk
/// is never moved again. The first chunk grows like any vector, so a small
/// store (a browser tab) does not pay for a whole chunk up front.
#[derive(Debug, Clone, Default)]
struct Ledger {
    chunks: Vec<Vec<Movement>>,
    len: usize,
}

impl Ledger {
    const CHUNK: usize = 8192;

    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, m: Movement) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < Self::CHUNK => c.push(m),
            _ => {
                let mut c = Vec::with_capacity(if self.chunks.is_empty() {
                    0
                } else {
                    Self::CHUNK
                });
                c.push(m);
                self.chunks.push(c);
            }
        }
        self.len += 1;
    }

    /// The movement at position `i` (sequence number `i + 1`); positions come
    /// from the store's own indexes, so they are in range.
    fn get(&self, i: u32) -> &Movement {
        let i = i as usize;
        &self.chunks[i / Self::CHUNK][i % Self::CHUNK]
    }

    /// The movements from position `start` on, in order.
    fn iter_from(&self, start: usize) -> impl Iterator<Item = &Movement> {
        let first = (start / Self::CHUNK).min(self.chunks.len());
        self.chunks[first..]
            .iter()
            .flatten()
            .skip(start.saturating_sub(first * Self::CHUNK))
    }
}

/// Whether a key is kept in [`MemoryStore::bulk`]: a kind whose records are
/// scanned in bulk and seldom read one by one (a whole kind, so a scan's bounds
/// say which map it walks). Every other record, the hot stock levels and
/// counters included, stays in the hash map.
#[inline]
fn in_bulk(k: &Key) -> bool {
    matches!(k, Key::PoBrief(..))
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
        K::PoBrief(s) => (Key::PoBrief(s, 0), Key::PoBrief(s, Id::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchasing::brief::PoBrief;
    use crate::purchasing::PoStatus;
    use crate::testkit::Kit;
    use serde_json::json;

    /// A store with POs (so briefs, kept in `bulk`) and records of other
    /// kinds on both sides of them in key order.
    fn kit() -> Kit {
        let mut k = Kit::new();
        k.supplier("Acme");
        let p = k.product("P");
        for q in [3, 1, 2] {
            k.ok(
                "create_purchase_order",
                json!({"supplier_id": 1, "lines": [{"product_id": p, "quantity": q, "unit_cost": "2.50"}]}),
            );
        }
        k.ok(
            "create_sales_document",
            json!({"client": "C", "type": "quote", "lines": [{"product_id": p, "quantity": 1}]}),
        );
        k.ok("delete_purchase_order", json!({"id": 2}));
        k
    }

    fn briefs(s: &MemoryStore) -> Vec<(Id, String)> {
        let mut v = Vec::new();
        s.scan(Scan::All(Kind::PoBrief(PoStatus::Draft)), &mut |k, val| {
            if let (Key::PoBrief(_, id), Value::PoBrief(b)) = (k, val) {
                v.push((*id, b.total.to_string()));
            }
            ControlFlow::Continue(())
        })
        .ok();
        v
    }

    #[test]
    fn briefs_are_scanned_read_and_deleted_like_any_record() {
        let k = kit();
        assert!(k.store.records.keys().all(|k| !in_bulk(k)));
        assert_eq!(
            briefs(&k.store),
            vec![(1, "7.50".to_string()), (3, "5.00".to_string())]
        );
        match k.store.get(&Key::PoBrief(PoStatus::Draft, 3)) {
            Ok(Some((1, Value::PoBrief(b)))) => assert_eq!(b.number, "PO-2026-0003"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            k.store.get(&Key::PoBrief(PoStatus::Draft, 2)).ok(),
            Some(None)
        );
        // A scan stops when told to.
        let mut n = 0;
        k.store
            .scan(Scan::All(Kind::PoBrief(PoStatus::Draft)), &mut |_, _| {
                n += 1;
                ControlFlow::Break(())
            })
            .ok();
        assert_eq!(n, 1);
    }

    fn movement(seq: u64, product_id: Id, location_id: Id) -> Movement {
        use crate::decimal::Quantity;
        use crate::ledger::{MovementType, Source};
        Movement {
            seq,
            at: DateTime::UNIX_EPOCH,
            product_id,
            location_id,
            kind: MovementType::Purchase,
            quantity: Quantity::from_int(1),
            requested: None,
            balance_after: Quantity::from_int(seq as i64),
            reason: None,
            source: Source::default(),
        }
    }

    /// A product's movements at several locations come back merged in
    /// sequence order, honouring the cursor and the limit; other products'
    /// movements are not among them.
    #[test]
    fn a_products_movements_merge_its_locations_in_sequence_order() {
        let mut s = MemoryStore::new();
        let places = [
            (1, 1),
            (2, 1),
            (1, 3),
            (1, 1),
            (1, 2),
            (2, 3),
            (1, 3),
            (1, 2),
            (1, 1),
        ];
        for (i, &(p, l)) in places.iter().enumerate() {
            s.push_movement(movement(i as u64 + 1, p, l));
        }
        let seqs = |after: Option<u64>, limit: usize| -> Vec<u64> {
            let q = MovementQuery {
                product_id: Some(1),
                after_seq: after,
                limit,
                ..Default::default()
            };
            s.movements(&q).unwrap().iter().map(|m| m.seq).collect()
        };
        assert_eq!(seqs(None, 100), vec![1, 3, 4, 5, 7, 8, 9]);
        assert_eq!(seqs(Some(4), 100), vec![5, 7, 8, 9]);
        assert_eq!(seqs(Some(1), 3), vec![3, 4, 5]);
        let q = MovementQuery {
            product_id: Some(9),
            limit: 10,
            ..Default::default()
        };
        assert!(s.movements(&q).unwrap().is_empty());
    }

    /// A product's stock scan sees its levels in location order, whatever
    /// order they were created in, and not a deleted one or another
    /// product's.
    #[test]
    fn a_stock_scan_walks_one_products_levels_in_location_order() {
        use crate::ledger::StockLevel;
        let mut s = MemoryStore::new();
        let write = |s: &mut MemoryStore, p: Id, l: Id, keep: bool| {
            let v = keep.then(|| Value::Stock(StockLevel::empty(p, l)));
            let writes = vec![(Key::Stock(p, l), v)];
            s.commit(Changeset {
                writes,
                ..Default::default()
            })
            .unwrap();
        };
        for (p, l) in [(1, 3), (2, 2), (1, 1), (1, 2), (1, 9)] {
            write(&mut s, p, l, true);
        }
        write(&mut s, 1, 2, false);
        let scanned = |s: &MemoryStore, p: Id| {
            let mut seen = Vec::new();
            s.scan(Scan::StockOf(p), &mut |k, _| {
                seen.push(k.clone());
                ControlFlow::Continue(())
            })
            .unwrap();
            seen
        };
        assert_eq!(
            scanned(&s, 1),
            vec![Key::Stock(1, 1), Key::Stock(1, 3), Key::Stock(1, 9)]
        );
        assert_eq!(scanned(&s, 2), vec![Key::Stock(2, 2)]);
        assert!(scanned(&s, 3).is_empty());
        // Imported stores rebuild the index.
        let back = MemoryStore::from_snapshot(s.snapshot()).unwrap();
        assert_eq!(scanned(&back, 1), scanned(&s, 1));
    }

    /// Positions and walks across chunk boundaries, the first chunk grown
    /// like a vector and the later ones allocated whole.
    #[test]
    fn the_chunked_ledger_keeps_every_movement_in_order() {
        let n = 2 * Ledger::CHUNK + 5;
        let mut l = Ledger::default();
        for seq in 1..=n as u64 {
            l.push(movement(seq, 1, 1));
        }
        assert_eq!(l.len(), n);
        assert_eq!(l.chunks.len(), 3);
        assert!(l.chunks.iter().all(|c| c.len() <= Ledger::CHUNK));
        for i in [
            0,
            1,
            Ledger::CHUNK - 1,
            Ledger::CHUNK,
            2 * Ledger::CHUNK,
            n - 1,
        ] {
            assert_eq!(l.get(i as u32).seq, i as u64 + 1, "position {i}");
        }
        for start in [
            0,
            7,
            Ledger::CHUNK - 1,
            Ledger::CHUNK,
            Ledger::CHUNK + 1,
            n - 1,
            n,
            n + 9,
            usize::MAX,
        ] {
            let seqs: Vec<u64> = l.iter_from(start).map(|m| m.seq).collect();
            let want: Vec<u64> = (start.min(n) as u64 + 1..=n as u64).collect();
            assert_eq!(seqs, want, "from {start}");
        }
    }

    #[test]
    fn snapshot_lists_every_record_in_key_order_and_restores() {
        let k = kit();
        let snap = k.store.snapshot();
        let keys: Vec<&Key> = snap.records.iter().map(|(k, _, _)| k).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        assert!(keys.contains(&&Key::SalesDocument(1)));
        assert!(keys.contains(&&Key::PurchaseOrder(3)));
        let back = MemoryStore::from_snapshot(snap.clone()).unwrap_or_default();
        assert_eq!(back.snapshot(), snap);
        assert_eq!(briefs(&back), briefs(&k.store));
    }

    /// Briefs are derived: a snapshot carries none, and importing one (from
    /// before briefs existed, or with briefs forged into it) files every PO's
    /// brief afresh under its status.
    #[test]
    fn briefs_are_left_out_of_snapshots_and_rebuilt_on_import() {
        let mut k = kit();
        k.ok("order_purchase_order", json!({"id": 3}));
        let mut snap = k.store.snapshot();
        assert!(snap.records.iter().all(|(k, _, _)| !in_bulk(k)));
        // A forged brief (wrong status and total) and one for no PO at all.
        let mut forged = PoBrief::of(&match k.store.get(&Key::PurchaseOrder(1)) {
            Ok(Some((_, Value::PurchaseOrder(po)))) => *po,
            other => panic!("{other:?}"),
        });
        forged.total = crate::decimal::Money::ZERO;
        snap.records.push((
            Key::PoBrief(PoStatus::Closed, 1),
            1,
            Value::PoBrief(forged.clone()),
        ));
        snap.records
            .push((Key::PoBrief(PoStatus::Draft, 9), 1, Value::PoBrief(forged)));
        let back = MemoryStore::from_snapshot(snap).unwrap_or_default();
        let all: Vec<(Key, Value)> = back
            .bulk
            .iter()
            .map(|(k, (_, v))| (k.clone(), v.clone()))
            .collect();
        let want: Vec<(Key, Value)> = k
            .store
            .bulk
            .iter()
            .map(|(k, (_, v))| (k.clone(), v.clone()))
            .collect();
        assert_eq!(all, want);
        assert!(want
            .iter()
            .any(|(k, _)| *k == Key::PoBrief(PoStatus::Ordered, 3)));
        assert_eq!(want.len(), 2);
    }

    /// A changeset read at an older generation is refused whole, whatever
    /// it read; at the current one it applies, and the generation moves.
    #[test]
    fn a_changeset_from_an_older_generation_is_a_conflict_and_changes_nothing() {
        let mut k = kit();
        let g = k.store.generation().unwrap_or_default();
        assert!(g > 0, "the kit committed: {g}");
        let before = k.store.snapshot();
        let write = |base| Changeset {
            writes: vec![(Key::LowStockAlert(99), Some(Value::Counter(1)))],
            base: Some(base),
            ..Changeset::default()
        };
        let e = k.store.commit(write(g - 1)).map(|_| ()).unwrap_err();
        assert_eq!(e.code(), "conflict");
        assert_eq!(k.store.snapshot(), before);
        assert_eq!(k.store.generation(), Some(g));
        assert!(k.store.commit(write(g)).is_ok());
        assert_eq!(k.store.generation(), Some(g + 1));
        assert!(matches!(
            k.store.get(&Key::LowStockAlert(99)),
            Ok(Some((1, _)))
        ));
    }

    #[test]
    fn a_stale_brief_version_is_a_conflict_and_changes_nothing() {
        let mut k = kit();
        let before = k.store.snapshot();
        // Briefs are not in snapshots: compare them (and their versions) too.
        let briefs_before = k.store.bulk.clone();
        let brief = match k.store.get(&Key::PoBrief(PoStatus::Draft, 1)) {
            Ok(Some((_, Value::PoBrief(b)))) => b,
            other => panic!("{other:?}"),
        };
        let cs = Changeset {
            reads: vec![(Key::PoBrief(PoStatus::Draft, 1), 7)],
            writes: vec![(
                Key::PoBrief(PoStatus::Draft, 1),
                Some(Value::PoBrief(brief.clone())),
            )],
            ..Changeset::default()
        };
        let e = k.store.commit(cs).map(|_| ()).unwrap_err();
        assert_eq!(e.code(), "conflict");
        assert_eq!(k.store.snapshot(), before);
        assert_eq!(k.store.bulk, briefs_before);
        // With the right version it applies and bumps the version.
        let cs = Changeset {
            reads: vec![(Key::PoBrief(PoStatus::Draft, 1), 1)],
            writes: vec![(
                Key::PoBrief(PoStatus::Draft, 1),
                Some(Value::PoBrief(PoBrief::clone(&brief))),
            )],
            ..Changeset::default()
        };
        k.store.commit(cs).unwrap_or_default();
        assert!(matches!(
            k.store.get(&Key::PoBrief(PoStatus::Draft, 1)),
            Ok(Some((2, _)))
        ));
    }
}
