//! The SQLite store: Stockbook's records, ledger, alert outbox and packing-slip
//! index in one SQLite file (WAL mode), behind the core's [`Store`] trait.
//!
//! Every command runs in ONE SQLite transaction: the engine's reads and the
//! commit of its changeset. Changes start with `BEGIN IMMEDIATE`, which takes
//! the write lock up front, so writers in several processes serialise instead
//! of failing with `SQLITE_BUSY` half-way; queries use a deferred `BEGIN` (a
//! consistent snapshot that blocks nobody). The commit still checks every read
//! version, as the trait demands, so a changeset built outside such a
//! transaction and made stale by another writer is refused with `conflict`.
//!
//! Inside a write transaction the store keeps decoded records in a bounded
//! cache and holds written records and movements back ("dirty") until the
//! transaction ends, a ledger query needs them, or they grow large; none of it
//! is visible to other connections before COMMIT anyway. The cache survives
//! between transactions only while `PRAGMA data_version` shows no other
//! connection committed. Nothing else is kept: every read goes to SQLite, so
//! memory does not grow with the database.
//!
//! See `docs/sqlite.md` for durability and batch semantics.

mod batch;
pub(crate) mod keys;
mod ledger;
pub mod outbox;
pub mod schema;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use rustc_hash::FxHashMap;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Duration;
use stockbook_core::error::Error;
use stockbook_core::ledger::{Movement, MovementQuery};
use stockbook_core::protocol::{answer_json, parse_request, Outcome, Request};
use stockbook_core::store::{genesis, Changeset, Key, Scan, Store, Value, Version};
use stockbook_core::Id;

pub use batch::Batch;
pub use schema::SCHEMA_VERSION;

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// `synchronous=FULL`: an answered change survives a power loss (the
    /// default).
    #[default]
    Full,
    /// `synchronous=NORMAL`: in WAL mode the database never corrupts, but the
    /// last commits before a power loss or OS crash can roll back (a crash of
    /// the process alone loses nothing).
    Normal,
}

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct Options {
    /// Durability of commits.
    pub synchronous: Synchronous,
    /// How long a writer waits for another one before giving up with `Busy`.
    pub busy_timeout: Duration,
    /// SQLite page cache, in MiB.
    pub cache_mib: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(10),
            cache_mib: 16,
        }
    }
}

/// Why the database could not be used. These are host failures, not refusals
/// of a command: the CLI exits with code 3 on them.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The file exists but is not an SQLite database (or not a Stockbook one).
    #[error("{path}: not a Stockbook database ({reason}); the file was left untouched")]
    NotADatabase {
        /// The file.
        path: PathBuf,
        /// What was found.
        reason: String,
    },
    /// The database was written by a newer Stockbook.
    #[error("{path}: schema version {found} is newer than this program supports ({supported}); upgrade Stockbook. The file was left untouched")]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// Another writer held the database longer than the busy timeout.
    #[error("the database is busy (another writer held it longer than the busy timeout)")]
    Busy,
    /// A stored record or movement could not be decoded.
    #[error("corrupt data in the database: {0}")]
    Corrupt(String),
    /// Any other SQLite failure (I/O error, disk full...).
    #[error("sqlite: {0}")]
    Sqlite(rusqlite::Error),
    /// A file-system failure around the database.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
            DbError::Busy
        } else {
            DbError::Sqlite(e)
        }
    }
}

impl DbError {
    /// The refusal a JSON answer carries when the store failed: `conflict`
    /// (nothing was applied; the client may retry), since the protocol has no
    /// code for host failures.
    pub fn to_core(&self) -> Error {
        Error::conflict(format!("storage error: {self}; nothing was applied, retry"))
    }
}

/// Largest number of decoded records kept between commands.
const CLEAN_MAX: usize = 50_000;
/// Written records held back before they are written to SQLite.
const DIRTY_MAX: usize = 10_000;

#[derive(Default)]
struct Cache {
    /// Records as in the database (version 0 and `None`: absent).
    clean: FxHashMap<Key, (Version, Option<Value>)>,
    /// Records written in this transaction and not yet in SQLite.
    dirty: BTreeMap<Key, (Version, Option<Value>)>,
    /// Movements committed in this transaction and not yet in SQLite; a
    /// ledger query writes them first.
    movements: Vec<Movement>,
    /// The ledger's last sequence number, when known in this transaction.
    last_seq: Option<u64>,
}

