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
//! ## Running a command
//!
//! Build a [`Request`](protocol::Request) (who asks, when, which
//! [`Command`](protocol::Command)) and hand it to [`execute`] with a store.
//! [`MemoryStore`](store::memory::MemoryStore) keeps everything in RAM:
//!
//! ```
//! use stockbook_core::auth::Actor;
//! use stockbook_core::product::CreateProduct;
//! use stockbook_core::protocol::{Command, CommandResult, Request};
//! use stockbook_core::store::memory::MemoryStore;
//! use stockbook_core::{execute, Error};
//!
//! let mut store = MemoryStore::new();
//! let now = "2026-03-02T08:00:00Z".parse().unwrap();
//! let create = |sku: &str| {
//!     Request::new(
//!         Actor::admin("ann"),
//!         now,
//!         Command::CreateProduct(Box::new(CreateProduct {
//!             sku: sku.into(),
//!             name: "M8 bolt".into(),
//!             ..Default::default()
//!         })),
//!     )
//! };
//!
//! // A result is the command's variant of `CommandResult`; `events` holds
//! // what the command raised (low-stock alerts).
//! let outcome = execute(&mut store, create("BOLT-M8"))?;
//! let CommandResult::CreateProduct(product) = outcome.result else { unreachable!() };
//! assert_eq!(product.id, 1);
//!
//! // A refusal is an `Error`, with a stable `code()`; it changed nothing.
//! let refused = execute(&mut store, create("BOLT-M8")).unwrap_err();
//! assert!(matches!(refused, Error::Duplicate { .. }));
//! assert_eq!(refused.code(), "duplicate");
//! # Ok::<(), Error>(())
//! ```
//!
//! Hosts that speak JSON call [`execute_json`] instead: request text in,
//! answer text out, never a panic:
//!
//! ```
//! use stockbook_core::{execute_json, store::memory::MemoryStore};
//! let mut store = MemoryStore::new();
//! let answer = execute_json(&mut store, r#"{"cmd":"list_locations","actor":{"id":"ann","permissions":["inventory.read"]}}"#);
//! assert_eq!(answer, r#"{"ok":[{"id":1,"name":"Main"}],"events":[]}"#);
//! ```
//!
//! `core/examples/embed.rs` is a longer tour (stock changes, events, a
//! purchase order received under an idempotency key), and
//! `core/examples/demo.rs` a scripted day in JSON.
//!
//! ## The protocol
//!
//! `docs/protocol.md` (in the repository) documents the wire format: every
//! command, its arguments, its answer, the permission it needs, and the error
//! codes; `core/tests/protocol_doc.rs` plays its examples, so they cannot
//! rot. In Rust, the commands are the variants of [`protocol::Command`],
//! their results those of [`protocol::CommandResult`], and every refusal a
//! variant of [`Error`] (codes in [`Error::CODES`]). `docs/architecture.md`
//! explains the design.
//!
//! ## Your own store
//!
//! Implement [`store::Store`]: point reads with versions, ordered scans, two
//! ledger queries, and `commit` of one [`Changeset`](store::Changeset), atomic,
//! refused with [`Error::Conflict`] when a version it read has moved. Start
//! the store with [`store::genesis`]. Domain rules never live in a store.
//! `core/examples/own_store.rs` implements the trait outside this crate over a
//! `BTreeMap` and checks that it answers exactly like `MemoryStore`.
//!
//! ## Stability
//!
//! The protocol types, [`execute`], [`execute_json`], [`Error`] and the
//! [`store`] trait are the embedding surface. The handler functions that
//! modules such as [`ledger`] or [`purchasing`] expose, and [`tx::Tx`], are
//! the engine's internals made public for the crate's own hosts and
//! benchmarks; prefer commands. The hidden `testkit` module is a test harness
//! for this repository's tests, examples and benchmarks, not an API.
#![warn(missing_docs)]

pub mod alerts;
pub mod auth;
mod calendar;
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
// Public only because integration tests (`core/tests/`) and benchmarks are
// separate crates; hidden, and not part of the API (see "Stability" above).
#[doc(hidden)]
pub mod testkit;
pub mod text;
pub mod tx;
pub mod validate;

/// Internal id of an entity (products, suppliers, locations...).
pub type Id = u64;

pub use engine::{execute, execute_json};
pub use error::{Error, Result};
