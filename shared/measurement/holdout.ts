import { createHash } from 'node:crypto';

/** Buckets of the holdout hash: one per 0.01 percentage point. */
export const HOLDOUT_BUCKETS = 10_000;

/**
 * The customer's stable bucket (0..9,999) within one campaign: the first 4 bytes of SHA-256 over
 * `campaignId \0 customerId`. No secret is needed (nothing is gained by predicting it), the same pair always lands
 * in the same bucket, and different campaigns hold out different customers.
 */
export function holdoutBucket(campaignId: string, customerId: string): number {
  const digest = createHash('sha256').update(`${campaignId}\0${customerId}`).digest();
  // 2^32 is not a multiple of 10,000, but the bias (< 10,000 / 2^32 per bucket) is far below anything measurable.
  return digest.readUInt32BE(0) % HOLDOUT_BUCKETS;
}

/** Whether the customer is in the campaign's holdout group: never emailed, compared with those who were. */
export function isHeldOut(campaignId: string, customerId: string, holdoutPercent: number): boolean {
  if (holdoutPercent <= 0) return false;
  return holdoutBucket(campaignId, customerId) < Math.round(holdoutPercent * 100);
}
