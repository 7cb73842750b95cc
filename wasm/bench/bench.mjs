// The wasm budgets, measured side by side in one run (docs/benchmarks.md):
//
//   - size of the .wasm files after wasm-opt, raw and gzipped (<= 400 KB, <= 150 KB);
//   - instantiation in Node (<= 10 ms): the package's module from a compiled
//     WebAssembly.Module (what a page or worker that caches the compile pays),
//     and cold from bytes (compile + instantiate);
//   - JSON-path throughput (>= 40% of native): the same stock updates through
//     execute_json natively, in Node (executeJson), and under wasmtime
//     (host-native's bench-wasm binary, which also checks the answers agree).
//
// Run from the repository root after wasm/build.sh and
// `cargo build --release -p stockbook-native --bin bench-wasm`:
//
//   node wasm/bench/bench.mjs [N]          (N stock updates, default 20000)
//
// BENCH_ROUNDS (default 7) sets how many interleaved rounds the throughput
// medians are taken over.
//
// The binary is $BENCH_WASM_BIN, else $CARGO_TARGET_DIR/release/bench-wasm,
// else target/release/bench-wasm.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const WASM_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(WASM_DIR, '..');
const PKG = join(WASM_DIR, 'pkg');
const N = Number(process.argv[2] ?? 20000);
const BIN =
  process.env.BENCH_WASM_BIN ??
  join(process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target'), 'release', 'bench-wasm');
for (const [f, how] of [
  [join(PKG, 'stockbook_wasm_bg.wasm'), 'wasm/build.sh'],
  [join(PKG, 'stockbook_raw.wasm'), 'wasm/build.sh'],
  [BIN, 'cargo build --release -p stockbook-native --bin bench-wasm'],
]) {
  if (!existsSync(f)) throw new Error(`${f} is missing; build it with \`${how}\``);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- the workload: one product, then N manual stock updates ----
const actor = { id: 'bench', permissions: ['admin'] };
const t0 = Date.parse('2026-01-01T00:00:00Z');
const lines = [JSON.stringify({ cmd: 'create_product', actor, now: new Date(t0).toISOString(), args: { sku: 'B', name: 'Bolt', low_stock_threshold: 0 } })];
for (let i = 1; i <= N; i++) {
  const add = i % 2 === 1;
  lines.push(
    JSON.stringify({
      cmd: 'update_stock',
      actor,
      now: new Date(t0 + i * 1000).toISOString(),
      args: { product_id: 1, operation: add ? 'add' : 'subtract', quantity: add ? '5' : '3' },
    }),
  );
}
const dir = mkdtempSync(join(tmpdir(), 'stockbook-bench-'));
const file = join(dir, 'requests.jsonl');
writeFileSync(file, lines.join('\n') + '\n');

// ---- sizes ----
const size = (f) => {
  const b = readFileSync(f);
  return { bytes: b.length, gzip: gzipSync(b, { level: 9 }).length };
};
const sizes = { package: size(join(PKG, 'stockbook_wasm_bg.wasm')), raw: size(join(PKG, 'stockbook_raw.wasm')) };

// ---- instantiation in Node: a fresh copy of the glue each time ----
const bytes = readFileSync(join(PKG, 'stockbook_wasm_bg.wasm'));
const compiled = await WebAssembly.compile(bytes);
const glue = (i) => import(`${pathToFileURL(join(PKG, 'stockbook_wasm.js')).href}?copy=${i}`);
const fromModule = [];
const cold = [];
for (let i = 0; i < 15; i++) {
  const g = await glue(`m${i}`);
  let t = performance.now();
  g.initSync({ module: compiled });
  new g.StockbookCore().free();
  fromModule.push(performance.now() - t);
  const h = await glue(`c${i}`);
  t = performance.now();
  h.initSync({ module: new WebAssembly.Module(bytes) });
  new h.StockbookCore().free();
  cold.push(performance.now() - t);
}

// ---- throughput: Node, native and wasmtime, round by round ----
// This VM's speed drifts by tens of percent from one second to the next, so
// one pass of each runtime compares different machines. Each round runs the
// native core and wasmtime (bench-wasm, which also checks their answers
// agree) and then Node, back to back; the ratios are taken within a round and
// the median round is reported.
const { init, Stockbook } = await import(pathToFileURL(join(PKG, 'stockbook.js')).href);
await init(bytes);
// Warm-up: one full pass, so V8 has tiered the hot functions up.
const warm = new Stockbook();
for (const l of lines) warm.executeJson(l);
warm.free();
const objects = lines.map((l) => JSON.parse(l));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const rounds = [];
let native;
for (let r = 0; r < ROUNDS; r++) {
  native = JSON.parse(execFileSync(BIN, [file], { encoding: 'utf8', env: { ...process.env, STOCKBOOK_WASM: join(PKG, 'stockbook_raw.wasm') } }));
  const sb = new Stockbook();
  let t = performance.now();
  const nodeAnswers = lines.map((l) => sb.executeJson(l));
  const node = lines.length / ((performance.now() - t) / 1000);
  sb.free();
  if (!nodeAnswers.every((a) => a.startsWith('{"ok":'))) throw new Error('a request of the workload was refused');
  const sb2 = new Stockbook();
  t = performance.now();
  for (const o of objects) sb2.execute(o);
  const nodeObjects = lines.length / ((performance.now() - t) / 1000);
  sb2.free();
  rounds.push({ native: native.native_memory_per_s, wasmtime: native.wasmtime_memory_per_s, node, nodeObjects });
}
rmSync(dir, { recursive: true, force: true });
const med = (f) => median(rounds.map(f));
const nativeRate = med((r) => r.native);
const nodeRate = med((r) => r.node);
const nodeObjectRate = med((r) => r.nodeObjects);
const wasmtimeRate = med((r) => r.wasmtime);
const ratio = (f) => {
  const xs = rounds.map((r) => (100 * f(r)) / r.native);
  return `${median(xs).toFixed(0)} % (rounds ${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} %)`;
};

const kb = (b) => `${(b / 1024).toFixed(0)} KiB`;
const rate = (r) => `${Math.round(r).toLocaleString('en')} /s`;
console.log(`Workload: 1 create_product + ${N.toLocaleString('en')} update_stock (add 5 / subtract 3), JSON text in and out; throughput: median of ${ROUNDS} rounds.\n`);
console.log('| measure | value | budget |');
console.log('|---|---|---|');
console.log(`| package .wasm after wasm-opt | ${kb(sizes.package.bytes)}, ${kb(sizes.package.gzip)} gzipped | <= 400 KB, <= 150 KB |`);
console.log(`| raw .wasm after wasm-opt | ${kb(sizes.raw.bytes)}, ${kb(sizes.raw.gzip)} gzipped | (same) |`);
console.log(`| Node: instantiate from a compiled Module (median of 15) | ${median(fromModule).toFixed(2)} ms | <= 10 ms |`);
console.log(`| Node: compile + instantiate from bytes (median of 15) | ${median(cold).toFixed(2)} ms | |`);
// `native` below is the last round's run (one measurement, not a median).
console.log(`| wasmtime: compile + instantiate (cranelift, last round) | ${native.wasmtime_load_ms.toFixed(0)} ms | |`);
console.log(`| native core, MemoryStore | ${rate(nativeRate)} | 100 % |`);
console.log(`| Node, executeJson (text) | ${rate(nodeRate)} = ${ratio((r) => r.node)} | >= 40 % |`);
console.log(`| Node, execute (objects) | ${rate(nodeObjectRate)} = ${ratio((r) => r.nodeObjects)} | |`);
console.log(`| wasmtime, module's own store | ${rate(wasmtimeRate)} = ${ratio((r) => r.wasmtime)} | >= 40 % |`);
console.log(
  `| first ${native.sqlite_subset.toLocaleString('en')}: native over SQLite (in memory, last round) | ${rate(native.native_sqlite_per_s)} | |`,
);
console.log(
  `| first ${native.sqlite_subset.toLocaleString('en')}: wasmtime over SQLite (pull protocol, last round) | ${rate(native.wasmtime_sqlite_per_s)} = ${((100 * native.wasmtime_sqlite_per_s) / native.native_sqlite_per_s).toFixed(0)} % of native SQLite | |`,
);
