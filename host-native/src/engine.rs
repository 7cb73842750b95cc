//! Which engine answers the protocol: the native core over SQLite, or the
//! `.wasm` build of the same core under wasmtime over the same SQLite file
//! ([`crate::wasmhost`]); and, for tests and benchmarks, both over an
//! in-memory store. The CLI talks to a [`JsonEngine`] only, so all of them
//! answer the same requests alike (checked by the conformance scenarios in
//! `tests/`).

use crate::sqlite::{DbError, Options, SqliteStore};
use crate::wasmhost::{default_module_path, WasmCore};
use std::path::Path;
use stockbook_core::protocol::answer_json;
use stockbook_core::store::memory::MemoryStore;

/// Something that answers protocol requests (JSON text in, JSON text out).
pub trait JsonEngine {
    /// Executes one request and answers it; never panics.
    fn execute_json(&mut self, request: &str) -> String;

    /// The SQLite store behind the engine, for host features that are not
    /// protocol commands (alert outbox, packing slips, batch imports).
    fn sqlite(&mut self) -> Option<&mut SqliteStore> {
        None
    }
}

impl JsonEngine for SqliteStore {
    fn execute_json(&mut self, request: &str) -> String {
        SqliteStore::execute_json(self, request)
    }

    fn sqlite(&mut self) -> Option<&mut SqliteStore> {
        Some(self)
    }
}

/// Which engine to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EngineKind {
    /// The core compiled into this program, over SQLite.
    #[default]
    Native,
    /// The core's `.wasm` build under wasmtime, over SQLite (the module is
    /// `wasm/pkg/stockbook_raw.wasm`, or the file named by `STOCKBOOK_WASM`).
    Wasm,
    /// The native core over an in-memory store: nothing is saved (`--db` is
    /// ignored). For tests and trying things out.
    Memory,
    /// The `.wasm` under wasmtime over the module's own in-memory store:
    /// nothing is saved. For tests and benchmarks.
    WasmMemory,
}

/// Why no engine could be opened.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The database could not be opened.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The engine is not available in this build.
    #[error("{0}")]
    Unavailable(String),
}

/// Opens the engine of `kind` over the database at `db`.
pub fn open_engine(
    kind: EngineKind,
    db: &Path,
    opts: Options,
) -> Result<Box<dyn JsonEngine>, EngineError> {
    match kind {
        EngineKind::Native => Ok(Box::new(SqliteStore::open(db, opts)?)),
        EngineKind::Wasm => {
            let core = load_wasm()?;
            Ok(Box::new(WasmEngine {
                core,
                db: SqliteStore::open(db, opts)?,
            }))
        }
        EngineKind::Memory => Ok(Box::new(MemoryStore::new())),
        EngineKind::WasmMemory => Ok(Box::new(load_wasm()?)),
    }
}

fn load_wasm() -> Result<WasmCore, EngineError> {
    WasmCore::load(&default_module_path()).map_err(|e| EngineError::Unavailable(e.to_string()))
}

impl JsonEngine for MemoryStore {
    fn execute_json(&mut self, request: &str) -> String {
        stockbook_core::engine::execute_json(self, request)
    }
}

impl JsonEngine for WasmCore {
    fn execute_json(&mut self, request: &str) -> String {
        WasmCore::execute_json(self, request)
    }
}

/// The wasm module under wasmtime over an SQLite file: each request runs in
/// ONE SQLite write transaction, in which the host answers the module's reads
/// and commits its changeset. No `sqlite()`: every request goes through the
/// module (host features such as packing slips need `--engine native`).
pub struct WasmEngine {
    core: WasmCore,
    db: SqliteStore,
}

impl JsonEngine for WasmEngine {
    fn execute_json(&mut self, request: &str) -> String {
        let core = &mut self.core;
        self.db
            .transaction(|db| core.execute_over(db, request))
            .unwrap_or_else(|e| answer_json(&Err(e.to_core())))
    }
}
