//! The subcommands: each builds protocol requests and prints the answers.

use super::args::*;
use super::output::{cell, fields, say, table};
use super::{transfer, Ctx, Failure, Outcome};
use crate::slips;
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Map, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use stockbook_core::decimal::Quantity;

fn usage(m: impl Into<String>) -> Failure {
    Failure::Usage(m.into())
}

/// Adds `key: value` to an args object when the value is present.
fn put<T: serde::Serialize>(m: &mut Map<String, Value>, key: &str, v: Option<T>) {
    if let Some(v) = v {
        m.insert(key.into(), json!(v));
    }
}

// ---- exec ----

/// `exec`: JSON Lines in, one answer per line out (blank lines are skipped).
///
/// Each request runs in its own transaction and is answered at once; with
/// `--batch` all of them run in ONE transaction (refused ones skipped) and the
/// answers are printed once it committed. A line that is not a request (bad
/// JSON, not UTF-8, unknown command) answers `invalid_request` and the next
/// line goes on. A storage failure stops `exec` with exit 3: in a batch
/// nothing was applied; otherwise the lines answered so far stand.
pub fn exec(ctx: &mut Ctx, a: ExecArgs) -> Outcome {
    let (mut input, size): (Box<dyn BufRead>, Option<u64>) = match &a.file {
        Some(f) => {
            let file = std::fs::File::open(f).map_err(|e| Failure::file(f, e))?;
            let meta = file.metadata().ok();
            // A directory opens, and then every read fails with no path.
            if meta.as_ref().is_some_and(std::fs::Metadata::is_dir) {
                return Err(Failure::file(f, "is a directory, not a file of requests"));
            }
            let size = meta.map(|m| m.len());
            (Box::new(BufReader::new(file)), size)
        }
        None => (Box::new(BufReader::new(std::io::stdin())), None),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut refused = false;
    let mut answer = |out: &mut dyn Write, text: &str| -> Outcome {
        refused |= text.starts_with(r#"{"error""#);
        writeln!(out, "{text}")?;
        Ok(())
    };
    if a.batch {
        let quiet = ctx.quiet;
        let store = ctx.sqlite("exec --batch")?;
        // Progress in bytes of the file (stdin: a spinner).
        let bar = transfer::bar(size.unwrap_or(0), quiet, "bytes of requests");
        let answers = store.batch(|b| {
            let mut answers = Vec::new();
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match input.read_until(b'\n', &mut buf) {
                    Ok(0) => break,
                    Ok(n) => bar.inc(n as u64),
                    Err(e) => {
                        b.abort(e.into());
                        break;
                    }
                }
                if let Some(text) = request_text(&buf) {
                    answers.push(match text {
                        Ok(line) => b.execute_json(line),
                        Err(bad) => bad,
                    });
                }
            }
            answers
        })?;
        bar.finish_and_clear();
        for r in &answers {
            answer(&mut out, r)?;
        }
    } else {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            if input.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            if let Some(text) = request_text(&buf) {
                let r = match text {
                    Ok(line) => ctx.send_raw(line)?,
                    Err(bad) => bad,
                };
                answer(&mut out, &r)?;
                out.flush()?;
            }
        }
    }
    out.flush()?;
    if refused {
        return Err(Failure::Refused {
            code: "some_refused".into(),
            message: "at least one request was answered with an error".into(),
        });
    }
    Ok(())
}

/// One input line: `None` when blank, the request text, or (not UTF-8) the
/// `invalid_request` answer for it.
fn request_text(line: &[u8]) -> Option<Result<&str, String>> {
    match std::str::from_utf8(line) {
        Ok(l) if l.trim().is_empty() => None,
        Ok(l) => Some(Ok(l.trim_end_matches(['\n', '\r']))),
        Err(_) => Some(Err(stockbook_core::protocol::answer_json(&Err(
            stockbook_core::Error::request("not valid UTF-8"),
        )))),
    }
}

// ---- products ----

