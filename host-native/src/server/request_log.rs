//! The request log (`serve --request-log FILE`): one JSON line per HTTP
//! request that reached the server — method, path with query, status and
//! time taken. It lets a test prove that something did NOT reach the server
//! (an over-receipt the page refused inline), and an operator see traffic.
//! Off by default: each line is a write.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::SecondsFormat;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// An open request log.
#[derive(Clone)]
pub struct RequestLog {
    file: Arc<Mutex<File>>,
}

impl RequestLog {
    /// Opens (appending to) `path`.
    pub fn open(path: &Path) -> std::io::Result<RequestLog> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(RequestLog {
            file: Arc::new(Mutex::new(file)),
        })
    }

    fn write(&self, line: &str) {
        if let Ok(mut f) = self.file.lock() {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// Middleware: logs every request once it is answered.
pub async fn log_requests(State(log): State<RequestLog>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let response = next.run(req).await;
    let line = serde_json::json!({
        "at": crate::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "method": method,
        "path": path,
        "status": response.status().as_u16(),
        "micros": started.elapsed().as_micros() as u64,
    });
    log.write(&format!("{line}\n"));
    response
}
