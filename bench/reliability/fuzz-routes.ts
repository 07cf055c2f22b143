/**
 * reliability/fuzz-routes: fast-check generated requests against every public route of the local server — the routes
 * are read from shared/topology.ts, so a new route is fuzzed without touching this file. Methods (right and wrong),
 * path parameters (real tokens, garbage, bad percent-encoding), query strings, headers (content types that lie,
 * charsets, content encodings such as a gzip claim over plain bytes, cookies, API keys right and wrong) and bodies
 * (JSON, form-encoded, multipart garbage, binary, invalid UTF-8, gzip, empty, over the limits). Every answer must be
 * below 500 and no body may show a stack trace, a source path or an "Error:" line.
 */
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { httpRoutes } from '#shared/topology.ts';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { aPurchase } from '#test/support/builders.ts';
import { confirmLinkOf, emailsTo, inbox, submitJson } from '#test/support/capture-client.ts';
import { machineInfo, sizeFromEnvironment } from '../bench-harness.ts';
import { forEachIndex, formatCount, onDynamoDb, StatusTally } from '../support/reliability.ts';
import type { ReliabilityOptions, ReliabilityReport, ReliabilityScale } from './scenario.ts';

export const description =
  'fuzzed requests across every route of the local server (bodies, headers, encodings, methods, query strings) → 0 5xx, no stack trace in any body';

const SIZES: Record<ReliabilityScale, number> = { full: 100_000, ci: 2_000 };
const IN_FLIGHT = 16;
/** Generated in slices, so 100,000 requests never sit in memory at once. */
const SLICE = 2_000;
const SEED = 20261203;

interface FuzzRequest {
  method: string;
  path: string;
  routeKey: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  fromIp: string;
}

/** Values a real client might send somewhere, to get past the first checks now and then. */
interface Known {
  apiKey: string;
  formToken: string;
  confirmToken: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16le',
  'application/json; charset=bogus',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'multipart/form-data; boundary=----fuzz',
  'multipart/form-data',
  'text/plain',
  'text/html; charset=windows-1252',
  'application/octet-stream',
  'application/xml',
  'image/png',
  '*/*',
  ';;;',
  'application/json, text/html',
  'APPLICATION/JSON',
  '',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'gzip, deflate', 'compress', 'x-bogus'];
const FIELDS = [
  'token',
  'lang',
  'email',
  'name',
  'products',
  'acceptTerms',
  'marketingConsent',
  'satisfaction',
  'satisfactionReason',
  'country',
  'postcode',
  'whyChoseUs',
  'heardFrom',
  'website',
  'orderId',
  'customerEmail',
  'items',
  'total',
  'currency',
  'purchasedAt',
  'interactionId',
  'customerId',
  'channel',
  'reason',
  'satisfied',
  'outcome',
  'staffId',
  'email',
  'yes',
  '_csrf',
  'q',
  '__proto__',
  'constructor',
];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'undefined',
    '0',
    '-1',
    '1e309',
    'NaN',
    'true',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\uFEFF',
    '\uD800',
    'é'.repeat(300),
    'a'.repeat(70_000),
    'x@y',
    'anna@example.com',
    '{{{x}}}',
    '${x}',
    'IS',
    'he',
    'zz-ZZ',
  ),
);
const jsonish = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom(...FIELDS),
    fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
    { maxKeys: 12 },
  ),
);

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes out as the bytes a sloppy client would send. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

/** `arbitrary`'s value in `percent` % of the cases, else null (fc.option's `freq` is the odds of null, which reads backwards). */
function sometimes<T>(percent: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(null) }, { weight: percent, arbitrary });
}

