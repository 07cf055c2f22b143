import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { importOrderFile, type ImportDeps, type ImportRequest } from '#shared/imports/import-orders.ts';
import { ImportStore, newProfileItem, profileUpdate, type ProfileContext } from '#shared/imports/import-store.ts';
import type { ProfileDelta } from '#shared/purchases/profile-aggregates.ts';
import { profileFromItem, type CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { recordPurchase } from '#shared/purchases/record-purchase.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const config = aShopConfig();
const now = new Date('2026-11-25T12:00:00Z');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kinship-import-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const HEADER = 'order_id,order_date,email,sku,product_name,category,qty,unit_price,country,currency,customer_name';
/** Hand-checked history: Anna has two purchases and a refund, Björn pays in ISK and DKK. */
const SMALL = [
  HEADER,
  'O-1,2026-01-10T09:00:00Z,anna@example.com,TENT-2P,Tent,tents,1,249.90,IS,EUR,Anna',
  'O-4,2026-02-14T10:00:00Z,bjorn@example.com,MAP,Map,maps,2,5000,DK,ISK,Björn',
  'O-1,2026-01-10T09:00:00Z,anna@example.com,STOVE,Stove,stoves,2,30.00,IS,EUR,Anna',
  'O-2,2026-03-05T12:00:00Z,Anna@Example.com,SOCK,"Socks, wool",socks,3,12.50,IS,EUR,Anna',
  'O-3,2026-03-20T08:00:00Z,anna@example.com,TENT-2P,Tent,tents,1,-249.90,IS,EUR,Anna',
  'O-5,2026-02-15T10:00:00Z,bjorn@example.com,BOOT,Boots,boots,1,1000.00,DK,DKK,Björn',
].join('\n');

const annaExpected = {
  orderCount: 2,
  refundCount: 1,
  itemCount: 1 + 2 + 3 + 1,
  // 309.90 + 37.50 − 249.90 EUR
  netSpendMinor: 30990 + 3750 - 24990,
  // The tent and its refund cancel out, so no tents attribute is left.
  categorySpendMinor: { stoves: 6000, socks: 3750 },
  monthlySpendMinor: { '2026-01': 30990, '2026-03': 3750 - 24990 },
  firstPurchaseAt: '2026-01-10T09:00:00.000Z',
  lastPurchaseAt: '2026-03-05T12:00:00.000Z',
  country: 'IS',
  customerName: 'Anna',
};
const bjornExpected = {
  orderCount: 2,
  refundCount: 0,
  itemCount: 3,
  // 2 × 5000 ISK × 0.0069 = 69.00 EUR; 1000 DKK × 0.134 = 134.00 EUR
  netSpendMinor: 6900 + 13400,
  categorySpendMinor: { maps: 6900, boots: 13400 },
  monthlySpendMinor: { '2026-02': 20300 },
  country: 'DK',
};

async function csvFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function deps(table: Table, overrides: Partial<ImportDeps> = {}): ImportDeps {
  return { table, config, signingKey: TEST_SIGNING_KEY, now: () => now, concurrency: 4, ...overrides };
}

const request = (file: string): ImportRequest => ({ file, csv: { decimalComma: false, dateFormat: 'ISO', columnMap: {} } });

async function profileOf(table: Table, email: string): Promise<CustomerProfile> {
  const item = (
    await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerIdForEmail(email, TEST_SIGNING_KEY)), ConsistentRead: true }))
  ).Item;
  if (!item) throw new Error('profile missing');
  return profileFromItem(item);
}

