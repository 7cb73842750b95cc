// A purchasing clerk's day on the page, step by step, and the mistakes a
// clerk makes: packing slips, retries and double clicks, returns, stock per
// location and as of a date, low stock, many suppliers, a token that may only
// read, a server that went away. Each test names what the clerk needs.

import assert from 'node:assert/strict';
import { join } from 'node:path';
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

/** A protocol command as the page's own token (`token` to speak as another). */
async function post(cmd, args = {}, token = server.token) {
  const res = await fetch(`${server.origin}/api/commands`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ cmd, args }),
  });
  return res.json();
}

async function ok(cmd, args, token) {
  const answer = await post(cmd, args, token);
  assert.ok(answer.ok, `${cmd}: ${JSON.stringify(answer)}`);
  return answer.ok;
}

async function productId(sku) {
  return (await ok('list_products', { search: sku })).items.find((p) => p.product.sku === sku).product.id;
}

/** An ordered PO from Acme Fasteners with one line of `quantity` of `sku`. */
async function orderedPo(sku, quantity) {
  const created = await ok('create_purchase_order', { supplier_id: 1, lines: [{ product_id: await productId(sku), quantity, unit_cost: '1.00' }] });
  return (await ok('order_purchase_order', { id: created.purchase_order.id })).purchase_order;
}

/** A page signed in with `token` (the page's own by default), showing `hash`. */
async function openPage(hash, { token = server.token, contextOptions = {} } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${server.origin}/#token=${token}`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.evaluate((h) => { location.hash = h; }, hash);
  return { context, page, errors };
}

