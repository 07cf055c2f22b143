/**
 * Profiles as columns: what the global rankings need (ids, recency, frequency, monetary, 12-month value)
 * in typed arrays, plus the membership bits of every per-customer rule, evaluated as each profile is added.
 * A million profiles take ~100 MB this way instead of ~1 GB as objects, and a scan can feed the builder page
 * by page without holding the items.
 */
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { completedMonths, RULE, type SegmentPlan } from '#shared/segments/segment-plan.ts';

const DAY_MS = 86_400_000;

export interface ProfileColumns {
  count: number;
  ids: string[];
  orderCount: Float64Array;
  netSpendMinor: Float64Array;
  value12mMinor: Float64Array;
  /** Whole days since the last purchase; NaN without a purchase. */
  recencyDays: Float64Array;
  /** NaN without a purchase. */
  firstPurchaseMs: Float64Array;
  /** 0 without an answer. */
  satisfaction: Uint8Array;
  referralCount: Float64Array;
  /** Row-major membership bits, `plan.words` words per row; rules and custom segments set here, RFM and value by the compute. */
  membership: Uint32Array;
}

export class ProfileColumnsBuilder {
  private n = 0;
  private capacity: number;
  private readonly ids: string[] = [];
  private orderCount: Float64Array;
  private netSpendMinor: Float64Array;
  private value12mMinor: Float64Array;
  private recencyDays: Float64Array;
  private firstPurchaseMs: Float64Array;
  private satisfaction: Uint8Array;
  private referralCount: Float64Array;
  private membership: Uint32Array;

  constructor(
    private readonly plan: SegmentPlan,
    initialCapacity = 1024,
  ) {
    this.capacity = Math.max(16, initialCapacity);
    this.orderCount = new Float64Array(this.capacity);
    this.netSpendMinor = new Float64Array(this.capacity);
    this.value12mMinor = new Float64Array(this.capacity);
    this.recencyDays = new Float64Array(this.capacity);
    this.firstPurchaseMs = new Float64Array(this.capacity);
    this.satisfaction = new Uint8Array(this.capacity);
    this.referralCount = new Float64Array(this.capacity);
    this.membership = new Uint32Array(this.capacity * plan.words);
  }

  get count(): number {
    return this.n;
  }

  /** Adds one profile; returns its row. */
  add(profile: CustomerProfile): number {
    if (this.n === this.capacity) this.grow();
    const row = this.n++;
    const { plan } = this;
    const { config, nowMs } = plan;
    let value = 0;
    for (const month of plan.valueMonths) value += profile.monthlySpendMinor[month] ?? 0;
    const lastMs = profile.lastPurchaseAt === undefined ? Number.NaN : Date.parse(profile.lastPurchaseAt);
    const firstMs = profile.firstPurchaseAt === undefined ? Number.NaN : Date.parse(profile.firstPurchaseAt);
    // A customer with refunds only has no purchase: no recency, no tenure, and none of the purchase rules.
    const purchased = profile.orderCount >= 1 && !Number.isNaN(lastMs) && !Number.isNaN(firstMs);
    this.ids.push(profile.customerId);
    this.orderCount[row] = purchased ? profile.orderCount : 0;
    this.netSpendMinor[row] = profile.netSpendMinor;
    this.value12mMinor[row] = value;
    this.recencyDays[row] = purchased ? Math.floor((nowMs - lastMs) / DAY_MS) : Number.NaN;
    this.firstPurchaseMs[row] = purchased ? firstMs : Number.NaN;
    const score = profile.latestSatisfaction?.score ?? 0;
    this.satisfaction[row] = score;
    this.referralCount[row] = profile.referralCount;

    const set = (segment: number) => {
      const at = row * plan.words + (segment >>> 5);
      this.membership[at] = ((this.membership[at] ?? 0) | (1 << (segment & 31))) >>> 0;
    };
    if (purchased) {
      const orders = profile.orderCount;
      const tenureMonths = completedMonths(firstMs, nowMs);
      const firstAge = nowMs - firstMs;
      if (orders === 1) set(RULE.oneTime);
      if (orders >= config.frequent.minOrders) set(RULE.frequent);
      // Loyal also needs a recent purchase: long tenure and many orders long ago make a lapsed customer, not a loyal one.
      if (tenureMonths >= config.loyal.minTenureMonths && orders >= config.loyal.minOrders && nowMs - lastMs <= config.loyal.recentWithinDays * DAY_MS)
        set(RULE.loyal);
      if (firstAge >= 0 && firstAge <= config.new.withinDays * DAY_MS) set(RULE.new);
      if (nowMs - lastMs > config.lapsed.afterDays * DAY_MS) set(RULE.lapsed);
      if (tenureMonths >= config.longTenure.minMonths) set(RULE.longTenure);
    }
    if (score >= 1 && score <= config.unsatisfied.maxScore) set(RULE.unsatisfied);
    if (profile.referralCount >= config.referrers.minReferrals) set(RULE.referrers);
    if (plan.customPredicates.length > 0) {
      const subject = { profile, value12mMinor: value, nowMs };
      plan.customPredicates.forEach((predicate, i) => {
        if (predicate(subject)) set(plan.firstCustomSegment + i);
      });
    }
    return row;
  }

  build(): ProfileColumns {
    const n = this.n;
    return {
      count: n,
      ids: this.ids,
      orderCount: this.orderCount.subarray(0, n),
      netSpendMinor: this.netSpendMinor.subarray(0, n),
      value12mMinor: this.value12mMinor.subarray(0, n),
      recencyDays: this.recencyDays.subarray(0, n),
      firstPurchaseMs: this.firstPurchaseMs.subarray(0, n),
      satisfaction: this.satisfaction.subarray(0, n),
      referralCount: this.referralCount.subarray(0, n),
      membership: this.membership.subarray(0, n * this.plan.words),
    };
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.orderCount = grow64(this.orderCount);
    this.netSpendMinor = grow64(this.netSpendMinor);
    this.value12mMinor = grow64(this.value12mMinor);
    this.recencyDays = grow64(this.recencyDays);
    this.firstPurchaseMs = grow64(this.firstPurchaseMs);
    this.referralCount = grow64(this.referralCount);
    const satisfaction = new Uint8Array(capacity);
    satisfaction.set(this.satisfaction);
    this.satisfaction = satisfaction;
    const membership = new Uint32Array(capacity * this.plan.words);
    membership.set(this.membership);
    this.membership = membership;
    this.capacity = capacity;
  }
}
