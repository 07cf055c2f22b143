import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface FoundCustomer {
  customerId: string;
  name: string | undefined;
  email: string | undefined;
  orderCount: number;
  matchedBy: 'email' | 'order' | 'customer-id' | 'name' | 'phone';
}

export interface FindResult {
  customers: FoundCustomer[];
  /** A name/phone search read this many profiles and stopped before the end of the table. */
  truncatedAfter: number | undefined;
}

/** How many items a name or phone search reads at most: enough for a small shop, bounded for a big one. */
export const NAME_SEARCH_ITEM_LIMIT = 20_000;

/**
 * Finds customers: an email address or an order id resolves with one GetItem (the customer id derives from the
 * email; the order item names its customer). A name or phone number is a bounded, filtered Scan of profiles — no
 * index to keep in step with every write path, which is the right trade for a shop's few thousand customers;
 * past NAME_SEARCH_ITEM_LIMIT items the page says the search stopped early. `signingKey` keys the id of an address.
 */
export async function findCustomers(table: Table, rawQuery: string, signingKey: string): Promise<FindResult> {
  const query = rawQuery.trim();
  if (query === '') return { customers: [], truncatedAfter: undefined };
  if (query.includes('@')) return exact(await profileOf(table, customerIdForEmail(query, signingKey), 'email'));
  if (/^[ckx]_[0-9a-f]{24}$/.test(query)) return exact(await profileOf(table, query, 'customer-id'));
  const order = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order(query), ProjectionExpression: 'customerId' }));
  const orderCustomer = order.Item?.customerId;
  if (typeof orderCustomer === 'string') return exact(await profileOf(table, orderCustomer, 'order'));
  const digits = query.replace(/[^0-9]/g, '');
  const byPhone = digits.length >= 5 && /^[+0-9 ()-]+$/.test(query);
  return scanProfiles(table, byPhone ? { phone: digits } : { name: query.toLocaleLowerCase() });
}

function exact(found: FoundCustomer | undefined): FindResult {
  return { customers: found ? [found] : [], truncatedAfter: undefined };
}

async function profileOf(table: Table, customerId: string, matchedBy: FoundCustomer['matchedBy']): Promise<FoundCustomer | undefined> {
  const result = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId) }));
  return result.Item ? summary(result.Item, matchedBy) : undefined;
}

function summary(item: Record<string, unknown>, matchedBy: FoundCustomer['matchedBy']): FoundCustomer {
  return {
    customerId: typeof item.customerId === 'string' ? item.customerId : '',
    name: typeof item.customerName === 'string' ? item.customerName : undefined,
    email: typeof item.email === 'string' ? item.email : undefined,
    orderCount: typeof item.orderCount === 'number' ? item.orderCount : 0,
    matchedBy,
  };
}

async function scanProfiles(table: Table, match: { name: string } | { phone: string }): Promise<FindResult> {
  const customers: FoundCustomer[] = [];
  let scanned = 0;
  let start: Record<string, unknown> | undefined;
  // Matched here rather than in a FilterExpression: DynamoDB's contains() is case-sensitive, and a filter saves no read capacity anyway.
  const matches = (item: Record<string, unknown>) =>
    'name' in match
      ? typeof item.customerName === 'string' && item.customerName.toLocaleLowerCase().includes(match.name)
      : typeof item.phone === 'string' && item.phone.replace(/[^0-9]/g, '').includes(match.phone);
  do {
    const page = await table.doc.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: 'SK = :profile',
        ProjectionExpression: 'customerId, customerName, email, orderCount, phone',
        ExpressionAttributeValues: { ':profile': 'PROFILE' },
        ExclusiveStartKey: start,
      }),
    );
    scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) if (matches(item)) customers.push(summary(item, 'name' in match ? 'name' : 'phone'));
    start = page.LastEvaluatedKey;
  } while (start && scanned < NAME_SEARCH_ITEM_LIMIT && customers.length < 50);
  return { customers: customers.slice(0, 50), truncatedAfter: start ? scanned : undefined };
}
