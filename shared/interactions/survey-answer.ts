/**
 * A customer's answer to an email's one-click survey, kept as a contact of channel `survey` beside the staff's
 * contacts (the same `CUST#<id>/CONTACT#<at>#<interactionId>` item and `INTERACTION#<id>` guard), and counted per
 * answer so staff see why customers left without scanning anything.
 *
 * One answer per email: the interaction id derives from (campaign, occurrence, customer). The first POST writes the
 * guard, the contact and +1 on its answer's count in one transaction; a repeat with the same answer changes nothing;
 * a repeat with another answer (or note) updates the one contact and moves the count, guarded by the answer it read.
 * The guard holds no free text: the note lives only in the customer's own partition (erased with it).
 */
import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { NotFoundError } from '#shared/errors.ts';
import { noWait, retry } from '#shared/runtime/retry.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';

export const SURVEY_CHANNEL = 'survey';
export const SURVEY_NOTE_MAX = 1000;

/** Counts of answers per campaign: `STATS#SURVEY / CAMPAIGN#<campaignId>`, one `answer:<choice>` number per choice. */
export const surveyStatsKey = (campaignId: string) => ({ PK: 'STATS#SURVEY', SK: `CAMPAIGN#${campaignId}` });
const ANSWER_ATTRIBUTE = 'answer:';

export const SurveyAnswerSchema = z.object({
  interactionId: z.string(),
  customerId: z.string(),
  channel: z.literal(SURVEY_CHANNEL),
  reason: z.string(),
  campaignId: z.string(),
  occurrenceId: z.string(),
  note: z.string().optional(),
  recordedAt: z.string(),
  updatedAt: z.string().optional(),
});
export type SurveyAnswer = z.output<typeof SurveyAnswerSchema>;

export interface SurveyAnswerInput {
  customerId: string;
  campaignId: string;
  occurrenceId: string;
  reason: string;
  note: string | undefined;
}

export type SurveyAnswerResult = { outcome: 'created' | 'updated' | 'unchanged'; interactionId: string; recordedAt: string };

const Guard = z.object({ customerId: z.string(), recordedAt: z.string(), reason: z.string(), noteHash: z.string() });

/** Within the interaction id's alphabet ([A-Za-z0-9._:-], ≤ 100): the campaign id and a hash of occurrence and customer. */
export function surveyInteractionId(campaignId: string, occurrenceId: string, customerId: string): string {
  return `survey:${campaignId}:${createHash('sha256').update(`${occurrenceId}|${customerId}`).digest('base64url').slice(0, 32)}`;
}