test('a receipt records the packing slip number of the delivery', async () => {
  const po = await orderedPo('WASH-M8', 10);
  const { context, page, errors } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.ordered');
  await page.fill('#po-lines input[data-line="1"]', '4');
  await page.getByLabel('Packing slip no.').fill('PS-7788');
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.click('#receive');
  await page.waitForSelector('#po-status.partially_received');
  assert.match(await page.textContent('#po-header'), /packing slip PS-7788/);
  assert.equal((await ok('get_purchase_order', { id: po.id })).purchase_order.packing_slip_number, 'PS-7788');
  // Enter in a quantity box receives, like any form.
  await page.fill('#po-lines input[data-line="1"]', '6');
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.press('#po-lines input[data-line="1"]', 'Enter');
  await page.waitForSelector('#po-status.received');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a receipt whose answer was lost is sent again without receiving twice', async () => {
  const po = await orderedPo('WASH-M8', 10);
  const { context, page } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.ordered');
  // The first receipt reaches the server, but its answer never comes back.
  let dropped = false;
  await page.route('**/api/purchase-orders/*/receive', async (route) => {
    if (dropped) return route.continue();
    dropped = true;
    await route.fetch();
    return route.abort('connectionreset');
  });
  await page.fill('#po-lines input[data-line="1"]', '4');
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.click('#receive');
  await page.waitForSelector('#flash.error');
  const lost = await page.textContent('#flash');
  // The clerk clicks again: the same change, the same key, received once.
  await page.click('#receive');
  await page.waitForSelector('#po-status.partially_received');
  assert.equal((await ok('get_purchase_order', { id: po.id })).purchase_order.lines[0].received, '4');
  assert.equal(await page.textContent('#po-lines tr[data-line="1"] td[data-col="received"]'), '4');
  // What the clerk was told when the answer did not come.
  assert.match(lost, /could not be reached/);
  assert.doesNotMatch(lost, /Failed to fetch|\[object/);
  await context.close();
});

test('a double click on "New draft PO" makes one draft', async () => {
  const drafts = async () => (await ok('list_purchase_orders', { status: 'draft' })).total_count;
  const before = await drafts();
  const { context, page } = await openPage('#/orders');
  await page.waitForSelector('#orders');
  await page.dblclick('#new-po');
  await page.waitForSelector('#po-status.draft');
  await page.waitForTimeout(300);
  assert.equal(await drafts(), before + 1);
  await context.close();
});

test('a draft line can be removed, and a refused new line says which box is wrong', async () => {
  const { context, page } = await openPage('#/orders');
  await page.waitForSelector('#orders');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  // The product chooser and its search have names a screen reader reads.
  assert.equal(await page.getByRole('combobox', { name: 'Product of the new line' }).count(), 1);
  await page.selectOption('#line-product', { label: 'WASH-M8 — M8 Flat Washer' });
  await page.fill('#line-qty', '5');
  await page.press('#line-qty', 'Enter'); // Enter adds the line
  await page.waitForSelector('#po-lines tr[data-line="1"]');
  await page.fill('#line-qty', '');
  await page.click('#add-line');
  await page.waitForSelector('#flash.error');
  const message = await page.textContent('#flash');
  assert.match(message, /New line, quantity/);
  assert.doesNotMatch(message, /lines\[1\]|\[object/);
  await page.fill('#line-qty', '2.5');
  await page.click('#add-line');
  await page.waitForFunction(() => /New line, quantity/.test(document.getElementById('flash').textContent) && /decimal/.test(document.getElementById('flash').textContent));
  await page.click('#po-lines button[data-remove-line="1"]');
  await page.waitForFunction(() => document.querySelectorAll('#po-lines tbody tr').length === 0);
  assert.match(await page.textContent('#flash'), /Line 1 removed/);
  await context.close();
});

test('goods go back to the supplier from the PO, and too many are refused naming the line', async () => {
  const po = await orderedPo('LVL-60', 6);
  await ok('receive_purchase_order', { id: po.id, lines: [{ line_no: 1, quantity: 6 }] });
  const { context, page } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.received');
  await page.fill('#po-lines input[data-return-line="1"]', '9');
  await page.fill('#return-reason', 'damaged');
  await page.click('#return-po');
  await page.waitForSelector('#flash.error');
  // What was asked and what may go back, naming the line once.
  const refused = await page.textContent('#flash');
  assert.match(refused, /Line 1: 9 to return, only 6 received and not yet returned/);
  assert.doesNotMatch(refused, /line 1\b.*line 1\b/i);
  assert.equal(await page.locator('#po-lines input[data-return-line="1"].invalid').count(), 1);
  await page.fill('#po-lines input[data-return-line="1"]', '2');
  await page.click('#return-po');
  await page.waitForFunction(() => document.querySelector('#po-lines tr[data-line="1"] td[data-col="returned"]')?.textContent === '2');
  assert.match(await page.textContent('#flash'), /Returned/);
  const ledger = await ok('list_movements', { product_id: po.lines[0].product_id, type: 'return', direction: 'desc', limit: 1 });
  assert.equal(ledger.movements[0].quantity, '-2');
  assert.equal(ledger.movements[0].reason, 'damaged');
  await context.close();
});

test('closing short offers the backorder it created', async () => {
  const po = await orderedPo('NUT-M6', 10);
  await ok('receive_purchase_order', { id: po.id, lines: [{ line_no: 1, quantity: 3 }] });
  const { context, page } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.partially_received');
  const asked = [];
  page.on('dialog', (d) => { asked.push(d.message()); d.accept(); });
  await page.click('#close-po');
  await page.waitForSelector('#po-status.closed');
  assert.match(asked[0], /backorder/);
  assert.match(await page.textContent('#flash'), new RegExp(`backorder ${po.number}-BO1 created`));
  await page.click('#backorder-link');
  await page.waitForFunction((n) => document.getElementById('po-number')?.textContent === n, `${po.number}-BO1`);
  assert.equal(await page.textContent('#po-lines tr[data-line="1"] td[data-col="ordered"]'), '7');
  await context.close();
});

test('a product shows its stock per location and its stock as of a past moment', async () => {
  const id = await productId('LVL-60');
  const { context, page } = await openPage('#/products');
  await page.click('#products tr[data-sku="LVL-60"] a');
  await page.waitForSelector('#stock-locations');
  const total = page.locator('#stock-locations tr[data-location="total"]');
  const stock = (await ok('get_stock', { product_id: id })).totals;
  for (const col of ['on_hand', 'held', 'available', 'incoming']) {
    assert.equal(await total.locator(`td[data-col="${col}"]`).textContent(), stock[col], col);
  }
  assert.equal(await page.locator('#stock-locations tr[data-location="Main"]').count(), 1);
  // As of a moment before anything was booked: nothing on hand.
  await page.fill('#as-of-at', '2001-01-01T00:00');
  await page.click('#as-of-go');
  await page.waitForSelector('#as-of-on-hand');
  assert.equal(await page.textContent('#as-of-on-hand'), '0');
  // As of now: what is on hand.
  const now = new Date(Date.now() + 60_000);
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.fill('#as-of-at', local);
  await page.press('#as-of-at', 'Enter');
  await page.waitForFunction((v) => document.getElementById('as-of-on-hand')?.textContent === v, stock.on_hand);
  await page.click('#product-ledger');
  await page.waitForSelector('#ledger tbody tr');
  assert.equal(await page.$eval('#ledger-product', (s) => s.value), String(id));
  await page.screenshot({ path: join(OUT_DIR, 'product-stock.png'), fullPage: true });
  await context.close();
});

test('a product shows what is already on order for it: each open PO line, linked', async () => {
  const id = await productId('SOCK-2G');
  const po = await orderedPo('SOCK-2G', 7);
  await ok('receive_purchase_order', { id: po.id, lines: [{ line_no: 1, quantity: 2 }] });
  // A draft brings nothing yet: not on order.
  const draft = (await ok('create_purchase_order', { supplier_id: 1, lines: [{ product_id: id, quantity: 9 }] })).purchase_order;
  const { context, page } = await openPage(`#/products/${id}`);
  await page.waitForSelector('#stock-locations');
  const row = page.locator(`#on-order tr[data-po="${po.number}"]`);
  await row.waitFor();
  assert.equal(await row.locator('td[data-col="ordered"]').textContent(), '7');
  assert.equal(await row.locator('td[data-col="received"]').textContent(), '2');
  assert.match(await row.textContent(), /Acme Fasteners/);
  assert.equal(await page.locator(`#on-order tr[data-po="${draft.number}"]`).count(), 0);
  await row.locator('a').click();
  await page.waitForSelector('#po-status.partially_received');
  assert.equal(await page.textContent('#po-number'), po.number);
  await context.close();
});

test('the products list narrows to low stock', async () => {
  const { context, page } = await openPage('#/products');
  await page.waitForSelector('#products tr[data-sku]');
  await page.check('#low-stock-only');
  await page.waitForFunction(() => location.hash.includes('low=1'));
  await page.waitForSelector('#products tr[data-sku]');
  const rows = await page.locator('#products tbody tr').count();
  assert.equal(rows, (await ok('list_products', { low_stock_only: true })).total_count);
  assert.equal(await page.locator('#products tbody tr .badge.low').count(), rows);
  await context.close();
});

test('more than 50 suppliers: the list pages, and a new PO can go to the last of them', async () => {
  const admin = server.createToken('admin', 'boss');
  for (let i = 1; i <= 55; i++) await ok('create_supplier', { name: `Zulu Supply ${String(i).padStart(2, '0')}` }, admin);
  const { context, page } = await openPage('#/suppliers');
  await page.waitForSelector('#suppliers tr[data-supplier]');
  assert.equal(await page.locator('#suppliers tr[data-supplier]').count(), 50);
  assert.match(await page.textContent('#page-info'), /59 suppliers · page 1 of 2/);
  await page.click('#page-next');
  await page.waitForFunction(() => document.querySelectorAll('#suppliers tr[data-supplier]').length === 9);
  // Search finds one, its page shows its details and POs.
  await page.fill('#supplier-search', 'Acme');
  await page.press('#supplier-search', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#suppliers tr[data-supplier]').length === 1);
  await page.click('#suppliers tr[data-supplier] a');
  await page.waitForSelector('#supplier-orders');
  assert.equal(await page.textContent('#supplier-name'), 'Acme Fasteners');
  assert.ok(await page.locator('#supplier-orders tr[data-po]').count() >= 1);
  // The chooser of a new PO offers every active supplier, not the first 50.
  await page.evaluate(() => { location.hash = '#/orders'; });
  await page.waitForSelector('#orders');
  await page.selectOption('#new-po-supplier', { label: 'Zulu Supply 55' });
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  assert.match(await page.textContent('#po-header'), /Zulu Supply 55/);
  await context.close();
});

test('a token that may only read sees no button it cannot use, and is told why', async () => {
  const viewer = server.createToken('inventory.read', 'viewer');
  const po = await orderedPo('WASH-M8', 5);
  const { context, page, errors } = await openPage('#/orders', { token: viewer });
  await page.waitForSelector('#orders');
  assert.match(await page.textContent('#mode'), /viewer/);
  assert.ok(await page.isDisabled('#new-po'));
  assert.match(await page.getAttribute('#new-po', 'title'), /purchasing\.write/);
  await page.evaluate((id) => { location.hash = `#/orders/${id}`; }, po.id);
  await page.waitForSelector('#po-status.ordered');
  assert.ok(await page.isDisabled('#cancel-po'));
  assert.match(await page.getAttribute('#cancel-po', 'title'), /purchasing\.write/);
  await page.fill('#po-lines input[data-line="1"]', '1');
  await page.waitForSelector('#receipt-check[data-code="forbidden"]');
  assert.match(await page.textContent('#receipt-check'), /purchasing\.receive/);
  assert.doesNotMatch(await page.textContent('#receipt-check'), /forbidden: forbidden/);
  assert.ok(await page.isDisabled('#receive'));
  // Said in the page too, not only in a tooltip a keyboard never shows.
  assert.match(await page.textContent('#forbidden-note'), /purchasing\.receive, purchasing\.write/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the server going away mid-session is said plainly, and the page goes on when it is back', async () => {
  const { context, page } = await openPage('#/orders');
  await page.waitForSelector('#orders');
  await context.route('**/api/**', (route) => route.abort('connectionrefused'));
  await page.click('#new-po');
  await page.waitForSelector('#flash.error');
  const message = await page.textContent('#flash');
  assert.match(message, /^the server could not be reached/, 'said in words, without a code of the page\'s own');
  assert.equal(await page.getAttribute('#flash', 'role'), 'alert');
  // The header no longer says "Online" while nothing answers.
  assert.match(await page.textContent('#mode'), /Server not reachable/);
  assert.ok(!(await page.isDisabled('#new-po')), 'the button works again for a retry');
  await context.unroute('**/api/**');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  assert.match(await page.textContent('#mode'), /^Online/);
  // The old error does not stay on the new screen.
  assert.equal(await page.textContent('#flash'), '');
  await context.close();
});

test('the ledger shows times on the clerk\'s clock, and links its PO', async () => {
  const po = await orderedPo('WASH-M8', 3);
  await ok('receive_purchase_order', { id: po.id, lines: [{ line_no: 1, quantity: 3 }] });
  const { context, page } = await openPage(`#/ledger?product=${po.lines[0].product_id}&type=purchase`, {
    contextOptions: { timezoneId: 'Pacific/Auckland' },
  });
  await page.waitForSelector('#ledger tbody tr');
  const cell = page.locator('#ledger tbody tr:first-child td[data-col="time"]');
  const utc = await cell.getAttribute('title');
  const expected = new Date(utc).toLocaleString('sv-SE', { timeZone: 'Pacific/Auckland' });
  assert.equal(await cell.textContent(), expected);
  await page.click('#ledger tbody tr:first-child a[href^="#/orders/"]');
  await page.waitForFunction((n) => document.getElementById('po-number')?.textContent === n, po.number);
  await context.close();
});

test('cancelling a PO is asked once more; "no" changes nothing', async () => {
  const po = await orderedPo('TEE-15', 4);
  const { context, page } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.ordered');
  const before = server.requests().length;
  page.once('dialog', (d) => d.dismiss());
  await page.click('#cancel-po');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#po-status.ordered').count(), 1);
  assert.deepEqual(server.requests().slice(before).filter((r) => r.method === 'POST'), []);
  assert.equal((await ok('get_purchase_order', { id: po.id })).purchase_order.status, 'ordered');
  page.once('dialog', (d) => d.accept());
  await page.click('#cancel-po');
  await page.waitForSelector('#po-status.cancelled');
  assert.match(await page.textContent('#flash'), /Cancelled/);
  await context.close();
});

test('a refusal reads as the engine says it, without a dump of its details', async () => {
  const { context, page } = await openPage('#/orders/99999');
  await page.waitForSelector('#flash.error');
  const message = await page.textContent('#flash');
  assert.match(message, /^not_found: purchase_order 99999 not found$/);
  await context.close();
});

test('offline, Reset asks before it forgets the work done in this browser', async () => {
  const context = await browser.newContext();
  await context.route('**/api/**', (route) => route.abort());
  const page = await context.newPage();
  await page.goto(`${server.origin}/?offline#/orders`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForSelector('#orders tr[data-po]');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  const number = await page.textContent('#po-number');
  page.once('dialog', (d) => d.dismiss());
  await page.click('#reset-offline');
  await page.waitForTimeout(300);
  await page.evaluate(() => { location.hash = '#/orders?status=draft'; });
  await page.waitForSelector(`#orders tr[data-po="${number}"]`);
  await context.close();
});

test('a sign-in the server refuses stops with the reason, never falls back to offline demo data', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.origin}/#token=sb_${'0'.repeat(64)}`);
  await page.waitForSelector('#flash.error');
  assert.match(await page.textContent('#flash'), /no longer valid.*new link/);
  assert.notEqual(await page.getAttribute('body', 'data-mode'), 'offline');
  assert.equal(await page.locator('#products').count(), 0, 'no demo products shown as if they were the books');
  await context.close();
});

test('a server that cannot be reached at start: offline, and the clerk is told so', async () => {
  const context = await browser.newContext();
  await context.route('**/api/**', (route) => route.abort('connectionrefused'));
  const page = await context.newPage();
  await page.goto(`${server.url}`);
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.getAttribute('body', 'data-mode'), 'offline');
  assert.match(await page.textContent('#flash'), /Working offline: the server could not be reached/);
  await context.close();
});

test('a screen that cannot load says so instead of leaving the previous one under the new tab', async () => {
  const { context, page } = await openPage('#/orders');
  await page.waitForSelector('#orders');
  await context.route('**/api/**', (route) => route.abort('connectionrefused'));
  await page.click('nav a[href="#/products"]');
  await page.waitForSelector('#load-error');
  assert.equal(await page.locator('#orders').count(), 0);
  assert.match(await page.textContent('#load-error'), /could not be reached; try again/);
  await context.unroute('**/api/**');
  await page.click('#retry');
  await page.waitForSelector('#products tr[data-sku]');
  await context.close();
});

test('a change that leaves stock low says so, and the alert waits under Alerts until acknowledged', async () => {
  const product = await ok('create_product', { sku: 'ALERT-1', name: 'Alert test part', low_stock_threshold: 5 });
  const id = (product.product ?? product).id;
  const created = await ok('create_purchase_order', { supplier_id: 1, lines: [{ product_id: id, quantity: 10, unit_cost: '1.00' }] });
  await ok('order_purchase_order', { id: created.purchase_order.id });
  await ok('receive_purchase_order', { id: created.purchase_order.id, lines: [{ line_no: 1, quantity: 10 }] });
  const { context, page } = await openPage(`#/orders/${created.purchase_order.id}`);
  await page.waitForSelector('#po-status.received');
  await page.fill('#po-lines input[data-return-line="1"]', '6');
  await page.click('#return-po');
  await page.waitForFunction(() => /Returned/.test(document.getElementById('flash').textContent));
  assert.match(await page.textContent('#flash'), /Low stock: ALERT-1 4 on hand \(threshold 5\)/);
  await page.click('nav a[href="#/alerts"]');
  const row = page.locator('#alerts tr[data-alert]', { hasText: 'ALERT-1' });
  await row.waitFor();
  assert.match(await row.textContent(), /Alert test part\s*4\s*5/);
  await row.locator('button[data-ack]').click();
  await page.waitForFunction(() => /acknowledged/.test(document.getElementById('flash').textContent));
  assert.equal(await page.locator('#alerts tr[data-alert]', { hasText: 'ALERT-1' }).count(), 0);
  await context.close();
});

test('a keyboard user adding lines stays in the quantity box', async () => {
  const { context, page } = await openPage('#/orders');
  await page.waitForSelector('#orders');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  await page.focus('#line-qty');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('3');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#po-lines tr[data-line="1"]');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'line-qty');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('4');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#po-lines tr[data-line="2"]');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'line-qty');
  await context.close();
});

test('keyboard only: a refusal puts the focus on the box at fault, and a button that went away leaves it on the screen\'s heading', async () => {
  const po = await orderedPo('TEE-15', 4);
  await ok('receive_purchase_order', { id: po.id, lines: [{ line_no: 1, quantity: 4 }] });
  const { context, page } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.received');
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return { tag: a.tagName, id: a.id, line: a.dataset.returnLine ?? null, invalid: a.getAttribute('aria-invalid') };
  });
  // Too many back: the refusal is said, and the focus is on line 1's box, marked.
  await page.fill('#po-lines input[data-return-line="1"]', '9');
  await page.focus('#return-po');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#flash.error');
  assert.deepEqual(await focused(), { tag: 'INPUT', id: '', line: '1', invalid: 'true' });
  // A new draft, its line refused for a missing quantity: the focus is in the quantity box.
  await page.evaluate(() => { location.hash = '#/orders'; });
  await page.waitForSelector('#orders');
  await page.focus('#new-po');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#po-status.draft');
  await page.fill('#line-qty', '');
  await page.focus('#add-line');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#flash.error');
  assert.deepEqual(await focused(), { tag: 'INPUT', id: 'line-qty', line: null, invalid: 'true' });
  await page.keyboard.type('2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#po-lines tr[data-line="1"]');
  assert.equal(await page.getAttribute('#line-qty', 'aria-invalid'), null);
  // Ordered: its Order button is gone; the focus is on the PO's heading, not lost to the top.
  await page.focus('#order-po');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#po-status.ordered');
  assert.equal((await focused()).tag, 'H2');
  await page.keyboard.press('Tab');
  assert.notEqual((await focused()).tag, 'BODY');
  await context.close();
});

