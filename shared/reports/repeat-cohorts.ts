/**
 * One-time → repeat: customers grouped by the month of their first purchase, and how many of each cohort have
 * bought again by the report's end (and within 90 days of the first purchase, which compares young and old cohorts fairly).
 */
import { inRange, type ReportData, type ReportRange } from '#shared/reports/report-data.ts';

export interface CohortRow {
  /** YYYY-MM of the first purchase (UTC). */
  cohort: string;
  customers: number;
  repeated: number;
  repeatRate: number;
  repeatedWithin90Days: number;
}

const DAYS_90_MS = 90 * 86_400_000;

export function repeatCohorts(data: ReportData, range: ReportRange): CohortRow[] {
  const firstTwo = new Map<string, [number, number]>();
  for (const order of data.orders) {
    if (order.kind !== 'purchase' || order.purchasedAt > range.to) continue;
    const [first, second] = firstTwo.get(order.customerId) ?? [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    if (order.purchasedAt < first) firstTwo.set(order.customerId, [order.purchasedAt, first]);
    else firstTwo.set(order.customerId, [first, Math.min(second, order.purchasedAt)]);
  }
  const cohorts = new Map<string, CohortRow>();
  for (const [first, second] of firstTwo.values()) {
    if (!inRange(range, first)) continue;
    const cohort = new Date(first).toISOString().slice(0, 7);
    let row = cohorts.get(cohort);
    if (!row) cohorts.set(cohort, (row = { cohort, customers: 0, repeated: 0, repeatRate: 0, repeatedWithin90Days: 0 }));
    row.customers++;
    if (Number.isFinite(second)) row.repeated++;
    if (second - first <= DAYS_90_MS) row.repeatedWithin90Days++;
  }
  return [...cohorts.values()].sort((a, b) => (a.cohort < b.cohort ? -1 : 1)).map((row) => ({ ...row, repeatRate: row.repeated / row.customers }));
}
