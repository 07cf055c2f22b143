import { describe, expect, it } from 'vitest';
import { resolveColumns } from '#shared/imports/csv-columns.ts';
import { parseRow, type RowOptions } from '#shared/imports/csv-row.ts';
import { deltasByCustomer } from '#shared/imports/import-orders.ts';
import { groupRows, OrderGrouper } from '#shared/imports/order-grouping.ts';
import { customerIdForEmail, customerIdForExternalId } from '#shared/purchases/customer-id.ts';
import { aShopConfig } from '#test/support/builders.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const header = ['order_id', 'date', 'email', 'customer_id', 'sku', 'name', 'category', 'qty', 'price', 'country', 'currency', 'customer_name'];
const columns = resolveColumns(header);
const options: RowOptions = { decimalComma: false, dateFormat: 'ISO', baseCurrency: 'EUR', defaultCategory: 'default' };
const config = aShopConfig();
const now = new Date('2026-11-25T12:00:00Z');

/** Rows as "order,date,email,customerId,sku,name,category,qty,price,country,currency,name"; line numbers start at 2 (after the header). */
function group(lines: string[]) {
  return groupRows(
    lines.map((line, i) => parseRow(line.split(','), i + 2, columns, options)),
    columns,
    config,
    now,
    TEST_SIGNING_KEY,
  );
}

describe('grouping rows into orders', () => {
  it('collects the lines of an order from anywhere in the file and keeps first-seen order', () => {
    const result = group([
      'A,2026-01-05,anna@example.com,,TENT,Tent,tents,1,200.00,IS,EUR,Anna',
      'B,2026-02-01,bjorn@example.com,,SOCK,Socks,socks,3,5.50,DK,EUR,',
      'A,2026-01-05,ANNA@example.com ,,STOVE,Stove,stoves,2,30.00,IS,EUR,',
    ]);
    expect(result.rejectedLines.size).toBe(0);
    expect(result.rowsAccepted).toBe(3);
    expect(result.orders.map((o) => o.purchase.orderId)).toEqual(['A', 'B']);
    const a = result.orders[0]?.purchase;
    expect(a).toMatchObject({
      customerId: customerIdForEmail('anna@example.com', TEST_SIGNING_KEY),
      totalMinor: 26000,
      baseTotalMinor: 26000,
      categoryMinor: { tents: 20000, stoves: 6000 },
      country: 'IS',
      kind: 'purchase',
      purchasedAt: '2026-01-05T00:00:00.000Z',
    });
    expect(a?.lines).toHaveLength(2);
  });

  it('converts other currencies with the shop rates and records refunds as negative orders', () => {
    const result = group(['R,2026-03-01,anna@example.com,,TENT,Tent,tents,1,-200.00,IS,EUR,', 'K,2026-03-02,anna@example.com,,MAP,Map,maps,2,1000,IS,ISK,']);
    const [refund, krona] = result.orders.map((o) => o.purchase);
    expect(refund).toMatchObject({ kind: 'refund', baseTotalMinor: -20000, categoryMinor: { tents: -20000 } });
    // 2 × 1000 ISK × 0.0069 EUR/ISK = 13.80 EUR
    expect(krona).toMatchObject({ kind: 'purchase', currency: 'ISK', totalMinor: 2000, baseTotalMinor: 1380 });
  });

  it("identifies customers without an email by the shop's customer id", () => {
    const result = group(['X,2026-03-01,,K-9,TENT,Tent,tents,1,10,IS,EUR,']);
    expect(result.orders[0]?.purchase).toMatchObject({ customerId: customerIdForExternalId('K-9'), email: undefined });
  });

  it('rejects a whole order when one of its lines is bad, naming the culprit on the others', () => {
    const result = group([
      'A,2026-01-05,anna@example.com,,TENT,Tent,tents,1,200,IS,EUR,',
      'A,2026-01-05,anna@example.com,,STOVE,Stove,stoves,0,30,IS,EUR,',
      'B,2026-01-06,bjorn@example.com,,SOCK,Socks,socks,1,5,IS,EUR,',
    ]);
    expect(result.orders.map((o) => o.purchase.orderId)).toEqual(['B']);
    expect(result.ordersRejected).toBe(1);
    expect(result.rejectedLines.get(3)).toBe('In column "qty", "0" is zero: a line needs at least one unit (write a returned line as a negative quantity).');
    expect(result.rejectedLines.get(2)).toBe('Order "A" (column "order_id") is rejected as a whole because line 3 was rejected.');
  });

  it('rejects the rows of an order that disagree on customer, currency or a time more than 10 minutes apart', () => {
    const result = group(['A,2026-01-05,anna@example.com,,TENT,Tent,tents,1,200,IS,EUR,', 'A,2026-01-06,bjorn@example.com,,SOCK,Socks,socks,1,5,IS,DKK,']);
    expect(result.orders).toHaveLength(0);
    const reason = result.rejectedLines.get(2) ?? '';
    expect(reason).toContain('The rows of order "A" (column "order_id") do not make one order');
    expect(reason).toContain('line 3 names a different customer than line 2');
    expect(reason).toContain('line 3 has date 2026-01-06T00:00:00.000Z but line 2 has 2026-01-05T00:00:00.000Z, more than 10 minutes earlier');
    expect(reason).toContain('line 3 has currency "DKK" but line 2 has "EUR"');
    expect(reason).not.toContain('bjorn@');
    expect(result.rejectedLines.get(3)).toBe(reason);
  });

  it('rejects a currency the shop has no exchange rate for and a date in the future, per order', () => {
    const result = group(['U,2026-01-05,anna@example.com,,TENT,Tent,tents,1,20,IS,SEK,', 'F,2027-01-05,anna@example.com,,TENT,Tent,tents,1,20,IS,EUR,']);
    expect(result.orders).toHaveLength(0);
    expect(result.rejectedLines.get(2)).toBe(
      'Order "U" (column "order_id") is not accepted: column "currency" has "SEK": SEK has no exchange rate into EUR; add it under shop.exchangeRates in config/shop.yaml.',
    );
    expect(result.rejectedLines.get(3)).toBe(
      'Order "F" (column "order_id") is not accepted: column "date" has 2027-01-05T00:00:00.000Z, which is in the future.',
    );
  });

  it('tells the caller when a row starts a new order, so the order can be looked up early', () => {
    const grouper = new OrderGrouper(columns, TEST_SIGNING_KEY);
    const row = (line: string, n: number) => parseRow(line.split(','), n, columns, options);
    expect(grouper.add(row('A,2026-01-05,anna@example.com,,TENT,Tent,tents,1,1,IS,EUR,', 2))).toBe('A');
    expect(grouper.add(row('A,2026-01-05,anna@example.com,,SOCK,Sock,socks,1,1,IS,EUR,', 3))).toBeUndefined();
    expect(grouper.add(row('B,2026-01-05,anna@example.com,,SOCK,Sock,socks,x,1,IS,EUR,', 4))).toBe('B');
    expect(grouper.add(row(',2026-01-05,anna@example.com,,SOCK,Sock,socks,1,1,IS,EUR,', 5))).toBeUndefined();
  });
});