test('a draft takes its expected date and the supplier\'s reference; the list shows when goods are expected; a refused value stays typed', async () => {
  const draft = (await ok('create_purchase_order', { supplier_id: 2 })).purchase_order;
  const { context, page } = await openPage(`#/orders/${draft.id}`);
  await page.waitForSelector('#po-status.draft');
  await page.getByLabel('Expected').fill('2031-05-14');
  const ref = page.getByLabel('Supplier\'s reference');
  await ref.fill('X'.repeat(65));
  await ref.press('Enter');
  await page.waitForSelector('#flash.error');
  assert.match(await page.textContent('#flash'), /Supplier's reference: at most 64 characters/);
  assert.doesNotMatch(await page.textContent('#flash'), /vendor_reference/);
  assert.equal(await ref.inputValue(), 'X'.repeat(65), 'what was typed stays');
  assert.equal(await ref.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'po-vendor-ref');
  await ref.fill('VOLT-5521');
  await ref.press('Enter');
  await page.waitForFunction(() => /expected 2031-05-14/.test(document.getElementById('po-header').textContent));
  assert.match(await page.textContent('#po-header'), /VOLT-5521/);
  const saved = (await ok('get_purchase_order', { id: draft.id })).purchase_order;
  assert.equal(saved.expected_date, '2031-05-14');
  assert.equal(saved.vendor_reference, 'VOLT-5521');
  await page.evaluate(() => { location.hash = '#/orders'; });
  await page.waitForSelector(`#orders tr[data-po="${draft.number}"]`);
  assert.equal(await page.textContent(`#orders tr[data-po="${draft.number}"] td[data-col="expected"]`), '2031-05-14');
  await context.close();
});

test('a product without stock tracking reads "stock not tracked", not 0 on hand; a draft shows its order date as such', async () => {
  await ok('create_product', { sku: 'SVC-HOUR', name: 'Service hour', track_inventory: false });
  const { context, page } = await openPage('#/products?q=SVC-HOUR');
  const row = page.locator('#products tr[data-sku="SVC-HOUR"]');
  await row.waitFor();
  assert.match(await row.textContent(), /stock not tracked/);
  assert.doesNotMatch(await row.textContent(), /\b0\b/);
  await page.evaluate(() => { location.hash = '#/orders'; });
  await page.waitForSelector('#orders');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  assert.match(await page.textContent('#po-header'), /order date \d{4}-\d{2}-\d{2}/);
  assert.doesNotMatch(await page.textContent('#po-header'), /ordered/);
  await context.close();
});

test('a receipt another clerk made meanwhile: the server\'s refusal names the line and the PO is shown as it is now', async () => {
  const po = await orderedPo('WASH-M8', 10);
  const { context, page } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.ordered');
  // Another clerk receives 7 while this page still shows 0 received.
  await ok('receive_purchase_order', { id: po.id, lines: [{ line_no: 1, quantity: 7 }] });
  await page.fill('#po-lines input[data-line="1"]', '5');
  await page.waitForSelector('#receipt-check[data-code="ok"]'); // the page's mirror is from before
  await page.click('#receive');
  await page.waitForSelector('#po-status.partially_received');
  assert.equal(await page.textContent('#po-lines tr[data-line="1"] td[data-col="received"]'), '7');
  assert.equal(await page.textContent('#flash'), 'Not received: Over-receipt on line 1: 5 requested, only 3 outstanding');
  // And the inline check now knows it too.
  await page.fill('#po-lines input[data-line="1"]', '5');
  await page.waitForSelector('#receipt-check[data-code="over_receipt"]');
  await context.close();
});

test('a product search that matches nothing says so, and Add line sends nothing', async () => {
  const { context, page } = await openPage('#/orders');
  await page.waitForSelector('#orders');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  await page.fill('#line-product-search', 'no-such-thing-xyz');
  await page.waitForFunction(() => document.querySelector('#line-product option')?.textContent === 'no product matches');
  const before = server.requests().length;
  await page.click('#add-line');
  await page.waitForSelector('#flash.error');
  assert.match(await page.textContent('#flash'), /choose a product/);
  assert.deepEqual(server.requests().slice(before).filter((r) => r.method === 'POST'), []);
  await context.close();
});

/** The request log's entries since `before` for `method` on paths matching `path`. */
function logged(before, method, path) {
  return server.requests().slice(before).filter((r) => r.method === method && path.test(r.path));
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('a packing slip, scanned')]);
const PDF = Buffer.from('%PDF-1.4\n% the supplier\'s packing slip\n');

