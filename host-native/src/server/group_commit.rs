//! Group commit: one writer thread owns the write connection and applies
//! queued changes in shared transactions.
//!
//! A durable commit costs one fsync (about 1.7 ms on the reference disk), so
//! a transaction per request would cap the server near 600 changes/s. The
//! writer instead takes every change waiting in its queue (up to
//! [`MAX_GROUP`]), runs them one after another inside ONE transaction through
//! the store's batch API — each is validated and answered on its own, and a
//! refused one changes nothing — and commits once. Only after that commit
//! returns (the group is durable) does any caller get its answer. While the
//! disk works, new requests queue up and form the next group, so the group
//! size follows the load by itself: one request alone commits at once.
//!
//! Because changes are applied one at a time by a single writer, two receipts
//! against the same purchase order never race: the second sees the first.
//!
//! `now` is stamped here, from the server clock, just before each command
//! runs, and never goes backwards (a clock stepped back by NTP would otherwise
//! make the next change look backdated to the ledger).
//!
//! The host's own writes (alert acks, the packing-slip index) go through the
//! writer too ([`Writer::host`]), in its groups. Written from a pooled read
//! connection they competed with the writer for SQLite's write lock, which a
//! busy writer holds nearly all the time: they slept in SQLite's busy handler
//! and failed with "the database is busy" once its timeout passed.

use crate::sqlite::{DbError, SqliteStore};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use stockbook_core::error::Error;
use stockbook_core::protocol::answer_json;
use tokio::sync::{mpsc, oneshot};

/// Most changes in one transaction by default; bounds the latency one group
/// adds.
pub const MAX_GROUP: usize = 1024;
/// Queued changes before callers wait for room (backpressure).
const QUEUE: usize = 8192;

/// The answer of one queued change.
#[derive(Debug)]
pub enum Applied {
    /// The group committed; the protocol answer (ok or a refusal).
    Answer(String),
    /// The group's transaction failed (disk full, I/O error): nothing of it
    /// was applied. The answer is a `conflict` "storage error ... retry".
    StorageFailed(String),
}

/// A write of the host's own tables, run inside a group's transaction with
/// the group's `now`; it answers JSON (a protocol-shaped answer). An `Err` is
/// a storage failure: the whole group rolls back.
pub type HostWrite =
    Box<dyn FnOnce(&rusqlite::Connection, DateTime<Utc>) -> Result<String, DbError> + Send>;

enum Work {
    /// A protocol request (without `now`).
    Command(Map<String, Value>),
    /// A write of the host's tables.
    Host(HostWrite),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Applied>,
}

/// Sends changes to the writer. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
    stats: Arc<Stats>,
}

/// What the writer did, for the operator and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    /// Transactions committed (or failed).
    pub groups: AtomicU64,
    /// Changes applied in them.
    pub changes: AtomicU64,
}

/// Why a change got no answer.
#[derive(Debug, thiserror::Error)]
#[error("the writer has stopped")]
pub struct WriterGone;

impl Writer {
    /// Starts the writer thread over `store`, committing at most
    /// `max_group` changes per transaction (1: a transaction per change, the
    /// benchmark's baseline). It stops when every [`Writer`] is dropped,
    /// after answering what was queued.
    pub fn start(
        store: SqliteStore,
        max_group: usize,
    ) -> std::io::Result<(Writer, std::thread::JoinHandle<()>)> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let stats = Arc::new(Stats::default());
        let s = stats.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let mut checkpointer = None;
        if let Some(path) = store.path().map(Path::to_path_buf) {
            // The writer never checkpoints: SQLite's automatic checkpoint runs
            // in the committing connection, copying the WAL into the database
            // and syncing it while every queued request waits (the p99 tail).
            // A thread of its own checkpoints passively instead, which never
            // blocks the writer.
            store
                .connection()
                .pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(std::io::Error::other)?;
            let stop = stop.clone();
            checkpointer = Some(
                std::thread::Builder::new()
                    .name("stockbook-checkpoint".into())
                    .spawn(move || checkpoint_until(&path, &stop))?,
            );
        }
        let handle = std::thread::Builder::new()
            .name("stockbook-writer".into())
            .spawn(move || {
                run(store, rx, max_group.max(1), &s);
                // The write connection is closed; stop the checkpointer and
                // wait for it, so that when this thread is joined the
                // database is closed: the last connection to close
                // checkpoints the WAL into the database file and removes
                // it (a stopped server leaves one self-contained file, which
                // a plain copy backs up).
                stop.store(true, Ordering::Relaxed);
                if let Some(c) = checkpointer {
                    let _ = c.join();
                }
            })?;
        Ok((Writer { tx, stats }, handle))
    }

    /// What the writer did so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Queues a change (a protocol request object without `now`, which the
    /// writer stamps) and waits until its group is durable.
    pub async fn apply(&self, request: Map<String, Value>) -> Result<Applied, WriterGone> {
        self.send(Work::Command(request)).await
    }

    /// Queues a write of the host's own tables (see [`HostWrite`]) and
    /// waits until its group is durable.
    pub async fn host(&self, write: HostWrite) -> Result<Applied, WriterGone> {
        self.send(Work::Host(write)).await
    }

    async fn send(&self, work: Work) -> Result<Applied, WriterGone> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { work, reply })
            .await
            .map_err(|_| WriterGone)?;
        answer.await.map_err(|_| WriterGone)
    }
}

