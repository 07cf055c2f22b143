import { describe, expect, it } from 'vitest';
import { resolveColumns } from '#shared/imports/csv-columns.ts';
import { parseRow, type RowOptions } from '#shared/imports/csv-row.ts';
import { PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { aPurchase } from '#test/support/builders.ts';

const header = ['Order ID', 'Date', 'Email', 'SKU', 'Name', 'Qty', 'Price', 'Phone'];
const columns = resolveColumns(header);
const options: RowOptions = { decimalComma: false, dateFormat: 'ISO', baseCurrency: 'EUR', defaultCategory: 'default' };
const row = (phone: string) => ['A-1', '2026-03-01T10:00:00Z', 'anna@example.com', 'TENT', 'Tent', '1', '99.50', phone];

describe("a customer's phone number", () => {
  it("is read from a CSV export's phone column", () => {
    const result = parseRow(row('+354 555-1234'), 2, columns, options);
    expect(result.ok && result.row.phone).toBe('+354 555-1234');
    const blank = parseRow(row(''), 3, columns, options);
    expect(blank.ok && blank.row.phone).toBeUndefined();
  });

  it('rejects a row whose phone is not a number, naming the column and the value', () => {
    const result = parseRow(row('call me maybe'), 4, columns, options);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(/column "Phone".*"call me maybe".*not a phone number/);
  });

  it('is checked on POST /api/purchases, with the field named', () => {
    for (const phone of ['+354 555 1234', '(555) 123-4567', '(+354) 555.1234'])
      expect(PurchaseInput.safeParse(aPurchase({ customerPhone: phone })).success, phone).toBe(true);
    expect(PurchaseInput.safeParse(aPurchase({ customerPhone: 'ring 5551234' })).success).toBe(false);
    const bad = PurchaseInput.safeParse(aPurchase({ customerPhone: '12' }));
    expect(bad.success ? [] : bad.error.issues.map((issue) => issue.path.join('.'))).toEqual(['customerPhone']);
  });
});
