//! Products: what is bought, stocked and sold. A product with history (movements
//! or document lines) is archived, never deleted, so the ledger always explains
//! itself.

use crate::auth::Actor;
use crate::catalog::{self, all, ById, Deleted};
use crate::decimal::{Money, Quantity};
use crate::error::{Error, Result};
use crate::ledger::{self, MovementQuery, Operation, Source, StockTotals, StockView};
use crate::numbering::{self, Sequence};
use crate::paging::{nullable, PageRequest, Paged};
use crate::purchasing;
use crate::store::{Counter, Key, Kind, Value};
use crate::tx::Tx;
use crate::validate;
use crate::Id;
use serde::{Deserialize, Serialize};

/// Most decimal places a product's quantities may use.
pub const MAX_DECIMAL_PLACES: u32 = 6;

/// A product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Id.
    pub id: Id,
    /// Unique stock-keeping unit.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Article number from the `ART_PRODUCT` sequence.
    pub article_number: String,
    /// EAN-8 or EAN-13.
    pub ean: Option<String>,
    /// Category.
    pub category_id: Option<Id>,
    /// Preferred supplier.
    pub supplier_id: Option<Id>,
    /// Sale price.
    pub price: Money,
    /// Purchase price.
    pub purchase_price: Money,
    /// VAT rate.
    pub vat_rate_id: Option<Id>,
    /// Whether stock is kept for it.
    pub track_inventory: bool,
    /// Low-stock alert when total on-hand is at or below this.
    pub low_stock_threshold: Quantity,
    /// Unit of measure.
    pub unit: String,
    /// Decimal places allowed in its quantities (0: whole units).
    pub decimal_places: u32,
    /// Archived products stay on record but leave default listings.
    pub archived: bool,
}

/// What the ledger needs to know of a product: a cheap copy, so hot paths do
/// not clone names and codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockRules {
    /// The product.
    pub id: Id,
    /// Whether stock is kept for it.
    pub track_inventory: bool,
    /// Decimal places allowed.
    pub decimal_places: u32,
    /// Low-stock threshold.
    pub low_stock_threshold: Quantity,
}

impl Product {
    /// The product's stock rules.
    pub fn rules(&self) -> StockRules {
        StockRules {
            id: self.id,
            track_inventory: self.track_inventory,
            decimal_places: self.decimal_places,
            low_stock_threshold: self.low_stock_threshold,
        }
    }
}

/// `create_product` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    /// Unique SKU (required).
    pub sku: String,
    /// Name (required).
    pub name: String,
    /// EAN-8/13.
    #[serde(default)]
    pub ean: Option<String>,
    /// Category (must exist).
    #[serde(default)]
    pub category_id: Option<Id>,
    /// Preferred supplier (must exist).
    #[serde(default)]
    pub supplier_id: Option<Id>,
    /// Sale price, default 0.
    #[serde(default)]
    pub price: Option<Money>,
    /// Purchase price, default 0.
    #[serde(default)]
    pub purchase_price: Option<Money>,
    /// VAT rate; the default rate when omitted.
    #[serde(default)]
    pub vat_rate_id: Option<Id>,
    /// Default true.
    #[serde(default)]
    pub track_inventory: Option<bool>,
    /// Default 5.
    #[serde(default)]
    pub low_stock_threshold: Option<Quantity>,
    /// Default `pcs`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Default 0.
    #[serde(default)]
    pub decimal_places: Option<u32>,
}

/// `update_product` arguments: absent keeps, `null` clears, a value sets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    /// Which product.
    pub id: Id,
    /// New SKU (unique).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub sku: Option<String>,
    /// New name.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub name: Option<String>,
    /// EAN.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub ean: Option<Option<String>>,
    /// Category.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub category_id: Option<Option<Id>>,
    /// Preferred supplier.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub supplier_id: Option<Option<Id>>,
    /// Sale price.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub price: Option<Money>,
    /// Purchase price.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub purchase_price: Option<Money>,
    /// VAT rate.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub vat_rate_id: Option<Option<Id>>,
    /// Track inventory (turning it off needs zero stock).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub track_inventory: Option<bool>,
    /// Threshold.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub low_stock_threshold: Option<Quantity>,
    /// Unit.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub unit: Option<String>,
    /// Decimal places (can only grow once the product has stock history).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub decimal_places: Option<u32>,
    /// Archive or restore.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub archived: Option<bool>,
    /// Only when purchase orders are disabled: set the on-hand at `Main`
    /// (written as an `adjustment` movement).
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub on_hand: Option<Quantity>,
    /// Reason recorded with an `on_hand` change (`null`: none, as when
    /// left out; it is not a field of the product).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `list_products` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListProducts {
    /// Case-insensitive part of name, SKU or article number.
    #[serde(default)]
    pub search: Option<String>,
    /// Only this category.
    #[serde(default)]
    pub category_id: Option<Id>,
    /// Only this preferred supplier.
    #[serde(default)]
    pub supplier_id: Option<Id>,
    /// Include archived products (default false).
    #[serde(default)]
    pub include_archived: bool,
    /// Only tracked products at or below their threshold.
    #[serde(default)]
    pub low_stock_only: bool,
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<u32>,
    /// Page size, at most 50.
    #[serde(default)]
    pub page_size: Option<u32>,
}

