// Starts what the browser tests need: a `stockbook serve` on a free port
// with a temp database and a request log, and Debian's Chromium driven by
// playwright-core. It builds nothing: a missing binary or wasm package is a
// clear failure telling how to build it.

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(WEB_DIR, '..');
export const PKG_DIR = join(ROOT, 'wasm', 'pkg');
/** Screenshots and timings go here (gitignored). */
export const OUT_DIR = join(WEB_DIR, 'test-results');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** The `stockbook` binary: $STOCKBOOK_BIN, else the newest release/debug build. */
export function findBinary() {
  const candidates = [
    process.env.STOCKBOOK_BIN,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'release', 'stockbook'),
    join(ROOT, 'target', 'release', 'stockbook'),
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'debug', 'stockbook'),
    join(ROOT, 'target', 'debug', 'stockbook'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `no stockbook binary (looked at ${candidates.join(', ')}): build it first with ` +
        '`cargo build --release -p stockbook-native` (or set STOCKBOOK_BIN)',
    );
  }
  return found;
}

export function checkPackage() {
  if (!existsSync(join(PKG_DIR, 'stockbook.js')) || !existsSync(join(PKG_DIR, 'stockbook_wasm_bg.wasm'))) {
    throw new Error(`the wasm package is not built (${PKG_DIR}): run wasm/build.sh first`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  }
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts `stockbook serve`; resolves once it printed its URL. `from`: a
 * database file to serve a copy of (benches), instead of a new one.
 */
export async function startServer({ seed = true, from = undefined } = {}) {
  checkPackage();
  const bin = findBinary();
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-web-'));
  const db = join(dir, 'stockbook.db');
  if (from) copyFileSync(from, db);
  const log = join(dir, 'requests.jsonl');
  const port = await freePort();
  const args = ['--db', db, 'serve', '--addr', `127.0.0.1:${port}`, '--request-log', log,
    '--web-dir', WEB_DIR, '--pkg-dir', PKG_DIR];
  if (!seed) args.push('--no-seed');
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start in 20 s:\n${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/Stockbook is running: (\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { output += c; });
    child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited (${code}):\n${output}`)); });
  });
  return {
    url,
    origin: new URL(url).origin,
    /** The page's token (from the printed URL). */
    token: new URL(url).hash.match(/token=([^&]+)/)[1],
    /** A new token of this server's database, as `stockbook token create` prints it. */
    createToken(permissions, actor) {
      const out = execFileSync(bin, ['--db', db, 'token', 'create', '--permissions', permissions, '--as', actor], { encoding: 'utf8' });
      return out.trim().split(/\s+/).find((w) => w.startsWith('sb_'));
    },
    /** Lines of the server's request log so far. */
    requests() {
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    async stop() {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await new Promise((ok) => { if (child.exitCode !== null) ok(); else child.once('exit', ok); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  mkdirSync(OUT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
