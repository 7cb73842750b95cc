//! The HTTP API of `stockbook serve`: authentication and permissions on
//! every route of the route table, malformed bodies, body limits, and 50
//! concurrent receipts against one purchase order.

mod http_support;

use axum::http::StatusCode;
use http_support::TestServer;
use serde_json::json;
use stockbook_core::auth::Permission;
use stockbook_native::server::routes::{Action, Route, ROUTES};

const ALL_BUT_ADMIN: [Permission; 5] = [
    Permission::InventoryRead,
    Permission::InventoryWrite,
    Permission::PurchasingWrite,
    Permission::PurchasingReceive,
    Permission::SalesWrite,
];

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
}

/// A body that names the route's command for `POST /api/commands`, `{}` else.
fn body_for(r: &Route, protocol_cmd: &str) -> String {
    match r.action {
        Action::Protocol => json!({"cmd": protocol_cmd, "args": {}}).to_string(),
        _ => "{}".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_401_without_a_valid_token() {
    let s = TestServer::start();
    for r in ROUTES {
        let path = concrete(r.path);
        for token in [None, Some("sb_not-a-token"), Some("garbage")] {
            let (status, v) = s
                .send(r.verb.as_str(), &path, token, body_for(r, "list_products"))
                .await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{} {path} {token:?}",
                r.verb.as_str()
            );
            assert_eq!(v["error"]["code"], "unauthorized", "{path}");
        }
    }
    // A revoked token is refused too.
    let store = stockbook_native::sqlite::SqliteStore::open(&s.db, Default::default()).unwrap();
    let t = stockbook_native::server::tokens::create(
        store.connection(),
        "x",
        "x",
        &[Permission::Admin],
        stockbook_native::now(),
    )
    .unwrap();
    stockbook_native::server::tokens::revoke(
        store.connection(),
        t.info.id,
        stockbook_native::now(),
    )
    .unwrap();
    let (status, _) = s.send("GET", "/api/products", Some(&t.secret), "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A token the database cannot look up is not "unknown": the answer is 503
/// `storage_unavailable` (retry later), not 401 (which tells a client its
/// token is bad), and the token works again once the database does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_token_lookup_is_503_not_401() {
    let s = TestServer::start();
    let clerk = s.token("clerk", &[Permission::InventoryRead]);
    let db = rusqlite::Connection::open(&s.db).unwrap();
    // Break the token table under the running server (a storage failure the
    // lookup cannot mistake for a missing row), then mend it.
    db.execute_batch(
        "ALTER TABLE api_tokens RENAME TO api_tokens_kept;
         CREATE TABLE api_tokens (unrelated INTEGER);",
    )
    .unwrap();
    let (status, v) = s.send("GET", "/api/products", Some(&clerk), "").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["code"], "storage_unavailable");
    db.execute_batch(
        "DROP TABLE api_tokens;
         ALTER TABLE api_tokens_kept RENAME TO api_tokens;",
    )
    .unwrap();
    let (status, v) = s.send("GET", "/api/products", Some(&clerk), "").await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_403_naming_the_missing_permission() {
    let s = TestServer::start();
    let mut checked = 0;
    for r in ROUTES {
        let path = concrete(r.path);
        let needed = match (r.action, r.permission()) {
            // The command is in the body: check a change that needs inventory.write.
            (Action::Protocol, _) => Permission::InventoryWrite,
            (_, Some(p)) => p,
            // Any valid token may ask who it is.
            (_, None) => {
                let t = s.token("nobody", &[]);
                let (status, v) = s.send("GET", &path, Some(&t), "").await;
                assert_eq!(status, StatusCode::OK, "{path}: {v}");
                assert_eq!(v["ok"]["actor"], "nobody");
                continue;
            }
        };
        let others: Vec<Permission> = ALL_BUT_ADMIN.into_iter().filter(|p| *p != needed).collect();
        let token = s.token("clerk", &others);
        let (status, v) = s
            .send(
                r.verb.as_str(),
                &path,
                Some(&token),
                body_for(r, "update_stock"),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{} {path}: {v}",
            r.verb.as_str()
        );
        assert_eq!(v["error"]["code"], "forbidden");
        assert_eq!(
            v["error"]["details"]["permission"],
            needed.as_str(),
            "{path}"
        );
        checked += 1;
        // The same route with the permission gets past the check.
        let allowed = s.token("clerk", &[needed]);
        let (status, _) = s
            .send(
                r.verb.as_str(),
                &path,
                Some(&allowed),
                body_for(r, "update_stock"),
            )
            .await;
        assert_ne!(status, StatusCode::FORBIDDEN, "{path}");
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(checked, ROUTES.len() - 1);
}

#[test]
fn route_permissions_equal_the_cores_for_every_documented_request() {
    // docs/protocol.md is executed by core's tests; every request in it is a
    // real one. Each must need, in the server's table, what the core demands.
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md"))
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut lines = doc.lines();
    while let Some(l) = lines.next() {
        if l.trim() != "```json request" {
            continue;
        }
        let text: String = lines
            .by_ref()
            .take_while(|l| l.trim() != "```")
            .collect::<Vec<_>>()
            .join("\n");
        let Ok(req) = stockbook_core::protocol::parse_request(&text) else {
            continue; // examples of malformed requests
        };
        let name = req.command.name();
        let access = stockbook_native::server::auth::access_of(name).unwrap();
        assert_eq!(access.permission, req.command.permission(), "{name}");
        assert_eq!(access.change, req.command.is_change(), "{name}");
        seen.insert(name);
    }
    assert!(seen.len() >= 30, "only {} commands documented?", seen.len());
}

#[test]
fn every_protocol_command_has_a_rest_route() {
    for name in stockbook_core::protocol::COMMAND_NAMES {
        assert!(
            ROUTES
                .iter()
                .any(|r| matches!(r.action, Action::Command { cmd, .. } if cmd == *name)),
            "no route for {name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_400_with_the_protocol_error() {
    let s = TestServer::start();
    let admin = s.admin.clone();
    let cases: Vec<(&str, &str, String, &str)> = vec![
        (
            "POST",
            "/api/commands",
            "{not json".into(),
            "invalid_request",
        ),
        ("POST", "/api/commands", "[1,2]".into(), "invalid_request"),
        (
            "POST",
            "/api/commands",
            json!({"args": {}}).to_string(),
            "invalid_request",
        ),
        (
            "POST",
            "/api/commands",
            json!({"cmd": "fly"}).to_string(),
            "invalid_request",
        ),
        // The actor and the time come from the server, never from the body.
        (
            "POST",
            "/api/commands",
            json!({"cmd": "list_products", "actor": {"id": "eve", "permissions": ["admin"]}})
                .to_string(),
            "invalid_request",
        ),
        (
            "POST",
            "/api/commands",
            json!({"cmd": "list_products", "now": "2020-01-01T00:00:00Z"}).to_string(),
            "invalid_request",
        ),
        (
            "POST",
            "/api/products",
            "{\"sku\":".into(),
            "invalid_request",
        ),
        (
            "POST",
            "/api/products",
            json!({"name": "no sku"}).to_string(),
            "invalid_request",
        ),
        (
            "POST",
            "/api/products",
            json!({"sku": "A", "name": "B", "price": 0.5}).to_string(),
            "invalid_field",
        ),
        (
            "POST",
            "/api/products",
            json!({"sku": "A", "name": "B", "colour": 1}).to_string(),
            "invalid_request",
        ),
        ("GET", "/api/products/abc", String::new(), "invalid_field"),
        (
            "GET",
            "/api/products?page=x",
            String::new(),
            "invalid_field",
        ),
        (
            "GET",
            "/api/stock/transactions?type=theft",
            String::new(),
            "invalid_field",
        ),
        (
            "PUT",
            "/api/products/1",
            json!({"id": 2}).to_string(),
            "invalid_field",
        ),
        (
            "POST",
            "/api/purchase-orders/1/receive",
            json!({"lines": "all"}).to_string(),
            "invalid_field",
        ),
    ];
    for (method, path, body, code) in cases {
        let (status, v) = s.send(method, path, Some(&admin), body.clone()).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{method} {path} {body}: {v}"
        );
        assert_eq!(v["error"]["code"], code, "{method} {path} {body}: {v}");
        assert!(v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // Nothing of it changed anything.
    let products = s.ok("GET", "/api/products", json!({})).await;
    assert_eq!(products["total_count"], 0);

    // Unknown paths and wrong methods answer in the protocol's error shape
    // too (axum's defaults are empty bodies), naming what the client sent.
    let (status, v) = s
        .send("GET", "/api/nothing/here", Some(&admin), String::new())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        v["error"]["details"],
        json!({"entity": "route", "id": "/api/nothing/here"})
    );
    let (status, v) = s
        .send("DELETE", "/api/me", Some(&admin), String::new())
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["error"]["code"], "invalid_request");
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("DELETE") && m.contains("/api/me")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_get_413() {
    let s = TestServer::start();
    let admin = s.admin.clone();
    // JSON routes: 1 MiB.
    let big = json!({"sku": "A", "name": "B", "notes": "x".repeat(1024 * 1024)}).to_string();
    let (status, v) = s.send("POST", "/api/products", Some(&admin), big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["error"]["code"], "payload_too_large");
    assert_eq!(
        v["error"]["message"],
        "the request body is larger than 1048576 bytes"
    );
    assert_eq!(v["error"]["details"], json!({"max_bytes": 1048576}));

    // Packing slips: 10 MB. A received PO takes a 6 MB PDF, not an 11 MB one.
    let (po, _) = s.ordered_po(5).await;
    s.ok(
        "POST",
        &format!("/api/purchase-orders/{po}/receive"),
        json!({"lines": [{"line_no": 1, "quantity": 5}]}),
    )
    .await;
    let slip_path = format!("/api/purchase-orders/{po}/packing-slip");
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(6 * 1024 * 1024, b' ');
    let (status, body) = s
        .send_raw("PUT", &slip_path, Some(&admin), pdf.clone(), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let (status, back) = s.send_raw("GET", &slip_path, Some(&admin), "", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(back, pdf);
    pdf.resize(10 * 1024 * 1024 + 1, b' ');
    let (status, body) = s.send_raw("PUT", &slip_path, Some(&admin), pdf, &[]).await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        String::from_utf8_lossy(&body)
    );
    // The slip route's own answer, not the generic one: the clerk reads
    // "a packing slip may be at most 10 MB".
    let slip_answer = json!({"error": {
        "code": "payload_too_large",
        "message": "a packing slip may be at most 10 MB",
        "details": {"max_bytes": 10 * 1024 * 1024},
    }});
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v, slip_answer);
    // A body announced larger than the limit is refused from its
    // Content-Length, before it is read (here the announcement is all there
    // is: the body itself is small).
    for (path, limit) in [
        ("/api/products".to_string(), 1024 * 1024),
        (slip_path.clone(), 10 * 1024 * 1024),
    ] {
        let method = if path == slip_path { "PUT" } else { "POST" };
        let announced = (limit + 1).to_string();
        let (status, body) = s
            .send_raw(
                method,
                &path,
                Some(&admin),
                "{}",
                &[("content-length", announced.as_str())],
            )
            .await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
        if path == slip_path {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v, slip_answer, "announced");
        }
    }
    // Not a PDF, PNG or JPEG: 400.
    let (status, _) = s
        .send_raw("PUT", &slip_path, Some(&admin), "hello", &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_receipts_never_over_receive() {
    let s = std::sync::Arc::new(TestServer::start());
    let (po, product) = s.ordered_po(20).await;
    let clerk = s.token("clerk", &[Permission::PurchasingReceive]);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let s = s.clone();
        let clerk = clerk.clone();
        // Half through the REST route, half through POST /api/commands.
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                s.send(
                    "POST",
                    &format!("/api/purchase-orders/{po}/receive"),
                    Some(&clerk),
                    json!({"lines": [{"line_no": 1, "quantity": 1}]}).to_string(),
                )
                .await
            } else {
                s.send(
                    "POST",
                    "/api/commands",
                    Some(&clerk),
                    json!({"cmd": "receive_purchase_order", "args": {"id": po, "lines": [{"line_no": 1, "quantity": 1}]}})
                        .to_string(),
                )
                .await
            }
        }));
    }
    let mut ok = 0;
    let mut over = 0;
    for t in tasks {
        let (status, v) = t.await.unwrap();
        match status {
            StatusCode::OK => ok += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(v["error"]["code"], "over_receipt", "{v}");
                over += 1;
            }
            StatusCode::CONFLICT => {
                // Fully received: the PO no longer takes receipts.
                assert_eq!(v["error"]["code"], "invalid_transition", "{v}");
                over += 1;
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert_eq!((ok, over), (20, 30));
    let view = s
        .ok("GET", &format!("/api/purchase-orders/{po}"), json!({}))
        .await;
    assert_eq!(view["purchase_order"]["status"], "received");
    assert_eq!(view["purchase_order"]["lines"][0]["received"], "20");
    let stock = s
        .ok("GET", &format!("/api/products/{product}/stock"), json!({}))
        .await;
    assert_eq!(stock["totals"]["on_hand"], "20", "{stock}");
    let ledger = s
        .ok(
            "GET",
            &format!("/api/stock/transactions?product_id={product}&type=purchase"),
            json!({}),
        )
        .await;
    let movements = ledger["movements"].as_array().unwrap();
    assert_eq!(movements.len(), 20);
    assert!(movements.iter().all(|m| m["source"]["actor"] == "clerk"));
    assert!(movements
        .iter()
        .all(|m| m["source"]["purchase_order"] == po));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_actor_comes_from_the_token_and_retries_with_a_key_apply_once() {
    let s = TestServer::start();
    let (po, product) = s.ordered_po(10).await;
    let clerk = s.token("mia", &[Permission::PurchasingReceive]);
    let path = format!("/api/purchase-orders/{po}/receive");
    let body = json!({"lines": [{"line_no": 1, "quantity": 4}]}).to_string();
    for _ in 0..2 {
        let (status, body) = s
            .send_raw(
                "POST",
                &path,
                Some(&clerk),
                body.clone(),
                &[("idempotency-key", "slip-77")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    }
    let ledger = s
        .ok(
            "GET",
            &format!("/api/stock/transactions?product_id={product}"),
            json!({}),
        )
        .await;
    let m = ledger["movements"].as_array().unwrap();
    assert_eq!(m.len(), 1, "the retry applied nothing: {ledger}");
    assert_eq!(m[0]["source"]["actor"], "mia");
    assert_eq!(m[0]["quantity"], "4");
    // `now` is the server's: within a minute of the test's clock.
    let at: chrono::DateTime<chrono::Utc> = m[0]["at"].as_str().unwrap().parse().unwrap();
    assert!((stockbook_native::now() - at).num_seconds().abs() < 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_documents_work_through_their_rest_routes() {
    let s = TestServer::start();
    let product = s
        .ok(
            "POST",
            "/api/products",
            json!({"sku": "NUT", "name": "Nut"}),
        )
        .await;
    let pid = product["id"].as_u64().unwrap();
    s.ok(
        "POST",
        &format!("/api/products/{pid}/stock"),
        json!({"operation": "add", "quantity": 50}),
    )
    .await;
    let seller = s.token("sam", &[Permission::SalesWrite, Permission::InventoryRead]);
    let (status, doc) = s
        .send(
            "POST",
            "/api/sales-documents",
            Some(&seller),
            json!({"client": "Bakker", "lines": [{"product_id": pid, "quantity": 40}]}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    let id = doc["ok"]["id"].as_u64().unwrap();
    // The order holds 40: only 10 available for a second order.
    let (status, v) = s
        .send(
            "POST",
            "/api/sales-documents",
            Some(&seller),
            json!({"client": "Jansen", "lines": [{"product_id": pid, "quantity": 11}]}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["code"], "insufficient_stock");
    let (status, v) = s
        .send(
            "POST",
            &format!("/api/sales-documents/{id}/type"),
            Some(&seller),
            json!({"type": "invoice"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let stock = s
        .ok("GET", &format!("/api/products/{pid}/stock"), json!({}))
        .await;
    assert_eq!(stock["totals"]["on_hand"], "10", "{stock}");
    let (status, v) = s
        .send(
            "GET",
            &format!("/api/sales-documents/{id}"),
            Some(&seller),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["ok"]["type"], "invoice", "{v}");
    let ledger = s
        .ok(
            "GET",
            &format!("/api/stock/transactions?product_id={pid}&type=consumption"),
            json!({}),
        )
        .await;
    assert_eq!(ledger["movements"][0]["quantity"], "-40", "{ledger}");
    assert_eq!(ledger["movements"][0]["source"]["actor"], "sam");
}

/// `POST /api/commands` honours the `Idempotency-Key` header like the REST
/// routes do: a retry carrying its key in the header applies once (it used to
/// be ignored there, so the retry applied again), and a body naming another
/// key is refused rather than one of them silently winning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idempotency_key_header_counts_on_api_commands_too() {
    let s = TestServer::start();
    let admin = s.admin.clone();
    let p = s
        .ok("POST", "/api/products", json!({"sku": "IK", "name": "Key"}))
        .await;
    let pid = p["id"].as_u64().unwrap();
    let body = json!({"cmd": "update_stock", "args": {"product_id": pid, "operation": "add", "quantity": 5}})
        .to_string();
    for _ in 0..2 {
        let (status, b) = s
            .send_raw(
                "POST",
                "/api/commands",
                Some(&admin),
                body.clone(),
                &[("idempotency-key", "count-1")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    }
    let stock = s
        .ok("GET", &format!("/api/products/{pid}/stock"), json!({}))
        .await;
    assert_eq!(
        stock["totals"]["on_hand"], "5",
        "the retry applied once: {stock}"
    );
    // The same key in both places is fine; different keys are refused.
    let same = json!({"cmd": "update_stock", "idempotency_key": "count-1", "args": {"product_id": pid, "operation": "add", "quantity": 5}})
        .to_string();
    let (status, _) = s
        .send_raw(
            "POST",
            "/api/commands",
            Some(&admin),
            same,
            &[("idempotency-key", "count-1")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let other = json!({"cmd": "update_stock", "idempotency_key": "count-2", "args": {"product_id": pid, "operation": "add", "quantity": 5}})
        .to_string();
    let (status, b) = s
        .send_raw(
            "POST",
            "/api/commands",
            Some(&admin),
            other,
            &[("idempotency-key", "count-1")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["error"]["code"], "invalid_request", "{v}");
    let stock = s
        .ok("GET", &format!("/api/products/{pid}/stock"), json!({}))
        .await;
    assert_eq!(stock["totals"]["on_hand"], "5", "{stock}");
}

/// `/api` and `/api/` are API paths like any other: an unknown one answers
/// the protocol's `not_found`, not an empty 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_root_answers_a_typed_404() {
    let s = TestServer::start();
    for path in ["/api", "/api/"] {
        for method in ["GET", "POST"] {
            let (status, v) = s.send(method, path, None, "").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(
                v["error"]["details"],
                json!({"entity": "route", "id": path}),
                "{method} {path}: {v}"
            );
        }
    }
}

/// `GET /api/alerts` pages by cursor (`after_id`, `limit`), oldest first; a
/// pending alert acknowledged while paging is never skipped. Its query
/// parameters are checked like a command's arguments: a typo or a bad value
/// is a 400, not silently ignored (`?all=yes` used to list pending ones only).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_are_paged_by_cursor_and_bad_queries_are_refused() {
    let s = TestServer::start();
    let admin = s.admin.clone();
    s.low_stock_alerts("LOW", 5).await;
    let ids = |v: &serde_json::Value| -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_u64().unwrap())
            .collect()
    };
    let all = s.ok("GET", "/api/alerts", json!({})).await;
    assert_eq!(ids(&all), vec![1, 2, 3, 4, 5], "{all}");
    let page = s.ok("GET", "/api/alerts?limit=2", json!({})).await;
    assert_eq!(ids(&page), vec![1, 2]);
    // Acknowledge the first page, then go on from its last id: nothing skipped.
    for id in [1, 2] {
        s.ok("POST", &format!("/api/alerts/{id}/ack"), json!({}))
            .await;
    }
    // A retried ack (the first answer lost) answers the same, not 404; an
    // alert that does not exist is still 404.
    let again = s.ok("POST", "/api/alerts/2/ack", json!({})).await;
    assert_eq!(again, json!({"id": 2, "acknowledged": true}));
    let (status, v) = s.send("POST", "/api/alerts/99/ack", Some(&admin), "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    let page = s
        .ok("GET", "/api/alerts?after_id=2&limit=2", json!({}))
        .await;
    assert_eq!(ids(&page), vec![3, 4]);
    let page = s
        .ok("GET", "/api/alerts?after_id=4&limit=2", json!({}))
        .await;
    assert_eq!(ids(&page), vec![5], "a short page is the end");
    let page = s.ok("GET", "/api/alerts?limit=10", json!({})).await;
    assert_eq!(ids(&page), vec![3, 4, 5], "pending ones only");
    let page = s
        .ok("GET", "/api/alerts?all=true&limit=3&after_id=1", json!({}))
        .await;
    assert_eq!(ids(&page), vec![2, 3, 4]);
    assert!(page[0]["acked_at"].is_string());

    for (query, code) in [
        ("all=yes", "invalid_field"),
        ("al=true", "invalid_request"),
        ("limit=0", "invalid_field"),
        ("limit=1001", "invalid_field"),
        ("limit=ten", "invalid_field"),
        ("after_id=-1", "invalid_field"),
        ("limit=1&limit=2", "invalid_request"),
    ] {
        let (status, v) = s
            .send("GET", &format!("/api/alerts?{query}"), Some(&admin), "")
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {v}");
        assert_eq!(v["error"]["code"], code, "{query}: {v}");
    }
    // The slips' ZIP: a year that is not one is refused, not read as this year.
    for query in ["year=abc", "year=0", "yaer=2026"] {
        let (status, b) = s
            .send_raw(
                "GET",
                &format!("/api/packing-slips/zip?{query}"),
                Some(&admin),
                "",
                &[],
            )
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            String::from_utf8_lossy(&b)
        );
    }
}

/// A stopped server closes the database: once the writer thread is joined,
/// every connection is closed, so the WAL has been checkpointed into the
/// database file and removed (a plain copy of the file is then a backup).
/// The checkpoint thread used to outlive the writer with a connection open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_leaves_the_database_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stockbook.db");
    let prepared = stockbook_native::server::open(&http_support::test_config(&db)).unwrap();
    let secret = http_support::create_token(&db, "ann", &[Permission::Admin]);
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/locations")
        .header("authorization", format!("Bearer {secret}"))
        .body(axum::body::Body::from(json!({"name": "Van 9"}).to_string()))
        .unwrap();
    let resp = prepared.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let wal = dir.path().join("stockbook.db-wal");
    assert!(wal.exists(), "a running server writes through the WAL");
    drop(prepared.router);
    drop(prepared.writer);
    prepared.writer_thread.join().unwrap();
    assert!(!wal.exists(), "the WAL was left behind");
    // The change is in the database file itself.
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert!(n > 0);
}

/// The query templates of docs/server.md's route table work verbatim: an
/// empty value (`?supplier_id=&page=`, what a form sends for a blank field)
/// means "not given" (it used to be refused: `""` is not a number, a flag or
/// a direction). A parameter given twice is refused, not last-one-wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_query_templates_work_verbatim() {
    let s = TestServer::start();
    let admin = s.admin.clone();
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/server.md")).unwrap();
    let mut checked = 0;
    for part in doc.split('`') {
        let Some(path) = part.strip_prefix("GET ") else {
            continue;
        };
        if !path.contains('?') || path.contains('{') {
            continue;
        }
        let (status, b) = s.send_raw("GET", path, Some(&admin), "", &[]).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&b)
        );
        checked += 1;
    }
    assert!(checked >= 5, "{checked} templates found");
    for path in ["/api/products?page=1&page=2", "/api/alerts?limit=1&limit=2"] {
        let (status, v) = s.send("GET", path, Some(&admin), "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_eq!(v["error"]["code"], "invalid_request", "{path}: {v}");
    }
}

/// A server that cannot listen (the port is taken) fails before it touches
/// the database: no new file is created and seeded, no page token made.
#[test]
fn a_server_that_cannot_listen_leaves_no_database_behind() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stockbook.db");
    let mut config = stockbook_native::server::Config::new(db.clone());
    config.addr = taken.local_addr().unwrap();
    config.web_dir = None;
    config.pkg_dir = None;
    let err = stockbook_native::server::serve(config).unwrap_err();
    assert!(
        err.to_string()
            .contains(&taken.local_addr().unwrap().to_string()),
        "the message names the address: {err}"
    );
    assert!(!db.exists(), "a database was created by a failed start");
}

/// The documented workflow of running `stockbook token create` (another
/// process) beside a running server: the server sees the new token at once,
/// and the other process sees the server's changes. The open check of the
/// SQLite store used to drop the server's file locks, so the other process,
/// believing itself the last user, checkpointed and deleted the WAL under
/// the server: new tokens were 401 and the server's changes invisible
/// (fixed in the store by b6df21b; this guards it over HTTP).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_and_the_running_server_share_the_database() {
    let s = TestServer::start();
    let bin = env!("CARGO_BIN_EXE_stockbook");
    let out = std::process::Command::new(bin)
        .arg("--db")
        .arg(&s.db)
        .args(["token", "create", "--permissions", "admin", "--as", "ops"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(
        s.db.with_file_name("stockbook.db-wal").exists(),
        "the server's WAL is still there"
    );
    let (status, v) = s
        .send(
            "POST",
            "/api/locations",
            Some(&token),
            json!({"name": "Van 7"}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the new token works: {v}");
    let out = std::process::Command::new(bin)
        .arg("--db")
        .arg(&s.db)
        .arg("exec")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(
                br#"{"cmd":"list_locations","actor":{"id":"a","permissions":["admin"]}}"#,
            )?;
            c.wait_with_output()
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Van 7"), "the other process sees it: {text}");
}

/// Alert acks under write load. They used to be written through a pooled
/// READ connection, which competes with the group-commit writer for
/// SQLite's write lock: under load the writer holds it nearly all the time
/// (one group after the other), so an ack sleeps in SQLite's busy handler
/// and fails with `storage_unavailable` "the database is busy" once the busy
/// timeout passes (measured with the default 10 s: acks took up to 7.7 s
/// beside 1,024 writing clients). Here the busy timeout is short, so the
/// starvation shows at once; acks now go through the writer, in its groups,
/// and never wait for the lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acks_are_answered_while_the_writer_is_busy() {
    let s = std::sync::Arc::new(TestServer::start_with(|c| {
        c.options.busy_timeout = std::time::Duration::from_millis(20);
    }));
    let acks = 20u64;
    s.low_stock_alerts("ACK", acks).await;
    let load = s
        .ok(
            "POST",
            "/api/products",
            json!({"sku": "LOAD", "name": "Load", "low_stock_threshold": 0}),
        )
        .await;
    let load_path = format!("/api/products/{}/stock", load["id"]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (s, stop, path) = (s.clone(), stop.clone(), load_path.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, v) = s
                    .send(
                        "POST",
                        &path,
                        Some(&s.admin),
                        json!({"operation": "add", "quantity": 1}).to_string(),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{v}");
            }
        }));
    }
    // The load is running before the first ack.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut failed = Vec::new();
    for id in 1..=acks {
        let (status, v) = s
            .send("POST", &format!("/api/alerts/{id}/ack"), Some(&s.admin), "")
            .await;
        if status != StatusCode::OK {
            failed.push(format!("{id}: {status} {v}"));
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    assert!(
        failed.is_empty(),
        "{} of {acks} acks failed: {failed:#?}",
        failed.len()
    );
    let pending = s.ok("GET", "/api/alerts", json!({})).await;
    assert_eq!(pending, json!([]), "every alert is acknowledged");
}

/// Packing slips uploaded at once to one PO: each is staged in a file of
/// its own (they used to share `.incoming-{po}-{pid}`, so two uploads could
/// write into one file), and the slip that stays is one of them, whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_slip_uploads_to_one_po_leave_one_whole_slip() {
    let s = std::sync::Arc::new(TestServer::start());
    let (po, _) = s.ordered_po(5).await;
    s.ok(
        "POST",
        &format!("/api/purchase-orders/{po}/receive"),
        json!({"lines": [{"line_no": 1, "quantity": 5}]}),
    )
    .await;
    let path = format!("/api/purchase-orders/{po}/packing-slip");
    let pdfs: Vec<Vec<u8>> = (0..8u8)
        .map(|i| {
            let mut pdf = b"%PDF-1.4\n".to_vec();
            pdf.resize(512 * 1024 + usize::from(i) * 1000, b'a' + i);
            pdf
        })
        .collect();
    let mut tasks = Vec::new();
    for pdf in pdfs.clone() {
        let (s, path) = (s.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            let admin = s.admin.clone();
            s.send_raw("PUT", &path, Some(&admin), pdf, &[]).await
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    }
    let (status, back) = s.send_raw("GET", &path, Some(&s.admin), "", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        pdfs.contains(&back),
        "the stored slip is none of the uploads"
    );
    let dir = stockbook_native::slips::slip_dir(&s.db);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "one slip file, no leftovers: {files:?}");
}

/// Generous bound for a server's answer that a short timeout of the test
/// configuration provokes: the assertions are on what comes back, not when.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(20);

/// A client that sends the head and part of a body, then stalls
/// (slowloris), is answered `408 request_timeout` in the API's JSON once no
/// byte came for `body_idle`, and its connection is closed. Before, it held
/// a connection and a task for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_answered_408_and_closed() {
    let s = http_support::Listening::start(|c| {
        c.timeouts.body_idle = std::time::Duration::from_millis(200);
    })
    .await;
    let mut head = s.head("POST", "/api/products", 100);
    head.extend_from_slice(br#"{"sku": "#);
    let mut c = s.connect(&head).await;
    let (status, v) = http_support::response(&mut c, ANSWER_WITHIN)
        .await
        .expect("the server answers a stalled body");
    assert_eq!(status, 408, "{v}");
    assert_eq!(v["error"]["code"], "request_timeout", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("stalled")),
        "{v}"
    );
}

/// A body that trickles (a byte now and then, never pausing long enough for
/// the idle timeout) is cut at the route's whole-body deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_body_is_cut_at_the_routes_deadline() {
    let s = http_support::Listening::start(|c| {
        c.timeouts.body_idle = std::time::Duration::from_secs(10);
        c.timeouts.json_body = std::time::Duration::from_millis(500);
    })
    .await;
    let body = json!({"sku": "TRICKLE", "name": "x".repeat(200)}).to_string();
    let c = s
        .connect(&s.head("POST", "/api/products", body.len()))
        .await;
    let (mut rd, mut wr) = c.into_split();
    let trickle = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        for b in body.bytes() {
            if wr.write_all(&[b]).await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = wr.flush().await;
        // Keep the write half open: the answer must not wait for it.
        tokio::time::sleep(ANSWER_WITHIN).await;
    });
    let mut got = Vec::new();
    let read = tokio::time::timeout(ANSWER_WITHIN, async {
        use tokio::io::AsyncReadExt;
        let _ = rd.read_to_end(&mut got).await;
    })
    .await;
    trickle.abort();
    assert!(read.is_ok(), "no answer");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains(r#""code":"request_timeout""#), "{text}");
    assert!(text.contains("did not arrive within 0.5 s"), "{text}");
}

/// A body that arrives slowly but steadily (pauses well under `body_idle`)
/// is read whole and applied: the idle timeout counts from the last byte,
/// not from the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_but_steady_body_is_accepted() {
    let s = http_support::Listening::start(|c| {
        c.timeouts.body_idle = std::time::Duration::from_secs(2);
    })
    .await;
    let body = json!({"sku": "STEADY", "name": "Steady"}).to_string();
    let mut c = s
        .connect(&s.head("POST", "/api/products", body.len()))
        .await;
    {
        use tokio::io::AsyncWriteExt;
        // Pieces 100 ms apart, each pause far below the idle timeout.
        for piece in body.as_bytes().chunks(8) {
            c.write_all(piece).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    // Keep-alive: the server answers and waits for the next request, so read
    // only the head and the announced body.
    let mut got = Vec::new();
    tokio::time::timeout(ANSWER_WITHIN, async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&got).contains("\"events\"") {
            let n = c.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed: {}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("an answer");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

/// A request head that stalls (the classic slowloris) is closed after
/// `header_read`: `axum::serve` set no timer, so hyper's header timeout
/// never ran and such a connection stayed open for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_head_is_closed() {
    let s = http_support::Listening::start(|c| {
        c.timeouts.header_read = std::time::Duration::from_millis(300);
    })
    .await;
    let mut c = s.connect(b"GET /api/me HTTP/1.1\r\nHost: te").await;
    let closed = http_support::response(&mut c, ANSWER_WITHIN).await;
    assert!(closed.is_some(), "the stalled connection is still open");
}

/// Ctrl-C with a client stalled in the middle of a request: the server
/// stops after `shutdown_grace` rather than waiting for that client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_does_not_wait_for_a_stalled_client_for_ever() {
    let mut s = http_support::Listening::start(|c| {
        c.timeouts.body_idle = std::time::Duration::from_secs(3600);
        c.timeouts.json_body = std::time::Duration::from_secs(3600);
        c.timeouts.shutdown_grace = std::time::Duration::from_millis(300);
    })
    .await;
    let head = s.head("POST", "/api/products", 100);
    let _stalled = s.connect(&head).await;
    // Let the server take the request in before stopping.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    s.stop();
    let served = s.served.take().unwrap();
    let stopped = tokio::time::timeout(ANSWER_WITHIN, served).await;
    assert!(
        stopped.is_ok(),
        "the server is still waiting for the stalled client"
    );
    stopped.unwrap().unwrap().unwrap();
}

/// API answers (refusals and host routes too) are never cached, and no
/// answer may be sniffed into another type than it says (a packing slip is
/// a file a user uploaded, served from the page's origin); the page's own
/// files are not marked `no-store`.
#[tokio::test]
async fn api_answers_are_not_cached_and_nothing_is_sniffed() {
    use tower::ServiceExt;
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<p>page</p>").unwrap();
    let dir = web.path().to_path_buf();
    let s = TestServer::start_with(move |c| c.web_dir = Some(dir));
    let admin = format!("Bearer {}", s.admin);
    let cases: [(&str, Option<&str>, u16, Option<&str>); 5] = [
        ("/api/products", Some(admin.as_str()), 200, Some("no-store")),
        ("/api/products", None, 401, Some("no-store")),
        ("/api/nope", Some(admin.as_str()), 404, Some("no-store")),
        ("/api/me", Some(admin.as_str()), 200, Some("no-store")),
        ("/index.html", None, 200, None),
    ];
    for (path, auth, status, cache) in cases {
        let mut req = axum::http::Request::get(path);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = s
            .router
            .clone()
            .oneshot(req.body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{path}");
        let h = resp.headers();
        assert_eq!(
            h.get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            h.get("cache-control").and_then(|v| v.to_str().ok()),
            cache,
            "{path}"
        );
    }
}

/// `GET /api/snapshot?purchase_order=ID` holds what validating a receipt of
/// that PO reads and nothing of the rest of the database; it imports as a
/// mirror, and a receipt validated on it answers what the whole mirror
/// answers, and what the server answers when it is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_orders_snapshot_validates_receipts_like_the_server() {
    use stockbook_core::store::memory::MemoryStore;
    use stockbook_wasm::offline::validate_receipt;
    let s = TestServer::start();
    // Other POs and products the scoped snapshot must leave out.
    for _ in 0..5 {
        s.ordered_po(3).await;
    }
    let (po, product) = s.ordered_po(10).await;
    let clerk = s.token("clerk", &[Permission::InventoryRead]);
    let get = |path: String| {
        let (s, clerk) = (&s, clerk.clone());
        async move {
            let (status, v) = s.send("GET", &path, Some(&clerk), "").await;
            assert_eq!(status, StatusCode::OK, "{path}: {v}");
            MemoryStore::from_snapshot_json(&v["ok"].to_string()).unwrap()
        }
    };
    let whole = get("/api/snapshot".into()).await;
    let scoped = get(format!("/api/snapshot?purchase_order={po}")).await;
    let (n_whole, n_scoped) = (
        whole.snapshot().records.len(),
        scoped.snapshot().records.len(),
    );
    assert!(n_scoped < n_whole / 2, "{n_scoped} of {n_whole} records");
    let products = |m: &MemoryStore| {
        let j = serde_json::to_value(m.snapshot()).unwrap();
        j["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r[0]["product"].as_u64())
            .collect::<Vec<_>>()
    };
    assert_eq!(products(&scoped), vec![product]);
    let now = "2099-01-05T10:00:00Z";
    for qty in [11, 4] {
        let receipt = json!({"lines": [{"line_no": 1, "quantity": qty}]});
        let on_scoped = validate_receipt(&scoped, &json!(po), &receipt, None, now);
        let on_whole = validate_receipt(&whole, &json!(po), &receipt, None, now);
        assert_eq!(on_scoped, on_whole, "{qty}");
    }
    // The refusal, byte for byte the server's (it carries no time).
    let receipt = json!({"lines": [{"line_no": 1, "quantity": 11}]});
    let on_scoped = validate_receipt(&scoped, &json!(po), &receipt, None, now);
    let (status, sent) = s
        .send_raw(
            "POST",
            &format!("/api/purchase-orders/{po}/receive"),
            Some(&s.admin),
            receipt.to_string(),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(on_scoped.as_bytes(), sent.as_slice());
    // A PO that is not there: a snapshot without it, whose validation says so.
    let none = get("/api/snapshot?purchase_order=999".into()).await;
    let a = validate_receipt(&none, &json!(999), &receipt, None, now);
    assert!(a.contains(r#""code":"not_found""#), "{a}");
    for bad in ["purchase_order=x", "purchase_order=-1", "po=1"] {
        let (status, v) = s
            .send("GET", &format!("/api/snapshot?{bad}"), Some(&clerk), "")
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {v}");
    }
}

/// `GET /api/me` lists the host-only routes (no protocol command, so no dry
/// run can answer for them) the token may call, by the same check every
/// request passes: each listed route gets past it, each other is refused
/// 403.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_lists_the_host_routes_the_token_may_call() {
    let s = TestServer::start();
    let zip = "GET /api/packing-slips/zip";
    let upload = "PUT /api/purchase-orders/{id}/packing-slip";
    let download = "GET /api/purchase-orders/{id}/packing-slip";
    let cases: [(&[Permission], &[&str], &[&str]); 4] = [
        (&[Permission::Admin], &[zip, upload, download], &[]),
        (&ALL_BUT_ADMIN, &[upload, download], &[zip]),
        (&[Permission::InventoryRead], &[download], &[zip, upload]),
        (&[], &[], &[zip, upload, download]),
    ];
    for (perms, has, lacks) in cases {
        let token = s.token("someone", perms);
        let (status, v) = s.send("GET", "/api/me", Some(&token), "").await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let listed: Vec<&str> = v["ok"]["host_routes"]
            .as_array()
            .unwrap_or_else(|| panic!("{v}"))
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        for r in has {
            assert!(listed.contains(r), "{perms:?}: {r} not in {listed:?}");
        }
        for r in lacks {
            assert!(!listed.contains(r), "{perms:?}: {r} in {listed:?}");
        }
        // Every host-only route of the table: listed exactly when the
        // server lets this token past its check.
        for r in ROUTES.iter().filter(|r| r.host_only()) {
            let (status, _) = s
                .send(r.verb.as_str(), &concrete(r.path), Some(&token), "{}")
                .await;
            let name = format!("{} {}", r.verb.as_str(), r.path);
            assert_eq!(
                listed.contains(&name.as_str()),
                status != StatusCode::FORBIDDEN,
                "{perms:?}: {name} answered {status}"
            );
        }
        assert!(!listed
            .iter()
            .any(|r| r.contains("/api/commands") || r.contains("/api/me")));
    }
}
