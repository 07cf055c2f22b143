import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CampaignSchema, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import type { EmailSender, OutgoingEmail } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { sendCampaignBatch, sendCampaignEmail, type SenderDeps } from '#shared/sending/send-campaign-email.ts';
import type { DomainEvent } from '#shared/events/event-definition.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';
import { parseUnsubscribeSubject, verifyUnsubscribeToken } from '#shared/sending/unsubscribe-link.ts';
import { unsubscribe } from '#shared/sending/unsubscribe.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type BusEvent, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createTestTable, putSubscriber } from '#test/support/test-table.ts';

const SIGNING_KEY = 'sender-test-key';
const templatesDir = join(process.cwd(), 'config', 'templates');
const winBack = CampaignSchema.parse({
  id: 'win-back',
  kind: 'triggered',
  trigger: { event: 'SegmentEntered', detail: { segment: ['lapsed'] } },
  exitIf: ['purchased-since-trigger'],
  coupon: { discount: { percent: 15 }, validDays: 30, prefix: 'BACK' },
});
const welcome = CampaignSchema.parse({ id: 'welcome', kind: 'triggered', trigger: { event: 'ConsentGiven' } });
const serviceRecovery = CampaignSchema.parse({
  id: 'service-recovery',
  kind: 'triggered',
  purpose: 'service',
  trigger: { event: 'SegmentEntered', detail: { segment: ['unsatisfied'] } },
  coupon: { discount: { percent: 20 }, validDays: 90, prefix: 'SORRY' },
});
const newsletter = CampaignSchema.parse({
  id: 'monthly-newsletter',
  kind: 'newsletter',
  audience: { include: ['all-customers'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});

let table: Table;
let events: PutEventsEndpoint;
let published: BusEvent[] = [];
let sent: OutgoingEmail[] = [];
let failNextSends = 0;
let clock = new Date('2026-12-03T12:00:00Z');
let deps: SenderDeps;
let customerSeq = 0;

const recordingSender: EmailSender = {
  async send(email) {
    if (failNextSends > 0) {
      failNextSends--;
      throw new Error('SES throttled');
    }
    sent.push(email);
    return { messageId: `msg-${sent.length}` };
  },
};

beforeAll(async () => {
  table = await createTestTable('sender');
  events = await startPutEventsEndpoint({ port: 0, onEvents: (batch) => published.push(...batch) });
  const campaigns = new Map<string, Campaign>([winBack, welcome, newsletter, serviceRecovery].map((c) => [c.id, c]));
  deps = {
    table,
    bus: { client: createEventBridgeClient(events.endpoint), name: 'kinship' },
    email: recordingSender,
    templates: new CampaignTemplates(templatesDir, ['win-back', 'welcome', 'monthly-newsletter', 'service-recovery'], 'en'),
    campaigns,
    policy: { frequencyCap: { maxEmails: 2, perDays: 7 }, quietHours: { start: '21:00', end: '08:00' }, shopTimeZone: 'Atlantic/Reykjavik' },
    shop: { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' },
    publicBaseUrl: 'https://shop.example',
    signingKey: SIGNING_KEY,
    now: () => clock,
  };
});

afterAll(async () => {
  await events.stop();
});

beforeEach(() => {
  sent = [];
  published = [];
  failNextSends = 0;
  clock = new Date('2026-12-03T12:00:00Z');
});

async function aCustomer(overrides: Record<string, unknown> = {}): Promise<string> {
  const customerId = `c_sender${++customerSeq}`;
  await putSubscriber(table, customerId, `sigrun${customerSeq}@example.com`, {
    customerName: 'Sigrún Jónsdóttir',
    locale: 'is',
    orderCount: 2,
    netSpendMinor: 30_000,
    lastPurchaseAt: '2026-06-01T10:00:00.000Z',
    ...overrides,
  });
  return customerId;
}

function aRequest(customerId: string, overrides: Partial<SendRequest> = {}): SendRequest {
  return { campaignId: 'win-back', occurrenceId: 'evt-1', customerId, triggeredAt: '2026-12-01T00:00:00.000Z', ...overrides };
}

async function profileOf(customerId: string): Promise<Record<string, unknown>> {
  const result = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId) }));
  return result.Item ?? {};
}

