import os from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { startPutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { computeSegments, isMember, type Segmentation } from '#shared/segments/compute-segments.ts';
import { computeSegmentsInParallel, computeThreads, startRankWorkers } from '#shared/segments/parallel-compute.ts';
import { sortByCustomerId } from '#shared/segments/customer-order.ts';
import { ProfileColumnsBuilder } from '#shared/segments/profile-columns.ts';
import { allCodes } from '#shared/segments/rfm-map.ts';
import { defaultSegmentsConfig } from '#shared/segments/segment-config.ts';
import { FIRST_RFM_SEGMENT, planSegments, RULE } from '#shared/segments/segment-plan.ts';
import { diffMemberships, runSegmenter, type SegmenterRunSummary } from '#shared/segments/run-segmenter.ts';
import { writeMemberships } from '#shared/segments/segment-store.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { bareScan, freePort, machineInfo, sizeFromEnvironment, timed, type BenchReport } from './bench-harness.ts';
import { createPrng } from '#local/seed-demo-shop.ts';

export const description =
  'segmentation: (a) RFM + gold/silver over 1M in-memory profiles, on one thread and on every core, vs the same in DuckDB SQL on one thread and on all; (b) a scheduled run over profiles in DynamoDB Local vs a bare parallel Scan';

const COMPUTE_GOAL = 1.0;
const END_TO_END_GOAL = 0.8;
const DAY = 86_400_000;
const NOW = new Date('2026-11-30T12:00:00Z');

/** Synthetic profiles: ~3% refund-only, order counts skewed low (many ties), recency up to ~3 years, some net-negative. */
function* syntheticProfiles(count: number, seed: number): Generator<CustomerProfile> {
  const random = createPrng(seed);
  const hex = () =>
    Math.floor(random() * 0x1000000)
      .toString(16)
      .padStart(6, '0');
  const month = `${NOW.getUTCFullYear()}-${String(NOW.getUTCMonth() + 1).padStart(2, '0')}`;
  for (let i = 0; i < count; i++) {
    const refundOnly = random() < 0.03;
    const orders = refundOnly ? 0 : 1 + Math.floor(-Math.log(1 - random()) * 2.5);
    const lastDays = Math.floor(random() * random() * 1100);
    const firstDays = lastDays + (orders > 1 ? Math.floor(random() * 900) : 0);
    const net = refundOnly ? -Math.floor(random() * 20_000) : Math.floor(orders * (500 + random() * 15_000)) - (random() < 0.02 ? 200_000 : 0);
    const value = lastDays < 330 ? Math.floor(net * (0.2 + random() * 0.8)) : 0;
    yield {
      customerId: `c_${hex()}${hex()}${hex()}${hex()}`,
      email: undefined,
      customerName: undefined,
      locale: 'en',
      country: 'IS',
      currency: 'EUR',
      createdAt: undefined,
      updatedAt: undefined,
      firstPurchaseAt: refundOnly ? undefined : new Date(NOW.getTime() - firstDays * DAY - 3_600_000).toISOString(),
      lastPurchaseAt: refundOnly ? undefined : new Date(NOW.getTime() - lastDays * DAY - 3_600_000).toISOString(),
      orderCount: orders,
      refundCount: refundOnly ? 1 : 0,
      itemCount: orders * 2,
      netSpendMinor: net,
      categorySpendMinor: { tents: net },
      monthlySpendMinor: { [month]: value },
      latestSatisfaction: random() < 0.1 ? { score: 1 + Math.floor(random() * 5), at: NOW.toISOString(), source: 'form' } : undefined,
      referralCount: random() < 0.05 ? 1 : 0,
    };
  }
}

function profileItem(p: CustomerProfile): Record<string, unknown> {
  return {
    PK: `CUST#${p.customerId}`,
    SK: 'PROFILE',
    entityType: 'PROFILE',
    customerId: p.customerId,
    currency: 'EUR',
    locale: p.locale,
    country: p.country,
    orderCount: p.orderCount,
    refundCount: p.refundCount,
    itemCount: p.itemCount,
    netSpendMinor: p.netSpendMinor,
    firstPurchaseAt: p.firstPurchaseAt,
    lastPurchaseAt: p.lastPurchaseAt,
    latestSatisfaction: p.latestSatisfaction,
    referralCount: p.referralCount,
    ...Object.fromEntries(Object.entries(p.monthlySpendMinor).map(([m, v]) => [`mon#${m}`, v])),
    ...Object.fromEntries(Object.entries(p.categorySpendMinor).map(([c, v]) => [`cat#${c}`, v])),
  };
}

function peakMemorySampler() {
  const start = process.memoryUsage();
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed + m.arrayBuffers);
  };
  const timer = setInterval(sample, 20);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
      return { startRssMb: mb(start.rss), peakRssMb: mb(rss), peakHeapPlusBuffersMb: mb(heap) };
    },
  };
}

