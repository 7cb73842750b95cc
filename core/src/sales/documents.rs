//! The sales document commands: create, update, change type, pay, ship,
//! delete (void) and expire.

use super::{change_type, load, save, DocType, SalesDocument, SalesLine, ShipMethod, Shipment};
use crate::auth::Actor;
use crate::catalog::{ById, MAIN_LOCATION};
use crate::decimal::{Money, Quantity};
use crate::error::{Error, Result, WireError};
use crate::paging::nullable;
use crate::store::{Counter, Kind};
use crate::tx::Tx;
use crate::{validate, Id};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A line as given by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// Product.
    pub product_id: Id,
    /// Location, default `Main`.
    #[serde(default)]
    pub location_id: Option<Id>,
    /// Quantity (> 0, within the product's decimal places).
    pub quantity: Quantity,
    /// Unit price, default the product's price.
    #[serde(default)]
    pub unit_price: Option<Money>,
}

/// `create_sales_document` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSalesDocument {
    /// Type, default `order`. Created directly as a type, a document has the
    /// stock effect of the change quote -> that type.
    #[serde(default, rename = "type")]
    pub doc_type: Option<DocType>,
    /// Client.
    pub client: String,
    /// Due date.
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// Paid already (>= 0).
    #[serde(default)]
    pub amount_paid: Option<Money>,
    /// Lines (at most 1,000).
    #[serde(default)]
    pub lines: Vec<LineInput>,
}

/// `update_sales_document` arguments: given fields replace. Lines can change
/// on quotes and orders only (an order's hold follows the new lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSalesDocument {
    /// The document.
    pub id: Id,
    /// Client.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub client: Option<String>,
    /// Due date (`null` clears it).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_date: Option<Option<NaiveDate>>,
    /// The new lines, replacing all.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub lines: Option<Vec<LineInput>>,
}

/// `change_sales_document_type` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeType {
    /// The document.
    pub id: Id,
    /// The new type.
    #[serde(rename = "type")]
    pub doc_type: DocType,
}

/// `record_payment` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPayment {
    /// The document.
    pub id: Id,
    /// Amount received (> 0).
    pub amount: Money,
}

/// `mark_shipped` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkShipped {
    /// The documents (1 to 1,000), each handled on its own.
    pub ids: Vec<Id>,
    /// Sent, picked up, or tracking (with `tracking_number`).
    pub method: ShipMethod,
    /// The carrier's tracking number; required for `tracking`.
    #[serde(default)]
    pub tracking_number: Option<String>,
}

/// One document's outcome in `mark_shipped`: the document, or the error that
/// refused it (and left it unchanged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipOutcome {
    /// The document id.
    pub id: Id,
    /// The document after marking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<SalesDocument>,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<WireError>,
}

/// `mark_shipped` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipped {
    /// One outcome per id, in the order given.
    pub results: Vec<ShipOutcome>,
    /// How many succeeded.
    pub succeeded: u32,
    /// How many were refused.
    pub failed: u32,
}

/// `expire_orders` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expired {
    /// The orders voided, by id.
    pub voided: Vec<Id>,
}

