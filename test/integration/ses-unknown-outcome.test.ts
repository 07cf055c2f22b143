import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CampaignSchema, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { createCampaignSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { SesThrottledError } from '#shared/email/ses-failure.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { campaignEmailTags } from '#shared/measurement/email-tags.ts';
import { recordEmailEvent } from '#shared/measurement/record-email-event.ts';
import { SesEventBridgeEvent } from '#shared/measurement/ses-event.ts';
import { processSendBatch } from '#shared/sending/process-send-batch.ts';
import { sendCampaignEmail, type SenderDeps } from '#shared/sending/send-campaign-email.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startMailboxSimulator, type MailboxSimulator } from '#local/mailbox-simulator.ts';
import { startPutEventsEndpoint, type BusEvent, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { NO_FAULTS, SesFaultsSchema } from '#local/ses-faults.ts';
import { createTestTable, putSubscriber } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

/**
 * Issue 13, item 12: an SES call whose outcome is unknown (the request went out, the answer never came back) must
 * not be sent again straight away. Real SESv2 client (one attempt, short timeout) → mailbox simulator with faults →
 * SES emulator; SES events applied with the real record-email-event.
 */
const CLIENT_TIMEOUT_MS = 400;
const LEASE_SECONDS = 60;
const newsletter = CampaignSchema.parse({
  id: 'monthly-newsletter',
  kind: 'newsletter',
  audience: { include: ['all-customers'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});
const Stored = z.object({ emails: z.array(z.object({ messageId: z.string(), destination: z.object({ to: z.array(z.string()) }) })) });

let table: Table;
let ses: MailboxSimulator;
let bus: PutEventsEndpoint;
let deps: SenderDeps;
let sesEvents: BusEvent[] = [];
let published: BusEvent[] = [];
let clock = new Date('2026-12-03T12:00:00Z');
let customerSeq = 0;

beforeAll(async () => {
  table = await createTestTable('ses-unknown');
  bus = await startPutEventsEndpoint({ port: 0, onEvents: (batch) => published.push(...batch) });
  ses = await startMailboxSimulator({
    port: 0,
    region: 'eu-west-1',
    accountId: '123456789012',
    signingKey: TEST_SIGNING_KEY,
    trackingBaseUrl: () => 'http://127.0.0.1:1',
    now: () => clock,
    publish: (events) => sesEvents.push(...events),
    holding: () => false,
  });
  deps = {
    table,
    bus: { client: createEventBridgeClient(bus.endpoint), name: 'kinship' },
    email: sesEmailSender(createCampaignSesClient(ses.endpoint, CLIENT_TIMEOUT_MS), { from: 'hello@shop.example', replyTo: [] }),
    templates: new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['monthly-newsletter'], 'en'),
    campaigns: new Map<string, Campaign>([[newsletter.id, newsletter]]),
    policy: { frequencyCap: { maxEmails: 5, perDays: 7 }, quietHours: undefined, shopTimeZone: 'UTC' },
    shop: { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' },
    publicBaseUrl: 'https://shop.example',
    signingKey: TEST_SIGNING_KEY,
    now: () => clock,
    leaseSeconds: LEASE_SECONDS,
  };
});

afterAll(async () => {
  await ses.stop();
  await bus.stop();
});

beforeEach(() => {
  sesEvents = [];
  published = [];
  clock = new Date('2026-12-03T12:00:00Z');
  ses.faults.set(NO_FAULTS);
});

async function aSubscriber(): Promise<{ customerId: string; address: string }> {
  const customerId = `c_unknown${++customerSeq}`;
  const address = `${customerId}@example.com`;
  await putSubscriber(table, customerId, address, { customerName: 'Test', orderCount: 1 });
  return { customerId, address };
}

const aRequest = (customerId: string): SendRequest => ({
  campaignId: newsletter.id,
  occurrenceId: '2026-12-01T10:00',
  customerId,
  triggeredAt: '2026-12-01T10:00:00.000Z',
});

async function claimOf(customerId: string): Promise<Record<string, unknown>> {
  const result = await table.doc.send(
    new GetCommand({ TableName: table.name, Key: keys.sendClaim(newsletter.id, '2026-12-01T10:00', customerId), ConsistentRead: true }),
  );
  return result.Item ?? {};
}

async function inboxOf(address: string): Promise<{ messageId: string }[]> {
  const reply = await fetch(`${ses.endpoint}/store`);
  return Stored.parse(await reply.json()).emails.filter((e) => e.destination.to.includes(address));
}

/** The SES events so far, through the real record-email-event (as the default bus's rule would invoke it). */
async function recordSesEvents(): Promise<void> {
  for (const event of sesEvents.splice(0)) {
    await recordEmailEvent(
      { table, bus: deps.bus, softBounceLimit: 3, now: () => clock, signingKey: TEST_SIGNING_KEY },
      SesEventBridgeEvent.parse(event).detail,
    );
  }
}

const later = (seconds: number) => new Date(clock.getTime() + seconds * 1000);

describe('an SES call whose outcome is unknown', () => {
  it('is held as unknown when SES took the email but answered too late: an immediate redelivery waits, and the SES event marks it sent', {
    timeout: 30_000,
  }, async () => {
    const { customerId, address } = await aSubscriber();
    ses.faults.set(SesFaultsSchema.parse({ timeoutRate: 1, timeoutDelayMs: CLIENT_TIMEOUT_MS * 4 }));

    const first = await sendCampaignEmail(deps, aRequest(customerId));
    expect(first.outcome).toBe('unknown');
    expect(await claimOf(customerId)).toMatchObject({ status: 'unknown', unknownAt: clock.toISOString(), leaseUntil: later(LEASE_SECONDS).getTime() });

    // SQS redelivers at once (SES healthy again): the claim is not given back, so no second email.
    ses.faults.set(NO_FAULTS);
    clock = later(5);
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toMatchObject({ outcome: 'busy' });
    const inbox = await inboxOf(address);
    expect(inbox).toHaveLength(1);

    // SES's Send and Delivery events name the claim by their tags: it is sent, with the MessageId SendEmail never returned.
    await recordSesEvents();
    expect(await claimOf(customerId)).toMatchObject({ status: 'sent', messageId: inbox[0]?.messageId, reconciledBy: 'send', deliveredAt: expect.any(String) });
    expect(published.filter((e) => e['detail-type'] === 'EmailSent' && e.detail.customerId === customerId).map((e) => e.detail.messageId)).toEqual([
      inbox[0]?.messageId,
    ]);

    // Even after the lease, a redelivery only finds it sent.
    clock = later(LEASE_SECONDS + 1);
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'duplicate' });
    expect(await inboxOf(address)).toHaveLength(1);
  });

  it('with no SES event (the request was lost), is sent once by the redelivery after the lease', { timeout: 30_000 }, async () => {
    const { customerId, address } = await aSubscriber();
    ses.faults.set(SesFaultsSchema.parse({ dropRate: 1, timeoutDelayMs: CLIENT_TIMEOUT_MS * 4 }));
    expect((await sendCampaignEmail(deps, aRequest(customerId))).outcome).toBe('unknown');
    ses.faults.set(NO_FAULTS);

    clock = later(LEASE_SECONDS - 1);
    expect((await sendCampaignEmail(deps, aRequest(customerId))).outcome).toBe('busy');
    await recordSesEvents();
    expect(await inboxOf(address)).toHaveLength(0);

    clock = later(2);
    const retried = await sendCampaignEmail(deps, aRequest(customerId));
    expect(retried.outcome).toBe('sent');
    const inbox = await inboxOf(address);
    expect(inbox).toHaveLength(1);
    expect(await claimOf(customerId)).toMatchObject({ status: 'sent', messageId: inbox[0]?.messageId, attempts: 1 });
    // Its events arrive on a claim already sent: recorded, nothing sent again.
    await recordSesEvents();
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'duplicate' });
    expect(await inboxOf(address)).toHaveLength(1);
  });

  it('a throttled call (429 TooManyRequestsException) sent nothing: the claim is given back and the retry sends it once', { timeout: 30_000 }, async () => {
    const { customerId, address } = await aSubscriber();
    ses.faults.set(SesFaultsSchema.parse({ throttleRate: 1 }));
    await expect(sendCampaignEmail(deps, aRequest(customerId))).rejects.toBeInstanceOf(SesThrottledError);
    expect(await claimOf(customerId)).toMatchObject({ status: 'claimed', leaseUntil: 0 });
    expect(await inboxOf(address)).toHaveLength(0);
    expect(ses.faults.counts().throttled).toBeGreaterThan(0);

    ses.faults.set(NO_FAULTS);
    expect((await sendCampaignEmail(deps, aRequest(customerId))).outcome).toBe('sent');
    expect(await inboxOf(address)).toHaveLength(1);
  });
});

