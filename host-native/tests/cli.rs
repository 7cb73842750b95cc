//! The `stockbook` command line for daily work: every human subcommand once,
//! as a table and with `--json`, and the exit codes scripts rely on.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn sb(db: &Path, args: &[&str]) -> Run {
    let o = Command::new(env!("CARGO_BIN_EXE_stockbook"))
        .arg("--db")
        .arg(db)
        .args(["--quiet", "--actor", "clerk"])
        .args(args)
        .output()
        .unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8(o.stdout).unwrap(),
        err: String::from_utf8(o.stderr).unwrap(),
    }
}

/// Runs with `--json` and returns the `ok` of the answer (exit 0 asserted).
fn ok(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let r = sb(db, &all);
    assert_eq!(r.code, 0, "{args:?}: {}{}", r.out, r.err);
    let v: Value = serde_json::from_str(r.out.trim()).unwrap();
    v["ok"].clone()
}

/// Runs for a person and returns the table text (exit 0 asserted).
fn table(db: &Path, args: &[&str]) -> String {
    let r = sb(db, args);
    assert_eq!(r.code, 0, "{args:?}: {}{}", r.out, r.err);
    r.out
}

#[test]
fn daily_work_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let db = db.as_path();

    // Products.
    let p = ok(
        db,
        &[
            "products",
            "add",
            "--sku",
            "CAB-1",
            "--name",
            "Cable 3m",
            "--price",
            "4.90",
            "--threshold",
            "3",
        ],
    );
    assert_eq!(p["sku"], "CAB-1");
    let out = table(
        db,
        &["products", "add", "--sku", "SCR-9", "--name", "Screws"],
    );
    assert!(out.starts_with("created product 2 (SCR-9"), "{out}");
    let list = table(db, &["products", "list"]);
    assert!(list.lines().next().unwrap().starts_with("ID"), "{list}");
    assert!(
        list.contains("Cable 3m") && list.contains("SCR-9"),
        "{list}"
    );
    let found = ok(db, &["products", "list", "--search", "cable"]);
    assert_eq!(found["items"].as_array().unwrap().len(), 1);

    // Stock, with reasons; the ledger explains every unit.
    table(db, &["stock", "add", "1", "10", "--reason", "delivery"]);
    table(db, &["stock", "subtract", "1", "3", "--reason", "damaged"]);
    let set = ok(db, &["stock", "set", "1", "2", "--reason", "cycle count"]);
    assert_eq!(set["stock"]["on_hand"], "2");
    let show = table(db, &["products", "show", "1"]);
    assert!(
        show.contains("on hand") && show.contains("LOCATION"),
        "{show}"
    );
    let stock = ok(db, &["stock", "show", "1"]);
    assert_eq!(stock["totals"]["on_hand"], "2");
    let adjustments = ok(db, &["ledger", "--product", "1", "--type", "adjustment"]);
    let reasons: Vec<&str> = adjustments["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["damaged", "cycle count"]);
    let ledger = table(db, &["ledger", "--product", "1", "--location", "1"]);
    assert_eq!(ledger.lines().count(), 4, "{ledger}");
    assert!(ledger.contains("clerk"), "the actor is recorded: {ledger}");
    let none = ok(db, &["ledger", "--to", "2000-01-01"]);
    assert!(none["movements"].as_array().unwrap().is_empty());
    let today = stockbook_native::now().date_naive().to_string();
    let since = ok(db, &["ledger", "--from", &today]);
    assert_eq!(since["movements"].as_array().unwrap().len(), 3);

    // On hand 2 <= threshold 3: a low-stock alert waits in the outbox.
    let alerts = ok(db, &["alerts", "list"]);
    let alerts = alerts.as_array().unwrap();
    assert!(!alerts.is_empty());
    assert_eq!(alerts[0]["event"]["product_id"], 1);
    let id = alerts[0]["id"].to_string();
    assert!(table(db, &["alerts", "list"]).contains("CAB-1"));
    let ids: Vec<String> = alerts.iter().map(|a| a["id"].to_string()).collect();
    let mut ack = vec!["alerts", "ack"];
    ack.extend(ids.iter().map(String::as_str));
    table(db, &ack);
    assert_eq!(ok(db, &["alerts", "list"]), serde_json::json!([]));
    // Acknowledged and raised times are written alike (microseconds, Z).
    let all = ok(db, &["alerts", "list", "--all"]);
    for t in [&all[0]["created_at"], &all[0]["acked_at"]] {
        let t = t.as_str().unwrap();
        assert_eq!(t.len(), "2026-01-01T00:00:00.000000Z".len(), "{all}");
        assert!(t.ends_with('Z'), "{all}");
    }
    // Tokens list as a table with a header row.
    table(
        db,
        &[
            "token",
            "create",
            "--permissions",
            "inventory.read",
            "--as",
            "viewer",
        ],
    );
    let tokens = table(db, &["token", "list"]);
    let header = tokens.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("ID") && header.contains("PERMISSIONS"),
        "{tokens}"
    );
    assert!(tokens.contains("viewer"), "{tokens}");
    assert!(
        tokens.lines().all(|l| l == l.trim_end()),
        "no trailing blanks: {tokens:?}"
    );
    assert_eq!(
        sb(db, &["alerts", "ack", &id]).code,
        1,
        "already acknowledged"
    );

    // Suppliers.
    let s = ok(
        db,
        &[
            "suppliers",
            "add",
            "--name",
            "ACME",
            "--email",
            "orders@acme.test",
        ],
    );
    assert_eq!(s["creditor_number"], "CRED001");
    assert!(table(db, &["suppliers", "list"]).contains("ACME"));
    assert!(table(db, &["suppliers", "show", "1"]).contains("orders@acme.test"));

    // Purchase orders: create, add lines, order, receive part, close with a
    // backorder; cancel another.
    let po = ok(
        db,
        &["po", "create", "--supplier", "1", "--line", "1:10:1.25"],
    );
    let po_id = po["purchase_order"]["id"].to_string();
    let po = ok(
        db,
        &[
            "po",
            "add-lines",
            &po_id,
            "--line",
            "2:100:0.02",
            "--text-line",
            "1:5:Freight",
        ],
    );
    assert_eq!(po["purchase_order"]["lines"].as_array().unwrap().len(), 3);
    ok(db, &["po", "order", &po_id]);
    let stock = ok(db, &["stock", "show", "1"]);
    assert_eq!(stock["totals"]["incoming"], "10");
    let got = ok(
        db,
        &[
            "po",
            "receive",
            &po_id,
            "--line",
            "1:4",
            "--key",
            "delivery-7",
        ],
    );
    assert_eq!(got["purchase_order"]["status"], "partially_received");
    // The same receipt retried with its key is received once.
    ok(
        db,
        &[
            "po",
            "receive",
            &po_id,
            "--line",
            "1:4",
            "--key",
            "delivery-7",
        ],
    );
    assert_eq!(ok(db, &["stock", "show", "1"])["totals"]["on_hand"], "6");
    let listed = table(db, &["po", "list", "--status", "partially_received"]);
    assert!(listed.contains("PO-"), "{listed}");
    let closed = ok(db, &["po", "close", &po_id, "--backorder"]);
    assert_eq!(closed["purchase_order"]["status"], "closed");
    assert!(closed["backorder"]["id"].is_u64(), "{closed}");
    let shown = table(db, &["po", "show", &po_id]);
    assert!(
        shown.contains("closed") && shown.contains("Freight"),
        "{shown}"
    );
    let other = ok(db, &["po", "create", "--supplier", "1", "--line", "2:1"]);
    let other_id = other["purchase_order"]["id"].to_string();
    // Which POs a product is on: product 1 is on the first PO and its
    // backorder, product 2 also on this one.
    let numbers = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = ok(db, args)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["number"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let of_1 = numbers(&["po", "list", "--product", "1"]);
    let of_2 = numbers(&["po", "list", "--product", "2"]);
    assert_eq!(of_1.len(), 2, "{of_1:?}");
    assert_eq!(of_2.len(), 3, "{of_2:?}");
    assert!(of_2.contains(
        &other["purchase_order"]["number"]
            .as_str()
            .unwrap()
            .to_string()
    ));
    assert!(!of_1.contains(
        &other["purchase_order"]["number"]
            .as_str()
            .unwrap()
            .to_string()
    ));
    let cancelled = ok(db, &["po", "cancel", &other_id]);
    assert_eq!(cancelled["purchase_order"]["status"], "cancelled");

    // Exit codes: refused 1, usage 2, database 3.
    let r = sb(db, &["products", "show", "99"]);
    assert_eq!(r.code, 1);
    assert!(r.err.starts_with("error: not_found:"), "{}", r.err);
    let r = sb(db, &["stock", "subtract", "1", "lots"]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("invalid_field"), "{}", r.err);
    assert_eq!(
        sb(db, &["po", "receive", &po_id]).code,
        2,
        "nothing to receive"
    );
    assert_eq!(sb(db, &["ledger", "--from", "yesterday"]).code, 2);
    assert_eq!(sb(db, &["products", "show", "x"]).code, 2);
    let missing_dir = dir.path().join("no/such/dir/x.db");
    assert_eq!(sb(&missing_dir, &["products", "list"]).code, 3);
    let help = sb(db, &["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.out.contains("Exit status:"), "{}", help.out);
}

#[test]
fn ledger_csv_import_runs_in_one_transaction_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    let db = db.as_path();
    ok(db, &["products", "add", "--sku", "A", "--name", "A"]);
    let csv = dir.path().join("moves.csv");
    std::fs::write(
        &csv,
        "product_id,quantity,reason\n1,5,opening\n1,-2,used\n9,1,unknown product\nx,1,bad id\n1,+1,found\n",
    )
    .unwrap();
    let r = sb(db, &["ledger", "import", csv.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("row 4: not_found"), "{}", r.err);
    assert!(r.err.contains("row 5: product_id"), "{}", r.err);
    assert!(r.err.contains("3 imported, 2 refused"), "{}", r.err);
    assert_eq!(ok(db, &["stock", "show", "1"])["totals"]["on_hand"], "4");
    let out = dir.path().join("ledger.csv");
    table(
        db,
        &[
            "ledger",
            "export",
            "--product",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let h = rd.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    assert_eq!(&rows[1][col("quantity")], "-2");
    assert_eq!(&rows[1][col("reason")], "used");
    assert_eq!(&rows[2][col("balance_after")], "4");
}

#[test]
fn exec_answers_a_line_that_is_not_utf8_and_goes_on() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let good = r#"{"cmd":"list_locations","actor":{"id":"a","permissions":["admin"]}}"#;
    for batch in [false, true] {
        let mut args = vec!["--quiet", "exec"];
        if batch {
            args.push("--batch");
        }
        let mut c = Command::new(env!("CARGO_BIN_EXE_stockbook"))
            .arg("--db")
            .arg(&db)
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = Vec::new();
        input.extend_from_slice(good.as_bytes());
        input.extend_from_slice(b"\n{\"cmd\": \"\xff\xfe\"}\n\n");
        input.extend_from_slice(good.as_bytes());
        c.stdin.take().unwrap().write_all(&input).unwrap();
        let o = c.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        let text = String::from_utf8(o.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "a blank line is skipped: {text}");
        assert!(lines[0].starts_with(r#"{"ok":[{"id":1"#), "{text}");
        assert!(lines[1].contains(r#""code":"invalid_request""#), "{text}");
        assert!(lines[1].contains("UTF-8"), "{text}");
        assert_eq!(lines[2], lines[0]);
    }
}

#[test]
fn a_product_row_is_imported_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let db = db.as_path();
    let csv = dir.path().join("products.csv");
    std::fs::write(
        &csv,
        "sku,name,decimal_places,on_hand\n\
         GOOD-1,Cable,0,7\n\
         NEG,Negative,0,-5\n\
         FRAC,Fraction,0,1.5\n\
         GOOD-2,Wire,2,2.25\n",
    )
    .unwrap();
    let r = sb(db, &["products", "import", csv.to_str().unwrap()]);
    // Partly refused: exit 1 (`--help`, "Exit status"), the good rows imported.
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err.contains("row 3: on_hand: invalid_field: "),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("row 4: on_hand: invalid_field: "),
        "{}",
        r.err
    );
    assert!(r.err.contains("2 imported, 2 refused"), "{}", r.err);
    assert!(!r.err.contains("created"), "{}", r.err);
    assert_eq!(
        r.err.matches("(nothing of the row was imported)").count(),
        2,
        "{}",
        r.err
    );
    let list = ok(db, &["products", "list", "--archived"]);
    let items = list["items"].as_array().unwrap();
    let got: Vec<(u64, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["product"]["id"].as_u64().unwrap(),
                i["product"]["sku"].as_str().unwrap(),
                i["stock"]["on_hand"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [(1, "GOOD-1", "7"), (2, "GOOD-2", "2.25")], "{list}");
    // The refused rows left no product, no SKU and no movement behind.
    assert_eq!(sb(db, &["products", "show", "3"]).code, 1);
    let ledger = ok(db, &["ledger"]);
    let moves: Vec<(u64, u64)> = ledger["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["seq"].as_u64().unwrap(),
                m["product_id"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(moves, [(1, 1), (2, 2)], "{ledger}");
    // The import sends `now` as every host request does: microseconds, so
    // at most 6 digits of fraction (nanoseconds would give 9).
    for m in ledger["movements"].as_array().unwrap() {
        let at = m["at"].as_str().unwrap();
        let fraction = at.split_once('.').map_or("Z", |(_, f)| f);
        assert!(fraction.len() <= 7 && fraction.ends_with('Z'), "{at}");
    }
    ok(
        db,
        &["products", "add", "--sku", "NEG", "--name", "Negative"],
    );
}

/// The CSV columns of a file, and its rows as maps from column to cell.
fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let h = rd.headers().unwrap().clone();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            h.iter()
                .zip(r.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn csv_exports_import_into_another_database_onto_the_same_products() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let a = a.as_path();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    ok(a, &["products", "add", "--sku", "Z", "--name", "Zeta"]);
    ok(a, &["products", "add", "--sku", "A", "--name", "Alpha"]);
    ok(
        a,
        &[
            "products",
            "add",
            "--sku",
            "U",
            "--name",
            "Service",
            "--untracked",
        ],
    );
    ok(a, &["products", "add", "--sku", "OLD", "--name", "Old"]);
    let archive = path("archive.jsonl");
    let request = serde_json::json!({
        "cmd": "update_product",
        "actor": {"id": "t", "permissions": ["admin"]},
        "now": stockbook_native::now_text(),
        "args": {"id": 4, "archived": true},
    });
    std::fs::write(&archive, request.to_string()).unwrap();
    ok(a, &["exec", "--file", &archive]);
    ok(a, &["stock", "add", "1", "5"]);
    ok(a, &["stock", "subtract", "1", "2"]);

    // An unmodified products export imports cleanly: the untracked product's
    // on_hand 0 is not refused, the archived one stays archived.
    table(a, &["products", "export", "--out", &path("products.csv")]);
    let b = dir.path().join("b.db");
    let r = sb(&b, &["products", "import", &path("products.csv")]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(
        r.err.contains("ignores the column(s) id, article_number"),
        "{}",
        r.err
    );
    let list = ok(&b, &["products", "list", "--archived"]);
    let got: Vec<(String, String, bool)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["product"]["sku"].as_str().unwrap().to_string(),
                i["stock"]["on_hand"].as_str().unwrap().to_string(),
                i["product"]["archived"].as_bool().unwrap(),
            )
        })
        .collect();
    let want = [
        ("A", "0", false),
        ("OLD", "0", true),
        ("U", "0", false),
        ("Z", "3", false),
    ]
    .map(|(s, q, ar)| (s.to_string(), q.to_string(), ar));
    assert_eq!(got, want, "{list}");

    // The ledger export names each movement's product by SKU, and an import
    // into a database whose ids differ lands on the same SKUs.
    table(a, &["ledger", "export", "--out", &path("ledger.csv")]);
    let exported = csv_rows(&std::fs::read_to_string(path("ledger.csv")).unwrap());
    assert_eq!(exported.len(), 2);
    assert!(exported
        .iter()
        .all(|r| r["sku"] == "Z" && r["product_id"] == "1"));
    let c = dir.path().join("c.db");
    let c = c.as_path();
    ok(c, &["products", "add", "--sku", "A", "--name", "Alpha"]);
    ok(c, &["products", "add", "--sku", "Z", "--name", "Zeta"]);
    let r = sb(c, &["ledger", "import", &path("ledger.csv")]);
    assert_eq!(r.code, 0, "{}", r.err);
    // What the import does not carry over is said, not silently dropped.
    for col in ["type", "actor", "purchase_order", "not a backup/restore"] {
        assert!(r.err.contains(col), "{col}: {}", r.err);
    }
    assert_eq!(ok(c, &["stock", "show", "2"])["totals"]["on_hand"], "3");
    assert_eq!(ok(c, &["stock", "show", "1"])["totals"]["on_hand"], "0");

    // An unknown SKU and a time after the clock are refused by row; the rest
    // is imported, and the product still takes changes afterwards.
    std::fs::write(
        path("more.csv"),
        "sku,quantity,at\nZ,1,\nNOPE,1,\nA,4,2999-01-01T00:00:00Z\nA,2,\n",
    )
    .unwrap();
    let r = sb(c, &["ledger", "import", &path("more.csv")]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err
            .contains("row 3: not_found: no product with sku `NOPE`"),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains("row 4: at: 2999-01-01T00:00:00Z is later than the clock"),
        "{}",
        r.err
    );
    assert!(r.err.contains("2 imported, 2 refused"), "{}", r.err);
    assert_eq!(ok(c, &["stock", "show", "1"])["totals"]["on_hand"], "2");
    ok(c, &["stock", "add", "1", "1"]);

    let help = table(c, &["ledger", "import", "--help"]);
    assert!(help.contains("not a backup/restore"), "{help}");
    assert!(help.contains("sku"), "{help}");
    let help = table(c, &["products", "import", "--help"]);
    assert!(help.contains("assigned anew"), "{help}");
}

#[test]
fn products_export_is_one_pass_in_id_order_with_every_product() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let db = db.as_path();
    // Names in reverse order of ids, more than two pages of 50.
    let mut text = String::from("sku,name,on_hand,archived\n");
    for i in 0..120 {
        text.push_str(&format!(
            "S{i:03},Product {:03},{},{}\n",
            119 - i,
            i % 7,
            i == 5
        ));
    }
    let csv_in = dir.path().join("in.csv");
    std::fs::write(&csv_in, &text).unwrap();
    let r = sb(db, &["products", "import", csv_in.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.err);
    let out = table(db, &["products", "export"]);
    let rows = csv_rows(&out);
    // Id order (not the name order of `list_products`, whose paging by
    // page number made the export quadratic), archived products included,
    // the same totals `list_products` answers.
    let ids: Vec<u64> = rows.iter().map(|r| r["id"].parse().unwrap()).collect();
    assert_eq!(ids, (1..=120).collect::<Vec<u64>>());
    assert_eq!(rows[5]["archived"], "true");
    assert_eq!(rows[5]["on_hand"], "5");
    assert_eq!(rows[13]["on_hand"], "6");
    let listed = ok(db, &["products", "list", "--archived", "--search", "S013"]);
    let item = &listed["items"][0];
    assert_eq!(item["product"]["name"], rows[13]["name"].as_str());
    assert_eq!(
        item["product"]["article_number"],
        rows[13]["article_number"].as_str()
    );
    assert_eq!(item["product"]["price"], rows[13]["price"].as_str());
}

/// A database with product 1, supplier 1 and PO 1 (2 of product 1) received
/// in full on 2026-03-25 (ordered on 2026-03-20: a receipt cannot predate it).
fn received_po(db: &Path) {
    ok(db, &["products", "add", "--sku", "A", "--name", "Cable"]);
    ok(db, &["suppliers", "add", "--name", "ACME"]);
    ok(
        db,
        &[
            "po",
            "create",
            "--supplier",
            "1",
            "--line",
            "1:2:1.00",
            "--order-date",
            "2026-03-20",
        ],
    );
    ok(db, &["po", "order", "1"]);
    ok(db, &["po", "receive", "1", "--all", "--date", "2026-03-25"]);
}

#[test]
fn receive_all_on_a_received_po_is_answered_by_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    received_po(&db);
    let r = sb(&db, &["po", "receive", "1", "--all"]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.starts_with("error: invalid_transition:"), "{}", r.err);
    // Neither --line nor --all is still a usage error.
    assert_eq!(sb(&db, &["po", "receive", "1"]).code, 2);
}

#[test]
fn file_errors_name_the_file_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.db");
    received_po(&db);
    let d = dir.path().to_str().unwrap().to_string();
    let missing = format!("{d}/no/such");
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["exec".into(), "--file".into(), missing.clone()],
            missing.clone(),
        ),
        (
            vec!["products".into(), "import".into(), missing.clone()],
            missing.clone(),
        ),
        (vec!["ledger".into(), "import".into(), d.clone()], d.clone()),
        (
            vec![
                "products".into(),
                "export".into(),
                "--out".into(),
                format!("{missing}/x.csv"),
            ],
            format!("{missing}/x.csv"),
        ),
        (
            vec![
                "po".into(),
                "slips-zip".into(),
                "--out".into(),
                format!("{missing}/a.zip"),
            ],
            format!("{missing}/a.zip"),
        ),
        (
            vec!["po".into(), "attach-slip".into(), "1".into(), d.clone()],
            d.clone(),
        ),
    ];
    for (args, path) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = sb(&db, &args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.err);
        assert!(
            r.err.starts_with(&format!("file error: {path}: ")),
            "{args:?}: {}",
            r.err
        );
    }
    // --db naming a directory, or a file in a missing directory.
    for bad in [d.clone(), format!("{missing}/x.db")] {
        let r = sb(Path::new(&bad), &["products", "list"]);
        assert_eq!(r.code, 3, "{}", r.err);
        assert!(
            r.err.starts_with(&format!("file error: {bad}: ")),
            "{}",
            r.err
        );
    }
}

#[test]
fn a_second_slip_and_an_existing_out_file_need_replace_and_force() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    received_po(&db);
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    std::fs::write(path("first.pdf"), b"%PDF-1.4 first").unwrap();
    std::fs::write(path("second.png"), b"\x89PNG\r\n\x1a\n second").unwrap();
    ok(&db, &["po", "attach-slip", "1", &path("first.pdf")]);
    // A second slip does not silently replace the first.
    let r = sb(&db, &["po", "attach-slip", "1", &path("second.png")]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err
            .starts_with("error: duplicate: purchase order 1 already has a packing slip"),
        "{}",
        r.err
    );
    assert!(r.err.contains("--replace"), "{}", r.err);
    let back = path("back");
    ok(&db, &["po", "slip", "1", "--out", &back]);
    assert_eq!(std::fs::read(&back).unwrap(), b"%PDF-1.4 first");
    // An existing --out file is not overwritten without --force.
    std::fs::write(&back, b"keep me").unwrap();
    let r = sb(&db, &["po", "slip", "1", "--out", &back]);
    assert_eq!(r.code, 3, "{}", r.err);
    assert!(
        r.err.starts_with(&format!("file error: {back}: ")),
        "{}",
        r.err
    );
    assert!(r.err.contains("--force"), "{}", r.err);
    assert_eq!(std::fs::read(&back).unwrap(), b"keep me");
    ok(
        &db,
        &["po", "attach-slip", "1", &path("second.png"), "--replace"],
    );
    ok(&db, &["po", "slip", "1", "--out", &back, "--force"]);
    assert_eq!(std::fs::read(&back).unwrap(), b"\x89PNG\r\n\x1a\n second");
    let stored: Vec<String> = std::fs::read_dir(dir.path().join("s.db.slips"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(stored, ["PO-2026-0001_CRED001_20260325.png"]);
    // ZIP entries carry the attach time, not 1980-01-01.
    let zip = path("2026.zip");
    ok(&db, &["po", "slips-zip", "--year", "2026", "--out", &zip]);
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let entry = z.by_index(0).unwrap();
    let t = entry.last_modified().unwrap();
    let today = stockbook_native::now().date_naive();
    use chrono::Datelike;
    assert_eq!(
        (t.year(), t.month(), t.day()),
        (today.year() as u16, today.month() as u8, today.day() as u8)
    );
}

#[test]
fn a_csv_row_with_more_fields_than_the_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.as_path();
    let products = dir.path().join("p.csv");
    std::fs::write(
        &products,
        "sku,name,price\nB1,Fine,1\nB4,toolong,1,2,3\nB5,Short\n",
    )
    .unwrap();
    let r = sb(db, &["products", "import", products.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err
            .contains("row 3: 5 fields, more than the header's 3; refused"),
        "{}",
        r.err
    );
    assert!(r.err.contains("2 imported, 1 refused"), "{}", r.err);
    assert_eq!(sb(db, &["products", "show", "3"]).code, 1);
    let moves = dir.path().join("m.csv");
    std::fs::write(&moves, "sku,quantity\nB1,4\nB1,5,extra\n").unwrap();
    let r = sb(db, &["ledger", "import", moves.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err.contains("row 3: 3 fields, more than the header's 2"),
        "{}",
        r.err
    );
    assert_eq!(ok(db, &["stock", "show", "1"])["totals"]["on_hand"], "4");
    for cmd in ["ledger", "products"] {
        let help = table(db, &[cmd, "import", "--help"]);
        assert!(
            help.contains("skipped") && help.contains("committed together"),
            "{help}"
        );
    }
}

#[test]
fn po_return_sends_received_goods_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ret.db");
    received_po(&db);
    let po = ok(
        &db,
        &["po", "return", "1", "--line", "1:1", "--reason", "damaged"],
    );
    assert_eq!(po["purchase_order"]["lines"][0]["returned"], "1");
    assert_eq!(ok(&db, &["stock", "show", "1"])["totals"]["on_hand"], "1");
    let moves = ok(&db, &["ledger", "--type", "return"]);
    let m = &moves["movements"][0];
    assert_eq!(
        (m["quantity"].as_str(), m["reason"].as_str()),
        (Some("-1"), Some("damaged"))
    );
    // At most what was received and not yet returned: the engine refuses.
    let r = sb(&db, &["po", "return", "1", "--line", "1:2"]);
    assert_eq!(r.code, 1, "{}", r.err);
    // A --line is required.
    assert_eq!(sb(&db, &["po", "return", "1"]).code, 2);
    let shown = table(&db, &["po", "return", "1", "--line", "1:1"]);
    assert!(shown.contains("RETURNED"), "{shown}");
}

#[test]
fn bad_values_of_enumerated_options_are_usage_errors_listing_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    for (args, valid) in [
        (vec!["ledger", "--type", "foo"], "adjustment"),
        (vec!["ledger", "export", "--type", "foo"], "consumption"),
        (
            vec!["po", "list", "--status", "nonsense"],
            "partially_received",
        ),
        (vec!["po", "list", "--sort", "price"], "order_date"),
        (
            vec!["suppliers", "add", "--name", "S", "--po-delivery", "fax"],
            "portal",
        ),
    ] {
        let r = sb(&db, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.err);
        assert!(
            r.err.contains("possible values") && r.err.contains(valid),
            "{args:?}: {}",
            r.err
        );
    }
    ok(
        &db,
        &["suppliers", "add", "--name", "S", "--po-delivery", "portal"],
    );
    ok(
        &db,
        &["po", "list", "--status", "received", "--sort", "total"],
    );
}

#[test]
fn tables_and_errors_say_things_once_and_label_every_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.as_path();
    ok(
        db,
        &[
            "products",
            "add",
            "--sku",
            "A",
            "--name",
            "Cable",
            "--threshold",
            "3",
        ],
    );
    ok(db, &["stock", "add", "1", "5"]);
    // The code once, not `conflict: conflict: ...`.
    let r = sb(db, &["stock", "set", "1", "2", "--expected", "9"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.starts_with("error: conflict: on-hand is 5"),
        "{}",
        r.err
    );
    assert!(!r.err.contains("conflict: conflict"), "{}", r.err);
    // The low-stock column has a header.
    ok(db, &["stock", "set", "1", "2"]);
    let list = table(db, &["products", "list"]);
    let mut lines = list.lines();
    let header = lines.next().unwrap();
    assert!(header.trim_end().ends_with("LOW STOCK"), "{list}");
    assert!(lines.next().unwrap().trim_end().ends_with("yes"), "{list}");
    // No REQUESTED column while nothing was clamped; once a subtraction is
    // clamped at zero, the table shows what it asked for.
    let ledger = table(db, &["ledger"]);
    assert!(!ledger.contains("REQUESTED"), "{ledger}");
    ok(db, &["stock", "subtract", "1", "7"]);
    let ledger = table(db, &["ledger"]);
    let head: Vec<&str> = ledger.lines().next().unwrap().split_whitespace().collect();
    let col = head.iter().position(|h| *h == "REQUESTED").expect(&ledger);
    let clamped = ledger.lines().last().unwrap();
    let cells: Vec<&str> = clamped.split_whitespace().collect();
    assert_eq!((cells[col - 1], cells[col]), ("-2", "-7"), "{ledger}");
}

#[test]
fn tables_line_up_names_with_wide_characters() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.as_path();
    for (sku, name) in [("T1", "東京ボルト"), ("T2", "Box 📦"), ("T3", "Plain")] {
        ok(db, &["products", "add", "--sku", sku, "--name", name]);
    }
    let list = table(db, &["products", "list"]);
    // The ON HAND column starts at the same terminal column on every line
    // (a CJK character or an emoji takes two columns, not one).
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 4, "{list}");
    let on_hand_at = |line: &str| -> usize {
        use unicode_width::UnicodeWidthStr;
        let at = match line.find("ON HAND") {
            Some(at) => at,
            None => {
                let name = ["東京ボルト", "Box 📦", "Plain"]
                    .into_iter()
                    .find(|n| line.contains(n))
                    .unwrap();
                let after = line.find(name).unwrap() + name.len();
                after + line[after..].find('0').unwrap()
            }
        };
        line[..at].width()
    };
    let starts: Vec<usize> = lines.iter().map(|l| on_hand_at(l)).collect();
    assert!(starts.iter().all(|s| *s == starts[0]), "{starts:?}\n{list}");
}

