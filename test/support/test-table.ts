import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ensureTable } from '#local/dynamodb-local.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';

/** A fresh table in the shared test DynamoDB Local, so test files never see each other's data. */
export async function createTestTable(prefix = 'test'): Promise<Table & { endpoint: string }> {
  const endpoint = inject('dynamodbEndpoint');
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, name);
  return { doc: createDocumentClient(endpoint), name, endpoint };
}
