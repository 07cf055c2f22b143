import { describe, expect, it } from 'vitest';
import { deltaOfPurchase, mergeDeltas } from '#shared/purchases/profile-aggregates.ts';
import { normalizePurchase } from '#shared/purchases/normalize-purchase.ts';
import { buildProfileUpdate } from '#shared/profiles/profile-update.ts';
import { aLineItem, aPurchase, aShopConfig } from '#test/support/builders.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

const now = new Date('2026-11-25T12:00:00Z');
const delta = (overrides: Parameters<typeof aPurchase>[0]) => deltaOfPurchase(normalizePurchase(aPurchase(overrides), aShopConfig(), now, TEST_SIGNING_KEY));

describe('profile deltas', () => {
  it('counts a purchase as one order with its spend per category and month', () => {
    const d = delta({ items: [aLineItem({ category: 'tents', price: 100, quantity: 2 })], total: 200, purchasedAt: '2026-03-05T08:00:00Z' });
    expect(d).toMatchObject({
      orderCount: 1,
      refundCount: 0,
      itemCount: 2,
      netSpendMinor: 20000,
      categoryMinor: { tents: 20000 },
      monthMinor: { '2026-03': 20000 },
    });
    expect(d.firstPurchaseAt).toBe('2026-03-05T08:00:00.000Z');
    expect(d.lastPurchaseAt).toBe('2026-03-05T08:00:00.000Z');
  });

  it('lets a refund lower net spend without counting as a purchase or moving purchase dates', () => {
    const d = delta({ items: [aLineItem({ price: -50 })], total: -50 });
    expect(d).toMatchObject({ orderCount: 0, refundCount: 1, netSpendMinor: -5000 });
    expect(d.firstPurchaseAt).toBeUndefined();
    expect(d.lastPurchaseAt).toBeUndefined();
  });

  it('merges deltas by adding counters and taking the earliest first and latest last purchase', () => {
    const a = delta({
      orderId: 'A',
      items: [aLineItem({ category: 'tents', price: 100 })],
      total: 100,
      purchasedAt: '2026-05-01T00:00:00Z',
      customerName: 'Old Name',
    });
    const b = delta({ orderId: 'B', items: [aLineItem({ category: 'socks', price: 10 })], total: 10, purchasedAt: '2026-01-01T00:00:00Z' });
    const c = delta({
      orderId: 'C',
      items: [aLineItem({ category: 'tents', price: -30 })],
      total: -30,
      purchasedAt: '2026-06-01T00:00:00Z',
      customerName: 'New Name',
    });
    const merged = mergeDeltas(mergeDeltas(a, b), c);
    expect(merged).toMatchObject({
      orderCount: 2,
      refundCount: 1,
      netSpendMinor: 8000,
      categoryMinor: { tents: 7000, socks: 1000 },
      monthMinor: { '2026-05': 10000, '2026-01': 1000, '2026-06': -3000 },
      firstPurchaseAt: '2026-01-01T00:00:00.000Z',
      lastPurchaseAt: '2026-05-01T00:00:00.000Z',
      customerName: 'New Name',
    });
    expect(mergeDeltas(c, mergeDeltas(b, a))).toEqual(merged);
  });
});

describe('buildProfileUpdate', () => {
  const d = delta({ purchasedAt: '2026-05-01T00:00:00Z' });
  const options = { now: now.toISOString(), baseCurrency: 'EUR' };

  it('sets first and last purchase with guarding conditions for a new customer', () => {
    const update = buildProfileUpdate(d, undefined, options);
    const setNames = Object.values(update.ExpressionAttributeNames);
    expect(setNames).toContain('firstPurchaseAt');
    expect(setNames).toContain('lastPurchaseAt');
    expect(update.ConditionExpression).toMatch(/attribute_not_exists\(#a\d+\) OR #a\d+ < :v\d+/);
    expect(update.UpdateExpression).toMatch(/^SET .* ADD /);
  });

  it('leaves purchase dates alone when the profile already spans this order', () => {
    const update = buildProfileUpdate(
      d,
      { firstPurchaseAt: '2025-01-01T00:00:00.000Z', lastPurchaseAt: '2026-10-01T00:00:00.000Z', latestOrderAt: '2026-10-01T00:00:00.000Z' },
      options,
    );
    const names = Object.values(update.ExpressionAttributeNames);
    expect(names).not.toContain('firstPurchaseAt');
    expect(names).not.toContain('lastPurchaseAt');
    // An older order only fills the name where it is missing, with no condition at all.
    expect(update.ConditionExpression).toBeUndefined();
    expect(update.UpdateExpression).toContain('if_not_exists');
  });

  it('adds category and month spend as their own counters', () => {
    const update = buildProfileUpdate(d, undefined, options);
    const names = Object.values(update.ExpressionAttributeNames);
    expect(names).toContain('cat#tents');
    expect(names).toContain('mon#2026-05');
    expect(names).toContain('netSpendMinor');
  });

  it('appends an extra condition, such as an import not yet applied', () => {
    const update = buildProfileUpdate(d, undefined, {
      ...options,
      extraCondition: { expression: 'NOT contains(#imp, :imp)', names: { '#imp': 'appliedImports' }, values: { ':imp': 'x' } },
    });
    expect(update.ConditionExpression).toContain('NOT contains(#imp, :imp)');
    expect(update.ExpressionAttributeNames['#imp']).toBe('appliedImports');
    expect(update.ExpressionAttributeValues[':imp']).toBe('x');
  });
});