describe('what real exports need', () => {
  it('takes the earliest time of lines up to 10 minutes apart and counts the order', () => {
    const result = group([
      'A,2026-01-05T10:00:59Z,anna@example.com,,TENT,Tent,tents,1,200,IS,EUR,',
      'A,2026-01-05T10:10:59Z,anna@example.com,,SOCK,Socks,socks,1,5,IS,EUR,',
      'B,2026-01-05T10:00:00Z,anna@example.com,,SOCK,Socks,socks,1,5,IS,EUR,',
    ]);
    expect(result.rejectedLines.size).toBe(0);
    expect(result.orders[0]?.purchase.purchasedAt).toBe('2026-01-05T10:00:59.000Z');
    expect(result.ordersTimeSpread).toBe(1);
  });

  it('skips orders whose rows name no customer, counting them instead of rejecting them', () => {
    const result = group([
      'G,2026-01-05,,,TENT,Tent,tents,1,200,IS,EUR,',
      'G,2026-01-05,,,SOCK,Socks,socks,1,5,IS,EUR,',
      'A,2026-01-05,anna@example.com,,MAP,Map,maps,1,5,IS,EUR,',
    ]);
    expect(result.orders.map((o) => o.purchase.orderId)).toEqual(['A']);
    expect(result).toMatchObject({ ordersWithoutCustomer: 1, rowsWithoutCustomer: 2, ordersRejected: 0, rowsAccepted: 1 });
    expect(result.rejectedLines.size).toBe(0);
  });

  it('takes the customer of an order from whichever of its rows names one', () => {
    const result = group(['A,2026-01-05,,,TENT,Tent,tents,1,200,IS,EUR,', 'A,2026-01-05,anna@example.com,,SOCK,Socks,socks,1,5,,EUR,']);
    expect(result.orders[0]?.purchase).toMatchObject({ customerId: customerIdForEmail('anna@example.com', TEST_SIGNING_KEY), country: 'IS' });
  });

  it('records an order of returned lines (negative quantities) as a refund, and a mixed order at its net total', () => {
    const result = group([
      'C1,2026-01-05,anna@example.com,,DUCK,Ducks,home,-2,4.65,GB,EUR,',
      'M,2026-01-05,anna@example.com,,TENT,Tent,tents,1,200,GB,EUR,',
      'M,2026-01-05,anna@example.com,,SOCK,Socks,socks,-2,5,GB,EUR,',
    ]);
    const [refund, mixed] = result.orders.map((o) => o.purchase);
    expect(refund).toMatchObject({ kind: 'refund', totalMinor: -930, lines: [{ sku: 'DUCK', quantity: 2, unitPriceMinor: -465 }] });
    expect(mixed).toMatchObject({ kind: 'purchase', totalMinor: 19000 });
  });

  it('rounds line totals of too-precise unit prices half-even, keeping quantity and total exact', () => {
    // 12 × 0.165 = 1.98 exactly; 1 × 0.125 = 0.125 → 0.12 (half to even); 3 × 0.0050 = 0.015 → 0.02; 0.001 → 0.00
    const result = group([
      'P,2026-01-05,anna@example.com,,WARM,Warmer,home,12,0.165,GB,EUR,',
      'P,2026-01-05,anna@example.com,,PIN,Pin,home,1,0.125,GB,EUR,',
      'P,2026-01-05,anna@example.com,,BAG,Bag,home,3,0.0050,GB,EUR,',
      'P,2026-01-05,anna@example.com,,CARD,Card,home,1,0.001,GB,EUR,',
      'P,2026-01-05,anna@example.com,,FREE,Free gift,home,1,0,GB,EUR,',
    ]);
    expect(result.rejectedLines.size).toBe(0);
    const order = result.orders[0]?.purchase;
    expect(order?.totalMinor).toBe(198 + 12 + 2 + 0 + 0);
    const quantityOf = (sku: string) => order?.lines.filter((l) => l.sku === sku).reduce((sum, l) => sum + l.quantity, 0);
    const totalOf = (sku: string) => order?.lines.filter((l) => l.sku === sku).reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
    expect([quantityOf('WARM'), totalOf('WARM')]).toEqual([12, 198]);
    expect([quantityOf('PIN'), totalOf('PIN')]).toEqual([1, 12]);
    expect([quantityOf('BAG'), totalOf('BAG')]).toEqual([3, 2]);
    expect([quantityOf('CARD'), totalOf('CARD')]).toEqual([1, 0]);
    expect(result.rowsAccepted).toBe(5);
  });

  it('accepts a wholesale order of 3,000 lines, and refuses one too large for a DynamoDB item in words', () => {
    const rows = (orderId: string, count: number, name: string) =>
      Array.from({ length: count }, (_, i) => `${orderId},2026-01-05,anna@example.com,,SKU-${i},${name},home,6,2.55,GB,EUR,`);
    const result = group([...rows('W', 3000, 'WHITE HANGING HEART T-LIGHT HOLDER'), ...rows('X', 2000, 'N'.repeat(200))]);
    expect(result.orders.map((o) => o.purchase.orderId)).toEqual(['W']);
    expect(result.orders[0]?.purchase.lines).toHaveLength(3000);
    expect(result.rejectedLines.get(3002)).toBe(
      'Order "X" (column "order_id") is not accepted: its 2,000 lines are too many to store as one order (a DynamoDB item holds at most 400 KB).',
    );
  });

  it('counts lines given the default category and orders whose country is unknown', () => {
    const result = group([
      'A,2026-01-05,anna@example.com,,TENT,Tent,,1,200,,EUR,',
      'A,2026-01-05,anna@example.com,,SOCK,Socks,socks,1,5,,EUR,',
      'B,2026-01-05,anna@example.com,,SOCK,Socks,,1,5,Narnia,EUR,',
    ]);
    expect(result).toMatchObject({ linesDefaultCategory: 2, ordersCountryUnknown: 2 });
    expect(result.orders[0]?.purchase.categoryMinor).toEqual({ default: 20000, socks: 500 });
  });
});

