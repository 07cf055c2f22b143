/**
 * The global part of segmentation — RFM quintiles and the gold/silver value ranking — over profile columns,
 * and the convenience entry point from profiles. Pure and deterministic: the same profiles, config and
 * `now` give the same memberships, whatever order the profiles arrive in.
 */
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { sortByCustomerId } from '#shared/segments/customer-order.ts';
import { ProfileColumnsBuilder, type ProfileColumns } from '#shared/segments/profile-columns.ts';
import { codeIndex } from '#shared/segments/rfm-map.ts';
import { quintileLabels, stableSortByKey, writeQuintileScores } from '#shared/segments/rfm-quintiles.ts';
import { FIRST_RFM_SEGMENT, planSegments, RULE, type SegmentPlan } from '#shared/segments/segment-plan.ts';
import type { SegmentsConfig } from '#shared/segments/segment-config.ts';

/** The highest (value, customer id) in a bin: a customer scores above the bin when their pair is greater. */
export interface Boundary {
  value: number;
  customerId: string;
}

/** The last customer of one quintile bin, in ranking order, with the bin's label (before recency is reversed). */
export interface BinTop extends Boundary {
  label: number;
}

export interface SegmentCutoffs {
  /** Customers with at least one purchase: the population of RFM and of the value ranking. */
  scored: number;
  /** Top of bins 1-4 of recency days, frequency and monetary, by the ranking's own order (recency: ascending days, scored 5..2). */
  recency: BinTop[];
  frequency: BinTop[];
  monetary: BinTop[];
  goldCount: number;
  silverCount: number;
  /** The last gold and last silver customer in value order (value descending, ties by customer id). */
  lastGold: Boundary | undefined;
  lastSilver: Boundary | undefined;
}

export interface Segmentation {
  plan: SegmentPlan;
  columns: ProfileColumns;
  /** 1-5 per row, 0 when not scored (no purchase). */
  r: Uint8Array;
  f: Uint8Array;
  m: Uint8Array;
  /** 1-based position in the value ranking, 0 when not ranked. */
  valueRank: Int32Array;
  cutoffs: SegmentCutoffs;
  counts: number[];
}

export function isMember(s: Segmentation, row: number, segment: number): boolean {
  return (((s.columns.membership[row * s.plan.words + (segment >>> 5)] ?? 0) >>> (segment & 31)) & 1) === 1;
}

/** Segments a set of profiles as of `now`. */
export function segmentProfiles(profiles: Iterable<CustomerProfile>, config: SegmentsConfig, now: Date, currency?: string): Segmentation {
  const plan = planSegments(config, now, currency);
  const builder = new ProfileColumnsBuilder(plan);
  for (const profile of profiles) builder.add(profile);
  return computeSegments(plan, builder.build());
}

/**
 * The five orders every segmentation rests on: the purchasers by customer id (the tie-break), and that order
 * stably sorted by recency days, order count, net spend and descending 12-month value.
 */
export interface Rankings {
  byId: Int32Array;
  recency: Int32Array;
  frequency: Int32Array;
  monetary: Int32Array;
  value: Int32Array;
}

/** The rows that are scored: customers with at least one purchase. */
export function scoredRows(columns: ProfileColumns): Int32Array {
  let count = 0;
  for (let row = 0; row < columns.count; row++) if ((columns.orderCount[row] ?? 0) >= 1) count++;
  const rows = new Int32Array(count);
  let at = 0;
  for (let row = 0; row < columns.count; row++) if ((columns.orderCount[row] ?? 0) >= 1) rows[at++] = row;
  return rows;
}

/** The value ranking's key: descending 12-month value as an ascending key. */
export function negatedValues(columns: ProfileColumns): Float64Array {
  const negated = new Float64Array(columns.count);
  for (let row = 0; row < columns.count; row++) negated[row] = -(columns.value12mMinor[row] ?? 0);
  return negated;
}

/** Adds the RFM group and gold/silver bits to columns whose per-customer rules are already set (on this thread). */
export function computeSegments(plan: SegmentPlan, columns: ProfileColumns): Segmentation {
  const byId = sortByCustomerId(columns.ids, scoredRows(columns));
  return segmentationFromRankings(plan, columns, {
    byId,
    recency: stableSortByKey(byId, columns.recencyDays),
    frequency: stableSortByKey(byId, columns.orderCount),
    monetary: stableSortByKey(byId, columns.netSpendMinor),
    // Descending 12-month value, ties by ascending customer id (a stable sort of the id order on -value).
    value: stableSortByKey(byId, negatedValues(columns)),
  });
}

