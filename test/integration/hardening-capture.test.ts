/**
 * Issue 13, the capture path's hardening (items 1–3, 5 and 11): each test names one attack or abuse and shows the
 * flow refusing it, through the real handlers in the local runtime (DynamoDB Local + SES emulator).
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmUrlFor } from '#shared/capture/signed-links.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import type { LocalRuntime } from '#local/runtime.ts';
import { aLineItem } from '#test/support/builders.ts';
import { clickConfirm, confirmLinkOf, emailsTo, inbox, recordOrder, send, startCaptureRuntime, submitForm, submitJson } from '#test/support/capture-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

const SIGNING_KEY = 'hardening-test-key';
let runtime: LocalRuntime;
let table: Table;

beforeAll(async () => {
  runtime = await startCaptureRuntime({ ...onSharedDynamoDb('capture'), signingKey: SIGNING_KEY });
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
});
afterAll(() => runtime.stop());

const answers = (token: string, email: string) => ({
  token,
  lang: 'en',
  email,
  products: ['TENT-2P'],
  acceptTerms: true,
  marketingConsent: true,
  satisfaction: 4,
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

/** Records an order, submits the form for `email` and returns the order and the confirm link from the opt-in email. */
async function submitted(orderId: string, email: string, fromIp: string, overrides: Parameters<typeof recordOrder>[1] = {}) {
  const order = await recordOrder(runtime, { orderId, customerEmail: email, locale: 'en', ...overrides });
  const reply = await submitJson(runtime, answers(order.token, email), { fromIp });
  expect(reply.status).toBe(201);
  return { order, link: confirmLinkOf(emailsTo(await inbox(runtime), email).at(-1)) };
}

describe('item 3: GET /confirm changes nothing; only the page button (POST) confirms', () => {
  it('answers a GET (a link scanner) with a localized page holding one POST button, and records no consent and no incentive', async () => {
    const { order, link } = await submitted('HARD-3A', 'hard-scan@example.com', '127.0.1.31');
    const page = await send(`${link}&lang=is`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="is" dir="ltr">');
    expect(page.body).toMatch(/<form method="post" action="\?token=[^"]+"[^>]*>/);
    expect(page.body).toMatch(/<button type="submit">[^<]+<\/button>/);
    expect(await item(keys.incentive('HARD-3A'))).toBeUndefined();
    expect(await consentEntries(order.customerId)).toHaveLength(0);
    expect(await item(keys.submission('HARD-3A'))).not.toHaveProperty('optInConfirmedAt');
    expect(emailsTo(await inbox(runtime), 'hard-scan@example.com')).toHaveLength(1);

    const clicked = await clickConfirm(link, { fromIp: '127.0.1.31' });
    expect(clicked.status).toBe(200);
    expect(await item(keys.incentive('HARD-3A'))).toMatchObject({ orderId: 'HARD-3A' });
    expect(await consentEntries(order.customerId)).toHaveLength(1);
  });

  it('shows the confirm page right to left in Hebrew', async () => {
    const { link } = await submitted('HARD-3B', 'hard-rtl@example.com', '127.0.1.32');
    const page = await send(`${link}&lang=he`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="he" dir="rtl">');
  });

  it('answers a GET with a forged token with the 404 page, as before', async () => {
    const page = await send(new URL('/confirm?token=WyJjb25maXJtIiwiQkFELTEiLDE5MDAwMDAwMDBd.AAAA', runtime.urls.api).toString());
    expect(page.status).toBe(404);
  });
});

describe('item 5: a refund gets no form link and no incentive', () => {
  const refund = { items: [aLineItem({ sku: 'TENT-2P', price: -249.9 })], total: -249.9 };

  it('answers a refund with 201 and formUrl null, and 200 with the same body on a replay', async () => {
    const body = JSON.stringify({
      orderId: 'HARD-5A',
      customerEmail: 'hard-refund@example.com',
      items: refund.items,
      total: refund.total,
      currency: 'EUR',
      purchasedAt: '2026-11-20T10:00:00.000Z',
    });
    const post = () =>
      send(new URL('/api/purchases', runtime.urls.api).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey },
        body,
      });
    const first = await post();
    const replay = await post();
    expect(first.status).toBe(201);
    expect(JSON.parse(first.body)).toMatchObject({ orderId: 'HARD-5A', formUrl: null });
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.body)).toEqual(JSON.parse(first.body));
  });

  it('refuses a form token minted for a refund order: no form, no submission, no opt-in email', async () => {
    const token = await refundFormToken('HARD-5B', 'hard-refund-form@example.com');
    const form = await send(new URL(`/form/${token}`, runtime.urls.api).toString());
    expect(form.status).toBe(404);
    const reply = await submitJson(runtime, answers(token, 'hard-refund-form@example.com'), { fromIp: '127.0.1.51' });
    expect(reply.status).toBe(404);
    expect(await item(keys.submission('HARD-5B'))).toBeUndefined();
    expect(emailsTo(await inbox(runtime), 'hard-refund-form@example.com')).toHaveLength(0);
  });

  /** A refund order with a valid form token, as a token minted before this fix (or leaked from a log) would be. */
  async function refundFormToken(orderId: string, email: string): Promise<string> {
    const order = await recordOrder(runtime, { orderId, customerEmail: email });
    const stored = await item(keys.order(orderId));
    await table.doc.send(new PutCommand({ TableName: table.name, Item: { ...stored, kind: 'refund' } }));
    return order.token;
  }
});

