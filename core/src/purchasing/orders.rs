//! Creating and editing purchase orders, and the moves that do not touch stock:
//! order (send), cancel, export. Edits and deletion are for drafts only.

use super::{
    check_unlocked, put, shift_incoming, PoAction, PoLine, PoReferences, PoStatus, PoView,
    PurchaseOrder,
};
use crate::auth::Actor;
use crate::catalog::{ById, Deleted, MAIN_LOCATION};
use crate::decimal::{Money, Quantity};
use crate::error::{Error, Result};
use crate::numbering::{self, Sequence};
use crate::paging::nullable;
use crate::product::MAX_DECIMAL_PLACES;
use crate::store::{Counter, Key, Kind, Value};
use crate::tx::Tx;
use crate::validate::{self, MAX_LINES};
use crate::Id;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A line as given in `create_purchase_order` / `update_purchase_order`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// Product; leave out for a free-text line.
    #[serde(default)]
    pub product_id: Option<Id>,
    /// Description; default the product's name (required on free-text lines).
    #[serde(default)]
    pub description: Option<String>,
    /// Quantity (> 0, within the product's decimal places).
    pub quantity: Quantity,
    /// Unit cost (>= 0); default the product's purchase price.
    #[serde(default)]
    pub unit_cost: Option<Money>,
    /// Destination; default `Main`.
    #[serde(default)]
    pub location_id: Option<Id>,
}

/// `create_purchase_order` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePurchaseOrder {
    /// Supplier (must exist and be active).
    pub supplier_id: Id,
    /// The caller's own number (unique); default the next of the sequence.
    #[serde(default)]
    pub number: Option<String>,
    /// The supplier's reference.
    #[serde(default)]
    pub vendor_reference: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Order date; default the date of `now`.
    #[serde(default)]
    pub order_date: Option<NaiveDate>,
    /// Expected delivery.
    #[serde(default)]
    pub expected_date: Option<NaiveDate>,
    /// Packing slip number.
    #[serde(default)]
    pub packing_slip_number: Option<String>,
    /// References.
    #[serde(default)]
    pub references: Option<PoReferences>,
    /// Lines.
    #[serde(default)]
    pub lines: Vec<LineInput>,
}

/// `update_purchase_order` arguments (drafts only): absent keeps, `null` clears,
/// `lines` replaces all lines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePurchaseOrder {
    /// Which PO.
    pub id: Id,
    /// Another supplier (active).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub supplier_id: Option<Id>,
    /// Another number (unique).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub number: Option<String>,
    /// Vendor reference.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub vendor_reference: Option<Option<String>>,
    /// Notes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<Option<String>>,
    /// Order date.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub order_date: Option<NaiveDate>,
    /// Expected date.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub expected_date: Option<Option<NaiveDate>>,
    /// Packing slip number.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub packing_slip_number: Option<Option<String>>,
    /// References (replace all).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub references: Option<PoReferences>,
    /// New lines (replace all).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub lines: Option<Vec<LineInput>>,
}

fn references(r: PoReferences) -> Result<PoReferences> {
    let f = |name: &str, v: Option<String>| {
        validate::text(
            &format!("references.{name}"),
            v.as_deref(),
            validate::MAX_NAME,
        )
    };
    Ok(PoReferences {
        job: f("job", r.job)?,
        project: f("project", r.project)?,
        technician: f("technician", r.technician)?,
        business_unit: f("business_unit", r.business_unit)?,
        po_type: f("po_type", r.po_type)?,
    })
}

/// A new PO (created, moved to another supplier, or a backorder) needs an
/// active supplier; `field` is the argument that asked for it.
pub(super) fn active_supplier(tx: &mut Tx<'_>, id: Id, field: &str) -> Result<()> {
    if !tx.supplier(id)?.active {
        return Err(Error::field(
            field,
            "the supplier is inactive and gets no new purchase orders",
        ));
    }
    Ok(())
}

