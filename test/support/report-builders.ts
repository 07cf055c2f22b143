/**
 * Builders for the items the results report reads, in the shapes of the issue-11 data contracts (keys written out
 * here rather than taken from shared/table/keys.ts, so a test pins the contract, not the code under test).
 */
import { createReportAccumulator } from '#shared/reports/report-accumulator.ts';
import type { ReportData } from '#shared/reports/report-data.ts';

type Item = Record<string, unknown>;

export function aProfileItem(o: { customerId: string; heardFrom?: string }): Item {
  return {
    PK: `CUST#${o.customerId}`,
    SK: 'PROFILE',
    entityType: 'PROFILE',
    customerId: o.customerId,
    email: `${o.customerId}@example.com`,
    ...(o.heardFrom ? { 'ans#heardFrom': { value: o.heardFrom, at: '2026-01-01T00:00:00.000Z', source: 'form', orderId: 'x' } } : {}),
  };
}

export function anOrderItem(o: {
  orderId: string;
  customerId: string;
  purchasedAt: string;
  totalMinor: number;
  categoryMinor?: Record<string, number>;
  formOpenedAt?: string;
  attribution?: { campaignId: string; occurrenceId: string; revenueMinor?: number };
}): Item {
  return {
    PK: `ORDER#${o.orderId}`,
    SK: 'ORDER',
    GSI1PK: `CUST#${o.customerId}`,
    GSI1SK: `ORDER#${o.purchasedAt}#${o.orderId}`,
    entityType: 'ORDER',
    orderId: o.orderId,
    customerId: o.customerId,
    kind: o.totalMinor < 0 ? 'refund' : 'purchase',
    currency: 'EUR',
    totalMinor: o.totalMinor,
    baseTotalMinor: o.totalMinor,
    categoryMinor: o.categoryMinor ?? { tents: o.totalMinor },
    purchasedAt: o.purchasedAt,
    lines: [],
    ...(o.formOpenedAt ? { formOpenedAt: o.formOpenedAt } : {}),
    ...(o.attribution
      ? {
          attribution: {
            campaignId: o.attribution.campaignId,
            occurrenceId: o.attribution.occurrenceId,
            messageId: 'm-1',
            touch: 'click',
            touchedAt: o.purchasedAt,
            revenueMinor: o.attribution.revenueMinor ?? o.totalMinor,
          },
        }
      : {}),
  };
}

export function aSubmissionItem(o: { orderId: string; customerId: string; submittedAt: string; confirmedAt?: string; satisfaction?: number }): Item {
  return {
    PK: `ORDER#${o.orderId}`,
    SK: 'SUBMISSION',
    orderId: o.orderId,
    customerId: o.customerId,
    firstSubmittedAt: o.submittedAt,
    submittedAt: o.submittedAt,
    answers: { products: [], interests: [], ...(o.satisfaction === undefined ? {} : { satisfaction: o.satisfaction }) },
    ...(o.confirmedAt ? { optInConfirmedAt: o.confirmedAt } : {}),
  };
}

export function anIncentiveItem(o: { orderId: string; customerId: string; type: 'coupon' | 'warranty' | 'gift-card'; code: string; issuedAt: string }): Item {
  return {
    PK: `INCENTIVE#${o.orderId}`,
    SK: 'INCENTIVE',
    entityType: 'INCENTIVE',
    orderId: o.orderId,
    customerId: o.customerId,
    type: o.type,
    rule: 'default',
    code: o.code,
    codeSource: 'generated',
    issuedAt: o.issuedAt,
  };
}

export function aCodeItem(o: { code: string; orderId: string; redeemedAt?: string; redeemedOrderId?: string }): Item {
  return {
    PK: `CODE#${o.code}`,
    SK: 'CODE',
    entityType: 'INCENTIVE_CODE',
    code: o.code,
    orderId: o.orderId,
    ...(o.redeemedAt ? { redeemedAt: o.redeemedAt, redeemedOrderId: o.redeemedOrderId ?? 'x' } : {}),
  };
}

