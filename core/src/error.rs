//! The one error type of Stockbook.
//!
//! Every refusal has a stable snake_case [`Error::code`] that clients branch on, a
//! human message, and structured details. The wire shape is
//! `{"code": ..., "message": ..., "details": {...}}` (see [`Error::to_wire`]).
//! A rejected command never changes anything: errors are returned before the
//! changeset reaches the store.

use crate::decimal::Quantity;
use crate::Id;
use serde::{Deserialize, Serialize};

/// A short line of an `insufficient_stock` refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortLine {
    /// Product that is short.
    pub product_id: Id,
    /// Location that is short.
    pub location_id: Id,
    /// Quantity the command needed from `available`.
    pub requested: Quantity,
    /// What was available.
    pub available: Quantity,
}

/// Every way a command can be refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", content = "details", rename_all = "snake_case")]
pub enum Error {
    /// The request is malformed: not JSON, not an object, an unknown command, a
    /// missing or unknown field.
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// What is wrong.
        reason: String,
    },
    /// One field has a value the rules do not allow.
    #[error("invalid field `{field}`: {reason}")]
    InvalidField {
        /// Path of the field, e.g. `args.lines[2].quantity`.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// A referenced entity does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// Kind of entity (`product`, `location`...).
        entity: String,
        /// The id that was looked up.
        id: String,
    },
    /// The actor lacks a permission.
    #[error("forbidden: needs permission `{permission}`")]
    Forbidden {
        /// The permission that is needed.
        permission: String,
    },
    /// A unique value is already taken.
    #[error("duplicate {field}: `{value}` is already used")]
    Duplicate {
        /// The field that must be unique.
        field: String,
        /// The value that is taken.
        value: String,
    },
    /// The entity's status does not allow the action.
    #[error("cannot {action} when {from}")]
    InvalidTransition {
        /// The current status.
        from: String,
        /// The action that was asked for.
        action: String,
    },
    /// A receipt asks for more than a line has outstanding.
    #[error("line {line}: receiving {requested} exceeds the outstanding {outstanding}")]
    OverReceipt {
        /// Line number on the purchase order.
        line: u32,
        /// What may still be received on that line (tolerance included).
        outstanding: Quantity,
        /// What the receipt asked for.
        requested: Quantity,
    },
    /// Not enough available stock for a hold or consumption.
    #[error("insufficient stock on {} line(s)", lines.len())]
    InsufficientStock {
        /// Every short (product, location).
        lines: Vec<ShortLine>,
    },
    /// The product does not track inventory.
    #[error("product {product_id} does not track inventory")]
    NotTracked {
        /// The product.
        product_id: Id,
    },
    /// The entity is referenced and cannot be deleted.
    #[error("{entity} {id} is in use: {reason}")]
    InUse {
        /// Kind of entity.
        entity: String,
        /// Its id.
        id: String,
        /// What references it, and what to do instead.
        reason: String,
    },
    /// The entity was exported to accounting and can no longer be changed.
    #[error("{entity} {id} is locked: {reason}")]
    Locked {
        /// Kind of entity.
        entity: String,
        /// Its id.
        id: String,
        /// Why.
        reason: String,
    },
    /// An idempotency key was reused for another request, or the store saw a
    /// concurrent change (retry the command).
    #[error("conflict: {reason}")]
    Conflict {
        /// What clashed.
        reason: String,
    },
}

impl Error {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidRequest { .. } => "invalid_request",
            Error::InvalidField { .. } => "invalid_field",
            Error::NotFound { .. } => "not_found",
            Error::Forbidden { .. } => "forbidden",
            Error::Duplicate { .. } => "duplicate",
            Error::InvalidTransition { .. } => "invalid_transition",
            Error::OverReceipt { .. } => "over_receipt",
            Error::InsufficientStock { .. } => "insufficient_stock",
            Error::NotTracked { .. } => "not_tracked",
            Error::InUse { .. } => "in_use",
            Error::Locked { .. } => "locked",
            Error::Conflict { .. } => "conflict",
        }
    }

    /// Every code, for documentation and for the test that each is reachable.
    pub const CODES: [&'static str; 12] = [
        "invalid_request",
        "invalid_field",
        "not_found",
        "forbidden",
        "duplicate",
        "invalid_transition",
        "over_receipt",
        "insufficient_stock",
        "not_tracked",
        "in_use",
        "locked",
        "conflict",
    ];

    /// The details object of the wire shape.
    pub fn details(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut m)) => m.remove("details").unwrap_or_default(),
            _ => serde_json::Value::Null,
        }
    }

    /// `{"code", "message", "details"}`, the error object of the protocol.
    pub fn to_wire(&self) -> WireError {
        WireError {
            code: self.code().to_string(),
            message: self.to_string(),
            details: self.details(),
        }
    }

    /// Shorthand for [`Error::InvalidRequest`].
    pub fn request(reason: impl Into<String>) -> Self {
        Error::InvalidRequest {
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::InvalidField`].
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(entity: &str, id: impl ToString) -> Self {
        Error::NotFound {
            entity: entity.to_string(),
            id: id.to_string(),
        }
    }

    /// Shorthand for [`Error::InvalidTransition`].
    pub fn transition(from: impl Into<String>, action: impl Into<String>) -> Self {
        Error::InvalidTransition {
            from: from.into(),
            action: action.into(),
        }
    }

    /// Shorthand for [`Error::Conflict`].
    pub fn conflict(reason: impl Into<String>) -> Self {
        Error::Conflict {
            reason: reason.into(),
        }
    }
}

/// The error object as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireError {
    /// Stable code.
    pub code: String,
    /// Human message.
    pub message: String,
    /// Structured details, per code.
    pub details: serde_json::Value,
}

/// Result with Stockbook's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_has_code_message_details() {
        let e = Error::field("args.sku", "required");
        let w = serde_json::to_string(&e.to_wire()).unwrap();
        assert_eq!(
            w,
            r#"{"code":"invalid_field","message":"invalid field `args.sku`: required","details":{"field":"args.sku","reason":"required"}}"#
        );
    }

    #[test]
    fn codes_table_matches_code() {
        let samples = [
            Error::request("x"),
            Error::field("f", "r"),
            Error::not_found("product", 1),
            Error::Forbidden {
                permission: "admin".into(),
            },
            Error::Duplicate {
                field: "sku".into(),
                value: "A".into(),
            },
            Error::transition("draft", "receive"),
            Error::OverReceipt {
                line: 1,
                outstanding: Quantity::ZERO,
                requested: Quantity::ZERO,
            },
            Error::InsufficientStock { lines: vec![] },
            Error::NotTracked { product_id: 1 },
            Error::InUse {
                entity: "e".into(),
                id: "1".into(),
                reason: "r".into(),
            },
            Error::Locked {
                entity: "e".into(),
                id: "1".into(),
                reason: "r".into(),
            },
            Error::conflict("c"),
        ];
        let codes: Vec<_> = samples.iter().map(|e| e.code()).collect();
        assert_eq!(codes, Error::CODES.to_vec());
        for e in &samples {
            // The serde tag and code() agree, so details never carry a stale name.
            let v = serde_json::to_value(e).unwrap();
            assert_eq!(v["code"], e.code());
        }
    }
}
