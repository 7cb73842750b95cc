// The purchasing clerk's page: products, suppliers, purchase orders (with
// the PO page: draft, lines, order, receive) and the stock ledger.
// Plain ES modules, no build step. Every answer comes from the engine (see
// backend.js); this file only shows them and collects input.

import { connect, LocalBackend, Refusal } from './backend.js';

const $main = document.querySelector('main');
let api;
const cache = { suppliers: null, products: null };

// ---- tiny DOM helpers ----

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function table(headers, rows, attrs = {}) {
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))), h('tbody', {}, rows));
}

function show(...nodes) {
  $main.replaceChildren(...nodes);
}

function errorText(e) {
  if (e instanceof Refusal) {
    const d = e.details && Object.keys(e.details).length ? ` ${JSON.stringify(e.details)}` : '';
    return `${e.code}: ${e.message}${d}`;
  }
  return String(e?.message ?? e);
}

function flash(text, kind = 'ok') {
  const el = document.getElementById('flash');
  el.textContent = text;
  el.className = kind;
}

async function guarded(fn) {
  try {
    await fn();
  } catch (e) {
    flash(errorText(e), 'error');
  }
}

const STATUS_LABEL = {
  draft: 'Draft',
  ordered: 'Ordered',
  partially_received: 'Partially received',
  received: 'Received',
  cancelled: 'Cancelled',
  closed: 'Closed',
};

async function suppliers() {
  cache.suppliers ??= (await api.call('list_suppliers', { page_size: 50 })).items;
  return cache.suppliers;
}

async function products() {
  cache.products = (await api.call('list_products', { page_size: 50 })).items;
  return cache.products;
}

function supplierName(list, id) {
  return list.find((s) => s.id === id)?.name ?? `#${id}`;
}

// ---- views ----

async function productsView() {
  const list = await products();
  show(
    h('h2', {}, 'Products'),
    table(
      ['SKU', 'Name', 'On hand', 'Held', 'Available', 'Incoming', ''],
      list.map((p) =>
        h('tr', { 'data-sku': p.product.sku },
          h('td', {}, p.product.sku),
          h('td', {}, p.product.name),
          h('td', { class: 'num', 'data-col': 'on_hand' }, p.stock.on_hand),
          h('td', { class: 'num' }, p.stock.held),
          h('td', { class: 'num' }, p.stock.available),
          h('td', { class: 'num', 'data-col': 'incoming' }, p.stock.incoming),
          h('td', {}, p.stock.low_stock ? h('span', { class: 'badge low' }, 'Low stock') : null,
            p.stock.oversold ? h('span', { class: 'badge oversold' }, 'Oversold') : null),
        ),
      ),
      { id: 'products' },
    ),
  );
}

async function suppliersView() {
  cache.suppliers = null;
  const list = await suppliers();
  show(
    h('h2', {}, 'Suppliers'),
    table(
      ['Creditor no.', 'Name', 'Contact', 'Email', 'PO delivery', 'Active'],
      list.map((s) =>
        h('tr', {}, h('td', {}, s.creditor_number), h('td', {}, s.name), h('td', {}, s.contact_person ?? ''),
          h('td', {}, s.email ?? ''), h('td', {}, s.po_delivery), h('td', {}, s.active ? 'yes' : 'no')),
      ),
      { id: 'suppliers' },
    ),
  );
}

async function ordersView(params) {
  const status = params.get('status') || '';
  const [sups, page] = await Promise.all([
    suppliers(),
    api.call('list_purchase_orders', { page_size: 50, ...(status ? { status } : {}) }),
  ]);
  const filter = h('select', { id: 'status-filter', onchange: (e) => go(`#/orders?status=${e.target.value}`) },
    h('option', { value: '' }, 'All statuses'),
    Object.entries(STATUS_LABEL).map(([v, label]) => h('option', { value: v, selected: v === status }, label)));
  const supplierSelect = h('select', { id: 'new-po-supplier' },
    sups.filter((s) => s.active).map((s) => h('option', { value: s.id }, s.name)));
  const create = h('button', {
    id: 'new-po',
    onclick: () => guarded(async () => {
      const view = await api.change('create_purchase_order', { supplier_id: Number(supplierSelect.value) });
      go(`#/orders/${view.purchase_order.id}`);
    }),
  }, 'New draft PO');
  show(
    h('h2', {}, 'Purchase orders'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Status ', filter), h('span', { class: 'spacer' }),
      h('label', {}, 'Supplier ', supplierSelect), create),
    table(
      ['Number', 'Supplier', 'Status', 'Order date', 'Lines', 'Total'],
      page.items.map((po) =>
        h('tr', { 'data-po': po.number },
          h('td', {}, h('a', { href: `#/orders/${po.id}` }, po.number)),
          h('td', {}, supplierName(sups, po.supplier_id)),
          h('td', {}, h('span', { class: `status ${po.status}` }, STATUS_LABEL[po.status] ?? po.status)),
          h('td', {}, po.order_date),
          h('td', { class: 'num' }, po.line_count),
          h('td', { class: 'num' }, po.total)),
      ),
      { id: 'orders' },
    ),
    h('p', { class: 'muted' }, `${page.total_count} purchase order(s)`),
  );
}

