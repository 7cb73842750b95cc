//! CSV import and export of products and of the ledger. Imports run in ONE
//! transaction (batch mode: a refused row is reported and skipped, the rest
//! commits together; a row is all or nothing, so a product row whose
//! `on_hand` is refused creates no product). The ledger export pages through
//! the protocol; the products export is one pass over the product records
//! (see [`export_products`]). Progress bars go to stderr, and only when it is a terminal and
//! `--quiet` is not given.

use super::args::LedgerFilter;
use super::commands::ledger_args;
use super::output::{cell, say};
use super::{parse_answer, Ctx, Failure, Outcome};
use crate::sqlite::{Batch, SqliteStore};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::Path;
use stockbook_core::decimal::Quantity;
use stockbook_core::error::{Error, WireError};
use stockbook_core::product;
use stockbook_core::store::{Key, Kind, Scan, Store, Value as Record};
use stockbook_core::tx::Tx;

/// A progress bar of `len` steps, hidden when not wanted.
pub fn bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(len);
    let style = if len == 0 {
        ProgressStyle::with_template("{spinner} {pos} {msg} ({rate})")
    } else {
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({rate}, eta {eta})")
    };
    if let Ok(s) = style {
        // Whole steps a second: indicatif's {per_sec} shows 4 decimals.
        b.set_style(s.with_key(
            "rate",
            |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&rate(st.per_sec()));
            },
        ));
    }
    b.set_message(what.to_string());
    b
}

/// A progress rate in whole steps a second, with thousands separators.
fn rate(per_sec: f64) -> String {
    let n = per_sec.max(0.0).round() as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out + "/s"
}

fn output(out: Option<&Path>) -> Outcome<Box<dyn Write>> {
    Ok(match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| Failure::file(p, e))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    })
}

fn csv_err(e: csv::Error) -> Failure {
    Failure::Io(format!("csv: {e}"))
}

/// A CSV row's cells, or why it could not be read.
type Row = Result<Vec<String>, Refusal>;

/// The lower-cased headers and every row of a CSV file.
///
/// `needed` are the columns the import cannot do without, each given as its
/// alternatives (`&["sku", "product_id"]`: either will do). A file whose
/// header does not say which cell is what (empty, a needed column missing,
/// a column named twice) is a file error (exit 3) naming the file, checked
/// before any row is read or imported.
fn read_rows(file: &Path, needed: &[&[&str]]) -> Outcome<(Vec<String>, Vec<Row>)> {
    let file_err = |e: csv::Error| Failure::file(file, e);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(file)
        .map_err(file_err)?;
    let headers: Vec<String> = r
        .headers()
        .map_err(file_err)?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let missing: Vec<String> = needed
        .iter()
        .filter(|names| !names.iter().any(|n| headers.contains(&n.to_string())))
        .map(|names| {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            quoted.join(" or ")
        })
        .collect();
    let s = if missing.len() > 1 { "s" } else { "" };
    if headers.iter().all(String::is_empty) {
        return Err(Failure::file(
            file,
            format!(
                "empty: no header row (it needs the column{s} {})",
                missing.join(", ")
            ),
        ));
    }
    let twice = headers
        .iter()
        .enumerate()
        .find(|(i, h)| !h.is_empty() && headers[..*i].contains(h));
    if let Some((_, h)) = twice {
        return Err(Failure::file(
            file,
            format!("column `{h}` appears twice in the header"),
        ));
    }
    if !missing.is_empty() {
        return Err(Failure::file(
            file,
            format!(
                "missing column{s} {} (the header is `{}`)",
                missing.join(", "),
                headers.join(",")
            ),
        ));
    }
    // Fewer fields than the header leave the last columns empty; more are
    // refused, since it is unclear which cell belongs to which column.
    let width = headers.len();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.map_err(|e| Refusal::malformed(e.to_string()))?;
            if rec.len() > width {
                return Err(Refusal::malformed(format!(
                    "{} fields, more than the header's {width}; refused",
                    rec.len()
                )));
            }
            Ok(rec.iter().map(str::to_string).collect())
        })
        .collect();
    Ok((headers, rows))
}

fn field<'a>(headers: &[String], row: &'a [String], name: &str) -> Option<&'a str> {
    let i = headers.iter().position(|h| h == name)?;
    row.get(i).map(String::as_str).filter(|s| !s.is_empty())
}

