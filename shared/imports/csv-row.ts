import { isKnownCurrency } from '#shared/money.ts';
import { LineItemInput, PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { columnLabel, type ColumnLayout, type ImportField } from '#shared/imports/csv-columns.ts';
import { parseDecimal, parseOrderDate, type DateFormat } from '#shared/imports/csv-values.ts';

/** How the values of a file are written. */
export interface RowOptions {
  decimalComma: boolean;
  dateFormat: DateFormat;
  /** Currency of rows without a currency column or value: the shop's base currency. */
  baseCurrency: string;
}

/** One line item read from a row, with the order-level values the row carries. */
export interface ParsedRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  orderId: string;
  /** Normalised later; present when the row has an email (which then decides the customer). */
  email: string | undefined;
  /** The shop's own customer id, used only when the row has no email. */
  externalCustomerId: string | undefined;
  customerName: string | undefined;
  locale: string | undefined;
  /** UTC ISO timestamp. */
  purchasedAt: string;
  currency: string;
  country: string;
  sku: string;
  name: string;
  category: string;
  quantity: number;
  /** Unit price in major units of `currency`; negative on a refund line. */
  price: number;
}

export type RowResult = { ok: true; row: ParsedRow } | { ok: false; line: number; orderId: string | undefined; reason: string };

const MAX_EXTERNAL_ID_LENGTH = 128;
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/**
 * Reads one data row into a line item, or says why it cannot be imported. Uses the API's own rules
 * (LineItemInput and the PurchaseInput fields) so a row is accepted exactly when the API would accept
 * the same values. Never throws on any input.
 */
export function parseRow(record: readonly string[], line: number, columns: ColumnLayout, options: RowOptions): RowResult {
  const issues: string[] = [];
  const cell = (field: ImportField) => {
    const position = columns.index[field];
    return position === undefined ? '' : (record[position] ?? '').trim();
  };
  const label = (field: ImportField) => columnLabel(columns, field);
  const issue = (field: ImportField, message: string) => issues.push(`${label(field)}: ${message}`);

  const expected = columns.header.length;
  if (record.length < expected) issues.push(`has ${record.length} fields but the header has ${expected} (a missing delimiter, or a line break inside an unquoted value?)`);
  else if (record.slice(expected).some((extra) => extra.trim() !== '')) issues.push(`has ${record.length} fields but the header has ${expected} (a delimiter inside a value that should be quoted?)`);

  const orderId = cell('orderId');
  if (orderId === '') issue('orderId', 'is empty');
  else checkWith(PurchaseInput.shape.orderId, orderId, (message) => issue('orderId', message));

  const email = cell('email');
  const externalCustomerId = cell('customerId');
  if (email !== '') checkWith(PurchaseInput.shape.customerEmail, email, (message) => issue('email', message));
  else if (externalCustomerId === '') issues.push(columns.index.email === undefined ? `${label('customerId')}: is empty` : columns.index.customerId === undefined ? `${label('email')}: is empty` : `${label('email')} and ${label('customerId')} are both empty`);
  else if (externalCustomerId.length > MAX_EXTERNAL_ID_LENGTH) issue('customerId', `is longer than ${MAX_EXTERNAL_ID_LENGTH} characters`);

  const customerName = optional(cell('customerName'));
  if (customerName !== undefined) checkWith(PurchaseInput.shape.customerName, customerName, (message) => issue('customerName', message));
  const locale = optional(cell('locale'));
  if (locale !== undefined) checkWith(PurchaseInput.shape.locale, locale, (message) => issue('locale', message));

  const date = parseOrderDate(cell('date'), options.dateFormat);
  if (!date.ok) issue('date', date.reason);

  const currency = optional(cell('currency'))?.toUpperCase() ?? options.baseCurrency;
  if (!PurchaseInput.shape.currency.safeParse(currency).success || !isKnownCurrency(currency)) issue('currency', `"${currency.slice(0, 10)}" is not an ISO 4217 currency code such as EUR`);

  const country = cell('country').toUpperCase();
  if (country === '') issue('country', 'is empty');
  else if (!/^[A-Z]{2}$/.test(country) || regionNames.of(country) === undefined) issue('country', `"${country.slice(0, 10)}" is not an ISO 3166 two-letter country code such as IS or DK`);

  const quantity = parseDecimal(cell('quantity'), false);
  if (!quantity.ok) issue('quantity', quantity.reason);
  const price = parseDecimal(cell('price'), options.decimalComma);
  if (!price.ok) issue('price', price.reason);

  const lineItem = { sku: cell('sku'), name: cell('name'), category: cell('category'), price: price.ok ? price.value : 0, quantity: quantity.ok ? quantity.value : 1 };
  for (const field of ['sku', 'name', 'category'] as const) if (lineItem[field] === '') issue(field, 'is empty');
  const checked = LineItemInput.safeParse(lineItem);
  if (!checked.success) {
    for (const problem of checked.error.issues) {
      const field = problem.path[0];
      // Empty text fields were already reported in plain words above.
      if ((field === 'sku' || field === 'name' || field === 'category') && lineItem[field] === '') continue;
      if (field === 'sku' || field === 'name' || field === 'category' || field === 'price' || field === 'quantity') issue(field, problem.message);
      else issues.push(problem.message);
    }
  }

  if (issues.length > 0 || !date.ok || !quantity.ok || !price.ok) {
    return { ok: false, line, orderId: orderId === '' ? undefined : orderId, reason: issues.join('; ') };
  }
  return {
    ok: true,
    row: {
      line,
      orderId,
      email: email === '' ? undefined : email,
      externalCustomerId: email === '' ? externalCustomerId : undefined,
      customerName,
      locale,
      purchasedAt: date.iso,
      currency,
      country,
      sku: lineItem.sku,
      name: lineItem.name,
      category: lineItem.category,
      quantity: quantity.value,
      price: price.value,
    },
  };
}

/** True when every cell of a record is blank (e.g. a trailing ",,,," line): such lines are skipped, not rejected. */
export function isBlankRecord(record: readonly string[]): boolean {
  return record.every((value) => value.trim() === '');
}

function optional(value: string): string | undefined {
  return value === '' ? undefined : value;
}

interface Checkable {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: readonly { message: string }[] } };
}

function checkWith(schema: Checkable, value: string, report: (message: string) => void): void {
  const result = schema.safeParse(value);
  if (!result.success) for (const problem of result.error.issues) report(problem.message);
}
