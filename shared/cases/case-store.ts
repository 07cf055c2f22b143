import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import {
  CASE_STATUSES,
  CaseListEntrySchema,
  CaseRecordSchema,
  listEntryOf,
  type CaseListEntry,
  type CaseRecord,
  type CaseStatus,
} from '#shared/cases/case-record.ts';

/** One case per source answer: the id derives from it, so a repeated form submission or a replayed interaction opens none. */
export function caseIdFor(source: CaseRecord['source'], sourceRef: string): string {
  return `cs_${createHash('sha256').update(`${source}:${sourceRef}`).digest('hex').slice(0, 20)}`;
}

/** The profile's `openCases` counter moved by one, in the same transaction as the case: only if the profile exists (never creates a bare one). */
function openCasesUpdate(table: Table, customerId: string, by: 1 | -1) {
  return {
    Update: {
      TableName: table.name,
      Key: keys.profile(customerId),
      UpdateExpression: 'ADD openCases :by',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':by': by },
    },
  };
}

const cancelledBy = (error: unknown, index: number): boolean =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';

/**
 * Writes a new case, its list entry, the customer's pointer to it and +1 on the profile's `openCases` in one
 * transaction, so the count moves exactly when a case opens. Returns undefined when the case exists already (the
 * same answer seen again). Without a profile the case is written uncounted.
 */
export async function insertCase(table: Table, record: CaseRecord): Promise<CaseRecord | undefined> {
  for (const counted of [true, false]) {
    const stored: CaseRecord = { ...record, profileCounted: counted };
    try {
      await table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table.name,
                Item: { ...keys.staffCase(stored.caseId), entityType: 'CASE', ...stored },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: table.name,
                Item: { ...keys.caseByStatus(stored.status, stored.openedAt, stored.caseId), entityType: 'CASE_ENTRY', ...listEntryOf(stored) },
              },
            },
            {
              Put: {
                TableName: table.name,
                Item: { ...keys.caseOfCustomer(stored.customerId, stored.openedAt, stored.caseId), entityType: 'CASE_REF', caseId: stored.caseId },
              },
            },
            ...(counted ? [openCasesUpdate(table, stored.customerId, 1)] : []),
          ],
        }),
      );
      return stored;
    } catch (error) {
      if (cancelledBy(error, 0)) return undefined;
      if (counted && cancelledBy(error, 3)) continue;
      throw error;
    }
  }
  return undefined;
}

export async function readCase(table: Table, caseId: string, consistent = false): Promise<CaseRecord> {
  const result = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.staffCase(caseId), ConsistentRead: consistent }));
  if (!result.Item) throw new NotFoundError(`No case ${caseId}`);
  return CaseRecordSchema.parse(result.Item);
}

/**
 * Replaces a case with its next state, moving its list entry between status partitions in the same transaction. The
 * write only lands if the case is still in the state it was read in (status and owner), so two staff saving at
 * once cannot overwrite each other silently: the second gets a 409 and reloads.
 */
export async function replaceCase(table: Table, before: CaseRecord, after: CaseRecord): Promise<void> {
  const entryBefore = keys.caseByStatus(before.status, before.openedAt, before.caseId);
  const moves = before.status !== after.status;
  // Closing a counted case takes it off the profile's `openCases`, in the same transaction (once: the status guard).
  const uncount = before.profileCounted === true && before.status !== 'closed' && after.status === 'closed';
  for (const withProfile of uncount ? [true, false] : [false]) {
    const stored: CaseRecord = uncount ? { ...after, profileCounted: false } : after;
    try {
      await table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table.name,
                Item: { ...keys.staffCase(stored.caseId), entityType: 'CASE', ...stored },
                ConditionExpression:
                  before.owner === undefined ? '#status = :status AND attribute_not_exists(#owner)' : '#status = :status AND #owner = :owner',
                ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
                ExpressionAttributeValues: { ':status': before.status, ...(before.owner === undefined ? {} : { ':owner': before.owner }) },
              },
            },
            ...(moves ? [{ Delete: { TableName: table.name, Key: entryBefore } }] : []),
            {
              Put: {
                TableName: table.name,
                Item: { ...keys.caseByStatus(stored.status, stored.openedAt, stored.caseId), entityType: 'CASE_ENTRY', ...listEntryOf(stored) },
              },
            },
            ...(withProfile ? [openCasesUpdate(table, stored.customerId, -1)] : []),
          ],
        }),
      );
      return;
    } catch (error) {
      if (cancelledBy(error, 0)) throw new ConflictError('Someone changed this case a moment ago; reload it and try again');
      // The profile is gone (erased meanwhile): close the case without it.
      if (withProfile && cancelledBy(error, moves ? 3 : 2)) continue;
      throw error;
    }
  }
}

/** List entries of the given statuses, oldest first; `openedBefore` narrows to cases opened before that instant. */
export async function listCaseEntries(table: Table, statuses: readonly CaseStatus[] = CASE_STATUSES, openedBefore?: string): Promise<CaseListEntry[]> {
  const out: CaseListEntry[] = [];
  for (const status of statuses) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: openedBefore ? 'PK = :pk AND SK < :before' : 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.caseStatusPartition(status), ...(openedBefore ? { ':before': openedBefore } : {}) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(CaseListEntrySchema.parse(item));
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return out.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
}

/** Marks one escalation kind on a case, once: false when it was marked already (another run got there first). */
export async function markEscalated(table: Table, caseId: string, kind: CaseRecord['escalations'][number]): Promise<boolean> {
  return writeIfConditionHolds(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.staffCase(caseId),
        UpdateExpression: 'SET escalations = list_append(if_not_exists(escalations, :empty), :kind)',
        ConditionExpression: 'attribute_exists(PK) AND #status <> :closed AND NOT contains(escalations, :kindValue)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':empty': [], ':kind': [kind], ':kindValue': kind, ':closed': 'closed' },
      }),
    ),
  );
}

/** Takes a mark back when the notification could not go out, so the next run tries again. */
export async function unmarkEscalated(table: Table, record: CaseRecord): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.staffCase(record.caseId),
      UpdateExpression: 'SET escalations = :before',
      ExpressionAttributeValues: { ':before': record.escalations },
    }),
  );
}

/** Copies the case's escalation marks onto its list entry (the list shows them). */
export async function syncEntryEscalations(table: Table, record: CaseRecord): Promise<void> {
  await writeIfConditionHolds(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.caseByStatus(record.status, record.openedAt, record.caseId),
        UpdateExpression: 'SET escalations = :escalations',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':escalations': record.escalations },
      }),
    ),
  );
}