/// A true/false CSV cell (`true`/`false`, `yes`/`no`, `1`/`0`).
fn flag(name: &str, v: &str) -> Result<bool, Refusal> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(Refusal::cell(name, format!("`{v}` is not true/false"))),
    }
}

/// Parses an integer-or-boolean CSV cell into JSON; other cells stay strings.
fn typed(name: &str, v: &str) -> Result<Value, Refusal> {
    match name {
        "track_inventory" => flag(name, v).map(|b| json!(b)),
        "decimal_places" | "category_id" | "supplier_id" | "vat_rate_id" => v
            .parse::<u64>()
            .map(|n| json!(n))
            .map_err(|_| Refusal::cell(name, format!("`{v}` is not a whole number"))),
        _ => Ok(json!(v)),
    }
}

/// The columns of `headers` an import does not read, in file order.
fn ignored<'a>(headers: &'a [String], used: &[&str]) -> Vec<&'a str> {
    headers
        .iter()
        .map(String::as_str)
        .filter(|h| !used.contains(h))
        .collect()
}

/// Why one row of an import was refused: the protocol's error object (what
/// `--json` reports), the CSV column it is about, and the line people read.
#[derive(Debug, Clone)]
struct Refusal {
    /// The CSV column to blame, when there is one.
    column: Option<String>,
    /// Code, message and details, as the protocol gives errors (boxed: a
    /// refusal travels in `Result`s of every row, most of them `Ok`).
    error: Box<WireError>,
    /// The `row N: ...` text for people (without `row N: `).
    text: String,
}

impl Refusal {
    /// A record the CSV reader could not use as a row.
    fn malformed(why: String) -> Self {
        Refusal {
            column: None,
            error: Box::new(Error::request(why.clone()).to_wire()),
            text: why,
        }
    }

    /// A cell that is not what its column takes (`column: why`).
    fn cell(column: &str, why: impl Into<String>) -> Self {
        let why = why.into();
        Refusal {
            column: Some(column.to_string()),
            text: format!("{column}: {why}"),
            error: Box::new(Error::field(column, why).to_wire()),
        }
    }

    /// The engine's refusal of a row's request; `stage` names the column of
    /// a later request of the row (`on_hand`), whose refusal undoes the
    /// earlier ones too. Without a stage, the column is the refused field
    /// when it is one of the file's `headers` (the request's `now` being the
    /// ledger file's `at`).
    fn engine(error: WireError, stage: Option<&str>, headers: &[String]) -> Self {
        let at_field = error.details.get("field").and_then(Value::as_str) == Some("now");
        let text = match stage {
            Some(s) => format!(
                "{s}: {}: {} (nothing of the row was imported)",
                error.code, error.message
            ),
            // The request's `now` is the file's `at`: people read the column.
            None if at_field => format!(
                "at: {}: {}",
                error.code,
                error
                    .message
                    .strip_prefix("invalid field `now`: ")
                    .unwrap_or(&error.message)
            ),
            None => format!("{}: {}", error.code, error.message),
        };
        let column = stage.map(str::to_string).or_else(|| {
            let field = error.details.get("field")?.as_str()?;
            let field = match field.strip_prefix("args.").unwrap_or(field) {
                "now" => "at",
                f => f,
            };
            headers.iter().find(|h| *h == field).cloned()
        });
        Refusal {
            column,
            error: Box::new(error),
            text,
        }
    }

    /// A row naming a SKU no product has.
    fn unknown_sku(sku: &str) -> Self {
        let error = WireError {
            code: "not_found".into(),
            message: format!("no product with sku `{sku}`"),
            details: json!({"entity": "product", "sku": sku}),
        };
        Refusal {
            column: Some("sku".into()),
            text: format!("{}: {}", error.code, error.message),
            error: Box::new(error),
        }
    }
}

/// What an import did: the rows imported, and every refused one.
struct Report {
    imported: usize,
    refused: Vec<(usize, Refusal)>,
    /// `--json`: the refusals are printed at the end, in one object on
    /// stdout; else each is said on stderr as it happens.
    json: bool,
}

impl Report {
    fn new(json: bool) -> Self {
        Report {
            imported: 0,
            refused: Vec::new(),
            json,
        }
    }

    fn refuse(&mut self, row: usize, why: Refusal) {
        if !self.json {
            eprintln!("row {row}: {}", why.text);
        }
        self.refused.push((row, why));
    }

