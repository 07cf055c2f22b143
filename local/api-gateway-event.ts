/**
 * What API Gateway (HTTP API, payload format 2.0) does around a Lambda, as pure functions: match a
 * request to a route, shape the `APIGatewayProxyEventV2` the handler receives, and turn the handler's
 * result back into an HTTP response. The local HTTP server is a thin shell around these.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpMethod } from '#shared/topology.ts';
import { isRecord } from '#shared/is-record.ts';

// ------------------------------------------------------------------------------------- routing

type Segment = { kind: 'static'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface Route<T> {
  method: HttpMethod;
  /** Route template, e.g. `/form/{formToken}` or `/files/{proxy+}`. */
  path: string;
  /** `POST /api/purchases`: what API Gateway puts in `routeKey`. */
  routeKey: string;
  segments: Segment[];
  target: T;
}

export type RouteMatch<T> =
  | { kind: 'match'; route: Route<T>; pathParameters: Record<string, string> | undefined }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

export function compileRoute<T>(method: HttpMethod, path: string, target: T): Route<T> {
  if (!path.startsWith('/')) throw new Error(`Route path "${path}" must start with /`);
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segments = parts.map((part, index): Segment => {
    const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part);
    if (!param?.[1]) {
      if (/[{}]/.test(part)) throw new Error(`Route path "${path}": "${part}" is not a {param} segment`);
      return { kind: 'static', text: part };
    }
    if (param[2] === '+') {
      if (index !== parts.length - 1) throw new Error(`Route path "${path}": a greedy {${param[1]}+} must be the last segment`);
      return { kind: 'greedy', name: param[1] };
    }
    return { kind: 'param', name: param[1] };
  });
  return { method, path, routeKey: `${method} ${path}`, segments, target };
}

/** Parameters if `rawPath` fits the route's template, else undefined. Parameters are percent-decoded. */
function matchSegments(segments: Segment[], rawPath: string): Record<string, string> | undefined {
  const parts = rawPath === '/' ? [] : rawPath.slice(1).split('/');
  const parameters: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const part = parts[i];
    if (segment === undefined || part === undefined) return undefined;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i).join('/');
      if (rest === '') return undefined;
      const decoded = safeDecode(rest);
      if (decoded === undefined) return undefined;
      parameters[segment.name] = decoded;
      return parameters;
    }
    const decoded = safeDecode(part);
    if (decoded === undefined) return undefined;
    if (segment.kind === 'static') {
      if (decoded !== segment.text) return undefined;
    } else {
      if (part === '') return undefined;
      parameters[segment.name] = decoded;
    }
  }
  return parts.length === segments.length ? parameters : undefined;
}

/** How specific a route is, segment by segment: static beats {param} beats {greedy+} (API Gateway's rule). */
function specificity(route: Route<unknown>): number[] {
  return route.segments.map((s) => (s.kind === 'static' ? 0 : s.kind === 'param' ? 1 : 2));
}

function moreSpecific(a: Route<unknown>, b: Route<unknown>): boolean {
  const sa = specificity(a);
  const sb = specificity(b);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] ?? 0;
    const y = sb[i] ?? 0;
    if (x !== y) return x < y;
  }
  return sa.length > sb.length;
}

