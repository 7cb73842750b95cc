//! The command protocol (RULES §9): one JSON shape for every host.
//!
//! A request is `{"cmd", "actor", "now", "idempotency_key", "args"}`; an answer is
//! `{"ok": RESULT, "events": [...]}` or `{"error": {"code", "message", "details"}}`.
//! The serde types here are the single source of the wire format: the SQLite
//! host, the wasm package and wasmtime all call [`crate::engine::execute_json`],
//! so they answer byte for byte alike.
//!
//! The command table (the private `commands!` macro, which generates
//! [`Command`] and [`CommandResult`]) is the one place that names each command,
//! its argument and result types, the permission it needs, whether it changes
//! anything, and the function that handles it.

use crate::auth::{Actor, Permission};
use crate::error::{Error, Result};
use crate::purchasing as po;
use crate::sales;
use crate::tx::Tx;
use crate::{alerts, catalog, ledger, product, settings, supplier};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Arguments of commands that take none (`{}` or absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// Something that happened, handed to the host with the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A tracked product's total on-hand is at or below its threshold.
    LowStock(alerts::LowStock),
}

/// What a successful command produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The command's result.
    pub result: CommandResult,
    /// Events raised.
    pub events: Vec<Event>,
}

/// An [`Outcome`] kept by an idempotency record, as the JSON text it was
/// first serialised to (`{"result":{"cmd":..,"result":..},"events":[..]}`).
///
/// Why text, not a typed `Outcome`: a retry only needs the answer replayed,
/// byte for byte. Keeping the text means no store ever has to deserialise
/// every result type (an adjacently tagged enum that serde buffers), which
/// was a third of the WebAssembly module; the stored JSON is unchanged, so
/// databases written before read the same.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoredOutcome(Box<serde_json::value::RawValue>);

impl PartialEq for StoredOutcome {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

/// The two parts of a stored outcome an answer needs, borrowed from its text.
#[derive(Deserialize)]
struct StoredParts<'a> {
    #[serde(borrow)]
    result: StoredResult<'a>,
    #[serde(borrow)]
    events: &'a serde_json::value::RawValue,
}

#[derive(Deserialize)]
struct StoredResult<'a> {
    #[serde(borrow)]
    result: &'a serde_json::value::RawValue,
}

impl StoredOutcome {
    /// Serialises an outcome for keeping.
    pub fn of(outcome: &Outcome) -> Result<Self> {
        // Written by `json` (one serializer for every result type, see
        // there); `from_string` checks it is one JSON value, which it is.
        crate::json::to_string(outcome)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                serde_json::value::RawValue::from_string(text).map_err(|e| e.to_string())
            })
            .map(StoredOutcome)
            .map_err(|e| Error::conflict(format!("cannot keep the answer: {e}")))
    }

    /// The answer text of the kept outcome, exactly as [`answer_json`] wrote
    /// it the first time.
    pub fn answer_json(&self) -> Result<String> {
        let p: StoredParts<'_> = serde_json::from_str(self.0.get())
            .map_err(|e| Error::conflict(format!("unreadable kept answer: {e}")))?;
        Ok(format!(
            "{{\"ok\":{},\"events\":{}}}",
            p.result.result.get(),
            p.events.get()
        ))
    }

    /// The kept outcome, typed again (for hosts of the Rust API).
    pub fn outcome(&self) -> Result<Outcome> {
        serde_json::from_str(self.0.get())
            .map_err(|e| Error::conflict(format!("unreadable kept answer: {e}")))
    }
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Who asks.
    pub actor: Actor,
    /// The time of the command (required for changes).
    pub now: Option<DateTime<Utc>>,
    /// Makes a retried change safe.
    pub idempotency_key: Option<String>,
    /// What to do.
    pub command: Command,
}

impl Request {
    /// A request at `now` by `actor`.
    pub fn new(actor: Actor, now: DateTime<Utc>, command: Command) -> Self {
        Request {
            actor,
            now: Some(now),
            idempotency_key: None,
            command,
        }
    }