#[test]
fn a_read_only_command_on_a_missing_database_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nothere.db");
    let out = dir.path().join("out").to_str().unwrap().to_string();
    let reads: Vec<Vec<&str>> = vec![
        vec!["products", "list"],
        vec!["products", "show", "1"],
        vec!["products", "export"],
        vec!["stock", "show", "1"],
        vec!["ledger"],
        vec!["ledger", "export"],
        vec!["suppliers", "list"],
        vec!["suppliers", "show", "1"],
        vec!["po", "list"],
        vec!["po", "show", "1"],
        vec!["po", "slip", "1", "--out", &out],
        vec!["po", "slips-zip", "--out", &out],
        vec!["alerts", "list"],
        vec!["token", "list"],
        vec!["--engine", "wasm", "products", "list"],
    ];
    for args in &reads {
        let r = sb(&db, args);
        assert_eq!(r.code, 3, "{args:?}: {}{}", r.out, r.err);
        assert!(
            r.err
                .starts_with(&format!("file error: {}: no such database", db.display())),
            "{args:?}: {}",
            r.err
        );
        assert!(r.err.contains("creates it"), "{args:?}: {}", r.err);
        assert_eq!(r.out, "", "{args:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
    // The default ./stockbook.db in an empty directory likewise.
    let r = Command::new(env!("CARGO_BIN_EXE_stockbook"))
        .current_dir(dir.path())
        .env_remove("STOCKBOOK_DB")
        .args(["products", "list"])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(3));
    let err = String::from_utf8(r.stderr).unwrap();
    assert!(
        err.starts_with("file error: ./stockbook.db: no such database"),
        "{err}"
    );
    assert!(!dir.path().join("stockbook.db").exists());
    // The in-memory engine does not use --db: it answers.
    let r = sb(&db, &["--engine", "memory", "products", "list"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(!db.exists());
    // A command that writes creates the database, as before; then reads work.
    ok(&db, &["products", "add", "--sku", "A", "--name", "A"]);
    assert!(db.exists());
    assert!(table(&db, &["products", "list"]).contains("A"));
    let fresh = dir.path().join("fresh.db");
    let r = sb(&fresh, &["exec"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(fresh.exists(), "exec may write: it creates the database");
}

#[test]
fn a_command_that_changes_existing_records_on_a_missing_database_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    // A slip file outside the directory checked for strays.
    let slip_dir = tempfile::tempdir().unwrap();
    let slip = slip_dir.path().join("slip.pdf");
    std::fs::write(&slip, b"%PDF-1.4\n").unwrap();
    let slip = slip.to_str().unwrap();
    let changes: Vec<Vec<&str>> = vec![
        vec!["stock", "add", "1", "5"],
        vec!["stock", "subtract", "1", "5", "--reason", "damaged"],
        vec!["stock", "set", "1", "5"],
        vec!["po", "create", "--supplier", "1"],
        vec!["po", "add-lines", "1", "--line", "1:5"],
        vec!["po", "order", "1"],
        vec!["po", "receive", "1", "--line", "1:5"],
        vec!["po", "receive", "1", "--all"],
        vec!["po", "return", "1", "--line", "1:5"],
        vec!["po", "cancel", "1"],
        vec!["po", "close", "1", "--backorder"],
        vec!["po", "attach-slip", "1", slip],
        vec!["alerts", "ack", "1"],
        vec!["token", "revoke", "1"],
        vec!["--engine", "wasm", "stock", "add", "1", "5"],
    ];
    for args in &changes {
        let r = sb(&db, args);
        assert_eq!(r.code, 3, "{args:?}: {}{}", r.out, r.err);
        assert!(
            r.err.starts_with(&format!(
                "file error: {}: no such database; a command that changes existing records",
                db.display()
            )),
            "{args:?}: {}",
            r.err
        );
        assert_eq!(r.out, "", "{args:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
    // Those that can succeed on an empty database create it.
    for (name, args) in [
        ("p.db", vec!["products", "add", "--sku", "A", "--name", "A"]),
        ("s.db", vec!["suppliers", "add", "--name", "Acme"]),
        ("t.db", vec!["token", "create", "--permissions", "admin"]),
    ] {
        let fresh = dir.path().join(name);
        let r = sb(&fresh, &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.err);
        assert!(fresh.exists(), "{args:?}");
    }
}

#[test]
fn a_directory_as_database_or_request_file_is_a_file_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        vec!["products", "list"],
        vec!["products", "add", "--sku", "A", "--name", "A"],
        vec!["exec"],
        vec!["token", "list"],
        vec!["token", "create", "--permissions", "admin"],
    ] {
        let r = sb(d, &args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.err);
        assert_eq!(
            r.err.trim(),
            format!(
                "file error: {}: is a directory, not a database file",
                d.display()
            ),
            "{args:?}"
        );
        assert_eq!(r.out, "", "{args:?}");
    }
    let db = d.join("shop.db");
    let sub = d.join("requests");
    std::fs::create_dir(&sub).unwrap();
    for batch in [false, true] {
        let mut args = vec!["exec", "--file", sub.to_str().unwrap()];
        if batch {
            args.push("--batch");
        }
        let r = sb(&db, &args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.err);
        assert_eq!(
            r.err.trim(),
            format!(
                "file error: {}: is a directory, not a file of requests",
                sub.display()
            ),
            "{args:?}"
        );
    }
}

#[test]
fn a_bad_ledger_date_names_its_option() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["products", "add", "--sku", "A", "--name", "A"]);
    for (args, opt, value) in [
        (vec!["ledger", "--from", "yesterday"], "--from", "yesterday"),
        (vec!["ledger", "--to", "2026-13-01"], "--to", "2026-13-01"),
        (
            vec!["ledger", "--from", "2026-01-01T00:00"],
            "--from",
            "2026-01-01T00:00",
        ),
    ] {
        let r = sb(&db, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.err);
        assert!(
            r.err
                .starts_with(&format!("usage error: {opt}: `{value}` is neither a date")),
            "{args:?}: {}",
            r.err
        );
        assert_eq!(r.out, "", "{args:?}");
    }
}

#[test]
fn a_bad_ledger_export_filter_leaves_the_out_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["products", "add", "--sku", "A", "--name", "A"]);
    let out = dir.path().join("ledger.csv");
    std::fs::write(&out, "yesterday's export\n").unwrap();
    let r = sb(
        &db,
        &[
            "ledger",
            "export",
            "--from",
            "bad",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.err);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "yesterday's export\n"
    );
    let r = sb(&db, &["ledger", "export", "--to", "2026-02-30"]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert_eq!(r.out, "", "nothing on stdout after a usage error");
}

