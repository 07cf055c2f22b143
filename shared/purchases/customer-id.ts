import { createHash } from 'node:crypto';

/** Lower-cases and trims an address; the same person typing "Anna@Shop.is " and "anna@shop.is" is one customer. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A customer's id is derived from their normalized email, so every channel (API, CSV, form) resolves the same
 * person to the same profile without a lookup or a race. The id is pseudonymous: logs carry it, never the email.
 */
export function customerIdForEmail(email: string): string {
  return `c_${createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 24)}`;
}

/** Customers known only by a shop's own id (CSV history without emails). */
export function customerIdForExternalId(externalId: string): string {
  return `x_${createHash('sha256').update(externalId.trim()).digest('hex').slice(0, 24)}`;
}
