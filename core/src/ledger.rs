//! The stock movement ledger and stock levels (RULES §2).
//!
//! The ledger is append-only and is the only way `on_hand` changes: every change
//! goes through [`apply`], which writes exactly one movement and the new level in
//! the same transaction. Invariants per (product, location): each
//! `balance_after` = previous + `quantity`, the last equals `on_hand`, and
//! `on_hand` never goes below zero (a larger decrease is clamped and the movement
//! keeps the requested quantity beside the applied one). Movements of one
//! (product, location) are in time order because backdating is refused, which is
//! what lets [`Store::movement_at`](crate::store::Store::movement_at) answer
//! "stock as of" with one lookup.

use crate::auth::Actor;
use crate::catalog::MAIN_LOCATION;
use crate::decimal::Quantity;
use crate::error::{Error, Result};
use crate::paging::Direction;
use crate::product::StockRules;
use crate::store::{Counter, Key, Scan, Value};
use crate::tx::Tx;
use crate::validate;
use crate::Id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Why stock changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementType {
    /// Stock in from a supplier (receipts, manual Add).
    Purchase,
    /// Out on an invoice.
    Consumption,
    /// Manual correction (Subtract, Set).
    Adjustment,
    /// Customer stock coming back (+) or stock sent back to a supplier (-).
    Return,
}

/// The wire names of every [`MovementType`], in declaration order: the
/// choices a host offers for a movement filter (the CLI's `ledger --type`),
/// so it can refuse a typo before building a request without keeping its
/// own copy of the names.
pub const MOVEMENT_TYPES: [&str; 4] = ["purchase", "consumption", "adjustment", "return"];

/// Who or what caused a movement.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Source {
    /// The actor that gave the command.
    pub actor: String,
    /// A ticket (job) reference.
    pub ticket: Option<String>,
    /// The sales document.
    pub invoice: Option<Id>,
    /// The purchase order.
    pub purchase_order: Option<Id>,
    /// The client.
    pub client: Option<String>,
}

impl Source {
    /// A source naming only the actor.
    pub fn actor(a: &Actor) -> Self {
        Source {
            actor: a.id.clone(),
            ..Default::default()
        }
    }
}

/// One entry of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    /// Gapless, increasing from 1.
    pub seq: u64,
    /// When (the command's `now`).
    #[serde(serialize_with = "crate::text::serialize_utc")]
    pub at: DateTime<Utc>,
    /// Product.
    pub product_id: Id,
    /// Location.
    pub location_id: Id,
    /// Type.
    #[serde(rename = "type")]
    pub kind: MovementType,
    /// Quantity applied, signed.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub quantity: Quantity,
    /// Quantity requested, where clamping made it differ from `quantity`.
    #[serde(default, deserialize_with = "crate::decimal::stored::quantity_opt")]
    pub requested: Option<Quantity>,
    /// On-hand of (product, location) after this movement.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub balance_after: Quantity,
    /// Reason.
    pub reason: Option<String>,
    /// Source.
    pub source: Source,
}

/// The stored stock of one (product, location).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    /// Product.
    pub product_id: Id,
    /// Location.
    pub location_id: Id,
    /// Physically there (>= 0).
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub on_hand: Quantity,
    /// Reserved by sales orders (>= 0).
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub held: Quantity,
    /// Outstanding on ordered and partially received POs.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub incoming: Quantity,
    /// Time of the newest movement (no change may be earlier).
    #[serde(serialize_with = "crate::text::serialize_opt_utc")]
    pub last_movement_at: Option<DateTime<Utc>>,
}

impl StockLevel {
    /// Nothing at all.
    pub fn empty(product_id: Id, location_id: Id) -> Self {
        StockLevel {
            product_id,
            location_id,
            on_hand: Quantity::ZERO,
            held: Quantity::ZERO,
            incoming: Quantity::ZERO,
            last_movement_at: None,
        }
    }

    /// `on_hand - held`; negative when a manual decrease left holds uncovered.
    pub fn available(&self) -> Quantity {
        self.on_hand - self.held
    }
}

