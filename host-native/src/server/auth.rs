//! Who is asking and may they: bearer tokens to actors, commands to the
//! permission they need.
//!
//! The permission is checked from the command NAME before the body is read,
//! so a caller without the right gets `403 forbidden` naming the permission
//! whatever it sent, and a caller without a token never gets its body parsed.
//! The core checks the same permission again when it executes; the table here
//! is kept equal to the core's by a test that plays every request example of
//! `docs/protocol.md`.

use super::tokens;
use crate::sqlite::DbError;
use axum::http::{header, HeaderMap};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use stockbook_core::auth::{Actor, Permission};

/// What a command needs and whether it changes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandAccess {
    /// The permission it needs (RULES §6).
    pub permission: Permission,
    /// True for changes (they go through the group-commit writer).
    pub change: bool,
}

const fn change(permission: Permission) -> CommandAccess {
    CommandAccess {
        permission,
        change: true,
    }
}

const fn query() -> CommandAccess {
    CommandAccess {
        permission: Permission::InventoryRead,
        change: false,
    }
}

use Permission::{Admin, InventoryWrite, PurchasingReceive, PurchasingWrite, SalesWrite};

/// Every protocol command with its access (same order as the protocol).
pub const COMMANDS: &[(&str, CommandAccess)] = &[
    ("create_location", change(Admin)),
    ("create_category", change(Admin)),
    ("update_category", change(Admin)),
    ("delete_category", change(Admin)),
    ("create_vat_rate", change(Admin)),
    ("update_settings", change(Admin)),
    ("create_supplier", change(Admin)),
    ("update_supplier", change(Admin)),
    ("delete_supplier", change(Admin)),
    ("create_product", change(InventoryWrite)),
    ("update_product", change(InventoryWrite)),
    ("delete_product", change(InventoryWrite)),
    ("update_stock", change(InventoryWrite)),
    ("create_purchase_order", change(PurchasingWrite)),
    ("update_purchase_order", change(PurchasingWrite)),
    ("delete_purchase_order", change(PurchasingWrite)),
    ("order_purchase_order", change(PurchasingWrite)),
    ("receive_purchase_order", change(PurchasingReceive)),
    ("cancel_purchase_order", change(PurchasingWrite)),
    ("close_purchase_order", change(PurchasingWrite)),
    ("return_to_supplier", change(PurchasingReceive)),
    ("mark_purchase_order_exported", change(PurchasingWrite)),
    ("create_sales_document", change(SalesWrite)),
    ("update_sales_document", change(SalesWrite)),
    ("change_sales_document_type", change(SalesWrite)),
    ("record_payment", change(SalesWrite)),
    ("mark_shipped", change(SalesWrite)),
    ("delete_sales_document", change(SalesWrite)),
    ("expire_orders", change(SalesWrite)),
    ("get_settings", query()),
    ("list_locations", query()),
    ("list_categories", query()),
    ("list_vat_rates", query()),
    ("get_supplier", query()),
    ("list_suppliers", query()),
    ("get_product", query()),
    ("list_products", query()),
    ("get_stock", query()),
    ("stock_as_of", query()),
    ("list_movements", query()),
    ("get_purchase_order", query()),
    ("list_purchase_orders", query()),
    ("get_sales_document", query()),
    ("list_sales_documents", query()),
];

/// The access of a command by name; `None` for names the protocol lacks.
pub fn access_of(cmd: &str) -> Option<CommandAccess> {
    COMMANDS.iter().find(|(n, _)| *n == cmd).map(|(_, a)| *a)
}

/// Why a request has no actor.
#[derive(Debug)]
pub enum Unauthenticated {
    /// No `Authorization: Bearer ...` header.
    Missing,
    /// A token that is unknown or revoked.
    Invalid,
    /// The token could not be looked up (the database failed or stayed
    /// busy): the caller's token may well be good, so this is a 503
    /// `storage_unavailable`, never a 401 that would make a client drop it.
    Unavailable(crate::sqlite::DbError),
}

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// How long a looked-up token is trusted before it is read again (so a
/// revocation from the CLI takes effect within this time).
const CACHE_TTL: Duration = Duration::from_secs(5);

/// Tokens already looked up, by hash, to spare the database a read per request.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Actor, Instant)>>,
}

impl TokenCache {
    /// The actor of `secret` if it is cached and fresh.
    pub fn get(&self, secret: &str) -> Option<Actor> {
        let key = tokens::hash(secret);
        let map = self.entries.lock().ok()?;
        map.get(&key)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(a, _)| a.clone())
    }

    /// Remembers a live token.
    pub fn put(&self, secret: &str, actor: &Actor) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(tokens::hash(secret), (actor.clone(), Instant::now()));
        }
    }
}

/// Looks a token up in the database.
pub fn lookup(conn: &rusqlite::Connection, secret: &str) -> Result<Option<Actor>, DbError> {
    tokens::lookup(conn, secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_table_names_every_command_of_the_protocol_once() {
        let names: Vec<&str> = COMMANDS.iter().map(|(n, _)| *n).collect();
        for n in stockbook_core::protocol::COMMAND_NAMES {
            assert_eq!(names.iter().filter(|m| *m == n).count(), 1, "{n}");
        }
        assert_eq!(names.len(), stockbook_core::protocol::COMMAND_NAMES.len());
    }

    #[test]
    fn bearer_tokens_are_read_from_the_header() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer sb_abc"),
        );
        assert_eq!(bearer(&h), Some("sb_abc"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  sb_x "),
        );
        assert_eq!(bearer(&h), Some("sb_x"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&h), None);
    }
}
