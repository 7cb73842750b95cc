//! The handler behind every API route of [`super::routes::ROUTES`].
//!
//! Order of checks, so that nobody learns more than they may: the token
//! (401; 503 when the database cannot say whether it is valid), the
//! permission of the route's command (403, naming it), the body's size
//! (413), then the request itself (400 with the protocol error). The
//! actor always comes from the token and `now` from the server clock; a body
//! that names either is refused rather than silently overridden.

use super::auth::{self, Unauthenticated};
use super::group_commit::{Applied, WriterGone};
use super::routes::{self, query_value, Action, Route, Verb};
use super::{reply, snapshot, App};
use crate::slips;
use crate::sqlite::outbox::Alert;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Map, Value};
use stockbook_core::auth::Actor;
use stockbook_core::error::Error;
use stockbook_core::protocol::{answer_json, parse_request_value};

/// Answers one request to `route`.
pub async fn handle(app: App, route: &'static Route, req: Request) -> Response {
    let actor = match authenticate(&app, req.headers()).await {
        Ok(a) => a,
        Err(Unauthenticated::Missing) => {
            return reply::host_error(
                "unauthorized",
                "a bearer token is required (Authorization: Bearer sb_...; create one with `stockbook token create`)",
            )
        }
        Err(Unauthenticated::Invalid) => {
            return reply::host_error("unauthorized", "the bearer token is unknown or revoked")
        }
        Err(Unauthenticated::Unavailable(e)) => return storage_failed(&e),
    };
    if let Err(e) = route.check(&actor) {
        return reply::error(e);
    }
    let path_id = path_param(route.path, req.uri().path());
    let query = req.uri().query().unwrap_or("").to_string();
    let headers = req.headers().clone();
    let body = match read_body(&app, route, &headers, req.into_body()).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let key = match idempotency_header(&headers) {
        Ok(k) => k,
        Err(e) => return reply::error(e),
    };
    match route.action {
        Action::Protocol => protocol(&app, actor, &body, key).await,
        Action::Command { cmd, path_arg } => {
            let args = match command_args(route.verb, &query, &body, path_arg.zip(path_id)) {
                Ok(a) => a,
                Err(e) => return reply::error(e),
            };
            let mut request = Map::new();
            request.insert("cmd".into(), cmd.into());
            request.insert("args".into(), Value::Object(args));
            if let Some(k) = key {
                request.insert("idempotency_key".into(), k.into());
            }
            execute(&app, actor, request).await
        }
        Action::Me => reply::ok(json!({
            "actor": actor.id,
            "permissions": actor.permissions,
            "host_routes": routes::host_routes_of(&actor),
        })),
        Action::ListAlerts => {
            let page = match AlertsPage::from_query(&query) {
                Ok(p) => p,
                Err(e) => return reply::error(e),
            };
            db_reply(app.readers.run(move |s| page.list(s)).await)
        }
        Action::AckAlert => {
            let Some(id) = path_id.as_deref().and_then(|i| i.parse::<i64>().ok()) else {
                return reply::error(Error::field("id", "an alert id"));
            };
            // Acknowledging is idempotent: a retry of an ack that went
            // through (its answer lost) finds the alert acknowledged and
            // answers the same, rather than `not_found`. Written by the
            // writer, in its group (see `group_commit`).
            let ack = Box::new(move |conn: &rusqlite::Connection, now| {
                use crate::sqlite::outbox::{ack, Acked};
                Ok(match ack(conn, id, now)? {
                    Acked::Now | Acked::Before => {
                        format!(r#"{{"ok":{{"id":{id},"acknowledged":true}},"events":[]}}"#)
                    }
                    Acked::Unknown => answer_json(&Err(Error::not_found("alert", id))),
                })
            });
            applied(app.writer.host(ack).await)
        }
        Action::Snapshot => match snapshot_scope(&query) {
            Ok(None) => db_reply(app.readers.run(|s| snapshot::records(s)).await),
            Ok(Some(id)) => db_reply(
                app.readers
                    .run(move |s| snapshot::for_purchase_order(s, id))
                    .await,
            ),
            Err(e) => reply::error(e),
        },
        Action::PutSlip => put_slip(&app, actor, path_id, body).await,
        Action::GetSlip => get_slip(&app, path_id).await,
        Action::SlipsZip => slips_zip(&app, &query).await,
    }
}

async fn authenticate(app: &App, headers: &HeaderMap) -> Result<Actor, Unauthenticated> {
    let secret = auth::bearer(headers).ok_or(Unauthenticated::Missing)?;
    if let Some(a) = app.tokens.get(secret) {
        return Ok(a);
    }
    let s = secret.to_string();
    let found = app
        .readers
        .run(move |db| auth::lookup(db.connection(), &s))
        .await;
    match found {
        Ok(Ok(Some(actor))) => {
            app.tokens.put(secret, &actor);
            Ok(actor)
        }
        Ok(Ok(None)) => Err(Unauthenticated::Invalid),
        Ok(Err(e)) | Err(e) => Err(Unauthenticated::Unavailable(e)),
    }
}

/// The `{id}` segment of `uri_path` where `pattern` has it.
fn path_param(pattern: &str, uri_path: &str) -> Option<String> {
    pattern
        .split('/')
        .zip(uri_path.split('/'))
        .find(|(p, _)| *p == "{id}")
        .map(|(_, v)| v.to_string())
}

/// The request body, read up to the route's limit and within its time: no
/// byte for [`Timeouts::body_idle`](super::listen::Timeouts) (tower-http's
/// `TimeoutBody`), or not all of it within the route's deadline, is
/// `408 request_timeout`; a body over the limit is `413 payload_too_large`
/// (the slip route's own message on the slip route).
async fn read_body(
    app: &App,
    route: &Route,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, Response> {
    let limit = route.body_limit();
    let too_large = || {
        let mut details = Map::new();
        details.insert("max_bytes".into(), limit.into());
        let message = match route.action {
            Action::PutSlip => slips::SlipError::TooLarge.to_string(),
            _ => format!("the request body is larger than {limit} bytes"),
        };
        reply::host_error_with("payload_too_large", &message, details)
    };
    // A body announced larger than the limit is refused at once, before the
    // client sends it (a 20 MB upload is not read up to the limit first).
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let t = app.timeouts;
    let deadline = route.body_deadline(&t);
    let timed = Body::new(tower_http::timeout::TimeoutBody::new(t.body_idle, body));
    let read = match tokio::time::timeout(deadline, axum::body::to_bytes(timed, limit)).await {
        Ok(read) => read,
        Err(_) => {
            return Err(reply::host_error(
                "request_timeout",
                &format!(
                    "the request body did not arrive within {} s; send it again",
                    deadline.as_secs_f64()
                ),
            ))
        }
    };
    match read {
        Ok(b) => Ok(b),
        Err(e) if caused_by::<http_body_util::LengthLimitError>(&e) => Err(too_large()),
        Err(e) if caused_by::<tower_http::timeout::TimeoutError>(&e) => Err(reply::host_error(
            "request_timeout",
            &format!(
                "the request body stalled: no data for {} s; send it again",
                t.body_idle.as_secs_f64()
            ),
        )),
        Err(e) => Err(reply::error(Error::request(format!(
            "the request body could not be read: {e}"
        )))),
    }
}

/// True when `T` is `e` or anywhere in its chain of sources.
fn caused_by<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if e.is::<T>() {
            return true;
        }
        next = e.source();
    }
    false
}

