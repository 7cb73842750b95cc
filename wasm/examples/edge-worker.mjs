// An edge worker that validates a delivery before anyone touches the server:
// POST a snapshot of the server's state (or just the part with the purchase
// order), the purchase order and the receipt; the answer is exactly what the
// server would answer to receiving it: `{ok: PoView}` (the PO as it would
// become) or `{error}` (`over_receipt` with line, outstanding, requested...).
// Nothing is stored; every request starts from the snapshot it carries.
//
// The handler has the standard shape `fetch(Request) -> Response`, so it runs
// as a Cloudflare/Deno/Bun worker or in Node 20+ unchanged. In a real worker,
// import from the package name ('stockbook-wasm') and hand `init` the module
// the platform provides where it cannot fetch a file next to the script, e.g.
// on Cloudflare:
//   import * as pkg from 'stockbook-wasm';
//   import wasm from 'stockbook-wasm/stockbook_wasm_bg.wasm';
//   export default createWorker({ ...pkg, init: () => pkg.init(wasm) });
// Here it imports the built package of this repository.
//
//   POST /  {"snapshot": <exportSnapshot() text or object>,
//            "purchase_order": <id, {id}, or a PoView>,
//            "receipt": {"lines": [{"line_no": 1, "quantity": "4"}], ...},
//            "now": "2026-03-05T14:00:00Z"            (optional, default: now)
//            "actor": {"id": ..., "permissions": [...]} (optional)}
//   200 {ok, events}   the receipt is fine
//   422 {error}        the server would refuse it (or the snapshot is bad)
//   400 {error}        the body is not such a JSON object
//   405 {error}        anything but POST (with `Allow: POST`)
//   413 {error}        a body over `maxBodyBytes` (default 32 MiB; not read
//                      past the limit)
//   500 {error}        the wasm instance trapped (a bug in the module,
//                      `code: "trapped"`); the next request runs on a fresh one
//   503 {error}        the module could not be loaded (`code: "unavailable"`);
//                      the next request tries again
// Every error body is the protocol's `{error: {code, message, details}}`.
//
// A trap anywhere in the isolate kills the one wasm instance every Stockbook
// shares. The worker builds each Stockbook with `autoRecover: true`: a
// Stockbook made after a trap replaces the dead instance, and one that traps
// itself is rebuilt before its call throws, so a trap costs one request, not
// the isolate.

import * as stockbook from '../pkg/stockbook.js';

function json(status, body) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** A transport-level refusal (no rule is involved), in the protocol's error shape. */
function badRequest(reason, status = 400, headers = {}) {
  const res = json(status, { error: { code: 'invalid_request', message: `invalid request: ${reason}`, details: { reason } } });
  for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
  return res;
}

/** Bodies larger than this are refused (413) unread: a snapshot of a large store is a few MiB. */
export const MAX_BODY_BYTES = 32 << 20;

/**
 * The body as text, or null when it is larger than `limit` bytes: refused by
 * its declared length, or while it streams in, so a huge body is never held.
 */
async function bodyText(request, limit) {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return null;
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * The worker over a loaded or loadable package (`init`, `Stockbook`,
 * `StockbookError`, `StockbookTrapError`); the default export runs it over
 * this repository's build. Tests give it the test-trap build.
 * `options.maxBodyBytes`: the largest body read (default `MAX_BODY_BYTES`).
 */
export function createWorker({ init, Stockbook, StockbookError, StockbookTrapError } = stockbook, options = {}) {
  const maxBodyBytes = options?.maxBodyBytes ?? MAX_BODY_BYTES;
  let ready = null;

  /** The protocol's error answer of a refusal or trap, with `status`. */
  function errorAnswer(status, e) {
    return json(status, { error: { code: e.code, message: e.message, details: e.details ?? null } });
  }

  async function fetch(request) {
    if (request.method !== 'POST') {
      return badRequest(`method ${request.method}: POST a JSON body`, 405, { allow: 'POST' });
    }
    try {
      ready ??= init();
      await ready;
    } catch (e) {
      ready = null; // a failed load is not kept: the next request tries again
      return json(503, { error: { code: 'unavailable', message: `the wasm module could not be loaded: ${e?.message ?? e}`, details: null } });
    }
    let text;
    try {
      text = await bodyText(request, maxBodyBytes);
    } catch {
      return badRequest('the body could not be read');
    }
    if (text === null) return badRequest(`the body is larger than ${maxBodyBytes} bytes`, 413);
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return badRequest('the body is not JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return badRequest('the body is a JSON object');
    }
    for (const field of ['snapshot', 'purchase_order', 'receipt']) {
      if (!(field in body)) return badRequest(`missing field \`${field}\``);
    }
    let sb;
    try {
      sb = Stockbook.fromSnapshot(body.snapshot, { autoRecover: true });
      const options = {};
      if (body.now !== undefined) options.now = body.now;
      if (body.actor !== undefined) options.actor = body.actor;
      const answer = sb.validateReceipt(body.purchase_order, body.receipt, options);
      return json('error' in answer ? 422 : 200, answer);
    } catch (e) {
      if (e instanceof StockbookError) return errorAnswer(422, e);
      if (e instanceof StockbookTrapError) return errorAnswer(500, e);
      throw e;
    } finally {
      sb?.free();
    }
  }

  return { fetch };
}

export default createWorker();
