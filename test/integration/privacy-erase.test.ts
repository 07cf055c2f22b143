import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerErased } from '#shared/events/customer-erased.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { topology, type Topology } from '#shared/topology.ts';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { clickConfirm, confirmLinkOf, inbox, recordOrder, send, submitJson, type Reply } from '#test/support/capture-client.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

/** The capture flow plus the privacy API, wired as in shared/topology.ts. */
const privacyTopology: Topology = {
  functions: topology.functions.filter((fn) => ['record-purchase', 'show-form', 'submit-form', 'confirm-email', 'privacy-request'].includes(fn.name)),
  queues: [],
};

let runtime: LocalRuntime;
let table: Table;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    signingKey: TEST_SIGNING_KEY,
    topology: privacyTopology,
    ...onSharedDynamoDb('privacy-erase'),
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    clock: { mode: 'manual' },
    seed: false,
  });
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
});
afterAll(() => runtime.stop());

const ANNA = { email: 'Anna.Privacy@Example.com', name: 'Anna Jónsdóttir-Privacy' };
const FREE_TEXT = ['Tjaldið lak í fyrstu rigningunni', 'Mælt var með ykkur á fjallinu', 'Frænka mín á Akureyri'];
const annaId = customerIdForEmail(ANNA.email, TEST_SIGNING_KEY);

function privacyCall(action: 'export' | 'erase', body: Record<string, unknown>): Promise<Reply> {
  return send(new URL(`/api/privacy/${action}`, runtime.urls.api).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey },
    body: JSON.stringify(body),
  });
}

async function fillFormAndConfirm(order: { token: string }, email: string, answers: Record<string, string | number | boolean | string[]>, fromIp: string) {
  const reply = await submitJson(
    runtime,
    { token: order.token, lang: 'is', email, products: ['TENT-2P'], acceptTerms: true, marketingConsent: true, ...answers },
    { fromIp },
  );
  expect(reply.status).toBe(201);
  const mail = (await inbox(runtime)).filter((m) => m.destination.to.some((to) => to.toLowerCase() === email.toLowerCase()));
  const confirmed = await clickConfirm(confirmLinkOf(mail.at(-1)), { fromIp });
  expect(confirmed.status).toBe(200);
}

async function put(item: Record<string, unknown>) {
  await table.doc.send(new PutCommand({ TableName: table.name, Item: item }));
}

async function wholeTable(): Promise<Record<string, unknown>[]> {
  return (await table.doc.send(new ScanCommand({ TableName: table.name, ConsistentRead: true }))).Items ?? [];
}

async function item(key: { PK: string; SK: string }) {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;
}

let annaForm: { formUrl: string; token: string } = { formUrl: '', token: '' };

const erasedEvents = () => runtime.bus.published.filter((e) => e['detail-type'] === 'CustomerErased').map((e) => CustomerErased.parse(e.detail));

