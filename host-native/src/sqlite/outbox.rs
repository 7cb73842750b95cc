//! The alert outbox: every event of a committed changeset (low-stock alerts)
//! is stored in the same transaction as the change that raised it, so an alert
//! is never lost nor sent for a change that rolled back. The host lists
//! pending alerts, delivers them, and acknowledges each.

use super::{DbError, SqliteStore};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::Serialize;
use stockbook_core::protocol::Event;

/// One stored alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Outbox id (acknowledge with it).
    pub id: i64,
    /// The event as the engine raised it.
    pub event: Event,
    /// When it was raised (the command's `now`).
    pub created_at: String,
    /// When it was acknowledged (host clock), if it was.
    pub acked_at: Option<String>,
}

/// Stores events (inside the caller's transaction). The type and time
/// columns come from the event's own wire form (`type`, `at`), so a new kind
/// of event needs no code here.
pub fn insert(conn: &Connection, events: &[Event]) -> Result<(), DbError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut st =
        conn.prepare_cached("INSERT INTO outbox(type, created_at, event) VALUES (?1, ?2, ?3)")?;
    for e in events {
        let v = serde_json::to_value(e)
            .map_err(|x| DbError::Corrupt(format!("cannot encode an event: {x}")))?;
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        st.execute(params![text("type"), text("at"), v.to_string()])?;
    }
    Ok(())
}

impl SqliteStore {
    /// Alerts in the order they were raised; acknowledged ones too when
    /// `include_acked`.
    pub fn list_alerts(&self, include_acked: bool) -> Result<Vec<Alert>, DbError> {
        self.list_alerts_after(include_acked, 0, None)
    }

    /// A page of [`SqliteStore::list_alerts`]: the alerts with ids above
    /// `after_id`, at most `limit` of them. A cursor, not page numbers: an
    /// alert acknowledged while a client pages through pending ones would
    /// shift numbered pages and make it skip alerts.
    pub fn list_alerts_after(
        &self,
        include_acked: bool,
        after_id: i64,
        limit: Option<u64>,
    ) -> Result<Vec<Alert>, DbError> {
        let mut st = self.connection().prepare_cached(
            "SELECT id, created_at, event, acked_at FROM outbox
             WHERE id > ?1 AND (?2 OR acked_at IS NULL) ORDER BY id LIMIT ?3",
        )?;
        // SQLite reads a negative LIMIT as none.
        let limit = limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut rows = st.query(params![after_id, include_acked, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let text: String = r.get(2)?;
            let event = serde_json::from_str(&text)
                .map_err(|e| DbError::Corrupt(format!("outbox event: {e}")))?;
            out.push(Alert {
                id: r.get(0)?,
                event,
                created_at: r.get(1)?,
                acked_at: r.get(3)?,
            });
        }
        Ok(out)
    }

    /// Acknowledges an alert at `now` (the host's clock). False when there is
    /// no such pending alert.
    pub fn ack_alert(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, DbError> {
        Ok(ack(self.connection(), id, now)? == Acked::Now)
    }
}

/// What [`ack`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acked {
    /// It was pending and is acknowledged now.
    Now,
    /// It had been acknowledged before (a retried ack).
    Before,
    /// There is no such alert.
    Unknown,
}

/// Acknowledges alert `id` at `now` (in the caller's transaction, if any).
pub fn ack(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Acked, DbError> {
    let n = conn.execute(
        "UPDATE outbox SET acked_at = ?2 WHERE id = ?1 AND acked_at IS NULL",
        // Written like `created_at` (microseconds), so the two read alike.
        params![id, crate::time_text(now)],
    )?;
    if n == 1 {
        return Ok(Acked::Now);
    }
    let known: Option<i64> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT id FROM outbox WHERE id = ?1",
        [id],
        |r| r.get(0),
    ))?;
    Ok(if known.is_some() {
        Acked::Before
    } else {
        Acked::Unknown
    })
}
