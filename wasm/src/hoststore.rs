//! The host-store protocol: the core runs inside the wasm module while the
//! records stay with the host (SQLite, say), and the module imports nothing.
//!
//! A module without imports cannot call the host back, so reads are *pulled*:
//! the module runs the command over a [`PullStore`] that knows only what the
//! host has supplied so far. On the first unknown read the store notes a
//! [`Need`] and fails the command; the engine returns before `commit`, so the
//! aborted run changed nothing (RULES §0). The host resolves the needs against
//! its store ([`resolve`]), supplies them, and runs the command again. Once a
//! run completes without a miss, its answer is final and the changeset it
//! committed ([`WireChangeset`]) goes to the host, which applies it with
//! [`Store::commit`]: the read versions it carries make a concurrent writer's
//! change a `conflict`, exactly as for a native command.
//!
//! Everything here is plain Rust: the module uses [`PullStore`] and
//! [`run_step`], the native host uses [`resolve`] and [`Step`]'s [`Changeset`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use stockbook_core::error::{Error, Result};
use stockbook_core::ledger::{Movement, MovementQuery};
use stockbook_core::store::{Changeset, Key, Scan, Store, Value, Version};
use stockbook_core::Id;

/// One read the module could not answer from what it was given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "need", rename_all = "snake_case")]
pub enum Need {
    /// [`Store::get`].
    Get {
        /// The key.
        key: Key,
    },
    /// [`Store::scan`], every record of it.
    Scan {
        /// What to scan.
        scan: Scan,
    },
    /// [`Store::movements`].
    Movements {
        /// The query.
        query: MovementQuery,
    },
    /// [`Store::movement_at`].
    MovementAt {
        /// Product.
        product_id: Id,
        /// Location.
        location_id: Id,
        /// Moment.
        at: DateTime<Utc>,
    },
}

/// What the host found for a [`Need`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// A record and its version, or none.
    Record(Option<(Version, Value)>),
    /// Every record of a scan, in key order.
    Records(Vec<(Key, Value)>),
    /// Movements of a query.
    Movements(Vec<Movement>),
    /// The movement at a moment, or none.
    Movement(Option<Movement>),
}

/// A need and what answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supply {
    /// What was asked.
    pub need: Need,
    /// The answer.
    pub found: Found,
}

/// What one run of a command in the module gives the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The run stopped at reads the host must supply; run again afterwards.
    Needs(Vec<Need>),
    /// The run completed: the answer (final unless the commit is refused) and
    /// the changeset to commit, if the command changed anything.
    Done {
        /// The protocol answer, as text.
        answer: String,
        /// What to commit.
        changeset: Option<Changeset>,
    },
}

/// The reason a [`PullStore`] gives the engine for a miss; never reaches a
/// client (the host runs the command again).
pub const MISS: &str = "read not supplied by the host yet";

/// A store that knows what the host supplied, notes every miss, and keeps the
/// changeset of the run instead of applying it.
#[derive(Debug, Default)]
pub struct PullStore {
    known: HashMap<Need, Found>,
    missing: RefCell<Vec<Need>>,
    committed: Option<Changeset>,
}

impl PullStore {
    /// An empty store (knows nothing yet).
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything supplied: call before each new command, so no read
    /// is answered from a state older than the command.
    pub fn clear(&mut self) {
        self.known.clear();
        self.missing.borrow_mut().clear();
        self.committed = None;
    }

    /// Adds what the host found.
    pub fn supply(&mut self, supplies: Vec<Supply>) {
        for s in supplies {
            self.known.insert(s.need, s.found);
        }
    }

    fn miss<T>(&self, need: Need) -> Result<T> {
        self.missing.borrow_mut().push(need);
        Err(Error::conflict(MISS))
    }
}

impl Store for PullStore {
    fn get(&self, key: &Key) -> Result<Option<(Version, Value)>> {
        let need = Need::Get { key: key.clone() };
        match self.known.get(&need) {
            Some(Found::Record(r)) => Ok(r.clone()),
            _ => self.miss(need),
        }
    }

