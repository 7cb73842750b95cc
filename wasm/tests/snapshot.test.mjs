// Snapshots round-trip: a Stockbook loaded from another's export (as text or
// as an object) answers every later request byte for byte like the original.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WASM_DIR, loadPackage } from './helpers.mjs';

const { Stockbook } = await loadPackage();

test("export, import into a fresh Stockbook: the same answers to the rest of docs/protocol.md's story and to all of it again", () => {
  const md = readFileSync(join(WASM_DIR, '..', 'docs', 'protocol.md'), 'utf8');
  const requests = [...md.matchAll(/```json request\n([\s\S]*?)```/g)].map((m) => m[1]);
  const half = Math.floor(requests.length / 2);
  const original = new Stockbook();
  for (const r of requests.slice(0, half)) original.executeJson(r);
  const snapshot = original.exportSnapshot();
  const fromText = Stockbook.fromSnapshot(snapshot);
  const fromObject = Stockbook.fromSnapshot(JSON.parse(snapshot));
  assert.equal(fromText.exportSnapshot(), snapshot);
  assert.equal(fromObject.exportSnapshot(), snapshot);
  // The second half changes the store (receipts, returns, idempotent retries,
  // numbering after a deleted draft); the replay of the whole story after it
  // hits idempotency keys, duplicates and transitions from the new state.
  for (const r of requests.slice(half).concat(requests)) {
    const expected = original.executeJson(r);
    assert.equal(fromText.executeJson(r), expected, r);
    assert.equal(fromObject.executeJson(r), expected, r);
  }
  assert.equal(fromText.exportSnapshot(), original.exportSnapshot());
  assert.equal(fromText.ledgerLength(), original.ledgerLength());
});
