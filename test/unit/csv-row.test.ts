import { describe, expect, it } from 'vitest';
import { resolveColumns } from '#shared/imports/csv-columns.ts';
import { isBlankRecord, parseRow, type RowOptions } from '#shared/imports/csv-row.ts';

const header = ['order_id', 'date', 'email', 'customer_id', 'sku', 'name', 'category', 'qty', 'unit_price', 'country', 'currency'];
const columns = resolveColumns(header);
const options: RowOptions = { decimalComma: false, dateFormat: 'ISO', baseCurrency: 'EUR', defaultCategory: 'default' };

type Row = Partial<Record<(typeof header)[number], string>>;
const good: Row = {
  order_id: 'A-1',
  date: '2026-03-01T10:00:00Z',
  email: 'Anna@Example.com',
  customer_id: '',
  sku: 'TENT',
  name: 'Tent',
  category: 'tents',
  qty: '2',
  unit_price: '99.50',
  country: 'is',
  currency: 'eur',
};
const record = (row: Row) => header.map((h) => row[h] ?? '');

function reasonOf(row: Row, rowOptions: RowOptions = options): string {
  const result = parseRow(record({ ...good, ...row }), 7, columns, rowOptions);
  if (result.ok) throw new Error('expected the row to be rejected');
  return result.reason;
}

