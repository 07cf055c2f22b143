import { ImportInputError } from '#shared/imports/import-errors.ts';

/** What a column of an order-history CSV can hold. One row is one line item of an order. */
export const IMPORT_FIELDS = [
  'orderId',
  'date',
  'email',
  'customerId',
  'sku',
  'name',
  'category',
  'quantity',
  'price',
  'country',
  'currency',
  'customerName',
  'phone',
  'locale',
  'couponCodes',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Fields every file must have a column for (plus email or customerId). Category and country may be missing. */
export const REQUIRED_FIELDS: readonly ImportField[] = ['orderId', 'date', 'sku', 'name', 'quantity', 'price'];

/**
 * Header names recognised for each field, compared after normalizeHeader (case, spaces, "_", "-", "." and "#"
 * ignored), so "Order ID", "order_id" and "ORDER-ID" all match. No alias belongs to two fields.
 */
export const FIELD_ALIASES: Record<ImportField, readonly string[]> = {
  orderId: [
    'orderid',
    'order',
    'ordernumber',
    'orderno',
    'ordernr',
    'orderref',
    'orderreference',
    'ordername',
    'invoiceno',
    'invoice',
    'invoicenumber',
    'invoiceid',
  ],
  date: [
    'date',
    'orderdate',
    'purchasedat',
    'purchasedate',
    'purchasedon',
    'createdat',
    'orderedat',
    'ordertime',
    'datetime',
    'timestamp',
    'invoicedate',
    'datecreated',
  ],
  email: ['email', 'customeremail', 'emailaddress', 'mail', 'buyeremail', 'contactemail', 'billingemail', 'billingemailaddress'],
  customerId: ['customerid', 'customer', 'customerno', 'customernumber', 'clientid', 'buyerid', 'accountid'],
  sku: ['sku', 'productsku', 'itemsku', 'variantsku', 'articlenumber', 'itemcode', 'productcode', 'productid', 'stockcode', 'lineitemsku'],
  name: ['name', 'productname', 'itemname', 'product', 'title', 'producttitle', 'lineitemname', 'description'],
  category: ['category', 'productcategory', 'producttype', 'department', 'productgroup'],
  quantity: ['quantity', 'qty', 'units', 'lineitemquantity', 'itemquantity'],
  price: ['price', 'unitprice', 'itemprice', 'priceeach', 'lineitemprice', 'priceperunit', 'itemcost'],
  country: ['country', 'countrycode', 'countryname', 'billingcountry', 'billingcountrycode'],
  currency: ['currency', 'currencycode', 'ordercurrency'],
  customerName: ['customername', 'fullname', 'billingname', 'clientname', 'buyername'],
  phone: ['phone', 'phonenumber', 'telephone', 'tel', 'mobile', 'mobilephone', 'customerphone', 'billingphone', 'contactphone'],
  locale: ['locale', 'language', 'lang'],
  couponCodes: ['coupon', 'coupons', 'couponcode', 'couponcodes', 'discountcode', 'discountcodes', 'promocode', 'promocodes', 'vouchercode', 'vouchercodes'],
};

/**
 * Aliases used only when no column matches the field's own aliases: exports often carry both a billing and a
 * shipping country, or both a creation and a payment time, and the first of each pair is the order's.
 */
const FALLBACK_ALIASES: Partial<Record<ImportField, readonly string[]>> = {
  date: ['paidat', 'paiddate'],
  country: ['shippingcountry', 'shippingcountrycode'],
};

/**
 * Shopify's order export calls the order number "Name" (#1001) and the product "Lineitem name": in a file with a
 * `Lineitem name` column, `Name` is the order.
 */
function contextualField(normalized: string, headers: ReadonlySet<string>): ImportField | undefined {
  return normalized === 'name' && headers.has('lineitemname') ? 'orderId' : undefined;
}

/** Which column (by index) holds each field, and the file's own header names for messages. */
export interface ColumnLayout {
  header: readonly string[];
  index: Partial<Record<ImportField, number>>;
}

export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.#]+/g, '');
}

/** The field a name given on the command line means: a field name or any of its aliases, any case. */
export function fieldNamed(name: string): ImportField | undefined {
  const normalized = normalizeHeader(name);
  return IMPORT_FIELDS.find((field) => normalizeHeader(field) === normalized || FIELD_ALIASES[field].includes(normalized));
}