#[test]
fn ledger_import_names_the_at_column_not_the_protocols_now() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["products", "add", "--sku", "A", "--name", "A"]);
    ok(&db, &["stock", "add", "1", "5"]);
    let csv = dir.path().join("l.csv");
    std::fs::write(
        &csv,
        "sku,quantity,at\nA,1,yesterday\nA,1,2020-01-01T00:00:00Z\n",
    )
    .unwrap();
    let r = sb(&db, &["ledger", "import", csv.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.err);
    let lines: Vec<&str> = r.err.lines().collect();
    assert_eq!(
        lines[0],
        "row 2: at: `yesterday` is not an RFC 3339 time (such as 2026-03-01T09:00:00Z)"
    );
    assert!(
        lines[1].starts_with("row 3: at: invalid_field: earlier than the newest movement"),
        "{}",
        r.err
    );
    assert!(!r.err.contains("`now`"), "{}", r.err);
    let r = sb(&db, &["--json", "ledger", "import", csv.to_str().unwrap()]);
    let v: Value = serde_json::from_str(r.out.trim()).unwrap();
    let rows = v["ok"]["refused_rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["column"] == "at"), "{v}");
}

#[test]
fn suppliers_show_prints_every_field_suppliers_add_takes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let s = ok(
        &db,
        &[
            "suppliers",
            "add",
            "--name",
            "Acme",
            "--contact",
            "Ann",
            "--email",
            "ann@acme.test",
            "--phone",
            "+49 30 1",
            "--address",
            "Main St 1",
            "--website",
            "https://acme.test",
            "--notes",
            "call before noon",
            "--po-delivery",
            "email",
        ],
    );
    assert_eq!(s["website"], "https://acme.test");
    let out = table(&db, &["suppliers", "show", "1"]);
    for (label, value) in [
        ("contact", "Ann"),
        ("email", "ann@acme.test"),
        ("phone", "+49 30 1"),
        ("address", "Main St 1"),
        ("website", "https://acme.test"),
        ("notes", "call before noon"),
        ("po delivery", "email"),
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(label) && l.ends_with(value)),
            "{label}: {value}\n{out}"
        );
    }
}