/** Every profile and order of a table, without the times that differ between runs. */
async function contentsOf(table: Table) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(new ScanCommand({ TableName: table.name, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const profiles = items
    .filter((item) => item.entityType === 'PROFILE')
    .map((item) => ({ ...profileFromItem(item), createdAt: undefined, updatedAt: undefined }))
    .sort((a, b) => a.customerId.localeCompare(b.customerId));
  const orders = items
    .filter((item) => item.entityType === 'ORDER')
    .map((item) => ({ orderId: item.orderId, customerId: item.customerId, baseTotalMinor: item.baseTotalMinor, source: item.source }))
    .sort((a, b) => String(a.orderId).localeCompare(String(b.orderId)));
  return { profiles, orders };
}

/** A table whose client "dies" once the given write has landed `after` times: the write is applied, the answer is lost, and every later write too. */
function crashingTable(endpoint: string, name: string, command: RegExp, after: number): Table {
  const doc = createDocumentClient(endpoint);
  let seen = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!command.test(context.commandName ?? '')) return next(args);
      const result = await next(args);
      if (++seen >= after) throw new Error('simulated crash');
      return result;
    },
    { step: 'initialize', name: 'simulatedCrash' },
  );
  return { doc, name };
}

/** 130 customers, 250 orders of 1–3 lines, some refunds: enough for several write batches and two profile transactions. */
function historyCsv(): string {
  const lines = [HEADER];
  for (let order = 1; order <= 250; order++) {
    const customer = (order * 7) % 130;
    const day = String(1 + (order % 28)).padStart(2, '0');
    const month = String(1 + (order % 9)).padStart(2, '0');
    for (let line = 1; line <= 1 + (order % 3); line++) {
      const price = order % 11 === 0 ? `-${line}0.00` : `${order}.${line}5`;
      lines.push(
        `H-${order},2026-${month}-${day}T10:00:00Z,c${customer}@example.com,SKU-${line},Item ${line},cat-${(order + line) % 5},${line},${price},IS,EUR,C ${customer}`,
      );
    }
  }
  return lines.join('\n');
}

