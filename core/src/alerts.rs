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
    #[serde(serialize_with = "crate::text::serialize_utc")]
    pub at: DateTime<Utc>,
}

/// Raises alerts for the products this transaction's movements touched.
pub fn raise(tx: &mut Tx<'_>) -> Result<()> {
    // Where each touched product moved, in one sorted pass (a 1,000-line
    // receipt must not rescan its movements per product). One movement (the
    // common case) needs no list.
    let (one, mut many);
    let moved: &[(Id, Id)] = match tx.pending_movements() {
        [] => return Ok(()),
        [m] => {
            one = [(m.product_id, m.location_id)];
            &one
        }
        ms => {
            many = ms
                .iter()
                .map(|m| (m.product_id, m.location_id))
                .collect::<Vec<_>>();
            many.sort_unstable();
            many.dedup();
            &many
        }
    };
    for locs in moved.chunk_by(|a, b| a.0 == b.0) {
        let pid = locs[0].0;
        let Some(p) = tx.rules_opt(pid)? else {
            continue;
        };
        // Shortcut: one touched location above the threshold puts the total above it.
        let mut above = !p.track_inventory;
        for &(_, loc) in locs {
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
        let cooldown = Duration::minutes(i64::from(tx.setting(|s| s.low_stock_cooldown_minutes)?));
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
