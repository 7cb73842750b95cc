//! Organisation-wide settings (RULES §1): whether purchase orders are in use,
//! number formats, the low-stock alert cooldown, the oversell policy and the
//! over-receipt tolerance.

use crate::auth::Actor;
use crate::decimal::Percent;
use crate::error::{Error, Result};
use crate::numbering;
use crate::store::{Key, Value};
use crate::tx::Tx;
use serde::{Deserialize, Serialize};

/// What to do when a hold or consumption exceeds available stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OversellPolicy {
    /// Refuse with `insufficient_stock`.
    #[default]
    Reject,
    /// Record holds in full, clamp consumption at zero on-hand.
    Allow,
}

/// Formats of the numbering sequences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberFormats {
    /// Purchase orders, default `PO-{YYYY}-{NNNN}`.
    pub purchase_order: String,
    /// Supplier creditor numbers, default `CRED{NNN}`.
    pub supplier: String,
    /// Product article numbers, default `ART_PRODUCT{NNN}`.
    pub product: String,
}

impl Default for NumberFormats {
    fn default() -> Self {
        NumberFormats {
            purchase_order: "PO-{YYYY}-{NNNN}".into(),
            supplier: "CRED{NNN}".into(),
            product: "ART_PRODUCT{NNN}".into(),
        }
    }
}

/// The settings record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// When false, a product's on-hand may also be set through `update_product`.
    pub purchase_orders_enabled: bool,
    /// Number formats.
    pub number_formats: NumberFormats,
    /// Minutes between two low-stock alerts of one product (default 24 h).
    pub low_stock_cooldown_minutes: u32,
    /// Oversell policy.
    pub oversell_policy: OversellPolicy,
    /// How far over its quantity a PO line may be received, in percent.
    pub over_receipt_tolerance_percent: Percent,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            purchase_orders_enabled: true,
            number_formats: NumberFormats::default(),
            low_stock_cooldown_minutes: 24 * 60,
            oversell_policy: OversellPolicy::Reject,
            over_receipt_tolerance_percent: Percent::ZERO,
        }
    }
}

/// Arguments of `update_settings`: every field optional, given ones replace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    /// See [`Settings::purchase_orders_enabled`].
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub purchase_orders_enabled: Option<bool>,
    /// Number formats; each one given is validated.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub number_formats: Option<NumberFormatsPatch>,
    /// See [`Settings::low_stock_cooldown_minutes`].
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub low_stock_cooldown_minutes: Option<u32>,
    /// See [`Settings::oversell_policy`].
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub oversell_policy: Option<OversellPolicy>,
    /// See [`Settings::over_receipt_tolerance_percent`] (0 to 100).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub over_receipt_tolerance_percent: Option<Percent>,
}

/// Partial number formats.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberFormatsPatch {
    /// Purchase orders.
    #[serde(default)]
    pub purchase_order: Option<String>,
    /// Suppliers.
    #[serde(default)]
    pub supplier: Option<String>,
    /// Products.
    #[serde(default)]
    pub product: Option<String>,
}

/// `get_settings`.
pub fn get(tx: &mut Tx<'_>) -> Result<Settings> {
    tx.settings()
}

/// `update_settings` (admin).
pub fn update(tx: &mut Tx<'_>, _actor: &Actor, a: UpdateSettings) -> Result<Settings> {
    let mut s = tx.settings()?;
    if let Some(v) = a.purchase_orders_enabled {
        s.purchase_orders_enabled = v;
    }
    if let Some(f) = a.number_formats {
        if let Some(v) = f.purchase_order {
            s.number_formats.purchase_order =
                numbering::validate("number_formats.purchase_order", &v)?;
        }
        if let Some(v) = f.supplier {
            s.number_formats.supplier = numbering::validate("number_formats.supplier", &v)?;
        }
        if let Some(v) = f.product {
            s.number_formats.product = numbering::validate("number_formats.product", &v)?;
        }
    }
    if let Some(m) = a.low_stock_cooldown_minutes {
        if m > 366 * 24 * 60 {
            return Err(Error::field(
                "low_stock_cooldown_minutes",
                "at most one year",
            ));
        }
        s.low_stock_cooldown_minutes = m;
    }
    if let Some(p) = a.oversell_policy {
        s.oversell_policy = p;
    }
    if let Some(t) = a.over_receipt_tolerance_percent {
        if t.is_negative() || t.get() > rust_decimal::Decimal::from(100) {
            return Err(Error::field(
                "over_receipt_tolerance_percent",
                "between 0 and 100",
            ));
        }
        s.over_receipt_tolerance_percent = t;
    }
    tx.put(Key::Settings, Value::Settings(Box::new(s.clone())));
    Ok(s)
}