describe('importOrderFile against DynamoDB Local', () => {
  it('records the orders and builds profiles with exactly the hand-computed totals', async () => {
    const table = await createTestTable('import');
    const summary = await importOrderFile(deps(table), request(await csvFile('small.csv', SMALL)));
    expect(summary).toMatchObject({ outcome: 'imported', resumed: false, rejectsPath: undefined });
    expect(summary.counters).toMatchObject({
      rows: 6,
      rowsAccepted: 6,
      rowsRejected: 0,
      orders: 5,
      ordersWritten: 5,
      ordersAlreadyRecorded: 0,
      customers: 2,
      customersUpdated: 2,
    });
    expect(await profileOf(table, 'anna@example.com')).toMatchObject(annaExpected);
    expect(await profileOf(table, 'bjorn@example.com')).toMatchObject(bjornExpected);
    const order = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order('O-1') }))).Item;
    expect(order).toMatchObject({
      source: `import:${summary.importId}`,
      totalMinor: 30990,
      eventPublished: true,
      customerId: customerIdForEmail('anna@example.com', TEST_SIGNING_KEY),
    });
  });

  it('changes nothing when the same file is imported again', async () => {
    const table = await createTestTable('import-again');
    const file = await csvFile('again.csv', SMALL);
    const first = await importOrderFile(deps(table), request(file));
    const before = await contentsOf(table);
    const second = await importOrderFile(deps(table), request(file));
    expect(second.outcome).toBe('already-imported');
    expect(second.importId).toBe(first.importId);
    expect(await contentsOf(table)).toEqual(before);
    expect((await profileOf(table, 'anna@example.com')).orderCount).toBe(2);
  });

  it('never counts an order twice that the API already recorded, and names orders recorded differently', async () => {
    const table = await createTestTable('import-api');
    const bus = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
    try {
      const apiDeps = {
        table,
        bus: { client: createEventBridgeClient(bus.endpoint), name: 'kinship' },
        config,
        signingKey: TEST_SIGNING_KEY,
        publicBaseUrl: 'http://localhost:3000',
        now: () => now,
      };
      // O-2 exactly as in the file; O-5 with another price (the shop's API and export disagree).
      await recordPurchase(apiDeps, {
        orderId: 'O-2',
        customerEmail: 'anna@example.com',
        items: [{ sku: 'SOCK', name: 'Socks, wool', category: 'socks', price: 12.5, quantity: 3 }],
        total: 37.5,
        currency: 'EUR',
        purchasedAt: '2026-03-05T12:00:00Z',
      });
      await recordPurchase(apiDeps, {
        orderId: 'O-5',
        customerEmail: 'bjorn@example.com',
        items: [{ sku: 'BOOT', name: 'Boots', category: 'boots', price: 900, quantity: 1 }],
        total: 900,
        currency: 'DKK',
        purchasedAt: '2026-02-15T10:00:00Z',
      });
    } finally {
      await bus.stop();
    }
    const summary = await importOrderFile(deps(table), request(await csvFile('api.csv', SMALL)));
    expect(summary.counters).toMatchObject({ orders: 5, ordersAlreadyRecorded: 2, ordersWritten: 3 });
    expect(summary.ordersRecordedDifferently).toEqual(['O-5']);
    expect(await profileOf(table, 'anna@example.com')).toMatchObject(annaExpected);
    // O-5 counts once, at the API's 900 DKK (120.60 EUR), not the file's 1000 DKK.
    expect(await profileOf(table, 'bjorn@example.com')).toMatchObject({
      orderCount: 2,
      netSpendMinor: 6900 + 12060,
      categorySpendMinor: { maps: 6900, boots: 12060 },
    });
    const apiOrder = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order('O-2') }))).Item;
    expect(apiOrder?.source).toBe('api');
  });

  it('writes bad rows with their line and reason to the rejects file and still imports the good rows', async () => {
    const table = await createTestTable('import-rejects');
    const file = await csvFile(
      'rejects.csv',
      [
        HEADER,
        'G-1,2026-01-10T09:00:00Z,gina@example.com,TENT,Tent,tents,1,100.00,IS,EUR,Gina',
        'G-2,2026-01-11T09:00:00Z,gina@example.com,SOCK,Socks,socks,0,5.00,IS,EUR,Gina',
        'G-3,2026-01-12T09:00:00Z,not-an-email,SOCK,Socks,socks,1,5.00,IS,EUR,',
        'G-4,2026-01-13T09:00:00Z,gina@example.com,SOCK,Socks,socks,1,5.00,IS,EURO,Gina',
        'G-5,2026-01-14T09:00:00Z,gina@example.com,MAP,Map,maps,2,7.50,IS,EUR,Gina',
      ].join('\n'),
    );
    const rejectsPath = join(dir, 'rejects.out.csv');
    const summary = await importOrderFile(deps(table), { ...request(file), rejectsPath });
    expect(summary.rejectsPath).toBe(rejectsPath);
    expect(summary.counters).toMatchObject({ rows: 5, rowsAccepted: 2, rowsRejected: 3, orders: 2, ordersRejected: 3 });
    const rejected = (await readFile(rejectsPath, 'utf8')).trimEnd().split('\r\n');
    expect(rejected[0]).toBe(`rejected_line,reject_reason,${HEADER}`);
    expect(rejected[1]).toBe(
      '3,"In column ""qty"", ""0"" is zero: a line needs at least one unit (write a returned line as a negative quantity).",G-2,2026-01-11T09:00:00Z,gina@example.com,SOCK,Socks,socks,0,5.00,IS,EUR,Gina',
    );
    expect(rejected[2]).toBe(
      '4,"In column ""email"", ""not-an-email"" is not an email address.",G-3,2026-01-12T09:00:00Z,not-an-email,SOCK,Socks,socks,1,5.00,IS,EUR,',
    );
    expect(rejected[3]).toBe(
      '5,"In column ""currency"", ""EURO"" is not an ISO 4217 currency code such as EUR.",G-4,2026-01-13T09:00:00Z,gina@example.com,SOCK,Socks,socks,1,5.00,IS,EURO,Gina',
    );
    expect(rejected).toHaveLength(4);
    expect(await profileOf(table, 'gina@example.com')).toMatchObject({
      orderCount: 2,
      netSpendMinor: 10000 + 1500,
      categorySpendMinor: { tents: 10000, maps: 1500 },
    });
  });

  it.each([
    { phase: 'while writing orders', command: /BatchWrite/, after: 2 },
    { phase: 'while updating profiles', command: /TransactWrite/, after: 1 },
  ])('resumes after a crash $phase with totals identical to a clean import', async ({ command, after }) => {
    const file = await csvFile(`history-${after}.csv`, historyCsv());
    const clean = await createTestTable('import-clean');
    const cleanSummary = await importOrderFile(deps(clean), request(file));
    expect(cleanSummary.counters).toMatchObject({ orders: 250, customers: 130, rowsRejected: 0 });

    const crashed = await createTestTable('import-crash');
    await expect(importOrderFile(deps(crashingTable(crashed.endpoint, crashed.name, command, after)), request(file))).rejects.toThrow('simulated crash');
    const resumed = await importOrderFile(deps(crashed), request(file));
    expect(resumed).toMatchObject({ outcome: 'imported', resumed: true, importId: cleanSummary.importId });
    if (command.source === 'BatchWrite') expect(resumed.ordersFromEarlierRun).toBeGreaterThan(0);
    else expect(resumed.counters).toMatchObject({ customersAlreadyApplied: 100, customersUpdated: 30 });

    expect(await contentsOf(crashed)).toEqual(await contentsOf(clean));
    expect((await importOrderFile(deps(crashed), request(file))).outcome).toBe('already-imported');
  });
});