/// Validates and numbers lines.
pub(crate) fn build_lines(tx: &mut Tx<'_>, input: Vec<LineInput>) -> Result<Vec<PoLine>> {
    if input.len() > MAX_LINES {
        return Err(Error::field("lines", format!("at most {MAX_LINES} lines")));
    }
    let mut out = Vec::with_capacity(input.len());
    for (i, l) in input.into_iter().enumerate() {
        let at = |f: &str| format!("lines[{i}].{f}");
        let location_id = l.location_id.unwrap_or(MAIN_LOCATION);
        tx.location(location_id)?;
        let (places, default_desc, default_cost) = match l.product_id {
            Some(pid) => {
                let p = tx.product(pid)?;
                if p.archived {
                    return Err(Error::field(at("product_id"), "the product is archived"));
                }
                (p.decimal_places, Some(p.name), Some(p.purchase_price))
            }
            None => (MAX_DECIMAL_PLACES, None, None),
        };
        let quantity = validate::positive_quantity(&at("quantity"), l.quantity, places)?;
        let description = match validate::text(
            &at("description"),
            l.description.as_deref(),
            validate::MAX_NAME,
        )? {
            Some(d) => d,
            None => default_desc.ok_or_else(|| {
                Error::field(at("description"), "a free-text line needs a description")
            })?,
        };
        let unit_cost = match l.unit_cost.or(default_cost) {
            Some(c) => validate::non_negative_money(&at("unit_cost"), c)?,
            None => {
                return Err(Error::field(
                    at("unit_cost"),
                    "a free-text line needs a unit cost",
                ))
            }
        };
        out.push(PoLine {
            line_no: i as u32 + 1,
            product_id: l.product_id,
            description,
            quantity,
            unit_cost,
            location_id,
            received: Quantity::ZERO,
            returned: Quantity::ZERO,
        });
    }
    if let Err(i) = crate::decimal::exact_value(out.iter().map(|l| (l.quantity, l.unit_cost))) {
        return Err(Error::field(
            format!("lines[{i}].unit_cost"),
            crate::decimal::INEXACT,
        ));
    }
    Ok(out)
}

fn claim_number(tx: &mut Tx<'_>, number: &str, id: Id) -> Result<()> {
    if numbering::po_number_taken(tx, number)? {
        return Err(Error::Duplicate {
            field: "number".into(),
            value: number.to_string(),
        });
    }
    tx.put(Key::PoNumber(number.to_string()), Value::Ref(id));
    Ok(())
}

/// Builds a new PO record (shared with backorders) and writes it.
pub(crate) fn insert(tx: &mut Tx<'_>, po: PurchaseOrder) -> Result<PurchaseOrder> {
    claim_number(tx, &po.number, po.id)?;
    put(tx, &po)?;
    Ok(po)
}

/// `create_purchase_order`: a new draft.
pub fn create(tx: &mut Tx<'_>, _: &Actor, a: CreatePurchaseOrder) -> Result<PoView> {
    active_supplier(tx, a.supplier_id, "supplier_id")?;
    let vendor_reference = validate::text(
        "vendor_reference",
        a.vendor_reference.as_deref(),
        validate::MAX_CODE,
    )?;
    let notes = validate::notes("notes", a.notes.as_deref())?;
    let packing_slip_number = validate::text(
        "packing_slip_number",
        a.packing_slip_number.as_deref(),
        validate::MAX_CODE,
    )?;
    let references = references(a.references.unwrap_or_default())?;
    let lines = build_lines(tx, a.lines)?;
    let number = match a.number {
        Some(n) => validate::code("number", &n)?,
        None => {
            let format = tx.setting(|s| s.number_formats.purchase_order.clone())?;
            numbering::next(
                tx,
                Sequence::PurchaseOrder,
                &format,
                numbering::po_number_taken,
            )?
        }
    };
    let id = tx.next(Counter::Ids(Kind::PurchaseOrder))?;
    let po = PurchaseOrder {
        id,
        number,
        supplier_id: a.supplier_id,
        status: PoStatus::Draft,
        vendor_reference,
        notes,
        order_date: a.order_date.unwrap_or(tx.now.date_naive()),
        expected_date: a.expected_date,
        received_date: None,
        packing_slip_number,
        references,
        lines,
        exported: false,
        backorder_of: None,
        backorder_count: 0,
        created_at: tx.now,
    };
    Ok(PoView::of(insert(tx, po)?))
}

