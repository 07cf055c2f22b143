import { createHmac, timingSafeEqual } from 'node:crypto';
import { KEY_ID_PATTERN, keyRingFrom, purposeKey } from '#shared/tokens/key-ring.ts';

/**
 * Compact HMAC-SHA256 tokens for links in emails and pages: `<keyId>.<payload>.<signature>`, payload and signature
 * base64url. The signature covers the key id and the payload, under a key derived for the token's purpose
 * (HKDF "kinship/link/<purpose>/v1", shared/tokens/key-ring.ts), so a token minted for one link (a form) fails
 * another's check (unsubscribe) even with its payload edited. The key id picks the ring's key, so after a rotation
 * links signed with the previous key keep working until they expire, and stop once that key leaves the ring.
 *
 * Links minted before key ids (`<payload>.<signature>`, HMAC under the master key itself) verify against the
 * ring's legacy key until they expire.
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

/** Signs with the ring's current key. `secret` is the signing secret (shared/secrets.ts): a key ring or one key. */
export function signToken(claims: TokenClaims, secret: string): string {
  const ring = keyRingFrom(secret);
  const key = purposeKey(ring, ring.current, linkPurpose(claims.purpose));
  if (key === undefined) throw new Error(`the key ring has no current key "${ring.current}"`);
  const payload = Buffer.from(JSON.stringify([claims.purpose, claims.sub, claims.exp])).toString('base64url');
  const signed = `${ring.current}.${payload}`;
  return `${signed}.${mac(key, signed)}`;
}

export function verifyToken(token: string, purpose: string, secret: string, now = new Date()): TokenCheck {
  const parts = token.split('.');
  if (parts.length === 2) return verifyLegacyToken(parts, purpose, secret, now);
  const [keyId, payload, signature] = parts;
  if (parts.length !== 3 || !keyId || !payload || !signature || !KEY_ID_PATTERN.test(keyId)) return { ok: false, reason: 'malformed' };
  const key = purposeKey(keyRingFrom(secret), keyId, linkPurpose(purpose));
  // A key id the ring no longer holds (retired after a rotation) is the same as a wrong key.
  if (key === undefined || !sameText(mac(key, `${keyId}.${payload}`), signature)) return { ok: false, reason: 'bad-signature' };
  return checkClaims(payload, purpose, now);
}

function verifyLegacyToken([payload, signature]: string[], purpose: string, secret: string, now: Date): TokenCheck {
  if (!payload || !signature) return { ok: false, reason: 'malformed' };
  const ring = keyRingFrom(secret);
  const legacyKey = ring.legacy === undefined ? undefined : ring.keys.get(ring.legacy);
  if (legacyKey === undefined || !sameText(mac(legacyKey, payload), signature)) return { ok: false, reason: 'bad-signature' };
  // These were all signed with one key, so only the purpose inside the payload tells a form link from an unsubscribe link.
  return checkClaims(payload, purpose, now);
}

function checkClaims(payload: string, purpose: string, now: Date): TokenCheck {
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

/** The subject of a token, unverified: only for a token whose signature was already checked (an expired link's page). */
export function unverifiedSubject(token: string): string | undefined {
  const parts = token.split('.');
  const payload = parts.length === 2 ? parts[0] : parts[1];
  try {
    const decoded: unknown = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    const sub: unknown = Array.isArray(decoded) ? decoded[1] : undefined;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

function linkPurpose(purpose: string): string {
  return `link/${purpose}`;
}

function mac(key: Buffer | string, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