/// Stock of a product summed over its locations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockTotals {
    /// Sum of on-hand.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub on_hand: Quantity,
    /// Sum of held.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub held: Quantity,
    /// `on_hand - held`.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub available: Quantity,
    /// Sum of incoming.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub incoming: Quantity,
    /// True when some location holds more than it has.
    pub oversold: bool,
    /// Tracked and at or below the threshold.
    pub low_stock: bool,
}

impl StockTotals {
    /// Totals of a product's levels.
    pub fn of(product: &StockRules, levels: &[StockLevel]) -> Self {
        let on_hand: Quantity = levels.iter().map(|l| l.on_hand).sum();
        let held: Quantity = levels.iter().map(|l| l.held).sum();
        StockTotals {
            on_hand,
            held,
            available: on_hand - held,
            incoming: levels.iter().map(|l| l.incoming).sum(),
            oversold: levels.iter().any(|l| l.available().is_negative()),
            low_stock: product.track_inventory && on_hand <= product.low_stock_threshold,
        }
    }
}

/// A manual stock operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Add (logged as `purchase`).
    Add,
    /// Subtract (logged as `adjustment`).
    Subtract,
    /// Set to a count (logged as `adjustment`).
    Set,
}

/// `update_stock` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateStock {
    /// Product.
    pub product_id: Id,
    /// Location, default `Main`.
    #[serde(default)]
    pub location_id: Option<Id>,
    /// Add, subtract or set.
    pub operation: Operation,
    /// Quantity (>= 0, within the product's decimal places).
    pub quantity: Quantity,
    /// Reason ("cycle count", "damaged").
    #[serde(default)]
    pub reason: Option<String>,
    /// The on-hand the caller saw; `conflict` if the stock moved since.
    #[serde(default)]
    pub expected_on_hand: Option<Quantity>,
    /// Ticket reference for the source.
    #[serde(default)]
    pub ticket: Option<String>,
    /// Client for the source.
    #[serde(default)]
    pub client: Option<String>,
}

/// A stock level as answered: the record with its `available`, so no client
/// works out `on_hand - held` itself (`get_stock`, `get_product`, `update_stock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockView {
    /// Product.
    pub product_id: Id,
    /// Location.
    pub location_id: Id,
    /// On hand.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub on_hand: Quantity,
    /// Held.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub held: Quantity,
    /// Available.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub available: Quantity,
    /// Incoming.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub incoming: Quantity,
    /// Time of the newest movement here (`null`: none yet).
    #[serde(serialize_with = "crate::text::serialize_opt_utc")]
    pub last_movement_at: Option<DateTime<Utc>>,
}

impl From<&StockLevel> for StockView {
    fn from(l: &StockLevel) -> Self {
        StockView {
            product_id: l.product_id,
            location_id: l.location_id,
            on_hand: l.on_hand,
            held: l.held,
            available: l.available(),
            incoming: l.incoming,
            last_movement_at: l.last_movement_at,
        }
    }
}

/// `update_stock` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockChange {
    /// The movement written (`null` for a change of zero).
    pub movement: Option<Movement>,
    /// The stock after the change.
    pub stock: StockView,
}

/// `get_stock` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetStock {
    /// Product.
    pub product_id: Id,
    /// Only this location.
    #[serde(default)]
    pub location_id: Option<Id>,
}

/// `get_stock` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockReport {
    /// Product.
    pub product_id: Id,
    /// Totals over the listed locations.
    pub totals: StockTotals,
    /// Per location.
    pub locations: Vec<StockView>,
}

/// `stock_as_of` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockAsOf {
    /// Product.
    pub product_id: Id,
    /// The moment asked about (movements at exactly this time are included).
    pub at: DateTime<Utc>,
    /// Only this location.
    #[serde(default)]
    pub location_id: Option<Id>,
}

/// On-hand of one location at a past time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationOnHand {
    /// Location.
    pub location_id: Id,
    /// On hand then.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub on_hand: Quantity,
}