// ------------------------------------------------------------------------------------------ (a) compute vs DuckDB

const RFM_SQL = (goldPercent: number, silverPercent: number) => `
CREATE OR REPLACE MACRO qedge(n, q) AS
  CASE WHEN (n - 1) * q - floor((n - 1) * q) >= 0.5
       THEN floor((n - 1) * q) + 2 - (1 - ((n - 1) * q - floor((n - 1) * q)))
       ELSE floor((n - 1) * q) + 1 + ((n - 1) * q - floor((n - 1) * q)) END;
CREATE OR REPLACE MACRO qlabel(r, n) AS
  CASE WHEN r <= qedge(n, 0.2) THEN 1 WHEN r <= qedge(n, 0.4) THEN 2 WHEN r <= qedge(n, 0.6000000000000001) THEN 3
       WHEN r <= qedge(n, 0.8) THEN 4 ELSE 5 END;
CREATE OR REPLACE TABLE result AS
WITH scored AS (SELECT * FROM profiles WHERE orders >= 1),
total AS (SELECT count(*)::DOUBLE AS n FROM scored),
ranked AS (
  SELECT id, value12m,
    row_number() OVER (ORDER BY recency, id) AS rr,
    row_number() OVER (ORDER BY orders, id) AS fr,
    row_number() OVER (ORDER BY net, id) AS mr,
    row_number() OVER (ORDER BY value12m DESC, id) AS vr
  FROM scored),
scores AS (
  SELECT id, 6 - qlabel(rr, n) AS r, qlabel(fr, n) AS f, qlabel(mr, n) AS m,
    value12m > 0 AND vr <= floor(n * ${goldPercent} / 100 + 1e-9) AS gold,
    value12m > 0 AND vr > floor(n * ${goldPercent} / 100 + 1e-9) AND vr <= floor(n * ${goldPercent + silverPercent} / 100 + 1e-9) AS silver
  FROM ranked, total)
SELECT s.id, g.grp, s.gold, s.silver FROM scores s JOIN rf_map g ON g.code = (s.r - 1) * 5 + (s.f - 1);`;

async function loadDuckDb(connection: DuckDBConnection, s: Segmentation): Promise<void> {
  const { columns, plan } = s;
  await connection.run('CREATE TABLE profiles (id VARCHAR, orders DOUBLE, recency DOUBLE, net DOUBLE, value12m DOUBLE)');
  await connection.run('CREATE TABLE rf_map (code INTEGER, grp VARCHAR)');
  const map = await connection.createAppender('rf_map');
  allCodes('rf').forEach((_, code) => {
    map.appendInteger(code);
    map.appendVarchar(plan.segments[FIRST_RFM_SEGMENT + (plan.groupLookup[code] ?? 0)]?.id ?? '?');
    map.endRow();
  });
  map.closeSync();
  const appender = await connection.createAppender('profiles');
  for (let row = 0; row < columns.count; row++) {
    appender.appendVarchar(columns.ids[row] ?? '');
    appender.appendDouble(columns.orderCount[row] ?? 0);
    const recency = columns.recencyDays[row] ?? 0;
    appender.appendDouble(Number.isNaN(recency) ? 0 : recency);
    appender.appendDouble(columns.netSpendMinor[row] ?? 0);
    appender.appendDouble(columns.value12mMinor[row] ?? 0);
    appender.endRow();
  }
  appender.closeSync();
}

/** Compares DuckDB's (group, gold, silver) per customer with ours; returns the number of customers that differ. */
async function compareWithDuckDb(connection: DuckDBConnection, s: Segmentation): Promise<{ compared: number; mismatches: number }> {
  const reader = await connection.runAndReadAll('SELECT id, grp, gold, silver FROM result ORDER BY id');
  const [ids = [], groups = [], gold = [], silver = []] = reader.getColumns();
  const scored: number[] = [];
  for (let row = 0; row < s.columns.count; row++) if ((s.columns.orderCount[row] ?? 0) >= 1) scored.push(row);
  const byId = sortByCustomerId(s.columns.ids, scored);
  let mismatches = ids.length === byId.length ? 0 : Math.abs(ids.length - byId.length);
  byId.forEach((row, i) => {
    const group = s.plan.segments.find((seg, index) => seg.kind === 'rfm' && isMember(s, row, index))?.id;
    if (ids[i] !== s.columns.ids[row] || groups[i] !== group || gold[i] !== isMember(s, row, RULE.gold) || silver[i] !== isMember(s, row, RULE.silver))
      mismatches++;
  });
  return { compared: byId.length, mismatches };
}

