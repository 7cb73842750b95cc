//! The wasm-bindgen class `StockbookCore`: the core and an in-memory store,
//! driven with plain JS objects or JSON text.
//!
//! This class is the engine room of the JS package; applications use the
//! `Stockbook` wrapper in `js/stockbook.js` (typed methods, `StockbookError`,
//! trap guard). Conventions that keep a bad input from ever breaking an
//! instance:
//!
//! - every method takes `&self` and borrows the store only around pure Rust
//!   code, so no borrow is held while JS code (a `toJSON`, a proxy trap) runs;
//! - every call into JS goes through a `catch` binding ([`convert`]), so a JS
//!   exception never unwinds through Rust frames;
//! - arbitrary JS values are never handed to serde: requests are turned into
//!   JSON text by `JSON.stringify` after their shape is checked, then parsed by
//!   the core, which answers every malformed input with `invalid_request` or
//!   `invalid_field`;
//! - domain refusals are answers (`{"error": ...}`), not exceptions; only
//!   [`StockbookCore::from_snapshot`] throws, with an error carrying `code`
//!   and `details` ([`error`]).

mod convert;
pub mod error;

use crate::counted::execute_counted;
use crate::offline;
use convert::{answer_value, json_text, request_text};
use std::cell::{Cell, RefCell};
use stockbook_core::error::Error;
use stockbook_core::protocol::{answer_json, COMMAND_NAMES};
use stockbook_core::store::memory::MemoryStore;
use wasm_bindgen::prelude::*;

/// The core over an in-memory store.
#[wasm_bindgen(js_name = StockbookCore)]
pub struct StockbookCore {
    store: RefCell<MemoryStore>,
    /// Requests that changed the store so far (see [`crate::counted`]).
    changes: Cell<u32>,
    /// Where the JS wrapper writes request text for [`StockbookCore::execute_input`]
    /// (see there why). Kept between calls; every byte initialised.
    input: RefCell<Vec<u8>>,
}

/// An input buffer larger than this is given back after the request that
/// needed it, so one huge request does not pin its memory for good.
const INPUT_KEEP: usize = 64 * 1024;

impl Default for StockbookCore {
    fn default() -> Self {
        Self::new()
    }
}

fn parse_snapshot(text: &str) -> Result<MemoryStore, Error> {
    MemoryStore::from_snapshot_json(text)
}

impl StockbookCore {
    fn with(store: MemoryStore) -> Self {
        StockbookCore {
            store: RefCell::new(store),
            changes: Cell::new(0),
            input: RefCell::new(Vec::new()),
        }
    }

    /// Runs request text; the store is borrowed only inside pure Rust code.
    fn run(&self, text: &str) -> String {
        let (answer, changed) = execute_counted(&mut *self.store.borrow_mut(), text);
        if changed {
            self.changes.set(self.changes.get().wrapping_add(1));
        }
        answer
    }
}

#[wasm_bindgen(js_class = StockbookCore)]
impl StockbookCore {
    /// An empty store (only the `Main` location).
    #[wasm_bindgen(constructor)]
    pub fn new() -> StockbookCore {
        StockbookCore::with(MemoryStore::new())
    }