#[test]
fn slip_outputs_that_are_directories_are_refused_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    received_po(&db);
    let pdf = dir.path().join("slip.pdf");
    std::fs::write(&pdf, b"%PDF-1.4 slip").unwrap();
    ok(&db, &["po", "attach-slip", "1", pdf.to_str().unwrap()]);
    let target = dir.path().join("out");
    std::fs::create_dir(&target).unwrap();
    let t = target.to_str().unwrap();
    for args in [
        vec!["po", "slips-zip", "--year", "2026", "--out", t],
        vec!["po", "slip", "1", "--out", t],
        vec!["po", "slip", "1", "--out", t, "--force"],
    ] {
        let r = sb(&db, &args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.err);
        assert!(
            r.err
                .starts_with(&format!("file error: {t}: is a directory; --out names the")),
            "{args:?}: {}",
            r.err
        );
        assert!(!r.err.contains("--force"), "{args:?}: {}", r.err);
        assert!(
            !dir.path().join("out.zip.partial").exists(),
            "{args:?} left a partial ZIP"
        );
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0, "{args:?}");
    }
    // Into a file, the ZIP is written and no temporary file stays.
    let zip = dir.path().join("2026.zip");
    let v = ok(
        &db,
        &[
            "po",
            "slips-zip",
            "--year",
            "2026",
            "--out",
            zip.to_str().unwrap(),
        ],
    );
    assert_eq!(v["count"], 1, "{v}");
    assert!(zip.exists() && !dir.path().join("2026.zip.partial").exists());
}

