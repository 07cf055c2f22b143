import { describe, expect, it } from 'vitest';
import { RemainingAfterRetriesError } from '#shared/runtime/retry.ts';
import { batchGetAll } from '#shared/table/batch-get.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { scriptedTable } from '#test/support/scripted-table.ts';

const put = (n: number) => ({ PutRequest: { Item: { PK: `P#${n}`, SK: 'X', n } } });
const key = (n: number) => ({ PK: `P#${n}`, SK: 'X' });
const noSleep = async () => undefined;

/** The requests a BatchWriteItem call sent to the unit table. */
function requestsOf(input: unknown): unknown[] {
  const items: unknown = Reflect.get(Reflect.get(Object(input), 'RequestItems'), 'unit-table');
  return Array.isArray(items) ? items : [];
}

function keysOf(input: unknown): unknown[] {
  const keys: unknown = Reflect.get(Reflect.get(Reflect.get(Object(input), 'RequestItems'), 'unit-table'), 'Keys');
  return Array.isArray(keys) ? keys : [];
}

describe('batchWriteAll', () => {
  it('sends 25 requests per call', async () => {
    const { table, calls } = scriptedTable(() => ({}));
    await batchWriteAll(
      table,
      Array.from({ length: 60 }, (_, n) => put(n)),
    );
    expect(calls.map((call) => call.command)).toEqual(['BatchWriteItemCommand', 'BatchWriteItemCommand', 'BatchWriteItemCommand']);
    expect(calls.map((call) => requestsOf(call.input).length)).toEqual([25, 25, 10]);
  });

  it('sends again exactly the items DynamoDB returned as unprocessed, until none is left', async () => {
    const { table, calls } = scriptedTable((call, index) => {
      // The first call leaves three items over, the second one of those three.
      const sent = requestsOf(call.input);
      if (index === 0) return { UnprocessedItems: { 'unit-table': sent.slice(2, 5) } };
      if (index === 1) return { UnprocessedItems: { 'unit-table': sent.slice(1, 2) } };
      return {};
    });
    const waits: number[] = [];
    await batchWriteAll(
      table,
      Array.from({ length: 10 }, (_, n) => put(n)),
      { sleep: async (ms) => void waits.push(ms), backoff: (attempt) => attempt * 100 },
    );
    expect(calls.map((call) => requestsOf(call.input))).toEqual([Array.from({ length: 10 }, (_, n) => put(n)), [put(2), put(3), put(4)], [put(3)]]);
    expect(waits).toEqual([100, 200]);
  });

  it('throws naming how many writes were left once the attempts run out, with the next step', async () => {
    const { table, calls } = scriptedTable((call) => ({ UnprocessedItems: { 'unit-table': requestsOf(call.input).slice(0, 2) } }));
    const writing = batchWriteAll(
      table,
      Array.from({ length: 5 }, (_, n) => put(n)),
      { attempts: 4, sleep: noSleep, nextStep: 're-run the import to continue' },
    );
    await expect(writing).rejects.toThrow(RemainingAfterRetriesError);
    await expect(writing).rejects.toMatchObject({
      remaining: 2,
      attempts: 4,
      message: 'BatchWriteItem left 2 of 5 write(s) unprocessed after 4 attempts (DynamoDB throttled?); re-run the import to continue',
    });
    expect(calls).toHaveLength(4);
  });

  it('makes no call for no requests', async () => {
    const { table, calls } = scriptedTable(() => ({}));
    await batchWriteAll(table, []);
    expect(calls).toEqual([]);
  });
});

describe('batchGetAll', () => {
  it('reads 100 keys per call and asks again for the unprocessed keys, keeping every item found', async () => {
    const { table, calls } = scriptedTable((call, index) => {
      const asked = keysOf(call.input);
      // The first call of the first chunk answers half and leaves the rest unprocessed.
      const answered = index === 0 ? asked.slice(0, 50) : asked;
      return {
        Responses: { 'unit-table': answered },
        ...(index === 0 ? { UnprocessedKeys: { 'unit-table': { Keys: asked.slice(50), ConsistentRead: true } } } : {}),
      };
    });
    const items = await batchGetAll(
      table,
      Array.from({ length: 130 }, (_, n) => key(n)),
      { ConsistentRead: true, ProjectionExpression: 'PK, SK', sleep: noSleep },
    );
    expect(calls.map((call) => keysOf(call.input).length)).toEqual([100, 50, 30]);
    expect(calls[1]?.input).toMatchObject({ RequestItems: { 'unit-table': { ConsistentRead: true, ProjectionExpression: 'PK, SK' } } });
    expect(items.map((item) => item.PK).sort()).toEqual(Array.from({ length: 130 }, (_, n) => `P#${n}`).sort());
  });

  it('throws naming how many keys were left unread once the attempts run out', async () => {
    const { table } = scriptedTable((call) => ({
      Responses: { 'unit-table': [] },
      UnprocessedKeys: { 'unit-table': { Keys: keysOf(call.input).slice(0, 3) } },
    }));
    await expect(batchGetAll(table, [key(1), key(2), key(3), key(4)], { attempts: 3, sleep: noSleep })).rejects.toMatchObject({
      remaining: 3,
      message: 'BatchGetItem left 3 of 4 key(s) unread after 3 attempts (DynamoDB throttled?)',
    });
  });
});
