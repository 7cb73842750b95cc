//! Protocol answers as HTTP responses. The body is always the protocol answer
//! (`{"ok": ...}` or `{"error": {...}}`), byte for byte what every other host
//! answers; the status code only summarises it for HTTP tooling.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use stockbook_core::error::Error;
use stockbook_core::protocol::answer_json;

/// The HTTP status of a protocol error code.
pub fn status_of_code(code: &str) -> StatusCode {
    match code {
        "invalid_request" | "invalid_field" => StatusCode::BAD_REQUEST,
        "unauthorized" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        "not_found" => StatusCode::NOT_FOUND,
        "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "request_timeout" => StatusCode::REQUEST_TIMEOUT,
        "over_receipt" | "insufficient_stock" | "not_tracked" => StatusCode::UNPROCESSABLE_ENTITY,
        "storage_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        // duplicate, invalid_transition, in_use, locked, conflict
        _ => StatusCode::CONFLICT,
    }
}

/// The error code of an answer, `None` when it is `ok`.
pub fn error_code(answer: &str) -> Option<String> {
    if answer.starts_with("{\"ok\"") {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(answer).ok()?;
    v.get("error")?.get("code")?.as_str().map(str::to_string)
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// A protocol answer with the status its outcome deserves.
pub fn answer(answer: String) -> Response {
    let status = match error_code(&answer) {
        None => StatusCode::OK,
        Some(code) => status_of_code(&code),
    };
    json_response(status, answer)
}

/// A refusal of the core's kind (`forbidden`, `invalid_request`...).
pub fn error(e: Error) -> Response {
    answer(answer_json(&Err(e)))
}

/// A host-level refusal whose code the protocol does not have
/// (`unauthorized`, `payload_too_large`, `request_timeout`,
/// `storage_unavailable`).
pub fn host_error(code: &str, message: &str) -> Response {
    host_error_with(code, message, serde_json::Map::new())
}

/// [`host_error`] with `details` (`{"max_bytes": ...}` on a 413).
pub fn host_error_with(
    code: &str,
    message: &str,
    details: serde_json::Map<String, serde_json::Value>,
) -> Response {
    let mut r = json_response(
        status_of_code(code),
        host_error_json(code, message, details),
    );
    if code == "unauthorized" {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"stockbook\""),
        );
    }
    if matches!(code, "request_timeout" | "payload_too_large") {
        // The body was not read to its end, so the connection cannot carry
        // another request: say so (RFC 9110 §15.5.9) rather than let the
        // client find it closed.
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

/// The body of [`host_error_with`].
pub fn host_error_json(
    code: &str,
    message: &str,
    details: serde_json::Map<String, serde_json::Value>,
) -> String {
    // Written in the protocol's field order (code, message, details), like
    // every engine answer; `json!` would sort the keys.
    format!(
        r#"{{"error":{{"code":{},"message":{},"details":{}}}}}"#,
        serde_json::Value::from(code),
        serde_json::Value::from(message),
        serde_json::Value::Object(details)
    )
}

/// `{"ok": value, "events": []}` with status 200, in the protocol's field
/// order (`json!` would put `events` first).
pub fn ok(value: impl serde::Serialize) -> Response {
    match serde_json::to_string(&value) {
        Ok(v) => json_response(StatusCode::OK, format!(r#"{{"ok":{v},"events":[]}}"#)),
        Err(e) => host_error("storage_unavailable", &format!("answer not written: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_get_the_status_of_their_outcome() {
        assert_eq!(answer("{\"ok\":1,\"events\":[]}".into()).status(), 200);
        let e = answer_json(&Err(Error::request("bad")));
        assert_eq!(error_code(&e).as_deref(), Some("invalid_request"));
        assert_eq!(answer(e).status(), 400);
        let f = Error::Forbidden {
            permission: "admin".into(),
        };
        assert_eq!(error(f).status(), 403);
        assert_eq!(host_error("unauthorized", "x").status(), 401);
        // Host answers keep the protocol's field order, like engine answers.
        let body = |r: Response| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let b = rt
                .block_on(axum::body::to_bytes(r.into_body(), usize::MAX))
                .unwrap();
            String::from_utf8(b.to_vec()).unwrap()
        };
        assert_eq!(
            body(host_error("unauthorized", "no \"token\"")),
            r#"{"error":{"code":"unauthorized","message":"no \"token\"","details":{}}}"#
        );
        assert_eq!(
            body(ok(serde_json::json!({"actor": "mia"}))),
            r#"{"ok":{"actor":"mia"},"events":[]}"#
        );
        assert_eq!(host_error("payload_too_large", "x").status(), 413);
        assert_eq!(host_error("request_timeout", "x").status(), 408);
        let mut d = serde_json::Map::new();
        d.insert("max_bytes".into(), 10.into());
        assert_eq!(
            body(host_error_with("payload_too_large", "big", d)),
            r#"{"error":{"code":"payload_too_large","message":"big","details":{"max_bytes":10}}}"#
        );
    }
}
