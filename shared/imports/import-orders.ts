import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { ShopConfig } from '#shared/config/shop-config.ts';
import { deltaOfPurchase, mergeDeltas, type ProfileDelta } from '#shared/purchases/profile-aggregates.ts';
import type { Table } from '#shared/table/table-client.ts';
import { resolveColumns, type ColumnLayout, type ImportField } from '#shared/imports/csv-columns.ts';
import { fileSize, fingerprintFile, readCsvRecords, sniffDelimiter, writeRejectsFile } from '#shared/imports/csv-file.ts';
import { DEFAULT_CATEGORY, parseRow, type RowOptions } from '#shared/imports/csv-row.ts';
import { delimiterName, type DateFormat, type Delimiter } from '#shared/imports/csv-values.ts';
import { ImportConflictError, ImportInputError } from '#shared/imports/import-errors.ts';
import { ImportStore, importSource, type ImportCounters, type ImportJob } from '#shared/imports/import-store.ts';
import { OrderGrouper, type GroupedOrders, type GroupingNotes, type ImportOrder } from '#shared/imports/order-grouping.ts';
import { StreamingOrderLookup } from '#shared/imports/order-lookup.ts';
import { TaskPool } from '#shared/runtime/concurrency.ts';

/**
 * `kinship import`: records a shop's order history from a CSV file (one row per line item) into orders and
 * customer profiles, exactly once per order and per customer, resumably.
 *
 * 1. Hash the file: the import's id is the hash of its bytes and parsing options, so a re-run is recognised.
 * 2. Stream-parse the rows, check each with the API's rules and group them by order (rows of an order may be
 *    anywhere in the file). Phase A runs meanwhile: each order id is looked up (BatchGet) as soon as it appears,
 *    so orders another source (the API, another import) already recorded are skipped and never counted twice,
 *    and orders carrying this import's id (from a crashed earlier run) stay this import's.
 * 3. Phase B — judge each order as the API would (`normalizePurchase`) a few hundred at a time and BatchWrite the
 *    new ones (the API's item shape, source `import:<importId>`) while the next are judged; then write the rejects.
 * 4. Phase C — once every order is written, fold each customer's orders into one delta and apply it with one
 *    conditional write (100 per transaction) that also adds the import id to the profile's `appliedImports`:
 *    exactly once per customer per import.
 *
 * A job item tracks status and counters: a re-run after a crash resumes, a re-run after success changes nothing.
 *
 * No PurchaseRecorded events are published for imported orders: they are history, and an event per order would
 * start the post-purchase campaigns (thank-you mails, incentive forms, review requests) for purchases made
 * months or years ago. Segments pick imported customers up from their profiles on the next scheduled run.
 */

export interface ImportCsvOptions {
  /** Undefined: detected from the header line. */
  delimiter?: Delimiter | undefined;
  decimalComma: boolean;
  dateFormat: DateFormat;
  /** Explicit field → header names (`--map`); other fields are found by their aliases. */
  columnMap: Partial<Record<ImportField, string>>;
  /** Category of lines without one; default DEFAULT_CATEGORY. */
  defaultCategory?: string | undefined;
}

export interface ImportRequest {
  file: string;
  csv: ImportCsvOptions;
  /** Default `<file>.rejects.csv`. */
  rejectsPath?: string | undefined;
  /** Parse and check the file and write the rejects file, but touch no table. */
  dryRun?: boolean | undefined;
}

export type ProgressUnit = 'bytes' | 'orders' | 'customers';

/** Where the import reports how far it is; the CLI draws a bar from it. */
export interface ImportProgress {
  start(phase: string, total: number, unit: ProgressUnit): void;
  update(done: number): void;
  stop(): void;
}

export interface ImportDeps {
  /** Required unless dryRun. */
  table: Table | undefined;
  config: ShopConfig;
  /** The signing secret: it keys the customer ids (shared/purchases/customer-id.ts), so a dry run needs it too. */
  signingKey: string;
  now?: () => Date;
  progress?: ImportProgress | undefined;
  /** DynamoDB requests in flight at once. Default 16. */
  concurrency?: number | undefined;
}

export interface ImportSummary {
  outcome: 'imported' | 'already-imported' | 'validated';
  importId: string;
  file: string;
  delimiter: string;
  /** Category given to lines without one (counters.linesDefaultCategory). */
  defaultCategory: string;
  /** True when this run continued an import an earlier run had started. */
  resumed: boolean;
  /** Written only when rows were rejected. */
  rejectsPath: string | undefined;
  counters: ImportCounters;
  /** Orders of this import found already written by an earlier, interrupted run. */
  ordersFromEarlierRun: number;
  /** Some order ids (up to 10) already recorded by another source with different contents: worth a look. */
  ordersRecordedDifferently: string[];
  /** Other imports that own some of this file's orders but never finished: re-run them to count those orders. */
  unfinishedImports: { importId: string; fileName: string; startedAt: string }[];
  startedAt: string;
  completedAt: string | undefined;
  elapsedMs: number;
  /** Milliseconds spent in each phase of this run, for the bench and for tuning. */
  phaseMs: Record<string, number>;
}

