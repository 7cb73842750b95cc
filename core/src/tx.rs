//! A command's view of the store: reads go through to the store once and are
//! remembered with their versions; writes stay here until the command is done
//! and become ONE [`Changeset`]. A command that fails simply drops its `Tx`, so
//! nothing it did reaches the store.

use crate::error::{Error, Result};
use crate::ledger::Movement;
use crate::protocol::Event;
use crate::store::{Changeset, Key, Scan, Store, Value, Version};
use crate::Id;
use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::ops::ControlFlow;

struct Entry<'s> {
    /// Version seen in the store, if the store was asked.
    read: Option<Version>,
    /// Lent by the store until this transaction writes it.
    value: Option<Cow<'s, Value>>,
    dirty: bool,
}

/// A transaction in progress over a store.
pub struct Tx<'s> {
    store: &'s dyn Store,
    cache: Cache<'s>,
    movements: Vec<Movement>,
    events: Vec<Event>,
    /// The store's generation when this transaction began, if it has one
    /// (then the changeset carries it instead of the reads).
    base: Option<u64>,
    /// While [`Tx::attempt`] runs: the state each written key had before its
    /// first write in the attempt (`None`: not in the cache), to roll back.
    journal: Option<Vec<(Key, Option<Saved<'s>>)>>,
    /// The command's time.
    pub now: DateTime<Utc>,
}

/// The keys a transaction read or wrote. Most commands touch a handful of
/// keys (`update_stock`: the product, one stock level, a counter, an alert
/// time): those are found by comparing a few keys in one small vector, which
/// beats hashing them and avoids allocating a hash table per command (a table
/// sized for 16 entries was a ~4.6 KB allocation, too big for the allocator's
/// fast path, ~10 % of `update_stock`). Past [`Cache::LINEAR`] keys (a
/// 1,000-line receipt, a scan-heavy command) a hash index over the vector
/// takes over, so lookups stay O(1).
struct Cache<'s> {
    entries: Vec<(Key, Entry<'s>)>,
    /// Position of every key in `entries`, once there are more than
    /// [`Cache::LINEAR`] of them; empty before.
    index: FxHashMap<Key, usize>,
}

impl<'s> Cache<'s> {
    const LINEAR: usize = 8;

    fn new() -> Self {
        Cache {
            entries: Vec::with_capacity(6),
            index: FxHashMap::default(),
        }
    }

    #[inline]
    fn find(&self, key: &Key) -> Option<usize> {
        if self.entries.len() <= Self::LINEAR {
            self.entries.iter().position(|(k, _)| k == key)
        } else {
            self.index.get(key).copied()
        }
    }

    fn get(&self, key: &Key) -> Option<&Entry<'s>> {
        self.find(key).map(|i| &self.entries[i].1)
    }

    fn get_mut(&mut self, key: &Key) -> Option<&mut Entry<'s>> {
        self.find(key).map(|i| &mut self.entries[i].1)
    }

    /// Adds a key that is not in the cache; returns its position.
    fn push(&mut self, key: Key, e: Entry<'s>) -> usize {
        let i = self.entries.len();
        if i >= Self::LINEAR {
            if self.index.is_empty() {
                self.index.reserve(2 * Self::LINEAR);
                for (j, (k, _)) in self.entries.iter().enumerate() {
                    self.index.insert(k.clone(), j);
                }
            }
            self.index.insert(key.clone(), i);
        }
        self.entries.push((key, e));
        i
    }

    /// Forgets a key (an attempt's rollback of a key it brought in).
    fn remove(&mut self, key: &Key) {
        let Some(i) = self.find(key) else { return };
        self.entries.swap_remove(i);
        if !self.index.is_empty() {
            self.index.remove(key);
            if let Some((moved, _)) = self.entries.get(i) {
                self.index.insert(moved.clone(), i);
            }
        }
        if self.entries.len() <= Self::LINEAR {
            self.index.clear();
        }
    }
}

/// A cache entry's value and dirtiness, as saved by the journal.
type Saved<'s> = (Option<Cow<'s, Value>>, bool);

impl<'s> Tx<'s> {
    /// Starts a transaction at time `now`.
    pub fn new(store: &'s dyn Store, now: DateTime<Utc>) -> Self {
        Tx {
            store,
            cache: Cache::new(),
            movements: Vec::new(),
            events: Vec::new(),
            base: store.generation(),
            journal: None,
            now,
        }
    }