#[test]
fn a_subcommands_help_lists_its_own_options_apart_from_the_global_ones() {
    let help = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_stockbook"))
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    for (args, own) in [
        (vec!["stock", "add"], "--location"),
        (vec!["ledger"], "--type <TYPE>"),
        (vec!["po", "receive"], "--slip-number"),
    ] {
        let h = help(&args);
        let (own_part, global) = h
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{args:?}: no global options heading\n{h}"));
        assert!(own_part.contains(own), "{args:?}\n{h}");
        for g in ["--db", "--engine", "--actor", "--json", "--cache-mib"] {
            assert!(!own_part.contains(g), "{args:?}: {g} among its own\n{h}");
            assert!(global.contains(g), "{args:?}: {g}\n{h}");
        }
    }
}

#[test]
fn a_negative_amount_is_refused_naming_its_field_not_taken_for_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["products", "add", "--sku", "A", "--name", "A"]);
    for (args, field) in [
        (
            vec![
                "products", "add", "--sku", "B", "--name", "B", "--price", "-1",
            ],
            "price",
        ),
        (
            vec![
                "products",
                "add",
                "--sku",
                "B",
                "--name",
                "B",
                "--purchase-price",
                "-1",
            ],
            "purchase_price",
        ),
        (
            vec![
                "products",
                "add",
                "--sku",
                "B",
                "--name",
                "B",
                "--threshold",
                "-1",
            ],
            "low_stock_threshold",
        ),
        (vec!["stock", "add", "1", "-5"], "quantity"),
        (
            vec!["stock", "set", "1", "-5", "--reason", "count"],
            "quantity",
        ),
    ] {
        let r = sb(&db, &args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.err);
        assert_eq!(
            r.err.trim(),
            format!("error: invalid_field: invalid field `{field}`: must be >= 0"),
            "{args:?}"
        );
    }
    let r = sb(&db, &["stock", "set", "1", "5", "--expected", "-1"]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.starts_with("error: conflict: "), "{}", r.err);
}

