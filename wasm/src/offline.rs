//! Working offline on a copy of the server's state: dry runs and receipt
//! validation.
//!
//! A dry run executes the real command over a [`DryRun`] view of a store: reads
//! go to the store, the changeset is thrown away. The answer is therefore
//! exactly the one the server would give for the same state, and nothing
//! changes (no copy of the state is made either).

use serde_json::{Map, Value as Json};
use std::ops::ControlFlow;
use stockbook_core::engine::execute_json;
use stockbook_core::error::{Error, Result};
use stockbook_core::ledger::{Movement, MovementQuery};
use stockbook_core::protocol::answer_json;
use stockbook_core::store::{Changeset, Key, Scan, Store, Value, Version};
use stockbook_core::Id;

/// A read-only view of a store whose commits go nowhere.
pub struct DryRun<'a>(pub &'a dyn Store);

impl Store for DryRun<'_> {
    fn get(&self, key: &Key) -> Result<Option<(Version, Value)>> {
        self.0.get(key)
    }

    fn scan(
        &self,
        scan: Scan,
        visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> Result<()> {
        self.0.scan(scan, visit)
    }

    fn movements(&self, query: &MovementQuery) -> Result<Vec<Movement>> {
        self.0.movements(query)
    }

    fn movement_at(
        &self,
        product_id: Id,
        location_id: Id,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Movement>> {
        self.0.movement_at(product_id, location_id, at)
    }

    fn commit(&mut self, _: Changeset) -> Result<()> {
        Ok(())
    }
}

/// Answers a request as the store would, changing nothing.
pub fn dry_run_json(store: &dyn Store, request: &str) -> String {
    execute_json(&mut DryRun(store), request)
}

/// The actor a receipt is validated as when the caller names none.
pub const VALIDATOR_ACTOR: &str =
    r#"{"id":"offline-validation","permissions":["purchasing.receive"]}"#;

/// Reads the id of the purchase order `validateReceipt` was given: a number,
/// `{"id": n}` (a PO record or summary) or `{"purchase_order": {"id": n}}` (the
/// answer of `get_purchase_order`).
pub fn purchase_order_id(po: &Json) -> Result<Json> {
    let id = match po {
        Json::Number(_) => Some(po),
        Json::Object(m) => m.get("id").or_else(|| {
            m.get("purchase_order")
                .and_then(Json::as_object)
                .and_then(|p| p.get("id"))
        }),
        _ => None,
    };
    match id {
        Some(id @ Json::Number(n)) if n.is_u64() => Ok(id.clone()),
        _ => Err(Error::field(
            "purchaseOrder",
            "a purchase order id, or an object carrying it (`id` or `purchase_order.id`)",
        )),
    }
}

/// Builds the `receive_purchase_order` request that validating `receipt`
/// against `po` runs. `receipt` holds the command's arguments (`lines`,
/// `received_date`, `packing_slip_number`; an `id`, if given, must be the
/// PO's). `actor` defaults to [`VALIDATOR_ACTOR`].
pub fn receipt_request(
    po: &Json,
    receipt: &Json,
    actor: Option<Json>,
    now: &str,
) -> Result<String> {
    let id = purchase_order_id(po)?;
    let Json::Object(args) = receipt else {
        return Err(Error::field("receipt", "an object with `lines`"));
    };
    let mut args = args.clone();
    match args.get("id") {
        None => {}
        Some(given) if *given == id => {}
        Some(_) => {
            return Err(Error::field(
                "receipt.id",
                "does not match the purchase order",
            ))
        }
    }
    args.insert("id".into(), id);
    let actor = match actor {
        Some(a) => a,
        None => serde_json::from_str(VALIDATOR_ACTOR).unwrap_or(Json::Null),
    };
    let mut req = Map::new();
    req.insert("cmd".into(), Json::from("receive_purchase_order"));
    req.insert("actor".into(), actor);
    req.insert("now".into(), Json::from(now));
    req.insert("args".into(), Json::Object(args));
    serde_json::to_string(&Json::Object(req)).map_err(|e| Error::request(e.to_string()))
}

/// Validates a receipt against the state in `store`: the answer the server
/// would give (`ok` with the PO as it would become, or the error such as
/// `over_receipt`), changing nothing.
pub fn validate_receipt(
    store: &dyn Store,
    po: &Json,
    receipt: &Json,
    actor: Option<Json>,
    now: &str,
) -> String {
    match receipt_request(po, receipt, actor, now) {
        Ok(req) => dry_run_json(store, &req),
        Err(e) => answer_json(&Err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use stockbook_core::store::memory::MemoryStore;

    const NOW: &str = "2026-01-05T09:00:00Z";

    fn run(store: &mut MemoryStore, cmd: &str, args: Json) -> Json {
        let req = json!({"cmd": cmd, "actor": {"id": "ann", "permissions": ["admin"]}, "now": NOW, "args": args});
        serde_json::from_str(&execute_json(store, &req.to_string())).unwrap()
    }

    fn ordered_po() -> MemoryStore {
        let mut s = MemoryStore::new();
        run(&mut s, "create_supplier", json!({"name": "Acme"}));
        run(
            &mut s,
            "create_product",
            json!({"sku": "A", "name": "Bolt"}),
        );
        run(
            &mut s,
            "create_purchase_order",
            json!({"supplier_id": 1, "lines": [{"product_id": 1, "quantity": "10", "unit_cost": "1.50"}]}),
        );
        let o = run(&mut s, "order_purchase_order", json!({"id": 1}));
        assert_eq!(o["ok"]["purchase_order"]["status"], "ordered", "{o}");
        s
    }

    #[test]
    fn an_over_receipt_is_refused_with_its_details_and_nothing_changes() {
        let s = ordered_po();
        let before = s.snapshot();
        let receipt = json!({"lines": [{"line_no": 1, "quantity": "11"}]});
        let a: Json =
            serde_json::from_str(&validate_receipt(&s, &json!(1), &receipt, None, NOW)).unwrap();
        assert_eq!(a["error"]["code"], "over_receipt");
        assert_eq!(
            a["error"]["details"],
            json!({"line": 1, "outstanding": "10", "requested": "11"})
        );
        assert_eq!(s.snapshot(), before);
    }

    #[test]
    fn a_good_receipt_answers_what_the_server_would() {
        let s = ordered_po();
        let receipt = json!({"lines": [{"line_no": 1, "quantity": "4"}]});
        let po_view = json!({"purchase_order": {"id": 1}});
        let offline = validate_receipt(&s, &po_view, &receipt, None, NOW);
        let mut server = s.clone();
        let req = receipt_request(&json!(1), &receipt, None, NOW).unwrap();
        assert_eq!(offline, execute_json(&mut server, &req));
        assert!(offline.starts_with(r#"{"ok":"#), "{offline}");
        assert_eq!(s.ledger_len(), 0);
    }

    #[test]
    fn bad_arguments_are_typed_errors() {
        let s = ordered_po();
        for (po, receipt) in [
            (json!("1"), json!({"lines": []})),
            (json!({"id": -1}), json!({"lines": []})),
            (json!(1), json!(7)),
            (json!(1), json!({"id": 2, "lines": []})),
        ] {
            let a: Json =
                serde_json::from_str(&validate_receipt(&s, &po, &receipt, None, NOW)).unwrap();
            assert_eq!(a["error"]["code"], "invalid_field", "{po} {receipt}");
        }
    }
}
