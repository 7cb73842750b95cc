//! API tokens: who a bearer token speaks for and what it may do.
//!
//! A token is 32 random bytes from the operating system, shown once as
//! `sb_<64 hex digits>` when it is created. Only its SHA-256 hash is kept, in
//! the `api_tokens` table of the same SQLite file as the records (created here,
//! by the server's own code, so the store's schema stays the core's). A stolen
//! database therefore yields no usable token. Each token names the actor id
//! recorded in movement sources and the permissions of RULES §6.

use crate::sqlite::DbError;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use stockbook_core::auth::{Actor, Permission};

/// Prefix of every token, so a leaked one is easy to recognise in logs and
/// secret scanners.
pub const TOKEN_PREFIX: &str = "sb_";

/// The table, created on first use (idempotent).
const CREATE: &str = "
    CREATE TABLE IF NOT EXISTS api_tokens (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT NOT NULL,
        actor       TEXT NOT NULL,
        permissions TEXT NOT NULL,
        hash        TEXT NOT NULL UNIQUE,
        created_at  TEXT NOT NULL,
        revoked_at  TEXT
    );";

/// A token as listed (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    /// Row id (revoke with it).
    pub id: i64,
    /// What it is for ("purchasing clerk").
    pub name: String,
    /// The actor id its requests run as.
    pub actor: String,
    /// What it may do.
    pub permissions: Vec<Permission>,
    /// When it was created (host clock).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// A freshly created token: the secret, shown once, and its record.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The bearer token (`sb_...`).
    pub secret: String,
    /// Its record.
    pub info: TokenInfo,
}

/// Why a permission list was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown permission `{0}` (expected inventory.read, inventory.write, purchasing.write, purchasing.receive, sales.write or admin)")]
pub struct UnknownPermission(pub String);

/// Parses `inventory.read,purchasing.receive` (commas or spaces).
pub fn parse_permissions(list: &str) -> Result<Vec<Permission>, UnknownPermission> {
    let mut out = Vec::new();
    for name in list.split([',', ' ']).filter(|s| !s.is_empty()) {
        let p: Permission = serde_json::from_value(serde_json::Value::from(name))
            .map_err(|_| UnknownPermission(name.to_string()))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// Creates the table if it is missing.
pub fn ensure_table(conn: &Connection) -> Result<(), DbError> {
    conn.execute_batch(CREATE)?;
    Ok(())
}

/// The stored form of a secret: lowercase hex SHA-256.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_secret() -> Result<String, DbError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| DbError::Io(std::io::Error::other(format!("no randomness: {e}"))))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex(&bytes)))
}

fn permissions_json(perms: &[Permission]) -> String {
    serde_json::to_string(perms).unwrap_or_else(|_| "[]".into())
}

/// Creates a token for `actor` with `permissions`; the secret is returned
/// once and never stored.
pub fn create(
    conn: &Connection,
    name: &str,
    actor: &str,
    permissions: &[Permission],
    now: DateTime<Utc>,
) -> Result<NewToken, DbError> {
    ensure_table(conn)?;
    let secret = random_secret()?;
    let created_at = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    conn.execute(
        "INSERT INTO api_tokens(name, actor, permissions, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, actor, permissions_json(permissions), hash(&secret), created_at],
    )?;
    let info = TokenInfo {
        id: conn.last_insert_rowid(),
        name: name.to_string(),
        actor: actor.to_string(),
        permissions: permissions.to_vec(),
        created_at,
        revoked_at: None,
    };
    Ok(NewToken { secret, info })
}

fn decode_permissions(text: &str) -> Result<Vec<Permission>, DbError> {
    serde_json::from_str(text).map_err(|e| DbError::Corrupt(format!("token permissions: {e}")))
}

/// The actor of a live (not revoked) token, or `None`.
pub fn lookup(conn: &Connection, secret: &str) -> Result<Option<Actor>, DbError> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    ensure_table(conn)?;
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT actor, permissions FROM api_tokens WHERE hash = ?1 AND revoked_at IS NULL",
        )?
        .query_row(params![hash(secret)], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((id, perms)) => Ok(Some(Actor {
            id,
            permissions: decode_permissions(&perms)?,
        })),
        None => Ok(None),
    }
}

/// Every token, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<TokenInfo>, DbError> {
    ensure_table(conn)?;
    let mut st = conn.prepare(
        "SELECT id, name, actor, permissions, created_at, revoked_at FROM api_tokens ORDER BY id",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let perms: String = r.get(3)?;
        out.push(TokenInfo {
            id: r.get(0)?,
            name: r.get(1)?,
            actor: r.get(2)?,
            permissions: decode_permissions(&perms)?,
            created_at: r.get(4)?,
            revoked_at: r.get(5)?,
        });
    }
    Ok(out)
}

/// Revokes a token; false when there is no such live token.
pub fn revoke(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<bool, DbError> {
    ensure_table(conn)?;
    let n = conn.execute(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now.to_rfc3339_opts(SecondsFormat::Secs, true)],
    )?;
    Ok(n == 1)
}

/// Revokes every live token of a name (the page token `serve` renews on each
/// start); returns how many.
pub fn revoke_named(conn: &Connection, name: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    ensure_table(conn)?;
    Ok(conn.execute(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
        params![name, now.to_rfc3339_opts(SecondsFormat::Secs, true)],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    #[test]
    fn a_token_is_stored_hashed_and_finds_its_actor() {
        let c = db();
        let t = create(
            &c,
            "clerk",
            "ann",
            &[Permission::PurchasingReceive],
            crate::now(),
        )
        .unwrap();
        assert!(t.secret.starts_with("sb_") && t.secret.len() == 3 + 64);
        let stored: String = c
            .query_row("SELECT hash FROM api_tokens", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, t.secret);
        assert!(!stored.contains(&t.secret[3..]));
        let actor = lookup(&c, &t.secret).unwrap().unwrap();
        assert_eq!(actor.id, "ann");
        assert_eq!(actor.permissions, vec![Permission::PurchasingReceive]);
    }

    #[test]
    fn unknown_and_revoked_tokens_find_nobody() {
        let c = db();
        let t = create(&c, "x", "bob", &[Permission::Admin], crate::now()).unwrap();
        let other = create(&c, "y", "eve", &[Permission::Admin], crate::now()).unwrap();
        assert_ne!(t.secret, other.secret);
        assert_eq!(lookup(&c, "sb_0000").unwrap(), None);
        assert_eq!(lookup(&c, "").unwrap(), None);
        assert!(revoke(&c, t.info.id, crate::now()).unwrap());
        assert!(!revoke(&c, t.info.id, crate::now()).unwrap());
        assert_eq!(lookup(&c, &t.secret).unwrap(), None);
        assert!(lookup(&c, &other.secret).unwrap().is_some());
        assert_eq!(revoke_named(&c, "y", crate::now()).unwrap(), 1);
        assert_eq!(lookup(&c, &other.secret).unwrap(), None);
        assert_eq!(list(&c).unwrap().len(), 2);
    }

    #[test]
    fn permission_lists_parse_and_refuse_unknown_names() {
        assert_eq!(
            parse_permissions("inventory.read, purchasing.receive,inventory.read").unwrap(),
            vec![Permission::InventoryRead, Permission::PurchasingReceive]
        );
        assert_eq!(
            parse_permissions("inventory.read,root"),
            Err(UnknownPermission("root".into()))
        );
    }
}
