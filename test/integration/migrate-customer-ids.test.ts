/**
 * Issue 13, item 8: `npx kinship migrate customer-ids` moves a table written with bare-hash ids (c_…) to keyed ids
 * (k_…): every item is under or names the new id, nothing is lost, a re-run changes nothing, and a run that crashed
 * half-way is finished by the next.
 */
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { migrateCustomerIds } from '#shared/purchases/customer-id-migration.ts';
import { customerIdForEmail, legacyCustomerIdForEmail } from '#shared/purchases/customer-id.ts';
import { recordPurchase } from '#shared/purchases/record-purchase.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aPurchase, aShopConfig } from '#test/support/builders.ts';
import { runCli } from '#test/support/run-cli.ts';
import { createTestTable } from '#test/support/test-table.ts';

const SECRET = 'migration-test-signing-key-0123456789abcdef';
const at = '2026-11-20T10:00:00.000Z';
const address = { anna: 'anna@example.com', bob: 'bob@example.com', carol: 'carol@example.com' } as const;
const old = { anna: legacyCustomerIdForEmail(address.anna), bob: legacyCustomerIdForEmail(address.bob), carol: legacyCustomerIdForEmail(address.carol) };
const keyed = {
  anna: customerIdForEmail(address.anna, SECRET),
  bob: customerIdForEmail(address.bob, SECRET),
  carol: customerIdForEmail(address.carol, SECRET),
};
/** An old id whose address is nowhere in the table: it cannot be mapped. */
const orphan = legacyCustomerIdForEmail('nobody-on-file@example.com');

type Item = Record<string, unknown>;
let table: Table & { endpoint: string };

/** A shop as an earlier Kinship wrote it (10 items under an old id, 6 naming one, 1 orphan, 1 unrelated): Anna (two orders, answers, consent, a segment, a send, an email event, a case) referred Bob; Bob named Carol, who never bought. */
function oldStyleItems(): Item[] {
  const { anna, bob, carol } = old;
  return [
    {
      ...keys.profile(anna),
      entityType: 'PROFILE',
      customerId: anna,
      email: address.anna,
      confirmedEmail: 'Anna@Example.com',
      orderCount: 2,
      referralCount: 1,
    },
    { ...keys.order('O-1'), ...keys.orderByCustomer(anna, at, 'O-1'), entityType: 'ORDER', customerId: anna, email: address.anna, total: 12000 },
    {
      ...keys.order('O-2'),
      ...keys.orderByCustomer(anna, '2026-11-21T10:00:00.000Z', 'O-2'),
      entityType: 'ORDER',
      customerId: anna,
      email: address.anna,
      total: 3000,
    },
    { ...keys.submission('O-1'), entityType: 'SUBMISSION', customerId: anna, orderId: 'O-1', answers: { email: address.anna, satisfaction: 5 } },
    { ...keys.consentEntry(anna, at, 'O-1'), entityType: 'CONSENT', customerId: anna, email: address.anna, marketingEmail: true },
    { ...keys.answerHistory(anna, at, 'O-1'), entityType: 'ANSWERS', customerId: anna, answers: { satisfaction: 5 } },
    { ...keys.segmentMembership(anna, 'gold'), ...keys.segmentMemberIndex('gold', anna), entityType: 'SEGMENT_MEMBER', customerId: anna, since: at },
    { ...keys.sendClaim('news', '2026-11', anna), entityType: 'SEND', customerId: anna, status: 'sent', ref: `news|2026-11|${anna}` },
    { ...keys.emailEvent(anna, at, 'Delivery', 'm-1'), entityType: 'EMAIL_EVENT', customerId: anna, messageId: 'm-1' },
    { ...keys.suppression(anna), entityType: 'SUPPRESSION', customerId: anna, reason: 'complaint' },
    { ...keys.staffCase('cs_1'), entityType: 'CASE', customerId: anna, status: 'open' },
    { ...keys.referral(anna, bob), entityType: 'REFERRAL', referrerId: anna, referredId: bob, at },
    { ...keys.profile(bob), entityType: 'PROFILE', customerId: bob, email: address.bob, referredBy: anna },
    { ...keys.order('O-3'), ...keys.orderByCustomer(bob, at, 'O-3'), entityType: 'ORDER', customerId: bob, email: address.bob, total: 500 },
    { ...keys.submission('O-3'), entityType: 'SUBMISSION', customerId: bob, orderId: 'O-3', answers: { email: address.bob, referrerEmail: address.carol } },
    { ...keys.pendingReferrer(carol), entityType: 'PENDING_REFERRER', referrerId: carol, referredIds: new Set([bob]) },
    { ...keys.profile(orphan), entityType: 'PROFILE', customerId: orphan },
    { ...keys.importJob('imp-1'), entityType: 'IMPORT', file: 'orders.csv' },
  ];
}