export interface ClaimEvents {
  deliveredAt?: string;
  bouncedAt?: string;
  complainedAt?: string;
  firstOpenedAt?: string;
  firstClickedAt?: string;
}

export function aSentClaimItem(o: { campaignId: string; occurrenceId: string; customerId: string; sentAt: string } & ClaimEvents): Item {
  const { campaignId, occurrenceId, customerId, sentAt, ...events } = o;
  return {
    PK: `SEND#${campaignId}#${occurrenceId}`,
    SK: `CUST#${customerId}`,
    entityType: 'SEND',
    campaignId,
    occurrenceId,
    customerId,
    status: 'sent',
    claimedAt: sentAt,
    sentAt,
    messageId: `m-${customerId}`,
    triggeredAt: sentAt,
    ...events,
  };
}

export function aHeldOutClaimItem(o: { campaignId: string; occurrenceId: string; customerId: string; heldOutAt: string }): Item {
  return {
    PK: `SEND#${o.campaignId}#${o.occurrenceId}`,
    SK: `CUST#${o.customerId}`,
    entityType: 'SEND',
    status: 'held-out',
    campaignId: o.campaignId,
    occurrenceId: o.occurrenceId,
    customerId: o.customerId,
    heldOutAt: o.heldOutAt,
    triggeredAt: o.heldOutAt,
  };
}

export type Counters = Partial<
  Record<'sent' | 'delivered' | 'bounced' | 'complained' | 'rejected' | 'opened' | 'clicked' | 'opens' | 'clicks' | 'unsubscribed', number>
>;

export function aCampaignStatsItem(o: { campaignId: string; occurrenceId: string } & Counters): Item {
  const { campaignId, occurrenceId, ...counters } = o;
  return { PK: `STATS#${campaignId}`, SK: `OCC#${occurrenceId}`, entityType: 'CAMPAIGN_STATS', campaignId, occurrenceId, ...counters };
}

export function aDailyStatsItem(o: { day: string } & Counters): Item {
  const { day, ...counters } = o;
  return { PK: 'STATS#ALL', SK: `DAY#${day}`, entityType: 'CAMPAIGN_STATS', ...counters };
}

export function anOccurrenceItem(o: { campaignId: string; occurrenceId: string; recipients: number; plannedAt: string }): Item {
  return { PK: `OCC#${o.campaignId}`, SK: o.occurrenceId, entityType: 'OCCURRENCE', ...o };
}

export function aSegmenterRunItem(o: { asOf: string; counts: Record<string, number> }): Item {
  return {
    PK: 'SEGRUN',
    SK: `RUN#${o.asOf}#r-${o.asOf}`,
    entityType: 'SEGMENTER_RUN',
    runId: `r-${o.asOf}`,
    asOf: o.asOf,
    startedAt: o.asOf,
    finishedAt: o.asOf,
    profiles: 0,
    counts: o.counts,
    entered: {},
    exited: {},
    durationMs: 1,
  };
}

export function anEmailEventItem(o: {
  customerId: string;
  at: string;
  eventType: string;
  messageId: string;
  campaignId?: string;
  occurrenceId?: string;
}): Item {
  return {
    PK: `CUST#${o.customerId}`,
    SK: `EMAILEVT#${o.at}#${o.eventType}#${o.messageId}`,
    entityType: 'EMAIL_EVENT',
    kind: 'marketing',
    expiresAt: Math.floor(Date.parse(o.at) / 1000) + 395 * 86_400,
    ...o,
  };
}

/** Items folded as the loader folds them (without the table), for unit tests of the sections. */
export function reportDataOf(items: readonly Item[], incentiveTypeOf?: (categoryMinor: Readonly<Record<string, number>>) => string): ReportData {
  const accumulator = createReportAccumulator(incentiveTypeOf ? { incentiveTypeOf } : {});
  for (const item of items) accumulator.add(item);
  return accumulator.finish();
}
