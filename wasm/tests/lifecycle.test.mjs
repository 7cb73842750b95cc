// A Stockbook's life outside the happy path: loading the module from a file
// URL or path in Node, and using a Stockbook after `free()`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ADMIN, NOW, WASM_DIR, loadPackage } from './helpers.mjs';

const { Stockbook, StockbookTrapError } = await loadPackage();

test('a freed Stockbook throws on use; every other Stockbook goes on', () => {
  const other = new Stockbook({ actor: ADMIN, clock: () => NOW });
  other.createLocation({ name: 'Van' });
  const freed = new Stockbook({ actor: ADMIN, clock: () => NOW });
  freed.free();
  for (const use of [
    () => freed.listLocations(),
    () => freed.execute({ cmd: 'list_locations', actor: ADMIN }),
    () => freed.executeJson('{}'),
    () => freed.dryRun({ cmd: 'list_locations', actor: ADMIN }),
    () => freed.validateReceipt(1, { lines: [] }),
    () => freed.exportSnapshot(),
    () => freed.importSnapshot(other.exportSnapshot()),
    () => freed.ledgerLength(),
    () => freed.recover(),
  ]) {
    assert.throws(use, (e) => !(e instanceof StockbookTrapError) && e.message === 'Stockbook: used after free()');
  }
  freed.free(); // a second free does nothing
  assert.equal(other.trapped, false);
  assert.deepEqual(other.listLocations().map((l) => l.name), ['Main', 'Van']);
  assert.equal(new Stockbook({ actor: ADMIN }).listLocations().length, 1);
});

/** Runs `code` (an ES module body) in a fresh Node, with `pkg` bound to the package's module. */
function inFreshNode(code) {
  const pkg = pathToFileURL(join(WASM_DIR, 'pkg', 'stockbook.js')).href;
  const body = `import * as pkg from ${JSON.stringify(pkg)};\n${code}`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', body], { encoding: 'utf8' });
}

test('in Node, init() takes a file: URL (as a URL or text) or a path, as docs/wasm.md says', () => {
  const file = join(WASM_DIR, 'pkg', 'stockbook_wasm_bg.wasm');
  for (const source of [
    `new URL(${JSON.stringify(pathToFileURL(file).href)})`,
    JSON.stringify(pathToFileURL(file).href),
    JSON.stringify(file),
  ]) {
    const out = inFreshNode(`
      await pkg.init(${source});
      const sb = new pkg.Stockbook({ actor: { id: 'ann', permissions: ['admin'] } });
      console.log(JSON.stringify(sb.listLocations()));
    `);
    assert.equal(out.trim(), '[{"id":1,"name":"Main"}]', source);
  }
});

test('a throwing onEvent is reported, not thrown: the typed call returns its applied change', async () => {
  const reported = [];
  const seen = [];
  const had = Object.getOwnPropertyDescriptor(globalThis, 'reportError');
  globalThis.reportError = (e) => reported.push(e.message);
  try {
    const sb = new Stockbook({
      actor: ADMIN,
      clock: () => NOW,
      onEvent: (e) => {
        seen.push(e.sku);
        throw new Error(`handler failed on ${e.sku}`);
      },
    });
    sb.createProduct({ sku: 'A', name: 'A', low_stock_threshold: 10 });
    sb.createProduct({ sku: 'B', name: 'B', low_stock_threshold: 10 });
    sb.createProduct({ sku: 'C', name: 'C', low_stock_threshold: 10 });
    const a = sb.updateStock({ product_id: 1, operation: 'add', quantity: 3 });
    assert.equal(a.stock.on_hand, '3');
    assert.equal(sb.getProduct({ id: 1 }).stock.on_hand, '3', 'applied once');
    assert.deepEqual(seen, ['A']);
    // Two low-stock events in one answer: both delivered although the first handler call threw.
    sb.updateStock({ product_id: 2, operation: 'add', quantity: 20 });
    sb.updateStock({ product_id: 3, operation: 'add', quantity: 20 });
    const doc = sb.createSalesDocument({ client: 'c', type: 'invoice', lines: [{ product_id: 2, quantity: 15 }, { product_id: 3, quantity: 15 }] });
    assert.equal(doc.type, 'invoice');
    assert.equal(sb.getProduct({ id: 2 }).stock.on_hand, '5');
    assert.deepEqual(seen, ['A', 'B', 'C']);
    assert.deepEqual(reported, seen.map((s) => `handler failed on ${s}`));
  } finally {
    if (had) Object.defineProperty(globalThis, 'reportError', had);
    else delete globalThis.reportError;
  }
});
