import { describe, expect, it } from 'vitest';
import { buildReport } from '#shared/reports/build-report.ts';
import { renderReportHtml } from '#shared/reports/render-report.ts';
import {
  aDailyStatsItem,
  aHeldOutClaimItem,
  anOrderItem,
  aProfileItem,
  aSegmenterRunItem,
  aSentClaimItem,
  aSubmissionItem,
  anIncentiveItem,
  reportDataOf,
} from '#test/support/report-builders.ts';

const at = '2026-05-01T10:00:00.000Z';
const items = [
  aProfileItem({ customerId: 'a', heardFrom: 'friend' }),
  anOrderItem({ orderId: '1', customerId: 'a', purchasedAt: at, totalMinor: 1000 }),
  anOrderItem({ orderId: '2', customerId: 'a', purchasedAt: '2026-05-03T10:00:00.000Z', totalMinor: 500 }),
  aSubmissionItem({ orderId: '1', customerId: 'a', submittedAt: at, confirmedAt: at, satisfaction: 4 }),
  anIncentiveItem({ orderId: '1', customerId: 'a', type: 'coupon', code: 'C1', issuedAt: at }),
  aSentClaimItem({ campaignId: 'news', occurrenceId: 'o1', customerId: 'a', sentAt: at, deliveredAt: at }),
  aSentClaimItem({ campaignId: 'news', occurrenceId: 'o1', customerId: 'b', sentAt: at, deliveredAt: at }),
  aHeldOutClaimItem({ campaignId: 'news', occurrenceId: 'o1', customerId: 'c', heldOutAt: at }),
  aHeldOutClaimItem({ campaignId: 'news', occurrenceId: 'o1', customerId: 'd', heldOutAt: at }),
  aSegmenterRunItem({ asOf: at, counts: { gold: 1 } }),
  aDailyStatsItem({ day: '2026-05-01', sent: 2, delivered: 2 }),
];
const report = buildReport(reportDataOf(items), {
  range: { from: undefined, to: Date.parse('2026-12-31T00:00:00Z') },
  conversionWindowDays: 5,
  currency: 'EUR',
  generatedAt: new Date('2026-12-31T00:00:00Z'),
});
const page = await renderReportHtml(report);

describe('the report page', () => {
  it('is one self-contained document: no script, no external stylesheet, image or font', () => {
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<script|<link|\ssrc=|url\(/i);
    expect(page).toContain('<html lang="en" dir="ltr">');
  });

  it('has a chart with marks and a table for every section', () => {
    for (const id of ['campaigns', 'incentives', 'acquisition', 'satisfaction', 'cohorts', 'segments', 'deliverability']) {
      const section = page.split(`<section id="${id}"`)[1]?.split('</section>')[0] ?? '';
      expect(section, id).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*aria-label="[^"]+"/);
      expect(section, id).toMatch(/<(rect|path|circle|line)\b/);
      expect(section, id).toContain('<table>');
    }
  });

  it('escapes data from the table (a segment or campaign name is never markup)', async () => {
    const hostile = buildReport(reportDataOf([aSegmenterRunItem({ asOf: at, counts: { '<img onerror=x>': 2 } })]), {
      range: { from: undefined, to: Date.parse('2026-12-31T00:00:00Z') },
      conversionWindowDays: 5,
      currency: 'EUR',
      generatedAt: new Date(),
    });
    const html = await renderReportHtml(hostile);
    expect(html).not.toContain('<img onerror');
    expect(html).toContain('&lt;img onerror=x&gt;');
  });
});
