import { isKnownCurrency, minorUnitDigits } from '#shared/money.ts';
import { LineItemInput, PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { columnLabel, type ColumnLayout, type ImportField } from '#shared/imports/csv-columns.ts';
import { countryOf } from '#shared/imports/csv-country.ts';
import { decimalPlaces, parseDecimal, parseOrderDate, type DateFormat } from '#shared/imports/csv-values.ts';

/** How the values of a file are written. */
export interface RowOptions {
  decimalComma: boolean;
  dateFormat: DateFormat;
  /** Currency of rows without a currency column or value: the shop's base currency. */
  baseCurrency: string;
  /** Category of lines without a category column or value. */
  defaultCategory: string;
}

export const DEFAULT_CATEGORY = 'default';

/** Decimals a unit price may have beyond its currency's (0.165 GBP, 0.0010 EUR); line totals are rounded half-even. */
export const EXTRA_PRICE_DECIMALS = 4;

/** One line item read from a row, with the order-level values the row carries. */
export interface ParsedRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  orderId: string;
  /** Normalised later; present when the row has an email (which then decides the customer). */
  email: string | undefined;
  /** The shop's own customer id, used only when the row has no email. Both undefined: a guest's row. */
  externalCustomerId: string | undefined;
  customerName: string | undefined;
  phone: string | undefined;
  locale: string | undefined;
  /** UTC ISO timestamp. */
  purchasedAt: string;
  currency: string;
  /** ISO alpha-2, or undefined when the row names no country the import can place. */
  country: string | undefined;
  /** The row has a country value that is no country name or code the import knows. */
  countryUnrecognised: boolean;
  sku: string;
  name: string;
  category: string;
  /** The row had no category, and got RowOptions.defaultCategory. */
  defaultCategory: boolean;
  /** Always ≥ 1: a returned line (negative quantity) is turned into a refund line (negative price). */
  quantity: number;
  /** Unit price in major units of `currency`; negative on a refund line. */
  price: number;
  /** Decimals the price was written with (up to the currency's + EXTRA_PRICE_DECIMALS). */
  priceDecimals: number;
  /** Order-level coupon or discount codes on this row. */
  couponCodes: string[];
}

export type RowResult = { ok: true; row: ParsedRow } | { ok: false; line: number; orderId: string | undefined; reason: string };

const MAX_EXTERNAL_ID_LENGTH = 128;
const MAX_QUANTITY = 100_000;
const MAX_PRICE = 1_000_000_000;
const TEXT_LIMITS = { sku: 64, name: 200, category: 64 } as const;
const MAX_COUPON_LENGTH = 64;
const MAX_COUPONS = 20;

/**
 * Reads one data row into a line item, or says why it cannot be imported, in sentences that name the column
 * (by the file's own header) and the value. Checks the API's rules (LineItemInput and the PurchaseInput fields)
 * so a row is accepted exactly when the API would accept the same line. Never throws on any input.
 */
