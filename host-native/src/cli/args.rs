//! The command-line grammar (clap derive).

use crate::engine::EngineKind;
use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
// The values of the protocol's enumerations the options take, named by the
// core, so a typo is a usage error (exit 2) listing them rather than a
// refusal from the engine.
use stockbook_core::ledger::MOVEMENT_TYPES;
use stockbook_core::purchasing::brief::STATUSES;
use stockbook_core::purchasing::queries::PO_SORTS;
use stockbook_core::purchasing::PoStatus;
use stockbook_core::supplier::PO_DELIVERIES;

const AFTER_HELP: &str = "\
Exit status:
  0  ok
  1  the command was refused (an error answer; code and message on stderr);
     for `exec`, at least one line was answered with an error; for the CSV
     imports, at least one row was refused (the other rows are imported)
  2  usage error (bad arguments)
  3  database or file error (not a Stockbook database, newer schema, I/O, busy;
     a database file that does not exist, given a command that needs one)

A command that can work on an empty database (products add, suppliers add,
the imports, exec, serve, token create) creates the database file when it
does not exist. A command that only reads (list, show, export...) or changes
records that must exist already (stock add, po create/order/receive...,
alerts ack, token revoke) does not: it exits 3, so a mistyped --db creates
nothing.

Every command runs as --actor (default $USER, else `cli`) with the `admin`
permission, at the system clock's time.";

/// What both CSV imports print with --json, and how they treat a file they
/// cannot read (one text, so the two cannot drift apart).
const IMPORT_HELP: &str = "\
With --json, stdout gets ONE object instead of the report on stderr:
  {\"ok\": {\"imported\": 2, \"refused\": 1, \"ignored_columns\": [\"id\"],
          \"refused_rows\": [{\"row\": 3, \"column\": \"on_hand\",
            \"code\": \"invalid_field\", \"message\": \"...\", \"details\": {...}}]}}
`row` numbers the rows from 2 (the header is row 1); `column` is the CSV column
the refusal is about (null when it is the row as a whole); `code`, `message`
and `details` are the protocol's error object (docs/protocol.md). Exit 0
when every row was imported, 1 when some were refused.

A file that is empty, lacks a needed column or names a column twice is a
file error (exit 3, the message names the file and what is wrong); nothing
is imported.";

/// The help heading of the options every subcommand takes, so a
/// subcommand's `--help` lists its own options apart from them.
const GLOBAL: &str = "Global options";

/// Stockbook: inventory and purchase orders in one SQLite file.
#[derive(Debug, Parser)]
#[command(name = "stockbook", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// The database file.
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL,
        default_value = "./stockbook.db",
        env = "STOCKBOOK_DB"
    )]
    pub db: PathBuf,
    /// Which engine answers: the native core or its wasm build.
    #[arg(long, global = true, help_heading = GLOBAL, value_enum, default_value_t = EngineKind::Native)]
    pub engine: EngineKind,
    /// Who is acting (recorded in the ledger).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub actor: Option<String>,
    /// Print raw protocol answers instead of tables.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,
    /// No progress bars.
    #[arg(long, short, global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    /// synchronous=NORMAL: faster commits; the last ones before a power loss
    /// may roll back (never corruption).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub sync_normal: bool,
    /// SQLite page cache per connection, in MiB (bigger helps large imports).
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL,
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=65536)
    )]
    pub cache_mib: u32,
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Protocol requests as JSON Lines (stdin or --file), one answer per line.
    Exec(ExecArgs),
    /// Products: add, list, show, import, export.
    #[command(subcommand)]
    Products(ProductsCmd),
    /// Manual stock changes.
    #[command(subcommand)]
    Stock(StockCmd),
    /// The stock ledger: list (filters), export, import.
    Ledger(LedgerArgs),
    /// Suppliers.
    #[command(subcommand)]
    Suppliers(SuppliersCmd),
    /// Purchase orders and packing slips.
    #[command(subcommand)]
    Po(PoCmd),
    /// Low-stock alerts (the outbox).
    #[command(subcommand)]
    Alerts(AlertsCmd),
    /// Run the HTTP server and the web page (see docs/server.md).
    Serve(crate::server::cli::ServeArgs),
    /// API tokens of the HTTP server.
    #[command(subcommand)]
    Token(crate::server::cli::TokenCmd),
}