/** The body of a download the page started by clicking `selector`. */
async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const { readFileSync } = await import('node:fs');
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

test('a received PO takes the supplier\'s packing slip: attached, named, opened, downloaded, replaced after asking', async () => {
  const po = await orderedPo('WASH-M8', 10);
  await ok('receive_purchase_order', { id: po.id, lines: [{ line_no: 1, quantity: 4 }] });
  const { context, page, errors } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.partially_received');
  await page.waitForSelector('#slip-none');
  assert.ok(await page.isDisabled('#attach-slip'), 'nothing to attach before a file is chosen');
  await page.setInputFiles('#slip-file', { name: 'scan.png', mimeType: 'image/png', buffer: PNG });
  await page.click('#attach-slip');
  await page.waitForSelector('#slip-name');
  const stored = await page.textContent('#slip-name');
  assert.match(stored, new RegExp(`^${po.number}_CRED001_\\d{8}\\.png$`));
  assert.match(await page.textContent('#flash'), new RegExp(`Packing slip attached: ${stored}`));
  // What the server keeps is the file chosen, under the name shown.
  const kept = await fetch(`${server.origin}/api/purchase-orders/${po.id}/packing-slip`, { headers: { authorization: `Bearer ${server.token}` } });
  assert.deepEqual(Buffer.from(await kept.arrayBuffer()), PNG);

  // Download: the file, under its stored name.
  const got = await download(page, '#download-slip');
  assert.equal(got.name, stored);
  assert.deepEqual(got.bytes, PNG);
  // Open: in a new tab.
  const [tab] = await Promise.all([context.waitForEvent('page'), page.click('#open-slip')]);
  await tab.waitForURL(/^blob:/);
  await tab.close();

  // Replacing is asked first; "no" sends nothing.
  let before = server.requests().length;
  await page.setInputFiles('#slip-file', { name: 'better-scan.pdf', mimeType: 'application/pdf', buffer: PDF });
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await page.click('#attach-slip');
  await page.waitForFunction(() => !document.getElementById('attach-slip').disabled);
  assert.match(asked[0], new RegExp(`already has a packing slip \\(${stored}\\)`));
  assert.deepEqual(logged(before, 'PUT', /packing-slip$/), []);
  assert.equal(await page.textContent('#slip-name'), stored);
  page.once('dialog', (d) => d.accept());
  await page.click('#attach-slip');
  await page.waitForFunction((s) => document.getElementById('slip-name')?.textContent === s.replace(/png$/, 'pdf'), stored);
  assert.match(await page.textContent('#flash'), /Packing slip replaced/);

  // What the server refuses is said in its words: a file that is no PDF, PNG or JPEG...
  before = server.requests().length;
  await page.setInputFiles('#slip-file', { name: 'slip.pdf', mimeType: 'application/pdf', buffer: Buffer.from('just text, named .pdf') });
  page.once('dialog', (d) => d.accept());
  await page.click('#attach-slip');
  await page.waitForSelector('#flash.error');
  assert.equal(await page.getAttribute('#flash', 'role'), 'alert');
  assert.equal(await page.textContent('#flash'), 'Packing slip not attached (invalid_field): a packing slip must be a PDF, PNG or JPEG file (checked by its content)');
  assert.deepEqual(logged(before, 'PUT', /packing-slip$/).map((r) => r.status), [400]);
  // ...and one over 10 MB.
  const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
  await page.setInputFiles('#slip-file', { name: 'huge.pdf', mimeType: 'application/pdf', buffer: big });
  page.once('dialog', (d) => d.accept());
  await page.click('#attach-slip');
  await page.waitForFunction(() => /10485760 bytes|10 MB/.test(document.getElementById('flash').textContent));
  assert.match(await page.textContent('#flash'), /^Packing slip not attached \(payload_too_large\): /);
  // The slip attached before is still the one.
  assert.equal(await page.textContent('#slip-name'), stored.replace(/png$/, 'pdf'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('offline, a received PO says its packing slip needs the server instead of offering a dead button', async () => {
  const context = await browser.newContext();
  await context.route('**/api/**', (route) => route.abort());
  const page = await context.newPage();
  await page.goto(`${server.origin}/?offline#/orders?status=received`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.click('#orders tr[data-po] a');
  await page.waitForSelector('#po-status.received');
  assert.match(await page.textContent('#slip-offline'), /kept by the server/);
  assert.equal(await page.locator('#attach-slip, #slip-file, #download-slip').count(), 0);
  await context.close();
});

test('an admin downloads a year\'s packing slips as one ZIP; a clerk is not offered it', async () => {
  const po = await orderedPo('NUT-M6', 2);
  await ok('receive_purchase_order', { id: po.id, lines: [{ line_no: 1, quantity: 2 }] });
  const put = await fetch(`${server.origin}/api/purchase-orders/${po.id}/packing-slip`, {
    method: 'PUT', headers: { authorization: `Bearer ${server.token}` }, body: PDF,
  });
  assert.equal(put.status, 200);
  const { file_name: stored, year } = (await put.json()).ok;
  const clerk = await openPage('#/orders');
  await clerk.page.waitForSelector('#orders');
  assert.equal(await clerk.page.locator('#slips-zip').count(), 0);
  await clerk.context.close();
  const { context, page } = await openPage('#/orders', { token: server.createToken('admin', 'boss') });
  await page.waitForSelector('#slips-zip');
  await page.fill('#slips-year', String(year));
  const zip = await download(page, '#slips-zip');
  assert.equal(zip.name, `packing-slips-${year}.zip`);
  assert.equal(zip.bytes.subarray(0, 2).toString(), 'PK');
  assert.ok(zip.bytes.includes(Buffer.from(stored)), `${stored} in the ZIP`);
  await context.close();
});

test('a free-text line (no product) goes on a draft with its description and cost, and is received like the others', async () => {
  const { context, page, errors } = await openPage('#/orders');
  await page.waitForSelector('#orders');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  await page.selectOption('#line-product', { label: 'No product: free-text line' });
  await page.fill('#line-description', 'Pallet deposit');
  await page.fill('#line-qty', '2');
  // Without its unit cost: the engine says what is missing.
  await page.click('#add-line');
  await page.waitForSelector('#flash.error');
  assert.equal(await page.textContent('#flash'), 'invalid_field: New line, unit cost: a free-text line needs a unit cost');
  await page.fill('#line-cost', '12.50');
  await page.click('#add-line');
  const row = page.locator('#po-lines tr[data-line="1"]');
  await row.waitFor();
  assert.equal(await row.locator('td[data-col="sku"]').textContent(), 'free text');
  assert.equal(await row.locator('td[data-col="description"]').textContent(), 'Pallet deposit');
  assert.equal(await row.locator('td[data-col="ordered"]').textContent(), '2');
  assert.equal(await row.locator('td[data-col="unit_cost"]').textContent(), '12.50');
  // A product line after it keeps the free-text line as it was.
  await page.selectOption('#line-product', { label: 'WASH-M8 — M8 Flat Washer' });
  await page.fill('#line-description', '');
  await page.fill('#line-qty', '5');
  await page.fill('#line-cost', '');
  await page.click('#add-line');
  await page.waitForSelector('#po-lines tr[data-line="2"]');
  assert.equal(await page.textContent('#po-lines tr[data-line="2"] td[data-col="description"]'), 'M8 Flat Washer');
  const id = Number(new URL(page.url()).hash.match(/orders\/(\d+)/)[1]);
  const lines = (await ok('get_purchase_order', { id })).purchase_order.lines;
  assert.deepEqual(lines.map((l) => [l.product_id === null, l.description, l.quantity, l.unit_cost]),
    [[true, 'Pallet deposit', '2', '12.50'], [false, 'M8 Flat Washer', '5', lines[1].unit_cost]]);
  await page.click('#order-po');
  await page.waitForSelector('#po-status.ordered');
  await page.fill('#po-lines input[data-line="1"]', '2');
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.click('#receive');
  await page.waitForSelector('#po-status.partially_received');
  assert.equal(await page.textContent('#po-lines tr[data-line="1"] td[data-col="received"]'), '2');
  assert.deepEqual(errors, []);
  await context.close();
});

test('each line has a destination location, shown on the PO; a receipt can put a line into another', async () => {
  const admin = server.createToken('admin', 'boss');
  const van = await ok('create_location', { name: 'Van 7' }, admin);
  const { context, page, errors } = await openPage('#/orders');
  await page.waitForSelector('#orders');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  // The engine's locations, Main first (the default).
  assert.deepEqual(await page.locator('#line-location option').allTextContents(), (await ok('list_locations')).map((l) => l.name));
  assert.equal(await page.$eval('#line-location', (s) => s.selectedOptions[0].textContent), 'Main');
  await page.selectOption('#line-product', { label: 'LVL-60 — Spirit Level 60 cm' });
  await page.fill('#line-qty', '4');
  await page.selectOption('#line-location', { label: 'Van 7' });
  await page.click('#add-line');
  await page.waitForSelector('#po-lines tr[data-line="1"]');
  await page.selectOption('#line-product', String(await productId('TEE-15')));
  await page.selectOption('#line-location', { label: 'Main' });
  await page.fill('#line-qty', '3');
  await page.click('#add-line');
  await page.waitForSelector('#po-lines tr[data-line="2"]');
  assert.equal(await page.textContent('#po-lines tr[data-line="1"] td[data-col="location"]'), 'Van 7');
  assert.equal(await page.textContent('#po-lines tr[data-line="2"] td[data-col="location"]'), 'Main');
  await page.click('#order-po');
  await page.waitForSelector('#po-status.ordered');
  const id = Number(new URL(page.url()).hash.match(/orders\/(\d+)/)[1]);
  const tee = await productId('TEE-15');
  const atVan = async (pid) => (await ok('get_stock', { product_id: pid })).locations.find((l) => l.location_id === van.id)?.on_hand ?? '0';
  const teeAtVanBefore = await atVan(tee);
  // Each line offers where it goes, its destination chosen.
  assert.equal(await page.$eval('select[data-receive-location="1"]', (s) => s.selectedOptions[0].textContent), 'Van 7');
  assert.equal(await page.$eval('select[data-receive-location="2"]', (s) => s.selectedOptions[0].textContent), 'Main');
  // Line 2 goes into the van instead.
  await page.fill('#po-lines input[data-line="1"]', '4');
  await page.fill('#po-lines input[data-line="2"]', '3');
  await page.selectOption('select[data-receive-location="2"]', { label: 'Van 7' });
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  const sent = page.waitForRequest((r) => r.method() === 'POST' && /\/receive$/.test(r.url()));
  await page.click('#receive');
  const body = JSON.parse((await sent).postData());
  assert.deepEqual(body.lines, [{ line_no: 1, quantity: '4' }, { line_no: 2, quantity: '3', location_id: van.id }]);
  await page.waitForSelector('#po-status.received');
  assert.equal(await atVan(tee), String(Number(teeAtVanBefore) + 3));
  assert.equal(await atVan(await productId('LVL-60')), '4');
  const moves = await ok('list_movements', { product_id: tee, type: 'purchase', direction: 'desc', limit: 1 });
  assert.equal(moves.movements[0].location_id, van.id);
  assert.equal(moves.movements[0].source.purchase_order, id);
  // The ledger says where each movement happened: balances are per location.
  await page.evaluate((pid) => { location.hash = `#/ledger?product=${pid}&type=`; }, tee);
  const top = page.locator(`#ledger tr[data-seq="${moves.movements[0].seq}"]`);
  await top.waitFor();
  assert.equal(await top.locator('td[data-col="location"]').textContent(), 'Van 7');
  assert.equal(await page.locator('#ledger tbody tr td[data-col="location"]', { hasText: 'Main' }).count() >= 1, true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('goods that came on an earlier day are received on that date; a date before the order is refused as the engine says', async () => {
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const created = await ok('create_purchase_order', { supplier_id: 1, order_date: day(-10), lines: [{ product_id: await productId('NUT-M6'), quantity: 5, unit_cost: '1.00' }] });
  const po = (await ok('order_purchase_order', { id: created.purchase_order.id })).purchase_order;
  const { context, page } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.ordered');
  await page.fill('#po-lines input[data-line="1"]', '5');
  await page.fill('#received-date', day(-12));
  await page.waitForSelector('#receipt-check[data-code="invalid_field"]');
  assert.match(await page.textContent('#receipt-check'), /^Received on: /);
  assert.equal(await page.locator('#received-date.invalid').count(), 1);
  assert.ok(await page.isDisabled('#receive'));
  await page.fill('#received-date', day(-3));
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.click('#receive');
  await page.waitForSelector('#po-status.received');
  assert.match(await page.textContent('#po-header'), new RegExp(`received ${day(-3)}`));
  assert.equal((await ok('get_purchase_order', { id: po.id })).purchase_order.received_date, day(-3));
  await context.close();
});

test('two filters changed while the first answer is slow: the screen ends on the last one, never an older answer over it', async () => {
  const washer = await productId('WASH-M8');
  const { context, page } = await openPage(`#/ledger?product=${washer}&type=`);
  await page.waitForSelector('#ledger tbody tr');
  // The answer for "adjustments" is held back while the clerk moves on to
  // "purchases", until the purchases are on the screen (a page that asks
  // both at once) or a second passed (a page that waits for the first).
  let release;
  const held = new Promise((r) => { release = r; });
  let holding = true;
  await page.route('**/api/commands', async (route) => {
    const body = route.request().postDataJSON();
    if (holding && body?.cmd === 'list_movements' && body.args?.type === 'adjustment') {
      holding = false;
      await held;
    }
    return route.continue();
  });
  const draws = Number(await page.getAttribute('body', 'data-draws'));
  const asked = page.waitForRequest((r) => r.postDataJSON()?.args?.type === 'adjustment');
  await page.selectOption('#ledger-type', 'adjustment');
  await asked;
  const purchases = `#/ledger?product=${washer}&type=purchase`;
  await page.evaluate((h) => { location.hash = h; }, purchases);
  const drawn = page.waitForFunction((h) => document.body.dataset.shown === h, purchases).catch(() => {});
  await Promise.race([drawn, page.waitForTimeout(1000)]);
  release();
  // Both screens drawn, in whatever order the page drew them.
  await page.waitForFunction((n) => Number(document.body.dataset.draws) === n + 2, draws);
  assert.equal(await page.getAttribute('body', 'data-shown'), purchases);
  assert.equal(await page.$eval('#ledger-type', (s) => s.value), 'purchase');
  const types = await page.locator('#ledger tbody tr td:nth-child(5)').allTextContents();
  assert.ok(types.length > 0 && types.every((t) => t === 'purchase'), types.join());
  await context.close();
});

test('a receipt screen loads only its PO\'s records, a change downloads no snapshot, and the inline answer is the server\'s byte for byte', async () => {
  await orderedPo('BOLT-M8-30', 3); // another PO, not this screen's
  const po = await orderedPo('WASH-M8', 10);
  const start = server.requests().length;
  const { context, page, errors } = await openPage(`#/orders/${po.id}`);
  await page.waitForSelector('#po-status.ordered');
  const snapshots = () => server.requests().slice(start).filter((r) => r.path.startsWith('/api/snapshot')).map((r) => r.path);
  assert.deepEqual(snapshots(), [`/api/snapshot?purchase_order=${po.id}`]);
  // Refused inline, and the very bytes the server answers for it.
  await page.fill('#po-lines input[data-line="1"]', '11');
  await page.waitForSelector('#receipt-check[data-code="over_receipt"]');
  const receipt = { lines: [{ line_no: 1, quantity: '11' }] };
  const inBrowser = await page.evaluate(async ({ id, receipt }) => {
    const { init, Stockbook } = await import('/pkg/stockbook.js');
    await init();
    const token = sessionStorage.getItem('stockbook.token');
    const text = await (await fetch(`/api/snapshot?purchase_order=${id}`, { headers: { authorization: `Bearer ${token}` } })).text();
    const mirror = Stockbook.fromSnapshot(JSON.parse(text).ok);
    try {
      return mirror.executeJson(JSON.stringify({ cmd: 'receive_purchase_order', actor: { id: 'web-demo', permissions: ['admin'] }, now: new Date().toISOString(), args: { id, ...receipt } }));
    } finally {
      mirror.free();
    }
  }, { id: po.id, receipt });
  const sent = await fetch(`${server.origin}/api/purchase-orders/${po.id}/receive`, {
    method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify(receipt),
  });
  assert.equal(sent.status, 422);
  assert.equal(inBrowser, await sent.text());
  // A receipt: no whole snapshot, only this PO's again for the screen it shows next.
  const before = snapshots().length;
  await page.fill('#po-lines input[data-line="1"]', '4');
  await page.waitForSelector('#receipt-check[data-code="ok"]');
  await page.click('#receive');
  await page.waitForSelector('#po-status.partially_received');
  await page.waitForFunction(() => document.querySelector('#po-lines input[data-line="1"]'));
  assert.deepEqual(snapshots().slice(before), [`/api/snapshot?purchase_order=${po.id}`]);
  // The refreshed mirror knows the 4 received.
  await page.fill('#po-lines input[data-line="1"]', '7');
  await page.waitForSelector('#receipt-check[data-code="over_receipt"]');
  assert.match(await page.textContent('#receipt-check'), /7 requested, only 6 outstanding/);
  // Changes elsewhere download no snapshot at all.
  const quiet = snapshots().length;
  await page.evaluate(() => { location.hash = '#/orders'; });
  await page.waitForSelector('#orders');
  await page.click('#new-po');
  await page.waitForSelector('#po-status.draft');
  assert.deepEqual(snapshots().slice(quiet), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the year\'s ZIP is offered when the server says the token may call its route, whatever the permissions read like', async () => {
  const zip = 'GET /api/packing-slips/zip';
  // The server's answer to /api/me, edited: the page must follow it, not a rule of its own.
  const edited = async (token, edit) => {
    const context = await browser.newContext();
    await context.route('**/api/me', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.ok.host_routes = edit(body.ok.host_routes);
      await route.fulfill({ response: res, json: body });
    });
    const page = await context.newPage();
    await page.goto(`${server.origin}/#token=${token}`);
    await page.waitForSelector('body[data-ready="1"]');
    await page.evaluate(() => { location.hash = '#/orders'; });
    await page.waitForSelector('#orders');
    const offered = await page.locator('#slips-zip').count();
    await context.close();
    return offered;
  };
  const admin = server.createToken('admin', 'boss');
  assert.equal(await edited(admin, (routes) => routes), 1);
  assert.equal(await edited(admin, (routes) => routes.filter((r) => r !== zip)), 0);
  assert.equal(await edited(server.token, (routes) => routes), 0);
  assert.equal(await edited(server.token, (routes) => [...routes, zip]), 1);
});