    fn scan(
        &self,
        scan: Scan,
        visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> Result<()> {
        let need = Need::Scan { scan };
        match self.known.get(&need) {
            Some(Found::Records(rs)) => {
                for (k, v) in rs {
                    if visit(k, v).is_break() {
                        break;
                    }
                }
                Ok(())
            }
            _ => self.miss(need),
        }
    }

    fn movements(&self, query: &MovementQuery) -> Result<Vec<Movement>> {
        let need = Need::Movements {
            query: query.clone(),
        };
        match self.known.get(&need) {
            Some(Found::Movements(ms)) => Ok(ms.clone()),
            _ => self.miss(need),
        }
    }

    fn movement_at(
        &self,
        product_id: Id,
        location_id: Id,
        at: DateTime<Utc>,
    ) -> Result<Option<Movement>> {
        let need = Need::MovementAt {
            product_id,
            location_id,
            at,
        };
        match self.known.get(&need) {
            Some(Found::Movement(m)) => Ok(m.clone()),
            _ => self.miss(need),
        }
    }

    fn commit(&mut self, changeset: Changeset) -> Result<()> {
        self.committed = Some(changeset);
        Ok(())
    }
}

/// Runs a request once over what the store knows (module side).
pub fn run_step(store: &mut PullStore, request: &str) -> Step {
    store.missing.borrow_mut().clear();
    store.committed = None;
    let answer = stockbook_core::engine::execute_json(store, request);
    let missing = std::mem::take(&mut *store.missing.borrow_mut());
    if !missing.is_empty() {
        // Any miss voids the run, even if the engine swallowed the error.
        return Step::Needs(missing);
    }
    Step::Done {
        answer,
        changeset: store.committed.take(),
    }
}

/// Answers one need from the host's store (host side).
pub fn resolve(store: &dyn Store, need: &Need) -> Result<Found> {
    Ok(match need {
        Need::Get { key } => Found::Record(store.get(key)?),
        Need::Scan { scan } => {
            let mut out = Vec::new();
            store.scan(*scan, &mut |k, v| {
                out.push((k.clone(), v.clone()));
                ControlFlow::Continue(())
            })?;
            Found::Records(out)
        }
        Need::Movements { query } => Found::Movements(store.movements(query)?),
        Need::MovementAt {
            product_id,
            location_id,
            at,
        } => Found::Movement(store.movement_at(*product_id, *location_id, *at)?),
    })
}

/// Runs a request entirely natively through the protocol: the reference the
/// wasm host is tested against, and a check of the protocol itself.
pub fn execute_pulled(store: &mut dyn Store, request: &str) -> String {
    let mut pull = PullStore::new();
    loop {
        match run_step(&mut pull, request) {
            Step::Needs(needs) => {
                let mut supplies = Vec::with_capacity(needs.len());
                for need in needs {
                    match resolve(&*store, &need) {
                        Ok(found) => supplies.push(Supply { need, found }),
                        Err(e) => return stockbook_core::protocol::answer_json(&Err(e)),
                    }
                }
                pull.supply(supplies);
            }
            Step::Done { answer, changeset } => {
                if let Some(cs) = changeset {
                    if let Err(e) = store.commit(cs) {
                        return stockbook_core::protocol::answer_json(&Err(e));
                    }
                }
                return answer;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockbook_core::engine::execute_json;
    use stockbook_core::store::memory::MemoryStore;

    const ADMIN: &str = r#"{"id":"ann","permissions":["admin"]}"#;

    fn req(cmd: &str, args: &str, now: &str) -> String {
        format!(r#"{{"cmd":"{cmd}","actor":{ADMIN},"now":"{now}","args":{args}}}"#)
    }

    #[test]
    fn pulled_answers_equal_direct_answers() {
        let mut direct = MemoryStore::new();
        let mut host = MemoryStore::new();
        let steps = [
            req(
                "create_product",
                r#"{"sku":"A","name":"Bolt"}"#,
                "2026-01-05T09:00:00Z",
            ),
            req(
                "create_product",
                r#"{"sku":"A","name":"Dup"}"#,
                "2026-01-05T09:00:00Z",
            ),
            req(
                "update_stock",
                r#"{"product_id":1,"operation":"add","quantity":"12"}"#,
                "2026-01-05T09:01:00Z",
            ),
            req(
                "update_stock",
                r#"{"product_id":1,"operation":"subtract","quantity":"9"}"#,
                "2026-01-05T09:02:00Z",
            ),
            req("list_movements", "{}", "2026-01-05T09:03:00Z"),
            req("get_product", r#"{"id":1}"#, "2026-01-05T09:03:00Z"),
            req(
                "stock_as_of",
                r#"{"product_id":1,"at":"2026-01-05T09:01:30Z"}"#,
                "2026-01-05T09:03:00Z",
            ),
            "not json".to_string(),
        ];
        for s in &steps {
            let a = execute_json(&mut direct, s);
            let b = execute_pulled(&mut host, s);
            assert_eq!(a, b, "request {s}");
        }
        assert_eq!(direct.snapshot(), host.snapshot());
    }

    #[test]
    fn a_stale_changeset_is_a_conflict() {
        let mut host = MemoryStore::new();
        let mut pull = PullStore::new();
        let create = req(
            "create_location",
            r#"{"name":"Van"}"#,
            "2026-01-05T09:00:00Z",
        );
        let changeset = loop {
            match run_step(&mut pull, &create) {
                Step::Needs(needs) => {
                    let s = needs
                        .into_iter()
                        .map(|need| Supply {
                            found: resolve(&host, &need).unwrap(),
                            need,
                        })
                        .collect();
                    pull.supply(s);
                }
                Step::Done { changeset, .. } => break changeset.unwrap(),
            }
        };
        // Someone else creates a location in between.
        execute_json(
            &mut host,
            &req(
                "create_location",
                r#"{"name":"Shed"}"#,
                "2026-01-05T09:00:00Z",
            ),
        );
        let e = host.commit(changeset).unwrap_err();
        assert_eq!(e.code(), "conflict");
    }
}