describe('parseRow', () => {
  it('reads a good row into a line item, upper-casing the currency and reading the country code', () => {
    const result = parseRow(record(good), 2, columns, options);
    expect(result).toEqual({
      ok: true,
      row: {
        line: 2,
        orderId: 'A-1',
        email: 'Anna@Example.com',
        externalCustomerId: undefined,
        customerName: undefined,
        locale: undefined,
        purchasedAt: '2026-03-01T10:00:00.000Z',
        currency: 'EUR',
        country: 'IS',
        countryUnrecognised: false,
        sku: 'TENT',
        name: 'Tent',
        category: 'tents',
        defaultCategory: false,
        quantity: 2,
        price: 99.5,
        priceDecimals: 2,
        couponCodes: [],
      },
    });
  });

  it('takes the base currency when the currency cell is empty and the shop id when the email is empty', () => {
    const result = parseRow(record({ ...good, currency: '', email: '', customer_id: 'K-77' }), 3, columns, options);
    expect(result).toMatchObject({ ok: true, row: { currency: 'EUR', email: undefined, externalCustomerId: 'K-77' } });
  });

  it('reads a spreadsheet-mangled customer number 17850.0 as 17850', () => {
    expect(parseRow(record({ ...good, email: '', customer_id: '17850.0' }), 3, columns, options)).toMatchObject({
      ok: true,
      row: { externalCustomerId: '17850' },
    });
  });

  it('accepts a guest row with neither email nor customer id, leaving the customer unknown', () => {
    expect(parseRow(record({ ...good, email: '', customer_id: '' }), 3, columns, options)).toMatchObject({
      ok: true,
      row: { email: undefined, externalCustomerId: undefined },
    });
  });

  it('reads a refund line (negative price) and decimal commas', () => {
    const result = parseRow(record({ ...good, unit_price: '-1.234,50' }), 4, columns, { ...options, decimalComma: true });
    expect(result).toMatchObject({ ok: true, row: { price: -1234.5 } });
  });

  it('turns a negative quantity into a returned line: positive quantity, negative price', () => {
    expect(parseRow(record({ ...good, qty: '-3', unit_price: '4.65' }), 4, columns, options)).toMatchObject({ ok: true, row: { quantity: 3, price: -4.65 } });
  });

  it('accepts zero prices and up to 4 decimals more than the currency has, and remembers how many', () => {
    expect(parseRow(record({ ...good, unit_price: '0' }), 4, columns, options)).toMatchObject({ ok: true, row: { price: 0 } });
    expect(parseRow(record({ ...good, unit_price: '0.165' }), 4, columns, options)).toMatchObject({ ok: true, row: { price: 0.165, priceDecimals: 3 } });
    expect(parseRow(record({ ...good, unit_price: '0.000001' }), 4, columns, options)).toMatchObject({ ok: true, row: { priceDecimals: 6 } });
    expect(reasonOf({ unit_price: '0.0000001' })).toBe('In column "unit_price", "0.0000001" has 7 decimals; EUR prices may have at most 6.');
    expect(reasonOf({ unit_price: '1.00001', currency: 'ISK' })).toBe('In column "unit_price", "1.00001" has 5 decimals; ISK prices may have at most 4.');
    expect(parseRow(record({ ...good, unit_price: '1.0001', currency: 'ISK' }), 4, columns, options)).toMatchObject({ ok: true, row: { priceDecimals: 4 } });
  });

  it('gives a line without a category the default category and says so', () => {
    expect(parseRow(record({ ...good, category: '' }), 4, columns, { ...options, defaultCategory: 'misc' })).toMatchObject({
      ok: true,
      row: { category: 'misc', defaultCategory: true },
    });
  });

  it('reads country names in the form languages and leaves an unplaceable country unknown, flagged', () => {
    expect(parseRow(record({ ...good, country: 'Danmark' }), 4, columns, options)).toMatchObject({
      ok: true,
      row: { country: 'DK', countryUnrecognised: false },
    });
    expect(parseRow(record({ ...good, country: '' }), 4, columns, options)).toMatchObject({
      ok: true,
      row: { country: undefined, countryUnrecognised: false },
    });
    expect(parseRow(record({ ...good, country: 'Narnia' }), 4, columns, options)).toMatchObject({
      ok: true,
      row: { country: undefined, countryUnrecognised: true },
    });
  });

  it("rejects bad quantities in a sentence naming the file's own column and the value", () => {
    expect(reasonOf({ qty: '0' })).toBe('In column "qty", "0" is zero: a line needs at least one unit (write a returned line as a negative quantity).');
    expect(reasonOf({ qty: '1.5' })).toBe('In column "qty", "1.5" is not a whole number.');
    expect(reasonOf({ qty: 'two' })).toBe('In column "qty", "two" is not a number.');
    expect(reasonOf({ qty: '' })).toBe('Column "qty" is empty.');
  });

  it('rejects bad prices, currencies, emails and dates, naming column and value', () => {
    expect(reasonOf({ unit_price: '' })).toBe('Column "unit_price" is empty.');
    expect(reasonOf({ unit_price: '12,50' })).toContain('pass --decimal-comma');
    expect(reasonOf({ currency: 'EURO' })).toBe('In column "currency", "EURO" is not an ISO 4217 currency code such as EUR.');
    expect(reasonOf({ currency: 'XYZ' })).toContain('In column "currency", "XYZ" is not an ISO 4217');
    expect(reasonOf({ email: 'not-an-email' })).toBe('In column "email", "not-an-email" is not an email address.');
    expect(reasonOf({ date: '31.02.2026' })).toContain('In column "date", "31.02.2026" is not a date in the format ISO');
    expect(reasonOf({ date: '31.02.2026' }, { ...options, dateFormat: 'DD.MM.YYYY' })).toBe('In column "date", "31.02.2026" is not a calendar date.');
    expect(reasonOf({ sku: 'X'.repeat(65) })).toBe(`In column "sku", "${'X'.repeat(37)}..." is longer than 64 characters.`);
  });

  it('joins several problems of one row and keeps the order id so its siblings can be rejected too', () => {
    const result = parseRow(record({ ...good, sku: '', qty: '0', email: 'x' }), 9, columns, options);
    expect(result).toEqual({
      ok: false,
      line: 9,
      orderId: 'A-1',
      reason:
        'In column "email", "x" is not an email address. In column "qty", "0" is zero: a line needs at least one unit (write a returned line as a negative quantity). Column "sku" is empty.',
    });
  });

  it('rejects rows whose field count does not match the header', () => {
    const short = parseRow(record(good).slice(0, 5), 5, columns, options);
    expect(short).toMatchObject({ ok: false, reason: expect.stringContaining('The row has 5 fields but the header has 11') });
    const long = parseRow([...record(good), 'extra'], 6, columns, options);
    expect(long).toMatchObject({ ok: false, reason: expect.stringContaining('should be quoted') });
    expect(parseRow([...record(good), ' '], 6, columns, options).ok).toBe(true);
  });

  it('rejects an order id the API would refuse', () => {
    expect(reasonOf({ order_id: 'A 1' })).toBe('In column "order_id", "A 1" has characters other than letters, digits and . _ : - / #.');
    expect(parseRow(record({ ...good, order_id: '' }), 3, columns, options)).toMatchObject({
      ok: false,
      orderId: undefined,
      reason: 'Column "order_id" is empty.',
    });
  });
});

describe('coupon codes', () => {
  const withCoupons = resolveColumns([...header, 'Discount Code']);
  it('splits an order-level coupon column on commas and semicolons', () => {
    const result = parseRow([...record(good), 'SPRING10; PACK15,,WELCOME '], 2, withCoupons, options);
    expect(result).toMatchObject({ ok: true, row: { couponCodes: ['SPRING10', 'PACK15', 'WELCOME'] } });
  });
});

describe('isBlankRecord', () => {
  it('is true only when every cell is blank', () => {
    expect(isBlankRecord(['', ' ', '\t'])).toBe(true);
    expect(isBlankRecord(['', 'x'])).toBe(false);
  });
});
