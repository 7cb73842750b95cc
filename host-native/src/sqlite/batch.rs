//! Batches: many requests in ONE write transaction (imports, `exec --batch`,
//! the server's group commit), each answered on its own, and inside a batch
//! units of several requests that apply all together or not at all
//! ([`Batch::all_or_nothing`], an SQLite savepoint).
//!
//! The semantics are in `docs/sqlite.md` ("Batches").

use super::{run, DbError, SqliteStore, DIRTY_MAX};
use stockbook_core::protocol::{answer_json, parse_request, Outcome, Request};

/// The savepoint of [`Batch::all_or_nothing`]. Units nest (a unit inside a
/// unit): SQLite's `ROLLBACK TO` and `RELEASE` name the newest savepoint of
/// that name, and a closure ends the inner unit before the outer, so one name
/// serves every level.
const UNIT: &str = "stockbook_unit";

impl SqliteStore {
    /// Runs many JSON requests in ONE transaction, answering each on its own
    /// (imports, `exec --batch`, a server's group commit: one fsync for all).
    ///
    /// - A refused command (any error answer: `invalid_request`,
    ///   `insufficient_stock`, `conflict`...) is **skipped**: it answers its
    ///   error and, as always, changes nothing, while the others go on and
    ///   commit. Later requests see the changes of earlier ones.
    /// - A storage failure (disk full, I/O error, busy timeout) aborts the
    ///   **whole** batch: nothing of it is applied and the error is returned
    ///   instead of the answers.
    pub fn execute_batch<S: AsRef<str>>(&mut self, requests: &[S]) -> Result<Vec<String>, DbError> {
        self.execute_batch_with(requests, |_| {})
    }

    /// [`Self::execute_batch`], calling `progress` with the number of
    /// requests done after each one.
    pub fn execute_batch_with<S: AsRef<str>>(
        &mut self,
        requests: &[S],
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<String>, DbError> {
        self.batch(|b| {
            let mut answers = Vec::with_capacity(requests.len());
            for (i, r) in requests.iter().enumerate() {
                answers.push(b.execute_json(r.as_ref()));
                progress(i + 1);
            }
            answers
        })
    }

    /// [`Self::execute_batch`] for parsed requests: each gets its own
    /// `Result` (refusals skipped, the rest committed together); a storage
    /// failure applies none and is the outer error.
    pub fn execute_batch_requests(
        &mut self,
        requests: impl IntoIterator<Item = Request>,
    ) -> Result<Vec<stockbook_core::Result<Outcome>>, DbError> {
        self.batch(|b| requests.into_iter().map(|r| b.execute(r)).collect())
    }

    /// Runs `f` in ONE write transaction (`BEGIN IMMEDIATE` ... `COMMIT`):
    /// every request it sends through the [`Batch`] commits together at the
    /// end, or nothing does. Later requests may depend on earlier answers (an
    /// import creating a product, then setting its stock). Semantics as
    /// [`Self::execute_batch`]; once [`Batch::failed`], the batch rolls back
    /// and this returns the storage error. Requests that must apply together
    /// or not at all go through [`Batch::all_or_nothing`].
    pub fn batch<T>(&mut self, f: impl FnOnce(&mut Batch<'_>) -> T) -> Result<T, DbError> {
        self.in_transaction(true, |store| f(&mut Batch { store }))
    }
}

/// A write transaction in progress; see [`SqliteStore::batch`].
pub struct Batch<'a> {
    pub(super) store: &'a mut SqliteStore,
}

impl Batch<'_> {
    /// Runs one parsed request inside the batch's transaction. A refusal
    /// changes nothing; after a storage failure the batch is lost (it will
    /// roll back) and every further request answers that failure as
    /// `conflict`.
    pub fn execute(&mut self, req: Request) -> stockbook_core::Result<Outcome> {
        let s = &mut *self.store;
        if let Some(e) = s.fault.borrow().as_ref() {
            return Err(e.to_core());
        }
        let r = stockbook_core::engine::execute(s, req);
        let held = {
            let c = s.cache.borrow();
            c.dirty.len() + c.movements.len()
        };
        if held > DIRTY_MAX {
            if let Err(e) = s.flush() {
                s.fault.borrow_mut().get_or_insert(e);
            }
        }
        r
    }