fn product_row(v: &Value) -> Vec<String> {
    let p = &v["product"];
    vec![
        cell(&p["id"]),
        cell(&p["sku"]),
        cell(&p["name"]),
        cell(&v["stock"]["on_hand"]),
        cell(&v["stock"]["available"]),
        cell(&v["stock"]["incoming"]),
        cell(&p["unit"]),
        if v["stock"]["low_stock"] == json!(true) {
            "yes".into()
        } else {
            String::new()
        },
    ]
}

const PRODUCT_HEADERS: [&str; 8] = [
    "ID",
    "SKU",
    "NAME",
    "ON HAND",
    "AVAILABLE",
    "INCOMING",
    "UNIT",
    "LOW STOCK",
];

fn show_product_view(v: &Value) {
    let p = &v["product"];
    fields(&[
        ("id", cell(&p["id"])),
        ("sku", cell(&p["sku"])),
        ("name", cell(&p["name"])),
        ("article number", cell(&p["article_number"])),
        ("ean", cell(&p["ean"])),
        ("price", cell(&p["price"])),
        ("purchase price", cell(&p["purchase_price"])),
        ("unit", cell(&p["unit"])),
        ("tracked", cell(&p["track_inventory"])),
        ("low-stock threshold", cell(&p["low_stock_threshold"])),
        ("archived", cell(&p["archived"])),
        ("on hand", cell(&v["stock"]["on_hand"])),
        ("available", cell(&v["stock"]["available"])),
        ("incoming", cell(&v["stock"]["incoming"])),
    ]);
    stock_table(v["locations"].as_array());
}

fn stock_table(levels: Option<&Vec<Value>>) {
    let rows: Vec<Vec<String>> = levels
        .into_iter()
        .flatten()
        .map(|l| {
            vec![
                cell(&l["location_id"]),
                cell(&l["on_hand"]),
                cell(&l["held"]),
                cell(&l["incoming"]),
            ]
        })
        .collect();
    if !rows.is_empty() {
        say!();
        table(&["LOCATION", "ON HAND", "HELD", "INCOMING"], &rows);
    }
}

/// `products ...`.
pub fn products(ctx: &mut Ctx, c: ProductsCmd) -> Outcome {
    match c {
        ProductsCmd::Add(a) => {
            let mut m = Map::new();
            m.insert("sku".into(), json!(a.sku));
            m.insert("name".into(), json!(a.name));
            put(&mut m, "ean", a.ean);
            put(&mut m, "price", a.price);
            put(&mut m, "purchase_price", a.purchase_price);
            put(&mut m, "unit", a.unit);
            put(&mut m, "low_stock_threshold", a.threshold);
            put(&mut m, "decimal_places", a.decimal_places);
            put(&mut m, "category_id", a.category);
            put(&mut m, "supplier_id", a.supplier);
            if a.untracked {
                m.insert("track_inventory".into(), json!(false));
            }
            ctx.run("create_product", Value::Object(m), |p| {
                say!(
                    "created product {} ({} {})",
                    cell(&p["id"]),
                    cell(&p["sku"]),
                    cell(&p["article_number"])
                );
            })
        }
        ProductsCmd::List {
            search,
            low_stock,
            archived,
            page,
            page_size,
        } => {
            let mut m = Map::new();
            put(&mut m, "search", search);
            put(&mut m, "page", page);
            put(&mut m, "page_size", page_size);
            m.insert("low_stock_only".into(), json!(low_stock));
            m.insert("include_archived".into(), json!(archived));
            ctx.run("list_products", Value::Object(m), |v| {
                let rows: Vec<Vec<String>> = items(v).iter().map(product_row).collect();
                table(&PRODUCT_HEADERS, &rows);
                page_note(v);
            })
        }
        ProductsCmd::Show { id } => ctx.run("get_product", json!({"id": id}), show_product_view),
        ProductsCmd::Import { file } => transfer::import_products(ctx, &file),
        ProductsCmd::Export { out } => transfer::export_products(ctx, out.as_deref()),
    }
}

