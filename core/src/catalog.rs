//! Locations (warehouses), categories and VAT rates: the small reference lists
//! products point at. All changes here need `admin`.

use crate::auth::Actor;
use crate::decimal::Percent;
use crate::error::{Error, Result};
use crate::protocol::NoArgs;
use crate::store::{Counter, Key, Kind, Scan, Value};
use crate::tx::Tx;
use crate::validate;
use crate::Id;
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Id of the `Main` location every store starts with.
pub const MAIN_LOCATION: Id = 1;

/// Default colour of a category.
pub const DEFAULT_COLOUR: &str = "#6e56cf";

/// A place where stock is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Id (`1` is `Main`).
    pub id: Id,
    /// Unique name.
    pub name: String,
}

impl Location {
    /// The location every store starts with.
    pub fn main() -> Self {
        Location {
            id: MAIN_LOCATION,
            name: "Main".into(),
        }
    }
}

/// A product category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Place in the list (ascending).
    pub position: u32,
}

/// A VAT rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatRate {
    /// Id.
    pub id: Id,
    /// Name (`Standard`, `Reduced`).
    pub name: String,
    /// Percent, 0 to 100.
    pub percent: Percent,
    /// Exactly one rate is the default; products without a rate get it.
    pub is_default: bool,
}

/// `create_location` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLocation {
    /// Unique name.
    pub name: String,
}

/// `create_category` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCategory {
    /// Name.
    pub name: String,
    /// `#rrggbb`, default `#6e56cf`.
    #[serde(default)]
    pub colour: Option<String>,
    /// Position; default: after the last one.
    #[serde(default)]
    pub position: Option<u32>,
}

/// `update_category` arguments; given fields replace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategory {
    /// Which category.
    pub id: Id,
    /// New name.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub name: Option<String>,
    /// New colour.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub colour: Option<String>,
    /// New position.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub position: Option<u32>,
}

/// Arguments naming one entity by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ById {
    /// The id.
    pub id: Id,
}

/// `create_vat_rate` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVatRate {
    /// Name.
    pub name: String,
    /// Percent, 0 to 100.
    pub percent: Percent,
    /// Make it the default (the first rate always is).
    #[serde(default)]
    pub is_default: bool,
}

/// Answer of a deletion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deleted {
    /// The id that was deleted.
    pub id: Id,
    /// Always true.
    pub deleted: bool,
}

pub(crate) fn all<T>(
    tx: &mut Tx<'_>,
    kind: Kind,
    mut pick: impl FnMut(&Value) -> Option<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    tx.scan(Scan::All(kind), |_, v| {
        if let Some(x) = pick(v) {
            out.push(x);
        }
        ControlFlow::Continue(())
    })?;
    Ok(out)
}

/// `create_location`.
pub fn create_location(tx: &mut Tx<'_>, _: &Actor, a: CreateLocation) -> Result<Location> {
    let name = validate::name("name", &a.name)?;
    let taken = locations(tx)?
        .iter()
        .any(|l| l.name.to_lowercase() == name.to_lowercase());
    if taken {
        return Err(Error::Duplicate {
            field: "name".into(),
            value: name,
        });
    }
    let id = tx.next(Counter::Ids(Kind::Location))?;
    let loc = Location { id, name };
    tx.put(Key::Location(id), Value::Location(Box::new(loc.clone())));
    Ok(loc)
}

/// `list_locations`, by id.
pub fn list_locations(tx: &mut Tx<'_>, _: &Actor, _: NoArgs) -> Result<Vec<Location>> {
    locations(tx)
}

fn locations(tx: &mut Tx<'_>) -> Result<Vec<Location>> {
    all(tx, Kind::Location, |v| match v {
        Value::Location(l) => Some((**l).clone()),
        _ => None,
    })
}

