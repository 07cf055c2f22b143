import { describe, expect, it, vi } from 'vitest';
import { buildReport } from '#shared/reports/build-report.ts';
import { aSegmenterRunItem, reportDataOf } from '#test/support/report-builders.ts';

// Records when the chart module (Observable Plot + linkedom) is evaluated; the real module is still used.
const loaded = vi.hoisted(() => ({ charts: 0 }));
vi.mock('#shared/reports/report-charts.ts', async (importOriginal) => {
  loaded.charts += 1;
  return importOriginal();
});

describe('the report page loads its chart libraries only when it draws a chart', () => {
  it('does not evaluate the chart module when the report route and the renderer are imported (the cold start)', async () => {
    await import('#shared/reports/report-route.ts');
    await import('#shared/reports/render-report.ts');
    expect(loaded.charts).toBe(0);
  });

  it('evaluates it once, on the first render, and the page still carries the chart', async () => {
    const { renderReportHtml } = await import('#shared/reports/render-report.ts');
    const report = buildReport(reportDataOf([aSegmenterRunItem({ asOf: '2026-05-01T10:00:00.000Z', counts: { gold: 3 } })]), {
      range: { from: undefined, to: Date.parse('2026-12-31T00:00:00Z') },
      conversionWindowDays: 5,
      currency: 'EUR',
      generatedAt: new Date('2026-12-31T00:00:00Z'),
    });
    const first = await renderReportHtml(report);
    await renderReportHtml(report);
    expect(loaded.charts).toBe(1);
    expect(first.split('<section id="segments"')[1]).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });
});