/** Scores, groups, gold/silver, counts and bin tops from the rankings, however they were computed. */
export function segmentationFromRankings(plan: SegmentPlan, columns: ProfileColumns, rankings: Rankings): Segmentation {
  const n = columns.count;
  const { byId, recency: recencyOrder, frequency: frequencyOrder, monetary: monetaryOrder, value: valueOrder } = rankings;
  const r = new Uint8Array(n);
  const f = new Uint8Array(n);
  const m = new Uint8Array(n);
  writeQuintileScores(recencyOrder, r, true);
  writeQuintileScores(frequencyOrder, f, false);
  writeQuintileScores(monetaryOrder, m, false);

  const { words, membership } = { words: plan.words, membership: columns.membership };
  const set = (row: number, segment: number) => {
    const at = row * words + (segment >>> 5);
    membership[at] = ((membership[at] ?? 0) | (1 << (segment & 31))) >>> 0;
  };
  for (const row of byId) {
    const group = plan.groupLookup[codeIndex(plan.scoreMapKind, r[row] ?? 1, f[row] ?? 1, m[row] ?? 1)] ?? 0;
    set(row, FIRST_RFM_SEGMENT + group);
  }

  const scored = byId.length;
  const { goldTopPercent, silverNextPercent } = plan.config.value;
  const goldCount = Math.floor((scored * goldTopPercent) / 100 + 1e-9);
  const silverCount = Math.floor((scored * (goldTopPercent + silverNextPercent)) / 100 + 1e-9) - goldCount;
  const valueRank = new Int32Array(n);
  let lastGold: Boundary | undefined;
  let lastSilver: Boundary | undefined;
  valueOrder.forEach((row, position) => {
    valueRank[row] = position + 1;
    const value = columns.value12mMinor[row] ?? 0;
    // Gold and silver need a positive 12-month value: a customer whose recent orders were refunded is never "top".
    if (value <= 0) return;
    const boundary = { value, customerId: columns.ids[row] ?? '' };
    if (position < goldCount) {
      set(row, RULE.gold);
      lastGold = boundary;
    } else if (position < goldCount + silverCount) {
      set(row, RULE.silver);
      lastSilver = boundary;
    }
  });

  const counts = plan.segments.map(() => 0);
  for (let row = 0; row < n; row++) {
    for (let w = 0; w < words; w++) {
      let bits = membership[row * words + w] ?? 0;
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits);
        const segment = w * 32 + bit;
        counts[segment] = (counts[segment] ?? 0) + 1;
        bits = (bits & ~(1 << bit)) >>> 0;
      }
    }
  }
  return {
    plan,
    columns,
    r,
    f,
    m,
    valueRank,
    counts,
    cutoffs: {
      scored,
      recency: binTops(recencyOrder, columns.recencyDays, columns.ids),
      frequency: binTops(frequencyOrder, columns.orderCount, columns.ids),
      monetary: binTops(monetaryOrder, columns.netSpendMinor, columns.ids),
      goldCount,
      silverCount,
      lastGold,
      lastSilver,
    },
  };
}

/** The last (value, id) of each bin but the top one, in ranking order. */
function binTops(order: Int32Array, key: Float64Array, ids: readonly string[]): BinTop[] {
  const labels = quintileLabels(order.length);
  const tops: BinTop[] = [];
  for (let position = 0; position + 1 < order.length; position++) {
    const label = labels[position] ?? 1;
    if (label !== labels[position + 1]) {
      const row = order[position] ?? 0;
      tops.push({ value: key[row] ?? 0, customerId: ids[row] ?? '', label });
    }
  }
  return tops;
}

/**
 * A score from stored bin tops: the label of the first bin whose top (value, id) is not below the customer's
 * (value, id), else the top label (5). Exact for a customer whose numbers have not changed since the run that
 * stored the tops.
 */
export function scoreFromBinTops(tops: readonly BinTop[], value: number, customerId: string, reverse: boolean): number {
  let label = 5;
  for (const top of tops) {
    if (value < top.value || (value === top.value && customerId <= top.customerId)) {
      label = top.label;
      break;
    }
  }
  return reverse ? 6 - label : label;
}
