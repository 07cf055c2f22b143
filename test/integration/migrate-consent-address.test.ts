import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { consentAddressOf } from '#shared/capture/consent.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { runCli } from '#test/support/run-cli.ts';
import { createTestTable } from '#test/support/test-table.ts';

let table: Table & { endpoint: string };

async function profile(customerId: string): Promise<Record<string, unknown> | undefined> {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ConsistentRead: true }))).Item;
}

async function putProfile(customerId: string, fields: Record<string, unknown>): Promise<void> {
  await table.doc.send(new PutCommand({ TableName: table.name, Item: { ...keys.profile(customerId), entityType: 'PROFILE', customerId, ...fields } }));
}

const migrate = () => runCli(['migrate', 'consent-address', '--endpoint', table.endpoint, '--table', table.name], {});

beforeAll(async () => {
  table = await createTestTable('migrate-consent-address');
  // Consented before consent had an address: the sender skips it until the migration runs.
  await putProfile('c_legacy', { confirmedEmail: 'legacy@example.com', marketingConsent: 'granted' });
  // Already tied to another address (a later confirmation): the migration must not touch it.
  await putProfile('c_current', {
    confirmedEmail: 'new@example.com',
    marketingConsent: 'granted',
    marketingConsentAddress: consentAddressOf('old@example.com'),
  });
  await putProfile('c_withdrawn', { confirmedEmail: 'gone@example.com', marketingConsent: 'withdrawn' });
  await putProfile('c_unconfirmed', { marketingConsent: 'granted' });
});

describe('npx kinship migrate consent-address', () => {
  it('gives a profile that consented before consent had an address its confirmed address, and nothing else', async () => {
    const run = await migrate();
    expect(run.code).toBe(0);
    expect(run.out).toContain('1 profiles had consent without its address, 1 updated');
    expect(await profile('c_legacy')).toMatchObject({ marketingConsentAddress: consentAddressOf('legacy@example.com') });
    expect(await profile('c_current')).toMatchObject({ marketingConsentAddress: consentAddressOf('old@example.com') });
    expect(await profile('c_withdrawn')).not.toHaveProperty('marketingConsentAddress');
    expect(await profile('c_unconfirmed')).not.toHaveProperty('marketingConsentAddress');
  });

  it('is safe to run again: it finds nothing left to do', async () => {
    const run = await migrate();
    expect(run.code).toBe(0);
    expect(run.out).toContain('0 profiles had consent without its address, 0 updated');
  });

  it('names the migrations it knows when given another', async () => {
    const run = await runCli(['migrate', 'ids'], {});
    expect(run.code).toBe(2);
    expect(run.err).toContain('unknown migration "ids": use consent-address');
  });
});
