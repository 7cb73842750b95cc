//! Reliability of the SQLite host: crashes, concurrent writers, foreign files,
//! malformed input. These drive the real `stockbook` binary where a process
//! boundary matters.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use stockbook_core::ledger::{Movement, MovementQuery};
use stockbook_core::store::Store;
use stockbook_native::sqlite::{Options, SqliteStore};

const NOW: &str = "2026-03-02T10:00:00Z";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_stockbook")
}

fn req(cmd: &str, args: Value) -> String {
    json!({"cmd": cmd, "actor": {"id": "test", "permissions": ["admin"]}, "now": NOW, "args": args})
        .to_string()
}

fn keyed(key: &str, cmd: &str, args: Value) -> String {
    json!({"cmd": cmd, "actor": {"id": "test", "permissions": ["admin"]}, "now": NOW,
           "idempotency_key": key, "args": args})
    .to_string()
}

fn stockbook(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut c = Command::new(bin())
        .arg("--db")
        .arg(db)
        .arg("--quiet")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A child that refuses its database exits before reading stdin; the
    // write then meets a closed pipe, which is its answer, not a test error.
    if let Err(e) = c.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    c.wait_with_output().unwrap()
}

fn ok(answer: &str) -> Value {
    let v: Value = serde_json::from_str(answer).unwrap();
    assert!(v.get("ok").is_some(), "expected ok: {answer}");
    v["ok"].clone()
}

fn setup(db: &Path, products: usize) {
    let mut s = SqliteStore::open(db, Options::default()).unwrap();
    for i in 0..products {
        ok(&s.execute_json(&req(
            "create_product",
            json!({"sku": format!("P{i}"), "name": "p"}),
        )));
    }
}

fn all_movements(s: &SqliteStore) -> Vec<Movement> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = s
            .movements(&MovementQuery {
                after_seq: Some(after),
                limit: 10_000,
                ..Default::default()
            })
            .unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        out.extend(page);
    }
    out
}

/// Integrity check, then the ledger invariants: seq gapless from 1; per
/// (product, location) each balance = previous + quantity, the last equals
/// on_hand. Returns the movements.
fn check_ledger(db: &Path) -> Vec<Movement> {
    let mut s = SqliteStore::open(db, Options::default()).unwrap();
    let ic: String = s
        .connection()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ic, "ok");
    let ms = all_movements(&s);
    let mut bal = std::collections::BTreeMap::new();
    for (i, m) in ms.iter().enumerate() {
        assert_eq!(m.seq, i as u64 + 1, "gapless");
        let prev = bal
            .get(&(m.product_id, m.location_id))
            .copied()
            .unwrap_or_default();
        assert_eq!(
            m.balance_after,
            prev + m.quantity,
            "balance chain at seq {}",
            m.seq
        );
        bal.insert((m.product_id, m.location_id), m.balance_after);
    }
    for ((p, l), b) in bal {
        let st = ok(&s.execute_json(&req(
            "get_stock",
            json!({"product_id": p, "location_id": l}),
        )));
        assert_eq!(st["locations"][0]["on_hand"], json!(b.to_string()));
    }
    ms
}

fn wal_size(db: &Path) -> u64 {
    let mut w = db.as_os_str().to_os_string();
    w.push("-wal");
    std::fs::metadata(PathBuf::from(w))
        .map(|m| m.len())
        .unwrap_or(0)
}

#[test]
fn sigkill_in_the_middle_of_a_batch_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.db");
    setup(&db, 20);
    let before = check_ledger(&db).len();
    let n = 100_000;
    let file = dir.path().join("batch.jsonl");
    let mut text = String::with_capacity(n * 200);
    for i in 0..n {
        text.push_str(&req(
            "update_stock",
            json!({"product_id": 1 + i % 20, "operation": "add", "quantity": 1, "reason": "batch"}),
        ));
        text.push('\n');
    }
    std::fs::write(&file, text).unwrap();
    // A 1 MiB page cache makes the open transaction spill its pages into the
    // WAL early, so the kill lands on a WAL holding uncommitted frames.
    let mut child = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["--quiet", "--cache-mib", "1", "exec", "--batch", "--file"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while wal_size(&db) < 1 << 20 && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    let spilled = wal_size(&db);
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(9),
        "the batch must die by SIGKILL, not finish ({:?}); make it larger",
        out.status
    );
    assert!(
        spilled >= 1 << 20,
        "the batch had written {spilled} WAL bytes"
    );
    assert!(out.stdout.is_empty(), "a killed batch answers nothing");
    let after = check_ledger(&db);
    assert_eq!(
        after.len(),
        before,
        "nothing of the killed batch may remain"
    );
    // The database is fully usable afterwards.
    let small: String = (0..100)
        .map(|_| {
            req(
                "update_stock",
                json!({"product_id": 1, "operation": "add", "quantity": 1}),
            ) + "\n"
        })
        .collect();
    let out = stockbook(&db, &["exec", "--batch"], &small);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(check_ledger(&db).len(), before + 100);
}

