// Type definitions of the Stockbook package (hand-written, checked by
// `tsc --noEmit` over wasm/tests/typed-example.ts, which uses every export).
// Field names and shapes are those of docs/protocol.md and the core's serde
// types. Decimals travel as strings ("12.50"); ids are numbers.

/** A decimal quantity, price or percentage as text: `"12.5"`. Whole numbers may be given as numbers. */
export type Decimal = string;
/** A decimal on input: text, or a whole number. */
export type DecimalInput = string | number;
/** An RFC 3339 time: `"2026-01-05T09:00:00Z"`. */
export type Timestamp = string;
/** A calendar date: `"2026-01-05"`. */
export type DateString = string;
/** Internal id of an entity. */
export type Id = number;

export type Permission =
  | 'inventory.read'
  | 'inventory.write'
  | 'purchasing.write'
  | 'purchasing.receive'
  | 'sales.write'
  | 'admin';

export interface Actor {
  id: string;
  /** Only read: a `readonly` array (`as const`) is accepted. */
  permissions: readonly Permission[];
}

export type ErrorCode =
  | 'invalid_request'
  | 'invalid_field'
  | 'not_found'
  | 'forbidden'
  | 'duplicate'
  | 'invalid_transition'
  | 'over_receipt'
  | 'insufficient_stock'
  | 'not_tracked'
  | 'in_use'
  | 'locked'
  | 'conflict';

/** JSON data. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A line `insufficient_stock` names. */
export type ShortLine = { product_id: Id; location_id: Id; requested: Decimal; available: Decimal };

/** The `details` of each error code (docs/protocol.md, "Errors"). */
export interface ErrorDetails {
  invalid_request: { reason: string };
  /** `field`: an argument's path inside `args` (`lines[0].quantity`), or an envelope field (`now`, `actor.id`). */
  invalid_field: { field: string; reason: string };
  /** `id` as text, as the request named it. */
  not_found: { entity: string; id: string };
  forbidden: { permission: string };
  duplicate: { field: string; value: string };
  invalid_transition: { from: string; action: string };
  over_receipt: { line: number; outstanding: Decimal; requested: Decimal };
  insufficient_stock: { lines: ShortLine[] };
  not_tracked: { product_id: Id };
  in_use: { entity: string; id: string; reason: string };
  locked: { entity: string; id: string; reason: string };
  conflict: { reason: string };
}

/** The error of an answer, discriminated by `code`: `if (e.code === 'over_receipt') e.details.outstanding`. */
export type WireError = {
  [C in ErrorCode]: { code: C; message: string; details: ErrorDetails[C] };
}[ErrorCode];

// ---- entities ----

export interface Location { id: Id; name: string }
export interface Category { id: Id; name: string; colour: string; position: number }
export interface VatRate { id: Id; name: string; percent: Decimal; is_default: boolean }
export interface Deleted { id: Id; deleted: boolean }

export type OversellPolicy = 'reject' | 'allow';
export interface NumberFormats { purchase_order: string; supplier: string; product: string }
export interface Settings {
  purchase_orders_enabled: boolean;
  number_formats: NumberFormats;
  low_stock_cooldown_minutes: number;
  oversell_policy: OversellPolicy;
  over_receipt_tolerance_percent: Decimal;
}

export type PoDelivery = 'email' | 'print' | 'portal' | 'none';
export interface Supplier {
  id: Id;
  creditor_number: string;
  name: string;
  contact_person: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  website: string | null;
  notes: string | null;
  default_vat_rate_id: Id | null;
  po_delivery: PoDelivery;
  active: boolean;
}

export interface Product {
  id: Id;
  sku: string;
  name: string;
  article_number: string;
  ean: string | null;
  category_id: Id | null;
  supplier_id: Id | null;
  price: Decimal;
  purchase_price: Decimal;
  vat_rate_id: Id | null;
  track_inventory: boolean;
  low_stock_threshold: Decimal;
  unit: string;
  decimal_places: number;
  archived: boolean;
}

export interface StockTotals {
  on_hand: Decimal;
  held: Decimal;
  available: Decimal;
  incoming: Decimal;
  oversold: boolean;
  low_stock: boolean;
}
export interface ProductView { product: Product; stock: StockTotals; locations: StockView[] }

