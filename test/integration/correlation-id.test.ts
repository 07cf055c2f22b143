/**
 * One correlation id from a purchase to the email it causes, through the local runtime's real handlers: the API
 * request's `x-correlation-id` → record-purchase → PurchaseRecorded (detail.metadata) on the bus → the planner →
 * the send queue's message body → the sender's log lines for that email.
 *
 * The shop's own config has no campaign a purchase alone triggers (welcome waits for a confirmed address), so this
 * test runs a copy of config/ with one more: a thank-you on PurchaseRecorded, using the welcome templates.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { z } from 'zod';
import type { LocalRuntime } from '#local/runtime.ts';
import type { Table } from '#shared/table/table-client.ts';
import { aPurchase } from '#test/support/builders.ts';

const configDir = mkdtempSync(join(tmpdir(), 'kinship-correlation-config-'));
cpSync(join(process.cwd(), 'config'), configDir, { recursive: true });
writeFileSync(
  join(configDir, 'campaigns.yaml'),
  `${readFileSync(join(configDir, 'campaigns.yaml'), 'utf8')}
  - id: order-thanks
    kind: triggered
    template: welcome
    description: A thank-you after each purchase (test only).
    trigger:
      event: PurchaseRecorded
      detail: { kind: [purchase] }
`,
);

const Created = z.object({ customerId: z.string() });
const Inbox = z.object({ emails: z.array(z.object({ destination: z.object({ to: z.array(z.string()) }), subject: z.string() })) });
const LogLine = z.looseObject({
  message: z.string(),
  correlation_id: z.string().optional(),
  ref: z.string().optional(),
  outcome: z.string().optional(),
  orderId: z.string().optional(),
});
type LogLine = z.output<typeof LogLine>;

let runtime: LocalRuntime;
let table: Table;
const lines: LogLine[] = [];
const noon = (date: Date) => new Date(`${date.toISOString().slice(0, 10)}T12:00:00.000Z`);

let consentAddressOf: (email: string) => string;
let profileKey: (customerId: string) => Record<string, string>;

beforeAll(async () => {
  // Read when the modules below are first imported: the handlers' config and shared/topology.ts (the planner's
  // rules) come from the copy, and the shared logger writes the handlers' INFO lines (the suite runs SILENT).
  process.env.KINSHIP_CONFIG_DIR = configDir;
  process.env.LOG_LEVEL = 'INFO';
  const { startLocalRuntime } = await import('#local/runtime.ts');
  const { silentLog } = await import('#local/local-log.ts');
  const { createDocumentClient } = await import('#shared/table/table-client.ts');
  const { keys } = await import('#shared/table/keys.ts');
  ({ consentAddressOf } = await import('#shared/capture/consent.ts'));
  profileKey = (customerId) => keys.profile(customerId);
  runtime = await startLocalRuntime({
    dynamoDbEndpoint: inject('dynamodbEndpoint'),
    tableName: `correlation-${Date.now().toString(36)}`,
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    // Noon today: marketing email waits out quiet hours (21:00–08:00).
    clock: { mode: 'real', now: noon(new Date()) },
    tickSchedules: false,
    log: silentLog,
  });
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
  // The handlers' JSON log lines, as CloudWatch would get them (kept here, not printed).
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const text of String(chunk).split('\n')) {
      if (!text.startsWith('{')) continue;
      const parsed = LogLine.safeParse(JSON.parse(text));
      if (parsed.success) lines.push(parsed.data);
    }
    return true;
  });
}, 120_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await runtime.stop();
  rmSync(configDir, { recursive: true, force: true });
});

function postPurchase(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/api/purchases', runtime.urls.api), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey, ...headers },
    body: JSON.stringify(body),
  });
}

async function inboxFor(address: string) {
  const response = await fetch(new URL('/store', runtime.urls.ses));
  return Inbox.parse(await response.json()).emails.filter((email) => email.destination.to.includes(address));
}

describe('a correlation id set on a purchase', () => {
  it("appears on the sender's log lines for the email that purchase causes, and on no other email's", async () => {
    const address = 'traced.buyer@example.com';
    // A first purchase makes the customer; the address is then confirmed with marketing consent, as the form would.
    const first = await postPurchase(aPurchase({ orderId: 'CORR-1', customerEmail: address, locale: 'en' }));
    expect(first.status).toBe(201);
    const { customerId } = Created.parse(await first.json());
    await runtime.idle();
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: profileKey(customerId),
        UpdateExpression: 'SET confirmedEmail = :email, marketingConsent = :granted, marketingConsentAddress = :address',
        ExpressionAttributeValues: { ':email': address, ':granted': 'granted', ':address': consentAddressOf(address) },
      }),
    );
    expect(await inboxFor(address)).toEqual([]);

    const correlationId = `purchase-${Date.now().toString(36)}`;
    const second = await postPurchase(aPurchase({ orderId: 'CORR-2', customerEmail: address, locale: 'en' }), { 'x-correlation-id': correlationId });
    expect(second.status).toBe(201);
    await runtime.idle();

    expect((await inboxFor(address)).map((email) => email.subject)).toEqual([expect.stringMatching(/^Welcome to/)]);
    const senderLines = lines.filter(
      (line) => line.message === 'email processed' && line.ref?.startsWith('order-thanks#') === true && line.ref.endsWith(`#${customerId}`),
    );
    // The first purchase's email was skipped (no confirmed address yet); the second's was sent — each under its own id.
    expect(senderLines.map((line) => line.outcome)).toEqual(['skipped:no-address', 'sent']);
    expect(senderLines[1]?.correlation_id).toBe(correlationId);
    expect(senderLines[0]?.correlation_id).toEqual(expect.any(String));
    expect(senderLines[0]?.correlation_id).not.toBe(correlationId);
    // The same id on the way: the API's log line for the order.
    expect(lines.find((line) => line.message === 'purchase recorded' && line.orderId === 'CORR-2')?.correlation_id).toBe(correlationId);
  });

  it('is replaced by the API request id when the header is not a sane id (an email address is never logged)', async () => {
    const response = await postPurchase(aPurchase({ orderId: 'CORR-3', customerEmail: 'other.buyer@example.com' }), {
      'x-correlation-id': 'someone@example.com',
    });
    expect(response.status).toBe(201);
    await runtime.idle();
    const line = lines.find((l) => l.message === 'purchase recorded' && l.orderId === 'CORR-3');
    expect(line?.correlation_id).toEqual(expect.any(String));
    expect(line?.correlation_id).not.toContain('@');
  });
});
