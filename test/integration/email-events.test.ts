import { readFileSync } from 'node:fs';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { encodeTagValue } from '#shared/measurement/email-tags.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import type { BusEvent } from '#local/put-events-endpoint.ts';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';
import { putSubscriber } from '#test/support/test-table.ts';

/**
 * Delivery events end to end through the local runtime: the real sender sends to SES mailbox simulator addresses,
 * the simulator publishes AWS-shaped `aws.ses` events on the default bus, the real record-email-event records them.
 */
const CAMPAIGN = 'monthly-newsletter';
const Stored = z.object({
  emails: z.array(z.object({ messageId: z.string(), destination: z.object({ to: z.array(z.string()) }), body: z.object({ html: z.string().optional() }) })),
});

let runtime: LocalRuntime;
let table: Table;
let occurrenceSeq = 0;
const noon = (date: Date) => new Date(`${date.toISOString().slice(0, 10)}T12:00:00.000Z`);

beforeAll(async () => {
  runtime = await startLocalRuntime({
    signingKey: TEST_SIGNING_KEY,
    dynamoDbEndpoint: inject('dynamodbEndpoint'),
    tableName: `email-events-${Date.now().toString(36)}`,
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    // Noon: campaign emails wait out quiet hours (21:00–08:00).
    clock: { mode: 'real', now: noon(new Date()) },
    tickSchedules: false,
    busRetryDelaysMs: [50, 100],
  });
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
}, 120_000);

afterAll(() => runtime.stop());

/** A customer who confirmed `address` and agreed to marketing email. */
async function aSubscriber(address: string): Promise<string> {
  const customerId = customerIdForEmail(address, TEST_SIGNING_KEY);
  await putSubscriber(table, customerId, address, { customerName: 'Test' });
  return customerId;
}

/** Queues one newsletter occurrence to these customers and waits until everything that follows has run. */
async function sendNewsletter(customerIds: string[]): Promise<string> {
  const occurrenceId = `2026-12-0${++occurrenceSeq}T10:00`;
  for (const customerId of customerIds)
    runtime.queues.send('send-email', JSON.stringify({ campaignId: CAMPAIGN, occurrenceId, customerId, triggeredAt: runtime.clock.now().toISOString() }));
  await runtime.idle();
  return occurrenceId;
}

async function inboxOf(address: string) {
  const reply = await fetch(new URL('/store', runtime.urls.ses));
  return Stored.parse(await reply.json()).emails.filter((e) => e.destination.to.includes(address));
}

async function item(key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;
}

async function emailEvents(customerId: string): Promise<Record<string, unknown>[]> {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :evt)',
      ExpressionAttributeValues: { ':pk': `CUST#${customerId}`, ':evt': keys.emailEventPrefix },
    }),
  );
  return result.Items ?? [];
}

const publishedOf = (type: string, customerId: string) => runtime.bus.published.filter((e) => e['detail-type'] === type && e.detail.customerId === customerId);
const sesEventsOf = (type: string, messageId: string) =>
  runtime.bus.published.filter(
    (e) =>
      e.source === 'aws.ses' &&
      e['detail-type'] === type &&
      z.object({ mail: z.object({ messageId: z.string() }) }).parse(e.detail).mail.messageId === messageId,
  );