/// Reads a PO for `action`: `locked` when exported (checked first), then the
/// status table.
pub(crate) fn load_for(
    tx: &mut Tx<'_>,
    id: Id,
    action: PoAction,
) -> Result<(PurchaseOrder, PoStatus)> {
    let po = tx.purchase_order(id)?;
    check_unlocked(&po, action)?;
    let next = po.status.after(action)?;
    Ok((po, next))
}

/// `update_purchase_order` (drafts only).
pub fn update(tx: &mut Tx<'_>, _: &Actor, a: UpdatePurchaseOrder) -> Result<PoView> {
    let (mut po, _) = load_for(tx, a.id, PoAction::Update)?;
    if let Some(s) = a.supplier_id {
        if s != po.supplier_id {
            active_supplier(tx, s, "supplier_id")?;
            po.supplier_id = s;
        }
    }
    if let Some(n) = a.number {
        let n = validate::code("number", &n)?;
        if n != po.number {
            // The old number stays taken: numbers are never reused.
            claim_number(tx, &n, po.id)?;
            po.number = n;
        }
    }
    if let Some(v) = a.vendor_reference {
        po.vendor_reference = validate::text("vendor_reference", v.as_deref(), validate::MAX_CODE)?;
    }
    if let Some(v) = a.notes {
        po.notes = validate::notes("notes", v.as_deref())?;
    }
    if let Some(d) = a.order_date {
        po.order_date = d;
    }
    if let Some(d) = a.expected_date {
        po.expected_date = d;
    }
    if let Some(v) = a.packing_slip_number {
        po.packing_slip_number =
            validate::text("packing_slip_number", v.as_deref(), validate::MAX_CODE)?;
    }
    if let Some(r) = a.references {
        po.references = references(r)?;
    }
    if let Some(lines) = a.lines {
        po.lines = build_lines(tx, lines)?;
    }
    put(tx, &po)?;
    Ok(PoView::of(po))
}

/// `delete_purchase_order` (drafts only). Its number stays taken.
pub fn delete(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<Deleted> {
    let (po, _) = load_for(tx, a.id, PoAction::Delete)?;
    super::brief::remove(tx, &po);
    Ok(Deleted {
        id: po.id,
        deleted: true,
    })
}

/// `order_purchase_order`: draft -> ordered; needs a line. Its outstanding
/// quantities become `incoming`.
pub fn order(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<PoView> {
    let (mut po, next) = load_for(tx, a.id, PoAction::Order)?;
    if po.lines.is_empty() {
        return Err(Error::field(
            "lines",
            "a purchase order needs at least one line to be ordered",
        ));
    }
    po.status = next;
    shift_incoming(tx, &po, 1)?;
    put(tx, &po)?;
    Ok(PoView::of(po))
}

/// `cancel_purchase_order`: draft or ordered -> cancelled.
pub fn cancel(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<PoView> {
    let (mut po, next) = load_for(tx, a.id, PoAction::Cancel)?;
    if po.status == PoStatus::Ordered {
        shift_incoming(tx, &po, -1)?;
    }
    po.status = next;
    put(tx, &po)?;
    Ok(PoView::of(po))
}

/// `mark_purchase_order_exported`: from now on the PO is `locked` for edits,
/// cancels and closes; receiving still works. Marking twice changes nothing.
pub fn mark_exported(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<PoView> {
    let mut po = tx.purchase_order(a.id)?;
    if !po.exported {
        po.exported = true;
        put(tx, &po)?;
    }
    Ok(PoView::of(po))
}