function lineEditor(po, prods) {
  const product = h('select', { id: 'line-product' }, prods.map((p) => h('option', { value: p.product.id }, `${p.product.sku} — ${p.product.name}`)));
  const qty = h('input', { id: 'line-qty', type: 'text', inputmode: 'decimal', value: '1', size: 6 });
  const cost = h('input', { id: 'line-cost', type: 'text', inputmode: 'decimal', placeholder: 'unit cost', size: 8 });
  const add = h('button', {
    id: 'add-line',
    onclick: () => guarded(async () => {
      const lines = po.lines.map((l) => ({ product_id: l.product_id, description: l.description, quantity: l.quantity, unit_cost: l.unit_cost, location_id: l.location_id }));
      const line = { product_id: Number(product.value), quantity: qty.value.trim() };
      if (cost.value.trim()) line.unit_cost = cost.value.trim();
      lines.push(line);
      await api.change('update_purchase_order', { id: po.id, lines });
      flash('Line added');
      poView(po.id);
    }),
  }, 'Add line');
  return h('div', { class: 'toolbar' }, h('label', {}, 'Product ', product), h('label', {}, 'Qty ', qty), h('label', {}, 'Cost ', cost), add);
}

function receiptForm(po) {
  const inputs = po.lines.map((l) => h('input', { type: 'text', inputmode: 'decimal', size: 6, 'data-line': l.line_no, placeholder: '0' }));
  const verdict = h('div', { id: 'receipt-check', role: 'status' });
  const submit = h('button', { id: 'receive', disabled: true }, 'Receive');
  const receipt = () => ({
    lines: inputs
      .map((i) => ({ line_no: Number(i.dataset.line), quantity: i.value.trim() }))
      .filter((l) => l.quantity !== '' && l.quantity !== '0'),
  });
  // Every keystroke asks the wasm engine what the server would answer.
  const check = () => {
    const r = receipt();
    inputs.forEach((i) => i.classList.remove('invalid'));
    if (r.lines.length === 0) {
      verdict.textContent = '';
      verdict.className = '';
      submit.disabled = true;
      return null;
    }
    const answer = api.validateReceipt(po.id, r);
    if (answer.error) {
      const e = answer.error;
      const line = e.details?.line;
      if (line !== undefined) inputs.find((i) => Number(i.dataset.line) === line)?.classList.add('invalid');
      verdict.textContent = e.code === 'over_receipt'
        ? `Over-receipt on line ${e.details.line}: ${e.details.requested} requested, only ${e.details.outstanding} outstanding`
        : `${e.code}: ${e.message}`;
      verdict.className = 'error';
      verdict.dataset.code = e.code;
      submit.disabled = true;
      return null;
    }
    verdict.textContent = `OK: the order becomes ${STATUS_LABEL[answer.ok.purchase_order.status]}`;
    verdict.className = 'ok';
    verdict.dataset.code = 'ok';
    submit.disabled = false;
    return r;
  };
  inputs.forEach((i) => i.addEventListener('input', check));
  submit.addEventListener('click', () => guarded(async () => {
    const r = check();
    if (!r) return;
    submit.disabled = true;
    await api.receive(po.id, r);
    flash('Received');
    cache.products = null;
    poView(po.id);
  }));
  return { inputs, verdict, submit };
}

