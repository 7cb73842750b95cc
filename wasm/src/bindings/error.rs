//! Core errors as JS `Error` objects: `name` is `StockbookError`, `code` the
//! stable code, `details` the structured details, `message` the human text,
//! the same three parts as the protocol's `{"error": ...}` answer.

use super::convert::answer_value;
use js_sys::Reflect;
use stockbook_core::error::Error;
use wasm_bindgen::JsValue;

/// The JS error for a core error.
pub fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("StockbookError");
    let details = stockbook_core::json::to_string(&e.details()).unwrap_or_else(|_| "null".into());
    // Setting a property on a fresh Error cannot fail; the results are moot.
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    let _ = Reflect::set(&err, &"details".into(), &answer_value(&details));
    err.into()
}