/**
 * Parses `--map` values: comma-separated `field=Header` pairs, e.g. "orderId=Order No,email=E-mail".
 * The option may be given several times. Throws ImportInputError naming the bad pair.
 */
export function parseColumnMapping(specs: readonly string[]): Partial<Record<ImportField, string>> {
  const mapping: Partial<Record<ImportField, string>> = {};
  for (const spec of specs) {
    for (const pair of spec.split(',')) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      const fieldName = eq < 0 ? '' : pair.slice(0, eq).trim();
      const header = eq < 0 ? '' : pair.slice(eq + 1).trim();
      if (fieldName === '' || header === '') throw new ImportInputError(`--map "${pair.trim()}": expected field=Header, e.g. orderId=Order No`);
      const field = fieldNamed(fieldName);
      if (field === undefined) throw new ImportInputError(`--map "${pair.trim()}": unknown field "${fieldName}"; fields are ${IMPORT_FIELDS.join(', ')}`);
      if (mapping[field] !== undefined && mapping[field] !== header)
        throw new ImportInputError(`--map names two columns for ${field}: "${mapping[field]}" and "${header}"`);
      mapping[field] = header;
    }
  }
  return mapping;
}

/**
 * Finds each field's column in a header row: explicit `--map` entries first (matched case-insensitively),
 * then the aliases. Throws ImportInputError listing every problem (a missing required column, two columns
 * that both look like one field, a mapped header the file does not have) and how to fix it.
 */
export function resolveColumns(header: readonly string[], explicit: Partial<Record<ImportField, string>> = {}): ColumnLayout {
  const index: Partial<Record<ImportField, number>> = {};
  const problems: string[] = [];
  const taken = new Set<number>();
  const trimmed = header.map((h) => h.trim());

  for (const field of IMPORT_FIELDS) {
    const wanted = explicit[field];
    if (wanted === undefined) continue;
    const exact = trimmed.findIndex((h) => h === wanted);
    const position = exact >= 0 ? exact : trimmed.findIndex((h) => h.toLowerCase() === wanted.toLowerCase());
    if (position < 0) problems.push(`--map ${field}="${wanted}": the file has no such column`);
    else {
      index[field] = position;
      taken.add(position);
    }
  }

  const normalized = trimmed.map(normalizeHeader);
  const present = new Set(normalized);
  for (const field of IMPORT_FIELDS) {
    if (explicit[field] !== undefined) continue;
    const matching = (aliases: readonly string[]) =>
      normalized.flatMap((h, position) => {
        if (taken.has(position)) return [];
        const context = contextualField(h, present);
        return (context === undefined ? aliases.includes(h) : context === field) ? [position] : [];
      });
    const primary = matching(FIELD_ALIASES[field]);
    const candidates = primary.length > 0 ? primary : matching(FALLBACK_ALIASES[field] ?? []);
    const [first, second] = candidates;
    if (second !== undefined && first !== undefined) {
      problems.push(`columns "${trimmed[first]}" and "${trimmed[second]}" both look like ${field}; choose one with --map ${field}="${trimmed[first]}"`);
    } else if (first !== undefined) {
      index[field] = first;
    }
  }

  const missing = REQUIRED_FIELDS.filter((field) => index[field] === undefined);
  if (index.email === undefined && index.customerId === undefined) missing.push('email');
  if (missing.length > 0) {
    const which = missing.map((field) => (field === 'email' && index.customerId === undefined ? 'email or customerId' : field));
    problems.push(`no column found for ${which.join(', ')}; name them with --map, e.g. --map ${missing[0] ?? 'orderId'}="Your header"`);
  }
  if (problems.length > 0) {
    throw new ImportInputError(
      `cannot map the file's columns:\n  - ${problems.join('\n  - ')}\n  The file's header is: ${trimmed.map((h) => `"${h}"`).join(', ')}`,
    );
  }
  return { header: trimmed, index };
}

/** The file's own name for the column of a field, for reasons ("Qty: must be at least 1"). */
export function columnLabel(columns: ColumnLayout, field: ImportField): string {
  const position = columns.index[field];
  return (position === undefined ? undefined : columns.header[position]) ?? field;
}