fn items(v: &Value) -> &[Value] {
    v["items"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn page_note(v: &Value) {
    if v["has_more"] == json!(true) {
        eprintln!(
            "page {} of {} ({} in all); --page {} for more",
            cell(&v["page"]),
            cell(&v["page_count"]),
            cell(&v["total_count"]),
            v["page"].as_u64().unwrap_or(1) + 1
        );
    }
}

// ---- stock ----

/// `stock ...`.
pub fn stock(ctx: &mut Ctx, c: StockCmd) -> Outcome {
    let (op, a) = match c {
        StockCmd::Add(a) => ("add", a),
        StockCmd::Subtract(a) => ("subtract", a),
        StockCmd::Set(a) => ("set", a),
        StockCmd::Show { product } => {
            return ctx.run("get_stock", json!({"product_id": product}), |v| {
                fields(&[
                    ("product", cell(&v["product_id"])),
                    ("on hand", cell(&v["totals"]["on_hand"])),
                    ("available", cell(&v["totals"]["available"])),
                    ("incoming", cell(&v["totals"]["incoming"])),
                ]);
                stock_table(v["locations"].as_array());
            })
        }
    };
    let mut m = Map::new();
    m.insert("product_id".into(), json!(a.product));
    m.insert("operation".into(), json!(op));
    m.insert("quantity".into(), json!(a.quantity));
    put(&mut m, "location_id", a.location);
    put(&mut m, "reason", a.reason);
    put(&mut m, "expected_on_hand", a.expected);
    ctx.run_keyed("update_stock", Value::Object(m), a.key.as_deref(), |v| {
        let s = &v["stock"];
        match v["movement"].as_object() {
            Some(mv) => say!(
                "movement {}: {} {} -> on hand {} at location {}",
                cell(&mv["seq"]),
                cell(&mv["type"]),
                cell(&mv["quantity"]),
                cell(&s["on_hand"]),
                cell(&s["location_id"])
            ),
            None => say!(
                "no change: on hand {} at location {}",
                cell(&s["on_hand"]),
                cell(&s["location_id"])
            ),
        }
    })
}

// ---- ledger ----

/// A date (`YYYY-MM-DD`, UTC midnight; `end` takes the next midnight so the
/// day is included) or an RFC 3339 time, given as the option `opt`.
fn time_arg(opt: &str, s: &str, end: bool) -> Outcome<String> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let d = if end {
            d.succ_opt()
                .ok_or_else(|| usage(format!("{opt}: date out of range: {s}")))?
        } else {
            d
        };
        return Ok(format!("{d}T00:00:00Z"));
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|_| s.to_string())
        .map_err(|_| {
            usage(format!(
                "{opt}: `{s}` is neither a date (YYYY-MM-DD) nor an RFC 3339 time \
                 (such as 2026-03-01T09:00:00Z)"
            ))
        })
}

/// The `list_movements` arguments of a filter.
pub fn ledger_args(f: &LedgerFilter) -> Outcome<Map<String, Value>> {
    let mut m = Map::new();
    put(&mut m, "product_id", f.product);
    put(&mut m, "location_id", f.location);
    put(&mut m, "type", f.kind.clone());
    if let Some(s) = &f.from {
        m.insert("from".into(), json!(time_arg("--from", s, false)?));
    }
    if let Some(s) = &f.to {
        m.insert("to".into(), json!(time_arg("--to", s, true)?));
    }
    Ok(m)
}

/// A ledger table row; `requested` adds what a clamped movement asked for.
fn movement_row(m: &Value, requested: bool) -> Vec<String> {
    let mut row = vec![
        cell(&m["seq"]),
        cell(&m["at"]),
        cell(&m["product_id"]),
        cell(&m["location_id"]),
        cell(&m["type"]),
        cell(&m["quantity"]),
    ];
    if requested {
        row.push(cell(&m["requested"]));
    }
    row.extend([
        cell(&m["balance_after"]),
        cell(&m["reason"]),
        cell(&m["source"]["actor"]),
    ]);
    row
}

