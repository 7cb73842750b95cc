//! Suppliers (vendors): who we buy from. Creditor numbers come from the `CRED`
//! sequence. A supplier that any PO references is kept: deactivate it instead.

use crate::auth::Actor;
use crate::catalog::{all, ById, Deleted};
use crate::error::{Error, Result};
use crate::numbering::{self, Sequence};
use crate::paging::{nullable, PageRequest, Paged};
use crate::purchasing::{self, PoSummary};
use crate::store::{Counter, Key, Kind, Value};
use crate::tx::Tx;
use crate::validate::{self, MAX_TEXT};
use crate::Id;
use serde::{Deserialize, Serialize};

/// How purchase orders reach the supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoDelivery {
    /// By email.
    Email,
    /// Printed and posted.
    Print,
    /// Through the supplier's portal.
    Portal,
    /// Not delivered by us.
    #[default]
    None,
}

/// The wire names of every [`PoDelivery`], in declaration order: the choices
/// a host offers for a supplier's delivery method (the CLI's `suppliers add
/// --po-delivery`), so it can refuse a typo before building a request without
/// keeping its own copy of the names.
pub const PO_DELIVERIES: [&str; 4] = ["email", "print", "portal", "none"];

/// A supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    /// Id.
    pub id: Id,
    /// Creditor number (`CRED001`).
    pub creditor_number: String,
    /// Name.
    pub name: String,
    /// Contact person.
    pub contact_person: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// VAT rate used by default on its POs.
    pub default_vat_rate_id: Option<Id>,
    /// How POs are delivered to it.
    pub po_delivery: PoDelivery,
    /// Inactive suppliers get no new POs.
    pub active: bool,
}

/// `create_supplier` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSupplier {
    /// Name (required).
    pub name: String,
    /// Contact person.
    #[serde(default)]
    pub contact_person: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Default VAT rate (must exist).
    #[serde(default)]
    pub default_vat_rate_id: Option<Id>,
    /// PO delivery, default `none`.
    #[serde(default)]
    pub po_delivery: Option<PoDelivery>,
}

/// `update_supplier` arguments: absent keeps, `null` clears, a value sets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSupplier {
    /// Which supplier.
    pub id: Id,
    /// New name.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub name: Option<String>,
    /// Contact person.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub contact_person: Option<Option<String>>,
    /// Email.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<Option<String>>,
    /// Phone.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    /// Address.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<Option<String>>,
    /// Website.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub website: Option<Option<String>>,
    /// Notes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<Option<String>>,
    /// Default VAT rate.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_vat_rate_id: Option<Option<Id>>,
    /// PO delivery.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub po_delivery: Option<PoDelivery>,
    /// Activate or deactivate.
    #[serde(default, deserialize_with = "crate::paging::present")]
    pub active: Option<bool>,
}

/// `list_suppliers` arguments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSuppliers {
    /// Only active (`true`) or only inactive (`false`) ones.
    #[serde(default)]
    pub active: Option<bool>,
    /// Case-insensitive part of the name or creditor number.
    #[serde(default)]
    pub search: Option<String>,
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<u32>,
    /// Page size, at most 50.
    #[serde(default)]
    pub page_size: Option<u32>,
}

/// `get_supplier` answer: the supplier and its 20 most recent POs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierView {
    /// The supplier.
    pub supplier: Supplier,
    /// Its 20 most recent purchase orders, newest first.
    pub recent_purchase_orders: Vec<PoSummary>,
}

fn contact_fields(
    contact_person: Option<&str>,
    phone: Option<&str>,
    address: Option<&str>,
    website: Option<&str>,
) -> Result<[Option<String>; 4]> {
    Ok([
        // Names: one line (RULES §8: no control characters in names).
        validate::optional_name("contact_person", contact_person)?,
        validate::optional_name("phone", phone)?,
        validate::text("address", address, MAX_TEXT)?,
        validate::text("website", website, MAX_TEXT)?,
    ])
}