describe('item 1: a form link cannot move a confirmed submission, and a coupon is shown only to the confirmed address', () => {
  it('refuses a new address on a confirmed submission (422 on the email field) and sends no opt-in to it', async () => {
    const { order, link } = await submitted('HARD-1A', 'hard-owner@example.com', '127.0.1.11');
    expect((await clickConfirm(link, { fromIp: '127.0.1.11' })).status).toBe(200);

    const hijack = await submitJson(runtime, answers(order.token, 'hard-thief@example.com'), { fromIp: '127.0.1.11' });
    expect(hijack.status).toBe(422);
    expect(JSON.parse(hijack.body)).toMatchObject({ error: { issues: [{ field: 'email' }] } });
    expect(emailsTo(await inbox(runtime), 'hard-thief@example.com')).toHaveLength(0);
    expect(await item(keys.submission('HARD-1A'))).toMatchObject({ optInEmail: 'hard-owner@example.com', email: 'hard-owner@example.com' });

    const same = await submitJson(runtime, { ...answers(order.token, 'hard-owner@example.com'), satisfaction: 2 }, { fromIp: '127.0.1.11' });
    expect(same.status).toBe(200);
  });

  it('does not show the issued code on the confirm page of an address other than the one it was issued to', async () => {
    const { link } = await submitted('HARD-1B', 'hard-first@example.com', '127.0.1.12');
    const first = await clickConfirm(link, { fromIp: '127.0.1.12' });
    const incentive = await item(keys.incentive('HARD-1B'));
    expect(first.body).toContain(String(incentive?.code));

    // A submission moved to another address before this fix (the stored state an old form link could leave behind).
    const stored = await item(keys.submission('HARD-1B'));
    const movedExp = Number(stored?.optInTokenExp) + 1;
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...stored,
          email: 'hard-other@example.com',
          optInEmail: 'hard-other@example.com',
          optInTokenExp: movedExp,
          optInConfirmedAt: undefined,
          optInConsentAt: undefined,
        },
      }),
    );
    const otherLink = new URL(link);
    otherLink.searchParams.set('token', confirmTokenFor('HARD-1B', movedExp));
    const other = await clickConfirm(otherLink.toString(), { fromIp: '127.0.1.12' });
    expect(other.status).toBe(200);
    expect(other.body).not.toContain(String(incentive?.code));
  });

  it('does not print the address or name on file into the form page', async () => {
    const email = 'hard-private@example.com';
    const order = await recordOrder(runtime, { orderId: 'HARD-1C', customerEmail: email, customerName: 'Guðrún Privatsdóttir' });
    await submitJson(runtime, { ...answers(order.token, email), name: 'Guðrún Privatsdóttir', postcode: '101' }, { fromIp: '127.0.1.13' });
    const form = await send(order.formUrl);
    expect(form.status).toBe(200);
    expect(form.body).not.toContain(email);
    expect(form.body).not.toContain('Privatsdóttir');
    expect(form.body).toContain('h•••@example.com');

    // A mistake elsewhere shows the form again: still masked, the address still not required.
    const again = await submitForm(
      runtime,
      { token: order.token, lang: 'en', email: '', products: 'TENT-2P', acceptTerms: 'on', satisfaction: '9' },
      { fromIp: '127.0.1.13' },
    );
    expect(again.status).toBe(400);
    expect(again.body).not.toContain(email);
    expect(again.body).toMatch(
      /<input type="email" id="f-email" name="email" data-field="email" value="" placeholder="h•••@example\.com"(?![^>]*required)[^>]*>/,
    );

    // Submitting the page as shown (personal fields left empty) keeps what is on file.
    const kept = await submitForm(
      runtime,
      { token: order.token, lang: 'en', email: '', name: '', products: 'TENT-2P', acceptTerms: 'on', satisfaction: '5' },
      { fromIp: '127.0.1.13' },
    );
    expect(kept.status).toBe(200);
    expect(await item(keys.submission('HARD-1C'))).toMatchObject({ email, answers: { name: 'Guðrún Privatsdóttir', satisfaction: 5 } });
  });
});

