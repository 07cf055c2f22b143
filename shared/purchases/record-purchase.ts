import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { AttributionWindows } from '#shared/campaigns/attribution-config.ts';
import type { ShopConfig } from '#shared/config/shop-config.ts';
import { ConflictError, ValidationError } from '#shared/errors.ts';
import { CampaignConversion } from '#shared/events/campaign-conversion.ts';
import { PurchaseRecorded } from '#shared/events/purchase-recorded.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { AttributionSchema, type Attribution } from '#shared/measurement/attribution.ts';
import { attributionOfPurchase } from '#shared/measurement/attribution-touches.ts';
import { DEFAULT_ATTRIBUTION_WINDOWS } from '#shared/measurement/attribution-settings.ts';
import { normalizeCouponCodes, redeemCouponCodes } from '#shared/measurement/coupon-redemption.ts';
import { markIfErasedBefore } from '#shared/privacy/erased-marker.ts';
import { Contended, fullJitter, isContended, retry } from '#shared/runtime/retry.ts';
import { buildProfileUpdate, type ProfileSnapshot } from '#shared/profiles/profile-update.ts';
import { settleReferralsOfNewProfile } from '#shared/profiles/referral-count.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { signToken } from '#shared/tokens/signed-token.ts';
import { normalizePurchase, purchaseFingerprint, type NormalizedPurchase } from '#shared/purchases/normalize-purchase.ts';
import { deltaOfPurchase } from '#shared/purchases/profile-aggregates.ts';
import type { PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { ORDER_TOO_LARGE, orderItemFits } from '#shared/purchases/order-item-size.ts';

export interface RecordPurchaseDeps {
  table: Table;
  bus: EventBus;
  config: ShopConfig;
  signingKey: string;
  /** Base URL the form link is built on, e.g. https://shop.example/ or http://localhost:3000. */
  publicBaseUrl: string;
  now: () => Date;
  /** campaigns.yaml `attribution`; defaults (5 / 2 / 1 days) when not given. */
  attribution?: AttributionWindows;
}

/** What the order item carries for measurement: the coupon codes it used and the campaign email it is attributed to. */
interface OrderMeasurement {
  couponCodes: string[];
  attribution: Attribution | undefined;
}

export interface RecordPurchaseResult {
  /** "created" on first receipt, "replayed" when the same order was already recorded. */
  outcome: 'created' | 'replayed';
  orderId: string;
  customerId: string;
  /** The incentive-form link; null for a refund (total below zero), which gets no form and no incentive. */
  formUrl: string | null;
}

export const FORM_TOKEN_PURPOSE = 'form';
const MAX_ATTEMPTS = 15;

/**
 * Records one order and folds it into the customer's profile in a single transaction: the order item is put
 * only if the order id is new, so a replay never double-counts; a replay of the same order returns the first
 * result, and a different order reusing the id is a conflict.
 */
export async function recordPurchase(deps: RecordPurchaseDeps, input: PurchaseInput): Promise<RecordPurchaseResult> {
  const now = deps.now();
  const purchase = normalizePurchase(input, deps.config, now, deps.signingKey);
  const fingerprint = purchaseFingerprint(purchase);
  const formTokenExpiresAt = Math.floor(now.getTime() / 1000) + deps.config.purchases.formTokenTtlDays * 86_400;
  // Lines are capped by the order item's size, not by a count: refuse what DynamoDB would refuse, as a 400.
  if (!orderItemFits(orderItem(purchase, fingerprint, formTokenExpiresAt, 'api', now)))
    throw new ValidationError('The order is too large', [{ field: 'items', message: ORDER_TOO_LARGE }]);

  // Decided once, from the profile as it is when the order arrives (read beside the first snapshot, so no added
  // latency), and stored on the order: a replay reuses it.
  const attributionRead = attributionOfPurchase(deps.table, purchase, deps.attribution ?? DEFAULT_ATTRIBUTION_WINDOWS);

  return retry(
    async (attempt) => {
      const [snapshot, attribution] = await Promise.all([readSnapshot(deps.table, purchase.customerId, attempt > 1), attributionRead]);
      const measurement: OrderMeasurement = { couponCodes: normalizeCouponCodes(input.couponCodes), attribution };
      const outcome = await tryRecord(deps, purchase, fingerprint, formTokenExpiresAt, snapshot, now, measurement);
      if (outcome === 'recorded') {
        // A new profile for an address erased before: marked, and (as for anyone new) without marketing consent.
        if (snapshot === undefined) await markIfErasedBefore(deps.table, deps.signingKey, { customerId: purchase.customerId, email: purchase.email });
        // A new profile: referrals credited to this address before it had one count from now on.
        if (snapshot === undefined) await settleReferralsOfNewProfile(deps.table, purchase.customerId);
        // Before the events: an order whose events are not yet published is redone on replay, redemption included.
        await redeemCouponCodes(deps.table, purchase, measurement.couponCodes, now);
        await publishPurchaseRecorded(deps, purchase, snapshot, measurement.attribution);
        return {
          outcome: 'created',
          orderId: purchase.orderId,
          customerId: purchase.customerId,
          formUrl: purchase.kind === 'refund' ? null : formUrlFor(deps, purchase.orderId, formTokenExpiresAt),
        };
      }
      if (outcome === 'order-exists') return replay(deps, purchase, fingerprint);
      // Contention on the profile (another order of the same customer landed first): back off with full jitter and retry.
      throw new Contended();
    },
    {
      attempts: MAX_ATTEMPTS,
      backoff: fullJitter(10, 1_000),
      retryOn: isContended,
      giveUp: (_, attempts) => new Error(`Profile update for order still contended after ${attempts} attempts`),
    },
  );
}

async function tryRecord(
  deps: RecordPurchaseDeps,
  purchase: NormalizedPurchase,
  fingerprint: string,
  formTokenExpiresAt: number,
  snapshot: ProfileSnapshot | undefined,
  now: Date,
  measurement: OrderMeasurement,
): Promise<'recorded' | 'order-exists' | 'retry'> {
  const update = buildProfileUpdate(deltaOfPurchase(purchase), snapshot, { now: now.toISOString(), baseCurrency: deps.config.shop.baseCurrency });
  try {
    await deps.table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.table.name,
              Item: { ...orderItem(purchase, fingerprint, formTokenExpiresAt, 'api', now), ...measurementFields(measurement) },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Update: { TableName: deps.table.name, Key: keys.profile(purchase.customerId), ...update } },
        ],
      }),
    );
    return 'recorded';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [orderReason, profileReason] = error.CancellationReasons ?? [];
    if (orderReason?.Code === 'ConditionalCheckFailed') return 'order-exists';
    if (profileReason?.Code === 'ConditionalCheckFailed' || [orderReason?.Code, profileReason?.Code].includes('TransactionConflict')) return 'retry';
    throw error;
  }
}