describe('profile writes of the import', () => {
  const context: ProfileContext = { importId: 'imp-1', baseCurrency: 'EUR', now: now.toISOString() };
  const delta = (customerId: string): ProfileDelta => ({
    customerId,
    email: 'p@example.com',
    customerName: 'P',
    locale: 'is',
    country: undefined,
    orderCount: 2,
    refundCount: 1,
    itemCount: 5,
    netSpendMinor: 1500,
    categoryMinor: { tents: 0, socks: 1500 },
    monthMinor: { '2026-01': 2000, '2026-02': -500 },
    firstPurchaseAt: '2026-01-02T00:00:00.000Z',
    lastPurchaseAt: '2026-01-20T00:00:00.000Z',
    latestOrderAt: '2026-02-01T00:00:00.000Z',
  });

  it('writes a new profile whole exactly as the update path would build it from nothing', async () => {
    const viaUpdate = await createTestTable('profile-update');
    const viaPut = await createTestTable('profile-put');
    await viaUpdate.doc.send(new UpdateCommand({ TableName: viaUpdate.name, Key: keys.profile('c_p'), ...profileUpdate(delta('c_p'), undefined, context) }));
    await viaPut.doc.send(new PutCommand({ TableName: viaPut.name, Item: newProfileItem(delta('c_p'), context) }));
    const read = async (table: Table) => (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile('c_p'), ConsistentRead: true }))).Item;
    const updated = await read(viaUpdate);
    expect(updated).toBeDefined();
    expect(await read(viaPut)).toEqual(updated);
  });

  it('adds to a profile that appeared after it was read instead of overwriting it', async () => {
    const table = await createTestTable('profile-race');
    const store = new ImportStore(table, { concurrency: 4 });
    // c_0 gets a profile from elsewhere; the import still believes no profile exists (an empty read).
    await table.doc.send(
      new UpdateCommand({ TableName: table.name, Key: keys.profile('c_0'), ...profileUpdate(delta('c_0'), undefined, { ...context, importId: 'other' }) }),
    );
    const deltas = ['c_0', 'c_1', 'c_2'].map(delta);
    const result = await store.applyProfiles(deltas, new Map(), context);
    expect(result).toEqual({ updated: 3, alreadyApplied: 0 });
    const profile = profileFromItem(
      (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile('c_0'), ConsistentRead: true }))).Item ?? {},
    );
    expect(profile).toMatchObject({ orderCount: 4, netSpendMinor: 3000, categorySpendMinor: { socks: 3000 } });
    // Applying the same import again changes nothing, even with a stale read that says "not applied".
    expect(await store.applyProfiles(deltas, new Map(), context)).toEqual({ updated: 0, alreadyApplied: 3 });
  });
});
