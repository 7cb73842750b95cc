// The purchasing clerk's page: products, suppliers, purchase orders (with
// the PO page: draft, lines, order, receive) and the stock ledger.
// Plain ES modules, no build step. Every answer comes from the engine (see
// backend.js); this file only shows them and collects input.

import { connect, LocalBackend, Refusal } from './backend.js';

const $main = document.querySelector('main');
let api;
const cache = { suppliers: null };

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

/** Replaces the page's content; absent parts (`null`, `false`) are skipped. */
function show(...nodes) {
  $main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
}

/**
 * Prev / next links for a paged answer (`page`, `page_count`, `total_count`
 * as every list query answers them); `href(page)` builds the link.
 */
function pager(answer, noun, href) {
  const { page, page_count: count, total_count: total } = answer;
  return h('div', { class: 'toolbar pager' },
    h('span', { class: 'muted', id: 'page-info' }, `${total} ${noun} · page ${page} of ${Math.max(count, 1)}`),
    page > 1 ? h('a', { href: href(page - 1), id: 'page-prev' }, '← Previous') : null,
    page < count ? h('a', { href: href(page + 1), id: 'page-next' }, 'Next →') : null);
}

/** A positive whole page number from the URL, else 1. */
function pageParam(params) {
  const n = Number(params.get('page'));
  return Number.isInteger(n) && n >= 1 ? n : 1;
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

/**
 * Records by id, fetched once each (`get_product` / `get_supplier`): names
 * and SKUs for rows that show only ids, however many records there are.
 */
const known = { product: new Map(), supplier: new Map() };
async function lookup(kind, ids) {
  const map = known[kind];
  const missing = [...new Set(ids)].filter((id) => id !== null && id !== undefined && !map.has(id));
  await Promise.all(missing.map(async (id) => {
    try {
      map.set(id, (await api.call(`get_${kind}`, { id }))[kind]);
    } catch {
      map.set(id, null);
    }
  }));
  return (id) => map.get(id) ?? null;
}

function remember(kind, record) {
  known[kind].set(record.id, record);
}

/**
 * A product chooser for any number of products: a search box (name, SKU or
 * article number, answered by `list_products`) and a select of the matches.
 */
function productPicker({ id, selected = '', allowAll = false, onchange }) {
  const select = h('select', { id, onchange });
  const search = h('input', { type: 'search', id: `${id}-search`, placeholder: 'search', size: 12 });
  const fill = async () => {
    const args = { page_size: 50 };
    if (search.value.trim()) args.search = search.value.trim();
    const page = await api.call('list_products', args);
    const items = page.items.map((p) => p.product);
    items.forEach((p) => remember('product', p));
    const current = selected === '' ? null : (await lookup('product', [Number(selected)]))(Number(selected));
    if (current && !items.some((p) => p.id === current.id)) items.unshift(current);
    select.replaceChildren(
      allowAll ? h('option', { value: '' }, 'All products') : null,
      ...items.map((p) => h('option', { value: p.id, selected: String(p.id) === String(selected) },
        allowAll ? p.sku : `${p.sku} — ${p.name}`)),
    );
    if (page.has_more) select.append(h('option', { disabled: true }, `… ${page.total_count - page.items.length} more: search`));
  };
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => guarded(fill), 150);
  });
  return { select, search, ready: fill() };
}

// ---- views ----

