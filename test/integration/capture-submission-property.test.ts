import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureDeps } from '#shared/capture/capture-deps.ts';
import { loadCaptureSettings } from '#shared/capture/capture-settings.ts';
import { handleSubmission } from '#shared/capture/routes/submit-route.ts';
import type { OutgoingEmail } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { recordPurchase } from '#shared/purchases/record-purchase.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';

let endpoint: PutEventsEndpoint;
let deps: CaptureDeps;
let formToken = '';
const sent: OutgoingEmail[] = [];
const now = new Date('2026-11-25T12:00:00Z');

beforeAll(async () => {
  const table = await createTestTable('capture-property');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  const bus = { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' };
  const settings = loadCaptureSettings();
  deps = {
    table,
    bus,
    email: { send: async (email) => (sent.push(email), { messageId: `m-${sent.length}` }) },
    // The property posts hundreds of times from one address; the rate limit has its own test.
    settings: { ...settings, capture: { ...settings.capture, submissions: { rateLimit: { requests: 1_000_000, windowSeconds: 60 } } } },
    signingKey: 'property-key',
    publicBaseUrl: 'http://localhost:3000',
    now: () => now,
  };
  const { formUrl } = await recordPurchase(
    { table, bus, config: aShopConfig(), signingKey: 'property-key', publicBaseUrl: 'http://localhost:3000', now: () => now },
    aPurchase({ orderId: 'PROP-1' }),
  );
  formToken = new URL(formUrl ?? 'http://localhost/').pathname.split('/').pop() ?? '';
});
afterAll(() => endpoint.stop());

const hostile = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom('<script>alert(1)</script>', '\u0000\u202e', '__proto__', 'x'.repeat(3000), 'anna@example.com', 'TENT-2P', 'on', 'is', 'he', 'tents', '5'),
);
const field = fc.constantFrom(
  'token',
  'lang',
  'email',
  'name',
  'products',
  'interests',
  'satisfaction',
  'satisfactionReason',
  'country',
  'postcode',
  'size',
  'heardFrom',
  'referrerEmail',
  'preferredLanguage',
  'acceptTerms',
  'marketingConsent',
  'website',
  'unknown',
);

describe('POST /api/submissions with random and hostile input (property-based, real table)', () => {
  it('never answers 5xx, whatever the body, encoding or token', async () => {
    const request = fc.record({
      form: fc.boolean(),
      realToken: fc.boolean(),
      fields: fc.array(fc.tuple(field, fc.oneof(hostile, fc.array(hostile, { maxLength: 3 }), fc.integer(), fc.boolean())), { maxLength: 15 }),
      acceptLanguage: fc.oneof(fc.constantFrom('he', 'is-IS', 'xx'), fc.string({ maxLength: 40 })),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const fields: Record<string, unknown> = Object.fromEntries(r.fields);
        if (r.realToken) Object.assign(fields, { token: formToken });
        const body = r.form
          ? new URLSearchParams(
              Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((item): [string, string] => [k, String(item)])),
            ).toString()
          : JSON.stringify(fields);
        const reply = await handleSubmission(deps, {
          headers: { 'content-type': r.form ? 'application/x-www-form-urlencoded' : 'application/json', 'accept-language': r.acceptLanguage },
          body,
          requestContext: { http: { sourceIp: '192.0.2.7' } },
        });
        expect(reply.statusCode).toBeGreaterThanOrEqual(200);
        expect(reply.statusCode).toBeLessThan(500);
        expect(String(reply.headers?.['content-type'])).toMatch(r.form ? /^text\/html/ : /^application\/json/);
        expect(reply.body ?? '').not.toContain('<script>alert');
      }),
      { numRuns: 150 },
    );
  });
});
