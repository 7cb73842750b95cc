//! # stockbook-core
//!
//! The inventory and purchasing rules of Stockbook, written once. Commands go in
//! ([`protocol::Request`]), results and events come out ([`protocol::Outcome`]),
//! and every change reaches the [`store::Store`] as ONE atomic changeset.
//!
//! The core reads no clock, file, network or randomness: the time (`now`) and
//! the actor come with every command, which is what lets the same request give
//! the same answer, byte for byte, natively, under SQLite, in wasmtime, in Node
//! and in a browser.
//!
//! ```
//! use stockbook_core::{engine::execute_json, store::memory::MemoryStore};
//! let mut store = MemoryStore::new();
//! let answer = execute_json(&mut store, r#"{"cmd":"list_locations","actor":{"id":"ann","permissions":["inventory.read"]}}"#);
//! assert_eq!(answer, r#"{"ok":[{"id":1,"name":"Main"}],"events":[]}"#);
//! ```
#![warn(missing_docs)]

pub mod alerts;
pub mod auth;
pub mod catalog;
pub mod decimal;
pub mod engine;
pub mod error;
pub mod json;
pub mod ledger;
pub mod numbering;
pub mod paging;
pub mod product;
pub mod protocol;
pub mod purchasing;
pub mod sales;
pub mod settings;
pub mod store;
pub mod supplier;
#[doc(hidden)]
pub mod testkit;
pub mod text;
pub mod tx;
pub mod validate;

/// Internal id of an entity (products, suppliers, locations...).
pub type Id = u64;

pub use engine::{execute, execute_json};
pub use error::{Error, Result};
