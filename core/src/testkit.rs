//! A small harness for tests, examples and benchmarks: a [`MemoryStore`], a
//! simulated clock and an actor, speaking the JSON protocol exactly as a host
//! would. Time only moves when a test moves it.
//!
//! Not part of the crate's API: it is `pub` (and `#[doc(hidden)]`) only so
//! the integration tests in `core/tests/` and the benchmarks, which are
//! separate crates, can use it. It may change with any commit; an embedder
//! drives the engine with [`crate::execute`] or [`crate::execute_json`].

use crate::auth::Actor;
use crate::engine::execute_json;
use crate::store::memory::MemoryStore;
use crate::store::{Key, Kind, Scan, Store};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// The harness.
pub struct Kit {
    /// The store under test.
    pub store: MemoryStore,
    /// The time given to the next command.
    pub now: DateTime<Utc>,
    /// The actor of the next command.
    pub actor: Actor,
}

impl Default for Kit {
    fn default() -> Self {
        Self::new()
    }
}

/// An answer, split.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// `{"ok": ..., "events": [...]}`.
    Ok {
        /// The result.
        ok: Value,
        /// The events.
        events: Vec<Value>,
    },
    /// `{"error": ...}`.
    Err(Value),
}

impl Kit {
    /// A fresh store at 2026-01-05 09:00 UTC with an admin actor.
    pub fn new() -> Self {
        let now = DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        Kit {
            store: MemoryStore::new(),
            now,
            actor: Actor::admin("admin"),
        }
    }

    /// Moves the clock.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
    }

    /// The request text for a command at the current time.
    pub fn request(&self, cmd: &str, args: Value) -> String {
        json!({"cmd": cmd, "actor": self.actor, "now": self.now.to_rfc3339(), "args": args})
            .to_string()
    }

    /// Sends raw request text and returns the raw answer text.
    pub fn send(&mut self, request: &str) -> String {
        execute_json(&mut self.store, request)
    }

    /// Runs a command and splits the answer.
    pub fn run(&mut self, cmd: &str, args: Value) -> Answer {
        let req = self.request(cmd, args);
        Self::split(&self.send(&req))
    }

    /// Runs a command with an idempotency key.
    pub fn run_keyed(&mut self, key: &str, cmd: &str, args: Value) -> Answer {
        let req = json!({"cmd": cmd, "actor": self.actor, "now": self.now.to_rfc3339(), "idempotency_key": key, "args": args});
        Self::split(&self.send(&req.to_string()))
    }

    /// Splits an answer text.
    pub fn split(answer: &str) -> Answer {
        let v: Value = serde_json::from_str(answer).unwrap_or(Value::Null);
        match (v.get("ok"), v.get("error")) {
            (Some(ok), _) => Answer::Ok {
                ok: ok.clone(),
                events: v
                    .get("events")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            },
            (_, Some(e)) => Answer::Err(e.clone()),
            _ => Answer::Err(json!({"code": "unparseable_answer", "details": answer})),
        }
    }

    /// Runs a command that must succeed; returns its result.
    #[track_caller]
    pub fn ok(&mut self, cmd: &str, args: Value) -> Value {
        match self.run(cmd, args) {
            Answer::Ok { ok, .. } => ok,
            Answer::Err(e) => panic!("{cmd} failed: {e}"),
        }
    }

    /// Runs a command that must fail; returns the error object.
    #[track_caller]
    pub fn err(&mut self, cmd: &str, args: Value) -> Value {
        match self.run(cmd, args) {
            Answer::Ok { ok, .. } => panic!("{cmd} should have failed but answered {ok}"),
            Answer::Err(e) => e,
        }
    }

    /// Runs a command that must fail with `code`, checking the store is
    /// byte-for-byte unchanged; returns the error's details.
    #[track_caller]
    pub fn refused(&mut self, code: &str, cmd: &str, args: Value) -> Value {
        let before = self.snapshot_text();
        let e = self.err(cmd, args);
        assert_eq!(e["code"], code, "{cmd}: {e}");
        assert_eq!(
            before,
            self.snapshot_text(),
            "{cmd} was refused but changed the store"
        );
        e["details"].clone()
    }

    /// The whole store as JSON text.
    ///
    /// The PO briefs are appended: a snapshot leaves them out (they are
    /// derived), but a refused command must not have touched them either.
    pub fn snapshot_text(&self) -> String {
        let mut text = serde_json::to_string(&self.store.snapshot()).unwrap_or_default();
        text.push_str(&serde_json::to_string(&self.briefs()).unwrap_or_default());
        text
    }

    /// Every PO brief in the store with its key, status by status.
    pub fn briefs(&self) -> Vec<(Key, crate::purchasing::brief::PoBrief)> {
        let mut all = Vec::new();
        for s in crate::purchasing::brief::STATUSES {
            let _ = self.store.scan(Scan::All(Kind::PoBrief(s)), &mut |k, v| {
                if let crate::store::Value::PoBrief(b) = v {
                    all.push((k.clone(), b.clone()));
                }
                std::ops::ControlFlow::Continue(())
            });
        }
        all
    }

    /// Creates a product and returns its id.
    pub fn product(&mut self, sku: &str) -> u64 {
        let v = self.ok(
            "create_product",
            json!({"sku": sku, "name": format!("Product {sku}"), "purchase_price": "1.00"}),
        );
        v["id"].as_u64().unwrap_or_default()
    }

    /// Creates a supplier and returns its id.
    pub fn supplier(&mut self, name: &str) -> u64 {
        self.ok("create_supplier", json!({"name": name}))["id"]
            .as_u64()
            .unwrap_or_default()
    }

    /// Total on hand of a product, as text.
    pub fn on_hand(&mut self, product_id: u64) -> String {
        self.ok("get_stock", json!({"product_id": product_id}))["totals"]["on_hand"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// Checks that `names` are the serde names of every variant of the unit enum
/// `T`, in declaration order, and that each reads and writes back as itself.
/// serde refuses an unknown name by listing every variant in declaration
/// order, so a variant missing from `names` (or out of order) fails here.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_serde_names<T>(names: &[&str])
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let refusal = serde_json::from_value::<T>(json!("?"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    assert_eq!(
        refusal,
        format!("unknown variant `?`, expected one of {}", quoted.join(", "))
    );
    for name in names {
        let v: T = serde_json::from_value(json!(name)).unwrap();
        assert_eq!(serde_json::to_value(v).unwrap(), json!(name));
    }
}
