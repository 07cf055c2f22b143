import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { findErasureRecord } from '#shared/privacy/erase-person.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { topology, type Topology } from '#shared/topology.ts';
import { recordOrder } from '#test/support/capture-client.ts';
import { demoUser, StaffBrowser } from '#test/support/console-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

/** Purchases and the console, wired as in shared/topology.ts (the console publishes CustomerErased itself). */
const consoleTopology: Topology = { functions: topology.functions.filter((fn) => ['record-purchase', 'console'].includes(fn.name)), queues: [] };
const SIGNING_KEY = 'console-privacy-key-'.padEnd(43, 'k');

let runtime: LocalRuntime;
let table: Table;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    topology: consoleTopology,
    ...onSharedDynamoDb('console-privacy'),
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    clock: { mode: 'real' },
    tickSchedules: false,
    signingKey: SIGNING_KEY,
  });
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
});
afterAll(async () => {
  await runtime.stop();
});

async function signedIn(group: 'staff' | 'marketer' | 'admin'): Promise<StaffBrowser> {
  const browser = new StaffBrowser(runtime);
  const { username, password } = demoUser(runtime, group);
  expect((await browser.signIn(username, password)).status).toBe(303);
  return browser;
}

async function aCustomer(email: string, customerName: string): Promise<string> {
  const { customerId } = await recordOrder(runtime, {
    orderId: `PRIV-${email.split('@')[0] ?? email}`,
    customerEmail: email,
    customerName,
    purchasedAt: new Date(Date.now() - 86_400_000).toISOString(),
  });
  return customerId;
}

async function profileOf(customerId: string): Promise<Record<string, unknown> | undefined> {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ConsistentRead: true }))).Item;
}

async function tableMentions(text: string): Promise<number> {
  const items = (await table.doc.send(new ScanCommand({ TableName: table.name, ConsistentRead: true }))).Items ?? [];
  return items.filter((item) => JSON.stringify(item).toLowerCase().includes(text.toLowerCase())).length;
}

