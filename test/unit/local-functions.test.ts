import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Topology } from '#shared/topology.ts';
import { createFunctionRegistry, FunctionTimeoutError, type LambdaHandler } from '#local/functions.ts';
import { failedItems } from '#local/queues.ts';

const topology: Topology = {
  functions: [{ name: 'fn', feature: 'test', description: 'test', memoryMb: 128, timeoutSeconds: 2, access: {}, triggers: [] }],
  queues: [],
};
const registryWith = (handler: LambdaHandler) =>
  createFunctionRegistry({ topology, rootDir: '/nowhere', aws: { region: 'eu-west-1', accountId: '000000000000' }, handlers: { fn: handler } });

afterEach(() => {
  vi.useRealTimers();
});

describe('local function invocation', () => {
  it('resolves with an async handler’s result and gives it a Lambda context', async () => {
    const result = await registryWith(async (event, context) => ({ event, name: context.functionName, requestId: context.awsRequestId })).invoke(
      'fn',
      { a: 1 },
      { requestId: 'r-1' },
    );
    expect(result).toEqual({ event: { a: 1 }, name: 'kinship-fn', requestId: 'r-1' });
  });

  it('waits for a callback-style handler’s callback', async () => {
    const handler: LambdaHandler = (_event, _context, callback) => void setImmediate(() => callback(null, 'done'));
    expect(await registryWith(handler).invoke('fn', {})).toBe('done');
  });

  it('ends a synchronous handler without a callback parameter with null, as Lambda does, instead of hanging', async () => {
    expect(await registryWith(() => ({ ignored: true })).invoke('fn', {})).toBeNull();
  });

  it('fails an invocation that runs past the function’s timeout', async () => {
    vi.useFakeTimers();
    const pending = registryWith(() => new Promise(() => undefined)).invoke('fn', {});
    const outcome = expect(pending).rejects.toBeInstanceOf(FunctionTimeoutError);
    await vi.advanceTimersByTimeAsync(2001);
    await outcome;
  });
});

describe('batchItemFailures, as Lambda reads them', () => {
  const batch = new Set(['m1', 'm2']);
  it('treats no response, or an empty list, as all succeeded', () => {
    expect(failedItems(undefined, batch)).toEqual(new Set());
    expect(failedItems({ batchItemFailures: [] }, batch)).toEqual(new Set());
  });

  it('retries exactly the listed messages', () => {
    expect(failedItems({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, batch)).toEqual(new Set(['m2']));
  });

  it('fails the whole batch for an unknown, empty or malformed identifier', () => {
    expect(failedItems({ batchItemFailures: [{ itemIdentifier: 'other' }] }, batch)).toBeUndefined();
    expect(failedItems({ batchItemFailures: [{ itemIdentifier: '' }] }, batch)).toBeUndefined();
    expect(failedItems({ batchItemFailures: 'm1' }, batch)).toBeUndefined();
  });
});