/// The query string as arguments (percent- and plus-decoded). A parameter
/// with an empty value (`?supplier_id=&page=`, what a form sends for a blank
/// field) is left out, as if not given; a parameter given twice is refused
/// rather than one of its values silently winning.
fn query_args(query: &str) -> Result<Map<String, Value>, Error> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| Error::request(format!("unreadable query string: {e}")))?;
    let mut out = Map::new();
    for (k, v) in pairs {
        if v.is_empty() {
            continue;
        }
        let val = query_value(&k, &v);
        if out.insert(k.clone(), val).is_some() {
            return Err(Error::request(format!("query parameter `{k}` given twice")));
        }
    }
    Ok(out)
}

/// The query string of a host route (one that is not a protocol command, so
/// the core does not check its arguments), read like [`query_args`]: only
/// the `allowed` names, so a typo (`?al=true`) is refused like an unknown
/// argument rather than silently ignored.
fn host_query(query: &str, allowed: &[&str]) -> Result<Map<String, Value>, Error> {
    let args = query_args(query)?;
    if let Some(k) = args.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Error::request(format!(
            "unknown query parameter `{k}`, expected {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(args)
}

/// `GET /api/snapshot?purchase_order=ID`: the PO whose receipts the
/// snapshot is for (`None`: every record).
fn snapshot_scope(query: &str) -> Result<Option<stockbook_core::Id>, Error> {
    let q = host_query(query, &["purchase_order"])?;
    match q.get("purchase_order") {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|t| t.parse().ok()))
            .map(Some)
            .ok_or_else(|| Error::field("purchase_order", "a purchase order id (a whole number)")),
    }
}

