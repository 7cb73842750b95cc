// An edge worker that validates a delivery before anyone touches the server:
// POST a snapshot of the server's state (or just the part with the purchase
// order), the purchase order and the receipt; the answer is exactly what the
// server would answer to receiving it: `{ok: PoView}` (the PO as it would
// become) or `{error}` (`over_receipt` with line, outstanding, requested...).
// Nothing is stored; every request starts from the snapshot it carries.
//
// The handler has the standard shape `fetch(Request) -> Response`, so it runs
// as a Cloudflare/Deno/Bun worker or in Node 18+ unchanged. In a real worker,
// import from the package name ('stockbook-wasm') and let the bundler provide
// the .wasm; here it imports the built package of this repository.
//
//   POST /  {"snapshot": <exportSnapshot() text or object>,
//            "purchase_order": <id, {id}, or a PoView>,
//            "receipt": {"lines": [{"line_no": 1, "quantity": "4"}], ...},
//            "now": "2026-03-05T14:00:00Z"            (optional, default: now)
//            "actor": {"id": ..., "permissions": [...]} (optional)}
//   200 {ok, events}   the receipt is fine
//   422 {error}        the server would refuse it (or the snapshot is bad)
//   400 {error}        the body is not such a JSON object
//   405                anything but POST

import { init, Stockbook, StockbookError } from '../pkg/stockbook.js';

let ready = null;

function json(status, body) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** A transport-level refusal (no rule is involved), in the protocol's error shape. */
function badRequest(reason) {
  return json(400, { error: { code: 'invalid_request', message: `invalid request: ${reason}`, details: { reason } } });
}

export async function fetch(request) {
  if (request.method !== 'POST') {
    return new Response('POST a JSON body\n', { status: 405, headers: { allow: 'POST' } });
  }
  ready ??= init();
  await ready;
  let body;
  try {
    body = await request.json();
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
    sb = Stockbook.fromSnapshot(body.snapshot);
  } catch (e) {
    if (e instanceof StockbookError) return json(422, { error: { code: e.code, message: e.message, details: e.details } });
    throw e;
  }
  try {
    const options = {};
    if (body.now !== undefined) options.now = body.now;
    if (body.actor !== undefined) options.actor = body.actor;
    const answer = sb.validateReceipt(body.purchase_order, body.receipt, options);
    return json('error' in answer ? 422 : 200, answer);
  } finally {
    sb.free();
  }
}

export default { fetch };
