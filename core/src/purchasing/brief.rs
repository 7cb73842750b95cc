//! The brief: a small record kept beside every purchase order, holding only
//! what lists filter and sort on (status, supplier, order date, total, number).
//!
//! Why: `list_purchase_orders` and the supplier view look at every PO. Reading
//! whole POs for that means following each record to its lines and summing
//! them; at 100,000 POs that alone took ~20 ms. Briefs are scanned instead:
//! they are small enough to sit inline in a stored [`Value`] and carry the
//! total already summed and the first 16 bytes of the number, so filtering and
//! sorting never follow a pointer. They are keyed by status first (one scan
//! kind per status, [`Kind::PoBrief`]), so a status filter reads only the
//! briefs of that status. Only the POs of the page being answered are read.
//!
//! Briefs are written in the same changeset as their PO, by `save` and
//! `remove`, the only two places a PO record is written or deleted, so a
//! brief can never disagree with its PO (the property test in
//! `core/tests/invariants.rs` checks that after random command sequences).

use super::{PoStatus, PurchaseOrder};
use crate::decimal::Money;
use crate::error::Result;
use crate::store::{Key, Kind, Scan, Value};
use crate::tx::Tx;
use crate::Id;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// What lists need of a PO, kept under [`Key::PoBrief`] (its status, its id).
///
/// Stored as [`BriefFields`]: the number's sort prefix is derived again on
/// reading, so it is never stored twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "BriefFields", into = "BriefFields")]
pub struct PoBrief {
    /// The PO's id.
    pub id: Id,
    /// Its number (sort by number).
    pub number: String,
    /// Its supplier (filter; supplier view).
    pub supplier_id: Id,
    /// Its status (filter).
    pub status: PoStatus,
    /// Its order date (filter, sort; supplier view).
    pub order_date: NaiveDate,
    /// Its ordered value, summed once when the PO is saved (sort).
    pub total: Money,
    /// The number's first 16 bytes, zero-padded: sorting by number compares
    /// these inline bytes and reads the text only past them.
    number_prefix: [u8; 16],
}

/// The stored form of a [`PoBrief`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefFields {
    id: Id,
    number: String,
    supplier_id: Id,
    status: PoStatus,
    order_date: NaiveDate,
    #[serde(deserialize_with = "crate::decimal::stored::money")]
    total: Money,
}

impl From<BriefFields> for PoBrief {
    fn from(f: BriefFields) -> Self {
        PoBrief {
            number_prefix: prefix(&f.number),
            id: f.id,
            number: f.number,
            supplier_id: f.supplier_id,
            status: f.status,
            order_date: f.order_date,
            total: f.total,
        }
    }
}

impl From<PoBrief> for BriefFields {
    fn from(b: PoBrief) -> Self {
        BriefFields {
            id: b.id,
            number: b.number,
            supplier_id: b.supplier_id,
            status: b.status,
            order_date: b.order_date,
            total: b.total,
        }
    }
}

fn prefix(number: &str) -> [u8; 16] {
    let mut p = [0; 16];
    let b = number.as_bytes();
    let n = b.len().min(16);
    p[..n].copy_from_slice(&b[..n]);
    p
}

/// A PO number as a sort key: ordered exactly like the text (byte order, as
/// `str` compares), but built without reading the text when it is at most 16
/// bytes long (nearly always: `PO-2026-0001-BO1` is 16).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NumberKey {
    prefix: [u8; 16],
    rest: Rest,
}

/// What decides between numbers with the same zero-padded prefix: a number
/// of at most 16 bytes is then a prefix of the other (shorter first); two
/// longer ones compare as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Rest {
    Short(usize),
    Long(String),
}

// A brief is stored inline in `Value`; it must not make every stored value
// (stock levels on the hot path included) larger than the largest one today.
const _: () =
    assert!(std::mem::size_of::<PoBrief>() <= std::mem::size_of::<crate::ledger::StockLevel>());

impl PoBrief {
    /// The brief of a PO.
    pub fn of(po: &PurchaseOrder) -> Self {
        PoBrief {
            number_prefix: prefix(&po.number),
            id: po.id,
            number: po.number.clone(),
            supplier_id: po.supplier_id,
            status: po.status,
            order_date: po.order_date,
            total: po.total(),
        }
    }

    /// The number as a sort key (copies the text only past 16 bytes).
    pub fn number_key(&self) -> NumberKey {
        NumberKey {
            prefix: self.number_prefix,
            rest: if self.number.len() <= 16 {
                Rest::Short(self.number.len())
            } else {
                Rest::Long(self.number.clone())
            },
        }
    }
}

/// Writes a PO and its brief. Every PO write goes through here. The PO as
/// this transaction last saw it (already read by every command that changes
/// a PO) says where its brief was, so a status change moves the brief.
pub(crate) fn save(tx: &mut Tx<'_>, po: &PurchaseOrder) -> Result<()> {
    let was = match tx.get(&Key::PurchaseOrder(po.id))? {
        Some(Value::PurchaseOrder(old)) => Some(old.status),
        _ => None,
    };
    if let Some(was) = was.filter(|s| *s != po.status) {
        tx.delete(Key::PoBrief(was, po.id));
    }
    tx.put(
        Key::PoBrief(po.status, po.id),
        Value::PoBrief(PoBrief::of(po)),
    );
    tx.put(
        Key::PurchaseOrder(po.id),
        Value::PurchaseOrder(Box::new(po.clone())),
    );
    Ok(())
}

