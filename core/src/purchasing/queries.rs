//! Reading purchase orders: one with its lines, or a filtered, sorted page.

use super::brief::{self, NumberKey, PoBrief};
use super::{PoStatus, PoSummary, PoView};
use crate::auth::Actor;
use crate::catalog::ById;
use crate::decimal::Money;
use crate::error::{Error, Result};
pub use crate::paging::Direction;
use crate::paging::{PageRequest, Paged};
use crate::store::{Key, Value};
use crate::tx::Tx;
use crate::Id;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Sort key of `list_purchase_orders`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoSort {
    /// By number (text order).
    Number,
    /// By order date (the default).
    #[default]
    OrderDate,
    /// By ordered value.
    Total,
}

/// The wire names of every [`PoSort`], in declaration order: the choices a
/// host offers for sorting a PO list (the CLI's `po list --sort`), so it can
/// refuse a typo before building a request without keeping its own copy of
/// the names.
pub const PO_SORTS: [&str; 3] = ["number", "order_date", "total"];

/// `list_purchase_orders` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListPurchaseOrders {
    /// Only this status.
    #[serde(default)]
    pub status: Option<PoStatus>,
    /// Only this supplier.
    #[serde(default)]
    pub supplier_id: Option<Id>,
    /// Only POs with a line of this product (with `status`: where a
    /// product's `incoming` comes from).
    #[serde(default)]
    pub product_id: Option<Id>,
    /// Order date on or after.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Order date on or before.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// Sort key, default `order_date`.
    #[serde(default)]
    pub sort: PoSort,
    /// Direction, default `desc`.
    #[serde(default)]
    pub direction: Direction,
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<u32>,
    /// Page size, at most 50.
    #[serde(default)]
    pub page_size: Option<u32>,
}

/// `get_purchase_order`.
pub fn get(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<PoView> {
    Ok(PoView::of(tx.purchase_order(a.id)?))
}

/// Sort key of one listed PO (one query only ever compares keys of one kind).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Number(NumberKey),
    Date(NaiveDate),
    Total(Money),
}

/// A listed PO, ordered as the answer lists it: by key, then id (so the order
/// is total and every page is well defined), reversed for `desc`.
#[derive(PartialEq, Eq)]
struct Ranked {
    key: SortKey,
    id: Id,
    desc: bool,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        let o = (&self.key, self.id).cmp(&(&other.key, other.id));
        if self.desc {
            o.reverse()
        } else {
            o
        }
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The first `keep` of a stream of items, in order, without sorting or even
/// keeping the whole stream: items go into a buffer; when it holds `2 x keep`
/// the best `keep` are selected (linear time) and the rest dropped, and from
/// then on an item no better than the `keep`-th so far is dropped at once.
///
/// Why not a heap: POs are listed newest first by default, and they arrive
/// oldest first (id order), so every item would displace the heap's top at
/// ~2 log2(keep) comparisons each; here it costs a few, amortized.
struct Best<T> {
    keep: usize,
    buf: Vec<T>,
    /// Whether `buf[keep - 1]` is the `keep`-th best so far (after a cut).
    cut: bool,
}

impl<T: Ord> Best<T> {
    fn new(keep: usize) -> Self {
        Best {
            keep: keep.max(1),
            buf: Vec::with_capacity(keep.clamp(1, 512) * 2),
            cut: false,
        }
    }

    fn offer(&mut self, item: T) {
        if self.cut && item >= self.buf[self.keep - 1] {
            return;
        }
        self.buf.push(item);
        if self.buf.len() >= self.keep.saturating_mul(2) {
            self.shrink();
        }
    }

    fn shrink(&mut self) {
        if self.buf.len() > self.keep {
            self.buf.select_nth_unstable(self.keep - 1);
            self.buf.truncate(self.keep);
            self.cut = true;
        }
    }

    /// The first `keep` items, in order.
    fn into_sorted(mut self) -> Vec<T> {
        self.shrink();
        self.buf.sort_unstable();
        self.buf
    }
}

/// `list_purchase_orders`. Filters and sorts the POs' briefs (see [`brief`]),
/// not the POs: one pass counts the matches and keeps only the first
/// `page x page_size` of them (`Best`: no list of every match is built or
/// sorted); only the page's POs are read, at the end.
pub fn list(tx: &mut Tx<'_>, _: &Actor, a: ListPurchaseOrders) -> Result<Paged<PoSummary>> {
    let page = PageRequest::new(a.page, a.page_size)?;
    if let (Some(f), Some(t)) = (a.from, a.to) {
        if t < f {
            return Err(Error::field("to", "before `from`"));
        }
    }
    let keep = page.offset().saturating_add(page.page_size as usize);
    let desc = a.direction == Direction::Desc;
    let rank = |b: &PoBrief| Ranked {
        key: match a.sort {
            PoSort::Number => SortKey::Number(b.number_key()),
            PoSort::OrderDate => SortKey::Date(b.order_date),
            PoSort::Total => SortKey::Total(b.total),
        },
        id: b.id,
        desc,
    };
    let mut best = Best::new(keep);
    let mut total = 0usize;
    // Briefs do not list products: with `product_id`, the briefs the other
    // filters keep wait here, and each one's PO is read for its lines
    // (lent by the store, not copied); only such a list pays for it.
    let mut unread = Vec::new();
    brief::each(tx, a.status, |b| {
        if !matches(&a, b) {
            return;
        }
        if a.product_id.is_some() {
            unread.push(rank(b));
        } else {
            total += 1;
            best.offer(rank(b));
        }
    })?;
    if let Some(p) = a.product_id {
        for r in unread {
            if let Some(Value::PurchaseOrder(po)) = tx.get(&Key::PurchaseOrder(r.id))? {
                if po.lines.iter().any(|l| l.product_id == Some(p)) {
                    total += 1;
                    best.offer(r);
                }
            }
        }
    }
    let items = best
        .into_sorted()
        .into_iter()
        .skip(page.offset())
        .map(|r| super::summary(tx, r.id))
        .collect::<Result<Vec<_>>>()?;
    Ok(page.answer(items, total))
}

fn matches(a: &ListPurchaseOrders, po: &PoBrief) -> bool {
    a.status.is_none_or(|s| po.status == s)
        && a.supplier_id.is_none_or(|s| po.supplier_id == s)
        && a.from.is_none_or(|f| po.order_date >= f)
        && a.to.is_none_or(|t| po.order_date <= t)
}

#[cfg(test)]
mod tests {
    use super::{Best, PoSort, PO_SORTS};
    use crate::testkit::Kit;
    use serde_json::{json, Value};

