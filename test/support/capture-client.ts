/**
 * Test helpers for the incentive form against a running local runtime: record an order, post answers (from a
 * chosen loopback address, so each test has its own rate-limit bucket), read the SES emulator's inbox.
 */
import { z } from 'zod';
import type { PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { topology, type Topology } from '#shared/topology.ts';
import { localRequest, type LocalReply } from '#local/local-request.ts';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '#local/runtime.ts';
import { aPurchase } from '#test/support/builders.ts';

/**
 * The functions the incentive form needs (orders in, form, submissions, confirmation), wired exactly as in
 * shared/topology.ts: the capture tests then neither wait for nor depend on the other features' functions.
 */
export const captureTopology: Topology = {
  functions: topology.functions.filter((fn) => ['record-purchase', 'show-form', 'submit-form', 'confirm-email'].includes(fn.name)),
  queues: [],
};

/** The capture functions alone on a local runtime: in-memory DynamoDB Local, free ports, a manual clock, no seed. */
export function startCaptureRuntime(options: Omit<LocalRuntimeOptions, 'topology'> = {}): Promise<LocalRuntime> {
  return startLocalRuntime({
    topology: captureTopology,
    inMemory: true,
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    clock: { mode: 'manual' },
    seed: false,
    ...options,
  });
}

export type Reply = LocalReply;

/** An HTTP request with Node's client, optionally from another loopback source address (127.0.0.2 …). */
export const send = localRequest;

const PurchaseReply = z.object({ orderId: z.string(), customerId: z.string(), formUrl: z.string() });

/** Records an order through POST /api/purchases (or replays it: 200); returns its form URL and form token. */
export async function recordOrder(
  runtime: LocalRuntime,
  overrides: Partial<PurchaseInput> = {},
): Promise<{ orderId: string; customerId: string; formUrl: string; token: string }> {
  const reply = await send(new URL('/api/purchases', runtime.urls.api).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey },
    body: JSON.stringify(aPurchase(overrides)),
  });
  if (reply.status !== 201 && reply.status !== 200) throw new Error(`POST /api/purchases answered ${reply.status}: ${reply.body}`);
  const parsed = PurchaseReply.parse(JSON.parse(reply.body));
  return { ...parsed, token: new URL(parsed.formUrl).pathname.split('/').pop() ?? '' };
}

export type Answers = Record<string, string | number | boolean | string[]>;

/** POST /api/submissions as JSON. */
export function submitJson(runtime: LocalRuntime, answers: Answers, options: { fromIp?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return send(new URL('/api/submissions', runtime.urls.api).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
    body: JSON.stringify(answers),
    ...(options.fromIp ? { fromIp: options.fromIp } : {}),
  });
}

/** POST /api/submissions the way a browser posts the plain HTML form. */
export function submitForm(runtime: LocalRuntime, answers: Answers, options: { fromIp?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(answers)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, String(item));
  }
  return send(new URL('/api/submissions', runtime.urls.api).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml', ...options.headers },
    body: body.toString(),
    ...(options.fromIp ? { fromIp: options.fromIp } : {}),
  });
}

const StoredEmail = z.object({
  messageId: z.string(),
  destination: z.object({ to: z.array(z.string()) }),
  subject: z.string(),
  body: z.object({ html: z.string().optional(), text: z.string().optional() }),
});
export type StoredEmail = z.output<typeof StoredEmail>;

/** Every email the SES emulator holds, oldest first. */
export async function inbox(runtime: LocalRuntime): Promise<StoredEmail[]> {
  const reply = await send(new URL('/store', runtime.urls.ses).toString());
  return z.object({ emails: z.array(StoredEmail) }).parse(JSON.parse(reply.body)).emails;
}

export function emailsTo(emails: StoredEmail[], address: string): StoredEmail[] {
  return emails.filter((e) => e.destination.to.includes(address));
}

/** The confirm link of an opt-in email (from its plain-text part). */
export function confirmLinkOf(email: StoredEmail | undefined): string {
  const link = /https?:\/\/\S+\/confirm\?token=[A-Za-z0-9._~-]+/.exec(email?.body.text ?? '')?.[0];
  if (!link) throw new Error(`no confirm link in email "${email?.subject ?? '(none)'}"`);
  return link;
}

/** What the confirm page's button does: POST /confirm?token=… (a GET only shows the page). */
export function clickConfirm(link: string, options: { fromIp?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return send(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...options.headers },
    body: '',
    ...(options.fromIp ? { fromIp: options.fromIp } : {}),
  });
}
