/**
 * reliability/form-storm: thousands of customers fill in the incentive form at once, through the local runtime's
 * HTTP server — each order's form submitted twice at the same moment (a double click, a flaky network), its confirm
 * button pressed three times at once, and some purchases posted twice by the shop's till. Then the table is read
 * back: every order's answers are stored (0 lost), every order has exactly one incentive code (0 duplicate, 0
 * missing), and no request was answered with a 5xx.
 */
import os from 'node:os';
import { loadSubmission } from '#shared/capture/order-context.ts';
import { confirmUrlFor } from '#shared/capture/signed-links.ts';
import { forEachScanPage } from '#shared/table/parallel-scan.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { aPurchase } from '#test/support/builders.ts';
import { captureTopology, clickConfirm, send, submitForm, submitJson, type Answers, type Reply } from '#test/support/capture-client.ts';
import { machineInfo, sizeFromEnvironment } from '../bench-harness.ts';
import { forEachIndex, formatCount, onDynamoDb, StatusTally } from '../support/reliability.ts';
import type { ReliabilityOptions, ReliabilityReport, ReliabilityScale } from './scenario.ts';

export const description = 'form storm: concurrent form submissions and confirmations with repeats → 0 lost answers, 0 duplicate incentives, 0 5xx';

const SIZES: Record<ReliabilityScale, number> = { full: 10_000, ci: 150 };
/**
 * One connection per request: a reused keep-alive socket that the server closes while a POST is being written
 * gives ECONNRESET, a client-side race that Node does not retry for POSTs (browsers do) and that is not what is tested.
 */
const FRESH_CONNECTION = { connection: 'close' };
/**
 * Orders in flight at once; each has up to three requests of its own in flight, so ~150 requests are open at a
 * time. More only queues in DynamoDB Local's one JVM on a 2-core machine until functions hit their timeouts.
 */
const IN_FLIGHT = 50;
/** Orders driven one at a time first, so the JVM's JIT and the handlers are warm before the storm. */
const WARM_UP = 10;
const SUBMIT_REPEATS = 2;
const CONFIRM_CLICKS = 3;
/** Every 10th purchase is posted twice, as a till retrying after a timeout would. */
const REPLAY_EVERY = 10;