describe('item 2: opt-in emails are capped and do not print the free-text name', () => {
  it('prints no name from the form in the opt-in email', async () => {
    const email = 'hard-name@example.com';
    const order = await recordOrder(runtime, { orderId: 'HARD-2A', customerEmail: email });
    await submitJson(runtime, { ...answers(order.token, email), name: 'Buy cheap pills at spam.example' }, { fromIp: '127.0.1.21' });
    const [optIn] = emailsTo(await inbox(runtime), email);
    expect(optIn?.body.text).not.toContain('spam.example');
    expect(optIn?.body.html).not.toContain('spam.example');
  });

  it('sends at most 3 opt-in emails for one order, however often the address changes', async () => {
    const order = await recordOrder(runtime, { orderId: 'HARD-2B', customerEmail: 'hard-cap0@example.com' });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await submitJson(runtime, answers(order.token, `hard-cap${i}@example.com`), { fromIp: '127.0.1.22' })).status);
    expect(statuses).toEqual([201, 200, 200, 422, 422]);
    const sent = (await inbox(runtime)).filter((m) => /^hard-cap\d@example\.com$/.test(m.destination.to[0] ?? ''));
    expect(sent).toHaveLength(3);
  });

  it('sends at most 3 opt-in emails a day to one recipient, across orders', async () => {
    const victim = 'hard-victim@example.com';
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const order = await recordOrder(runtime, { orderId: `HARD-2C-${i}`, customerEmail: `hard-buyer${i}@example.com` });
      statuses.push((await submitJson(runtime, answers(order.token, victim), { fromIp: `127.0.1.${40 + i}` })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(emailsTo(await inbox(runtime), victim)).toHaveLength(3);
  });
});

describe('item 11: the local server answers only to its own host names', () => {
  it.each(['localhost', 'localhost:3000', '127.0.0.1', '[::1]:8080'])('serves Host: %s', async (host) => {
    const reply = await send(new URL('/form/x', runtime.urls.api).toString(), { headers: { host } });
    expect(reply.status).toBe(404);
  });

  it.each(['evil.example', 'evil.example:3000', 'localhost.evil.example', '127.0.0.1.nip.io'])('refuses Host: %s with 421 (DNS rebinding)', async (host) => {
    const reply = await send(new URL('/api/purchases', runtime.urls.api).toString(), {
      method: 'POST',
      headers: { host, 'x-api-key': runtime.apiKey, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(reply.status).toBe(421);
    expect(reply.body).toContain('localhost');
  });
});

function confirmTokenFor(orderId: string, exp: number): string {
  return new URL(confirmUrlFor('http://localhost', SIGNING_KEY, orderId, exp)).searchParams.get('token') ?? '';
}