describe('deltasByCustomer', () => {
  it('folds every order of a customer into one delta: counts, net spend after refunds, categories, months and dates', () => {
    const { orders } = group([
      'A,2026-01-05T10:00:00Z,anna@example.com,,TENT,Tent,tents,1,200,IS,EUR,Anna',
      'B,2026-03-01T10:00:00Z,anna@example.com,,SOCK,Socks,socks,2,5,IS,EUR,Anna J',
      'C,2026-03-09T10:00:00Z,anna@example.com,,TENT,Tent,tents,1,-50,IS,EUR,',
      'D,2026-02-01T10:00:00Z,bjorn@example.com,,MAP,Map,maps,1,10,DK,EUR,',
    ]);
    const deltas = deltasByCustomer(orders);
    expect(deltas).toHaveLength(2);
    expect(deltas[0]).toEqual({
      customerId: customerIdForEmail('anna@example.com', TEST_SIGNING_KEY),
      email: 'anna@example.com',
      customerName: 'Anna J',
      locale: undefined,
      country: 'IS',
      orderCount: 2,
      refundCount: 1,
      itemCount: 4,
      netSpendMinor: 20000 + 1000 - 5000,
      categoryMinor: { tents: 15000, socks: 1000 },
      monthMinor: { '2026-01': 20000, '2026-03': 1000 - 5000 },
      firstPurchaseAt: '2026-01-05T10:00:00.000Z',
      lastPurchaseAt: '2026-03-01T10:00:00.000Z',
      latestOrderAt: '2026-03-09T10:00:00.000Z',
    });
  });
});
