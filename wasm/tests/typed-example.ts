// A typed example that uses every export of the package and every typed
// method. `tsc --noEmit` over it checks stockbook.d.ts (strict, no `any`);
// wasm/tests/types.test.mjs also compiles and runs it, so the types describe
// what the module really answers.
import {
  init,
  initSync,
  methodName,
  Stockbook,
  StockbookError,
  StockbookTrapError,
  type Actor,
  type Answer,
  type CommandName,
  type ErrorCode,
  type Event,
  type PoView,
  type ProductView,
  type Request,
} from '../pkg/stockbook.js';

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`typed example: ${what}`);
}

const admin: Actor = { id: 'ann', permissions: ['admin'] };
let clock = Date.parse('2026-03-02T09:00:00Z');
const events: Event[] = [];

await init();
initSync(new Uint8Array(0)); // a no-op once loaded
check(methodName('create_product') === 'createProduct', 'methodName');

const sb = new Stockbook({
  actor: admin,
  clock: () => new Date((clock += 60_000)),
  onEvent: (e) => events.push(e),
});

const names: CommandName[] = Stockbook.commandNames();
const codes: ErrorCode[] = Stockbook.errorCodes();
check(names.includes('receive_purchase_order') && codes.includes('over_receipt'), 'lists');

// Catalogue and settings.
const settings = sb.updateSettings({ over_receipt_tolerance_percent: '0' });
check(sb.getSettings().oversell_policy === settings.oversell_policy, 'settings');
const van = sb.createLocation({ name: 'Van 1' });
check(sb.listLocations().length === 2, 'locations');
const cat = sb.createCategory({ name: 'Fasteners', colour: '#00aa55' });
sb.updateCategory({ id: cat.id, position: 2 });
check(sb.listCategories()[0].colour === '#00aa55', 'categories');
const spare = sb.createCategory({ name: 'Spare' });
check(sb.deleteCategory({ id: spare.id }).deleted, 'delete category');
const vat = sb.createVatRate({ name: 'Standard', percent: '21', is_default: true });
check(sb.listVatRates()[0].percent === vat.percent, 'vat');
const acme = sb.createSupplier({ name: 'Acme', po_delivery: 'email', default_vat_rate_id: vat.id });
sb.updateSupplier({ id: acme.id, phone: '+31 20 555 0100' });
const gone = sb.createSupplier({ name: 'Gone' });
check(sb.deleteSupplier({ id: gone.id }).deleted, 'delete supplier');
check(sb.listSuppliers({ active: true }).total_count === 1, 'suppliers');

// Products and stock.
const bolt = sb.createProduct({ sku: 'BOLT', name: 'Bolt', price: '0.95', category_id: cat.id, low_stock_threshold: 10 });
const temp = sb.createProduct({ sku: 'TMP', name: 'Typo' });
check(sb.deleteProduct({ id: temp.id }).deleted, 'delete product');
const view: ProductView = sb.updateProduct({ id: bolt.id, name: 'Hex bolt' });
check(view.product.name === 'Hex bolt', 'update product');
const change = sb.updateStock({ product_id: bolt.id, operation: 'add', quantity: 12, location_id: van.id });
check(change.movement?.balance_after === '12', 'stock add');
sb.updateStock({ product_id: bolt.id, operation: 'subtract', quantity: '5', location_id: van.id });
check(events.length === 1 && events[0].type === 'low_stock', 'low-stock event');
check(sb.getStock({ product_id: bolt.id }).totals.on_hand === '7', 'get stock');
check(sb.stockAsOf({ product_id: bolt.id, at: '2026-03-01T00:00:00Z' }).on_hand === '0', 'stock as of');
check(sb.listMovements({ product_id: bolt.id }).movements.length === 2, 'movements');
check(sb.getProduct({ id: bolt.id }).stock.available === '7', 'get product');
check(sb.listProducts({ low_stock_only: true }).items.length === 1, 'list products');

// Purchasing, and validating a receipt offline.
const po: PoView = sb.createPurchaseOrder({ supplier_id: acme.id, lines: [{ product_id: bolt.id, quantity: 10, unit_cost: '0.45' }] });
sb.updatePurchaseOrder({ id: po.purchase_order.id, notes: 'dock 2' });
sb.orderPurchaseOrder({ id: po.purchase_order.id });
const over: Answer<PoView> = sb.validateReceipt(po, { lines: [{ line_no: 1, quantity: '11' }] });
check('error' in over && over.error.code === 'over_receipt', 'validate over-receipt');
// Errors are discriminated by code: each code's details are typed.
if ('error' in over && over.error.code === 'over_receipt') {
  const { line, outstanding, requested }: { line: number; outstanding: string; requested: string } = over.error.details;
  check(line === 1 && outstanding === '10' && requested === '11', 'over-receipt details');
}
const fine = sb.validateReceipt(po.purchase_order.id, { lines: [{ line_no: 1, quantity: '4' }] });
check('ok' in fine && fine.ok.purchase_order.status === 'partially_received', 'validate ok');
sb.receivePurchaseOrder({ id: po.purchase_order.id, lines: [{ line_no: 1, quantity: '4' }] }, { idempotencyKey: 'r-1' });
const closed = sb.closePurchaseOrder({ id: po.purchase_order.id, create_backorder: true });
check(closed.backorder !== null, 'backorder');
sb.returnToSupplier({ id: po.purchase_order.id, lines: [{ line_no: 1, quantity: 1 }], reason: 'bent' });
const bo = closed.backorder!.id;
sb.markPurchaseOrderExported({ id: bo });
const draft = sb.createPurchaseOrder({ supplier_id: acme.id });
sb.deletePurchaseOrder({ id: draft.purchase_order.id });
const other = sb.createPurchaseOrder({ supplier_id: acme.id, lines: [{ product_id: bolt.id, quantity: 1 }] });
check(sb.cancelPurchaseOrder({ id: other.purchase_order.id }).purchase_order.status === 'cancelled', 'cancel');
check(sb.getPurchaseOrder({ id: bo }).purchase_order.exported, 'get po');
check(sb.listPurchaseOrders({ sort: 'number', direction: 'asc' }).total_count === 3, 'list pos');
check(sb.getSupplier({ id: acme.id }).recent_purchase_orders.length === 3, 'get supplier');

