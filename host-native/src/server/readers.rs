//! Queries and host features run on their own connections, beside the
//! writer: in WAL mode a reader sees the last committed state and blocks
//! nobody, so a long list never delays a group commit. Connections are
//! pooled and used on tokio's blocking threads (SQLite calls block).

use crate::sqlite::{DbError, Options, SqliteStore};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A pool of read connections to one database file.
#[derive(Clone)]
pub struct Readers {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    opts: Options,
    idle: Mutex<Vec<SqliteStore>>,
}

/// Connections kept idle at most.
const MAX_IDLE: usize = 8;

impl Readers {
    /// A pool over `path`, opening `warm` connections up front.
    pub fn open(path: PathBuf, opts: Options, warm: usize) -> Result<Readers, DbError> {
        let mut idle = Vec::with_capacity(warm);
        for _ in 0..warm {
            idle.push(SqliteStore::open(&path, opts.clone())?);
        }
        Ok(Readers {
            inner: Arc::new(Inner {
                path,
                opts,
                idle: Mutex::new(idle),
            }),
        })
    }

    fn take(&self) -> Result<SqliteStore, DbError> {
        let pooled = self.inner.idle.lock().ok().and_then(|mut v| v.pop());
        match pooled {
            Some(s) => Ok(s),
            None => SqliteStore::open(&self.inner.path, self.inner.opts.clone()),
        }
    }

    fn give_back(&self, s: SqliteStore) {
        if let Ok(mut v) = self.inner.idle.lock() {
            if v.len() < MAX_IDLE {
                v.push(s);
            }
        }
    }

    /// Runs `f` on a pooled connection on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteStore) -> T + Send + 'static,
    {
        let pool = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let mut s = pool.take()?;
            let out = f(&mut s);
            pool.give_back(s);
            Ok(out)
        })
        .await;
        joined.unwrap_or_else(|e| Err(DbError::Io(std::io::Error::other(e.to_string()))))
    }

    /// Runs `f` on a pooled connection on the calling thread (startup).
    pub fn run_now<T>(&self, f: impl FnOnce(&mut SqliteStore) -> T) -> Result<T, DbError> {
        let mut s = self.take()?;
        let out = f(&mut s);
        self.give_back(s);
        Ok(out)
    }
}
