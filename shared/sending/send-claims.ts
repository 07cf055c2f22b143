/**
 * The claim store: one item per `(campaign, occurrence, customer)` that makes the send exactly-once, and the writes
 * around it. A new claim is one transaction with the profile's record of the send (and the campaign coupon, if
 * any), conditioned on consent and suppression at that instant; a claim whose worker died is taken over once its
 * lease is over; a claim is given back (SES surely did not send), held as `unknown` (SES may have), or marked sent.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Campaign } from '#shared/campaigns/campaign-config.ts';
import type { Locale } from '#shared/locales.ts';
import { logger } from '#shared/logger.ts';
import { exponential } from '#shared/runtime/retry.ts';
import { batchGetAll } from '#shared/table/batch-get.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import type { SendOutcome } from '#shared/sending/send-outcome.ts';
import { sendRef, type SendRequest } from '#shared/sending/send-request.ts';

const SendClaimSchema = z.object({
  /**
   * `held-out`: the planner put this customer in the campaign's holdout group; never sent, never taken over.
   * `unknown`: the SES call's outcome is unknown; taken over only once its lease is over (no event came).
   */
  status: z.enum(['claimed', 'sent', 'held-out', 'unknown']).catch('claimed'),
  claimToken: z.string().catch(''),
  leaseUntil: z.number().catch(0),
  couponCode: z.string().optional().catch(undefined),
});
export type SendClaim = z.output<typeof SendClaimSchema>;

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What an existing claim says about a new attempt: already settled, still someone else's, or free to take over. */
export function claimStanding(claim: SendClaim, now: Date): SendOutcome | undefined {
  if (claim.status === 'sent') return { outcome: 'skipped', reason: 'duplicate' };
  if (claim.status === 'held-out') return { outcome: 'skipped', reason: 'held-out' };
  if (claim.leaseUntil > now.getTime()) return { outcome: 'busy', until: new Date(claim.leaseUntil) };
  return undefined;
}

/** The profile and the claim of one send, read together (strongly consistent). */
export async function readSendState(
  table: Table,
  request: SendRequest,
): Promise<{ profileItem: Record<string, unknown> | undefined; claim: SendClaim | undefined }> {
  const profileKey = keys.profile(request.customerId);
  const claimKey = keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId);
  const found = await getAll(table, [profileKey, claimKey]);
  const claimItem = found.get(itemId(claimKey));
  return { profileItem: found.get(itemId(profileKey)), claim: claimItem ? SendClaimSchema.parse(claimItem) : undefined };
}

/**
 * The profiles of a batch's sends, by send ref. Claims are not read: a first delivery has none, and one that exists
 * (a redelivery, a re-planned occurrence) fails the new claim's `attribute_not_exists` condition instead.
 */
export async function readProfiles(table: Table, requests: readonly SendRequest[]): Promise<Map<string, Record<string, unknown> | undefined>> {
  if (requests.length === 0) return new Map();
  const found = await getAll(
    table,
    requests.map((r) => keys.profile(r.customerId)),
  );
  return new Map(requests.map((r) => [sendRef(r), found.get(itemId(keys.profile(r.customerId)))]));
}

export interface NewClaim {
  claimToken: string;
  leaseUntil: number;
  couponCode: string | undefined;
  /** The profile's `sendVersion` as read: the transaction fails if another send changed it since. */
  sendVersion: number;
  recentSends: readonly string[];
  consentAddress: string;
  now: Date;
}