describe('sendCampaignEmail', () => {
  it('sends a consented customer their localized email with coupon, one-click unsubscribe headers and a record of the send', async () => {
    const customerId = await aCustomer();
    const outcome = await sendCampaignEmail(deps, aRequest(customerId));

    expect(outcome).toEqual({ outcome: 'sent', messageId: 'msg-1' });
    const [email] = sent;
    expect(email?.to).toBe(`sigrun${customerSeq}@example.com`);
    expect(email?.subject).toBe('Við söknum þín — 15% afsláttur af næstu ferð');
    const code = /BACK-[0-9A-Z]{5}-[0-9A-Z]{5}/.exec(email?.text ?? '')?.[0];
    expect(code).toBeDefined();
    const unsubscribe = email?.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    expect(email?.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    const token = new URL(unsubscribe.slice(1, -1)).searchParams.get('token') ?? '';
    expect(verifyUnsubscribeToken(token, SIGNING_KEY, clock)).toMatchObject({ ok: true, claims: { sub: `${customerId}|win-back|marketing|evt-1` } });

    const claim = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.sendClaim('win-back', 'evt-1', customerId) }));
    expect(claim.Item).toMatchObject({ status: 'sent', messageId: 'msg-1', couponCode: code });
    const coupon = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.incentiveCode(code ?? '') }));
    expect(coupon.Item).toMatchObject({ customerId, campaignId: 'win-back', discount: { percent: 15 } });
    expect(await profileOf(customerId)).toMatchObject({ emailsSent: 1, lastEmailCampaign: 'win-back', recentMarketingSends: [clock.toISOString()] });
    expect(published.map((e) => [e['detail-type'], e.detail.customerId, e.detail.messageId])).toEqual([['EmailSent', customerId, 'msg-1']]);
  });

  it('never sends the same (campaign, occurrence, customer) twice, even to 20 concurrent deliveries', async () => {
    const customerId = await aCustomer();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => sendCampaignEmail(deps, aRequest(customerId))));
    expect(sent).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'sent')).toHaveLength(1);
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'duplicate' });
    expect(sent).toHaveLength(1);
    expect(published.filter((e) => e['detail-type'] === 'EmailSent')).toHaveLength(1);
  });

  it('sends once when SES fails and the queue retries', async () => {
    const customerId = await aCustomer();
    failNextSends = 1;
    await expect(sendCampaignEmail(deps, aRequest(customerId))).rejects.toThrow('SES throttled');
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toMatchObject({ outcome: 'sent' });
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'duplicate' });
    expect(sent).toHaveLength(1);
    expect(await profileOf(customerId)).toMatchObject({ emailsSent: 1, recentMarketingSends: [clock.toISOString()] });
  });

  it("makes a retry wait while a killed sender's claim is leased, then sends it exactly once with the same coupon", async () => {
    const customerId = await aCustomer();
    // A sender that claimed the email and died before SES answered.
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...keys.sendClaim('win-back', 'evt-1', customerId),
          status: 'claimed',
          claimToken: 'dead-worker',
          leaseUntil: clock.getTime() + 60_000,
          couponCode: 'BACK-AAAAA-BBBBB',
        },
      }),
    );
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'busy', until: new Date(clock.getTime() + 60_000) });
    expect(sent).toHaveLength(0);

    clock = new Date(clock.getTime() + 61_000);
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toMatchObject({ outcome: 'sent' });
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'duplicate' });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain('BACK-AAAAA-BBBBB');
  });

  it('sends nothing to customers without consent, with a suppressed address, or who withdrew consent', async () => {
    const notGiven = await aCustomer({ marketingConsent: 'not-given' });
    const withdrawn = await aCustomer({ marketingConsent: 'withdrawn' });
    const bounced = await aCustomer({ suppressedReason: 'bounce' });
    expect(await sendCampaignEmail(deps, aRequest(notGiven))).toEqual({ outcome: 'skipped', reason: 'no-consent' });
    expect(await sendCampaignEmail(deps, aRequest(withdrawn))).toEqual({ outcome: 'skipped', reason: 'no-consent' });
    expect(await sendCampaignEmail(deps, aRequest(bounced))).toEqual({ outcome: 'skipped', reason: 'suppressed' });
    expect(sent).toEqual([]);
  });

  it('holds the frequency cap exactly when campaigns race for one customer', async () => {
    const customerId = await aCustomer({ recentMarketingSends: ['2026-12-01T09:00:00.000Z'], sendVersion: 1 });
    const outcomes = await Promise.all([
      sendCampaignEmail(deps, aRequest(customerId, { campaignId: 'welcome', occurrenceId: 'once' })),
      sendCampaignEmail(deps, aRequest(customerId, { campaignId: 'monthly-newsletter', occurrenceId: '2026-12-01T10:00' })),
      sendCampaignEmail(deps, aRequest(customerId)),
    ]);
    expect(sent).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'skipped' && o.reason === 'frequency-cap')).toHaveLength(2);
  });

  it('drops a win-back for a customer who bought after the trigger (exit condition)', async () => {
    const customerId = await aCustomer({ lastPurchaseAt: '2026-12-02T15:00:00.000Z' });
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'exited' });
    expect(sent).toEqual([]);
  });

  it("defers in quiet hours and before a trigger's delay has passed", async () => {
    const customerId = await aCustomer();
    clock = new Date('2026-12-03T22:30:00Z');
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({
      outcome: 'deferred',
      reason: 'quiet-hours',
      until: new Date('2026-12-04T08:00:00Z'),
    });
    clock = new Date('2026-12-03T12:00:00Z');
    expect(await sendCampaignEmail(deps, aRequest(customerId, { notBefore: '2026-12-04T00:00:00.000Z' }))).toEqual({
      outcome: 'deferred',
      reason: 'not-before',
      until: new Date('2026-12-04T00:00:00.000Z'),
    });
    expect(sent).toEqual([]);
  });

  it('sends a batch with one read, one claim transaction and one write, sending the odd cases one at a time', async () => {
    const a = await aCustomer();
    const b = await aCustomer({ marketingConsent: 'not-given' });
    const c = await aCustomer();
    const collected: DomainEvent[] = [];
    const results = await sendCampaignBatch(
      deps,
      [
        aRequest(a),
        aRequest(a), // the same message twice in one batch (SQS at-least-once)
        aRequest(a, { campaignId: 'welcome', occurrenceId: 'once' }), // a second email to the same customer
        aRequest(b),
        aRequest(c),
      ],
      collected,
    );
    expect(results).toEqual([
      { outcome: 'sent', messageId: expect.any(String) },
      { outcome: 'skipped', reason: 'duplicate' },
      { outcome: 'sent', messageId: expect.any(String) },
      { outcome: 'skipped', reason: 'no-consent' },
      { outcome: 'sent', messageId: expect.any(String) },
    ]);
    expect(sent.map((e) => e.to).sort()).toEqual(
      [`sigrun${customerSeq - 2}@example.com`, `sigrun${customerSeq - 2}@example.com`, `sigrun${customerSeq}@example.com`].sort(),
    );
    expect(collected.map((e) => e.detail.customerId).sort()).toEqual([a, a, c].sort());
    const claim = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.sendClaim('win-back', 'evt-1', c) }));
    expect(claim.Item).toMatchObject({ status: 'sent', customerId: c });
    expect(await profileOf(a)).toMatchObject({ emailsSent: 2 });
  });

  it('gives each EmailSent of a batch the correlation id of what caused that email', async () => {
    const a = await aCustomer();
    const c = await aCustomer();
    const collected: DomainEvent[] = [];
    await sendCampaignBatch(deps, [aRequest(a, { correlationId: 'purchase-of-a' }), aRequest(c, { correlationId: 'purchase-of-c' })], collected);
    expect(collected.map((e) => [e.detail.customerId, e.correlationId])).toEqual([
      [a, 'purchase-of-a'],
      [c, 'purchase-of-c'],
    ]);
  });

  it("falls back to one at a time when a concurrent sender cancels the batch's claim transaction, still sending each once", async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => aCustomer()));
    const batch = ids.map((id) => aRequest(id));
    const [first, second] = await Promise.all([sendCampaignBatch(deps, batch, []), sendCampaignBatch(deps, batch, [])]);
    expect(sent).toHaveLength(6);
    const outcomes = [...(first ?? []), ...(second ?? [])].map((r) => (r instanceof Error ? 'error' : r.outcome === 'skipped' ? r.reason : r.outcome));
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(6);
    expect(outcomes.filter((o) => o === 'sent' || o === 'duplicate' || o === 'busy')).toHaveLength(12);
  });

  it("holds quiet hours and recipient-local newsletters by the clock of the customer's own country", async () => {
    const jerusalem = await aCustomer({ country: 'IL' });
    const reykjavik = await aCustomer({ country: 'IS' });
    clock = new Date('2026-12-03T20:30:00Z'); // 22:30 in Jerusalem, 20:30 in Reykjavik
    expect(await sendCampaignEmail(deps, aRequest(jerusalem))).toEqual({ outcome: 'deferred', reason: 'quiet-hours', until: new Date('2026-12-04T06:00:00Z') });
    expect(await sendCampaignEmail(deps, aRequest(reykjavik))).toMatchObject({ outcome: 'sent' });

    const helsinki = await aCustomer({ country: 'FI' });
    const iceland = await aCustomer({ country: 'IS' });
    clock = new Date('2026-12-03T09:30:00Z'); // 11:30 in Helsinki, 09:30 in Reykjavik
    const newsletterAtTen = (customerId: string) =>
      aRequest(customerId, { campaignId: 'monthly-newsletter', occurrenceId: '2026-12-03T08:00', localWallTime: '2026-12-03T10:00' });
    expect(await sendCampaignEmail(deps, newsletterAtTen(helsinki))).toMatchObject({ outcome: 'sent' });
    expect(await sendCampaignEmail(deps, newsletterAtTen(iceland))).toEqual({
      outcome: 'deferred',
      reason: 'local-time',
      until: new Date('2026-12-03T10:00:00Z'),
    });
  });
});

