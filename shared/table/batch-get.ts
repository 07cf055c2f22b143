import { BatchGetCommand, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { chunk, forEachConcurrent } from '#shared/runtime/concurrency.ts';
import { retryRemaining } from '#shared/runtime/retry.ts';
import { type BatchRetryOptions, batchRetryPolicy } from './batch-write.ts';
import type { Table } from './table-client.ts';

/** BatchGetItem's limit of keys per call. */
export const BATCH_GET_MAX = 100;

type Key = Record<string, NativeAttributeValue>;
type Item = Record<string, NativeAttributeValue>;

export interface BatchGetOptions extends BatchRetryOptions {
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ConsistentRead?: boolean;
}

/**
 * Reads the items of `keys`, 100 per BatchGetItem, asking again for whatever DynamoDB returns as UnprocessedKeys
 * (throttling) with backoff; items that do not exist are simply absent. Throws a RemainingAfterRetriesError naming
 * how many keys were left unread after the last attempt.
 */
export async function batchGetAll(table: Table, keys: readonly Key[], options: BatchGetOptions = {}): Promise<Item[]> {
  const { ProjectionExpression, ExpressionAttributeNames, ConsistentRead } = options;
  const shape = {
    ...(ProjectionExpression ? { ProjectionExpression } : {}),
    ...(ExpressionAttributeNames ? { ExpressionAttributeNames } : {}),
    ...(ConsistentRead ? { ConsistentRead } : {}),
  };
  const items: Item[] = [];
  await forEachConcurrent(chunk(keys, BATCH_GET_MAX), options.concurrency ?? 1, (batch) =>
    retryRemaining(
      batch,
      async (pending) => {
        const result = await table.doc.send(new BatchGetCommand({ RequestItems: { [table.name]: { Keys: [...pending], ...shape } } }));
        items.push(...(result.Responses?.[table.name] ?? []));
        return result.UnprocessedKeys?.[table.name]?.Keys ?? [];
      },
      batchRetryPolicy(options, (left) => `BatchGetItem left ${left} of ${batch.length} key(s) unread`),
    ),
  );
  return items;
}
