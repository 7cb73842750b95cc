// Stockbook for JavaScript: the public surface of the wasm package.
//
// `Stockbook` wraps the wasm-bindgen class `StockbookCore` (wasm/src/bindings)
// and adds only what belongs on the JS side: typed methods that throw
// `StockbookError`, a default actor and clock, and the trap guard. No stock
// rule lives here; every answer comes from the core. docs/wasm.md documents
// the API, the error convention and the trap/rebuild behaviour.

import initWasm, {
  initSync as initWasmSync,
  StockbookCore,
  __wbg_reset_state as resetWasmState,
} from './stockbook_wasm.js';

/** A refusal of the core, carrying the protocol's stable `code` and `details`. */
export class StockbookError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = 'StockbookError';
    this.code = code;
    this.details = details;
  }
}

/** The wasm instance trapped (a bug); the Stockbook refuses calls until `recover()`. */
export class StockbookTrapError extends Error {
  constructor(message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StockbookTrapError';
    this.code = 'trapped';
  }
}

let ready = false;
/** The module's memory as bytes, for request text (see `executeText`); refreshed when it grew or the instance was replaced. */
let memoryBytes = new Uint8Array(0);
const encoder = new TextEncoder();
/** Bumped each time the wasm instance is replaced after a trap. */
let generation = 0;
/** The current wasm instance trapped and must not be entered again. */
let instanceDead = false;

function isNode() {
  return typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
}

