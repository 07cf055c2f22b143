/**
 * A staff member's browser, reduced to HTTP: a cookie jar, the OAuth code flow through the Cognito emulator's
 * sign-in form, and console GETs and form POSTs (with the page's CSRF token) against a running local runtime.
 */
import type { LocalRuntime } from '#local/runtime.ts';
import { send, type Reply } from '#test/support/capture-client.ts';

export class StaffBrowser {
  readonly cookies = new Map<string, string>();
  constructor(readonly runtime: LocalRuntime) {}

  url(path: string): string {
    return new URL(path, this.runtime.urls.api).toString();
  }

  private remember(reply: Reply): Reply {
    const setCookies = reply.headers['set-cookie'] ?? [];
    for (const line of Array.isArray(setCookies) ? setCookies : [setCookies]) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || attributes.some((a) => a.trim().toLowerCase() === 'max-age=0')) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return reply;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size > 0 ? { cookie: [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ') } : {};
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.remember(await send(this.url(path), { headers: { ...this.cookieHeader(), ...headers } }));
  }

  /** A form post as a browser sends it: urlencoded, our Origin, the CSRF token of the last page unless `csrf` says otherwise. */
  async post(path: string, fields: Record<string, string>, options: { csrf?: string | null; origin?: string } = {}): Promise<Reply> {
    const body = new URLSearchParams(fields);
    if (options.csrf !== null) body.set('_csrf', options.csrf ?? this.csrf ?? '');
    return this.remember(
      await send(this.url(path), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: options.origin ?? new URL(this.runtime.urls.api).origin,
          ...this.cookieHeader(),
        },
        body: body.toString(),
      }),
    );
  }

  /** The CSRF token of the last page fetched with `page()`. */
  csrf: string | undefined;

  /** GET a console page and keep its CSRF token for the next post. */
  async page(path: string): Promise<Reply> {
    const reply = await this.get(path);
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(reply.body)?.[1] ?? this.csrf;
    return reply;
  }

  /** The OAuth code flow: console → sign-in → the emulator's form → callback. Returns the callback's reply. */
  async signIn(username: string, password: string, returnTo = '/console'): Promise<Reply> {
    const start = await this.get(`/console/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    const authorize = start.headers.location;
    if (start.status !== 302 || typeof authorize !== 'string') throw new Error(`sign-in did not redirect: ${start.status}`);
    const params = new URL(authorize).searchParams;
    const form = new URLSearchParams({
      client_id: params.get('client_id') ?? '',
      redirect_uri: params.get('redirect_uri') ?? '',
      response_type: 'code',
      code_challenge: params.get('code_challenge') ?? '',
      code_challenge_method: 'S256',
      scope: params.get('scope') ?? '',
      state: params.get('state') ?? '',
      username,
      password,
    });
    const login = await send(new URL('/oauth2/authorize', authorize).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const callback = login.headers.location;
    if (typeof callback !== 'string') throw new Error(`the emulator did not accept the sign-in (${login.status}): ${login.body.slice(0, 200)}`);
    return this.get(new URL(callback).pathname + new URL(callback).search);
  }
}

/** A demo user's credentials from the runtime (npm start prints the same). */
export function demoUser(runtime: LocalRuntime, group: 'staff' | 'marketer' | 'admin'): { username: string; password: string } {
  const user = runtime.cognito?.demoUsers.find((u) => u.group === group);
  if (!user) throw new Error('the runtime has no staff sign-in');
  return user;
}