describe('privacy erase, through POST /api/privacy/erase', () => {
  beforeAll(async () => {
    // Bjarni referred Anna; Anna referred Katla. Every item type the table has, for Anna.
    await recordOrder(runtime, { orderId: 'PRIV-B1', customerEmail: 'bjarni@example.com', customerName: 'Bjarni Referrer' });
    const anna = await recordOrder(runtime, { orderId: 'PRIV-A1', customerEmail: ANNA.email, customerName: ANNA.name, total: 249.9 });
    annaForm = anna;
    await recordOrder(runtime, { orderId: 'PRIV-A2', customerEmail: ANNA.email, customerName: ANNA.name, purchasedAt: '2026-11-25T10:00:00Z' });
    await fillFormAndConfirm(
      anna,
      ANNA.email,
      {
        name: ANNA.name,
        satisfaction: 2,
        satisfactionReason: FREE_TEXT[0] ?? '',
        whyChoseUs: FREE_TEXT[1] ?? '',
        heardFrom: 'other',
        heardFromOther: FREE_TEXT[2] ?? '',
        referrerEmail: 'bjarni@example.com',
      },
      '127.0.0.41',
    );
    const katla = await recordOrder(runtime, { orderId: 'PRIV-K1', customerEmail: 'katla@example.com', customerName: 'Katla Referred' });
    await fillFormAndConfirm(katla, 'katla@example.com', { referrerEmail: ANNA.email }, '127.0.0.42');
    await runtime.idle();

    // Written directly: the item types other features write.
    await put({
      ...keys.segmentMembership(annaId, 'rfm-champions'),
      ...keys.segmentMemberIndex('rfm-champions', annaId),
      entityType: 'SEGMENT_MEMBER',
      customerId: annaId,
      enteredAt: '2026-11-26T00:00:00Z',
    });
    await put({ ...keys.emailEvent(annaId, '2026-11-27T09:00:00Z', 'Open', 'msg-1'), entityType: 'EMAIL_EVENT', customerId: annaId, messageId: 'msg-1' });
    await put({
      ...keys.contact(annaId, '2026-11-28T09:00:00Z', 'int-1'),
      entityType: 'CONTACT',
      customerId: annaId,
      note: `${ANNA.name} called about the leaking tent`,
      channel: 'phone',
    });
    await put({ ...keys.interaction('int-1'), entityType: 'INTERACTION', customerId: annaId });
    await put({ ...keys.staffCase('case-1'), entityType: 'CASE', customerId: annaId, customerName: ANNA.name, summary: FREE_TEXT[0] });
    await put({ ...keys.caseByStatus('open', '2026-11-28T09:00:00Z', 'case-1'), entityType: 'CASE_LISTING', customerId: annaId, customerName: ANNA.name });
    await put({ ...keys.caseOfCustomer(annaId, '2026-11-28T09:00:00Z', 'case-1'), entityType: 'CASE_REF', caseId: 'case-1' });
    await put({ PK: `LOOKUP#NAME#${ANNA.name.toLowerCase()}`, SK: `CUST#${annaId}`, entityType: 'LOOKUP', customerId: annaId });
    await put({ ...keys.sendClaim('welcome', 'occ-1', annaId), entityType: 'SEND_CLAIM', customerId: annaId, campaignId: 'welcome', status: 'sent' });
    await put({ ...keys.suppression(annaId), entityType: 'SUPPRESSION', customerId: annaId, reason: 'soft-bounces' });
  });

  it('leaves the address, the name, every free-text answer and the customer id nowhere in the table, and keeps the orders with their totals', async () => {
    const before = JSON.stringify(await wholeTable()).toLowerCase();
    for (const needle of [ANNA.email.toLowerCase(), ANNA.name.toLowerCase(), annaId, ...FREE_TEXT.map((t) => t.toLowerCase())])
      expect(before).toContain(needle);

    const reply = await privacyCall('erase', { email: ANNA.email, confirm: true });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ outcome: 'erased', customerId: annaId });

    const after = await wholeTable();
    const text = JSON.stringify(after).toLowerCase();
    for (const needle of [ANNA.email.toLowerCase(), ANNA.name.toLowerCase(), annaId, ...FREE_TEXT.map((t) => t.toLowerCase())])
      expect(text).not.toContain(needle);

    const order = await item(keys.order('PRIV-A1'));
    expect(order).toMatchObject({ totalMinor: 24990, currency: 'EUR' });
    expect(order?.customerId).toMatch(/^anon_[0-9a-f]{24}$/);
    expect(order).not.toHaveProperty('locale');
    // Both orders still group under one anonymous customer (repeat-purchase reports keep working).
    const grouped = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `CUST#${String(order?.customerId)}` },
      }),
    );
    expect(grouped.Items?.map((o) => o.orderId).sort()).toEqual(['PRIV-A1', 'PRIV-A2']);
    expect(await item(keys.submission('PRIV-A1'))).toBeUndefined();
    expect(await item(keys.profile(annaId))).toBeUndefined();
  });

  it('turns the erased customer’s old form link away, so it cannot put an address back under the anonymous id', async () => {
    expect((await send(annaForm.formUrl, {})).status).toBe(404);
    const resubmitted = await submitJson(
      runtime,
      { token: annaForm.token, lang: 'is', email: 'anna.again@example.com', products: ['TENT-2P'], acceptTerms: true },
      { fromIp: '127.0.0.43' },
    );
    expect(resubmitted.status).toBe(404);
    const text = JSON.stringify(await wholeTable()).toLowerCase();
    expect(text).not.toContain('anna.again@example.com');
  });

  it('keeps the referrer’s count right and the referred customer’s own form, without Anna in either', async () => {
    const bjarniId = customerIdForEmail('bjarni@example.com', TEST_SIGNING_KEY);
    expect(await item(keys.profile(bjarniId))).toMatchObject({ referralCount: 1 });
    const edges = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :r)',
        ExpressionAttributeValues: { ':pk': `CUST#${bjarniId}`, ':r': 'REFERRAL#' },
      }),
    );
    expect(edges.Items?.map((e) => String(e.SK))).toEqual([expect.stringMatching(/^REFERRAL#anon_/)]);
    const katlaForm = await item(keys.submission('PRIV-K1'));
    expect(katlaForm?.answers).toMatchObject({ referrerEmail: '[erased]', products: ['TENT-2P'] });
    expect(await item(keys.profile(customerIdForEmail('katla@example.com', TEST_SIGNING_KEY)))).toMatchObject({ referredBy: expect.stringMatching(/^anon_/) });
  });

  it('publishes CustomerErased once, and a second erase finds nothing and changes nothing', async () => {
    const before = await wholeTable();
    const again = await privacyCall('erase', { email: ANNA.email, confirm: true });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ outcome: 'nothing-found', counts: {}, erasedAt: expect.any(String) });
    expect(await wholeTable()).toEqual(before);
    await runtime.idle();
    expect(erasedEvents()).toEqual([{ customerId: annaId, erasedAt: expect.any(String) }]);
    const tombstones = before.filter((i) => String(i.PK).startsWith('ERASED#'));
    expect(tombstones).toHaveLength(1);
    expect(Object.keys(tombstones[0] ?? {}).sort()).toEqual(['PK', 'SK', 'counts', 'entityType', 'erasedAt', 'eventPublished']);
  });

  it('a purchase after the erasure creates a profile marked erasedBefore and without marketing consent', async () => {
    const order = await recordOrder(runtime, { orderId: 'PRIV-A3', customerEmail: ANNA.email, customerName: ANNA.name });
    expect(order.customerId).toBe(annaId);
    const profile = await item(keys.profile(annaId));
    expect(profile).toMatchObject({ erasedBefore: expect.any(String), orderCount: 1 });
    expect(profile?.marketingConsent).toBeUndefined();
    const consent = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
        ExpressionAttributeValues: { ':pk': `CUST#${annaId}`, ':c': keys.consentEntryPrefix },
      }),
    );
    expect(consent.Items).toEqual([]);
  });

  it('answers 400 with field errors to a bad request and 404 for a person it does not know', async () => {
    const noConfirm = await privacyCall('erase', { email: 'katla@example.com' });
    expect(noConfirm.status).toBe(400);
    expect(JSON.parse(noConfirm.body)).toMatchObject({ error: { issues: [{ field: 'confirm' }] } });
    const both = await privacyCall('erase', { email: 'katla@example.com', customerId: 'c_1', confirm: true });
    expect(both.status).toBe(400);
    expect(JSON.parse(both.body)).toMatchObject({ error: { issues: [{ field: 'email' }] } });
    const badEmail = await privacyCall('export', { email: 'not-an-address' });
    expect(badEmail.status).toBe(400);
    expect((await privacyCall('export', { email: 'nobody@example.com' })).status).toBe(404);
    expect((await privacyCall('erase', { customerId: 'c_000000000000000000000000', confirm: true })).status).toBe(404);
    expect(await item(keys.profile(customerIdForEmail('katla@example.com', TEST_SIGNING_KEY)))).toBeDefined();
  });
});
