// A trap (a bug in the module) in the test-only build (feature `test-trap`,
// wasm/pkg-test/): the wrapper notices it, refuses to re-enter the dead
// instance, and rebuilds a fresh one from the last snapshot plus the changes
// made since.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, loadPackage } from './helpers.mjs';

const { Stockbook, StockbookTrapError } = await loadPackage('pkg-test');

let minute = 0;
const clock = () => new Date(Date.UTC(2026, 2, 2, 9, minute++)).toISOString();

test('the release package has no trap door', async () => {
  const release = await loadPackage('pkg');
  const sb = new release.Stockbook({ actor: ADMIN });
  assert.throws(() => sb.forceTrapForTests(), /not a test-trap build/);
  assert.equal(sb.trapped, false);
  assert.deepEqual(sb.listLocations(), [{ id: 1, name: 'Main' }]);
});

test('a trap is noticed, re-entry refused, and recover() rebuilds from snapshot and journal', () => {
  const a = new Stockbook({ actor: ADMIN, clock });
  const b = new Stockbook({ actor: ADMIN, clock });
  const bolt = a.createProduct({ sku: 'BOLT', name: 'Bolt' });
  a.updateStock({ product_id: bolt.id, operation: 'add', quantity: '10' });
  a.exportSnapshot(); // the checkpoint
  a.updateStock({ product_id: bolt.id, operation: 'subtract', quantity: '3' }); // journaled
  a.execute({ cmd: 'create_location', actor: ADMIN, now: clock(), args: { name: 'Van' } }); // journaled
  a.executeJson(JSON.stringify({ cmd: 'create_location', actor: ADMIN, now: clock(), args: { name: 'Van' } })); // refused
  a.executeJson(JSON.stringify({ cmd: 'create_category', actor: ADMIN, now: clock(), args: { name: 'Bolts' } })); // journaled
  b.createLocation({ name: 'Shed' });
  // What a and b hold before the trap, as queries show it.
  const state = (sb) => ({
    movements: sb.listMovements(),
    locations: sb.listLocations(),
    categories: sb.listCategories(),
    products: sb.listProducts(),
  });
  const before = [state(a), state(b)];

  assert.throws(
    () => a.forceTrapForTests(),
    (e) => e instanceof StockbookTrapError && e.code === 'trapped' && e.cause instanceof WebAssembly.RuntimeError,
  );
  // Every Stockbook shares the dead instance: both refuse to enter it.
  assert.equal(a.trapped, true);
  assert.equal(b.trapped, true);
  assert.throws(() => a.getProduct({ id: bolt.id }), StockbookTrapError);
  assert.throws(() => b.execute({ cmd: 'list_locations', actor: ADMIN }), StockbookTrapError);
  assert.throws(() => a.exportSnapshot(), StockbookTrapError);

  a.recover(); // fresh instance, checkpoint, then 3 journaled changes
  b.recover(); // no checkpoint: its journal alone
  assert.equal(a.trapped, false);
  assert.deepEqual([state(a), state(b)], before);
  assert.equal(a.getStock({ product_id: bolt.id }).totals.on_hand, '7');
  // The rebuilt instances work on, request text included (it is written
  // into the new instance's memory, not the dead one's).
  assert.equal(a.updateStock({ product_id: bolt.id, operation: 'add', quantity: '1' }).stock.on_hand, '8');
  const add = JSON.stringify({ cmd: 'update_stock', actor: ADMIN, now: clock(), args: { product_id: bolt.id, operation: 'add', quantity: '2' } });
  assert.match(a.executeJson(add), /"on_hand":"10"/);
});

test('autoRecover rebuilds right after the trap; the trapping call still throws', () => {
  const sb = new Stockbook({ actor: ADMIN, clock, autoRecover: true });
  sb.createLocation({ name: 'Van' });
  assert.throws(() => sb.forceTrapForTests(), /was rebuilt/);
  assert.equal(sb.trapped, false);
  assert.deepEqual(sb.listLocations().map((l) => l.name), ['Main', 'Van']);
});

test('after an import and after a recover, only requests that changed the store are journaled', () => {
  const src = new Stockbook({ actor: ADMIN, clock });
  src.createLocation({ name: 'Van' });
  const sb = Stockbook.fromSnapshot(src.exportSnapshot(), { actor: ADMIN, clock });
  // A refusal right after the import (which moved the core's change count):
  // journaled by mistake, it would make the recovery below fail.
  const missing = { cmd: 'get_product', actor: ADMIN, args: { id: 999 } };
  assert.equal(sb.execute(missing).error.code, 'not_found');
  sb.createLocation({ name: 'Shed' });
  assert.throws(() => sb.forceTrapForTests(), StockbookTrapError);
  sb.recover();
  assert.equal(sb.executeJson(JSON.stringify(missing)).startsWith('{"error":'), true);
  sb.createCategory({ name: 'Bolts' });
  assert.throws(() => sb.forceTrapForTests(), StockbookTrapError);
  sb.recover();
  assert.deepEqual(sb.listLocations().map((l) => l.name), ['Main', 'Van', 'Shed']);
  assert.deepEqual(sb.listCategories().map((c) => c.name), ['Bolts']);
});
