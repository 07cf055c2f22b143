import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { topology, type Topology } from '#shared/topology.ts';
import { recordOrder, send } from '#test/support/capture-client.ts';
import { demoUser, StaffBrowser } from '#test/support/console-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

const consoleTopology: Topology = {
  functions: topology.functions.filter((fn) => ['record-purchase', 'console', 'record-interaction'].includes(fn.name)),
  queues: [],
};

let runtime: LocalRuntime;
let customerId: string;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    topology: consoleTopology,
    ...onSharedDynamoDb('console-security'),
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    clock: { mode: 'real' },
    tickSchedules: false,
  });
  ({ customerId } = await recordOrder(runtime, {
    orderId: 'SEC-1',
    customerEmail: 'sec@example.com',
    purchasedAt: new Date(Date.now() - 86_400_000).toISOString(),
  }));
});
afterAll(async () => {
  await runtime.stop();
});

/** The emulator's own signing key (public in its package: which is why that issuer is trusted only locally). */
function emulatorKey(): KeyObject {
  const root = dirname(createRequire(import.meta.url).resolve('cognito-local/package.json'));
  const { jwk } = z.object({ jwk: z.record(z.string(), z.string()) }).parse(JSON.parse(readFileSync(join(root, 'lib/keys/cognitoLocal.private.json'), 'utf8')));
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** An ID token for the demo staff user, signed with `key`, valid from `iat` for an hour. */
function idToken(key: KeyObject, iat: number): string {
  const cognito = runtime.cognito;
  if (!cognito) throw new Error('no sign-in');
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'RS256', kid: 'CognitoLocal' })}.${part({ sub: 'forged-sub', iss: cognito.issuer, aud: cognito.clientId, token_use: 'id', email: 'staff@kinship.local', 'cognito:groups': ['admin'], iat, auth_time: iat, exp: iat + 3600 })}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
}

async function withSessionToken(token: string): Promise<StaffBrowser> {
  const browser = new StaffBrowser(runtime);
  browser.cookies.set('kinship_console_session', `sid123.${token}`);
  return browser;
}

const CONSOLE_GETS = [
  '/console',
  '/console?q=sec%40example.com',
  '/console/customers/c_000000000000000000000000',
  '/console/cases',
  '/console/cases/cs_x',
  '/console/reports',
  '/console/admin',
];

describe('the staff console without a session', () => {
  it('answers every console page with a redirect to sign-in that comes back to the page', async () => {
    const browser = new StaffBrowser(runtime);
    for (const path of CONSOLE_GETS) {
      const reply = await browser.get(path);
      expect(reply.status, path).toBe(302);
      expect(reply.headers.location, path).toBe(`/console/sign-in?returnTo=${encodeURIComponent(path)}`);
    }
  });

  it('refuses posts with 401 and stores nothing', async () => {
    const browser = new StaffBrowser(runtime);
    const reply = await browser.post(
      `/console/customers/${customerId}/contact`,
      { interactionId: 'anon-1', channel: 'phone', reason: 'question', satisfied: '1', outcome: 'resolved' },
      { csrf: 'anything' },
    );
    expect(reply.status).toBe(401);
    const page = await signedIn('staff');
    expect((await page.get(`/console/customers/${customerId}`)).body).not.toContain('anon-1');
  });

  it('refuses the staff API without the API key', async () => {
    const reply = await send(new URL('/api/interactions', runtime.urls.api).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(reply.status).toBe(401);
  });

  it('starts the code flow with PKCE S256 and a signed, HttpOnly state cookie', async () => {
    const reply = await new StaffBrowser(runtime).get('/console/sign-in');
    const location = new URL(String(reply.headers.location));
    expect(location.pathname).toBe('/oauth2/authorize');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('redirect_uri')).toBe(`${runtime.urls.api}/console/callback`);
    expect(String(reply.headers['set-cookie'])).toMatch(/kinship_console_signin=.+; Path=\/console; HttpOnly; SameSite=Lax/);
  });
});

async function signedIn(group: 'staff' | 'marketer' | 'admin'): Promise<StaffBrowser> {
  const browser = new StaffBrowser(runtime);
  const { username, password } = demoUser(runtime, group);
  const done = await browser.signIn(username, password);
  expect(done.status).toBe(303);
  return browser;
}