/// Stockbook's records in an SQLite file. See the module docs.
pub struct SqliteStore {
    conn: Connection,
    path: Option<PathBuf>,
    cache: RefCell<Cache>,
    /// Inside a write transaction of ours: the cache may be used.
    write_tx: bool,
    /// The first storage failure of the current transaction.
    fault: RefCell<Option<DbError>>,
    /// `PRAGMA data_version` when our cache was last known valid.
    data_version: Option<i64>,
    /// Bumped when a write transaction of ours begins and at every commit
    /// inside it: [`Store::generation`] while we hold the write lock.
    generation: Cell<u64>,
}

/// Checks an existing file before anything opens it for writing, reading it
/// through SQLite only (read-only, which also sees a version still in the
/// WAL): that it is an SQLite file, Stockbook's or a new one, and that its
/// `user_version` is not newer than this build's.
///
/// Never through a plain file handle: closing any handle on a file drops
/// every POSIX lock this process holds on it, those of SQLite connections
/// already open on it included (SQLite's "How To Corrupt", 2.2). The
/// server opens reader connections while its writer is open; a header read
/// with `std::fs::File` there let another process (the CLI) take the file as
/// unused and delete the WAL under the server. SQLite's own opens share
/// their locks per file within the process and never do that.
fn precheck(path: &Path) -> Result<(), DbError> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() == 0 => return Ok(()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let not_db = |reason: &str| DbError::NotADatabase {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let newer = |found: i64| DbError::NewerSchema {
        path: path.to_path_buf(),
        found,
        supported: SCHEMA_VERSION,
    };
    let ro = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A reader of a busy WAL database can meet a lock for a moment (another
    // connection checkpointing or restarting the WAL); wait like every other
    // connection instead of failing the open (the server's pool opens
    // connections under load).
    ro.busy_timeout(Options::default().busy_timeout)?;
    let (found, tables): (i64, i64) = ro
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version),
                    (SELECT count(*) FROM sqlite_master WHERE type = 'table')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => not_db("no SQLite header"),
            _ => e.into(),
        })?;
    if found > SCHEMA_VERSION {
        return Err(newer(found));
    }
    if found == 0 && tables > 0 {
        return Err(not_db("an SQLite database of another program"));
    }
    Ok(())
}

fn configure(conn: &Connection, opts: &Options, file: bool) -> Result<(), DbError> {
    conn.busy_timeout(opts.busy_timeout)?;
    if file {
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(DbError::Corrupt(format!(
                "could not switch to WAL mode (got {mode})"
            )));
        }
    }
    let sync = match opts.synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA synchronous={sync}; PRAGMA foreign_keys=ON; PRAGMA cache_size=-{};",
        u64::from(opts.cache_mib.max(1)) * 1024
    ))?;
    Ok(())
}

