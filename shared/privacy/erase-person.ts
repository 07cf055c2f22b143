import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CustomerErased } from '#shared/events/customer-erased.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { exponential } from '#shared/runtime/retry.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { collectPerson, type CollectedPerson, type PersonRef } from '#shared/privacy/collect-person.ts';
import { actionFor, type ErasureAction, type Item, type ItemKind } from '#shared/privacy/item-kinds.ts';
import { erasureHash, erasureHashes, scrubValue, type PersonTerms } from '#shared/privacy/person-terms.ts';
import type { PrivacyConfig } from '#shared/privacy/privacy-config.ts';

export interface ErasureDeps {
  table: Table;
  bus: EventBus;
  config: PrivacyConfig;
  signingKey: string;
  now: () => Date;
}

export interface PlannedChange {
  kind: ItemKind;
  action: ErasureAction['action'];
  PK: string;
  SK: string;
}

export interface ErasureResult {
  /** `erased`: items were found and erased now; `nothing-found`: nothing about this person is in the table. */
  outcome: 'erased' | 'nothing-found';
  customerId: string;
  /** Items per action (delete, scrub, anonymise-order, rekey). */
  counts: Record<string, number>;
  /** When a tombstone for the address exists (this or an earlier erasure). */
  erasedAt: string | undefined;
  nameOnlyMatches: number;
  itemsScanned: number;
}

/** What an erasure would do, item by item, without changing anything (the CLI's confirmation, the console's preview). */
export function planErasure(person: CollectedPerson, config: PrivacyConfig): PlannedChange[] {
  return person.items.map(({ kind, item }) => ({
    kind,
    action: actionFor(kind, item, person.terms, config.keepOrders).action,
    PK: String(item.PK),
    SK: String(item.SK),
  }));
}

/**
 * Erases one person: deletes what is theirs, keeps orders (and incentives, codes, campaign sends, the referral of
 * them) under a random anonymous id with every personal field removed, and scrubs mentions of them from other
 * records. Then it writes an erasure record per address (`ERASED#<HMAC of the address>`: time and counts only)
 * and publishes CustomerErased once. Idempotent: a second run finds nothing and changes nothing; if the first run
 * stopped before publishing, the second publishes.
 */
export async function erasePerson(deps: ErasureDeps, ref: PersonRef, collected?: CollectedPerson): Promise<ErasureResult> {
  const person = collected ?? (await collectPerson(deps.table, ref, deps.signingKey));
  const { terms } = person;
  const erasedAt = deps.now().toISOString();
  const base = { customerId: terms.customerId, nameOnlyMatches: person.nameOnlyMatches, itemsScanned: person.scan.itemsScanned };

  if (person.items.length === 0) {
    const earlier = 'email' in ref ? await republishIfPending(deps, ref.email) : undefined;
    logger.info('privacy erase found nothing', { customerId: terms.customerId, alreadyErased: earlier !== undefined });
    return { ...base, outcome: 'nothing-found', counts: {}, erasedAt: earlier };
  }

  const anonymousId = `anon_${randomBytes(12).toString('hex')}`;
  const planned = person.items.map(({ kind, item }) => ({ item, action: actionFor(kind, item, terms, deps.config.keepOrders).action }));
  const counts: Record<string, number> = {};
  for (const { action } of planned) counts[action] = (counts[action] ?? 0) + 1;
  // The tombstone first (with the old id until the event is out): if this run stops half-way, the next run finds
  // what is left and erases it, or finds nothing and still publishes CustomerErased from the tombstone.
  const addresses = terms.addresses;
  for (const address of addresses)
    await writeErasureRecord(deps.table, erasureHash(deps.signingKey, address), { erasedAt, counts, customerId: terms.customerId });

  const deletes: Item[] = [];
  for (const { item, action } of planned) {
    if (action === 'delete') deletes.push(item);
    else if (action === 'scrub') await put(deps.table, scrubItem(item, terms, anonymousId));
    else if (action === 'anonymise-order') await put(deps.table, anonymisedOrder(item, terms, anonymousId, deps.config, erasedAt));
    else {
      // Written under the anonymous id first, then the original goes: a crash in between leaves a copy, never a loss.
      await put(deps.table, { ...rekeyed(item, terms, anonymousId), anonymisedAt: erasedAt });
      deletes.push(item);
    }
  }
  await deleteAll(deps.table, deletes);

  await publishEvents(deps.bus, [CustomerErased.create({ customerId: terms.customerId, erasedAt })], deps.now());
  for (const address of addresses) await markPublished(deps.table, erasureHash(deps.signingKey, address));
  logger.info('privacy erase done', { customerId: terms.customerId, counts, nameOnlyMatches: person.nameOnlyMatches });
  return { ...base, outcome: 'erased', counts, erasedAt };
}

