//! `stockbook serve`: the HTTP server (axum on tokio) over the SQLite file.
//!
//! - `POST /api/commands` and the REST routes of [`routes::ROUTES`] map onto
//!   protocol commands; the actor comes from the bearer token ([`tokens`]),
//!   `now` from the server clock.
//! - Changes go through ONE writer thread that commits them in groups
//!   ([`group_commit`]); queries run on pooled read connections ([`readers`]).
//! - `web-demo/` is served at `/` and the wasm package (`wasm/pkg/`) at
//!   `/pkg/`, so the page and the engine it runs come from the same origin.
//! - A new database gets demo data ([`seed`]) unless `--no-seed`.
//!
//! Design notes and the route list: `docs/server.md`.

pub mod api;
pub mod auth;
pub mod cli;
pub mod group_commit;
pub mod listen;
pub mod readers;
pub mod reply;
pub mod request_log;
pub mod routes;
pub mod seed;
pub mod snapshot;
pub mod tokens;

use crate::sqlite::{DbError, Options, SqliteStore};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::routing::{on, MethodFilter};
use axum::Router;
use group_commit::Writer;
use readers::Readers;
use request_log::RequestLog;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use stockbook_core::auth::Permission;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub addr: SocketAddr,
    /// The database file.
    pub db: PathBuf,
    /// SQLite options (durability).
    pub options: Options,
    /// Play the demo data into a new database.
    pub seed: bool,
    /// The page (`web-demo/`), served at `/`; `None`: no page.
    pub web_dir: Option<PathBuf>,
    /// The wasm package (`wasm/pkg/`), served at `/pkg/`.
    pub pkg_dir: Option<PathBuf>,
    /// Append one JSON line per request to this file.
    pub request_log: Option<PathBuf>,
    /// Create a fresh token for the page on start (the previous one is
    /// revoked) and print the URL with it.
    pub page_token: bool,
    /// Most changes per group commit (1: one transaction per change).
    pub max_group: usize,
    /// How long the server waits for a client (heads, bodies, the stop).
    pub timeouts: listen::Timeouts,
}

impl Config {
    /// Defaults: `127.0.0.1:8080`, `./stockbook.db`, the page and package
    /// from the current directory (the repository root), seeded.
    pub fn new(db: PathBuf) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db,
            options: Options::default(),
            seed: true,
            web_dir: Some(PathBuf::from("web-demo")),
            pkg_dir: Some(PathBuf::from("wasm/pkg")),
            request_log: None,
            page_token: true,
            max_group: group_commit::MAX_GROUP,
            timeouts: listen::Timeouts::default(),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The demo data.
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    /// Network or files.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The address could not be listened on (taken, not ours, no right).
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

/// The shared parts of [`App`].
pub struct Inner {
    /// The group-commit writer.
    pub writer: Writer,
    /// Read connections.
    pub readers: Readers,
    /// Tokens already looked up.
    pub tokens: auth::TokenCache,
    /// How long a request body may take ([`listen::Timeouts`]).
    pub timeouts: listen::Timeouts,
    /// The database file (its packing slips are beside it).
    pub db: PathBuf,
}

impl std::ops::Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

/// A server ready to listen: its router and what `open` did.
pub struct Prepared {
    /// The whole application (API, page, package).
    pub router: Router,
    /// The page's token, when one was made.
    pub page_token: Option<String>,
    /// True when the database was created now.
    pub created: bool,
    /// True when demo data was played into it.
    pub seeded: bool,
    /// The writer thread (ends once the router and its clones are dropped).
    pub writer_thread: std::thread::JoinHandle<()>,
    /// A handle on the writer (its statistics).
    pub writer: Writer,
}

/// Name of the token `serve` renews for the page on each start.
pub const PAGE_TOKEN_NAME: &str = "web-demo page (serve)";

/// What the page's token may do: a purchasing clerk's work, not admin.
pub const PAGE_PERMISSIONS: &[Permission] = &[
    Permission::InventoryRead,
    Permission::InventoryWrite,
    Permission::PurchasingWrite,
    Permission::PurchasingReceive,
    Permission::SalesWrite,
];

/// Opens the database (seeding a new one), starts the writer and builds the
/// router. Must be called inside a tokio runtime only for serving, not for
/// building.
pub fn open(config: &Config) -> Result<Prepared, ServeError> {
    let created = !config.db.exists()
        || std::fs::metadata(&config.db)
            .map(|m| m.len() == 0)
            .unwrap_or(true);
    let mut store = SqliteStore::open(&config.db, config.options.clone())?;
    tokens::ensure_table(store.connection())?;
    let seeded = created && config.seed;
    if seeded {
        seed::play(&mut store)?;
    }
    let page_token = if config.page_token {
        let now = crate::now();
        tokens::revoke_named(store.connection(), PAGE_TOKEN_NAME, now)?;
        let t = tokens::create(
            store.connection(),
            PAGE_TOKEN_NAME,
            "web-demo",
            PAGE_PERMISSIONS,
            now,
        )?;
        Some(t.secret)
    } else {
        None
    };
    let readers = Readers::open(config.db.clone(), config.options.clone(), 2)?;
    let (writer, writer_thread) = Writer::start(store, config.max_group)?;
    let writer_stats = writer.clone();
    let app = App {
        inner: Arc::new(Inner {
            writer,
            readers,
            tokens: auth::TokenCache::default(),
            timeouts: config.timeouts,
            db: config.db.clone(),
        }),
    };
    let log = match &config.request_log {
        Some(p) => Some(RequestLog::open(p)?),
        None => None,
    };
    let router = router(app, config, log);
    Ok(Prepared {
        router,
        page_token,
        created,
        seeded,
        writer_thread,
        writer: writer_stats,
    })
}

fn method_filter(v: routes::Verb) -> MethodFilter {
    match v {
        routes::Verb::Get => MethodFilter::GET,
        routes::Verb::Post => MethodFilter::POST,
        routes::Verb::Put => MethodFilter::PUT,
        routes::Verb::Delete => MethodFilter::DELETE,
    }
}

fn router(app: App, config: &Config, log: Option<RequestLog>) -> Router {
    let mut r: Router<App> = Router::new();
    for route in routes::ROUTES {
        r = r.route(
            route.path,
            on(
                method_filter(route.verb),
                move |State(app): State<App>, req: Request| api::handle(app, route, req),
            ),
        );
    }
    // Unknown API paths and wrong methods answer in the protocol's error
    // shape like everything else under /api (axum's defaults are empty
    // bodies), naming the path and the method a client sent.
    // `/api` and `/api/` themselves too: the catch-all needs a segment, and
    // without these the page's file server would answer an empty 404.
    for path in ["/api", "/api/", "/api/{*rest}"] {
        r = r.route(
            path,
            axum::routing::any(|uri: axum::http::Uri| async move {
                reply::error(stockbook_core::error::Error::not_found("route", uri.path()))
            }),
        );
    }
    r = r.method_not_allowed_fallback(
        |method: axum::http::Method, uri: axum::http::Uri| async move {
            let mut r = reply::error(stockbook_core::error::Error::request(format!(
                "method {method} is not allowed on {}",
                uri.path()
            )));
            *r.status_mut() = axum::http::StatusCode::METHOD_NOT_ALLOWED;
            r
        },
    );
    // API answers are the state of the moment (stock, alerts, tokens'
    // owners): no browser or proxy may keep one. Only these routes: the
    // page's files may be cached.
    let mut r = r.with_state(app).layer(SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ));
    if let Some(pkg) = &config.pkg_dir {
        r = r.nest_service("/pkg", ServeDir::new(pkg));
    }
    if let Some(web) = &config.web_dir {
        r = r.fallback_service(ServeDir::new(web));
    }
    // Nothing is to be sniffed into another type: a packing slip is a file
    // a user uploaded, served from the page's own origin.
    r = r.layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ));
    if let Some(log) = log {
        r = r.layer(axum::middleware::from_fn_with_state(
            log,
            request_log::log_requests,
        ));
    }
    r
}

