//! The schema and its migrations. `PRAGMA user_version` holds the schema
//! version; [`MIGRATIONS`]`[i]` takes a database from version `i` to `i + 1`.
//! Migrations run inside the `BEGIN IMMEDIATE` transaction of `open`, so two
//! processes opening a new file at once cannot both create it.

/// The version this build writes. A database with a higher `user_version` is
/// refused untouched (it was written by a newer Stockbook).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// One SQL script per version step.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: records, ledger, alert outbox, packing slips.
    "
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
];
