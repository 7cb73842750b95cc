//! The ledger table: one row per movement with typed columns (ids and times
//! as integers, quantities as exact decimal text), so the ledger is readable
//! by any SQL tool and a row costs ~60 bytes instead of a JSON document. The
//! store's ledger queries have the semantics of the in-memory store
//! (`MovementQuery::matches`, `after_seq`, `before_seq`, `newest_first`,
//! `limit`; `movement_at` = the last
//! movement of a (product, location) at or before a time).
//!
//! [`Movement`] is mapped field by field on purpose: a new field in core does
//! not compile here until it gets a column (and a migration).

use super::DbError;
use chrono::{DateTime, Utc};
use rusqlite::types::Value as Sql;
use rusqlite::{params, params_from_iter, Connection, Row};
use stockbook_core::decimal::Quantity;
use stockbook_core::ledger::{Movement, MovementQuery, MovementType, Source};
use stockbook_core::Id;

/// Ids are u64 in core; SQLite integers are i64. The cast is a bijection, and
/// ids are only ever compared for equality, so nothing depends on their order.
fn id(i: Id) -> i64 {
    i as i64
}

/// The wire name of a movement type (serde's, so a new type needs no code).
fn kind_name(k: MovementType) -> Result<String, DbError> {
    match serde_json::to_value(k) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        other => Err(DbError::Corrupt(format!("movement type {k:?}: {other:?}"))),
    }
}

fn kind_of(s: String) -> Result<MovementType, DbError> {
    serde_json::from_value(serde_json::Value::String(s))
        .map_err(|e| DbError::Corrupt(format!("movement type: {e}")))
}

fn time(t: DateTime<Utc>) -> (i64, i64) {
    (t.timestamp(), i64::from(t.timestamp_subsec_nanos()))
}

/// A stored quantity: within the limits of what the engine computes (a
/// balance can outgrow the limits of a request), like every store reads it.
fn quantity(s: &str) -> Result<Quantity, DbError> {
    use stockbook_core::decimal::{parse_within, STORED_QUANTITY};
    parse_within(s, STORED_QUANTITY)
        .map(Quantity)
        .map_err(|e| DbError::Corrupt(format!("movement quantity `{s}`: {e}")))
}

/// The columns every read selects, in [`decode`]'s order.
const COLUMNS: &str =
    "seq, at_s, at_ns, product_id, location_id, kind, quantity, requested, balance_after, reason, actor, source";

fn decode(r: &Row<'_>) -> Result<Movement, DbError> {
    let at_s: i64 = r.get(1)?;
    let at_ns: i64 = r.get(2)?;
    let at = DateTime::from_timestamp(at_s, u32::try_from(at_ns).unwrap_or(u32::MAX))
        .ok_or_else(|| DbError::Corrupt(format!("movement time {at_s}.{at_ns}")))?;
    let requested: Option<String> = r.get(7)?;
    let actor: String = r.get(10)?;
    let source: Option<String> = r.get(11)?;
    let source = match source {
        None => Source {
            actor,
            ..Source::default()
        },
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| DbError::Corrupt(format!("movement source: {e}")))?,
    };
    Ok(Movement {
        seq: r.get::<_, i64>(0)? as u64,
        at,
        product_id: r.get::<_, i64>(3)? as Id,
        location_id: r.get::<_, i64>(4)? as Id,
        kind: kind_of(r.get(5)?)?,
        quantity: quantity(&r.get::<_, String>(6)?)?,
        requested: requested.as_deref().map(quantity).transpose()?,
        balance_after: quantity(&r.get::<_, String>(8)?)?,
        reason: r.get(9)?,
        source,
    })
}