    /// The same request with an idempotency key.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// Longest idempotency key.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

mod locate;

/// Deserialises arguments, naming the failing field: a missing or unknown field
/// is `invalid_request`, a bad value `invalid_field`.
///
/// The value is read back from its JSON text, so that every argument type is
/// compiled for one reader only (the fast path of [`parse_request`] reads the
/// request's own text with it); this runs only for requests the fast path
/// declined.
pub fn from_args<T: DeserializeOwned>(prefix: &str, v: serde_json::Value) -> Result<T> {
    let text = v.to_string();
    read::<T>(&text).map_err(|e| locate::refusal(prefix, &text, &e, &|t| read::<T>(t).err()))
}

/// serde_json's reader for one type, kept out of line: `from_args` calls it
/// twice (the refusal may read again), and one copy of each argument type's
/// reader is enough in the wasm module.
#[inline(never)]
fn read<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_str(text)
}

/// Arguments as their handler takes them. The largest argument types are boxed
/// in [`Command`] (so a `Command` is 136 bytes, not 280, which every move of a
/// request pays); the handlers take them unboxed.
trait IntoArgs<T> {
    fn into_args(self) -> T;
}

impl<T> IntoArgs<T> for T {
    #[inline]
    fn into_args(self) -> T {
        self
    }
}

impl<T> IntoArgs<T> for Box<T> {
    #[inline]
    fn into_args(self) -> T {
        *self
    }
}

macro_rules! commands {
    ($( $name:ident => $variant:ident ( $args:ty ) -> $res:ty, $perm:ident, $change:literal, $handler:path; )*) => {
        /// Every command, with its arguments.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "cmd", content = "args", rename_all = "snake_case")]
        pub enum Command {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $variant($args),
            )*
        }

        /// Every command's result, boxed: the largest results are hundreds of
        /// bytes, and an answer moves through several frames on its way out.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "cmd", content = "result", rename_all = "snake_case")]
        pub enum CommandResult {
            $(
                #[doc = concat!("Result of `", stringify!($name), "`")]
                $variant(Box<$res>),
            )*
        }

        /// Names of every command, in table order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        impl Command {
            /// The wire name.
            pub fn name(&self) -> &'static str {
                match self { $(Command::$variant(_) => stringify!($name),)* }
            }

            /// The permission it needs.
            pub fn permission(&self) -> Permission {
                match self { $(Command::$variant(_) => Permission::$perm,)* }
            }

            /// True for changes (they need `now`, may carry an idempotency key
            /// and commit a changeset); false for queries.
            pub fn is_change(&self) -> bool {
                match self { $(Command::$variant(_) => $change,)* }
            }

            /// Builds a command from its wire name and `args` object.
            pub fn parse(name: &str, args: serde_json::Value) -> Result<Command> {
                match name {
                    $(stringify!($name) => Ok(Command::$variant(from_args("args", args)?)),)*
                    other => Err(Error::request(format!("unknown command `{}`", other.chars().take(64).collect::<String>()))),
                }
            }

            /// Like [`Command::parse`], from the `args` object's JSON text
            /// (no `serde_json::Value` in between). Used by the fast path of
            /// [`parse_request`], which falls back to the exact errors of the
            /// slow path whenever this fails.
            fn parse_raw(name: &str, args: &str) -> Option<Command> {
                match name {
                    $(stringify!($name) => serde_json::from_str(args).ok().map(Command::$variant),)*
                    _ => None,
                }
            }

            pub(crate) fn run(self, tx: &mut Tx<'_>, actor: &Actor) -> Result<CommandResult> {
                match self { $(Command::$variant(a) => Ok(CommandResult::$variant(Box::new($handler(tx, actor, a.into_args())?))),)* }
            }
        }

        impl CommandResult {
            /// Appends the result as it goes after `"ok":` (`null` if it
            /// cannot be written).
            pub fn write_wire(&self, out: &mut Vec<u8>) {
                let mark = out.len();
                let r = match self { $(CommandResult::$variant(r) => crate::json::write(out, r),)* };
                if r.is_err() {
                    out.truncate(mark);
                    out.extend_from_slice(b"null");
                }
            }
        }
    };
}