/** The tombstone, if the address was erased before; publishes CustomerErased if that erasure stopped before it could. */
async function republishIfPending(deps: ErasureDeps, email: string): Promise<string | undefined> {
  const record = await findErasureRecord(deps.table, deps.signingKey, email);
  if (!record) return undefined;
  if (record.eventPublished !== true && typeof record.customerId === 'string') {
    await publishEvents(deps.bus, [CustomerErased.create({ customerId: record.customerId, erasedAt: record.erasedAt })], deps.now());
    await markPublished(deps.table, record.hash);
  }
  return record.erasedAt;
}

/** The address's erasure record under its current key or the one it had before per-purpose keys (erasureHashes). */
export async function findErasureRecord(table: Table, signingKey: string, address: string): Promise<(ErasureRecord & { hash: string }) | undefined> {
  for (const hash of erasureHashes(signingKey, address)) {
    const record = await readErasureRecord(table, hash);
    if (record) return { ...record, hash };
  }
  return undefined;
}

interface ErasureRecord {
  erasedAt: string;
  eventPublished: boolean;
  customerId: string | undefined;
}

async function readErasureRecord(table: Table, hash: string): Promise<ErasureRecord | undefined> {
  const item = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.erasure(hash), ConsistentRead: true }))).Item;
  if (!item || typeof item.erasedAt !== 'string') return undefined;
  return {
    erasedAt: item.erasedAt,
    eventPublished: item.eventPublished === true,
    customerId: typeof item.pendingCustomerId === 'string' ? item.pendingCustomerId : undefined,
  };
}

/**
 * The tombstone holds the time and the counts. Until CustomerErased is out it also holds the old customer id
 * (`pendingCustomerId`, needed to publish it again); publishing removes it.
 */
async function writeErasureRecord(table: Table, hash: string, record: { erasedAt: string; counts: Record<string, number>; customerId: string }): Promise<void> {
  await table.doc.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        ...keys.erasure(hash),
        entityType: 'ERASURE',
        erasedAt: record.erasedAt,
        counts: record.counts,
        eventPublished: false,
        pendingCustomerId: record.customerId,
      },
    }),
  );
}

async function markPublished(table: Table, hash: string): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.erasure(hash),
      UpdateExpression: 'SET eventPublished = :true REMOVE pendingCustomerId',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
}

export function scrubItem(item: Item, terms: PersonTerms, anonymousId: string): Item {
  const scrubbed = scrubValue(item, terms, anonymousId);
  return typeof scrubbed === 'object' && scrubbed !== null && !Array.isArray(scrubbed) ? { ...scrubbed, PK: item.PK, SK: item.SK } : item;
}

/** A kept order: the person's fields gone, the customer id (and GSI1, so per-customer aggregates still group) anonymous. */
export function anonymisedOrder(item: Item, terms: PersonTerms, anonymousId: string, config: PrivacyConfig, erasedAt: string): Item {
  const removed = new Set(config.orderPersonalFields);
  const scrubbed = Object.fromEntries(Object.entries(scrubItem(item, terms, anonymousId)).filter(([attribute]) => !removed.has(attribute)));
  return { ...scrubbed, customerId: anonymousId, GSI1PK: keys.ordersOfCustomer(anonymousId), anonymisedAt: erasedAt };
}

function rekeyed(item: Item, terms: PersonTerms, anonymousId: string): Item {
  const scrubbed = scrubValue(item, terms, anonymousId);
  return typeof scrubbed === 'object' && scrubbed !== null && !Array.isArray(scrubbed) ? { ...scrubbed } : item;
}

async function put(table: Table, item: Item): Promise<void> {
  await table.doc.send(new PutCommand({ TableName: table.name, Item: item }));
}

async function deleteAll(table: Table, items: Item[]): Promise<void> {
  await batchWriteAll(
    table,
    items.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })),
    { attempts: 8, backoff: exponential(50), nextStep: 'run the erasure again (it is idempotent)' },
  );
}