#[test]
fn every_refusal_with_json_prints_one_error_object_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    received_po(&db);
    let pdf = dir.path().join("slip.pdf");
    std::fs::write(&pdf, b"%PDF-1.4 slip").unwrap();
    let pdf = pdf.to_str().unwrap();
    let out = dir.path().join("fetched.pdf");
    let out = out.to_str().unwrap();
    for args in [
        // Refused by the command's own request (printed before too).
        vec!["po", "order", "99"],
        // By a request made on the way.
        vec!["po", "add-lines", "99", "--line", "1:5"],
        vec!["po", "receive", "99", "--all"],
        vec!["po", "attach-slip", "99", pdf],
        // By the host.
        vec!["alerts", "ack", "99"],
        vec!["po", "slip", "1", "--out", out],
    ] {
        let mut all = vec!["--json"];
        all.extend_from_slice(&args);
        let r = sb(&db, &all);
        assert_eq!(r.code, 1, "{args:?}: {}", r.err);
        assert_eq!(r.out.lines().count(), 1, "{args:?}: {}", r.out);
        let v: Value = serde_json::from_str(r.out.trim()).unwrap();
        assert_eq!(v["error"]["code"], "not_found", "{args:?}: {v}");
        assert!(v["error"]["message"].is_string(), "{args:?}: {v}");
        assert!(v["error"]["details"].is_object(), "{args:?}: {v}");
    }
    // A refused line of `exec` is answered in its place, once.
    let r = Command::new(env!("CARGO_BIN_EXE_stockbook"))
        .arg("--db")
        .arg(&db)
        .args(["--json", "exec"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"nonsense\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(String::from_utf8(r.stdout).unwrap().lines().count(), 1);
}

#[test]
fn an_alert_id_given_twice_is_acknowledged_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["products", "add", "--sku", "A", "--name", "A"]);
    ok(&db, &["stock", "add", "1", "10"]);
    ok(&db, &["stock", "set", "1", "1"]);
    let alerts = ok(&db, &["alerts", "list"]);
    let id = alerts[0]["id"].to_string();
    let r = sb(&db, &["alerts", "ack", &id, &id]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(ok(&db, &["alerts", "list"]), serde_json::json!([]));
}

