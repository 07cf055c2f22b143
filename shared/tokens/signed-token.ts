import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compact HMAC-SHA256 tokens for links in emails and pages: `<payload>.<signature>`, both base64url.
 * The payload names its purpose so a token minted for one link (a form) is never accepted by another (unsubscribe).
 */
export interface TokenClaims {
  /** What the token is for, e.g. "form". */
  purpose: string;
  /** Subject, e.g. the order id. */
  sub: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'wrong-purpose' | 'expired' };

export function signToken(claims: TokenClaims, key: string): string {
  const payload = Buffer.from(JSON.stringify([claims.purpose, claims.sub, claims.exp])).toString('base64url');
  return `${payload}.${sign(payload, key)}`;
}

export function verifyToken(token: string, purpose: string, key: string, now = new Date()): TokenCheck {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) return { ok: false, reason: 'malformed' };
  const [tokenPurpose, sub, exp] = decoded;
  if (typeof tokenPurpose !== 'string' || typeof sub !== 'string' || typeof exp !== 'number') return { ok: false, reason: 'malformed' };
  if (tokenPurpose !== purpose) return { ok: false, reason: 'wrong-purpose' };
  if (exp * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { purpose: tokenPurpose, sub, exp } };
}

function sign(payload: string, key: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}
