import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { buildProfileUpdate, type ProfileSnapshot } from '#shared/profiles/profile-update.ts';
import { settleAllPendingReferrals } from '#shared/profiles/referral-count.ts';
import type { ProfileDelta } from '#shared/purchases/profile-aggregates.ts';
import { orderItem } from '#shared/purchases/record-purchase.ts';
import { aggregatePrefix, keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { chunk, forEachConcurrent } from '#shared/runtime/concurrency.ts';
import { Contended, fullJitter, isContended, retry } from '#shared/runtime/retry.ts';
import { BATCH_GET_MAX, batchGetAll } from '#shared/table/batch-get.ts';
import { BATCH_WRITE_MAX, batchWriteAll } from '#shared/table/batch-write.ts';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import type { ImportOrder } from '#shared/imports/order-grouping.ts';
import { normalizeCouponCodes, redeemCouponCodes } from '#shared/measurement/coupon-redemption.ts';

/** Orders of one written batch whose codes are redeemed at once (each a conditional update per code). */
const COUPON_REDEMPTIONS_IN_FLIGHT = 4;

/**
 * The import's DynamoDB adapter: the job item, and batched, retried, bounded-parallel reads and writes of
 * orders and profiles. No import rules live here; import-orders.ts decides what to read and write.
 */

const MAX_BATCH_ATTEMPTS = 12;
const RERUN = 're-run the import to continue';
const MAX_PROFILE_ATTEMPTS = 15;
/**
 * Profiles written per TransactWriteItems call, DynamoDB's maximum. Batching the conditional writes cuts the
 * per-request cost that dominates phase C (on DynamoDB Local, 100 a call take about half the time of 25 a call);
 * profiles are small, so a call stays far under the 4 MB limit. A cancelled call is redone one profile at a time.
 * In AWS a transactional write costs 2 WCU instead of 1: about $1.25 per million customers imported.
 */
const PROFILE_TRANSACTION_MAX = 100;

export const ImportCounters = z.object({
  rows: z.number().int(),
  rowsAccepted: z.number().int(),
  rowsRejected: z.number().int(),
  orders: z.number().int(),
  ordersRejected: z.number().int(),
  ordersAlreadyRecorded: z.number().int(),
  ordersWritten: z.number().int(),
  customers: z.number().int(),
  customersUpdated: z.number().int(),
  customersAlreadyApplied: z.number().int(),
  // Added later: job items written before them read as 0.
  ordersWithoutCustomer: z.number().int().default(0),
  rowsWithoutCustomer: z.number().int().default(0),
  linesDefaultCategory: z.number().int().default(0),
  ordersTimeSpread: z.number().int().default(0),
  ordersCountryUnknown: z.number().int().default(0),
});
export type ImportCounters = z.output<typeof ImportCounters>;

export const ImportJobPhase = z.enum(['started', 'orders-checked', 'orders-written', 'profiles-applied']);
export type ImportJobPhase = z.output<typeof ImportJobPhase>;

/** The job item (keys.importJob): what was imported, how far it got, and its counters. No personal data. */
export const ImportJob = z.object({
  importId: z.string(),
  status: z.enum(['running', 'completed']),
  phase: ImportJobPhase,
  fileName: z.string(),
  fileSha256: z.string(),
  fileBytes: z.number(),
  /** The parsing options (delimiter, decimal comma, date format, column mapping) the import was started with. */
  options: z.record(z.string(), z.unknown()),
  /** Hash of the shop's currency settings; a resumed run must convert money exactly as the first did. */
  configFingerprint: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().optional(),
  runs: z.number().int(),
  counters: ImportCounters,
});
export type ImportJob = z.output<typeof ImportJob>;

export interface RecordedOrder {
  source: string;
  fingerprint: string | undefined;
}

export interface ProfileState {
  snapshot: ProfileSnapshot | undefined;
  /** This import was already folded into the profile (by a run that crashed afterwards, or a concurrent one). */
  applied: boolean;
}

export interface ImportStoreOptions {
  /** Requests in flight at once (BatchGet, BatchWrite and UpdateItem calls). */
  concurrency: number;
}

export const importSource = (importId: string) => `import:${importId}`;

export class ImportStore {
  constructor(
    private readonly table: Table,
    private readonly options: ImportStoreOptions,
  ) {}

  async readJob(importId: string): Promise<ImportJob | undefined> {
    const item = (await this.table.doc.send(new GetCommand({ TableName: this.table.name, Key: keys.importJob(importId), ConsistentRead: true }))).Item;
    return item === undefined ? undefined : ImportJob.parse(item);
  }

  /** Several jobs at once (eventually consistent), for naming other imports an order belongs to. */
  async readJobs(importIds: readonly string[]): Promise<Map<string, ImportJob>> {
    const jobs = new Map<string, ImportJob>();
    const items = await this.batchGet(
      importIds.map((id) => keys.importJob(id)),
      {},
    );
    for (const item of items) {
      const job = ImportJob.safeParse(item);
      if (job.success) jobs.set(job.data.importId, job.data);
    }
    return jobs;
  }

  /** Creates the job; false if it already exists (another run got there first). */
  async createJob(job: ImportJob): Promise<boolean> {
    return writeIfConditionHolds(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.name,
          Item: { ...keys.importJob(job.importId), entityType: 'IMPORT_JOB', ...job },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  async recordRun(importId: string, now: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keys.importJob(importId),
        UpdateExpression: 'SET updatedAt = :now ADD runs :one',
        ExpressionAttributeValues: { ':now': now, ':one': 1 },
      }),
    );
  }

  async checkpoint(importId: string, phase: ImportJobPhase, counters: ImportCounters, now: string, completed = false): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: keys.importJob(importId),
        UpdateExpression: `SET #phase = :phase, counters = :counters, updatedAt = :now${completed ? ', #status = :completed, completedAt = :now' : ''}`,
        ExpressionAttributeNames: { '#phase': 'phase', ...(completed ? { '#status': 'status' } : {}) },
        ExpressionAttributeValues: { ':phase': phase, ':counters': counters, ':now': now, ...(completed ? { ':completed': 'completed' } : {}) },
      }),
    );
  }

  /** Which of these orders are already in the table, and from which source. */
  async findRecordedOrders(orderIds: readonly string[], onProgress?: (checked: number) => void): Promise<Map<string, RecordedOrder>> {
    const found = new Map<string, RecordedOrder>();
    let checked = 0;
    await forEachConcurrent(chunk(orderIds, BATCH_GET_MAX), this.options.concurrency, async (ids) => {
      const items = await this.batchGet(
        ids.map((id) => keys.order(id)),
        { ProjectionExpression: 'orderId, #source, fingerprint', ExpressionAttributeNames: { '#source': 'source' } },
      );
      for (const item of items) {
        if (typeof item.orderId !== 'string') continue;
        found.set(item.orderId, {
          source: typeof item.source === 'string' ? item.source : 'unknown',
          fingerprint: typeof item.fingerprint === 'string' ? item.fingerprint : undefined,
        });
      }
      checked += ids.length;
      onProgress?.(checked);
    });
    return found;
  }

  /**
   * Puts the order items, shaped by the API's own `orderItem` with source `import:<importId>`. Puts are
   * idempotent: a crashed run's orders are simply written again with the same content.
   */
  async writeOrders(orders: readonly ImportOrder[], importId: string, now: Date, onProgress?: (written: number) => void): Promise<void> {
    let written = 0;
    const source = importSource(importId);
    await forEachConcurrent(chunk(orders, BATCH_WRITE_MAX), this.options.concurrency, async (batch) => {
      const items = batch.map(({ purchase, fingerprint, couponCodes }) => ({
        ...orderItem(purchase, fingerprint, undefined, source, now),
        // As the API stores them; the codes Kinship issued are marked redeemed just below.
        ...(couponCodes.length > 0 ? { couponCodes } : {}),
        // Imported orders are history: no PurchaseRecorded event is owed for them, not even if the API later
        // receives the same order again (a replay only publishes when eventPublished is false).
        eventPublished: true,
      }));
      await this.batchWrite(items);
      // A code Kinship issued (incentive, campaign coupon) is redeemed by the first order that used it, dated by the
      // purchase. After the order is written, as the API does; a resumed import redeems again harmlessly (same order).
      await forEachConcurrent(
        batch.filter((order) => order.couponCodes.length > 0),
        COUPON_REDEMPTIONS_IN_FLIGHT,
        async (order) => {
          await redeemCouponCodes(this.table, order.purchase, normalizeCouponCodes(order.couponCodes), new Date(order.purchase.purchasedAt));
        },
      );
      written += batch.length;
      onProgress?.(written);
    });
  }

  /** The first/last-date fields of each profile and whether this import is already applied to it. */
  async readProfiles(customerIds: readonly string[], importId: string, onProgress?: (read: number) => void): Promise<Map<string, ProfileState>> {
    const states = new Map<string, ProfileState>();
    let read = 0;
    await forEachConcurrent(chunk(customerIds, BATCH_GET_MAX), this.options.concurrency, async (ids) => {
      const items = await this.batchGet(
        ids.map((id) => keys.profile(id)),
        { ProjectionExpression: 'customerId, firstPurchaseAt, lastPurchaseAt, latestOrderAt, appliedImports' },
      );
      for (const item of items) if (typeof item.customerId === 'string') states.set(item.customerId, profileState(item, importId));
      read += ids.length;
      onProgress?.(read);
    });
    return states;
  }

  /**
   * Folds each customer's delta into their profile once per import: one conditional update per customer built by
   * the API's `buildProfileUpdate`, guarded by "this import is not in `appliedImports` yet" and adding it there in
   * the same write. Updates go in groups of PROFILE_TRANSACTION_MAX as one TransactWriteItems: all of a group or
   * none of it lands. A cancelled group (a profile changed since it was read, or a run that crashed after the
   * write but before it heard back) is settled one profile at a time, where a failed condition means either
   * "already applied" (skip) or "the profile's dates moved since the snapshot" (re-read consistently and retry).
   */
  async applyProfiles(
    deltas: readonly ProfileDelta[],
    states: ReadonlyMap<string, ProfileState>,
    context: ProfileContext,
    onProgress?: (done: number, updated: number) => void,
  ): Promise<{ updated: number; alreadyApplied: number }> {
    let updated = 0;
    let alreadyApplied = 0;
    const pending = deltas.filter((delta) => states.get(delta.customerId)?.applied !== true);
    alreadyApplied = deltas.length - pending.length;
    onProgress?.(alreadyApplied, 0);
    // Transactions are heavy requests: a quarter of the in-flight limit keeps the table as busy as 16 single writes.
    const inFlight = Math.max(1, Math.ceil(this.options.concurrency / 4));
    await forEachConcurrent(chunk(pending, PROFILE_TRANSACTION_MAX), inFlight, async (group) => {
      for (const outcome of await this.applyGroup(group, states, context)) {
        if (outcome === 'applied') updated++;
        else alreadyApplied++;
      }
      onProgress?.(updated + alreadyApplied, updated);
    });
    return { updated, alreadyApplied };
  }

  private async applyGroup(
    group: readonly ProfileDelta[],
    states: ReadonlyMap<string, ProfileState>,
    context: ProfileContext,
  ): Promise<('applied' | 'already-applied')[]> {
    if (group.length > 1) {
      try {
        await this.table.doc.send(
          new TransactWriteCommand({
            TransactItems: group.map((delta) => {
              const state = states.get(delta.customerId);
              // A customer without a profile when it was read gets the whole item in one conditional Put: DynamoDB
              // (Local, at least) does it in half the time of the update expression. If the profile has appeared
              // since, the condition cancels the group and the update path below takes over.
              if (state === undefined)
                return { Put: { TableName: this.table.name, Item: newProfileItem(delta, context), ConditionExpression: 'attribute_not_exists(PK)' } };
              return { Update: { TableName: this.table.name, Key: keys.profile(delta.customerId), ...profileUpdate(delta, state.snapshot, context) } };
            }),
          }),
        );
        return group.map(() => 'applied');
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
      }
    }
    const outcomes: ('applied' | 'already-applied')[] = [];
    for (const delta of group) outcomes.push(await this.applyProfile(delta, states.get(delta.customerId)?.snapshot, context));
    return outcomes;
  }

  private async applyProfile(delta: ProfileDelta, first: ProfileSnapshot | undefined, context: ProfileContext): Promise<'applied' | 'already-applied'> {
    let snapshot = first;
    return retry(
      async () => {
        const applied = await writeIfConditionHolds(() =>
          this.table.doc.send(
            new UpdateCommand({ TableName: this.table.name, Key: keys.profile(delta.customerId), ...profileUpdate(delta, snapshot, context) }),
          ),
        );
        if (applied) return 'applied';
        // The profile changed since it was read: read it again (this import may have been applied meanwhile).
        const fresh = await this.readProfile(delta.customerId, context.importId);
        if (fresh.applied) return 'already-applied';
        snapshot = fresh.snapshot;
        throw new Contended();
      },
      {
        attempts: MAX_PROFILE_ATTEMPTS,
        backoff: fullJitter(10, 500),
        retryOn: isContended,
        giveUp: (_, attempts) => new Error(`profile ${delta.customerId} is still changing after ${attempts} attempts; re-run the import to finish it`),
      },
    );
  }

  /** Referrals credited to people before they had a profile: counted for those this import (or anything since) created. */
  async settlePendingReferrals(): Promise<number> {
    return settleAllPendingReferrals(this.table);
  }

  private async readProfile(customerId: string, importId: string): Promise<ProfileState> {
    const item = (
      await this.table.doc.send(
        new GetCommand({
          TableName: this.table.name,
          Key: keys.profile(customerId),
          ProjectionExpression: 'firstPurchaseAt, lastPurchaseAt, latestOrderAt, appliedImports',
          ConsistentRead: true,
        }),
      )
    ).Item;
    return item === undefined ? { snapshot: undefined, applied: false } : profileState(item, importId);
  }

  private async batchGet(
    keysToGet: readonly Record<string, string>[],
    projection: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> },
  ): Promise<Record<string, unknown>[]> {
    return batchGetAll(this.table, keysToGet, { ...projection, attempts: MAX_BATCH_ATTEMPTS, nextStep: RERUN });
  }

  private async batchWrite(items: readonly Record<string, unknown>[]): Promise<void> {
    await batchWriteAll(
      this.table,
      items.map((Item) => ({ PutRequest: { Item } })),
      { attempts: MAX_BATCH_ATTEMPTS, nextStep: RERUN },
    );
  }
}