/// What a command does with the database file, and so whether it may
/// create a missing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbUse {
    /// It can succeed on an empty database (adds a product or a supplier,
    /// imports, `exec`, `serve`, `token create`): a missing file is created.
    Creates,
    /// It only reads: a missing file is refused, nothing is created.
    Reads,
    /// It changes records that must exist already (a product's stock, a PO,
    /// an alert, a token; `po create` needs a supplier), so it cannot succeed
    /// on an empty database: a missing file is refused, nothing is created.
    ChangesExisting,
}

impl Cmd {
    /// What the command does with the database. A command that cannot
    /// succeed on an empty database ([`DbUse::Reads`],
    /// [`DbUse::ChangesExisting`]) given a file that does not exist refuses
    /// to run instead of creating an empty one (a mistyped `--db` would
    /// otherwise answer with empty tables or `not_found` and leave a stray
    /// file). `exec` may carry any request, so it creates.
    pub fn db_use(&self) -> DbUse {
        use crate::server::cli::TokenCmd;
        use DbUse::{ChangesExisting, Creates, Reads};
        match self {
            Cmd::Exec(_) | Cmd::Serve(_) => Creates,
            Cmd::Products(c) => match c {
                ProductsCmd::Add(_) | ProductsCmd::Import { .. } => Creates,
                ProductsCmd::List { .. }
                | ProductsCmd::Show { .. }
                | ProductsCmd::Export { .. } => Reads,
            },
            Cmd::Stock(c) => match c {
                StockCmd::Add(_) | StockCmd::Subtract(_) | StockCmd::Set(_) => ChangesExisting,
                StockCmd::Show { .. } => Reads,
            },
            Cmd::Ledger(a) => match a.cmd {
                None | Some(LedgerCmd::Export { .. }) => Reads,
                Some(LedgerCmd::Import { .. }) => Creates,
            },
            Cmd::Suppliers(c) => match c {
                SuppliersCmd::Add { .. } => Creates,
                SuppliersCmd::List { .. } | SuppliersCmd::Show { .. } => Reads,
            },
            Cmd::Po(c) => match c {
                PoCmd::Create { .. }
                | PoCmd::AddLines { .. }
                | PoCmd::Order { .. }
                | PoCmd::Receive { .. }
                | PoCmd::Return { .. }
                | PoCmd::Cancel { .. }
                | PoCmd::Close { .. }
                | PoCmd::AttachSlip { .. } => ChangesExisting,
                PoCmd::Show { .. }
                | PoCmd::List { .. }
                | PoCmd::Slip { .. }
                | PoCmd::SlipsZip { .. } => Reads,
            },
            Cmd::Alerts(c) => match c {
                AlertsCmd::Ack { .. } => ChangesExisting,
                AlertsCmd::List { .. } => Reads,
            },
            Cmd::Token(c) => match c {
                TokenCmd::Create { .. } => Creates,
                TokenCmd::Revoke { .. } => ChangesExisting,
                TokenCmd::List => Reads,
            },
        }
    }
}

/// `exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Read requests from this file instead of stdin.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Run every request in ONE transaction (refused ones are skipped; a
    /// storage failure applies none). Answers are printed after the commit.
    #[arg(long)]
    pub batch: bool,
}

