//! The engine: one request in, one answer out.
//!
//! `execute` checks the permission, replays an idempotent retry, runs the
//! command's handler in a [`Tx`], raises alerts, and hands the store one
//! changeset. A rejected command returns before `commit`, so it changes nothing.

use crate::alerts;
use crate::error::{Error, Result};
use crate::protocol::{answer_json, parse_request, Outcome, Request, StoredOutcome};
use crate::store::{IdempotencyRecord, Key, Store, Value};
use crate::tx::Tx;
use chrono::DateTime;

/// What a command gave: a fresh outcome, or the kept one of an idempotent retry.
/// Lives for one call on the stack; boxing the big variant would cost every
/// command an allocation.
#[allow(clippy::large_enum_variant)]
enum Reply {
    Fresh(Outcome),
    Replayed(StoredOutcome),
}

/// Executes a parsed request against a store.
pub fn execute(store: &mut dyn Store, req: Request) -> Result<Outcome> {
    match run(store, req)? {
        Reply::Fresh(o) => Ok(o),
        Reply::Replayed(kept) => kept.outcome(),
    }
}

fn run(store: &mut dyn Store, req: Request) -> Result<Reply> {
    let Request {
        actor,
        now,
        idempotency_key,
        command,
    } = req;
    actor.require(command.permission())?;
    let change = command.is_change();
    if !change {
        let mut tx = Tx::new(&*store, now.unwrap_or(DateTime::UNIX_EPOCH));
        let result = command.run(&mut tx, &actor)?;
        return Ok(Reply::Fresh(Outcome {
            result,
            events: Vec::new(),
        }));
    }
    let now = now.ok_or_else(|| Error::request("missing field `now`: changes need the time"))?;
    let key = idempotency_key.map(|k| {
        // Canonical form: who asked, which command, which arguments; not `now`.
        let fp = serde_json::to_string(&(&actor.id, &command)).unwrap_or_default();
        (k, fp)
    });
    if let Some((k, fp)) = &key {
        if let Some((_, Value::Idempotency(rec))) = store.get(&Key::Idempotency(k.clone()))? {
            if &rec.fingerprint == fp {
                return Ok(Reply::Replayed(rec.outcome));
            }
            return Err(Error::conflict(format!(
                "idempotency key `{k}` was used for a different request"
            )));
        }
    }
    let (outcome, cs) = {
        let mut tx = Tx::new(&*store, now);
        if let Some((k, _)) = &key {
            // Read (absent, version 0) so a concurrent twin with the same key conflicts.
            tx.get(&Key::Idempotency(k.clone()))?;
        }
        let result = command.run(&mut tx, &actor)?;
        alerts::raise(&mut tx)?;
        let outcome = Outcome {
            result,
            events: tx.events().to_vec(),
        };
        if let Some((k, fp)) = key {
            let rec = IdempotencyRecord {
                fingerprint: fp,
                outcome: StoredOutcome::of(&outcome)?,
            };
            tx.put(Key::Idempotency(k), Value::Idempotency(Box::new(rec)));
        }
        (outcome, tx.into_changeset())
    };
    if !cs.is_empty() {
        store.commit(cs)?;
    }
    Ok(Reply::Fresh(outcome))
}

/// Executes a request given as JSON text and answers JSON text. This is what
/// every host calls; it never panics on any input.
pub fn execute_json(store: &mut dyn Store, input: &str) -> String {
    match parse_request(input).and_then(|req| run(store, req)) {
        Ok(Reply::Fresh(o)) => answer_json(&Ok(o)),
        Ok(Reply::Replayed(kept)) => kept.answer_json().unwrap_or_else(|e| answer_json(&Err(e))),
        Err(e) => answer_json(&Err(e)),
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