describe('a service message', () => {
  const noConsent = { marketingConsent: undefined, marketingConsentAddress: undefined };
  const serviceRequest = (customerId: string, occurrenceId = 'evt-s1') => aRequest(customerId, { campaignId: 'service-recovery', occurrenceId });

  it('reaches a customer without marketing consent, tagged service, with no one-click header and a stop-all-email footer link', async () => {
    const customerId = await aCustomer(noConsent);
    expect(await sendCampaignEmail(deps, serviceRequest(customerId))).toEqual({ outcome: 'sent', messageId: 'msg-1' });
    const [email] = sent;
    expect(email?.tags).toMatchObject({ kind: 'service', campaign: 'service-recovery' });
    expect(email?.headers ?? []).toEqual([]);
    expect(email?.text).toContain('Til að stöðva allan póst frá okkur, líka þennan:');
    expect(email?.html).toContain('ekki markaðspóstur');
    const link = /https:\/\/shop\.example\/unsubscribe\?token=[^\s"]+/.exec(email?.text ?? '')?.[0] ?? '';
    const check = verifyUnsubscribeToken(new URL(link).searchParams.get('token') ?? '', SIGNING_KEY, clock);
    expect(check.ok && parseUnsubscribeSubject(check.claims.sub)).toEqual({ customerId, campaignId: 'service-recovery', scope: 'all', occurrenceId: 'evt-s1' });
  });

  it('goes out to a customer at the marketing cap and does not use up the cap', async () => {
    const recent = ['2026-12-02T12:00:00.000Z', '2026-12-01T12:00:00.000Z'];
    const customerId = await aCustomer({ recentMarketingSends: recent });
    expect(await sendCampaignEmail(deps, aRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'frequency-cap' });
    expect(await sendCampaignEmail(deps, serviceRequest(customerId))).toMatchObject({ outcome: 'sent' });
    expect(await profileOf(customerId)).toMatchObject({ emailsSent: 1, lastEmailCampaign: 'service-recovery', recentMarketingSends: recent });
  });

  it('never goes to a suppressed address', async () => {
    const customerId = await aCustomer({ ...noConsent, suppressedReason: 'complaint' });
    expect(await sendCampaignEmail(deps, serviceRequest(customerId))).toEqual({ outcome: 'skipped', reason: 'suppressed' });
    expect(sent).toEqual([]);
  });

  it('stops once the customer used its footer link to stop every email (and one-at-a-time and batch paths agree)', async () => {
    const customerId = await aCustomer(noConsent);
    await sendCampaignEmail(deps, serviceRequest(customerId));
    const link = /https:\/\/shop\.example\/unsubscribe\?token=[^\s"]+/.exec(sent[0]?.text ?? '')?.[0] ?? '';
    await unsubscribe(deps, new URL(link).searchParams.get('token') ?? '', 'page');
    expect(await profileOf(customerId)).toMatchObject({ unsubscribedAllAt: clock.toISOString() });
    expect(await sendCampaignEmail(deps, serviceRequest(customerId, 'evt-s2'))).toEqual({ outcome: 'skipped', reason: 'unsubscribed' });
    expect(await sendCampaignBatch(deps, [serviceRequest(customerId, 'evt-s3')], [])).toEqual([{ outcome: 'skipped', reason: 'unsubscribed' }]);
    expect(sent).toHaveLength(1);
  });
});
