/**
 * Issue 12 part 5 against DynamoDB Local: form answers kept over time (latest non-empty wins on the profile),
 * referrals credited before the referrer had a profile, `loyal` needing a recent purchase, and the contact fields
 * (last contact, open cases) that segment predicates read — through the real writers and the segmenter.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerSetOf, foldAnswers, storedAnswerOf, PROFILE_ANSWER_FIELDS, type AnswerSubmission } from '#shared/capture/answer-history.ts';
import { writeAnswersToProfile } from '#shared/capture/profile-answers.ts';
import type { Answers } from '#shared/capture/submission-record.ts';
import { closeCase } from '#shared/cases/case-actions.ts';
import { loadCustomerView } from '#shared/console/customer-view.ts';
import { createEventBridgeClient, type EventBus } from '#shared/events/publish-events.ts';
import { importOrderFile } from '#shared/imports/import-orders.ts';
import { recordInteraction } from '#shared/interactions/record-interaction.ts';
import { creditReferral } from '#shared/profiles/referral-count.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { recordPurchase } from '#shared/purchases/record-purchase.ts';
import { runSegmenter } from '#shared/segments/run-segmenter.ts';
import { SegmentsConfigSchema } from '#shared/segments/segment-config.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aLineItem, aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-09-30T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

let table: Table;
let endpoint: PutEventsEndpoint;
let bus: EventBus;
let dir: string;

beforeAll(async () => {
  table = await createTestTable('answers');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  bus = { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' };
  dir = await mkdtemp(join(tmpdir(), 'kinship-answers-'));
});
afterAll(async () => {
  await endpoint.stop();
  await rm(dir, { recursive: true, force: true });
});

async function buy(email: string, orderId: string, at: Date, now = NOW) {
  return recordPurchase(
    { table, bus, config: aShopConfig(), signingKey: TEST_SIGNING_KEY, publicBaseUrl: 'http://localhost:3000', now: () => now },
    aPurchase({ orderId, customerEmail: email, purchasedAt: at.toISOString(), items: [aLineItem({ category: 'tents', price: 50, quantity: 1 })], total: 50 }),
  );
}

async function profileItem(customerId: string) {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ConsistentRead: true }))).Item;
}

async function partition(customerId: string, prefix: string) {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
      ExpressionAttributeValues: { ':pk': `CUST#${customerId}`, ':p': prefix },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

const answersWith = (overrides: Partial<Answers>): Answers => ({ products: [], interests: [], ...overrides });

async function membersAfterRun(config = SegmentsConfigSchema.parse({}), runId = `run-${Math.random()}`): Promise<Map<string, string[]>> {
  await runSegmenter({ table, bus, config, currency: 'EUR' }, { now: NOW, runId });
  const out = new Map<string, string[]>();
  for (const customerId of trackedCustomers)
    out.set(customerId, (await partition(customerId, keys.segmentMembershipPrefix)).map((item) => String(item.segment)).sort());
  return out;
}
const trackedCustomers = new Set<string>();

describe('form answers over time', () => {
  const email = 'history@example.com';
  const customerId = customerIdForEmail(email, TEST_SIGNING_KEY);

  it('keeps every submission and lets a later form with empty answers keep the earlier ones on the profile', async () => {
    await buy(email, 'H-1', daysAgo(60));
    await buy(email, 'H-2', daysAgo(20));
    await buy(email, 'H-3', daysAgo(10));
    await writeAnswersToProfile(table, TEST_SIGNING_KEY, {
      customerId,
      orderId: 'H-1',
      at: daysAgo(59).toISOString(),
      answers: answersWith({ heardFrom: 'social', ageBand: '25-34', whyChoseUs: 'The tents', interests: ['tents'], satisfaction: 5, country: 'IS' }),
    });
    await writeAnswersToProfile(table, TEST_SIGNING_KEY, {
      customerId,
      orderId: 'H-3',
      at: daysAgo(9).toISOString(),
      answers: answersWith({ satisfaction: 3, whyChoseUs: '', interests: [] }),
    });
    // An older submission (the second order's form) that lands last: it fills what is missing, replaces nothing newer.
    await writeAnswersToProfile(table, TEST_SIGNING_KEY, {
      customerId,
      orderId: 'H-2',
      at: daysAgo(19).toISOString(),
      answers: answersWith({ heardFrom: 'friend', satisfaction: 1, size: 'household-2' }),
    });

    const history = await partition(customerId, keys.answerHistoryPrefix);
    expect(history.map((item) => item.orderId)).toEqual(['H-1', 'H-2', 'H-3']);
    const item = await profileItem(customerId);
    const onProfile = Object.fromEntries(
      PROFILE_ANSWER_FIELDS.flatMap((field) => {
        const stored = storedAnswerOf(item?.[`ans#${field}`]);
        return stored ? [[field, stored]] : [];
      }),
    );
    const submissions: AnswerSubmission[] = history.map((h) => ({
      orderId: String(h.orderId),
      submittedAt: String(h.submittedAt),
      answers: answerSetOf(h.answers),
    }));
    expect(onProfile).toEqual(foldAnswers(submissions));
    expect(onProfile).toMatchObject({
      heardFrom: { value: 'friend', orderId: 'H-2' },
      whyChoseUs: { value: 'The tents', orderId: 'H-1' },
      interests: { value: ['tents'] },
      satisfaction: { value: 3, orderId: 'H-3' },
      size: { value: 'household-2' },
    });
    expect(profileFromItem(item ?? {}).answers).toEqual({ heardFrom: 'friend', ageBand: '25-34', whyChoseUs: 'The tents', interests: ['tents'] });
  });

  it('shows every submission on the customer page, newest first', async () => {
    const view = await loadCustomerView(table, customerId);
    expect(view?.answers.map((a) => [a.orderId, a.satisfaction, a.whyChoseUs])).toEqual([
      ['H-3', 3, undefined],
      ['H-2', 1, undefined],
      ['H-1', 5, 'The tents'],
    ]);
  });
});

describe('a referral credited before the referrer had a profile', () => {
  it('counts once the referrer buys, exactly once, and puts them in referrers', async () => {
    const referrerId = customerIdForEmail('late-referrer@example.com', TEST_SIGNING_KEY);
    await buy('referred-1@example.com', 'R-1', daysAgo(5));
    expect(
      await creditReferral(table, {
        referrerId,
        referredId: customerIdForEmail('referred-1@example.com', TEST_SIGNING_KEY),
        orderId: 'R-1',
        at: daysAgo(4).toISOString(),
      }),
    ).toBe(true);
    expect(await profileItem(referrerId)).toBeUndefined();
    expect((await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.pendingReferrer(referrerId), ConsistentRead: true }))).Item).toBeDefined();

    await buy('late-referrer@example.com', 'R-2', daysAgo(2));
    expect(profileFromItem((await profileItem(referrerId)) ?? {}).referralCount).toBe(1);
    // The listing is settled (and left to the table's TTL), so later profile writes and imports skip it.
    expect((await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.pendingReferrer(referrerId), ConsistentRead: true }))).Item).toMatchObject({
      settledAt: expect.any(String),
      expiresAt: expect.any(Number),
    });

    // The same referral again (a second confirm click), and another order: still one.
    expect(
      await creditReferral(table, {
        referrerId,
        referredId: customerIdForEmail('referred-1@example.com', TEST_SIGNING_KEY),
        orderId: 'R-1',
        at: daysAgo(4).toISOString(),
      }),
    ).toBe(false);
    await buy('late-referrer@example.com', 'R-3', daysAgo(1));
    expect(profileFromItem((await profileItem(referrerId)) ?? {}).referralCount).toBe(1);
    trackedCustomers.add(referrerId);
    expect((await membersAfterRun()).get(referrerId)).toContain('referrers');
  });

  it('counts once an import creates the referrer profile, and a second import of another file adds nothing', async () => {
    const referrerId = customerIdForEmail('imported-referrer@example.com', TEST_SIGNING_KEY);
    await creditReferral(table, {
      referrerId,
      referredId: customerIdForEmail('referred-2@example.com', TEST_SIGNING_KEY),
      orderId: 'R-9',
      at: daysAgo(30).toISOString(),
    });
    await creditReferral(table, {
      referrerId,
      referredId: customerIdForEmail('referred-3@example.com', TEST_SIGNING_KEY),
      orderId: 'R-10',
      at: daysAgo(29).toISOString(),
    });
    const header = 'order_id,order_date,email,sku,product_name,category,qty,unit_price,country,currency,customer_name';
    const file = join(dir, 'referrer.csv');
    await writeFile(file, [header, `IMP-1,${daysAgo(100).toISOString()},imported-referrer@example.com,TENT,Tent,tents,1,99.00,IS,EUR,Ref`].join('\n'));
    const request = { file, csv: { decimalComma: false, dateFormat: 'ISO' as const, columnMap: {} } };
    await importOrderFile({ table, config: aShopConfig(), signingKey: TEST_SIGNING_KEY, now: () => NOW, concurrency: 2 }, request);
    expect(profileFromItem((await profileItem(referrerId)) ?? {}).referralCount).toBe(2);
    const second = join(dir, 'referrer-2.csv');
    await writeFile(second, [header, `IMP-2,${daysAgo(50).toISOString()},imported-referrer@example.com,TENT,Tent,tents,1,99.00,IS,EUR,Ref`].join('\n'));
    await importOrderFile({ table, config: aShopConfig(), signingKey: TEST_SIGNING_KEY, now: () => NOW, concurrency: 2 }, { ...request, file: second });
    expect(profileFromItem((await profileItem(referrerId)) ?? {}).referralCount).toBe(2);
  });
});

describe('loyal needs a recent purchase', () => {
  it('a customer of two years with many orders but none in the last 90 days is lapsed and not loyal; one who bought last month is loyal', async () => {
    const lapsed = customerIdForEmail('lapsed-regular@example.com', TEST_SIGNING_KEY);
    const active = customerIdForEmail('active-regular@example.com', TEST_SIGNING_KEY);
    for (const [i, days] of [700, 600, 500, 400, 300, 200].entries()) {
      await buy('lapsed-regular@example.com', `LR-${i}`, daysAgo(days));
      await buy('active-regular@example.com', `AR-${i}`, daysAgo(days));
    }
    await buy('active-regular@example.com', 'AR-recent', daysAgo(30));
    trackedCustomers.add(lapsed);
    trackedCustomers.add(active);
    const members = await membersAfterRun();
    expect(members.get(lapsed)).toContain('lapsed');
    expect(members.get(lapsed)).not.toContain('loyal');
    expect(members.get(active)).toContain('loyal');
    expect(members.get(active)).not.toContain('lapsed');
  });
});

describe('contact fields on the profile', () => {
  it('keeps the last contact and the open cases as contacts are recorded and cases close, for segments to use', async () => {
    const email = 'contacted@example.com';
    const customerId = customerIdForEmail(email, TEST_SIGNING_KEY);
    await buy(email, 'C-1', daysAgo(40));
    let clock = daysAgo(3);
    const deps = { table, bus, now: () => clock, openCaseAtOrBelow: 2, signingKey: TEST_SIGNING_KEY };
    const contact = { customerEmail: email, channel: 'phone', reason: 'delivery', outcome: 'follow-up', staffId: 'staff-1' } as const;
    const unhappy = await recordInteraction(deps, { ...contact, interactionId: 'int-1', satisfied: 2 });
    // A replay of the same interaction opens no second case and counts nothing twice.
    await recordInteraction(deps, { ...contact, interactionId: 'int-1', satisfied: 2 });
    clock = daysAgo(1);
    await recordInteraction(deps, { ...contact, interactionId: 'int-2', satisfied: 1 });
    let profile = profileFromItem((await profileItem(customerId)) ?? {});
    expect(profile.lastContactAt).toBe(daysAgo(1).toISOString());
    expect(profile.openCases).toBe(2);

    const config = SegmentsConfigSchema.parse({
      custom: [
        { id: 'has-open-case', name: 'Has an open case', where: { field: 'openCases', gte: 1 } },
        { id: 'contacted-this-week', name: 'Contacted this week', where: { field: 'lastContactAt', withinDays: 7 } },
      ],
    });
    trackedCustomers.add(customerId);
    expect((await membersAfterRun(config)).get(customerId)).toEqual(expect.arrayContaining(['has-open-case', 'contacted-this-week']));

    const caseId = unhappy.caseId ?? '';
    clock = NOW;
    await closeCase(deps, caseId, { whatWentWrong: 'late', howHandled: 'refunded shipping', resolved: true, needsPolicyChange: false, closedBy: 'staff-1' });
    profile = profileFromItem((await profileItem(customerId)) ?? {});
    expect(profile.openCases).toBe(1);
    // An older contact recorded late does not move the last contact back.
    clock = daysAgo(20);
    await recordInteraction(deps, { ...contact, interactionId: 'int-0', satisfied: 4 });
    expect(profileFromItem((await profileItem(customerId)) ?? {}).lastContactAt).toBe(daysAgo(1).toISOString());
  });

  it('closing a case opened before cases were counted leaves openCases alone (it never went below what was added)', async () => {
    const email = 'legacy-case@example.com';
    const customerId = customerIdForEmail(email, TEST_SIGNING_KEY);
    await buy(email, 'LC-1', daysAgo(40));
    const legacy = {
      caseId: 'cs_legacy',
      customerId,
      status: 'open',
      source: 'interaction',
      sourceRef: 'int-legacy',
      reason: 'delivery',
      satisfied: 1,
      openedAt: daysAgo(5).toISOString(),
      needsPolicyChange: false,
      escalations: [],
    };
    await table.doc.send(new PutCommand({ TableName: table.name, Item: { ...keys.staffCase('cs_legacy'), entityType: 'CASE', ...legacy } }));
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...keys.caseByStatus('open', legacy.openedAt, 'cs_legacy'),
          entityType: 'CASE_ENTRY',
          caseId: 'cs_legacy',
          customerId,
          status: 'open',
          reason: 'delivery',
          openedAt: legacy.openedAt,
          needsPolicyChange: false,
          escalations: [],
        },
      }),
    );
    await closeCase({ table, bus, now: () => NOW }, 'cs_legacy', {
      whatWentWrong: 'late',
      howHandled: 'called back',
      resolved: true,
      needsPolicyChange: false,
      closedBy: 'staff-1',
    });
    const item = await profileItem(customerId);
    expect(item?.openCases).toBeUndefined();
    expect(profileFromItem(item ?? {}).openCases).toBe(0);
  });
});
