import { describe, expect, it } from 'vitest';
import { describeTableCall, tableAccessViolation, type TableAccess } from '#shared/table/table-access.ts';
import { topology } from '#shared/topology.ts';

const limited: TableAccess = { mode: 'readWrite', keys: ['CUST#', 'STATS#'] };
const readOnly: TableAccess = { mode: 'read', keys: ['ORDER#'] };
const eraser: TableAccess = { mode: 'readWrite', keys: { wholeTable: 'erasure scans' }, deletes: true };

const check = (access: TableAccess, command: string, input: unknown) => tableAccessViolation('fn', access, command, describeTableCall(command, input));

describe('what a DynamoDB call touches', () => {
  it('reads the leading key of single-item calls, plain or marshalled', () => {
    expect(describeTableCall('GetItemCommand', { Key: { PK: 'CUST#c1', SK: 'PROFILE' } }).leadingKeys).toEqual(['CUST#c1']);
    expect(describeTableCall('PutItemCommand', { Item: { PK: { S: 'ORDER#o1' }, SK: { S: 'ORDER' } } })).toMatchObject({
      leadingKeys: ['ORDER#o1'],
      writes: true,
      deletes: false,
    });
    expect(describeTableCall('DeleteItemCommand', { Key: { PK: 'DUE#h', SK: 'x' } })).toMatchObject({ leadingKeys: ['DUE#h'], writes: true, deletes: true });
  });

  it('finds the partition value of a query on the table or an index, through attribute names', () => {
    expect(
      describeTableCall('QueryCommand', {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': 'CUST#c1', ':p': 'SEG#' },
      }).leadingKeys,
    ).toEqual(['CUST#c1']);
    expect(
      describeTableCall('QueryCommand', {
        IndexName: 'GSI2',
        KeyConditionExpression: '#k = :v',
        ExpressionAttributeNames: { '#k': 'GSI2PK' },
        ExpressionAttributeValues: { ':v': { S: 'SEG#gold#03' } },
      }).leadingKeys,
    ).toEqual(['SEG#gold#03']);
    // A query naming no partition value of its index is refused rather than let through.
    expect(check(limited, 'QueryCommand', { IndexName: 'GSI2', KeyConditionExpression: 'PK = :v', ExpressionAttributeValues: { ':v': 'CUST#c1' } })).toMatch(
      /outside/,
    );
  });

  it('lists every key of batches and transactions, and notices their deletes', () => {
    const batch = describeTableCall('BatchWriteItemCommand', {
      RequestItems: { t: [{ PutRequest: { Item: { PK: 'CUST#a', SK: 'X' } } }, { DeleteRequest: { Key: { PK: 'STATS#b', SK: 'Y' } } }] },
    });
    expect(batch).toMatchObject({ leadingKeys: ['CUST#a', 'STATS#b'], writes: true, deletes: true });
    const transaction = describeTableCall('TransactWriteItemsCommand', {
      TransactItems: [
        { Put: { Item: { PK: 'CUST#a', SK: 'X' } } },
        { Update: { Key: { PK: 'ORDER#o', SK: 'ORDER' } } },
        { ConditionCheck: { Key: { PK: 'RATE#r', SK: 'W' } } },
      ],
    });
    expect(transaction).toMatchObject({ leadingKeys: ['CUST#a', 'ORDER#o', 'RATE#r'], writes: true, deletes: false });
    expect(
      describeTableCall('BatchGetItemCommand', {
        RequestItems: {
          t: {
            Keys: [
              { PK: 'CUST#a', SK: 'P' },
              { PK: 'CUST#b', SK: 'P' },
            ],
          },
        },
      }).leadingKeys,
    ).toEqual(['CUST#a', 'CUST#b']);
  });
});

