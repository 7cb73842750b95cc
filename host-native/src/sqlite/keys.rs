//! The byte encoding of [`Key`] used as the primary key of the `records` table.
//!
//! SQLite compares BLOBs with `memcmp` (shorter first on a tie), so the encoding
//! is chosen to make that order the derived `Ord` of [`Key`]: one tag byte per
//! variant in declaration order, ids as 8-byte big-endian, a trailing string as
//! its UTF-8 bytes (only ever the last field). A scan of one kind is then a
//! range of the primary key, in exactly the order the in-memory `BTreeMap` uses.
//!
//! The matches are exhaustive on purpose: a new `Key` variant in core does not
//! compile here until it gets a tag (append new tags at the end of its place in
//! the declaration order, and bump the schema version if stored keys move).

use stockbook_core::numbering::Sequence;
use stockbook_core::purchasing::PoStatus;
use stockbook_core::store::{Counter, Key, Kind};
use stockbook_core::Id;

const SETTINGS: u8 = 0;
const COUNTER: u8 = 1;
const LOCATION: u8 = 2;
const CATEGORY: u8 = 3;
const VAT_RATE: u8 = 4;
const SUPPLIER: u8 = 5;
const PRODUCT: u8 = 6;
const SKU: u8 = 7;
const STOCK: u8 = 8;
const LOW_STOCK_ALERT: u8 = 9;
const PURCHASE_ORDER: u8 = 10;
const PO_NUMBER: u8 = 11;
const IDEMPOTENCY: u8 = 12;
const SALES_DOCUMENT: u8 = 13;
const PO_BRIEF: u8 = 14;

fn kind_tag(k: Kind) -> u8 {
    match k {
        Kind::Location => 0,
        Kind::Category => 1,
        Kind::VatRate => 2,
        Kind::Supplier => 3,
        Kind::Product => 4,
        Kind::Stock => 5,
        Kind::PurchaseOrder => 6,
        Kind::SalesDocument => 7,
        Kind::PoBrief(s) => 8 + status_tag(s),
    }
}

fn kind_of_tag(t: u8) -> Option<Kind> {
    Some(match t {
        0 => Kind::Location,
        1 => Kind::Category,
        2 => Kind::VatRate,
        3 => Kind::Supplier,
        4 => Kind::Product,
        5 => Kind::Stock,
        6 => Kind::PurchaseOrder,
        7 => Kind::SalesDocument,
        8..=13 => Kind::PoBrief(status_of_tag(t - 8)?),
        _ => return None,
    })
}

fn status_tag(s: PoStatus) -> u8 {
    match s {
        PoStatus::Draft => 0,
        PoStatus::Ordered => 1,
        PoStatus::PartiallyReceived => 2,
        PoStatus::Received => 3,
        PoStatus::Cancelled => 4,
        PoStatus::Closed => 5,
    }
}

fn status_of_tag(t: u8) -> Option<PoStatus> {
    Some(match t {
        0 => PoStatus::Draft,
        1 => PoStatus::Ordered,
        2 => PoStatus::PartiallyReceived,
        3 => PoStatus::Received,
        4 => PoStatus::Cancelled,
        5 => PoStatus::Closed,
        _ => return None,
    })
}

fn sequence_tag(s: Sequence) -> u8 {
    match s {
        Sequence::PurchaseOrder => 0,
        Sequence::Supplier => 1,
        Sequence::Product => 2,
    }
}

fn sequence_of_tag(t: u8) -> Option<Sequence> {
    Some(match t {
        0 => Sequence::PurchaseOrder,
        1 => Sequence::Supplier,
        2 => Sequence::Product,
        _ => return None,
    })
}

