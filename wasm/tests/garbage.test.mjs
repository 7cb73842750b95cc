// No panic reaches JS: whatever a caller hands the package, it answers
// `invalid_request` / `invalid_field` and the instance keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, NOW, loadPackage } from './helpers.mjs';

const { Stockbook, StockbookError } = await loadPackage();

function deep(levels) {
  let v = 1;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

const cyclic = { cmd: 'list_locations', actor: ADMIN };
cyclic.self = cyclic;

// `Array.isArray` throws on a revoked Proxy: the bindings must catch that too.
const revoked = Proxy.revocable({ cmd: 'list_locations', actor: ADMIN }, {});
revoked.revoke();

const GARBAGE = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['NaN', NaN],
  ['a BigInt', 10n],
  ['a string', 'list_locations'],
  ['a symbol', Symbol('x')],
  ['a function', () => 1],
  ['an array', [{ cmd: 'list_locations', actor: ADMIN }]],
  ['a Map', new Map([['cmd', 'list_locations']])],
  ['a Date', new Date()],
  ['a typed array', new Uint8Array([1, 2, 3])],
  ['an object with a cycle', cyclic],
  ['a throwing toJSON', { toJSON() { throw new Error('boom'); } }],
  ['a throwing getter', Object.defineProperty({}, 'cmd', { enumerable: true, get() { throw new Error('getter'); } })],
  ['a Proxy that throws', new Proxy({}, { ownKeys() { throw new Error('proxy'); } })],
  ['a revoked Proxy', revoked.proxy],
  ['a BigInt inside', { cmd: 'get_product', actor: ADMIN, args: { id: 1n } }],
  ['args as a number', { cmd: 'create_location', actor: ADMIN, now: NOW, args: 7 }],
  ['actor as a number', { cmd: 'list_locations', actor: 7 }],
  ['permissions as a string', { cmd: 'list_locations', actor: { id: 'a', permissions: 'admin' } }],
  ['a huge id', { cmd: 'get_product', actor: ADMIN, args: { id: 1e308 } }],
  ['Infinity', { cmd: 'get_product', actor: ADMIN, args: { id: Infinity } }],
  ['a quantity beyond 2^64', { cmd: 'update_stock', actor: ADMIN, now: NOW, args: { product_id: 1, operation: 'add', quantity: 2 ** 70 } }],
  ['a fractional JSON quantity', { cmd: 'update_stock', actor: ADMIN, now: NOW, args: { product_id: 1, operation: 'add', quantity: 0.1 } }],
  ['a 100-digit quantity', { cmd: 'update_stock', actor: ADMIN, now: NOW, args: { product_id: 1, operation: 'add', quantity: '9'.repeat(100) } }],
  ['a megabyte name', { cmd: 'create_location', actor: ADMIN, now: NOW, args: { name: 'x'.repeat(1 << 20) } }],
  ['lone surrogates', { cmd: 'create_location', actor: ADMIN, now: NOW, args: { name: '\ud800\udfff\udc00' } }],
  ['200 levels of nesting', { cmd: 'list_products', actor: ADMIN, args: { search: deep(200) } }],
  ['100 000 levels of nesting', { cmd: 'list_products', actor: ADMIN, args: { search: deep(100_000) } }],
  ['5000 lines', { cmd: 'create_purchase_order', actor: ADMIN, now: NOW, args: { supplier_id: 1, lines: Array(5000).fill({ quantity: 1 }) } }],
];

const REFUSALS = new Set(['invalid_request', 'invalid_field', 'not_found']);

test('garbage through execute() is an error answer, and the instance keeps working', () => {
  const sb = new Stockbook({ actor: ADMIN, clock: () => NOW });
  sb.createSupplier({ name: 'Acme' });
  const product = sb.createProduct({ sku: 'A', name: 'Bolt' });
  const before = sb.exportSnapshot();
  for (const [what, value] of GARBAGE) {
    const answer = sb.execute(value);
    assert.ok(answer && typeof answer === 'object' && 'error' in answer, `${what}: ${JSON.stringify(answer)}`);
    assert.ok(REFUSALS.has(answer.error.code), `${what}: ${answer.error.code} ${answer.error.message}`);
    assert.equal(typeof answer.error.message, 'string');
    assert.equal(sb.trapped, false, what);
  }
  assert.equal(sb.exportSnapshot(), before, 'garbage changed the state');
  assert.equal(sb.getProduct({ id: product.id }).product.sku, 'A');
  assert.equal(sb.updateStock({ product_id: product.id, operation: 'add', quantity: '3' }).stock.on_hand, '3');
});

