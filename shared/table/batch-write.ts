import { BatchWriteCommand, type BatchWriteWriteRequest } from '@aws-sdk/lib-dynamodb';
import { chunk, forEachConcurrent } from '#shared/runtime/concurrency.ts';
import { type Backoff, fullJitter, type RemainingPolicy, retryRemaining } from '#shared/runtime/retry.ts';
import type { Table } from './table-client.ts';

/** BatchWriteItem's limit of requests per call. */
export const BATCH_WRITE_MAX = 25;

export interface BatchRetryOptions {
  /** Calls per chunk, the first included (default 12). */
  attempts?: number;
  /** Wait between calls (default full jitter, 25 ms doubling to at most 2 s). */
  backoff?: Backoff;
  /** Chunks in flight at once (default 1). */
  concurrency?: number;
  /** What the reader of the error should do next, added to its message (e.g. "re-run the import to continue"). */
  nextStep?: string;
  /** For tests: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_BACKOFF = fullJitter(25, 2_000);

/** The retry policy of one batch under `options`; `what` names what was left, e.g. "BatchGetItem left 3 of 100 key(s) unread". */
export function batchRetryPolicy<T>(options: BatchRetryOptions, what: (left: number) => string): RemainingPolicy<T> {
  return {
    attempts: options.attempts ?? 12,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    describe: (left, attempts) => {
      const message = `${what(left.length)} after ${attempts} attempts (DynamoDB throttled?)`;
      return options.nextStep === undefined ? message : `${message}; ${options.nextStep}`;
    },
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
}

/**
 * Writes every put and delete request, 25 per BatchWriteItem, sending again whatever DynamoDB returns as
 * UnprocessedItems (throttling) with backoff. Throws a RemainingAfterRetriesError naming how many writes were left
 * after the last attempt; nothing is dropped silently.
 */
export async function batchWriteAll(table: Table, requests: readonly BatchWriteWriteRequest[], options: BatchRetryOptions = {}): Promise<void> {
  await forEachConcurrent(chunk(requests, BATCH_WRITE_MAX), options.concurrency ?? 1, (batch) =>
    retryRemaining(
      batch,
      async (pending) => {
        const result = await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: [...pending] } }));
        return result.UnprocessedItems?.[table.name] ?? [];
      },
      batchRetryPolicy(options, (left) => `BatchWriteItem left ${left} of ${batch.length} write(s) unprocessed`),
    ),
  );
}