/// The record key of a [`Key`].
pub fn encode(key: &Key) -> Vec<u8> {
    let mut out = Vec::with_capacity(24);
    let id = |out: &mut Vec<u8>, tag: u8, id: Id| {
        out.push(tag);
        out.extend_from_slice(&id.to_be_bytes());
    };
    match key {
        Key::Settings => out.push(SETTINGS),
        Key::Counter(c) => {
            out.push(COUNTER);
            match c {
                Counter::Ledger => out.push(0),
                Counter::Ids(k) => out.extend_from_slice(&[1, kind_tag(*k)]),
                Counter::Number { sequence, year } => {
                    out.extend_from_slice(&[2, sequence_tag(*sequence)]);
                    // Flip the sign bit so negative years sort first.
                    out.extend_from_slice(&((*year as u32) ^ 0x8000_0000).to_be_bytes());
                }
            }
        }
        Key::Location(i) => id(&mut out, LOCATION, *i),
        Key::Category(i) => id(&mut out, CATEGORY, *i),
        Key::VatRate(i) => id(&mut out, VAT_RATE, *i),
        Key::Supplier(i) => id(&mut out, SUPPLIER, *i),
        Key::Product(i) => id(&mut out, PRODUCT, *i),
        Key::Sku(s) => {
            out.push(SKU);
            out.extend_from_slice(s.as_bytes());
        }
        Key::Stock(p, l) => {
            id(&mut out, STOCK, *p);
            out.extend_from_slice(&l.to_be_bytes());
        }
        Key::LowStockAlert(i) => id(&mut out, LOW_STOCK_ALERT, *i),
        Key::PurchaseOrder(i) => id(&mut out, PURCHASE_ORDER, *i),
        Key::PoNumber(s) => {
            out.push(PO_NUMBER);
            out.extend_from_slice(s.as_bytes());
        }
        Key::Idempotency(s) => {
            out.push(IDEMPOTENCY);
            out.extend_from_slice(s.as_bytes());
        }
        Key::SalesDocument(i) => id(&mut out, SALES_DOCUMENT, *i),
        Key::PoBrief(s, i) => {
            out.extend_from_slice(&[PO_BRIEF, status_tag(*s)]);
            out.extend_from_slice(&i.to_be_bytes());
        }
    }
    out
}

fn id_at(b: &[u8], at: usize) -> Option<Id> {
    let bytes: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(Id::from_be_bytes(bytes))
}

fn text(b: &[u8]) -> Option<String> {
    String::from_utf8(b.get(1..)?.to_vec()).ok()
}

/// The [`Key`] of a record key, or `None` for bytes no [`encode`] produced.
pub fn decode(b: &[u8]) -> Option<Key> {
    let one_id = |b: &[u8]| if b.len() == 9 { id_at(b, 1) } else { None };
    Some(match *b.first()? {
        SETTINGS if b.len() == 1 => Key::Settings,
        COUNTER => Key::Counter(match (b.get(1)?, b.len()) {
            (0, 2) => Counter::Ledger,
            (1, 3) => Counter::Ids(kind_of_tag(b[2])?),
            (2, 7) => {
                let y: [u8; 4] = b.get(3..7)?.try_into().ok()?;
                Counter::Number {
                    sequence: sequence_of_tag(b[2])?,
                    year: (u32::from_be_bytes(y) ^ 0x8000_0000) as i32,
                }
            }
            _ => return None,
        }),
        LOCATION => Key::Location(one_id(b)?),
        CATEGORY => Key::Category(one_id(b)?),
        VAT_RATE => Key::VatRate(one_id(b)?),
        SUPPLIER => Key::Supplier(one_id(b)?),
        PRODUCT => Key::Product(one_id(b)?),
        SKU => Key::Sku(text(b)?),
        STOCK if b.len() == 17 => Key::Stock(id_at(b, 1)?, id_at(b, 9)?),
        LOW_STOCK_ALERT => Key::LowStockAlert(one_id(b)?),
        PURCHASE_ORDER => Key::PurchaseOrder(one_id(b)?),
        PO_NUMBER => Key::PoNumber(text(b)?),
        IDEMPOTENCY => Key::Idempotency(text(b)?),
        SALES_DOCUMENT => Key::SalesDocument(one_id(b)?),
        PO_BRIEF if b.len() == 10 => Key::PoBrief(status_of_tag(b[1])?, id_at(b, 2)?),
        _ => return None,
    })
}

/// Inclusive bounds of every key of a kind.
pub fn kind_bounds(kind: Kind) -> (Vec<u8>, Vec<u8>) {
    if let Kind::PoBrief(s) = kind {
        return (
            encode(&Key::PoBrief(s, 0)),
            encode(&Key::PoBrief(s, Id::MAX)),
        );
    }
    let tag = match kind {
        Kind::Location => LOCATION,
        Kind::Category => CATEGORY,
        Kind::VatRate => VAT_RATE,
        Kind::Supplier => SUPPLIER,
        Kind::Product => PRODUCT,
        Kind::Stock => STOCK,
        Kind::PurchaseOrder => PURCHASE_ORDER,
        Kind::SalesDocument => SALES_DOCUMENT,
        Kind::PoBrief(_) => PO_BRIEF, // answered above
    };
    let width = if tag == STOCK { 16 } else { 8 };
    let mut lo = vec![tag];
    lo.resize(1 + width, 0);
    let mut hi = vec![tag];
    hi.resize(1 + width, 0xff);
    (lo, hi)
}