describe('privacy in the console', () => {
  it('is closed to staff and marketers: the page and every privacy post answer 403, and nothing is erased', async () => {
    const customerId = await aCustomer('kept.privacy@example.com', 'Kept Person');
    for (const group of ['staff', 'marketer'] as const) {
      const browser = await signedIn(group);
      expect((await browser.page('/console/privacy')).status, group).toBe(403);
      await browser.page('/console');
      for (const action of ['export', 'plan', 'erase']) {
        const reply = await browser.post(`/console/privacy/${action}`, { person: customerId, confirm: 'yes', format: 'json' });
        expect(reply.status, `${group} ${action}`).toBe(403);
        expect(reply.body).not.toContain('kept.privacy@example.com');
      }
      expect((await browser.get(`/console/customers/${customerId}`)).body).not.toContain('/console/privacy');
    }
    expect(await profileOf(customerId)).toBeDefined();
  });

  it('lets an admin export a person as a JSON download or as the readable page', async () => {
    const customerId = await aCustomer('export.privacy@example.com', 'Export Person');
    const admin = await signedIn('admin');
    const customer = await admin.page(`/console/customers/${customerId}`);
    expect(customer.body).toContain(`href="/console/privacy?customerId=${customerId}"`);
    const form = await admin.page(`/console/privacy?customerId=${customerId}`);
    expect(form.status).toBe(200);
    expect(form.body).toContain(`value="${customerId}"`);

    const json = await admin.post('/console/privacy/export', { person: 'Export.Privacy@example.com', format: 'json' });
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.headers['content-disposition']).toBe(`attachment; filename="privacy-export-${customerId}.json"`);
    const doc: unknown = JSON.parse(json.body);
    expect(doc).toMatchObject({
      customerId,
      kinds: expect.arrayContaining([
        expect.objectContaining({ kind: 'profile', items: [expect.objectContaining({ customerId, email: 'export.privacy@example.com' })] }),
      ]),
    });

    const page = await admin.post('/console/privacy/export', { person: customerId, format: 'html' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<h1>Your data</h1>');
    expect(page.body).toContain(customerId);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it("names what an erasure would change in the admin's language", async () => {
    const email = 'plan.icelandic@example.com';
    await aCustomer(email, 'Jón Áætlun');
    const admin = await signedIn('admin');
    await admin.page('/console/privacy?lang=is');
    const plan = await admin.post('/console/privacy/plan', { person: email });
    expect(plan.status).toBe(200);
    expect(plan.body).toContain('<html lang="is"');
    expect(plan.body).toMatch(/<td>Prófíll<\/td>/);
    expect(plan.body).toMatch(/<td>Pantanir<\/td>/);
    expect(plan.body).not.toMatch(/<td>(Profile|Orders)<\/td>/);
  });

  it('shows an admin what an erasure would change, erases on the confirming post, and says so again on a repeat', async () => {
    const email = 'erase.privacy@example.com';
    const customerId = await aCustomer(email, 'Sigríður Erasable');
    const admin = await signedIn('admin');
    await admin.page('/console/privacy');

    const plan = await admin.post('/console/privacy/plan', { person: email });
    expect(plan.status).toBe(200);
    expect(plan.body).toContain('Erase permanently');
    expect(plan.body).toMatch(/<td>Profile<\/td><td>deleted<\/td><td>1<\/td>/);
    expect(plan.body).toMatch(/<td>Orders<\/td><td>kept for bookkeeping, personal fields removed<\/td><td>1<\/td>/);
    expect(plan.body).not.toContain('Sigríður');
    expect(await profileOf(customerId)).toBeDefined();

    const done = await admin.post('/console/privacy/erase', { person: email, confirm: 'yes' });
    expect(done.status).toBe(200);
    expect(done.body).toContain(`Customer ${customerId} was erased at`);
    expect(await profileOf(customerId)).toBeUndefined();
    expect(await tableMentions(email)).toBe(0);
    expect(await tableMentions('Sigríður')).toBe(0);
    expect(await findErasureRecord(table, SIGNING_KEY, email)).toMatchObject({ eventPublished: true });
    expect(runtime.bus.published.filter((e) => e['detail-type'] === 'CustomerErased' && e.detail.customerId === customerId)).toHaveLength(1);

    const again = await admin.post('/console/privacy/erase', { person: email, confirm: 'yes' });
    expect(again.status).toBe(200);
    expect(again.body).toContain('This person was already erased at');
    expect((await admin.post('/console/privacy/plan', { person: email })).body).toContain('This person was already erased at');
    expect(runtime.bus.published.filter((e) => e['detail-type'] === 'CustomerErased' && e.detail.customerId === customerId)).toHaveLength(1);
  });

  it('refuses a privacy post without the CSRF token (403) and erases nothing', async () => {
    const customerId = await aCustomer('csrf.privacy@example.com', 'Csrf Person');
    const admin = await signedIn('admin');
    await admin.page('/console/privacy');
    for (const action of ['erase', 'export']) {
      const reply = await admin.post(`/console/privacy/${action}`, { person: customerId, confirm: 'yes' }, { csrf: null });
      expect(reply.status, action).toBe(403);
      expect(reply.body).not.toContain('"kinds"');
    }
    expect((await admin.post('/console/privacy/erase', { person: customerId, confirm: 'yes' }, { csrf: 'forged' })).status).toBe(403);
    expect(await profileOf(customerId)).toBeDefined();
  });

  it('answers a bad address with 400 naming the field, an erase that was not reviewed with 400, and an unknown person with a friendly 404', async () => {
    const customerId = await aCustomer('confirm.privacy@example.com', 'Confirm Person');
    const admin = await signedIn('admin');
    await admin.page('/console/privacy');
    for (const action of ['export', 'plan', 'erase']) {
      const reply = await admin.post(`/console/privacy/${action}`, { person: 'anna@@example', confirm: 'yes' });
      expect(reply.status, action).toBe(400);
      const field = action === 'export' ? 'export-person' : 'erase-person';
      expect(reply.body).toContain(`id="${field}" name="person" value="anna@@example"`);
      expect(reply.body).toContain(`aria-invalid="true" aria-describedby="e-${field}"`);
      expect(reply.body).toContain('Email address or customer id: Enter a valid email address or customer id.');
    }
    const unconfirmed = await admin.post('/console/privacy/erase', { person: customerId });
    expect(unconfirmed.status).toBe(400);
    expect(await profileOf(customerId)).toBeDefined();

    for (const action of ['export', 'plan', 'erase']) {
      const reply = await admin.post(`/console/privacy/${action}`, { person: 'nobody.privacy@example.com', confirm: 'yes' });
      expect(reply.status, action).toBe(404);
      expect(reply.body).toContain('Nothing about this person is stored. Check the address or customer id.');
    }
  });
});
