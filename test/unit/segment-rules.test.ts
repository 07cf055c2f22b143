import { describe, expect, it } from 'vitest';
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { aCustomerProfile } from '#test/support/builders.ts';
import { isMember, segmentProfiles, type Segmentation } from '#shared/segments/compute-segments.ts';
import { defaultSegmentsConfig, SegmentsConfigSchema, type SegmentsConfig } from '#shared/segments/segment-config.ts';
import { completedMonths } from '#shared/segments/segment-plan.ts';

const now = new Date('2026-06-30T12:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

/** A profile with one purchase a week ago, 50.00 EUR, no answers. */
const aProfile = (overrides: Partial<CustomerProfile> & { customerId: string }) => aCustomerProfile({ createdAt: daysAgo(7), ...overrides });

/** A purchaser with `orders` orders, last purchase `lastDays` ago and `net` minor units of net spend. */
function buyer(customerId: string, lastDays: number, orders: number, net: number): CustomerProfile {
  return aProfile({
    customerId,
    lastPurchaseAt: daysAgo(lastDays),
    firstPurchaseAt: daysAgo(Math.max(lastDays, 500)),
    orderCount: orders,
    netSpendMinor: net,
    monthlySpendMinor: { '2026-06': net },
  });
}

const refundOnly = aProfile({
  customerId: 'c_h',
  orderCount: 0,
  refundCount: 1,
  netSpendMinor: -3000,
  firstPurchaseAt: undefined,
  lastPurchaseAt: undefined,
  monthlySpendMinor: { '2026-06': -3000 },
  latestSatisfaction: { score: 1, at: daysAgo(2), source: 'form' },
});

/** Seven purchasers with ties on recency (a/b, c/g), frequency (b/e, d/g) and monetary (b/e), plus one refund-only customer. */
const rfmFixture = [
  buyer('c_a', 10, 3, 30000),
  buyer('c_b', 10, 1, 5000),
  buyer('c_c', 40, 5, 90000),
  buyer('c_d', 200, 2, 12000),
  buyer('c_e', 5, 1, 5000),
  buyer('c_f', 400, 8, 200000),
  buyer('c_g', 40, 2, -2000),
  refundOnly,
];

function segmentsOf(s: Segmentation, customerId: string): string[] {
  const row = s.columns.ids.indexOf(customerId);
  return s.plan.segments.flatMap((segment, index) => (isMember(s, row, index) ? [segment.id] : []));
}

function scoresOf(s: Segmentation, customerId: string): string {
  const row = s.columns.ids.indexOf(customerId);
  return `${s.r[row]}${s.f[row]}${s.m[row]}`;
}

const rfmOf = (s: Segmentation, customerId: string) => segmentsOf(s, customerId).filter((id) => id.startsWith('rfm-'));

describe('RFM scores (pandas qcut over rank(method="first"), ties by customer id, recency reversed)', () => {
  // n = 7 → labels by rank 1,1,2,3,4,5,5.
  // recency days asc: e5 a10 b10 c40 g40 d200 f400 → R (reversed) e5 a5 b4 c3 g2 d1 f1
  // orders asc:       b1 e1 d2 g2 a3 c5 f8          → F b1 e1 d2 g3 a4 c5 f5
  // net asc:          g-20 b50 e50 d120 a300 c900 f2000 → M g1 b1 e2 d3 a4 c5 f5
  const s = segmentProfiles(rfmFixture, defaultSegmentsConfig(), now);

  it('scores every purchaser as an analyst would, breaking ties by ascending customer id', () => {
    expect(Object.fromEntries(['c_a', 'c_b', 'c_c', 'c_d', 'c_e', 'c_f', 'c_g'].map((id) => [id, scoresOf(s, id)]))).toEqual({
      c_a: '544',
      c_b: '411',
      c_c: '355',
      c_d: '123',
      c_e: '512',
      c_f: '155',
      c_g: '231',
    });
  });

  it('names the RF groups with the default map', () => {
    expect(Object.fromEntries(['c_a', 'c_b', 'c_c', 'c_d', 'c_e', 'c_f', 'c_g'].map((id) => [id, rfmOf(s, id)]))).toEqual({
      c_a: ['rfm-champions'],
      c_b: ['rfm-promising'],
      c_c: ['rfm-loyal'],
      c_d: ['rfm-lost'],
      c_e: ['rfm-new'],
      c_f: ['rfm-cannot-lose-them'],
      c_g: ['rfm-at-risk'],
    });
  });

  it('leaves a refund-only customer out of the RFM population, so it scores nobody else', () => {
    expect(scoresOf(s, 'c_h')).toBe('000');
    expect(rfmOf(s, 'c_h')).toEqual([]);
    expect(s.cutoffs.scored).toBe(7);
  });

  it('ranks a purchaser whose refunds exceed the purchases lowest on monetary, but still scores them', () => {
    expect(scoresOf(s, 'c_g').slice(2)).toBe('1');
  });

  it('gives the same memberships whatever order the profiles arrive in', () => {
    const shuffled = segmentProfiles([...rfmFixture].reverse(), defaultSegmentsConfig(), now);
    for (const id of ['c_a', 'c_b', 'c_c', 'c_d', 'c_e', 'c_f', 'c_g', 'c_h']) expect(segmentsOf(shuffled, id)).toEqual(segmentsOf(s, id));
  });

  it('uses a pasted three-digit RFM table', () => {
    const config = SegmentsConfigSchema.parse({
      rfm: {
        scoreMap: {
          kind: 'rfm',
          groups: [
            { id: 'high-m', name: 'High M', match: ['[1-5][1-5][4-5]'] },
            { id: 'low-m', name: 'Low M', match: ['[1-5][1-5][1-3]'] },
          ],
        },
      },
    });
    const t = segmentProfiles(rfmFixture, config, now);
    expect(['c_a', 'c_c', 'c_f'].map((id) => rfmOf(t, id))).toEqual([['rfm-high-m'], ['rfm-high-m'], ['rfm-high-m']]);
    expect(['c_b', 'c_d', 'c_e', 'c_g'].map((id) => rfmOf(t, id))).toEqual([['rfm-low-m'], ['rfm-low-m'], ['rfm-low-m'], ['rfm-low-m']]);
  });
});

describe('gold and silver (top 10% / next 10% by trailing-12-month value, ties by customer id)', () => {
  const valued = (id: string, value: number, extra: Partial<CustomerProfile> = {}) =>
    aProfile({ customerId: id, netSpendMinor: value, monthlySpendMinor: { '2026-06': value }, ...extra });
  const ids = Array.from({ length: 20 }, (_, i) => `c_${String(i + 1).padStart(2, '0')}`);
  const values: Record<string, number> = { c_01: 100000, c_02: 50000, c_03: 50000, c_04: 50000, c_05: 40000 };

  it('makes the first 2 of 20 gold and the next 2 silver, splitting a tie by customer id', () => {
    const s = segmentProfiles(
      ids.map((id) => valued(id, values[id] ?? 1000)),
      defaultSegmentsConfig(),
      now,
    );
    expect(ids.filter((id) => segmentsOf(s, id).includes('gold'))).toEqual(['c_01', 'c_02']);
    expect(ids.filter((id) => segmentsOf(s, id).includes('silver'))).toEqual(['c_03', 'c_04']);
  });

  it('counts only the window: spend 12 months back is outside it, this month and 11 before are in', () => {
    const profiles = ids.map((id) => valued(id, 1000));
    profiles[5] = valued('c_06', 0, { netSpendMinor: 900000, monthlySpendMinor: { '2025-06': 900000 } });
    profiles[6] = valued('c_07', 0, { netSpendMinor: 800000, monthlySpendMinor: { '2025-07': 800000 } });
    const s = segmentProfiles(profiles, defaultSegmentsConfig(), now);
    expect(segmentsOf(s, 'c_06')).not.toContain('gold');
    expect(segmentsOf(s, 'c_07')).toContain('gold');
  });

  it('never makes a customer with no positive 12-month value gold, even at the top of a small ranking', () => {
    const s = segmentProfiles(
      ids.slice(0, 10).map((id) => valued(id, 0, { monthlySpendMinor: { '2024-01': 5000 } })),
      defaultSegmentsConfig(),
      now,
    );
    expect(s.counts[s.plan.segments.findIndex((seg) => seg.id === 'gold')]).toBe(0);
    expect(s.cutoffs.goldCount).toBe(1);
  });

  it('takes the percentages from config', () => {
    const config = SegmentsConfigSchema.parse({ value: { goldTopPercent: 25, silverNextPercent: 5 } });
    const s = segmentProfiles(
      ids.map((id) => valued(id, values[id] ?? 1000)),
      config,
      now,
    );
    expect(ids.filter((id) => segmentsOf(s, id).includes('gold'))).toEqual(['c_01', 'c_02', 'c_03', 'c_04', 'c_05']);
    expect(ids.filter((id) => segmentsOf(s, id).includes('silver'))).toEqual(['c_06']);
  });
});

describe('rule segments', () => {
  const config: SegmentsConfig = defaultSegmentsConfig();
  const check = (profile: CustomerProfile) => segmentsOf(segmentProfiles([profile], config, now), profile.customerId);

  it('one-time: exactly one purchase', () => {
    expect(check(aProfile({ customerId: 'c_1', orderCount: 1 }))).toContain('one-time');
    expect(check(aProfile({ customerId: 'c_1', orderCount: 2 }))).not.toContain('one-time');
  });

  it('frequent: at least 5 purchases by default', () => {
    expect(check(aProfile({ customerId: 'c_1', orderCount: 5 }))).toContain('frequent');
    expect(check(aProfile({ customerId: 'c_1', orderCount: 4 }))).not.toContain('frequent');
  });

  it('loyal: 12 completed months since the first purchase and a repeat purchase', () => {
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: '2025-06-30T12:00:00Z', orderCount: 2 }))).toContain('loyal');
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: '2025-06-30T12:00:01Z', orderCount: 2 }))).not.toContain('loyal');
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: '2025-01-01T00:00:00Z', orderCount: 1 }))).not.toContain('loyal');
  });

  it('new: first purchase at most 30 days before the run', () => {
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: daysAgo(30) }))).toContain('new');
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: daysAgo(30.01) }))).not.toContain('new');
  });

  it('lapsed: a purchaser with no purchase for more than 90 days', () => {
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: daysAgo(300), lastPurchaseAt: daysAgo(90.01) }))).toContain('lapsed');
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: daysAgo(300), lastPurchaseAt: daysAgo(90) }))).not.toContain('lapsed');
  });

  it('unsatisfied: latest answer of 2 or less out of 5, from the form or a staff interaction', () => {
    expect(check(aProfile({ customerId: 'c_1', latestSatisfaction: { score: 2, at: daysAgo(1), source: 'interaction' } }))).toContain('unsatisfied');
    expect(check(aProfile({ customerId: 'c_1', latestSatisfaction: { score: 3, at: daysAgo(1), source: 'form' } }))).not.toContain('unsatisfied');
    expect(check(aProfile({ customerId: 'c_1' }))).not.toContain('unsatisfied');
  });

  it('referrers: at least one referred customer', () => {
    expect(check(aProfile({ customerId: 'c_1', referralCount: 1 }))).toContain('referrers');
    expect(check(aProfile({ customerId: 'c_1', referralCount: 0 }))).not.toContain('referrers');
  });

  it('long-tenure: 24 completed months since the first purchase', () => {
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: '2024-06-30T12:00:00Z' }))).toContain('long-tenure');
    expect(check(aProfile({ customerId: 'c_1', firstPurchaseAt: '2024-07-01T00:00:00Z' }))).not.toContain('long-tenure');
  });

  it('puts a refund-only customer in no purchase segment, but still in unsatisfied', () => {
    expect(check(refundOnly)).toEqual(['unsatisfied']);
  });

  it('counts calendar months with the day clamped to the month end (31 Jan + 1 month = 28 Feb)', () => {
    expect(completedMonths(Date.parse('2026-01-31T00:00:00Z'), Date.parse('2026-02-28T00:00:00Z'))).toBe(1);
    expect(completedMonths(Date.parse('2026-01-31T00:00:00Z'), Date.parse('2026-02-27T23:59:59Z'))).toBe(0);
  });
});

