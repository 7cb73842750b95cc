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
