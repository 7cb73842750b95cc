//! Placeholder: the wasm bindings arrive with issue 5.