/** The order item: what was bought, where it came from, and what the first response was. */
export function orderItem(
  purchase: NormalizedPurchase,
  fingerprint: string,
  formTokenExpiresAt: number | undefined,
  source: string,
  now: Date,
): Record<string, unknown> {
  return {
    ...keys.order(purchase.orderId),
    ...keys.orderByCustomer(purchase.customerId, purchase.purchasedAt, purchase.orderId),
    entityType: 'ORDER',
    orderId: purchase.orderId,
    customerId: purchase.customerId,
    kind: purchase.kind,
    lines: purchase.lines,
    currency: purchase.currency,
    totalMinor: purchase.totalMinor,
    baseTotalMinor: purchase.baseTotalMinor,
    categoryMinor: purchase.categoryMinor,
    purchasedAt: purchase.purchasedAt,
    locale: purchase.locale,
    fingerprint,
    formTokenExpiresAt,
    source,
    recordedAt: now.toISOString(),
    eventPublished: false,
  };
}

async function readSnapshot(table: Table, customerId: string, consistent: boolean): Promise<ProfileSnapshot | undefined> {
  const result = await table.doc.send(
    new GetCommand({
      TableName: table.name,
      Key: keys.profile(customerId),
      ProjectionExpression: 'firstPurchaseAt, lastPurchaseAt, latestOrderAt',
      ConsistentRead: consistent,
    }),
  );
  const item = result.Item;
  if (!item) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { firstPurchaseAt: str(item.firstPurchaseAt), lastPurchaseAt: str(item.lastPurchaseAt), latestOrderAt: str(item.latestOrderAt) };
}

