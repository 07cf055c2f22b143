import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPutEventsEndpoint, type BusEvent, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { recordPurchase } from '#shared/purchases/record-purchase.ts';
import { aPurchase, aShopConfig } from '#test/support/builders.ts';
import { runCli } from '#test/support/run-cli.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

let endpoint: PutEventsEndpoint;
let published: BusEvent[] = [];
let target: string[] = [];

function kinship(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(['segments', ...args, ...target], { KINSHIP_CONFIG_DIR: 'config' });
}

beforeAll(async () => {
  const table = await createTestTable('segment-cli');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: (events) => published.push(...events) });
  const bus = { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' };
  const now = new Date('2026-03-01T12:00:00Z');
  for (const [i, email] of ['one@example.com', 'two@example.com'].entries()) {
    await recordPurchase(
      { table, bus, config: aShopConfig(), signingKey: TEST_SIGNING_KEY, publicBaseUrl: 'http://localhost:3000', now: () => now },
      aPurchase({ orderId: `CLI-${i}`, customerEmail: email, purchasedAt: `2026-02-2${i}T10:00:00Z` }),
    );
  }
  published = [];
  target = ['--endpoint', table.endpoint, '--table', table.name, '--bus-endpoint', endpoint.endpoint];
});
afterAll(() => endpoint.stop());

describe('npx kinship segments', () => {
  it('run --now segments the table and publishes the changes; list shows counts and the change', async () => {
    const run = await kinship('run', '--now', '2026-03-01T12:00:00Z');
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('Segmented 2 profiles (2 with a purchase)');
    expect(run.out).toMatch(/8 entered · 0 exited · 8 events published/);
    expect(published).toHaveLength(8);
    const list = await kinship('list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/one-time\s+2\s+\+2\s+2\s+0/);
  });

  it('explain shows the segments and the numbers behind them', async () => {
    const two = customerIdForEmail('two@example.com', TEST_SIGNING_KEY);
    const explain = await kinship('explain', two);
    expect(explain.code).toBe(0);
    // Both bought once: the frequency tie is broken by ascending customer id (docs/segments.md, Compute), so F follows the ids.
    const frequency = two > customerIdForEmail('one@example.com', TEST_SIGNING_KEY) ? 5 : 1;
    expect(explain.out).toMatch(new RegExp(`RFM scores: R5 F${frequency} M[1-5]`));
    expect(explain.out).toMatch(/yes\s+new\s+first purchase 8 days ago \(new within 30\)/);
    const missing = await kinship('explain', 'c_nobody');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No profile for customer c_nobody');
  });
});