commands! {
    create_location => CreateLocation(catalog::CreateLocation) -> catalog::Location, Admin, true, catalog::create_location;
    create_category => CreateCategory(catalog::CreateCategory) -> catalog::Category, Admin, true, catalog::create_category;
    update_category => UpdateCategory(catalog::UpdateCategory) -> catalog::Category, Admin, true, catalog::update_category;
    delete_category => DeleteCategory(catalog::ById) -> catalog::Deleted, Admin, true, catalog::delete_category;
    create_vat_rate => CreateVatRate(catalog::CreateVatRate) -> catalog::VatRate, Admin, true, catalog::create_vat_rate;
    update_settings => UpdateSettings(settings::UpdateSettings) -> settings::Settings, Admin, true, settings::update;
    create_supplier => CreateSupplier(Box<supplier::CreateSupplier>) -> supplier::Supplier, Admin, true, supplier::create;
    update_supplier => UpdateSupplier(Box<supplier::UpdateSupplier>) -> supplier::Supplier, Admin, true, supplier::update;
    delete_supplier => DeleteSupplier(catalog::ById) -> catalog::Deleted, Admin, true, supplier::delete;
    create_product => CreateProduct(Box<product::CreateProduct>) -> product::Product, InventoryWrite, true, product::create;
    update_product => UpdateProduct(Box<product::UpdateProduct>) -> product::ProductView, InventoryWrite, true, product::update;
    delete_product => DeleteProduct(catalog::ById) -> catalog::Deleted, InventoryWrite, true, product::delete;
    update_stock => UpdateStock(ledger::UpdateStock) -> ledger::StockChange, InventoryWrite, true, ledger::update_stock;
    create_purchase_order => CreatePurchaseOrder(Box<po::orders::CreatePurchaseOrder>) -> po::PoView, PurchasingWrite, true, po::orders::create;
    update_purchase_order => UpdatePurchaseOrder(Box<po::orders::UpdatePurchaseOrder>) -> po::PoView, PurchasingWrite, true, po::orders::update;
    delete_purchase_order => DeletePurchaseOrder(catalog::ById) -> catalog::Deleted, PurchasingWrite, true, po::orders::delete;
    order_purchase_order => OrderPurchaseOrder(catalog::ById) -> po::PoView, PurchasingWrite, true, po::orders::order;
    receive_purchase_order => ReceivePurchaseOrder(po::receiving::Receive) -> po::PoView, PurchasingReceive, true, po::receiving::receive;
    cancel_purchase_order => CancelPurchaseOrder(catalog::ById) -> po::PoView, PurchasingWrite, true, po::orders::cancel;
    close_purchase_order => ClosePurchaseOrder(po::receiving::Close) -> po::PoView, PurchasingWrite, true, po::receiving::close;
    return_to_supplier => ReturnToSupplier(po::receiving::ReturnToSupplier) -> po::PoView, PurchasingReceive, true, po::receiving::return_to_supplier;
    mark_purchase_order_exported => MarkPurchaseOrderExported(catalog::ById) -> po::PoView, PurchasingWrite, true, po::orders::mark_exported;
    create_sales_document => CreateSalesDocument(sales::documents::CreateSalesDocument) -> sales::SalesDocument, SalesWrite, true, sales::documents::create;
    update_sales_document => UpdateSalesDocument(sales::documents::UpdateSalesDocument) -> sales::SalesDocument, SalesWrite, true, sales::documents::update;
    change_sales_document_type => ChangeSalesDocumentType(sales::documents::ChangeType) -> sales::SalesDocument, SalesWrite, true, sales::documents::change;
    record_payment => RecordPayment(sales::documents::RecordPayment) -> sales::SalesDocument, SalesWrite, true, sales::documents::record_payment;
    mark_shipped => MarkShipped(sales::documents::MarkShipped) -> sales::documents::Shipped, SalesWrite, true, sales::documents::mark_shipped;
    delete_sales_document => DeleteSalesDocument(catalog::ById) -> sales::SalesDocument, SalesWrite, true, sales::documents::delete;
    expire_orders => ExpireOrders(NoArgs) -> sales::documents::Expired, SalesWrite, true, sales::documents::expire;
    get_settings => GetSettings(NoArgs) -> settings::Settings, InventoryRead, false, get_settings;
    list_locations => ListLocations(NoArgs) -> Vec<catalog::Location>, InventoryRead, false, catalog::list_locations;
    list_categories => ListCategories(NoArgs) -> Vec<catalog::Category>, InventoryRead, false, catalog::list_categories;
    list_vat_rates => ListVatRates(NoArgs) -> Vec<catalog::VatRate>, InventoryRead, false, catalog::list_vat_rates;
    get_supplier => GetSupplier(catalog::ById) -> supplier::SupplierView, InventoryRead, false, supplier::get;
    list_suppliers => ListSuppliers(supplier::ListSuppliers) -> crate::paging::Paged<supplier::Supplier>, InventoryRead, false, supplier::list;
    get_product => GetProduct(catalog::ById) -> product::ProductView, InventoryRead, false, product::get;
    list_products => ListProducts(product::ListProducts) -> crate::paging::Paged<product::ProductView>, InventoryRead, false, product::list;
    get_stock => GetStock(ledger::GetStock) -> ledger::StockReport, InventoryRead, false, ledger::get_stock;
    stock_as_of => StockAsOf(ledger::StockAsOf) -> ledger::PastStock, InventoryRead, false, ledger::stock_as_of;
    list_movements => ListMovements(ledger::ListMovements) -> ledger::MovementPage, InventoryRead, false, ledger::list_movements;
    get_purchase_order => GetPurchaseOrder(catalog::ById) -> po::PoView, InventoryRead, false, po::queries::get;
    list_purchase_orders => ListPurchaseOrders(po::queries::ListPurchaseOrders) -> crate::paging::Paged<po::PoSummary>, InventoryRead, false, po::queries::list;
    get_sales_document => GetSalesDocument(catalog::ById) -> sales::SalesDocument, InventoryRead, false, sales::queries::get;
    list_sales_documents => ListSalesDocuments(sales::queries::ListSalesDocuments) -> crate::paging::Paged<sales::SalesDocument>, InventoryRead, false, sales::queries::list;
}

