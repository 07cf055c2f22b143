import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/table/keys.ts';
import { runWithTableAccess, TableAccessDeniedError, type TableAccess } from '#shared/table/table-access.ts';
import type { Table } from '#shared/table/table-client.ts';
import { topology } from '#shared/topology.ts';
import { createTestTable } from '#test/support/test-table.ts';

/**
 * The local half of least privilege: a handler invoked by the local runtime runs under its topology declaration,
 * and a DynamoDB call outside it fails as IAM would fail it in AWS — on a real client against DynamoDB Local.
 */
function declared(name: string): TableAccess {
  const access = topology.functions.find((fn) => fn.name === name)?.access.table;
  if (!access) throw new Error(`${name} declares no table access`);
  return access;
}

let table: Table;
beforeAll(async () => {
  table = await createTestTable('access');
  await table.doc.send(new PutCommand({ TableName: table.name, Item: { ...keys.profile('c_1'), email: 'a@example.com' } }));
  await table.doc.send(new PutCommand({ TableName: table.name, Item: { ...keys.order('o_1'), customerId: 'c_1' } }));
});

describe('the unsubscribe function, as the local runtime invokes it', () => {
  const asUnsubscribe = <T>(work: () => Promise<T>) => runWithTableAccess('unsubscribe', declared('unsubscribe'), work);

  it('reads and updates the profile it needs', async () => {
    const profile = await asUnsubscribe(() => table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile('c_1') })));
    expect(profile.Item?.email).toBe('a@example.com');
    await asUnsubscribe(() =>
      table.doc.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keys.profile('c_1'),
          UpdateExpression: 'SET marketingConsent = :w',
          ExpressionAttributeValues: { ':w': 'withdrawn' },
        }),
      ),
    );
    const after = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile('c_1') }));
    expect(after.Item?.marketingConsent).toBe('withdrawn');
  });

  it('cannot read an order, query another partition or scan the table', async () => {
    await expect(asUnsubscribe(() => table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order('o_1') })))).rejects.toThrow(
      TableAccessDeniedError,
    );
    await expect(
      asUnsubscribe(() =>
        table.doc.send(
          new QueryCommand({ TableName: table.name, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.order('o_1').PK } }),
        ),
      ),
    ).rejects.toThrow(/outside CUST#/);
    await expect(asUnsubscribe(() => table.doc.send(new ScanCommand({ TableName: table.name })))).rejects.toThrow(/may not scan/);
  });

  it('cannot rewrite a consent ledger entry, only append one', async () => {
    const entry = keys.consentEntry('c_1', '2026-12-01T10:00:00.000Z', 'form#o_1');
    await asUnsubscribe(() =>
      table.doc.send(new PutCommand({ TableName: table.name, Item: { ...entry, kind: 'given' }, ConditionExpression: 'attribute_not_exists(PK)' })),
    );
    await expect(
      asUnsubscribe(() =>
        table.doc.send(
          new UpdateCommand({ TableName: table.name, Key: entry, UpdateExpression: 'SET kind = :k', ExpressionAttributeValues: { ':k': 'withdrawn' } }),
        ),
      ),
    ).rejects.toThrow(/only append to the consent ledger/);
    const stored = await table.doc.send(new GetCommand({ TableName: table.name, Key: entry }));
    expect(stored.Item?.kind).toBe('given');
  });
});

it('checks nothing outside a local invocation (in Lambda, IAM does)', async () => {
  const order = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order('o_1') }));
  expect(order.Item?.customerId).toBe('c_1');
});
