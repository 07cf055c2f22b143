import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * A conditional write (PutItem, UpdateItem, DeleteItem with a ConditionExpression) whose failed condition is an
 * answer, not an error: another writer got there first, the item is gone, a newer state won. True when the write
 * happened, false when its condition did not hold; any other error is thrown.
 *
 *   if (!(await writeIfConditionHolds(() => table.doc.send(new PutCommand({ …, ConditionExpression: 'attribute_not_exists(PK)' }))))) return 'exists';
 */
export async function writeIfConditionHolds(write: () => Promise<unknown>): Promise<boolean> {
  const written = await outputIfConditionHolds(async () => {
    await write();
    return { written: true };
  });
  return written !== undefined;
}

/** The same for a write whose output is wanted (ReturnValues): its output, or undefined when the condition did not hold. */
export async function outputIfConditionHolds<T extends object>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
