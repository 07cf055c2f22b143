import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The request's cookies by name (API Gateway v2 moves them into `event.cookies`). The first of a repeated name wins. */
export function readCookies(event: Pick<APIGatewayProxyEventV2, 'cookies'>): Map<string, string> {
  const out = new Map<string, string>();
  for (const cookie of event.cookies ?? []) {
    const at = cookie.indexOf('=');
    if (at <= 0) continue;
    const name = cookie.slice(0, at).trim();
    if (!out.has(name)) out.set(name, cookie.slice(at + 1).trim());
  }
  return out;
}

export interface CookieOptions {
  /** Seconds; 0 deletes the cookie. Omitted: a session cookie. */
  maxAge?: number;
  /** Secure everywhere but plain-http localhost, where a browser would drop it. */
  secure: boolean;
}

/** A Set-Cookie value: HttpOnly and SameSite=Lax always (Lax so the sign-in's redirect back carries the state cookie). */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${value}`,
    'Path=/console',
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
    ...(options.maxAge !== undefined ? [`Max-Age=${options.maxAge}`] : []),
  ].join('; ');
}

export function clearCookie(name: string, secure: boolean): string {
  return setCookie(name, '', { secure, maxAge: 0 });
}

/** Cookies may only drop `Secure` on plain-http loopback (npm start); every deployed URL is https. */
export function secureCookiesFor(publicBaseUrl: string): boolean {
  const url = new URL(publicBaseUrl);
  return !(url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
}
