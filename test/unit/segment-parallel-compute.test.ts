import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng } from '#local/seed-demo-shop.ts';
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { computeSegments, scoredRows, type Segmentation } from '#shared/segments/compute-segments.ts';
import { sortByCustomerId } from '#shared/segments/customer-order.ts';
import { computeSegmentsInParallel, computeThreads, startRankWorkers, type RankWorkers } from '#shared/segments/parallel-compute.ts';
import { ProfileColumnsBuilder, type ProfileColumns } from '#shared/segments/profile-columns.ts';
import { encodeIds, sortRowsById } from '#shared/segments/rank-tasks.ts';
import { defaultSegmentsConfig } from '#shared/segments/segment-config.ts';
import { planSegments, type SegmentPlan } from '#shared/segments/segment-plan.ts';
import { aCustomerProfile } from '#test/support/builders.ts';

const now = new Date('2026-06-30T12:00:00Z');
const DAY = 86_400_000;

/**
 * Ids that stress the id sort: a shared prefix, ids that are prefixes of others, runs that agree on far more
 * than the 8 packed units, different lengths, and many ties on every key (few distinct order counts and days).
 */
function someIds(count: number, random: () => number): string[] {
  const ids = new Set<string>();
  while (ids.size < count) {
    const kind = Math.floor(random() * 4);
    const hex = Math.floor(random() * 0xffffff).toString(16);
    if (kind === 0) ids.add(`c_${hex}`);
    else if (kind === 1) ids.add(`c_${hex.slice(0, 2)}`);
    else if (kind === 2) ids.add(`c_aaaaaaaaaaaa${hex}`);
    else ids.add(`c_${hex}${hex}`);
  }
  return [...ids];
}

function profile(customerId: string, random: () => number): CustomerProfile {
  const orders = random() < 0.05 ? 0 : 1 + Math.floor(random() * 4);
  const lastDays = Math.floor(random() * 40);
  const net = orders === 0 ? -500 : 1000 * Math.floor(random() * 6);
  return aCustomerProfile({
    customerId,
    locale: 'en',
    createdAt: undefined,
    updatedAt: undefined,
    firstPurchaseAt: orders === 0 ? undefined : new Date(now.getTime() - (lastDays + 100) * DAY).toISOString(),
    lastPurchaseAt: orders === 0 ? undefined : new Date(now.getTime() - lastDays * DAY).toISOString(),
    orderCount: orders,
    refundCount: orders === 0 ? 1 : 0,
    itemCount: orders,
    netSpendMinor: net,
    categorySpendMinor: {},
    monthlySpendMinor: { '2026-06': random() < 0.3 ? 0 : net },
  });
}

function columnsOf(plan: SegmentPlan, ids: readonly string[], seed: number): ProfileColumns {
  const random = createPrng(seed);
  const builder = new ProfileColumnsBuilder(plan, ids.length);
  for (const id of ids) builder.add(profile(id, random));
  return builder.build();
}

/** Everything a run stores or publishes from a segmentation. */
function outcome(s: Segmentation) {
  return {
    membership: Array.from(s.columns.membership),
    r: Array.from(s.r),
    f: Array.from(s.f),
    m: Array.from(s.m),
    valueRank: Array.from(s.valueRank),
    counts: s.counts,
    cutoffs: s.cutoffs,
  };
}

describe('segment compute on worker threads', () => {
  const plan = planSegments(defaultSegmentsConfig(), now);
  const ids = someIds(4_000, createPrng(7));
  let two: RankWorkers;
  let three: RankWorkers;

  beforeAll(() => {
    two = startRankWorkers(2);
    three = startRankWorkers(3);
  });
  afterAll(async () => {
    await two.close();
    await three.close();
  });

  it('gives the same memberships, scores, ranks and cutoffs as the one-thread compute', async () => {
    const single = outcome(computeSegments(plan, columnsOf(plan, ids, 3)));
    expect(single.cutoffs.scored).toBeGreaterThan(3_500);
    expect(outcome(await computeSegmentsInParallel(plan, columnsOf(plan, ids, 3), two))).toEqual(single);
    expect(outcome(await computeSegmentsInParallel(plan, columnsOf(plan, ids, 3), three))).toEqual(single);
  });

  it('uses the workers it was given: two threads start one worker, three start two', () => {
    expect(two.threads).toBe(2);
    expect(three.threads).toBe(3);
  });

  it('sorts encoded ids in the order of JavaScript strings, non-ASCII ids included', () => {
    const mixed = [...ids.slice(0, 500), 'c_ð', 'c_ö1', 'c_😀', 'c_', 'c'];
    const columns = columnsOf(plan, mixed, 5);
    const expected = Array.from(sortByCustomerId(columns.ids, scoredRows(columns)));
    expect(Array.from(sortRowsById(encodeIds(columns.ids), scoredRows(columns)))).toEqual(expected);
    const ascii = columnsOf(plan, ids, 5);
    expect(Array.from(sortRowsById(encodeIds(ascii.ids), scoredRows(ascii)))).toEqual(Array.from(sortByCustomerId(ascii.ids, scoredRows(ascii))));
  });
});

describe('computeThreads', () => {
  it('uses every core outside Lambda', () => {
    expect(computeThreads({}, 8)).toBe(8);
  });

  it('caps Lambda at the vCPUs its memory buys (1,769 MB each)', () => {
    expect(computeThreads({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048' }, 2)).toBe(1);
    expect(computeThreads({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3538' }, 2)).toBe(2);
    expect(computeThreads({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '7076' }, 6)).toBe(4);
  });
});
