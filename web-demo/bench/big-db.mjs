// Writes the requests of a database of realistic size as JSON Lines, for
// `stockbook exec --batch` (one transaction): 20 suppliers, N products (each
// with stock), N/10 purchase orders of 5 lines (ordered, every fourth partly
// received) and N/20 sales documents of 3 lines. Deterministic: the same N
// gives the same database.
// Usage: node bench/big-db.mjs [N=20000] | stockbook --db big.db --sync-normal exec --batch -q > /dev/null

const n = Number(process.argv[2] ?? 20000);
const actor = { id: 'bench', permissions: ['admin'] };
const now = '2026-01-05T09:00:00Z';
const out = [];
const put = (cmd, args) => out.push(JSON.stringify({ cmd, actor, now, args }));
/** A valid EAN-13 from 12 digits (the check digit appended). */
function ean13(twelve) {
  const d = String(twelve).padStart(12, '0');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(d[i]) * (i % 2 ? 3 : 1);
  return d + ((10 - (sum % 10)) % 10);
}
const flush = () => { if (out.length) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; } };
for (let s = 1; s <= 20; s++) put('create_supplier', { name: `Supplier ${s}` });
for (let p = 1; p <= n; p++) {
  put('create_product', {
    sku: `SKU-${String(p).padStart(6, '0')}`,
    name: `Product ${p}, a name of realistic length`,
    ean: ean13(400000000000 + p),
    price: `${5 + (p % 50)}.90`,
    purchase_price: `${2 + (p % 40)}.10`,
    low_stock_threshold: 5,
  });
  put('update_stock', { product_id: p, operation: 'add', quantity: 10 + (p % 90) });
  if (p % 1000 === 0) flush();
}
const pos = Math.floor(n / 10);
for (let o = 1; o <= pos; o++) {
  const lines = [];
  for (let l = 0; l < 5; l++) {
    lines.push({ product_id: 1 + ((o * 7 + l * 1013) % n), quantity: 10 + l, unit_cost: `${1 + (l % 3)}.25` });
  }
  put('create_purchase_order', { supplier_id: 1 + (o % 20), lines, notes: `Bench order ${o}` });
  put('order_purchase_order', { id: o });
  if (o % 4 === 0) put('receive_purchase_order', { id: o, lines: [{ line_no: 1, quantity: 3 }] });
  if (o % 500 === 0) flush();
}
const sales = Math.floor(n / 20);
for (let d = 1; d <= sales; d++) {
  const lines = [0, 1, 2].map((l) => ({ product_id: 1 + ((d * 11 + l * 389) % n), quantity: 1 + l }));
  put('create_sales_document', { client: `Client ${d}`, lines });
  if (d % 500 === 0) flush();
}
flush();