async function productsView(params) {
  const pageNo = pageParam(params);
  const q = params.get('q') || '';
  const args = { page: pageNo, page_size: 50 };
  if (q) args.search = q;
  const answer = await api.call('list_products', args);
  answer.items.forEach((p) => remember('product', p.product));
  const search = h('input', { type: 'search', id: 'product-search', placeholder: 'name, SKU or article no.', value: q, size: 24 });
  search.addEventListener('change', () => go(`#/products?q=${encodeURIComponent(search.value.trim())}`));
  show(
    h('h2', {}, 'Products'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Search ', search)),
    table(
      ['SKU', 'Name', 'On hand', 'Held', 'Available', 'Incoming', ''],
      answer.items.map((p) =>
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
    pager(answer, 'products', (n) => `#/products?q=${encodeURIComponent(q)}&page=${n}`),
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
  const pageNo = pageParam(params);
  const [sups, page] = await Promise.all([
    suppliers(),
    api.call('list_purchase_orders', { page: pageNo, page_size: 50, ...(status ? { status } : {}) }),
  ]);
  sups.forEach((s) => remember('supplier', s));
  const supplier = await lookup('supplier', page.items.map((po) => po.supplier_id));
  const filter = h('select', { id: 'status-filter', onchange: (e) => go(`#/orders?status=${e.target.value}`) },
    h('option', { value: '' }, 'All statuses'),
    Object.entries(STATUS_LABEL).map(([v, label]) => h('option', { value: v, selected: v === status }, label)));
  // Only active suppliers take new POs: asked of the engine's filter.
  const active = await api.call('list_suppliers', { active: true, page_size: 50 });
  const supplierSelect = h('select', { id: 'new-po-supplier', 'aria-label': 'Supplier of the new PO' },
    active.items.map((s) => h('option', { value: s.id }, s.name)));
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
      h('span', { class: 'group' }, h('span', { class: 'muted' }, 'New PO for '), supplierSelect, create)),
    table(
      ['Number', 'Supplier', 'Status', 'Order date', 'Lines', 'Total'],
      page.items.map((po) =>
        h('tr', { 'data-po': po.number },
          h('td', {}, h('a', { href: `#/orders/${po.id}` }, po.number)),
          h('td', {}, supplier(po.supplier_id)?.name ?? `#${po.supplier_id}`),
          h('td', {}, h('span', { class: `status ${po.status}` }, STATUS_LABEL[po.status] ?? po.status)),
          h('td', {}, po.order_date),
          h('td', { class: 'num' }, po.line_count),
          h('td', { class: 'num' }, po.total)),
      ),
      { id: 'orders' },
    ),
    pager(page, 'purchase order(s)', (n) => `#/orders?status=${status}&page=${n}`),
  );
}

function lineEditor(po) {
  const picker = productPicker({ id: 'line-product' });
  const product = picker.select;
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
  const editor = h('div', { class: 'toolbar' }, h('label', {}, 'Product ', picker.search, ' ', product),
    h('label', {}, 'Qty ', qty), h('label', {}, 'Cost ', cost), add);
  return picker.ready.then(() => editor);
}

function receiptForm(po) {
  const inputs = po.lines.map((l) => h('input', { type: 'text', inputmode: 'decimal', size: 6, 'data-line': l.line_no, 'aria-label': `Receive on line ${l.line_no}` }));
  const verdict = h('div', { id: 'receipt-check', role: 'status' });
  const submit = h('button', { id: 'receive', disabled: true }, 'Receive');
  const receipt = () => ({
    lines: inputs
      .map((i) => ({ line_no: Number(i.dataset.line), quantity: i.value.trim() }))
      // An empty box receives nothing on that line; anything typed, even
      // "0", goes to the engine, which says what is wrong with it.
      .filter((l) => l.quantity !== ''),
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
      // `over_receipt` names the PO line; a refused field names the receipt's
      // own `lines[i]`, i.e. the i-th filled-in box.
      const at = /lines\[(\d+)\]/.exec(e.details?.field ?? '');
      const line = e.details?.line ?? (at ? r.lines[Number(at[1])]?.line_no : undefined);
      if (line !== undefined) inputs.find((i) => Number(i.dataset.line) === line)?.classList.add('invalid');
      verdict.textContent = e.code === 'over_receipt'
        ? `Over-receipt on line ${e.details.line}: ${e.details.requested} requested, only ${e.details.outstanding} outstanding`
        : line !== undefined
          ? `Line ${line}: ${e.details?.reason ?? e.message}`
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
    poView(po.id);
  }));
  return { inputs, verdict, submit };
}

/**
 * Closing a partially received PO short, with or without a backorder for
 * what is outstanding (the engine computes the backorder and its number).
 */
function closeShort(po) {
  const backorder = h('input', { type: 'checkbox', id: 'close-backorder', checked: true });
  const close = h('button', {
    id: 'close-po',
    class: 'secondary',
    onclick: () => guarded(async () => {
      const view = await api.change('close_purchase_order', { id: po.id, create_backorder: backorder.checked });
      const bo = view.backorder?.number;
      flash(bo ? `Closed; backorder ${bo} created` : 'Closed');
      poView(po.id);
    }),
  }, 'Close short');
  return h('span', { class: 'group' }, close, h('label', {}, backorder, ' with a backorder'));
}

async function poView(id) {
  const view = await api.call('get_purchase_order', { id });
  const po = view.purchase_order;
  const [product, supplier] = await Promise.all([
    lookup('product', po.lines.map((l) => l.product_id)),
    lookup('supplier', [po.supplier_id]),
  ]);
  const name = (pid) => product(pid)?.sku ?? '';
  // Which buttons: the engine's own answer (`actions`), never a status
  // table of our own.
  const can = (action) => view.actions.includes(action);
  const receivable = can('receive');
  const form = receivable ? receiptForm(po) : null;
  const command = (id, label, cmd, done, cls) => h('button', {
    id,
    class: cls,
    onclick: () => guarded(async () => {
      await api.change(cmd, { id: po.id });
      flash(done);
      if (cmd === 'delete_purchase_order') go('#/orders');
      else poView(po.id);
    }),
  }, label);
  const actions = h('div', { class: 'toolbar' },
    can('order') ? command('order-po', 'Order', 'order_purchase_order', 'Ordered') : null,
    can('cancel') ? command('cancel-po', 'Cancel PO', 'cancel_purchase_order', 'Cancelled', 'secondary') : null,
    can('delete') ? command('delete-po', 'Delete draft', 'delete_purchase_order', 'Deleted', 'secondary') : null,
    can('close') ? closeShort(po) : null,
    form ? form.submit : null,
  );
  const editor = can('update') ? await lineEditor(po) : null;
  show(
    h('p', {}, h('a', { href: '#/orders' }, '← Purchase orders')),
    h('h2', {}, 'Purchase order ', h('span', { id: 'po-number' }, po.number), ' ',
      h('span', { id: 'po-status', class: `status ${po.status}` }, STATUS_LABEL[po.status] ?? po.status)),
    h('p', {}, `Supplier: ${supplier(po.supplier_id)?.name ?? `#${po.supplier_id}`} · ordered ${po.order_date}`,
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
    editor,
    form ? form.verdict : null,
    actions,
  );
}

async function ledgerView(params) {
  const productId = params.get('product') || '';
  const type = params.get('type') || '';
  const before = params.get('before') || '';
  // Newest first, 100 a page; older pages by the answer's cursor.
  const args = { direction: 'desc', limit: 100 };
  if (productId) args.product_id = Number(productId);
  if (type) args.type = type;
  if (/^\d+$/.test(before)) args.before_seq = Number(before);
  const page = await api.call('list_movements', args);
  const sku = await lookup('product', page.movements.map((m) => m.product_id));
  const href = (extra = '') => `#/ledger?product=${picker.select.value}&type=${typeSel.value}${extra}`;
  const update = () => go(href());
  const picker = productPicker({ id: 'ledger-product', selected: productId, allowAll: true, onchange: update });
  const typeSel = h('select', { id: 'ledger-type', onchange: update }, h('option', { value: '' }, 'All types'),
    ['purchase', 'consumption', 'adjustment', 'return'].map((t) => h('option', { value: t, selected: t === type }, t)));
  await picker.ready;
  show(
    h('h2', {}, 'Stock ledger'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Product ', picker.search, ' ', picker.select), h('label', {}, 'Type ', typeSel)),
    table(
      ['Seq', 'Time', 'SKU', 'Type', 'Quantity', 'Balance after', 'Source'],
      page.movements.map((m) =>
        h('tr', { 'data-seq': m.seq },
          h('td', {}, m.seq), h('td', {}, m.at.replace('T', ' ').slice(0, 19)), h('td', {}, sku(m.product_id)?.sku ?? `#${m.product_id}`),
          h('td', {}, m.type), h('td', { class: 'num' }, m.quantity), h('td', { class: 'num' }, m.balance_after),
          h('td', {}, [m.source.actor, m.source.purchase_order ? `PO #${m.source.purchase_order}` : null, m.reason].filter(Boolean).join(' · '))),
      ),
      { id: 'ledger' },
    ),
    h('div', { class: 'toolbar pager' },
      before ? h('a', { href: href(), id: 'ledger-newest' }, '← Newest') : null,
      page.has_more ? h('a', { href: href(`&before=${page.next_before_seq}`), id: 'ledger-older' }, 'Older →') : null),
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
  known.product.clear();
  await guarded(async () => {
    const po = path.match(/^\/orders\/(\d+)$/);
    if (po) await poView(Number(po[1]));
    else if (path === '/orders') await ordersView(params);
    else if (path === '/suppliers') await suppliersView();
    else if (path === '/ledger') await ledgerView(params);
    else await productsView(params);
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