/// How often the checkpoint thread copies the WAL into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Checkpoints the WAL (PASSIVE: never waits for or blocks the writer) from
/// its own connection until `stop`. A failed checkpoint is retried at the
/// next tick; the WAL only grows meanwhile, nothing is lost.
fn checkpoint_until(path: &Path, stop: &AtomicBool) {
    let Ok(conn) = rusqlite::Connection::open(path) else {
        return;
    };
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(CHECKPOINT_EVERY);
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

/// The server clock, never going backwards.
#[derive(Debug, Default)]
pub struct Clock {
    last: Option<DateTime<Utc>>,
}

impl Clock {
    /// The next `now`: the wall clock, or the last one given if the wall
    /// clock is behind it.
    pub fn tick(&mut self) -> DateTime<Utc> {
        self.next_from(crate::now())
    }

    fn next_from(&mut self, wall: DateTime<Utc>) -> DateTime<Utc> {
        let t = match self.last {
            Some(last) if last > wall => last,
            _ => wall,
        };
        self.last = Some(t);
        t
    }
}

fn run(mut store: SqliteStore, mut rx: mpsc::Receiver<Job>, max_group: usize, stats: &Stats) {
    let mut clock = Clock::default();
    let mut works: Vec<Work> = Vec::with_capacity(max_group);
    let mut replies: Vec<oneshot::Sender<Applied>> = Vec::with_capacity(max_group);
    while let Some(first) = rx.blocking_recv() {
        let mut next = Some(first);
        while let Some(job) = next.take() {
            works.push(job.work);
            replies.push(job.reply);
            if replies.len() < max_group {
                next = rx.try_recv().ok();
            }
        }
        let n = replies.len() as u64;
        let result = apply_group(&mut store, &mut clock, works.drain(..));
        stats.groups.fetch_add(1, Ordering::Relaxed);
        stats.changes.fetch_add(n, Ordering::Relaxed);
        match result {
            Ok(answers) => {
                for (reply, answer) in replies.drain(..).zip(answers) {
                    let _ = reply.send(Applied::Answer(answer));
                }
            }
            Err(e) => {
                let answer = answer_json(&Err(e.to_core()));
                for reply in replies.drain(..) {
                    let _ = reply.send(Applied::StorageFailed(answer.clone()));
                }
            }
        }
    }
}

/// Runs a group in one transaction; the answers, in order, once it is
/// committed.
fn apply_group(
    store: &mut SqliteStore,
    clock: &mut Clock,
    group: impl Iterator<Item = Work>,
) -> Result<Vec<String>, DbError> {
    store.batch(|b| {
        group
            .map(|work| {
                let now = clock.tick();
                match work {
                    Work::Command(mut request) => {
                        request.insert("now".into(), Value::String(crate::time_text(now)));
                        match serde_json::to_string(&request) {
                            Ok(text) => b.execute_json(&text),
                            Err(e) => answer_json(&Err(Error::request(e.to_string()))),
                        }
                    }
                    // On a failure the batch is doomed: every member is
                    // answered the storage failure instead of this.
                    Work::Host(write) => b.host_write(|conn| write(conn, now)).unwrap_or_default(),
                }
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_clock_never_goes_backwards() {
        let mut c = Clock::default();
        let t1 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap();
        assert_eq!(c.next_from(t1), t1);
        assert_eq!(c.next_from(t0), t1);
        let t2 = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap();
        assert_eq!(c.next_from(t2), t2);
    }
}
