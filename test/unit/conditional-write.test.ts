import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { outputIfConditionHolds, writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { scriptedTable } from '#test/support/scripted-table.ts';

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('writeIfConditionHolds', () => {
  it('is true when the write happened', async () => {
    const { table, calls } = scriptedTable(() => ({}));
    expect(
      await writeIfConditionHolds(() =>
        table.doc.send(new PutCommand({ TableName: table.name, Item: { PK: 'A', SK: 'B' }, ConditionExpression: 'attribute_not_exists(PK)' })),
      ),
    ).toBe(true);
    expect(calls.map((call) => call.command)).toEqual(['PutItemCommand']);
  });

  it('is false when the condition did not hold', async () => {
    const { table } = scriptedTable(() => {
      throw conditionFailed();
    });
    expect(
      await writeIfConditionHolds(() =>
        table.doc.send(new PutCommand({ TableName: table.name, Item: { PK: 'A', SK: 'B' }, ConditionExpression: 'attribute_not_exists(PK)' })),
      ),
    ).toBe(false);
  });

  it('throws any other error', async () => {
    const { table } = scriptedTable(() => {
      throw new Error('ProvisionedThroughputExceeded');
    });
    await expect(writeIfConditionHolds(() => table.doc.send(new PutCommand({ TableName: table.name, Item: { PK: 'A', SK: 'B' } })))).rejects.toThrow(
      'ProvisionedThroughputExceeded',
    );
  });
});

describe('outputIfConditionHolds', () => {
  it('gives the write output, or undefined when the condition did not hold', async () => {
    let holds = true;
    const { table } = scriptedTable(() => {
      if (!holds) throw conditionFailed();
      return { Attributes: { PK: 'A', SK: 'B', redeemedAt: 'now' } };
    });
    const update = () =>
      table.doc.send(
        new UpdateCommand({
          TableName: table.name,
          Key: { PK: 'A', SK: 'B' },
          UpdateExpression: 'SET redeemedAt = :now',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':now': 'now' },
          ReturnValues: 'ALL_NEW',
        }),
      );
    expect((await outputIfConditionHolds(update))?.Attributes).toEqual({ PK: 'A', SK: 'B', redeemedAt: 'now' });
    holds = false;
    expect(await outputIfConditionHolds(update)).toBeUndefined();
  });
});
