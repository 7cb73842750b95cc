//! Purchase orders (RULES §3): from draft to ordered to (partially) received,
//! cancelled or closed short. This module owns the PO records; receipts write
//! `purchase` movements through [`crate::ledger::apply`].

pub mod brief;
pub mod orders;
pub mod queries;
pub mod receiving;

use crate::decimal::{Money, Quantity};
use crate::error::{Error, Result};
use crate::store::{Kind, Scan, Value};
use crate::tx::Tx;
use crate::Id;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Where a PO is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoStatus {
    /// Being prepared; the only editable status.
    Draft,
    /// Sent to the supplier.
    Ordered,
    /// Some lines received.
    PartiallyReceived,
    /// Every line complete.
    Received,
    /// Cancelled before anything arrived.
    Cancelled,
    /// Closed short (partially received, the rest will not come).
    Closed,
}

impl PoStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PoStatus::Draft => "draft",
            PoStatus::Ordered => "ordered",
            PoStatus::PartiallyReceived => "partially_received",
            PoStatus::Received => "received",
            PoStatus::Cancelled => "cancelled",
            PoStatus::Closed => "closed",
        }
    }
}

/// Optional references of a PO (field-service reporting).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoReferences {
    /// Job.
    #[serde(default)]
    pub job: Option<String>,
    /// Project.
    #[serde(default)]
    pub project: Option<String>,
    /// Technician.
    #[serde(default)]
    pub technician: Option<String>,
    /// Business unit.
    #[serde(default)]
    pub business_unit: Option<String>,
    /// PO type.
    #[serde(default)]
    pub po_type: Option<String>,
}

/// A line of a PO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoLine {
    /// 1-based line number.
    pub line_no: u32,
    /// Product, or none for a free-text line.
    pub product_id: Option<Id>,
    /// Description (default: the product's name).
    pub description: String,
    /// Ordered quantity (> 0).
    pub quantity: Quantity,
    /// Unit cost (>= 0).
    pub unit_cost: Money,
    /// Destination location.
    pub location_id: Id,
    /// Received so far.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub received: Quantity,
    /// Returned to the supplier so far.
    #[serde(deserialize_with = "crate::decimal::stored::quantity")]
    pub returned: Quantity,
}

/// A purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    /// Id.
    pub id: Id,
    /// Unique number.
    pub number: String,
    /// Supplier.
    pub supplier_id: Id,
    /// Status.
    pub status: PoStatus,
    /// The supplier's reference.
    pub vendor_reference: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Order date.
    pub order_date: NaiveDate,
    /// Expected delivery.
    pub expected_date: Option<NaiveDate>,
    /// Date of the (last) receipt.
    pub received_date: Option<NaiveDate>,
    /// Packing slip number.
    pub packing_slip_number: Option<String>,
    /// References.
    pub references: PoReferences,
    /// Lines.
    pub lines: Vec<PoLine>,
    /// Exported to accounting: no more edits, cancels or closes.
    pub exported: bool,
    /// The PO this one is a backorder of.
    pub backorder_of: Option<Id>,
    /// Backorders created from this PO so far.
    pub backorder_count: u32,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl PurchaseOrder {
    /// Sum of quantity x unit cost.
    pub fn total(&self) -> Money {
        self.lines
            .iter()
            .map(|l| l.quantity.times(l.unit_cost))
            .sum()
    }

    /// Sum of received x unit cost.
    pub fn received_total(&self) -> Money {
        self.lines
            .iter()
            .map(|l| l.received.times(l.unit_cost))
            .sum()
    }
}

/// A PO in lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoSummary {
    /// Id.
    pub id: Id,
    /// Number.
    pub number: String,
    /// Supplier.
    pub supplier_id: Id,
    /// Status.
    pub status: PoStatus,
    /// Order date.
    pub order_date: NaiveDate,
    /// Expected date.
    pub expected_date: Option<NaiveDate>,
    /// Number of lines.
    pub line_count: u32,
    /// Ordered value.
    pub total: Money,
    /// Received value.
    pub received_total: Money,
}

impl From<&PurchaseOrder> for PoSummary {
    fn from(po: &PurchaseOrder) -> Self {
        PoSummary {
            id: po.id,
            number: po.number.clone(),
            supplier_id: po.supplier_id,
            status: po.status,
            order_date: po.order_date,
            expected_date: po.expected_date,
            line_count: po.lines.len() as u32,
            total: po.total(),
            received_total: po.received_total(),
        }
    }
}

