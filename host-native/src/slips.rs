//! Packing slips (seed 001): a PDF or image attached to a received purchase
//! order, stored next to the database in `<db>.slips/` under the structured
//! name `{po_number}_{creditor_number}_{YYYYMMDD}.{ext}` and indexed in the
//! `slips` table.
//!
//! The type is decided by the file's magic bytes, never by its name, and every
//! name component is reduced to `[A-Za-z0-9_-]`: no part of a user-given file
//! name ever reaches a path. Files are written to a temporary name, synced and
//! renamed, so a crash leaves either the old slip or the new one.

use crate::sqlite::{DbError, SqliteStore};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Largest slip accepted.
pub const MAX_SLIP_BYTES: u64 = 10 * 1024 * 1024;

/// Accepted slip formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlipKind {
    /// `%PDF-`.
    Pdf,
    /// PNG signature.
    Png,
    /// JPEG SOI marker.
    Jpeg,
}

impl SlipKind {
    /// The format of a file from its first bytes.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"%PDF-") {
            Some(SlipKind::Pdf)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(SlipKind::Png)
        } else if head.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(SlipKind::Jpeg)
        } else {
            None
        }
    }

    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            SlipKind::Pdf => "pdf",
            SlipKind::Png => "png",
            SlipKind::Jpeg => "jpg",
        }
    }

    /// Media type.
    pub fn media_type(self) -> &'static str {
        match self {
            SlipKind::Pdf => "application/pdf",
            SlipKind::Png => "image/png",
            SlipKind::Jpeg => "image/jpeg",
        }
    }
}

/// Why a slip was refused or could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum SlipError {
    /// Not a PDF, PNG or JPEG.
    #[error("a packing slip must be a PDF, PNG or JPEG file (checked by its content)")]
    UnsupportedType,
    /// Over [`MAX_SLIP_BYTES`].
    #[error("a packing slip may be at most 10 MB")]
    TooLarge,
    /// The PO has no slip.
    #[error("purchase order {0} has no packing slip")]
    NoSlip(u64),
    /// The PO has a slip already and it was not to be replaced.
    #[error("purchase order {po_id} already has a packing slip ({file_name})")]
    Exists {
        /// The purchase order.
        po_id: u64,
        /// Its slip's file name.
        file_name: String,
    },
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Files.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The ZIP writer.
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

impl From<rusqlite::Error> for SlipError {
    fn from(e: rusqlite::Error) -> Self {
        SlipError::Db(e.into())
    }
}

/// A stored slip.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Slip {
    /// The purchase order.
    pub po_id: u64,
    /// Structured file name.
    pub file_name: String,
    /// Year of the received date.
    pub year: i32,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// When it was attached (host clock).
    pub attached_at: String,
}

/// What the slip's name is made of (from the PO and its supplier).
#[derive(Debug, Clone)]
pub struct SlipFor {
    /// PO id.
    pub po_id: u64,
    /// PO number.
    pub po_number: String,
    /// Supplier creditor number.
    pub creditor_number: String,
    /// Received date.
    pub received_date: NaiveDate,
}

/// One name component reduced to `[A-Za-z0-9_-]` (others become `-`), at
/// most 64 characters, never empty.
pub fn sanitize(s: &str) -> String {
    let out: String = s
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() {
        "none".into()
    } else {
        out
    }
}

/// `{po_number}_{creditor_number}_{YYYYMMDD}.{ext}`.
pub fn slip_name(f: &SlipFor, kind: SlipKind) -> String {
    format!(
        "{}_{}_{}.{}",
        sanitize(&f.po_number),
        sanitize(&f.creditor_number),
        f.received_date.format("%Y%m%d"),
        kind.ext()
    )
}

/// The directory of a database's slips: `<db>.slips/`.
pub fn slip_dir(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_os_string();
    s.push(".slips");
    PathBuf::from(s)
}

fn dir_of(store: &SqliteStore) -> Result<PathBuf, SlipError> {
    store.path().map(slip_dir).ok_or_else(|| {
        SlipError::Io(std::io::Error::other(
            "packing slips need a database file (not in memory)",
        ))
    })
}

