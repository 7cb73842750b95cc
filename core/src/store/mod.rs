//! The storage trait: a small set of primitives every backend implements.
//!
//! The engine never talks SQL or walks maps itself. It reads records by [`Key`]
//! (each read remembers the record's [`Version`]), scans a kind of record, reads the
//! ledger, and hands the store ONE [`Changeset`] per command. The changeset carries
//! the versions the engine read; a store shared by several writers refuses it with
//! `conflict` when any of them moved in between (optimistic concurrency), and
//! otherwise applies all of it atomically. Domain rules never live in a store, so
//! the in-memory store, SQLite and a future PostgreSQL adapter behave the same.

mod consistency;
pub mod memory;

use crate::catalog::{Category, Location, VatRate};
use crate::error::Result;
use crate::ledger::{Movement, MovementQuery, StockLevel};
use crate::product::Product;
use crate::protocol::StoredOutcome;
use crate::purchasing::brief::PoBrief;
use crate::purchasing::PurchaseOrder;
use crate::sales::SalesDocument;
use crate::settings::Settings;
use crate::supplier::Supplier;
use crate::Id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::ControlFlow;

/// Version of a stored record: 0 means "absent", it grows by one on every write.
pub type Version = u64;

/// Which counter a [`Key::Counter`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counter {
    /// The ledger's next sequence number minus one (= number of movements).
    Ledger,
    /// Internal ids of an entity kind.
    Ids(Kind),
    /// A human-facing number sequence (`PO-2026-0001`); `year` is 0 for formats
    /// without a year token, which therefore never reset.
    Number {
        /// Which sequence.
        sequence: crate::numbering::Sequence,
        /// The year it counts in, or 0.
        year: i32,
    },
}

/// Kinds of records, for scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Warehouses.
    Location,
    /// Product categories.
    Category,
    /// VAT rates.
    VatRate,
    /// Suppliers.
    Supplier,
    /// Products.
    Product,
    /// Stock levels per (product, location).
    Stock,
    /// Purchase orders.
    PurchaseOrder,
    /// Sales documents.
    SalesDocument,
    /// Briefs of the purchase orders in one status (what PO lists filter and
    /// sort on; one kind per status, so a status filter scans only its own).
    PoBrief(crate::purchasing::PoStatus),
}

/// Address of one record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// The settings (one record).
    Settings,
    /// A counter.
    Counter(Counter),
    /// A location by id.
    Location(Id),
    /// A category by id.
    Category(Id),
    /// A VAT rate by id.
    VatRate(Id),
    /// A supplier by id.
    Supplier(Id),
    /// A product by id.
    Product(Id),
    /// Unique index: SKU -> product id.
    Sku(String),
    /// Stock of (product, location).
    Stock(Id, Id),
    /// When the last low-stock alert of a product was raised.
    LowStockAlert(Id),
    /// A purchase order by id.
    PurchaseOrder(Id),
    /// Unique index: PO number -> PO id.
    PoNumber(String),
    /// An idempotency key and the answer it gave.
    Idempotency(String),
    /// A sales document by id.
    SalesDocument(Id),
    /// The brief of a purchase order, by its status and the PO's id (kept
    /// with the PO; moves when the status does).
    PoBrief(crate::purchasing::PoStatus, Id),
}

impl Key {
    /// The scan kind this key belongs to, if it is scannable.
    pub fn kind(&self) -> Option<Kind> {
        Some(match self {
            Key::Location(_) => Kind::Location,
            Key::Category(_) => Kind::Category,
            Key::VatRate(_) => Kind::VatRate,
            Key::Supplier(_) => Kind::Supplier,
            Key::Product(_) => Kind::Product,
            Key::Stock(..) => Kind::Stock,
            Key::PurchaseOrder(_) => Kind::PurchaseOrder,
            Key::SalesDocument(_) => Kind::SalesDocument,
            Key::PoBrief(s, _) => Kind::PoBrief(*s),
            _ => return None,
        })
    }
}

/// What an idempotency key remembers: which request it was used for and the
/// answer given, so a retry gets the same answer and changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// Canonical form of the request (actor, command and arguments; not `now`).
    pub fingerprint: String,
    /// The answer of the first execution, as the JSON text it was stored in.
    pub outcome: StoredOutcome,
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Value {
    /// Settings.
    Settings(Box<Settings>),
    /// A counter's current value.
    Counter(u64),
    /// A location.
    Location(Box<Location>),
    /// A category.
    Category(Box<Category>),
    /// A VAT rate.
    VatRate(Box<VatRate>),
    /// A supplier.
    Supplier(Box<Supplier>),
    /// A product.
    Product(Box<Product>),
    /// An index entry pointing at an id.
    Ref(Id),
    /// A stock level.
    Stock(StockLevel),
    /// Time of the last low-stock alert.
    Time(DateTime<Utc>),
    /// A purchase order with its lines.
    PurchaseOrder(Box<PurchaseOrder>),
    /// An idempotency record.
    Idempotency(Box<IdempotencyRecord>),
    /// A sales document with its lines.
    SalesDocument(Box<SalesDocument>),
    /// A purchase order's brief (small: stored inline).
    PoBrief(PoBrief),
}

