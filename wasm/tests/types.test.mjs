// stockbook.d.ts is precise and complete: strict `tsc --noEmit` over the typed
// example (which uses every export and every typed method), no `any` on the
// public surface, a typed method and a `Commands` entry for every command of
// the core, and the compiled example runs against the real module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPackage, WASM_DIR } from './helpers.mjs';

const TSC = join(WASM_DIR, 'node_modules', '.bin', 'tsc');
const DTS = join(WASM_DIR, 'js', 'stockbook.d.ts');
const { Stockbook, methodName } = await loadPackage();

test('the built package carries the current wrapper and types', () => {
  for (const f of ['stockbook.js', 'stockbook.d.ts']) {
    assert.equal(
      readFileSync(join(WASM_DIR, 'pkg', f), 'utf8'),
      readFileSync(join(WASM_DIR, 'js', f), 'utf8'),
      `wasm/pkg/${f} is stale; run wasm/build.sh`,
    );
  }
});

test('tsc --noEmit accepts the typed example (strict)', () => {
  assert.ok(existsSync(TSC), 'typescript is missing; run `npm ci` in wasm/');
  execFileSync(TSC, ['--noEmit', '-p', join(WASM_DIR, 'tests', 'tsconfig.json')], { stdio: 'pipe' });
});

test('the typed example runs against the real module', () => {
  execFileSync(TSC, ['-p', join(WASM_DIR, 'tests', 'tsconfig.json')], { stdio: 'pipe' });
  const out = execFileSync(process.execPath, [join(WASM_DIR, '.tsout', 'typed-example.js')], { encoding: 'utf8' });
  assert.match(out, /typed example: ok/);
});

test('no `any` on the public surface', () => {
  const code = readFileSync(DTS, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  assert.doesNotMatch(code, /\bany\b/);
});

test('every command of the core has a typed method and a Commands entry', () => {
  const dts = readFileSync(DTS, 'utf8');
  const missing = [];
  for (const cmd of Stockbook.commandNames()) {
    const m = methodName(cmd);
    if (typeof Stockbook.prototype[m] !== 'function') missing.push(`${m} (runtime)`);
    if (!new RegExp(`^\\s+${cmd}: \\{ args: `, 'm').test(dts)) missing.push(`${cmd} (Commands in stockbook.d.ts)`);
    if (!new RegExp(`^\\s+${m}\\(args`, 'm').test(dts)) missing.push(`${m} (Stockbook in stockbook.d.ts)`);
  }
  assert.deepEqual(missing, []);
});

test('QueryName lists exactly the queries of the core (the commands that need no `now`)', () => {
  // The command table of the core: `name => Variant(Args) -> Result, Permission, change, handler;`.
  const table = readFileSync(join(WASM_DIR, '..', 'core', 'src', 'protocol.rs'), 'utf8');
  const rows = [...table.matchAll(/^\s+(\w+) => \w+\(.*\) -> .*, \w+, (true|false), [\w:]+;$/gm)];
  assert.deepEqual(rows.map((r) => r[1]), Stockbook.commandNames(), 'the table parsed whole');
  const queries = rows.filter((r) => r[2] === 'false').map((r) => r[1]).sort();
  const dts = readFileSync(DTS, 'utf8');
  const union = dts.match(/export type QueryName =([^;]*);/);
  assert.ok(union, 'QueryName in stockbook.d.ts');
  assert.deepEqual([...union[1].matchAll(/'(\w+)'/g)].map((m) => m[1]).sort(), queries);
});

test('every answer of docs/protocol.md, replayed through the package, has exactly its declared type', (t) => {
  // The real objects against the declared types: each `ok` is written as an
  // object literal of its command's result type (a missing field, an
  // undeclared one, a number for a decimal string all fail), each error as a
  // WireError (discriminated by code, so its details are checked too), each
  // event as an Event, each request as a Request.
  const md = readFileSync(join(WASM_DIR, '..', 'docs', 'protocol.md'), 'utf8');
  const requests = [...md.matchAll(/```json request\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
  assert.ok(requests.length > 50, 'the protocol examples');
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-shapes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dts = JSON.stringify(join(WASM_DIR, 'pkg', 'stockbook.js'));
  let ts = `import type * as S from ${dts};\n`;
  const sb = new Stockbook();
  let errors = 0;
  requests.forEach((request, i) => {
    const answer = sb.execute(request);
    if (!Stockbook.commandNames().includes(request.cmd)) {
      assert.equal(answer.error.code, 'invalid_request');
      return;
    }
    ts += `export const r${i}: S.Request = ${JSON.stringify(request)};\n`;
    if ('ok' in answer) {
      ts += `export const a${i}: S.Commands[${JSON.stringify(request.cmd)}]['result'] = ${JSON.stringify(answer.ok)};\n`;
      ts += `export const e${i}: S.Event[] = ${JSON.stringify(answer.events)};\n`;
    } else {
      errors += 1;
      ts += `export const a${i}: S.WireError = ${JSON.stringify(answer.error)};\n`;
    }
  });
  assert.ok(errors > 5, 'the examples include errors');
  writeFileSync(join(dir, 'answers.ts'), ts);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], strict: true, noEmit: true, types: [] },
      files: ['answers.ts'],
    }),
  );
  try {
    execFileSync(TSC, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`the answers do not match stockbook.d.ts:\n${e.stdout}${e.stderr}`);
  }
});
