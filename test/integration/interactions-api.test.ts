import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { caseIdFor } from '#shared/cases/case-store.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient } from '#shared/table/table-client.ts';
import { topology, type Topology } from '#shared/topology.ts';
import { emailsTo, inbox, recordOrder, send, submitJson } from '#test/support/capture-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

const interactionTopology: Topology = {
  functions: topology.functions.filter((fn) => ['record-purchase', 'submit-form', 'record-interaction', 'escalate-cases'].includes(fn.name)),
  queues: [],
};
const STAFF_INBOX = 'staff-alerts@kinship.local';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    topology: interactionTopology,
    ...onSharedDynamoDb('interactions'),
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    clock: { mode: 'real' },
    tickSchedules: false,
  });
});
afterAll(async () => {
  await runtime.stop();
});

function anInteraction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    interactionId: 'INT-1',
    customerEmail: 'gudrun@example.com',
    channel: 'phone',
    reason: 'complaint',
    satisfied: 4,
    whatWasDone: 'Explained the warranty',
    outcome: 'resolved',
    staffId: 'till-3',
    ...overrides,
  };
}

function postInteraction(body: unknown, headers: Record<string, string> = {}) {
  return send(new URL('/api/interactions', runtime.urls.api).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey, ...headers },
    body: JSON.stringify(body),
  });
}

const Reply = z.object({ interactionId: z.string(), customerId: z.string(), recordedAt: z.string(), caseId: z.string().optional() });
const ErrorReply = z.object({ error: z.object({ code: z.string(), issues: z.array(z.object({ field: z.string(), message: z.string() })).optional() }) });

async function profileItem(customerId: string) {
  const doc = createDocumentClient(runtime.urls.dynamodb);
  const result = await doc.send(new GetCommand({ TableName: runtime.tableName, Key: keys.profile(customerId) }));
  return result.Item;
}

async function caseItem(caseId: string) {
  const doc = createDocumentClient(runtime.urls.dynamodb);
  return (await doc.send(new GetCommand({ TableName: runtime.tableName, Key: keys.staffCase(caseId) }))).Item;
}

describe('POST /api/interactions', () => {
  it('records a contact (201), replays it with the same answer (200) and refuses the id with other content (409)', async () => {
    const { customerId } = await recordOrder(runtime, {
      orderId: 'INT-ORDER-1',
      customerEmail: 'gudrun@example.com',
      purchasedAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    const first = await postInteraction(anInteraction());
    expect(first.status).toBe(201);
    const created = Reply.parse(JSON.parse(first.body));
    expect(created.customerId).toBe(customerId);
    expect(created.caseId).toBeUndefined();

    const replay = await postInteraction(anInteraction());
    expect(replay.status).toBe(200);
    expect(Reply.parse(JSON.parse(replay.body))).toEqual(created);

    const conflicting = await postInteraction(anInteraction({ satisfied: 1 }));
    expect(conflicting.status).toBe(409);
    expect(await profileItem(customerId)).toMatchObject({ latestSatisfaction: { score: 4, source: 'interaction' } });
  });

  it('answers bad input with 400 and a message per field, never a 5xx', async () => {
    const reply = await postInteraction(
      anInteraction({ interactionId: 'INT-BAD', channel: 'fax', satisfied: 7, reason: 'weather', outcome: undefined, staffId: '' }),
    );
    expect(reply.status).toBe(400);
    const fields = ErrorReply.parse(JSON.parse(reply.body))
      .error.issues?.map((i) => i.field)
      .sort();
    expect(fields).toEqual(['channel', 'outcome', 'reason', 'satisfied', 'staffId']);
    const both = await postInteraction(anInteraction({ interactionId: 'INT-BOTH', customerId: 'c_000000000000000000000000' }));
    expect(both.status).toBe(400);
    const notJson = await send(new URL('/api/interactions', runtime.urls.api).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey },
      body: '{"interactionId":',
    });
    expect(notJson.status).toBe(400);
  });

  it('answers 422 for a customer the shop does not know, naming the field', async () => {
    const reply = await postInteraction(anInteraction({ interactionId: 'INT-UNKNOWN', customerEmail: 'nobody@example.com' }));
    expect(reply.status).toBe(422);
    expect(ErrorReply.parse(JSON.parse(reply.body)).error.issues?.[0]?.field).toBe('customerEmail');
  });

  it('opens one case for an unhappy contact, even when the till retries', async () => {
    await recordOrder(runtime, { orderId: 'INT-ORDER-2', customerEmail: 'haukur@example.com', purchasedAt: new Date(Date.now() - 86_400_000).toISOString() });
    const body = anInteraction({ interactionId: 'INT-SAD', customerEmail: 'haukur@example.com', satisfied: 2, outcome: 'follow-up' });
    const [a, b] = await Promise.all([postInteraction(body), postInteraction(body)]);
    const caseIds = [a, b].map((r) => Reply.parse(JSON.parse(r.body)).caseId);
    expect(caseIds[0]).toBe(caseIdFor('interaction', 'INT-SAD'));
    expect(caseIds[1]).toBe(caseIds[0]);
    expect(await caseItem(caseIdFor('interaction', 'INT-SAD'))).toMatchObject({ status: 'open', reason: 'complaint', satisfied: 2 });
  });
});

