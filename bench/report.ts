/**
 * bench/report: building the results report (parallel Scan with projection → streaming accumulation → every
 * section → the HTML page) over 100,000 profiles, 1,000,000 email events, 200,000 orders and a newsletter's
 * claims in DynamoDB Local, against a bare parallel Scan of the same table with the same segments, in the same run.
 * Sizes: BENCH_REPORT_PROFILES, BENCH_REPORT_EMAIL_EVENTS, BENCH_REPORT_ORDERS (a small run: 2000 / 20000 / 4000).
 */
import { loadavg } from 'node:os';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { forEachConcurrent } from '#shared/runtime/concurrency.ts';
import { createReport } from '#shared/reports/create-report.ts';
import { DEFAULT_SCAN_SEGMENTS } from '#shared/reports/load-report-data.ts';
import { renderReportHtml } from '#shared/reports/render-report.ts';
import { loadReportSettings } from '#shared/reports/report-settings.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { bareScan, freePort, machineInfo, sizeFromEnvironment, timed, type BenchReport } from './bench-harness.ts';

export const description = 'results report over profiles, email events, orders and claims in DynamoDB Local vs a bare parallel Scan (same run)';

const GOAL = 0.8;
const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const EVENT_TYPES = ['send', 'delivery', 'open', 'click', 'bounce'] as const;

/** A small deterministic generator (mulberry32): the same table every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The items, in the contracts' shapes, generated lazily so the loader never holds them all. */
function* benchItems(sizes: { profiles: number; emailEvents: number; orders: number }): Generator<Record<string, unknown>> {
  const random = prng(7);
  const cust = (i: number) => `c_${String(i).padStart(24, '0')}`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const sentAt = START + 180 * DAY;
  for (let i = 0; i < sizes.profiles; i++) {
    yield {
      PK: `CUST#${cust(i)}`,
      SK: 'PROFILE',
      entityType: 'PROFILE',
      customerId: cust(i),
      email: `${cust(i)}@example.com`,
      orderCount: 2,
      netSpendMinor: 12000,
      'ans#heardFrom': { value: ['friend', 'search', 'social', 'store'][i % 4], at: iso(START), source: 'form', orderId: `o${i}` },
    };
    const held = random() < 0.1;
    yield {
      PK: `SEND#newsletter#2026-06-30`,
      SK: `CUST#${cust(i)}`,
      entityType: 'SEND',
      campaignId: 'newsletter',
      occurrenceId: '2026-06-30',
      customerId: cust(i),
      ...(held
        ? { status: 'held-out', heldOutAt: iso(sentAt) }
        : { status: 'sent', sentAt: iso(sentAt), deliveredAt: iso(sentAt), ...(random() < 0.4 ? { firstOpenedAt: iso(sentAt + 3600_000) } : {}) }),
    };
  }
  for (let i = 0; i < sizes.orders; i++) {
    const customerId = cust(Math.floor(random() * sizes.profiles));
    const at = iso(START + Math.floor(random() * 330 * DAY));
    const total = 1000 + Math.floor(random() * 20000);
    yield {
      PK: `ORDER#o${i}`,
      SK: 'ORDER',
      GSI1PK: `CUST#${customerId}`,
      GSI1SK: `ORDER#${at}#o${i}`,
      entityType: 'ORDER',
      orderId: `o${i}`,
      customerId,
      kind: 'purchase',
      currency: 'EUR',
      totalMinor: total,
      baseTotalMinor: total,
      categoryMinor: { [['tents', 'clothing', 'boots'][i % 3] ?? 'boots']: total },
      purchasedAt: at,
      lines: [{ sku: 'SKU-1', name: 'Item', category: 'tents', priceMinor: total, quantity: 1 }],
      source: 'api',
    };
    if (i % 3 === 0)
      yield {
        PK: `ORDER#o${i}`,
        SK: 'SUBMISSION',
        orderId: `o${i}`,
        customerId,
        submittedAt: at,
        firstSubmittedAt: at,
        answers: { satisfaction: 1 + (i % 5), products: [], interests: [] },
        ...(i % 2 === 0 ? { optInConfirmedAt: at } : {}),
      };
  }
  for (let i = 0; i < sizes.emailEvents; i++) {
    const customerId = cust(i % sizes.profiles);
    const eventType = EVENT_TYPES[i % EVENT_TYPES.length] ?? 'send';
    const at = iso(sentAt + (i % 1000) * 1000);
    yield {
      PK: `CUST#${customerId}`,
      SK: `EMAILEVT#${at}#${eventType}#m${i}`,
      entityType: 'EMAIL_EVENT',
      eventType,
      campaignId: 'newsletter',
      occurrenceId: '2026-06-30',
      messageId: `m${i}`,
      kind: 'marketing',
      at,
      expiresAt: Math.floor(Date.parse(at) / 1000) + 395 * 86_400,
      ...(eventType === 'click' ? { link: 'https://shop.example/tents' } : {}),
    };
  }
  yield {
    PK: 'STATS#newsletter',
    SK: 'OCC#2026-06-30',
    entityType: 'CAMPAIGN_STATS',
    campaignId: 'newsletter',
    occurrenceId: '2026-06-30',
    sent: sizes.profiles,
    delivered: sizes.profiles,
    opened: Math.floor(sizes.profiles * 0.4),
  };
  for (let d = 0; d < 30; d++)
    yield { PK: 'STATS#ALL', SK: `DAY#${iso(sentAt + d * DAY).slice(0, 10)}`, sent: 1000, delivered: 980, bounced: 15, complained: 1 };
  for (let w = 0; w < 40; w++)
    yield {
      PK: 'SEGRUN',
      SK: `RUN#${iso(START + w * 7 * DAY)}#r${w}`,
      runId: `r${w}`,
      asOf: iso(START + w * 7 * DAY),
      counts: { gold: 100 + w, lapsed: 300 - w, 'one-time': 5000 + 10 * w },
    };
}

