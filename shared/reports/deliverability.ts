/**
 * Deliverability against the limits SES and the big mailbox providers enforce: bounces under 2% and complaints
 * under 0.1% of emails sent (SES reviews an account from 5% / 0.1%; Gmail and Yahoo want spam under 0.1%).
 */
import { inRange, zeroCounts, EMAIL_COUNTERS, type EmailCounts, type ReportData, type ReportRange } from '#shared/reports/report-data.ts';

export const THRESHOLDS = { bounceRate: 0.02, complaintRate: 0.001 } as const;

export interface DeliverabilityDay {
  day: string;
  sent: number;
  bounceRate: number | null;
  complaintRate: number | null;
}

export interface DeliverabilityResult {
  totals: EmailCounts;
  bounceRate: number | null;
  complaintRate: number | null;
  deliveryRate: number | null;
  thresholds: typeof THRESHOLDS;
  bounceOverThreshold: boolean;
  complaintOverThreshold: boolean;
  days: DeliverabilityDay[];
}

export function deliverability(data: ReportData, range: ReportRange): DeliverabilityResult {
  const totals = zeroCounts();
  const days: DeliverabilityDay[] = [];
  const sorted = [...data.dailyStats].sort((a, b) => (a.day < b.day ? -1 : 1));
  for (const row of sorted) {
    // A day is in the period if any of it is.
    const start = Date.parse(`${row.day}T00:00:00.000Z`);
    if (Number.isNaN(start) || !(inRange(range, start) || inRange(range, start + 86_399_999))) continue;
    for (const name of EMAIL_COUNTERS) totals[name] += row.counts[name];
    const sent = row.counts.sent;
    days.push({ day: row.day, sent, bounceRate: sent > 0 ? row.counts.bounced / sent : null, complaintRate: sent > 0 ? row.counts.complained / sent : null });
  }
  const rate = (n: number) => (totals.sent > 0 ? n / totals.sent : null);
  const bounceRate = rate(totals.bounced);
  const complaintRate = rate(totals.complained);
  return {
    totals,
    bounceRate,
    complaintRate,
    deliveryRate: rate(totals.delivered),
    thresholds: THRESHOLDS,
    bounceOverThreshold: bounceRate !== null && bounceRate >= THRESHOLDS.bounceRate,
    complaintOverThreshold: complaintRate !== null && complaintRate >= THRESHOLDS.complaintRate,
    days,
  };
}
