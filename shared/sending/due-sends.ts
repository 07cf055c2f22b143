/**
 * Sends that must wait longer than SQS can hold a message (15 minutes): a trigger's "3 days after", or a
 * night of quiet hours. They wait in the table, bucketed by the hour they fall due, and a dispatcher on a
 * short schedule moves due ones to the send queue. Duplicates are harmless: the sender's claim makes
 * every (campaign, occurrence, customer) one email at most.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { MAX_QUEUE_DELAY_SECONDS, type SendQueue } from '#shared/sending/send-queue.ts';
import { SendRequestSchema, sendRef, type SendRequest } from '#shared/sending/send-request.ts';

export interface DueSendDeps {
  table: Table;
  queue: SendQueue;
  now: () => Date;
}

const CURSOR_KEY = { PK: 'DUE#CURSOR', SK: 'CURSOR' } as const;
const HOUR_MS = 3_600_000;
/** The first dispatch (no cursor yet) looks back this far. */
const FIRST_LOOKBACK_HOURS = 24;

/** `2026-12-03T14` — the hour bucket of an instant (UTC). */
export function hourBucket(at: Date): string {
  return at.toISOString().slice(0, 13);
}

/** Holds a send until `until`: on the queue with a delay when SQS can, else in the table. */
export async function holdUntil(deps: DueSendDeps, request: SendRequest, until: Date): Promise<'queued' | 'stored'> {
  const waiting: SendRequest = { ...request, notBefore: until.toISOString() };
  const seconds = (until.getTime() - deps.now().getTime()) / 1000;
  if (seconds <= MAX_QUEUE_DELAY_SECONDS) {
    await deps.queue.enqueue([waiting], seconds);
    return 'queued';
  }
  await deps.table.doc.send(
    new PutCommand({
      TableName: deps.table.name,
      Item: {
        ...keys.dueSend(hourBucket(until), waiting.notBefore ?? until.toISOString(), sendRef(request)),
        entityType: 'DUE_SEND',
        request: waiting,
        // Kept a week past due at most: the dispatcher runs every few minutes, so anything older is an outage to see in the DLQ, not here.
        expiresAt: Math.floor(until.getTime() / 1000) + 7 * 86_400,
      },
    }),
  );
  return 'stored';
}

/** Moves every stored send that is due to the send queue; returns how many. */
export async function dispatchDueSends(deps: DueSendDeps): Promise<{ dispatched: number; buckets: number }> {
  const now = deps.now();
  const cursor = await deps.table.doc.send(new GetCommand({ TableName: deps.table.name, Key: CURSOR_KEY, ConsistentRead: true }));
  const from = typeof cursor.Item?.hour === 'string' ? Date.parse(`${cursor.Item.hour}:00:00.000Z`) : now.getTime() - FIRST_LOOKBACK_HOURS * HOUR_MS;
  let dispatched = 0;
  let buckets = 0;
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour <= now.getTime(); hour += HOUR_MS) {
    buckets++;
    const bucket = hourBucket(new Date(hour));
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.table.doc.send(
        new QueryCommand({
          TableName: deps.table.name,
          KeyConditionExpression: 'PK = :pk AND SK <= :now',
          ExpressionAttributeValues: { ':pk': keys.dueSendPartition(bucket), ':now': `${now.toISOString()}#~` },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      const items = page.Items ?? [];
      const requests = items.flatMap((item) => {
        const parsed = SendRequestSchema.safeParse(item.request);
        return parsed.success ? [parsed.data] : [];
      });
      await deps.queue.enqueue(requests);
      // Every delete lands (unprocessed ones are sent again): a due send left behind would be queued again next run.
      await batchWriteAll(
        deps.table,
        items.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })),
      );
      dispatched += requests.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  // Buckets before the current hour are drained for good; the current one may still receive sends due later in it.
  await deps.table.doc.send(new PutCommand({ TableName: deps.table.name, Item: { ...CURSOR_KEY, hour: hourBucket(now) } }));
  return { dispatched, buckets };
}
