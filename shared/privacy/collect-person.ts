import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/table/keys.ts';
import { forEachScanPage } from '#shared/table/parallel-scan.ts';
import type { Table } from '#shared/table/table-client.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { kindOf, type Item, type ItemKind } from '#shared/privacy/item-kinds.ts';
import { addTerms, mentionsIn, type PersonTerms } from '#shared/privacy/person-terms.ts';

/** Who to look for: an address (the customer id derives from it) or a customer id. */
export type PersonRef = { email: string } | { customerId: string };

export interface CollectedItem {
  kind: ItemKind;
  item: Item;
  /** true when found through the person's keys, false when only the confirming scan found it. */
  viaKeys: boolean;
}

export interface CollectedPerson {
  terms: PersonTerms;
  items: CollectedItem[];
  /** Items that mention one of the person's names but neither their id nor an address: left alone (possibly a namesake). */
  nameOnlyMatches: number;
  /** Read capacity the confirming scan used (what one erasure or export costs on top of the key reads). */
  scan: { itemsScanned: number; segments: number };
}

/** Parallel segments of the confirming scan: enough to keep a Lambda's network busy, few enough for on-demand bursts. */
export const SCAN_SEGMENTS = 4;

/**
 * Everything the table holds about one person. First by keys (their profile partition, their orders through
 * GSI1 and those orders' partitions, incentives and codes, who referred them, their suppression), then a full
 * parallel Scan confirms: any item whose strings (nested too) carry their customer id or an address of theirs
 * is theirs as well, whatever its type — so an item type added later is never missed. Addresses and names found
 * on their items join the search terms before the scan. `signingKey` keys the customer id of an address.
 */
export async function collectPerson(table: Table, ref: PersonRef, signingKey: string): Promise<CollectedPerson> {
  const customerId = 'email' in ref ? customerIdForEmail(ref.email, signingKey) : ref.customerId;
  const terms: PersonTerms = { customerId, addresses: [], names: [] };
  if ('email' in ref) addTerms(terms, { addresses: [ref.email] });

  const found = new Map<string, Item>();
  const add = (item: Item | undefined) => {
    if (item) found.set(itemKey(item), item);
  };
  for (const item of await queryAll(table, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `CUST#${customerId}` } })) add(item);
  const orders = await queryAll(table, {
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.ordersOfCustomer(customerId) },
  });
  for (const order of orders) {
    const orderId = typeof order.orderId === 'string' ? order.orderId : undefined;
    if (orderId === undefined) continue;
    for (const item of await queryAll(table, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.order(orderId).PK } })) add(item);
    const incentive = await get(table, keys.incentive(orderId));
    add(incentive);
    if (typeof incentive?.code === 'string') add(await get(table, keys.incentiveCode(incentive.code)));
  }
  const profile = found.get(itemKey(keys.profile(customerId)));
  if (typeof profile?.referredBy === 'string') add(await get(table, keys.referral(profile.referredBy, customerId)));
  add(await get(table, keys.suppression(customerId)));

  const viaKeys = new Set(found.keys());
  for (const item of found.values()) addTerms(terms, identityOf(item, customerId));

  let itemsScanned = 0;
  let nameOnlyMatches = 0;
  await forEachScanPage(table, SCAN_SEGMENTS, { ConsistentRead: true }, (page) => {
    for (const item of page.Items ?? []) {
      itemsScanned++;
      // Erasure tombstones hold no personal data (until its event is out, the old id: see erase-person.ts).
      if (viaKeys.has(itemKey(item)) || String(item.PK).startsWith('ERASED#')) continue;
      const mentions = mentionsIn(item, terms);
      if (mentions.customerId || mentions.address) found.set(itemKey(item), item);
      else if (mentions.name) nameOnlyMatches++;
    }
  });

  const items = [...found.entries()].map(([key, item]) => ({ kind: kindOf(item, customerId), item, viaKeys: viaKeys.has(key) }));
  items.sort((a, b) => itemKey(a.item).localeCompare(itemKey(b.item)));
  return { terms, items, nameOnlyMatches, scan: { itemsScanned, segments: SCAN_SEGMENTS } };
}

/** The addresses and names one of the person's own items holds (profile, form answers, consent entries, contacts). */
function identityOf(item: Item, customerId: string): { addresses: unknown[]; names: unknown[] } {
  if (item.customerId !== customerId && item.PK !== `CUST#${customerId}`) return { addresses: [], names: [] };
  const answers = typeof item.answers === 'object' && item.answers !== null ? item.answers : {};
  const answerName = item['ans#name'];
  return {
    addresses: [item.email, item.confirmedEmail, item.optInEmail, item.customerEmail],
    names: [
      item.customerName,
      Reflect.get(answers, 'name'),
      typeof answerName === 'object' && answerName !== null ? Reflect.get(answerName, 'value') : undefined,
    ],
  };
}

export function itemKey(item: Item): string {
  return `${String(item.PK)}\u0000${String(item.SK)}`;
}

async function get(table: Table, key: { PK: string; SK: string }): Promise<Item | undefined> {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;
}

async function queryAll(
  table: Table,
  input: { IndexName?: string; KeyConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> },
): Promise<Item[]> {
  const items: Item[] = [];
  // GSIs cannot be read consistently; the base-table reads are.
  const consistent = input.IndexName === undefined;
  for await (const page of paginateQuery({ client: table.doc }, { TableName: table.name, ...input, ConsistentRead: consistent }))
    items.push(...(page.Items ?? []));
  return items;
}