    /// Runs one JSON request inside the batch's transaction, answering JSON;
    /// see [`Batch::execute`]. A malformed request answers `invalid_request`.
    pub fn execute_json(&mut self, input: &str) -> String {
        let r = parse_request(input).and_then(|req| self.execute(req));
        answer_json(&r)
    }

    /// Runs `f` as ONE unit of the batch: if `f` returns `Err`, everything
    /// the requests sent inside it did is undone (records, ledger movements,
    /// outbox alerts, idempotency keys, id and number counters), as if they
    /// had never been sent, and the batch goes on with the next request; if
    /// it returns `Ok`, their changes stay and commit with the rest of the
    /// batch. `f` decides what makes the unit fail (typically: one of its
    /// requests was refused), and its `Err` is handed back unchanged.
    ///
    /// Requests before the unit keep their changes either way, and later ones
    /// see the database as the unit left it (so, after a failed unit, the
    /// ledger's `seq`, the ids and the record versions continue gapless from
    /// before it). Units nest: a failed inner unit undoes only its own part.
    ///
    /// A storage failure inside the unit (or [`Batch::abort`]) is not undone
    /// by it: it still dooms the **whole** batch, which rolls back and
    /// [`SqliteStore::batch`] returns the error. Once the batch has failed,
    /// `f` still runs (its requests answer `conflict`), so callers report
    /// each row as usual.
    ///
    /// How: an SQLite `SAVEPOINT` around `f`, `ROLLBACK TO` it on `Err`,
    /// `RELEASE` at the end. The store holds written records and movements
    /// back in memory until a flush, which a savepoint does not cover, so
    /// the held-back writes of earlier requests are flushed first (the
    /// savepoint then sees them and a rollback cannot lose them), and after a
    /// rollback the whole cache is dropped: anything written or decoded
    /// since the savepoint may be what was undone. The cost is a flush per
    /// unit and, after a failed one, re-reading the records the next
    /// requests need.
    pub fn all_or_nothing<T, E>(
        &mut self,
        f: impl FnOnce(&mut Batch<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.failed() {
            return f(self);
        }
        let s = &*self.store;
        if let Err(e) = s
            .flush()
            .and_then(|_| run(&s.conn, &format!("SAVEPOINT {UNIT}")).map_err(Into::into))
        {
            self.abort(e);
            return f(self);
        }
        let out = f(self);
        if self.failed() {
            // The whole transaction rolls back at the end of the batch, the
            // savepoint with it; nothing here may clear the failure.
            return out;
        }
        let s = &*self.store;
        let ended = if out.is_ok() {
            run(&s.conn, &format!("RELEASE {UNIT}"))
        } else {
            let undone = run(&s.conn, &format!("ROLLBACK TO {UNIT}"))
                .and_then(|_| run(&s.conn, &format!("RELEASE {UNIT}")));
            // `data_version` stays valid: it moves only when another
            // connection commits, and we hold the write lock.
            s.reset_cache();
            undone
        };
        if let Err(e) = ended {
            self.abort(e.into());
        }
        out
    }

    /// Runs `f` on the batch's connection inside its transaction, for a
    /// host's own tables (the server's alert acks and packing-slip index),
    /// never the records: their writes then share the group's commit and
    /// never compete with it for SQLite's write lock. An `Err` from `f` is a
    /// storage failure and dooms the batch; after one (or once the batch has
    /// failed) this is `None`.
    pub fn host_write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, DbError>,
    ) -> Option<T> {
        if self.failed() {
            return None;
        }
        match f(&self.store.conn) {
            Ok(v) => Some(v),
            Err(e) => {
                self.abort(e);
                None
            }
        }
    }

    /// Gives the batch up: nothing of it will be applied, and
    /// [`SqliteStore::batch`] returns `why` (say, the input could not be
    /// read to the end). Further requests answer `conflict`.
    pub fn abort(&mut self, why: DbError) {
        self.store.fault.borrow_mut().get_or_insert(why);
    }

    /// True once a storage failure (or [`Batch::abort`]) doomed the batch.
    pub fn failed(&self) -> bool {
        self.store.fault.borrow().is_some()
    }
}
