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
        TestServer::start_with(|_| {})
    }

    /// [`TestServer::start`] with the tests' configuration changed by
    /// `configure`.
    pub fn start_with(configure: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("stockbook.db");
        let mut config = test_config(&db);
        configure(&mut config);
        let prepared = server::open(&config).unwrap();
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

impl TestServer {
    /// `n` products `{prefix}-0`..: threshold 10, one unit added each, so
    /// each raises one low-stock alert into the outbox.
    pub async fn low_stock_alerts(&self, prefix: &str, n: u64) {
        for i in 0..n {
            let p = self
                .ok(
                    "POST",
                    "/api/products",
                    json!({"sku": format!("{prefix}-{i}"), "name": "Low", "low_stock_threshold": 10}),
                )
                .await;
            self.ok(
                "POST",
                &format!("/api/products/{}/stock", p["id"]),
                json!({"operation": "add", "quantity": 1}),
            )
            .await;
        }
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A real server listening on a free port of 127.0.0.1 (for what only a
/// socket shows: timeouts, stalled clients, the stop), on the test's
/// runtime.
pub struct Listening {
    pub addr: std::net::SocketAddr,
    pub db: std::path::PathBuf,
    pub admin: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Listening {
    /// Starts one with the tests' configuration changed by `configure`.
    pub async fn start(configure: impl FnOnce(&mut Config)) -> Listening {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("stockbook.db");
        let mut config = test_config(&db);
        configure(&mut config);
        let prepared = server::open(&config).unwrap();
        let admin = create_token(&db, "admin", &[Permission::Admin]);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(server::listen::serve_on(
            listener,
            prepared.router,
            config.timeouts,
            async move {
                let _ = stopped.await;
            },
        ));
        Listening {
            addr,
            db,
            admin,
            stop: Some(stop),
            served: Some(served),
            _dir: dir,
        }
    }

    /// Asks the server to stop (what Ctrl-C does).
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }

    /// A connection that has sent `bytes`.
    pub async fn connect(&self, bytes: &[u8]) -> tokio::net::TcpStream {
        use tokio::io::AsyncWriteExt;
        let mut c = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        c.set_nodelay(true).unwrap();
        c.write_all(bytes).await.unwrap();
        c
    }

    /// The head of a request with this admin's token, up to the blank line.
    pub fn head(&self, method: &str, path: &str, content_length: usize) -> Vec<u8> {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\nContent-Length: {content_length}\r\n\r\n",
            self.admin
        )
        .into_bytes()
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What came back on `c` until the server closed it (or `within` passed:
/// `None`): the status and the JSON body (`null` when there is none).
pub async fn response(
    c: &mut tokio::net::TcpStream,
    within: std::time::Duration,
) -> Option<(u16, Value)> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match c.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()?;
    let text = String::from_utf8_lossy(&got).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}
