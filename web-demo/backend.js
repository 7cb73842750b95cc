// Where the page's answers come from. Two backends speak the same protocol:
//
// - ServerBackend: `stockbook serve` over HTTP (bearer token from the URL
//   fragment `#token=...`, kept in sessionStorage). When a receipt screen
//   opens it loads a MIRROR of that PO: what validating its receipts reads
//   (GET /api/snapshot?purchase_order=ID: the PO, its products and their
//   stock, the locations and settings; a few KB whatever the database's
//   size) into the wasm engine, on which receipts are validated while the
//   clerk types — the server's own rules, in the browser, without a request.
//   Permission dry runs read no records (the engine checks the permission
//   first), so they run on an empty engine.
// - LocalBackend: no server at all. The wasm engine IS the store; its snapshot
//   is saved to localStorage after every change and loaded on the next visit.
//   A new browser store gets the same demo data as a new server database
//   (demo-seed.json).
//
// No rule lives here: every answer, refusal and validation comes from the
// engine (native on the server, wasm in the browser).

import { init, Stockbook } from './pkg/stockbook.js';

const STORAGE_KEY = 'stockbook.offline.snapshot.v1';
const CLERK = {
  id: 'browser-clerk',
  permissions: ['inventory.read', 'inventory.write', 'purchasing.write', 'purchasing.receive', 'sales.write'],
};

/** A refusal, carrying the protocol error. */
export class Refusal extends Error {
  constructor(error) {
    super(error.message);
    this.code = error.code;
    this.details = error.details;
  }
}

function unwrap(answer) {
  if (answer && answer.error) throw new Refusal(answer.error);
  return answer.ok;
}

/** Events (low-stock alerts) the last answers carried, until `takeEvents` hands them over. */
class Events {
  constructor() { this.pending = []; }
  keep(answer) { if (Array.isArray(answer?.events)) this.pending.push(...answer.events); }
  take() { const e = this.pending; this.pending = []; return e; }
}

/** The permission a dry-run answer says is missing, or null. */
function deniedBy(answer) {
  return answer?.error?.code === 'forbidden' ? (answer.error.details?.permission ?? answer.error.message) : null;
}

let wasmReady = null;
function loadWasm() {
  wasmReady ??= init();
  return wasmReady;
}

export class ServerBackend {
  constructor(token) {
    this.token = token;
    this.mode = 'server';
    /** The wasm engine holding the mirror of PO `mirrorOf` (null: none loaded). */
    this.mirror = null;
    this.mirrorOf = null;
    /** An empty wasm engine: permission dry runs need no records. */
    this.engine = null;
    /** The host-only routes (`"GET /api/packing-slips/zip"`...) the token may call, as `GET /api/me` says. */
    this.hostRoutes = [];
    this.events = new Events();
    this.reachable = true;
  }

