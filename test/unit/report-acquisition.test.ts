import { describe, expect, it } from 'vitest';
import { acquisition, NOT_ANSWERED } from '#shared/reports/acquisition.ts';
import { anOrderItem, aProfileItem, reportDataOf } from '#test/support/report-builders.ts';

const to = Date.parse('2026-12-31T23:59:59Z');

describe('acquisition', () => {
  const items = [
    aProfileItem({ customerId: 'a', heardFrom: 'friend' }),
    aProfileItem({ customerId: 'b', heardFrom: 'friend' }),
    aProfileItem({ customerId: 'c' }),
    // a: two purchases, one over a year before the end (not in the 12-month value) and a refund.
    anOrderItem({ orderId: 'a1', customerId: 'a', purchasedAt: '2025-06-01T00:00:00Z', totalMinor: 5000 }),
    anOrderItem({ orderId: 'a2', customerId: 'a', purchasedAt: '2026-06-01T00:00:00Z', totalMinor: 3000 }),
    anOrderItem({ orderId: 'a3', customerId: 'a', purchasedAt: '2026-07-01T00:00:00Z', totalMinor: -1000 }),
    anOrderItem({ orderId: 'b1', customerId: 'b', purchasedAt: '2026-03-01T00:00:00Z', totalMinor: 1000 }),
    anOrderItem({ orderId: 'c1', customerId: 'c', purchasedAt: '2026-03-01T00:00:00Z', totalMinor: 700 }),
  ];

  it('groups customers by where they heard of the shop, with average 12-month net value and repeat rate', () => {
    expect(acquisition(reportDataOf(items), { from: undefined, to })).toEqual([
      { heardFrom: 'friend', customers: 2, averageValue12mMinor: (3000 - 1000 + 1000) / 2, repeatRate: 0.5 },
      { heardFrom: NOT_ANSWERED, customers: 1, averageValue12mMinor: 700, repeatRate: 0 },
    ]);
  });

  it('counts only customers whose first purchase is in the period', () => {
    const rows = acquisition(reportDataOf(items), { from: Date.parse('2026-01-01T00:00:00Z'), to });
    expect(rows.find((r) => r.heardFrom === 'friend')?.customers).toBe(1);
  });
});