    /// Prints the summary: `what: N imported, M refused` on stderr, or with
    /// `--json` the object `IMPORT_HELP` (args.rs) documents on stdout. Exit
    /// 1 when a row was refused.
    fn finish(self, what: &str, ignored: &[&str]) -> Outcome {
        let refused = self.refused.len();
        if self.json {
            let rows: Vec<Value> = self
                .refused
                .iter()
                .map(|(row, r)| {
                    json!({
                        "row": row,
                        "column": r.column,
                        "code": r.error.code,
                        "message": r.error.message,
                        "details": r.error.details,
                    })
                })
                .collect();
            say!(
                "{}",
                json!({"ok": {
                    "imported": self.imported,
                    "refused": refused,
                    "refused_rows": rows,
                    "ignored_columns": ignored,
                }})
            );
        } else {
            eprintln!("{what}: {} imported, {refused} refused", self.imported);
        }
        if refused > 0 {
            let see = if self.json {
                "refused_rows on stdout"
            } else {
                "see above"
            };
            return Err(Failure::Refused {
                code: "some_refused".into(),
                message: format!("{refused} row(s) were refused ({see})"),
            });
        }
        Ok(())
    }
}

/// An answer's `ok`, or its error object (an answer that is not one, which
/// the engines never give, is refused as `internal`).
fn answer_result(answer: &str) -> Result<Value, WireError> {
    parse_answer(answer).unwrap_or_else(|f| {
        Err(WireError {
            code: "internal".into(),
            message: format!("{f:?}"),
            details: Value::Null,
        })
    })
}

/// `products import`.
pub fn import_products(ctx: &mut Ctx, file: &Path) -> Outcome {
    const COLUMNS: [&str; 12] = [
        "sku",
        "name",
        "ean",
        "price",
        "purchase_price",
        "unit",
        "low_stock_threshold",
        "track_inventory",
        "decimal_places",
        "category_id",
        "supplier_id",
        "vat_rate_id",
    ];
    let (headers, rows) = read_rows(file, &[&["sku"], &["name"]])?;
    let mut used = COLUMNS.to_vec();
    used.extend(["on_hand", "archived"]);
    let skipped = ignored(&headers, &used);
    if !skipped.is_empty() {
        eprintln!(
            "warning: products import ignores the column(s) {}: ids and article numbers \
             are assigned anew",
            skipped.join(", ")
        );
    }
    let pb = bar(rows.len() as u64, ctx.quiet, "products");
    let requests: Vec<Result<ProductRow, Refusal>> = rows
        .iter()
        .map(|row| {
            let row = row.as_ref().map_err(Clone::clone)?;
            let mut m = Map::new();
            for c in COLUMNS {
                if let Some(v) = field(&headers, row, c) {
                    m.insert(c.into(), typed(c, v)?);
                }
            }
            let archived = match field(&headers, row, "archived") {
                Some(v) => flag("archived", v)?,
                None => false,
            };
            Ok(ProductRow {
                create: ctx.request("create_product", Value::Object(m), None),
                on_hand: field(&headers, row, "on_hand").map(str::to_string),
                archived,
            })
        })
        .collect();
    let actor = ctx.actor.clone();
    let json_out = ctx.json;
    let store = ctx.sqlite("products import")?;
    let report = store.batch(|b| {
        let mut rep = Report::new(json_out);
        for (i, r) in requests.iter().enumerate() {
            pb.inc(1);
            let imported = match r {
                Ok(row) => b.all_or_nothing(|b| import_product_row(b, &actor, row, &headers)),
                Err(e) => Err(e.clone()),
            };
            match imported {
                Ok(()) => rep.imported += 1,
                Err(e) => rep.refuse(i + 2, e),
            }
        }
        rep
    })?;
    pb.finish_and_clear();
    report.finish("products", &skipped)
}

/// One row of `products import`, ready to send.
struct ProductRow {
    /// The `create_product` request.
    create: String,
    /// Its `on_hand` cell, if any.
    on_hand: Option<String>,
    /// Archive the product once created.
    archived: bool,
}

/// A request of an import, by the CLI actor at the host's clock.
fn host_request(actor: &str, cmd: &str, args: Value) -> String {
    json!({
        "cmd": cmd,
        "actor": {"id": actor, "permissions": ["admin"]},
        "now": crate::now_text(),
        "args": args,
    })
    .to_string()
}

