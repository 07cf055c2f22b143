import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { keyRingDocumentOf, keyRingFrom, KeyRingError, type KeyRing, type KeyRingDocument } from '#shared/tokens/key-ring.ts';

/**
 * Rotation steps on a key ring (README, Operations: "Rotating the signing key"). Each returns the new secret;
 * none ever prints a key. In AWS run `add`, wait until every warm Lambda has re-read the secret (SECRET_REFRESH_MS in
 * shared/secrets.ts), then `use`, so no instance meets a key id it does not know yet.
 */
export type RotationStep = { step: 'add' } | { step: 'use'; keyId: string } | { step: 'rotate' } | { step: 'retire'; keyId: string };

export interface RotationResult {
  secret: string;
  ring: KeyRing;
  /** What changed, for the operator (ids only). */
  summary: string;
}

export function applyRotation(secret: string, step: RotationStep, newKey: () => string = generateKey): RotationResult {
  const ring = keyRingFrom(secret);
  const document = keyRingDocumentOf(ring);
  switch (step.step) {
    case 'add': {
      const keyId = nextKeyId(ring);
      return done(
        { ...document, keys: { ...document.keys, [keyId]: newKey() } },
        `added ${keyId}; ${ring.current} still signs (run "use ${keyId}" once every instance has the new secret)`,
      );
    }
    case 'rotate': {
      const keyId = nextKeyId(ring);
      return done(
        { ...document, current: keyId, keys: { ...document.keys, [keyId]: newKey() } },
        `added ${keyId} and made it current; links signed with ${ring.current} keep working until they expire or it is retired`,
      );
    }
    case 'use': {
      if (!ring.keys.has(step.keyId)) throw new KeyRingError(`there is no key "${step.keyId}" (keys: ${[...ring.keys.keys()].join(', ')})`);
      return done({ ...document, current: step.keyId }, `${step.keyId} now signs new links`);
    }
    case 'retire': {
      if (step.keyId === ring.current) throw new KeyRingError(`"${step.keyId}" is the current key: make another current first ("use")`);
      if (step.keyId === ring.identity) {
        throw new KeyRingError(`"${step.keyId}" is the identity key: customer ids and erasure records are keyed with it, so it stays`);
      }
      if (!ring.keys.has(step.keyId)) throw new KeyRingError(`there is no key "${step.keyId}"`);
      const keys = Object.fromEntries(Object.entries(document.keys).filter(([keyId]) => keyId !== step.keyId));
      const legacy = ring.legacy === step.keyId ? null : document.legacy;
      return done({ ...document, keys, legacy }, `retired ${step.keyId}: links it signed no longer open`);
    }
  }
}

function done(document: KeyRingDocument, summary: string): RotationResult {
  const secret = JSON.stringify(document);
  return { secret, ring: keyRingFrom(secret), summary };
}

function nextKeyId(ring: KeyRing): string {
  const numbers = [...ring.keys.keys()]
    .map((keyId) => /^k(\d+)$/.exec(keyId)?.[1])
    .map(Number)
    .filter(Number.isFinite);
  return `k${Math.max(0, ...numbers) + 1}`;
}

/** 32 random bytes, base64url: what `npm start` generates for a first key. */
export function generateKey(): string {
  return randomBytes(32).toString('base64url');
}

/** What `kinship keys list` shows: ids and roles, never key material. */
export function describeRing(ring: KeyRing): string {
  return [...ring.keys.keys()]
    .map((keyId) => {
      const roles = [keyId === ring.current ? 'current' : '', keyId === ring.identity ? 'identity' : '', keyId === ring.legacy ? 'legacy links' : ''].filter(
        Boolean,
      );
      return `${keyId}${roles.length > 0 ? ` (${roles.join(', ')})` : ''}`;
    })
    .join('\n');
}

/**
 * The local state file (.kinship/secrets.json): `{ "signingKey": <a plain key or a ring>, ... }`. A ring is stored
 * as a JSON object, not a string inside a string.
 */
export function readLocalSigningSecret(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const value = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'signingKey') : undefined;
  if (typeof value === 'string') return value.length >= 32 ? value : undefined;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : undefined;
}

export function writeLocalSigningSecret(file: string, secret: string): void {
  let previous: unknown;
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    previous = {};
  }
  const rest = typeof previous === 'object' && previous !== null ? previous : {};
  const signingKey: unknown = secret.trimStart().startsWith('{') ? JSON.parse(secret) : secret;
  writeFileSync(file, `${JSON.stringify({ ...rest, signingKey, updatedAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
}
