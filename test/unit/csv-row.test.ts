import { describe, expect, it } from 'vitest';
import { resolveColumns } from '#shared/imports/csv-columns.ts';
import { isBlankRecord, parseRow, type RowOptions } from '#shared/imports/csv-row.ts';

const header = ['order_id', 'date', 'email', 'customer_id', 'sku', 'name', 'category', 'qty', 'unit_price', 'country', 'currency'];
const columns = resolveColumns(header);
const options: RowOptions = { decimalComma: false, dateFormat: 'ISO', baseCurrency: 'EUR' };

type Row = Partial<Record<(typeof header)[number], string>>;
const good: Row = { order_id: 'A-1', date: '2026-03-01T10:00:00Z', email: 'Anna@Example.com', customer_id: '', sku: 'TENT', name: 'Tent', category: 'tents', qty: '2', unit_price: '99.50', country: 'is', currency: 'eur' };
const record = (row: Row) => header.map((h) => row[h] ?? '');

function reasonOf(row: Row, rowOptions: RowOptions = options): string {
  const result = parseRow(record({ ...good, ...row }), 7, columns, rowOptions);
  if (result.ok) throw new Error('expected the row to be rejected');
  return result.reason;
}

describe('parseRow', () => {
  it('reads a good row into a line item, upper-casing country and currency', () => {
    const result = parseRow(record(good), 2, columns, options);
    expect(result).toEqual({
      ok: true,
      row: { line: 2, orderId: 'A-1', email: 'Anna@Example.com', externalCustomerId: undefined, customerName: undefined, locale: undefined, purchasedAt: '2026-03-01T10:00:00.000Z', currency: 'EUR', country: 'IS', sku: 'TENT', name: 'Tent', category: 'tents', quantity: 2, price: 99.5 },
    });
  });

  it('takes the base currency when the currency cell is empty and the shop id when the email is empty', () => {
    const result = parseRow(record({ ...good, currency: '', email: '', customer_id: 'K-77' }), 3, columns, options);
    expect(result).toMatchObject({ ok: true, row: { currency: 'EUR', email: undefined, externalCustomerId: 'K-77' } });
  });

  it('reads a refund line (negative price) and decimal commas', () => {
    const result = parseRow(record({ ...good, unit_price: '-1.234,50' }), 4, columns, { ...options, decimalComma: true });
    expect(result).toMatchObject({ ok: true, row: { price: -1234.5 } });
  });

  it('rejects bad quantities with the file\'s own column name', () => {
    expect(reasonOf({ qty: '0' })).toBe('qty: must be at least 1 (record a refund as a negative price)');
    expect(reasonOf({ qty: '-2' })).toContain('qty: must be at least 1');
    expect(reasonOf({ qty: '1.5' })).toBe('qty: must be a whole number');
    expect(reasonOf({ qty: 'two' })).toBe('qty: "two" is not a number');
  });

  it('rejects bad prices, currencies, emails, countries and dates, naming each problem', () => {
    expect(reasonOf({ unit_price: '' })).toBe('unit_price: is empty');
    expect(reasonOf({ unit_price: '12,50' })).toContain('pass --decimal-comma');
    expect(reasonOf({ currency: 'EURO' })).toBe('currency: "EURO" is not an ISO 4217 currency code such as EUR');
    expect(reasonOf({ currency: 'XYZ' })).toContain('currency: "XYZ" is not an ISO 4217');
    expect(reasonOf({ email: 'not-an-email' })).toMatch(/^email: /);
    expect(reasonOf({ country: 'Iceland' })).toContain('country: "ICELAND" is not an ISO 3166');
    expect(reasonOf({ country: 'QQ' })).toContain('not an ISO 3166');
    expect(reasonOf({ date: '31.02.2026' })).toContain('date: "31.02.2026" is not a date in the format ISO');
    expect(reasonOf({ date: '31.02.2026' }, { ...options, dateFormat: 'DD.MM.YYYY' })).toContain('is not a calendar date');
  });

  it('joins several problems of one row and keeps the order id so its siblings can be rejected too', () => {
    const result = parseRow(record({ ...good, sku: '', qty: '0', email: '', customer_id: '' }), 9, columns, options);
    expect(result).toEqual({ ok: false, line: 9, orderId: 'A-1', reason: 'email and customer_id are both empty; sku: is empty; qty: must be at least 1 (record a refund as a negative price)' });
  });

  it('rejects rows whose field count does not match the header', () => {
    const short = parseRow(record(good).slice(0, 5), 5, columns, options);
    expect(short).toMatchObject({ ok: false, reason: expect.stringContaining('has 5 fields but the header has 11') });
    const long = parseRow([...record(good), 'extra'], 6, columns, options);
    expect(long).toMatchObject({ ok: false, reason: expect.stringContaining('should be quoted') });
    expect(parseRow([...record(good), ' '], 6, columns, options).ok).toBe(true);
  });

  it('rejects an order id the API would refuse', () => {
    expect(reasonOf({ order_id: 'A 1' })).toContain('order_id: may contain letters, digits');
    expect(parseRow(record({ ...good, order_id: '' }), 3, columns, options)).toMatchObject({ ok: false, orderId: undefined, reason: expect.stringContaining('order_id: is empty') });
  });
});

describe('isBlankRecord', () => {
  it('is true only when every cell is blank', () => {
    expect(isBlankRecord(['', ' ', '\t'])).toBe(true);
    expect(isBlankRecord(['', 'x'])).toBe(false);
  });
});