    /// Runs `f` as a unit inside this transaction: if it fails, every write,
    /// movement and event it made is undone (its reads stay, harmlessly). This
    /// is what lets one command act on many documents "each on its own"
    /// (`mark_shipped`) and still hand the store a single changeset.
    /// Attempts do not nest.
    pub fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        debug_assert!(self.journal.is_none(), "attempts do not nest");
        let (movements, events) = (self.movements.len(), self.events.len());
        self.journal = Some(Vec::new());
        let r = f(self);
        let journal = self.journal.take().unwrap_or_default();
        if r.is_err() {
            for (key, saved) in journal.into_iter().rev() {
                match saved {
                    Some((value, dirty)) => {
                        if let Some(e) = self.cache.get_mut(&key) {
                            e.value = value;
                            e.dirty = dirty;
                        }
                    }
                    None => {
                        self.cache.remove(&key);
                    }
                }
            }
            self.movements.truncate(movements);
            self.events.truncate(events);
        }
        r
    }

    /// The underlying store, for reads that need no version (ledger queries).
    pub fn store(&self) -> &'s dyn Store {
        self.store
    }

    /// Reads a record (this transaction's own writes first).
    pub fn get(&mut self, key: &Key) -> Result<Option<&Value>> {
        let i = match self.cache.find(key) {
            Some(i) => i,
            None => {
                let (ver, value) = match self.store.get_ref(key)? {
                    Some((v, val)) => (v, Some(val)),
                    None => (0, None),
                };
                self.cache.push(
                    key.clone(),
                    Entry {
                        read: Some(ver),
                        value,
                        dirty: false,
                    },
                )
            }
        };
        Ok(self.cache.entries[i].1.value.as_deref())
    }

    /// Writes a record.
    pub fn put(&mut self, key: Key, value: Value) {
        self.set(key, Some(value));
    }

    /// Deletes a record.
    pub fn delete(&mut self, key: Key) {
        self.set(key, None);
    }

    fn set(&mut self, key: Key, value: Option<Value>) {
        if let Some(journal) = self.journal.as_mut() {
            let saved = self.cache.get(&key).map(|e| (e.value.clone(), e.dirty));
            journal.push((key.clone(), saved));
        }
        let value = value.map(Cow::Owned);
        match self.cache.get_mut(&key) {
            Some(e) => {
                e.value = value;
                e.dirty = true;
            }
            None => {
                self.cache.push(
                    key,
                    Entry {
                        read: None,
                        value,
                        dirty: true,
                    },
                );
            }
        }
    }

    /// Visits the records of a scan as this transaction sees them (store state
    /// overlaid with this transaction's writes), in key order.
    ///
    /// Scanned records are not added to the read set: a store that lets several
    /// writers interleave must serialise commands (the SQLite host runs each
    /// command in one `BEGIN IMMEDIATE` transaction). Point reads are versioned.
    pub fn scan(
        &mut self,
        scan: Scan,
        mut visit: impl FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> Result<()> {
        // This transaction's own writes in the range, merged in key order.
        let mut pending: Vec<(&Key, Option<&Value>)> = self
            .cache
            .entries
            .iter()
            .filter(|(k, e)| e.dirty && in_scan(scan, k))
            .map(|(k, e)| (k, e.value.as_deref()))
            .collect();
        pending.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut next = 0;
        let mut stopped = false;
        self.store.scan(scan, &mut |k, v| {
            while next < pending.len() && pending[next].0 < k {
                if let Some(pv) = pending[next].1 {
                    if visit(pending[next].0, pv).is_break() {
                        stopped = true;
                        return ControlFlow::Break(());
                    }
                }
                next += 1;
            }
            let flow = if next < pending.len() && pending[next].0 == k {
                next += 1;
                match pending[next - 1].1 {
                    Some(pv) => visit(k, pv),
                    None => ControlFlow::Continue(()),
                }
            } else {
                visit(k, v)
            };
            if flow.is_break() {
                stopped = true;
            }
            flow
        })?;
        if !stopped {
            for (k, pv) in &pending[next..] {
                if let Some(pv) = pv {
                    if visit(k, pv).is_break() {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Appends a movement (its `seq` is assigned by the ledger module).
    pub fn push_movement(&mut self, m: Movement) {
        self.movements.push(m);
    }

    /// Movements appended by this transaction so far.
    pub fn pending_movements(&self) -> &[Movement] {
        &self.movements
    }

    /// Events raised so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Raises an event.
    pub fn emit(&mut self, e: Event) {
        self.events.push(e);
    }

    /// Finishes the transaction into a changeset.
    pub fn into_changeset(self) -> Changeset {
        let n = self.cache.entries.len();
        let keep_reads = self.base.is_none();
        let mut cs = Changeset {
            reads: Vec::with_capacity(if keep_reads { n } else { 0 }),
            writes: Vec::with_capacity(n),
            base: self.base,
            movements: self.movements,
            events: self.events,
        };
        for (k, e) in self.cache.entries {
            if let (true, Some(v)) = (keep_reads, e.read) {
                cs.reads.push((k.clone(), v));
            }
            if e.dirty {
                cs.writes.push((k, e.value.map(Cow::into_owned)));
            }
        }
        // No order is promised: stores apply a changeset as a whole, and a
        // sort here cost a receipt of 1,000 lines ~15 % of its time.
        cs
    }
}

fn in_scan(scan: Scan, k: &Key) -> bool {
    match scan {
        Scan::All(kind) => k.kind() == Some(kind),
        Scan::StockOf(p) => matches!(k, Key::Stock(q, _) if *q == p),
    }
}

/// Typed readers: each returns the record or `not_found`.
macro_rules! typed_get {
    ($($fn:ident, $opt:ident, $key:ident, $variant:ident, $ty:ty, $entity:literal;)*) => {
        impl<'s> Tx<'s> {
            $(
                #[doc = concat!("Reads the ", $entity, ", if it exists.")]
                pub fn $opt(&mut self, id: Id) -> Result<Option<$ty>> {
                    match self.get(&Key::$key(id))? {
                        Some(Value::$variant(x)) => Ok(Some(std::borrow::Borrow::<$ty>::borrow(x).clone())),
                        Some(_) => Err(Error::conflict(concat!("stored ", $entity, " has the wrong type"))),
                        None => Ok(None),
                    }
                }
                #[doc = concat!("Reads the ", $entity, " or answers `not_found`.")]
                pub fn $fn(&mut self, id: Id) -> Result<$ty> {
                    self.$opt(id)?.ok_or_else(|| Error::not_found($entity, id))
                }
            )*
        }
    };
}

typed_get! {
    location, location_opt, Location, Location, crate::catalog::Location, "location";
    category, category_opt, Category, Category, crate::catalog::Category, "category";
    vat_rate, vat_rate_opt, VatRate, VatRate, crate::catalog::VatRate, "vat_rate";
    supplier, supplier_opt, Supplier, Supplier, crate::supplier::Supplier, "supplier";
    product, product_opt, Product, Product, crate::product::Product, "product";
    purchase_order, purchase_order_opt, PurchaseOrder, PurchaseOrder, crate::purchasing::PurchaseOrder, "purchase_order";
}

impl<'s> Tx<'s> {
    /// The stock rules of a product, without copying the whole record.
    pub fn rules_opt(&mut self, id: Id) -> Result<Option<crate::product::StockRules>> {
        match self.get(&Key::Product(id))? {
            Some(Value::Product(p)) => Ok(Some(p.rules())),
            Some(_) => Err(Error::conflict("stored product has the wrong type")),
            None => Ok(None),
        }
    }

    /// The stock rules of a product or `not_found`.
    pub fn rules(&mut self, id: Id) -> Result<crate::product::StockRules> {
        self.rules_opt(id)?
            .ok_or_else(|| Error::not_found("product", id))
    }

    /// Reads a counter (0 when never used).
    pub fn counter(&mut self, c: crate::store::Counter) -> Result<u64> {
        match self.get(&Key::Counter(c))? {
            Some(Value::Counter(n)) => Ok(*n),
            _ => Ok(0),
        }
    }

    /// Increments a counter and returns the new value.
    pub fn next(&mut self, c: crate::store::Counter) -> Result<u64> {
        let n = self
            .counter(c)?
            .checked_add(1)
            .ok_or_else(|| Error::conflict("counter overflow"))?;
        self.put(Key::Counter(c), Value::Counter(n));
        Ok(n)
    }

    /// Reads an index entry.
    pub fn index(&mut self, key: &Key) -> Result<Option<Id>> {
        match self.get(key)? {
            Some(Value::Ref(id)) => Ok(Some(*id)),
            _ => Ok(None),
        }
    }

    /// One thing read off the settings (defaults when never changed),
    /// without copying them: they hold maps, and a copy per command showed in
    /// the profile of the alert check.
    pub fn setting<T>(&mut self, f: impl FnOnce(&crate::settings::Settings) -> T) -> Result<T> {
        match self.get(&Key::Settings)? {
            Some(Value::Settings(s)) => Ok(f(s)),
            // Built once: the defaults hold strings, and building them for
            // every alert check was three allocations a time.
            _ => {
                static DEFAULTS: std::sync::OnceLock<crate::settings::Settings> =
                    std::sync::OnceLock::new();
                Ok(f(DEFAULTS.get_or_init(Default::default)))
            }
        }
    }

    /// The settings (defaults when never changed).
    pub fn settings(&mut self) -> Result<crate::settings::Settings> {
        self.setting(Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::days(20_000)
    }

    fn t(i: i64) -> Value {
        Value::Time(now() + Duration::seconds(i))
    }

    fn read(tx: &mut Tx<'_>, i: Id) -> Option<Value> {
        tx.get(&Key::LowStockAlert(i)).ok().flatten().cloned()
    }

    /// Keys are found by a linear look while few and through the hash index
    /// once past `Cache::LINEAR`; a failed attempt forgets the keys it brought
    /// in (swapping others into their places) and restores those it changed,
    /// on both sides of that line.
    /// A store without a generation (as SQLite is), so changesets carry
    /// their reads.
    struct Ungenerated(MemoryStore);

    impl Store for Ungenerated {
        fn get(&self, key: &Key) -> Result<Option<(Version, Value)>> {
            self.0.get(key)
        }
        fn scan(
            &self,
            scan: Scan,
            visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
        ) -> Result<()> {
            self.0.scan(scan, visit)
        }
        fn movements(&self, q: &crate::ledger::MovementQuery) -> Result<Vec<Movement>> {
            self.0.movements(q)
        }
        fn movement_at(&self, p: Id, l: Id, at: DateTime<Utc>) -> Result<Option<Movement>> {
            self.0.movement_at(p, l, at)
        }
        fn commit(&mut self, cs: Changeset) -> Result<()> {
            self.0.commit(cs)
        }
    }

    /// Over a store with a generation the changeset carries it instead of
    /// the reads; over one without, the reads.
    #[test]
    fn a_changeset_carries_the_generation_or_else_the_reads() {
        let mut store = MemoryStore::new();
        let mut tx = Tx::new(&store, now());
        tx.get(&Key::LowStockAlert(1)).ok();
        tx.put(Key::LowStockAlert(2), t(2));
        let cs = tx.into_changeset();
        assert_eq!((cs.base, cs.reads.len(), cs.writes.len()), (Some(0), 0, 1));
        store.commit(cs).ok();
        let tx = Tx::new(&store, now());
        assert_eq!(tx.into_changeset().base, Some(1));

        let plain = Ungenerated(MemoryStore::new());
        let mut tx = Tx::new(&plain, now());
        tx.get(&Key::LowStockAlert(1)).ok();
        let cs = tx.into_changeset();
        assert_eq!(
            (cs.base, cs.reads),
            (None, vec![(Key::LowStockAlert(1), 0)])
        );
    }

    #[test]
    fn the_cache_finds_every_key_before_and_after_it_spills_and_rolls_back() {
        let store = Ungenerated(MemoryStore::new());
        let mut tx = Tx::new(&store, now());
        for i in 1..=40 {
            tx.put(Key::LowStockAlert(i), t(i as i64));
            for j in 1..=i {
                assert_eq!(read(&mut tx, j), Some(t(j as i64)), "{j} of {i}");
            }
        }
        let r: Result<()> = tx.attempt(|tx| {
            for i in 35..=60 {
                tx.put(Key::LowStockAlert(i), t(-(i as i64)));
            }
            tx.delete(Key::LowStockAlert(2));
            assert_eq!(read(tx, 2), None);
            assert_eq!(read(tx, 50), Some(t(-50)));
            Err(Error::conflict("roll back"))
        });
        assert!(r.is_err());
        for i in 1..=40 {
            assert_eq!(read(&mut tx, i), Some(t(i as i64)), "{i}");
        }
        for i in 41..=60 {
            assert_eq!(read(&mut tx, i), None, "{i}");
        }
        let cs = tx.into_changeset();
        assert_eq!(cs.writes.len(), 40);
        // Only the forgotten keys were read from the store (afterwards).
        assert_eq!(cs.reads.len(), 20);
    }

    #[test]
    fn a_failed_attempt_among_few_keys_restores_them() {
        let store = MemoryStore::new();
        let mut tx = Tx::new(&store, now());
        for i in 1..=3 {
            tx.put(Key::LowStockAlert(i), t(i as i64));
        }
        let r: Result<()> = tx.attempt(|tx| {
            tx.put(Key::LowStockAlert(4), t(4));
            tx.put(Key::LowStockAlert(2), t(20));
            tx.delete(Key::LowStockAlert(1));
            tx.put(Key::LowStockAlert(5), t(5));
            Err(Error::conflict("roll back"))
        });
        assert!(r.is_err());
        let got: Vec<Option<Value>> = (1..=5).map(|i| read(&mut tx, i)).collect();
        assert_eq!(got, vec![Some(t(1)), Some(t(2)), Some(t(3)), None, None]);
        // A successful attempt keeps what it did.
        let ok: Result<()> = tx.attempt(|tx| {
            tx.put(Key::LowStockAlert(9), t(9));
            Ok(())
        });
        assert!(ok.is_ok());
        assert_eq!(read(&mut tx, 9), Some(t(9)));
    }
}