/** The middle of a list of numbers (the lower middle for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** True when two segmentations agree on every membership bit, score and value rank. */
function sameSegmentation(a: Segmentation, b: Segmentation): boolean {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  };
  return (
    same(a.columns.membership, b.columns.membership) &&
    same(a.r, b.r) &&
    same(a.f, b.f) &&
    same(a.m, b.m) &&
    same(a.valueRank, b.valueRank) &&
    JSON.stringify(a.cutoffs) === JSON.stringify(b.cutoffs)
  );
}

async function computeBench(profiles: number, rounds: number) {
  const config = defaultSegmentsConfig();
  const plan = planSegments(config, NOW);
  const builder = new ProfileColumnsBuilder(plan, profiles);
  for (const p of syntheticProfiles(profiles, 11)) builder.add(p);
  const columns = builder.build();
  // Fresh membership bits per compute (rules set, RFM and value not yet), as a run hands them over.
  const withRules = columns.membership.slice();
  const fresh = () => ({ ...columns, membership: withRules.slice() });
  // The worker threads start before the clock, as DuckDB's instance and its thread pool do; their start is reported.
  const threads = computeThreads();
  const started = await timed(async () => startRankWorkers(threads));
  const workers = started.value;
  try {
    // Warm-up on a small sample so the timed runs measure optimized code, as DuckDB's is native.
    const warmPlan = planSegments(config, NOW);
    const warm = new ProfileColumnsBuilder(warmPlan, 50_000);
    for (const p of syntheticProfiles(50_000, 3)) warm.add(p);
    const warmColumns = warm.build();
    computeSegments(warmPlan, { ...warmColumns, membership: warmColumns.membership.slice() });
    const firstTask = await timed(async () => computeSegmentsInParallel(warmPlan, { ...warmColumns, membership: warmColumns.membership.slice() }, workers));

    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const memory = peakMemorySampler();
      const first = await timed(async () => computeSegments(plan, fresh()));
      const oursMemory = memory.stop();
      await loadDuckDb(connection, first.value);
      const duckThreads = Number((await (await connection.run("SELECT current_setting('threads')")).getRows())[0]?.[0]) || 1;
      const sql = RFM_SQL(config.value.goldTopPercent, config.value.silverNextPercent);
      // Interleaved rounds, the four contenders in turn; medians reported, every round kept in the JSON.
      const seconds: Record<'ours' | 'oursParallel' | 'duck' | 'duckAll', number[]> = { ours: [first.seconds], oursParallel: [], duck: [], duckAll: [] };
      let identical = true;
      for (let round = 0; round < rounds; round++) {
        if (round > 0) seconds.ours.push((await timed(async () => computeSegments(plan, fresh()))).seconds);
        const parallel = await timed(async () => computeSegmentsInParallel(plan, fresh(), workers));
        seconds.oursParallel.push(parallel.seconds);
        identical &&= sameSegmentation(parallel.value, first.value);
        await connection.run('SET threads = 1');
        seconds.duck.push((await timed(async () => connection.run(sql))).seconds);
        await connection.run(`SET threads = ${duckThreads}`);
        seconds.duckAll.push((await timed(async () => connection.run(sql))).seconds);
      }
      const comparison = await compareWithDuckDb(connection, first.value);
      const perSec = (list: number[]) => Math.round(profiles / median(list));
      const oursPerSec = perSec(seconds.ours);
      const oursParallelPerSec = perSec(seconds.oursParallel);
      const duckPerSec = perSec(seconds.duck);
      const duckAllThreadsPerSec = perSec(seconds.duckAll);
      return {
        profiles,
        rounds,
        scored: first.value.cutoffs.scored,
        threads: workers.threads,
        workerStartMs: Math.round(started.seconds * 1000),
        firstParallelComputeMs: Math.round(firstTask.seconds * 1000),
        seconds: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, v.map((x) => Number(x.toFixed(3)))])),
        oursSeconds: median(seconds.ours),
        oursParallelSeconds: median(seconds.oursParallel),
        duckSeconds: median(seconds.duck),
        duckAllSeconds: median(seconds.duckAll),
        oursPerSec,
        oursParallelPerSec,
        duckPerSec,
        ratio: Number((oursPerSec / duckPerSec).toFixed(3)),
        duckThreads,
        duckAllThreadsPerSec,
        ratioVsDuckAllThreads: Number((oursPerSec / duckAllThreadsPerSec).toFixed(3)),
        parallelRatioVsDuckAllThreads: Number((oursParallelPerSec / duckAllThreadsPerSec).toFixed(3)),
        parallelIdenticalToOneThread: identical,
        ...comparison,
        memory: oursMemory,
      };
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    await workers.close();
  }
}