/// Deletes a PO (as read) and its brief.
pub(crate) fn remove(tx: &mut Tx<'_>, po: &PurchaseOrder) {
    tx.delete(Key::PurchaseOrder(po.id));
    tx.delete(Key::PoBrief(po.status, po.id));
}

/// Every status, in key order.
pub const STATUSES: [PoStatus; 6] = [
    PoStatus::Draft,
    PoStatus::Ordered,
    PoStatus::PartiallyReceived,
    PoStatus::Received,
    PoStatus::Cancelled,
    PoStatus::Closed,
];

/// Visits the briefs of one status, or of all (status by status, each in id
/// order), as this transaction sees them.
pub(crate) fn each(
    tx: &mut Tx<'_>,
    status: Option<PoStatus>,
    mut f: impl FnMut(&PoBrief),
) -> Result<()> {
    let one = status.map(|s| [s]);
    let statuses: &[PoStatus] = match &one {
        Some(s) => s,
        None => &STATUSES,
    };
    for &s in statuses {
        tx.scan(Scan::All(Kind::PoBrief(s)), |_, v| {
            if let Value::PoBrief(b) = v {
                f(b);
            }
            ControlFlow::Continue(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(number: &str) -> PoBrief {
        PoBrief::from(BriefFields {
            id: 1,
            number: number.into(),
            supplier_id: 1,
            status: PoStatus::Draft,
            order_date: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default(),
            total: Money::ZERO,
        })
    }

    #[test]
    fn number_keys_order_like_the_text() {
        let (x64, x63) = ("x".repeat(64), "x".repeat(63));
        let numbers = [
            "",
            "A",
            "A\u{0}",
            "A\u{0}\u{0}",
            "AB",
            "B",
            "PO-2026-0001",
            "PO-2026-0001-BO1",
            "PO-2026-0001-BO10",
            "PO-2026-0001-BO11",
            "PO-2026-0001-BO2",
            "PO-2026-0001-BO1\u{0}",
            "0123456789abcdef",
            "0123456789abcdeg",
            "0123456789abcdef0",
            "é",
            "IO2601",
            "Z",
            "0123456789abcdef\u{0}",
            x64.as_str(),
            x63.as_str(),
        ];
        for a in numbers {
            for b in numbers {
                assert_eq!(
                    brief(a).number_key().cmp(&brief(b).number_key()),
                    a.cmp(b),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    /// The statuses under which PO `id` has a brief, and the brief's status.
    fn filed(k: &crate::testkit::Kit, id: Id) -> Vec<(PoStatus, PoStatus)> {
        k.briefs()
            .into_iter()
            .filter_map(|(key, b)| match key {
                Key::PoBrief(s, i) if i == id => Some((s, b.status)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_brief_follows_its_po_through_every_status_and_goes_with_it() {
        use crate::store::Store;
        use serde_json::json;
        use PoStatus as S;
        let mut k = crate::testkit::Kit::new();
        k.supplier("Acme");
        let p = k.product("P");
        let lines = json!([{"product_id": p, "quantity": 2, "unit_cost": "1.50"}]);
        k.ok(
            "create_purchase_order",
            json!({"supplier_id": 1, "lines": lines}),
        );
        assert_eq!(filed(&k, 1), [(S::Draft, S::Draft)]);
        k.ok("update_purchase_order", json!({"id": 1, "number": "X-1"}));
        let b = |k: &crate::testkit::Kit| match k.store.get(&Key::PoBrief(S::Draft, 1)) {
            Ok(Some((_, Value::PoBrief(b)))) => Some(b),
            _ => None,
        };
        assert_eq!(
            b(&k).map(|b| (b.number, b.total.to_string())),
            Some(("X-1".into(), "3.00".into()))
        );
        k.ok("order_purchase_order", json!({"id": 1}));
        assert_eq!(filed(&k, 1), [(S::Ordered, S::Ordered)]);
        k.ok(
            "receive_purchase_order",
            json!({"id": 1, "lines": [{"line_no": 1, "quantity": 1}]}),
        );
        assert_eq!(filed(&k, 1), [(S::PartiallyReceived, S::PartiallyReceived)]);
        let closed = k.ok(
            "close_purchase_order",
            json!({"id": 1, "create_backorder": true}),
        );
        assert_eq!(filed(&k, 1), [(S::Closed, S::Closed)]);
        let bo = closed["backorder"]["id"].as_u64().unwrap_or_default();
        assert_eq!(filed(&k, bo), [(S::Ordered, S::Ordered)]);
        k.ok("cancel_purchase_order", json!({"id": bo}));
        assert_eq!(filed(&k, bo), [(S::Cancelled, S::Cancelled)]);
        k.ok(
            "create_purchase_order",
            json!({"supplier_id": 1, "lines": lines}),
        );
        let id = bo + 1;
        assert_eq!(filed(&k, id), [(S::Draft, S::Draft)]);
        k.ok("delete_purchase_order", json!({"id": id}));
        assert_eq!(filed(&k, id), []);
    }

    #[test]
    fn stored_form_round_trips_and_derives_the_prefix_again() {
        let b = brief("PO-2026-0042");
        let text = serde_json::to_string(&b).unwrap_or_default();
        assert!(!text.contains("prefix"), "{text}");
        let back: PoBrief = serde_json::from_str(&text).unwrap_or_else(|_| brief(""));
        assert_eq!(back, b);
        assert_eq!(back.number_key(), b.number_key());
    }
}
