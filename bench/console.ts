/**
 * bench/console: the staff console's customer page over a table of CONSOLE_BENCH_PROFILES profiles (default 100,000)
 * in DynamoDB Local, against the bare calls that fetch the same items (Query of the CUST# partition, the GSI1 orders
 * Query, one BatchGetItem), measured side by side in the same run, alternating per request. The page time includes
 * assembling the view and rendering the HTML. Bound: page p95 within 2× of the bare calls' p95.
 */
import { createHash } from 'node:crypto';
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { loadCustomerView } from '#shared/console/customer-view.ts';
import { renderConsolePage } from '#shared/console/console-layout.ts';
import { customerPage } from '#shared/console/pages/customer-page.ts';
import { loadCatalogs, translator } from '#shared/i18n/catalogs.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { freePort, machineInfo, sizeFromEnvironment, type BenchReport } from './bench-harness.ts';

export const description =
  'console: the customer page over 100k profiles in DynamoDB Local vs the bare GetItem/Query/BatchGet calls for the same items (p95 within 2×)';

const idOf = (n: number) => `c_${createHash('sha256').update(String(n)).digest('hex').slice(0, 24)}`;
type Item = Record<string, unknown>;

/** A full customer: profile, 3 orders with form answers, consent, segments, email events, contacts, a case, a referral. */
function customerItems(n: number, total: number): Item[] {
  const id = idOf(n);
  const at = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString();
  const items: Item[] = [];
  for (let o = 0; o < 3; o++) {
    const orderId = `B-${n}-${o}`;
    items.push({
      ...keys.order(orderId),
      ...keys.orderByCustomer(id, at(o * 30), orderId),
      entityType: 'ORDER',
      orderId,
      customerId: id,
      purchasedAt: at(o * 30),
      totalMinor: 12_990,
      currency: 'EUR',
      kind: 'purchase',
      lines: [{ sku: 'TENT-2P' }],
    });
    items.push({
      ...keys.submission(orderId),
      entityType: 'SUBMISSION',
      orderId,
      customerId: id,
      submittedAt: at(o * 30 + 1),
      answers: { satisfaction: 2 + o, interests: ['tents'], satisfactionReason: 'ok' },
    });
  }
  for (let c = 0; c < 2; c++)
    items.push({
      ...keys.consentEntry(id, at(c * 40), `form#B-${n}-${c}`),
      entityType: 'CONSENT',
      kind: 'given',
      source: 'form',
      marketingConsent: true,
      at: at(c * 40),
      customerId: id,
    });
  for (const segment of ['gold', 'rfm-champions'])
    items.push({ ...keys.segmentMembership(id, segment), customerId: id, segment, enteredAt: at(70), runId: 'r1', reason: 'top 10% by 12-month value' });
  for (let e = 0; e < 5; e++)
    items.push({
      ...keys.emailEvent(id, at(60 + e), 'Delivery', `m-${n}-${e}`),
      entityType: 'EMAIL_EVENT',
      eventType: 'Delivery',
      customerId: id,
      messageId: `m-${n}-${e}`,
      campaignId: 'monthly-newsletter',
      at: at(60 + e),
    });
  for (let c = 0; c < 2; c++)
    items.push({
      ...keys.contact(id, at(80 + c), `i-${n}-${c}`),
      entityType: 'CONTACT',
      interactionId: `i-${n}-${c}`,
      customerId: id,
      channel: 'phone',
      reason: 'question',
      satisfied: 4,
      outcome: 'resolved',
      staffId: 'till-1',
      recordedAt: at(80 + c),
    });
  const caseId = `cs_bench_${n}`;
  items.push({
    ...keys.staffCase(caseId),
    entityType: 'CASE',
    caseId,
    customerId: id,
    status: 'open',
    source: 'form',
    sourceRef: `B-${n}-0`,
    reason: 'form',
    satisfied: 2,
    openedAt: at(2),
    needsPolicyChange: false,
    escalations: [],
  });
  items.push({ ...keys.caseOfCustomer(id, at(2), caseId), entityType: 'CASE_REF', caseId });
  const referred = idOf((n + 1) % total);
  items.push({ ...keys.referral(id, referred), entityType: 'REFERRAL', referrerId: id, referredId: referred, orderId: `B-${n}-1`, at: at(45) });
  return items;
}

function profile(n: number): Item {
  const id = idOf(n);
  return {
    ...keys.profile(id),
    entityType: 'PROFILE',
    customerId: id,
    email: `customer${n}@example.com`,
    customerName: `Customer ${n}`,
    currency: 'EUR',
    orderCount: 3,
    netSpendMinor: 38_970,
    firstPurchaseAt: '2026-01-01T00:00:00.000Z',
    lastPurchaseAt: '2026-03-02T00:00:00.000Z',
    latestSatisfaction: { score: 4, at: '2026-03-22T00:00:00.000Z', source: 'interaction' },
  };
}

