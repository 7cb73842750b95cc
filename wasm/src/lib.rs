//! # stockbook-wasm
//!
//! Stockbook's core for WebAssembly, in two shapes built from this one crate:
//!
//! - **the JS package** (feature `bindgen`, the default): a wasm-bindgen class
//!   ([`bindings::StockbookCore`]) over the core and its in-memory store. The
//!   public JS surface is the wrapper in `js/stockbook.js`, which adds typed
//!   methods, the `StockbookError` class and the trap/rebuild guard. Built by
//!   `wasm/build.sh` into `wasm/pkg/`.
//! - **the raw module** (feature `raw`, `--no-default-features`): plain
//!   `extern "C"` exports over linear memory, no imports at all, for wasmtime
//!   and any other runtime ([`raw`]). It runs either over its own in-memory
//!   store or over the host's store through the [`hoststore`] protocol.
//!
//! Both call [`stockbook_core::engine::execute_json`], so every runtime answers
//! byte for byte like the native library. [`hoststore`], [`offline`] and
//! [`counted`] are plain Rust, shared with the native wasmtime host and tested
//! natively.

pub mod counted;
pub mod hoststore;
pub mod offline;

#[cfg(feature = "bindgen")]
pub mod bindings;

#[cfg(feature = "raw")]
pub mod raw;
