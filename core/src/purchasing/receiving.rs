//! Stock arriving and leaving against a PO: receipts (atomic, no over-receipt
//! beyond the tolerance), closing short with a backorder, returns to the
//! supplier. Each tracked product line writes its movement through
//! [`crate::ledger::apply`] with the PO as source.

use super::orders::{active_supplier, insert, load_for};
use super::{add_incoming, put, shift_incoming, PoAction, PoLine, PoStatus, PoView, PurchaseOrder};
use crate::auth::Actor;
use crate::decimal::Quantity;
use crate::error::{Error, Result};
use crate::ledger::{self, MovementType, Source};
use crate::product::MAX_DECIMAL_PLACES;
use crate::store::{Counter, Kind};
use crate::tx::Tx;
use crate::validate::{self, MAX_LINES};
use crate::Id;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLine {
    /// Line number on the PO.
    pub line_no: u32,
    /// Quantity that arrived (> 0).
    pub quantity: Quantity,
    /// Where it went; default the line's destination.
    #[serde(default)]
    pub location_id: Option<Id>,
}

/// `receive_purchase_order` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receive {
    /// Which PO.
    pub id: Id,
    /// What arrived.
    pub lines: Vec<ReceiptLine>,
    /// Received date; default the date of `now`.
    #[serde(default)]
    pub received_date: Option<NaiveDate>,
    /// Packing slip number of this delivery.
    #[serde(default)]
    pub packing_slip_number: Option<String>,
}

/// `close_purchase_order` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    /// Which PO.
    pub id: Id,
    /// Create a backorder PO for what is outstanding.
    #[serde(default)]
    pub create_backorder: bool,
}

/// One line of a return to the supplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnLine {
    /// Line number on the PO.
    pub line_no: u32,
    /// Quantity sent back (> 0, at most received minus returned).
    pub quantity: Quantity,
    /// Where it leaves from; default the line's destination.
    #[serde(default)]
    pub location_id: Option<Id>,
}

/// `return_to_supplier` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnToSupplier {
    /// Which PO.
    pub id: Id,
    /// What goes back.
    pub lines: Vec<ReturnLine>,
    /// Reason (recorded on the movements).
    #[serde(default)]
    pub reason: Option<String>,
}

fn line_places(tx: &mut Tx<'_>, line: &PoLine) -> Result<u32> {
    Ok(match line.product_id {
        // The rules, not the product: a clone of every line's product
        // (strings and all) was 11 % of a 1,000-line receipt.
        Some(pid) => tx.rules(pid)?.decimal_places,
        None => MAX_DECIMAL_PLACES,
    })
}

fn line_index(po: &PurchaseOrder, line_no: u32, field: impl FnOnce() -> String) -> Result<usize> {
    // Lines are numbered 1..n in order, so the direct slot is the answer;
    // the search is only a fallback (a 1,000-line receipt stays linear).
    let direct = (line_no as usize).checked_sub(1);
    if let Some(i) = direct.filter(|&i| po.lines.get(i).is_some_and(|l| l.line_no == line_no)) {
        return Ok(i);
    }
    po.lines
        .iter()
        .position(|l| l.line_no == line_no)
        .ok_or_else(|| {
            Error::field(
                field(),
                format!("purchase order {} has no line {line_no}", po.number),
            )
        })
}

/// Names the field of an `invalid_field` error after the fact, so the happy
/// path formats no field paths.
fn at_field(e: Error, field: impl FnOnce() -> String) -> Error {
    match e {
        Error::InvalidField { reason, .. } => Error::InvalidField {
            field: field(),
            reason,
        },
        other => other,
    }
}

/// Validates a list of (line_no, quantity, location) and sums repeated lines.
fn collect(
    tx: &mut Tx<'_>,
    po: &PurchaseOrder,
    items: impl Iterator<Item = (u32, Quantity, Option<Id>)>,
) -> Result<BTreeMap<usize, (Quantity, Id)>> {
    let mut by_line: BTreeMap<usize, (Quantity, Id)> = BTreeMap::new();
    for (i, (line_no, q, loc)) in items.enumerate() {
        if i >= MAX_LINES {
            return Err(Error::field("lines", format!("at most {MAX_LINES} lines")));
        }
        let idx = line_index(po, line_no, || format!("lines[{i}].line_no"))?;
        let line = &po.lines[idx];
        let places = line_places(tx, line)?;
        let q = validate::positive_quantity("quantity", q, places)
            .map_err(|e| at_field(e, || format!("lines[{i}].quantity")))?;
        let loc = loc.unwrap_or(line.location_id);
        tx.location(loc)?;
        let e = by_line.entry(idx).or_insert((Quantity::ZERO, loc));
        if e.1 != loc {
            return Err(Error::field(
                format!("lines[{i}].location_id"),
                "one line goes to one location per command",
            ));
        }
        e.0 += q;
    }
    if by_line.is_empty() {
        return Err(Error::field("lines", "at least one line"));
    }
    Ok(by_line)
}

