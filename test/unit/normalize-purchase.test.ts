import { describe, expect, it } from 'vitest';
import { UnprocessableError, ValidationError } from '#shared/errors.ts';
import { allocateToCategories, normalizePurchase, purchaseFingerprint } from '#shared/purchases/normalize-purchase.ts';
import { customerIdForEmail, legacyCustomerIdForEmail } from '#shared/purchases/customer-id.ts';
import { aLineItem, aPurchase, aShopConfig } from '#test/support/builders.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const now = new Date('2026-11-25T12:00:00Z');

function issuesOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError || error instanceof UnprocessableError) return error.issues;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('normalizePurchase', () => {
  it('resolves the customer from the normalized email so case and spaces do not split a profile', () => {
    const a = normalizePurchase(aPurchase({ customerEmail: 'Anna@Example.com' }), aShopConfig(), now, TEST_SIGNING_KEY);
    const b = normalizePurchase(aPurchase({ customerEmail: 'anna@example.com' }), aShopConfig(), now, TEST_SIGNING_KEY);
    expect(a.customerId).toBe(b.customerId);
    expect(a.customerId).toBe(customerIdForEmail('anna@example.com', TEST_SIGNING_KEY));
    expect(a.email).toBe('anna@example.com');
  });

  it('keys the customer id with the signing secret: a k_ id nobody without the secret can compute from the address', () => {
    const id = normalizePurchase(aPurchase({ customerEmail: 'anna@example.com' }), aShopConfig(), now, TEST_SIGNING_KEY).customerId;
    expect(id).toMatch(/^k_[0-9a-f]{24}$/);
    expect(id).not.toBe(legacyCustomerIdForEmail('anna@example.com'));
    expect(normalizePurchase(aPurchase({ customerEmail: 'anna@example.com' }), aShopConfig(), now, `${TEST_SIGNING_KEY}-other`).customerId).not.toBe(id);
  });

  it('keeps money as integer minor units and the timestamp in UTC', () => {
    const p = normalizePurchase(
      aPurchase({ items: [aLineItem({ price: 19.99, quantity: 3 })], total: 59.97, purchasedAt: '2026-11-20T12:00:00+02:00' }),
      aShopConfig(),
      now,
      TEST_SIGNING_KEY,
    );
    expect(p.totalMinor).toBe(5997);
    expect(p.baseTotalMinor).toBe(5997);
    expect(p.lines[0]?.unitPriceMinor).toBe(1999);
    expect(p.purchasedAt).toBe('2026-11-20T10:00:00.000Z');
    expect(p.kind).toBe('purchase');
  });

  it('converts a foreign-currency order into the base currency at the configured rate', () => {
    const p = normalizePurchase(aPurchase({ items: [aLineItem({ price: 10000 })], total: 10000, currency: 'ISK' }), aShopConfig(), now, TEST_SIGNING_KEY);
    expect(p.currency).toBe('ISK');
    expect(p.totalMinor).toBe(10000);
    expect(p.baseTotalMinor).toBe(6900);
  });

  it('treats an order with a negative total as a refund', () => {
    const p = normalizePurchase(aPurchase({ items: [aLineItem({ price: -49.9 })], total: -49.9 }), aShopConfig(), now, TEST_SIGNING_KEY);
    expect(p.kind).toBe('refund');
    expect(p.baseTotalMinor).toBe(-4990);
  });

  it('rejects an unknown currency code on the currency field', () => {
    expect(issuesOf(() => normalizePurchase(aPurchase({ currency: 'ABC' }), aShopConfig(), now, TEST_SIGNING_KEY))).toEqual([
      { field: 'currency', message: '"ABC" is not an ISO 4217 currency code' },
    ]);
  });

  it('rejects a real currency the shop has no rate for with 422 and tells where to add it', () => {
    const call = () => normalizePurchase(aPurchase({ currency: 'JPY', total: 100, items: [aLineItem({ price: 100 })] }), aShopConfig(), now, TEST_SIGNING_KEY);
    expect(call).toThrow(UnprocessableError);
    expect(issuesOf(call)[0]?.message).toContain('shop.exchangeRates');
  });

  it('names every field with too many decimals', () => {
    const issues = issuesOf(() => normalizePurchase(aPurchase({ items: [aLineItem({ price: 1.001 })], total: 1.001 }), aShopConfig(), now, TEST_SIGNING_KEY));
    expect(issues.map((i) => i.field).sort()).toEqual(['items.0.price', 'total']);
  });

  it('rejects purchases dated in the future beyond the allowed skew', () => {
    const issues = issuesOf(() => normalizePurchase(aPurchase({ purchasedAt: '2026-12-25T00:00:00Z' }), aShopConfig(), now, TEST_SIGNING_KEY));
    expect(issues).toEqual([{ field: 'purchasedAt', message: 'is in the future' }]);
  });

  it('canonicalizes language tags and rejects invalid ones', () => {
    expect(normalizePurchase(aPurchase({ locale: 'is-is' }), aShopConfig(), now, TEST_SIGNING_KEY).locale).toBe('is-IS');
    expect(issuesOf(() => normalizePurchase(aPurchase({ locale: 'not a tag' }), aShopConfig(), now, TEST_SIGNING_KEY))[0]?.field).toBe('locale');
  });

  it('gives the same fingerprint to the same order and a different one when contents change', () => {
    const a = purchaseFingerprint(normalizePurchase(aPurchase(), aShopConfig(), now, TEST_SIGNING_KEY));
    const b = purchaseFingerprint(normalizePurchase(aPurchase(), aShopConfig(), now, TEST_SIGNING_KEY));
    const c = purchaseFingerprint(normalizePurchase(aPurchase({ total: 250 }), aShopConfig(), now, TEST_SIGNING_KEY));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('allocateToCategories', () => {
  const line = (category: string, unitPriceMinor: number, quantity = 1) => ({ sku: 's', name: 'n', category, unitPriceMinor, quantity });

  it('splits the total in proportion to line amounts and always sums to the total exactly', () => {
    const parts = allocateToCategories([line('tents', 2000), line('socks', 1000)], 3100);
    expect(parts).toEqual({ tents: 2067, socks: 1033 });
    expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBe(3100);
  });

  it('nets a returned line against a bought one in the same category', () => {
    expect(allocateToCategories([line('tents', 2000), line('tents', -500)], 1500)).toEqual({ tents: 1500 });
  });

  it('puts the whole total on the first category when all lines are free', () => {
    expect(allocateToCategories([line('gifts', 0), line('socks', 0)], 500)).toEqual({ gifts: 500 });
  });
});