async function poView(id) {
  const [view, sups, prods] = await Promise.all([api.call('get_purchase_order', { id }), suppliers(), products()]);
  const po = view.purchase_order;
  const name = (pid) => prods.find((p) => p.product.id === pid)?.product.sku ?? '';
  const editable = po.status === 'draft';
  const receivable = po.status === 'ordered' || po.status === 'partially_received';
  const form = receivable ? receiptForm(po) : null;
  const actions = h('div', { class: 'toolbar' },
    editable ? h('button', {
      id: 'order-po',
      disabled: po.lines.length === 0,
      onclick: () => guarded(async () => {
        await api.change('order_purchase_order', { id: po.id });
        flash('Ordered');
        poView(po.id);
      }),
    }, 'Order') : null,
    editable || po.status === 'ordered' ? h('button', {
      id: 'cancel-po',
      class: 'secondary',
      onclick: () => guarded(async () => {
        await api.change('cancel_purchase_order', { id: po.id });
        poView(po.id);
      }),
    }, 'Cancel PO') : null,
    form ? form.submit : null,
  );
  show(
    h('p', {}, h('a', { href: '#/orders' }, '← Purchase orders')),
    h('h2', {}, 'Purchase order ', h('span', { id: 'po-number' }, po.number), ' ',
      h('span', { id: 'po-status', class: `status ${po.status}` }, STATUS_LABEL[po.status] ?? po.status)),
    h('p', {}, `Supplier: ${supplierName(sups, po.supplier_id)} · ordered ${po.order_date}`,
      po.received_date ? ` · received ${po.received_date}` : ''),
    table(
      ['#', 'SKU', 'Description', 'Ordered', 'Unit cost', 'Received', receivable ? 'Receive now' : ''],
      po.lines.map((l, i) =>
        h('tr', { 'data-line': l.line_no },
          h('td', {}, l.line_no), h('td', {}, name(l.product_id)), h('td', {}, l.description),
          h('td', { class: 'num' }, l.quantity), h('td', { class: 'num' }, l.unit_cost),
          h('td', { class: 'num', 'data-col': 'received' }, l.received),
          h('td', {}, form ? form.inputs[i] : '')),
      ),
      { id: 'po-lines' },
    ),
    h('p', {}, `Total ${view.total} · received ${view.received_total}`),
    editable ? lineEditor(po, prods) : null,
    form ? form.verdict : null,
    actions,
  );
}

async function ledgerView(params) {
  const prods = await products();
  const productId = params.get('product') || '';
  const type = params.get('type') || '';
  const args = { limit: 1000 };
  if (productId) args.product_id = Number(productId);
  if (type) args.type = type;
  const page = await api.call('list_movements', args);
  const update = () => go(`#/ledger?product=${productSel.value}&type=${typeSel.value}`);
  const productSel = h('select', { id: 'ledger-product', onchange: update }, h('option', { value: '' }, 'All products'),
    prods.map((p) => h('option', { value: p.product.id, selected: String(p.product.id) === productId }, p.product.sku)));
  const typeSel = h('select', { id: 'ledger-type', onchange: update }, h('option', { value: '' }, 'All types'),
    ['purchase', 'consumption', 'adjustment', 'return'].map((t) => h('option', { value: t, selected: t === type }, t)));
  const sku = (id) => prods.find((p) => p.product.id === id)?.product.sku ?? `#${id}`;
  show(
    h('h2', {}, 'Stock ledger'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Product ', productSel), h('label', {}, 'Type ', typeSel)),
    table(
      ['Seq', 'Time', 'SKU', 'Type', 'Quantity', 'Balance after', 'Source'],
      [...page.movements].reverse().map((m) =>
        h('tr', { 'data-seq': m.seq },
          h('td', {}, m.seq), h('td', {}, m.at.replace('T', ' ').slice(0, 19)), h('td', {}, sku(m.product_id)),
          h('td', {}, m.type), h('td', { class: 'num' }, m.quantity), h('td', { class: 'num' }, m.balance_after),
          h('td', {}, [m.source.actor, m.source.purchase_order ? `PO #${m.source.purchase_order}` : null, m.reason].filter(Boolean).join(' · '))),
      ),
      { id: 'ledger' },
    ),
  );
}

// ---- routing ----

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  const [path, query] = (location.hash.slice(1) || '/products').split('?');
  const params = new URLSearchParams(query);
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', path.startsWith(a.getAttribute('href').slice(1))));
  await guarded(async () => {
    const po = path.match(/^\/orders\/(\d+)$/);
    if (po) await poView(Number(po[1]));
    else if (path === '/orders') await ordersView(params);
    else if (path === '/suppliers') await suppliersView();
    else if (path === '/ledger') await ledgerView(params);
    else await productsView();
  });
  document.body.dataset.view = path;
}

async function main() {
  api = await connect();
  const mode = document.getElementById('mode');
  if (api.mode === 'server') {
    const me = await api.me();
    mode.textContent = `Online · ${me.actor}`;
  } else {
    mode.textContent = 'Offline · engine and data in this browser';
    mode.append(' ', h('button', {
      class: 'secondary', id: 'reset-offline',
      onclick: () => { LocalBackend.reset(); location.reload(); },
    }, 'Reset'));
  }
  document.body.dataset.mode = api.mode;
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/products');
  window.addEventListener('hashchange', route);
  await route();
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = "1";
}

main().catch((e) => {
  flash(`The page could not start: ${errorText(e)}`, 'error');
  console.error(e);
});
