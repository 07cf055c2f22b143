import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface OnceStep {
  table: Table;
  key: Record<string, string>;
  /** Attribute set to the completion time once the step is done, e.g. "optInSentAt". */
  doneAttribute: string;
  /** Attribute holding the lease (epoch seconds) while a worker runs the step. */
  leaseAttribute: string;
  leaseSeconds: number;
  now: Date;
  /** Extra condition for both the claim and the completion, e.g. "the opt-in is still the one this email is for". */
  guard?: { expression: string; values: Record<string, unknown> };
}

/**
 * Runs a side effect (an email, an event) once per item in the normal case: a worker claims the step with a
 * conditional write (lease), does the work, and marks it done; a concurrent caller finds the lease and skips.
 * Not at most once: a worker that stops after the work but before marking it done (or whose work outlasts the
 * lease) leaves an expired lease, and the next caller runs the work again. Nor at least once by itself: a failed
 * call gives the lease back and throws, and a crashed one leaves its lease to expire; the work is done only if a
 * caller tries again.
 */
export async function runOnce(step: OnceStep, work: () => Promise<void>): Promise<'ran' | 'skipped'> {
  const nowSeconds = Math.floor(step.now.getTime() / 1000);
  const guard = step.guard ? ` AND (${step.guard.expression})` : '';
  const names = { '#done': step.doneAttribute, '#lease': step.leaseAttribute };
  const leased = await writeIfConditionHolds(() =>
    step.table.doc.send(
      new UpdateCommand({
        TableName: step.table.name,
        Key: step.key,
        UpdateExpression: 'SET #lease = :until',
        ConditionExpression: `attribute_exists(PK) AND attribute_not_exists(#done) AND (attribute_not_exists(#lease) OR #lease < :now)${guard}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':until': nowSeconds + step.leaseSeconds, ':now': nowSeconds, ...step.guard?.values },
      }),
    ),
  );
  if (!leased) return 'skipped';
  try {
    await work();
  } catch (error) {
    // Give the step back so the next caller retries at once rather than after the lease.
    await step.table.doc
      .send(
        new UpdateCommand({
          TableName: step.table.name,
          Key: step.key,
          UpdateExpression: 'REMOVE #lease',
          ExpressionAttributeNames: { '#lease': step.leaseAttribute },
        }),
      )
      .catch(() => undefined);
    throw error;
  }
  // The guard no longer holds (e.g. a newer opt-in replaced this one): the work was done for the old state; nothing to mark.
  await writeIfConditionHolds(() =>
    step.table.doc.send(
      new UpdateCommand({
        TableName: step.table.name,
        Key: step.key,
        UpdateExpression: 'SET #done = :at REMOVE #lease',
        ...(step.guard ? { ConditionExpression: step.guard.expression } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':at': step.now.toISOString(), ...step.guard?.values },
      }),
    ),
  );
  return 'ran';
}
