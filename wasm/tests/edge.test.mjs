// The edge example (wasm/examples/edge-worker.mjs) driven with real Request
// objects, as a worker runtime would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, loadPackage } from './helpers.mjs';

const { Stockbook } = await loadPackage();
const worker = (await import('../examples/edge-worker.mjs')).default;

/** The server side: a PO of 10 bolts, ordered; its state as a snapshot. */
function serverState() {
  let m = 0;
  const sb = new Stockbook({ actor: ADMIN, clock: () => new Date(Date.UTC(2026, 2, 2, 9, m++)) });
  sb.createSupplier({ name: 'Acme' });
  const bolt = sb.createProduct({ sku: 'BOLT', name: 'Bolt' });
  const po = sb.createPurchaseOrder({ supplier_id: 1, lines: [{ product_id: bolt.id, quantity: 10, unit_cost: '0.45' }] });
  sb.orderPurchaseOrder({ id: po.purchase_order.id });
  const view = sb.getPurchaseOrder({ id: po.purchase_order.id });
  return { sb, view, snapshot: sb.exportSnapshot() };
}

const post = (body) =>
  worker.fetch(new Request('https://edge.example/validate', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) }));

test('a good receipt answers exactly what the server answers', async () => {
  const { sb, view, snapshot } = serverState();
  const receipt = { lines: [{ line_no: 1, quantity: '4' }], packing_slip_number: 'PS-1' };
  const now = '2026-03-05T14:00:00Z';
  const res = await post({ snapshot, purchase_order: view, receipt, now });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  const answer = await res.json();
  assert.equal(answer.ok.purchase_order.status, 'partially_received');
  // The server, receiving the same receipt as the validator actor, answers the same.
  const server = sb.execute({
    cmd: 'receive_purchase_order',
    actor: { id: 'offline-validation', permissions: ['purchasing.receive'] },
    now,
    args: { id: view.purchase_order.id, ...receipt },
  });
  assert.deepEqual(answer, server);
});

test('an over-receipt is refused with its details', async () => {
  const { snapshot } = serverState();
  const res = await post({ snapshot: JSON.parse(snapshot), purchase_order: 1, receipt: { lines: [{ line_no: 1, quantity: 11 }] } });
  assert.equal(res.status, 422);
  const { error } = await res.json();
  assert.equal(error.code, 'over_receipt');
  assert.deepEqual(error.details, { line: 1, outstanding: '10', requested: '11' });
});

test('bad bodies are 400, bad snapshots and unknown POs 422, other methods 405', async () => {
  const { snapshot } = serverState();
  assert.equal((await post('{not json')).status, 400);
  assert.equal((await post([1, 2])).status, 400);
  const missing = await post({ snapshot });
  assert.equal(missing.status, 400);
  assert.equal((await missing.json()).error.code, 'invalid_request');
  const badSnap = await post({ snapshot: { format: 9 }, purchase_order: 1, receipt: { lines: [] } });
  assert.equal(badSnap.status, 422);
  assert.equal((await badSnap.json()).error.code, 'invalid_field');
  const unknown = await post({ snapshot, purchase_order: 99, receipt: { lines: [{ line_no: 1, quantity: 1 }] } });
  assert.equal(unknown.status, 422);
  assert.equal((await unknown.json()).error.code, 'not_found');
  const get = await worker.fetch(new Request('https://edge.example/validate'));
  assert.equal(get.status, 405);
});

test('after a trap in the isolate the worker rebuilds and answers on (test-trap build)', async () => {
  const trapPkg = await loadPackage('pkg-test');
  const { createWorker } = await import('../examples/edge-worker.mjs');
  const edge = createWorker(trapPkg);
  const { snapshot } = serverState();
  const body = JSON.stringify({ snapshot, purchase_order: 1, receipt: { lines: [{ line_no: 1, quantity: '4' }] }, now: '2026-03-05T14:00:00Z' });
  const send = () => edge.fetch(new Request('https://edge.example/validate', { method: 'POST', body }));
  const before = await (await send()).json();
  assert.equal(before.ok.purchase_order.status, 'partially_received');
  // Some other code in the isolate traps the one shared instance.
  assert.throws(() => new trapPkg.Stockbook().forceTrapForTests(), trapPkg.StockbookTrapError);
  for (let i = 0; i < 2; i++) {
    const res = await send();
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), before);
  }
});

test('other methods are 405 with Allow: POST and a JSON error', async () => {
  for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS']) {
    const res = await worker.fetch(new Request('https://edge.example/validate', { method }));
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.match(res.headers.get('content-type'), /application\/json/);
    assert.equal((await res.json()).error.code, 'invalid_request', method);
  }
});

test('a body over the limit is 413, refused by its length or while it streams in', async () => {
  const { createWorker } = await import('../examples/edge-worker.mjs');
  const edge = createWorker(undefined, { maxBodyBytes: 1000 });
  const { snapshot } = serverState(); // far over 1000 bytes
  const body = JSON.stringify({ snapshot, purchase_order: 1, receipt: { lines: [] } });
  const declared = await edge.fetch(new Request('https://edge.example/validate', { method: 'POST', body }));
  assert.equal(declared.status, 413);
  assert.equal((await declared.json()).error.code, 'invalid_request');
  // A stream has no declared length: it is cut off once past the limit.
  let pulled = 0;
  const endless = new ReadableStream({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new TextEncoder().encode(' '.repeat(600)));
    },
  });
  const streamed = await edge.fetch(new Request('https://edge.example/validate', { method: 'POST', body: endless, duplex: 'half' }));
  assert.equal(streamed.status, 413);
  assert.equal((await streamed.json()).error.code, 'invalid_request');
  assert.ok(pulled < 10, `read ${pulled} chunks of an endless body`);
  // Under the limit, a body is answered as usual.
  const small = await edge.fetch(new Request('https://edge.example/validate', { method: 'POST', body: '[]' }));
  assert.equal(small.status, 400);
});

test('a module that fails to load is 503 with a JSON error, and the next request loads it again', async () => {
  const { createWorker } = await import('../examples/edge-worker.mjs');
  const pkg = await loadPackage();
  let loads = 0;
  const flaky = {
    ...pkg,
    init: async () => {
      loads += 1;
      if (loads === 1) throw new Error('fetch failed');
    },
  };
  const edge = createWorker(flaky);
  const { snapshot } = serverState();
  const body = JSON.stringify({ snapshot, purchase_order: 1, receipt: { lines: [{ line_no: 1, quantity: '4' }] } });
  const send = () => edge.fetch(new Request('https://edge.example/validate', { method: 'POST', body }));
  const failed = await send();
  assert.equal(failed.status, 503);
  assert.equal((await failed.json()).error.code, 'unavailable');
  const next = await send();
  assert.equal(next.status, 200);
  assert.equal((await next.json()).ok.purchase_order.status, 'partially_received');
  assert.equal(loads, 2);
});
