/**
 * Campaign results: per campaign and per occurrence the funnel (planned → sent → delivered … → converted), the
 * attributed revenue, and sent vs held out — conversion and revenue per recipient within the attribution click
 * window, the lift and its 95% interval (Wald for the conversion rate, Welch for revenue per recipient).
 */
import {
  EMAIL_COUNTERS,
  inRange,
  zeroCounts,
  type ClaimRow,
  type EmailCounts,
  type OrderRow,
  type ReportData,
  type ReportRange,
} from '#shared/reports/report-data.ts';
import { waldDifference, welchDifference, type Interval, type SampleSums } from '#shared/reports/statistics.ts';

export interface GroupResult {
  recipients: number;
  converters: number;
  conversionRate: number | null;
  revenueMinor: number;
  revenuePerRecipientMinor: number | null;
}

export interface HoldoutComparison {
  sent: GroupResult;
  heldOut: GroupResult;
  /** Sent minus held-out conversion rate, with its 95% Wald interval; null without a holdout. */
  conversionLift: (Interval & { relative: number | null }) | null;
  /** Sent minus held-out revenue per recipient (minor units), with its 95% Welch interval. */
  revenueLift: (Interval & { degreesOfFreedom: number }) | null;
}

export interface FunnelCounts extends EmailCounts {
  planned: number;
  heldOut: number;
  /** Orders attributed to the campaign (last click / open / delivery), and their revenue. */
  converted: number;
  revenueMinor: number;
}

export interface OccurrenceResult extends FunnelCounts {
  occurrenceId: string;
  /** The earliest time of the occurrence (planned, sent or held out), ISO. */
  startedAt: string;
}

export interface CampaignResult extends FunnelCounts {
  campaignId: string;
  occurrenceCount: number;
  bounceRate: number | null;
  complaintRate: number | null;
  holdout: HoldoutComparison;
  /** The occurrences, oldest first (a triggered campaign has one per trigger event). */
  occurrences: OccurrenceResult[];
}

const DAY_MS = 86_400_000;

/** Each customer's purchases, time-sorted, for the window lookups. */
export function purchasesByCustomer(orders: readonly OrderRow[]): Map<string, { at: number; totalMinor: number }[]> {
  const byCustomer = new Map<string, { at: number; totalMinor: number }[]>();
  for (const order of orders) {
    if (order.kind !== 'purchase') continue;
    let list = byCustomer.get(order.customerId);
    if (!list) byCustomer.set(order.customerId, (list = []));
    list.push({ at: order.purchasedAt, totalMinor: order.totalMinor });
  }
  for (const list of byCustomer.values()) list.sort((a, b) => a.at - b.at);
  return byCustomer;
}

interface GroupSums extends SampleSums {
  converters: number;
}

const emptyGroup = (): GroupSums => ({ n: 0, sum: 0, sumOfSquares: 0, converters: 0 });

function groupResult(g: GroupSums): GroupResult {
  return {
    recipients: g.n,
    converters: g.converters,
    conversionRate: g.n > 0 ? g.converters / g.n : null,
    revenueMinor: g.sum,
    revenuePerRecipientMinor: g.n > 0 ? g.sum / g.n : null,
  };
}

function emptyFunnel(): FunnelCounts {
  return { ...zeroCounts(), planned: 0, heldOut: 0, converted: 0, revenueMinor: 0 };
}

const FUNNEL_KEYS = ['planned', 'heldOut', 'converted', 'revenueMinor', ...EMAIL_COUNTERS] as const satisfies readonly (keyof FunnelCounts)[];

function addFunnel(target: FunnelCounts, source: FunnelCounts): void {
  for (const key of FUNNEL_KEYS) target[key] += source[key];
}

