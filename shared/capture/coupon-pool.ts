import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { normalizePoolCode } from '#shared/capture/incentive-codes.ts';

export interface PoolCodeFile {
  codes: string[];
  /** Lines that are not usable codes, with their 1-based line number. */
  rejects: { line: number; text: string }[];
  duplicates: number;
}

/** Reads a pool file: one code per line; blank lines and `#` comments are skipped; codes are upper-cased and de-duplicated. Pure. */
export function parsePoolCodes(text: string): PoolCodeFile {
  const seen = new Set<string>();
  const rejects: PoolCodeFile['rejects'] = [];
  let duplicates = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const code = normalizePoolCode(line);
    if (code === undefined) rejects.push({ line: index + 1, text: line.slice(0, 80) });
    else if (seen.has(code)) duplicates++;
    else seen.add(code);
  });
  return { codes: [...seen], rejects, duplicates };
}

/** The items one pool code becomes: a FREE# item, written only if the code is neither loaded nor already claimed. */
export function poolCodeWrite(tableName: string, pool: string, code: string, loadedAt: string) {
  return {
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.poolFreeCode(pool, code), entityType: 'POOL_CODE', pool, code, loadedAt },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { ConditionCheck: { TableName: tableName, Key: keys.poolClaimedCode(pool, code), ConditionExpression: 'attribute_not_exists(PK)' } },
    ],
  };
}

/**
 * Loads codes into a pool. Idempotent: a code already in the pool (free or claimed) is skipped, so re-running a
 * load never hands a used code out again. `onProgress` reports after each code for a CLI progress bar.
 */
export async function loadPoolCodes(
  table: Table,
  pool: string,
  codes: readonly string[],
  options: { now?: Date; concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<{ loaded: number; skipped: number }> {
  const loadedAt = (options.now ?? new Date()).toISOString();
  let loaded = 0;
  let skipped = 0;
  let next = 0;
  const worker = async () => {
    while (next < codes.length) {
      const code = codes[next++];
      if (code === undefined) break;
      try {
        await table.doc.send(new TransactWriteCommand(poolCodeWrite(table.name, pool, code, loadedAt)));
        loaded++;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || !error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) throw error;
        skipped++;
      }
      options.onProgress?.(loaded + skipped);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return { loaded, skipped };
}

/** A few free codes of a pool (the issuer picks one at random, so concurrent orders rarely collide on the same code). */
export async function freePoolCodes(table: Table, pool: string, limit = 25): Promise<string[]> {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :free)',
      ExpressionAttributeValues: { ':pk': keys.poolPartition(pool), ':free': 'FREE#' },
      ProjectionExpression: 'code',
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (result.Items ?? []).flatMap((item) => (typeof item.code === 'string' ? [item.code] : []));
}