export interface ProfileContext {
  importId: string;
  baseCurrency: string;
  now: string;
}

/** The API's profile update, plus this import's exactly-once guard and marker. */
export function profileUpdate(delta: ProfileDelta, snapshot: ProfileSnapshot | undefined, context: ProfileContext) {
  const update = buildProfileUpdate(delta, snapshot, {
    now: context.now,
    baseCurrency: context.baseCurrency,
    extraCondition: {
      expression: 'NOT contains(#appliedImports, :importId)',
      names: { '#appliedImports': 'appliedImports' },
      values: { ':importId': context.importId },
    },
  });
  return {
    ...update,
    // buildProfileUpdate ends with its ADD clause, so the import's marker joins it.
    UpdateExpression: `${update.UpdateExpression}, #appliedImports :importIdSet`,
    ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':importIdSet': new Set([context.importId]) },
  };
}

/**
 * The profile item that `profileUpdate` creates when no profile exists yet, written whole. It must stay equal to
 * what the update builds from nothing (an integration test compares the two on DynamoDB Local).
 */
export function newProfileItem(delta: ProfileDelta, context: ProfileContext): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...keys.profile(delta.customerId),
    entityType: 'PROFILE',
    customerId: delta.customerId,
    currency: context.baseCurrency,
    updatedAt: context.now,
    createdAt: context.now,
    email: delta.email,
    latestOrderAt: delta.latestOrderAt,
    customerName: delta.customerName,
    phone: delta.phone,
    locale: delta.locale,
    country: delta.country,
    lastPurchaseAt: delta.lastPurchaseAt,
    firstPurchaseAt: delta.firstPurchaseAt,
    orderCount: delta.orderCount,
    refundCount: delta.refundCount,
    itemCount: delta.itemCount,
    netSpendMinor: delta.netSpendMinor,
    appliedImports: new Set([context.importId]),
  };
  // Like the update's ADD, zero amounts leave no attribute.
  for (const [category, v] of Object.entries(delta.categoryMinor)) if (v !== 0) item[`${aggregatePrefix.category}${category}`] = v;
  for (const [month, v] of Object.entries(delta.monthMinor)) if (v !== 0) item[`${aggregatePrefix.month}${month}`] = v;
  // Undefined fields are not written (the client drops them), as the update does not SET them.
  return item;
}

function profileState(item: Record<string, unknown>, importId: string): ProfileState {
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const applied = item.appliedImports instanceof Set && item.appliedImports.has(importId);
  return {
    snapshot: { firstPurchaseAt: str(item.firstPurchaseAt), lastPurchaseAt: str(item.lastPurchaseAt), latestOrderAt: str(item.latestOrderAt) },
    applied,
  };
}
