//! The engine: one request in, one answer out.
//!
//! `execute` checks the permission, replays an idempotent retry, runs the
//! command's handler in a [`Tx`], raises alerts, and hands the store one
//! changeset. A rejected command returns before `commit`, so it changes nothing.

use crate::alerts;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::protocol::{answer_json, parse_request, Command, Outcome, Request, StoredOutcome};
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
    run(store, req)?.typed()
}

impl Reply {
    fn typed(self) -> Result<Outcome> {
        match self {
            Reply::Fresh(o) => Ok(o),
            Reply::Replayed(kept) => kept.outcome(),
        }
    }

    fn json(self) -> String {
        match self {
            Reply::Fresh(o) => answer_json(&Ok(o)),
            Reply::Replayed(kept) => kept.answer_json().unwrap_or_else(|e| answer_json(&Err(e))),
        }
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
    if !command.is_change() {
        let mut tx = Tx::new(&*store, now.unwrap_or(DateTime::UNIX_EPOCH));
        let result = command.run(&mut tx, &actor)?;
        return Ok(Reply::Fresh(Outcome {
            result,
            events: Vec::new(),
        }));
    }
    let now = now.ok_or_else(|| Error::request("missing field `now`: changes need the time"))?;
    let (reply, cs) = {
        let mut tx = Tx::new(&*store, now);
        let reply = change(&mut tx, &actor, idempotency_key, command)?;
        (reply, tx.into_changeset())
    };
    // A replay only read: its changeset is empty.
    if !cs.is_empty() {
        store.commit(cs)?;
    }
    Ok(reply)
}

/// One change inside `tx`: replays a kept answer, or runs the command, raises
/// its alerts and keeps its answer under the idempotency key.
fn change(
    tx: &mut Tx<'_>,
    actor: &Actor,
    idempotency_key: Option<String>,
    command: Command,
) -> Result<Reply> {
    let key = idempotency_key.map(|k| {
        // Canonical form: who asked, which command, which arguments; not `now`.
        let fp = crate::json::to_string(&(&actor.id, &command)).unwrap_or_default();
        (k, fp)
    });
    if let Some((k, fp)) = &key {
        // Read through the transaction: one read, and its version (0 when
        // absent) makes a concurrent twin with the same key conflict.
        if let Some(Value::Idempotency(rec)) = tx.get(&Key::Idempotency(k.clone()))? {
            if &rec.fingerprint == fp {
                return Ok(Reply::Replayed(rec.outcome.clone()));
            }
            return Err(Error::conflict(format!(
                "idempotency key `{k}` was used for a different request"
            )));
        }
    }
    let result = command.run(tx, actor)?;
    alerts::raise(tx)?;
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
    Ok(Reply::Fresh(outcome))
}

/// Executes a request given as JSON text and answers JSON text. This is what
/// every host calls; it never panics on any input.
pub fn execute_json(store: &mut dyn Store, input: &str) -> String {
    match parse_request(input).and_then(|req| run(store, req)) {
        Ok(reply) => reply.json(),
        Err(e) => answer_json(&Err(e)),
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