export type MovementType = 'purchase' | 'consumption' | 'adjustment' | 'return';
export interface Source {
  actor: string;
  ticket: string | null;
  invoice: Id | null;
  purchase_order: Id | null;
  client: string | null;
}
export interface Movement {
  seq: number;
  at: Timestamp;
  product_id: Id;
  location_id: Id;
  type: MovementType;
  quantity: Decimal;
  requested: Decimal | null;
  balance_after: Decimal;
  reason: string | null;
  source: Source;
}
export interface StockView {
  product_id: Id;
  location_id: Id;
  on_hand: Decimal;
  held: Decimal;
  available: Decimal;
  incoming: Decimal;
  last_movement_at: Timestamp | null;
}
export interface StockChange { movement: Movement | null; stock: StockView }
export interface StockReport { product_id: Id; totals: StockTotals; locations: StockView[] }
export interface PastStock {
  product_id: Id;
  at: Timestamp;
  on_hand: Decimal;
  locations: { location_id: Id; on_hand: Decimal }[];
}
export interface MovementPage {
  movements: Movement[];
  has_more: boolean;
  /** Oldest-first pages: pass as `after_seq` for the next page. */
  next_after_seq: number | null;
  /** Newest-first pages (`direction: 'desc'`), while more match: pass as `before_seq`. */
  next_before_seq?: number;
}

export interface Paged<T> {
  items: T[];
  total_count: number;
  page: number;
  page_size: number;
  page_count: number;
  has_more: boolean;
}

export type PoStatus = 'draft' | 'ordered' | 'partially_received' | 'received' | 'cancelled' | 'closed';
export interface PoReferences {
  job?: string | null;
  project?: string | null;
  technician?: string | null;
  business_unit?: string | null;
  po_type?: string | null;
}
export interface PoLine {
  line_no: number;
  product_id: Id | null;
  description: string;
  quantity: Decimal;
  unit_cost: Decimal;
  location_id: Id;
  received: Decimal;
  returned: Decimal;
}
export interface PurchaseOrder {
  id: Id;
  number: string;
  supplier_id: Id;
  status: PoStatus;
  vendor_reference: string | null;
  notes: string | null;
  order_date: DateString;
  expected_date: DateString | null;
  received_date: DateString | null;
  packing_slip_number: string | null;
  references: Required<PoReferences>;
  lines: PoLine[];
  exported: boolean;
  backorder_of: Id | null;
  backorder_count: number;
  created_at: Timestamp;
}
export interface PoView {
  purchase_order: PurchaseOrder;
  total: Decimal;
  received_total: Decimal;
  movements: Movement[];
  backorder: PurchaseOrder | null;
  /** What the engine would accept on this PO now: offer exactly these actions. */
  actions: PoAction[];
}
/** A PO action, as named in `invalid_transition` (plus `export`). */
export type PoAction = 'update' | 'delete' | 'order' | 'receive' | 'cancel' | 'close' | 'return' | 'export';
export interface PoSummary {
  id: Id;
  number: string;
  supplier_id: Id;
  status: PoStatus;
  order_date: DateString;
  expected_date: DateString | null;
  line_count: number;
  total: Decimal;
  received_total: Decimal;
}
export interface SupplierView { supplier: Supplier; recent_purchase_orders: PoSummary[] }

