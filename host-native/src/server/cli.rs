//! The `serve` and `token` subcommands (their grammar and what they run).
//! The CLI's own module only hooks them in.

use super::{tokens, Config};
use crate::sqlite::{Options, SqliteStore};
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "STOCKBOOK_ADDR")]
    pub addr: SocketAddr,
    /// Do not put demo data into a new database.
    #[arg(long)]
    pub no_seed: bool,
    /// The page's directory, served at `/`.
    #[arg(long, default_value = "web-demo", env = "STOCKBOOK_WEB_DIR")]
    pub web_dir: PathBuf,
    /// The wasm package's directory, served at `/pkg/`.
    #[arg(long, default_value = "wasm/pkg", env = "STOCKBOOK_PKG_DIR")]
    pub pkg_dir: PathBuf,
    /// Append one JSON line per HTTP request to this file.
    #[arg(long, env = "STOCKBOOK_REQUEST_LOG")]
    pub request_log: Option<PathBuf>,
    /// Do not create a token for the page on start.
    #[arg(long)]
    pub no_page_token: bool,
    /// Most changes per group commit (1: a transaction per change; for
    /// benchmarks).
    #[arg(long, default_value_t = super::group_commit::MAX_GROUP, hide = true)]
    pub max_group: usize,
}

/// `token`.
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create an API token and print it (shown once; only its hash is kept).
    Create {
        /// Comma-separated permissions: inventory.read, inventory.write,
        /// purchasing.write, purchasing.receive, sales.write, admin.
        #[arg(long, required = true)]
        permissions: String,
        /// The actor id its requests run as (recorded in the ledger).
        #[arg(long = "as", default_value = "api")]
        actor: String,
        /// What the token is for.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke {
        /// Token id (from `token list`).
        id: i64,
    },
}

/// Why `serve`/`token` failed: message and exit status.
pub type Failed = (String, i32);

/// Runs `serve`. Its failures keep their kind: the command line says a
/// database error apart from an address it cannot listen on.
pub fn serve(db: &Path, options: Options, a: ServeArgs) -> Result<(), super::ServeError> {
    let config = Config {
        addr: a.addr,
        db: db.to_path_buf(),
        options,
        seed: !a.no_seed,
        web_dir: Some(a.web_dir),
        pkg_dir: Some(a.pkg_dir),
        request_log: a.request_log,
        page_token: !a.no_page_token,
        max_group: a.max_group,
        timeouts: super::listen::Timeouts::default(),
    };
    super::serve(config)
}

/// Runs `token ...`; `json` prints raw JSON.
pub fn token(db: &Path, options: Options, c: TokenCmd, json: bool) -> Result<(), Failed> {
    let io = |e: crate::sqlite::DbError| (e.to_string(), 3);
    let store = SqliteStore::open(db, options).map_err(io)?;
    let conn = store.connection();
    match c {
        TokenCmd::Create {
            permissions,
            actor,
            name,
        } => {
            let perms = tokens::parse_permissions(&permissions).map_err(|e| (e.to_string(), 2))?;
            if perms.is_empty() {
                return Err(("--permissions names none".into(), 2));
            }
            if actor.trim().is_empty() || actor.chars().count() > 200 {
                return Err(("--as must be 1 to 200 characters".into(), 2));
            }
            let t = tokens::create(conn, &name, &actor, &perms, crate::now()).map_err(io)?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": {"token": t.secret, "info": t.info}})
                );
            } else {
                println!("{}", t.secret);
            }
        }
        TokenCmd::List => {
            let all = tokens::list(conn).map_err(io)?;
            if json {
                println!("{}", serde_json::json!({"ok": all}));
            } else {
                let rows: Vec<Vec<String>> = all
                    .into_iter()
                    .map(|t| {
                        let perms: Vec<&str> = t.permissions.iter().map(|p| p.as_str()).collect();
                        vec![
                            t.id.to_string(),
                            t.actor,
                            perms.join(","),
                            t.name,
                            t.revoked_at.unwrap_or_default(),
                        ]
                    })
                    .collect();
                // The CLI's table: a header row, columns padded by display width.
                crate::cli::output::table(
                    &["ID", "ACTOR", "PERMISSIONS", "NAME", "REVOKED"],
                    &rows,
                );
            }
        }
        TokenCmd::Revoke { id } => {
            if !tokens::revoke(conn, id, crate::now()).map_err(io)? {
                return Err((format!("no live token {id}"), 1));
            }
            if !json {
                println!("revoked token {id}");
            }
        }
    }
    Ok(())
}
