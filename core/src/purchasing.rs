//! Purchase orders (RULES §3): from draft to ordered to (partially) received,
//! cancelled or closed short. This module owns the PO records; receipts write
//! `purchase` movements through [`crate::ledger::apply`].

use crate::decimal::{Money, Quantity};
use crate::error::Result;
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
    pub received: Quantity,
    /// Returned to the supplier so far.
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

/// How many POs reference a supplier.
pub fn count_for_supplier(tx: &mut Tx<'_>, supplier_id: Id) -> Result<usize> {
    let mut n = 0;
    each_po(tx, |po| n += usize::from(po.supplier_id == supplier_id))?;
    Ok(n)
}

/// A supplier's most recent POs (by order date, then id), newest first.
pub fn recent_for_supplier(tx: &mut Tx<'_>, supplier_id: Id, n: usize) -> Result<Vec<PoSummary>> {
    let mut v = Vec::new();
    each_po(tx, |po| {
        if po.supplier_id == supplier_id {
            v.push(PoSummary::from(po));
        }
    })?;
    v.sort_by(|a, b| (b.order_date, b.id).cmp(&(a.order_date, a.id)));
    v.truncate(n);
    Ok(v)
}

/// Whether any PO line uses a product.
pub fn product_referenced(tx: &mut Tx<'_>, product_id: Id) -> Result<bool> {
    let mut used = false;
    each_po(tx, |po| {
        used |= po.lines.iter().any(|l| l.product_id == Some(product_id))
    })?;
    Ok(used)
}
