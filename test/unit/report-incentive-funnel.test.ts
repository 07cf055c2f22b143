import { describe, expect, it } from 'vitest';
import { incentiveFunnel } from '#shared/reports/incentive-funnel.ts';
import { aCodeItem, anIncentiveItem, anOrderItem, aSubmissionItem, reportDataOf } from '#test/support/report-builders.ts';

const all = { from: undefined, to: Date.parse('2027-01-01T00:00:00Z') };
const at = '2026-06-01T10:00:00.000Z';
/** Tents get a warranty, everything else a coupon (as config/incentives.yaml would say). */
const typeOf = (categoryMinor: Readonly<Record<string, number>>) => ('tents' in categoryMinor ? 'warranty' : 'coupon');

describe('incentiveFunnel', () => {
  const items = [
    anOrderItem({ orderId: '1', customerId: 'a', purchasedAt: at, totalMinor: 100, categoryMinor: { tents: 100 }, formOpenedAt: at }),
    anOrderItem({ orderId: '2', customerId: 'b', purchasedAt: at, totalMinor: 100, categoryMinor: { boots: 100 } }),
    anOrderItem({ orderId: '3', customerId: 'c', purchasedAt: at, totalMinor: 100, categoryMinor: { boots: 100 } }),
    anOrderItem({ orderId: '4', customerId: 'd', purchasedAt: at, totalMinor: 100, categoryMinor: { boots: 100 } }),
    anOrderItem({ orderId: 'r', customerId: 'd', purchasedAt: at, totalMinor: -100, categoryMinor: { boots: -100 } }),
    aSubmissionItem({ orderId: '2', customerId: 'b', submittedAt: at, confirmedAt: at }),
    aSubmissionItem({ orderId: '3', customerId: 'c', submittedAt: at, confirmedAt: at }),
    aSubmissionItem({ orderId: '4', customerId: 'd', submittedAt: at }),
    anIncentiveItem({ orderId: '2', customerId: 'b', type: 'coupon', code: 'C2', issuedAt: at }),
    anIncentiveItem({ orderId: '3', customerId: 'c', type: 'coupon', code: 'C3', issuedAt: at }),
    aCodeItem({ code: 'C2', orderId: '2', redeemedAt: at }),
    aCodeItem({ code: 'C3', orderId: '3' }),
  ];

  it("follows each type's orders through form opened, submitted, confirmed, issued and redeemed; refunds are not orders", () => {
    expect(incentiveFunnel(reportDataOf(items, typeOf), all)).toEqual([
      { incentiveType: 'coupon', orders: 3, formOpened: 3, submitted: 3, confirmed: 2, issued: 2, redeemed: 1 },
      { incentiveType: 'warranty', orders: 1, formOpened: 1, submitted: 0, confirmed: 0, issued: 0, redeemed: 0 },
    ]);
  });

  it("uses the issued incentive's type over the predicted one", () => {
    const withIssuedWarranty = [...items, anIncentiveItem({ orderId: '4', customerId: 'd', type: 'warranty', code: 'W4', issuedAt: at })];
    const rows = incentiveFunnel(reportDataOf(withIssuedWarranty, typeOf), all);
    expect(rows.find((r) => r.incentiveType === 'warranty')?.orders).toBe(2);
  });
});
