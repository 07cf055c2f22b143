import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, parseSubmissionRequest, type ParsedSubmission } from '#shared/capture/submission-schema.ts';
import type { HttpRequest } from '#shared/capture/http-request.ts';

const options = { maxBodyBytes: 65_536, defaultLocale: 'en' } as const;

function jsonRequest(body: unknown, headers: Record<string, string> = {}): HttpRequest {
  return { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

const valid = { token: 'a.b', lang: 'is', email: 'anna@example.com', acceptTerms: true };

/** Strings a hostile client might send: markup, control characters, RTL overrides, huge and odd Unicode. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '\u0000\u0007\u202e\ufeff',
    '__proto__',
    'constructor',
    '%00%ff',
    '{"$ne":null}',
    '../../etc/passwd',
    'x'.repeat(5000),
    '😀'.repeat(600),
  ),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);
const fieldName = fc.oneof(
  fc.constantFrom(
    'token',
    'lang',
    'email',
    'name',
    'products',
    'interests',
    'satisfaction',
    'country',
    'postcode',
    'acceptTerms',
    'marketingConsent',
    'website',
    'preferredLanguage',
    'referrerEmail',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 80 }),
);

function checkOutcome(parsed: ParsedSubmission): void {
  expect(['rejected', 'honeypot', 'valid']).toContain(parsed.kind);
  if (parsed.kind === 'rejected') {
    expect([400, 413, 415]).toContain(parsed.status);
    expect(parsed.issues.length).toBeGreaterThan(0);
  }
  if (parsed.kind === 'valid') {
    expect((parsed.submission.email ?? '').length).toBeLessThanOrEqual(LIMITS.email);
    expect(parsed.submission.acceptTerms).toBe(true);
    for (const text of [parsed.submission.name, parsed.submission.whyChoseUs, parsed.submission.satisfactionReason])
      expect((text ?? '').length).toBeLessThanOrEqual(LIMITS.longText);
  }
}

describe('parseSubmissionRequest (property-based)', () => {
  it('never throws and only ever rejects with 400, 413 or 415 for arbitrary JSON objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fieldName, hostileValue, { maxKeys: 25 }), (fields) => {
        checkOutcome(parseSubmissionRequest(jsonRequest({ ...valid, ...fields }), options));
      }),
      { numRuns: 400 },
    );
  });

  it('never throws for arbitrary bodies, content types, encodings and headers', () => {
    const request = fc.record({
      contentType: fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=UTF-8',
          'text/plain',
          'multipart/form-data',
          '',
        ),
        fc.string(),
      ),
      accept: fc.oneof(fc.constantFrom('application/json', 'text/html', '*/*'), fc.string()),
      acceptLanguage: fc.oneof(fc.constantFrom('he-IL,he;q=0.9', 'is', 'xx;q=abc', '*;q=0'), fc.string()),
      body: fc.oneof(fc.string({ maxLength: 2000 }), fc.json(), fc.constant(undefined)),
      isBase64Encoded: fc.boolean(),
    });
    fc.assert(
      fc.property(request, (r) => {
        const parsed = parseSubmissionRequest(
          {
            headers: { 'content-type': r.contentType, accept: r.accept, 'accept-language': r.acceptLanguage },
            body: r.body,
            isBase64Encoded: r.isBase64Encoded,
          },
          options,
        );
        checkOutcome(parsed);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws for arbitrary form-encoded bodies, repeated keys and broken percent-escapes included', () => {
    const pair = fc.tuple(fieldName, fc.oneof(hostileString, fc.constantFrom('%', '%E0%A4%A', '%zz', '+', '&&', '=')));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 30 }), fc.boolean(), (pairs, raw) => {
        const body = raw ? pairs.map(([k, v]) => `${k}=${v}`).join('&') : new URLSearchParams(pairs).toString();
        checkOutcome(parseSubmissionRequest({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, options));
      }),
      { numRuns: 400 },
    );
  });

  it('rejects a body over the limit with 413 whatever it contains', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 50 }), (chunk) => {
        const body = chunk.repeat(Math.ceil(70_000 / chunk.length));
        const parsed = parseSubmissionRequest({ headers: { 'content-type': 'application/json' }, body }, options);
        expect(parsed.kind === 'rejected' && parsed.status).toBe(413);
      }),
      { numRuns: 50 },
    );
  });
});

describe('parseSubmissionRequest (examples)', () => {
  it('accepts a minimal JSON submission and answers in JSON', () => {
    const parsed = parseSubmissionRequest(jsonRequest(valid), options);
    expect(parsed).toMatchObject({
      kind: 'valid',
      mode: 'json',
      locale: 'is',
      submission: { email: 'anna@example.com', acceptTerms: true, marketingConsent: false, products: [], interests: [] },
    });
  });

  it('answers a browser form post in HTML, reading repeated keys as lists and "on" as a ticked box', () => {
    const body = 'token=a.b&lang=he&email=dana%40example.com&products=A&products=B&acceptTerms=on&satisfaction=4';
    const parsed = parseSubmissionRequest({ headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body }, options);
    expect(parsed).toMatchObject({ kind: 'valid', mode: 'html', locale: 'he', submission: { products: ['A', 'B'], acceptTerms: true, satisfaction: 4 } });
  });

  it("keeps script in free text as text (escaping is the renderer's job) but strips control characters", () => {
    const parsed = parseSubmissionRequest(jsonRequest({ ...valid, whyChoseUs: '<script>alert(1)</script>\u0000' }), options);
    expect(parsed.kind === 'valid' && parsed.submission.whyChoseUs).toBe('<script>alert(1)</script>');
  });

  it('falls back from an unknown form language to Accept-Language, and from a regional tag to its language', () => {
    expect(parseSubmissionRequest(jsonRequest({ ...valid, lang: 'tlh' }, { 'accept-language': 'da-DK' }), options).locale).toBe('da');
    expect(parseSubmissionRequest(jsonRequest({ ...valid, lang: 'fi-FI' }), options).locale).toBe('fi');
  });

  it('names each bad field once, with a catalog key', () => {
    const parsed = parseSubmissionRequest(jsonRequest({ ...valid, email: 'nope', acceptTerms: false, name: 'x'.repeat(201), extra: 1 }), options);
    const issues = parsed.kind === 'rejected' ? [...parsed.issues].sort((a, b) => a.field.localeCompare(b.field)) : [];
    expect(issues).toEqual([
      { field: 'acceptTerms', key: 'error.terms' },
      { field: 'email', key: 'error.email' },
      { field: 'extra', key: 'error.unknownField' },
      { field: 'name', key: 'error.tooLong', params: { max: 200 } },
    ]);
  });

  it('treats a filled honeypot as a bot before validating anything else', () => {
    expect(parseSubmissionRequest(jsonRequest({ website: 'http://spam.example', email: 'bad' }), options).kind).toBe('honeypot');
  });
});
