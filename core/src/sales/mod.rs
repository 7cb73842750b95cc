//! Sales documents (RULES §4): quotes, orders, invoices, refunds and voids, and
//! what each does to stock.
//!
//! A document's type says what stock it has taken: an `order` holds its lines
//! (in `on_hand`, not in `available`), an `invoice` or `refund` has consumed
//! them (`consumption` movements), the others take nothing. Every change of
//! type is therefore a move between three stock states, and [`effect`] is the
//! one table that says which move a change of type makes (or that it is
//! `invalid_transition`). Each line records what it actually holds and what
//! it actually consumed, so releasing or putting back always undoes exactly
//! what was done, even if the product's settings changed in between.

pub mod documents;
pub mod queries;
#[cfg(test)]
mod tests;

use crate::auth::Actor;
use crate::decimal::{Money, Quantity};
use crate::error::{Error, Result, ShortLine};
use crate::ledger::{self, MovementType, Source};
use crate::settings::OversellPolicy;
use crate::store::{Kind, Scan, Value};
use crate::tx::Tx;
use crate::Id;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::ControlFlow;

/// The type of a sales document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// An offer: no stock effect.
    Quote,
    /// Holds its quantities.
    Order,
    /// Has consumed its quantities.
    Invoice,
    /// An invoice that was refunded (stock stays consumed).
    Refund,
    /// Cancelled; final.
    Void,
}

impl DocType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Quote => "quote",
            DocType::Order => "order",
            DocType::Invoice => "invoice",
            DocType::Refund => "refund",
            DocType::Void => "void",
        }
    }

    /// Every type, for tables and tests.
    pub const ALL: [DocType; 5] = [
        DocType::Quote,
        DocType::Order,
        DocType::Invoice,
        DocType::Refund,
        DocType::Void,
    ];
}

/// What a change of type does to stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing.
    None,
    /// Hold the lines (from `available`).
    Hold,
    /// Consume the lines (from `available`).
    Consume,
    /// Release the hold.
    Release,
    /// Release the hold and consume the same lines (never short).
    ReleaseAndConsume,
    /// Put back what was consumed (`return` movements).
    PutBack,
}

/// The one table of type changes (RULES §4). The same type again is a no-op;
/// `void` is final; invoices and refunds never go back to quote or order.
pub fn effect(from: DocType, to: DocType) -> Result<Effect> {
    use DocType as T;
    use Effect as E;
    let e = match (from, to) {
        (T::Void, _) => None,
        (T::Quote, T::Quote) | (T::Order, T::Order) => Some(E::None),
        (T::Quote, T::Order) => Some(E::Hold),
        (T::Quote, T::Invoice | T::Refund) => Some(E::Consume),
        (T::Quote, T::Void) => Some(E::None),
        (T::Order, T::Quote | T::Void) => Some(E::Release),
        (T::Order, T::Invoice | T::Refund) => Some(E::ReleaseAndConsume),
        (T::Invoice | T::Refund, T::Invoice | T::Refund) => Some(E::None),
        (T::Invoice | T::Refund, T::Void) => Some(E::PutBack),
        (T::Invoice | T::Refund, T::Quote | T::Order) => None,
    };
    e.ok_or_else(|| Error::transition(from.as_str(), format!("change_to_{}", to.as_str())))
}

/// How a document left the building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipMethod {
    /// Sent to the client.
    Sent,
    /// Picked up by the client.
    PickedUp,
    /// Sent with a tracking number.
    Tracking,
}

/// The shipment recorded by `mark_shipped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// How.
    pub method: ShipMethod,
    /// The carrier's tracking number (method `tracking`).
    pub tracking_number: Option<String>,
    /// When it was marked.
    pub at: DateTime<Utc>,
}

