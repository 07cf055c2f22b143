import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPoolCodes } from '#shared/capture/coupon-pool.ts';
import { ConsentGiven } from '#shared/events/consent-given.ts';
import { IncentiveIssued } from '#shared/events/incentive-issued.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import type { LocalRuntime } from '#local/runtime.ts';
import { aLineItem } from '#test/support/builders.ts';
import { clickConfirm, confirmLinkOf, emailsTo, inbox, recordOrder, send, startCaptureRuntime, submitForm, submitJson } from '#test/support/capture-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

let runtime: LocalRuntime;
let table: Table;

beforeAll(async () => {
  runtime = await startCaptureRuntime(onSharedDynamoDb('capture'));
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
});
afterAll(() => runtime.stop());

const answers = (token: string, email: string) => ({
  token,
  lang: 'is',
  email,
  products: ['TENT-2P'],
  acceptTerms: true,
  marketingConsent: true,
  satisfaction: 2,
  country: 'IS',
});

async function item(key: Record<string, string>) {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;
}

async function consentEntries(customerId: string) {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :consent)',
      ExpressionAttributeValues: { ':pk': `CUST#${customerId}`, ':consent': keys.consentEntryPrefix },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

async function codesOf(orderId: string) {
  const result = await table.doc.send(
    new ScanCommand({
      TableName: table.name,
      FilterExpression: 'entityType = :t AND orderId = :o',
      ExpressionAttributeValues: { ':t': 'INCENTIVE_CODE', ':o': orderId },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

function eventsOf(type: string, orderId: string) {
  return runtime.bus.published.filter((e) => e['detail-type'] === type && JSON.stringify(e.detail).includes(`"orderId":"${orderId}"`));
}

describe('the incentive form, end to end through the local runtime', () => {
  it('answers 201 to a first JSON submission and 200 with the same body to a repeat, sending one opt-in email in the order language', async () => {
    const email = 'flow-json@example.com';
    const order = await recordOrder(runtime, { orderId: 'FLOW-1', customerEmail: email, locale: 'is' });
    const first = await submitJson(runtime, answers(order.token, email), { fromIp: '127.0.0.11' });
    const repeat = await submitJson(runtime, answers(order.token, email), { fromIp: '127.0.0.11' });
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(200);
    expect(JSON.parse(repeat.body)).toEqual(JSON.parse(first.body));
    expect(JSON.parse(first.body)).toMatchObject({ orderId: 'FLOW-1', state: 'awaiting-confirmation', title: 'Takk fyrir! Kíktu í tölvupóstinn þinn' });
    const mail = emailsTo(await inbox(runtime), email);
    expect(mail.map((m) => m.subject)).toEqual(['Norðurljós Outdoor: vinsamlegast staðfestu netfangið þitt']);
    expect(mail[0]?.body.html).toContain('<html lang="is" dir="ltr">');
    await runtime.idle();
    expect(eventsOf('FormSubmitted', 'FLOW-1')).toHaveLength(2);
  });

  it('answers a browser post with a localized right-to-left thank-you page and sends the opt-in in Hebrew', async () => {
    const email = 'flow-browser@example.com';
    const order = await recordOrder(runtime, { orderId: 'FLOW-2', customerEmail: email, locale: 'en' });
    const reply = await submitForm(runtime, { token: order.token, lang: 'he', email, products: 'TENT-2P', acceptTerms: 'on' }, { fromIp: '127.0.0.12' });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toMatch(/^text\/html/);
    expect(reply.body).toContain('<html lang="he" dir="rtl">');
    expect(reply.body).toContain('תודה! נא לבדוק את תיבת הדוא״ל');
    const [optIn] = emailsTo(await inbox(runtime), email);
    expect(optIn?.subject).toBe('\u2068Norðurljós Outdoor\u2069: נא לאשר את כתובת הדוא״ל שלכם');
    expect(optIn?.body.html).toContain('dir="rtl"');
  });

  it('confirms: consent in the ledger and on the profile, one incentive, its email, ConsentGiven and IncentiveIssued', async () => {
    const email = 'flow-confirm@example.com';
    const order = await recordOrder(runtime, { orderId: 'FLOW-3', customerEmail: email, locale: 'is' });
    await submitJson(runtime, { ...answers(order.token, email), satisfactionReason: 'Tjaldið lak' }, { fromIp: '127.0.0.13' });
    const page = await clickConfirm(confirmLinkOf(emailsTo(await inbox(runtime), email)[0]), { fromIp: '127.0.0.13' });
    await runtime.idle();

    expect(page.status).toBe(200);
    expect(page.body).toContain('Netfangið þitt er staðfest');
    const incentive = await item(keys.incentive('FLOW-3'));
    expect(incentive).toMatchObject({ type: 'warranty', rule: 'tents', months: 12, coversSkus: ['TENT-2P'] });
    expect(page.body).toContain(String(incentive?.code));

    const ledger = await consentEntries(order.customerId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ kind: 'given', source: 'form', orderId: 'FLOW-3', marketingEmail: true, incentiveTerms: true, locale: 'is', email });
    expect(ledger[0]?.wordingVersion).toMatch(/^is-[0-9a-f]{12}$/);
    expect(ledger[0]?.ipHash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(ledger[0])).not.toContain('127.0.0.13');

    const profileItem = await item(keys.profile(order.customerId));
    expect(profileItem).toMatchObject({
      marketingConsent: 'granted',
      confirmedEmail: email,
      'ans#satisfactionReason': { value: 'Tjaldið lak', source: 'form', orderId: 'FLOW-3' },
    });
    expect(profileFromItem(profileItem ?? {})).toMatchObject({ country: 'IS', latestSatisfaction: { score: 2, source: 'form' } });

    const mail = emailsTo(await inbox(runtime), email);
    expect(mail.map((m) => m.subject)).toEqual(['Norðurljós Outdoor: vinsamlegast staðfestu netfangið þitt', 'Norðurljós Outdoor: umbunin þín']);
    expect(mail[1]?.body.text).toContain(String(incentive?.code));
    expect(eventsOf('ConsentGiven', 'FLOW-3').map((e) => ConsentGiven.parse(e.detail))).toMatchObject([
      { customerId: order.customerId, marketingEmail: true, locale: 'is' },
    ]);
    expect(eventsOf('IncentiveIssued', 'FLOW-3').map((e) => IncentiveIssued.parse(e.detail))).toMatchObject([{ type: 'warranty', rule: 'tents', months: 12 }]);
  });

  it('issues exactly one incentive and one incentive email for 100 concurrent confirm clicks', async () => {
    const email = 'flow-race@example.com';
    const order = await recordOrder(runtime, {
      orderId: 'FLOW-4',
      customerEmail: email,
      locale: 'da',
      items: [aLineItem({ sku: 'PACK-40', name: 'Backpack 40 l', category: 'backpacks', price: 120 })],
      total: 120,
    });
    await submitJson(runtime, { ...answers(order.token, email), lang: 'da', products: ['PACK-40'] }, { fromIp: '127.0.0.14' });
    const link = confirmLinkOf(emailsTo(await inbox(runtime), email)[0]);

    const pages = await Promise.all(Array.from({ length: 100 }, () => clickConfirm(link)));
    await runtime.idle();

    expect(pages.map((p) => p.status)).toEqual(Array.from({ length: 100 }, () => 200));
    const incentive = await item(keys.incentive('FLOW-4'));
    expect(incentive).toMatchObject({ type: 'coupon', rule: 'backpacks', percent: 15, codeSource: 'generated' });
    expect(String(incentive?.code)).toMatch(/^PACK-/);
    expect(new Set(pages.map((p) => /class="code"[^>]*>([^<]+)</.exec(p.body)?.[1]))).toEqual(new Set([incentive?.code]));
    expect(await codesOf('FLOW-4')).toHaveLength(1);
    expect(emailsTo(await inbox(runtime), email).map((m) => m.subject)).toEqual([
      'Norðurljós Outdoor: bekræft venligst din e-mailadresse',
      'Norðurljós Outdoor: din belønning',
    ]);
    expect(await consentEntries(order.customerId)).toHaveLength(1);
    expect(eventsOf('IncentiveIssued', 'FLOW-4')).toHaveLength(1);
    expect(eventsOf('ConsentGiven', 'FLOW-4')).toHaveLength(1);
  });

  it('confirms while the coupon pool is empty, then issues a pool code on a later click once codes are loaded', async () => {
    const email = 'flow-pool@example.com';
    const order = await recordOrder(runtime, {
      orderId: 'FLOW-6',
      customerEmail: email,
      locale: 'en',
      items: [aLineItem({ sku: 'BAG-1', name: 'Sleeping bag', category: 'sleeping-bags', price: 90 })],
      total: 90,
    });
    await submitJson(runtime, { ...answers(order.token, email), lang: 'en', products: ['BAG-1'] }, { fromIp: '127.0.0.17' });
    const link = confirmLinkOf(emailsTo(await inbox(runtime), email)[0]);

    const pending = await clickConfirm(link);
    expect(pending.status).toBe(200);
    expect(pending.body).toContain('Your reward is being prepared.');
    expect(await item(keys.incentive('FLOW-6'))).toBeUndefined();
    expect(await consentEntries(order.customerId)).toHaveLength(1);

    expect(await loadPoolCodes(table, 'spring-2026', ['SPRING-0001'])).toEqual({ loaded: 1, skipped: 0 });
    const issued = await clickConfirm(link);
    await runtime.idle();
    expect(issued.body).toContain('SPRING-0001');
    expect(await item(keys.incentive('FLOW-6'))).toMatchObject({ code: 'SPRING-0001', codeSource: 'pool', pool: 'spring-2026', amountMinor: 1500 });
    expect(await item(keys.poolFreeCode('spring-2026', 'SPRING-0001'))).toBeUndefined();
    expect(await item(keys.poolClaimedCode('spring-2026', 'SPRING-0001'))).toMatchObject({ orderId: 'FLOW-6' });
    expect(emailsTo(await inbox(runtime), email).map((m) => m.subject)).toEqual([
      'Norðurljós Outdoor: please confirm your email address',
      'Norðurljós Outdoor: your reward',
    ]);
    expect(await consentEntries(order.customerId)).toHaveLength(1);
  });

  it('starts a new opt-in when the customer corrects the address, and retires the link sent to the old one', async () => {
    const order = await recordOrder(runtime, { orderId: 'FLOW-7', customerEmail: 'typo@exmaple.com', locale: 'is' });
    await submitJson(runtime, answers(order.token, 'typo@exmaple.com'), { fromIp: '127.0.0.18' });
    const oldLink = confirmLinkOf(emailsTo(await inbox(runtime), 'typo@exmaple.com')[0]);
    const corrected = await submitJson(runtime, answers(order.token, 'fixed@example.com'), { fromIp: '127.0.0.18' });
    expect(corrected.status).toBe(200);
    const newLink = confirmLinkOf(emailsTo(await inbox(runtime), 'fixed@example.com')[0]);

    const stale = await clickConfirm(oldLink);
    expect(stale.status).toBe(410);
    expect(stale.body).toContain('Nýr tengill hefur komið í stað þessa');
    expect(await item(keys.incentive('FLOW-7'))).toBeUndefined();
    expect((await clickConfirm(newLink)).status).toBe(200);
    expect((await consentEntries(order.customerId)).map((entry) => entry.email)).toEqual(['fixed@example.com']);
  });

  it('issues nothing more when the customer submits again after confirming', async () => {
    const email = 'flow-confirm@example.com';
    // Replaying the purchase returns its form link again.
    const { token, customerId } = await recordOrder(runtime, { orderId: 'FLOW-3', customerEmail: email, locale: 'is' });
    const before = (await inbox(runtime)).length;
    const reply = await submitJson(runtime, { ...answers(token, email), satisfaction: 5 }, { fromIp: '127.0.0.15' });
    await runtime.idle();

    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ state: 'confirmed', title: 'Takk, svörin þín hafa verið uppfærð' });
    expect(await inbox(runtime)).toHaveLength(before);
    expect(await codesOf('FLOW-3')).toHaveLength(1);
    expect(eventsOf('IncentiveIssued', 'FLOW-3')).toHaveLength(1);
    expect(profileFromItem((await item(keys.profile(customerId))) ?? {}).latestSatisfaction?.score).toBe(5);
  });

  it('stores script in free text as text and escapes it wherever it is shown', async () => {
    const email = 'flow-script@example.com';
    const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const order = await recordOrder(runtime, { orderId: 'FLOW-5', customerEmail: email, locale: 'en' });
    const reply = await submitJson(runtime, { ...answers(order.token, email), lang: 'en', name: hostile, whyChoseUs: hostile }, { fromIp: '127.0.0.16' });
    expect(reply.status).toBe(201);

    const profileItem = await item(keys.profile(order.customerId));
    expect(profileItem?.['ans#whyChoseUs']).toMatchObject({ value: hostile });
    const form = await send(order.formUrl);
    expect(form.status).toBe(200);
    expect(form.body).not.toContain('<script>alert');
    expect(form.body).not.toContain('<img src=x');
    expect(form.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const [optIn] = emailsTo(await inbox(runtime), email);
    expect(optIn?.body.html).not.toContain('<script>alert');
    // The opt-in greets without the name at all: it goes to an address nobody has confirmed yet.
    expect(optIn?.body.text).not.toContain('alert');
  });

  it('credits a referral to the referrer once, with one ReferralCredited addressed to them, however often the link is clicked', async () => {
    const referrer = await recordOrder(runtime, { orderId: 'FLOW-REF-A', customerEmail: 'flow-referrer@example.com', locale: 'is' });
    const email = 'flow-referred@example.com';
    const order = await recordOrder(runtime, { orderId: 'FLOW-REF-B', customerEmail: email, locale: 'is' });
    await submitJson(runtime, { ...answers(order.token, email), referrerEmail: 'Flow-Referrer@example.com' }, { fromIp: '127.0.0.31' });
    const link = confirmLinkOf(emailsTo(await inbox(runtime), email)[0]);
    await Promise.all(Array.from({ length: 5 }, () => clickConfirm(link, { fromIp: '127.0.0.31' })));
    await runtime.idle();
    const credited = runtime.bus.published.filter((e) => e['detail-type'] === 'ReferralCredited' && e.detail.orderId === 'FLOW-REF-B');
    expect(credited.map((e) => e.detail.customerId)).toEqual([referrer.customerId]);
    const profile = profileFromItem((await item(keys.profile(referrer.customerId))) ?? {});
    expect(profile.referralCount).toBe(1);
  });
});
