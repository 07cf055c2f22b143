import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCustomers } from '#shared/console/find-customers.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { recordPurchase, type RecordPurchaseDeps } from '#shared/purchases/record-purchase.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';

/** Staff at the till find a customer by the number they give: the purchase carries it onto the profile. */
let table: Table;
let endpoint: PutEventsEndpoint;
let deps: RecordPurchaseDeps;

beforeAll(async () => {
  table = await createTestTable('phone');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  deps = {
    table,
    bus: { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' },
    config: aShopConfig(),
    signingKey: 'integration-key',
    publicBaseUrl: 'http://localhost:3000',
    now: () => new Date('2026-11-25T12:00:00Z'),
  };
});
afterAll(() => endpoint.stop());

describe('a phone number on a purchase', () => {
  it('is found by the digits staff type, however they are spaced', async () => {
    await recordPurchase(
      deps,
      aPurchase({
        orderId: 'PH-1',
        customerEmail: 'sigrun@example.com',
        customerName: 'Sigrún',
        customerPhone: '+354 555-1234',
        purchasedAt: '2026-11-01T10:00:00Z',
      }),
    );
    const found = await findCustomers(table, '5551234', deps.signingKey);
    expect(found.customers.map((c) => [c.name, c.matchedBy])).toEqual([['Sigrún', 'phone']]);
    expect((await findCustomers(table, '555 12 34', deps.signingKey)).customers).toHaveLength(1);
    expect((await findCustomers(table, '5559999', deps.signingKey)).customers).toHaveLength(0);
  });

  it('is kept when a later order gives none, replaced by a newer one, and not overwritten by an older one', async () => {
    await recordPurchase(deps, aPurchase({ orderId: 'PH-2', customerEmail: 'sigrun@example.com', purchasedAt: '2026-11-05T10:00:00Z' }));
    expect((await findCustomers(table, '5551234', deps.signingKey)).customers).toHaveLength(1);
    await recordPurchase(
      deps,
      aPurchase({ orderId: 'PH-3', customerEmail: 'sigrun@example.com', customerPhone: '+354 666 7777', purchasedAt: '2026-11-10T10:00:00Z' }),
    );
    await recordPurchase(
      deps,
      aPurchase({ orderId: 'PH-0', customerEmail: 'sigrun@example.com', customerPhone: '+354 111 2222', purchasedAt: '2026-10-01T10:00:00Z' }),
    );
    expect((await findCustomers(table, '6667777', deps.signingKey)).customers.map((c) => c.matchedBy)).toEqual(['phone']);
    expect((await findCustomers(table, '5551234', deps.signingKey)).customers).toHaveLength(0);
    expect((await findCustomers(table, '1112222', deps.signingKey)).customers).toHaveLength(0);
  });
});