/// Brings the schema to [`SCHEMA_VERSION`]. A database already there is only
/// read (`user_version`, no lock beyond a WAL reader's), so opening it never
/// waits for a writer of another connection: read-only commands answer while
/// an import runs. Only when a step is pending does it take the write lock
/// (`BEGIN IMMEDIATE`), and it reads the version again under the lock, since
/// another process may have migrated the file meanwhile.
fn migrate(conn: &Connection, path: Option<&Path>) -> Result<(), DbError> {
    let newer = |found: i64| DbError::NewerSchema {
        path: path.map(Path::to_path_buf).unwrap_or_default(),
        found,
        supported: SCHEMA_VERSION,
    };
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if v == SCHEMA_VERSION {
        return Ok(());
    }
    if v > SCHEMA_VERSION {
        return Err(newer(v));
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let r = (|| {
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if v > SCHEMA_VERSION {
            return Err(newer(v));
        }
        for m in schema::MIGRATIONS.iter().skip(v.max(0) as usize) {
            conn.execute_batch(m.sql)?;
            if let Some(fill) = m.fill {
                fill(conn)?;
            }
        }
        if v == 0 {
            let mut st =
                conn.prepare("INSERT INTO records(key, version, value) VALUES (?1, 1, ?2)")?;
            for (k, val) in genesis() {
                st.execute(params![keys::encode(&k), encode_value(&val)?])?;
            }
        }
        if v != SCHEMA_VERSION {
            conn.execute_batch(&format!("PRAGMA user_version={SCHEMA_VERSION}"))?;
        }
        Ok(())
    })();
    match r {
        Ok(()) => conn.execute_batch("COMMIT").map_err(Into::into),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Runs a statement without results through the statement cache (the
/// transaction statements run once per command; parsing them each time shows
/// in the single-commit profile).
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn encode_value(v: &Value) -> Result<Vec<u8>, DbError> {
    stockbook_core::json::to_vec(v)
        .map_err(|e| DbError::Corrupt(format!("cannot encode a record: {e}")))
}

fn decode_value(b: &[u8]) -> Result<Value, DbError> {
    serde_json::from_slice(b).map_err(|e| DbError::Corrupt(format!("record: {e}")))
}

impl SqliteStore {
    /// Opens (creating and migrating as needed) the database at `path`.
    ///
    /// A file that is not an SQLite database, an SQLite database of another
    /// program, or one from a newer schema is refused before anything opens
    /// it for writing, so it stays byte-for-byte untouched.
    pub fn open(path: impl AsRef<Path>, opts: Options) -> Result<Self, DbError> {
        let path = path.as_ref();
        precheck(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn, &opts, true)?;
        migrate(&conn, Some(path))?;
        Ok(Self::with(conn, Some(path.to_path_buf())))
    }

    /// A fresh database in memory (tests, benchmarks).
    pub fn open_in_memory() -> Result<Self, DbError> {
        let conn = Connection::open_in_memory()?;
        configure(&conn, &Options::default(), false)?;
        migrate(&conn, None)?;
        Ok(Self::with(conn, None))
    }

    fn with(conn: Connection, path: Option<PathBuf>) -> Self {
        SqliteStore {
            conn,
            path,
            cache: RefCell::new(Cache::default()),
            write_tx: false,
            fault: RefCell::new(None),
            data_version: None,
            generation: Cell::new(0),
        }
    }

    /// The database file (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The underlying connection, for host tables (slips) and checks.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    // ---- transactions ----

    fn begin(&mut self, write: bool) -> Result<(), DbError> {
        self.fault.replace(None);
        if write {
            run(&self.conn, "BEGIN IMMEDIATE")?;
            let dv: rusqlite::Result<i64> = self
                .conn
                .prepare_cached("PRAGMA data_version")
                .and_then(|mut st| st.query_row([], |r| r.get(0)));
            let dv = match dv {
                Ok(dv) => dv,
                Err(e) => {
                    let _ = run(&self.conn, "ROLLBACK");
                    return Err(e.into());
                }
            };
            if self.data_version != Some(dv) {
                self.reset_cache();
            }
            self.data_version = Some(dv);
            self.write_tx = true;
            self.generation.set(self.generation.get() + 1);
        } else {
            run(&self.conn, "BEGIN")?;
        }
        Ok(())
    }

    fn reset_cache(&self) {
        let mut c = self.cache.borrow_mut();
        c.clean.clear();
        c.dirty.clear();
        c.movements.clear();
        c.last_seq = None;
    }

    fn rollback(&mut self) {
        let _ = run(&self.conn, "ROLLBACK");
        self.reset_cache();
        self.data_version = None;
        self.write_tx = false;
    }

    /// Ends the transaction: COMMIT when all went well, else ROLLBACK and the
    /// first failure.
    fn finish(&mut self) -> Result<(), DbError> {
        if let Some(e) = self.fault.take() {
            self.rollback();
            return Err(e);
        }
        let r = self
            .flush()
            .and_then(|_| run(&self.conn, "COMMIT").map_err(Into::into));
        match r {
            Ok(()) => {
                self.write_tx = false;
                Ok(())
            }
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    /// Writes the held-back records to SQLite (still inside the transaction).
    fn flush(&self) -> Result<(), DbError> {
        let mut c = self.cache.borrow_mut();
        if !c.movements.is_empty() {
            ledger::insert(&self.conn, &c.movements)?;
            c.movements.clear();
        }
        if c.dirty.is_empty() {
            return Ok(());
        }
        let mut up = self.conn.prepare_cached(
            "INSERT INTO records(key, version, value) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET version = excluded.version, value = excluded.value",
        )?;
        let mut del = self
            .conn
            .prepare_cached("DELETE FROM records WHERE key = ?1")?;
        let dirty = std::mem::take(&mut c.dirty);
        for (k, (ver, v)) in &dirty {
            let kb = keys::encode(k);
            match v {
                Some(v) => up.execute(params![kb, *ver as i64, encode_value(v)?])?,
                None => del.execute(params![kb])?,
            };
        }
        if c.clean.len() + dirty.len() > CLEAN_MAX {
            c.clean.clear();
        }
        for (k, e) in dirty {
            if !matches!(k, Key::Idempotency(_)) {
                c.clean.insert(k, e);
            }
        }
        Ok(())
    }

    /// Records a storage failure and turns it into the core's error.
    fn fail<T>(&self, e: impl Into<DbError>) -> stockbook_core::Result<T> {
        let e = e.into();
        let core = e.to_core();
        let mut f = self.fault.borrow_mut();
        if f.is_none() {
            *f = Some(e);
        }
        Err(core)
    }

    // ---- executing commands ----

    /// Runs one parsed request in its own transaction (`BEGIN IMMEDIATE` for
    /// changes). A storage failure rolls everything back and is returned as
    /// the outer error.
    pub fn try_execute(
        &mut self,
        req: Request,
    ) -> Result<stockbook_core::Result<Outcome>, DbError> {
        let write = req.command.is_change();
        self.in_transaction(write, |s| stockbook_core::engine::execute(s, req))
    }

    /// Runs `f` inside one transaction (`BEGIN IMMEDIATE` when `write`) and
    /// ends it. Should `f` panic (a bug, never input), the transaction is
    /// rolled back before the panic goes on, so a host that survives the
    /// panic (a server thread) does not find its connection still inside it.
    pub(crate) fn in_transaction<T>(
        &mut self,
        write: bool,
        f: impl FnOnce(&mut SqliteStore) -> T,
    ) -> Result<T, DbError> {
        self.begin(write)?;
        // Unwind safety: after a panic nothing of `self` is used but the
        // rollback, which drops every cached record and the open transaction.
        let out = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self))) {
            Ok(out) => out,
            Err(panic) => {
                self.rollback();
                std::panic::resume_unwind(panic)
            }
        };
        self.finish()?;
        Ok(out)
    }

    /// Runs one parsed request; a storage failure answers `conflict`
    /// ("storage error ... retry") with nothing applied.
    pub fn execute(&mut self, req: Request) -> stockbook_core::Result<Outcome> {
        self.try_execute(req).unwrap_or_else(|e| Err(e.to_core()))
    }

    /// Runs one JSON request, answering JSON; storage failures are the outer
    /// error. A malformed request is answered without touching the database.
    pub fn try_execute_json(&mut self, input: &str) -> Result<String, DbError> {
        let r = match parse_request(input) {
            Ok(req) => self.try_execute(req)?,
            Err(e) => Err(e),
        };
        Ok(answer_json(&r))
    }

    /// Runs one JSON request, answering JSON, exactly as
    /// [`stockbook_core::engine::execute_json`] would over this store, in one
    /// transaction. Never panics; a storage failure answers `conflict`.
    pub fn execute_json(&mut self, input: &str) -> String {
        self.try_execute_json(input)
            .unwrap_or_else(|e| answer_json(&Err(e.to_core())))
    }

    /// Runs `f` over this store as a [`Store`] inside ONE write transaction
    /// (`BEGIN IMMEDIATE`): its reads see one state and its commits apply
    /// together at the end, or not at all after a storage failure (returned
    /// instead of `f`'s result). For hosts that drive the core themselves,
    /// such as the wasmtime host (`crate::wasmhost`), which pulls reads for
    /// the module over several rounds before it commits.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut SqliteStore) -> T) -> Result<T, DbError> {
        self.in_transaction(true, f)
    }

    // ---- record access ----

    fn load(&self, key: &Key) -> Result<Option<(Version, Value)>, DbError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT version, value FROM records WHERE key = ?1")?;
        let row: Option<(i64, Vec<u8>)> = st
            .query_row(params![keys::encode(key)], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            Some((ver, b)) => Ok(Some((ver as Version, decode_value(&b)?))),
            None => Ok(None),
        }
    }

    /// A record as this transaction sees it, through the cache.
    fn lookup(&self, key: &Key) -> Result<(Version, Option<Value>), DbError> {
        if self.write_tx {
            let c = self.cache.borrow();
            // `clean` and `dirty` never share a key, so the order is free.
            if let Some(e) = c.clean.get(key).or_else(|| c.dirty.get(key)) {
                return Ok(e.clone());
            }
        }
        let got = self.load(key)?;
        let entry = match got {
            Some((ver, v)) => (ver, Some(v)),
            None => (0, None),
        };
        if self.write_tx && !matches!(key, Key::Idempotency(_)) {
            let mut c = self.cache.borrow_mut();
            if c.clean.len() >= CLEAN_MAX {
                c.clean.clear();
            }
            c.clean.insert(key.clone(), entry.clone());
        }
        Ok(entry)
    }

    /// A record's version as this transaction sees it, without decoding or
    /// copying its value (the commit's version checks).
    fn version(&self, key: &Key) -> Result<Version, DbError> {
        if self.write_tx {
            let c = self.cache.borrow();
            if let Some((ver, _)) = c.clean.get(key).or_else(|| c.dirty.get(key)) {
                return Ok(*ver);
            }
        }
        let mut st = self
            .conn
            .prepare_cached("SELECT version FROM records WHERE key = ?1")?;
        let ver: Option<i64> = st
            .query_row(params![keys::encode(key)], |r| r.get(0))
            .optional()?;
        Ok(ver.map_or(0, |v| v as Version))
    }

    fn last_seq(&self) -> Result<u64, DbError> {
        if self.write_tx {
            if let Some(s) = self.cache.borrow().last_seq {
                return Ok(s);
            }
        }
        let s: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(max(seq), 0) FROM movements")?
            .query_row([], |r| r.get(0))?;
        let s = s as u64;
        if self.write_tx {
            self.cache.borrow_mut().last_seq = Some(s);
        }
        Ok(s)
    }

    fn commit_in_tx(&self, cs: Changeset) -> Result<stockbook_core::Result<()>, DbError> {
        if let Some(base) = cs.base {
            // Read inside one of our write transactions (`BEGIN IMMEDIATE`:
            // no other connection can write meanwhile): current exactly when
            // it is still that transaction and nothing committed in it since.
            if !self.write_tx || base != self.generation.get() {
                return Ok(Err(Error::conflict(
                    "the store changed since this command read it; retry",
                )));
            }
        }
        for (k, seen) in &cs.reads {
            if self.version(k)? != *seen {
                return Ok(Err(Error::conflict(format!(
                    "{k:?} changed since it was read; retry"
                ))));
            }
        }
        if let Some(first) = cs.movements.first() {
            if first.seq != self.last_seq()? + 1 {
                return Ok(Err(Error::conflict(
                    "the ledger moved since it was read; retry",
                )));
            }
        }
        // Writes that can fail first; the cache changes only once they worked.
        let mut versions = Vec::with_capacity(cs.writes.len());
        for (k, _) in &cs.writes {
            versions.push(self.version(k)? + 1);
        }
        outbox::insert(&self.conn, &cs.events)?;
        let mut c = self.cache.borrow_mut();
        if let Some(last) = cs.movements.last() {
            c.last_seq = Some(last.seq);
            c.movements.extend(cs.movements);
        }
        for ((k, v), ver) in cs.writes.into_iter().zip(versions) {
            c.clean.remove(&k);
            let entry = match v {
                Some(v) => (ver, Some(v)),
                None => (0, None),
            };
            c.dirty.insert(k, entry);
        }
        self.generation.set(self.generation.get() + 1);
        Ok(Ok(()))
    }
}

impl Store for SqliteStore {
    fn get(&self, key: &Key) -> stockbook_core::Result<Option<(Version, Value)>> {
        match self.lookup(key) {
            Ok((ver, Some(v))) => Ok(Some((ver, v))),
            Ok((_, None)) => Ok(None),
            Err(e) => self.fail(e),
        }
    }

    fn scan(
        &self,
        scan: Scan,
        visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> stockbook_core::Result<()> {
        let (lo, hi) = match scan {
            Scan::All(kind) => keys::kind_bounds(kind),
            Scan::StockOf(p) => keys::stock_bounds(p),
        };
        let (klo, khi) = match (keys::decode(&lo), keys::decode(&hi)) {
            (Some(a), Some(b)) => (a, b),
            _ => return self.fail(DbError::Corrupt("scan bounds".into())),
        };
        // Records written in this transaction but not yet in SQLite, merged in.
        let pending: Vec<(Key, Option<Value>)> = if self.write_tx {
            self.cache
                .borrow()
                .dirty
                .range(klo..=khi)
                .map(|(k, (_, v))| (k.clone(), v.clone()))
                .collect()
        } else {
            Vec::new()
        };
        let r = (|| -> Result<(), DbError> {
            let mut st = self.conn.prepare_cached(
                "SELECT key, value FROM records WHERE key >= ?1 AND key <= ?2 ORDER BY key",
            )?;
            let mut rows = st.query(params![lo, hi])?;
            let mut next = 0;
            while let Some(row) = rows.next()? {
                let kb: Vec<u8> = row.get(0)?;
                let key = keys::decode(&kb)
                    .ok_or_else(|| DbError::Corrupt(format!("record key {kb:?}")))?;
                while next < pending.len() && pending[next].0 < key {
                    if let Some(v) = &pending[next].1 {
                        if visit(&pending[next].0, v).is_break() {
                            return Ok(());
                        }
                    }
                    next += 1;
                }
                let flow = if next < pending.len() && pending[next].0 == key {
                    next += 1;
                    match &pending[next - 1].1 {
                        Some(v) => visit(&key, v),
                        None => ControlFlow::Continue(()),
                    }
                } else {
                    let vb: Vec<u8> = row.get(1)?;
                    visit(&key, &decode_value(&vb)?)
                };
                if flow.is_break() {
                    return Ok(());
                }
            }
            for (k, v) in &pending[next..] {
                if let Some(v) = v {
                    if visit(k, v).is_break() {
                        break;
                    }
                }
            }
            Ok(())
        })();
        r.or_else(|e| self.fail(e))
    }

    fn movements(&self, q: &MovementQuery) -> stockbook_core::Result<Vec<Movement>> {
        self.flush()
            .and_then(|_| ledger::query(&self.conn, q))
            .or_else(|e| self.fail(e))
    }

    fn movement_at(
        &self,
        product_id: Id,
        location_id: Id,
        at: chrono::DateTime<chrono::Utc>,
    ) -> stockbook_core::Result<Option<Movement>> {
        self.flush()
            .and_then(|_| ledger::at(&self.conn, product_id, location_id, at))
            .or_else(|e| self.fail(e))
    }

    /// Only inside our write transactions, which hold SQLite's write lock
    /// from the reads to the commit: there the engine sends this instead of
    /// every read version. A changeset built outside one carries its reads.
    fn generation(&self) -> Option<u64> {
        self.write_tx.then(|| self.generation.get())
    }

    fn commit(&mut self, cs: Changeset) -> stockbook_core::Result<()> {
        if self.write_tx {
            return self.commit_in_tx(cs).unwrap_or_else(|e| self.fail(e));
        }
        // A changeset built outside our transactions: check and apply it in
        // one of its own.
        if let Err(e) = self.begin(true) {
            return Err(e.to_core());
        }
        let r = match self.commit_in_tx(cs) {
            Ok(r) => r,
            Err(e) => self.fail(e),
        };
        if r.is_err() && self.fault.borrow().is_none() {
            self.rollback();
            return r;
        }
        match self.finish() {
            Ok(()) => r,
            Err(e) => Err(e.to_core()),
        }
    }
}

#[cfg(test)]
mod tests;
