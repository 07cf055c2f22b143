import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { freePort } from '#local/free-port.ts';

/**
 * Starts one in-memory DynamoDB Local for the whole run, on TEST_DYNAMODB_PORT or else a free port, so it never
 * collides with `npm start` on :8000 or another test run. Integration tests create their own uniquely named tables in it.
 */
export default async function setup(project: TestProject) {
  const port = process.env.TEST_DYNAMODB_PORT ? Number(process.env.TEST_DYNAMODB_PORT) : await freePort();
  const db = await startDynamoDbLocal({ port });
  project.provide('dynamodbEndpoint', db.endpoint);
  return async () => {
    await db.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
