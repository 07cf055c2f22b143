import { join } from 'node:path';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CampaignSchema, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import type { OutgoingEmail } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { isHeldOut } from '#shared/measurement/holdout.ts';
import { planNewsletter, planTriggered, type PlannerDeps } from '#shared/sending/plan-occurrence.ts';
import { sendCampaignBatch, sendCampaignEmail, type SenderDeps } from '#shared/sending/send-campaign-email.ts';
import type { SendQueue } from '#shared/sending/send-queue.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { aConsentGivenDetail, aSegmentEnteredDetail } from '#test/support/event-details.ts';

const news = CampaignSchema.parse({
  id: 'news',
  kind: 'newsletter',
  holdoutPercent: 10,
  audience: { include: ['all-customers'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});
const welcome = CampaignSchema.parse({ id: 'welcome', kind: 'triggered', holdoutPercent: 50, trigger: { event: 'ConsentGiven' }, oncePerCustomer: true });
const winBack = CampaignSchema.parse({ id: 'win-back', kind: 'triggered', holdoutPercent: 50, trigger: { event: 'SegmentEntered' }, delay: { days: 3 } });
const campaigns = new Map<string, Campaign>([news, welcome, winBack].map((c) => [c.id, c]));
const AUDIENCE = 600;
const customers = Array.from({ length: AUDIENCE }, (_, i) => `c_hold${String(i).padStart(4, '0')}`);
const heldOutOfNews = customers.filter((c) => isHeldOut('news', c, 10));

let table: Table;
let endpoint: PutEventsEndpoint;
let queued: SendRequest[] = [];
let emailed: OutgoingEmail[] = [];
const now = new Date('2026-12-01T10:00:05Z');
const queue: SendQueue = {
  async enqueue(requests) {
    queued.push(...requests);
  },
};
const planner = (): PlannerDeps => ({ table, queue, campaigns, now: () => now });
let sender: SenderDeps;

beforeAll(async () => {
  table = await createTestTable('holdout');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  const items = customers.flatMap((customerId) => [
    { ...keys.segmentMembership(customerId, 'all-customers'), ...keys.segmentMemberIndex('all-customers', customerId), customerId, segment: 'all-customers' },
    {
      ...keys.profile(customerId),
      customerId,
      locale: 'en',
      confirmedEmail: `${customerId}@example.com`,
      marketingConsent: 'granted',
      marketingConsentAddress: consentAddressOf(`${customerId}@example.com`),
    },
  ]);
  for (let i = 0; i < items.length; i += 25) {
    await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  sender = {
    table,
    bus: { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' },
    email: {
      async send(email) {
        emailed.push(email);
        return { messageId: `ses-${emailed.length}` };
      },
    },
    templates: new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['monthly-newsletter', 'welcome'], 'en'),
    campaigns: new Map([
      ['news', { ...news, template: 'monthly-newsletter' }],
      ['welcome', welcome],
    ]),
    policy: { frequencyCap: { maxEmails: 5, perDays: 7 }, quietHours: undefined, shopTimeZone: 'UTC' },
    shop: { name: 'Shop', url: 'https://shop.example', baseCurrency: 'EUR' },
    publicBaseUrl: 'https://shop.example',
    signingKey: 'k',
    now: () => now,
  };
});
afterAll(() => endpoint.stop());
beforeEach(() => {
  queued = [];
  emailed = [];
});

async function claimsOf(partition: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

describe('holdout groups', () => {
  it("gives the held-out share of a newsletter's audience a held-out claim instead of a queued email", async () => {
    expect(heldOutOfNews.length).toBeGreaterThan(AUDIENCE * 0.05);
    const result = await planNewsletter(planner(), 'news', '2026-12-01T10:00:00Z');
    expect(result).toEqual({ planned: true, campaignId: 'news', occurrenceId: '2026-12-01T10:00', recipients: AUDIENCE, heldOut: heldOutOfNews.length });

    const queuedIds = new Set(queued.map((r) => r.customerId));
    expect(queuedIds.size).toBe(AUDIENCE - heldOutOfNews.length);
    expect(heldOutOfNews.some((c) => queuedIds.has(c))).toBe(false);
    const claims = await claimsOf(keys.sendClaimPartition('news', '2026-12-01T10:00'));
    expect(claims.map((c) => c.customerId).sort()).toEqual(heldOutOfNews);
    expect(claims[0]).toMatchObject({
      entityType: 'SEND',
      status: 'held-out',
      campaignId: 'news',
      occurrenceId: '2026-12-01T10:00',
      heldOutAt: now.toISOString(),
      triggeredAt: '2026-12-01T10:00:00.000Z',
    });
    expect(await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.occurrence('news', '2026-12-01T10:00') }))).toMatchObject({
      Item: { recipients: AUDIENCE, heldOut: heldOutOfNews.length },
    });
  });

  it('never writes a held-out claim over an existing claim when the occurrence is planned again', async () => {
    const [first] = heldOutOfNews;
    if (first === undefined) throw new Error('no held-out customer');
    const occurrence = '2026-12-01T11:00';
    await table.doc.send(
      new PutCommand({ TableName: table.name, Item: { ...keys.sendClaim('news', occurrence, first), status: 'sent', customerId: first, sentAt: 'earlier' } }),
    );
    await planNewsletter(planner(), 'news', '2026-12-01T11:00:00Z');
    await planNewsletter({ ...planner(), now: () => new Date(now.getTime() + 60_000) }, 'news', '2026-12-01T11:00:00Z');
    const claims = await claimsOf(keys.sendClaimPartition('news', occurrence));
    expect(claims).toHaveLength(heldOutOfNews.length);
    expect(claims.find((c) => c.customerId === first)).toMatchObject({ status: 'sent', sentAt: 'earlier' });
    expect(claims.filter((c) => c.status === 'held-out').every((c) => c.heldOutAt === now.toISOString())).toBe(true);
  });

  it('sends no email to a held-out customer even if a message for them reaches the sender, alone or in a batch', async () => {
    const [held] = heldOutOfNews;
    const sent = customers.find((c) => !isHeldOut('news', c, 10));
    if (held === undefined || sent === undefined) throw new Error('need one of each');
    const request = (customerId: string): SendRequest => ({
      campaignId: 'news',
      occurrenceId: '2026-12-01T10:00',
      customerId,
      triggeredAt: '2026-12-01T10:00:00.000Z',
    });
    expect(await sendCampaignEmail(sender, request(held))).toEqual({ outcome: 'skipped', reason: 'held-out' });
    const results = await sendCampaignBatch(sender, [request(held), request(sent)], []);
    expect(results).toEqual([
      { outcome: 'skipped', reason: 'held-out' },
      { outcome: 'sent', messageId: expect.any(String) },
    ]);
    expect(emailed.map((e) => e.to)).toEqual([`${sent}@example.com`]);
    expect(await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.sendClaim('news', '2026-12-01T10:00', held) }))).toMatchObject({
      Item: { status: 'held-out' },
    });
  });

  it("holds out a triggered campaign's customer with a claim and queues nothing for them", async () => {
    const held = customers.find((c) => isHeldOut('welcome', c, 50));
    const kept = customers.find((c) => !isHeldOut('welcome', c, 50));
    if (held === undefined || kept === undefined) throw new Error('need one of each');
    expect(await planTriggered(planner(), 'welcome', { id: 'evt-1', time: now.toISOString(), detail: aConsentGivenDetail({ customerId: held }) })).toEqual({
      planned: true,
      campaignId: 'welcome',
      occurrenceId: 'once',
      recipients: 1,
      heldOut: 1,
    });
    expect(await planTriggered(planner(), 'welcome', { id: 'evt-2', time: now.toISOString(), detail: aConsentGivenDetail({ customerId: kept }) })).toEqual({
      planned: true,
      campaignId: 'welcome',
      occurrenceId: 'once',
      recipients: 1,
    });
    expect(queued.map((r) => r.customerId)).toEqual([kept]);
    expect(await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.sendClaim('welcome', 'once', held) }))).toMatchObject({
      Item: { status: 'held-out', heldOutAt: now.toISOString() },
    });
  });

  it("dates a delayed campaign's held-out claim when the email would have gone, not when it was triggered", async () => {
    const held = customers.find((c) => isHeldOut('win-back', c, 50));
    if (held === undefined) throw new Error('need a held-out customer');
    await planTriggered(planner(), 'win-back', { id: 'evt-9', time: now.toISOString(), detail: aSegmentEnteredDetail({ customerId: held }) });
    const claim = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.sendClaim('win-back', 'evt-9', held) }));
    expect(claim.Item).toMatchObject({ status: 'held-out', triggeredAt: now.toISOString(), heldOutAt: new Date(now.getTime() + 3 * 86_400_000).toISOString() });
    expect(queued).toEqual([]);
  });
});
