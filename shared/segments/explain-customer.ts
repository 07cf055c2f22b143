/**
 * `kinship segments explain <customerId>`: which segments a customer is in and why, with the numbers,
 * without scanning the table. Per-customer rules are evaluated from the profile; RFM scores and gold/silver
 * come from the bin boundaries the last recorded run stored, which is exact while the customer's numbers
 * (and everyone else's) are those of that run.
 */
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { scoreFromBinTops, type Boundary, type Segmentation } from '#shared/segments/compute-segments.ts';
import { ProfileColumnsBuilder } from '#shared/segments/profile-columns.ts';
import { codeIndex } from '#shared/segments/rfm-map.ts';
import type { SegmentsConfig } from '#shared/segments/segment-config.ts';
import { FIRST_RFM_SEGMENT, planSegments, RULE } from '#shared/segments/segment-plan.ts';
import { describeSegment, formatMoney } from '#shared/segments/segment-reasons.ts';
import { latestRuns, membershipsOf, readProfileItem, type MembershipItem, type SegmenterRunRecord } from '#shared/segments/segment-store.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface SegmentExplanation {
  segment: string;
  name: string;
  /** What the table says (written by the last run that changed it). */
  stored: MembershipItem | undefined;
  /** What the rules give now from the profile (RFM and value from the last run's boundaries). */
  computed: boolean;
  reason: string;
}

export interface CustomerExplanation {
  customerId: string;
  found: boolean;
  asOf: string;
  lastRun: SegmenterRunRecord | undefined;
  scores: { r: number; f: number; m: number } | undefined;
  segments: SegmentExplanation[];
}

export async function explainCustomer(table: Table, config: SegmentsConfig, currency: string, customerId: string, now?: Date): Promise<CustomerExplanation> {
  const [item, stored, runs] = await Promise.all([readProfileItem(table, customerId), membershipsOf(table, customerId), latestRuns(table, 1)]);
  const lastRun = runs[0];
  const asOf = now ?? (lastRun ? new Date(lastRun.asOf) : new Date());
  if (!item) return { customerId, found: false, asOf: asOf.toISOString(), lastRun, scores: undefined, segments: [] };
  const plan = planSegments(config, asOf, currency);
  const builder = new ProfileColumnsBuilder(plan, 16);
  const row = builder.add(profileFromItem(item));
  const columns = builder.build();
  const set = (segment: number) => {
    const at = row * plan.words + (segment >>> 5);
    columns.membership[at] = ((columns.membership[at] ?? 0) | (1 << (segment & 31))) >>> 0;
  };
  const purchased = (columns.orderCount[row] ?? 0) >= 1;
  const cutoffs = lastRun?.cutoffs;
  let scores: CustomerExplanation['scores'];
  if (purchased && cutoffs) {
    scores = {
      r: scoreFromBinTops(cutoffs.recency, columns.recencyDays[row] ?? 0, customerId, true),
      f: scoreFromBinTops(cutoffs.frequency, columns.orderCount[row] ?? 0, customerId, false),
      m: scoreFromBinTops(cutoffs.monetary, columns.netSpendMinor[row] ?? 0, customerId, false),
    };
    set(FIRST_RFM_SEGMENT + (plan.groupLookup[codeIndex(plan.scoreMapKind, scores.r, scores.f, scores.m)] ?? 0));
    const value = columns.value12mMinor[row] ?? 0;
    const within = (b: Boundary | undefined) => b !== undefined && (value > b.value || (value === b.value && customerId <= b.customerId));
    if (value > 0 && within(cutoffs.lastGold)) set(RULE.gold);
    else if (value > 0 && within(cutoffs.lastSilver)) set(RULE.silver);
  }
  const segmentation: Segmentation = {
    plan,
    columns,
    r: Uint8Array.of(scores?.r ?? 0),
    f: Uint8Array.of(scores?.f ?? 0),
    m: Uint8Array.of(scores?.m ?? 0),
    valueRank: new Int32Array(1),
    counts: [],
    cutoffs: cutoffs ?? { scored: 0, recency: [], frequency: [], monetary: [], goldCount: 0, silverCount: 0, lastGold: undefined, lastSilver: undefined },
  };
  const storedBySegment = new Map(stored.map((m) => [m.segment, m]));
  const segments = plan.segments.map((segment, index) => {
    const computed = (((columns.membership[row * plan.words + (index >>> 5)] ?? 0) >>> (index & 31)) & 1) === 1;
    let reason = describeSegment(segmentation, row, index);
    if (index === RULE.gold || index === RULE.silver) reason = valueReason(segmentation, row, config, currency);
    else if (segment.kind === 'rfm' && !cutoffs) reason = 'no recorded run yet: run "npx kinship segments run"';
    return { segment: segment.id, name: segment.name, stored: storedBySegment.get(segment.id), computed, reason };
  });
  for (const m of stored)
    if (!plan.segments.some((s) => s.id === m.segment))
      segments.push({ segment: m.segment, name: m.segment, stored: m, computed: false, reason: 'segment no longer in config/segments.yaml' });
  return { customerId, found: true, asOf: asOf.toISOString(), lastRun, scores, segments };
}

function valueReason(s: Segmentation, row: number, config: SegmentsConfig, currency: string): string {
  const value = s.columns.value12mMinor[row] ?? 0;
  const { lastGold, lastSilver, goldCount, silverCount, scored } = s.cutoffs;
  const threshold = (b: Boundary | undefined) => (b ? formatMoney(b.value, currency) : 'none');
  return `${config.value.windowMonths}-month value ${formatMoney(value, currency)}; of ${scored} customers with a purchase, gold = top ${goldCount} (down to ${threshold(lastGold)}), silver = next ${silverCount} (down to ${threshold(lastSilver)})`;
}
