import { CODE_ALPHABET } from '#shared/capture/incentive-codes.ts';
import { keyedHash } from '#shared/tokens/key-ring.ts';

/**
 * The coupon code of one recipient of one occurrence: derived (HMAC under the "campaign-coupon" key, stable across
 * link-key rotations) from the claim key,
 * so a retried send mails the same code, and unguessable without the key. The sender still reserves
 * `CODE#<code>` with a conditional write in the claim transaction, so two recipients can never share one.
 */
export function campaignCouponCode(prefix: string, key: string, ref: string): string {
  const digest = keyedHash(key, 'campaign-coupon', ref);
  let body = '';
  for (let i = 0; i < 10; i++) body += CODE_ALPHABET[(digest[i] ?? 0) % 32] ?? '0';
  return `${prefix}-${body.slice(0, 5)}-${body.slice(5)}`;
}
