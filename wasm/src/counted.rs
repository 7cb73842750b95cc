//! A store that counts its commits.
//!
//! The JS wrapper keeps a journal of the requests that changed something since
//! its last snapshot, so that after a trap it can rebuild the state exactly
//! (RULES §0: the same requests give the same state). Which requests changed
//! something is the core's knowledge, not JS's: a command commits a changeset
//! exactly when it changed the store, so counting commits answers the question
//! without a list of "change" commands kept in JavaScript.

use std::borrow::Cow;
use std::ops::ControlFlow;
use stockbook_core::error::Result;
use stockbook_core::ledger::{Movement, MovementQuery};
use stockbook_core::store::{Changeset, Key, Scan, Store, Value, Version};
use stockbook_core::Id;

/// A store lent for one call, counting the commits that went through.
pub struct Counted<'a, S: Store + ?Sized> {
    inner: &'a mut S,
    /// Commits applied during this loan.
    pub commits: u32,
}

impl<'a, S: Store + ?Sized> Counted<'a, S> {
    /// Lends `inner`, counting from zero.
    pub fn new(inner: &'a mut S) -> Self {
        Counted { inner, commits: 0 }
    }
}

impl<S: Store + ?Sized> Store for Counted<'_, S> {
    fn get(&self, key: &Key) -> Result<Option<(Version, Value)>> {
        self.inner.get(key)
    }

    fn get_ref(&self, key: &Key) -> Result<Option<(Version, Cow<'_, Value>)>> {
        self.inner.get_ref(key)
    }

    fn scan(
        &self,
        scan: Scan,
        visit: &mut dyn FnMut(&Key, &Value) -> ControlFlow<()>,
    ) -> Result<()> {
        self.inner.scan(scan, visit)
    }

    fn movements(&self, query: &MovementQuery) -> Result<Vec<Movement>> {
        self.inner.movements(query)
    }

    fn movement_at(
        &self,
        product_id: Id,
        location_id: Id,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Movement>> {
        self.inner.movement_at(product_id, location_id, at)
    }

    fn commit(&mut self, changeset: Changeset) -> Result<()> {
        self.inner.commit(changeset)?;
        self.commits += 1;
        Ok(())
    }

    fn generation(&self) -> Option<u64> {
        self.inner.generation()
    }
}

/// Executes JSON text over `store`; the answer and whether it changed the store.
pub fn execute_counted(store: &mut dyn Store, request: &str) -> (String, bool) {
    let mut counted = Counted::new(store);
    let answer = stockbook_core::engine::execute_json(&mut counted, request);
    (answer, counted.commits > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockbook_core::store::memory::MemoryStore;

    const ADMIN: &str =
        r#""actor":{"id":"ann","permissions":["admin"]},"now":"2026-01-05T09:00:00Z""#;

    #[test]
    fn only_requests_that_change_the_store_count() {
        let mut s = MemoryStore::new();
        let create = format!(
            r#"{{"cmd":"create_location","idempotency_key":"k",{ADMIN},"args":{{"name":"Van"}}}}"#
        );
        let (a, changed) = execute_counted(&mut s, &create);
        assert!(a.starts_with(r#"{"ok":"#) && changed, "{a}");
        // The retry answers the same and changes nothing.
        let (b, changed) = execute_counted(&mut s, &create);
        assert_eq!((a, changed), (b, false));
        let (q, changed) =
            execute_counted(&mut s, &format!(r#"{{"cmd":"list_locations",{ADMIN}}}"#));
        assert!(q.starts_with(r#"{"ok":"#) && !changed, "{q}");
        let (e, changed) = execute_counted(
            &mut s,
            &format!(r#"{{"cmd":"create_location",{ADMIN},"args":{{}}}}"#),
        );
        assert!(e.starts_with(r#"{"error":"#) && !changed, "{e}");
    }
}