export type DocType = 'quote' | 'order' | 'invoice' | 'refund' | 'void';
export type ShipMethod = 'sent' | 'picked_up' | 'tracking';
export interface Shipment { method: ShipMethod; tracking_number: string | null; at: Timestamp }
export interface SalesLine {
  line_no: number;
  product_id: Id;
  location_id: Id;
  quantity: Decimal;
  unit_price: Decimal;
  /** Held by this document (orders). */
  held: Decimal;
  /** Consumed by this document (invoices, refunds). */
  consumed: Decimal;
}
export interface SalesDocument {
  id: Id;
  type: DocType;
  client: string;
  due_date: DateString | null;
  amount_paid: Decimal;
  total: Decimal;
  lines: SalesLine[];
  shipment: Shipment | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
/** One document of `mark_shipped`: its new state, or why it failed. */
export interface ShipOutcome { id: Id; document?: SalesDocument; error?: WireError }
export interface Shipped { results: ShipOutcome[]; succeeded: number; failed: number }
export interface Expired { voided: Id[] }

export interface LowStockEvent {
  type: 'low_stock';
  product_id: Id;
  sku: string;
  name: string;
  on_hand: Decimal;
  threshold: Decimal;
  at: Timestamp;
}
export type Event = LowStockEvent;

// ---- command arguments ----
// Arrays given to the package are only read: `readonly` arrays (`as const`) are accepted.

export interface ById { id: Id }
export type NoArgs = Record<string, never>;
export interface CreateLocationArgs { name: string }
export interface CreateCategoryArgs { name: string; colour?: string | null; position?: number | null }
/** Updates are patches: leave a field out to keep it; these fields cannot be cleared, so `null` is refused. */
export interface UpdateCategoryArgs { id: Id; name?: string; colour?: string; position?: number }
export interface CreateVatRateArgs { name: string; percent: DecimalInput; is_default?: boolean }
/** Leave a setting out to keep it (`null` is refused). */
export interface UpdateSettingsArgs {
  purchase_orders_enabled?: boolean;
  number_formats?: Partial<NumberFormats>;
  low_stock_cooldown_minutes?: number;
  oversell_policy?: OversellPolicy;
  over_receipt_tolerance_percent?: DecimalInput;
}
export interface CreateSupplierArgs {
  name: string;
  contact_person?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  website?: string | null;
  notes?: string | null;
  default_vat_rate_id?: Id | null;
  po_delivery?: PoDelivery | null;
}
/** `null` clears an optional field; leaving it out keeps it. `name`, `po_delivery` and `active` cannot be cleared (`null` is refused). */
export interface UpdateSupplierArgs extends Partial<Omit<CreateSupplierArgs, 'name' | 'po_delivery'>> {
  id: Id;
  name?: string;
  po_delivery?: PoDelivery;
  active?: boolean;
}
export interface ListSuppliersArgs { active?: boolean | null; search?: string | null; page?: number | null; page_size?: number | null }
export interface CreateProductArgs {
  sku: string;
  name: string;
  ean?: string | null;
  category_id?: Id | null;
  supplier_id?: Id | null;
  price?: DecimalInput | null;
  purchase_price?: DecimalInput | null;
  vat_rate_id?: Id | null;
  track_inventory?: boolean | null;
  low_stock_threshold?: DecimalInput | null;
  unit?: string | null;
  decimal_places?: number | null;
}
/** `null` clears `ean`, `category_id`, `supplier_id`, `vat_rate_id`; the other fields cannot be cleared (`null` is refused), leave them out to keep them. */
export interface UpdateProductArgs {
  id: Id;
  sku?: string;
  name?: string;
  ean?: string | null;
  category_id?: Id | null;
  supplier_id?: Id | null;
  price?: DecimalInput;
  purchase_price?: DecimalInput;
  vat_rate_id?: Id | null;
  track_inventory?: boolean;
  low_stock_threshold?: DecimalInput;
  unit?: string;
  decimal_places?: number;
  archived?: boolean;
  on_hand?: DecimalInput;
  reason?: string | null;
}
export interface ListProductsArgs {
  search?: string | null;
  category_id?: Id | null;
  supplier_id?: Id | null;
  include_archived?: boolean;
  low_stock_only?: boolean;
  page?: number | null;
  page_size?: number | null;
}
export type Operation = 'add' | 'subtract' | 'set';
export interface UpdateStockArgs {
  product_id: Id;
  location_id?: Id | null;
  operation: Operation;
  quantity: DecimalInput;
  reason?: string | null;
  expected_on_hand?: DecimalInput | null;
  ticket?: string | null;
  client?: string | null;
}
export interface GetStockArgs { product_id: Id; location_id?: Id | null }
export interface StockAsOfArgs { product_id: Id; at: Timestamp; location_id?: Id | null }
export interface ListMovementsArgs {
  product_id?: Id | null;
  location_id?: Id | null;
  type?: MovementType | null;
  from?: Timestamp | null;
  to?: Timestamp | null;
  after_seq?: number | null;
  /** Only movements with a sequence number below this (the newest-first cursor). */
  before_seq?: number | null;
  /** `asc` (default: oldest first) or `desc` (newest first). */
  direction?: 'asc' | 'desc' | null;
  limit?: number | null;
}
export interface PoLineInput {
  product_id?: Id | null;
  description?: string | null;
  quantity: DecimalInput;
  unit_cost?: DecimalInput | null;
  location_id?: Id | null;
}
export interface CreatePurchaseOrderArgs {
  supplier_id: Id;
  number?: string | null;
  vendor_reference?: string | null;
  notes?: string | null;
  order_date?: DateString | null;
  expected_date?: DateString | null;
  packing_slip_number?: string | null;
  references?: PoReferences | null;
  lines?: readonly PoLineInput[];
}
/** `null` clears `vendor_reference`, `notes`, `expected_date`, `packing_slip_number`; the other fields cannot be cleared (`null` is refused). */
export interface UpdatePurchaseOrderArgs extends Partial<Omit<CreatePurchaseOrderArgs, 'supplier_id' | 'number' | 'order_date' | 'references' | 'lines'>> {
  id: Id;
  supplier_id?: Id;
  number?: string;
  order_date?: DateString;
  references?: PoReferences;
  lines?: readonly PoLineInput[];
}
export interface ReceiptLine { line_no: number; quantity: DecimalInput; location_id?: Id | null }
/** The arguments of `receive_purchase_order`, without the PO id. */
export interface Receipt { lines: readonly ReceiptLine[]; received_date?: DateString | null; packing_slip_number?: string | null }
export interface ReceivePurchaseOrderArgs extends Receipt { id: Id }
export interface ClosePurchaseOrderArgs { id: Id; create_backorder?: boolean }
export interface ReturnLine { line_no: number; quantity: DecimalInput; location_id?: Id | null }
export interface ReturnToSupplierArgs { id: Id; lines: readonly ReturnLine[]; reason?: string | null }
export type PoSort = 'number' | 'order_date' | 'total';
export interface ListPurchaseOrdersArgs {
  status?: PoStatus | null;
  supplier_id?: Id | null;
  /** Only POs with a line of this product. */
  product_id?: Id | null;
  from?: DateString | null;
  to?: DateString | null;
  sort?: PoSort;
  direction?: 'asc' | 'desc';
  page?: number | null;
  page_size?: number | null;
}

export interface SalesLineInput { product_id: Id; location_id?: Id | null; quantity: DecimalInput; unit_price?: DecimalInput | null }
export interface CreateSalesDocumentArgs {
  /** Default `order`. */
  type?: DocType | null;
  client: string;
  due_date?: DateString | null;
  amount_paid?: DecimalInput | null;
  lines?: readonly SalesLineInput[];
}
/** `due_date: null` clears it; leaving a field out keeps it. */
/** `null` clears `due_date`; `client` and `lines` cannot be cleared (`null` is refused). */
export interface UpdateSalesDocumentArgs { id: Id; client?: string; due_date?: DateString | null; lines?: readonly SalesLineInput[] }
export interface ChangeSalesDocumentTypeArgs { id: Id; type: DocType }
export interface RecordPaymentArgs { id: Id; amount: DecimalInput }
export interface MarkShippedArgs { ids: readonly Id[]; method: ShipMethod; tracking_number?: string | null }
export interface ListSalesDocumentsArgs {
  type?: DocType | null;
  client?: string | null;
  include_void?: boolean;
  page?: number | null;
  page_size?: number | null;
}

/** Every command: its arguments and its result. */
export interface Commands {
  create_location: { args: CreateLocationArgs; result: Location };
  create_category: { args: CreateCategoryArgs; result: Category };
  update_category: { args: UpdateCategoryArgs; result: Category };
  delete_category: { args: ById; result: Deleted };
  create_vat_rate: { args: CreateVatRateArgs; result: VatRate };
  update_settings: { args: UpdateSettingsArgs; result: Settings };
  create_supplier: { args: CreateSupplierArgs; result: Supplier };
  update_supplier: { args: UpdateSupplierArgs; result: Supplier };
  delete_supplier: { args: ById; result: Deleted };
  create_product: { args: CreateProductArgs; result: Product };
  update_product: { args: UpdateProductArgs; result: ProductView };
  delete_product: { args: ById; result: Deleted };
  update_stock: { args: UpdateStockArgs; result: StockChange };
  create_purchase_order: { args: CreatePurchaseOrderArgs; result: PoView };
  update_purchase_order: { args: UpdatePurchaseOrderArgs; result: PoView };
  delete_purchase_order: { args: ById; result: Deleted };
  order_purchase_order: { args: ById; result: PoView };
  receive_purchase_order: { args: ReceivePurchaseOrderArgs; result: PoView };
  cancel_purchase_order: { args: ById; result: PoView };
  close_purchase_order: { args: ClosePurchaseOrderArgs; result: PoView };
  return_to_supplier: { args: ReturnToSupplierArgs; result: PoView };
  mark_purchase_order_exported: { args: ById; result: PoView };
  create_sales_document: { args: CreateSalesDocumentArgs; result: SalesDocument };
  update_sales_document: { args: UpdateSalesDocumentArgs; result: SalesDocument };
  change_sales_document_type: { args: ChangeSalesDocumentTypeArgs; result: SalesDocument };
  record_payment: { args: RecordPaymentArgs; result: SalesDocument };
  mark_shipped: { args: MarkShippedArgs; result: Shipped };
  delete_sales_document: { args: ById; result: SalesDocument };
  expire_orders: { args: NoArgs; result: Expired };
  get_settings: { args: NoArgs; result: Settings };
  list_locations: { args: NoArgs; result: Location[] };
  list_categories: { args: NoArgs; result: Category[] };
  list_vat_rates: { args: NoArgs; result: VatRate[] };
  get_supplier: { args: ById; result: SupplierView };
  list_suppliers: { args: ListSuppliersArgs; result: Paged<Supplier> };
  get_product: { args: ById; result: ProductView };
  list_products: { args: ListProductsArgs; result: Paged<ProductView> };
  get_stock: { args: GetStockArgs; result: StockReport };
  stock_as_of: { args: StockAsOfArgs; result: PastStock };
  list_movements: { args: ListMovementsArgs; result: MovementPage };
  get_purchase_order: { args: ById; result: PoView };
  list_purchase_orders: { args: ListPurchaseOrdersArgs; result: Paged<PoSummary> };
  get_sales_document: { args: ById; result: SalesDocument };
  list_sales_documents: { args: ListSalesDocumentsArgs; result: Paged<SalesDocument> };
}
export type CommandName = keyof Commands;

/**
 * The queries: they change nothing and may leave out `now` (the commands
 * marked `false` in the table of core/src/protocol.rs; checked by
 * wasm/tests/types.test.mjs).
 */
export type QueryName =
  | 'get_settings'
  | 'list_locations'
  | 'list_categories'
  | 'list_vat_rates'
  | 'get_supplier'
  | 'list_suppliers'
  | 'get_product'
  | 'list_products'
  | 'get_stock'
  | 'stock_as_of'
  | 'list_movements'
  | 'get_purchase_order'
  | 'list_purchase_orders'
  | 'get_sales_document'
  | 'list_sales_documents';
/** The changes: they need `now` (the core reads no clock). */
export type ChangeName = Exclude<CommandName, QueryName>;

/** A protocol request (RULES §9): `now` is required for changes, optional for queries. */
export type Request = {
  [C in CommandName]: {
    cmd: C;
    actor: Actor;
    idempotency_key?: string;
    args?: Commands[C]['args'];
  } & (C extends QueryName ? { now?: Timestamp } : { now: Timestamp });
}[CommandName];

export interface OkAnswer<T> { ok: T; events: Event[] }
export interface ErrorAnswer { error: WireError }
/** A protocol answer: `{ok, events}` or `{error}`. */
export type Answer<T = Commands[CommandName]['result']> = OkAnswer<T> | ErrorAnswer;
/** The answer of `execute` for a given request. */
export type AnswerOf<R> = R extends { cmd: infer C extends CommandName } ? Answer<Commands[C]['result']> : Answer;

/** Snapshot of a store (`exportSnapshot`); treat as opaque JSON. */
export interface Snapshot {
  format: number;
  records: Json[];
  movements: Movement[];
}

/** Per-call options of the typed methods. */
export interface CallOptions {
  /** Overrides the Stockbook's actor. */
  actor?: Actor;
  /** The command's time (a `Date` is sent as RFC 3339 text); default the Stockbook's clock. */
  now?: Timestamp | Date;
  /** Makes a retried change safe. */
  idempotencyKey?: string;
}

export interface StockbookOptions {
  /** The actor of typed calls (each call may override it). */
  actor?: Actor;
  /** Time source of typed calls and `validateReceipt`; default `new Date()`. */
  clock?: () => Date | Timestamp;
  /**
   * Called with each event (low-stock alert) of a typed call. What it throws
   * is reported like an event listener's error (`reportError`, or thrown from
   * a microtask), never thrown from the call, whose change is applied.
   */
  onEvent?: (event: Event) => void;
  /** Rebuild right after a trap (the trapping call still throws). Default false. */
  autoRecover?: boolean;
}

export interface ValidateReceiptOptions {
  /** Default: an actor holding `purchasing.receive`. */
  actor?: Actor;
  /** Default: the clock (a `Date` is sent as RFC 3339 text). */
  now?: Timestamp | Date;
}

/** Something that identifies a purchase order: its id, the record, or a `PoView`. */
export type PurchaseOrderRef = Id | { id: Id } | { purchase_order: { id: Id } };

/** A refusal of the core (typed methods, `importSnapshot`, `fromSnapshot`). */
export class StockbookError extends Error {
  constructor(code: ErrorCode, message: string, details: ErrorDetails[ErrorCode]);
  readonly name: 'StockbookError';
  readonly code: ErrorCode;
  /** The details of `code` (see `ErrorDetails`; narrow with `'line' in details`, or read `WireError` answers). */
  readonly details: ErrorDetails[ErrorCode];
}

/** The wasm instance trapped; call `recover()` (or use `autoRecover`). */
export class StockbookTrapError extends Error {
  constructor(message: string, cause?: unknown);
  readonly name: 'StockbookTrapError';
  readonly code: 'trapped';
}

/** Where the `.wasm` comes from (in Node, a `file:` URL or a path is read from disk). */
export type WasmSource = URL | string | Response | Promise<Response> | BufferSource | WebAssembly.Module;

/** The typed method of a command: `create_product` -> `createProduct`. */
export function methodName(command: string): string;

/** Loads the wasm module (once); default: the `.wasm` next to the package's JS. */
export function init(source?: WasmSource): Promise<void>;
/** Loads the wasm module synchronously. */
export function initSync(source: BufferSource | WebAssembly.Module): void;

export class Stockbook {
  constructor(options?: StockbookOptions);
  static fromSnapshot(snapshot: string | Snapshot, options?: StockbookOptions): Stockbook;
  /** The core's command names (each has a typed method, see `methodName`). */
  static commandNames(): CommandName[];
  /** Every error code the core can answer. */
  static errorCodes(): ErrorCode[];