/// `stock_as_of` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastStock {
    /// Product.
    pub product_id: Id,
    /// The moment.
    pub at: DateTime<Utc>,
    /// Total on hand then.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub on_hand: Quantity,
    /// Per location.
    pub locations: Vec<LocationOnHand>,
}

/// Default and largest page of `list_movements`.
pub const MOVEMENT_PAGE: usize = 100;
/// Largest page of `list_movements`.
pub const MAX_MOVEMENT_PAGE: usize = 1000;

/// `list_movements` arguments. Pages are cursors: pass the answer's
/// `next_after_seq` as `after_seq` to continue (an append-only ledger pages
/// stably this way, even while it grows). Newest first (`direction: desc`,
/// what a person reading the ledger wants) pages back with `before_seq` and
/// `next_before_seq`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListMovements {
    /// Only this product.
    #[serde(default)]
    pub product_id: Option<Id>,
    /// Only this location.
    #[serde(default)]
    pub location_id: Option<Id>,
    /// Only this type.
    #[serde(default, rename = "type")]
    pub kind: Option<MovementType>,
    /// From this time (inclusive).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
    /// Continue after this sequence number.
    #[serde(default)]
    pub after_seq: Option<u64>,
    /// Only sequence numbers below this (the cursor of newest-first pages).
    #[serde(default)]
    pub before_seq: Option<u64>,
    /// `asc` (default: oldest first) or `desc` (newest first).
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Page size, default 100, at most 1000.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `list_movements` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovementPage {
    /// Movements in sequence order (descending when asked `desc`).
    pub movements: Vec<Movement>,
    /// True when more match after the last one (before it, when `desc`).
    pub has_more: bool,
    /// `after_seq` for the next page (oldest-first pages only).
    pub next_after_seq: Option<u64>,
    /// `before_seq` for the next page; present on newest-first pages only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before_seq: Option<u64>,
}

/// A ledger query as the store sees it. Serde, because the host-store
/// protocol of the wasm module sends queries to its host as they are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct MovementQuery {
    /// Only this product.
    pub product_id: Option<Id>,
    /// Only this location.
    pub location_id: Option<Id>,
    /// Only this type.
    pub kind: Option<MovementType>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
    /// Sequence numbers above this.
    pub after_seq: Option<u64>,
    /// Sequence numbers below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_seq: Option<u64>,
    /// Newest first (the first `limit` matches from the end).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub newest_first: bool,
    /// At most this many.
    pub limit: usize,
}

impl MovementQuery {
    /// Whether a movement passes every filter but the cursor and limit.
    pub fn matches(&self, m: &Movement) -> bool {
        self.product_id.is_none_or(|p| m.product_id == p)
            && self.location_id.is_none_or(|l| m.location_id == l)
            && self.kind.is_none_or(|k| m.kind == k)
            && self.from.is_none_or(|f| m.at >= f)
            && self.to.is_none_or(|t| m.at < t)
    }

    /// Whether a movement belongs in the answer, the limit aside: it passes
    /// every filter and lies strictly between the cursors (`after_seq`,
    /// `before_seq`). What a store that walks its ledger keeps.
    pub fn selects(&self, m: &Movement) -> bool {
        self.after_seq.is_none_or(|a| m.seq > a)
            && self.before_seq.is_none_or(|b| m.seq < b)
            && self.matches(m)
    }
}

/// Reads the level of (product, location), zero when never stocked.
pub fn level(tx: &mut Tx<'_>, product_id: Id, location_id: Id) -> Result<StockLevel> {
    match tx.get(&Key::Stock(product_id, location_id))? {
        Some(Value::Stock(l)) => Ok(l.clone()),
        _ => Ok(StockLevel::empty(product_id, location_id)),
    }
}

/// Every stored level of a product, by location id.
pub fn levels(tx: &mut Tx<'_>, product_id: Id) -> Result<Vec<StockLevel>> {
    let mut out = Vec::new();
    tx.scan(Scan::StockOf(product_id), |_, v| {
        if let Value::Stock(l) = v {
            out.push(l.clone());
        }
        ControlFlow::Continue(())
    })?;
    Ok(out)
}

