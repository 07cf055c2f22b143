/**
 * The segments of one configuration, in a fixed order (a segment's index is its bit in the membership
 * matrix), and what a run needs derived from `now`: the value window's months and compiled predicates.
 */
import { buildGroupLookup, type RfmGroupSpec, type ScoreMapKind } from '#shared/segments/rfm-map.ts';
import { compilePredicate, type CompiledPredicate } from '#shared/segments/predicate.ts';
import { BUILT_IN_SEGMENTS, scoreMapOf, type SegmentsConfig } from '#shared/segments/segment-config.ts';

export type SegmentKind = 'rule' | 'value' | 'rfm' | 'custom';

export interface SegmentDef {
  id: string;
  name: string;
  kind: SegmentKind;
}

/** Bit positions of the built-in rule segments (the order of BUILT_IN_SEGMENTS). */
export const RULE = { oneTime: 0, frequent: 1, loyal: 2, new: 3, lapsed: 4, unsatisfied: 5, referrers: 6, longTenure: 7, gold: 8, silver: 9 } as const;
export const FIRST_RFM_SEGMENT = BUILT_IN_SEGMENTS.length;

export interface SegmentPlan {
  config: SegmentsConfig;
  now: Date;
  nowMs: number;
  segments: SegmentDef[];
  /** Uint32 words per customer in the membership matrix. */
  words: number;
  scoreMapKind: ScoreMapKind;
  rfmGroups: readonly RfmGroupSpec[];
  /** Code index (see rfm-map codeIndex) → RFM group index. */
  groupLookup: Int16Array;
  firstCustomSegment: number;
  customPredicates: CompiledPredicate[];
  /** `YYYY-MM` keys of the value window, oldest first: this month and the windowMonths - 1 before. */
  valueMonths: string[];
  /** Minor-unit digits are the base currency's; used only to print money in reasons. */
  currency: string;
}

export function planSegments(config: SegmentsConfig, now: Date, currency = 'EUR'): SegmentPlan {
  const { kind, groups } = scoreMapOf(config);
  const lookup = buildGroupLookup(groups, kind);
  if (!lookup.ok) throw new Error(`rfm.scoreMap: ${lookup.errors.join('; ')}`);
  const segments: SegmentDef[] = [
    ...BUILT_IN_SEGMENTS.map((s) => ({ id: s.id, name: s.name, kind: s.id === 'gold' || s.id === 'silver' ? ('value' as const) : ('rule' as const) })),
    ...groups.map((g) => ({ id: `rfm-${g.id}`, name: g.name, kind: 'rfm' as const })),
    ...config.custom.map((c) => ({ id: c.id, name: c.name, kind: 'custom' as const })),
  ];
  return {
    config,
    now,
    nowMs: now.getTime(),
    segments,
    words: Math.ceil(segments.length / 32),
    scoreMapKind: kind,
    rfmGroups: groups,
    groupLookup: lookup.lookup,
    firstCustomSegment: FIRST_RFM_SEGMENT + groups.length,
    customPredicates: config.custom.map((c) => compilePredicate(c.where)),
    valueMonths: trailingMonths(now, config.value.windowMonths),
    currency,
  };
}

/** The `count` calendar months (UTC) ending with `now`'s month, oldest first. */
export function trailingMonths(now: Date, count: number): string[] {
  const months: string[] = [];
  for (let back = count - 1; back >= 0; back--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

/** Whole calendar months from `fromMs` to `toMs` (UTC): the largest k with from + k months ≤ to; day clamped to the month's end. */
export function completedMonths(fromMs: number, toMs: number): number {
  if (toMs < fromMs) return 0;
  const from = new Date(fromMs);
  const to = new Date(toMs);
  let k = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  if (addMonthsUtc(fromMs, k) > toMs) k--;
  return Math.max(0, k);
}

export function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(
    target.getUTCFullYear(),
    target.getUTCMonth(),
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

export function segmentIndexById(plan: SegmentPlan): Map<string, number> {
  return new Map(plan.segments.map((s, i) => [s.id, i]));
}
