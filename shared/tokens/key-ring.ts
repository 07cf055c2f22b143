import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * The signing secret, one or more master keys with ids:
 *
 *   a plain string                              one key, id `k1` (what every deployment held before key ids)
 *   {"current":"k2","keys":{"k1":"…","k2":"…"}} a ring: links are signed with `current`, verified by the id they carry
 *
 * Nothing uses a master key directly: each use gets its own key, HKDF-SHA256(master, info "kinship/<purpose>/v1"),
 * so a form link's signature is worthless as an unsubscribe link's, and a leaked IP hash says nothing about a link.
 *
 * Two ids are special. `legacy` (default `k1`, when present) verifies links minted before links carried a key id —
 * they were signed with the master key itself. `identity` (default `k1`) keys the hashes that must stay the same
 * across rotations — customer ids, erasure records, client-IP hashes, campaign coupon codes — so it is never removed;
 * rotating it means migrating the ids (README, Operations).
 */
export interface KeyRing {
  /** The id new links are signed with. */
  readonly current: string;
  readonly keys: ReadonlyMap<string, string>;
  /** The key that verifies links without a key id, if any. */
  readonly legacy: string | undefined;
  /** The key stable hashes are derived from. */
  readonly identity: string;
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;
/** A generated key is 32 random bytes (43 base64url characters); a ring refuses anything much shorter. */
export const MIN_RING_KEY_LENGTH = 32;
const LEGACY_KEY_ID = 'k1';

const keyRingDocument = z.object({
  current: z.string().regex(KEY_ID_PATTERN),
  keys: z.record(z.string().regex(KEY_ID_PATTERN), z.string().min(MIN_RING_KEY_LENGTH)),
  legacy: z.string().regex(KEY_ID_PATTERN).nullable().optional(),
  identity: z.string().regex(KEY_ID_PATTERN).optional(),
});

export type KeyRingDocument = z.infer<typeof keyRingDocument>;

export class KeyRingError extends Error {
  constructor(message: string) {
    super(`The signing-key secret is not usable: ${message}`);
    this.name = 'KeyRingError';
  }
}

const parsed = new Map<string, KeyRing>();

/** Parses the secret (memoized: it is read on every link). Throws KeyRingError naming what is wrong, never the keys. */
export function keyRingFrom(secret: string): KeyRing {
  const known = parsed.get(secret);
  if (known) return known;
  const ring = parseKeyRing(secret);
  if (parsed.size >= 16) parsed.clear();
  parsed.set(secret, ring);
  return ring;
}

function parseKeyRing(secret: string): KeyRing {
  if (secret.length === 0) throw new KeyRingError('it is empty');
  if (!secret.trimStart().startsWith('{')) {
    return { current: LEGACY_KEY_ID, keys: new Map([[LEGACY_KEY_ID, secret]]), legacy: LEGACY_KEY_ID, identity: LEGACY_KEY_ID };
  }
  let json: unknown;
  try {
    json = JSON.parse(secret);
  } catch {
    throw new KeyRingError('it starts with "{" but is not JSON');
  }
  const result = keyRingDocument.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new KeyRingError(
      `${issue?.path.join('.') || 'the ring'}: ${issue?.message ?? 'invalid'} (expected {"current":"k2","keys":{"k1":"…","k2":"…"}}, keys of ${MIN_RING_KEY_LENGTH}+ characters)`,
    );
  }
  const document = result.data;
  const keys = new Map(Object.entries(document.keys));
  if (!keys.has(document.current)) throw new KeyRingError(`current key "${document.current}" is not in keys`);
  const identity = document.identity ?? LEGACY_KEY_ID;
  if (!keys.has(identity)) {
    throw new KeyRingError(
      `identity key "${identity}" is not in keys: customer ids and erasure records are keyed with it, so it must stay (or name another with "identity")`,
    );
  }
  const legacy = document.legacy === null ? undefined : (document.legacy ?? (keys.has(LEGACY_KEY_ID) ? LEGACY_KEY_ID : undefined));
  if (legacy !== undefined && !keys.has(legacy)) throw new KeyRingError(`legacy key "${legacy}" is not in keys`);
  return { current: document.current, keys, legacy, identity };
}

/** The ring as stored in the secret (the inverse of keyRingFrom for rings). */
export function keyRingDocumentOf(ring: KeyRing): KeyRingDocument {
  return {
    current: ring.current,
    keys: Object.fromEntries(ring.keys),
    ...(ring.legacy === undefined ? { legacy: null } : { legacy: ring.legacy }),
    identity: ring.identity,
  };
}

const derived = new Map<string, Buffer>();

/** HKDF-SHA256 of the master key `keyId` for one purpose, 32 bytes; undefined when the ring has no such key. */
export function purposeKey(ring: KeyRing, keyId: string, purpose: string): Buffer | undefined {
  const master = ring.keys.get(keyId);
  if (master === undefined) return undefined;
  const cacheKey = JSON.stringify([master, purpose]);
  const known = derived.get(cacheKey);
  if (known) return known;
  const key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `kinship/${purpose}/v1`, 32));
  if (derived.size >= 256) derived.clear();
  derived.set(cacheKey, key);
  return key;
}

function identityKey(ring: KeyRing, purpose: string): Buffer {
  const key = purposeKey(ring, ring.identity, purpose);
  // keyRingFrom guarantees the identity key is in the ring.
  if (key === undefined) throw new KeyRingError(`identity key "${ring.identity}" is not in keys`);
  return key;
}

/**
 * HMAC-SHA256 under the identity key's `purpose` key: for values that must not change when links' keys rotate
 * (customer ids, erasure records, IP hashes). Without the secret nobody can recompute them from an address or an IP.
 */
export function keyedHash(secret: string, purpose: string, data: string): Buffer {
  return createHmac('sha256', identityKey(keyRingFrom(secret), purpose))
    .update(data)
    .digest();
}

/** A MAC under the current key (for short-lived values like CSRF tokens), with the key id it was made with. */
export function currentKeyMac(secret: string, purpose: string, data: string): string {
  const ring = keyRingFrom(secret);
  const key = purposeKey(ring, ring.current, purpose);
  if (key === undefined) throw new KeyRingError(`current key "${ring.current}" is not in keys`);
  return createHmac('sha256', key).update(data).digest('base64url');
}

/** Whether `given` is the MAC of `data` under any key of the ring (so a rotation does not fail a form already open). */
export function anyKeyMacMatches(secret: string, purpose: string, data: string, given: string): boolean {
  const ring = keyRingFrom(secret);
  const actual = Buffer.from(given);
  let matched = false;
  for (const keyId of ring.keys.keys()) {
    const key = purposeKey(ring, keyId, purpose);
    if (key === undefined) continue;
    const expected = Buffer.from(createHmac('sha256', key).update(data).digest('base64url'));
    if (expected.length === actual.length && timingSafeEqual(expected, actual)) matched = true;
  }
  return matched;
}