describe('signing in and roles', () => {
  it('signs staff in through the emulator and sets an HttpOnly, SameSite session cookie', async () => {
    const browser = new StaffBrowser(runtime);
    const { username, password } = demoUser(runtime, 'staff');
    const done = await browser.signIn(username, password, '/console/cases');
    expect(done.headers.location).toBe('/console/cases');
    expect(String(done.headers['set-cookie'])).toMatch(/kinship_console_session=[^;]+; Path=\/console; HttpOnly; SameSite=Lax/);
    const page = await browser.get('/console/cases');
    expect(page.status).toBe(200);
    expect(page.body).toContain('staff@kinship.local');
  });

  it('refuses a callback whose state does not match the sign-in that was started', async () => {
    const browser = new StaffBrowser(runtime);
    await browser.get('/console/sign-in');
    const reply = await browser.get('/console/callback?code=abc&state=not-the-state');
    expect(reply.status).toBe(400);
    expect(browser.cookies.has('kinship_console_session')).toBe(false);
  });

  it('keeps staff out of admin and report pages, and lets an admin in', async () => {
    const staff = await signedIn('staff');
    expect((await staff.get('/console/admin')).status).toBe(403);
    expect((await staff.get('/console/reports')).status).toBe(403);
    const marketer = await signedIn('marketer');
    expect((await marketer.get('/console/reports')).status).toBe(200);
    expect((await marketer.get('/console/admin')).status).toBe(403);
    const admin = await signedIn('admin');
    expect((await admin.get('/console/admin')).status).toBe(200);
  });

  it('shows the results report under the same sign-in to marketers, never to staff or to no one', async () => {
    expect((await new StaffBrowser(runtime).get('/console/reports/results')).status).toBe(302);
    expect((await (await signedIn('staff')).get('/console/reports/results')).status).toBe(403);
    const report = await (await signedIn('marketer')).get('/console/reports/results');
    expect(report.status).toBe(200);
    expect(report.body).toContain('<h1>Kinship results</h1>');
    expect(report.body).toContain('<svg');
  });

  it('signs out: the cookies are cleared and the console asks for sign-in again', async () => {
    const browser = await signedIn('staff');
    await browser.page('/console');
    const out = await browser.post('/console/sign-out', {});
    expect(out.status).toBe(303);
    expect(browser.cookies.has('kinship_console_session')).toBe(false);
    expect((await browser.get('/console')).status).toBe(302);
  });
});

describe('tokens the console must refuse', () => {
  it('accepts a token signed by the issuer and unexpired (the control for the two refusals below)', async () => {
    const browser = await withSessionToken(idToken(emulatorKey(), Math.floor(Date.now() / 1000) - 60));
    expect((await browser.get('/console/admin')).status).toBe(200);
  });

  it('refuses a token signed with another key, even with the right claims and key id', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const browser = await withSessionToken(idToken(privateKey, Math.floor(Date.now() / 1000) - 60));
    const reply = await browser.get('/console/admin');
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toContain('/console/sign-in');
  });

  it('refuses an expired token when there is no refresh token', async () => {
    const browser = await withSessionToken(idToken(emulatorKey(), Math.floor(Date.now() / 1000) - 7200));
    const reply = await browser.get('/console/admin');
    expect(reply.status).toBe(302);
    expect(browser.cookies.has('kinship_console_session')).toBe(false);
  });

  it('replaces an expired token using the refresh token, keeping the session', async () => {
    const browser = await signedIn('staff');
    const session = browser.cookies.get('kinship_console_session') ?? '';
    const sessionId = session.split('.')[0] ?? '';
    browser.cookies.set('kinship_console_session', `${sessionId}.${idToken(emulatorKey(), Math.floor(Date.now() / 1000) - 7200)}`);
    const reply = await browser.get('/console/cases');
    expect(reply.status).toBe(200);
    expect(browser.cookies.get('kinship_console_session')?.startsWith(`${sessionId}.`)).toBe(true);
    expect(browser.cookies.get('kinship_console_session')).not.toBe(session);
  });
});

describe('CSRF', () => {
  const contact = { interactionId: 'csrf-1', channel: 'phone', reason: 'question', satisfied: '4', outcome: 'resolved' };

  it('refuses a post without the token (403) and records nothing', async () => {
    const browser = await signedIn('staff');
    const reply = await browser.post(`/console/customers/${customerId}/contact`, contact, { csrf: null });
    expect(reply.status).toBe(403);
    expect((await browser.get(`/console/customers/${customerId}`)).body).not.toContain('csrf-1');
  });

  it('refuses another session’s token and a post from another origin', async () => {
    const other = await signedIn('staff');
    await other.page('/console');
    const browser = await signedIn('staff');
    expect((await browser.post(`/console/customers/${customerId}/contact`, contact, { csrf: other.csrf ?? '' })).status).toBe(403);
    await browser.page('/console');
    expect((await browser.post(`/console/customers/${customerId}/contact`, contact, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('accepts the same post with the page’s token', async () => {
    const browser = await signedIn('staff');
    await browser.page(`/console/customers/${customerId}/contact`);
    const reply = await browser.post(`/console/customers/${customerId}/contact`, contact);
    expect(reply.status).toBe(303);
  });
});
