import { createHash } from 'node:crypto';
import { keyedHash } from '#shared/tokens/key-ring.ts';

/** Lower-cases and trims an address; the same person typing "Anna@Shop.is " and "anna@shop.is" is one customer. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A customer's id is derived from their normalized email, so every channel (API, CSV, form) resolves the same
 * person to the same profile without a lookup or a race. The id is pseudonymous: logs carry it, never the email.
 *
 * It is keyed: HMAC-SHA256 of the normalized address under the "customer-id" key (HKDF of the key ring's identity
 * key, so it survives link-key rotations), `k_` + 24 hex. Unlike the bare hash it replaced (`c_`), nobody without
 * the secret can compute a person's id from their address, so ids in logs and events are no lookup key.
 */
export function customerIdForEmail(email: string, secret: string): string {
  return `k_${keyedHash(secret, 'customer-id', normalizeEmail(email)).toString('hex').slice(0, 24)}`;
}

/**
 * The id every Kinship before keyed ids derived: a bare SHA-256 of the address (`c_`), which anyone can recompute.
 * Only `migrate customer-ids` uses it, to find the old ids it moves.
 */
export function legacyCustomerIdForEmail(email: string): string {
  return `c_${createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 24)}`;
}

/** Customers known only by a shop's own id (CSV history without emails). */
export function customerIdForExternalId(externalId: string): string {
  return `x_${createHash('sha256').update(externalId.trim()).digest('hex').slice(0, 24)}`;
}
