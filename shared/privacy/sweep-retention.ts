import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { logger } from '#shared/logger.ts';
import { answerPrefix, keys } from '#shared/table/keys.ts';
import { forEachScanPage } from '#shared/table/parallel-scan.ts';
import type { Table } from '#shared/table/table-client.ts';
import { monthsBefore, type PrivacyConfig } from '#shared/privacy/privacy-config.ts';

/** The form's free-text answers (the rest are choices from a list): blanked after `retention.freeTextAnswersMonths`. */
export const FREE_TEXT_ANSWERS = ['satisfactionReason', 'whyChoseUs', 'heardFromOther'] as const;
/** A staff contact's free text: blanked after `retention.contactsNotesMonths`. */
export const CONTACT_FREE_TEXT = ['note', 'whatWasDone', 'satisfiedWhy'] as const;

export interface SweepSummary {
  itemsScanned: number;
  submissionsCleared: number;
  /** Submissions in the customer's answer history (ANSWERS# items) whose free text was blanked. */
  historyCleared: number;
  profilesCleared: number;
  contactsCleared: number;
}

const SEGMENTS = 4;

/**
 * The daily retention sweep: one parallel Scan whose filter keeps only items holding free text older than its limit
 * (form answers on SUBMISSION items, in the answer history's ANSWERS# items and as `ans#…` on profiles; notes of
 * CONTACT# items; history and contact sort keys start with their time), then one conditional UpdateItem per such item removing just those fields. A scan reads the whole
 * table (filters do not reduce read units), see the README for what that costs; re-running is harmless.
 */
export async function sweepRetention(table: Table, config: PrivacyConfig, now: Date): Promise<SweepSummary> {
  const answersCutoff = monthsBefore(now, config.retention.freeTextAnswersMonths).toISOString();
  const contactsCutoff = monthsBefore(now, config.retention.contactsNotesMonths).toISOString();
  const names: Record<string, string> = { '#answers': 'answers' };
  const values: Record<string, unknown> = {
    ':submission': 'SUBMISSION',
    ':profile': 'PROFILE',
    ':answersCutoff': answersCutoff,
    ':contact': 'CONTACT#',
    ':contactCutoff': `CONTACT#${contactsCutoff}`,
    ':history': keys.answerHistoryPrefix,
    ':historyCutoff': `${keys.answerHistoryPrefix}${answersCutoff}`,
  };
  const submissionHasText = FREE_TEXT_ANSWERS.map((field, i) => {
    names[`#s${i}`] = field;
    return `attribute_exists(#answers.#s${i})`;
  }).join(' OR ');
  const profileHasOldText = FREE_TEXT_ANSWERS.map((field, i) => {
    names[`#p${i}`] = `${answerPrefix}${field}`;
    names['#at'] = 'at';
    return `#p${i}.#at < :answersCutoff`;
  }).join(' OR ');
  const contactHasText = CONTACT_FREE_TEXT.map((field, i) => {
    names[`#c${i}`] = field;
    return `attribute_exists(#c${i})`;
  }).join(' OR ');
  const filter = [
    `(SK = :submission AND submittedAt < :answersCutoff AND (${submissionHasText}))`,
    `(SK = :profile AND (${profileHasOldText}))`,
    `(SK BETWEEN :history AND :historyCutoff AND (${submissionHasText}))`,
    `(SK BETWEEN :contact AND :contactCutoff AND (${contactHasText}))`,
  ].join(' OR ');

  const summary: SweepSummary = { itemsScanned: 0, submissionsCleared: 0, historyCleared: 0, profilesCleared: 0, contactsCleared: 0 };
  await forEachScanPage(table, SEGMENTS, { FilterExpression: filter, ExpressionAttributeNames: names, ExpressionAttributeValues: values }, async (page) => {
    summary.itemsScanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      const key = { PK: String(item.PK), SK: String(item.SK) };
      if (key.SK === 'SUBMISSION') summary.submissionsCleared += await clearSubmission(table, key, answersCutoff, now);
      else if (key.SK === 'PROFILE') summary.profilesCleared += await clearProfile(table, key, item, answersCutoff);
      else if (key.SK.startsWith(keys.answerHistoryPrefix)) summary.historyCleared += await clearSubmission(table, key, answersCutoff, now);
      else summary.contactsCleared += await clearContact(table, key, now);
    }
  });
  logger.info('retention sweep', { ...summary });
  return summary;
}

async function clearSubmission(table: Table, key: { PK: string; SK: string }, cutoff: string, now: Date): Promise<number> {
  const names: Record<string, string> = { '#answers': 'answers' };
  const removes = FREE_TEXT_ANSWERS.map((field, i) => {
    names[`#f${i}`] = field;
    return `#answers.#f${i}`;
  });
  // Only if no newer submission landed since the scan read it.
  return conditionalUpdate(table, {
    Key: key,
    UpdateExpression: `REMOVE ${removes.join(', ')} SET retentionSweptAt = :now`,
    ConditionExpression: 'submittedAt < :cutoff',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':cutoff': cutoff, ':now': now.toISOString() },
  });
}

async function clearProfile(table: Table, key: { PK: string; SK: string }, item: Record<string, unknown>, cutoff: string): Promise<number> {
  const names: Record<string, string> = { '#at': 'at' };
  const removes: string[] = [];
  const conditions: string[] = [];
  FREE_TEXT_ANSWERS.forEach((field, i) => {
    const answer = item[`${answerPrefix}${field}`];
    const at = typeof answer === 'object' && answer !== null ? Reflect.get(answer, 'at') : undefined;
    if (typeof at !== 'string' || at >= cutoff) return;
    names[`#f${i}`] = `${answerPrefix}${field}`;
    removes.push(`#f${i}`);
    conditions.push(`#f${i}.#at < :cutoff`);
  });
  if (removes.length === 0) return 0;
  return conditionalUpdate(table, {
    Key: key,
    UpdateExpression: `REMOVE ${removes.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':cutoff': cutoff },
  });
}

async function clearContact(table: Table, key: { PK: string; SK: string }, now: Date): Promise<number> {
  const names: Record<string, string> = {};
  const removes = CONTACT_FREE_TEXT.map((field, i) => {
    names[`#f${i}`] = field;
    return `#f${i}`;
  });
  return conditionalUpdate(table, {
    Key: key,
    UpdateExpression: `REMOVE ${removes.join(', ')} SET retentionSweptAt = :now`,
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':now': now.toISOString() },
  });
}

async function conditionalUpdate(
  table: Table,
  input: {
    Key: { PK: string; SK: string };
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  },
): Promise<number> {
  return (await writeIfConditionHolds(() => table.doc.send(new UpdateCommand({ TableName: table.name, ...input })))) ? 1 : 0;
}
