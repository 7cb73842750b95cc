//! The REST routes, as ONE table: each route is a thin mapping onto a protocol
//! command (or a host feature such as the alert outbox), in the spirit of
//! seed 001. Bodies are the command's `args` exactly as in
//! `docs/protocol.md`; a `{id}` in the path becomes the argument named by the
//! route; query strings of GET routes become arguments too.
//!
//! Adding a route is adding a row; the HTTP tests iterate this table, so every
//! route is checked for 401 and 403.

use stockbook_core::auth::{Actor, Permission};
use stockbook_core::error::Error;

/// HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// GET: queries, arguments from the query string.
    Get,
    /// POST: creations and actions.
    Post,
    /// PUT: updates.
    Put,
    /// DELETE.
    Delete,
}

impl Verb {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }
}

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST /api/commands`: a whole protocol request in the body (without
    /// `actor` and `now`).
    Protocol,
    /// One protocol command; `path_arg` names the argument the `{id}` of the
    /// path fills.
    Command {
        /// Command name.
        cmd: &'static str,
        /// Argument filled from `{id}`.
        path_arg: Option<&'static str>,
    },
    /// Pending alerts of the outbox (`?all=true`: acknowledged ones too).
    ListAlerts,
    /// Acknowledge alert `{id}`.
    AckAlert,
    /// The records as a snapshot the wasm package imports (the page's mirror
    /// for inline validation).
    Snapshot,
    /// Who the token speaks for.
    Me,
    /// Upload the packing slip of PO `{id}` (raw PDF/PNG/JPEG body, 10 MB).
    PutSlip,
    /// Download the packing slip of PO `{id}`.
    GetSlip,
    /// Every slip of `?year=` as one ZIP.
    SlipsZip,
}

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Method.
    pub verb: Verb,
    /// Path, axum syntax (`/api/products/{id}`).
    pub path: &'static str,
    /// What it does.
    pub action: Action,
}

impl Route {
    /// The permission the route needs, when it does not depend on the body
    /// (`None` for [`Action::Protocol`], whose command is in the body, and for
    /// [`Action::Me`], which any valid token may call).
    pub fn permission(&self) -> Option<Permission> {
        match self.action {
            Action::Protocol | Action::Me => None,
            Action::Command { cmd, .. } => super::auth::access_of(cmd).map(|a| a.permission),
            Action::ListAlerts | Action::Snapshot | Action::GetSlip => {
                Some(Permission::InventoryRead)
            }
            Action::AckAlert => Some(Permission::InventoryWrite),
            Action::PutSlip => Some(Permission::PurchasingReceive),
            Action::SlipsZip => Some(Permission::Admin),
        }
    }

    /// Whether `actor` may call this route: THE check every request passes
    /// before anything else of it is read (refused: `forbidden`, naming the
    /// permission), and the one `GET /api/me` runs to say which host routes
    /// a token may call ([`host_routes_of`]). A protocol request's command
    /// is checked by the engine.
    pub fn check(&self, actor: &Actor) -> Result<(), Error> {
        match self.permission() {
            Some(p) => actor.require(p),
            None => Ok(()),
        }
    }

    /// A route of the server only, no protocol command: no engine (and no
    /// dry run in the page) can say whether a token may call it.
    pub fn host_only(&self) -> bool {
        !matches!(
            self.action,
            Action::Protocol | Action::Me | Action::Command { .. }
        )
    }

    /// `"GET /api/packing-slips/zip"`: how `GET /api/me` names a route.
    pub fn name(&self) -> String {
        format!("{} {}", self.verb.as_str(), self.path)
    }

    /// Largest accepted body.
    pub fn body_limit(&self) -> usize {
        match self.action {
            Action::PutSlip => crate::slips::MAX_SLIP_BYTES as usize,
            _ => JSON_BODY_LIMIT,
        }
    }

    /// How long the whole body may take to arrive (however it trickles).
    pub fn body_deadline(&self, t: &super::listen::Timeouts) -> std::time::Duration {
        match self.action {
            Action::PutSlip => t.slip_body,
            _ => t.json_body,
        }
    }
}

/// Largest JSON body: 1,000 document lines of generous size fit easily.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

const fn cmd(verb: Verb, path: &'static str, cmd: &'static str) -> Route {
    Route {
        verb,
        path,
        action: Action::Command {
            cmd,
            path_arg: None,
        },
    }
}

const fn by_id(verb: Verb, path: &'static str, cmd: &'static str, arg: &'static str) -> Route {
    Route {
        verb,
        path,
        action: Action::Command {
            cmd,
            path_arg: Some(arg),
        },
    }
}

const fn host(verb: Verb, path: &'static str, action: Action) -> Route {
    Route { verb, path, action }
}

use Verb::{Delete, Get, Post, Put};

/// Every API route.
pub const ROUTES: &[Route] = &[
    host(Post, "/api/commands", Action::Protocol),
    host(Get, "/api/me", Action::Me),
    // Settings and reference data.
    cmd(Get, "/api/settings", "get_settings"),
    cmd(Put, "/api/settings", "update_settings"),
    cmd(Get, "/api/locations", "list_locations"),
    cmd(Post, "/api/locations", "create_location"),
    cmd(Get, "/api/categories", "list_categories"),
    cmd(Post, "/api/categories", "create_category"),
    by_id(Put, "/api/categories/{id}", "update_category", "id"),
    by_id(Delete, "/api/categories/{id}", "delete_category", "id"),
    cmd(Get, "/api/vat-rates", "list_vat_rates"),
    cmd(Post, "/api/vat-rates", "create_vat_rate"),
    // Products and stock.
    cmd(Get, "/api/products", "list_products"),
    cmd(Post, "/api/products", "create_product"),
    by_id(Get, "/api/products/{id}", "get_product", "id"),
    by_id(Put, "/api/products/{id}", "update_product", "id"),
    by_id(Delete, "/api/products/{id}", "delete_product", "id"),
    by_id(Get, "/api/products/{id}/stock", "get_stock", "product_id"),
    by_id(
        Post,
        "/api/products/{id}/stock",
        "update_stock",
        "product_id",
    ),
    by_id(
        Get,
        "/api/products/{id}/stock-as-of",
        "stock_as_of",
        "product_id",
    ),
    // Stock transactions (the ledger).
    cmd(Get, "/api/stock/transactions", "list_movements"),
    cmd(Post, "/api/stock/transactions", "update_stock"),
    // Suppliers.
    cmd(Get, "/api/suppliers", "list_suppliers"),
    cmd(Post, "/api/suppliers", "create_supplier"),
    by_id(Get, "/api/suppliers/{id}", "get_supplier", "id"),
    by_id(Put, "/api/suppliers/{id}", "update_supplier", "id"),
    by_id(Delete, "/api/suppliers/{id}", "delete_supplier", "id"),
    // Purchase orders.
    cmd(Get, "/api/purchase-orders", "list_purchase_orders"),
    cmd(Post, "/api/purchase-orders", "create_purchase_order"),
    by_id(Get, "/api/purchase-orders/{id}", "get_purchase_order", "id"),
    by_id(
        Put,
        "/api/purchase-orders/{id}",
        "update_purchase_order",
        "id",
    ),
    by_id(
        Delete,
        "/api/purchase-orders/{id}",
        "delete_purchase_order",
        "id",
    ),
    by_id(
        Post,
        "/api/purchase-orders/{id}/order",
        "order_purchase_order",
        "id",
    ),
    by_id(
        Post,
        "/api/purchase-orders/{id}/receive",
        "receive_purchase_order",
        "id",
    ),
    by_id(
        Post,
        "/api/purchase-orders/{id}/cancel",
        "cancel_purchase_order",
        "id",
    ),
    by_id(
        Post,
        "/api/purchase-orders/{id}/close",
        "close_purchase_order",
        "id",
    ),
    by_id(
        Post,
        "/api/purchase-orders/{id}/return",
        "return_to_supplier",
        "id",
    ),
    by_id(
        Post,
        "/api/purchase-orders/{id}/export",
        "mark_purchase_order_exported",
        "id",
    ),
    host(
        Put,
        "/api/purchase-orders/{id}/packing-slip",
        Action::PutSlip,
    ),
    host(
        Get,
        "/api/purchase-orders/{id}/packing-slip",
        Action::GetSlip,
    ),
    host(Get, "/api/packing-slips/zip", Action::SlipsZip),
    // Sales documents.
    cmd(Get, "/api/sales-documents", "list_sales_documents"),
    cmd(Post, "/api/sales-documents", "create_sales_document"),
    cmd(Post, "/api/sales-documents/ship", "mark_shipped"),
    cmd(Post, "/api/sales-documents/expire", "expire_orders"),
    by_id(Get, "/api/sales-documents/{id}", "get_sales_document", "id"),
    by_id(
        Put,
        "/api/sales-documents/{id}",
        "update_sales_document",
        "id",
    ),
    by_id(
        Delete,
        "/api/sales-documents/{id}",
        "delete_sales_document",
        "id",
    ),
    by_id(
        Post,
        "/api/sales-documents/{id}/type",
        "change_sales_document_type",
        "id",
    ),
    by_id(
        Post,
        "/api/sales-documents/{id}/payments",
        "record_payment",
        "id",
    ),
    // Alerts (the outbox) and the page's mirror.
    host(Get, "/api/alerts", Action::ListAlerts),
    host(Post, "/api/alerts/{id}/ack", Action::AckAlert),
    host(Get, "/api/snapshot", Action::Snapshot),
];

/// The host-only routes `actor` may call (by [`Route::check`]), named
/// `"VERB /path"` in table order: what `GET /api/me` answers as
/// `host_routes`, so a page offers a server feature (the packing slips' ZIP)
/// only to a token the server lets call it, without a permission table of
/// its own.
pub fn host_routes_of(actor: &Actor) -> Vec<String> {
    ROUTES
        .iter()
        .filter(|r| r.host_only() && r.check(actor).is_ok())
        .map(Route::name)
        .collect()
}

/// Turns one query-string value into the JSON an argument expects: ids,
/// pages and limits are numbers, flags are booleans, the rest stays text (so
/// `search=123` still searches for the text "123").
pub fn query_value(key: &str, value: &str) -> serde_json::Value {
    let numeric = key == "id"
        || key.ends_with("_id")
        || matches!(
            key,
            "page" | "page_size" | "limit" | "after_seq" | "before_seq" | "year"
        );
    let flag = key.starts_with("include_") || matches!(key, "active" | "low_stock_only" | "all");
    if numeric {
        if let Ok(n) = value.parse::<u64>() {
            return n.into();
        }
    }
    if flag {
        match value {
            "true" | "1" => return true.into(),
            "false" | "0" => return false.into(),
            _ => {}
        }
    }
    value.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_route_names_a_protocol_command() {
        for r in ROUTES {
            if let Action::Command { cmd, .. } = r.action {
                assert!(super::super::auth::access_of(cmd).is_some(), "{cmd}");
            }
            let gated = !matches!(r.action, Action::Protocol | Action::Me);
            assert_eq!(r.permission().is_some(), gated, "{}", r.path);
        }
    }

    #[test]
    fn no_two_routes_share_method_and_path() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(!(a.verb == b.verb && a.path == b.path), "{}", a.path);
            }
        }
    }

    #[test]
    fn query_values_become_numbers_flags_or_text() {
        assert_eq!(query_value("product_id", "7"), serde_json::json!(7));
        assert_eq!(query_value("product_id", "x"), serde_json::json!("x"));
        assert_eq!(query_value("page", "2"), serde_json::json!(2));
        assert_eq!(
            query_value("include_archived", "true"),
            serde_json::json!(true)
        );
        assert_eq!(query_value("search", "123"), serde_json::json!("123"));
        assert_eq!(
            query_value("status", "ordered"),
            serde_json::json!("ordered")
        );
    }
}