  /** True after a trap, until `recover()`. */
  readonly trapped: boolean;
  /** Rebuilds after a trap from the last checkpoint and the changes since. */
  recover(): void;

  execute<R extends Request>(request: R): AnswerOf<R>;
  executeJson(request: string): string;
  dryRun<R extends Request>(request: R): AnswerOf<R>;
  validateReceipt(purchaseOrder: PurchaseOrderRef, receipt: Receipt, options?: ValidateReceiptOptions): Answer<PoView>;
  exportSnapshot(): string;
  importSnapshot(snapshot: string | Snapshot): void;
  ledgerLength(): number;
  /** Frees this Stockbook's wasm memory; every later call on it throws an `Error` (a second `free()` does nothing). */
  free(): void;
  /** Test builds only (`test-trap`): traps the wasm instance. */
  forceTrapForTests(): void;
  /** Runs any command by wire name; what the typed methods call. */
  typed<C extends CommandName>(cmd: C, args?: Commands[C]['args'], options?: CallOptions): Commands[C]['result'];

  createLocation(args: CreateLocationArgs, options?: CallOptions): Location;
  createCategory(args: CreateCategoryArgs, options?: CallOptions): Category;
  updateCategory(args: UpdateCategoryArgs, options?: CallOptions): Category;
  deleteCategory(args: ById, options?: CallOptions): Deleted;
  createVatRate(args: CreateVatRateArgs, options?: CallOptions): VatRate;
  updateSettings(args: UpdateSettingsArgs, options?: CallOptions): Settings;
  createSupplier(args: CreateSupplierArgs, options?: CallOptions): Supplier;
  updateSupplier(args: UpdateSupplierArgs, options?: CallOptions): Supplier;
  deleteSupplier(args: ById, options?: CallOptions): Deleted;
  createProduct(args: CreateProductArgs, options?: CallOptions): Product;
  updateProduct(args: UpdateProductArgs, options?: CallOptions): ProductView;
  deleteProduct(args: ById, options?: CallOptions): Deleted;
  updateStock(args: UpdateStockArgs, options?: CallOptions): StockChange;
  createPurchaseOrder(args: CreatePurchaseOrderArgs, options?: CallOptions): PoView;
  updatePurchaseOrder(args: UpdatePurchaseOrderArgs, options?: CallOptions): PoView;
  deletePurchaseOrder(args: ById, options?: CallOptions): Deleted;
  orderPurchaseOrder(args: ById, options?: CallOptions): PoView;
  receivePurchaseOrder(args: ReceivePurchaseOrderArgs, options?: CallOptions): PoView;
  cancelPurchaseOrder(args: ById, options?: CallOptions): PoView;
  closePurchaseOrder(args: ClosePurchaseOrderArgs, options?: CallOptions): PoView;
  returnToSupplier(args: ReturnToSupplierArgs, options?: CallOptions): PoView;
  markPurchaseOrderExported(args: ById, options?: CallOptions): PoView;
  getSettings(args?: NoArgs, options?: CallOptions): Settings;
  listLocations(args?: NoArgs, options?: CallOptions): Location[];
  listCategories(args?: NoArgs, options?: CallOptions): Category[];
  listVatRates(args?: NoArgs, options?: CallOptions): VatRate[];
  getSupplier(args: ById, options?: CallOptions): SupplierView;
  listSuppliers(args?: ListSuppliersArgs, options?: CallOptions): Paged<Supplier>;
  getProduct(args: ById, options?: CallOptions): ProductView;
  listProducts(args?: ListProductsArgs, options?: CallOptions): Paged<ProductView>;
  getStock(args: GetStockArgs, options?: CallOptions): StockReport;
  stockAsOf(args: StockAsOfArgs, options?: CallOptions): PastStock;
  listMovements(args?: ListMovementsArgs, options?: CallOptions): MovementPage;
  getPurchaseOrder(args: ById, options?: CallOptions): PoView;
  listPurchaseOrders(args?: ListPurchaseOrdersArgs, options?: CallOptions): Paged<PoSummary>;
  createSalesDocument(args: CreateSalesDocumentArgs, options?: CallOptions): SalesDocument;
  updateSalesDocument(args: UpdateSalesDocumentArgs, options?: CallOptions): SalesDocument;
  changeSalesDocumentType(args: ChangeSalesDocumentTypeArgs, options?: CallOptions): SalesDocument;
  recordPayment(args: RecordPaymentArgs, options?: CallOptions): SalesDocument;
  markShipped(args: MarkShippedArgs, options?: CallOptions): Shipped;
  deleteSalesDocument(args: ById, options?: CallOptions): SalesDocument;
  expireOrders(args?: NoArgs, options?: CallOptions): Expired;
  getSalesDocument(args: ById, options?: CallOptions): SalesDocument;
  listSalesDocuments(args?: ListSalesDocumentsArgs, options?: CallOptions): Paged<SalesDocument>;
}
