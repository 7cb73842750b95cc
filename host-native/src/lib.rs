//! # stockbook-native
//!
//! Stockbook on a server or a workstation: the [`sqlite::SqliteStore`] that
//! keeps the core's records in one SQLite file, the [`engine`] seam the CLI
//! talks through, the `stockbook` command line ([`cli`]), and the wasmtime
//! host that runs the core's `.wasm` ([`wasmhost`]).

pub mod cli;
pub mod engine;
pub mod server;
pub mod slips;
pub mod sqlite;
pub mod wasmhost;

/// The host's clock (the core never reads one; the host passes `now`).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
}
