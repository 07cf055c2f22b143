/**
 * One-off upgrade from bare-hash customer ids (`c_` + SHA-256 of the address, which anyone can recompute) to keyed
 * ones (`k_`, shared/purchases/customer-id.ts). Every item that names an old id — in its keys (a customer's
 * partition, `SEND#…/CUST#id`, `SUPPRESS#id`, `REFPENDING/CUST#id`, the GSI keys) or in any attribute, however
 * nested (an order's `customerId`, another customer's `referredBy`, a referral edge's sort key, a case) — is
 * rewritten to the new id.
 *
 * Two scans. The first collects every address in the table and maps its old id to its new one: the mapping needs
 * no state of its own, because the addresses stay in the table (moved, never removed), so a run that stopped
 * half-way rebuilds the same mapping. The second rewrites: an item whose key changes is written under its new key
 * and deleted under the old one in one transaction (a crash leaves one or the other, never neither, never both); an
 * item whose key stays is put back with its attributes rewritten. A re-run finds no old id it can map: a no-op.
 * Old ids whose address is nowhere in the table cannot be mapped and are counted, not guessed.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { customerIdForEmail, legacyCustomerIdForEmail } from '#shared/purchases/customer-id.ts';
import { segmentIndexPartition, segmentIndexShard } from '#shared/table/keys.ts';
import { forEachScanPage } from '#shared/table/parallel-scan.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface CustomerIdMigrationResult {
  itemsScanned: number;
  /** Old ids that appear in the table and whose address was found. */
  idsMapped: number;
  /** Items written under a new key (and removed under the old one). */
  itemsMoved: number;
  /** Items whose keys stayed but some attribute named an old id. */
  itemsRewritten: number;
  /** Items still naming an old id no address in the table maps (left as they are). */
  itemsUnmapped: number;
  /** Items not moved because the new id already has an item under that key (written after the upgrade): left under the old id. */
  itemsInConflict: number;
}

const OLD_ID = /(?<![A-Za-z0-9_])c_[0-9a-f]{24}(?![0-9a-f])/g;
const ADDRESS = /^[^\s@]+@[^\s@]+$/;
const KEY_ATTRIBUTES = ['PK', 'SK'] as const;

type Item = Record<string, unknown>;

export async function migrateCustomerIds(
  table: Table,
  secret: string,
  options: { segments?: number; onProgress?: (phase: 'map' | 'rewrite', itemsScanned: number) => void } = {},
): Promise<CustomerIdMigrationResult> {
  const segments = options.segments ?? 4;
  const mapping = await mapOldIds(table, secret, segments, options.onProgress);
  const result: CustomerIdMigrationResult = {
    itemsScanned: 0,
    idsMapped: mapping.size,
    itemsMoved: 0,
    itemsRewritten: 0,
    itemsUnmapped: 0,
    itemsInConflict: 0,
  };
  await forEachScanPage(table, segments, { ConsistentRead: true }, async (page) => {
    for (const item of page.Items ?? []) {
      result.itemsScanned++;
      const outcome = await rewriteItem(table, item, mapping);
      if (outcome === 'moved') result.itemsMoved++;
      else if (outcome === 'rewritten') result.itemsRewritten++;
      else if (outcome === 'unmapped') result.itemsUnmapped++;
      else if (outcome === 'conflict') result.itemsInConflict++;
    }
    options.onProgress?.('rewrite', result.itemsScanned);
  });
  return result;
}

/** Old id → new id for every address in the table whose old id the table also names. */
async function mapOldIds(
  table: Table,
  secret: string,
  segments: number,
  onProgress: ((phase: 'map', itemsScanned: number) => void) | undefined,
): Promise<Map<string, string>> {
  const addresses = new Set<string>();
  const oldIds = new Set<string>();
  let scanned = 0;
  await forEachScanPage(table, segments, { ConsistentRead: true }, (page) => {
    for (const item of page.Items ?? []) {
      scanned++;
      visitStrings(item, (text) => {
        const trimmed = text.trim();
        if (ADDRESS.test(trimmed)) addresses.add(trimmed.toLowerCase());
        for (const match of text.matchAll(OLD_ID)) oldIds.add(match[0]);
      });
    }
    onProgress?.('map', scanned);
  });
  const mapping = new Map<string, string>();
  for (const address of addresses) {
    const oldId = legacyCustomerIdForEmail(address);
    if (oldIds.has(oldId)) mapping.set(oldId, customerIdForEmail(address, secret));
  }
  return mapping;
}

async function rewriteItem(
  table: Table,
  item: Item,
  mapping: ReadonlyMap<string, string>,
): Promise<'moved' | 'rewritten' | 'unchanged' | 'unmapped' | 'conflict'> {
  let unmapped = false;
  let changed = false;
  const rename = (text: string) =>
    text.replace(OLD_ID, (oldId) => {
      const newId = mapping.get(oldId);
      if (newId === undefined) unmapped = true;
      else changed = true;
      return newId ?? oldId;
    });
  const rewritten = rewriteValue(item, rename);
  if (!changed || !isItem(rewritten)) return unmapped ? 'unmapped' : 'unchanged';
  const next = withSegmentShard(item, rewritten);
  const keyChanged = KEY_ATTRIBUTES.some((name) => next[name] !== item[name]);
  if (!keyChanged) {
    await table.doc.send(new PutCommand({ TableName: table.name, Item: next }));
    return 'rewritten';
  }
  try {
    await table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          // Never over an item the new id already has (written after the upgrade, before this run): reported instead.
          { Put: { TableName: table.name, Item: next, ConditionExpression: 'attribute_not_exists(PK)' } },
          { Delete: { TableName: table.name, Key: { PK: item.PK, SK: item.SK }, ConditionExpression: 'attribute_exists(PK)' } },
        ],
      }),
    );
    return 'moved';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [put, remove] = error.CancellationReasons ?? [];
    if (put?.Code === 'ConditionalCheckFailed') return 'conflict';
    // Moved by a concurrent run since the scan read it.
    if (remove?.Code === 'ConditionalCheckFailed') return 'unchanged';
    throw error;
  }
}

/** A segment membership's GSI2 partition is sharded by a hash of the customer id: a new id needs its own shard. */
function withSegmentShard(before: Item, after: Item): Item {
  const { GSI2PK, GSI2SK, SK } = after;
  if (GSI2SK === before.GSI2SK || typeof GSI2SK !== 'string' || typeof GSI2PK !== 'string' || typeof SK !== 'string' || !SK.startsWith('SEG#')) return after;
  return { ...after, GSI2PK: segmentIndexPartition(SK.slice('SEG#'.length), segmentIndexShard(GSI2SK)) };
}

function rewriteValue(value: unknown, rename: (text: string) => string): unknown {
  if (typeof value === 'string') return rename(value);
  if (Array.isArray(value)) return value.map((entry) => rewriteValue(entry, rename));
  if (value instanceof Set) return new Set([...value].map((entry) => rewriteValue(entry, rename)));
  if (isItem(value)) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [rename(key), rewriteValue(entry, rename)]));
  return value;
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const entry of value) visitStrings(entry, visit);
  else if (value instanceof Set) for (const entry of value) visitStrings(entry, visit);
  else if (isItem(value)) {
    for (const [key, entry] of Object.entries(value)) {
      visit(key);
      visitStrings(entry, visit);
    }
  }
}

function isItem(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Set) && !(value instanceof Uint8Array);
}
