// The clerk's purchasing flow in a real browser against a real server:
// create a PO, order it, receive part, try to over-receive (refused inline by
// the wasm engine, and NOTHING reaches the server), receive the rest, and see
// stock and ledger change.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { launchBrowser, OUT_DIR, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function onHand(page, sku) {
  await page.goto(`${server.origin}/#/products`);
  const cell = page.locator(`#products tr[data-sku="${sku}"] td[data-col="on_hand"]`);
  await cell.waitFor();
  return cell.textContent();
}

test('a clerk orders and receives a PO; an over-receipt is refused inline without a request', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="1"]');
  assert.match(await page.textContent('#mode'), /Online/);
  const readyMs = Number(await page.getAttribute('body', 'data-ready-ms'));

  // The products page shows stock and the low-stock badge of the demo data.
  await page.waitForSelector('#products tr[data-sku]');
  assert.equal(await page.locator('#products tr[data-sku]').count(), 30);
  assert.ok(await page.locator('#products .badge.low').count() >= 1);
  assert.equal(await onHand(page, 'WASH-M8'), '1200');

  // A new draft PO with one line, then ordered.
  await page.goto(`${server.origin}/#/orders`);
  await page.waitForSelector('#orders');
  await page.selectOption('#new-po-supplier', { label: 'Acme Fasteners' });
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  await page.selectOption('#line-product', { label: 'WASH-M8 — M8 Flat Washer' });
  await page.fill('#line-qty', '10');
  await page.fill('#line-cost', '0.02');
  await page.click('#add-line');
  await page.waitForSelector('#po-lines tr[data-line="1"]');
  await page.click('#order-po');
  await page.waitForSelector('#po-status.ordered');
  const poNumber = await page.textContent('#po-number');

  // Receive 4 of 10.
  const qty = page.locator('#po-lines input[data-line="1"]');
  await qty.fill('4');
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.click('#receive');
  await page.waitForSelector('#po-status.partially_received');
  assert.equal(await page.textContent('#po-lines tr[data-line="1"] td[data-col="received"]'), '4');

  // Try 7 of the 6 outstanding: flagged while typing, and no request at all.
  const before = server.requests().length;
  await qty.pressSequentially('7', { delay: 30 });
  await page.waitForSelector('#receipt-check[data-code="over_receipt"]');
  const message = await page.textContent('#receipt-check');
  assert.match(message, /Over-receipt on line 1: 7 requested, only 6 outstanding/);
  assert.ok(await page.locator('#po-lines input.invalid').count() === 1);
  assert.ok(await page.isDisabled('#receive'));
  await page.screenshot({ path: join(OUT_DIR, 'over-receipt-inline.png'), fullPage: true });
  await page.click('#receive', { force: true }); // a disabled button sends nothing
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  const during = server.requests().slice(before);
  assert.deepEqual(during, [], `requests reached the server during the over-receipt: ${JSON.stringify(during)}`);
  assert.ok(!server.requests().some((r) => r.status === 422), 'the server never saw an over-receipt');

  // Receive the remaining 6.
  await qty.fill('6');
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.click('#receive');
  await page.waitForSelector('#po-status.received');
  assert.equal(await page.textContent('#po-lines tr[data-line="1"] td[data-col="received"]'), '10');
  const receipts = server.requests().filter((r) => r.method === 'POST' && /\/api\/purchase-orders\/\d+\/receive$/.test(r.path));
  assert.deepEqual(receipts.map((r) => r.status), [200, 200]);
  // A received PO offers what the engine offers for it: no receipt form, no
  // cancel or close; and no stray text where a part of the page is absent.
  assert.equal(await page.locator('#receive, #cancel-po, #close-po, #order-po').count(), 0);
  assert.doesNotMatch(await page.textContent('main'), /\bnull\b|undefined/);

  // Stock went up by 10; the ledger shows both receipts from this PO.
  assert.equal(await onHand(page, 'WASH-M8'), '1210');
  await page.goto(`${server.origin}/#/ledger`);
  await page.waitForSelector('#ledger');
  await page.selectOption('#ledger-product', { label: 'WASH-M8' });
  await page.waitForFunction(() => location.hash.includes('product='));
  await page.selectOption('#ledger-type', 'purchase');
  await page.waitForFunction(() => location.hash.includes('type=purchase'));
  // The table drawn for both filters (the one before them is still there until then).
  await page.waitForFunction(() => document.getElementById('ledger-type')?.value === 'purchase'
    && document.querySelectorAll('#ledger tbody tr').length > 0
    && [...document.querySelectorAll('#ledger tbody tr')].every((r) => /WASH-M8/.test(r.textContent) && /purchase/.test(r.textContent)));
  const rows = await page.locator('#ledger tbody tr').allTextContents();
  assert.equal(rows.length, 3, rows.join('\n')); // opening count + two receipts
  assert.match(rows[0], /purchase\s*6\s*1210\s*web-demo · PO #\d+/);
  assert.match(rows[1], /purchase\s*4\s*1204\s*web-demo · PO #\d+/);

  await page.goto(`${server.origin}/#/orders?status=received`);
  await page.waitForSelector(`#orders tr[data-po="${poNumber}"]`);
  await page.screenshot({ path: join(OUT_DIR, 'purchasing-flow.png'), fullPage: true });
  writeFileSync(join(OUT_DIR, 'timing.json'), JSON.stringify({ readyMs }, null, 2));
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the ledger shows the newest movements first and pages back to older ones', async () => {
  const token = new URL(server.url).hash.match(/token=([^&]+)/)[1];
  const post = (body) => fetch(`${server.origin}/api/commands`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json());
  const product = (await post({ cmd: 'list_products', args: { search: 'NUT-M6' } })).ok.items[0].product;
  for (let i = 0; i < 105; i++) {
    const answer = await post({ cmd: 'update_stock', args: { product_id: product.id, operation: 'add', quantity: '1' } });
    assert.ok(answer.ok, JSON.stringify(answer));
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.origin}/#token=${token}`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.goto(`${server.origin}/#/ledger?product=${product.id}&type=`);
  await page.waitForSelector('#ledger tbody tr');
  const seqs = async () => (await page.locator('#ledger tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.seq))));
  const first = await seqs();
  assert.equal(first.length, 100);
  assert.deepEqual(first, [...first].sort((a, b) => b - a), 'newest first');
  assert.match(await page.textContent('#ledger tbody tr:first-child'), /1005/, 'the newest balance on top');
  await page.click('#ledger-older');
  await page.waitForFunction((top) => Number(document.querySelector('#ledger tbody tr')?.dataset.seq) < top, first.at(-1) + 1);
  const older = await seqs();
  assert.ok(older.length >= 6, `${older.length} older movements`);
  assert.ok(Math.max(...older) < Math.min(...first), 'the next page continues below the first');
  assert.equal(await page.locator('#ledger-newest').count(), 1);
  await context.close();
});

test('without a server the page works from the browser alone and keeps its state', async () => {
  const context = await browser.newContext();
  // No server: every API request fails, the page's files still load.
  let apiCalls = 0;
  await context.route('**/api/**', (route) => { apiCalls += 1; return route.abort(); });
  const page = await context.newPage();
  await page.goto(`${server.origin}/?offline#/orders`);
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.getAttribute('body', 'data-mode'), 'offline');
  await page.waitForSelector('#orders tr[data-po]');

  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  await page.selectOption('#line-product', { label: 'LVL-60 — Spirit Level 60 cm' });
  await page.fill('#line-qty', '3');
  await page.click('#add-line');
  await page.waitForSelector('#po-lines tr[data-line="1"]');
  await page.click('#order-po');
  await page.waitForSelector('#po-status.ordered');
  const qty = page.locator('#po-lines input[data-line="1"]');
  await qty.fill('4');
  await page.waitForSelector('#receipt-check[data-code="over_receipt"]');
  await qty.fill('3');
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.click('#receive');
  await page.waitForSelector('#po-status.received');
  const poUrl = page.url();

  // State survives a reload (kept in localStorage).
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  await page.goto(poUrl);
  await page.waitForSelector('#po-status.received');
  assert.equal(await onHandOffline(page, 'LVL-60'), '10');
  assert.equal(apiCalls, 0, 'offline mode never calls the API');
  await context.close();
});

async function onHandOffline(page, sku) {
  await page.evaluate(() => { location.hash = '#/products'; });
  const cell = page.locator(`#products tr[data-sku="${sku}"] td[data-col="on_hand"]`);
  await cell.waitFor();
  return cell.textContent();
}

// The conformance scenarios (tests/scenarios/, played by tests/conformance.test.mjs
// on the native core, SQLite, wasmtime and the package in Node) played once
// more in Chromium, through the package the page loads from /pkg/: a browser's
// WebAssembly engine must answer byte for byte the expected answers too.
test('every conformance scenario answers in the browser exactly as expected', async () => {
  const dir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'tests', 'scenarios');
  const scenarios = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, steps: JSON.parse(readFileSync(join(dir, f), 'utf8')).steps }));
  assert.ok(scenarios.length >= 5, `scenarios found in ${dir}: ${scenarios.length}`);
  const context = await browser.newContext();
  await context.route('**/api/**', (route) => route.abort()); // the module alone
  const page = await context.newPage();
  await page.goto(`${server.origin}/?offline`);
  await page.waitForSelector('body[data-ready="1"]');
  const answers = await page.evaluate(async (plays) => {
    const { init, Stockbook } = await import('/pkg/stockbook.js');
    await init();
    return plays.map((lines) => {
      const sb = new Stockbook();
      try {
        return lines.map((line) => sb.executeJson(line));
      } finally {
        sb.free();
      }
    });
  }, scenarios.map((s) => s.steps.map((st) => JSON.stringify(st.request))));
  scenarios.forEach((s, i) => {
    assert.equal(answers[i].length, s.steps.length, s.name);
    s.steps.forEach((st, j) => {
      assert.equal(answers[i][j], JSON.stringify(st.answer), `${s.name} step ${j + 1} in Chromium`);
    });
  });
  await context.close();
});