/// How much of `line` may still be received under the tolerance.
fn receivable(line: &PoLine, tolerance_percent: Decimal) -> Quantity {
    let cap =
        Quantity(line.quantity.get() * (Decimal::ONE + tolerance_percent / Decimal::from(100)));
    let r = cap - line.received;
    if r.is_negative() {
        Quantity::ZERO
    } else {
        r
    }
}

/// The date a delivery arrived: the date of `now` unless given. Goods cannot
/// arrive before they were ordered, nor on a day that has not come yet, so
/// either is a typing mistake the clerk should see (RULES is silent; this
/// is what a clerk expects).
///
/// `now` is UTC, but the clerk types the date of their own wall calendar,
/// so both ends are judged by the calendars of the whole Earth:
/// - "Not come yet": east of UTC it is already tomorrow (up to UTC+14). So a
///   date is refused only when it has come nowhere on Earth: after the date
///   of `now` + 14 hours.
/// - "Before the order date": an order date that defaulted is the UTC date
///   of the creating command's `now`, while west of UTC it was still
///   yesterday then (down to UTC-12). So for such a PO a date is refused
///   only when it had ended everywhere when the PO was created: before the
///   date of `created_at` - 12 hours. The record does not say whether the
///   date was typed, so an order date equal to the UTC date of `created_at`
///   counts as derived (a typed one equal to it gains at most the day
///   before, and only for a PO created before 12:00 UTC). A backorder's
///   order date is derived the same way.
fn received_on(
    po: &PurchaseOrder,
    given: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<NaiveDate> {
    let today = now.date_naive();
    let Some(d) = given else { return Ok(today) };
    let derived = po.order_date == po.created_at.date_naive();
    let earliest = if derived {
        crate::calendar::earliest_date(po.created_at)
    } else {
        po.order_date
    };
    if d < earliest {
        let reason = if derived {
            format!(
                "before the order date {} anywhere (when the purchase order was created it was {earliest} at the earliest)",
                po.order_date
            )
        } else {
            format!("before the order date {}", po.order_date)
        };
        return Err(Error::field("received_date", reason));
    }
    let latest = crate::calendar::latest_date(now);
    if d > latest {
        return Err(Error::field(
            "received_date",
            format!("a day that has not come yet anywhere (at `now` it is {latest} at the latest)"),
        ));
    }
    Ok(d)
}

/// `receive_purchase_order`: all lines or none.
pub fn receive(tx: &mut Tx<'_>, actor: &Actor, a: Receive) -> Result<PoView> {
    let mut po = tx.purchase_order(a.id)?;
    // The status check comes first, so a receipt on a draft names the status.
    po.status.after(PoAction::Receive { complete: false })?;
    let packing = validate::text(
        "packing_slip_number",
        a.packing_slip_number.as_deref(),
        validate::MAX_CODE,
    )?;
    let wanted = collect(
        tx,
        &po,
        a.lines
            .iter()
            .map(|l| (l.line_no, l.quantity, l.location_id)),
    )?;
    let received_date = received_on(&po, a.received_date, tx.now)?;
    let tolerance = tx.setting(|s| s.over_receipt_tolerance_percent.get())?;
    for (&idx, &(q, _)) in &wanted {
        let line = &po.lines[idx];
        let room = receivable(line, tolerance);
        if q > room {
            return Err(Error::OverReceipt {
                line: line.line_no,
                outstanding: room,
                requested: q,
            });
        }
    }
    let source = Source {
        actor: actor.id.clone(),
        purchase_order: Some(po.id),
        ..Default::default()
    };
    let reason = format!("received on {}", po.number);
    let mut movements = Vec::with_capacity(wanted.len());
    for (idx, (q, loc)) in wanted {
        // The few fields needed, not a clone of the line (its texts).
        let line = &po.lines[idx];
        let (product_id, destination, outstanding) =
            (line.product_id, line.location_id, line.outstanding());
        if let Some(pid) = product_id {
            // What was awaited at the destination is awaited no more.
            let awaited = if q < outstanding { q } else { outstanding };
            add_incoming(tx, pid, destination, -awaited)?;
            let product = tx.rules(pid)?;
            if product.track_inventory {
                movements.extend(ledger::apply(
                    tx,
                    &product,
                    loc,
                    MovementType::Purchase,
                    q,
                    Some(reason.clone()),
                    source.clone(),
                )?);
            }
        }
        po.lines[idx].received += q;
    }
    // The received value stays exact too (a received quantity may carry
    // more decimals than the ordered one, or pass it within the tolerance).
    if let Err(i) = crate::decimal::exact_value(po.lines.iter().map(|l| (l.received, l.unit_cost)))
    {
        return Err(Error::field(
            "lines",
            format!("line {}: {}", po.lines[i].line_no, crate::decimal::INEXACT),
        ));
    }
    let complete = po.lines.iter().all(|l| l.received >= l.quantity);
    po.status = po.status.after(PoAction::Receive { complete })?;
    po.received_date = Some(received_date);
    if packing.is_some() {
        po.packing_slip_number = packing;
    }
    put(tx, &po)?;
    let mut view = PoView::of(po);
    view.movements = movements;
    Ok(view)
}

/// The first PO of a backorder chain.
fn root_of(tx: &mut Tx<'_>, po: &PurchaseOrder) -> Result<PurchaseOrder> {
    let mut cur = po.clone();
    // Chains are short; the bound guards against a corrupt cycle.
    for _ in 0..10_000 {
        match cur.backorder_of {
            Some(parent) => cur = tx.purchase_order(parent)?,
            None => return Ok(cur),
        }
    }
    Err(Error::conflict("backorder chain too long"))
}

/// `close_purchase_order`: partially received -> closed, optionally with a
/// backorder (`<root number>-BO<n>`, status ordered) for the outstanding
/// quantities. Backorders of backorders count on from the root's number.
pub fn close(tx: &mut Tx<'_>, _: &Actor, a: Close) -> Result<PoView> {
    let (mut po, next) = load_for(tx, a.id, PoAction::Close)?;
    shift_incoming(tx, &po, -1)?;
    po.status = next;
    let mut backorder = None;
    if a.create_backorder {
        let lines: Vec<PoLine> = po
            .lines
            .iter()
            .filter(|l| !l.outstanding().is_zero())
            .enumerate()
            .map(|(i, l)| PoLine {
                line_no: i as u32 + 1,
                quantity: l.outstanding(),
                received: Quantity::ZERO,
                returned: Quantity::ZERO,
                ..l.clone()
            })
            .collect();
        if !lines.is_empty() {
            // A backorder is a new PO to the same supplier: one that was
            // made inactive since gets none (closing without one still works).
            active_supplier(tx, po.supplier_id, "create_backorder")?;
            let mut root = if po.backorder_of.is_some() {
                root_of(tx, &po)?
            } else {
                po.clone()
            };
            let mut number;
            loop {
                root.backorder_count += 1;
                number = format!("{}-BO{}", root.number, root.backorder_count);
                if !crate::numbering::po_number_taken(tx, &number)? {
                    break;
                }
            }
            // RULES §8: numbers are at most 64 characters, backorders' too.
            // A root number near the limit leaves no room for `-BO<n>`:
            // closing without a backorder still works.
            let length = number.chars().count();
            if length > crate::validate::MAX_CODE {
                return Err(Error::field(
                    "create_backorder",
                    format!(
                        "the backorder's number `{number}` would be {length} characters, at most {} are allowed",
                        crate::validate::MAX_CODE
                    ),
                ));
            }
            if root.id == po.id {
                po.backorder_count = root.backorder_count;
            } else {
                put(tx, &root)?;
            }
            let id = tx.next(Counter::Ids(Kind::PurchaseOrder))?;
            let bo = PurchaseOrder {
                id,
                number,
                status: PoStatus::Ordered,
                order_date: tx.now.date_naive(),
                received_date: None,
                // The slip came with the delivery of the closed PO.
                packing_slip_number: None,
                lines,
                exported: false,
                backorder_of: Some(po.id),
                backorder_count: 0,
                created_at: tx.now,
                ..po.clone()
            };
            let bo = insert(tx, bo)?;
            shift_incoming(tx, &bo, 1)?;
            backorder = Some(Box::new(bo));
        }
    }
    put(tx, &po)?;
    let mut view = PoView::of(po);
    view.backorder = backorder;
    Ok(view)
}

/// `return_to_supplier`: sends received stock back (a `return` movement of
/// minus the quantity, clamped at zero stock); never more than received minus
/// already returned. The PO stays on record with its status.
pub fn return_to_supplier(tx: &mut Tx<'_>, actor: &Actor, a: ReturnToSupplier) -> Result<PoView> {
    let mut po = tx.purchase_order(a.id)?;
    po.status.after(PoAction::Return)?;
    let reason = validate::text("reason", a.reason.as_deref(), validate::MAX_TEXT)?;
    let wanted = collect(
        tx,
        &po,
        a.lines
            .iter()
            .map(|l| (l.line_no, l.quantity, l.location_id)),
    )?;
    for (&idx, &(q, _)) in &wanted {
        let line = &po.lines[idx];
        let room = line.received - line.returned;
        if q > room {
            let i = a
                .lines
                .iter()
                .position(|l| l.line_no == line.line_no)
                .unwrap_or(0);
            return Err(Error::field(
                format!("lines[{i}].quantity"),
                format!(
                    "line {}: {q} to return, only {room} received and not yet returned",
                    line.line_no
                ),
            ));
        }
    }
    let source = Source {
        actor: actor.id.clone(),
        purchase_order: Some(po.id),
        ..Default::default()
    };
    let mut movements = Vec::new();
    for (idx, (q, loc)) in wanted {
        if let Some(pid) = po.lines[idx].product_id {
            let product = tx.rules(pid)?;
            if product.track_inventory {
                movements.extend(ledger::apply(
                    tx,
                    &product,
                    loc,
                    MovementType::Return,
                    -q,
                    reason.clone(),
                    source.clone(),
                )?);
            }
        }
        po.lines[idx].returned += q;
    }
    put(tx, &po)?;
    let mut view = PoView::of(po);
    view.movements = movements;
    Ok(view)
}
