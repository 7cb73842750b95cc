//! The `stockbook` command line: every daily-work subcommand builds ONE
//! protocol request, sends it through the [`JsonEngine`], and prints the answer
//! as a table (or raw with `--json`). The CLI adds what the core must not do
//! itself: the clock (`now`), the actor, files (CSV, packing slips) and exit
//! codes.

mod args;
mod commands;
pub(crate) mod output;
mod transfer;

use crate::engine::{open_engine, EngineError, EngineKind, JsonEngine};
use crate::sqlite::{DbError, Options, SqliteStore, Synchronous};
use args::{Cli, Cmd, DbUse};
use clap::Parser;
use output::say;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use stockbook_core::error::WireError;

/// Exit status: everything worked.
pub const EXIT_OK: i32 = 0;
/// Exit status: the command was refused (an error answer; code and message on
/// stderr).
pub const EXIT_REFUSED: i32 = 1;
/// Exit status: the command line was wrong.
pub const EXIT_USAGE: i32 = 2;
/// Exit status: the database or a file could not be used.
pub const EXIT_IO: i32 = 3;

/// Why a CLI command failed, and so its exit status.
#[derive(Debug)]
pub enum Failure {
    /// An error answer (exit 1).
    Refused {
        /// Error code.
        code: String,
        /// Message.
        message: String,
    },
    /// Bad arguments (exit 2).
    Usage(String),
    /// Database trouble (exit 3).
    Io(String),
    /// A file that could not be read or written (exit 3): `PATH: why`.
    File(String),
    /// The server could not start or run for a reason of its own, not the
    /// database's (exit 3): an address it cannot listen on, the demo seed.
    Server(String),
}

impl Failure {
    fn exit_code(&self) -> i32 {
        match self {
            Failure::Refused { .. } => EXIT_REFUSED,
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Io(_) | Failure::File(_) | Failure::Server(_) => EXIT_IO,
        }
    }

    /// A file error naming the file.
    pub(crate) fn file(path: &Path, why: impl std::fmt::Display) -> Failure {
        Failure::File(format!("{}: {why}", path.display()))
    }

    fn report(&self) {
        match self {
            Failure::Refused { code, message } => {
                // Some messages start with their code already
                // ("conflict: ..."): say it once.
                let message = message
                    .strip_prefix(code.as_str())
                    .and_then(|m| m.strip_prefix(": "))
                    .unwrap_or(message);
                eprintln!("error: {code}: {message}")
            }
            Failure::Usage(m) => eprintln!("usage error: {m}"),
            Failure::Io(m) => eprintln!("database error: {m}"),
            Failure::File(m) => eprintln!("file error: {m}"),
            Failure::Server(m) => eprintln!("server error: {m}"),
        }
    }
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Self {
        Failure::Io(e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e.to_string())
    }
}

impl From<crate::slips::SlipError> for Failure {
    fn from(e: crate::slips::SlipError) -> Self {
        use crate::slips::SlipError as S;
        match e {
            S::UnsupportedType | S::TooLarge => Failure::Refused {
                code: "invalid_field".into(),
                message: e.to_string(),
            },
            S::NoSlip(_) => Failure::Refused {
                code: "not_found".into(),
                message: e.to_string(),
            },
            S::Exists { .. } => Failure::Refused {
                code: "duplicate".into(),
                message: format!("{e}; give --replace to replace it"),
            },
            other => Failure::Io(other.to_string()),
        }
    }
}

/// Result of a CLI command.
pub type Outcome<T = ()> = Result<T, Failure>;

/// What every subcommand works with.
pub struct Ctx {
    engine: Box<dyn JsonEngine>,
    actor: String,
    json: bool,
    quiet: bool,
    /// With `--json`: whether stdout got the command's answer already.
    printed: bool,
    /// The last error answer of [`Ctx::call`] (a request the command made
    /// on its way, not printed), for `--json` to print when it ends the
    /// command.
    refusal: Option<String>,
}

impl Ctx {
    /// The request text of a command, at the host's clock, by the CLI actor
    /// (who holds `admin`).
    fn request(&self, cmd: &str, args: Value, key: Option<&str>) -> String {
        let mut r = json!({
            "cmd": cmd,
            "actor": {"id": self.actor, "permissions": ["admin"]},
            "now": crate::now_text(),
            "args": args,
        });
        if let Some(k) = key {
            r["idempotency_key"] = json!(k);
        }
        r.to_string()
    }

    /// Sends request text; a storage failure is [`Failure::Io`].
    fn send_raw(&mut self, request: &str) -> Outcome<String> {
        match self.engine.sqlite() {
            Some(s) => Ok(s.try_execute_json(request)?),
            None => Ok(self.engine.execute_json(request)),
        }
    }

    /// Runs a command; its `ok` result, or the refusal.
    fn call(&mut self, cmd: &str, args: Value) -> Outcome<Value> {
        self.call_keyed(cmd, args, None)
    }

    fn call_keyed(&mut self, cmd: &str, args: Value, key: Option<&str>) -> Outcome<Value> {
        let req = self.request(cmd, args, key);
        let answer = self.send_raw(&req)?;
        let ok = split(&answer);
        if ok.is_err() {
            self.refusal = Some(answer);
        }
        ok
    }

    /// Runs a command and prints it: raw with `--json`, else through `show`.
    fn run(&mut self, cmd: &str, args: Value, show: impl FnOnce(&Value)) -> Outcome {
        self.run_keyed(cmd, args, None, show)
    }

    fn run_keyed(
        &mut self,
        cmd: &str,
        args: Value,
        key: Option<&str>,
        show: impl FnOnce(&Value),
    ) -> Outcome {
        let req = self.request(cmd, args, key);
        let answer = self.send_raw(&req)?;
        if self.json {
            say!("{answer}");
            self.printed = true;
        }
        let ok = split(&answer)?;
        if !self.json {
            show(&ok);
        }
        Ok(())
    }