/// `ledger ...`.
pub fn ledger(ctx: &mut Ctx, a: LedgerArgs) -> Outcome {
    match a.cmd {
        Some(LedgerCmd::Export { filter, out }) => {
            transfer::export_ledger(ctx, &filter, out.as_deref())
        }
        Some(LedgerCmd::Import { file }) => transfer::import_ledger(ctx, &file),
        None => {
            let mut m = ledger_args(&a.filter)?;
            put(&mut m, "limit", a.limit);
            put(&mut m, "after_seq", a.after);
            ctx.run("list_movements", Value::Object(m), |v| {
                let moves: &[Value] = v["movements"].as_array().map_or(&[], Vec::as_slice);
                // A subtraction clamped at zero moved less than it asked:
                // then the table shows what was requested.
                let clamped = moves.iter().any(|m| !m["requested"].is_null());
                let rows: Vec<Vec<String>> =
                    moves.iter().map(|m| movement_row(m, clamped)).collect();
                let mut headers = vec!["SEQ", "AT", "PRODUCT", "LOCATION", "TYPE", "QUANTITY"];
                if clamped {
                    headers.push("REQUESTED");
                }
                headers.extend(["BALANCE", "REASON", "ACTOR"]);
                table(&headers, &rows);
                if let Some(n) = v["next_after_seq"].as_u64() {
                    eprintln!("more: --after {n}");
                }
            })
        }
    }
}

// ---- suppliers ----