/// Appends movements (their `seq` continues the ledger; checked by the caller).
///
/// The source is stored as the actor alone when that is all it names (nearly
/// always), else as JSON beside it.
pub fn insert(conn: &Connection, ms: &[Movement]) -> Result<(), DbError> {
    let mut st = conn.prepare_cached(
        "INSERT INTO movements(seq, at_s, at_ns, product_id, location_id, kind, quantity,
                               requested, balance_after, reason, actor, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    let mut actor_only = Source::default();
    for m in ms {
        let (s, ns) = time(m.at);
        actor_only.actor.clone_from(&m.source.actor);
        let source =
            if m.source == actor_only {
                None
            } else {
                Some(serde_json::to_string(&m.source).map_err(|e| {
                    DbError::Corrupt(format!("cannot encode a movement source: {e}"))
                })?)
            };
        st.execute(params![
            m.seq as i64,
            s,
            ns,
            id(m.product_id),
            id(m.location_id),
            kind_name(m.kind)?,
            m.quantity.to_string(),
            m.requested.map(|q| q.to_string()),
            m.balance_after.to_string(),
            m.reason,
            m.source.actor,
            source
        ])?;
    }
    Ok(())
}

/// Movements matching a query, in sequence order, at most `q.limit`.
pub fn query(conn: &Connection, q: &MovementQuery) -> Result<Vec<Movement>, DbError> {
    let after = q.after_seq.unwrap_or(0);
    if q.limit == 0 || after >= i64::MAX as u64 {
        return Ok(Vec::new());
    }
    // A product's movements come from its (product_id, seq) index, in seq
    // order, whatever the location; the location is a filter on them.
    let index = if q.product_id.is_some() {
        " INDEXED BY movements_product"
    } else {
        ""
    };
    let mut sql = format!("SELECT {COLUMNS} FROM movements{index} WHERE seq > ?");
    let mut args: Vec<Sql> = vec![Sql::Integer(after as i64)];
    if let Some(b) = q.before_seq {
        sql.push_str(" AND seq < ?");
        args.push(Sql::Integer(i64::try_from(b).unwrap_or(i64::MAX)));
    }
    if let Some(p) = q.product_id {
        sql.push_str(" AND product_id = ?");
        args.push(Sql::Integer(id(p)));
    }
    if let Some(l) = q.location_id {
        sql.push_str(" AND location_id = ?");
        args.push(Sql::Integer(id(l)));
    }
    if let Some(k) = q.kind {
        sql.push_str(" AND kind = ?");
        args.push(Sql::Text(kind_name(k)?));
    }
    if let Some(f) = q.from {
        let (s, ns) = time(f);
        sql.push_str(" AND (at_s, at_ns) >= (?, ?)");
        args.extend([Sql::Integer(s), Sql::Integer(ns)]);
    }
    if let Some(t) = q.to {
        let (s, ns) = time(t);
        sql.push_str(" AND (at_s, at_ns) < (?, ?)");
        args.extend([Sql::Integer(s), Sql::Integer(ns)]);
    }
    sql.push_str(if q.newest_first {
        " ORDER BY seq DESC LIMIT ?"
    } else {
        " ORDER BY seq LIMIT ?"
    });
    args.push(Sql::Integer(i64::try_from(q.limit).unwrap_or(i64::MAX)));
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// The last movement of (product, location) at or before `at`.
///
/// Core refuses backdating, so a (product, location)'s movements are in time
/// order along `seq`: the answer is the newest one whose time is not after
/// `at`. It is found walking the product's index entries back from the
/// newest (the index covers location and time, so no table row is read
/// until the hit): the cost grows with the product's movements since `at`,
/// which is what buys a ledger with one index to maintain instead of two
/// (the batch benchmark: ~140k -> ~200k stock updates/s).
pub fn at(
    conn: &Connection,
    product_id: Id,
    location_id: Id,
    at: DateTime<Utc>,
) -> Result<Option<Movement>, DbError> {
    let (s, ns) = time(at);
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM movements INDEXED BY movements_product
         WHERE product_id = ?1 AND location_id = ?2 AND (at_s, at_ns) <= (?3, ?4)
         ORDER BY seq DESC LIMIT 1"
    ))?;
    let mut rows = st.query(params![id(product_id), id(location_id), s, ns])?;
    rows.next()?.map(decode).transpose()
}
