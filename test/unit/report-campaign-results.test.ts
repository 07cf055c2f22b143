import { describe, expect, it } from 'vitest';
import { campaignResults } from '#shared/reports/campaign-results.ts';
import { aCampaignStatsItem, aHeldOutClaimItem, anOccurrenceItem, anOrderItem, aSentClaimItem, reportDataOf } from '#test/support/report-builders.ts';

const SENT = '2026-10-01T10:00:00.000Z';
const days = (n: number) => new Date(Date.parse(SENT) + n * 86_400_000).toISOString();
const everything = { from: undefined, to: Date.parse('2027-01-01T00:00:00Z') };
const base = { campaignId: 'win-back', occurrenceId: 'o1' };

/** Four sent (a–d), four held out (e–h); a converts in the window, b too late, c before the email, e (held out) converts. */
function scenario() {
  return [
    aSentClaimItem({ ...base, customerId: 'a', sentAt: SENT, deliveredAt: days(0), firstOpenedAt: days(1), firstClickedAt: days(1) }),
    aSentClaimItem({ ...base, customerId: 'b', sentAt: SENT, deliveredAt: days(0), firstOpenedAt: days(1) }),
    aSentClaimItem({ ...base, customerId: 'c', sentAt: SENT, deliveredAt: days(0) }),
    aSentClaimItem({ ...base, customerId: 'd', sentAt: SENT, bouncedAt: days(0) }),
    ...['e', 'f', 'g', 'h'].map((customerId) => aHeldOutClaimItem({ ...base, customerId, heldOutAt: SENT })),
    anOrderItem({ orderId: 'o-a', customerId: 'a', purchasedAt: days(2), totalMinor: 1000, attribution: base }),
    anOrderItem({ orderId: 'o-b', customerId: 'b', purchasedAt: days(6), totalMinor: 500 }),
    anOrderItem({ orderId: 'o-c', customerId: 'c', purchasedAt: days(-1), totalMinor: 300 }),
    anOrderItem({ orderId: 'o-e', customerId: 'e', purchasedAt: days(1), totalMinor: 200 }),
  ];
}

describe('campaignResults', () => {
  it('counts a recipient as converted only for a purchase within the window after the email', () => {
    const [result] = campaignResults(reportDataOf(scenario()), everything, 5);
    expect(result?.holdout.sent).toEqual({ recipients: 4, converters: 1, conversionRate: 0.25, revenueMinor: 1000, revenuePerRecipientMinor: 250 });
    expect(result?.holdout.heldOut).toEqual({ recipients: 4, converters: 1, conversionRate: 0.25, revenueMinor: 200, revenuePerRecipientMinor: 50 });
  });

  it('widening the window lets the later purchase count', () => {
    const [result] = campaignResults(reportDataOf(scenario()), everything, 7);
    expect(result?.holdout.sent.converters).toBe(2);
  });

  it('gives the Wald interval for the conversion lift and the Welch interval for revenue per recipient', () => {
    const [result] = campaignResults(reportDataOf(scenario()), everything, 5);
    const se = Math.sqrt(2 * ((0.25 * 0.75) / 4));
    expect(result?.holdout.conversionLift?.difference).toBeCloseTo(0, 12);
    expect(result?.holdout.conversionLift?.high).toBeCloseTo(1.959964 * se, 5);
    // Sent [1000,0,0,0]: variance 250,000; held out [200,0,0,0]: 10,000. SE √65,000, Welch df 3.2396, t 3.0533 (scipy).
    const revenue = result?.holdout.revenueLift;
    expect(revenue?.difference).toBeCloseTo(200, 9);
    expect(revenue?.degreesOfFreedom).toBeCloseTo(3.2396, 3);
    expect(Math.abs((revenue?.high ?? 0) - (200 + 3.0533 * Math.sqrt(65_000)))).toBeLessThan(8);
  });

  it('takes the funnel from the claims when no counters were recorded, and the attribution from the orders', () => {
    const [result] = campaignResults(reportDataOf(scenario()), everything, 5);
    expect(result).toMatchObject({
      campaignId: 'win-back',
      planned: 8,
      sent: 4,
      heldOut: 4,
      delivered: 3,
      bounced: 1,
      opened: 2,
      clicked: 1,
      converted: 1,
      revenueMinor: 1000,
      bounceRate: 0.25,
    });
  });

  it('prefers the per-occurrence counters (each SES event counted once) and the planned audience when recorded', () => {
    const items = [
      ...scenario(),
      aCampaignStatsItem({ ...base, sent: 4, delivered: 3, bounced: 1, opened: 3, clicked: 2, unsubscribed: 1 }),
      anOccurrenceItem({ ...base, recipients: 9, plannedAt: SENT }),
    ];
    const [result] = campaignResults(reportDataOf(items), everything, 5);
    expect(result).toMatchObject({ planned: 9, opened: 3, clicked: 2, unsubscribed: 1 });
    expect(result?.occurrences).toHaveLength(1);
  });

  it('leaves out occurrences outside the period, but counts an attributed order in it for its campaign', () => {
    expect(campaignResults(reportDataOf(scenario()), { from: Date.parse(days(3)), to: Date.parse(days(30)) }, 5)).toEqual([]);
    const [late] = campaignResults(reportDataOf(scenario()), { from: Date.parse(days(1)), to: Date.parse(days(30)) }, 5);
    expect(late).toMatchObject({ sent: 0, converted: 1, revenueMinor: 1000 });
  });

  it('has no lift without a held-out group', () => {
    const items = scenario().filter((item) => item.status !== 'held-out');
    const [result] = campaignResults(reportDataOf(items), everything, 5);
    expect(result?.holdout.conversionLift).toBeNull();
    expect(result?.holdout.revenueLift).toBeNull();
  });
});
