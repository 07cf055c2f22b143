import { anyKeyMacMatches, currentKeyMac } from '#shared/tokens/key-ring.ts';

/** The form field every console form carries. */
export const CSRF_FIELD = '_csrf';

/**
 * A per-session CSRF token: an HMAC of the session id under the "console-csrf" key, so nothing has to be stored and
 * another session's token fails. Any key of the ring is accepted, so a rotation does not fail a form already open.
 */
export function csrfToken(signingKey: string, sessionId: string): string {
  return currentKeyMac(signingKey, 'console-csrf', sessionId);
}

export function csrfTokenValid(signingKey: string, sessionId: string, given: string | undefined): boolean {
  return given !== undefined && anyKeyMacMatches(signingKey, 'console-csrf', sessionId, given);
}

/**
 * A second line against cross-site posts: a browser sends Origin on every POST; when it does, it must be ours.
 * (A missing Origin — some privacy tools strip it — still needs the token.)
 */
export function sameOrigin(origin: string | undefined, publicBaseUrl: string): boolean {
  if (origin === undefined || origin === '') return true;
  try {
    return new URL(origin).origin === new URL(publicBaseUrl).origin;
  } catch {
    return false;
  }
}
