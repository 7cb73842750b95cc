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
