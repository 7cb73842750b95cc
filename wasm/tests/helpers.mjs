// Shared by the wasm package's Node tests: the built package, or a failure
// that says how to build it (a missing artifact never skips a test).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const WASM_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Imports `stockbook.js` of `wasm/<dir>/` and loads its module. */
export async function loadPackage(dir = 'pkg') {
  const js = join(WASM_DIR, dir, 'stockbook.js');
  const wasm = join(WASM_DIR, dir, 'stockbook_wasm_bg.wasm');
  for (const f of [js, wasm]) {
    if (!existsSync(f)) throw new Error(`${f} is missing; build it with \`wasm/build.sh\``);
  }
  const pkg = await import(pathToFileURL(js).href);
  await pkg.init(readFileSync(wasm));
  return pkg;
}

export const ADMIN = { id: 'ann', permissions: ['admin'] };
export const NOW = '2026-03-02T09:00:00Z';
