import { describe, expect, it } from 'vitest';
import { deliverability } from '#shared/reports/deliverability.ts';
import { aDailyStatsItem, reportDataOf } from '#test/support/report-builders.ts';

const all = { from: undefined, to: Date.parse('2027-01-01T00:00:00Z') };

describe('deliverability', () => {
  it('gives bounce and complaint rates over emails sent and flags them at the 2% / 0.1% limits', () => {
    const items = [
      aDailyStatsItem({ day: '2026-05-01', sent: 1000, delivered: 975, bounced: 20, complained: 1 }),
      aDailyStatsItem({ day: '2026-05-02', sent: 1000, delivered: 990, bounced: 10, complained: 0 }),
    ];
    const result = deliverability(reportDataOf(items), all);
    expect(result.bounceRate).toBeCloseTo(30 / 2000, 12);
    expect(result.complaintRate).toBeCloseTo(1 / 2000, 12);
    expect(result.deliveryRate).toBeCloseTo(1965 / 2000, 12);
    expect(result.bounceOverThreshold).toBe(false);
    expect(result.complaintOverThreshold).toBe(false);
    expect(result.days.map((d) => d.bounceRate)).toEqual([0.02, 0.01]);
  });

  it('is over the limit at exactly 2% bounces or 0.1% complaints', () => {
    const result = deliverability(reportDataOf([aDailyStatsItem({ day: '2026-05-01', sent: 1000, bounced: 20, complained: 1 })]), all);
    expect(result.bounceOverThreshold).toBe(true);
    expect(result.complaintOverThreshold).toBe(true);
  });

  it('keeps to the period and has no rate without sends', () => {
    const result = deliverability(reportDataOf([aDailyStatsItem({ day: '2026-05-01', sent: 10, bounced: 5 })]), {
      from: Date.parse('2026-06-01T00:00:00Z'),
      to: all.to,
    });
    expect(result.totals.sent).toBe(0);
    expect(result.bounceRate).toBeNull();
    expect(result.bounceOverThreshold).toBe(false);
  });
});
