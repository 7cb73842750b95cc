// Request text reaches the module through the wrapper's own path (one
// `encodeInto` into the instance's input buffer, see `executeText` in
// js/stockbook.js): it must answer exactly what wasm-bindgen's string path
// answers, for any text, across memory growth, and refuse bad lengths and
// bytes with `invalid_request`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ADMIN, NOW, WASM_DIR, loadPackage } from './helpers.mjs';

const { Stockbook } = await loadPackage('pkg');
// The same module instance the wrapper runs on (same URL, so same module).
const { StockbookCore } = await import(pathToFileURL(join(WASM_DIR, 'pkg', 'stockbook_wasm.js')).href);

const create = (name, sku) =>
  JSON.stringify({ cmd: 'create_product', actor: ADMIN, now: NOW, args: { sku, name } });

test('any text gives the answers of the string path, byte for byte', () => {
  const sb = new Stockbook({ actor: ADMIN });
  const core = new StockbookCore();
  const requests = [
    create('Bolt', 'S0'),
    create('Schraube – ñ, 東京, 🦀', 'S1'), // 2-, 3- and 4-byte UTF-8
    create('quote " backslash \\ slash /', 'S2'),
    create('new\nline', 'S3'), // refused: a control character
    // A lone surrogate as raw text (JSON.stringify would escape it, and
    // serde_json refuses that escape): encoded as U+FFFD by both paths.
    create('lone SURROGATE', 'S4').replace('SURROGATE', '\uD800'),
  ];
  for (const request of requests) {
    assert.equal(sb.executeJson(request), core.executeJson(request), request);
  }
  assert.deepEqual(sb.listProducts().items.map((i) => i.product.name).sort(), [
    'Bolt',
    'Schraube – ñ, 東京, 🦀',
    'lone \uFFFD',
    'quote " backslash \\ slash /',
  ]);
  // Not a string: refused as before, not thrown.
  assert.match(sb.executeJson(42), /^\{"error":\{"code":"invalid_request"/);
  sb.free();
  core.free();
});

test('requests keep working while the module memory grows under them', () => {
  const sb = new Stockbook({ actor: ADMIN });
  assert.match(sb.executeJson(create('small', 'A')), /^\{"ok":/);
  // 8 MB of name: the input buffer (3 bytes per character) grows the memory,
  // which detaches every view of the old buffer.
  const huge = 'x'.repeat(8 << 20);
  assert.match(sb.executeJson(create(huge, 'B')), /^\{"error":\{"code":"invalid_field"/);
  assert.match(sb.executeJson(create('after', 'C')), /^\{"ok":\{"id":2,"sku":"C","name":"after"/);
  assert.deepEqual(sb.listProducts().items.map((i) => i.product.sku).sort(), ['A', 'C']);
  sb.free();
});

test('executeInput refuses a length past its buffer and bytes that are not UTF-8', () => {
  const core = new StockbookCore();
  const at = core.inputBuffer(16);
  assert.match(core.executeInput(1 << 20), /^\{"error":\{"code":"invalid_request","message":"invalid request: executeInput: length past the input buffer"/);
  const bytes = new Uint8Array(StockbookCore.wasmMemory().buffer, at, 16);
  bytes.set([0x22, 0xff, 0xfe, 0x22]); // "\xff\xfe"
  assert.match(core.executeInput(4), /^\{"error":\{"code":"invalid_request","message":"invalid request: request text is not UTF-8"/);
  // The instance goes on.
  const request = JSON.stringify({ cmd: 'list_locations', actor: ADMIN });
  const len = new TextEncoder().encodeInto(request, new Uint8Array(StockbookCore.wasmMemory().buffer, core.inputBuffer(request.length), request.length)).written;
  assert.equal(core.executeInput(len), '{"ok":[{"id":1,"name":"Main"}],"events":[]}');
  core.free();
});