/// Most alerts in one page of `GET /api/alerts`.
pub const MAX_ALERTS_LIMIT: u64 = 1000;

/// `GET /api/alerts?all=&after_id=&limit=`: alerts oldest first, paged by a
/// cursor like the ledger (`after_id`: only ids above it). The answer stays
/// the array of alerts; a page of `limit` alerts may be followed by more
/// (ask again with `after_id` = the last id), a shorter one is the end. A
/// cursor, not page numbers: acknowledging pending alerts while paging
/// through them would shift numbered pages and skip alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AlertsPage {
    all: bool,
    after_id: i64,
    limit: Option<u64>,
}

impl AlertsPage {
    fn from_query(query: &str) -> Result<AlertsPage, Error> {
        let q = host_query(query, &["all", "after_id", "limit"])?;
        let all = match q.get("all") {
            None => false,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| Error::field("all", "true or false"))?,
        };
        let after_id = match q.get("after_id") {
            None => 0,
            Some(v) => v
                .as_u64()
                .and_then(|n| i64::try_from(n).ok())
                .ok_or_else(|| Error::field("after_id", "an alert id (a whole number)"))?,
        };
        let limit = match q.get("limit") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .filter(|n| (1..=MAX_ALERTS_LIMIT).contains(n))
                    .ok_or_else(|| {
                        Error::field(
                            "limit",
                            format!("a whole number from 1 to {MAX_ALERTS_LIMIT}"),
                        )
                    })?,
            ),
        };
        Ok(AlertsPage {
            all,
            after_id,
            limit,
        })
    }

    /// The page, read from the store's outbox.
    fn list(self, s: &crate::sqlite::SqliteStore) -> Result<Vec<Alert>, crate::sqlite::DbError> {
        s.list_alerts_after(self.all, self.after_id, self.limit)
    }
}

fn body_object(body: &[u8]) -> Result<Map<String, Value>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::request(
            "the body must be a JSON object (the command's args)",
        )),
        Err(e) => Err(Error::request(format!("not valid JSON: {e}"))),
    }
}

/// A route's arguments: the query string (GET) or the body, plus the path id.
fn command_args(
    verb: Verb,
    query: &str,
    body: &[u8],
    path: Option<(&'static str, String)>,
) -> Result<Map<String, Value>, Error> {
    let mut args = if verb == Verb::Get {
        query_args(query)?
    } else {
        body_object(body)?
    };
    if let Some((name, raw)) = path {
        let id: u64 = raw
            .parse()
            .map_err(|_| Error::field(name, "the id in the path must be a whole number"))?;
        match args.get(name) {
            Some(v) if v.as_u64() != Some(id) => {
                return Err(Error::field(name, "differs from the id in the path"))
            }
            _ => {}
        }
        args.insert(name.into(), id.into());
    }
    Ok(args)
}

/// The `Idempotency-Key` header, if the request carries one.
fn idempotency_header(headers: &HeaderMap) -> Result<Option<String>, Error> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(k) => match k.to_str() {
            Ok(k) => Ok(Some(k.to_string())),
            Err(_) => Err(Error::field("Idempotency-Key", "visible ASCII text")),
        },
    }
}

/// `POST /api/commands`: a protocol request without `actor` and `now`. The
/// `Idempotency-Key` header, when sent, is the request's `idempotency_key`
/// (a retry must never apply twice because its key travelled in a header);
/// a body naming a different key is refused.
async fn protocol(app: &App, actor: Actor, body: &[u8], key: Option<String>) -> Response {
    let mut request = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return reply::error(Error::request("a request is a JSON object")),
        Err(e) => return reply::error(Error::request(format!("not valid JSON: {e}"))),
    };
    for field in ["actor", "now"] {
        if request.contains_key(field) {
            return reply::error(Error::request(format!(
                "`{field}` is set by the server (the actor from the token, now from its clock); leave it out"
            )));
        }
    }
    if let Some(k) = key {
        match request.get("idempotency_key") {
            Some(v) if v.as_str() != Some(k.as_str()) => {
                return reply::error(Error::request(
                    "the Idempotency-Key header and the body's `idempotency_key` differ; send one",
                ))
            }
            _ => {
                request.insert("idempotency_key".into(), k.into());
            }
        }
    }
    let Some(cmd) = request.get("cmd").and_then(Value::as_str) else {
        return reply::error(Error::request("missing field `cmd` (a string)"));
    };
    if let Some(access) = auth::access_of(cmd) {
        if let Err(e) = actor.require(access.permission) {
            return reply::error(e);
        }
    }
    execute(app, actor, request).await
}