describe('delivery events through the mailbox simulator', () => {
  it('a hard bounce suppresses the address at once, and it is never emailed again', async () => {
    const address = 'bounce+it1@simulator.amazonses.com';
    const customerId = await aSubscriber(address);
    const first = await sendNewsletter([customerId]);
    const [email] = await inboxOf(address);
    expect(email).toBeDefined();

    expect(await item(keys.profile(customerId))).toMatchObject({ suppressedReason: 'bounce', suppressedAt: expect.any(String) });
    expect(await item(keys.suppression(customerId))).toMatchObject({ reason: 'bounce', messageId: email?.messageId });
    expect(await item(keys.sendClaim(CAMPAIGN, first, customerId))).toMatchObject({ status: 'sent', bouncedAt: expect.any(String), bounceType: 'Permanent' });
    expect(await item(keys.campaignStats(CAMPAIGN, first))).toMatchObject({
      entityType: 'CAMPAIGN_STATS',
      campaignId: CAMPAIGN,
      occurrenceId: first,
      sent: 1,
      bounced: 1,
    });
    expect(publishedOf('EmailBounced', customerId).map((e) => e.detail)).toEqual([
      expect.objectContaining({ bounceType: 'Permanent', bounceSubType: 'General', suppressed: true, campaignId: CAMPAIGN, occurrenceId: first }),
    ]);

    const second = await sendNewsletter([customerId]);
    expect(await inboxOf(address)).toHaveLength(1);
    expect(await item(keys.sendClaim(CAMPAIGN, second, customerId))).toBeUndefined();
  });

  it('a complaint suppresses the address, withdraws marketing consent and writes the consent ledger', async () => {
    const address = 'complaint+it2@simulator.amazonses.com';
    const customerId = await aSubscriber(address);
    const occurrenceId = await sendNewsletter([customerId]);

    expect(await item(keys.profile(customerId))).toMatchObject({
      suppressedReason: 'complaint',
      marketingConsent: 'withdrawn',
      marketingConsentSource: 'complaint',
    });
    const ledger = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
        ExpressionAttributeValues: { ':pk': `CUST#${customerId}`, ':c': keys.consentEntryPrefix },
      }),
    );
    expect(ledger.Items).toEqual([expect.objectContaining({ kind: 'withdrawn', source: 'complaint', campaignId: CAMPAIGN, marketingEmail: false })]);
    expect(publishedOf('ConsentWithdrawn', customerId).map((e) => e.detail.source)).toEqual(['complaint']);
    expect(publishedOf('EmailComplained', customerId)).toHaveLength(1);
    expect(await item(keys.campaignStats(CAMPAIGN, occurrenceId))).toMatchObject({ sent: 1, delivered: 1, complained: 1 });
  });

  it('counts a repeated SES event once', async () => {
    const address = 'success+it3@simulator.amazonses.com';
    const customerId = await aSubscriber(address);
    const occurrenceId = await sendNewsletter([customerId]);
    const [email] = await inboxOf(address);
    const [delivered] = sesEventsOf('Email Delivered', email?.messageId ?? '');
    expect(delivered).toBeDefined();
    const day = delivered ? String(z.object({ delivery: z.object({ timestamp: z.string() }) }).parse(delivered.detail).delivery.timestamp).slice(0, 10) : '';
    const dailyBefore = await item(keys.dailyEmailStats(day));

    // SES delivers at least once: the same event again (EventBridge gives a redelivery the same content).
    runtime.bus.publish(
      [delivered, delivered].filter((e): e is BusEvent => e !== undefined),
      'default',
    );
    await runtime.idle();

    expect(await item(keys.campaignStats(CAMPAIGN, occurrenceId))).toMatchObject({ sent: 1, delivered: 1 });
    expect((await item(keys.dailyEmailStats(day)))?.delivered).toBe(dailyBefore?.delivered);
    expect((await emailEvents(customerId)).filter((e) => e.eventType === 'delivery')).toHaveLength(1);
    expect(publishedOf('EmailDelivered', customerId)).toHaveLength(1);
    expect(await item(keys.profile(customerId))).toMatchObject({ lastEmailDelivered: { campaignId: CAMPAIGN, occurrenceId, messageId: email?.messageId } });
  });

  it('an open pixel and a tracked click produce OPEN and CLICK and update the profile', async () => {
    const address = 'success+it4@simulator.amazonses.com';
    const customerId = await aSubscriber(address);
    const occurrenceId = await sendNewsletter([customerId]);
    const html = (await inboxOf(address))[0]?.body.html ?? '';
    const click = /href="([^"]*\/_t\/click\/[^"]+)"/.exec(html)?.[1] ?? '';
    const pixel = /src="([^"]*\/_t\/open\/[^"]+\.gif)"/.exec(html)?.[1] ?? '';
    expect(click).not.toBe('');
    expect(pixel).not.toBe('');

    const opened = await fetch(pixel);
    expect(opened.headers.get('content-type')).toBe('image/gif');
    const redirect = await fetch(click, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toMatch(/^https?:\/\//);
    const forged = await fetch(
      click.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      { redirect: 'manual' },
    );
    expect(forged.status).toBe(404);
    await runtime.idle();

    const profile = await item(keys.profile(customerId));
    expect(profile).toMatchObject({ lastEmailOpened: { campaignId: CAMPAIGN, occurrenceId }, lastEmailClicked: { campaignId: CAMPAIGN, occurrenceId } });
    expect(await item(keys.campaignStats(CAMPAIGN, occurrenceId))).toMatchObject({ opened: 1, opens: 1, clicked: 1, clicks: 1 });
    expect(await item(keys.sendClaim(CAMPAIGN, occurrenceId, customerId))).toMatchObject({
      firstOpenedAt: expect.any(String),
      firstClickedAt: expect.any(String),
    });
    const link = (await emailEvents(customerId)).find((e) => e.eventType === 'click')?.link;
    expect(link).toBe(redirect.headers.get('location')?.replace(/[?#].*$/, ''));
    expect(publishedOf('EmailOpened', customerId)).toHaveLength(1);
    expect(publishedOf('EmailClicked', customerId)).toHaveLength(1);
  });

  it('suppresses after three soft bounces in a row; a delivery in between resets the streak', async () => {
    const customerId = await aSubscriber('soft-bouncer@example.com');
    const bounce: unknown = JSON.parse(readFileSync('test/fixtures/ses-events/bounce-transient.json', 'utf8'));
    const delivery: unknown = JSON.parse(readFileSync('test/fixtures/ses-events/delivery.json', 'utf8'));
    let n = 0;
    const as = (fixture: unknown, path: 'bounce' | 'delivery'): BusEvent => {
      const event = z.looseObject({ detail: z.looseObject({ mail: z.looseObject({ tags: z.record(z.string(), z.array(z.string())) }) }) }).parse(fixture);
      const at = new Date(Date.UTC(2026, 10, 5, 10, ++n)).toISOString();
      const detail = {
        ...event.detail,
        mail: {
          ...event.detail.mail,
          messageId: `soft-${n}`,
          tags: { ...event.detail.mail.tags, customer: [customerId], occurrence: [encodeTagValue('soft')] },
        },
        [path]: { ...z.looseObject({}).parse(event.detail[path]), timestamp: at },
      };
      return {
        ...z
          .looseObject({
            version: z.literal('0'),
            id: z.string(),
            'detail-type': z.string(),
            source: z.string(),
            account: z.string(),
            time: z.string(),
            region: z.string(),
            resources: z.array(z.string()),
          })
          .parse(event),
        id: `soft-${n}`,
        detail,
      };
    };
    const publish = async (event: BusEvent) => {
      runtime.bus.publish([event], 'default');
      await runtime.idle();
    };

    await publish(as(bounce, 'bounce'));
    await publish(as(bounce, 'bounce'));
    expect(await item(keys.profile(customerId))).toMatchObject({ softBounceStreak: 2 });
    await publish(as(delivery, 'delivery'));
    await publish(as(bounce, 'bounce'));
    await publish(as(bounce, 'bounce'));
    expect(await item(keys.profile(customerId))).not.toHaveProperty('suppressedReason');
    await publish(as(bounce, 'bounce'));
    expect(await item(keys.profile(customerId))).toMatchObject({ softBounceStreak: 3, suppressedReason: 'bounce' });
  });
});