  async #fetch(method, path, body, headers = {}) {
    const res = await this.#send(method, path, body === undefined ? undefined : JSON.stringify(body),
      { 'content-type': 'application/json', ...headers }, body?.cmd && !body.idempotency_key && !headers['idempotency-key']);
    return this.#json(res);
  }

  /**
   * One HTTP request; a request that got no answer, or a token the server
   * no longer knows, is a Refusal saying so. `unkeyed`: a change sent
   * without an idempotency key (its retry would not be recognised).
   */
  async #send(method, path, body, headers, unkeyed = false) {
    let res;
    try {
      res = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...headers },
        body,
      });
      this.#reached(true);
    } catch {
      this.#reached(false);
      // No answer at all (server stopped, network down): whether a change
      // was applied is unknown. Changes carry an idempotency key, so sending
      // the same one again is safe.
      throw new Refusal({
        code: 'unreachable',
        message: method === 'GET' || method === 'HEAD' || unkeyed
          ? 'the server could not be reached; try again when it is back'
          : 'the server could not be reached, so whether the change was made is not known; try again when it is back: the same change is never made twice',
        details: {},
      });
    }
    if (res.status === 401) {
      throw new Refusal({
        code: 'unauthorized',
        message: 'this sign-in is no longer valid (the token was revoked, or the server restarted and printed a new link): open the page with the new link',
        details: {},
      });
    }
    return res;
  }

  /**
   * Whether the last request got an answer; `onReachable(up)` (set by the
   * page) hears each change, so the page never says "Online" while nothing
   * answers.
   */
  #reached(up) {
    if (this.reachable === up) return;
    this.reachable = up;
    this.onReachable?.(up);
  }

  /** The protocol answer of `res`: its `ok`, or its error as a Refusal. */
  async #json(res) {
    let answer;
    try {
      answer = await res.json();
    } catch {
      throw new Refusal({ code: 'unavailable', message: `server answered ${res.status}`, details: {} });
    }
    this.events.keep(answer);
    return unwrap(answer);
  }

  /** A file the server answered: `{blob, name}` (the name from Content-Disposition), or its refusal. */
  async #file(res) {
    if (!res.ok) return this.#json(res);
    const name = /filename="([^"]*)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
    return { blob: await res.blob(), name };
  }

  /**
   * The stored name of PO `id`'s packing slip, or null when it has none.
   * A HEAD request: the name without the file.
   */
  async slipName(id) {
    const path = `/api/purchase-orders/${id}/packing-slip`;
    const res = await this.#send('HEAD', path, undefined, {});
    if (res.status === 404) return null;
    if (res.ok) return /filename="([^"]*)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '';
    // A HEAD answer has no body: the refusal's words come with a GET.
    return this.#json(await this.#send('GET', path, undefined, {}));
  }

  /**
   * Attaches `file` (a File or Blob: PDF, PNG or JPEG) as PO `id`'s packing
   * slip, replacing the one it has. The server checks the type (by its
   * bytes) and the size; the answer is the stored slip (`file_name`...).
   */
  async attachSlip(id, file, idempotencyKey = undefined) {
    const res = await this.#send('PUT', `/api/purchase-orders/${id}/packing-slip`, file, {
      'content-type': file.type || 'application/octet-stream',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    });
    return this.#json(res);
  }

  /** PO `id`'s packing slip: `{blob, name}`. */
  async slip(id) {
    return this.#file(await this.#send('GET', `/api/purchase-orders/${id}/packing-slip`, undefined, {}));
  }

  /** Every packing slip of `year` as one ZIP (admin): `{blob, name}`. */
  async slipsZip(year) {
    return this.#file(await this.#send('GET', `/api/packing-slips/zip?year=${encodeURIComponent(year)}`, undefined, {}));
  }

  /** Low-stock alerts the changes raised since the last call. */
  takeEvents() {
    return this.events.take();
  }

  /** The server's alert outbox: pending alerts (`all`: acknowledged ones too). */
  alerts(all = false) {
    return this.#fetch('GET', `/api/alerts${all ? '?all=true' : ''}`);
  }

  ackAlert(id) {
    return this.#fetch('POST', `/api/alerts/${id}/ack`);
  }

  /** Who the token speaks for (also proves the server is there). */
  async me() {
    const me = await this.#fetch('GET', '/api/me');
    // Receipts are checked in the browser as this very actor, so a clerk
    // without `purchasing.receive` hears `forbidden` before sending.
    this.actor = { id: me.actor, permissions: me.permissions };
    this.hostRoutes = me.host_routes ?? [];
    return me;
  }

  /** Whether the server lets this token call the host-only route `route` (`"GET /api/packing-slips/zip"`). */
  mayCall(route) {
    return this.hostRoutes.includes(route);
  }

  /** Loads the wasm module and the empty engine permission dry runs run on. */
  async open() {
    await loadWasm();
    this.engine ??= new Stockbook();
  }

  /** Any protocol command; the server adds the actor and `now`. */
  call(cmd, args = {}, idempotencyKey = undefined) {
    return this.#fetch('POST', '/api/commands', { cmd, args, ...(idempotencyKey ? { idempotency_key: idempotencyKey } : {}) });
  }

  /** Receiving goes through its REST route (visible as such in the server's request log). */
  async receive(id, receipt, idempotencyKey = undefined) {
    return this.#fetch('POST', `/api/purchase-orders/${id}/receive`, receipt,
      idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  }

  /**
   * A change; `idempotencyKey` makes a retry of the same change harmless
   * (RULES 7a). No mirror is refreshed here: the screen the change shows
   * next loads what it needs (a receipt screen, its PO's mirror).
   */
  change(cmd, args, idempotencyKey = undefined) {
    return this.call(cmd, args, idempotencyKey);
  }

  /**
   * Loads the mirror of PO `id` as the server has it now (called each time
   * its receipt screen opens, so after every change too): the records
   * validating its receipts reads, never the whole database.
   */
  async receiptMirror(id) {
    this.wanted = id;
    const [snapshot] = await Promise.all([
      this.#fetch('GET', `/api/snapshot?purchase_order=${encodeURIComponent(id)}`), loadWasm()]);
    // A PO opened after this one asked for its mirror meanwhile: that one is kept.
    if (this.wanted !== id) return;
    const mirror = Stockbook.fromSnapshot(snapshot);
    this.mirror?.free();
    this.mirror = mirror;
    this.mirrorOf = id;
  }

  /** The server's answer to this receipt, computed in the browser on the PO's mirror. */
  validateReceipt(id, receipt) {
    if (this.mirrorOf !== id) throw new Error(`no mirror of purchase order ${id}: call receiptMirror(${id}) first`);
    return this.mirror.validateReceipt(id, receipt, this.actor ? { actor: this.actor } : undefined);
  }

  /**
   * The permission this token lacks for `cmd` on `args`, asked of the engine
   * (a dry run as this very actor), or null when it has it. The engine
   * checks the permission before it reads anything, so the dry run runs on
   * an empty engine: the same answer as on the server's records.
   */
  missingPermission(cmd, args) {
    if (!this.engine || !this.actor) return null;
    return deniedBy(this.engine.dryRun({ cmd, actor: this.actor, now: new Date().toISOString(), args }));
  }
}

export class LocalBackend {
  constructor() {
    this.mode = 'offline';
    this.sb = null;
    this.events = new Events();
  }

  async open() {
    await loadWasm();
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved) {
      try {
        this.sb = Stockbook.fromSnapshot(saved);
        return;
      } catch (e) {
        console.warn('the saved offline state could not be loaded; starting over', e);
      }
    }
    this.sb = new Stockbook({ actor: CLERK });
    const seed = await (await fetch('./demo-seed.json')).json();
    for (const r of seed.requests) {
      unwrap(this.sb.execute({ cmd: r.cmd, actor: { id: 'demo-seed', permissions: ['admin'] }, now: new Date().toISOString(), args: r.args }));
    }
    this.#save();
  }

  #save() {
    localStorage.setItem(STORAGE_KEY, this.sb.exportSnapshot());
  }

  me() {
    return { actor: CLERK.id, permissions: CLERK.permissions };
  }

  call(cmd, args = {}, idempotencyKey = undefined) {
    const request = { cmd, actor: CLERK, now: new Date().toISOString(), args };
    if (idempotencyKey) request.idempotency_key = idempotencyKey;
    const answer = this.sb.execute(request);
    this.events.keep(answer);
    return unwrap(answer);
  }

  takeEvents() {
    return this.events.take();
  }

  change(cmd, args, idempotencyKey = undefined) {
    const result = this.call(cmd, args, idempotencyKey);
    this.#save();
    return result;
  }

  receive(id, receipt, idempotencyKey = undefined) {
    return this.change('receive_purchase_order', { ...receipt, id }, idempotencyKey);
  }

  validateReceipt(id, receipt) {
    return this.sb.validateReceipt(id, receipt, { actor: CLERK });
  }

  missingPermission(cmd, args) {
    return deniedBy(this.sb.dryRun({ cmd, actor: CLERK, now: new Date().toISOString(), args }));
  }

  /** Forgets the browser's state (the next load seeds again). */
  static reset() {
    localStorage.removeItem(STORAGE_KEY);
  }
}

/** Picks the backend: the server when a token works, else the browser alone. */
export async function connect() {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromUrl = params.get('token');
  if (fromUrl) {
    sessionStorage.setItem('stockbook.token', fromUrl);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = sessionStorage.getItem('stockbook.token');
  const forceOffline = new URLSearchParams(location.search).has('offline');
  if (token && !forceOffline) {
    const server = new ServerBackend(token);
    try {
      await Promise.all([server.me(), server.open()]);
      return server;
    } catch (e) {
      // The server answered but refused the token (revoked, or the server
      // restarted and made a new one): working offline on demo data would
      // pass for working on the real books. Say so and stop.
      if (e instanceof Refusal && e.code !== 'unreachable' && e.code !== 'unavailable') throw e;
      console.warn('server not reachable, working offline', e);
      const local = new LocalBackend();
      local.fallback = e;
      await local.open();
      return local;
    }
  }
  const local = new LocalBackend();
  await local.open();
  return local;
}
