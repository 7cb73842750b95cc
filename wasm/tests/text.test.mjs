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
  ];
  for (const request of requests) {
    assert.equal(sb.executeJson(request), core.executeJson(request), request);
  }
  assert.deepEqual(sb.listProducts().items.map((i) => i.product.name).sort(), [
    'Bolt',
    'Schraube – ñ, 東京, 🦀',
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

test('a lone surrogate is refused alike by every entry point, never stored as U+FFFD', () => {
  const sb = new Stockbook({ actor: ADMIN, clock: () => NOW });
  for (const name of ['Van \uD800', '\uDC00 Van', 'Van \uDBFF']) {
    const request = { cmd: 'create_location', actor: ADMIN, now: NOW, args: { name } };
    const answer = sb.execute(request);
    assert.equal(answer.error.code, 'invalid_request', name);
    // The same request as text, the surrogate escaped (JSON.stringify) or raw.
    const escaped = JSON.stringify(request);
    const raw = escaped.replace(/\\u(d[89a-f][0-9a-f]{2})/, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    assert.notEqual(raw, escaped);
    assert.deepEqual(JSON.parse(sb.executeJson(escaped)), answer);
    assert.deepEqual(JSON.parse(sb.executeJson(raw)), answer);
    assert.deepEqual(sb.dryRun(request), answer);
    assert.throws(() => sb.createLocation({ name }), (e) => e.code === answer.error.code && e.message === answer.error.message);
  }
  // A well-formed pair is a character like any other.
  assert.equal(sb.createLocation({ name: 'Van \uD83E\uDD80' }).name, 'Van 🦀');
  // Snapshots: text with a raw lone surrogate is refused like the object.
  const src = new Stockbook({ actor: ADMIN, clock: () => NOW });
  src.createLocation({ name: 'Van SURROGATE' });
  const text = src.exportSnapshot().replace('SURROGATE', '\uD800');
  let a, b;
  try { sb.importSnapshot(text); } catch (e) { a = e; }
  try { sb.importSnapshot(JSON.parse(text)); } catch (e) { b = e; }
  assert.equal(a?.code, 'invalid_field');
  assert.equal(a.message, b?.message);
  assert.deepEqual(sb.listLocations().map((l) => l.name), ['Main', 'Van 🦀']);
});

test('request text reserves one byte per character, growing only for non-ASCII text', () => {
  const sb = new Stockbook({ actor: ADMIN });
  const reserved = [];
  const inputBuffer = StockbookCore.prototype.inputBuffer;
  StockbookCore.prototype.inputBuffer = function (capacity) {
    reserved.push(capacity);
    return inputBuffer.call(this, capacity);
  };
  try {
    const ascii = create('Bolt'.repeat(40), 'A1');
    assert.match(sb.executeJson(ascii), /^\{"ok":/);
    assert.deepEqual(reserved, [ascii.length]);
    reserved.length = 0;
    // Non-ASCII past the first reservation: one more, for what is left.
    const wide = create('Bolt ' + '東'.repeat(50) + ' 🦀', 'A2');
    const ok = sb.executeJson(wide);
    assert.equal(JSON.parse(ok).ok.name, 'Bolt ' + '東'.repeat(50) + ' 🦀');
    assert.equal(reserved.length, 2);
    assert.equal(reserved[0], wide.length);
    assert.ok(reserved[1] <= 3 * wide.length, String(reserved));
  } finally {
    StockbookCore.prototype.inputBuffer = inputBuffer;
  }
});

test('request text the memory cannot hold is refused, not a trap', () => {
  // No string is long enough to exhaust the memory for real (V8 caps them
  // near 2^29 characters); the binding itself is asked for more than 4 GiB
  // minus one byte, which it cannot reserve.
  const core = new StockbookCore();
  assert.equal(core.inputBuffer(2 ** 32 - 1), 0);
  const list = JSON.stringify({ cmd: 'list_locations', actor: ADMIN });
  const len = new TextEncoder().encodeInto(list, new Uint8Array(StockbookCore.wasmMemory().buffer, core.inputBuffer(list.length), list.length)).written;
  assert.equal(core.executeInput(len), '{"ok":[{"id":1,"name":"Main"}],"events":[]}');
  core.free();
  // The wrapper answers such a failure `invalid_request`.
  const sb = new Stockbook({ actor: ADMIN });
  const inputBuffer = StockbookCore.prototype.inputBuffer;
  StockbookCore.prototype.inputBuffer = function (capacity) {
    return inputBuffer.call(this, capacity > 1000 ? 2 ** 32 - 1 : capacity);
  };
  try {
    const big = create('x'.repeat(2000), 'BIG');
    assert.match(sb.executeJson(big), /^\{"error":\{"code":"invalid_request","message":"invalid request: request text of \d+ characters does not fit in the module's memory"/);
    assert.equal(sb.execute(JSON.parse(big)).error.code, 'invalid_request');
  } finally {
    StockbookCore.prototype.inputBuffer = inputBuffer;
  }
  assert.equal(sb.trapped, false);
  assert.deepEqual(sb.listLocations(), [{ id: 1, name: 'Main' }]);
});