fn get_settings(tx: &mut Tx<'_>, _: &Actor, _: NoArgs) -> Result<settings::Settings> {
    settings::get(tx)
}

const ENVELOPE_FIELDS: [&str; 5] = ["cmd", "actor", "now", "idempotency_key", "args"];

/// Parses a request from JSON text. Never panics; every problem is
/// `invalid_request` or `invalid_field`.
///
/// A well-formed request takes the fast path: the envelope and the arguments
/// are read straight from the text into their types. Anything the fast path
/// does not accept is parsed again by the general path, which alone words the
/// errors, so both give the same answer to every input.
pub fn parse_request(input: &str) -> Result<Request> {
    if let Some(r) = parse_fast(input) {
        return Ok(r);
    }
    let v: serde_json::Value =
        serde_json::from_str(input).map_err(|e| Error::request(format!("not valid JSON: {e}")))?;
    parse_request_value(v)
}

/// The envelope of a well-formed request, borrowed from the text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    #[serde(borrow)]
    cmd: std::borrow::Cow<'a, str>,
    actor: Actor,
    #[serde(default, borrow)]
    now: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    idempotency_key: Option<String>,
    #[serde(default, borrow)]
    args: Option<&'a serde_json::value::RawValue>,
}

fn parse_fast(input: &str) -> Option<Request> {
    let e: Envelope<'_> = serde_json::from_str(input).ok()?;
    let id_ok =
        !e.actor.id.trim().is_empty() && e.actor.id.chars().count() <= crate::validate::MAX_NAME;
    let key_ok = e
        .idempotency_key
        .as_ref()
        .is_none_or(|k| !k.is_empty() && k.chars().count() <= MAX_IDEMPOTENCY_KEY);
    if !id_ok || !key_ok {
        return None;
    }
    let now = match e.now {
        None => None,
        Some(t) => Some(DateTime::parse_from_rfc3339(&t).ok()?.with_timezone(&Utc)),
    };
    let args = match e.args.map(|a| a.get()) {
        None | Some("null") => "{}",
        Some(a) if a.starts_with('{') => a,
        Some(_) => return None,
    };
    let command = Command::parse_raw(&e.cmd, args)?;
    Some(Request {
        actor: e.actor,
        now,
        idempotency_key: e.idempotency_key,
        command,
    })
}