/// `suppliers ...`.
pub fn suppliers(ctx: &mut Ctx, c: SuppliersCmd) -> Outcome {
    match c {
        SuppliersCmd::Add {
            name,
            contact,
            email,
            phone,
            address,
            website,
            notes,
            po_delivery,
        } => {
            let mut m = Map::new();
            m.insert("name".into(), json!(name));
            put(&mut m, "contact_person", contact);
            put(&mut m, "email", email);
            put(&mut m, "phone", phone);
            put(&mut m, "address", address);
            put(&mut m, "website", website);
            put(&mut m, "notes", notes);
            put(&mut m, "po_delivery", po_delivery);
            ctx.run("create_supplier", Value::Object(m), |s| {
                say!(
                    "created supplier {} ({} {})",
                    cell(&s["id"]),
                    cell(&s["creditor_number"]),
                    cell(&s["name"])
                );
            })
        }
        SuppliersCmd::List {
            search,
            active,
            page,
        } => {
            let mut m = Map::new();
            put(&mut m, "search", search);
            put(&mut m, "active", active);
            put(&mut m, "page", page);
            ctx.run("list_suppliers", Value::Object(m), |v| {
                let rows: Vec<Vec<String>> = items(v)
                    .iter()
                    .map(|s| {
                        vec![
                            cell(&s["id"]),
                            cell(&s["creditor_number"]),
                            cell(&s["name"]),
                            cell(&s["email"]),
                            cell(&s["active"]),
                        ]
                    })
                    .collect();
                table(&["ID", "CREDITOR", "NAME", "EMAIL", "ACTIVE"], &rows);
                page_note(v);
            })
        }
        SuppliersCmd::Show { id } => ctx.run("get_supplier", json!({"id": id}), |v| {
            let s = &v["supplier"];
            fields(&[
                ("id", cell(&s["id"])),
                ("creditor number", cell(&s["creditor_number"])),
                ("name", cell(&s["name"])),
                ("contact", cell(&s["contact_person"])),
                ("email", cell(&s["email"])),
                ("phone", cell(&s["phone"])),
                ("address", cell(&s["address"])),
                ("website", cell(&s["website"])),
                ("notes", cell(&s["notes"])),
                ("po delivery", cell(&s["po_delivery"])),
                ("active", cell(&s["active"])),
            ]);
            let pos = v["recent_purchase_orders"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if !pos.is_empty() {
                say!();
                po_summary_table(pos);
            }
        }),
    }
}

// ---- purchase orders ----

fn parse_id(s: &str, what: &str) -> Outcome<u64> {
    s.trim()
        .parse()
        .map_err(|_| usage(format!("{what}: `{s}` is not an id")))
}

/// `--line PRODUCT_ID:QUANTITY[:UNIT_COST[:LOCATION_ID]]` and
/// `--text-line QUANTITY:UNIT_COST:DESCRIPTION`.
fn line_inputs(l: &PoLines) -> Outcome<Vec<Value>> {
    let mut out = Vec::new();
    for s in &l.lines {
        let p: Vec<&str> = s.split(':').collect();
        if p.len() < 2 || p.len() > 4 {
            return Err(usage(format!(
                "--line `{s}`: expected PRODUCT_ID:QUANTITY[:UNIT_COST[:LOCATION_ID]]"
            )));
        }
        let mut m = Map::new();
        m.insert("product_id".into(), json!(parse_id(p[0], "--line")?));
        m.insert("quantity".into(), json!(p[1]));
        if let Some(c) = p.get(2).filter(|c| !c.is_empty()) {
            m.insert("unit_cost".into(), json!(c));
        }
        if let Some(loc) = p.get(3) {
            m.insert("location_id".into(), json!(parse_id(loc, "--line")?));
        }
        out.push(Value::Object(m));
    }
    for s in &l.text_lines {
        let p: Vec<&str> = s.splitn(3, ':').collect();
        if p.len() != 3 {
            return Err(usage(format!(
                "--text-line `{s}`: expected QUANTITY:UNIT_COST:DESCRIPTION"
            )));
        }
        out.push(json!({"quantity": p[0], "unit_cost": p[1], "description": p[2]}));
    }
    Ok(out)
}

/// `--line LINE_NO:QUANTITY[:LOCATION_ID]` of a receipt or a return.
fn line_quantities(lines: &[String]) -> Outcome<Vec<Value>> {
    let mut out = Vec::new();
    for s in lines {
        let p: Vec<&str> = s.split(':').collect();
        if p.len() < 2 || p.len() > 3 {
            return Err(usage(format!(
                "--line `{s}`: expected LINE_NO:QUANTITY[:LOCATION_ID]"
            )));
        }
        let line_no: u32 = p[0]
            .trim()
            .parse()
            .map_err(|_| usage(format!("--line `{s}`: bad line number")))?;
        let mut m = json!({"line_no": line_no, "quantity": p[1]});
        if let Some(loc) = p.get(2) {
            m["location_id"] = json!(parse_id(loc, "--line")?);
        }
        out.push(m);
    }
    Ok(out)
}

fn po_summary_table(pos: &[Value]) {
    let rows: Vec<Vec<String>> = pos
        .iter()
        .map(|p| {
            vec![
                cell(&p["id"]),
                cell(&p["number"]),
                cell(&p["supplier_id"]),
                cell(&p["status"]),
                cell(&p["order_date"]),
                cell(&p["line_count"]),
                cell(&p["total"]),
                cell(&p["received_total"]),
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "NUMBER",
            "SUPPLIER",
            "STATUS",
            "ORDER DATE",
            "LINES",
            "TOTAL",
            "RECEIVED",
        ],
        &rows,
    );
}

fn show_po(v: &Value) {
    let p = &v["purchase_order"];
    let r = &p["references"];
    let mut pairs = vec![
        ("id", cell(&p["id"])),
        ("number", cell(&p["number"])),
        ("supplier", cell(&p["supplier_id"])),
        ("status", cell(&p["status"])),
        ("order date", cell(&p["order_date"])),
        ("expected", cell(&p["expected_date"])),
        ("received", cell(&p["received_date"])),
        ("vendor reference", cell(&p["vendor_reference"])),
        ("packing slip no.", cell(&p["packing_slip_number"])),
        ("exported", cell(&p["exported"])),
        ("total", cell(&v["total"])),
        ("received total", cell(&v["received_total"])),
    ];
    for k in ["job", "project", "technician", "business_unit", "po_type"] {
        if !r[k].is_null() {
            pairs.push((k, cell(&r[k])));
        }
    }
    if !p["notes"].is_null() {
        pairs.push(("notes", cell(&p["notes"])));
    }
    fields(&pairs);
    let rows: Vec<Vec<String>> = p["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            vec![
                cell(&l["line_no"]),
                cell(&l["product_id"]),
                cell(&l["description"]),
                cell(&l["quantity"]),
                cell(&l["unit_cost"]),
                cell(&l["location_id"]),
                cell(&l["received"]),
                cell(&l["returned"]),
            ]
        })
        .collect();
    say!();
    table(
        &[
            "LINE",
            "PRODUCT",
            "DESCRIPTION",
            "QTY",
            "UNIT COST",
            "LOCATION",
            "RECEIVED",
            "RETURNED",
        ],
        &rows,
    );
    if let Some(b) = v["backorder"].as_object() {
        say!(
            "\nbackorder created: {} (id {})",
            cell(&b["number"]),
            cell(&b["id"])
        );
    }
}