    /// A store loaded from snapshot JSON (text or object); throws a
    /// `StockbookError` (`invalid_field`) when it is not one.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(snapshot: JsValue) -> Result<StockbookCore, JsValue> {
        let store = json_text(&snapshot, "snapshot")
            .and_then(|t| parse_snapshot(&t))
            .map_err(|e| error::to_js(&e))?;
        Ok(StockbookCore::with(store))
    }

    /// Executes a request object; answers the protocol's answer object
    /// (`{ok, events}` or `{error}`). Never throws.
    pub fn execute(&self, request: JsValue) -> JsValue {
        let answer = match request_text(&request) {
            Ok(text) => self.run(&text),
            Err(e) => answer_json(&Err(e)),
        };
        answer_value(&answer)
    }

    /// Executes a request given as JSON text; answers JSON text, byte for byte
    /// what the native library answers. Never throws.
    #[wasm_bindgen(js_name = executeJson)]
    pub fn execute_json(&self, request: JsValue) -> String {
        match request.as_string() {
            Some(text) => self.run(&text),
            None => answer_json(&Err(Error::request("executeJson takes a string"))),
        }
    }

    /// The address of a buffer of at least `capacity` bytes inside this
    /// module's memory, for [`StockbookCore::execute_input`].
    ///
    /// Why not just `executeJson`: wasm-bindgen's glue copies a JS string in
    /// with a JavaScript loop over its characters and two allocator calls,
    /// which was 10-15 % of a stock update's time in Node. The wrapper instead
    /// writes the text here with one `TextEncoder.encodeInto` into a buffer
    /// that lives as long as the instance. Nothing in this module ever reads
    /// an address from JS: it only hands out where JS may write.
    ///
    /// The bytes already in the buffer are kept when it grows (the wrapper
    /// reserves the text's length first and grows only for non-ASCII text).
    /// `0` (never a buffer's address) when the module's memory cannot hold
    /// `capacity` bytes: the buffer is then given back and the wrapper answers
    /// `invalid_request` instead of trapping on a failed allocation.
    #[wasm_bindgen(js_name = inputBuffer)]
    pub fn input_buffer(&self, capacity: usize) -> usize {
        let mut input = self.input.borrow_mut();
        let len = input.len();
        if len < capacity {
            if input.try_reserve_exact(capacity - len).is_err() {
                *input = Vec::new();
                return 0;
            }
            input.resize(capacity, 0);
        }
        input.as_mut_ptr() as usize
    }

    /// The `invalid_request` answer text for `reason`, exactly as the core
    /// writes it: for what the wrapper refuses before it reaches the core (a
    /// request `JSON.stringify` cannot turn into text, text too large for the
    /// module's memory).
    pub fn refusal(reason: &str) -> String {
        answer_json(&Err(Error::request(reason)))
    }

    /// Executes the first `len` bytes of the input buffer as request text,
    /// exactly as [`StockbookCore::execute_json`] executes a string. Text that
    /// is not UTF-8, or a `len` past the buffer, is `invalid_request`.
    #[wasm_bindgen(js_name = executeInput)]
    pub fn execute_input(&self, len: usize) -> String {
        let mut input = self.input.borrow_mut();
        let answer = match input.get(..len).map(std::str::from_utf8) {
            Some(Ok(text)) => self.run(text),
            Some(Err(_)) => answer_json(&Err(Error::request("request text is not UTF-8"))),
            None => answer_json(&Err(Error::request(
                "executeInput: length past the input buffer",
            ))),
        };
        if input.len() > INPUT_KEEP {
            *input = Vec::new();
        }
        answer
    }

    /// This module's `WebAssembly.Memory`, where [`StockbookCore::input_buffer`]
    /// lies (a new one after the wrapper rebuilt a trapped instance).
    #[wasm_bindgen(js_name = wasmMemory)]
    pub fn wasm_memory() -> JsValue {
        wasm_bindgen::memory()
    }

    /// Answers a request object as `execute` would, changing nothing.
    #[wasm_bindgen(js_name = dryRun)]
    pub fn dry_run(&self, request: JsValue) -> JsValue {
        let answer = match request_text(&request) {
            Ok(text) => offline::dry_run_json(&*self.store.borrow(), &text),
            Err(e) => answer_json(&Err(e)),
        };
        answer_value(&answer)
    }

    /// Answers what `receive_purchase_order` would answer for `receipt` on
    /// `purchaseOrder` (an id, or an object with `id` or `purchase_order.id`),
    /// as `actor` (default: a validator holding `purchasing.receive`) at `now`
    /// (RFC 3339). Changes nothing. Never throws.
    #[wasm_bindgen(js_name = validateReceipt)]
    pub fn validate_receipt(
        &self,
        purchase_order: JsValue,
        receipt: JsValue,
        actor: JsValue,
        now: JsValue,
    ) -> JsValue {
        let answer = (|| {
            let po = convert::to_json(&purchase_order, "purchaseOrder")?;
            let receipt = convert::to_json(&receipt, "receipt")?;
            let actor = if actor.is_undefined() || actor.is_null() {
                None
            } else {
                Some(convert::to_json(&actor, "actor")?)
            };
            let now = now
                .as_string()
                .ok_or_else(|| Error::field("now", "an RFC 3339 time string"))?;
            Ok(offline::validate_receipt(
                &*self.store.borrow(),
                &po,
                &receipt,
                actor,
                &now,
            ))
        })();
        answer_value(&answer.unwrap_or_else(|e| answer_json(&Err(e))))
    }

    /// The whole state as snapshot JSON text.
    #[wasm_bindgen(js_name = exportSnapshot)]
    pub fn export_snapshot(&self) -> String {
        let snap = self.store.borrow().snapshot();
        stockbook_core::json::to_string(&snap).unwrap_or_default()
    }

    /// Replaces the state with a snapshot (JSON text or object). Answers
    /// `{ok: null, events: []}`, or an `{error}` answer and keeps the state.
    #[wasm_bindgen(js_name = importSnapshot)]
    pub fn import_snapshot(&self, snapshot: JsValue) -> JsValue {
        let answer = match json_text(&snapshot, "snapshot").and_then(|t| parse_snapshot(&t)) {
            Ok(store) => {
                *self.store.borrow_mut() = store;
                self.changes.set(self.changes.get().wrapping_add(1));
                r#"{"ok":null,"events":[]}"#.to_string()
            }
            Err(e) => answer_json(&Err(e)),
        };
        answer_value(&answer)
    }

    /// How many requests changed the store since this instance was made (it
    /// wraps at 2^32). The JS wrapper journals a request when this moved.
    #[wasm_bindgen(js_name = changeCount)]
    pub fn change_count(&self) -> u32 {
        self.changes.get()
    }

    /// Number of movements in the ledger.
    #[wasm_bindgen(js_name = ledgerLength)]
    pub fn ledger_length(&self) -> u32 {
        u32::try_from(self.store.borrow().ledger_len()).unwrap_or(u32::MAX)
    }

    /// Names of every command this build knows.
    #[wasm_bindgen(js_name = commandNames)]
    pub fn command_names() -> JsValue {
        convert::to_value(&COMMAND_NAMES)
    }

    /// Every error code the core can answer.
    #[wasm_bindgen(js_name = errorCodes)]
    pub fn error_codes() -> JsValue {
        convert::to_value(&Error::CODES)
    }

    /// Test builds only: panics inside the module, which traps the instance.
    #[cfg(feature = "test-trap")]
    #[wasm_bindgen(js_name = forceTrap)]
    pub fn force_trap(&self) {
        panic!("forceTrap: forced trap (test-trap build)");
    }
}
