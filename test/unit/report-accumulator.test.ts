import { describe, expect, it } from 'vitest';
import { REPORT_ATTRIBUTES } from '#shared/reports/report-accumulator.ts';
import { reportProjection } from '#shared/reports/load-report-data.ts';
import { aDailyStatsItem, aCampaignStatsItem, anEmailEventItem, aProfileItem, aSentClaimItem, reportDataOf } from '#test/support/report-builders.ts';

describe('the report accumulator', () => {
  it('keeps a compact row per item the report reads and drops the rest (email events, memberships, consent entries)', () => {
    const data = reportDataOf([
      aProfileItem({ customerId: 'a', heardFrom: 'press' }),
      anEmailEventItem({ customerId: 'a', at: '2026-05-01T00:00:00Z', eventType: 'open', messageId: 'm1', campaignId: 'news', occurrenceId: 'o1' }),
      { PK: 'CUST#a', SK: 'SEG#gold', customerId: 'a', segment: 'gold' },
      { PK: 'CUST#a', SK: 'CONSENT#2026#x', customerId: 'a' },
      aSentClaimItem({ campaignId: 'news', occurrenceId: 'o1', customerId: 'a', sentAt: '2026-05-01T00:00:00Z' }),
      aDailyStatsItem({ day: '2026-05-01', sent: 3 }),
      aCampaignStatsItem({ campaignId: 'news', occurrenceId: 'o1', sent: 3 }),
    ]);
    expect(data.profiles).toEqual([{ customerId: 'a', heardFrom: 'press' }]);
    expect(data.claims).toHaveLength(1);
    expect(data.dailyStats).toEqual([{ day: '2026-05-01', counts: expect.objectContaining({ sent: 3 }) }]);
    expect(data.campaignStats).toEqual([{ campaignId: 'news', occurrenceId: 'o1', counts: expect.objectContaining({ sent: 3 }) }]);
    expect(data.orders).toEqual([]);
  });

  it('projects every attribute it reads through placeholders (reserved words such as status and names with #)', () => {
    const { ProjectionExpression, ExpressionAttributeNames } = reportProjection();
    expect(ProjectionExpression.split(', ')).toHaveLength(REPORT_ATTRIBUTES.length);
    expect(Object.values(ExpressionAttributeNames)).toEqual(
      expect.arrayContaining(['status', 'ans#heardFrom', 'baseTotalMinor', 'sentAt', 'heldOutAt', 'redeemedAt']),
    );
    expect(ProjectionExpression).not.toMatch(/status|#heardFrom/);
  });
});
