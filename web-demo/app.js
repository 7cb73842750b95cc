// The purchasing clerk's page: products, suppliers, purchase orders (with
// the PO page: draft, lines, order, receive) and the stock ledger.
// Plain ES modules, no build step. Every answer comes from the engine (see
// backend.js); this file only shows them and collects input.

import { connect, LocalBackend, Refusal } from './backend.js';

const $main = document.querySelector('main');
let api;

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

/** Headers of number columns: right-aligned over their numbers. */
const NUMERIC = new Set(['On hand', 'Held', 'Available', 'Incoming', 'Ordered', 'Unit cost', 'Received', 'Returned',
  'Quantity', 'Balance after', 'Lines', 'Total', 'On hand then', 'Threshold']);

function table(headers, rows, attrs = {}) {
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map((x) => h('th', { class: NUMERIC.has(x) ? 'num' : undefined }, x)))), h('tbody', {}, rows));
}

/** The id of the last control focused in the content (kept across redraws). */
let lastFocus = null;
$main.addEventListener('focusin', (e) => { lastFocus = e.target.id || null; });

/**
 * Replaces the page's content; absent parts (`null`, `false`) are skipped.
 * The control the clerk was on keeps the focus when the new content has it
 * (a keyboard user adding lines or receiving stays where they were, instead
 * of starting again at the top of the page). When it is gone (the Order
 * button of a PO just ordered), the screen's heading takes the focus: the
 * next Tab goes on from the content, and a screen reader says where it is.
 */
