import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { signToken } from '#shared/tokens/signed-token.ts';
import type { LocalRuntime } from '#local/runtime.ts';
import {
  startCaptureRuntime,
  clickConfirm,
  confirmLinkOf,
  emailsTo,
  inbox,
  recordOrder,
  send,
  submitForm,
  submitJson,
  type Answers,
} from '#test/support/capture-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

const signingKey = 'capture-bad-input-signing-key';
let runtime: LocalRuntime;
let table: Table;
let order: { orderId: string; customerId: string; formUrl: string; token: string };
/** Each test posts from its own loopback address, so only the rate-limit test meets the limit (10 per minute). */
let ipCounter = 20;
const nextIp = () => `127.0.0.${ipCounter++}`;

beforeAll(async () => {
  runtime = await startCaptureRuntime({ ...onSharedDynamoDb('capture'), signingKey });
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
  order = await recordOrder(runtime, { orderId: 'BAD-1', customerEmail: 'bad-input@example.com', locale: 'is' });
});
afterAll(() => runtime.stop());
afterEach(() => {
  vi.useRealTimers();
});

const valid = (overrides: Answers = {}): Answers => ({
  token: order.token,
  lang: 'is',
  email: 'bad-input@example.com',
  products: ['TENT-2P'],
  acceptTerms: true,
  ...overrides,
});

function issuesOf(body: string): { field: string; message: string }[] {
  const parsed: unknown = JSON.parse(body);
  const issues: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(Reflect.get(parsed, 'error') ?? {}, 'issues') : undefined;
  return Array.isArray(issues)
    ? issues.map((i: unknown) => ({ field: String(Reflect.get(Object(i), 'field')), message: String(Reflect.get(Object(i), 'message')) }))
    : [];
}

async function submission(orderId: string) {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.submission(orderId), ConsistentRead: true }))).Item;
}

