import { describe, expect, it } from 'vitest';
import { satisfaction } from '#shared/reports/satisfaction.ts';
import { aSubmissionItem, reportDataOf } from '#test/support/report-builders.ts';

const all = { from: undefined, to: Date.parse('2027-01-01T00:00:00Z') };
const answer = (orderId: string, submittedAt: string, score?: number) =>
  aSubmissionItem({ orderId, customerId: `c${orderId}`, submittedAt, ...(score === undefined ? {} : { satisfaction: score }) });

describe('satisfaction', () => {
  const items = [
    answer('1', '2026-05-03T00:00:00Z', 5),
    answer('2', '2026-05-20T00:00:00Z', 2),
    answer('3', '2026-06-01T00:00:00Z', 4),
    answer('4', '2026-06-02T00:00:00Z'),
  ];

  it('counts answers per score and leaves out forms without one', () => {
    const result = satisfaction(reportDataOf(items), all);
    expect(result.responses).toBe(3);
    expect(result.distribution.map((d) => d.count)).toEqual([0, 1, 0, 1, 1]);
    expect(result.average).toBeCloseTo(11 / 3, 12);
  });

  it('gives the monthly average and share of 4–5 answers', () => {
    expect(satisfaction(reportDataOf(items), all).months).toEqual([
      { month: '2026-05', responses: 2, average: 3.5, satisfiedShare: 0.5 },
      { month: '2026-06', responses: 1, average: 4, satisfiedShare: 1 },
    ]);
  });

  it('keeps to the period', () => {
    expect(satisfaction(reportDataOf(items), { from: Date.parse('2026-06-01T00:00:00Z'), to: all.to }).responses).toBe(1);
  });
});