/// Validates and runs a request: changes through the group-commit writer,
/// queries on a read connection.
async fn execute(app: &App, actor: Actor, mut request: Map<String, Value>) -> Response {
    request.insert(
        "actor".into(),
        json!({"id": actor.id, "permissions": actor.permissions}),
    );
    let parsed = match parse_request_value(Value::Object(request.clone())) {
        Ok(p) => p,
        Err(e) => return reply::error(e),
    };
    if parsed.command.is_change() {
        applied(app.writer.apply(request).await)
    } else {
        let now = crate::now_text();
        request.insert("now".into(), now.into());
        let text = Value::Object(request).to_string();
        match app.readers.run(move |s| s.execute_json(&text)).await {
            Ok(a) => reply::answer(a),
            Err(e) => storage_failed(&e),
        }
    }
}

/// The answer of a write the writer applied (or could not).
fn applied(r: Result<Applied, WriterGone>) -> Response {
    match r {
        Ok(Applied::Answer(a)) => reply::answer(a),
        Ok(Applied::StorageFailed(a)) => {
            let mut r = reply::answer(a);
            *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            r
        }
        Err(WriterGone) => reply::host_error("storage_unavailable", "the server is shutting down"),
    }
}

fn storage_failed(e: &crate::sqlite::DbError) -> Response {
    reply::host_error("storage_unavailable", &e.to_string())
}

fn db_reply<T: serde::Serialize>(
    r: Result<Result<T, crate::sqlite::DbError>, crate::sqlite::DbError>,
) -> Response {
    match r {
        Ok(Ok(v)) => reply::ok(v),
        Ok(Err(e)) | Err(e) => storage_failed(&e),
    }
}

async fn query(app: &App, cmd: &str, args: Value) -> Result<Value, Response> {
    let request = json!({"cmd": cmd, "actor": {"id": "server", "permissions": ["inventory.read"]}, "args": args})
        .to_string();
    let answer = app
        .readers
        .run(move |s| s.execute_json(&request))
        .await
        .map_err(|e| storage_failed(&e))?;
    let mut v: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
    if v.get("error").is_some() {
        return Err(reply::answer(answer));
    }
    Ok(v["ok"].take())
}

fn slip_error(e: slips::SlipError) -> Response {
    use slips::SlipError as S;
    match e {
        S::UnsupportedType => reply::error(Error::field("body", e.to_string())),
        S::TooLarge => reply::host_error("payload_too_large", &e.to_string()),
        S::NoSlip(id) => reply::error(Error::not_found("packing_slip", id)),
        other => reply::host_error("storage_unavailable", &other.to_string()),
    }
}