/** The writes of a new claim, and the claim item as written (so marking it sent can be a plain put). */
export function newClaimWrites(
  table: Table,
  campaign: Campaign,
  request: SendRequest,
  claim: NewClaim,
  frequencyCapDays: number,
): { items: TransactItem[]; claimItem: Record<string, unknown> } {
  const claimItem: Record<string, unknown> = {
    ...keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
    entityType: 'SEND',
    campaignId: request.campaignId,
    occurrenceId: request.occurrenceId,
    customerId: request.customerId,
    status: 'claimed',
    claimToken: claim.claimToken,
    leaseUntil: claim.leaseUntil,
    claimedAt: claim.now.toISOString(),
    triggeredAt: request.triggeredAt,
    ...(claim.couponCode ? { couponCode: claim.couponCode } : {}),
  };
  const putClaim: TransactItem = { Put: { TableName: table.name, Item: claimItem, ConditionExpression: 'attribute_not_exists(PK)' } };
  const items: TransactItem[] = [
    putClaim,
    campaign.purpose === 'service' ? serviceSendUpdate(table, request, claim.now) : marketingSendUpdate(table, request, claim, frequencyCapDays),
  ];
  if (claim.couponCode && campaign.coupon) {
    items.push({
      Put: {
        TableName: table.name,
        Item: {
          ...keys.incentiveCode(claim.couponCode),
          entityType: 'CODE',
          kind: 'campaign-coupon',
          campaignId: request.campaignId,
          occurrenceId: request.occurrenceId,
          customerId: request.customerId,
          discount: campaign.coupon.discount,
          appliesTo: campaign.coupon.appliesTo,
          issuedAt: claim.now.toISOString(),
          validUntil: new Date(claim.now.getTime() + campaign.coupon.validDays * 86_400_000).toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
  }
  return { items, claimItem };
}

/** A marketing send counts against the frequency cap: its time joins `recentMarketingSends` in the claim's transaction. */
function marketingSendUpdate(table: Table, request: SendRequest, claim: NewClaim, frequencyCapDays: number): TransactItem {
  const cutoff = claim.now.getTime() - frequencyCapDays * 86_400_000;
  const sends = [...claim.recentSends.filter((iso) => Date.parse(iso) > cutoff), claim.now.toISOString()];
  const version = claim.sendVersion;
  return {
    // Counting the send in the same transaction keeps the frequency cap exact when campaigns race for one customer,
    // and re-checks consent and suppression at the instant of the claim.
    Update: {
      TableName: table.name,
      Key: keys.profile(request.customerId),
      // The profile's record of the send (count, last campaign) is written with the claim: one write instead of two.
      UpdateExpression: 'SET recentMarketingSends = :sends, sendVersion = :next, lastEmailSentAt = :now, lastEmailCampaign = :campaign ADD emailsSent :one',
      ConditionExpression: `${version === 0 ? 'attribute_not_exists(sendVersion)' : 'sendVersion = :version'} AND marketingConsent = :granted AND marketingConsentAddress = :consentAddress AND attribute_not_exists(suppressedReason)`,
      ExpressionAttributeValues: {
        ':sends': sends,
        ':next': version + 1,
        ':granted': 'granted',
        // Consent is for one address: the one this email goes to, still the profile's (it may have moved since the read).
        ':consentAddress': claim.consentAddress,
        ':now': claim.now.toISOString(),
        ':campaign': request.campaignId,
        ':one': 1,
        ...(version === 0 ? {} : { ':version': version }),
      },
    },
  };
}

/**
 * A service send is recorded on the profile (count, last campaign) but not in `recentMarketingSends`, so it neither
 * counts against nor is held back by the marketing cap. It re-checks, at the instant of the claim, that the address
 * was not suppressed and the customer did not stop every email since the read.
 */
function serviceSendUpdate(table: Table, request: SendRequest, now: Date): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.profile(request.customerId),
      UpdateExpression: 'SET lastEmailSentAt = :now, lastEmailCampaign = :campaign ADD emailsSent :one',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(suppressedReason) AND attribute_not_exists(unsubscribedAllAt)',
      ExpressionAttributeValues: { ':now': now.toISOString(), ':campaign': request.campaignId, ':one': 1 },
    },
  };
}

/** Takes over a claim whose lease ran out: `claimed` by a worker that died, or `unknown` with no SES event since. */
export function takeOverWrites(
  table: Table,
  request: SendRequest,
  takeover: { previousToken: string; claimToken: string; leaseUntil: number; now: Date },
): TransactItem[] {
  const { now } = takeover;
  return [
    {
      Update: {
        TableName: table.name,
        Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
        // An `unknown` claim whose lease ran out with no SES event: the email was most likely never sent (see send-campaign-email.ts).
        UpdateExpression: 'SET #status = :claimed, claimToken = :token, leaseUntil = :lease, reclaimedAt = :now ADD attempts :one',
        ConditionExpression: '#status IN (:claimed, :unknown) AND claimToken = :previous AND leaseUntil <= :nowMs',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':token': takeover.claimToken,
          ':lease': takeover.leaseUntil,
          ':now': now.toISOString(),
          ':one': 1,
          ':claimed': 'claimed',
          ':unknown': 'unknown',
          ':previous': takeover.previousToken,
          ':nowMs': now.getTime(),
        },
      },
    },
  ];
}

