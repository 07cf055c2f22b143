import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaContext } from '#local/functions.ts';
import { startPutEventsEndpoint, type BusEvent, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { SegmentEntered } from '#shared/events/segment-entered.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { recordPurchase } from '#shared/purchases/record-purchase.ts';
import { topology } from '#shared/topology.ts';
import { aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

let endpoint: PutEventsEndpoint;
let published: BusEvent[] = [];
const spec = topology.functions.find((fn) => fn.name === 'run-segmenter');

beforeAll(async () => {
  const table = await createTestTable('segment-handler');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: (events) => published.push(...events) });
  const bus = { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' };
  const now = new Date('2026-03-01T12:00:00Z');
  await recordPurchase(
    { table, bus, config: aShopConfig(), signingKey: TEST_SIGNING_KEY, publicBaseUrl: 'http://localhost:3000', now: () => now },
    aPurchase({ orderId: 'H-1', customerEmail: 'handler@example.com', purchasedAt: '2026-02-27T10:00:00Z' }),
  );
  published = [];
  // What the CDK stack and the local runtime set for the function.
  Object.assign(process.env, {
    TABLE_NAME: table.name,
    DYNAMODB_ENDPOINT: table.endpoint,
    EVENT_BUS_NAME: 'kinship',
    EVENTBRIDGE_ENDPOINT: endpoint.endpoint,
    AWS_REGION: 'eu-west-1',
  });
});
afterAll(() => endpoint.stop());

describe('run-segmenter handler', () => {
  it('is in the topology on the configured schedule with table write and publish access', () => {
    expect(spec).toMatchObject({
      access: { table: { mode: 'readWrite', keys: { wholeTable: expect.any(String) } }, publishEvents: true },
      triggers: [{ kind: 'schedule', name: 'segmenter', expression: 'rate(1 hour)' }],
    });
  });

  it('runs as of the scheduled time, or as of detail.now for a manual run, with the segments of config/segments.yaml', async () => {
    if (!spec) throw new Error('run-segmenter is missing from the topology');
    const { handler } = await import('#functions/run-segmenter/handler.ts');
    const context = createLambdaContext(spec, { region: 'eu-west-1', accountId: '000000000000' }, 'req-1', Date.now() + 60_000);
    const scheduled = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.scheduler', time: '2026-03-01T12:00:00Z', detail: {} };
    const first = await handler(scheduled, context);
    expect(first).toMatchObject({ asOf: '2026-03-01T12:00:00.000Z', profiles: 1, events: 4 });
    expect(published.map((e) => SegmentEntered.parse(e.detail).segment).sort()).toEqual(['all-customers', 'new', 'one-time', 'rfm-new']);
    expect(published.every((e) => SegmentEntered.parse(e.detail).customerId === customerIdForEmail('handler@example.com', TEST_SIGNING_KEY))).toBe(true);
    published = [];
    const later = await handler({ ...scheduled, detail: { now: '2026-09-01T00:00:00Z' } }, context);
    expect(later).toMatchObject({ asOf: '2026-09-01T00:00:00.000Z', entered: 2, exited: 1 });
    expect(published.map((e) => `${e['detail-type']} ${String(e.detail.segment)}`).sort()).toEqual([
      'SegmentEntered lapsed',
      'SegmentEntered tent-buyers-gone-quiet',
      'SegmentExited new',
    ]);
  });
});