/// Checks the caller's lines and resolves defaults.
fn lines(tx: &mut Tx<'_>, input: Vec<LineInput>) -> Result<Vec<SalesLine>> {
    if input.len() > validate::MAX_LINES {
        return Err(Error::field(
            "lines",
            format!("at most {} lines", validate::MAX_LINES),
        ));
    }
    let mut out = Vec::with_capacity(input.len());
    for (i, l) in input.into_iter().enumerate() {
        let field = |f: &str| format!("lines[{i}].{f}");
        let product = tx.product(l.product_id)?;
        // Archived is how a product with history is retired (it cannot be
        // deleted): like a deleted one, it goes on no new line, as on POs.
        // Documents that have it already keep it through their changes.
        if product.archived {
            return Err(Error::field(field("product_id"), "the product is archived"));
        }
        let location_id = l.location_id.unwrap_or(MAIN_LOCATION);
        tx.location(location_id)?;
        let quantity =
            validate::positive_quantity(&field("quantity"), l.quantity, product.decimal_places)?;
        let unit_price = match l.unit_price {
            Some(p) => validate::non_negative_money(&field("unit_price"), p)?,
            None => product.price,
        };
        out.push(SalesLine {
            line_no: i as u32 + 1,
            product_id: product.id,
            location_id,
            quantity,
            unit_price,
            held: Quantity::ZERO,
            consumed: Quantity::ZERO,
        });
    }
    if let Err(i) = crate::decimal::exact_value(out.iter().map(|l| (l.quantity, l.unit_price))) {
        return Err(Error::field(
            format!("lines[{i}].unit_price"),
            crate::decimal::INEXACT,
        ));
    }
    Ok(out)
}

/// `create_sales_document`.
pub fn create(tx: &mut Tx<'_>, actor: &Actor, a: CreateSalesDocument) -> Result<SalesDocument> {
    let client = validate::name("client", &a.client)?;
    let amount_paid =
        validate::non_negative_money("amount_paid", a.amount_paid.unwrap_or(Money::ZERO))?;
    let lines = lines(tx, a.lines)?;
    let id = tx.next(Counter::Ids(Kind::SalesDocument))?;
    let mut doc = SalesDocument {
        id,
        doc_type: DocType::Quote,
        client,
        due_date: a.due_date,
        amount_paid,
        total: Money::ZERO,
        lines,
        shipment: None,
        created_at: tx.now,
        updated_at: tx.now,
    };
    doc.retotal();
    change_type(tx, actor, &mut doc, a.doc_type.unwrap_or(DocType::Order))?;
    Ok(save(tx, doc))
}

/// `update_sales_document`.
pub fn update(tx: &mut Tx<'_>, actor: &Actor, a: UpdateSalesDocument) -> Result<SalesDocument> {
    let mut doc = load(tx, a.id)?;
    if doc.doc_type == DocType::Void {
        return Err(Error::transition("void", "update"));
    }
    if let Some(c) = a.client {
        doc.client = validate::name("client", &c)?;
    }
    if let Some(d) = a.due_date {
        doc.due_date = d;
    }
    if let Some(new_lines) = a.lines {
        if !matches!(doc.doc_type, DocType::Quote | DocType::Order) {
            return Err(Error::transition(doc.doc_type.as_str(), "update_lines"));
        }
        let new_lines = lines(tx, new_lines)?;
        let kind = doc.doc_type;
        if kind == DocType::Order {
            // The hold follows the lines: release the old, hold the new
            // (checked against what is available once the old is released).
            change_type(tx, actor, &mut doc, DocType::Quote)?;
        }
        doc.lines = new_lines;
        doc.retotal();
        change_type(tx, actor, &mut doc, kind)?;
    }
    Ok(save(tx, doc))
}

/// `change_sales_document_type`.
pub fn change(tx: &mut Tx<'_>, actor: &Actor, a: ChangeType) -> Result<SalesDocument> {
    let mut doc = load(tx, a.id)?;
    change_type(tx, actor, &mut doc, a.doc_type)?;
    Ok(save(tx, doc))
}

/// `record_payment`: adds to `amount_paid` (a paid order no longer expires).
pub fn record_payment(tx: &mut Tx<'_>, _: &Actor, a: RecordPayment) -> Result<SalesDocument> {
    let mut doc = load(tx, a.id)?;
    if doc.doc_type == DocType::Void {
        return Err(Error::transition("void", "record_payment"));
    }
    let amount = validate::non_negative_money("amount", a.amount)?;
    if amount.is_zero() {
        return Err(Error::field("amount", "must be > 0"));
    }
    let paid = doc.amount_paid + amount;
    crate::decimal::check_limits(paid.get()).map_err(|why| {
        Error::field(
            "amount",
            format!("amount paid would exceed the limits: {why}"),
        )
    })?;
    doc.amount_paid = paid;
    Ok(save(tx, doc))
}