/// One row of `products import`: the product, then its stock when the row
/// has `on_hand`, then archiving it when the row says `archived`. `Err` is
/// why the row was refused; the caller runs it as one unit of the batch, so
/// a refused row leaves nothing behind (no product without its stock).
///
/// An untracked product's `on_hand` of zero (what `products export` writes
/// for it) is no stock to set, so it is not sent; any other `on_hand` is,
/// and the engine answers it.
fn import_product_row(
    b: &mut Batch<'_>,
    actor: &str,
    row: &ProductRow,
    headers: &[String],
) -> Result<(), Refusal> {
    let product = answer_result(&b.execute_json(&row.create))
        .map_err(|e| Refusal::engine(e, None, headers))?;
    let untracked = product["track_inventory"] == json!(false);
    let on_hand = row
        .on_hand
        .as_deref()
        .filter(|q| !(untracked && q.parse::<Quantity>().is_ok_and(|q| q.is_zero())));
    if let Some(q) = on_hand {
        let req = host_request(
            actor,
            "update_stock",
            json!({"product_id": product["id"], "operation": "set", "quantity": q, "reason": "import"}),
        );
        // The refusal may name the product's id; the rollback undoes the
        // product too, which the report must say.
        answer_result(&b.execute_json(&req))
            .map_err(|e| Refusal::engine(e, Some("on_hand"), headers))?;
    }
    if row.archived {
        let req = host_request(
            actor,
            "update_product",
            json!({"id": product["id"], "archived": true}),
        );
        answer_result(&b.execute_json(&req))
            .map_err(|e| Refusal::engine(e, Some("archived"), headers))?;
    }
    Ok(())
}

/// The columns of `products export` taken from the product (then `on_hand`).
const PRODUCT_COLUMNS: [&str; 15] = [
    "id",
    "sku",
    "name",
    "article_number",
    "ean",
    "price",
    "purchase_price",
    "unit",
    "low_stock_threshold",
    "track_inventory",
    "decimal_places",
    "category_id",
    "supplier_id",
    "vat_rate_id",
    "archived",
];

/// `products export`: every product, archived ones included, with its total
/// on hand.
///
/// Over the native engine it is one pass over the product records in id
/// order, in one read transaction: each product's view (its stock totals)
/// comes from the core's `product::view`, the function `get_product` and
/// `list_products` answer with, so no stock rule lives here. (Paging
/// `list_products` instead sorts every product again for each page of 50:
/// quadratic, 49 s for 30,000 products.) Other engines have no store to scan
/// and page through `list_products`.
pub fn export_products(ctx: &mut Ctx, out: Option<&Path>) -> Outcome {
    let mut w = csv::Writer::from_writer(output(out)?);
    let mut header: Vec<&str> = PRODUCT_COLUMNS.to_vec();
    header.push("on_hand");
    w.write_record(&header).map_err(csv_err)?;
    let quiet = ctx.quiet;
    match ctx.engine.sqlite() {
        Some(store) => export_products_from(store, quiet, &mut w)?,
        None => export_products_paged(ctx, &mut w)?,
    }
    w.flush()?;
    Ok(())
}

/// One CSV record of a product view (its JSON form, as the protocol answers).
fn product_record(view: &Value) -> Vec<String> {
    let p = &view["product"];
    let mut rec: Vec<String> = PRODUCT_COLUMNS.iter().map(|c| cell_raw(&p[*c])).collect();
    rec.push(cell(&view["stock"]["on_hand"]));
    rec
}

fn export_products_from(
    store: &mut SqliteStore,
    quiet: bool,
    w: &mut csv::Writer<Box<dyn Write>>,
) -> Outcome {
    let pb = bar(0, quiet, "products");
    let now = crate::now();
    let mut failure: Option<Failure> = None;
    let scanned = store.in_transaction(false, |s| {
        let s: &SqliteStore = s;
        s.scan(Scan::All(Kind::Product), &mut |_, v| {
            let Record::Product(p) = v else {
                return ControlFlow::Continue(());
            };
            let mut tx = Tx::new(s, now);
            let written = product::view(&mut tx, (**p).clone())
                .map_err(|e| Failure::Io(e.to_string()))
                .and_then(|view| {
                    serde_json::to_value(&view).map_err(|e| Failure::Io(e.to_string()))
                })
                .and_then(|view| w.write_record(product_record(&view)).map_err(csv_err));
            match written {
                Ok(()) => {
                    pb.inc(1);
                    ControlFlow::Continue(())
                }
                Err(f) => {
                    failure = Some(f);
                    ControlFlow::Break(())
                }
            }
        })
    })?;
    pb.finish_and_clear();
    if let Some(f) = failure {
        return Err(f);
    }
    scanned.map_err(|e| Failure::Io(e.to_string()))
}

