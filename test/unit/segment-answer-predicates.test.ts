import { describe, expect, it } from 'vitest';
import { profileFromItem, type CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { isMember, segmentProfiles } from '#shared/segments/compute-segments.ts';
import { compilePredicate, PredicateSchema, predicateTypeIssues, type Predicate } from '#shared/segments/predicate.ts';
import { defaultSegmentsConfig, loadSegmentsConfig, SegmentsConfigSchema } from '#shared/segments/segment-config.ts';

const now = new Date('2026-06-30T12:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

/** A profile item as the table holds it: one purchase a week ago, then whatever the test adds. */
function aProfileItem(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    PK: 'CUST#c_1',
    SK: 'PROFILE',
    customerId: 'c_1',
    orderCount: 1,
    netSpendMinor: 5000,
    firstPurchaseAt: daysAgo(7),
    lastPurchaseAt: daysAgo(7),
    createdAt: daysAgo(7),
    'mon#2026-06': 5000,
    ...extra,
  };
}

const answer = (value: unknown, orderId = 'o1') => ({ value, at: daysAgo(3), source: 'form', orderId });

function matches(where: Predicate, profile: CustomerProfile): boolean {
  const parsed = PredicateSchema.parse(where);
  expect(predicateTypeIssues(parsed)).toEqual([]);
  return compilePredicate(parsed)({ profile, value12mMinor: 0, nowMs: now.getTime() });
}

describe('segment predicates over form answers and contacts', () => {
  const answered = profileFromItem(
    aProfileItem({
      'ans#heardFrom': answer('social'),
      'ans#ageBand': answer('25-34'),
      'ans#interests': answer(['tents', 'bags']),
      'ans#whyChoseUs': answer('Friendly staff'),
      lastContactAt: daysAgo(10),
      openCases: 2,
    }),
  );
  const silent = profileFromItem(aProfileItem());

  it('reads where they heard of us, the age band and why they chose us from the profile answers', () => {
    expect(matches({ field: 'heardFrom', eq: 'social' }, answered)).toBe(true);
    expect(matches({ field: 'heardFrom', eq: 'social' }, silent)).toBe(false);
    expect(matches({ field: 'ageBand', in: ['18-24', '25-34'] }, answered)).toBe(true);
    expect(matches({ field: 'whyChoseUs', exists: true }, answered)).toBe(true);
    expect(matches({ field: 'whyChoseUs', exists: false }, silent)).toBe(true);
  });

  it('tests interests as a set: eq has it, in has any, ne has not, exists is non-empty', () => {
    expect(matches({ field: 'interests', eq: 'tents' }, answered)).toBe(true);
    expect(matches({ field: 'interests', eq: 'kayaks' }, answered)).toBe(false);
    expect(matches({ field: 'interests', in: ['kayaks', 'bags'] }, answered)).toBe(true);
    expect(matches({ field: 'interests', ne: 'tents' }, answered)).toBe(false);
    expect(matches({ field: 'interests', ne: 'tents' }, silent)).toBe(true);
    expect(matches({ field: 'interests', exists: true }, silent)).toBe(false);
  });

  it('reads the last contact and the open cases', () => {
    expect(matches({ field: 'lastContactAt', withinDays: 14 }, answered)).toBe(true);
    expect(matches({ field: 'lastContactAt', withinDays: 7 }, answered)).toBe(false);
    expect(matches({ field: 'daysSinceLastContact', gte: 10 }, answered)).toBe(true);
    expect(matches({ field: 'daysSinceLastContact', exists: false }, silent)).toBe(true);
    expect(matches({ field: 'openCases', gte: 1 }, answered)).toBe(true);
    expect(matches({ field: 'openCases', eq: 0 }, silent)).toBe(true);
  });

  it('names an unknown field in the validation error', () => {
    const result = SegmentsConfigSchema.safeParse({ custom: [{ id: 'typo', name: 'Typo', where: { field: 'heardFromm', eq: 'social' } }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['custom.0.where.field', expect.stringContaining('unknown field "heardFromm"')],
    ]);
  });

  it('refuses order comparisons on interests and days on a text answer', () => {
    const result = SegmentsConfigSchema.safeParse({
      custom: [
        { id: 'a', name: 'A', where: { field: 'interests', gt: 'tents' } },
        { id: 'b', name: 'B', where: { field: 'heardFrom', withinDays: 3 } },
      ],
    });
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      expect.stringContaining('interests: is a list'),
      expect.stringContaining('heardFrom: olderThanDays / withinDays apply to date fields'),
    ]);
  });

  it('puts the customers who heard of us on social media in the example segment of config/segments.yaml', () => {
    const config = loadSegmentsConfig();
    const fromSocial = profileFromItem(aProfileItem({ customerId: 'c_s', 'ans#heardFrom': answer('social') }));
    const fromFriend = profileFromItem(aProfileItem({ customerId: 'c_f', 'ans#heardFrom': answer('friend') }));
    const s = segmentProfiles([fromSocial, fromFriend], config, now);
    const index = s.plan.segments.findIndex((segment) => segment.id === 'heard-via-social');
    expect(index).toBeGreaterThan(0);
    expect(s.columns.ids.filter((_, row) => isMember(s, row, index))).toEqual(['c_s']);
  });
});

describe('loyal needs a recent purchase', () => {
  const config = defaultSegmentsConfig();
  const segmentsOf = (profile: CustomerProfile) => {
    const s = segmentProfiles([profile], config, now);
    return s.plan.segments.filter((_, i) => isMember(s, 0, i)).map((segment) => segment.id);
  };

  it('a customer of two years with many orders but none in the last 90 days is lapsed, not loyal', () => {
    const lapsedRegular = profileFromItem(aProfileItem({ orderCount: 12, firstPurchaseAt: daysAgo(730), lastPurchaseAt: daysAgo(200) }));
    expect(segmentsOf(lapsedRegular)).toContain('lapsed');
    expect(segmentsOf(lapsedRegular)).not.toContain('loyal');
  });

  it('the same customer with a purchase 30 days ago is loyal', () => {
    expect(segmentsOf(profileFromItem(aProfileItem({ orderCount: 12, firstPurchaseAt: daysAgo(730), lastPurchaseAt: daysAgo(30) })))).toContain('loyal');
  });

  it('takes the window from loyal.recentWithinDays, and refuses one longer than lapsed.afterDays', () => {
    const narrow = SegmentsConfigSchema.parse({ loyal: { minTenureMonths: 12, minOrders: 2, recentWithinDays: 20 } });
    const s = segmentProfiles([profileFromItem(aProfileItem({ orderCount: 12, firstPurchaseAt: daysAgo(730), lastPurchaseAt: daysAgo(30) }))], narrow, now);
    expect(
      isMember(
        s,
        0,
        s.plan.segments.findIndex((segment) => segment.id === 'loyal'),
      ),
    ).toBe(false);
    const wide = SegmentsConfigSchema.safeParse({ loyal: { recentWithinDays: 120 }, lapsed: { afterDays: 90 } });
    expect(wide.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['loyal.recentWithinDays', expect.stringContaining('must not exceed lapsed.afterDays (90)')],
    ]);
  });
});
