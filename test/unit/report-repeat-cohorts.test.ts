import { describe, expect, it } from 'vitest';
import { repeatCohorts } from '#shared/reports/repeat-cohorts.ts';
import { anOrderItem, reportDataOf } from '#test/support/report-builders.ts';

const order = (orderId: string, customerId: string, purchasedAt: string, totalMinor = 100) => anOrderItem({ orderId, customerId, purchasedAt, totalMinor });

describe('repeatCohorts', () => {
  const items = [
    order('a1', 'a', '2026-01-10T00:00:00Z'),
    order('a2', 'a', '2026-02-01T00:00:00Z'), // repeat within 90 days
    order('b1', 'b', '2026-01-20T00:00:00Z'),
    order('b2', 'b', '2026-09-01T00:00:00Z'), // repeat, later
    order('c1', 'c', '2026-01-25T00:00:00Z'),
    order('c2', 'c', '2026-02-01T00:00:00Z', -100), // a refund is no repeat
    order('d2', 'd', '2026-03-05T00:00:00Z'),
    order('d1', 'd', '2026-02-05T00:00:00Z'), // out of order in the table
  ];

  it('groups customers by first-purchase month and counts who bought again', () => {
    expect(repeatCohorts(reportDataOf(items), { from: undefined, to: Date.parse('2026-12-31T00:00:00Z') })).toEqual([
      { cohort: '2026-01', customers: 3, repeated: 2, repeatRate: 2 / 3, repeatedWithin90Days: 1 },
      { cohort: '2026-02', customers: 1, repeated: 1, repeatRate: 1, repeatedWithin90Days: 1 },
    ]);
  });

  it("ignores purchases after the period's end", () => {
    const [january] = repeatCohorts(reportDataOf(items), { from: undefined, to: Date.parse('2026-06-30T00:00:00Z') });
    expect(january?.repeated).toBe(1);
  });
});