/// `products`.
#[derive(Debug, Subcommand)]
pub enum ProductsCmd {
    /// Create a product.
    Add(ProductAdd),
    /// List products.
    List {
        /// Part of name, SKU or article number.
        #[arg(long)]
        search: Option<String>,
        /// Only products at or below their threshold.
        #[arg(long)]
        low_stock: bool,
        /// Include archived products.
        #[arg(long)]
        archived: bool,
        /// Page (from 1).
        #[arg(long)]
        page: Option<u32>,
        /// Page size (at most 50).
        #[arg(long)]
        page_size: Option<u32>,
    },
    /// Show one product with its stock.
    Show {
        /// Product id.
        id: u64,
    },
    /// Import products from CSV (columns: sku, name, and optionally ean,
    /// price, purchase_price, unit, low_stock_threshold, track_inventory,
    /// decimal_places, category_id, supplier_id, vat_rate_id, on_hand), in one
    /// transaction.
    ///
    /// Each row is all or nothing: the product and its stock (`on_hand`, set
    /// at the main location) are imported together, or the row is refused
    /// and leaves nothing behind (say, an `on_hand` that is negative or has
    /// more decimals than the product's `decimal_places`). Every refused row
    /// is reported on stderr as `row N: code: message` (`row N: on_hand:
    /// code: message` when its stock was refused) and skipped; the other
    /// rows are imported and committed together, and the exit status is
    /// then 1. A row with more fields than the header is refused.
    ///
    /// `archived` (true/false) archives the product after it is created.
    /// Ids and article numbers are assigned anew (the `id` and
    /// `article_number` columns of `products export` are ignored, with a
    /// warning); an untracked product's `on_hand` of 0 or empty is skipped,
    /// so an unmodified export imports as it is.
    #[command(after_long_help = IMPORT_HELP)]
    Import {
        /// The CSV file.
        file: PathBuf,
    },
    /// Export products (with total stock) as CSV.
    Export {
        /// Output file (default stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `products add`.
///
/// Its amounts, like a stock change's quantities, take negative numbers
/// (`--price -1`) as values, so the engine says what the field accepts
/// instead of the parser calling `-1` an unknown option.
#[derive(Debug, Args)]
pub struct ProductAdd {
    /// Unique SKU.
    #[arg(long)]
    pub sku: String,
    /// Name.
    #[arg(long)]
    pub name: String,
    /// EAN-8 or EAN-13.
    #[arg(long)]
    pub ean: Option<String>,
    /// Sale price.
    #[arg(long, allow_negative_numbers = true)]
    pub price: Option<String>,
    /// Purchase price.
    #[arg(long, allow_negative_numbers = true)]
    pub purchase_price: Option<String>,
    /// Unit (default pcs).
    #[arg(long)]
    pub unit: Option<String>,
    /// Low-stock threshold (default 5).
    #[arg(long, allow_negative_numbers = true)]
    pub threshold: Option<String>,
    /// Decimal places of quantities (default 0).
    #[arg(long)]
    pub decimal_places: Option<u32>,
    /// Category id.
    #[arg(long)]
    pub category: Option<u64>,
    /// Preferred supplier id.
    #[arg(long)]
    pub supplier: Option<u64>,
    /// Do not track inventory.
    #[arg(long)]
    pub untracked: bool,
}

/// `stock`.
#[derive(Debug, Subcommand)]
pub enum StockCmd {
    /// Add to on-hand (a `purchase` movement).
    Add(StockChange),
    /// Subtract from on-hand (an `adjustment`, clamped at zero).
    Subtract(StockChange),
    /// Set on-hand to a count (an `adjustment`).
    Set(StockChange),
    /// Show a product's stock per location.
    Show {
        /// Product id.
        product: u64,
    },
}

/// Arguments of a manual stock change.
#[derive(Debug, Args)]
pub struct StockChange {
    /// Product id.
    pub product: u64,
    /// Quantity (>= 0).
    #[arg(allow_negative_numbers = true)]
    pub quantity: String,
    /// Location id (default Main).
    #[arg(long)]
    pub location: Option<u64>,
    /// Reason ("cycle count", "damaged").
    #[arg(long)]
    pub reason: Option<String>,
    /// Refuse (conflict) unless on-hand is still this.
    #[arg(long, allow_negative_numbers = true)]
    pub expected: Option<String>,
    /// Idempotency key (a retry with it applies nothing twice).
    #[arg(long)]
    pub key: Option<String>,
}

/// `ledger`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LedgerArgs {
    #[command(subcommand)]
    pub cmd: Option<LedgerCmd>,
    #[command(flatten)]
    pub filter: LedgerFilter,
    /// At most this many (1 to 1000, default 100).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Continue after this sequence number.
    #[arg(long)]
    pub after: Option<u64>,
}

/// Ledger filters.
#[derive(Debug, Args, Clone, Default)]
pub struct LedgerFilter {
    /// Only this product.
    #[arg(long)]
    pub product: Option<u64>,
    /// Only this location.
    #[arg(long)]
    pub location: Option<u64>,
    /// Only this type.
    #[arg(long = "type", value_name = "TYPE", value_parser = PossibleValuesParser::new(MOVEMENT_TYPES))]
    pub kind: Option<String>,
    /// From this date (YYYY-MM-DD, UTC) or time (RFC 3339), inclusive.
    #[arg(long)]
    pub from: Option<String>,
    /// Until this date (inclusive: the whole day) or time (exclusive).
    #[arg(long)]
    pub to: Option<String>,
}

/// `ledger` subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCmd {
    /// Export movements as CSV.
    Export {
        #[command(flatten)]
        filter: LedgerFilter,
        /// Output file (default stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import stock changes from CSV (columns: sku or product_id, quantity,
    /// and optionally location_id, operation (add|subtract|set; default from
    /// the sign of quantity), reason, at (RFC 3339; default now)), in one
    /// transaction.
    ///
    /// Rows name their product by `sku` when the file has a `sku` column
    /// (as `ledger export` writes), so an export lands on the same products
    /// in another database; `product_id` is used only in a file without a
    /// `sku` column. An `at` later than the clock is refused (the ledger
    /// takes no backdating, so it would block every later change).
    ///
    /// It records stock counts and adjustments, it is not a backup/restore:
    /// each row is a new `update_stock` by --actor. The exported columns
    /// seq, type, requested, balance_after, actor and the sources (ticket,
    /// invoice, purchase_order, client) are ignored, with a warning on
    /// stderr; the movement type follows from the operation.
    ///
    /// A refused row (unknown product, bad quantity, more fields than the
    /// header...) is reported on stderr as `row N: ...` and skipped; the
    /// other rows are imported and committed together, and the exit status
    /// is then 1.
    #[command(after_long_help = IMPORT_HELP)]
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

/// `suppliers`.
#[derive(Debug, Subcommand)]
pub enum SuppliersCmd {
    /// Create a supplier.
    Add {
        /// Name.
        #[arg(long)]
        name: String,
        /// Contact person.
        #[arg(long)]
        contact: Option<String>,
        /// Email.
        #[arg(long)]
        email: Option<String>,
        /// Phone.
        #[arg(long)]
        phone: Option<String>,
        /// Address.
        #[arg(long)]
        address: Option<String>,
        /// Website.
        #[arg(long)]
        website: Option<String>,
        /// Notes.
        #[arg(long)]
        notes: Option<String>,
        /// How POs reach it.
        #[arg(long, value_parser = PossibleValuesParser::new(PO_DELIVERIES))]
        po_delivery: Option<String>,
    },
    /// List suppliers.
    List {
        /// Part of name or creditor number.
        #[arg(long)]
        search: Option<String>,
        /// Only active (true) or inactive (false) ones.
        #[arg(long)]
        active: Option<bool>,
        /// Page (from 1).
        #[arg(long)]
        page: Option<u32>,
    },
    /// Show a supplier and its recent POs.
    Show {
        /// Supplier id.
        id: u64,
    },
}

/// PO header options shared by `po create`.
#[derive(Debug, Args)]
pub struct PoHeader {
    /// Own PO number (default: the next of the sequence).
    #[arg(long)]
    pub number: Option<String>,
    /// The supplier's reference.
    #[arg(long)]
    pub vendor_ref: Option<String>,
    /// Notes.
    #[arg(long)]
    pub notes: Option<String>,
    /// Order date (YYYY-MM-DD; default today).
    #[arg(long)]
    pub order_date: Option<String>,
    /// Expected delivery date.
    #[arg(long)]
    pub expected_date: Option<String>,
    /// Packing slip number.
    #[arg(long)]
    pub slip_number: Option<String>,
    /// Reference: job.
    #[arg(long)]
    pub job: Option<String>,
    /// Reference: project.
    #[arg(long)]
    pub project: Option<String>,
    /// Reference: technician.
    #[arg(long)]
    pub technician: Option<String>,
    /// Reference: business unit.
    #[arg(long)]
    pub business_unit: Option<String>,
    /// Reference: PO type.
    #[arg(long)]
    pub po_type: Option<String>,
}

/// Lines given on the command line.
#[derive(Debug, Args, Default)]
pub struct PoLines {
    /// A product line: PRODUCT_ID:QUANTITY[:UNIT_COST[:LOCATION_ID]].
    #[arg(long = "line")]
    pub lines: Vec<String>,
    /// A free-text line: QUANTITY:UNIT_COST:DESCRIPTION.
    #[arg(long = "text-line")]
    pub text_lines: Vec<String>,
}

/// `po`.
#[derive(Debug, Subcommand)]
pub enum PoCmd {
    /// Create a draft PO.
    Create {
        /// Supplier id.
        #[arg(long)]
        supplier: u64,
        #[command(flatten)]
        header: PoHeader,
        #[command(flatten)]
        lines: PoLines,
    },
    /// Append lines to a draft PO.
    AddLines {
        /// PO id.
        id: u64,
        #[command(flatten)]
        lines: PoLines,
    },
    /// Send a draft PO (draft -> ordered).
    Order {
        /// PO id.
        id: u64,
    },
    /// Receive goods.
    Receive {
        /// PO id.
        id: u64,
        /// LINE_NO:QUANTITY[:LOCATION_ID].
        #[arg(long = "line")]
        lines: Vec<String>,
        /// Receive everything outstanding.
        #[arg(long, conflicts_with = "lines")]
        all: bool,
        /// Received date (YYYY-MM-DD; default today).
        #[arg(long)]
        date: Option<String>,
        /// Packing slip number of this delivery.
        #[arg(long)]
        slip_number: Option<String>,
        /// Idempotency key (a retried receipt is received once).
        #[arg(long)]
        key: Option<String>,
    },
    /// Return received goods to the supplier (`return_to_supplier`: a
    /// `return` movement out of stock per line, at most what was received
    /// and not yet returned).
    Return {
        /// PO id.
        id: u64,
        /// LINE_NO:QUANTITY[:LOCATION_ID] (repeat for several lines).
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
        /// Why it goes back (recorded on the movements).
        #[arg(long)]
        reason: Option<String>,
        /// Idempotency key (a retried return is applied once).
        #[arg(long)]
        key: Option<String>,
    },
    /// Cancel a draft or ordered PO.
    Cancel {
        /// PO id.
        id: u64,
    },
    /// Close a partially received PO short.
    Close {
        /// PO id.
        id: u64,
        /// Create a backorder PO for what is outstanding.
        #[arg(long)]
        backorder: bool,
    },
    /// Show a PO with its lines.
    Show {
        /// PO id.
        id: u64,
    },
    /// List POs.
    List {
        /// Status.
        #[arg(long, value_parser = PossibleValuesParser::new(STATUSES.map(PoStatus::as_str)))]
        status: Option<String>,
        /// Supplier id.
        #[arg(long)]
        supplier: Option<u64>,
        /// Only POs with a line of this product (product id).
        #[arg(long)]
        product: Option<u64>,
        /// Order date from (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Order date to (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// Sort by.
        #[arg(long, value_parser = PossibleValuesParser::new(PO_SORTS))]
        sort: Option<String>,
        /// Ascending (default descending).
        #[arg(long)]
        asc: bool,
        /// Page (from 1).
        #[arg(long)]
        page: Option<u32>,
        /// Page size (at most 50).
        #[arg(long)]
        page_size: Option<u32>,
    },
    /// Attach a packing slip (PDF, PNG or JPEG, at most 10 MB) to a received PO.
    ///
    /// A PO keeps one slip: when it has one already, the command is refused
    /// unless --replace is given.
    AttachSlip {
        /// PO id.
        id: u64,
        /// The file.
        file: PathBuf,
        /// Replace the PO's slip if it has one (the old file is deleted).
        #[arg(long)]
        replace: bool,
    },
    /// Fetch a PO's packing slip.
    Slip {
        /// PO id.
        id: u64,
        /// Where to write it (an existing file only with --force).
        #[arg(long)]
        out: PathBuf,
        /// Overwrite --out if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Export all packing slips of a year as one ZIP.
    SlipsZip {
        /// Year of the received date (default this year; 1 to 9999, the
        /// years a YYYY-MM-DD date can hold).
        #[arg(long, value_parser = clap::value_parser!(i32).range(1..=9999))]
        year: Option<i32>,
        /// The ZIP file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `alerts`.
#[derive(Debug, Subcommand)]
pub enum AlertsCmd {
    /// List pending alerts.
    List {
        /// Include acknowledged ones.
        #[arg(long)]
        all: bool,
    },
    /// Acknowledge alerts.
    Ack {
        /// Alert ids.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}
