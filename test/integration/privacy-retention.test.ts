import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrivacyConfigSchema } from '#shared/privacy/privacy-config.ts';
import { sweepRetention } from '#shared/privacy/sweep-retention.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { createTestTable } from '#test/support/test-table.ts';

let table: Table;
beforeAll(async () => {
  table = await createTestTable('retention');
});

const config = PrivacyConfigSchema.parse({ retention: { freeTextAnswersMonths: 24, contactsNotesMonths: 36 } });
const NOW = new Date('2026-12-01T00:00:00Z');

async function put(item: Record<string, unknown>) {
  await table.doc.send(new PutCommand({ TableName: table.name, Item: item }));
}
async function get(key: { PK: string; SK: string }) {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;
}
const answers = { satisfaction: 2, satisfactionReason: 'Lak', whyChoseUs: 'Verðið', heardFromOther: 'Vinur', products: ['TENT-2P'] };

describe('the retention sweep', () => {
  it('blanks free text older than the limit, keeps newer free text and every other answer, and catches up as the clock moves', async () => {
    await put({ ...keys.submission('RET-OLD'), entityType: 'SUBMISSION', customerId: 'c_old', submittedAt: '2024-11-15T00:00:00Z', answers });
    await put({ ...keys.submission('RET-NEW'), entityType: 'SUBMISSION', customerId: 'c_new', submittedAt: '2025-06-01T00:00:00Z', answers });
    await put({
      ...keys.profile('c_old'),
      entityType: 'PROFILE',
      'ans#satisfactionReason': { value: 'Lak', at: '2024-11-15T00:00:00Z' },
      'ans#whyChoseUs': { value: 'Verðið', at: '2025-06-01T00:00:00Z' },
      'ans#satisfaction': { value: 2, at: '2024-11-15T00:00:00Z' },
    });
    await put({ ...keys.contact('c_old', '2023-11-01T00:00:00Z', 'i-old'), entityType: 'CONTACT', note: 'Long call', outcome: 'resolved' });
    await put({ ...keys.contact('c_old', '2024-01-01T00:00:00Z', 'i-new'), entityType: 'CONTACT', note: 'Short call', outcome: 'resolved' });

    const first = await sweepRetention(table, config, NOW);
    expect(first).toMatchObject({ submissionsCleared: 1, profilesCleared: 1, contactsCleared: 1 });
    expect((await get(keys.submission('RET-OLD')))?.answers).toEqual({ satisfaction: 2, products: ['TENT-2P'] });
    expect((await get(keys.submission('RET-NEW')))?.answers).toEqual(answers);
    const profile = await get(keys.profile('c_old'));
    expect(profile).not.toHaveProperty('ans#satisfactionReason');
    expect(profile).toHaveProperty('ans#whyChoseUs');
    expect(profile).toHaveProperty('ans#satisfaction');
    expect(await get(keys.contact('c_old', '2023-11-01T00:00:00Z', 'i-old'))).toMatchObject({ outcome: 'resolved' });
    expect(await get(keys.contact('c_old', '2023-11-01T00:00:00Z', 'i-old'))).not.toHaveProperty('note');
    expect(await get(keys.contact('c_old', '2024-01-01T00:00:00Z', 'i-new'))).toHaveProperty('note', 'Short call');

    // A year later the rest is due; a second sweep at the same time finds nothing more.
    const later = new Date('2027-12-01T00:00:00Z');
    expect(await sweepRetention(table, config, later)).toMatchObject({ submissionsCleared: 1, profilesCleared: 1, contactsCleared: 1 });
    expect((await get(keys.submission('RET-NEW')))?.answers).toEqual({ satisfaction: 2, products: ['TENT-2P'] });
    expect(await sweepRetention(table, config, later)).toMatchObject({ submissionsCleared: 0, profilesCleared: 0, contactsCleared: 0 });
  });
});