describe('cases from the incentive form and their escalation', () => {
  it('opens a case when the form answer is 2 or less, and not for a 3', async () => {
    const unhappy = await recordOrder(runtime, {
      orderId: 'FORM-SAD',
      customerEmail: 'inga@example.com',
      locale: 'is',
      purchasedAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    await submitJson(
      runtime,
      { token: unhappy.token, lang: 'is', email: 'inga@example.com', products: ['TENT-2P'], acceptTerms: true, satisfaction: 1 },
      { fromIp: '127.0.0.61' },
    );
    const neutral = await recordOrder(runtime, {
      orderId: 'FORM-OK',
      customerEmail: 'jon@example.com',
      locale: 'is',
      purchasedAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    await submitJson(
      runtime,
      { token: neutral.token, lang: 'is', email: 'jon@example.com', products: ['TENT-2P'], acceptTerms: true, satisfaction: 3 },
      { fromIp: '127.0.0.62' },
    );
    expect(await caseItem(caseIdFor('form', 'FORM-SAD'))).toMatchObject({ status: 'open', source: 'form', customerId: unhappy.customerId });
    expect(await caseItem(caseIdFor('form', 'FORM-OK'))).toBeUndefined();
  });

  it('notifies staff once when the clock passes the unassigned hours, and again when it passes the unresolved hours', async () => {
    const caseId = caseIdFor('form', 'FORM-SAD');
    const notices = async () => emailsTo(await inbox(runtime), STAFF_INBOX).filter((e) => e.subject.includes(caseId));
    expect(await notices()).toHaveLength(0);

    await runtime.jumpTo(new Date(runtime.clock.now().getTime() + 5 * 3_600_000));
    expect((await notices()).map((e) => e.subject)).toEqual([`Kinship: case ${caseId} needs attention (unassigned)`]);
    expect(await caseItem(caseId)).toMatchObject({ escalations: ['unassigned'] });

    await runtime.jumpTo(new Date(runtime.clock.now().getTime() + 3_600_000));
    expect(await notices()).toHaveLength(1);

    await runtime.jumpTo(new Date(runtime.clock.now().getTime() + 48 * 3_600_000));
    expect((await notices()).map((e) => e.subject).sort()).toEqual([
      `Kinship: case ${caseId} needs attention (unassigned)`,
      `Kinship: case ${caseId} needs attention (unresolved)`,
    ]);
    const text = (await notices())[0]?.body.text ?? '';
    expect(text).toContain(`/console/cases/${caseId}`);
    expect(text).not.toContain('inga@example.com');
  });
});
