//! Benchmarks of the SQLite store, side by side in one run (issue 4 targets):
//!
//! - `full`: the disk's raw flush rate (4 KiB overwrite of a preallocated
//!   file + fdatasync: the physical limit of durable commits; and 4 KiB
//!   append + fdatasync), side by side with single commands, each its own
//!   transaction, with synchronous=FULL, and with SQLite's own floor: a
//!   bare one-row INSERT committed the same way;
//! - `normal`: single commands with synchronous=NORMAL;
//! - `batch`: N stock updates in ONE transaction (parsed requests, as a
//!   server hands them over), and `batch-json` the same from JSON text to
//!   JSON answers;
//! - `open`: opening the resulting database (N movements) in a fresh process
//!   and answering one product's stock, with that process's peak RSS;
//! - `receipt`: a 200-line receipt committed durably (synchronous=FULL).
//!
//! ```text
//! cargo run --release -p stockbook-native --bin bench-sqlite -- \
//!     [--movements N] [--dir DIR] [--only full,normal,batch,batch-json,open,receipt]
//! ```
//! N defaults to 1,000,000; DIR to the system temp directory. `--in-memory`
//! runs `batch` on an in-memory database (profiling: CPU without I/O). Numbers are
//! recorded in `docs/benchmarks.md`.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use stockbook_core::auth::Actor;
use stockbook_core::decimal::Quantity;
use stockbook_core::ledger::{Operation, UpdateStock};
use stockbook_core::protocol::{Command, Request};
use stockbook_native::sqlite::{Options, SqliteStore, Synchronous};

const NOW: &str = "2026-03-02T10:00:00Z";

fn req(cmd: &str, args: Value) -> String {
    json!({"cmd": cmd, "actor": {"id": "bench", "permissions": ["admin"]}, "now": NOW, "args": args})
        .to_string()
}

fn fail(what: impl std::fmt::Display) -> ! {
    eprintln!("bench-sqlite: {what}");
    std::process::exit(1)
}

/// Fails the run unless `answer` is an `ok` answer, without parsing it (the
/// timed loops: decoding the answer is the client's work, not the store's).
fn must_be_ok(answer: &str) {
    if !answer.starts_with(r#"{"ok""#) {
        fail(format!("unexpected answer: {answer}"));
    }
}

fn must_ok(answer: &str) -> Value {
    let v: Value = serde_json::from_str(answer).unwrap_or(Value::Null);
    match v.get("ok") {
        Some(ok) => ok.clone(),
        None => fail(format!("unexpected answer: {answer}")),
    }
}

fn open(path: &Path, sync: Synchronous) -> SqliteStore {
    let opts = Options {
        synchronous: sync,
        ..Options::default()
    };
    SqliteStore::open(path, opts).unwrap_or_else(|e| fail(e))
}

fn fresh(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let mut s = p.as_os_str().to_os_string();
        s.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(s));
    }
    p
}

/// This process's peak resident set (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Counts operations run for about `secs` seconds: (count, seconds).
fn window(secs: f64, mut op: impl FnMut()) -> (u64, f64) {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        op();
        n += 1;
    }
    (n, start.elapsed().as_secs_f64())
}

/// The disk's flush rate, two ways: overwriting a preallocated 4 KiB block
/// (what a WAL that has wrapped around does) and appending one (the file
/// grows, so every flush also commits the file system's journal, as a young
/// WAL does).
struct Probe {
    overwrite: std::fs::File,
    append: std::fs::File,
    at: u64,
}

const BLOCK: [u8; 4096] = [7; 4096];

impl Probe {
    fn new(dir: &Path) -> Probe {
        let mut overwrite =
            std::fs::File::create(dir.join("fsync-probe.bin")).unwrap_or_else(|e| fail(e));
        for _ in 0..256 {
            overwrite.write_all(&BLOCK).unwrap_or_else(|e| fail(e));
        }
        overwrite.sync_all().unwrap_or_else(|e| fail(e));
        let append =
            std::fs::File::create(dir.join("fsync-append-probe.bin")).unwrap_or_else(|e| fail(e));
        Probe {
            overwrite,
            append,
            at: 0,
        }
    }

