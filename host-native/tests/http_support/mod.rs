//! A server for the HTTP tests: a temp database, the real router (driven
//! in-process with `tower::ServiceExt::oneshot`, so no port is needed), and
//! tokens with chosen permissions.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use stockbook_core::auth::Permission;
use stockbook_native::server::{self, tokens, Config};
use stockbook_native::sqlite::{Options, SqliteStore};
use tower::ServiceExt;

pub struct TestServer {
    pub router: Router,
    pub db: std::path::PathBuf,
    pub admin: String,
    _dir: tempfile::TempDir,
}

/// The tests' server configuration on `db`: no demo data, no page token,
/// no page files.
pub fn test_config(db: &std::path::Path) -> Config {
    let mut config = Config::new(db.to_path_buf());
    config.seed = false;
    config.page_token = false;
    config.web_dir = None;
    config.pkg_dir = None;
    config
}

/// A new token in the database `db` for `actor` holding `perms`.
pub fn create_token(db: &std::path::Path, actor: &str, perms: &[Permission]) -> String {
    let store = SqliteStore::open(db, Options::default()).unwrap();
    tokens::create(
        store.connection(),
        "test",
        actor,
        perms,
        stockbook_native::now(),
    )
    .unwrap()
    .secret
}

impl TestServer {
    pub fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("stockbook.db");
        let prepared = server::open(&test_config(&db)).unwrap();
        let mut s = TestServer {
            router: prepared.router,
            db,
            admin: String::new(),
            _dir: dir,
        };
        s.admin = s.token("admin", &[Permission::Admin]);
        s
    }

    /// A new token for `actor` holding `perms`.
    pub fn token(&self, actor: &str, perms: &[Permission]) -> String {
        create_token(&self.db, actor, perms)
    }

    /// Sends a request; the status and the body (JSON, or `null`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: impl Into<Body>,
    ) -> (StatusCode, Value) {
        let (status, bytes) = self.send_raw(method, path, token, body, &[]).await;
        let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, v)
    }

    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: impl Into<Body>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Vec<u8>) {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let resp = self
            .router
            .clone()
            .oneshot(b.body(body.into()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, bytes)
    }

    /// As admin, expecting success; the `ok` part.
    pub async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, v) = self
            .send(method, path, Some(&self.admin.clone()), body.to_string())
            .await;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {v}");
        v["ok"].clone()
    }

    /// A supplier, a product and an ordered PO with one line of `qty`; the
    /// PO id and product id.
    pub async fn ordered_po(&self, qty: u32) -> (u64, u64) {
        let sup = self
            .ok("POST", "/api/suppliers", json!({"name": "Acme"}))
            .await;
        let sku = format!("SKU-{}", rand_suffix());
        let prod = self
            .ok("POST", "/api/products", json!({"sku": sku, "name": "Bolt"}))
            .await;
        let po = self
            .ok(
                "POST",
                "/api/purchase-orders",
                json!({"supplier_id": sup["id"], "lines": [{"product_id": prod["id"], "quantity": qty, "unit_cost": "0.45"}]}),
            )
            .await;
        let id = po["purchase_order"]["id"].as_u64().unwrap();
        self.ok(
            "POST",
            &format!("/api/purchase-orders/{id}/order"),
            json!({}),
        )
        .await;
        (id, prod["id"].as_u64().unwrap())
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