/** The most specific route for the method and path; 405 when only other methods serve that path. */
export function matchRoute<T>(routes: readonly Route<T>[], method: string, rawPath: string): RouteMatch<T> {
  let best: { route: Route<T>; pathParameters: Record<string, string> } | undefined;
  const allowed = new Set<HttpMethod>();
  for (const route of routes) {
    const parameters = matchSegments(route.segments, rawPath);
    if (!parameters) continue;
    if (route.method !== method) {
      allowed.add(route.method);
      continue;
    }
    if (!best || moreSpecific(route, best.route)) best = { route, pathParameters: parameters };
  }
  if (best) return { kind: 'match', route: best.route, pathParameters: Object.keys(best.pathParameters).length > 0 ? best.pathParameters : undefined };
  if (allowed.size > 0) return { kind: 'method-not-allowed', allowed: [...allowed].sort() };
  return { kind: 'not-found' };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------- request event

export interface IncomingRequest {
  method: string;
  /** The request target as sent: path and query, e.g. `/api/reports?from=2026-01-01`. */
  url: string;
  /** Node's `rawHeaders`: name, value, name, value … in arrival order, original case. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  requestId: string;
  receivedAt: Date;
  /** Port the request arrived on, for x-forwarded-port. */
  port: number;
}

export interface ApiContext {
  accountId: string;
  apiId: string;
  stage: string;
}

/**
 * Content types API Gateway passes to Lambda as text. Everything else — including a missing content type
 * and application/x-www-form-urlencoded — arrives base64-encoded with `isBase64Encoded: true`.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type) return false;
  return type.startsWith('text/') || type === 'application/json' || type === 'application/xml' || type === 'application/javascript';
}

export function splitUrl(url: string): { rawPath: string; rawQueryString: string } {
  const withoutFragment = url.split('#')[0] ?? '';
  const queryAt = withoutFragment.indexOf('?');
  return queryAt < 0
    ? { rawPath: withoutFragment || '/', rawQueryString: '' }
    : { rawPath: withoutFragment.slice(0, queryAt) || '/', rawQueryString: withoutFragment.slice(queryAt + 1) };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `25/Nov/2026:12:00:00 +0000`, as in requestContext.time. */
export function requestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()] ?? ''}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/**
 * The event API Gateway HTTP API sends for payload format 2.0: header names lower-cased and repeated
 * headers joined with commas, cookies moved from the Cookie header into `cookies`, repeated query
 * parameters joined with commas, path parameters from the route template, and the body as text or base64.
 */
export function toApiGatewayEvent(
  request: IncomingRequest,
  match: { routeKey: string; pathParameters?: Record<string, string> | undefined },
  api: ApiContext,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase();
    const value = request.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    const existing = headers[name];
    headers[name] = existing === undefined ? value : `${existing},${value}`;
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-port'] = String(request.port);
  headers['x-forwarded-proto'] = 'http';

  const { rawPath, rawQueryString } = splitUrl(request.url);
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const existing = query[key];
    query[key] = existing === undefined ? value : `${existing},${value}`;
  }

  const hasBody = request.body.length > 0;
  const asText = hasBody && isTextContentType(headers['content-type']);
  const domainName = headers.host ?? `localhost:${request.port}`;

  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0]?.split(':')[0] ?? 'localhost',
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: match.routeKey,
      stage: api.stage,
      time: requestTime(request.receivedAt),
      timeEpoch: request.receivedAt.getTime(),
    },
    ...(hasBody ? { body: asText ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !asText,
  };
}

// ------------------------------------------------------------------------------------ response

export interface HttpReply {
  statusCode: number;
  /** Header pairs in order; `set-cookie` may repeat. */
  headers: [string, string][];
  body: Buffer;
}

function jsonReply(statusCode: number, body: unknown, headers: [string, string][] = []): HttpReply {
  return { statusCode, headers: [['content-type', 'application/json'], ...headers], body: Buffer.from(JSON.stringify(body)) };
}

/** API Gateway's own answer when the integration fails. */
export const integrationError = (): HttpReply => jsonReply(500, { message: 'Internal Server Error' });
export const integrationTimeout = (): HttpReply => jsonReply(503, { message: 'Service Unavailable' });

/**
 * Turns a handler's result into the HTTP response, as API Gateway does for payload format 2.0: an object
 * with `statusCode` is a structured response (headers, cookies → Set-Cookie, body, isBase64Encoded);
 * anything else is JSON-serialized as a 200.
 */
export function fromLambdaResult(result: unknown): HttpReply {
  if (!isRecord(result) || !('statusCode' in result)) {
    if (result === undefined) return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.alloc(0) };
    return {
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(typeof result === 'string' ? result : JSON.stringify(result)),
    };
  }
  const { statusCode, headers, cookies, body, isBase64Encoded } = result;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return integrationError();
  const pairs: [string, string][] = [];
  if (isRecord(headers)) {
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') pairs.push([name.toLowerCase(), String(value)]);
    }
  }
  if (Array.isArray(cookies)) {
    for (const cookie of cookies) if (typeof cookie === 'string') pairs.push(['set-cookie', cookie]);
  }
  const text = typeof body === 'string' ? body : body === undefined || body === null ? '' : JSON.stringify(body);
  return { statusCode, headers: pairs, body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8') };
}

/** The runtime's own JSON errors (auth, routing, size), shaped like the handlers' error responses. */
export function errorReply(statusCode: number, code: string, message: string, headers: [string, string][] = []): HttpReply {
  return jsonReply(statusCode, { error: { code, message } }, [['x-content-type-options', 'nosniff'], ['cache-control', 'no-store'], ...headers]);
}