/// `po ...`.
pub fn po(ctx: &mut Ctx, c: PoCmd, db: &Path) -> Outcome {
    match c {
        PoCmd::Create {
            supplier,
            header: h,
            lines,
        } => {
            let mut m = Map::new();
            m.insert("supplier_id".into(), json!(supplier));
            put(&mut m, "number", h.number);
            put(&mut m, "vendor_reference", h.vendor_ref);
            put(&mut m, "notes", h.notes);
            put(&mut m, "order_date", h.order_date);
            put(&mut m, "expected_date", h.expected_date);
            put(&mut m, "packing_slip_number", h.slip_number);
            let mut r = Map::new();
            put(&mut r, "job", h.job);
            put(&mut r, "project", h.project);
            put(&mut r, "technician", h.technician);
            put(&mut r, "business_unit", h.business_unit);
            put(&mut r, "po_type", h.po_type);
            if !r.is_empty() {
                m.insert("references".into(), Value::Object(r));
            }
            m.insert("lines".into(), Value::Array(line_inputs(&lines)?));
            ctx.run("create_purchase_order", Value::Object(m), show_po)
        }
        PoCmd::AddLines { id, lines } => {
            let new = line_inputs(&lines)?;
            if new.is_empty() {
                return Err(usage("give at least one --line or --text-line"));
            }
            let cur = ctx.call("get_purchase_order", json!({"id": id}))?;
            let mut all: Vec<Value> = cur["purchase_order"]["lines"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| {
                    let mut m = Map::new();
                    if !l["product_id"].is_null() {
                        m.insert("product_id".into(), l["product_id"].clone());
                    }
                    for k in ["description", "quantity", "unit_cost", "location_id"] {
                        m.insert(k.into(), l[k].clone());
                    }
                    Value::Object(m)
                })
                .collect();
            all.extend(new);
            ctx.run(
                "update_purchase_order",
                json!({"id": id, "lines": all}),
                show_po,
            )
        }
        PoCmd::Order { id } => ctx.run("order_purchase_order", json!({"id": id}), show_po),
        PoCmd::Cancel { id } => ctx.run("cancel_purchase_order", json!({"id": id}), show_po),
        PoCmd::Close { id, backorder } => ctx.run(
            "close_purchase_order",
            json!({"id": id, "create_backorder": backorder}),
            show_po,
        ),
        PoCmd::Show { id } => ctx.run("get_purchase_order", json!({"id": id}), show_po),
        PoCmd::Receive {
            id,
            lines,
            all,
            date,
            slip_number,
            key,
        } => {
            let mut rl = Vec::new();
            if all {
                let cur = ctx.call("get_purchase_order", json!({"id": id}))?;
                for l in cur["purchase_order"]["lines"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let q: Quantity = cell(&l["quantity"]).parse().unwrap_or_default();
                    let r: Quantity = cell(&l["received"]).parse().unwrap_or_default();
                    let o = q - r;
                    if !o.is_negative() && !o.is_zero() {
                        rl.push(json!({"line_no": l["line_no"], "quantity": o.to_string()}));
                    }
                }
            } else {
                rl = line_quantities(&lines)?;
            }
            // With --all and nothing outstanding the request still goes out:
            // the engine says why (a received or closed PO: invalid_transition).
            if rl.is_empty() && !all {
                return Err(usage(
                    "nothing to receive: give --line LINE_NO:QUANTITY or --all",
                ));
            }
            let mut m = Map::new();
            m.insert("id".into(), json!(id));
            m.insert("lines".into(), Value::Array(rl));
            put(&mut m, "received_date", date);
            put(&mut m, "packing_slip_number", slip_number);
            ctx.run_keyed(
                "receive_purchase_order",
                Value::Object(m),
                key.as_deref(),
                show_po,
            )
        }
        PoCmd::Return {
            id,
            lines,
            reason,
            key,
        } => {
            let mut m = Map::new();
            m.insert("id".into(), json!(id));
            m.insert("lines".into(), Value::Array(line_quantities(&lines)?));
            put(&mut m, "reason", reason);
            ctx.run_keyed(
                "return_to_supplier",
                Value::Object(m),
                key.as_deref(),
                show_po,
            )
        }
        PoCmd::List {
            status,
            supplier,
            product,
            from,
            to,
            sort,
            asc,
            page,
            page_size,
        } => {
            let mut m = Map::new();
            put(&mut m, "status", status);
            put(&mut m, "supplier_id", supplier);
            put(&mut m, "product_id", product);
            put(&mut m, "from", from);
            put(&mut m, "to", to);
            put(&mut m, "sort", sort);
            m.insert("direction".into(), json!(if asc { "asc" } else { "desc" }));
            put(&mut m, "page", page);
            put(&mut m, "page_size", page_size);
            ctx.run("list_purchase_orders", Value::Object(m), |v| {
                po_summary_table(items(v));
                page_note(v);
            })
        }
        PoCmd::AttachSlip { id, file, replace } => attach_slip(ctx, id, &file, replace),
        PoCmd::Slip { id, out, force } => {
            let store = ctx.sqlite("packing slips")?;
            let (slip, path) = slips::fetch(store, id)?;
            if out.is_dir() {
                return Err(Failure::file(
                    &out,
                    "is a directory; --out names the file to write",
                ));
            }
            let mut from = std::fs::File::open(&path).map_err(|e| Failure::file(&path, e))?;
            let mut to = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .create_new(!force)
                .open(&out)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => {
                        Failure::file(&out, "exists already; give --force to overwrite it")
                    }
                    _ => Failure::file(&out, e),
                })?;
            std::io::copy(&mut from, &mut to).map_err(|e| Failure::file(&out, e))?;
            if ctx.json {
                say!("{}", json!({"ok": slip}));
            } else {
                say!("{} -> {}", slip.file_name, out.display());
            }
            Ok(())
        }
        PoCmd::SlipsZip { year, out } => {
            let year = year.unwrap_or_else(|| crate::now().year());
            let _ = db;
            let store = ctx.sqlite("packing slips")?;
            if out.is_dir() {
                return Err(Failure::file(
                    &out,
                    "is a directory; --out names the ZIP file to write",
                ));
            }
            // Written to a temporary name and renamed, so --out is never a
            // half-written ZIP; on failure the temporary file is removed.
            let tmp = out.with_extension("zip.partial");
            let written = (|| -> Outcome<usize> {
                let f = std::fs::File::create(&tmp).map_err(|e| Failure::file(&out, e))?;
                let mut w = std::io::BufWriter::new(f);
                let n = slips::zip_year(store, year, &mut w)?;
                // Dropping a BufWriter would swallow a failed last write.
                w.flush().map_err(|e| Failure::file(&out, e))?;
                std::fs::rename(&tmp, &out).map_err(|e| Failure::file(&out, e))?;
                Ok(n)
            })();
            if written.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            let n = written?;
            if ctx.json {
                say!("{}", json!({"ok": {"year": year, "count": n, "file": out}}));
            } else {
                say!("{n} packing slip(s) of {year} -> {}", out.display());
            }
            Ok(())
        }
    }
}

