import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCustomers } from '#shared/console/find-customers.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { recordPurchase, type RecordPurchaseDeps } from '#shared/purchases/record-purchase.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aPurchase, aShopConfig } from '#test/support/builders.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';
import { createTestTable } from '#test/support/test-table.ts';

/** The console's find (issue 13, item 8): customer ids are keyed (k_), and staff still find a customer by address or by id. */
let table: Table;
let endpoint: PutEventsEndpoint;
let deps: RecordPurchaseDeps;

beforeAll(async () => {
  table = await createTestTable('find-keyed');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  deps = {
    table,
    bus: { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' },
    config: aShopConfig(),
    signingKey: TEST_SIGNING_KEY,
    publicBaseUrl: 'http://localhost:3000',
    now: () => new Date('2026-11-25T12:00:00Z'),
  };
});
afterAll(() => endpoint.stop());

describe('finding a customer whose id is keyed', () => {
  it('finds them by the address, however typed, and by the k_ id the purchase gave them', async () => {
    const { customerId } = await recordPurchase(
      deps,
      aPurchase({ orderId: 'FK-1', customerEmail: 'helga@example.com', customerName: 'Helga', purchasedAt: '2026-11-01T10:00:00Z' }),
    );
    expect(customerId).toMatch(/^k_[0-9a-f]{24}$/);
    const byAddress = await findCustomers(table, ' Helga@Example.COM ', TEST_SIGNING_KEY);
    expect(byAddress.customers.map((c) => [c.customerId, c.matchedBy])).toEqual([[customerId, 'email']]);
    const byId = await findCustomers(table, customerId, TEST_SIGNING_KEY);
    expect(byId.customers.map((c) => [c.customerId, c.matchedBy])).toEqual([[customerId, 'customer-id']]);
  });

  it("finds nobody by the address under another key: the id is the secret's, not the address's", async () => {
    expect((await findCustomers(table, 'helga@example.com', `${TEST_SIGNING_KEY}-other`)).customers).toEqual([]);
  });
});
