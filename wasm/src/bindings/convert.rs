//! JS values to JSON text and back, without ever letting a JS exception
//! unwind through Rust: every JS call here is a `catch` binding.

use js_sys::JSON;
use serde::Serialize;
use stockbook_core::error::Error;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, caught: it throws on a revoked `Proxy` (js-sys's
    /// `Array::is_array` is not a `catch` binding, so that exception would
    /// unwind through Rust and read as a trap).
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
}

/// `JSON.stringify(value)`, refusing what JSON cannot carry (BigInt, cycles,
/// `undefined`, a throwing `toJSON`, a stack overflow on deep nesting).
fn stringify(value: &JsValue, what: &str) -> Result<String, Error> {
    let text = JSON::stringify(value)
        .map_err(|_| Error::request(format!("{what} cannot be turned into JSON")))?;
    JsValue::from(text)
        .as_string()
        .ok_or_else(|| Error::request(format!("{what} cannot be turned into JSON")))
}

/// The JSON text of a request object (a plain object, not an array). A value
/// `Array.isArray` throws on (a revoked `Proxy`) is not a request object.
pub fn request_text(value: &JsValue) -> Result<String, Error> {
    if !value.is_object() || is_array(value).unwrap_or(true) {
        return Err(Error::request("a request is a JSON object"));
    }
    stringify(value, "the request")
}

/// JSON text given as a string, or the JSON of an object.
pub fn json_text(value: &JsValue, what: &str) -> Result<String, Error> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    if !value.is_object() {
        return Err(Error::field(what, "JSON text or an object"));
    }
    stringify(value, what)
}

/// Any JSON-able JS value as a `serde_json` value.
///
/// Text `JSON.stringify` wrote that does not read back as JSON (a lone
/// surrogate's escape, nesting past the reader's depth) is refused as the
/// core refuses such request text (`invalid_request`, "not valid JSON"), so
/// `validateReceipt` answers what `execute` of the same receipt answers.
pub fn to_json(value: &JsValue, what: &str) -> Result<serde_json::Value, Error> {
    if value.is_undefined() {
        return Err(Error::field(what, "required"));
    }
    let text = stringify(value, what)?;
    serde_json::from_str(&text).map_err(|e| Error::request(format!("not valid JSON: {e}")))
}

/// An answer (always valid JSON from the core) as a JS object.
pub fn answer_value(answer: &str) -> JsValue {
    JSON::parse(answer).unwrap_or_else(|_| JsValue::from_str(answer))
}

/// A Rust value as plain JS data (objects, arrays, strings, numbers).
pub fn to_value<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}
