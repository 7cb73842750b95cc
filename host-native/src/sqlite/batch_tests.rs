//! Units inside a batch (`Batch::all_or_nothing`): all or nothing, the
//! batch around them going on.

use super::*;

fn is_ok(answer: &str) -> bool {
    answer.starts_with(r#"{"ok""#)
}

/// Sends `reqs` as one unit that fails at the first refusal; the answers
/// given, as `Ok` or `Err`.
fn unit(b: &mut Batch<'_>, reqs: &[String]) -> Result<Vec<String>, Vec<String>> {
    b.all_or_nothing(|b| {
        let mut answers = Vec::new();
        for r in reqs {
            answers.push(b.execute_json(r));
            if !is_ok(answers.last().unwrap()) {
                return Err(answers);
            }
        }
        Ok(answers)
    })
}

fn count(s: &SqliteStore, sql: &str) -> i64 {
    s.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The idempotency keys stored in `records`.
fn idempotency_keys(s: &SqliteStore) -> Vec<String> {
    let mut st = s.connection().prepare("SELECT key FROM records").unwrap();
    let keys: Vec<Vec<u8>> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    keys.iter()
        .filter_map(|k| match keys::decode(k) {
            Some(Key::Idempotency(k)) => Some(k),
            _ => None,
        })
        .collect()
}

fn version_of(s: &SqliteStore, k: &Key) -> i64 {
    s.connection()
        .query_row(
            "SELECT version FROM records WHERE key = ?1",
            params![keys::encode(k)],
            |r| r.get(0),
        )
        .unwrap()
}

/// The memory store runs what the SQLite batch kept; both must then answer
/// alike (products, stock, the whole ledger).
fn same_state(t: &mut Twin) {
    t.run("list_products", json!({"include_archived": true}));
    t.run("list_movements", json!({"limit": 1000}));
    t.run("get_stock", json!({"product_id": 1}));
}

#[test]
fn a_failed_unit_leaves_no_trace_and_numbers_continue_gapless() {
    let mut t = Twin::new(SqliteStore::open_in_memory().unwrap());
    t.run("create_product", json!({"sku": "A", "name": "A"}));
    t.run(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 10}),
    );
    let stock_a = Key::Stock(1, stockbook_core::catalog::MAIN_LOCATION);
    let version_a = version_of(&t.sql, &stock_a);
    let keyed = t.keyed_req(
        "row-2",
        "create_product",
        json!({"sku": "B", "name": "B", "low_stock_threshold": 5}),
    );
    let failing = [
        keyed,
        // A movement (seq 2) and a low-stock alert for the new product...
        t.req(
            "update_stock",
            json!({"product_id": 2, "operation": "set", "quantity": 2}),
        ),
        // ...a change of an existing record and a movement (seq 3)...
        t.req(
            "update_stock",
            json!({"product_id": 1, "operation": "subtract", "quantity": 3}),
        ),
        // ...and then a refusal.
        t.req(
            "update_stock",
            json!({"product_id": 2, "operation": "set", "quantity": "-5"}),
        ),
    ];
    let after = [
        t.req(
            "update_stock",
            json!({"product_id": 1, "operation": "add", "quantity": 1}),
        ),
        t.req("create_product", json!({"sku": "C", "name": "C"})),
    ];
    let (failed, answers) = t
        .sql
        .batch(|b| {
            let failed = unit(b, &failing);
            let answers: Vec<String> = after.iter().map(|r| b.execute_json(r)).collect();
            (failed, answers)
        })
        .unwrap();
    let failed = failed.unwrap_err();
    assert_eq!(failed.len(), 4, "{failed:?}");
    assert!(failed[1].contains("low_stock"), "{}", failed[1]);
    assert!(failed[2].contains(r#""seq":3"#), "{}", failed[2]);
    assert!(failed[3].contains("invalid_field"), "{}", failed[3]);
    // The requests after the unit answer as if it had never run: the next
    // movement is seq 2 again, the next product id 2.
    let mem: Vec<String> = after.iter().map(|r| execute_json(&mut t.mem, r)).collect();
    assert_eq!(answers, mem);
    assert!(answers[0].contains(r#""seq":2"#), "{}", answers[0]);
    assert!(answers[1].contains(r#""id":2"#), "{}", answers[1]);
    same_state(&mut t);
    assert_eq!(count(&t.sql, "SELECT count(*) FROM movements"), 2);
    assert_eq!(count(&t.sql, "SELECT max(seq) FROM movements"), 2);
    assert!(t.sql.list_alerts(true).unwrap().is_empty());
    assert!(idempotency_keys(&t.sql).is_empty());
    assert_eq!(version_of(&t.sql, &stock_a), version_a + 1);
    // The key was never used: a different request may take it.
    let r = t.keyed("row-2", "create_product", json!({"sku": "D", "name": "D"}));
    assert!(r.get("ok").is_some(), "{r}");
    assert_eq!(idempotency_keys(&t.sql), ["row-2"]);
}

#[test]
fn units_that_succeed_commit_with_the_batch_and_nest() {
    let mut t = Twin::new(SqliteStore::open_in_memory().unwrap());
    let before = t.req("create_product", json!({"sku": "A", "name": "A"}));
    let kept = [
        t.req("create_product", json!({"sku": "B", "name": "B"})),
        t.req(
            "update_stock",
            json!({"product_id": 2, "operation": "set", "quantity": 4}),
        ),
    ];
    let inner = [
        t.req("create_product", json!({"sku": "C", "name": "C"})),
        t.req(
            "update_stock",
            json!({"product_id": 3, "operation": "set", "quantity": "abc"}),
        ),
    ];
    let after = t.req(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 2}),
    );
    let (outer, nested, last) = t
        .sql
        .batch(|b| {
            assert!(is_ok(&b.execute_json(&before)));
            let mut nested = None;
            let outer = b.all_or_nothing(|b| {
                let first = unit(b, &kept[..1])?;
                nested = Some(unit(b, &inner));
                let second = unit(b, &kept[1..])?;
                Ok::<_, Vec<String>>([first, second].concat())
            });
            (outer, nested, b.execute_json(&after))
        })
        .unwrap();
    assert!(nested.unwrap().is_err());
    let outer = outer.unwrap();
    let mem: Vec<String> = [&before, &kept[0], &kept[1], &after]
        .into_iter()
        .map(|r| execute_json(&mut t.mem, r))
        .collect();
    assert_eq!([&outer[..], &[last][..]].concat(), mem[1..]);
    same_state(&mut t);
    t.run("get_stock", json!({"product_id": 2}));
    let c = t.run("get_product", json!({"id": 3}));
    assert_eq!(c["error"]["code"], "not_found", "{c}");
}

#[test]
fn a_failed_unit_keeps_the_held_back_writes_before_it() {
    let mut t = Twin::new(SqliteStore::open_in_memory().unwrap());
    let before = [
        t.req("create_product", json!({"sku": "A", "name": "A"})),
        t.req(
            "update_stock",
            json!({"product_id": 1, "operation": "set", "quantity": 7}),
        ),
        t.req(
            "create_product",
            json!({"sku": "B", "name": "B", "decimal_places": 0}),
        ),
    ];
    let failing = [
        // Sees the held-back stock of A...
        t.req(
            "update_stock",
            json!({"product_id": 1, "operation": "add", "quantity": 1, "expected_on_hand": "7"}),
        ),
        // ...and B, then is refused.
        t.req(
            "update_stock",
            json!({"product_id": 2, "operation": "set", "quantity": "1.5"}),
        ),
    ];
    let after = t.req(
        "update_stock",
        json!({"product_id": 1, "operation": "add", "quantity": 2, "expected_on_hand": "7"}),
    );
    let (failed, last) = t
        .sql
        .batch(|b| {
            for r in &before {
                assert!(is_ok(&b.execute_json(r)));
            }
            {
                let c = b.store.cache.borrow();
                assert!(!c.dirty.is_empty() && !c.movements.is_empty());
            }
            (unit(b, &failing), b.execute_json(&after))
        })
        .unwrap();
    let failed = failed.unwrap_err();
    assert!(is_ok(&failed[0]), "{}", failed[0]);
    assert!(failed[1].contains("invalid_field"), "{}", failed[1]);
    let mem: Vec<String> = before
        .iter()
        .chain([&after])
        .map(|r| execute_json(&mut t.mem, r))
        .collect();
    assert_eq!(last, mem[3]);
    assert!(last.contains(r#""on_hand":"9""#), "{last}");
    same_state(&mut t);
    t.run("get_product", json!({"id": 2}));
}

#[test]
fn a_storage_failure_inside_a_unit_aborts_the_whole_batch() {
    for unit_says_ok in [true, false] {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let t = Twin::new(SqliteStore::open_in_memory().unwrap());
        let r = s.batch(|b| {
            assert!(is_ok(&b.execute_json(
                &t.req("create_product", json!({"sku": "A", "name": "A"}))
            )));
            let _ = b.all_or_nothing(|b| {
                assert!(is_ok(&b.execute_json(
                    &t.req("create_product", json!({"sku": "B", "name": "B"}))
                )));
                b.abort(DbError::Corrupt("disk on fire".into()));
                if unit_says_ok {
                    Ok(())
                } else {
                    Err(())
                }
            });
            assert!(b.failed());
            let c = b.execute_json(&t.req("create_product", json!({"sku": "C", "name": "C"})));
            assert!(c.contains("conflict"), "{c}");
        });
        assert!(
            matches!(&r, Err(DbError::Corrupt(m)) if m == "disk on fire"),
            "{r:?}"
        );
        let list = s.execute_json(&t.req("list_products", json!({})));
        assert!(list.contains(r#""total_count":0"#), "{list}");
        // The store works on afterwards.
        let a = s.execute_json(&t.req("create_product", json!({"sku": "A", "name": "A"})));
        assert!(a.contains(r#""id":1"#), "{a}");
    }
}

/// A panic inside a batch or a unit (a bug) rolls the transaction back
/// before it goes on: nothing of the batch is kept, and the same store
/// takes the next write transaction (before, the connection stayed inside
/// the open one: "cannot start a transaction within a transaction").
#[test]
fn a_panic_inside_a_batch_rolls_it_back_and_the_store_goes_on() {
    for in_unit in [false, true] {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let t = Twin::new(SqliteStore::open_in_memory().unwrap());
        let create = |sku: &str| t.req("create_product", json!({"sku": sku, "name": sku}));
        assert!(is_ok(&s.execute_json(&create("KEPT"))));
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            s.batch(|b| {
                assert!(is_ok(&b.execute_json(&create("A"))));
                if in_unit {
                    let _: Result<(), ()> = b.all_or_nothing(|b| {
                        assert!(is_ok(&b.execute_json(&create("B"))));
                        panic!("a bug inside a unit")
                    });
                }
                panic!("a bug inside a batch")
            })
        }));
        assert!(r.is_err());
        let list = s.execute_json(&t.req("list_products", json!({})));
        assert!(list.contains(r#""total_count":1"#), "{list}");
        let c = s.execute_json(&create("C"));
        assert!(c.contains(r#""id":2"#), "{c}");
        // And a batch after it commits.
        let ok = s.batch(|b| is_ok(&b.execute_json(&create("D")))).unwrap();
        assert!(ok);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM movements"), 0);
    }
}