/// `mark_shipped`: quotes and orders become invoices; invoices and refunds
/// just record the shipment. Each document succeeds or fails on its own.
pub fn mark_shipped(tx: &mut Tx<'_>, actor: &Actor, a: MarkShipped) -> Result<Shipped> {
    if a.ids.is_empty() || a.ids.len() > validate::MAX_LINES {
        return Err(Error::field(
            "ids",
            format!("1 to {} documents", validate::MAX_LINES),
        ));
    }
    let tracking_number = validate::text(
        "tracking_number",
        a.tracking_number.as_deref(),
        validate::MAX_CODE,
    )?;
    match (a.method, &tracking_number) {
        (ShipMethod::Tracking, None) => {
            return Err(Error::field("tracking_number", "required for `tracking`"))
        }
        (ShipMethod::Sent | ShipMethod::PickedUp, Some(_)) => {
            return Err(Error::field(
                "tracking_number",
                "only with method `tracking`",
            ))
        }
        _ => {}
    }
    let shipment = Shipment {
        method: a.method,
        tracking_number,
        at: tx.now,
    };
    let mut results = Vec::with_capacity(a.ids.len());
    for id in a.ids {
        let r = tx.attempt(|tx| {
            let mut doc = load(tx, id)?;
            let to = match doc.doc_type {
                DocType::Quote | DocType::Order => DocType::Invoice,
                DocType::Invoice | DocType::Refund => doc.doc_type,
                DocType::Void => return Err(Error::transition("void", "mark_shipped")),
            };
            change_type(tx, actor, &mut doc, to)?;
            doc.shipment = Some(shipment.clone());
            Ok(save(tx, doc))
        });
        results.push(match r {
            Ok(d) => ShipOutcome {
                id,
                document: Some(d),
                error: None,
            },
            Err(e) => ShipOutcome {
                id,
                document: None,
                error: Some(e.to_wire()),
            },
        });
    }
    let succeeded = results.iter().filter(|r| r.error.is_none()).count() as u32;
    Ok(Shipped {
        failed: results.len() as u32 - succeeded,
        succeeded,
        results,
    })
}

/// `delete_sales_document`: the document becomes `void` (with that change's
/// stock effect); documents are never erased.
pub fn delete(tx: &mut Tx<'_>, actor: &Actor, a: ById) -> Result<SalesDocument> {
    let mut doc = load(tx, a.id)?;
    if doc.doc_type == DocType::Void {
        return Err(Error::transition("void", "delete"));
    }
    change_type(tx, actor, &mut doc, DocType::Void)?;
    Ok(save(tx, doc))
}

/// `expire_orders`: every `order` whose due date has passed and that has no
/// payment becomes `void`, releasing its holds.
///
/// "Passed" is judged by every calendar on Earth, as received dates are
/// (`calendar`): `now` is UTC, but a due date is a day of the
/// clerk's own calendar, which west of UTC is still going on (down to
/// UTC-12) when the UTC date has moved on. Voiding is final, so an order is
/// expired only once its due date has ended everywhere: it is before the
/// date of `now` - 12 hours. East of UTC that is up to a day later than the
/// local midnight; never earlier.
pub fn expire(tx: &mut Tx<'_>, actor: &Actor, _: crate::protocol::NoArgs) -> Result<Expired> {
    let today = crate::calendar::earliest_date(tx.now);
    let mut due = Vec::new();
    super::each_document(tx, |d| {
        if d.doc_type == DocType::Order
            && d.amount_paid.is_zero()
            && d.due_date.is_some_and(|due| due < today)
        {
            due.push(d.clone());
        }
    })?;
    let mut voided = Vec::with_capacity(due.len());
    for mut doc in due {
        change_type(tx, actor, &mut doc, DocType::Void)?;
        voided.push(save(tx, doc).id);
    }
    Ok(Expired { voided })
}
