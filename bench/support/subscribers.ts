import { consentAddressOf } from '#shared/capture/consent.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';

/** The confirmed address of a seeded subscriber. */
export const subscriberEmail = (customerId: string): string => `${customerId}@example.com`;

/**
 * A newsletter's audience for the send benches and reliability scenarios: `count` customers `c_<prefix>000000`…
 * with a confirmed address and marketing consent for it, in the five locales, each a member of `segment`.
 * Returns their ids in order.
 */
export async function seedSubscribers(table: Table, segment: string, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `c_${prefix}${String(i).padStart(6, '0')}`);
  const items = ids.flatMap((id, i) => [
    {
      ...keys.profile(id),
      customerId: id,
      customerName: `Customer ${i}`,
      locale: ['en', 'is', 'da', 'he', 'fi'][i % 5],
      confirmedEmail: subscriberEmail(id),
      marketingConsent: 'granted',
      marketingConsentAddress: consentAddressOf(subscriberEmail(id)),
      orderCount: 1 + (i % 4),
      netSpendMinor: 1000 * (i % 90),
    },
    { ...keys.segmentMembership(id, segment), ...keys.segmentMemberIndex(segment, id), entityType: 'SEGMENT_MEMBER', customerId: id, segment },
  ]);
  await batchWriteAll(
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
    { concurrency: 8 },
  );
  return ids;
}
