import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import type { ShopConfig } from '#shared/config/shop-config.ts';
import { DEFAULT_CONCURRENCY, importOrderFile, type ImportSummary } from '#shared/imports/import-orders.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { createDocumentClient, localCredentials, type Table } from '#shared/table/table-client.ts';
import { createProgress } from '../cli/progress-bar.ts';
import { freePort, machineInfo, sizeFromEnvironment, timed, type BenchReport } from './bench-harness.ts';
import { syntheticRows, writeSyntheticCsv, type SyntheticOptions } from './support/synthetic-orders.ts';

/** Keys the customer ids the import derives (any secret does for a benchmark). */
const SIGNING_KEY = 'bench-ingest-signing-key';

export const description = '`kinship import` of a synthetic order history vs raw BatchWriteItem of the same rows, into DynamoDB Local (in memory, no streams)';

const GOAL = 0.9;
const config: ShopConfig = {
  shop: { name: 'Bench shop', defaultLocale: 'en', baseCurrency: 'EUR', exchangeRates: { ISK: 0.0069, DKK: 0.134 } },
  purchases: { formTokenTtlDays: 30, maxBodyBytes: 256 * 1024, maxFutureSkewMinutes: 1440 },
};

/**
 * (a) Baseline: the ceiling for getting these rows into this table — one item per CSV row (same fields, GSI keys
 *     like an order item), BatchWriteItem 25 per call, the same number of calls in flight as the import.
 * (b) The import end to end through `importOrderFile`, the function behind `npx kinship import`: hash, parse,
 *     validate, group, check existing orders, write orders, read and update profiles.
 * Both write into fresh tables of one in-memory DynamoDB Local without streams (a stream on DynamoDB Local made
 * BatchWriteItem ~15x slower). After a warm-up of the JVM (its JIT makes the first seconds of any workload slow), the
 * two run back to back, ROUNDS times; the ratio is the median of the rounds' ratios, because on a shared 2-core
 * machine other processes steal CPU unevenly and a pair run close together sees about the same machine. Every
 * round is in the result.
 */