    fn overwrite(&mut self) {
        use std::io::Seek;
        self.at = (self.at + 1) % 256;
        let f = &mut self.overwrite;
        f.seek(std::io::SeekFrom::Start(self.at * 4096))
            .unwrap_or_else(|e| fail(e));
        f.write_all(&BLOCK).unwrap_or_else(|e| fail(e));
        f.sync_data().unwrap_or_else(|e| fail(e));
    }

    fn append(&mut self) {
        self.append.write_all(&BLOCK).unwrap_or_else(|e| fail(e));
        self.append.sync_data().unwrap_or_else(|e| fail(e));
    }
}

/// SQLite's own floor for a durable single commit: one row inserted into a
/// one-column table in its own `BEGIN IMMEDIATE` ... `COMMIT`, WAL and
/// synchronous=FULL as the store sets them, through the same bundled SQLite
/// (`HAVE_FDATASYNC`). No SQLite store commits a command faster than this;
/// it tells how much of the distance to the flush probe is the store's.
struct Bare {
    conn: rusqlite::Connection,
    n: i64,
}

impl Bare {
    fn new(dir: &Path) -> Bare {
        let conn =
            rusqlite::Connection::open(fresh(dir, "bare-sqlite.db")).unwrap_or_else(|e| fail(e));
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER NOT NULL);",
        )
        .unwrap_or_else(|e| fail(e));
        Bare { conn, n: 0 }
    }

    fn commit(&mut self) {
        self.n += 1;
        let run = |c: &rusqlite::Connection, n: i64| -> rusqlite::Result<()> {
            c.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
            c.prepare_cached("INSERT INTO t(v) VALUES (?1)")?
                .execute([n])?;
            c.prepare_cached("COMMIT")?.execute([])?;
            Ok(())
        };
        run(&self.conn, self.n).unwrap_or_else(|e| fail(e));
    }
}

/// A store with one product, and the stock update sent to it.
fn single_store(dir: &Path, name: &str, sync: Synchronous) -> (SqliteStore, String) {
    let path = fresh(dir, name);
    let mut s = open(&path, sync);
    must_ok(&s.execute_json(&req("create_product", json!({"sku": "S", "name": "s"}))));
    let r = req(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 1}),
    );
    (s, r)
}

/// What `full` compares: the two flush probes, one durable
/// (synchronous=FULL) single command, the same command with
/// synchronous=NORMAL (the command's own work without its flush), and a bare
/// durable SQLite commit ([`Bare`]).
const KINDS: usize = 5;

/// Per kind: operations done and the seconds they took.
type Totals = [(u64, f64); KINDS];

fn rates(t: &Totals) -> [f64; KINDS] {
    t.map(|(n, secs)| n as f64 / secs)
}

/// Per [`KINDS`]: the two flush probes, single durable (synchronous=FULL)
/// commands and the same command on a synchronous=NORMAL store, measured two
/// ways in one run so a noisy disk hits them alike:
///
/// - `alternating`: one overwrite probe, one append probe, one FULL command,
///   one NORMAL command, and again, for `secs` seconds; every operation is timed on its own and the
///   rate is operations / their summed time. This VM's disk changes its
///   flush latency from one moment to the next (0.1 ms to 4 ms, see
///   `docs/benchmarks.md`), so only operations side by side in time see the
///   same disk;
/// - `windows`: `rounds` rounds of 0.25 s of each (the method of earlier
///   runs, kept to compare).
fn fsync_and_full(dir: &Path, secs: f64, rounds: usize) -> (Totals, Totals) {
    let mut probe = Probe::new(dir);
    let (mut s, r) = single_store(dir, "single-full.db", Synchronous::Full);
    let (mut normal, _) = single_store(dir, "single-full-normal.db", Synchronous::Normal);
    let mut bare = Bare::new(dir);
    let mut op = |kind: usize| match kind {
        0 => probe.overwrite(),
        1 => probe.append(),
        2 => must_be_ok(&s.execute_json(&r)),
        3 => must_be_ok(&normal.execute_json(&r)),
        _ => bare.commit(),
    };
    // Warm up: the WAL grows to its working size and restarts once, as it
    // has long done in a store that has been running.
    for _ in 0..1200 {
        op(2);
        op(3);
        op(4);
    }
    let mut alternating: Totals = [(0, 0.0); KINDS];
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < secs {
        for (kind, t) in alternating.iter_mut().enumerate() {
            let one = Instant::now();
            op(kind);
            t.0 += 1;
            t.1 += one.elapsed().as_secs_f64();
        }
    }
    let mut windows: Totals = [(0, 0.0); KINDS];
    for _ in 0..rounds {
        for (kind, t) in windows.iter_mut().enumerate() {
            let (n, secs) = window(0.25, || op(kind));
            t.0 += n;
            t.1 += secs;
        }
    }
    let _ = std::fs::remove_file(dir.join("fsync-probe.bin"));
    let _ = std::fs::remove_file(dir.join("fsync-append-probe.bin"));
    (alternating, windows)
}