#[test]
fn imports_with_json_print_one_object_a_script_can_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("j.db");
    let db = db.as_path();
    let products = dir.path().join("p.csv");
    std::fs::write(
        &products,
        "sku,name,on_hand,track_inventory,id\n\
         G1,Good,7,,9\n\
         N1,Negative,-5,,1\n\
         X1,Bad flag,1,maybe,3\n\
         G1,Same sku,1,,4\n\
         L1,Too long,1,,5,6\n",
    )
    .unwrap();
    let r = sb(
        db,
        &["--json", "products", "import", products.to_str().unwrap()],
    );
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(r.out.lines().count(), 1, "{}", r.out);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    let ok = &v["ok"];
    assert_eq!(
        (ok["imported"].as_u64(), ok["refused"].as_u64()),
        (Some(1), Some(4))
    );
    assert_eq!(ok["ignored_columns"], serde_json::json!(["id"]));
    let rows = ok["refused_rows"].as_array().unwrap();
    let got: Vec<(u64, Value, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["column"].clone(),
                r["code"].as_str().unwrap(),
            )
        })
        .collect();
    let want = [
        (3, "on_hand".into(), "invalid_field"),
        (4, "track_inventory".into(), "invalid_field"),
        (5, "sku".into(), "duplicate"),
        (6, Value::Null, "invalid_request"),
    ];
    assert_eq!(got, want, "{}", r.out);
    assert_eq!(rows[0]["details"]["field"], "quantity", "{}", r.out);
    assert_eq!(rows[2]["details"]["value"], "G1", "{}", r.out);
    assert!(rows
        .iter()
        .all(|r| r["message"].as_str().is_some_and(|m| !m.is_empty())));
    // The rows are not said a second time on stderr; the refusal is.
    assert!(!r.err.contains("row 3:"), "{}", r.err);
    assert!(r.err.contains("error: some_refused: 4 row(s)"), "{}", r.err);

    // Every row imported: exit 0, nothing refused.
    let more = dir.path().join("more.csv");
    std::fs::write(&more, "sku,name\nM1,More\n").unwrap();
    let r = sb(
        db,
        &["--json", "products", "import", more.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(
        v["ok"],
        serde_json::json!({"imported": 1, "refused": 0, "refused_rows": [], "ignored_columns": []})
    );

    // The ledger import says the same things the same way.
    let moves = dir.path().join("m.csv");
    std::fs::write(
        &moves,
        "sku,quantity,at\nG1,2,\nNOPE,1,\nG1,lots,\nG1,1,2000-01-01T00:00:00Z\n",
    )
    .unwrap();
    let r = sb(db, &["--json", "ledger", "import", moves.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.err);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v["ok"]["imported"], 1);
    let rows = v["ok"]["refused_rows"].as_array().unwrap();
    let got: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {} {}", r["row"], r["column"], r["code"]))
        .collect();
    // A backdated row: the engine refuses the request's `now`, the row's `at`.
    let want = [
        r#"3 "sku" "not_found""#,
        r#"4 "quantity" "invalid_field""#,
        r#"5 "at" "invalid_field""#,
    ];
    assert_eq!(got, want, "{}", r.out);
    assert_eq!(rows[2]["details"]["field"], "now", "{}", r.out);
    assert_eq!(ok_stock(db), "9");

    for cmd in ["products", "ledger"] {
        let help = table(db, &[cmd, "import", "--help"]);
        assert!(
            help.contains("refused_rows") && help.contains("--json"),
            "{help}"
        );
    }
}

/// Product 1's total on hand.
fn ok_stock(db: &Path) -> String {
    ok(db, &["stock", "show", "1"])["totals"]["on_hand"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn csv_files_without_a_usable_header_are_file_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let db = db.as_path();
    ok(db, &["products", "add", "--sku", "A", "--name", "A"]);
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cases = [
        (
            "products",
            file("empty.csv", ""),
            "empty: no header row (it needs the columns `sku`, `name`)",
        ),
        ("ledger", file("empty.csv", ""), "empty: no header row"),
        (
            "products",
            file("noname.csv", "sku,price\nB,1\n"),
            "missing column `name` (the header is `sku,price`)",
        ),
        (
            "products",
            file("semi.csv", "sku;name\nB;B\n"),
            "missing columns `sku`, `name` (the header is `sku;name`)",
        ),
        (
            "ledger",
            file("noqty.csv", "sku,amount\nA,1\n"),
            "missing column `quantity`",
        ),
        (
            "ledger",
            file("noprod.csv", "quantity\n1\n"),
            "missing column `sku` or `product_id`",
        ),
        (
            "products",
            file("twice.csv", "sku,name,SKU\nB,B,C\n"),
            "column `sku` appears twice in the header",
        ),
        (
            "ledger",
            file("twice.csv", "sku,name,SKU\nB,B,C\n"),
            "column `sku` appears twice",
        ),
    ];
    for (cmd, path, why) in &cases {
        for json in [false, true] {
            let mut args = vec![*cmd, "import", path.as_str()];
            if json {
                args.insert(0, "--json");
            }
            let r = sb(db, &args);
            assert_eq!(r.code, 3, "{args:?}: {}", r.err);
            assert!(
                r.err.starts_with(&format!("file error: {path}: {why}")),
                "{args:?}: {}",
                r.err
            );
            assert_eq!(r.out, "", "{args:?}");
        }
    }
    // Nothing was imported.
    let list = ok(db, &["products", "list"]);
    assert_eq!(list["total_count"], 1, "{list}");
    assert_eq!(ok_stock(db), "0");
    // A header without rows is a file with nothing to import: fine.
    let r = sb(db, &["products", "import", &file("head.csv", "sku,name\n")]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(
        r.err.contains("products: 0 imported, 0 refused"),
        "{}",
        r.err
    );
}

#[test]
fn a_slips_zip_year_no_date_can_have_is_a_usage_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    received_po(&db);
    let zip = dir.path().join("y.zip");
    let z = zip.to_str().unwrap();
    for year in ["--year=0", "--year=-5", "--year=10000"] {
        let r = sb(&db, &["po", "slips-zip", year, "--out", z]);
        assert_eq!(r.code, 2, "{year}: {}", r.err);
        assert!(r.err.contains("--year"), "{year}: {}", r.err);
        assert!(!zip.exists(), "{year} wrote a ZIP");
    }
    let r = sb(&db, &["po", "slips-zip", "--year", "9999", "--out", z]);
    assert_eq!(r.code, 0, "{}", r.err);
}

#[test]
fn serve_on_a_taken_address_is_a_server_error_not_a_database_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let r = sb(&db, &["serve", "--addr", &addr]);
    assert_eq!(r.code, 3, "{}", r.err);
    // (Warnings about the page's files may come first: the test runs
    // outside the repository root.)
    let last = r.err.lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!("server error: cannot listen on {addr}: ")),
        "{}",
        r.err
    );
    assert!(!db.exists(), "a failed start created the database");
}