/// Parses a request from a JSON value.
pub fn parse_request_value(v: serde_json::Value) -> Result<Request> {
    let serde_json::Value::Object(mut m) = v else {
        return Err(Error::request("a request is a JSON object"));
    };
    if let Some(k) = m.keys().find(|k| !ENVELOPE_FIELDS.contains(&k.as_str())) {
        return Err(Error::request(format!(
            "unknown field `{}` in the request",
            k.chars().take(64).collect::<String>()
        )));
    }
    let cmd = match m.remove("cmd") {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(Error::request("`cmd` must be a string")),
        None => return Err(Error::request("missing field `cmd`")),
    };
    let actor: Actor = match m.remove("actor") {
        Some(a) => from_args("actor", a)?,
        None => return Err(Error::request("missing field `actor`")),
    };
    if actor.id.trim().is_empty() || actor.id.chars().count() > crate::validate::MAX_NAME {
        return Err(Error::field("actor.id", "1 to 200 characters"));
    }
    let now = match m.remove("now") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(
            DateTime::parse_from_rfc3339(&s)
                .map_err(|e| Error::field("now", format!("not an RFC 3339 time: {e}")))?
                .with_timezone(&Utc),
        ),
        Some(_) => return Err(Error::field("now", "an RFC 3339 time string")),
    };
    let idempotency_key = match m.remove("idempotency_key") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s))
            if !s.is_empty() && s.chars().count() <= MAX_IDEMPOTENCY_KEY =>
        {
            Some(s)
        }
        Some(_) => {
            return Err(Error::field(
                "idempotency_key",
                "a string of 1 to 200 characters",
            ))
        }
    };
    let args = match m.remove("args") {
        None | Some(serde_json::Value::Null) => serde_json::Value::Object(Default::default()),
        Some(a @ serde_json::Value::Object(_)) => a,
        Some(_) => return Err(Error::request("`args` must be an object")),
    };
    let command = Command::parse(&cmd, args)?;
    Ok(Request {
        actor,
        now,
        idempotency_key,
        command,
    })
}

