import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { findErasureRecord } from '#shared/privacy/erase-person.ts';

/**
 * A new profile for an address that was erased before gets `erasedBefore` (the erasure's time). Nothing but the
 * incentive form's double opt-in grants marketing consent (shared/capture/consent.ts), so the new profile is not
 * reachable by marketing until the person consents again; the marker says why the history starts fresh, and lets
 * staff and reports tell a returning erased person from a new one. One GetItem per new customer.
 */
export async function markIfErasedBefore(table: Table, signingKey: string, input: { customerId: string; email: string | undefined }): Promise<boolean> {
  if (input.email === undefined) return false;
  const record = await findErasureRecord(table, signingKey, input.email);
  if (!record) return false;
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.profile(input.customerId),
      UpdateExpression: 'SET erasedBefore = if_not_exists(erasedBefore, :at)',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':at': record.erasedAt },
    }),
  );
  return true;
}