fn export_products_paged(ctx: &mut Ctx, w: &mut csv::Writer<Box<dyn Write>>) -> Outcome {
    let mut page = 1u32;
    let mut pb: Option<ProgressBar> = None;
    loop {
        let v = ctx.call(
            "list_products",
            json!({"include_archived": true, "page": page, "page_size": 50}),
        )?;
        let pbar = pb.get_or_insert_with(|| {
            bar(
                v["total_count"].as_u64().unwrap_or(0),
                ctx.quiet,
                "products",
            )
        });
        for item in v["items"].as_array().into_iter().flatten() {
            w.write_record(product_record(item)).map_err(csv_err)?;
            pbar.inc(1);
        }
        if v["has_more"] != json!(true) {
            break;
        }
        page += 1;
    }
    if let Some(b) = pb {
        b.finish_and_clear();
    }
    Ok(())
}

/// Booleans as `true`/`false` in CSV (tables say yes/no).
fn cell_raw(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        other => cell(other),
    }
}

/// `ledger export`.
pub fn export_ledger(ctx: &mut Ctx, filter: &LedgerFilter, out: Option<&Path>) -> Outcome {
    // The filter is checked before --out is created (or truncated).
    let base = ledger_args(filter)?;
    let mut w = csv::Writer::from_writer(output(out)?);
    w.write_record([
        "seq",
        "at",
        "product_id",
        "sku",
        "location_id",
        "type",
        "quantity",
        "requested",
        "balance_after",
        "reason",
        "actor",
        "ticket",
        "invoice",
        "purchase_order",
        "client",
    ])
    .map_err(csv_err)?;
    let pb = bar(0, ctx.quiet, "movements");
    // Each product's SKU, asked once: an import matches rows by it.
    let mut skus: HashMap<u64, String> = HashMap::new();
    let mut after: Option<u64> = None;
    loop {
        let mut args = base.clone();
        args.insert("limit".into(), json!(1000));
        if let Some(a) = after {
            args.insert("after_seq".into(), json!(a));
        }
        let v = ctx.call("list_movements", Value::Object(args))?;
        for m in v["movements"].as_array().into_iter().flatten() {
            let s = &m["source"];
            let pid = m["product_id"].as_u64().unwrap_or(0);
            if let std::collections::hash_map::Entry::Vacant(e) = skus.entry(pid) {
                let p = ctx.call("get_product", json!({"id": pid}))?;
                e.insert(cell(&p["product"]["sku"]));
            }
            w.write_record([
                cell(&m["seq"]),
                cell(&m["at"]),
                cell(&m["product_id"]),
                skus[&pid].clone(),
                cell(&m["location_id"]),
                cell(&m["type"]),
                cell(&m["quantity"]),
                cell(&m["requested"]),
                cell(&m["balance_after"]),
                cell(&m["reason"]),
                cell(&s["actor"]),
                cell(&s["ticket"]),
                cell(&s["invoice"]),
                cell(&s["purchase_order"]),
                cell(&s["client"]),
            ])
            .map_err(csv_err)?;
            pb.inc(1);
        }
        match v["next_after_seq"].as_u64() {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    pb.finish_and_clear();
    w.flush()?;
    Ok(())
}

/// The columns `ledger import` reads.
const LEDGER_COLUMNS: [&str; 7] = [
    "sku",
    "product_id",
    "quantity",
    "location_id",
    "operation",
    "reason",
    "at",
];

/// `ledger import`: each row one `update_stock`, for the product named by
/// the row's `sku` (or, in a file without a `sku` column, its `product_id`).
pub fn import_ledger(ctx: &mut Ctx, file: &Path) -> Outcome {
    let (headers, rows) = read_rows(file, &[&["sku", "product_id"], &["quantity"]])?;
    let has = |name: &str| headers.iter().any(|h| h == name);
    let by_sku = has("sku");
    let mut used = LEDGER_COLUMNS.to_vec();
    if by_sku {
        used.retain(|c| *c != "product_id");
    }
    let skipped = ignored(&headers, &used);
    if !skipped.is_empty() {
        eprintln!(
            "warning: ledger import ignores the column(s) {}: it records stock changes \
             (add/subtract/set by --actor, no sources), it is not a backup/restore{}",
            skipped.join(", "),
            if by_sku && has("product_id") {
                "; rows are matched by sku"
            } else {
                ""
            }
        );
    }
    let ids = if by_sku {
        let skus: Vec<String> = rows
            .iter()
            .flatten()
            .filter_map(|row| field(&headers, row, "sku").map(str::to_string))
            .collect();
        product_ids_by_sku(ctx, skus)?
    } else {
        HashMap::new()
    };
    let now_t = crate::now();
    let now = crate::time_text(now_t);
    let actor = ctx.actor.clone();
    let requests: Vec<Result<String, Refusal>> = rows
        .iter()
        .map(|row| {
            let row = row.as_ref().map_err(Clone::clone)?;
            let pid: u64 = if by_sku {
                let sku = field(&headers, row, "sku").ok_or(Refusal::cell("sku", "missing"))?;
                *ids.get(sku).ok_or_else(|| Refusal::unknown_sku(sku))?
            } else {
                field(&headers, row, "product_id")
                    .unwrap_or("")
                    .parse()
                    .map_err(|_| Refusal::cell("product_id", "not an id"))?
            };
            let q = field(&headers, row, "quantity").ok_or(Refusal::cell("quantity", "missing"))?;
            let (op, q) = match field(&headers, row, "operation") {
                Some(op) => (op.to_string(), q.to_string()),
                None => match q.strip_prefix('-') {
                    Some(abs) => ("subtract".to_string(), abs.to_string()),
                    None => ("add".to_string(), q.trim_start_matches('+').to_string()),
                },
            };
            let mut args = json!({"product_id": pid, "operation": op, "quantity": q});
            if let Some(l) = field(&headers, row, "location_id") {
                args["location_id"] = json!(l
                    .parse::<u64>()
                    .map_err(|_| Refusal::cell("location_id", "not an id"))?);
            }
            if let Some(r) = field(&headers, row, "reason") {
                args["reason"] = json!(r);
            }
            let at = field(&headers, row, "at").unwrap_or(&now);
            // A time after the clock would be the product's newest movement
            // until then, and the ledger takes no backdating: every later
            // change of the product would be refused.
            let t = chrono::DateTime::parse_from_rfc3339(at).map_err(|_| {
                Refusal::cell(
                    "at",
                    format!("`{at}` is not an RFC 3339 time (such as 2026-03-01T09:00:00Z)"),
                )
            })?;
            if t > now_t {
                return Err(Refusal::cell(
                    "at",
                    format!(
                        "{at} is later than the clock ({now}); a future movement \
                         would block every change of the product until then"
                    ),
                ));
            }
            Ok(json!({
                "cmd": "update_stock",
                "actor": {"id": actor, "permissions": ["admin"]},
                "now": at,
                "args": args,
            })
            .to_string())
        })
        .collect();
    let pb = bar(requests.len() as u64, ctx.quiet, "stock changes");
    let json_out = ctx.json;
    let store = ctx.sqlite("ledger import")?;
    let report = store.batch(|b| {
        let mut rep = Report::new(json_out);
        for (i, r) in requests.iter().enumerate() {
            pb.inc(1);
            match r {
                Ok(req) => match answer_result(&b.execute_json(req)) {
                    Ok(_) => rep.imported += 1,
                    Err(e) => rep.refuse(i + 2, Refusal::engine(e, None, &headers)),
                },
                Err(e) => rep.refuse(i + 2, e.clone()),
            }
        }
        rep
    })?;
    pb.finish_and_clear();
    report.finish("ledger", &skipped)
}

/// The product ids of SKUs, read from the core's SKU index in one read
/// transaction (a SKU no product has is left out).
fn product_ids_by_sku(ctx: &mut Ctx, mut skus: Vec<String>) -> Outcome<HashMap<String, u64>> {
    skus.sort_unstable();
    skus.dedup();
    let store = ctx.sqlite("ledger import")?;
    let now = crate::now();
    let found = store.in_transaction(false, |s| {
        let mut tx = Tx::new(s, now);
        let mut ids = HashMap::with_capacity(skus.len());
        for sku in skus {
            if let Some(id) = tx.index(&Key::Sku(sku.clone()))? {
                ids.insert(sku, id);
            }
        }
        Ok::<_, stockbook_core::Error>(ids)
    })?;
    found.map_err(|e| Failure::Io(e.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn progress_rates_are_whole_numbers() {
        assert_eq!(super::rate(23_597.582), "23,598/s");
        assert_eq!(super::rate(999.4), "999/s");
        assert_eq!(super::rate(1_234_567.0), "1,234,567/s");
        assert_eq!(super::rate(0.0), "0/s");
    }
}