// ---------------------------------------------------------------------------------- (b) end to end in DynamoDB Local

async function endToEndBench(profiles: number) {
  const config = defaultSegmentsConfig();
  const port = await freePort();
  const db = await startDynamoDbLocal({ port });
  const events = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  const bus = { client: createEventBridgeClient(events.endpoint), name: 'kinship' };
  try {
    const name = `bench-segments-${Date.now()}`;
    await ensureTable(db.endpoint, name);
    const table: Table = { doc: createDocumentClient(db.endpoint), name };
    process.stderr.write(`seeding ${profiles.toLocaleString('en-US')} profiles…\n`);
    const generated = [...syntheticProfiles(profiles, 5)];
    await batchWriteAll(
      table,
      generated.map((profile) => ({ PutRequest: { Item: profileItem(profile) } })),
      { concurrency: 16 },
    );
    // The memberships of the previous hourly run, written through the segmenter's own write path (no events).
    const previous = computeSegments(
      planSegments(config, NOW),
      (() => {
        const b = new ProfileColumnsBuilder(planSegments(config, NOW), profiles);
        for (const p of generated) b.add(p);
        return b.build();
      })(),
    );
    const seed = diffMemberships(previous, []);
    process.stderr.write(`seeding ${seed.changes.length.toLocaleString('en-US')} memberships…\n`);
    await writeMemberships(
      table,
      seed.changes.map((c) => ({ put: { customerId: c.customerId, segment: c.segment, enteredAt: NOW.toISOString(), runId: 'seed', reason: c.reason } })),
      16,
    );
    generated.length = 0;

    // Two rounds of (bare scan, scheduled run), best of each: the machine is shared, so single timings are noisy.
    // Each run is the next hourly run (the same profiles an hour later) — the steady state a schedule sees.
    const memory = peakMemorySampler();
    const scans: { value: number; seconds: number }[] = [];
    const runs: { value: SegmenterRunSummary; seconds: number }[] = [];
    for (let round = 0; round < 2; round++) {
      scans.push(await timed(() => bareScan(table, config.run.scanSegments)));
      runs.push(
        await timed(() =>
          runSegmenter({ table, bus, config, currency: 'EUR' }, { now: new Date(NOW.getTime() + (round + 1) * 3_600_000), runId: `bench-${round}` }),
        ),
      );
    }
    const runMemory = memory.stop();
    const scanSeconds = Math.min(...scans.map((x) => x.seconds));
    const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const run = best;
    const scanBefore = scans[0] ?? { value: 0, seconds: 0 };
    const scanPerSec = Math.round(profiles / scanSeconds);
    const runPerSec = Math.round(profiles / run.seconds);
    table.doc.destroy();
    return {
      profiles,
      tableItems: scanBefore.value,
      memberships: seed.changes.length,
      scanSegments: config.run.scanSegments,
      bareScanSeconds: scanSeconds,
      runSeconds: run.seconds,
      bareScanProfilesPerSec: scanPerSec,
      runProfilesPerSec: runPerSec,
      ratio: Number((runPerSec / scanPerSec).toFixed(3)),
      runChanges: run.value.writes,
      runTimings: run.value.timings,
      memory: runMemory,
    };
  } finally {
    bus.client.destroy();
    await events.stop();
    await db.stop();
  }
}

