import { createHmac } from 'node:crypto';
import { normalizeEmail } from '#shared/purchases/customer-id.ts';
import { keyedHash, keyRingFrom } from '#shared/tokens/key-ring.ts';

/** What identifies one person in the table: their customer id, every address and every name seen on their items. */
export interface PersonTerms {
  customerId: string;
  /** Normalized (trimmed, lower-case). */
  addresses: string[];
  /** Lower-cased, trimmed; names shorter than MIN_NAME_LENGTH are ignored (they would match too much). */
  names: string[];
}

export const MIN_NAME_LENGTH = 3;

/**
 * HMAC-SHA256 of the normalized address under the "erasure" key (HKDF of the ring's identity key), hex: the erasure
 * record's key. Without the secret it cannot be reversed by guessing addresses.
 */
export function erasureHash(signingKey: string, address: string): string {
  return keyedHash(signingKey, 'erasure', normalizeEmail(address)).toString('hex');
}

/**
 * Every key an erasure record of this address may be under, newest first: records written before per-purpose keys
 * were keyed with the legacy master key itself, and must still stop an erased person coming back.
 */
export function erasureHashes(signingKey: string, address: string): string[] {
  const ring = keyRingFrom(signingKey);
  const legacy = ring.legacy === undefined ? undefined : ring.keys.get(ring.legacy);
  const current = erasureHash(signingKey, address);
  return legacy === undefined
    ? [current]
    : [
        current,
        createHmac('sha256', legacy)
          .update(`erased:${normalizeEmail(address)}`)
          .digest('hex'),
      ];
}

export function addTerms(terms: PersonTerms, found: { addresses?: unknown[]; names?: unknown[] }): void {
  for (const value of found.addresses ?? []) {
    if (typeof value !== 'string' || !value.includes('@')) continue;
    const address = normalizeEmail(value);
    if (!terms.addresses.includes(address)) terms.addresses.push(address);
  }
  for (const value of found.names ?? []) {
    if (typeof value !== 'string') continue;
    const name = value.trim().toLowerCase();
    if (name.length >= MIN_NAME_LENGTH && !terms.names.includes(name)) terms.names.push(name);
  }
}

/** What a value mentions of the person: the id, an address, a name — searched in every string, nested ones too. */
export interface Mentions {
  customerId: boolean;
  address: boolean;
  name: boolean;
}

export function mentionsIn(value: unknown, terms: PersonTerms): Mentions {
  const found: Mentions = { customerId: false, address: false, name: false };
  walkStrings(value, (text) => {
    const lower = text.toLowerCase();
    if (text.includes(terms.customerId)) found.customerId = true;
    if (terms.addresses.some((a) => lower.includes(a))) found.address = true;
    if (terms.names.some((n) => lower.includes(n))) found.name = true;
  });
  return found;
}

function walkStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const entry of value) walkStrings(entry, visit);
  else if (value instanceof Set) for (const entry of value) walkStrings(entry, visit);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, entry] of Object.entries(value)) {
      // Attribute names can hold data too (e.g. `cat#<category>`): check them like values.
      visit(key);
      walkStrings(entry, visit);
    }
  }
}

/** Placeholder for a scrubbed string. */
export const ERASED_TEXT = '[erased]';

/**
 * A copy of a value with the person removed: the customer id becomes `anonymousId` (so counts and joins keep
 * working), and any string naming an address or a name becomes "[erased]". Attribute names are kept.
 */
export function scrubValue(value: unknown, terms: PersonTerms, anonymousId: string): unknown {
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (terms.addresses.some((a) => lower.includes(a)) || terms.names.some((n) => lower.includes(n))) return ERASED_TEXT;
    return value.includes(terms.customerId) ? value.replaceAll(terms.customerId, anonymousId) : value;
  }
  if (Array.isArray(value)) return value.map((entry) => scrubValue(entry, terms, anonymousId));
  if (value instanceof Set) return new Set([...value].map((entry) => scrubValue(entry, terms, anonymousId)));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, scrubValue(entry, terms, anonymousId)]));
  }
  return value;
}