async function replay(deps: RecordPurchaseDeps, purchase: NormalizedPurchase, fingerprint: string): Promise<RecordPurchaseResult> {
  const stored = (await deps.table.doc.send(new GetCommand({ TableName: deps.table.name, Key: keys.order(purchase.orderId), ConsistentRead: true }))).Item;
  if (!stored || stored.fingerprint !== fingerprint) {
    throw new ConflictError(
      `Order ${purchase.orderId} was already recorded with different contents; use a new orderId for a new order, or record a refund as its own order`,
    );
  }
  const expiresAt = typeof stored.formTokenExpiresAt === 'number' ? stored.formTokenExpiresAt : undefined;
  if (stored.eventPublished !== true) {
    // The first attempt stored the order but did not get to publish: redeem (idempotent) and publish now (at-least-once).
    await redeemCouponCodes(deps.table, purchase, storedCouponCodes(stored.couponCodes), deps.now());
    await publishPurchaseRecorded(deps, purchase, undefined, storedAttribution(stored.attribution));
  }
  logger.info('purchase replayed', { orderId: purchase.orderId, customerId: purchase.customerId });
  return {
    outcome: 'replayed',
    orderId: purchase.orderId,
    customerId: purchase.customerId,
    formUrl: purchase.kind === 'refund' ? null : formUrlFor(deps, purchase.orderId, expiresAt ?? 0),
  };
}

async function publishPurchaseRecorded(
  deps: RecordPurchaseDeps,
  purchase: NormalizedPurchase,
  snapshot: ProfileSnapshot | undefined,
  attribution: Attribution | undefined,
): Promise<void> {
  const event = PurchaseRecorded.create({
    orderId: purchase.orderId,
    customerId: purchase.customerId,
    totalMinor: purchase.baseTotalMinor,
    currency: deps.config.shop.baseCurrency,
    purchasedAt: purchase.purchasedAt,
    categories: Object.keys(purchase.categoryMinor),
    kind: purchase.kind,
    firstPurchase: purchase.kind === 'purchase' && snapshot?.firstPurchaseAt === undefined,
  });
  // One PutEvents call, and the one `eventPublished` flag, for both: a conversion is published as often as its order.
  const conversion = attribution ? [conversionEvent(deps, purchase, attribution)] : [];
  await publishEvents(deps.bus, [event, ...conversion], deps.now());
  await deps.table.doc.send(
    new UpdateCommand({
      TableName: deps.table.name,
      Key: keys.order(purchase.orderId),
      UpdateExpression: 'SET eventPublished = :true',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
}

function conversionEvent(deps: RecordPurchaseDeps, purchase: NormalizedPurchase, attribution: Attribution) {
  const { campaignId, occurrenceId, messageId, touch, touchedAt, revenueMinor } = attribution;
  return CampaignConversion.create({
    orderId: purchase.orderId,
    customerId: purchase.customerId,
    campaignId,
    occurrenceId,
    messageId,
    touch,
    touchedAt,
    purchasedAt: purchase.purchasedAt,
    revenueMinor,
    currency: deps.config.shop.baseCurrency,
  });
}

function measurementFields(measurement: OrderMeasurement): Record<string, unknown> {
  return {
    ...(measurement.couponCodes.length > 0 ? { couponCodes: measurement.couponCodes } : {}),
    ...(measurement.attribution ? { attribution: measurement.attribution } : {}),
  };
}

function storedCouponCodes(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function storedAttribution(value: unknown): Attribution | undefined {
  const parsed = AttributionSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function formUrlFor(deps: Pick<RecordPurchaseDeps, 'publicBaseUrl' | 'signingKey'>, orderId: string, expiresAt: number): string {
  const token = signToken({ purpose: FORM_TOKEN_PURPOSE, sub: orderId, exp: expiresAt }, deps.signingKey);
  return new URL(`/form/${token}`, deps.publicBaseUrl).toString();
}
