import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CampaignSchema, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import { createSesClient, sesEmailSender, type EmailSender } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { createPacer } from '#shared/sending/pacer.ts';
import { planNewsletter } from '#shared/sending/plan-occurrence.ts';
import { processSendBatch, type QueueRecord, type SendBatchDeps } from '#shared/sending/process-send-batch.ts';
import { MAX_SEND_BATCH } from '#shared/sending/send-batch-size.ts';
import type { SenderDeps } from '#shared/sending/send-campaign-email.ts';
import type { SendQueue } from '#shared/sending/send-queue.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { queueTriggerOf } from '#shared/topology.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { startSesEmulator, type SesEmulator } from '#local/ses-emulator.ts';
import { createTestTable } from '#test/support/test-table.ts';

const AUDIENCE = Number(process.env.PIPELINE_AUDIENCE ?? 2_000);
const newsletter = CampaignSchema.parse({
  id: 'monthly-newsletter',
  kind: 'newsletter',
  audience: { include: ['all-customers'], exclude: ['unsatisfied'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});
/** A second newsletter to its own small segment, for the batch-size test. */
const bulletin = CampaignSchema.parse({
  id: 'bulletin',
  template: 'monthly-newsletter',
  kind: 'newsletter',
  audience: { include: ['bulletin-readers'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});
const BULLETIN_READERS = Array.from({ length: 60 }, (_, i) => `c_bulk${String(i).padStart(4, '0')}`);

const StoredEmails = z.object({
  emails: z.array(
    z.object({
      destination: z.object({ to: z.array(z.string()) }),
      subject: z.string(),
      headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    }),
  ),
});

let table: Table;
let ses: SesEmulator;
let events: PutEventsEndpoint;
const queued: QueueRecord[] = [];
let sequence = 0;
const now = new Date('2026-12-01T10:00:30Z');

const memoryQueue: SendQueue = {
  async enqueue(requests) {
    for (const request of requests) queued.push({ messageId: `m-${++sequence}`, body: JSON.stringify(request) });
  },
};

function batchDeps(email: EmailSender): SendBatchDeps {
  const sender: SenderDeps = {
    table,
    bus: { client: createEventBridgeClient(events.endpoint), name: 'kinship' },
    email,
    templates: new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['monthly-newsletter'], 'en'),
    campaigns: new Map<string, Campaign>([
      [newsletter.id, newsletter],
      [bulletin.id, bulletin],
    ]),
    policy: { frequencyCap: { maxEmails: 2, perDays: 7 }, quietHours: undefined, shopTimeZone: 'UTC' },
    shop: { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' },
    publicBaseUrl: 'https://shop.example',
    signingKey: 'pipeline-key',
    now: () => now,
  };
  return { sender: { ...sender, pacer: createPacer(100_000) }, due: { table, queue: memoryQueue, now: () => now } };
}

async function writeAll(items: Record<string, unknown>[]): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches
        .slice(i, i + 8)
        .map((batch) => table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: batch.map((Item) => ({ PutRequest: { Item } })) } }))),
    );
  }
}

function member(customerId: string, segment: string): Record<string, unknown> {
  return { ...keys.segmentMembership(customerId, segment), ...keys.segmentMemberIndex(segment, customerId), entityType: 'SEGMENT_MEMBER', customerId, segment };
}

function profile(customerId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const n = Number(customerId.slice(-4));
  return {
    ...keys.profile(customerId),
    customerId,
    customerName: `Customer ${n}`,
    locale: ['en', 'is', 'da', 'he', 'fi'][n % 5],
    confirmedEmail: `${customerId}@example.com`,
    marketingConsent: 'granted',
    marketingConsentAddress: consentAddressOf(`${customerId}@example.com`),
    orderCount: 1,
    ...overrides,
  };
}