/** `create_product` -> `createProduct`. */
export function methodName(command) {
  return command.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

/**
 * One typed method per command of the core (`createProduct`, `listMovements`,
 * ...), from the core's own command list, so a new command gets its method
 * without touching this file.
 */
function installTypedMethods() {
  for (const cmd of StockbookCore.commandNames()) {
    const name = methodName(cmd);
    if (Object.prototype.hasOwnProperty.call(Stockbook.prototype, name)) continue;
    Object.defineProperty(Stockbook.prototype, name, {
      value: function (args, options) {
        return this.typed(cmd, args, options);
      },
      writable: true,
      configurable: true,
    });
  }
}

/**
 * Executes request text on `core`: encodes it straight into the module's
 * input buffer (one `encodeInto`, no per-character copy, no allocation per
 * request; see `inputBuffer` in wasm/src/bindings) and answers JSON text.
 * Anything but a string goes to `executeJson`, which answers its refusal.
 */
function executeText(core, text) {
  if (typeof text !== 'string') return core.executeJson(text);
  // At most 3 UTF-8 bytes per UTF-16 code unit.
  const capacity = text.length * 3;
  const at = core.inputBuffer(capacity);
  if (memoryBytes.byteLength === 0 || at + capacity > memoryBytes.byteLength) {
    memoryBytes = new Uint8Array(StockbookCore.wasmMemory().buffer);
  }
  const { written } = encoder.encodeInto(text, memoryBytes.subarray(at, at + capacity));
  return core.executeInput(written);
}

function loaded() {
  installTypedMethods();
  ready = true;
}

/**
 * Loads the wasm module. Call once before creating a `Stockbook`. Without an
 * argument it loads the `.wasm` next to this file (fetch in browsers, the file
 * system in Node); otherwise give a URL, a Response, bytes or a compiled
 * `WebAssembly.Module`.
 */
export async function init(source) {
  if (ready) return;
  if (source === undefined && isNode()) {
    const { readFile } = await import(/* webpackIgnore: true */ 'node:fs/promises');
    source = await readFile(new URL('./stockbook_wasm_bg.wasm', import.meta.url));
  }
  if (source === undefined) {
    await initWasm({ module_or_path: new URL('./stockbook_wasm_bg.wasm', import.meta.url) });
  } else if (source instanceof WebAssembly.Module || ArrayBuffer.isView(source) || source instanceof ArrayBuffer) {
    initWasmSync({ module: source });
  } else {
    await initWasm({ module_or_path: source });
  }
  loaded();
}

/** Loads the wasm module synchronously from bytes or a compiled module. */
export function initSync(source) {
  if (ready) return;
  initWasmSync({ module: source });
  loaded();
}

/**
 * The journal is folded into a new checkpoint once its text outgrows both
 * JOURNAL_MIN_BYTES and JOURNAL_RATIO times the last checkpoint. Snapshots
 * then cost at most 1/JOURNAL_RATIO of a snapshot byte per journaled byte
 * (amortized; a snapshot costs about as much as executing its requests), the
 * journal holds at most that many times the state's size, and a rebuild
 * replays at most that much.
 */
const JOURNAL_MIN_BYTES = 1 << 20;
const JOURNAL_RATIO = 4;

function toError(answer) {
  const e = answer.error;
  return new StockbookError(e.code, e.message, e.details);
}

function isoNow(clock) {
  const t = clock();
  return t instanceof Date ? t.toISOString() : String(t);
}

/** The core and an in-memory store. */
export class Stockbook {
  #core;
  #gen;
  #actor;
  #clock;
  #onEvent;
  #autoRecover;
  /** Snapshot JSON the state can be rebuilt from (null: a fresh store). */
  #checkpoint = null;
  /** Request texts that changed the store since the checkpoint, in order. */
  #journal = [];
  /** Total length of the journal's texts. */
  #journalBytes = 0;
  /** The core's change count after the last request (see `#moved`). */
  #changes = 0;

  constructor(options = {}) {
    if (!ready) throw new Error('Stockbook: call `await init()` first');
    this.#actor = options.actor;
    this.#clock = options.clock ?? (() => new Date());
    this.#onEvent = options.onEvent;
    this.#autoRecover = options.autoRecover === true;
    this.#core = new StockbookCore();
    this.#gen = generation;
    this.#sync();
  }

  /** A Stockbook holding a snapshot (JSON text or object); throws `StockbookError`. */
  static fromSnapshot(snapshot, options = {}) {
    const sb = new Stockbook(options);
    sb.importSnapshot(snapshot);
    return sb;
  }

  /** Names of every command this build knows (the core's list). */
  static commandNames() {
    return StockbookCore.commandNames();
  }

  /** Every error code the core can answer. */
  static errorCodes() {
    return StockbookCore.errorCodes();
  }

  /** True after a trap, until `recover()`. */
  get trapped() {
    return instanceDead || this.#gen !== generation;
  }

  /**
   * Rebuilds after a trap: a fresh wasm instance (once for all Stockbooks),
   * then this Stockbook's state from its last checkpoint and the changes
   * applied since. Does nothing when not trapped.
   */
  recover() {
    if (instanceDead) {
      resetWasmState();
      // The new instance has a new memory; the old view must not be written.
      memoryBytes = new Uint8Array(0);
      instanceDead = false;
      generation += 1;
    }
    if (this.#gen === generation) return;
    const core = this.#checkpoint === null ? new StockbookCore() : StockbookCore.fromSnapshot(this.#checkpoint);
    for (const request of this.#journal) {
      const answer = core.executeJson(request);
      if (!answer.startsWith('{"ok":')) {
        throw new StockbookTrapError(`recover: a journaled change no longer applies: ${answer}`);
      }
    }
    this.#core = core;
    this.#gen = generation;
    this.#sync();
  }

  /** The live core; throws `StockbookTrapError` after a trap. */
  #live() {
    if (this.trapped) {
      throw new StockbookTrapError('Stockbook: the wasm instance trapped; call recover()');
    }
    return this.#core;
  }

  /**
   * Marks the instance dead after an exception out of it (the core answers
   * every input, refusals included, so an exception means it trapped) and
   * returns the error to throw.
   */
  #trap(cause) {
    instanceDead = true;
    if (this.#autoRecover) this.recover();
    return new StockbookTrapError(
      'Stockbook: the wasm instance trapped' + (this.#autoRecover ? ' and was rebuilt' : '; call recover()'),
      cause,
    );
  }

  /** Runs `f` on the live core, guarding against a trap. */
  #enter(f) {
    const core = this.#live();
    try {
      return f(core);
    } catch (cause) {
      throw this.#trap(cause);
    }
  }

  /** Takes the core's change count as seen (after a new core or an import). */
  #sync() {
    this.#changes = this.#core.changeCount();
  }

  /**
   * Whether the last request changed the store: the core's change count
   * moved. One call into the module, no closure: it runs on every request.
   */
  #moved(core) {
    const n = core.changeCount();
    if (n === this.#changes) return false;
    this.#changes = n;
    return true;
  }

  /** Journals a request that changed the store; checkpoints when the journal has grown enough. */
  #record(core, text) {
    this.#journal.push(text);
    this.#journalBytes += text.length;
    if (this.#journalBytes > Math.max(JOURNAL_MIN_BYTES, JOURNAL_RATIO * (this.#checkpoint?.length ?? 0))) {
      this.#checkpointNow(core);
    }
  }

  #checkpointNow(core) {
    this.#checkpoint = core.exportSnapshot();
    this.#journal = [];
    this.#journalBytes = 0;
  }

  /**
   * Executes a request object, answering the protocol's answer object:
   * `{ok, events}` or `{error: {code, message, details}}`. Refusals are
   * answers, never exceptions; only a trap throws (`StockbookTrapError`).
   */
  execute(request) {
    const core = this.#live();
    try {
      const answer = core.execute(request);
      if (this.#moved(core)) this.#record(core, JSON.stringify(request));
      return answer;
    } catch (cause) {
      throw this.#trap(cause);
    }
  }

  /** Executes JSON text, answering JSON text byte for byte as the native library. */
  executeJson(request) {
    const core = this.#live();
    try {
      const answer = executeText(core, request);
      if (this.#moved(core)) this.#record(core, request);
      return answer;
    } catch (cause) {
      throw this.#trap(cause);
    }
  }

  /** Answers a request as `execute` would, changing nothing. */
  dryRun(request) {
    return this.#enter((core) => core.dryRun(request));
  }

  /**
   * What the server would answer to `receipt` on `purchaseOrder` (an id, a
   * purchase order, or the answer of `getPurchaseOrder`): `{ok: PoView}` or
   * `{error}` (e.g. `over_receipt` with line, outstanding and requested).
   * Changes nothing; never throws a refusal.
   */
  validateReceipt(purchaseOrder, receipt, options = {}) {
    const actor = options.actor ?? null;
    const now = options.now ?? isoNow(this.#clock);
    return this.#enter((core) => core.validateReceipt(purchaseOrder, receipt, actor, now));
  }

  /** The whole state as snapshot JSON text (also becomes the rebuild checkpoint). */
  exportSnapshot() {
    return this.#enter((core) => {
      this.#checkpointNow(core);
      return this.#checkpoint;
    });
  }

  /** Replaces the state with a snapshot (JSON text or object); throws `StockbookError`. */
  importSnapshot(snapshot) {
    const answer = this.#enter((core) => core.importSnapshot(snapshot));
    if ('error' in answer) throw toError(answer);
    this.#checkpoint = typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot);
    this.#journal = [];
    this.#journalBytes = 0;
    this.#sync();
  }

  /** Number of movements in the ledger. */
  ledgerLength() {
    return this.#enter((core) => core.ledgerLength());
  }

  /** Frees the wasm memory of this Stockbook; it must not be used afterwards. */
  free() {
    if (!this.trapped) this.#core.free();
  }

  /** Test builds only (feature `test-trap`): traps the wasm instance. */
  forceTrapForTests() {
    if (typeof this.#core.forceTrap !== 'function') {
      throw new Error('forceTrapForTests: not a test-trap build');
    }
    this.#enter((core) => core.forceTrap());
  }

  /**
   * Runs command `cmd` with `args` as the Stockbook's actor at the clock's
   * time (both overridable in `options`); returns `ok`, throws
   * `StockbookError` on a refusal. The typed methods (`createProduct(args)`,
   * ...) call this.
   */
  typed(cmd, args, options = {}) {
    const request = {
      cmd,
      actor: options.actor ?? this.#actor,
      now: options.now ?? isoNow(this.#clock),
      args: args ?? {},
    };
    if (options.idempotencyKey !== undefined) request.idempotency_key = options.idempotencyKey;
    const answer = this.execute(request);
    if ('error' in answer) throw toError(answer);
    if (this.#onEvent) for (const e of answer.events) this.#onEvent(e);
    return answer.ok;
  }
}
