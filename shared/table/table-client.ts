import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '#shared/observability/observability.ts';
import { guardTableAccess } from './table-access.ts';

/** A table handle: the document client and the table's name. Passed to domain functions so tests can point them anywhere. */
export interface Table {
  doc: DynamoDBDocumentClient;
  name: string;
}

export function createDocumentClient(endpoint = process.env.DYNAMODB_ENDPOINT): DynamoDBDocumentClient {
  const client = traced(
    new DynamoDBClient({
      ...(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'eu-west-1', credentials: localCredentials() } : {}),
      maxAttempts: 5,
    }),
  );
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  guardTableAccess(doc);
  return doc;
}

/** The table named by TABLE_NAME, for use at a handler's module scope. */
export function tableFromEnvironment(): Table {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set: the function cannot reach its table');
  return { doc: createDocumentClient(), name };
}

/** DynamoDB Local and the emulators accept any credentials; use fixed ones so no AWS profile is needed locally. */
export function localCredentials() {
  return {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
}
