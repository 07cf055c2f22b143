/**
 * The local runtime as `npm start` runs it, minus the fixed ports: its own in-memory DynamoDB Local, the SES
 * emulator, the event bus and the HTTP API in front of the real record-purchase handler — driven over real
 * HTTP, with the profile read back from DynamoDB Local by an ordinary SDK client.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { keys } from '#shared/table/keys.ts';
import { silentLog } from '#local/local-log.ts';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { aLineItem, aPurchase } from '#test/support/builders.ts';

let runtime: LocalRuntime;
let doc: DynamoDBDocumentClient;

const Created = z.object({ orderId: z.string(), customerId: z.string(), formUrl: z.string() });
const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ field: z.string(), message: z.string() })).optional() }),
});

beforeAll(async () => {
  runtime = await startLocalRuntime({
    inMemory: true,
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    clock: { mode: 'manual', now: new Date('2026-11-25T12:00:00Z') },
    apiKey: 'test-api-key',
    log: silentLog,
  });
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: runtime.urls.dynamodb, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  );
});

afterAll(async () => {
  doc.destroy();
  await runtime.stop();
});

/** POSTs with the JSON content type and the API key unless `headers` replaces them. */
function post(path: string, body: string, headers?: Record<string, string>): Promise<Response> {
  return fetch(new URL(path, runtime.urls.api), {
    method: 'POST',
    headers: headers ?? { 'content-type': 'application/json', 'x-api-key': runtime.apiKey },
    body,
  });
}

async function errorOf(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return ErrorBody.parse(await response.json());
}

async function profile(customerId: string) {
  return (await doc.send(new GetCommand({ TableName: runtime.tableName, Key: keys.profile(customerId), ConsistentRead: true }))).Item;
}

/** Pids of live DynamoDB Local Java processes listening on `port` (from /proc: Linux, like CI). */
function dynamoDbJavaOn(port: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args[0]?.endsWith('java') === true && args.some((a) => a.endsWith('DynamoDBLocal.jar')) && args[args.indexOf('-port') + 1] === port;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function order(orderId: string) {
  return (await doc.send(new GetCommand({ TableName: runtime.tableName, Key: keys.order(orderId), ConsistentRead: true }))).Item;
}

describe('local runtime over HTTP', () => {
  it('records a purchase: 201 with the form link, the profile in DynamoDB Local, PurchaseRecorded on the bus', async () => {
    const purchase = aPurchase({
      orderId: 'LR-1',
      customerEmail: 'runtime@example.com',
      items: [aLineItem({ category: 'tents', price: 100, quantity: 2 })],
      total: 200,
    });
    const response = await post('/api/purchases', JSON.stringify(purchase));
    expect(response.status).toBe(201);
    const created = Created.parse(await response.json());
    expect(created.formUrl.startsWith(`${runtime.urls.api}/form/`)).toBe(true);

    expect(await profile(created.customerId)).toMatchObject({ orderCount: 1, netSpendMinor: 20000, currency: 'EUR', email: 'runtime@example.com' });
    await runtime.idle();
    const published = runtime.bus.published.filter((e) => e['detail-type'] === 'PurchaseRecorded' && e.detail.orderId === 'LR-1');
    expect(published).toHaveLength(1);
  });

  it('answers a replay of the same order with 200 and the same body, counting it once', async () => {
    const purchase = JSON.stringify(aPurchase({ orderId: 'LR-2', customerEmail: 'replay@example.com' }));
    const first = await post('/api/purchases', purchase);
    const firstBody = await first.text();
    const replay = await post('/api/purchases', purchase);
    expect([first.status, replay.status]).toEqual([201, 200]);
    expect(await replay.text()).toBe(firstBody);
    expect(await profile(Created.parse(JSON.parse(firstBody)).customerId)).toMatchObject({ orderCount: 1 });
  });

  it.each([
    ['a wrong', { 'content-type': 'application/json', 'x-api-key': 'not-the-key' }],
    ['no', { 'content-type': 'application/json' }],
  ])('refuses %s API key with 401 JSON and stores nothing', async (_, headers) => {
    const response = await post('/api/purchases', JSON.stringify(aPurchase({ orderId: 'LR-401' })), headers);
    expect(response.status).toBe(401);
    expect((await errorOf(response)).error.code).toBe('unauthorized');
    expect(await order('LR-401')).toBeUndefined();
  });

  it('refuses a 2 MB body with 413 JSON', async () => {
    const huge = JSON.stringify(aPurchase({ orderId: 'LR-413', customerName: 'x'.repeat(2 * 1024 * 1024) }));
    const response = await post('/api/purchases', huge);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).error.code).toBe('payload_too_large');
    expect(await order('LR-413')).toBeUndefined();
  });

  it('refuses text/plain with 415 JSON naming the expected content type', async () => {
    const response = await post('/api/purchases', JSON.stringify(aPurchase({ orderId: 'LR-415' })), {
      'content-type': 'text/plain',
      'x-api-key': runtime.apiKey,
    });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).error.message).toContain('application/json');
  });

  it('refuses malformed JSON with 400 saying the body is not valid JSON', async () => {
    const response = await post('/api/purchases', '{"orderId": "LR-400",');
    expect(response.status).toBe(400);
    const body = await errorOf(response);
    expect(body.error.issues).toEqual([{ field: '(body)', message: 'is not valid JSON' }]);
  });

  it('names the invalid field of a well-formed but wrong purchase', async () => {
    const response = await post('/api/purchases', JSON.stringify(aPurchase({ orderId: 'LR-400b', items: [aLineItem({ quantity: -1 })] })));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).error.issues?.map((i) => i.field)).toContain('items.0.quantity');
  });

  it('answers an unknown route with 404 JSON and a wrong method with 405', async () => {
    const missing = await fetch(new URL('/api/nothing-here', runtime.urls.api));
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).error.code).toBe('not_found');
    const wrongMethod = await fetch(new URL('/api/purchases', runtime.urls.api));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('serves the index page and the SES inbox store', async () => {
    const index = await fetch(new URL('/', runtime.urls.api));
    expect(await index.text()).toContain('/api/purchases');
    const store = await fetch(new URL('/store', runtime.urls.inbox));
    expect(z.object({ emails: z.array(z.unknown()) }).parse(await store.json()).emails).toEqual([]);
  });
});

describe('stopping', () => {
  it('leaves no DynamoDB Local Java process behind and frees the API port', async () => {
    const pid = runtime.dynamoDbPid;
    const port = new URL(runtime.urls.dynamodb).port;
    if (pid === undefined) throw new Error('the runtime did not report the pid of its DynamoDB Local');
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(dynamoDbJavaOn(port)).toHaveLength(1);
    await runtime.stop();
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(dynamoDbJavaOn(port)).toEqual([]);
    await expect(fetch(new URL('/', runtime.urls.api))).rejects.toThrow();
  });
});