/// `create_supplier`.
pub fn create(tx: &mut Tx<'_>, _: &Actor, a: CreateSupplier) -> Result<Supplier> {
    let name = validate::name("name", &a.name)?;
    let [contact_person, phone, address, website] = contact_fields(
        a.contact_person.as_deref(),
        a.phone.as_deref(),
        a.address.as_deref(),
        a.website.as_deref(),
    )?;
    let email = validate::email("email", a.email.as_deref())?;
    let notes = validate::notes("notes", a.notes.as_deref())?;
    if let Some(v) = a.default_vat_rate_id {
        tx.vat_rate(v)?;
    }
    let format = tx.setting(|s| s.number_formats.supplier.clone())?;
    let creditor_number = numbering::next(tx, Sequence::Supplier, &format, |_, _| Ok(false))?;
    let id = tx.next(Counter::Ids(Kind::Supplier))?;
    let s = Supplier {
        id,
        creditor_number,
        name,
        contact_person,
        email,
        phone,
        address,
        website,
        notes,
        default_vat_rate_id: a.default_vat_rate_id,
        po_delivery: a.po_delivery.unwrap_or_default(),
        active: true,
    };
    tx.put(Key::Supplier(id), Value::Supplier(Box::new(s.clone())));
    Ok(s)
}

/// `update_supplier`.
pub fn update(tx: &mut Tx<'_>, _: &Actor, a: UpdateSupplier) -> Result<Supplier> {
    let mut s = tx.supplier(a.id)?;
    if let Some(n) = a.name {
        s.name = validate::name("name", &n)?;
    }
    let [cp, ph, ad, web] = contact_fields(
        a.contact_person.clone().flatten().as_deref(),
        a.phone.clone().flatten().as_deref(),
        a.address.clone().flatten().as_deref(),
        a.website.clone().flatten().as_deref(),
    )?;
    if a.contact_person.is_some() {
        s.contact_person = cp;
    }
    if a.phone.is_some() {
        s.phone = ph;
    }
    if a.address.is_some() {
        s.address = ad;
    }
    if a.website.is_some() {
        s.website = web;
    }
    if let Some(e) = a.email {
        s.email = validate::email("email", e.as_deref())?;
    }
    if let Some(n) = a.notes {
        s.notes = validate::notes("notes", n.as_deref())?;
    }
    if let Some(v) = a.default_vat_rate_id {
        if let Some(id) = v {
            tx.vat_rate(id)?;
        }
        s.default_vat_rate_id = v;
    }
    if let Some(d) = a.po_delivery {
        s.po_delivery = d;
    }
    if let Some(act) = a.active {
        s.active = act;
    }
    tx.put(Key::Supplier(s.id), Value::Supplier(Box::new(s.clone())));
    Ok(s)
}

/// `delete_supplier`: `in_use` when any PO references it.
pub fn delete(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<Deleted> {
    tx.supplier(a.id)?;
    let n = purchasing::count_for_supplier(tx, a.id)?;
    if n > 0 {
        return Err(Error::InUse {
            entity: "supplier".into(),
            id: a.id.to_string(),
            reason: format!("{n} purchase order(s) reference this supplier; deactivate it instead"),
        });
    }
    tx.delete(Key::Supplier(a.id));
    Ok(Deleted {
        id: a.id,
        deleted: true,
    })
}

/// `get_supplier`.
pub fn get(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<SupplierView> {
    let supplier = tx.supplier(a.id)?;
    let recent_purchase_orders = purchasing::recent_for_supplier(tx, a.id, 20)?;
    Ok(SupplierView {
        supplier,
        recent_purchase_orders,
    })
}

/// `list_suppliers`, ordered by name.
pub fn list(tx: &mut Tx<'_>, _: &Actor, a: ListSuppliers) -> Result<Paged<Supplier>> {
    let page = PageRequest::new(a.page, a.page_size)?;
    let needle = a.search.as_deref().map(str::to_lowercase);
    let mut v = all(tx, Kind::Supplier, |v| match v {
        Value::Supplier(s)
            if a.active.is_none_or(|act| s.active == act)
                && needle.as_deref().is_none_or(|n| {
                    s.name.to_lowercase().contains(n)
                        || s.creditor_number.to_lowercase().contains(n)
                }) =>
        {
            Some((**s).clone())
        }
        _ => None,
    })?;
    v.sort_by(|x, y| {
        x.name
            .to_lowercase()
            .cmp(&y.name.to_lowercase())
            .then(x.id.cmp(&y.id))
    });
    Ok(page.slice(v))
}

#[cfg(test)]
mod tests {
    use super::{PoDelivery, PO_DELIVERIES};

    #[test]
    fn delivery_names_are_the_serde_names_of_every_variant() {
        crate::testkit::assert_serde_names::<PoDelivery>(&PO_DELIVERIES);
    }
}
