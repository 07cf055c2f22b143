import { describe, expect, it } from 'vitest';
import { compileRoute, fromLambdaResult, matchRoute, toApiGatewayEvent, type IncomingRequest } from '#local/api-gateway-event.ts';

const api = { accountId: '000000000000', apiId: 'local', stage: '$default' };

function aRequest(overrides: Partial<IncomingRequest> = {}): IncomingRequest {
  return {
    method: 'GET',
    url: '/',
    rawHeaders: ['Host', 'localhost:3000'],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    requestId: 'req-1',
    receivedAt: new Date('2026-11-25T12:00:00Z'),
    port: 3000,
    ...overrides,
  };
}

const routes = [
  compileRoute('GET', '/form/{formToken}', 'show-form'),
  compileRoute('GET', '/form/preview', 'preview'),
  compileRoute('POST', '/api/purchases', 'record-purchase'),
  compileRoute('GET', '/files/{path+}', 'files'),
];

describe('matchRoute', () => {
  it('prefers a static segment over a {param} and decodes path parameters', () => {
    expect(matchRoute(routes, 'GET', '/form/preview')).toMatchObject({ kind: 'match', route: { target: 'preview' }, pathParameters: undefined });
    expect(matchRoute(routes, 'GET', '/form/a%2Fb%20c')).toMatchObject({
      kind: 'match',
      route: { target: 'show-form' },
      pathParameters: { formToken: 'a/b c' },
    });
  });

  it('gives a greedy {path+} the rest of the path, but never an empty one', () => {
    expect(matchRoute(routes, 'GET', '/files/a/b/c.txt')).toMatchObject({ kind: 'match', pathParameters: { path: 'a/b/c.txt' } });
    expect(matchRoute(routes, 'GET', '/files/')).toEqual({ kind: 'not-found' });
  });

  it('tells a wrong method (with the allowed ones) from an unknown path', () => {
    expect(matchRoute(routes, 'GET', '/api/purchases')).toEqual({ kind: 'method-not-allowed', allowed: ['POST'] });
    expect(matchRoute(routes, 'GET', '/api/purchases/extra')).toEqual({ kind: 'not-found' });
    expect(matchRoute(routes, 'GET', '/form/')).toEqual({ kind: 'not-found' });
  });
});

describe('toApiGatewayEvent (payload format 2.0)', () => {
  it('carries rawPath, rawQueryString, the route key and path parameters', () => {
    const event = toApiGatewayEvent(
      aRequest({ url: '/form/tok%20en?lang=is&x=1' }),
      { routeKey: 'GET /form/{formToken}', pathParameters: { formToken: 'tok en' } },
      api,
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /form/{formToken}',
      rawPath: '/form/tok%20en',
      rawQueryString: 'lang=is&x=1',
      pathParameters: { formToken: 'tok en' },
      queryStringParameters: { lang: 'is', x: '1' },
      requestContext: {
        http: { method: 'GET', path: '/form/tok%20en', sourceIp: '127.0.0.1' },
        routeKey: 'GET /form/{formToken}',
        stage: '$default',
        time: '25/Nov/2026:12:00:00 +0000',
      },
    });
  });

  it('joins repeated query parameters with commas and leaves queryStringParameters out when there are none', () => {
    expect(toApiGatewayEvent(aRequest({ url: '/r?tag=a&tag=b%20c' }), { routeKey: 'GET /r' }, api).queryStringParameters).toEqual({ tag: 'a,b c' });
    const event = toApiGatewayEvent(aRequest({ url: '/r' }), { routeKey: 'GET /r' }, api);
    expect('queryStringParameters' in event || 'pathParameters' in event || 'body' in event).toBe(false);
  });

  it('lower-cases header names, joins repeated headers and moves cookies into `cookies`', () => {
    const event = toApiGatewayEvent(
      aRequest({ rawHeaders: ['Host', 'localhost:3000', 'X-Custom', 'one', 'x-custom', 'two', 'Cookie', 'a=1; b=2', 'Accept-Language', 'is'] }),
      { routeKey: 'GET /' },
      api,
    );
    expect(event.headers).toMatchObject({
      host: 'localhost:3000',
      'x-custom': 'one,two',
      'accept-language': 'is',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['a=1', 'b=2']);
  });

  it('passes a JSON body as text and a form-encoded or binary body as base64', () => {
    const json = toApiGatewayEvent(
      aRequest({ method: 'POST', rawHeaders: ['Content-Type', 'application/json; charset=utf-8'], body: Buffer.from('{"a":"þ"}') }),
      { routeKey: 'POST /x' },
      api,
    );
    expect(json).toMatchObject({ body: '{"a":"þ"}', isBase64Encoded: false });
    const form = toApiGatewayEvent(
      aRequest({ method: 'POST', rawHeaders: ['Content-Type', 'application/x-www-form-urlencoded'], body: Buffer.from('name=%C3%9Eóra') }),
      { routeKey: 'POST /x' },
      api,
    );
    expect(form.isBase64Encoded).toBe(true);
    expect(Buffer.from(form.body ?? '', 'base64').toString('utf8')).toBe('name=%C3%9Eóra');
    const untyped = toApiGatewayEvent(aRequest({ method: 'POST', rawHeaders: [], body: Buffer.from([0, 255]) }), { routeKey: 'POST /x' }, api);
    expect(untyped).toMatchObject({ body: 'AP8=', isBase64Encoded: true });
  });
});

describe('fromLambdaResult', () => {
  it('maps a structured result: status, lower-cased headers, cookies as Set-Cookie, base64 body', () => {
    const reply = fromLambdaResult({
      statusCode: 302,
      headers: { Location: '/thanks' },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(reply.statusCode).toBe(302);
    expect(reply.headers).toEqual([
      ['location', '/thanks'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(reply.body.toString()).toBe('hi');
  });

  it('serializes any other result as a 200 JSON body, and turns an invalid status code into API Gateway’s 500', () => {
    expect(fromLambdaResult({ ok: true })).toMatchObject({ statusCode: 200, headers: [['content-type', 'application/json']] });
    expect(fromLambdaResult({ ok: true }).body.toString()).toBe('{"ok":true}');
    expect(fromLambdaResult({ statusCode: 99 }).statusCode).toBe(500);
  });
});
