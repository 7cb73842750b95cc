//! Embedding the engine from Rust with typed values: build a [`Request`], run
//! it with [`execute`] on a [`MemoryStore`], read the typed
//! [`Outcome`](stockbook_core::protocol::Outcome): the
//! command's result and the events it raised, or an [`Error`] with its
//! stable code.
//!
//! Run with `cargo run -p stockbook-core --example embed`; `cargo test -p
//! stockbook-core` runs it as a test too (see `[[example]]` in
//! `core/Cargo.toml`).
//!
//! Hosts that speak JSON (a server, the wasm package) call
//! [`stockbook_core::execute_json`] instead, with the wire format of
//! `docs/protocol.md`; the typed values here are the same serde types, so both
//! give the same answers.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use stockbook_core::auth::{Actor, Permission};
use stockbook_core::decimal::{Money, Quantity};
use stockbook_core::ledger::{GetStock, Operation, UpdateStock};
use stockbook_core::product::CreateProduct;
use stockbook_core::protocol::{Command, CommandResult, Event, Request};
use stockbook_core::purchasing::orders::{CreatePurchaseOrder, LineInput};
use stockbook_core::purchasing::receiving::{ReceiptLine, Receive};
use stockbook_core::purchasing::PoStatus;
use stockbook_core::store::memory::MemoryStore;
use stockbook_core::supplier::CreateSupplier;
use stockbook_core::{catalog, execute, Error};