const PRODUCTS: u64 = 1000;

fn create_products(s: &mut SqliteStore) {
    let creates: Vec<String> = (0..PRODUCTS)
        .map(|i| {
            req(
                "create_product",
                json!({"sku": format!("B{i}"), "name": "b", "low_stock_threshold": 0}),
            )
        })
        .collect();
    for a in s.execute_batch(&creates).unwrap_or_else(|e| fail(e)) {
        must_ok(&a);
    }
}

fn update(i: usize) -> (u64, Operation, i64) {
    let op = if i % 3 == 2 {
        Operation::Subtract
    } else {
        Operation::Add
    };
    (1 + (i as u64 * 7919) % PRODUCTS, op, 1 + (i % 5) as i64)
}

/// N typed stock updates in one transaction; (commands/s, seconds).
/// `in_memory`: SQLite without a file, to tell CPU from I/O when profiling.
fn batch(path: &Path, n: usize, in_memory: bool) -> (f64, f64) {
    let mut s = if in_memory {
        SqliteStore::open_in_memory().unwrap_or_else(|e| fail(e))
    } else {
        open(path, Synchronous::Full)
    };
    create_products(&mut s);
    let now = NOW.parse().unwrap_or_else(|e| fail(e));
    let actor = Actor::admin("bench");
    let requests = (0..n).map(|i| {
        let (product_id, operation, q) = update(i);
        Request::new(
            actor.clone(),
            now,
            Command::UpdateStock(UpdateStock {
                product_id,
                location_id: None,
                operation,
                quantity: Quantity::from_int(q),
                reason: None,
                expected_on_hand: None,
                ticket: None,
                client: None,
            }),
        )
    });
    let start = Instant::now();
    let answers = s
        .execute_batch_requests(requests)
        .unwrap_or_else(|e| fail(e));
    let secs = start.elapsed().as_secs_f64();
    if let Some(Err(e)) = answers.iter().find(|a| a.is_err()) {
        fail(format!("refused in the batch: {e}"));
    }
    (n as f64 / secs, secs)
}