async function writeAll(table: Table, items: Item[], concurrency = 16): Promise<void> {
  await batchWriteAll(
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
    { concurrency },
  );
}

/** The same items the page reads, fetched with the bare calls and nothing else. */
async function bareCalls(table: Table, customerId: string): Promise<number> {
  const [partition, orders] = await Promise.all([
    table.doc.send(new QueryCommand({ TableName: table.name, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `CUST#${customerId}` } })),
    table.doc.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :p)',
        ExpressionAttributeValues: { ':pk': `CUST#${customerId}`, ':p': 'ORDER#' },
        ScanIndexForward: false,
        Limit: 50,
      }),
    ),
  ]);
  const wanted = [
    ...(orders.Items ?? []).map((o) => keys.submission(String(o.orderId))),
    ...(partition.Items ?? []).filter((i) => String(i.SK).startsWith('CASEREF#')).map((i) => keys.staffCase(String(i.caseId))),
    ...(partition.Items ?? []).filter((i) => String(i.SK).startsWith('REFERRAL#')).map((i) => keys.profile(String(i.referredId))),
  ];
  const got = await table.doc.send(new BatchGetCommand({ RequestItems: { [table.name]: { Keys: wanted } } }));
  return (partition.Items?.length ?? 0) + (orders.Items?.length ?? 0) + (got.Responses?.[table.name]?.length ?? 0);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function run(): Promise<BenchReport> {
  const profiles = sizeFromEnvironment('CONSOLE_BENCH_PROFILES', 100_000, 1000);
  const sampled = Math.min(sizeFromEnvironment('CONSOLE_BENCH_CUSTOMERS', 200, 10), profiles);
  const requests = sizeFromEnvironment('CONSOLE_BENCH_REQUESTS', 400, 20);
  const db = await startDynamoDbLocal({ port: await freePort() });
  const table: Table = { doc: createDocumentClient(db.endpoint), name: 'bench-console' };
  try {
    await ensureTable(db.endpoint, table.name);
    const loadStarted = performance.now();
    const items: Item[] = [];
    for (let n = 0; n < profiles; n++) items.push(profile(n));
    const step = Math.floor(profiles / sampled);
    const sample = Array.from({ length: sampled }, (_, i) => i * step);
    for (const n of sample) items.push(...customerItems(n, profiles));
    await writeAll(table, items);
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    const t = translator(loadCatalogs(), 'en');
    const user = { username: 'staff@kinship.local', groups: ['staff'], csrf: 'x' };
    const page = async (customerId: string) => {
      const view = await loadCustomerView(table, customerId);
      if (!view) throw new Error(`no customer ${customerId}`);
      return renderConsolePage(customerPage(t, user, `/console/customers/${customerId}`, view, undefined), 'nonce').length;
    };
    const pageMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < requests + 50; i++) {
      const customerId = idOf(sample[i % sample.length] ?? 0);
      // Alternate which goes first, so neither always meets a warmer cache.
      const order = i % 2 === 0 ? (['page', 'bare'] as const) : (['bare', 'page'] as const);
      for (const which of order) {
        const started = performance.now();
        if (which === 'page') await page(customerId);
        else await bareCalls(table, customerId);
        const ms = performance.now() - started;
        if (i >= 50) (which === 'page' ? pageMs : bareMs).push(ms);
      }
    }
    pageMs.sort((a, b) => a - b);
    bareMs.sort((a, b) => a - b);
    const ratio = percentile(pageMs, 95) / percentile(bareMs, 95);
    const result = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      profiles,
      itemsWritten: items.length,
      loadSeconds: Number(loadSeconds.toFixed(1)),
      requests,
      page: { p50Ms: Number(percentile(pageMs, 50).toFixed(2)), p95Ms: Number(percentile(pageMs, 95).toFixed(2)) },
      bare: { p50Ms: Number(percentile(bareMs, 50).toFixed(2)), p95Ms: Number(percentile(bareMs, 95).toFixed(2)) },
      p95Ratio: Number(ratio.toFixed(2)),
      bound: 2,
      withinBound: ratio <= 2,
    };
    return {
      summary: [
        `customer page over ${profiles.toLocaleString('en')} profiles (${items.length.toLocaleString('en')} items, loaded in ${result.loadSeconds} s), ${requests} requests each, alternating:`,
        `  page (view + HTML)  p50 ${result.page.p50Ms} ms  p95 ${result.page.p95Ms} ms`,
        `  bare calls          p50 ${result.bare.p50Ms} ms  p95 ${result.bare.p95Ms} ms`,
        `  p95 ratio ${result.p95Ratio} (bound 2): ${result.withinBound ? 'within' : 'OVER'}`,
      ],
      result,
    };
  } finally {
    table.doc.destroy();
    await db.stop();
  }
}
