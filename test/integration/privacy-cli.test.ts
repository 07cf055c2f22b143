import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { ITEM_KINDS } from '#shared/privacy/item-kinds.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { runCli } from '#test/support/run-cli.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

// Only the table and the bus: the CLI works on them directly.
let runtime: LocalRuntime;
let table: Table;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    topology: { functions: [], queues: [] },
    ...onSharedDynamoDb('privacy-cli'),
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    clock: { mode: 'manual' },
    seed: false,
  });
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
  env = {
    DYNAMODB_ENDPOINT: runtime.urls.dynamodb,
    TABLE_NAME: runtime.tableName,
    EVENTBRIDGE_ENDPOINT: runtime.urls.events,
    KINSHIP_SIGNING_KEY: TEST_SIGNING_KEY,
    LOG_LEVEL: 'SILENT',
  };
});
afterAll(() => runtime.stop());

const ExportShape = z.object({ kinds: z.array(z.object({ kind: z.string(), description: z.string(), items: z.array(z.record(z.string(), z.unknown())) })) });

const EMAIL = 'osk.cli@example.com';
const NAME = 'Ósk <script>alert(1)</script>';
const id = customerIdForEmail(EMAIL, TEST_SIGNING_KEY);
const other = customerIdForEmail('vinur@example.com', TEST_SIGNING_KEY);

async function put(item: Record<string, unknown>) {
  await table.doc.send(new PutCommand({ TableName: table.name, Item: item }));
}

/** One item of every kind the export knows, written the way each feature writes it. */
async function writePerson() {
  await put({ ...keys.profile(id), entityType: 'PROFILE', customerId: id, email: EMAIL, customerName: NAME, referredBy: other, orderCount: 1 });
  await put({ ...keys.consentEntry(id, '2026-11-20T10:05:00Z', 'form#CLI-1'), entityType: 'CONSENT', customerId: id, email: EMAIL, kind: 'given' });
  await put({
    ...keys.order('CLI-1'),
    ...keys.orderByCustomer(id, '2026-11-20T10:00:00Z', 'CLI-1'),
    entityType: 'ORDER',
    orderId: 'CLI-1',
    customerId: id,
    totalMinor: 5000,
    locale: 'is',
  });
  await put({
    ...keys.submission('CLI-1'),
    entityType: 'SUBMISSION',
    orderId: 'CLI-1',
    customerId: id,
    email: EMAIL,
    answers: { name: NAME, satisfactionReason: 'Rennilásinn <b>brotnaði</b>' },
  });
  await put({
    ...keys.answerHistory(id, '2026-11-20T10:02:00Z', 'CLI-1'),
    entityType: 'ANSWERS',
    orderId: 'CLI-1',
    customerId: id,
    submittedAt: '2026-11-20T10:02:00Z',
    answers: { name: NAME },
  });
  await put({ ...keys.pendingReferrer(id), entityType: 'REFERRAL_PENDING', referrerId: id, since: '2026-11-20T10:03:00Z' });
  await put({ ...keys.incentive('CLI-1'), entityType: 'INCENTIVE', orderId: 'CLI-1', customerId: id, code: 'CLI-CODE' });
  await put({ ...keys.incentiveCode('CLI-CODE'), entityType: 'INCENTIVE_CODE', code: 'CLI-CODE', orderId: 'CLI-1', customerId: id });
  await put({ ...keys.segmentMembership(id, 'new'), entityType: 'SEGMENT_MEMBER', customerId: id });
  await put({ ...keys.emailEvent(id, '2026-11-21T10:00:00Z', 'Delivery', 'm-1'), entityType: 'EMAIL_EVENT', customerId: id });
  await put({ ...keys.contact(id, '2026-11-22T10:00:00Z', 'i-1'), entityType: 'CONTACT', customerId: id, note: 'Called' });
  await put({ ...keys.caseOfCustomer(id, '2026-11-22T10:00:00Z', 'cs-1'), entityType: 'CASE_REF', caseId: 'cs-1' });
  await put({ ...keys.staffCase('cs-1'), entityType: 'CASE', customerId: id });
  await put({ ...keys.caseByStatus('open', '2026-11-22T10:00:00Z', 'cs-1'), entityType: 'CASE_LISTING', customerId: id });
  await put({ ...keys.referral(id, customerIdForEmail('third@example.com', TEST_SIGNING_KEY)), entityType: 'REFERRAL' });
  await put({ ...keys.referral(other, id), entityType: 'REFERRAL', referrerId: other, referredId: id });
  await put({ ...keys.sendClaim('welcome', 'o-1', id), entityType: 'SEND_CLAIM', customerId: id });
  await put({ ...keys.suppression(id), entityType: 'SUPPRESSION', customerId: id });
  await put({ PK: 'LOOKUP#PHONE#3545551234', SK: `CUST#${id}`, entityType: 'LOOKUP' });
}

describe('kinship privacy', () => {
  beforeAll(writePerson);

  it('export writes every kind into export.json and an escaped, readable export.html', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'privacy-export-')), 'osk');
    const result = await runCli(['privacy', 'export', EMAIL, '--out', out], env);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const doc = ExportShape.parse(JSON.parse(readFileSync(join(out, 'export.json'), 'utf8')));
    expect(doc.kinds.map((k) => k.kind).sort()).toEqual(Object.keys(ITEM_KINDS).sort());
    expect(doc.kinds.every((k) => k.description.length > 0 && k.items.length > 0)).toBe(true);
    const page = readFileSync(join(out, 'export.html'), 'utf8');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>brotna');
    expect(page).toContain('<h2>Form answers');
  });

  it('erase without --yes and without a terminal changes nothing and exits 2', async () => {
    const before = (await table.doc.send(new ScanCommand({ TableName: table.name, ConsistentRead: true }))).Items;
    const result = await runCli(['privacy', 'erase', EMAIL], env);
    expect(result.code).toBe(2);
    expect(result.err).toContain('pass --yes');
    expect(result.err).toMatch(/Erasing k_[0-9a-f]{24} would change 19 items/);
    expect((await table.doc.send(new ScanCommand({ TableName: table.name, ConsistentRead: true }))).Items).toEqual(before);
  });

  it('erase --yes erases, and a second run finds nothing and exits 0', async () => {
    const first = await runCli(['privacy', 'erase', EMAIL, '--yes'], env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`Erased ${id}`);
    expect((await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(id) }))).Item).toBeUndefined();
    const second = await runCli(['privacy', 'erase', EMAIL, '--yes'], env);
    expect(second.code).toBe(0);
    expect(second.out).toContain('nothing to erase');
    expect(runtime.bus.published.filter((e) => e['detail-type'] === 'CustomerErased')).toHaveLength(1);
  });

  it('a bad command line is a usage error (exit 2)', async () => {
    expect((await runCli(['privacy', 'forget', EMAIL], env)).code).toBe(2);
    expect((await runCli(['privacy', 'export'], env)).code).toBe(2);
  });
});
