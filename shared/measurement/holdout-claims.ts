/**
 * Held-out claims: the planner's record that a customer of a campaign occurrence was deliberately not emailed.
 * Same key as a send claim, so the sender (which reads the claim before sending) never sends to them, and the
 * report can compare the held-out group with those who were sent.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface HeldOutRecipient {
  campaignId: string;
  occurrenceId: string;
  customerId: string;
  triggeredAt: string;
}

export const HELD_OUT_STATUS = 'held-out';

const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
const PARALLEL_CHUNKS = 4;
const MAX_ATTEMPTS = 8;

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
  try {
    await table.doc.send(new PutCommand({ TableName: table.name, Item: heldOutClaimItem(recipient, heldOutAt), ConditionExpression: 'attribute_not_exists(PK)' }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
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
  const chunks: HeldOutRecipient[][] = [];
  for (let i = 0; i < recipients.length; i += BATCH_GET_MAX) chunks.push(recipients.slice(i, i + BATCH_GET_MAX));
  let written = 0;
  for (let i = 0; i < chunks.length; i += PARALLEL_CHUNKS) {
    const counts = await Promise.all(chunks.slice(i, i + PARALLEL_CHUNKS).map((chunk) => writeChunk(table, chunk, heldOutAt)));
    written += counts.reduce((a, b) => a + b, 0);
  }
  return written;
}

async function writeChunk(table: Table, chunk: readonly HeldOutRecipient[], heldOutAt: Date): Promise<number> {
  const existing = await existingClaims(table, chunk);
  const missing = chunk.filter((r) => !existing.has(claimRef(r)));
  for (let i = 0; i < missing.length; i += BATCH_WRITE_MAX) {
    await batchPut(table, missing.slice(i, i + BATCH_WRITE_MAX).map((r) => heldOutClaimItem(r, heldOutAt)));
  }
  return missing.length;
}

async function existingClaims(table: Table, chunk: readonly HeldOutRecipient[]): Promise<Set<string>> {
  const found = new Set<string>();
  let pending: Record<string, unknown>[] = chunk.map((r) => keys.sendClaim(r.campaignId, r.occurrenceId, r.customerId));
  for (let attempt = 1; pending.length > 0; attempt++) {
    const result = await table.doc.send(
      new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'PK, SK' } } }),
    );
    for (const item of result.Responses?.[table.name] ?? []) found.add(`${String(item.PK)}|${String(item.SK)}`);
    pending = result.UnprocessedKeys?.[table.name]?.Keys ?? [];
    await backOffOrGiveUp(pending.length, attempt, 'BatchGetItem left claim keys unread');
  }
  return found;
}

async function batchPut(table: Table, items: readonly Record<string, unknown>[]): Promise<void> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    const result = await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } }));
    const unprocessed = result.UnprocessedItems?.[table.name] ?? [];
    pending = unprocessed.flatMap((w) => (w.PutRequest?.Item ? [{ PutRequest: { Item: w.PutRequest.Item } }] : []));
    await backOffOrGiveUp(pending.length, attempt, 'BatchWriteItem left held-out claims unwritten');
  }
}

async function backOffOrGiveUp(pending: number, attempt: number, what: string): Promise<void> {
  if (pending === 0) return;
  if (attempt >= MAX_ATTEMPTS) throw new Error(`${what}: ${pending} after ${attempt} attempts`);
  // Unprocessed items mean throttling: back off exponentially with full jitter, as AWS advises.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2000, 50 * 2 ** attempt)));
}

function claimRef(r: HeldOutRecipient): string {
  const key = keys.sendClaim(r.campaignId, r.occurrenceId, r.customerId);
  return `${key.PK}|${key.SK}`;
}