#[test]
fn two_processes_writing_at_once_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two.db");
    setup(&db, 1);
    let n = 250;
    let lines: String = (0..n)
        .map(|_| {
            req(
                "update_stock",
                json!({"product_id": 1, "operation": "add", "quantity": 1}),
            ) + "\n"
        })
        .collect();
    let spawn = || {
        let mut c = Command::new(bin())
            .arg("--db")
            .arg(&db)
            .args(["--quiet", "exec"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = c.stdin.take().unwrap();
        let l = lines.clone();
        let feeder = std::thread::spawn(move || stdin.write_all(l.as_bytes()).unwrap());
        (c, feeder)
    };
    let (a, fa) = spawn();
    let (b, fb) = spawn();
    fa.join().unwrap();
    fb.join().unwrap();
    let mut applied = 0;
    for c in [a, b] {
        let out = c.wait_with_output().unwrap();
        for l in String::from_utf8(out.stdout).unwrap().lines() {
            applied += usize::from(l.starts_with(r#"{"ok""#));
        }
    }
    assert_eq!(
        applied,
        2 * n,
        "every command applied (the busy timeout serialises writers)"
    );
    let ms = check_ledger(&db);
    assert_eq!(ms.len(), applied);
    let sum: stockbook_core::decimal::Quantity = ms.iter().map(|m| m.quantity).sum();
    let mut s = SqliteStore::open(&db, Options::default()).unwrap();
    let st = ok(&s.execute_json(&req("get_stock", json!({"product_id": 1}))));
    assert_eq!(st["totals"]["on_hand"], json!(sum.to_string()));
    assert_eq!(st["totals"]["on_hand"], json!(applied.to_string()));
}

/// Runs `n` threads, each with its own connection, sending its request at
/// the same moment; returns the answers.
fn race(db: &Path, requests: Vec<String>) -> Vec<String> {
    let gate = Arc::new(Barrier::new(requests.len()));
    let handles: Vec<_> = requests
        .into_iter()
        .map(|r| {
            let gate = gate.clone();
            let db = db.to_path_buf();
            std::thread::spawn(move || {
                let mut s = SqliteStore::open(&db, Options::default()).unwrap();
                gate.wait();
                s.execute_json(&r)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn twenty_writers_and_one_unit_exactly_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("race.db");
    setup(&db, 1);
    {
        let mut s = SqliteStore::open(&db, Options::default()).unwrap();
        ok(&s.execute_json(&req(
            "update_stock",
            json!({"product_id": 1, "operation": "add", "quantity": 1}),
        )));
    }
    let take = req(
        "update_stock",
        json!({"product_id": 1, "operation": "subtract", "quantity": 1, "expected_on_hand": "1"}),
    );
    let answers = race(&db, vec![take; 20]);
    let wins = answers.iter().filter(|a| a.starts_with(r#"{"ok""#)).count();
    assert_eq!(wins, 1, "{answers:#?}");
    for a in answers.iter().filter(|a| !a.starts_with(r#"{"ok""#)) {
        assert!(a.contains(r#""code":"conflict""#), "{a}");
    }
    let ms = check_ledger(&db);
    assert_eq!(ms.len(), 2);

    // And holding it on a sales order: one unit in stock again, 20 orders
    // for it at once; the default oversell policy (reject) lets one hold it.
    {
        let mut s = SqliteStore::open(&db, Options::default()).unwrap();
        ok(&s.execute_json(&req(
            "update_stock",
            json!({"product_id": 1, "operation": "add", "quantity": 1}),
        )));
    }
    let order = req(
        "create_sales_document",
        json!({"type": "order", "client": "C", "lines": [{"product_id": 1, "quantity": 1}]}),
    );
    let answers = race(&db, vec![order; 20]);
    let wins = answers.iter().filter(|a| a.starts_with(r#"{"ok""#)).count();
    assert_eq!(wins, 1, "{answers:#?}");
    for a in answers.iter().filter(|a| !a.starts_with(r#"{"ok""#)) {
        assert!(a.contains(r#""code":"insufficient_stock""#), "{a}");
    }
    let mut s = SqliteStore::open(&db, Options::default()).unwrap();
    let st = ok(&s.execute_json(&req("get_stock", json!({"product_id": 1}))));
    assert_eq!(st["totals"]["held"], json!("1"));
    assert_eq!(st["totals"]["available"], json!("0"));
}

#[test]
fn the_same_receipt_sent_twice_at_once_is_received_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("twice.db");
    setup(&db, 1);
    let mut s = SqliteStore::open(&db, Options::default()).unwrap();
    ok(&s.execute_json(&req("create_supplier", json!({"name": "S"}))));
    let po = ok(&s.execute_json(&req(
        "create_purchase_order",
        json!({"supplier_id": 1, "lines": [{"product_id": 1, "quantity": 10, "unit_cost": "1"}]}),
    )));
    let id = po["purchase_order"]["id"].clone();
    ok(&s.execute_json(&req("order_purchase_order", json!({"id": id}))));
    drop(s);
    let receipt = keyed(
        "delivery-1",
        "receive_purchase_order",
        json!({"id": id, "lines": [{"line_no": 1, "quantity": 6}]}),
    );
    let answers = race(&db, vec![receipt.clone(), receipt.clone()]);
    assert!(answers[0].starts_with(r#"{"ok""#), "{}", answers[0]);
    assert_eq!(answers[0], answers[1], "the retry gets the first answer");
    let mut s = SqliteStore::open(&db, Options::default()).unwrap();
    let po = ok(&s.execute_json(&req("get_purchase_order", json!({"id": id}))));
    assert_eq!(po["purchase_order"]["lines"][0]["received"], json!("6"));
    assert_eq!(check_ledger(&db).len(), 1);
    // And the same with plain stock updates, 10 at once.
    let add = keyed(
        "k-add",
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 5}),
    );
    let answers = race(&db, vec![add; 10]);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:#?}");
    assert_eq!(check_ledger(&db).len(), 2);
}

#[test]
fn a_reader_opens_and_answers_while_another_connection_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    setup(&db, 1);
    // Another process in the middle of a long write transaction (an import).
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer
        .execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO outbox(type, created_at, event) VALUES ('x', 'now', '{}');",
        )
        .unwrap();
    // Opening a current database takes no write lock: with a short busy
    // timeout the open would fail if it waited for the writer.
    let t = Instant::now();
    let mut s = SqliteStore::open(
        &db,
        Options {
            busy_timeout: Duration::from_millis(300),
            ..Options::default()
        },
    )
    .expect("a reader opens while another connection writes");
    let list = ok(&s.execute_json(&req("list_products", json!({}))));
    assert_eq!(list["total_count"], json!(1));
    drop(s);
    // And the CLI's read-only commands answer at once (busy timeout 10 s).
    let out = stockbook(&db, &["products", "list"], "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("P0"));
    let out = stockbook(&db, &["alerts", "list"], "");
    assert_eq!(out.status.code(), Some(0));
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    writer.execute_batch("COMMIT").unwrap();
}

#[test]
fn foreign_files_are_refused_untouched_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.db");
    let bytes = b"Dear diary, this is not a database.\n".repeat(50);
    std::fs::write(&junk, &bytes).unwrap();
    let out = stockbook(&junk, &["products", "list"], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Stockbook database"));
    assert_eq!(std::fs::read(&junk).unwrap(), bytes);

    let newer = dir.path().join("newer.db");
    setup(&newer, 1);
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.execute_batch("PRAGMA user_version = 42").unwrap();
    }
    let bytes = std::fs::read(&newer).unwrap();
    let out = stockbook(&newer, &["exec"], &req("list_products", json!({})));
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schema version 42 is newer"), "{err}");
    assert_eq!(std::fs::read(&newer).unwrap(), bytes);
}

#[test]
fn exec_answers_malformed_lines_and_applies_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("exec.db");
    setup(&db, 1);
    let add = req(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 1}),
    );
    for batch in [false, true] {
        let input = format!(
            "{add}\nnot json at all\n{add}\n{{\"cmd\": \"update_stock\"\n[1,2,3]\n\n{add}\n"
        );
        let args: &[&str] = if batch {
            &["exec", "--batch"]
        } else {
            &["exec"]
        };
        let out = stockbook(&db, args, &input);
        assert_eq!(out.status.code(), Some(1), "some lines were refused");
        let answers: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(answers.len(), 6, "{answers:#?}");
        for i in [1, 3, 4] {
            assert!(
                answers[i].contains(r#""code":"invalid_request""#),
                "{}",
                answers[i]
            );
        }
        for i in [0, 2, 5] {
            ok(&answers[i]);
        }
    }
    let mut s = SqliteStore::open(&db, Options::default()).unwrap();
    let st = ok(&s.execute_json(&req("get_stock", json!({"product_id": 1}))));
    assert_eq!(st["totals"]["on_hand"], json!("6"));
}

#[test]
fn cli_exit_codes_and_packing_slips() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let run = |args: &[&str]| stockbook(&db, args, "");
    assert_eq!(
        run(&["products", "add", "--sku", "A", "--name", "Cable"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&["products", "add", "--sku", "A", "--name", "Cable"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(run(&["products", "frobnicate"]).status.code(), Some(2));
    assert_eq!(
        run(&["--engine", "bogus", "products", "list"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["suppliers", "add", "--name", "ACME/../x"])
            .status
            .code(),
        Some(0)
    );
    let out = run(&[
        "--json",
        "po",
        "create",
        "--supplier",
        "1",
        "--line",
        "1:4:2.50",
        "--order-date",
        "2026-03-20",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = dir.path().join("slip from supplier (1).pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n...").unwrap();
    // Not received yet: refused.
    assert_eq!(
        run(&["po", "attach-slip", "1", pdf.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(run(&["po", "order", "1"]).status.code(), Some(0));
    assert_eq!(
        run(&[
            "po",
            "receive",
            "1",
            "--line",
            "1:1",
            "--date",
            "2026-03-25"
        ])
        .status
        .code(),
        Some(0)
    );
    let gif = dir.path().join("fake.pdf");
    std::fs::write(&gif, b"GIF89a....").unwrap();
    assert_eq!(
        run(&["po", "attach-slip", "1", gif.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    let out = run(&["po", "attach-slip", "1", pdf.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored: Vec<String> = std::fs::read_dir(dir.path().join("cli.db.slips"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        stored,
        vec!["PO-2026-0001_CRED001_20260325.pdf".to_string()]
    );
    let back = dir.path().join("back.pdf");
    assert_eq!(
        run(&["po", "slip", "1", "--out", back.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(std::fs::read(&back).unwrap(), b"%PDF-1.4\n...");
    let zip = dir.path().join("2026.zip");
    assert_eq!(
        run(&[
            "po",
            "slips-zip",
            "--year",
            "2026",
            "--out",
            zip.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    assert_eq!(z.len(), 1);
    assert_eq!(
        z.by_index(0).unwrap().name(),
        "PO-2026-0001_CRED001_20260325.pdf"
    );
    assert_eq!(
        run(&["po", "slip", "7", "--out", back.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn csv_products_round_trip_through_import_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("csv.db");
    let csv_in = dir.path().join("in.csv");
    std::fs::write(
        &csv_in,
        "sku,name,price,on_hand,track_inventory\nA,Cable,1.50,7,true\nB,\"Screw, small\",0.10,,\nA,Duplicate,1,1,\nC,Service,5,,false\n",
    )
    .unwrap();
    let out = stockbook(&db, &["products", "import", csv_in.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "the duplicate row is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 4: duplicate"));
    let out = stockbook(&db, &["products", "export"], "");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("\"Screw, small\""), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("1,A,Cable,") && l.ends_with(",7")),
        "{text}"
    );
    let ledger = stockbook(&db, &["ledger", "export"], "");
    let ltext = String::from_utf8(ledger.stdout).unwrap();
    assert_eq!(ltext.lines().count(), 2, "{ltext}");
}

/// A second store opened on a file this process already has open (the
/// server's reader pool does it under load) must not drop the first one's
/// locks. It did: the open's pre-check read the header with a plain file
/// handle, and closing any handle on a file drops every POSIX lock the
/// process holds on it (SQLite's "How To Corrupt", 2.2). Another process
/// (the CLI beside a running server) then found no other user, and on
/// closing checkpointed and deleted the WAL and shared-memory files the
/// server was still using.
#[test]
fn a_second_open_in_one_process_keeps_the_first_ones_locks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    setup(&db, 1);
    let mut first = SqliteStore::open(&db, Options::default()).unwrap();
    let add = req(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 1}),
    );
    ok(&first.execute_json(&add));
    let wal = dir.path().join("shared.db-wal");
    assert!(wal.exists(), "the open store keeps a WAL");
    for _ in 0..3 {
        let second = SqliteStore::open(&db, Options::default()).unwrap();
        drop(second);
    }
    // Another process opens, reads and closes the database.
    let out = stockbook(&db, &["exec"], &req("list_products", json!({})));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        wal.exists() && dir.path().join("shared.db-shm").exists(),
        "the other process deleted the WAL of a database still open here"
    );
    ok(&first.execute_json(&add));
    let v = ok(&first.execute_json(&req("get_stock", json!({"product_id": 1}))));
    assert_eq!(v["totals"]["on_hand"], json!("2"), "{v}");
}