/**
 * Writes claims in one transaction. Returns DynamoDB's cancellation, if it cancelled it — someone else claimed one,
 * a profile changed (consent, another send) or a coupon code collided: the caller reads again and decides again.
 */
export async function writeClaims(table: Table, items: TransactItem[]): Promise<TransactionCanceledException | undefined> {
  try {
    await table.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return undefined;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return error;
    throw error;
  }
}

export async function releaseClaim(table: Table, request: SendRequest, claimToken: string): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
      UpdateExpression: 'SET leaseUntil = :zero',
      ConditionExpression: 'claimToken = :token AND #status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':zero': 0, ':token': claimToken, ':claimed': 'claimed' },
    }),
  );
}

/** SES may have sent it: hold the claim (no release) for a fresh lease; record-email-event marks it sent on an SES event. */
export async function markUnknown(table: Table, request: SendRequest, unknown: { claimToken: string; locale: Locale; until: Date; now: Date }): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
      UpdateExpression: 'SET #status = :unknown, unknownAt = :now, leaseUntil = :until, locale = :locale',
      ConditionExpression: 'claimToken = :token AND #status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':unknown': 'unknown',
        ':now': unknown.now.toISOString(),
        ':until': unknown.until.getTime(),
        ':locale': unknown.locale,
        ':token': unknown.claimToken,
        ':claimed': 'claimed',
      },
    }),
  );
}

export interface SentClaim {
  claimToken: string;
  messageId: string;
  locale: Locale;
  now: Date;
}

async function markSent(table: Table, request: SendRequest, sent: SentClaim): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
      UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :now, locale = :locale',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':messageId': sent.messageId,
        ':now': sent.now.toISOString(),
        ':locale': sent.locale,
        ':token': sent.claimToken,
      },
    }),
  );
}

/**
 * After SES accepted the email, failing the message would have SQS redeliver it and, once the lease is over, send
 * it again: so a claim that cannot be marked sent is logged (with ids only) and the send still counts as done.
 */
export async function markSentOrLog(table: Table, request: SendRequest, sent: SentClaim): Promise<void> {
  try {
    await markSent(table, request, sent);
  } catch (error) {
    logger.error('email sent but its claim could not be marked sent', {
      ref: sendRef(request),
      messageId: sent.messageId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Marks new claims sent with one BatchWriteItem (a full put of the claim as written: it is this worker's, under its lease). */
export async function markAllSent(
  table: Table,
  sent: readonly { claimItem: Record<string, unknown>; messageId: string; locale: Locale; now: Date }[],
): Promise<void> {
  await putAll(
    table,
    sent.map(({ claimItem, messageId, locale, now }) => ({ ...claimItem, status: 'sent', messageId, sentAt: now.toISOString(), locale })),
  );
}

function itemId(key: { PK: string; SK: string }): string {
  return `${key.PK}|${key.SK}`;
}

/** The sender's batch calls keep the budget they had: 4 attempts, 50, 100 and 200 ms apart, well inside its timeout. */
const BATCH_RETRY = { attempts: 4, backoff: exponential(25) };

/** Reads items (strongly consistent), reading again any keys DynamoDB left unprocessed. By `PK|SK`. */
async function getAll(table: Table, itemKeys: readonly { PK: string; SK: string }[]): Promise<Map<string, Record<string, unknown>>> {
  const items = await batchGetAll(table, itemKeys, { ConsistentRead: true, ...BATCH_RETRY });
  return new Map(items.map((item) => [`${String(item.PK)}|${String(item.SK)}`, item]));
}

/** Puts items, writing again any DynamoDB left unprocessed. */
async function putAll(table: Table, items: readonly Record<string, unknown>[]): Promise<void> {
  await batchWriteAll(
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
    BATCH_RETRY,
  );
}