fn each_po(tx: &mut Tx<'_>, mut f: impl FnMut(&PurchaseOrder)) -> Result<()> {
    tx.scan(Scan::All(Kind::PurchaseOrder), |_, v| {
        if let Value::PurchaseOrder(po) = v {
            f(po);
        }
        ControlFlow::Continue(())
    })
}

/// How many POs reference a supplier (from the briefs).
pub fn count_for_supplier(tx: &mut Tx<'_>, supplier_id: Id) -> Result<usize> {
    let mut n = 0;
    brief::each(tx, None, |b| n += usize::from(b.supplier_id == supplier_id))?;
    Ok(n)
}

/// A supplier's most recent POs (by order date, then id), newest first: chosen
/// from the briefs, then only those POs are read.
pub fn recent_for_supplier(tx: &mut Tx<'_>, supplier_id: Id, n: usize) -> Result<Vec<PoSummary>> {
    let mut v = Vec::new();
    brief::each(tx, None, |b| {
        if b.supplier_id == supplier_id {
            v.push(std::cmp::Reverse((b.order_date, b.id)));
        }
    })?;
    v.sort_unstable();
    v.truncate(n);
    v.into_iter()
        .map(|std::cmp::Reverse((_, id))| summary(tx, id))
        .collect()
}

/// The list entry of one PO, read without copying its lines.
pub(crate) fn summary(tx: &mut Tx<'_>, id: Id) -> Result<PoSummary> {
    match tx.get(&crate::store::Key::PurchaseOrder(id))? {
        Some(Value::PurchaseOrder(po)) => Ok(PoSummary::from(&**po)),
        Some(_) => Err(Error::conflict("stored purchase_order has the wrong type")),
        None => Err(Error::not_found("purchase_order", id)),
    }
}

/// Whether any PO line uses a product.
pub fn product_referenced(tx: &mut Tx<'_>, product_id: Id) -> Result<bool> {
    let mut used = false;
    each_po(tx, |po| {
        used |= po.lines.iter().any(|l| l.product_id == Some(product_id))
    })?;
    Ok(used)
}

impl PoStatus {
    /// The one table of allowed moves: the status after `action`, or
    /// `invalid_transition` naming the current status and the action.
    pub fn after(self, action: PoAction) -> Result<PoStatus> {
        use PoAction as A;
        use PoStatus as S;
        let next = match (self, action) {
            (S::Draft, A::Update | A::Delete) => Some(S::Draft),
            (S::Draft, A::Order) => Some(S::Ordered),
            (S::Ordered | S::PartiallyReceived, A::Receive { complete }) => Some(if complete {
                S::Received
            } else {
                S::PartiallyReceived
            }),
            (S::Draft | S::Ordered, A::Cancel) => Some(S::Cancelled),
            (S::PartiallyReceived, A::Close) => Some(S::Closed),
            (S::PartiallyReceived | S::Received | S::Closed, A::Return) => Some(self),
            _ => None,
        };
        next.ok_or_else(|| Error::transition(self.as_str(), action.as_str()))
    }
}

/// What is being done to a PO (for [`PoStatus::after`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoAction {
    /// Edit header or lines.
    Update,
    /// Delete.
    Delete,
    /// Send to the supplier.
    Order,
    /// Receive; `complete` when every line is then complete.
    Receive {
        /// Whether every line is complete after this receipt.
        complete: bool,
    },
    /// Cancel.
    Cancel,
    /// Close short.
    Close,
    /// Return received stock to the supplier.
    Return,
}

impl PoAction {
    /// The wire name used in `invalid_transition`.
    pub fn as_str(self) -> &'static str {
        match self {
            PoAction::Update => "update",
            PoAction::Delete => "delete",
            PoAction::Order => "order",
            PoAction::Receive { .. } => "receive",
            PoAction::Cancel => "cancel",
            PoAction::Close => "close",
            PoAction::Return => "return",
        }
    }
}

impl PoLine {
    /// Still to come (never negative, even when over-received within tolerance).
    pub fn outstanding(&self) -> Quantity {
        let o = self.quantity - self.received;
        if o.is_negative() {
            Quantity::ZERO
        } else {
            o
        }
    }
}

/// A PO as answered: the record, its totals, and what the command did.
/// Read back (a kept answer typed again, a view given to `validateReceipt`)
/// through [`PoViewFields`]: `actions` is derived from the PO again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "PoViewFields")]
pub struct PoView {
    /// The purchase order.
    pub purchase_order: PurchaseOrder,
    /// Ordered value (sum of quantity x unit cost).
    pub total: Money,
    /// Received value (sum of received x unit cost).
    pub received_total: Money,
    /// Movements this command wrote (receipts, returns).
    pub movements: Vec<crate::ledger::Movement>,
    /// The backorder a close created.
    pub backorder: Option<Box<PurchaseOrder>>,
    /// What can be done to the PO now ([`PurchaseOrder::actions`]), so a page
    /// offers exactly the buttons the engine would accept.
    pub actions: Vec<&'static str>,
}

