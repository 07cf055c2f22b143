/**
 * The local HTTP server's staff auth for browsers: an apiKey GET route (GET /reports) accepts HTTP Basic auth
 * whose password is the API key, and without credentials answers 401 with WWW-Authenticate so the browser
 * prompts. x-api-key keeps working; POSTs still need x-api-key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRoute } from '#local/api-gateway-event.ts';
import { basicAuthPassword, startHttpServer, type LocalHttpServer, type RouteTarget } from '#local/http-server.ts';
import { silentLog } from '#local/local-log.ts';

const KEY = 'staff-key-123';
let server: LocalHttpServer;
const invoked: string[] = [];

beforeAll(async () => {
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    routes: [
      compileRoute<RouteTarget>('GET', '/reports', { functionName: 'show-report', auth: 'apiKey' }),
      compileRoute<RouteTarget>('POST', '/api/purchases', { functionName: 'record-purchase', auth: 'apiKey' }),
    ],
    apiKey: KEY,
    api: { accountId: '000000000000', apiId: 'local', stage: '$default' },
    invoke: async (name) => {
      invoked.push(name);
      return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
    },
    log: silentLog,
  });
});

afterAll(async () => {
  await server.stop();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const url = (path: string) => `http://localhost:${server.port}${path}`;

describe('Basic auth on apiKey GET routes (local server)', () => {
  it('answers a GET without credentials with 401 and a Basic challenge, so a browser prompts', async () => {
    const response = await fetch(url('/reports'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="Kinship staff"');
  });

  it('accepts the API key as the Basic password, whatever the user name', async () => {
    const before = invoked.length;
    const response = await fetch(url('/reports'), { headers: { authorization: basic('anna', KEY) } });
    expect(response.status).toBe(200);
    expect(invoked.slice(before)).toEqual(['show-report']);
  });

  it('refuses a wrong Basic password', async () => {
    const response = await fetch(url('/reports'), { headers: { authorization: basic('anna', 'guess') } });
    expect(response.status).toBe(401);
  });

  it('still accepts x-api-key', async () => {
    expect((await fetch(url('/reports'), { headers: { 'x-api-key': KEY } })).status).toBe(200);
  });

  it('does not accept Basic auth on a POST, and does not challenge there', async () => {
    const response = await fetch(url('/api/purchases'), {
      method: 'POST',
      headers: { authorization: basic('x', KEY), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('reads the password after the first colon (passwords may contain colons)', () => {
    expect(basicAuthPassword(basic('u', 'a:b'))).toBe('a:b');
    expect(basicAuthPassword('Bearer abc')).toBeUndefined();
    expect(basicAuthPassword(undefined)).toBeUndefined();
  });
});