export const DEFAULT_CONCURRENCY = 16;
/** Orders judged between two chances for the writes in flight to progress. */
const JUDGE_BATCH = 250;
const BATCH_WRITE_SIZE = 25;

export async function importOrderFile(deps: ImportDeps, request: ImportRequest): Promise<ImportSummary> {
  const started = Date.now();
  const now = deps.now ?? (() => new Date());
  const phaseMs: Record<string, number> = {};
  const progress = timedProgress(deps.progress ?? silentProgress, phaseMs);
  const { file } = request;
  const rejectsPath = request.rejectsPath ?? `${file}.rejects.csv`;
  const bytes = await fileSize(file);

  progress.start('Hashing file', bytes, 'bytes');
  const fingerprint = await fingerprintFile(file, (read) => progress.update(read));
  progress.stop();
  const delimiter = request.csv.delimiter ?? (await sniffDelimiter(file));
  const defaultCategory = request.csv.defaultCategory ?? DEFAULT_CATEGORY;
  const options = {
    delimiter: delimiterName(delimiter),
    decimalComma: request.csv.decimalComma,
    dateFormat: request.csv.dateFormat,
    columnMap: sortedRecord(request.csv.columnMap),
    // Only when not the default, so files imported before the option existed keep their import id.
    ...(defaultCategory === DEFAULT_CATEGORY ? {} : { defaultCategory }),
  };
  const importId = importIdOf(fingerprint.sha256, options);
  const configFingerprint = currencySettingsFingerprint(deps.config);

  const table = request.dryRun ? undefined : deps.table;
  if (!request.dryRun && !table) throw new Error('importOrderFile needs a table unless dryRun is set');
  const store = table ? new ImportStore(table, { concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY }) : undefined;
  const existing = await store?.readJob(importId);
  const base = {
    importId,
    file,
    delimiter: delimiterName(delimiter),
    defaultCategory,
    ordersFromEarlierRun: 0,
    ordersRecordedDifferently: [],
    unfinishedImports: [],
  };
  if (existing?.status === 'completed') {
    return {
      ...base,
      outcome: 'already-imported',
      resumed: false,
      rejectsPath: undefined,
      counters: existing.counters,
      startedAt: existing.startedAt,
      completedAt: existing.completedAt,
      elapsedMs: Date.now() - started,
      phaseMs,
    };
  }
  if (existing && existing.configFingerprint !== configFingerprint) {
    throw new ImportConflictError(
      `import ${importId} was started on ${existing.startedAt} with other currency settings (shop.baseCurrency / shop.exchangeRates in config/shop.yaml). Restore those settings and re-run to finish it, so every order is converted the same way.`,
    );
  }

  const concurrency = deps.concurrency ?? DEFAULT_CONCURRENCY;
  const rowOptions: RowOptions = {
    decimalComma: request.csv.decimalComma,
    dateFormat: request.csv.dateFormat,
    baseCurrency: deps.config.shop.baseCurrency,
    defaultCategory,
  };
  if (!store) {
    const { rows, grouper } = await readOrders(file, bytes, delimiter, request.csv.columnMap, rowOptions, progress, undefined, deps.signingKey);
    progress.start('Checking rules', grouper.orderCount, 'orders');
    const grouped = grouper.finish(deps.config, now());
    progress.stop();
    await writeRejectsFile(rejectsPath, file, delimiter, grouped.rejectedLines);
    const counters = countersOf(rows, grouped, grouped.orders.length);
    return {
      ...base,
      outcome: 'validated',
      resumed: false,
      rejectsPath: counters.rowsRejected > 0 ? rejectsPath : undefined,
      counters,
      startedAt: now().toISOString(),
      completedAt: undefined,
      elapsedMs: Date.now() - started,
      phaseMs,
    };
  }

  // Phase A runs while the file is read (see StreamingOrderLookup).
  const lookup = new StreamingOrderLookup(store, concurrency);
  const { rows, grouper } = await readOrders(file, bytes, delimiter, request.csv.columnMap, rowOptions, progress, lookup, deps.signingKey);
  const orderIds = grouper.orderCount;
  progress.start('Checking orders', orderIds, 'orders');
  progress.update(lookup.checked);
  const recorded = await lookup.finish();
  progress.stop();

  const startedAt = existing?.startedAt ?? now().toISOString();
  const counters: ImportCounters = countersOf(rows, { rowsAccepted: 0, rejectedLines: new Map(), ordersRejected: 0, ...NO_NOTES }, 0);
  const job: ImportJob = {
    importId,
    status: 'running',
    phase: 'started',
    fileName: basename(file),
    fileSha256: fingerprint.sha256,
    fileBytes: fingerprint.bytes,
    options,
    configFingerprint,
    startedAt,
    updatedAt: startedAt,
    runs: 1,
    counters,
  };
  const resumed = existing !== undefined || !(await store.createJob(job));
  if (resumed) await store.recordRun(importId, now().toISOString());

  // Phase B, pipelined with the last checks: orders are judged by the API's rules a few hundred at a time, and the
  // new ones among them are written while the next are judged. Nothing is written before phase A has seen every
  // order of the file, and no profile before every order is written.
  const ownSource = importSource(importId);
  const owned: ImportOrder[] = [];
  const ordersRecordedDifferently: string[] = [];
  const otherImports = new Set<string>();
  let fromEarlierRun = 0;
  let accepted = 0;
  const writes = new TaskPool(concurrency);
  const writeTime = now();
  const unwritten: ImportOrder[] = [];
  let toWrite = 0;
  let written = 0;
  const writeBatch = async (batch: ImportOrder[]) => {
    await writes.run(async () => {
      await store.writeOrders(batch, importId, writeTime);
      written += batch.length;
      progress.update(written);
    });
  };
  progress.start('Writing orders', orderIds - recorded.size, 'orders');
  try {
    for (const batch of grouper.judgeInBatches(deps.config, now(), JUDGE_BATCH)) {
      for (const order of batch.orders) {
        accepted++;
        const stored = recorded.get(order.purchase.orderId);
        if (stored === undefined) {
          owned.push(order);
          unwritten.push(order);
          toWrite++;
        } else if (stored.source === ownSource) {
          fromEarlierRun++;
          owned.push(order);
        } else {
          counters.ordersAlreadyRecorded++;
          if (stored.fingerprint !== order.fingerprint && ordersRecordedDifferently.length < 10) ordersRecordedDifferently.push(order.purchase.orderId);
          if (stored.source.startsWith('import:')) otherImports.add(stored.source.slice('import:'.length));
        }
      }
      while (unwritten.length >= BATCH_WRITE_SIZE) await writeBatch(unwritten.splice(0, BATCH_WRITE_SIZE));
      // Judging is synchronous: let the writes in flight be sent and answered before the next batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (unwritten.length > 0) await writeBatch(unwritten);
  } catch (error) {
    // Let the writes already sent finish before failing, so nothing is left half-sent behind the caller's back.
    await writes.drain().catch(() => undefined);
    throw error;
  }
  await writes.drain();
  progress.stop();

  const grouped = grouper.outcome;
  await writeRejectsFile(rejectsPath, file, delimiter, grouped.rejectedLines);
  Object.assign(counters, countersOf(rows, grouped, accepted), { ordersAlreadyRecorded: counters.ordersAlreadyRecorded, ordersWritten: owned.length });
  const rejects = counters.rowsRejected > 0 ? rejectsPath : undefined;
  const unfinishedImports = [...(await store.readJobs([...otherImports])).values()]
    .filter((other) => other.status !== 'completed')
    .map((other) => ({ importId: other.importId, fileName: other.fileName, startedAt: other.startedAt }));
  await store.checkpoint(importId, 'orders-written', counters, now().toISOString());
  if (written !== toWrite) throw new Error(`wrote ${written} of ${toWrite} orders; re-run the import to finish`);

  const deltas = deltasByCustomer(owned);
  counters.customers = deltas.length;
  progress.start('Reading profiles', deltas.length, 'customers');
  const states = await store.readProfiles(
    deltas.map((delta) => delta.customerId),
    importId,
    (read) => progress.update(read),
  );
  progress.stop();

  // Phase C: one delta per customer, applied once, only after all of the import's orders are in the table.
  progress.start('Updating profiles', deltas.length, 'customers');
  const applied = await store.applyProfiles(deltas, states, { importId, baseCurrency: deps.config.shop.baseCurrency, now: now().toISOString() }, (done) =>
    progress.update(done),
  );
  progress.stop();
  counters.customersUpdated = applied.updated;
  counters.customersAlreadyApplied = applied.alreadyApplied;
  // Referrals credited to people before they had a profile count now that the import created it (idempotent on a re-run).
  await store.settlePendingReferrals();
  const completedAt = now().toISOString();
  await store.checkpoint(importId, 'profiles-applied', counters, completedAt, true);

  return {
    ...base,
    outcome: 'imported',
    resumed,
    rejectsPath: rejects,
    counters,
    ordersFromEarlierRun: fromEarlierRun,
    ordersRecordedDifferently,
    unfinishedImports,
    startedAt,
    completedAt,
    elapsedMs: Date.now() - started,
    phaseMs,
  };
}

interface ReadResult {
  rows: number;
  /** Holds every row, grouped by order, not judged yet. */
  grouper: OrderGrouper;
}

async function readOrders(
  file: string,
  bytes: number,
  delimiter: Delimiter,
  columnMap: ImportCsvOptions['columnMap'],
  rowOptions: RowOptions,
  progress: ImportProgress,
  lookup: StreamingOrderLookup | undefined,
  signingKey: string,
): Promise<ReadResult> {
  let columns: ColumnLayout | undefined;
  let grouper: OrderGrouper | undefined;
  let rows = 0;
  progress.start('Reading rows', bytes, 'bytes');
  for await (const { record, line, bytes: read } of readCsvRecords(file, delimiter)) {
    if (!columns || !grouper) {
      columns = resolveColumns(record, columnMap);
      grouper = new OrderGrouper(columns, signingKey);
      continue;
    }
    const newOrderId = grouper.add(parseRow(record, line, columns, rowOptions));
    if (newOrderId !== undefined) await lookup?.add(newOrderId);
    if (++rows % 2000 === 0) progress.update(read);
  }
  progress.update(bytes);
  progress.stop();
  if (!grouper) throw new ImportInputError(`${file} is empty: expected a header row and one row per order line`);
  return { rows, grouper };
}

function countersOf(rows: number, grouped: Omit<GroupedOrders, 'orders'>, orders: number): ImportCounters {
  return {
    rows,
    rowsAccepted: grouped.rowsAccepted,
    rowsRejected: grouped.rejectedLines.size,
    orders,
    ordersRejected: grouped.ordersRejected,
    ordersAlreadyRecorded: 0,
    ordersWritten: 0,
    customers: 0,
    customersUpdated: 0,
    customersAlreadyApplied: 0,
    ordersWithoutCustomer: grouped.ordersWithoutCustomer,
    rowsWithoutCustomer: grouped.rowsWithoutCustomer,
    linesDefaultCategory: grouped.linesDefaultCategory,
    ordersTimeSpread: grouped.ordersTimeSpread,
    ordersCountryUnknown: grouped.ordersCountryUnknown,
  };
}

const NO_NOTES: GroupingNotes = { ordersWithoutCustomer: 0, rowsWithoutCustomer: 0, linesDefaultCategory: 0, ordersTimeSpread: 0, ordersCountryUnknown: 0 };

/** Folds each customer's orders into one profile delta, in the order customers first appear. */
export function deltasByCustomer(orders: readonly ImportOrder[]): ProfileDelta[] {
  const byCustomer = new Map<string, ProfileDelta>();
  for (const { purchase } of orders) {
    const delta = deltaOfPurchase(purchase);
    const before = byCustomer.get(purchase.customerId);
    byCustomer.set(purchase.customerId, before === undefined ? delta : mergeDeltas(before, delta));
  }
  return [...byCustomer.values()];
}

/** The import's identity: the file's bytes and how they are read. Same file, same options → same import. */
export function importIdOf(fileSha256: string, options: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify({ file: fileSha256, options }))
    .digest('hex')
    .slice(0, 20);
}

function currencySettingsFingerprint(config: ShopConfig): string {
  const { baseCurrency, exchangeRates } = config.shop;
  return createHash('sha256')
    .update(JSON.stringify({ baseCurrency, exchangeRates: sortedRecord(exchangeRates) }))
    .digest('hex')
    .slice(0, 16);
}

function sortedRecord<T>(record: Partial<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) {
    const value = record[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Passes progress on and records how long each phase (start → stop) took. */
function timedProgress(inner: ImportProgress, phaseMs: Record<string, number>): ImportProgress {
  let current: { phase: string; started: number } | undefined;
  return {
    start(phase, total, unit) {
      current = { phase, started: performance.now() };
      inner.start(phase, total, unit);
    },
    update: (done) => inner.update(done),
    stop() {
      if (current) phaseMs[current.phase] = (phaseMs[current.phase] ?? 0) + Math.round(performance.now() - current.started);
      current = undefined;
      inner.stop();
    },
  };
}

const silentProgress: ImportProgress = { start: () => undefined, update: () => undefined, stop: () => undefined };
