import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { answerPrefix, keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import type { Answers } from '#shared/capture/submission-record.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { ANSWER_SOURCE, nonEmptyAnswers, PROFILE_ANSWER_FIELDS, type AnswerSet, type AnswerValue } from '#shared/capture/answer-history.ts';

/**
 * Keeps a submission's answers: first the submission itself in the customer's history (`ANSWERS#<at>#<orderId>`,
 * every submission, the referrer's address left out), then the profile's current answers, each as
 * `ans#<field> = { value, at, source, orderId }` (top-level attributes, like the `cat#` aggregates, so no map has
 * to exist first). The rule is the one of answer-history.ts: latest non-empty wins, so an answer a later form
 * leaves empty keeps its earlier value. The latest satisfaction score is also kept as `latestSatisfaction`, which
 * segmentation's `unsatisfied` reads — only if no newer score (e.g. from a staff interaction) is there; the
 * country as `country`. The referrer becomes `referredBy` (a customer id, keyed with `signingKey`), set once.
 */
export async function writeAnswersToProfile(
  table: Table,
  signingKey: string,
  input: { customerId: string; orderId: string; answers: Answers; at: string },
): Promise<{ referredBy: string | undefined }> {
  const given = nonEmptyAnswers(input.answers);
  await table.doc.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        ...keys.answerHistory(input.customerId, input.at, input.orderId),
        entityType: 'ANSWERS',
        customerId: input.customerId,
        orderId: input.orderId,
        submittedAt: input.at,
        answers: given,
      },
    }),
  );
  const referredBy = input.answers.referrerEmail === undefined ? undefined : customerIdForEmail(input.answers.referrerEmail, signingKey);
  const ownReferrer = referredBy !== undefined && referredBy !== input.customerId ? referredBy : undefined;
  if (!(await writeNewestAnswers(table, input, given, ownReferrer))) await writeAnswersOneByOne(table, input, given, ownReferrer);
  if (input.answers.satisfaction !== undefined) await recordSatisfaction(table, input.customerId, input.answers.satisfaction, input.at, ANSWER_SOURCE);
  return { referredBy: ownReferrer };
}

/** Top-level copies of some answers that other parts of the product read directly. */
function mirrorsOf(field: string, value: AnswerValue): [string, AnswerValue][] {
  if (field === 'country') return [['country', value]];
  if (field === 'preferredLanguage') return [['preferredLocale', value]];
  return [];
}

/**
 * The usual case: this submission is newer than every answer the profile holds (`answersAt` is the newest
 * submission applied), so each answer it gives is set in one write. False when a newer submission got there first.
 */
async function writeNewestAnswers(
  table: Table,
  input: { customerId: string; orderId: string; at: string },
  given: AnswerSet,
  referredBy: string | undefined,
): Promise<boolean> {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#answersAt': 'answersAt' };
  const values: Record<string, unknown> = { ':at': input.at };
  const sets = ['#updatedAt = :at', '#answersAt = :at'];
  let n = 0;
  const set = (attribute: string, value: unknown) => {
    names[`#f${n}`] = attribute;
    values[`:f${n}`] = value;
    sets.push(`#f${n} = :f${n}`);
    n++;
  };
  for (const field of PROFILE_ANSWER_FIELDS) {
    const value = given[field];
    if (value === undefined) continue;
    set(`${answerPrefix}${field}`, { value, at: input.at, source: ANSWER_SOURCE, orderId: input.orderId });
    for (const [attribute, mirrored] of mirrorsOf(field, value)) set(attribute, mirrored);
  }
  if (referredBy !== undefined) {
    names['#referredBy'] = 'referredBy';
    values[':referredBy'] = referredBy;
    sets.push('#referredBy = if_not_exists(#referredBy, :referredBy)');
  }
  return writeIfConditionHolds(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.profile(input.customerId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_not_exists(#answersAt) OR #answersAt < :at',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

/** The rare case (a newer submission landed first, or one at the same instant): each answer is set only where it is the newer one. */
async function writeAnswersOneByOne(
  table: Table,
  input: { customerId: string; orderId: string; at: string },
  given: AnswerSet,
  referredBy: string | undefined,
): Promise<void> {
  for (const field of PROFILE_ANSWER_FIELDS) {
    const value = given[field];
    if (value === undefined) continue;
    const names: Record<string, string> = { '#f': `${answerPrefix}${field}`, '#at': 'at', '#orderId': 'orderId' };
    const values: Record<string, unknown> = {
      ':answer': { value, at: input.at, source: ANSWER_SOURCE, orderId: input.orderId },
      ':at': input.at,
      ':orderId': input.orderId,
    };
    const sets = ['#f = :answer'];
    mirrorsOf(field, value).forEach(([attribute, mirrored], i) => {
      names[`#m${i}`] = attribute;
      values[`:m${i}`] = mirrored;
      sets.push(`#m${i} = :m${i}`);
    });
    await writeIfConditionHolds(() =>
      table.doc.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keys.profile(input.customerId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          // The same tie-break as answer-history.ts `supersedes`.
          ConditionExpression: 'attribute_not_exists(#f) OR #f.#at < :at OR (#f.#at = :at AND (attribute_not_exists(#f.#orderId) OR #f.#orderId < :orderId))',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
  const names: Record<string, string> = { '#answersAt': 'answersAt' };
  const values: Record<string, unknown> = { ':at': input.at };
  const sets = ['#answersAt = if_not_exists(#answersAt, :at)'];
  if (referredBy !== undefined) {
    names['#referredBy'] = 'referredBy';
    values[':referredBy'] = referredBy;
    sets.push('#referredBy = if_not_exists(#referredBy, :referredBy)');
  }
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.profile(input.customerId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Keeps the newest satisfaction score on the profile as `latestSatisfaction = { score, at, source }` (the shape the
 * profile read model and segmentation's `unsatisfied` read), whichever channel it came from: an older answer never
 * overwrites a newer one.
 */
export async function recordSatisfaction(table: Table, customerId: string, score: number, at: string, source: 'form' | 'interaction'): Promise<void> {
  await writeIfConditionHolds(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.profile(customerId),
        UpdateExpression: 'SET latestSatisfaction = :latest',
        ConditionExpression: 'attribute_not_exists(latestSatisfaction.#at) OR latestSatisfaction.#at <= :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':latest': { score, at, source }, ':at': at },
      }),
    ),
  );
}