    /// The SQLite store, for host features.
    fn sqlite(&mut self, what: &str) -> Outcome<&mut SqliteStore> {
        self.engine.sqlite().ok_or_else(|| {
            Failure::Usage(format!("{what} needs the native engine (--engine native)"))
        })
    }
}

/// The `ok` of an answer, or its error as a refusal.
fn split(answer: &str) -> Outcome<Value> {
    parse_answer(answer)?.map_err(|e| Failure::Refused {
        code: e.code,
        message: e.message,
    })
}

/// The `ok` of an answer, or its error object; [`Failure::Io`] when the
/// text is not an answer.
fn parse_answer(answer: &str) -> Outcome<Result<Value, WireError>> {
    let mut v: Value = serde_json::from_str(answer)
        .map_err(|e| Failure::Io(format!("unreadable answer from the engine: {e}")))?;
    if let Some(e) = v.get_mut("error") {
        return Ok(Err(WireError {
            code: e["code"].as_str().unwrap_or("unknown").to_string(),
            message: e["message"].as_str().unwrap_or("").to_string(),
            details: e["details"].take(),
        }));
    }
    Ok(Ok(v.get_mut("ok").map(Value::take).unwrap_or(Value::Null)))
}

fn default_actor() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "cli".into())
}

/// Runs the program; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(()) => EXIT_OK,
        Err(f) => {
            f.report();
            f.exit_code()
        }
    }
}

fn run(cli: Cli) -> Outcome {
    let opts = Options {
        synchronous: if cli.sync_normal {
            Synchronous::Normal
        } else {
            Synchronous::Full
        },
        cache_mib: cli.cache_mib,
        ..Options::default()
    };
    let db: PathBuf = cli.db.clone();
    // The in-memory engines ignore --db; `serve` and `token` always use it.
    let uses_file = matches!(cli.cmd, Cmd::Serve(_) | Cmd::Token(_))
        || matches!(cli.engine, EngineKind::Native | EngineKind::Wasm);
    // Said here for every command, `serve` and `token` included, so the
    // message names the path.
    if uses_file && db.is_dir() {
        return Err(Failure::file(&db, "is a directory, not a database file"));
    }
    // (When it cannot be told whether the file exists, opening it says why.)
    let what = match cli.cmd.db_use() {
        DbUse::Creates => None,
        DbUse::Reads => Some("a command that only reads"),
        DbUse::ChangesExisting => Some("a command that changes existing records"),
    };
    if let Some(what) = what.filter(|_| uses_file && matches!(db.try_exists(), Ok(false))) {
        return Err(Failure::file(
            &db,
            format!(
                "no such database; {what} does not create one \
                 (`products add`, `suppliers add`, an import, `exec` \
                 or `stockbook serve` creates it)"
            ),
        ));
    }
    // The server opens the database itself (a writer and readers).
    let cmd = match cli.cmd {
        Cmd::Serve(a) => {
            use crate::server::ServeError;
            return crate::server::cli::serve(&db, opts, a).map_err(|e| match e {
                ServeError::Db(_) => Failure::Io(e.to_string()),
                ServeError::Seed(_) | ServeError::Io(_) | ServeError::Listen { .. } => {
                    Failure::Server(e.to_string())
                }
            });
        }
        Cmd::Token(t) => {
            return crate::server::cli::token(&db, opts, t, cli.json).map_err(server_failure)
        }
        other => other,
    };
    let engine = open_engine(cli.engine, &db, opts).map_err(|e| match e {
        EngineError::Db(DbError::Io(e)) => Failure::file(&db, e),
        EngineError::Db(DbError::Sqlite(e))
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) =>
        {
            Failure::file(&db, format!("cannot open the database file ({e})"))
        }
        EngineError::Db(d) => Failure::from(d),
        EngineError::Unavailable(m) => Failure::Usage(m),
    })?;
    let mut ctx = Ctx {
        engine,
        actor: cli.actor.unwrap_or_else(default_actor),
        json: cli.json,
        quiet: cli.quiet,
        printed: false,
        refusal: None,
    };
    let done = match cmd {
        Cmd::Exec(a) => commands::exec(&mut ctx, a),
        Cmd::Products(a) => commands::products(&mut ctx, a),
        Cmd::Stock(a) => commands::stock(&mut ctx, a),
        Cmd::Ledger(a) => commands::ledger(&mut ctx, a),
        Cmd::Suppliers(a) => commands::suppliers(&mut ctx, a),
        Cmd::Po(a) => commands::po(&mut ctx, a, &db),
        Cmd::Alerts(a) => commands::alerts(&mut ctx, a),
        Cmd::Serve(_) | Cmd::Token(_) => Ok(()),
    };
    // With --json a refused command prints its error object on stdout, also
    // when the refusal came from a request made on the way (`po add-lines`
    // reads the PO first) or from the host (`alerts ack`, packing slips).
    // `exec` and the imports printed their answers and end `some_refused`.
    if let Err(Failure::Refused { code, message }) = &done {
        if ctx.json && !ctx.printed && code != "some_refused" {
            match ctx.refusal.take() {
                Some(answer) => say!("{answer}"),
                None => say!(
                    "{}",
                    json!({"error": {"code": code, "message": message, "details": {}}})
                ),
            }
        }
    }
    done
}

fn server_failure((message, code): crate::server::cli::Failed) -> Failure {
    match code {
        1 => Failure::Refused {
            code: "not_found".into(),
            message,
        },
        2 => Failure::Usage(message),
        _ => Failure::Io(message),
    }
}
