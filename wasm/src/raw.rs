//! The raw export surface: JSON bytes in and out through linear memory, no
//! imports, no JS glue. For wasmtime (`host-native/src/wasmhost.rs`) and any
//! runtime that can call a function and read memory.
//!
//! ABI (version [`ABI_VERSION`], all integers are wasm `i32`/`i64`):
//!
//! - `sb_alloc(len) -> ptr`: a buffer of `len` bytes for the host to write a
//!   request into; the host frees it with `sb_free(ptr, len)` after the call.
//! - every function answering bytes returns `(ptr << 32) | len` of a buffer
//!   the host copies and then frees with `sb_free(ptr, len)`.
//! - `sb_execute(ptr, len)`: one protocol request over the module's own
//!   in-memory store, answered with the protocol answer.
//! - `sb_snapshot()`, `sb_restore(ptr, len)`, `sb_reset()`: export, import
//!   (answers `{"ok":null,"events":[]}` or an error answer) and reset that store.
//! - `sb_pull_begin()`, `sb_pull_run(ptr, len)`, `sb_pull_supply(ptr, len)`:
//!   the [`crate::hoststore`] protocol, for a store kept by the host.
//!
//! Input that is not UTF-8 or not JSON is an `invalid_request` answer; nothing
//! here panics on any input.

use crate::hoststore::{run_step, PullStore, Step, Supply};
use std::cell::RefCell;
use stockbook_core::engine::execute_json;
use stockbook_core::error::Error;
use stockbook_core::protocol::answer_json;
use stockbook_core::store::memory::{MemoryStore, Snapshot};

/// Version of this ABI; a host refuses a module with another one.
pub const ABI_VERSION: u32 = 1;

thread_local! {
    static OWN: RefCell<MemoryStore> = RefCell::new(MemoryStore::new());
    static PULL: RefCell<PullStore> = RefCell::new(PullStore::new());
}

fn out(bytes: Vec<u8>) -> u64 {
    let b = bytes.into_boxed_slice();
    let len = b.len() as u64;
    let ptr = Box::into_raw(b) as *mut u8 as usize as u64;
    (ptr << 32) | (len & 0xffff_ffff)
}

/// # Safety
/// `ptr..ptr+len` must be a buffer from [`sb_alloc`] (or `len == 0`).
unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

fn text(bytes: &[u8]) -> Result<&str, String> {
    #[cfg(feature = "test-trap")]
    if bytes == TRAP_REQUEST.as_bytes() {
        panic!("forced trap (test-trap build)");
    }
    std::str::from_utf8(bytes)
        .map_err(|_| answer_json(&Err(Error::request("the request is not UTF-8 text"))))
}

fn json_text<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, Error> {
    std::str::from_utf8(bytes).map_err(|e| Error::field(what, format!("not UTF-8 text: {e}")))
}

/// Test builds only: this exact request text panics inside `sb_execute` and
/// `sb_pull_run`, so hosts can prove they survive a trap in the middle of a
/// command.
#[cfg(feature = "test-trap")]
pub const TRAP_REQUEST: &str = "__stockbook_test_trap__";

/// The ABI version.
#[no_mangle]
pub extern "C" fn sb_abi_version() -> u32 {
    ABI_VERSION
}

/// A buffer of `len` bytes, owned by the host until it calls [`sb_free`].
#[no_mangle]
pub extern "C" fn sb_alloc(len: usize) -> *mut u8 {
    Box::into_raw(vec![0u8; len].into_boxed_slice()) as *mut u8
}

/// Frees a buffer from [`sb_alloc`] or an answer.
///
/// # Safety
/// `ptr` and `len` must describe exactly one such buffer, freed once.
#[no_mangle]
pub unsafe extern "C" fn sb_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)));
    }
}

/// Executes one request over the module's own store.
///
/// # Safety
/// See [`sb_free`]: the request buffer must be valid.
#[no_mangle]
pub unsafe extern "C" fn sb_execute(ptr: *const u8, len: usize) -> u64 {
    let answer = match text(input(ptr, len)) {
        Ok(req) => OWN.with(|s| execute_json(&mut *s.borrow_mut(), req)),
        Err(a) => a,
    };
    out(answer.into_bytes())
}

/// The module's own store as snapshot JSON.
#[no_mangle]
pub extern "C" fn sb_snapshot() -> u64 {
    let snap = OWN.with(|s| s.borrow().snapshot());
    out(stockbook_core::json::to_vec(&snap).unwrap_or_default())
}

/// Replaces the module's own store with a snapshot.
///
/// # Safety
/// See [`sb_free`]: the buffer must be valid.
#[no_mangle]
pub unsafe extern "C" fn sb_restore(ptr: *const u8, len: usize) -> u64 {
    // Text first: `from_str` is the reader the requests use, so serde_json
    // is compiled for one reader only.
    let r = json_text(input(ptr, len), "snapshot")
        .and_then(|t| serde_json::from_str::<Snapshot>(t).map_err(MemoryStore::snapshot_refusal))
        .and_then(MemoryStore::from_snapshot);
    let answer = match r {
        Ok(store) => {
            OWN.with(|s| *s.borrow_mut() = store);
            r#"{"ok":null,"events":[]}"#.to_string()
        }
        Err(e) => answer_json(&Err(e)),
    };
    out(answer.into_bytes())
}

/// Empties the module's own store (back to genesis).
#[no_mangle]
pub extern "C" fn sb_reset() {
    OWN.with(|s| *s.borrow_mut() = MemoryStore::new());
}

/// Starts a command of the host-store protocol: forgets what was supplied.
#[no_mangle]
pub extern "C" fn sb_pull_begin() {
    PULL.with(|p| p.borrow_mut().clear());
}

/// Runs the request over what was supplied; answers a [`Step`] as JSON.
///
/// # Safety
/// See [`sb_free`]: the request buffer must be valid.
#[no_mangle]
pub unsafe extern "C" fn sb_pull_run(ptr: *const u8, len: usize) -> u64 {
    let step = match text(input(ptr, len)) {
        Ok(req) => PULL.with(|p| run_step(&mut p.borrow_mut(), req)),
        Err(answer) => Step::Done {
            answer,
            changeset: None,
        },
    };
    out(stockbook_core::json::to_vec(&step).unwrap_or_default())
}

/// Adds supplies (a JSON array of [`Supply`]); answers `{"ok":null,"events":[]}`
/// or an error answer.
///
/// # Safety
/// See [`sb_free`]: the buffer must be valid.
#[no_mangle]
pub unsafe extern "C" fn sb_pull_supply(ptr: *const u8, len: usize) -> u64 {
    let supplies = json_text(input(ptr, len), "supplies").and_then(|t| {
        serde_json::from_str::<Vec<Supply>>(t).map_err(|e| Error::field("supplies", e.to_string()))
    });
    let answer = match supplies {
        Ok(s) => {
            PULL.with(|p| p.borrow_mut().supply(s));
            r#"{"ok":null,"events":[]}"#.to_string()
        }
        Err(e) => answer_json(&Err(e)),
    };
    out(answer.into_bytes())
}

/// Test builds only: panics, which traps the instance.
#[cfg(feature = "test-trap")]
#[no_mangle]
pub extern "C" fn sb_trap() {
    panic!("sb_trap: forced trap (test-trap build)");
}