async fn put_slip(app: &App, actor: Actor, id: Option<String>, body: Bytes) -> Response {
    let Some(id) = id.and_then(|i| i.parse::<u64>().ok()) else {
        return reply::error(Error::field("id", "a purchase order id"));
    };
    let Some(kind) = slips::SlipKind::sniff(&body) else {
        return slip_error(slips::SlipError::UnsupportedType);
    };
    let view = match query(app, "get_purchase_order", json!({"id": id})).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let po = &view["purchase_order"];
    let status = po["status"].as_str().unwrap_or_default().to_string();
    let received = po["received_date"]
        .as_str()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let (true, Some(received_date)) = (
        matches!(
            status.as_str(),
            "received" | "partially_received" | "closed"
        ),
        received,
    ) else {
        return reply::error(Error::transition(status, "attach_packing_slip"));
    };
    let supplier = match query(app, "get_supplier", json!({"id": po["supplier_id"]})).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let target = slips::SlipFor {
        po_id: id,
        po_number: po["number"].as_str().unwrap_or_default().to_string(),
        creditor_number: supplier["supplier"]["creditor_number"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        received_date,
    };
    let _ = actor;
    // The file is written and synced here, on a blocking thread; only the
    // index row (and the rename into place) runs in the writer's group, so a
    // 10 MB upload never holds the group commit up, and the row never waits
    // for SQLite's write lock (see `group_commit`).
    let dir = slips::slip_dir(&app.db);
    let staged = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || slips::stage(&dir, id, kind, &body)).await
    };
    let staged = match staged {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return slip_error(e),
        Err(e) => return reply::host_error("storage_unavailable", &e.to_string()),
    };
    let indexed = std::sync::Arc::new(std::sync::Mutex::new(None));
    let out = indexed.clone();
    let write = Box::new(move |conn: &rusqlite::Connection, now| {
        match slips::index(conn, &staged, &target, now, true) {
            Ok((slip, old)) => {
                let answer = serde_json::to_string(&slip)
                    .map(|v| format!(r#"{{"ok":{v},"events":[]}}"#))
                    .map_err(|e| crate::sqlite::DbError::Corrupt(e.to_string()))?;
                if let Ok(mut o) = out.lock() {
                    *o = Some((slip, old));
                }
                Ok(answer)
            }
            Err(slips::SlipError::Db(e)) => Err(e),
            // The rename failed: this upload only, the group goes on.
            Err(e) => Ok(reply::host_error_json(
                "storage_unavailable",
                &e.to_string(),
                Map::new(),
            )),
        }
    });
    let r = app.writer.host(write).await;
    let committed = matches!(&r, Ok(Applied::Answer(a)) if reply::error_code(a).is_none());
    let done = indexed.lock().ok().and_then(|mut o| o.take());
    if let (true, Some((slip, old))) = (committed, done) {
        let _ = tokio::task::spawn_blocking(move || slips::remove_replaced(&dir, &slip, old)).await;
    }
    applied(r)
}

async fn get_slip(app: &App, id: Option<String>) -> Response {
    let Some(id) = id.and_then(|i| i.parse::<u64>().ok()) else {
        return reply::error(Error::field("id", "a purchase order id"));
    };
    let found = app
        .readers
        .run(move |s| {
            let (slip, path) = slips::fetch(s, id)?;
            let bytes = std::fs::read(path)?;
            Ok::<_, slips::SlipError>((slip, bytes))
        })
        .await;
    match found {
        Ok(Ok((slip, bytes))) => file_response(&slip.media_type, &slip.file_name, bytes),
        Ok(Err(e)) => slip_error(e),
        Err(e) => storage_failed(&e),
    }
}

async fn slips_zip(app: &App, query: &str) -> Response {
    let year = match host_query(query, &["year"]).and_then(|q| match q.get("year") {
        None => Ok(crate::now().year()),
        Some(v) => v
            .as_u64()
            .filter(|y| (1..=9999).contains(y))
            .map(|y| y as i32)
            .ok_or_else(|| Error::field("year", "a year from 1 to 9999")),
    }) {
        Ok(y) => y,
        Err(e) => return reply::error(e),
    };
    let made = app
        .readers
        .run(move |s| {
            let mut out = std::io::Cursor::new(Vec::new());
            slips::zip_year(s, year, &mut out).map(|_| out.into_inner())
        })
        .await;
    match made {
        Ok(Ok(bytes)) => file_response(
            "application/zip",
            &format!("packing-slips-{year}.zip"),
            bytes,
        ),
        Ok(Err(e)) => slip_error(e),
        Err(e) => storage_failed(&e),
    }
}

fn file_response(media_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_id_is_found_where_the_pattern_has_it() {
        assert_eq!(
            path_param(
                "/api/purchase-orders/{id}/receive",
                "/api/purchase-orders/12/receive"
            ),
            Some("12".into())
        );
        assert_eq!(path_param("/api/products", "/api/products"), None);
    }

    #[test]
    fn arguments_come_from_query_or_body_and_the_path() {
        let a = command_args(Verb::Get, "product_id=3&type=purchase", b"", None).unwrap();
        assert_eq!(
            Value::Object(a),
            json!({"product_id": 3, "type": "purchase"})
        );
        let a = command_args(
            Verb::Post,
            "",
            br#"{"lines": []}"#,
            Some(("id", "7".into())),
        )
        .unwrap();
        assert_eq!(Value::Object(a), json!({"lines": [], "id": 7}));
        assert_eq!(
            command_args(Verb::Post, "", br#"{"id": 8}"#, Some(("id", "7".into())))
                .unwrap_err()
                .code(),
            "invalid_field"
        );
        assert_eq!(
            command_args(Verb::Post, "", b"[1]", None)
                .unwrap_err()
                .code(),
            "invalid_request"
        );
        assert_eq!(
            command_args(Verb::Delete, "", b"", Some(("id", "x".into())))
                .unwrap_err()
                .code(),
            "invalid_field"
        );
    }
}