fn attach_slip(ctx: &mut Ctx, id: u64, file: &Path, replace: bool) -> Outcome {
    let (kind, bytes) = slips::read_slip(file).map_err(|e| match e {
        slips::SlipError::Io(e) => Failure::file(file, e),
        other => other.into(),
    })?;
    let view = ctx.call("get_purchase_order", json!({"id": id}))?;
    let po = &view["purchase_order"];
    let status = cell(&po["status"]);
    if !matches!(
        status.as_str(),
        "received" | "partially_received" | "closed"
    ) {
        return Err(Failure::Refused {
            code: "invalid_transition".into(),
            message: format!(
                "cannot attach a packing slip when {status}: receive the purchase order first"
            ),
        });
    }
    let received_date = po["received_date"]
        .as_str()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| Failure::Refused {
            code: "invalid_transition".into(),
            message: "the purchase order has no received date".into(),
        })?;
    let supplier = ctx.call("get_supplier", json!({"id": po["supplier_id"]}))?;
    let target = slips::SlipFor {
        po_id: id,
        po_number: cell(&po["number"]),
        creditor_number: cell(&supplier["supplier"]["creditor_number"]),
        received_date,
    };
    let json_out = ctx.json;
    let store = ctx.sqlite("packing slips")?;
    let slip = slips::attach_checked(store, &target, kind, &bytes, crate::now(), replace)?;
    if json_out {
        say!("{}", json!({"ok": slip}));
    } else {
        say!("attached {} ({} bytes)", slip.file_name, slip.size);
    }
    Ok(())
}