/// The answer as JSON text.
pub fn answer_json(r: &Result<Outcome>) -> String {
    match r {
        Ok(o) => {
            // One buffer for the whole answer: an update_stock answer is
            // ~450 bytes, so it is written without growing.
            let mut out = Vec::with_capacity(512);
            out.extend_from_slice(b"{\"ok\":");
            o.result.write_wire(&mut out);
            out.extend_from_slice(b",\"events\":");
            let mark = out.len();
            if crate::json::write(&mut out, &o.events).is_err() {
                out.truncate(mark);
                out.extend_from_slice(b"[]");
            }
            out.push(b'}');
            // Only UTF-8 is ever written.
            String::from_utf8(out).unwrap_or_default()
        }
        Err(e) => {
            let w = crate::json::to_string(&e.to_wire()).unwrap_or_else(|_| "{}".into());
            format!("{{\"error\":{w}}}")
        }
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    fn slow(input: &str) -> Result<Request> {
        let v: serde_json::Value = serde_json::from_str(input)
            .map_err(|e| Error::request(format!("not valid JSON: {e}")))?;
        parse_request_value(v)
    }

    /// Wherever the fast path accepts a request, the general path reads the
    /// very same request; wherever it declines, `parse_request` answers what
    /// the general path answers.
    #[test]
    fn the_fast_path_agrees_with_the_general_one() {
        let a = r#""actor":{"id":"ann","permissions":["admin"]}"#;
        let cases = [
            format!(
                r#"{{"cmd":"update_stock",{a},"now":"2026-01-05T09:00:00Z","args":{{"product_id":1,"operation":"add","quantity":"5"}}}}"#
            ),
            format!(
                r#"{{"cmd":"update_stock",{a},"now":"2026-01-05T09:00:00+02:00","args":{{"product_id":1,"operation":"add","quantity":5}}}}"#
            ),
            format!(
                r#"{{"cmd":"update_stock",{a},"now":"2026-01-05T09:00:00Z","args":{{"product_id":1,"operation":"add","quantity":5.5}}}}"#
            ),
            format!(
                r#"{{"cmd":"update_stock",{a},"now":"2026-01-05T09:00:00Z","args":{{"product_id":1,"operation":"add","quantity":1e2}}}}"#
            ),
            format!(
                r#"{{"cmd":"update_stock",{a},"now":"2026-01-05T09:00:00Z","args":{{"product_id":1,"operation":"add","quantity":"5","quantity":"6"}}}}"#
            ),
            format!(r#"{{"cmd":"list_locations",{a}}}"#),
            format!(
                r#"{{"cmd":"list_locations",{a},"args":null,"now":null,"idempotency_key":null}}"#
            ),
            format!(r#"{{"cmd":"list_locations",{a},"args":[]}}"#),
            format!(r#"{{"cmd":"list_locations",{a},"args": {{ }} }}"#),
            format!(
                r#"{{"cmd":"create_supplier",{a},"now":"2026-01-05T09:00:00Z","idempotency_key":"k\u00e9","args":{{"name":"Caf\u00e9 \"Bar\""}}}}"#
            ),
            format!(
                r#"{{"cmd":"create_supplier",{a},"now":"2026-01-05T09:00:00Z","idempotency_key":"","args":{{"name":"x"}}}}"#
            ),
            format!(r#"{{"cmd":"create_supplier",{a},"now":"yesterday","args":{{"name":"x"}}}}"#),
            format!(
                r#"{{"cmd":"create_supplier",{a},"now":"2026-01-05T09:00:00Z","args":{{"name":"x","nmae":"y"}}}}"#
            ),
            format!(r#"{{"cmd":"create_supplier",{a},"extra":1,"args":{{"name":"x"}}}}"#),
            format!(r#"{{"cmd":"create_supplier",{a},"cmd":"list_locations"}}"#),
            format!(r#"{{"cmd":"fly",{a}}}"#),
            format!(r#"{{"cmd":7,{a}}}"#),
            format!(r#"{{"cmd":"list_locations",{a}}} trailing"#),
            r#"{"cmd":"list_locations","actor":{"id":"  ","permissions":[]}}"#.to_string(),
            r#"{"cmd":"list_locations","actor":{"id":"a","permissions":["root"]}}"#.to_string(),
            r#"{"cmd":"list_locations","actor":{"id":"a"}}"#.to_string(),
            r#"[1,2]"#.to_string(),
            "".to_string(),
        ];
        assert!(
            parse_fast(&cases[0]).is_some(),
            "a plain request takes the fast path"
        );
        assert!(parse_fast(&cases[6]).is_some(), "nulls take the fast path");
        for c in &cases {
            let fast = parse_fast(c);
            let slow = slow(c);
            if let Some(f) = &fast {
                assert_eq!(Ok(f), slow.as_ref(), "{c}");
            }
            assert_eq!(parse_request(c), slow, "{c}");
        }
    }
}
