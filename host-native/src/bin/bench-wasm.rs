//! The native half of the wasm budgets (docs/benchmarks.md), normally run by
//! `node wasm/bench/bench.mjs`, which also times the package in Node on the
//! same requests and prints everything side by side.
//!
//! ```text
//! bench-wasm REQUESTS.jsonl [--sqlite-subset N]
//! ```
//!
//! Plays the JSON requests (one per line) through `execute_json` on fresh
//! stores and prints one JSON object: requests per second of the native core
//! over `MemoryStore`, of the raw `.wasm` under wasmtime over its own store
//! (`STOCKBOOK_WASM` or `wasm/pkg/stockbook_raw.wasm`), and, on the first N
//! requests (default 2,000), of the native core and of the module over an
//! in-memory SQLite database, each request its own transaction; plus the time
//! to compile and instantiate the module. Every runtime's answers are
//! compared, so a fast wrong answer cannot pass as a result.

use std::time::Instant;
use stockbook_core::store::memory::MemoryStore;
use stockbook_native::sqlite::SqliteStore;
use stockbook_native::wasmhost::{default_module_path, WasmCore};

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-wasm: {e}");
        std::process::exit(1);
    }
}

/// Runs `f` on every request; the answers and requests per second.
fn timed(requests: &[String], mut f: impl FnMut(&str) -> String) -> (Vec<String>, f64) {
    let t = Instant::now();
    let answers: Vec<String> = requests.iter().map(|r| f(r)).collect();
    let rate = requests.len() as f64 / t.elapsed().as_secs_f64();
    (answers, rate)
}

fn same(what: &str, a: &[String], b: &[String]) -> Result<(), String> {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        None if a.len() == b.len() => Ok(()),
        None => Err(format!("{what}: {} answers vs {}", a.len(), b.len())),
        Some(i) => Err(format!("{what}: answer {i} differs:\n{}\n{}", a[i], b[i])),
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .ok_or("usage: bench-wasm REQUESTS.jsonl [--sqlite-subset N]")?;
    let mut subset = 2_000usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sqlite-subset" => {
                subset = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--sqlite-subset takes a number")?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let requests: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let few = &requests[..subset.min(requests.len())];

    let path = default_module_path();
    let t = Instant::now();
    let mut wasm = WasmCore::load(&path).map_err(|e| e.to_string())?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;

    // Warm-up (caches, the wasm instance's memory growth), then fresh stores.
    let mut warm = MemoryStore::new();
    for r in few {
        stockbook_core::engine::execute_json(&mut warm, r);
        wasm.execute_json(r);
    }
    let mut fresh = MemoryStore::new();
    wasm.restore(&serde_json::to_vec(&fresh.snapshot()).map_err(|e| e.to_string())?);

    let (native, native_rate) = timed(&requests, |r| {
        stockbook_core::engine::execute_json(&mut fresh, r)
    });
    let (wasmtime, wasmtime_rate) = timed(&requests, |r| wasm.execute_json(r));
    same("wasmtime vs native", &wasmtime, &native)?;

    let mut db = SqliteStore::open_in_memory().map_err(|e| e.to_string())?;
    let (sqlite, sqlite_rate) = timed(few, |r| db.execute_json(r));
    let mut db = SqliteStore::open_in_memory().map_err(|e| e.to_string())?;
    let (pulled, pulled_rate) = timed(few, |r| {
        db.transaction(|db| wasm.execute_over(db, r))
            .unwrap_or_else(|e| e.to_string())
    });
    same("wasmtime over SQLite vs native SQLite", &pulled, &sqlite)?;
    same(
        "native SQLite vs native memory",
        &sqlite,
        &native[..few.len()],
    )?;

    println!(
        "{}",
        serde_json::json!({
            "requests": requests.len(),
            "native_memory_per_s": native_rate,
            "wasmtime_memory_per_s": wasmtime_rate,
            "sqlite_subset": few.len(),
            "native_sqlite_per_s": sqlite_rate,
            "wasmtime_sqlite_per_s": pulled_rate,
            "wasmtime_load_ms": load_ms,
            "module": path.display().to_string(),
        })
    );
    Ok(())
}
