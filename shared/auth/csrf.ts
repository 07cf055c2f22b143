import { createHmac, timingSafeEqual } from 'node:crypto';

/** The form field every console form carries. */
export const CSRF_FIELD = '_csrf';

/** A per-session CSRF token: an HMAC of the session id, so nothing has to be stored and another session's token fails. */
export function csrfToken(signingKey: string, sessionId: string): string {
  return createHmac('sha256', signingKey).update(`console-csrf:${sessionId}`).digest('base64url');
}

export function csrfTokenValid(signingKey: string, sessionId: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const expected = Buffer.from(csrfToken(signingKey, sessionId));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * A second line against cross-site posts: a browser sends Origin on every POST; when it does, it must be ours.
 * (A missing Origin — some privacy tools strip it — still needs the token.)
 */
export function sameOrigin(origin: string | undefined, publicBaseUrl: string): boolean {
  if (origin === undefined || origin === '' ) return true;
  try {
    return new URL(origin).origin === new URL(publicBaseUrl).origin;
  } catch {
    return false;
  }
}
