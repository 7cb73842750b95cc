//! Demo data for a new database: a few suppliers, 30 products with stock, and
//! purchase orders in every status (draft, ordered, partially received,
//! received, cancelled, closed with its backorder).
//!
//! The data is `web-demo/demo-seed.json`, a list of protocol requests, so the
//! page's offline mode plays the very same file into its in-browser store.
//! Here it is played in ONE transaction as actor `demo-seed` at the server's
//! clock; any refusal aborts the seed (the file and the rules disagree, which
//! is a bug to fix, not to skip).

use super::group_commit::Clock;
use crate::sqlite::{DbError, SqliteStore};
use serde_json::{json, Value};

/// The seed file, compiled in.
pub const DEMO_SEED: &str = include_str!("../../../web-demo/demo-seed.json");

/// Why the seed could not be played.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The seed file is not what it should be.
    #[error("demo seed: {0}")]
    Malformed(String),
    /// A request was refused.
    #[error("demo seed request {index} ({cmd}) was refused: {answer}")]
    Refused {
        /// Position in the file.
        index: usize,
        /// Command.
        cmd: String,
        /// The error answer.
        answer: String,
    },
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The seed's requests (`cmd` and `args` each).
pub fn requests() -> Result<Vec<Value>, SeedError> {
    let doc: Value =
        serde_json::from_str(DEMO_SEED).map_err(|e| SeedError::Malformed(e.to_string()))?;
    doc.get("requests")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| SeedError::Malformed("no `requests` array".into()))
}

/// Plays the seed into `store` in one transaction; returns how many requests.
/// It is rehearsed on an in-memory store first, so a refused request leaves
/// the real database untouched rather than half seeded.
pub fn play(store: &mut SqliteStore) -> Result<usize, SeedError> {
    play_into(&mut SqliteStore::open_in_memory()?)?;
    play_into(store)
}

fn play_into(store: &mut SqliteStore) -> Result<usize, SeedError> {
    let reqs = requests()?;
    let mut clock = Clock::default();
    let outcome = store.batch(|b| {
        for (index, r) in reqs.iter().enumerate() {
            let cmd = r["cmd"].as_str().unwrap_or_default().to_string();
            let req = json!({
                "cmd": cmd,
                "actor": {"id": "demo-seed", "permissions": ["admin"]},
                "now": crate::time_text(clock.tick()),
                "args": r["args"],
            });
            let answer = b.execute_json(&req.to_string());
            if !answer.starts_with("{\"ok\"") {
                return Err(SeedError::Refused { index, cmd, answer });
            }
        }
        Ok(reqs.len())
    })?;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(store: &mut SqliteStore, cmd: &str, args: Value) -> Value {
        let r = json!({"cmd": cmd, "actor": {"id": "t", "permissions": ["admin"]}, "args": args});
        let a: Value = serde_json::from_str(&store.execute_json(&r.to_string())).unwrap();
        a["ok"].clone()
    }

    #[test]
    fn the_seed_plays_and_covers_every_status() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let n = play(&mut s).unwrap();
        assert!(n > 30);
        let products = q(&mut s, "list_products", json!({"page_size": 50}));
        assert_eq!(products["total_count"], 30, "{products}");
        let suppliers = q(&mut s, "list_suppliers", json!({}));
        assert!(suppliers["total_count"].as_u64().unwrap() >= 3);
        for status in stockbook_core::purchasing::brief::STATUSES.map(|s| s.as_str()) {
            let pos = q(&mut s, "list_purchase_orders", json!({"status": status}));
            assert!(
                pos["total_count"].as_u64().unwrap() >= 1,
                "no PO {status}: {pos}"
            );
        }
        let low = q(&mut s, "list_products", json!({"low_stock_only": true}));
        assert!(
            low["total_count"].as_u64().unwrap() >= 1,
            "some product shows the badge"
        );
    }
}
