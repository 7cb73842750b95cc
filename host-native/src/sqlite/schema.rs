//! The schema and its migrations. `PRAGMA user_version` holds the schema
//! version; [`MIGRATIONS`]`[i]` takes a database from version `i` to `i + 1`.
//! Migrations run inside the `BEGIN IMMEDIATE` transaction of `open`, so two
//! processes opening a new file at once cannot both create it, and a failed
//! step leaves the file at its old version.

use super::{encode_value, keys, DbError};
use rusqlite::{params, Connection};
use stockbook_core::purchasing::brief::PoBrief;
use stockbook_core::store::{Key, Kind, Value};

/// A step that derives records from those already stored.
pub type Fill = fn(&Connection) -> Result<(), DbError>;

/// One version step: SQL, then (for steps that derive records from existing
/// ones, which SQL cannot) a Rust function over the same transaction.
pub struct Migration {
    /// The step's SQL script (may be empty).
    pub sql: &'static str,
    /// Runs after `sql`, in the same transaction.
    pub fill: Option<Fill>,
}

/// The version this build writes. A database with a higher `user_version` is
/// refused untouched (it was written by a newer Stockbook).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// One step per version.
pub const MIGRATIONS: &[Migration] = &[
    // 0 -> 1: records, ledger, alert outbox, packing slips.
    Migration {
        sql: "
    CREATE TABLE records (
        key     BLOB PRIMARY KEY,
        version INTEGER NOT NULL,
        value   BLOB NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE movements (
        seq           INTEGER PRIMARY KEY,
        at_s          INTEGER NOT NULL,
        at_ns         INTEGER NOT NULL,
        product_id    INTEGER NOT NULL,
        location_id   INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        quantity      TEXT NOT NULL,
        requested     TEXT,
        balance_after TEXT NOT NULL,
        reason        TEXT,
        actor         TEXT NOT NULL,
        source        TEXT
    );
    -- ONE index, a product's movements in sequence order; it covers the
    -- location and time filters, so stock-as-of reads no table rows.
    CREATE INDEX movements_product ON movements(product_id, seq, location_id, at_s, at_ns);

    CREATE TABLE outbox (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        type       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        event      TEXT NOT NULL,
        acked_at   TEXT
    );
    CREATE INDEX outbox_pending ON outbox(id) WHERE acked_at IS NULL;

    CREATE TABLE slips (
        po_id       INTEGER PRIMARY KEY,
        file_name   TEXT NOT NULL UNIQUE,
        year        INTEGER NOT NULL,
        media_type  TEXT NOT NULL,
        size        INTEGER NOT NULL,
        attached_at TEXT NOT NULL
    );
    CREATE INDEX slips_year ON slips(year);
    ",
        fill: None,
    },
    // 1 -> 2: every purchase order gets its brief (the record PO lists scan,
    // `stockbook_core::purchasing::brief`); from then on the engine writes
    // briefs with their POs.
    Migration {
        sql: "",
        fill: Some(file_po_briefs),
    },
];

/// Writes the brief of every stored purchase order (version 1, as a new
/// record), replacing any brief already there.
fn file_po_briefs(conn: &Connection) -> Result<(), DbError> {
    let (lo, hi) = keys::kind_bounds(Kind::PurchaseOrder);
    let mut read = conn.prepare("SELECT value FROM records WHERE key BETWEEN ?1 AND ?2")?;
    let mut write =
        conn.prepare("INSERT OR REPLACE INTO records(key, version, value) VALUES (?1, 1, ?2)")?;
    let mut rows = read.query(params![lo, hi])?;
    while let Some(row) = rows.next()? {
        let bytes: Vec<u8> = row.get(0)?;
        let po = match super::decode_value(&bytes)? {
            Value::PurchaseOrder(po) => po,
            other => {
                return Err(DbError::Corrupt(format!(
                    "a purchase order key holds {other:?}"
                )))
            }
        };
        let brief = PoBrief::of(&po);
        write.execute(params![
            keys::encode(&Key::PoBrief(po.status, po.id)),
            encode_value(&Value::PoBrief(brief))?
        ])?;
    }
    Ok(())
}
