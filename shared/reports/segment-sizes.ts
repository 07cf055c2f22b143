/** Segment sizes over time, from the segmenter's run records (one per run that changed memberships). */
import { inRange, type ReportData, type ReportRange } from '#shared/reports/report-data.ts';

export interface SegmentSizePoint {
  asOf: string;
  segment: string;
  members: number;
}

export interface SegmentSizesResult {
  runs: number;
  /** Every segment's size at every run in the period, oldest first. */
  points: SegmentSizePoint[];
  /** Sizes at the last run in the period, largest first. */
  latest: { segment: string; members: number }[];
}

export function segmentSizes(data: ReportData, range: ReportRange): SegmentSizesResult {
  const runs = data.segmenterRuns.filter((r) => inRange(range, Date.parse(r.asOf))).sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
  const segments = new Set(runs.flatMap((r) => Object.keys(r.counts)));
  // A run records every segment's size; a segment absent from a run had no members then.
  const points = runs.flatMap((r) => [...segments].sort().map((segment) => ({ asOf: r.asOf, segment, members: r.counts[segment] ?? 0 })));
  const last = runs.at(-1);
  const latest = last
    ? Object.entries(last.counts)
        .map(([segment, members]) => ({ segment, members }))
        .sort((a, b) => b.members - a.members || (a.segment < b.segment ? -1 : 1))
    : [];
  return { runs: runs.length, points, latest };
}