function bodyArbitrary(known: Known) {
  const formEncoded = fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), text), text), { maxLength: 12 })
    .map((pairs) => Buffer.from(pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')));
  const realAnswers = fc.record(
    {
      token: fc.constantFrom(known.formToken, 'x', ''),
      email: fc.constantFrom('fuzz@example.com', 'not-an-email', ''),
      lang: fc.constantFrom('en', 'is', 'he', 'xx'),
      acceptTerms: fc.oneof(fc.boolean(), fc.constant('on')),
      products: fc.oneof(fc.array(text, { maxLength: 3 }), text),
      satisfaction: fc.oneof(fc.integer({ min: -2, max: 8 }), text),
    },
    { requiredKeys: [] },
  );
  const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
  return fc.oneof(
    weighted(60, fc.constant(undefined)),
    weighted(60, fc.constant(Buffer.alloc(0))),
    weighted(
      60,
      jsonish.map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
    ),
    weighted(
      60,
      realAnswers.map((value) => Buffer.from(JSON.stringify(value))),
    ),
    weighted(
      60,
      realAnswers.map((value) => Buffer.from(new URLSearchParams(Object.entries(value).map(([k, v]): [string, string] => [k, String(v)])).toString())),
    ),
    weighted(
      60,
      jsonish.map((value) => gzipSync(Buffer.from(JSON.stringify(value) ?? 'null'))),
    ),
    weighted(60, formEncoded),
    weighted(
      60,
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(s.slice(0, Math.max(0, s.length - 3)))),
    ),
    weighted(
      60,
      fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
    ),
    weighted(
      60,
      fc
        .array(fc.tuple(fc.constantFrom(...FIELDS), text, fc.boolean()), { maxLength: 4 })
        .map((parts) =>
          Buffer.from(
            parts
              .map(
                ([name, value, file]) => `------fuzz\r\nContent-Disposition: form-data; name="${name}"${file ? '; filename="a.bin"' : ''}\r\n\r\n${value}\r\n`,
              )
              .join('') + (parts.length % 2 === 0 ? '------fuzz--\r\n' : ''),
          ),
        ),
    ),
    weighted(
      60,
      fc.constantFrom(
        Buffer.from('{"token":'),
        Buffer.from('{"a":1}{"b":2}'),
        Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
        Buffer.from('\uFEFF{"email":"x@y.z"}'),
        Buffer.from('a=%ZZ&b=%E0%A4%A'),
        Buffer.from('[]'),
        Buffer.from('"string"'),
        Buffer.from('null'),
      ),
    ),
    // Over the form's 64 KB limit, and (rarely: they are slow to send) over Lambda's 6 MB payload limit.
    weighted(
      6,
      fc.integer({ min: 65_000, max: 300_000 }).map((n) => Buffer.alloc(n, 'a')),
    ),
    weighted(
      1,
      fc.constant(null).map(() => Buffer.from(`{"whyChoseUs":"${'x'.repeat(6_400_000)}"}`)),
    ),
  );
}

