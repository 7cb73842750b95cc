//! Who may do what (RULES §6). Every command names the one permission it needs;
//! `admin` implies all of them.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// A permission an actor can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Read anything.
    #[serde(rename = "inventory.read")]
    InventoryRead,
    /// Manual stock changes and product edits.
    #[serde(rename = "inventory.write")]
    InventoryWrite,
    /// Create, edit, order, cancel, close and delete purchase orders.
    #[serde(rename = "purchasing.write")]
    PurchasingWrite,
    /// Receive purchase orders and return to suppliers.
    #[serde(rename = "purchasing.receive")]
    PurchasingReceive,
    /// Sales documents.
    #[serde(rename = "sales.write")]
    SalesWrite,
    /// Suppliers, categories, VAT, locations, settings; implies all.
    #[serde(rename = "admin")]
    Admin,
}

impl Permission {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::InventoryRead => "inventory.read",
            Permission::InventoryWrite => "inventory.write",
            Permission::PurchasingWrite => "purchasing.write",
            Permission::PurchasingReceive => "purchasing.receive",
            Permission::SalesWrite => "sales.write",
            Permission::Admin => "admin",
        }
    }
}

/// Who is asking, as the host authenticated them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Stable id of the user or integration; recorded in movement sources.
    pub id: String,
    /// What they may do.
    pub permissions: Vec<Permission>,
}

impl Actor {
    /// An actor holding `admin`, for tests, demos and imports.
    pub fn admin(id: &str) -> Self {
        Actor {
            id: id.to_string(),
            permissions: vec![Permission::Admin],
        }
    }

    /// True when the actor holds `p` (or `admin`).
    pub fn may(&self, p: Permission) -> bool {
        self.permissions
            .iter()
            .any(|&q| q == p || q == Permission::Admin)
    }

    /// `forbidden` unless the actor holds `p`.
    pub fn require(&self, p: Permission) -> Result<()> {
        if self.may(p) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                permission: p.as_str().to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_implies_everything() {
        let a = Actor::admin("root");
        for p in [
            Permission::InventoryRead,
            Permission::InventoryWrite,
            Permission::PurchasingWrite,
            Permission::PurchasingReceive,
            Permission::SalesWrite,
        ] {
            assert!(a.may(p));
        }
    }

    #[test]
    fn missing_permission_is_forbidden_naming_it() {
        let a = Actor {
            id: "clerk".into(),
            permissions: vec![Permission::InventoryRead],
        };
        assert!(a.require(Permission::InventoryRead).is_ok());
        assert_eq!(
            a.require(Permission::InventoryWrite),
            Err(Error::Forbidden {
                permission: "inventory.write".into()
            })
        );
    }
}