export function parseRow(record: readonly string[], line: number, columns: ColumnLayout, options: RowOptions): RowResult {
  const issues: string[] = [];
  const cell = (field: ImportField) => {
    const position = columns.index[field];
    return position === undefined ? '' : (record[position] ?? '').trim();
  };
  const label = (field: ImportField) => columnLabel(columns, field);
  const empty = (field: ImportField) => issues.push(`Column "${label(field)}" is empty.`);
  // `reason` starts with the quoted value, as csv-values writes its reasons.
  const bad = (field: ImportField, reason: string) => issues.push(`In column "${label(field)}", ${reason}.`);
  const badValue = (field: ImportField, value: string, problem: string) => bad(field, `"${clip(value)}" ${problem}`);

  const expected = columns.header.length;
  if (record.length < expected)
    issues.push(`The row has ${record.length} fields but the header has ${expected} (a missing delimiter, or a line break inside an unquoted value?).`);
  else if (record.slice(expected).some((extra) => extra.trim() !== ''))
    issues.push(`The row has ${record.length} fields but the header has ${expected} (a delimiter inside a value that should be quoted?).`);

  const orderId = cell('orderId');
  if (orderId === '') empty('orderId');
  else if (orderId.length > 128) badValue('orderId', orderId, 'is longer than 128 characters');
  else if (!PurchaseInput.shape.orderId.safeParse(orderId).success) badValue('orderId', orderId, 'has characters other than letters, digits and . _ : - / #');

  const email = cell('email');
  const externalCustomerId = wholeNumberId(cell('customerId'));
  if (email !== '' && !PurchaseInput.shape.customerEmail.safeParse(email).success) badValue('email', email, 'is not an email address');
  else if (email === '' && externalCustomerId.length > MAX_EXTERNAL_ID_LENGTH)
    badValue('customerId', externalCustomerId, `is longer than ${MAX_EXTERNAL_ID_LENGTH} characters`);

  const customerName = optional(cell('customerName'));
  if (customerName !== undefined && !PurchaseInput.shape.customerName.safeParse(customerName).success)
    badValue('customerName', customerName, 'is longer than 200 characters');
  const phone = optional(cell('phone'));
  if (phone !== undefined && !PurchaseInput.shape.customerPhone.safeParse(phone).success)
    badValue('phone', phone, 'is not a phone number (digits, optionally a leading +, spaces, dashes, dots or parentheses; at most 32 characters)');
  const locale = optional(cell('locale'));
  if (locale !== undefined && !PurchaseInput.shape.locale.safeParse(locale).success)
    badValue('locale', locale, 'is not a language tag such as "is" or "da-DK"');

  const date = parseOrderDate(cell('date'), options.dateFormat);
  if (!date.ok) {
    if (cell('date') === '') empty('date');
    else bad('date', date.reason);
  }

  const currency = optional(cell('currency'))?.toUpperCase() ?? options.baseCurrency;
  const currencyOk = PurchaseInput.shape.currency.safeParse(currency).success && isKnownCurrency(currency);
  if (!currencyOk) badValue('currency', currency, 'is not an ISO 4217 currency code such as EUR');

  const country = countryOf(cell('country'));

  const quantityText = cell('quantity');
  const quantity = parseDecimal(quantityText, false);
  if (!quantity.ok) {
    if (quantityText === '') empty('quantity');
    else bad('quantity', quantity.reason);
  } else if (!Number.isInteger(quantity.value)) badValue('quantity', quantityText, 'is not a whole number');
  else if (quantity.value === 0) badValue('quantity', quantityText, 'is zero: a line needs at least one unit (write a returned line as a negative quantity)');
  else if (Math.abs(quantity.value) > MAX_QUANTITY) badValue('quantity', quantityText, `is more than ${MAX_QUANTITY.toLocaleString('en-US')} units`);

  const priceText = cell('price');
  const price = parseDecimal(priceText, options.decimalComma);
  const priceDecimals = decimalPlaces(priceText, options.decimalComma);
  if (!price.ok) {
    if (priceText === '') empty('price');
    else bad('price', price.reason);
  } else if (Math.abs(price.value) > MAX_PRICE) badValue('price', priceText, 'is more than a billion');
  else if (currencyOk && priceDecimals > minorUnitDigits(currency) + EXTRA_PRICE_DECIMALS) {
    badValue('price', priceText, `has ${priceDecimals} decimals; ${currency} prices may have at most ${minorUnitDigits(currency) + EXTRA_PRICE_DECIMALS}`);
  }

  const categoryCell = cell('category');
  const texts = { sku: cell('sku'), name: cell('name'), category: categoryCell === '' ? options.defaultCategory : categoryCell };
  for (const field of ['sku', 'name', 'category'] as const) {
    if (texts[field] === '') empty(field);
    else if (texts[field].length > TEXT_LIMITS[field]) badValue(field, texts[field], `is longer than ${TEXT_LIMITS[field]} characters`);
  }

  const couponCodes = splitCodes(cell('couponCodes'));
  const longCode = couponCodes.find((code) => code.length > MAX_COUPON_LENGTH);
  if (longCode !== undefined) badValue('couponCodes', longCode, `is longer than ${MAX_COUPON_LENGTH} characters`);
  else if (couponCodes.length > MAX_COUPONS) badValue('couponCodes', cell('couponCodes'), `lists more than ${MAX_COUPONS} codes`);

  if (issues.length > 0 || !date.ok || !quantity.ok || !price.ok) {
    return { ok: false, line, orderId: orderId === '' ? undefined : orderId, reason: issues.join(' ') };
  }
  // A returned line (negative quantity) is a refund line in the API's terms: positive quantity, negative price.
  const returned = quantity.value < 0;
  const lineItem = { ...texts, quantity: Math.abs(quantity.value), price: returned ? -price.value : price.value };
  // The checks above are the API's line rules in words; this guards against the two drifting apart.
  const checked = LineItemInput.safeParse({ ...lineItem, price: 0 });
  if (!checked.success) {
    const reason = checked.error.issues.map((problem) => `${problem.path.join('.')} ${problem.message}`).join('; ');
    return { ok: false, line, orderId, reason: `The line is not accepted by the purchase API: ${reason}.` };
  }
  return {
    ok: true,
    row: {
      line,
      orderId,
      email: email === '' ? undefined : email,
      externalCustomerId: email === '' && externalCustomerId !== '' ? externalCustomerId : undefined,
      customerName,
      phone,
      locale,
      purchasedAt: date.iso,
      currency,
      country: country.kind === 'code' ? country.code : undefined,
      countryUnrecognised: country.kind === 'unrecognised',
      sku: lineItem.sku,
      name: lineItem.name,
      category: lineItem.category,
      defaultCategory: categoryCell === '',
      quantity: lineItem.quantity,
      price: lineItem.price === 0 ? 0 : lineItem.price,
      priceDecimals,
      couponCodes,
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

/** Spreadsheet round trips write customer number 17850 as "17850.0"; both are the same customer. */
function wholeNumberId(value: string): string {
  return /^\d+\.0+$/.test(value) ? value.slice(0, value.indexOf('.')) : value;
}

function splitCodes(value: string): string[] {
  return value === ''
    ? []
    : value
        .split(/[,;]/)
        .map((code) => code.trim())
        .filter((code) => code !== '');
}

/** Values quoted in reasons are cut short so one odd cell cannot flood the rejects file. */
function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}