export function campaignResults(data: ReportData, range: ReportRange, conversionWindowDays: number): CampaignResult[] {
  const purchases = purchasesByCustomer(data.orders);
  const windowMs = conversionWindowDays * DAY_MS;

  // Occurrences in range: any claim (sent, held out or claimed) or the planned record in range.
  interface Occ {
    campaignId: string;
    occurrenceId: string;
    startedAt: number;
    claims: ClaimRow[];
    recipients: number;
  }
  const occurrences = new Map<string, Occ>();
  const occKey = (campaignId: string, occurrenceId: string) => `${campaignId}\u0000${occurrenceId}`;
  const occOf = (campaignId: string, occurrenceId: string, at: number): Occ => {
    const key = occKey(campaignId, occurrenceId);
    let occ = occurrences.get(key);
    if (!occ) occurrences.set(key, (occ = { campaignId, occurrenceId, startedAt: at, claims: [], recipients: 0 }));
    occ.startedAt = Math.min(occ.startedAt, at);
    return occ;
  };
  for (const claim of data.claims) if (inRange(range, claim.at)) occOf(claim.campaignId, claim.occurrenceId, claim.at).claims.push(claim);
  for (const planned of data.occurrences) {
    const at = Date.parse(planned.plannedAt);
    if (inRange(range, at)) occOf(planned.campaignId, planned.occurrenceId, at).recipients = planned.recipients;
  }
  const stats = new Map(data.campaignStats.map((s) => [occKey(s.campaignId, s.occurrenceId), s.counts]));
  const attributed = new Map<string, { converted: number; revenueMinor: number }>();
  for (const order of data.orders) {
    if (!order.attribution || !inRange(range, order.purchasedAt)) continue;
    const key = occKey(order.attribution.campaignId, order.attribution.occurrenceId);
    const entry = attributed.get(key) ?? { converted: 0, revenueMinor: 0 };
    entry.converted++;
    entry.revenueMinor += order.attribution.revenueMinor;
    attributed.set(key, entry);
    // An attributed order whose occurrence had no claim in range still counts for its campaign.
    if (!occurrences.has(key)) occOf(order.attribution.campaignId, order.attribution.occurrenceId, order.purchasedAt);
  }

  const campaigns = new Map<string, { funnel: FunnelCounts; sent: GroupSums; heldOut: GroupSums; occurrences: OccurrenceResult[] }>();
  for (const [key, occ] of occurrences) {
    const funnel = emptyFunnel();
    const fromClaims = zeroCounts();
    for (const claim of occ.claims) {
      if (claim.status === 'held-out') funnel.heldOut++;
      if (claim.status !== 'sent') continue;
      fromClaims.sent++;
      if (claim.delivered) fromClaims.delivered++;
      if (claim.bounced) fromClaims.bounced++;
      if (claim.complained) fromClaims.complained++;
      if (claim.opened) fromClaims.opened++;
      if (claim.clicked) fromClaims.clicked++;
    }
    // The per-occurrence counters (SES events, counted once each) when recorded; the claims' own marks otherwise.
    const counted = stats.get(key);
    Object.assign(funnel, counted ? { ...counted, sent: Math.max(counted.sent, fromClaims.sent) } : fromClaims);
    funnel.planned = Math.max(occ.recipients, occ.claims.length);
    const conversions = attributed.get(key);
    funnel.converted = conversions?.converted ?? 0;
    funnel.revenueMinor = conversions?.revenueMinor ?? 0;

    let campaign = campaigns.get(occ.campaignId);
    if (!campaign) campaigns.set(occ.campaignId, (campaign = { funnel: emptyFunnel(), sent: emptyGroup(), heldOut: emptyGroup(), occurrences: [] }));
    addFunnel(campaign.funnel, funnel);
    campaign.occurrences.push({ ...funnel, occurrenceId: occ.occurrenceId, startedAt: new Date(occ.startedAt).toISOString() });
    for (const claim of occ.claims) {
      if (claim.status === 'claimed') continue;
      const group = claim.status === 'sent' ? campaign.sent : campaign.heldOut;
      let revenue = 0;
      let converted = false;
      for (const purchase of purchases.get(claim.customerId) ?? []) {
        if (purchase.at <= claim.at) continue;
        if (purchase.at > claim.at + windowMs) break;
        converted = true;
        revenue += purchase.totalMinor;
      }
      group.n++;
      group.sum += revenue;
      group.sumOfSquares += revenue * revenue;
      if (converted) group.converters++;
    }
  }

  return [...campaigns.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([campaignId, c]): CampaignResult => {
      const wald = waldDifference(c.sent.converters, c.sent.n, c.heldOut.converters, c.heldOut.n);
      const p0 = c.heldOut.n > 0 ? c.heldOut.converters / c.heldOut.n : 0;
      return {
        campaignId,
        ...c.funnel,
        occurrenceCount: c.occurrences.length,
        bounceRate: c.funnel.sent > 0 ? c.funnel.bounced / c.funnel.sent : null,
        complaintRate: c.funnel.sent > 0 ? c.funnel.complained / c.funnel.sent : null,
        holdout: {
          sent: groupResult(c.sent),
          heldOut: groupResult(c.heldOut),
          conversionLift: wald ? { ...wald, relative: p0 > 0 ? wald.difference / p0 : null } : null,
          revenueLift: welchDifference(c.sent, c.heldOut) ?? null,
        },
        occurrences: c.occurrences.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0)),
      };
    });
}