async function load(table: Table, items: Iterable<Record<string, unknown>>, onProgress: (n: number) => void): Promise<number> {
  let loaded = 0;
  let batch: Record<string, unknown>[] = [];
  const batches: Record<string, unknown>[][] = [];
  const flush = async () => {
    await forEachConcurrent(batches.splice(0), 16, async (b) => {
      await batchWriteAll(
        table,
        b.map((Item) => ({ PutRequest: { Item } })),
      );
      loaded += b.length;
    });
    onProgress(loaded);
  };
  for (const item of items) {
    batch.push(item);
    if (batch.length === 25) {
      batches.push(batch);
      batch = [];
      if (batches.length === 400) await flush();
    }
  }
  if (batch.length > 0) batches.push(batch);
  await flush();
  return loaded;
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return {
    reset: () => (peak = process.memoryUsage().rss),
    stop: () => {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20);
    },
  };
}

export async function run(): Promise<BenchReport> {
  const sizes = {
    profiles: sizeFromEnvironment('BENCH_REPORT_PROFILES', 100_000, 10),
    emailEvents: sizeFromEnvironment('BENCH_REPORT_EMAIL_EVENTS', 1_000_000, 0),
    orders: sizeFromEnvironment('BENCH_REPORT_ORDERS', 200_000, 1),
  };
  // In memory at every size: on disk (SQLite journaling every batch) DynamoDB Local loaded the full size at ~650
  // items/s against ~3,700 in memory, and the full size's 1.47 M items fit a 4 GB heap on this 23 GB machine.
  const items = 2 * sizes.profiles + sizes.emailEvents + sizes.orders * 1.34;
  // At the full size a 4 GB heap left the emulator's Scan GC-bound (5.6 GB resident, no page in 10 minutes).
  const heapMb = sizeFromEnvironment('BENCH_REPORT_HEAP_MB', items > 400_000 ? 10_240 : 1024, 512);
  const rounds = sizeFromEnvironment('BENCH_REPORT_ROUNDS', 2, 1);
  const db = await startDynamoDbLocal({ port: await freePort(), maxHeapMb: heapMb });
  try {
    const name = `bench-report-${Date.now()}`;
    await ensureTable(db.endpoint, name);
    const table: Table = { doc: createDocumentClient(db.endpoint), name };
    const loadStarted = Date.now();
    const loaded = await load(table, benchItems(sizes), (n) => process.stderr.write(`\rloading: ${n.toLocaleString('en-US')} items`));
    process.stderr.write(`\nloaded ${loaded.toLocaleString('en-US')} items in ${((Date.now() - loadStarted) / 1000).toFixed(0)} s (untimed)\n`);

    const settings = loadReportSettings();
    const segments = DEFAULT_SCAN_SEGMENTS;
    const scans: number[] = [];
    const reports: number[] = [];
    let htmlBytes = 0;
    let campaigns = 0;
    const memory = rssSampler();
    let peakRssMb = 0;
    // Alternate (scan, report) and keep the best of each: the machine is shared and single timings are noisy.
    for (let round = 0; round < rounds; round++) {
      const scan = await timed(() => bareScan(table, segments));
      if (scan.value !== loaded) throw new Error(`bare scan read ${scan.value} items, loaded ${loaded}`);
      scans.push(scan.seconds);
      memory.reset();
      const built = await timed(async () => {
        const { report, items } = await createReport(table, settings, {
          range: { from: undefined, to: Date.parse('2026-12-31T23:59:59Z') },
          now: new Date('2026-12-31T00:00:00Z'),
          segments,
        });
        return { report, items, html: await renderReportHtml(report) };
      });
      if (built.value.items !== loaded) throw new Error(`report scanned ${built.value.items} items, loaded ${loaded}`);
      reports.push(built.seconds);
      htmlBytes = built.value.html.length;
      campaigns = built.value.report.campaigns.length;
      peakRssMb = Math.max(peakRssMb, memory.stop());
    }
    const scanSeconds = Math.min(...scans);
    const reportSeconds = Math.min(...reports);
    const ratio = Number((scanSeconds / reportSeconds).toFixed(3));
    table.doc.destroy();
    const f = (n: number) => Math.round(n).toLocaleString('en-US');
    return {
      summary: [
        `${f(loaded)} items (${f(sizes.profiles)} profiles + as many claims, ${f(sizes.emailEvents)} email events, ${f(sizes.orders)} orders + ${f(Math.ceil(sizes.orders / 3))} submissions), ${segments} scan segments`,
        `report (scan with projection + sections + HTML): ${reportSeconds.toFixed(2)} s = ${f(loaded / reportSeconds)} items/s (rounds: ${reports.map((s) => s.toFixed(2)).join(', ')} s)`,
        `bare parallel Scan: ${scanSeconds.toFixed(2)} s = ${f(loaded / scanSeconds)} items/s (rounds: ${scans.map((s) => s.toFixed(2)).join(', ')} s)`,
        `ratio ${ratio} (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'}); peak RSS while building the report ${peakRssMb} MB; HTML ${f(htmlBytes / 1024)} KB`,
      ],
      result: {
        date: new Date().toISOString(),
        machine: machineInfo(),
        sizes,
        items: loaded,
        scanSegments: segments,
        dynamodb: `DynamoDB Local in memory, -sharedDb, no streams, ${heapMb} MB heap`,
        loadAverage: loadavg().map((n) => Number(n.toFixed(1))),
        reportSeconds: reports,
        bareScanSeconds: scans,
        bestReportSeconds: reportSeconds,
        bestBareScanSeconds: scanSeconds,
        reportItemsPerSecond: Math.round(loaded / reportSeconds),
        bareScanItemsPerSecond: Math.round(loaded / scanSeconds),
        ratio,
        goal: GOAL,
        peakRssMb,
        htmlKb: Math.round(htmlBytes / 1024),
        campaigns,
      },
    };
  } finally {
    await db.stop();
  }
}