describe('bad input to POST /api/submissions (JSON) gets a 4xx with field messages, never a 5xx', () => {
  it('an oversized field: 400 naming the field, in the form language', async () => {
    const reply = await submitJson(runtime, valid({ name: 'x'.repeat(201) }), { fromIp: nextIp() });
    expect(reply.status).toBe(400);
    expect(issuesOf(reply.body)).toEqual([{ field: 'name', message: 'Vinsamlegast hafðu þetta 200 stafi eða færri.' }]);
  });

  it('an oversized body: 413', async () => {
    const reply = await submitJson(runtime, valid({ whyChoseUs: 'y'.repeat(70_000) }), { fromIp: nextIp() });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('an invalid email: 400 on the email field', async () => {
    const reply = await submitJson(runtime, valid({ email: 'not-an-address' }), { fromIp: nextIp() });
    expect(reply.status).toBe(400);
    expect(issuesOf(reply.body)).toEqual([{ field: 'email', message: 'Sláðu inn netfang á borð við nafn@daemi.is.' }]);
  });

  it('a body that is neither JSON nor a web form: 415', async () => {
    const reply = await send(new URL('/api/submissions', runtime.urls.api).toString(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
      fromIp: nextIp(),
    });
    expect(reply.status).toBe(415);
  });

  it('an unknown form language falls back to the browser language instead of failing', async () => {
    const reply = await submitJson(runtime, valid({ lang: 'tlh' }), { fromIp: nextIp(), headers: { 'accept-language': 'fi-FI,fi;q=0.9' } });
    expect(reply.status).toBe(201);
    expect(JSON.parse(reply.body)).toMatchObject({ title: 'Kiitos! Tarkista sähköpostisi' });
  });

  it('an unknown preferred language: 400 on that field', async () => {
    const reply = await submitJson(runtime, valid({ preferredLanguage: 'tlh' }), { fromIp: nextIp() });
    expect(reply.status).toBe(400);
    expect(issuesOf(reply.body).map((i) => i.field)).toEqual(['preferredLanguage']);
  });

  it('a tampered form token: 404', async () => {
    const [keyId = '', payload = '', signature = ''] = order.token.split('.');
    const forged = `${keyId}.${Buffer.from(JSON.stringify(['form', 'BAD-2', 1_900_000_000])).toString('base64url')}.${signature}`;
    expect(payload).not.toBe('');
    const reply = await submitJson(runtime, valid({ token: forged }), { fromIp: nextIp() });
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('a form link for an order that does not exist: 404', async () => {
    const token = signToken({ purpose: 'form', sub: 'NO-SUCH-ORDER', exp: Math.floor(Date.now() / 1000) + 3600 }, signingKey);
    const reply = await submitJson(runtime, valid({ token }), { fromIp: nextIp() });
    expect(reply.status).toBe(404);
    expect(await submission('NO-SUCH-ORDER')).toBeUndefined();
  });

  it('a filled honeypot: looks like success, stores and sends nothing', async () => {
    const bot = await recordOrder(runtime, { orderId: 'BAD-BOT', customerEmail: 'bot-target@example.com' });
    const reply = await submitJson(runtime, valid({ token: bot.token, email: 'bot-target@example.com', website: 'http://spam.example' }), { fromIp: nextIp() });
    expect(reply.status).toBe(201);
    expect(await submission('BAD-BOT')).toBeUndefined();
    expect(emailsTo(await inbox(runtime), 'bot-target@example.com')).toEqual([]);
  });

  it('the eleventh post from one address within a minute: 429 with Retry-After', async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await submitJson(runtime, valid({ email: 'not-an-address' }), { fromIp: ip })).status);
    expect(statuses).toEqual([...Array.from({ length: 10 }, () => 400), 429]);
    const browser = await submitForm(runtime, valid({ lang: 'da' }), { fromIp: ip });
    expect(browser.status).toBe(429);
    expect(Number(browser.headers['retry-after'])).toBeGreaterThan(0);
    expect(browser.body).toContain('For mange forsøg');
  });
});

describe('bad input from a browser (plain form post) gets a localized page', () => {
  it('shows the form again with each error next to its field, values kept and escaped', async () => {
    const reply = await submitForm(runtime, valid({ lang: 'he', email: 'nope', name: '<b>Dana</b>', acceptTerms: '' }), { fromIp: nextIp() });
    expect(reply.status).toBe(400);
    expect(reply.body).toContain('<html lang="he" dir="rtl">');
    expect(reply.body).toContain('נא להזין כתובת דוא״ל כמו name@example.com.');
    expect(reply.body).toContain('כדי לקבל את המתנה יש להסכים לתנאים.');
    expect(reply.body).toContain('value="&lt;b&gt;Dana&lt;/b&gt;"');
    expect(reply.body).not.toContain('<b>Dana</b>');
  });

  it('a tampered token: a friendly 404 page in the language the form was shown in', async () => {
    const reply = await submitForm(runtime, valid({ token: `${order.token}x`, lang: 'fi' }), { fromIp: nextIp(), headers: { 'accept-language': 'da' } });
    expect(reply.status).toBe(404);
    expect(reply.body).toContain('Emme löytäneet tätä sivua');
    expect(reply.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('GET /form with ?lang= naming no offered language: a 400 page offering the languages there are', async () => {
    const reply = await send(`${order.formUrl}?lang=tlh`);
    expect(reply.status).toBe(400);
    expect(reply.body).toContain('Þetta tungumál er ekki í boði');
    expect(reply.body).toContain('href="?lang=he"');
  });

  it('GET /form with an unsupported Accept-Language and no order locale falls back to the shop default', async () => {
    const other = await recordOrder(runtime, { orderId: 'BAD-NOLOCALE', customerEmail: 'nolocale@example.com', locale: undefined });
    const reply = await send(other.formUrl, { headers: { 'accept-language': 'de-CH, fr;q=0.8' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<html lang="en" dir="ltr">');
  });

  it('GET /confirm with a forged token: 404 page, nothing confirmed', async () => {
    const reply = await send(new URL('/confirm?token=WyJjb25maXJtIiwiQkFELTEiLDE5MDAwMDAwMDBd.AAAA', runtime.urls.api).toString(), {
      headers: { 'accept-language': 'is' },
    });
    expect(reply.status).toBe(404);
    expect(reply.body).toContain('Við fundum ekki þessa síðu');
  });
});

describe('expired links, found by moving the clock', () => {
  it('a form link past its 30 days: 410 for the page and for a submission', async () => {
    const later = await recordOrder(runtime, { orderId: 'BAD-OLD', customerEmail: 'old@example.com', locale: 'da' });
    vi.setSystemTime(Date.now() + 31 * 86_400_000);
    const page = await send(later.formUrl);
    const reply = await submitJson(runtime, valid({ token: later.token, email: 'old@example.com' }), { fromIp: nextIp() });
    expect(page.status).toBe(410);
    expect(page.body).toContain('Dette link er udløbet');
    expect(reply.status).toBe(410);
  });

  it('a confirm link past its 7 days: 410 page for the GET and for the button, no incentive', async () => {
    const late = await recordOrder(runtime, { orderId: 'BAD-LATE', customerEmail: 'late@example.com', locale: 'fi' });
    expect((await submitJson(runtime, valid({ token: late.token, lang: 'fi', email: 'late@example.com' }), { fromIp: nextIp() })).status).toBe(201);
    const link = confirmLinkOf(emailsTo(await inbox(runtime), 'late@example.com')[0]);
    vi.setSystemTime(Date.now() + 8 * 86_400_000);
    expect((await send(link)).status).toBe(410);
    const reply = await clickConfirm(link);
    expect(reply.status).toBe(410);
    expect(reply.body).toContain('Tämä linkki on vanhentunut');
    expect((await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.incentive('BAD-LATE'), ConsistentRead: true }))).Item).toBeUndefined();
  });
});