function requestArbitrary(routes: { method: string; path: string; routeKey: string; auth: string }[], known: Known) {
  const segment = fc.oneof(
    text.map((s) => encode(s)),
    fc.constantFrom(known.formToken, known.confirmToken, '%ZZ', '%', '..', '.', '%2F', '%00', 'a%2Fb', '~'),
  );
  const query = fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('token', 'lang', 'from', 'to', 'q', 'page', 'next', 'csrf'), text),
        fc.oneof(text, fc.constantFrom(known.confirmToken, known.formToken, '2026-01-01', '%E0%A4%A', 'is', '9'.repeat(400))),
      ),
      { maxLength: 5 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${/^[\x21-\x7e]*%[\x21-\x7e]*$/.test(v) ? v : encode(v)}`).join('&'));
  const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
  return fc
    .record({
      route: fc.constantFrom(...routes),
      otherMethod: sometimes(20, fc.constantFrom(...METHODS)),
      params: fc.array(segment, { minLength: 1, maxLength: 3 }),
      query: sometimes(50, query),
      contentType: sometimes(85, fc.constantFrom(...CONTENT_TYPES)),
      encoding: sometimes(15, fc.constantFrom(...ENCODINGS)),
      apiKey: fc.constantFrom<'right' | 'wrong' | 'none' | 'basic'>('right', 'right', 'wrong', 'none', 'basic'),
      accept: sometimes(50, fc.constantFrom('application/json', 'text/html', '*/*', 'image/*', 'text/html;q=0,application/json;q=x', '')),
      acceptLanguage: sometimes(40, fc.oneof(fc.constantFrom('is', 'he-IL,he;q=0.9', 'en;q=abc', '*', 'zz', ',,,'), headerValue)),
      cookie: sometimes(
        25,
        fc.oneof(fc.constantFrom('kinship_console_session=abc', 'kinship_console_session=', 'kinship_console_signin=x.y.z', 'a=b; c', '=;=;'), headerValue),
      ),
      authorization: sometimes(15, fc.oneof(fc.constantFrom('Bearer abc.def.ghi', 'Bearer ', 'Basic Og==', 'Basic %%%'), headerValue)),
      extra: sometimes(
        25,
        fc.tuple(fc.constantFrom('x-forwarded-for', 'origin', 'referer', 'sec-fetch-site', 'x-requested-with', 'hx-request', 'x-amzn-trace-id'), headerValue),
      ),
      body: bodyArbitrary(known),
      ip: fc.tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })),
    })
    .map((r): FuzzRequest => {
      const method = r.otherMethod ?? r.route.method;
      let params = 0;
      const path = r.route.path.replace(/\{[A-Za-z0-9_]+\+?\}/g, (param) =>
        param.endsWith('+}') ? r.params.join('/') : (r.params[params++ % r.params.length] ?? 'x'),
      );
      const headers: Record<string, string> = { host: 'localhost' };
      if (r.contentType !== null) headers['content-type'] = r.contentType;
      if (r.encoding !== null) headers['content-encoding'] = r.encoding;
      if (r.accept !== null) headers.accept = r.accept;
      if (r.acceptLanguage !== null) headers['accept-language'] = r.acceptLanguage;
      if (r.cookie !== null) headers.cookie = r.cookie;
      if (r.authorization !== null) headers.authorization = r.authorization;
      if (r.extra !== null) headers[r.extra[0]] = r.extra[1];
      if (r.apiKey === 'right') headers['x-api-key'] = known.apiKey;
      if (r.apiKey === 'wrong') headers['x-api-key'] = 'not-the-key';
      if (r.apiKey === 'basic') headers.authorization = `Basic ${Buffer.from(`staff:${known.apiKey}`).toString('base64')}`;
      const body = method === 'GET' || method === 'HEAD' ? (r.body && r.body.length < 1_000 ? r.body : undefined) : r.body;
      return {
        method,
        path: `${path}${r.query ? `?${r.query}` : ''}`,
        routeKey: r.route.routeKey,
        headers,
        body,
        fromIp: `127.${r.ip[0]}.${r.ip[1]}.${r.ip[2]}`,
      };
    });
}

interface Answer {
  status: number;
  body: string;
}

function sendRaw(baseUrl: URL, fuzz: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: baseUrl.hostname, port: baseUrl.port, method: fuzz.method, path: fuzz.path, headers: fuzz.headers, localAddress: fuzz.fromIp, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(fuzz.body);
  });
}

export async function run(scale: ReliabilityScale, options: ReliabilityOptions = {}): Promise<ReliabilityReport> {
  const count = sizeFromEnvironment('RELIABILITY_FUZZ_REQUESTS', SIZES[scale], 1);
  const runtime = await startLocalRuntime({
    inMemory: true,
    ...onDynamoDb(options, 'reliability-fuzz'),
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    seed: false,
    tickSchedules: false,
  });
  try {
    return await fuzz(runtime, count, scale);
  } finally {
    await runtime.stop();
  }
}

async function fuzz(runtime: LocalRuntime, count: number, scale: ReliabilityScale): Promise<ReliabilityReport> {
  const known = await knownValues(runtime);
  const routes = httpRoutes().map(({ route }) => ({ method: route.method, path: route.path, routeKey: `${route.method} ${route.path}`, auth: route.auth }));
  const baseUrl = new URL(runtime.urls.api);
  const tally = new StatusTally();
  const arbitrary = requestArbitrary(routes, known);
  const started = performance.now();
  for (let offset = 0; offset < count; offset += SLICE) {
    const requests = fc.sample(arbitrary, { numRuns: Math.min(SLICE, count - offset), seed: SEED + offset });
    await forEachIndex(requests.length, IN_FLIGHT, async (i) => {
      const fuzzed = requests[i];
      if (fuzzed === undefined) return;
      const label = `${fuzzed.method} ${fuzzed.path.slice(0, 120)} [${fuzzed.headers['content-type'] ?? '-'}; ${fuzzed.headers['content-encoding'] ?? '-'}; ${fuzzed.body?.length ?? 0} bytes]`;
      try {
        const answer = await sendRaw(baseUrl, fuzzed);
        tally.record(fuzzed.routeKey, answer.status, answer.body, label);
      } catch (error) {
        // The server may drop a connection still uploading far past the limit; anything else is a failure to answer.
        if (fuzzed.body !== undefined && fuzzed.body.length > 6 * 1024 * 1024) tally.record(fuzzed.routeKey, 413, '', label);
        else tally.recordTransportError(fuzzed.routeKey, error);
      }
    });
  }
  const seconds = (performance.now() - started) / 1000;
  await runtime.idle();

  const violations: string[] = [];
  for (const failure of tally.serverErrors) violations.push(`${failure.route} answered ${failure.status}: ${failure.example}`);
  if (tally.serverErrorCount > tally.serverErrors.length) violations.push(`… ${tally.serverErrorCount - tally.serverErrors.length} more 5xx answers`);
  for (const leak of tally.leaks) violations.push(`${leak.route} showed a ${leak.kind} (status ${leak.status}): ${leak.example}`);
  if (tally.leakCount > tally.leaks.length) violations.push(`… ${tally.leakCount - tally.leaks.length} more bodies with a stack trace or path`);
  for (const failure of tally.transportErrors) violations.push(`${failure.route}: no answer (${failure.message})`);
  const uncovered = routes.filter((route) => !tally.byRoute[route.routeKey]).map((route) => route.routeKey);
  if (uncovered.length > 0) violations.push(`routes never fuzzed: ${uncovered.join(', ')}`);

  return {
    summary: [
      `${formatCount(tally.total)} fuzzed requests over ${routes.length} routes in ${seconds.toFixed(1)} s (${(tally.total / seconds).toFixed(0)} requests/s, ${IN_FLIGHT} in flight)`,
      `statuses ${JSON.stringify(tally.statuses())}`,
      `${tally.serverErrorCount} 5xx, ${tally.leakCount} bodies with a stack trace, path or error line, ${tally.transportErrorCount} requests without an answer`,
    ],
    result: {
      date: new Date().toISOString(),
      machine: machineInfo(),
      scale,
      seed: SEED,
      requests: tally.total,
      routes: routes.map((route) => route.routeKey),
      seconds: Number(seconds.toFixed(2)),
      requestsPerSecond: Number((tally.total / seconds).toFixed(1)),
      statuses: tally.statuses(),
      statusesByRoute: tally.byRoute,
      serverErrors: tally.serverErrorCount,
      leaks: tally.leakCount,
      unanswered: tally.transportErrorCount,
    },
    violations,
  };
}

/** A real order's form token and an opt-in's confirm token, so some fuzzed requests get past the first check. */
async function knownValues(runtime: LocalRuntime): Promise<Known> {
  const reply = await fetch(new URL('/api/purchases', runtime.urls.api), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey },
    body: JSON.stringify(aPurchase({ orderId: 'FUZZ-1', customerEmail: 'fuzz@example.com', purchasedAt: new Date(Date.now() - 3_600_000).toISOString() })),
  });
  const parsed: unknown = await reply.json();
  const formUrl = typeof parsed === 'object' && parsed !== null && 'formUrl' in parsed && typeof parsed.formUrl === 'string' ? parsed.formUrl : undefined;
  if (formUrl === undefined) throw new Error(`could not record the fuzz order: ${reply.status}`);
  const formToken = new URL(formUrl).pathname.split('/').pop() ?? '';
  await submitJson(runtime, { token: formToken, lang: 'en', email: 'fuzz@example.com', products: ['TENT-2P'], acceptTerms: true, marketingConsent: true });
  const confirmToken = new URL(confirmLinkOf(emailsTo(await inbox(runtime), 'fuzz@example.com')[0])).searchParams.get('token') ?? '';
  return { apiKey: runtime.apiKey, formToken, confirmToken };
}