// ---- alerts ----

/// `alerts ...`.
pub fn alerts(ctx: &mut Ctx, c: AlertsCmd) -> Outcome {
    let json_out = ctx.json;
    let store = ctx.sqlite("the alert outbox")?;
    match c {
        AlertsCmd::List { all } => {
            let alerts = store.list_alerts(all)?;
            if json_out {
                say!("{}", json!({"ok": alerts}));
                return Ok(());
            }
            let rows: Vec<Vec<String>> = alerts
                .iter()
                .map(|a| {
                    let e = serde_json::to_value(&a.event).unwrap_or_default();
                    vec![
                        a.id.to_string(),
                        a.created_at.clone(),
                        cell(&e["type"]),
                        cell(&e["product_id"]),
                        cell(&e["sku"]),
                        cell(&e["on_hand"]),
                        cell(&e["threshold"]),
                        a.acked_at.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            table(
                &[
                    "ID",
                    "RAISED",
                    "TYPE",
                    "PRODUCT",
                    "SKU",
                    "ON HAND",
                    "THRESHOLD",
                    "ACKED",
                ],
                &rows,
            );
            Ok(())
        }
        AlertsCmd::Ack { mut ids } => {
            // An id given twice is acknowledged once, not then reported
            // missing.
            let mut seen = std::collections::HashSet::new();
            ids.retain(|id| seen.insert(*id));
            let mut missing = Vec::new();
            for id in ids {
                if !store.ack_alert(id, crate::now())? {
                    missing.push(id.to_string());
                }
            }
            if missing.is_empty() {
                if !json_out {
                    say!("acknowledged");
                } else {
                    say!("{}", json!({"ok": true}));
                }
                Ok(())
            } else {
                Err(Failure::Refused {
                    code: "not_found".into(),
                    message: format!("no pending alert {}", missing.join(", ")),
                })
            }
        }
    }
}