/// A line of a sales document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesLine {
    /// 1-based line number.
    pub line_no: u32,
    /// Product.
    pub product_id: Id,
    /// Location the stock comes from.
    pub location_id: Id,
    /// Quantity (> 0).
    pub quantity: Quantity,
    /// Unit price (default: the product's price).
    pub unit_price: Money,
    /// What this line holds now (orders of tracked products).
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub held: Quantity,
    /// What this line's consumption took from on-hand (clamped at zero under
    /// the `allow` policy); put back when the document is voided.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub consumed: Quantity,
}

/// A sales document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesDocument {
    /// Id.
    pub id: Id,
    /// Type.
    #[serde(rename = "type")]
    pub doc_type: DocType,
    /// Client.
    pub client: String,
    /// Due date (orders past it with no payment expire).
    pub due_date: Option<NaiveDate>,
    /// Paid so far.
    pub amount_paid: Money,
    /// Sum of quantity x unit price over the lines.
    #[serde(deserialize_with = "crate::decimal::stored::money")]
    pub total: Money,
    /// Lines.
    pub lines: Vec<SalesLine>,
    /// The last shipment, if marked.
    pub shipment: Option<Shipment>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl SalesDocument {
    /// Recomputes `total` from the lines.
    pub(crate) fn retotal(&mut self) {
        self.total = self
            .lines
            .iter()
            .map(|l| l.quantity.times(l.unit_price))
            .sum();
    }
}

/// Reads a document or `not_found`.
pub(crate) fn load(tx: &mut Tx<'_>, id: Id) -> Result<SalesDocument> {
    match tx.get(&crate::store::Key::SalesDocument(id))? {
        Some(Value::SalesDocument(d)) => Ok((**d).clone()),
        _ => Err(Error::not_found("sales_document", id)),
    }
}

/// Writes a document.
pub(crate) fn save(tx: &mut Tx<'_>, mut d: SalesDocument) -> SalesDocument {
    d.updated_at = tx.now;
    tx.put(
        crate::store::Key::SalesDocument(d.id),
        Value::SalesDocument(Box::new(d.clone())),
    );
    d
}

/// Visits every document in id order.
pub(crate) fn each_document(tx: &mut Tx<'_>, mut f: impl FnMut(&SalesDocument)) -> Result<()> {
    tx.scan(Scan::All(Kind::SalesDocument), |_, v| {
        if let Value::SalesDocument(d) = v {
            f(d);
        }
        ControlFlow::Continue(())
    })
}

/// True when a document line uses the product (it cannot be deleted then).
pub fn product_referenced(tx: &mut Tx<'_>, product_id: Id) -> Result<bool> {
    let mut used = false;
    each_document(tx, |d| {
        used |= d.lines.iter().any(|l| l.product_id == product_id)
    })?;
    Ok(used)
}

/// Applies a change of type's stock effect to `doc` (lines updated in place)
/// and sets the new type. Refuses before writing anything.
pub(crate) fn change_type(
    tx: &mut Tx<'_>,
    actor: &Actor,
    doc: &mut SalesDocument,
    to: DocType,
) -> Result<()> {
    match effect(doc.doc_type, to)? {
        Effect::None => {}
        Effect::Hold => hold(tx, doc)?,
        Effect::Consume => consume(tx, actor, doc, true)?,
        Effect::Release => release(tx, doc)?,
        Effect::ReleaseAndConsume => {
            release(tx, doc)?;
            consume(tx, actor, doc, false)?;
        }
        Effect::PutBack => put_back(tx, actor, doc)?,
    }
    doc.doc_type = to;
    Ok(())
}

/// The tracked lines' quantities summed per (product, location): what a hold
/// or a consumption asks of `available`.
fn demand(tx: &mut Tx<'_>, doc: &SalesDocument) -> Result<BTreeMap<(Id, Id), Quantity>> {
    let mut out = BTreeMap::new();
    for l in &doc.lines {
        if tx.rules(l.product_id)?.track_inventory {
            *out.entry((l.product_id, l.location_id))
                .or_insert(Quantity::ZERO) += l.quantity;
        }
    }
    Ok(out)
}

