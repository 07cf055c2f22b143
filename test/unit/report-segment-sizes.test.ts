import { describe, expect, it } from 'vitest';
import { segmentSizes } from '#shared/reports/segment-sizes.ts';
import { aSegmenterRunItem, reportDataOf } from '#test/support/report-builders.ts';

describe('segmentSizes', () => {
  const items = [
    aSegmenterRunItem({ asOf: '2026-02-01T00:00:00.000Z', counts: { gold: 5, lapsed: 7 } }),
    aSegmenterRunItem({ asOf: '2026-01-01T00:00:00.000Z', counts: { gold: 3 } }),
  ];

  it('lists every segment at every run, oldest first, a missing segment as 0', () => {
    expect(segmentSizes(reportDataOf(items), { from: undefined, to: Date.parse('2027-01-01T00:00:00Z') }).points).toEqual([
      { asOf: '2026-01-01T00:00:00.000Z', segment: 'gold', members: 3 },
      { asOf: '2026-01-01T00:00:00.000Z', segment: 'lapsed', members: 0 },
      { asOf: '2026-02-01T00:00:00.000Z', segment: 'gold', members: 5 },
      { asOf: '2026-02-01T00:00:00.000Z', segment: 'lapsed', members: 7 },
    ]);
  });

  it('gives the sizes at the last run in the period, largest first', () => {
    expect(segmentSizes(reportDataOf(items), { from: undefined, to: Date.parse('2027-01-01T00:00:00Z') }).latest).toEqual([
      { segment: 'lapsed', members: 7 },
      { segment: 'gold', members: 5 },
    ]);
    expect(segmentSizes(reportDataOf(items), { from: undefined, to: Date.parse('2026-01-15T00:00:00Z') }).latest).toEqual([{ segment: 'gold', members: 3 }]);
  });
});