function show(...nodes) {
  // In the content, or lost from it (a busy button is disabled, which drops the focus).
  const wasHere = $main.contains(document.activeElement) || (document.activeElement === document.body && lastFocus !== null);
  const refocus = wasHere ? lastFocus : null;
  $main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
  const el = refocus && document.getElementById(refocus);
  if (el && $main.contains(el) && !el.disabled) {
    el.focus();
    return;
  }
  lastFocus = null;
  const heading = wasHere && $main.querySelector('h2');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/** Marks `el` as the box at fault (seen, and read by a screen reader); `false` clears it. */
function markInvalid(el, invalid = true) {
  if (!el) return;
  el.classList.toggle('invalid', invalid);
  if (invalid) el.setAttribute('aria-invalid', 'true');
  else el.removeAttribute('aria-invalid');
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

/**
 * A refusal as a clerk reads it: the engine's message, its code when the
 * message does not start with it, and only the details the message does not
 * already say (never a bare object).
 */
function errorText(e) {
  if (!e || typeof e !== 'object' || typeof e.message !== 'string') return String(e);
  // The page's own "no answer" is no engine code: its message says it all.
  const code = e.code && e.code !== 'unreachable' && !e.message.startsWith(`${e.code}:`) ? `${e.code}: ` : '';
  const said = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
  const extra = Object.entries(e.details ?? {}).filter(([, v]) => v !== null && !e.message.includes(said(v)));
  return `${code}${e.message}${extra.length ? ` (${extra.map(([k, v]) => `${k}: ${said(v)}`).join(', ')})` : ''}`;
}

function flash(text, kind = 'ok') {
  const el = document.getElementById('flash');
  el.textContent = text;
  el.className = kind;
  // Errors interrupt a screen reader; confirmations wait their turn.
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

/**
 * Confirms a change, with the low-stock alerts the engine raised on it (the
 * answer's `events`), which a clerk returning goods must not miss.
 */
function done(text) {
  const low = (api.takeEvents?.() ?? []).filter((e) => e.type === 'low_stock');
  flash(low.length
    ? `${text}. Low stock: ${low.map((e) => `${e.sku} ${e.on_hand} on hand (threshold ${e.threshold})`).join('; ')}`
    : text);
}

/** A fresh idempotency key (also where `crypto.randomUUID` is missing: plain http on a LAN address). */
function newKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The idempotency key for a change: the same as last time while the request
 * is the same (a retry after an unanswered click is then applied once, RULES
 * 7a), a new one when the clerk changed what is asked.
 */
function keyFor() {
  let last = null;
  let key = null;
  return (request) => {
    const text = JSON.stringify(request);
    if (text !== last) {
      last = text;
      key = newKey();
    }
    return key;
  };
}

/**
 * A button that runs `fn` once per click: disabled while its change is on the
 * way (a double click sends one request), enabled again after a refusal,
 * with the focus back on it when nothing else took it (disabling a button
 * drops its focus: a keyboard user would start again at the top).
 */
function busyButton(attrs, label, fn) {
  const button = h('button', attrs, label);
  button.addEventListener('click', () => {
    if (button.disabled) return;
    button.disabled = true;
    guarded(fn).finally(() => {
      button.disabled = false;
      if (document.activeElement === document.body && button.isConnected) button.focus();
    });
  });
  return button;
}

/**
 * Disables `button` when the engine says this token may not do `cmd` (a dry
 * run as the signed-in actor), saying which permission is missing.
 */
function permitted(button, cmd, args) {
  const missing = api.missingPermission?.(cmd, args);
  if (missing) {
    button.disabled = true;
    button.title = `Needs the permission ${missing}`;
    button.dataset.forbidden = missing;
    denied.add(missing);
  }
  return button;
}

/** Permissions the buttons made since the last call lacked. */
const denied = new Set();

/**
 * Says, in the page and not only in a tooltip (keyboards and screen readers
 * get no tooltip), why some buttons are greyed out; null when none are.
 */
function deniedNote() {
  const list = [...denied].sort();
  denied.clear();
  return list.length
    ? h('p', { class: 'muted', id: 'forbidden-note' }, `Greyed-out actions need a permission this sign-in does not have: ${list.join(', ')}.`)
    : null;
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

/** The value of the product chooser's "no product" choice (a free-text PO line). */
const FREE_TEXT = 'free-text';

/**
 * A product chooser for any number of products: a search box (name, SKU or
 * article number, answered by `list_products`) and a select of the matches.
 * `freeText` adds a last choice, "no product", for a free-text PO line.
 */
function productPicker({ id, selected = '', allowAll = false, freeText = false, onchange }) {
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
    if (items.length === 0) select.append(h('option', { disabled: true, selected: true, value: '' }, 'no product matches'));
    if (freeText) select.append(h('option', { value: FREE_TEXT }, 'No product: free-text line'));
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
  const lowOnly = params.get('low') === '1';
  const args = { page: pageNo, page_size: 50 };
  if (q) args.search = q;
  if (lowOnly) args.low_stock_only = true;
  const answer = await api.call('list_products', args);
  answer.items.forEach((p) => remember('product', p.product));
  const href = (query, low, n = 1) => `#/products?q=${encodeURIComponent(query)}${low ? '&low=1' : ''}${n > 1 ? `&page=${n}` : ''}`;
  const search = h('input', { type: 'search', id: 'product-search', placeholder: 'name, SKU or article no.', value: q, size: 24 });
  search.addEventListener('change', () => go(href(search.value.trim(), lowOnly)));
  const low = h('input', { type: 'checkbox', id: 'low-stock-only', checked: lowOnly, onchange: (e) => go(href(q, e.target.checked)) });
  show(
    h('h2', {}, lowOnly ? 'Products low on stock' : 'Products'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Search ', search), h('label', {}, low, ' Low stock only')),
    table(
      ['SKU', 'Name', 'On hand', 'Held', 'Available', 'Incoming', ''],
      answer.items.map((p) =>
        h('tr', { 'data-sku': p.product.sku },
          h('td', {}, h('a', { href: `#/products/${p.product.id}` }, p.product.sku)),
          h('td', {}, p.product.name),
          // An untracked product (a service, a fee) has no stock: a 0 would read as "out of stock".
          p.product.track_inventory
            ? [h('td', { class: 'num', 'data-col': 'on_hand' }, p.stock.on_hand),
              h('td', { class: 'num', 'data-col': 'held' }, p.stock.held),
              h('td', { class: 'num', 'data-col': 'available' }, p.stock.available),
              h('td', { class: 'num', 'data-col': 'incoming' }, p.stock.incoming)]
            : h('td', { colspan: 4, class: 'muted', 'data-col': 'on_hand' }, 'stock not tracked'),
          h('td', {}, p.stock.low_stock ? h('span', { class: 'badge low' }, 'Low stock') : null,
            p.stock.oversold ? h('span', { class: 'badge oversold' }, 'Oversold') : null),
        ),
      ),
      { id: 'products' },
    ),
    answer.items.length === 0 ? h('p', { class: 'muted', id: 'no-products' }, q || lowOnly ? 'No product matches.' : 'No products yet.') : null,
    pager(answer, 'products', (n) => href(q, lowOnly, n)),
  );
}

/** A `datetime-local` value (the clerk's clock) as the RFC 3339 UTC time the engine takes. */
function localToRfc3339(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An RFC 3339 time as the clerk's local `YYYY-MM-DD HH:MM:SS`. */
function localTime(at) {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** One product: its stock per location, its stock at a past moment, a link to its ledger. */
async function productView(id) {
  const [view, stock, locations] = await Promise.all([
    api.call('get_product', { id }),
    api.call('get_stock', { product_id: id }),
    api.call('list_locations', {}),
  ]);
  const p = view.product;
  const locList = Array.isArray(locations) ? locations : (locations.items ?? locations.locations ?? []);
  const place = (lid) => locList.find((l) => l.id === lid)?.name ?? `#${lid}`;
  // What is already on order: the POs behind the Incoming the engine counts.
  const ordered = Number(stock.totals.incoming) > 0 ? await onOrder(id) : [];
  const supplier = await lookup('supplier', ordered.map((o) => o.po.supplier_id));
  const row = (label, s, attrs = {}) => h('tr', attrs, h('td', {}, label),
    h('td', { class: 'num', 'data-col': 'on_hand' }, s.on_hand), h('td', { class: 'num', 'data-col': 'held' }, s.held),
    h('td', { class: 'num', 'data-col': 'available' }, s.available), h('td', { class: 'num', 'data-col': 'incoming' }, s.incoming));
  const at = h('input', { type: 'datetime-local', id: 'as-of-at', step: 1 });
  const asOfOut = h('div', { id: 'as-of-result', role: 'status' });
  const asOf = h('form', { class: 'toolbar', id: 'as-of-form', onsubmit: (e) => {
    e.preventDefault();
    guarded(async () => {
      const when = localToRfc3339(at.value);
      if (!when) {
        asOfOut.textContent = 'Pick a date and time first.';
        asOfOut.className = 'error';
        return;
      }
      let answer;
      try {
        answer = await api.call('stock_as_of', { product_id: id, at: when });
      } catch (err) {
        asOfOut.textContent = errorText(err);
        asOfOut.className = 'error';
        return;
      }
      asOfOut.className = 'ok';
      asOfOut.replaceChildren(`On hand at ${localTime(answer.at)}: `, h('strong', { id: 'as-of-on-hand' }, answer.on_hand), ` ${p.unit}`,
        answer.locations.length > 1 ? ` (${answer.locations.map((l) => `${place(l.location_id)} ${l.on_hand}`).join(', ')})` : '');
    });
  } }, h('label', {}, 'Stock as of ', at), h('button', { type: 'submit', id: 'as-of-go', class: 'secondary' }, 'Show'));
  show(
    h('p', {}, h('a', { href: '#/products' }, '← Products')),
    h('h2', {}, h('span', { id: 'product-sku' }, p.sku), ' — ', p.name, ' ',
      stock.totals.low_stock ? h('span', { class: 'badge low' }, 'Low stock') : null, ' ',
      stock.totals.oversold ? h('span', { class: 'badge oversold' }, 'Oversold') : null),
    h('p', { class: 'muted' }, `Article no. ${p.article_number} · unit ${p.unit} · low-stock threshold ${p.low_stock_threshold}`,
      p.track_inventory ? '' : ' · stock not tracked', p.archived ? ' · archived' : ''),
    table(['Location', 'On hand', 'Held', 'Available', 'Incoming'],
      [...stock.locations.map((l) => row(place(l.location_id), l, { 'data-location': place(l.location_id) })),
        row(h('strong', {}, 'Total'), stock.totals, { 'data-location': 'total' })],
      { id: 'stock-locations' }),
    ordered.length ? h('section', {},
      h('h3', {}, 'On order'),
      table(['PO', 'Supplier', 'Status', 'Expected', 'Location', 'Ordered', 'Received'],
        ordered.map(({ po, line }) => h('tr', { 'data-po': po.number, 'data-line': line.line_no },
          h('td', {}, h('a', { href: `#/orders/${po.id}` }, po.number), h('span', { class: 'muted' }, ` line ${line.line_no}`)),
          h('td', {}, supplier(po.supplier_id)?.name ?? `#${po.supplier_id}`),
          h('td', {}, h('span', { class: `status ${po.status}` }, STATUS_LABEL[po.status] ?? po.status)),
          h('td', {}, po.expected_date ?? ''),
          h('td', {}, place(line.location_id)),
          h('td', { class: 'num', 'data-col': 'ordered' }, line.quantity),
          h('td', { class: 'num', 'data-col': 'received' }, line.received))),
        { id: 'on-order' })) : null,
    asOf,
    asOfOut,
    h('p', {}, h('a', { href: `#/ledger?product=${p.id}&type=`, id: 'product-ledger' }, 'Ledger of this product →')),
  );
}

/**
 * The lines of product `productId` on POs that can still receive (the
 * engine's `actions` say so): where its Incoming comes from. The engine
 * lists the ordered and partially received POs with a line of the product
 * (`product_id` filter); only those are read whole. Asked only when the
 * engine counts something incoming.
 */
async function onOrder(productId) {
  const open = (await Promise.all(['ordered', 'partially_received']
    .map((status) => allItems('list_purchase_orders', { status, product_id: productId })))).flat();
  const views = await Promise.all(open.map((po) => api.call('get_purchase_order', { id: po.id })));
  return views
    .filter((v) => v.actions.includes('receive'))
    .flatMap((v) => v.purchase_order.lines.filter((l) => l.product_id === productId).map((line) => ({ po: v.purchase_order, line })));
}

async function suppliersView(params) {
  const pageNo = pageParam(params);
  const q = params.get('q') || '';
  const args = { page: pageNo, page_size: 50 };
  if (q) args.search = q;
  const answer = await api.call('list_suppliers', args);
  answer.items.forEach((s) => remember('supplier', s));
  const href = (query, n = 1) => `#/suppliers?q=${encodeURIComponent(query)}${n > 1 ? `&page=${n}` : ''}`;
  const search = h('input', { type: 'search', id: 'supplier-search', placeholder: 'name or creditor no.', value: q, size: 24 });
  search.addEventListener('change', () => go(href(search.value.trim())));
  show(
    h('h2', {}, 'Suppliers'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Search ', search)),
    table(
      ['Creditor no.', 'Name', 'Contact', 'Email', 'PO delivery', 'Active'],
      answer.items.map((s) =>
        h('tr', { 'data-supplier': s.creditor_number }, h('td', {}, s.creditor_number),
          h('td', {}, h('a', { href: `#/suppliers/${s.id}` }, s.name)), h('td', {}, s.contact_person ?? ''),
          h('td', {}, s.email ?? ''), h('td', {}, s.po_delivery), h('td', {}, s.active ? 'yes' : 'no')),
      ),
      { id: 'suppliers' },
    ),
    answer.items.length === 0 ? h('p', { class: 'muted' }, q ? 'No supplier matches.' : 'No suppliers yet.') : null,
    pager(answer, 'suppliers', (n) => href(q, n)),
  );
}

/** One supplier: its details and its 20 most recent purchase orders. */
async function supplierView(id) {
  const view = await api.call('get_supplier', { id });
  const s = view.supplier;
  remember('supplier', s);
  const detail = (label, value) => (value ? h('tr', {}, h('th', {}, label), h('td', {}, value)) : null);
  show(
    h('p', {}, h('a', { href: '#/suppliers' }, '← Suppliers')),
    h('h2', {}, h('span', { id: 'supplier-name' }, s.name), ' ', h('span', { class: 'muted' }, s.creditor_number), ' ',
      s.active ? null : h('span', { class: 'status cancelled' }, 'Inactive: no new POs')),
    h('table', { id: 'supplier-detail' }, h('tbody', {},
      detail('Contact', s.contact_person), detail('Email', s.email), detail('Phone', s.phone),
      detail('Address', s.address), detail('Website', s.website), detail('PO delivery', s.po_delivery), detail('Notes', s.notes))),
    h('h2', {}, 'Recent purchase orders'),
    table(['Number', 'Status', 'Order date', 'Lines', 'Total'],
      view.recent_purchase_orders.map((po) => h('tr', { 'data-po': po.number },
        h('td', {}, h('a', { href: `#/orders/${po.id}` }, po.number)),
        h('td', {}, h('span', { class: `status ${po.status}` }, STATUS_LABEL[po.status] ?? po.status)),
        h('td', {}, po.order_date), h('td', { class: 'num' }, po.line_count), h('td', { class: 'num' }, po.total))),
      { id: 'supplier-orders' }),
    h('p', {}, h('a', { href: `#/orders?status=&supplier=${s.id}` }, 'All purchase orders of this supplier →')),
  );
}

/** Every item of a paged list query (page size 50), for choosers that must offer them all. */
async function allItems(cmd, args) {
  const items = [];
  for (let page = 1; ; page++) {
    const answer = await api.call(cmd, { ...args, page, page_size: 50 });
    items.push(...answer.items);
    if (!answer.has_more || answer.items.length === 0) return items;
  }
}

async function ordersView(params) {
  const status = params.get('status') || '';
  const supplierId = params.get('supplier') || '';
  const pageNo = pageParam(params);
  const args = { page: pageNo, page_size: 50 };
  if (status) args.status = status;
  if (/^\d+$/.test(supplierId)) args.supplier_id = Number(supplierId);
  // Only active suppliers take new POs: asked of the engine's filter, every
  // page of it (a chooser that silently stopped at 50 would hide suppliers).
  const [page, active] = await Promise.all([
    api.call('list_purchase_orders', args),
    allItems('list_suppliers', { active: true }),
  ]);
  active.forEach((s) => remember('supplier', s));
  const supplier = await lookup('supplier', [...page.items.map((po) => po.supplier_id), ...(args.supplier_id ? [args.supplier_id] : [])]);
  const href = (st, sup, n = 1) => `#/orders?status=${st}${sup ? `&supplier=${sup}` : ''}${n > 1 ? `&page=${n}` : ''}`;
  const filter = h('select', { id: 'status-filter', onchange: (e) => go(href(e.target.value, supplierId)) },
    h('option', { value: '' }, 'All statuses'),
    Object.entries(STATUS_LABEL).map(([v, label]) => h('option', { value: v, selected: v === status }, label)));
  const supplierSelect = h('select', { id: 'new-po-supplier', 'aria-label': 'Supplier of the new PO' },
    active.map((s) => h('option', { value: s.id, selected: String(s.id) === supplierId }, s.name)));
  const key = keyFor();
  const create = busyButton({ id: 'new-po' }, 'New draft PO', async () => {
    const a = { supplier_id: Number(supplierSelect.value) };
    const view = await api.change('create_purchase_order', a, key(a));
    go(`#/orders/${view.purchase_order.id}`);
  });
  permitted(create, 'create_purchase_order', { supplier_id: Number(supplierSelect.value) });
  show(
    h('h2', {}, 'Purchase orders', args.supplier_id ? ` of ${supplier(args.supplier_id)?.name ?? `#${args.supplier_id}`}` : ''),
    h('div', { class: 'toolbar' }, h('label', {}, 'Status ', filter),
      args.supplier_id ? h('a', { href: href(status, ''), id: 'all-suppliers' }, 'All suppliers') : null,
      h('span', { class: 'spacer' }),
      h('span', { class: 'group' }, h('span', { class: 'muted' }, 'New PO for '), supplierSelect, create)),
    table(
      ['Number', 'Supplier', 'Status', 'Order date', 'Expected', 'Lines', 'Total'],
      page.items.map((po) =>
        h('tr', { 'data-po': po.number },
          h('td', {}, h('a', { href: `#/orders/${po.id}` }, po.number)),
          h('td', {}, supplier(po.supplier_id)?.name ?? `#${po.supplier_id}`),
          h('td', {}, h('span', { class: `status ${po.status}` }, STATUS_LABEL[po.status] ?? po.status)),
          h('td', {}, po.order_date),
          h('td', { 'data-col': 'expected' }, po.expected_date ?? ''),
          h('td', { class: 'num' }, po.line_count),
          h('td', { class: 'num' }, po.total)),
      ),
      { id: 'orders' },
    ),
    page.items.length === 0 ? h('p', { class: 'muted' }, 'No purchase order matches.') : null,
    pager(page, 'purchase order(s)', (n) => href(status, supplierId, n)),
    slipsZip(),
    deniedNote(),
  );
}

/** What a PO line looks like in `update_purchase_order`'s `lines` (a free-text line has no product). */
function lineArgs(l) {
  const line = { description: l.description, quantity: l.quantity, unit_cost: l.unit_cost, location_id: l.location_id };
  if (l.product_id !== null && l.product_id !== undefined) line.product_id = l.product_id;
  return line;
}

/** The locations the engine knows (`list_locations`), by id. */
async function listLocations() {
  const answer = await api.call('list_locations', {});
  return Array.isArray(answer) ? answer : (answer.items ?? answer.locations ?? []);
}

/** A chooser of `locations`, `selected` (an id) chosen, else the first (the engine lists `Main` first). */
function locationSelect(locations, selected, attrs) {
  return h('select', attrs, locations.map((l) => h('option', { value: l.id, selected: l.id === selected }, l.name)));
}

function lineEditor(po, locations) {
  const picker = productPicker({ id: 'line-product', freeText: true });
  const product = picker.select;
  product.setAttribute('aria-label', 'Product of the new line');
  picker.search.setAttribute('aria-label', 'Search products for the new line');
  const qty = h('input', { id: 'line-qty', type: 'text', inputmode: 'decimal', value: '1', size: 6 });
  const cost = h('input', { id: 'line-cost', type: 'text', inputmode: 'decimal', placeholder: 'unit cost', size: 8 });
  const description = h('input', { id: 'line-description', type: 'text', size: 22, autocomplete: 'off' });
  const place = locationSelect(locations, undefined, { id: 'line-location' });
  // A product line's description defaults to the product's name; a free-text line needs one.
  const hint = () => {
    description.placeholder = product.value === FREE_TEXT ? 'what is ordered' : 'default: product name';
  };
  product.addEventListener('change', hint);
  // The box a refusal of the new line is about (by the field the engine names).
  const boxFor = { product_id: product, description, quantity: qty, unit_cost: cost, location_id: place };
  const boxes = Object.values(boxFor);
  const key = keyFor();
  const args = () => {
    const line = { quantity: qty.value.trim(), location_id: Number(place.value) };
    if (product.value !== FREE_TEXT) line.product_id = Number(product.value);
    if (description.value.trim()) line.description = description.value.trim();
    if (cost.value.trim()) line.unit_cost = cost.value.trim();
    return { id: po.id, lines: [...po.lines.map(lineArgs), line] };
  };
  const add = permitted(busyButton({ id: 'add-line', type: 'submit' }, 'Add line', async () => {
    if (!product.value) {
      // Nothing chosen (the search matched nothing): no request with a made-up id.
      flash('New line: choose a product first (the search matches none), or "No product: free-text line"', 'error');
      picker.search.focus();
      return;
    }
    const a = args();
    boxes.forEach((b) => markInvalid(b, false));
    try {
      await api.change('update_purchase_order', a, key(a));
    } catch (e) {
      const box = boxFor[/^(?:args\.)?lines\[(\d+)\]\.(\w+)/.exec(e?.details?.field ?? '')?.[2]];
      if (box) {
        markInvalid(box);
        box.focus();
      }
      throw lineRefusal(e, po.lines.length);
    }
    done('Line added');
    await poView(po.id);
  }), 'update_purchase_order', { id: po.id });
  // Enter in any box adds the line, as in any form.
  // Enter in the search box searches; it must not add the product shown.
  picker.search.addEventListener('keydown', (e) => { if (e.key === 'Enter') e.preventDefault(); });
  const editor = h('form', { class: 'toolbar', id: 'line-editor', onsubmit: (e) => e.preventDefault() },
    h('label', {}, 'Product ', picker.search, ' ', product),
    h('label', {}, 'Description ', description),
    h('label', {}, 'Qty ', qty), h('label', {}, 'Cost ', cost), h('label', {}, 'Into ', place), add);
  return picker.ready.then(() => { hint(); return editor; });
}

/**
 * A draft's details the supplier and the receiving dock need: when the goods
 * are expected, the supplier's reference, notes. An emptied box clears the
 * value (`null`); the engine checks them all.
 */
function headerEditor(po) {
  const expected = h('input', { type: 'date', id: 'po-expected', value: po.expected_date ?? '' });
  const reference = h('input', { type: 'text', id: 'po-vendor-ref', size: 14, autocomplete: 'off', value: po.vendor_reference ?? '' });
  const notes = h('input', { type: 'text', id: 'po-notes', size: 30, autocomplete: 'off', value: po.notes ?? '' });
  const boxFor = { expected_date: expected, vendor_reference: reference, notes };
  const labelFor = { expected_date: 'Expected', vendor_reference: 'Supplier\'s reference', notes: 'Notes' };
  const key = keyFor();
  const save = permitted(busyButton({ id: 'save-po-header', type: 'submit', class: 'secondary' }, 'Save details', async () => {
    const a = { id: po.id, expected_date: expected.value || null, vendor_reference: reference.value.trim() || null, notes: notes.value.trim() || null };
    Object.values(boxFor).forEach((b) => markInvalid(b, false));
    try {
      await api.change('update_purchase_order', a, key(a));
    } catch (e) {
      // What was typed stays; the box at fault is marked and focused.
      const field = String(e?.details?.field ?? '').replace(/^args\./, '');
      const box = boxFor[field];
      if (box && e instanceof Refusal) {
        markInvalid(box);
        box.focus();
        // Said with the box's own label, not the wire's field name.
        e.message = `${labelFor[field]}: ${e.details.reason ?? e.message}`;
        e.details = {};
      }
      throw e;
    }
    done('Details saved');
    await poView(po.id);
  }), 'update_purchase_order', { id: po.id });
  return h('form', { class: 'toolbar', id: 'po-header-editor', onsubmit: (e) => e.preventDefault() },
    h('label', {}, 'Expected ', expected), h('label', {}, 'Supplier\'s reference ', reference),
    h('label', {}, 'Notes ', notes), save);
}

/**
 * A refusal of the new line (index `newIndex` of the lines sent) said as the
 * clerk sees it: "New line: ..." rather than the wire's `lines[3].quantity`.
 */
function lineRefusal(e, newIndex) {
  const field = e?.details?.field ?? '';
  const at = /^(?:args\.)?lines\[(\d+)\]\.?(.*)$/.exec(field);
  if (e instanceof Refusal && at && Number(at[1]) === newIndex) {
    e.message = `New line${at[2] ? `, ${at[2].replace(/_/g, ' ')}` : ''}: ${e.details.reason ?? e.message}`;
    e.details = {};
  }
  return e;
}

/**
 * The text for a refused receipt or return: the PO line it names (by
 * `details.line`, or the `lines[i]` of the request, i.e. its i-th line),
 * then the engine's own words.
 */
function refusalText(e, sent) {
  const at = /lines\[(\d+)\]/.exec(e.details?.field ?? '');
  const line = e.details?.line ?? (at ? sent.lines[Number(at[1])]?.line_no : undefined);
  let text;
  if (e.code === 'over_receipt') {
    text = `Over-receipt on line ${e.details.line}: ${e.details.requested} requested, only ${e.details.outstanding} outstanding`;
  } else if (line !== undefined) {
    const reason = e.details?.reason ?? e.message;
    // The engine may name the line itself ("line 1: 8 to return, ..."): say it once.
    const named = reason.toLowerCase().startsWith(`line ${line}:`);
    text = named ? `L${reason.slice(1)}` : `Line ${line}: ${reason}`;
  } else if (e.details?.field && e.details?.reason) {
    text = `${FIELD_LABEL[e.details.field] ?? e.details.field}: ${e.details.reason}`;
  } else {
    text = errorText(e);
  }
  return { line, text };
}

const FIELD_LABEL = { packing_slip_number: 'Packing slip no.', reason: 'Reason', received_date: 'Received on' };

/**
 * The receipt: a quantity per line and, when there is more than one
 * location, where each line's goods go (the line's destination unless the
 * clerk picks another); the packing slip number and the date the goods came.
 */
function receiptForm(po, locations) {
  const inputs = po.lines.map((l) => h('input', { type: 'text', inputmode: 'decimal', size: 6, 'data-line': l.line_no, 'aria-label': `Receive on line ${l.line_no}` }));
  const places = locations.length > 1
    ? po.lines.map((l) => locationSelect(locations, l.location_id, { 'data-receive-location': l.line_no, 'aria-label': `Line ${l.line_no} goes into` }))
    : [];
  const slip = h('input', { type: 'text', id: 'slip-number', size: 14, autocomplete: 'off' });
  const date = h('input', { type: 'date', id: 'received-date' });
  const verdict = h('div', { id: 'receipt-check', role: 'status' });
  const submit = h('button', { id: 'receive', disabled: true }, 'Receive');
  const key = keyFor();
  let sending = false;
  const receipt = () => {
    const r = {
      lines: inputs
        .map((i, n) => {
          const line = { line_no: Number(i.dataset.line), quantity: i.value.trim() };
          // Another place than the line's destination is said; the same is left to the engine's default.
          if (places[n] && Number(places[n].value) !== po.lines[n].location_id) line.location_id = Number(places[n].value);
          return line;
        })
        // An empty box receives nothing on that line; anything typed, even
        // "0", goes to the engine, which says what is wrong with it.
        .filter((l) => l.quantity !== ''),
    };
    if (slip.value.trim()) r.packing_slip_number = slip.value.trim();
    if (date.value) r.received_date = date.value;
    return r;
  };
  const refuse = (e, r) => {
    const { line, text } = refusalText(e, r);
    if (line !== undefined) markInvalid(inputs.find((i) => Number(i.dataset.line) === line));
    if (e.details?.field === 'packing_slip_number') markInvalid(slip);
    if (e.details?.field === 'received_date') markInvalid(date);
    verdict.textContent = text;
    verdict.className = 'error';
    verdict.dataset.code = e.code;
  };
  // Every keystroke asks the wasm engine what the server would answer.
  const check = () => {
    const r = receipt();
    [...inputs, slip, date].forEach((i) => markInvalid(i, false));
    if (r.lines.length === 0) {
      verdict.textContent = '';
      verdict.className = '';
      delete verdict.dataset.code;
      submit.disabled = true;
      return null;
    }
    const answer = api.validateReceipt(po.id, r);
    if (answer.error) {
      refuse(answer.error, r);
      submit.disabled = true;
      return null;
    }
    verdict.textContent = `OK: the order becomes ${STATUS_LABEL[answer.ok.purchase_order.status]}`;
    verdict.className = 'ok';
    verdict.dataset.code = 'ok';
    submit.disabled = sending;
    return r;
  };
  [...inputs, slip, date].forEach((i) => {
    // The verdict is what a screen reader reads with the box.
    i.setAttribute('aria-describedby', 'receipt-check');
    i.addEventListener('input', check);
    // Enter receives, like a form; a refused receipt's disabled button sends nothing.
    i.addEventListener('keydown', (e) => { if (e.key === 'Enter') submit.click(); });
  });
  places.forEach((p) => p.addEventListener('change', check));
  submit.addEventListener('click', () => guarded(async () => {
    const r = check();
    if (!r || sending) return;
    sending = true;
    submit.disabled = true;
    try {
      await api.receive(po.id, r, key({ id: po.id, ...r }));
    } catch (e) {
      if (e instanceof Refusal && e.code !== 'unreachable') {
        // The server refused what the mirror allowed: the PO changed
        // meanwhile (another clerk received). Show it as it is now (its
        // mirror too), and why.
        await poView(po.id);
        flash(`Not received: ${refusalText(e, r).text}`, 'error');
        return;
      }
      throw e;
    } finally {
      sending = false;
      if (verdict.dataset.code === 'ok') submit.disabled = false;
    }
    done(r.packing_slip_number ? `Received (packing slip ${r.packing_slip_number})` : 'Received');
    await poView(po.id);
  }));
  permitted(submit, 'receive_purchase_order', { id: po.id, lines: [] });
  const slipLabel = [h('label', {}, 'Packing slip no. ', slip), h('label', {}, 'Received on ', date)];
  return { inputs, places, verdict, submit, slipLabel };
}

/** Sending received goods back to the supplier: a quantity per line and a reason. */
function returnForm(po) {
  const inputs = po.lines.map((l) => h('input', { type: 'text', inputmode: 'decimal', size: 6, 'data-return-line': l.line_no, 'aria-label': `Return on line ${l.line_no}` }));
  const reason = h('input', { type: 'text', id: 'return-reason', size: 18, placeholder: 'e.g. damaged' });
  const key = keyFor();
  const args = () => {
    const a = {
      id: po.id,
      lines: inputs.map((i) => ({ line_no: Number(i.dataset.returnLine), quantity: i.value.trim() })).filter((l) => l.quantity !== ''),
    };
    if (reason.value.trim()) a.reason = reason.value.trim();
    return a;
  };
  const submit = permitted(busyButton({ id: 'return-po', class: 'secondary' }, 'Return to supplier', async () => {
    const a = args();
    [...inputs, reason].forEach((i) => markInvalid(i, false));
    if (a.lines.length === 0) {
      flash('Return: type the quantity to send back on a line first', 'error');
      inputs[0]?.focus();
      return;
    }
    try {
      await api.change('return_to_supplier', a, key(a));
    } catch (e) {
      if (e instanceof Refusal && e.code !== 'unreachable') {
        const { line, text } = refusalText(e, a);
        // The box at fault is marked and takes the focus, to be corrected at once.
        const box = line !== undefined ? inputs.find((i) => Number(i.dataset.returnLine) === line)
          : e.details?.field === 'reason' ? reason : null;
        markInvalid(box);
        box?.focus();
        e.message = text;
        e.code = `Return refused (${e.code})`;
        e.details = {};
      }
      throw e;
    }
    done('Returned to the supplier');
    await poView(po.id);
  }), 'return_to_supplier', { id: po.id, lines: [] });
  inputs.concat(reason).forEach((i) => i.addEventListener('keydown', (e) => { if (e.key === 'Enter') submit.click(); }));
  return { inputs, submit, reasonLabel: h('label', {}, 'Reason ', reason) };
}

/** Hands `blob` to the browser as a download named `name`. */
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy by then; the URL goes once it is surely taken.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const SLIP_TYPES = 'application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg';

/**
 * The supplier's packing slip of a PO whose goods came in (seed 001): which
 * file is attached (its stored name), open or download it, attach or
 * replace one. The server stores the files and decides what it takes (type
 * by content, 10 MB); its refusal is said in its words. Offline there are
 * no files: the page says so instead of offering a button that cannot work.
 */
async function slipSection(po) {
  const title = h('h3', {}, 'Packing slip');
  if (!api.attachSlip) {
    return h('section', { id: 'packing-slip' }, title,
      h('p', { id: 'slip-offline', class: 'muted' },
        'Packing slip files are kept by the server: attach this one from the page opened with the server\'s link. ',
        'Offline, the slip number goes with the receipt.'));
  }
  const name = await api.slipName(po.id);
  const file = h('input', { type: 'file', id: 'slip-file', accept: SLIP_TYPES, 'aria-label': 'Packing slip file (PDF, PNG or JPEG)' });
  const key = keyFor();
  const attach = busyButton({ id: 'attach-slip', disabled: true }, name ? 'Replace slip' : 'Attach slip', async () => {
    const f = file.files[0];
    if (!f) return;
    // The stored slip is gone once replaced: asked first.
    if (name && !confirm(`${po.number} already has a packing slip (${name}). Replace it with ${f.name}?`)) return;
    let slip;
    try {
      slip = await api.attachSlip(po.id, f, key({ id: po.id, name: f.name, size: f.size, modified: f.lastModified }));
    } catch (e) {
      // The server's reason, without the wire's name of the field (`body`) a clerk never saw.
      if (e instanceof Refusal && e.code !== 'unreachable' && e.code !== 'unauthorized') {
        e.message = e.details?.reason ?? e.message;
        e.code = `Packing slip not attached (${e.code})`;
        e.details = {};
      }
      throw e;
    }
    done(`Packing slip ${name ? 'replaced' : 'attached'}: ${slip.file_name}`);
    await poView(po.id);
  });
  // Nothing to send until a file is chosen.
  file.addEventListener('change', () => { attach.disabled = file.files.length === 0; });
  const open = busyButton({ id: 'open-slip', class: 'secondary' }, 'Open', async () => {
    // The tab is opened now, within the click (later, a popup blocker would stop it).
    const tab = window.open('', '_blank');
    try {
      const { blob, name: stored } = await api.slip(po.id);
      if (tab) tab.location.href = URL.createObjectURL(blob);
      else saveBlob(blob, stored);
    } catch (e) {
      tab?.close();
      throw e;
    }
  });
  const download = busyButton({ id: 'download-slip', class: 'secondary' }, 'Download', async () => {
    const { blob, name: stored } = await api.slip(po.id);
    saveBlob(blob, stored);
  });
  return h('section', { id: 'packing-slip' }, title,
    name
      ? h('p', { id: 'slip-attached' }, 'Attached: ', h('strong', { id: 'slip-name' }, name), ' ', open, ' ', download)
      : h('p', { id: 'slip-none', class: 'muted' }, 'No packing slip attached yet.'),
    h('div', { class: 'toolbar' },
      h('label', {}, name ? 'Replace with ' : 'Slip file (PDF, PNG or JPEG) ', file), attach));
}

/**
 * Every packing slip of a year as one ZIP, for whoever keeps the books
 * (a route of the server; the page offers it when `GET /api/me` lists it).
 */
function slipsZip() {
  // The server says which of its own routes this token may call.
  if (!api.mayCall?.('GET /api/packing-slips/zip')) return null;
  const year = h('input', { type: 'number', id: 'slips-year', min: 1970, max: 9999, step: 1, value: new Date().getFullYear(), 'aria-label': 'Year of the packing slips' });
  const get = busyButton({ id: 'slips-zip', class: 'secondary' }, 'Download ZIP', async () => {
    const { blob, name } = await api.slipsZip(year.value);
    saveBlob(blob, name);
    flash(`Packing slips of ${year.value}: ${name}`);
  });
  return h('div', { class: 'toolbar', id: 'slips-zip-bar' }, h('span', { class: 'muted' }, 'Packing slips of the year '), year, get);
}

/**
 * Closing a partially received PO short, with or without a backorder for
 * what is outstanding (the engine computes the backorder and its number).
 */
function closeShort(po) {
  const backorder = h('input', { type: 'checkbox', id: 'close-backorder', checked: true });
  const key = keyFor();
  const close = permitted(busyButton({ id: 'close-po', class: 'secondary' }, 'Close short', async () => {
    const args = { id: po.id, create_backorder: backorder.checked };
    if (!confirm(backorder.checked
      ? `Close ${po.number} short? What is outstanding moves to a new backorder PO.`
      : `Close ${po.number} short without a backorder? What is outstanding will not be received on any PO.`)) return;
    const view = await api.change('close_purchase_order', args, key(args));
    const bo = view.backorder;
    done(bo ? `Closed; backorder ${bo.number} created` : 'Closed');
    await poView(po.id);
    if (bo) document.getElementById('po-backorder-note')?.append(' ', h('a', { href: `#/orders/${bo.id}`, id: 'backorder-link' }, `Open ${bo.number}`));
  }), 'close_purchase_order', { id: po.id });
  return h('span', { class: 'group' }, close, h('label', {}, backorder, ' with a backorder'));
}

async function poView(id) {
  const view = await api.call('get_purchase_order', { id });
  const po = view.purchase_order;
  const [product, supplier, locations] = await Promise.all([
    lookup('product', po.lines.map((l) => l.product_id)),
    lookup('supplier', [po.supplier_id]),
    listLocations(),
    // A receipt screen: the engine's copy of what its validation reads, as the server has it now.
    view.actions.includes('receive') ? api.receiptMirror?.(po.id) : null,
  ]);
  const place = (lid) => locations.find((l) => l.id === lid)?.name ?? `#${lid}`;
  // Which buttons: the engine's own answer (`actions`), never a status
  // table of our own.
  const can = (action) => view.actions.includes(action);
  const receivable = can('receive');
  const form = receivable ? receiptForm(po, locations) : null;
  const returns = can('return') ? returnForm(po) : null;
  const editable = can('update');
  const command = (id, label, cmd, doneText, cls, question) => {
    const key = keyFor();
    return permitted(busyButton({ id, class: cls }, label, async () => {
      // What cannot be undone is asked once more.
      if (question && !confirm(question)) return;
      await api.change(cmd, { id: po.id }, key({ cmd, id: po.id }));
      done(doneText);
      if (cmd === 'delete_purchase_order') go('#/orders', { keepFlash: true });
      else await poView(po.id);
    }), cmd, { id: po.id });
  };
  const removeKey = keyFor();
  const remove = (l) => permitted(busyButton({ class: 'secondary', 'data-remove-line': l.line_no, 'aria-label': `Remove line ${l.line_no}` }, 'Remove', async () => {
    const args = { id: po.id, lines: po.lines.filter((x) => x !== l).map(lineArgs) };
    await api.change('update_purchase_order', args, removeKey(args));
    done(`Line ${l.line_no} removed`);
    await poView(po.id);
  }), 'update_purchase_order', { id: po.id });
  const actions = h('div', { class: 'toolbar' },
    can('order') ? command('order-po', 'Order', 'order_purchase_order', 'Ordered') : null,
    can('cancel') ? command('cancel-po', 'Cancel PO', 'cancel_purchase_order', 'Cancelled', 'secondary',
      `Cancel ${po.number}? A cancelled PO cannot be ordered or received any more.`) : null,
    can('delete') ? command('delete-po', 'Delete draft', 'delete_purchase_order', 'Deleted', 'secondary',
      `Delete the draft ${po.number}?`) : null,
    can('close') ? closeShort(po) : null,
    form ? form.slipLabel : null,
    form ? form.submit : null,
  );
  const [editor, slips] = await Promise.all([
    editable ? lineEditor(po, locations) : null,
    // Goods came in: the supplier's packing slip belongs with them.
    po.received_date ? slipSection(po) : null,
  ]);
  const headers = ['#', 'SKU', 'Description', 'Location', 'Ordered', 'Unit cost', 'Received', 'Returned'];
  if (receivable) headers.push('Receive now');
  if (returns) headers.push('Return now');
  if (editable) headers.push('');
  const related = [
    po.backorder_of ? h('a', { href: `#/orders/${po.backorder_of}`, id: 'backorder-of' }, 'the PO it is a backorder of') : null,
  ].filter(Boolean);
  show(
    h('p', {}, h('a', { href: '#/orders' }, '← Purchase orders')),
    h('h2', {}, 'Purchase order ', h('span', { id: 'po-number' }, po.number), ' ',
      h('span', { id: 'po-status', class: `status ${po.status}` }, STATUS_LABEL[po.status] ?? po.status)),
    h('p', { id: 'po-header' },
      'Supplier: ', h('a', { href: `#/suppliers/${po.supplier_id}` }, supplier(po.supplier_id)?.name ?? `#${po.supplier_id}`),
      ` · order date ${po.order_date}`,
      po.expected_date ? ` · expected ${po.expected_date}` : '',
      po.vendor_reference ? ` · supplier's reference ${po.vendor_reference}` : '',
      po.received_date ? ` · received ${po.received_date}` : '',
      po.packing_slip_number ? ` · packing slip ${po.packing_slip_number}` : '',
      po.exported ? ' · exported to accounting' : ''),
    !editable && po.notes ? h('p', { id: 'po-notes-text' }, 'Notes: ', po.notes) : null,
    h('p', { id: 'po-backorder-note', class: 'muted' }, related.length ? ['Backorder of ', ...related] : null),
    table(
      headers,
      po.lines.map((l, i) =>
        h('tr', { 'data-line': l.line_no },
          h('td', {}, l.line_no),
          l.product_id === null || l.product_id === undefined
            ? h('td', { class: 'muted', 'data-col': 'sku' }, 'free text')
            : h('td', { 'data-col': 'sku' }, product(l.product_id)?.sku ?? `#${l.product_id}`),
          h('td', { 'data-col': 'description' }, l.description),
          h('td', { 'data-col': 'location' }, place(l.location_id)),
          h('td', { class: 'num', 'data-col': 'ordered' }, l.quantity), h('td', { class: 'num', 'data-col': 'unit_cost' }, l.unit_cost),
          h('td', { class: 'num', 'data-col': 'received' }, l.received),
          h('td', { class: 'num', 'data-col': 'returned' }, l.returned),
          receivable ? h('td', { class: 'receive-cell' }, form.inputs[i], form.places[i] ? [' into ', form.places[i]] : null) : null,
          returns ? h('td', {}, returns.inputs[i]) : null,
          editable ? h('td', {}, remove(l)) : null),
      ),
      { id: 'po-lines' },
    ),
    h('p', {}, `Total ${view.total} · received ${view.received_total}`),
    editable ? headerEditor(po) : null,
    editor,
    form ? form.verdict : null,
    actions,
    returns ? h('div', { class: 'toolbar', id: 'return-bar' }, returns.reasonLabel, returns.submit) : null,
    slips,
    deniedNote(),
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
  const [page, locations] = await Promise.all([api.call('list_movements', args), listLocations()]);
  const sku = await lookup('product', page.movements.map((m) => m.product_id));
  // Balances are per product and location: the location says which balance a row continues.
  const place = (lid) => locations.find((l) => l.id === lid)?.name ?? `#${lid}`;
  const href = (extra = '') => `#/ledger?product=${picker.select.value}&type=${typeSel.value}${extra}`;
  const update = () => go(href());
  const picker = productPicker({ id: 'ledger-product', selected: productId, allowAll: true, onchange: update });
  picker.select.setAttribute('aria-label', 'Product');
  picker.search.setAttribute('aria-label', 'Search products');
  const typeSel = h('select', { id: 'ledger-type', onchange: update }, h('option', { value: '' }, 'All types'),
    ['purchase', 'consumption', 'adjustment', 'return'].map((t) => h('option', { value: t, selected: t === type }, t)));
  await picker.ready;
  show(
    h('h2', {}, 'Stock ledger'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Product ', picker.search, ' ', picker.select), h('label', {}, 'Type ', typeSel)),
    page.movements.length === 0 ? h('p', { class: 'muted', id: 'ledger-empty' }, 'No movement matches.') : null,
    table(
      ['Seq', 'Time', 'SKU', 'Location', 'Type', 'Quantity', 'Balance after', 'Source'],
      page.movements.map((m) =>
        h('tr', { 'data-seq': m.seq },
          // The clerk's own clock (the engine keeps UTC: the exact time is the tooltip).
          h('td', {}, m.seq), h('td', { 'data-col': 'time', title: m.at }, localTime(m.at)),
          h('td', {}, sku(m.product_id) ? h('a', { href: `#/products/${m.product_id}` }, sku(m.product_id).sku) : `#${m.product_id}`),
          h('td', { 'data-col': 'location' }, place(m.location_id)),
          h('td', {}, m.type),
          h('td', { class: 'num' }, m.quantity,
            // A decrease clamped at zero stock: what was asked for, too.
            m.requested !== null && m.requested !== undefined ? h('span', { class: 'muted', 'data-col': 'requested' }, ` (asked ${m.requested})`) : null),
          h('td', { class: 'num' }, m.balance_after),
          h('td', {}, [m.source.actor,
            m.source.purchase_order ? h('a', { href: `#/orders/${m.source.purchase_order}` }, `PO #${m.source.purchase_order}`) : null,
            m.source.ticket ? `ticket ${m.source.ticket}` : null, m.reason]
            .filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x])))),
      ),
      { id: 'ledger' },
    ),
    h('div', { class: 'toolbar pager' },
      before ? h('a', { href: href(), id: 'ledger-newest' }, '← Newest') : null,
      page.has_more ? h('a', { href: href(`&before=${page.next_before_seq}`), id: 'ledger-older' }, 'Older →') : null),
  );
}

/**
 * Low-stock alerts: the server's outbox (pending ones, each acknowledged by
 * a clerk who has seen to it). Offline there is no outbox: the products low
 * on stock right now are one click away.
 */
async function alertsView() {
  if (!api.alerts) {
    show(h('h2', {}, 'Low-stock alerts'),
      h('p', { id: 'alerts-offline' }, 'Alerts are kept by the server. Offline, see ',
        h('a', { href: '#/products?q=&low=1' }, 'the products low on stock now'), '.'));
    return;
  }
  const alerts = await api.alerts();
  show(
    h('h2', {}, 'Low-stock alerts'),
    h('p', { class: 'muted' }, 'Raised when a change left a product at or below its threshold. ',
      h('a', { href: '#/products?q=&low=1' }, 'Products low on stock now →')),
    table(['Raised', 'SKU', 'Name', 'On hand then', 'Threshold', ''],
      alerts.map((a) => h('tr', { 'data-alert': a.id },
        h('td', { title: a.event.at }, localTime(a.event.at)),
        h('td', {}, h('a', { href: `#/products/${a.event.product_id}` }, a.event.sku)),
        h('td', {}, a.event.name),
        h('td', { class: 'num' }, a.event.on_hand), h('td', { class: 'num' }, a.event.threshold),
        h('td', {}, busyButton({ class: 'secondary', 'data-ack': a.id, 'aria-label': `Acknowledge the alert on ${a.event.sku}` }, 'Acknowledge', async () => {
          await api.ackAlert(a.id);
          // The list as it is now first, then the confirmation (said on the list it is about).
          await alertsView();
          flash(`Alert on ${a.event.sku} acknowledged`);
        })))),
      { id: 'alerts' }),
    alerts.length === 0 ? h('p', { class: 'muted', id: 'no-alerts' }, 'No pending alert.') : null,
  );
}

// ---- routing ----

let keepFlash = false;

/** Shows `hash`; `keepFlash` keeps the message of the change that led there. */
function go(hash, { keepFlash: keep = false } = {}) {
  keepFlash = keep;
  if (location.hash === hash) route();
  else location.hash = hash;
}

let routing = null;
let rerun = false;

/**
 * Draws the screen of the address, one at a time: when the address changes
 * while a screen loads (a clerk changing two filters quickly), the newest
 * address is drawn after it, so an older answer never lands over a newer one.
 */
function route() {
  if (routing) {
    rerun = true;
    return routing;
  }
  routing = (async () => {
    try {
      do {
        rerun = false;
        await routeOnce();
      } while (rerun);
    } finally {
      routing = null;
    }
  })();
  return routing;
}

async function routeOnce() {
  const hash = location.hash;
  const [path, query] = (hash.slice(1) || '/products').split('?');
  const params = new URLSearchParams(query);
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', path.startsWith(a.getAttribute('href').slice(1))));
  known.product.clear();
  // A message belongs to the screen it was said on.
  if (keepFlash) keepFlash = false;
  else flash('');
  api.takeEvents?.();
  await guarded(async () => {
    try {
      await render(path, params);
    } catch (e) {
      // Never leave the previous screen under the new tab as if it were this one.
      show(h('h2', {}, 'This page could not be loaded'),
        h('p', { id: 'load-error' }, errorText(e)),
        h('button', { id: 'retry', class: 'secondary', onclick: () => route() }, 'Try again'));
      throw e;
    }
  });
  document.body.dataset.view = path;
  // Which address the screen shows, and how many screens were drawn (for tests).
  document.body.dataset.shown = hash;
  document.body.dataset.draws = String(Number(document.body.dataset.draws ?? 0) + 1);
}

/** Draws the screen of `path`. */
async function render(path, params) {
  const po = path.match(/^\/orders\/(\d+)$/);
  const product = path.match(/^\/products\/(\d+)$/);
  const supplier = path.match(/^\/suppliers\/(\d+)$/);
  if (po) await poView(Number(po[1]));
  else if (product) await productView(Number(product[1]));
  else if (supplier) await supplierView(Number(supplier[1]));
  else if (path === '/orders') await ordersView(params);
  else if (path === '/suppliers') await suppliersView(params);
  else if (path === '/ledger') await ledgerView(params);
  else if (path === '/alerts') await alertsView();
  else await productsView(params);
}

async function main() {
  api = await connect();
  const mode = document.getElementById('mode');
  if (api.mode === 'server') {
    const me = await api.me();
    mode.textContent = `Online · ${me.actor}`;
    // Said where the clerk looks for it, for as long as it lasts.
    api.onReachable = (up) => {
      mode.textContent = up ? `Online · ${me.actor}` : `Server not reachable · ${me.actor}`;
      mode.classList.toggle('down', !up);
    };
  } else {
    mode.textContent = 'Offline · engine and data in this browser';
    if (api.fallback) {
      keepFlash = true;
      flash('Working offline: the server could not be reached. What is done here stays in this browser and never reaches the server; reload when the server is back.', 'error');
    }
    mode.append(' ', h('button', {
      class: 'secondary', id: 'reset-offline',
      onclick: () => {
        // Everything done offline lives only here: asked before it is gone.
        if (!confirm('Forget everything done offline in this browser and start again from the demo data?')) return;
        LocalBackend.reset();
        location.reload();
      },
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