// Sales.
const order = sb.createSalesDocument({ client: 'Bakker', due_date: '2026-02-28', lines: [{ product_id: bolt.id, quantity: 2, location_id: van.id }] });
sb.updateSalesDocument({ id: order.id, client: 'Bakker BV' });
const quote = sb.createSalesDocument({ type: 'quote', client: 'De Vries', lines: [{ product_id: bolt.id, quantity: 1, location_id: van.id }] });
sb.changeSalesDocumentType({ id: quote.id, type: 'order' });
sb.recordPayment({ id: quote.id, amount: '1.00' });
const shipped = sb.markShipped({ ids: [quote.id, 999], method: 'sent' });
check(shipped.succeeded === 1 && shipped.results[1].error?.code === 'not_found', 'mark shipped');
check(sb.expireOrders().voided.includes(order.id), 'expire');
const extra = sb.createSalesDocument({ type: 'quote', client: 'X' });
check(sb.deleteSalesDocument({ id: extra.id }).type === 'void', 'delete sales document');
check(sb.getSalesDocument({ id: quote.id }).type === 'invoice', 'get sales document');
check(sb.listSalesDocuments({ include_void: true }).total_count === 3, 'list sales documents');
check(sb.typed('list_locations', {}).length === 2, 'typed');

// The protocol path: answers, never exceptions, typed by the request.
const request: Request = { cmd: 'get_product', actor: admin, args: { id: bolt.id } };
// A change without `now` is refused at run time, so it does not compile.
// @ts-expect-error `now` is required for changes
const noTime: Request = { cmd: 'update_stock', actor: admin, args: { product_id: bolt.id, operation: 'add', quantity: '1' } };
check(sb.execute(noTime).hasOwnProperty('error'), 'a change without now is refused');
const timed: Request = { cmd: 'update_stock', actor: admin, now: '2026-04-01T00:00:00Z', args: { product_id: bolt.id, operation: 'add', quantity: '0' } };
check(!('error' in sb.execute(timed)), 'a change with now');
const answer = sb.execute(request);
check('ok' in answer, 'execute');
const missing = sb.execute({ cmd: 'get_product', actor: admin, args: { id: 404 } });
check('error' in missing && missing.error.code === 'not_found', 'execute error');
const dry = sb.dryRun({ cmd: 'update_stock', actor: admin, now: '2026-04-01T00:00:00Z', args: { product_id: bolt.id, operation: 'set', quantity: '0' } });
check('ok' in dry && sb.getStock({ product_id: bolt.id }).totals.on_hand !== '0', 'dry run changes nothing');
check(JSON.parse(sb.executeJson(JSON.stringify(request))).ok.product.id === bolt.id, 'executeJson');

// Inputs are only read: readonly data (`as const` configuration) is accepted.
const ROLES = { receiver: { id: 'dock', permissions: ['purchasing.receive', 'inventory.read'] } } as const;
const dockLines = [{ line_no: 1, quantity: '1' }] as const;
check('error' in sb.validateReceipt(po, { lines: dockLines }, { actor: ROLES.receiver }), 'readonly receipt lines');
check(sb.listLocations({}, { actor: ROLES.receiver }).length === 2, 'readonly actor');
check(sb.markShipped({ ids: [404] as const, method: 'picked_up' }).failed === 1, 'readonly ids');
const readonlyRequest = { cmd: 'get_product', actor: ROLES.receiver, args: { id: bolt.id } } as const;
check('ok' in sb.execute(readonlyRequest), 'readonly request');

// Refusals of typed methods are StockbookErrors.
try {
  sb.createProduct({ sku: 'BOLT', name: 'Again' });
  check(false, 'duplicate must throw');
} catch (e) {
  check(e instanceof StockbookError && e.code === 'duplicate' && !(e instanceof StockbookTrapError), 'StockbookError');
}

// Snapshots.
const snap = sb.exportSnapshot();
const copy = Stockbook.fromSnapshot(snap, { actor: admin });
check(copy.ledgerLength() === sb.ledgerLength() && !copy.trapped, 'snapshot');
copy.importSnapshot(JSON.parse(snap));
copy.recover(); // nothing to do when not trapped
copy.free();
console.log('typed example: ok');
