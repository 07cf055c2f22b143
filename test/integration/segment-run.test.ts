import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBridgeClient, type EventBus } from '#shared/events/publish-events.ts';
import { SegmentEntered } from '#shared/events/segment-entered.ts';
import { SegmentExited } from '#shared/events/segment-exited.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { recordPurchase, type RecordPurchaseDeps } from '#shared/purchases/record-purchase.ts';
import { defaultSegmentsConfig } from '#shared/segments/segment-config.ts';
import { runSegmenter } from '#shared/segments/run-segmenter.ts';
import { latestRuns, segmentMembers } from '#shared/segments/segment-store.ts';
import { explainCustomer } from '#shared/segments/explain-customer.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type BusEvent, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aLineItem, aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const DAY = 86_400_000;
const T0 = new Date('2026-06-30T12:00:00Z');
const T1 = new Date(T0.getTime() + 120 * DAY);
const config = defaultSegmentsConfig();

/** Customer k has k orders a week apart, the last d[k] days before T0; k10 spends 1,000 an order, k9 500, the rest 10. */
const lastDaysAgo: Record<number, number> = { 1: 5, 2: 300, 3: 20, 4: 150, 5: 60, 6: 10, 7: 200, 8: 40, 9: 100, 10: 30 };
const id = (k: number) => customerIdForEmail(`k${k}@example.com`, TEST_SIGNING_KEY);
const amountOf = (k: number) => (k === 10 ? 1000 : k === 9 ? 500 : 10);

let table: Table;
let endpoint: PutEventsEndpoint;
let bus: EventBus;
let published: BusEvent[] = [];
let batchSizes: number[] = [];

function purchaseDeps(now: Date): RecordPurchaseDeps {
  return { table, bus, config: aShopConfig(), signingKey: TEST_SIGNING_KEY, publicBaseUrl: 'http://localhost:3000', now: () => now };
}

async function buy(k: number, at: Date, orderId: string, now: Date, amount = amountOf(k)) {
  await recordPurchase(
    purchaseDeps(now),
    aPurchase({
      orderId,
      customerEmail: `k${k}@example.com`,
      purchasedAt: at.toISOString(),
      items: [aLineItem({ category: 'bags', price: amount, quantity: 1 })],
      total: amount,
    }),
  );
}

async function storedMemberships(): Promise<Record<string, string[]>> {
  const items =
    (await table.doc.send(new ScanCommand({ TableName: table.name, FilterExpression: 'begins_with(SK, :s)', ExpressionAttributeValues: { ':s': 'SEG#' } })))
      .Items ?? [];
  const out: Record<string, string[]> = {};
  for (const item of items) if (typeof item.customerId === 'string' && typeof item.segment === 'string') (out[item.customerId] ??= []).push(item.segment);
  for (const list of Object.values(out)) list.sort();
  return out;
}

const changesOf = (events: BusEvent[]) =>
  events
    .map((e) => {
      const detail = e['detail-type'] === 'SegmentEntered' ? SegmentEntered.parse(e.detail) : SegmentExited.parse(e.detail);
      const k = Object.keys(lastDaysAgo).find((key) => id(Number(key)) === detail.customerId);
      return `k${k ?? '?'} ${e['detail-type'] === 'SegmentEntered' ? '+' : '-'}${detail.segment}`;
    })
    .sort();

