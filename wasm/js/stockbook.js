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
/** The core's command names and error codes, read once at init: the static lists never enter a (possibly dead) instance. */
let commandNameList = [];
let errorCodeList = [];

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
  for (const cmd of commandNameList) {
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

/** A lone surrogate: a UTF-16 code unit that UTF-8 cannot carry. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` with each lone surrogate written as the JSON escape `\udXXX`, which
 * is what `JSON.stringify` writes for one: a JS string with a lone surrogate
 * reaches the core the same way whether it came as an object (`execute`) or
 * as text (`executeJson`), and the core refuses both alike. Without this,
 * encoding the text as UTF-8 would silently turn it into U+FFFD. Well-formed
 * text (all text but such strings) is left as it is.
 */
function wellFormed(text) {
  const ok = typeof text.isWellFormed === 'function' ? text.isWellFormed() : !text.match(LONE_SURROGATE);
  if (ok) return text;
  return text.replace(LONE_SURROGATE, (c) => '\\u' + c.charCodeAt(0).toString(16));
}

/**
 * The address of `capacity` bytes of the instance's input buffer (bytes
 * already written there are kept), with `memoryBytes` viewing the current
 * memory; 0 when the module's memory cannot hold them.
 */
function reserve(core, capacity) {
  const at = core.inputBuffer(capacity);
  if (at !== 0 && at + capacity > memoryBytes.byteLength) {
    // The memory grew (which detaches the old view) or was replaced.
    memoryBytes = new Uint8Array(StockbookCore.wasmMemory().buffer);
  }
  return at;
}

/** The refusal of request text that does not fit in the module's memory. */
function tooLarge(text) {
  return StockbookCore.refusal(`request text of ${text.length} characters does not fit in the module's memory`);
}

/**
 * Executes well-formed request text on `core`: encodes it straight into the
 * module's input buffer (`encodeInto`, no per-character copy, no allocation
 * per request; see `inputBuffer` in wasm/src/bindings) and answers JSON text.
 * The buffer is reserved at one byte per UTF-16 code unit, which holds ASCII
 * text whole; only when `encodeInto` stops early (non-ASCII) does it grow, by
 * at most 3 bytes per code unit left. Text the memory cannot hold is refused
 * (`invalid_request`), not a trap. Anything but a string goes to
 * `executeJson`, which answers its refusal.
 */
function executeText(core, text) {
  if (typeof text !== 'string') return core.executeJson(text);
  let capacity = text.length;
  let at = reserve(core, capacity);
  if (at === 0) return tooLarge(text);
  let { read, written } = encoder.encodeInto(text, memoryBytes.subarray(at, at + capacity));
  if (read < text.length) {
    capacity = written + 3 * (text.length - read);
    at = reserve(core, capacity);
    if (at === 0) return tooLarge(text);
    written += encoder.encodeInto(text.substring(read), memoryBytes.subarray(at + written, at + capacity)).written;
  }
  return core.executeInput(written);
}

/**
 * The JSON text of a request object, made here exactly once: the text that
 * runs is the text the trap journal keeps (a getter or `toJSON` is read
 * once). Answers `[text, null]`, or `[null, reason]` for a value that is no
 * request object or that JSON cannot carry (a cycle, a BigInt, a throwing
 * getter, a revoked Proxy, nesting too deep for the stack).
 */
function requestJson(request) {
  let isObject;
  try {
    isObject = request !== null && typeof request === 'object' && !Array.isArray(request);
  } catch {
    isObject = false; // Array.isArray throws on a revoked Proxy
  }
  if (!isObject) return [null, 'a request is a JSON object'];
  let text;
  try {
    text = JSON.stringify(request);
  } catch {
    text = undefined;
  }
  return typeof text === 'string' ? [wellFormed(text), null] : [null, 'the request cannot be turned into JSON'];
}

function loaded() {
  commandNameList = StockbookCore.commandNames();
  errorCodeList = StockbookCore.errorCodes();
  installTypedMethods();
  ready = true;
}

/** Replaces a dead wasm instance with a fresh one (once for all Stockbooks). */
function replaceDeadInstance() {
  if (!instanceDead) return;
  resetWasmState();
  // The new instance has a new memory; the old view must not be written.
  memoryBytes = new Uint8Array(0);
  instanceDead = false;
  generation += 1;
}

/**
 * In Node, the file `source` names (a `file:` URL, as a URL or a string, or
 * a path that is no URL), or null when it names none (bytes, a Response, an
 * http(s) URL...).
 */
function nodeFile(source) {
  if (source instanceof URL) return source.protocol === 'file:' ? source : null;
  if (typeof source !== 'string') return null;
  let url = null;
  try {
    url = new URL(source);
  } catch {
    return source; // no URL: a path
  }
  // `C:\x.wasm` parses as a URL with protocol `c:`: a Windows path.
  if (url.protocol === 'file:') return url;
  return /^[a-z]:$/i.test(url.protocol) ? source : null;
}

/**
 * Loads the wasm module. Call once before creating a `Stockbook`. Without an
 * argument it loads the `.wasm` next to this file (fetch in browsers, the file
 * system in Node); otherwise give a URL, a Response, bytes or a compiled
 * `WebAssembly.Module` (in Node, a `file:` URL or a path is read from disk).
 */
export async function init(source) {
  if (ready) return;
  if (isNode()) {
    // Node's `fetch` reads no files: the default `.wasm`, a `file:` URL
    // (a URL or a string) and a plain path are read from the file system.
    const file = source === undefined ? new URL('./stockbook_wasm_bg.wasm', import.meta.url) : nodeFile(source);
    if (file !== null) {
      const { readFile } = await import(/* webpackIgnore: true */ 'node:fs/promises');
      source = await readFile(file);
    }
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

/**
 * Hands `event` to `onEvent`. What the handler throws is reported as an
 * event listener's error is (`reportError`, or thrown from a microtask),
 * not thrown from the call: the change is already applied, and a caller who
 * saw it fail might apply it again; the other events are still delivered.
 */
function deliver(onEvent, event) {
  try {
    onEvent(event);
  } catch (e) {
    if (typeof globalThis.reportError === 'function') {
      globalThis.reportError(e);
    } else {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

function usedAfterFree() {
  return new Error('Stockbook: used after free()');
}

function toError(answer) {
  const e = answer.error;
  return new StockbookError(e.code, e.message, e.details);
}

/**
 * The clock's time as text. What is no valid Date goes as its text (an
 * invalid Date as `Invalid Date`), for the core to refuse (`invalid_field`,
 * field `now`) like any other bad time.
 */
function isoNow(clock) {
  return isoTime(clock());
}

function isoTime(t) {
  return t instanceof Date && !Number.isNaN(t.getTime()) ? t.toISOString() : String(t);
}

/**
 * The `now` of a call: `options.now` (a `Date` as RFC 3339 text, anything
 * else as given, for the core to check), or the clock's time.
 */
function callTime(now, clock) {
  if (now === undefined || now === null) return isoNow(clock);
  return now instanceof Date ? isoTime(now) : now;
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
  /** `free()` was called: the core is gone, no call may enter it. */
  #freed = false;

  /**
   * After a trap (until some Stockbook's `recover()`), constructing one with
   * `autoRecover: true` replaces the dead instance first; without it, it
   * throws `StockbookTrapError` (the dead instance is never entered).
   */
  constructor(options) {
    if (!ready) throw new Error('Stockbook: call `await init()` first');
    options ??= {};
    this.#actor = options.actor;
    this.#clock = options.clock ?? (() => new Date());
    this.#onEvent = options.onEvent;
    this.#autoRecover = options.autoRecover === true;
    if (instanceDead) {
      if (!this.#autoRecover) {
        throw new StockbookTrapError(
          'Stockbook: the wasm instance trapped; call recover() on a Stockbook, or construct with autoRecover: true',
        );
      }
      replaceDeadInstance();
    }
    this.#core = new StockbookCore();
    this.#gen = generation;
    this.#sync();
  }

  /** A Stockbook holding a snapshot (JSON text or object); throws `StockbookError`. */
  static fromSnapshot(snapshot, options) {
    const sb = new Stockbook(options);
    try {
      sb.importSnapshot(snapshot);
    } catch (e) {
      sb.free();
      throw e;
    }
    return sb;
  }

  /** Names of every command this build knows (the core's list, read at init). */
  static commandNames() {
    return commandNameList.slice();
  }

  /** Every error code the core can answer (read at init). */
  static errorCodes() {
    return errorCodeList.slice();
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
    if (this.#freed) throw usedAfterFree();
    replaceDeadInstance();
    if (this.#gen === generation) return;
    let core;
    try {
      core = this.#checkpoint === null ? new StockbookCore() : StockbookCore.fromSnapshot(this.#checkpoint);
      for (const request of this.#journal) {
        const answer = core.executeJson(request);
        if (!answer.startsWith('{"ok":')) {
          core.free();
          throw new StockbookTrapError(`recover: a journaled change no longer applies: ${answer}`);
        }
      }
    } catch (cause) {
      if (cause instanceof StockbookTrapError) throw cause;
      // The rebuild itself trapped: the new instance is dead too.
      instanceDead = true;
      throw new StockbookTrapError('Stockbook: the wasm instance trapped again while rebuilding', cause);
    }
    this.#core = core;
    this.#gen = generation;
    this.#sync();
  }

  /**
   * The live core. After a trap (this Stockbook's or another's) it rebuilds
   * first with `autoRecover`, and otherwise throws `StockbookTrapError`.
   */
  #live() {
    // A freed core's pointer is null: entering it would trap the instance
    // every Stockbook shares, for a mistake of this one.
    if (this.#freed) throw usedAfterFree();
    if (this.trapped) {
      if (!this.#autoRecover) {
        throw new StockbookTrapError('Stockbook: the wasm instance trapped; call recover()');
      }
      this.recover();
    }
    return this.#core;
  }

  /**
   * Marks the instance dead after an exception out of it (the core answers
   * every input, refusals included, so an exception means it trapped) and
   * returns the error to throw. With `autoRecover` it rebuilds first; if the
   * rebuild fails, the next call tries again.
   */
  #trap(cause) {
    instanceDead = true;
    let rebuilt = false;
    if (this.#autoRecover) {
      try {
        this.recover();
        rebuilt = true;
      } catch {
        // Still trapped: reported by this error, retried by the next call.
      }
    }
    return new StockbookTrapError(
      'Stockbook: the wasm instance trapped' + (rebuilt ? ' and was rebuilt' : '; call recover()'),
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
    // Stringified once, here: what runs is what is journaled.
    const [text, refused] = requestJson(request);
    const answer = text === null ? this.#enter(() => StockbookCore.refusal(refused)) : this.#run(core, text);
    return JSON.parse(answer);
  }

  /**
   * Executes JSON text, answering JSON text byte for byte as the native
   * library. A lone surrogate in the text is refused as in `execute` (see
   * `wellFormed`).
   */
  executeJson(request) {
    const core = this.#live();
    return this.#run(core, typeof request === 'string' ? wellFormed(request) : request);
  }

  /** Runs request text on the live `core`, journaling it when it changed the store. */
  #run(core, text) {
    try {
      const answer = executeText(core, text);
      if (this.#moved(core)) this.#record(core, text);
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
  validateReceipt(purchaseOrder, receipt, options) {
    const actor = options?.actor ?? null;
    const now = callTime(options?.now, this.#clock);
    return this.#enter((core) => core.validateReceipt(purchaseOrder, receipt, actor, now));
  }

  /** The whole state as snapshot JSON text (also becomes the rebuild checkpoint). */
  exportSnapshot() {
    return this.#enter((core) => {
      this.#checkpointNow(core);
      return this.#checkpoint;
    });
  }

  /**
   * Replaces the state with a snapshot (JSON text or object); throws
   * `StockbookError`: `invalid_request` when an object cannot be turned into
   * JSON, `invalid_field` (field `snapshot`) when it is not a snapshot.
   */
  importSnapshot(snapshot) {
    // An object is stringified once, here: the text imported is the checkpoint.
    let text = snapshot;
    if (typeof snapshot === 'string') {
      text = wellFormed(snapshot);
    } else if (snapshot !== null && typeof snapshot === 'object') {
      try {
        text = JSON.stringify(snapshot);
      } catch {
        text = undefined;
      }
      if (typeof text !== 'string') {
        const refusal = this.#enter(() => StockbookCore.refusal('snapshot cannot be turned into JSON'));
        throw toError(JSON.parse(refusal));
      }
    }
    // Anything else is refused by the core (`invalid_field`).
    const answer = this.#enter((core) => core.importSnapshot(text));
    if ('error' in answer) throw toError(answer);
    this.#checkpoint = text;
    this.#journal = [];
    this.#journalBytes = 0;
    this.#sync();
  }

  /** Number of movements in the ledger. */
  ledgerLength() {
    return this.#enter((core) => core.ledgerLength());
  }

  /**
   * Frees the wasm memory of this Stockbook. Every later call on it throws an
   * `Error` (no other Stockbook is affected); a second `free()` does nothing.
   */
  free() {
    if (this.#freed) return;
    this.#freed = true;
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
  typed(cmd, args, options) {
    options ??= {};
    const request = {
      cmd,
      actor: options.actor ?? this.#actor,
      now: callTime(options.now, this.#clock),
      args: args ?? {},
    };
    if (options.idempotencyKey !== undefined) request.idempotency_key = options.idempotencyKey;
    const answer = this.execute(request);
    if ('error' in answer) throw toError(answer);
    if (this.#onEvent) for (const e of answer.events) deliver(this.#onEvent, e);
    return answer.ok;
  }
}
