/**
 * Issue 13, item 4: marketing consent belongs to the address it was given for. Confirmations go through the real
 * capture handlers in the local runtime; the sender then runs against the same table.
 */
import { join } from 'node:path';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignSchema } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import type { EmailSender, OutgoingEmail } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { sendCampaignEmail, type SenderDeps } from '#shared/sending/send-campaign-email.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import type { LocalRuntime } from '#local/runtime.ts';
import { clickConfirm, confirmLinkOf, emailsTo, inbox, recordOrder, startCaptureRuntime, submitJson } from '#test/support/capture-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

let runtime: LocalRuntime;
let table: Table;
let deps: SenderDeps;
/** Runs once, just before the sender's next claim transaction: a change racing the sender. */
let raceBeforeClaim: (() => Promise<unknown>) | undefined;
const sent: OutgoingEmail[] = [];
const recordingSender: EmailSender = {
  send(email) {
    sent.push(email);
    return Promise.resolve({ messageId: `msg-${sent.length}` });
  },
};
const newsletter = CampaignSchema.parse({
  id: 'monthly-newsletter',
  kind: 'newsletter',
  audience: { include: ['all-customers'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});

beforeAll(async () => {
  runtime = await startCaptureRuntime(onSharedDynamoDb('capture'));
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
  const senderDoc = createDocumentClient(runtime.urls.dynamodb);
  senderDoc.middlewareStack.add(
    (next, context) => async (args) => {
      const race = raceBeforeClaim;
      if (race && /^TransactWrite/.test(String(context.commandName))) {
        raceBeforeClaim = undefined;
        await race();
      }
      return next(args);
    },
    { step: 'initialize', name: 'raceBeforeClaim' },
  );
  deps = {
    table: { doc: senderDoc, name: runtime.tableName },
    bus: { client: createEventBridgeClient(runtime.urls.events), name: 'kinship' },
    email: recordingSender,
    templates: new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['monthly-newsletter'], 'en'),
    campaigns: new Map([[newsletter.id, newsletter]]),
    policy: { frequencyCap: { maxEmails: 5, perDays: 7 }, quietHours: undefined, shopTimeZone: 'UTC' },
    shop: { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' },
    publicBaseUrl: 'https://shop.example',
    signingKey: 'consent-test-key',
    now: () => new Date(),
  };
});
afterAll(() => runtime.stop());

async function profile(customerId: string) {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ConsistentRead: true }))).Item ?? {};
}

/** Submits the form of a new order of `customerEmail` with `address`, returning the confirm link sent to it. */
async function optIn(orderId: string, customerEmail: string, address: string, marketingConsent: boolean, fromIp: string) {
  const order = await recordOrder(runtime, { orderId, customerEmail, locale: 'en' });
  const reply = await submitJson(
    runtime,
    { token: order.token, lang: 'en', email: address, products: ['TENT-2P'], acceptTerms: true, marketingConsent },
    { fromIp },
  );
  expect(reply.status).toBe(201);
  return { customerId: order.customerId, link: confirmLinkOf(emailsTo(await inbox(runtime), address).at(-1)) };
}

const sendNewsletter = (customerId: string, occurrenceId: string) =>
  sendCampaignEmail(deps, { campaignId: 'monthly-newsletter', occurrenceId, customerId, triggeredAt: new Date().toISOString() });

describe('item 4: marketing consent belongs to the address it was given for', () => {
  it('sends to the confirmed address that gave consent, and records that address with the consent', async () => {
    const { customerId, link } = await optIn('CONS-1', 'cons-one@example.com', 'cons-one@example.com', true, '127.0.2.11');
    expect((await clickConfirm(link)).status).toBe(200);
    expect(await profile(customerId)).toMatchObject({
      marketingConsent: 'granted',
      confirmedEmail: 'cons-one@example.com',
      marketingConsentAddress: consentAddressOf('cons-one@example.com'),
    });
    expect(await sendNewsletter(customerId, 'occ-1')).toMatchObject({ outcome: 'sent' });
    expect(sent.at(-1)?.to).toBe('cons-one@example.com');
  });

  it('sends no marketing to a newly confirmed address that never consented, though the old address had', async () => {
    const first = await optIn('CONS-2A', 'cons-two@example.com', 'cons-two@example.com', true, '127.0.2.12');
    expect((await clickConfirm(first.link)).status).toBe(200);
    const second = await optIn('CONS-2B', 'cons-two@example.com', 'cons-two-new@example.com', false, '127.0.2.12');
    expect((await clickConfirm(second.link)).status).toBe(200);
    expect(await profile(first.customerId)).toMatchObject({ confirmedEmail: 'cons-two-new@example.com', marketingConsent: 'granted' });
    const before = sent.length;
    expect(await sendNewsletter(first.customerId, 'occ-2')).toEqual({ outcome: 'skipped', reason: 'no-consent' });
    expect(sent).toHaveLength(before);
  });

  it('never moves the confirmed address back when an older confirmation link is clicked again', async () => {
    const older = await optIn('CONS-3A', 'cons-three@example.com', 'cons-three@example.com', true, '127.0.2.13');
    expect((await clickConfirm(older.link)).status).toBe(200);
    const newer = await optIn('CONS-3B', 'cons-three@example.com', 'cons-three-new@example.com', true, '127.0.2.13');
    expect((await clickConfirm(newer.link)).status).toBe(200);
    expect((await clickConfirm(older.link)).status).toBe(200);
    expect(await profile(older.customerId)).toMatchObject({
      confirmedEmail: 'cons-three-new@example.com',
      marketingConsentAddress: consentAddressOf('cons-three-new@example.com'),
    });
  });

  it('never moves the address to an older link confirmed for the first time after a newer one', async () => {
    const older = await optIn('CONS-4A', 'cons-four@example.com', 'cons-four-old@example.com', true, '127.0.2.14');
    const newer = await optIn('CONS-4B', 'cons-four@example.com', 'cons-four@example.com', false, '127.0.2.14');
    expect((await clickConfirm(newer.link)).status).toBe(200);
    expect((await clickConfirm(older.link)).status).toBe(200);
    expect(await profile(older.customerId)).toMatchObject({ confirmedEmail: 'cons-four@example.com' });
    expect(await sendNewsletter(older.customerId, 'occ-4')).toEqual({ outcome: 'skipped', reason: 'no-consent' });
  });

  it('refuses the claim when consent moved to another address after the sender read the profile (the claim re-checks it)', async () => {
    const { customerId, link } = await optIn('CONS-5', 'cons-five@example.com', 'cons-five@example.com', true, '127.0.2.15');
    expect((await clickConfirm(link)).status).toBe(200);
    // Between the sender's read and its claim, consent is given for another address (e.g. a racing confirmation).
    raceBeforeClaim = () =>
      table.doc.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keys.profile(customerId),
          UpdateExpression: 'SET marketingConsentAddress = :other',
          ExpressionAttributeValues: { ':other': consentAddressOf('someone-else@example.com') },
        }),
      );
    const before = sent.length;
    const outcome = await sendNewsletter(customerId, 'occ-5');
    expect(raceBeforeClaim).toBeUndefined();
    expect(outcome).toEqual({ outcome: 'skipped', reason: 'no-consent' });
    expect(sent).toHaveLength(before);
  });
});