/// A product with its stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductView {
    /// The product.
    pub product: Product,
    /// Totals over all locations.
    pub stock: StockTotals,
    /// Per location.
    pub locations: Vec<StockView>,
}

fn check_refs(
    tx: &mut Tx<'_>,
    category: Option<Id>,
    supplier: Option<Id>,
    vat: Option<Id>,
) -> Result<()> {
    if let Some(c) = category {
        tx.category(c)?;
    }
    if let Some(s) = supplier {
        tx.supplier(s)?;
    }
    if let Some(v) = vat {
        tx.vat_rate(v)?;
    }
    Ok(())
}

fn check_places(places: u32) -> Result<u32> {
    if places > MAX_DECIMAL_PLACES {
        return Err(Error::field(
            "decimal_places",
            format!("at most {MAX_DECIMAL_PLACES}"),
        ));
    }
    Ok(places)
}

fn check_threshold(t: Quantity, places: u32) -> Result<Quantity> {
    if t.is_negative() {
        return Err(Error::field("low_stock_threshold", "must be >= 0"));
    }
    validate::within_places("low_stock_threshold", t, places)
}

fn claim_sku(tx: &mut Tx<'_>, sku: &str, id: Id) -> Result<()> {
    if tx
        .index(&Key::Sku(sku.to_string()))?
        .is_some_and(|other| other != id)
    {
        return Err(Error::Duplicate {
            field: "sku".into(),
            value: sku.to_string(),
        });
    }
    tx.put(Key::Sku(sku.to_string()), Value::Ref(id));
    Ok(())
}

/// `create_product`.
pub fn create(tx: &mut Tx<'_>, _: &Actor, a: CreateProduct) -> Result<Product> {
    let sku = validate::code("sku", &a.sku)?;
    let name = validate::name("name", &a.name)?;
    let ean = a
        .ean
        .as_deref()
        .map(|e| validate::ean("ean", e))
        .transpose()?;
    let price = validate::non_negative_money("price", a.price.unwrap_or_default())?;
    let purchase_price =
        validate::non_negative_money("purchase_price", a.purchase_price.unwrap_or_default())?;
    let decimal_places = check_places(a.decimal_places.unwrap_or(0))?;
    let low_stock_threshold = check_threshold(
        a.low_stock_threshold.unwrap_or(Quantity::from_int(5)),
        decimal_places,
    )?;
    let unit = validate::name("unit", a.unit.as_deref().unwrap_or("pcs"))?;
    check_refs(tx, a.category_id, a.supplier_id, a.vat_rate_id)?;
    let vat_rate_id = match a.vat_rate_id {
        Some(v) => Some(v),
        None => catalog::default_vat_rate(tx)?,
    };
    let id = tx.next(Counter::Ids(Kind::Product))?;
    claim_sku(tx, &sku, id)?;
    let format = tx.setting(|s| s.number_formats.product.clone())?;
    let article_number = numbering::next(tx, Sequence::Product, &format, |_, _| Ok(false))?;
    let p = Product {
        id,
        sku,
        name,
        article_number,
        ean,
        category_id: a.category_id,
        supplier_id: a.supplier_id,
        price,
        purchase_price,
        vat_rate_id,
        track_inventory: a.track_inventory.unwrap_or(true),
        low_stock_threshold,
        unit,
        decimal_places,
        archived: false,
    };
    tx.put(Key::Product(id), Value::Product(Box::new(p.clone())));
    Ok(p)
}

fn has_movements(tx: &mut Tx<'_>, id: Id) -> Result<bool> {
    let q = MovementQuery {
        product_id: Some(id),
        limit: 1,
        ..Default::default()
    };
    Ok(!tx.store().movements(&q)?.is_empty()
        || tx.pending_movements().iter().any(|m| m.product_id == id))
}