/// Each command's result is one variant of [`CommandResult`], boxed; this
/// takes the one a command is known to give out of an [`Outcome`].
macro_rules! result_of {
    ($outcome:expr, $variant:ident) => {
        match $outcome.result {
            CommandResult::$variant(r) => *r,
            other => unreachable!("{} answered {other:?}", stringify!($variant)),
        }
    };
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The engine reads no clock: the host passes the time of every change.
    let mut now: DateTime<Utc> = "2026-03-02T08:00:00Z".parse()?;
    let admin = Actor::admin("ann");
    let clerk = Actor {
        id: "bob".into(),
        permissions: vec![Permission::InventoryRead, Permission::PurchasingReceive],
    };
    let mut store = MemoryStore::new();

    // A supplier and a product. Argument structs derive `Default`, so only
    // the fields that matter are spelled out.
    let supplier = result_of!(
        execute(
            &mut store,
            Request::new(
                admin.clone(),
                now,
                Command::CreateSupplier(Box::new(CreateSupplier {
                    name: "Acme Fasteners".into(),
                    ..Default::default()
                })),
            ),
        )?,
        CreateSupplier
    );
    let bolt = result_of!(
        execute(
            &mut store,
            Request::new(
                admin.clone(),
                now,
                Command::CreateProduct(Box::new(CreateProduct {
                    sku: "BOLT-M8".into(),
                    name: "M8 bolt".into(),
                    supplier_id: Some(supplier.id),
                    // Amounts are exact decimals; text is parsed as the wire
                    // format is.
                    purchase_price: Some(Money::from_str("0.45")?),
                    low_stock_threshold: Some(Quantity::from_int(50)),
                    ..Default::default()
                })),
            ),
        )?,
        CreateProduct
    );
    println!("created {} (product {})", bolt.sku, bolt.id);

    // Stock in, then out: the second change leaves the bolt under its
    // threshold, and the answer carries a low-stock event.
    let stock = |operation, quantity: i64, reason: &str| {
        Command::UpdateStock(UpdateStock {
            product_id: bolt.id,
            location_id: None, // the Main location
            operation,
            quantity: Quantity::from_int(quantity),
            reason: Some(reason.into()),
            expected_on_hand: None,
            ticket: None,
            client: None,
        })
    };
    now += Duration::minutes(5);
    execute(
        &mut store,
        Request::new(
            admin.clone(),
            now,
            stock(Operation::Add, 120, "opening count"),
        ),
    )?;
    now += Duration::hours(1);
    let picked = execute(
        &mut store,
        Request::new(admin.clone(), now, stock(Operation::Subtract, 80, "picked")),
    )?;
    for event in &picked.events {
        match event {
            Event::LowStock(low) => println!(
                "event: {} is low ({} on hand, threshold {})",
                low.sku, low.on_hand, low.threshold
            ),
        }
    }
    let change = result_of!(picked, UpdateStock);
    println!("on hand after picking: {}", change.stock.on_hand);

    // A refusal is an `Error`: match the variant for its data, or use
    // `code()`, the stable string every host sees on the wire.
    let refused = execute(
        &mut store,
        Request::new(
            admin.clone(),
            now,
            Command::CreateProduct(Box::new(CreateProduct {
                sku: "BOLT-M8".into(),
                name: "Another bolt".into(),
                ..Default::default()
            })),
        ),
    );
    match refused {
        Err(e @ Error::Duplicate { .. }) => println!("refused ({}): {e}", e.code()),
        other => return Err(format!("expected duplicate, got {other:?}").into()),
    }
    // So is a missing permission: the clerk may receive, not order.
    let forbidden = execute(
        &mut store,
        Request::new(
            clerk.clone(),
            now,
            Command::CreatePurchaseOrder(Box::new(CreatePurchaseOrder {
                supplier_id: supplier.id,
                ..Default::default()
            })),
        ),
    )
    .err()
    .ok_or("the clerk should not be allowed to order")?;
    println!("refused ({}): {forbidden}", forbidden.code());

    // Purchase 200, order it, and let the clerk receive 150. The receipt
    // carries an idempotency key: a retry (say, after a lost answer) gets the
    // same answer and changes nothing.
    let po = result_of!(
        execute(
            &mut store,
            Request::new(
                admin.clone(),
                now,
                Command::CreatePurchaseOrder(Box::new(CreatePurchaseOrder {
                    supplier_id: supplier.id,
                    lines: vec![LineInput {
                        product_id: Some(bolt.id),
                        quantity: Quantity::from_int(200),
                        unit_cost: Some(Money::from_str("0.42")?),
                        ..Default::default()
                    }],
                    ..Default::default()
                })),
            ),
        )?,
        CreatePurchaseOrder
    );
    let po_id = po.purchase_order.id;
    execute(
        &mut store,
        Request::new(
            admin.clone(),
            now,
            Command::OrderPurchaseOrder(catalog::ById { id: po_id }),
        ),
    )?;
    now += Duration::days(2);
    let receipt = Request::new(
        clerk.clone(),
        now,
        Command::ReceivePurchaseOrder(Receive {
            id: po_id,
            lines: vec![ReceiptLine {
                line_no: 1,
                quantity: Quantity::from_int(150),
                location_id: None,
            }],
            received_date: None,
            packing_slip_number: Some("SLIP-77".into()),
        }),
    )
    .with_key("receipt-SLIP-77");
    let first = execute(&mut store, receipt.clone())?;
    let ledger_after_first = store.ledger_len();
    let retry = execute(&mut store, receipt)?;
    assert_eq!(first, retry);
    assert_eq!(store.ledger_len(), ledger_after_first);
    let received = result_of!(first, ReceivePurchaseOrder);
    assert_eq!(received.purchase_order.status, PoStatus::PartiallyReceived);
    println!(
        "{} is {:?}: {} of {} received",
        received.purchase_order.number,
        received.purchase_order.status,
        received.received_total,
        received.total
    );

    // Reads need no time; the clerk may read.
    let report = result_of!(
        execute(
            &mut store,
            Request::new(
                clerk,
                now,
                Command::GetStock(GetStock {
                    product_id: bolt.id,
                    location_id: None,
                }),
            ),
        )?,
        GetStock
    );
    println!(
        "stock of {}: {} on hand, {} incoming",
        bolt.sku, report.totals.on_hand, report.totals.incoming
    );
    assert_eq!(report.totals.on_hand, Quantity::from_int(190));
    assert_eq!(report.totals.incoming, Quantity::from_int(50));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_example_runs() {
        super::main().unwrap();
    }
}