describe('a worker that died after SES took the email', () => {
  it('leaves a claim past its lease that the SES event of the email marks sent, so the redelivery does not send again', { timeout: 30_000 }, async () => {
    const { customerId, address } = await aSubscriber();
    // What the dead worker left: its claim, lease over, never marked sent — and the email SES accepted.
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...keys.sendClaim(newsletter.id, '2026-12-01T10:00', customerId),
          entityType: 'SEND',
          campaignId: newsletter.id,
          occurrenceId: '2026-12-01T10:00',
          customerId,
          status: 'claimed',
          claimToken: 'dead-worker',
          leaseUntil: clock.getTime() - 1,
          claimedAt: later(-LEASE_SECONDS).toISOString(),
          triggeredAt: '2026-12-01T10:00:00.000Z',
        },
      }),
    );
    await deps.email.send({
      to: address,
      subject: 'News',
      html: '<p>News</p>',
      text: 'News',
      tags: campaignEmailTags({ campaignId: newsletter.id, occurrenceId: '2026-12-01T10:00', customerId, kind: 'marketing' }),
    });

    await recordSesEvents();
    const [email] = await inboxOf(address);
    expect(await claimOf(customerId)).toMatchObject({ status: 'sent', messageId: email?.messageId });
    expect(published.filter((e) => e['detail-type'] === 'EmailSent' && e.detail.customerId === customerId).map((e) => e.detail.locale)).toEqual(['en']);
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'duplicate' });
    expect(await inboxOf(address)).toHaveLength(1);
  });
});

