import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { recordSatisfaction } from '#shared/capture/profile-answers.ts';
import { openCaseIfUnhappy, type CaseDeps } from '#shared/cases/case-actions.ts';
import { caseIdFor } from '#shared/cases/case-store.ts';
import { ConflictError, UnprocessableError } from '#shared/errors.ts';
import { InteractionRecorded } from '#shared/events/interaction-recorded.ts';
import { publishEvents } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import type { InteractionInput } from '#shared/interactions/interaction-input.ts';

export interface RecordInteractionDeps extends CaseDeps {
  /** A satisfaction at or below this opens a case (config/console.yaml cases.openAtOrBelow). */
  openCaseAtOrBelow: number;
  /** The signing secret: it keys the customer id of a contact given by address. */
  signingKey: string;
}

export interface RecordInteractionResult {
  outcome: 'created' | 'replayed';
  interactionId: string;
  customerId: string;
  recordedAt: string;
  caseId: string | undefined;
}

/** A stored contact, as the customer page shows it. */
export const ContactSchema = z.object({
  interactionId: z.string(),
  customerId: z.string(),
  channel: z.string(),
  reason: z.string(),
  satisfied: z.number(),
  satisfiedWhy: z.string().optional(),
  whatWasDone: z.string().optional(),
  outcome: z.string(),
  note: z.string().optional(),
  staffId: z.string(),
  recordedAt: z.string(),
  caseId: z.string().optional(),
});
export type Contact = z.output<typeof ContactSchema>;

const Guard = z.object({
  customerId: z.string(),
  recordedAt: z.string(),
  fingerprint: z.string(),
  caseId: z.string().optional(),
  completedAt: z.string().optional(),
});

/**
 * Records one contact, once per interactionId: the contact and an INTERACTION# guard land in one transaction, so a
 * replay (a till retrying) changes nothing and answers with the first result; the same id with other content is a
 * 409. Then the profile's latest satisfaction (source "interaction"), a case when the customer is unhappy, and
 * InteractionRecorded. Those follow-ups are idempotent and redone on a replay until the guard says they completed.
 */
export async function recordInteraction(deps: RecordInteractionDeps, input: InteractionInput): Promise<RecordInteractionResult> {
  const customerId = input.customerId ?? customerIdForEmail(input.customerEmail ?? '', deps.signingKey);
  const field = input.customerId ? 'customerId' : 'customerEmail';
  const profile = await deps.table.doc.send(new GetCommand({ TableName: deps.table.name, Key: keys.profile(customerId), ProjectionExpression: 'PK' }));
  if (!profile.Item)
    throw new UnprocessableError('No customer with that address or id', [{ field, message: 'no customer with this value; record a purchase first' }]);

  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        customerId,
        input.channel,
        input.reason,
        input.satisfied,
        input.satisfiedWhy ?? '',
        input.whatWasDone ?? '',
        input.outcome,
        input.note ?? '',
        input.staffId,
      ]),
    )
    .digest('base64url');
  const recordedAt = deps.now().toISOString();
  const contact: Contact = {
    interactionId: input.interactionId,
    customerId,
    channel: input.channel,
    reason: input.reason,
    satisfied: input.satisfied,
    ...(input.satisfiedWhy ? { satisfiedWhy: input.satisfiedWhy } : {}),
    ...(input.whatWasDone ? { whatWasDone: input.whatWasDone } : {}),
    outcome: input.outcome,
    ...(input.note ? { note: input.note } : {}),
    staffId: input.staffId,
    recordedAt,
  };
  let guard: z.output<typeof Guard> = { customerId, recordedAt, fingerprint };
  let outcome: RecordInteractionResult['outcome'] = 'created';
  try {
    await deps.table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.table.name,
              Item: { ...keys.interaction(input.interactionId), entityType: 'INTERACTION', ...guard },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Put: { TableName: deps.table.name, Item: { ...keys.contact(customerId, recordedAt, input.interactionId), entityType: 'CONTACT', ...contact } } },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed')) throw error;
    const stored = await deps.table.doc.send(new GetCommand({ TableName: deps.table.name, Key: keys.interaction(input.interactionId), ConsistentRead: true }));
    guard = Guard.parse(stored.Item);
    if (guard.fingerprint !== fingerprint)
      throw new ConflictError(`Interaction ${input.interactionId} was recorded already with other content; use a new interactionId`);
    outcome = 'replayed';
    if (guard.completedAt) return { outcome, interactionId: input.interactionId, customerId, recordedAt: guard.recordedAt, caseId: guard.caseId };
  }

  await recordSatisfaction(deps.table, customerId, input.satisfied, guard.recordedAt, 'interaction');
  await recordLastContact(deps.table, customerId, guard.recordedAt);
  const opened = await openCaseIfUnhappy(
    deps,
    { customerId, source: 'interaction', sourceRef: input.interactionId, reason: input.reason, satisfied: input.satisfied, at: guard.recordedAt },
    deps.openCaseAtOrBelow,
  );
  // The case id derives from the interaction: a replay racing the first request names the same case as it does.
  const caseId = input.satisfied <= deps.openCaseAtOrBelow ? caseIdFor('interaction', input.interactionId) : undefined;
  await publishEvents(
    deps.bus,
    [
      InteractionRecorded.create({
        interactionId: input.interactionId,
        customerId,
        channel: input.channel,
        reason: input.reason,
        satisfied: input.satisfied,
        outcome: input.outcome,
        staffId: input.staffId,
        recordedAt: guard.recordedAt,
      }),
    ],
    deps.now(),
  );
  await deps.table.doc.send(
    new UpdateCommand({
      TableName: deps.table.name,
      Key: keys.interaction(input.interactionId),
      UpdateExpression: caseId ? 'SET completedAt = :now, caseId = :caseId' : 'SET completedAt = :now',
      ExpressionAttributeValues: { ':now': deps.now().toISOString(), ...(caseId ? { ':caseId': caseId } : {}) },
    }),
  );
  if (caseId) {
    await deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.name,
        Key: keys.contact(customerId, guard.recordedAt, input.interactionId),
        UpdateExpression: 'SET caseId = :caseId',
        ExpressionAttributeValues: { ':caseId': caseId },
      }),
    );
  }
  logger.info('interaction recorded', { interactionId: input.interactionId, customerId, outcome, caseOpened: opened !== undefined });
  return { outcome, interactionId: input.interactionId, customerId, recordedAt: guard.recordedAt, caseId };
}

/**
 * Keeps the profile's `lastContactAt` (segment predicates read it) at the newest contact: one conditional write, so
 * an older contact landing late never moves it back and a replay changes nothing.
 */
export async function recordLastContact(table: Table, customerId: string, at: string): Promise<void> {
  await writeIfConditionHolds(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.profile(customerId),
        UpdateExpression: 'SET lastContactAt = :at',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(lastContactAt) OR lastContactAt < :at)',
        ExpressionAttributeValues: { ':at': at },
      }),
    ),
  );
}