beforeAll(async () => {
  table = await createTestTable('segments');
  endpoint = await startPutEventsEndpoint({
    port: 0,
    onEvents: (events) => {
      batchSizes.push(events.length);
      published.push(...events);
    },
  });
  bus = { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' };
  await Promise.all(
    Object.entries(lastDaysAgo).map(async ([key, days]) => {
      const k = Number(key);
      for (let i = k - 1; i >= 0; i--) await buy(k, new Date(T0.getTime() - (days + 7 * i) * DAY), `K${k}-${i}`, T0);
    }),
  );
  // A customer whose only order is a refund: no purchase, so in no purchase segment and not ranked.
  await recordPurchase(
    purchaseDeps(T0),
    aPurchase({
      orderId: 'K11-R',
      customerEmail: 'k11@example.com',
      purchasedAt: new Date(T0.getTime() - 3 * DAY).toISOString(),
      items: [aLineItem({ price: -40, quantity: 1 })],
      total: -40,
    }),
  );
  published = [];
  batchSizes = [];
});
afterAll(() => endpoint.stop());

describe('the segmenter against DynamoDB Local', () => {
  it('writes every membership of the first run, publishes one SegmentEntered each in batches of 10, and records the run', async () => {
    const summary = await runSegmenter({ table, bus, config, currency: 'EUR' }, { now: T0, runId: 'run-1' });
    const expected: Record<number, string[]> = {
      1: ['new', 'one-time', 'rfm-new'],
      2: ['lapsed', 'rfm-lost'],
      3: ['rfm-potential-loyalist'],
      4: ['lapsed', 'rfm-hibernating'],
      5: ['frequent', 'rfm-need-attention'],
      6: ['frequent', 'rfm-potential-loyalist'],
      7: ['frequent', 'lapsed', 'rfm-at-risk'],
      8: ['frequent', 'rfm-loyal'],
      9: ['frequent', 'lapsed', 'rfm-cannot-lose-them', 'silver'],
      10: ['frequent', 'gold', 'rfm-loyal'],
    };
    expect(await storedMemberships()).toEqual(Object.fromEntries(Object.entries(expected).map(([k, segments]) => [id(Number(k)), segments])));
    expect(summary).toMatchObject({ profiles: 11, scored: 10, entered: 24, exited: 0, writes: 24, events: 24, recorded: true });
    expect(published).toHaveLength(24);
    expect(published.every((e) => e['detail-type'] === 'SegmentEntered' && SegmentEntered.parse(e.detail).runId === 'run-1')).toBe(true);
    expect(Math.max(...batchSizes)).toBe(10);
    expect(await segmentMembers(table, 'lapsed')).toEqual([id(2), id(4), id(7), id(9)].sort());
    const [run] = await latestRuns(table, 1);
    expect(run).toMatchObject({ runId: 'run-1', asOf: T0.toISOString(), counts: { lapsed: 4, gold: 1, silver: 1, 'rfm-loyal': 2 } });
    const reason = published.map((e) => SegmentEntered.parse(e.detail)).find((d) => d.customerId === id(9) && d.segment === 'lapsed')?.reason;
    expect(reason).toBe('last purchase 100 days ago (lapsed after 90)');
  });

  it('changes nothing on a second run with the same data: no writes, no events, no run record', async () => {
    published = [];
    const summary = await runSegmenter({ table, bus, config, currency: 'EUR' }, { now: T0, runId: 'run-2' });
    expect(summary).toMatchObject({ writes: 0, events: 0, recorded: false });
    expect(published).toEqual([]);
    expect((await latestRuns(table, 5)).map((r) => r.runId)).toEqual(['run-1']);
  });

  it('120 days later, after k9 and k10 buy again, moves exactly the right customers and only they emit events', async () => {
    await buy(9, new Date(T1.getTime() - DAY), 'K9-new', T1);
    await buy(10, new Date(T1.getTime() - 2 * DAY), 'K10-new', T1);
    published = [];
    const summary = await runSegmenter({ table, bus, config, currency: 'EUR' }, { now: T1, runId: 'run-3' });
    expect(changesOf(published)).toEqual(
      [
        'k1 -rfm-new',
        'k1 +rfm-promising',
        'k1 -new',
        'k1 +lapsed',
        // k2 reaches 12 months of tenure, but its last purchase was 420 days ago: lapsed, so not loyal (loyal.recentWithinDays).
        'k3 -rfm-potential-loyalist',
        'k3 +rfm-about-to-sleep',
        'k3 +lapsed',
        'k5 -rfm-need-attention',
        'k5 +rfm-at-risk',
        'k5 +lapsed',
        'k6 +lapsed',
        'k8 +lapsed',
        'k9 -rfm-cannot-lose-them',
        'k9 +rfm-champions',
        'k9 -lapsed',
        'k10 -rfm-loyal',
        'k10 +rfm-champions',
      ].sort(),
    );
    expect(summary).toMatchObject({ entered: 10, exited: 7, writes: 17, events: 17 });
    expect((await storedMemberships())[id(2)]).not.toContain('loyal');
    expect((await storedMemberships())[id(5)]).toEqual(['frequent', 'lapsed', 'rfm-at-risk']);
    expect((await storedMemberships())[id(9)]).toEqual(['frequent', 'rfm-champions', 'silver']);
    const membershipItems = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :s)',
        ExpressionAttributeValues: { ':pk': `CUST#${id(11)}`, ':s': 'SEG#' },
      }),
    );
    expect(membershipItems.Items).toEqual([]);
  });

  it("explains a customer from the profile and the last run's boundaries, with the numbers", async () => {
    const explanation = await explainCustomer(table, config, 'EUR', id(5));
    expect(explanation.scores).toEqual({ r: 2, f: 3, m: 3 });
    const atRisk = explanation.segments.find((s) => s.segment === 'rfm-at-risk');
    expect(atRisk).toMatchObject({ computed: true, stored: { runId: 'run-3' } });
    expect(atRisk?.reason).toContain('R2 F3 M3 → At Risk: last purchase 180 days ago, 5 purchases');
    expect(explanation.segments.filter((s) => s.computed !== (s.stored !== undefined))).toEqual([]);
  });
});
