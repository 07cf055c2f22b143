/**
 * Issue 13, item 9, through the real handlers in the local runtime: after the upgrade to key ids and a rotation, a
 * form link mailed before the upgrade (`<payload>.<sig>` under the old single key) still opens and still submits;
 * links signed with the old key id too; a link under a key the ring does not hold is a friendly 4xx.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#local/runtime.ts';
import { signToken } from '#shared/tokens/signed-token.ts';
import { recordOrder, send, startCaptureRuntime, submitJson } from '#test/support/capture-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

/** The single key a deployment held before key ids (it becomes k1 of the ring). */
const OLD_KEY = 'old-single-signing-key-0123456789abcdefghij';
const NEW_KEY = 'new-signing-key-added-by-rotation-0123456789';
const RING = JSON.stringify({ current: 'k2', keys: { k1: OLD_KEY, k2: NEW_KEY } });
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startCaptureRuntime({ ...onSharedDynamoDb('capture'), signingKey: RING });
});
afterAll(() => runtime.stop());

/** The claims inside a token the runtime minted: the order and the expiry its form link has. */
function expiryOf(token: string): number {
  const [, payload] = token.split('.');
  const decoded: unknown = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  const exp = Array.isArray(decoded) ? decoded[2] : undefined;
  if (typeof exp !== 'number') throw new Error(`no expiry in ${token}`);
  return exp;
}

/** A form link exactly as the code before key ids minted it: HMAC-SHA256 of the payload under the master key. */
function preUpgradeFormToken(orderId: string, exp: number, key: string): string {
  const payload = Buffer.from(JSON.stringify(['form', orderId, exp])).toString('base64url');
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

const formPage = (token: string) => send(new URL(`/form/${token}`, runtime.urls.api).toString());

describe('form links across the upgrade to key ids and a rotation', () => {
  it('mints new links with the current key id', async () => {
    const order = await recordOrder(runtime, { orderId: 'ROT-1', customerEmail: 'rot-1@example.com', locale: 'en' });
    expect(order.token.split('.')).toHaveLength(3);
    expect(order.token.startsWith('k2.')).toBe(true);
    expect((await formPage(order.token)).status).toBe(200);
  });

  it('opens and submits a form link mailed before the upgrade (no key id, signed with the old single key)', async () => {
    const order = await recordOrder(runtime, { orderId: 'ROT-2', customerEmail: 'rot-2@example.com', locale: 'en' });
    const oldLink = preUpgradeFormToken('ROT-2', expiryOf(order.token), OLD_KEY);
    const page = await formPage(oldLink);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form');
    expect(page.body).toContain(oldLink);
    const reply = await submitJson(
      runtime,
      { token: oldLink, lang: 'en', email: 'rot-2@example.com', products: ['TENT-2P'], acceptTerms: true, marketingConsent: false, satisfaction: 5 },
      { fromIp: '127.0.2.9' },
    );
    expect(reply.status).toBe(201);
  });

  it('opens a link signed with the previous key id (k1) after k2 became current', async () => {
    const order = await recordOrder(runtime, { orderId: 'ROT-3', customerEmail: 'rot-3@example.com', locale: 'en' });
    const k1Link = signToken({ purpose: 'form', sub: 'ROT-3', exp: expiryOf(order.token) }, JSON.stringify({ current: 'k1', keys: { k1: OLD_KEY } }));
    expect(k1Link.startsWith('k1.')).toBe(true);
    expect((await formPage(k1Link)).status).toBe(200);
  });

  it('answers a link under a key the ring does not hold with a 4xx page, not a 5xx', async () => {
    const order = await recordOrder(runtime, { orderId: 'ROT-4', customerEmail: 'rot-4@example.com', locale: 'en' });
    const foreign = preUpgradeFormToken('ROT-4', expiryOf(order.token), 'a-key-this-shop-never-had-0123456789abc');
    const unknownId = `k9.${order.token.split('.').slice(1).join('.')}`;
    for (const token of [foreign, unknownId]) {
      const page = await formPage(token);
      expect(page.status).toBeGreaterThanOrEqual(400);
      expect(page.status).toBeLessThan(500);
      expect(page.body).not.toContain('at ');
    }
  });
});
