import { describe, expect, it } from 'vitest';
import { holdoutBucket, isHeldOut } from '#shared/measurement/holdout.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const customers = Array.from({ length: 10_000 }, (_, i) => customerIdForEmail(`customer-${i}@example.com`, TEST_SIGNING_KEY));

describe('holdout membership', () => {
  it('is stable: the same campaign and customer always give the same bucket', () => {
    const id = customerIdForEmail('anna@example.com', TEST_SIGNING_KEY);
    expect(holdoutBucket('monthly-newsletter', id)).toBe(holdoutBucket('monthly-newsletter', id));
    // Pinned (SHA-256 of "monthly-newsletter\0c_…1", first 4 bytes mod 10,000): a change of the hash would silently
    // move customers between the groups of a running campaign.
    expect(holdoutBucket('monthly-newsletter', 'c_000000000000000000000001')).toBe(4510);
    expect(holdoutBucket('win-back', 'c_000000000000000000000001')).toBe(3483);
    expect(customers.map((c) => isHeldOut('win-back', c, 10))).toEqual(customers.map((c) => isHeldOut('win-back', c, 10)));
  });

  it('holds out within 1 percentage point of 10% of 10,000 customers', () => {
    const held = customers.filter((c) => isHeldOut('monthly-newsletter', c, 10)).length;
    expect(held / customers.length).toBeGreaterThanOrEqual(0.09);
    expect(held / customers.length).toBeLessThanOrEqual(0.11);
  });

  it('picks different customers for different campaigns', () => {
    const a = new Set(customers.filter((c) => isHeldOut('monthly-newsletter', c, 10)));
    const b = customers.filter((c) => isHeldOut('win-back', c, 10));
    const overlap = b.filter((c) => a.has(c)).length;
    // Independent draws overlap in about 10% of 10% = 1% of customers, not in all of them.
    expect(overlap / customers.length).toBeLessThan(0.02);
  });

  it('holds out nobody at 0% and keeps the groups nested as the percentage grows', () => {
    expect(customers.some((c) => isHeldOut('news', c, 0))).toBe(false);
    const atFive = customers.filter((c) => isHeldOut('news', c, 5));
    expect(atFive.every((c) => isHeldOut('news', c, 10))).toBe(true);
    const atHalf = customers.filter((c) => isHeldOut('news', c, 50)).length / customers.length;
    expect(Math.abs(atHalf - 0.5)).toBeLessThan(0.01);
  });
});