/** What each old item must become: every mapped old id replaced, the segment index shard recomputed for the new id. */
function expectedAfter(items: Item[]): Item[] {
  const rename = (text: string) => text.replaceAll(old.anna, keyed.anna).replaceAll(old.bob, keyed.bob).replaceAll(old.carol, keyed.carol);
  return items.map((item) => {
    const next: Item = JSON.parse(
      rename(JSON.stringify(item, (_, value: unknown) => (value instanceof Set ? { $set: [...value] } : value))),
      (_, value: unknown) => (typeof value === 'object' && value !== null && '$set' in value && Array.isArray(value.$set) ? new Set(value.$set) : value),
    );
    return item.SK === 'SEG#gold' ? { ...next, ...keys.segmentMemberIndex('gold', keyed.anna) } : next;
  });
}

async function seed(items: Item[]): Promise<void> {
  for (const item of items) await table.doc.send(new PutCommand({ TableName: table.name, Item: item }));
}

async function everything(): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(new ScanCommand({ TableName: table.name, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return sorted(items);
}

function sorted(items: Item[]): Item[] {
  const keyOf = (item: Item) => `${String(item.PK)}|${String(item.SK)}`;
  return [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

const migrate = () => migrateCustomerIds(table, SECRET);

beforeEach(async () => {
  table = await createTestTable('migrate-ids');
});

describe('the customer-id migration (npx kinship migrate customer-ids)', () => {
  it('moves every item under or naming an old id to the keyed id, loses nothing and leaves the rest alone', async () => {
    const before = oldStyleItems();
    await seed(before);
    const run = await migrate();
    const after = await everything();
    expect(after).toEqual(sorted(expectedAfter(before)));
    expect(after).toHaveLength(before.length);
    // No mapped old id is left anywhere; the orphan's is, and is reported.
    const text = JSON.stringify(after, (_, value: unknown) => (value instanceof Set ? [...value] : value));
    for (const id of [old.anna, old.bob, old.carol]) expect(text).not.toContain(id);
    expect(text).toContain(orphan);
    expect(run).toEqual({ itemsScanned: before.length, idsMapped: 3, itemsMoved: 10, itemsRewritten: 6, itemsUnmapped: 1, itemsInConflict: 0 });
  });

  it('changes nothing when run again', async () => {
    await seed(oldStyleItems());
    await migrate();
    const once = await everything();
    expect(await migrate()).toMatchObject({ idsMapped: 0, itemsMoved: 0, itemsRewritten: 0 });
    expect(await everything()).toEqual(once);
  });

  it('finishes a run that crashed half-way, with nothing lost or doubled', async () => {
    const before = oldStyleItems();
    await seed(before);
    const crashing = createDocumentClient(table.endpoint);
    let moves = 0;
    crashing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && ++moves === 5) throw new Error('the process died here');
        return next(args);
      },
      { step: 'initialize', name: 'crashAfterFourMoves' },
    );
    await expect(migrateCustomerIds({ doc: crashing, name: table.name }, SECRET, { segments: 1 })).rejects.toThrow('the process died here');
    const halfWay = await everything();
    expect(halfWay).toHaveLength(before.length);
    expect(JSON.stringify(halfWay)).toContain(old.anna);

    await migrate();
    expect(await everything()).toEqual(sorted(expectedAfter(before)));
  });

  it('never leaves an item of the new id overwritten: one written since the upgrade is reported as a conflict', async () => {
    const before = oldStyleItems();
    await seed(before);
    const newer = { ...keys.profile(keyed.anna), entityType: 'PROFILE', customerId: keyed.anna, email: address.anna, orderCount: 1 };
    await seed([newer]);
    expect(await migrate()).toMatchObject({ itemsInConflict: 1 });
    const after = await everything();
    expect(after).toContainEqual(newer);
    expect(after).toContainEqual(before[0]);
    expect(after).toHaveLength(before.length + 1);
  });
});

describe('npx kinship migrate customer-ids in this release (it writes keyed ids)', () => {
  it('moves a table of old ids through the CLI, and the next purchase lands on the moved profile', async () => {
    const before = oldStyleItems();
    await seed(before);
    const run = await runCli(['migrate', 'customer-ids', '--endpoint', table.endpoint, '--table', table.name], { KINSHIP_SIGNING_KEY: SECRET });
    expect(run.code).toBe(0);
    expect(run.out).toContain('3 old ids mapped, 10 moved to the new id, 6 rewritten in place');
    expect(await everything()).toEqual(sorted(expectedAfter(before)));

    // What the app writes now is the id the migration moved Anna to: her next order adds to her profile, not a new one.
    const events = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
    try {
      const deps = {
        table,
        bus: { client: createEventBridgeClient(events.endpoint), name: 'kinship' },
        config: aShopConfig(),
        signingKey: SECRET,
        publicBaseUrl: 'http://localhost:3000',
        now: () => new Date('2026-11-25T12:00:00Z'),
      };
      const result = await recordPurchase(deps, aPurchase({ orderId: 'O-4', customerEmail: 'Anna@Example.com', purchasedAt: '2026-11-24T10:00:00Z' }));
      expect(result.customerId).toBe(keyed.anna);
    } finally {
      await events.stop();
    }
    const profile = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(keyed.anna), ConsistentRead: true }))).Item;
    expect(profile).toMatchObject({ customerId: keyed.anna, orderCount: 3, referralCount: 1 });
    expect((await everything()).filter((item) => item.entityType === 'PROFILE')).toHaveLength(3);
  });
});