export async function run(): Promise<BenchReport> {
  const computeProfiles = sizeFromEnvironment('BENCH_SEGMENT_PROFILES', 1_000_000, 1);
  // 100,000 profiles: ~440k items to seed into DynamoDB Local, about four minutes of seeding on a 2-core machine;
  // BENCH_SEGMENT_E2E_PROFILES=30000 for a quicker look.
  const e2eProfiles = sizeFromEnvironment('BENCH_SEGMENT_E2E_PROFILES', 100_000, 1);
  const rounds = sizeFromEnvironment('BENCH_SEGMENT_ROUNDS', 3, 1);
  // End to end first, so its peak memory is the run's own and not what the 1M in-memory part left on the heap.
  process.stderr.write(`end to end: ${e2eProfiles.toLocaleString('en-US')} profiles in DynamoDB Local…\n`);
  const e2e = await endToEndBench(e2eProfiles);
  process.stderr.write(`end to end: run ${e2e.runSeconds.toFixed(2)} s, bare scan ${e2e.bareScanSeconds.toFixed(2)} s, ratio ${e2e.ratio}\n`);
  process.stderr.write(`compute: ${computeProfiles.toLocaleString('en-US')} profiles, ours vs DuckDB…\n`);
  const compute = await computeBench(computeProfiles, rounds);
  if (compute.mismatches > 0) throw new Error(`DuckDB and Kinship disagree on ${compute.mismatches} of ${compute.compared} customers`);
  if (!compute.parallelIdenticalToOneThread) throw new Error('the compute on worker threads differs from the one-thread compute');
  const f = (v: number) => v.toLocaleString('en-US');
  return {
    summary: [
      `(a) compute, ${f(compute.profiles)} profiles (${f(compute.scored)} with a purchase), RFM + gold/silver, median of ${compute.rounds} interleaved rounds:`,
      `    Kinship (TypeScript), 1 thread: ${f(compute.oursPerSec)} profiles/s (${compute.oursSeconds.toFixed(2)} s); ${compute.threads} threads: ${f(compute.oursParallelPerSec)} profiles/s (${compute.oursParallelSeconds.toFixed(2)} s; workers started in ${compute.workerStartMs} ms before the clock)`,
      `    DuckDB SQL (window functions), 1 thread: ${f(compute.duckPerSec)} profiles/s (${compute.duckSeconds.toFixed(2)} s); all ${compute.duckThreads} threads: ${f(compute.duckAllThreadsPerSec)} profiles/s (${compute.duckAllSeconds.toFixed(2)} s)`,
      `    all threads vs all threads: ratio ${compute.parallelRatioVsDuckAllThreads} (goal ≥ ${COMPUTE_GOAL}: ${compute.parallelRatioVsDuckAllThreads >= COMPUTE_GOAL ? 'met' : 'NOT met'}); 1 thread vs 1 thread: ${compute.ratio}; 1 thread vs DuckDB's all: ${compute.ratioVsDuckAllThreads}`,
      `    memberships identical to DuckDB's for ${f(compute.compared)} customers, and on ${compute.threads} threads to one thread`,
      `(b) end to end, ${f(e2e.profiles)} profiles + ${f(e2e.memberships)} memberships in DynamoDB Local (${e2e.scanSegments} scan segments):`,
      `    bare parallel Scan: ${f(e2e.bareScanProfilesPerSec)} profiles/s (${e2e.bareScanSeconds.toFixed(2)} s)`,
      `    scheduled run:      ${f(e2e.runProfilesPerSec)} profiles/s (${e2e.runSeconds.toFixed(2)} s; ${f(e2e.runChanges)} changes; scan ${e2e.runTimings.scanMs} ms, compute ${e2e.runTimings.computeMs} ms, apply ${e2e.runTimings.applyMs} ms)`,
      `    ratio ${e2e.ratio} (goal ≥ ${END_TO_END_GOAL}: ${e2e.ratio >= END_TO_END_GOAL ? 'met' : 'NOT met'}); peak RSS ${e2e.memory.peakRssMb} MB (from ${e2e.memory.startRssMb} MB at the start of the run), peak heap + buffers ${e2e.memory.peakHeapPlusBuffersMb} MB`,
    ],
    result: {
      compute: { ...compute, goal: COMPUTE_GOAL, goalIsFor: 'parallelRatioVsDuckAllThreads' },
      endToEnd: {
        ...e2e,
        goal: END_TO_END_GOAL,
        bareScanSeconds: Number(e2e.bareScanSeconds.toFixed(3)),
        runSeconds: Number(e2e.runSeconds.toFixed(3)),
        dynamodb: 'DynamoDB Local (in memory, -sharedDb, no streams)',
      },
      load: os.loadavg().map((l) => Number(l.toFixed(2))),
      machine: machineInfo(),
      date: new Date().toISOString(),
    },
  };
}
