/**
 * The segmenter's table access: the parallel scan of profiles and memberships, membership writes (with the
 * sparse GSI2 keys) and deletes, run records, and the reads behind `kinship segments list|explain`.
 */
import { type BatchWriteWriteRequest, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { chunk, forEachConcurrent } from '#shared/runtime/concurrency.ts';
import { BATCH_WRITE_MAX, batchWriteAll } from '#shared/table/batch-write.ts';
import { keys, segmentIndexPartition, SEGMENT_INDEX_SHARDS } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import type { SegmentCutoffs } from '#shared/segments/compute-segments.ts';

export interface ScanHandlers {
  onProfile(item: Record<string, unknown>): void;
  onMembership(customerId: string, segment: string): void;
}

export interface ScanStats {
  items: number;
  pages: number;
  /** Read capacity units DynamoDB reported (real DynamoDB; DynamoDB Local reports them too). */
  readUnits: number;
}

const PROFILE_SK = 'PROFILE';

/**
 * Reads every profile and every membership item in one parallel Scan (`segments` workers, 1 MB pages); other
 * items (orders, consent entries) are read and skipped.
 */
export async function scanProfilesAndMemberships(
  table: Table,
  segments: number,
  handlers: ScanHandlers,
  options: { reportCapacity?: boolean } = {},
): Promise<ScanStats> {
  const stats: ScanStats = { items: 0, pages: 0, readUnits: 0 };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await table.doc.send(
          new ScanCommand({
            TableName: table.name,
            Segment: segment,
            TotalSegments: segments,
            // No FilterExpression: a Scan is billed for every item it reads, filtered or not, and items are told
            // apart here by SK anyway; evaluating a filter only costs the server time.
            ExclusiveStartKey: startKey,
            ...(options.reportCapacity ? { ReturnConsumedCapacity: 'TOTAL' as const } : {}),
          }),
        );
        stats.pages++;
        stats.readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
        for (const item of page.Items ?? []) {
          stats.items++;
          const sk = item.SK;
          if (sk === PROFILE_SK) handlers.onProfile(item);
          else if (typeof sk === 'string' && sk.startsWith(keys.segmentMembershipPrefix) && typeof item.customerId === 'string')
            handlers.onMembership(item.customerId, sk.slice(keys.segmentMembershipPrefix.length));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }),
  );
  return stats;
}

export interface MembershipItem {
  customerId: string;
  segment: string;
  enteredAt: string;
  runId: string;
  reason: string;
}

export type MembershipWrite = { put: MembershipItem } | { delete: { customerId: string; segment: string } };

/** Writes membership puts and deletes, 25 per BatchWriteItem, retrying unprocessed items with backoff. */
export async function writeMemberships(table: Table, writes: readonly MembershipWrite[], concurrency: number): Promise<void> {
  // Mapped a batch at a time: a first run over a million profiles writes millions of memberships.
  await forEachConcurrent(chunk(writes, BATCH_WRITE_MAX), concurrency, (batch) => batchWriteAll(table, batch.map(membershipRequest), { attempts: 11 }));
}

function membershipRequest(write: MembershipWrite): BatchWriteWriteRequest {
  if ('delete' in write) return { DeleteRequest: { Key: keys.segmentMembership(write.delete.customerId, write.delete.segment) } };
  return {
    PutRequest: {
      Item: {
        ...keys.segmentMembership(write.put.customerId, write.put.segment),
        ...keys.segmentMemberIndex(write.put.segment, write.put.customerId),
        entityType: 'SEGMENT_MEMBER',
        ...write.put,
      },
    },
  };
}

export interface SegmenterRunRecord {
  runId: string;
  asOf: string;
  startedAt: string;
  finishedAt: string;
  profiles: number;
  /** Members per segment after the run. */
  counts: Record<string, number>;
  entered: Record<string, number>;
  exited: Record<string, number>;
  cutoffs: SegmentCutoffs;
  durationMs: number;
}

export async function recordRun(table: Table, run: SegmenterRunRecord): Promise<void> {
  await table.doc.send(
    new PutCommand({ TableName: table.name, Item: { ...keys.segmenterRun(run.startedAt, run.runId), entityType: 'SEGMENTER_RUN', ...run } }),
  );
}

export function runRecordOf(item: Record<string, unknown>): SegmenterRunRecord | undefined {
  const { runId, asOf, startedAt, finishedAt, profiles, counts, entered, exited, cutoffs, durationMs } = item;
  if (
    typeof runId !== 'string' ||
    typeof asOf !== 'string' ||
    typeof startedAt !== 'string' ||
    typeof finishedAt !== 'string' ||
    typeof profiles !== 'number' ||
    typeof durationMs !== 'number'
  )
    return undefined;
  if (!isCountRecord(counts) || !isCountRecord(entered) || !isCountRecord(exited) || !isCutoffs(cutoffs)) return undefined;
  return { runId, asOf, startedAt, finishedAt, profiles, counts, entered, exited, cutoffs, durationMs };
}

function isCountRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'number');
}

function isCutoffs(value: unknown): value is SegmentCutoffs {
  if (typeof value !== 'object' || value === null) return false;
  const scored: unknown = Reflect.get(value, 'scored');
  return typeof scored === 'number' && ['recency', 'frequency', 'monetary'].every((k) => Array.isArray(Reflect.get(value, k)));
}

/** The newest run records, newest first (runs that changed nothing are not recorded). */
export async function latestRuns(table: Table, limit: number): Promise<SegmenterRunRecord[]> {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.segmenterRunPartition },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (result.Items ?? []).flatMap((item) => runRecordOf(item) ?? []);
}

export async function readProfileItem(table: Table, customerId: string): Promise<Record<string, unknown> | undefined> {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId) }))).Item;
}

export async function membershipsOf(table: Table, customerId: string): Promise<MembershipItem[]> {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :seg)',
      ExpressionAttributeValues: { ':pk': keys.profile(customerId).PK, ':seg': keys.segmentMembershipPrefix },
    }),
  );
  return (result.Items ?? []).flatMap((item) => {
    const { segment, enteredAt, runId, reason } = item;
    return typeof segment === 'string' && typeof enteredAt === 'string' && typeof runId === 'string' && typeof reason === 'string'
      ? [{ customerId, segment, enteredAt, runId, reason }]
      : [];
  });
}

/** A segment's members from the membership index (GSI2): every shard queried, no table scan. */
export async function segmentMembers(table: Table, segment: string): Promise<string[]> {
  const shards = await Promise.all(
    Array.from({ length: SEGMENT_INDEX_SHARDS }, async (_, shard) => {
      const ids: string[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await table.doc.send(
          new QueryCommand({
            TableName: table.name,
            IndexName: 'GSI2',
            KeyConditionExpression: 'GSI2PK = :pk',
            ExpressionAttributeValues: { ':pk': segmentIndexPartition(segment, shard) },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) if (typeof item.customerId === 'string') ids.push(item.customerId);
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return ids;
    }),
  );
  return shards.flat().sort();
}