export async function run(): Promise<BenchReport> {
  const ROUNDS = sizeFromEnvironment('BENCH_ROUNDS', 3, 1);
  // 20k rows keeps the whole bench (generation, JVM start, warm-up, 3 rounds) around a minute on 2 cores.
  const rows = sizeFromEnvironment('BENCH_ROWS', 20_000, 100);
  const synthetic: SyntheticOptions = { rows, customers: Math.max(10, Math.round(rows / 10)), seed: 7 };
  const concurrency = DEFAULT_CONCURRENCY;

  const dir = await mkdtemp(join(tmpdir(), 'kinship-bench-'));
  const port = await freePort();
  const db = await startDynamoDbLocal({ port });
  const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'eu-west-1', credentials: localCredentials() });
  const drop = (table: Table) => client.send(new DeleteTableCommand({ TableName: table.name }));
  try {
    const csv = join(dir, 'orders.csv');
    const generated = await writeSyntheticCsv(csv, synthetic);
    const bytes = (await stat(csv)).size;
    process.stderr.write(`generated ${generated.rows} rows, ${generated.orders} orders, ${synthetic.customers} customers, ${(bytes / 1e6).toFixed(1)} MB\n`);

    // Warm-up: both code paths once, on a smaller file, so neither side pays the JIT's start.
    const warmCsv = join(dir, 'warmup.csv');
    const warmRows = Math.min(rows, 10_000);
    await writeSyntheticCsv(warmCsv, { rows: warmRows, customers: Math.max(10, Math.round(warmRows / 10)), seed: 1 });
    const warmBaseline = await freshTable(db.endpoint, 'warm-baseline');
    await rawBatchWrite(warmBaseline, baselineItems({ ...synthetic, rows: warmRows, seed: 1 }), concurrency);
    await drop(warmBaseline);
    const warmImport = await freshTable(db.endpoint, 'warm-import');
    await importOrderFile(
      { table: warmImport, config, signingKey: SIGNING_KEY, concurrency },
      { file: warmCsv, csv: { decimalComma: false, dateFormat: 'ISO', columnMap: {} }, rejectsPath: join(dir, 'warm-rejects.csv') },
    );
    await drop(warmImport);

    // Items are built before the clock starts: the baseline is the write ceiling alone.
    const items = baselineItems(synthetic);
    const rounds: { baselineSeconds: number; importSeconds: number; phaseMs: Record<string, number> }[] = [];
    let counters: ImportSummary['counters'] | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const baselineTable = await freshTable(db.endpoint, 'baseline');
      process.stderr.write(`round ${round}: baseline (raw BatchWriteItem)…\n`);
      const baseline = await timed(() => rawBatchWrite(baselineTable, items, concurrency));
      await drop(baselineTable);

      const importTable = await freshTable(db.endpoint, 'import');
      process.stderr.write(`round ${round}: kinship import…\n`);
      const imported = await timed(() =>
        importOrderFile(
          { table: importTable, config, signingKey: SIGNING_KEY, concurrency, progress: round === 1 ? createProgress(process.stderr) : undefined },
          { file: csv, csv: { decimalComma: false, dateFormat: 'ISO', columnMap: {} }, rejectsPath: join(dir, 'rejects.csv') },
        ),
      );
      await drop(importTable);
      counters = imported.value.counters;
      if (counters.rowsAccepted !== rows) throw new Error(`the import accepted ${counters.rowsAccepted} of ${rows} rows; see ${join(dir, 'rejects.csv')}`);
      rounds.push({
        baselineSeconds: Number(baseline.seconds.toFixed(2)),
        importSeconds: Number(imported.seconds.toFixed(2)),
        phaseMs: imported.value.phaseMs,
      });
    }
    if (!counters) throw new Error('BENCH_ROUNDS must be at least 1');

    // Each round pairs a baseline and an import run back to back, so both saw about the same machine; the ratio is
    // the median of the rounds' ratios. The best rates of each side are reported too (and their ratio, which pairs
    // runs from different rounds).
    const perRound = rounds.map((r) => Number((r.baselineSeconds / r.importSeconds).toFixed(3)));
    const ratio = [...perRound].sort((a, b) => a - b)[Math.floor(perRound.length / 2)] ?? 0;
    const bestBaseline = Math.min(...rounds.map((r) => r.baselineSeconds));
    const bestImport = rounds.reduce((best, r) => (r.importSeconds < best.importSeconds ? r : best));
    const baselineRowsPerSec = Math.round(rows / bestBaseline);
    const importRowsPerSec = Math.round(rows / bestImport.importSeconds);
    const ratioOfBest = Number((importRowsPerSec / baselineRowsPerSec).toFixed(3));
    return {
      summary: [
        `rows: ${rows.toLocaleString('en-US')} (${counters.orders.toLocaleString('en-US')} orders, ${counters.customers.toLocaleString('en-US')} customers, ${(bytes / 1e6).toFixed(1)} MB), ${ROUNDS} alternating rounds`,
        `baseline (raw BatchWriteItem, ${concurrency} in flight), best round: ${baselineRowsPerSec.toLocaleString('en-US')} rows/s (${bestBaseline.toFixed(1)} s)`,
        `kinship import (end to end), best round:            ${importRowsPerSec.toLocaleString('en-US')} rows/s (${bestImport.importSeconds.toFixed(1)} s)`,
        `import phases (ms): ${Object.entries(bestImport.phaseMs)
          .map(([phase, ms]) => `${phase} ${ms}`)
          .join(' · ')}`,
        `ratio import/baseline: ${ratio}, the median of the rounds ${perRound.join(', ')} (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'}); best import / best baseline ${ratioOfBest}`,
      ],
      result: {
        rows,
        orders: counters.orders,
        customers: counters.customers,
        fileBytes: bytes,
        concurrency,
        rounds,
        baselineSeconds: bestBaseline,
        importSeconds: bestImport.importSeconds,
        baselineRowsPerSec,
        importRowsPerSec,
        ratio,
        ratioPerRound: perRound,
        ratioOfBestRates: ratioOfBest,
        goal: GOAL,
        importPhaseMs: bestImport.phaseMs,
        dynamodb: 'DynamoDB Local (in memory, -sharedDb, no streams), one process for every run, JVM warmed up first',
        machine: machineInfo(),
        date: new Date().toISOString(),
      },
    };
  } finally {
    client.destroy();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function freshTable(endpoint: string, prefix: string): Promise<Table> {
  const name = `bench-${prefix}-${Date.now()}`;
  await ensureTable(endpoint, name);
  return { doc: createDocumentClient(endpoint), name };
}

/** One item per row, as a naive loader would write it: the row's fields plus the keys an order item carries. */
function baselineItems(synthetic: SyntheticOptions): Record<string, unknown>[] {
  const recordedAt = new Date().toISOString();
  const items: Record<string, unknown>[] = [];
  for (const row of syntheticRows(synthetic)) {
    items.push({
      PK: `ROW#${row.orderId}#${row.line}`,
      SK: 'ROW',
      GSI1PK: `CUST#c_${createHash('sha256').update(row.email).digest('hex').slice(0, 24)}`,
      GSI1SK: `ORDER#${row.date}#${row.orderId}`,
      entityType: 'ROW',
      orderId: row.orderId,
      purchasedAt: row.date,
      email: row.email,
      customerName: row.customerName,
      sku: row.sku,
      name: row.name,
      category: row.category,
      quantity: row.quantity,
      unitPrice: Number(row.price),
      country: row.country,
      currency: row.currency,
      source: 'bench',
      recordedAt,
    });
  }
  return items;
}

async function rawBatchWrite(table: Table, items: readonly Record<string, unknown>[], concurrency: number): Promise<void> {
  await batchWriteAll(
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
    { concurrency },
  );
}