/// What to scan. Serde, because the host-store protocol of the wasm module
/// sends scans to its host as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scan {
    /// Every record of a kind, in key order.
    All(Kind),
    /// The stock levels of one product, by location id.
    StockOf(Id),
}

/// Everything one command changes, applied atomically or not at all.
/// Serde, because the wasm module's host-store protocol sends it to the host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Changeset {
    /// Every key the engine read, with the version it saw (0: absent), in no
    /// particular order (nor are `writes`). The store
    /// refuses the changeset with `conflict` if any of them changed since.
    /// Empty when `base` is set.
    pub reads: Vec<(Key, Version)>,
    /// The store's [`Store::generation`] when the command began, for stores
    /// that have one; then `reads` is left empty and the store refuses the
    /// changeset unless nothing was committed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<u64>,
    /// New values (`None` deletes), each bumping the key's version.
    pub writes: Vec<(Key, Option<Value>)>,
    /// Movements to append, in sequence order, continuing the ledger.
    pub movements: Vec<Movement>,
    /// Events raised by the command (low-stock alerts go to a host's outbox).
    pub events: Vec<crate::protocol::Event>,
}

impl Changeset {
    /// True when the command changed nothing.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.movements.is_empty()
    }
}

/// A backend that keeps Stockbook's records.
///
/// Implement the primitives; the engine does the rest. Reads must see the last
/// committed state; `commit` must be atomic and check every read version.
///
/// A new store starts with the [`genesis`] records. Every write of a key sets
/// its [`Version`] to one more than before (1 for a new key); a deleted key
/// reads as absent (version 0). `core/examples/own_store.rs` is a complete
/// implementation outside the crate, checked against [`memory::MemoryStore`].
///
/// Errors are the crate's [`Error`](crate::Error). The protocol has no code
/// for a failing backend (I/O, a lost connection, undecodable data): the
/// SQLite store answers those with `conflict`, saying nothing was applied.
pub trait Store {
    /// Reads one record and its version.
    fn get(&self, key: &Key) -> Result<Option<(Version, Value)>>;

    /// Like [`Store::get`], but may lend the record instead of copying it. Stores
    /// that keep records in memory override this; the default copies.
    fn get_ref(&self, key: &Key) -> Result<Option<(Version, Cow<'_, Value>)>> {
        Ok(self.get(key)?.map(|(v, val)| (v, Cow::Owned(val))))
    }

    /// Visits records in key order until `visit` breaks.
    fn scan(
        &self,
        scan: Scan,
        visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> Result<()>;

    /// Movements matching a query, at most `query.limit`: those that pass
    /// [`MovementQuery::matches`] with a `seq` strictly between `after_seq`
    /// and `before_seq` (each bound optional), in ascending sequence order,
    /// or descending from the newest when `query.newest_first` (the first
    /// `limit` matches counted from the end).
    fn movements(&self, query: &MovementQuery) -> Result<Vec<Movement>>;

    /// The last movement of (product, location) at or before `at`: its balance is
    /// the stock at that time.
    fn movement_at(
        &self,
        product_id: Id,
        location_id: Id,
        at: DateTime<Utc>,
    ) -> Result<Option<Movement>>;

    /// Applies a changeset atomically, or refuses it with `conflict` when a read
    /// version is stale. Nothing is applied on error.
    fn commit(&mut self, changeset: Changeset) -> Result<()>;

    /// A number that changes with every commit, for a store that can tell
    /// cheaply whether anything was committed since a command began (a
    /// store in one process's memory). The engine then sends `base` instead
    /// of every read key and version, and the store checks one number
    /// instead of looking every key up again (~8 % of a stock update in
    /// memory). `None` (the default): the engine sends the reads.
    fn generation(&self) -> Option<u64> {
        None
    }
}

/// The records every new store starts with (the `Main` location), so every
/// backend begins from the same state.
pub fn genesis() -> Vec<(Key, Value)> {
    vec![
        (
            Key::Location(crate::catalog::MAIN_LOCATION),
            Value::Location(Box::new(Location::main())),
        ),
        (
            Key::Counter(Counter::Ids(Kind::Location)),
            Value::Counter(crate::catalog::MAIN_LOCATION),
        ),
    ]
}
