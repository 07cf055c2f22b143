import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { importOrderFile, type ImportRequest } from '#shared/imports/import-orders.ts';
import { profileFromItem, type CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { customerIdForEmail, customerIdForExternalId } from '#shared/purchases/customer-id.ts';
import { recordPurchase } from '#shared/purchases/record-purchase.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { aLineItem, aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const config = aShopConfig();
const now = new Date('2026-11-25T12:00:00Z');
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'imports');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kinship-real-exports-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A copy of a fixture in the tmp dir, so its rejects file lands there. */
async function fixture(name: string): Promise<string> {
  const path = join(dir, name);
  await copyFile(join(fixtures, name), path);
  return path;
}

function request(file: string, csv: Partial<ImportRequest['csv']> = {}): ImportRequest {
  return { file, csv: { decimalComma: false, dateFormat: 'ISO', columnMap: {}, ...csv } };
}

async function profile(table: Table, customerId: string): Promise<CustomerProfile> {
  const item = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ConsistentRead: true }))).Item;
  if (!item) throw new Error(`no profile ${customerId}`);
  return profileFromItem(item);
}

async function order(table: Table, orderId: string): Promise<Record<string, unknown> | undefined> {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order(orderId), ConsistentRead: true }))).Item;
}

describe("importing real shops' exports into DynamoDB Local", () => {
  it('imports an "Online Retail" export: country names, no category, returns, spread times, guests, too-precise and zero prices', async () => {
    const table = await createTestTable('import-retail');
    const file = await fixture('online-retail.csv');
    const summary = await importOrderFile(
      { table, config, signingKey: TEST_SIGNING_KEY, now: () => now, concurrency: 4 },
      request(file, { dateFormat: 'MM/DD/YYYY' }),
    );

    expect(summary.counters).toMatchObject({
      rows: 23,
      rowsAccepted: 18,
      rowsRejected: 3,
      ordersRejected: 2,
      ordersWithoutCustomer: 1,
      rowsWithoutCustomer: 2,
      linesDefaultCategory: 18,
      ordersTimeSpread: 1,
      ordersCountryUnknown: 4,
    });
    expect(summary.defaultCategory).toBe('default');
    // 536365 (lines at 8:26 and 8:27): 6 × 2.55 + 6 × 3.39 + 8 × 2.75 = 57.64; 536366: 12 × 0.165 + 6 × 1.85 = 13.08.
    expect(await profile(table, customerIdForExternalId('17850'))).toMatchObject({
      orderCount: 2,
      netSpendMinor: 7072,
      country: 'GB',
      firstPurchaseAt: '2010-12-01T08:26:00.000Z',
      categorySpendMinor: { default: 7072 },
    });
    // C536379: a whole order of returned lines is a refund.
    expect(await profile(table, customerIdForExternalId('14527'))).toMatchObject({ orderCount: 0, refundCount: 1, netSpendMinor: -2750 });
    // A returned line inside a purchase: 3 × 6.45 − 2 × 0.65.
    expect(await profile(table, customerIdForExternalId('18074'))).toMatchObject({ orderCount: 1, netSpendMinor: 1805 });
    // EIRE; 6 × 0.001 = 0.006 → 0.01; the later order's "Channel Islands" leaves the known country as it was.
    expect(await profile(table, customerIdForExternalId('13047'))).toMatchObject({ orderCount: 2, netSpendMinor: 5408 + 1 + 1785, country: 'IE' });
    // Iceland, with a zero-priced postage line.
    expect(await profile(table, customerIdForExternalId('12431'))).toMatchObject({ orderCount: 1, netSpendMinor: 9000, itemCount: 27, country: 'IS' });
    expect(await order(table, '536372')).toBeUndefined();

    const rejects = (await readFile(`${file}.rejects.csv`, 'utf8')).trimEnd().split('\r\n');
    expect(rejects.map((line) => line.split(',')[0])).toEqual(['rejected_line', '21', '23', '24']);
    expect(rejects[1]).toContain('"In column ""Quantity"", ""abc"" is not a number."');
    expect(rejects[2]).toContain('line 24 has InvoiceDate 2010-12-01T10:45:00.000Z but line 23 has 2010-12-01T10:19:00.000Z, more than 10 minutes earlier');
  });

  it('imports a Shopify export: Name as the order, billing country, discount codes stored on the order, a guest counted', async () => {
    const table = await createTestTable('import-shopify');
    const summary = await importOrderFile(
      { table, config: aShopConfig({ exchangeRates: { DKK: 0.134 } }), signingKey: TEST_SIGNING_KEY, now: () => now, concurrency: 4 },
      request(await fixture('shopify.csv')),
    );
    expect(summary.counters).toMatchObject({ rows: 4, rowsAccepted: 3, rowsRejected: 0, ordersWritten: 2, ordersWithoutCustomer: 1 });
    expect(await profile(table, customerIdForEmail('anna@example.com', TEST_SIGNING_KEY))).toMatchObject({
      netSpendMinor: 21450,
      country: 'IS',
      customerName: 'Anna Jónsdóttir',
    });
    expect(await profile(table, customerIdForEmail('bjorn@example.com', TEST_SIGNING_KEY))).toMatchObject({ netSpendMinor: 4020, country: 'DK' });
    expect(await order(table, '#1001')).toMatchObject({ couponCodes: ['SPRING10'], purchasedAt: '2026-03-01T10:00:00.000Z' });
    expect(await order(table, '#1002')).toMatchObject({ couponCodes: ['PACK15', 'WELCOME'] });
    expect(await order(table, '#1003')).toBeUndefined();
  });

  it('marks a code Kinship issued as redeemed by the imported order that used it, dated by the purchase, once across re-imports', async () => {
    const table = await createTestTable('import-redeem');
    // PACK15 was an incentive Kinship issued for an earlier order; WELCOME and SPRING10 are the shop's own codes.
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...keys.incentiveCode('PACK15'),
          entityType: 'INCENTIVE_CODE',
          kind: 'incentive',
          code: 'PACK15',
          orderId: 'WEB-77',
          customerId: customerIdForEmail('bjorn@example.com', TEST_SIGNING_KEY),
        },
      }),
    );
    const deps = { table, config: aShopConfig({ exchangeRates: { DKK: 0.134 } }), signingKey: TEST_SIGNING_KEY, now: () => now, concurrency: 4 };
    await importOrderFile(deps, request(await fixture('shopify.csv')));

    const code = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.incentiveCode('PACK15'), ConsistentRead: true }))).Item;
    expect(code).toMatchObject({ redeemedOrderId: '#1002', redeemedAt: '2026-03-02T10:00:00.000Z' });
    expect(await order(table, '#1002')).toMatchObject({ redeemedCodes: [{ code: 'PACK15', kind: 'incentive', orderId: 'WEB-77' }] });
    expect((await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.incentiveCode('SPRING10') }))).Item).toBeUndefined();

    await importOrderFile(deps, request(await fixture('shopify.csv')));
    const again = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.incentiveCode('PACK15'), ConsistentRead: true }))).Item;
    expect(again).toMatchObject({ redeemedOrderId: '#1002', redeemedAt: '2026-03-02T10:00:00.000Z' });
  });

  it('imports a WooCommerce-style export with country names in the form languages and a decimal comma', async () => {
    const table = await createTestTable('import-woo');
    const summary = await importOrderFile(
      { table, config, signingKey: TEST_SIGNING_KEY, now: () => now, concurrency: 4 },
      request(await fixture('woocommerce.csv'), { decimalComma: true }),
    );
    expect(summary.counters).toMatchObject({ rows: 5, rowsAccepted: 5, ordersCountryUnknown: 0 });
    const countries = await Promise.all(
      ['sigga', 'mette', 'aino', 'noa', 'lars'].map(
        async (name) => (await profile(table, customerIdForEmail(`${name}@example.com`, TEST_SIGNING_KEY))).country,
      ),
    );
    expect(countries).toEqual(['IS', 'DK', 'FI', 'IL', 'DK']);
    expect(await order(table, 'W-502')).toMatchObject({ couponCodes: ['lamp5'], totalMinor: 4900 });
  });

  it('stores a wholesale order of 3,000 lines as one item', async () => {
    const table = await createTestTable('import-wholesale');
    const rows = Array.from(
      { length: 3000 },
      (_, i) => `W-1,2026-01-05T10:00:00Z,trade@example.com,SKU-${i},WHITE HANGING HEART T-LIGHT HOLDER ${i},home,6,2.55,GB`,
    );
    const file = join(dir, 'wholesale.csv');
    await writeFile(file, ['order,date,email,sku,name,category,qty,price,country', ...rows].join('\n'));
    const summary = await importOrderFile({ table, config, signingKey: TEST_SIGNING_KEY, now: () => now, concurrency: 4 }, request(file));
    expect(summary.counters).toMatchObject({ rowsAccepted: 3000, ordersWritten: 1 });
    const stored = await order(table, 'W-1');
    expect(Array.isArray(stored?.lines) ? stored.lines.length : 0).toBe(3000);
    expect(await profile(table, customerIdForEmail('trade@example.com', TEST_SIGNING_KEY))).toMatchObject({ itemCount: 18_000, netSpendMinor: 3000 * 1530 });
  });
});

describe('the line limit the API shares', () => {
  it('answers an order too large for one DynamoDB item with a field-level validation error (a 400), writing nothing', async () => {
    const table = await createTestTable('api-large-order');
    const items = Array.from({ length: 2500 }, (_, i) => aLineItem({ sku: `SKU-${i}`, name: 'N'.repeat(200), price: 1, quantity: 1 }));
    const deps = {
      table,
      bus: { client: createEventBridgeClient('http://127.0.0.1:9'), name: 'kinship' },
      config,
      signingKey: TEST_SIGNING_KEY,
      publicBaseUrl: 'http://localhost:3000',
      now: () => now,
    };
    const attempt = recordPurchase(deps, aPurchase({ orderId: 'BIG-1', items, total: 2500, purchasedAt: '2026-11-20T10:00:00Z' }));
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ status: 400, issues: [{ field: 'items', message: expect.stringContaining('400 KB') }] });
    expect(await order(table, 'BIG-1')).toBeUndefined();
  });
});