/** Four workers taking batches of the deployed size, as Lambda's SQS poller would; returns the messages reported as failed. */
async function drain(deps: SendBatchDeps, batchSize = queueTriggerOf('send-email').batchSize): Promise<QueueRecord[]> {
  const failed: QueueRecord[] = [];
  const worker = async () => {
    for (let batch = queued.splice(0, batchSize); batch.length > 0; batch = queued.splice(0, batchSize)) {
      const result = await processSendBatch(deps, batch);
      const failedIds = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      failed.push(...batch.filter((record) => failedIds.has(record.messageId)));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return failed;
}

async function inbox(): Promise<z.output<typeof StoredEmails>['emails']> {
  const response = await fetch(`${ses.endpoint}/store`);
  return StoredEmails.parse(await response.json()).emails;
}

beforeAll(async () => {
  table = await createTestTable('pipeline');
  ses = await startSesEmulator({ port: 0 });
  events = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  const ids = Array.from({ length: AUDIENCE }, (_, i) => `c_pipe${String(i).padStart(4, '0')}`);
  await writeAll([
    ...ids.flatMap((id) => [profile(id), member(id, 'all-customers')]),
    // In the segment, but must get nothing: unsubscribed, bounced, over the cap, and excluded as unsatisfied.
    profile('c_pipe9001', { marketingConsent: 'withdrawn' }),
    member('c_pipe9001', 'all-customers'),
    profile('c_pipe9002', { suppressedReason: 'bounce' }),
    member('c_pipe9002', 'all-customers'),
    profile('c_pipe9003', { recentMarketingSends: ['2026-11-29T10:00:00.000Z', '2026-11-30T10:00:00.000Z'], sendVersion: 2 }),
    member('c_pipe9003', 'all-customers'),
    profile('c_pipe9004'),
    member('c_pipe9004', 'all-customers'),
    member('c_pipe9004', 'unsatisfied'),
    ...BULLETIN_READERS.flatMap((id) => [profile(id), member(id, 'bulletin-readers')]),
  ]);
});

afterAll(async () => {
  await ses.stop();
  await events.stop();
});

describe('newsletter occurrence: planner → queue → sender → SES', () => {
  it('emails each consenting member of a 2,000-customer segment exactly once, even when the sender is killed mid-batch and retried', {
    timeout: 240_000,
  }, async () => {
    const plan = await planNewsletter(
      { table, queue: memoryQueue, campaigns: new Map([[newsletter.id, newsletter]]), now: () => now },
      'monthly-newsletter',
      '2026-12-01T10:00:00Z',
    );
    expect(plan).toEqual({ planned: true, campaignId: 'monthly-newsletter', occurrenceId: '2026-12-01T10:00', recipients: AUDIENCE + 3 });

    // First worker: SES accepts 700 emails, then the worker dies — every later send in its batches fails.
    const ses1 = sesEmailSender(createSesClient(ses.endpoint), { from: 'hello@shop.example', replyTo: [] });
    let accepted = 0;
    const dying: EmailSender = {
      async send(email) {
        if (accepted >= Math.floor(AUDIENCE * 0.35)) throw new Error('worker killed');
        accepted++;
        return ses1.send(email);
      },
    };
    const failed = await drain(batchDeps(dying));
    expect(failed.length).toBe(AUDIENCE - Math.floor(AUDIENCE * 0.35));

    // SQS redelivers the failed messages — and, to be hard on it, every message of the occurrence once more.
    await planNewsletter(
      { table, queue: memoryQueue, campaigns: new Map([[newsletter.id, newsletter]]), now: () => now },
      'monthly-newsletter',
      '2026-12-01T10:00:00Z',
    );
    queued.push(...failed);
    // A message whose twin another worker is sending right now reports "busy" and comes back, as SQS redelivers it.
    let redelivered = await drain(batchDeps(ses1));
    for (let round = 0; redelivered.length > 0 && round < 3; round++) {
      queued.push(...redelivered);
      redelivered = await drain(batchDeps(ses1));
    }
    expect(redelivered).toEqual([]);

    const emails = await inbox();
    const recipients = emails.map((e) => e.destination.to[0]);
    expect(emails).toHaveLength(AUDIENCE);
    expect(new Set(recipients).size).toBe(AUDIENCE);
    for (const excluded of ['c_pipe9001', 'c_pipe9002', 'c_pipe9003', 'c_pipe9004']) expect(recipients).not.toContain(`${excluded}@example.com`);
    expect(emails.every((e) => e.headers?.some((h) => h.name === 'List-Unsubscribe-Post' && h.value === 'List-Unsubscribe=One-Click'))).toBe(true);
    expect(emails.filter((e) => e.subject === 'Fréttir frá Norðurljós Outdoor í þessum mánuði')).toHaveLength(AUDIENCE / 5);
  });
});

describe('sender batches', () => {
  it('sends a delivery larger than one claim transaction can hold in chunks, each email once', async () => {
    queued.length = 0;
    await planNewsletter({ table, queue: memoryQueue, campaigns: new Map([[bulletin.id, bulletin]]), now: () => now }, bulletin.id, '2026-12-01T10:00:00Z');
    const batch = queued.splice(0, queued.length);
    expect(batch.length).toBeGreaterThan(2 * MAX_SEND_BATCH);

    const result = await processSendBatch(batchDeps(sesEmailSender(createSesClient(ses.endpoint), { from: 'hello@shop.example', replyTo: [] })), batch);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes).toEqual({ sent: BULLETIN_READERS.length });
    const recipients = (await inbox()).map((e) => e.destination.to[0]).filter((to) => to?.startsWith('c_bulk'));
    expect(recipients.sort()).toEqual(BULLETIN_READERS.map((id) => `${id}@example.com`));
  });
});