/** Each order's customer posts from an address of its own: the per-IP rate limit (10 a minute) is not what is tested here. */
const clientIp = (i: number) => `127.${1 + Math.floor(i / 65_536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
const orderIdOf = (i: number) => `STORM-${String(i).padStart(6, '0')}`;
const emailOf = (i: number) => `storm-${i}@example.com`;
const answersOf = (i: number, token: string): Answers => ({
  token,
  lang: 'en',
  email: emailOf(i),
  products: ['TENT-2P'],
  acceptTerms: true,
  marketingConsent: true,
  satisfaction: 1 + (i % 5),
  whyChoseUs: `storm answer ${i}`,
  country: 'IS',
});

export async function run(scale: ReliabilityScale, options: ReliabilityOptions = {}): Promise<ReliabilityReport> {
  const orders = sizeFromEnvironment('RELIABILITY_FORM_STORM_ORDERS', SIZES[scale], 1);
  const signingKey = `form-storm-${Date.now()}-signing-key-of-32-bytes-or-more`;
  const runtime = await startLocalRuntime({
    topology: captureTopology,
    inMemory: true,
    ...onDynamoDb(options, 'reliability-form-storm'),
    signingKey,
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    seed: false,
    tickSchedules: false,
  });
  const table: Table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
  try {
    return await storm(runtime, table, signingKey, orders, scale);
  } finally {
    table.doc.destroy();
    await runtime.stop();
  }
}

async function storm(runtime: LocalRuntime, table: Table, signingKey: string, orders: number, scale: ReliabilityScale): Promise<ReliabilityReport> {
  const tally = new StatusTally();
  const call = async (route: string, request: () => Promise<Reply>): Promise<Reply | undefined> => {
    try {
      const reply = await request();
      tally.record(route, reply.status, reply.body);
      return reply;
    } catch (error) {
      tally.recordTransportError(route, error);
      return undefined;
    }
  };
  const purchasedAt = new Date(Date.now() - 3_600_000).toISOString();

  const driveOrder = async (i: number) => {
    const purchase = JSON.stringify(aPurchase({ orderId: orderIdOf(i), customerEmail: emailOf(i), customerName: `Storm ${i}`, locale: 'en', purchasedAt }));
    const postPurchase = () =>
      send(new URL('/api/purchases', runtime.urls.api).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey, ...FRESH_CONNECTION },
        body: purchase,
      });
    const recorded = await Promise.all(Array.from({ length: i % REPLAY_EVERY === 0 ? 2 : 1 }, () => call('POST /api/purchases', postPurchase)));
    const formUrl = recorded.map((reply) => (reply && reply.status < 300 ? formUrlOf(reply.body) : undefined)).find((url) => url !== undefined);
    const token = formUrl === undefined ? undefined : new URL(formUrl).pathname.split('/').pop();
    if (token === undefined) return;
    // The same answers twice at once; half the customers post JSON, half the plain HTML form.
    const submit = i % 2 === 0 ? submitJson : submitForm;
    await Promise.all(
      Array.from({ length: SUBMIT_REPEATS }, () =>
        call('POST /api/submissions', () => submit(runtime, answersOf(i, token), { fromIp: clientIp(i), headers: FRESH_CONNECTION })),
      ),
    );
    const submission = await loadSubmission(table, orderIdOf(i), true);
    if (submission === undefined) return;
    const link = confirmUrlFor(runtime.urls.api, signingKey, orderIdOf(i), submission.optInTokenExp);
    await Promise.all(
      Array.from({ length: CONFIRM_CLICKS }, () => call('POST /confirm', () => clickConfirm(link, { fromIp: clientIp(i), headers: FRESH_CONNECTION }))),
    );
  };
  const warmUp = await forEachIndex(Math.min(WARM_UP, orders), 1, driveOrder);
  const requestsBefore = tally.total;
  const started = performance.now();
  const stormed = await forEachIndex(orders - Math.min(WARM_UP, orders), IN_FLIGHT, (i) => driveOrder(i + WARM_UP));
  const failures = [...warmUp, ...stormed];
  const seconds = (performance.now() - started) / 1000;
  const stormRequests = tally.total - requestsBefore;
  await runtime.idle();

  // Read everything back.
  let lostAnswers = 0;
  let unconfirmed = 0;
  const lostExamples: string[] = [];
  await forEachIndex(orders, 32, async (i) => {
    const submission = await loadSubmission(table, orderIdOf(i), true);
    const expected = answersOf(i, '');
    if (
      submission === undefined ||
      submission.answers.whyChoseUs !== expected.whyChoseUs ||
      submission.answers.satisfaction !== expected.satisfaction ||
      submission.email !== emailOf(i)
    ) {
      lostAnswers++;
      if (lostExamples.length < 5) lostExamples.push(orderIdOf(i));
    }
    if (submission?.optInConfirmedAt === undefined) unconfirmed++;
  });
  const codesPerOrder = new Map<string, number>();
  await forEachScanPage(
    table,
    4,
    {
      FilterExpression: 'entityType = :t AND begins_with(orderId, :storm)',
      ExpressionAttributeValues: { ':t': 'INCENTIVE_CODE', ':storm': 'STORM-' },
      ConsistentRead: true,
    },
    (page) => {
      for (const item of page.Items ?? []) {
        const orderId = item.orderId;
        if (typeof orderId === 'string') codesPerOrder.set(orderId, (codesPerOrder.get(orderId) ?? 0) + 1);
      }
    },
  );
  const issuedEvents = new Map<string, number>();
  for (const event of runtime.bus.published) {
    if (event['detail-type'] !== 'IncentiveIssued') continue;
    const orderId = /"orderId":"(STORM-\d+)"/.exec(JSON.stringify(event.detail))?.[1];
    if (orderId) issuedEvents.set(orderId, (issuedEvents.get(orderId) ?? 0) + 1);
  }
  let duplicateIncentives = 0;
  let missingIncentives = 0;
  for (let i = 0; i < orders; i++) {
    const codes = codesPerOrder.get(orderIdOf(i)) ?? 0;
    const events = issuedEvents.get(orderIdOf(i)) ?? 0;
    duplicateIncentives += Math.max(codes, events) > 1 ? 1 : 0;
    missingIncentives += codes === 0 ? 1 : 0;
  }
  const requests = tally.total;
  const statuses = tally.statuses();
  const nonSuccess = Object.entries(statuses)
    .filter(([status]) => !/^2\d\d$/.test(status))
    .reduce((sum, [, n]) => sum + n, 0);

  const violations: string[] = [];
  if (lostAnswers > 0) violations.push(`${lostAnswers} of ${orders} orders lost their answers (e.g. ${lostExamples.join(', ')})`);
  if (duplicateIncentives > 0) violations.push(`${duplicateIncentives} orders got more than one incentive`);
  if (missingIncentives > 0) violations.push(`${missingIncentives} confirmed orders got no incentive`);
  if (unconfirmed > 0) violations.push(`${unconfirmed} orders were not confirmed`);
  if (tally.serverErrorCount > 0) violations.push(`${tally.serverErrorCount} requests answered 5xx, e.g. ${JSON.stringify(tally.serverErrors[0])}`);
  if (tally.transportErrorCount > 0) violations.push(`${tally.transportErrorCount} requests got no answer, e.g. ${tally.transportErrors[0]?.message}`);
  if (nonSuccess > 0)
    violations.push(`${nonSuccess} requests were refused (statuses ${JSON.stringify(statuses)}): with one address per customer none should be`);
  if (failures.length > 0) violations.push(`${failures.length} orders could not be driven: ${String(failures[0])}`);

  return {
    summary: [
      `${formatCount(orders)} orders: ${formatCount(orders * SUBMIT_REPEATS)} submissions (each order twice at once), ${formatCount(orders * CONFIRM_CLICKS)} confirm clicks (three at once), ${formatCount(Math.ceil(orders / REPLAY_EVERY))} purchases replayed`,
      `${formatCount(requests)} requests; after ${WARM_UP} orders to warm up, ${formatCount(stormRequests)} in ${seconds.toFixed(1)} s (${(stormRequests / seconds).toFixed(1)} requests/s, ${IN_FLIGHT} orders in flight); statuses ${JSON.stringify(statuses)}`,
      `${lostAnswers} lost answers, ${duplicateIncentives} duplicate incentives, ${missingIncentives} missing incentives, ${tally.serverErrorCount} 5xx`,
    ],
    result: {
      date: new Date().toISOString(),
      machine: machineInfo(),
      scale,
      orders,
      submissions: orders * SUBMIT_REPEATS,
      confirmClicks: orders * CONFIRM_CLICKS,
      requests,
      seconds: Number(seconds.toFixed(2)),
      requestsPerSecond: Number((stormRequests / seconds).toFixed(1)),
      loadAverageAtEnd: os.loadavg()[0],
      ordersInFlight: IN_FLIGHT,
      statusesByRoute: tally.byRoute,
      lostAnswers,
      duplicateIncentives,
      missingIncentives,
      unconfirmed,
      serverErrors: tally.serverErrorCount,
      incentiveCodes: [...codesPerOrder.values()].reduce((a, b) => a + b, 0),
    },
    violations,
  };
}

function formUrlOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && 'formUrl' in parsed && typeof parsed.formUrl === 'string' ? parsed.formUrl : undefined;
  } catch {
    return undefined;
  }
}