const hashOf = (note: string | undefined) =>
  createHash('sha256')
    .update(note ?? '')
    .digest('base64url');
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export async function recordSurveyAnswer(deps: { table: Table; now: () => Date }, input: SurveyAnswerInput): Promise<SurveyAnswerResult> {
  const { table } = deps;
  const interactionId = surveyInteractionId(input.campaignId, input.occurrenceId, input.customerId);
  const noteHash = hashOf(input.note);
  return retry(
    async () => {
      const stored = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.interaction(interactionId), ConsistentRead: true }));
      const now = deps.now().toISOString();
      const items: TransactItem[] = [];
      let outcome: SurveyAnswerResult['outcome'];
      let recordedAt = now;
      if (!stored.Item) {
        outcome = 'created';
        const answer: SurveyAnswer = {
          interactionId,
          customerId: input.customerId,
          channel: SURVEY_CHANNEL,
          reason: input.reason,
          campaignId: input.campaignId,
          occurrenceId: input.occurrenceId,
          ...(input.note ? { note: input.note } : {}),
          recordedAt: now,
        };
        items.push(
          {
            Put: {
              TableName: table.name,
              Item: {
                ...keys.interaction(interactionId),
                entityType: 'INTERACTION',
                customerId: input.customerId,
                recordedAt: now,
                reason: input.reason,
                noteHash,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          // The customer must still exist (an erased customer's old link records nothing).
          { ConditionCheck: { TableName: table.name, Key: keys.profile(input.customerId), ConditionExpression: 'attribute_exists(PK)' } },
          { Put: { TableName: table.name, Item: { ...keys.contact(input.customerId, now, interactionId), entityType: 'CONTACT', ...answer } } },
          countChange(table, input.campaignId, { add: input.reason }),
        );
      } else {
        const guard = Guard.parse(stored.Item);
        recordedAt = guard.recordedAt;
        if (guard.reason === input.reason && guard.noteHash === noteHash) return { outcome: 'unchanged', interactionId, recordedAt };
        outcome = 'updated';
        items.push(
          {
            Update: {
              TableName: table.name,
              Key: keys.interaction(interactionId),
              UpdateExpression: 'SET reason = :reason, noteHash = :noteHash, updatedAt = :now',
              ConditionExpression: 'reason = :was AND noteHash = :wasNote',
              ExpressionAttributeValues: { ':reason': input.reason, ':noteHash': noteHash, ':now': now, ':was': guard.reason, ':wasNote': guard.noteHash },
            },
          },
          {
            Update: {
              TableName: table.name,
              Key: keys.contact(input.customerId, guard.recordedAt, interactionId),
              UpdateExpression: input.note ? 'SET reason = :reason, updatedAt = :now, note = :note' : 'SET reason = :reason, updatedAt = :now REMOVE note',
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeValues: { ':reason': input.reason, ':now': now, ...(input.note ? { ':note': input.note } : {}) },
            },
          },
        );
        if (guard.reason !== input.reason) items.push(countChange(table, input.campaignId, { add: input.reason, remove: guard.reason }));
      }
      try {
        await table.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return { outcome, interactionId, recordedAt };
      } catch (error) {
        // The profile check (second item of a first answer) failed: nobody to record it for.
        if (error instanceof TransactionCanceledException && outcome === 'created' && error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed')
          throw new NotFoundError('This survey link is not valid');
        throw error;
      }
    },
    // Someone answered at the same moment (another tab, a double click): read again and decide again.
    { attempts: 4, backoff: noWait, retryOn: (error) => error instanceof TransactionCanceledException },
  );
}

function countChange(table: Table, campaignId: string, change: { add: string; remove?: string }): TransactItem {
  const names: Record<string, string> = { '#add': `${ANSWER_ATTRIBUTE}${change.add}` };
  if (change.remove) names['#remove'] = `${ANSWER_ATTRIBUTE}${change.remove}`;
  return {
    Update: {
      TableName: table.name,
      Key: surveyStatsKey(campaignId),
      UpdateExpression: change.remove ? 'SET campaignId = :campaign ADD #add :one, #remove :minus' : 'SET campaignId = :campaign ADD #add :one',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':campaign': campaignId, ':one': 1, ...(change.remove ? { ':minus': -1 } : {}) },
    },
  };
}

export interface SurveyCounts {
  campaignId: string;
  /** Answers per choice, most answered first; choices nobody (any longer) picked are left out. */
  answers: { reason: string; count: number }[];
}

/** Every survey's counts, from one small partition. */
export async function surveyCounts(table: Table): Promise<SurveyCounts[]> {
  const result = await table.doc.send(
    new QueryCommand({ TableName: table.name, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': surveyStatsKey('').PK } }),
  );
  return (result.Items ?? []).map((item) => ({
    campaignId: typeof item.campaignId === 'string' ? item.campaignId : String(item.SK).replace(/^CAMPAIGN#/, ''),
    answers: Object.entries(item)
      .flatMap(([name, value]) =>
        name.startsWith(ANSWER_ATTRIBUTE) && typeof value === 'number' && value > 0 ? [{ reason: name.slice(ANSWER_ATTRIBUTE.length), count: value }] : [],
      )
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  }));
}
