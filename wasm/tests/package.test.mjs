// The package as a consumer gets it: `npm pack` of wasm/pkg/, installed from
// the tarball into a scratch project (no network), imported by its name; the
// README's example run verbatim, the typed example type-checked against the
// installed types. And docs/wasm.md's examples run and print what they say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WASM_DIR } from './helpers.mjs';

const PKG = join(WASM_DIR, 'pkg');
const TSC = join(WASM_DIR, 'node_modules', '.bin', 'tsc');

/** The ```js blocks of a Markdown file. */
function jsBlocks(file) {
  return [...readFileSync(file, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const node = (file, cwd) => execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' });
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('the packed package installs and works by its name', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-consumer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  npm(['pack', '--silent', '--pack-destination', dir, PKG], dir);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack made no tarball');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', '--silent', join(dir, tarball)], dir);

  const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', 'stockbook-wasm', 'package.json'), 'utf8'));
  assert.equal(manifest.type, 'module');
  for (const f of manifest.files) {
    assert.ok(readdirSync(join(dir, 'node_modules', 'stockbook-wasm')).includes(f), `${f} is in "files" but not in the tarball`);
  }

  // The README's example, verbatim: it prints only a refusal, so nothing.
  const [example] = jsBlocks(join(WASM_DIR, 'README.md'));
  assert.match(example, /from 'stockbook-wasm'/);
  writeFileSync(join(dir, 'readme.mjs'), example);
  assert.equal(node('readme.mjs', dir), '');

  // Subpaths a consumer (or a bundler) reaches for.
  writeFileSync(
    join(dir, 'subpaths.mjs'),
    `import { createRequire } from 'node:module';
     const require = createRequire(import.meta.url);
     for (const p of ['stockbook-wasm', 'stockbook-wasm/stockbook_wasm_bg.wasm', 'stockbook-wasm/stockbook_raw.wasm', 'stockbook-wasm/package.json']) {
       console.log(import.meta.resolve(p).replace(/^.*node_modules\\//, ''));
     }
     console.log(require('stockbook-wasm/package.json').name);`,
  );
  assert.deepEqual(node('subpaths.mjs', dir).trim().split('\n'), [
    'stockbook-wasm/stockbook.js',
    'stockbook-wasm/stockbook_wasm_bg.wasm',
    'stockbook-wasm/stockbook_raw.wasm',
    'stockbook-wasm/package.json',
    'stockbook-wasm',
  ]);

  // The typed example, importing the installed package by name, under the
  // resolutions TypeScript projects use.
  const typed = readFileSync(join(WASM_DIR, 'tests', 'typed-example.ts'), 'utf8').replace("'../pkg/stockbook.js'", "'stockbook-wasm'");
  assert.match(typed, /from 'stockbook-wasm'/);
  writeFileSync(join(dir, 'typed.ts'), typed);
  for (const [module, resolution] of [['NodeNext', 'NodeNext'], ['ESNext', 'Bundler']]) {
    const args = ['--noEmit', '--strict', '--target', 'ES2022', '--lib', 'ES2022,DOM', '--module', module, '--moduleResolution', resolution, 'typed.ts'];
    try {
      execFileSync(TSC, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      assert.fail(`tsc (${module}/${resolution}): ${e.stdout}${e.stderr}`);
    }
  }
});

test("docs/wasm.md's examples run and answer what the docs say", (t) => {
  const blocks = jsBlocks(join(WASM_DIR, '..', 'docs', 'wasm.md'));
  const pkgUrl = pathToFileURL(join(PKG, 'stockbook.js')).href;
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-docs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The JS API block: constructs a Stockbook; a typed call shows its clock and actor work.
  const api = blocks.find((b) => b.includes('await init();'));
  assert.ok(api, 'the JS API example');
  writeFileSync(
    join(dir, 'api.mjs'),
    api.replace("'./pkg/stockbook.js'", JSON.stringify(pkgUrl)) + "\nconsole.log(JSON.stringify(sb.createLocation({ name: 'Van' })));\n",
  );
  assert.equal(node('api.mjs', dir).trim(), '{"id":2,"name":"Van"}');
  // The validateReceipt block, after a PO of 10 ordered: the answer in its comment.
  const vr = blocks.find((b) => b.includes('sb.validateReceipt('));
  assert.ok(vr, 'the validateReceipt example');
  const said = vr.match(/\/\/ (\{error: .*\})/)[1].replace(', ...}}', '}}');
  const setup = `import { init, Stockbook } from ${JSON.stringify(pkgUrl)};
    await init();
    const sb = new Stockbook({ actor: { id: 'ann', permissions: ['admin'] } });
    sb.createSupplier({ name: 'Acme' });
    const bolt = sb.createProduct({ sku: 'BOLT', name: 'Bolt' });
    const poId = sb.createPurchaseOrder({ supplier_id: 1, lines: [{ product_id: bolt.id, quantity: 10 }] }).purchase_order.id;
    sb.orderPurchaseOrder({ id: poId });
  `;
  writeFileSync(join(dir, 'vr.mjs'), setup + vr + '\nconsole.log(JSON.stringify({ error: { code: answer.error.code, details: answer.error.details } }));\n');
  const expected = Function(`return (${said});`)();
  assert.deepEqual(JSON.parse(node('vr.mjs', dir)), expected);
});
