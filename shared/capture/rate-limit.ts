import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimitedError } from '#shared/errors.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { keyedHash } from '#shared/tokens/key-ring.ts';

/**
 * A client IP as stored: HMAC-SHA256 under its own key (HKDF "client-ip" of the identity key, stable across link-key
 * rotations), so it can be counted and compared but never read back.
 */
export function hashClientIp(ip: string, signingKey: string): string {
  return keyedHash(signingKey, 'client-ip', ip).toString('base64url').slice(0, 22);
}

/** A recipient address as a rate-limit subject: HMAC like the IP, so the counter item names no address. */
export function hashRecipient(email: string, signingKey: string): string {
  return keyedHash(signingKey, 'rate-limit-recipient', email).toString('base64url').slice(0, 22);
}

export interface RateLimit {
  scope: string;
  subject: string;
  limit: number;
  windowSeconds: number;
  now: Date;
}

/**
 * Fixed-window counter in the table: one item per subject and window, incremented atomically (ADD) and deleted by
 * TTL after the window. Throws RateLimitedError (429, Retry-After = rest of the window) past the limit.
 */
export async function enforceRateLimit(table: Table, limit: RateLimit): Promise<void> {
  const nowSeconds = Math.floor(limit.now.getTime() / 1000);
  const windowStart = nowSeconds - (nowSeconds % limit.windowSeconds);
  const windowEnd = windowStart + limit.windowSeconds;
  const result = await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.rateLimit(limit.scope, limit.subject, windowStart),
      UpdateExpression: 'ADD hits :one SET entityType = :type, expiresAt = :expires',
      ExpressionAttributeValues: { ':one': 1, ':type': 'RATE_LIMIT', ':expires': windowEnd + 60 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const hits = result.Attributes?.hits;
  if (typeof hits === 'number' && hits > limit.limit) {
    throw new RateLimitedError(`Too many requests; try again in ${windowEnd - nowSeconds} seconds`, Math.max(1, windowEnd - nowSeconds));
  }
}