/// Reads at most [`MAX_SLIP_BYTES`] of a file and checks its type.
pub fn read_slip(src: &Path) -> Result<(SlipKind, Vec<u8>), SlipError> {
    let f = File::open(src)?;
    let mut bytes = Vec::new();
    f.take(MAX_SLIP_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SLIP_BYTES {
        return Err(SlipError::TooLarge);
    }
    let kind = SlipKind::sniff(&bytes).ok_or(SlipError::UnsupportedType)?;
    Ok((kind, bytes))
}

/// Stores a slip for a PO (replacing an earlier one) and records it.
pub fn attach(
    store: &mut SqliteStore,
    f: &SlipFor,
    kind: SlipKind,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Slip, SlipError> {
    attach_checked(store, f, kind, bytes, now, true)
}

/// Stores a slip for a PO and records it; when the PO has one already, it
/// is replaced only with `replace`, else [`SlipError::Exists`] and nothing
/// is written (a PO keeps one slip: attaching a second delivery's slip
/// silently would lose the first).
pub fn attach_checked(
    store: &mut SqliteStore,
    f: &SlipFor,
    kind: SlipKind,
    bytes: &[u8],
    now: DateTime<Utc>,
    replace: bool,
) -> Result<Slip, SlipError> {
    let dir = dir_of(store)?;
    let staged = stage(&dir, f.po_id, kind, bytes)?;
    let (slip, old) = index(store.connection(), &staged, f, now, replace)?;
    remove_replaced(&dir, &slip, old);
    Ok(slip)
}

/// A slip's bytes in a temporary file of the slip directory, synced: the
/// slow part of attaching, done before the index is touched (the server
/// does it outside the writer). Dropped before [`index`] moved it into
/// place, the file is removed.
#[derive(Debug)]
pub struct Staged {
    dir: PathBuf,
    tmp: PathBuf,
    kind: SlipKind,
    size: u64,
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Gone already once it was moved into place.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Writes `bytes` to a temporary file of `dir` (the slip directory) and
/// syncs it. Each call has its own file: two uploads at once, even for
/// one PO, never write into the same one.
pub fn stage(dir: &Path, po_id: u64, kind: SlipKind, bytes: &[u8]) -> Result<Staged, SlipError> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    std::fs::create_dir_all(dir)?;
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staged = Staged {
        dir: dir.to_path_buf(),
        tmp: dir.join(format!(".incoming-{po_id}-{}-{n}", std::process::id())),
        kind,
        size: bytes.len() as u64,
    };
    let mut out = File::create(&staged.tmp)?;
    out.write_all(bytes)?;
    out.sync_all()?;
    Ok(staged)
}

/// Moves a staged slip into place under its structured name and writes its
/// index row (inside the caller's transaction, when there is one; the
/// server runs it in the writer's group). Returns the slip and the file name
/// it replaced, for [`remove_replaced`] once the row is committed.
pub fn index(
    conn: &rusqlite::Connection,
    staged: &Staged,
    f: &SlipFor,
    now: DateTime<Utc>,
    replace: bool,
) -> Result<(Slip, Option<String>), SlipError> {
    let kind = staged.kind;
    let old: Option<String> = conn
        .query_row(
            "SELECT file_name FROM slips WHERE po_id = ?1",
            params![f.po_id as i64],
            |r| r.get(0),
        )
        .optional()?;
    if let (false, Some(file_name)) = (replace, &old) {
        return Err(SlipError::Exists {
            po_id: f.po_id,
            file_name: file_name.clone(),
        });
    }
    let mut name = slip_name(f, kind);
    let taken: Option<i64> = conn
        .query_row(
            "SELECT po_id FROM slips WHERE file_name = ?1",
            params![name],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some_and(|p| p as u64 != f.po_id) {
        // Two numbers that sanitise alike: keep both, told apart by the PO id.
        name = format!(
            "{}-{}.{}",
            name.trim_end_matches(&format!(".{}", kind.ext())),
            f.po_id,
            kind.ext()
        );
    }
    std::fs::rename(&staged.tmp, staged.dir.join(&name))?;
    // The file is durably in place before its row can commit.
    if let Ok(d) = File::open(&staged.dir) {
        let _ = d.sync_all();
    }
    let slip = Slip {
        po_id: f.po_id,
        file_name: name,
        year: f.received_date.year(),
        media_type: kind.media_type().into(),
        size: staged.size,
        attached_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    conn.execute(
        "INSERT INTO slips(po_id, file_name, year, media_type, size, attached_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(po_id) DO UPDATE SET file_name = excluded.file_name, year = excluded.year,
           media_type = excluded.media_type, size = excluded.size, attached_at = excluded.attached_at",
        params![
            slip.po_id as i64,
            slip.file_name,
            slip.year,
            slip.media_type,
            slip.size as i64,
            slip.attached_at
        ],
    )?;
    Ok((slip, old))
}

/// After [`index`] is committed: removes the file the slip replaced, when
/// its name differs.
pub fn remove_replaced(dir: &Path, slip: &Slip, old: Option<String>) {
    if let Some(old) = old.filter(|o| *o != slip.file_name) {
        let _ = std::fs::remove_file(dir.join(sanitize_file(&old)));
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Slip> {
    Ok(Slip {
        po_id: r.get::<_, i64>(0)? as u64,
        file_name: r.get(1)?,
        year: r.get(2)?,
        media_type: r.get(3)?,
        size: r.get::<_, i64>(4)? as u64,
        attached_at: r.get(5)?,
    })
}

const COLUMNS: &str = "po_id, file_name, year, media_type, size, attached_at";

/// The slip of a PO and the path of its file.
pub fn fetch(store: &SqliteStore, po_id: u64) -> Result<(Slip, PathBuf), SlipError> {
    let dir = dir_of(store)?;
    let slip = store
        .connection()
        .query_row(
            &format!("SELECT {COLUMNS} FROM slips WHERE po_id = ?1"),
            params![po_id as i64],
            row,
        )
        .optional()?
        .ok_or(SlipError::NoSlip(po_id))?;
    let path = dir.join(sanitize_file(&slip.file_name));
    Ok((slip, path))
}

/// A stored file name, re-checked before it becomes a path.
fn sanitize_file(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

/// Every slip of a year.
pub fn list_year(store: &SqliteStore, year: i32) -> Result<Vec<Slip>, SlipError> {
    let mut st = store.connection().prepare(&format!(
        "SELECT {COLUMNS} FROM slips WHERE year = ?1 ORDER BY file_name"
    ))?;
    let rows = st.query_map(params![year], row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Writes every slip of a year into one ZIP archive; returns how many.
pub fn zip_year<W: Write + Seek>(
    store: &SqliteStore,
    year: i32,
    out: W,
) -> Result<usize, SlipError> {
    let dir = dir_of(store)?;
    let slips = list_year(store, year)?;
    let mut zip = zip::ZipWriter::new(out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for s in &slips {
        let name = sanitize_file(&s.file_name);
        let mut f = File::open(dir.join(&name))?;
        // Dated when the slip was attached (UTC; ZIP times have no zone and
        // two-second steps), not the ZIP default of 1980-01-01.
        let opts = match zip_time(&s.attached_at) {
            Some(t) => opts.last_modified_time(t),
            None => opts,
        };
        zip.start_file(name, opts)?;
        std::io::copy(&mut f, &mut zip)?;
    }
    zip.finish()?;
    Ok(slips.len())
}

/// A ZIP entry time of an RFC 3339 time (`None` outside the ZIP range).
fn zip_time(rfc3339: &str) -> Option<zip::DateTime> {
    use chrono::Timelike;
    let t = DateTime::parse_from_rfc3339(rfc3339)
        .ok()?
        .with_timezone(&Utc);
    zip::DateTime::from_date_and_time(
        u16::try_from(t.year()).ok()?,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        (t.second() as u8).min(58) & !1,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_structured_and_sanitised() {
        let f = SlipFor {
            po_id: 1,
            po_number: "../../etc/passwd PO#1".into(),
            creditor_number: "CRED001".into(),
            received_date: NaiveDate::from_ymd_opt(2026, 3, 25).unwrap(),
        };
        assert_eq!(
            slip_name(&f, SlipKind::Pdf),
            "------etc-passwd-PO-1_CRED001_20260325.pdf"
        );
        let g = SlipFor {
            po_number: "IO2601".into(),
            ..f
        };
        assert_eq!(slip_name(&g, SlipKind::Jpeg), "IO2601_CRED001_20260325.jpg");
        assert_eq!(sanitize(""), "none");
    }

    #[test]
    fn types_come_from_magic_bytes() {
        assert_eq!(SlipKind::sniff(b"%PDF-1.7\n"), Some(SlipKind::Pdf));
        assert_eq!(
            SlipKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(SlipKind::Png)
        );
        assert_eq!(
            SlipKind::sniff(&[0xff, 0xd8, 0xff, 0xe0]),
            Some(SlipKind::Jpeg)
        );
        assert_eq!(SlipKind::sniff(b"GIF89a"), None);
        assert_eq!(SlipKind::sniff(b"MZ\x90\x00"), None);
        assert_eq!(SlipKind::sniff(b""), None);
    }
}
