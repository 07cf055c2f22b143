/**
 * Why a customer is (or is no longer) in a segment, with the numbers, as one line: the reason carried by
 * SegmentEntered / SegmentExited and printed by `kinship segments explain`. Ids and numbers only — no names.
 */
import { fromMinorUnits, minorUnitDigits } from '#shared/money.ts';
import type { Segmentation } from '#shared/segments/compute-segments.ts';
import { codeIndex } from '#shared/segments/rfm-map.ts';
import { FIRST_RFM_SEGMENT, RULE } from '#shared/segments/segment-plan.ts';

const DAY_MS = 86_400_000;

export function formatMoney(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return `${fromMinorUnits(minor, currency).toFixed(digits)} ${currency}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The facts behind one segment for one customer, true or not: entering reasons and exiting reasons alike. */
export function describeSegment(s: Segmentation, row: number, segment: number): string {
  const { plan, columns } = s;
  const { config } = plan;
  const orders = columns.orderCount[row] ?? 0;
  const recency = columns.recencyDays[row] ?? Number.NaN;
  const firstMs = columns.firstPurchaseMs[row] ?? Number.NaN;
  const money = (minor: number) => formatMoney(minor, plan.currency);
  if (orders < 1 && segment !== RULE.unsatisfied && segment !== RULE.referrers && segment < plan.firstCustomSegment) {
    return `no purchase (net spend ${money(columns.netSpendMinor[row] ?? 0)}, refunds only or none)`;
  }
  const tenureDays = Math.floor((plan.nowMs - firstMs) / DAY_MS);
  switch (segment) {
    case RULE.oneTime:
      return `${plural(orders, 'purchase')} (one-time = exactly 1)`;
    case RULE.frequent:
      return `${plural(orders, 'purchase')} (frequent from ${config.frequent.minOrders})`;
    case RULE.loyal:
      return `customer for ${plural(tenureDays, 'day')} since ${new Date(firstMs).toISOString().slice(0, 10)} with ${plural(orders, 'purchase')}, the last ${plural(recency, 'day')} ago (loyal from ${config.loyal.minTenureMonths} months and ${config.loyal.minOrders} purchases, the last within ${config.loyal.recentWithinDays} days)`;
    case RULE.new:
      return `first purchase ${plural(tenureDays, 'day')} ago (new within ${config.new.withinDays})`;
    case RULE.lapsed:
      return `last purchase ${plural(recency, 'day')} ago (lapsed after ${config.lapsed.afterDays})`;
    case RULE.unsatisfied: {
      const score = columns.satisfaction[row] ?? 0;
      return score === 0 ? 'no satisfaction answer' : `latest satisfaction ${score} of 5 (unsatisfied at ${config.unsatisfied.maxScore} or below)`;
    }
    case RULE.referrers:
      return `referred ${plural(columns.referralCount[row] ?? 0, 'customer')} (referrer from ${config.referrers.minReferrals})`;
    case RULE.longTenure:
      return `customer for ${plural(tenureDays, 'day')} since ${new Date(firstMs).toISOString().slice(0, 10)} (long tenure from ${config.longTenure.minMonths} months)`;
    case RULE.gold:
    case RULE.silver: {
      const { goldCount, silverCount, scored } = s.cutoffs;
      return `${config.value.windowMonths}-month value ${money(columns.value12mMinor[row] ?? 0)}, rank ${s.valueRank[row] ?? 0} of ${scored} (gold = top ${goldCount}, silver = next ${silverCount})`;
    }
  }
  if (segment >= FIRST_RFM_SEGMENT && segment < plan.firstCustomSegment) {
    const group = plan.segments[FIRST_RFM_SEGMENT + (plan.groupLookup[rfmCode(s, row)] ?? 0)];
    return `R${s.r[row] ?? 0} F${s.f[row] ?? 0} M${s.m[row] ?? 0} → ${group?.name ?? '?'}: last purchase ${plural(recency, 'day')} ago, ${plural(orders, 'purchase')}, net spend ${money(columns.netSpendMinor[row] ?? 0)}`;
  }
  const custom = plan.config.custom[segment - plan.firstCustomSegment];
  return custom ? `custom segment "${custom.id}": ${JSON.stringify(custom.where)}` : 'unknown segment';
}

function rfmCode(s: Segmentation, row: number): number {
  return codeIndex(s.plan.scoreMapKind, s.r[row] ?? 1, s.f[row] ?? 1, s.m[row] ?? 1);
}
