//! Reading purchase orders: one with its lines, or a filtered, sorted page.

use super::{PoStatus, PoSummary, PoView, PurchaseOrder};
use crate::auth::Actor;
use crate::catalog::ById;
use crate::decimal::Money;
use crate::error::{Error, Result};
use crate::paging::{PageRequest, Paged};
use crate::store::{Kind, Scan, Value};
use crate::tx::Tx;
use crate::Id;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

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

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Smallest first.
    Asc,
    /// Largest first (the default: newest first).
    #[default]
    Desc,
}

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

enum SortKey {
    Number(String),
    Date(NaiveDate),
    Total(Money),
}

/// `list_purchase_orders`. Only the sort keys of matching POs are collected;
/// the page's POs are summarised at the end.
pub fn list(tx: &mut Tx<'_>, _: &Actor, a: ListPurchaseOrders) -> Result<Paged<PoSummary>> {
    let page = PageRequest::new(a.page, a.page_size)?;
    if let (Some(f), Some(t)) = (a.from, a.to) {
        if t < f {
            return Err(Error::field("to", "before `from`"));
        }
    }
    let mut hits: Vec<(SortKey, Id)> = Vec::new();
    tx.scan(Scan::All(Kind::PurchaseOrder), |_, v| {
        if let Value::PurchaseOrder(po) = v {
            if matches(&a, po) {
                let key = match a.sort {
                    PoSort::Number => SortKey::Number(po.number.clone()),
                    PoSort::OrderDate => SortKey::Date(po.order_date),
                    PoSort::Total => SortKey::Total(po.total()),
                };
                hits.push((key, po.id));
            }
        }
        ControlFlow::Continue(())
    })?;
    let cmp = |(ka, ia): &(SortKey, Id), (kb, ib): &(SortKey, Id)| {
        let o = match (ka, kb) {
            (SortKey::Number(x), SortKey::Number(y)) => x.cmp(y),
            (SortKey::Date(x), SortKey::Date(y)) => x.cmp(y),
            (SortKey::Total(x), SortKey::Total(y)) => x.cmp(y),
            _ => std::cmp::Ordering::Equal,
        }
        .then(ia.cmp(ib));
        match a.direction {
            Direction::Asc => o,
            Direction::Desc => o.reverse(),
        }
    };
    // Only the POs up to the end of the asked page need to be in order: select
    // them (linear), then sort just those. The order is total (ids break ties),
    // so the page is the same as after a full sort.
    let end = (page.offset() + page.page_size as usize).min(hits.len());
    if end > 0 && end < hits.len() {
        hits.select_nth_unstable_by(end - 1, cmp);
    }
    hits[..end].sort_unstable_by(cmp);
    let total = hits.len();
    let mut items = Vec::new();
    for (_, id) in hits
        .into_iter()
        .skip(page.offset())
        .take(page.page_size as usize)
    {
        items.push(PoSummary::from(&tx.purchase_order(id)?));
    }
    Ok(page.answer(items, total))
}

fn matches(a: &ListPurchaseOrders, po: &PurchaseOrder) -> bool {
    a.status.is_none_or(|s| po.status == s)
        && a.supplier_id.is_none_or(|s| po.supplier_id == s)
        && a.from.is_none_or(|f| po.order_date >= f)
        && a.to.is_none_or(|t| po.order_date <= t)
}