/// Totals of a product.
pub fn totals(tx: &mut Tx<'_>, product_id: Id) -> Result<StockTotals> {
    let p = tx.rules(product_id)?;
    let ls = levels(tx, product_id)?;
    Ok(StockTotals::of(&p, &ls))
}

/// Writes a level, refusing one that outgrew what a store reads back
/// ([`crate::decimal::STORED_QUANTITY`]: a level is a sum of inputs, each
/// within the request limits, so only a very long history gets there).
pub fn put_level(tx: &mut Tx<'_>, l: StockLevel) -> Result<()> {
    for q in [l.on_hand, l.held, l.incoming] {
        crate::decimal::check(q.get(), crate::decimal::STORED_QUANTITY)
            .map_err(|why| Error::field("quantity", format!("a stock level may have {why}")))?;
    }
    tx.put(Key::Stock(l.product_id, l.location_id), Value::Stock(l));
    Ok(())
}

/// THE way on-hand changes: one movement of `requested` (signed) at (product,
/// location), clamped so on-hand stays >= 0. Writes nothing for zero. Refuses a
/// `now` earlier than the newest movement there (no backdating).
pub fn apply(
    tx: &mut Tx<'_>,
    product: &StockRules,
    location_id: Id,
    kind: MovementType,
    requested: Quantity,
    reason: Option<String>,
    source: Source,
) -> Result<Option<Movement>> {
    if !product.track_inventory {
        return Err(Error::NotTracked {
            product_id: product.id,
        });
    }
    if requested.is_zero() {
        return Ok(None);
    }
    let mut l = level(tx, product.id, location_id)?;
    if l.last_movement_at.is_some_and(|t| tx.now < t) {
        return Err(Error::field(
            "now",
            "earlier than the newest movement of this product and location (no backdating)",
        ));
    }
    let applied = if (l.on_hand + requested).is_negative() {
        -l.on_hand
    } else {
        requested
    };
    l.on_hand += applied;
    l.last_movement_at = Some(tx.now);
    let seq = tx.next(Counter::Ledger)?;
    let m = Movement {
        seq,
        at: tx.now,
        product_id: product.id,
        location_id,
        kind,
        quantity: applied,
        requested: (applied != requested).then_some(requested),
        balance_after: l.on_hand,
        reason,
        source,
    };
    put_level(tx, l)?;
    tx.push_movement(m.clone());
    Ok(Some(m))
}

/// A manual Add / Subtract / Set at one location.
pub fn change_stock(
    tx: &mut Tx<'_>,
    product: &StockRules,
    location_id: Id,
    op: Operation,
    quantity: Quantity,
    reason: Option<String>,
    source: Source,
) -> Result<Option<Movement>> {
    if !product.track_inventory {
        return Err(Error::NotTracked {
            product_id: product.id,
        });
    }
    if quantity.is_negative() {
        return Err(Error::field("quantity", "must be >= 0"));
    }
    validate::within_places("quantity", quantity, product.decimal_places)?;
    let on_hand = match tx.get(&Key::Stock(product.id, location_id))? {
        Some(Value::Stock(l)) => l.on_hand,
        // No stock there yet: the location must exist (locations are never deleted).
        _ => {
            tx.location(location_id)?;
            Quantity::ZERO
        }
    };
    let (kind, delta) = match op {
        Operation::Add => (MovementType::Purchase, quantity),
        Operation::Subtract => (MovementType::Adjustment, -quantity),
        Operation::Set => (MovementType::Adjustment, quantity - on_hand),
    };
    apply(tx, product, location_id, kind, delta, reason, source)
}

