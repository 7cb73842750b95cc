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

test('execute() reads a request once: the journal holds the text that ran', () => {
  const sb = new Stockbook({ actor: ADMIN, clock });
  const bolt = sb.createProduct({ sku: 'BOLT', name: 'Bolt' });
  // A getter that answers differently each time it is read.
  let reads = 0;
  const request = {
    cmd: 'update_stock',
    actor: ADMIN,
    now: clock(),
    get args() {
      reads += 1;
      return { product_id: bolt.id, operation: 'add', quantity: String(10 * reads) };
    },
  };
  assert.equal(sb.execute(request).ok.stock.on_hand, '10');
  assert.equal(reads, 1);
  assert.throws(() => sb.forceTrapForTests(), StockbookTrapError);
  sb.recover();
  assert.equal(sb.getProduct({ id: bolt.id }).stock.on_hand, '10');
  // A getter that throws on its second read: the change applied once is an
  // answer, not a trap.
  let once = 0;
  const readOnce = {
    cmd: 'update_stock',
    actor: ADMIN,
    now: clock(),
    get args() {
      if ((once += 1) > 1) throw new Error('read once');
      return { product_id: bolt.id, operation: 'add', quantity: '5' };
    },
  };
  assert.equal(sb.execute(readOnce).ok.stock.on_hand, '15');
  assert.equal(sb.trapped, false);
});

test('importSnapshot(object) reads the object once: the checkpoint is what was imported', () => {
  const src = new Stockbook({ actor: ADMIN, clock });
  src.createLocation({ name: 'Van' });
  const snap = JSON.parse(src.exportSnapshot());
  let reads = 0;
  const changing = {
    format: snap.format,
    get records() {
      reads += 1;
      return reads === 1 ? snap.records : [];
    },
    movements: snap.movements,
  };
  const sb = new Stockbook({ actor: ADMIN, clock });
  sb.importSnapshot(changing);
  assert.equal(reads, 1);
  assert.throws(() => sb.forceTrapForTests(), StockbookTrapError);
  sb.recover();
  assert.deepEqual(sb.listLocations().map((l) => l.name), ['Main', 'Van']);
});

test('autoRecover also rebuilds a Stockbook other than the one that trapped', () => {
  const options = { actor: ADMIN, clock, autoRecover: true };
  const a = new Stockbook(options);
  const b = new Stockbook(options);
  a.createLocation({ name: 'A' });
  b.createLocation({ name: 'B' });
  assert.throws(() => a.forceTrapForTests(), /was rebuilt/);
  assert.equal(b.trapped, true); // still on the dead instance, until its next call
  assert.deepEqual(b.listLocations().map((l) => l.name), ['Main', 'B']);
  assert.equal(b.trapped, false);
  assert.deepEqual(a.listLocations().map((l) => l.name), ['Main', 'A']);
});

test('after a trap the wrapper never enters the dead instance', async () => {
  // The glue the wrapper runs on (same URL, so the same module): count every
  // call into it while the instance is dead.
  const glue = await import(new URL('../pkg-test/stockbook_wasm.js', import.meta.url).href);
  const Core = glue.StockbookCore;
  const entered = [];
  let dead = false;
  const restore = [];
  const spy = (owner, name, label) => {
    const f = owner[name];
    owner[name] = function (...args) {
      if (dead) entered.push(label);
      return f.apply(this, args);
    };
    restore.push(() => { owner[name] = f; });
  };
  for (const name of ['commandNames', 'errorCodes', 'fromSnapshot', 'wasmMemory', 'refusal']) spy(Core, name, `static ${name}`);
  for (const name of Object.getOwnPropertyNames(Core.prototype)) {
    if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(Core.prototype, name).value === 'function') spy(Core.prototype, name, name);
  }
  try {
    const names = Stockbook.commandNames();
    const codes = Stockbook.errorCodes();
    const a = new Stockbook({ actor: ADMIN, clock });
    a.createLocation({ name: 'Van' });
    const snapshot = a.exportSnapshot();
    const d = new Stockbook({ actor: ADMIN, clock });
    assert.throws(() => a.forceTrapForTests(), StockbookTrapError);
    dead = true;
    assert.deepEqual(Stockbook.commandNames(), names);
    assert.deepEqual(Stockbook.errorCodes(), codes);
    assert.throws(() => new Stockbook({ actor: ADMIN }), StockbookTrapError);
    assert.throws(() => Stockbook.fromSnapshot(snapshot), StockbookTrapError);
    assert.throws(() => a.listLocations(), StockbookTrapError);
    assert.throws(() => a.execute({ cmd: 'list_locations', actor: ADMIN }), StockbookTrapError);
    assert.throws(() => a.executeJson('{}'), StockbookTrapError);
    d.free();
    assert.deepEqual(entered, []);
    dead = false;
    // With autoRecover, a new Stockbook replaces the dead instance.
    const c = Stockbook.fromSnapshot(snapshot, { actor: ADMIN, clock, autoRecover: true });
    assert.deepEqual(c.listLocations().map((l) => l.name), ['Main', 'Van']);
    assert.equal(a.trapped, true); // a Stockbook of the dead instance until its recover()
    a.recover();
    assert.deepEqual(a.listLocations().map((l) => l.name), ['Main', 'Van']);
  } finally {
    for (const undo of restore) undo();
  }
});