/// Refuses with `insufficient_stock`, listing every short (product,
/// location), when the policy is `reject` and `available` does not cover the
/// demand. For a new hold (`hold`), an oversold product (a location whose
/// holds exceed its stock) is short everywhere until it recovers (RULES §4),
/// reported with that location's negative `available`.
fn check_available(
    tx: &mut Tx<'_>,
    demand: &BTreeMap<(Id, Id), Quantity>,
    hold: bool,
) -> Result<()> {
    if tx.setting(|s| s.oversell_policy)? == OversellPolicy::Allow {
        return Ok(());
    }
    let mut short = Vec::new();
    for (&(product_id, location_id), &requested) in demand {
        let mut available = ledger::level(tx, product_id, location_id)?.available();
        if hold {
            let worst = ledger::levels(tx, product_id)?
                .iter()
                .map(|l| l.available())
                .min();
            if let Some(w) = worst.filter(|w| w.is_negative()) {
                available = available.min(w);
            }
        }
        if available < requested {
            short.push(ShortLine {
                product_id,
                location_id,
                requested,
                available,
            });
        }
    }
    if short.is_empty() {
        Ok(())
    } else {
        Err(Error::InsufficientStock { lines: short })
    }
}

/// Holds every tracked line (an order's stock effect).
fn hold(tx: &mut Tx<'_>, doc: &mut SalesDocument) -> Result<()> {
    let need = demand(tx, doc)?;
    check_available(tx, &need, true)?;
    for l in &mut doc.lines {
        if !tx.rules(l.product_id)?.track_inventory {
            continue;
        }
        let mut level = ledger::level(tx, l.product_id, l.location_id)?;
        level.held += l.quantity;
        ledger::put_level(tx, level)?;
        l.held = l.quantity;
    }
    Ok(())
}

/// Releases exactly what each line holds.
fn release(tx: &mut Tx<'_>, doc: &mut SalesDocument) -> Result<()> {
    for l in &mut doc.lines {
        if l.held.is_zero() {
            continue;
        }
        let mut level = ledger::level(tx, l.product_id, l.location_id)?;
        level.held -= l.held;
        if level.held.is_negative() {
            // Cannot happen while every hold goes through here; never store it.
            level.held = Quantity::ZERO;
        }
        ledger::put_level(tx, level)?;
        l.held = Quantity::ZERO;
    }
    Ok(())
}

/// Consumes every tracked line (`consumption` movements, clamped at zero).
/// `check` is false when the stock comes from the document's own hold.
fn consume(tx: &mut Tx<'_>, actor: &Actor, doc: &mut SalesDocument, check: bool) -> Result<()> {
    if check {
        let need = demand(tx, doc)?;
        check_available(tx, &need, false)?;
    }
    for i in 0..doc.lines.len() {
        let l = &doc.lines[i];
        let rules = tx.rules(l.product_id)?;
        if !rules.track_inventory {
            continue;
        }
        let m = ledger::apply(
            tx,
            &rules,
            l.location_id,
            MovementType::Consumption,
            -l.quantity,
            None,
            source(actor, doc),
        )?;
        doc.lines[i].consumed = m.map_or(Quantity::ZERO, |m| -m.quantity);
    }
    Ok(())
}

/// Puts back what each line consumed (`return` movements).
fn put_back(tx: &mut Tx<'_>, actor: &Actor, doc: &mut SalesDocument) -> Result<()> {
    for i in 0..doc.lines.len() {
        let l = &doc.lines[i];
        if l.consumed.is_zero() {
            continue;
        }
        // The product may have stopped tracking since; the units still came back.
        let mut rules = tx.rules(l.product_id)?;
        rules.track_inventory = true;
        ledger::apply(
            tx,
            &rules,
            l.location_id,
            MovementType::Return,
            l.consumed,
            None,
            source(actor, doc),
        )?;
        doc.lines[i].consumed = Quantity::ZERO;
    }
    Ok(())
}

fn source(actor: &Actor, doc: &SalesDocument) -> Source {
    Source {
        actor: actor.id.clone(),
        invoice: Some(doc.id),
        client: Some(doc.client.clone()),
        ..Default::default()
    }
}