/// `update_stock`.
pub fn update_stock(tx: &mut Tx<'_>, actor: &Actor, a: UpdateStock) -> Result<StockChange> {
    let product = tx.rules(a.product_id)?;
    let location_id = a.location_id.unwrap_or(MAIN_LOCATION);
    let reason = validate::text("reason", a.reason.as_deref(), validate::MAX_TEXT)?;
    let ticket = validate::text("ticket", a.ticket.as_deref(), validate::MAX_CODE)?;
    let client = validate::text("client", a.client.as_deref(), validate::MAX_NAME)?;
    if let Some(expected) = a.expected_on_hand {
        if product.track_inventory {
            let now = level(tx, product.id, location_id)?.on_hand;
            if now != expected {
                return Err(Error::conflict(format!(
                    "on-hand is {now}, not the expected {expected}: the stock moved since it was read"
                )));
            }
        }
    }
    let source = Source {
        actor: actor.id.clone(),
        ticket,
        client,
        ..Default::default()
    };
    let movement = change_stock(
        tx,
        &product,
        location_id,
        a.operation,
        a.quantity,
        reason,
        source,
    )?;
    let stock = StockView::from(&level(tx, product.id, location_id)?);
    Ok(StockChange { movement, stock })
}

/// `get_stock`.
pub fn get_stock(tx: &mut Tx<'_>, _: &Actor, a: GetStock) -> Result<StockReport> {
    let product = tx.rules(a.product_id)?;
    let mut ls = levels(tx, product.id)?;
    if let Some(loc) = a.location_id {
        tx.location(loc)?;
        ls.retain(|l| l.location_id == loc);
        if ls.is_empty() {
            ls.push(StockLevel::empty(product.id, loc));
        }
    }
    Ok(StockReport {
        product_id: product.id,
        totals: StockTotals::of(&product, &ls),
        locations: ls.iter().map(StockView::from).collect(),
    })
}

/// `stock_as_of`: on-hand at a past moment, from the ledger.
pub fn stock_as_of(tx: &mut Tx<'_>, _: &Actor, a: StockAsOf) -> Result<PastStock> {
    let product = tx.rules(a.product_id)?;
    let mut locs: Vec<Id> = levels(tx, product.id)?
        .into_iter()
        .map(|l| l.location_id)
        .collect();
    if let Some(loc) = a.location_id {
        tx.location(loc)?;
        locs = vec![loc];
    }
    let mut locations = Vec::new();
    for loc in locs {
        let on_hand = tx
            .store()
            .movement_at(product.id, loc, a.at)?
            .map(|m| m.balance_after)
            .unwrap_or_default();
        locations.push(LocationOnHand {
            location_id: loc,
            on_hand,
        });
    }
    let on_hand = locations.iter().map(|l| l.on_hand).sum();
    Ok(PastStock {
        product_id: product.id,
        at: a.at,
        on_hand,
        locations,
    })
}

/// `list_movements`.
pub fn list_movements(tx: &mut Tx<'_>, _: &Actor, a: ListMovements) -> Result<MovementPage> {
    let limit = a.limit.map(|l| l as usize).unwrap_or(MOVEMENT_PAGE);
    if limit == 0 || limit > MAX_MOVEMENT_PAGE {
        return Err(Error::field(
            "limit",
            format!("between 1 and {MAX_MOVEMENT_PAGE}"),
        ));
    }
    if let (Some(f), Some(t)) = (a.from, a.to) {
        if t < f {
            return Err(Error::field("to", "before `from`"));
        }
    }
    let q = MovementQuery {
        product_id: a.product_id,
        location_id: a.location_id,
        kind: a.kind,
        from: a.from,
        to: a.to,
        after_seq: a.after_seq,
        before_seq: a.before_seq,
        newest_first: a.direction == Some(Direction::Desc),
        limit: limit + 1,
    };
    let mut movements = tx.store().movements(&q)?;
    let has_more = movements.len() > limit;
    movements.truncate(limit);
    let next = if has_more {
        movements.last().map(|m| m.seq)
    } else {
        None
    };
    let (next_after_seq, next_before_seq) = if q.newest_first {
        (None, next)
    } else {
        (next, None)
    };
    Ok(MovementPage {
        movements,
        has_more,
        next_after_seq,
        next_before_seq,
    })
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