/// `create_category`.
pub fn create_category(tx: &mut Tx<'_>, _: &Actor, a: CreateCategory) -> Result<Category> {
    let name = validate::name("name", &a.name)?;
    let colour = match a.colour {
        Some(c) => validate::colour("colour", &c)?,
        None => DEFAULT_COLOUR.to_string(),
    };
    let position = match a.position {
        Some(p) => p,
        None => {
            let cats = categories(tx)?;
            cats.iter().map(|c| c.position + 1).max().unwrap_or(0)
        }
    };
    let id = tx.next(Counter::Ids(Kind::Category))?;
    let c = Category {
        id,
        name,
        colour,
        position,
    };
    tx.put(Key::Category(id), Value::Category(Box::new(c.clone())));
    Ok(c)
}

/// `update_category`.
pub fn update_category(tx: &mut Tx<'_>, _: &Actor, a: UpdateCategory) -> Result<Category> {
    let mut c = tx.category(a.id)?;
    if let Some(n) = a.name {
        c.name = validate::name("name", &n)?;
    }
    if let Some(col) = a.colour {
        c.colour = validate::colour("colour", &col)?;
    }
    if let Some(p) = a.position {
        c.position = p;
    }
    tx.put(Key::Category(c.id), Value::Category(Box::new(c.clone())));
    Ok(c)
}

/// `delete_category`: refused with `in_use` while products are in it.
pub fn delete_category(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<Deleted> {
    tx.category(a.id)?;
    let users = all(tx, Kind::Product, |v| match v {
        Value::Product(p) if p.category_id == Some(a.id) => Some(p.id),
        _ => None,
    })?;
    if !users.is_empty() {
        return Err(Error::InUse {
            entity: "category".into(),
            id: a.id.to_string(),
            reason: format!(
                "{} product(s) are in this category; move them first",
                users.len()
            ),
        });
    }
    tx.delete(Key::Category(a.id));
    Ok(Deleted {
        id: a.id,
        deleted: true,
    })
}

/// `list_categories`, by position then id.
pub fn list_categories(tx: &mut Tx<'_>, _: &Actor, _: NoArgs) -> Result<Vec<Category>> {
    categories(tx)
}

fn categories(tx: &mut Tx<'_>) -> Result<Vec<Category>> {
    let mut v = all(tx, Kind::Category, |v| match v {
        Value::Category(c) => Some((**c).clone()),
        _ => None,
    })?;
    v.sort_by_key(|c| (c.position, c.id));
    Ok(v)
}

/// `create_vat_rate`: the first rate, or one created with `is_default`, becomes
/// the only default.
pub fn create_vat_rate(tx: &mut Tx<'_>, _: &Actor, a: CreateVatRate) -> Result<VatRate> {
    let name = validate::name("name", &a.name)?;
    if a.percent.is_negative() || a.percent.get() > rust_decimal::Decimal::from(100) {
        return Err(Error::field("percent", "between 0 and 100"));
    }
    let existing = vat_rates(tx)?;
    let is_default = a.is_default || existing.is_empty();
    if is_default {
        for mut r in existing.into_iter().filter(|r| r.is_default) {
            r.is_default = false;
            tx.put(Key::VatRate(r.id), Value::VatRate(Box::new(r)));
        }
    }
    let id = tx.next(Counter::Ids(Kind::VatRate))?;
    let r = VatRate {
        id,
        name,
        percent: a.percent,
        is_default,
    };
    tx.put(Key::VatRate(id), Value::VatRate(Box::new(r.clone())));
    Ok(r)
}

/// `list_vat_rates`, by id.
pub fn list_vat_rates(tx: &mut Tx<'_>, _: &Actor, _: NoArgs) -> Result<Vec<VatRate>> {
    vat_rates(tx)
}

fn vat_rates(tx: &mut Tx<'_>) -> Result<Vec<VatRate>> {
    all(tx, Kind::VatRate, |v| match v {
        Value::VatRate(r) => Some((**r).clone()),
        _ => None,
    })
}

/// The default VAT rate, if any rate exists.
pub fn default_vat_rate(tx: &mut Tx<'_>) -> Result<Option<Id>> {
    Ok(vat_rates(tx)?
        .into_iter()
        .find(|r| r.is_default)
        .map(|r| r.id))
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