    /// The numbers of the POs a list answers, in its order, and its total.
    fn listed(k: &mut Kit, args: Value) -> (Vec<String>, u64) {
        let page = k.ok("list_purchase_orders", args);
        let numbers = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|po| po["number"].as_str().unwrap().to_string())
            .collect();
        (numbers, page["total_count"].as_u64().unwrap())
    }

    /// `product_id` keeps the POs with a line of that product, in any
    /// line and at any location, together with the other filters; a product
    /// on no PO (or no product at all) lists nothing.
    #[test]
    fn a_list_filtered_by_product_keeps_the_pos_with_a_line_of_it() {
        let mut k = Kit::new();
        let supplier = k.supplier("Acme");
        let (bolt, nut, washer) = (k.product("BOLT"), k.product("NUT"), k.product("WASHER"));
        let van = k.ok("create_location", json!({"name": "Van"}))["id"].clone();
        let po = |k: &mut Kit, lines: Value| {
            let v = k.ok(
                "create_purchase_order",
                json!({"supplier_id": supplier, "lines": lines}),
            );
            (
                v["purchase_order"]["id"].as_u64().unwrap(),
                v["purchase_order"]["number"].as_str().unwrap().to_string(),
            )
        };
        let (a, na) = po(
            &mut k,
            json!([{"product_id": nut, "quantity": 5}, {"product_id": bolt, "quantity": 10}]),
        );
        let (b, nb) = po(&mut k, json!([{"product_id": nut, "quantity": 3}]));
        let (c, nc) = po(
            &mut k,
            json!([{"product_id": bolt, "quantity": 4, "location_id": van}]),
        );
        let (_, nd) = po(
            &mut k,
            json!([{"description": "freight", "quantity": 1, "unit_cost": "9.50"}, {"product_id": bolt, "quantity": 1}]),
        );
        for id in [a, b, c] {
            k.ok("order_purchase_order", json!({"id": id}));
        }
        k.ok(
            "receive_purchase_order",
            json!({"id": c, "lines": [{"line_no": 1, "quantity": 1}]}),
        );
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        let (all, n) = listed(&mut k, json!({"product_id": bolt}));
        assert_eq!(
            (sorted(all), n),
            (sorted(vec![na.clone(), nc.clone(), nd]), 3)
        );
        let (ordered, n) = listed(&mut k, json!({"product_id": bolt, "status": "ordered"}));
        assert_eq!((ordered, n), (vec![na.clone()], 1));
        let (partly, n) = listed(
            &mut k,
            json!({"product_id": bolt, "status": "partially_received"}),
        );
        assert_eq!((partly, n), (vec![nc], 1));
        let (nuts, n) = listed(&mut k, json!({"product_id": nut, "status": "ordered"}));
        assert_eq!((sorted(nuts), n), (sorted(vec![na, nb]), 2));
        assert_eq!(listed(&mut k, json!({"product_id": washer})), (vec![], 0));
        assert_eq!(listed(&mut k, json!({"product_id": 999})), (vec![], 0));
        // A page of one, still counting every match.
        let (one, n) = listed(&mut k, json!({"product_id": bolt, "page_size": 1}));
        assert_eq!((one.len(), n), (1, 3));
    }

    #[test]
    fn sort_names_are_the_serde_names_of_every_variant() {
        crate::testkit::assert_serde_names::<PoSort>(&PO_SORTS);
    }

    #[test]
    fn best_keeps_exactly_the_first_items_in_order() {
        // Ascending, descending, shuffled (a fixed permutation) and with ties.
        let n = 1000u32;
        let streams: Vec<Vec<u32>> = vec![
            (0..n).collect(),
            (0..n).rev().collect(),
            (0..n).map(|i| (i * 7919) % n).collect(),
            (0..n).map(|i| i % 10).collect(),
            Vec::new(),
        ];
        for stream in &streams {
            let mut sorted = stream.clone();
            sorted.sort_unstable();
            for keep in [1, 2, 3, 50, 999, 1000, 5000] {
                let mut best = Best::new(keep);
                for &x in stream {
                    best.offer(x);
                }
                let want: Vec<u32> = sorted.iter().copied().take(keep).collect();
                assert_eq!(best.into_sorted(), want, "keep {keep}");
            }
        }
    }
}
