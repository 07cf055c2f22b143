import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { answerPrefix, keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import type { Answers } from '#shared/capture/submission-record.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';

export const ANSWER_SOURCE = 'form' as const;

/** Answers that land on the profile as `ans#<field>`; the referrer's address does not (it becomes `referredBy`, a customer id). */
const PROFILE_ANSWER_FIELDS = ['name', 'ageBand', 'gender', 'country', 'postcode', 'size', 'satisfaction', 'satisfactionReason', 'whyChoseUs', 'heardFrom', 'heardFromOther', 'interests', 'preferredLanguage', 'products'] as const;

/**
 * Writes a submission's answers to the customer's profile, each as `ans#<field> = { value, at, source, orderId }`
 * (top-level attributes, like the `cat#` aggregates, so no map has to exist first). An answer the customer
 * cleared is removed. The latest satisfaction score is also kept as `latestSatisfaction`, which segmentation's
 * `unsatisfied` reads — only if no newer score (e.g. from a staff interaction) is there; the country as `country`. The referrer becomes `referredBy` (a customer id), set once.
 */
export async function writeAnswersToProfile(table: Table, input: { customerId: string; orderId: string; answers: Answers; at: string }): Promise<{ referredBy: string | undefined }> {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#answersAt': 'answersAt' };
  const values: Record<string, unknown> = { ':at': input.at };
  const sets = ['#updatedAt = :at', '#answersAt = :at'];
  const removes: string[] = [];
  PROFILE_ANSWER_FIELDS.forEach((field, index) => {
    const value = input.answers[field];
    names[`#f${index}`] = `${answerPrefix}${field}`;
    const empty = value === undefined || (Array.isArray(value) && value.length === 0);
    if (empty) removes.push(`#f${index}`);
    else {
      values[`:f${index}`] = { value, at: input.at, source: ANSWER_SOURCE, orderId: input.orderId };
      sets.push(`#f${index} = :f${index}`);
    }
  });
  const referredBy = input.answers.referrerEmail === undefined ? undefined : customerIdForEmail(input.answers.referrerEmail);
  if (referredBy !== undefined && referredBy !== input.customerId) {
    names['#referredBy'] = 'referredBy';
    values[':referredBy'] = referredBy;
    sets.push('#referredBy = if_not_exists(#referredBy, :referredBy)');
  }
  if (input.answers.country !== undefined) {
    names['#country'] = 'country';
    values[':country'] = input.answers.country;
    sets.push('#country = :country');
  }
  if (input.answers.preferredLanguage !== undefined) {
    names['#preferredLocale'] = 'preferredLocale';
    values[':preferredLocale'] = input.answers.preferredLanguage;
    sets.push('#preferredLocale = :preferredLocale');
  }
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.profile(input.customerId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
  if (input.answers.satisfaction !== undefined) await recordSatisfaction(table, input.customerId, input.answers.satisfaction, input.at, ANSWER_SOURCE);
  return { referredBy: referredBy === input.customerId ? undefined : referredBy };
}

/**
 * Keeps the newest satisfaction score on the profile as `latestSatisfaction = { score, at, source }` (the shape the
 * profile read model and segmentation's `unsatisfied` read), whichever channel it came from: an older answer never
 * overwrites a newer one.
 */
export async function recordSatisfaction(table: Table, customerId: string, score: number, at: string, source: 'form' | 'interaction'): Promise<void> {
  try {
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.profile(customerId),
        UpdateExpression: 'SET latestSatisfaction = :latest',
        ConditionExpression: 'attribute_not_exists(latestSatisfaction.#at) OR latestSatisfaction.#at <= :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':latest': { score, at, source }, ':at': at },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Credits a referral once per referred customer: a REFERRAL# edge under the referrer, and `referralCount` on the
 * referrer's profile if they are a customer already (segmentation's `referrers` reads it).
 */
export async function creditReferral(table: Table, input: { referrerId: string; referredId: string; orderId: string; at: string }): Promise<boolean> {
  if (input.referrerId === input.referredId) return false;
  try {
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...keys.referral(input.referrerId, input.referredId), entityType: 'REFERRAL', referrerId: input.referrerId, referredId: input.referredId, orderId: input.orderId, at: input.at },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
  try {
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.profile(input.referrerId),
        UpdateExpression: 'ADD referralCount :one SET lastReferralAt = :at',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':one': 1, ':at': input.at },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return true;
}