/// N stock updates as JSON text in one transaction; (commands/s, seconds).
fn batch_json(path: &Path, n: usize) -> (f64, f64) {
    let mut s = open(path, Synchronous::Full);
    create_products(&mut s);
    let reqs: Vec<String> = (0..n)
        .map(|i| {
            let (p, op, q) = update(i);
            let op = if op == Operation::Add {
                "add"
            } else {
                "subtract"
            };
            req(
                "update_stock",
                json!({"product_id": p, "operation": op, "quantity": q}),
            )
        })
        .collect();
    let start = Instant::now();
    let answers = s.execute_batch(&reqs).unwrap_or_else(|e| fail(e));
    let secs = start.elapsed().as_secs_f64();
    if let Some(a) = answers.iter().find(|a| !a.starts_with(r#"{"ok""#)) {
        fail(format!("refused in the batch: {a}"));
    }
    (n as f64 / secs, secs)
}

/// In a fresh process: open and answer one product's stock.
fn open_and_query(path: &Path) {
    let start = Instant::now();
    let mut s = open(path, Synchronous::Full);
    let stock = s.execute_json(&req("get_stock", json!({"product_id": 7})));
    let t_stock = start.elapsed();
    let past = s.execute_json(&req(
        "stock_as_of",
        json!({"product_id": 7, "at": "2026-03-02T10:00:00Z"}),
    ));
    let page = s.execute_json(&req(
        "list_movements",
        json!({"product_id": 7, "limit": 100}),
    ));
    let t_all = start.elapsed();
    must_ok(&stock);
    must_ok(&past);
    must_ok(&page);
    // Worst case of stock-as-of: a time before every movement walks all of
    // the product's index entries.
    let before = Instant::now();
    must_ok(&s.execute_json(&req(
        "stock_as_of",
        json!({"product_id": 7, "at": "2000-01-01T00:00:00Z"}),
    )));
    let t_early = before.elapsed();
    println!(
        "{} {} {} {}",
        t_stock.as_secs_f64() * 1000.0,
        t_all.as_secs_f64() * 1000.0,
        t_early.as_secs_f64() * 1000.0,
        peak_rss_kib()
    );
}

/// A 200-line receipt, durable; milliseconds (median of `rounds`).
fn receipt(dir: &Path, rounds: usize) -> f64 {
    let mut times = Vec::new();
    for _ in 0..rounds {
        let path = fresh(dir, "receipt.db");
        let mut s = open(&path, Synchronous::Full);
        let mut setup = vec![req("create_supplier", json!({"name": "S"}))];
        for i in 0..200 {
            setup.push(req(
                "create_product",
                json!({"sku": format!("R{i}"), "name": "r"}),
            ));
        }
        let lines: Vec<Value> = (1..=200)
            .map(|p| json!({"product_id": p, "quantity": 10, "unit_cost": "1.25"}))
            .collect();
        setup.push(req(
            "create_purchase_order",
            json!({"supplier_id": 1, "lines": lines}),
        ));
        setup.push(req("order_purchase_order", json!({"id": 1})));
        for a in s.execute_batch(&setup).unwrap_or_else(|e| fail(e)) {
            must_ok(&a);
        }
        let rl: Vec<Value> = (1..=200)
            .map(|l| json!({"line_no": l, "quantity": 10}))
            .collect();
        let r = req("receive_purchase_order", json!({"id": 1, "lines": rl}));
        let start = Instant::now();
        let a = s.execute_json(&r);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        let v = must_ok(&a);
        if v["movements"].as_array().map(Vec::len) != Some(200) {
            fail("the receipt did not make 200 movements");
        }
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

struct Cli {
    movements: usize,
    dir: PathBuf,
    only: Option<Vec<String>>,
    in_memory: bool,
}

fn parse_cli() -> Cli {
    let mut cli = Cli {
        movements: 1_000_000,
        dir: std::env::temp_dir(),
        only: None,
        in_memory: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| fail(format!("{a} needs a value")))
        };
        match a.as_str() {
            "--movements" => {
                cli.movements = value()
                    .parse()
                    .unwrap_or_else(|e| fail(format!("--movements: {e}")))
            }
            "--dir" => cli.dir = PathBuf::from(value()),
            "--in-memory" => cli.in_memory = true,
            "--only" => cli.only = Some(value().split(',').map(str::to_string).collect()),
            "--open-and-query" => {
                open_and_query(Path::new(&value()));
                std::process::exit(0);
            }
            other => fail(format!(
                "unknown argument `{other}`; see the source's doc comment"
            )),
        }
    }
    cli
}

fn main() {
    let cli = parse_cli();
    let run = |name: &str| {
        cli.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|x| x == name))
    };
    let n = cli.movements;
    let dir = cli.dir.join("stockbook-bench");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| fail(e));
    println!("directory: {} ({n} movements)", dir.display());

    let mut fsync = f64::NAN;
    if run("full") {
        let (alternating, windows) = fsync_and_full(&dir, 10.0, 20);
        for (how, t) in [
            ("alternating one by one, 10 s", &alternating),
            ("interleaved 20 x 0.25 s windows", &windows),
        ] {
            let [overwrite, append, full, normal, bare] = rates(t);
            println!("{how}:");
            println!(
                "  raw flush, 4 KiB overwrite + fdatasync: {overwrite:.0}/s ({:.3} ms each)",
                1000.0 / overwrite
            );
            println!(
                "  raw flush, 4 KiB append + fdatasync: {append:.0}/s ({:.3} ms each)",
                1000.0 / append
            );
            println!(
                "  single commands, synchronous=FULL: {full:.0} commits/s ({:.3} ms each) = {:.0}% of the overwrite rate, {:.0}% of the append rate",
                1000.0 / full,
                100.0 * full / overwrite,
                100.0 * full / append
            );
            println!(
                "  the same command, synchronous=NORMAL (its work without the flush): {:.3} ms; FULL - NORMAL = {:.3} ms of flush per commit; overwrite probe / (probe + NORMAL) = {:.0}% (the ceiling of the FULL ratio)",
                1000.0 / normal,
                1000.0 / full - 1000.0 / normal,
                100.0 * (1.0 / overwrite) / (1.0 / overwrite + 1.0 / normal)
            );
            println!(
                "  SQLite's floor, a bare one-row INSERT per durable transaction: {bare:.0} commits/s ({:.3} ms each) = {:.0}% of the overwrite rate; the command gets {:.0}% of the floor's rate",
                1000.0 / bare,
                100.0 * bare / overwrite,
                100.0 * full / bare
            );
        }
        fsync = rates(&alternating)[0];
    }
    if run("normal") {
        let (mut s, r) = single_store(&dir, "single-normal.db", Synchronous::Normal);
        let (n, secs) = window(5.0, || must_be_ok(&s.execute_json(&r)));
        println!(
            "single commands, synchronous=NORMAL: {:.0} commits/s",
            n as f64 / secs
        );
    }
    let big = dir.join("batch.db");
    if run("batch") {
        let big = fresh(&dir, "batch.db");
        let (rate, secs) = batch(&big, n, cli.in_memory);
        println!(
            "batch of {n} stock updates (parsed requests) in one transaction: {rate:.0} commands/s ({secs:.2} s)"
        );
    }
    if run("batch-json") {
        let path = fresh(&dir, "batch-json.db");
        let (rate, secs) = batch_json(&path, n);
        println!(
            "batch of {n} stock updates (JSON text in, JSON answers out) in one transaction: {rate:.0} commands/s ({secs:.2} s)"
        );
        let _ = fresh(&dir, "batch-json.db");
    }
    if run("open") {
        if !big.exists() {
            fail("`open` needs the database of `batch` (run it first)");
        }
        let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
        let exe = std::env::current_exe().unwrap_or_else(|e| fail(e));
        let out = std::process::Command::new(exe)
            .arg("--open-and-query")
            .arg(&big)
            .output()
            .unwrap_or_else(|e| fail(e));
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<f64> = text
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if v.len() != 4 {
            fail(format!(
                "open-and-query failed: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        println!(
            "fresh process: open the {n}-movement database ({:.0} MB) + get_stock: {:.1} ms; + stock_as_of + one ledger page: {:.1} ms; peak RSS {:.1} MB",
            size as f64 / 1e6,
            v[0],
            v[1],
            v[3] / 1024.0
        );
        println!(
            "stock_as_of before every movement of a product with {} movements (walks them all): {:.1} ms",
            n as u64 / PRODUCTS,
            v[2]
        );
    }
    if run("receipt") {
        if fsync.is_nan() {
            let mut probe = Probe::new(&dir);
            let (n, secs) = window(2.0, || probe.overwrite());
            fsync = n as f64 / secs;
        }
        let r = receipt(&dir, 5);
        println!(
            "200-line receipt, synchronous=FULL (median of 5): {r:.2} ms (one fsync = {:.2} ms; excess {:.2} ms)",
            1000.0 / fsync,
            r - 1000.0 / fsync
        );
    }
}