/// Inclusive bounds of the stock keys of one product.
pub fn stock_bounds(product_id: Id) -> (Vec<u8>, Vec<u8>) {
    (
        encode(&Key::Stock(product_id, 0)),
        encode(&Key::Stock(product_id, Id::MAX)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockbook_core::purchasing::brief::STATUSES;

    fn samples() -> Vec<Key> {
        let mut keys = vec![
            Key::Settings,
            Key::Counter(Counter::Ledger),
            Key::Counter(Counter::Ids(Kind::Location)),
            Key::Counter(Counter::Ids(Kind::PurchaseOrder)),
            Key::Counter(Counter::Ids(Kind::SalesDocument)),
            Key::Counter(Counter::Ids(Kind::PoBrief(PoStatus::Draft))),
            Key::Counter(Counter::Ids(Kind::PoBrief(PoStatus::Closed))),
            Key::Counter(Counter::Number {
                sequence: Sequence::PurchaseOrder,
                year: -5,
            }),
            Key::Counter(Counter::Number {
                sequence: Sequence::PurchaseOrder,
                year: 0,
            }),
            Key::Counter(Counter::Number {
                sequence: Sequence::PurchaseOrder,
                year: 2026,
            }),
            Key::Counter(Counter::Number {
                sequence: Sequence::Product,
                year: 1,
            }),
            Key::Sku(String::new()),
            Key::Sku("A".into()),
            Key::Sku("AB".into()),
            Key::Sku("B".into()),
            Key::Sku("é".into()),
            Key::PoNumber("PO-2026-0001".into()),
            Key::Idempotency("k".into()),
        ];
        for id in [0, 1, 2, 255, 256, 1 << 40, Id::MAX] {
            keys.push(Key::Location(id));
            keys.push(Key::Category(id));
            keys.push(Key::VatRate(id));
            keys.push(Key::Supplier(id));
            keys.push(Key::Product(id));
            keys.push(Key::LowStockAlert(id));
            keys.push(Key::PurchaseOrder(id));
            keys.push(Key::SalesDocument(id));
            for s in STATUSES {
                keys.push(Key::PoBrief(s, id));
            }
            for l in [0, 1, 300, Id::MAX] {
                keys.push(Key::Stock(id, l));
            }
        }
        keys
    }

    #[test]
    fn round_trips() {
        for k in samples() {
            assert_eq!(decode(&encode(&k)), Some(k.clone()), "{k:?}");
        }
    }

    #[test]
    fn byte_order_is_key_order() {
        let keys = samples();
        for a in &keys {
            for b in &keys {
                assert_eq!(encode(a).cmp(&encode(b)), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn bounds_cover_exactly_their_kind() {
        for k in samples() {
            let e = encode(&k);
            for kind in [
                Kind::Location,
                Kind::Category,
                Kind::VatRate,
                Kind::Supplier,
                Kind::Product,
                Kind::Stock,
                Kind::PurchaseOrder,
                Kind::SalesDocument,
            ]
            .into_iter()
            .chain(STATUSES.map(Kind::PoBrief))
            {
                let (lo, hi) = kind_bounds(kind);
                assert_eq!(lo <= e && e <= hi, k.kind() == Some(kind), "{k:?} {kind:?}");
            }
        }
    }

    #[test]
    fn garbage_does_not_decode() {
        for b in [
            &[][..],
            &[99],
            &[2, 0],
            &[1, 7],
            &[8, 0, 0],
            &[7, 0xff],
            &[1, 1, 14],
            &[14, 0],
            &[14, 6, 0, 0, 0, 0, 0, 0, 0, 1],
            &[14, 0, 0, 0, 0, 0, 0, 0, 0],
            &[14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &[15, 0, 0, 0, 0, 0, 0, 0, 0],
        ] {
            assert_eq!(decode(b), None);
        }
    }
}