test('garbage through the other entry points never throws past the wrapper', () => {
  const sb = new Stockbook({ actor: ADMIN, clock: () => NOW });
  for (const [what, value] of GARBAGE) {
    const text = sb.executeJson(value);
    assert.match(text, /^\{"error":\{"code":"invalid_(request|field)"/, `executeJson(${what})`);
    const dry = sb.dryRun(value);
    assert.ok('error' in dry, `dryRun(${what})`);
    const v1 = sb.validateReceipt(value, { lines: [] });
    assert.ok('error' in v1 && REFUSALS.has(v1.error.code), `validateReceipt(${what}, ...) ${JSON.stringify(v1)}`);
    const v2 = sb.validateReceipt(1, value);
    assert.ok('error' in v2 && REFUSALS.has(v2.error.code), `validateReceipt(1, ${what}) ${JSON.stringify(v2)}`);
    assert.throws(() => sb.importSnapshot(value), (e) => e instanceof StockbookError && REFUSALS.has(e.code), `importSnapshot(${what})`);
    assert.throws(() => sb.createProduct(value), (e) => e instanceof StockbookError && REFUSALS.has(e.code), `createProduct(${what})`);
    assert.equal(sb.trapped, false, what);
  }
  const text = sb.executeJson('{"cmd": "list_locations", "actor": ' + '['.repeat(100_000));
  assert.match(text, /^\{"error":\{"code":"invalid_request"/);
  assert.deepEqual(sb.listLocations(), [{ id: 1, name: 'Main' }]);
});

test('a bad snapshot leaves the state as it was', () => {
  const sb = new Stockbook({ actor: ADMIN, clock: () => NOW });
  sb.createLocation({ name: 'Van' });
  const before = sb.exportSnapshot();
  const snap = JSON.parse(before);
  for (const bad of [
    '{',
    { ...snap, format: 2 },
    { ...snap, movements: [{ seq: 5 }] },
    { ...snap, records: [[{ location: 1 }, 1, { product: {} }]] },
  ]) {
    assert.throws(() => sb.importSnapshot(bad), (e) => e instanceof StockbookError && e.code === 'invalid_field' && e.details.field.startsWith('snapshot'));
  }
  assert.equal(sb.exportSnapshot(), before);
});

test('a revoked Proxy is refused, and the instance every Stockbook shares lives on', () => {
  const a = new Stockbook({ actor: ADMIN, clock: () => NOW });
  const b = new Stockbook({ actor: ADMIN, clock: () => NOW });
  b.createLocation({ name: 'Van' });
  for (const answer of [a.execute(revoked.proxy), a.dryRun(revoked.proxy)]) {
    assert.equal(answer.error.code, 'invalid_request');
    assert.equal(answer.error.message, 'invalid request: a request is a JSON object');
  }
  assert.equal(a.trapped, false);
  assert.equal(b.trapped, false);
  assert.deepEqual(b.listLocations().map((l) => l.name), ['Main', 'Van']);
});

test('null options are no options', () => {
  const bare = new Stockbook(null);
  assert.deepEqual(bare.listLocations(undefined, { actor: ADMIN }), [{ id: 1, name: 'Main' }]);
  const sb = Stockbook.fromSnapshot(bare.exportSnapshot(), null);
  assert.equal(sb.trapped, false);
  const admin = new Stockbook({ actor: ADMIN, clock: () => NOW });
  assert.equal(admin.createLocation({ name: 'Van' }, null).name, 'Van');
  assert.equal(admin.typed('list_locations', null, null).length, 2);
  assert.throws(() => admin.getProduct({ id: 99 }, null), (e) => e instanceof StockbookError && e.code === 'not_found');
  assert.equal(admin.validateReceipt(1, { lines: [] }, null).error.code, 'not_found');
});

test('snapshot import: invalid_request for what JSON cannot carry, invalid_field for what is no snapshot', () => {
  const sb = new Stockbook({ actor: ADMIN, clock: () => NOW });
  sb.createLocation({ name: 'Van' });
  const before = sb.exportSnapshot();
  const notJson = [
    cyclic,
    { format: 1n, records: [], movements: [] },
    Object.defineProperty({}, 'format', { enumerable: true, get() { throw new Error('getter'); } }),
    deep(100_000),
    revoked.proxy,
  ];
  for (const value of notJson) {
    for (const load of [() => sb.importSnapshot(value), () => Stockbook.fromSnapshot(value)]) {
      assert.throws(load, (e) => e instanceof StockbookError && e.code === 'invalid_request' && e.message === 'invalid request: snapshot cannot be turned into JSON');
    }
  }
  for (const value of ['{', 42, null, { format: 2, records: [], movements: [] }]) {
    for (const load of [() => sb.importSnapshot(value), () => Stockbook.fromSnapshot(value)]) {
      assert.throws(load, (e) => e instanceof StockbookError && e.code === 'invalid_field' && e.details.field.startsWith('snapshot'));
    }
  }
  assert.equal(sb.exportSnapshot(), before);
  assert.equal(sb.trapped, false);
});

test('a clock that gives an invalid Date is refused like any bad time, as a StockbookError', () => {
  const sb = new Stockbook({ actor: ADMIN, clock: () => new Date('not a date') });
  assert.throws(
    () => sb.createLocation({ name: 'Van' }),
    (e) => e instanceof StockbookError && e.code === 'invalid_field' && e.details.field === 'now',
  );
  assert.equal(sb.validateReceipt(1, { lines: [] }).error.details.field, 'now');
  assert.deepEqual(sb.listLocations(undefined, { now: NOW }), [{ id: 1, name: 'Main' }]);
});

test('validateReceipt refuses what JSON text cannot carry as execute does (invalid_request)', () => {
  const sb = new Stockbook({ actor: ADMIN, clock: () => NOW });
  const validator = { id: 'offline-validation', permissions: ['purchasing.receive'] };
  for (const [what, receipt] of [
    ['a lone surrogate', { lines: [{ line_no: 1, quantity: 1 }], packing_slip_number: 'PS-\ud800' }],
    ['200 levels of nesting', { lines: [{ line_no: 1, quantity: deep(200) }] }],
  ]) {
    const validated = sb.validateReceipt(1, receipt, { now: NOW });
    const executed = sb.dryRun({ cmd: 'receive_purchase_order', actor: validator, now: NOW, args: { id: 1, ...receipt } });
    assert.equal(executed.error.code, 'invalid_request', what);
    assert.equal(validated.error.code, executed.error.code, `${what}: ${validated.error.message}`);
    assert.match(validated.error.message, /^invalid request: not valid JSON: /, what);
  }
  assert.equal(sb.trapped, false);
});

test('options.now may be a Date on typed methods and validateReceipt alike', () => {
  const sb = new Stockbook({ actor: ADMIN, clock: () => NOW });
  sb.createSupplier({ name: 'Acme' });
  const bolt = sb.createProduct({ sku: 'BOLT', name: 'Bolt' });
  const po = sb.createPurchaseOrder({ supplier_id: 1, lines: [{ product_id: bolt.id, quantity: 10 }] });
  sb.orderPurchaseOrder({ id: po.purchase_order.id });
  const at = new Date('2026-03-05T14:00:00Z');
  const validated = sb.validateReceipt(po, { lines: [{ line_no: 1, quantity: '4' }] }, { now: at });
  assert.equal(validated.ok?.purchase_order.received_date, '2026-03-05', JSON.stringify(validated));
  const received = sb.receivePurchaseOrder({ id: po.purchase_order.id, lines: [{ line_no: 1, quantity: '4' }] }, { now: at });
  assert.equal(received.movements.at(-1).at, '2026-03-05T14:00:00Z');
  // An invalid Date is refused the same way by both.
  const bad = new Date('nope');
  assert.equal(sb.validateReceipt(po, { lines: [{ line_no: 1, quantity: '1' }] }, { now: bad }).error.details.field, 'now');
  assert.throws(() => sb.createLocation({ name: 'Van' }, { now: bad }), (e) => e instanceof StockbookError && e.details.field === 'now');
});
