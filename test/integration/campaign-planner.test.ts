import { BatchWriteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CampaignSchema, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { dispatchDueSends } from '#shared/sending/due-sends.ts';
import { planNewsletter, planTriggered, type PlannerDeps } from '#shared/sending/plan-occurrence.ts';
import type { SendQueue } from '#shared/sending/send-queue.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { aConsentGivenDetail, aSegmentEnteredDetail } from '#test/support/event-details.ts';
import { EventContractError } from '#shared/events/event-definition.ts';

const campaigns = new Map<string, Campaign>(
  [
    {
      id: 'news',
      kind: 'newsletter',
      audience: { include: ['all-customers'], exclude: ['unsatisfied'] },
      schedule: { expression: 'cron(0 10 1 * ? *)', timezone: 'Pacific/Kiritimati', recipientLocalTime: true },
    },
    { id: 'win-back', kind: 'triggered', trigger: { event: 'SegmentEntered', detail: { segment: ['lapsed'] } }, delay: { days: 3 } },
    { id: 'welcome', kind: 'triggered', trigger: { event: 'ConsentGiven' }, oncePerCustomer: true },
  ].map((c) => {
    const campaign = CampaignSchema.parse(c);
    return [campaign.id, campaign];
  }),
);

let table: Table;
let queued: { request: SendRequest; delaySeconds: number }[] = [];
let now = new Date('2026-11-30T20:00:05Z');
const queue: SendQueue = {
  async enqueue(requests, delaySeconds = 0) {
    queued.push(...requests.map((request) => ({ request, delaySeconds })));
  },
};
const deps = (): PlannerDeps => ({ table, queue, campaigns, now: () => now, defaultTimeZone: 'Atlantic/Reykjavik' });

beforeAll(async () => {
  table = await createTestTable('planner');
  const member = (customerId: string, segment: string) => ({
    ...keys.segmentMembership(customerId, segment),
    ...keys.segmentMemberIndex(segment, customerId),
    customerId,
    segment,
  });
  const items = [
    member('c_a', 'all-customers'),
    member('c_b', 'all-customers'),
    member('c_c', 'all-customers'),
    member('c_c', 'unsatisfied'),
    member('c_d', 'lapsed'),
  ];
  await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: items.map((Item) => ({ PutRequest: { Item } })) } }));
});

beforeEach(() => {
  queued = [];
  now = new Date('2026-11-30T20:00:05Z');
});

describe('the planner', () => {
  it("queues a newsletter for the included segments minus the excluded, to be delivered at the wall time in each recipient's zone", async () => {
    // 20:00 UTC on 30 November is 10:00 on 1 December in Kiritimati (UTC+14), the easternmost zone.
    const result = await planNewsletter(deps(), 'news', '2026-11-30T20:00:00Z');
    expect(result).toEqual({ planned: true, campaignId: 'news', occurrenceId: '2026-11-30T20:00', recipients: 2 });
    expect(queued.map((q) => q.request)).toEqual(
      ['c_a', 'c_b'].map((customerId) => ({
        campaignId: 'news',
        occurrenceId: '2026-11-30T20:00',
        customerId,
        triggeredAt: '2026-11-30T20:00:00.000Z',
        localWallTime: '2026-12-01T10:00',
      })),
    );
    const occurrence = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.occurrence('news', '2026-11-30T20:00') }));
    expect(occurrence.Item).toMatchObject({ recipients: 2 });
  });

  it('holds a triggered email with a delay in the table until it is due, then the dispatcher queues it', async () => {
    const event = { id: 'evt-9', time: '2026-11-30T20:00:00Z', detail: aSegmentEnteredDetail({ customerId: 'c_d', segment: 'lapsed' }) };
    expect(await planTriggered(deps(), 'win-back', event)).toEqual({ planned: true, campaignId: 'win-back', occurrenceId: 'evt-9', recipients: 1 });
    expect(queued).toEqual([]);
    const stored = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.dueSendPartition('2026-12-03T20') },
      }),
    );
    expect(stored.Items).toHaveLength(1);

    now = new Date('2026-12-03T19:59:00Z');
    expect((await dispatchDueSends({ table, queue, now: () => now })).dispatched).toBe(0);
    now = new Date('2026-12-03T20:04:00Z');
    expect((await dispatchDueSends({ table, queue, now: () => now })).dispatched).toBe(1);
    expect(queued.map((q) => q.request)).toEqual([
      { campaignId: 'win-back', occurrenceId: 'evt-9', customerId: 'c_d', triggeredAt: '2026-11-30T20:00:00.000Z', notBefore: '2026-12-03T20:00:00.000Z' },
    ]);
    expect((await dispatchDueSends({ table, queue, now: () => now })).dispatched).toBe(0);
  });

  it('fails an event whose detail breaks its trigger contract, naming the fields but not their values, and queues nothing', async () => {
    const broken = { ...aSegmentEnteredDetail({ customerId: 'c_d' }), segment: 42, reason: undefined };
    const planning = planTriggered(deps(), 'win-back', { id: 'evt-bad', time: '2026-11-30T20:00:00Z', detail: broken });
    await expect(planning).rejects.toThrow(EventContractError);
    await expect(planTriggered(deps(), 'win-back', { id: 'evt-bad', time: '2026-11-30T20:00:00Z', detail: broken })).rejects.toThrow(
      'SegmentEntered event evt-bad: detail breaks the SegmentEntered contract at segment, reason',
    );
    await expect(
      planTriggered(deps(), 'welcome', { id: 'evt-mail', time: '2026-11-30T20:00:00Z', detail: { customerId: 'c_a', email: 'anna@example.com' } }),
    ).rejects.toThrow(/^ConsentGiven event evt-mail: detail breaks the ConsentGiven contract at orderId, .*consentedAt$/);
    expect(queued).toEqual([]);
  });

  it('addresses once-per-customer campaigns to the occurrence "once", and ignores events about nobody', async () => {
    await planTriggered(deps(), 'welcome', { id: 'evt-1', time: '2026-11-30T20:00:00Z', detail: aConsentGivenDetail({ customerId: 'c_a' }) });
    expect(queued.map((q) => q.request.occurrenceId)).toEqual(['once']);
    expect(await planTriggered(deps(), 'welcome', { id: 'evt-2', time: '2026-11-30T20:00:00Z', detail: aConsentGivenDetail({ customerId: '' }) })).toEqual({
      planned: false,
      campaignId: 'welcome',
      reason: 'no-customer',
    });
    expect(await planTriggered(deps(), 'news', { id: 'evt-3', time: '2026-11-30T20:00:00Z', detail: aConsentGivenDetail({ customerId: 'c_a' }) })).toEqual({
      planned: false,
      campaignId: 'news',
      reason: 'wrong-kind',
    });
  });
});