describe('custom segments from config', () => {
  const config = SegmentsConfigSchema.parse({
    custom: [
      {
        id: 'quiet-tent-buyers',
        name: 'Quiet tent buyers',
        where: {
          and: [
            { field: 'category.tents', gte: 5000 },
            { field: 'lastPurchaseAt', olderThanDays: 60 },
          ],
        },
      },
      {
        id: 'nordic',
        name: 'Nordic',
        where: {
          or: [
            { field: 'country', in: ['IS', 'DK'] },
            { field: 'locale', eq: 'fi' },
          ],
        },
      },
      { id: 'silent', name: 'Never answered', where: { not: { field: 'satisfaction', exists: true } } },
    ],
  });
  const check = (profile: CustomerProfile) =>
    segmentsOf(segmentProfiles([profile], config, now), profile.customerId).filter((id) => ['quiet-tent-buyers', 'nordic', 'silent'].includes(id));

  it('evaluates and / or / not, comparisons, in, exists and date-relative tests', () => {
    expect(check(aProfile({ customerId: 'c_1', lastPurchaseAt: daysAgo(61), firstPurchaseAt: daysAgo(100) }))).toEqual([
      'quiet-tent-buyers',
      'nordic',
      'silent',
    ]);
    expect(
      check(
        aProfile({
          customerId: 'c_2',
          country: 'SE',
          locale: 'sv',
          lastPurchaseAt: daysAgo(59),
          latestSatisfaction: { score: 5, at: daysAgo(3), source: 'form' },
        }),
      ),
    ).toEqual([]);
    expect(check(aProfile({ customerId: 'c_3', country: 'SE', locale: 'fi', categorySpendMinor: { tents: 4999 }, lastPurchaseAt: daysAgo(200) }))).toEqual([
      'nordic',
      'silent',
    ]);
  });

  it('treats a missing value as failing every test but exists: false', () => {
    expect(check(aProfile({ customerId: 'c_4', country: undefined, locale: undefined, categorySpendMinor: {}, lastPurchaseAt: daysAgo(200) }))).toEqual([
      'silent',
    ]);
  });
});
