import { afterEach, describe, expect, it, vi } from 'vitest';
import { segmentChart } from '#shared/reports/report-charts.ts';
import type { SegmentSizesResult } from '#shared/reports/segment-sizes.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the segment sizes chart', () => {
  it('draws after a single segmenter run (one point per segment) without Observable Plot writing a warning to the log', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const segments = ['gold', 'lapsed', 'new', 'loyal', 'one-time', 'unsatisfied'];
    const result: SegmentSizesResult = {
      runs: 1,
      points: segments.map((segment, i) => ({ asOf: '2026-11-01T02:00:00.000Z', segment, members: 10 + i })),
      latest: segments.map((segment, i) => ({ segment, members: 10 + i })).reverse(),
    };
    const svg = segmentChart('Segments', result);
    expect(svg).toContain('<svg');
    expect(svg).toContain('lapsed');
    // Plot prints to the console (not our JSON logger) when a line's series look like a quantitative channel.
    expect(warn).not.toHaveBeenCalled();
    // The time axis reads as dates around that one run, not as the run's raw ISO timestamp.
    const labels = [...(svg ?? '').matchAll(/>([^<>]+)<\/(?:text|tspan)>/g)].map((m) => m[1] ?? '');
    expect(labels.filter((label) => /\d{4}-\d{2}-\d{2}T/.test(label))).toEqual([]);
    expect(labels).toContain('Nov 1');
  });
});
