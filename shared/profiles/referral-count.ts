/**
 * A referrer's `referralCount` (segmentation's `referrers` reads it), counted exactly once per referral edge, also
 * when the referral was credited before the referrer had a profile.
 *
 * Each REFERRAL# edge is written with `pendingCount`; one transaction removes that mark and adds 1 to the profile,
 * guarded by "the mark is still there" and "the profile exists". An edge whose referrer has no profile yet stays
 * marked, and the referrer is listed under REFPENDING; whoever creates the profile (a purchase, an import) settles
 * the list (it is then marked settled and left to the table's TTL: the functions that settle need no DeleteItem). Both sides check after writing (the crediting side re-reads the profile after listing the referrer,
 * the creating side reads the list after creating the profile), so an edge is never left behind by a race, and the
 * mark makes a second settle count nothing.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { logger } from '#shared/logger.ts';
import { keys } from '#shared/table/keys.ts';
import { tableDesign } from '#shared/table/table-design.ts';
import type { Table } from '#shared/table/table-client.ts';

/**
 * Credits a referral once per referred customer: a REFERRAL# edge under the referrer, counted on the referrer's
 * profile now if they have one, else as soon as they do. False when the edge existed already.
 */
export async function creditReferral(table: Table, input: { referrerId: string; referredId: string; orderId: string; at: string }): Promise<boolean> {
  if (input.referrerId === input.referredId) return false;
  // A retry after a crash between the put and the count: count it now if it still waits.
  await writeIfConditionHolds(() =>
    table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...keys.referral(input.referrerId, input.referredId),
          entityType: 'REFERRAL',
          referrerId: input.referrerId,
          referredId: input.referredId,
          orderId: input.orderId,
          at: input.at,
          pendingCount: true,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  const counted = await countReferralEdge(table, input.referrerId, input.referredId, input.at);
  if (counted === 'no-profile') {
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...keys.pendingReferrer(input.referrerId), entityType: 'REFERRAL_PENDING', referrerId: input.referrerId, since: input.at },
      }),
    );
    // The profile may have been created between the count and the listing: then its creator may have missed the list.
    if (await profileExists(table, input.referrerId)) await settlePendingReferrals(table, input.referrerId);
  }
  return counted !== 'already-counted';
}

type CountOutcome = 'counted' | 'already-counted' | 'no-profile';

async function countReferralEdge(table: Table, referrerId: string, referredId: string, at: string): Promise<CountOutcome> {
  try {
    await table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table.name,
              Key: keys.referral(referrerId, referredId),
              UpdateExpression: 'REMOVE pendingCount SET countedAt = :at',
              ConditionExpression: 'attribute_exists(pendingCount)',
              ExpressionAttributeValues: { ':at': at },
            },
          },
          {
            Update: {
              TableName: table.name,
              Key: keys.profile(referrerId),
              UpdateExpression: 'ADD referralCount :one SET lastReferralAt = :at',
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeValues: { ':one': 1, ':at': at },
            },
          },
        ],
      }),
    );
    return 'counted';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [edge, profile] = error.CancellationReasons ?? [];
    if (edge?.Code === 'ConditionalCheckFailed') return 'already-counted';
    if (profile?.Code === 'ConditionalCheckFailed') return 'no-profile';
    throw error;
  }
}

async function profileExists(table: Table, customerId: string): Promise<boolean> {
  const result = await table.doc.send(
    new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ProjectionExpression: 'PK', ConsistentRead: true }),
  );
  return result.Item !== undefined;
}

/** Counts every edge of this referrer still waiting for their profile; clears the listing once none waits. Returns how many it counted. */
export async function settlePendingReferrals(table: Table, referrerId: string): Promise<number> {
  let counted = 0;
  let waiting = false;
  const pages = paginateQuery(
    { client: table.doc },
    {
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      FilterExpression: 'attribute_exists(pendingCount)',
      ExpressionAttributeValues: { ':pk': keys.profile(referrerId).PK, ':prefix': keys.referralPrefix },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const referredId = typeof item.referredId === 'string' ? item.referredId : String(item.SK).slice(keys.referralPrefix.length);
      const outcome = await countReferralEdge(table, referrerId, referredId, typeof item.at === 'string' ? item.at : new Date(0).toISOString());
      if (outcome === 'counted') counted++;
      if (outcome === 'no-profile') waiting = true;
    }
  }
  if (!waiting) {
    const nowSeconds = Math.floor(Date.now() / 1000);
    await writeIfConditionHolds(() =>
      table.doc.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keys.pendingReferrer(referrerId),
          UpdateExpression: 'SET settledAt = :now, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#ttl': tableDesign.timeToLiveAttribute },
          ExpressionAttributeValues: { ':now': new Date(nowSeconds * 1000).toISOString(), ':ttl': nowSeconds },
        }),
      ),
    );
  }
  if (counted > 0) logger.info('referrals counted once the referrer had a profile', { customerId: referrerId, counted });
  return counted;
}

/** For a profile just created: counts the referrals credited to it before it existed (one read when there are none). */
export async function settleReferralsOfNewProfile(table: Table, customerId: string): Promise<number> {
  const listed = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.pendingReferrer(customerId), ConsistentRead: true }));
  return listed.Item && listed.Item.settledAt === undefined ? settlePendingReferrals(table, customerId) : 0;
}

/** After an import: every listed referrer who has a profile now gets their waiting referrals counted (one Query of a small partition). */
export async function settleAllPendingReferrals(table: Table): Promise<number> {
  let counted = 0;
  const pages = paginateQuery(
    { client: table.doc },
    {
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk',
      FilterExpression: 'attribute_not_exists(settledAt)',
      ExpressionAttributeValues: { ':pk': keys.pendingReferrerPartition },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const referrerId = typeof item.referrerId === 'string' ? item.referrerId : undefined;
      if (referrerId !== undefined && (await profileExists(table, referrerId))) counted += await settlePendingReferrals(table, referrerId);
    }
  }
  return counted;
}
