import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '#local/dynamodb-local.ts';
import type { LocalRuntimeOptions } from '#local/runtime.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';

/** A fresh table in the shared test DynamoDB Local, so test files never see each other's data. */
export async function createTestTable(prefix = 'test'): Promise<Table & { endpoint: string }> {
  const endpoint = inject('dynamodbEndpoint');
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, name);
  return { doc: createDocumentClient(endpoint), name, endpoint };
}

/**
 * Local runtime options that give it a fresh table in the shared test DynamoDB Local instead of a Java process of
 * its own: that start costs seconds of both cores, and a new JVM then answers slowly until its JIT warms up.
 */
export function onSharedDynamoDb(prefix: string): Pick<LocalRuntimeOptions, 'dynamoDbEndpoint' | 'tableName'> {
  return { dynamoDbEndpoint: inject('dynamodbEndpoint'), tableName: `${prefix}-${randomUUID().slice(0, 8)}` };
}

/**
 * Stores the profile of a customer who confirmed `address` and agreed to marketing email for it; `fields` adds to or
 * overrides the rest (name, locale, spend…).
 */
export async function putSubscriber(table: Table, customerId: string, address: string, fields: Record<string, unknown> = {}): Promise<void> {
  await table.doc.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        ...keys.profile(customerId),
        customerId,
        locale: 'en',
        confirmedEmail: address,
        marketingConsent: 'granted',
        marketingConsentAddress: consentAddressOf(address),
        ...fields,
      },
    }),
  );
}