describe('a batch from the send queue', () => {
  it('puts a throttled send back on the queue after a back-off (not a failure that uses up its receives), and reports an unknown one for redelivery', {
    timeout: 30_000,
  }, async () => {
    const throttled = await aSubscriber();
    const unknown = await aSubscriber();
    const requeued: { request: SendRequest; delaySeconds: number | undefined }[] = [];
    const queue = {
      enqueue: async (requests: readonly SendRequest[], delaySeconds?: number) => void requeued.push(...requests.map((request) => ({ request, delaySeconds }))),
    };
    // The fault is decided per recipient: throttle the one, time out the other.
    ses.faults.set(SesFaultsSchema.parse({ throttleRate: 1 }));
    const first = await processSendBatch({ sender: deps, due: { table, queue, now: () => clock } }, [
      { messageId: 'm-throttled', body: JSON.stringify(aRequest(throttled.customerId)) },
    ]);
    ses.faults.set(SesFaultsSchema.parse({ timeoutRate: 1, timeoutDelayMs: CLIENT_TIMEOUT_MS * 4 }));
    const second = await processSendBatch({ sender: deps, due: { table, queue, now: () => clock } }, [
      { messageId: 'm-unknown', body: JSON.stringify(aRequest(unknown.customerId)) },
    ]);

    expect(first).toEqual({ batchItemFailures: [], outcomes: { throttled: 1 } });
    expect(requeued).toHaveLength(1);
    expect(requeued[0]?.request).toMatchObject({ customerId: throttled.customerId, notBefore: expect.any(String) });
    expect(requeued[0]?.delaySeconds).toBeGreaterThanOrEqual(2);
    expect(requeued[0]?.delaySeconds).toBeLessThanOrEqual(10);
    expect(second).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-unknown' }], outcomes: { unknown: 1 } });
  });
});

describe('the SES faults endpoint', () => {
  it('sets faults from JSON and answers 400 naming the field on bad input', async () => {
    const bad = await fetch(`${ses.endpoint}/_local/ses/faults`, { method: 'POST', body: JSON.stringify({ throttleRate: 2 }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ field: 'throttleRate', message: expect.stringContaining('1') })]),
    });

    const good = await fetch(`${ses.endpoint}/_local/ses/faults`, { method: 'POST', body: JSON.stringify({ throttleRate: 0.3, timeoutRate: 0.02, seed: 7 }) });
    expect(good.status).toBe(200);
    expect(ses.faults.settings()).toMatchObject({ throttleRate: 0.3, timeoutRate: 0.02, seed: 7 });
  });
});
