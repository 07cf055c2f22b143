import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Table } from '#shared/table/table-client.ts';

/** Client settings for a unit test: no AWS profile needed, and nothing listens on the endpoint (a middleware answers). */
export const offlineClientConfig = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' } };

/** One call the scripted table received: the command's name and its document-client input. */
export interface ScriptedCall {
  command: string;
  input: unknown;
}

/**
 * A table whose document client never reaches DynamoDB: each command is answered by `respond` (its name and plain
 * input in, a plain output out, or a thrown error), and every call is kept in `calls`. For unit tests of adapters
 * that must react to what DynamoDB answers (UnprocessedItems, conditional check failures).
 */
export function scriptedTable(respond: (call: ScriptedCall, index: number) => Record<string, unknown>): { table: Table; calls: ScriptedCall[] } {
  const calls: ScriptedCall[] = [];
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(offlineClientConfig));
  doc.middlewareStack.add(
    (_next, context) => async (args) => {
      const call = { command: context.commandName ?? '', input: structuredClone(args.input) };
      return { output: { $metadata: {}, ...respond(call, calls.push(call) - 1) }, response: {} };
    },
    // Ahead of the document client's own marshalling: inputs and outputs stay plain JavaScript.
    { step: 'initialize', priority: 'high', name: 'scriptedTable' },
  );
  return { table: { doc, name: 'unit-table' }, calls };
}