/// `update_product`.
pub fn update(tx: &mut Tx<'_>, actor: &Actor, a: UpdateProduct) -> Result<ProductView> {
    let mut p = tx.product(a.id)?;
    if let Some(s) = &a.sku {
        let sku = validate::code("sku", s)?;
        if sku != p.sku {
            claim_sku(tx, &sku, p.id)?;
            tx.delete(Key::Sku(p.sku.clone()));
            p.sku = sku;
        }
    }
    if let Some(n) = &a.name {
        p.name = validate::name("name", n)?;
    }
    if let Some(e) = &a.ean {
        p.ean = e.as_deref().map(|e| validate::ean("ean", e)).transpose()?;
    }
    check_refs(
        tx,
        a.category_id.flatten(),
        a.supplier_id.flatten(),
        a.vat_rate_id.flatten(),
    )?;
    if let Some(c) = a.category_id {
        p.category_id = c;
    }
    if let Some(s) = a.supplier_id {
        p.supplier_id = s;
    }
    if let Some(v) = a.vat_rate_id {
        p.vat_rate_id = v;
    }
    if let Some(x) = a.price {
        p.price = validate::non_negative_money("price", x)?;
    }
    if let Some(x) = a.purchase_price {
        p.purchase_price = validate::non_negative_money("purchase_price", x)?;
    }
    if let Some(u) = &a.unit {
        p.unit = validate::name("unit", u)?;
    }
    if let Some(d) = a.decimal_places {
        let d = check_places(d)?;
        if d < p.decimal_places && has_movements(tx, p.id)? {
            return Err(Error::field(
                "decimal_places",
                "cannot be reduced once the product has stock history",
            ));
        }
        p.decimal_places = d;
    }
    if let Some(t) = a.low_stock_threshold {
        p.low_stock_threshold = t;
    }
    p.low_stock_threshold = check_threshold(p.low_stock_threshold, p.decimal_places)?;
    if let Some(t) = a.track_inventory {
        if !t && p.track_inventory {
            let totals = ledger::totals(tx, p.id)?;
            if !totals.on_hand.is_zero() || !totals.held.is_zero() || !totals.incoming.is_zero() {
                return Err(Error::field(
                    "track_inventory",
                    "bring on-hand, held and incoming to zero first",
                ));
            }
        }
        p.track_inventory = t;
    }
    if let Some(arch) = a.archived {
        p.archived = arch;
    }
    tx.put(Key::Product(p.id), Value::Product(Box::new(p.clone())));
    if let Some(q) = a.on_hand {
        if tx.setting(|s| s.purchase_orders_enabled)? {
            return Err(Error::field(
                "on_hand",
                "stock is set through update_stock while purchase orders are enabled",
            ));
        }
        let reason = validate::text("reason", a.reason.as_deref(), validate::MAX_TEXT)?;
        let source = Source::actor(actor);
        ledger::change_stock(
            tx,
            &p.rules(),
            catalog::MAIN_LOCATION,
            Operation::Set,
            q,
            reason,
            source,
        )?;
    } else if a.reason.is_some() {
        return Err(Error::field(
            "reason",
            "only recorded with an on_hand change",
        ));
    }
    view(tx, p)
}

/// `delete_product`: `in_use` when it has movements or document lines.
pub fn delete(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<Deleted> {
    let p = tx.product(a.id)?;
    let why = if has_movements(tx, p.id)? {
        Some("it has stock movements")
    } else if purchasing::product_referenced(tx, p.id)? {
        Some("purchase order lines use it")
    } else if crate::sales::product_referenced(tx, p.id)? {
        Some("sales document lines use it")
    } else {
        None
    };
    if let Some(why) = why {
        return Err(Error::InUse {
            entity: "product".into(),
            id: p.id.to_string(),
            reason: format!("{why}; archive it instead"),
        });
    }
    tx.delete(Key::Sku(p.sku.clone()));
    tx.delete(Key::Product(p.id));
    for l in ledger::levels(tx, p.id)? {
        tx.delete(Key::Stock(l.product_id, l.location_id));
    }
    Ok(Deleted {
        id: p.id,
        deleted: true,
    })
}

/// The product with its stock.
pub fn view(tx: &mut Tx<'_>, product: Product) -> Result<ProductView> {
    let locations = ledger::levels(tx, product.id)?;
    let stock = StockTotals::of(&product.rules(), &locations);
    Ok(ProductView {
        product,
        stock,
        locations: locations.iter().map(StockView::from).collect(),
    })
}

/// `get_product`.
pub fn get(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<ProductView> {
    let p = tx.product(a.id)?;
    view(tx, p)
}

/// `list_products`, by name then id.
pub fn list(tx: &mut Tx<'_>, _: &Actor, a: ListProducts) -> Result<Paged<ProductView>> {
    let page = PageRequest::new(a.page, a.page_size)?;
    let needle = a.search.as_deref().map(str::to_lowercase);
    let mut v = all(tx, Kind::Product, |v| match v {
        Value::Product(p)
            if (a.include_archived || !p.archived)
                && a.category_id.is_none_or(|c| p.category_id == Some(c))
                && a.supplier_id.is_none_or(|s| p.supplier_id == Some(s))
                && needle.as_deref().is_none_or(|n| {
                    p.name.to_lowercase().contains(n)
                        || p.sku.to_lowercase().contains(n)
                        || p.article_number.to_lowercase().contains(n)
                }) =>
        {
            Some((**p).clone())
        }
        _ => None,
    })?;
    v.sort_by(|x, y| {
        x.name
            .to_lowercase()
            .cmp(&y.name.to_lowercase())
            .then(x.id.cmp(&y.id))
    });
    if a.low_stock_only {
        let mut low = Vec::new();
        for p in v {
            let pv = view(tx, p)?;
            if pv.stock.low_stock {
                low.push(pv);
            }
        }
        return Ok(page.slice(low));
    }
    let total = v.len();
    let mut items = Vec::new();
    for p in v
        .into_iter()
        .skip(page.offset())
        .take(page.page_size as usize)
    {
        items.push(view(tx, p)?);
    }
    Ok(page.answer(items, total))
}
