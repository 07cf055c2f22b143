/**
 * The local stand-in for API Gateway's HTTP API: a Node server that matches each request to a topology
 * route, applies the route's auth, enforces Lambda's 6 MB payload limit, and invokes the route's real
 * handler with a payload-format-2.0 event. The shaping itself is pure code in api-gateway-event.ts.
 */
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  errorReply,
  fromLambdaResult,
  integrationError,
  integrationTimeout,
  matchRoute,
  splitUrl,
  toApiGatewayEvent,
  type ApiContext,
  type HttpReply,
  type Route,
} from '#local/api-gateway-event.ts';
import { FunctionTimeoutError } from '#local/functions.ts';
import type { LocalLog } from '#local/local-log.ts';

/** Lambda's synchronous invocation payload limit; API Gateway would pass more, Lambda refuses it. */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** Past this we stop draining an oversized upload and drop the connection. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

export interface RouteTarget {
  functionName: string;
  auth: 'public' | 'apiKey';
}

export interface HttpServerOptions {
  host: string;
  port: number;
  routes: Route<RouteTarget>[];
  apiKey: string;
  api: ApiContext;
  invoke: (functionName: string, event: unknown, requestId: string) => Promise<unknown>;
  /** Pages the runtime serves itself (GET /, POST /_local/clock) when no topology route claims the path. */
  localPage?: (method: string, rawPath: string, request: { body: Buffer; authorized: boolean }) => HttpReply | undefined | Promise<HttpReply | undefined>;
  maxBodyBytes?: number;
  log: LocalLog;
}

export interface LocalHttpServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  // Hash first so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * DNS rebinding: a web page on evil.example can point its own name at 127.0.0.1 and script requests to this
 * server. Answering only our own host names (with or without a port) closes that door; browsers send the Host.
 */
const LOCAL_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;
export function isLocalHost(host: string | undefined): boolean {
  return host !== undefined && LOCAL_HOST.test(host);
}

/** The password of an `Authorization: Basic base64(user:password)` header (RFC 7617), or undefined. */
export function basicAuthPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Reads the whole body; beyond `limit` it keeps draining (so the client sees our 413) but keeps nothing. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const declared = Number(req.headers['content-length'] ?? 0);
    let tooLarge = declared > limit;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      if (bytes > DRAIN_LIMIT_BYTES) req.destroy(new Error('request body far over the limit'));
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, bytes }));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: HttpReply, requestId: string): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of reply.headers) {
    const existing = headers[name];
    if (name === 'set-cookie') headers[name] = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), value];
    else headers[name] = value;
  }
  headers['apigw-requestid'] = requestId;
  headers['content-length'] = String(reply.body.length);
  res.writeHead(reply.statusCode, headers);
  res.end(reply.body);
}

export async function startHttpServer(options: HttpServerOptions): Promise<LocalHttpServer> {
  const maxBodyBytes = options.maxBodyBytes ?? LAMBDA_PAYLOAD_LIMIT_BYTES;
  let port = options.port;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestId = randomUUID();
    const method = req.method ?? 'GET';
    const { rawPath } = splitUrl(req.url ?? '/');
    let routeKey = '$default';
    const reply = async (): Promise<HttpReply> => {
      const { body, tooLarge, bytes } = await readBody(req, maxBodyBytes);
      if (!isLocalHost(req.headers.host))
        return errorReply(
          421,
          'misdirected_request',
          'This local server answers only to Host localhost, 127.0.0.1 or [::1]; open it as http://localhost:<port>.',
        );
      const match = matchRoute(options.routes, method, rawPath);
      if (match.kind !== 'match') {
        const page = await options.localPage?.(method, rawPath, { body, authorized: sameSecret(headerValue(req, 'x-api-key'), options.apiKey) });
        if (page) {
          // Local pages name themselves by their first two path segments: what follows may be a token.
          routeKey = `${method} /${rawPath.split('/').slice(1, 3).join('/')}`;
          return page;
        }
        if (match.kind === 'method-not-allowed') {
          return errorReply(405, 'method_not_allowed', `${method} is not allowed on ${rawPath}; use ${match.allowed.join(' or ')}`, [
            ['allow', match.allowed.join(', ')],
          ]);
        }
        return errorReply(404, 'not_found', `No route for ${method} ${rawPath}. See GET / for what this server offers.`);
      }
      const { route } = match;
      routeKey = route.routeKey;
      if (route.target.auth === 'apiKey' && !sameSecret(headerValue(req, 'x-api-key'), options.apiKey)) {
        // A browser opening a staff page (GET /reports) cannot send x-api-key: for GETs, HTTP Basic auth whose
        // password is the key works too, and the 401 asks the browser to prompt for it.
        if (method !== 'GET' || !sameSecret(basicAuthPassword(headerValue(req, 'authorization')), options.apiKey)) {
          return errorReply(
            401,
            'unauthorized',
            `This route needs the API key in the x-api-key header${method === 'GET' ? ' (or, from a browser, as the password of HTTP Basic auth, any user name)' : ''} (locally: KINSHIP_API_KEY, default kinship-local-key; in AWS the call is IAM-signed instead).`,
            method === 'GET' ? [['www-authenticate', 'Basic realm="Kinship staff"']] : [],
          );
        }
      }
      if (tooLarge) {
        return errorReply(
          413,
          'payload_too_large',
          `Request body is ${bytes} bytes; Lambda accepts at most ${maxBodyBytes} bytes. Send less per request (e.g. split a batch).`,
        );
      }
      const event = toApiGatewayEvent(
        {
          method,
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          body,
          sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
          requestId,
          receivedAt: new Date(),
          port,
        },
        { routeKey: route.routeKey, pathParameters: match.pathParameters },
        options.api,
      );
      try {
        return fromLambdaResult(await options.invoke(route.target.functionName, event, requestId));
      } catch (error) {
        if (error instanceof FunctionTimeoutError) {
          options.log.error('function timed out', { functionName: route.target.functionName, requestId });
          return integrationTimeout();
        }
        options.log.error('function failed', {
          functionName: route.target.functionName,
          requestId,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        });
        return integrationError();
      }
    };
    let result: HttpReply;
    try {
      result = await reply();
    } catch (error) {
      options.log.error('request failed', { requestId, error: error instanceof Error ? error.message : String(error) });
      result = integrationError();
    }
    if (!res.destroyed) send(res, result, requestId);
    // The route key, not the raw path: paths can carry tokens.
    options.log.info('http request', { method, routeKey, status: result.statusCode, durationMs: Date.now() - started, requestId });
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${options.port} is in use: stop what is using it or set PORT to another port`) : error),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? (address satisfies AddressInfo).port : options.port;
  return {
    port,
    url: `http://localhost:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
