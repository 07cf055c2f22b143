import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';

/**
 * Starts one in-memory DynamoDB Local for the whole run (on TEST_DYNAMODB_PORT, default 8100, so it never
 * collides with `npm start` on :8000). Integration tests create their own uniquely named tables in it.
 */
export default async function setup(project: TestProject) {
  const port = Number(process.env.TEST_DYNAMODB_PORT ?? 8100);
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
