//! Low-stock alerts (RULES §5): when a change leaves a tracked product's total
//! on-hand at or below its threshold, one `low_stock` event, at most once per
//! product per cooldown (measured with the commands' `now`). The core only
//! raises the event; hosts deliver it (the native host keeps an outbox).

use crate::decimal::Quantity;
use crate::error::Result;
use crate::ledger;
use crate::protocol::Event;
use crate::store::{Key, Value};
use crate::tx::Tx;
use crate::Id;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The `low_stock` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStock {
    /// Product.
    pub product_id: Id,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// Total on hand after the change.
    pub on_hand: Quantity,
    /// Its threshold.
    pub threshold: Quantity,
    /// When.
    pub at: DateTime<Utc>,
}

/// Raises alerts for the products this transaction's movements touched.
pub fn raise(tx: &mut Tx<'_>) -> Result<()> {
    if tx.touched.is_empty() {
        return Ok(());
    }
    // Where each touched product moved, from this command's movements (one
    // pass: a 1,000-line receipt must not rescan them per product).
    let mut moved: Vec<(Id, Id)> = tx
        .pending_movements()
        .iter()
        .map(|m| (m.product_id, m.location_id))
        .collect();
    moved.sort_unstable();
    moved.dedup();
    let touched: Vec<Id> = tx.touched.iter().copied().collect();
    for pid in touched {
        let Some(p) = tx.rules_opt(pid)? else {
            continue;
        };
        // Shortcut: one touched location above the threshold puts the total above it.
        let from = moved.partition_point(|&(q, _)| q < pid);
        let mut above = !p.track_inventory;
        for &(_, loc) in moved[from..].iter().take_while(|&&(q, _)| q == pid) {
            if above {
                break;
            }
            above |= ledger::level(tx, pid, loc)?.on_hand > p.low_stock_threshold;
        }
        if above {
            continue;
        }
        let totals = ledger::totals(tx, pid)?;
        if !totals.low_stock {
            continue;
        }
        let last = match tx.get(&Key::LowStockAlert(pid))? {
            Some(Value::Time(t)) => Some(*t),
            _ => None,
        };
        let cooldown = Duration::minutes(i64::from(tx.settings()?.low_stock_cooldown_minutes));
        if last.is_some_and(|t| tx.now - t < cooldown) {
            continue;
        }
        tx.put(Key::LowStockAlert(pid), Value::Time(tx.now));
        let product = tx.product(pid)?;
        tx.emit(Event::LowStock(LowStock {
            product_id: pid,
            sku: product.sku,
            name: product.name,
            on_hand: totals.on_hand,
            threshold: p.low_stock_threshold,
            at: tx.now,
        }));
    }
    Ok(())
}
