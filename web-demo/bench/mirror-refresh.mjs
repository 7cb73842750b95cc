// What one refresh of the page's mirror costs on a big database: the bytes
// of the snapshot, the server's time for it (its request log), the time the
// client waited for it, and the time the wasm engine takes to parse and
// import it (`Stockbook.fromSnapshot`, in Node), each the median of R runs.
// `full`: GET /api/snapshot (every record); `scoped`: GET
// /api/snapshot?purchase_order=ID (what validating a receipt of PO ID reads),
// when the server has the route.
// Usage: node bench/big-db.mjs 20000 | stockbook --db /tmp/big.db --sync-normal -q exec --batch > /dev/null
//        STOCKBOOK_BIN=../target/release/stockbook node bench/mirror-refresh.mjs /tmp/big.db [R=15] [PO=1000]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { init, Stockbook } from '../../wasm/pkg/stockbook.js';
import { PKG_DIR, startServer } from '../tests/harness.mjs';

const [db, runs = 15, po = 1000] = process.argv.slice(2);
if (!db) throw new Error('usage: node bench/mirror-refresh.mjs DB [RUNS] [PO]');
await init(readFileSync(join(PKG_DIR, 'stockbook_wasm_bg.wasm')));
const server = await startServer({ from: db });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t) => Math.round(t * 100) / 100;

async function measure(path) {
  const rows = [];
  for (let i = 0; i < Number(runs); i++) {
    const before = server.requests().length;
    const t0 = performance.now();
    const res = await fetch(server.origin + path, { headers: { authorization: `Bearer ${server.token}` } });
    const text = await res.text();
    const t1 = performance.now();
    if (res.status !== 200) return { path, status: res.status, answer: text.slice(0, 200) };
    const answer = JSON.parse(text);
    const t2 = performance.now();
    const sb = Stockbook.fromSnapshot(answer.ok);
    const t3 = performance.now();
    sb.free();
    // The log line is written once the answer went out.
    let line;
    for (let w = 0; w < 100 && !line; w++) {
      line = server.requests().slice(before).find((l) => l.path === path);
      if (!line) await new Promise((ok) => setTimeout(ok, 10));
    }
    rows.push({ bytes: text.length, records: answer.ok.records.length, server: (line?.micros ?? NaN) / 1000, fetch: t1 - t0, parse: t2 - t1, import: t3 - t2 });
  }
  const m = (k) => ms(median(rows.map((r) => r[k])));
  return { path, runs: rows.length, bytes: rows[0].bytes, records: rows[0].records, server_ms: m('server'), fetch_ms: m('fetch'), json_parse_ms: m('parse'), from_snapshot_ms: m('import'), total_ms: ms(median(rows.map((r) => r.fetch + r.parse + r.import))) };
}

try {
  console.log(JSON.stringify(await measure('/api/snapshot')));
  console.log(JSON.stringify(await measure(`/api/snapshot?purchase_order=${po}`)));
} finally {
  await server.stop();
}