describe('the declared access', () => {
  it('allows calls inside the declared partitions and refuses one key outside, even inside a transaction', () => {
    expect(check(limited, 'UpdateItemCommand', { Key: { PK: 'CUST#c1', SK: 'PROFILE' } })).toBeUndefined();
    expect(
      check(limited, 'TransactWriteItemsCommand', {
        TransactItems: [{ Update: { Key: { PK: 'CUST#c1', SK: 'PROFILE' } } }, { Put: { Item: { PK: 'ORDER#o1', SK: 'ORDER' } } }],
      }),
    ).toMatch(/touched partition "ORDER#…" outside CUST#, STATS#/);
  });

  it('names the partition kind only, never the id in it (the message may be logged)', () => {
    expect(check(limited, 'GetItemCommand', { Key: { PK: 'ORDER#secret-order-id', SK: 'ORDER' } })).not.toContain('secret-order-id');
  });

  it('refuses writes to a read-only function, deletes to one not declared to delete, and scans to a limited one', () => {
    expect(check(readOnly, 'PutItemCommand', { Item: { PK: 'ORDER#o', SK: 'ORDER' } })).toMatch(/may only read/);
    expect(check(limited, 'DeleteItemCommand', { Key: { PK: 'CUST#c', SK: 'X' } })).toMatch(/may not delete/);
    expect(check(limited, 'BatchWriteItemCommand', { RequestItems: { t: [{ DeleteRequest: { Key: { PK: 'CUST#c', SK: 'X' } } }] } })).toMatch(/may not delete/);
    expect(check(limited, 'ScanCommand', {})).toMatch(/may not scan/);
    expect(check(eraser, 'ScanCommand', {})).toBeUndefined();
  });

  it('keeps the consent ledger append-only: a conditional put passes; an update, an unconditional put or a delete does not', () => {
    const entry = { PK: 'CUST#c1', SK: 'CONSENT#2026-01-01T00:00:00Z#form#o1' };
    expect(check(limited, 'PutItemCommand', { Item: entry, ConditionExpression: 'attribute_not_exists(PK)' })).toBeUndefined();
    expect(check(limited, 'PutItemCommand', { Item: entry })).toMatch(/only append to the consent ledger/);
    expect(check(limited, 'UpdateItemCommand', { Key: entry })).toMatch(/not update/);
    expect(check({ ...limited, deletes: true }, 'DeleteItemCommand', { Key: entry })).toMatch(/not delete/);
    expect(
      check(limited, 'TransactWriteItemsCommand', {
        TransactItems: [{ Put: { Item: entry, ConditionExpression: 'attribute_not_exists(PK)' } }, { Update: { Key: { PK: 'CUST#c1', SK: 'PROFILE' } } }],
      }),
    ).toBeUndefined();
    // An erasure may delete a person's entries (or re-key them), but even it may not edit one.
    expect(check(eraser, 'BatchWriteItemCommand', { RequestItems: { t: [{ DeleteRequest: { Key: entry } }] } })).toBeUndefined();
    expect(check(eraser, 'UpdateItemCommand', { Key: entry })).toMatch(/not update/);
  });
});

describe('the topology declares least-privilege table access', () => {
  const tableAccess = (name: string) => topology.functions.find((fn) => fn.name === name)?.access.table;

  it('gives every function that touches the table a declaration, and a reason to each whole-table one', () => {
    for (const fn of topology.functions) {
      const keys = fn.access.table?.keys;
      if (!keys || !('wholeTable' in keys)) continue;
      expect(keys.wholeTable.length, fn.name).toBeGreaterThan(10);
    }
  });

  it('keeps the public routes to the partitions they need, without scans or (but for claiming pool codes) deletes', () => {
    // The profile and its ledger, the occurrence counters, and the survey answer's idempotency guard: no order, code or incentive.
    expect(tableAccess('unsubscribe')).toEqual({ mode: 'readWrite', keys: ['CUST#', 'STATS#', 'INTERACTION#'] });
    expect(tableAccess('show-form')?.keys).toEqual(['ORDER#', 'CUST#', 'INCENTIVE#']);
    for (const name of ['show-form', 'submit-form', 'confirm-email', 'unsubscribe']) {
      const keys = tableAccess(name)?.keys;
      expect(Array.isArray(keys), name).toBe(true);
      expect(tableAccess(name)?.deletes === true, name).toBe(name === 'confirm-email');
    }
  });
});
