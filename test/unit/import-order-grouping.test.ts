import { describe, expect, it } from 'vitest';
import { resolveColumns } from '#shared/imports/csv-columns.ts';
import { parseRow, type RowOptions } from '#shared/imports/csv-row.ts';
import { deltasByCustomer } from '#shared/imports/import-orders.ts';
import { groupRows, OrderGrouper } from '#shared/imports/order-grouping.ts';
import { customerIdForEmail, customerIdForExternalId } from '#shared/purchases/customer-id.ts';
import { aShopConfig } from '#test/support/builders.ts';

const header = ['order_id', 'date', 'email', 'customer_id', 'sku', 'name', 'category', 'qty', 'price', 'country', 'currency', 'customer_name'];
const columns = resolveColumns(header);
const options: RowOptions = { decimalComma: false, dateFormat: 'ISO', baseCurrency: 'EUR' };
const config = aShopConfig();
const now = new Date('2026-11-25T12:00:00Z');

/** Rows as "order,date,email,customerId,sku,name,category,qty,price,country,currency,name"; line numbers start at 2 (after the header). */
function group(lines: string[]) {
  return groupRows(
    lines.map((line, i) => parseRow(line.split(','), i + 2, columns, options)),
    columns,
    config,
    now,
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
    expect(a).toMatchObject({ customerId: customerIdForEmail('anna@example.com'), totalMinor: 26000, baseTotalMinor: 26000, categoryMinor: { tents: 20000, stoves: 6000 }, country: 'IS', kind: 'purchase', purchasedAt: '2026-01-05T00:00:00.000Z' });
    expect(a?.lines).toHaveLength(2);
  });

  it('converts other currencies with the shop rates and records refunds as negative orders', () => {
    const result = group(['R,2026-03-01,anna@example.com,,TENT,Tent,tents,1,-200.00,IS,EUR,', 'K,2026-03-02,anna@example.com,,MAP,Map,maps,2,1000,IS,ISK,']);
    const [refund, krona] = result.orders.map((o) => o.purchase);
    expect(refund).toMatchObject({ kind: 'refund', baseTotalMinor: -20000, categoryMinor: { tents: -20000 } });
    // 2 × 1000 ISK × 0.0069 EUR/ISK = 13.80 EUR
    expect(krona).toMatchObject({ kind: 'purchase', currency: 'ISK', totalMinor: 2000, baseTotalMinor: 1380 });
  });

  it('identifies customers without an email by the shop\'s customer id', () => {
    const result = group(['X,2026-03-01,,K-9,TENT,Tent,tents,1,10,IS,EUR,']);
    expect(result.orders[0]?.purchase).toMatchObject({ customerId: customerIdForExternalId('K-9'), email: undefined });
  });

  it('rejects a whole order when one of its lines is bad, naming the culprit on the others', () => {
    const result = group(['A,2026-01-05,anna@example.com,,TENT,Tent,tents,1,200,IS,EUR,', 'A,2026-01-05,anna@example.com,,STOVE,Stove,stoves,0,30,IS,EUR,', 'B,2026-01-06,bjorn@example.com,,SOCK,Socks,socks,1,5,IS,EUR,']);
    expect(result.orders.map((o) => o.purchase.orderId)).toEqual(['B']);
    expect(result.ordersRejected).toBe(1);
    expect(result.rejectedLines.get(3)).toBe('qty: must be at least 1 (record a refund as a negative price)');
    expect(result.rejectedLines.get(2)).toBe('order "A" is rejected as a whole because line 3 was rejected');
  });

  it('rejects the rows of an order that disagree on customer, date or currency', () => {
    const result = group(['A,2026-01-05,anna@example.com,,TENT,Tent,tents,1,200,IS,EUR,', 'A,2026-01-06,bjorn@example.com,,SOCK,Socks,socks,1,5,IS,DKK,']);
    expect(result.orders).toHaveLength(0);
    const reason = result.rejectedLines.get(2) ?? '';
    expect(reason).toContain('the rows of order "A" do not agree');
    expect(reason).toContain('line 3 names a different customer than line 2');
    expect(reason).toContain('line 3 has a different date than line 2');
    expect(reason).toContain('line 3 has a different currency than line 2');
    expect(reason).not.toContain('bjorn@');
    expect(result.rejectedLines.get(3)).toBe(reason);
  });

  it('rejects a currency the shop has no exchange rate for and a date in the future, per order', () => {
    const result = group(['U,2026-01-05,anna@example.com,,TENT,Tent,tents,1,20,IS,SEK,', 'F,2027-01-05,anna@example.com,,TENT,Tent,tents,1,20,IS,EUR,', 'P,2026-01-05,anna@example.com,,TENT,Tent,tents,1,20.005,IS,EUR,']);
    expect(result.orders).toHaveLength(0);
    expect(result.rejectedLines.get(2)).toContain('order "U": currency: SEK has no exchange rate into EUR');
    expect(result.rejectedLines.get(3)).toBe('order "F": date: is in the future');
    expect(result.rejectedLines.get(4)).toContain('price: has more decimal places than EUR allows');
  });

  it('tells the caller when a row starts a new order, so the order can be looked up early', () => {
    const grouper = new OrderGrouper(columns);
    const row = (line: string, n: number) => parseRow(line.split(','), n, columns, options);
    expect(grouper.add(row('A,2026-01-05,anna@example.com,,TENT,Tent,tents,1,1,IS,EUR,', 2))).toBe('A');
    expect(grouper.add(row('A,2026-01-05,anna@example.com,,SOCK,Sock,socks,1,1,IS,EUR,', 3))).toBeUndefined();
    expect(grouper.add(row('B,2026-01-05,anna@example.com,,SOCK,Sock,socks,x,1,IS,EUR,', 4))).toBe('B');
    expect(grouper.add(row(',2026-01-05,anna@example.com,,SOCK,Sock,socks,1,1,IS,EUR,', 5))).toBeUndefined();
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
      customerId: customerIdForEmail('anna@example.com'),
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
