import * as z from 'zod';
import { clearCookie, setCookie } from '#shared/auth/cookies.ts';
import type { OidcSettings } from '#shared/auth/oidc-settings.ts';
import { pkcePair, randomId } from '#shared/auth/pkce.ts';
import type { StaffIdentity, TokenVerifier } from '#shared/auth/token-verifier.ts';
import { signToken, verifyToken } from '#shared/tokens/signed-token.ts';

/** `<sessionId>.<ID token>`: the id keys the CSRF token, the token says who and which groups (checked on every request). */
export const SESSION_COOKIE = 'kinship_console_session';
export const REFRESH_COOKIE = 'kinship_console_refresh';
/** The sign-in in progress: OAuth state, PKCE verifier and where to go back to, HMAC-signed, 10 minutes. */
export const SIGN_IN_COOKIE = 'kinship_console_signin';

const SIGN_IN_PURPOSE = 'console-sign-in';
const SIGN_IN_TTL_SECONDS = 600;
/** A working day; the ID token itself lives an hour and is refreshed silently within this. */
const SESSION_MAX_AGE_SECONDS = 12 * 3600;

export interface SessionDeps {
  oidc: OidcSettings;
  verifier: TokenVerifier;
  signingKey: string;
  /** The console's own origin (the callback URL is registered with the app client under it). */
  publicBaseUrl: string;
  secureCookies: boolean;
  now: () => Date;
}

export interface StaffSession {
  sessionId: string;
  identity: StaffIdentity;
}

export type SessionCheck = { kind: 'signed-in'; session: StaffSession; setCookies: string[] } | { kind: 'signed-out'; setCookies: string[] };

export class SignInError extends Error {}

const TokenReply = z.object({ id_token: z.string(), refresh_token: z.string().optional() });

export function callbackUrl(deps: Pick<SessionDeps, 'publicBaseUrl'>): string {
  return `${deps.publicBaseUrl.replace(/\/$/, '')}/console/callback`;
}

/** The session in the cookies: a valid ID token, or one refreshed with the refresh token when it has expired. */
export async function currentSession(deps: SessionDeps, cookies: ReadonlyMap<string, string>): Promise<SessionCheck> {
  const raw = cookies.get(SESSION_COOKIE);
  const dot = raw?.indexOf('.') ?? -1;
  const sessionId = raw && dot > 0 ? raw.slice(0, dot) : undefined;
  const idToken = raw && dot > 0 ? raw.slice(dot + 1) : undefined;
  if (sessionId && idToken) {
    const identity = await deps.verifier.verify(idToken).catch(() => undefined);
    if (identity) return { kind: 'signed-in', session: { sessionId, identity }, setCookies: [] };
  }
  const refreshToken = cookies.get(REFRESH_COOKIE);
  if (sessionId && refreshToken) {
    const refreshed = await exchange(deps, { grant_type: 'refresh_token', client_id: deps.oidc.clientId, refresh_token: refreshToken }).catch(() => undefined);
    const identity = refreshed ? await deps.verifier.verify(refreshed.id_token).catch(() => undefined) : undefined;
    if (refreshed && identity) return { kind: 'signed-in', session: { sessionId, identity }, setCookies: [sessionCookie(deps, sessionId, refreshed.id_token)] };
  }
  return { kind: 'signed-out', setCookies: raw || refreshToken ? clearSessionCookies(deps) : [] };
}

/** Starts the OAuth code flow with PKCE (S256): where to send the browser, and the signed cookie that remembers it. */
export function beginSignIn(deps: SessionDeps, returnTo: string): { location: string; setCookie: string } {
  const { verifier, challenge } = pkcePair();
  const state = randomId();
  const cookie = signToken(
    {
      purpose: SIGN_IN_PURPOSE,
      sub: JSON.stringify([state, verifier, safeReturnTo(returnTo)]),
      exp: Math.floor(deps.now().getTime() / 1000) + SIGN_IN_TTL_SECONDS,
    },
    deps.signingKey,
  );
  const url = new URL(`${deps.oidc.hostedUiUrl}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: deps.oidc.clientId,
    redirect_uri: callbackUrl(deps),
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return { location: url.toString(), setCookie: setCookie(SIGN_IN_COOKIE, cookie, { secure: deps.secureCookies, maxAge: SIGN_IN_TTL_SECONDS }) };
}

/** The callback: checks the state against the signed cookie, exchanges the code with the verifier, verifies the token. */
export async function completeSignIn(
  deps: SessionDeps,
  query: { code?: string | undefined; state?: string | undefined },
  cookies: ReadonlyMap<string, string>,
): Promise<{ returnTo: string; setCookies: string[]; identity: StaffIdentity }> {
  const pending = cookies.get(SIGN_IN_COOKIE);
  const check = pending ? verifyToken(pending, SIGN_IN_PURPOSE, deps.signingKey, deps.now()) : undefined;
  if (!check?.ok) throw new SignInError('the sign-in expired or was started elsewhere');
  const parsed = z.tuple([z.string(), z.string(), z.string()]).safeParse(JSON.parse(check.claims.sub));
  if (!parsed.success) throw new SignInError('the sign-in cookie is malformed');
  const [state, verifier, returnTo] = parsed.data;
  if (!query.code || query.state !== state) throw new SignInError('the sign-in answer does not match the sign-in that was started');
  const tokens = await exchange(deps, {
    grant_type: 'authorization_code',
    client_id: deps.oidc.clientId,
    code: query.code,
    redirect_uri: callbackUrl(deps),
    code_verifier: verifier,
  });
  const identity = await deps.verifier.verify(tokens.id_token).catch(() => {
    throw new SignInError('the identity provider returned a token that does not verify');
  });
  const sessionId = randomId();
  return {
    returnTo,
    identity,
    setCookies: [
      sessionCookie(deps, sessionId, tokens.id_token),
      ...(tokens.refresh_token ? [setCookie(REFRESH_COOKIE, tokens.refresh_token, { secure: deps.secureCookies, maxAge: SESSION_MAX_AGE_SECONDS })] : []),
      clearCookie(SIGN_IN_COOKIE, deps.secureCookies),
    ],
  };
}

export function clearSessionCookies(deps: Pick<SessionDeps, 'secureCookies'>): string[] {
  return [clearCookie(SESSION_COOKIE, deps.secureCookies), clearCookie(REFRESH_COOKIE, deps.secureCookies)];
}

function sessionCookie(deps: SessionDeps, sessionId: string, idToken: string): string {
  return setCookie(SESSION_COOKIE, `${sessionId}.${idToken}`, { secure: deps.secureCookies, maxAge: SESSION_MAX_AGE_SECONDS });
}

/** Only a path inside the console: an open redirect through the sign-in would be a phishing aid. */
export function safeReturnTo(path: string): string {
  return /^\/console(\/[A-Za-z0-9\-._~%/?=&+]*)?$/.test(path) && !path.includes('//') ? path : '/console';
}

async function exchange(deps: SessionDeps, form: Record<string, string>): Promise<z.output<typeof TokenReply>> {
  const response = await fetch(`${deps.oidc.hostedUiUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new SignInError(`the token endpoint answered ${response.status}`);
  const reply = TokenReply.safeParse(await response.json());
  if (!reply.success) throw new SignInError('the token endpoint answered without an ID token');
  return reply.data;
}
