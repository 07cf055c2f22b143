/**
 * Held-out claims: the planner's record that a customer of a campaign occurrence was deliberately not emailed.
 * Same key as a send claim, so the sender (which reads the claim before sending) never sends to them, and the
 * report can compare the held-out group with those who were sent.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { chunk, forEachConcurrent } from '#shared/runtime/concurrency.ts';
import { fullJitter } from '#shared/runtime/retry.ts';
import { BATCH_GET_MAX, batchGetAll } from '#shared/table/batch-get.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface HeldOutRecipient {
  campaignId: string;
  occurrenceId: string;
  customerId: string;
  triggeredAt: string;
}

export const HELD_OUT_STATUS = 'held-out';

const PARALLEL_CHUNKS = 4;
/** Unprocessed items mean throttling: back off exponentially with full jitter, as AWS advises. */
const CLAIM_BATCH_RETRIES = { attempts: 8, backoff: fullJitter(50, 2_000) };

export function heldOutClaimItem(recipient: HeldOutRecipient, heldOutAt: Date): Record<string, unknown> {
  return {
    ...keys.sendClaim(recipient.campaignId, recipient.occurrenceId, recipient.customerId),
    entityType: 'SEND',
    status: HELD_OUT_STATUS,
    campaignId: recipient.campaignId,
    occurrenceId: recipient.occurrenceId,
    customerId: recipient.customerId,
    heldOutAt: heldOutAt.toISOString(),
    triggeredAt: recipient.triggeredAt,
  };
}

/** One held-out claim, never over an existing claim (a replanned occurrence keeps what is there). True if written now. */
export async function recordHeldOutClaim(table: Table, recipient: HeldOutRecipient, heldOutAt: Date): Promise<boolean> {
  return writeIfConditionHolds(() =>
    table.doc.send(new PutCommand({ TableName: table.name, Item: heldOutClaimItem(recipient, heldOutAt), ConditionExpression: 'attribute_not_exists(PK)' })),
  );
}

/**
 * Held-out claims of a newsletter's audience, in bulk: BatchGetItem finds the claims that already exist (a
 * redelivered schedule plans the same occurrence again), BatchWriteItem puts the rest 25 at a time, retrying
 * unprocessed items. BatchWriteItem takes no condition, so "never over an existing claim" rests on the read just
 * before; the only writer that could slip in between is a sender working on a message for this very
 * (campaign, occurrence, customer), which exists only if an earlier plan of the occurrence, under another
 * holdoutPercent, queued the customer. Returns how many claims were written.
 */
export async function recordHeldOutClaims(table: Table, recipients: readonly HeldOutRecipient[], heldOutAt: Date): Promise<number> {
  let written = 0;
  await forEachConcurrent(chunk(recipients, BATCH_GET_MAX), PARALLEL_CHUNKS, async (recipientsOfChunk) => {
    const count = await writeChunk(table, recipientsOfChunk, heldOutAt);
    written += count;
  });
  return written;
}

async function writeChunk(table: Table, recipients: readonly HeldOutRecipient[], heldOutAt: Date): Promise<number> {
  const existing = await existingClaims(table, recipients);
  const missing = recipients.filter((r) => !existing.has(claimRef(r)));
  await batchWriteAll(
    table,
    missing.map((r) => ({ PutRequest: { Item: heldOutClaimItem(r, heldOutAt) } })),
    CLAIM_BATCH_RETRIES,
  );
  return missing.length;
}

async function existingClaims(table: Table, recipients: readonly HeldOutRecipient[]): Promise<Set<string>> {
  const claimKeys = recipients.map((r) => keys.sendClaim(r.campaignId, r.occurrenceId, r.customerId));
  const items = await batchGetAll(table, claimKeys, { ConsistentRead: true, ProjectionExpression: 'PK, SK', ...CLAIM_BATCH_RETRIES });
  return new Set(items.map((item) => `${String(item.PK)}|${String(item.SK)}`));
}

function claimRef(r: HeldOutRecipient): string {
  const key = keys.sendClaim(r.campaignId, r.occurrenceId, r.customerId);
  return `${key.PK}|${key.SK}`;
}
