import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '#shared/errors.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { PurchaseRecorded } from '#shared/events/purchase-recorded.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { FORM_TOKEN_PURPOSE, recordPurchase, type RecordPurchaseDeps } from '#shared/purchases/record-purchase.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { verifyToken } from '#shared/tokens/signed-token.ts';
import { startPutEventsEndpoint, type BusEvent, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aLineItem, aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

let table: Table;
let endpoint: PutEventsEndpoint;
let published: BusEvent[] = [];
let deps: RecordPurchaseDeps;
const now = new Date('2026-11-25T12:00:00Z');

beforeAll(async () => {
  table = await createTestTable('purchases');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: (events) => published.push(...events) });
  deps = {
    table,
    bus: { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' },
    config: aShopConfig(),
    signingKey: TEST_SIGNING_KEY,
    publicBaseUrl: 'http://localhost:3000',
    now: () => now,
  };
});
afterAll(() => endpoint.stop());
beforeEach(() => {
  published = [];
});

async function profileOf(email: string) {
  const item = (
    await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerIdForEmail(email, TEST_SIGNING_KEY)), ConsistentRead: true }))
  ).Item;
  if (!item) throw new Error('profile missing');
  return profileFromItem(item);
}

describe('recordPurchase against DynamoDB Local', () => {
  it('stores the order, builds the profile, publishes PurchaseRecorded and returns a signed form link', async () => {
    const email = 'first@example.com';
    const result = await recordPurchase(
      deps,
      aPurchase({ orderId: 'R-1', customerEmail: email, items: [aLineItem({ category: 'tents', price: 100, quantity: 2 })], total: 200 }),
    );
    expect(result.outcome).toBe('created');
    const profile = await profileOf(email);
    expect(profile).toMatchObject({
      orderCount: 1,
      netSpendMinor: 20000,
      categorySpendMinor: { tents: 20000 },
      email,
      customerName: 'Anna Jónsdóttir',
      locale: 'is',
      currency: 'EUR',
    });
    const token = new URL(result.formUrl ?? 'http://localhost/').pathname.split('/').pop() ?? '';
    expect(verifyToken(token, FORM_TOKEN_PURPOSE, TEST_SIGNING_KEY, now)).toMatchObject({ ok: true, claims: { sub: 'R-1' } });
    expect(published).toHaveLength(1);
    expect(published[0]?.['detail-type']).toBe('PurchaseRecorded');
    expect(PurchaseRecorded.parse(published[0]?.detail)).toMatchObject({ orderId: 'R-1', totalMinor: 20000, firstPurchase: true });
    const order = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order('R-1') }))).Item;
    expect(order?.eventPublished).toBe(true);
  });

  it('returns the same result for a replay and never counts the order twice', async () => {
    const email = 'replay@example.com';
    const input = aPurchase({ orderId: 'R-2', customerEmail: email });
    const first = await recordPurchase(deps, input);
    const second = await recordPurchase({ ...deps, now: () => new Date(now.getTime() + 60_000) }, input);
    expect(second).toEqual({ ...first, outcome: 'replayed' });
    expect((await profileOf(email)).orderCount).toBe(1);
    expect(published).toHaveLength(1);
  });

  it('refuses a different order that reuses an existing order id, leaving the profile untouched', async () => {
    const email = 'conflict@example.com';
    await recordPurchase(deps, aPurchase({ orderId: 'R-3', customerEmail: email }));
    const before = await profileOf(email);
    await expect(recordPurchase(deps, aPurchase({ orderId: 'R-3', customerEmail: email, total: 999, items: [aLineItem({ price: 999 })] }))).rejects.toThrow(
      ConflictError,
    );
    expect(await profileOf(email)).toEqual(before);
  });

  it('stores nothing for an invalid purchase', async () => {
    const email = 'invalid@example.com';
    await expect(recordPurchase(deps, aPurchase({ orderId: 'R-4', customerEmail: email, currency: 'XXY' }))).rejects.toThrow(ValidationError);
    const order = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order('R-4') }));
    expect(order.Item).toBeUndefined();
  });

  it('keeps exact totals and the right first/last dates under 200 concurrent purchases of one customer', async () => {
    const email = 'busy@example.com';
    const n = 200;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        recordPurchase(
          deps,
          aPurchase({
            orderId: `C-${i}`,
            customerEmail: email,
            items: [aLineItem({ category: i % 2 ? 'tents' : 'socks', price: 19.99, quantity: 1 })],
            total: 19.99,
            purchasedAt: new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % n) * 86_400_000).toISOString(),
          }),
        ),
      ),
    );
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    const profile = await profileOf(email);
    expect(profile.orderCount).toBe(n);
    expect(profile.netSpendMinor).toBe(n * 1999);
    expect(profile.categorySpendMinor).toEqual({ tents: (n / 2) * 1999, socks: (n / 2) * 1999 });
    expect(profile.firstPurchaseAt).toBe('2026-01-01T00:00:00.000Z');
    expect(profile.lastPurchaseAt).toBe(new Date(Date.UTC(2026, 0, 1) + (n - 1) * 86_400_000).toISOString());
    const orders = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.ordersOfCustomer(customerIdForEmail(email, TEST_SIGNING_KEY)) },
        Select: 'COUNT',
      }),
    );
    expect(orders.Count).toBe(n);
  });

  it('applies an older order after a newer one without moving the last purchase back', async () => {
    const email = 'late@example.com';
    await recordPurchase(deps, aPurchase({ orderId: 'L-new', customerEmail: email, purchasedAt: '2026-10-01T00:00:00Z', customerName: 'New' }));
    await recordPurchase(deps, aPurchase({ orderId: 'L-old', customerEmail: email, purchasedAt: '2025-02-01T00:00:00Z', customerName: 'Old' }));
    const profile = await profileOf(email);
    expect(profile).toMatchObject({
      orderCount: 2,
      firstPurchaseAt: '2025-02-01T00:00:00.000Z',
      lastPurchaseAt: '2026-10-01T00:00:00.000Z',
      customerName: 'New',
    });
  });

  it('records a refund-only customer with negative spend and no purchase dates', async () => {
    const email = 'refund@example.com';
    await recordPurchase(deps, aPurchase({ orderId: 'F-1', customerEmail: email, items: [aLineItem({ price: -20 })], total: -20 }));
    const profile = await profileOf(email);
    expect(profile).toMatchObject({ orderCount: 0, refundCount: 1, netSpendMinor: -2000 });
    expect(profile.lastPurchaseAt).toBeUndefined();
  });
});
