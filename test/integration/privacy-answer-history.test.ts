/** The answer history (ANSWERS# items) and the waiting-referral listing (REFPENDING) under export, erase and retention. */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAnswersToProfile } from '#shared/capture/profile-answers.ts';
import { createEventBridgeClient, type EventBus } from '#shared/events/publish-events.ts';
import { collectPerson } from '#shared/privacy/collect-person.ts';
import { erasePerson } from '#shared/privacy/erase-person.ts';
import { buildExport } from '#shared/privacy/export-document.ts';
import { PrivacyConfigSchema } from '#shared/privacy/privacy-config.ts';
import { sweepRetention } from '#shared/privacy/sweep-retention.ts';
import { creditReferral } from '#shared/profiles/referral-count.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const config = PrivacyConfigSchema.parse({ retention: { freeTextAnswersMonths: 24, contactsNotesMonths: 36 } });
let table: Table;
let endpoint: PutEventsEndpoint;
let bus: EventBus;

beforeAll(async () => {
  table = await createTestTable('privacy-history');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  bus = { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' };
});
afterAll(() => endpoint.stop());

async function history(customerId: string) {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
      ExpressionAttributeValues: { ':pk': `CUST#${customerId}`, ':p': keys.answerHistoryPrefix },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

const freeText = { satisfactionReason: 'The zip broke', whyChoseUs: 'Near my home', heardFromOther: 'My aunt Sigga' };

describe('the answer history under the privacy rules', () => {
  it('the retention sweep blanks free text in history entries older than the limit and keeps the rest', async () => {
    const customerId = 'c_retention';
    await writeAnswersToProfile(table, TEST_SIGNING_KEY, {
      customerId,
      orderId: 'OLD',
      at: '2024-10-01T00:00:00.000Z',
      answers: { products: [], interests: ['tents'], satisfaction: 2, heardFrom: 'other', ...freeText },
    });
    await writeAnswersToProfile(table, TEST_SIGNING_KEY, {
      customerId,
      orderId: 'NEW',
      at: '2025-08-01T00:00:00.000Z',
      answers: { products: [], interests: [], satisfaction: 4, ...freeText },
    });
    const summary = await sweepRetention(table, config, NOW);
    expect(summary.historyCleared).toBe(1);
    const [old, recent] = await history(customerId);
    expect(old?.answers).toEqual({ interests: ['tents'], satisfaction: 2, heardFrom: 'other' });
    expect(recent?.answers).toMatchObject(freeText);
    expect((await sweepRetention(table, config, NOW)).historyCleared).toBe(0);
  });

  it('exports the history and the waiting referral under their own kinds, and an erasure deletes both', async () => {
    const email = 'history-privacy@example.com';
    const customerId = customerIdForEmail(email, TEST_SIGNING_KEY);
    await table.doc.send(
      new PutCommand({ TableName: table.name, Item: { ...keys.profile(customerId), entityType: 'PROFILE', customerId, email, orderCount: 1 } }),
    );
    await writeAnswersToProfile(table, TEST_SIGNING_KEY, {
      customerId,
      orderId: 'P-1',
      at: '2026-11-01T00:00:00.000Z',
      answers: { products: [], interests: [], name: 'Sigga', ...freeText },
    });
    // Someone not yet a customer was named as referrer by this person: the listing is about them, not about this person.
    const friendId = customerIdForEmail('not-yet-customer@example.com', TEST_SIGNING_KEY);
    await creditReferral(table, { referrerId: friendId, referredId: customerId, orderId: 'P-1', at: '2026-11-02T00:00:00.000Z' });

    const person = await collectPerson(table, { email }, TEST_SIGNING_KEY);
    const doc = buildExport(person, NOW.toISOString());
    const historyKind = doc.kinds.find((k) => k.kind === 'answer-history');
    expect(historyKind?.title).toBe('Form answers over time');
    expect(historyKind?.items).toEqual([expect.objectContaining({ orderId: 'P-1', answers: expect.objectContaining({ whyChoseUs: 'Near my home' }) })]);

    const friend = await collectPerson(table, { customerId: friendId }, TEST_SIGNING_KEY);
    expect(friend.items.map((i) => i.kind)).toEqual(expect.arrayContaining(['referral-made', 'referral-pending']));

    await erasePerson({ table, bus, config, signingKey: TEST_SIGNING_KEY, now: () => NOW }, { email });
    expect(await history(customerId)).toEqual([]);
    await erasePerson({ table, bus, config, signingKey: TEST_SIGNING_KEY, now: () => NOW }, { customerId: friendId });
    expect((await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.pendingReferrer(friendId), ConsistentRead: true }))).Item).toBeUndefined();
  });
});