/// The stored form of a [`PoView`]: everything but `actions`. Totals are
/// computed, so they read within [`crate::decimal::STORED_MONEY`].
#[derive(Deserialize)]
pub struct PoViewFields {
    purchase_order: PurchaseOrder,
    #[serde(deserialize_with = "crate::decimal::stored::money")]
    total: Money,
    #[serde(deserialize_with = "crate::decimal::stored::money")]
    received_total: Money,
    movements: Vec<crate::ledger::Movement>,
    backorder: Option<Box<PurchaseOrder>>,
}

impl From<PoViewFields> for PoView {
    fn from(f: PoViewFields) -> Self {
        PoView {
            actions: f.purchase_order.actions(),
            purchase_order: f.purchase_order,
            total: f.total,
            received_total: f.received_total,
            movements: f.movements,
            backorder: f.backorder,
        }
    }
}

impl PoView {
    /// A view of a PO with no movements or backorder.
    pub fn of(po: PurchaseOrder) -> Self {
        PoView {
            total: po.total(),
            received_total: po.received_total(),
            actions: po.actions(),
            purchase_order: po,
            movements: Vec::new(),
            backorder: None,
        }
    }
}

impl PurchaseOrder {
    /// The actions its commands would accept now, by the same status table
    /// ([`PoStatus::after`]) and lock (`check_unlocked`) they check, and the
    /// same preconditions: ordering needs a line, returning needs received
    /// stock not yet returned, exporting happens once. Named as in
    /// `invalid_transition` (`update`, `delete`, `order`, `receive`, `cancel`,
    /// `close`, `return`), plus `export`.
    pub fn actions(&self) -> Vec<&'static str> {
        let candidates = [
            PoAction::Update,
            PoAction::Delete,
            PoAction::Order,
            PoAction::Receive { complete: false },
            PoAction::Cancel,
            PoAction::Close,
            PoAction::Return,
        ];
        let mut out: Vec<&'static str> = candidates
            .into_iter()
            .filter(|&a| check_unlocked(self, a).is_ok() && self.status.after(a).is_ok())
            .filter(|&a| match a {
                PoAction::Order => !self.lines.is_empty(),
                PoAction::Return => self.lines.iter().any(|l| l.received > l.returned),
                _ => true,
            })
            .map(PoAction::as_str)
            .collect();
        if !self.exported {
            out.push("export");
        }
        out
    }
}

/// Writes a PO record (and its brief, see [`brief`]).
pub(crate) fn put(tx: &mut Tx<'_>, po: &PurchaseOrder) -> Result<()> {
    brief::save(tx, po)
}

/// `locked` when the PO was exported to accounting.
///
/// RULES §3 locks editing, cancelling and closing (and deleting, which would
/// lose what accounting has); ordering, receiving and returning still work.
pub(crate) fn check_unlocked(po: &PurchaseOrder, action: PoAction) -> Result<()> {
    let locks = matches!(
        action,
        PoAction::Update | PoAction::Delete | PoAction::Cancel | PoAction::Close
    );
    if po.exported && locks {
        return Err(Error::Locked {
            entity: "purchase_order".into(),
            id: po.id.to_string(),
            reason: format!("exported to accounting; cannot {}", action.as_str()),
        });
    }
    Ok(())
}

/// Adds `delta` to the incoming quantity of every product line's outstanding
/// part (sign +1 when a PO starts being awaited, -1 when it stops).
pub(crate) fn shift_incoming(tx: &mut Tx<'_>, po: &PurchaseOrder, sign: i64) -> Result<()> {
    for l in &po.lines {
        if let Some(pid) = l.product_id {
            let o = l.outstanding();
            let delta = if sign >= 0 { o } else { -o };
            add_incoming(tx, pid, l.location_id, delta)?;
        }
    }
    Ok(())
}

/// Changes the incoming quantity of one (product, location).
pub(crate) fn add_incoming(
    tx: &mut Tx<'_>,
    product_id: Id,
    location_id: Id,
    delta: Quantity,
) -> Result<()> {
    if delta.is_zero() {
        return Ok(());
    }
    let mut l = crate::ledger::level(tx, product_id, location_id)?;
    l.incoming += delta;
    if l.incoming.is_negative() {
        l.incoming = Quantity::ZERO;
    }
    crate::ledger::put_level(tx, l)?;
    Ok(())
}

#[cfg(test)]
mod tests;
