// The conformance suite: every scenario in tests/scenarios/ is played against
// every runtime, and all of them must answer byte for byte alike and equal the
// expected answers written in the scenario.
//
//   runtime        what runs                                   how
//   node           the wasm package (wasm/pkg/) in this Node   in process: executeJson / execute
//   memory         the native core over its in-memory store    `stockbook --engine memory exec`
//   sqlite         the native core over an SQLite file         `stockbook --engine native exec`
//   wasm           wasm/pkg/stockbook_raw.wasm under wasmtime, `stockbook --engine wasm exec`
//                  over an SQLite file (host-store protocol)
//   wasm-memory    the same module over its own store          `stockbook --engine wasm-memory exec`
//
// Run:    node --test tests/
// Needs:  wasm/build.sh, and `cargo build --release -p stockbook-native`
//         (the binary is $STOCKBOOK_BIN, else $CARGO_TARGET_DIR/release/stockbook,
//         else target/release/stockbook). A missing artifact fails the run.
// Write the expected answers of new or changed scenarios (only when every
// runtime agrees):  UPDATE_SCENARIOS=1 node --test tests/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIOS = join(ROOT, 'tests', 'scenarios');
const UPDATE = process.env.UPDATE_SCENARIOS === '1';

const PKG_JS = join(ROOT, 'wasm', 'pkg', 'stockbook.js');
const PKG_WASM = join(ROOT, 'wasm', 'pkg', 'stockbook_wasm_bg.wasm');
const RAW_WASM = join(ROOT, 'wasm', 'pkg', 'stockbook_raw.wasm');
const BIN =
  process.env.STOCKBOOK_BIN ??
  join(process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target'), 'release', 'stockbook');

/** The native runtimes: name -> `--engine` value. */
const NATIVE = { memory: 'memory', sqlite: 'native', wasm: 'wasm', 'wasm-memory': 'wasm-memory' };

function requireArtifact(path, how) {
  if (!existsSync(path)) {
    throw new Error(`conformance: ${path} is missing; build it with \`${how}\` (from the repository root)`);
  }
}

requireArtifact(PKG_JS, 'wasm/build.sh');
requireArtifact(PKG_WASM, 'wasm/build.sh');
requireArtifact(RAW_WASM, 'wasm/build.sh');
requireArtifact(BIN, 'cargo build --release -p stockbook-native');

const { init, Stockbook } = await import(pathToFileURL(PKG_JS).href);
await init(readFileSync(PKG_WASM));

/** Every scenario file: {name, path, about, steps: [{request, answer?}]}. */
function loadScenarios() {
  return readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const path = join(SCENARIOS, f);
      let data;
      try {
        data = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new Error(`${path}: not JSON: ${e.message}`);
      }
      if (typeof data.about !== 'string' || !Array.isArray(data.steps) || data.steps.length === 0) {
        throw new Error(`${path}: a scenario is {"about": "...", "steps": [{"request": {...}, "answer": {...}}, ...]}`);
      }
      return { name: f.replace(/\.json$/, ''), path, ...data };
    });
}

/**
 * Writes a scenario with one line per request and per answer, so diffs show
 * which answer changed.
 */
function formatScenario({ about, steps }) {
  const body = steps
    .map((s) => {
      const lines = [];
      if (s.note !== undefined) lines.push(`      "note": ${JSON.stringify(s.note)}`);
      lines.push(`      "request": ${JSON.stringify(s.request)}`);
      lines.push(`      "answer": ${JSON.stringify(s.answer)}`);
      return `    {\n${lines.join(',\n')}\n    }`;
    })
    .join(',\n');
  return `{\n  "about": ${JSON.stringify(about)},\n  "steps": [\n${body}\n  ]\n}\n`;
}

/** Runs request lines through `stockbook --engine <engine> exec`; one answer per line. */
function runNative(engine, lines, dir) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(BIN, ['--db', join(dir, `${engine}.db`), '--engine', engine, '--quiet', 'exec'], {
      env: { ...process.env, STOCKBOOK_WASM: RAW_WASM },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      // Exit 1 only says that some answer was an error, which scenarios expect.
      if (code !== 0 && code !== 1) {
        reject(new Error(`stockbook --engine ${engine} exited with ${code}: ${err}`));
        return;
      }
      const answers = out.split('\n');
      if (answers.at(-1) === '') answers.pop();
      resolvePromise(answers);
    });
    child.stdin.end(lines.map((l) => l + '\n').join(''));
  });
}

/** Plays the lines in the wasm package: text path and object path. */
function runNode(lines) {
  const byText = new Stockbook();
  const byObject = new Stockbook();
  const answers = [];
  try {
    for (const line of lines) {
      const text = byText.executeJson(line);
      const object = byObject.execute(JSON.parse(line));
      assert.deepEqual(object, JSON.parse(text), `execute(object) and executeJson(text) differ for ${line}`);
      answers.push(text);
    }
  } finally {
    byText.free();
    byObject.free();
  }
  return answers;
}

const scenarios = loadScenarios();

test('the scenarios use every command of the core', () => {
  const used = new Set(scenarios.flatMap((s) => s.steps.map((st) => st.request?.cmd)));
  const missing = Stockbook.commandNames().filter((c) => !used.has(c));
  assert.deepEqual(missing, [], `commands no scenario in tests/scenarios/ uses: ${missing.join(', ')}`);
});

test('the scenarios meet every error code of the core', () => {
  const seen = new Set(
    scenarios.flatMap((s) => s.steps.map((st) => st.answer?.error?.code).filter((c) => c !== undefined)),
  );
  const missing = Stockbook.errorCodes().filter((c) => !seen.has(c));
  assert.deepEqual(missing, [], `error codes no scenario answer shows: ${missing.join(', ')}`);
});

for (const scenario of scenarios) {
  test(`scenario ${scenario.name}: every runtime answers alike and as expected`, async () => {
    const lines = scenario.steps.map((s) => JSON.stringify(s.request));
    const dir = mkdtempSync(join(tmpdir(), `stockbook-conformance-${scenario.name}-`));
    try {
      const results = { node: runNode(lines) };
      const native = await Promise.all(Object.values(NATIVE).map((engine) => runNative(engine, lines, dir)));
      Object.keys(NATIVE).forEach((name, i) => (results[name] = native[i]));
      const reference = results.node;
      for (const [runtime, answers] of Object.entries(results)) {
        assert.equal(answers.length, lines.length, `${runtime} gave ${answers.length} answers for ${lines.length} requests`);
        for (let i = 0; i < lines.length; i++) {
          assert.equal(
            answers[i],
            reference[i],
            `${scenario.name} step ${i + 1}: ${runtime} and node answer differently to ${lines[i]}`,
          );
        }
      }
      if (UPDATE) {
        const steps = scenario.steps.map((s, i) => ({ ...s, answer: JSON.parse(reference[i]) }));
        writeFileSync(scenario.path, formatScenario({ about: scenario.about, steps }));
        return;
      }
      scenario.steps.forEach((s, i) => {
        assert.ok(
          s.answer !== undefined,
          `${scenario.name} step ${i + 1} has no expected answer; write it with UPDATE_SCENARIOS=1 node --test tests/`,
        );
        assert.equal(reference[i], JSON.stringify(s.answer), `${scenario.name} step ${i + 1}: answer differs from the expected one (${lines[i]})`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