/// Resolves on Ctrl-C or SIGTERM (a service manager's stop), so both end
/// with a graceful shutdown: answers in flight are sent (for at most
/// [`listen::Timeouts::shutdown_grace`]), the writer drains.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the server until Ctrl-C or SIGTERM (blocking): prints the URL (with the page's
/// token in the fragment, which browsers never send to a server).
pub fn serve(config: Config) -> Result<(), ServeError> {
    if let Some(web) = &config.web_dir {
        if !web.join("index.html").exists() {
            eprintln!(
                "warning: {} has no index.html; the page is not served (run from the repository root or pass --web-dir)",
                web.display()
            );
        }
    }
    if let Some(pkg) = &config.pkg_dir {
        if !pkg.join("stockbook.js").exists() {
            eprintln!(
                "warning: {} has no stockbook.js; build the wasm package with wasm/build.sh (the page needs it)",
                pkg.display()
            );
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Listen first: a server that cannot listen (the port is taken) must not
    // have created, seeded or changed the database (a new page token)
    // before it fails.
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(config.addr))
        .map_err(|source| ServeError::Listen {
            addr: config.addr,
            source,
        })?;
    let prepared = open(&config)?;
    let Prepared {
        router,
        page_token,
        created,
        seeded,
        writer_thread,
        writer,
    } = prepared;
    rt.block_on(async move {
        let addr = listener.local_addr()?;
        if created {
            println!(
                "created {}{}",
                config.db.display(),
                if seeded { " with demo data" } else { "" }
            );
        }
        match &page_token {
            Some(t) => println!("Stockbook is running: http://{addr}/#token={t}"),
            None => println!("Stockbook is running: http://{addr}/"),
        }
        println!("API: http://{addr}/api (bearer tokens: `stockbook token create`); Ctrl-C stops");
        listen::serve_on(listener, router, config.timeouts, stop_signal()).await
    })?;
    drop(rt);
    let stats = writer.stats();
    let (groups, changes) = (
        stats.groups.load(std::sync::atomic::Ordering::Relaxed),
        stats.changes.load(std::sync::atomic::Ordering::Relaxed),
    );
    drop(writer);
    let _ = writer_thread.join();
    if groups > 0 {
        println!(
            "stopped: {changes} changes committed in {groups} transactions ({:.1} per group commit)",
            changes as f64 / groups as f64
        );
    }
    Ok(())
}
